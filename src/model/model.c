/*
 * The document model: construction and destruction of dc_doc values.
 */
#include "declass/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model_int.h"
#include "util/util_int.h"
#include "util/banned.h"

/* Caps on the parts of one document: far above any real record, low enough
 * that a hostile input cannot exhaust memory through them. */
#define DC_MAX_PARTS 1000000

dc_doc *dc_doc_new(void) { return calloc(1, sizeof(dc_doc)); }

static void portion_release(dc_portion *p)
{
    free(p->id);
    free(p->kind);
    free(p->label);
    free(p->page);
    free(p->classification);
    dc_strv_release(&p->compartments);
    free(p->text);
    free(p->withheld_reason);
    free(p->group);
    for (size_t i = 0; i < p->n_marks; i++) free(p->marks[i].value);
    free(p->marks);
    for (size_t i = 0; i < p->n_spans; i++) dc_span_release(&p->spans[i]);
    free(p->spans);
}

void dc_span_release(dc_span *s)
{
    free(s->kind);
    free(s->value);
    s->kind = s->value = NULL;
}

void dc_spans_free(dc_span *v, size_t n)
{
    for (size_t i = 0; i < n; i++) dc_span_release(&v[i]);
    free(v);
}

void dc_footnote_release(dc_footnote *f)
{
    free(f->n);
    free(f->label);
    free(f->anchor);
    free(f->text);
    dc_spans_free(f->spans, f->n_spans);
    f->n = f->label = f->anchor = f->text = NULL;
    f->spans = NULL;
    f->n_spans = f->cap_spans = 0;
}

static void *grow(void **arr, size_t *n, size_t *cap, size_t size);

/* The string members of a withholding, in their JSON order (json.c). */
#define W_STR(w)                                                                                   \
    {                                                                                              \
        &(w)->id, &(w)->target, &(w)->text, &(w)->kind, &(w)->code, &(w)->agency, &(w)->until,     \
            &(w)->event, &(w)->reviewer, &(w)->at, &(w)->status, &(w)->lifted_by, &(w)->lifted_at, \
            &(w)->note                                                                             \
    }

void dc_withholding_release(dc_withholding *w)
{
    char **strs[] = W_STR(w);
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
}

dc_rc dc_withholding_copy(dc_withholding *dst, const dc_withholding *src)
{
    *dst = (dc_withholding){.whole = src->whole, .start = src->start, .end = src->end};
    char **to[] = W_STR(dst);
    char *const *from[] = W_STR((dc_withholding *)src);
    for (size_t i = 0; i < sizeof to / sizeof to[0]; i++)
        if (*from[i] && !(*to[i] = dc_strdup(*from[i]))) {
            dc_withholding_release(dst);
            return DC_NOMEM;
        }
    return DC_OK;
}

dc_withholding *dc_doc_add_withholding(dc_doc *d)
{
    return grow((void **)&d->withholdings, &d->n_withholdings, &d->cap_withholdings,
                sizeof(dc_withholding));
}

void dc_doc_free(dc_doc *d)
{
    if (!d) return;
    char **strs[] = {&d->id,          &d->collection,     &d->local_id,
                     &d->number,      &d->title,          &d->doc_type,
                     &d->date,        &d->date_source,    &d->classification,
                     &d->source_note, &d->source_note_n,  &d->source_note_label,
                     &d->title_note,  &d->release_status, &d->release_date,
                     &d->format,      &d->volume_title};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) free(*strs[i]);
    dc_strv_release(&d->file_numbers);
    dc_strv_release(&d->pages);
    dc_strv_release(&d->persons);
    for (size_t i = 0; i < d->n_portions; i++) portion_release(&d->portions[i]);
    free(d->portions);
    for (size_t i = 0; i < d->n_footnotes; i++) dc_footnote_release(&d->footnotes[i]);
    dc_spans_free(d->source_spans, d->n_source_spans);
    dc_spans_free(d->title_spans, d->n_title_spans);
    free(d->footnotes);
    for (size_t i = 0; i < d->n_gaps; i++) {
        free(d->gaps[i].extent);
        free(d->gaps[i].page);
        free(d->gaps[i].anchor);
    }
    free(d->gaps);
    for (size_t i = 0; i < d->n_refs; i++) {
        free(d->refs[i].kind);
        free(d->refs[i].target);
        free(d->refs[i].relation);
        free(d->refs[i].detail);
    }
    free(d->refs);
    for (size_t i = 0; i < d->n_withholdings; i++) dc_withholding_release(&d->withholdings[i]);
    free(d->withholdings);
    for (size_t i = 0; i < d->n_scan; i++) dc_page_release(&d->scan[i]);
    free(d->scan);
    free(d);
}

