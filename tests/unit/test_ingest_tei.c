/*
 * Unit tests of the TEI ingester (src/ingest/tei*.c): the FRUS samples field
 * by field, the Office of the Historian's event records, document counts
 * over the test corpus (tests/data/corpus), and hostile inputs (entities,
 * external DTDs, deep nesting, wrong root or namespace, truncation, caps).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/xmlerror.h>

#include "ingest/ingest.h"
#include "ingest/ingest_int.h"
#include "test.h"
#include "util/util_int.h"

#include "util/banned.h"

#define TEI_NS "xmlns=\"http://www.tei-c.org/ns/1.0\""
#define EN_DASH "\xe2\x80\x93"

/* A sink that keeps every document it receives. */
typedef struct coll {
    dc_doc *docs[256];
    int n;
    int fail_at; /* return DC_LIMIT for the fail_at-th document (1-based), 0 = never */
} coll;

static dc_rc keep(void *ctx, dc_doc *doc)
{
    coll *c = ctx;
    if (c->n >= 256) {
        dc_doc_free(doc);
        return DC_LIMIT;
    }
    c->docs[c->n++] = doc;
    if (c->fail_at && c->n == c->fail_at) return DC_LIMIT;
    return DC_OK;
}

static void coll_free(coll *c)
{
    for (int i = 0; i < c->n; i++) dc_doc_free(c->docs[i]);
    c->n = 0;
}

static char corpus[1024], samples[1024];

