#include "tls.h"
#include "err.h"
#include "file.h"
#include "net.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/psa_util.h>
#include <psa/crypto.h>

struct tls {
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	int fd;
	long long deadline;
	int io_err;			/* ERR_* from the socket, reported over mbedtls's */
	int has_identity;		/* a client certificate is offered */
	int asked_for_cert;		/* the server sent a CertificateRequest */
	char name[256];			/* the DNS name to verify, no trailing dot */
	unsigned char ip[16];		/* or the address, when the URL names one */
	size_t ip_len;			/* 4, 16, or 0 for a DNS name */
	char subject[256];		/* the peer's certificate subject */
	char problem[256];		/* which certificate failed, and when it expires */
};

/* How long a handshake-only check waits for a TLS 1.3 server's verdict on
 * the client certificate (tls_settle). */
#define TLS_SETTLE_MS 300

struct tls_identity {
	mbedtls_x509_crt chain;
	mbedtls_pk_context key;
};

#define IDENTITY_FILE_MAX (1u << 20)	/* a certificate chain or a key */

int tls_init(void)
{
	if (psa_crypto_init() != PSA_SUCCESS)
		return err_set(ERR_TLS, "cannot initialise the crypto library");
	return ERR_OK;
}

void tls_identity_free(struct tls_identity *id)
{
	if (!id)
		return;
	mbedtls_x509_crt_free(&id->chain);
	mbedtls_pk_free(&id->key);
	free(id);
}

int tls_identity_load(struct tls_identity **out, const char *cert_file, const char *key_file,
		      long long deadline)
{
	struct tls_identity *id = calloc(1, sizeof(*id));
	const char *kfile = key_file ? key_file : cert_file;
	unsigned char *buf = NULL;
	size_t len;
	int r;

	*out = NULL;
	if (!id)
		return err_set(ERR_NOMEM, "client certificate");
	mbedtls_x509_crt_init(&id->chain);
	mbedtls_pk_init(&id->key);
	if ((r = file_read(cert_file, IDENTITY_FILE_MAX, ERR_LOCAL_CERT, deadline, &buf, &len)) != ERR_OK)
		goto fail;
	/* A PEM bundle: entries mbedtls cannot read are skipped, as long as
	 * the first one, the leaf, is read. */
	r = mbedtls_x509_crt_parse(&id->chain, buf, len + 1);
	free(buf);
	buf = NULL;
	if (r < 0 || !id->chain.raw.len) {
		r = err_set(ERR_LOCAL_CERT, "%s: no PEM certificate in it", cert_file);
		goto fail;
	}
	if ((r = file_read(kfile, IDENTITY_FILE_MAX, ERR_LOCAL_CERT, deadline, &buf, &len)) != ERR_OK)
		goto fail;
	if (strstr((char *)buf, "ENCRYPTED")) {
		r = err_set(ERR_LOCAL_CERT, "%s: the key is encrypted, and there is no passphrase "
			    "prompt (openssl pkey -in KEY -out PLAIN.key decrypts it)", kfile);
		goto fail;
	}
	r = mbedtls_pk_parse_key(&id->key, buf, len + 1, NULL, 0, mbedtls_psa_get_random,
				 MBEDTLS_PSA_RANDOM_STATE);
	if (r != 0) {
		r = err_set(ERR_LOCAL_CERT, "%s: no private key hello can use in it (PEM: RSA or EC, "
			    "PKCS#1, SEC1 or PKCS#8)", kfile);
		goto fail;
	}
	if (mbedtls_pk_check_pair(&id->chain.pk, &id->key, mbedtls_psa_get_random,
				  MBEDTLS_PSA_RANDOM_STATE) != 0) {
		r = err_set(ERR_LOCAL_CERT, "the key in %s does not belong to the certificate in %s", kfile,
			    cert_file);
		goto fail;
	}
	mbedtls_platform_zeroize(buf, len);
	free(buf);
	*out = id;
	return ERR_OK;
fail:
	if (buf) {
		mbedtls_platform_zeroize(buf, len);
		free(buf);
	}
	tls_identity_free(id);
	return r;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls *t = ctx;
	int r = net_write(t->fd, buf, len, t->deadline);

	if (r != ERR_OK) {
		t->io_err = r;
		return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
	}
	return (int)len;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct tls *t = ctx;
	size_t got = 0;
	int r = net_read(t->fd, buf, len, &got, t->deadline);

	if (r != ERR_OK) {
		t->io_err = r;
		return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
	}
	return (int)got;
}

