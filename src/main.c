/*
 * hello: with no argument, the greeting of a tiny container; with a URL, a
 * small curl-compatible HTTP/HTTPS client that verifies TLS with its own CA
 * bundle; with --healthcheck, a Docker HEALTHCHECK probe.
 *
 * main() follows the data flow: options, URL, connect, TLS, request,
 * response head, body, and one error mapped to curl's exit code.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <mbedtls/build_info.h>

#include "ca.h"
#include "err.h"
#include "http.h"
#include "net.h"
#include "tls.h"
#include "url.h"

#ifndef HELLO_VERSION
#define HELLO_VERSION "dev"
#endif

#define GREETING "Hello from a Tiny Container!\n"
#define MAX_HEADERS 64
#define MAX_RESOLVE 16
#define HEALTHCHECK_MAX_TIME 5000	/* milliseconds */

struct resolve {
	char host[URL_HOST_MAX + 1];
	unsigned port;
	char address[64];
};

struct opts {
	const char *url;
	const char *output;
	const char *cacert;
	const char *user_agent;
	const char *headers[MAX_HEADERS];
	size_t nheaders;
	struct resolve resolve[MAX_RESOLVE];
	size_t nresolve;
	int head, silent, show_error, verbose, fail, location, healthcheck;
	long max_redirs;
	long long max_time, connect_timeout;	/* milliseconds; 0 = none */
};

/* Where the body (or, with -I, the head) goes: stdout or the -o file, opened
 * when the first byte is due so a failed request leaves no file behind. */
struct sink {
	const char *path;
	int fd;
	int discard;
};

static const char usage_text[] =
	"Usage: hello [options] [URL]\n"
	"With no argument, prints the greeting. With a URL (http:// or https://),\n"
	"fetches it; TLS certificates and host names are always verified.\n"
	"\n"
	"  -o, --output FILE          write the body to FILE instead of stdout\n"
	"  -I, --head                 send HEAD and print the response head\n"
	"  -s, --silent               print no error message\n"
	"  -S, --show-error           with -s, print error messages anyway\n"
	"  -v, --verbose              print connection, TLS and HTTP details to stderr\n"
	"  -f, --fail                 exit 22 on an HTTP status of 400 or more\n"
	"  -L, --location             follow redirects\n"
	"      --max-redirs N         follow at most N redirects (default 10, -1: no limit)\n"
	"  -m, --max-time SECONDS     give up after SECONDS (fractions allowed)\n"
	"      --connect-timeout SECONDS  limit connecting and the TLS handshake\n"
	"  -H, --header 'Name: value' add a request header (repeatable; 'Name:' removes one)\n"
	"  -A, --user-agent STRING    User-Agent header\n"
	"      --cacert FILE          trust the CAs in FILE (PEM or DER) instead of the\n"
	"                             embedded bundle; so does SSL_CERT_FILE\n"
	"      --resolve HOST:PORT:ADDRESS  connect to ADDRESS for HOST:PORT\n"
	"      --healthcheck          Docker HEALTHCHECK probe: --fail, --max-time 5, no body;\n"
	"                             exit 0 healthy, 1 unhealthy with one line saying why\n"
	"      --version              print versions and the embedded CA bundle\n"
	"  -h, --help                 print this help\n"
	"\n"
	"Exit codes are curl's: 0 ok, 1 unsupported protocol, 2 usage, 3 malformed URL,\n"
	"6 cannot resolve, 7 cannot connect, 8 bad reply, 18 partial body, 22 HTTP error\n"
	"with --fail, 23 write error, 28 timeout, 35 TLS handshake, 47 too many redirects,\n"
	"52 empty reply, 56 receive failure, 60 peer not verified, 77 bad CA file.\n";

static int quiet_errors;	/* -s without -S */
static int stdout_closed;	/* hello was started with fd 1 closed */

