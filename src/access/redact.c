/*
 * Access control: withholdings inside a document — spans of a portion, a
 * footnote, the source note or the title, and those parts whole — made
 * into the FRUS notices a reader who may not read them sees
 * (docs/review.md, "Notices").  Part of building the reader's view
 * (dc_access_restrict); the decision per withholding is the one rule,
 * dc_access_allows, on dc_access_withholding_class.
 */
#include "access/access.h"
#include "model/model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_int.h"
#include "util/banned.h"

static int is_kind(const char *kind, const char *name) { return kind && strcmp(kind, name) == 0; }

void dc_access_notice(const char *kind, size_t n, size_t len, char *text, size_t text_cap,
                      char *extent, size_t extent_cap)
{
    size_t lines = (len + DC_ACCESS_LINE - 1) / DC_ACCESS_LINE;
    if (n < 1) n = 1;
    if (is_kind(kind, "name") || is_kind(kind, "place")) {
        const char *one = is_kind(kind, "name") ? "name" : "place";
        if (n == 1) snprintf(text, text_cap, "[%s not declassified]", one);
        else snprintf(text, text_cap, "[%zu %ss not declassified]", n, one);
    } else if (is_kind(kind, "paragraph")) {
        if (lines < 1) lines = 1;
        snprintf(text, text_cap, "[%zu paragraph%s (%zu line%s of source text) not declassified]",
                 n, n == 1 ? "" : "s", lines, lines == 1 ? "" : "s");
    } else if (len < DC_ACCESS_LINE) {
        snprintf(text, text_cap, "[less than 1 line of source text not declassified]");
    } else {
        snprintf(text, text_cap, "[%zu line%s of source text not declassified]", lines,
                 lines == 1 ? "" : "s");
    }
    /* the extent is what an ingest of the notice records (tei_portions.c,
     * text.c): the words before " not declassified", less a last " of
     * source text" */
    size_t m = strlen(text);
    const char *tail = " not declassified]";
    size_t k = m > strlen(tail) + 1 ? m - strlen(tail) - 1 : 0;
    const char *src = " of source text";
    if (k >= strlen(src) && strncmp(text + 1 + k - strlen(src), src, strlen(src)) == 0)
        k -= strlen(src);
    snprintf(extent, extent_cap, "%.*s", (int)k, text + 1);
}

/* One withheld span of a text, and the group of adjacent spans it ends
 * up in. */
typedef struct span {
    size_t start, end;
    const char *kind; /* NULL: lines */
} span;

static const char *kind_of(const char *k)
{
    return k && (is_kind(k, "name") || is_kind(k, "place") || is_kind(k, "paragraph")) ? k
                                                                                       : "lines";
}

/*
 * 1 if the text t[a, b) between two spans of kind lets them merge into
 * one notice: nothing but blanks for lines; blanks, ",", ";", "/", "&"
 * and the words "and" / "or" for names and places ("[2 names not
 * declassified]" for "Smith and Jones"); paragraphs never merge.
 */
static int joinable(const char *t, size_t a, size_t b, const char *kind)
{
    if (is_kind(kind, "paragraph")) return 0;
    int words = is_kind(kind, "name") || is_kind(kind, "place");
    size_t i = a;
    while (i < b) {
        char c = t[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            i++;
        } else if (words && (c == ',' || c == ';' || c == '/' || c == '&')) {
            i++;
        } else if (words && b - i >= 3 && strncmp(t + i, "and", 3) == 0 &&
                   (b - i == 3 || t[i + 3] == ' ')) {
            i += 3;
        } else if (words && b - i >= 2 && strncmp(t + i, "or", 2) == 0 &&
                   (b - i == 2 || t[i + 2] == ' ')) {
            i += 2;
        } else {
            return 0;
        }
    }
    return 1;
}

/* A group of merged spans: [start, end) of the text, n spans, its notice. */
typedef struct group {
    size_t start, end, n, bytes;
    const char *kind;
    char notice[96];
    char extent[48];
} group;

/* The new offset of a mark at `at` in a text whose groups are replaced by
 * their notices; 0 when it stood inside a group (it goes). */
static int map_mark(const group *g, size_t ng, size_t at, size_t *out)
{
    long long shift = 0;
    for (size_t i = 0; i < ng; i++) {
        if (at >= g[i].end) {
            shift += (long long)strlen(g[i].notice) - (long long)(g[i].end - g[i].start);
        } else if (at > g[i].start) {
            return 0;
        } else {
            break;
        }
    }
    *out = (size_t)((long long)at + shift);
    return 1;
}

