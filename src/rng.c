/*
 * Randomness for PSA and TLS comes straight from the kernel through
 * MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG: no entropy pool or DRBG to seed, and
 * nothing to read from /dev (a scratch image has no /dev/urandom).
 */
#include <errno.h>
#include <sys/random.h>

#include <psa/crypto.h>

psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *ctx,
					     uint8_t *out, size_t len, size_t *got);

psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *ctx,
					     uint8_t *out, size_t len, size_t *got)
{
	(void)ctx;
	*got = 0;
	while (*got < len) {
		ssize_t n = getrandom(out + *got, len - *got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return PSA_ERROR_INSUFFICIENT_ENTROPY;
		}
		*got += (size_t)n;
	}
	return PSA_SUCCESS;
}
