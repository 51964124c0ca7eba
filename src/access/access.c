/*
 * Access control: the reading rules and the reader's view of a document
 * (rules in include/declass/access.h and docs/security.md).  Everything a
 * reader is shown passes through dc_access_view(); the functions here
 * never print and never touch the store.
 */
#include "access/access.h"
#include "model/model_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/banned.h"

int dc_access_level(const char *classification)
{
    if (!classification || !*classification) return DC_UNCLASSIFIED;
    int l = dc_level_parse(classification);
    return l < 0 ? DC_TOP_SECRET : l;
}

static int is_public(const dc_access_reader *r) { return !r || r->is_public; }

static int released(const char *status) { return status && strcmp(status, "released") == 0; }

static int holds(const dc_access_reader *r, const char *comp)
{
    for (size_t i = 0; i < r->n_compartments; i++)
        if (r->compartments[i] && strcmp(r->compartments[i], comp) == 0) return 1;
    return 0;
}

int dc_access_allows(const dc_access_reader *r, const dc_access_class *c)
{
    if (!c) return 0;
    if (c->open) return 1;
    if (is_public(r) || r->level < c->level) return 0;
    for (size_t i = 0; i < c->n_compartments; i++)
        if (!c->compartments[i] || !holds(r, c->compartments[i])) return 0;
    return 1;
}

void dc_access_doc_class(const dc_doc *doc, dc_access_class *out)
{
    *out = (dc_access_class){.open = released(doc->release_status),
                             .level = dc_access_level(doc->classification)};
}

/* 1 if an active withholding of doc covers the whole of target. */
static int whole_withheld(const dc_doc *doc, const char *target)
{
    for (size_t i = 0; target && i < doc->n_withholdings; i++) {
        const dc_withholding *w = &doc->withholdings[i];
        if (w->whole && w->target && strcmp(w->target, target) == 0 &&
            dc_withholding_active(w))
            return 1;
    }
    return 0;
}

void dc_access_portion_class(const dc_doc *doc, const dc_portion *p, dc_access_class *out)
{
    const char *cls = p->classification ? p->classification : doc->classification;
    *out = (dc_access_class){.open = released(doc->release_status) && !p->withheld &&
                                     !whole_withheld(doc, p->id),
                             .level = dc_access_level(cls),
                             .compartments = (const char *const *)p->compartments.v,
                             .n_compartments = p->compartments.n};
}

int dc_access_may_read(const dc_access_reader *r, const dc_doc *doc, const dc_portion *p)
{
    if (!doc) return 0;
    dc_access_class c;
    dc_access_doc_class(doc, &c);
    if (!dc_access_allows(r, &c)) return 0;
    if (!p) return 1;
    dc_access_portion_class(doc, p, &c);
    return dc_access_allows(r, &c);
}

int dc_access_doc_readable(const dc_access_reader *r, const char *release_status,
                           const char *classification)
{
    dc_access_class c = {.open = released(release_status),
                         .level = dc_access_level(classification)};
    return dc_access_allows(r, &c);
}

void dc_access_withholding_class(const dc_doc *doc, const dc_withholding *w,
                                 dc_access_class *out)
{
    const dc_portion *p = w->target ? dc_doc_portion(doc, w->target) : NULL;
    if (!p && w->target && strncmp(w->target, "fn", 2) == 0) {
        const dc_footnote *f = dc_doc_footnote(doc, w->target + 2);
        if (f && f->anchor) p = dc_doc_portion(doc, f->anchor);
    }
    if (p) {
        dc_access_portion_class(doc, p, out);
    } else {
        dc_access_doc_class(doc, out);
    }
    out->open = !dc_withholding_active(w);
}

int dc_access_withholding_readable(const dc_access_reader *r, const dc_doc *doc,
                                   const dc_withholding *w)
{
    if (!dc_access_may_read(r, doc, NULL)) return 0;
    dc_access_class c;
    dc_access_withholding_class(doc, w, &c);
    return dc_access_allows(r, &c);
}

int dc_access_portion_cleared(const dc_access_reader *r, const dc_doc *doc, const dc_portion *p)
{
    if (!doc || !p) return 0;
    dc_access_class c;
    dc_access_portion_class(doc, p, &c);
    c.open = 0;
    return dc_access_allows(r, &c);
}

/* 1 if the classes a and b are the same (compartments as sets). */
static int same_class(const dc_access_class *a, const dc_access_class *b)
{
    if (a->open != b->open) return 0;
    if (a->open) return 1;
    if (a->level != b->level || a->n_compartments != b->n_compartments) return 0;
    for (size_t i = 0; i < a->n_compartments; i++) {
        size_t k = 0;
        while (k < b->n_compartments && strcmp(a->compartments[i], b->compartments[k]) != 0) k++;
        if (k == b->n_compartments) return 0;
    }
    return 1;
}

