/*
 * TEI ingest: what a document points to.  ref targets become dc_doc refs
 * (a document or footnote of the volume, another volume); a persName
 * becomes a person, with the name the volume's list gives its corresp.
 */
#include "ingest/ingest_int.h"
#include "model/model_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_int.h"
#include "util/banned.h"

/* Parses "dN" or "dNfnM" (a FRUS document or footnote id). */
static int frus_id(const char *s, size_t n, char *num, size_t numcap, char *fn, size_t fncap)
{
    if (n < 2 || s[0] != 'd' || !isdigit((unsigned char)s[1])) return 0;
    size_t i = 1;
    while (i < n && isdigit((unsigned char)s[i])) i++;
    if (i - 1 >= numcap) return 0;
    memcpy(num, s + 1, i - 1);
    num[i - 1] = '\0';
    fn[0] = '\0';
    if (i == n) return 1;
    if (n - i < 3 || strncmp(s + i, "fn", 2) != 0 || n - i - 2 >= fncap) return 0;
    memcpy(fn, s + i + 2, n - i - 2);
    fn[n - i - 2] = '\0';
    return 1;
}

static int is_volume_id(const char *s, size_t n)
{
    if (n < 5 || n > 64 || strncmp(s, "frus", 4) != 0 || !isdigit((unsigned char)s[4])) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_') return 0;
    return 1;
}

/*
 * Records what one ref target points to: "#d237" a document of this
 * volume, "#d30fn2" its footnote, "frus1958-60v19" or "frus1958-60v19#d12"
 * another volume.  Pointers into the document itself, glossary terms,
 * pages and web addresses are not references between records.
 */
static void add_ref_target(tei *t, const char *tg, size_t n)
{
    char num[32], fn[32], vol[80], frag[80];
    dc_doc *d = t->doc;
    if (d->n_refs >= TEI_MAX_ITEMS) {
        dc_tei_fail(t, DC_LIMIT, "more than %d references in one document", TEI_MAX_ITEMS);
        return;
    }
    dc_rc rc = DC_OK;
    if (n > 1 && tg[0] == '#') {
        if (!frus_id(tg + 1, n - 1, num, sizeof num, fn, sizeof fn)) return;
        if (t->doc_xmlid && t->doc_xmlid[0] == 'd' && strcmp(t->doc_xmlid + 1, num) == 0) return;
        rc = fn[0] ? dc_doc_add_ref(d, "footnote", num, NULL, fn)
                   : dc_doc_add_ref(d, "document", num, NULL, NULL);
    } else {
        const char *hash = memchr(tg, '#', n);
        size_t vl = hash ? (size_t)(hash - tg) : n;
        if (!is_volume_id(tg, vl)) return;
        memcpy(vol, tg, vl);
        vol[vl] = '\0';
        frag[0] = '\0';
        if (hash && n - vl - 1 > 0 && n - vl - 1 < sizeof frag) {
            memcpy(frag, hash + 1, n - vl - 1);
            frag[n - vl - 1] = '\0';
        }
        rc = dc_doc_add_ref(d, "volume", vol, NULL, frag[0] ? frag : NULL);
    }
    if (rc) dc_tei_nomem(t);
}

/* A ref element: each space-separated pointer of its @target. */
void dc_tei_on_ref(tei *t)
{
    char v[TEI_ATTR];
    if (!t->doc || !dc_tei_attr(t, "target", NULL, v)) return;
    for (char *p = v; *p && !t->rc;) {
        while (dc_tei_is_space(*p)) p++;
        char *q = p;
        while (*q && !dc_tei_is_space(*q)) q++;
        if (q > p) add_ref_target(t, p, (size_t)(q - p));
        p = q;
    }
}

/* The outermost persName closes: its flattened text joins doc->persons. */
void dc_tei_end_person(tei *t)
{
    if (--t->person_depth > 0) return;
    size_t len = dc_tb_trim(&t->person);
    dc_doc *d = t->doc;
    if (!d || len == 0 || !dc_tei_buf_ok(t, &t->person, "a person's name")) return;
    if (d->persons.n >= TEI_MAX_ITEMS) {
        dc_tei_fail(t, DC_LIMIT, "more than %d persons in one document", TEI_MAX_ITEMS);
        return;
    }
    if (dc_strv_add_unique(&d->persons, dc_tb_str(&t->person))) { dc_tei_nomem(t); return; }
    /* persName corresp="#p_EDD1": the volume's list names the person */
    const char *name = t->person_ref[0] == '#' && t->h && t->h->person
                           ? t->h->person(t->h->ctx, d->collection, t->person_ref + 1)
                           : NULL;
    if (name && name[0] && dc_strv_add_unique(&d->persons, name)) dc_tei_nomem(t);
}

/*
 * Inline markup kept as spans of the portion's text (model.h, dc_span):
 * persName (value: the list entry its corresp "#p_X" names), gloss (the
 * term its target "#t_X" names), ref (its target), hi (its rend), quote.
 * A span opens where its element's text will begin; it is kept when its
 * element closes in the same portion and covered some text.
 */
