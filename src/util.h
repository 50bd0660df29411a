/*
 * Small helpers every module, and the tests, use.
 */
#ifndef HELLO_UTIL_H
#define HELLO_UTIL_H

/* The number of elements of an array (not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* c in lower case if it is an ASCII capital: host names, header names and
 * certificate names compare without case, and the locale must not matter. */
static inline int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

#endif
