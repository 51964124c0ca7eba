/* Unit tests of src/access: the reading rules, the reader's view, gap
 * text, exemption codes, passwords, and a property over 200 generated
 * released documents: neither the public view nor a public search of the
 * index holds a word that occurs only in withheld portions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "model/model_int.h"
#include "index/index.h"
#include "test.h"

static dc_doc *mkdoc(const char *id, const char *cls, const char *status)
{
    dc_doc *d = dc_doc_new();
    dc_str_set(&d->id, id);
    dc_str_set(&d->collection, "c");
    dc_str_set(&d->local_id, strchr(id, '/') + 1);
    dc_str_set(&d->title, "Title");
    dc_str_set(&d->classification, cls);
    dc_str_set(&d->release_status, status);
    return d;
}

static dc_portion *add(dc_doc *d, const char *text, const char *cls, const char *comp,
                       int withheld)
{
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->text, text);
    if (cls) dc_str_set(&p->classification, cls);
    if (comp) dc_strv_push(&p->compartments, comp);
    p->withheld = withheld;
    return p;
}

static const char *annex[] = {"ANNEX-F"};
static const dc_access_reader PUB = {1, 0, NULL, 0, 0};
static const dc_access_reader CONF = {0, DC_CONFIDENTIAL, NULL, 0, DC_ROLE_READER};
static const dc_access_reader SEC = {0, DC_SECRET, NULL, 0, DC_ROLE_READER};
static const dc_access_reader TS = {0, DC_TOP_SECRET, NULL, 0, DC_ROLE_READER};
static const dc_access_reader TSF = {0, DC_TOP_SECRET, annex, 1, DC_ROLE_READER};

static void test_levels(void)
{
    CHECK_INT(dc_access_level(NULL), DC_UNCLASSIFIED);
    CHECK_INT(dc_access_level("Secret"), DC_SECRET);
    CHECK_INT(dc_access_level("LIMITED OFFICIAL USE"), DC_TOP_SECRET);
    CHECK(dc_access_doc_readable(NULL, "released", "TOP SECRET"));
    CHECK(dc_access_doc_readable(&PUB, "released", "TOP SECRET"));
    CHECK(!dc_access_doc_readable(&PUB, "classified", NULL));
    CHECK(!dc_access_doc_readable(&PUB, NULL, NULL));
    CHECK(!dc_access_doc_readable(&CONF, "classified", "SECRET"));
    CHECK(dc_access_doc_readable(&SEC, "under-review", "SECRET"));
    CHECK(!dc_access_doc_readable(&SEC, "classified", "LIMITED OFFICIAL USE"));
    CHECK(dc_access_doc_readable(&TS, "classified", "LIMITED OFFICIAL USE"));
}

static void test_gap_and_codes(void)
{
    char b[96];
    dc_access_gap_text(0, b, sizeof b);
    CHECK_STR(b, "[less than 1 line of source text not declassified]");
    dc_access_gap_text(79, b, sizeof b);
    CHECK_STR(b, "[less than 1 line of source text not declassified]");
    dc_access_gap_text(80, b, sizeof b);
    CHECK_STR(b, "[1 line of source text not declassified]");
    dc_access_gap_text(81, b, sizeof b);
    CHECK_STR(b, "[2 lines of source text not declassified]");
    dc_access_gap_text(240, b, sizeof b);
    CHECK_STR(b, "[3 lines of source text not declassified]");
    const char *good[] = {"25X1",   "25X9",      "50X1-HUM",   "50X2-WMD", "50X3",
                          "75X9",   "(b)(1)",    "(b)(3)",     "(b)(7)(C)", "(b)(7)(f)",
                          "RD",     "FRD",       "TFNI",       "25X1, 25X6", "(b)(1), (b)(3)"};
    const char *bad[] = {"",         "25X",      "25X0",       "25X1-",     "25X1-hum",
                         "50X1 HUM", "50X6-WMD", "(b)(0)",     "(b)(1",     "(b)(7)(G)",
                         "b1",       "25X1; DROP", "25X1,25X6", "25X1, ",  "rd",
                         "75X",      NULL};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) CHECK(dc_access_reason_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (dc_access_reason_valid(bad[i])) {
            CHECK(!"bad code accepted");
            fprintf(stderr, "accepted %s\n", bad[i] ? bad[i] : "NULL");
        }
    /* dates and events: where EO 13526 section 3.3 calls for one */
    char m[1024];
    CHECK_INT(dc_access_code_check("25X1", NULL, NULL, m, sizeof m), 1);
    CHECK(strstr(m, "needs a declassification date") != NULL);
    CHECK_INT(dc_access_code_check("25X1", "2040-12-31", NULL, m, sizeof m), 0);
    CHECK_INT(dc_access_code_check("25X1, (b)(3)", NULL, "end of the war", m, sizeof m), 0);
    CHECK_INT(dc_access_code_check("25X1", "2040-12-31", "x", m, sizeof m), 1);
    CHECK_INT(dc_access_code_check("25X1", "2040-02-30", NULL, m, sizeof m), 1);
    CHECK_INT(dc_access_code_check("25X1", "2040", NULL, m, sizeof m), 1);
    CHECK_INT(dc_access_code_check("50X1-HUM", NULL, NULL, m, sizeof m), 0);
    CHECK_INT(dc_access_code_check("50X1-HUM", "2040-01-01", NULL, m, sizeof m), 1);
    CHECK_INT(dc_access_code_check("(b)(3)", NULL, NULL, m, sizeof m), 0);
    CHECK_INT(dc_access_code_check("X9", NULL, NULL, m, sizeof m), 1);
    CHECK(strstr(m, "'X9'") && strstr(m, "25X1..25X9") && strstr(m, "TFNI"));
    /* notices */
    char t[96], e[48];
    dc_access_notice("name", 1, 5, t, sizeof t, e, sizeof e);
    CHECK_STR(t, "[name not declassified]");
    CHECK_STR(e, "name");
    dc_access_notice("name", 2, 50, t, sizeof t, e, sizeof e);
    CHECK_STR(t, "[2 names not declassified]");
    dc_access_notice("place", 1, 5, t, sizeof t, e, sizeof e);
    CHECK_STR(t, "[place not declassified]");
    dc_access_notice("paragraph", 1, 170, t, sizeof t, e, sizeof e);
    CHECK_STR(t, "[1 paragraph (3 lines of source text) not declassified]");
    CHECK_STR(e, "1 paragraph (3 lines of source text)");
    dc_access_notice("paragraph", 1, 10, t, sizeof t, e, sizeof e);
    CHECK_STR(t, "[1 paragraph (1 line of source text) not declassified]");
    dc_access_notice(NULL, 1, 10, t, sizeof t, e, sizeof e);
    CHECK_STR(t, "[less than 1 line of source text not declassified]");
    dc_access_notice("lines", 1, 161, t, sizeof t, e, sizeof e);
    CHECK_STR(t, "[3 lines of source text not declassified]");
    CHECK_STR(e, "3 lines");
    CHECK_INT(dc_access_role_parse("reviewer"), DC_ROLE_REVIEWER);
    CHECK_INT(dc_access_role_parse("root"), 0);
}

