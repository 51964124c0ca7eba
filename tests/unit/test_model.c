/* Unit tests: src/model (construction, JSON round trip, levels). */
#include <stdlib.h>

#include "declass/model.h"
#include "test.h"

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
    const char *bad[] = {"", "[]", "{\"title\": 5}", "{\"portions\": {}}",
                         "{\"portions\": [{\"marks\": [{\"at\": -1}]}]}", "{\"id\": \"x\""};
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

int main(void)
{
    test_roundtrip();
    test_bad_json();
    test_levels();
    return TEST_DONE();
}
