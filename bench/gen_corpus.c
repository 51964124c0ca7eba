/*
 * gen-corpus: writes synthetic FRUS-shaped TEI volumes of a requested total
 * size for the ingest benchmark (bench/ingest-bench).
 *
 *   gen-corpus --seed N --size-mb M --out DIR [--docs-per-volume K]
 *              [--max-volume-mb V] [--stats FILE]
 *
 * writes DIR/frus-gen0001.xml, DIR/frus-gen0002.xml, ... until at least
 * M * 10^6 bytes are written, then DIR/.manifest (seed, size, files, bytes,
 * documents).  Every number the generator draws from -- vocabulary and word
 * frequencies, sentence, paragraph and footnote lengths, paragraphs per
 * document, page-break, gap, gloss, persName and list rates, title
 * templates, source-note citations and classifications, the List of Persons
 * and List of Abbreviations -- comes from bench/corpus-stats.json, which
 * bench/corpus-stats derives from the real corpus; the few choices the
 * corpus is too small to show are marked "prior" below.
 *
 * Output is a pure function of (seed, size, docs per volume, max volume
 * size, stats file): volume v is drawn from its own xoshiro256** stream
 * seeded from (seed, v), and nothing depends on time, locale or the C
 * library's rand().  Markup follows the Office of the Historian's volumes
 * (see samples/tei/frus1958-60v18-d279.xml), including their
 * pretty-printing: about 40% of a real volume's bytes are indentation.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/banned.h"

#ifndef GEN_STATS_FILE
#define GEN_STATS_FILE "corpus-stats.json"
#endif

#define LINE_WIDTH 100 /* where text lines wrap, as in the real volumes */
#define INDENT_STEP 4  /* spaces per nesting level */
#define OUT_CHUNK (1u << 20)

/* --- random numbers: xoshiro256** seeded through splitmix64 ------------- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static uint64_t rng_below(rng *r, uint64_t n) { return n ? rng_next(r) % n : 0; }
static double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static int rng_chance(rng *r, double p) { return rng_unit(r) < p; }

/* --- weighted choice over counts ---------------------------------------- */

typedef struct table {
    size_t n;
    uint64_t *cum; /* cum[i] = count[0] + ... + count[i] */
} table;

static size_t table_pick(const table *t, rng *r)
{
    uint64_t x = rng_below(r, t->cum[t->n - 1]);
    size_t lo = 0, hi = t->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A histogram of integer values: values[i] seen count[i] times. */
typedef struct hist {
    int *values;
    table t;
    double mean;
} hist;

static int hist_pick(const hist *h, rng *r) { return h->values[table_pick(&h->t, r)]; }

/* A list of strings with weights. */
typedef struct wlist {
    char **s;
    table t;
} wlist;

static const char *wlist_pick(const wlist *w, rng *r) { return w->s[table_pick(&w->t, r)]; }

/* --- the statistics ------------------------------------------------------ */

typedef struct person {
    char *id, *sur, *full, *role, *listname;
} person;

typedef struct term {
    char *id, *abbr, *expansion;
} term;

typedef struct post {
    char *country, *capital;
} post;

typedef struct rates { /* per word, from the FRUS documents unless noted */
    double pb, gap, gloss, persname, hi, ref_body, note, list, items_per_list, quote, attachment,
        postscript, signed_share;
} rates;

typedef struct stats {
    wlist words;
    char **tail;
    size_t n_tail;
    double tail_share;
    hist sentence_words, block_words, blocks_per_doc, note_words, facs_offsets, extras_per_note;
    double comma, semicolon, colon, question;
    rates rt;
    wlist gap_extents;
    double gap_whole;
    wlist heads, from_kinds, to_kinds;
    wlist citations, classifications;
    char **extras;
    size_t n_extras;
    wlist note_kinds, stock_notes, hi_rends;
    person *persons;
    size_t n_persons;
    table person_t;
    term *terms;
    size_t n_terms;
    table term_t;
    post *posts;
    size_t n_posts;
    table post_t;
} stats;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen-corpus: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static const cJSON *jget(const cJSON *o, const char *path)
{
    /* path: keys separated by '.' */
    char key[64];
    const char *p = path;
    while (*p) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof key) die("stats: key too long");
        memcpy(key, p, n);
        key[n] = '\0';
        o = cJSON_GetObjectItemCaseSensitive(o, key);
        if (!o) die("stats file has no '%s'", path);
        p += n;
        if (*p == '.') p++;
    }
    return o;
}

static double jnum(const cJSON *o, const char *path)
{
    const cJSON *v = jget(o, path);
    if (!cJSON_IsNumber(v)) die("stats: '%s' is not a number", path);
    return v->valuedouble;
}

static void table_alloc(table *t, size_t n)
{
    if (n == 0) die("stats: an empty table");
    t->n = n;
    t->cum = xmalloc(n * sizeof *t->cum);
}

/* [[value, count], ...] with integer values. */
static void load_hist(hist *h, const cJSON *a, const char *what)
{
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (!cJSON_IsArray(a) || n == 0) die("stats: '%s' is not a histogram", what);
    table_alloc(&h->t, n);
    h->values = xmalloc(n * sizeof *h->values);
    uint64_t sum = 0;
    double wsum = 0;
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach (e, a) {
        const cJSON *v = cJSON_GetArrayItem(e, 0), *c = cJSON_GetArrayItem(e, 1);
        if (!cJSON_IsNumber(v) || !cJSON_IsNumber(c)) die("stats: bad entry in '%s'", what);
        h->values[i] = v->valueint;
        sum += (uint64_t)c->valuedouble;
        wsum += v->valuedouble * c->valuedouble;
        h->t.cum[i++] = sum;
    }
    h->mean = sum ? wsum / (double)sum : 0;
}

