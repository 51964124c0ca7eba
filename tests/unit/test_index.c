/* Unit tests of the full-text index (src/index): build, search, security,
 * deletions, multi-segment equivalence, optimize, crash safety, corruption
 * and relevance on the sample corpus; several handles on one directory
 * (refresh, the writer lock, concurrent writers from threads, clear,
 * duplicate detection).  dc_index_check after every change. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index.h"
#include "model/model_int.h"
#include "ingest/ingest.h"
#include "refs/refs.h"
#include "index/index_int.h" /* dc_ix_lock: the lock seen from a test */
#include "test.h"
#include "util/util_int.h"

static dc_analyzer *A;
static char tmpl[] = "/tmp/dc_test_index_XXXXXX";
static char *root;

/* Readers: the public, and one who reads everything of the documents
 * below (TOP SECRET holding their compartments). */
static const char *const ANNEX[] = {"ANNEX-F"};
static const char *const ALLCOMPS[] = {"ANNEX-F", "ALPHA", "BRAVO"};
static const dc_access_reader PUBLIC = {.is_public = 1};
static const dc_access_reader TOP = {0, DC_TOP_SECRET, ALLCOMPS, 3, 0};
static const dc_search_opts TOP_OPTS = {.classification = -1, .reader = &TOP};
/* The predicate every reader satisfies: a reference index of one
 * reader's views holds them under it. */
static const dc_access_class OPEN_CLASS = {.open = 1};
static const unsigned char NEED1 = 1;
static const dc_access_pred OPEN = {&OPEN_CLASS, &NEED1, 1};

/* Adds every distinct view of doc under docid, as the facade does (the
 * stored document itself when it is uniform; without the facade's
 * re-derivation of names and references, which the tests do not need). */
typedef struct view_add {
    dc_index_writer *w;
    uint64_t docid;
    const dc_doc *doc;
} view_add;

static dc_rc add_view(void *ctx, const dc_access_reader *r, const dc_access_pred *pred)
{
    view_add *a = ctx;
    if (dc_access_uniform(a->doc)) return dc_index_writer_add(a->w, a->docid, a->doc, pred);
    dc_doc *v = NULL;
    dc_rc rc = dc_access_view(r, a->doc, &v, NULL);
    if (!rc) rc = dc_index_writer_add(a->w, a->docid, v, pred);
    dc_doc_free(v);
    return rc;
}

static dc_rc add_doc(dc_index_writer *w, uint64_t docid, const dc_doc *doc)
{
    view_add a = {w, docid, doc};
    return dc_access_each_view(doc, add_view, &a);
}

static void check_ix(dc_index *ix)
{
    dc_error e;
    dc_rc rc = dc_index_check(ix, &e);
    if (rc) fprintf(stderr, "check: %s\n", e.msg);
    CHECK_INT(rc, DC_OK);
}

static dc_doc *mkdoc(const char *id, const char *title, const char *date, const char *cls,
                     const char *release, const char *doc_type, const char *body)
{
    dc_doc *d = dc_doc_new();
    dc_str_set(&d->id, id);
    const char *slash = strchr(id, '/');
    dc_str_setn(&d->collection, id, (size_t)(slash - id));
    dc_str_set(&d->local_id, slash + 1);
    dc_str_set(&d->title, title);
    dc_str_set(&d->date, date);
    dc_str_set(&d->classification, cls);
    dc_str_set(&d->release_status, release);
    dc_str_set(&d->doc_type, doc_type);
    if (body) {
        dc_portion *p = dc_doc_add_portion(d, "paragraph");
        dc_str_set(&p->text, body);
    }
    return d;
}

/* Runs q and returns the hit ids joined by commas (static buffer).  No
 * options: as TOP, who reads everything. */
static const char *ids(dc_index *ix, const char *q, const dc_search_opts *o, uint64_t *total)
{
    static char buf[4096];
    if (!o) o = &TOP_OPTS;
    dc_query *qq = NULL;
    dc_error e;
    buf[0] = 0;
    if (dc_query_parse(A, q, strlen(q), &qq, &e) != DC_OK) {
        fprintf(stderr, "parse %s: %s\n", q, e.msg);
        return "PARSE";
    }
    dc_search_result *r = NULL;
    dc_rc rc = dc_index_search(ix, A, qq, o, &r);
    if (rc) {
        dc_query_free(qq);
        snprintf(buf, sizeof buf, "ERR%d", (int)rc);
        return buf;
    }
    size_t n = 0;
    for (size_t i = 0; i < r->n_hits; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? "," : "", r->hits[i].id);
    if (total) *total = r->total;
    dc_search_result_free(r);
    dc_query_free(qq);
    return buf;
}

/* Facet "name" of the search as "v:c,v:c" (no options: as TOP). */
static const char *facet(dc_index *ix, const char *q, const dc_search_opts *o, const char *name)
{
    static char buf[1024];
    if (!o) o = &TOP_OPTS;
    dc_query *qq = NULL;
    buf[0] = 0;
    if (dc_query_parse(A, q, strlen(q), &qq, NULL) != DC_OK) return "PARSE";
    dc_search_result *r = NULL;
    if (dc_index_search(ix, A, qq, o, &r) == DC_OK) {
        size_t n = 0;
        for (size_t f = 0; f < r->n_facets; f++) {
            if (strcmp(r->facets[f].name, name) != 0) continue;
            for (size_t i = 0; i < r->facets[f].n_values; i++)
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s:%llu", i ? "," : "",
                                      r->facets[f].values[i].value,
                                      (unsigned long long)r->facets[f].values[i].count);
        }
        dc_search_result_free(r);
    }
    dc_query_free(qq);
    return buf;
}

/* The snippet of rd's view of d, as the facade makes it; "" when rd may
 * not read d. */
static char *snip(const char *q, const dc_doc *d, const dc_access_reader *rd)
{
    dc_doc *v = NULL;
    if (dc_access_view(rd, d, &v, NULL) == DC_NOTFOUND) return dc_strdup("");
    dc_query *qq = NULL;
    dc_query_parse(A, q, strlen(q), &qq, NULL);
    dc_buf b;
    dc_buf_init(&b, 0);
    dc_buf_puts(&b, "");
    dc_rc rc = dc_index_snippet(A, qq, v, 120, "<b>", "</b>", &b);
    CHECK_INT(rc, DC_OK);
    dc_query_free(qq);
    dc_doc_free(v);
    return dc_buf_detach(&b);
}

static dc_doc *docs[8];
static size_t ndocs;

static void make_docs(void)
{
    docs[0] = mkdoc("c1/a", "Korean Armistice Negotiations", "1953-07-27", "SECRET", "released",
                    "memorandum",
                    "The negotiations on the armistice continued at Panmunjom. NSC 5907 was "
                    "approved by the President.");
    docs[1] = mkdoc("c1/b", "Letter on trade", "1958-01-01", "CONFIDENTIAL", "released", "letter",
                    "We negotiate trade agreements with Japan. The armistice is mentioned here "
                    "once, far from the other words of the letter.");
    docs[2] = mkdoc("c2/c", "Report", "1960-05-01", "TOP SECRET", "released", "report",
                    "Soviet policy report. National Security Council paper NSC 5817 is "
                    "superseded by this report.");
    dc_doc_add_ref(docs[2], "paper", "NSC 5817", "supersedes", NULL);
    dc_strv_push(&docs[2]->persons, "Dean Rusk");
    docs[3] = mkdoc("c2/d", "Annex memo", "1961-02-03", "SECRET", "classified", "memorandum",
                    "The annex introduction is readable at secret.");
    dc_portion *p = dc_doc_add_portion(docs[3], "paragraph");
    dc_str_set(&p->text, "Zanzibar uranium deposits are described in the annex.");
    dc_str_set(&p->classification, "TOP SECRET");
    dc_strv_push(&p->compartments, "ANNEX-F");
    p = dc_doc_add_portion(docs[3], "paragraph");
    dc_str_set(&p->text, "Withheld secret about Madagascar.");
    p->withheld = 1;
    ndocs = 4;
}

static dc_index *build(const char *name, size_t budget, size_t first, size_t n)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    dc_index *ix = NULL;
    dc_error e;
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &ix, &e), DC_OK);
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, budget, &w), DC_OK);
    for (size_t i = first; i < first + n; i++) CHECK_INT(add_doc(w, i + 1, docs[i]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    return ix;
}

static void test_basic(void)
{
    dc_index *ix = build("basic", 0, 0, ndocs);
    uint64_t t = 0;
    CHECK_INT(dc_index_doc_count(ix), 4);
    CHECK_INT(dc_index_high_water(ix), 4);
    CHECK_INT(dc_index_segment_count(ix), 1);
    CHECK_STR(ids(ix, "armistice", NULL, &t), "c1/a,c1/b");
    CHECK_INT(t, 2);
    CHECK_STR(ids(ix, "negotiate", NULL, &t), "c1/a,c1/b");
    CHECK_STR(ids(ix, "\"negotiate\"", NULL, &t), "c1/b");
    CHECK_STR(ids(ix, "\"nsc 5907\"", NULL, &t), "c1/a");
    CHECK_STR(ids(ix, "NSC-5907", NULL, &t), "c1/a");
    CHECK_STR(ids(ix, "\"armistices continued\"", NULL, &t), "");
    CHECK_INT(t, 0);
    CHECK_STR(ids(ix, "\"armistice continued\"", NULL, &t), "c1/a");
    CHECK_STR(ids(ix, "armistice -trade", NULL, &t), "c1/a");
    CHECK_STR(ids(ix, "armistice NOT japan", NULL, &t), "c1/a");
    CHECK_STR(ids(ix, "trade OR soviet", NULL, &t), "c1/b,c2/c");
    CHECK_INT(t, 2);
    CHECK_STR(ids(ix, "negot*", NULL, &t), "c1/a,c1/b");
    CHECK_STR(ids(ix, "title:armistice", NULL, &t), "c1/a");
    CHECK_STR(ids(ix, "title:negotiate", NULL, &t), "c1/a");
    CHECK_STR(ids(ix, "person:rusk", NULL, &t), "c2/c");
    CHECK_STR(ids(ix, "person:\"dean rusk\"", NULL, &t), "c2/c");
    CHECK_STR(ids(ix, "rusk", NULL, &t), "");
    CHECK_STR(ids(ix, "date:1955..1960", NULL, &t), "c1/b,c2/c");
    CHECK_STR(ids(ix, "class:secret", NULL, &t), "c1/a,c2/d");
    CHECK_STR(ids(ix, "collection:c2", NULL, &t), "c2/c,c2/d");
    CHECK_STR(ids(ix, "cites:\"NSC 5817\"", NULL, &t), "c2/c");
    CHECK_STR(ids(ix, "report cites:\"nsc  5817\"", NULL, &t), "c2/c");
    CHECK_STR(ids(ix, "(armistice OR soviet) date:1950..1955", NULL, &t), "c1/a");
    /* a withheld portion of an unreleased document: read by its cleared
     * readers, so in their view (withheld portions of released documents
     * are gaps for the public: test_security) */
    CHECK_STR(ids(ix, "madagascar", NULL, &t), "c2/d");
    CHECK_STR(ids(ix, "zzzz", NULL, &t), "");
    /* options (no reader: the public) */
    dc_search_opts o = {.classification = -1};
    CHECK_STR(ids(ix, "madagascar", &o, &t), "");
    CHECK_STR(ids(ix, "class:secret", &o, &t), "c1/a");
    o.from = "1955";
    CHECK_STR(ids(ix, "armistice", &o, &t), "c1/b");
    o.from = NULL;
    o.to = "1953-12";
    CHECK_STR(ids(ix, "armistice", &o, &t), "c1/a");
    o.to = NULL;
    o.classification = DC_CONFIDENTIAL;
    CHECK_STR(ids(ix, "armistice", &o, &t), "c1/b");
    o.classification = -1;
    o.collection = "c2";
    CHECK_STR(ids(ix, "report OR armistice", &o, &t), "c2/c");
    o.collection = "nope";
    CHECK_STR(ids(ix, "report OR armistice", &o, &t), "");
    o.collection = NULL;
    o.limit = 1;
    o.offset = 1;
    CHECK_STR(ids(ix, "armistice", &o, &t), "c1/b");
    CHECK_INT(t, 2);
    o.offset = 5;
    CHECK_STR(ids(ix, "armistice", &o, &t), "");
    CHECK_INT(t, 2);
    o.offset = 20000;
    CHECK_STR(ids(ix, "armistice", &o, &t), "ERR7");
    /* facets over all matches */
    CHECK_STR(facet(ix, "armistice", NULL, "collection"), "c1:2");
    CHECK_STR(facet(ix, "armistice", NULL, "decade"), "1950s:2");
    CHECK_STR(facet(ix, "armistice", NULL, "classification"), "CONFIDENTIAL:1,SECRET:1");
    CHECK_STR(facet(ix, "armistice", NULL, "doc_type"), "letter:1,memorandum:1");
    CHECK_STR(facet(ix, "report OR armistice OR annex", NULL, "decade"), "1950s:2,1960s:2");
    /* BM25: the title match ranks first, and scores are positive */
    dc_query *q = NULL;
    dc_query_parse(A, "armistice", 9, &q, NULL);
    dc_search_result *r = NULL;
    CHECK_INT(dc_index_search(ix, A, q, NULL, &r), DC_OK);
    CHECK(r && r->n_hits == 2 && r->hits[0].score > r->hits[1].score && r->hits[1].score > 0);
    CHECK_STR(r->hits[0].title, "Korean Armistice Negotiations");
    CHECK_STR(r->hits[0].date, "1953-07-27");
    CHECK_STR(r->hits[0].classification, "SECRET");
    dc_search_result_free(r);
    dc_query_free(q);
    dc_index_close(ix);
}

static void test_security(void)
{
    dc_index *ix = build("sec", 0, 0, ndocs);
    uint64_t t = 9;
    /* c2/d has two views: with and without its TOP SECRET ANNEX-F portion */
    CHECK_INT(dc_index_doc_count(ix), 4);
    dc_access_reader secret = {0, DC_SECRET, ANNEX, 1, 0};
    dc_access_reader ts_nocomp = {0, DC_TOP_SECRET, NULL, 0, 0};
    dc_access_reader ts_annex = {0, DC_TOP_SECRET, ANNEX, 1, 0};
    dc_access_reader pub = {1, DC_TOP_SECRET, ANNEX, 1, 0}; /* public: the rest ignored */
    dc_search_opts o = {.classification = -1};
    o.reader = &secret;
    CHECK_STR(ids(ix, "zanzibar", &o, &t), "");
    CHECK_INT(t, 0);
    CHECK_STR(facet(ix, "zanzibar", &o, "collection"), "");
    CHECK_STR(ids(ix, "annex", &o, &t), "c2/d");
    CHECK_INT(t, 1);
    CHECK_STR(ids(ix, "annex zanzibar", &o, &t), "");
    CHECK_STR(ids(ix, "annex -zanzibar", &o, &t), "c2/d");
    CHECK_STR(ids(ix, "\"zanzibar uranium\"", &o, &t), "");
    CHECK_STR(ids(ix, "zanz*", &o, &t), "");
    CHECK_STR(ids(ix, "armistice", &o, &t), "c1/a,c1/b");
    /* the hidden portion is a gap in this reader's view, and its notice
     * is text like any other */
    CHECK_STR(ids(ix, "\"not declassified\"", &o, &t), "c2/d");
    CHECK_STR(ids(ix, "madagascar", &o, &t), "c2/d"); /* withheld at SECRET: cleared */
    /* A released document is public whatever its historical marking
     * (DESIGN.md, Security rules), TOP SECRET included. */
    CHECK_STR(ids(ix, "report", &o, &t), "c2/c");
    o.reader = &ts_nocomp;
    CHECK_STR(ids(ix, "zanzibar", &o, &t), "");
    CHECK_INT(t, 0);
    CHECK_STR(ids(ix, "report", &o, &t), "c2/c");
    o.reader = &ts_annex;
    CHECK_STR(ids(ix, "zanzibar", &o, &t), "c2/d");
    CHECK_INT(t, 1);
    CHECK_STR(ids(ix, "\"zanzibar uranium\"", &o, &t), "c2/d");
    CHECK_STR(ids(ix, "annex -zanzibar", &o, &t), "");
    CHECK_STR(ids(ix, "\"not declassified\"", &o, &t), "");
    CHECK_STR(ids(ix, "annex OR zanzibar", &o, &t), "c2/d"); /* one entry counts */
    CHECK_INT(t, 1);
    CHECK_STR(facet(ix, "zanzibar", &o, "classification"), "SECRET:1");
    o.reader = &pub;
    CHECK_STR(ids(ix, "annex", &o, &t), "");
    CHECK_INT(t, 0);
    CHECK_STR(ids(ix, "class:secret", &o, &t), "c1/a");
    CHECK_STR(facet(ix, "collection:c2", &o, "collection"), "c2:1");
    o.reader = NULL; /* the public too: never "everything" */
    CHECK_STR(ids(ix, "annex", &o, &t), "");
    CHECK_STR(ids(ix, "collection:c2", &o, &t), "c2/c");
    /* snippets: of the reader's view */
    char *s = snip("annex zanzibar", docs[3], &secret);
    CHECK(s && strstr(s, "<b>annex</b>") && !strstr(s, "anzibar") && strstr(s, "declassified]"));
    free(s);
    s = snip("annex zanzibar", docs[3], &ts_annex);
    CHECK(s && strstr(s, "<b>Zanzibar</b>") && !strstr(s, "declassified]"));
    free(s);
    s = snip("annex", docs[3], &pub);
    CHECK_STR(s, "");
    free(s);
    s = snip("negotiate armistice", docs[0], NULL);
    CHECK_STR(s, "The <b>negotiations</b> on the <b>armistice</b> continued at Panmunjom. NSC "
                 "5907 was approved by the President.");
    free(s);
    s = snip("\"nsc 5907\"", docs[0], NULL);
    CHECK(s && strstr(s, "<b>NSC</b> <b>5907</b>"));
    free(s);
    /* NULL predicate, NULL view */
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_add(w, 10, docs[0], NULL), DC_MISUSE);
    CHECK_INT(dc_index_writer_add(w, 10, NULL, &OPEN), DC_MISUSE);
    /* a malformed predicate is refused, and the batch goes on */
    dc_access_class bad_class = {.level = 7};
    dc_access_pred bad = {&bad_class, &NEED1, 1};
    CHECK_INT(dc_index_writer_add(w, 10, docs[0], &bad), DC_MISUSE);
    dc_access_pred no_need = {&OPEN_CLASS, NULL, 1};
    CHECK_INT(dc_index_writer_add(w, 10, docs[0], &no_need), DC_MISUSE);
    /* no pairs: every reader; unsatisfiable: nobody */
    dc_access_class both[2] = {{.level = DC_SECRET}, {.level = DC_SECRET}};
    unsigned char needs[2] = {1, 0};
    dc_access_pred never = {both, needs, 2}, always = {NULL, NULL, 0};
    CHECK_INT(dc_index_writer_add(w, 10, docs[1], &always), DC_OK);
    CHECK_INT(dc_index_writer_add(w, 11, docs[3], &never), DC_OK);
    CHECK_INT(dc_index_writer_delete(w, 2), DC_OK); /* the versions 10 and 11 supersede */
    CHECK_INT(dc_index_writer_delete(w, 4), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    dc_search_opts po = {.classification = -1};
    CHECK_STR(ids(ix, "japan", &po, &t), "c1/b");
    CHECK_INT(t, 1);
    CHECK_STR(ids(ix, "zanzibar OR annex", NULL, &t), "");
    CHECK_INT(t, 0);
    CHECK_INT(dc_index_doc_count(ix), 4);
    dc_index_close(ix);
}

/* ---- synthetic corpus for multi-segment tests ---- */

static const char *vocab[] = {
    "treaty", "korea", "armistice", "negotiations", "negotiate", "soviet", "policy",
    "council", "security", "japan", "trade", "military", "assistance", "annex", "report",
    "president", "secretary", "defense", "state", "nuclear", "weapons", "forces", "china",
    "taiwan", "embassy", "telegram", "minister", "foreign", "economic", "aid", "program",
    "negotiated", "negotiating", "treaties", "reports", "reported", "commission", "neutral",
    "nations", "supervisory", "5907", "5817", "nsc", "the", "of", "and", "to", "in"};

static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void make_synth(dc_doc **out, size_t n)
{
    static const char *colls[] = {"va", "vb", "vc"};
    static const char *levels[] = {"UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"};
    static const char *types[] = {"letter", "memorandum", "telegram"};
    char body[8192], title[256], id[64], date[16];
    size_t nv = sizeof vocab / sizeof *vocab;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        unsigned words = 20 + rnd(300);
        for (unsigned k = 0; k < words; k++)
            len += (size_t)snprintf(body + len, sizeof body - len, "%s ", vocab[rnd((unsigned)nv)]);
        snprintf(title, sizeof title, "%s %s", vocab[rnd((unsigned)nv)], vocab[rnd((unsigned)nv)]);
        snprintf(id, sizeof id, "%s/d%zu", colls[rnd(3)], i);
        snprintf(date, sizeof date, "19%02u-%02u-%02u", 45 + rnd(25), 1 + rnd(12), 1 + rnd(28));
        out[i] = mkdoc(id, title, date, levels[rnd(4)], "released", types[rnd(3)], body);
    }
}

