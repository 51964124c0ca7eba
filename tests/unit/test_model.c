/* Unit tests: src/model (construction, JSON round trip, levels). */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>

#include "ingest/ingest.h"
#include "declass/model.h"
#include "refs/refs.h"
#include "model/model_int.h"
#include "test.h"
#include "util/util_int.h"

static dc_doc *sample(void)
{
    dc_doc *d = dc_doc_new();
    dc_str_set(&d->id, "frus1958-60v18/d279");
    dc_str_set(&d->collection, "frus1958-60v18");
    dc_str_set(&d->number, "279");
    dc_str_set(&d->title, "National Security Council Report");
    dc_str_set(&d->classification, "TOP SECRET");
    dc_str_set(&d->release_status, "released");
    dc_strv_push(&d->pages, "572");
    dc_strv_push(&d->file_numbers, "Lot 63 D 351");
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->text, "The \"Council\" \xE2\x80\x9C" "adopted\xE2\x80\x9D" " NSC 5817");
    dc_str_set(&p->label, "1");
    dc_portion_add_mark(p, DC_MARK_NOTE, 33, "1");
    dc_portion_add_mark(p, DC_MARK_PAGE, 4, "573");
    dc_portion_add_span(p, 0, 38, "hi", "italic");
    dc_portion_add_span(p, 5, 12, "persName", "p_C_1");
    dc_portion_add_span(p, 31, 39, "quote", NULL);
    dc_str_set(&p->group, "closer");
    p = dc_doc_add_portion(d, "item");
    dc_strv_push(&p->compartments, "ANNEX-F");
    p->withheld = 1;
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "1");
    dc_str_set(&f->text, "Document 237.");
    dc_str_set(&f->anchor, "p1");
    dc_gap *g = dc_doc_add_gap(d);
    dc_str_set(&g->extent, "1 line");
    dc_doc_add_ref(d, "paper", "NSC 5817", NULL, NULL);
    dc_doc_add_ref(d, "paper", "NSC 5817", "supersedes", NULL);
    return d;
}

static void test_roundtrip(void)
{
    dc_doc *d = sample();
    CHECK_STR(d->portions[0].id, "p1");
    CHECK_STR(d->portions[1].id, "p2");
    CHECK_INT(d->n_refs, 1);
    CHECK_STR(d->refs[0].relation, "supersedes");
    char *json = NULL;
    CHECK_INT(dc_doc_to_json(d, 0, &json), DC_OK);
    CHECK(strstr(json, "\"id\":\"frus1958-60v18/d279\"") != NULL);
    CHECK(strstr(json, "\"date\":null") != NULL);
    CHECK(strstr(json, "\"release\":{\"status\":\"released\",\"date\":null}") != NULL);
    dc_doc *e = NULL;
    CHECK_INT(dc_doc_from_json(json, strlen(json), &e), DC_OK);
    CHECK_STR(e->title, d->title);
    CHECK_STR(e->portions[0].text, d->portions[0].text);
    CHECK_INT(e->portions[0].n_marks, 2);
    CHECK_INT(e->portions[0].marks[0].at, 33);
    CHECK_INT(e->portions[0].marks[1].kind, DC_MARK_PAGE);
    CHECK_STR(e->portions[0].marks[1].value, "573");
    CHECK_INT(e->portions[0].n_spans, 3);
    if (e->portions[0].n_spans == 3) {
        CHECK_STR(e->portions[0].spans[1].kind, "persName");
        CHECK_STR(e->portions[0].spans[1].value, "p_C_1");
        CHECK_INT(e->portions[0].spans[1].start, 5);
        CHECK_INT(e->portions[0].spans[1].end, 12);
        CHECK(e->portions[0].spans[2].value == NULL);
    }
    CHECK_STR(e->portions[0].group, "closer");
    CHECK(e->portions[1].group == NULL && e->portions[1].n_spans == 0);
    CHECK(
        strstr(json, "\"spans\":[{\"start\":0,\"end\":38,\"kind\":\"hi\",\"value\":\"italic\"}") !=
        NULL);
    CHECK_INT(e->portions[1].withheld, 1);
    CHECK_STR(e->portions[1].compartments.v[0], "ANNEX-F");
    CHECK_STR(e->footnotes[0].text, "Document 237.");
    CHECK_STR(e->gaps[0].extent, "1 line");
    CHECK_STR(e->refs[0].relation, "supersedes");
    CHECK_STR(e->pages.v[0], "572");
    char *json2 = NULL;
    CHECK_INT(dc_doc_to_json(e, 0, &json2), DC_OK);
    CHECK_STR(json2, json); /* stable: the store hashes this form */
    dc_free(json);
    dc_free(json2);
    dc_doc_free(d);
    dc_doc_free(e);
}

