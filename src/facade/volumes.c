/*
 * The facade: volumes.  A published volume as a reader sees it — the
 * header its TEI gave (title, editors, publisher, date: metadata, not
 * document text) and its table of contents made from the reader's
 * listing: only the documents the reader may open, each with the number,
 * title and date of the reader's view, and only the divisions that hold
 * at least one of them.  A collection without a stored volume (a folder
 * of files) is listed the same way, its documents in listing order.
 */
#include "facade/facade_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"
#include "store/store.h"
#include "util/util_int.h"
#include "util/banned.h"

/* One readable document of the collection, from the reader's listing. */
typedef struct vdoc {
    char *id, *local, *number, *title, *date;
    int used; /* placed by the stored contents */
} vdoc;

typedef struct vdocs {
    vdoc *v;
    size_t n, cap;
    dc_rc rc;
} vdocs;

static void vdocs_release(vdocs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].id);
        free(d->v[i].number);
        free(d->v[i].title);
        free(d->v[i].date);
    }
    free(d->v);
}

static dc_rc vdoc_add(void *ctx, const dc_doc_summary *s)
{
    vdocs *d = ctx;
    if (DC_GROW(d->v, d->n + 1, d->cap)) return DC_NOMEM;
    vdoc *x = &d->v[d->n];
    memset(x, 0, sizeof *x);
    d->n++;
    if (dc_str_set(&x->id, s->id) || dc_str_set(&x->number, s->number) ||
        dc_str_set(&x->title, s->title) || dc_str_set(&x->date, s->date))
        return DC_NOMEM;
    const char *slash = strchr(x->id, '/');
    x->local = slash ? (char *)slash + 1 : x->id;
    return DC_OK;
}

static vdoc *vdoc_find(vdocs *d, const char *local)
{
    for (size_t i = 0; i < d->n; i++)
        if (!d->v[i].used && strcmp(d->v[i].local, local) == 0) return &d->v[i];
    return NULL;
}

/* Appends a copy of entry e (a division), or a document entry for x. */
static dc_rc put_entry(dc_volume *out, const dc_volume_entry *e, const vdoc *x, int level)
{
    dc_volume_entry *o = dc_volume_add_entry(out);
    if (!o) return DC_NOMEM;
    o->level = level;
    int bad = 0;
    bad |= dc_str_set(&o->kind, x ? "document" : "division") != DC_OK;
    bad |= dc_str_set(&o->part, e && e->part ? e->part : "body") != DC_OK;
    bad |= dc_str_set(&o->xml_id, x ? x->local : e->xml_id) != DC_OK;
    bad |= dc_str_set(&o->type, e && e->type ? e->type : "document") != DC_OK;
    if (e && !x) bad |= dc_str_set(&o->head, e->head) != DC_OK;
    if (x) {
        bad |= dc_str_set(&o->id, x->id) != DC_OK;
        bad |= dc_str_set(&o->number, x->number) != DC_OK;
        bad |= dc_str_set(&o->title, x->title) != DC_OK;
        bad |= dc_str_set(&o->date, x->date) != DC_OK;
        if (!strcmp(o->part, "body")) out->n_documents++;
    }
    return bad ? DC_NOMEM : DC_OK;
}

/* The reader's contents: the stored entries whose documents the reader
 * may open (and the divisions above them), then the readable documents
 * the stored contents do not name. */