/* [[string, count], ...]; add is added to every count (smoothing). */
static void load_wlist(wlist *w, const cJSON *a, const char *what, int add)
{
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (!cJSON_IsArray(a) || n == 0) die("stats: '%s' is not a weighted list", what);
    table_alloc(&w->t, n);
    w->s = xmalloc(n * sizeof *w->s);
    uint64_t sum = 0;
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach (e, a) {
        const cJSON *v = cJSON_GetArrayItem(e, 0), *c = cJSON_GetArrayItem(e, 1);
        if (!cJSON_IsString(v) || !cJSON_IsNumber(c)) die("stats: bad entry in '%s'", what);
        w->s[i] = xstrdup(v->valuestring);
        sum += (uint64_t)c->valuedouble + (uint64_t)add;
        w->t.cum[i++] = sum;
    }
    if (sum == 0) die("stats: '%s' has no weight", what);
}

/* {"key": count, ...} */
static void load_wobject(wlist *w, const cJSON *o, const char *what)
{
    size_t n = (size_t)cJSON_GetArraySize(o);
    if (!cJSON_IsObject(o) || n == 0) die("stats: '%s' is not an object of counts", what);
    table_alloc(&w->t, n);
    w->s = xmalloc(n * sizeof *w->s);
    uint64_t sum = 0;
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach (e, o) {
        w->s[i] = xstrdup(e->string);
        sum += (uint64_t)e->valuedouble;
        w->t.cum[i++] = sum;
    }
}

static char **load_strings(const cJSON *a, size_t *n_out, const char *what)
{
    size_t n = (size_t)cJSON_GetArraySize(a);
    if (!cJSON_IsArray(a)) die("stats: '%s' is not a list", what);
    char **s = xmalloc(n * sizeof *s);
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach (e, a) {
        if (!cJSON_IsString(e)) die("stats: bad entry in '%s'", what);
        s[i++] = xstrdup(e->valuestring);
    }
    *n_out = n;
    return s;
}

static const char *jstr_at(const cJSON *a, int i)
{
    const cJSON *v = cJSON_GetArrayItem(a, i);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum_at(const cJSON *a, int i)
{
    const cJSON *v = cJSON_GetArrayItem(a, i);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void load_stats(stats *st, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open %s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0) die("cannot read %s", path);
    long len = ftell(f);
    if (len <= 0 || len > (64L << 20)) die("%s: unexpected size", path);
    rewind(f);
    char *buf = xmalloc((size_t)len + 1);
    if (fread(buf, 1, (size_t)len, f) != (size_t)len) die("cannot read %s", path);
    buf[len] = '\0';
    fclose(f);
    cJSON *j = cJSON_Parse(buf);
    free(buf);
    if (!j) die("%s: not JSON", path);

    load_wlist(&st->words, jget(j, "words.top"), "words.top", 0);
    st->tail = load_strings(jget(j, "words.tail"), &st->n_tail, "words.tail");
    st->tail_share = st->n_tail ? jnum(j, "words.tail_share") : 0;
    load_hist(&st->sentence_words, jget(j, "sentence_words"), "sentence_words");
    load_hist(&st->block_words, jget(j, "block_words"), "block_words");
    load_hist(&st->blocks_per_doc, jget(j, "blocks_per_doc"), "blocks_per_doc");
    load_hist(&st->note_words, jget(j, "note_words"), "note_words");
    load_hist(&st->facs_offsets, jget(j, "facs_offsets"), "facs_offsets");
    load_hist(&st->extras_per_note, jget(j, "source_notes.extras_per_note"), "extras_per_note");
    st->comma = jnum(j, "punct.comma_per_word");
    st->semicolon = jnum(j, "punct.semicolon_per_word");
    st->colon = jnum(j, "punct.colon_per_word");
    st->question = jnum(j, "punct.question_per_sentence");

    /* Markup rates come from the FRUS documents: the records of the series
     * history are encoded without gloss, persName or page breaks.  Gaps are
     * rare enough that both collections are pooled. */
    const cJSON *fr = jget(j, "per_1000_words.frus"), *all = jget(j, "per_1000_words.all");
    rates *rt = &st->rt;
    rt->pb = jnum(fr, "pb") / 1000;
    rt->gloss = jnum(fr, "gloss") / 1000;
    rt->persname = jnum(fr, "persName") / 1000;
    rt->hi = jnum(fr, "hi") / 1000;
    rt->ref_body = jnum(fr, "ref_body") / 1000;
    rt->note = jnum(fr, "note") / 1000;
    rt->quote = jnum(fr, "quote") / 1000;
    rt->attachment = jnum(fr, "attachment") / 1000;
    rt->postscript = jnum(fr, "postscript") / 1000;
    rt->signed_share = jnum(fr, "signed_share");
    rt->gap = jnum(all, "gap") / 1000;
    double lists = jnum(fr, "list"), items = jnum(fr, "item");
    double blocks = jnum(fr, "blocks"), words = jnum(fr, "words");
    rt->items_per_list = lists > 0 ? items / lists : 0;
    /* lists per block that is not a list item */
    double list_per_block = lists * words / 1000;
    double other_blocks = blocks - items * words / 1000 + list_per_block;
    rt->list = other_blocks > 0 ? list_per_block / other_blocks : 0;

    load_wlist(&st->gap_extents, jget(j, "gaps.extents"), "gaps.extents", 0);
    st->gap_whole = jnum(j, "gaps.whole_paragraph_share");
    load_wlist(&st->heads, jget(j, "heads.templates"), "heads.templates", 0);
    load_wobject(&st->from_kinds, jget(j, "heads.from_kinds"), "heads.from_kinds");
    load_wobject(&st->to_kinds, jget(j, "heads.to_kinds"), "heads.to_kinds");
    load_wlist(&st->citations, jget(j, "source_notes.citations"), "citations", 0);
    load_wlist(&st->classifications, jget(j, "source_notes.classifications"), "classifications", 0);
    st->extras =
        load_strings(jget(j, "source_notes.extra_sentences"), &st->n_extras, "extra_sentences");
    load_wobject(&st->note_kinds, jget(j, "note_kinds"), "note_kinds");
    load_wlist(&st->stock_notes, jget(j, "stock_notes"), "stock_notes", 0);
    load_wlist(&st->hi_rends, jget(j, "hi_rends"), "hi_rends", 0);

    /* persons and terms: weighted by how often FRUS documents point to
     * them, plus one so that every entry of the lists is used */
    const cJSON *a = jget(j, "persons"), *e;
    st->n_persons = (size_t)cJSON_GetArraySize(a);
    st->persons = xmalloc(st->n_persons * sizeof *st->persons);
    table_alloc(&st->person_t, st->n_persons);
    size_t i = 0;
    uint64_t sum = 0;
    cJSON_ArrayForEach (e, a) {
        person *p = &st->persons[i];
        p->id = xstrdup(jstr_at(e, 0));
        p->sur = xstrdup(jstr_at(e, 1));
        p->full = xstrdup(jstr_at(e, 2));
        p->role = xstrdup(jstr_at(e, 3));
        p->listname = xstrdup(jstr_at(e, 4));
        sum += 1 + (uint64_t)jnum_at(e, 5);
        st->person_t.cum[i++] = sum;
    }
    a = jget(j, "terms");
    st->n_terms = (size_t)cJSON_GetArraySize(a);
    st->terms = xmalloc(st->n_terms * sizeof *st->terms);
    table_alloc(&st->term_t, st->n_terms);
    i = 0;
    sum = 0;
    cJSON_ArrayForEach (e, a) {
        term *t = &st->terms[i];
        t->id = xstrdup(jstr_at(e, 0));
        t->abbr = xstrdup(jstr_at(e, 1));
        t->expansion = xstrdup(jstr_at(e, 2));
        sum += 1 + (uint64_t)jnum_at(e, 3);
        st->term_t.cum[i++] = sum;
    }
    a = jget(j, "posts");
    st->n_posts = (size_t)cJSON_GetArraySize(a);
    st->posts = xmalloc(st->n_posts * sizeof *st->posts);
    table_alloc(&st->post_t, st->n_posts);
    i = 0;
    sum = 0;
    cJSON_ArrayForEach (e, a) {
        st->posts[i].country = xstrdup(jstr_at(e, 0));
        st->posts[i].capital = xstrdup(jstr_at(e, 1));
        sum += 1 + (uint64_t)jnum_at(e, 2);
        st->post_t.cum[i++] = sum;
    }
    cJSON_Delete(j);
}

/* --- output: a buffered file that tracks the column for line wrapping --- */

typedef struct out {
    FILE *f;
    char *buf;
    size_t len;
    uint64_t bytes; /* written to this file, buffered included */
    int col;        /* column of the next byte */
    int depth;      /* indentation level of the current line */
} out;

static void o_flush(out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        die("write failed: %s", strerror(errno));
    o->len = 0;
}

static void o_mem(out *o, const char *s, size_t n)
{
    if (o->len + n > OUT_CHUNK) o_flush(o);
    if (n > OUT_CHUNK) {
        if (fwrite(s, 1, n, o->f) != n) die("write failed: %s", strerror(errno));
    } else {
        memcpy(o->buf + o->len, s, n);
        o->len += n;
    }
    o->bytes += n;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            o->col = 0;
        else if (((unsigned char)s[i] & 0xc0) != 0x80)
            o->col++;
    }
}

