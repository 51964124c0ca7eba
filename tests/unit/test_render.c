/* Unit tests: src/render (text edition and JSON). */
#include <stdlib.h>

#include "declass/render.h"
#include "test.h"

static dc_doc *sample(void)
{
    dc_doc *d = dc_doc_new();
    dc_str_set(&d->id, "frus1950v07/d1");
    dc_str_set(&d->number, "1");
    dc_str_set(&d->title, "Memorandum");
    dc_str_set(&d->title_note, "0");
    dc_str_set(&d->date, "1950-10-07");
    dc_str_set(&d->classification, "SECRET");
    dc_str_set(&d->source_note, "Source: Central Files, 795.00/10-750. Secret.");
    dc_str_set(&d->source_note_n, "0");
    dc_str_set(&d->source_note_label, "1");
    dc_strv_push(&d->file_numbers, "795.00/10-750");
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->page, "907");
    dc_str_set(&p->text, "all personal questions, he said.");
    dc_portion_add_mark(p, DC_MARK_PAGE, 13, "908");
    dc_portion_add_mark(p, DC_MARK_NOTE, 32, "1");
    p = dc_doc_add_portion(d, "item");
    dc_str_set(&p->label, "a");
    dc_str_set(&p->page, "908"); /* continues the page begun above: no new marker */
    dc_str_set(&p->text, "Maintain forces.");
    p = dc_doc_add_portion(d, "item");
    dc_str_set(&p->label, "\xE2\x80\xA2");
    dc_str_set(&p->text, "A bullet.");
    dc_portion_add_mark(p, DC_MARK_PAGE, 0, "");
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "1");
    dc_str_set(&f->label, "2");
    dc_str_set(&f->text, "Document 237.");
    f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "2");
    return d;
}

static void test_text(void)
{
    dc_doc *d = sample();
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_text(d, &b), DC_OK);
    const char *want =
        "1. Memorandum[0]\n"
        "Document: frus1950v07/d1\n"
        "Date: 1950-10-07\n"
        "Classification: SECRET\n"
        "File numbers: 795.00/10-750\n"
        "\n"
        "[Page 907]\n\n"
        "all personal [Page 908] questions, he said.[1]\n\n"
        "a. Maintain forces.\n\n"
        "===\n\n"
        "\xE2\x80\xA2 A bullet.\n\n"
        "Notes\n\n"
        "[0] 1. Source: Central Files, 795.00/10-750. Secret.\n"
        "[1] 2. Document 237.\n"
        "[2] (note not in the source)\n";
    CHECK_STR(b.p, want);
    dc_buf_release(&b);

    /* The output cap is honoured: DC_LIMIT, never a partial success. */
    dc_buf_init(&b, 40);
    CHECK_INT(dc_render_text(d, &b), DC_LIMIT);
    dc_buf_release(&b);
    dc_doc_free(d);
}

static void test_json(void)
{
    dc_doc *d = sample();
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_json(d, &b), DC_OK);
    CHECK(b.len > 0 && b.p[b.len - 1] == '\n');
    dc_doc *e = NULL;
    CHECK_INT(dc_doc_from_json(b.p, b.len, &e), DC_OK);
    CHECK_STR(e->portions[0].marks[0].value, "908");
    CHECK_STR(e->footnotes[0].label, "2");
    dc_doc_free(e);
    dc_buf_release(&b);
    dc_doc_free(d);
}

int main(void)
{
    test_text();
    test_json();
    return TEST_DONE();
}
