/* Unit tests for elliptic-curve arithmetic as the program builds it: mbedtls
 * with patches/mbedtls-0006-x25519-hacl.patch (every Curve25519
 * multiplication through HACL*) and mbedtls-0007-ecdsa-verify-public-inverse
 * (variable-time inverses for the public values of ECDSA verification).
 *
 * - X25519: RFC 7748's vectors (section 5.2, the iterated function to 1,000
 *   rounds, the section 6.1 Diffie-Hellman exchange) through
 *   mbedtls_ecp_mul() and through PSA as TLS 1.3 uses it (import, export of
 *   the public key, key agreement); agreement with each low-order point
 *   RFC 7748 lists is refused.
 * - The public inverse equals the constant-time one for random values modulo
 *   the P-256 and P-384 primes and group orders, at the edges, and when the
 *   result overwrites its input; 0 and values not reduced are refused.
 * - ECDSA verification: RFC 4754's P-256 and P-384 signatures verify, and
 *   fail with any bit of r, s, the hash or the key changed, with r or s out of
 *   [1, n-1]; signatures made by mbedtls over random hashes with random keys
 *   verify, and fail once tampered with.
 * - P-256 through ring (patch 0008, src/ecdsa_p256.c): the P-256 vectors of
 *   the fetched mbedtls source (tests/suites/test_suite_ecdsa.data) verify;
 *   a differential test against mbedtls's own arithmetic, which a verification
 *   with a restart context still takes: random keys and hashes are accepted
 *   by both, every single-bit change of r, s, the hash and Q (for one key;
 *   one random bit for the others) is refused by both with the same code;
 *   r or s = 0, n, n + r; Q at infinity, off the curve, or with a coordinate
 *   not reduced below p; and the rare case x(R) in [n, p), where x mod n = r
 *   needs x = r + n.
 * The cross build's bit sweeps take every eighth bit from a random start
 * (ECC_BIT_STRIDE below). */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <psa/crypto.h>

#include "bignum_internal.h"
#include "unit.h"

#ifndef ECDSA_VECTORS
#error "ECDSA_VECTORS must name mbedtls's tests/suites/test_suite_ecdsa.data"
#endif

/* The bit sweeps below change every bit (1), or every ECC_BIT_STRIDE-th
 * from a random start, so that each run covers another share and all runs
 * together cover every bit: the cross build's suites run under emulation,
 * about seven times slower (make ARCH=arm64 cross-unit sets 8). */
#ifndef ECC_BIT_STRIDE
#define ECC_BIT_STRIDE 1
#endif

static void hex(unsigned char *out, size_t len, const char *s)
{
	ck_assert_uint_eq(strlen(s), 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static int rng(void *ctx, unsigned char *out, size_t len)
{
	(void)ctx;
	return psa_generate_random(out, len) == PSA_SUCCESS ? 0 : -1;
}

/* Where a sweep of STRIDE bits starts: 0 for a full sweep, else random. */
static size_t sweep_start(size_t stride)
{
	unsigned char b;

	if (stride == 1) {
		return 0;
	}
	ck_assert_int_eq(rng(NULL, &b, 1), 0);
	return b % stride;
}

static void setup(void)
{
	ck_assert_int_eq(psa_crypto_init(), PSA_SUCCESS);
}

/* --- X25519 ----------------------------------------------------------------- */

/* RFC 7748 X25519(k, u) through mbedtls_ecp_mul(): the scalar decoded as
 * decodeScalar25519 does (mbedtls_ecp_mul takes only clamped scalars), the
 * u-coordinate read as mbedtls reads a peer's key. */
static void x25519(unsigned char out[32], const unsigned char k[32], const unsigned char u[32])
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point P, R;
	mbedtls_mpi m;
	unsigned char kc[32];
	size_t olen;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&P);
	mbedtls_ecp_point_init(&R);
	mbedtls_mpi_init(&m);
	memcpy(kc, k, 32);
	kc[0] &= 248;
	kc[31] &= 127;
	kc[31] |= 64;
	ck_assert_int_eq(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_CURVE25519), 0);
	ck_assert_int_eq(mbedtls_mpi_read_binary_le(&m, kc, 32), 0);
	ck_assert_int_eq(mbedtls_ecp_point_read_binary(&grp, &P, u, 32), 0);
	ck_assert_int_eq(mbedtls_ecp_mul(&grp, &R, &m, &P, rng, NULL), 0);
	ck_assert_int_eq(mbedtls_ecp_point_write_binary(&grp, &R, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, out, 32), 0);
	ck_assert_uint_eq(olen, 32);
	mbedtls_mpi_free(&m);
	mbedtls_ecp_point_free(&R);
	mbedtls_ecp_point_free(&P);
	mbedtls_ecp_group_free(&grp);
}

