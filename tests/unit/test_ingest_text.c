/* Unit tests: src/ingest/text.c (plain-text and OCR ingest) over the four
 * seeds of $DC_CORPUS/seeds and over small inputs made here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "test.h"
#include "util/util_int.h"

/* ---- helpers ---- */

static dc_doc *load_seed(const char *name)
{
    const char *corpus = getenv("DC_CORPUS");
    char path[1024];
    snprintf(path, sizeof path, "%s/seeds/%s", corpus && *corpus ? corpus : "samples", name);
    char *data = NULL;
    size_t len = 0;
    dc_error err = {0};
    dc_rc rc = dc_read_file(path, DC_INGEST_MAX_FILE, &data, &len, &err);
    CHECK_INT(rc, DC_OK);
    if (rc) {
        fprintf(stderr, "cannot read %s: %s\n", path, err.msg);
        return NULL;
    }
    dc_doc *d = NULL;
    CHECK_INT(dc_ingest_check_text(data, len, &err), DC_OK);
    rc = dc_ingest_text(data, len, &d, &err);
    CHECK_INT(rc, DC_OK);
    if (rc) fprintf(stderr, "%s: line %ld: %s\n", name, err.line, err.msg);
    free(data);
    return d;
}

/* Ingests a NUL-terminated string; NULL (with the failure shown) if it fails. */
static dc_doc *ingest(const char *s)
{
    dc_doc *d = NULL;
    dc_error err = {0};
    dc_rc rc = dc_ingest_text(s, strlen(s), &d, &err);
    if (rc) fprintf(stderr, "ingest failed (%d): line %ld: %s\n", rc, err.line, err.msg);
    return d;
}

/* The first portion whose text contains s. */
static const dc_portion *portion_with(const dc_doc *d, const char *s)
{
    for (size_t i = 0; d && i < d->n_portions; i++)
        if (d->portions[i].text && strstr(d->portions[i].text, s)) return &d->portions[i];
    return NULL;
}

/* The first portion whose text is s. */
static const dc_portion *portion_eq(const dc_doc *d, const char *s)
{
    for (size_t i = 0; d && i < d->n_portions; i++)
        if (d->portions[i].text && strcmp(d->portions[i].text, s) == 0) return &d->portions[i];
    return NULL;
}

/* The first mark of the given kind in p, or NULL. */
static const dc_mark *mark_of(const dc_portion *p, dc_mark_kind kind)
{
    for (size_t i = 0; p && i < p->n_marks; i++)
        if (p->marks[i].kind == kind) return &p->marks[i];
    return NULL;
}

static size_t count_kind(const dc_doc *d, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_portions; i++) n += strcmp(d->portions[i].kind, kind) == 0;
    return n;
}

static size_t offset_of(const dc_portion *p, const char *s)
{
    const char *at = p && p->text ? strstr(p->text, s) : NULL;
    return at ? (size_t)(at - p->text) : (size_t)-1;
}

static int starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Checks one failing input: rc, err.line, a part of the message, *out NULL. */
static void check_bad(const char *data, size_t len, dc_rc want, long line, const char *msg)
{
    dc_error err = {0};
    CHECK_INT(dc_ingest_check_text(data, len, &err), want);
    CHECK_INT(err.line, line);
    if (!strstr(err.msg, msg)) fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.msg, msg);
    CHECK(strstr(err.msg, msg) != NULL);
    dc_doc *d = (dc_doc *)1;
    dc_error err2 = {0};
    CHECK_INT(dc_ingest_text(data, len, &d, &err2), want);
    CHECK(d == NULL);
    CHECK_INT(err2.line, line);
}

/* ---- the seeds ---- */

