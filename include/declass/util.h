/*
 * declass — shared utilities: result codes, capped buffers, string vectors,
 * UTF-8 checks.  Every module of libdeclass uses these, and they are part
 * of the public API (front ends build their output with dc_buf and
 * dc_strv); what only the library uses is in src/util/util_int.h.
 */
#ifndef DECLASS_UTIL_H
#define DECLASS_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define DC_API __attribute__((visibility("default")))
#define DC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DC_API
#define DC_PRINTF(a, b)
#endif

/* Result codes.  New codes are only ever added last; none is removed. */
typedef enum dc_rc {
    DC_OK = 0,
    DC_NOMEM,    /* out of memory */
    DC_IO,       /* a file or the database could not be read or written */
    DC_CORRUPT,  /* stored data is inconsistent */
    DC_PARSE,    /* input could not be parsed (bad input) */
    DC_NOTFOUND, /* no such document, user or result */
    DC_DENIED,   /* access denied */
    DC_LIMIT,    /* a size or depth limit was exceeded */
    DC_MISUSE,   /* an API was called wrongly (bad argument) */
    DC_INTERNAL, /* a bug or an unexpected library failure */
} dc_rc;

/* A short, static description of rc.  Never NULL. */
DC_API const char *dc_strerror(dc_rc rc);

/* Frees memory returned as owned by any dc_ function.  NULL is a no-op. */
DC_API void dc_free(void *p);

/* A detailed error: code, message and, for input files, the line. */
typedef struct dc_error {
    dc_rc rc;
    long line;      /* 1-based line of the input, 0 if none */
    char msg[512];  /* human-readable, never names withheld content */
} dc_error;

/* Sets err (if not NULL) and returns rc, so callers can `return dc_fail(...)`. */
DC_API dc_rc dc_fail(dc_error *err, dc_rc rc, long line, const char *fmt, ...) DC_PRINTF(4, 5);

/*
 * dc_buf: a growable byte buffer with a hard cap.  Errors are sticky: once
 * `rc` is set (DC_NOMEM, or DC_LIMIT when `limit` would be passed) every
 * append is a no-op, so a caller appends freely and checks `rc` once.
 * The content is always NUL-terminated when p != NULL.
 */
typedef struct dc_buf {
    char *p;
    size_t len, cap, limit;
    dc_rc rc;
} dc_buf;

#define DC_BUF_DEFAULT_LIMIT ((size_t)256 << 20)

DC_API void dc_buf_init(dc_buf *b, size_t limit); /* limit 0 = DC_BUF_DEFAULT_LIMIT */
DC_API void dc_buf_release(dc_buf *b);
DC_API void dc_buf_reset(dc_buf *b);              /* len = 0, keeps storage and rc */
DC_API void dc_buf_add(dc_buf *b, const char *s, size_t n);
DC_API void dc_buf_puts(dc_buf *b, const char *s);
DC_API void dc_buf_putc(dc_buf *b, char c);
DC_API void dc_buf_printf(dc_buf *b, const char *fmt, ...) DC_PRINTF(2, 3);
/* Appends v[0..n) separated by sep. */
DC_API void dc_buf_join(dc_buf *b, const char *const *v, size_t n, char sep);
/* Hands the NUL-terminated content to the caller (free with dc_free) and
 * leaves b empty.  Returns NULL if b->rc is set or on NOMEM. */
DC_API char *dc_buf_detach(dc_buf *b);

/* dc_strv: an owned vector of owned strings. */
typedef struct dc_strv {
    char **v;
    size_t n, cap;
} dc_strv;

DC_API void dc_strv_release(dc_strv *sv);
DC_API dc_rc dc_strv_push(dc_strv *sv, const char *s);
DC_API dc_rc dc_strv_pushn(dc_strv *sv, const char *s, size_t n);
/* Pushes s unless an equal string is already present. */
DC_API dc_rc dc_strv_add_unique(dc_strv *sv, const char *s);
DC_API int dc_strv_contains(const dc_strv *sv, const char *s);

DC_API char *dc_strdup(const char *s);             /* NULL in, NULL out */
DC_API char *dc_strndup(const char *s, size_t n);
/* Replaces *field with a copy of value (NULL allowed). */
DC_API dc_rc dc_str_set(char **field, const char *value);
DC_API dc_rc dc_str_setn(char **field, const char *value, size_t n);

