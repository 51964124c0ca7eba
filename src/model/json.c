/*
 * The document model as JSON (DESIGN.md, "The document model"): the form
 * `declass show --json` prints and the store keeps.
 *
 * Both forms — the compact one the store hashes and keeps, and the
 * indented one `show --json` prints — are written by the JSON writer
 * (util/json.c: what cJSON would print for the same tree; test_model.c
 * checks it).  Parsing uses the JSON reader of util/json.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "declass/model.h"
#include "model/model_int.h"
#include "util/util_int.h"
#include "util/banned.h"

/* ---- the writer ------------------------------------------------------- */

/* The stored form leaves out what a reader takes as absent anyway: null
 * strings, empty lists, false flags (lean).  The form a user sees keeps
 * them (DESIGN.md's model, every member present). */
static void put_str(dc_json *j, int lean, const char *k, const char *v)
{
    if (v || !lean) dc_json_kstr(j, k, v);
}

static void put_strv(dc_json *j, int lean, const char *k, const dc_strv *sv)
{
    if (lean && !sv->n) return;
    dc_json_key(j, k);
    dc_json_strv(j, sv);
}

static void put_flag(dc_json *j, int lean, const char *k, int v)
{
    if (v || !lean) dc_json_kbool(j, k, v);
}

/* Opens the array member k, unless lean and it has no elements (0). */
static int open_list(dc_json *j, int lean, const char *k, size_t n)
{
    if (lean && !n) return 0;
    dc_json_key(j, k);
    dc_json_arr(j);
    return 1;
}

/* Spans (model.h) as member key, when there are some. */
static void put_spans(dc_json *j, const char *key, const dc_span *v, size_t n)
{
    if (!n) return;
    dc_json_key(j, key);
    dc_json_arr(j);
    for (size_t k = 0; k < n; k++) {
        dc_json_obj(j);
        dc_json_knum(j, "start", (double)v[k].start);
        dc_json_knum(j, "end", (double)v[k].end);
        dc_json_kstr(j, "kind", v[k].kind);
        if (v[k].value) dc_json_kstr(j, "value", v[k].value);
        dc_json_end(j);
    }
    dc_json_end(j);
}

static void put_portion(dc_json *j, int lean, const dc_portion *p)
{
    dc_json_obj(j);
    dc_json_kstr(j, "id", p->id);
    dc_json_kstr(j, "kind", p->kind);
    put_str(j, lean, "label", p->label);
    put_str(j, lean, "page", p->page);
    put_str(j, lean, "classification", p->classification);
    put_strv(j, lean, "compartments", &p->compartments);
    put_str(j, lean, "text", p->text);
    put_flag(j, lean, "withheld", p->withheld);
    if (p->withheld_reason) dc_json_kstr(j, "withheld_reason", p->withheld_reason);
    if (p->group) dc_json_kstr(j, "group", p->group);
    if (p->n_marks) {
        dc_json_key(j, "marks");
        dc_json_arr(j);
        for (size_t k = 0; k < p->n_marks; k++) {
            dc_json_obj(j);
            dc_json_knum(j, "at", (double)p->marks[k].at);
            dc_json_kstr(j, "kind", p->marks[k].kind == DC_MARK_PAGE ? "page" : "note");
            dc_json_kstr(j, "value", p->marks[k].value);
            dc_json_end(j);
        }
        dc_json_end(j);
    }
    put_spans(j, "spans", p->spans, p->n_spans);
    dc_json_end(j);
}

/* A withholding as the store keeps it (model.h); NULL members left out. */
static void put_withholding(dc_json *j, const dc_withholding *w)
{
    dc_json_obj(j);
    dc_json_kstr(j, "id", w->id);
    dc_json_kstr(j, "target", w->target);
    dc_json_kbool(j, "whole", w->whole);
    if (!w->whole) {
        dc_json_knum(j, "start", (double)w->start);
        dc_json_knum(j, "end", (double)w->end);
    }
    const char *keys[] = {"text",     "kind", "code",   "agency",    "until",     "event",
                          "reviewer", "at",   "status", "lifted_by", "lifted_at", "note"};
    const char *vals[] = {w->text,     w->kind, w->code,   w->agency,    w->until,     w->event,
                          w->reviewer, w->at,   w->status, w->lifted_by, w->lifted_at, w->note};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (vals[i]) dc_json_kstr(j, keys[i], vals[i]);
    dc_json_end(j);
}