static void test_bad_json(void)
{
    const char *bad[] = {"",
                         "[]",
                         "{\"title\": 5}",
                         "{\"portions\": {}}",
                         "{\"portions\": [{\"marks\": [{\"at\": -1}]}]}",
                         "{\"id\": \"x\"",
                         "{\"portions\": [{\"id\": \"p1\", \"kind\": \"p\", \"spans\": "
                         "[{\"start\": 4, \"end\": 2, \"kind\": \"hi\"}]}]}",
                         "{\"portions\": [{\"id\": \"p1\", \"kind\": \"p\", \"spans\": "
                         "[{\"start\": 0, \"end\": 2}]}]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dc_doc *d = (dc_doc *)1;
        CHECK_INT(dc_doc_from_json(bad[i], strlen(bad[i]), &d), DC_CORRUPT);
        CHECK(d == NULL);
    }
}

static void test_levels(void)
{
    CHECK_INT(dc_level_parse("Top Secret"), DC_TOP_SECRET);
    CHECK_INT(dc_level_parse("TS"), DC_TOP_SECRET);
    CHECK_INT(dc_level_parse("secret"), DC_SECRET);
    CHECK_INT(dc_level_parse("C"), DC_CONFIDENTIAL);
    CHECK_INT(dc_level_parse("UNCLASSIFIED"), DC_UNCLASSIFIED);
    CHECK_INT(dc_level_parse("cosmic"), -1);
    CHECK_INT(dc_level_parse(NULL), -1);
    CHECK_STR(dc_level_name(DC_SECRET), "SECRET");
    dc_doc_free(NULL);
}

/*
 * Both JSON forms are written by our writer (util/json.c) and must stay
 * byte-identical to what cJSON prints for the same tree, since the store
 * hashes the compact one.  The oracle: the indented form parsed by cJSON
 * and printed by it again, indented (cJSON_Print) and compactly
 * (cJSON_PrintUnformatted).
 */
static int json_oracle_ok(const dc_doc *d, const char *what)
{
    char *fast = NULL, *pretty = NULL, *slow = NULL;
    dc_rc rc1 = dc_doc_to_json(d, 0, &fast), rc2 = dc_doc_to_json(d, 1, &pretty);
    cJSON *tree = pretty ? cJSON_Parse(pretty) : NULL;
    char *indented = tree ? cJSON_Print(tree) : NULL;
    if (tree) slow = cJSON_PrintUnformatted(tree);
    int ok = rc1 == DC_OK && rc2 == DC_OK && fast && slow && strcmp(fast, slow) == 0;
    if (ok && (!indented || strcmp(indented, pretty) != 0)) {
        size_t i = 0;
        while (indented && indented[i] && indented[i] == pretty[i]) i++;
        fprintf(stderr, "%s: indented JSON differs from cJSON's at byte %zu\n", what, i);
        ok = 0;
    }
    cJSON_free(indented);
    if (!ok) {
        size_t i = 0;
        while (fast && slow && fast[i] && fast[i] == slow[i]) i++;
        fprintf(stderr, "%s: compact JSON differs from cJSON's at byte %zu\n", what, i);
    }
    /* the same bytes appended to a buffer that already holds text */
    dc_buf b;
    dc_buf_init(&b, 0);
    dc_buf_puts(&b, "xy");
    dc_doc_json_write(d, &b);
    if (ok && (b.rc || b.len != strlen(fast) + 2 || memcmp(b.p + 2, fast, b.len - 2) != 0)) {
        fprintf(stderr, "%s: dc_doc_json_write differs from dc_doc_to_json\n", what);
        ok = 0;
    }
    dc_buf_release(&b);
    /* the indented form appended the same way (dc_render_json) */
    dc_buf_init(&b, 0);
    dc_doc_json_write_pretty(d, &b);
    if (ok && (b.rc || !pretty || b.len != strlen(pretty) || memcmp(b.p, pretty, b.len) != 0)) {
        fprintf(stderr, "%s: dc_doc_json_write_pretty differs from dc_doc_to_json\n", what);
        ok = 0;
    }
    dc_buf_release(&b);
    /* a deep copy (dc_doc_copy) writes the same JSON and shares nothing */
    dc_doc *c = NULL;
    char *cj = NULL;
    if (ok && (dc_doc_copy(d, &c) != DC_OK || dc_doc_to_json(c, 0, &cj) != DC_OK ||
               strcmp(cj, fast) != 0 || (d->title && c->title == d->title) ||
               (d->n_portions && c->portions == d->portions))) {
        fprintf(stderr, "%s: dc_doc_copy differs from the document\n", what);
        ok = 0;
    }
    dc_free(cj);
    dc_doc_free(c);
    cJSON_free(slow);
    cJSON_Delete(tree);
    dc_free(pretty);
    dc_free(fast);
    return ok;
}