/*
 * dc_json: the JSON writer (util/json.c), appending to a dc_buf whose
 * sticky rc is the writer's.  Compact output is what cJSON_PrintUnformatted
 * prints, indented (pretty) output what cJSON_Print prints.  Open a
 * container with dc_json_obj / dc_json_arr, close it with dc_json_end; in
 * an object, dc_json_key before each value (or the dc_json_k* shorthands).
 * A NULL string is written as null; NaN and infinities as null; numbers as
 * cJSON prints them.  Deeper than DC_JSON_MAX_DEPTH sets DC_LIMIT.
 */
#define DC_JSON_MAX_DEPTH 64
typedef struct dc_json {
    dc_buf *b;
    int pretty, depth, after_key;
    unsigned char is_obj[DC_JSON_MAX_DEPTH], has_member[DC_JSON_MAX_DEPTH];
} dc_json;

DC_API void dc_json_init(dc_json *j, dc_buf *b, int pretty);
DC_API void dc_json_obj(dc_json *j);
DC_API void dc_json_arr(dc_json *j);
DC_API void dc_json_end(dc_json *j);
DC_API void dc_json_key(dc_json *j, const char *k);
DC_API void dc_json_str(dc_json *j, const char *s);
DC_API void dc_json_num(dc_json *j, double v);
DC_API void dc_json_int(dc_json *j, long long v);
DC_API void dc_json_bool(dc_json *j, int v);
DC_API void dc_json_null(dc_json *j);
/* A value already written as JSON (compact), as it is. */
DC_API void dc_json_raw(dc_json *j, const char *json);
DC_API void dc_json_strv(dc_json *j, const dc_strv *sv);
DC_API void dc_json_kstr(dc_json *j, const char *k, const char *s);
DC_API void dc_json_knum(dc_json *j, const char *k, double v);
DC_API void dc_json_kint(dc_json *j, const char *k, long long v);
DC_API void dc_json_kbool(dc_json *j, const char *k, int v);
/* The string and number forms alone, appended to b. */
DC_API void dc_buf_json_str(dc_buf *b, const char *s);
DC_API void dc_buf_json_num(dc_buf *b, double v);

/*
 * dc_buf_xml_escape: appends s[0..n) escaped for XML or HTML, as text or
 * as a double-quoted attribute value.  `&` `<` `>` always become entities;
 * invalid UTF-8 and U+FFFE/U+FFFF become U+FFFD; newline, tab and the other
 * control characters (which XML 1.0 forbids) become spaces unless flags say
 * otherwise.  The sticky rc of b is the only error.
 */
#define DC_XML_QUOT 0x01u      /* '"' as &quot; (attribute values) */
#define DC_XML_APOS 0x02u      /* '\'' as &#39; (HTML, safe in either quoting) */
#define DC_XML_NL_KEEP 0x04u   /* a newline as it is */
#define DC_XML_NL_BR 0x08u     /* a newline as <br/> */
#define DC_XML_TAB_KEEP 0x10u  /* a tab as it is */
#define DC_XML_CTRL_DROP 0x20u /* other control characters and DEL dropped, not spaces */
/* HTML text and attribute values alike (newlines as spaces; add
 * DC_XML_NL_KEEP or DC_XML_NL_BR to keep them). */
#define DC_XML_HTML (DC_XML_QUOT | DC_XML_APOS | DC_XML_TAB_KEEP | DC_XML_CTRL_DROP)
DC_API void dc_buf_xml_escape(dc_buf *b, const char *s, size_t n, unsigned flags);

/* Returns 1 if s[0..n) is valid UTF-8 (no overlongs, no surrogates);
 * otherwise 0 and *bad (if not NULL) is the offset of the first bad byte. */
DC_API int dc_utf8_valid(const char *s, size_t n, size_t *bad);

/* Decodes one UTF-8 code point at s (n bytes available); returns its length
 * (>= 1) and stores it in *cp, or returns 0 on invalid input. */
DC_API size_t dc_utf8_decode(const char *s, size_t n, unsigned *cp);

#endif
