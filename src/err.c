#include "err.h"

#include <stdio.h>
#include <string.h>

static char detail[256];

int err_setv(enum err code, const char *fmt, va_list ap)
{
	char buf[sizeof(detail)];

	/* Formatted apart first: fmt's arguments may point into detail. */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	memcpy(detail, buf, sizeof(detail));
	return code;
}

int err_set(enum err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(code, fmt, ap);
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

const char *err_what(enum err code)
{
	switch (code) {
#define ERR_WORDS(name, value, words) \
	case ERR_##name:              \
		return words;
		ERR_LIST(ERR_WORDS)
#undef ERR_WORDS
	}
	return "internal error";
}