static void test_passwords(void)
{
    char *h = NULL;
    CHECK_INT(dc_access_hash_password("", &h), DC_MISUSE);
    CHECK(h == NULL);
    CHECK_INT(dc_access_hash_password("correct horse", &h), DC_OK);
    CHECK(h && strncmp(h, "$argon2id$", 10) == 0);
    CHECK(dc_access_verify_password(h, "correct horse"));
    CHECK(!dc_access_verify_password(h, "correct horsE"));
    CHECK(!dc_access_verify_password(h, ""));
    CHECK(!dc_access_verify_password("garbage", "correct horse"));
    free(h);
}

static int has_text(const dc_doc *v, const char *s)
{
    for (size_t i = 0; i < v->n_portions; i++)
        if (v->portions[i].text && strstr(v->portions[i].text, s)) return 1;
    for (size_t i = 0; i < v->n_footnotes; i++)
        if (v->footnotes[i].text && strstr(v->footnotes[i].text, s)) return 1;
    return 0;
}

static void test_view_released(void)
{
    dc_doc *d = mkdoc("c/rel", "TOP SECRET", "released");
    add(d, "Public paragraph about the armistice.", NULL, NULL, 0);
    char longtext[300];
    memset(longtext, 'x', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = 0;
    memcpy(longtext, "Secretword ", 11);
    dc_portion *p = add(d, longtext, NULL, NULL, 1);
    dc_str_set(&p->withheld_reason, "25X1");
    dc_str_set(&p->page, "12");
    add(d, "Short hidden Madagascar.", "SECRET", NULL, 1);
    add(d, "Annex portion for Zanzibar.", "TOP SECRET", "ANNEX-F", 0);
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "1");
    dc_str_set(&f->anchor, "p2");
    dc_str_set(&f->text, "Note naming Secretword agent Blofeld.");
    f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "2");
    dc_str_set(&f->anchor, "p1");
    dc_str_set(&f->text, "Visible note.");
    dc_strv_push(&d->persons, "Blofeld");
    dc_strv_push(&d->persons, "Title");
    dc_doc_add_ref(d, "paper", "NSC 9999", NULL, NULL);

    dc_doc *v = NULL;
    CHECK_INT(dc_access_view(&PUB, d, &v, NULL), DC_OK);
    CHECK(v && !has_text(v, "Secretword") && !has_text(v, "Madagascar"));
    CHECK(has_text(v, "Zanzibar")); /* released, not withheld: public */
    CHECK_STR(v->portions[1].text, "[4 lines of source text not declassified]");
    CHECK_STR(v->portions[2].text, "[less than 1 line of source text not declassified]");
    /* a hidden portion is a gap as an edition records one: no code,
     * no marking, no label */
    CHECK(!v->portions[1].withheld);
    CHECK(v->portions[1].withheld_reason == NULL);
    CHECK_STR(v->portions[1].kind, "gap");
    CHECK(v->portions[2].classification == NULL);
    CHECK_INT(v->n_gaps, 2);
    CHECK_STR(v->gaps[0].extent, "4 lines");
    CHECK_STR(v->gaps[0].page, "12");
    CHECK_STR(v->gaps[0].anchor, "p2");
    CHECK_INT(v->n_footnotes, 1);
    CHECK_STR(v->footnotes[0].n, "2");
    /* what was extracted is derived again by the facade (dc_db_view_doc) */
    size_t hidden = 0;
    dc_doc_free(v);
    CHECK_INT(dc_access_view(&PUB, d, &v, &hidden), DC_OK);
    CHECK_INT(hidden, 2);
    dc_doc_free(v);
    /* CONFIDENTIAL: not cleared for SECRET withheld text either. */
    CHECK_INT(dc_access_view(&CONF, d, &v, NULL), DC_OK);
    CHECK(!has_text(v, "Madagascar") && !has_text(v, "Secretword"));
    dc_doc_free(v);
    /* SECRET: cleared for the SECRET portion, not for the TOP SECRET one. */
    CHECK_INT(dc_access_view(&SEC, d, &v, NULL), DC_OK);
    CHECK(has_text(v, "Madagascar") && !has_text(v, "Secretword"));
    dc_doc_free(v);
    CHECK_INT(dc_access_view(&TS, d, &v, NULL), DC_OK);
    CHECK(has_text(v, "Madagascar") && has_text(v, "Secretword"));
    CHECK_INT(v->n_gaps, 0);
    CHECK_INT(v->persons.n, 2);
    dc_doc_free(v);
    dc_doc_free(d);
}