static int ascii_ieq(const char *a, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ascii_lower((unsigned char)a[i]) != ascii_lower(b[i]))
			return 0;
	}
	return 1;
}

/* Does the presented identifier id (a dNSName, or the CN of a certificate
 * without subjectAltName) name the DNS name t->name? RFC 9525 6.3, stricter
 * than mbedtls's own match: only printable ASCII, no empty label (nor a
 * trailing dot: t->name has none); a wildcard is a whole leftmost "*"
 * label, covers exactly one label, and needs at least two labels after it
 * ("*.test" covers nothing). */
static int dns_id_matches(const struct tls *t, const unsigned char *id, size_t len)
{
	const char *name = t->name, *rest;
	size_t i;

	if (len == 0 || id[0] == '.' || id[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (id[i] <= ' ' || id[i] >= 0x7f || (id[i] == '.' && i + 1 < len && id[i + 1] == '.'))
			return 0;
	if (len > 2 && id[0] == '*' && id[1] == '.') {
		if (memchr(id + 1, '*', len - 1) || !memchr(id + 2, '.', len - 2))
			return 0;
		rest = strchr(name, '.');
		return rest && rest != name && strlen(rest) == len - 1 && ascii_ieq(rest, id + 1, len - 1);
	}
	if (memchr(id, '*', len))
		return 0;	/* partial ("f*.example") or inner wildcards */
	return strlen(name) == len && ascii_ieq(name, id, len);
}

/* Is crt the certificate of the host the URL names? Done after, and on top
 * of, mbedtls's check (docs/TLS-MATRIX.md): an address matches only an
 * iPAddress SAN; a DNS name only a dNSName SAN, or the subject CN when
 * there is no subjectAltName at all. URI and other SANs never count. */
static int host_matches(const struct tls *t, const mbedtls_x509_crt *crt)
{
	int has_san = mbedtls_x509_crt_has_ext_type(crt, MBEDTLS_X509_EXT_SUBJECT_ALT_NAME);

	for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; has_san && s && s->buf.p;
	     s = s->next) {
		int tag = s->buf.tag;

		if ((tag & MBEDTLS_ASN1_TAG_CLASS_MASK) != MBEDTLS_ASN1_CONTEXT_SPECIFIC ||
		    (tag & MBEDTLS_ASN1_CONSTRUCTED))
			continue;
		tag &= MBEDTLS_ASN1_TAG_VALUE_MASK;
		if (t->ip_len && tag == MBEDTLS_X509_SAN_IP_ADDRESS && s->buf.len == t->ip_len &&
		    memcmp(s->buf.p, t->ip, t->ip_len) == 0)
			return 1;
		if (!t->ip_len && tag == MBEDTLS_X509_SAN_DNS_NAME && dns_id_matches(t, s->buf.p, s->buf.len))
			return 1;
	}
	if (has_san || t->ip_len)
		return 0;
	for (const mbedtls_x509_name *n = &crt->subject; n; n = n->next)
		if (n->oid.p && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 &&
		    dns_id_matches(t, n->val.p, n->val.len))
			return 1;
	return 0;
}

/* Writes " (certificate is for DNS:a, IP:b, ...)", the host identities of
 * crt, for a name mismatch; control bytes are printed as '?' by main.c. */
static void describe_names(const mbedtls_x509_crt *crt, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, " (certificate is for");
	int any = 0;

	for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s && s->buf.p && n < cap; s = s->next) {
		int tag = s->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK;
		char ip[INET6_ADDRSTRLEN] = "?";

		if ((s->buf.tag & MBEDTLS_ASN1_TAG_CLASS_MASK) != MBEDTLS_ASN1_CONTEXT_SPECIFIC)
			continue;
		if (tag == MBEDTLS_X509_SAN_DNS_NAME)
			n += (size_t)snprintf(buf + n, cap - n, "%s DNS:%.*s", any++ ? "," : "",
					      (int)(s->buf.len > 64 ? 64 : s->buf.len), s->buf.p);
		else if (tag == MBEDTLS_X509_SAN_IP_ADDRESS && (s->buf.len == 4 || s->buf.len == 16)) {
			inet_ntop(s->buf.len == 4 ? AF_INET : AF_INET6, s->buf.p, ip, sizeof(ip));
			n += (size_t)snprintf(buf + n, cap - n, "%s IP:%s", any++ ? "," : "", ip);
		}
	}
	if (!any && n < cap) {
		char dn[160];

		if (mbedtls_x509_dn_gets(dn, sizeof(dn), &crt->subject) < 0)
			snprintf(dn, sizeof(dn), "longer than %zu characters", sizeof(dn) - 1);
		n = (size_t)snprintf(buf, cap, " (no DNS or IP subjectAltName in the certificate; "
				     "subject %s", dn);
	}
	if (n + 2 < cap)
		snprintf(buf + n, cap - n, ")");
	else if (cap > 5)
		snprintf(buf + cap - 5, 5, "...)");
}

