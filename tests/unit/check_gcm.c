/* Unit tests for AES-GCM as the program builds it: mbedtls with
 * patches/mbedtls-0002-gcm-aesni-bulk.patch, whose bulk path handles whole
 * blocks when the CPU has AES-NI and PCLMULQDQ; on aarch64 (make ARCH=arm64,
 * run under qemu) the same cases check mbedtls's Armv8-A crypto extension
 * code (AESE rounds, PMULL multiply) instead.
 *
 * - NIST's GCM validation vectors, from the fetched and checksummed mbedtls
 *   source (tests/suites/test_suite_gcm.aes*.data), each run whole, in
 *   1-byte pieces (which never reach the bulk path) and in uneven pieces,
 *   in place and not.
 * - Long messages: the bulk path must give the same ciphertext and tag as
 *   1-byte updates, for every key size, both directions, any split.
 * - The 32-bit block counter wrapping inside one bulk call.
 * - A flipped bit anywhere in a long ciphertext fails authentication. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/gcm.h>

#include "aesce.h"
#include "aesni.h"
#include "unit.h"

/* Which hardware path this build has, and whether the CPU takes it. */
#if defined(MBEDTLS_AESNI_HAVE_CODE)
#define HW_PATH "AES-NI bulk path"
#define HW_IN_USE() (mbedtls_aesni_has_support(MBEDTLS_AESNI_AES) && mbedtls_aesni_has_support(MBEDTLS_AESNI_CLMUL))
#elif defined(MBEDTLS_AESCE_HAVE_CODE)
#define HW_PATH "Armv8-A crypto extension path"
#define HW_IN_USE() MBEDTLS_AESCE_HAS_SUPPORT()
#else
#define HW_PATH "hardware AES path"
#define HW_IN_USE() 0
#endif

#ifndef GCM_VECTORS
#error "GCM_VECTORS must name mbedtls's tests/suites directory"
#endif

#define MAX_MSG 20000

enum { WHOLE = 0 }; /* piece size 0: one update call */
static const size_t pieces[] = {WHOLE, 1, 15, 17, 48, 4099};

/* --- one GCM operation, split into pieces ---------------------------------------- */

struct gcm_case {
	const unsigned char *key;
	unsigned key_bits;
	const unsigned char *iv;
	size_t iv_len;
	const unsigned char *add;
	size_t add_len;
	int mode; /* MBEDTLS_GCM_ENCRYPT or MBEDTLS_GCM_DECRYPT */
};

/* Runs the case over in[0..len) in pieces of `piece` bytes (WHOLE: one call),
 * writing out[] and a 16-byte tag. in == out is allowed. Optionally forces the
 * counter's low 32 bits to `ctr` once the IV is set. Returns mbedtls's result. */
static int gcm_run(const struct gcm_case *c, const unsigned char *in, unsigned char *out, size_t len,
		   size_t piece, const uint32_t *ctr, unsigned char tag[16])
{
	mbedtls_gcm_context ctx;
	size_t olen, done = 0;
	int r;

	mbedtls_gcm_init(&ctx);
	r = mbedtls_gcm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, c->key, c->key_bits);
	if (r == 0)
		r = mbedtls_gcm_starts(&ctx, c->mode, c->iv, c->iv_len);
	if (r == 0 && ctr) {
		ctx.y[12] = (unsigned char)(*ctr >> 24);
		ctx.y[13] = (unsigned char)(*ctr >> 16);
		ctx.y[14] = (unsigned char)(*ctr >> 8);
		ctx.y[15] = (unsigned char)*ctr;
	}
	if (r == 0)
		r = mbedtls_gcm_update_ad(&ctx, c->add, c->add_len);
	while (r == 0 && done < len) {
		size_t n = piece == WHOLE || piece > len - done ? len - done : piece;
		r = mbedtls_gcm_update(&ctx, in + done, n, out + done, n, &olen);
		if (r == 0 && olen != n)
			r = -1;
		done += n;
	}
	if (r == 0)
		r = mbedtls_gcm_finish(&ctx, NULL, 0, &olen, tag, 16);
	mbedtls_gcm_free(&ctx);
	return r;
}

/* --- NIST vectors ------------------------------------------------------------------ */

/* Decodes the next "hex" field of a .data line at *p into buf; returns its
 * length, or -1 if the field is not a quoted hex string that fits. */
static long hex_field(const char **p, unsigned char *buf, size_t cap)
{
	const char *s = strchr(*p, '"');
	size_t n = 0;

	if (!s)
		return -1;
	for (s++; *s && *s != '"'; s += 2) {
		unsigned v;
		if (n == cap || !s[1] || sscanf(s, "%2x", &v) != 1)
			return -1;
		buf[n++] = (unsigned char)v;
	}
	if (*s != '"')
		return -1;
	*p = s + 1;
	return (long)n;
}

