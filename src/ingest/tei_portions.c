/*
 * TEI ingest: the portion under construction.  Text is routed to the
 * capture in force (portion, title, note, label, header field, person);
 * a block's end makes a portion with its kind, label, page, marks and
 * footnote anchors; notes, page breaks and gaps mark it.
 */
#include "ingest/ingest_int.h"
#include "model/model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util_int.h"
#include "util/banned.h"

void dc_tei_cur_reset(tei *t)
{
    if (t->cur.b.len > 0) t->cur_gen++; /* spans still open lose their text */
    for (size_t i = 0; i < t->n_spans; i++) free(t->spans[i].value);
    t->n_spans = 0;
    dc_tb_clear(&t->cur);
    for (size_t i = 0; i < t->n_marks; i++) free(t->marks[i].value);
    t->n_marks = 0;
    t->n_anchors = 0;
    free(t->cur_page);
    t->cur_page = NULL;
}

static void add_cur_mark(tei *t, dc_mark_kind kind, const char *value)
{
    if (t->n_marks >= TEI_MAX_MARKS) {
        dc_tei_fail(t, DC_LIMIT, "more than %d page and note markers in one portion",
                    TEI_MAX_MARKS);
        return;
    }
    if (DC_GROW(t->marks, t->n_marks + 1, t->cap_marks)) { dc_tei_nomem(t); return; }
    char *v = dc_strdup(value);
    if (!v) { dc_tei_nomem(t); return; }
    t->marks[t->n_marks].at = t->cur.b.len;
    t->marks[t->n_marks].kind = kind;
    t->marks[t->n_marks].value = v;
    t->n_marks++;
}

static void add_anchor(tei *t, size_t fn)
{
    if (DC_GROW(t->anchors, t->n_anchors + 1, t->cap_anchors)) { dc_tei_nomem(t); return; }
    t->anchors[t->n_anchors++] = fn;
}

/* Appends body text to the portion under construction. */
void dc_tei_cur_text(tei *t, const char *s, size_t n)
{
    size_t before = t->cur.b.len;
    dc_tb_add(&t->cur, s, n);
    if (before == 0 && t->cur.b.len > 0) {
        t->last_close = 0;
        if (t->page && !t->cur_page && !(t->cur_page = dc_strdup(t->page))) dc_tei_nomem(t);
    }
    dc_tei_buf_ok(t, &t->cur, "text of one portion");
}

/* The text of the current capture target, or NULL when text is dropped. */
static tbuf *capture_buf(tei *t, int cap)
{
    switch (cap) {
    case CAP_BODY: return &t->cur;
    case CAP_TITLE: return &t->title;
    case CAP_SOURCE: return &t->source;
    case CAP_NOTE: return &t->note;
    case CAP_LABEL: return &t->lab;
    case CAP_HDR_TITLE:
    case CAP_HDR_IDNO:
    case CAP_HDR_DATE:
    case CAP_HDR_VOL: return &t->hdr;
    default: return NULL;
    }
}

/* A byte that can end or begin a word: ASCII letters and digits, and any
 * byte of a multi-byte UTF-8 sequence (letters beyond ASCII). */
static int is_word_byte(char c)
{
    unsigned char u = (unsigned char)c;
    return (u >= '0' && u <= '9') || ((u | 0x20) >= 'a' && (u | 0x20) <= 'z') || u >= 0x80;
}

static int top_cap(tei *t) { return t->depth > 0 ? t->st[t->depth - 1].cap : CAP_SKIP; }

/* Routes a text node to the capture in force (portion, title, note, label,
 * header field) and, inside a persName, to the name as well. */
void dc_tei_add_text(tei *t, const char *s, size_t n)
{
    int cap = top_cap(t);
    if (cap == CAP_LIST) {
        tbuf *b = t->lname_open ? &t->lname : t->litem_open && t->lname_done ? &t->ldesc : NULL;
        if (b) {
            dc_tb_add(b, s, n);
            dc_tei_buf_ok(t, b, "one entry of a list");
        }
        return;
    }
    if (cap == CAP_BODY) {
        /* "Declaration<note/>by": a note between two words stands where
         * the space was lost; put the space back, as the text ingester does
         * for "Declaration14by". */
        if (t->note_glued && n > 0 && is_word_byte(s[0])) dc_tei_cur_text(t, " ", 1);
        t->note_glued = 0;
        dc_tei_cur_text(t, s, n);
    } else {
        tbuf *b = capture_buf(t, cap);
        if (b && !(t->depth > 0 && (t->st[t->depth - 1].flags & FL_SKIPNOTE))) {
            dc_tb_add(b, s, n);
            dc_tei_buf_ok(t, b, "text of one note or title");
        }
    }
    if (t->person_depth > 0 && cap != CAP_SKIP && cap < CAP_HDR_TITLE) {
        dc_tb_add(&t->person, s, n);
        dc_tei_buf_ok(t, &t->person, "a person's name");
    }
}

