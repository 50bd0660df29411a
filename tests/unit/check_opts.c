/* Unit tests for opts.c: the option table and its one parser. */
#include <check.h>
#include <string.h>

#include "err.h"
#include "opts.h"
#include "unit.h"

#define ARGS_MAX 24

/* A command line (after "hello"), the result, and what it must set; fields
 * not named keep their defaults (checked by test_defaults). */
static const struct {
	const char *label;
	const char *argv[ARGS_MAX];
	int result;
	const char *target;		/* targets[0], if any */
	const char *output;
	long long max_time, connect_timeout;
	int fail, silent, show_error, location, verbose, head, healthcheck;
	size_t nheaders;
	const char *detail;		/* part of the recorded detail, for ERR_USAGE */
} lines[] = {
	{"cluster -fsSL", {"-fsSL", "http://h/"}, ERR_OK, "http://h/", .fail = 1, .silent = 1,
	 .show_error = 1, .location = 1},
	{"argument attached -ofile", {"-ofile", "u"}, ERR_OK, "u", "file"},
	{"argument next -o file", {"-o", "file", "u"}, ERR_OK, "u", "file"},
	{"cluster ending in an option with an argument", {"-vo", "file", "u"}, ERR_OK, "u", "file",
	 .verbose = 1},
	{"the rest of a cluster is the argument", {"-ov", "u"}, ERR_OK, "u", "v"},
	{"--output=file", {"--output=file", "u"}, ERR_OK, "u", "file"},
	{"--output file", {"--output", "file", "u"}, ERR_OK, "u", "file"},
	{"--output= (empty argument)", {"--output=", "u"}, ERR_OK, "u", ""},
	{"URL first, options after", {"u", "-I", "--fail"}, ERR_OK, "u", .head = 1, .fail = 1},
	{"-m fractions", {"-m", "1.5", "u"}, ERR_OK, "u", .max_time = 1500},
	{"-m .25", {"-m", ".25", "u"}, ERR_OK, "u", .max_time = 250},
	{"--max-time=2", {"--max-time=2", "u"}, ERR_OK, "u", .max_time = 2000},
	{"digits past the millisecond ignored", {"-m", "0.0019", "u"}, ERR_OK, "u", .max_time = 1},
	{"--connect-timeout", {"--connect-timeout", "3", "u"}, ERR_OK, "u", .connect_timeout = 3000},
	{"--healthcheck implies --fail and 5 s", {"--healthcheck", "u"}, ERR_OK, "u", .fail = 1,
	 .healthcheck = 1, .max_time = 5000},
	{"--healthcheck keeps an explicit -m", {"-m", "2", "--healthcheck", "u"}, ERR_OK, "u",
	 .fail = 1, .healthcheck = 1, .max_time = 2000},
	{"-- ends the options", {"--", "-not-an-option"}, ERR_OK, "-not-an-option"},
	{"- alone is an argument", {"-"}, ERR_OK, "-"},
	{"headers", {"-H", "X-A: 1", "--header", "X-B:", "u"}, ERR_OK, "u", .nheaders = 2},
	{"--help", {"--help"}, OPTS_HELP},
	{"-h", {"-h", "u"}, OPTS_HELP},
	{"-h inside a cluster", {"-sh"}, OPTS_HELP},
	{"--version", {"--version"}, OPTS_VERSION},
	{"--sbom", {"--sbom"}, OPTS_SBOM},
	{"--sbom stops before a URL is read", {"--sbom", "not a URL"}, OPTS_SBOM},
	/* refused, with the reason */
	{"no abbreviated long options", {"--max", "1", "u"}, ERR_USAGE, .detail = "unknown option '--max'"},
	{"unknown long option", {"--insecure", "u"}, ERR_USAGE, .detail = "unknown option '--insecure'"},
	{"unknown short option", {"-fZ", "u"}, ERR_USAGE, .detail = "unknown option '-Z'"},
	{"needs an argument, short", {"u", "-o"}, ERR_USAGE, .detail = "option '-o' needs an argument"},
	{"needs an argument, long", {"u", "--cacert"}, ERR_USAGE,
	 .detail = "option '--cacert' needs an argument"},
	{"a flag given an argument", {"--fail=yes", "u"}, ERR_USAGE,
	 .detail = "option '--fail' takes no argument"},
	{"-m junk", {"-m", "1x", "u"}, ERR_USAGE, .detail = "not a number of seconds"},
	{"-m empty", {"-m", "", "u"}, ERR_USAGE, .detail = "not a number of seconds"},
	{"-m negative", {"-m", "-1", "u"}, ERR_USAGE, .detail = "not a number of seconds"},
	{"-m huge", {"-m", "99999999999", "u"}, ERR_USAGE, .detail = "too many seconds"},
	{"--max-redirs below -1", {"--max-redirs", "-2", "u"}, ERR_USAGE,
	 .detail = "not a number of redirects"},
	{"--max-redirs junk", {"--max-redirs", "ten", "u"}, ERR_USAGE, .detail = "not a number of redirects"},
	{"header with a space before the colon", {"-H", "Host : evil", "u"}, ERR_USAGE,
	 .detail = "is not 'Name: value'"},
	{"header continuation", {"-H", " X: v", "u"}, ERR_USAGE, .detail = "is not 'Name: value'"},
	{"user agent with a control byte", {"-A", "a\001", "u"}, ERR_USAGE, .detail = "control character"},
	{"--resolve without address", {"--resolve", "h:1", "u"}, ERR_USAGE, .detail = "HOST:PORT:ADDRESS"},
	{"--resolve to a name", {"--resolve", "h:1:example.org", "u"}, ERR_USAGE,
	 .detail = "is not an IP address"},
	{"-X with a space", {"-X", "GE T", "u"}, ERR_USAGE, .detail = "is not a method"},
	{"-X empty", {"-X", "", "u"}, ERR_USAGE, .detail = "is not a method"},
	{"-u without a colon", {"-u", "alice", "u"}, ERR_USAGE, .detail = "no password prompt"},
	{"-d with -I", {"-d", "x", "-I", "u"}, ERR_USAGE, .detail = "HEAD request has no body"},
	{"--key without --cert", {"--key", "k.pem", "u"}, ERR_USAGE, .detail = "--key without --cert"},
	{"--expect-status without --healthcheck", {"--expect-status", "200", "u"}, ERR_USAGE,
	 .detail = "go with --healthcheck"},
	{"--expect-status junk", {"--healthcheck", "--expect-status", "2xx", "u"}, ERR_USAGE,
	 .detail = "is not a list"},
	{"--expect-status out of range", {"--healthcheck", "--expect-status", "200-600", "u"}, ERR_USAGE,
	 .detail = "is not a list"},
	{"--expect-status backwards", {"--healthcheck", "--expect-status", "299-200", "u"}, ERR_USAGE,
	 .detail = "is not a list"},
	{"--expect-status empty item", {"--healthcheck", "--expect-status", "200,,401", "u"}, ERR_USAGE,
	 .detail = "is not a list"},
	{"--expect-status trailing comma", {"--healthcheck", "--expect-status", "200,", "u"}, ERR_USAGE,
	 .detail = "is not a list"},
	{"--expect-status signed", {"--healthcheck", "--expect-status", "+200", "u"}, ERR_USAGE,
	 .detail = "is not a list"},
	{"17 URLs", {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
		     "17"}, ERR_USAGE, .detail = "more than 16 URLs"},
};

