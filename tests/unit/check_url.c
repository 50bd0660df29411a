/* Unit tests for url.c: parsing, RFC 3986 reference resolution, formatting. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "url.h"
#include "unit.h"

/* --- url_parse: accepted ------------------------------------------------------ */

static const struct {
	const char *label;
	const char *in;
	int tls;
	int ip;
	unsigned port;
	const char *host;
	const char *target;
} good[] = {
	{"http, no path", "http://example.com", 0, 0, 80, "example.com", "/"},
	{"https, root", "https://example.com/", 1, 0, 443, "example.com", "/"},
	{"http explicit port", "http://example.com:8080/a/b", 0, 0, 8080, "example.com", "/a/b"},
	{"https explicit port", "https://example.com:8443/x", 1, 0, 8443, "example.com", "/x"},
	{"https port 80", "https://example.com:80/", 1, 0, 80, "example.com", "/"},
	{"explicit default port", "http://example.com:80/", 0, 0, 80, "example.com", "/"},
	{"port 1", "http://h:1/", 0, 0, 1, "h", "/"},
	{"port 65535", "http://h:65535/", 0, 0, 65535, "h", "/"},
	{"port with leading zeros", "http://h:00081/", 0, 0, 81, "h", "/"},
	{"IPv4 literal", "http://192.0.2.1/", 0, 4, 80, "192.0.2.1", "/"},
	{"IPv4 literal and port", "https://127.0.0.1:8443/p", 1, 4, 8443, "127.0.0.1", "/p"},
	{"IPv6 loopback and port", "https://[::1]:8443/", 1, 6, 8443, "::1", "/"},
	{"IPv6 default port", "http://[2001:db8::1]/x", 0, 6, 80, "2001:db8::1", "/x"},
	{"IPv6 no path", "https://[::1]", 1, 6, 443, "::1", "/"},
	{"IPv6 empty port", "http://[::1]:/", 0, 6, 80, "::1", "/"},
	{"IPv6 v4-mapped", "http://[::ffff:192.0.2.1]/", 0, 6, 80, "::ffff:192.0.2.1", "/"},
	/* err.h: host is lower case; that holds for address literals too. */
	{"IPv6 upper case lowered", "http://[2001:DB8::A]/", 0, 6, 80, "2001:db8::a", "/"},
	{"upper-case scheme and host", "HTTPS://Example.COM/Path", 1, 0, 443, "example.com", "/Path"},
	{"mixed-case scheme", "HtTp://WWW.EXAMPLE.ORG", 0, 0, 80, "www.example.org", "/"},
	{"no scheme, host and port", "host:8080/x", 0, 0, 8080, "host", "/x"},
	{"no scheme, host only", "example.com", 0, 0, 80, "example.com", "/"},
	{"no scheme, host and path", "localhost/a/b", 0, 0, 80, "localhost", "/a/b"},
	{"no scheme, IPv6", "[::1]:81/x", 0, 6, 81, "::1", "/x"},
	{"fragment dropped", "http://h/p#frag", 0, 0, 80, "h", "/p"},
	{"fragment without path", "http://h#frag", 0, 0, 80, "h", "/"},
	{"query kept, fragment dropped", "http://h/p?q=1&r=2#f", 0, 0, 80, "h", "/p?q=1&r=2"},
	{"query without path", "http://h?q", 0, 0, 80, "h", "/?q"},
	{"query with slashes", "https://h?a=/b/../c", 1, 0, 443, "h", "/?a=/b/../c"},
	{"empty port", "http://host:/x", 0, 0, 80, "host", "/x"},
	{"empty port, https, no path", "https://host:", 1, 0, 443, "host", "/"},
	{"dot segments", "http://h/a/./b/../c", 0, 0, 80, "h", "/a/c"},
	{"dot segments above root", "http://h/a/../../../c", 0, 0, 80, "h", "/c"},
	{"final dot-dot", "http://h/a/b/..", 0, 0, 80, "h", "/a/"},
	{"final dot", "http://h/a/.", 0, 0, 80, "h", "/a/"},
	{"only dot-dot", "http://h/..", 0, 0, 80, "h", "/"},
	{"dots in query untouched", "http://h/a/../b?x=/../y", 0, 0, 80, "h", "/b?x=/../y"},
	{"dot-like names kept", "http://h/.a/..b/c./d..", 0, 0, 80, "h", "/.a/..b/c./d.."},
	{"empty segments kept", "http://h/a//b", 0, 0, 80, "h", "/a//b"},
	{"percent encoding kept", "http://h/a%20b?c=%2F", 0, 0, 80, "h", "/a%20b?c=%2F"},
	{"unreserved host chars", "http://a-b.c_d~e/", 0, 0, 80, "a-b.c_d~e", "/"},
	{"path case kept", "http://h/CaSe?Q=A", 0, 0, 80, "h", "/CaSe?Q=A"},
};

