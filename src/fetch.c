#include "fetch.h"
#include "conn.h"
#include "err.h"
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int open_conn(struct fetch *f, const struct url *u, struct conn *c)
{
	const struct opts *o = f->o;
	struct conn_target t = {
		.host = u->host,
		.port = u->port,
		.tls = u->tls,
		.address = opts_resolve_address(o, u->host, u->port),
		.ca = &f->ca,
		.connect_deadline = o->connect_timeout > 0 ? net_now_ms() + o->connect_timeout
							   : NET_NO_DEADLINE,
		.deadline = f->deadline,
	};
	int r;

	note(f, "* connecting to %s port %u%s%s", u->host, u->port, t.address ? " at " : "",
	     t.address ? t.address : "");
	if (u->tls && (r = fetch_load_ca(f)) != ERR_OK)
		return r;
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
		if (b->done)
			return ERR_OK;
		r = conn_read(c, f->buf, HTTP_HEAD_MAX, &got, f->deadline);
		if (r == ERR_TIMEOUT)
			return err_set(r, "the body was still arriving when the time allowed ran out "
				       "(%llu bytes received)", f->body_bytes);
		if (r != ERR_OK)
			return r;
		if (got == 0)
			return http_body_eof(b);
		len = got;
	}
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

int fetch_run(struct fetch *f, struct url *u)
{
	static struct url next;	/* large: kept off the stack */
	const struct opts *o = f->o;
	char req[HTTP_HEAD_MAX];
	long redirects = 0;

	f->origin.tls = u->tls;
	f->origin.port = u->port;
	memcpy(f->origin.host, u->host, sizeof(f->origin.host));
	for (;;) {
		struct conn c;
		struct http_head h;
		struct http_body b;
		const struct http_field *loc;
		size_t req_len, head_len, have;
		int r;

		req_len = http_request(req, sizeof(req), o->head ? "HEAD" : "GET", u,
				       o->user_agent ? o->user_agent : "hello/" HELLO_VERSION,
				       o->headers, o->nheaders, !same_origin(f, u));
		if (req_len == 0)
			return err_set(ERR_USAGE, "request headers longer than %zu bytes", sizeof(req));
		if ((r = open_conn(f, u, &c)) != ERR_OK)
			return r;
		note(f, "> %.*s", (int)strcspn(req, "\r"), req);
		r = conn_write(&c, req, req_len, f->deadline);
		if (r == ERR_OK)
			r = read_head(f, &c, &h, &head_len, &have);
		if (r != ERR_OK) {
			conn_close(&c);
			return r;
		}
		note(f, "< %.*s", (int)strcspn(f->buf, "\r\n"), f->buf);
		loc = http_field(&h, "Location");
		if (o->location && is_redirect(h.status) && loc) {
			conn_close(&c);
			if ((r = follow_redirect(f, u, loc, redirects, &next)) != ERR_OK)
				return r;
			*u = next;
			redirects++;
			continue;
		}
		if (o->fail && h.status >= 400)
			r = err_set(ERR_HTTP, "server returned HTTP %d", h.status);
		else if (o->head)
			r = sink_write(&f->out, f->buf, head_len);
		else if ((r = http_body_init(&b, &h, 0)) == ERR_OK) {
			memmove(f->buf, f->buf + head_len, have - head_len);
			r = stream_body(f, &c, &b, have - head_len);
		}
		conn_close(&c);
		return r;
	}
}
