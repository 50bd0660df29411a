/* Unit tests for ca.c and ca_key.c: the embedded bundle and its index, name
 * keys, CA files and issuer lookup. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/x509_crt.h>

#include "ca.h"
#include "err.h"
#include "net.h"
#include "unit.h"

static const unsigned char *root_der(size_t i)
{
	return ca_bundle_der + ca_bundle_roots[i].der_off;
}

/* Root i's subject Name, inside its DER. */
static const unsigned char *root_subject(size_t i)
{
	return root_der(i) + ca_bundle_roots[i].subject_off;
}

/* Root i's subject key, in a static buffer; *len gets its length. */
static const unsigned char *root_key(size_t i, size_t *len)
{
	static unsigned char key[2][CA_KEY_MAX];
	static int which;
	unsigned char *k = key[which ^= 1];

	*len = ca_name_key(root_subject(i), ca_bundle_roots[i].subject_len, k, CA_KEY_MAX);
	ck_assert_msg(*len > 0, "root %zu: subject has no key", i);
	return k;
}

/* --- hand-made Names -------------------------------------------------------------- */

/* Appends tag, DER length and content to out at *o. */
static void put_tlv(unsigned char *out, size_t cap, size_t *o, int tag, const unsigned char *content,
		    size_t len)
{
	ck_assert_msg(*o + len + 4 <= cap, "test Name too large");
	out[(*o)++] = (unsigned char)tag;
	if (len < 0x80) {
		out[(*o)++] = (unsigned char)len;
	} else if (len < 0x100) {
		out[(*o)++] = 0x81;
		out[(*o)++] = (unsigned char)len;
	} else {
		out[(*o)++] = 0x82;
		out[(*o)++] = (unsigned char)(len >> 8);
		out[(*o)++] = (unsigned char)len;
	}
	memmove(out + *o, content, len);
	*o += len;
}

/* Builds the DER of a Name written as RDNs separated by '/', the attributes
 * of a multi-valued RDN by '+', each "TYPE=S:value" with TYPE one of CN, O,
 * OU, C and S the string type: P PrintableString, U UTF8String, I IA5String,
 * T T61String. Returns its length. */
static size_t build_name(const char *spec, unsigned char *out, size_t cap)
{
	unsigned char rdns[512], set[256], ava[256];
	size_t nr = 0;
	const char *p = spec;

	while (*p) {
		size_t ns = 0;

		for (;;) {
			static const struct {
				const char *name;
				unsigned char oid;
			} types[] = {{"CN", 3}, {"C", 6}, {"OU", 11}, {"O", 10}};
			static const struct {
				char code;
				unsigned char tag;
			} strings[] = {{'P', 0x13}, {'U', 0x0c}, {'I', 0x16}, {'T', 0x14}};
			unsigned char oid[3] = {0x55, 0x04, 0};
			size_t na = 0, vlen, t, k;
			const char *eq = strchr(p, '=');

			ck_assert_msg(eq != NULL, "bad Name spec '%s'", spec);
			for (t = 0; t < ARRAY_SIZE(types); t++)
				if ((size_t)(eq - p) == strlen(types[t].name) &&
				    memcmp(p, types[t].name, (size_t)(eq - p)) == 0)
					break;
			ck_assert_msg(t < ARRAY_SIZE(types), "bad attribute type in '%s'", spec);
			oid[2] = types[t].oid;
			for (k = 0; k < ARRAY_SIZE(strings); k++)
				if (strings[k].code == eq[1])
					break;
			ck_assert_msg(k < ARRAY_SIZE(strings) && eq[2] == ':', "bad string type in '%s'", spec);
			p = eq + 3;
			vlen = strcspn(p, "/+");
			put_tlv(ava, sizeof(ava), &na, 0x06, oid, 3);
			put_tlv(ava, sizeof(ava), &na, strings[k].tag, (const unsigned char *)p, vlen);
			put_tlv(set, sizeof(set), &ns, 0x30, ava, na);
			p += vlen;
			if (*p != '+')
				break;
			p++;
		}
		put_tlv(rdns, sizeof(rdns), &nr, 0x31, set, ns);
		if (*p == '/')
			p++;
	}
	{
		size_t o = 0;

		put_tlv(out, cap, &o, 0x30, rdns, nr);
		return o;
	}
}

