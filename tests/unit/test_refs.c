/* Unit tests: src/refs (file numbers, references, file-number dates). */
#include <stdio.h>
#include <stdlib.h>

#include "refs/refs.h"
#include "model/model_int.h"
#include "test.h"

static const dc_ref *find_ref(const dc_doc *d, const char *kind, const char *target)
{
    for (size_t i = 0; i < d->n_refs; i++)
        if (strcmp(d->refs[i].kind, kind) == 0 && strcmp(d->refs[i].target, target) == 0)
            return &d->refs[i];
    return NULL;
}

static void test_dates(void)
{
    char out[11];
    CHECK(dc_refs_file_number_date("795.00/10\xE2\x80\x93" "750", out));
    CHECK_STR(out, "1950-10-07");
    CHECK(dc_refs_file_number_date("711.5/7-961", out));
    CHECK_STR(out, "1961-07-09");
    CHECK(dc_refs_file_number_date("711.5/6-2761", out));
    CHECK_STR(out, "1961-06-27");
    CHECK(!dc_refs_file_number_date("711.5/13-961", out)); /* month 13 */
    CHECK(!dc_refs_file_number_date("711.5/2-3061", out)); /* 30 February */
    CHECK(dc_refs_file_number_date("611.61/2-2960", out)); /* 1960 is a leap year */
    CHECK_STR(out, "1960-02-29");
    CHECK(!dc_refs_file_number_date("711.5", out));
    CHECK(!dc_refs_file_number_date("711.5/7-96", out));
}

static void test_enrich(void)
{
    dc_doc *d = dc_doc_new();
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->text, "adopted the revisions in NSC 5817, subject to NSC Action No. "
                         "2102\xE2\x80\x93" "b. The statement supersedes NSC 5817. "
                         "See NSC 5429/5 and NSC 54291x.");
    dc_str_set(&d->source_note, "Source: Department of State, S/SNSC Files: Lot 63 D 351, "
                                "NSC 5907 Series. Top Secret. (Central Files, 711.5/7-961) "
                                "Washington National Records Center, RG 330.");
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->text, "See footnotes 4, 5, and 6, Document 277. See Supplement.");
    f = dc_doc_add_footnote(d);
    dc_str_set(&f->text, "Document 237.");
    CHECK_INT(dc_refs_enrich(d), DC_OK);
    CHECK_INT(dc_refs_enrich(d), DC_OK); /* idempotent */
    CHECK_INT(d->file_numbers.n, 3);
    CHECK_STR(d->file_numbers.v[0], "711.5/7-961");
    CHECK(dc_strv_contains(&d->file_numbers, "Lot 63 D 351"));
    CHECK(dc_strv_contains(&d->file_numbers, "RG 330"));
    const dc_ref *r = find_ref(d, "paper", "NSC 5817");
    CHECK(r && r->relation && strcmp(r->relation, "supersedes") == 0);
    CHECK(find_ref(d, "paper", "NSC 5907") != NULL);
    CHECK(find_ref(d, "paper", "NSC 5429/5") != NULL);
    CHECK(find_ref(d, "paper", "NSC 5429") == NULL);
    CHECK(find_ref(d, "action", "2102\xE2\x80\x93" "b") != NULL);
    r = find_ref(d, "footnote", "277");
    CHECK(r && r->detail && strcmp(r->detail, "4, 5, and 6") == 0);
    CHECK(find_ref(d, "document", "277") != NULL);
    CHECK(find_ref(d, "document", "237") != NULL);
    CHECK(find_ref(d, "supplement", "Supplement") != NULL);
    /* "NSC 54291x" is glued to a letter: not a reference. */
    CHECK(find_ref(d, "paper", "NSC 5429") == NULL);
    size_t n = d->n_refs;
    CHECK_INT(dc_refs_enrich(d), DC_OK);
    CHECK_INT(d->n_refs, n);
    /* The date comes from the source note's decimal file number. */
    CHECK_STR(d->date, "1961-07-09");
    CHECK_STR(d->date_source, "file-number");
    dc_doc_free(d);
}

static void test_head_file_number(void)
{
    dc_doc *d = dc_doc_new();
    dc_portion *p = dc_doc_add_portion(d, "file-number");
    dc_str_set(&p->text, "795.00/10\xE2\x80\x93" "750");
    dc_str_set(&d->source_note, "Source: Central Files, 711.5/7-961.");
    CHECK_INT(dc_refs_enrich(d), DC_OK);
    CHECK_STR(d->date, "1950-10-07");
    CHECK_STR(d->file_numbers.v[0], "795.00/10\xE2\x80\x93" "750");
    dc_doc_free(d);
    /* A dated document keeps its date. */
    d = dc_doc_new();
    dc_str_set(&d->date, "1959-07-01");
    dc_str_set(&d->source_note, "Central Files, 711.5/7-961.");
    CHECK_INT(dc_refs_enrich(d), DC_OK);
    CHECK_STR(d->date, "1959-07-01");
    CHECK(d->date_source == NULL);
    dc_doc_free(d);
}

/* Each anchor found wherever it lies: at every offset of a 16-byte block
 * (the anchors are looked for 16 positions at a time) and in the last
 * bytes of the text (looked at one by one), in a portion long enough for
 * both. */
static void test_anchor_offsets(void)
{
    static const struct {
        const char *text, *kind, *target;
    } ex[] = {
        {"RG 59", "file", "RG 59"},
        {"Lot 63 D 351", "file", "Lot 63 D 351"},
        {"FRC 72 A 6505", "file", "FRC 72 A 6505"},
        {"711.5/7-961", "file", "711.5/7-961"},
        {"footnote 3, Document 12", "footnote", "12"},
        {"Document 277", "document", "277"},
        {"NSC Action No. 2102", "action", "2102"},
        {"supersedes NSC 5817", "paper", "NSC 5817"},
        {"NSC 68", "paper", "NSC 68"},
        {"See Supplement", "supplement", "Supplement"},
        {"frus1969-76v17", "volume", "frus1969-76v17"},
        {"Foreign Relations, 1950, vol. I", "volume", NULL},
    };
    char text[200];
    for (size_t e = 0; e < sizeof ex / sizeof ex[0]; e++)
        for (int tail = 0; tail < 2; tail++)
            for (int k = 0; k < 40; k++) {
                snprintf(text, sizeof text, "%*s%s%s", k, "", ex[e].text,
                         tail ? "" : " and the words that follow it here.");
                dc_doc *d = dc_doc_new();
                dc_str_set(&dc_doc_add_portion(d, "paragraph")->text, text);
                CHECK_INT(dc_refs_enrich(d), DC_OK);
                const dc_ref *r = NULL;
                for (size_t i = 0; i < d->n_refs && !r; i++)
                    if (strcmp(d->refs[i].kind, ex[e].kind) == 0 &&
                        (!ex[e].target || strcmp(d->refs[i].target, ex[e].target) == 0))
                        r = &d->refs[i];
                if (!r) fprintf(stderr, "no %s ref in \"%s\"\n", ex[e].kind, text);
                CHECK(r != NULL);
                dc_doc_free(d);
            }
}

int main(void)
{
    test_dates();
    test_enrich();
    test_head_file_number();
    test_anchor_offsets();
    return TEST_DONE();
}