START_TEST(test_parse_good)
{
	struct url u;
	int r = url_parse(&u, good[_i].in);

	ck_assert_msg(r == ERR_OK, "%s: '%s' returned %d (%s)", good[_i].label, good[_i].in, r,
		      err_detail());
	ck_assert_msg(u.tls == good[_i].tls, "%s: tls %d", good[_i].label, u.tls);
	ck_assert_msg(u.ip == good[_i].ip, "%s: ip %d, expected %d", good[_i].label, u.ip, good[_i].ip);
	ck_assert_msg(u.port == good[_i].port, "%s: port %u, expected %u", good[_i].label, u.port,
		      good[_i].port);
	ck_assert_msg(strcmp(u.host, good[_i].host) == 0, "%s: host '%s', expected '%s'",
		      good[_i].label, u.host, good[_i].host);
	ck_assert_msg(strcmp(u.target, good[_i].target) == 0, "%s: target '%s', expected '%s'",
		      good[_i].label, u.target, good[_i].target);
}
END_TEST

/* Formatting a parsed URL and parsing it again gives the same URL. */
START_TEST(test_parse_format_round_trip)
{
	struct url u, v;
	char buf[URL_MAX + 64];
	size_t n;

	ck_assert_msg(url_parse(&u, good[_i].in) == ERR_OK, "%s: parse", good[_i].label);
	n = url_format(&u, buf, sizeof(buf));
	ck_assert_msg(n > 0 && n == strlen(buf), "%s: url_format returned %zu", good[_i].label, n);
	ck_assert_msg(url_parse(&v, buf) == ERR_OK, "%s: reparse of '%s': %s", good[_i].label, buf,
		      err_detail());
	ck_assert_msg(u.tls == v.tls && u.ip == v.ip && u.port == v.port &&
		      strcmp(u.host, v.host) == 0 && strcmp(u.target, v.target) == 0,
		      "%s: '%s' does not parse back to the same URL", good[_i].label, buf);
}
END_TEST

/* --- url_parse: refused --------------------------------------------------------- */

