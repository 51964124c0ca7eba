/*
 * util_int.h - utilities only the library itself uses (not installed).
 */
#ifndef DC_UTIL_INT_H
#define DC_UTIL_INT_H

#include <stddef.h>

#include "declass/util.h"

/*
 * dc_grow_array: makes room for at least `need` elements of `size` bytes in
 * the array p, which has room for *cap.  The capacity grows geometrically
 * (doubling, at least DC_GROW_MIN, at least `need`); the byte count is
 * checked for overflow.  Returns the array, possibly moved, and sets *cap;
 * on failure (overflow or out of memory) returns p unchanged, still owned by
 * the caller, and leaves *cap as it was, so `need > *cap` tells failure.
 * Elements past the old *cap are uninitialised.
 */
#define DC_GROW_MIN 8
void *dc_grow_array(void *p, size_t need, size_t *cap, size_t size);

/*
 * DC_GROW(ptr, need, cap): the form of dc_grow_array for a typed array
 * `ptr` with its size_t capacity `cap` (both lvalues), in the manner of
 * Git's ALLOC_GROW.  Evaluates to DC_OK when ptr has room for `need`
 * elements, or to DC_NOMEM, with ptr and cap untouched, when it cannot
 * grow.  The arguments are evaluated more than once: pass no side effects.
 * Caps (DC_LIMIT) are the caller's to check before growing.
 *
 *     if (DC_GROW(v->items, v->n + 1, v->cap)) return DC_NOMEM;
 *     v->items[v->n++] = x;
 */
#define DC_GROW(ptr, need, cap)                                                                 \
    ((size_t)(need) <= (cap)                                                                    \
         ? DC_OK                                                                                \
         : ((ptr) = dc_grow_array((ptr), (size_t)(need), &(cap), sizeof *(ptr)),                \
            (size_t)(need) <= (cap) ? DC_OK : DC_NOMEM))

/* Reads a whole regular file, at most `limit` bytes, NUL-terminated. */
dc_rc dc_read_file(const char *path, size_t limit, char **out, size_t *len, dc_error *err);

#endif
