/* Unit tests: src/analysis (tokens, offsets, positions, folding, stems). */
#include <limits.h>
#include <stdlib.h>

#include <libstemmer.h>

#include "analysis/analysis.h"
#include "test.h"
#include "util/util_int.h"

/* Tokens rendered as "term start end @pos" joined by " | ". */
typedef struct collected {
    dc_buf out;
    unsigned n;
    int stems_ok; /* every token's stem equals dc_analyzer_stem's */
    dc_analyzer *a;
} collected;

static dc_rc collect(void *ctx, const dc_token *t)
{
    collected *c = ctx;
    if (c->n++) dc_buf_puts(&c->out, " | ");
    dc_buf_printf(&c->out, "%s %zu %zu @%u", t->term, t->start, t->end, t->pos);
    if (t->len != strlen(t->term) || t->len == 0 || t->len > DC_TERM_MAX) c->stems_ok = 0;
    if (t->stem) {
        char *copy = dc_strndup(t->stem, t->stem_len);
        const char *s;
        size_t sl;
        if (!copy || dc_analyzer_stem(c->a, t->term, t->len, &s, &sl) != DC_OK ||
            strcmp(s, copy) != 0)
            c->stems_ok = 0;
        free(copy);
    }
    return c->out.rc;
}

/* Analyzes text[0..len) from first_pos with flags and returns the
 * rendering (owned). */
static char *tokens_flags(dc_analyzer *a, const char *text, size_t len, unsigned first_pos,
                          unsigned flags)
{
    collected c = {{0}, 0, 1, a};
    dc_buf_init(&c.out, 0);
    dc_buf_puts(&c.out, "");
    unsigned next = 0;
    dc_rc rc = dc_analyze(a, text, len, first_pos, flags, collect, &c, &next);
    CHECK_INT(rc, DC_OK);
    CHECK_INT(next, first_pos + c.n);
    CHECK(c.stems_ok);
    return dc_buf_detach(&c.out);
}

static char *tokens_n(dc_analyzer *a, const char *text, size_t len, unsigned first_pos)
{
    return tokens_flags(a, text, len, first_pos, DC_ANALYZE_STEM);
}

static char *tokens(dc_analyzer *a, const char *text) { return tokens_n(a, text, strlen(text), 0); }

#define CHECK_TOKENS(a, text, expected)                                                   \
    do {                                                                                  \
        char *got_ = tokens(a, text);                                                     \
        CHECK_STR(got_, expected);                                                        \
        free(got_);                                                                       \
    } while (0)

/* Terms only, space-separated. */
static dc_rc collect_terms(void *ctx, const dc_token *t)
{
    dc_buf *b = ctx;
    if (b->len) dc_buf_putc(b, ' ');
    dc_buf_add(b, t->term, t->len);
    return b->rc;
}

static char *terms(dc_analyzer *a, const char *text)
{
    dc_buf b;
    dc_buf_init(&b, 0);
    dc_buf_puts(&b, "");
    CHECK_INT(dc_analyze(a, text, strlen(text), 0, 0, collect_terms, &b, NULL), DC_OK);
    return dc_buf_detach(&b);
}

#define CHECK_TERMS(a, text, expected)                                                    \
    do {                                                                                  \
        char *got_ = terms(a, text);                                                      \
        CHECK_STR(got_, expected);                                                        \
        free(got_);                                                                       \
    } while (0)

static char *read_seed(const char *name, size_t *len)
{
    const char *dir = getenv("DC_CORPUS");
    char path[1024];
    snprintf(path, sizeof path, "%s/seeds/%s", dir ? dir : "samples", name);
    char *text = NULL;
    dc_error err;
    if (dc_read_file(path, 1 << 20, &text, len, &err) != DC_OK) {
        fprintf(stderr, "cannot read %s: %s\n", path, err.msg);
        return NULL;
    }
    return text;
}

