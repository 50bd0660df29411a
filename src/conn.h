/*
 * A connection to the server a URL names: the one place that chooses plain
 * TCP or TLS over it. Everything above reads and writes through conn_*;
 * only this file calls net.c's and tls.c's I/O.
 */
#ifndef HELLO_CONN_H
#define HELLO_CONN_H

#include <stddef.h>

#include "ca.h"

struct tls;

struct conn {
	int fd;			/* -1 when closed */
	struct tls *tls;	/* NULL for plain TCP */
};

/* Where to connect, and how. */
struct conn_target {
	const char *host;		/* a DNS name or an address, as in the URL */
	unsigned port;
	int tls;			/* 1: TLS with verification (ca) */
	const char *address;		/* --resolve: this address instead of a lookup */
	const char *unix_path;		/* --unix-socket: connect here instead */
	struct ca_store *ca;
	const struct tls_identity *id;	/* client certificate, or NULL */
	long long connect_deadline;	/* lookup, connect, handshake (net.h time) */
	long long deadline;		/* the whole transfer */
};

/* Connects to t (net_connect, or net_connect_unix with t->unix_path), and
 * with t->tls makes a verified TLS connection over it (tls_open). On
 * failure *c is closed already.
 * Returns ERR_OK or what net_connect() and tls_open() return. */
int conn_open(struct conn *c, const struct conn_target *t);

/* Reads at most cap bytes: ERR_OK with *got > 0, or *got == 0 at the end of
 * the stream; ERR_TIMEOUT; ERR_RECV. */
int conn_read(struct conn *c, void *buf, size_t cap, size_t *got, long long deadline);

/* Writes all of buf. Returns ERR_OK, ERR_TIMEOUT or ERR_SEND. */
int conn_write(struct conn *c, const void *buf, size_t len, long long deadline);

/* For a check that ends with the connection (tls://): tls_settle(). */
int conn_settle(struct conn *c, long long deadline);

/* For -v: "TLSv1.3", the suite and the peer's subject; "" for plain TCP. */
const char *conn_tls_version(const struct conn *c);
const char *conn_tls_suite(const struct conn *c);
const char *conn_tls_peer(const struct conn *c);

/* Closes c; closing a closed conn does nothing. */
void conn_close(struct conn *c);

#endif
