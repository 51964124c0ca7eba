/*
 * The analyzer: tokenizer, case and accent folding, Snowball stemming.
 * The token rules are stated in declass/analysis.h.
 *
 * This runs over every byte ingested, so it allocates nothing after
 * dc_analyzer_new and treats ASCII specially: a 128-entry class table, and
 * ASCII letters are folded by setting bit 0x20.  A token that holds a
 * non-ASCII character is built as code points instead: each character is
 * case-folded, compatibility-decomposed and stripped of marks by
 * utf8proc_decompose_char into the analyzer's buffer, and the token is
 * recomposed in place by utf8proc_normalize_utf32 (Hangul jamo back into
 * syllables) before it is encoded as UTF-8.  Neither function allocates.
 *
 * Stems come from a small direct-mapped cache in front of the Snowball
 * English stemmer: word frequencies are Zipfian, so most tokens hit it.
 *
 * The stemmer is linked from libstemmer's static archive, English alone:
 * its shared library carries the tables of 29 languages, whose 10,800
 * pointers the dynamic loader relocates in every process that loads it,
 * writing 89 pages (356 KiB) at start-up -- on a machine whose page faults
 * cost 30 us, 3 ms of a 10 ms search.  Its C API, sb_stemmer_*, would pull
 * in all of them (libstemmer.o names every language), so the English
 * stemmer is called directly, as sb_stemmer_stem does: SN_set_current,
 * english_UTF_8_stem, then the stem is env->p[0 .. env->l).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "analysis/analysis.h"
#include "util/util_int.h"
#include "util/banned.h"

/* The Snowball runtime and its English stemmer (libstemmer.a: runtime/api.h
 * and the generated stem_UTF_8_english.h, which Debian does not install).
 * struct SN_env begins with the current string and, after the cursor, its
 * length in every Snowball release; only those two fields are read, and
 * dc_analyzer_new checks a known stem before it trusts them. */
struct SN_env;
struct SN_env *english_UTF_8_create_env(void);
void english_UTF_8_close_env(struct SN_env *z);
int english_UTF_8_stem(struct SN_env *z);
int SN_set_current(struct SN_env *z, int size, const unsigned char *s);
typedef struct sn_head {
    unsigned char *p; /* the string */
    int c, l;         /* cursor, length */
} sn_head;

/* Character classes.  The first three are the characters words are made
 * of; the tests below rely on their order. */
enum {
    C_SEP = 0, /* separates tokens */
    C_LETTER,  /* L* */
    C_DIGIT,   /* Nd */
    C_NUM,     /* Nl, No: part of a word, not a digit for the joiner rules */
    C_IDEO,    /* a Han, Hiragana or Katakana letter: a token by itself */
    C_MARK,    /* Mn, Mc, Me: dropped; never splits a word */
    C_IGNORE,  /* default-ignorable (soft hyphen, joiners): as C_MARK */
    C_APOS,    /* ' ’ ʼ */
    C_JOIN,    /* . / */
    C_DASH,    /* - and U+2010..U+2013 */
};
#define IS_WORD(c) ((unsigned)(c) - C_LETTER <= C_NUM - C_LETTER)

#define S C_SEP
#define L C_LETTER
#define D C_DIGIT
#define A C_APOS
#define J C_JOIN
#define H C_DASH
static const unsigned char ascii_class[128] = {
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 0x00 */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 0x10 */
    S, S, S, S, S, S, S, A, S, S, S, S, S, H, J, J, /* 0x20  ' - . / */
    D, D, D, D, D, D, D, D, D, D, S, S, S, S, S, S, /* 0x30  0-9 */
    S, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* 0x40  A-O */
    L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S, /* 0x50  P-Z */
    S, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* 0x60  a-o */
    L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S, /* 0x70  p-z */
};
#undef S
#undef L
#undef D
#undef A
#undef J
#undef H

/* ASCII letters and digits folded; 0 for every other byte. */
static const unsigned char ascii_fold[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 0, 0, 0, 0, 0, 0,
    0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0, 0, 0, 0, 0,
    0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0, 0, 0, 0, 0,
};

