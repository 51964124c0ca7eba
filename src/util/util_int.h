/*
 * util_int.h - utilities only the library itself uses (not installed).
 */
#ifndef DC_UTIL_INT_H
#define DC_UTIL_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "declass/util.h"

#ifdef __SSE2__
#include <emmintrin.h>

/* Of the 16 bytes v: the ASCII letters (*alpha) and digits (*digit), each
 * a byte of all ones.  A byte above 0x7f is neither (as a signed byte it
 * compares below '0'). */
static inline void dc_sse_alnum(__m128i v, __m128i *alpha, __m128i *digit)
{
    __m128i low = _mm_or_si128(v, _mm_set1_epi8(0x20));
    *alpha = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
                           _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1)));
    *digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                           _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
}
#endif

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

/* Makes room in b for n more bytes and the NUL, as dc_buf_add would; 0
 * (and b->rc set, sticky) if there is none.  For writers that fill
 * b->p + b->len themselves. */
int dc_buf_room(dc_buf *b, size_t n);

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

/*
 * The JSON reader (util/json.c): dc_jparse parses a whole JSON text into
 * doc (DC_CORRUPT when it is not one, DC_NOMEM); the values live until
 * dc_jdoc_free.  Strings are NUL-terminated UTF-8 (a \u0000 ends one).
 * dc_jget finds an object's member by name (NULL when absent or obj is not
 * an object), fastest when members are asked for in their order;
 * dc_jat an array's item i.  Walk a container's values with
 * for (e = c->child; e; e = e->next).
 */
#define DC_JV_DEPTH 512
enum { DC_JV_NULL, DC_JV_FALSE, DC_JV_TRUE, DC_JV_NUMBER, DC_JV_STRING, DC_JV_ARRAY, DC_JV_OBJECT };
typedef struct dc_jv {
    struct dc_jv *next;  /* the next item or member of the container */
    struct dc_jv *child; /* an array's or object's first */
    struct dc_jv *hint;  /* an object's: where the next lookup starts */
    uint64_t keys;       /* an object's: a bit per member name (json.c, key_bit) */
    const char *key;     /* a member's name */
    const char *str;     /* DC_JV_STRING */
    double num;          /* DC_JV_NUMBER */
    int n;               /* the number of items or members */
    unsigned char type;
} dc_jv;
typedef struct dc_jdoc {
    dc_jv *root;
    char *text;                 /* the copy the strings were decoded in */
    struct dc_jv_block *blocks; /* the values */
    struct dc_jv_str *strs;     /* strings of values made since */
} dc_jdoc;
dc_rc dc_jparse(const char *json, size_t len, dc_jdoc *doc);
void dc_jdoc_free(dc_jdoc *doc);
const dc_jv *dc_jget(const dc_jv *obj, const char *key);
const dc_jv *dc_jat(const dc_jv *arr, int i);

/*
 * Editing, for the few records declass rewrites (the review workflow's):
 * dc_jnew makes a value of type in doc (an empty container, null, a
 * boolean; dc_jnew_str a string, copied; dc_jnew_num a number), NULL when
 * out of memory; dc_jset removes obj's member key and adds v as its last
 * member (as cJSON's delete and add did: a member set moves to the end);
 * dc_jdel removes it; dc_jpush appends v to an array.  dc_json_value
 * writes a value with the JSON writer, so a tree read and written again is
 * the same text.
 */
dc_jv *dc_jnew(dc_jdoc *doc, int type);
dc_jv *dc_jnew_str(dc_jdoc *doc, const char *s);
dc_jv *dc_jnew_num(dc_jdoc *doc, double v);
dc_rc dc_jset(dc_jdoc *doc, dc_jv *obj, const char *key, dc_jv *v);
void dc_jdel(dc_jv *obj, const char *key);
void dc_jpush(dc_jv *arr, dc_jv *v);
void dc_json_value(dc_json *j, const dc_jv *v);

/* Reads a whole regular file, at most `limit` bytes, NUL-terminated. */
dc_rc dc_read_file(const char *path, size_t limit, char **out, size_t *len, dc_error *err);
/* The rest of dc_read_file, for a file the caller opened (fd, a regular
 * file of size bytes, size <= limit): reads it whole into *buf, grown as
 * needed (*alloc bytes; the caller's to keep or free, also on failure),
 * NUL-terminated. */
dc_rc dc_read_fd(int fd, size_t size, size_t limit, char **buf, size_t *alloc, size_t *len,
                 dc_error *err);

