#include "probe.h"
#include "conn.h"
#include "err.h"
#include "fetch.h"
#include "net.h"
#include "url.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARENA_MAX 16384		/* the expanded strings, all together */
#define TARGET_TEXT_MAX 120	/* a target as the report names it */
#define DETAIL_MAX 200		/* a failing check's reason in the report */
#define GRACE_MS 200		/* children end by the deadline themselves; then they are killed */

/* One check's outcome: plain data, sent whole through a pipe by a child. */
struct result {
	int code;			/* ERR_OK when healthy */
	long long ms;			/* how long it took */
	char target[TARGET_TEXT_MAX];	/* as printed: no user or password */
	char summary[48];		/* "HTTP 200", "connected", "TLSv1.3 verified" */
	char detail[DETAIL_MAX];	/* "<what>: <why>" when not healthy */
};

static int name_char(int c, int first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (!first && c >= '0' && c <= '9');
}

int probe_expand(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *p = in; *p;) {
		const char *value, *name, *end;
		size_t n, vlen;

		if (p[0] != '$' || p[1] != '{') {
			if (o + 1 >= cap)
				return err_set(ERR_USAGE, "'%.*s...' is too long once expanded", err_quote(strlen(in)), in);
			out[o++] = *p++;
			continue;
		}
		name = p + 2;
		for (end = name; name_char((unsigned char)*end, end == name); end++)
			;
		n = (size_t)(end - name);
		if (n == 0 || (*end != '}' && strncmp(end, ":-", 2) != 0))
			return err_set(ERR_USAGE, "'%.*s': only ${NAME} and ${NAME:-default} are expanded",
				       err_quote(strlen(p)), p);
		{
			char var[128];

			if (n >= sizeof(var))
				return err_set(ERR_USAGE, "'%.*s': variable name too long", err_quote(n), name);
			memcpy(var, name, n);
			var[n] = '\0';
			value = getenv(var);
		}
		if (*end == '}') {
			if (!value)
				return err_set(ERR_USAGE, "${%.*s} is not set (and has no default)", (int)n, name);
			vlen = strlen(value);
			p = end + 1;
		} else {
			const char *def = end + 2, *close = strchr(def, '}');

			if (!close)
				return err_set(ERR_USAGE, "'%.*s': '${' without its '}'", err_quote(strlen(p)), p);
			if (!value || !*value) {
				value = def;
				vlen = (size_t)(close - def);
			} else {
				vlen = strlen(value);
			}
			p = close + 1;
		}
		if (o + vlen >= cap)
			return err_set(ERR_USAGE, "'%.*s...' is too long once expanded", err_quote(strlen(in)), in);
		memcpy(out + o, value, vlen);
		o += vlen;
	}
	out[o] = '\0';
	return ERR_OK;
}

/* A copy of o with every expandable string expanded into the arena, and
 * the targets from HEALTHCHECK_URL when the command line gave none. */