/*
 * Finds snippet in the seed text, checks its tokens (offsets relative to
 * the snippet, positions from 100), and checks that analyzing the whole
 * file yields the same terms at the same offsets with consecutive
 * positions.
 */
static void check_seed_snippet(dc_analyzer *a, const char *text, size_t len, const char *snippet,
                               const char *expected)
{
    const char *at = strstr(text, snippet);
    CHECK(at != NULL);
    if (!at) {
        fprintf(stderr, "snippet not found: %s\n", snippet);
        return;
    }
    char *got = tokens_n(a, at, strlen(snippet), 100);
    CHECK_STR(got, expected);
    free(got);

    /* The whole file: the tokens inside the snippet, shifted back. */
    char *all = tokens_n(a, text, len, 0);
    size_t off = (size_t)(at - text), end = off + strlen(snippet);
    dc_buf sub;
    dc_buf_init(&sub, 0);
    dc_buf_puts(&sub, "");
    unsigned first = 0, k = 0;
    for (char *line = all; line && *line;) {
        char *sep = strstr(line, " | ");
        size_t n = sep ? (size_t)(sep - line) : strlen(line);
        char term[128];
        size_t s, e;
        unsigned pos;
        if (n < sizeof term) {
            memcpy(term, line, n);
            term[n] = '\0';
            char *t2 = strchr(term, ' ');
            if (t2 && sscanf(t2, " %zu %zu @%u", &s, &e, &pos) == 3 && s >= off && e <= end) {
                *t2 = '\0';
                if (k == 0) first = pos;
                CHECK_INT(pos, first + k);
                if (k++) dc_buf_puts(&sub, " | ");
                dc_buf_printf(&sub, "%s %zu %zu @%u", term, s - off, e - off, pos - first + 100);
            }
        }
        line = sep ? sep + 3 : NULL;
    }
    CHECK_STR(sub.p, expected);
    dc_buf_release(&sub);
    free(all);
}

static void test_seeds(dc_analyzer *a)
{
    size_t len;
    char *t = read_seed("000_5785f422be2d1253.txt", &len);
    CHECK(t != NULL);
    if (t) {
        check_seed_snippet(a, t, len, "NSC Action No. 2102–b",
                           "nsc 0 3 @100 | action 4 10 @101 | no 11 13 @102 | "
                           "2102-b 15 23 @103");
        check_seed_snippet(a, t, len, "The President’s Committee",
                           "the 0 3 @100 | president's 4 17 @101 | committee 18 27 @102");
        check_seed_snippet(a, t, len, "Mr. Fred C. Scribner, Jr., for",
                           "mr 0 2 @100 | fred 4 8 @101 | c 9 10 @102 | scribner 12 20 @103 | "
                           "jr 22 24 @104 | for 27 30 @105");
        check_seed_snippet(a, t, len, "the U.S. Government;",
                           "the 0 3 @100 | u 4 5 @101 | s 6 7 @102 | government 9 19 @103");
        check_seed_snippet(a, t, len, "1. Long-Range Objective:",
                           "1 0 1 @100 | long 3 7 @101 | range 8 13 @102 | objective 14 23 @103");
        check_seed_snippet(a, t, len, "[Page 572]", "page 1 5 @100 | 572 6 9 @101");
        check_seed_snippet(a, t, len, "enclosed herewith as NSC 5907;",
                           "enclosed 0 8 @100 | herewith 9 17 @101 | as 18 20 @102 | "
                           "nsc 21 24 @103 | 5907 25 29 @104");
        check_seed_snippet(a, t, len, "Neutral Nations Supervisory Commission",
                           "neutral 0 7 @100 | nations 8 15 @101 | supervisory 16 27 @102 | "
                           "commission 28 38 @103");
        check_seed_snippet(a, t, len, "paragraph 5–g of NSC",
                           "paragraph 0 9 @100 | 5-g 10 15 @101 | of 16 18 @102 | "
                           "nsc 19 22 @103");
        /* In the raw text footnote marker 13 is glued on: "NSC 5429/5.13"
         * is one identifier until ingest separates the marker. */
        check_seed_snippet(a, t, len, "NSC 5429/5.13", "nsc 0 3 @100 | 5429/5.13 4 13 @101");
        free(t);
    }
    t = read_seed("003_a557502f17c5b6b3.txt", &len);
    CHECK(t != NULL);
    if (t) {
        check_seed_snippet(a, t, len, "795.00/10–750", "795.00/10-750 0 15 @100");
        check_seed_snippet(a, t, len, "asking Engen’s opinion",
                           "asking 0 6 @100 | engen's 7 16 @101 | opinion 17 24 @102");
        free(t);
    }
    t = read_seed("001_5ebef3754071e70a.txt", &len);
    CHECK(t != NULL);
    if (t) {
        check_seed_snippet(a, t, len, "IN US-ROK SECURITY",
                           "in 0 2 @100 | us 3 5 @101 | rok 6 9 @102 | security 10 18 @103");
        free(t);
    }
}