static void test_json_tricky(void)
{
    dc_doc *d = sample();
    CHECK(json_oracle_ok(d, "sample"));
    /* every byte from 1 to 255 in one string */
    char all[256];
    for (int i = 1; i < 256; i++) all[i - 1] = (char)i;
    all[255] = '\0';
    dc_str_set(&d->title, all);
    dc_str_set(&d->source_note, "quote \" backslash \\ slash / tab\t nl\n cr\r bs\b ff\f "
                                "\x01\x1f\x7f U+2028 \xE2\x80\xA8 U+2029 \xE2\x80\xA9 "
                                "bad UTF-8 \xFF\xC0 \xC3\xA9t\xC3\xA9 \\u0041");
    dc_str_set(&d->release_date, "\"\\\"");
    dc_strv_push(&d->persons, "");
    dc_strv_push(&d->persons, "Dulles, John Foster \"Foster\"");
    dc_portion *p = dc_doc_add_portion(d, "gap");
    dc_str_set(&p->withheld_reason, "(b)(1)\n");
    p->withheld = 1;
    const size_t ats[] = {0, 9, 10, 99, 65535, 2147483646, 2147483647, 2147483648u,
                          4294967295u, 4294967296ull, 999999999999999ull, 1000000000000000ull,
                          9007199254740993ull, SIZE_MAX};
    for (size_t i = 0; i < sizeof ats / sizeof ats[0]; i++)
        dc_portion_add_mark(p, i % 2 ? DC_MARK_PAGE : DC_MARK_NOTE, ats[i], i % 3 ? "1" : "");
    dc_doc_add_ref(d, "footnote", "277", NULL, "4, 5, and 6");
    dc_doc_add_ref(d, "document", "\t", "rel\x02", "det\\");
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->label, "\xE2\x80\xA8");
    CHECK(json_oracle_ok(d, "tricky strings"));
    char *json = NULL;
    CHECK_INT(dc_doc_to_json(d, 0, &json), DC_OK);
    CHECK(json && strstr(json, "\"release\":{\"status\":\"released\",\"date\":\"\\\"\\\\\\\"\"}"));
    CHECK(json && strstr(json, "tab\\t nl\\n cr\\r bs\\b ff\\f \\u0001\\u001f\x7f "
                               "U+2028 \xE2\x80\xA8"));
    CHECK(json && strstr(json, "{\"at\":2147483648,\"kind\":\"page\",\"value\":\"1\"}"));
    dc_free(json);
    /* an empty document: every string null, every array empty */
    dc_doc *e = dc_doc_new();
    CHECK(json_oracle_ok(e, "empty document"));
    dc_doc_free(e);
    /* a capped buffer refuses the document instead of growing past it */
    dc_buf b;
    dc_buf_init(&b, 100);
    dc_doc_json_write(d, &b);
    CHECK_INT(b.rc, DC_LIMIT);
    CHECK(b.len <= 100);
    dc_buf_release(&b);
    dc_doc_free(d);
}

/* Collects the documents of the sample files for test_json_real. */
typedef struct docs {
    int n, bad;
} docs;

static dc_rc check_doc(void *ctx, dc_doc *doc)
{
    docs *c = ctx;
    c->n++;
    if (dc_refs_enrich(doc) || !json_oracle_ok(doc, doc->local_id ? doc->local_id : "?"))
        c->bad++;
    dc_doc_free(doc);
    return DC_OK;
}