/* The next quoted field as text ("FAIL" or ""). */
static int text_field(const char **p, char *buf, size_t cap)
{
	const char *s = strchr(*p, '"'), *e;

	if (!s || !(e = strchr(s + 1, '"')) || (size_t)(e - s - 1) >= cap)
		return -1;
	memcpy(buf, s + 1, (size_t)(e - s - 1));
	buf[e - s - 1] = '\0';
	*p = e + 1;
	return 0;
}

/* The unquoted decimal field after the next ':'. */
static long int_field(const char **p)
{
	const char *s = strchr(*p, ':');
	char *end;
	long v;

	if (!s)
		return -1;
	v = strtol(s + 1, &end, 10);
	*p = end;
	return end == s + 1 ? -1 : v;
}

struct vector {
	int decrypt, expect_fail;
	unsigned char key[32], iv[128], add[256], in[MAX_MSG], out[MAX_MSG], tag[16];
	long key_len, iv_len, add_len, in_len, out_len, tag_len;
};

static struct vector v;
static size_t vectors_run, bytes_run, multi_block;

/* Parses one gcm_encrypt_and_tag or gcm_decrypt_and_verify line into v. */
static int parse_vector(const char *line)
{
	const char *p = line;
	char result[8];

	memset(&v, 0, sizeof(v));
	if (strncmp(line, "gcm_encrypt_and_tag:MBEDTLS_CIPHER_ID_AES:", 42) == 0) {
		v.decrypt = 0;
		if ((v.key_len = hex_field(&p, v.key, sizeof(v.key))) < 0 ||
		    (v.in_len = hex_field(&p, v.in, sizeof(v.in))) < 0 ||
		    (v.iv_len = hex_field(&p, v.iv, sizeof(v.iv))) < 0 ||
		    (v.add_len = hex_field(&p, v.add, sizeof(v.add))) < 0 ||
		    (v.out_len = hex_field(&p, v.out, sizeof(v.out))) < 0 ||
		    (v.tag_len = int_field(&p)) < 0 ||
		    hex_field(&p, v.tag, sizeof(v.tag)) != v.tag_len / 8)
			return -1;
	} else if (strncmp(line, "gcm_decrypt_and_verify:MBEDTLS_CIPHER_ID_AES:", 45) == 0) {
		v.decrypt = 1;
		if ((v.key_len = hex_field(&p, v.key, sizeof(v.key))) < 0 ||
		    (v.in_len = hex_field(&p, v.in, sizeof(v.in))) < 0 ||
		    (v.iv_len = hex_field(&p, v.iv, sizeof(v.iv))) < 0 ||
		    (v.add_len = hex_field(&p, v.add, sizeof(v.add))) < 0 ||
		    (v.tag_len = int_field(&p)) < 0 ||
		    hex_field(&p, v.tag, sizeof(v.tag)) != v.tag_len / 8 ||
		    text_field(&p, result, sizeof(result)) < 0 ||
		    (v.out_len = hex_field(&p, v.out, sizeof(v.out))) < 0)
			return -1;
		v.expect_fail = strcmp(result, "FAIL") == 0;
	} else {
		return 1; /* another test function: not ours */
	}
	if (v.in_len != v.out_len && !v.expect_fail)
		return -1;
	return 0;
}

/* Runs v in every piece size, in place and not. */
static void check_vector(const char *where)
{
	static unsigned char buf[MAX_MSG];
	unsigned char tag[16];
	struct gcm_case c = {v.key, (unsigned)v.key_len * 8, v.iv, (size_t)v.iv_len, v.add, (size_t)v.add_len,
			     v.decrypt ? MBEDTLS_GCM_DECRYPT : MBEDTLS_GCM_ENCRYPT};

	for (size_t i = 0; i < ARRAY_SIZE(pieces); i++) {
		for (int in_place = 0; in_place < 2; in_place++) {
			int r;
			const unsigned char *in = v.in;
			if (in_place) {
				memcpy(buf, v.in, (size_t)v.in_len);
				in = buf;
			}
			r = gcm_run(&c, in, buf, (size_t)v.in_len, pieces[i], NULL, tag);
			ck_assert_msg(r == 0, "%s: piece %zu: mbedtls error -0x%04x", where, pieces[i], (unsigned)-r);
			int tag_ok = memcmp(tag, v.tag, (size_t)v.tag_len / 8) == 0;
			if (v.expect_fail) {
				ck_assert_msg(!tag_ok, "%s: piece %zu: forged tag accepted", where, pieces[i]);
				continue;
			}
			ck_assert_msg(tag_ok, "%s: piece %zu%s: wrong tag", where, pieces[i], in_place ? " in place" : "");
			ck_assert_msg(memcmp(buf, v.out, (size_t)v.out_len) == 0, "%s: piece %zu%s: wrong output",
				      where, pieces[i], in_place ? " in place" : "");
		}
	}
	vectors_run++;
	bytes_run += (size_t)v.in_len;
	if (v.in_len >= 32)
		multi_block++;
}

