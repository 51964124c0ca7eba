/*
 * Snippets: the best window of a document's text for a query, with
 * matching words marked.  The text is rebuilt from the dc_doc it is given
 * — every portion, as the index holds it — and re-tokenized with the
 * index's analyzer so a word matches exactly as in search (stem, exact
 * term, or prefix).  Access is decided before: the caller gives the
 * reader's view (the facade: dc_db_view), whose hidden portions are
 * already gap notices.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "index/index_int.h"
#include "util/util_int.h"
#include "util/banned.h"

int dc_snippet_prefilter = 1;

#define SNIP_MAX_WIDTH 4096u
#define SNIP_MAX_MATCHES 100000u
#define SNIP_MAX_QTERMS 256u

typedef struct qt {
    int mode; /* 0 stem, 1 exact, 2 prefix */
    const char *s;
    size_t n;
} qt;

typedef struct sn {
    dc_analyzer *a;
    size_t nq;
    size_t off;      /* of the text analyzed within the whole (see regions) */
    size_t *ms, *me; /* match spans */
    size_t nm, cap_ms, cap_me;
    dc_rc rc;
    qt q[SNIP_MAX_QTERMS]; /* q[0 .. nq): last, not zeroed (6 KiB) */
} sn;

static void collect(sn *c, const dc_qnode *n)
{
    if (n->kind == DC_Q_NOT) return;
    if ((n->kind == DC_Q_TERM || n->kind == DC_Q_PHRASE || n->kind == DC_Q_PREFIX) &&
        n->field == DC_FIELD_ANY) {
        for (size_t i = 0; i < n->n_terms && c->nq < SNIP_MAX_QTERMS; i++) {
            const dc_qterm *t = &n->terms[i];
            qt *x = &c->q[c->nq++];
            if (n->kind == DC_Q_PREFIX) *x = (qt){2, t->term, t->len};
            else if (n->kind == DC_Q_PHRASE || n->exact) *x = (qt){1, t->term, t->len};
            else *x = (qt){0, t->stem, t->stem_len};
        }
    }
    for (size_t i = 0; i < n->n_kids; i++) collect(c, n->kids[i]);
}

/*
 * Whether token t matches query term x by stem.  The text is analyzed
 * without stems, and a token is stemmed only when its first byte is the
 * stem's and it begins as the stem does (dc_analyzer_may_stem_to):
 * Snowball English rewrites only a word's end (test_analysis checks both
 * over a whole FRUS volume), and nearly every token of a document fails
 * these tests, which spares the stemmer, cold in a new process, almost
 * every call.
 */
static dc_rc stem_hit(sn *c, const dc_token *t, const qt *x, int *hit)
{
    if (x->n == 0 || t->term[0] != x->s[0] || !dc_analyzer_may_stem_to(t->term, t->len, x->s, x->n))
        return DC_OK;
    const char *stem;
    size_t n;
    dc_rc rc = dc_analyzer_stem(c->a, t->term, t->len, &stem, &n);
    if (!rc) *hit = n == x->n && memcmp(stem, x->s, n) == 0;
    return rc;
}

static dc_rc on_tok(void *ctx, const dc_token *t)
{
    sn *c = ctx;
    int hit = 0;
    for (size_t i = 0; i < c->nq && !hit; i++) {
        const qt *x = &c->q[i];
        if (x->mode == 0) {
            dc_rc rc = stem_hit(c, t, x, &hit);
            if (rc) return rc;
        } else if (x->mode == 1) {
            hit = t->len == x->n && memcmp(t->term, x->s, x->n) == 0;
        } else {
            hit = t->len >= x->n && memcmp(t->term, x->s, x->n) == 0;
        }
    }
    if (!hit || c->nm >= SNIP_MAX_MATCHES) return DC_OK;
    if (DC_GROW(c->ms, c->nm + 1, c->cap_ms) || DC_GROW(c->me, c->nm + 1, c->cap_me))
        return DC_NOMEM;
    c->ms[c->nm] = c->off + t->start;
    c->me[c->nm++] = c->off + t->end;
    return DC_OK;
}