static int is_dir(const char *p)
{
    struct stat sb;
    return p && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The sample TEI files ($DC_CORPUS/tei, default samples/tei) and the test
 * corpus ($DC_TEST_CORPUS, default tests/data/corpus): both are in the
 * repository, so a missing one is a failure, not a reason to skip. */
static int find_corpus(void)
{
    const char *local = getenv("DC_CORPUS"), *test = getenv("DC_TEST_CORPUS");
    snprintf(samples, sizeof samples, "%s/tei", local ? local : "samples");
    snprintf(corpus, sizeof corpus, "%s", test ? test : "tests/data/corpus");
    int ok = 1;
    if (!is_dir(samples)) {
        fprintf(stderr, "sample TEI folder not found: %s\n", samples);
        ok = 0;
    }
    if (!is_dir(corpus)) {
        fprintf(stderr, "test corpus not found: %s\n", corpus);
        ok = 0;
    }
    return ok;
}

static dc_rc ingest(const char *path, coll *c, dc_error *err)
{
    memset(err, 0, sizeof *err);
    return dc_ingest_tei_file(path, keep, c, err);
}

static const dc_portion *portion_with(const dc_doc *d, const char *needle)
{
    for (size_t i = 0; i < d->n_portions; i++)
        if (strstr(d->portions[i].text, needle)) return &d->portions[i];
    return NULL;
}

static int any_portion_has(const dc_doc *d, const char *needle)
{
    return portion_with(d, needle) != NULL;
}

static int has_ref(const dc_doc *d, const char *kind, const char *target, const char *detail)
{
    for (size_t i = 0; i < d->n_refs; i++) {
        const dc_ref *r = &d->refs[i];
        if (strcmp(r->kind, kind) == 0 && strcmp(r->target, target) == 0 &&
            (!detail || (r->detail && strcmp(r->detail, detail) == 0)))
            return 1;
    }
    return 0;
}

static int count_marks(const dc_doc *d, dc_mark_kind kind, const char *value)
{
    int n = 0;
    for (size_t i = 0; i < d->n_portions; i++)
        for (size_t k = 0; k < d->portions[i].n_marks; k++)
            if (d->portions[i].marks[k].kind == kind &&
                strcmp(d->portions[i].marks[k].value, value) == 0)
                n++;
    return n;
}

static void test_d279(void)
{
    char path[1200];
    coll c = {0};
    dc_error err;
    snprintf(path, sizeof path, "%s/frus1958-60v18-d279.xml", samples);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    CHECK_INT(c.n, 1);
    if (c.n != 1) {
        coll_free(&c);
        return;
    }
    const dc_doc *d = c.docs[0];
    CHECK_STR(d->local_id, "d279");
    CHECK_STR(d->number, "279");
    CHECK_STR(d->collection, "frus1958-60v18");
    CHECK_STR(d->title, "National Security Council Report");
    CHECK_STR(d->title_note, "0");
    CHECK_STR(d->source_note_n, "0");
    CHECK_STR(d->doc_type, "report");
    CHECK_STR(d->date, "1959-07-01");
    CHECK_STR(d->date_source, "tei");
    CHECK_STR(d->classification, "TOP SECRET");
    CHECK_STR(d->format, "tei");
    CHECK(d->source_note &&
          strncmp(d->source_note,
                  "Source: Department of State, S/S" EN_DASH "NSC Files: Lot 63 D 351", 54) == 0);
    CHECK(d->source_note && strstr(d->source_note, "Top Secret. In addition"));

    static const char *const pages[] = {"572", "573", "574", "575", "576", "577", "578", "579"};
    CHECK_INT(d->pages.n, 8);
    for (size_t i = 0; i < 8 && i < d->pages.n; i++) CHECK_STR(d->pages.v[i], pages[i]);

    /* footnotes 1..14 (the source note 0 is apart; note 14 is repeated) */
    CHECK_INT(d->n_footnotes, 14);
    for (size_t i = 0; i < d->n_footnotes; i++) {
        char n[32];
        snprintf(n, sizeof n, "%zu", i + 1);
        CHECK_STR(d->footnotes[i].n, n);
        CHECK(d->footnotes[i].label == NULL);
        CHECK(d->footnotes[i].anchor && dc_doc_portion(d, d->footnotes[i].anchor));
    }
    const dc_footnote *f1 = dc_doc_footnote(d, "1");
    CHECK(f1 != NULL);
    if (f1) {
        CHECK_STR(f1->text, "Document 237.");
        CHECK_STR(f1->anchor, "p5");
    }
    const dc_footnote *f9 = dc_doc_footnote(d, "9");
    CHECK(f9 && f9->text &&
          strcmp(f9->text, "Printed from a copy that bears this typed signature.") == 0);
    CHECK_INT(count_marks(d, DC_MARK_NOTE, "14"), 2);
    CHECK_INT(count_marks(d, DC_MARK_NOTE, "1"), 1);
    CHECK_INT(count_marks(d, DC_MARK_NOTE, "0"), 0);

    /* the marker of note 1 stands after "A. NSC 5817"; its text is not in
     * the portion */
    const dc_portion *p5 = dc_doc_portion(d, "p5");
    CHECK(p5 != NULL);
    if (p5) {
        CHECK_STR(p5->kind, "item");
        CHECK_STR(p5->text, "A. NSC 5817");
        CHECK_INT(p5->n_marks, 1);
        if (p5->n_marks == 1) {
            CHECK_INT(p5->marks[0].at, 11);
            CHECK_INT(p5->marks[0].kind, DC_MARK_NOTE);
            CHECK_STR(p5->marks[0].value, "1");
        }
    }
    CHECK(!any_portion_has(d, "Document 237."));
    CHECK(!any_portion_has(d, "typed signature"));
    CHECK(!any_portion_has(d, "Source:"));

    /* structure: dateline, signature, labelled items, pages in force */
    CHECK_STR(d->portions[0].kind, "dateline");
    CHECK_STR(d->portions[0].text, "Washington, July 1, 1959.");
    const dc_portion *sig = portion_with(d, "James S. Lay, Jr.");
    CHECK(sig && strcmp(sig->kind, "signature") == 0);
    const dc_portion *enc = portion_with(d, "Encouraging the ROK in the further");
    CHECK(enc && enc->label && strcmp(enc->label, "a") == 0 && strcmp(enc->kind, "item") == 0);
    CHECK(enc && enc->page && strcmp(enc->page, "573") == 0);
    const dc_portion *ed = portion_with(d, "[Here follows a table of contents.]");
    CHECK(ed && strcmp(ed->kind, "editorial") == 0);
    CHECK(!any_portion_has(d, "  "));

    /* withheld text: two gaps, with the page they fall on */
    CHECK_INT(d->n_gaps, 2);
    if (d->n_gaps == 2) {
        CHECK_STR(d->gaps[0].extent, "1 line");
        CHECK_STR(d->gaps[0].page, "575");
        CHECK_STR(d->gaps[1].extent, "less than 1 line");
        CHECK_STR(d->gaps[1].page, "578");
        const dc_portion *g = dc_doc_portion(d, d->gaps[0].anchor);
        CHECK(g && strstr(g->text, "[1 line of source text not declassified]"));
    }

    CHECK(dc_strv_contains(&d->persons, "Fred C. Scribner, Jr."));
    CHECK(dc_strv_contains(&d->persons, "James S. Lay, Jr."));
    CHECK(dc_strv_contains(&d->persons, "Rhee"));
    CHECK_INT(d->persons.n, 3);

    CHECK(has_ref(d, "document", "237", NULL));
    CHECK(has_ref(d, "footnote", "273", "1"));
    CHECK(has_ref(d, "footnote", "277", "12"));
    CHECK(!has_ref(d, "footnote", "279", NULL)); /* "footnote 7 above" is internal */
    coll_free(&c);
}

static void test_d35(void)
{
    char path[1200];
    coll c = {0};
    dc_error err;
    snprintf(path, sizeof path, "%s/frus1961-63v08-d35.xml", samples);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    CHECK_INT(c.n, 1);
    if (c.n != 1) {
        coll_free(&c);
        return;
    }
    const dc_doc *d = c.docs[0];
    CHECK_STR(d->local_id, "d35");
    CHECK_STR(d->number, "35");
    CHECK_STR(d->collection, "frus1961-63v08");
    CHECK_STR(d->title, "Letter From Secretary of State Rusk to Secretary of Defense McNamara");
    CHECK_STR(d->doc_type, "letter");
    CHECK_STR(d->date, "1961-07-09");
    CHECK_STR(d->classification, "SECRET");
    CHECK(d->source_note &&
          strncmp(d->source_note, "Source: Washington National Records", 35) == 0);
    CHECK_INT(d->pages.n, 1);
    if (d->pages.n == 1) CHECK_STR(d->pages.v[0], "114");
    CHECK_INT(d->n_footnotes, 1);
    const dc_footnote *f = dc_doc_footnote(d, "1");
    CHECK(f && f->text && strcmp(f->text, "See footnote 2, Document 30.") == 0);
    CHECK(has_ref(d, "footnote", "30", "2"));
    CHECK_INT(d->n_gaps, 0);
    CHECK(dc_strv_contains(&d->persons, "Rusk"));
    CHECK(dc_strv_contains(&d->persons, "McNamara"));
    CHECK(dc_strv_contains(&d->persons, "George McGhee"));

    /* [Page 114] falls mid-paragraph: a page mark where "I refer" begins,
     * and the following portions are on page 114 */
    const dc_portion *p = portion_with(d, "I refer to the provision");
    CHECK(p != NULL);
    if (p) {
        CHECK(p->page == NULL);
        CHECK_INT(p->n_marks, 1);
        if (p->n_marks == 1) {
            CHECK_INT(p->marks[0].kind, DC_MARK_PAGE);
            CHECK_STR(p->marks[0].value, "114");
            CHECK(strncmp(p->text + p->marks[0].at, "I refer", 7) == 0);
        }
    }
    const dc_portion *q = portion_with(d, "I am not competent");
    CHECK(q && q->page && strcmp(q->page, "114") == 0);
    const dc_portion *item2 = portion_with(d, "The Communists appear");
    CHECK(item2 && strcmp(item2->kind, "item") == 0 && item2->label &&
          strcmp(item2->label, "2") == 0);
    coll_free(&c);
}

static void test_other_samples(void)
{
    char path[1200];
    coll c = {0};
    dc_error err;
    snprintf(path, sizeof path, "%s/frus1958-60v18-d277.xml", samples);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    if (c.n == 1) {
        const dc_doc *d = c.docs[0];
        CHECK_STR(d->title,
                  "Memorandum of Discussion at the 411th Meeting of the National Security Council");
        CHECK_STR(d->doc_type, "memorandum");
        CHECK_STR(d->classification, "TOP SECRET");
        CHECK_STR(d->date, "1959-06-25");
        CHECK_INT(d->n_footnotes, 13);
        CHECK(has_ref(d, "document", "237", NULL));
    }
    coll_free(&c);
    snprintf(path, sizeof path, "%s/frus1958-60v18-d237.xml", samples);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    if (c.n == 1) {
        const dc_doc *d = c.docs[0];
        CHECK_STR(d->local_id, "d237");
        CHECK_STR(d->date, "1958-08-11");
        CHECK_INT(d->n_gaps, 2);
        /* note 3 appears twice (the second a repeat by @target) */
        CHECK_INT(count_marks(d, DC_MARK_NOTE, "3"), 2);
        CHECK(dc_doc_footnote(d, "3") != NULL);
    }
    coll_free(&c);
}

/* Counts non-overlapping occurrences of needle in s. */
static int count_str(const char *s, const char *needle)
{
    int n = 0;
    size_t l = strlen(needle);
    for (const char *p = strstr(s, needle); p; p = strstr(p + l, needle)) n++;
    return n;
}

/* Every file of a folder ingests (the events/ records as well as TEI):
 * one document per div type="document", or one for the whole file. */
static void count_dir(const char *dir, int *files, int *docs)
{
    DIR *dh = opendir(dir);
    CHECK(dh != NULL);
    if (!dh) return;
    struct dirent *e;
    while ((e = readdir(dh))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".xml") != 0) continue;
        char path[2048], *data = NULL;
        size_t len = 0;
        dc_error err;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (dc_read_file(path, DC_INGEST_MAX_FILE, &data, &len, &err) != DC_OK) {
            CHECK(0);
            continue;
        }
        int want = count_str(data, "type=\"document\"");
        coll c = {0};
        dc_rc rc = ingest(path, &c, &err);
        if (rc != DC_OK) fprintf(stderr, "%s:%ld: %s\n", path, err.line, err.msg);
        CHECK_INT(rc, DC_OK);
        CHECK_INT(c.n, want ? want : 1);
        for (int i = 0; i < c.n; i++) {
            CHECK(c.docs[i]->local_id && c.docs[i]->local_id[0]);
            CHECK_STR(c.docs[i]->format, "tei");
            CHECK(c.docs[i]->n_portions > 0);
            /* local ids are unique within the file */
            for (int k = 0; k < i; k++)
                CHECK(strcmp(c.docs[i]->local_id, c.docs[k]->local_id) != 0);
        }
        (*files)++;
        *docs += c.n;
        coll_free(&c);
        dc_free(data);
    }
    closedir(dh);
}