static void run_file(const char *name)
{
	char path[512], where[600];
	static char line[2 * MAX_MSG + 4096];
	unsigned lineno = 0;
	size_t before = vectors_run;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", GCM_VECTORS, name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		int r = parse_vector(line);
		ck_assert_msg(r >= 0, "%s:%u: cannot parse", name, lineno);
		if (r == 0) {
			snprintf(where, sizeof(where), "%s:%u", name, lineno);
			check_vector(where);
		}
	}
	fclose(f);
	/* Each file has 168 vectors: none may be skipped unseen. */
	ck_assert_msg(vectors_run - before == 168, "%s: %zu vectors run, 168 expected", name,
		      vectors_run - before);
}

START_TEST(test_nist_vectors)
{
	static const char *const files[] = {
		"test_suite_gcm.aes128_en.data", "test_suite_gcm.aes128_de.data",
		"test_suite_gcm.aes192_en.data", "test_suite_gcm.aes192_de.data",
		"test_suite_gcm.aes256_en.data", "test_suite_gcm.aes256_de.data",
	};

	vectors_run = bytes_run = multi_block = 0;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		run_file(files[i]);
	ck_assert_msg(multi_block >= 100, "only %zu vectors span two blocks or more", multi_block);
	printf("gcm: %zu NIST vectors (%zu of two blocks or more, %zu bytes), %zu ways each\n", vectors_run,
	       multi_block, bytes_run, 2 * ARRAY_SIZE(pieces));
}
END_TEST

/* --- bulk path against 1-byte updates ------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t next_rand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)next_rand();
}

static unsigned char msg[MAX_MSG], ref[MAX_MSG], got[MAX_MSG];

/* The same message in 1-byte updates and in `piece`-sized ones (in place when
 * asked) must give the same output and tag. */
static void compare_paths(const struct gcm_case *c, size_t len, size_t piece, int in_place, const uint32_t *ctr)
{
	unsigned char tag_ref[16], tag_got[16];
	const char *dir = c->mode == MBEDTLS_GCM_ENCRYPT ? "encrypt" : "decrypt";

	ck_assert_int_eq(gcm_run(c, msg, ref, len, 1, ctr, tag_ref), 0);
	if (in_place)
		memcpy(got, msg, len);
	ck_assert_int_eq(gcm_run(c, in_place ? got : msg, got, len, piece, ctr, tag_got), 0);
	ck_assert_msg(memcmp(ref, got, len) == 0, "AES-%u %s, %zu bytes in pieces of %zu%s: output differs",
		      c->key_bits, dir, len, piece, in_place ? " in place" : "");
	ck_assert_msg(memcmp(tag_ref, tag_got, 16) == 0, "AES-%u %s, %zu bytes in pieces of %zu: tag differs",
		      c->key_bits, dir, len, piece);
}

START_TEST(test_bulk_matches_bytewise)
{
	static const unsigned bits[] = {128, 192, 256};
	static const size_t lens[] = {16, 31, 32, 33, 64, 255, 256, 1000, 4096, 16384 + 5, MAX_MSG};
	unsigned char key[32], iv[12], add[13];
	size_t runs = 0;

	fill(key, sizeof(key));
	fill(iv, sizeof(iv));
	fill(add, sizeof(add));
	fill(msg, sizeof(msg));
	for (size_t b = 0; b < ARRAY_SIZE(bits); b++)
		for (int mode = 0; mode < 2; mode++) {
			struct gcm_case c = {key, bits[b], iv, sizeof(iv), add, sizeof(add),
					     mode ? MBEDTLS_GCM_DECRYPT : MBEDTLS_GCM_ENCRYPT};
			for (size_t l = 0; l < ARRAY_SIZE(lens); l++)
				for (size_t p = 0; p < ARRAY_SIZE(pieces); p++) {
					if (pieces[p] == 1)
						continue;
					compare_paths(&c, lens[l], pieces[p], (int)(l + p) % 2, NULL);
					runs++;
				}
			/* Random lengths and pieces, random IV lengths (not 12: the
			 * counter starts from GHASH(IV), anywhere). */
			for (int i = 0; i < 40; i++) {
				unsigned char iv2[40];
				size_t iv_len = 1 + next_rand() % sizeof(iv2);
				fill(iv2, iv_len);
				c.iv = iv2;
				c.iv_len = iv_len;
				compare_paths(&c, 1 + next_rand() % 3000, 2 + next_rand() % 600, i % 2, NULL);
				runs++;
			}
			c.iv = iv;
			c.iv_len = sizeof(iv);
		}
	printf("gcm: " HW_PATH " %s on this CPU; %zu messages matched 1-byte updates\n",
	       HW_IN_USE() ? "in use" : "not available", runs);
}
END_TEST

