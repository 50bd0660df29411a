/*
 * Steps 5 to 8 of ECDSA verification on P-256 (SEC1 4.1.4) for mbedtls,
 * with the point arithmetic of ring's crypto/fipsmodule/ec/p256.c: the field
 * operations generated and proven by fiat-crypto, the Jacobian formulas
 * checked against affine ones in Coq (see that file's comments).
 *
 * mbedtls computes u1 G + u2 Q with its generic bignum layer, about 11 M
 * instructions per P-256 verification, and a handshake with an ECDSA chain
 * makes three. patches/mbedtls-0008-ecdsa-verify-p256-hook.patch hands this
 * part to the function below when the configuration (src/tls_config.h)
 * defines MBEDTLS_ECDSA_VERIFY_P256_HOOK, once mbedtls has checked r and s
 * and computed u1 and u2; other curves stay in mbedtls. Every value here is
 * public (ring's multiplications are constant time all the same).
 *
 * ring's functions take field elements in the Montgomery domain (x 2^256
 * mod p) as four 64-bit limbs, least significant first, and return them
 * fully reduced; scalars are plain integers in the same layout. Conversions
 * go through mbedtls's bignum, so no constant of the curve is written here:
 * p, n and G come from the mbedtls group.
 */
/* The coordinates and the group's P, N and G are private fields of mbedtls's
 * structures, which its own library code reads the same way. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include <stdint.h>
#include <string.h>

#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"

#include "ring_core_generated/prefix_symbols.h"

#if !defined(MBEDTLS_ECDSA_VERIFY_P256_HOOK)
#error "src/ecdsa_p256.c is the hook of MBEDTLS_ECDSA_VERIFY_P256_HOOK"
#endif

/* ring's Limb is a machine word; its 64-bit code is what is built here, and
 * the byte conversions below assume a little-endian machine. */
#if !defined(__x86_64__) && !defined(__aarch64__)
#error "ring's P-256 is built here for 64-bit little-endian targets (x86-64, aarch64)"
#endif

#define LIMBS 4
typedef uint64_t felem[LIMBS];

/* ring's crypto/fipsmodule/ec/p256.c (its prototypes live in ring's Rust). */
void p256_point_mul(uint64_t r[3][LIMBS], const uint64_t scalar[LIMBS],
                    const uint64_t p_x[LIMBS], const uint64_t p_y[LIMBS]);
void p256_point_mul_base(uint64_t r[3][LIMBS], const uint64_t scalar[LIMBS]);
void p256_point_add(uint64_t r[3][LIMBS], const uint64_t a[3][LIMBS],
                    const uint64_t b[3][LIMBS]);
void p256_mul_mont(uint64_t r[LIMBS], const uint64_t a[LIMBS], const uint64_t b[LIMBS]);
void p256_sqr_mont(uint64_t r[LIMBS], const uint64_t a[LIMBS]);

/* out = A as four limbs; A in [0, 2^256). */
static int to_limbs(felem out, const mbedtls_mpi *A)
{
	unsigned char le[sizeof(felem)];
	int ret = mbedtls_mpi_write_binary_le(A, le, sizeof(le));

	memcpy(out, le, sizeof(le));
	return ret;
}

/* out = A 2^256 mod p, in the Montgomery domain; A in [0, p). T is scratch. */
static int to_mont(felem out, const mbedtls_mpi *A, const mbedtls_ecp_group *grp,
                   mbedtls_mpi *T)
{
	int ret;

	MBEDTLS_MPI_CHK(mbedtls_mpi_copy(T, A));
	MBEDTLS_MPI_CHK(mbedtls_mpi_shift_l(T, 256));
	MBEDTLS_MPI_CHK(mbedtls_mpi_mod_mpi(T, T, &grp->P));
	ret = to_limbs(out, T);
cleanup:
	return ret;
}

int mbedtls_ecdsa_verify_p256_hook(const mbedtls_ecp_group *grp,
                                   const mbedtls_mpi *u1, const mbedtls_mpi *u2,
                                   const mbedtls_ecp_point *Q,
                                   const mbedtls_mpi *r)
{
	static const felem zero;
	felem qx, qy, k1, k2, z2, xr, rz2;
	uint64_t sum[3][LIMBS], t[3][LIMBS];
	mbedtls_mpi T, R;
	int ret;

	mbedtls_mpi_init(&T);
	mbedtls_mpi_init(&R);

	/* Q is a point of the curve other than infinity, with affine
	 * coordinates below p: mbedtls's own check, as its path makes it. */
	MBEDTLS_MPI_CHK(mbedtls_ecp_check_pubkey(grp, Q));

	/* Step 5: R = u1 G + u2 Q. u1 = 0 gives the point at infinity (Z = 0),
	 * which ring's addition takes as the neutral element. */
	MBEDTLS_MPI_CHK(to_mont(qx, &Q->X, grp, &T));
	MBEDTLS_MPI_CHK(to_mont(qy, &Q->Y, grp, &T));
	MBEDTLS_MPI_CHK(to_limbs(k1, u1));
	MBEDTLS_MPI_CHK(to_limbs(k2, u2));
	p256_point_mul_base(t, k1);
	p256_point_mul(sum, k2, qx, qy);
	p256_point_add(sum, sum, t);

	/* The sum is the point at infinity: not a signature. */
	ret = MBEDTLS_ERR_ECP_VERIFY_FAILED;
	if (memcmp(sum[2], zero, sizeof(zero)) == 0) {
		goto cleanup;
	}

	/* Steps 6 to 8 without an inverse: (X, Y, Z) in Jacobian coordinates
	 * has x = X / Z^2, and x mod n = r with x in [0, p) and r in [1, n-1]
	 * means x = r, or x = r + n when r + n < p. Both sides are fully
	 * reduced Montgomery values, so equal numbers have equal limbs. */
	p256_sqr_mont(z2, sum[2]);
	MBEDTLS_MPI_CHK(mbedtls_mpi_copy(&R, r));
	for (int i = 0; i < 2; i++) {
		if (i == 1) {
			MBEDTLS_MPI_CHK(mbedtls_mpi_add_mpi(&R, &R, &grp->N));
			if (mbedtls_mpi_cmp_mpi(&R, &grp->P) >= 0) {
				break;
			}
		}
		MBEDTLS_MPI_CHK(to_mont(xr, &R, grp, &T));
		p256_mul_mont(rz2, xr, z2);
		if (memcmp(rz2, sum[0], sizeof(rz2)) == 0) {
			ret = 0;
			goto cleanup;
		}
	}
	ret = MBEDTLS_ERR_ECP_VERIFY_FAILED;

cleanup:
	mbedtls_mpi_free(&T);
	mbedtls_mpi_free(&R);
	return ret;
}
