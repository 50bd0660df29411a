/* Unit tests for http.c: the response head parser, body framing and
 * decoding, and request formatting.
 *
 * As picohttpparser's tests do, every input is fed one byte at a time, and
 * each buffer handed to the parser ends right before a PROT_NONE page, so a
 * read past its end crashes the test instead of passing unseen. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "err.h"
#include "http.h"
#include "url.h"
#include "unit.h"

#define S(lit) lit, sizeof(lit) - 1	/* a literal and its length, NULs included */

/* --- guarded buffers ------------------------------------------------------------ */

struct guard {
	void *map;
	size_t maplen;
};

/* Returns n writable bytes, holding a copy of data when it is not NULL,
 * followed immediately by an inaccessible page. */
static char *guard_alloc(struct guard *g, const void *data, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (n + page - 1) / page + 1;
	char *end;

	g->maplen = pages * page;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_msg(g->map != MAP_FAILED, "mmap of %zu bytes failed", g->maplen);
	end = (char *)g->map + (pages - 1) * page;
	ck_assert_msg(mprotect(end, page, PROT_NONE) == 0, "mprotect failed");
	if (data)
		memcpy(end - n, data, n);
	return end - n;
}

static void guard_free(struct guard *g)
{
	munmap(g->map, g->maplen);
}

/* http_parse_head() on a guarded copy of the first n bytes of in. */
static long parse_guarded(struct http_head *h, const char *in, size_t n)
{
	struct guard g;
	long r = http_parse_head(h, guard_alloc(&g, in, n), n);

	guard_free(&g);
	return r;
}

/* --- http_parse_head: accepted ----------------------------------------------------- */

static const struct {
	const char *label;
	const char *in;
	size_t len;
	size_t head;		/* head length; 0: all of in */
	int minor;
	int status;
	const char *reason;
	size_t nfields;
	const char *fields[6];	/* name, value pairs expected first */
} good[] = {
	{"CRLF, HTTP/1.1", S("HTTP/1.1 200 OK\r\n\r\n"), 0, 1, 200, "OK", 0, {0}},
	{"bare LF, HTTP/1.0", S("HTTP/1.0 404 Not Found\n\n"), 0, 0, 404, "Not Found", 0, {0}},
	{"status without reason", S("HTTP/1.1 204\r\n\r\n"), 0, 1, 204, "", 0, {0}},
	{"status, space, no reason", S("HTTP/1.1 200 \r\n\r\n"), 0, 1, 200, "", 0, {0}},
	{"no reason, bare LF", S("HTTP/1.0 304\n\n"), 0, 0, 304, "", 0, {0}},
	{"redirect with fields",
	 S("HTTP/1.1 301 Moved Permanently\r\nLocation: https://x/\r\nContent-Length: 0\r\n\r\n"), 0, 1,
	 301, "Moved Permanently", 2, {"Location", "https://x/", "Content-Length", "0"}},
	{"OWS trimmed", S("HTTP/1.1 200 OK\r\nX-A: \t v a l \t \r\nX-B:v\r\n\r\n"), 0, 1, 200, "OK", 2,
	 {"X-A", "v a l", "X-B", "v"}},
	{"empty values", S("HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Blank: \t \r\n\r\n"), 0, 1, 200, "OK", 2,
	 {"X-Empty", "", "X-Blank", ""}},
	{"mixed line ends", S("HTTP/1.1 200 OK\r\nA: 1\nB: 2\r\n\n"), 0, 1, 200, "OK", 2,
	 {"A", "1", "B", "2"}},
	{"body after head", S("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody"), 38, 1, 200, "OK", 1,
	 {"Content-Length", "4"}},
	{"second head after 100", S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"), 25, 1, 100,
	 "Continue", 0, {0}},
	{"reason with tab and UTF-8", S("HTTP/1.1 200 Ok\tfine caf\xc3\xa9\r\n\r\n"), 0, 1, 200,
	 "Ok\tfine caf\xc3\xa9", 0, {0}},
	{"obs-text value", S("HTTP/1.1 200 OK\r\nX: caf\xc3\xa9\r\n\r\n"), 0, 1, 200, "OK", 1,
	 {"X", "caf\xc3\xa9"}},
	{"every tchar in a name", S("HTTP/1.1 200 OK\r\nX!#$%&'*+-.^_`|~09az: v\r\n\r\n"), 0, 1, 200, "OK", 1,
	 {"X!#$%&'*+-.^_`|~09az", "v"}},
	{"value with colons", S("HTTP/1.1 302 Found\r\nLocation: http://h:80/x\r\n\r\n"), 0, 1, 302, "Found", 1,
	 {"Location", "http://h:80/x"}},
	{"status 100", S("HTTP/1.1 100 Continue\r\n\r\n"), 0, 1, 100, "Continue", 0, {0}},
	{"status 599", S("HTTP/1.1 599 x\r\n\r\n"), 0, 1, 599, "x", 0, {0}},
	{"HTTP/1.9", S("HTTP/1.9 200 OK\r\n\r\n"), 0, 9, 200, "OK", 0, {0}},
	{"duplicate fields kept", S("HTTP/1.1 200 OK\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n"), 0, 1, 200,
	 "OK", 2, {"Set-Cookie", "a", "Set-Cookie", "b"}},
};

static void check_good_head(int i, const struct http_head *h)
{
	ck_assert_msg(h->minor == good[i].minor, "%s: minor %d", good[i].label, h->minor);
	ck_assert_msg(h->status == good[i].status, "%s: status %d", good[i].label, h->status);
	ck_assert_msg(h->reason_len == strlen(good[i].reason) &&
		      memcmp(h->reason, good[i].reason, h->reason_len) == 0,
		      "%s: reason '%.*s'", good[i].label, (int)h->reason_len, h->reason);
	ck_assert_msg(h->nfields == good[i].nfields, "%s: %zu fields, expected %zu", good[i].label,
		      h->nfields, good[i].nfields);
	for (size_t k = 0; k < 3 && good[i].fields[2 * k]; k++) {
		const struct http_field *f = &h->fields[k];
		const char *name = good[i].fields[2 * k], *value = good[i].fields[2 * k + 1];

		ck_assert_msg(f->name_len == strlen(name) && memcmp(f->name, name, f->name_len) == 0,
			      "%s: field %zu name '%.*s'", good[i].label, k, (int)f->name_len, f->name);
		ck_assert_msg(f->value_len == strlen(value) && memcmp(f->value, value, f->value_len) == 0,
			      "%s: field %zu value '%.*s', expected '%s'", good[i].label, k,
			      (int)f->value_len, f->value, value);
	}
}

