/*
 * The JSON writer: every JSON declass prints or stores is written here,
 * straight into a dc_buf.  Compact output is byte for byte what cJSON 1.7's
 * cJSON_PrintUnformatted() prints for the same tree, indented output what
 * cJSON_Print() prints (objects one member a line, indented by tabs, "key":
 * and a tab; arrays on one line, ", " between items), so what the store
 * hashes never changed when the writer did (tests/unit/test_model.c and
 * test_util.c compare the two).  Errors are the buffer's: sticky, checked
 * once at the end (b->rc).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "declass/util.h"
#include "util/util_int.h"
#include "util/banned.h"

/* Bytes cJSON escapes in a string, in rows of 32: every control byte
 * (0x00-0x1f), '"' (0x22) and '\\' (0x5c). */
static const unsigned char json_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/* The length of the prefix of s[0..n) that needs no escape.  Eight bytes
 * at a time while none of them is below 0x20, '"' or '\\' (each test
 * flags the high bit of a byte that matches, exactly for "any byte"). */
static size_t plain_bytes(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, q, bs;
        memcpy(&x, s + i, 8);
        q = x ^ (ones * '"');
        bs = x ^ (ones * '\\');
        uint64_t hit = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs);
        if (hit & highs) break;
    }
    while (i < n && !json_escape[(unsigned char)s[i]]) i++;
    return i;
}

/* dc_buf_putc, inlined: the writer puts many single bytes. */
static inline void put1(dc_buf *b, char c)
{
    if (!b->rc && b->len + 2 <= b->cap && b->len < b->limit) {
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return;
    }
    dc_buf_putc(b, c);
}

void dc_buf_json_str(dc_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        dc_buf_add(b, "null", 4);
        return;
    }
    size_t n = strlen(s);
    const char *end = s + n;
    /* The usual string needs no escape: room for it and its quotes once,
     * and one copy.  (Escaped, it is longer still: without the room the
     * buffer would have failed the same way, only later.) */
    if (!dc_buf_room(b, n + 2)) return;
    size_t run = plain_bytes(s, n);
    if (run == n) {
        char *o = b->p + b->len;
        o[0] = '"';
        memcpy(o + 1, s, n);
        o[n + 1] = '"';
        o[n + 2] = '\0';
        b->len += n + 2;
        return;
    }
    put1(b, '"');
    for (;;) {
        if (run) dc_buf_add(b, s, run);
        s += run;
        if (s == end) break;
        unsigned char c = (unsigned char)*s;
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        size_t k = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
            break;
        }
        dc_buf_add(b, esc, k);
        s++;
        run = plain_bytes(s, (size_t)(end - s));
    }
    put1(b, '"');
}

void dc_buf_json_num(dc_buf *b, double v)
{
    char s[32];
    if (isnan(v) || isinf(v)) {
        dc_buf_add(b, "null", 4);
        return;
    }
    if (v == (double)(long long)v && v > -1e15 && v < 1e15) {
        snprintf(s, sizeof s, "%lld", (long long)v);
    } else {
        /* 15 digits unless they miss v by more than cJSON's tolerance. */
        snprintf(s, sizeof s, "%1.15g", v);
        double back = strtod(s, NULL);
        double big = fabs(back) > fabs(v) ? fabs(back) : fabs(v);
        if (!(fabs(back - v) <= big * DBL_EPSILON)) snprintf(s, sizeof s, "%1.17g", v);
    }
    dc_buf_puts(b, s);
}

void dc_json_init(dc_json *j, dc_buf *b, int pretty)
{
    memset(j, 0, sizeof *j);
    j->b = b;
    j->pretty = pretty != 0;
}

static void tabs(dc_json *j, int n)
{
    static const char t[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    while (n > 0) {
        int k = n < 16 ? n : 16;
        dc_buf_add(j->b, t, (size_t)k);
        n -= k;
    }
}

/* What comes before a value: nothing after a key; in an array, ',' (and
 * a space when indented) after the first item. */
static void before_value(dc_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth == 0) return;
    int d = j->depth - 1;
    if (j->has_member[d]) {
        put1(j->b, ',');
        if (j->pretty) put1(j->b, ' ');
    }
    j->has_member[d] = 1;
}

static void open_container(dc_json *j, char c, int is_obj)
{
    before_value(j);
    if (j->depth >= DC_JSON_MAX_DEPTH) {
        if (!j->b->rc) j->b->rc = DC_LIMIT;
        return;
    }
    put1(j->b, c);
    j->is_obj[j->depth] = (unsigned char)is_obj;
    j->has_member[j->depth] = 0;
    j->depth++;
    if (is_obj && j->pretty) put1(j->b, '\n');
}

void dc_json_obj(dc_json *j) { open_container(j, '{', 1); }

void dc_json_arr(dc_json *j) { open_container(j, '[', 0); }

void dc_json_end(dc_json *j)
{
    if (j->depth == 0) return;
    int d = --j->depth;
    if (j->is_obj[d]) {
        if (j->pretty) {
            if (j->has_member[d]) put1(j->b, '\n');
            tabs(j, d);
        }
        put1(j->b, '}');
    } else {
        put1(j->b, ']');
    }
}

void dc_json_key(dc_json *j, const char *k)
{
    if (j->depth == 0) return;
    int d = j->depth - 1;
    if (j->has_member[d]) {
        put1(j->b, ',');
        if (j->pretty) put1(j->b, '\n');
    }
    j->has_member[d] = 1;
    if (j->pretty) tabs(j, j->depth);
    dc_buf_json_str(j->b, k ? k : "");
    put1(j->b, ':');
    if (j->pretty) put1(j->b, '\t');
    j->after_key = 1;
}

void dc_json_str(dc_json *j, const char *s)
{
    before_value(j);
    dc_buf_json_str(j->b, s);
}

void dc_json_num(dc_json *j, double v)
{
    before_value(j);
    dc_buf_json_num(j->b, v);
}

void dc_json_int(dc_json *j, long long v)
{
    before_value(j);
    if (v > -1000000000000000LL && v < 1000000000000000LL)
        dc_buf_printf(j->b, "%lld", v);
    else
        dc_buf_json_num(j->b, (double)v);
}

void dc_json_bool(dc_json *j, int v)
{
    before_value(j);
    if (v)
        dc_buf_add(j->b, "true", 4);
    else
        dc_buf_add(j->b, "false", 5);
}

void dc_json_null(dc_json *j)
{
    before_value(j);
    dc_buf_add(j->b, "null", 4);
}

void dc_json_raw(dc_json *j, const char *json)
{
    before_value(j);
    dc_buf_puts(j->b, json ? json : "null");
}

void dc_json_kstr(dc_json *j, const char *k, const char *s)
{
    dc_json_key(j, k);
    dc_json_str(j, s);
}

void dc_json_knum(dc_json *j, const char *k, double v)
{
    dc_json_key(j, k);
    dc_json_num(j, v);
}

void dc_json_kint(dc_json *j, const char *k, long long v)
{
    dc_json_key(j, k);
    dc_json_int(j, v);
}

void dc_json_kbool(dc_json *j, const char *k, int v)
{
    dc_json_key(j, k);
    dc_json_bool(j, v);
}

void dc_json_strv(dc_json *j, const dc_strv *sv)
{
    dc_json_arr(j);
    for (size_t i = 0; sv && i < sv->n; i++) dc_json_str(j, sv->v[i]);
    dc_json_end(j);
}
