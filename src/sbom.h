/*
 * The software bill of materials hello carries: its CycloneDX document, made
 * by scripts/sbom from the pinned facts (build/gen/sbom.c) and kept in the
 * binary's own .sbom section, so `hello --sbom` works where no shell can
 * read a file. The build writes the same bytes to build/hello.cdx.json.
 */
#ifndef HELLO_SBOM_H
#define HELLO_SBOM_H

#include <stddef.h>

/* The document: JSON text ending in a newline, sbom_json_size bytes, not
 * NUL-terminated. The binary's SHA-256 in it is that of the file with these
 * bytes zeroed (scripts/sbom seal writes it after the link). */
extern const char sbom_json[];
extern const size_t sbom_json_size;

#endif