static void test_seed_000(void)
{
    dc_doc *d = load_seed("000_5785f422be2d1253.txt");
    if (!d) return;
    CHECK_STR(d->number, "279");
    CHECK_STR(d->title, "National Security Council Report");
    CHECK_STR(d->title_note, "0");
    CHECK_STR(d->doc_type, "report");
    CHECK_STR(d->classification, "TOP SECRET");
    CHECK_STR(d->format, "text");
    CHECK(d->date == NULL && d->date_source == NULL);
    CHECK(d->id == NULL && d->collection == NULL && d->local_id == NULL);
    CHECK(d->release_status == NULL && d->release_date == NULL);

    static const char *const pages[] = {"572", "573", "574", "575", "576", "577", "579"};
    CHECK_INT(d->pages.n, 7);
    for (size_t i = 0; i < 7 && i < d->pages.n; i++) CHECK_STR(d->pages.v[i], pages[i]);

    /* 96 portions: 29 numbered paragraphs, the bullets A-E, lists, headings */
    CHECK_INT(d->n_portions, 96);
    CHECK_INT(count_kind(d, "heading"), 6);
    CHECK_INT(count_kind(d, "item"), 7);
    CHECK_INT(count_kind(d, "editorial"), 1);

    CHECK(starts(d->source_note, "Source: Department of State, S/SNSC Files: Lot 63 D 351, "
                                 "NSC 5907 Series. Top Secret."));
    CHECK_STR(d->source_note_label, "1");
    CHECK_STR(d->source_note_n, "0");

    /* Labels 2..16 are markers 1..15. */
    CHECK_INT(d->n_footnotes, 15);
    for (size_t i = 0; i < d->n_footnotes; i++) {
        char n[24], label[24];
        snprintf(n, sizeof n, "%zu", i + 1);
        snprintf(label, sizeof label, "%zu", i + 2);
        CHECK_STR(d->footnotes[i].n, n);
        CHECK_STR(d->footnotes[i].label, label);
    }
    const dc_portion *p = portion_with(d, "NSC 5817");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->id, "p2");
        CHECK_STR(p->kind, "item");
        CHECK_STR(p->label, "A");
        CHECK_STR(p->text, "NSC 5817");
        CHECK(p->page == NULL);
        CHECK_INT(p->n_marks, 1);
        CHECK_INT(p->marks[0].kind, DC_MARK_NOTE);
        CHECK_STR(p->marks[0].value, "1");
        CHECK_INT(p->marks[0].at, 8);
    }
    dc_footnote *f = dc_doc_footnote(d, "1");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(f->text, "Document 237.");
        CHECK_STR(f->label, "2");
        CHECK_STR(f->anchor, "p2");
    }
    f = dc_doc_footnote(d, "2");
    CHECK(f && f->text && strcmp(f->text, "See footnote 1, Document 273.") == 0);
    /* "dated April 29, 19592" = 1959 + marker 2 */
    p = portion_with(d, "OCB Report on NSC 5817");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->label, "B");
        CHECK_STR(p->text, "OCB Report on NSC 5817, dated April 29, 1959");
        const dc_mark *m = mark_of(p, DC_MARK_NOTE);
        CHECK(m && strcmp(m->value, "2") == 0 && m->at == strlen(p->text));
        CHECK(f && f->anchor && strcmp(f->anchor, p->id) == 0);
    }
    p = portion_with(d, "NSC Action No. 2083");
    CHECK(p && strcmp(p->text, "NSC Action No. 2083") == 0);
    CHECK(p && mark_of(p, DC_MARK_NOTE) && strcmp(mark_of(p, DC_MARK_NOTE)->value, "3") == 0);
    p = portion_with(d, "same subject, dated June 17, 23 and 24, 1959");
    CHECK(p && mark_of(p, DC_MARK_NOTE) && strcmp(mark_of(p, DC_MARK_NOTE)->value, "4") == 0);
    p = portion_with(d, "NSC Action No. 2102");
    CHECK(p && strcmp(p->label, "E") == 0 && strcmp(p->text, "NSC Action No. 2102") == 0);

    /* "Annex G8 are" = "Annex G" + marker 8 */
    p = portion_with(d, "and Annex G are also enclosed");
    CHECK(p != NULL);
    if (p) {
        const dc_mark *m = mark_of(p, DC_MARK_NOTE);
        CHECK(m && strcmp(m->value, "8") == 0 && m->at == offset_of(p, " are also"));
    }
    f = dc_doc_footnote(d, "8");
    CHECK(f && starts(f->text, "The Financial Appendix and Annexes A through E and G"));
    CHECK(f && p && f->anchor && strcmp(f->anchor, p->id) == 0);
    /* marker 9 never stands in the body */
    f = dc_doc_footnote(d, "9");
    CHECK(f && f->anchor == NULL);
    CHECK(f && f->text &&
          strcmp(f->text, "Printed from a copy that bears this typed signature.") == 0);
    CHECK(f && f->label && strcmp(f->label, "10") == 0);
    f = dc_doc_footnote(d, "10");
    CHECK(f && starts(f->text, "The U.S. and ROK forces envisaged above"));
    p = portion_with(d, "to oppose Communist aggression.");
    CHECK(f && p && f->anchor && strcmp(f->anchor, p->id) == 0);

    /* "9. a. Maintain ... 1959.11": label 9, "a." stays in the text */
    p = portion_with(d, "Maintain in Korea U.S. armed forces");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->kind, "paragraph");
        CHECK_STR(p->label, "9");
        CHECK(starts(p->text, "a. Maintain in Korea"));
        CHECK_STR(p->page, "575");
        const dc_mark *m = mark_of(p, DC_MARK_NOTE);
        CHECK(m && strcmp(m->value, "11") == 0 && m->at == strlen(p->text));
        CHECK(strstr(p->text, "June 30, 1959.") != NULL && strstr(p->text, "1959.11") == NULL);
    }
    p = portion_with(d, "Continue replacing equipment");
    CHECK(p && strcmp(p->kind, "item") == 0 && strcmp(p->label, "b") == 0);
    p = portion_with(d, "[1 line of source text not declassified]");
    CHECK(p && strcmp(p->kind, "item") == 0 && strcmp(p->label, "c") == 0);

    /* the gaps */
    CHECK_INT(d->n_gaps, 2);
    if (d->n_gaps == 2) {
        CHECK_STR(d->gaps[0].extent, "1 line");
        CHECK_STR(d->gaps[0].page, "575");
        CHECK(p && strcmp(d->gaps[0].anchor, p->id) == 0);
        CHECK_STR(d->gaps[1].extent, "less than 1 line");
        CHECK_STR(d->gaps[1].page, "577");
        p = portion_with(d, "[less than 1 line of source text not declassified]");
        CHECK(p && strcmp(d->gaps[1].anchor, p->id) == 0);
    }

    /* "5429/5.13": marker 13; "Treaty.14"; "Declaration14by" keeps a blank */
    p = portion_with(d, "paragraph 5\xE2\x80\x93g of NSC 5429/5.");
    CHECK(p && strstr(p->text, "5429/5.13") == NULL);
    CHECK(p && mark_of(p, DC_MARK_NOTE) && strcmp(mark_of(p, DC_MARK_NOTE)->value, "13") == 0);
    f = dc_doc_footnote(d, "13");
    CHECK(f && starts(f->text, "See Annex B. [Footnote in the source text;"));
    p = portion_with(d, "Implement the U.S.-ROK Mutual Defense Treaty.");
    CHECK(p && strcmp(p->text, "Implement the U.S.-ROK Mutual Defense Treaty.") == 0);
    f = dc_doc_footnote(d, "14");
    CHECK(f && p && f->anchor && strcmp(f->anchor, p->id) == 0);
    CHECK(f && f->label && strcmp(f->label, "15") == 0);
    p = portion_with(d, "Invoke the Joint Policy Declaration");
    CHECK(p != NULL);
    if (p) {
        CHECK(starts(p->text, "Invoke the Joint Policy Declaration by calling upon"));
        const dc_mark *m = mark_of(p, DC_MARK_NOTE);
        CHECK(m && strcmp(m->value, "14") == 0);
        CHECK(m && m->at == strlen("Invoke the Joint Policy Declaration"));
    }
    /* label 16 resolves to marker 15, which the transcription prints as 14 */
    f = dc_doc_footnote(d, "15");
    CHECK(f && f->anchor == NULL && f->label && strcmp(f->label, "16") == 0);
    CHECK(f && f->text && strcmp(f->text, "See footnote 6, Document 237.") == 0);

    /* not markers */
    p = portion_with(d, "Article 13(D).");
    CHECK(p && p->n_marks == 0);
    p = portion_with(d, "NSC Action No. 2102\xE2\x80\x93" "b.");
    CHECK(p && p->n_marks == 0 && strcmp(p->page, "572") == 0);
    p = portion_with(d, "at the 411th Council meeting on June 25, 1959, adopted");
    CHECK(p && p->n_marks == 0);

    /* headings, the editorial note, numbered paragraphs, a paragraph list */
    static const char *const heads[] = {"NSC 5907",          "Major Policy Guidance",
                                        "Strengthening the ROK", "The Korean Armistice",
                                        "Unification of Korea", "North Korea"};
    for (size_t i = 0; i < 6; i++) {
        p = portion_eq(d, heads[i]);
        CHECK(p && strcmp(p->kind, "heading") == 0 && p->label == NULL);
    }
    p = portion_with(d, "[Here follows a table of contents.]");
    CHECK(p && strcmp(p->kind, "editorial") == 0);
    CHECK(p && strcmp(p->text, "[Here follows a table of contents.]") == 0);
    p = portion_with(d, "Long-Range Objective: To bring about");
    CHECK(p && strcmp(p->label, "1") == 0 && strcmp(p->kind, "paragraph") == 0);
    CHECK(p && starts(p->text, "Long-Range Objective:") && strcmp(p->page, "573") == 0);
    p = portion_with(d, "Encourage the people of North Korea");
    CHECK(p && strcmp(p->label, "29") == 0 && strcmp(p->page, "579") == 0);
    CHECK(p && p == &d->portions[d->n_portions - 1]);
    p = portion_with(d, "Complete the rehabilitation of its economy.");
    CHECK(p && p->label == NULL && strcmp(p->kind, "paragraph") == 0);
    /* nothing of the note list is left in the body, no marker text remains */
    CHECK(portion_with(d, "Document 237.") == NULL);
    CHECK(portion_with(d, "[Page") == NULL);
    dc_doc_free(d);
}