static size_t key_of(const char *spec, unsigned char *key, size_t cap)
{
	unsigned char der[1024];
	size_t len = build_name(spec, der, sizeof(der));

	return ca_name_key(der, len, key, cap);
}

/* --- ca_name_key ---------------------------------------------------------------- */

static const struct {
	const char *label;
	const char *a;
	const char *b;
	int equal;
} names[] = {
	{"identical", "C=P:US/O=P:Example/CN=P:Example Root", "C=P:US/O=P:Example/CN=P:Example Root", 1},
	{"PrintableString vs UTF8String, other case", "CN=P:Example CA", "CN=U:example ca", 1},
	{"UTF8String vs PrintableString, other case", "CN=U:EXAMPLE CA", "CN=P:Example Ca", 1},
	{"UTF8String, other case", "O=U:ABC Corp", "O=U:abc corp", 1},
	{"PrintableString, other case", "C=P:us", "C=P:US", 1},
	{"same types and bytes", "CN=I:Example", "CN=I:Example", 1},
	{"case in every RDN", "C=P:DE/O=U:Foo GmbH/OU=P:Trust/CN=U:Foo Root",
	 "C=U:de/O=P:FOO GMBH/OU=U:trust/CN=P:FOO ROOT", 1},
	{"multi-valued RDN, case", "O=P:Foo+CN=U:Bar", "O=U:FOO+CN=P:bar", 1},
	/* Different. */
	{"different attribute type", "CN=U:abc", "O=U:abc", 0},
	{"different value", "CN=U:abc", "CN=U:abd", 0},
	{"value with trailing space", "CN=U:abc", "CN=U:abc ", 0},
	{"value prefix", "CN=U:abc", "CN=U:ab", 0},
	{"IA5String, other case", "CN=I:ABC", "CN=I:abc", 0},
	{"IA5String vs UTF8String", "CN=I:abc", "CN=U:abc", 0},
	{"T61String vs PrintableString", "CN=T:abc", "CN=P:abc", 0},
	{"non-ASCII case", "CN=U:\xc3\x89t\xc3\xa9", "CN=U:\xc3\xa9t\xc3\xa9", 0},
	{"letters only fold: '@' vs '`'", "CN=U:a@b", "CN=U:a`b", 0},
	{"letters only fold: '[' vs '{'", "CN=U:a[b", "CN=U:a{b", 0},
	{"RDNs swapped", "O=U:a/CN=U:b", "CN=U:b/O=U:a", 0},
	{"two RDNs vs one multi-valued RDN", "O=U:a/CN=U:b", "O=U:a+CN=U:b", 0},
	{"one RDN more", "CN=U:a", "CN=U:a/CN=U:a", 0},
	{"attribute more in an RDN", "CN=U:a", "CN=U:a+CN=U:a", 0},
	{"empty value vs one", "CN=U:", "CN=U:a", 0},
};

START_TEST(test_name_key)
{
	unsigned char ka[CA_KEY_MAX], kb[CA_KEY_MAX];
	size_t la = key_of(names[_i].a, ka, sizeof(ka));
	size_t lb = key_of(names[_i].b, kb, sizeof(kb));
	int eq;

	ck_assert_msg(la > 0 && lb > 0, "%s: no key (%zu, %zu)", names[_i].label, la, lb);
	eq = ca_key_cmp(ka, la, kb, lb) == 0;
	ck_assert_msg(eq == names[_i].equal, "%s: keys %s", names[_i].label, eq ? "equal" : "differ");
	/* The comparison agrees whichever side comes first. */
	ck_assert_msg((ca_key_cmp(ka, la, kb, lb) < 0) == (ca_key_cmp(kb, lb, ka, la) > 0),
		      "%s: ca_key_cmp not antisymmetric", names[_i].label);
}
END_TEST

