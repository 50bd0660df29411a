#include "opts.h"
#include "err.h"
#include "http.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEALTHCHECK_MAX_TIME 5000	/* milliseconds */
#define MAX_REDIRS_LIMIT 1000000
#define SECONDS_LIMIT 1000000000	/* about 31 years */

const char opts_usage[] =
	"Usage: hello [options] [URL...]\n"
	"No argument: the greeting. A URL (http://, https://): fetch it, verified.\n"
	" -o, --output FILE      body to FILE\n"
	" -I, --head             HEAD, print the head\n"
	" -s, --silent           no error line (-S, --show-error: one anyway)\n"
	" -v, --verbose          connection, TLS and HTTP details on stderr\n"
	" -f, --fail             exit 22 on a status of 400 or more\n"
	" -L, --location         follow redirects (--max-redirs N, default 10)\n"
	" -m, --max-time S       give up after S seconds (--connect-timeout S)\n"
	" -H, --header 'N: v'    add a header ('N:' removes one)\n"
	" -A, --user-agent S     the User-Agent\n"
	" -X, --request M        the method\n"
	" -d, --data D           POST D (@FILE, @-; joined by '&'; 1 MiB at most)\n"
	" -u, --user U:P         Basic credentials, for the URL's origin only\n"
	"     --cacert FILE      trust FILE's CAs (PEM, DER; or SSL_CERT_FILE)\n"
	"     --cert F, --key F  client certificate and key (PEM)\n"
	"     --resolve H:P:A    connect to address A for H:P\n"
	"     --unix-socket PATH connect to a unix socket\n"
	"     --healthcheck      Docker probe: one line, exit 0 or 1, 5 s; targets\n"
	"                        http(s)://, tcp://H:P, tls://H:P, all at once, or\n"
	"                        HEALTHCHECK_URL; ${NAME:-default} expanded\n"
	"     --expect-status L  healthy statuses (200-299,401; default below 400)\n"
	"     --expect-body T    healthy if the body's first 64 KiB hold T\n"
	"     --sbom             the embedded SBOM (CycloneDX JSON)\n"
	"     --version, -h, --help\n"
	"Exit codes are curl's: 1 protocol, 2 usage, 3 URL, 6 resolve, 7 connect,\n"
	"8 reply, 18 partial, 22 HTTP, 23 write, 26 read, 28 timeout, 35 TLS,\n"
	"47 redirects, 52 empty, 56 receive, 58 client cert, 60 not verified, 77 CA file.\n";

struct opt;
/* Sets what option d names from arg (NULL for an option without one);
 * name is the option as written, for messages. Returns ERR_OK or
 * ERR_USAGE, or OPTS_HELP / OPTS_VERSION / OPTS_SBOM to stop. */
typedef int opt_set(struct opts *o, const struct opt *d, const char *name, const char *arg);

struct opt {
	char short_name;	/* 0: none */
	const char *long_name;
	int takes_arg;
	opt_set *set;
	size_t field;		/* offsetof() in struct opts, for the setters that take one */
};

#define FIELD(f) offsetof(struct opts, f)

static void *field_of(struct opts *o, const struct opt *d)
{
	return (char *)o + d->field;
}

static int set_flag(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	(void)name, (void)arg;
	*(int *)field_of(o, d) = 1;
	return ERR_OK;
}

static int set_string(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	(void)name;
	*(const char **)field_of(o, d) = arg;
	return ERR_OK;
}

/* A number of seconds ("5", "0.25", ".5") into milliseconds; digits beyond
 * the millisecond are ignored. */
static int set_seconds(struct opts *o, const struct opt *d, const char *name, const char *s)
{
	long long whole = 0, frac = 0, scale = 100;
	const char *p = s;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		whole = whole * 10 + (*p - '0');
		if (whole > SECONDS_LIMIT)
			return err_set(ERR_USAGE, "%s: '%s' is too many seconds", name, s);
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++, scale /= 10)
			frac += (*p - '0') * scale;
	if (*p || digits == 0)
		return err_set(ERR_USAGE, "%s: '%s' is not a number of seconds", name, s);
	*(long long *)field_of(o, d) = whole * 1000 + frac;
	return ERR_OK;
}

static int set_max_redirs(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	char *end;

	(void)d;
	errno = 0;
	o->max_redirs = strtol(arg, &end, 10);
	if (end == arg || *end || errno || o->max_redirs < -1 || o->max_redirs > MAX_REDIRS_LIMIT)
		return err_set(ERR_USAGE, "%s: '%s' is not a number of redirects", name, arg);
	return ERR_OK;
}

static int set_header(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	(void)d;
	if (o->nheaders == OPTS_HEADERS_MAX)
		return err_set(ERR_USAGE, "%s: more than %d headers", name, OPTS_HEADERS_MAX);
	if (!http_header_valid(arg))
		return err_set(ERR_USAGE, "%s: '%s' is not 'Name: value' (a name of letters, digits or "
			       "!#$%%&'*+-.^_`|~ right before the colon, no control characters)", name, arg);
	o->headers[o->nheaders++] = arg;
	return ERR_OK;
}