static void test_seed_001(void)
{
    dc_doc *d = load_seed("001_5ebef3754071e70a.txt");
    if (!d) return;
    CHECK(d->number == NULL && d->title_note == NULL);
    CHECK_STR(d->title, "CURRENT ISSUES IN US-ROK SECURITY RELATIONS");
    CHECK_STR(d->doc_type, "briefing-paper");
    CHECK(d->classification == NULL);
    CHECK(d->date == NULL);
    CHECK(d->source_note == NULL && d->source_note_n == NULL && d->source_note_label == NULL);
    CHECK_INT(d->pages.n, 0);
    CHECK_INT(d->n_footnotes, 0);
    CHECK_INT(d->n_gaps, 0);
    CHECK_INT(d->n_portions, 9);
    if (d->n_portions == 9) {
        /* letterhead and title stay in the body as headings */
        CHECK_STR(d->portions[0].kind, "heading");
        CHECK_STR(d->portions[0].text, "DEPARTMENT OF STATE BRIEFING PAPER");
        CHECK_STR(d->portions[1].kind, "heading");
        CHECK_STR(d->portions[1].text, "CURRENT ISSUES IN US-ROK SECURITY RELATIONS");
        CHECK_STR(d->portions[2].kind, "paragraph");
    }
    /* OCR-broken words are kept; a blank line is no hard wrap */
    const dc_portion *p = portion_with(d, "existing sultative and command");
    CHECK(p && strlen(p->text) >= 13 &&
          strcmp(p->text + strlen(p->text) - 13, "respected and") == 0);
    p = portion_with(d, "lized. We believe");
    CHECK(p && starts(p->text, "lized."));
    /* "===" is an unnumbered page break before "Middle East." */
    p = portion_with(d, "Middle East. We are trying");
    CHECK(p && starts(p->text, "Middle East.") && p->n_marks == 1);
    if (p && p->n_marks == 1) {
        CHECK_INT(p->marks[0].kind, DC_MARK_PAGE);
        CHECK_INT(p->marks[0].at, 0);
        CHECK_STR(p->marks[0].value, "");
    }
    CHECK(portion_with(d, "===") == NULL);
    size_t marks = 0;
    for (size_t i = 0; i < d->n_portions; i++) marks += d->portions[i].n_marks;
    CHECK_INT(marks, 1);
    dc_doc_free(d);
}