/* Moves span s into a text whose groups are replaced by their notices;
 * 0 when it touches a group (it goes: a name's link would point into
 * withheld text, and its target would tell what the notice hides). */
static int map_span(const group *g, size_t ng, dc_span *s)
{
    for (size_t i = 0; i < ng; i++)
        if (g[i].start < s->end && g[i].end > s->start) return 0;
    size_t a, b;
    if (!map_mark(g, ng, s->start, &a) || !map_mark(g, ng, s->end, &b)) return 0;
    s->start = a;
    s->end = b;
    return 1;
}

/* The page in force at offset at of p's text (its last page marker at or
 * before at, else page): where an ingest of the notice records it.  p's
 * marks are still those of the original text. */
static const char *page_at(const dc_portion *p, size_t at, const char *page)
{
    for (size_t i = 0; p && i < p->n_marks; i++)
        if (p->marks[i].kind == DC_MARK_PAGE && p->marks[i].at <= at && p->marks[i].value &&
            *p->marks[i].value)
            page = p->marks[i].value;
    return page;
}

/*
 * Replaces the spans sp[0..n) of *text (in any order, maybe overlapping)
 * by their notices, moving p's marks (p may be NULL) and recording one
 * gap per notice in v, anchored at anchor on page.
 */
static dc_rc redact_text(dc_doc *v, char **text, dc_portion *p, dc_span *spans, size_t *n_spans,
                         span *sp, size_t n, const char *anchor, const char *page)
{
    const char *t = *text ? *text : "";
    size_t len = strlen(t);
    for (size_t i = 1; i < n; i++) { /* by start: insertion sort, few spans */
        span s = sp[i];
        size_t k = i;
        while (k > 0 && sp[k - 1].start > s.start) {
            sp[k] = sp[k - 1];
            k--;
        }
        sp[k] = s;
    }
    group *g = calloc(n ? n : 1, sizeof *g);
    if (!g) return DC_NOMEM;
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = sp[i].start < len ? sp[i].start : len;
        size_t e = sp[i].end < len ? sp[i].end : len;
        if (e < s) e = s;
        const char *kind = kind_of(sp[i].kind);
        group *last = ng ? &g[ng - 1] : NULL;
        if (last && s < last->end) { /* overlapping: one span */
            if (e > last->end) {
                last->bytes += e - last->end;
                last->end = e;
            }
            continue;
        }
        if (last && strcmp(last->kind, kind) == 0 && joinable(t, last->end, s, kind)) {
            last->end = e;
            last->n++;
            last->bytes += e - s;
            continue;
        }
        g[ng++] = (group){.start = s, .end = e, .n = 1, .bytes = e - s, .kind = kind};
    }
    dc_buf b;
    dc_buf_init(&b, len + ng * sizeof g->notice + 1);
    size_t at = 0;
    for (size_t i = 0; i < ng; i++) {
        dc_access_notice(g[i].kind, g[i].n, g[i].bytes, g[i].notice, sizeof g[i].notice,
                         g[i].extent, sizeof g[i].extent);
        dc_buf_add(&b, t + at, g[i].start - at);
        dc_buf_puts(&b, g[i].notice);
        at = g[i].end;
    }
    dc_buf_add(&b, t + at, len - at);
    dc_rc rc = b.rc;
    char *nt = rc ? NULL : dc_buf_detach(&b);
    dc_buf_release(&b);
    if (!rc && !nt) rc = DC_NOMEM;
    if (!rc) {
        free(*text);
        *text = nt;
    }
    for (size_t i = 0; i < ng && !rc; i++) {
        dc_gap *gap = dc_doc_add_gap(v);
        if (!gap || dc_str_set(&gap->extent, g[i].extent) ||
            dc_str_set(&gap->page, page_at(p, g[i].start, page)) ||
            dc_str_set(&gap->anchor, anchor))
            rc = DC_NOMEM;
    }
    if (!rc && p) {
        size_t k = 0;
        for (size_t i = 0; i < p->n_marks; i++) {
            dc_mark m = p->marks[i];
            if (!map_mark(g, ng, m.at, &m.at)) {
                free(m.value);
                continue;
            }
            p->marks[k++] = m;
        }
        p->n_marks = k;
    }
    if (!rc && n_spans) {
        size_t k = 0;
        for (size_t i = 0; i < *n_spans; i++) {
            dc_span s = spans[i];
            if (!map_span(g, ng, &s)) {
                dc_span_release(&s);
                continue;
            }
            spans[k++] = s;
        }
        *n_spans = k;
    }
    free(g);
    return rc;
}