/* The model of DESIGN.md, in its member order; optional members
 * (withheld_reason, marks, spans, relation, detail, volume_title) only when set. */
static void put_box(dc_json *j, dc_box b)
{
    dc_json_int(j, b.x);
    dc_json_int(j, b.y);
    dc_json_int(j, b.w);
    dc_json_int(j, b.h);
}

/* A scanned page: its words as arrays [x, y, w, h, conf, text] and,
 * placed in the text, [..., target, start, end]; boxes as [x, y, w, h]. */
static void put_page(dc_json *j, const dc_page *p)
{
    dc_json_obj(j);
    dc_json_kint(j, "page", p->number);
    dc_json_kint(j, "width", p->width);
    dc_json_kint(j, "height", p->height);
    dc_json_kint(j, "dpi", p->dpi);
    dc_json_kstr(j, "source", p->source);
    dc_json_kint(j, "confidence", p->conf);
    dc_json_kbool(j, "low_confidence", p->low);
    /* a redacted page's image is the original: not even its hash */
    dc_json_kstr(j, "image", p->redacted ? NULL : p->image);
    dc_json_kbool(j, "redacted", p->redacted);
    dc_json_key(j, "words");
    dc_json_arr(j);
    for (size_t i = 0; i < p->n_words; i++) {
        const dc_word *w = &p->words[i];
        dc_json_arr(j);
        put_box(j, w->box);
        dc_json_int(j, w->conf);
        dc_json_str(j, w->text);
        if (w->target) {
            dc_json_str(j, w->target);
            dc_json_int(j, (long long)w->start);
            dc_json_int(j, (long long)w->end);
        }
        dc_json_end(j);
    }
    dc_json_end(j);
    dc_json_key(j, "boxes");
    dc_json_arr(j);
    for (size_t i = 0; i < p->n_boxes; i++) {
        dc_json_arr(j);
        put_box(j, p->boxes[i]);
        dc_json_end(j);
    }
    dc_json_end(j);
    if (p->n_regions) {
        dc_json_key(j, "regions");
        dc_json_arr(j);
        for (size_t i = 0; i < p->n_regions; i++) {
            dc_json_arr(j);
            dc_json_str(j, p->regions[i].portion);
            put_box(j, p->regions[i].box);
            dc_json_end(j);
        }
        dc_json_end(j);
    }
    dc_json_end(j);
}