void dc_tei_add_break(tei *t)
{
    dc_buf *b = &t->cur.b;
    if (!t->book || top_cap(t) != CAP_BODY || !t->doc || b->len == 0) {
        dc_tei_add_space(t);
        return;
    }
    t->note_glued = 0;
    if (b->p[b->len - 1] == ' ') b->p[--b->len] = '\0';
    if (b->len > 0 && b->p[b->len - 1] != '\n') dc_buf_putc(b, '\n');
    if (t->person_depth > 0) dc_tb_space(&t->person);
}

void dc_tei_add_space(tei *t)
{
    t->note_glued = 0;
    if (top_cap(t) == CAP_LIST) {
        if (t->lname_open) dc_tb_space(&t->lname);
        else if (t->litem_open && t->lname_done) dc_tb_space(&t->ldesc);
        return;
    }
    tbuf *b = capture_buf(t, top_cap(t));
    if (b) dc_tb_space(b);
    if (t->person_depth > 0) dc_tb_space(&t->person);
}

/* The page in force at byte `at` of portion p. */
static const char *page_at(const dc_portion *p, size_t at)
{
    const char *page = p->page;
    for (size_t i = 0; i < p->n_marks; i++)
        if (p->marks[i].kind == DC_MARK_PAGE && p->marks[i].at <= at) page = p->marks[i].value;
    return page;
}

/*
 * Records a dc_gap for each "[... not declassified]" statement in portion
 * p, which is how FRUS TEI prints withheld text (plain text in brackets, the
 * extent often in a hi); gap elements were turned into such text already.
 */
static void scan_gaps(tei *t, const dc_portion *p)
{
    static const char key[] = "not declassified";
    static const char *const suffixes[] = {" of source text", " of text", " source text"};
    const char *s = p->text;
    for (const char *hit = strstr(s, key); hit && !t->rc; hit = strstr(hit + 1, key)) {
        const char *close = hit + sizeof key - 1;
        if (*close == '.') close++;
        if (*close != ']') continue;
        const char *open = NULL;
        for (const char *q = hit; q > s && hit - q < 300; q--) {
            if (q[-1] == ']') break;
            if (q[-1] == '[') {
                open = q - 1;
                break;
            }
        }
        if (!open) continue;
        const char *a = open + 1, *b = hit;
        while (a < b && *a == ' ') a++;
        while (b > a && b[-1] == ' ') b--;
        if (b - a == 4 && strncasecmp(a, "text", 4) == 0) b = a; /* "[text not declassified]" */
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            size_t l = strlen(suffixes[i]);
            if ((size_t)(b - a) >= l && strncmp(b - l, suffixes[i], l) == 0) {
                b -= l;
                break;
            }
        }
        if (t->doc->n_gaps >= TEI_MAX_ITEMS) {
            dc_tei_fail(t, DC_LIMIT, "more than %d gaps in one document", TEI_MAX_ITEMS);
            return;
        }
        dc_gap *g = dc_doc_add_gap(t->doc);
        if (!g) { dc_tei_nomem(t); return; }
        int bad = (b > a && dc_str_setn(&g->extent, a, (size_t)(b - a))) ||
                  dc_str_set(&g->page, page_at(p, (size_t)(open - s))) ||
                  dc_str_set(&g->anchor, p->id);
        if (bad) { dc_tei_nomem(t); return; }
    }
}

/* Records that the innermost open block has produced a portion, so a
 * block nested later in it no longer inherits its kind. */
static void note_emitted(tei *t)
{
    for (int i = t->depth - 1; i >= 0; i--)
        if (t->st[i].kind == F_BLOCK) {
            t->st[i].emitted = 1;
            return;
        }
}

/* Kind of a finished portion: FRUS prints editorial insertions as whole
 * bracketed paragraphs ("[Here follows ...]"). */
