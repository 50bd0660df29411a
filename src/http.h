/*
 * HTTP/1.1: request formatting and an incremental, zero-copy response
 * parser (RFC 9112). No I/O; nothing is allocated.
 *
 * The head parser is re-run on the whole buffer each time more bytes arrive
 * (heads are at most HTTP_HEAD_MAX bytes), so it keeps no state. The body
 * decoder is a byte-level state machine that can be fed any split.
 */
#ifndef HELLO_HTTP_H
#define HELLO_HTTP_H

#include <stddef.h>

#include "url.h"

#define HTTP_HEAD_MAX 16384	/* status line plus fields, per response */
#define HTTP_FIELDS_MAX 100	/* fields per response head */
#define HTTP_PARTIAL (-2)	/* more input needed */
#define HTTP_BAD (-1)		/* malformed; detail recorded with err_set() */

struct http_field {
	const char *name;
	size_t name_len;
	const char *value;	/* leading and trailing whitespace removed */
	size_t value_len;
};

struct http_head {
	int minor;		/* HTTP/1.<minor> */
	int status;		/* 100..599 */
	const char *reason;
	size_t reason_len;
	size_t nfields;
	struct http_field fields[HTTP_FIELDS_MAX];
};

/* Parses one response head at the start of buf. Returns its length in bytes
 * (status line through the empty line), HTTP_PARTIAL or HTTP_BAD. Line ends
 * may be CRLF or a bare LF (RFC 9112 2.2); a bare CR, NUL or other control
 * byte, obs-fold, whitespace before a colon or an HTTP version other than
 * 1.x is HTTP_BAD (ERR_WEIRD_REPLY). Fields point into buf. */
long http_parse_head(struct http_head *h, const char *buf, size_t len);

/* The first field called name (case-insensitive), or NULL. */
const struct http_field *http_field(const struct http_head *h, const char *name);

enum http_framing {
	HTTP_BODY_NONE,		/* HEAD, 1xx, 204, 304 */
	HTTP_BODY_LENGTH,	/* Content-Length */
	HTTP_BODY_CHUNKED,	/* Transfer-Encoding: chunked */
	HTTP_BODY_CLOSE		/* until the server closes */
};

struct http_body {
	enum http_framing framing;
	int state;			/* chunked decoder state */
	int done;
	unsigned long long left;	/* LENGTH: bytes to come; CHUNKED: in this chunk */
	unsigned long long size;	/* chunk size being read */
	size_t line;			/* bytes in the current size or trailer line */
};

/* Decides how the body is framed (RFC 9112 6.3). Transfer-Encoding
 * "chunked" wins over Content-Length; any other transfer coding, and
 * conflicting or malformed Content-Length values, are ERR_WEIRD_REPLY.
 * Returns ERR_OK or ERR_WEIRD_REPLY. */
int http_body_init(struct http_body *b, const struct http_head *h, int head_request);

/* Turns received bytes into body bytes, in place: on entry buf[0..*len) is
 * what arrived, on return buf[0..*len) is the body data it held. Bytes after
 * the end of the body are dropped; b->done is set once the body is
 * complete. Returns ERR_OK, or ERR_RECV for bad chunked framing. */
int http_body_decode(struct http_body *b, char *buf, size_t *len);

/* The verdict when the connection closed: ERR_OK when the body is complete
 * (or delimited by the close), else ERR_PARTIAL. */
int http_body_eof(const struct http_body *b);

/* What a request says. */
struct http_req {
	const char *method;		/* "GET", "HEAD", "POST", or -X's token */
	const struct url *url;
	const char *user_agent;		/* NULL or "": none */
	const char *const *headers;	/* the user's "Name: value" lines, checked */
	size_t nheaders;
	const char *authorization;	/* "Basic ..." from -u or the URL, or NULL */
	int has_body;			/* a body of body_len bytes follows the head */
	unsigned long long body_len;
	int other_origin;		/* a redirect led off the first URL's origin */
};

/* Formats the head of request r into buf. The user's headers come last; one
 * with the name of a default field (Host, User-Agent, Accept, Connection,
 * Authorization, Content-Type) replaces it, and "Name:" with an empty value
 * removes it; with a body, Content-Length is hello's own. With
 * other_origin (a redirect led to another scheme, host or port than the
 * first URL's) the Authorization, Cookie, Proxy-Authorization and Host the
 * user gave, and r->authorization, are left out: credentials stay with the
 * origin they were given for, and Host names the host asked.
 * Returns the length, or 0 if it does not fit in cap. */
size_t http_request(char *buf, size_t cap, const struct http_req *r);

/* Is "Name: value" a header line hello may send? The name must be an
 * RFC 9110 token right before the colon; the value may not hold control
 * bytes but tab. Returns 1 or 0. */
int http_header_valid(const char *line);

#endif