/* Code points of one non-ASCII token before recomposition.  Each code
 * point encodes to at least one byte, so this always covers DC_TERM_MAX
 * bytes of output. */
#define CP_MAX 256

/* Folding applied to each non-ASCII character. */
#define FOLD_OPTS                                                                        \
    ((utf8proc_option_t)(UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |      \
                         UTF8PROC_STRIPMARK | UTF8PROC_IGNORE))

/* Stem cache: direct-mapped, a power of two, one 64-byte line a slot.
 * Terms longer than SLOT_TERM bytes (rare) bypass it.  It starts small
 * and grows to CACHE_SLOTS once it has missed CACHE_GROW_AFTER times per
 * slot: a search stems a few hundred words, and every page of a large
 * cache it touches costs a page fault (two: read, then write), more than
 * the stemming it saves; an ingest stems millions and wants it large. */
#define CACHE_SLOTS 8192
#define CACHE_FIRST 256
#define CACHE_GROW_AFTER 4
#define SLOT_TERM 30

typedef struct stem_slot {
    unsigned char len; /* 0: empty */
    unsigned char stem_len;
    char term[SLOT_TERM];
    char stem[SLOT_TERM + 2];
} stem_slot;

struct dc_analyzer {
    stem_slot *cache;  /* nslots slots, 64-byte aligned */
    void *cache_base;  /* what calloc returned for it */
    size_t nslots;
    size_t misses;     /* stems computed since the cache was made */
    struct SN_env *stemmer;
    char term[DC_TERM_MAX + 1]; /* the token being built, then emitted */
    char stem[DC_TERM_MAX + 1]; /* stems not in the cache */
    utf8proc_int32_t cps[CP_MAX];
};

/* Replaces a's cache by an empty one of n slots. */
static dc_rc cache_make(dc_analyzer *a, size_t n)
{
    void *base = calloc(1, n * sizeof(stem_slot) + 63);
    if (!base) return DC_NOMEM;
    free(a->cache_base);
    a->cache_base = base;
    a->cache = (stem_slot *)(((uintptr_t)base + 63) & ~(uintptr_t)63);
    a->nslots = n;
    a->misses = 0;
    return DC_OK;
}

/* The token being built. */
typedef struct tokbuf {
    size_t len;    /* bytes in a->term while !slow */
    size_t ncp;    /* code points in a->cps once slow */
    int slow;      /* the token has a non-ASCII character: built in cps */
    int full;      /* cps is full: later characters are dropped */
    int has_digit; /* an ASCII digit: not stemmed */
} tokbuf;

static size_t run_stemmer(dc_analyzer *a, const char *term, size_t len, char *dst, size_t room);

dc_rc dc_analyzer_new(dc_analyzer **out)
{
    if (!out) return DC_MISUSE;
    *out = NULL;
    dc_analyzer *a = calloc(1, sizeof *a);
    if (!a) return DC_NOMEM;
    a->stemmer = english_UTF_8_create_env();
    char check[DC_TERM_MAX + 1];
    if (!a->stemmer || cache_make(a, CACHE_FIRST) != DC_OK ||
        run_stemmer(a, "negotiations", 12, check, sizeof check) != 6 ||
        memcmp(check, "negoti", 6) != 0) {
        dc_analyzer_free(a);
        return DC_NOMEM;
    }
    *out = a;
    return DC_OK;
}

void dc_analyzer_free(dc_analyzer *a)
{
    if (!a) return;
    if (a->stemmer) english_UTF_8_close_env(a->stemmer);
    free(a->cache_base);
    free(a);
}