static const char *refine_kind(const char *kind, const char *text, size_t len)
{
    if (strcmp(kind, "paragraph") != 0 || len < 2) return kind;
    if (text[0] == '[' && text[len - 1] == ']') {
        if (memchr(text + 1, ']', len - 2)) return kind;
        return strstr(text, "not declassified") ? "gap" : "editorial";
    }
    /* FRUS sets sub-headings as short paragraphs ("Objectives", "Military",
     * "NOTE BY THE EXECUTIVE SECRETARY ..."): no closing punctuation, a
     * capital first, at most 16 words.  A short line ending in a comma
     * ("Sincerely,") is the complimentary close of a letter. */
    char last = text[len - 1];
    /* the words counted only where they decide, and only up to 17 */
    size_t words = 1;
    if (last == ',' || len < 120)
        for (size_t i = 0; i < len && words <= 16; i++) words += text[i] == ' ';
    if (last == ',' && words <= 3) return "signature";
    if (len < 120 && words <= 16 && text[0] >= 'A' && text[0] <= 'Z' &&
        !strchr(".:;,?!)\"'", last) && (unsigned char)last < 0x80)
        return "heading";
    return kind;
}

/* Spans in the model's order: by start, the longer first, and of two
 * over the same text the outer (closed later) first. */
static int span_order(const void *a, const void *b)
{
    const pspan *x = *(const pspan *const *)a, *y = *(const pspan *const *)b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end > y->end ? -1 : 1;
    return x > y ? -1 : x < y ? 1 : 0;
}

/* Moves the finished spans of the portion under construction (text of
 * length len, trimmed) onto p. */
static void add_spans(tei *t, dc_portion *p, size_t len)
{
    const pspan **v = malloc(t->n_spans * sizeof *v);
    if (!v) {
        dc_tei_nomem(t);
        return;
    }
    for (size_t i = 0; i < t->n_spans; i++) v[i] = &t->spans[i];
    qsort(v, t->n_spans, sizeof *v, span_order);
    for (size_t i = 0; i < t->n_spans; i++) {
        size_t e = v[i]->end > len ? len : v[i]->end;
        if (v[i]->start >= e) continue;
        dc_rc rc = dc_portion_add_span(p, v[i]->start, e, v[i]->kind, v[i]->value);
        if (rc) {
            if (rc == DC_NOMEM) dc_tei_nomem(t);
            else dc_tei_fail(t, rc, "too many spans");
            break;
        }
    }
    free(v);
}

/*
 * Ends the portion under construction: if it has text, appends it to the
 * document with kind, pending label, page, marks and footnote anchors.
 * Text outside any document (after the first document div) is only looked
 * at for a file-level "Source:" note.  `closing` says whether a block's end
 * caused it (a note right after it then belongs to it).
 */
void dc_tei_flush(tei *t, const char *kind, int closing)
{
    if (t->rc) return;
    size_t len = dc_tb_trim(&t->cur);
    if (len > 0 && !t->file_source && strncmp(dc_tb_str(&t->cur), "Source:", 7) == 0 &&
        (!t->doc || t->fallback) && !(t->file_source = dc_strdup(dc_tb_str(&t->cur))))
        { dc_tei_nomem(t); return; }
    dc_doc *d = t->doc;
    if (!d) {
        dc_tei_cur_reset(t);
        return;
    }
    if (len == 0) {
        /* markers with no text of their own stay with the text before */
        const char *id = d->n_portions ? d->portions[d->n_portions - 1].id : NULL;
        for (size_t i = 0; i < t->n_anchors; i++)
            if (id && dc_str_set(&d->footnotes[t->anchors[i]].anchor, id)) {
                dc_tei_nomem(t);
                return;
            }
        dc_tei_cur_reset(t);
        return;
    }
    if (d->n_portions >= TEI_MAX_PORTIONS) {
        dc_tei_fail(t, DC_LIMIT, "more than %d portions in one document", TEI_MAX_PORTIONS);
        return;
    }
    kind = refine_kind(kind, dc_tb_str(&t->cur), len);
    dc_portion *p = dc_doc_add_portion(d, kind);
    if (!p) { dc_tei_nomem(t); return; }
    p->page = t->cur_page;
    t->cur_page = NULL;
    p->label = t->label;
    t->label = NULL;
    /* the part of a letter it stands in (the innermost opener or closer),
     * or a byline (a chapter's authors) */
    for (int i = t->depth - 1; i >= 0 && t->st[i].kind != F_DOCDIV; i--)
        if (t->st[i].flags & (FL_OPENER | FL_CLOSER | FL_BYLINE)) {
            unsigned fl = t->st[i].flags;
            dc_tei_set_str(t, &p->group,
                           (fl & FL_BYLINE)   ? "byline"
                           : (fl & FL_OPENER) ? "opener"
                                              : "closer");
            break;
        }
    /* a copy of the exact length; the buffer keeps its storage for the
     * next portion instead of growing again from nothing */
    p->text = dc_strndup(t->cur.b.p, len);
    if (!p->text) { dc_tei_nomem(t); return; }
    for (size_t i = 0; i < t->n_marks; i++) {
        size_t at = t->marks[i].at > len ? len : t->marks[i].at;
        dc_rc rc = dc_portion_add_mark(p, t->marks[i].kind, at, t->marks[i].value);
        if (rc) {
            if (rc == DC_NOMEM) dc_tei_nomem(t); else dc_tei_fail(t, rc, "too many markers");
            return;
        }
    }
    if (t->n_spans) add_spans(t, p, len);
    if (t->rc) return;
    for (size_t i = 0; i < t->n_anchors; i++)
        if (dc_str_set(&d->footnotes[t->anchors[i]].anchor, p->id)) { dc_tei_nomem(t); return; }
    scan_gaps(t, p);
    dc_tei_cur_reset(t);
    note_emitted(t);
    t->last_close = closing;
}

