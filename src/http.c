#include "http.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 5.6.2 tchar. */
static int is_tchar(int c)
{
	/* A table: the head parser asks this of every byte of every name. */
	static const unsigned char tchar[128] = {
		['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
		['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1,
		['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1,
	};

	return c >= 0 && c < 128 && tchar[c];
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Records why a response head is malformed (ERR_WEIRD_REPLY); returns
 * HTTP_BAD. */
static long head_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long head_bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(ERR_WEIRD_REPLY, fmt, ap);
	va_end(ap);
	return HTTP_BAD;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Finds the line starting at p: returns its length without the line end and
 * sets *next past the LF, or returns HTTP_PARTIAL when no LF has arrived.
 * A CR anywhere but right before the LF, or a NUL, is HTTP_BAD. */
static long next_line(const char *p, const char *end, const char **next)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	const char *stop = lf ? lf : end;
	const char *q;

	for (q = p; q < stop; q++) {
		if (*q == '\r' && q + 1 != lf && q + 1 != end)
			return head_bad("bare CR in response head");
		if (*q == '\0')
			return head_bad("NUL byte in response head");
	}
	if (!lf)
		return HTTP_PARTIAL;
	*next = lf + 1;
	return (long)(lf > p && lf[-1] == '\r' ? lf - 1 - p : lf - p);
}

static long parse_status(struct http_head *h, const char *p, size_t n)
{
	static const char proto[] = "HTTP/1.";
	const char *r;

	if (n < 9 || memcmp(p, proto, 7) != 0 || !is_digit(p[7]) || p[8] != ' ') {
		if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
			return head_bad("unsupported response version '%.*s'",
				       err_quote(strcspn(p, " \r\n")), p);
		return head_bad("no HTTP/1.x status line (HTTP/0.9 is not supported)");
	}
	h->minor = p[7] - '0';
	if (n < 12 || !is_digit(p[9]) || !is_digit(p[10]) || !is_digit(p[11]) || (n > 12 && p[12] != ' '))
		return head_bad("malformed status code in '%.*s'", err_quote(n), p);
	h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (h->status < 100 || h->status > 599)
		return head_bad("status code %d out of range", h->status);
	/* The reason phrase is optional, its separating space too (RFC 9112 4). */
	r = p + (n > 12 ? 13 : 12);
	h->reason = r;
	h->reason_len = (size_t)(p + n - r);
	for (size_t i = 0; i < h->reason_len; i++) {
		unsigned char c = (unsigned char)r[i];

		if ((c < ' ' && c != '\t') || c == 0x7f)
			return head_bad("control byte in reason phrase");
	}
	return 0;
}

static long parse_field(struct http_head *h, const char *p, size_t n)
{
	struct http_field *f;
	size_t i = 0;

	if (p[0] == ' ' || p[0] == '\t')
		return head_bad("obsolete line folding in response head");
	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i == n || p[i] != ':') {
		if (i < n && (p[i] == ' ' || p[i] == '\t') && memchr(p + i, ':', n - i))
			return head_bad("whitespace before colon in field '%.*s'",
				       err_quote(i), p);
		return head_bad("malformed field line '%.*s'", err_quote(n), p);
	}
	if (i == 0)
		return head_bad("empty field name");
	if (h->nfields == HTTP_FIELDS_MAX)
		return head_bad("more than %d fields in response head", HTTP_FIELDS_MAX);
	f = &h->fields[h->nfields++];
	f->name = p;
	f->name_len = i;
	for (i++; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	f->value = p + i;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < ' ' && c != '\t') || c == 0x7f)
			return head_bad("control byte in field '%.*s'",
				       err_quote(f->name_len), f->name);
	}
	f->value_len = (size_t)(p + n - f->value);
	while (f->value_len && (f->value[f->value_len - 1] == ' ' || f->value[f->value_len - 1] == '\t'))
		f->value_len--;
	return 0;
}

long http_parse_head(struct http_head *h, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *next;
	long n;
	int first = 1;

	h->nfields = 0;
	h->status = 0;
	if (len > HTTP_HEAD_MAX)
		end = buf + HTTP_HEAD_MAX;
	/* Refuse an HTTP/0.9 answer or garbage as soon as its first bytes show. */
	if (memcmp(buf, "HTTP/", len < 5 ? len : 5) != 0)
		return parse_status(h, buf, len);
	for (;;) {
		n = next_line(p, end, &next);
		if (n == HTTP_PARTIAL) {
			if (len >= HTTP_HEAD_MAX)
				return head_bad("response head larger than %d bytes",
					       HTTP_HEAD_MAX);
			return HTTP_PARTIAL;
		}
		if (n < 0)
			return n;
		if (first) {
			if (parse_status(h, p, (size_t)n) < 0)
				return HTTP_BAD;
			first = 0;
		} else if (n == 0) {
			return (long)(next - buf);
		} else if (parse_field(h, p, (size_t)n) < 0) {
			return HTTP_BAD;
		}
		p = next;
	}
}