void dc_page_release(dc_page *p)
{
    for (size_t i = 0; i < p->n_words; i++) {
        free(p->words[i].text);
        free(p->words[i].target);
    }
    free(p->words);
    free(p->boxes);
    for (size_t i = 0; i < p->n_regions; i++) free(p->regions[i].portion);
    free(p->regions);
    free(p->source);
    free(p->image);
    *p = (dc_page){0};
}

dc_page *dc_doc_add_page(dc_doc *d)
{
    return grow((void **)&d->scan, &d->n_scan, &d->cap_scan, sizeof(dc_page));
}

dc_word *dc_page_add_word(dc_page *p)
{
    return grow((void **)&p->words, &p->n_words, &p->cap_words, sizeof(dc_word));
}

dc_rc dc_page_add_region(dc_page *p, const char *portion, dc_box b)
{
    dc_region *r = grow((void **)&p->regions, &p->n_regions, &p->cap_regions, sizeof(dc_region));
    if (!r) return DC_NOMEM;
    r->box = b;
    return (r->portion = dc_strdup(portion)) ? DC_OK : DC_NOMEM;
}

dc_rc dc_page_add_box(dc_page *p, dc_box b)
{
    dc_box *n = grow((void **)&p->boxes, &p->n_boxes, &p->cap_boxes, sizeof(dc_box));
    if (!n) return DC_NOMEM;
    *n = b;
    return DC_OK;
}

/* Copy helpers for dc_doc_copy: sticky, a no-op once *bad is set. */
static void copy_str(char **dst, const char *src, int *bad)
{
    if (*bad || !src) return;
    if (!(*dst = dc_strdup(src))) *bad = 1;
}

static void copy_strv(dc_strv *dst, const dc_strv *src, int *bad)
{
    for (size_t i = 0; i < src->n && !*bad; i++)
        if (dc_strv_push(dst, src->v[i])) *bad = 1;
}

static void *copy_array(size_t n, size_t size, size_t *cap, int *bad);

/* A copy of n spans into *dst (counted in *dn as they are made, so that a
 * failure frees what was got). */
static void copy_spans(dc_span **dst, size_t *dn, size_t *dcap, const dc_span *src, size_t n,
                       int *bad)
{
    *dst = copy_array(n, sizeof **dst, dcap, bad);
    for (size_t k = 0; k < n && !*bad; k++) {
        (*dn)++;
        (*dst)[k].start = src[k].start;
        (*dst)[k].end = src[k].end;
        copy_str(&(*dst)[k].kind, src[k].kind ? src[k].kind : "", bad);
        copy_str(&(*dst)[k].value, src[k].value, bad);
    }
}

/* A zeroed array of n elements of size bytes, or NULL (n == 0, or *bad set
 * on NOMEM); *cap receives its capacity. */
static void *copy_array(size_t n, size_t size, size_t *cap, int *bad)
{
    if (*bad || !n) return NULL;
    void *a = calloc(n, size);
    if (!a) *bad = 1;
    else *cap = n;
    return a;
}

/*
 * Member by member, what dc_doc_to_json and dc_doc_from_json made of a
 * document in the round trip this replaces: every string and array owned
 * anew, withheld 0 or 1.  On NOMEM the partial copy is freed.
 */
