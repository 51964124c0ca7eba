/*
 * Renderers: a document as a readable text edition, or as JSON.
 */
#include <string.h>

#include "model/model_int.h"
#include "render/render.h"
#include "util/banned.h"

static int streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* Writes the portion's text with its page and note marks put back where
 * they stood.  A page mark at offset 0 is printed by the caller as a line
 * of its own; *page tracks the page in force. */
static void portion_body(dc_buf *out, const dc_portion *p, const char **page)
{
    const char *t = p->text ? p->text : "";
    size_t len = strlen(t), pos = 0;
    for (size_t i = 0; i < p->n_marks; i++) {
        const dc_mark *m = &p->marks[i];
        size_t at = m->at > len ? len : m->at;
        if (at < pos) at = pos;
        dc_buf_add(out, t + pos, at - pos);
        pos = at;
        if (m->kind == DC_MARK_NOTE) {
            dc_buf_printf(out, "[%s]", m->value);
            continue;
        }
        if (at == 0) continue; /* printed before the portion */
        if (out->len && out->p[out->len - 1] != ' ') dc_buf_putc(out, ' ');
        if (m->value[0])
            dc_buf_printf(out, "[Page %s]", m->value);
        else
            dc_buf_puts(out, "===");
        if (t[pos] != ' ' && t[pos] != '\0') dc_buf_putc(out, ' ');
        *page = m->value;
    }
    dc_buf_add(out, t + pos, len - pos);
}

static void page_line(dc_buf *out, const char *value)
{
    if (value[0])
        dc_buf_printf(out, "[Page %s]\n\n", value);
    else
        dc_buf_puts(out, "===\n\n");
}

static void header(dc_buf *out, const dc_doc *d)
{
    if (d->number) dc_buf_printf(out, "%s. ", d->number);
    dc_buf_puts(out, d->title ? d->title : "(untitled)");
    if (d->title_note) dc_buf_printf(out, "[%s]", d->title_note);
    dc_buf_putc(out, '\n');
    if (d->id) dc_buf_printf(out, "Document: %s\n", d->id);
    dc_buf_printf(out, "Date: %s\n", d->date ? d->date : "undated");
    dc_buf_printf(out, "Classification: %s\n",
                  d->classification ? d->classification : "none stated");
    if (d->release_status) dc_buf_printf(out, "Release: %s\n", d->release_status);
    if (d->file_numbers.n) {
        dc_buf_puts(out, "File numbers:");
        for (size_t i = 0; i < d->file_numbers.n; i++)
            dc_buf_printf(out, "%s %s", i ? ";" : "", d->file_numbers.v[i]);
        dc_buf_putc(out, '\n');
    }
    dc_buf_putc(out, '\n');
}

static void notes(dc_buf *out, const dc_doc *d)
{
    if (!d->source_note && !d->n_footnotes) return;
    dc_buf_puts(out, "Notes\n\n");
    if (d->source_note) {
        if (d->source_note_n) dc_buf_printf(out, "[%s] ", d->source_note_n);
        if (d->source_note_label) dc_buf_printf(out, "%s. ", d->source_note_label);
        dc_buf_printf(out, "%s\n", d->source_note);
    }
    for (size_t i = 0; i < d->n_footnotes; i++) {
        const dc_footnote *f = &d->footnotes[i];
        if (f->n) dc_buf_printf(out, "[%s] ", f->n);
        if (f->label) dc_buf_printf(out, "%s. ", f->label);
        dc_buf_printf(out, "%s\n", f->text ? f->text : "(note not in the source)");
    }
}

dc_rc dc_render_text(const dc_doc *d, dc_buf *out)
{
    header(out, d);
    const char *page = NULL;
    for (size_t i = 0; i < d->n_portions; i++) {
        const dc_portion *p = &d->portions[i];
        if (p->n_marks && p->marks[0].kind == DC_MARK_PAGE && p->marks[0].at == 0) {
            page_line(out, p->marks[0].value);
            page = p->marks[0].value;
        } else if (p->page && !streq(p->page, page)) {
            page_line(out, p->page);
            page = p->page;
        }
        if (p->label) {
            /* "9. ", "a. "; a bullet label ("•", "-") stands without a period. */
            unsigned char c = (unsigned char)p->label[0];
            int alnum = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
            dc_buf_printf(out, alnum ? "%s. " : "%s ", p->label);
        }
        portion_body(out, p, &page);
        dc_buf_puts(out, "\n\n");
    }
    notes(out, d);
    return out->rc;
}

dc_rc dc_render_json(const dc_doc *d, dc_buf *out)
{
    dc_doc_json_write_pretty(d, out); /* straight into out: no string to copy */
    dc_buf_putc(out, '\n');
    return out->rc;
}