static void test_counts(void)
{
    static const char *const dirs[] = {"frus-history/documents", "frus-history/monograph",
                                       "frus-history/events", "frus-lists", "volumes"};
    int files = 0, docs = 0;
    count_dir(samples, &files, &docs);
    CHECK_INT(files, 4);
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char dir[1200];
        snprintf(dir, sizeof dir, "%s/%s", corpus, dirs[i]);
        int f0 = files, d0 = docs;
        count_dir(dir, &files, &docs);
        /* the 13 event records: one document each */
        if (strcmp(dirs[i], "frus-history/events") == 0) {
            CHECK_INT(files - f0, 13);
            CHECK_INT(docs - d0, 13);
        }
    }
    CHECK(files >= 80);
}

static void test_frus_history(void)
{
    char path[1200];
    coll c = {0};
    dc_error err;

    /* several documents, no volume id: named after the file and the div */
    snprintf(path, sizeof path, "%s/frus-history/documents/1957-03-21-kennan-to-leopold.xml",
             corpus);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    CHECK_INT(c.n, 4);
    if (c.n == 4) {
        CHECK_STR(c.docs[0]->local_id, "1957-03-21-kennan-to-leopold-leopold-to-kennan");
        CHECK(c.docs[0]->collection == NULL);
        CHECK_STR(c.docs[0]->title, "Richard W. Leopold to George F. Kennan");
        CHECK_STR(c.docs[0]->date, "1957-02-03"); /* "3 February 1957" */
        CHECK_STR(c.docs[0]->date_source, "dateline");
        CHECK_STR(c.docs[3]->date, "1957-03-21");
        /* the file's "Source:" paragraph stands for each document's note */
        CHECK(c.docs[2]->source_note && strncmp(c.docs[2]->source_note, "Source:", 7) == 0);
    }
    coll_free(&c);

    /* one document: the file's name; classification from the source */
    snprintf(path, sizeof path, "%s/frus-history/documents/1991-06-18-hac-meeting-minutes.xml",
             corpus);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    CHECK_INT(c.n, 1);
    if (c.n == 1) {
        CHECK_STR(c.docs[0]->local_id, "1991-06-18-hac-meeting-minutes");
        CHECK_STR(c.docs[0]->classification, "SECRET");
        CHECK_STR(c.docs[0]->doc_type, "minutes");
        CHECK_STR(c.docs[0]->date, "1991-06-18");
    }
    coll_free(&c);

    /* "[Name not declassified]" and "[Text not declassified.]" are gaps */
    snprintf(path, sizeof path, "%s/frus-history/documents/1979-08-15-ho-meeting-with-cia.xml",
             corpus);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    if (c.n == 1) {
        CHECK(c.docs[0]->n_gaps > 0);
        CHECK_STR(c.docs[0]->doc_type, "memorandum-of-conversation");
    }
    coll_free(&c);

    /* the monograph: no document divs, one document; footnote markers
     * numbered per chapter are made unique, the printed number kept */
    char *data = NULL;
    size_t len;
    snprintf(path, sizeof path, "%s/frus-history/monograph/frus-history.xml", corpus);
    CHECK_INT(dc_read_file(path, DC_INGEST_MAX_FILE, &data, &len, &err), DC_OK);
    /* every note of the book but the one in its teiHeader */
    int notes = data ? count_str(data, "<note ") + count_str(data, "<note\n") : -1;
    dc_free(data);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    CHECK_INT(c.n, 1);
    if (c.n == 1) {
        const dc_doc *d = c.docs[0];
        CHECK_STR(d->local_id, "frus-history");
        CHECK_STR(d->collection, "frus-history");
        CHECK(d->title && strncmp(d->title, "Toward ", 7) == 0);
        CHECK_INT(d->n_footnotes, notes);
        int unique = 1, labelled = 0;
        for (size_t i = 0; i < d->n_footnotes; i++) {
            if (dc_doc_footnote(d, d->footnotes[i].n) != &d->footnotes[i]) unique = 0;
            if (d->footnotes[i].label) labelled++;
            if (!d->footnotes[i].text || !d->footnotes[i].anchor) unique = 0;
        }
        CHECK(unique);
        CHECK(labelled > 0);
        CHECK(d->n_portions > 1000);
    }
    coll_free(&c);
}

/* The text of the first <name>...</name> of data, tags (<em>) dropped,
 * XML whitespace runs collapsed and trimmed: a field of an event record. */
static void field_text(const char *data, const char *name, char *out, size_t cap)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", name);
    snprintf(close, sizeof close, "</%s>", name);
    out[0] = '\0';
    const char *a = strstr(data, open), *b = a ? strstr(a, close) : NULL;
    if (!b) return;
    size_t n = 0;
    for (const char *p = a + strlen(open); p < b && n + 1 < cap; p++) {
        int sp = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
        if (*p == '<') {
            const char *gt = strchr(p, '>');
            p = gt ? gt : b;
        } else if (!sp)
            out[n++] = *p;
        else if (n > 0 && out[n - 1] != ' ')
            out[n++] = ' ';
    }
    if (n > 0 && out[n - 1] == ' ') n--;
    out[n] = '\0';
}

/* The Office of the Historian's event records (<event>, no namespace,
 * XHTML descriptions): one document each, title and date from the record's
 * own fields, the teaser and description as portions. */
