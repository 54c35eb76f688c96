/*
 * Names of unpacked members, made safe. A member name from an image is
 * untrusted: it may be absolute, climb with "..", hold empty or "."
 * components, NULs or backslashes. iota_path_clean() turns it into a
 * relative path of plain components joined by '/', and says what it changed.
 */
#ifndef IOTA_UTIL_PATH_H
#define IOTA_UTIL_PATH_H

#include <stddef.h>

enum {
	IOTA_PATH_ABSOLUTE = 1 << 0, /* had a leading '/' */
	IOTA_PATH_DOTDOT = 1 << 1,   /* a ".." climbed above the root and was dropped */
	IOTA_PATH_EMPTY = 1 << 2     /* nothing left: the name is the root itself */
};

/* Writes the cleaned form of name[0..len) to out (cap bytes, NUL-terminated).
 * Returns the IOTA_PATH_* flags, or -1 if out is too small. A ".." inside
 * the name removes the component before it; one that would leave the root is
 * dropped and flagged. */
int iota_path_clean(const char *name, size_t len, char *out, size_t cap);

/* True if a symbolic link at link_dir (a cleaned relative directory path,
 * "" for the root) pointing at target stays inside the root. Absolute
 * targets never do. */
int iota_path_link_inside(const char *link_dir, const char *target);

#endif
