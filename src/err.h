/*
 * One error value for every way a request can fail. The values are curl's
 * exit codes, so main() returns them as they are; ERR_LIST is the one place
 * each is written, with the words main.c prints. Modules record a failure
 * with err_set() and return its code; only main.c prints it.
 */
#ifndef HELLO_ERR_H
#define HELLO_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* X(NAME, curl exit code, what failed in a few words) */
#define ERR_LIST(X)                                                                     \
	X(OK, 0, "ok")                                                                  \
	X(UNSUPPORTED_PROTOCOL, 1, "unsupported protocol")  /* not http or https */     \
	X(USAGE, 2, "usage")                    /* bad option or option argument */     \
	X(URL, 3, "malformed URL")                                                      \
	X(RESOLVE, 6, "cannot resolve host")                                            \
	X(CONNECT, 7, "cannot connect")         /* no address took the connection */    \
	X(WEIRD_REPLY, 8, "bad response from server")                                   \
	X(PARTIAL, 18, "partial body")          /* body shorter than announced */       \
	X(HTTP, 22, "HTTP error")               /* status >= 400 with --fail */         \
	X(WRITE, 23, "write error")             /* the body could not be written */     \
	X(READ, 26, "cannot read the file")     /* -d @FILE */                          \
	X(NOMEM, 27, "out of memory")                                                   \
	X(TIMEOUT, 28, "timeout")               /* --max-time, --connect-timeout */     \
	X(TLS, 35, "TLS handshake failed")      /* no common protocol, or misbehaviour */ \
	X(TOO_MANY_REDIRECTS, 47, "too many redirects")                                 \
	X(EMPTY_REPLY, 52, "empty reply from server") /* closed before any byte */      \
	X(SEND, 55, "send failed")                                                      \
	X(RECV, 56, "receive failed")           /* also bad chunked framing */          \
	X(LOCAL_CERT, 58, "problem with the local certificate") /* --cert, --key */   \
	X(PEER_VERIFY, 60, "peer not verified") /* certificate or host name */          \
	X(CAFILE, 77, "cannot use CA file")

enum err {
#define ERR_ENUM(name, code, words) ERR_##name = code,
	ERR_LIST(ERR_ENUM)
#undef ERR_ENUM
};

/* At most this many bytes of user or server input are quoted in a detail
 * ("malformed field line 'xxx...'"): enough to recognise it, short enough
 * for one line. */
#define ERR_QUOTE_MAX 40

/* n, or ERR_QUOTE_MAX if that is less: the precision for "%.*s". */
static inline int err_quote(size_t n)
{
	return n > ERR_QUOTE_MAX ? ERR_QUOTE_MAX : (int)n;
}

/* Records code and a printf-formatted detail ("certificate expired");
 * returns code, so callers can write `return err_set(ERR_X, "...")`. The
 * arguments may include err_detail() itself: "redirect to '%s': %s" with
 * the previous detail. */
int err_set(enum err code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int err_setv(enum err code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The detail recorded by the last err_set(), "" if none. */
const char *err_detail(void);

/* Forgets the recorded detail. */
void err_clear(void);

/* What failed, in a few words ("cannot connect"); "internal error" for a
 * value that is none of the above. */
const char *err_what(enum err code);

#endif