/* Kind of the innermost open block, for text that continues around a
 * nested block or container. */
const char *dc_tei_open_kind(tei *t)
{
    for (int i = t->depth - 1; i >= 0; i--) {
        if (t->st[i].kind == F_BLOCK) return t->st[i].bkind;
        if (t->st[i].kind == F_DOCDIV || t->st[i].kind == F_TEXT) break;
    }
    return "paragraph";
}

/* A note's marker: in the title the note is anchored to "title"; in body
 * text a DC_MARK_NOTE where it stands, or at the end of the portion just
 * ended when it follows that block directly (`</signed><note>`).
 * fn is the footnote to anchor, or (size_t)-1 for a repeated marker. */
static void note_marker(tei *t, int cap, const char *value, size_t fn)
{
    dc_doc *d = t->doc;
    if (cap == CAP_TITLE) {
        if (fn != (size_t)-1) dc_tei_set_str(t, &d->footnotes[fn].anchor, "title");
        return;
    }
    if (t->cur.b.len == 0 && t->last_close && d->n_portions > 0) {
        dc_portion *p = &d->portions[d->n_portions - 1];
        dc_rc rc = dc_portion_add_mark(p, DC_MARK_NOTE, strlen(p->text), value);
        if (rc) {
            if (rc == DC_NOMEM)
                dc_tei_nomem(t);
            else
                dc_tei_fail(t, rc, "too many markers in one portion");
            return;
        }
        if (fn != (size_t)-1) dc_tei_set_str(t, &d->footnotes[fn].anchor, p->id);
        return;
    }
    add_cur_mark(t, DC_MARK_NOTE, value);
    if (fn != (size_t)-1) add_anchor(t, fn);
    t->note_glued = t->cur.b.len > 0 && is_word_byte(t->cur.b.p[t->cur.b.len - 1]);
}

/*
 * A note element in body text or the title.  The source note (type
 * "source": in the head, or the first one with @n) is kept apart; any other
 * note with @n is a footnote; a note repeating an earlier one (@target = its
 * xml:id) only adds a marker; a note without @n is an editorial portion.
 * Footnote markers are unique in a document: a repeated @n (a monograph
 * numbering per chapter) becomes the note's xml:id or "n-k", @n the label.
 */