/* Counts the tokens whose stem does not begin with the token's first
 * byte, or that dc_analyzer_may_stem_to says cannot have their own stem
 * (snippets stem only the tokens that pass both tests). */
typedef struct first_letter {
    size_t tokens, changed, refused;
} first_letter;

static dc_rc on_first_letter(void *ctx, const dc_token *t)
{
    first_letter *f = ctx;
    f->tokens++;
    if (t->stem_len == 0 || t->stem[0] != t->term[0]) {
        if (f->changed++ < 5) fprintf(stderr, "stem %s of %s\n", t->stem, t->term);
    }
    if (!dc_analyzer_may_stem_to(t->term, t->len, t->stem, t->stem_len)) {
        if (f->refused++ < 5) fprintf(stderr, "may_stem_to refuses %s for %s\n", t->stem, t->term);
    }
    return DC_OK;
}

/* Snowball English keeps a word's first letter: every token of a whole
 * FRUS volume and of the FRUS history monograph (markup included), and
 * of the seeds. */
static void test_first_letter(dc_analyzer *a)
{
    const char *dir = getenv("DC_TEST_CORPUS");
    const char *files[] = {"volumes/frus1917-72PubDip.xml", "frus-history/monograph/frus-history.xml"};
    first_letter f = {0};
    char *text = NULL;
    size_t len = 0;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data/corpus", files[i]);
        dc_error err;
        CHECK_INT(dc_read_file(path, 64 << 20, &text, &len, &err), DC_OK);
        if (text)
            CHECK_INT(dc_analyze(a, text, len, 0, DC_ANALYZE_STEM, on_first_letter, &f, NULL),
                      DC_OK);
        free(text);
    }
    const char *seeds[] = {"000_5785f422be2d1253.txt", "001_5ebef3754071e70a.txt",
                           "003_a557502f17c5b6b3.txt"};
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
        text = read_seed(seeds[i], &len);
        CHECK(text != NULL);
        if (text) CHECK_INT(dc_analyze(a, text, len, 0, DC_ANALYZE_STEM, on_first_letter, &f, NULL), DC_OK);
        free(text);
    }
    CHECK(f.tokens > 300000);
    CHECK_INT(f.changed, 0);
    CHECK_INT(f.refused, 0);
    /* The stemmer's exceptions and rewritten ends (y made i, e added,
     * suffixes folded) */
    const char *odd[] = {"dying",   "lying",  "tying",      "skies",      "skis",   "ugly",
                         "early",   "only",   "gently",     "singly",     "idly",   "news",
                         "yelling", "ies",    "y",          "ied",        "sses",   "s",
                         "cry",     "cries",  "cried",      "hoping",     "agreed", "happily",
                         "replies", "dyed",   "eyes",       "ties",       "tied",   "dies",
                         "lied",    "flying", "generously", "emergencies"};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        const char *stem = NULL;
        size_t n = 0, len = strlen(odd[i]);
        CHECK_INT(dc_analyzer_stem(a, odd[i], len, &stem, &n), DC_OK);
        CHECK(stem && n > 0 && stem[0] == odd[i][0]);
        CHECK(stem && dc_analyzer_may_stem_to(odd[i], len, stem, n));
    }
    /* ... and it refuses what cannot stem so */
    CHECK(!dc_analyzer_may_stem_to("policy", 6, "govern", 6));
    CHECK(!dc_analyzer_may_stem_to("go", 2, "govern", 6));
    CHECK(dc_analyzer_may_stem_to("dying", 5, "die", 3));
    CHECK(dc_analyzer_may_stem_to("governments", 11, "govern", 6));
}