static char *dump(dc_index *ix, const char *q)
{
    dc_query *qq = NULL;
    dc_buf b;
    dc_buf_init(&b, 0);
    if (dc_query_parse(A, q, strlen(q), &qq, NULL) != DC_OK) return dc_strdup("PARSE");
    dc_search_opts o = {.limit = 50, .classification = -1};
    dc_search_result *r = NULL;
    dc_rc rc = dc_index_search(ix, A, qq, &o, &r);
    dc_buf_printf(&b, "rc=%d", (int)rc);
    if (!rc) {
        dc_buf_printf(&b, " total=%llu", (unsigned long long)r->total);
        for (size_t i = 0; i < r->n_hits; i++)
            dc_buf_printf(&b, " %s:%.6f", r->hits[i].id, r->hits[i].score);
        for (size_t f = 0; f < r->n_facets; f++)
            for (size_t i = 0; i < r->facets[f].n_values; i++)
                dc_buf_printf(&b, " %s=%s:%llu", r->facets[f].name, r->facets[f].values[i].value,
                              (unsigned long long)r->facets[f].values[i].count);
        dc_search_result_free(r);
    }
    dc_query_free(qq);
    return dc_buf_detach(&b);
}

static void test_segments(void)
{
    enum { N = 160 };
    dc_doc *syn[N];
    make_synth(syn, N);
    dc_doc *saved[8];
    memcpy(saved, docs, sizeof saved);
    static const char *queries[] = {"armistice", "negotiate treaty", "\"neutral nations\"",
                                    "korea OR japan", "negot* -soviet", "title:report",
                                    "\"nsc 5907\" council", "date:1950..1955 class:secret",
                                    "\"the\"", "of and to"};
    size_t nq = sizeof queries / sizeof *queries;
    /* one segment */
    char dir[512];
    dc_index *one = NULL, *many = NULL;
    snprintf(dir, sizeof dir, "%s/one", root);
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &one, NULL), DC_OK);
    snprintf(dir, sizeof dir, "%s/many", root);
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &many, NULL), DC_OK);
    dc_index_writer *w1, *w2;
    CHECK_INT(dc_index_writer_open(one, 0, &w1), DC_OK);
    for (size_t i = 0; i < N; i++) CHECK_INT(add_doc(w1, 10 + i, syn[i]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w1), DC_OK);
    check_ix(one);
    /* many: tiny budget, and three commits */
    for (size_t part = 0; part < 3; part++) {
        CHECK_INT(dc_index_writer_open(many, 1, &w2), DC_OK);
        for (size_t i = part * N / 3; i < (part == 2 ? N : (part + 1) * N / 3); i++)
            CHECK_INT(add_doc(w2, 10 + i, syn[i]), DC_OK);
        CHECK_INT(dc_index_writer_commit(w2), DC_OK);
        check_ix(many);
    }
    CHECK(dc_index_segment_count(many) > 10);
    CHECK_INT(dc_index_doc_count(many), N);
    for (size_t i = 0; i < nq; i++) {
        char *a = dump(one, queries[i]), *b = dump(many, queries[i]);
        CHECK_STR(b, a);
        CHECK(strstr(a, "total=") != NULL);
        free(a);
        free(b);
    }
    /* deletions on both */
    CHECK_INT(dc_index_writer_open(one, 0, &w1), DC_OK);
    CHECK_INT(dc_index_writer_open(many, 0, &w2), DC_OK);
    for (size_t i = 0; i < N; i += 7) {
        CHECK_INT(dc_index_writer_delete(w1, 10 + i), DC_OK);
        CHECK_INT(dc_index_writer_delete(w2, 10 + i), DC_OK);
    }
    CHECK_INT(dc_index_writer_commit(w1), DC_OK);
    CHECK_INT(dc_index_writer_commit(w2), DC_OK);
    check_ix(one);
    check_ix(many);
    CHECK_INT(dc_index_doc_count(many), N - (N + 6) / 7);
    for (size_t i = 0; i < nq; i++) {
        char *a = dump(one, queries[i]), *b = dump(many, queries[i]);
        CHECK_STR(b, a);
        CHECK(strstr(a, "/d0:") == NULL && strstr(a, "/d7:") == NULL);
        free(a);
        free(b);
    }
    /* optimize: one segment, same hits and totals (scores change: N shrinks) */
    char *before[16];
    for (size_t i = 0; i < nq; i++) before[i] = dump(many, queries[i]);
    CHECK_INT(dc_index_optimize(many), DC_OK);
    check_ix(many);
    CHECK_INT(dc_index_segment_count(many), 1);
    CHECK_INT(dc_index_doc_count(many), N - (N + 6) / 7);
    CHECK_INT(dc_index_optimize(one), DC_OK);
    check_ix(one);
    for (size_t i = 0; i < nq; i++) {
        char *a = dump(one, queries[i]), *b = dump(many, queries[i]);
        CHECK_STR(b, a);
        /* same totals as before the merge */
        const char *t1 = strstr(before[i], "total="), *t2 = strstr(b, "total=");
        CHECK(t1 && t2 && strtoull(t1 + 6, NULL, 10) == strtoull(t2 + 6, NULL, 10));
        free(a);
        free(b);
        free(before[i]);
    }
    /* reopen: same */
    dc_index_close(many);
    many = NULL;
    CHECK_INT(dc_index_open(dir, 0, &many, NULL), DC_OK);
    check_ix(many);
    CHECK_INT(dc_index_doc_count(many), N - (N + 6) / 7);
    /* adding below the high-water mark is misuse */
    CHECK_INT(dc_index_writer_open(many, 0, &w2), DC_OK);
    CHECK_INT(add_doc(w2, 5, syn[0]), DC_MISUSE);
    dc_index_writer_abort(w2);
    check_ix(many);
    dc_index_close(many);
    dc_index_close(one);
    for (size_t i = 0; i < N; i++) dc_doc_free(syn[i]);
    memcpy(docs, saved, sizeof saved);
}

static size_t count_segfiles(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (strncmp(de->d_name, "seg-", 4) == 0) n++;
    if (d) closedir(d);
    return n;
}

static int copy_file(const char *from, const char *to)
{
    char *data = NULL;
    size_t len = 0;
    if (dc_read_file(from, (size_t)1 << 30, &data, &len, NULL) != DC_OK) return -1;
    FILE *f = fopen(to, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f) fclose(f);
    free(data);
    return ok ? 0 : -1;
}

static void copy_dir(const char *from, const char *to)
{
    mkdir(to, 0755);
    DIR *d = opendir(from);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char a[1024], b[1024];
        snprintf(a, sizeof a, "%s/%s", from, de->d_name);
        snprintf(b, sizeof b, "%s/%s", to, de->d_name);
        copy_file(a, b);
    }
    if (d) closedir(d);
}

static void test_crash(void)
{
    dc_index *ix = build("crash", 0, 0, 2);
    char dir[512], copy[512];
    snprintf(dir, sizeof dir, "%s/crash", root);
    snprintf(copy, sizeof copy, "%s/crash-copy", root);
    dc_index_writer *w;
    CHECK_INT(dc_index_writer_open(ix, 1, &w), DC_OK);
    CHECK_INT(add_doc(w, 3, docs[2]), DC_OK);
    CHECK_INT(add_doc(w, 4, docs[3]), DC_OK); /* 3 spilled first: the budget is tiny */
    CHECK_INT(count_segfiles(dir), 2);
    copy_dir(dir, copy); /* the state a crash before commit leaves */
    FILE *f = fopen("/dev/null", "r");
    if (f) fclose(f);
    char junk[1024];
    snprintf(junk, sizeof junk, "%s/MANIFEST.tmp", copy);
    f = fopen(junk, "w");
    if (f) {
        fputs("half-written", f);
        fclose(f);
    }
    dc_index_writer_abort(w);
    CHECK_INT(count_segfiles(dir), 1);
    check_ix(ix);
    dc_index_close(ix);
    dc_index *c = NULL;
    CHECK_INT(dc_index_open(copy, 0, &c, NULL), DC_OK);
    CHECK_INT(count_segfiles(copy), 1);
    CHECK(access(junk, F_OK) != 0);
    check_ix(c);
    CHECK_INT(dc_index_doc_count(c), 2);
    CHECK_INT(dc_index_high_water(c), 2);
    uint64_t t;
    CHECK_STR(ids(c, "armistice", NULL, &t), "c1/a,c1/b");
    CHECK_STR(ids(c, "report", NULL, &t), "");
    dc_index_close(c);
    /* a missing index without CREATE */
    snprintf(copy, sizeof copy, "%s/none", root);
    CHECK_INT(dc_index_open(copy, 0, &c, NULL), DC_NOTFOUND);
    CHECK(c == NULL);
}

