/* Unit tests for err.c: exit codes, messages and the recorded detail. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "unit.h"

/* The exit codes promised in err.h, which are curl's. */
static const struct {
	const char *label;
	enum err code;
	int exit_code;
} codes[] = {
	{"ERR_OK", ERR_OK, 0},
	{"ERR_UNSUPPORTED_PROTOCOL", ERR_UNSUPPORTED_PROTOCOL, 1},
	{"ERR_USAGE", ERR_USAGE, 2},
	{"ERR_URL", ERR_URL, 3},
	{"ERR_RESOLVE", ERR_RESOLVE, 6},
	{"ERR_CONNECT", ERR_CONNECT, 7},
	{"ERR_WEIRD_REPLY", ERR_WEIRD_REPLY, 8},
	{"ERR_PARTIAL", ERR_PARTIAL, 18},
	{"ERR_HTTP", ERR_HTTP, 22},
	{"ERR_WRITE", ERR_WRITE, 23},
	{"ERR_READ", ERR_READ, 26},
	{"ERR_NOMEM", ERR_NOMEM, 27},
	{"ERR_TIMEOUT", ERR_TIMEOUT, 28},
	{"ERR_TLS", ERR_TLS, 35},
	{"ERR_TOO_MANY_REDIRECTS", ERR_TOO_MANY_REDIRECTS, 47},
	{"ERR_EMPTY_REPLY", ERR_EMPTY_REPLY, 52},
	{"ERR_SEND", ERR_SEND, 55},
	{"ERR_RECV", ERR_RECV, 56},
	{"ERR_LOCAL_CERT", ERR_LOCAL_CERT, 58},
	{"ERR_PEER_VERIFY", ERR_PEER_VERIFY, 60},
	{"ERR_CAFILE", ERR_CAFILE, 77},
};

/* Values that are no code, which must still not crash. */
static const struct {
	const char *label;
	int code;
} bad_codes[] = {
	{"4 (no such code)", 4},
	{"-1", -1},
	{"INT_MIN", INT_MIN},
	{"INT_MAX", INT_MAX},
	{"1000", 1000},
};

/* The enum's values are the exit codes main() returns. */
START_TEST(test_exit_code)
{
	ck_assert_msg((int)codes[_i].code == codes[_i].exit_code, "%s: value %d, expected exit code %d",
		      codes[_i].label, (int)codes[_i].code, codes[_i].exit_code);
}
END_TEST

/* ERR_LIST names nothing this table does not: every value 0..255 that has
 * words of its own is one of the codes above. */
START_TEST(test_table_complete)
{
	for (int v = 0; v < 256; v++) {
		int listed = 0;

		for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
			listed |= codes[i].exit_code == v;
		ck_assert_msg(listed == (strcmp(err_what((enum err)v), "internal error") != 0),
			      "value %d: err_what '%s'%s", v, err_what((enum err)v),
			      listed ? " (a code without words)" : " (words for a code the tests do not know)");
	}
}
END_TEST

START_TEST(test_what)
{
	const char *w = err_what(codes[_i].code);

	ck_assert_msg(w != NULL && w[0] != '\0', "%s: err_what is empty", codes[_i].label);
	ck_assert_msg(strchr(w, '\n') == NULL, "%s: err_what '%s' has a newline", codes[_i].label, w);
}
END_TEST

START_TEST(test_what_distinct)
{
	for (size_t j = 0; j < ARRAY_SIZE(codes); j++)
		if (j != (size_t)_i)
			ck_assert_msg(strcmp(err_what(codes[_i].code), err_what(codes[j].code)) != 0,
				      "%s: same words as %s", codes[_i].label, codes[j].label);
}
END_TEST

START_TEST(test_out_of_range)
{
	const char *w = err_what((enum err)bad_codes[_i].code);

	ck_assert_msg(w != NULL && strcmp(w, "internal error") == 0, "%s: err_what '%s'",
		      bad_codes[_i].label, w ? w : "(null)");
}
END_TEST

START_TEST(test_set_returns_code)
{
	int r = err_set(codes[_i].code, "case %s", codes[_i].label);
	char want[64];

	ck_assert_msg(r == (int)codes[_i].code, "%s: err_set returned %d", codes[_i].label, r);
	snprintf(want, sizeof(want), "case %s", codes[_i].label);
	ck_assert_msg(strcmp(err_detail(), want) == 0, "%s: detail '%s', expected '%s'",
		      codes[_i].label, err_detail(), want);
}
END_TEST

