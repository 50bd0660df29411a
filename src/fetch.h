/*
 * One HTTP exchange, as the options say: connect (conn.c), send the
 * request, read the response head (skipping 1xx), follow redirects with
 * -L, and stream the body to its sink (stdout, the -o file, or nowhere for
 * a probe). Memory is fixed: one buffer holds the head, then each piece of
 * the body.
 */
#ifndef HELLO_FETCH_H
#define HELLO_FETCH_H

#include "ca.h"
#include "conn.h"
#include "http.h"
#include "opts.h"
#include "url.h"

/* Where the body (or, with -I, the head) goes. */
struct fetch_sink {
	const char *path;	/* -o FILE, opened when the first byte is due; NULL: stdout */
	int fd;
	int discard;		/* --healthcheck: the body goes nowhere */
	int stdout_closed;	/* hello was started with fd 1 closed: writing it fails */
};

struct fetch {
	const struct opts *o;
	long long deadline;		/* the whole run (net.h time) */
	/* -v: called with each detail line (no newline); NULL when quiet. Only
	 * main.c prints, so it provides this. */
	void (*note)(const char *line);
	struct fetch_sink out;
	struct {			/* the URL asked for: its origin owns the credentials */
		int tls;
		unsigned port;
		char host[URL_HOST_MAX + 1];
	} origin;
	char authorization[2 * URL_USER_MAX + 16];	/* "Basic ...", or "" */
	unsigned char *body;		/* -d's bytes, joined, or NULL */
	size_t body_len;
	int status;			/* of the last response read */
	unsigned long long body_bytes;	/* received so far */
	size_t seen;			/* --expect-body: bytes of the prefix searched */
	int found;			/* --expect-body: the text was in it */
	struct ca_store ca;
	int ca_ready;
	struct tls_identity *id;	/* --cert and --key, loaded once */
	char buf[HTTP_HEAD_MAX + 1];
};

/* --expect-body reads at most this much of the body. */
#define FETCH_BODY_PREFIX_MAX 65536
/* -d takes at most this much. */
#define FETCH_DATA_MAX (1u << 20)

/* Sets up f for o; out_closed says whether fd 1 was closed at start. */
void fetch_init(struct fetch *f, const struct opts *o, long long deadline,
		void (*note)(const char *line), int stdout_closed);

/* Reads the trust store once: --cacert, else SSL_CERT_FILE, else the
 * embedded bundle. Returns ERR_OK or what ca_store_init() returns. */
int fetch_load_ca(struct fetch *f);

/* Opens a connection to u's host and port as the options say (--resolve,
 * --unix-socket, the trust store and --cert for TLS), for a request or a
 * tcp:// / tls:// probe. Returns ERR_OK or what conn_open() returns. */
int fetch_connect(struct fetch *f, const struct url *u, struct conn *c);

/* Fetches u, following redirects with -L; on return u is the last URL
 * asked for and f->status its status. With --healthcheck, the status must
 * be one --expect-status takes (ERR_HTTP if not) and the body must hold
 * --expect-body in its first FETCH_BODY_PREFIX_MAX bytes (ERR_HTTP if
 * not; the rest is not read). Returns ERR_OK or the error that ended it
 * (detail recorded): also ERR_READ for a -d @FILE that cannot be read,
 * ERR_LOCAL_CERT for --cert and --key. */
int fetch_run(struct fetch *f, struct url *u);

/* Closes the -o file and frees the trust store, the client certificate
 * and the body. Returns ERR_OK, or ERR_WRITE when closing the file failed. */
int fetch_done(struct fetch *f);

#endif