static void test_view_classified(void)
{
    dc_doc *d = mkdoc("c/cls", "TOP SECRET", "classified");
    add(d, "Base paragraph.", NULL, NULL, 0);
    add(d, "Annex Zanzibar uranium.", NULL, "ANNEX-F", 0);
    add(d, "Lower paragraph.", "SECRET", NULL, 0);
    dc_doc *v = (dc_doc *)1;
    CHECK_INT(dc_access_view(&PUB, d, &v, NULL), DC_NOTFOUND);
    CHECK(v == NULL);
    CHECK_INT(dc_access_view(NULL, d, &v, NULL), DC_NOTFOUND);
    CHECK_INT(dc_access_view(&SEC, d, &v, NULL), DC_NOTFOUND);
    CHECK_INT(dc_access_view(&TS, d, &v, NULL), DC_OK);
    CHECK(has_text(v, "Base") && has_text(v, "Lower") && !has_text(v, "Zanzibar"));
    CHECK_STR(v->portions[1].text, "[less than 1 line of source text not declassified]");
    CHECK_INT(v->portions[1].compartments.n, 0);
    CHECK_INT(v->n_gaps, 1);
    dc_doc_free(v);
    CHECK_INT(dc_access_view(&TSF, d, &v, NULL), DC_OK);
    CHECK(has_text(v, "Zanzibar"));
    CHECK_INT(v->n_gaps, 0);
    dc_doc_free(v);
    /* A SECRET document with a TOP SECRET portion: SECRET reads the rest. */
    dc_doc *e = mkdoc("c/sec", "SECRET", "under-review");
    add(e, "Secret base.", NULL, NULL, 0);
    add(e, "(TS) Top secret part.", "TOP SECRET", NULL, 0);
    CHECK_INT(dc_access_view(&SEC, e, &v, NULL), DC_OK);
    CHECK(has_text(v, "Secret base") && !has_text(v, "Top secret part"));
    dc_doc_free(v);
    dc_doc_free(e);
    dc_doc_free(d);
}