static void test_rules(dc_analyzer *a)
{
    /* Identifiers. */
    CHECK_TOKENS(a, "795.00/10–750", "795.00/10-750 0 15 @0");
    CHECK_TOKENS(a, "NSC 5429/5", "nsc 0 3 @0 | 5429/5 4 10 @1");
    CHECK_TOKENS(a, "2102–b.", "2102-b 0 8 @0");
    CHECK_TOKENS(a, "25X1", "25x1 0 4 @0");
    CHECK_TERMS(a, "711.5/7-961 Lot 63 D 351", "711.5/7-961 lot 63 d 351");
    CHECK_TERMS(a, "1950–1953 3.5 10..20 1/ /2 a.1", "1950-1953 3.5 10 20 1 2 a 1");
    CHECK_TERMS(a, "5–g(2) 1950-style 12-ab 2102-b-c", "5-g 2 1950 style 12 ab 2102-b c");
    CHECK_TERMS(a, "7‐9 7‑9 7‒9 7—9", "7-9 7-9 7-9 7 9"); /* U+2010..2012; em dash splits */
    /* Words. */
    CHECK_TERMS(a, "long-range U.S. NSC-5907", "long range u s nsc 5907");
    CHECK_TERMS(a, "President’s don't Koreans’ 'tis rock'n'roll ʼokina",
                "president's don't koreans tis rock'n'roll okina");
    CHECK_TERMS(a, "Scribner, Jr.", "scribner jr");
    CHECK_TERMS(a, "snake_case e-mail x+y", "snake case e mail x y");
    /* Folding. */
    CHECK_TOKENS(a, "Año ÉCOLE", "ano 0 4 @0 | ecole 5 11 @1");
    CHECK_TERMS(a, "e\xCC\x81" "cole Zu\xCC\x88rich", "ecole zurich"); /* decomposed input */
    CHECK_TERMS(a, "Straße ﬁle Ｋorea ΣΊΣΥΦΟΣ", "strasse file korea σισυφοσ");
    CHECK_TERMS(a, "soft\xC2\xADhyphen zero\xE2\x80\x8Bwidth", "softhyphen zero width");
    CHECK_TERMS(a, "한국어 서울", "한국어 서울"); /* Hangul recomposed */
    CHECK_TERMS(a, "漢字かな", "漢 字 か な");
    CHECK_TERMS(a, "x² ⑴", "x2 1");
    /* Nothing to index. */
    CHECK_TERMS(a, "— “” ... [ ] — –", "");
    CHECK_TERMS(a, "", "");
    /* Invalid UTF-8 separates. */
    CHECK_TOKENS(a, "ab\xFF" "cd \xE2\x80", "ab 0 2 @0 | cd 3 5 @1");
}