dc_rc dc_doc_copy(const dc_doc *d, dc_doc **out)
{
    *out = NULL;
    if (!d) return DC_MISUSE;
    dc_doc *c = dc_doc_new();
    if (!c) return DC_NOMEM;
    int bad = 0;
    copy_str(&c->id, d->id, &bad);
    copy_str(&c->collection, d->collection, &bad);
    copy_str(&c->local_id, d->local_id, &bad);
    copy_str(&c->number, d->number, &bad);
    copy_str(&c->title, d->title, &bad);
    copy_str(&c->doc_type, d->doc_type, &bad);
    copy_str(&c->date, d->date, &bad);
    copy_str(&c->date_source, d->date_source, &bad);
    copy_str(&c->classification, d->classification, &bad);
    copy_str(&c->source_note, d->source_note, &bad);
    copy_str(&c->source_note_n, d->source_note_n, &bad);
    copy_str(&c->source_note_label, d->source_note_label, &bad);
    copy_str(&c->title_note, d->title_note, &bad);
    copy_str(&c->release_status, d->release_status, &bad);
    copy_str(&c->release_date, d->release_date, &bad);
    copy_str(&c->format, d->format, &bad);
    copy_str(&c->volume_title, d->volume_title, &bad);
    copy_strv(&c->file_numbers, &d->file_numbers, &bad);
    copy_spans(&c->source_spans, &c->n_source_spans, &c->cap_source_spans, d->source_spans,
               d->n_source_spans, &bad);
    copy_spans(&c->title_spans, &c->n_title_spans, &c->cap_title_spans, d->title_spans,
               d->n_title_spans, &bad);
    copy_strv(&c->pages, &d->pages, &bad);
    copy_strv(&c->persons, &d->persons, &bad);
    c->portions = copy_array(d->n_portions, sizeof *c->portions, &c->cap_portions, &bad);
    for (size_t i = 0; i < d->n_portions && !bad; i++, c->n_portions++) {
        const dc_portion *p = &d->portions[i];
        dc_portion *q = &c->portions[i];
        copy_str(&q->id, p->id, &bad);
        copy_str(&q->kind, p->kind, &bad);
        copy_str(&q->label, p->label, &bad);
        copy_str(&q->page, p->page, &bad);
        copy_str(&q->classification, p->classification, &bad);
        copy_strv(&q->compartments, &p->compartments, &bad);
        copy_str(&q->text, p->text, &bad);
        q->withheld = p->withheld != 0;
        copy_str(&q->withheld_reason, p->withheld_reason, &bad);
        copy_str(&q->group, p->group, &bad);
        q->marks = copy_array(p->n_marks, sizeof *q->marks, &q->cap_marks, &bad);
        for (size_t k = 0; k < p->n_marks && !bad; k++, q->n_marks++) {
            q->marks[k].at = p->marks[k].at;
            q->marks[k].kind = p->marks[k].kind;
            copy_str(&q->marks[k].value, p->marks[k].value ? p->marks[k].value : "", &bad);
        }
        copy_spans(&q->spans, &q->n_spans, &q->cap_spans, p->spans, p->n_spans, &bad);
    }
    c->footnotes = copy_array(d->n_footnotes, sizeof *c->footnotes, &c->cap_footnotes, &bad);
    for (size_t i = 0; i < d->n_footnotes && !bad; i++, c->n_footnotes++) {
        copy_str(&c->footnotes[i].n, d->footnotes[i].n, &bad);
        copy_str(&c->footnotes[i].label, d->footnotes[i].label, &bad);
        copy_str(&c->footnotes[i].anchor, d->footnotes[i].anchor, &bad);
        copy_str(&c->footnotes[i].text, d->footnotes[i].text, &bad);
        copy_spans(&c->footnotes[i].spans, &c->footnotes[i].n_spans, &c->footnotes[i].cap_spans,
                   d->footnotes[i].spans, d->footnotes[i].n_spans, &bad);
    }
    c->gaps = copy_array(d->n_gaps, sizeof *c->gaps, &c->cap_gaps, &bad);
    for (size_t i = 0; i < d->n_gaps && !bad; i++, c->n_gaps++) {
        copy_str(&c->gaps[i].extent, d->gaps[i].extent, &bad);
        copy_str(&c->gaps[i].page, d->gaps[i].page, &bad);
        copy_str(&c->gaps[i].anchor, d->gaps[i].anchor, &bad);
    }
    c->refs = copy_array(d->n_refs, sizeof *c->refs, &c->cap_refs, &bad);
    for (size_t i = 0; i < d->n_refs && !bad; i++, c->n_refs++) {
        copy_str(&c->refs[i].kind, d->refs[i].kind, &bad);
        copy_str(&c->refs[i].target, d->refs[i].target, &bad);
        copy_str(&c->refs[i].relation, d->refs[i].relation, &bad);
        copy_str(&c->refs[i].detail, d->refs[i].detail, &bad);
    }
    c->withholdings =
        copy_array(d->n_withholdings, sizeof *c->withholdings, &c->cap_withholdings, &bad);
    for (size_t i = 0; i < d->n_withholdings && !bad; i++, c->n_withholdings++)
        if (dc_withholding_copy(&c->withholdings[i], &d->withholdings[i])) bad = 1;
    c->scan = copy_array(d->n_scan, sizeof *c->scan, &c->cap_scan, &bad);
    for (size_t i = 0; i < d->n_scan && !bad; i++, c->n_scan++) {
        const dc_page *p = &d->scan[i];
        dc_page *q = &c->scan[i];
        q->number = p->number, q->width = p->width, q->height = p->height, q->dpi = p->dpi;
        q->conf = p->conf, q->low = p->low, q->redacted = p->redacted;
        copy_str(&q->source, p->source, &bad);
        copy_str(&q->image, p->image, &bad);
        q->words = copy_array(p->n_words, sizeof *q->words, &q->cap_words, &bad);
        for (size_t k = 0; k < p->n_words && !bad; k++, q->n_words++) {
            const dc_word *w = &p->words[k];
            q->words[k] =
                (dc_word){.box = w->box, .conf = w->conf, .start = w->start, .end = w->end};
            copy_str(&q->words[k].text, w->text, &bad);
            copy_str(&q->words[k].target, w->target, &bad);
        }
        q->boxes = copy_array(p->n_boxes, sizeof *q->boxes, &q->cap_boxes, &bad);
        if (!bad && p->n_boxes) memcpy(q->boxes, p->boxes, p->n_boxes * sizeof *q->boxes);
        if (!bad) q->n_boxes = p->n_boxes;
        q->regions = copy_array(p->n_regions, sizeof *q->regions, &q->cap_regions, &bad);
        for (size_t k = 0; k < p->n_regions && !bad; k++, q->n_regions++) {
            q->regions[k].box = p->regions[k].box;
            copy_str(&q->regions[k].portion, p->regions[k].portion, &bad);
        }
    }
    if (bad) {
        dc_doc_free(c);
        return DC_NOMEM;
    }
    *out = c;
    return DC_OK;
}

