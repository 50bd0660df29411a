#include "net.h"
#include "err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Addresses tried per host: more than any real name has. */
#define NET_ADDRS_MAX 16

long long net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int net_wait(int fd, short events, long long deadline)
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
	r = net_wait(s, POLLOUT, until);
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

/* What a lookup found: up to NET_ADDRS_MAX addresses, in getaddrinfo()'s
 * order, or its error. Plain data, so a child process can send it whole. */
struct lookup {
	int gai_error;			/* 0, or an EAI_* code */
	int sys_errno;			/* with EAI_SYSTEM */
	int count;
	struct sockaddr_storage addr[NET_ADDRS_MAX];
	socklen_t len[NET_ADDRS_MAX];
};

static void lookup_now(struct lookup *l, const char *name, const char *service, int numeric)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV | (numeric ? AI_NUMERICHOST : 0)};
	struct addrinfo *res = NULL;

	memset(l, 0, sizeof(*l));
	l->gai_error = getaddrinfo(name, service, &hints, &res);
	l->sys_errno = errno;
	for (struct addrinfo *ai = res; ai && l->count < NET_ADDRS_MAX; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(l->addr[0]))
			continue;
		memcpy(&l->addr[l->count], ai->ai_addr, ai->ai_addrlen);
		l->len[l->count++] = ai->ai_addrlen;
	}
	if (res)
		freeaddrinfo(res);
}

/* getaddrinfo() bounded by a deadline. musl's resolver waits as long as
 * resolv.conf says (timeout:, attempts:) and cannot be interrupted, so the
 * lookup runs in a child process that is killed when the deadline passes;
 * its answer comes back through a pipe. Returns ERR_OK or ERR_TIMEOUT. */
static int lookup_until(struct lookup *l, const char *name, const char *service, long long until)
{
	int p[2], status;
	size_t got = 0;
	pid_t pid, parent = getpid();

	if (pipe(p) < 0) {
		lookup_now(l, name, service, 0);
		return ERR_OK;
	}
	pid = fork();
	if (pid == 0) {
		const char *b = (const char *)l;
		size_t left = sizeof(*l);

		/* Ends with its parent, Ctrl-C included (the parent may have
		 * gone before prctl(): then it is not ours any more). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(p[0]);
		lookup_now(l, name, service, 0);
		while (left) {
			ssize_t n = write(p[1], b, left);

			if (n <= 0)
				_exit(1);
			b += n;
			left -= (size_t)n;
		}
		_exit(0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		lookup_now(l, name, service, 0);
		return ERR_OK;
	}
	while (got < sizeof(*l)) {
		ssize_t n;
		int r = net_wait(p[0], POLLIN, until);

		if (r == 0)
			break;
		n = read(p[0], (char *)l + got, sizeof(*l) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	if (got < sizeof(*l))
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof(*l))
		return ERR_OK;
	if (net_now_ms() >= until)
		return ERR_TIMEOUT;
	memset(l, 0, sizeof(*l));
	l->gai_error = EAI_FAIL;
	return ERR_OK;
}

/* "localhost", "*.localhost", with or without a trailing dot: names for
 * the loopback addresses (RFC 6761 6.3), answered without a resolver, as
 * curl does. A scratch image has no /etc/hosts, and musl looks up
 * "localhost." in DNS. */
static int is_localhost(const char *host)
{
	size_t n = strlen(host);

	if (n && host[n - 1] == '.')
		n--;
	return (n == 9 && strncmp(host, "localhost", 9) == 0) ||
	       (n > 10 && strncmp(host + n - 10, ".localhost", 10) == 0);
}

/* An address literal, from the URL or --resolve, needs no lookup: its one
 * address into l. Returns 1, or 0 when text is no plain address (an IPv6
 * scope, "fe80::1%eth0", is left to getaddrinfo()). */
static int lookup_literal(struct lookup *l, const char *text, unsigned port)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&l->addr[0];
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&l->addr[0];

	l->gai_error = 0;
	memset(&l->addr[0], 0, sizeof(l->addr[0]));
	if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((unsigned short)port);
		l->len[0] = sizeof(*v4);
	} else if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)port);
		l->len[0] = sizeof(*v6);
	} else {
		return 0;
	}
	l->count = 1;
	return 1;
}

static void lookup_loopback(struct lookup *l, unsigned port)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&l->addr[0];
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&l->addr[1];

	memset(l, 0, sizeof(*l));
	v4->sin_family = AF_INET;
	v4->sin_port = htons((unsigned short)port);
	v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->len[0] = sizeof(*v4);
	v6->sin6_family = AF_INET6;
	v6->sin6_port = htons((unsigned short)port);
	v6->sin6_addr = in6addr_loopback;
	l->len[1] = sizeof(*v6);
	l->count = 2;
}

int net_connect(int *fd, const char *host, unsigned port, const char *address,
		long long connect_deadline, long long deadline)
{
	static struct lookup l;
	long long until = connect_deadline < deadline ? connect_deadline : deadline;
	char service[8];
	int rc;

	/* An address (from --resolve, or a literal in the URL) needs no wait;
	 * neither does a lookup with no deadline to keep. */
	if (!address && is_localhost(host)) {
		lookup_loopback(&l, port);
	} else if (lookup_literal(&l, address ? address : host, port)) {
		/* done */
	} else if (snprintf(service, sizeof(service), "%u", port) > 0 &&
		   (address || until == NET_NO_DEADLINE)) {
		lookup_now(&l, address ? address : host, service, address != NULL);
	} else if (lookup_until(&l, host, service, until) != ERR_OK) {
		return err_set(ERR_TIMEOUT, "resolving %s: no answer within the %s", host,
			       until == connect_deadline ? "--connect-timeout" : "deadline");
	}
	if (l.gai_error != 0) {
		if (l.gai_error == EAI_SYSTEM)
			return err_set(ERR_RESOLVE, "%s: %s", host, strerror(l.sys_errno));
		return err_set(ERR_RESOLVE, "%s: %s", host, gai_strerror(l.gai_error));
	}
	rc = l.count ? ERR_CONNECT : err_set(ERR_CONNECT, "%s: no address", host);
	for (int i = 0; i < l.count; i++) {
		struct addrinfo ai = {.ai_family = l.addr[i].ss_family, .ai_socktype = SOCK_STREAM,
				      .ai_addr = (struct sockaddr *)&l.addr[i], .ai_addrlen = l.len[i]};

		rc = try_connect(fd, &ai, port, until, until == connect_deadline);
		if (rc != ERR_CONNECT)
			break;
	}
	return rc;
}

int net_connect_unix(int *fd, const char *path, long long deadline)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(ERR_CONNECT, "unix socket path longer than %zu bytes", sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return err_set(ERR_CONNECT, "%s: %s", path, strerror(errno));
	/* A unix connect completes at once, or fails; EAGAIN is a full
	 * backlog, tried again until the deadline. */
	while (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		if (e == EAGAIN && net_now_ms() < deadline) {
			poll(NULL, 0, 10);
			continue;
		}
		close(s);
		if (e == EAGAIN)
			return err_set(ERR_TIMEOUT, "%s: the unix socket's backlog stayed full", path);
		return err_set(ERR_CONNECT, "%s: %s", path, strerror(e));
	}
	*fd = s;
	return ERR_OK;
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
		r = net_wait(fd, POLLIN, deadline);
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
		r = net_wait(fd, POLLOUT, deadline);
		if (r == 0)
			return err_set(ERR_TIMEOUT, "server did not take the request before the deadline");
		if (r < 0)
			return err_set(ERR_SEND, "%s", strerror(errno));
	}
	return ERR_OK;
}
