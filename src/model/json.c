/*
 * The document model as JSON (DESIGN.md, "The document model"): the form
 * `declass show --json` prints and the store keeps.
 *
 * The compact form, which the store hashes and keeps, is written straight
 * into a dc_buf by dc_doc_json_write(), byte for byte what cJSON 1.7's
 * cJSON_PrintUnformatted() prints for the tree that the indented form is
 * printed from (tests/unit/test_model.c checks the two against each
 * other).  The indented form and parsing use cJSON; its allocation
 * failures become DC_NOMEM.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "declass/model.h"
#include "model/model_int.h"
#include "util/banned.h"

/* ---- the compact writer ------------------------------------------------ */

/* Bytes cJSON escapes in a string, in rows of 32: every control byte
 * (0x00-0x1f), '"' (0x22) and '\\' (0x5c). */
static const unsigned char json_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/* lit must be a string literal ("" lit refuses anything else). */
#define PUT_LIT(b, lit) dc_buf_add((b), "" lit, sizeof(lit) - 1)

/* The length of the prefix of s[0..n) that needs no escape.  Eight bytes
 * at a time while none of them is below 0x20, '"' or '\\' (each test
 * flags the high bit of a byte that matches, exactly for "any byte"). */
static size_t plain_bytes(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, q, bs;
        memcpy(&x, s + i, 8);
        q = x ^ (ones * '"');
        bs = x ^ (ones * '\\');
        uint64_t hit = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs);
        if (hit & highs) break;
    }
    while (i < n && !json_escape[(unsigned char)s[i]]) i++;
    return i;
}

/*
 * Appends s as a JSON string the way cJSON prints one: '"', '\\', \b, \f,
 * \n, \r and \t as two-byte escapes, any other byte below 0x20 as \u00xx
 * (lower-case hex), every other byte (UTF-8 sequences, U+2028, DEL) as it
 * is.  NULL is printed as null, as cJSON prints a null item.
 */
void dc_json_put_str(dc_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        PUT_LIT(b, "null");
        return;
    }
    const char *end = s + strlen(s);
    dc_buf_putc(b, '"');
    for (;;) {
        size_t run = plain_bytes(s, (size_t)(end - s));
        if (run) dc_buf_add(b, s, run);
        s += run;
        if (s == end) break;
        unsigned char c = (unsigned char)*s;
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
            break;
        }
        dc_buf_add(b, esc, n);
        s++;
    }
    dc_buf_putc(b, '"');
}

/* ,"key": before a member that is not the first (key is a literal). */
#define PUT_KEY(b, key) PUT_LIT((b), ",\"" key "\":")

/* A non-negative integer as cJSON prints a number: below 10^15 that is its
 * decimal digits (from "%d" or "%1.15g" alike); beyond, which no text
 * offset reaches, cJSON itself prints it. */
static void put_size(dc_buf *b, size_t v)
{
    char digits[24];
    size_t n = 0;
    if (v >= (size_t)1000000000000000ULL) {
        cJSON *num = cJSON_CreateNumber((double)v);
        char *s = num ? cJSON_PrintUnformatted(num) : NULL;
        if (s)
            dc_buf_puts(b, s);
        else if (!b->rc)
            b->rc = DC_NOMEM;
        cJSON_free(s);
        cJSON_Delete(num);
        return;
    }
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    dc_buf_add(b, digits + sizeof digits - n, n);
}

/* [s,...] */
static void put_strv(dc_buf *b, const dc_strv *sv)
{
    dc_buf_putc(b, '[');
    for (size_t i = 0; i < sv->n; i++) {
        if (i) dc_buf_putc(b, ',');
        dc_json_put_str(b, sv->v[i]);
    }
    dc_buf_putc(b, ']');
}

