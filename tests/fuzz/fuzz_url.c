/*
 * libFuzzer harness: url_parse() on the input, and url_resolve() of the
 * input against a fixed base. Checks what url.h promises of a parsed URL:
 * a port in 1..65535, a lower-case host within URL_HOST_MAX, a target that
 * starts with '/', has no fragment and fits URL_MAX, and that url_format()
 * and url_authority() can always write it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct url base;

static void check_url(const struct url *u)
{
	static char buf[URL_MAX + URL_HOST_MAX + 64];
	size_t hl = strnlen(u->host, sizeof(u->host)), tl = strnlen(u->target, sizeof(u->target));

	if (u->port < 1 || u->port > 65535 || (u->tls != 0 && u->tls != 1))
		abort();
	if (u->ip != 0 && u->ip != 4 && u->ip != 6)
		abort();
	if (hl == 0 || hl > URL_HOST_MAX || tl == 0 || tl > URL_MAX)
		abort();
	if (u->target[0] != '/' || memchr(u->target, '#', tl))
		abort();
	for (size_t i = 0; i < tl; i++)
		if ((unsigned char)u->target[i] <= ' ' || (unsigned char)u->target[i] >= 0x7f)
			abort();
	if (u->ip != 6)
		for (size_t i = 0; i < hl; i++)
			if (u->host[i] >= 'A' && u->host[i] <= 'Z')
				abort();
	if (url_format(u, buf, sizeof(buf)) == 0 || url_authority(u, buf, sizeof(buf)) == 0)
		abort();
}

static void check_code(int r)
{
	if (r != ERR_OK && r != ERR_URL && r != ERR_UNSUPPORTED_PROTOCOL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct url u, out;
	char *s;
	int r;

	if (size > 2 * URL_MAX)
		return 0;
	if (base.port == 0 && url_parse(&base, "http://example.com:8080/a/b/c?q=1") != ERR_OK)
		abort();
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	r = url_parse(&u, s);
	check_code(r);
	if (r == ERR_OK)
		check_url(&u);

	r = url_resolve(&out, &base, s);
	check_code(r);
	if (r == ERR_OK)
		check_url(&out);

	free(s);
	return 0;
}