/* The block counter is the IV's last 32 bits and wraps modulo 2^32 (NIST SP
 * 800-38D inc32): a message that starts near the wrap must not carry into the
 * IV bytes in either path. */
START_TEST(test_counter_wrap)
{
	static const uint32_t starts[] = {0xfffffffeu, 0xfffffff0u, 0xffffffffu, 0x7fffffffu};
	unsigned char key[16], iv[12];

	fill(key, sizeof(key));
	fill(iv, sizeof(iv));
	fill(msg, 1024);
	for (size_t i = 0; i < ARRAY_SIZE(starts); i++)
		for (int mode = 0; mode < 2; mode++) {
			struct gcm_case c = {key, 128, iv, sizeof(iv), NULL, 0,
					     mode ? MBEDTLS_GCM_DECRYPT : MBEDTLS_GCM_ENCRYPT};
			compare_paths(&c, 1024, WHOLE, 0, &starts[i]);
			compare_paths(&c, 1024, 48, 1, &starts[i]);
		}

	/* The wrapped keystream block is AES(IV || 0): compute it directly. */
	{
		mbedtls_aes_context aes;
		unsigned char block[16] = {0}, stream[16], tag[16], out[48];
		uint32_t start = 0xfffffffeu;
		struct gcm_case c = {key, 128, iv, sizeof(iv), NULL, 0, MBEDTLS_GCM_ENCRYPT};

		memset(msg, 0, 48);
		ck_assert_int_eq(gcm_run(&c, msg, out, 48, WHOLE, &start, tag), 0);
		memcpy(block, iv, sizeof(iv));
		mbedtls_aes_init(&aes);
		ck_assert_int_eq(mbedtls_aes_setkey_enc(&aes, key, 128), 0);
		ck_assert_int_eq(mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, block, stream), 0);
		mbedtls_aes_free(&aes);
		/* Blocks use counters ffffffff, 00000000, 00000001. */
		ck_assert_msg(memcmp(out + 16, stream, 16) == 0, "block after the wrap is not AES(IV || 0)");
	}
}
END_TEST

/* Decrypting a long message whose ciphertext has one flipped bit must fail the
 * tag check, wherever the bit is. */
START_TEST(test_bulk_detects_tampering)
{
	unsigned char key[32], iv[12], tag[16], tag2[16];
	const size_t len = 16384;
	struct gcm_case enc = {key, 256, iv, sizeof(iv), NULL, 0, MBEDTLS_GCM_ENCRYPT};
	struct gcm_case dec = enc;
	static const size_t where[] = {0, 15, 16, 8191, 16383};

	dec.mode = MBEDTLS_GCM_DECRYPT;
	fill(key, sizeof(key));
	fill(iv, sizeof(iv));
	fill(msg, len);
	ck_assert_int_eq(gcm_run(&enc, msg, ref, len, WHOLE, NULL, tag), 0);
	ck_assert_int_eq(gcm_run(&dec, ref, got, len, WHOLE, NULL, tag2), 0);
	ck_assert_msg(memcmp(got, msg, len) == 0 && memcmp(tag, tag2, 16) == 0, "round trip failed");
	for (size_t i = 0; i < ARRAY_SIZE(where); i++) {
		ref[where[i]] ^= 0x01;
		ck_assert_int_eq(gcm_run(&dec, ref, got, len, WHOLE, NULL, tag2), 0);
		ck_assert_msg(memcmp(tag, tag2, 16) != 0, "bit flipped at byte %zu went unnoticed", where[i]);
		ref[where[i]] ^= 0x01;
	}
}
END_TEST

static Suite *gcm_suite(void)
{
	Suite *s = suite_create("gcm");
	TCase *t = tcase_create("gcm");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_nist_vectors);
	tcase_add_test(t, test_bulk_matches_bytewise);
	tcase_add_test(t, test_counter_wrap);
	tcase_add_test(t, test_bulk_detects_tampering);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(gcm_suite)