/* CN=a, well formed: 14 bytes. */
#define CN_A 0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x61

static const unsigned char cn_a[] = {CN_A};

static const struct {
	const char *label;
	unsigned char der[24];
	size_t len;
} malformed[] = {
	{"empty", {0}, 0},
	{"one byte", {0x30}, 1},
	{"truncated", {CN_A}, sizeof(cn_a) - 1},
	{"truncated to the header", {CN_A}, 2},
	{"wrong outer tag", {0x31, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01,
			     0x61}, 14},
	{"outer length past the end", {0x30, 0x0d, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03,
				       0x0c, 0x01, 0x61}, 14},
	{"bytes after the Name", {CN_A, 0x00}, 15},
	{"length overflow, 4 bytes", {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03,
				      0x55, 0x04, 0x03, 0x0c, 0x01, 0x61}, 18},
	{"length overflow, 8 bytes", {0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x31, 0x0a,
				      0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x61}, 22},
	{"length 0xffff past the end", {0x30, 0x82, 0xff, 0xff, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55,
					0x04, 0x03, 0x0c, 0x01, 0x61}, 16},
	{"indefinite length", {0x30, 0x80, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01,
			       0x61, 0x00, 0x00}, 16},
	{"long form without length bytes", {0x30, 0x81}, 2},
	{"SEQUENCE instead of SET", {0x30, 0x0c, 0x30, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
				     0x01, 0x61}, 14},
	{"SET instead of AVA SEQUENCE", {0x30, 0x0c, 0x31, 0x0a, 0x31, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03,
					 0x0c, 0x01, 0x61}, 14},
	{"NULL instead of OID", {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x05, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01,
				 0x61}, 14},
	{"AVA without value", {0x30, 0x09, 0x31, 0x07, 0x30, 0x05, 0x06, 0x03, 0x55, 0x04, 0x03}, 11},
	{"value length past the AVA", {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
				       0x02, 0x61}, 14},
	{"byte after the value", {0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01,
				  0x61, 0x00}, 15},
	{"AVA longer than its SET", {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
				     0x01, 0x61}, 14},
	{"SET longer than the Name", {0x30, 0x0c, 0x31, 0x0b, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
				      0x01, 0x61}, 14},
	{"OID longer than the AVA", {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x09, 0x55, 0x04, 0x03, 0x0c,
				     0x01, 0x61}, 14},
};

START_TEST(test_name_key_malformed)
{
	unsigned char key[CA_KEY_MAX];
	size_t n = ca_name_key(malformed[_i].der, malformed[_i].len, key, sizeof(key));

	ck_assert_msg(n == 0, "%s: key of %zu bytes", malformed[_i].label, n);
}
END_TEST

START_TEST(test_name_key_cap)
{
	unsigned char key[CA_KEY_MAX];
	size_t n = ca_name_key(cn_a, sizeof(cn_a), key, sizeof(key));

	ck_assert_msg(n > 0, "CN=a: no key");
	ck_assert_msg(ca_name_key(cn_a, sizeof(cn_a), key, n) == n, "cap = key length: refused");
	ck_assert_msg(ca_name_key(cn_a, sizeof(cn_a), key, n - 1) == 0, "cap = key length - 1: accepted");
	ck_assert_msg(ca_name_key(cn_a, sizeof(cn_a), key, 0) == 0, "cap 0: accepted");
}
END_TEST

/* A Name with a 60000-byte value: well formed, but its key is larger than
 * CA_KEY_MAX. */