/* Checks the host name on the peer certificate, and notes the subject of
 * the peer certificate and of the first certificate in the chain that
 * failed, with the date that matters for the failure. */
static int on_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct tls *t = ctx;
	char dn[200];

	if (mbedtls_x509_dn_gets(dn, sizeof(dn), &crt->subject) < 0)
		snprintf(dn, sizeof(dn), "subject longer than %zu characters", sizeof(dn) - 1);
	if (depth == 0) {
		snprintf(t->subject, sizeof(t->subject), "%s", dn);
		if (!host_matches(t, crt))
			*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	}
	if (*flags && !t->problem[0]) {
		const mbedtls_x509_time *when = NULL;
		const char *label = "";

		if (*flags & MBEDTLS_X509_BADCERT_EXPIRED) {
			when = &crt->valid_to;
			label = "notAfter";
		} else if (*flags & MBEDTLS_X509_BADCERT_FUTURE) {
			when = &crt->valid_from;
			label = "notBefore";
		}
		if (when)
			snprintf(t->problem, sizeof(t->problem), " (%s %04d-%02d-%02d, %s)", label,
				 when->year, when->mon, when->day, dn);
		else if (*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
			char issuer[200];

			if (mbedtls_x509_dn_gets(issuer, sizeof(issuer), &crt->issuer) < 0)
				snprintf(issuer, sizeof(issuer), "a name longer than %zu characters",
					 sizeof(issuer) - 1);
			snprintf(t->problem, sizeof(t->problem), " (issuer '%.100s' of '%.100s' is not trusted)",
				 issuer, dn);
		} else if (depth == 0 && (*flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)) {
			describe_names(crt, t->problem, sizeof(t->problem));
		} else
			snprintf(t->problem, sizeof(t->problem), " (%s)", dn);
	}
	return 0;
}