static void o_str(out *o, const char *s) { o_mem(o, s, strlen(s)); }

static void o_fmt(out *o, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) die("internal: formatted output too long");
    o_mem(o, tmp, (size_t)n);
}

/* Text with & < > escaped. */
static void o_esc(out *o, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
        if (!rep) continue;
        o_mem(o, run, (size_t)(s - run));
        o_str(o, rep);
        run = s + 1;
    }
    o_mem(o, run, (size_t)(s - run));
}

/* A new line indented to the current depth. */
static void o_nl(out *o)
{
    static const char spaces[] = "                                                                "
                                 "                                                                ";
    int n = o->depth * INDENT_STEP;
    if (n > (int)sizeof spaces - 1) n = (int)sizeof spaces - 1;
    o_mem(o, "\n", 1);
    o_mem(o, spaces, (size_t)n);
}

/* The space between two words of running text: a line break once the line
 * is full, as the pretty-printed volumes do (the ingester collapses both). */
static void o_space(out *o, size_t next_len)
{
    if (o->col + (int)next_len >= LINE_WIDTH)
        o_nl(o);
    else
        o_mem(o, " ", 1);
}

/* --- dates ---------------------------------------------------------------- */

static const char *const MONTHS[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

typedef struct ymd {
    int y, m, d;
} ymd;

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static ymd civil(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    ymd r;
    r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    r.y = (int)(yoe + era * 400 + (r.m <= 2));
    return r;
}

static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static const char *roman(int n, char *buf, size_t cap)
{
    static const int val[] = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};
    static const char *const sym[] = {"M",  "CM", "D",  "CD", "C",  "XC", "L",
                                      "XL", "X",  "IX", "V",  "IV", "I"};
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < 13 && n > 0; i++) {
        while (n >= val[i] && len + 3 < cap) {
            size_t k = strlen(sym[i]);
            memcpy(buf + len, sym[i], k + 1);
            len += k;
            n -= val[i];
        }
    }
    return buf;
}

/* --- the generator ----------------------------------------------------- */

typedef struct gen {
    const stats *st;
    rng r;
    out o;
    int volume;
    int doc;           /* number of the current document in the volume */
    int note;          /* number of the last footnote of the document */
    int page;          /* last page number emitted */
    int facs_offset;   /* facs - page number, fixed per volume */
    long words_to_pb;  /* words left before the next page break */
    int sentence_left; /* words left in the current sentence (0: start one) */
    long docs_total;
} gen;

enum { IN_BODY = 1, IN_NOTE = 2, IN_HEAD = 4 };