static int set_user_agent(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	for (const char *c = arg; *c; c++)
		if (((unsigned char)*c < ' ' && *c != '\t') || *c == 0x7f)
			return err_set(ERR_USAGE, "%s: control character in the user agent", name);
	return set_string(o, d, name, arg);
}

/* HOST:PORT:ADDRESS, as curl's --resolve; ADDRESS numeric, IPv6 in
 * brackets or not. */
static int set_resolve(struct opts *o, const struct opt *d, const char *name, const char *s)
{
	struct opts_resolve *r = &o->resolve[o->nresolve];
	const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *addr;
	unsigned char abuf[16];
	size_t alen, hlen;
	char *end;
	long port;

	(void)d;
	if (o->nresolve == OPTS_RESOLVE_MAX)
		return err_set(ERR_USAGE, "%s: more than %d entries", name, OPTS_RESOLVE_MAX);
	if (!c1 || !c2)
		return err_set(ERR_USAGE, "%s: '%s' is not HOST:PORT:ADDRESS", name, s);
	hlen = (size_t)(c1 - s);
	if (hlen == 0 || hlen > URL_HOST_MAX)
		return err_set(ERR_USAGE, "%s: bad host in '%s'", name, s);
	port = strtol(c1 + 1, &end, 10);
	if (end != c2 || port < 1 || port > 65535)
		return err_set(ERR_USAGE, "%s: bad port in '%s'", name, s);
	addr = c2 + 1;
	alen = strlen(addr);
	if (alen > 2 && addr[0] == '[' && addr[alen - 1] == ']') {
		addr++;
		alen -= 2;
	}
	if (alen == 0 || alen >= sizeof(r->address))
		return err_set(ERR_USAGE, "%s: bad address in '%s'", name, s);
	for (size_t i = 0; i < hlen; i++)
		r->host[i] = (char)ascii_lower((unsigned char)s[i]);
	r->host[hlen] = '\0';
	r->port = (unsigned)port;
	memcpy(r->address, addr, alen);
	r->address[alen] = '\0';
	/* Only numeric addresses: --resolve exists to avoid a lookup. */
	if (inet_pton(AF_INET, r->address, abuf) != 1 && inet_pton(AF_INET6, r->address, abuf) != 1)
		return err_set(ERR_USAGE, "%s: '%s' is not an IP address", name, r->address);
	o->nresolve++;
	return ERR_OK;
}

/* An RFC 9110 token: what a method is. */
static int set_method(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	char line[64];

	if (strlen(arg) > sizeof(line) - 2 || snprintf(line, sizeof(line), "%s:", arg) < 0 ||
	    !http_header_valid(line))
		return err_set(ERR_USAGE, "%s: '%s' is not a method (letters, digits or "
			       "!#$%%&'*+-.^_`|~, at most %zu)", name, arg, sizeof(line) - 2);
	return set_string(o, d, name, arg);
}

static int set_data(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	(void)d;
	if (o->ndata == OPTS_DATA_MAX)
		return err_set(ERR_USAGE, "%s: given more than %d times", name, OPTS_DATA_MAX);
	o->data[o->ndata++] = arg;
	return ERR_OK;
}

static int set_user(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	/* curl would prompt for a missing password; a probe cannot. */
	if (!strchr(arg, ':'))
		return err_set(ERR_USAGE, "%s: '%s' is not USER:PASSWORD (there is no password "
			       "prompt; 'USER:' for an empty one)", name, arg);
	return set_string(o, d, name, arg);
}

int opts_parse_status(struct opts *o, const char *list)
{
	const char *p = list;

	o->nstatus = 0;
	for (;;) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (*p < '0' || *p > '9')
			goto bad;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtol(p, &end, 10);
		}
		if (lo < 100 || hi > 599 || lo > hi || o->nstatus == OPTS_STATUS_MAX)
			goto bad;
		o->status[o->nstatus].lo = (int)lo;
		o->status[o->nstatus++].hi = (int)hi;
		if (*end == '\0')
			return ERR_OK;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
bad:
	o->nstatus = 0;
	return err_set(ERR_USAGE, "--expect-status: '%s' is not a list of statuses or ranges from "
		       "100 to 599, such as 200-299,401 (at most %d)", list, OPTS_STATUS_MAX);
}

int opts_status_ok(const struct opts *o, int status)
{
	if (o->nstatus == 0)
		return status < 400;
	for (size_t i = 0; i < o->nstatus; i++)
		if (status >= o->status[i].lo && status <= o->status[i].hi)
			return 1;
	return 0;
}

static int set_expect_status(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	(void)name;
	set_string(o, d, name, arg);
	return strstr(arg, "${") ? ERR_OK : opts_parse_status(o, arg);
}

static int stop(struct opts *o, const struct opt *d, const char *name, const char *arg)
{
	(void)o, (void)name, (void)arg;
	return (int)d->field;
}