/* The class of a non-ASCII code point. */
static unsigned cp_class(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x2019: /* right single quotation mark */
    case 0x02BC: /* modifier letter apostrophe */
        return C_APOS;
    case 0x2010: /* hyphen */
    case 0x2011: /* non-breaking hyphen */
    case 0x2012: /* figure dash */
    case 0x2013: /* en dash */
        return C_DASH;
    case 0x200B: /* zero width space: default-ignorable, but a space */
        return C_SEP;
    default:
        break;
    }
    const utf8proc_property_t *pr = utf8proc_get_property(cp);
    switch (pr->category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
            (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
            (cp >= 0x20000 && cp <= 0x3FFFF))
            return C_IDEO;
        return C_LETTER;
    case UTF8PROC_CATEGORY_ND:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return C_NUM;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    default:
        return pr->ignorable ? C_IGNORE : C_SEP;
    }
}

/* The class of the character at s[i] (C_SEP at or past the end), its code
 * point and its length in bytes (an invalid byte is a 1-byte C_SEP). */
static inline unsigned class_at(const unsigned char *s, size_t i, size_t len,
                                utf8proc_int32_t *cp, size_t *n)
{
    if (i >= len) {
        *cp = 0;
        *n = 0;
        return C_SEP;
    }
    if (s[i] < 0x80) {
        *cp = s[i];
        *n = 1;
        return ascii_class[s[i]];
    }
    unsigned u;
    size_t k = dc_utf8_decode((const char *)s + i, len - i, &u);
    if (k == 0) {
        *cp = 0;
        *n = 1;
        return C_SEP;
    }
    *cp = (utf8proc_int32_t)u;
    *n = k;
    return cp_class(*cp);
}

/* Appends an ASCII byte (already folded) to the token. */
static inline void put_ascii(dc_analyzer *a, tokbuf *t, unsigned char c)
{
    if (!t->slow) {
        if (t->len < DC_TERM_MAX) a->term[t->len++] = (char)c;
    } else if (t->ncp < CP_MAX) {
        a->cps[t->ncp++] = c;
    } else {
        t->full = 1;
    }
}

/* Appends the folding of a non-ASCII letter or digit: switches the token
 * to code points if needed, decomposes cp into a->cps and keeps only the
 * letters and numbers of the result (compatibility decompositions such as
 * "⑴" → "(1)" bring punctuation).  When a->cps is full the character is
 * dropped: the term is truncated, as promised, well past DC_TERM_MAX. */
static void put_cp(dc_analyzer *a, tokbuf *t, utf8proc_int32_t cp)
{
    if (!t->slow) {
        for (size_t i = 0; i < t->len; i++) a->cps[i] = (unsigned char)a->term[i];
        t->ncp = t->len;
        t->slow = 1;
    }
    if (t->full) return;
    utf8proc_ssize_t room = (utf8proc_ssize_t)(CP_MAX - t->ncp);
    int boundclass = 0;
    utf8proc_ssize_t n =
        utf8proc_decompose_char(cp, a->cps + t->ncp, room, FOLD_OPTS, &boundclass);
    if (n < 0) return;
    if (n > room) {
        t->full = 1;
        return;
    }
    size_t kept = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_int32_t c = a->cps[t->ncp + (size_t)i];
        unsigned cls = c < 0x80 ? ascii_class[c] : cp_class(c);
        if (IS_WORD(cls) || cls == C_IDEO) {
            if (c >= 'A' && c <= 'Z') c |= 0x20;
            if (c >= '0' && c <= '9') t->has_digit = 1;
            a->cps[t->ncp + kept++] = c;
        }
    }
    t->ncp += kept;
}

/* Recomposes a slow token and encodes it into a->term, truncated at a
 * character boundary to DC_TERM_MAX bytes.  Returns its length. */