START_TEST(test_head_good)
{
	struct http_head h;
	struct guard g;
	size_t head = good[_i].head ? good[_i].head : good[_i].len;
	long r = http_parse_head(&h, guard_alloc(&g, good[_i].in, good[_i].len), good[_i].len);

	ck_assert_msg(r == (long)head, "%s: returned %ld, expected %zu (%s)", good[_i].label, r, head,
		      err_detail());
	check_good_head(_i, &h);	/* fields point into the buffer: still mapped */
	guard_free(&g);
}
END_TEST

/* Every proper prefix of a head is HTTP_PARTIAL, never HTTP_BAD; from the
 * head's last byte on, the head is found whatever follows. */
START_TEST(test_head_good_bytewise)
{
	struct http_head h;
	size_t head = good[_i].head ? good[_i].head : good[_i].len;

	for (size_t n = 0; n <= good[_i].len; n++) {
		struct guard g;
		long r = http_parse_head(&h, guard_alloc(&g, good[_i].in, n), n);
		long want = n < head ? HTTP_PARTIAL : (long)head;

		ck_assert_msg(r == want, "%s: prefix of %zu bytes returned %ld, expected %ld (%s)",
			      good[_i].label, n, r, want, err_detail());
		if (r > 0)
			check_good_head(_i, &h);
		guard_free(&g);
	}
}
END_TEST

/* --- http_parse_head: refused ----------------------------------------------------- */

static const struct {
	const char *label;
	const char *in;
	size_t len;
} bad[] = {
	{"HTTP/0.9 body", S("<html>hello</html>\n")},
	{"HTTP/0.9 short", S("hi\n\n")},
	{"HTTP/2", S("HTTP/2 200\r\n\r\n")},
	{"HTTP/2.0", S("HTTP/2.0 200 OK\r\n\r\n")},
	{"HTTP/3.0", S("HTTP/3.0 200 OK\r\n\r\n")},
	{"HTTP/1.x", S("HTTP/1.x 200 OK\r\n\r\n")},
	{"HTTP/1.10", S("HTTP/1.10 200 OK\r\n\r\n")},
	{"lower-case http", S("http/1.1 200 OK\r\n\r\n")},
	{"leading space", S(" HTTP/1.1 200 OK\r\n\r\n")},
	{"status 2x0", S("HTTP/1.1 2x0 OK\r\n\r\n")},
	{"status 600", S("HTTP/1.1 600 X\r\n\r\n")},
	{"status 099", S("HTTP/1.1 099 X\r\n\r\n")},
	{"status 000", S("HTTP/1.1 000 X\r\n\r\n")},
	{"four-digit status", S("HTTP/1.1 2000 OK\r\n\r\n")},
	{"two-digit status", S("HTTP/1.1 20 OK\r\n\r\n")},
	{"no status", S("HTTP/1.1\r\n\r\n")},
	{"double space before status", S("HTTP/1.1  200 OK\r\n\r\n")},
	{"tab before status", S("HTTP/1.1\t200 OK\r\n\r\n")},
	{"control byte in reason", S("HTTP/1.1 200 O\x01K\r\n\r\n")},
	{"DEL in reason", S("HTTP/1.1 200 OK\x7f\r\n\r\n")},
	{"bare CR in status line", S("HTTP/1.1 200 OK\rX: y\r\n\r\n")},
	{"bare CR in field", S("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n")},
	{"CR CR LF", S("HTTP/1.1 200 OK\r\nX: y\r\r\n\r\n")},
	{"bare CR as end", S("HTTP/1.1 200 OK\r\n\r\r")},
	{"NUL in value", S("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n")},
	{"NUL in name", S("HTTP/1.1 200 OK\r\nX\0: b\r\n\r\n")},
	{"NUL in status line", S("HTTP/1.1 200 O\0K\r\n\r\n")},
	{"control byte in value", S("HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n")},
	{"escape in value", S("HTTP/1.1 200 OK\r\nX: \x1b[31mred\r\n\r\n")},
	{"DEL in value", S("HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n")},
	{"obs-fold", S("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n")},
	{"obs-fold with tab", S("HTTP/1.1 200 OK\r\nX: a\r\n\tb\r\n\r\n")},
	{"fold as first field", S("HTTP/1.1 200 OK\r\n X: a\r\n\r\n")},
	{"space before colon", S("HTTP/1.1 200 OK\r\nX : a\r\n\r\n")},
	{"tab before colon", S("HTTP/1.1 200 OK\r\nTransfer-Encoding\t: chunked\r\n\r\n")},
	{"empty name", S("HTTP/1.1 200 OK\r\n: a\r\n\r\n")},
	{"no colon", S("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n")},
	{"separator in name", S("HTTP/1.1 200 OK\r\nX/Y: a\r\n\r\n")},
	{"non-ASCII name", S("HTTP/1.1 200 OK\r\nX\xc3\xa9: a\r\n\r\n")},
};

START_TEST(test_head_bad)
{
	struct http_head h;
	long r;

	err_clear();
	r = parse_guarded(&h, bad[_i].in, bad[_i].len);
	ck_assert_msg(r == HTTP_BAD, "%s: returned %ld, expected HTTP_BAD", bad[_i].label, r);
	ck_assert_msg(err_detail()[0] != '\0', "%s: no detail recorded", bad[_i].label);
}
END_TEST

/* Prefixes of a bad head are HTTP_PARTIAL until the fault arrives, then
 * HTTP_BAD for good. */
START_TEST(test_head_bad_bytewise)
{
	struct http_head h;
	int seen_bad = 0;

	for (size_t n = 0; n <= bad[_i].len; n++) {
		long r = parse_guarded(&h, bad[_i].in, n);

		ck_assert_msg(r == HTTP_BAD || (r == HTTP_PARTIAL && !seen_bad),
			      "%s: prefix of %zu bytes returned %ld", bad[_i].label, n, r);
		seen_bad = r == HTTP_BAD;
	}
	ck_assert_msg(seen_bad, "%s: never refused", bad[_i].label);
}
END_TEST