int dc_access_uniform(const dc_doc *doc)
{
    dc_access_class d, c;
    dc_access_doc_class(doc, &d);
    for (size_t i = 0; i < doc->n_portions; i++) {
        dc_access_portion_class(doc, &doc->portions[i], &c);
        /* a portion readable by everyone who opens the document */
        if (!c.open && !(c.n_compartments == 0 && c.level <= d.level && !d.open)) return 0;
    }
    for (size_t i = 0; i < doc->n_withholdings; i++) {
        dc_access_withholding_class(doc, &doc->withholdings[i], &c);
        if (!c.open && !(c.n_compartments == 0 && c.level <= d.level && !d.open)) return 0;
    }
    return 1;
}

void dc_access_gap_text(size_t len, char *out, size_t cap)
{
    char extent[48];
    dc_access_notice(NULL, 1, len, out, cap, extent, sizeof extent);
}

void dc_access_gap_extent(size_t len, char *out, size_t cap)
{
    char text[96];
    dc_access_notice(NULL, 1, len, text, sizeof text, out, cap);
}

/* The kind of the active whole withholding of portion id ("paragraph",
 * "lines"), or NULL (a portion withheld without one: lines).  An orphaned
 * one (a span whose text a re-ingest no longer found) hides the whole
 * portion by its size, whatever the span's kind. */
static const char *portion_kind(const dc_doc *doc, const char *id)
{
    for (size_t i = 0; id && i < doc->n_withholdings; i++) {
        const dc_withholding *w = &doc->withholdings[i];
        if (w->whole && w->target && strcmp(w->target, id) == 0 && dc_withholding_active(w))
            return w->status && strcmp(w->status, "orphaned") == 0 ? "lines" : w->kind;
    }
    return NULL;
}

/* Makes portion idx of v a gap, as an edition records one: kind "gap",
 * the notice as its text, no label, marking, compartments, withholding or
 * note markers; page markers stay (at the start, or after the notice).
 * Records the gap. */
static dc_rc hide_portion(dc_doc *v, size_t idx, const char *kind)
{
    dc_portion *p = &v->portions[idx];
    size_t len = p->text ? strlen(p->text) : 0;
    char text[96], extent[48];
    dc_access_notice(kind, 1, len, text, sizeof text, extent, sizeof extent);
    size_t newlen = strlen(text);
    size_t k = 0;
    for (size_t i = 0; i < p->n_marks; i++) {
        dc_mark m = p->marks[i];
        if (m.kind != DC_MARK_PAGE) {
            free(m.value);
            continue;
        }
        m.at = m.at == 0 ? 0 : newlen;
        p->marks[k++] = m;
    }
    p->n_marks = k;
    for (size_t i = 0; i < p->n_spans; i++) dc_span_release(&p->spans[i]);
    p->n_spans = 0; /* none of its text is left */
    free(p->group);
    p->group = NULL;
    dc_strv_release(&p->compartments);
    free(p->classification);
    p->classification = NULL;
    free(p->label);
    p->label = NULL;
    free(p->withheld_reason);
    p->withheld_reason = NULL;
    p->withheld = 0;
    if (dc_str_set(&p->kind, "gap") || dc_str_set(&p->text, text)) return DC_NOMEM;
    dc_gap *g = dc_doc_add_gap(v);
    if (!g) return DC_NOMEM;
    if (dc_str_set(&g->extent, extent) || dc_str_set(&g->page, p->page) ||
        dc_str_set(&g->anchor, p->id))
        return DC_NOMEM;
    return DC_OK;
}

static int anchored_in(const char *anchor, const unsigned char *hidden, const dc_doc *v)
{
    if (!anchor) return 0;
    for (size_t i = 0; i < v->n_portions; i++)
        if (hidden[i] && v->portions[i].id && strcmp(v->portions[i].id, anchor) == 0) return 1;
    return 0;
}

/* Drops the footnotes anchored in hidden portions. */
static void drop_footnotes(dc_doc *v, const unsigned char *hidden)
{
    size_t k = 0;
    for (size_t i = 0; i < v->n_footnotes; i++) {
        dc_footnote *f = &v->footnotes[i];
        if (anchored_in(f->anchor, hidden, v)) {
            dc_footnote_release(f);
            continue;
        }
        v->footnotes[k++] = *f;
    }
    v->n_footnotes = k;
}

/* 1 if the title stands in a hidden portion (a heading the title was
 * taken from) and nowhere a reader of the view still sees: the source
 * note or a visible portion. */