/* ---- property ------------------------------------------------------------ */

static unsigned long long rng_state = 5907;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

#define VOCAB 20000
#define NDOCS 200
static char vocab[VOCAB][12];
static unsigned char in_withheld[VOCAB], in_public[VOCAB];

static void make_word(char *w)
{
    static const char cons[] = "bcdfghjklmnpqrstvwxz", vow[] = "aeiou";
    for (int i = 0; i < 4; i++) {
        w[2 * i] = cons[rnd(20)];
        w[2 * i + 1] = vow[rnd(5)];
    }
    w[8] = 0;
}

/* 1 if text holds word w as a whole word. */
static int has_word(const char *text, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = text; (p = strstr(p, w)) != NULL; p++) {
        int before = p == text || p[-1] < 'a' || p[-1] > 'z';
        int after = p[n] < 'a' || p[n] > 'z';
        if (before && after) return 1;
    }
    return 0;
}

/* Indexes every distinct view of a document under one docid, as the
 * facade does (without its re-derivation of names and references). */
typedef struct view_add {
    dc_index_writer *w;
    uint64_t docid;
    const dc_doc *doc;
} view_add;

static dc_rc add_view(void *ctx, const dc_access_reader *r, const dc_access_pred *pred)
{
    view_add *a = ctx;
    dc_doc *v = NULL;
    dc_rc rc = dc_access_view(r, a->doc, &v, NULL);
    if (!rc) rc = dc_index_writer_add(a->w, a->docid, v, pred);
    dc_doc_free(v);
    return rc;
}