static void put_portion(dc_buf *b, const dc_portion *p)
{
    PUT_LIT(b, "{\"id\":");
    dc_json_put_str(b, p->id);
    PUT_KEY(b, "kind");
    dc_json_put_str(b, p->kind);
    PUT_KEY(b, "label");
    dc_json_put_str(b, p->label);
    PUT_KEY(b, "page");
    dc_json_put_str(b, p->page);
    PUT_KEY(b, "classification");
    dc_json_put_str(b, p->classification);
    PUT_KEY(b, "compartments");
    put_strv(b, &p->compartments);
    PUT_KEY(b, "text");
    dc_json_put_str(b, p->text);
    if (p->withheld)
        PUT_LIT(b, ",\"withheld\":true");
    else
        PUT_LIT(b, ",\"withheld\":false");
    if (p->withheld_reason) {
        PUT_KEY(b, "withheld_reason");
        dc_json_put_str(b, p->withheld_reason);
    }
    if (p->n_marks) {
        PUT_LIT(b, ",\"marks\":[");
        for (size_t j = 0; j < p->n_marks; j++) {
            if (j) dc_buf_putc(b, ',');
            PUT_LIT(b, "{\"at\":");
            put_size(b, p->marks[j].at);
            if (p->marks[j].kind == DC_MARK_PAGE)
                PUT_LIT(b, ",\"kind\":\"page\",\"value\":");
            else
                PUT_LIT(b, ",\"kind\":\"note\",\"value\":");
            dc_json_put_str(b, p->marks[j].value);
            dc_buf_putc(b, '}');
        }
        dc_buf_putc(b, ']');
    }
    dc_buf_putc(b, '}');
}

/*
 * See model_int.h.  The members and their order are those of the cJSON
 * tree of build_tree() below; optional members (withheld_reason, marks,
 * relation, detail, volume_title) are left out exactly when it leaves
 * them out.
 */
void dc_doc_json_write(const dc_doc *d, dc_buf *b)
{
    PUT_LIT(b, "{\"id\":");
    dc_json_put_str(b, d->id);
    PUT_KEY(b, "collection");
    dc_json_put_str(b, d->collection);
    PUT_KEY(b, "local_id");
    dc_json_put_str(b, d->local_id);
    PUT_KEY(b, "number");
    dc_json_put_str(b, d->number);
    PUT_KEY(b, "title");
    dc_json_put_str(b, d->title);
    PUT_KEY(b, "title_note");
    dc_json_put_str(b, d->title_note);
    PUT_KEY(b, "doc_type");
    dc_json_put_str(b, d->doc_type);
    PUT_KEY(b, "date");
    dc_json_put_str(b, d->date);
    PUT_KEY(b, "date_source");
    dc_json_put_str(b, d->date_source);
    PUT_KEY(b, "classification");
    dc_json_put_str(b, d->classification);
    PUT_KEY(b, "source_note");
    dc_json_put_str(b, d->source_note);
    PUT_KEY(b, "source_note_n");
    dc_json_put_str(b, d->source_note_n);
    PUT_KEY(b, "source_note_label");
    dc_json_put_str(b, d->source_note_label);
    PUT_KEY(b, "file_numbers");
    put_strv(b, &d->file_numbers);
    PUT_KEY(b, "pages");
    put_strv(b, &d->pages);
    PUT_LIT(b, ",\"portions\":[");
    for (size_t i = 0; i < d->n_portions && !b->rc; i++) {
        if (i) dc_buf_putc(b, ',');
        put_portion(b, &d->portions[i]);
    }
    PUT_LIT(b, "],\"footnotes\":[");
    for (size_t i = 0; i < d->n_footnotes && !b->rc; i++) {
        const dc_footnote *f = &d->footnotes[i];
        if (i) dc_buf_putc(b, ',');
        PUT_LIT(b, "{\"n\":");
        dc_json_put_str(b, f->n);
        PUT_KEY(b, "label");
        dc_json_put_str(b, f->label);
        PUT_KEY(b, "anchor");
        dc_json_put_str(b, f->anchor);
        PUT_KEY(b, "text");
        dc_json_put_str(b, f->text);
        dc_buf_putc(b, '}');
    }
    PUT_LIT(b, "],\"gaps\":[");
    for (size_t i = 0; i < d->n_gaps && !b->rc; i++) {
        const dc_gap *g = &d->gaps[i];
        if (i) dc_buf_putc(b, ',');
        PUT_LIT(b, "{\"extent\":");
        dc_json_put_str(b, g->extent);
        PUT_KEY(b, "page");
        dc_json_put_str(b, g->page);
        PUT_KEY(b, "anchor");
        dc_json_put_str(b, g->anchor);
        dc_buf_putc(b, '}');
    }
    PUT_LIT(b, "],\"references\":[");
    for (size_t i = 0; i < d->n_refs && !b->rc; i++) {
        const dc_ref *r = &d->refs[i];
        if (i) dc_buf_putc(b, ',');
        PUT_LIT(b, "{\"kind\":");
        dc_json_put_str(b, r->kind);
        PUT_KEY(b, "target");
        dc_json_put_str(b, r->target);
        if (r->relation) {
            PUT_KEY(b, "relation");
            dc_json_put_str(b, r->relation);
        }
        if (r->detail) {
            PUT_KEY(b, "detail");
            dc_json_put_str(b, r->detail);
        }
        dc_buf_putc(b, '}');
    }
    PUT_LIT(b, "],\"persons\":");
    put_strv(b, &d->persons);
    PUT_LIT(b, ",\"release\":{\"status\":");
    dc_json_put_str(b, d->release_status);
    PUT_KEY(b, "date");
    dc_json_put_str(b, d->release_date);
    PUT_LIT(b, "},\"format\":");
    dc_json_put_str(b, d->format);
    if (d->volume_title) {
        PUT_KEY(b, "volume_title");
        dc_json_put_str(b, d->volume_title);
    }
    dc_buf_putc(b, '}');
}