static const struct {
	const char *label;
	const char *in;
	int err;
} bad[] = {
	{"empty", "", ERR_URL},
	{"space in path", "http://h/a b", ERR_URL},
	{"space in host", "http://a b/", ERR_URL},
	{"leading space", " http://h/", ERR_URL},
	{"trailing newline", "http://h/\n", ERR_URL},
	{"tab", "http://h/\t", ERR_URL},
	{"control byte", "http://h/\x01", ERR_URL},
	{"CR LF injection", "http://h/x\r\nHost: evil", ERR_URL},
	{"DEL", "http://h/\x7f", ERR_URL},
	{"non-ASCII path", "http://h/caf\xc3\xa9", ERR_URL},
	{"non-ASCII host", "http://\xc3\xa9.example/", ERR_URL},
	{"ftp", "ftp://h/", ERR_UNSUPPORTED_PROTOCOL},
	{"file", "file:///etc/passwd", ERR_UNSUPPORTED_PROTOCOL},
	{"httpx", "httpx://h/", ERR_UNSUPPORTED_PROTOCOL},
	{"ws", "ws://h/", ERR_UNSUPPORTED_PROTOCOL},
	{"mailto", "mailto:x", ERR_URL},
	{"single slash", "https:/x", ERR_URL},
	{"scheme without slashes", "http:h", ERR_URL},
	{"bad %-escape in the user", "http://u%zz@h/", ERR_URL},
	{"short %-escape in the password", "http://u:p%4@h/", ERR_URL},
	{"%00 in the user", "http://u%00@h/", ERR_URL},
	{"%00 in the password", "http://u:%00@h/", ERR_URL},
	{"credentials but no host", "http://u:p@/", ERR_URL},
	{"tcp:// is a probe target only", "tcp://h:1", ERR_UNSUPPORTED_PROTOCOL},
	{"tls:// is a probe target only", "tls://h:1", ERR_UNSUPPORTED_PROTOCOL},
	{"port 0", "http://h:0/", ERR_URL},
	{"port 65536", "http://h:65536/", ERR_URL},
	{"port 99999", "http://h:99999/", ERR_URL},
	{"port junk", "http://h:abc/", ERR_URL},
	{"port digits then junk", "http://h:80a/", ERR_URL},
	{"port with sign", "http://h:+80/", ERR_URL},
	{"negative port", "http://h:-1/", ERR_URL},
	{"port 6 digits", "http://h:123456/", ERR_URL},
	{"port 6 digits, leading zero", "http://h:000080/", ERR_URL},
	{"two ports", "http://h:80:81/", ERR_URL},
	{"empty host", "http:///x", ERR_URL},
	{"empty authority", "http://", ERR_URL},
	{"port without host", "http://:80/", ERR_URL},
	{"no scheme, no host", "/x", ERR_URL},
	{"scheme-relative without base", "//h/x", ERR_URL},
	{"bad IPv6", "http://[::g]/", ERR_URL},
	{"empty IPv6", "http://[]/", ERR_URL},
	{"IPv4 in brackets", "http://[192.0.2.1]/", ERR_URL},
	{"IPv6 too long", "http://[0000:0000:0000:0000:0000:0000:0000:0000:0]/", ERR_URL},
	{"IPv6 zone", "http://[fe80::1%25eth0]/", ERR_URL},
	{"unterminated IPv6", "http://[::1", ERR_URL},
	{"unterminated IPv6 with path", "http://[::1/x", ERR_URL},
	{"junk after ]", "http://[::1]x/", ERR_URL},
	{"IPv6 port 0", "http://[::1]:0/", ERR_URL},
	{"IPv6 port junk", "http://[::1]:x/", ERR_URL},
	{"percent in host", "http://a%20b/", ERR_URL},
	{"bang in host", "http://a!b/", ERR_URL},
	{"comma in host", "http://a,b/", ERR_URL},
	{"backslash in host", "http://a\\b/", ERR_URL},
	{"bracket in host", "http://a]b/", ERR_URL},
};

START_TEST(test_parse_bad)
{
	struct url u;
	int r = url_parse(&u, bad[_i].in);

	ck_assert_msg(r == bad[_i].err, "%s: returned %d, expected %d (host '%s' target '%s')",
		      bad[_i].label, r, bad[_i].err, u.host, u.target);
	ck_assert_msg(err_detail()[0] != '\0', "%s: no detail recorded", bad[_i].label);
}
END_TEST

/* Lengths around the limits, built at run time. */
static const struct {
	const char *label;
	const char *prefix;
	size_t len;	/* total length, filled with 'a' after prefix */
	int err;
} lengths[] = {
	{"URL of URL_MAX bytes", "http://h/", URL_MAX, ERR_OK},
	{"URL of URL_MAX + 1 bytes", "http://h/", URL_MAX + 1, ERR_URL},
	{"URL of 100000 bytes", "http://h/", 100000, ERR_URL},
	{"host of URL_HOST_MAX bytes", "http://", 7 + URL_HOST_MAX, ERR_OK},
	{"host of URL_HOST_MAX + 1 bytes", "http://", 7 + URL_HOST_MAX + 1, ERR_URL},
	{"no-scheme host of URL_MAX bytes", "", URL_MAX, ERR_URL},
	/* "?" + URL_MAX - 8 bytes becomes "/?..." of URL_MAX - 6 bytes: fits. */
	{"query of URL_MAX - 8 bytes", "http://h?", URL_MAX, ERR_OK},
};

