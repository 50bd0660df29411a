#include "net.h"
#include "err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

long long net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd. Returns 1 when ready, 0 at the deadline, -1 on
 * error (errno set). */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = events};

	for (;;) {
		long long left = deadline == NET_NO_DEADLINE ? -1 : deadline - net_now_ms();
		int r;

		if (deadline != NET_NO_DEADLINE && left <= 0)
			return 0;
		r = poll(&p, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static void describe(const struct sockaddr *sa, char *buf, size_t cap)
{
	const void *a = sa->sa_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
						  : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (!inet_ntop(sa->sa_family, a, buf, (socklen_t)cap))
		snprintf(buf, cap, "?");
}

/* One connection attempt. Returns ERR_OK with *fd, ERR_TIMEOUT or ERR_CONNECT. */
static int try_connect(int *fd, const struct addrinfo *ai, unsigned port, long long until,
		       int timeout_is_connect)
{
	char addr[64];
	int s, r, soerr = 0, one = 1;
	socklen_t len = sizeof(soerr);

	s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (s < 0) {
		soerr = errno;
		goto fail;
	}
	if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		soerr = errno;
		goto fail;
	}
	r = wait_fd(s, POLLOUT, until);
	if (r == 0)
		goto fail;
	if (r < 0 || getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
		soerr = errno;
		goto fail;
	}
	if (soerr)
		goto fail;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*fd = s;
	return ERR_OK;
fail:
	/* The address is formatted only here: a probe that connects spends
	 * nothing on it. soerr 0 is the deadline. */
	if (s >= 0)
		close(s);
	describe(ai->ai_addr, addr, sizeof(addr));
	if (!soerr)
		return err_set(ERR_TIMEOUT, "%s port %u: %s timed out", addr, port,
			       timeout_is_connect ? "connect" : "operation");
	return err_set(ERR_CONNECT, "%s port %u: %s", addr, port, strerror(soerr));
}

int net_connect(int *fd, const char *host, unsigned port, const char *address,
		long long connect_deadline, long long deadline)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL, *ai;
	long long until = connect_deadline < deadline ? connect_deadline : deadline;
	char service[8];
	int rc, e;

	snprintf(service, sizeof(service), "%u", port);
	if (address)
		hints.ai_flags |= AI_NUMERICHOST;
	e = getaddrinfo(address ? address : host, service, &hints, &res);
	if (e != 0) {
		if (e == EAI_SYSTEM)
			return err_set(ERR_RESOLVE, "%s: %s", host, strerror(errno));
		return err_set(ERR_RESOLVE, "%s: %s", host, gai_strerror(e));
	}
	rc = res ? ERR_CONNECT : err_set(ERR_CONNECT, "%s: no address", host);
	for (ai = res; ai; ai = ai->ai_next) {
		rc = try_connect(fd, ai, port, until, until == connect_deadline);
		if (rc != ERR_CONNECT)
			break;
	}
	freeaddrinfo(res);
	return rc;
}

int net_read(int fd, void *buf, size_t cap, size_t *got, long long deadline)
{
	for (;;) {
		ssize_t n = recv(fd, buf, cap, 0);
		int r;

		if (n >= 0) {
			*got = (size_t)n;
			return ERR_OK;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_set(ERR_RECV, "%s", strerror(errno));
		r = wait_fd(fd, POLLIN, deadline);
		if (r == 0)
			return err_set(ERR_TIMEOUT, "no data from server before the deadline");
		if (r < 0)
			return err_set(ERR_RECV, "%s", strerror(errno));
	}
}

int net_write(int fd, const void *buf, size_t len, long long deadline)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		int r;

		if (n >= 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_set(ERR_SEND, "%s", strerror(errno));
		r = wait_fd(fd, POLLOUT, deadline);
		if (r == 0)
			return err_set(ERR_TIMEOUT, "server did not take the request before the deadline");
		if (r < 0)
			return err_set(ERR_SEND, "%s", strerror(errno));
	}
	return ERR_OK;
}
