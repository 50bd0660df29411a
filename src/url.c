#include "url.h"
#include "err.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Letters, digits, '-', '.', '_' and '~' (RFC 3986 unreserved): enough for
 * DNS names; percent-encoded or internationalised names are refused. */
static int is_host_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Length of "scheme:" at the start of s (RFC 3986 3.1), 0 if there is none. */
static size_t scheme_len(const char *s)
{
	size_t i = 0;

	if (!is_alpha((unsigned char)s[0]))
		return 0;
	while (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) ||
	       s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return s[i] == ':' ? i + 1 : 0;
}

/* RFC 3986 5.2.4, in place on a path of at most URL_MAX bytes; the output
 * is never longer than the input. An empty result becomes "/". */
static void remove_dot_segments(char *path)
{
	char buf[URL_MAX + 1];
	char *in = buf;
	size_t o = 0;

	memcpy(buf, path, strlen(path) + 1);
	while (*in) {
		if (strncmp(in, "../", 3) == 0) {
			in += 3;
		} else if (strncmp(in, "./", 2) == 0 || strncmp(in, "/./", 3) == 0) {
			in += 2;
		} else if (strcmp(in, "/.") == 0) {
			in[1] = '\0';
		} else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
			/* "/../" becomes "/", and so does a final "/..". */
			in += 2;
			if (in[1] == '/')
				in++;
			else
				in[0] = '/';
			while (o > 0 && path[--o] != '/')
				;
		} else if (strcmp(in, ".") == 0 || strcmp(in, "..") == 0) {
			in += strlen(in);
		} else {
			do
				path[o++] = *in++;
			while (*in && *in != '/');
		}
	}
	if (o == 0)
		path[o++] = '/';
	path[o] = '\0';
}

/* Copies the target (path and query) of s up to a fragment into u->target,
 * as "/" + s when s starts with '?', and normalises the path. */
static int set_target(struct url *u, const char *s)
{
	size_t n = strcspn(s, "#"), q, off = 0;

	if (s[0] != '/')
		u->target[off++] = '/';
	if (n + off > URL_MAX)
		return err_set(ERR_URL, "URL longer than %d bytes", URL_MAX);
	memcpy(u->target + off, s, n);
	u->target[off + n] = '\0';

	/* Dot segments live in the path only, not in the query. */
	q = strcspn(u->target, "?");
	if (u->target[q] == '?') {
		char query[URL_MAX + 1];

		memcpy(query, u->target + q, strlen(u->target + q) + 1);
		u->target[q] = '\0';
		remove_dot_segments(u->target);
		strcat(u->target, query);
	} else {
		remove_dot_segments(u->target);
	}
	return ERR_OK;
}

static int parse_port(struct url *u, const char *p, size_t n)
{
	unsigned long port = 0;
	size_t i;

	if (n == 0)		/* "host:" means the default port (RFC 3986 3.2.3) */
		return ERR_OK;
	if (n > 5)
		return err_set(ERR_URL, "port '%.*s' out of range", err_quote(n), p);
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)p[i]))
			return err_set(ERR_URL, "port '%.*s' is not a number", (int)n, p);
		port = port * 10 + (unsigned)(p[i] - '0');
	}
	if (port == 0 || port > 65535)
		return err_set(ERR_URL, "port %lu out of range", port);
	u->port = (unsigned)port;
	return ERR_OK;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes in[0..n) into out (cap bytes with the NUL). Returns
 * ERR_OK, or ERR_URL for a bad escape, a NUL or a result too long. */
