/*
 * TLS: the only module that talks to mbedtls's SSL layer. A client
 * connection over a connected socket, with certificate and hostname
 * verification always required, and every wait bounded by a deadline.
 */
#ifndef HELLO_TLS_H
#define HELLO_TLS_H

#include <stddef.h>

#include "ca.h"

struct tls;

/* One-time setup (PSA crypto). Returns ERR_OK or ERR_TLS. */
int tls_init(void);

/* Performs the handshake on fd with host as both SNI and the name the
 * certificate must carry (a DNS SAN, or an IP SAN when host is an address),
 * trusting the roots of ca. On success *out is the connection.
 * Returns ERR_OK; ERR_PEER_VERIFY with the reasons ("certificate expired",
 * "hostname mismatch", "unknown CA") in the detail; ERR_TLS when no protocol
 * version or cipher suite is shared or the peer misbehaves; ERR_TIMEOUT;
 * ERR_RECV/ERR_SEND; ERR_NOMEM. */
int tls_open(struct tls **out, int fd, const char *host, struct ca_store *ca, long long deadline);

/* Reads at most cap bytes: ERR_OK with *got > 0, or *got == 0 once the peer
 * has closed (close_notify or end of stream); ERR_TIMEOUT; ERR_RECV. */
int tls_read(struct tls *t, void *buf, size_t cap, size_t *got, long long deadline);

/* Writes all of buf. Returns ERR_OK, ERR_TIMEOUT or ERR_SEND. */
int tls_write(struct tls *t, const void *buf, size_t len, long long deadline);

/* The negotiated version and suite, the peer's subject and the verification
 * result, for --verbose ("TLSv1.3", "TLS1-3-AES-128-GCM-SHA256", ...). */
const char *tls_version(const struct tls *t);
const char *tls_suite(const struct tls *t);
const char *tls_peer_subject(const struct tls *t);

/* Frees t; the socket is left to the caller. */
void tls_close(struct tls *t);

#endif
