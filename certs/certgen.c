/*
 * certgen: turns the PEM bundle in certs/ into C source for the binary: each
 * root as a compact DER certificate holding only what verification reads
 * from a trust anchor, sorted by subject key (src/ca_key.c) for binary
 * search. Roots expired at the reference time (SOURCE_DATE_EPOCH, else the
 * bundle's date in PROVENANCE) and roots mbedtls cannot use are dropped and
 * reported on stderr. The bundle must match the SHA-256 in PROVENANCE.
 *
 * What a trust anchor needs, and what is dropped: mbedtls takes from a
 * trusted root its subject (matched against the child's issuer), its public
 * key (to check the child's signature), its validity (roots expire too), its
 * basicConstraints (CA bit, path length) and keyUsage (keyCertSign). It
 * never checks a trust anchor's own signature, issuer, serial or other
 * extensions. So each root is re-encoded as version, a one-byte serial, a
 * placeholder signature algorithm, a placeholder issuer, the original
 * validity, subject and key, and only those two extensions, with an empty
 * signature: about half the bytes, and no SHA-1 code needed to parse roots
 * self-signed with SHA-1.
 *
 *   certgen BUNDLE.pem PROVENANCE > cabundle.c
 */

#define _GNU_SOURCE /* memmem */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/asn1.h>
#include <mbedtls/pem.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "ca.h"
#include "util.h"

struct root {
	unsigned char *der;
	size_t der_len;
	size_t subject_off;	/* where the subject Name starts in der */
	size_t subject_len;
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


/* Reads one TLV at *p: *tag, its content in [*c, *c + *clen), and moves *p
 * past it. Returns the whole TLV's length, or 0 when malformed. */
static size_t next_tlv(unsigned char **p, const unsigned char *end, int *tag, unsigned char **c,
		       size_t *clen)
{
	unsigned char *start = *p, *q = *p + 1;

	if (end - *p < 2)
		return 0;
	*tag = **p;
	if (mbedtls_asn1_get_len(&q, end, clen) != 0)
		return 0;
	*c = q;
	*p = q + *clen;
	return (size_t)(*p - start);
}

/* Appends a DER TLV with content c to out at *o. */
static void put_tlv(unsigned char *out, size_t *o, int tag, const unsigned char *c, size_t n)
{
	out[(*o)++] = (unsigned char)tag;
	if (n < 0x80) {
		out[(*o)++] = (unsigned char)n;
	} else if (n < 0x100) {
		out[(*o)++] = 0x81;
		out[(*o)++] = (unsigned char)n;
	} else {
		out[(*o)++] = 0x82;
		out[(*o)++] = (unsigned char)(n >> 8);
		out[(*o)++] = (unsigned char)n;
	}
	memmove(out + *o, c, n);
	*o += n;
}

/* Re-encodes the certificate der as a compact trust anchor (see the top of
 * this file) into out (at least len bytes). The original is walked here, not
 * parsed by mbedtls, which cannot parse a root self-signed with SHA-1 in this
 * configuration. Returns the compact length; sets where its subject is. */
static size_t compact(const unsigned char *der, size_t len, unsigned char *out, size_t *subj_off,
		      size_t *subj_len)
{
	static const unsigned char oid_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
	static const unsigned char oid_bc[] = {0x55, 0x1d, 0x13}, oid_ku[] = {0x55, 0x1d, 0x0f};
	static const unsigned char sig_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
						0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
	static const unsigned char sig_ec[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
					       0x3d, 0x04, 0x03, 0x02};
	/* "CN=." : the issuer of a trust anchor is never read. */
	static const unsigned char issuer[] = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03,
					       0x55, 0x04, 0x03, 0x0c, 0x01, 0x2e};
	static const unsigned char version[] = {0xa0, 0x03, 0x02, 0x01, 0x02};
	static const unsigned char serial[] = {0x02, 0x01, 0x01};
	static const unsigned char empty_sig[] = {0x03, 0x02, 0x00, 0x00};
	const unsigned char *sig;
	size_t sig_len;
	unsigned char *p = (unsigned char *)der, *end = p + len, *c, *tbs_end;
	unsigned char *validity = NULL, *subject = NULL, *spki = NULL;
	size_t vlen = 0, slen = 0, klen = 0, clen, n, o = 0, ext_len = 0;
	unsigned char tbs[8192], exts[2048];
	int tag, v3 = 0;

