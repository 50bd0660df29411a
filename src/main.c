/*
 * hello: with no argument, the greeting of a tiny container; with a URL, a
 * small curl-compatible HTTP/HTTPS client that verifies TLS with its own CA
 * bundle; with --healthcheck, a Docker HEALTHCHECK probe.
 *
 * main() follows the data flow: options (opts.c), URL (url.c), the
 * exchange (fetch.c, over conn.c), and one error mapped to curl's exit
 * code. This is the only file that prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/build_info.h>

#include "ca.h"
#include "err.h"
#include "fetch.h"
#include "net.h"
#include "opts.h"
#include "probe.h"
#include "sbom.h"
#include "tls.h"
#include "url.h"

#ifndef HELLO_VERSION
#define HELLO_VERSION "dev"
#endif

#define GREETING "Hello from a Tiny Container!\n"
#define LINE_MAX_BYTES 300	/* the one error line, longer details cut */

static int stdout_closed;	/* hello was started with fd 1 closed */

/* Makes sure fds 0, 1 and 2 are open before any file or socket is: with
 * one closed, the next socket would take its number, and the body (or, for
 * fd 2, the -v lines) would be written into the connection. A closed fd
 * gets a stand-in: /dev/null, or where there is none (an empty chroot) one
 * end of a pipe whose other end is closed at once, so it reads as empty
 * (fd 0) or fails every write (fds 1, 2). Returns 0, or -1 when not even
 * that can be made. */
static int keep_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int p[2];

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (fd == STDOUT_FILENO)
			stdout_closed = 1;
		/* fds below fd are open now, so the lowest free one is fd. */
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) == fd)
			continue;
		if (pipe(p) < 0)
			return -1;
		if (fd == 0) {	/* p[0] is fd 0 */
			close(p[1]);
			continue;
		}
		/* p[0] is fd: replace it with the write end. */
		if (dup2(p[1], fd) < 0)
			return -1;
		close(p[1]);
	}
	return 0;
}

/* One line on stderr: prefix, then text, which may quote user or server
 * input: control bytes become '?' so it stays one line. */
static void print_line(const char *prefix, const char *text)
{
	static char line[PROBE_REPORT_MAX];

	snprintf(line, sizeof(line), "%s", text);
	for (size_t i = 0; line[i]; i++)
		if ((unsigned char)line[i] < ' ' || line[i] == 0x7f)
			line[i] = '?';
	fprintf(stderr, "%s%s\n", prefix, line);
}

/* The one line a failure prints: "hello: <prefix><what>: <detail>", the
 * detail cut at LINE_MAX_BYTES. */
static void print_error(const char *prefix, enum err code, const char *detail)
{
	char line[LINE_MAX_BYTES];

	snprintf(line, sizeof(line), "%s%s: %s", prefix, err_what(code), detail);
	print_line("hello: ", line);
}

/* A -v line from fetch.c: "* ..." about the connection, "> " the request,
 * "< " the response. */
static void print_note(const char *line)
{
	fprintf(stderr, "%s\n", line);
}

/* n bytes of s to stdout, flushed. Returns ERR_OK, or ERR_WRITE with its
 * line printed. */
static int print_out(const char *s, size_t n)
{
	if (stdout_closed || fwrite(s, 1, n, stdout) != n || fflush(stdout) == EOF) {
		print_error("", ERR_WRITE, stdout_closed ? "stdout is closed" : strerror(errno));
		return ERR_WRITE;
	}
	return ERR_OK;
}

static void print_version(void)
{
	printf("hello %s (static, musl libc)\n", HELLO_VERSION);
	printf("mbedtls %s: TLS 1.2 and 1.3, verification always on\n", MBEDTLS_VERSION_STRING);
	printf("CA bundle: %s\n", ca_bundle_info);
}

int main(int argc, char **argv)
{
	static struct opts o;
	static struct url u;
	static struct fetch f;
	int r;

	/* 0. fds 0-2 are taken before anything else can take their numbers. */
	if (keep_std_fds() < 0)
		return ERR_WRITE;

	/* 1. No argument: the greeting. */
	if (argc == 1)
		return print_out(GREETING, sizeof(GREETING) - 1);

	/* 2. Options and URL. */
	r = opts_parse(&o, argc, argv);
	if (r == OPTS_HELP) {
		fputs(opts_usage, stdout);
		return ERR_OK;
	}
	if (r == OPTS_VERSION) {
		print_version();
		return ERR_OK;
	}
	/* The document build/hello.cdx.json holds: a scratch image has no
	 * shell to read that file with. */
	if (r == OPTS_SBOM)
		return print_out(sbom_json, sbom_json_size);
	if (r == ERR_OK && o.healthcheck) {
		/* 2b. The probe: its targets, at once, under one deadline. */
		static char report[PROBE_REPORT_MAX];

		signal(SIGPIPE, SIG_IGN);
		if ((r = tls_init()) == ERR_OK)
			r = probe_run(&o, o.verbose ? print_note : NULL, report, sizeof(report));
		else
			snprintf(report, sizeof(report), "%s: %s", err_what((enum err)r), err_detail());
		if (r == ERR_OK) {
			printf("%s\n", report);
			return fflush(stdout) == EOF ? 1 : 0;
		}
		print_line("hello: unhealthy: ", report);
		/* Docker reserves exit code 2: a probe answers 0 or 1 only. */
		return 1;
	}
	if (r == ERR_OK && o.ntargets == 0)
		r = err_set(ERR_USAGE, "no URL given (see --help)");
	if (r == ERR_OK && o.ntargets > 1)
		r = err_set(ERR_USAGE, "one URL at a time ('%s' and '%s'; several go with --healthcheck)",
			    o.targets[0], o.targets[1]);
	if (r == ERR_OK)
		r = url_parse(&u, o.targets[0]);

	/* 3. The exchange: connect, verify, request, response, body. A bad CA
	 * file is reported before any connection; for a plain http URL it is
	 * read only if a redirect leads to https. */
	if (r == ERR_OK) {
		signal(SIGPIPE, SIG_IGN);
		r = tls_init();
	}
	if (r == ERR_OK) {
		fetch_init(&f, &o, o.max_time > 0 ? net_now_ms() + o.max_time : NET_NO_DEADLINE,
			   print_note, stdout_closed);
		r = u.tls || o.cacert ? fetch_load_ca(&f) : ERR_OK;
		if (r == ERR_OK)
			r = fetch_run(&f, &u);
		if (fetch_done(&f) != ERR_OK && r == ERR_OK)
			r = ERR_WRITE;
	}

	/* 4. One error, one line, curl's exit code. */
	if (r == ERR_OK)
		return ERR_OK;
	if (o.healthcheck) {
		/* Docker reserves exit code 2: a probe answers 0 or 1 only. */
		print_error("unhealthy: ", (enum err)r, err_detail());
		return 1;
	}
	if (!o.silent || o.show_error)
		print_error("", (enum err)r, err_detail());
	return r;
}