/* Drops the note markers with value n from every portion (and the title's). */
static void drop_markers(dc_doc *v, const char *n)
{
    if (!n) return;
    for (size_t i = 0; i < v->n_portions; i++) {
        dc_portion *p = &v->portions[i];
        size_t k = 0;
        for (size_t j = 0; j < p->n_marks; j++) {
            dc_mark m = p->marks[j];
            if (m.kind == DC_MARK_NOTE && m.value && strcmp(m.value, n) == 0) {
                free(m.value);
                continue;
            }
            p->marks[k++] = m;
        }
        p->n_marks = k;
    }
    if (v->title_note && strcmp(v->title_note, n) == 0) {
        free(v->title_note);
        v->title_note = NULL;
    }
}

/* Drops footnote n (and its markers). */
static void drop_footnote(dc_doc *v, const char *n)
{
    size_t k = 0;
    for (size_t i = 0; i < v->n_footnotes; i++) {
        dc_footnote *f = &v->footnotes[i];
        if (f->n && strcmp(f->n, n) == 0) {
            dc_footnote_release(f);
            continue;
        }
        v->footnotes[k++] = *f;
    }
    v->n_footnotes = k;
}

static dc_rc hide_whole(dc_doc *v, const char *target)
{
    if (strcmp(target, "title") == 0) {
        dc_spans_free(v->title_spans, v->n_title_spans);
        v->title_spans = NULL;
        v->n_title_spans = v->cap_title_spans = 0;
        if (dc_str_set(&v->title, DC_ACCESS_HIDDEN_TITLE) || dc_str_set(&v->doc_type, "document"))
            return DC_NOMEM;
    } else if (strcmp(target, "source") == 0) {
        if (!v->source_note) return DC_OK;
        drop_markers(v, v->source_note_n);
        free(v->source_note);
        free(v->source_note_n);
        free(v->source_note_label);
        v->source_note = v->source_note_n = v->source_note_label = NULL;
        dc_spans_free(v->source_spans, v->n_source_spans);
        v->source_spans = NULL;
        v->n_source_spans = v->cap_source_spans = 0;
    } else if (strncmp(target, "fn", 2) == 0) {
        if (!dc_doc_footnote(v, target + 2)) return DC_OK;
        char n[64];
        snprintf(n, sizeof n, "%s", target + 2);
        drop_footnote(v, n);
        drop_markers(v, n);
        return DC_OK; /* a note gone with its marker leaves no trace */
    } else {
        return DC_OK; /* a whole portion: dc_access_restrict hid it */
    }
    dc_gap *g = dc_doc_add_gap(v);
    if (!g || dc_str_set(&g->extent, strcmp(target, "title") == 0 ? "title" : "source note") ||
        dc_str_set(&g->anchor, target))
        return DC_NOMEM;
    return DC_OK;
}

/* 1 if withholding w applies to r's view: it still hides and r may not
 * read what it hides.  Decided on the document as stored (before any
 * replacement), like every decision of the view. */
static int applies(const dc_access_reader *r, const dc_doc *doc, const dc_withholding *w)
{
    return dc_withholding_active(w) && w->target && !dc_access_withholding_readable(r, doc, w);
}