static void test_property(void)
{
    /* distinct words (a repeated one would be both withheld and public) */
    for (int i = 0; i < VOCAB; i++) {
        int dup;
        do {
            make_word(vocab[i]);
            dup = 0;
            for (int k = 0; k < i && !dup; k++) dup = strcmp(vocab[k], vocab[i]) == 0;
        } while (dup);
    }
    dc_doc *docs[NDOCS];
    for (int i = 0; i < NDOCS; i++) {
        char id[32];
        snprintf(id, sizeof id, "c/g%03d", i);
        docs[i] = mkdoc(id, rnd(2) ? "TOP SECRET" : "SECRET", "released");
        unsigned np = 2 + rnd(5);
        for (unsigned k = 0; k < np; k++) {
            int withheld = rnd(10) < 3;
            char text[4096] = "";
            size_t len = 0;
            unsigned nw = 3 + rnd(40);
            for (unsigned j = 0; j < nw; j++) {
                unsigned w = rnd(VOCAB);
                len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", j ? " " : "",
                                        vocab[w]);
                (withheld ? in_withheld : in_public)[w] = 1;
            }
            dc_portion *p = add(docs[i], text, rnd(4) ? NULL : "TOP SECRET",
                                rnd(5) ? NULL : "ANNEX-F", withheld);
            if (withheld) dc_str_set(&p->withheld_reason, "25X1");
            if (rnd(4) == 0) {
                dc_footnote *f = dc_doc_add_footnote(docs[i]);
                dc_str_set(&f->n, "1");
                dc_str_set(&f->anchor, p->id);
                unsigned w = rnd(VOCAB);
                dc_str_set(&f->text, vocab[w]);
                (withheld ? in_withheld : in_public)[w] = 1;
            }
        }
    }
    size_t n_only = 0;
    for (int w = 0; w < VOCAB; w++) n_only += in_withheld[w] && !in_public[w];
    CHECK(n_only > 500);
    /* the public views */
    size_t leaks = 0;
    for (int i = 0; i < NDOCS; i++) {
        dc_doc *v = NULL;
        CHECK_INT(dc_access_view(&PUB, docs[i], &v, NULL), DC_OK);
        char *json = NULL;
        if (v) dc_doc_to_json(v, 0, &json);
        for (int w = 0; json && w < VOCAB; w++)
            if (in_withheld[w] && !in_public[w] && has_word(json, vocab[w])) leaks++;
        free(json);
        dc_doc_free(v);
    }
    CHECK_INT(leaks, 0);
    /* the public search of the index */
    char dir[] = "/tmp/dc_access_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char ixdir[64];
    snprintf(ixdir, sizeof ixdir, "%s/ix", dir);
    dc_index *ix = NULL;
    dc_analyzer *a = NULL;
    CHECK_INT(dc_analyzer_new(&a), DC_OK);
    CHECK_INT(dc_index_open(ixdir, DC_INDEX_CREATE, &ix, NULL), DC_OK);
    dc_index_writer *w = NULL;
    CHECK_INT(dc_index_writer_open(ix, 0, &w), DC_OK);
    for (int i = 0; i < NDOCS; i++) {
        view_add va = {w, (uint64_t)i + 1, docs[i]};
        CHECK_INT(dc_access_each_view(docs[i], add_view, &va), DC_OK);
    }
    CHECK_INT(dc_index_writer_commit(w), DC_OK);
    dc_error err = {0};
    CHECK_INT(dc_index_check(ix, &err), DC_OK);
    CHECK_INT(dc_index_doc_count(ix), NDOCS);
    dc_search_opts o = {.classification = -1, .reader = &PUB};
    size_t found = 0, checked = 0, public_found = 0;
    for (int wi = 0; wi < VOCAB; wi++) {
        int only = in_withheld[wi] && !in_public[wi];
        if (!only && !(in_public[wi] && checked < 300)) continue;
        dc_query *q = NULL;
        if (dc_query_parse(a, vocab[wi], strlen(vocab[wi]), &q, NULL) != DC_OK) continue;
        dc_search_result *r = NULL;
        CHECK_INT(dc_index_search(ix, a, q, &o, &r), DC_OK);
        if (r && only) found += r->total;
        if (r && !only) {
            checked++;
            public_found += r->total > 0;
        }
        dc_search_result_free(r);
        dc_query_free(q);
    }
    CHECK_INT(found, 0);
    CHECK_INT(public_found, checked); /* every released word is public */
    dc_index_close(ix);
    dc_analyzer_free(a);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
    for (int i = 0; i < NDOCS; i++) dc_doc_free(docs[i]);
}

/* Adds withholding id of target [s, e) (whole when s == e == 0 and
 * whole set) of kind, in force. */
static dc_withholding *wh(dc_doc *d, const char *id, const char *target, int whole, size_t s,
                          size_t e, const char *kind)
{
    dc_withholding *w = dc_doc_add_withholding(d);
    dc_str_set(&w->id, id);
    dc_str_set(&w->target, target);
    w->whole = whole;
    w->start = s;
    w->end = e;
    dc_str_set(&w->kind, kind);
    dc_str_set(&w->code, "(b)(1)");
    dc_str_set(&w->status, "withheld");
    return w;
}

/* Spans inside a portion, a footnote, the source note and the title: the
 * public reads the FRUS notices, adjacent names merge, marks move, a
 * whole footnote goes with its marker, a lifted withholding no longer
 * hides, a reader cleared for the portion reads it all, and the view
 * carries no withholding. */
