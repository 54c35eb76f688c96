/*
 * Member names made from untrusted header fields (a uImage's ih_name, a FIT
 * image node's name): one path component of plain characters, so that a name
 * never adds directories, climbs with "..", or carries control bytes into
 * reports.
 */
#ifndef IOTA_UNPACK_MEMBER_NAME_H
#define IOTA_UNPACK_MEMBER_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes to out (cap bytes, NUL-terminated) the bytes name[0..len) up to the
 * first NUL, keeping letters, digits and "._+-@" and turning every other byte
 * into '_' (runs of them into one). Returns false and leaves out empty when no
 * letter or digit is left, so the caller can fall back to a name of its own. */
bool iota_member_name(const uint8_t *name, size_t len, char *out, size_t cap);

#endif