/* Every file with the given extension in dir, through the TEI or text
 * ingester. */
static void check_dir(const char *dir, const char *ext, docs *c)
{
    DIR *dh = dir ? opendir(dir) : NULL;
    if (!dh) return;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        size_t n = strlen(e->d_name), l = strlen(ext);
        if (n <= l || strcmp(e->d_name + n - l, ext) != 0) continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        dc_error err = {0};
        if (strcmp(ext, ".xml") == 0) {
            dc_ingest_tei_file(path, check_doc, c, &err);
            continue;
        }
        char *data = NULL;
        size_t len = 0;
        dc_doc *doc = NULL;
        if (dc_read_file(path, DC_INGEST_MAX_FILE, &data, &len, &err) == DC_OK &&
            dc_ingest_text(data, len, &doc, &err) == DC_OK)
            check_doc(c, doc);
        free(data);
    }
    closedir(dh);
}

/* The seeds and TEI samples ($DC_CORPUS, default samples) and the records
 * of the test corpus ($DC_TEST_CORPUS, default tests/data/corpus): both
 * are in the repository, so every folder must be there. */
static void test_json_real(void)
{
    const char *local = getenv("DC_CORPUS"), *test = getenv("DC_TEST_CORPUS");
    const char *dirs[][3] = {{local ? local : "samples", "seeds", ".txt"},
                             {local ? local : "samples", "tei", ".xml"},
                             {test ? test : "tests/data/corpus", "frus-history/documents", ".xml"},
                             {test ? test : "tests/data/corpus", "frus-history/events", ".xml"}};
    docs c = {0, 0};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", dirs[i][0], dirs[i][1]);
        int n0 = c.n;
        check_dir(dir, dirs[i][2], &c);
        if (c.n == n0) fprintf(stderr, "no documents read from %s\n", dir);
        CHECK(c.n > n0);
    }
    /* 4 seeds, 4 TEI documents, 63 records (some of several documents), 13 events */
    CHECK(c.n >= 8 + 63 + 13);
    CHECK_INT(c.bad, 0);
}

/* volume_title: absent from the JSON when NULL (so every existing
 * document serializes byte for byte as before), kept when set, in both
 * forms. */
static void test_volume_title(void)
{
    dc_doc *d = sample();
    char *before = NULL, *pretty = NULL, *after = NULL;
    CHECK_INT(dc_doc_to_json(d, 0, &before), DC_OK);
    CHECK(strstr(before, "volume_title") == NULL);
    dc_str_set(&d->volume_title, "Foreign Relations, 1958\xE2\x80\x93" "1960, \"Vol\" XVIII");
    CHECK_INT(dc_doc_to_json(d, 0, &after), DC_OK);
    CHECK_INT(dc_doc_to_json(d, 1, &pretty), DC_OK);
    /* the same bytes, with the member appended last */
    CHECK(strncmp(before, after, strlen(before) - 1) == 0);
    CHECK_STR(after + strlen(before) - 1,
              ",\"volume_title\":\"Foreign Relations, 1958\xE2\x80\x93" "1960, \\\"Vol\\\" XVIII\"}");
    dc_doc *e = NULL, *f = NULL;
    CHECK_INT(dc_doc_from_json(after, strlen(after), &e), DC_OK);
    CHECK_INT(dc_doc_from_json(pretty, strlen(pretty), &f), DC_OK);
    if (e && f) {
        CHECK_STR(e->volume_title, d->volume_title);
        CHECK_STR(f->volume_title, d->volume_title);
        char *again = NULL;
        CHECK_INT(dc_doc_to_json(f, 0, &again), DC_OK);
        CHECK_STR(again, after);
        dc_free(again);
    }
    const char bad[] = "{\"id\":\"a/b\",\"volume_title\":7}";
    dc_doc *g = NULL;
    CHECK_INT(dc_doc_from_json(bad, strlen(bad), &g), DC_CORRUPT);
    CHECK(g == NULL);
    dc_doc_free(e);
    dc_doc_free(f);
    dc_free(before);
    dc_free(after);
    dc_free(pretty);
    dc_doc_free(d);
}

int main(void)
{
    test_volume_title();
    test_roundtrip();
    test_json_tricky();
    test_json_real();
    test_bad_json();
    test_levels();
    return TEST_DONE();
}