/*
 * The calendar (util/date.c): proleptic Gregorian, English month names, ISO
 * 8601 dates.  Months are numbered 1-12.
 */

/* "January".."December" for m in 1-12, otherwise NULL.  Static storage. */
const char *dc_month_name(int m);
int dc_is_leap_year(int y);
/* 28-31 for m in 1-12 of year y, otherwise 0. */
int dc_days_in_month(int y, int m);
/* A month as written in running text at s[0..n): the full name not followed
 * by a letter ("July", "July,"), or its abbreviation with a period ("Jan.",
 * "Sept.").  Case-sensitive.  Returns 1-12 and its length in *len, or 0. */
int dc_month_at(const char *s, size_t n, size_t *len);
/* A day of the month as written at s[0..n): one or two digits, then
 * optionally an ordinal suffix ("3rd", "21st", "3d", "2nd", "4th"), not
 * followed by a letter or digit.  Returns the bytes it takes and the
 * number in *day, or 0. */
size_t dc_day_at(const char *s, size_t n, long *day);
/* The month a whole word w[0..n) names, ignoring case: the full name, its
 * first three letters, or "Sept".  Returns 1-12, or 0. */
int dc_month_word(const char *w, size_t n);
/* Parses s[0..n), exactly "YYYY", "YYYY-MM" or "YYYY-MM-DD" (two-digit month
 * 01-12 and day 01-31; the day is not checked against the month, dates are
 * kept as written).  Returns 1 and the parts (*m, *d 0 when absent), or 0. */
int dc_date_parse(const char *s, size_t n, int *y, int *m, int *d);
/* Writes "YYYY-MM-DD" and a NUL to out; y is taken modulo 10000. */
void dc_date_iso(char out[11], int y, int m, int d);
/* The current UTC date "YYYY-MM-DD" or, with_time, time
 * "YYYY-MM-DDTHH:MM:SSZ" into out[0..n).  Returns 1, or 0 if the clock cannot
 * be read or n is too small. */
int dc_utc_now(char *out, size_t n, int with_time);
/* The same for secs seconds after 1970-01-01T00:00:00Z (secs >= 0; 0 past
 * the year 9999).  Computed, not with gmtime_r, which reads the time-zone
 * file first. */
int dc_utc_time(long long secs, char *out, size_t n, int with_time);

/*
 * dc_grey: an 8-bit grey page image (util/png.c), w x h pixels in rows
 * from the top.  dc_grey_read decodes an 8-bit grey, non-interlaced PNG
 * (what the scan helper writes; anything else DC_PARSE, one over the caps
 * DC_LIMIT before any allocation); dc_grey_fill paints a box (clipped);
 * dc_grey_deflate appends the zlib stream of its PNG-filtered rows (what
 * a PDF's /FlateDecode /Predictor 15 image holds); dc_grey_write_png
 * appends it as a PNG stating dpi.  dc_grey_png_idat appends a PNG's own
 * stream and gives its size; dc_grey_png_info only the size.
 */
#define DC_GREY_MAX_SIDE 30000
#define DC_GREY_MAX_PIXELS ((unsigned long long)60000000)
typedef struct dc_grey {
    int w, h;
    unsigned char *px;
} dc_grey;
dc_rc dc_grey_read(const unsigned char *png, size_t len, dc_grey *out);
void dc_grey_release(dc_grey *g);
void dc_grey_fill(dc_grey *g, int x, int y, int w, int h, unsigned char v);
dc_rc dc_grey_deflate(const dc_grey *g, dc_buf *out);
dc_rc dc_grey_write_png(const dc_grey *g, int dpi, dc_buf *out);
dc_rc dc_grey_png_idat(const unsigned char *png, size_t len, int *w, int *h, dc_buf *out);
dc_rc dc_grey_png_info(const unsigned char *png, size_t len, int *w, int *h);

/*
 * A worker thread and what it waits on: dc_worker_start makes the mutex
 * mu and the condition variables a and b and starts fn(arg); 0, or -1
 * with none of them left (nothing started).  dc_worker_sync_destroy
 * destroys the three once the thread is joined.  (The ingest's read-ahead,
 * store and index workers.)
 */
int dc_worker_start(pthread_t *t, pthread_mutex_t *mu, pthread_cond_t *a, pthread_cond_t *b,
                    void *(*fn)(void *), void *arg);
void dc_worker_sync_destroy(pthread_mutex_t *mu, pthread_cond_t *a, pthread_cond_t *b);

#endif
