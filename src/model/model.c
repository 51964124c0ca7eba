/*
 * The document model: construction and destruction of dc_doc values.
 */
#include "declass/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    for (size_t i = 0; i < p->n_marks; i++) free(p->marks[i].value);
    free(p->marks);
}

void dc_doc_free(dc_doc *d)
{
    if (!d) return;
    char **strs[] = {&d->id,          &d->collection,     &d->local_id,       &d->number,
                     &d->title,       &d->doc_type,       &d->date,           &d->date_source,
                     &d->classification, &d->source_note, &d->source_note_n,
                     &d->source_note_label, &d->title_note, &d->release_status,
                     &d->release_date, &d->format, &d->volume_title};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) free(*strs[i]);
    dc_strv_release(&d->file_numbers);
    dc_strv_release(&d->pages);
    dc_strv_release(&d->persons);
    for (size_t i = 0; i < d->n_portions; i++) portion_release(&d->portions[i]);
    free(d->portions);
    for (size_t i = 0; i < d->n_footnotes; i++) {
        free(d->footnotes[i].n);
        free(d->footnotes[i].label);
        free(d->footnotes[i].anchor);
        free(d->footnotes[i].text);
    }
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
    free(d);
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
    char id[32];
    snprintf(id, sizeof id, "p%zu", d->n_portions);
    p->id = dc_strdup(id);
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
    return grow((void **)&d->footnotes, &d->n_footnotes, &d->cap_footnotes,
                sizeof(dc_footnote));
}

dc_gap *dc_doc_add_gap(dc_doc *d)
{
    return grow((void **)&d->gaps, &d->n_gaps, &d->cap_gaps, sizeof(dc_gap));
}

static int streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

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

static const char *const level_names[] = {"UNCLASSIFIED", "CONFIDENTIAL", "SECRET",
                                          "TOP SECRET"};

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
    return 0;
}