static const struct {
	const char *label;
	const char *want;
} formats[] = {
	{"plain text", "certificate expired"},
	{"integer", "port 65536 out of range"},
	{"string and hex", "tls: handshake: -0x7780 fatal alert"},
	{"empty", ""},
};

static void set_format(int i)
{
	switch (i) {
	case 0:
		err_set(ERR_PEER_VERIFY, "certificate expired");
		break;
	case 1:
		err_set(ERR_URL, "port %lu out of range", 65536ul);
		break;
	case 2:
		err_set(ERR_TLS, "%s: %s: -0x%04x %s", "tls", "handshake", 0x7780, "fatal alert");
		break;
	case 3:
		err_set(ERR_TLS, "%s", "");
		break;
	}
}

START_TEST(test_set_format)
{
	set_format(_i);
	ck_assert_msg(strcmp(err_detail(), formats[_i].want) == 0, "%s: detail '%s', expected '%s'",
		      formats[_i].label, err_detail(), formats[_i].want);
}
END_TEST

START_TEST(test_detail_initially_empty)
{
	/* Each test runs in a fresh process: nothing recorded yet. */
	ck_assert_msg(err_detail() != NULL && err_detail()[0] == '\0', "fresh: detail '%s'",
		      err_detail());
}
END_TEST

START_TEST(test_clear)
{
	err_set(ERR_RESOLVE, "example.invalid: no address");
	err_clear();
	ck_assert_msg(err_detail()[0] == '\0', "clear: detail '%s' survived", err_detail());
}
END_TEST

START_TEST(test_last_wins)
{
	err_set(ERR_RESOLVE, "first");
	err_set(ERR_CONNECT, "second");
	ck_assert_msg(strcmp(err_detail(), "second") == 0, "last wins: detail '%s'", err_detail());
}
END_TEST

/* The detail may be passed back to err_set(): "redirect to 'x': <why>". */
START_TEST(test_detail_reused)
{
	err_set(ERR_URL, "port %d out of range", 99999);
	err_set(ERR_URL, "redirect to '%s': %s", "http://h:99999/", err_detail());
	ck_assert_msg(strcmp(err_detail(), "redirect to 'http://h:99999/': port 99999 out of range") == 0,
		      "reused: detail '%s'", err_detail());
	err_set(ERR_URL, "%s%s", err_detail(), err_detail());
	ck_assert_msg(strncmp(err_detail(), "redirect to 'http://h:99999/': port 99999 out of rangeredirect", 62) == 0,
		      "twice: detail '%s'", err_detail());
}
END_TEST

START_TEST(test_long_detail_truncated)
{
	char *big = malloc(10000);
	size_t n;

	ck_assert(big != NULL);
	memset(big, 'x', 9999);
	big[9999] = '\0';
	ck_assert_int_eq(err_set(ERR_URL, "%s", big), ERR_URL);
	n = strlen(err_detail());
	ck_assert_msg(n > 0 && n < 9999, "long detail: length %zu", n);
	ck_assert_msg(strspn(err_detail(), "x") == n, "long detail: not a prefix of the input");
	free(big);
}
END_TEST

static Suite *err_suite(void)
{
	Suite *s = suite_create("err");
	TCase *tc;

	tc = tcase_create("exit_code");
	tcase_add_test(tc, test_table_complete);
	tcase_add_loop_test(tc, test_exit_code, 0, ARRAY_SIZE(codes));
	suite_add_tcase(s, tc);

	tc = tcase_create("what");
	tcase_add_loop_test(tc, test_what, 0, ARRAY_SIZE(codes));
	tcase_add_loop_test(tc, test_what_distinct, 0, ARRAY_SIZE(codes));
	suite_add_tcase(s, tc);

	tc = tcase_create("out_of_range");
	tcase_add_loop_test(tc, test_out_of_range, 0, ARRAY_SIZE(bad_codes));
	suite_add_tcase(s, tc);

	tc = tcase_create("detail");
	tcase_add_loop_test(tc, test_set_returns_code, 0, ARRAY_SIZE(codes));
	tcase_add_loop_test(tc, test_set_format, 0, ARRAY_SIZE(formats));
	tcase_add_test(tc, test_detail_initially_empty);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_last_wins);
	tcase_add_test(tc, test_detail_reused);
	tcase_add_test(tc, test_long_detail_truncated);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(err_suite)