static void test_seed_002(void)
{
    dc_doc *d = load_seed("002_cb647602e26f3449.txt");
    if (!d) return;
    CHECK_STR(d->number, "35");
    CHECK_STR(d->title, "Letter From Secretary of State Rusk to Secretary of Defense McNamara");
    CHECK_STR(d->title_note, "0");
    CHECK_STR(d->doc_type, "letter");
    CHECK_STR(d->classification, "SECRET");
    CHECK(d->date == NULL);
    CHECK_INT(d->pages.n, 1);
    if (d->pages.n) CHECK_STR(d->pages.v[0], "114");
    CHECK(starts(d->source_note, "Source: Washington National Records Center, RG 330"));
    CHECK_STR(d->source_note_label, "1");
    CHECK_STR(d->source_note_n, "0");
    CHECK_INT(d->n_portions, 10);
    CHECK_INT(d->n_footnotes, 1);
    const dc_portion *p = portion_with(d, "Basic National Security Policy.");
    if (d->n_footnotes == 1) {
        const dc_footnote *f = &d->footnotes[0];
        CHECK_STR(f->n, "1");
        CHECK_STR(f->label, "2");
        CHECK_STR(f->text, "See footnote 2, Document 30.");
        CHECK(p && f->anchor && strcmp(f->anchor, p->id) == 0);
    }
    CHECK(p && strcmp(p->id, "p2") == 0);
    CHECK(p && p->n_marks == 1 && p->marks[0].at == strlen(p->text) &&
          strcmp(p->marks[0].value, "1") == 0);
    p = portion_with(d, "Dear Bob:");
    CHECK(p && strcmp(p->kind, "paragraph") == 0 && strcmp(p->id, "p1") == 0);
    /* "[Page 114]" mid-sentence: taken out, the mark before "I refer" */
    p = portion_with(d, "writing you directly about it. I refer to the provision");
    CHECK(p != NULL);
    if (p) {
        const dc_mark *m = mark_of(p, DC_MARK_PAGE);
        CHECK(m && strcmp(m->value, "114") == 0);
        CHECK(m && m->at == offset_of(p, "I refer"));
        CHECK(p->page == NULL);
    }
    p = portion_with(d, "I am not competent");
    CHECK(p && p->page && strcmp(p->page, "114") == 0);
    p = portion_with(d, "An expansion in the size");
    CHECK(p && strcmp(p->kind, "paragraph") == 0); /* its own line, no blank before */
    dc_doc_free(d);
}

static void test_seed_003(void)
{
    dc_doc *d = load_seed("003_a557502f17c5b6b3.txt");
    if (!d) return;
    CHECK(d->number == NULL);
    CHECK(starts(d->title, "Memorandum by Mr. John C. Ross of the United States Mission"));
    CHECK_STR(d->doc_type, "memorandum");
    CHECK(d->classification == NULL);
    CHECK(d->date == NULL); /* the file-number date is dc_refs_enrich's */
    CHECK(d->source_note == NULL);
    static const char *const pages[] = {"907", "908", "909", "910", "911"};
    CHECK_INT(d->pages.n, 5);
    for (size_t i = 0; i < 5 && i < d->pages.n; i++) CHECK_STR(d->pages.v[i], pages[i]);
    CHECK_INT(d->n_portions, 41);
    if (d->n_portions >= 2) {
        CHECK_STR(d->portions[0].kind, "file-number");
        CHECK_STR(d->portions[0].text, "795.00/10\xE2\x80\x93" "750");
        CHECK_INT(d->portions[0].n_marks, 0);
        /* the title line is kept as a heading so that the text edition
         * keeps the source order: file number, title, body */
        CHECK_STR(d->portions[1].kind, "heading");
        CHECK_STR(d->portions[1].text, d->title);
    }
    /* footnote markers without a note list */
    CHECK_INT(d->n_footnotes, 3);
    const dc_portion *p14 = portion_with(d, "Younger speeches in the plenary yesterday.");
    const dc_portion *p41 = portion_with(d, "Monday morning.");
    for (size_t i = 0; i < d->n_footnotes && i < 3; i++) {
        const dc_footnote *f = &d->footnotes[i];
        char n[24];
        snprintf(n, sizeof n, "%zu", i + 1);
        CHECK_STR(f->n, n);
        CHECK(f->text == NULL && f->label == NULL);
        const dc_portion *want = i < 2 ? p14 : p41;
        CHECK(want && f->anchor && strcmp(f->anchor, want->id) == 0);
    }
    if (p14) {
        /* "plenary [Page 908] yesterday.1 ... Vishinsky’s speech,2 saying" */
        CHECK_INT(p14->n_marks, 3);
        if (p14->n_marks == 3) {
            CHECK_INT(p14->marks[0].kind, DC_MARK_PAGE);
            CHECK_STR(p14->marks[0].value, "908");
            CHECK_INT(p14->marks[0].at, offset_of(p14, "yesterday."));
            CHECK_INT(p14->marks[1].kind, DC_MARK_NOTE);
            CHECK_STR(p14->marks[1].value, "1");
            CHECK_INT(p14->marks[1].at, offset_of(p14, " Kassaniev replied"));
            CHECK_STR(p14->marks[2].value, "2");
            CHECK_INT(p14->marks[2].at, offset_of(p14, " saying that as"));
        }
        CHECK_STR(p14->page, "907");
    }
    /* "- 1." lends its label to the next line */
    const dc_portion *p = portion_with(d, "What is the purpose of the conversations?");
    CHECK(p && strcmp(p->kind, "item") == 0 && strcmp(p->label, "1") == 0);
    CHECK(p && starts(p->text, "What is the purpose"));
    p = portion_with(d, "Since obviously the Russians");
    CHECK(p && strcmp(p->label, "5") == 0 && starts(p->text, "Since obviously"));
    CHECK_INT(count_kind(d, "item"), 5);
    /* mid-line "[Page 907]": "all personal [Page 907] questions" */
    p = portion_with(d, "these were all personal questions, suggested");
    CHECK(p != NULL);
    if (p) {
        const dc_mark *m = mark_of(p, DC_MARK_PAGE);
        CHECK(m && strcmp(m->value, "907") == 0);
        CHECK(m && m->at == offset_of(p, "questions, suggested"));
        CHECK(p->page == NULL);
    }
    /* "[Page 909](Commenting": the portion starts on page 909 */
    p = portion_with(d, "(Commenting on this to me");
    CHECK(p && starts(p->text, "(Commenting") && p->n_marks == 0);
    CHECK(p && p->page && strcmp(p->page, "909") == 0);
    p = portion_with(d, "Engen said that he thought the threat to Russian territory");
    CHECK(p && starts(p->text, "Engen said") && strcmp(p->page, "910") == 0);
    p = portion_with(d, "an American puppet regime.");
    CHECK(p && mark_of(p, DC_MARK_PAGE) && strcmp(mark_of(p, DC_MARK_PAGE)->value, "911") == 0);
    CHECK(portion_with(d, "[Page") == NULL);
    CHECK(portion_with(d, "(1) There is no way") != NULL); /* "(1)" is no marker */
    dc_doc_free(d);
}