static void next_page_gap(gen *g)
{
    /* pages hold a roughly constant number of words: uniform around the
     * mean spacing the FRUS documents show */
    double mean = g->st->rt.pb > 0 ? 1.0 / g->st->rt.pb : 400;
    g->words_to_pb = (long)(mean * (0.5 + rng_unit(&g->r)));
}

static void emit_pb(gen *g)
{
    g->page++;
    o_fmt(&g->o, "<pb n=\"%d\" xml:id=\"pg_%d\" facs=\"%04d\"/>", g->page, g->page,
          g->page + g->facs_offset);
    next_page_gap(g);
}

static const char *pick_word(gen *g)
{
    const stats *st = g->st;
    if (st->n_tail && rng_chance(&g->r, st->tail_share))
        return st->tail[rng_below(&g->r, st->n_tail)];
    return wlist_pick(&st->words, &g->r);
}

static void emit_word_text(gen *g, const char *w, int capital)
{
    if (capital && w[0] >= 'a' && w[0] <= 'z') {
        char c = (char)(w[0] - 'a' + 'A');
        o_mem(&g->o, &c, 1);
        o_str(&g->o, w + 1);
    } else {
        o_str(&g->o, w);
    }
}

static void emit_gap(gen *g)
{
    const char *ext = wlist_pick(&g->st->gap_extents, &g->r);
    int source_text = strstr(ext, "line") || strstr(ext, "paragraph");
    o_str(&g->o, "[<hi rend=\"italic\">");
    o_esc(&g->o, ext);
    o_str(&g->o,
          source_text ? " of source text not declassified</hi>]" : " not declassified</hi>]");
}

static void emit_person(gen *g, const char *type)
{
    const person *p = &g->st->persons[table_pick(&g->st->person_t, &g->r)];
    o_fmt(&g->o, "<persName corresp=\"#%s\"", p->id);
    if (type) o_fmt(&g->o, " type=\"%s\"", type);
    o_str(&g->o, ">");
    /* prior: half the mentions use the surname, as "Mr. Gray" and
     * "Secretary Herter" do in the FRUS documents */
    o_esc(&g->o, (type || rng_chance(&g->r, 0.5)) ? p->full : p->sur);
    o_str(&g->o, "</persName>");
}

static void emit_words(gen *g, long n, int where);

/* One footnote at the current position. */
static void emit_note(gen *g)
{
    const stats *st = g->st;
    int n = ++g->note;
    o_fmt(&g->o, "<note n=\"%d\" xml:id=\"d%dfn%d\">", n, g->doc, n);
    const char *kind = wlist_pick(&st->note_kinds, &g->r);
    int earlier = g->doc > 1 ? 1 + (int)rng_below(&g->r, (uint64_t)(g->doc - 1)) : 0;
    if (earlier && strcmp(kind, "document") == 0) {
        o_fmt(&g->o, "<ref target=\"#d%d\">Document %d</ref>.", earlier, earlier);
    } else if (earlier && strcmp(kind, "footnote") == 0) {
        int fn = 1 + (int)rng_below(&g->r, 12);
        o_fmt(&g->o, "See <ref target=\"#d%dfn%d\">footnote %d, Document %d</ref>.", earlier, fn,
              fn, earlier);
    } else if (strcmp(kind, "external") == 0) {
        /* another volume of the series, as d237 cites frus1955-57v23p2 */
        int vol = 1 + (int)rng_below(&g->r, g->volume > 1 ? (uint64_t)g->volume : 30);
        int pg = 1 + (int)rng_below(&g->r, 900);
        char rn[32];
        o_fmt(&g->o,
              "See <ref target=\"frusgen-v%04d#pg_%d\"><hi rend=\"italic\">Foreign Relations</hi>,"
              " vol. %s, p. %d</ref>.",
              vol, pg, roman(vol, rn, sizeof rn), pg);
    } else if (strcmp(kind, "stock") == 0) {
        o_esc(&g->o, wlist_pick(&st->stock_notes, &g->r));
    } else {
        int saved = g->sentence_left;
        g->sentence_left = 0;
        emit_words(g, hist_pick(&st->note_words, &g->r), IN_NOTE);
        g->sentence_left = saved;
    }
    o_str(&g->o, "</note>");
}

/* n words of running text with inline markup.  Notes only IN_BODY; page
 * breaks only outside notes and heads. */
static void emit_words(gen *g, long n, int where)
{
    const stats *st = g->st;
    const rates *rt = &st->rt;
    int first = 1;
    if (n < 1) n = 1;
    for (long i = 0; i < n; i++) {
        int start = g->sentence_left <= 0;
        if (start) {
            g->sentence_left = hist_pick(&st->sentence_words, &g->r);
            /* prior: half the sentences that would run past the end of
             * the paragraph end with it instead */
            if (g->sentence_left > n - i && rng_chance(&g->r, 0.5)) g->sentence_left = (int)(n - i);
        }
        if (!first) o_space(&g->o, 8);
        first = 0;
        if (where == IN_BODY && --g->words_to_pb <= 0) {
            emit_pb(g);
            o_space(&g->o, 8);
        }
        double x = rng_unit(&g->r);
        if ((x -= rt->gloss) < 0) {
            const term *t = &st->terms[table_pick(&st->term_t, &g->r)];
            o_fmt(&g->o, "<gloss target=\"#%s\">", t->id);
            o_esc(&g->o, t->abbr);
            o_str(&g->o, "</gloss>");
        } else if ((x -= rt->persname) < 0) {
            if (rng_chance(&g->r, 0.3)) { /* prior: "Mr. Gray" */
                o_str(&g->o, "Mr.");
                o_space(&g->o, 20);
            }
            emit_person(g, NULL);
        } else if ((x -= rt->gap * (1 - st->gap_whole)) < 0 && where != IN_HEAD) {
            emit_gap(g);
        } else if ((x -= rt->ref_body) < 0 && g->doc > 1 && where == IN_BODY) {
            int d = 1 + (int)rng_below(&g->r, (uint64_t)(g->doc - 1));
            o_fmt(&g->o, "<ref target=\"#d%d\">Document %d</ref>", d, d);
        } else if ((x -= rt->hi) < 0) {
            o_fmt(&g->o, "<hi rend=\"%s\">", wlist_pick(&st->hi_rends, &g->r));
            emit_word_text(g, pick_word(g), start);
            o_str(&g->o, "</hi>");
        } else {
            emit_word_text(g, pick_word(g), start);
        }
        if (--g->sentence_left <= 0) {
            o_str(&g->o, rng_chance(&g->r, st->question) ? "?" : ".");
        } else {
            double y = rng_unit(&g->r);
            if ((y -= st->comma) < 0)
                o_str(&g->o, ",");
            else if ((y -= st->semicolon) < 0)
                o_str(&g->o, ";");
            else if ((y -= st->colon) < 0)
                o_str(&g->o, ":");
        }
        if (where == IN_BODY && rng_chance(&g->r, rt->note)) emit_note(g);
    }
    if (g->sentence_left > 0) {
        o_str(&g->o, ".");
        g->sentence_left = 0;
    }
}