/* The words for mbedtls's verification flags, most telling first. */
static int verify_failure(struct tls *t, const char *host)
{
	static const struct {
		uint32_t flag;
		const char *words;
	} reasons[] = {
		{MBEDTLS_X509_BADCERT_EXPIRED, "certificate expired"},
		{MBEDTLS_X509_BADCERT_FUTURE, "certificate not yet valid"},
		{MBEDTLS_X509_BADCERT_NOT_TRUSTED, "unknown CA"},
		{MBEDTLS_X509_BADCERT_CN_MISMATCH, "hostname mismatch"},
		{MBEDTLS_X509_BADCERT_BAD_MD, "signed with a weak hash"},
		{MBEDTLS_X509_BADCERT_BAD_KEY, "key too small"},
		{MBEDTLS_X509_BADCERT_BAD_PK, "key type not allowed"},
		{MBEDTLS_X509_BADCERT_KEY_USAGE,
		 "certificate not valid for TLS server authentication (keyUsage)"},
		{MBEDTLS_X509_BADCERT_EXT_KEY_USAGE,
		 "certificate not valid for TLS server authentication (extendedKeyUsage)"},
		{MBEDTLS_X509_BADCERT_MISSING, "no certificate"},
		{MBEDTLS_X509_BADCRL_EXPIRED, "certificate rejected"},
		{MBEDTLS_X509_BADCERT_OTHER, "certificate rejected"},
	};
	uint32_t flags = mbedtls_ssl_get_verify_result(&t->ssl);
	char why[256] = "";
	size_t n = 0;

	/* mbedtls skips a certificate whose signature algorithm it does not
	 * know; when that leaves nothing to verify, no flag is meaningful. */
	if (flags == 0xFFFFFFFFu || !t->subject[0])
		return err_set(ERR_PEER_VERIFY, "the server's certificate is signed with an algorithm "
			       "hello does not accept (such as SHA-1)");

	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
		if (!(flags & reasons[i].flag) || strstr(why, reasons[i].words))
			continue;
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s", n ? ", " : "", reasons[i].words);
		if (reasons[i].flag == MBEDTLS_X509_BADCERT_CN_MISMATCH && n < sizeof(why))
			n += (size_t)snprintf(why + n, sizeof(why) - n, " for '%s'", host);
		if (n >= sizeof(why))
			break;
	}
	if (!why[0])
		snprintf(why, sizeof(why), "certificate rejected");
	/* Key usage is checked after the chain, so no certificate was named. */
	if (!t->problem[0])
		snprintf(t->problem, sizeof(t->problem), " (%.200s)", t->subject);
	return err_set(ERR_PEER_VERIFY, "%s%s", why, t->problem);
}

/* Maps an mbedtls error to one of ours: during the handshake with host, or
 * (host NULL) while reading the response. */