static void write_doc(dc_json *j, const dc_doc *d, int lean)
{
    dc_json_obj(j);
    dc_json_kstr(j, "id", d->id);
    dc_json_kstr(j, "collection", d->collection);
    dc_json_kstr(j, "local_id", d->local_id);
    put_str(j, lean, "number", d->number);
    put_str(j, lean, "title", d->title);
    put_str(j, lean, "title_note", d->title_note);
    put_spans(j, "title_spans", d->title_spans, d->n_title_spans);
    put_str(j, lean, "doc_type", d->doc_type);
    put_str(j, lean, "date", d->date);
    put_str(j, lean, "date_source", d->date_source);
    put_str(j, lean, "classification", d->classification);
    put_str(j, lean, "source_note", d->source_note);
    put_str(j, lean, "source_note_n", d->source_note_n);
    put_str(j, lean, "source_note_label", d->source_note_label);
    put_spans(j, "source_spans", d->source_spans, d->n_source_spans);
    put_strv(j, lean, "file_numbers", &d->file_numbers);
    put_strv(j, lean, "pages", &d->pages);
    if (open_list(j, lean, "portions", d->n_portions)) {
        for (size_t i = 0; i < d->n_portions && !j->b->rc; i++)
            put_portion(j, lean, &d->portions[i]);
        dc_json_end(j);
    }
    if (open_list(j, lean, "footnotes", d->n_footnotes)) {
        for (size_t i = 0; i < d->n_footnotes && !j->b->rc; i++) {
            const dc_footnote *f = &d->footnotes[i];
            dc_json_obj(j);
            put_str(j, lean, "n", f->n);
            put_str(j, lean, "label", f->label);
            put_str(j, lean, "anchor", f->anchor);
            put_str(j, lean, "text", f->text);
            put_spans(j, "spans", f->spans, f->n_spans);
            dc_json_end(j);
        }
        dc_json_end(j);
    }
    if (open_list(j, lean, "gaps", d->n_gaps)) {
        for (size_t i = 0; i < d->n_gaps && !j->b->rc; i++) {
            const dc_gap *g = &d->gaps[i];
            dc_json_obj(j);
            put_str(j, lean, "extent", g->extent);
            put_str(j, lean, "page", g->page);
            put_str(j, lean, "anchor", g->anchor);
            dc_json_end(j);
        }
        dc_json_end(j);
    }
    if (open_list(j, lean, "references", d->n_refs)) {
        for (size_t i = 0; i < d->n_refs && !j->b->rc; i++) {
            const dc_ref *r = &d->refs[i];
            dc_json_obj(j);
            dc_json_kstr(j, "kind", r->kind);
            dc_json_kstr(j, "target", r->target);
            if (r->relation) dc_json_kstr(j, "relation", r->relation);
            if (r->detail) dc_json_kstr(j, "detail", r->detail);
            dc_json_end(j);
        }
        dc_json_end(j);
    }
    put_strv(j, lean, "persons", &d->persons);
    if (!lean || d->release_status || d->release_date) {
        dc_json_key(j, "release");
        dc_json_obj(j);
        put_str(j, lean, "status", d->release_status);
        put_str(j, lean, "date", d->release_date);
        dc_json_end(j);
    }
    put_str(j, lean, "format", d->format);
    if (d->volume_title) dc_json_kstr(j, "volume_title", d->volume_title);
    if (d->n_withholdings) {
        dc_json_key(j, "withholdings");
        dc_json_arr(j);
        for (size_t i = 0; i < d->n_withholdings && !j->b->rc; i++)
            put_withholding(j, &d->withholdings[i]);
        dc_json_end(j);
    }
    if (d->n_scan) {
        dc_json_key(j, "scan");
        dc_json_arr(j);
        for (size_t i = 0; i < d->n_scan && !j->b->rc; i++) put_page(j, &d->scan[i]);
        dc_json_end(j);
    }
    dc_json_end(j);
}

/* d appended to b, indented or not, in the full or the stored form. */
static void write_into(dc_buf *b, const dc_doc *d, int pretty, int lean)
{
    dc_json j;
    dc_json_init(&j, b, pretty);
    write_doc(&j, d, lean);
}

void dc_doc_json_write(const dc_doc *d, dc_buf *b) { write_into(b, d, 0, 0); }

void dc_doc_json_write_stored(const dc_doc *d, dc_buf *b) { write_into(b, d, 0, 1); }

void dc_doc_json_write_pretty(const dc_doc *d, dc_buf *b) { write_into(b, d, 1, 0); }

/* DC_NOMEM, or DC_LIMIT past DC_JSON_LIMIT bytes. */
dc_rc dc_doc_to_json(const dc_doc *d, int pretty, char **out)
{
    *out = NULL;
    dc_buf b;
    dc_buf_init(&b, DC_JSON_LIMIT);
    write_into(&b, d, pretty, 0);
    dc_rc rc = b.rc;
    char *s = dc_buf_detach(&b);
    dc_buf_release(&b);
    if (!s) return rc ? rc : DC_NOMEM;
    *out = s;
    return DC_OK;
}

