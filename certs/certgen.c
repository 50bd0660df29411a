/*
 * certgen: turns the PEM bundle in certs/ into C source for the binary: the
 * roots as DER, and an index of their subject keys (src/ca_key.c) sorted for
 * binary search. Roots expired at the reference time (SOURCE_DATE_EPOCH, else
 * the bundle's date in PROVENANCE) and roots mbedtls cannot use are dropped
 * and reported on stderr. The bundle must match the SHA-256 in PROVENANCE.
 *
 *   certgen BUNDLE.pem PROVENANCE > cabundle.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/pem.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "ca.h"

struct root {
	unsigned char *der;
	size_t der_len;
	unsigned char key[CA_KEY_MAX];
	size_t key_len;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "certgen: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		die("cannot read %s", path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read %s", path);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* The value of "name: value" in the provenance file, or die. */
static const char *field(const char *prov, const char *name)
{
	static char value[4][256];
	static int slot;
	size_t n = strlen(name);

	for (const char *p = prov; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t len;

			while (*v == ' ')
				v++;
			len = strcspn(v, "\n");
			if (len >= sizeof(value[0]))
				break;
			slot = (slot + 1) % 4;
			memcpy(value[slot], v, len);
			value[slot][len] = '\0';
			return value[slot];
		}
	}
	die("PROVENANCE has no '%s' line", name);
	return NULL;
}

static int time_before(const mbedtls_x509_time *t, const struct tm *ref)
{
	int a[6] = {t->year, t->mon, t->day, t->hour, t->min, t->sec};
	int b[6] = {ref->tm_year + 1900, ref->tm_mon + 1, ref->tm_mday, ref->tm_hour, ref->tm_min,
		    ref->tm_sec};

	for (int i = 0; i < 6; i++)
		if (a[i] != b[i])
			return a[i] < b[i];
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const struct root *x = a, *y = b;

	return ca_key_cmp(x->key, x->key_len, y->key, y->key_len);
}

static void emit_bytes(const char *name, const unsigned char *p, size_t n)
{
	printf("const unsigned char %s[] = {", name);
	for (size_t i = 0; i < n; i++)
		printf("%s0x%02x,", i % 16 ? " " : "\n\t", p[i]);
	printf("\n};\n\n");
}

int main(int argc, char **argv)
{
	static struct root roots[1024];
	size_t pem_len, prov_len, nroots = 0, dropped = 0, der_total = 0, key_total = 0;
	char *pem, *prov, hex[65], subject[256];
	unsigned char sha[32], *der_all, *key_all;
	const char *epoch_s;
	time_t epoch;
	struct tm ref;

	if (argc != 3)
		die("usage: certgen BUNDLE.pem PROVENANCE%s", "");
	pem = slurp(argv[1], &pem_len);
	prov = slurp(argv[2], &prov_len);

	mbedtls_sha256((unsigned char *)pem, pem_len, sha, 0);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", sha[i]);
	if (strcmp(hex, field(prov, "sha256")) != 0)
		die("%s does not match the sha256 in PROVENANCE; run 'make update-certs'", argv[1]);

	epoch_s = getenv("SOURCE_DATE_EPOCH");
	if (!epoch_s || !*epoch_s)
		epoch_s = field(prov, "epoch");
	epoch = (time_t)strtoll(epoch_s, NULL, 10);
	gmtime_r(&epoch, &ref);

	for (const char *p = pem; (p = strstr(p, "-----BEGIN CERTIFICATE-----")) != NULL;) {
		mbedtls_pem_context ctx;
		mbedtls_x509_crt crt;
		size_t used;
		int r;

		mbedtls_pem_init(&ctx);
		r = mbedtls_pem_read_buffer(&ctx, "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----",
					    (const unsigned char *)p, NULL, 0, &used);
		if (r != 0)
			die("bad PEM block in %s", argv[1]);
		p += used;
		mbedtls_x509_crt_init(&crt);
		r = mbedtls_x509_crt_parse_der(&crt, ctx.private_buf, ctx.private_buflen);
		if (r != 0) {
			fprintf(stderr, "certgen: dropped root #%zu: mbedtls cannot use it (-0x%04x)\n",
				nroots + dropped + 1, (unsigned)-r);
			dropped++;
		} else {
			struct root *rt = &roots[nroots];

			mbedtls_x509_dn_gets(subject, sizeof(subject), &crt.subject);
			if (time_before(&crt.valid_to, &ref)) {
				fprintf(stderr, "certgen: dropped expired root: %s (notAfter %04d-%02d-%02d)\n",
					subject, crt.valid_to.year, crt.valid_to.mon, crt.valid_to.day);
				dropped++;
			} else {
				if (nroots == sizeof(roots) / sizeof(roots[0]))
					die("more roots than %s", "1024");
				if (crt.raw.len > 0xffff)
					die("root larger than 64 KiB: %s", subject);
				rt->key_len = ca_name_key(crt.subject_raw.p, crt.subject_raw.len, rt->key,
							  sizeof(rt->key));
				if (rt->key_len == 0)
					die("subject name too long or malformed: %s", subject);
				rt->der = malloc(crt.raw.len);
				memcpy(rt->der, crt.raw.p, crt.raw.len);
				rt->der_len = crt.raw.len;
				nroots++;
			}
		}
		mbedtls_x509_crt_free(&crt);
		mbedtls_pem_free(&ctx);
	}
	if (nroots == 0)
		die("no usable root in %s", argv[1]);

	qsort(roots, nroots, sizeof(roots[0]), by_key);
	for (size_t i = 0; i < nroots; i++) {
		der_total += roots[i].der_len;
		key_total += roots[i].key_len;
	}
	der_all = malloc(der_total);
	key_all = malloc(key_total);
	der_total = key_total = 0;

	printf("/* Automatically generated by certs/certgen from %s: do not edit. */\n\n", argv[1]);
	printf("#include \"ca.h\"\n\n");
	printf("const size_t ca_bundle_count = %zu;\n\n", nroots);
	printf("const char ca_bundle_info[] = \"%zu roots, %s (%s), sha256 %s\";\n\n", nroots,
	       field(prov, "package"), field(prov, "date"), hex);
	printf("const struct ca_root ca_bundle_roots[] = {\n");
	for (size_t i = 0; i < nroots; i++) {
		printf("\t{%zu, %zu, %zu, %zu},\n", der_total, key_total, roots[i].der_len,
		       roots[i].key_len);
		memcpy(der_all + der_total, roots[i].der, roots[i].der_len);
		memcpy(key_all + key_total, roots[i].key, roots[i].key_len);
		der_total += roots[i].der_len;
		key_total += roots[i].key_len;
	}
	printf("};\n\n");
	emit_bytes("ca_bundle_der", der_all, der_total);
	emit_bytes("ca_bundle_keys", key_all, key_total);
	fprintf(stderr, "certgen: %zu roots embedded (%zu bytes DER, %zu bytes index keys), %zu dropped\n",
		nroots, der_total, key_total, dropped);
	return 0;
}