START_TEST(test_name_key_too_long)
{
	static const unsigned char head[] = {0x30, 0x82, 0, 0, 0x31, 0x82, 0, 0, 0x30, 0x82, 0, 0,
					     0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x82, 0, 0};
	size_t vlen = 60000, len = sizeof(head) + vlen;
	unsigned char *der = malloc(len), key[CA_KEY_MAX];

	ck_assert(der != NULL);
	memcpy(der, head, sizeof(head));
	der[2] = (unsigned char)((len - 4) >> 8), der[3] = (unsigned char)(len - 4);
	der[6] = (unsigned char)((len - 8) >> 8), der[7] = (unsigned char)(len - 8);
	der[10] = (unsigned char)((len - 12) >> 8), der[11] = (unsigned char)(len - 12);
	der[19] = (unsigned char)(vlen >> 8), der[20] = (unsigned char)vlen;
	memset(der + sizeof(head), 'a', vlen);
	ck_assert_msg(ca_name_key(der, len, key, sizeof(key)) == 0, "long Name: key fits CA_KEY_MAX");
	free(der);
}
END_TEST

/* --- ca_key_cmp ------------------------------------------------------------------- */

static const struct {
	const char *label;
	const char *a;
	size_t alen;
	const char *b;
	size_t blen;
	int sign;
} cmps[] = {
	{"both empty", "", 0, "", 0, 0},
	{"empty first", "", 0, "a", 1, -1},
	{"equal", "abc", 3, "abc", 3, 0},
	{"smaller byte", "abc", 3, "abd", 3, -1},
	{"larger byte", "abd", 3, "abc", 3, 1},
	{"prefix first", "ab", 2, "abc", 3, -1},
	{"longer last", "abc", 3, "ab", 2, 1},
	{"bytes before length", "b", 1, "ab", 2, 1},
	{"bytes before length, reversed", "ab", 2, "b", 1, -1},
	{"unsigned bytes", "\x80", 1, "\x7f", 1, 1},
	{"NUL bytes count", "a\0", 2, "a", 1, 1},
};

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

START_TEST(test_key_cmp)
{
	int c = ca_key_cmp((const unsigned char *)cmps[_i].a, cmps[_i].alen,
			   (const unsigned char *)cmps[_i].b, cmps[_i].blen);

	ck_assert_msg(sign(c) == cmps[_i].sign, "%s: returned %d, expected sign %d", cmps[_i].label, c,
		      cmps[_i].sign);
}
END_TEST

/* --- the embedded bundle ---------------------------------------------------------- */

START_TEST(test_bundle_info)
{
	char want[32];

	ck_assert_msg(ca_bundle_count > 0, "bundle is empty");
	snprintf(want, sizeof(want), "%zu roots", ca_bundle_count);
	ck_assert_msg(strncmp(ca_bundle_info, want, strlen(want)) == 0, "info '%s' does not start '%s'",
		      ca_bundle_info, want);
}
END_TEST

/* Root _i parses, the index points at its subject, and looking up the
 * subject's key finds a range holding it. */
START_TEST(test_bundle_root)
{
	const struct ca_root *r = &ca_bundle_roots[_i];
	mbedtls_x509_crt crt;
	unsigned char key[CA_KEY_MAX];
	size_t klen, first, count;
	int ret;

	mbedtls_x509_crt_init(&crt);
	ret = mbedtls_x509_crt_parse_der(&crt, root_der(_i), r->der_len);
	ck_assert_msg(ret == 0, "root %d: parse failed, -0x%04x", _i, (unsigned)-ret);
	ck_assert_msg(crt.raw.len == r->der_len, "root %d: DER has %zu bytes, index says %u", _i,
		      crt.raw.len, r->der_len);
	ck_assert_msg(crt.subject_raw.p - crt.raw.p == r->subject_off &&
		      crt.subject_raw.len == r->subject_len,
		      "root %d: subject at %td (%zu bytes), index says %u (%u bytes)", _i,
		      crt.subject_raw.p - crt.raw.p, crt.subject_raw.len, r->subject_off, r->subject_len);
	klen = ca_name_key(crt.subject_raw.p, crt.subject_raw.len, key, sizeof(key));
	ck_assert_msg(klen > 0, "root %d: subject has no key", _i);
	first = ca_bundle_find(key, klen, &count);
	ck_assert_msg(count > 0, "root %d: not found", _i);
	ck_assert_msg(first <= (size_t)_i && (size_t)_i < first + count, "root %d: found [%zu, %zu)", _i,
		      first, first + count);
	mbedtls_x509_crt_free(&crt);
}
END_TEST