/* Makes sure fds 0, 1 and 2 are open before any file or socket is: with
 * one closed, the next socket would take its number, and the body (or, for
 * fd 2, the -v lines) would be written into the connection. A closed fd
 * gets a stand-in: /dev/null, or where there is none (an empty chroot) one
 * end of a pipe whose other end is closed at once, so it reads as empty
 * (fd 0) or fails every write (fds 1, 2). Returns 0, or -1 when not even
 * that can be made. */
static int keep_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int p[2];

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (fd == STDOUT_FILENO)
			stdout_closed = 1;
		/* fds below fd are open now, so the lowest free one is fd. */
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) == fd)
			continue;
		if (pipe(p) < 0)
			return -1;
		if (fd == 0) {	/* p[0] is fd 0 */
			close(p[1]);
			continue;
		}
		/* p[0] is fd: replace it with the write end. */
		if (dup2(p[1], fd) < 0)
			return -1;
		close(p[1]);
	}
	return 0;
}

/* The one line a failure prints: "hello: <prefix><what>: <detail>". The
 * detail may quote user or server input: control bytes become '?' so the
 * message stays on one line. */
static void print_error(const char *prefix, const char *what, const char *detail)
{
	char line[300];
	size_t i;

	snprintf(line, sizeof(line), "%s", detail);
	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < ' ' || line[i] == 0x7f)
			line[i] = '?';
	fprintf(stderr, "hello: %s%s: %s\n", prefix, what, line);
}

static void verbose(const struct opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void verbose(const struct opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* Parses a non-negative decimal number of seconds ("5", "0.25", ".5") into
 * milliseconds; digits beyond the millisecond are ignored. */
static int parse_seconds(const char *opt, const char *s, long long *ms)
{
	long long whole = 0, frac = 0, scale = 100;
	const char *p = s;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 1000000000)
			return err_set(ERR_USAGE, "%s: '%s' is too many seconds", opt, s);
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++, scale /= 10)
			frac += (*p - '0') * scale;
	if (*p || digits == 0)
		return err_set(ERR_USAGE, "%s: '%s' is not a number of seconds", opt, s);
	*ms = whole * 1000 + frac;
	return ERR_OK;
}

