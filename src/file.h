/*
 * Reading a whole file the user named (--cacert, --cert, --key, -d @FILE),
 * bounded in size and in time.
 */
#ifndef HELLO_FILE_H
#define HELLO_FILE_H

#include <stddef.h>

#include "err.h"

/* Reads all of path ("-": standard input), at most max bytes, into a new buffer with a NUL after
 * the last byte (mbedtls wants PEM input to include it); the caller frees
 * *out. The file need not be a regular one (`--cacert <(...)` is a pipe):
 * it is opened without blocking, so a FIFO with no writer reads as empty,
 * and every wait for data is bounded by the deadline (net.h). Returns
 * ERR_OK; code (with the path and why: missing, a directory, larger than
 * max) when it cannot be read; ERR_TIMEOUT. */
int file_read(const char *path, size_t max, enum err code, long long deadline,
	      unsigned char **out, size_t *len);

#endif