START_TEST(test_bundle_sorted)
{
	size_t alen, blen;
	const unsigned char *a = root_key(_i - 1, &alen), *b = root_key(_i, &blen);

	ck_assert_msg(ca_key_cmp(a, alen, b, blen) <= 0, "roots %d and %d out of order", _i - 1, _i);
	ck_assert_msg(ca_bundle_roots[_i].der_off == ca_bundle_roots[_i - 1].der_off +
		      ca_bundle_roots[_i - 1].der_len, "root %d does not follow root %d", _i, _i - 1);
}
END_TEST

/* Keys that no root has, made from a root's key. */
static const struct {
	const char *label;
	int root;	/* 0 first, 1 middle, 2 last */
	int how;
} absent[] = {
	{"first root, last byte + 1", 0, 0},
	{"middle root, last byte + 1", 1, 0},
	{"last root, last byte + 1", 2, 0},
	{"first root, last byte - 1", 0, 1},
	{"middle root, last byte - 1", 1, 1},
	{"middle root, one byte shorter", 1, 2},
	{"middle root, one byte longer", 1, 3},
	{"last root, one byte longer", 2, 3},
	{"empty key", 1, 4},
	{"below every key", 1, 5},
	{"above every key", 1, 6},
};

START_TEST(test_bundle_absent)
{
	size_t ri = absent[_i].root == 0 ? 0 : absent[_i].root == 1 ? ca_bundle_count / 2 : ca_bundle_count - 1;
	unsigned char key[CA_KEY_MAX + 1];
	size_t len, first, count;
	const unsigned char *k = root_key(ri, &len);

	memcpy(key, k, len);
	switch (absent[_i].how) {
	case 0:
		key[len - 1]++;
		break;
	case 1:
		key[len - 1]--;
		break;
	case 2:
		len--;
		break;
	case 3:
		key[len++] = 0;
		break;
	case 4:
		len = 0;
		break;
	case 5:
		key[0] = 0, len = 1;
		break;
	case 6:
		memset(key, 0xff, 4), len = 4;
		break;
	}
	for (size_t i = 0; i < ca_bundle_count; i++) {
		size_t rlen;
		const unsigned char *rk = root_key(i, &rlen);

		ck_assert_msg(ca_key_cmp(rk, rlen, key, len) != 0,
			      "%s: root %zu has this key; pick another", absent[_i].label, i);
	}
	first = ca_bundle_find(key, len, &count);
	ck_assert_msg(count == 0, "%s: found %zu roots", absent[_i].label, count);
	/* The index returned is where the key would go. */
	ck_assert_msg(first <= ca_bundle_count, "%s: index %zu", absent[_i].label, first);
	if (first > 0) {
		size_t rlen;
		const unsigned char *rk = root_key(first - 1, &rlen);

		ck_assert_msg(ca_key_cmp(rk, rlen, key, len) < 0, "%s: root before %zu is not smaller",
			      absent[_i].label, first);
	}
	if (first < ca_bundle_count) {
		size_t rlen;
		const unsigned char *rk = root_key(first, &rlen);

		ck_assert_msg(ca_key_cmp(rk, rlen, key, len) > 0, "%s: root %zu is not larger",
			      absent[_i].label, first);
	}
}
END_TEST

/* --- CA files --------------------------------------------------------------------- */