static int tls_failure(struct tls *t, int r, const char *host)
{
	const char *during = host ? "handshake" : "receive";
	int fail = host ? ERR_TLS : ERR_RECV;

	if (t->io_err)
		return t->io_err;
	/* The server asked for a client certificate and then gave up: it
	 * wanted one, or not the one it got (in TLS 1.3 it says so after the
	 * handshake, in answer to the request). */
	if (t->asked_for_cert && r == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
		return err_set(fail, "the server asks for a client certificate and %s",
			       t->has_identity ? "refused the one given (--cert): is it one it trusts?"
					       : "none was given (--cert and --key)");
	/* A certificate mbedtls could not parse is a verdict on the peer
	 * (60), not a protocol failure (35). */
	if (r != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && r != MBEDTLS_ERR_X509_ALLOC_FAILED &&
	    CA_ERR_IS_X509(r)) {
		if (CA_ERR_HIGH(r) == MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG)
			return err_set(ERR_PEER_VERIFY, "the server's certificate is signed with an "
				       "algorithm hello does not accept (such as SHA-1)");
		return err_set(ERR_PEER_VERIFY, "the server's certificate is malformed or uses a "
			       "feature hello does not support");
	}
	if (r == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG || r == MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE)
		return err_set(ERR_PEER_VERIFY, "the server's certificate has a key type hello does not support");
	/* A certificate refused after its chain was checked (key usage,
	 * extended key usage, the curve of its key) is a verdict too. */
	if (r == MBEDTLS_ERR_SSL_BAD_CERTIFICATE && host && mbedtls_ssl_get_verify_result(&t->ssl) &&
	    mbedtls_ssl_get_verify_result(&t->ssl) != 0xFFFFFFFFu)
		return verify_failure(t, host);
	switch (r) {
	case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
		return verify_failure(t, host);
	case MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION:
		return err_set(ERR_TLS, "%s: the server offers neither TLS 1.2 nor TLS 1.3", during);
	case MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE:
		return err_set(ERR_TLS, "%s: no cipher suite or key exchange in common "
			       "(hello takes TLS 1.3, or TLS 1.2 with ECDHE and AES-GCM or ChaCha20)", during);
	case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
		return err_set(ERR_TLS, "%s: the server refused it with a fatal alert "
			       "(no protocol version or cipher suite in common?)", during);
	case MBEDTLS_ERR_SSL_BAD_INPUT_DATA:
		/* mbedtls holds a whole handshake message in its 16 KiB record
		 * buffer (the TLS maximum); a longer one cannot be read. */
		return err_set(ERR_TLS, "%s: a message from the server exceeds 16 KiB "
			       "(a certificate chain that large is not supported)", during);
	case MBEDTLS_ERR_SSL_CONN_EOF:
		return err_set(fail, "%s: connection closed by server",
			       during);
	case MBEDTLS_ERR_SSL_ALLOC_FAILED:
	case MBEDTLS_ERR_X509_ALLOC_FAILED:
		return err_set(ERR_NOMEM, "%s", during);
	case MBEDTLS_ERR_SSL_INVALID_MAC:
		return err_set(fail, "%s: record failed authentication",
			       during);
	case MBEDTLS_ERR_SSL_DECODE_ERROR:
	case MBEDTLS_ERR_SSL_INVALID_RECORD:
	case MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE:
	case MBEDTLS_ERR_SSL_UNEXPECTED_RECORD:
	case MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER:
	case MBEDTLS_ERR_SSL_BAD_CERTIFICATE:
		return err_set(fail, "%s: malformed message from server",
			       during);
	default:
		return err_set(fail, "%s: protocol error", during);
	}
}

int tls_open(struct tls **out, int fd, const char *host, struct ca_store *ca,
	     const struct tls_identity *id, long long deadline)
{
	/* ECDHE and AEAD only; TLS 1.3 suites first. */
	static const int suites[] = {
		MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
		MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
		MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
		MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		0,
	};
	/* x25519 first: the one key share a TLS 1.3 hello carries, and with
	 * HACL* (mbedtls's 3rdparty/everest) the cheapest group to compute. */
	static const uint16_t groups[] = {
		MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
		MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
		MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1,
		MBEDTLS_SSL_IANA_TLS_GROUP_NONE,
	};
	struct tls *t = calloc(1, sizeof(*t));
	int r;

	*out = NULL;
	if (!t)
		return err_set(ERR_NOMEM, "TLS context");
	t->fd = fd;
	t->deadline = deadline;
	mbedtls_ssl_init(&t->ssl);
	mbedtls_ssl_config_init(&t->conf);

	r = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
					MBEDTLS_SSL_PRESET_DEFAULT);
	if (r) {
		tls_close(t);
		return err_set(ERR_TLS, "configuration failed");
	}
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_ciphersuites(&t->conf, suites);
	mbedtls_ssl_conf_groups(&t->conf, groups);
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_psa_get_random, MBEDTLS_PSA_RANDOM_STATE);
	mbedtls_ssl_conf_ca_cb(&t->conf, ca_lookup, ca);
	mbedtls_ssl_conf_verify(&t->conf, on_verify, t);
	if (id) {
		/* mbedtls keeps the pointers, but does not write through them. */
		r = mbedtls_ssl_conf_own_cert(&t->conf, (mbedtls_x509_crt *)&id->chain,
					      (mbedtls_pk_context *)&id->key);
		if (r != 0) {
			tls_close(t);
			return err_set(ERR_LOCAL_CERT, "the client certificate cannot be used");
		}
		t->has_identity = 1;
	}

	/* The name the certificate must carry: an address, or the DNS name
	 * without its trailing dot ("localhost." is "localhost"), which is also
	 * the SNI. An address is never sent as SNI (RFC 6066 3): NULL tells
	 * mbedtls to send none and to leave the name to on_verify(). */
	if (inet_pton(AF_INET, host, t->ip) == 1)
		t->ip_len = 4;
	else if (inet_pton(AF_INET6, host, t->ip) == 1)
		t->ip_len = 16;
	snprintf(t->name, sizeof(t->name), "%s", host);
	if (!t->ip_len && t->name[0] && t->name[strlen(t->name) - 1] == '.')
		t->name[strlen(t->name) - 1] = '\0';
	if ((r = mbedtls_ssl_setup(&t->ssl, &t->conf)) != 0 ||
	    (r = mbedtls_ssl_set_hostname(&t->ssl, t->ip_len ? NULL : t->name)) != 0) {
		tls_close(t);
		return r == MBEDTLS_ERR_SSL_ALLOC_FAILED ? err_set(ERR_NOMEM, "TLS setup")
							 : err_set(ERR_TLS, "TLS setup failed for '%s'", host);
	}
	mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);

	/* Step by step, to see whether the server asks for a certificate:
	 * mbedtls forgets it when the handshake ends, and in TLS 1.3 a server
	 * refuses a client certificate only after that. */
	while (!mbedtls_ssl_is_handshake_over(&t->ssl)) {
		r = mbedtls_ssl_handshake_step(&t->ssl);
		t->asked_for_cert |= mbedtls_ssl_peer_asked_for_certificate(&t->ssl);
		if (r != 0 && r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE) {
			r = tls_failure(t, r, host);
			tls_close(t);
			return r;
		}
	}
	*out = t;
	return ERR_OK;
}