START_TEST(test_parse_length)
{
	size_t plen = strlen(lengths[_i].prefix);
	char *s = malloc(lengths[_i].len + 1);
	struct url *u = malloc(sizeof(*u));
	int r;

	ck_assert(s != NULL && u != NULL);
	memcpy(s, lengths[_i].prefix, plen);
	memset(s + plen, 'a', lengths[_i].len - plen);
	s[lengths[_i].len] = '\0';
	r = url_parse(u, s);
	ck_assert_msg(r == lengths[_i].err, "%s: returned %d, expected %d (%s)", lengths[_i].label, r,
		      lengths[_i].err, err_detail());
	if (r == ERR_OK)
		ck_assert_msg(strlen(u->target) <= URL_MAX && strlen(u->host) <= URL_HOST_MAX,
			      "%s: result too long", lengths[_i].label);
	free(u);
	free(s);
}
END_TEST

/* --- url_resolve ------------------------------------------------------------------ */

#define RFC_BASE "http://a/b/c/d;p?q"

/* RFC 3986 5.4.1 and 5.4.2 against RFC_BASE; this parser drops fragments, so
 * the expected results have none. want NULL: the result is an error. */
static const struct {
	const char *label;
	const char *base;
	const char *ref;
	const char *want;
	int err;
} resolve[] = {
	/* 5.4.1 normal examples; "g:h" resolves to itself: scheme g, not followed. */
	{"5.4.1 g:h", RFC_BASE, "g:h", NULL, ERR_UNSUPPORTED_PROTOCOL},
	{"scheme that looks like host:port", RFC_BASE, "localhost:8080/x", NULL, ERR_UNSUPPORTED_PROTOCOL},
	{"5.4.1 g", RFC_BASE, "g", "http://a/b/c/g", 0},
	{"5.4.1 ./g", RFC_BASE, "./g", "http://a/b/c/g", 0},
	{"5.4.1 g/", RFC_BASE, "g/", "http://a/b/c/g/", 0},
	{"5.4.1 /g", RFC_BASE, "/g", "http://a/g", 0},
	{"5.4.1 //g", RFC_BASE, "//g", "http://g/", 0},
	{"5.4.1 ?y", RFC_BASE, "?y", "http://a/b/c/d;p?y", 0},
	{"5.4.1 g?y", RFC_BASE, "g?y", "http://a/b/c/g?y", 0},
	{"5.4.1 #s", RFC_BASE, "#s", "http://a/b/c/d;p?q", 0},
	{"5.4.1 g#s", RFC_BASE, "g#s", "http://a/b/c/g", 0},
	{"5.4.1 g?y#s", RFC_BASE, "g?y#s", "http://a/b/c/g?y", 0},
	{"5.4.1 ;x", RFC_BASE, ";x", "http://a/b/c/;x", 0},
	{"5.4.1 g;x", RFC_BASE, "g;x", "http://a/b/c/g;x", 0},
	{"5.4.1 g;x?y#s", RFC_BASE, "g;x?y#s", "http://a/b/c/g;x?y", 0},
	{"5.4.1 empty", RFC_BASE, "", "http://a/b/c/d;p?q", 0},
	{"5.4.1 .", RFC_BASE, ".", "http://a/b/c/", 0},
	{"5.4.1 ./", RFC_BASE, "./", "http://a/b/c/", 0},
	{"5.4.1 ..", RFC_BASE, "..", "http://a/b/", 0},
	{"5.4.1 ../", RFC_BASE, "../", "http://a/b/", 0},
	{"5.4.1 ../g", RFC_BASE, "../g", "http://a/b/g", 0},
	{"5.4.1 ../..", RFC_BASE, "../..", "http://a/", 0},
	{"5.4.1 ../../", RFC_BASE, "../../", "http://a/", 0},
	{"5.4.1 ../../g", RFC_BASE, "../../g", "http://a/g", 0},
	/* 5.4.2 abnormal examples. */
	{"5.4.2 ../../../g", RFC_BASE, "../../../g", "http://a/g", 0},
	{"5.4.2 ../../../../g", RFC_BASE, "../../../../g", "http://a/g", 0},
	{"5.4.2 /./g", RFC_BASE, "/./g", "http://a/g", 0},
	{"5.4.2 /../g", RFC_BASE, "/../g", "http://a/g", 0},
	{"5.4.2 g.", RFC_BASE, "g.", "http://a/b/c/g.", 0},
	{"5.4.2 .g", RFC_BASE, ".g", "http://a/b/c/.g", 0},
	{"5.4.2 g..", RFC_BASE, "g..", "http://a/b/c/g..", 0},
	{"5.4.2 ..g", RFC_BASE, "..g", "http://a/b/c/..g", 0},
	{"5.4.2 ./../g", RFC_BASE, "./../g", "http://a/b/g", 0},
	{"5.4.2 ./g/.", RFC_BASE, "./g/.", "http://a/b/c/g/", 0},
	{"5.4.2 g/./h", RFC_BASE, "g/./h", "http://a/b/c/g/h", 0},
	{"5.4.2 g/../h", RFC_BASE, "g/../h", "http://a/b/c/h", 0},
	{"5.4.2 g;x=1/./y", RFC_BASE, "g;x=1/./y", "http://a/b/c/g;x=1/y", 0},
	{"5.4.2 g;x=1/../y", RFC_BASE, "g;x=1/../y", "http://a/b/c/y", 0},
	{"5.4.2 g?y/./x", RFC_BASE, "g?y/./x", "http://a/b/c/g?y/./x", 0},
	{"5.4.2 g?y/../x", RFC_BASE, "g?y/../x", "http://a/b/c/g?y/../x", 0},
	{"5.4.2 g#s/./x", RFC_BASE, "g#s/./x", "http://a/b/c/g", 0},
	{"5.4.2 g#s/../x", RFC_BASE, "g#s/../x", "http://a/b/c/g", 0},
	/* A strict parser (5.4.2) keeps "http:g" as is: not a usable URL. */
	{"5.4.2 http:g (strict)", RFC_BASE, "http:g", NULL, ERR_URL},
	/* Absolute and scheme-relative references. */
	{"absolute https", RFC_BASE, "https://other.example/x?y", "https://other.example/x?y", 0},
	{"absolute http from https", "https://a/b", "http://c/d", "http://c/d", 0},
	{"absolute with port", RFC_BASE, "https://c:8443/", "https://c:8443/", 0},
	{"absolute upper case", RFC_BASE, "HTTPS://C.Example/P", "https://c.example/P", 0},
	{"absolute ftp", RFC_BASE, "ftp://c/", NULL, ERR_UNSUPPORTED_PROTOCOL},
	{"absolute with credentials (never sent: fetch.c)", RFC_BASE, "https://u:p@c/", "https://c/", 0},
	{"scheme-relative keeps https", "https://a:8443/b", "//h/x", "https://h/x", 0},
	{"scheme-relative keeps http", "http://a/b", "//h:81/x", "http://h:81/x", 0},
	{"scheme-relative IPv6", "https://a/b", "//[::1]:8443/x", "https://[::1]:8443/x", 0},
	{"scheme-relative empty host", RFC_BASE, "//", NULL, ERR_URL},
	{"scheme-relative credentials", "https://a/b", "//u@h/", "https://h/", 0},
	/* Path-relative references keep the base's host and port. */
	{"port kept, relative path", "https://a:8443/b/c", "d", "https://a:8443/b/d", 0},
	{"port kept, absolute path", "http://a:8080/b/c", "/x?y", "http://a:8080/x?y", 0},
	{"port kept, query", "https://a:8443/b?c", "?d", "https://a:8443/b?d", 0},
	{"port kept, empty", "https://a:8443/b?c", "", "https://a:8443/b?c", 0},
	{"default port kept", "https://a/b/c", "../d", "https://a/d", 0},
	{"https on port 80 kept", "https://a:80/b", "c", "https://a:80/c", 0},
	{"http on port 443 kept", "http://a:443/b", "/c", "http://a:443/c", 0},
	{"IPv6 base", "http://[::1]:8080/a/b", "../c", "http://[::1]:8080/c", 0},
	{"IPv4 base", "https://192.0.2.1/a/", "b", "https://192.0.2.1/a/b", 0},
	{"root base", "http://a/", "g", "http://a/g", 0},
	{"root base with query", "http://a/?q", "g", "http://a/g", 0},
	{"base ending in slash", "http://a/b/c/", "g", "http://a/b/c/g", 0},
	{"query with slash in base", "http://a/b?c/d", "g", "http://a/g", 0},
	/* RFC 3986 4.2: "c:80" is the scheme c; "./c:80" is the relative path. */
	{"ref with port-like colon is a scheme", "http://a/b/", "c:80", NULL, ERR_UNSUPPORTED_PROTOCOL},
	{"dot-segment before a colon", "http://a/b/", "./c:80", "http://a/b/c:80", 0},
	/* Malformed references. */
	{"space in ref", RFC_BASE, "/a b", NULL, ERR_URL},
	{"control byte in ref", RFC_BASE, "g\x01", NULL, ERR_URL},
	{"non-ASCII ref", RFC_BASE, "caf\xc3\xa9", NULL, ERR_URL},
	{"CR LF in ref", RFC_BASE, "/x\r\nSet-Cookie: a", NULL, ERR_URL},
	{"mailto ref", RFC_BASE, "mailto:x", NULL, ERR_UNSUPPORTED_PROTOCOL},
	{"single-slash https ref", RFC_BASE, "https:/x", NULL, ERR_URL},
};