/* ---- the cJSON tree (indented form) ----------------------------------- */

/* Sticky builder: once ok is 0 every add is a no-op. */
typedef struct jb {
    int ok;
} jb;

static void add_str(jb *b, cJSON *o, const char *k, const char *v)
{
    if (!b->ok) return;
    cJSON *item = v ? cJSON_CreateString(v) : cJSON_CreateNull();
    if (!item || !cJSON_AddItemToObject(o, k, item)) {
        cJSON_Delete(item);
        b->ok = 0;
    }
}

static cJSON *add_arr(jb *b, cJSON *o, const char *k)
{
    if (!b->ok) return NULL;
    cJSON *a = cJSON_AddArrayToObject(o, k);
    if (!a) b->ok = 0;
    return a;
}

static cJSON *add_obj_to(jb *b, cJSON *arr)
{
    if (!b->ok) return NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        b->ok = 0;
        return NULL;
    }
    return o;
}

static void add_strv(jb *b, cJSON *o, const char *k, const dc_strv *sv)
{
    cJSON *a = add_arr(b, o, k);
    for (size_t i = 0; b->ok && i < sv->n; i++) {
        cJSON *s = cJSON_CreateString(sv->v[i]);
        if (!s || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            b->ok = 0;
        }
    }
}

static void add_num(jb *b, cJSON *o, const char *k, double v)
{
    if (b->ok && !cJSON_AddNumberToObject(o, k, v)) b->ok = 0;
}

static void add_bool(jb *b, cJSON *o, const char *k, int v)
{
    if (b->ok && !cJSON_AddBoolToObject(o, k, v)) b->ok = 0;
}

static void add_portions(jb *b, cJSON *root, const dc_doc *d)
{
    cJSON *arr = add_arr(b, root, "portions");
    for (size_t i = 0; b->ok && i < d->n_portions; i++) {
        const dc_portion *p = &d->portions[i];
        cJSON *o = add_obj_to(b, arr);
        if (!o) return;
        add_str(b, o, "id", p->id);
        add_str(b, o, "kind", p->kind);
        add_str(b, o, "label", p->label);
        add_str(b, o, "page", p->page);
        add_str(b, o, "classification", p->classification);
        add_strv(b, o, "compartments", &p->compartments);
        add_str(b, o, "text", p->text);
        add_bool(b, o, "withheld", p->withheld);
        if (p->withheld_reason) add_str(b, o, "withheld_reason", p->withheld_reason);
        if (!p->n_marks) continue;
        cJSON *marks = add_arr(b, o, "marks");
        for (size_t j = 0; b->ok && j < p->n_marks; j++) {
            cJSON *m = add_obj_to(b, marks);
            if (!m) return;
            add_num(b, m, "at", (double)p->marks[j].at);
            add_str(b, m, "kind", p->marks[j].kind == DC_MARK_PAGE ? "page" : "note");
            add_str(b, m, "value", p->marks[j].value);
        }
    }
}