static void test_corrupt(void)
{
    dc_index *ix = build("corrupt", 0, 0, ndocs);
    char dir[512], seg[1024];
    snprintf(dir, sizeof dir, "%s/corrupt", root);
    DIR *d = opendir(dir);
    struct dirent *de;
    seg[0] = 0;
    while (d && (de = readdir(d)) != NULL)
        if (strncmp(de->d_name, "seg-", 4) == 0) snprintf(seg, sizeof seg, "%s/%s", dir, de->d_name);
    if (d) closedir(d);
    dc_index_close(ix);
    char *orig = NULL;
    size_t len = 0;
    CHECK_INT(dc_read_file(seg, (size_t)1 << 30, &orig, &len, NULL), DC_OK);
    static const char *qs[] = {"armistice", "negot*", "\"nsc 5907\"", "annex -zanzibar",
                               "class:secret", "person:rusk OR cites:\"nsc 5817\""};
    int opened = 0, caught = 0;
    for (size_t off = 0; off < len; off += 3) {
        FILE *f = fopen(seg, "wb");
        orig[off] ^= 0x5A;
        fwrite(orig, 1, len, f);
        fclose(f);
        orig[off] ^= 0x5A;
        dc_index *c = NULL;
        dc_rc rc = dc_index_open(dir, 0, &c, NULL);
        if (rc == DC_OK) {
            opened++;
            for (size_t k = 0; k < sizeof qs / sizeof *qs; k++) ids(c, qs[k], NULL, NULL);
            dc_error e;
            caught += dc_index_check(c, &e) == DC_CORRUPT;
            dc_index_close(c);
        } else {
            CHECK_INT(rc, DC_CORRUPT);
            caught++;
        }
    }
    CHECK_INT(caught, (len + 2) / 3);
    CHECK(opened > 0);
    /* truncated */
    FILE *f = fopen(seg, "wb");
    fwrite(orig, 1, len / 2, f);
    fclose(f);
    dc_index *c = NULL;
    CHECK_INT(dc_index_open(dir, 0, &c, NULL), DC_CORRUPT);
    /* damaged MANIFEST */
    f = fopen(seg, "wb");
    fwrite(orig, 1, len, f);
    fclose(f);
    char man[600];
    snprintf(man, sizeof man, "%s/MANIFEST", dir);
    f = fopen(man, "r+b");
    fseek(f, 20, SEEK_SET);
    fputc('9', f);
    fclose(f);
    CHECK_INT(dc_index_open(dir, 0, &c, NULL), DC_CORRUPT);
    free(orig);
}

static dc_doc *corpus[64];
static size_t ncorpus;

static dc_rc sink(void *ctx, dc_doc *doc)
{
    (void)ctx;
    if (ncorpus < 64) {
        dc_refs_enrich(doc);
        if (!doc->id && doc->collection && doc->local_id) {
            char id[256];
            snprintf(id, sizeof id, "%s/%s", doc->collection, doc->local_id);
            dc_str_set(&doc->id, id);
        }
        dc_str_set(&doc->release_status, "released");
        corpus[ncorpus++] = doc;
    } else {
        dc_doc_free(doc);
    }
    return DC_OK;
}

static void test_corpus(void)
{
    const char *base = getenv("DC_CORPUS");
    if (!base) base = "samples";
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/seeds", base);
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0) continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        char *data = NULL;
        size_t len = 0;
        dc_doc *doc = NULL;
        if (dc_read_file(p, DC_INGEST_MAX_FILE, &data, &len, NULL) == DC_OK &&
            dc_ingest_text(data, len, &doc, NULL) == DC_OK) {
            char id[300];
            snprintf(id, sizeof id, "seeds/%.*s", (int)(l - 4), de->d_name);
            dc_str_set(&doc->id, id);
            dc_str_set(&doc->collection, "seeds");
            sink(NULL, doc);
        }
        free(data);
    }
    if (d) closedir(d);
    snprintf(dir, sizeof dir, "%s/tei", base);
    d = opendir(dir);
    while (d && (de = readdir(d)) != NULL) {
        if (!strstr(de->d_name, ".xml")) continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        dc_ingest_tei_file(p, sink, NULL, NULL);
    }
    if (d) closedir(d);
    CHECK(ncorpus >= 8);
    char ixdir[512];
    snprintf(ixdir, sizeof ixdir, "%s/corpus", root);
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(ixdir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    dc_index_writer *w;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    for (size_t i = 0; i < ncorpus; i++) CHECK_INT(add_doc(w, i + 1, corpus[i]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    uint64_t t = 0;
    const char *r = ids(ix, "korean armistice \"neutral nations supervisory commission\"", NULL, &t);
    CHECK(strncmp(r, "seeds/000", 9) == 0 || strncmp(r, "frus1958-60v18/d279", 19) == 0);
    if (!(strncmp(r, "seeds/000", 9) == 0 || strncmp(r, "frus1958-60v18/d279", 19) == 0))
        fprintf(stderr, "relevance: got %s\n", r);
    r = ids(ix, "\"nsc 5907\"", NULL, &t);
    CHECK(t >= 1);
    r = ids(ix, "cites:\"NSC 5817\"", NULL, &t);
    CHECK(t >= 1);
    dc_index_close(ix);
    for (size_t i = 0; i < ncorpus; i++) dc_doc_free(corpus[i]);
}

/* The snippet of d for q, with or without the prefilter (snippet.c). */
static char *snip_way(const char *q, const dc_doc *d, int prefilter)
{
    dc_query *qq = NULL;
    if (dc_query_parse(A, q, strlen(q), &qq, NULL) != DC_OK) return NULL;
    dc_buf b;
    dc_buf_init(&b, 0);
    dc_buf_puts(&b, "");
    dc_snippet_prefilter = prefilter;
    CHECK_INT(dc_index_snippet(A, qq, d, 120, "<b>", "</b>", &b), DC_OK);
    dc_snippet_prefilter = 1;
    dc_query_free(qq);
    return dc_buf_detach(&b);
}

static dc_doc *vol[128];
static size_t nvol;

static dc_rc vol_sink(void *ctx, dc_doc *doc)
{
    (void)ctx;
    if (nvol < 128) vol[nvol++] = doc;
    else dc_doc_free(doc);
    return DC_OK;
}

/* Snippets made word by word where a query term's bytes occur are the
 * snippets of the whole text, over a real FRUS volume and the samples,
 * for fixed queries (stems, the die/lie/tie stems, prefixes, phrases,
 * digits, apostrophes) and for words taken from each document. */
static void test_snippet_prefilter(void)
{
    const char *tc = getenv("DC_TEST_CORPUS");
    char p[2048];
    snprintf(p, sizeof p, "%s/volumes/frus1917-72PubDip.xml", tc ? tc : "tests/data/corpus");
    CHECK_INT(dc_ingest_tei_file(p, vol_sink, NULL, NULL), DC_OK);
    const char *base = getenv("DC_CORPUS");
    snprintf(p, sizeof p, "%s/seeds", base ? base : "samples");
    DIR *d = opendir(p);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0) continue;
        char f[4096], *data = NULL;
        size_t len = 0;
        dc_doc *doc = NULL;
        snprintf(f, sizeof f, "%s/%s", p, de->d_name);
        if (dc_read_file(f, DC_INGEST_MAX_FILE, &data, &len, NULL) == DC_OK &&
            dc_ingest_text(data, len, &doc, NULL) == DC_OK)
            vol_sink(NULL, doc);
        free(data);
    }
    if (d) closedir(d);
    /* words the analyzer folds (accents), a mark it ignores inside a word
     * (a soft hyphen), a space that is not ASCII, typographic marks, and
     * query words inside other words (a match begins a word) */
    vol_sink(NULL,
             mkdoc("x/accents", "Accents", "1950-01-01", "UNCLASSIFIED", "released", "letter",
                   "The G\xC3\xB6vernment\xE2\x80\x99s policy on caf\xC3\xA9 and na\xC3\xAFve "
                   "r\xC3\xA9sum\xC3\xA9s; GOVERNMENT policies\xE2\x80\x94governmental. "
                   "\xC3\x89lys\xC3\xA9"
                   "e talks, gov\xC2\xAD"
                   "ernment by soft hyphen, "
                   "no\xC2\xA0"
                   "break policy, \xE2\x80\x9Cpolicy\xE2\x80\x9D and Panam\xC3\xA1; "
                   "non-governmental (policy) xpolicy 3policy policy3 un\xC3\xA9policy."));
    CHECK(nvol > 40);
    static const char *fixed[] = {"government policy",
                                  "armistice",
                                  "die",
                                  "lying",
                                  "tied",
                                  "tie",
                                  "nation*",
                                  "Panama",
                                  "\"united states\"",
                                  "1918",
                                  "nsc",
                                  "don't",
                                  "com*",
                                  "e",
                                  "a*",
                                  "war department",
                                  "propaganda newspapers",
                                  "x7q",
                                  "press",
                                  "O'Brien",
                                  "Committee on Public Information",
                                  "cafe",
                                  "naive",
                                  "elysee",
                                  "break",
                                  "d*",
                                  "ernment",
                                  "olicy",
                                  "policy3"};
    size_t compared = 0, nonempty = 0, folded = 0;
    for (size_t i = 0; i < nvol; i++) {
        dc_buf all;
        dc_buf_init(&all, 0);
        for (size_t k = 0; k < vol[i]->n_portions; k++)
            if (vol[i]->portions[k].text) dc_buf_puts(&all, vol[i]->portions[k].text);
        for (size_t k = 0; k + 1 < all.len; k++) /* a Latin-1 letter or a soft hyphen */
            if ((unsigned char)all.p[k] == 0xC3 || (unsigned char)all.p[k] == 0xC2) {
                folded++;
                break;
            }
        dc_buf_release(&all);
        const char *text = vol[i]->n_portions ? vol[i]->portions[0].text : NULL;
        char words[4][48] = {{0}};
        for (size_t w = 0, k = 0, at = 0; text && text[at] && w < 4; at++) {
            unsigned char c = (unsigned char)text[at];
            if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z' && k < 40) {
                words[w][k++] = (char)c;
            } else if (k) {
                words[w][k] = '\0';
                w += k > 3;
                k = 0;
            }
        }
        for (size_t q = 0; q < sizeof fixed / sizeof *fixed + 4; q++) {
            const char *query = q < sizeof fixed / sizeof *fixed ? fixed[q]
                                                               : words[q - sizeof fixed / sizeof *fixed];
            if (!*query) continue;
            char *a = snip_way(query, vol[i], 1), *b = snip_way(query, vol[i], 0);
            if (a && b) {
                compared++;
                nonempty += strstr(b, "<b>") != NULL;
                if (strcmp(a, b) != 0)
                    fprintf(stderr, "snippet differs for '%s' in %s:\n  %s\n  %s\n", query,
                            vol[i]->id ? vol[i]->id : "?", a, b);
                CHECK_STR(a, b);
            }
            free(a);
            free(b);
        }
    }
    /* documents with letters the analyzer folds among them */
    CHECK(compared > 1000 && nonempty > 200 && folded >= 3);
    for (size_t i = 0; i < nvol; i++) dc_doc_free(vol[i]);
}

static void rm_rf(const char *p)
{
    DIR *d = opendir(p);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char q[1024];
        snprintf(q, sizeof q, "%s/%s", p, de->d_name);
        struct stat st;
        if (lstat(q, &st) == 0 && S_ISDIR(st.st_mode)) rm_rf(q);
        else unlink(q);
    }
    if (d) closedir(d);
    rmdir(p);
}

/* ---- concurrency: the writer lock and refresh (two handles, one dir) ---- */

/* A document "t/dNNN" whose body holds the shared word "lockword". */
static dc_doc *lock_doc(unsigned i)
{
    char id[32], title[64];
    snprintf(id, sizeof id, "t/d%04u", i);
    snprintf(title, sizeof title, "Lock test %u", i);
    return mkdoc(id, title, "1960-01-01", "UNCLASSIFIED", "released", "memorandum",
                 "A lockword document about concurrent commits.");
}

/* Two handles on the new index root/name (a creates it); dir gets its
 * path (cap bytes). */
static void open_two(const char *name, char *dir, size_t cap, dc_index **a, dc_index **b)
{
    *a = *b = NULL;
    snprintf(dir, cap, "%s/%s", root, name);
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, a, NULL), DC_OK);
    CHECK_INT(dc_index_open(dir, 0, b, NULL), DC_OK);
}