int tls_read(struct tls *t, void *buf, size_t cap, size_t *got, long long deadline)
{
	int r;

	t->deadline = deadline;
	*got = 0;
	for (;;) {
		r = mbedtls_ssl_read(&t->ssl, buf, cap);
		if (r > 0) {
			*got = (size_t)r;
			return ERR_OK;
		}
		/* A close without close_notify ends the stream as well: HTTP
		 * framing, not TLS, tells whether the body is complete. */
		if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_SSL_CONN_EOF)
			return ERR_OK;
		if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			continue;
		return tls_failure(t, r, NULL);
	}
}

int tls_settle(struct tls *t, long long deadline)
{
	long long until = net_now_ms() + TLS_SETTLE_MS;
	unsigned char byte;
	size_t got;
	int r;

	if (!t->asked_for_cert || mbedtls_ssl_get_version_number(&t->ssl) != MBEDTLS_SSL_VERSION_TLS1_3)
		return ERR_OK;
	r = tls_read(t, &byte, 1, &got, until < deadline ? until : deadline);
	/* Data, tickets and then silence, or an orderly close: not refused. */
	if (r == ERR_TIMEOUT || r == ERR_OK) {
		t->io_err = 0;
		return ERR_OK;
	}
	return r;
}

int tls_write(struct tls *t, const void *buf, size_t len, long long deadline)
{
	const unsigned char *p = buf;

	t->deadline = deadline;
	while (len) {
		int r = mbedtls_ssl_write(&t->ssl, p, len);

		if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (r < 0) {
			if (t->io_err)
				return t->io_err;
			return err_set(ERR_SEND, "TLS write failed");
		}
		p += r;
		len -= (size_t)r;
	}
	return ERR_OK;
}

const char *tls_version(const struct tls *t)
{
	return mbedtls_ssl_get_version(&t->ssl);
}

const char *tls_suite(const struct tls *t)
{
	return mbedtls_ssl_get_ciphersuite(&t->ssl);
}

const char *tls_peer_subject(const struct tls *t)
{
	return t->subject;
}

void tls_close(struct tls *t)
{
	if (!t)
		return;
	mbedtls_ssl_free(&t->ssl);
	mbedtls_ssl_config_free(&t->conf);
	free(t);
}
