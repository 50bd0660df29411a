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
struct tls_identity;	/* a client certificate chain and its private key */

/* One-time setup (PSA crypto). Returns ERR_OK or ERR_TLS. */
int tls_init(void);

/* Reads a client certificate (PEM, the leaf first, then any intermediates)
 * from cert_file and its private key (PEM: PKCS#1, SEC1 or PKCS#8; RSA or
 * EC) from key_file, or from cert_file when key_file is NULL. Returns
 * ERR_OK and *out; ERR_LOCAL_CERT when a file is unreadable, holds no
 * certificate or key, the key is encrypted (there is no passphrase
 * prompt) or does not belong to the certificate; ERR_TIMEOUT. */
int tls_identity_load(struct tls_identity **out, const char *cert_file, const char *key_file,
		      long long deadline);

void tls_identity_free(struct tls_identity *id);

/* Performs the handshake on fd with host as both SNI and the name the
 * certificate must carry (a DNS SAN, or an IP SAN when host is an address),
 * trusting the roots of ca, and offering id (NULL: none) when the server
 * asks for a client certificate. On success *out is the connection.
 * Returns ERR_OK; ERR_PEER_VERIFY with the reasons ("certificate expired",
 * "hostname mismatch", "unknown CA") in the detail; ERR_TLS when no protocol
 * version or cipher suite is shared or the peer misbehaves; ERR_TIMEOUT;
 * ERR_RECV/ERR_SEND; ERR_NOMEM. */
int tls_open(struct tls **out, int fd, const char *host, struct ca_store *ca,
	     const struct tls_identity *id, long long deadline);

/* Reads at most cap bytes: ERR_OK with *got > 0, or *got == 0 once the peer
 * has closed (close_notify or end of stream); ERR_TIMEOUT; ERR_RECV. */
int tls_read(struct tls *t, void *buf, size_t cap, size_t *got, long long deadline);

/* For a check that ends with the handshake (tls://): a TLS 1.3 server that
 * asked for a client certificate refuses it only after the handshake, so
 * this waits a moment (at most until the deadline) for that answer.
 * Returns ERR_OK, or why the server ended the connection. */
int tls_settle(struct tls *t, long long deadline);

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
