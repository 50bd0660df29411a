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
 *   verify, and fail once tampered with. */
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
		for (size_t bit = 0; bit < 8 * hlen; bit++) {
			hash[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			ck_assert_msg(mbedtls_ecdsa_verify(&grp, hash, hlen, &Q, &r, &s) == MBEDTLS_ERR_ECP_VERIFY_FAILED,
				      "vector %zu, hash bit %zu flipped", i, bit);
			hash[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		}
		/* a sample of the bits of r and s, and of the key's x */
		for (size_t bit = 0; bit < grp.nbits; bit += 7) {
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
	return s;
}

UNIT_MAIN(ecc_suite)