/* Writes data to a new temporary file whose name goes to path. */
static void write_temp(char *path, size_t cap, const void *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, cap, "%s/check_ca.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp %s failed", path);
	ck_assert_msg(len == 0 || write(fd, data, len) == (ssize_t)len, "write %s failed", path);
	close(fd);
}

/* Appends root i as a PEM block, lines of 64 characters ending in eol. */
static size_t put_pem(char *out, size_t cap, size_t o, size_t i, const char *eol)
{
	const unsigned char *der = root_der(i);
	size_t len = ca_bundle_roots[i].der_len;

	o += (size_t)snprintf(out + o, cap - o, "-----BEGIN CERTIFICATE-----%s", eol);
	for (size_t off = 0; off < len; off += 48) {
		size_t n, k = len - off < 48 ? len - off : 48;

		ck_assert(mbedtls_base64_encode((unsigned char *)out + o, cap - o, &n, der + off, k) == 0);
		o += n;
		o += (size_t)snprintf(out + o, cap - o, "%s", eol);
	}
	o += (size_t)snprintf(out + o, cap - o, "-----END CERTIFICATE-----%s", eol);
	ck_assert(o < cap);
	return o;
}

static const struct {
	const char *label;
	int kind;
	const char *text;
} bad_files[] = {
	{"missing file", 0, NULL},
	{"directory", 1, NULL},
	{"empty file", 2, ""},
	{"garbage text", 2, "this is not a certificate\n"},
	{"garbage binary", 2, "\x30\x03\x02\x01\x00\xff\xfe"},
	{"PEM with bad base64", 2, "-----BEGIN CERTIFICATE-----\n!!!notbase64!!!\n-----END CERTIFICATE-----\n"},
	{"PEM of a non-certificate", 2, "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"},
	{"PEM without END", 2, "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n"},
	{"PEM of a private key only", 2,
	 "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n"},
	{"truncated DER", 3, NULL},
};

START_TEST(test_store_bad_file)
{
	struct ca_store s;
	char path[4096];
	int r;

	switch (bad_files[_i].kind) {
	case 0:
		snprintf(path, sizeof(path), "/nonexistent/check_ca/%d.pem", (int)getpid());
		break;
	case 1:
		snprintf(path, sizeof(path), "/");
		break;
	case 2:
		write_temp(path, sizeof(path), bad_files[_i].text, strlen(bad_files[_i].text));
		break;
	case 3:
		write_temp(path, sizeof(path), root_der(0), ca_bundle_roots[0].der_len - 1);
		break;
	}
	err_clear();
	r = ca_store_init(&s, path, NET_NO_DEADLINE);
	ck_assert_msg(r == ERR_CAFILE, "%s: returned %d", bad_files[_i].label, r);
	ck_assert_msg(strstr(err_detail(), path) != NULL, "%s: detail '%s' does not name the file",
		      bad_files[_i].label, err_detail());
	ca_store_free(&s);
	if (bad_files[_i].kind >= 2)
		unlink(path);
}
END_TEST

static const struct {
	const char *label;
	int pem;		/* 0 DER, 1 PEM */
	int roots[3];		/* -1 ends; 0 first, 1 middle, 2 last root */
	const char *eol;
	const char *junk;	/* PEM only: an unparsable block put first */
	size_t count;
} good_files[] = {
	{"DER, first root", 0, {0, -1}, NULL, NULL, 1},
	{"DER, last root", 0, {2, -1}, NULL, NULL, 1},
	{"PEM, middle root", 1, {1, -1}, "\n", NULL, 1},
	{"PEM, CRLF line ends", 1, {0, -1}, "\r\n", NULL, 1},
	{"PEM, three roots", 1, {0, 1, 2}, "\n", NULL, 3},
	{"PEM, bad block skipped", 1, {1, -1}, "\n",
	 "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n", 1},
	{"PEM, text around blocks", 1, {2, 0, -1}, "\n", "# a comment\nsubject=CN = x\n", 2},
};