/* Grows an array of elements of size `size` to hold one more; the new
 * element is zeroed.  Returns it, or NULL on NOMEM or past DC_MAX_PARTS. */
static void *grow(void **arr, size_t *n, size_t *cap, size_t size)
{
    if (*n >= DC_MAX_PARTS) return NULL;
    *arr = dc_grow_array(*arr, *n + 1, cap, size);
    if (*n + 1 > *cap) return NULL;
    void *e = (char *)*arr + (*n) * size;
    memset(e, 0, size);
    (*n)++;
    return e;
}

dc_portion *dc_doc_add_portion(dc_doc *d, const char *kind)
{
    dc_portion *p = grow((void **)&d->portions, &d->n_portions, &d->cap_portions, sizeof *p);
    if (!p) return NULL;
    /* "p%zu", without snprintf: a text's parse makes a portion a paragraph */
    char id[32], *e = id + sizeof id;
    *--e = '\0';
    size_t n = d->n_portions;
    do *--e = (char)('0' + n % 10);
    while (n /= 10);
    *--e = 'p';
    p->id = dc_strdup(e);
    p->kind = dc_strdup(kind ? kind : "paragraph");
    if (!p->id || !p->kind) {
        portion_release(p);
        d->n_portions--;
        return NULL;
    }
    return p;
}

dc_rc dc_portion_add_mark(dc_portion *p, dc_mark_kind kind, size_t at, const char *value)
{
    char *v = dc_strdup(value ? value : "");
    if (!v) return DC_NOMEM;
    dc_mark *m = grow((void **)&p->marks, &p->n_marks, &p->cap_marks, sizeof *m);
    if (!m) {
        free(v);
        return p->n_marks >= DC_MAX_PARTS ? DC_LIMIT : DC_NOMEM;
    }
    m->at = at;
    m->kind = kind;
    m->value = v;
    return DC_OK;
}