static int expand_opts(const struct opts *o, struct opts *x)
{
	static char arena[ARENA_MAX];
	static char env_targets[ARENA_MAX];
	size_t used = 0;
	int r;

	*x = *o;
	if (x->ntargets == 0) {
		const char *env = getenv("HEALTHCHECK_URL");
		char *save = NULL, *tok;

		if (!env || !*env)
			return err_set(ERR_USAGE, "no target given, and HEALTHCHECK_URL is not set");
		if (strlen(env) >= sizeof(env_targets))
			return err_set(ERR_USAGE, "HEALTHCHECK_URL is longer than %zu bytes", sizeof(env_targets) - 1);
		memcpy(env_targets, env, strlen(env) + 1);
		for (tok = strtok_r(env_targets, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			if (x->ntargets == OPTS_TARGETS_MAX)
				return err_set(ERR_USAGE, "HEALTHCHECK_URL names more than %d targets", OPTS_TARGETS_MAX);
			x->targets[x->ntargets++] = tok;
		}
		if (x->ntargets == 0)
			return err_set(ERR_USAGE, "HEALTHCHECK_URL names no target");
	}
#define EXPAND(field)                                                                       \
	do {                                                                                \
		if ((field) && strstr((field), "${")) {                                     \
			if ((r = probe_expand((field), arena + used, sizeof(arena) - used)) != ERR_OK) \
				return r;                                                   \
			(field) = arena + used;                                             \
			used += strlen(arena + used) + 1;                                   \
		}                                                                           \
	} while (0)
	for (size_t i = 0; i < x->ntargets; i++)
		EXPAND(x->targets[i]);
	for (size_t i = 0; i < x->nheaders; i++) {
		EXPAND(x->headers[i]);
		if (!http_header_valid(x->headers[i]))
			return err_set(ERR_USAGE, "-H: '%s' is not 'Name: value' once expanded", x->headers[i]);
	}
	EXPAND(x->expect_body);
	if (x->expect_status && strstr(x->expect_status, "${")) {
		EXPAND(x->expect_status);
		if ((r = opts_parse_status(x, x->expect_status)) != ERR_OK)
			return r;
	}
#undef EXPAND
	return ERR_OK;
}

/* How the report names a target: its URL as hello reads it (never the user
 * or password), or, when it does not parse, the text without them. */
static void target_text(const char *text, char *buf, size_t cap)
{
	static struct url u;
	const char *at = strrchr(text, '@'), *scheme_end = strstr(text, "://");

	if (url_parse_target(&u, text) == ERR_OK && url_format(&u, buf, cap))
		return;
	if (at && scheme_end && at > scheme_end)
		snprintf(buf, cap, "%.*s...%s", (int)(scheme_end + 3 - text), text, at);
	else
		snprintf(buf, cap, "%s", text);
}

/* One check, in this process. */
static void check(const struct opts *o, const char *text, void (*note)(const char *line),
		  struct result *res)
{
	static struct fetch f;
	static struct url u;
	long long start = net_now_ms();

	memset(res, 0, sizeof(*res));
	fetch_init(&f, o, o->max_time > 0 ? start + o->max_time : NET_NO_DEADLINE, note, 0);
	target_text(text, res->target, sizeof(res->target));
	res->code = url_parse_target(&u, text);
	if (res->code == ERR_OK && (u.scheme == URL_TCP || u.scheme == URL_TLS)) {
		struct conn c;

		res->code = fetch_connect(&f, &u, &c);
		if (res->code == ERR_OK && (res->code = conn_settle(&c, f.deadline)) != ERR_OK)
			conn_close(&c);
		if (res->code == ERR_OK) {
			snprintf(res->summary, sizeof(res->summary), "%s%s", conn_tls_version(&c),
				 u.tls ? " verified" : "connected");
			conn_close(&c);
		}
	} else if (res->code == ERR_OK) {
		res->code = fetch_run(&f, &u);
		snprintf(res->summary, sizeof(res->summary), "HTTP %d", f.status);
	}
	if (fetch_done(&f) != ERR_OK && res->code == ERR_OK)
		res->code = ERR_WRITE;
	res->ms = net_now_ms() - start;
	if (res->code != ERR_OK)
		snprintf(res->detail, sizeof(res->detail), "%s: %s", err_what((enum err)res->code), err_detail());
}

/* Every check at once, one child each, until o's deadline. */
static void check_all(const struct opts *o, void (*note)(const char *line), struct result *res)
{
	long long until = o->max_time > 0 ? net_now_ms() + o->max_time + GRACE_MS : NET_NO_DEADLINE;
	struct pollfd p[OPTS_TARGETS_MAX];
	pid_t pid[OPTS_TARGETS_MAX];
	size_t got[OPTS_TARGETS_MAX] = {0}, open_pipes = 0, n = o->ntargets;
	pid_t parent = getpid();

	for (size_t i = 0; i < n; i++) {
		int fds[2];

		memset(&res[i], 0, sizeof(res[i]));
		target_text(o->targets[i], res[i].target, sizeof(res[i].target));
		res[i].code = ERR_TIMEOUT;
		snprintf(res[i].detail, sizeof(res[i].detail), "%s: no answer in the time allowed",
			 err_what(ERR_TIMEOUT));
		p[i].fd = -1;
		pid[i] = -1;
		if (pipe(fds) < 0 || (pid[i] = fork()) < 0) {
			res[i].code = ERR_NOMEM;
			snprintf(res[i].detail, sizeof(res[i].detail), "cannot start the check: %s", strerror(errno));
			continue;
		}
		if (pid[i] == 0) {
			struct result mine;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			close(fds[0]);
			check(o, o->targets[i], note, &mine);
			/* Under PIPE_BUF: one write, whole. */
			_exit(write(fds[1], &mine, sizeof(mine)) == (ssize_t)sizeof(mine) ? 0 : 1);
		}
		close(fds[1]);
		p[i].fd = fds[0];
		p[i].events = POLLIN;
		open_pipes++;
	}
	while (open_pipes) {
		long long left = until == NET_NO_DEADLINE ? -1 : until - net_now_ms();
		int r;

		if (until != NET_NO_DEADLINE && left <= 0)
			break;
		r = poll(p, n, left < 0 ? -1 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (size_t i = 0; i < n; i++) {
			ssize_t k;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			k = read(p[i].fd, (char *)&res[i] + got[i], sizeof(res[i]) - got[i]);
			if (k > 0)
				got[i] += (size_t)k;
			if (k <= 0 || got[i] == sizeof(res[i])) {
				if (got[i] != sizeof(res[i])) {
					res[i].code = ERR_RECV;
					snprintf(res[i].detail, sizeof(res[i].detail), "the check ended without a result");
				}
				close(p[i].fd);
				p[i].fd = -1;
				open_pipes--;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i].fd >= 0)
			close(p[i].fd);
		if (pid[i] > 0) {
			kill(pid[i], SIGKILL);
			while (waitpid(pid[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
}

int probe_run(const struct opts *o_in, void (*note)(const char *line), char *report, size_t cap)
{
	static struct opts o;
	static struct result res[OPTS_TARGETS_MAX];
	size_t failed = 0, off = 0;
	int first_error = ERR_OK, r;

	if ((r = expand_opts(o_in, &o)) != ERR_OK) {
		snprintf(report, cap, "%s: %s", err_what((enum err)r), err_detail());
		return r;
	}
	if (o.ntargets == 1)
		check(&o, o.targets[0], note, &res[0]);
	else
		check_all(&o, note, res);
	for (size_t i = 0; i < o.ntargets; i++)
		if (res[i].code != ERR_OK && failed++ == 0)
			first_error = res[i].code;

	/* One line: what was checked and how it went; for the unhealthy,
	 * each failing target and why. */
	report[0] = '\0';
	if (failed == 0 && o.ntargets > 1)
		off += (size_t)snprintf(report, cap, "healthy: %zu checks: ", o.ntargets);
	else if (failed == 0)
		off += (size_t)snprintf(report, cap, "healthy: ");
	else if (o.ntargets > 1)
		off += (size_t)snprintf(report, cap, "%zu of %zu checks failed: ", failed, o.ntargets);
	for (size_t i = 0, k = 0; i < o.ntargets && off < cap; i++) {
		if ((failed != 0) != (res[i].code != ERR_OK))
			continue;
		if (failed)
			off += (size_t)snprintf(report + off, cap - off, "%s%s: %s", k++ ? "; " : "",
						res[i].target, res[i].detail);
		else
			off += (size_t)snprintf(report + off, cap - off, "%s%s: %s in %lld ms", k++ ? "; " : "",
						res[i].target, res[i].summary, res[i].ms);
	}
	return first_error;
}