static void test_long_tokens(dc_analyzer *a)
{
    char text[512], want[128];
    memset(text, 'A', 200);
    text[200] = '\0';
    memset(want, 'a', DC_TERM_MAX);
    snprintf(want + DC_TERM_MAX, sizeof want - DC_TERM_MAX, " 0 200 @0");
    char *got = tokens(a, text);
    CHECK_STR(got, want); /* truncated to DC_TERM_MAX; the span is the whole run */
    free(got);

    /* A digit cut off with the end: the term is stemmed as a word. */
    for (int i = 0; i < 5; i++) memcpy(text + 12 * i, "negotiations", 12);
    memcpy(text + 60, "ings5", 6); /* 64 bytes of word, then the digit */
    const char *st;
    size_t stl;
    CHECK_INT(dc_analyzer_stem(a, text, DC_TERM_MAX, &st, &stl), DC_OK);
    CHECK(stl < DC_TERM_MAX); /* the test means something: the word has a stem */
    got = tokens(a, text); /* tokens() checks the stem against dc_analyzer_stem */
    free(got);
    memcpy(text + 58, "\xC3\xA9" "aings5", 9); /* the same, cut in a slow token */
    got = tokens(a, text);
    free(got);

    /* Truncation at a character boundary: 63 'x' then "é" (2 bytes). */
    memset(text, 'x', 63);
    memcpy(text + 63, "\xC3\xA9" "y", 4);
    got = terms(a, text);
    CHECK_INT(strlen(got), 64);
    CHECK(got[63] == 'e');
    free(got);
    memset(text, 'x', 63);
    memcpy(text + 63, "\xED\x95\x9C", 4); /* 한: 3 bytes do not fit */
    got = terms(a, text);
    CHECK_INT(strlen(got), 63);
    free(got);

    /* A very long non-ASCII run stays bounded. */
    for (int i = 0; i < 160; i++) memcpy(text + 3 * i, "\xED\x95\x9C", 3);
    text[480] = '\0';
    got = terms(a, text);
    CHECK_INT(strlen(got), 63);
    free(got);
    /* Digits joined past the cap. */
    for (int i = 0; i < 100; i++) text[i] = (char)(i % 2 ? '.' : '1');
    text[99] = '1';
    text[100] = '\0';
    got = tokens(a, text);
    CHECK(strncmp(got, "1.1.1", 5) == 0 && strstr(got, " 0 100 @0") != NULL);
    free(got);
}