static int parse_resolve(struct opts *o, const char *s)
{
	struct resolve *r = &o->resolve[o->nresolve];
	const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *addr;
	unsigned char abuf[16];
	size_t alen, hlen;
	char *end;
	long port;

	if (o->nresolve == MAX_RESOLVE)
		return err_set(ERR_USAGE, "--resolve: more than %d entries", MAX_RESOLVE);
	if (!c1 || !c2)
		return err_set(ERR_USAGE, "--resolve: '%s' is not HOST:PORT:ADDRESS", s);
	hlen = (size_t)(c1 - s);
	if (hlen == 0 || hlen > URL_HOST_MAX)
		return err_set(ERR_USAGE, "--resolve: bad host in '%s'", s);
	port = strtol(c1 + 1, &end, 10);
	if (end != c2 || port < 1 || port > 65535)
		return err_set(ERR_USAGE, "--resolve: bad port in '%s'", s);
	addr = c2 + 1;
	alen = strlen(addr);
	if (alen > 2 && addr[0] == '[' && addr[alen - 1] == ']') {
		addr++;
		alen -= 2;
	}
	if (alen == 0 || alen >= sizeof(r->address))
		return err_set(ERR_USAGE, "--resolve: bad address in '%s'", s);
	for (size_t i = 0; i < hlen; i++)
		r->host[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	r->host[hlen] = '\0';
	r->port = (unsigned)port;
	memcpy(r->address, addr, alen);
	r->address[alen] = '\0';
	/* Only numeric addresses: --resolve exists to avoid a lookup. */
	if (inet_pton(AF_INET, r->address, abuf) != 1 && inet_pton(AF_INET6, r->address, abuf) != 1)
		return err_set(ERR_USAGE, "--resolve: '%s' is not an IP address", r->address);
	o->nresolve++;
	return ERR_OK;
}

/* Options that take an argument, by short and long name. */
enum opt_id {
	OPT_OUTPUT, OPT_HEADER, OPT_USER_AGENT, OPT_MAX_TIME, OPT_CONNECT_TIMEOUT,
	OPT_MAX_REDIRS, OPT_CACERT, OPT_RESOLVE,
	OPT_FLAGS,	/* the rest take none */
	OPT_HEAD = OPT_FLAGS, OPT_SILENT, OPT_SHOW_ERROR, OPT_VERBOSE, OPT_FAIL, OPT_LOCATION,
	OPT_HEALTHCHECK, OPT_VERSION, OPT_HELP
};

static const struct {
	char short_name;
	const char *long_name;
	enum opt_id id;
} options[] = {
	{'o', "output", OPT_OUTPUT},
	{'H', "header", OPT_HEADER},
	{'A', "user-agent", OPT_USER_AGENT},
	{'m', "max-time", OPT_MAX_TIME},
	{0, "connect-timeout", OPT_CONNECT_TIMEOUT},
	{0, "max-redirs", OPT_MAX_REDIRS},
	{0, "cacert", OPT_CACERT},
	{0, "resolve", OPT_RESOLVE},
	{'I', "head", OPT_HEAD},
	{'s', "silent", OPT_SILENT},
	{'S', "show-error", OPT_SHOW_ERROR},
	{'v', "verbose", OPT_VERBOSE},
	{'f', "fail", OPT_FAIL},
	{'L', "location", OPT_LOCATION},
	{0, "healthcheck", OPT_HEALTHCHECK},
	{0, "version", OPT_VERSION},
	{'h', "help", OPT_HELP},
};

static int set_option(struct opts *o, enum opt_id id, const char *name, const char *arg)
{
	char *end;

	switch (id) {
	case OPT_OUTPUT:
		o->output = arg;
		break;
	case OPT_HEADER:
		if (o->nheaders == MAX_HEADERS)
			return err_set(ERR_USAGE, "%s: more than %d headers", name, MAX_HEADERS);
		if (!http_header_valid(arg))
			return err_set(ERR_USAGE, "%s: '%s' is not 'Name: value' (a name of letters, "
				       "digits or !#$%%&'*+-.^_`|~ right before the colon, no control "
				       "characters)", name, arg);
		o->headers[o->nheaders++] = arg;
		break;
	case OPT_USER_AGENT:
		for (const char *c = arg; *c; c++)
			if (((unsigned char)*c < ' ' && *c != '\t') || *c == 0x7f)
				return err_set(ERR_USAGE, "%s: control character in the user agent", name);
		o->user_agent = arg;
		break;
	case OPT_MAX_TIME:
		return parse_seconds(name, arg, &o->max_time);
	case OPT_CONNECT_TIMEOUT:
		return parse_seconds(name, arg, &o->connect_timeout);
	case OPT_MAX_REDIRS:
		errno = 0;
		o->max_redirs = strtol(arg, &end, 10);
		if (end == arg || *end || errno || o->max_redirs < -1 || o->max_redirs > 1000000)
			return err_set(ERR_USAGE, "%s: '%s' is not a number of redirects", name, arg);
		break;
	case OPT_CACERT:
		o->cacert = arg;
		break;
	case OPT_RESOLVE:
		return parse_resolve(o, arg);
	case OPT_HEAD:
		o->head = 1;
		break;
	case OPT_SILENT:
		o->silent = 1;
		break;
	case OPT_SHOW_ERROR:
		o->show_error = 1;
		break;
	case OPT_VERBOSE:
		o->verbose = 1;
		break;
	case OPT_FAIL:
		o->fail = 1;
		break;
	case OPT_LOCATION:
		o->location = 1;
		break;
	case OPT_HEALTHCHECK:
		o->healthcheck = 1;
		break;
	case OPT_VERSION:
	case OPT_HELP:
		break;
	}
	return ERR_OK;
}

/* Reads argv into o. Returns ERR_OK, ERR_USAGE, or -1 for --help and -2 for
 * --version (printed by the caller). */
static int parse_options(struct opts *o, int argc, char **argv)
{
	int i, only_args = 0;

	memset(o, 0, sizeof(*o));
	o->max_redirs = 10;
	o->max_time = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (o->url)
				return err_set(ERR_USAGE, "one URL at a time ('%s' and '%s')", o->url, a);
			o->url = a;
		} else if (strcmp(a, "--") == 0) {
			only_args = 1;
		} else if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			size_t k;

			for (k = 0; k < sizeof(options) / sizeof(options[0]); k++)
				if (strlen(options[k].long_name) == n &&
				    strncmp(options[k].long_name, name, n) == 0)
					break;
			if (k == sizeof(options) / sizeof(options[0]))
				return err_set(ERR_USAGE, "unknown option '%s' (see --help)", a);
			if (options[k].id == OPT_HELP)
				return -1;
			if (options[k].id == OPT_VERSION)
				return -2;
			if (options[k].id < OPT_FLAGS) {
				const char *arg = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);

				if (!arg)
					return err_set(ERR_USAGE, "option '%s' needs an argument", a);
				if (set_option(o, options[k].id, a, arg) != ERR_OK)
					return ERR_USAGE;
			} else if (eq) {
				return err_set(ERR_USAGE, "option '--%.*s' takes no argument", (int)n, name);
			} else {
				set_option(o, options[k].id, a, NULL);
			}
		} else {
			/* A cluster of short options: "-fsSL", "-ofile", "-o file". */
			for (const char *c = a + 1; *c; c++) {
				size_t k;
				char name[3] = {'-', *c, '\0'};

				for (k = 0; k < sizeof(options) / sizeof(options[0]); k++)
					if (options[k].short_name == *c)
						break;
				if (k == sizeof(options) / sizeof(options[0]))
					return err_set(ERR_USAGE, "unknown option '-%c' (see --help)", *c);
				if (options[k].id == OPT_HELP)
					return -1;
				if (options[k].id < OPT_FLAGS) {
					const char *arg = c[1] ? c + 1 : (i + 1 < argc ? argv[++i] : NULL);

					if (!arg)
						return err_set(ERR_USAGE, "option '%s' needs an argument", name);
					if (set_option(o, options[k].id, name, arg) != ERR_OK)
						return ERR_USAGE;
					break;
				}
				set_option(o, options[k].id, name, NULL);
			}
		}
	}
	if (o->healthcheck) {
		o->fail = 1;
		if (o->max_time < 0)
			o->max_time = HEALTHCHECK_MAX_TIME;
	}
	if (o->max_time < 0)
		o->max_time = 0;
	return ERR_OK;
}