/* Every option: a new one is a row here and a line in opts_usage. */
static const struct opt options[] = {
	{'o', "output", 1, set_string, FIELD(output)},
	{'I', "head", 0, set_flag, FIELD(head)},
	{'s', "silent", 0, set_flag, FIELD(silent)},
	{'S', "show-error", 0, set_flag, FIELD(show_error)},
	{'v', "verbose", 0, set_flag, FIELD(verbose)},
	{'f', "fail", 0, set_flag, FIELD(fail)},
	{'L', "location", 0, set_flag, FIELD(location)},
	{0, "max-redirs", 1, set_max_redirs, 0},
	{'m', "max-time", 1, set_seconds, FIELD(max_time)},
	{0, "connect-timeout", 1, set_seconds, FIELD(connect_timeout)},
	{'H', "header", 1, set_header, 0},
	{'A', "user-agent", 1, set_user_agent, FIELD(user_agent)},
	{0, "cacert", 1, set_string, FIELD(cacert)},
	{0, "resolve", 1, set_resolve, 0},
	{0, "unix-socket", 1, set_string, FIELD(unix_socket)},
	{'X', "request", 1, set_method, FIELD(method)},
	{'d', "data", 1, set_data, 0},
	{'u', "user", 1, set_user, FIELD(user)},
	{0, "cert", 1, set_string, FIELD(cert)},
	{0, "key", 1, set_string, FIELD(key)},
	{0, "healthcheck", 0, set_flag, FIELD(healthcheck)},
	{0, "expect-status", 1, set_expect_status, FIELD(expect_status)},
	{0, "expect-body", 1, set_string, FIELD(expect_body)},
	{0, "version", 0, stop, (size_t)OPTS_VERSION},
	{0, "sbom", 0, stop, (size_t)OPTS_SBOM},
	{'h', "help", 0, stop, (size_t)OPTS_HELP},
};

/* The row for "--name" (name_len bytes of name) or, with name NULL, "-c". */
static const struct opt *find(const char *name, size_t name_len, char c)
{
	for (size_t k = 0; k < ARRAY_SIZE(options); k++)
		if (name ? strlen(options[k].long_name) == name_len &&
				   strncmp(options[k].long_name, name, name_len) == 0
			 : options[k].short_name == c)
			return &options[k];
	return NULL;
}

int opts_parse(struct opts *o, int argc, char **argv)
{
	int only_args = 0;

	memset(o, 0, sizeof(*o));
	o->max_redirs = 10;
	o->max_time = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (o->ntargets == OPTS_TARGETS_MAX)
				return err_set(ERR_USAGE, "more than %d URLs", OPTS_TARGETS_MAX);
			o->targets[o->ntargets++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = 1;
			continue;
		}
		/* "--name[=value]", or a cluster of short options "-fsSL",
		 * "-ofile", "-o file": each option found goes through one path. */
		for (const char *c = a + 1; *c; c++) {
			int is_long = a[1] == '-';
			const char *name = a + 2, *eq = is_long ? strchr(name, '=') : NULL;
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			const struct opt *d = is_long ? find(name, n, 0) : find(NULL, 0, *c);
			char shown[3] = {'-', *c, '\0'};
			const char *arg = NULL;
			int r;

			if (!d)
				return is_long ? err_set(ERR_USAGE, "unknown option '%s' (see --help)", a)
					       : err_set(ERR_USAGE, "unknown option '-%c' (see --help)", *c);
			if (d->takes_arg) {
				if (eq)
					arg = eq + 1;
				else if (!is_long && c[1])
					arg = c + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					return err_set(ERR_USAGE, "option '%s' needs an argument",
						       is_long ? a : shown);
			} else if (eq) {
				return err_set(ERR_USAGE, "option '--%.*s' takes no argument", (int)n, name);
			}
			r = d->set(o, d, is_long ? a : shown, arg);
			if (r != ERR_OK)
				return r;
			if (is_long || arg)
				break;	/* the rest of the word was the name or the argument */
		}
	}
	if ((o->expect_status || o->expect_body) && !o->healthcheck)
		return err_set(ERR_USAGE, "--expect-status and --expect-body go with --healthcheck");
	if (o->ndata && o->head)
		return err_set(ERR_USAGE, "-d and -I: a HEAD request has no body");
	if (o->key && !o->cert)
		return err_set(ERR_USAGE, "--key without --cert");
	/* --healthcheck implies --fail and a time limit (Docker's own timeout
	 * kills the probe without a word). */
	if (o->healthcheck) {
		o->fail = 1;
		if (o->max_time < 0)
			o->max_time = HEALTHCHECK_MAX_TIME;
	}
	if (o->max_time < 0)
		o->max_time = 0;
	return ERR_OK;
}

const char *opts_resolve_address(const struct opts *o, const char *host, unsigned port)
{
	for (size_t i = 0; i < o->nresolve; i++)
		if (o->resolve[i].port == port && strcmp(o->resolve[i].host, host) == 0)
			return o->resolve[i].address;
	return NULL;
}