static size_t pick(int which)
{
	return which == 0 ? 0 : which == 1 ? ca_bundle_count / 2 : ca_bundle_count - 1;
}

/* A child certificate as ca_lookup() sees it: only its issuer is read. */
static void child_of(mbedtls_x509_crt *child, size_t i)
{
	mbedtls_x509_crt_init(child);
	child->issuer_raw.p = (unsigned char *)root_subject(i);
	child->issuer_raw.len = ca_bundle_roots[i].subject_len;
}

/* Looks up the issuer of a child of root i and checks that root i is among
 * the candidates. */
static void check_lookup_self(struct ca_store *s, size_t i, const char *label)
{
	mbedtls_x509_crt child, *cand = (mbedtls_x509_crt *)1;
	const unsigned char *der = root_der(i);
	size_t der_len = ca_bundle_roots[i].der_len;
	int r;

	child_of(&child, i);
	r = ca_lookup(s, &child, &cand);
	ck_assert_msg(r == 0, "%s: root %zu: ca_lookup returned -0x%04x", label, i, (unsigned)-r);
	ck_assert_msg(cand != NULL, "%s: root %zu: no candidate", label, i);
	{
		int found = 0;

		for (mbedtls_x509_crt *c = cand; c && c->raw.len; c = c->next)
			found |= c->raw.len == der_len && memcmp(c->raw.p, der, der_len) == 0;
		ck_assert_msg(found, "%s: root %zu: not among the candidates", label, i);
	}
	mbedtls_x509_crt_free(cand);
	free(cand);
}

START_TEST(test_store_file)
{
	static char text[3 * 8192];
	struct ca_store s;
	char path[4096];
	size_t o = 0;
	int r;

	if (good_files[_i].pem) {
		if (good_files[_i].junk)
			o += (size_t)snprintf(text, sizeof(text), "%s", good_files[_i].junk);
		for (int k = 0; k < 3 && good_files[_i].roots[k] >= 0; k++)
			o = put_pem(text, sizeof(text), o, pick(good_files[_i].roots[k]), good_files[_i].eol);
		write_temp(path, sizeof(path), text, o);
	} else {
		size_t i = pick(good_files[_i].roots[0]);

		write_temp(path, sizeof(path), root_der(i), ca_bundle_roots[i].der_len);
	}
	r = ca_store_init(&s, path, NET_NO_DEADLINE);
	ck_assert_msg(r == ERR_OK, "%s: returned %d (%s)", good_files[_i].label, r, err_detail());
	ck_assert_msg(s.from_file == 1, "%s: not from file", good_files[_i].label);
	ck_assert_msg(s.file_count == good_files[_i].count, "%s: %zu roots, expected %zu",
		      good_files[_i].label, s.file_count, good_files[_i].count);
	for (int k = 0; k < 3 && good_files[_i].roots[k] >= 0; k++)
		check_lookup_self(&s, pick(good_files[_i].roots[k]), good_files[_i].label);
	ca_store_free(&s);
	unlink(path);
}
END_TEST

/* A file store does not answer for a root it does not hold. */
START_TEST(test_store_file_other_issuer)
{
	struct ca_store s;
	mbedtls_x509_crt child, *cand = (mbedtls_x509_crt *)1;
	size_t other = ca_bundle_count - 1;
	char path[4096];

	size_t alen, blen;
	const unsigned char *a = root_key(0, &alen), *b = root_key(other, &blen);

	ck_assert_msg(ca_key_cmp(a, alen, b, blen) != 0, "first and last root share a subject");
	write_temp(path, sizeof(path), root_der(0), ca_bundle_roots[0].der_len);
	ck_assert(ca_store_init(&s, path, NET_NO_DEADLINE) == ERR_OK);
	child_of(&child, other);
	ck_assert_msg(ca_lookup(&s, &child, &cand) == 0, "other issuer: error");
	ck_assert_msg(cand == NULL, "other issuer: a candidate was returned");
	ca_store_free(&s);
	unlink(path);
}
END_TEST