static size_t finish_slow(dc_analyzer *a, tokbuf *t)
{
    utf8proc_ssize_t n = (utf8proc_ssize_t)t->ncp;
    if (n > 1) {
        n = utf8proc_normalize_utf32(a->cps, n,
                                     (utf8proc_option_t)(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
        if (n < 0) n = (utf8proc_ssize_t)t->ncp;
    }
    size_t len = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_encode_char(a->cps[i], enc);
        if (k <= 0) continue;
        if (len + (size_t)k > DC_TERM_MAX) break;
        memcpy(a->term + len, enc, (size_t)k);
        len += (size_t)k;
    }
    return len;
}

/* FNV-1a: terms are short; this is cheaper than the stemmer by far. */
static inline uint32_t term_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Stems term[0..len) with libstemmer into dst (room for DC_TERM_MAX + 1
 * bytes), NUL-terminated; a stem that would not fit is replaced by the
 * term.  Returns the stem's length, or 0 when the stemmer is out of
 * memory. */
static size_t run_stemmer(dc_analyzer *a, const char *term, size_t len, char *dst, size_t room)
{
    if (SN_set_current(a->stemmer, (int)len, (const unsigned char *)term) != 0 ||
        english_UTF_8_stem(a->stemmer) < 0)
        return 0;
    const sn_head *z = (const sn_head *)a->stemmer;
    const unsigned char *r = z->p;
    int rl = z->l;
    if (!r || rl <= 0 || (size_t)rl >= room) {
        r = (const unsigned char *)term;
        rl = (int)len;
    }
    memmove(dst, r, (size_t)rl);
    dst[rl] = '\0';
    return (size_t)rl;
}

/* The stem of term[0..len) (1 <= len <= DC_TERM_MAX), has_digit telling
 * whether it holds an ASCII digit.  Borrowed as dc_analyzer_stem says:
 * it lives in a->stem or in a cache slot. */
static dc_rc stem_term(dc_analyzer *a, const char *term, size_t len, int has_digit,
                       const char **stem, size_t *stem_len)
{
    if (has_digit) {
        if (term != a->stem) memmove(a->stem, term, len);
        a->stem[len] = '\0';
        *stem = a->stem;
        *stem_len = len;
        return DC_OK;
    }
    if (len > SLOT_TERM) {
        size_t n = run_stemmer(a, term, len, a->stem, sizeof a->stem);
        if (!n) return DC_NOMEM;
        *stem = a->stem;
        *stem_len = n;
        return DC_OK;
    }
    stem_slot *slot = &a->cache[term_hash(term, len) & (a->nslots - 1)];
    if (slot->len != len || memcmp(slot->term, term, len) != 0) {
        /* Growing is an optimisation: without memory, the small cache stays. */
        if (++a->misses > CACHE_GROW_AFTER * a->nslots && a->nslots < CACHE_SLOTS &&
            cache_make(a, CACHE_SLOTS) == DC_OK)
            slot = &a->cache[term_hash(term, len) & (a->nslots - 1)];
        slot->len = 0;
        size_t n = run_stemmer(a, term, len, slot->stem, sizeof slot->stem);
        if (!n) return DC_NOMEM;
        slot->stem_len = (unsigned char)n;
        memmove(slot->term, term, len);
        slot->len = (unsigned char)len;
    }
    *stem = slot->stem;
    *stem_len = slot->stem_len;
    return DC_OK;
}

static int has_ascii_digit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned)(s[i] - '0') < 10) return 1;
    return 0;
}

dc_rc dc_analyzer_stem(dc_analyzer *a, const char *term, size_t len, const char **stem,
                       size_t *stem_len)
{
    if (stem) *stem = NULL;
    if (stem_len) *stem_len = 0;
    if (!a || !term || !stem || !stem_len || len == 0 || len > DC_TERM_MAX) return DC_MISUSE;
    dc_rc rc = stem_term(a, term, len, has_ascii_digit(term, len), stem, stem_len);
    if (rc) *stem = NULL, *stem_len = 0;
    return rc;
}

int dc_analyzer_may_stem_to(const char *term, size_t len, const char *stem, size_t stem_len)
{
    size_t k = stem_len ? stem_len - 1 : 0;
    if (k >= 2 && stem[k - 1] == 'i') k--;
    return len >= k && memcmp(term, stem, k) == 0;
}

/* The emitting state of one dc_analyze call. */
typedef struct emitter {
    dc_analyzer *a;
    unsigned pos, flags;
    dc_token_cb cb;
    void *ctx;
} emitter;