#define JV_IS(v, t) ((v) != NULL && (v)->type == (t))
#define jv_is_null(v) JV_IS(v, DC_JV_NULL)
#define jv_is_true(v) JV_IS(v, DC_JV_TRUE)
#define jv_is_number(v) JV_IS(v, DC_JV_NUMBER)
#define jv_is_string(v) JV_IS(v, DC_JV_STRING)
#define jv_is_array(v) JV_IS(v, DC_JV_ARRAY)
#define jv_is_object(v) JV_IS(v, DC_JV_OBJECT)
#define JV_EACH(e, c) for ((e) = (c) ? (c)->child : NULL; (e); (e) = (e)->next)

static int jv_size(const dc_jv *v)
{
    return v ? v->n : 0;
}

/* Copies the string member k of o into *field; absent or null leaves NULL.
 * A member of the wrong type is DC_CORRUPT. */
static dc_rc get_str(const dc_jv *o, const char *k, char **field)
{
    const dc_jv *v = dc_jget(o, k);
    if (!v || jv_is_null(v)) return DC_OK;
    if (!jv_is_string(v)) return DC_CORRUPT;
    return dc_str_set(field, v->str);
}

static dc_rc get_strv(const dc_jv *o, const char *k, dc_strv *sv)
{
    const dc_jv *a = dc_jget(o, k), *e;
    if (!a || jv_is_null(a)) return DC_OK;
    if (!jv_is_array(a)) return DC_CORRUPT;
    JV_EACH(e, a)
    {
        if (!jv_is_string(e)) return DC_CORRUPT;
        if (dc_strv_push(sv, e->str)) return DC_NOMEM;
    }
    return DC_OK;
}

static const dc_jv *get_arr(const dc_jv *o, const char *k, dc_rc *rc)
{
    const dc_jv *a = dc_jget(o, k);
    if (a && !jv_is_array(a) && !jv_is_null(a)) *rc = DC_CORRUPT;
    return jv_is_array(a) ? a : NULL;
}

/* A byte offset member: a number from 0 to 2^40, else DC_CORRUPT. */
static dc_rc get_offset(const dc_jv *o, const char *k, size_t *out)
{
    const dc_jv *v = dc_jget(o, k);
    if (!jv_is_number(v) || v->num < 0 || v->num > 1099511627776.0)
        return DC_CORRUPT;
    *out = (size_t)v->num;
    return DC_OK;
}

/* The spans of member key of o (none when absent), DC_CORRUPT when
 * malformed. */
static dc_rc parse_spans(const dc_jv *o, const char *key, dc_span **v, size_t *n, size_t *cap)
{
    dc_rc rc = DC_OK;
    const dc_jv *spans = get_arr(o, key, &rc), *sp;
    JV_EACH(sp, spans)
    {
        if (rc) break;
        size_t start = 0, end = 0;
        const dc_jv *kind = dc_jget(sp, "kind");
        const dc_jv *val = dc_jget(sp, "value");
        if (get_offset(sp, "start", &start) || get_offset(sp, "end", &end) || end < start ||
            !jv_is_string(kind) || (val && !jv_is_string(val)))
            return DC_CORRUPT;
        rc = dc_spans_add(v, n, cap, start, end, kind->str, val ? val->str : NULL);
    }
    return rc;
}

static dc_rc parse_portion(const dc_jv *o, dc_doc *d)
{
    if (!jv_is_object(o)) return DC_CORRUPT;
    dc_portion *p = dc_doc_add_portion(d, NULL);
    if (!p) return DC_NOMEM;
    dc_rc rc = DC_OK;
    if (!rc) rc = get_str(o, "id", &p->id);
    if (!rc) rc = get_str(o, "kind", &p->kind);
    if (!rc) rc = get_str(o, "label", &p->label);
    if (!rc) rc = get_str(o, "page", &p->page);
    if (!rc) rc = get_str(o, "classification", &p->classification);
    if (!rc) rc = get_strv(o, "compartments", &p->compartments);
    if (!rc) rc = get_str(o, "text", &p->text);
    if (!rc) rc = get_str(o, "withheld_reason", &p->withheld_reason);
    if (!rc) rc = get_str(o, "group", &p->group);
    p->withheld = jv_is_true(dc_jget(o, "withheld"));
    const dc_jv *marks = get_arr(o, "marks", &rc), *m;
    JV_EACH(m, marks)
    {
        if (rc) break;
        size_t at;
        const dc_jv *kind = dc_jget(m, "kind");
        const dc_jv *val = dc_jget(m, "value");
        if (get_offset(m, "at", &at) || !jv_is_string(kind) ||
            !jv_is_string(val))
            return DC_CORRUPT;
        dc_mark_kind k = strcmp(kind->str, "page") == 0 ? DC_MARK_PAGE : DC_MARK_NOTE;
        rc = dc_portion_add_mark(p, k, at, val->str);
    }
    if (!rc) rc = parse_spans(o, "spans", &p->spans, &p->n_spans, &p->cap_spans);
    if (!rc && (!p->id || !p->kind)) rc = DC_CORRUPT;
    return rc;
}