/* ---- bad input ---- */

static void test_bad_input(void)
{
    check_bad("", 0, DC_PARSE, 0, "empty file");
    check_bad("  \n\n\t\r\n", 7, DC_PARSE, 0, "empty file");
    check_bad("\xEF\xBB\xBF \n", 5, DC_PARSE, 0, "empty file");
    check_bad("1. Title\n\nsome\0text\n", 20, DC_PARSE, 3, "binary file");
    check_bad("\x7f" "ELF\x02\x01\x01", 7, DC_PARSE, 1, "binary file");
    check_bad("ok\nok\n\x1b[31m red\n", 16, DC_PARSE, 3, "binary file");
    const char *bad = "35. A title\n\nSome text \xC3\x28 here.\n";
    check_bad(bad, strlen(bad), DC_PARSE, 3, "invalid UTF-8 at line 3, column 11");
    const char *over = "1. Title\n\nline two\n\xC0\xAF\n";
    check_bad(over, strlen(over), DC_PARSE, 4, "invalid UTF-8 at line 4, column 1");
    const char *sur = "caf\xC3\xA9 \xED\xA0\x80\n";
    check_bad(sur, strlen(sur), DC_PARSE, 1, "invalid UTF-8 at line 1, column 6");
    const char *trunc = "end \xE2\x80";
    check_bad(trunc, strlen(trunc), DC_PARSE, 1, "invalid UTF-8 at line 1, column 5");

    /* a 2 MB line; a line of exactly DC_INGEST_MAX_LINE bytes is fine */
    size_t big = (size_t)2 << 20;
    char *s = malloc(big + 16);
    CHECK(s != NULL);
    if (!s) return;
    memcpy(s, "Title\n\n", 7);
    memset(s + 7, 'a', big);
    s[7 + big] = '\n';
    check_bad(s, big + 8, DC_LIMIT, 3, "line 3 is longer than 1048576 bytes");
    dc_error err = {0};
    memset(s, 'w', DC_INGEST_MAX_LINE);
    s[DC_INGEST_MAX_LINE] = '\r';
    s[DC_INGEST_MAX_LINE + 1] = '\n';
    CHECK_INT(dc_ingest_check_text(s, DC_INGEST_MAX_LINE + 2, &err), DC_OK);
    s[DC_INGEST_MAX_LINE] = 'w';
    CHECK_INT(dc_ingest_check_text(s, DC_INGEST_MAX_LINE + 2, &err), DC_LIMIT);
    CHECK_INT(err.line, 1);
    free(s);

    /* allowed: BOM, CRLF, tabs, form feeds */
    const char *ok = "\xEF\xBB\xBFtext\r\n\tmore\f\n";
    CHECK_INT(dc_ingest_check_text(ok, strlen(ok), &err), DC_OK);
    /* misuse */
    CHECK_INT(dc_ingest_text("x", 1, NULL, &err), DC_MISUSE);
    CHECK_INT(dc_ingest_check_text(NULL, 3, NULL), DC_MISUSE);
    CHECK_INT(dc_ingest_check_text("", 0, NULL), DC_PARSE); /* err may be NULL */
}

static void test_is_xml(void)
{
    CHECK(dc_ingest_is_xml("<?xml version=\"1.0\"?>", 21));
    CHECK(dc_ingest_is_xml("\xEF\xBB\xBF \r\n\t<TEI>", 12));
    CHECK(!dc_ingest_is_xml("279. Report <b>", 15));
    CHECK(!dc_ingest_is_xml("", 0));
    CHECK(!dc_ingest_is_xml("\xEF\xBB\xBF", 3));
    CHECK(!dc_ingest_is_xml("   ", 3));
    CHECK(!dc_ingest_is_xml(NULL, 0));
    CHECK(!dc_ingest_is_xml("\xEF\xBB<", 3));
}

/* ---- structure ---- */

static void test_hard_wrap(void)
{
    dc_doc *d = ingest("12. Telegram From the Embassy in Korea\n"
                       "to the Department of State0\n\n"
                       "This paragraph was hard\n"
                       "wrapped by the OCR engine\n"
                       "across three lines.\n"
                       "A new line starts here:\n"
                       "and this one is wrapped after a colon.\n"
                       "Ends without a stop\n\n"
                       "but a blank line parts blocks.\n"
                       "a. an item\n"
                       "b. is never joined\n");
    CHECK(d != NULL);
    if (!d) return;
    CHECK_STR(d->number, "12");
    CHECK_STR(d->title, "Telegram From the Embassy in Korea to the Department of State");
    CHECK_STR(d->title_note, "0");
    CHECK_STR(d->doc_type, "telegram");
    CHECK_INT(d->n_portions, 7);
    if (d->n_portions == 7) {
        CHECK_STR(d->portions[0].text,
                  "This paragraph was hard wrapped by the OCR engine across three lines.");
        CHECK_STR(d->portions[1].text, "A new line starts here:");
        CHECK_STR(d->portions[2].text, "and this one is wrapped after a colon.");
        CHECK_STR(d->portions[3].text, "Ends without a stop");
        CHECK_STR(d->portions[4].text, "but a blank line parts blocks.");
        CHECK_STR(d->portions[5].label, "a");
        CHECK_STR(d->portions[5].text, "an item");
        CHECK_STR(d->portions[6].label, "b");
        CHECK_STR(d->portions[6].kind, "item");
    }
    /* no note list: the title marker is a footnote without text */
    CHECK_INT(d->n_footnotes, 1);
    if (d->n_footnotes == 1) {
        CHECK_STR(d->footnotes[0].n, "0");
        CHECK_STR(d->footnotes[0].anchor, "title");
        CHECK(d->footnotes[0].text == NULL);
    }
    dc_doc_free(d);
}