/* user:password@ is %-decoded; the last '@' ends it. */
static const struct {
	const char *label;
	const char *in;
	const char *user, *password;
	const char *host;
} users[] = {
	{"user and password", "https://u:p@h/", "u", "p", "h"},
	{"user only", "http://alice@h:8080/x", "alice", "", "h"},
	{"empty user", "http://:secret@h/", "", "secret", "h"},
	{"escaped @ and :", "http://al%40ice:p%3Ass@h/", "al@ice", "p:ss", "h"},
	{"escapes in either case", "http://%41%6c:%7e%7E@h/", "Al", "~~", "h"},
	{"the last @ ends the userinfo", "http://a@b:c@d@h/", "a@b", "c@d", "h"},
	{"no scheme", "u@h:81", "u", "", "h"},
	{"IPv6 host", "https://u:p@[::1]:8443/", "u", "p", "::1"},
};

START_TEST(test_userinfo)
{
	struct url u;
	char buf[256];

	ck_assert_msg(url_parse(&u, users[_i].in) == ERR_OK, "%s: %s", users[_i].label, err_detail());
	ck_assert_msg(u.has_user, "%s: no user", users[_i].label);
	ck_assert_msg(strcmp(u.user, users[_i].user) == 0 && strcmp(u.password, users[_i].password) == 0,
		      "%s: user '%s' password '%s'", users[_i].label, u.user, u.password);
	ck_assert_msg(strcmp(u.host, users[_i].host) == 0, "%s: host '%s'", users[_i].label, u.host);
	/* Never printed back. */
	ck_assert(url_format(&u, buf, sizeof(buf)) > 0);
	ck_assert_msg(!strchr(buf, '@'), "%s: formatted as '%s'", users[_i].label, buf);
}
END_TEST