/* Heads built at run time: numbers of fields and sizes around the limits. */
static char *head_with_fields(size_t nfields, size_t *len)
{
	char *s = malloc(32 + nfields * 16);
	size_t o = 0;

	ck_assert(s != NULL);
	o += (size_t)sprintf(s + o, "HTTP/1.1 200 OK\r\n");
	for (size_t i = 0; i < nfields; i++)
		o += (size_t)sprintf(s + o, "F%zu: v%zu\r\n", i, i);
	o += (size_t)sprintf(s + o, "\r\n");
	*len = o;
	return s;
}

static const struct {
	const char *label;
	size_t nfields;
	long want;	/* 0: the whole input */
} counts[] = {
	{"no fields", 0, 0},
	{"HTTP_FIELDS_MAX - 1 fields", HTTP_FIELDS_MAX - 1, 0},
	{"HTTP_FIELDS_MAX fields", HTTP_FIELDS_MAX, 0},
	{"HTTP_FIELDS_MAX + 1 fields", HTTP_FIELDS_MAX + 1, HTTP_BAD},
	{"1000 fields", 1000, HTTP_BAD},
};

START_TEST(test_head_field_count)
{
	struct http_head h;
	size_t len;
	char *s = head_with_fields(counts[_i].nfields, &len);
	long want = counts[_i].want ? counts[_i].want : (long)len;
	long r = parse_guarded(&h, s, len);

	ck_assert_msg(r == want, "%s: returned %ld, expected %ld", counts[_i].label, r, want);
	if (r > 0) {
		ck_assert_msg(h.nfields == counts[_i].nfields, "%s: %zu fields", counts[_i].label,
			      h.nfields);
		if (h.nfields)
			ck_assert_msg(h.fields[h.nfields - 1].value_len > 1, "%s: last field empty",
				      counts[_i].label);
	}
	free(s);
}
END_TEST

/* A head "HTTP/1.1 200 OK\r\nX: aaa...\r\n\r\n" of head bytes, of which only
 * the first len are given (followed by body bytes when len > head). */
static const struct {
	const char *label;
	size_t head;
	size_t len;
	long want;	/* 0: head */
} sizes[] = {
	{"head of HTTP_HEAD_MAX bytes", HTTP_HEAD_MAX, HTTP_HEAD_MAX, 0},
	{"head of HTTP_HEAD_MAX bytes and a body", HTTP_HEAD_MAX, HTTP_HEAD_MAX + 100, 0},
	{"smaller head and a body past the limit", HTTP_HEAD_MAX - 10, HTTP_HEAD_MAX + 100, 0},
	{"head of HTTP_HEAD_MAX + 1 bytes", HTTP_HEAD_MAX + 1, HTTP_HEAD_MAX + 1, HTTP_BAD},
	{"head of 3 * HTTP_HEAD_MAX bytes", 3 * HTTP_HEAD_MAX, 3 * HTTP_HEAD_MAX, HTTP_BAD},
	{"HTTP_HEAD_MAX bytes of an endless head", HTTP_HEAD_MAX + 1, HTTP_HEAD_MAX, HTTP_BAD},
	{"HTTP_HEAD_MAX - 1 bytes of an endless head", HTTP_HEAD_MAX + 1, HTTP_HEAD_MAX - 1,
	 HTTP_PARTIAL},
	{"HTTP_HEAD_MAX - 1 bytes, no LF at all", 0, HTTP_HEAD_MAX - 1, HTTP_PARTIAL},
	{"HTTP_HEAD_MAX bytes, no LF at all", 0, HTTP_HEAD_MAX, HTTP_BAD},
};

START_TEST(test_head_size)
{
	static const char start[] = "HTTP/1.1 200 OK\r\nX: ";
	size_t head = sizes[_i].head, len = sizes[_i].len;
	long want = sizes[_i].want ? sizes[_i].want : (long)head;
	struct http_head h;
	struct guard g;
	char *s = guard_alloc(&g, NULL, len);
	long r;

	memset(s, 'a', len);
	memcpy(s, start, sizeof(start) - 1);
	if (head) {
		ck_assert(head > sizeof(start) + 4);
		if (head - 4 < len)
			memcpy(s + head - 4, "\r\n\r\n", len - (head - 4) < 4 ? len - (head - 4) : 4);
	}
	r = http_parse_head(&h, s, len);
	ck_assert_msg(r == want, "%s: returned %ld, expected %ld", sizes[_i].label, r, want);
	guard_free(&g);
}
END_TEST

/* --- http_field ---------------------------------------------------------------------- */

static const char field_head[] =
	"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: a\r\nset-cookie: b\r\n"
	"X-Empty:\r\n\r\n";

static const struct {
	const char *label;
	const char *name;
	const char *value;	/* NULL: not found */
} lookups[] = {
	{"same case", "Content-Type", "text/html"},
	{"lower case", "content-type", "text/html"},
	{"upper case", "CONTENT-TYPE", "text/html"},
	{"mixed case", "cOnTeNt-TyPe", "text/html"},
	{"first of two", "SET-COOKIE", "a"},
	{"empty value", "x-empty", ""},
	{"prefix of a name", "Content", NULL},
	{"name plus suffix", "Content-Type-X", NULL},
	{"suffix of a name", "Type", NULL},
	{"absent", "Location", NULL},
	{"empty name", "", NULL},
};

START_TEST(test_field)
{
	struct http_head h;
	const struct http_field *f;

	ck_assert(http_parse_head(&h, field_head, sizeof(field_head) - 1) ==
		  (long)sizeof(field_head) - 1);
	f = http_field(&h, lookups[_i].name);
	if (!lookups[_i].value) {
		ck_assert_msg(f == NULL, "%s: '%s' found", lookups[_i].label, lookups[_i].name);
		return;
	}
	ck_assert_msg(f != NULL, "%s: '%s' not found", lookups[_i].label, lookups[_i].name);
	ck_assert_msg(f->value_len == strlen(lookups[_i].value) &&
		      memcmp(f->value, lookups[_i].value, f->value_len) == 0,
		      "%s: value '%.*s'", lookups[_i].label, (int)f->value_len, f->value);
}
END_TEST

/* --- http_body_init ---------------------------------------------------------------- */

#define NO_ERR 0