static void test_events(void)
{
    char path[1200], title[2048], date[64];
    coll c = {0};
    dc_error err;
    for (int i = 1; i <= 13; i++) {
        char *data = NULL;
        size_t len;
        snprintf(path, sizeof path, "%s/frus-history/events/%d.xml", corpus, i);
        CHECK_INT(dc_read_file(path, DC_INGEST_MAX_FILE, &data, &len, &err), DC_OK);
        if (!data) continue;
        field_text(data, "title", title, sizeof title);
        field_text(data, "event-date", date, sizeof date);
        dc_free(data);
        CHECK(title[0] && strlen(date) == 10);
        CHECK_INT(ingest(path, &c, &err), DC_OK);
        CHECK_INT(c.n, 1);
        if (c.n == 1) {
            const dc_doc *d = c.docs[0];
            char stem[16];
            snprintf(stem, sizeof stem, "%d", i);
            CHECK_STR(d->local_id, stem);
            CHECK(d->collection == NULL);
            CHECK_STR(d->title, title);
            CHECK_STR(d->date, date);
            CHECK_STR(d->date_source, "tei");
            CHECK_STR(d->doc_type, "event");
            CHECK_STR(d->format, "tei");
            CHECK_INT(d->persons.n, 0);
            CHECK(d->n_portions > 1);
            CHECK(!any_portion_has(d, "  "));
            CHECK(!any_portion_has(d, "static.history.state.gov")); /* icon, img */
        }
        coll_free(&c);
    }

    snprintf(path, sizeof path, "%s/frus-history/events/1.xml", corpus);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    if (c.n == 1) {
        const dc_doc *d = c.docs[0];
        CHECK(d->title && strncmp(d->title, "Panel on FRUS and National Security at American "
                                            "Historical Association", 70) == 0);
        CHECK_STR(d->date, "2011-01-09");
        /* the teaser: one paragraph, link text kept, br a space */
        const dc_portion *t = portion_with(d, "(CSPAN video and Youtube video of a panel");
        CHECK(t && strcmp(t->kind, "paragraph") == 0 && strcmp(t->id, "p1") == 0);
        const dc_portion *h = dc_doc_portion(d, "p2");
        CHECK(h && strcmp(h->kind, "heading") == 0);
        /* a short line with no closing punctuation reads as a heading */
        const dc_portion *p = portion_with(d, "Association Annual Meeting January 9, 2011");
        CHECK(p && strcmp(p->kind, "heading") == 0);
        CHECK(any_portion_has(d, "Video of the event is available via CSPAN video and Youtube "
                                 "video."));
        CHECK(!any_portion_has(d, "Still image")); /* img alt and icon alttext */
        CHECK(!any_portion_has(d, "Public Presentation")); /* event-type */
    }
    coll_free(&c);

    snprintf(path, sizeof path, "%s/frus-history/events/4.xml", corpus);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    if (c.n == 1) {
        const dc_doc *d = c.docs[0];
        CHECK(d->title &&
              strncmp(d->title, "Panels on FRUS in the 19th and 20th Centuries", 45) == 0);
        CHECK_STR(d->date, "2011-06-24");
        /* nested lists: "Chair" and each name an item of its own */
        const dc_portion *chair = portion_with(d, "Chair");
        CHECK(chair && strcmp(chair->text, "Chair") == 0 && strcmp(chair->kind, "item") == 0);
        const dc_portion *m = portion_with(d, "William B. McAllister");
        CHECK(m && strcmp(m->kind, "item") == 0);
        CHECK(!any_portion_has(d, "More information about this event")); /* link-alttext */
    }
    coll_free(&c);
}

/* --- synthetic and hostile inputs ---------------------------------------- */

static char tmpdir[64];

static void write_file(const char *name, const char *data, size_t len, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(data, 1, len, f) == len);
    fclose(f);
}

/* Ingests data as a file and checks the outcome: rc, number of documents
 * the sink received, and that the error names a line in err.line (want_line,
 * or any when 0), never in the message. */
static void expect(const char *name, const char *data, size_t len, dc_rc want_rc, int want_docs,
                   long want_line, const char *want_msg)
{
    char path[256];
    coll c = {0};
    dc_error err;
    write_file(name, data, len, path, sizeof path);
    dc_rc rc = ingest(path, &c, &err);
    if (rc != want_rc || (want_msg && !strstr(err.msg, want_msg)))
        fprintf(stderr, "%s: rc %d, line %ld, \"%s\"\n", name, rc, err.line, err.msg);
    CHECK_INT(rc, want_rc);
    CHECK_INT(err.rc, want_rc);
    CHECK_INT(c.n, want_docs);
    if (want_rc != DC_OK) {
        CHECK(err.line > 0);
        if (want_line) CHECK_INT(err.line, want_line);
        CHECK(strncmp(err.msg, "line ", 5) != 0);
        CHECK(!strstr(err.msg, "root:")); /* never a byte of /etc/passwd */
    }
    if (want_msg) CHECK(strstr(err.msg, want_msg) != NULL);
    for (int i = 0; i < c.n; i++) {
        const dc_doc *d = c.docs[i];
        for (size_t k = 0; k < d->n_portions; k++) CHECK(!strstr(d->portions[k].text, "root:"));
    }
    coll_free(&c);
    unlink(path);
}

static void expect_str(const char *name, const char *data, dc_rc want_rc, int want_docs,
                       long want_line, const char *want_msg)
{
    expect(name, data, strlen(data), want_rc, want_docs, want_line, want_msg);
}

/* A buffer of n copies of s between head and tail (caller frees). */
static char *repeat(const char *head, const char *s, size_t n, const char *tail, size_t *len)
{
    size_t hl = strlen(head), sl = strlen(s), tl = strlen(tail);
    char *p = malloc(hl + sl * n + tl + 1);
    if (!p) return NULL;
    memcpy(p, head, hl);
    for (size_t i = 0; i < n; i++) memcpy(p + hl + i * sl, s, sl);
    memcpy(p + hl + sl * n, tail, tl + 1);
    *len = hl + sl * n + tl;
    return p;
}

/* A file the TEI ingest refuses, and how. */
typedef struct refusal {
    const char *name, *xml;
    long line;
    const char *msg;
} refusal;

