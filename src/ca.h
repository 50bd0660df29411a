/*
 * The trust store: the CA bundle embedded at build time (certs/, turned into
 * DER plus an index sorted by subject by certs/certgen.c), or a CA file given
 * with --cacert or SSL_CERT_FILE, which replaces it.
 *
 * Roots are never parsed at start-up. mbedtls asks for the possible issuers
 * of each certificate it verifies (mbedtls_ssl_conf_ca_cb); only roots whose
 * subject matches the certificate's issuer are parsed, straight from the
 * embedded DER.
 */
#ifndef HELLO_CA_H
#define HELLO_CA_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

/* One embedded root: a compact DER certificate (certs/certgen.c says what
 * it keeps) at der_off in ca_bundle_der, and where its subject Name is in it. */
struct ca_root {
	uint32_t der_off;
	uint16_t der_len;
	uint16_t subject_off;
	uint16_t subject_len;
};

/* Generated into build/gen/cabundle.c; roots sorted by the key of their
 * subject (ca_name_key, ca_key_cmp). */
extern const unsigned char ca_bundle_der[];
extern const struct ca_root ca_bundle_roots[];
extern const size_t ca_bundle_count;
extern const char ca_bundle_info[];	/* "N roots, <package> (<date>), sha256 <hex>" */

/* mbedtls's error codes are -(high | low): the high-level part names the
 * module that failed (X.509, SSL, PK...), the low-level one the algorithm
 * under it. CA_ERR_HIGH(r) is the high-level part, as a negative code; the
 * X.509 ones lie from MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE (-0x2080) down
 * to MBEDTLS_ERR_X509_FATAL_ERROR (-0x3000). */
#define CA_ERR_HIGH(r) (-(-(r) & 0xff80))
#define CA_ERR_IS_X509(r) \
	(CA_ERR_HIGH(r) <= MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE && CA_ERR_HIGH(r) >= MBEDTLS_ERR_X509_FATAL_ERROR)

#define CA_KEY_MAX 1024		/* longest subject key */
#define CA_FILE_MAX (8u << 20)	/* largest --cacert file read */

/* Writes the comparison key of an X.509 Name (DER, with its SEQUENCE
 * header) to out. Two Names have the same key exactly when mbedtls's chain
 * builder takes them as equal (RFC 5280 7.1): same RDN structure and
 * attribute types, and values equal byte for byte, or both UTF8String or
 * PrintableString and equal but for ASCII case. Returns the key length, or 0
 * when the Name is malformed or its key longer than cap. */
size_t ca_name_key(const unsigned char *name, size_t len, unsigned char *out, size_t cap);

/* Orders keys: memcmp, then shorter first. */
int ca_key_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen);

/* Index of the first embedded root whose subject key is key; *count gets how
 * many follow with the same key (0 when there is none). The roots' keys are
 * computed from their DER as the binary search visits them. */
size_t ca_bundle_find(const unsigned char *key, size_t len, size_t *count);

struct ca_store {
	int from_file;			/* 1: file below, 0: embedded bundle */
	mbedtls_x509_crt file_roots;	/* roots read from the file */
	size_t file_count;
};

/* Sets up s with the roots of file (PEM or DER, one or more certificates),
 * or with the embedded bundle when file is NULL. A file that is not a
 * regular one (a pipe) is read until the deadline (net.h) at most.
 * Returns ERR_OK, ERR_CAFILE (unreadable, empty, larger than CA_FILE_MAX,
 * or not one certificate parsed) or ERR_TIMEOUT. */
int ca_store_init(struct ca_store *s, const char *file, long long deadline);

void ca_store_free(struct ca_store *s);

/* mbedtls_x509_crt_ca_cb_t: the roots of s (a struct ca_store *) whose
 * subject matches child's issuer, as a new chain in *candidates (NULL when
 * none). Returns 0, or an mbedtls error code. */
int ca_lookup(void *s, mbedtls_x509_crt const *child, mbedtls_x509_crt **candidates);

#endif