static void test_labels(void)
{
    dc_doc *d = ingest("Points\n\n"
                       "- 1.\n"
                       "- What is the purpose?\n"
                       "- 2.\n"
                       "- 3.\n"
                       "- Who asked?\n"
                       "\xE2\x80\xA2 A plain bullet\n"
                       "* another\n"
                       "A. Lettered\n"
                       "4.\n");
    CHECK(d != NULL);
    if (!d) return;
    CHECK_STR(d->title, "Points");
    CHECK_INT(d->n_portions, 8);
    if (d->n_portions == 8) {
        CHECK_STR(d->portions[0].kind, "heading");
        CHECK_STR(d->portions[1].kind, "item");
        CHECK_STR(d->portions[1].label, "1");
        CHECK_STR(d->portions[1].text, "What is the purpose?");
        CHECK_STR(d->portions[2].label, "2"); /* a label with nothing to lend to */
        CHECK_STR(d->portions[2].text, "");
        CHECK_STR(d->portions[3].label, "3");
        CHECK_STR(d->portions[3].text, "Who asked?");
        CHECK_STR(d->portions[4].label, "\xE2\x80\xA2"); /* the bullet is printed back */
        CHECK_STR(d->portions[4].text, "A plain bullet");
        CHECK_STR(d->portions[5].label, "*");
        CHECK_STR(d->portions[5].text, "another"); /* "* another" is no wrap of the line above */
        CHECK_STR(d->portions[6].label, "A");
        CHECK_STR(d->portions[6].text, "Lettered");
        CHECK_STR(d->portions[7].label, "4");
        CHECK_STR(d->portions[7].kind, "paragraph");
        CHECK_STR(d->portions[7].text, "");
    }
    dc_doc_free(d);
}

static void test_pages_and_gaps(void)
{
    dc_doc *d = ingest("Report on Korea\n\n"
                       "[Page 12]\n\n"
                       "First words [Page 13] then more.\n"
                       "Second [2 lines of source text not declassified] here.\n"
                       "[two paragraphs (9 lines) of source text not declassified]\n"
                       "[Page xiv]Third at the start.\n"
                       "[name not declassified] is no gap; [Page 15]\n"
                       "\f\n"
                       "After a form feed.\n"
                       "___\n"
                       "[3 pages not declassified]\n");
    CHECK(d != NULL);
    if (!d) return;
    CHECK_STR(d->title, "Report on Korea");
    CHECK_STR(d->doc_type, "report");
    static const char *const pages[] = {"12", "13", "xiv", "15"};
    CHECK_INT(d->pages.n, 4);
    for (size_t i = 0; i < 4 && i < d->pages.n; i++) CHECK_STR(d->pages.v[i], pages[i]);
    CHECK_INT(d->n_portions, 8);
    if (d->n_portions == 8) {
        const dc_portion *p = &d->portions[1];
        CHECK_STR(p->text, "First words then more.");
        CHECK_STR(p->page, "12");
        CHECK_INT(p->n_marks, 1);
        if (p->n_marks) {
            CHECK_INT(p->marks[0].at, 12);
            CHECK_STR(p->marks[0].value, "13");
        }
        CHECK_STR(d->portions[2].page, "13");
        CHECK_STR(d->portions[2].kind, "paragraph");
        CHECK_STR(d->portions[3].kind, "gap");
        CHECK_STR(d->portions[4].text, "Third at the start.");
        CHECK_STR(d->portions[4].page, "xiv");
        CHECK_INT(d->portions[4].n_marks, 0);
        p = &d->portions[5];
        /* a name withheld inside a sentence: the gap of its kind (as the TEI
         * ingester and declass's own notices record it, docs/review.md) */
        CHECK_STR(p->text, "[name not declassified] is no gap;");
        CHECK(p->n_marks == 1 && p->marks[0].at == strlen(p->text));
        p = &d->portions[6];
        CHECK_STR(p->text, "After a form feed.");
        CHECK_STR(p->page, "15");
        CHECK(p->n_marks == 1 && p->marks[0].kind == DC_MARK_PAGE && p->marks[0].at == 0 &&
              strcmp(p->marks[0].value, "") == 0);
        p = &d->portions[7];
        CHECK_STR(p->kind, "gap");
        CHECK(p->n_marks == 1 && p->marks[0].at == 0 && strcmp(p->marks[0].value, "") == 0);
    }
    CHECK_INT(d->n_gaps, 4);
    if (d->n_gaps == 4) {
        CHECK_STR(d->gaps[0].extent, "2 lines");
        CHECK_STR(d->gaps[0].page, "13");
        CHECK_STR(d->gaps[0].anchor, "p3");
        CHECK_STR(d->gaps[1].extent, "2 paragraphs (9 lines)");
        CHECK_STR(d->gaps[1].anchor, "p4");
        CHECK_STR(d->gaps[2].extent, "name");
        CHECK_STR(d->gaps[2].anchor, "p6");
        CHECK_STR(d->gaps[3].extent, "3 pages");
        CHECK_STR(d->gaps[3].page, "15");
    }
    dc_doc_free(d);
}

/* A withheld-text note inside a sentence that a wrap left at a line's end
 * does not end the paragraph: the lowercase line after it continues it
 * (the access oracle, seed 1315: a reader's restricted scan wrapped there,
 * and its oracle split the paragraph the stored view keeps whole); a
 * closing bracket that is no note, or a note alone on its line, still
 * ends one. */