static void test_stems(dc_analyzer *a)
{
    static const char *const pairs[][2] = {
        {"armistice", "armistic"}, {"negotiations", "negoti"}, {"president's", "presid"},
        {"president", "presid"},   {"koreans", "korean"},      {"running", "run"},
        {"25x1", "25x1"},          {"795.00/10-750", "795.00/10-750"},
        {"2102-b", "2102-b"},      {"ecole", "ecol"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const char *s = NULL;
        size_t sl = 0;
        CHECK_INT(dc_analyzer_stem(a, pairs[i][0], strlen(pairs[i][0]), &s, &sl), DC_OK);
        CHECK_STR(s, pairs[i][1]);
        CHECK_INT(sl, strlen(pairs[i][1]));
    }
    const char *s = "x";
    size_t sl = 1;
    CHECK_INT(dc_analyzer_stem(a, "abc", 0, &s, &sl), DC_MISUSE);
    CHECK(s == NULL && sl == 0);
    char big[DC_TERM_MAX + 2];
    memset(big, 'a', sizeof big);
    CHECK_INT(dc_analyzer_stem(a, big, DC_TERM_MAX + 1, &s, &sl), DC_MISUSE);
    CHECK_INT(dc_analyzer_stem(a, big, DC_TERM_MAX, &s, &sl), DC_OK);
    CHECK_INT(sl, DC_TERM_MAX);

    /* The stem cache never returns a stale stem: compare with libstemmer
     * over many words that collide in it, twice. */
    struct sb_stemmer *ref = sb_stemmer_new("english", NULL);
    CHECK(ref != NULL);
    int bad = 0;
    unsigned seed = 7;
    for (int round = 0; round < 2 && ref; round++) {
        seed = 7;
        for (int i = 0; i < 30000; i++) {
            char w[40];
            int n = 3 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 35;
            for (int j = 0; j < n; j++)
                w[j] = "aeioubcdgilnrstyz'"[((seed = seed * 1103515245u + 12345u) >> 16) % 18];
            static const char *const sfx[] = {"ing", "ations", "s", "ies", "ed", "ly", ""};
            const char *x = sfx[(seed >> 8) % 7];
            size_t xl = strlen(x);
            if ((size_t)n + xl < sizeof w) {
                memcpy(w + n, x, xl + 1);
                n += (int)xl;
            } else {
                w[n] = '\0';
            }
            const sb_symbol *r = sb_stemmer_stem(ref, (const sb_symbol *)w, n);
            int rl = sb_stemmer_length(ref);
            if (!r || dc_analyzer_stem(a, w, (size_t)n, &s, &sl) != DC_OK || sl != (size_t)rl ||
                memcmp(s, r, sl) != 0)
                bad++;
        }
    }
    CHECK_INT(bad, 0);
    sb_stemmer_delete(ref);
}

static dc_rc stop_at_two(void *ctx, const dc_token *t)
{
    (void)t;
    return ++*(int *)ctx == 2 ? DC_NOTFOUND : DC_OK;
}

static dc_rc count_stems(void *ctx, const dc_token *t)
{
    if (t->stem) ++*(int *)ctx;
    return DC_OK;
}

static void test_api(dc_analyzer *a)
{
    int n = 0;
    unsigned next = 0;
    CHECK_INT(dc_analyze(a, "one two three", 13, 5, 0, stop_at_two, &n, &next), DC_NOTFOUND);
    CHECK_INT(n, 2);
    CHECK_INT(next, 7);
    CHECK_INT(dc_analyze(NULL, "x", 1, 0, 0, stop_at_two, &n, &next), DC_MISUSE);
    CHECK_INT(dc_analyze(a, "x", 1, 0, 0, NULL, &n, &next), DC_MISUSE);
    CHECK_INT(dc_analyze(a, NULL, 1, 0, 0, stop_at_two, &n, &next), DC_MISUSE);
    CHECK_INT(dc_analyze(a, NULL, 0, 3, 0, stop_at_two, &n, &next), DC_OK);
    CHECK_INT(next, 3);
    /* Positions never wrap. */
    n = -100;
    CHECK_INT(dc_analyze(a, "a b c", 5, UINT_MAX - 1, 0, stop_at_two, &n, &next), DC_LIMIT);
    CHECK_INT(next, UINT_MAX);
    /* Positions continue across calls; offsets are per call. */
    char *got = tokens_n(a, "NSC 5907", 8, 41);
    CHECK_STR(got, "nsc 0 3 @41 | 5907 4 8 @42");
    free(got);
    /* Without DC_ANALYZE_STEM no stem. */
    n = 0;
    CHECK_INT(dc_analyze(a, "words here", 10, 0, 0, count_stems, &n, NULL), DC_OK);
    CHECK_INT(n, 0);
    CHECK_INT(dc_analyze(a, "words here", 10, 0, DC_ANALYZE_STEM, count_stems, &n, NULL), DC_OK);
    CHECK_INT(n, 2);
    dc_analyzer_free(NULL);
    CHECK_INT(dc_analyzer_new(NULL), DC_MISUSE);
}

/* Random bytes never crash the analyzer or break its invariants. */
static dc_rc check_invariants(void *ctx, const dc_token *t)
{
    size_t *st = ctx; /* st[0]: text length, st[1]: previous end, st[2]: expected pos */
    if (t->len == 0 || t->len > DC_TERM_MAX || strlen(t->term) != t->len) return DC_INTERNAL;
    if (t->start >= t->end || t->end > st[0] || t->start < st[1]) return DC_INTERNAL;
    if (t->pos != st[2]) return DC_INTERNAL;
    if (!dc_utf8_valid(t->term, t->len, NULL)) return DC_INTERNAL;
    st[1] = t->end;
    st[2]++;
    return DC_OK;
}

/* Writes into text (cap bytes) up to max pieces drawn at random (*seed)
 * from pieces[0..n), or as many random bytes when raw; returns its length. */
static size_t random_text(const char *const *pieces, size_t n, unsigned *seed, int max, int raw,
                          char *text, size_t cap)
{
    size_t len = 0;
    int k = (int)((*seed = *seed * 1103515245u + 12345u) >> 16) % max;
    for (int j = 0; j < k; j++) {
        *seed = *seed * 1103515245u + 12345u;
        const char *p = pieces[(*seed >> 16) % n];
        size_t pl = strlen(p);
        if (raw) {
            text[len++] = (char)(*seed >> 8);
        } else if (len + pl < cap) {
            memcpy(text + len, p, pl);
            len += pl;
        }
    }
    return len;
}

static void test_random(dc_analyzer *a)
{
    static const char *const pieces[] = {"a", "Z", "7", ".", "/", "-", "–", "—", "'", "’", " ",
                                         "é", "e\xCC\x81", "\xC2\xAD", "한", "漢", "\xFF", "\xE2",
                                         "ﬁ", "²", "ʼ", "\xF0\x9F\x98\x80", "_", "\n"};
    unsigned seed = 12345;
    int bad = 0;
    char text[300];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = random_text(pieces, sizeof pieces / sizeof pieces[0], &seed, 60, iter % 2, text,
                               sizeof text);
        size_t st[3] = {n, 0, 0};
        if (dc_analyze(a, text, n, 0, DC_ANALYZE_STEM, check_invariants, st, NULL) != DC_OK) bad++;
    }
    CHECK_INT(bad, 0);
}

