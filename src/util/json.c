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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* The length of the prefix of s[0..n) that needs no escape: 16 bytes at a
 * time (SSE2), then eight at a time while none of them is below 0x20, '"'
 * or '\\' (each test flags the high bit of a byte that matches, exactly
 * for "any byte"), then one by one. */
static size_t plain_bytes(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1F)), x); /* x <= 0x1f */
        __m128i esc = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                   _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl, esc));
        if (m) return i + (unsigned)__builtin_ctz(m);
    }
#endif
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

/* v in decimal, as "%lld" prints it, without snprintf's cost (a stored
 * document has hundreds of offsets). */
static void put_int(dc_buf *b, long long v)
{
    char s[24], *e = s + sizeof s, *p = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    dc_buf_add(b, p, (size_t)(e - p));
}

void dc_buf_json_num(dc_buf *b, double v)
{
    char s[32];
    if (isnan(v) || isinf(v)) {
        dc_buf_add(b, "null", 4);
        return;
    }
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) { /* in range before the cast */
        put_int(b, (long long)v);
        return;
    }
    /* 15 digits unless they miss v by more than cJSON's tolerance, or
     * round up past the largest double (cJSON printed
     * 1.79769313486232e+308 for DBL_MAX, which reads back infinite:
     * fuzz_json) */
    snprintf(s, sizeof s, "%1.15g", v);
    double back = strtod(s, NULL);
    double big = fabs(back) > fabs(v) ? fabs(back) : fabs(v);
    if (isinf(back) || !(fabs(back - v) <= big * DBL_EPSILON)) snprintf(s, sizeof s, "%1.17g", v);
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
    /* compact, a name without escapes (every name the code writes): the
     * comma, the quoted name and the colon at once */
    size_t n = k && !j->pretty ? strlen(k) : 0;
    if (n && plain_bytes(k, n) == n && dc_buf_room(j->b, n + 4)) {
        size_t c = j->has_member[d] != 0;
        char *o = j->b->p + j->b->len;
        o[0] = ',';
        o[c] = '"';
        memcpy(o + c + 1, k, n);
        memcpy(o + c + 1 + n, "\":", 3);
        j->b->len += c + n + 3;
        j->has_member[d] = 1;
        j->after_key = 1;
        return;
    }
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
        put_int(j->b, v);
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

/* ---- the reader ---------------------------------------------------------
 * The stored form of every version is JSON, parsed on every read that is
 * not cached: a command's search hits, a page's document, the index's
 * catch-up.  cJSON allocated each value and each string on its own and
 * found a member by a walk of its object; this reader puts the values in
 * blocks and the decoded strings in one copy of the input, and an object
 * lookup starts after the member found last (the writer's order is the
 * order of the lookups), so a member is found at once.  It accepts the
 * JSON of RFC 8259 and nothing else (no trailing text, no comments), to a
 * depth of DC_JV_DEPTH.  Of a key given twice, the lookup may find either
 * (the store hashes what it wrote, which has none). */

#define JV_BLOCK 256

struct dc_jv_block {
    struct dc_jv_block *next;
    size_t used;
    dc_jv v[JV_BLOCK];
};

/* A string of a value made by editing. */
struct dc_jv_str {
    struct dc_jv_str *next;
    char s[];
};

typedef struct {
    char *p, *end; /* the copy being parsed in place */
    dc_jdoc *doc;
    int depth;
    int nomem; /* a block could not be had */
} jread;

dc_jv *dc_jnew(dc_jdoc *doc, int type)
{
    struct dc_jv_block *b = doc->blocks;
    if (!b || b->used == JV_BLOCK) {
        if (!(b = malloc(sizeof *b))) return NULL;
        b->next = doc->blocks;
        b->used = 0;
        doc->blocks = b;
    }
    dc_jv *v = &b->v[b->used++];
    memset(v, 0, sizeof *v);
    v->type = (unsigned char)type;
    return v;
}

static dc_jv *jv_new(jread *r, unsigned char type)
{
    dc_jv *v = dc_jnew(r->doc, type);
    if (!v) r->nomem = 1;
    return v;
}