	/* Walk the original: Certificate { TBSCertificate { ... } ... }. */
	if (!next_tlv(&p, end, &tag, &c, &clen) || tag != 0x30)
		die("bad Certificate%s", "");
	p = c;
	end = c + clen;
	if (!next_tlv(&p, end, &tag, &c, &clen) || tag != 0x30)
		die("bad TBSCertificate%s", "");
	p = c;
	tbs_end = c + clen;
	for (int field = 0; p < tbs_end; field++) {
		unsigned char *start = p;

		if (!(n = next_tlv(&p, tbs_end, &tag, &c, &clen)))
			die("bad TBSCertificate%s", "");
		if (field == 0 && tag != 0xa0)
			field++;	/* version 1: no [0] field */
		else if (field == 0)
			v3 = clen == 3 && c[2] == 2;
		switch (field) {
		case 4: validity = start; vlen = n; break;
		case 5: subject = start; slen = n; break;
		case 6: spki = start; klen = n; break;
		}
		if (tag != 0xa3)
			continue;
		/* extensions: [3] { SEQUENCE OF Extension }; keep basicConstraints
		 * and keyUsage, byte for byte. */
		{
			unsigned char *e = c, *e_end = c + clen, *ec;
			size_t eclen;

			if (!next_tlv(&e, e_end, &tag, &ec, &eclen) || tag != 0x30)
				die("bad extensions%s", "");
			e = ec;
			while (e < e_end) {
				unsigned char *ext = e, *x, *oid;
				size_t xlen, olen, elen;

				if (!(elen = next_tlv(&e, e_end, &tag, &x, &xlen)))
					die("bad extension%s", "");
				if (!next_tlv(&x, x + xlen, &tag, &oid, &olen) || tag != 0x06)
					die("bad extension%s", "");
				if ((olen == 3 && memcmp(oid, oid_bc, 3) == 0) ||
				    (olen == 3 && memcmp(oid, oid_ku, 3) == 0)) {
					memcpy(exts + ext_len, ext, elen);
					ext_len += elen;
				}
			}
		}
	}
	if (!validity || !subject || !spki)
		die("TBSCertificate without validity, subject or key%s", "");
	/* SubjectPublicKeyInfo { AlgorithmIdentifier { OID ... } ... } */
	sig = memmem(spki, klen < 20 ? klen : 20, oid_rsa, sizeof(oid_rsa)) ? sig_rsa : sig_ec;
	sig_len = sig == sig_rsa ? sizeof(sig_rsa) : sizeof(sig_ec);

	/* The new TBSCertificate. */
	n = 0;
	if (v3) {
		memcpy(tbs + n, version, sizeof(version));
		n += sizeof(version);
	}
	memcpy(tbs + n, serial, sizeof(serial));
	n += sizeof(serial);
	memcpy(tbs + n, sig, sig_len);
	n += sig_len;
	memcpy(tbs + n, issuer, sizeof(issuer));
	n += sizeof(issuer);
	memcpy(tbs + n, validity, vlen);
	n += vlen;
	*subj_off = n;
	memcpy(tbs + n, subject, slen);
	n += slen;
	memcpy(tbs + n, spki, klen);
	n += klen;
	if (ext_len && v3) {
		unsigned char seq[2100], wrapped[2200];
		size_t s = 0, w = 0;

		put_tlv(seq, &s, 0x30, exts, ext_len);
		put_tlv(wrapped, &w, 0xa3, seq, s);
		memcpy(tbs + n, wrapped, w);
		n += w;
	}