static void open_line(gen *g, const char *tag)
{
    o_nl(&g->o);
    o_str(&g->o, tag);
}

static void emit_paragraph(gen *g, const char *open, const char *close)
{
    open_line(g, open);
    g->o.depth++;
    g->sentence_left = 0;
    emit_words(g, hist_pick(&g->st->block_words, &g->r), IN_BODY);
    g->o.depth--;
    o_str(&g->o, close);
}

/* One block: a paragraph, a list, a block quote or a withheld paragraph.
 * Returns how many blocks (paragraphs or list items) it used. */
static int emit_block(gen *g)
{
    const stats *st = g->st;
    const rates *rt = &st->rt;
    double whole_gap = rt->gap * st->gap_whole * st->block_words.mean;
    if (rng_chance(&g->r, whole_gap)) {
        open_line(g, "<p>");
        emit_gap(g);
        o_str(&g->o, "</p>");
        return 1;
    }
    if (rt->items_per_list > 0 && rng_chance(&g->r, rt->list)) {
        int max = (int)(2 * rt->items_per_list + 0.5) - 2;
        int items = 2 + (max > 0 ? (int)rng_below(&g->r, (uint64_t)max + 1) : 0);
        int labels = rng_chance(&g->r, 0.5); /* prior: d35 labels, d279 does not */
        open_line(g, "<list>");
        g->o.depth++;
        for (int i = 0; i < items; i++) {
            if (labels) {
                char lab[32];
                snprintf(lab, sizeof lab, "<label>%d.</label>", i + 1);
                open_line(g, lab);
            }
            emit_paragraph(g, "<item>", "</item>");
        }
        g->o.depth--;
        open_line(g, "</list>");
        return items;
    }
    if (rng_chance(&g->r, rt->quote * st->block_words.mean)) {
        open_line(g, "<quote rend=\"blockquote\">");
        g->o.depth++;
        emit_paragraph(g, "<p>", "</p>");
        g->o.depth--;
        open_line(g, "</quote>");
        return 1;
    }
    emit_paragraph(g, "<p>", "</p>");
    return 1;
}

/* "Secretary of State Rusk", "the Embassy in Korea", "George V. Allen
 * (Director, United States Information Agency)". */
static void emit_participant(gen *g, const char *kind, const char *type, const post *pt)
{
    const stats *st = g->st;
    if (strcmp(kind, "post") == 0) {
        o_str(&g->o, "the Embassy in ");
        o_esc(&g->o, pt->country);
    } else if (strcmp(kind, "department") == 0) {
        o_str(&g->o, "the Department of State");
    } else {
        const person *p = &st->persons[table_pick(&st->person_t, &g->r)];
        char role[128];
        snprintf(role, sizeof role, "%s", p->role);
        role[strcspn(role, ",;")] = '\0';
        if (strcmp(kind, "role_name") == 0 && role[0]) {
            o_esc(&g->o, role);
            o_str(&g->o, " ");
            o_fmt(&g->o, "<persName corresp=\"#%s\" type=\"%s\">", p->id, type);
            o_esc(&g->o, p->sur);
            o_str(&g->o, "</persName>");
        } else {
            o_fmt(&g->o, "<persName corresp=\"#%s\" type=\"%s\">", p->id, type);
            o_esc(&g->o, p->full);
            o_str(&g->o, "</persName>");
            if (strcmp(kind, "name_role") == 0 && role[0]) {
                o_str(&g->o, " (");
                o_esc(&g->o, role);
                o_str(&g->o, ")");
            }
        }
    }
}

static int is_cable(const char *template)
{
    return strstr(template, "Telegram") || strstr(template, "Airgram") ||
           strstr(template, "Despatch");
}

/* The title from a template; returns the post a telegram came from, or NULL. */
static const post *emit_title(gen *g, ymd date)
{
    const stats *st = g->st;
    const char *t = wlist_pick(&st->heads, &g->r);
    int cable = is_cable(t);
    /* prior: a third of the cables go out from the Department */
    int outgoing = cable && rng_chance(&g->r, 1.0 / 3);
    const post *pt = &st->posts[table_pick(&st->post_t, &g->r)];
    while (*t) {
        const char *brace = strchr(t, '{');
        const char *end = brace ? strchr(brace, '}') : NULL;
        if (!brace || !end) {
            o_esc(&g->o, t);
            break;
        }
        char lit[512];
        size_t n = (size_t)(brace - t) < sizeof lit - 1 ? (size_t)(brace - t) : sizeof lit - 1;
        memcpy(lit, t, n);
        lit[n] = '\0';
        o_esc(&g->o, lit);
        size_t klen = (size_t)(end - brace - 1);
        if (klen == 4 && strncmp(brace + 1, "year", 4) == 0) {
            o_fmt(&g->o, "%d", date.y);
        } else if (klen == 5 && strncmp(brace + 1, "month", 5) == 0) {
            o_str(&g->o, MONTHS[date.m - 1]);
        } else if (klen == 7 && strncmp(brace + 1, "ordinal", 7) == 0) {
            int k = 100 + (int)rng_below(&g->r, 400);
            const char *suf = (k % 100 >= 11 && k % 100 <= 13) ? "th"
                              : k % 10 == 1                    ? "st"
                              : k % 10 == 2                    ? "nd"
                              : k % 10 == 3                    ? "rd"
                                                               : "th";
            o_fmt(&g->o, "%d%s", k, suf);
        } else if (klen == 4 && strncmp(brace + 1, "from", 4) == 0) {
            emit_participant(
                g, cable ? (outgoing ? "department" : "post") : wlist_pick(&st->from_kinds, &g->r),
                "from", pt);
        } else if (klen == 2 && strncmp(brace + 1, "to", 2) == 0) {
            emit_participant(
                g, cable ? (outgoing ? "post" : "department") : wlist_pick(&st->to_kinds, &g->r),
                "to", pt);
        }
        t = end + 1;
    }
    return cable && !outgoing ? pt : NULL;
}