static int sink_write(struct sink *s, const char *buf, size_t len)
{
	if (s->discard)
		return ERR_OK;
	if (!s->path && stdout_closed)
		return err_set(ERR_WRITE, "stdout is closed (use -o FILE, or -o /dev/null to discard)");
	if (s->fd < 0) {
		s->fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (s->fd < 0)
			return err_set(ERR_WRITE, "%s: %s", s->path, strerror(errno));
	}
	while (len) {
		ssize_t n = write(s->fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(ERR_WRITE, "%s: %s", s->path ? s->path : "stdout", strerror(errno));
		}
		buf += n;
		len -= (size_t)n;
	}
	return ERR_OK;
}

static int sink_close(struct sink *s)
{
	int r = ERR_OK;

	if (s->path && s->fd >= 0 && close(s->fd) < 0)
		r = err_set(ERR_WRITE, "%s: %s", s->path, strerror(errno));
	s->fd = s->path ? -1 : s->fd;
	return r;
}

/* One connection: plain or TLS. */
struct conn {
	int fd;
	struct tls *tls;
};

static int conn_read(struct conn *c, char *buf, size_t cap, size_t *got, long long deadline)
{
	if (c->tls)
		return tls_read(c->tls, buf, cap, got, deadline);
	return net_read(c->fd, buf, cap, got, deadline);
}