const struct http_field *http_field(const struct http_head *h, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < h->nfields; i++)
		if (h->fields[i].name_len == n && strncasecmp(h->fields[i].name, name, n) == 0)
			return &h->fields[i];
	return NULL;
}

/* Reads the Transfer-Encoding list, which may span several fields (RFC 9110
 * 5.3). Returns 1 when it is exactly "chunked", 0 when there is none, -1
 * (copying the culprit to bad) for any other coding: hello decodes no
 * compression, and a body it cannot frame is not guessed at. */
static int transfer_coding(const struct http_head *h, char *bad, size_t badcap)
{
	int chunked = 0;

	for (size_t i = 0; i < h->nfields; i++) {
		const struct http_field *f = &h->fields[i];
		const char *p = f->value, *end = f->value + f->value_len;

		if (f->name_len != 17 || strncasecmp(f->name, "Transfer-Encoding", 17) != 0)
			continue;
		while (p < end) {
			const char *tok;
			size_t n;

			while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
				p++;
			tok = p;
			while (p < end && *p != ',' && *p != ' ' && *p != '\t' && *p != ';')
				p++;
			n = (size_t)(p - tok);
			while (p < end && *p != ',')
				p++;
			if (n == 0)
				continue;
			if (n == 7 && strncasecmp(tok, "chunked", 7) == 0 && !chunked) {
				chunked = 1;
				continue;
			}
			snprintf(bad, badcap, "%.*s", (int)n, tok);
			return -1;
		}
	}
	return chunked;
}

/* Every Content-Length value, in every field and list element, must be the
 * same number (RFC 9110 8.6). Returns ERR_OK and sets *out, or
 * ERR_WEIRD_REPLY; *found tells whether there was one at all. */
static int content_length(const struct http_head *h, unsigned long long *out, int *found)
{
	*found = 0;
	for (size_t i = 0; i < h->nfields; i++) {
		const struct http_field *f = &h->fields[i];
		const char *p = f->value, *end = f->value + f->value_len;

		if (f->name_len != 14 || strncasecmp(f->name, "Content-Length", 14) != 0)
			continue;
		do {
			unsigned long long v = 0;
			const char *start;

			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			start = p;
			for (; p < end && is_digit(*p); p++) {
				if (v > (~0ULL >> 1) / 10)
					return err_set(ERR_WEIRD_REPLY, "Content-Length too large");
				v = v * 10 + (unsigned)(*p - '0');
			}
			if (p == start)
				return err_set(ERR_WEIRD_REPLY, "bad Content-Length '%.*s'",
					       err_quote(f->value_len), f->value);
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p < end && *p != ',')
				return err_set(ERR_WEIRD_REPLY, "bad Content-Length '%.*s'",
					       err_quote(f->value_len), f->value);
			if (*found && v != *out)
				return err_set(ERR_WEIRD_REPLY, "conflicting Content-Length values %llu and %llu",
					       *out, v);
			*out = v;
			*found = 1;
		} while (p < end && *p++ == ',');
	}
	return ERR_OK;
}

int http_body_init(struct http_body *b, const struct http_head *h, int head_request)
{
	unsigned long long len = 0;
	char bad[32];
	int has_len, te;

	memset(b, 0, sizeof(*b));
	if (head_request || h->status < 200 || h->status == 204 || h->status == 304) {
		b->framing = HTTP_BODY_NONE;
		b->done = 1;
		return ERR_OK;
	}
	te = transfer_coding(h, bad, sizeof(bad));
	if (te < 0)
		return err_set(ERR_WEIRD_REPLY, "unsupported transfer coding '%s'", bad);
	if (te == 1) {
		/* Chunked wins over any Content-Length (RFC 9112 6.3). */
		b->framing = HTTP_BODY_CHUNKED;
		return ERR_OK;
	}
	if (content_length(h, &len, &has_len) != ERR_OK)
		return ERR_WEIRD_REPLY;
	if (has_len) {
		b->framing = HTTP_BODY_LENGTH;
		b->left = len;
		b->done = len == 0;
	} else {
		b->framing = HTTP_BODY_CLOSE;
	}
	return ERR_OK;
}