/*
 * Analyzing a hit's whole text was most of a snippet's cost, and nearly
 * all of it finds nothing.  In a word of ASCII bytes between ASCII
 * whitespace the analyzer folds nothing but case: its tokens' folded
 * bytes are its own bytes in lower case.  Every token that matches a
 * query term then begins with bytes the term fixes: an exact term's or a
 * prefix's own, a stem's but its last (and but the i of die, lie, tie:
 * dc_analyzer_may_stem_to).  So of the ASCII words only those where one
 * of those needles occurs (in any case) need analyzing; a word holding
 * any other byte (an accent the analyzer folds, a mark it ignores inside
 * a word, a space that is not ASCII) is analyzed whatever it holds.  They
 * give the same matches at the same offsets as the whole text analyzed.
 * A term with no such needle has the whole text analyzed as before.
 * test_index compares the two over a FRUS volume and a text of accents.
 */
#define NEEDLE_MAX 3
#define FIRST_SIMD 8 /* first bytes compared 16 at a time; more: a byte at a time */

typedef struct needles {
    char s[SNIP_MAX_QTERMS][NEEDLE_MAX];
    size_t n[SNIP_MAX_QTERMS], count;
    unsigned char first[256]; /* a match may start at this byte */
    unsigned char firsts[FIRST_SIMD];
    size_t nfirsts; /* distinct needle first bytes (both cases), or FIRST_SIMD + 1 */
#ifdef __SSE2__
    __m128i vfirsts[FIRST_SIMD]; /* each of firsts in every byte */
#endif
} needles;

static int lower_alnum(unsigned char b)
{
    return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
}

static void first_byte(needles *nd, unsigned char f)
{
    if (nd->first[f]) return;
    nd->first[f] = 1;
    if (nd->nfirsts < FIRST_SIMD) nd->firsts[nd->nfirsts] = f;
    nd->nfirsts += nd->nfirsts <= FIRST_SIMD;
}

static int make_needles(const sn *c, needles *nd)
{
    memset(nd->first, 0, sizeof nd->first);
    nd->nfirsts = 0;
    nd->count = c->nq;
    for (size_t i = 0; i < c->nq; i++) {
        const qt *x = &c->q[i];
        size_t k = x->n;
        if (x->mode == 0) { /* dc_analyzer_may_stem_to's own prefix */
            k = k ? k - 1 : 0;
            if (k >= 2 && x->s[k - 1] == 'i') k--;
        }
        size_t m = 0;
        while (m < k && m < NEEDLE_MAX && lower_alnum((unsigned char)x->s[m])) m++;
        if (!m) return 0;
        memcpy(nd->s[i], x->s, m);
        nd->n[i] = m;
        unsigned char f = (unsigned char)x->s[0];
        first_byte(nd, f);
        if (f >= 'a' && f <= 'z') first_byte(nd, (unsigned char)(f - 0x20));
    }
    /* a byte above ASCII: its word is analyzed */
    memset(nd->first + 0x80, 1, 0x80);
#ifdef __SSE2__
    for (size_t k = 0; k < nd->nfirsts && k < FIRST_SIMD; k++)
        nd->vfirsts[k] = _mm_set1_epi8((char)nd->firsts[k]);
#endif
    return 1;
}

static int ascii_alnum(unsigned char b)
{
    return (unsigned)((b | 0x20) - 'a') < 26 || (unsigned)(b - '0') < 10;
}

/* The first offset >= i where a match may start, or len: a byte above
 * ASCII (its word is analyzed), or a needle's first byte (nd->first) that
 * begins a word.  A token never begins after an ASCII letter or digit
 * (they continue it), and every term matches a token from its start. */