static dc_rc make_contents(const dc_volume *st, vdocs *docs, dc_volume *out)
{
    size_t n = st ? st->n_entries : 0;
    vdoc **hit = n ? calloc(n, sizeof *hit) : NULL;
    char *keep = n ? calloc(n, 1) : NULL;
    size_t *open = n ? calloc(n, sizeof *open) : NULL;
    dc_rc rc = n && (!hit || !keep || !open) ? DC_NOMEM : DC_OK;
    size_t depth = 0;
    /* each readable document keeps the divisions enclosing it */
    for (size_t i = 0; !rc && i < n; i++) {
        const dc_volume_entry *e = &st->entries[i];
        while (depth > 0 && st->entries[open[depth - 1]].level >= e->level) depth--;
        if (strcmp(e->kind, "division") == 0) {
            open[depth++] = i;
        } else if ((hit[i] = vdoc_find(docs, e->xml_id)) != NULL) {
            hit[i]->used = 1;
            keep[i] = 1;
            for (size_t k = depth; k > 0 && !keep[open[k - 1]]; k--) keep[open[k - 1]] = 1;
        }
    }
    /* levels are those of the kept divisions only */
    depth = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if (!keep[i]) continue;
        const dc_volume_entry *e = &st->entries[i];
        while (depth > 0 && st->entries[open[depth - 1]].level >= e->level) depth--;
        rc = put_entry(out, e, hit[i], (int)depth);
        if (strcmp(e->kind, "division") == 0) open[depth++] = i;
    }
    for (size_t i = 0; !rc && i < docs->n; i++)
        if (!docs->v[i].used) rc = put_entry(out, NULL, &docs->v[i], 0);
    free(hit);
    free(keep);
    free(open);
    return rc;
}

/* Copies the stored header of st into out. */
static dc_rc copy_header(const dc_volume *st, dc_volume *out)
{
    char **to[] = {&out->title,         &out->series,    &out->subseries, &out->volume_title,
                   &out->volume_number, &out->publisher, &out->pub_place, &out->pub_date};
    const char *from[] = {st->title,         st->series,    st->subseries, st->volume_title,
                          st->volume_number, st->publisher, st->pub_place, st->pub_date};
    for (size_t i = 0; i < sizeof to / sizeof to[0]; i++)
        if (dc_str_set(to[i], from[i])) return DC_NOMEM;
    for (size_t i = 0; i < st->editors.n; i++)
        if (dc_strv_push(&out->editors, st->editors.v[i]) ||
            dc_strv_push(&out->editor_roles, i < st->editor_roles.n ? st->editor_roles.v[i] : ""))
            return DC_NOMEM;
    return DC_OK;
}

dc_rc dc_db_volume_stored(dc_db *db, const char *collection, dc_volume **out)
{
    *out = NULL;
    if (!collection) return DC_OK;
    dc_rc rc = dc_store_volume_get(db->st, collection, out);
    if (rc == DC_NOTFOUND) return DC_OK;
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return DC_OK;
}

/* The reader's volume, not audited. */
static dc_rc reader_volume(dc_db *db, const char *id, dc_volume **out)
{
    vdocs docs = {0};
    dc_volume *st = NULL, *v = NULL;
    long n = 0;
    dc_rc rc = dc_db_list_in(db, id, vdoc_add, &docs, &n);
    if (!rc && docs.n == 0) rc = dc_db_fail(db, DC_NOTFOUND, "no volume '%s'", id);
    if (!rc) rc = dc_db_volume_stored(db, id, &st);
    if (!rc && !(v = dc_volume_new())) rc = DC_NOMEM;
    if (!rc && dc_str_set(&v->id, id)) rc = DC_NOMEM;
    if (!rc && st) rc = copy_header(st, v);
    if (!rc) rc = make_contents(st, &docs, v);
    if (rc == DC_NOMEM) dc_db_fail(db, rc, "out of memory");
    vdocs_release(&docs);
    dc_volume_free(st);
    if (rc) {
        dc_volume_free(v);
        return rc;
    }
    *out = v;
    return DC_OK;
}

dc_rc dc_db_volume(dc_db *db, const char *id, dc_volume **out)
{
    *out = NULL;
    if (!id || !*id) return dc_db_fail(db, DC_MISUSE, "no volume id");
    if (!dc_collection_name_ok(id)) return dc_db_fail(db, DC_NOTFOUND, "no volume '%s'", id);
    dc_rc rc = reader_volume(db, id, out);
    char detail[48];
    snprintf(detail, sizeof detail, "%ld documents", *out ? (*out)->n_documents : 0L);
    if (rc == DC_NOTFOUND || rc == DC_OK) {
        dc_rc a = dc_db_audit_add(db, rc ? "read-missing" : "volume", id, rc ? "volume" : detail);
        if (a && !rc) {
            dc_volume_free(*out);
            *out = NULL;
            rc = a;
        }
    }
    return rc;
}