/* The probe's targets: tcp:// and tls:// with a port and nothing else. */
static const struct {
	const char *label;
	const char *in;
	int err;
	const char *formatted;
} targets[] = {
	{"tcp", "tcp://db:5432", 0, "tcp://db:5432"},
	{"tls, IPv6", "TLS://[::1]:8443", 0, "tls://[::1]:8443"},
	{"tcp, trailing slash", "tcp://db:5432/", 0, "tcp://db:5432"},
	{"http too", "http://h/x", 0, "http://h/x"},
	{"tcp without a port", "tcp://db", ERR_URL, NULL},
	{"tcp with an empty port", "tcp://db:", ERR_URL, NULL},
	{"tcp with a path", "tcp://db:5432/x", ERR_URL, NULL},
	{"tcp with a query", "tcp://db:5432?x", ERR_URL, NULL},
	{"tls with a user", "tls://u:p@db:5432", ERR_URL, NULL},
	{"udp", "udp://db:53", ERR_UNSUPPORTED_PROTOCOL, NULL},
};

START_TEST(test_target)
{
	struct url u;
	char buf[256];
	int r = url_parse_target(&u, targets[_i].in);

	ck_assert_msg(r == targets[_i].err, "%s: returned %d, expected %d (%s)", targets[_i].label, r,
		      targets[_i].err, err_detail());
	if (r != ERR_OK)
		return;
	ck_assert(url_format(&u, buf, sizeof(buf)) > 0);
	ck_assert_msg(strcmp(buf, targets[_i].formatted) == 0, "%s: formatted as '%s'", targets[_i].label, buf);
}
END_TEST