static void test_refresh(void)
{
    char dir[512];
    dc_index *a, *b;
    open_two("refresh", dir, sizeof dir, &a, &b);
    CHECK_INT(dc_index_refresh(NULL), DC_MISUSE);
    CHECK_INT(dc_index_refresh(b), DC_OK); /* nothing changed */
    CHECK_INT(dc_index_doc_count(b), 0);
    /* A commits: B sees nothing until it refreshes, then everything */
    dc_index_writer *w;
    CHECK_INT(dc_index_writer_open(a, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 1, docs[0]), DC_OK);
    CHECK_INT(add_doc(w, 2, docs[1]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    uint64_t t = 0;
    CHECK_STR(ids(b, "armistice", NULL, &t), "");
    CHECK_INT(dc_index_high_water(b), 0);
    CHECK_INT(dc_index_refresh(b), DC_OK);
    CHECK_INT(dc_index_high_water(b), 2);
    CHECK_INT(dc_index_doc_count(b), 2);
    CHECK_STR(ids(b, "armistice", NULL, &t), "c1/a,c1/b");
    check_ix(b);
    /* B writes (its writer refreshes under the lock), A refreshes */
    CHECK_INT(dc_index_writer_open(b, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 3, docs[2]), DC_OK);
    CHECK_INT(dc_index_writer_delete(w, 1), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    CHECK_INT(dc_index_refresh(a), DC_OK);
    CHECK_INT(dc_index_doc_count(a), 2);
    CHECK_INT(dc_index_segment_count(a), 2);
    CHECK_STR(ids(a, "armistice", NULL, &t), "c1/b");
    CHECK_STR(ids(a, "soviet", NULL, &t), "c2/c");
    check_ix(a);
    /* A merges and removes the old files; B still reads its mappings of
     * them, then refreshes onto the merged segment */
    CHECK_INT(dc_index_optimize(a), DC_OK);
    CHECK_INT(count_segfiles(dir), 1);
    CHECK_INT(dc_index_segment_count(b), 2);
    CHECK_STR(ids(b, "armistice", NULL, &t), "c1/b");
    CHECK_INT(dc_index_refresh(b), DC_OK);
    CHECK_INT(dc_index_segment_count(b), 1);
    CHECK_STR(ids(b, "armistice", NULL, &t), "c1/b");
    CHECK_STR(ids(b, "soviet", NULL, &t), "c2/c");
    check_ix(b);
    /* a damaged MANIFEST: refresh fails, B keeps its previous state */
    char mf[600], *saved = NULL;
    size_t len = 0;
    snprintf(mf, sizeof mf, "%s/MANIFEST", dir);
    CHECK_INT(dc_read_file(mf, 1 << 20, &saved, &len, NULL), DC_OK);
    CHECK_INT(dc_index_writer_open(a, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 4, docs[3]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    /* (a MANIFEST is only ever replaced by rename: so is this one) */
    char tmpf[600], *cur = NULL;
    size_t curlen = 0;
    snprintf(tmpf, sizeof tmpf, "%s/manifest.new", root);
    CHECK_INT(dc_read_file(mf, 1 << 20, &cur, &curlen, NULL), DC_OK);
    if (cur && curlen > 32) cur[30] = cur[31] = 'X'; /* checksum now wrong */
    FILE *f = fopen(tmpf, "w");
    if (f && cur) fwrite(cur, 1, curlen, f);
    if (f) fclose(f);
    free(cur);
    CHECK_INT(rename(tmpf, mf), 0);
    CHECK_INT(dc_index_refresh(b), DC_CORRUPT);
    CHECK(strstr(dc_index_errmsg(b), "damaged") != NULL);
    CHECK_INT(dc_index_doc_count(b), 2);
    CHECK_STR(ids(b, "armistice", NULL, &t), "c1/b");
    /* an older MANIFEST put back (generation lower, another file): B
     * loads it afresh; A's next writer finds the newer segment orphaned
     * under the lock and removes it */
    f = fopen(tmpf, "w");
    if (f && saved) fwrite(saved, 1, len, f);
    if (f) fclose(f);
    free(saved);
    CHECK_INT(rename(tmpf, mf), 0);
    CHECK_INT(count_segfiles(dir), 2);
    CHECK_INT(dc_index_refresh(b), DC_OK);
    CHECK_INT(dc_index_doc_count(b), 2);
    CHECK_INT(dc_index_high_water(b), 3);
    check_ix(b);
    CHECK_INT(dc_index_writer_open(a, 0, &w), DC_OK);
    CHECK_INT(dc_index_high_water(a), 3);
    CHECK_INT(dc_index_doc_count(a), 2);
    CHECK_INT(count_segfiles(dir), 1);
    CHECK_INT(dc_index_refresh(a), DC_OK); /* no-op while a writer is open */
    dc_index_writer_abort(w);
    check_ix(a);
    dc_index_close(a);
    dc_index_close(b);
}

/* The second writer of test_lock: records what it saw once it got the lock. */
typedef struct waiter {
    dc_index *ix;
    dc_rc open_rc, below_rc, add_rc, commit_rc;
    uint64_t hw_seen;
} waiter;

static void *waiter_run(void *p)
{
    waiter *wt = p;
    dc_index_writer *w = NULL;
    wt->open_rc = dc_index_writer_open(wt->ix, 0, &w); /* blocks until A commits */
    if (wt->open_rc) return NULL;
    wt->hw_seen = dc_index_high_water(wt->ix);
    wt->below_rc = add_doc(w, wt->hw_seen, docs[0]); /* A's last docid */
    wt->add_rc = add_doc(w, wt->hw_seen + 1, docs[3]);
    wt->commit_rc = dc_index_writer_commit(w);
    return NULL;
}

/* A shared writer holds no lock while it buffers, publishes what it
 * buffered (a segment and a MANIFEST) when told and at its commit, and
 * publishes nothing once another writer committed meanwhile. */
static void test_shared_writer(void)
{
    char dir[512];
    dc_index *a, *b;
    open_two("shared", dir, sizeof dir, &a, &b);
    dc_doc *d[8];
    for (int k = 1; k <= 7; k++) {
        char id[16], text[64];
        snprintf(id, sizeof id, "sw/%d", k);
        snprintf(text, sizeof text, "Shared writer document number %d.", k);
        d[k] = mkdoc(id, "Shared", "1950-01-01", "SECRET", "released", "memorandum", text);
    }
    dc_index_writer *w = NULL, *w2 = NULL;
    CHECK_INT(dc_index_writer_open_shared(a, 0, &w), DC_OK);
    CHECK_INT(dc_ix_lock(b, 0), 1); /* not held while it buffers */
    dc_ix_unlock(b);
    CHECK_INT(add_doc(w, 1, d[1]), DC_OK);
    CHECK_INT(add_doc(w, 2, d[2]), DC_OK);
    CHECK_INT(dc_index_writer_publish(w), DC_OK);
    CHECK_INT(dc_index_refresh(b), DC_OK);
    CHECK_INT(dc_index_high_water(b), 2);
    CHECK_INT(dc_index_doc_count(b), 2);
    CHECK_INT(dc_index_writer_overtaken(w), 0);
    CHECK_INT(add_doc(w, 3, d[3]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    CHECK_INT(dc_index_refresh(b), DC_OK);
    CHECK_INT(dc_index_high_water(b), 3);
    CHECK_INT(dc_index_doc_count(b), 3);
    CHECK_INT(dc_index_segment_count(b), 2);
    check_ix(b);
    /* overtaken: B commits docid 5 while A's shared writer holds 4 */
    CHECK_INT(dc_index_writer_open_shared(a, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_clear(w), DC_MISUSE);
    CHECK_INT(add_doc(w, 4, d[4]), DC_OK);
    CHECK_INT(dc_index_writer_open(b, 0, &w2), DC_OK);
    CHECK_INT(add_doc(w2, 5, d[5]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w2), DC_OK);
    CHECK_INT(dc_index_writer_overtaken(w), 1);
    CHECK(dc_index_writer_commit(w) != DC_OK);
    CHECK_INT(dc_index_refresh(a), DC_OK);
    CHECK_INT(dc_index_high_water(a), 5);
    CHECK_INT(dc_index_doc_count(a), 4); /* 1, 2, 3 and 5: not 4 */
    check_ix(a);
    /* a publish that finds the index moved on fails alike, and no file
     * of it stays behind */
    CHECK_INT(dc_index_writer_open_shared(a, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 6, d[6]), DC_OK);
    CHECK_INT(dc_index_writer_open(b, 0, &w2), DC_OK);
    CHECK_INT(add_doc(w2, 7, d[7]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w2), DC_OK);
    CHECK(dc_index_writer_publish(w) != DC_OK);
    CHECK_INT(dc_index_writer_overtaken(w), 1);
    dc_index_writer_abort(w);
    CHECK_INT(dc_index_refresh(a), DC_OK);
    CHECK_INT(dc_index_doc_count(a), 5);
    CHECK_INT(dc_index_segment_count(a), 4);
    check_ix(a);
    dc_index_close(a);
    dc_index_close(b);
    for (int k = 1; k <= 7; k++) dc_doc_free(d[k]);
}

/* A handle that loaded the MANIFEST before another writer published a
 * segment, and then takes the lock to remove orphans (as dc_index_open
 * does with a free lock), keeps that segment: orphans are decided against
 * the MANIFEST under the lock (a search opening the index while an ingest
 * published deleted the ingest's new segment: "cannot open segment"). */
static void test_orphans_stale_view(void)
{
    char dir[512];
    dc_index *a, *b;
    open_two("stale", dir, sizeof dir, &a, &b);
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(b, 0, &w), DC_OK);
    for (uint64_t d = 1; d <= 3; d++) CHECK_INT(add_doc(w, d, docs[d - 1]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    size_t before = count_segfiles(dir);
    CHECK(before >= 1);
    CHECK_INT((int)dc_index_segment_count(a), 0); /* a's view: the empty index */
    CHECK_INT(dc_ix_lock(a, 0), 1);
    dc_ix_remove_orphans(a);
    dc_ix_unlock(a);
    CHECK_INT((int)count_segfiles(dir), (int)before);
    dc_index *c = NULL;
    CHECK_INT(dc_index_open(dir, 0, &c, NULL), DC_OK);
    CHECK_INT(dc_index_doc_count(c), 3);
    check_ix(c);
    dc_index_close(c);
    dc_index_close(a);
    dc_index_close(b);
}

static void test_lock(void)
{
    char dir[512], lock[600];
    dc_index *a, *b;
    open_two("lock", dir, sizeof dir, &a, &b);
    snprintf(lock, sizeof lock, "%s/LOCK", dir);
    CHECK(access(lock, F_OK) == 0);
    /* free: B can take and drop it */
    CHECK_INT(dc_ix_lock(b, 0), 1);
    CHECK_INT(dc_ix_lock(b, 0), -1); /* held by this handle already */
    dc_ix_unlock(b);
    dc_ix_unlock(b); /* not held: no-op */
    dc_index_writer *w = NULL, *w2 = NULL;
    CHECK_INT(dc_index_writer_open(a, 0, &w), DC_OK);
    /* held by A's writer: B (another open file description) is refused */
    CHECK_INT(dc_ix_lock(b, 0), 0);
    CHECK_INT(dc_index_writer_open(a, 0, &w2), DC_MISUSE); /* one per handle */
    CHECK(w2 == NULL);
    CHECK_INT(dc_index_optimize(a), DC_MISUSE);
    /* B's writer waits for A's commit, then sees its high-water mark */
    waiter wt = {.ix = b, .open_rc = DC_INTERNAL};
    pthread_t th;
    CHECK_INT(pthread_create(&th, NULL, waiter_run, &wt), 0);
    for (uint64_t d = 1; d <= 3; d++) CHECK_INT(add_doc(w, d, docs[d - 1]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    pthread_join(th, NULL);
    CHECK_INT(wt.open_rc, DC_OK);
    CHECK_INT(wt.hw_seen, 3);
    CHECK_INT(wt.below_rc, DC_MISUSE);
    CHECK_INT(wt.add_rc, DC_OK);
    CHECK_INT(wt.commit_rc, DC_OK);
    CHECK_INT(dc_index_high_water(b), 4);
    CHECK_INT(dc_ix_lock(a, 0), 1); /* released by both commits */
    dc_ix_unlock(a);
    CHECK_INT(dc_index_refresh(a), DC_OK);
    CHECK_INT(dc_index_doc_count(a), 4);
    check_ix(a);
    /* an aborted writer releases the lock too */
    CHECK_INT(dc_index_writer_open(b, 0, &w), DC_OK);
    CHECK_INT(dc_ix_lock(a, 0), 0);
    dc_index_writer_abort(w);
    CHECK_INT(dc_ix_lock(a, 0), 1);
    dc_ix_unlock(a);
    dc_index_close(a);
    dc_index_close(b);
}

/* Concurrent catch-up, as the facade's handles do it: a shared "store"
 * grows; each thread's writer indexes whatever its high-water mark (read
 * under the lock) lacks.  A third thread refreshes and searches. */
enum { CONC_DOCS = 240, CONC_STEP = 6 };
static dc_doc *conc_docs[CONC_DOCS + 1];
static pthread_mutex_t conc_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned conc_store;     /* docids 1..conc_store "exist" */
static int conc_done;

typedef struct conc {
    char dir[512];
    int id;
    dc_rc rc;      /* first failure */
    char why[600];
    unsigned added, aborted, searches;
    uint64_t last_total;
} conc;

static void conc_fail(conc *c, dc_rc rc, const char *what, dc_index *ix)
{
    if (c->rc) return;
    c->rc = rc;
    snprintf(c->why, sizeof c->why, "%s: %s", what, ix ? dc_index_errmsg(ix) : "");
}

static void *conc_writer(void *p)
{
    conc *c = p;
    dc_index *ix = NULL;
    dc_rc rc = dc_index_open(c->dir, DC_INDEX_CREATE, &ix, NULL);
    if (rc) {
        conc_fail(c, rc, "open", NULL);
        return NULL;
    }
    for (int round = 0; !c->rc; round++) {
        pthread_mutex_lock(&conc_mu);
        if (conc_store < CONC_DOCS) conc_store += CONC_STEP;
        unsigned max = conc_store;
        pthread_mutex_unlock(&conc_mu);
        if ((rc = dc_index_refresh(ix)) != DC_OK) conc_fail(c, rc, "refresh", ix);
        if (dc_index_high_water(ix) >= max) {
            if (max >= CONC_DOCS) break;
            continue;
        }
        dc_index_writer *w = NULL;
        if ((rc = dc_index_writer_open(ix, 1 << 16, &w)) != DC_OK) {
            conc_fail(c, rc, "writer", ix);
            break;
        }
        uint64_t hw = dc_index_high_water(ix);
        if (hw >= max) {
            dc_index_writer_abort(w); /* the other one caught up meanwhile */
            c->aborted++;
            continue;
        }
        for (uint64_t d = hw + 1; d <= max && !rc; d++) {
            rc = add_doc(w, d, conc_docs[d]);
            if (!rc) c->added++;
        }
        if (rc) {
            conc_fail(c, rc, "add", ix);
            dc_index_writer_abort(w);
            break;
        }
        if ((rc = dc_index_writer_commit(w)) != DC_OK) conc_fail(c, rc, "commit", ix);
        if (c->id == 0 && round % 7 == 6 && (rc = dc_index_optimize(ix)) != DC_OK)
            conc_fail(c, rc, "optimize", ix);
    }
    dc_index_close(ix);
    return NULL;
}

static void *conc_reader(void *p)
{
    conc *c = p;
    dc_index *ix = NULL;
    dc_analyzer *an = NULL;
    dc_query *q = NULL;
    dc_rc rc = dc_index_open(c->dir, DC_INDEX_CREATE, &ix, NULL);
    if (!rc) rc = dc_analyzer_new(&an);
    if (!rc) rc = dc_query_parse(an, "lockword", 8, &q, NULL);
    if (rc) conc_fail(c, rc, "reader setup", ix);
    for (int last = 0; !rc;) {
        if ((rc = dc_index_refresh(ix)) != DC_OK) {
            conc_fail(c, rc, "reader refresh", ix);
            break;
        }
        dc_search_result *r = NULL;
        if ((rc = dc_index_search(ix, an, q, NULL, &r)) != DC_OK) {
            conc_fail(c, rc, "search", ix);
            break;
        }
        /* every document is live once: never more hits than committed */
        if (r->total != dc_index_doc_count(ix) || r->total > dc_index_high_water(ix))
            conc_fail(c, DC_CORRUPT, "search total disagrees with the index", ix);
        c->last_total = r->total;
        c->searches++;
        dc_search_result_free(r);
        if (last) break;
        pthread_mutex_lock(&conc_mu);
        last = conc_done;
        pthread_mutex_unlock(&conc_mu);
    }
    dc_query_free(q);
    dc_analyzer_free(an);
    dc_index_close(ix);
    return NULL;
}

static void test_concurrent(void)
{
    conc c[3];
    memset(c, 0, sizeof c);
    for (int i = 0; i < 3; i++) {
        snprintf(c[i].dir, sizeof c[i].dir, "%s/conc", root);
        c[i].id = i;
    }
    for (unsigned i = 1; i <= CONC_DOCS; i++) conc_docs[i] = lock_doc(i);
    pthread_t th[3];
    CHECK_INT(pthread_create(&th[2], NULL, conc_reader, &c[2]), 0);
    CHECK_INT(pthread_create(&th[0], NULL, conc_writer, &c[0]), 0);
    CHECK_INT(pthread_create(&th[1], NULL, conc_writer, &c[1]), 0);
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    pthread_mutex_lock(&conc_mu);
    conc_done = 1;
    pthread_mutex_unlock(&conc_mu);
    pthread_join(th[2], NULL);
    for (int i = 0; i < 3; i++) {
        if (c[i].rc) fprintf(stderr, "thread %d: %s\n", i, c[i].why);
        CHECK_INT(c[i].rc, DC_OK);
    }
    /* each document was indexed by exactly one of the writers */
    CHECK_INT(c[0].added + c[1].added, CONC_DOCS);
    CHECK(c[2].searches > 0);
    CHECK_INT(c[2].last_total, CONC_DOCS);
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(c[0].dir, 0, &ix, NULL), DC_OK);
    CHECK_INT(dc_index_high_water(ix), CONC_DOCS);
    CHECK_INT(dc_index_doc_count(ix), CONC_DOCS);
    check_ix(ix);
    uint64_t t = 0;
    ids(ix, "lockword", NULL, &t);
    CHECK_INT(t, CONC_DOCS);
    /* every id once, checked by dc_index_check too: here by name */
    CHECK_STR(ids(ix, "title:\"lock test 17\"", NULL, &t), "t/d0017");
    CHECK_INT(t, 1);
    dc_index_close(ix);
    fprintf(stderr, "concurrent: writer 0 added %u, writer 1 added %u, %u aborted, %u searches\n",
            c[0].added, c[1].added, c[0].aborted + c[1].aborted, c[2].searches);
    for (unsigned i = 1; i <= CONC_DOCS; i++) dc_doc_free(conc_docs[i]);
}

static void test_clear_and_duplicates(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/clear", root);
    dc_index *ix = build("clear", 0, 0, 3);
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_clear(NULL), DC_MISUSE);
    /* clear only before changes */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 4, docs[3]), DC_OK);
    CHECK_INT(dc_index_writer_clear(w), DC_MISUSE);
    dc_index_writer_abort(w);
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_delete(w, 1), DC_OK);
    CHECK_INT(dc_index_writer_clear(w), DC_MISUSE);
    dc_index_writer_abort(w);
    /* replace everything: docids restart below the old high-water mark */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_clear(w), DC_OK);
    CHECK_INT(add_doc(w, 1, docs[3]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    CHECK_INT(dc_index_high_water(ix), 1);
    CHECK_INT(dc_index_doc_count(ix), 1);
    CHECK_INT(count_segfiles(dir), 1);
    uint64_t t = 0;
    CHECK_STR(ids(ix, "armistice", NULL, &t), "");
    CHECK_STR(ids(ix, "annex", NULL, &t), "c2/d");
    check_ix(ix);
    /* clearing to nothing */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_clear(w), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    CHECK_INT(dc_index_high_water(ix), 0);
    CHECK_INT(dc_index_doc_count(ix), 0);
    CHECK_INT(count_segfiles(dir), 0);
    check_ix(ix);
    /* one document under two live docids is caught by the check */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 5, docs[1]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 6, docs[0]), DC_OK);
    CHECK_INT(add_doc(w, 7, docs[1]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    dc_error e;
    CHECK_INT(dc_index_check(ix, &e), DC_CORRUPT);
    CHECK(strstr(e.msg, "c1/b is indexed twice") != NULL);
    /* the older version deleted: fine again */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_delete(w, 5), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    CHECK_INT(dc_index_doc_count(ix), 2);
    dc_index_close(ix);
}

/* dc_index_check_docs: the live documents against a store's current
 * versions (several segments: budget 1). */
static void test_check_docs(void)
{
    dc_index *ix = build("checkdocs", 1, 0, 4);
    dc_error e;
    uint64_t all[] = {1, 2, 3, 4}, more[] = {1, 2, 3, 4, 5}, gap[] = {1, 2, 4}, bad[] = {1, 3, 2};
    const char *ids[] = {"c1/a", "c1/b", "c2/c", "c2/d", "c3/e"};
    const char *wrong[] = {"c1/a", "c1/b", "c2/x", "c2/d"};
    CHECK_INT(dc_index_check_docs(ix, all, ids, 4, &e), DC_OK);
    CHECK_STR(e.msg, "");
    /* a version above the high-water mark: not indexed yet, not an error */
    CHECK_INT(dc_index_check_docs(ix, more, ids, 5, &e), DC_OK);
    CHECK_INT(dc_index_check_docs(ix, gap, ids, 3, &e), DC_CORRUPT);
    CHECK(strstr(e.msg, "version 3 (c2/c) is live but not a current version") != NULL);
    CHECK_INT(dc_index_check_docs(ix, NULL, NULL, 0, &e), DC_CORRUPT);
    CHECK(strstr(e.msg, "version 1 (c1/a) is live") != NULL);
    CHECK_INT(dc_index_check_docs(ix, all, wrong, 4, &e), DC_CORRUPT);
    CHECK(strstr(e.msg, "version 3 of c2/x is indexed as c2/c") != NULL);
    CHECK_INT(dc_index_check_docs(ix, bad, ids, 3, &e), DC_MISUSE);
    CHECK_INT(dc_index_check_docs(NULL, all, ids, 4, &e), DC_MISUSE);
    CHECK_INT(dc_index_check_docs(ix, all, NULL, 4, &e), DC_MISUSE);
    /* a current version deleted from the index */
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_delete(w, 2), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    CHECK_INT(dc_index_check_docs(ix, all, ids, 4, &e), DC_CORRUPT);
    CHECK(strstr(e.msg, "version 2 of c1/b is not indexed") != NULL);
    uint64_t after[] = {1, 3, 4};
    const char *after_ids[] = {"c1/a", "c2/c", "c2/d"};
    CHECK_INT(dc_index_check_docs(ix, after, after_ids, 3, &e), DC_OK);
    /* the last one deleted: found after the loop over the segments */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_delete(w, 4), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    CHECK_INT(dc_index_check_docs(ix, after, after_ids, 3, &e), DC_CORRUPT);
    CHECK(strstr(e.msg, "version 4 of c2/d is not indexed") != NULL);
    dc_index_close(ix);
}

/* ---- year facet; top-k pruning against exhaustive scoring ---- */

/* Opens a new index in root/name holding d[0..n) (docids 1..n), in one
 * segment or, with budget 1, one segment per few documents. */
static dc_index *build_set(const char *name, dc_doc **d, size_t n, size_t budget)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, budget, &w), DC_OK);
    for (size_t i = 0; i < n; i++) CHECK_INT(add_doc(w, i + 1, d[i]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    return ix;
}

static void test_year_facet(void)
{
    dc_doc *d[7];
    d[0] = mkdoc("y1/a", "Wheat", "1961-02-03", "SECRET", "released", "memorandum",
                 "wheat exports");
    d[1] = mkdoc("y1/b", "Wheat", "1959", "UNCLASSIFIED", "released", "letter", "wheat prices");
    d[2] = mkdoc("y2/c", "Grain", "1959-12-31", "CONFIDENTIAL", "released", "letter", "wheat");
    d[3] = mkdoc("y2/d", "Undated", NULL, "UNCLASSIFIED", "released", "letter", "wheat again");
    d[4] = mkdoc("y2/e", "Hidden", "1945-05-08", "TOP SECRET", "classified", "telegram",
                 "wheat secret");
    d[5] = mkdoc("y3/f", "Later", "2001-09-11", "UNCLASSIFIED", "released", "report",
                 "wheat barley");
    d[6] = mkdoc("y3/g", "Compartment", "1962-01-01", "SECRET", "classified", "report",
                 "intro text");
    dc_portion *p = dc_doc_add_portion(d[6], "paragraph");
    dc_str_set(&p->text, "wheat under a compartment");
    dc_str_set(&p->classification, "TOP SECRET");
    dc_strv_push(&p->compartments, "ANNEX-F");
    dc_index *one = build_set("year1", d, 7, 0), *many = build_set("yearn", d, 7, 1);
    CHECK(dc_index_segment_count(many) > 1);
    dc_index *both[2] = {one, many};
    dc_access_reader secret = {0, DC_SECRET, NULL, 0, 0};
    dc_access_reader ts_annex = {0, DC_TOP_SECRET, ANNEX, 1, 0};
    dc_access_reader pub = {1, DC_TOP_SECRET, ANNEX, 1, 0};
    for (int k = 0; k < 2; k++) {
        dc_index *ix = both[k];
        dc_search_opts o = {.classification = -1};
        uint64_t t = 0;
        /* every dated match, by year ascending (not by count), undated not counted */
        CHECK_STR(facet(ix, "wheat", NULL, "year"), "1945:1,1959:2,1961:1,1962:1,2001:1");
        ids(ix, "wheat", NULL, &t);
        CHECK_INT(t, 7);
        CHECK_STR(facet(ix, "wheat", NULL, "decade"), "1950s:2,1960s:2,1940s:1,2000s:1");
        CHECK_STR(facet(ix, "barley", NULL, "year"), "2001:1");
        CHECK_STR(facet(ix, "undated", NULL, "year"), "");
        CHECK_STR(facet(ix, "zzzz", NULL, "year"), "");
        /* only what the reader may read: not the TOP SECRET document, nor
         * the compartmented portion that alone holds "wheat" in y3/g */
        o.reader = &secret;
        CHECK_STR(facet(ix, "wheat", &o, "year"), "1959:2,1961:1,2001:1");
        CHECK_STR(facet(ix, "compartment", &o, "year"), "1962:1"); /* its title */
        o.reader = &ts_annex;
        CHECK_STR(facet(ix, "wheat", &o, "year"), "1945:1,1959:2,1961:1,1962:1,2001:1");
        o.reader = &pub; /* public: released only */
        CHECK_STR(facet(ix, "wheat", &o, "year"), "1959:2,1961:1,2001:1");
        /* filters apply to the facet too */
        o.reader = &TOP;
        o.from = "1960";
        CHECK_STR(facet(ix, "wheat", &o, "year"), "1961:1,1962:1,2001:1");
        o.from = NULL;
        o.collection = "y2";
        CHECK_STR(facet(ix, "wheat", &o, "year"), "1945:1,1959:1");
        o.collection = NULL;
        o.classification = DC_UNCLASSIFIED;
        CHECK_STR(facet(ix, "wheat", &o, "year"), "1959:1,2001:1");
        /* the result names five facets, year last */
        dc_query *q = NULL;
        CHECK_INT(dc_query_parse(A, "wheat", 5, &q, NULL), DC_OK);
        dc_search_result *r = NULL;
        CHECK_INT(dc_index_search(ix, A, q, &TOP_OPTS, &r), DC_OK);
        CHECK(r && r->n_facets == 5);
        if (r && r->n_facets == 5) {
            CHECK_STR(r->facets[4].name, "year");
            CHECK_INT(r->facets[4].n_values, 5);
            CHECK_STR(r->facets[4].values[1].value, "1959");
            CHECK_INT(r->facets[4].values[1].count, 2);
        }
        dc_search_result_free(r);
        dc_query_free(q);
    }
    dc_index_close(one);
    dc_index_close(many);
    for (size_t i = 0; i < 7; i++) dc_doc_free(d[i]);
}

/* The search as text: total, hits (id:score, %.17g), facets. */
static char *dump_page(dc_index *ix, const char *q, size_t limit, size_t offset,
                       const dc_access_reader *rd)
{
    dc_query *qq = NULL;
    dc_buf b;
    dc_buf_init(&b, 0);
    if (dc_query_parse(A, q, strlen(q), &qq, NULL) != DC_OK) return dc_strdup("PARSE");
    dc_search_opts o = {.limit = limit, .offset = offset, .classification = -1, .reader = rd};
    dc_search_result *r = NULL;
    dc_rc rc = dc_index_search(ix, A, qq, &o, &r);
    dc_buf_printf(&b, "rc=%d", (int)rc);
    if (!rc) {
        dc_buf_printf(&b, " total=%llu", (unsigned long long)r->total);
        for (size_t i = 0; i < r->n_hits; i++)
            dc_buf_printf(&b, " %s:%.17g", r->hits[i].id, r->hits[i].score);
        dc_buf_puts(&b, " |");
        for (size_t f = 0; f < r->n_facets; f++)
            for (size_t i = 0; i < r->facets[f].n_values; i++)
                dc_buf_printf(&b, " %s=%s:%llu", r->facets[f].name, r->facets[f].values[i].value,
                              (unsigned long long)r->facets[f].values[i].count);
        dc_search_result_free(r);
    }
    dc_query_free(qq);
    return dc_buf_detach(&b);
}

/* The first n hits of a dump_page text, and its total and facets. */
static char *first_hits(const char *page, size_t skip, size_t n)
{
    dc_buf b;
    dc_buf_init(&b, 0);
    const char *p = page, *bar = strstr(page, " |");
    const char *sp = strchr(p, ' ');
    sp = sp ? strchr(sp + 1, ' ') : NULL; /* after "rc=0 total=N" */
    dc_buf_add(&b, page, sp ? (size_t)(sp - page) : strlen(page));
    size_t k = 0;
    while (sp && bar && sp < bar) {
        const char *nx = strchr(sp + 1, ' ');
        if (!nx || nx > bar) nx = bar;
        if (k >= skip && k < skip + n) dc_buf_add(&b, sp, (size_t)(nx - sp));
        k++;
        sp = nx < bar ? nx : NULL;
    }
    if (bar) dc_buf_puts(&b, bar);
    return dc_buf_detach(&b);
}

/* Words of a synthetic document, for a brute-force count. */
static int synth_has(const dc_doc *d, const char *phrase, int prefix)
{
    char hay[9000];
    const char *body = d->n_portions ? d->portions[0].text : "";
    const char *texts[2] = {body, d->title};
    for (int t = 0; t < 2; t++) {
        snprintf(hay, sizeof hay, " %s ", texts[t]);
        if (!prefix && strstr(hay, phrase)) return 1;
        if (prefix) {
            char pre[64];
            snprintf(pre, sizeof pre, " %s", phrase);
            if (strstr(hay, pre)) return 1;
        }
    }
    return 0;
}

static void test_topk_exhaustive(void)
{
    enum { N = 600 };
    dc_doc *syn[N];
    make_synth(syn, N);
    dc_index *one = build_set("topk1", syn, N, 0), *many = build_set("topkn", syn, N, 1);
    CHECK(dc_index_segment_count(many) > 10);
    static const char *queries[] = {
        "\"of the\"", "\"the of\"", "\"the the\"", "\"of and to\"", "\"the of and\"",
        "\"neutral nations\"", "\"the\"", "\"of the\" treaty", "korea OR \"the of\"",
        "treaty -\"of the\"", "\"in the\" \"to the\"", "n*", "negot* OR \"the in\"", "the",
        "of and to in", "t*", "negotiate treaty", "\"nsc 5907\"", "title:\"of the\"",
        "\"of the\" date:1950..1960"};
    dc_access_reader secret = {0, DC_SECRET, ANNEX, 1, 0};
    const dc_access_reader *readers[2] = {NULL, &secret};
    for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++)
        for (int ri = 0; ri < 2; ri++) {
            dc_index *ixs[2] = {one, many};
            for (int k = 0; k < 2; k++) {
                /* exhaustive: a page larger than the matches, so every
                 * match is scored in full and none is pruned */
                char *all = dump_page(ixs[k], queries[qi], 1000, 0, readers[ri]);
                char *top = dump_page(ixs[k], queries[qi], 10, 0, readers[ri]);
                char *want = first_hits(all, 0, 10);
                CHECK_STR(top, want);
                free(top);
                free(want);
                top = dump_page(ixs[k], queries[qi], 5, 7, readers[ri]);
                want = first_hits(all, 7, 5);
                CHECK_STR(top, want);
                free(top);
                free(want);
                CHECK(strstr(all, "rc=0 total=") == all);
                free(all);
            }
            char *a = dump_page(one, queries[qi], 10, 0, readers[ri]);
            char *b = dump_page(many, queries[qi], 10, 0, readers[ri]);
            /* the same totals and facets whatever the segments */
            const char *ta = strstr(a, " |"), *tb = strstr(b, " |");
            CHECK(ta && tb && strcmp(ta, tb) == 0);
            CHECK(strtoull(a + 10, NULL, 10) == strtoull(b + 10, NULL, 10));
            free(a);
            free(b);
        }
    /* brute force: totals of phrases, of a union of many terms (windows)
     * and of a common word, from the generated text */
    static const char *bf[][3] = {{"\"of the\"", " of the ", ""}, {"\"the the\"", " the the ", ""},
                                  {"\"the of\"", " the of ", ""}, {"n*", "n", "p"},
                                  {"t*", "t", "p"}, {"\"to\"", " to ", ""}};
    for (size_t i = 0; i < sizeof bf / sizeof *bf; i++) {
        uint64_t want = 0, t1 = 0, t2 = 0;
        for (size_t k = 0; k < N; k++)
            want += (uint64_t)synth_has(syn[k], bf[i][1], bf[i][2][0] == 'p');
        ids(one, bf[i][0], NULL, &t1);
        ids(many, bf[i][0], NULL, &t2);
        CHECK_INT(t1, want);
        CHECK_INT(t2, want);
        CHECK(want > 0);
    }
    dc_index_close(one);
    dc_index_close(many);
    for (size_t i = 0; i < N; i++) dc_doc_free(syn[i]);
}

/* For each query, both readers, one segment and many: the page with the
 * way under test on (set(1)) is the page with it off (set(0)), scores bit
 * for bit; set(-1) puts the default back. */
static void same_both_ways(dc_index *one, dc_index *many, const char *const *queries, size_t nq,
                           void (*set)(int))
{
    dc_access_reader secret = {0, DC_SECRET, ANNEX, 1, 0};
    const dc_access_reader *readers[2] = {NULL, &secret};
    dc_index *ixs[2] = {one, many};
    for (size_t qi = 0; qi < nq; qi++)
        for (int ri = 0; ri < 2; ri++)
            for (int k = 0; k < 2; k++) {
                set(1);
                char *on = dump_page(ixs[k], queries[qi], 50, 0, readers[ri]);
                set(0);
                char *off = dump_page(ixs[k], queries[qi], 50, 0, readers[ri]);
                set(-1);
                CHECK_STR(on, off);
                CHECK(strstr(on, "rc=0 total=") == on);
                free(on);
                free(off);
            }
}

static size_t window_min_default;

static void set_windows(int on) { dc_union_window_min = on ? window_min_default : (size_t)-1; }

static uint64_t block_density_default, block_spread_default;

/* on: every word of an AND (that starts with two) read by windows; off:
 * none */
static void set_blocks(int on)
{
    dc_and_block_density = on < 0 ? block_density_default : on ? (uint64_t)1 << 30 : 0;
    dc_and_block_spread = on < 0 ? block_spread_default : (uint64_t)1 << 30;
}

/* on: the two cheapest words of an AND by windows, the other kids sought
 * at their candidates; off: none */
static void set_blocks_two(int on)
{
    dc_and_block_density = on < 0 ? block_density_default : on ? (uint64_t)1 << 30 : 0;
    dc_and_block_spread = on < 0 ? block_spread_default : 0;
}

/* on: every AND's cheapest kid taken for sparse (density 1: fewer entries
 * than the segment), its other words sought without windows; off: the
 * words' windows kept */
static void set_sparse(int on)
{
    dc_and_block_density = on < 0 ? block_density_default : on ? 1 : 0;
    dc_and_block_spread = block_spread_default;
}

/* Unions of many cursors read by windows of ordinals give what merging
 * them cursor by cursor gives: the same hits, scores to the last bit,
 * totals and facets, over more entries than a window in one segment and
 * in many, alone, under AND and NOT and beside rare words (windows
 * skipped); a prefix's total is also counted by brute force. */
static void test_union_windows(void)
{
    enum { N = 2600 };
    static dc_doc *syn[N];
    make_synth(syn, N);
    dc_index *one = build_set("uwin1", syn, N, 0), *many = build_set("uwinn", syn, N, 1);
    CHECK(one->segs[0]->ndocs > 2 * 1024);
    static const char *queries[] = {"n*",
                                    "t*",
                                    "n* t*",
                                    "negot* treaty",
                                    "nation*",
                                    "n* -t*",
                                    "korea n*",
                                    "t* -korea",
                                    "negotiating",
                                    "nations",
                                    "co* OR korea",
                                    "title:t*",
                                    "n* date:1950..1955",
                                    "\"of the\" t*",
                                    "treaty"};
    window_min_default = dc_union_window_min;
    same_both_ways(one, many, queries, sizeof queries / sizeof *queries, set_windows);
    uint64_t want = 0, t1 = 0, t2 = 0;
    for (size_t k = 0; k < N; k++) want += (uint64_t)synth_has(syn[k], "n", 1);
    ids(one, "n*", NULL, &t1);
    ids(many, "n*", NULL, &t2);
    CHECK_INT(t1, want);
    CHECK_INT(t2, want);
    CHECK(want > 1024);
    dc_index_close(one);
    dc_index_close(many);
    for (size_t i = 0; i < N; i++) dc_doc_free(syn[i]);
}

/* ANDs read by intersecting windows (dc_and_block_density) find what
 * and_advance finds, with the same scores: the dumps compared with the
 * intersection on (every word kid by windows; then the two cheapest by
 * windows and the other kids sought, phrases, filters and ORs among
 * them) and off, in one and many segments, for both readers; and so do
 * ANDs of a sparse cheapest kid, whose other words are sought without
 * their windows (and_sparse_seek). */
static void test_and_blocks(void)
{
    enum { N = 2600 };
    static dc_doc *syn[N];
    make_synth(syn, N);
    dc_index *one = build_set("blk1", syn, N, 0), *many = build_set("blkn", syn, N, 1);
    static const char *queries[] = {"n* t*",
                                    "negot* treaty",
                                    "korea n*",
                                    "n* -t*",
                                    "t* -korea",
                                    "nations treaty",
                                    "treaty korea nations",
                                    "title:t* n*",
                                    "collection:va n*",
                                    "n* date:1950..1955",
                                    "\"of the\" t*",
                                    "(korea OR treaty) nations",
                                    "negotiating nations -treaty -korea",
                                    "n* t* \"of the\"",
                                    "n* t* date:1950..1955",
                                    "n* t* (korea OR nations)",
                                    "nations treaty korea negotiating t*"};
    block_density_default = dc_and_block_density;
    block_spread_default = dc_and_block_spread;
    same_both_ways(one, many, queries, sizeof queries / sizeof *queries, set_blocks);
    same_both_ways(one, many, queries, sizeof queries / sizeof *queries, set_blocks_two);
    same_both_ways(one, many, queries, sizeof queries / sizeof *queries, set_sparse);
    /* the count against the documents themselves */
    uint64_t want = 0, t1 = 0, t2 = 0;
    for (size_t k = 0; k < N; k++)
        want += (uint64_t)(synth_has(syn[k], "n", 1) && synth_has(syn[k], "t", 1));
    set_blocks(1);
    ids(one, "n* t*", NULL, &t1);
    ids(many, "n* t*", NULL, &t2);
    set_blocks(-1);
    CHECK_INT(t1, want);
    CHECK_INT(t2, want);
    CHECK(want > 100);
    dc_index_close(one);
    dc_index_close(many);
    for (size_t i = 0; i < N; i++) dc_doc_free(syn[i]);
}

/* ---- the index holds views: statistics per reader ---- */

/* Mixed documents: released (some with withheld portions) or not, at
 * every level, portions with their own markings and compartments
 * (ALPHA, BRAVO), footnotes anchored in them. */
static void make_mixed(dc_doc **out, size_t n)
{
    static const char *levels[] = {"UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"};
    static const char *status[] = {"released", "released", "classified", "under-review"};
    static const char *types[] = {"letter", "memorandum", "telegram"};
    size_t nv = sizeof vocab / sizeof *vocab;
    char id[64], date[16], title[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "m%u/d%zu", rnd(2), i);
        snprintf(date, sizeof date, "19%02u-%02u-01", 50 + rnd(15), 1 + rnd(12));
        snprintf(title, sizeof title, "%s %s", vocab[rnd((unsigned)nv)], vocab[rnd((unsigned)nv)]);
        dc_doc *d = mkdoc(id, title, date, levels[rnd(4)], status[rnd(4)], types[rnd(3)], NULL);
        unsigned np = 1 + rnd(4);
        for (unsigned k = 0; k < np; k++) {
            dc_buf b;
            dc_buf_init(&b, 0);
            unsigned words = 5 + rnd(120);
            for (unsigned j = 0; j < words; j++)
                dc_buf_printf(&b, "%s%s", j ? " " : "", vocab[rnd((unsigned)nv)]);
            char pid[16];
            snprintf(pid, sizeof pid, "p%u", k);
            dc_portion *p = dc_doc_add_portion(d, "paragraph");
            dc_str_set(&p->id, pid);
            dc_str_set(&p->text, b.p);
            dc_buf_release(&b);
            if (rnd(3) == 0) dc_str_set(&p->classification, levels[rnd(4)]);
            if (rnd(6) == 0) dc_strv_push(&p->compartments, "ALPHA");
            if (rnd(9) == 0) dc_strv_push(&p->compartments, "BRAVO");
            if (rnd(6) == 0) {
                p->withheld = 1;
                dc_str_set(&p->withheld_reason, "25X1");
            }
            if (rnd(5) == 0) {
                dc_footnote *f = dc_doc_add_footnote(d);
                dc_str_set(&f->n, "1");
                dc_str_set(&f->anchor, pid);
                dc_str_set(&f->text, vocab[rnd((unsigned)nv)]);
            }
        }
        out[i] = d;
    }
}

/* An index of the views one reader may read of d[0..n) (docid i + 1),
 * but for the docids in del, each under the open predicate: what that
 * reader's results must equal. */
static dc_index *reference_index(const char *name, dc_doc **d, size_t n, const uint8_t *del,
                                 const dc_access_reader *r)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    for (size_t i = 0; i < n; i++) {
        dc_doc *v = NULL;
        if (del[i] || dc_access_view(r, d[i], &v, NULL) == DC_NOTFOUND) continue;
        CHECK_INT(dc_index_writer_add(w, i + 1, v, &OPEN), DC_OK);
        dc_doc_free(v);
    }
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    return ix;
}

/*
 * (b) For several readers, every output of a search — total, every hit's
 * id and score (to the last bit: %.17g), every facet — equals that of an
 * index built only from that reader's views; over one segment and many,
 * with deleted versions (d), and after a merge.
 */
static void test_reader_equivalence(void)
{
    enum { N = 240 };
    dc_doc *mix[N];
    uint8_t del[N];
    make_mixed(mix, N);
    for (size_t i = 0; i < N; i++) del[i] = i % 11 == 3;
    dc_index *one = NULL, *many = NULL;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/eq1", root);
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &one, NULL), DC_OK);
    snprintf(dir, sizeof dir, "%s/eqn", root);
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &many, NULL), DC_OK);
    dc_index *both[2] = {one, many};
    for (int k = 0; k < 2; k++) {
        dc_index_writer *w = NULL;
        CHECK_INT(dc_index_writer_open(both[k], k ? 1 : 0, &w), DC_OK);
        for (size_t i = 0; i < N; i++) CHECK_INT(add_doc(w, i + 1, mix[i]), DC_OK);
        CHECK_INT(dc_index_writer_commit(w), DC_OK);
        check_ix(both[k]);
        CHECK_INT(dc_index_doc_count(both[k]), N);
        CHECK_INT(dc_index_writer_open(both[k], 0, &w), DC_OK);
        for (size_t i = 0; i < N; i++)
            if (del[i]) CHECK_INT(dc_index_writer_delete(w, i + 1), DC_OK);
        CHECK_INT(dc_index_writer_commit(w), DC_OK);
        check_ix(both[k]);
        CHECK_INT(dc_index_doc_count(both[k]), N - (N + 7) / 11);
    }
    CHECK(dc_index_segment_count(many) > 10);
    /* some documents have several views */
    CHECK(one->segs[0]->ndocs > one->segs[0]->ndistinct);
    static const char *const anames[] = {"ALPHA"}, *const abnames[] = {"ALPHA", "BRAVO"};
    const dc_access_reader readers[] = {
        {1, 0, NULL, 0, 0},                    {0, DC_UNCLASSIFIED, NULL, 0, 0},
        {0, DC_CONFIDENTIAL, NULL, 0, 0},      {0, DC_SECRET, NULL, 0, 0},
        {0, DC_SECRET, anames, 1, 0},          {0, DC_TOP_SECRET, NULL, 0, 0},
        {0, DC_TOP_SECRET, anames, 1, 0},      {0, DC_TOP_SECRET, abnames, 2, 0}};
    static const char *queries[] = {
        "treaty", "negotiate treaty", "\"of the\"", "korea OR japan", "negot* -soviet",
        "title:report", "\"nsc 5907\" council", "date:1950..1955 class:secret", "the",
        "n*", "t*", "declassified", "\"not declassified\"", "annex -the", "\"neutral nations\"",
        "class:\"top secret\" OR soviet", "collection:m1 policy", "\"the\" OR \"of\"", "5*"};
    size_t nr = sizeof readers / sizeof *readers, nq = sizeof queries / sizeof *queries;
    char *first[sizeof queries / sizeof *queries] = {0};
    size_t differ = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) { /* after a merge: classes and predicates carried over */
            CHECK_INT(dc_index_optimize(many), DC_OK);
            check_ix(many);
            CHECK_INT(dc_index_segment_count(many), 1);
            CHECK_INT(dc_index_doc_count(many), N - (N + 7) / 11);
        }
        for (size_t r = 0; r < nr; r++) {
            char name[32];
            snprintf(name, sizeof name, "eqref%d-%zu", round, r);
            dc_index *ref = reference_index(name, mix, N, del, &readers[r]);
            for (size_t qi = 0; qi < nq; qi++) {
                char *want = dump_page(ref, queries[qi], 1000, 0, &PUBLIC);
                for (int k = 0; k < 2; k++) {
                    char *got = dump_page(both[k], queries[qi], 1000, 0, &readers[r]);
                    if (strcmp(got, want) != 0)
                        fprintf(stderr, "reader %zu, %s, index %d:\n got  %s\n want %s\n", r,
                                queries[qi], k, got, want);
                    CHECK_STR(got, want);
                    free(got);
                    /* a page of the top k agrees too (pruned scoring) */
                    got = dump_page(both[k], queries[qi], 5, 3, &readers[r]);
                    char *page = dump_page(ref, queries[qi], 5, 3, &PUBLIC);
                    CHECK_STR(got, page);
                    free(got);
                    free(page);
                }
                CHECK(strstr(want, "rc=0") == want);
                if (round == 0 && r == 0) first[qi] = dc_strdup(want);
                else if (round == 0 && first[qi] && strcmp(first[qi], want) != 0) differ++;
                free(want);
            }
            dc_index_close(ref);
        }
    }
    /* the readers do get different answers: the comparison means something */
    CHECK(differ > nq);
    for (size_t qi = 0; qi < nq; qi++) free(first[qi]);
    dc_index_close(one);
    dc_index_close(many);
    for (size_t i = 0; i < N; i++) dc_doc_free(mix[i]);
}