void dc_tei_on_note(tei *t, frame *f, int pcap)
{
    char n[TEI_ATTR], id[TEI_ATTR], target[TEI_ATTR];
    dc_doc *d = t->doc;
    if (!d) {
        f->cap = CAP_SKIP;
        return;
    }
    int has_n = dc_tei_attr(t, "n", NULL, n);
    if (dc_tei_attr_is(t, "type", "source") &&
        (pcap == CAP_TITLE || (has_n && !d->source_note && !t->source_n))) {
        f->kind = F_SOURCE;
        f->cap = CAP_SOURCE;
        dc_tb_clear(&t->source);
        dc_tei_xspans_clear(t, 1);
        dc_tei_set_str(t, &t->source_n, has_n ? n : NULL);
        t->source_in_title = pcap == CAP_TITLE;
        return;
    }
    if (!has_n) {
        if (pcap == CAP_BODY) {
            f->kind = F_BLOCK;
            f->bkind = "editorial";
            if (t->cur.b.len > 0) dc_tei_flush(t, dc_tei_open_kind(t), 0);
        } else {
            f->cap = CAP_SKIP;
        }
        return;
    }
    if (dc_tei_attr(t, "target", NULL, target)) {
        const char *tg = target[0] == '#' ? target + 1 : target;
        for (size_t i = 0; i < t->note_ids.n; i++)
            if (strcmp(t->note_ids.v[i], tg) == 0) {
                f->cap = CAP_SKIP;
                f->flags |= FL_SKIPNOTE;
                note_marker(t, pcap, d->footnotes[i].n, (size_t)-1);
                return;
            }
    }
    if (d->n_footnotes >= TEI_MAX_NOTES) {
        dc_tei_fail(t, DC_LIMIT, "more than %d notes in one document", TEI_MAX_NOTES);
        return;
    }
    int has_id = dc_tei_attr(t, "id", DC_XML_NS, id);
    char value[TEI_ATTR + 32];
    const char *label = NULL;
    snprintf(value, sizeof value, "%s", n);
    if (dc_doc_footnote(d, n)) {
        label = n;
        if (has_id && !dc_doc_footnote(d, id))
            snprintf(value, sizeof value, "%s", id);
        else
            snprintf(value, sizeof value, "%s-%d", n, ++t->n_dup);
    }
    dc_footnote *fn = dc_doc_add_footnote(d);
    if (!fn) { dc_tei_nomem(t); return; }
    size_t idx = d->n_footnotes - 1;
    if (dc_str_set(&fn->n, value) || dc_str_set(&fn->label, label) ||
        dc_strv_push(&t->note_ids, has_id ? id : ""))
        { dc_tei_nomem(t); return; }
    f->kind = F_NOTE;
    f->cap = CAP_NOTE;
    dc_tb_clear(&t->note);
    dc_tei_xspans_clear(t, 0);
    t->note_fn = idx;
    note_marker(t, pcap, value, idx);
}

/* A page break: the page joins doc->pages, marks body text that has begun,
 * and becomes the page in force (for this and the following documents). */
void dc_tei_on_pb(tei *t, int cap)
{
    char n[TEI_ATTR];
    if (!dc_tei_attr(t, "n", NULL, n)) n[0] = '\0';
    if (t->doc && n[0]) {
        if (t->doc->pages.n >= TEI_MAX_ITEMS) {
            dc_tei_fail(t, DC_LIMIT, "more than %d pages in one document", TEI_MAX_ITEMS);
            return;
        }
        /* a page that begins before the document's first word (its div
         * opens with a pb) replaces the page in force when it opened */
        dc_strv *pv = &t->doc->pages;
        if (pv->n == 1 && !t->fallback && t->doc->n_portions == 0 && t->cur.b.len == 0 &&
            !t->title_taken) {
            if (dc_str_set(&pv->v[0], n)) { dc_tei_nomem(t); return; }
        } else if (dc_strv_push(pv, n)) {
            dc_tei_nomem(t);
            return;
        }
    }
    if (cap == CAP_BODY && t->doc && t->cur.b.len > 0) add_cur_mark(t, DC_MARK_PAGE, n);
    if (n[0]) dc_tei_set_str(t, &t->page, n);
}

/* An empty gap element prints as FRUS prints withheld text, so that the
 * portion shows it and scan_gaps() records it like the bracketed form. */
void dc_tei_on_gap(tei *t)
{
    char ext[2 * TEI_ATTR + 8], q[TEI_ATTR], u[TEI_ATTR], text[2 * TEI_ATTR + 64];
    if (!dc_tei_is_empty(t)) return;
    if (!dc_tei_attr(t, "extent", NULL, ext) && dc_tei_attr(t, "quantity", NULL, q)) {
        if (!dc_tei_attr(t, "unit", NULL, u)) snprintf(u, sizeof u, "%s", "lines");
        snprintf(ext, sizeof ext, "%s %s", q, u);
    }
    if (ext[0])
        snprintf(text, sizeof text, "[%s of source text not declassified]", ext);
    else
        snprintf(text, sizeof text, "%s", "[text not declassified]");
    dc_tei_add_text(t, text, strlen(text));
}