static void add_parts(jb *b, cJSON *root, const dc_doc *d)
{
    cJSON *arr = add_arr(b, root, "footnotes");
    for (size_t i = 0; b->ok && i < d->n_footnotes; i++) {
        cJSON *o = add_obj_to(b, arr);
        if (!o) return;
        add_str(b, o, "n", d->footnotes[i].n);
        add_str(b, o, "label", d->footnotes[i].label);
        add_str(b, o, "anchor", d->footnotes[i].anchor);
        add_str(b, o, "text", d->footnotes[i].text);
    }
    arr = add_arr(b, root, "gaps");
    for (size_t i = 0; b->ok && i < d->n_gaps; i++) {
        cJSON *o = add_obj_to(b, arr);
        if (!o) return;
        add_str(b, o, "extent", d->gaps[i].extent);
        add_str(b, o, "page", d->gaps[i].page);
        add_str(b, o, "anchor", d->gaps[i].anchor);
    }
    arr = add_arr(b, root, "references");
    for (size_t i = 0; b->ok && i < d->n_refs; i++) {
        cJSON *o = add_obj_to(b, arr);
        if (!o) return;
        add_str(b, o, "kind", d->refs[i].kind);
        add_str(b, o, "target", d->refs[i].target);
        if (d->refs[i].relation) add_str(b, o, "relation", d->refs[i].relation);
        if (d->refs[i].detail) add_str(b, o, "detail", d->refs[i].detail);
    }
}

/* The cJSON tree of d, or NULL on NOMEM. */
static cJSON *build_tree(const dc_doc *d)
{
    jb b = {1};
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    add_str(&b, root, "id", d->id);
    add_str(&b, root, "collection", d->collection);
    add_str(&b, root, "local_id", d->local_id);
    add_str(&b, root, "number", d->number);
    add_str(&b, root, "title", d->title);
    add_str(&b, root, "title_note", d->title_note);
    add_str(&b, root, "doc_type", d->doc_type);
    add_str(&b, root, "date", d->date);
    add_str(&b, root, "date_source", d->date_source);
    add_str(&b, root, "classification", d->classification);
    add_str(&b, root, "source_note", d->source_note);
    add_str(&b, root, "source_note_n", d->source_note_n);
    add_str(&b, root, "source_note_label", d->source_note_label);
    add_strv(&b, root, "file_numbers", &d->file_numbers);
    add_strv(&b, root, "pages", &d->pages);
    add_portions(&b, root, d);
    add_parts(&b, root, d);
    add_strv(&b, root, "persons", &d->persons);
    if (b.ok) {
        cJSON *rel = cJSON_AddObjectToObject(root, "release");
        if (!rel) b.ok = 0;
        add_str(&b, rel, "status", d->release_status);
        add_str(&b, rel, "date", d->release_date);
    }
    add_str(&b, root, "format", d->format);
    if (d->volume_title) add_str(&b, root, "volume_title", d->volume_title);
    if (!b.ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* The compact form comes from dc_doc_json_write(), the indented one from
 * cJSON.  DC_NOMEM, or DC_LIMIT past DC_JSON_LIMIT bytes. */
dc_rc dc_doc_to_json(const dc_doc *d, int pretty, char **out)
{
    *out = NULL;
    if (!pretty) {
        dc_buf b;
        dc_buf_init(&b, DC_JSON_LIMIT);
        dc_doc_json_write(d, &b);
        dc_rc rc = b.rc;
        char *s = dc_buf_detach(&b);
        dc_buf_release(&b);
        if (!s) return rc ? rc : DC_NOMEM;
        *out = s;
        return DC_OK;
    }
    cJSON *root = build_tree(d);
    char *s = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!s) return DC_NOMEM;
    /* cJSON allocates with malloc (its default hooks), so dc_free releases it. */
    *out = s;
    return DC_OK;
}

/* Copies the string member k of o into *field; absent or null leaves NULL.
 * A member of the wrong type is DC_CORRUPT. */
static dc_rc get_str(const cJSON *o, const char *k, char **field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v || cJSON_IsNull(v)) return DC_OK;
    if (!cJSON_IsString(v)) return DC_CORRUPT;
    return dc_str_set(field, v->valuestring);
}