static int argc_of(int i)
{
	int n = 1;

	while (n <= ARGS_MAX && lines[i].argv[n - 1])
		n++;
	return n;
}

START_TEST(test_parse)
{
	char *argv[ARGS_MAX + 2] = {"hello"};
	int argc = argc_of(_i), r;
	struct opts o;

	for (int k = 1; k < argc; k++)
		argv[k] = (char *)lines[_i].argv[k - 1];
	err_clear();
	r = opts_parse(&o, argc, argv);
	ck_assert_msg(r == lines[_i].result, "%s: returned %d, expected %d (%s)", lines[_i].label, r,
		      lines[_i].result, err_detail());
	if (r == ERR_USAGE) {
		ck_assert_msg(strstr(err_detail(), lines[_i].detail) != NULL, "%s: detail '%s' lacks '%s'",
			      lines[_i].label, err_detail(), lines[_i].detail);
		return;
	}
	if (r != ERR_OK)
		return;
	ck_assert_msg(lines[_i].target ? o.ntargets == 1 && strcmp(o.targets[0], lines[_i].target) == 0
				       : o.ntargets == 0,
		      "%s: targets %zu, first '%s'", lines[_i].label, o.ntargets, o.ntargets ? o.targets[0] : "");
	ck_assert_msg((lines[_i].output == NULL) == (o.output == NULL) &&
			      (!o.output || strcmp(o.output, lines[_i].output) == 0),
		      "%s: output '%s'", lines[_i].label, o.output ? o.output : "(none)");
	ck_assert_msg(o.max_time == lines[_i].max_time, "%s: max_time %lld", lines[_i].label, o.max_time);
	ck_assert_msg(o.connect_timeout == lines[_i].connect_timeout, "%s: connect_timeout %lld",
		      lines[_i].label, o.connect_timeout);
	ck_assert_msg(o.fail == lines[_i].fail && o.silent == lines[_i].silent &&
			      o.show_error == lines[_i].show_error && o.location == lines[_i].location &&
			      o.verbose == lines[_i].verbose && o.head == lines[_i].head &&
			      o.healthcheck == lines[_i].healthcheck,
		      "%s: flags fail %d silent %d show_error %d location %d verbose %d head %d healthcheck %d",
		      lines[_i].label, o.fail, o.silent, o.show_error, o.location, o.verbose, o.head,
		      o.healthcheck);
	ck_assert_msg(o.nheaders == lines[_i].nheaders, "%s: %zu headers", lines[_i].label, o.nheaders);
}
END_TEST