/* The text a span of capture cap is a range of. */
static tbuf *span_buf(tei *t, int cap)
{
    return cap == CAP_NOTE     ? &t->note
           : cap == CAP_SOURCE ? &t->source
           : cap == CAP_TITLE  ? &t->title
                               : &t->cur;
}

void dc_tei_span_open(tei *t, int el, frame *f, int cap)
{
    static const struct {
        int el;
        const char *kind, *attr;
    } kinds[] = {{EL_PERSNAME, "persName", "corresp"},
                 {EL_GLOSS, "gloss", "target"},
                 {EL_REF, "ref", "target"},
                 {EL_HI, "hi", "rend"},
                 {EL_QUOTE, "quote", NULL}};
    size_t k = 0;
    while (k < sizeof kinds / sizeof kinds[0] && kinds[k].el != el) k++;
    if (k == sizeof kinds / sizeof kinds[0] || !t->doc || t->rc) return;
    if (t->n_open >= TEI_MAX_DEPTH) return;
    char v[TEI_ATTR];
    const char *val = NULL;
    if (kinds[k].attr && dc_tei_attr(t, kinds[k].attr, NULL, v) && v[0]) {
        val = v;
        /* a pointer into the volume's lists: the entry's xml:id */
        if (el != EL_REF && v[0] == '#' && v[1]) val = v + 1;
    }
    if (DC_GROW(t->open, t->n_open + 1, t->cap_open)) {
        dc_tei_nomem(t);
        return;
    }
    pspan *s = &t->open[t->n_open];
    *s = (pspan){
        .start = span_buf(t, cap)->b.len, .gen = t->cur_gen, .kind = kinds[k].kind, .cap = cap};
    if (val && !(s->value = dc_strdup(val))) {
        dc_tei_nomem(t);
        return;
    }
    t->n_open++;
    f->flags |= FL_SPAN;
}

void dc_tei_span_close(tei *t)
{
    if (!t->n_open) return;
    pspan s = t->open[--t->n_open];
    tbuf *tb = span_buf(t, s.cap);
    size_t end = tb->b.len;
    const char *b = tb->b.p;
    if (s.cap != CAP_BODY) s.gen = t->cur_gen; /* a note's text ends no portion */
    if (s.gen == t->cur_gen && b) {
        /* the spaces around the element's text are not its */
        while (s.start < end && b[s.start] == ' ') s.start++;
        while (end > s.start && b[end - 1] == ' ') end--;
    }
    if (s.gen != t->cur_gen || end <= s.start || t->rc) {
        free(s.value);
        return;
    }
    int x = s.cap == CAP_NOTE ? 0 : s.cap == CAP_SOURCE ? 1 : 2;
    pspan **v = s.cap == CAP_BODY ? &t->spans : &t->xspans[x];
    size_t *n = s.cap == CAP_BODY ? &t->n_spans : &t->n_xspans[x];
    size_t *cap = s.cap == CAP_BODY ? &t->cap_spans : &t->cap_xspans[x];
    if (*n >= TEI_MAX_MARKS) {
        free(s.value);
        dc_tei_fail(t, DC_LIMIT, "more than %d inline elements in one portion", TEI_MAX_MARKS);
        return;
    }
    if (DC_GROW(*v, *n + 1, *cap)) {
        free(s.value);
        dc_tei_nomem(t);
        return;
    }
    s.end = end;
    (*v)[(*n)++] = s;
}

void dc_tei_xspans_clear(tei *t, int which)
{
    for (size_t i = 0; i < t->n_xspans[which]; i++) free(t->xspans[which][i].value);
    t->n_xspans[which] = 0;
}

/* Spans in the model's order (as tei_portions.c sorts a portion's). */
static int xspan_order(const void *a, const void *b)
{
    const pspan *x = *(const pspan *const *)a, *y = *(const pspan *const *)b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end > y->end ? -1 : 1;
    return x > y ? -1 : x < y ? 1 : 0;
}

void dc_tei_xspans_move(tei *t, int which, size_t skip, size_t len, dc_span **v, size_t *n,
                        size_t *cap)
{
    size_t m = t->n_xspans[which];
    if (!m || t->rc) {
        dc_tei_xspans_clear(t, which);
        return;
    }
    const pspan **o = malloc(m * sizeof *o);
    if (!o) {
        dc_tei_nomem(t);
        return;
    }
    for (size_t i = 0; i < m; i++) o[i] = &t->xspans[which][i];
    qsort(o, m, sizeof *o, xspan_order);
    for (size_t i = 0; i < m; i++) {
        if (o[i]->start < skip) continue;
        size_t a = o[i]->start - skip, e = o[i]->end - skip > len ? len : o[i]->end - skip;
        if (a >= e) continue;
        dc_rc rc = dc_spans_add(v, n, cap, a, e, o[i]->kind, o[i]->value);
        if (rc) {
            if (rc == DC_NOMEM) dc_tei_nomem(t);
            else dc_tei_fail(t, rc, "too many spans");
            break;
        }
    }
    free(o);
    dc_tei_xspans_clear(t, which);
}