/* (a) A public hit's score does not move when an unreleased document
 * holding the same word is added; a reader who may read it sees it. */
static void test_hidden_no_effect(void)
{
    dc_doc *d[4];
    d[0] = mkdoc("h/a", "Wheat report", "1959-01-01", "SECRET", "released", "report",
                 "wheat exports to Japan and the trade in wheat");
    d[1] = mkdoc("h/b", "Letter", "1960-01-01", "UNCLASSIFIED", "released", "letter",
                 "a letter that mentions wheat once among many other words of a letter");
    d[2] = mkdoc("h/c", "Secret wheat", "1961-01-01", "SECRET", "classified", "memorandum",
                 "wheat wheat wheat and barley, a long memorandum about wheat stocks");
    d[3] = mkdoc("h/d", "Part", "1962-01-01", "SECRET", "released", "memorandum", "visible text");
    dc_portion *p = dc_doc_add_portion(d[3], "paragraph");
    dc_str_set(&p->text, "withheld wheat figures wheat wheat");
    p->withheld = 1;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/hidden", root);
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 1, d[0]), DC_OK);
    CHECK_INT(add_doc(w, 2, d[1]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    char *pub0 = dump_page(ix, "wheat", 10, 0, NULL);
    char *top0 = dump_page(ix, "wheat", 10, 0, &TOP);
    CHECK(strstr(pub0, "rc=0 total=2 h/a:") == pub0);
    CHECK_STR(top0, pub0);
    /* the unreleased document, in a later commit (its own segment) */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 3, d[2]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    char *pub1 = dump_page(ix, "wheat", 10, 0, NULL);
    char *top1 = dump_page(ix, "wheat", 10, 0, &TOP);
    CHECK_STR(pub1, pub0);
    CHECK(strstr(top1, "rc=0 total=3") == top1);
    /* TOP's scores of h/a and h/b moved (N and df changed for them) */
    const char *x = strstr(top1, " h/a:"), *y = strstr(pub0, " h/a:");
    CHECK(x && y && strtod(x + 5, NULL) != strtod(y + 5, NULL));
    free(pub1);
    /* merged into the public segment: still the same */
    CHECK_INT(dc_index_optimize(ix), DC_OK);
    check_ix(ix);
    pub1 = dump_page(ix, "wheat", 10, 0, NULL);
    CHECK_STR(pub1, pub0);
    free(pub1);
    free(top1);
    free(top0);
    free(pub0);
    /* a released document whose only "wheat" is withheld: the public
     * reads it (a gap) and it counts in N and avgdl, but not in df, and is
     * no hit; TOP reads the portion */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 4, d[3]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    uint64_t t = 0;
    dc_search_opts o = {.classification = -1};
    CHECK_STR(ids(ix, "wheat", &o, &t), "h/a,h/b");
    CHECK_STR(ids(ix, "\"not declassified\"", &o, &t), "h/d");
    CHECK_STR(ids(ix, "\"not declassified\"", NULL, &t), "");
    CHECK_INT(t, 0);
    ids(ix, "wheat", NULL, &t);
    CHECK_INT(t, 4);
    CHECK_INT(dc_index_doc_count(ix), 4);
    dc_index_close(ix);
    for (int i = 0; i < 4; i++) dc_doc_free(d[i]);
}

/* (d) A deleted version counts nowhere: scores after adding and deleting
 * a document (one view, or several) are those from before, bit for bit. */
static void test_deleted_no_effect(void)
{
    dc_doc *d[4];
    d[0] = mkdoc("x/a", "Grain", "1959-01-01", "UNCLASSIFIED", "released", "report",
                 "grain harvest and grain exports");
    d[1] = mkdoc("x/b", "Grain letter", "1960-01-01", "UNCLASSIFIED", "released", "letter",
                 "one grain among a long list of other words here");
    d[2] = mkdoc("x/c", "Grain again", "1961-01-01", "UNCLASSIFIED", "released", "letter",
                 "grain grain grain grain");
    /* two views: the public's and one with the compartmented portion */
    d[3] = mkdoc("x/d", "Grain compartment", "1962-01-01", "SECRET", "released", "memorandum",
                 "grain seen by all");
    dc_portion *p = dc_doc_add_portion(d[3], "paragraph");
    dc_str_set(&p->text, "grain under a compartment, grain again");
    dc_str_set(&p->classification, "SECRET");
    dc_strv_push(&p->compartments, "ANNEX-F");
    p->withheld = 1;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/deleted", root);
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 1, d[0]), DC_OK);
    CHECK_INT(add_doc(w, 2, d[1]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    char *pub0 = dump_page(ix, "grain", 10, 0, NULL), *top0 = dump_page(ix, "grain", 10, 0, &TOP);
    /* a new version of x/b (docid 3 supersedes 2), then superseded back
     * by the first text (docid 5), and x/d added and deleted */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 3, d[2]), DC_OK);
    CHECK_INT(add_doc(w, 4, d[3]), DC_OK);
    CHECK_INT(dc_index_writer_delete(w, 2), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    CHECK_INT(dc_index_segment_count(ix), 2);
    CHECK_INT(ix->segs[1]->ndocs, 3); /* x/c, and x/d's two views */
    CHECK_INT(dc_index_doc_count(ix), 3);
    char *top1 = dump_page(ix, "grain", 10, 0, &TOP);
    CHECK(strstr(top1, "rc=0 total=3") == top1);
    free(top1);
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_delete(w, 3), DC_OK);
    CHECK_INT(dc_index_writer_delete(w, 4), DC_OK);
    CHECK_INT(add_doc(w, 5, d[1]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    CHECK_INT(dc_index_doc_count(ix), 2);
    CHECK_INT(ix->segs[1]->ndel, 3); /* both views of docid 4 */
    char *pub1 = dump_page(ix, "grain", 10, 0, NULL), *top2 = dump_page(ix, "grain", 10, 0, &TOP);
    /* the same ids, scores, totals and facets as before (x/b is docid 5
     * now: its score does not depend on it) */
    CHECK_STR(pub1, pub0);
    CHECK_STR(top2, pub1);
    /* and the same after a merge drops them */
    CHECK_INT(dc_index_optimize(ix), DC_OK);
    check_ix(ix);
    char *pub2 = dump_page(ix, "grain", 10, 0, NULL);
    CHECK_STR(pub2, pub1);
    free(pub0), free(pub1), free(pub2), free(top0), free(top2);
    dc_index_close(ix);
    for (int i = 0; i < 4; i++) dc_doc_free(d[i]);
}

/* (c) The "more than 1,000 terms" limit of a prefix counts only the terms
 * the reader has: those of hidden documents or hidden portions do not. */
static void test_prefix_hidden(void)
{
    dc_buf b1, b2;
    dc_buf_init(&b1, 0);
    dc_buf_init(&b2, 0);
    for (unsigned i = 0; i < 1100; i++) {
        dc_buf_printf(&b1, "zq%c%c%c ", 'a' + i % 26, 'a' + i / 26 % 26, 'a' + i / 676);
        dc_buf_printf(&b2, "zq%c%c%c ", 'a' + i % 26, 'a' + i / 26 % 26, 'n' + i / 676);
    }
    dc_doc *d[3];
    d[0] = mkdoc("z/a", "Public", "1959-01-01", "UNCLASSIFIED", "released", "report",
                 "zqaaa zqbbb zqccc and some other words");
    d[1] = mkdoc("z/b", "Secret", "1959-01-01", "SECRET", "classified", "report", b1.p);
    d[2] = mkdoc("z/c", "Withheld", "1959-01-01", "SECRET", "released", "report", "open part");
    dc_portion *p = dc_doc_add_portion(d[2], "paragraph");
    dc_str_set(&p->text, b2.p);
    p->withheld = 1;
    dc_buf_release(&b1);
    dc_buf_release(&b2);
    dc_index *ix = build_set("prefix", d, 3, 0);
    CHECK_INT(dc_index_segment_count(ix), 1);
    uint64_t t = 0;
    dc_search_opts o = {.classification = -1};
    CHECK_STR(ids(ix, "zq*", &o, &t), "z/a"); /* the public: 3 terms */
    CHECK_INT(t, 1);
    dc_access_reader secret = {0, DC_SECRET, NULL, 0, 0};
    o.reader = &secret;
    CHECK_STR(ids(ix, "zq*", &o, &t), "ERR7");
    CHECK(strstr(dc_index_errmsg(ix), "more than 1000 terms") != NULL);
    /* 52 terms: z/c's withheld portion is SECRET, which this reader reads */
    CHECK_STR(ids(ix, "zqaa*", &o, &t), "z/a,z/b,z/c");
    CHECK_STR(ids(ix, "zq*", NULL, &t), "ERR7");
    dc_index_close(ix);
    for (int i = 0; i < 3; i++) dc_doc_free(d[i]);
}

/* An index of an older format: read as outdated (searches, checks and
 * optimize refuse it) until a writer clears and rebuilds it. */
static void test_outdated(void)
{
    dc_index *ix = build("outdated", 0, 0, 2);
    char dir[512], seg[1024];
    snprintf(dir, sizeof dir, "%s/outdated", root);
    DIR *d = opendir(dir);
    struct dirent *de;
    seg[0] = 0;
    while (d && (de = readdir(d)) != NULL)
        if (strncmp(de->d_name, "seg-", 4) == 0) snprintf(seg, sizeof seg, "%s/%s", dir, de->d_name);
    if (d) closedir(d);
    dc_index_close(ix);
    /* the header of a version 1 segment */
    int fd = open(seg, O_WRONLY);
    uint8_t v1[4] = {1, 0, 0, 0};
    CHECK(fd >= 0 && pwrite(fd, v1, 4, 8) == 4);
    if (fd >= 0) close(fd);
    CHECK_INT(dc_index_open(dir, 0, &ix, NULL), DC_OK);
    CHECK_INT(dc_index_outdated(ix), 1);
    CHECK_INT(dc_index_doc_count(ix), 0);
    CHECK_INT(dc_index_high_water(ix), 2);
    uint64_t t = 0;
    CHECK_STR(ids(ix, "armistice", NULL, &t), "ERR3");
    CHECK(strstr(dc_index_errmsg(ix), "older format") != NULL);
    dc_error e;
    CHECK_INT(dc_index_check(ix, &e), DC_CORRUPT);
    CHECK_INT(dc_index_optimize(ix), DC_CORRUPT);
    /* a commit that does not clear keeps it outdated */
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(add_doc(w, 3, docs[2]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    CHECK_INT(dc_index_outdated(ix), 1);
    /* the rebuild */
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_writer_clear(w), DC_OK);
    for (uint64_t i = 0; i < 3; i++) CHECK_INT(add_doc(w, i + 1, docs[i]), DC_OK);
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    CHECK_INT(dc_index_outdated(ix), 0);
    check_ix(ix);
    CHECK_INT(dc_index_segment_count(ix), 1);
    CHECK_STR(ids(ix, "armistice", NULL, &t), "c1/a,c1/b");
    dc_index_close(ix);
}

/* ---- the dense section (format 3), older segments, the merge policy ---- */

static const dc_access_reader SECRET_RD = {0, DC_SECRET, NULL, 0, 0};
static const dc_access_reader *const READERS[] = {&PUBLIC, &SECRET_RD, &TOP};
static const char *const MQ[] = {"armistice", "treaty korea", "\"neutral nations\"",
                                 "japan OR china", "negot* -soviet", "title:report",
                                 "annex", "date:1950..1960 class:secret", "policy council"};

/* Every query of MQ for every reader of READERS, hits with exact scores,
 * totals and facets, in one string (owned). */
static char *dump_all(dc_index *ix)
{
    dc_buf b;
    dc_buf_init(&b, 0);
    for (size_t r = 0; r < sizeof READERS / sizeof *READERS; r++)
        for (size_t q = 0; q < sizeof MQ / sizeof *MQ; q++) {
            char *d = dump_page(ix, MQ[q], 50, 0, READERS[r]);
            dc_buf_printf(&b, "%s\n", d);
            free(d);
        }
    return dc_buf_detach(&b);
}

/* A short document i: id t/dI, every 5th classified (a SECRET marking,
 * not released), every 9th with an ANNEX-F portion (two views). */
static dc_doc *small_doc(size_t i)
{
    char id[32], title[128], body[256], date[16];
    size_t nv = sizeof vocab / sizeof *vocab;
    snprintf(id, sizeof id, "t%zu/d%zu", i % 3, i);
    snprintf(title, sizeof title, "%s %s", vocab[(i * 7) % nv], vocab[(i * 13 + 5) % nv]);
    snprintf(body, sizeof body, "%s %s %s neutral nations %s", vocab[i % nv],
             vocab[(i * 3 + 1) % nv], vocab[(i * 11 + 2) % nv], vocab[(i / 3) % nv]);
    snprintf(date, sizeof date, "19%02zu-%02zu-01", 45 + i % 20, 1 + i % 12);
    int hidden = i % 5 == 0;
    dc_doc *d = mkdoc(id, title, date, hidden ? "SECRET" : "CONFIDENTIAL",
                      hidden ? "classified" : "released", i % 2 ? "letter" : "report", body);
    if (i % 9 == 0) {
        dc_portion *p = dc_doc_add_portion(d, "paragraph");
        dc_str_set(&p->text, "The annex names the armistice commission.");
        dc_str_set(&p->classification, "TOP SECRET");
        dc_strv_push(&p->compartments, "ANNEX-F");
    }
    return d;
}

/* Adds small documents [from, to) under docids from + 1 ... in one commit
 * (budget: the writer's memory budget), deletes the docids in del. */
static void commit_small(dc_index *ix, size_t budget, size_t from, size_t to,
                         const uint64_t *del, size_t ndel)
{
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, budget, &w), DC_OK);
    for (size_t i = 0; i < ndel; i++) CHECK_INT(dc_index_writer_delete(w, del[i]), DC_OK);
    for (size_t i = from; i < to; i++) {
        dc_doc *d = small_doc(i);
        CHECK_INT(add_doc(w, i + 1, d), DC_OK);
        dc_doc_free(d);
    }
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
}