enum {
	CH_SIZE,	/* hex digits of the chunk size */
	CH_EXT,		/* chunk extensions, ignored */
	CH_SIZE_LF,	/* LF after the size line's CR */
	CH_DATA,
	CH_DATA_CR,	/* CRLF after the data */
	CH_DATA_LF,
	CH_TRAILER,	/* start of a trailer line, or the final empty line */
	CH_TRAILER_LINE,
	CH_END_LF
};

#define CHUNK_LINE_MAX 4096	/* size line with extensions, or trailer line */

static int chunk_error(const char *why)
{
	return err_set(ERR_RECV, "bad chunked encoding: %s", why);
}

static int decode_chunked(struct http_body *b, char *buf, size_t *len)
{
	const char *in = buf, *end = buf + *len;
	char *out = buf;

	while (in < end && !b->done) {
		int c = (unsigned char)*in;

		switch (b->state) {
		case CH_SIZE:
			if (hex_value(c) >= 0) {
				if (b->size > (~0ULL >> 5))
					return chunk_error("chunk size too large");
				b->size = b->size * 16 + (unsigned)hex_value(c);
				b->line++;
				in++;
				continue;
			}
			if (b->line == 0)
				return chunk_error("no chunk size");
			if (c == ';' || c == ' ' || c == '\t')
				b->state = CH_EXT;
			else if (c == '\r')
				b->state = CH_SIZE_LF;
			else if (c == '\n')
				goto size_done;
			else
				return chunk_error("junk after chunk size");
			in++;
			continue;
		case CH_EXT:
			if (++b->line > CHUNK_LINE_MAX)
				return chunk_error("chunk extension too long");
			if (c == '\r')
				b->state = CH_SIZE_LF;
			else if (c == '\n')
				goto size_done;
			else if (c == 0)
				return chunk_error("NUL in chunk extension");
			in++;
			continue;
		case CH_SIZE_LF:
			if (c != '\n')
				return chunk_error("CR without LF after chunk size");
		size_done:
			in++;
			b->line = 0;
			if (b->size == 0) {
				b->state = CH_TRAILER;
			} else {
				b->left = b->size;
				b->state = CH_DATA;
			}
			b->size = 0;
			continue;
		case CH_DATA: {
			size_t n = (size_t)(end - in);

			if (n > b->left)
				n = (size_t)b->left;
			memmove(out, in, n);
			out += n;
			in += n;
			b->left -= n;
			if (b->left == 0)
				b->state = CH_DATA_CR;
			continue;
		}
		case CH_DATA_CR:
			if (c == '\r')
				b->state = CH_DATA_LF;
			else if (c == '\n')
				b->state = CH_SIZE;
			else
				return chunk_error("chunk data longer than its size");
			in++;
			continue;
		case CH_DATA_LF:
			if (c != '\n')
				return chunk_error("CR without LF after chunk data");
			b->state = CH_SIZE;
			in++;
			continue;
		case CH_TRAILER:
			/* Trailer fields are read and dropped. */
			if (c == '\r')
				b->state = CH_END_LF;
			else if (c == '\n')
				b->done = 1;
			else
				b->state = CH_TRAILER_LINE;
			in++;
			continue;
		case CH_TRAILER_LINE:
			if (++b->line > CHUNK_LINE_MAX)
				return chunk_error("trailer line too long");
			if (c == '\n') {
				b->line = 0;
				b->state = CH_TRAILER;
			} else if (c == 0) {
				return chunk_error("NUL in trailer");
			}
			in++;
			continue;
		case CH_END_LF:
			if (c != '\n')
				return chunk_error("CR without LF at end of body");
			b->done = 1;
			in++;
			continue;
		}
	}
	*len = (size_t)(out - buf);
	return ERR_OK;
}

int http_body_decode(struct http_body *b, char *buf, size_t *len)
{
	switch (b->framing) {
	case HTTP_BODY_NONE:
		*len = 0;
		b->done = 1;
		break;
	case HTTP_BODY_LENGTH:
		if (*len >= b->left) {
			*len = (size_t)b->left;
			b->done = 1;
		}
		b->left -= *len;
		break;
	case HTTP_BODY_CHUNKED:
		return decode_chunked(b, buf, len);
	case HTTP_BODY_CLOSE:
		break;
	}
	return ERR_OK;
}