START_TEST(test_resolve)
{
	struct url base, out;
	char buf[URL_MAX + 64];
	int r;

	ck_assert_msg(url_parse(&base, resolve[_i].base) == ERR_OK, "%s: base '%s' does not parse",
		      resolve[_i].label, resolve[_i].base);
	r = url_resolve(&out, &base, resolve[_i].ref);
	if (!resolve[_i].want) {
		ck_assert_msg(r == resolve[_i].err, "%s: returned %d, expected %d", resolve[_i].label, r,
			      resolve[_i].err);
		ck_assert_msg(err_detail()[0] != '\0', "%s: no detail recorded", resolve[_i].label);
		return;
	}
	ck_assert_msg(r == ERR_OK, "%s: returned %d (%s)", resolve[_i].label, r, err_detail());
	ck_assert_msg(url_format(&out, buf, sizeof(buf)) > 0, "%s: url_format failed", resolve[_i].label);
	ck_assert_msg(strcmp(buf, resolve[_i].want) == 0, "%s: '%s' + '%s' gave '%s', expected '%s'",
		      resolve[_i].label, resolve[_i].base, resolve[_i].ref, buf, resolve[_i].want);
}
END_TEST

/* A reference that makes the result longer than URL_MAX. */
START_TEST(test_resolve_too_long)
{
	static const char *const bases[] = {"http://a/b", "http://a/b/c/d/e/f/g/h/i/j/k/"};
	struct url base, out;
	char *ref = malloc(URL_MAX + 2);

	ck_assert(ref != NULL);
	memset(ref, 'x', URL_MAX + 1);
	ref[URL_MAX + 1] = '\0';
	ck_assert(url_parse(&base, bases[_i]) == ERR_OK);
	ref[0] = '/';
	ck_assert_msg(url_resolve(&out, &base, ref) == ERR_URL, "too long absolute path on '%s'",
		      bases[_i]);
	ref[0] = 'x';
	ck_assert_msg(url_resolve(&out, &base, ref) == ERR_URL, "too long relative path on '%s'",
		      bases[_i]);
	ref[0] = '?';
	ck_assert_msg(url_resolve(&out, &base, ref) == ERR_URL, "too long query on '%s'", bases[_i]);
	free(ref);
}
END_TEST

/* --- url_authority and url_format -------------------------------------------------- */