static dc_rc get_strv(const cJSON *o, const char *k, dc_strv *sv)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k), *e;
    if (!a || cJSON_IsNull(a)) return DC_OK;
    if (!cJSON_IsArray(a)) return DC_CORRUPT;
    cJSON_ArrayForEach(e, a)
    {
        if (!cJSON_IsString(e)) return DC_CORRUPT;
        if (dc_strv_push(sv, e->valuestring)) return DC_NOMEM;
    }
    return DC_OK;
}

static const cJSON *get_arr(const cJSON *o, const char *k, dc_rc *rc)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k);
    if (a && !cJSON_IsArray(a) && !cJSON_IsNull(a)) *rc = DC_CORRUPT;
    return cJSON_IsArray(a) ? a : NULL;
}

static dc_rc parse_portion(const cJSON *o, dc_doc *d)
{
    if (!cJSON_IsObject(o)) return DC_CORRUPT;
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
    p->withheld = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "withheld"));
    const cJSON *marks = get_arr(o, "marks", &rc), *m;
    cJSON_ArrayForEach(m, marks)
    {
        if (rc) break;
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(m, "at");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(m, "kind");
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(m, "value");
        if (!cJSON_IsNumber(at) || at->valuedouble < 0 || !cJSON_IsString(kind) ||
            !cJSON_IsString(val))
            return DC_CORRUPT;
        dc_mark_kind k = strcmp(kind->valuestring, "page") == 0 ? DC_MARK_PAGE : DC_MARK_NOTE;
        rc = dc_portion_add_mark(p, k, (size_t)at->valuedouble, val->valuestring);
    }
    if (!rc && (!p->id || !p->kind)) rc = DC_CORRUPT;
    return rc;
}

static dc_rc parse_doc(const cJSON *root, dc_doc *d)
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
    const cJSON *e, *arr = get_arr(root, "portions", &rc);
    cJSON_ArrayForEach(e, arr)
    {
        if (rc) break;
        rc = parse_portion(e, d);
    }
    arr = get_arr(root, "footnotes", &rc);
    cJSON_ArrayForEach(e, arr)
    {
        if (rc) break;
        dc_footnote *f = dc_doc_add_footnote(d);
        if (!f) return DC_NOMEM;
        if (!rc) rc = get_str(e, "n", &f->n);
        if (!rc) rc = get_str(e, "label", &f->label);
        if (!rc) rc = get_str(e, "anchor", &f->anchor);
        if (!rc) rc = get_str(e, "text", &f->text);
    }
    arr = get_arr(root, "gaps", &rc);
    cJSON_ArrayForEach(e, arr)
    {
        if (rc) break;
        dc_gap *g = dc_doc_add_gap(d);
        if (!g) return DC_NOMEM;
        if (!rc) rc = get_str(e, "extent", &g->extent);
        if (!rc) rc = get_str(e, "page", &g->page);
        if (!rc) rc = get_str(e, "anchor", &g->anchor);
    }
    arr = get_arr(root, "references", &rc);
    cJSON_ArrayForEach(e, arr)
    {
        if (rc) break;
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "kind");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "target");
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "relation");
        const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "detail");
        if (!cJSON_IsString(k) || !cJSON_IsString(t)) return DC_CORRUPT;
        rc = dc_doc_add_ref(d, k->valuestring, t->valuestring,
                            cJSON_IsString(r) ? r->valuestring : NULL,
                            cJSON_IsString(dt) ? dt->valuestring : NULL);
    }
    const cJSON *rel = cJSON_GetObjectItemCaseSensitive(root, "release");
    if (!rc && cJSON_IsObject(rel)) {
        rc = get_str(rel, "status", &d->release_status);
        if (!rc) rc = get_str(rel, "date", &d->release_date);
    }
    return rc;
}

dc_rc dc_doc_from_json(const char *json, size_t len, dc_doc **out)
{
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) return DC_CORRUPT;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return DC_CORRUPT;
    }
    dc_doc *d = dc_doc_new();
    dc_rc rc = d ? parse_doc(root, d) : DC_NOMEM;
    cJSON_Delete(root);
    if (rc) {
        dc_doc_free(d);
        return rc;
    }
    *out = d;
    return DC_OK;
}