int http_body_eof(const struct http_body *b)
{
	if (b->done || b->framing == HTTP_BODY_CLOSE)
		return ERR_OK;
	if (b->framing == HTTP_BODY_LENGTH)
		return err_set(ERR_PARTIAL, "connection closed with %llu body bytes missing", b->left);
	return err_set(ERR_PARTIAL, "connection closed before the last chunk");
}

int http_header_valid(const char *line)
{
	const char *p = line;

	while (is_tchar((unsigned char)*p))
		p++;
	if (p == line || *p != ':')
		return 0;
	for (p++; *p; p++)
		if (((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f)
			return 0;
	return 1;
}

/* Does the user header h ("Name: value") have the field name name
 * (case-insensitive)? */
static int header_is(const char *h, const char *name)
{
	size_t len = strlen(name);

	return strncasecmp(h, name, len) == 0 && h[len] == ':';
}

/* Fields that carry credentials, or name the host they were meant for:
 * never sent to another origin after a redirect (curl's rule; see
 * CVE-2018-1000007 and CVE-2022-27776). */
static int origin_bound(const char *h)
{
	return header_is(h, "Authorization") || header_is(h, "Cookie") ||
	       header_is(h, "Proxy-Authorization") || header_is(h, "Host");
}

/* Is there a user header named name that will be sent? */
static int overridden(const char *name, const char *const *headers, size_t n, int other_origin)
{
	for (size_t i = 0; i < n; i++)
		if (header_is(headers[i], name) && !(other_origin && origin_bound(headers[i])))
			return 1;
	return 0;
}

/* Appending to a buffer with its NUL kept after the text; once something
 * does not fit, nothing more is added and full is set. */
struct out {
	char *buf;
	size_t cap, off;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || n >= o->cap - o->off) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->off, s, n);
	o->off += n;
	o->buf[o->off] = '\0';
}

/* Puts each string of a NULL-terminated list. */
static void put_all(struct out *o, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, o);
	while ((s = va_arg(ap, const char *)))
		put(o, s, strlen(s));
	va_end(ap);
}

size_t http_request(char *buf, size_t cap, const struct http_req *r)
{
	const char *const *headers = r->headers;
	size_t nheaders = r->nheaders;
	int other = r->other_origin;
	struct out o = {buf, cap, 0, cap == 0};
	char host[URL_HOST_MAX + 16], len[24];

	if (!url_authority(r->url, host, sizeof(host)))
		return 0;
	put_all(&o, r->method, " ", r->url->target, " HTTP/1.1\r\n", (char *)NULL);
	if (!overridden("Host", headers, nheaders, other))
		put_all(&o, "Host: ", host, "\r\n", (char *)NULL);
	if (!overridden("User-Agent", headers, nheaders, other) && r->user_agent && *r->user_agent)
		put_all(&o, "User-Agent: ", r->user_agent, "\r\n", (char *)NULL);
	if (!overridden("Accept", headers, nheaders, other))
		put_all(&o, "Accept: */*\r\n", (char *)NULL);
	if (!overridden("Connection", headers, nheaders, other))
		put_all(&o, "Connection: close\r\n", (char *)NULL);
	if (r->authorization && !other && !overridden("Authorization", headers, nheaders, other))
		put_all(&o, "Authorization: ", r->authorization, "\r\n", (char *)NULL);
	if (r->has_body) {
		char *p = len + sizeof(len);
		unsigned long long v = r->body_len;

		*--p = '\0';
		do
			*--p = (char)('0' + v % 10);
		while ((v /= 10));
		if (!overridden("Content-Type", headers, nheaders, other))
			put_all(&o, "Content-Type: application/x-www-form-urlencoded\r\n", (char *)NULL);
		put_all(&o, "Content-Length: ", p, "\r\n", (char *)NULL);
	}
	for (size_t i = 0; i < nheaders; i++) {
		const char *colon = strchr(headers[i], ':');
		const char *v = colon ? colon + 1 : "";

		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '\0')
			continue;	/* "Name:" removes the field */
		if (other && origin_bound(headers[i]))
			continue;
		/* The body's framing is the body's own. */
		if (r->has_body && (header_is(headers[i], "Content-Length") ||
				    header_is(headers[i], "Transfer-Encoding")))
			continue;
		put_all(&o, headers[i], "\r\n", (char *)NULL);
	}
	put_all(&o, "\r\n", (char *)NULL);
	return o.full ? 0 : o.off;
}