static dc_rc parse_withholding(const dc_jv *o, dc_doc *d)
{
    if (!jv_is_object(o)) return DC_CORRUPT;
    dc_withholding *w = dc_doc_add_withholding(d);
    if (!w) return DC_NOMEM;
    w->whole = jv_is_true(dc_jget(o, "whole"));
    dc_rc rc = DC_OK;
    if (!w->whole && !(rc = get_offset(o, "start", &w->start))) rc = get_offset(o, "end", &w->end);
    if (!rc && w->start > w->end) rc = DC_CORRUPT;
    struct {
        const char *k;
        char **f;
    } strs[] = {{"id", &w->id},
                {"target", &w->target},
                {"text", &w->text},
                {"kind", &w->kind},
                {"code", &w->code},
                {"agency", &w->agency},
                {"until", &w->until},
                {"event", &w->event},
                {"reviewer", &w->reviewer},
                {"at", &w->at},
                {"status", &w->status},
                {"lifted_by", &w->lifted_by},
                {"lifted_at", &w->lifted_at},
                {"note", &w->note}};
    for (size_t i = 0; !rc && i < sizeof strs / sizeof strs[0]; i++)
        rc = get_str(o, strs[i].k, strs[i].f);
    if (!rc && (!w->id || !w->target)) rc = DC_CORRUPT;
    return rc;
}

/* An integer member or array element in [lo, hi]. */
static int int_in(const dc_jv *v, double lo, double hi, int *out)
{
    if (!jv_is_number(v) || v->num < lo || v->num > hi) return 0;
    *out = (int)v->num;
    return 1;
}

static dc_rc parse_box(const dc_jv *a, int at, dc_box *b)
{
    int *f[] = {&b->x, &b->y, &b->w, &b->h};
    for (int i = 0; i < 4; i++)
        if (!int_in(dc_jat(a, at + i), -1e6, 1e6, f[i])) return DC_CORRUPT;
    return DC_OK;
}