static size_t next_candidate(const needles *nd, const unsigned char *s, size_t i, size_t len)
{
    if (i == 0 && len) {
        if (nd->first[s[0]]) return 0;
        i = 1;
    }
#ifdef __SSE2__
    if (nd->nfirsts <= FIRST_SIMD) {
        for (; i + 16 <= len; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            unsigned hi = (unsigned)_mm_movemask_epi8(x), f = 0;
            for (size_t k = 0; k < nd->nfirsts; k++)
                f |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, nd->vfirsts[k]));
            if (!(hi | f)) continue;
            /* the bytes before: letters and digits (as ascii_alnum) */
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i - 1)), al, dg;
            dc_sse_alnum(b, &al, &dg);
            unsigned m = hi | (f & ~(unsigned)_mm_movemask_epi8(_mm_or_si128(al, dg)));
            if (m) return i + (size_t)__builtin_ctz(m);
        }
    }
#endif
    for (; i < len; i++)
        if (s[i] >= 0x80 || (nd->first[s[i]] && !ascii_alnum(s[i - 1]))) return i;
    return len;
}

/* Whether a needle of nd (in any case), or a byte above ASCII, is at s[i]. */
static int needle_at(const needles *nd, const unsigned char *s, size_t i, size_t len)
{
    if (s[i] >= 0x80) return 1;
    for (size_t q = 0; q < nd->count; q++) {
        size_t m = nd->n[q], k = 0;
        if (i + m > len) continue;
        for (; k < m; k++) {
            unsigned char b = s[i + k];
            if (b >= 'A' && b <= 'Z') b += 0x20;
            if (b != (unsigned char)nd->s[q][k]) break;
        }
        if (k == m) return 1;
    }
    return 0;
}

static int is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/* The matches of c's terms in p[0..len), word by word where a needle or a
 * byte above ASCII occurs. */
static dc_rc region_matches(sn *c, const needles *nd, const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t done = 0; /* analyzed up to here */
    for (size_t i = next_candidate(nd, s, 0, len); i < len; i = next_candidate(nd, s, i + 1, len)) {
        if (!needle_at(nd, s, i, len)) continue;
        size_t start = i, end = i;
        while (start > done && !is_space((char)s[start - 1])) start--;
        while (end < len && !is_space((char)s[end])) end++;
        c->off = start;
        dc_rc rc = dc_analyze(c->a, p + start, end - start, 0, 0, on_tok, c, NULL);
        if (rc) return rc;
        done = i = end;
    }
    c->off = 0;
    return DC_OK;
}

/* Copies s[0..n) with each ASCII whitespace byte as a space. */
static void emit(dc_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || !is_space(s[i])) continue;
        dc_buf_add(out, s + run, i - run);
        dc_buf_putc(out, ' ');
        run = i + 1;
    }
    dc_buf_add(out, s + run, n - run);
}

/*
 * Picks the window of about width bytes holding the most matches (two
 * pointers over the match list), widens it left by a fifth for context,
 * moves both cuts to whitespace (hence UTF-8 boundaries), then copies it
 * with the matches wrapped.  Only the given document's text is used, so
 * a view yields nothing of what it hides.
 */
static void window(const sn *c, const char *p, size_t len, size_t width, const char *open,
                   const char *close, dc_buf *out)
{
    size_t start = 0, end = len, best = 0, bestn = 0;
    for (size_t i = 0, j = 0; i < c->nm; i++) {
        if (j < i) j = i;
        while (j < c->nm && c->me[j] <= c->ms[i] + width) j++;
        if (j - i > bestn) bestn = j - i, best = i;
    }
    if (c->nm) {
        size_t ctx = width / 5;
        start = c->ms[best] > ctx ? c->ms[best] - ctx : 0;
    }
    if (start > 0) {
        size_t s = start;
        while (s > 0 && !is_space(p[s - 1])) s--;
        if (s + width / 3 >= start) start = s;
        else
            while (start < len && ((unsigned char)p[start] & 0xC0) == 0x80) start++;
    }
    if (len - start > width) {
        end = start + width;
        size_t e = end;
        while (e > start && !is_space(p[e])) e--;
        if (e > start + width / 2) end = e;
        else
            while (end > start && ((unsigned char)p[end] & 0xC0) == 0x80) end--;
    }
    while (start < end && is_space(p[start])) start++;
    if (start > 0) dc_buf_puts(out, "\xE2\x80\xA6 ");
    size_t at = start;
    for (size_t i = 0; i < c->nm; i++) {
        if (c->ms[i] < start || c->me[i] > end) continue;
        emit(out, p + at, c->ms[i] - at);
        dc_buf_puts(out, open);
        emit(out, p + c->ms[i], c->me[i] - c->ms[i]);
        dc_buf_puts(out, close);
        at = c->me[i];
    }
    while (end > at && is_space(p[end - 1])) end--;
    emit(out, p + at, end - at);
    if (end < len) dc_buf_puts(out, " \xE2\x80\xA6");
}