static const struct {
	const char *label;
	const char *head;
	int head_request;
	int err;
	enum http_framing framing;
	unsigned long long left;
} inits[] = {
	{"HEAD request", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 1, NO_ERR, HTTP_BODY_NONE, 0},
	{"HEAD request, chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 1, NO_ERR,
	 HTTP_BODY_NONE, 0},
	{"204", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", 0, NO_ERR, HTTP_BODY_NONE, 0},
	{"304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 0, NO_ERR, HTTP_BODY_NONE, 0},
	{"100", "HTTP/1.1 100 Continue\r\n\r\n", 0, NO_ERR, HTTP_BODY_NONE, 0},
	{"101", "HTTP/1.1 101 Switching Protocols\r\n\r\n", 0, NO_ERR, HTTP_BODY_NONE, 0},
	{"199", "HTTP/1.1 199 X\r\nContent-Length: 3\r\n\r\n", 0, NO_ERR, HTTP_BODY_NONE, 0},
	{"Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 0, NO_ERR, HTTP_BODY_LENGTH, 5},
	{"Content-Length on 404", "HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\n", 0, NO_ERR,
	 HTTP_BODY_LENGTH, 9},
	{"Content-Length 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NO_ERR, HTTP_BODY_LENGTH, 0},
	{"Content-Length with leading zeros", "HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n", 0, NO_ERR,
	 HTTP_BODY_LENGTH, 7},
	{"Content-Length 2^63 - 1", "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n", 0,
	 NO_ERR, HTTP_BODY_LENGTH, 9223372036854775807ull},
	{"Content-Length list 5, 5", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", 0, NO_ERR,
	 HTTP_BODY_LENGTH, 5},
	{"Content-Length list 5,5,5", "HTTP/1.1 200 OK\r\nContent-Length: 5,5,5\r\n\r\n", 0, NO_ERR,
	 HTTP_BODY_LENGTH, 5},
	{"two equal Content-Length fields",
	 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 0, NO_ERR, HTTP_BODY_LENGTH, 5},
	{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0, NO_ERR, HTTP_BODY_CHUNKED, 0},
	{"CHUNKED upper case", "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\n", 0, NO_ERR,
	 HTTP_BODY_CHUNKED, 0},
	{"chunked wins over Content-Length",
	 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 0, NO_ERR,
	 HTTP_BODY_CHUNKED, 0},
	{"no length: until close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", 0, NO_ERR,
	 HTTP_BODY_CLOSE, 0},
	{"HTTP/1.0 no length", "HTTP/1.0 200 OK\r\n\r\n", 0, NO_ERR, HTTP_BODY_CLOSE, 0},
	{"empty Transfer-Encoding", "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\nContent-Length: 2\r\n\r\n", 0,
	 NO_ERR, HTTP_BODY_LENGTH, 2},
	/* Refused. */
	{"two different Content-Length fields",
	 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 0, ERR_WEIRD_REPLY, 0, 0},
	{"Content-Length list 5, 6", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", 0, ERR_WEIRD_REPLY,
	 0, 0},
	{"Content-Length non-numeric", "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", 0, ERR_WEIRD_REPLY,
	 0, 0},
	{"Content-Length negative", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, ERR_WEIRD_REPLY, 0, 0},
	{"Content-Length with plus", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", 0, ERR_WEIRD_REPLY, 0,
	 0},
	{"Content-Length digits then junk", "HTTP/1.1 200 OK\r\nContent-Length: 5a\r\n\r\n", 0,
	 ERR_WEIRD_REPLY, 0, 0},
	{"Content-Length two numbers", "HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\n", 0, ERR_WEIRD_REPLY,
	 0, 0},
	{"Content-Length hex", "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", 0, ERR_WEIRD_REPLY, 0, 0},
	{"Content-Length empty", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", 0, ERR_WEIRD_REPLY, 0, 0},
	{"Content-Length overflow",
	 "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 0, ERR_WEIRD_REPLY, 0, 0},
	{"Content-Length 2^64", "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n", 0,
	 ERR_WEIRD_REPLY, 0, 0},
	{"Transfer-Encoding gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, ERR_WEIRD_REPLY,
	 0, 0},
	{"Transfer-Encoding gzip, chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0,
	 ERR_WEIRD_REPLY, 0, 0},
	{"Transfer-Encoding chunked, gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 0,
	 ERR_WEIRD_REPLY, 0, 0},
	{"Transfer-Encoding chunked twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
	 0, ERR_WEIRD_REPLY, 0, 0},
	{"Transfer-Encoding identity", "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n", 0,
	 ERR_WEIRD_REPLY, 0, 0},
	{"Transfer-Encoding gzip then chunked fields",
	 "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 0,
	 ERR_WEIRD_REPLY, 0, 0},
	/* Two field lines form one list (RFC 9110 5.3): "chunked, gzip". */
	{"Transfer-Encoding chunked then gzip fields",
	 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", 0,
	 ERR_WEIRD_REPLY, 0, 0},
};

/* Parses the NUL-terminated head text into h. */
static void parse_text(struct http_head *h, const char *label, const char *text)
{
	long r = http_parse_head(h, text, strlen(text));

	ck_assert_msg(r == (long)strlen(text), "%s: head does not parse (%ld: %s)", label, r,
		      err_detail());
}

START_TEST(test_body_init)
{
	struct http_head h;
	struct http_body b;
	int r;

	parse_text(&h, inits[_i].label, inits[_i].head);
	err_clear();
	r = http_body_init(&b, &h, inits[_i].head_request);
	ck_assert_msg(r == inits[_i].err, "%s: returned %d, expected %d (framing %d)", inits[_i].label, r,
		      inits[_i].err, b.framing);
	if (r != ERR_OK) {
		ck_assert_msg(err_detail()[0] != '\0', "%s: no detail recorded", inits[_i].label);
		return;
	}
	ck_assert_msg(b.framing == inits[_i].framing, "%s: framing %d, expected %d", inits[_i].label,
		      b.framing, inits[_i].framing);
	if (b.framing == HTTP_BODY_LENGTH)
		ck_assert_msg(b.left == inits[_i].left, "%s: length %llu, expected %llu", inits[_i].label,
			      b.left, inits[_i].left);
}
END_TEST

/* --- http_body_decode: Content-Length, none, close ----------------------------------- */

static void init_from(struct http_body *b, const char *label, const char *text)
{
	struct http_head h;

	parse_text(&h, label, text);
	ck_assert_msg(http_body_init(b, &h, 0) == ERR_OK, "%s: http_body_init failed", label);
}

/* Feeds in[0..n) to b from a guarded copy, appending the body to out.
 * Returns 0 while more body is expected, 1 once it is complete (b->done),
 * or the error http_body_decode() returned. */
static int feed(struct http_body *b, const char *in, size_t n, char *out, size_t *outlen)
{
	struct guard g;
	char *buf = guard_alloc(&g, in, n);
	size_t len = n;
	int r = http_body_decode(b, buf, &len);

	ck_assert_msg(r == ERR_OK || r == ERR_RECV, "decode returned %d", r);
	if (r == ERR_OK)
		r = b->done;
	else
		ck_assert_msg(!b->done, "decode failed on a body it called complete");
	if (r >= 0) {
		ck_assert_msg(len <= n, "decode grew %zu bytes to %zu", n, len);
		memcpy(out + *outlen, buf, len);
		*outlen += len;
	}
	guard_free(&g);
	return r;
}

static const struct {
	const char *label;
	const char *head;
	const char *in;
	size_t piece;		/* fed in pieces of this many bytes */
	const char *body;
} lengths[] = {
	{"extra bytes dropped", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "helloEXTRA", 10, "hello"},
	{"exact", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "hello", 5, "hello"},
	{"in pieces of 3", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "0123456789abc", 3,
	 "0123456789"},
	{"bytewise with extra", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "0123456789abc", 1,
	 "0123456789"},
	{"zero length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "junk", 4, ""},
	{"none: 204", "HTTP/1.1 204 No Content\r\n\r\n", "junk", 4, ""},
};

START_TEST(test_body_length)
{
	struct http_body b;
	char out[64];
	size_t outlen = 0, n = strlen(lengths[_i].in), blen = strlen(lengths[_i].body);
	size_t fed = 0;
	int r = 0;

	init_from(&b, lengths[_i].label, lengths[_i].head);
	while (fed < n && r == 0) {
		size_t k = n - fed < lengths[_i].piece ? n - fed : lengths[_i].piece;

		r = feed(&b, lengths[_i].in + fed, k, out, &outlen);
		fed += k;
		ck_assert_msg(r == (fed >= blen), "%s: after %zu bytes returned %d", lengths[_i].label,
			      fed, r);
	}
	ck_assert_msg(r == 1, "%s: body not complete", lengths[_i].label);
	ck_assert_msg(outlen == blen && memcmp(out, lengths[_i].body, blen) == 0, "%s: body '%.*s'",
		      lengths[_i].label, (int)outlen, out);
	ck_assert_msg(http_body_eof(&b) == ERR_OK, "%s: eof not OK", lengths[_i].label);
}
END_TEST

START_TEST(test_body_close)
{
	struct http_body b;
	char out[64];
	size_t outlen = 0;

	init_from(&b, "close", "HTTP/1.1 200 OK\r\n\r\n");
	ck_assert_msg(feed(&b, "abc", 3, out, &outlen) == 0, "close: first piece ends the body");
	ck_assert_msg(feed(&b, "\r\n0\r\n\r\n", 7, out, &outlen) == 0, "close: second piece ends the body");
	ck_assert_msg(outlen == 10 && memcmp(out, "abc\r\n0\r\n\r\n", 10) == 0, "close: body changed");
	ck_assert_msg(http_body_eof(&b) == ERR_OK, "close: eof not OK");
}
END_TEST

/* --- http_body_decode: chunked ------------------------------------------------------ */

static const struct {
	const char *label;
	const char *in;
	size_t len;
	const char *body;
	size_t body_len;
	size_t after;		/* bytes after the end of the body */
} chunked[] = {
	{"one chunk", S("5\r\nhello\r\n0\r\n\r\n"), S("hello"), 0},
	{"empty body", S("0\r\n\r\n"), S(""), 0},
	{"several chunks", S("5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"), S("hello world"), 0},
	{"extensions", S("5;name=value\r\nhello\r\n0;last\r\n\r\n"), S("hello"), 0},
	{"quoted extension", S("5; a=\"b;c\\\"\"\r\nhello\r\n0\r\n\r\n"), S("hello"), 0},
	{"whitespace before extension", S("5 \t;x\r\nhello\r\n0 \r\n\r\n"), S("hello"), 0},
	{"trailers", S("5\r\nhello\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n"), S("hello"), 0},
	{"bare LF framing", S("5\nhello\n0\n\n"), S("hello"), 0},
	{"bare LF trailers", S("3\nabc\n0\nT: x\n\n"), S("abc"), 0},
	{"mixed framing", S("3\nabc\r\n3\r\ndef\n0\r\nT: x\n\r\n"), S("abcdef"), 0},
	{"upper and lower hex", S("A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n"),
	 S("0123456789abcdefghij"), 0},
	{"two-digit hex", S("1F\r\n0123456789abcdef0123456789abcde\r\n0\r\n\r\n"),
	 S("0123456789abcdef0123456789abcde"), 0},
	{"leading zeros", S("0005\r\nhello\r\n000\r\n\r\n"), S("hello"), 0},
	{"16 hex digits", S("0000000000000003\r\nabc\r\n0\r\n\r\n"), S("abc"), 0},
	{"CRLF in data", S("4\r\n\r\n\r\n\r\n0\r\n\r\n"), S("\r\n\r\n"), 0},
	{"NUL in data", S("3\r\na\0b\r\n0\r\n\r\n"), S("a\0b"), 0},
	{"size digits as data", S("2\r\n0\r\r\n0\r\n\r\n"), S("0\r"), 0},
	{"bytes after the body", S("3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n"), S("abc"), 17},
};

/* Feeds a chunked input in the pieces cut at cuts[0..ncuts), checking that
 * the body completes exactly with the piece holding its last byte. */
static void feed_chunked(int i, const size_t *cuts, size_t ncuts, const char *how)
{
	struct http_body b;
	char out[128];
	size_t outlen = 0, end = chunked[i].len - chunked[i].after, from = 0;
	int r = 0;

	init_from(&b, chunked[i].label, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (size_t c = 0; c <= ncuts && r == 0; c++) {
		size_t to = c < ncuts ? cuts[c] : chunked[i].len;

		r = feed(&b, chunked[i].in + from, to - from, out, &outlen);
		ck_assert_msg(r == (to >= end), "%s, %s: piece [%zu, %zu) returned %d (%s)",
			      chunked[i].label, how, from, to, r, err_detail());
		from = to;
	}
	ck_assert_msg(r == 1, "%s, %s: body not complete", chunked[i].label, how);
	ck_assert_msg(outlen == chunked[i].body_len && memcmp(out, chunked[i].body, outlen) == 0,
		      "%s, %s: body '%.*s' (%zu bytes)", chunked[i].label, how, (int)outlen, out, outlen);
	ck_assert_msg(http_body_eof(&b) == ERR_OK, "%s, %s: eof not OK", chunked[i].label, how);
}

START_TEST(test_chunked_whole)
{
	feed_chunked(_i, NULL, 0, "whole");
}
END_TEST

START_TEST(test_chunked_split)
{
	for (size_t k = 0; k <= chunked[_i].len; k++) {
		char how[32];

		snprintf(how, sizeof(how), "split at %zu", k);
		feed_chunked(_i, &k, 1, how);
	}
}
END_TEST

START_TEST(test_chunked_bytewise)
{
	size_t cuts[128];

	ck_assert(chunked[_i].len < ARRAY_SIZE(cuts));
	for (size_t k = 0; k < chunked[_i].len; k++)
		cuts[k] = k + 1;
	feed_chunked(_i, cuts, chunked[_i].len - 1, "bytewise");
}
END_TEST

static char long_ext[5000];	/* "1;aaa...": an extension over any sane limit */

static const struct {
	const char *label;
	const char *in;
	size_t len;
} chunked_bad[] = {
	{"no size", S("\r\nhello\r\n0\r\n\r\n")},
	{"junk instead of size", S("x\r\n")},
	{"negative size", S("-5\r\nhello\r\n")},
	{"space before size", S(" 5\r\nhello\r\n")},
	{"0x prefix", S("0x5\r\nhello\r\n")},
	{"junk after size", S("5x\r\nhello\r\n0\r\n\r\n")},
	{"size overflow", S("ffffffffffffffffff\r\n")},
	{"size just over 2^64", S("10000000000000000\r\n")},
	{"data longer than size", S("5\r\nhelloX\r\n0\r\n\r\n")},
	{"data longer, next size", S("5\r\nhello0\r\n\r\n")},
	{"CR without LF after size", S("5\rXhello\r\n")},
	{"CR CR after size", S("5\r\r\nhello\r\n")},
	{"CR without LF after data", S("5\r\nhello\rX0\r\n\r\n")},
	{"CR without LF at end", S("0\r\n\rX")},
	{"NUL in extension", S("5;a\0b\r\nhello\r\n0\r\n\r\n")},
	{"NUL in trailer", S("0\r\nX: a\0b\r\n\r\n")},
	{"extension too long", long_ext, sizeof(long_ext)},
};

static void fill_long_ext(void)
{
	memset(long_ext, 'a', sizeof(long_ext));
	memcpy(long_ext, "1;", 2);
}

/* Feeds a bad input cut at cuts[]; some piece must be refused with ERR_RECV
 * and none may complete the body first. */
static void feed_chunked_bad(int i, const size_t *cuts, size_t ncuts, const char *how)
{
	struct http_body b;
	char *out = malloc(chunked_bad[i].len + 1);
	size_t outlen = 0, from = 0;
	int r = 0;

	ck_assert(out != NULL);
	init_from(&b, chunked_bad[i].label, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (size_t c = 0; c <= ncuts && r == 0; c++) {
		size_t to = c < ncuts ? cuts[c] : chunked_bad[i].len;

		r = feed(&b, chunked_bad[i].in + from, to - from, out, &outlen);
		ck_assert_msg(r == 0 || r == ERR_RECV, "%s, %s: piece [%zu, %zu) returned %d",
			      chunked_bad[i].label, how, from, to, r);
		from = to;
	}
	ck_assert_msg(r == ERR_RECV, "%s, %s: not refused", chunked_bad[i].label, how);
	ck_assert_msg(strstr(err_detail(), "chunked") != NULL, "%s, %s: detail '%s'",
		      chunked_bad[i].label, how, err_detail());
	free(out);
}

START_TEST(test_chunked_bad_whole)
{
	fill_long_ext();
	feed_chunked_bad(_i, NULL, 0, "whole");
}
END_TEST

START_TEST(test_chunked_bad_split)
{
	fill_long_ext();
	for (size_t k = 0; k <= chunked_bad[_i].len; k += chunked_bad[_i].len > 100 ? 97 : 1) {
		char how[32];

		snprintf(how, sizeof(how), "split at %zu", k);
		feed_chunked_bad(_i, &k, 1, how);
	}
}
END_TEST

START_TEST(test_chunked_bad_bytewise)
{
	size_t *cuts = malloc(chunked_bad[_i].len * sizeof(*cuts));

	ck_assert(cuts != NULL);
	fill_long_ext();
	for (size_t k = 0; k < chunked_bad[_i].len; k++)
		cuts[k] = k + 1;
	feed_chunked_bad(_i, cuts, chunked_bad[_i].len - 1, "bytewise");
	free(cuts);
}
END_TEST

/* --- http_body_eof ---------------------------------------------------------------- */

#define CL5 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static const struct {
	const char *label;
	const char *head;
	const char *in;
	int want;
} eofs[] = {
	{"length complete", CL5, "hello", ERR_OK},
	{"length partial", CL5, "hel", ERR_PARTIAL},
	{"length nothing received", CL5, "", ERR_PARTIAL},
	{"length zero", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "", ERR_OK},
	{"chunked complete", CHUNKED, "5\r\nhello\r\n0\r\n\r\n", ERR_OK},
	{"chunked nothing received", CHUNKED, "", ERR_PARTIAL},
	{"chunked in size line", CHUNKED, "5", ERR_PARTIAL},
	{"chunked in data", CHUNKED, "5\r\nhel", ERR_PARTIAL},
	{"chunked before last chunk", CHUNKED, "5\r\nhello\r\n", ERR_PARTIAL},
	{"chunked last chunk, no final line", CHUNKED, "5\r\nhello\r\n0\r\n", ERR_PARTIAL},
	{"chunked in trailers", CHUNKED, "0\r\nX: y\r\n", ERR_PARTIAL},
	{"close", "HTTP/1.1 200 OK\r\n\r\n", "anything", ERR_OK},
	{"close, nothing received", "HTTP/1.0 200 OK\r\n\r\n", "", ERR_OK},
	{"none", "HTTP/1.1 304 Not Modified\r\n\r\n", "", ERR_OK},
};

START_TEST(test_body_eof)
{
	struct http_body b;
	char out[64];
	size_t outlen = 0;
	int r;

	init_from(&b, eofs[_i].label, eofs[_i].head);
	if (eofs[_i].in[0])
		ck_assert_msg(feed(&b, eofs[_i].in, strlen(eofs[_i].in), out, &outlen) >= 0,
			      "%s: decode failed", eofs[_i].label);
	err_clear();
	r = http_body_eof(&b);
	ck_assert_msg(r == eofs[_i].want, "%s: returned %d, expected %d", eofs[_i].label, r, eofs[_i].want);
	if (r != ERR_OK)
		ck_assert_msg(err_detail()[0] != '\0', "%s: no detail recorded", eofs[_i].label);
}
END_TEST

/* --- http_request ---------------------------------------------------------------- */

#define DEFAULTS_AFTER_HOST "User-Agent: hello/1\r\nAccept: */*\r\nConnection: close\r\n"

static const struct {
	const char *label;
	const char *url;
	const char *method;
	const char *ua;
	const char *headers[5];
	size_t nheaders;
	const char *want;
	int other_origin;
	const char *auth;
	int body;		/* a body of body_len bytes follows */
	unsigned long long body_len;
} requests[] = {
	{"defaults", "http://example.com/x?y", "GET", "hello/1", {0}, 0,
	 "GET /x?y HTTP/1.1\r\nHost: example.com\r\n" DEFAULTS_AFTER_HOST "\r\n"},
	{"HEAD", "https://example.com", "HEAD", "hello/1", {0}, 0,
	 "HEAD / HTTP/1.1\r\nHost: example.com\r\n" DEFAULTS_AFTER_HOST "\r\n"},
	{"non-default port", "https://example.com:8443/", "GET", "hello/1", {0}, 0,
	 "GET / HTTP/1.1\r\nHost: example.com:8443\r\n" DEFAULTS_AFTER_HOST "\r\n"},
	{"explicit default port", "https://example.com:443/", "GET", "hello/1", {0}, 0,
	 "GET / HTTP/1.1\r\nHost: example.com\r\n" DEFAULTS_AFTER_HOST "\r\n"},
	{"IPv6 with port", "http://[::1]:8080/a", "GET", "hello/1", {0}, 0,
	 "GET /a HTTP/1.1\r\nHost: [::1]:8080\r\n" DEFAULTS_AFTER_HOST "\r\n"},
	{"IPv6 default port", "https://[::1]/", "GET", "hello/1", {0}, 0,
	 "GET / HTTP/1.1\r\nHost: [::1]\r\n" DEFAULTS_AFTER_HOST "\r\n"},
	{"extra headers in order", "http://h/", "GET", "hello/1", {"X-A: 1", "X-B: 2"}, 2,
	 "GET / HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST "X-A: 1\r\nX-B: 2\r\n\r\n"},
	{"Accept overridden", "http://h/", "GET", "hello/1", {"Accept: text/html"}, 1,
	 "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: hello/1\r\nConnection: close\r\n"
	 "Accept: text/html\r\n\r\n"},
	{"accept overridden, lower case", "http://h/", "GET", "hello/1", {"accept: text/html"}, 1,
	 "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: hello/1\r\nConnection: close\r\n"
	 "accept: text/html\r\n\r\n"},
	{"Accept removed", "http://h/", "GET", "hello/1", {"Accept:"}, 1,
	 "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: hello/1\r\nConnection: close\r\n\r\n"},
	{"Accept removed, blank value", "http://h/", "GET", "hello/1", {"Accept: \t "}, 1,
	 "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: hello/1\r\nConnection: close\r\n\r\n"},
	{"Host overridden", "http://h:81/", "GET", "hello/1", {"Host: other.example"}, 1,
	 "GET / HTTP/1.1\r\n" DEFAULTS_AFTER_HOST "Host: other.example\r\n\r\n"},
	{"User-Agent overridden", "http://h/", "GET", "hello/1", {"User-Agent: curl/8"}, 1,
	 "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\nUser-Agent: curl/8\r\n\r\n"},
	{"Connection overridden", "http://h/", "GET", "hello/1", {"Connection: keep-alive"}, 1,
	 "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: hello/1\r\nAccept: */*\r\n"
	 "Connection: keep-alive\r\n\r\n"},
	{"no User-Agent (NULL)", "http://h/", "GET", NULL, {0}, 0,
	 "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\n\r\n"},
	{"no User-Agent (empty)", "http://h/", "GET", "", {0}, 0,
	 "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\n\r\n"},
	{"prefix of a default name", "http://h/", "GET", "hello/1", {"Acceptable: x"}, 1,
	 "GET / HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST "Acceptable: x\r\n\r\n"},
	{"all defaults removed", "http://h/", "GET", "hello/1",
	 {"Host:", "User-Agent:", "Accept:"}, 3,
	 "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"},
	/* After a redirect to another origin: credentials and Host stay behind,
	 * whatever the case of their names; everything else goes along. */
	{"other origin: credentials dropped", "http://h/", "GET", "hello/1",
	 {"Authorization: Bearer S", "X-A: 1", "cookie: c=1", "PROXY-AUTHORIZATION: Basic x"}, 4,
	 "GET / HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST "X-A: 1\r\n\r\n", 1},
	{"other origin: custom Host dropped", "http://h:81/", "GET", "hello/1",
	 {"host: evil.example", "Accept: text/html"}, 2,
	 "GET / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: hello/1\r\nConnection: close\r\n"
	 "Accept: text/html\r\n\r\n", 1},
	{"same origin: credentials kept", "http://h/", "GET", "hello/1",
	 {"Authorization: Bearer S", "Cookie: c=1"}, 2,
	 "GET / HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST "Authorization: Bearer S\r\nCookie: c=1\r\n\r\n"},
	{"other origin: a name that only starts like one is kept", "http://h/", "GET", "hello/1",
	 {"Authorization-Hint: x", "Cookies: y"}, 2,
	 "GET / HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST "Authorization-Hint: x\r\nCookies: y\r\n\r\n", 1},
	/* -u / user:password@ credentials, and request bodies */
	{"basic credentials", "http://h/", "GET", "hello/1", {0}, 0,
	 "GET / HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST "Authorization: Basic dTpw\r\n\r\n", 0,
	 "Basic dTpw"},
	{"basic credentials stay behind on another origin", "http://h/", "GET", "hello/1", {0}, 0,
	 "GET / HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST "\r\n", 1, "Basic dTpw"},
	{"a user Authorization replaces -u's", "http://h/", "GET", "hello/1", {"Authorization: Bearer t"}, 1,
	 "GET / HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST "Authorization: Bearer t\r\n\r\n", 0,
	 "Basic dTpw"},
	{"POST body", "http://h/f", "POST", "hello/1", {0}, 0,
	 "POST /f HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST
	 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\n", 0, NULL, 1, 7},
	{"empty body", "http://h/f", "PUT", "hello/1", {0}, 0,
	 "PUT /f HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST
	 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n", 0, NULL, 1, 0},
	{"body: the user's Content-Type, never the user's framing", "http://h/f", "POST", "hello/1",
	 {"Content-Type: application/json", "Content-Length: 99", "Transfer-Encoding: chunked"}, 3,
	 "POST /f HTTP/1.1\r\nHost: h\r\n" DEFAULTS_AFTER_HOST
	 "Content-Length: 2\r\nContent-Type: application/json\r\n\r\n", 0, NULL, 1, 2},
};

/* --- http_header_valid ------------------------------------------------------- */

static const struct {
	const char *line;
	int valid;
} header_lines[] = {
	{"X-A: 1", 1},
	{"X-A:", 1},
	{"X-A:1", 1},
	{"x!#$%&'*+-.^_`|~09: v", 1},
	{"X-A: tab\tinside", 1},
	{"X-A: \x80\xff obs-text", 1},
	{" X: v", 0},		/* would continue the previous field */
	{"\tX: v", 0},
	{"Host : evil", 0},	/* whitespace before the colon */
	{"Bad Name: x", 0},
	{"X\tY: v", 0},
	{": v", 0},
	{"NoColon", 0},
	{"", 0},
	{"X(y): v", 0},
	{"X\"y: v", 0},
	{"X/y: v", 0},
	{"\xc3\xa9t\xc3\xa9: v", 0},	/* non-ASCII name */
	{"X: a\rb", 0},
	{"X: a\nb", 0},
	{"X: bell\a", 0},
	{"X: del\x7f", 0},
	{"X: esc\x1b[31m", 0},
};

START_TEST(test_header_valid)
{
	ck_assert_msg(http_header_valid(header_lines[_i].line) == header_lines[_i].valid,
		      "'%s': expected %s", header_lines[_i].line,
		      header_lines[_i].valid ? "valid" : "refused");
}
END_TEST

static size_t build_request(int i, char *buf, size_t cap)
{
	struct url u;

	ck_assert_msg(url_parse(&u, requests[i].url) == ERR_OK, "%s: URL does not parse", requests[i].label);
	struct http_req r = {
		.method = requests[i].method, .url = &u, .user_agent = requests[i].ua,
		.headers = requests[i].headers, .nheaders = requests[i].nheaders,
		.authorization = requests[i].auth, .has_body = requests[i].body,
		.body_len = requests[i].body_len,
		.other_origin = requests[i].other_origin,
	};

	return http_request(buf, cap, &r);
}

START_TEST(test_request)
{
	char buf[1024];
	size_t n = build_request(_i, buf, sizeof(buf));
	size_t want = strlen(requests[_i].want);

	ck_assert_msg(n == want && strcmp(buf, requests[_i].want) == 0,
		      "%s: got (%zu bytes)\n%s\nexpected (%zu bytes)\n%s", requests[_i].label, n, buf, want,
		      requests[_i].want);
}
END_TEST

/* Every capacity short of the request and its NUL is refused, without a
 * byte written past it. */
START_TEST(test_request_small_buffer)
{
	size_t want = strlen(requests[_i].want);

	for (size_t cap = 0; cap <= want + 1; cap++) {
		struct guard g;
		char *buf = guard_alloc(&g, NULL, cap);
		size_t n = build_request(_i, buf, cap);

		ck_assert_msg(n == (cap > want ? want : 0), "%s: cap %zu returned %zu", requests[_i].label,
			      cap, n);
		guard_free(&g);
	}
}
END_TEST

static Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc;

	tc = tcase_create("head_good");
	tcase_add_loop_test(tc, test_head_good, 0, ARRAY_SIZE(good));
	tcase_add_loop_test(tc, test_head_good_bytewise, 0, ARRAY_SIZE(good));
	suite_add_tcase(s, tc);

	tc = tcase_create("head_bad");
	tcase_add_loop_test(tc, test_head_bad, 0, ARRAY_SIZE(bad));
	tcase_add_loop_test(tc, test_head_bad_bytewise, 0, ARRAY_SIZE(bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("head_limits");
	tcase_add_loop_test(tc, test_head_field_count, 0, ARRAY_SIZE(counts));
	tcase_add_loop_test(tc, test_head_size, 0, ARRAY_SIZE(sizes));
	suite_add_tcase(s, tc);

	tc = tcase_create("field");
	tcase_add_loop_test(tc, test_field, 0, ARRAY_SIZE(lookups));
	suite_add_tcase(s, tc);

	tc = tcase_create("body_init");
	tcase_add_loop_test(tc, test_body_init, 0, ARRAY_SIZE(inits));
	suite_add_tcase(s, tc);

	tc = tcase_create("body_length");
	tcase_add_loop_test(tc, test_body_length, 0, ARRAY_SIZE(lengths));
	tcase_add_test(tc, test_body_close);
	suite_add_tcase(s, tc);

	tc = tcase_create("body_chunked");
	tcase_add_loop_test(tc, test_chunked_whole, 0, ARRAY_SIZE(chunked));
	tcase_add_loop_test(tc, test_chunked_split, 0, ARRAY_SIZE(chunked));
	tcase_add_loop_test(tc, test_chunked_bytewise, 0, ARRAY_SIZE(chunked));
	suite_add_tcase(s, tc);

	tc = tcase_create("body_chunked_bad");
	tcase_add_loop_test(tc, test_chunked_bad_whole, 0, ARRAY_SIZE(chunked_bad));
	tcase_add_loop_test(tc, test_chunked_bad_split, 0, ARRAY_SIZE(chunked_bad));
	tcase_add_loop_test(tc, test_chunked_bad_bytewise, 0, ARRAY_SIZE(chunked_bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("body_eof");
	tcase_add_loop_test(tc, test_body_eof, 0, ARRAY_SIZE(eofs));
	suite_add_tcase(s, tc);

	tc = tcase_create("request");
	tcase_add_loop_test(tc, test_request, 0, ARRAY_SIZE(requests));
	tcase_add_loop_test(tc, test_request_small_buffer, 0, ARRAY_SIZE(requests));
	tcase_add_loop_test(tc, test_header_valid, 0, ARRAY_SIZE(header_lines));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(http_suite)