/* Finishes the token t spanning [start, end) and passes it to the
 * callback, unless it folded to nothing.  DC_LIMIT when positions run
 * out; otherwise the stemmer's or the callback's code. */
static inline __attribute__((always_inline)) dc_rc emit(emitter *e, tokbuf *t, size_t start,
                                                        size_t end)
{
    dc_analyzer *a = e->a;
    size_t len = t->slow ? finish_slow(a, t) : t->len;
    if (len == 0) return DC_OK;
    if (e->pos == UINT_MAX) return DC_LIMIT;
    a->term[len] = '\0';
    dc_token tok = {a->term, len, NULL, 0, start, end, e->pos};
    if (e->flags & DC_ANALYZE_STEM) {
        /* A digit may have been cut off with the end of a long token. */
        int digit = t->has_digit && (len < DC_TERM_MAX - 3 || has_ascii_digit(a->term, len));
        dc_rc rc = stem_term(a, a->term, len, digit, &tok.stem, &tok.stem_len);
        if (rc) return rc;
    }
    e->pos++;
    return e->cb(e->ctx, &tok);
}

/* Appends the letter or digit cp of class cls, folded. */
static inline void put_char(dc_analyzer *a, tokbuf *t, utf8proc_int32_t cp, unsigned cls)
{
    if (cp < 0x80) {
        if (cls == C_DIGIT) t->has_digit = 1;
        put_ascii(a, t, (unsigned char)(cp | (cls == C_LETTER ? 0x20 : 0)));
    } else {
        put_cp(a, t, cp);
    }
}

#ifdef __SSE2__
/* The length of the run of ASCII letters and digits at s[0..16), written
 * folded to out[0..16) (bytes past the run too: out has room); *dig set
 * when the run holds a digit.  The same folding as ascii_fold: bit 0x20
 * set on letters, digits as they are, and no byte above 0x7F is either
 * (they compare below '0' as signed bytes). */
static inline unsigned ascii_run16(const unsigned char *s, char *out, unsigned *dig)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s), alpha, digit;
    dc_sse_alnum(v, &alpha, &digit);
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(alpha, digit));
    unsigned k = (unsigned)__builtin_ctz(~m); /* at most 16: ~m has bit 16 set */
    _mm_storeu_si128((__m128i *)(void *)out,
                     _mm_or_si128(v, _mm_and_si128(alpha, _mm_set1_epi8(0x20))));
    *dig = ((unsigned)_mm_movemask_epi8(digit) & ((1u << k) - 1)) != 0;
    return k;
}
#endif

/*
 * Builds the word starting at s[i] (a letter or digit) into t and returns
 * the offset just past it.  The joiner rules of the header are decided
 * here by looking at most two characters ahead.
 */