/* The matcher of q's terms; the window's defaults filled in (no marks,
 * 200 bytes, at most SNIP_MAX_WIDTH). */
static sn *sn_new(dc_analyzer *a, const dc_query *q, const char **open, const char **close,
                  size_t *width)
{
    if (!*open) *open = "";
    if (!*close) *close = "";
    if (!*width) *width = 200;
    if (*width > SNIP_MAX_WIDTH) *width = SNIP_MAX_WIDTH;
    sn *c = malloc(sizeof *c);
    if (!c) return NULL;
    memset(c, 0, offsetof(sn, q));
    c->a = a;
    collect(c, dc_query_root(q));
    return c;
}

static void sn_free(sn *c)
{
    free(c->ms);
    free(c->me);
    free(c);
}

dc_rc dc_index_snippet(dc_analyzer *a, const dc_query *q, const dc_doc *doc, size_t width,
                       const char *open, const char *close, dc_buf *out)
{
    if (!a || !q || !doc || !out) return DC_MISUSE;
    sn *c = sn_new(a, q, &open, &close, &width);
    if (!c) return DC_NOMEM;
    dc_buf text;
    dc_buf_init(&text, (size_t)128 << 20);
    for (size_t i = 0; i < doc->n_portions; i++) {
        const dc_portion *p = &doc->portions[i];
        if (!p->text) continue;
        if (text.len) dc_buf_putc(&text, ' ');
        dc_buf_puts(&text, p->text);
    }
    dc_rc rc = text.rc;
    needles nd;
    if (!rc && text.len && c->nq) {
        if (dc_snippet_prefilter && make_needles(c, &nd))
            rc = region_matches(c, &nd, text.p, text.len);
        else rc = dc_analyze(a, text.p, text.len, 0, 0, on_tok, c, NULL);
    }
    if (!rc && text.len) {
        window(c, text.p, text.len, width, open, close, out);
        rc = out->rc;
    }
    dc_buf_release(&text);
    sn_free(c);
    return rc;
}

/* Matches of c's terms in text, into c (emptied first). */
static dc_rc matches(sn *c, const char *text)
{
    c->nm = 0;
    size_t n = text ? strlen(text) : 0;
    return n && c->nq ? dc_analyze(c->a, text, n, 0, 0, on_tok, c, NULL) : DC_OK;
}

dc_rc dc_index_find(dc_analyzer *a, const dc_query *q, const dc_doc *doc, size_t width,
                    const char *open, const char *close, dc_find_cb cb, void *ctx)
{
    if (!a || !q || !doc || !cb) return DC_MISUSE;
    sn *c = sn_new(a, q, &open, &close, &width);
    if (!c) return DC_NOMEM;
    dc_buf b;
    dc_buf_init(&b, SNIP_MAX_WIDTH * 8);
    dc_rc rc = DC_OK;
    size_t np = doc->n_portions, nf = doc->n_footnotes;
    for (size_t i = 0; i < np + nf && !rc; i++) {
        const char *text;
        dc_find_hit h = {0};
        if (i < np) {
            text = doc->portions[i].text;
            h.portion = doc->portions[i].id;
        } else {
            text = doc->footnotes[i - np].text;
            h.footnote = doc->footnotes[i - np].n;
            h.label = doc->footnotes[i - np].label;
        }
        if ((rc = matches(c, text)) != DC_OK || !c->nm) continue;
        b.len = 0;
        window(c, text, strlen(text), width, open, close, &b);
        h.matches = c->nm;
        h.snippet = b.p;
        rc = b.rc ? b.rc : cb(ctx, &h);
    }
    dc_buf_release(&b);
    sn_free(c);
    return rc;
}