static int title_hidden(const dc_doc *doc, const unsigned char *hid)
{
    const char *t = doc->title;
    if (!t || !*t) return 0;
    int in_hidden = 0;
    for (size_t i = 0; i < doc->n_portions; i++) {
        const char *x = doc->portions[i].text;
        if (!x || !strstr(x, t)) continue;
        if (!hid[i]) return 0;
        in_hidden = 1;
    }
    return in_hidden && !(doc->source_note && strstr(doc->source_note, t));
}

/* The index of the portion a gap is anchored in (portions past the end
 * for none), for putting gaps in document order. */
static size_t gap_at(const dc_doc *doc, const dc_gap *g)
{
    for (size_t i = 0; g->anchor && i < doc->n_portions; i++)
        if (doc->portions[i].id && strcmp(doc->portions[i].id, g->anchor) == 0) return i;
    return doc->n_portions;
}

/* Puts the gaps in document order (insertion sort: stable, few gaps), as
 * an edition lists them: hidden portions' gaps among the source's own, so
 * their order does not tell which are this reader's. */
static void order_gaps(dc_doc *doc)
{
    for (size_t i = 1; i < doc->n_gaps; i++) {
        dc_gap g = doc->gaps[i];
        size_t at = gap_at(doc, &g), k = i;
        while (k > 0 && gap_at(doc, &doc->gaps[k - 1]) > at) {
            doc->gaps[k] = doc->gaps[k - 1];
            k--;
        }
        doc->gaps[k] = g;
    }
}

/*
 * Makes doc r's view in place: decides per portion on the document as it
 * is (so a replaced text never feeds a later decision, and the title test
 * sees the original texts), then replaces, then drops the notes anchored
 * in hidden portions.  Deriving dates, references and names from what
 * remains is the caller's (it holds the engines that extract them).
 */
dc_rc dc_access_restrict(const dc_access_reader *r, dc_doc *doc, size_t *hidden)
{
    if (hidden) *hidden = 0;
    if (!doc) return DC_MISUSE;
    if (!dc_access_may_read(r, doc, NULL)) return DC_NOTFOUND;
    unsigned char *hid = calloc(doc->n_portions ? doc->n_portions : 1, 1);
    if (!hid) return DC_NOMEM;
    size_t n_hidden = 0;
    for (size_t i = 0; i < doc->n_portions; i++)
        if (!dc_access_may_read(r, doc, &doc->portions[i])) hid[i] = 1, n_hidden++;
    int untitle = n_hidden && title_hidden(doc, hid);
    /* withholdings inside the parts that stay (decided on the document
     * as stored: before any portion is replaced) */
    size_t n_spans = 0;
    dc_rc rc = dc_access_pages(r, doc, hid, untitle);
    if (!rc) rc = dc_access_redact(r, doc, hid, &n_spans);
    for (size_t i = 0; i < doc->n_portions && !rc; i++)
        if (hid[i]) rc = hide_portion(doc, i, portion_kind(doc, doc->portions[i].id));
    if (!rc && n_hidden) drop_footnotes(doc, hid);
    if (!rc && (n_hidden || n_spans)) order_gaps(doc);
    for (size_t i = 0; i < doc->n_withholdings; i++) dc_withholding_release(&doc->withholdings[i]);
    doc->n_withholdings = 0; /* a view carries none */
    n_hidden += n_spans;
    if (!rc && untitle) {
        dc_spans_free(doc->title_spans, doc->n_title_spans);
        doc->title_spans = NULL;
        doc->n_title_spans = doc->cap_title_spans = 0;
    }
    if (!rc && untitle)
        rc = dc_str_set(&doc->title, DC_ACCESS_HIDDEN_TITLE) ||
                     dc_str_set(&doc->doc_type, "document")
                 ? DC_NOMEM
                 : DC_OK;
    free(hid);
    if (!rc && hidden) *hidden = n_hidden;
    return rc;
}

dc_rc dc_access_view(const dc_access_reader *r, const dc_doc *doc, dc_doc **out, size_t *hidden)
{
    if (hidden) *hidden = 0;
    if (!out) return DC_MISUSE;
    *out = NULL;
    if (!doc) return DC_MISUSE;
    if (!dc_access_may_read(r, doc, NULL)) return DC_NOTFOUND;
    dc_doc *v = NULL;
    dc_rc rc = dc_doc_copy(doc, &v);
    if (!rc) rc = dc_access_restrict(r, v, hidden);
    if (rc) {
        dc_doc_free(v);
        return rc;
    }
    *out = v;
    return DC_OK;
}

/* ---- the distinct views of a document ---- */

#define MAX_VIEW_CLASSES 64

typedef struct view_enum {
    dc_access_class cls[MAX_VIEW_CLASSES];
    size_t ncls;
    const char *comps[DC_ACCESS_MAX_COMPS];
    size_t ncomps;
} view_enum;