	/* Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signature } */
	{
		unsigned char body[8400], tbs_tlv[8300];
		size_t b = 0, t = 0, before;

		put_tlv(tbs_tlv, &t, 0x30, tbs, n);
		before = t - n;		/* TBS header bytes */
		memcpy(body + b, tbs_tlv, t);
		b += t;
		memcpy(body + b, sig, sig_len);
		b += sig_len;
		memcpy(body + b, empty_sig, sizeof(empty_sig));
		b += sizeof(empty_sig);
		put_tlv(out, &o, 0x30, body, b);
		*subj_off += (o - b) + before;
	}
	*subj_len = slen;
	return o;
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
	size_t pem_len, prov_len, nroots = 0, dropped = 0, der_total = 0, original_total = 0;
	char *pem, *prov, hex[65], subject[256];
	unsigned char sha[32], *der_all;
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
		struct root *rt = &roots[nroots];
		const unsigned char *issued;
		size_t issued_len;
		size_t used;
		int r;

		mbedtls_pem_init(&ctx);
		r = mbedtls_pem_read_buffer(&ctx, "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----",
					    (const unsigned char *)p, NULL, 0, &used);
		if (r != 0)
			die("bad PEM block in %s", argv[1]);
		p += used;
		mbedtls_x509_crt_init(&crt);
		issued = mbedtls_pem_get_buffer(&ctx, &issued_len);
		rt->der = malloc(issued_len);
		rt->der_len = compact(issued, issued_len, rt->der, &rt->subject_off, &rt->subject_len);
		r = mbedtls_x509_crt_parse_der(&crt, rt->der, rt->der_len);
		if (r == 0)
			mbedtls_x509_dn_gets(subject, sizeof(subject), &crt.subject);
		if (r != 0) {
			/* A key mbedtls cannot use (a curve not compiled in) cannot
			 * anchor a chain either. */
			fprintf(stderr, "certgen: dropped root #%zu: mbedtls cannot parse its key (-0x%04x)\n",
				nroots + dropped + 1, (unsigned)-r);
			dropped++;
		} else if (time_before(&crt.valid_to, &ref)) {
			fprintf(stderr, "certgen: dropped expired root: %s (notAfter %04d-%02d-%02d)\n",
				subject, crt.valid_to.year, crt.valid_to.mon, crt.valid_to.day);
			dropped++;
		} else if ((size_t)(crt.subject_raw.p - crt.raw.p) != rt->subject_off) {
			die("compact form of %s: subject offset is wrong", subject);
		} else {
			rt->key_len = ca_name_key(crt.subject_raw.p, crt.subject_raw.len, rt->key,
						  sizeof(rt->key));
			if (rt->key_len == 0)
				die("subject name too long or malformed: %s", subject);
			original_total += issued_len;
			if (++nroots == ARRAY_SIZE(roots))
				die("more roots than %s", "1023");
		}
		mbedtls_x509_crt_free(&crt);
		mbedtls_pem_free(&ctx);
	}
	if (nroots == 0)
		die("no usable root in %s", argv[1]);

	qsort(roots, nroots, sizeof(roots[0]), by_key);
	for (size_t i = 0; i < nroots; i++)
		der_total += roots[i].der_len;
	der_all = malloc(der_total);
	der_total = 0;

	printf("/* Automatically generated by certs/certgen from %s: do not edit. */\n\n", argv[1]);
	printf("#include \"ca.h\"\n\n");
	printf("const size_t ca_bundle_count = %zu;\n\n", nroots);
	printf("const char ca_bundle_info[] = \"%zu roots, %s (%s), sha256 %s\";\n\n", nroots,
	       field(prov, "package"), field(prov, "date"), hex);
	printf("const struct ca_root ca_bundle_roots[] = {\n");
	for (size_t i = 0; i < nroots; i++) {
		if (der_total > 0xffffffffu)
			die("bundle larger than 4 GiB%s", "");
		printf("\t{%zu, %zu, %zu, %zu},\n", der_total, roots[i].der_len, roots[i].subject_off,
		       roots[i].subject_len);
		memcpy(der_all + der_total, roots[i].der, roots[i].der_len);
		der_total += roots[i].der_len;
	}
	printf("};\n\n");
	emit_bytes("ca_bundle_der", der_all, der_total);
	fprintf(stderr, "certgen: %zu roots embedded: %zu bytes as compact DER (%zu as issued), %zu dropped\n",
		nroots, der_total, original_total, dropped);
	return 0;
}