dc_footnote *dc_doc_add_footnote(dc_doc *d)
{
    return grow((void **)&d->footnotes, &d->n_footnotes, &d->cap_footnotes, sizeof(dc_footnote));
}

dc_gap *dc_doc_add_gap(dc_doc *d)
{
    return grow((void **)&d->gaps, &d->n_gaps, &d->cap_gaps, sizeof(dc_gap));
}

static int streq(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

dc_rc dc_doc_add_ref(dc_doc *d, const char *kind, const char *target, const char *relation,
                     const char *detail)
{
    if (!kind || !target) return DC_MISUSE;
    for (size_t i = 0; i < d->n_refs; i++) {
        dc_ref *r = &d->refs[i];
        if (streq(r->kind, kind) && streq(r->target, target) &&
            (!detail || !r->detail || streq(r->detail, detail))) {
            if (relation && !r->relation && dc_str_set(&r->relation, relation)) return DC_NOMEM;
            if (detail && !r->detail && dc_str_set(&r->detail, detail)) return DC_NOMEM;
            return DC_OK;
        }
    }
    dc_ref *r = grow((void **)&d->refs, &d->n_refs, &d->cap_refs, sizeof *r);
    if (!r) return DC_NOMEM;
    if (dc_str_set(&r->kind, kind) || dc_str_set(&r->target, target) ||
        dc_str_set(&r->relation, relation) || dc_str_set(&r->detail, detail))
        return DC_NOMEM; /* r stays, partially filled; dc_doc_free frees it */
    return DC_OK;
}

const dc_portion *dc_doc_portion(const dc_doc *d, const char *id)
{
    for (size_t i = 0; i < d->n_portions; i++)
        if (strcmp(d->portions[i].id, id) == 0) return &d->portions[i];
    return NULL;
}

dc_footnote *dc_doc_footnote(const dc_doc *d, const char *n)
{
    for (size_t i = 0; i < d->n_footnotes; i++)
        if (streq(d->footnotes[i].n, n)) return &d->footnotes[i];
    return NULL;
}

static const char *const level_names[] = {"UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"};

int dc_level_parse(const char *s)
{
    static const char *const abbrev[] = {"U", "C", "S", "TS"};
    if (!s) return -1;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, level_names[i]) == 0 || strcasecmp(s, abbrev[i]) == 0) return i;
    if (strcasecmp(s, "TOP-SECRET") == 0 || strcasecmp(s, "TOP_SECRET") == 0) return 3;
    return -1;
}

const char *dc_level_name(dc_level level)
{
    return (unsigned)level < 4 ? level_names[level] : "UNCLASSIFIED";
}

const dc_gap *dc_doc_gap(const dc_doc *doc, const char *id)
{
    if (!doc || !id) return NULL;
    for (size_t i = 0; i < doc->n_gaps; i++)
        if (doc->gaps[i].anchor && strcmp(doc->gaps[i].anchor, id) == 0) return &doc->gaps[i];
    return NULL;
}

int dc_doc_portions_marked(const dc_doc *doc)
{
    for (size_t i = 0; doc && i < doc->n_portions; i++) {
        const dc_portion *p = &doc->portions[i];
        if (p->withheld || p->classification || p->compartments.n) return 1;
    }
    return doc && doc->n_withholdings != 0;
}

int dc_withholding_active(const dc_withholding *w)
{
    return !w->status || strcmp(w->status, "lifted") != 0;
}

const char *dc_withholding_target_text(const dc_doc *d, const dc_withholding *w)
{
    const char *t = w->target;
    if (!t) return NULL;
    if (strcmp(t, "title") == 0) return d->title;
    if (strcmp(t, "source") == 0) return d->source_note;
    if (strncmp(t, "fn", 2) == 0) {
        const dc_footnote *f = dc_doc_footnote(d, t + 2);
        return f ? f->text : NULL;
    }
    const dc_portion *p = dc_doc_portion(d, t);
    return p ? p->text : NULL;
}

static dc_withholding *find_withholding(const dc_doc *d, const char *id)
{
    for (size_t i = 0; id && i < d->n_withholdings; i++)
        if (streq(d->withholdings[i].id, id)) return &d->withholdings[i];
    return NULL;
}