static void test_hostile(void)
{
    static const refusal refused[] = {
        {"undef.xml",
         "<?xml version=\"1.0\"?>\n<TEI " TEI_NS ">\n<text><body>\n"
         "<p>a &foo; b</p>\n</body></text></TEI>\n",
         4, "undefined entity 'foo'"},
        {"xxe.xml",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [\n"
         "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n<TEI " TEI_NS ">"
         "<text><body><div type=\"document\"><p>&xxe;</p></div></body></text></TEI>\n",
         0, "entit"},
        {"pe.xml",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [\n"
         "<!ENTITY % p SYSTEM \"file:///etc/passwd\">\n%p;\n]>\n<TEI " TEI_NS ">"
         "<text><body><div type=\"document\"><p>x</p></div></body></text></TEI>\n",
         0, "entit"},
        /* an xml:id that is not an NCName (a document's local id comes from it) */
        {"badid.xml",
         "<?xml version=\"1.0\"?>\n<TEI " TEI_NS "><text><body>\n"
         "<div type=\"document\" xml:id=\"d 1\"><p>x</p></div></body></text></TEI>\n",
         3, "xml:id : attribute value d 1 is not an NCName"},
        /* with an external DTD (never read), an undefined entity is not a
         * fatal error to libxml2: refused all the same */
        {"extdtd.xml",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI SYSTEM \"tei.dtd\">\n<TEI " TEI_NS
         "><text><body>\n<p>a &nbsp; b</p></body></text></TEI>\n",
         4, "undefined entity 'nbsp'"},
        /* an unparsed entity is an entity too, refused where it is declared */
        {"ndata.xml",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [\n<!NOTATION gif SYSTEM \"gif\">\n"
         "<!ENTITY img SYSTEM \"a.gif\" NDATA gif>\n]>\n<TEI " TEI_NS "><text><body>"
         "<div type=\"document\"><p>x</p></div></body></text></TEI>\n",
         4, "DOCTYPE declares entities"},
        {"internal.xml",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [\n<!ENTITY e \"harmless\">\n]>\n"
         "<TEI " TEI_NS "><text><body><div type=\"document\"><p>x</p></div></body>"
         "</text></TEI>\n",
         0, "DOCTYPE declares entities"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        expect_str(refused[i].name, refused[i].xml, DC_PARSE, 0, refused[i].line, refused[i].msg);

    /* billion laughs, in content and in an attribute default */
    char bomb[4096];
    size_t bl = (size_t)snprintf(bomb, sizeof bomb, "%s",
                                 "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [\n"
                                 "<!ENTITY lol0 \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
        bl += (size_t)snprintf(bomb + bl, sizeof bomb - bl, "<!ENTITY lol%d \"", i);
        for (int k = 0; k < 10; k++)
            bl += (size_t)snprintf(bomb + bl, sizeof bomb - bl, "&lol%d;", i - 1);
        bl += (size_t)snprintf(bomb + bl, sizeof bomb - bl, "\">\n");
    }
    char doc[6000];
    snprintf(doc, sizeof doc,
             "%s]>\n<TEI " TEI_NS "><text><body><div type=\"document\"><p>&lol9;</p></div>"
             "</body></text></TEI>\n",
             bomb);
    expect_str("bomb.xml", doc, DC_PARSE, 0, 0, NULL);
    snprintf(doc, sizeof doc,
             "%s<!ATTLIST TEI a CDATA \"&lol9;\">\n]>\n<TEI " TEI_NS "><text><body>"
             "<div type=\"document\"><p>x</p></div></body></text></TEI>\n",
             bomb);
    expect_str("bomb_attlist.xml", doc, DC_PARSE, 0, 0, NULL);

    /* an external DTD is never read (its content would not parse as one) */
    expect_str("extdtd.xml",
               "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI SYSTEM \"file:///etc/passwd\">\n"
               "<TEI " TEI_NS "><text><body><div type=\"document\"><p>x</p></div></body>"
               "</text></TEI>\n",
               DC_OK, 1, 0, NULL);

    /* nesting: 100,000 levels on one line, and 300 levels over 300 lines */
    size_t len;
    char *deep = repeat("<?xml version=\"1.0\"?>\n<TEI " TEI_NS "><text><body>\n", "<hi>",
                        100000, "x</body></text></TEI>\n", &len);
    CHECK(deep != NULL);
    if (deep) expect("deep.xml", deep, len, DC_LIMIT, 0, 3, "nesting deeper than 256");
    free(deep);
    deep = repeat("<?xml version=\"1.0\"?>\n<TEI " TEI_NS "><text><body>\n", "<hi>\n", 300,
                  "x</body></text></TEI>\n", &len);
    /* the 257th element is the 254th <hi>, on line 256 */
    if (deep) expect("deep300.xml", deep, len, DC_LIMIT, 0, 256, "nesting deeper than 256");
    free(deep);

    /* the root: TEI in the TEI namespace or <event> in none, nothing else */
    expect_str("wrongns.xml", "<?xml version=\"1.0\"?>\n<TEI xmlns=\"http://example.org/\"/>\n",
               DC_PARSE, 0, 2,
               "not a TEI document (root element TEI in namespace http://example.org/)");
    expect_str("nons.xml", "<TEI><text/></TEI>\n", DC_PARSE, 0, 1,
               "not a TEI document (root element TEI in namespace (none))");
    expect_str("urnwrong.xml", "<TEI xmlns=\"urn:wrong\"><text/></TEI>\n", DC_PARSE, 0, 1,
               "not a TEI document (root element TEI in namespace urn:wrong)");
    expect_str("html.xml", "<html xmlns=\"http://www.w3.org/1999/xhtml\"><p>x</p></html>\n",
               DC_PARSE, 0, 1,
               "not a TEI document (root element html in namespace http://www.w3.org/1999/xhtml)");
    expect_str("foo.xml", "<?xml version=\"1.0\"?>\n\n<foo><title>x</title></foo>\n", DC_PARSE, 0,
               3, "not a TEI document (root element foo in namespace (none))");
    expect_str("nsevent.xml", "<event xmlns=\"urn:x\"><title>x</title></event>\n", DC_PARSE, 0, 1,
               "not a TEI document (root element event in namespace urn:x)");
    expect_str("teievent.xml", "<event " TEI_NS "><title>x</title></event>\n", DC_PARSE, 0, 1,
               "root element event in namespace http://www.tei-c.org/ns/1.0");
    expect_str("empty.xml", "", DC_PARSE, 0, 1, "empty file");
    expect_str("notxml.xml", "National Security Council Report\n", DC_PARSE, 0, 0, NULL);
    expect_str("trailing.xml", "<TEI " TEI_NS "><text/></TEI>\n<TEI " TEI_NS "/>\n", DC_PARSE, 0,
               2, NULL);
    expect_str("mismatch.xml",
               "<TEI " TEI_NS "><text><body>\n<div type=\"document\"><p>x</div>\n</body>"
               "</text></TEI>\n",
               DC_PARSE, 0, 2, NULL);

    /* truncated: half of d279 */
    char path[1200], *data = NULL;
    dc_error err;
    snprintf(path, sizeof path, "%s/frus1958-60v18-d279.xml", samples);
    if (dc_read_file(path, DC_INGEST_MAX_FILE, &data, &len, &err) == DC_OK) {
        expect("trunc.xml", data, len / 2, DC_PARSE, 0, 0, "unexpected end of file");
        expect("trunc2.xml", data, len - 20, DC_PARSE, 0, 0, NULL);
        dc_free(data);
    }

    /* an error in a later document: earlier ones may have been delivered
     * (the caller rolls back), the one under construction is freed; the
     * padding keeps libxml2's read-ahead from reaching the error early */
    char *pad = repeat("<p>", "padding ", 2000, "</p>", &len);
    if (pad) {
        size_t cap = 3 * len + 1024;
        char *late = malloc(cap);
        if (late) {
            snprintf(late, cap,
                     "<TEI " TEI_NS "><text><body>\n<div type=\"document\">%s</div>\n"
                     "<div type=\"document\">%s</div>\n"
                     "<div type=\"document\">%s<p>three &x;</p></div>\n</body></text></TEI>\n",
                     pad, pad, pad);
            expect_str("latebad.xml", late, DC_PARSE, 1, 4, "undefined entity 'x'");
        }
        free(late);
    }
    free(pad);
    expect_str("blank.xml", "   \n\n", DC_PARSE, 0, 0, "no root element");

    /* caps: one portion over 1 MiB, more notes than a document may have */
    char *big = repeat("<TEI " TEI_NS "><text><body><div type=\"document\"><p>", "word ", 220000,
                       "</p></div></body></text></TEI>\n", &len);
    if (big) expect("bigp.xml", big, len, DC_LIMIT, 0, 0, "longer than");
    free(big);
    big = repeat("<TEI " TEI_NS "><text><body><div type=\"document\"><p>",
                 "x<note n=\"1\">n</note>", 20001, "</p></div></body></text></TEI>\n", &len);
    if (big) expect("notes.xml", big, len, DC_LIMIT, 0, 0, "notes in one document");
    free(big);
}

static dc_rc refuse(void *ctx, dc_doc *doc)
{
    (void)ctx;
    dc_doc_free(doc);
    return DC_DENIED;
}

#if LIBXML_VERSION >= 21200
typedef const xmlError *test_xml_error;
#else
typedef xmlError *test_xml_error;
#endif

static int handler_calls;
static void my_handler(void *ctx, test_xml_error e)
{
    (void)ctx;
    (void)e;
    handler_calls++;
}

/* libxml2 must print nothing, leave the caller's handlers in place, and a
 * sink's refusal must stop the parse with its code. */
static void test_quiet_and_sink(void)
{
    char path[1200];
    dc_error err;
    fflush(stderr);
    int saved = dup(2);
    char errfile[128];
    snprintf(errfile, sizeof errfile, "%s/stderr.txt", tmpdir);
    int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(saved >= 0 && fd >= 0);
    xmlSetStructuredErrorFunc(NULL, my_handler);
    if (saved >= 0 && fd >= 0) {
        dup2(fd, 2);
        close(fd);
        const char *q1 = "<TEI " TEI_NS "><p>&undefined;</p></TEI>";
        const char *q2 = "<TEI " TEI_NS "><p></TEI>";
        const char *q3 = "<?xml version=\"1.0\"?><a xmlns:x=\"rel/uri\"/>";
        write_file("q1.xml", q1, strlen(q1), path, sizeof path);
        coll c = {0};
        CHECK_INT(ingest(path, &c, &err), DC_PARSE);
        write_file("q2.xml", q2, strlen(q2), path, sizeof path);
        CHECK_INT(ingest(path, &c, &err), DC_PARSE);
        write_file("q3.xml", q3, strlen(q3), path, sizeof path);
        CHECK_INT(ingest(path, &c, &err), DC_PARSE);
        CHECK_INT(ingest("/nonexistent/file.xml", &c, &err), DC_IO);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        struct stat sb;
        CHECK(stat(errfile, &sb) == 0 && sb.st_size == 0);
    }
    unlink(errfile);
    CHECK(xmlStructuredError == my_handler);
    CHECK_INT(handler_calls, 0);
    xmlSetStructuredErrorFunc(NULL, NULL);

    snprintf(path, sizeof path, "%s/frus1961-63v08-d35.xml", samples);
    memset(&err, 0, sizeof err);
    CHECK_INT(dc_ingest_tei_file(path, refuse, NULL, &err), DC_DENIED);
    CHECK_INT(dc_ingest_tei_file(NULL, refuse, NULL, &err), DC_MISUSE);
}

/* Gap elements, tables, nested blocks, notes in odd places. */
/* A paragraph's kind from its words: a short line ending in a comma is a
 * signature, a short capitalised one without closing punctuation (16 words
 * at most, under 120 bytes) a heading. */
static void test_paragraph_kinds(void)
{
    char path[256], body[4096];
    coll c = {0};
    dc_error err;
    char longcomma[160];
    memset(longcomma, 'x', 140);
    memcpy(longcomma + 40, " ", 1);
    memcpy(longcomma + 80, " ", 1);
    memcpy(longcomma + 139, ",", 2);
    snprintf(body, sizeof body,
             "<?xml version=\"1.0\"?>\n<TEI " TEI_NS "><text><body>\n"
             "<div type=\"document\" xml:id=\"d1\"><head>1. Letter</head>\n"
             "<p>First the text of the letter, which is long enough.</p>\n"
             "<p>Sincerely,</p>\n<p>%s</p>\n"
             "<p>One two three four, five,</p>\n"
             "<p>Words and words and words and words and words and words and words and "
             "words and words and words and words and words and more,</p>\n"
             "<p>Objectives</p>\n"
             "<p>A b c d e f g h i j k l m n o p</p>\n"
             "<p>A b c d e f g h i j k l m n o p q</p>\n"
             "</div></body></text></TEI>\n",
             longcomma);
    write_file("kinds.xml", body, strlen(body), path, sizeof path);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    CHECK_INT(c.n, 1);
    if (c.n == 1) {
        const dc_doc *d = c.docs[0];
        const char *want[][2] = {{"Sincerely,", "signature"},
                                 {longcomma, "signature"},
                                 {"One two three four, five,", "paragraph"},
                                 {"Words and words and words and words and words and words "
                                  "and words and words and words and words and words and words "
                                  "and more,",
                                  "paragraph"},
                                 {"Objectives", "heading"},
                                 {"A b c d e f g h i j k l m n o p", "heading"},
                                 {"A b c d e f g h i j k l m n o p q", "paragraph"}};
        for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
            const dc_portion *p = NULL;
            for (size_t i = 0; i < d->n_portions && !p; i++)
                if (strcmp(d->portions[i].text, want[k][0]) == 0) p = &d->portions[i];
            CHECK(p != NULL);
            if (p && strcmp(p->kind, want[k][1]) != 0) {
                fprintf(stderr, "\"%s\": %s, not %s\n", want[k][0], p->kind, want[k][1]);
                CHECK(0);
            }
        }
    }
    coll_free(&c);
    unlink(path);
}

/* The reference for dc_tb_add: a run of XML whitespace is one space, none
 * at the start of the buffer or after a space or newline it ends with. */
static void collapse_ref(const char *s, size_t n, char *out, size_t *len)
{
    for (size_t i = 0; i < n;) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
            out[(*len)++] = s[i++];
            continue;
        }
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        if (*len > 0 && out[*len - 1] != ' ' && out[*len - 1] != '\n') out[(*len)++] = ' ';
    }
}

/* dc_tb_add against the reference, over random text of letters, spaces,
 * tabs, newlines, other control bytes and UTF-8, fed in pieces (its fast
 * paths take 16 and 8 bytes at a time). */
static void test_whitespace(void)
{
    static const char *const parts[] = {"a", "b", " ", "  ", "\t", "\n", "\r", "\x01",
                                        "\xc3\xa9", "longer words"};
    unsigned seed = 42;
    for (int round = 0; round < 3000; round++) {
        char text[600], want[700];
        size_t n = 0, wn = 0;
        int k = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 60;
        for (int i = 0; i < k; i++) {
            const char *p = parts[((seed = seed * 1103515245u + 12345u) >> 16) % 10];
            memcpy(text + n, p, strlen(p));
            n += strlen(p);
        }
        collapse_ref(text, n, want, &wn);
        tbuf t;
        dc_tb_init(&t, 1 << 20);
        size_t cut = n ? ((seed = seed * 1103515245u + 12345u) >> 16) % (n + 1) : 0;
        dc_tb_add(&t, text, cut);
        dc_tb_add(&t, text + cut, n - cut);
        if (t.b.len != wn || memcmp(dc_tb_str(&t), want, wn) != 0) {
            CHECK(0);
            fprintf(stderr, "round %d: \"%.*s\" gave \"%s\"\n", round, (int)n, text,
                    dc_tb_str(&t));
            dc_buf_release(&t.b);
            break;
        }
        CHECK(1);
        dc_buf_release(&t.b);
    }
}

/* What libxml2's parser gives in pieces or in a coded form, read whole:
 * text split by references and CDATA, '&' in attribute values (kept by
 * libxml2 as "&#38;"), an empty-element tag against an empty element, and
 * an attribute an ATTLIST of the DOCTYPE defaults (a div that says
 * nothing is then a document div). */
static void test_parser_events(void)
{
    char path[256];
    coll c = {0};
    dc_error err;
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE TEI [\n<!ATTLIST div type CDATA \"document\">\n]>\n"
        "<TEI " TEI_NS "><text><body>\n"
        "<div xml:id=\"d1\" n=\" 1 &amp; 2&#38;3&lt; \"><head>Memo &amp; <hi>note</hi></head>\n"
        "<p>a &amp; b <![CDATA[<c> & d]]> &#169; e &lt;f&gt;</p>\n"
        "<p>Empty <gap/> and open <gap></gap> gaps.</p>\n"
        "</div>\n<div xml:id=\"d2\" n=\"2\"><p>Two.</p></div>\n"
        "<div xml:id=\"d%s\"><p>Three: an NCName of 600 bytes, kept to 511.</p></div>\n"
        "</body></text></TEI>\n";
    char longid[601], *text = malloc(strlen(xml) + sizeof longid);
    memset(longid, 'x', 600);
    longid[600] = '\0';
    if (!text) return;
    snprintf(text, strlen(xml) + sizeof longid, xml, longid);
    write_file("events.xml", text, strlen(text), path, sizeof path);
    free(text);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    CHECK_INT(c.n, 3);
    if (c.n == 3) {
        CHECK_INT(strlen(c.docs[2]->local_id), strlen("events-") + TEI_ATTR - 1);
        const dc_doc *d = c.docs[0];
        CHECK_STR(d->local_id, "events-d1");
        CHECK_STR(d->number, "1 & 2&3<");
        CHECK_STR(d->title, "Memo & note");
        CHECK(any_portion_has(d, "a & b <c> & d \xc2\xa9 e <f>"));
        CHECK(any_portion_has(d, "Empty [text not declassified] and open gaps."));
        CHECK_STR(c.docs[1]->local_id, "events-d2");
    }
    coll_free(&c);
    unlink(path);
}

static void test_synthetic(void)
{
    char path[256];
    coll c = {0};
    dc_error err;
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<TEI " TEI_NS " xmlns:frus=\"http://history.state.gov/frus/ns/1.0\">\n"
        "<teiHeader><fileDesc><titleStmt><title>Short</title><title type=\"complete\">Vol"
        "</title></titleStmt><publicationStmt><idno type=\"frus\">frus1950v07</idno>"
        "</publicationStmt></fileDesc></teiHeader>\n"
        "<text><body><pb n=\"10\"/>\n"
        "<div type=\"document\" xml:id=\"d5\" n=\"5\">\n"
        "<head>5. Telegram From the Embassy in Korea to the Department of State<note n=\"0\" "
        "type=\"source\">Source: Central Files, 795.00/10-750. Confidential; Priority.</note>"
        "</head>\n"
        "<opener><dateline>Seoul, <date when=\"1950-10-07\">October 7, 1950</date>.</dateline>"
        "</opener>\n"
        "<p>Withheld <gap extent=\"3 lines\"/> here and <gap/> there.<note n=\"1\">See "
        "<ref target=\"frus1950v06#d12\">Document 12</ref> and <ref target=\"#d4fn2 #d3\">x"
        "</ref>.</note></p>\n"
        "<table><row><cell/><cell>A</cell><cell>B</cell></row>"
        "<row><cell>1</cell><cell>2</cell><cell>3</cell></row></table>\n"
        "<p>[2 paragraphs (9 lines of source text) not declassified]</p>\n"
        "<p>Before <pb n=\"11\"/>after <persName>John <hi>Doe</hi></persName>.</p>\n"
        "<list><item><p>first</p><p>second</p></item></list>\n"
        "<fw>RUNNING HEAD</fw><closer><signed>Muccio</signed></closer>\n"
        "</div>\n</body></text></TEI>\n";
    write_file("syn.xml", xml, strlen(xml), path, sizeof path);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    CHECK_INT(c.n, 1);
    if (c.n == 1) {
        const dc_doc *d = c.docs[0];
        CHECK_STR(d->collection, "frus1950v07");
        CHECK_STR(d->local_id, "d5");
        CHECK_STR(d->title, "Telegram From the Embassy in Korea to the Department of State");
        CHECK_STR(d->doc_type, "telegram");
        CHECK_STR(d->classification, "CONFIDENTIAL");
        CHECK_STR(d->date, "1950-10-07");
        CHECK_INT(d->pages.n, 2);
        const dc_portion *g = portion_with(d, "Withheld");
        CHECK(g && strcmp(g->text,
                          "Withheld [3 lines of source text not declassified] here and "
                          "[text not declassified] there.") == 0);
        CHECK(g && g->page && strcmp(g->page, "10") == 0);
        CHECK_INT(d->n_gaps, 3);
        if (d->n_gaps == 3) {
            CHECK_STR(d->gaps[0].extent, "3 lines");
            CHECK(d->gaps[1].extent == NULL);
            CHECK_STR(d->gaps[2].extent, "2 paragraphs (9 lines of source text)");
        }
        const dc_portion *w = portion_with(d, "[2 paragraphs");
        CHECK(w && strcmp(w->kind, "gap") == 0);
        CHECK(has_ref(d, "volume", "frus1950v06", "d12"));
        CHECK(has_ref(d, "footnote", "4", "2"));
        CHECK(has_ref(d, "document", "3", NULL));
        const dc_portion *t1 = portion_with(d, "| A | B");
        CHECK(t1 && strcmp(t1->kind, "table") == 0 && strcmp(t1->text, "| A | B") == 0);
        const dc_portion *t2 = portion_with(d, "1 | 2 | 3");
        CHECK(t2 && strcmp(t2->text, "1 | 2 | 3") == 0);
        const dc_portion *pb = portion_with(d, "Before after John Doe.");
        CHECK(pb && pb->n_marks == 1 && pb->marks[0].at == 7);
        CHECK(dc_strv_contains(&d->persons, "John Doe"));
        const dc_portion *first = portion_with(d, "first");
        const dc_portion *second = portion_with(d, "second");
        CHECK(first && strcmp(first->kind, "item") == 0);
        CHECK(second && strcmp(second->kind, "paragraph") == 0);
        CHECK(!any_portion_has(d, "RUNNING HEAD"));
        CHECK(portion_with(d, "Muccio") != NULL);
    }
    coll_free(&c);
    unlink(path);
}

/* An event record's XHTML mapped block by block; the same security rules
 * as for TEI. */
static void test_event_synthetic(void)
{
    char path[256];
    coll c = {0};
    dc_error err;
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<event>\n<id>99</id>\n<title>  A   <b>bold</b>\n  title </title><title>Second</title>\n"
        "<created>2010-01-01</created><icon><alttext>ICON</alttext></icon>\n"
        "<event-type>Conference</event-type><event-date>spring 2012</event-date>\n"
        "<teaser><div xmlns=\"http://www.w3.org/1999/xhtml\">Loose <a href=\"x\">link</a>"
        "<br/>text<p>para</p>after</div></teaser>\n"
        "<full-description><div xmlns=\"http://www.w3.org/1999/xhtml\" "
        "xmlns:o=\"urn:other\"><h2>Head</h2><script>alert(1)</script><style>p{}</style>"
        "<dl><dt>term</dt><dd>definition</dd></dl>"
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>"
        "<ul><li><p>first</p><p>second</p></li></ul>"
        "<blockquote><p>quoted <o:x>inline</o:x> <img src=\"i.png\" alt=\"ALT\"/>text</p>"
        "</blockquote><pre>pre  text</pre></div></full-description>\n</event>\n";
    write_file("ev.xml", xml, strlen(xml), path, sizeof path);
    CHECK_INT(ingest(path, &c, &err), DC_OK);
    CHECK_INT(c.n, 1);
    if (c.n == 1) {
        const dc_doc *d = c.docs[0];
        static const char *const want[][2] = {
            {"heading", "Loose link text"}, {"paragraph", "para"}, {"paragraph", "after"},
            {"heading", "Head"},             {"item", "term"},      {"item", "definition"},
            {"table", "A | B"},              {"table", "1 | 2"},    {"item", "first"},
            {"paragraph", "second"},         {"paragraph", "quoted inline text"},
            {"paragraph", "pre text"},
        };
        size_t n = sizeof want / sizeof want[0];
        CHECK_INT(d->n_portions, n);
        for (size_t i = 0; i < n && i < d->n_portions; i++) {
            CHECK_STR(d->portions[i].kind, want[i][0]);
            CHECK_STR(d->portions[i].text, want[i][1]);
        }
        CHECK_STR(d->local_id, "ev");
        CHECK_STR(d->title, "A bold title");
        CHECK(d->date == NULL); /* not a valid date */
        CHECK_STR(d->doc_type, "event");
        CHECK(!any_portion_has(d, "alert") && !any_portion_has(d, "ICON") &&
              !any_portion_has(d, "ALT") && !any_portion_has(d, "Conference"));
    }
    coll_free(&c);
    unlink(path);

    /* no title: the first heading stands for it */
    expect_str("ev_notitle.xml",
               "<event><event-date>2013-06-21</event-date><full-description>"
               "<div xmlns=\"http://www.w3.org/1999/xhtml\"><h3>The head</h3><p>x</p></div>"
               "</full-description></event>",
               DC_OK, 1, 0, NULL);

    /* hostile event records */
    expect_str("ev_internal.xml",
               "<?xml version=\"1.0\"?>\n<!DOCTYPE event [\n<!ENTITY e \"harmless\">\n]>\n"
               "<event><title>&e;</title></event>\n",
               DC_PARSE, 0, 0, "DOCTYPE declares entities");
    expect_str("ev_xxe.xml",
               "<?xml version=\"1.0\"?>\n<!DOCTYPE event [\n"
               "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n<event><teaser>"
               "<div xmlns=\"http://www.w3.org/1999/xhtml\">&xxe;</div></teaser></event>\n",
               DC_PARSE, 0, 0, "entit");
    expect_str("ev_undef.xml", "<event>\n<title>x</title>\n<teaser>&nbsp;</teaser>\n</event>\n",
               DC_PARSE, 0, 3, "undefined entity 'nbsp'");
    expect_str("ev_trunc.xml", "<event>\n<title>x</title>\n<teaser><div>", DC_PARSE, 0, 0,
               "unexpected end of file");
    size_t len;
    char *deep = repeat("<event><teaser>\n", "<div>", 300, "x</teaser></event>\n", &len);
    if (deep) expect("ev_deep.xml", deep, len, DC_LIMIT, 0, 2, "nesting deeper than 256");
    free(deep);
    char *big = repeat("<event><title>", "word ", 14000, "</title></event>\n", &len);
    if (big) expect("ev_title.xml", big, len, DC_LIMIT, 0, 0, "title longer than 65536 bytes");
    free(big);
    big = repeat("<event><teaser><p>", "word ", 220000, "</p></teaser></event>\n", &len);
    if (big) expect("ev_bigp.xml", big, len, DC_LIMIT, 0, 0, "longer than");
    free(big);
}

static void test_common(void)
{
    CHECK_STR(dc_ingest_doc_type("279. National Security Council Report"), "report");
    CHECK_STR(dc_ingest_doc_type("Letter From Secretary of State Rusk to McNamara"), "letter");
    CHECK_STR(dc_ingest_doc_type("Memorandum of Conversation"), "memorandum-of-conversation");
    CHECK_STR(dc_ingest_doc_type("12. Memorandum From Ross to Rusk"), "memorandum");
    CHECK_STR(dc_ingest_doc_type("Memorandum of Discussion at the 411th Meeting"), "memorandum");
    CHECK_STR(dc_ingest_doc_type("Telegram From the Embassy in Korea"), "telegram");
    CHECK_STR(dc_ingest_doc_type("Briefing Paper Prepared in the Department"), "briefing-paper");
    CHECK_STR(dc_ingest_doc_type("Minutes of the 1961 Meeting"), "minutes");
    CHECK_STR(dc_ingest_doc_type("Editorial Note"), "editorial-note");
    CHECK_STR(dc_ingest_doc_type("Annex to Minutes of the 1975 Meeting"), "document");
    CHECK_STR(dc_ingest_doc_type("Paper Prepared by the Policy Planning Staff"), "document");
    CHECK_STR(dc_ingest_doc_type(NULL), "document");
    CHECK_STR(dc_ingest_classification("Source: X. Top Secret. In addition"), "TOP SECRET");
    CHECK_STR(dc_ingest_classification("Source: X. Top Secret; Eyes Only."), "TOP SECRET");
    CHECK_STR(dc_ingest_classification("Source: RG 330, 18 Apr 61. Secret. Another"), "SECRET");
    CHECK_STR(dc_ingest_classification("Source: Files. Confidential. Drafted"), "CONFIDENTIAL");
    CHECK_STR(dc_ingest_classification("Unclassified."), "UNCLASSIFIED");
    CHECK(dc_ingest_classification("Source: Files on Secret Service funding.") == NULL);
    CHECK(dc_ingest_classification("Source: the Top Secret files.") == NULL);
    CHECK(dc_ingest_classification(NULL) == NULL);
}

/* The datelines of TEI documents in every FRUS style become dates. */
static void test_dateline_dates(void)
{
    static const char *const cases[][2] = {
        {"Washington, 3rd April 1865", "1865-04-03"},
        {"April 3d, 1865", "1865-04-03"},
        {"3 April 1865", "1865-04-03"},
        {"Tokyo, May 5, 1959\xE2\x80\x94" "7 p.m.", "1959-05-05"},
        {"Washington, July 1, 1959.", "1959-07-01"},
        {"November 7-8, 1958", "1958-11-07"},
        {"St. Petersburg, January 3, 1918.", "1918-01-03"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char iso[11] = "";
        CHECK_INT(dc_tei_text_date(cases[i][0], iso), 1);
        CHECK_STR(iso, cases[i][1]);
    }
    char iso[11] = "";
    CHECK_INT(dc_tei_text_date("Washington, April 1865", iso), 0);
    CHECK_INT(dc_tei_text_date("Washington, 3rdly April 1865", iso), 0);
    CHECK_INT(dc_tei_text_date("Received 7 p.m.", iso), 0);
}

int main(void)
{
    test_dateline_dates();
    CHECK(find_corpus());
    snprintf(tmpdir, sizeof tmpdir, "%s", "/tmp/dc_tei_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_common();
    test_d279();
    test_d35();
    test_other_samples();
    test_frus_history();
    test_events();
    test_counts();
    test_synthetic();
    test_parser_events();
    test_whitespace();
    test_paragraph_kinds();
    test_event_synthetic();
    test_hostile();
    test_quiet_and_sink();
    rmdir(tmpdir);
    return TEST_DONE();
}