START_TEST(test_expect_status)
{
	char *argv[] = {"hello", "--healthcheck", "--expect-status", "200-299,401,503", "u"};
	struct opts o;

	ck_assert(opts_parse(&o, 5, argv) == ERR_OK);
	ck_assert_msg(o.nstatus == 3, "%zu ranges", o.nstatus);
	for (int st = 100; st < 600; st++)
		ck_assert_msg(opts_status_ok(&o, st) == ((st >= 200 && st <= 299) || st == 401 || st == 503),
			      "status %d", st);
	o.nstatus = 0;
	for (int st = 100; st < 600; st++)
		ck_assert_msg(opts_status_ok(&o, st) == (st < 400), "default, status %d", st);
}
END_TEST

/* A list with ${...} waits for the probe to expand it. */
START_TEST(test_expect_status_deferred)
{
	char *argv[] = {"hello", "--healthcheck", "--expect-status", "${CODES:-200}", "u"};
	struct opts o;

	ck_assert(opts_parse(&o, 5, argv) == ERR_OK);
	ck_assert(o.nstatus == 0 && strcmp(o.expect_status, "${CODES:-200}") == 0);
	ck_assert(opts_parse_status(&o, "204") == ERR_OK && o.nstatus == 1 && opts_status_ok(&o, 204));
}
END_TEST

START_TEST(test_new_options)
{
	char *argv[] = {"hello", "-X", "PATCH", "-d", "a=1", "--data", "@f", "-u", "u:p", "--cert", "c.pem",
			"--key", "k.pem", "--unix-socket", "/run/s", "u"};
	struct opts o;

	ck_assert(opts_parse(&o, 16, argv) == ERR_OK);
	ck_assert_str_eq(o.method, "PATCH");
	ck_assert(o.ndata == 2 && strcmp(o.data[0], "a=1") == 0 && strcmp(o.data[1], "@f") == 0);
	ck_assert_str_eq(o.user, "u:p");
	ck_assert_str_eq(o.cert, "c.pem");
	ck_assert_str_eq(o.key, "k.pem");
	ck_assert_str_eq(o.unix_socket, "/run/s");
}
END_TEST

START_TEST(test_defaults)
{
	char *argv[] = {"hello", "u"};
	struct opts o;

	ck_assert(opts_parse(&o, 2, argv) == ERR_OK);
	ck_assert_msg(o.max_redirs == 10, "max_redirs %ld", o.max_redirs);
	ck_assert(o.max_time == 0 && o.connect_timeout == 0);
	ck_assert(!o.cacert && !o.user_agent && !o.output && o.nresolve == 0 && o.nheaders == 0);
}
END_TEST

START_TEST(test_resolve)
{
	char *argv[] = {"hello", "--resolve", "LocalHost:8443:[::1]", "--resolve", "a.test:80:127.0.0.2", "u"};
	struct opts o;

	ck_assert(opts_parse(&o, 6, argv) == ERR_OK);
	ck_assert_msg(o.nresolve == 2, "%zu entries", o.nresolve);
	ck_assert_str_eq(opts_resolve_address(&o, "localhost", 8443), "::1");
	ck_assert_str_eq(opts_resolve_address(&o, "a.test", 80), "127.0.0.2");
	ck_assert(opts_resolve_address(&o, "localhost", 443) == NULL);
	ck_assert(opts_resolve_address(&o, "b.test", 80) == NULL);
}
END_TEST

/* Every long option in the table is in the usage text, and the reverse. */
START_TEST(test_usage_lists_options)
{
	static const char *const names[] = {
		"--output", "--head", "--silent", "--show-error", "--verbose", "--fail", "--location",
		"--max-redirs", "--max-time", "--connect-timeout", "--header", "--user-agent",
		"--cacert", "--resolve", "--unix-socket", "--request", "--data", "--user", "--cert",
		"--key", "--healthcheck", "--expect-status", "--expect-body", "--version", "--sbom",
		"--help",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *argv[] = {"hello", (char *)names[i], "1", "u"};
		struct opts o;
		int r = opts_parse(&o, 4, argv);

		ck_assert_msg(strstr(opts_usage, names[i]) != NULL, "%s missing from the usage", names[i]);
		ck_assert_msg(r != ERR_USAGE || !strstr(err_detail(), "unknown option"),
			      "%s is in the usage but not the table", names[i]);
	}
}
END_TEST

static Suite *opts_suite(void)
{
	Suite *s = suite_create("opts");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse, 0, ARRAY_SIZE(lines));
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_resolve);
	tcase_add_test(tc, test_expect_status);
	tcase_add_test(tc, test_expect_status_deferred);
	tcase_add_test(tc, test_new_options);
	tcase_add_test(tc, test_usage_lists_options);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(opts_suite)