/* Appends a copy of w to d, placed at [start, end) (whole: the target),
 * with id suffix k (0: w's own id, else "ID.k"). */
static dc_rc place_copy(dc_doc *d, const dc_withholding *w, int whole, size_t start, size_t end,
                        unsigned k)
{
    dc_withholding c;
    if (dc_withholding_copy(&c, w)) return DC_NOMEM;
    c.whole = whole;
    c.start = whole ? 0 : start;
    c.end = whole ? 0 : end;
    if (k) {
        char id[96];
        snprintf(id, sizeof id, "%s.%u", w->id ? w->id : "w", k);
        if (dc_str_set(&c.id, id)) {
            dc_withholding_release(&c);
            return DC_NOMEM;
        }
    }
    dc_withholding *slot = dc_doc_add_withholding(d);
    if (!slot) {
        dc_withholding_release(&c);
        return DC_NOMEM;
    }
    *slot = c;
    /* a whole portion withheld is also the portion's own flag, which the
     * engines (access, render) read */
    dc_portion *p = whole && c.target && dc_withholding_active(&c)
                        ? (dc_portion *)dc_doc_portion(d, c.target)
                        : NULL;
    if (p && !p->withheld) {
        p->withheld = 1;
        if (dc_str_set(&p->withheld_reason, c.code)) return DC_NOMEM;
    }
    return DC_OK;
}

/* Places a copy of w at every occurrence of its text in every part of d
 * (portions, footnotes, the source note, the title); *k counts them. */
static dc_rc place_everywhere(dc_doc *d, const dc_withholding *w, unsigned *k)
{
    size_t len = w->text ? strlen(w->text) : 0;
    if (!len) return DC_OK;
    size_t np = d->n_portions, nf = d->n_footnotes;
    char fn[80];
    for (size_t i = 0; i < np + nf + 2; i++) {
        const char *name, *t;
        if (i < np) {
            name = d->portions[i].id;
            t = d->portions[i].text;
        } else if (i < np + nf) {
            snprintf(fn, sizeof fn, "fn%s", d->footnotes[i - np].n ? d->footnotes[i - np].n : "");
            name = fn;
            t = d->footnotes[i - np].text;
        } else {
            name = i == np + nf ? "source" : "title";
            t = i == np + nf ? d->source_note : d->title;
        }
        for (const char *h = t && name ? strstr(t, w->text) : NULL; h;
             h = strstr(h + len, w->text)) {
            dc_withholding c = *w;
            c.target = (char *)name;
            dc_rc rc = place_copy(d, &c, 0, (size_t)(h - t), (size_t)(h - t) + len, (*k)++);
            if (rc) return rc;
        }
    }
    return DC_OK;
}

/*
 * Carries the withholdings of from to to.  A withholding whose target's
 * text is unchanged keeps its place.  Else, in a re-ingest (the text
 * changed, the target is gone), it fails safe: a copy hides its
 * text wherever it stands now in any part of to ("w1.1", ...; a
 * paragraph may have moved to another portion id), and unless a span's
 * text is still in its own target, the withholding itself becomes
 * "orphaned" and hides the whole target (nothing there if it is gone)
 * until a reviewer lifts it: nothing says the new text is not what was
 * withheld.  *lost counts the orphaned ones that hide.
 */
