#include "ca.h"
#include "err.h"
#include "file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pem.h>

/* Compares root i's subject key with key. */
static int root_cmp(size_t i, const unsigned char *key, size_t len)
{
	const struct ca_root *r = &ca_bundle_roots[i];
	unsigned char k[CA_KEY_MAX];
	size_t klen = ca_name_key(ca_bundle_der + r->der_off + r->subject_off, r->subject_len, k,
				  sizeof(k));

	return ca_key_cmp(k, klen, key, len);
}

size_t ca_bundle_find(const unsigned char *key, size_t len, size_t *count)
{
	size_t lo = 0, hi = ca_bundle_count, end;

	/* Lower bound: the first root whose key is not below key. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (root_cmp(mid, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < ca_bundle_count && root_cmp(end, key, len) == 0; end++)
		;
	*count = end - lo;
	return lo;
}

/* Why a CA file yielded no certificate, in words. */
static const char *parse_error(int r)
{
	switch (CA_ERR_HIGH(r)) {
	case MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG:
		return "unsupported signature algorithm";
	case MBEDTLS_ERR_PK_UNKNOWN_PK_ALG:
	case MBEDTLS_ERR_X509_UNKNOWN_OID:
		return "unsupported public key algorithm";
	case MBEDTLS_ERR_X509_UNKNOWN_VERSION:
		return "unsupported certificate version";
	case MBEDTLS_ERR_X509_ALLOC_FAILED:
		return "out of memory";
	case MBEDTLS_ERR_PEM_INVALID_DATA:
	case MBEDTLS_ERR_PEM_BAD_INPUT_DATA:
		return "bad PEM encoding";
	default:
		return "no valid PEM or DER certificate in it";
	}
}

int ca_store_init(struct ca_store *s, const char *file, long long deadline)
{
	unsigned char *buf;
	size_t len;
	int r;

	memset(s, 0, sizeof(*s));
	mbedtls_x509_crt_init(&s->file_roots);
	if (!file)
		return ERR_OK;
	s->from_file = 1;
	if ((r = file_read(file, CA_FILE_MAX, ERR_CAFILE, deadline, &buf, &len)) != ERR_OK)
		return r;
	if (len == 0) {
		free(buf);
		return err_set(ERR_CAFILE, "%s: file is empty", file);
	}
	if (strstr((char *)buf, "-----BEGIN ")) {
		/* A bundle may hold entries mbedtls cannot parse (an unknown
		 * signature algorithm): those are skipped, the rest used. */
		r = mbedtls_x509_crt_parse(&s->file_roots, buf, len + 1);
	} else {
		r = mbedtls_x509_crt_parse_der(&s->file_roots, buf, len);
	}
	free(buf);
	for (mbedtls_x509_crt *c = &s->file_roots; c && c->raw.len; c = c->next)
		s->file_count++;
	if (s->file_count == 0) {
		mbedtls_x509_crt_free(&s->file_roots);
		return err_set(ERR_CAFILE, "%s: %s", file, parse_error(r));
	}
	return ERR_OK;
}

void ca_store_free(struct ca_store *s)
{
	mbedtls_x509_crt_free(&s->file_roots);
}

/* Appends a parsed copy of der to *list (allocating the head if needed).
 * Returns 0 or an mbedtls error. */
static int add_candidate(mbedtls_x509_crt **list, const unsigned char *der, size_t len, int copy)
{
	int r;

	if (!*list) {
		*list = malloc(sizeof(**list));
		if (!*list)
			return MBEDTLS_ERR_X509_ALLOC_FAILED;
		mbedtls_x509_crt_init(*list);
	}
	r = copy ? mbedtls_x509_crt_parse_der(*list, der, len)
		 : mbedtls_x509_crt_parse_der_nocopy(*list, der, len);
	return r;
}

int ca_lookup(void *ctx, mbedtls_x509_crt const *child, mbedtls_x509_crt **candidates)
{
	const struct ca_store *s = ctx;
	unsigned char key[CA_KEY_MAX], other[CA_KEY_MAX];
	size_t klen, first, count;
	int r = 0;

	*candidates = NULL;
	klen = ca_name_key(child->issuer_raw.p, child->issuer_raw.len, key, sizeof(key));
	if (klen == 0)
		return 0;	/* an issuer name no root can have */

	if (s->from_file) {
		for (const mbedtls_x509_crt *c = &s->file_roots; c && c->raw.len; c = c->next) {
			size_t olen = ca_name_key(c->subject_raw.p, c->subject_raw.len, other, sizeof(other));

			if (olen && ca_key_cmp(key, klen, other, olen) == 0 &&
			    (r = add_candidate(candidates, c->raw.p, c->raw.len, 1)) != 0)
				break;
		}
	} else {
		first = ca_bundle_find(key, klen, &count);
		for (size_t i = first; i < first + count; i++) {
			const struct ca_root *root = &ca_bundle_roots[i];

			/* The DER is static: parsed in place, not copied. */
			r = add_candidate(candidates, ca_bundle_der + root->der_off, root->der_len, 0);
			if (r)
				break;
		}
	}
	if (r) {
		mbedtls_x509_crt_free(*candidates);
		free(*candidates);
		*candidates = NULL;
	}
	return r;
}
