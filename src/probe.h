/*
 * --healthcheck: the Docker HEALTHCHECK probe. It checks one or more
 * targets under one deadline — http(s) URLs (a response whose status and
 * body are what --expect-status and --expect-body ask), tcp://HOST:PORT (a
 * connection), tls://HOST:PORT (a verified handshake) — and is healthy only
 * if every check is. Several targets are checked at once, one child
 * process each. An exec-form HEALTHCHECK has no shell, so the probe itself
 * expands ${NAME} and ${NAME:-default} from its environment, and takes its
 * targets from HEALTHCHECK_URL when none is given.
 */
#ifndef HELLO_PROBE_H
#define HELLO_PROBE_H

#include <stddef.h>

#include "opts.h"

#define PROBE_REPORT_MAX 1024	/* the one line Docker keeps (it keeps 4 KiB) */

/* Runs the checks o names. Writes the one line to print to report: when
 * healthy "healthy: TARGET: HTTP 200 in 12 ms" (for stdout), else why not,
 * naming each failing target (for stderr, after "hello: unhealthy: ").
 * note is for -v lines (NULL: none). Returns ERR_OK when healthy, else the
 * error of the (first) failing check. */
int probe_run(const struct opts *o, void (*note)(const char *line), char *report, size_t cap);

/* Expands ${NAME} and ${NAME:-default} in in from the environment into out
 * (cap bytes). NAME is letters, digits and '_', not starting with a digit;
 * the default, everything up to the next '}', is used when NAME is unset or
 * empty. Returns ERR_OK, or ERR_USAGE (detail recorded) for an unset NAME
 * without a default, a malformed ${...}, or a result longer than cap. */
int probe_expand(const char *in, char *out, size_t cap);

#endif