static void jskip_ws(jread *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

static int jhex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* Decodes the string starting after its opening quote in place; returns
 * its start (NUL-terminated where the closing quote or an escape was), or
 * NULL when malformed.  Decoding never makes a string longer. */
static char *jstring(jread *r)
{
    char *start = r->p, *w = r->p, *p = r->p;
    for (;;) {
        char *q = p + plain_bytes(p, (size_t)(r->end - p)); /* the writer's scan */
        if (w != p) memmove(w, p, (size_t)(q - p));
        w += q - p;
        p = q;
        if (p >= r->end || (unsigned char)*p < 0x20) return NULL;
        if (*p == '"') break;
        if (r->end - p < 2) return NULL;
        char e = p[1];
        p += 2;
        switch (e) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (r->end - p < 4 || !jhex4(p, &cp)) return NULL;
            p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return NULL;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (r->end - p < 6 || p[0] != '\\' || p[1] != 'u' || !jhex4(p + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return NULL;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            /* at most 4 bytes out for at least 6 read */
            if (cp < 0x80) {
                *w++ = (char)cp;
            } else if (cp < 0x800) {
                *w++ = (char)(0xC0 | cp >> 6);
                *w++ = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                *w++ = (char)(0xE0 | cp >> 12);
                *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *w++ = (char)(0x80 | (cp & 0x3F));
            } else {
                *w++ = (char)(0xF0 | cp >> 18);
                *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *w++ = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: return NULL;
        }
    }
    *w = '\0'; /* w <= p, the closing quote */
    r->p = p + 1;
    return start;
}

static int jdigit(char c)
{
    return c >= '0' && c <= '9';
}

/* A number of RFC 8259's grammar; integers of up to 15 digits are read
 * exactly without strtod (most of what declass stores: offsets, boxes). */
static int jnumber(jread *r, double *out)
{
    char *s = r->p, *p = s;
    int neg = p < r->end && *p == '-';
    p += neg;
    if (p >= r->end || !jdigit(*p)) return 0;
    if (*p == '0') p++;
    else
        while (p < r->end && jdigit(*p)) p++;
    int whole = 1;
    if (p < r->end && *p == '.') {
        whole = 0;
        if (++p >= r->end || !jdigit(*p)) return 0;
        while (p < r->end && jdigit(*p)) p++;
    }
    if (p < r->end && (*p == 'e' || *p == 'E')) {
        whole = 0;
        p++;
        if (p < r->end && (*p == '+' || *p == '-')) p++;
        if (p >= r->end || !jdigit(*p)) return 0;
        while (p < r->end && jdigit(*p)) p++;
    }
    size_t n = (size_t)(p - s);
    if (whole && n - (size_t)neg <= 15) {
        long long v = 0;
        for (const char *d = s + neg; d < p; d++) v = v * 10 + (*d - '0');
        *out = neg ? -(double)v : (double)v;
    } else {
        char tmp[64];
        if (n >= sizeof tmp) return 0;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        *out = strtod(tmp, NULL);
    }
    r->p = p;
    return 1;
}

static dc_jv *jvalue(jread *r);

/* A member name's bit in its object's keys, from its first two bytes
 * (the second is the terminator of a one-byte name): a lookup of a name
 * whose bit is not set finds nothing without comparing (the stored form
 * leaves out empty members, which parsing asks for all the same). */
static inline uint64_t key_bit(const char *k)
{
    unsigned a = (unsigned char)k[0], b = a ? (unsigned char)k[1] : 0;
    return (uint64_t)1 << ((a * 7 + b) & 63);
}

/* The members or items of a container, after its opening bracket. */
static int jcontainer(jread *r, dc_jv *c, char close)
{
    dc_jv **tail = &c->child;
    jskip_ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        return 1;
    }
    for (;;) {
        const char *key = NULL;
        if (c->type == DC_JV_OBJECT) {
            jskip_ws(r);
            if (r->p >= r->end || *r->p != '"') return 0;
            r->p++;
            if (!(key = jstring(r))) return 0;
            jskip_ws(r);
            if (r->p >= r->end || *r->p != ':') return 0;
            r->p++;
        }
        dc_jv *v = jvalue(r);
        if (!v) return 0;
        v->key = key;
        if (key) c->keys |= key_bit(key);
        *tail = v;
        tail = &v->next;
        c->n++;
        jskip_ws(r);
        if (r->p >= r->end) return 0;
        if (*r->p == close) {
            r->p++;
            return 1;
        }
        if (*r->p++ != ',') return 0;
    }
}

static dc_jv *jvalue(jread *r)
{
    jskip_ws(r);
    if (r->p >= r->end) return NULL;
    dc_jv *v = NULL;
    size_t left = (size_t)(r->end - r->p);
    switch (*r->p) {
    case '{':
    case '[':
        if (r->depth >= DC_JV_DEPTH) return NULL;
        if (!(v = jv_new(r, *r->p == '{' ? DC_JV_OBJECT : DC_JV_ARRAY))) return NULL;
        r->p++;
        r->depth++;
        if (!jcontainer(r, v, v->type == DC_JV_OBJECT ? '}' : ']')) return NULL;
        r->depth--;
        v->hint = v->child;
        return v;
    case '"':
        if (!(v = jv_new(r, DC_JV_STRING))) return NULL;
        r->p++;
        return (v->str = jstring(r)) ? v : NULL;
    case 't':
        if (left < 4 || memcmp(r->p, "true", 4) != 0) return NULL;
        r->p += 4;
        return jv_new(r, DC_JV_TRUE);
    case 'f':
        if (left < 5 || memcmp(r->p, "false", 5) != 0) return NULL;
        r->p += 5;
        return jv_new(r, DC_JV_FALSE);
    case 'n':
        if (left < 4 || memcmp(r->p, "null", 4) != 0) return NULL;
        r->p += 4;
        return jv_new(r, DC_JV_NULL);
    default:
        if (!(v = jv_new(r, DC_JV_NUMBER))) return NULL;
        return jnumber(r, &v->num) ? v : NULL;
    }
}

dc_rc dc_jparse(const char *json, size_t len, dc_jdoc *doc)
{
    memset(doc, 0, sizeof *doc);
    if (!json || len >= SIZE_MAX) return DC_CORRUPT;
    if (!(doc->text = malloc(len + 1))) return DC_NOMEM;
    memcpy(doc->text, json, len);
    doc->text[len] = '\0';
    jread r = {doc->text, doc->text + len, doc, 0, 0};
    dc_jv *root = jvalue(&r);
    jskip_ws(&r);
    /* a value too deep, malformed, or followed by more text: corrupt */
    if (!root || r.p != r.end) {
        dc_jdoc_free(doc);
        return r.nomem ? DC_NOMEM : DC_CORRUPT;
    }
    doc->root = root;
    return DC_OK;
}

void dc_jdoc_free(dc_jdoc *doc)
{
    if (!doc) return;
    for (struct dc_jv_block *b = doc->blocks, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    for (struct dc_jv_str *t = doc->strs, *n; t; t = n) {
        n = t->next;
        free(t);
    }
    free(doc->text);
    memset(doc, 0, sizeof *doc);
}

static const char *jkeep(dc_jdoc *doc, const char *s)
{
    size_t n = strlen(s);
    struct dc_jv_str *t = malloc(sizeof *t + n + 1);
    if (!t) return NULL;
    memcpy(t->s, s, n + 1);
    t->next = doc->strs;
    doc->strs = t;
    return t->s;
}

dc_jv *dc_jnew_str(dc_jdoc *doc, const char *s)
{
    const char *k = jkeep(doc, s ? s : "");
    dc_jv *v = k ? dc_jnew(doc, DC_JV_STRING) : NULL;
    if (v) v->str = k;
    return v;
}

dc_jv *dc_jnew_num(dc_jdoc *doc, double num)
{
    dc_jv *v = dc_jnew(doc, DC_JV_NUMBER);
    if (v) v->num = num;
    return v;
}

void dc_jdel(dc_jv *obj, const char *key)
{
    if (!obj || obj->type != DC_JV_OBJECT) return;
    for (dc_jv **m = &obj->child; *m; m = &(*m)->next)
        if (strcmp((*m)->key, key) == 0) {
            *m = (*m)->next;
            obj->n--;
            break;
        }
    obj->hint = obj->child;
}

void dc_jpush(dc_jv *arr, dc_jv *v)
{
    dc_jv **t = &arr->child;
    while (*t) t = &(*t)->next;
    v->next = NULL;
    *t = v;
    arr->n++;
    arr->hint = arr->child;
    if (arr->type == DC_JV_OBJECT && v->key) arr->keys |= key_bit(v->key);
}

dc_rc dc_jset(dc_jdoc *doc, dc_jv *obj, const char *key, dc_jv *v)
{
    if (!obj || obj->type != DC_JV_OBJECT || !v) return DC_MISUSE;
    if (!(v->key = jkeep(doc, key))) return DC_NOMEM;
    dc_jdel(obj, key);
    dc_jpush(obj, v);
    return DC_OK;
}

void dc_json_value(dc_json *j, const dc_jv *v)
{
    switch (v->type) {
    case DC_JV_NULL: dc_json_null(j); return;
    case DC_JV_FALSE: dc_json_bool(j, 0); return;
    case DC_JV_TRUE: dc_json_bool(j, 1); return;
    case DC_JV_NUMBER: dc_json_num(j, v->num); return;
    case DC_JV_STRING: dc_json_str(j, v->str); return;
    default: break;
    }
    if (v->type == DC_JV_OBJECT) dc_json_obj(j);
    else dc_json_arr(j);
    for (const dc_jv *e = v->child; e; e = e->next) {
        if (v->type == DC_JV_OBJECT) dc_json_key(j, e->key);
        dc_json_value(j, e);
    }
    dc_json_end(j);
}

const dc_jv *dc_jget(const dc_jv *obj, const char *key)
{
    if (!obj || obj->type != DC_JV_OBJECT || !key || !(obj->keys & key_bit(key))) return NULL;
    dc_jv *o = (dc_jv *)obj; /* the hint is the lookup's memo */
    for (int pass = 0; pass < 2; pass++) {
        const dc_jv *from = pass ? o->child : o->hint, *to = pass ? o->hint : NULL;
        for (const dc_jv *m = from; m != to; m = m->next)
            if (strcmp(m->key, key) == 0) {
                o->hint = m->next ? m->next : o->child;
                return m;
            }
    }
    return NULL;
}

const dc_jv *dc_jat(const dc_jv *arr, int i)
{
    if (!arr || arr->type != DC_JV_ARRAY || i < 0) return NULL;
    const dc_jv *e = arr->child;
    while (e && i--) e = e->next;
    return e;
}
