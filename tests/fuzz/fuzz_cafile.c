/*
 * libFuzzer harness for the trust store.
 *
 * 1. ca_store_init() on a file holding the input (as --cacert would read
 *    it), then, for each root it kept, ca_lookup() of that root's issuer
 *    in the file store and in the embedded bundle; then ca_store_free().
 * 2. ca_name_key() on the input as a DER Name: the key is the same twice,
 *    fits the buffer, and ca_bundle_find() stays within the bundle.
 * Leaks show up through LeakSanitizer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psa/crypto.h>

#include "ca.h"
#include "err.h"
#include "net.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static struct ca_store bundle;

static void remove_file(void)
{
	if (path[0])
		unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	if (psa_crypto_init() != PSA_SUCCESS)
		abort();
	snprintf(path, sizeof(path), "%s/fuzz_cafile.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	atexit(remove_file);
	if (ca_store_init(&bundle, NULL, NET_NO_DEADLINE) != ERR_OK)
		abort();
	return 0;
}

static void lookup(struct ca_store *s, const mbedtls_x509_crt *child)
{
	mbedtls_x509_crt *cand = NULL;

	ca_lookup(s, child, &cand);
	for (mbedtls_x509_crt *c = cand; c; c = c->next)
		if (c->raw.len == 0 && c != cand)
			abort();
	if (cand) {
		mbedtls_x509_crt_free(cand);
		free(cand);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char key[CA_KEY_MAX], key2[CA_KEY_MAX];
	struct ca_store s;
	size_t klen, count, first;
	FILE *f;
	int r;

	/* 1. The input as a CA file. */
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	r = ca_store_init(&s, path, NET_NO_DEADLINE);
	if (r != ERR_OK && r != ERR_CAFILE)
		abort();
	if (r == ERR_OK) {
		size_t n = 0;

		if (!s.from_file || s.file_count == 0)
			abort();
		for (const mbedtls_x509_crt *c = &s.file_roots; c && c->raw.len; c = c->next, n++) {
			if (n < 2) {
				lookup(&s, c);
				lookup(&bundle, c);
			}
		}
		if (n != s.file_count)
			abort();
		ca_store_free(&s);
	}

	/* 2. The input as a Name. */
	klen = ca_name_key(data, size, key, sizeof(key));
	if (klen > sizeof(key))
		abort();
	if (klen) {
		if (ca_name_key(data, size, key2, sizeof(key2)) != klen || memcmp(key, key2, klen) != 0)
			abort();
		if (ca_key_cmp(key, klen, key2, klen) != 0)
			abort();
		first = ca_bundle_find(key, klen, &count);
		if (first > ca_bundle_count || count > ca_bundle_count - first)
			abort();
	}
	return 0;
}
