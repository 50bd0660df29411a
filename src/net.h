/*
 * TCP: name resolution, connecting with a deadline, and reading and writing
 * with a deadline. Sockets are non-blocking; every wait is a poll() bounded by
 * an absolute deadline from net_now_ms() (NET_NO_DEADLINE for none).
 */
#ifndef HELLO_NET_H
#define HELLO_NET_H

#include <stddef.h>

#define NET_NO_DEADLINE 0x7fffffffffffffffLL

/* Monotonic time in milliseconds. */
long long net_now_ms(void);

/* Waits for events (POLLIN, POLLOUT) on fd until the deadline. Returns 1
 * when ready, 0 when the deadline has passed, -1 on error (errno set). */
int net_wait(int fd, short events, long long deadline);

/* Connects to host:port. With address (from --resolve) the name is not
 * looked up and address, a numeric IPv4 or IPv6 address, is used instead;
 * "localhost" and "*.localhost" are 127.0.0.1 and ::1 (RFC 6761). A lookup
 * is bounded by the earlier deadline (it runs in a child process, since
 * getaddrinfo() cannot be interrupted). Each address is tried in turn until
 * one accepts, connect_deadline or deadline passes. The socket has
 * TCP_NODELAY set: a request is written in one go and small TLS records
 * must not wait for delayed ACKs.
 * Returns ERR_OK and sets *fd, or ERR_RESOLVE, ERR_CONNECT, ERR_TIMEOUT. */
int net_connect(int *fd, const char *host, unsigned port, const char *address,
		long long connect_deadline, long long deadline);

/* Connects to the unix socket at path (--unix-socket). Returns ERR_OK and
 * sets *fd, or ERR_CONNECT, ERR_TIMEOUT. */
int net_connect_unix(int *fd, const char *path, long long deadline);

/* Reads at most cap bytes. Returns ERR_OK with *got > 0, or *got == 0 at end
 * of stream; ERR_TIMEOUT; ERR_RECV. */
int net_read(int fd, void *buf, size_t cap, size_t *got, long long deadline);

/* Writes all of buf. Returns ERR_OK, ERR_TIMEOUT or ERR_SEND. */
int net_write(int fd, const void *buf, size_t len, long long deadline);

#endif