START_TEST(x25519_rfc7748_vectors)
{
	static const struct {
		const char *k, *u, *out;
	} v[] = {
		{"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		 "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		 "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
		/* u has its top bit set, which RFC 7748 section 5 says to ignore */
		{"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		 "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		 "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		unsigned char k[32], u[32], want[32], got[32];
		hex(k, 32, v[i].k);
		hex(u, 32, v[i].u);
		hex(want, 32, v[i].out);
		x25519(got, k, u);
		ck_assert_msg(memcmp(got, want, 32) == 0, "RFC 7748 5.2 vector %zu", i);
	}
}
END_TEST

START_TEST(x25519_rfc7748_iterated)
{
	unsigned char k[32] = {9}, u[32] = {9}, next[32], want1[32], want1000[32];
	hex(want1, 32, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	hex(want1000, 32, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
	for (int i = 1; i <= 1000; i++) {
		x25519(next, k, u);
		memcpy(u, k, 32);
		memcpy(k, next, 32);
		if (i == 1)
			ck_assert_msg(memcmp(k, want1, 32) == 0, "after 1 iteration");
	}
	ck_assert_msg(memcmp(k, want1000, 32) == 0, "after 1,000 iterations");
}
END_TEST

static psa_key_id_t x25519_import(const unsigned char priv[32])
{
	psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
	psa_key_id_t id;
	psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY));
	psa_set_key_bits(&a, 255);
	psa_set_key_usage_flags(&a, PSA_KEY_USAGE_DERIVE);
	psa_set_key_algorithm(&a, PSA_ALG_ECDH);
	ck_assert_int_eq(psa_import_key(&a, priv, 32, &id), PSA_SUCCESS);
	return id;
}

/* RFC 7748 section 6.1, both sides, as TLS 1.3 runs it through PSA. */
START_TEST(x25519_psa_rfc7748_dh)
{
	static const char *priv_hex[2] = {
		"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	};
	static const char *pub_hex[2] = {
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	};
	unsigned char priv[2][32], pub[2][32], shared[32], got[32];
	size_t len;
	hex(shared, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	for (int i = 0; i < 2; i++) {
		hex(priv[i], 32, priv_hex[i]);
		hex(pub[i], 32, pub_hex[i]);
	}
	for (int i = 0; i < 2; i++) {
		psa_key_id_t id = x25519_import(priv[i]);
		ck_assert_int_eq(psa_export_public_key(id, got, sizeof(got), &len), PSA_SUCCESS);
		ck_assert_uint_eq(len, 32);
		ck_assert_msg(memcmp(got, pub[i], 32) == 0, "public key of side %d", i);
		ck_assert_int_eq(psa_raw_key_agreement(PSA_ALG_ECDH, id, pub[1 - i], 32, got, sizeof(got), &len),
				 PSA_SUCCESS);
		ck_assert_uint_eq(len, 32);
		ck_assert_msg(memcmp(got, shared, 32) == 0, "shared secret of side %d", i);
		psa_destroy_key(id);
	}
}
END_TEST

/* A peer key of low order gives the all-zero secret (RFC 7748 section 6.1):
 * the agreement must fail rather than return it. */
START_TEST(x25519_psa_low_order_refused)
{
	static const char *low[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p - 1 */
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p */
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p + 1 */
	};
	unsigned char priv[32], peer[32], out[32];
	size_t len;
	hex(priv, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	psa_key_id_t id = x25519_import(priv);
	for (size_t i = 0; i < ARRAY_SIZE(low); i++) {
		hex(peer, 32, low[i]);
		ck_assert_msg(psa_raw_key_agreement(PSA_ALG_ECDH, id, peer, 32, out, sizeof(out), &len) != PSA_SUCCESS,
			      "low-order point %zu accepted", i);
	}
	psa_destroy_key(id);
}
END_TEST

/* --- the public inverse ----------------------------------------------------------- */

static const mbedtls_ecp_group_id curves[] = {MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1};

START_TEST(inverse_public_equals_constant_time)
{
	for (size_t c = 0; c < ARRAY_SIZE(curves); c++) {
		mbedtls_ecp_group grp;
		mbedtls_mpi A, X, Y, one;
		mbedtls_ecp_group_init(&grp);
		mbedtls_mpi_init(&A);
		mbedtls_mpi_init(&X);
		mbedtls_mpi_init(&Y);
		mbedtls_mpi_init(&one);
		ck_assert_int_eq(mbedtls_ecp_group_load(&grp, curves[c]), 0);
		ck_assert_int_eq(mbedtls_mpi_lset(&one, 1), 0);
		const mbedtls_mpi *mod[2] = {&grp.P, &grp.N};
		for (int m = 0; m < 2; m++) {
			for (int i = 0; i < 200; i++) {
				switch (i) {
				case 0: ck_assert_int_eq(mbedtls_mpi_lset(&A, 1), 0); break;
				case 1: ck_assert_int_eq(mbedtls_mpi_lset(&A, 2), 0); break;
				case 2: ck_assert_int_eq(mbedtls_mpi_sub_int(&A, mod[m], 1), 0); break;
				default: ck_assert_int_eq(mbedtls_mpi_random(&A, 1, mod[m], rng, NULL), 0);
				}
				ck_assert_int_eq(mbedtls_mpi_inv_mod(&Y, &A, mod[m]), 0);
				ck_assert_int_eq(mbedtls_mpi_inv_mod_prime_unsafe(&X, &A, mod[m]), 0);
				ck_assert_msg(mbedtls_mpi_cmp_mpi(&X, &Y) == 0, "curve %zu modulus %d value %d", c, m, i);
				/* X may alias A */
				ck_assert_int_eq(mbedtls_mpi_inv_mod_prime_unsafe(&A, &A, mod[m]), 0);
				ck_assert_int_eq(mbedtls_mpi_cmp_mpi(&A, &Y), 0);
			}
			/* no inverse, or not reduced: refused */
			ck_assert_int_eq(mbedtls_mpi_lset(&A, 0), 0);
			ck_assert_int_eq(mbedtls_mpi_inv_mod_prime_unsafe(&X, &A, mod[m]), MBEDTLS_ERR_MPI_NOT_ACCEPTABLE);
			ck_assert_int_eq(mbedtls_mpi_copy(&A, mod[m]), 0);
			ck_assert_int_eq(mbedtls_mpi_inv_mod_prime_unsafe(&X, &A, mod[m]), MBEDTLS_ERR_MPI_NOT_ACCEPTABLE);
			ck_assert_int_eq(mbedtls_mpi_add_int(&A, mod[m], 1), 0);
			ck_assert_int_eq(mbedtls_mpi_inv_mod_prime_unsafe(&X, &A, mod[m]), MBEDTLS_ERR_MPI_NOT_ACCEPTABLE);
			ck_assert_int_eq(mbedtls_mpi_lset(&A, -1), 0);
			ck_assert_int_eq(mbedtls_mpi_inv_mod_prime_unsafe(&X, &A, mod[m]), MBEDTLS_ERR_MPI_NOT_ACCEPTABLE);
		}
		mbedtls_mpi_free(&one);
		mbedtls_mpi_free(&Y);
		mbedtls_mpi_free(&X);
		mbedtls_mpi_free(&A);
		mbedtls_ecp_group_free(&grp);
	}
}
END_TEST

/* --- ECDSA verification -------------------------------------------------------------- */

/* RFC 4754 sections 8.1 and 8.2 (as in mbedtls's test_suite_ecdsa.data). */
static const struct {
	mbedtls_ecp_group_id id;
	const char *x, *y, *hash, *r, *s;
} rfc4754[] = {
	{MBEDTLS_ECP_DP_SECP256R1, "2442A5CC0ECD015FA3CA31DC8E2BBC70BF42D60CBCA20085E0822CB04235E970",
	 "6FC98BD7E50211A4A27102FA3549DF79EBCB4BF246B80945CDDFE7D509BBFD7D",
	 "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
	 "CB28E0999B9C7715FD0A80D8E47A77079716CBBF917DD72E97566EA1C066957C",
	 "86FA3BB4E26CAD5BF90B7F81899256CE7594BB1EA0C89212748BFF3B3D5B0315"},
	{MBEDTLS_ECP_DP_SECP384R1,
	 "96281BF8DD5E0525CA049C048D345D3082968D10FEDF5C5ACA0C64E6465A97EA5CE10C9DFEC21797415710721F437922",
	 "447688BA94708EB6E2E4D59F6AB6D7EDFF9301D249FE49C33096655F5D502FAD3D383B91C5E7EDAA2B714CC99D5743CA",
	 "CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7",
	 "FB017B914E29149432D8BAC29A514640B46F53DDAB2C69948084E2930F1C8F7E08E07C9C63F2D21A07DCB56A6AF56EB3",
	 "B263A1305E057F984D38726A1B46874109F417BCA112674C528262A40A629AF1CBB9F516CE0FA7D2FF630863A00E8B9F"},
};

START_TEST(ecdsa_rfc4754)
{
	for (size_t i = 0; i < ARRAY_SIZE(rfc4754); i++) {
		mbedtls_ecp_group grp;
		mbedtls_ecp_point Q;
		mbedtls_mpi r, s, t;
		unsigned char hash[48];
		size_t hlen = strlen(rfc4754[i].hash) / 2;

		mbedtls_ecp_group_init(&grp);
		mbedtls_ecp_point_init(&Q);
		mbedtls_mpi_init(&r);
		mbedtls_mpi_init(&s);
		mbedtls_mpi_init(&t);
		ck_assert_int_eq(mbedtls_ecp_group_load(&grp, rfc4754[i].id), 0);
		ck_assert_int_eq(mbedtls_ecp_point_read_string(&Q, 16, rfc4754[i].x, rfc4754[i].y), 0);
		ck_assert_int_eq(mbedtls_mpi_read_string(&r, 16, rfc4754[i].r), 0);
		ck_assert_int_eq(mbedtls_mpi_read_string(&s, 16, rfc4754[i].s), 0);
		for (size_t j = 0; j < hlen; j++) {
			unsigned v;
			ck_assert_int_eq(sscanf(rfc4754[i].hash + 2 * j, "%2x", &v), 1);
			hash[j] = (unsigned char)v;
		}
		ck_assert_msg(mbedtls_ecdsa_verify(&grp, hash, hlen, &Q, &r, &s) == 0, "RFC 4754 vector %zu", i);

		/* every bit of the hash */
		for (size_t bit = sweep_start(ECC_BIT_STRIDE); bit < 8 * hlen; bit += ECC_BIT_STRIDE) {
			hash[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			ck_assert_msg(mbedtls_ecdsa_verify(&grp, hash, hlen, &Q, &r, &s) == MBEDTLS_ERR_ECP_VERIFY_FAILED,
				      "vector %zu, hash bit %zu flipped", i, bit);
			hash[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		}
		/* a sample of the bits of r and s, and of the key's x */
		for (size_t bit = sweep_start(7 * ECC_BIT_STRIDE); bit < grp.nbits; bit += 7 * ECC_BIT_STRIDE) {
			mbedtls_mpi *v[2] = {&r, &s};
			for (int w = 0; w < 2; w++) {
				int old = mbedtls_mpi_get_bit(v[w], bit);
				ck_assert_int_eq(mbedtls_mpi_set_bit(v[w], bit, !old), 0);
				int ret = mbedtls_ecdsa_verify(&grp, hash, hlen, &Q, &r, &s);
				ck_assert_msg(ret == MBEDTLS_ERR_ECP_VERIFY_FAILED, "vector %zu, %c bit %zu: %d", i,
					      w ? 's' : 'r', bit, ret);
				ck_assert_int_eq(mbedtls_mpi_set_bit(v[w], bit, old), 0);
			}
		}
		/* another valid key: the signature is not its own */
		mbedtls_ecp_point G;
		mbedtls_ecp_point_init(&G);
		ck_assert_int_eq(mbedtls_ecp_copy(&G, &grp.G), 0);
		ck_assert_int_eq(mbedtls_ecdsa_verify(&grp, hash, hlen, &G, &r, &s), MBEDTLS_ERR_ECP_VERIFY_FAILED);
		mbedtls_ecp_point_free(&G);
		/* r and s out of [1, n-1] */
		mbedtls_mpi *v[2] = {&r, &s};
		for (int w = 0; w < 2; w++) {
			ck_assert_int_eq(mbedtls_mpi_copy(&t, v[w]), 0);
			ck_assert_int_eq(mbedtls_mpi_lset(v[w], 0), 0);
			ck_assert_int_eq(mbedtls_ecdsa_verify(&grp, hash, hlen, &Q, &r, &s), MBEDTLS_ERR_ECP_VERIFY_FAILED);
			ck_assert_int_eq(mbedtls_mpi_copy(v[w], &grp.N), 0);
			ck_assert_int_eq(mbedtls_ecdsa_verify(&grp, hash, hlen, &Q, &r, &s), MBEDTLS_ERR_ECP_VERIFY_FAILED);
			ck_assert_int_eq(mbedtls_mpi_add_mpi(v[w], &t, &grp.N), 0);
			ck_assert_int_eq(mbedtls_ecdsa_verify(&grp, hash, hlen, &Q, &r, &s), MBEDTLS_ERR_ECP_VERIFY_FAILED);
			ck_assert_int_eq(mbedtls_mpi_copy(v[w], &t), 0);
		}
		ck_assert_int_eq(mbedtls_ecdsa_verify(&grp, hash, hlen, &Q, &r, &s), 0);

		mbedtls_mpi_free(&t);
		mbedtls_mpi_free(&s);
		mbedtls_mpi_free(&r);
		mbedtls_ecp_point_free(&Q);
		mbedtls_ecp_group_free(&grp);
	}
}
END_TEST

START_TEST(ecdsa_sign_verify_random)
{
	for (size_t c = 0; c < ARRAY_SIZE(curves); c++) {
		for (int i = 0; i < 10; i++) {
			mbedtls_ecdsa_context key;
			mbedtls_mpi r, s;
			unsigned char hash[48];
			size_t hlen = curves[c] == MBEDTLS_ECP_DP_SECP256R1 ? 32 : 48;

			mbedtls_ecdsa_init(&key);
			mbedtls_mpi_init(&r);
			mbedtls_mpi_init(&s);
			ck_assert_int_eq(mbedtls_ecdsa_genkey(&key, curves[c], rng, NULL), 0);
			ck_assert_int_eq(rng(NULL, hash, hlen), 0);
			ck_assert_int_eq(mbedtls_ecdsa_sign(&key.grp, &r, &s, &key.d, hash, hlen, rng, NULL), 0);
			ck_assert_msg(mbedtls_ecdsa_verify(&key.grp, hash, hlen, &key.Q, &r, &s) == 0, "curve %zu key %d",
				      c, i);
			hash[i % hlen] ^= 0x80;
			ck_assert_int_eq(mbedtls_ecdsa_verify(&key.grp, hash, hlen, &key.Q, &r, &s),
					 MBEDTLS_ERR_ECP_VERIFY_FAILED);
			hash[i % hlen] ^= 0x80;
			ck_assert_int_eq(mbedtls_mpi_add_int(&s, &s, 1), 0);
			ck_assert_int_eq(mbedtls_ecdsa_verify(&key.grp, hash, hlen, &key.Q, &r, &s),
					 MBEDTLS_ERR_ECP_VERIFY_FAILED);
			mbedtls_mpi_free(&s);
			mbedtls_mpi_free(&r);
			mbedtls_ecdsa_free(&key);
		}
	}
}
END_TEST

/* --- P-256 through ring ------------------------------------------------------ */

/* Without MBEDTLS_ECP_RESTARTABLE a restart context changes nothing in
 * mbedtls_ecdsa_verify_restartable() but the hook's condition: with one,
 * verification takes mbedtls's own arithmetic. */
static int generic_ctx;

static int verify_ring(mbedtls_ecp_group *grp, const unsigned char *h, size_t hlen,
		       const mbedtls_ecp_point *Q, const mbedtls_mpi *r, const mbedtls_mpi *s)
{
	return mbedtls_ecdsa_verify_restartable(grp, h, hlen, Q, r, s, NULL);
}

static int verify_generic(mbedtls_ecp_group *grp, const unsigned char *h, size_t hlen,
			  const mbedtls_ecp_point *Q, const mbedtls_mpi *r, const mbedtls_mpi *s)
{
	return mbedtls_ecdsa_verify_restartable(grp, h, hlen, Q, r, s, &generic_ctx);
}

/* Both paths give WANT (0: valid); LABEL names the case. */
static void both(mbedtls_ecp_group *grp, const unsigned char *h, size_t hlen, const mbedtls_ecp_point *Q,
		 const mbedtls_mpi *r, const mbedtls_mpi *s, int want, const char *label)
{
	int a = verify_ring(grp, h, hlen, Q, r, s);
	int b = verify_generic(grp, h, hlen, Q, r, s);

	ck_assert_msg(b == want || (want != 0 && b != 0), "%s: mbedtls gives %d, want %d", label, b, want);
	ck_assert_msg(a == b, "%s: ring gives %d, mbedtls %d", label, a, b);
}

/* The field between the quotes number IDX (0 first) of LINE, into OUT. */
static int quoted(const char *line, int idx, char *out, size_t cap)
{
	const char *p = line;
	for (int i = 0; i <= idx; i++) {
		p = strchr(p, '"');
		if (p == NULL) {
			return -1;
		}
		const char *e = strchr(p + 1, '"');
		if (e == NULL) {
			return -1;
		}
		if (i == idx) {
			if ((size_t)(e - p) > cap) {
				return -1;
			}
			memcpy(out, p + 1, (size_t)(e - p - 1));
			out[e - p - 1] = '\0';
		}
		p = e + 1;
	}
	return 0;
}

/* mbedtls's P-256 vectors: ecdsa_prim_test_vectors (d, Q, k, hash, r, s) and
 * ecdsa_det_test_vectors (d, hash, r, s: RFC 6979 A.2.5, Q = d G). */
START_TEST(p256_mbedtls_vectors)
{
	FILE *f = fopen(ECDSA_VECTORS, "r");
	char line[2048], d[80], hx[160], rx[80], sx[80], qx[80], qy[80];
	int n = 0;

	ck_assert_msg(f != NULL, "cannot open %s", ECDSA_VECTORS);
	while (fgets(line, sizeof(line), f) != NULL) {
		static const char prim_tag[] = "ecdsa_prim_test_vectors:MBEDTLS_ECP_DP_SECP256R1:";
		static const char det_tag[] = "ecdsa_det_test_vectors:MBEDTLS_ECP_DP_SECP256R1:";
		int prim = strncmp(line, prim_tag, sizeof(prim_tag) - 1) == 0;
		int det = strncmp(line, det_tag, sizeof(det_tag) - 1) == 0;
		if (!prim && !det) {
			continue;
		}
		mbedtls_ecp_group grp;
		mbedtls_ecp_point Q;
		mbedtls_mpi r, s, m;
		unsigned char hash[64];
		char label[64];
		size_t hlen;

		mbedtls_ecp_group_init(&grp);
		mbedtls_ecp_point_init(&Q);
		mbedtls_mpi_init(&r);
		mbedtls_mpi_init(&s);
		mbedtls_mpi_init(&m);
		ck_assert_int_eq(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1), 0);
		ck_assert_int_eq(quoted(line, 0, d, sizeof(d)), 0);
		if (prim) {
			ck_assert_int_eq(quoted(line, 1, qx, sizeof(qx)), 0);
			ck_assert_int_eq(quoted(line, 2, qy, sizeof(qy)), 0);
			ck_assert_int_eq(quoted(line, 4, hx, sizeof(hx)), 0);
			ck_assert_int_eq(quoted(line, 5, rx, sizeof(rx)), 0);
			ck_assert_int_eq(quoted(line, 6, sx, sizeof(sx)), 0);
			ck_assert_int_eq(mbedtls_ecp_point_read_string(&Q, 16, qx, qy), 0);
		} else {
			ck_assert_int_eq(quoted(line, 1, hx, sizeof(hx)), 0);
			ck_assert_int_eq(quoted(line, 2, rx, sizeof(rx)), 0);
			ck_assert_int_eq(quoted(line, 3, sx, sizeof(sx)), 0);
			ck_assert_int_eq(mbedtls_mpi_read_string(&m, 16, d), 0);
			ck_assert_int_eq(mbedtls_ecp_mul(&grp, &Q, &m, &grp.G, rng, NULL), 0);
		}
		hlen = strlen(hx) / 2;
		hex(hash, hlen, hx);
		ck_assert_int_eq(mbedtls_mpi_read_string(&r, 16, rx), 0);
		ck_assert_int_eq(mbedtls_mpi_read_string(&s, 16, sx), 0);
		snprintf(label, sizeof(label), "vector %d (%s, %zu-byte hash)", n, prim ? "prim" : "det", hlen);
		ck_assert_msg(verify_ring(&grp, hash, hlen, &Q, &r, &s) == 0, "%s", label);
		both(&grp, hash, hlen, &Q, &r, &s, 0, label);
		/* a hash longer than n counts by its first 256 bits only */
		hash[0] ^= 1;
		both(&grp, hash, hlen, &Q, &r, &s, MBEDTLS_ERR_ECP_VERIFY_FAILED, label);
		hash[0] ^= 1;
		if (hlen > 32) {
			hash[hlen - 1] ^= 1;
			both(&grp, hash, hlen, &Q, &r, &s, 0, label);
		}
		n++;
		mbedtls_mpi_free(&m);
		mbedtls_mpi_free(&s);
		mbedtls_mpi_free(&r);
		mbedtls_ecp_point_free(&Q);
		mbedtls_ecp_group_free(&grp);
	}
	fclose(f);
	/* 1 prim and 10 det vectors in mbedtls 3.6.6 */
	ck_assert_int_ge(n, 11);
}
END_TEST

/* Flips bit BIT of X and checks both paths refuse alike. */
static void flip(mbedtls_mpi *X, size_t bit, mbedtls_ecp_group *grp, const unsigned char *h, size_t hlen,
		 const mbedtls_ecp_point *Q, const mbedtls_mpi *r, const mbedtls_mpi *s, const char *what)
{
	char label[64];
	int old = mbedtls_mpi_get_bit(X, bit);

	snprintf(label, sizeof(label), "%s bit %zu", what, bit);
	ck_assert_int_eq(mbedtls_mpi_set_bit(X, bit, !old), 0);
	both(grp, h, hlen, Q, r, s, MBEDTLS_ERR_ECP_VERIFY_FAILED, label);
	ck_assert_int_eq(mbedtls_mpi_set_bit(X, bit, old), 0);
}

/* A new P-256 key in KEY, a random 32-byte HASH and its signature (R, S). */
static void signed_hash(mbedtls_ecdsa_context *key, mbedtls_mpi *r, mbedtls_mpi *s, unsigned char hash[32])
{
	ck_assert_int_eq(mbedtls_ecdsa_genkey(key, MBEDTLS_ECP_DP_SECP256R1, rng, NULL), 0);
	ck_assert_int_eq(rng(NULL, hash, 32), 0);
	ck_assert_int_eq(mbedtls_ecdsa_sign(&key->grp, r, s, &key->d, hash, 32, rng, NULL), 0);
}

START_TEST(p256_differential)
{
	for (int i = 0; i < 8; i++) {
		mbedtls_ecdsa_context key;
		mbedtls_mpi r, s;
		unsigned char hash[32];
		int all = i == 0;

		mbedtls_ecdsa_init(&key);
		mbedtls_mpi_init(&r);
		mbedtls_mpi_init(&s);
		signed_hash(&key, &r, &s, hash);
		both(&key.grp, hash, sizeof(hash), &key.Q, &r, &s, 0, "random key");

		unsigned char pick[5];
		ck_assert_int_eq(rng(NULL, pick, sizeof(pick)), 0);
		size_t stride = all ? ECC_BIT_STRIDE : 256;
		for (size_t bit = all ? sweep_start(stride) : pick[0]; bit < 256; bit += stride) {
			flip(&r, bit, &key.grp, hash, sizeof(hash), &key.Q, &r, &s, "r");
			flip(&s, bit, &key.grp, hash, sizeof(hash), &key.Q, &r, &s, "s");
			flip(&key.Q.X, bit, &key.grp, hash, sizeof(hash), &key.Q, &r, &s, "Q.x");
			flip(&key.Q.Y, bit, &key.grp, hash, sizeof(hash), &key.Q, &r, &s, "Q.y");
			hash[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			both(&key.grp, hash, sizeof(hash), &key.Q, &r, &s, MBEDTLS_ERR_ECP_VERIFY_FAILED, "hash bit");
			hash[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		}
		both(&key.grp, hash, sizeof(hash), &key.Q, &r, &s, 0, "random key, restored");
		mbedtls_mpi_free(&s);
		mbedtls_mpi_free(&r);
		mbedtls_ecdsa_free(&key);
	}
}
END_TEST

START_TEST(p256_edges)
{
	mbedtls_ecdsa_context key;
	mbedtls_ecp_point Q;
	mbedtls_mpi r, s, t;
	unsigned char hash[32];

	mbedtls_ecdsa_init(&key);
	mbedtls_ecp_point_init(&Q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	mbedtls_mpi_init(&t);
	signed_hash(&key, &r, &s, hash);
	mbedtls_ecp_group *grp = &key.grp;

	/* r and s: 0, n, n + itself, n - 1 */
	mbedtls_mpi *v[2] = {&r, &s};
	for (int w = 0; w < 2; w++) {
		ck_assert_int_eq(mbedtls_mpi_copy(&t, v[w]), 0);
		ck_assert_int_eq(mbedtls_mpi_lset(v[w], 0), 0);
		both(grp, hash, 32, &key.Q, &r, &s, MBEDTLS_ERR_ECP_VERIFY_FAILED, w ? "s = 0" : "r = 0");
		ck_assert_int_eq(mbedtls_mpi_copy(v[w], &grp->N), 0);
		both(grp, hash, 32, &key.Q, &r, &s, MBEDTLS_ERR_ECP_VERIFY_FAILED, w ? "s = n" : "r = n");
		ck_assert_int_eq(mbedtls_mpi_add_mpi(v[w], &t, &grp->N), 0);
		both(grp, hash, 32, &key.Q, &r, &s, MBEDTLS_ERR_ECP_VERIFY_FAILED, w ? "s + n" : "r + n");
		ck_assert_int_eq(mbedtls_mpi_sub_int(v[w], &grp->N, 1), 0);
		both(grp, hash, 32, &key.Q, &r, &s, MBEDTLS_ERR_ECP_VERIFY_FAILED, w ? "s = n - 1" : "r = n - 1");
		ck_assert_int_eq(mbedtls_mpi_copy(v[w], &t), 0);
	}
	both(grp, hash, 32, &key.Q, &r, &s, 0, "restored");

	/* Q: infinity, off the curve, a coordinate + p (same residue, not reduced) */
	ck_assert_int_eq(mbedtls_ecp_set_zero(&Q), 0);
	both(grp, hash, 32, &Q, &r, &s, MBEDTLS_ERR_ECP_INVALID_KEY, "Q at infinity");
	ck_assert_int_eq(verify_ring(grp, hash, 32, &Q, &r, &s), MBEDTLS_ERR_ECP_INVALID_KEY);
	ck_assert_int_eq(mbedtls_ecp_copy(&Q, &key.Q), 0);
	ck_assert_int_eq(mbedtls_mpi_add_int(&Q.Y, &Q.Y, 1), 0);
	both(grp, hash, 32, &Q, &r, &s, MBEDTLS_ERR_ECP_INVALID_KEY, "Q off the curve");
	ck_assert_int_eq(verify_ring(grp, hash, 32, &Q, &r, &s), MBEDTLS_ERR_ECP_INVALID_KEY);
	for (int c = 0; c < 2; c++) {
		ck_assert_int_eq(mbedtls_ecp_copy(&Q, &key.Q), 0);
		mbedtls_mpi *coord = c ? &Q.Y : &Q.X;
		ck_assert_int_eq(mbedtls_mpi_add_mpi(coord, coord, &grp->P), 0);
		both(grp, hash, 32, &Q, &r, &s, MBEDTLS_ERR_ECP_INVALID_KEY, c ? "Q.y + p" : "Q.x + p");
		ck_assert_int_eq(verify_ring(grp, hash, 32, &Q, &r, &s), MBEDTLS_ERR_ECP_INVALID_KEY);
	}

	/* x(R) in [n, p): a point R with such an x, as the key, signed by
	 * r = s = x - n over a zero hash: u1 = 0, u2 = 1, R = Q, and x mod n = r.
	 * r = x must fail (it is not below n), and so must r = x - n - 1. */
	mbedtls_mpi rhs, e;
	mbedtls_mpi_init(&rhs);
	mbedtls_mpi_init(&e);
	ck_assert_int_eq(mbedtls_mpi_copy(&Q.X, &grp->N), 0);
	for (int tries = 0;; tries++) {
		ck_assert_int_lt(tries, 200);
		/* rhs = x^3 - 3x + b mod p */
		ck_assert_int_eq(mbedtls_mpi_mul_mpi(&rhs, &Q.X, &Q.X), 0);
		ck_assert_int_eq(mbedtls_mpi_sub_int(&rhs, &rhs, 3), 0);
		ck_assert_int_eq(mbedtls_mpi_mul_mpi(&rhs, &rhs, &Q.X), 0);
		ck_assert_int_eq(mbedtls_mpi_add_mpi(&rhs, &rhs, &grp->B), 0);
		ck_assert_int_eq(mbedtls_mpi_mod_mpi(&rhs, &rhs, &grp->P), 0);
		/* p = 3 mod 4: y = rhs^((p+1)/4), a root when y^2 = rhs */
		ck_assert_int_eq(mbedtls_mpi_add_int(&e, &grp->P, 1), 0);
		ck_assert_int_eq(mbedtls_mpi_shift_r(&e, 2), 0);
		ck_assert_int_eq(mbedtls_mpi_exp_mod(&Q.Y, &rhs, &e, &grp->P, NULL), 0);
		ck_assert_int_eq(mbedtls_mpi_mul_mpi(&t, &Q.Y, &Q.Y), 0);
		ck_assert_int_eq(mbedtls_mpi_mod_mpi(&t, &t, &grp->P), 0);
		if (mbedtls_mpi_cmp_mpi(&t, &rhs) == 0) {
			break;
		}
		ck_assert_int_eq(mbedtls_mpi_add_int(&Q.X, &Q.X, 1), 0);
	}
	ck_assert_int_eq(mbedtls_mpi_lset(&Q.Z, 1), 0);
	ck_assert_int_eq(mbedtls_ecp_check_pubkey(grp, &Q), 0);
	ck_assert_int_eq(mbedtls_mpi_sub_mpi(&r, &Q.X, &grp->N), 0);
	ck_assert_int_eq(mbedtls_mpi_copy(&s, &r), 0);
	memset(hash, 0, sizeof(hash));
	both(grp, hash, 32, &Q, &r, &s, 0, "x(R) = r + n");
	ck_assert_int_eq(verify_ring(grp, hash, 32, &Q, &r, &s), 0);
	ck_assert_int_eq(mbedtls_mpi_sub_int(&s, &s, 1), 0);
	ck_assert_int_eq(mbedtls_mpi_sub_int(&r, &r, 1), 0);
	both(grp, hash, 32, &Q, &r, &s, MBEDTLS_ERR_ECP_VERIFY_FAILED, "x(R) = r + n + 1");
	ck_assert_int_eq(mbedtls_mpi_copy(&r, &Q.X), 0);
	ck_assert_int_eq(mbedtls_mpi_copy(&s, &Q.X), 0);
	both(grp, hash, 32, &Q, &r, &s, MBEDTLS_ERR_ECP_VERIFY_FAILED, "r = x(R) >= n");

	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&rhs);
	mbedtls_mpi_free(&t);
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&Q);
	mbedtls_ecdsa_free(&key);
}
END_TEST

static Suite *ecc_suite(void)
{
	Suite *s = suite_create("ecc");
	TCase *x = tcase_create("x25519");
	tcase_add_unchecked_fixture(x, setup, NULL);
	tcase_set_timeout(x, 60);
	tcase_add_test(x, x25519_rfc7748_vectors);
	tcase_add_test(x, x25519_rfc7748_iterated);
	tcase_add_test(x, x25519_psa_rfc7748_dh);
	tcase_add_test(x, x25519_psa_low_order_refused);
	suite_add_tcase(s, x);
	TCase *v = tcase_create("ecdsa_verify");
	tcase_add_unchecked_fixture(v, setup, NULL);
	tcase_set_timeout(v, 60);
	tcase_add_test(v, inverse_public_equals_constant_time);
	tcase_add_test(v, ecdsa_rfc4754);
	tcase_add_test(v, ecdsa_sign_verify_random);
	suite_add_tcase(s, v);
	TCase *p = tcase_create("p256_ring");
	tcase_add_unchecked_fixture(p, setup, NULL);
	tcase_set_timeout(p, 120);
	tcase_add_test(p, p256_mbedtls_vectors);
	tcase_add_test(p, p256_differential);
	tcase_add_test(p, p256_edges);
	suite_add_tcase(s, p);
	return s;
}

UNIT_MAIN(ecc_suite)
