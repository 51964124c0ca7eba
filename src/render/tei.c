/*
 * Renderers: a document as TEI P5, the mapping of docs/internals/tei.md
 * run backwards, so that the TEI ingester reads back the same title and
 * portion texts.  Rendered from the reader's view: a withheld portion is a
 * <gap/> and its text is never printed, even if an unfiltered document
 * reaches this renderer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "render/render.h"
#include "util/util_int.h"
#include "util/banned.h"

#define TEI_NS "http://www.tei-c.org/ns/1.0"
#define FRUS_NS "http://history.state.gov/frus/ns/1.0"

typedef struct tei_out {
    dc_buf *out;
    const dc_doc *doc;
    const char *pfx;         /* xml:id prefix ("" for a standalone file) */
    unsigned char *emitted;  /* per footnote: its <note> was written */
    const dc_render_html_opts *opts; /* the volume's lists, or NULL */
} tei_out;

static int streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* Whether s is a whole day "YYYY-MM-DD". */
static int iso_day(const char *s)
{
    int y, m, d;
    return s && strlen(s) == 10 && dc_date_parse(s, 10, &y, &m, &d);
}

/*
 * Appends n bytes of s escaped for XML text (attr: for a double-quoted
 * attribute value) by util/xml.c: invalid UTF-8 and the code points XML
 * 1.0 forbids become U+FFFD; control characters and tabs become spaces,
 * newlines too in attributes.  With cells set, " | " becomes a cell
 * boundary.
 */
static void esc(dc_buf *out, const char *s, size_t n, int attr, int cells)
{
    unsigned flags = attr ? DC_XML_QUOT : DC_XML_NL_KEEP;
    size_t from = 0;
    for (size_t i = 0; cells && i + 2 < n; i++)
        if (s[i] == ' ' && s[i + 1] == '|' && s[i + 2] == ' ') {
            dc_buf_xml_escape(out, s + from, i - from, flags);
            dc_buf_puts(out, "</cell><cell>");
            i += 2;
            from = i + 1;
        }
    dc_buf_xml_escape(out, s + from, n - from, flags);
}

static void esc_s(dc_buf *out, const char *s) { esc(out, s, s ? strlen(s) : 0, 0, 0); }

static void attr(dc_buf *out, const char *name, const char *value)
{
    dc_buf_printf(out, " %s=\"", name);
    esc(out, value, strlen(value), 1, 0);
    dc_buf_putc(out, '"');
}

