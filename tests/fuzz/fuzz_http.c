/*
 * libFuzzer harness for the response parser.
 *
 * Input: byte 0 picks a split position, byte 1 holds flags (bit 0: the
 * request was HEAD), the rest is what the server sent.
 *
 * 1. http_parse_head() on it, in a buffer of exactly its size (ASan sees
 *    any read past the end). A head it accepts lies within the input and
 *    HTTP_HEAD_MAX, and every shorter prefix of it is HTTP_PARTIAL: the
 *    head is re-parsed as bytes arrive, so a prefix must never be refused.
 * 2. The body decoder, framed by that head (or, when the head is not
 *    accepted, as a chunked body), fed the bytes in one piece, split in two
 *    at the chosen position, and one byte at a time (bodies over 512 bytes:
 *    in pieces of 1 + len/256 bytes): the three must agree on the decoded
 *    bytes and the verdict. abort() if not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	int r;			/* 0 more body expected, 1 complete, or ERR_RECV */
	int eof;		/* http_body_eof() when not done */
	size_t out_len;
	char *out;		/* decoded bytes */
};

/* Feeds body[0..len) to a fresh decoder in pieces of at most step bytes,
 * the first piece being first bytes long (when first is not 0). */
static void decode(struct run *res, const struct http_body *init, const char *body, size_t len,
		   size_t first, size_t step)
{
	struct http_body b = *init;
	size_t off = 0;
	char *one = step == 1 ? malloc(1) : NULL;	/* reused: malloc per byte is slow */

	res->out = malloc(len + 1);
	res->out_len = 0;
	res->r = 0;
	if (!res->out)
		abort();
	do {
		size_t n = len - off, got;
		char *piece;

		if (first) {
			if (n > first)
				n = first;
			first = 0;
		} else if (n > step) {
			n = step;
		}
		/* Each piece in its own exact-size buffer, as if just received. */
		piece = n == 1 && one ? one : malloc(n ? n : 1);
		if (!piece)
			abort();
		memcpy(piece, body + off, n);
		got = n;
		res->r = http_body_decode(&b, piece, &got);
		if (res->r != ERR_OK && res->r != ERR_RECV)
			abort();
		if (res->r == ERR_OK)
			res->r = b.done;	/* 0: more to come, 1: complete */
		if (res->r != ERR_RECV) {
			if (got > n)
				abort();
			memcpy(res->out + res->out_len, piece, got);
			res->out_len += got;
		}
		if (piece != one)
			free(piece);
		off += n;
	} while (res->r == 0 && off < len);
	free(one);
	if (res->r == 1 && !b.done)
		abort();
	res->eof = res->r == 0 ? http_body_eof(&b) : -1;
	if (res->eof != -1 && res->eof != ERR_OK && res->eof != ERR_PARTIAL)
		abort();
}

static void compare(const struct run *a, const struct run *b, const char *what)
{
	if (a->r != b->r || a->eof != b->eof ||
	    (a->r != ERR_RECV && (a->out_len != b->out_len || memcmp(a->out, b->out, a->out_len) != 0))) {
		fprintf(stderr, "%s: result %d/%d, eof %d/%d, %zu/%zu bytes\n", what, a->r, b->r,
			a->eof, b->eof, a->out_len, b->out_len);
		abort();
	}
}

static void check_head(const struct http_head *h, const char *buf, long n)
{
	if (h->status < 100 || h->status > 599 || h->minor < 0 || h->minor > 9 ||
	    h->nfields > HTTP_FIELDS_MAX)
		abort();
	if (h->reason < buf || h->reason + h->reason_len > buf + n)
		abort();
	for (size_t i = 0; i < h->nfields; i++) {
		const struct http_field *f = &h->fields[i];

		if (f->name_len == 0 || f->name < buf || f->name + f->name_len > buf + n ||
		    f->value < buf || f->value + f->value_len > buf + n)
			abort();
		if (f->value_len && (f->value[0] == ' ' || f->value[f->value_len - 1] == ' ' ||
				     f->value[0] == '\t' || f->value[f->value_len - 1] == '\t'))
			abort();
		for (size_t k = 0; k < f->value_len; k++)
			if (f->value[k] == '\r' || f->value[k] == '\n' || f->value[k] == '\0')
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char chunked_head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	static struct http_head h, ph;
	struct http_body b;
	struct run one, two, bytes;
	const char *body;
	size_t len, blen, split;
	char *buf;
	long n;
	int head_request;

	if (size < 2)
		return 0;
	head_request = data[1] & 1;
	len = size - 2;
	buf = malloc(len ? len : 1);
	if (!buf)
		abort();
	memcpy(buf, data + 2, len);

	/* 1. The head. */
	n = http_parse_head(&h, buf, len);
	if (n != HTTP_PARTIAL && n != HTTP_BAD && (n <= 0 || (size_t)n > len || n > HTTP_HEAD_MAX))
		abort();
	if (n == HTTP_PARTIAL && len >= HTTP_HEAD_MAX)
		abort();
	if (n > 0) {
		size_t k = (size_t)data[0] * (size_t)n / 256;
		char *prefix = malloc(k ? k : 1);
		long pn;

		check_head(&h, buf, n);
		http_field(&h, "Content-Length");
		if (!prefix)
			abort();
		memcpy(prefix, buf, k);
		pn = http_parse_head(&ph, prefix, k);
		if (pn != HTTP_PARTIAL) {
			fprintf(stderr, "prefix of %zu bytes of a %ld-byte head: %ld\n", k, n, pn);
			abort();
		}
		free(prefix);
	}

	/* 2. The body. */
	if (n > 0) {
		int r = http_body_init(&b, &h, head_request);

		if (r != ERR_OK && r != ERR_WEIRD_REPLY)
			abort();
		if (r != ERR_OK) {
			free(buf);
			return 0;
		}
		body = buf + n;
		blen = len - (size_t)n;
	} else {
		if (http_parse_head(&h, chunked_head, sizeof(chunked_head) - 1) <= 0 ||
		    http_body_init(&b, &h, 0) != ERR_OK || b.framing != HTTP_BODY_CHUNKED)
			abort();
		body = buf;
		blen = len;
	}
	split = (size_t)data[0] * blen / 255;
	decode(&one, &b, body, blen, 0, blen ? blen : 1);
	decode(&two, &b, body, blen, split, blen ? blen : 1);
	compare(&one, &two, "one piece vs two");
	/* Byte by byte; a long body in small pieces instead, to keep the
	 * harness fast (at most ~256 calls). */
	decode(&bytes, &b, body, blen, 0, blen <= 512 ? 1 : 1 + blen / 256);
	compare(&one, &bytes, "one piece vs small pieces");
	free(bytes.out);
	free(one.out);
	free(two.out);
	free(buf);
	return 0;
}
