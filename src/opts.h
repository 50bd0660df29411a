/*
 * The command line: one table of options (src/opts.c) read by one parser.
 * Pure: no I/O, nothing printed; a bad option is recorded with err_set().
 */
#ifndef HELLO_OPTS_H
#define HELLO_OPTS_H

#include <stddef.h>

#include "url.h"

#define OPTS_HEADERS_MAX 64	/* -H given at most this often */
#define OPTS_RESOLVE_MAX 16	/* --resolve given at most this often */
#define OPTS_TARGETS_MAX 16	/* URLs on one command line */
#define OPTS_ADDRESS_MAX 46	/* an IPv6 address in text, and its NUL */
#define OPTS_DATA_MAX 16	/* -d given at most this often */
#define OPTS_STATUS_MAX 16	/* ranges in --expect-status */

/* parse_opts() results besides ERR_OK and ERR_USAGE. */
#define OPTS_HELP (-1)
#define OPTS_VERSION (-2)
#define OPTS_SBOM (-3)

struct opts_resolve {
	char host[URL_HOST_MAX + 1];	/* lower case */
	unsigned port;
	char address[OPTS_ADDRESS_MAX];	/* numeric, without brackets */
};

/* A range of status codes --expect-status takes as healthy. */
struct opts_status {
	int lo, hi;
};

struct opts {
	const char *targets[OPTS_TARGETS_MAX];	/* the URLs, in order */
	size_t ntargets;
	const char *output;
	const char *cacert;
	const char *cert, *key;		/* --cert, --key: PEM files */
	const char *unix_socket;
	const char *user;		/* -u USER:PASSWORD */
	const char *method;		/* -X: a token; NULL: GET, HEAD or POST */
	const char *data[OPTS_DATA_MAX];	/* -d arguments, joined by '&'; "@FILE" reads FILE */
	size_t ndata;
	const char *expect_status;	/* --expect-status as given */
	struct opts_status status[OPTS_STATUS_MAX];	/* and parsed (nstatus 0: below 400) */
	size_t nstatus;
	const char *expect_body;
	const char *user_agent;
	const char *headers[OPTS_HEADERS_MAX];	/* "Name: value", checked */
	size_t nheaders;
	struct opts_resolve resolve[OPTS_RESOLVE_MAX];
	size_t nresolve;
	int head, silent, show_error, verbose, fail, location, healthcheck;
	long max_redirs;			/* -1: no limit */
	long long max_time, connect_timeout;	/* milliseconds; 0: none */
};

/* The usage text, which lists every option of the table. */
extern const char opts_usage[];

/* Reads argv[1..argc) into o, from a clean slate. Long options are matched
 * whole ("--max" is not "--max-time"), as curl does; short ones may be
 * clustered ("-fsSL") and take their argument attached or next ("-ofile",
 * "-o file"); "--" ends the options. Returns ERR_OK, ERR_USAGE (detail
 * recorded), OPTS_HELP, OPTS_VERSION or OPTS_SBOM. */
int opts_parse(struct opts *o, int argc, char **argv);

/* Parses an --expect-status list ("200-299,401") into o->status. Returns
 * ERR_OK or ERR_USAGE (detail recorded). opts_parse() calls it unless the
 * list holds a "${...}" to expand first (the probe does, then calls it). */
int opts_parse_status(struct opts *o, const char *list);

/* Is status one --expect-status takes (or, without it, below 400)? */
int opts_status_ok(const struct opts *o, int status);

/* The --resolve address for host:port, or NULL. */
const char *opts_resolve_address(const struct opts *o, const char *host, unsigned port);

#endif