/* Every embedded root is found as the issuer of itself. */
START_TEST(test_store_bundle_lookup)
{
	struct ca_store s;
	char label[32];

	ck_assert(ca_store_init(&s, NULL, NET_NO_DEADLINE) == ERR_OK);
	ck_assert_msg(s.from_file == 0, "bundle store marked as from file");
	snprintf(label, sizeof(label), "bundle root %d", _i);
	check_lookup_self(&s, (size_t)_i, label);
	ca_store_free(&s);
}
END_TEST

/* Issuer names that no root has, or that are not Names at all. */
static const struct {
	const char *label;
	const char *spec;	/* NULL: raw below */
	unsigned char raw[8];
	size_t rawlen;
} strangers[] = {
	{"unknown issuer", "C=P:ZZ/O=U:hello unit tests/CN=U:No Such Root", {0}, 0},
	{"unknown issuer, one RDN", "CN=U:No Such Root", {0}, 0},
	{"malformed issuer", NULL, {0x30, 0x05, 0x31, 0x00}, 4},
	{"empty issuer", NULL, {0}, 0},
	{"garbage issuer", NULL, {0xff, 0xff, 0xff}, 3},
};

START_TEST(test_store_lookup_stranger)
{
	unsigned char der[512];
	struct ca_store s;
	mbedtls_x509_crt child, *cand = (mbedtls_x509_crt *)1;
	int r;

	mbedtls_x509_crt_init(&child);
	if (strangers[_i].spec) {
		child.issuer_raw.len = build_name(strangers[_i].spec, der, sizeof(der));
	} else {
		memcpy(der, strangers[_i].raw, strangers[_i].rawlen);
		child.issuer_raw.len = strangers[_i].rawlen;
	}
	child.issuer_raw.p = der;
	ck_assert(ca_store_init(&s, NULL, NET_NO_DEADLINE) == ERR_OK);
	r = ca_lookup(&s, &child, &cand);
	ck_assert_msg(r == 0, "%s: returned -0x%04x", strangers[_i].label, (unsigned)-r);
	ck_assert_msg(cand == NULL, "%s: a candidate was returned", strangers[_i].label);
	ca_store_free(&s);
}
END_TEST

static Suite *ca_suite(void)
{
	Suite *s = suite_create("ca");
	TCase *tc;

	tc = tcase_create("name_key");
	tcase_add_loop_test(tc, test_name_key, 0, ARRAY_SIZE(names));
	tcase_add_loop_test(tc, test_name_key_malformed, 0, ARRAY_SIZE(malformed));
	tcase_add_test(tc, test_name_key_cap);
	tcase_add_test(tc, test_name_key_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("key_cmp");
	tcase_add_loop_test(tc, test_key_cmp, 0, ARRAY_SIZE(cmps));
	suite_add_tcase(s, tc);

	tc = tcase_create("bundle");
	tcase_add_test(tc, test_bundle_info);
	tcase_add_loop_test(tc, test_bundle_root, 0, (int)ca_bundle_count);
	tcase_add_loop_test(tc, test_bundle_sorted, 1, (int)ca_bundle_count);
	tcase_add_loop_test(tc, test_bundle_absent, 0, ARRAY_SIZE(absent));
	suite_add_tcase(s, tc);

	tc = tcase_create("store");
	tcase_add_loop_test(tc, test_store_bad_file, 0, ARRAY_SIZE(bad_files));
	tcase_add_loop_test(tc, test_store_file, 0, ARRAY_SIZE(good_files));
	tcase_add_test(tc, test_store_file_other_issuer);
	tcase_add_loop_test(tc, test_store_bundle_lookup, 0, (int)ca_bundle_count);
	tcase_add_loop_test(tc, test_store_lookup_stranger, 0, ARRAY_SIZE(strangers));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(ca_suite)