/* An NCName of plain ASCII (what an xml:id may be and still be safe). */
static int ncname(const char *s)
{
    if (!s || !*s) return 0;
    char c = s[0];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')) return 0;
    for (; *s; s++) {
        c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static void xml_id(tei_out *t, const char *id)
{
    dc_buf_printf(t->out, " xml:id=\"%s", t->pfx);
    esc(t->out, id, strlen(id), 1, 0);
    dc_buf_putc(t->out, '"');
}

static void pb(dc_buf *out, const char *n)
{
    dc_buf_puts(out, "<pb");
    if (n && *n) attr(out, "n", n);
    dc_buf_puts(out, "/>");
}

/* The <note> of footnote marker n: in full the first time, then as a
 * pointer to the first (how FRUS repeats a note); a marker without a
 * note gives an empty note. */
static void inline_text(tei_out *t, const char *s, const dc_mark *marks, size_t n_marks,
                        const dc_span *spans, size_t n_spans, int cells);

static void note(tei_out *t, const char *n)
{
    dc_buf *out = t->out;
    const dc_footnote *f = n ? dc_doc_footnote(t->doc, n) : NULL;
    dc_buf_puts(out, "<note");
    /* a renumbered note (a number repeated in the document: label) is
     * written with its printed number and its own id, which is how the
     * ingester told it apart */
    int relabel = f && f->label && ncname(f->n) && strlen(f->n) < 64;
    attr(out, "n", relabel ? f->label : n ? n : "");
    if (!f) {
        dc_buf_puts(out, "/>");
        return;
    }
    size_t k = (size_t)(f - t->doc->footnotes);
    char id[80];
    if (relabel) snprintf(id, sizeof id, "%s", f->n);
    else snprintf(id, sizeof id, "fn%zu", k + 1);
    if (t->emitted[k]) {
        dc_buf_printf(out, " target=\"%s%s\"/>", t->pfx, id);
        return;
    }
    t->emitted[k] = 1;
    xml_id(t, id);
    if (!f->text) {
        dc_buf_puts(out, "/>");
        return;
    }
    dc_buf_putc(out, '>');
    inline_text(t, f->text, NULL, 0, f->spans, f->n_spans, 0);
    dc_buf_puts(out, "</note>");
}

/* The element of a span's kind and the attribute its value goes in
 * ("#" before a list entry's id); NULL for a kind not written. */
static const char *span_element(const dc_span *sp, const char **att, const char **hash)
{
    static const struct {
        const char *kind, *att, *hash;
    } k[] = {{"persName", "corresp", "#"},
             {"gloss", "target", "#"},
             {"ref", "target", ""},
             {"hi", "rend", ""},
             {"quote", NULL, NULL}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (streq(sp->kind, k[i].kind)) {
            *att = k[i].att;
            *hash = k[i].hash;
            return k[i].kind;
        }
    return NULL;
}

static void open_span(dc_buf *out, const dc_span *sp)
{
    const char *att = NULL, *hash = NULL, *el = span_element(sp, &att, &hash);
    if (!el) return; /* span_written said no */
    dc_buf_printf(out, "<%s", el);
    if (att && sp->value) {
        dc_buf_printf(out, " %s=\"%s", att, hash);
        esc(out, sp->value, strlen(sp->value), 1, 0);
        dc_buf_putc(out, '"');
    }
    dc_buf_putc(out, '>');
}

/* Whether span sp of text s (length len) is written: a kind we know,
 * inside the text, and in a table within one cell (a cell boundary inside
 * it would not nest). */
static int span_written(const char *s, const dc_span *sp, size_t len, int cells)
{
    const char *att, *hash;
    if (!span_element(sp, &att, &hash) || sp->start >= sp->end || sp->end > len) return 0;
    for (size_t k = sp->start; cells && k < sp->end && k + 2 < len; k++)
        if (s[k] == ' ' && s[k + 1] == '|' && s[k + 2] == ' ') return 0;
    return 1;
}

/*
 * A text (a portion's, a note's) with its page and note marks where they
 * stood and its spans as the inline elements they were (persName, gloss,
 * ref, hi, quote).  Spans come outer first; one that would cross another
 * still open is left out, so elements always nest.
 */
static void inline_text(tei_out *t, const char *s, const dc_mark *marks, size_t n_marks,
                        const dc_span *spans, size_t n_spans, int cells)
{
    s = s ? s : "";
    size_t len = strlen(s), pos = 0, mi = 0, si = 0;
    const dc_span *stack[256];
    size_t depth = 0;
    for (;;) {
        /* close what ends here, then marks, then open what starts here */
        while (depth && stack[depth - 1]->end <= pos) {
            const char *att, *hash;
            dc_buf_printf(t->out, "</%s>", span_element(stack[--depth], &att, &hash));
        }
        while (mi < n_marks && (marks[mi].at > len ? len : marks[mi].at) <= pos) {
            const dc_mark *m = &marks[mi++];
            if (m->kind == DC_MARK_PAGE) pb(t->out, m->value);
            else note(t, m->value);
        }
        for (; si < n_spans && spans[si].start <= pos; si++) {
            const dc_span *sp = &spans[si];
            if (sp->start < pos || !span_written(s, sp, len, cells) || depth == 256 ||
                (depth && sp->end > stack[depth - 1]->end))
                continue;
            open_span(t->out, sp);
            stack[depth++] = sp;
        }
        if (pos >= len) break;
        size_t stop = len;
        if (mi < n_marks && marks[mi].at < stop) stop = marks[mi].at;
        if (si < n_spans && spans[si].start < stop) stop = spans[si].start;
        if (depth && stack[depth - 1]->end < stop) stop = stack[depth - 1]->end;
        esc(t->out, s + pos, stop - pos, 0, cells);
        pos = stop;
    }
    while (depth) {
        const char *att, *hash;
        dc_buf_printf(t->out, "</%s>", span_element(stack[--depth], &att, &hash));
    }
}

static void body_text(tei_out *t, const dc_portion *p, int cells)
{
    inline_text(t, p->text, p->marks, p->n_marks, p->spans, p->n_spans, cells);
}

/* A withheld portion or a gap: only a <gap/> (and the page marks it
 * carries); the extent is the gap's, else that of the withheld length. */
static void gap_portion(tei_out *t, const dc_portion *p)
{
    dc_buf *out = t->out;
    const dc_gap *g = dc_doc_gap(t->doc, p->id);
    char ext[48];
    if (g && g->extent) {
        snprintf(ext, sizeof ext, "%s", g->extent);
    } else {
        dc_access_gap_extent(p->text ? strlen(p->text) : 0, ext, sizeof ext);
    }
    dc_buf_puts(out, "<p>");
    size_t mi = 0;
    for (; mi < p->n_marks && p->marks[mi].at == 0; mi++)
        if (p->marks[mi].kind == DC_MARK_PAGE) pb(out, p->marks[mi].value);
    dc_buf_puts(out, "<gap");
    attr(out, "reason", p->withheld_reason && *p->withheld_reason ? p->withheld_reason
                                                                   : "not declassified");
    if (ext[0]) attr(out, "extent", ext);
    dc_buf_puts(out, "/>");
    for (; mi < p->n_marks; mi++)
        if (p->marks[mi].kind == DC_MARK_PAGE) pb(out, p->marks[mi].value);
    dc_buf_puts(out, "</p>\n");
}

/* The element of a portion of kind; in an opener or closer (group) what
 * its blocks are there (a paragraph is a salute, a signature signed). */
static const char *element_of(const char *kind, const char *group)
{
    if (streq(group, "byline")) return "byline";
    if (group && streq(kind, "paragraph")) return "salute";
    if (streq(kind, "heading")) return "head";
    if (streq(kind, "dateline")) return "dateline";
    if (streq(kind, "signature")) return "signed";
    if (streq(kind, "editorial")) return "note";
    return "p";
}

static void portion(tei_out *t, const dc_portion *p)
{
    dc_buf *out = t->out;
    if (p->withheld || (streq(p->kind, "gap") && dc_doc_gap(t->doc, p->id))) {
        gap_portion(t, p);
        return;
    }
    if (streq(p->kind, "item")) {
        if (p->label) {
            dc_buf_puts(out, "<label>");
            esc_s(out, p->label);
            dc_buf_puts(out, "</label>");
        }
        dc_buf_puts(out, "<item>");
        body_text(t, p, 0);
        dc_buf_puts(out, "</item>\n");
        return;
    }
    if (streq(p->kind, "table")) {
        dc_buf_puts(out, "<table><row><cell>");
        body_text(t, p, 1);
        dc_buf_puts(out, "</cell></row></table>\n");
        return;
    }
    const char *el = element_of(p->kind, p->withheld ? NULL : p->group);
    dc_buf_printf(out, "<%s", el);
    if (p->label && strcmp(el, "p") == 0) attr(out, "n", p->label);
    dc_buf_putc(out, '>');
    body_text(t, p, 0);
    dc_buf_printf(out, "</%s>\n", el);
}

static void header(tei_out *t)
{
    const dc_doc *d = t->doc;
    dc_buf *out = t->out;
    dc_buf_puts(out, "<teiHeader><fileDesc><titleStmt><title type=\"complete\">");
    esc_s(out, d->volume_title ? d->volume_title : d->title ? d->title : "Untitled document");
    dc_buf_puts(out, "</title></titleStmt><publicationStmt><distributor>declass</distributor>");
    if (d->volume_title && d->collection) {
        dc_buf_puts(out, "<idno type=\"frus\">");
        esc_s(out, d->collection);
        dc_buf_puts(out, "</idno>");
    }
    if (d->id) {
        dc_buf_puts(out, "<idno type=\"declass\">");
        esc_s(out, d->id);
        dc_buf_puts(out, "</idno>");
    }
    dc_buf_puts(out, "</publicationStmt><sourceDesc><p>The reader's view of declass record ");
    esc_s(out, d->id ? d->id : "(no id)");
    if (d->classification) {
        dc_buf_puts(out, "; classification ");
        esc_s(out, d->classification);
    }
    if (d->release_status) {
        dc_buf_puts(out, "; release status ");
        esc_s(out, d->release_status);
    }
    dc_buf_puts(out, ".</p></sourceDesc></fileDesc></teiHeader>\n");
}

/* The title head: "N. Title", the source note, notes anchored in the
 * title. */
static void title_head(tei_out *t)
{
    const dc_doc *d = t->doc;
    dc_buf *out = t->out;
    dc_buf_puts(out, "<head>");
    if (d->number) {
        esc_s(out, d->number);
        dc_buf_puts(out, ". ");
    }
    if (d->title) inline_text(t, d->title, NULL, 0, d->title_spans, d->n_title_spans, 0);
    else esc_s(out, "Untitled document");
    if (d->source_note) {
        dc_buf_puts(out, "<note type=\"source\"");
        if (d->source_note_n) attr(out, "n", d->source_note_n);
        dc_buf_putc(out, '>');
        inline_text(t, d->source_note, NULL, 0, d->source_spans, d->n_source_spans, 0);
        dc_buf_puts(out, "</note>");
    }
    for (size_t i = 0; i < d->n_footnotes; i++)
        if (streq(d->footnotes[i].anchor, "title") && d->footnotes[i].n)
            note(t, d->footnotes[i].n);
    dc_buf_puts(out, "</head>\n");
}

/* Every span of the document (its portions', its source note's, its
 * notes'), in that order, into v (n of them); NULL on NOMEM. */
static const dc_span **all_spans(const dc_doc *d, size_t *n)
{
    size_t m = d->n_source_spans + d->n_title_spans;
    for (size_t i = 0; i < d->n_portions; i++) m += d->portions[i].n_spans;
    for (size_t i = 0; i < d->n_footnotes; i++) m += d->footnotes[i].n_spans;
    const dc_span **v = malloc((m ? m : 1) * sizeof *v);
    *n = 0;
    if (!v) return NULL;
    for (size_t i = 0; i < d->n_portions; i++)
        for (size_t k = 0; k < d->portions[i].n_spans; k++) v[(*n)++] = &d->portions[i].spans[k];
    for (size_t k = 0; k < d->n_title_spans; k++) v[(*n)++] = &d->title_spans[k];
    for (size_t k = 0; k < d->n_source_spans; k++) v[(*n)++] = &d->source_spans[k];
    for (size_t i = 0; i < d->n_footnotes; i++)
        for (size_t k = 0; k < d->footnotes[i].n_spans; k++) v[(*n)++] = &d->footnotes[i].spans[k];
    return v;
}

/* The entries of the volume's lists the document's names (term 0) or
 * terms (1) point to (spans v[0..n)), as the volume's front matter lists
 * them. */
static void list_div(tei_out *t, const dc_span **v, size_t n, int term, int *front)
{
    const char *kind = term ? "gloss" : "persName";
    int open = 0;
    dc_buf name, desc;
    dc_buf_init(&name, 65536);
    dc_buf_init(&desc, 65536);
    for (size_t i = 0; i < n && !t->out->rc; i++) {
        const dc_span *sp = v[i];
        if (!streq(sp->kind, kind) || !ncname(sp->value)) continue;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = streq(v[k]->kind, kind) && streq(v[k]->value, sp->value);
        if (seen) continue;
        dc_buf_reset(&name);
        dc_buf_reset(&desc);
        if (t->opts->entry(t->opts->ctx, term, sp->value, &name, &desc) != 1 || name.rc ||
            desc.rc || !name.len)
            continue;
        if (!*front) dc_buf_puts(t->out, "<front>\n");
        *front = 1;
        if (!open) dc_buf_printf(t->out, "<div xml:id=\"%s\"><list>\n", term ? "terms" : "persons");
        open = 1;
        dc_buf_printf(t->out, "<item><%s xml:id=\"", term ? "term" : "persName");
        esc(t->out, sp->value, strlen(sp->value), 1, 0);
        dc_buf_puts(t->out, "\">");
        esc(t->out, name.p, name.len, 0, 0);
        dc_buf_printf(t->out, "</%s>", term ? "term" : "persName");
        if (desc.len) {
            dc_buf_puts(t->out, ", ");
            esc(t->out, desc.p, desc.len, 0, 0);
        }
        dc_buf_puts(t->out, "</item>\n");
    }
    if (open) dc_buf_puts(t->out, "</list></div>\n");
    dc_buf_release(&name);
    dc_buf_release(&desc);
}

dc_rc dc_render_tei(const dc_doc *d, const char *id_prefix, dc_buf *out)
{
    return dc_render_tei_with(d, id_prefix, NULL, out);
}

dc_rc dc_render_tei_with(const dc_doc *d, const char *id_prefix, const dc_render_html_opts *opts,
                         dc_buf *out)
{
    if (!d || !out) return DC_MISUSE;
    if (id_prefix && *id_prefix && !ncname(id_prefix)) return DC_MISUSE;
    tei_out t = {out, d, id_prefix ? id_prefix : "", NULL, opts};
    t.emitted = calloc(d->n_footnotes ? d->n_footnotes : 1, 1);
    if (!t.emitted) return DC_NOMEM;
    if (!id_prefix) dc_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    dc_buf_puts(out, "<TEI xmlns=\"" TEI_NS "\" xmlns:frus=\"" FRUS_NS "\"");
    if (ncname(d->collection)) xml_id(&t, d->collection);
    dc_buf_puts(out, ">\n");
    header(&t);
    dc_buf_puts(out, "<text>");
    int front = 0;
    if (opts && opts->entry && !id_prefix) {
        size_t n = 0;
        const dc_span **v = all_spans(d, &n);
        if (!v) {
            free(t.emitted);
            return DC_NOMEM;
        }
        /* the lists are looked up span by span: capped */
        if (n <= 5000) {
            list_div(&t, v, n, 0, &front);
            list_div(&t, v, n, 1, &front);
        }
        free(v);
    }
    dc_buf_puts(out, front ? "</front>\n<body>\n" : "<body>\n");
    /* The page the document opens on, when no mark of its first portion
     * says so: a pb just before the div (the ingester's first page). */
    const dc_portion *p0 = d->n_portions ? &d->portions[0] : NULL;
    int mark0 = p0 && p0->n_marks && p0->marks[0].kind == DC_MARK_PAGE && p0->marks[0].at == 0;
    const char *page = p0 ? p0->page : NULL;
    if (page && !mark0)
        pb(out, page);
    else
        page = NULL;
    dc_buf_puts(out, "<div type=\"document\"");
    if (ncname(d->local_id)) xml_id(&t, d->local_id);
    if (d->number) attr(out, "n", d->number);
    if (iso_day(d->date)) {
        dc_buf_puts(out, " frus:doc-dateTime-min=\"");
        dc_buf_add(out, d->date, 10);
        dc_buf_puts(out, "T00:00:00\"");
    }
    dc_buf_puts(out, ">\n");
    title_head(&t);
    int in_list = 0;
    const char *group = NULL; /* the opener or closer open */
    for (size_t i = 0; i < d->n_portions; i++) {
        const dc_portion *p = &d->portions[i];
        int item = streq(p->kind, "item") && !p->withheld;
        const char *g = p->withheld                 ? NULL
                        : streq(p->group, "opener") ? "opener"
                        : streq(p->group, "closer") ? "closer"
                                                    : NULL;
        if (in_list && (!item || !streq(g, group))) {
            dc_buf_puts(out, "</list>\n");
            in_list = 0;
        }
        if (!streq(g, group) && (g || group)) {
            if (group) dc_buf_printf(out, "</%s>\n", group);
            if (g) dc_buf_printf(out, "<%s>\n", g);
            group = g;
        }
        /* A page change without a mark of its own stands between blocks. */
        int at0 = p->n_marks && p->marks[0].kind == DC_MARK_PAGE && p->marks[0].at == 0;
        if (!at0 && p->page && !streq(p->page, page)) {
            pb(out, p->page);
            page = p->page;
        }
        if (item && !in_list) {
            dc_buf_puts(out, "<list>\n");
            in_list = 1;
        }
        portion(&t, p);
        for (size_t k = 0; k < p->n_marks; k++)
            if (p->marks[k].kind == DC_MARK_PAGE) page = p->marks[k].value;
    }
    if (in_list) dc_buf_puts(out, "</list>\n");
    if (group) dc_buf_printf(out, "</%s>\n", group);
    /* Notes no marker points to (a note list longer than the markers). */
    for (size_t i = 0; i < d->n_footnotes; i++)
        if (!t.emitted[i] && d->footnotes[i].n) {
            note(&t, d->footnotes[i].n);
            dc_buf_putc(out, '\n');
        }
    dc_buf_puts(out, "</div>\n</body></text>\n</TEI>\n");
    free(t.emitted);
    return out->rc;
}
