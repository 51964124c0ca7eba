/* Unit tests: paper names and volume citations of src/refs, the pieces
 * under dc_db_paper and reference resolution (the facade itself is tested
 * end to end on the sample corpus in tests/cli/test_papers.py). */
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

static size_t count_kind(const dc_doc *d, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_refs; i++) n += strcmp(d->refs[i].kind, kind) == 0;
    return n;
}

static void test_paper_name(void)
{
    char out[DC_REFS_PAPER_MAX];
    static const char *const same[] = {"NSC 5907", "nsc 5907", "NSC-5907", "NSC5907",
                                       "  NSC   5907  ", "Nsc_5907", "nsc\t5907"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        CHECK(dc_refs_paper_name(same[i], out, sizeof out));
        CHECK_STR(out, "NSC 5907");
    }
    CHECK(dc_refs_paper_name("nsc 5429/5", out, sizeof out));
    CHECK_STR(out, "NSC 5429/5");
    CHECK(dc_refs_paper_name("NSC 68", out, sizeof out));
    CHECK_STR(out, "NSC 68");
    /* bad input: no digits, five digits, trailing words, dangling slash,
     * other prefixes, empty, NULL, too small a buffer */
    static const char *const bad[] = {"NSC", "NSC ", "NSC 59071", "NSC 5907 Series",
                                      "NSC 5429/", "NSC 5429/5/1", "NSCA 5907", "OCB 5907",
                                      "5907", "", "NSC 5907x", "NSC 5429/12345"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(!dc_refs_paper_name(bad[i], out, sizeof out));
        CHECK_STR(out, "");
    }
    CHECK(!dc_refs_paper_name(NULL, out, sizeof out));
    char small[8];
    CHECK(!dc_refs_paper_name("NSC 5429/5", small, sizeof small));
    CHECK_STR(small, "");
    CHECK(!dc_refs_paper_name("NSC 5907", small, sizeof small)); /* 9 bytes with the NUL */
    CHECK(dc_refs_paper_name("nsc590", small, sizeof small));    /* 8 bytes */
    CHECK_STR(small, "NSC 590");
}

/* Volume citations by printed title become volume references with the
 * Office of the Historian's id, and their "Document N" is not taken for a
 * document of this volume. */
static void test_volume_citations(void)
{
    dc_doc *d = dc_doc_new();
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->text, "See footnote 10, Foreign Relations, 1955\xE2\x80\x93" "1957, vol. "
                         "XXIII, Part 2, p. 487.");
    f = dc_doc_add_footnote(d);
    dc_str_set(&f->text, "Printed in Foreign Relations, 1961\xE2\x80\x93" "1963, vol. VI, "
                         "Kennedy-Khrushchev Exchanges, Document 119. See also Document 30.");
    f = dc_doc_add_footnote(d);
    dc_str_set(&f->text, "Foreign Relations, 1950, vol. VII, Korea, and Foreign Relations, "
                         "1955-57, volume XIX, Document 12; Foreign Relations, 1950\xE2\x80\x93"
                         "1954 (1980) names no volume; Foreign Relations, 1958-1960, Volume "
                         "14, South and Southeast Asia.");
    CHECK(dc_refs_enrich(d) == DC_OK);
    const dc_ref *r = find_ref(d, "volume", "frus1955-57v23p2");
    CHECK(r && r->detail && strcmp(r->detail, "pg_487") == 0);
    r = find_ref(d, "volume", "frus1961-63v06");
    CHECK(r && r->detail && strcmp(r->detail, "d119") == 0);
    r = find_ref(d, "volume", "frus1950v07");
    CHECK(r && r->detail == NULL);
    r = find_ref(d, "volume", "frus1955-57v19");
    CHECK(r && r->detail && strcmp(r->detail, "d12") == 0);
    CHECK(find_ref(d, "volume", "frus1958-60v14") != NULL);
    /* counted by reading the three notes: five volumes cited with a
     * volume number (1950–1954 has none), one document of this volume */
    CHECK_INT(count_kind(d, "volume"), 5);
    CHECK(find_ref(d, "document", "30") != NULL);
    CHECK(find_ref(d, "document", "119") == NULL);
    CHECK(find_ref(d, "document", "12") == NULL);
    CHECK_INT(count_kind(d, "document"), 1);
    CHECK(find_ref(d, "footnote", "10") == NULL);
    dc_doc_free(d);

    /* malformed titles are not volumes */
    d = dc_doc_new();
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->text, "Foreign Relations, 195, vol. I; Foreign Relations, 1950, vol. IIII"
                         "I; Foreign Relations, 1950, vol. Q; Foreign Relations, 1950, vol. "
                         "100; Foreign Relations,1950, vol. I; Foreign Relations, 1950-5, "
                         "vol. I; Foreign Relations, 1950, vol. C");
    CHECK(dc_refs_enrich(d) == DC_OK);
    CHECK_INT(count_kind(d, "volume"), 0);
    dc_doc_free(d);
}

/* "Documents N, M, and K" cites each; "Document N and M" only N (M may be
 * a page or a paragraph); a list does not swallow what follows. */
static void test_document_lists(void)
{
    dc_doc *d = dc_doc_new();
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->text, "See Documents 236, 237, and 240. Compare Documents 12 and 13; "
                         "Document 50 and 51 paragraphs. Documents 7, the rest.");
    CHECK(dc_refs_enrich(d) == DC_OK);
    static const char *const cited[] = {"236", "237", "240", "12", "13", "50", "7"};
    for (size_t i = 0; i < sizeof cited / sizeof *cited; i++)
        CHECK(find_ref(d, "document", cited[i]) != NULL);
    /* counted by reading: the seven numbers above, and not 51 */
    CHECK_INT(count_kind(d, "document"), 7);
    CHECK(find_ref(d, "document", "51") == NULL);
    dc_doc_free(d);
}

int main(void)
{
    test_document_lists();
    test_paper_name();
    test_volume_citations();
    return TEST_DONE();
}