/* The fast path for ASCII words gives what the general way gives: texts
 * of words, digits, every kind of separator and joiner and non-ASCII
 * letters, marks and bytes, next to one another at random. */
static void test_fast_path(dc_analyzer *a)
{
    /* clang-format off */
    static const char *const pieces[] = {
        "policy", "Eisenhower", "NSC", "5907", "1959", "a", "x7", "abcdefghijklmnop",
        "abcdefghijklmnopq", " ", "  ", ", ", ". ", ".", "/", "-", "'", "’", "–", "\n", "(", ")",
        "\"", ";", ":", "_", "é", "e\xCC\x81", "\xC2\xAD", "漢", "\xFF", "ﬁ", "²", "ʼ", "\x7F",
        "\t", "don't", "3.5", "1,000", "U.S.", "22-23", "Re-", "\xE2"};
    /* clang-format on */
    unsigned seed = 4242;
    int differ = 0;
    char text[400];
    for (int iter = 0; iter < 20000 && !differ; iter++) {
        size_t n = random_text(pieces, sizeof pieces / sizeof pieces[0], &seed, 80, 0, text,
                               sizeof text);
        for (unsigned flags = 0; flags <= DC_ANALYZE_STEM; flags++) {
            char *fast = tokens_flags(a, text, n, 0, flags);
            char *general = tokens_flags(a, text, n, 0, flags | DC_ANALYZE_GENERAL);
            if (strcmp(fast, general) != 0) {
                fprintf(stderr, "fast path differs on \"%.*s\":\n  %s\n  %s\n", (int)n, text, fast,
                        general);
                differ = 1;
            }
            free(fast);
            free(general);
        }
    }
    CHECK_INT(differ, 0);
    /* A word that ends at the 16th byte, or at a joiner, is the general way's. */
    char *got = tokens(a, "Memorandum abcdefghijklmno. Sept-ember 1959-60 U.S.'s end");
    CHECK_STR(got, "memorandum 0 10 @0 | abcdefghijklmno 11 26 @1 | sept 28 32 @2 | ember 33 38 @3"
                   " | 1959-60 39 46 @4 | u 47 48 @5 | s 49 50 @6 | s 52 53 @7 | end 54 57 @8");
    free(got);
}

int main(void)
{
    dc_analyzer *a = NULL;
    CHECK_INT(dc_analyzer_new(&a), DC_OK);
    if (!a) return TEST_DONE();
    test_seeds(a);
    test_first_letter(a);
    test_rules(a);
    test_long_tokens(a);
    test_stems(a);
    test_api(a);
    test_random(a);
    test_fast_path(a);
    dc_analyzer_free(a);
    return TEST_DONE();
}
