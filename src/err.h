/*
 * One error value for every way a request can fail, its curl-compatible exit
 * code and the words main.c prints. Modules record a failure with err_set()
 * and return its code; only main.c prints it.
 */
#ifndef HELLO_ERR_H
#define HELLO_ERR_H

enum err {
	ERR_OK = 0,
	ERR_UNSUPPORTED_PROTOCOL,	/* 1: scheme other than http/https */
	ERR_USAGE,			/* 2: bad option or option argument */
	ERR_URL,			/* 3: malformed URL */
	ERR_RESOLVE,			/* 6: name did not resolve */
	ERR_CONNECT,			/* 7: no address accepted the connection */
	ERR_WEIRD_REPLY,		/* 8: response not understood */
	ERR_PARTIAL,			/* 18: body shorter than announced */
	ERR_HTTP,			/* 22: status >= 400 with --fail */
	ERR_WRITE,			/* 23: writing the body failed */
	ERR_NOMEM,			/* 27: out of memory */
	ERR_TIMEOUT,			/* 28: --max-time or --connect-timeout */
	ERR_TLS,			/* 35: TLS handshake or protocol failure */
	ERR_TOO_MANY_REDIRECTS,		/* 47: over --max-redirs */
	ERR_EMPTY_REPLY,		/* 52: connection closed before any byte */
	ERR_SEND,			/* 55: sending failed */
	ERR_RECV,			/* 56: receiving failed, bad framing */
	ERR_PEER_VERIFY,		/* 60: certificate or hostname not verified */
	ERR_CAFILE,			/* 77: CA file unreadable or unusable */
	ERR_COUNT
};

/* Records code and a printf-formatted detail ("certificate expired");
 * returns code, so callers can write `return err_set(ERR_X, "...")`. */
int err_set(enum err code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The detail recorded by the last err_set(), "" if none. */
const char *err_detail(void);

/* Forgets the recorded detail. */
void err_clear(void);

/* curl's exit code for code. */
int err_exit_code(enum err code);

/* What failed, in a few words ("cannot connect"). */
const char *err_what(enum err code);

#endif