/* The dense data of every segment of ix as stored equals the dense data
 * computed again from its entries, and the tally after deletions equals
 * a count over the live entries. */
static void check_dense(const dc_index *ix, int in_place)
{
    for (size_t i = 0; i < ix->nsegs; i++) {
        const dc_seg *s = ix->segs[i];
        dc_dense d;
        CHECK_INT(dc_seg_dense_compute(s, &d), DC_OK);
        CHECK(s->ndocs > 0);
        CHECK_INT(s->ndistinct, d.ndistinct);
        CHECK_INT(s->nprof, d.nprof);
        CHECK(memcmp(s->dlen, d.dlen, s->ndocs * 4) == 0);
        CHECK(memcmp(s->prof, d.prof, s->ndocs * 4) == 0);
        for (uint32_t p = 0; p < d.nprof; p++) {
            const dc_sprof *a = &s->profs[p], *b = &d.profs[p];
            CHECK(a->pred == b->pred && a->coll == b->coll && a->doctype == b->doctype &&
                  a->classstr == b->classstr && a->year == b->year &&
                  a->filter_level == b->filter_level);
        }
        for (uint32_t p = 0; p < s->npreds; p++) {
            CHECK_INT(s->pred_live0[p], d.live[p]);
            CHECK_INT(s->pred_len0[p], d.len[p]);
            uint64_t live = 0, len = 0;
            for (uint32_t o = 0; o < s->ndocs; o++)
                if (!dc_seg_deleted(s, o) && s->profs[s->prof[o]].pred == p)
                    live++, len += s->dlen[o];
            CHECK_INT(s->pred_live[p], live);
            CHECK_INT(s->pred_len[p], len);
        }
        /* version 3 is read in place on this (little-endian) host */
        if (in_place) {
            CHECK_INT(s->version, DC_SEG_VERSION);
            CHECK(s->dense_own == NULL);
            CHECK((const uint8_t *)s->dlen > s->map && (const uint8_t *)s->dlen < s->map + s->size);
        }
        dc_dense_release(&d);
    }
}