static void emit_source_note(gen *g)
{
    const stats *st = g->st;
    o_fmt(&g->o, "<note n=\"0\" xml:id=\"d%dfn0\" type=\"source\">Source: ", g->doc);
    const char *c = wlist_pick(&st->citations, &g->r);
    char digits[2] = "0";
    for (const char *p = c; *p; p++) {
        if (*p == '#') {
            digits[0] = (char)('0' + rng_below(&g->r, 10));
            o_mem(&g->o, digits, 1);
        } else if (*p == '&') {
            o_str(&g->o, "&amp;");
        } else if (*p == '<') {
            o_str(&g->o, "&lt;");
        } else if (*p == '>') {
            o_str(&g->o, "&gt;");
        } else if (*p == ' ' && g->o.col > LINE_WIDTH - 10) {
            o_nl(&g->o);
        } else {
            o_mem(&g->o, p, 1);
        }
    }
    o_str(&g->o, ".");
    const char *cls = wlist_pick(&st->classifications, &g->r);
    if (cls[0] != '(') {
        /* "TOP SECRET; EYES ONLY" -> "Top Secret; Eyes Only" */
        char buf[128];
        snprintf(buf, sizeof buf, "%s", cls);
        for (size_t i = 1; buf[i]; i++)
            if (buf[i - 1] != ' ' && buf[i] >= 'A' && buf[i] <= 'Z')
                buf[i] = (char)(buf[i] - 'A' + 'a');
        o_space(&g->o, strlen(buf));
        o_esc(&g->o, buf);
        o_str(&g->o, ".");
    }
    int extras = hist_pick(&st->extras_per_note, &g->r);
    for (int i = 0; i < extras && st->n_extras; i++) {
        const char *s = st->extras[rng_below(&g->r, st->n_extras)];
        o_space(&g->o, 20);
        o_esc(&g->o, s);
    }
    o_str(&g->o, "</note>");
}

static void emit_document(gen *g, ymd date)
{
    const stats *st = g->st;
    const rates *rt = &st->rt;
    g->doc++;
    g->note = 0;
    int blocks = hist_pick(&st->blocks_per_doc, &g->r);
    double expected_words = blocks * st->block_words.mean;

    char when[32], mn[96], mx[96], dtext[96];
    snprintf(when, sizeof when, "%04d-%02d-%02d", date.y, date.m, date.d);
    snprintf(mn, sizeof mn, "%sT00:00:00-05:00", when);
    snprintf(mx, sizeof mx, "%sT23:59:59-05:00", when);
    snprintf(dtext, sizeof dtext, "%s %d, %d", MONTHS[date.m - 1], date.d, date.y);

    open_line(g, "");
    out *o = &g->o;
    /* The div's frus:doc-dateTime-* come before the head but depend on
     * whether the title is a cable's (which carries a time of day): peek at
     * the template emit_title() will draw, then rewind the stream. */
    rng save = g->r;
    const char *tpl_probe = wlist_pick(&st->heads, &g->r);
    int cable = is_cable(tpl_probe);
    g->r = save;
    int hour = -1;
    if (cable) {
        hour = (int)rng_below(&g->r, 24);
        snprintf(mn, sizeof mn, "%sT%02d:00:00-05:00", when, hour);
        snprintf(mx, sizeof mx, "%s", mn);
    }
    o_fmt(o, "<div type=\"document\" xml:id=\"d%d\" n=\"%d\" subtype=\"historical-document\"",
          g->doc, g->doc);
    o->depth += 2;
    o_nl(o);
    o_fmt(o, "frus:doc-dateTime-min=\"%s\"", mn);
    o_nl(o);
    o_fmt(o, "frus:doc-dateTime-max=\"%s\">", mx);
    o->depth--;
    o_nl(o);
    o_fmt(o, "<head>%d. ", g->doc);
    o->depth += 2;
    const post *from = emit_title(g, date);
    emit_source_note(g);
    o->depth -= 2;
    o_str(o, "</head>");
    open_line(g, "<opener><dateline rendition=\"#right\"><placeName>");
    o_esc(o, from ? from->capital : "Washington");
    o_str(o, "</placeName>, ");
    if (hour >= 0) {
        int h12 = hour % 12 ? hour % 12 : 12;
        o_fmt(o, "<date when=\"%sT%02d:00:00-05:00\" calendar=\"gregorian\">%s, %d %s</date>.",
              when, hour, dtext, h12, hour < 12 ? "a.m." : "p.m.");
    } else {
        o_fmt(o, "<date when=\"%s\" calendar=\"gregorian\">%s</date>.", when, dtext);
    }
    o_str(o, "</dateline></opener>");

    int attach = rng_chance(&g->r, rt->attachment * expected_words);
    int main_blocks = attach ? blocks / 2 + 1 : blocks;
    int done = 0;
    while (done < main_blocks)
        done += emit_block(g);
    if (rng_chance(&g->r, rt->signed_share)) {
        open_line(g, "<closer><signed>");
        emit_person(g, NULL);
        o_str(o, "</signed></closer>");
    }
    if (rng_chance(&g->r, rt->postscript * expected_words)) {
        open_line(g, "<postscript>");
        o->depth++;
        emit_paragraph(g, "<p>", "</p>");
        o->depth--;
        open_line(g, "</postscript>");
    }
    if (attach) {
        open_line(g, "<frus:attachment>");
        o->depth++;
        open_line(
            g, "<note rend=\"inline\" type=\"source\"><hi rend=\"strong\">[Enclosure]</hi></note>");
        open_line(g, "<head>");
        g->sentence_left = 0;
        emit_words(g, 3 + (long)rng_below(&g->r, 6), IN_HEAD);
        o_str(o, "</head>");
        while (done < blocks)
            done += emit_block(g);
        o->depth--;
        open_line(g, "</frus:attachment>");
    }
    o->depth--;
    open_line(g, "</div>");
    g->docs_total++;
}