/* The vector of reader r over the classes, packed into bits. */
static void vector_of(const view_enum *e, const dc_access_reader *r, unsigned char *need)
{
    for (size_t i = 0; i < e->ncls; i++) need[i] = (unsigned char)dc_access_allows(r, &e->cls[i]);
}

int dc_access_pred_holds(const dc_access_reader *r, const dc_access_pred *pred)
{
    for (size_t i = 0; i < pred->n; i++)
        if (dc_access_allows(r, &pred->classes[i]) != pred->need[i]) return 0;
    return 1;
}

/*
 * Readers differ for doc only by public or not, level, and which of the
 * document's compartments they hold; so trying the public and every
 * (level, subset of the document's compartments) finds every view.  The
 * vectors of readers over the document's distinct classes name the views;
 * the first reader found with a vector represents it.
 */
dc_rc dc_access_each_view(const dc_doc *doc, dc_access_view_cb cb, void *ctx)
{
    if (!doc || !cb) return DC_MISUSE;
    view_enum *e = calloc(1, sizeof *e);
    if (!e) return DC_NOMEM;
    dc_rc rc = DC_OK;
    dc_access_doc_class(doc, &e->cls[0]);
    e->ncls = 1;
    for (size_t i = 0; i < doc->n_portions + doc->n_withholdings && !rc; i++) {
        dc_access_class c;
        if (i < doc->n_portions) dc_access_portion_class(doc, &doc->portions[i], &c);
        else dc_access_withholding_class(doc, &doc->withholdings[i - doc->n_portions], &c);
        size_t k = 0;
        while (k < e->ncls && !same_class(&c, &e->cls[k])) k++;
        if (k == e->ncls) {
            if (e->ncls == MAX_VIEW_CLASSES) rc = DC_LIMIT;
            else e->cls[e->ncls++] = c;
        }
        for (size_t j = 0; j < c.n_compartments && !rc; j++) {
            size_t m = 0;
            while (m < e->ncomps && strcmp(e->comps[m], c.compartments[j]) != 0) m++;
            if (m < e->ncomps) continue;
            if (e->ncomps == DC_ACCESS_MAX_COMPS) rc = DC_LIMIT;
            else e->comps[e->ncomps++] = c.compartments[j];
        }
    }
    size_t nreaders = 1 + 4 * ((size_t)1 << e->ncomps);
    unsigned char *seen = rc ? NULL : calloc(nreaders, MAX_VIEW_CLASSES);
    if (!rc && !seen) rc = DC_NOMEM;
    size_t nseen = 0;
    const char *held[DC_ACCESS_MAX_COMPS];
    for (size_t ri = 0; ri < nreaders && !rc; ri++) {
        dc_access_reader rd = {.is_public = ri == 0};
        if (ri) {
            size_t x = ri - 1, subset = x >> 2;
            rd.level = (int)(x & 3);
            rd.n_compartments = 0;
            for (size_t j = 0; j < e->ncomps; j++)
                if (subset >> j & 1) held[rd.n_compartments++] = e->comps[j];
            rd.compartments = held;
        }
        unsigned char *need = seen + nseen * MAX_VIEW_CLASSES;
        vector_of(e, &rd, need);
        if (!need[0]) continue; /* may not open the document */
        size_t k = 0;
        while (k < nseen && memcmp(seen + k * MAX_VIEW_CLASSES, need, e->ncls) != 0) k++;
        if (k < nseen) continue;
        nseen++;
        dc_access_pred pred = {e->cls, need, e->ncls};
        rc = cb(ctx, &rd, &pred);
    }
    free(seen);
    free(e);
    return rc;
}

int dc_access_role_parse(const char *name)
{
    if (!name) return 0;
    if (strcmp(name, "reader") == 0) return DC_ROLE_READER;
    if (strcmp(name, "reviewer") == 0) return DC_ROLE_REVIEWER;
    if (strcmp(name, "admin") == 0) return DC_ROLE_ADMIN;
    return 0;
}

dc_rc dc_access_hash_password(const char *password, char **out)
{
    if (!out) return DC_MISUSE;
    *out = NULL;
    if (!password || !*password) return DC_MISUSE;
    if (sodium_init() < 0) return DC_INTERNAL;
    char *h = malloc(crypto_pwhash_STRBYTES);
    if (!h) return DC_NOMEM;
    if (crypto_pwhash_str(h, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        free(h);
        return DC_NOMEM; /* libsodium fails only when it cannot get its memory */
    }
    *out = h;
    return DC_OK;
}

int dc_access_verify_password(const char *hash, const char *password)
{
    if (!hash || !password || !*password || sodium_init() < 0) return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

int dc_access_compartment_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}