static char *seg_path(const dc_index *ix, size_t i)
{
    return dc_strdup(ix->segs[i]->path);
}

/* Rewrites a version 3 segment file as version 2 wrote it: the same
 * sections without the dense one, the 240-byte footer, its checksum. */
static void to_v2(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    CHECK_INT(dc_read_file(path, (size_t)1 << 30, &data, &len, NULL), DC_OK);
    uint8_t *m = (uint8_t *)data, *f = m + len - DC_SEG_FOOTER;
    CHECK_INT(dc_rd32(m + 8), 3);
    uint64_t end = dc_rd64(f + 56 + 16 * 9) + dc_rd64(f + 64 + 16 * 9); /* after strings */
    uint8_t foot[DC_SEG_FOOTER_V2];
    memcpy(foot, f, 216); /* magic, counts, sections 0-9 */
    dc_wr32(foot + 216, dc_rd32(f + 232));
    dc_wr32(foot + 220, dc_rd32(f + 236));
    dc_wr32(foot + 224, dc_rd32(f + 240));
    dc_wr32(foot + 228, 0);
    dc_wr32(foot + 232, 2);
    dc_wr32(m + 8, 2);
    uint32_t crc = dc_crc32(0, m, (size_t)end);
    crc = dc_crc32(crc, foot, DC_SEG_FOOTER_V2 - 4);
    dc_wr32(foot + 236, crc);
    FILE *o = fopen(path, "wb");
    CHECK(o && fwrite(m, 1, (size_t)end, o) == end &&
          fwrite(foot, 1, sizeof foot, o) == sizeof foot);
    if (o) fclose(o);
    free(data);
}

