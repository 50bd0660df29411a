/*
 * URLs: parsing http:// and https:// URLs and resolving redirect targets
 * (RFC 3986). Pure functions: no I/O, no allocation.
 */
#ifndef HELLO_URL_H
#define HELLO_URL_H

#include <stddef.h>

#define URL_MAX 8192		/* longest URL accepted, in bytes */
#define URL_HOST_MAX 253	/* longest DNS name */
#define URL_USER_MAX 255	/* longest user name, and password, after %-decoding */

enum url_scheme {
	URL_HTTP,
	URL_HTTPS,
	URL_TCP,	/* probe targets only: a TCP connection */
	URL_TLS		/* probe targets only: a verified TLS handshake */
};

struct url {
	enum url_scheme scheme;
	int tls;			/* 1 for https and tls, 0 for http and tcp */
	int ip;				/* 4 or 6 when host is an address literal, else 0 */
	unsigned port;			/* 1..65535; the scheme's default when absent */
	char host[URL_HOST_MAX + 1];	/* lower case; IPv6 without brackets */
	char target[URL_MAX + 1];	/* path and query, at least "/"; no fragment */
	int has_user;			/* the URL had "user[:password]@" */
	char user[URL_USER_MAX + 1];	/* %-decoded */
	char password[URL_USER_MAX + 1];
};

/* Parses s into u. A URL without "scheme://" is taken as http (as curl does);
 * dot segments in the path are removed; the fragment is dropped;
 * "user:password@" before the host is %-decoded into u.
 * Returns ERR_OK, ERR_URL or ERR_UNSUPPORTED_PROTOCOL (detail recorded). */
int url_parse(struct url *u, const char *s);

/* As url_parse(), and also "tcp://HOST:PORT" and "tls://HOST:PORT" (a port
 * and nothing after it), the non-HTTP targets of --healthcheck. */
int url_parse_target(struct url *u, const char *s);

/* Resolves the reference ref (a Location value) against base into out,
 * following RFC 3986 section 5.2. out may not alias base.
 * Returns as url_parse(). */
int url_resolve(struct url *out, const struct url *base, const char *ref);

/* Writes "host", "host:port" or "[v6]:port" (port only when it is not the
 * scheme's default) to buf, as the Host header wants it.
 * Returns the length, or 0 if cap is too small. */
size_t url_authority(const struct url *u, char *buf, size_t cap);

/* Writes the URL back as text ("https://host:port/target").
 * Returns the length, or 0 if cap is too small. */
size_t url_format(const struct url *u, char *buf, size_t cap);

#endif