dc_rc dc_doc_carry_withholdings(dc_doc *to, const dc_doc *from, int only_active, size_t *lost)
{
    if (lost) *lost = 0;
    size_t n = from->n_withholdings;
    for (size_t i = 0; i < n; i++) {
        const dc_withholding *w = &from->withholdings[i];
        int active = dc_withholding_active(w);
        if (only_active && !active) continue;
        dc_withholding *have = find_withholding(to, w->id);
        if (have) {
            /* the most restrictive decision wins */
            if (active && !dc_withholding_active(have) && dc_str_set(&have->status, w->status))
                return DC_NOMEM;
            continue;
        }
        const char *now = dc_withholding_target_text(to, w);
        const char *was = dc_withholding_target_text(from, w);
        int same = was && now && streq(was, now);
        dc_rc rc = DC_OK;
        if (same && w->whole) {
            rc = place_copy(to, w, 1, 0, 0, 0);
        } else if (same && w->end <= strlen(now)) {
            rc = place_copy(to, w, 0, w->start, w->end, 0);
        } else if (!active) {
            /* lifted: it hides nothing; its record is kept as it was */
            rc = place_copy(to, w, w->whole, w->start, w->end, 0);
        } else if (only_active) {
            /* an old version shown through today's decisions: a part
             * withheld whole is withheld by its name; a span wherever its
             * text stands, else its whole target */
            unsigned k = 0;
            if (!w->whole) rc = place_everywhere(to, w, &k);
            if (!rc && k == 0) rc = place_copy(to, w, 1, 0, 0, 0);
            if (!rc && k == 0 && !w->whole && lost) (*lost)++;
        } else {
            int own = !w->whole && now && w->text && *w->text && strstr(now, w->text);
            unsigned k = own ? 0 : 1; /* the first copy is w itself when not orphaned */
            rc = place_everywhere(to, w, &k);
            if (!rc && !own) {
                dc_withholding o = *w;
                o.status = (char *)"orphaned";
                rc = place_copy(to, &o, 1, 0, 0, 0);
                if (lost) (*lost)++;
            }
        }
        if (rc) return rc;
    }
    return DC_OK;
}

/* ---- volumes ------------------------------------------------------------ */

dc_volume *dc_volume_new(void) { return calloc(1, sizeof(dc_volume)); }

static void volume_entry_release(dc_volume_entry *e)
{
    char *strs[] = {e->kind, e->part,   e->xml_id, e->type, e->head,
                    e->id,   e->number, e->title,  e->date};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) free(strs[i]);
}

void dc_volume_free(dc_volume *v)
{
    if (!v) return;
    char *strs[] = {v->id,        v->title,        v->series,
                    v->subseries, v->volume_title, v->volume_number,
                    v->publisher, v->pub_place,    v->pub_date};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) free(strs[i]);
    dc_strv_release(&v->editors);
    dc_strv_release(&v->editor_roles);
    for (size_t i = 0; i < v->n_entries; i++) volume_entry_release(&v->entries[i]);
    free(v->entries);
    free(v);
}

dc_volume_entry *dc_volume_add_entry(dc_volume *v)
{
    return grow((void **)&v->entries, &v->n_entries, &v->cap_entries, sizeof(dc_volume_entry));
}

static int is_document(const dc_volume_entry *e) { return e->kind && !strcmp(e->kind, "document"); }

long dc_volume_find(const dc_volume *v, const char *id)
{
    for (size_t i = 0; v && id && i < v->n_entries; i++)
        if (is_document(&v->entries[i]) && v->entries[i].id && !strcmp(v->entries[i].id, id))
            return (long)i;
    return -1;
}

long dc_volume_step(const dc_volume *v, long i, int dir)
{
    if (!v || i < 0 || (size_t)i >= v->n_entries) return -1;
    for (long k = i + dir; k >= 0 && (size_t)k < v->n_entries; k += dir)
        if (is_document(&v->entries[k])) return k;
    return -1;
}

long dc_volume_parent(const dc_volume *v, long i)
{
    if (!v || i < 0 || (size_t)i >= v->n_entries) return -1;
    for (long k = i - 1; k >= 0; k--)
        if (!is_document(&v->entries[k]) && v->entries[k].level < v->entries[i].level) return k;
    return -1;
}

dc_rc dc_portion_add_span(dc_portion *p, size_t start, size_t end, const char *kind,
                          const char *value)
{
    return dc_spans_add(&p->spans, &p->n_spans, &p->cap_spans, start, end, kind, value);
}

dc_rc dc_spans_add(dc_span **spans, size_t *n, size_t *cap, size_t start, size_t end,
                   const char *kind, const char *value)
{
    char *k = dc_strdup(kind ? kind : "");
    char *v = value ? dc_strdup(value) : NULL;
    if (!k || (value && !v)) {
        free(k);
        free(v);
        return DC_NOMEM;
    }
    dc_span *s = grow((void **)spans, n, cap, sizeof *s);
    if (!s) {
        free(k);
        free(v);
        return *n >= DC_MAX_PARTS ? DC_LIMIT : DC_NOMEM;
    }
    s->start = start;
    s->end = end < start ? start : end;
    s->kind = k;
    s->value = v;
    return DC_OK;
}