static void emit_front(gen *g, const char *vol_title, const char *vol_id)
{
    const stats *st = g->st;
    out *o = &g->o;
    o_str(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o_fmt(o,
          "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\" "
          "xmlns:frus=\"http://history.state.gov/frus/ns/1.0\" xml:id=\"%s\">\n",
          vol_id);
    o_str(o, "<teiHeader><fileDesc><titleStmt><title type=\"complete\">");
    o_esc(o, vol_title);
    o_fmt(o,
          "</title></titleStmt><publicationStmt><idno type=\"frus\">%s</idno>"
          "</publicationStmt><sourceDesc><p>Synthetic volume written by bench/gen-corpus "
          "from statistics of the Office of the Historian's TEI; not a historical record."
          "</p></sourceDesc></fileDesc></teiHeader>\n",
          vol_id);
    o_str(o, "<text>");
    o->depth = 1;
    open_line(g, "<front>");
    o->depth++;
    open_line(g, "<div type=\"section\" xml:id=\"persons\" subtype=\"index\">");
    o->depth++;
    open_line(g, "<head>List of Persons</head>");
    open_line(g, "<list type=\"names\">");
    o->depth++;
    for (size_t i = 0; i < st->n_persons; i++) {
        const person *p = &st->persons[i];
        open_line(g, "");
        o_fmt(o, "<item><hi rend=\"strong\"><persName xml:id=\"%s\">", p->id);
        o_esc(o, p->listname);
        o_str(o, "</persName>,</hi> ");
        o_esc(o, p->role);
        o_str(o, "</item>");
    }
    o->depth--;
    open_line(g, "</list>");
    o->depth--;
    open_line(g, "</div>");
    open_line(g, "<div type=\"section\" xml:id=\"terms\" subtype=\"index\">");
    o->depth++;
    open_line(g, "<head>List of Abbreviations</head>");
    open_line(g, "<list type=\"terms\">");
    o->depth++;
    for (size_t i = 0; i < st->n_terms; i++) {
        const term *t = &st->terms[i];
        open_line(g, "");
        o_fmt(o, "<item><hi rend=\"strong\"><term xml:id=\"%s\">", t->id);
        o_esc(o, t->abbr);
        o_str(o, "</term>,</hi> ");
        o_esc(o, t->expansion);
        o_str(o, "</item>");
    }
    o->depth--;
    open_line(g, "</list>");
    o->depth--;
    open_line(g, "</div>");
    o->depth--;
    open_line(g, "</front>");
    open_line(g, "<body>");
}

typedef struct opts {
    uint64_t seed;
    uint64_t target; /* bytes in all volumes */
    int docs_per_volume;
    uint64_t max_volume; /* bytes: a volume closes early past this */
    const char *out_dir;
    const char *stats_path;
} opts;

/* Writes volume v; returns its byte count.  Stops early (and sets *done)
 * once the corpus reaches the target size. */
static uint64_t write_volume(const stats *st, const opts *op, int v, uint64_t so_far, int *done,
                             long *docs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/frus-gen%04d.xml", op->out_dir, v);
    gen g;
    memset(&g, 0, sizeof g);
    g.st = st;
    g.volume = v;
    rng_seed(&g.r, op->seed, (uint64_t)v);
    g.o.f = fopen(path, "wb");
    if (!g.o.f) die("cannot create %s: %s", path, strerror(errno));
    g.o.buf = xmalloc(OUT_CHUNK);

    /* prior: volumes cover one to three years between 1945 and 1986 */
    int y0 = 1945 + (int)rng_below(&g.r, 40);
    int span = 1 + (int)rng_below(&g.r, 3);
    const post *c1 = &st->posts[table_pick(&st->post_t, &g.r)];
    const post *c2 = &st->posts[table_pick(&st->post_t, &g.r)];
    char rn[32], title[512], vol_id[32];
    const char *country1 = strncmp(c1->country, "the ", 4) == 0 ? c1->country + 4 : c1->country;
    const char *country2 = strncmp(c2->country, "the ", 4) == 0 ? c2->country + 4 : c2->country;
    if (span > 1)
        snprintf(title, sizeof title,
                 "Foreign Relations of the United States, %d\xe2\x80\x93%d, %s; %s, Volume %s", y0,
                 y0 + span - 1, country1, country2, roman(v, rn, sizeof rn));
    else
        snprintf(title, sizeof title,
                 "Foreign Relations of the United States, %d, %s; %s, Volume %s", y0, country1,
                 country2, roman(v, rn, sizeof rn));
    snprintf(vol_id, sizeof vol_id, "frusgen-v%04d", v);
    g.facs_offset = hist_pick(&st->facs_offsets, &g.r);
    next_page_gap(&g);
    emit_front(&g, title, vol_id);

    long first_day = days_from_civil(y0, 1, 1);
    long days = days_from_civil(y0 + span, 1, 1) - first_day;
    int k = op->docs_per_volume;
    int chapter = 0, chapter_left = 0;
    g.o.depth = 2;
    for (int i = 0; i < k; i++) {
        if (chapter_left == 0) {
            if (chapter) {
                g.o.depth = 2;
                open_line(&g, "</div>");
            }
            chapter++;
            /* prior: chapters of 20 to 120 documents */
            chapter_left = 20 + (int)rng_below(&g.r, 101);
            const post *c = &st->posts[table_pick(&st->post_t, &g.r)];
            g.o.depth = 2;
            open_line(&g, "");
            o_fmt(&g.o, "<div type=\"chapter\" xml:id=\"ch%d\">", chapter);
            g.o.depth = 3;
            open_line(&g, "<head>");
            o_esc(&g.o, strncmp(c->country, "the ", 4) == 0 ? c->country + 4 : c->country);
            o_str(&g.o, "</head>");
        }
        chapter_left--;
        long day = first_day + (long)((double)days * i / k) +
                   (long)rng_below(&g.r, (uint64_t)(days / k + 1));
        g.o.depth = 3;
        emit_document(&g, civil(day));
        if (so_far + g.o.bytes >= op->target) {
            *done = 1;
            break;
        }
        if (g.o.bytes >= op->max_volume) break;
    }
    g.o.depth = 2;
    open_line(&g, "</div>");
    g.o.depth = 1;
    open_line(&g, "</body>");
    o_str(&g.o, "\n</text>\n</TEI>\n");
    o_flush(&g.o);
    if (fclose(g.o.f) != 0) die("cannot write %s: %s", path, strerror(errno));
    free(g.o.buf);
    *docs = g.docs_total;
    return g.o.bytes;
}

static const char usage[] =
    "usage: gen-corpus --seed N --size-mb M --out DIR [--docs-per-volume K]\n"
    "                  [--max-volume-mb V] [--stats FILE]\n"
    "\n"
    "Writes synthetic FRUS-shaped TEI volumes DIR/frus-genNNNN.xml totalling at\n"
    "least M * 10^6 bytes, and DIR/.manifest (hidden, so declass ingest skips\n"
    "it).  The same arguments always give the same bytes.  K documents per\n"
    "volume (default 250); a volume also closes once it passes V * 10^6 bytes\n"
    "(default 40; declass refuses files over 64 MiB).  FILE: the statistics\n"
    "from bench/corpus-stats (default " GEN_STATS_FILE ").\n";

/* mkdir -p */
static void mkdir_p(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) die("path too long: %s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            die("cannot create %s: %s", path, strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        die("cannot create %s: %s", path, strerror(errno));
}

static uint64_t parse_u64(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') {
        fprintf(stderr, "gen-corpus: %s must be a non-negative integer, not '%s'\n", what, s);
        fputs(usage, stderr);
        exit(2);
    }
    return (uint64_t)v;
}