static void test_spans(void)
{
    dc_doc *d = mkdoc("c/sp", "SECRET", "released");
    dc_str_set(&d->title, "Memorandum From Helms to Bundy");
    dc_str_set(&d->source_note, "Source: CIA files. Drafted by Smithers.");
    /*                   0         1         2         3         4         5
     *                   0123456789012345678901234567890123456789012345678901234 */
    dc_portion *p = add(d, "Met Aldo Moro and Guido Carli in Rome; the station (Tokyo) agreed.",
                        NULL, NULL, 0);
    dc_str_set(&p->page, "7");
    dc_portion_add_mark(p, DC_MARK_NOTE, 4, "1");  /* at the start of a span: stays */
    dc_portion_add_mark(p, DC_MARK_NOTE, 8, "9");  /* inside a span: goes */
    dc_portion_add_mark(p, DC_MARK_NOTE, 66, "2"); /* after: moves */
    add(d, "A second paragraph with QUARTZ the cryptonym.", NULL, NULL, 0);
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "1");
    dc_str_set(&f->anchor, "p1");
    dc_str_set(&f->text, "Moro was then Prime Minister.");
    f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "2");
    dc_str_set(&f->anchor, "p1");
    dc_str_set(&f->text, "Whole note about the agent Kim.");
    wh(d, "w1", "p1", 0, 4, 13, "name");   /* Aldo Moro */
    wh(d, "w2", "p1", 0, 18, 29, "name");  /* Guido Carli */
    wh(d, "w3", "p1", 0, 33, 37, "place"); /* Rome */
    wh(d, "w4", "p2", 0, 24, 30, NULL);    /* QUARTZ */
    wh(d, "w5", "fn1", 0, 0, 4, "name");   /* Moro */
    wh(d, "w6", "fn2", 1, 0, 0, NULL);
    wh(d, "w7", "title", 0, 16, 21, "name"); /* Helms */
    wh(d, "w8", "source", 0, 30, 38, "name"); /* Smithers */
    dc_withholding *lifted = wh(d, "w9", "p1", 0, 51, 56, "place"); /* Tokyo */
    dc_str_set(&lifted->status, "lifted");
    CHECK(!dc_access_uniform(d));
    CHECK(dc_doc_portions_marked(d));

    dc_doc *v = NULL;
    size_t hidden = 0;
    CHECK_INT(dc_access_view(&PUB, d, &v, &hidden), DC_OK);
    CHECK_INT(hidden, 8);
    CHECK_STR(v->portions[0].text, "Met [2 names not declassified] in [place not declassified]; "
                                   "the station (Tokyo) agreed.");
    CHECK_STR(v->portions[1].text, "A second paragraph with [less than 1 line of source text "
                                   "not declassified] the cryptonym.");
    CHECK_STR(v->title, "Memorandum From [name not declassified] to Bundy");
    CHECK_STR(v->source_note, "Source: CIA files. Drafted by [name not declassified].");
    CHECK_INT(v->n_footnotes, 1);
    CHECK_STR(v->footnotes[0].text, "[name not declassified] was then Prime Minister.");
    CHECK_INT(v->n_withholdings, 0);
    /* marks: the one at the span's start stays, inside goes, after moves;
     * the whole footnote's marker goes with it */
    CHECK_INT(v->portions[0].n_marks, 1);
    CHECK_INT(v->portions[0].marks[0].at, 4);
    CHECK_STR(v->portions[0].marks[0].value, "1");
    /* gaps, in document order */
    CHECK_INT(v->n_gaps, 6); /* p1 twice, p2, then fn1, title, source */
    CHECK_STR(v->gaps[0].extent, "2 names");
    CHECK_STR(v->gaps[0].anchor, "p1");
    CHECK_STR(v->gaps[0].page, "7");
    CHECK_STR(v->gaps[1].extent, "place");
    CHECK_STR(v->gaps[2].extent, "less than 1 line");
    char *json = NULL;
    dc_doc_to_json(v, 0, &json);
    CHECK(json && !strstr(json, "Moro") && !strstr(json, "Carli") && !strstr(json, "Rome") &&
          !strstr(json, "QUARTZ") && !strstr(json, "Kim") && !strstr(json, "Helms") &&
          !strstr(json, "Smithers") && !strstr(json, "withholdings") && strstr(json, "Tokyo"));
    free(json);
    dc_doc_free(v);

    /* cleared for the document (SECRET): everything */
    CHECK_INT(dc_access_view(&SEC, d, &v, &hidden), DC_OK);
    CHECK_INT(hidden, 0);
    CHECK(has_text(v, "Aldo Moro") && has_text(v, "Kim"));
    CHECK_STR(v->title, "Memorandum From Helms to Bundy");
    CHECK_INT(v->n_withholdings, 0);
    dc_doc_free(v);
    /* not cleared (CONFIDENTIAL): as the public */
    CHECK_INT(dc_access_view(&CONF, d, &v, &hidden), DC_OK);
    CHECK(!has_text(v, "Moro") && !has_text(v, "Kim"));
    dc_doc_free(v);

    /* a whole title: the neutral title; a whole paragraph: its notice */
    wh(d, "w10", "title", 1, 0, 0, NULL);
    wh(d, "w11", "p2", 1, 0, 0, "paragraph");
    CHECK_INT(dc_access_view(&PUB, d, &v, &hidden), DC_OK);
    CHECK_STR(v->title, DC_ACCESS_HIDDEN_TITLE);
    CHECK_STR(v->portions[1].text, "[1 paragraph (1 line of source text) not declassified]");
    dc_doc_free(v);
    dc_doc_free(d);
}

