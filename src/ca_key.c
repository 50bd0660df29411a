/* Subject keys for the trust store index; shared with certs/certgen.c. */
#include "ca.h"
#include "util.h"

#include <string.h>

#define ASN1_SEQUENCE 0x30
#define ASN1_SET 0x31
#define ASN1_OID 0x06
#define ASN1_UTF8 0x0c
#define ASN1_PRINTABLE 0x13

/* Reads a DER tag and length at *p. Returns the content length and moves *p
 * to the content, or returns -1 when malformed. */
static long tlv(const unsigned char **p, const unsigned char *end, int tag)
{
	const unsigned char *q = *p;
	size_t len;

	if (end - q < 2 || *q++ != tag)
		return -1;
	len = *q++;
	if (len & 0x80) {
		int n = (int)(len & 0x7f);

		if (n < 1 || n > 2 || end - q < n)
			return -1;
		for (len = 0; n--; q++)
			len = (len << 8) | *q;
	}
	if ((size_t)(end - q) < len)
		return -1;
	*p = q;
	return (long)len;
}

size_t ca_name_key(const unsigned char *name, size_t len, unsigned char *out, size_t cap)
{
	const unsigned char *p = name, *end = name + len;
	size_t o = 0;
	long n;

#define EMIT(byte)                       \
	do {                             \
		if (o == cap)            \
			return 0;        \
		out[o++] = (unsigned char)(byte); \
	} while (0)

	if ((n = tlv(&p, end, ASN1_SEQUENCE)) < 0 || p + n != end)
		return 0;
	while (p < end) {
		const unsigned char *set_end;

		if ((n = tlv(&p, end, ASN1_SET)) < 0)
			return 0;
		set_end = p + n;
		EMIT(ASN1_SET);		/* marks each RDN: multi-valued RDNs stay apart */
		while (p < set_end) {
			const unsigned char *ava_end, *oid;
			long oid_len, vlen;
			int tag;

			if ((n = tlv(&p, set_end, ASN1_SEQUENCE)) < 0)
				return 0;
			ava_end = p + n;
			if ((oid_len = tlv(&p, ava_end, ASN1_OID)) < 0 || oid_len > 255)
				return 0;
			oid = p;
			p += oid_len;
			if (ava_end - p < 2)
				return 0;
			tag = *p;
			if ((vlen = tlv(&p, ava_end, tag)) < 0 || p + vlen != ava_end || vlen > 0xffff)
				return 0;
			EMIT(oid_len);
			for (long i = 0; i < oid_len; i++)
				EMIT(oid[i]);
			/* UTF8String and PrintableString compare alike, without ASCII case. */
			if (tag == ASN1_UTF8 || tag == ASN1_PRINTABLE) {
				EMIT(ASN1_UTF8);
				EMIT(vlen >> 8);
				EMIT(vlen);
				for (long i = 0; i < vlen; i++)
					EMIT(ascii_lower(p[i]));
			} else {
				EMIT(tag);
				EMIT(vlen >> 8);
				EMIT(vlen);
				for (long i = 0; i < vlen; i++)
					EMIT(p[i]);
			}
			p = ava_end;
		}
	}
#undef EMIT
	return o;
}

int ca_key_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}
