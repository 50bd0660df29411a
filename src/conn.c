#include "conn.h"
#include "err.h"
#include "net.h"
#include "tls.h"

#include <unistd.h>

int conn_open(struct conn *c, const struct conn_target *t)
{
	long long hs_deadline = t->connect_deadline < t->deadline ? t->connect_deadline : t->deadline;
	int r;

	c->fd = -1;
	c->tls = NULL;
	if (t->unix_path)
		r = net_connect_unix(&c->fd, t->unix_path, hs_deadline);
	else
		r = net_connect(&c->fd, t->host, t->port, t->address, t->connect_deadline, t->deadline);
	if (r != ERR_OK || !t->tls)
		return r;
	r = tls_open(&c->tls, c->fd, t->host, t->ca, t->id, hs_deadline);
	if (r == ERR_TIMEOUT)
		err_set(ERR_TIMEOUT, "TLS handshake with %s not done within %s", t->host,
			t->connect_deadline < t->deadline ? "--connect-timeout" : "the time allowed");
	if (r != ERR_OK)
		conn_close(c);
	return r;
}

int conn_read(struct conn *c, void *buf, size_t cap, size_t *got, long long deadline)
{
	if (c->tls)
		return tls_read(c->tls, buf, cap, got, deadline);
	return net_read(c->fd, buf, cap, got, deadline);
}

int conn_write(struct conn *c, const void *buf, size_t len, long long deadline)
{
	if (c->tls)
		return tls_write(c->tls, buf, len, deadline);
	return net_write(c->fd, buf, len, deadline);
}

int conn_settle(struct conn *c, long long deadline)
{
	return c->tls ? tls_settle(c->tls, deadline) : ERR_OK;
}

const char *conn_tls_version(const struct conn *c)
{
	return c->tls ? tls_version(c->tls) : "";
}

const char *conn_tls_suite(const struct conn *c)
{
	return c->tls ? tls_suite(c->tls) : "";
}

const char *conn_tls_peer(const struct conn *c)
{
	return c->tls ? tls_peer_subject(c->tls) : "";
}

void conn_close(struct conn *c)
{
	tls_close(c->tls);
	c->tls = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
