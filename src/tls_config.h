/*
 * mbedtls configuration for hello: a TLS 1.2/1.3 client that verifies its
 * peer and does nothing else. Everything not listed is off; check_config.h
 * (included by mbedtls after this file) rejects inconsistent combinations.
 */
#ifndef HELLO_TLS_CONFIG_H
#define HELLO_TLS_CONFIG_H

/* Platform: assembly for bignum multiplication (x86-64 and aarch64), time
 * for certificate validity. */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_DEPRECATED_REMOVED

/* Randomness comes from getrandom(2) through the PSA external RNG hook
 * (src/rng.c): no entropy collector, no CTR_DRBG. TLS 1.3 needs PSA; the
 * rest of TLS and X.509 use the classic API (no MBEDTLS_USE_PSA_CRYPTO),
 * which is smaller here and has no 4096-bit cap on RSA keys. */
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG
#define MBEDTLS_PSA_CRYPTO_C

/* TLS: client only, 1.2 and 1.3, no DTLS, no renegotiation, no tickets. */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
/* Records from the peer can be 16 KiB; what we send is one small request. */
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* TLS 1.2 key exchange: ECDHE only, signed with RSA or ECDSA. */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED

/* Public-key cryptography: verification of RSA (PKCS#1 v1.5, PSS) and
 * ECDSA signatures, ECDHE on x25519, secp256r1 and secp384r1. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
/* X25519 through HACL*'s formally verified code in mbedtls's
 * 3rdparty/everest (patch 0006 sends key generation there too): a fifth of
 * the instructions of the generic ladder. */
#define MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C

/* Symmetric: AES-GCM and ChaCha20-Poly1305. AES and the GCM multiply use
 * the CPU's instructions where it has them, checked at run time: AES-NI and
 * PCLMULQDQ on x86-64, the Armv8-A crypto extension (AESE, PMULL) on
 * aarch64. Each architecture compiles only its own. */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#if defined(__x86_64__) || defined(__i386__)
#define MBEDTLS_AESNI_C
#elif defined(__aarch64__)
#define MBEDTLS_AESCE_C
#endif
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C

/* Hashes: SHA-256 and SHA-384 (SHA-512 is its implementation) for TLS and
 * signatures. No SHA-1: the embedded roots are stored without their own
 * signatures (certs/certgen.c), and a certificate signed with SHA-1 is
 * refused. */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
/* SHA-256 with the Armv8-A crypto extension when the CPU has it. (3.6's
 * SHA-512 instructions are Armv8.2's optional SHA3 extension, which many
 * arm64 CPUs lack; SHA-384 stays in C.) */
#if defined(__aarch64__)
#define MBEDTLS_SHA256_USE_ARMV8_A_CRYPTO_IF_PRESENT
#endif
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C

/* X.509: parse and verify certificates; roots come from a callback. */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT
#define MBEDTLS_X509_TRUSTED_CERTIFICATE_CALLBACK
/* --cacert and SSL_CERT_FILE may be PEM. */
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

#endif