static int decode(char *out, size_t cap, const char *in, size_t n, const char *what)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)in[i];

		if (c == '%') {
			int hi = i + 2 < n ? hex_digit((unsigned char)in[i + 1]) : -1;
			int lo = i + 2 < n ? hex_digit((unsigned char)in[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return err_set(ERR_URL, "bad %%-escape in the %s", what);
			c = hi * 16 + lo;
			i += 2;
			if (c == 0)
				return err_set(ERR_URL, "%%00 in the %s", what);
		}
		if (o + 1 >= cap)
			return err_set(ERR_URL, "%s longer than %zu bytes", what, cap - 1);
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return ERR_OK;
}

/* "user[:password]", as given before the last '@' of the authority. */
static int parse_userinfo(struct url *u, const char *a, size_t n)
{
	const char *colon = memchr(a, ':', n);
	size_t ulen = colon ? (size_t)(colon - a) : n;

	if (decode(u->user, sizeof(u->user), a, ulen, "user name") != ERR_OK ||
	    (colon && decode(u->password, sizeof(u->password), colon + 1,
			     n - ulen - 1, "password") != ERR_OK))
		return ERR_URL;
	u->has_user = 1;
	return ERR_OK;
}

static int parse_authority(struct url *u, const char *a, size_t n)
{
	const char *port, *at = NULL;
	size_t hlen, i;

	/* The last '@' ends the userinfo (one in a password must be %40). */
	for (i = 0; i < n; i++)
		if (a[i] == '@')
			at = a + i;
	if (at) {
		if (parse_userinfo(u, a, (size_t)(at - a)) != ERR_OK)
			return ERR_URL;
		n -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	if (n == 0)
		return err_set(ERR_URL, "no host name");

	if (a[0] == '[') {
		const char *end = memchr(a, ']', n);
		unsigned char addr[16];

		if (!end)
			return err_set(ERR_URL, "unterminated IPv6 address");
		hlen = (size_t)(end - a - 1);
		if (hlen == 0 || hlen >= INET6_ADDRSTRLEN)
			return err_set(ERR_URL, "bad IPv6 address");
		for (i = 0; i < hlen; i++) {
			int c = (unsigned char)a[1 + i];

			u->host[i] = (char)ascii_lower(c);
		}
		u->host[hlen] = '\0';
		if (inet_pton(AF_INET6, u->host, addr) != 1)
			return err_set(ERR_URL, "bad IPv6 address '%s'", u->host);
		u->ip = 6;
		port = end + 1;
		if (port < a + n && *port != ':')
			return err_set(ERR_URL, "junk after IPv6 address");
	} else {
		port = memchr(a, ':', n);
		hlen = port ? (size_t)(port - a) : n;
		if (hlen == 0)
			return err_set(ERR_URL, "no host name");
		if (hlen > URL_HOST_MAX)
			return err_set(ERR_URL, "host name longer than %d bytes", URL_HOST_MAX);
		for (i = 0; i < hlen; i++) {
			int c = (unsigned char)a[i];

			if (!is_host_char(c))
				return err_set(ERR_URL, "bad character '%c' in host name", c);
			u->host[i] = (char)ascii_lower(c);
		}
		u->host[hlen] = '\0';
		{
			unsigned char addr[4];

			if (inet_pton(AF_INET, u->host, addr) == 1)
				u->ip = 4;
		}
	}
	if (port && port < a + n)
		return parse_port(u, port + 1, (size_t)(a + n - port - 1));
	return ERR_OK;
}

static const char *const scheme_names[] = {"http", "https", "tcp", "tls"};

/* The scheme named by s[0..len), if it is one of those allowed
 * (URL_HTTPS or URL_TLS, the last allowed); -1 if not. */
static int scheme_of(const char *s, size_t len, enum url_scheme last)
{
	for (int i = 0; i <= (int)last; i++)
		if (strlen(scheme_names[i]) == len && strncasecmp(s, scheme_names[i], len) == 0)
			return i;
	return -1;
}

static int parse(struct url *u, const char *s, enum url_scheme last)
{
	size_t n, sl, alen;
	const char *rest;
	int scheme;

	/* Not memset(): the struct is 9 KiB, most of it for the longest
	 * path, and every field is set below or here. */
	u->scheme = URL_HTTP;
	u->tls = u->ip = u->has_user = 0;
	u->port = 0;
	u->host[0] = u->target[0] = u->user[0] = u->password[0] = '\0';
	err_clear();
	n = strlen(s);
	if (n == 0)
		return err_set(ERR_URL, "empty URL");
	if (n > URL_MAX)
		return err_set(ERR_URL, "URL longer than %d bytes", URL_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f)
			return err_set(ERR_URL, "URL contains a space, control or non-ASCII byte at %zu", i);
	}

	sl = scheme_len(s);
	if (sl && strncmp(s + sl, "//", 2) == 0) {
		if ((scheme = scheme_of(s, sl - 1, last)) < 0)
			return err_set(ERR_UNSUPPORTED_PROTOCOL, "'%.*s' is not supported (only %s)",
				       err_quote(sl - 1), s,
				       last == URL_HTTPS ? "http and https" : "http, https, tcp and tls");
		u->scheme = (enum url_scheme)scheme;
		u->tls = u->scheme == URL_HTTPS || u->scheme == URL_TLS;
		rest = s + sl + 2;
	} else if (sl && !is_digit((unsigned char)s[sl])) {
		/* "mailto:x", "https:/x": a scheme without "//" is not a web URL,
		 * while "host:8080/path" is a host and port without a scheme. */
		return err_set(ERR_URL, "expected '//' after '%.*s'", err_quote(sl), s);
	} else {
		rest = s;
	}

	u->port = u->scheme == URL_HTTPS ? 443 : u->scheme == URL_HTTP ? 80 : 0;
	alen = strcspn(rest, "/?#");
	if (parse_authority(u, rest, alen) != ERR_OK)
		return ERR_URL;
	if (u->scheme == URL_TCP || u->scheme == URL_TLS) {
		/* A port to connect to, and nothing a request would carry. */
		if (u->port == 0)
			return err_set(ERR_URL, "%s:// needs a port (%s://HOST:PORT)", scheme_names[u->scheme],
				       scheme_names[u->scheme]);
		if (u->has_user)
			return err_set(ERR_URL, "a %s:// target takes no user or password",
				       scheme_names[u->scheme]);
		if (strcmp(rest + alen, "") != 0 && strcmp(rest + alen, "/") != 0)
			return err_set(ERR_URL, "a %s:// target is HOST:PORT, without a path or query",
				       scheme_names[u->scheme]);
	}
	return set_target(u, rest + alen);
}

int url_parse(struct url *u, const char *s)
{
	return parse(u, s, URL_HTTPS);
}

int url_parse_target(struct url *u, const char *s)
{
	return parse(u, s, URL_TLS);
}

size_t url_authority(const struct url *u, char *buf, size_t cap)
{
	size_t hlen = strlen(u->host), n = 0;
	char port[8], *p = port + sizeof(port);
	unsigned v = u->port;

	/* Written by hand: this is on every request's path. */
	*--p = '\0';
	if (u->port != (u->scheme == URL_HTTPS ? 443u : u->scheme == URL_HTTP ? 80u : 0u)) {
		do
			*--p = (char)('0' + v % 10);
		while ((v /= 10));
		*--p = ':';
	}
	if (hlen + strlen(p) + (u->ip == 6 ? 2 : 0) >= cap)
		return 0;
	if (u->ip == 6)
		buf[n++] = '[';
	memcpy(buf + n, u->host, hlen);
	n += hlen;
	if (u->ip == 6)
		buf[n++] = ']';
	memcpy(buf + n, p, strlen(p) + 1);
	return n + strlen(p);
}

size_t url_format(const struct url *u, char *buf, size_t cap)
{
	char auth[URL_HOST_MAX + 16];
	int n;

	if (!url_authority(u, auth, sizeof(auth)))
		return 0;
	n = snprintf(buf, cap, "%s://%s%s", scheme_names[u->scheme], auth,
		     u->scheme == URL_HTTP || u->scheme == URL_HTTPS ? u->target : "");
	return (n < 0 || (size_t)n >= cap) ? 0 : (size_t)n;
}

int url_resolve(struct url *out, const struct url *base, const char *ref)
{
	char abs[2 * URL_MAX + URL_HOST_MAX + 32];
	char auth[URL_HOST_MAX + 16];
	const char *scheme = base->tls ? "https:" : "http:";
	size_t sl = scheme_len(ref);
	int n;

	/* An absolute reference (RFC 3986 4.3): "https://host/x", or another
	 * scheme ("ftp:x", "g:h"), which this client does not follow. Unlike a
	 * command-line URL, "host:8080/x" here is the scheme "host". */
	if (sl) {
		if (strncmp(ref + sl, "//", 2) == 0)
			return url_parse(out, ref);
		if ((sl == 5 && strncasecmp(ref, "http", 4) == 0) ||
		    (sl == 6 && strncasecmp(ref, "https", 5) == 0))
			return err_set(ERR_URL, "expected '//' after '%.*s'", (int)sl, ref);
		return err_set(ERR_UNSUPPORTED_PROTOCOL, "'%.*s' is not supported (only http and https)",
			       err_quote(sl - 1), ref);
	}
	/* A network-path reference: "//host/x" keeps the scheme. */
	if (strncmp(ref, "//", 2) == 0) {
		n = snprintf(abs, sizeof(abs), "%s%s", scheme, ref);
		return (size_t)n >= sizeof(abs) ? err_set(ERR_URL, "redirect URL too long")
						: url_parse(out, abs);
	}

	if (!url_authority(base, auth, sizeof(auth)))
		return err_set(ERR_URL, "host name too long");
	/* url_authority() leaves out a default port, which the scheme restores. */
	if (ref[0] == '\0' || ref[0] == '#') {
		n = snprintf(abs, sizeof(abs), "%s//%s%s", scheme, auth, base->target);
	} else if (ref[0] == '/') {
		n = snprintf(abs, sizeof(abs), "%s//%s%s", scheme, auth, ref);
	} else if (ref[0] == '?') {
		size_t plen = strcspn(base->target, "?");

		n = snprintf(abs, sizeof(abs), "%s//%s%.*s%s", scheme, auth, (int)plen,
			     base->target, ref);
	} else {
		/* Merge (5.2.3): the base path up to its last '/', then ref. */
		size_t plen = strcspn(base->target, "?");
		const char *slash = base->target + plen;

		while (slash > base->target && *slash != '/')
			slash--;
		n = snprintf(abs, sizeof(abs), "%s//%s%.*s/%s", scheme, auth,
			     (int)(slash - base->target), base->target, ref);
	}
	if (n < 0 || (size_t)n >= sizeof(abs))
		return err_set(ERR_URL, "redirect URL too long");
	return url_parse(out, abs);
}
