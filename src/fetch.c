#include "fetch.h"
#include "conn.h"
#include "err.h"
#include "file.h"
#include "net.h"
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/base64.h>

#ifndef HELLO_VERSION
#define HELLO_VERSION "dev"
#endif

#define NOTE_MAX 300	/* a -v line, longer ones cut */

static void note(const struct fetch *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct fetch *f, const char *fmt, ...)
{
	char line[NOTE_MAX];
	va_list ap;

	if (!f->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	f->note(line);
}

void fetch_init(struct fetch *f, const struct opts *o, long long deadline,
		void (*note_fn)(const char *line), int stdout_closed)
{
	memset(f, 0, sizeof(*f));
	f->o = o;
	f->deadline = deadline;
	f->note = o->verbose ? note_fn : NULL;
	f->out.path = o->output;
	f->out.fd = o->output ? -1 : STDOUT_FILENO;
	f->out.discard = o->healthcheck;
	f->out.stdout_closed = stdout_closed;
}

static int sink_write(struct fetch_sink *s, const char *buf, size_t len)
{
	if (s->discard)
		return ERR_OK;
	if (!s->path && s->stdout_closed)
		return err_set(ERR_WRITE, "stdout is closed (use -o FILE, or -o /dev/null to discard)");
	if (s->fd < 0) {
		s->fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (s->fd < 0)
			return err_set(ERR_WRITE, "%s: %s", s->path, strerror(errno));
	}
	while (len) {
		ssize_t n = write(s->fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(ERR_WRITE, "%s: %s", s->path ? s->path : "stdout", strerror(errno));
		}
		buf += n;
		len -= (size_t)n;
	}
	return ERR_OK;
}

int fetch_done(struct fetch *f)
{
	int r = ERR_OK;

	if (f->out.path && f->out.fd >= 0 && close(f->out.fd) < 0)
		r = err_set(ERR_WRITE, "%s: %s", f->out.path, strerror(errno));
	f->out.fd = -1;
	if (f->ca_ready)
		ca_store_free(&f->ca);
	f->ca_ready = 0;
	tls_identity_free(f->id);
	f->id = NULL;
	free(f->body);
	f->body = NULL;
	return r;
}

int fetch_load_ca(struct fetch *f)
{
	const char *file = f->o->cacert ? f->o->cacert : getenv("SSL_CERT_FILE");
	int r;

	if (f->ca_ready)
		return ERR_OK;
	if (file && !*file)
		file = NULL;
	if ((r = ca_store_init(&f->ca, file, f->deadline)) != ERR_OK)
		return r;
	f->ca_ready = 1;
	note(f, "* trusting %s%s", file ? "the CAs in " : "the embedded CA bundle", file ? file : "");
	return ERR_OK;
}

int fetch_connect(struct fetch *f, const struct url *u, struct conn *c)
{
	const struct opts *o = f->o;
	struct conn_target t = {
		.host = u->host,
		.port = u->port,
		.tls = u->tls,
		.address = opts_resolve_address(o, u->host, u->port),
		.unix_path = o->unix_socket,
		.ca = &f->ca,
		.connect_deadline = o->connect_timeout > 0 ? net_now_ms() + o->connect_timeout
							   : NET_NO_DEADLINE,
		.deadline = f->deadline,
	};
	int r;

	if (o->unix_socket)
		note(f, "* connecting to the unix socket %s", o->unix_socket);
	else
		note(f, "* connecting to %s port %u%s%s", u->host, u->port, t.address ? " at " : "",
		     t.address ? t.address : "");
	if (u->tls && (r = fetch_load_ca(f)) != ERR_OK)
		return r;
	if (u->tls && o->cert && !f->id &&
	    (r = tls_identity_load(&f->id, o->cert, o->key, f->deadline)) != ERR_OK)
		return r;
	t.id = f->id;
	if ((r = conn_open(c, &t)) != ERR_OK)
		return r;
	if (u->tls)
		note(f, "* %s, %s\n* peer: %s\n* certificate verified for %s", conn_tls_version(c),
		     conn_tls_suite(c), conn_tls_peer(c), u->host);
	return ERR_OK;
}

/* Reads the final response head into f->buf, skipping 1xx responses.
 * Returns ERR_OK with *head_len (the head's bytes) and *have (bytes in the
 * buffer, the head and what followed it). */
static int read_head(struct fetch *f, struct conn *c, struct http_head *h, size_t *head_len,
		     size_t *have)
{
	size_t len = 0, got, total = 0;
	long n;
	int r;

	for (;;) {
		n = len ? http_parse_head(h, f->buf, len) : HTTP_PARTIAL;
		if (n == HTTP_BAD)
			return ERR_WEIRD_REPLY;
		if (n > 0 && h->status >= 200)
			break;
		if (n > 0) {
			if (h->status == 101)
				return err_set(ERR_WEIRD_REPLY, "unexpected 101 Switching Protocols");
			/* 100 Continue, 103 Early Hints: the answer is still to come. */
			note(f, "< %.*s (skipped)", (int)strcspn(f->buf, "\r\n"), f->buf);
			memmove(f->buf, f->buf + n, len - (size_t)n);
			len -= (size_t)n;
			continue;
		}
		if (len == HTTP_HEAD_MAX)
			return err_set(ERR_WEIRD_REPLY, "response head larger than %d bytes", HTTP_HEAD_MAX);
		r = conn_read(c, f->buf + len, HTTP_HEAD_MAX - len, &got, f->deadline);
		if (r == ERR_TIMEOUT)
			return err_set(r, "no response from the server in the time allowed");
		if (r != ERR_OK)
			return r;
		if (got == 0) {
			if (total == 0)
				return err_set(ERR_EMPTY_REPLY, "server closed the connection without a reply");
			return err_set(ERR_WEIRD_REPLY, "connection closed inside the response head");
		}
		len += got;
		total += got;
	}
	*head_len = (size_t)n;
	*have = len;
	return ERR_OK;
}

/* Is text (tlen > 0 bytes) in hay? A plain search, not musl's two-way
 * memmem(), which would cost 1.2 KB of a binary whose size is budgeted: the
 * hay is at most FETCH_BODY_PREFIX_MAX bytes. */
static int contains(const char *hay, size_t n, const char *text, size_t tlen)
{
	for (size_t i = 0; i + tlen <= n; i++) {
		const char *p = memchr(hay + i, text[0], n - tlen + 1 - i);

		if (!p)
			return 0;
		i = (size_t)(p - hay);
		if (memcmp(p, text, tlen) == 0)
			return 1;
	}
	return 0;
}

/* --expect-body: keeps the first FETCH_BODY_PREFIX_MAX bytes of the body
 * and looks for the text in them as they arrive (across pieces too). */
static void search_body(struct fetch *f, const char *buf, size_t len)
{
	static char prefix[FETCH_BODY_PREFIX_MAX];
	const char *text = f->o->expect_body;
	size_t tlen = strlen(text), from, n = len;

	if (f->found || f->seen == sizeof(prefix))
		return;
	if (n > sizeof(prefix) - f->seen)
		n = sizeof(prefix) - f->seen;
	memcpy(prefix + f->seen, buf, n);
	from = f->seen >= tlen ? f->seen - tlen + 1 : 0;
	f->seen += n;
	if (tlen == 0 || contains(prefix + from, f->seen - from, text, tlen))
		f->found = 1;
}

/* Streams the body through f->buf to the sink: memory stays the same
 * whatever the body's size. buf[0..have) already holds its first bytes. */
static int stream_body(struct fetch *f, struct conn *c, struct http_body *b, size_t have)
{
	size_t len = have, got;
	int r;

	for (;;) {
		if ((r = http_body_decode(b, f->buf, &len)) != ERR_OK)
			return r;
		f->body_bytes += len;
		if (len && (r = sink_write(&f->out, f->buf, len)) != ERR_OK)
			return r;
		if (f->o->expect_body) {
			search_body(f, f->buf, len);
			/* Found, or not in the part that is read: the rest can wait. */
			if (f->found || f->seen == FETCH_BODY_PREFIX_MAX)
				break;
		}
		if (b->done)
			break;
		r = conn_read(c, f->buf, HTTP_HEAD_MAX, &got, f->deadline);
		if (r == ERR_TIMEOUT)
			return err_set(r, "the body was still arriving when the time allowed ran out "
				       "(%llu bytes received)", f->body_bytes);
		if (r != ERR_OK)
			return r;
		if (got == 0) {
			if ((r = http_body_eof(b)) != ERR_OK)
				return r;
			break;
		}
		len = got;
	}
	if (f->o->expect_body && !f->found)
		return err_set(ERR_HTTP, "the body does not contain '%.*s' (%s%zu bytes read)",
			       err_quote(strlen(f->o->expect_body)), f->o->expect_body,
			       f->seen == FETCH_BODY_PREFIX_MAX ? "its first " : "", f->seen);
	return ERR_OK;
}

/* Is u on the first URL's origin: the same scheme, host and port (RFC
 * 6454)? "localhost" and "127.0.0.1" are two origins, as they are to curl. */
static int same_origin(const struct fetch *f, const struct url *u)
{
	return u->tls == f->origin.tls && u->port == f->origin.port && strcmp(u->host, f->origin.host) == 0;
}

static int is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* The URL the Location field loc sends u to, into next; count is how many
 * redirects were followed before this one. Returns ERR_OK, or why it is
 * not followed: too many, a bad or over-long URL, https to http. */
static int follow_redirect(const struct fetch *f, const struct url *u, const struct http_field *loc,
			   long count, struct url *next)
{
	char ref[URL_MAX + 1];
	int r;

	if (f->o->max_redirs >= 0 && count >= f->o->max_redirs)
		return err_set(ERR_TOO_MANY_REDIRECTS, "stopped after %ld redirects", count);
	if (loc->value_len > URL_MAX)
		return err_set(ERR_WEIRD_REPLY, "Location longer than %d bytes", URL_MAX);
	memcpy(ref, loc->value, loc->value_len);
	ref[loc->value_len] = '\0';
	if ((r = url_resolve(next, u, ref)) != ERR_OK)
		return err_set(r, "redirect to '%.200s': %s", ref, err_detail());
	if (u->tls && !next->tls)
		return err_set(ERR_UNSUPPORTED_PROTOCOL, "refusing redirect from https to http ('%.200s')",
			       ref);
	return ERR_OK;
}

/* What -d says, joined by '&' (as curl does); "@FILE" is the file without
 * its CR and LF bytes, "@-" standard input. */
static int read_data(struct fetch *f)
{
	const struct opts *o = f->o;
	size_t cap = 0;

	for (size_t i = 0; i < o->ndata; i++) {
		const char *d = o->data[i];
		unsigned char *part = (unsigned char *)d, *grown;
		size_t n = strlen(d);
		int r;

		if (d[0] == '@') {
			if ((r = file_read(d + 1, FETCH_DATA_MAX, ERR_READ, f->deadline, &part, &n)) != ERR_OK)
				return r;
			size_t k = 0;

			for (size_t j = 0; j < n; j++)
				if (part[j] != '\r' && part[j] != '\n')
					part[k++] = part[j];
			n = k;
		}
		if (f->body_len + n + 1 > FETCH_DATA_MAX) {
			if (part != (unsigned char *)d)
				free(part);
			return err_set(ERR_READ, "-d: more than %u bytes of data", FETCH_DATA_MAX);
		}
		if (f->body_len + n + 1 > cap) {
			cap = f->body_len + n + 1;
			if (!(grown = realloc(f->body, cap))) {
				if (part != (unsigned char *)d)
					free(part);
				return err_set(ERR_NOMEM, "-d data");
			}
			f->body = grown;
		}
		if (i)
			f->body[f->body_len++] = '&';
		memcpy(f->body + f->body_len, part, n);
		f->body_len += n;
		if (part != (unsigned char *)d)
			free(part);
	}
	if (o->ndata && !f->body)
		f->body = malloc(1);	/* -d '': an empty body, still a POST */
	return f->body || !o->ndata ? ERR_OK : err_set(ERR_NOMEM, "-d data");
}

/* "Basic base64(user:password)" from -u, else from the URL's userinfo. */
static int make_authorization(struct fetch *f, const struct url *u)
{
	char plain[2 * URL_USER_MAX + 2];
	size_t n, out;
	int len;

	f->authorization[0] = '\0';
	if (f->o->user)
		len = snprintf(plain, sizeof(plain), "%s", f->o->user);
	else if (u->has_user)
		len = snprintf(plain, sizeof(plain), "%s:%s", u->user, u->password);
	else
		return ERR_OK;
	if (len < 0 || (size_t)len >= sizeof(plain))
		return err_set(ERR_USAGE, "user name and password longer than %zu bytes", sizeof(plain) - 1);
	n = (size_t)len;
	memcpy(f->authorization, "Basic ", 6);
	if (mbedtls_base64_encode((unsigned char *)f->authorization + 6, sizeof(f->authorization) - 6,
				  &out, (unsigned char *)plain, n) != 0)
		return err_set(ERR_USAGE, "user name and password too long");
	mbedtls_platform_zeroize(plain, sizeof(plain));
	return ERR_OK;
}

int fetch_run(struct fetch *f, struct url *u)
{
	static struct url next;	/* large: kept off the stack */
	const struct opts *o = f->o;
	const char *method = o->method ? o->method : o->head ? "HEAD" : o->ndata ? "POST" : "GET";
	int send_body = o->ndata > 0;
	char req[HTTP_HEAD_MAX];
	long redirects = 0;
	int r;

	f->origin.tls = u->tls;
	f->origin.port = u->port;
	memcpy(f->origin.host, u->host, sizeof(f->origin.host));
	if ((r = read_data(f)) != ERR_OK || (r = make_authorization(f, u)) != ERR_OK)
		return r;
	for (;;) {
		struct conn c;
		struct http_head h;
		struct http_body b;
		const struct http_field *loc;
		size_t req_len, head_len, have;
		struct http_req q = {
			.method = method,
			.url = u,
			.user_agent = o->user_agent ? o->user_agent : "hello/" HELLO_VERSION,
			.headers = o->headers,
			.nheaders = o->nheaders,
			.authorization = f->authorization[0] ? f->authorization : NULL,
			.has_body = send_body,
			.body_len = f->body_len,
			.other_origin = !same_origin(f, u),
		};

		req_len = http_request(req, sizeof(req), &q);
		if (req_len == 0)
			return err_set(ERR_USAGE, "request headers longer than %zu bytes", sizeof(req));
		if ((r = fetch_connect(f, u, &c)) != ERR_OK)
			return r;
		note(f, "> %.*s", (int)strcspn(req, "\r"), req);
		r = conn_write(&c, req, req_len, f->deadline);
		if (r == ERR_OK && send_body && f->body_len)
			r = conn_write(&c, f->body, f->body_len, f->deadline);
		if (r == ERR_OK)
			r = read_head(f, &c, &h, &head_len, &have);
		if (r != ERR_OK) {
			conn_close(&c);
			return r;
		}
		f->status = h.status;
		note(f, "< %.*s", (int)strcspn(f->buf, "\r\n"), f->buf);
		loc = http_field(&h, "Location");
		if (o->location && is_redirect(h.status) && loc) {
			conn_close(&c);
			if ((r = follow_redirect(f, u, loc, redirects, &next)) != ERR_OK)
				return r;
			*u = next;
			redirects++;
			/* As curl: after a 301, 302 or 303 the body is not sent
			 * again, and a POST becomes a GET (unless -X named the
			 * method); 307 and 308 repeat the request as it was. */
			if (h.status != 307 && h.status != 308) {
				send_body = 0;
				if (!o->method && strcmp(method, "POST") == 0)
					method = "GET";
			}
			continue;
		}
		if (o->healthcheck && !opts_status_ok(o, h.status))
			r = err_set(ERR_HTTP, "server returned HTTP %d%s%s%s", h.status,
				    o->nstatus ? " (expected " : "", o->nstatus ? o->expect_status : "",
				    o->nstatus ? ")" : "");
		else if (!o->healthcheck && o->fail && h.status >= 400)
			r = err_set(ERR_HTTP, "server returned HTTP %d", h.status);
		else if (o->head)
			r = sink_write(&f->out, f->buf, head_len);
		else if ((r = http_body_init(&b, &h, strcmp(method, "HEAD") == 0)) == ERR_OK) {
			memmove(f->buf, f->buf + head_len, have - head_len);
			r = stream_body(f, &c, &b, have - head_len);
		}
		conn_close(&c);
		return r;
	}
}
