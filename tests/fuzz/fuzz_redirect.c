/*
 * libFuzzer harness: url_resolve() of the input (a Location value) against
 * several bases; every URL it accepts must survive url_format() and
 * url_parse() unchanged: same scheme, address kind, port, host and target.
 * A redirect that resolves to one URL but is requested as another would
 * send hello somewhere the server did not mean.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const base_text[] = {
	"http://example.com/",
	"https://example.com:8443/a/b/c?x=y",
	"http://[::1]:8080/dir/file",
	"http://10.0.0.1:80//a/./b/../c/?q",
};
#define NBASES (sizeof(base_text) / sizeof(base_text[0]))

static struct url bases[NBASES];
static int ready;

static int same(const struct url *a, const struct url *b)
{
	return a->tls == b->tls && a->ip == b->ip && a->port == b->port &&
	       strcmp(a->host, b->host) == 0 && strcmp(a->target, b->target) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct url out, again;
	static char text[URL_MAX + URL_HOST_MAX + 64];
	char *ref;

	if (!ready) {
		for (size_t i = 0; i < NBASES; i++)
			if (url_parse(&bases[i], base_text[i]) != ERR_OK)
				abort();
		ready = 1;
	}
	if (size > URL_MAX + 64)
		return 0;
	ref = malloc(size + 1);
	if (!ref)
		return 0;
	memcpy(ref, data, size);
	ref[size] = '\0';

	for (size_t i = 0; i < NBASES; i++) {
		int r = url_resolve(&out, &bases[i], ref);

		if (r != ERR_OK && r != ERR_URL && r != ERR_UNSUPPORTED_PROTOCOL)
			abort();
		if (r != ERR_OK)
			continue;
		if (url_format(&out, text, sizeof(text)) == 0)
			abort();
		if (url_parse(&again, text) != ERR_OK || !same(&out, &again)) {
			fprintf(stderr, "base    %s\nref     %s\nformat  %s\nhost    '%s' / '%s'\n"
				"target  '%s' / '%s'\nport    %u / %u\n", base_text[i], ref, text,
				out.host, again.host, out.target, again.target, out.port, again.port);
			abort();
		}
		/* An absolute URL resolves to itself, whatever the base. */
		if (url_resolve(&again, &bases[(i + 1) % NBASES], text) != ERR_OK || !same(&out, &again)) {
			fprintf(stderr, "absolute %s did not resolve to itself\n", text);
			abort();
		}
	}
	free(ref);
	return 0;
}