static void test_wrapped_gap(void)
{
    dc_doc *d =
        ingest("Report on Korea\n\n"
               "The commission tungsten [less than 1 line of source text not declassified]\n"
               "according to Central Files 711.5/7-961.\n"
               "\n"
               "Seen in the annex [Omitted here]\n"
               "and so on.\n"
               "\n"
               "[1 line of source text not declassified]\n"
               "after a note alone.\n");
    CHECK(d != NULL);
    if (!d) return;
    CHECK_INT(d->n_portions, 6); /* the heading first */
    if (d->n_portions == 6) {
        CHECK_STR(d->portions[1].text, "The commission tungsten [less than 1 line of source text "
                                       "not declassified] according to Central Files 711.5/7-961.");
        CHECK_STR(d->portions[2].text, "Seen in the annex [Omitted here]");
        CHECK_STR(d->portions[3].text, "and so on.");
        CHECK_STR(d->portions[4].kind, "gap");
        CHECK_STR(d->portions[5].text, "after a note alone.");
    }
    CHECK_INT(d->n_gaps, 2);
    if (d->n_gaps == 2) {
        CHECK_STR(d->gaps[0].extent, "less than 1 line");
        CHECK_STR(d->gaps[0].anchor, "p2");
    }
    dc_doc_free(d);
}

static void test_markers(void)
{
    /* list numbered like the markers (from 1): offset 0 */
    dc_doc *d = ingest("Minutes of the Meeting\n\n"
                       "Text one.1 More text,2 and F-16 jets.\n"
                       "It cost 10000 dollars in 1959.\n"
                       "See 795.00/10\xE2\x80\x93" "750 and 630,000 men.\n"
                       "The Annex G8 is far ahead; Pact3.\n\n"
                       "  1. First note.\n"
                       "  2. Second note.\n"
                       "  3. Third note.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->doc_type, "minutes");
        CHECK(d->source_note == NULL);
        CHECK_INT(d->n_footnotes, 3);
        const dc_footnote *f = dc_doc_footnote(d, "1");
        CHECK(f && f->label && strcmp(f->label, "1") == 0);
        CHECK(f && f->text && strcmp(f->text, "First note.") == 0);
        f = dc_doc_footnote(d, "3");
        CHECK(f && f->anchor && strcmp(f->anchor, "p5") == 0);
        const dc_portion *p = portion_with(d, "Text one.");
        CHECK(p && strcmp(p->text, "Text one. More text, and F-16 jets.") == 0);
        CHECK(p && p->n_marks == 2);
        CHECK(portion_with(d, "It cost 10000 dollars in 1959.") != NULL);
        p = portion_with(d, "See 795.00/10");
        CHECK(p && p->n_marks == 0 && strstr(p->text, "630,000") != NULL);
        p = portion_with(d, "The Annex G8 is far ahead; Pact.");
        CHECK(p && p->n_marks == 1);
        dc_doc_free(d);
    }

    /* "27. ... 29." paragraphs at the end are no note list; nor an
     * unindented list without a source note */
    d = ingest("Title\n\n27. Make clear.\n\n28. Encourage.\n\n1. One.\n2. Two.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_INT(d->n_footnotes, 0);
        CHECK_INT(d->n_portions, 5);
        CHECK(d->n_portions == 5 && strcmp(d->portions[4].label, "2") == 0);
        dc_doc_free(d);
    }

    /* a source note at 1 with no markers at all resolves to marker 0 */
    d = ingest("Editorial Note\n\nSome text.\n\n1. Source: Files. Confidential. Drafted.\n"
               "2. A note.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->doc_type, "editorial-note");
        CHECK_STR(d->source_note, "Source: Files. Confidential. Drafted.");
        CHECK_STR(d->source_note_n, "0");
        CHECK_STR(d->classification, "CONFIDENTIAL");
        CHECK(d->n_footnotes == 1 && strcmp(d->footnotes[0].n, "1") == 0 &&
              d->footnotes[0].anchor == NULL);
        dc_doc_free(d);
    }
}