/* Withholdings carried to another version: same text, same offsets;
 * moved text, found again; gone, the whole target (counted lost). */
static void test_carry(void)
{
    dc_doc *a = mkdoc("c/cy", NULL, "released");
    add(a, "Met Aldo Moro in Rome.", NULL, NULL, 0);
    add(a, "Second one names Carli.", NULL, NULL, 0);
    dc_withholding *w = wh(a, "w1", "p1", 0, 4, 13, "name");
    dc_str_set(&w->text, "Aldo Moro");
    w = wh(a, "w2", "p2", 0, 17, 22, "name");
    dc_str_set(&w->text, "Carli");
    dc_doc *b = mkdoc("c/cy", NULL, "released");
    add(b, "Yesterday met Aldo Moro in Rome.", NULL, NULL, 0);
    add(b, "Second one names nobody.", NULL, NULL, 0);
    size_t lost = 9;
    CHECK_INT(dc_doc_carry_withholdings(b, a, 1, &lost), DC_OK);
    CHECK_INT(lost, 1);
    CHECK_INT(b->n_withholdings, 2);
    CHECK_INT(b->withholdings[0].start, 14);
    CHECK_INT(b->withholdings[0].end, 23);
    CHECK(b->withholdings[1].whole);
    CHECK(b->portions[1].withheld);
    dc_doc *v = NULL;
    CHECK_INT(dc_access_view(&PUB, b, &v, NULL), DC_OK);
    CHECK_STR(v->portions[0].text, "Yesterday met [name not declassified] in Rome.");
    dc_doc_free(v);
    dc_doc_free(a);
    dc_doc_free(b);
}

/* Inline spans (model.h dc_span) in a view: a span touching withheld
 * text goes (a name's link would point into it), the others move with
 * the text; a portion withheld whole keeps none. */
static void test_inline_spans(void)
{
    dc_doc *d = mkdoc("c/in", NULL, "released");
    /*                   0         1         2         3
     *                   0123456789012345678901234567890123456 */
    dc_portion *p = add(d, "Creel wrote to Wilson and to Lansing.", NULL, NULL, 0);
    dc_portion_add_span(p, 0, 5, "persName", "p_CG_2");
    dc_portion_add_span(p, 15, 21, "persName", "p_WW_1");
    dc_portion_add_span(p, 15, 36, "hi", "italic"); /* around the withheld name */
    dc_portion_add_span(p, 29, 36, "persName", "p_LR_1");
    dc_portion *q = add(d, "Sisson in Petrograd.", NULL, NULL, 0);
    dc_portion_add_span(q, 0, 6, "persName", "p_SE_1");
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "1");
    dc_str_set(&f->anchor, "p1");
    dc_str_set(&f->text, "Root to Creel.");
    dc_spans_add(&f->spans, &f->n_spans, &f->cap_spans, 0, 4, "persName", "p_RE_1");
    dc_spans_add(&f->spans, &f->n_spans, &f->cap_spans, 8, 13, "persName", "p_CG_3");
    dc_str_set(&d->title, "Letter From Creel");
    dc_spans_add(&d->title_spans, &d->n_title_spans, &d->cap_title_spans, 12, 17, "persName",
                 "p_CG_4");
    wh(d, "w1", "p1", 0, 15, 21, "name");
    wh(d, "w2", "p2", 1, 0, 0, "paragraph");
    wh(d, "w3", "fn1", 0, 0, 4, "name");
    wh(d, "w4", "title", 0, 12, 17, "name");
    dc_access_reader pub = {.is_public = 1};
    dc_doc *v = NULL;
    CHECK_INT(dc_access_view(&pub, d, &v, NULL), DC_OK);
    if (v) {
        const dc_portion *a = &v->portions[0];
        CHECK_STR(a->text, "Creel wrote to [name not declassified] and to Lansing.");
        CHECK_INT(a->n_spans, 2);
        if (a->n_spans == 2) {
            CHECK_STR(a->spans[0].value, "p_CG_2");
            CHECK_INT(a->spans[0].start, 0);
            CHECK_INT(a->spans[0].end, 5);
            CHECK_STR(a->spans[1].value, "p_LR_1");
            CHECK(strncmp(a->text + a->spans[1].start, "Lansing", 7) == 0);
            CHECK_INT(a->spans[1].end - a->spans[1].start, 7);
        }
        CHECK_INT(v->portions[1].n_spans, 0);
        /* in a note: the withheld name's span goes, the other moves */
        CHECK_INT(v->n_footnotes, 1);
        if (v->n_footnotes == 1 && v->footnotes[0].n_spans == 1) {
            const dc_footnote *g = &v->footnotes[0];
            CHECK_STR(g->spans[0].value, "p_CG_3");
            CHECK(strncmp(g->text + g->spans[0].start, "Creel", 5) == 0);
        } else {
            CHECK(0);
        }
        CHECK_INT(v->n_title_spans, 0); /* the title's withheld name */
        char *json = NULL;
        CHECK_INT(dc_doc_to_json(v, 0, &json), DC_OK);
        CHECK(json && strstr(json, "p_WW_1") == NULL && strstr(json, "p_SE_1") == NULL &&
              strstr(json, "p_RE_1") == NULL && strstr(json, "p_CG_4") == NULL);
        dc_free(json);
    }
    dc_doc_free(v);
    dc_doc_free(d);
}