static dc_rc parse_page(const dc_jv *o, dc_doc *d)
{
    if (!jv_is_object(o)) return DC_CORRUPT;
    dc_page *p = dc_doc_add_page(d);
    if (!p) return DC_NOMEM;
    if (!int_in(dc_jget(o, "page"), 1, 1e6, &p->number) ||
        !int_in(dc_jget(o, "width"), 1, 1e6, &p->width) ||
        !int_in(dc_jget(o, "height"), 1, 1e6, &p->height) ||
        !int_in(dc_jget(o, "dpi"), 1, 1e5, &p->dpi) ||
        !int_in(dc_jget(o, "confidence"), 0, 100, &p->conf))
        return DC_CORRUPT;
    p->low = jv_is_true(dc_jget(o, "low_confidence"));
    p->redacted = jv_is_true(dc_jget(o, "redacted"));
    dc_rc rc = get_str(o, "source", &p->source);
    if (!rc) rc = get_str(o, "image", &p->image);
    const dc_jv *e, *arr = get_arr(o, "words", &rc);
    JV_EACH(e, arr)
    {
        if (rc) break;
        int n = jv_size(e);
        if (!jv_is_array(e) || (n != 6 && n != 9)) return DC_CORRUPT;
        dc_word *w = dc_page_add_word(p);
        if (!w) return DC_NOMEM;
        const dc_jv *t = dc_jat(e, 5);
        if (parse_box(e, 0, &w->box) || !int_in(dc_jat(e, 4), 0, 100, &w->conf) ||
            !jv_is_string(t))
            return DC_CORRUPT;
        if (!(w->text = dc_strdup(t->str))) return DC_NOMEM;
        if (n == 9) {
            const dc_jv *g = dc_jat(e, 6);
            int s0 = 0, s1 = 0;
            if (!jv_is_string(g) || !int_in(dc_jat(e, 7), 0, 1e9, &s0) ||
                !int_in(dc_jat(e, 8), s0, 1e9, &s1))
                return DC_CORRUPT;
            if (!(w->target = dc_strdup(g->str))) return DC_NOMEM;
            w->start = (size_t)s0, w->end = (size_t)s1;
        }
    }
    arr = get_arr(o, "boxes", &rc);
    JV_EACH(e, arr)
    {
        if (rc) break;
        dc_box b;
        if (!jv_is_array(e) || jv_size(e) != 4 || parse_box(e, 0, &b))
            return DC_CORRUPT;
        rc = dc_page_add_box(p, b);
    }
    arr = get_arr(o, "regions", &rc);
    JV_EACH(e, arr)
    {
        if (rc) break;
        dc_box b;
        const dc_jv *id = dc_jat(e, 0);
        if (!jv_is_array(e) || jv_size(e) != 5 || !jv_is_string(id) ||
            parse_box(e, 1, &b))
            return DC_CORRUPT;
        rc = dc_page_add_region(p, id->str, b);
    }
    return rc;
}

static dc_rc parse_doc(const dc_jv *root, dc_doc *d)
{
    struct {
        const char *k;
        char **f;
    } strs[] = {{"id", &d->id},
                {"collection", &d->collection},
                {"local_id", &d->local_id},
                {"number", &d->number},
                {"title", &d->title},
                {"title_note", &d->title_note},
                {"doc_type", &d->doc_type},
                {"date", &d->date},
                {"date_source", &d->date_source},
                {"classification", &d->classification},
                {"source_note", &d->source_note},
                {"source_note_n", &d->source_note_n},
                {"source_note_label", &d->source_note_label},
                {"format", &d->format},
                {"volume_title", &d->volume_title}};
    dc_rc rc = DC_OK;
    for (size_t i = 0; !rc && i < sizeof strs / sizeof strs[0]; i++)
        rc = get_str(root, strs[i].k, strs[i].f);
    if (!rc) rc = get_strv(root, "file_numbers", &d->file_numbers);
    if (!rc) rc = get_strv(root, "pages", &d->pages);
    if (!rc) rc = get_strv(root, "persons", &d->persons);
    if (!rc)
        rc = parse_spans(root, "source_spans", &d->source_spans, &d->n_source_spans,
                         &d->cap_source_spans);
    if (!rc)
        rc = parse_spans(root, "title_spans", &d->title_spans, &d->n_title_spans,
                         &d->cap_title_spans);
    const dc_jv *e, *arr = get_arr(root, "portions", &rc);
    JV_EACH(e, arr)
    {
        if (rc) break;
        rc = parse_portion(e, d);
    }
    arr = get_arr(root, "footnotes", &rc);
    JV_EACH(e, arr)
    {
        if (rc) break;
        dc_footnote *f = dc_doc_add_footnote(d);
        if (!f) return DC_NOMEM;
        if (!rc) rc = get_str(e, "n", &f->n);
        if (!rc) rc = get_str(e, "label", &f->label);
        if (!rc) rc = get_str(e, "anchor", &f->anchor);
        if (!rc) rc = get_str(e, "text", &f->text);
        if (!rc) rc = parse_spans(e, "spans", &f->spans, &f->n_spans, &f->cap_spans);
    }
    arr = get_arr(root, "gaps", &rc);
    JV_EACH(e, arr)
    {
        if (rc) break;
        dc_gap *g = dc_doc_add_gap(d);
        if (!g) return DC_NOMEM;
        if (!rc) rc = get_str(e, "extent", &g->extent);
        if (!rc) rc = get_str(e, "page", &g->page);
        if (!rc) rc = get_str(e, "anchor", &g->anchor);
    }
    arr = get_arr(root, "references", &rc);
    JV_EACH(e, arr)
    {
        if (rc) break;
        const dc_jv *k = dc_jget(e, "kind");
        const dc_jv *t = dc_jget(e, "target");
        const dc_jv *r = dc_jget(e, "relation");
        const dc_jv *dt = dc_jget(e, "detail");
        if (!jv_is_string(k) || !jv_is_string(t)) return DC_CORRUPT;
        rc = dc_doc_add_ref(d, k->str, t->str,
                            jv_is_string(r) ? r->str : NULL,
                            jv_is_string(dt) ? dt->str : NULL);
    }
    arr = get_arr(root, "withholdings", &rc);
    JV_EACH(e, arr)
    {
        if (rc) break;
        rc = parse_withholding(e, d);
    }
    arr = get_arr(root, "scan", &rc);
    JV_EACH(e, arr)
    {
        if (rc) break;
        rc = parse_page(e, d);
    }
    const dc_jv *rel = dc_jget(root, "release");
    if (!rc && jv_is_object(rel)) {
        rc = get_str(rel, "status", &d->release_status);
        if (!rc) rc = get_str(rel, "date", &d->release_date);
    }
    return rc;
}