static void test_header(void)
{
    /* dateline, banner; the source note's marking wins over the banner */
    dc_doc *d = ingest("CONFIDENTIAL\n\n"
                       "Memorandum of Conversation\n\n"
                       "Washington, July 1, 1959.\n\n"
                       "Met in the morning.0\n\n"
                       "  1. Source: Central Files. Secret; Limit Distribution.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->title, "Memorandum of Conversation");
        CHECK_STR(d->doc_type, "memorandum-of-conversation");
        CHECK_STR(d->date, "1959-07-01");
        CHECK_STR(d->date_source, "dateline");
        CHECK_STR(d->classification, "SECRET");
        CHECK_STR(d->source_note_label, "1");
        CHECK_STR(d->source_note_n, "0");
        CHECK_INT(d->n_portions, 4);
        dc_doc_free(d);
    }
    d = ingest("TOP SECRET - EYES ONLY\n\nOctober 7, 1950\n\nBody text.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->classification, "TOP SECRET");
        CHECK_STR(d->date, "1950-10-07");
        CHECK_STR(d->doc_type, "document");
        dc_doc_free(d);
    }
    d = ingest("Seoul, 1 July 1961, 3 p.m.\n\nSECRETS OF KOREA\n\nBody.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->date, "1961-07-01");
        CHECK(d->classification == NULL);
        CHECK_STR(d->title, "SECRETS OF KOREA");
        dc_doc_free(d);
    }
    /* datelines in every FRUS style: day first with an ordinal, an old
     * "3d", day first plain, and a time after a dash */
    static const char *const lines[][2] = {
        {"Washington, 3rd April 1865.", "1865-04-03"},
        {"April 3d, 1865.", "1865-04-03"},
        {"3 April 1865", "1865-04-03"},
        {"Tokyo, May 5, 1959\xE2\x80\x94" "7 p.m.", "1959-05-05"},
        {"London, 21st June 1862.", "1862-06-21"},
        {"Paris, June 2nd, 1862", "1862-06-02"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char src[200];
        snprintf(src, sizeof src, "Despatch\n\n%s\n\nBody text.\n", lines[i][0]);
        d = ingest(src);
        CHECK(d != NULL);
        if (d) {
            CHECK_STR(d->date ? d->date : "(none)", lines[i][1]);
            CHECK_STR(d->date_source ? d->date_source : "(none)", "dateline");
            dc_doc_free(d);
        }
    }
    /* an ordinal that is no day: no date */
    d = ingest("Despatch\n\nWashington, 3rdly April 1865.\n\nBody text.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK(d->date == NULL);
        dc_doc_free(d);
    }
    /* not datelines: a sentence, a bad day */
    d = ingest("Title\n\nWe met on July 1, 1959, and talked at length about it.\n\n"
               "February 30, 1959\n");
    CHECK(d != NULL);
    if (d) {
        CHECK(d->date == NULL && d->date_source == NULL);
        dc_doc_free(d);
    }
    /* BOM and CRLF; "Top Secret" inside a sentence is no marking */
    d = ingest("\xEF\xBB\xBF" "7. Paper Prepared in the Department of State0\r\n\r\n"
               "Text here.1\r\n\r\n"
               "  1. Source: Files. The paper was Top Secret when drafted. Unclassified.\r\n"
               "  2. Note.\r\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->number, "7");
        CHECK_STR(d->title, "Paper Prepared in the Department of State");
        CHECK_STR(d->doc_type, "document");
        CHECK_STR(d->classification, "UNCLASSIFIED");
        CHECK(d->n_portions == 1 && strcmp(d->portions[0].text, "Text here.") == 0);
        CHECK(d->n_footnotes == 1 && strcmp(d->footnotes[0].text, "Note.") == 0 &&
              strcmp(d->footnotes[0].anchor, "p1") == 0);
        dc_doc_free(d);
    }
    /* a title after a file number stays in the body, its marker too */
    d = ingest("711.5/7-961\nMemorandum From Smith to Jones0\nText.1\n\nReport1\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->title, "Memorandum From Smith to Jones");
        CHECK_STR(d->title_note, "0");
        CHECK_STR(d->doc_type, "memorandum");
        CHECK(d->n_portions == 4 && strcmp(d->portions[0].kind, "file-number") == 0 &&
              strcmp(d->portions[1].kind, "heading") == 0);
        CHECK(d->n_footnotes == 2 && strcmp(d->footnotes[0].anchor, "p2") == 0 &&
              strcmp(d->footnotes[1].anchor, "p3") == 0);
        /* "Report1" repeats marker 1 (expect-1 is accepted) */
        CHECK(d->n_portions == 4 && strcmp(d->portions[3].text, "Report") == 0 &&
              d->portions[3].n_marks == 1);
        dc_doc_free(d);
    }
    /* a numbered title without a marker has no title note */
    d = ingest("5. Report\n\nReport1\n\nText.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->title, "Report");
        CHECK(d->title_note == NULL);
        CHECK(d->n_footnotes == 1 && strcmp(d->footnotes[0].anchor, "p1") == 0);
        dc_doc_free(d);
    }
    /* nothing but a note list and a page marker */
    d = ingest("[Page 3]\n\n  1. Source: Files. Secret.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK_INT(d->n_portions, 0);
        CHECK_STR(d->doc_type, "document");
        CHECK_STR(d->classification, "SECRET");
        CHECK(d->pages.n == 1 && strcmp(d->pages.v[0], "3") == 0);
        CHECK(d->title == NULL);
        dc_doc_free(d);
    }
    /* untitled: body text first */
    d = ingest("the text begins in lowercase and runs on.\n");
    CHECK(d != NULL);
    if (d) {
        CHECK(d->title == NULL && d->number == NULL);
        CHECK_STR(d->doc_type, "document");
        CHECK(d->n_portions == 1 && strcmp(d->portions[0].kind, "paragraph") == 0);
        dc_doc_free(d);
    }
}

static void test_limits(void)
{
    /* more than 100000 portions */
    size_t lines = 100001;
    char *s = malloc(lines * 2 + 1);
    CHECK(s != NULL);
    if (!s) return;
    for (size_t i = 0; i < lines; i++) {
        s[2 * i] = 'X'; /* capitals: no line continues another */
        s[2 * i + 1] = '\n';
    }
    s[lines * 2] = '\0';
    dc_doc *d = (dc_doc *)1;
    dc_error err = {0};
    CHECK_INT(dc_ingest_text(s, lines * 2, &d, &err), DC_LIMIT);
    CHECK(d == NULL);
    CHECK_INT(err.line, 100001);
    CHECK(strstr(err.msg, "portions") != NULL);
    /* exactly 100000 is fine */
    d = NULL;
    CHECK_INT(dc_ingest_text(s, (lines - 1) * 2, &d, &err), DC_OK);
    CHECK(d && d->n_portions == 100000);
    dc_doc_free(d);
    free(s);

    /* more than 100000 page markers */
    const char *pm = "[Page 1]";
    size_t n = 100001 * strlen(pm);
    s = malloc(n + 8);
    CHECK(s != NULL);
    if (!s) return;
    memcpy(s, "Text ", 5);
    for (size_t i = 0; i < 100001; i++) memcpy(s + 5 + i * strlen(pm), pm, strlen(pm));
    s[5 + n] = '\n';
    d = (dc_doc *)1;
    CHECK_INT(dc_ingest_text(s, n + 6, &d, &err), DC_LIMIT);
    CHECK(d == NULL);
    CHECK_INT(err.line, 1);
    free(s);
}

int main(void)
{
    test_seed_000();
    test_seed_001();
    test_seed_002();
    test_seed_003();
    test_bad_input();
    test_is_xml();
    test_hard_wrap();
    test_labels();
    test_pages_and_gaps();
    test_wrapped_gap();
    test_markers();
    test_header();
    test_limits();
    return TEST_DONE();
}
