/*
 * util_int.h - utilities only the library itself uses (not installed).
 */
#ifndef DC_UTIL_INT_H
#define DC_UTIL_INT_H

#include "declass/util.h"

/* Reads a whole regular file, at most `limit` bytes, NUL-terminated. */
dc_rc dc_read_file(const char *path, size_t limit, char **out, size_t *len, dc_error *err);

#endif
