/*
 * ring's build (build.rs) generates this header to prefix the C symbols of
 * its crypto core. Here it serves the one ring file the build takes,
 * crypto/fipsmodule/ec/p256.c (src/ecdsa_p256.c has the why): its external
 * names get a ring_ prefix, so that they cannot meet another library's
 * p256_* names, and src/ecdsa_p256.c includes it for the same names.
 */
#ifndef HELLO_RING_PREFIX_SYMBOLS_H
#define HELLO_RING_PREFIX_SYMBOLS_H

#define p256_mul_mont         ring_p256_mul_mont
#define p256_sqr_mont         ring_p256_sqr_mont
#define p256_point_add        ring_p256_point_add
#define p256_point_add_affine ring_p256_point_add_affine
#define p256_point_double     ring_p256_point_double
#define p256_point_mul        ring_p256_point_mul
#define p256_point_mul_base   ring_p256_point_mul_base

#endif