dc_rc dc_access_redact(const dc_access_reader *r, dc_doc *doc, const unsigned char *hid,
                       size_t *n_hidden)
{
    *n_hidden = 0;
    size_t nw = doc->n_withholdings;
    if (!nw) return DC_OK;
    unsigned char *on = calloc(nw, 1);
    span *sp = calloc(nw, sizeof *sp);
    dc_rc rc = on && sp ? DC_OK : DC_NOMEM;
    /* decide first, on the document as stored */
    for (size_t i = 0; !rc && i < nw; i++)
        on[i] = (unsigned char)applies(r, doc, &doc->withholdings[i]);
    /* whole parts: a whole title wins over spans in it */
    for (size_t i = 0; !rc && i < nw; i++) {
        const dc_withholding *w = &doc->withholdings[i];
        if (!on[i] || !w->whole) continue;
        (*n_hidden)++;
        rc = hide_whole(doc, w->target);
    }
    /* spans, target by target (a target's spans are replaced together) */
    unsigned char *done = rc ? NULL : calloc(nw, 1);
    if (!rc && !done) rc = DC_NOMEM;
    for (size_t i = 0; !rc && i < nw; i++) {
        const dc_withholding *w = &doc->withholdings[i];
        if (!on[i] || w->whole || done[i]) continue;
        const char *target = w->target;
        int whole_too = 0;
        for (size_t k = 0; k < nw; k++)
            whole_too |= on[k] && doc->withholdings[k].whole &&
                         strcmp(doc->withholdings[k].target, target) == 0;
        size_t n = 0;
        for (size_t k = i; k < nw; k++) {
            const dc_withholding *x = &doc->withholdings[k];
            if (!on[k] || x->whole || done[k] || strcmp(x->target, target) != 0) continue;
            done[k] = 1;
            sp[n++] = (span){x->start, x->end, x->kind};
        }
        *n_hidden += n;
        if (whole_too) continue;
        char **text = NULL;
        dc_portion *p = NULL;
        dc_span *spans = NULL; /* the target's inline spans, moved or dropped */
        size_t *n_spans = NULL;
        if (strcmp(target, "title") == 0) {
            text = &doc->title;
            spans = doc->title_spans;
            n_spans = &doc->n_title_spans;
        } else if (strcmp(target, "source") == 0) {
            text = &doc->source_note;
            spans = doc->source_spans;
            n_spans = &doc->n_source_spans;
        } else if (strncmp(target, "fn", 2) == 0) {
            dc_footnote *f = dc_doc_footnote(doc, target + 2);
            text = f ? &f->text : NULL;
            if (f) spans = f->spans, n_spans = &f->n_spans;
        } else {
            for (size_t k = 0; k < doc->n_portions && !p; k++)
                if (!hid[k] && strcmp(doc->portions[k].id, target) == 0) p = &doc->portions[k];
            text = p ? &p->text : NULL;
            if (p) spans = p->spans, n_spans = &p->n_spans;
        }
        if (!text || !*text) continue; /* gone with a hidden part */
        rc = redact_text(doc, text, p, spans, n_spans, sp, n, target, p ? p->page : NULL);
    }
    free(done);
    free(on);
    free(sp);
    return rc;
}

/* ---- scanned pages ---------------------------------------------------- */

/* Pixels around a box burned in. */
#define BOX_PAD 2

static int anchored_hidden(const dc_doc *doc, const unsigned char *hid, const char *anchor)
{
    for (size_t i = 0; anchor && i < doc->n_portions; i++)
        if (hid[i] && doc->portions[i].id && strcmp(doc->portions[i].id, anchor) == 0) return 1;
    return 0;
}

/* The index of portion id t in doc, or -1; hint (the previous word's: a
 * page's words come a portion at a time) is tried first. */
static long portion_at(const dc_doc *doc, const char *t, long hint)
{
    if (hint >= 0 && (size_t)hint < doc->n_portions && doc->portions[hint].id &&
        strcmp(doc->portions[hint].id, t) == 0)
        return hint;
    for (size_t i = 0; i < doc->n_portions; i++)
        if (doc->portions[i].id && strcmp(doc->portions[i].id, t) == 0) return (long)i;
    return -1;
}

/* 1 if word w stands in text r may read; *portion gets the index of the
 * portion it stands in (or -1), and comes in as the previous word's. */
static int word_released(const dc_access_reader *r, const dc_doc *doc, const unsigned char *hid,
                         int untitle, const dc_word *w, long *portion)
{
    const char *t = w->target;
    *portion = t ? portion_at(doc, t, *portion) : -1;
    if (!t) return 0;
    int visible;
    if (strcmp(t, "number") == 0) {
        visible = doc->number != NULL;
    } else if (strcmp(t, "title") == 0) {
        visible = !untitle && doc->title;
    } else if (strcmp(t, "source") == 0) {
        visible = doc->source_note != NULL;
    } else if (strncmp(t, "fn", 2) == 0 && *portion < 0) {
        const dc_footnote *f = dc_doc_footnote(doc, t + 2);
        visible = f && f->text && !anchored_hidden(doc, hid, f->anchor);
    } else {
        visible = *portion >= 0 && !hid[*portion];
    }
    for (size_t i = 0; visible && i < doc->n_withholdings; i++) {
        const dc_withholding *x = &doc->withholdings[i];
        if (!applies(r, doc, x) || strcmp(x->target, t) != 0) continue;
        if (x->whole || (x->start < w->end && w->start < x->end)) visible = 0;
    }
    return visible;
}

static dc_box pad(dc_box b)
{
    return (dc_box){b.x - BOX_PAD, b.y - BOX_PAD, b.w + 2 * BOX_PAD, b.h + 2 * BOX_PAD};
}