/* json parsed into j, its root an object; DC_CORRUPT otherwise. */
static dc_rc parse_root(const char *json, size_t len, dc_jdoc *j)
{
    dc_rc rc = dc_jparse(json, len, j);
    if (!rc && !jv_is_object(j->root)) {
        dc_jdoc_free(j);
        rc = DC_CORRUPT;
    }
    return rc;
}

dc_rc dc_doc_from_json(const char *json, size_t len, dc_doc **out)
{
    *out = NULL;
    dc_jdoc j;
    dc_rc rc = parse_root(json, len, &j);
    if (rc) return rc;
    dc_doc *d = dc_doc_new();
    rc = d ? parse_doc(j.root, d) : DC_NOMEM;
    dc_jdoc_free(&j);
    if (rc) {
        dc_doc_free(d);
        return rc;
    }
    *out = d;
    return DC_OK;
}

/* ---- volumes ------------------------------------------------------------ */

static void write_volume(dc_json *j, const dc_volume *v)
{
    dc_json_obj(j);
    dc_json_kstr(j, "id", v->id);
    dc_json_kstr(j, "title", v->title);
    dc_json_kstr(j, "series", v->series);
    dc_json_kstr(j, "subseries", v->subseries);
    dc_json_kstr(j, "volume_title", v->volume_title);
    dc_json_kstr(j, "volume_number", v->volume_number);
    dc_json_key(j, "editors");
    dc_json_arr(j);
    for (size_t i = 0; i < v->editors.n; i++) {
        dc_json_obj(j);
        dc_json_kstr(j, "name", v->editors.v[i]);
        dc_json_kstr(j, "role",
                     i < v->editor_roles.n && *v->editor_roles.v[i] ? v->editor_roles.v[i] : NULL);
        dc_json_end(j);
    }
    dc_json_end(j);
    dc_json_kstr(j, "publisher", v->publisher);
    dc_json_kstr(j, "pub_place", v->pub_place);
    dc_json_kstr(j, "pub_date", v->pub_date);
    dc_json_kint(j, "documents", v->n_documents);
    dc_json_key(j, "contents");
    dc_json_arr(j);
    for (size_t i = 0; i < v->n_entries && !j->b->rc; i++) {
        const dc_volume_entry *e = &v->entries[i];
        dc_json_obj(j);
        dc_json_kstr(j, "kind", e->kind);
        dc_json_kstr(j, "part", e->part);
        dc_json_kint(j, "level", e->level);
        dc_json_kstr(j, "xml_id", e->xml_id);
        dc_json_kstr(j, "type", e->type);
        dc_json_kstr(j, "head", e->head);
        dc_json_kstr(j, "id", e->id);
        dc_json_kstr(j, "number", e->number);
        dc_json_kstr(j, "title", e->title);
        dc_json_kstr(j, "date", e->date);
        dc_json_end(j);
    }
    dc_json_end(j);
    dc_json_end(j);
}