int main(int argc, char **argv)
{
    opts op = {.seed = 1,
               .target = 0,
               .docs_per_volume = 250,
               .max_volume = 40000000,
               .out_dir = NULL,
               .stats_path = GEN_STATS_FILE};
    int have_size = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "gen-corpus: '%s' needs a value or is unknown\n", a);
            fputs(usage, stderr);
            return 2;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--seed") == 0) {
            op.seed = parse_u64(v, "--seed");
        } else if (strcmp(a, "--size-mb") == 0) {
            op.target = parse_u64(v, "--size-mb") * 1000000ull;
            have_size = 1;
        } else if (strcmp(a, "--out") == 0) {
            op.out_dir = v;
        } else if (strcmp(a, "--docs-per-volume") == 0) {
            uint64_t k = parse_u64(v, "--docs-per-volume");
            if (k < 1 || k > 100000) {
                fputs("gen-corpus: --docs-per-volume must be 1..100000\n", stderr);
                return 2;
            }
            op.docs_per_volume = (int)k;
        } else if (strcmp(a, "--max-volume-mb") == 0) {
            uint64_t m = parse_u64(v, "--max-volume-mb");
            if (m < 1 || m > 60) {
                fputs("gen-corpus: --max-volume-mb must be 1..60\n", stderr);
                return 2;
            }
            op.max_volume = m * 1000000ull;
        } else if (strcmp(a, "--stats") == 0) {
            op.stats_path = v;
        } else {
            fprintf(stderr, "gen-corpus: unknown option '%s'\n", a);
            fputs(usage, stderr);
            return 2;
        }
    }
    if (!have_size || !op.out_dir || op.target == 0) {
        fputs("gen-corpus: --size-mb (> 0) and --out are required\n", stderr);
        fputs(usage, stderr);
        return 2;
    }
    mkdir_p(op.out_dir);

    stats st;
    memset(&st, 0, sizeof st);
    load_stats(&st, op.stats_path);

    uint64_t total = 0;
    long docs = 0;
    int done = 0, v = 0;
    while (!done) {
        v++;
        long vdocs = 0;
        uint64_t b = write_volume(&st, &op, v, total, &done, &vdocs);
        total += b;
        docs += vdocs;
        fprintf(stderr, "gen-corpus: frus-gen%04d.xml %6.1f MB %5ld documents   (%.1f / %.1f MB)\n",
                v, (double)b / 1e6, vdocs, (double)total / 1e6, (double)op.target / 1e6);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/.manifest", op.out_dir);
    FILE *m = fopen(path, "w");
    if (!m) die("cannot create %s: %s", path, strerror(errno));
    fprintf(m,
            "generator gen-corpus 1\nseed %llu\nsize_mb %llu\ndocs_per_volume %d\n"
            "max_volume_mb %llu\nfiles %d\nbytes %llu\ndocuments %ld\n",
            (unsigned long long)op.seed, (unsigned long long)(op.target / 1000000ull),
            op.docs_per_volume, (unsigned long long)(op.max_volume / 1000000ull), v,
            (unsigned long long)total, docs);
    if (fclose(m) != 0) die("cannot write %s", path);
    fprintf(stderr, "gen-corpus: %d files, %.1f MB, %ld documents in %s\n", v, (double)total / 1e6,
            docs, op.out_dir);
    return 0;
}