/* A scanned page in a view that hides something: the hidden portion's
 * words and an unplaced word (a speck) boxed, padded; a released word
 * the padding alone touches stays in the view (it is read on the image),
 * one over the speck itself does not. */
static void test_page_words(void)
{
    dc_doc *d = mkdoc("c/scan", "SECRET", "released");
    add(d, "Hidden words.", "SECRET", NULL, 1);
    add(d, "Near under far.", NULL, NULL, 0);
    dc_page *pg = dc_doc_add_page(d);
    pg->number = 1, pg->width = pg->height = 400, pg->dpi = 150;
    static const struct {
        const char *text, *target;
        dc_box box;
    } w[] = {
        {"Hidden", "p1", {10, 10, 40, 15}}, {"words.", "p1", {54, 10, 40, 15}},
        {"speck", NULL, {100, 40, 10, 15}}, {"Near", "p2", {111, 40, 30, 15}},
        {"under", "p2", {105, 50, 30, 15}},  {"far.", "p2", {200, 40, 30, 15}},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        dc_word *x = dc_page_add_word(pg);
        dc_str_set(&x->text, w[i].text);
        if (w[i].target) dc_str_set(&x->target, w[i].target);
        x->box = w[i].box;
        x->conf = 100;
    }
    dc_doc *v = NULL;
    CHECK_INT(dc_access_view(&PUB, d, &v, NULL), DC_OK);
    CHECK(v && v->n_scan == 1 && v->scan[0].redacted);
    if (v && v->n_scan == 1) {
        const dc_page *vp = &v->scan[0];
        char seen[64] = "";
        for (size_t i = 0; i < vp->n_words; i++) {
            strcat(seen, vp->words[i].text);
            strcat(seen, " ");
            CHECK(vp->words[i].target == NULL); /* a view places no word */
        }
        CHECK_STR(seen, "Near far. ");
        CHECK_INT(vp->n_boxes, 2); /* the portion's outline, the speck */
        if (vp->n_boxes == 2) {
            CHECK_INT(vp->boxes[0].x, 98);
            CHECK_INT(vp->boxes[0].w, 14);
            CHECK_INT(vp->boxes[1].x, 8);
            CHECK_INT(vp->boxes[1].w, 88);
        }
    }
    dc_doc_free(v);
    /* a reader of everything: the page as stored */
    CHECK_INT(dc_access_view(&TS, d, &v, NULL), DC_OK);
    CHECK(v && !v->scan[0].redacted && v->scan[0].n_words == 6 && v->scan[0].n_boxes == 0);
    dc_doc_free(v);
    dc_doc_free(d);
}

int main(void)
{
    test_levels();
    test_gap_and_codes();
    test_passwords();
    test_view_released();
    test_view_classified();
    test_spans();
    test_inline_spans();
    test_carry();
    test_property();
    test_page_words();
    return TEST_DONE();
}