dc_rc dc_volume_to_json(const dc_volume *v, int pretty, char **out)
{
    *out = NULL;
    if (!v) return DC_MISUSE;
    dc_buf b;
    dc_buf_init(&b, DC_JSON_LIMIT);
    dc_json j;
    dc_json_init(&j, &b, pretty);
    write_volume(&j, v);
    dc_rc rc = b.rc;
    char *s = dc_buf_detach(&b);
    dc_buf_release(&b);
    if (!s) return rc ? rc : DC_NOMEM;
    *out = s;
    return DC_OK;
}

static dc_rc parse_volume(const dc_jv *root, dc_volume *v)
{
    struct {
        const char *k;
        char **f;
    } strs[] = {{"id", &v->id},
                {"title", &v->title},
                {"series", &v->series},
                {"subseries", &v->subseries},
                {"volume_title", &v->volume_title},
                {"volume_number", &v->volume_number},
                {"publisher", &v->publisher},
                {"pub_place", &v->pub_place},
                {"pub_date", &v->pub_date}};
    dc_rc rc = DC_OK;
    for (size_t i = 0; !rc && i < sizeof strs / sizeof strs[0]; i++)
        rc = get_str(root, strs[i].k, strs[i].f);
    const dc_jv *a = get_arr(root, "editors", &rc), *e;
    JV_EACH(e, a)
    {
        if (rc) break;
        const dc_jv *name = dc_jget(e, "name");
        const dc_jv *role = dc_jget(e, "role");
        if (!jv_is_string(name)) return DC_CORRUPT;
        rc = dc_strv_push(&v->editors, name->str);
        if (!rc) rc = dc_strv_push(&v->editor_roles, jv_is_string(role) ? role->str : "");
    }
    const dc_jv *docs = dc_jget(root, "documents");
    if (jv_is_number(docs) && docs->num >= 0 && docs->num <= 1e15)
        v->n_documents = (long)docs->num;
    a = get_arr(root, "contents", &rc);
    JV_EACH(e, a)
    {
        if (rc) break;
        if (!jv_is_object(e)) return DC_CORRUPT;
        dc_volume_entry *x = dc_volume_add_entry(v);
        if (!x) return DC_NOMEM;
        struct {
            const char *k;
            char **f;
        } es[] = {{"kind", &x->kind},     {"part", &x->part},   {"xml_id", &x->xml_id},
                  {"type", &x->type},     {"head", &x->head},   {"id", &x->id},
                  {"number", &x->number}, {"title", &x->title}, {"date", &x->date}};
        for (size_t i = 0; !rc && i < sizeof es / sizeof es[0]; i++)
            rc = get_str(e, es[i].k, es[i].f);
        const dc_jv *level = dc_jget(e, "level");
        if (jv_is_number(level) && level->num >= 0 && level->num < 1000)
            x->level = (int)level->num;
        if (!rc && (!x->kind || !x->xml_id)) rc = DC_CORRUPT;
    }
    if (!rc && !v->id) rc = DC_CORRUPT;
    return rc;
}

dc_rc dc_volume_from_json(const char *json, size_t len, dc_volume **out)
{
    *out = NULL;
    dc_jdoc j;
    dc_rc rc = parse_root(json, len, &j);
    if (rc) return rc;
    dc_volume *v = dc_volume_new();
    rc = v ? parse_volume(j.root, v) : DC_NOMEM;
    dc_jdoc_free(&j);
    if (rc) {
        dc_volume_free(v);
        return rc;
    }
    *out = v;
    return DC_OK;
}
