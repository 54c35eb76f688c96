/*
 * Data files built into the library: every file under data/ in the source
 * tree is embedded at build time (cmake/embed_data.cmake), so the program
 * needs no data directory at run time.
 */
#ifndef IOTA_CORE_DATA_H
#define IOTA_CORE_DATA_H

#include <stddef.h>

/* The bytes of data/<name> ("credentials/defaults.txt") and their count in
 * *len (len may be NULL), or NULL (and *len = 0) if there is no such file.
 * The bytes are followed by a NUL not counted in *len, so a text file can be
 * read as a C string. They live as long as the program. */
const unsigned char *iota_data_get(const char *name, size_t *len);

#endif