static const struct {
	const char *label;
	const char *in;
	const char *authority;
	const char *formatted;
} fmt[] = {
	{"http default port", "http://h/x", "h", "http://h/x"},
	{"https default port", "https://h/x?y", "h", "https://h/x?y"},
	{"http non-default port", "http://h:8080/", "h:8080", "http://h:8080/"},
	{"https non-default port", "https://h:8443/", "h:8443", "https://h:8443/"},
	{"https on 80", "https://h:80/", "h:80", "https://h:80/"},
	{"http on 443", "http://h:443/", "h:443", "http://h:443/"},
	{"IPv6 default port", "https://[::1]/", "[::1]", "https://[::1]/"},
	{"IPv6 with port", "https://[::1]:8443/a", "[::1]:8443", "https://[::1]:8443/a"},
	{"IPv4 with port", "http://192.0.2.1:81/", "192.0.2.1:81", "http://192.0.2.1:81/"},
	{"explicit default port omitted", "https://h:443/", "h", "https://h/"},
	{"no scheme becomes http", "h:8080/x", "h:8080", "http://h:8080/x"},
};

START_TEST(test_authority)
{
	struct url u;
	char buf[URL_HOST_MAX + 16];
	size_t want = strlen(fmt[_i].authority), n;

	ck_assert_msg(url_parse(&u, fmt[_i].in) == ERR_OK, "%s: parse", fmt[_i].label);
	n = url_authority(&u, buf, sizeof(buf));
	ck_assert_msg(n == want && strcmp(buf, fmt[_i].authority) == 0,
		      "%s: authority '%s' (%zu), expected '%s'", fmt[_i].label, buf, n, fmt[_i].authority);
	/* Exactly enough room, for the text and its NUL; then one byte less. */
	ck_assert_msg(url_authority(&u, buf, want + 1) == want, "%s: cap %zu", fmt[_i].label, want + 1);
	ck_assert_msg(url_authority(&u, buf, want) == 0, "%s: cap %zu not refused", fmt[_i].label, want);
	ck_assert_msg(url_authority(&u, buf, 0) == 0, "%s: cap 0 not refused", fmt[_i].label);
}
END_TEST

START_TEST(test_format)
{
	struct url u;
	char buf[URL_MAX + 64];
	size_t want = strlen(fmt[_i].formatted), n;

	ck_assert_msg(url_parse(&u, fmt[_i].in) == ERR_OK, "%s: parse", fmt[_i].label);
	n = url_format(&u, buf, sizeof(buf));
	ck_assert_msg(n == want && strcmp(buf, fmt[_i].formatted) == 0,
		      "%s: formatted '%s' (%zu), expected '%s'", fmt[_i].label, buf, n, fmt[_i].formatted);
	ck_assert_msg(url_format(&u, buf, want + 1) == want, "%s: cap %zu", fmt[_i].label, want + 1);
	ck_assert_msg(url_format(&u, buf, want) == 0, "%s: cap %zu not refused", fmt[_i].label, want);
	ck_assert_msg(url_format(&u, buf, 1) == 0, "%s: cap 1 not refused", fmt[_i].label);
}
END_TEST

static Suite *url_suite(void)
{
	Suite *s = suite_create("url");
	TCase *tc;

	tc = tcase_create("parse_good");
	tcase_add_loop_test(tc, test_parse_good, 0, ARRAY_SIZE(good));
	tcase_add_loop_test(tc, test_parse_format_round_trip, 0, ARRAY_SIZE(good));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_bad");
	tcase_add_loop_test(tc, test_parse_bad, 0, ARRAY_SIZE(bad));
	tcase_add_loop_test(tc, test_parse_length, 0, ARRAY_SIZE(lengths));
	suite_add_tcase(s, tc);

	tc = tcase_create("userinfo and targets");
	tcase_add_loop_test(tc, test_userinfo, 0, ARRAY_SIZE(users));
	tcase_add_loop_test(tc, test_target, 0, ARRAY_SIZE(targets));
	suite_add_tcase(s, tc);

	tc = tcase_create("resolve");
	tcase_add_loop_test(tc, test_resolve, 0, ARRAY_SIZE(resolve));
	tcase_add_loop_test(tc, test_resolve_too_long, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, test_authority, 0, ARRAY_SIZE(fmt));
	tcase_add_loop_test(tc, test_format, 0, ARRAY_SIZE(fmt));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(url_suite)