static dc_box unpad(dc_box b)
{
    return (dc_box){b.x + BOX_PAD, b.y + BOX_PAD, b.w - 2 * BOX_PAD, b.h - 2 * BOX_PAD};
}

static int overlaps(dc_box a, dc_box b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static int inside(dc_box a, dc_box b) /* a within b */
{
    return a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
}

static dc_box unite(dc_box a, dc_box b)
{
    int x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
    int x1 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
    return (dc_box){x0, y0, x1 - x0, y1 - y0};
}

/* One page of a view that hides something: outlines of hidden portions
 * and boxes of the words r may not read; the released words outside
 * them kept. */
static dc_rc redact_page(const dc_access_reader *r, const dc_doc *doc, const unsigned char *hid,
                         int untitle, dc_page *pg)
{
    dc_rc rc = DC_OK;
    unsigned char *keep = calloc(pg->n_words ? pg->n_words : 1, 1);
    dc_box *outline = calloc(doc->n_portions ? doc->n_portions : 1, sizeof *outline);
    unsigned char *has = calloc(doc->n_portions ? doc->n_portions : 1, 1);
    if (!keep || !outline || !has) rc = DC_NOMEM;
    pg->redacted = 1;
    pg->n_boxes = 0;
    long hint = -1;
    for (size_t i = 0; !rc && i < pg->n_words; i++) {
        long p = hint;
        keep[i] = (unsigned char)word_released(r, doc, hid, untitle, &pg->words[i], &p);
        if (p >= 0) hint = p;
        if (keep[i]) continue;
        if (p >= 0 && hid[p]) {
            outline[p] = has[p] ? unite(outline[p], pg->words[i].box) : pg->words[i].box;
            has[p] = 1;
        } else {
            rc = dc_page_add_box(pg, pad(pg->words[i].box));
        }
    }
    for (size_t p = 0; !rc && p < doc->n_portions; p++)
        if (has[p]) rc = dc_page_add_box(pg, pad(outline[p]));
    /* a box inside another says nothing more */
    size_t k = 0;
    for (size_t i = 0; !rc && i < pg->n_boxes; i++) {
        int within = 0;
        for (size_t j = 0; j < pg->n_boxes && !within; j++)
            within = j != i && inside(pg->boxes[i], pg->boxes[j]) &&
                     !(j > i && inside(pg->boxes[j], pg->boxes[i])); /* equal: keep the first */
        if (!within) pg->boxes[k++] = pg->boxes[i];
    }
    if (!rc) pg->n_boxes = k;
    /* words kept: released and clear of what every box covers (a word its
     * padding alone touches is read on the image, and kept) */
    k = 0;
    for (size_t i = 0; !rc && i < pg->n_words; i++) {
        for (size_t j = 0; keep[i] && j < pg->n_boxes; j++)
            if (overlaps(pg->words[i].box, unpad(pg->boxes[j]))) keep[i] = 0;
        if (keep[i]) {
            pg->words[k++] = pg->words[i];
        } else {
            free(pg->words[i].text);
            free(pg->words[i].target);
        }
    }
    if (!rc) pg->n_words = k;
    free(keep);
    free(outline);
    free(has);
    return rc;
}

dc_rc dc_access_pages(const dc_access_reader *r, dc_doc *doc, const unsigned char *hid, int untitle)
{
    int any = untitle;
    for (size_t i = 0; !any && i < doc->n_portions; i++) any = hid[i];
    for (size_t i = 0; !any && i < doc->n_withholdings; i++)
        any = applies(r, doc, &doc->withholdings[i]);
    dc_rc rc = DC_OK;
    for (size_t i = 0; !rc && i < doc->n_scan; i++) {
        dc_page *pg = &doc->scan[i];
        size_t k = 0; /* the regions of the portions the view shows */
        for (size_t j = 0; j < pg->n_regions; j++) {
            const dc_region *g = &pg->regions[j];
            size_t at = 0;
            while (at < doc->n_portions && (!doc->portions[at].id ||
                                            strcmp(doc->portions[at].id, g->portion) != 0))
                at++;
            if (at < doc->n_portions && !hid[at]) pg->regions[k++] = *g;
            else free(g->portion);
        }
        pg->n_regions = k;
        if (!any) continue; /* all of it readable: words and places as stored */
        rc = redact_page(r, doc, hid, untitle, pg);
        for (size_t k = 0; k < pg->n_words; k++) {
            free(pg->words[k].target);
            pg->words[k].target = NULL;
            pg->words[k].start = pg->words[k].end = 0;
        }
    }
    return rc;
}