static size_t scan_word(dc_analyzer *a, tokbuf *t, const unsigned char *s, size_t len, size_t i)
{
    unsigned last = C_SEP; /* class of the last letter or digit taken */
    for (;;) {
        size_t i0 = i;
        unsigned char f;
        if (!t->slow) {
            /* The hot loop: no branch but the loop's.  Bytes past
             * DC_TERM_MAX all land in a->term[DC_TERM_MAX], the slot of
             * the terminator. */
            size_t tl = t->len;
            unsigned dig = 0;
#ifdef __SSE2__
            /* A word's first 16 bytes at once: most words end within them
             * (the loop below then stops at once). */
            if (tl == 0 && len - i >= 16) {
                unsigned k = ascii_run16(s + i, a->term, &dig);
                tl = k, i += k;
            }
#endif
            while (i < len && (f = ascii_fold[s[i]]) != 0) {
                a->term[tl] = (char)f;
                tl += tl < DC_TERM_MAX;
                dig |= (unsigned)(f - '0') < 10;
                i++;
            }
            t->len = tl;
            t->has_digit |= (int)dig;
        } else {
            while (i < len && (f = ascii_fold[s[i]]) != 0) {
                put_ascii(a, t, f);
                t->has_digit |= (unsigned)(f - '0') < 10;
                i++;
            }
        }
        if (i > i0) last = ascii_class[s[i - 1]];
        utf8proc_int32_t cp, cp2;
        size_t n, n2, n3;
        unsigned c = class_at(s, i, len, &cp, &n), c2, c3;
        switch (c) {
        case C_LETTER:
        case C_DIGIT:
        case C_NUM:
            put_cp(a, t, cp);
            last = c;
            i += n;
            break;
        case C_MARK:
        case C_IGNORE:
            i += n;
            break;
        case C_APOS:
            if (last != C_LETTER || class_at(s, i + n, len, &cp2, &n2) != C_LETTER) return i;
            put_ascii(a, t, '\'');
            last = C_APOS;
            i += n;
            break;
        case C_JOIN:
        case C_DASH:
            if (last != C_DIGIT) return i;
            c2 = class_at(s, i + n, len, &cp2, &n2);
            if (c2 == C_DIGIT) {
                put_ascii(a, t, c == C_DASH ? '-' : s[i]);
                last = C_JOIN;
                i += n;
                break;
            }
            if (c != C_DASH || c2 != C_LETTER) return i;
            c3 = class_at(s, i + n + n2, len, &cp, &n3);
            if (IS_WORD(c3) || c3 == C_IDEO || c3 == C_MARK || c3 == C_IGNORE) return i;
            put_ascii(a, t, '-');
            put_char(a, t, cp2, c2);
            return i + n + n2;
        default:
            return i;
        }
    }
}

dc_rc dc_analyze(dc_analyzer *a, const char *text, size_t len, unsigned first_pos,
                 unsigned flags, dc_token_cb cb, void *ctx, unsigned *next_pos)
{
    if (next_pos) *next_pos = first_pos;
    if (!a || !cb || (!text && len)) return DC_MISUSE;
    const unsigned char *s = (const unsigned char *)text;
    emitter e = {a, first_pos, flags, cb, ctx};
    dc_rc rc = DC_OK;
    size_t i = 0;
    while (i < len && rc == DC_OK) {
#ifdef __SSE2__
        /* The common case 16 bytes at a time: ASCII separators skipped
         * at once, and a word of ASCII letters and digits that ends
         * within them at a plain separator (none of the joiners' nor a
         * byte above 0x7F, which could go on with it) emitted as
         * scan_word would build it; everything else goes the general
         * way below. */
        if (len - i >= 16 && !(flags & DC_ANALYZE_GENERAL)) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i)), alpha, digit;
            dc_sse_alnum(v, &alpha, &digit);
            unsigned w = (unsigned)_mm_movemask_epi8(_mm_or_si128(alpha, digit));
            if (!(w & 1)) {
                unsigned stop = w | (unsigned)_mm_movemask_epi8(v); /* alnum or non-ASCII */
                if (!(stop & 1)) {
                    i += stop ? (unsigned)__builtin_ctz(stop) : 16;
                    continue;
                }
            } else {
                /* k is at most 16; at 16, end is s[i], a letter or digit */
                unsigned dig, k = ascii_run16(s + i, a->term, &dig);
                unsigned char end = s[i + (k & 15)];
                if (end < 0x80 && ascii_class[end] == C_SEP) {
                    tokbuf t = {k, 0, 0, 0, (int)dig};
                    rc = emit(&e, &t, i, i + k);
                    i += k + 1;
                    continue;
                }
            }
        }
#endif
        if (s[i] < 0x80 && !ascii_fold[s[i]]) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        size_t n;
        unsigned c = class_at(s, i, len, &cp, &n);
        tokbuf t = {0, 0, 0, 0, 0};
        if (c == C_IDEO) {
            put_cp(a, &t, cp);
            rc = emit(&e, &t, i, i + n);
            i += n;
        } else if (IS_WORD(c)) {
            size_t end = scan_word(a, &t, s, len, i);
            rc = emit(&e, &t, i, end);
            i = end;
        } else {
            i += n;
        }
    }
    if (next_pos) *next_pos = e.pos;
    return rc;
}
