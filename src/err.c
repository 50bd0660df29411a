#include "err.h"

#include <stdarg.h>
#include <stdio.h>

static char detail[256];

static const struct {
	unsigned char exit_code;
	const char *what;
} table[ERR_COUNT] = {
	[ERR_OK] = {0, "ok"},
	[ERR_UNSUPPORTED_PROTOCOL] = {1, "unsupported protocol"},
	[ERR_USAGE] = {2, "usage"},
	[ERR_URL] = {3, "malformed URL"},
	[ERR_RESOLVE] = {6, "cannot resolve host"},
	[ERR_CONNECT] = {7, "cannot connect"},
	[ERR_WEIRD_REPLY] = {8, "bad response from server"},
	[ERR_PARTIAL] = {18, "partial body"},
	[ERR_HTTP] = {22, "HTTP error"},
	[ERR_WRITE] = {23, "write error"},
	[ERR_NOMEM] = {27, "out of memory"},
	[ERR_TIMEOUT] = {28, "timeout"},
	[ERR_TLS] = {35, "TLS handshake failed"},
	[ERR_TOO_MANY_REDIRECTS] = {47, "too many redirects"},
	[ERR_EMPTY_REPLY] = {52, "empty reply from server"},
	[ERR_SEND] = {55, "send failed"},
	[ERR_RECV] = {56, "receive failed"},
	[ERR_PEER_VERIFY] = {60, "peer not verified"},
	[ERR_CAFILE] = {77, "cannot use CA file"},
};

int err_set(enum err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return code;
}

const char *err_detail(void)
{
	return detail;
}

void err_clear(void)
{
	detail[0] = '\0';
}

int err_exit_code(enum err code)
{
	if ((unsigned)code >= ERR_COUNT)
		return 1;
	return table[code].exit_code;
}

const char *err_what(enum err code)
{
	if ((unsigned)code >= ERR_COUNT)
		return "internal error";
	return table[code].what;
}