/* The entry count of a version 3 segment file held in data. */
static size_t ix_ndocs_of(const char *data, size_t len)
{
    return (size_t)dc_rd64((const uint8_t *)data + len - DC_SEG_FOOTER + 8);
}

static void test_dense(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/dense", root);
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    commit_small(ix, 1, 0, 40, NULL, 0); /* budget 1: a segment per document */
    commit_small(ix, 0, 40, 120, NULL, 0);
    uint64_t del[] = {3, 10, 45, 46, 90, 119};
    commit_small(ix, 0, 120, 130, del, sizeof del / sizeof *del);
    CHECK(dc_index_segment_count(ix) > 30);
    check_dense(ix, 1);
    char *before = dump_all(ix);
    CHECK(strstr(before, "rc=0 total=") != NULL);
    /* reopened: the same, read from the files */
    dc_index_close(ix);
    CHECK_INT(dc_index_open(dir, 0, &ix, NULL), DC_OK);
    check_dense(ix, 1);
    char *again = dump_all(ix);
    CHECK_STR(again, before);
    free(again);
    /* a profile id out of range is caught where it is read: a search of
     * a segment holding it fails, the check names the dense section */
    size_t last = ix->nsegs - 1;
    char *path = seg_path(ix, last);
    uint32_t nprof = ix->segs[last]->nprof;
    size_t at = (size_t)((const uint8_t *)ix->segs[last]->prof - ix->segs[last]->map);
    size_t size = ix->segs[last]->size;
    dc_index_close(ix);
    char *data = NULL;
    size_t len = 0;
    CHECK_INT(dc_read_file(path, (size_t)1 << 30, &data, &len, NULL), DC_OK);
    CHECK_INT(len, size);
    char *orig = malloc(len);
    memcpy(orig, data, len);
    for (size_t o = 0; o < ix_ndocs_of(data, len); o++)
        dc_wr32((uint8_t *)data + at + 4 * o, nprof + 7);
    dc_wr32((uint8_t *)data + len - 4, dc_crc32(0, data, len - 4));
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(data, 1, len, f) == len);
    if (f) fclose(f);
    CHECK_INT(dc_index_open(dir, 0, &ix, NULL), DC_OK);
    CHECK_STR(ids(ix, "neutral", NULL, NULL), "ERR3");
    dc_error e;
    CHECK_INT(dc_index_check(ix, &e), DC_CORRUPT);
    CHECK(strstr(e.msg, "dense section") != NULL);
    dc_index_close(ix);
    f = fopen(path, "wb");
    CHECK(f && fwrite(orig, 1, len, f) == len);
    if (f) fclose(f);
    /* a version 2 index (no dense section): read as before, the dense
     * data computed at open, the same results; merges and optimize
     * rewrite it as version 3 */
    CHECK_INT(dc_index_open(dir, 0, &ix, NULL), DC_OK);
    size_t nseg = ix->nsegs;
    char **paths = calloc(nseg, sizeof *paths);
    for (size_t i = 0; i < nseg; i++) paths[i] = seg_path(ix, i);
    dc_index_close(ix);
    for (size_t i = 0; i < nseg; i++) to_v2(paths[i]);
    CHECK_INT(dc_index_open(dir, 0, &ix, NULL), DC_OK);
    CHECK_INT(dc_index_outdated(ix), 0);
    CHECK_INT(ix->segs[0]->version, 2);
    CHECK(ix->segs[0]->dense_own != NULL);
    check_ix(ix);
    check_dense(ix, 0);
    again = dump_all(ix);
    CHECK_STR(again, before);
    free(again);
    CHECK_INT(dc_index_optimize(ix), DC_OK);
    check_ix(ix);
    CHECK_INT(dc_index_segment_count(ix), 1);
    check_dense(ix, 1);
    again = dump_all(ix);
    CHECK_STR(again, before);
    free(again);
    /* a single version 2 segment is rewritten by optimize too */
    char *one = seg_path(ix, 0);
    dc_index_close(ix);
    to_v2(one);
    CHECK_INT(dc_index_open(dir, 0, &ix, NULL), DC_OK);
    CHECK_INT(ix->segs[0]->version, 2);
    CHECK_INT(dc_index_optimize(ix), DC_OK);
    CHECK_INT(ix->segs[0]->version, DC_SEG_VERSION);
    check_ix(ix);
    again = dump_all(ix);
    CHECK_STR(again, before);
    free(again);
    dc_index_close(ix);
    for (size_t i = 0; i < nseg; i++) free(paths[i]);
    free(paths);
    free(one);
    free(path);
    free(data);
    free(orig);
    free(before);
}

/* An index of the small documents [0, n) but the docids in del, in one
 * batch and one segment: what a merged index must answer alike. */
static dc_index *reference(const char *name, size_t n, const uint64_t *del, size_t ndel)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    for (size_t i = 0; i < n; i++) {
        int gone = 0;
        for (size_t k = 0; k < ndel; k++) gone |= del[k] == i + 1;
        if (gone) continue;
        dc_doc *d = small_doc(i);
        CHECK_INT(add_doc(w, i + 1, d), DC_OK);
        dc_doc_free(d);
    }
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    check_ix(ix);
    return ix;
}

/* The live documents (docids) of each segment, "a,b,c". */
static const char *seg_sizes(const dc_index *ix)
{
    static char buf[512];
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < ix->nsegs && n < sizeof buf - 32; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%llu", i ? "," : "",
                              (unsigned long long)(ix->segs[i]->ndistinct - ix->segs[i]->ndeldocs));
    return buf;
}

static void same_as_reference(dc_index *ix, size_t n, const uint64_t *del, size_t ndel)
{
    dc_index *ref = reference("mref", n, del, ndel);
    char *a = dump_all(ix), *b = dump_all(ref);
    CHECK_STR(a, b);
    free(a);
    free(b);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/mref", root);
    dc_index_close(ref);
    rm_rf(dir);
}

static void test_merge_policy(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/merge", root);
    dc_index *ix = NULL;
    unsigned merges = 9;
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    CHECK_INT(dc_index_merge(ix, 0, &merges), DC_OK); /* empty: nothing */
    CHECK_INT(merges, 0);
    /* one large batch spilled into many segments (one a document at the
     * smallest budget) becomes one: in groups of DC_MERGE_FANIN, a group
     * of one left as it is, then the groups' segments */
    commit_small(ix, 64 << 10, 0, 3000, NULL, 0);
    size_t segs = dc_index_segment_count(ix);
    CHECK(segs > 2 * DC_MERGE_FANIN && segs <= DC_MERGE_FANIN * DC_MERGE_FANIN);
    CHECK_INT(dc_index_merge(ix, 0, &merges), DC_OK);
    CHECK_INT(merges, segs / DC_MERGE_FANIN + (segs % DC_MERGE_FANIN > 1) + 1);
    check_ix(ix);
    check_dense(ix, 1);
    CHECK_INT(dc_index_segment_count(ix), 1);
    same_as_reference(ix, 3000, NULL, 0);
    /* a smaller commit stays beside it: more than twice its size */
    commit_small(ix, 0, 3000, 4100, NULL, 0);
    CHECK_INT(dc_index_merge(ix, 0, &merges), DC_OK);
    CHECK_INT(merges, 0);
    CHECK_STR(seg_sizes(ix), "3000,1100");
    /* another one: 3000 <= 2 x (1100 + 1100), all three merge; not in a
     * merge bounded below their entries, nor while another handle holds
     * the lock */
    commit_small(ix, 0, 4100, 5200, NULL, 0);
    CHECK_INT(dc_index_merge(ix, 5000, &merges), DC_OK);
    CHECK_INT(merges, 0);
    CHECK_INT(dc_index_segment_count(ix), 3);
    dc_index *other = NULL;
    CHECK_INT(dc_index_open(dir, 0, &other, NULL), DC_OK);
    CHECK_INT(dc_ix_lock(other, 1), 1);
    CHECK_INT(dc_index_merge(ix, 100000, &merges), DC_OK);
    CHECK_INT(merges, 0);
    dc_ix_unlock(other);
    dc_index_close(other);
    CHECK_INT(dc_index_merge(ix, 100000, &merges), DC_OK);
    CHECK_INT(merges, 1);
    CHECK_STR(seg_sizes(ix), "5200");
    CHECK_INT(dc_index_merge(ix, 0, &merges), DC_OK);
    CHECK_INT(merges, 0);
    CHECK_STR(seg_sizes(ix), "5200");
    /* tiny commits merge among themselves (each counts as DC_MERGE_MIN),
     * never with the large segment; a deletion in the large segment
     * stays in the MANIFEST */
    uint64_t first = ix->segs[0]->id;
    uint64_t del1[] = {17};
    commit_small(ix, 0, 5200, 5210, del1, 1);
    CHECK_INT(dc_index_merge(ix, 0, &merges), DC_OK);
    CHECK_STR(seg_sizes(ix), "5199,10");
    for (size_t i = 5210; i < 5250; i += 10) {
        commit_small(ix, 0, i, i + 10, NULL, 0);
        CHECK_INT(dc_index_merge(ix, 0, &merges), DC_OK);
        CHECK_INT(merges, 1);
        CHECK_INT(dc_index_segment_count(ix), 2);
        check_ix(ix);
    }
    CHECK_STR(seg_sizes(ix), "5199,50");
    CHECK_INT(ix->segs[0]->id, first);
    CHECK_INT(ix->ndeleted, 1);
    check_dense(ix, 1);
    same_as_reference(ix, 5250, del1, 1);
    /* half the large segment deleted: rewritten alone, its deletions
     * leave the MANIFEST */
    uint64_t *del = malloc(2700 * sizeof *del);
    size_t ndel = 0;
    del[ndel++] = 17;
    for (uint64_t d = 100; ndel < 2700; d += 1) del[ndel++] = d;
    commit_small(ix, 0, 5250, 5250, del + 1, ndel - 1);
    CHECK_INT(dc_index_merge(ix, 0, &merges), DC_OK);
    CHECK_INT(merges, 1);
    check_ix(ix);
    check_dense(ix, 1);
    CHECK_INT(ix->ndeleted, 0);
    CHECK_STR(seg_sizes(ix), "2500,50");
    CHECK_INT(dc_index_doc_count(ix), 2550);
    same_as_reference(ix, 5250, del, ndel);
    /* reopened: the same */
    dc_index_close(ix);
    CHECK_INT(dc_index_open(dir, 0, &ix, NULL), DC_OK);
    check_ix(ix);
    CHECK_STR(seg_sizes(ix), "2500,50");
    same_as_reference(ix, 5250, del, ndel);
    /* a writer open on the handle: misuse */
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    CHECK_INT(dc_index_merge(ix, 0, &merges), DC_MISUSE);
    dc_index_writer_abort(w);
    dc_index_close(ix);
    free(del);
}

/* Optimize of a run longer than DC_MERGE_FANIN (merged in groups, as in
 * test_merge_policy), a group whose every entry is deleted dropping out:
 * one segment with the answers of one batch. */
static void test_merge_fanin(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/fanin", root);
    dc_index *ix = NULL;
    const size_t n = 300;
    CHECK_INT(dc_index_open(dir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    commit_small(ix, 1, 0, n, NULL, 0);
    CHECK(dc_index_segment_count(ix) > 2 * DC_MERGE_FANIN);
    /* every docid of the first group deleted, and one after it */
    size_t ndel = (size_t)ix->segs[DC_MERGE_FANIN - 1]->max_docid + 1;
    uint64_t *del = malloc(ndel * sizeof *del);
    CHECK(del != NULL);
    for (size_t i = 0; i < ndel - 1; i++) del[i] = i + 1;
    del[ndel - 1] = n - 5;
    commit_small(ix, 0, n, n, del, ndel);
    CHECK_INT(dc_index_optimize(ix), DC_OK);
    CHECK_INT(dc_index_segment_count(ix), 1);
    CHECK_INT(ix->ndeleted, 0);
    CHECK_INT(dc_index_doc_count(ix), n - ndel);
    check_ix(ix);
    check_dense(ix, 1);
    same_as_reference(ix, n, del, ndel);
    free(del);
    dc_index_close(ix);
    rm_rf(dir);
}

/* A file written through dc_wfile in pieces of every size, past several
 * of the points where its writing to disk is asked for (WFILE_KICK):
 * every byte read back as put, in order, and the CRC of all of them. */
static void test_wfile(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/wfile", root);
    dc_wfile f;
    CHECK_INT(dc_wfile_open(&f, path), DC_OK);
    const size_t total = (size_t)13 << 20;
    uint8_t *want = malloc(total), piece[200000];
    CHECK(want != NULL);
    if (!want) return;
    uint32_t x = 12345;
    for (size_t i = 0; i < total; i++) want[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
    for (size_t at = 0, k = 1; at < total; k = k * 7 % (sizeof piece) + 1) {
        size_t n = total - at < k ? total - at : k;
        memcpy(piece, want + at, n);
        dc_wfile_put(&f, piece, n);
        at += n;
    }
    CHECK_INT(dc_wfile_crc(&f), dc_crc32(0, want, total));
    CHECK_INT(dc_wfile_close(&f, 1), DC_OK);
    size_t len = 0;
    char *got = NULL;
    dc_error err = {0};
    CHECK_INT(dc_read_file(path, total + 1, &got, &len, &err), DC_OK);
    CHECK_INT(len, total);
    CHECK(got && memcmp(got, want, total) == 0);
    free(got);
    free(want);
    unlink(path);
}

int main(void)
{
    root = mkdtemp(tmpl);
    if (!root || dc_analyzer_new(&A) != DC_OK) return 1;
    make_docs();
    test_basic();
    test_security();
    test_segments();
    test_crash();
    test_corrupt();
    test_corpus();
    test_snippet_prefilter();
    test_refresh();
    test_lock();
    test_orphans_stale_view();
    test_shared_writer();
    test_concurrent();
    test_clear_and_duplicates();
    test_check_docs();
    test_year_facet();
    test_topk_exhaustive();
    test_union_windows();
    test_and_blocks();
    test_reader_equivalence();
    test_hidden_no_effect();
    test_deleted_no_effect();
    test_prefix_hidden();
    test_outdated();
    test_dense();
    test_merge_policy();
    test_merge_fanin();
    test_wfile();
    for (size_t i = 0; i < ndocs; i++) dc_doc_free(docs[i]);
    dc_analyzer_free(A);
    rm_rf(root);
    return TEST_DONE();
}