static void conn_close(struct conn *c)
{
	tls_close(c->tls);
	c->tls = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* What a request needs besides the options. */
struct job {
	const struct opts *o;
	struct ca_store ca;
	int ca_ready;
	long long deadline;
	struct url first;		/* the URL asked for: its origin owns the credentials */
	unsigned long long body_bytes;	/* body bytes received so far */
	struct sink out;
	char buf[HTTP_HEAD_MAX + 1];
};

static const char *resolve_address(const struct opts *o, const struct url *u)
{
	for (size_t i = 0; i < o->nresolve; i++)
		if (o->resolve[i].port == u->port && strcmp(o->resolve[i].host, u->host) == 0)
			return o->resolve[i].address;
	return NULL;
}

/* Sets up the trust store once: --cacert, else SSL_CERT_FILE, else the
 * embedded bundle. */
static int load_ca(struct job *j)
{
	const struct opts *o = j->o;
	const char *file = o->cacert ? o->cacert : getenv("SSL_CERT_FILE");
	int r;

	if (j->ca_ready)
		return ERR_OK;
	if (file && !*file)
		file = NULL;
	if ((r = ca_store_init(&j->ca, file, j->deadline)) != ERR_OK)
		return r;
	j->ca_ready = 1;
	verbose(o, "* trusting %s%s\n", file ? "the CAs in " : "the embedded CA bundle", file ? file : "");
	return ERR_OK;
}

static int open_conn(struct job *j, const struct url *u, struct conn *c)
{
	const struct opts *o = j->o;
	long long cdl = o->connect_timeout > 0 ? net_now_ms() + o->connect_timeout
					       : NET_NO_DEADLINE;
	const char *addr = resolve_address(o, u);
	int r;

	c->fd = -1;
	c->tls = NULL;
	verbose(o, "* connecting to %s port %u%s%s\n", u->host, u->port, addr ? " at " : "",
		addr ? addr : "");
	r = net_connect(&c->fd, u->host, u->port, addr, cdl, j->deadline);
	if (r != ERR_OK)
		return r;
	if (!u->tls)
		return ERR_OK;

	if ((r = load_ca(j)) != ERR_OK)
		return r;
	r = tls_open(&c->tls, c->fd, u->host, &j->ca, cdl < j->deadline ? cdl : j->deadline);
	if (r == ERR_TIMEOUT)
		err_set(ERR_TIMEOUT, "TLS handshake with %s not done within %s", u->host,
			cdl < j->deadline ? "--connect-timeout" : "the time allowed");
	if (r != ERR_OK)
		return r;
	verbose(o, "* %s, %s\n* peer: %s\n* certificate verified for %s\n", tls_version(c->tls),
		tls_suite(c->tls), tls_peer_subject(c->tls), u->host);
	return ERR_OK;
}

/* Reads the final response head into j->buf, skipping 1xx responses.
 * Returns ERR_OK with *head_len (the head's bytes) and *have (bytes in the
 * buffer, the head and what followed it). */
static int read_head(struct job *j, struct conn *c, struct http_head *h, size_t *head_len,
		     size_t *have)
{
	size_t len = 0, got, total = 0;
	long n;
	int r;

	for (;;) {
		n = len ? http_parse_head(h, j->buf, len) : HTTP_PARTIAL;
		if (n == HTTP_BAD)
			return ERR_WEIRD_REPLY;
		if (n > 0 && h->status >= 200)
			break;
		if (n > 0) {
			if (h->status == 101)
				return err_set(ERR_WEIRD_REPLY, "unexpected 101 Switching Protocols");
			/* 100 Continue, 103 Early Hints: the answer is still to come. */
			verbose(j->o, "< %.*s (skipped)\n", (int)strcspn(j->buf, "\r\n"), j->buf);
			memmove(j->buf, j->buf + n, len - (size_t)n);
			len -= (size_t)n;
			continue;
		}
		if (len == HTTP_HEAD_MAX)
			return err_set(ERR_WEIRD_REPLY, "response head larger than %d bytes", HTTP_HEAD_MAX);
		if ((r = conn_read(c, j->buf + len, HTTP_HEAD_MAX - len, &got, j->deadline)) != ERR_OK)
			return r;
		if (got == 0) {
			if (total == 0)
				return err_set(ERR_EMPTY_REPLY, "server closed the connection without a reply");
			return err_set(ERR_WEIRD_REPLY, "connection closed inside the response head");
		}
		len += got;
		total += got;
	}
	*head_len = (size_t)n;
	*have = len;
	return ERR_OK;
}

/* Streams the body through j->buf to the sink: memory stays the same
 * whatever the body's size. buf[0..have) already holds its first bytes. */
static int stream_body(struct job *j, struct conn *c, struct http_body *b, size_t have)
{
	size_t len = have, got;
	int r, done;

	for (;;) {
		done = http_body_decode(b, j->buf, &len);
		if (done > 1)
			return done;	/* ERR_RECV: bad chunked framing */
		j->body_bytes += len;
		if (len && (r = sink_write(&j->out, j->buf, len)) != ERR_OK)
			return r;
		if (done == 1)
			return ERR_OK;
		r = conn_read(c, j->buf, HTTP_HEAD_MAX, &got, j->deadline);
		if (r == ERR_TIMEOUT)
			return err_set(r, "the body was still arriving when the time allowed ran out "
				       "(%llu bytes received)", j->body_bytes);
		if (r != ERR_OK)
			return r;
		if (got == 0)
			return http_body_eof(b);
		len = got;
	}
}

/* Same scheme, host and port (RFC 6454): "localhost" and "127.0.0.1" are
 * two origins, as they are to curl. */
static int same_origin(const struct url *a, const struct url *b)
{
	return a->tls == b->tls && a->port == b->port && strcmp(a->host, b->host) == 0;
}

static int is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Fetches u, following redirects with -L. */
static int fetch(struct job *j, struct url *u)
{
	static struct url next;	/* large: kept off the stack */
	const struct opts *o = j->o;
	char req[HTTP_HEAD_MAX];
	long redirects = 0;

	for (;;) {
		struct conn c;
		struct http_head h;
		struct http_body b;
		const struct http_field *loc;
		size_t req_len, head_len, have;
		int r;

		req_len = http_request(req, sizeof(req), o->head ? "HEAD" : "GET", u,
				       o->user_agent ? o->user_agent : "hello/" HELLO_VERSION,
				       o->headers, o->nheaders, !same_origin(u, &j->first));
		if (req_len == 0)
			return err_set(ERR_USAGE, "request headers longer than %zu bytes", sizeof(req));
		if ((r = open_conn(j, u, &c)) != ERR_OK) {
			conn_close(&c);
			return r;
		}
		verbose(o, "> %.*s\n", (int)strcspn(req, "\r"), req);
		r = c.tls ? tls_write(c.tls, req, req_len, j->deadline)
			  : net_write(c.fd, req, req_len, j->deadline);
		if (r == ERR_OK)
			r = read_head(j, &c, &h, &head_len, &have);
		if (r != ERR_OK) {
			conn_close(&c);
			return r;
		}
		verbose(o, "< %.*s\n", (int)strcspn(j->buf, "\r\n"), j->buf);
		loc = http_field(&h, "Location");
		if (o->location && is_redirect(h.status) && loc) {
			char ref[URL_MAX + 1];

			conn_close(&c);
			if (o->max_redirs >= 0 && redirects >= o->max_redirs)
				return err_set(ERR_TOO_MANY_REDIRECTS, "stopped after %ld redirects", redirects);
			if (loc->value_len > URL_MAX)
				return err_set(ERR_WEIRD_REPLY, "Location longer than %d bytes", URL_MAX);
			memcpy(ref, loc->value, loc->value_len);
			ref[loc->value_len] = '\0';
			if ((r = url_resolve(&next, u, ref)) != ERR_OK) {
				char why[160];

				/* err_detail() is the buffer err_set() writes: copy it first. */
				snprintf(why, sizeof(why), "%s", err_detail());
				return err_set(r, "redirect to '%.200s': %s", ref, why);
			}
			if (u->tls && !next.tls)
				return err_set(ERR_UNSUPPORTED_PROTOCOL,
					       "refusing redirect from https to http ('%.200s')", ref);
			*u = next;
			redirects++;
			continue;
		}
		if (o->fail && h.status >= 400) {
			conn_close(&c);
			return err_set(ERR_HTTP, "server returned HTTP %d", h.status);
		}
		if (o->head) {
			conn_close(&c);
			return sink_write(&j->out, j->buf, head_len);
		}
		if ((r = http_body_init(&b, &h, 0)) == ERR_OK) {
			memmove(j->buf, j->buf + head_len, have - head_len);
			r = stream_body(j, &c, &b, have - head_len);
		}
		conn_close(&c);
		return r;
	}
}

static void print_version(void)
{
	printf("hello %s (static, musl libc)\n", HELLO_VERSION);
	printf("mbedtls %s: TLS 1.2 and 1.3, verification always on\n", MBEDTLS_VERSION_STRING);
	printf("CA bundle: %s\n", ca_bundle_info);
}

int main(int argc, char **argv)
{
	static struct url u;
	static struct job j;
	struct opts o;
	int r;

	/* 0. fds 0-2 are taken before anything else can take their numbers. */
	if (keep_std_fds() < 0)
		return err_exit_code(ERR_WRITE);

	/* 1. No argument: the greeting. */
	if (argc == 1) {
		if (stdout_closed || fputs(GREETING, stdout) == EOF || fflush(stdout) == EOF) {
			print_error("", err_what(ERR_WRITE), stdout_closed ? "stdout is closed" : strerror(errno));
			return err_exit_code(ERR_WRITE);
		}
		return 0;
	}

	/* 2. Options and URL. */
	r = parse_options(&o, argc, argv);
	if (r == -1) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (r == -2) {
		print_version();
		return 0;
	}
	quiet_errors = o.silent && !o.show_error && !o.healthcheck;
	if (r == ERR_OK && !o.url)
		r = err_set(ERR_USAGE, "no URL given (see --help)");
	if (r != ERR_OK)
		goto done;
	if ((r = url_parse(&u, o.url)) != ERR_OK)
		goto done;

	/* 3. Connect, verify, request, stream: fetch() does each in turn. */
	signal(SIGPIPE, SIG_IGN);
	if ((r = tls_init()) != ERR_OK)
		goto done;
	j.o = &o;
	j.deadline = o.max_time > 0 ? net_now_ms() + o.max_time : NET_NO_DEADLINE;
	j.first = u;
	j.out.fd = o.output ? -1 : STDOUT_FILENO;
	j.out.path = o.output;
	j.out.discard = o.healthcheck;
	/* A bad CA file is reported before any connection; for a plain http
	 * URL it is read only if a redirect leads to https. */
	r = u.tls || o.cacert ? load_ca(&j) : ERR_OK;
	if (r == ERR_OK)
		r = fetch(&j, &u);
	if (sink_close(&j.out) != ERR_OK && r == ERR_OK)
		r = ERR_WRITE;
	if (j.ca_ready)
		ca_store_free(&j.ca);

done:
	/* 4. One error, one line, curl's exit code. */
	if (r == ERR_OK)
		return 0;
	if (o.healthcheck) {
		/* Docker reserves exit code 2: a probe answers 0 or 1 only. */
		print_error("unhealthy: ", err_what(r), err_detail());
		return 1;
	}
	if (!quiet_errors)
		print_error("", err_what(r), err_detail());
	return err_exit_code(r);
}
