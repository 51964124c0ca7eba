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
#include "render/render.h"
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

static void kept_clear(kept_slot *k)
{
    free(k->key);
    dc_volume_free(k->vol);
    dc_strv_release(&k->rows);
    memset(k, 0, sizeof *k);
}

void dc_db_kept_forget(dc_db *db)
{
    for (size_t i = 0; i < KEPT_SLOTS; i++) {
        kept_clear(&db->kept_vols[i]);
        kept_clear(&db->kept_rvols[i]);
        kept_clear(&db->kept_lists[i]);
    }
}

kept_slot *dc_db_kept_find(dc_db *db, kept_slot *s, const char *key, const uint64_t state[2])
{
    for (size_t i = 0; i < KEPT_SLOTS; i++)
        if (s[i].key && s[i].state[0] == state[0] && s[i].state[1] == state[1] &&
            strcmp(s[i].key, key) == 0) {
            s[i].used = ++db->kept_tick;
            return &s[i];
        }
    return NULL;
}

kept_slot *dc_db_kept_take(dc_db *db, kept_slot *s, const char *key, const uint64_t state[2])
{
    kept_slot *k = NULL;
    for (size_t i = 0; i < KEPT_SLOTS; i++)
        if (!s[i].lent && (!k || !s[i].key || (k->key && s[i].used < k->used))) k = &s[i];
    char *name = k ? dc_strdup(key) : NULL;
    if (!name) return NULL;
    kept_clear(k);
    k->key = name;
    k->state[0] = state[0];
    k->state[1] = state[1];
    k->used = ++db->kept_tick;
    return k;
}

dc_rc dc_db_volume_borrow(dc_db *db, const char *collection, const dc_volume **out)
{
    *out = NULL;
    if (!collection) return DC_OK;
    uint64_t state[2] = {0, 0};
    int snap = dc_db_snapshot_state(db, state);
    kept_slot *k = snap ? dc_db_kept_find(db, db->kept_vols, collection, state) : NULL;
    if (k) {
        if (k->vol) k->lent++; /* none stored: nothing to give back */
        *out = k->vol;
        return DC_OK;
    }
    dc_volume *v = NULL;
    dc_rc rc = dc_db_volume_stored(db, collection, &v);
    if (rc) return rc;
    if (snap && (k = dc_db_kept_take(db, db->kept_vols, collection, state)) != NULL) {
        k->vol = v;
        k->lent = v != NULL;
    }
    *out = v;
    return DC_OK;
}

void dc_db_volume_return(dc_db *db, const dc_volume *v)
{
    if (!db || !v) return;
    kept_slot *sets[] = {db->kept_vols, db->kept_rvols};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < KEPT_SLOTS; i++)
            if (sets[k][i].key && sets[k][i].vol == v) {
                if (sets[k][i].lent) sets[k][i].lent--;
                return;
            }
    dc_volume_free((dc_volume *)v); /* not kept: the borrower's own */
}

/* A copy of volume v (a reader's), or NULL when out of memory. */
static dc_volume *volume_copy(const dc_volume *v)
{
    dc_volume *c = dc_volume_new();
    int bad = !c || dc_str_set(&c->id, v->id) || copy_header(v, c);
    for (size_t i = 0; !bad && i < v->n_entries; i++) {
        const dc_volume_entry *e = &v->entries[i];
        dc_volume_entry *o = dc_volume_add_entry(c);
        if (!o) {
            bad = 1;
            break;
        }
        o->level = e->level;
        char **to[] = {&o->kind, &o->part,   &o->xml_id, &o->type, &o->head,
                       &o->id,   &o->number, &o->title,  &o->date};
        const char *from[] = {e->kind, e->part,   e->xml_id, e->type, e->head,
                              e->id,   e->number, e->title,  e->date};
        for (size_t f = 0; !bad && f < sizeof to / sizeof to[0]; f++)
            bad = dc_str_set(to[f], from[f]) != DC_OK;
    }
    if (bad) {
        dc_volume_free(c);
        return NULL;
    }
    c->n_documents = v->n_documents;
    return c;
}

/* The reader's volume, not audited. */
static dc_rc reader_volume(dc_db *db, const char *id, dc_volume **out)
{
    vdocs docs = {0};
    const dc_volume *st = NULL;
    dc_volume *v = NULL;
    long n = 0;
    dc_rc rc = dc_db_list_in(db, id, vdoc_add, &docs, &n);
    if (!rc && docs.n == 0) rc = dc_db_fail(db, DC_NOTFOUND, "no volume '%s'", id);
    if (!rc) rc = dc_db_volume_borrow(db, id, &st);
    if (!rc && !(v = dc_volume_new())) rc = DC_NOMEM;
    if (!rc && dc_str_set(&v->id, id)) rc = DC_NOMEM;
    if (!rc && st) rc = copy_header(st, v);
    if (!rc) rc = make_contents(st, &docs, v);
    if (rc == DC_NOMEM) dc_db_fail(db, rc, "out of memory");
    vdocs_release(&docs);
    dc_db_volume_return(db, st);
    if (rc) {
        dc_volume_free(v);
        return rc;
    }
    *out = v;
    return DC_OK;
}

/* reader_volume, kept for the reader and the state of the database in a
 * read snapshot: a page of a volume's document does not list the volume
 * again while nothing changed.  *out is the caller's copy, or with lent
 * the kept volume itself (given back with dc_db_volume_return). */
static dc_rc reader_volume_kept(dc_db *db, const char *id, int lent, dc_volume **out)
{
    *out = NULL;
    uint64_t state[2] = {0, 0};
    if (!dc_db_snapshot_state(db, state)) return reader_volume(db, id, out);
    dc_buf key;
    dc_buf_init(&key, 0);
    dc_buf_printf(&key, "%s\x1f", id);
    dc_db_reader_key(db, &key);
    kept_slot *k = key.rc ? NULL : dc_db_kept_find(db, db->kept_rvols, key.p, state);
    dc_rc rc = DC_OK;
    if (!k) {
        rc = reader_volume(db, id, out);
        if (!rc && !key.rc && (k = dc_db_kept_take(db, db->kept_rvols, key.p, state)) != NULL)
            k->vol = *out, *out = NULL;
    }
    if (!rc && k && lent) {
        k->lent++;
        *out = k->vol;
    } else if (!rc && k && !(*out = volume_copy(k->vol))) {
        rc = dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    dc_buf_release(&key);
    return rc;
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

/*
 * A collection's documents in listing order, with what says who may open
 * each (release status and marking: the listing's test), kept by the
 * handle for one collection and one state of the store (its largest
 * docid, as the links memo): a document page finds its neighbours in it
 * without listing the collection again.  Holds no text of any document.
 */
typedef struct order_entry {
    char *id, *status, *classification;
} order_entry;

typedef struct order_list {
    char *collection;
    uint64_t epoch, used;
    order_entry *v;
    size_t n, cap;
    size_t *by_id; /* positions in v sorted by id: a page finds its document by bsearch */
} order_list;

/* A few collections, least recently used out. */
#define ORDER_SLOTS 4
struct dc_order_memo {
    order_list slot[ORDER_SLOTS];
    uint64_t tick;
};

static void order_clear(order_list *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].id);
        free(m->v[i].status);
        free(m->v[i].classification);
    }
    free(m->v);
    free(m->by_id);
    free(m->collection);
    memset(m, 0, sizeof *m);
}

void dc_db_order_forget(dc_db *db)
{
    if (!db->order) return;
    for (int i = 0; i < ORDER_SLOTS; i++) order_clear(&db->order->slot[i]);
    free(db->order);
    db->order = NULL;
}

static dc_rc order_add(void *ctx, const dc_doc_summary *s)
{
    order_list *m = ctx;
    if (DC_GROW(m->v, m->n + 1, m->cap)) return DC_NOMEM;
    order_entry *e = &m->v[m->n];
    memset(e, 0, sizeof *e);
    m->n++;
    if (dc_str_set(&e->id, s->id) || dc_str_set(&e->status, s->release_status) ||
        dc_str_set(&e->classification, s->classification))
        return DC_NOMEM;
    return DC_OK;
}

/* qsort has no context argument: the list being sorted, one thread's. */
static _Thread_local const order_list *sorting;

static int by_id_cmp(const void *a, const void *b)
{
    return strcmp(sorting->v[*(const size_t *)a].id, sorting->v[*(const size_t *)b].id);
}

/* The position of id in m, or -1. */
static long order_find(const order_list *m, const char *id)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->v[m->by_id[mid]].id, id);
        if (c == 0) return (long)m->by_id[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* Collection's order, current for the store's state. */
static dc_rc order_of(dc_db *db, const char *collection, const order_list **out)
{
    uint64_t epoch = 0;
    if (dc_store_max_docid(db->st, &epoch))
        return dc_db_fail(db, DC_IO, "%s", dc_store_errmsg(db->st));
    if (!db->order && !(db->order = calloc(1, sizeof *db->order)))
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    dc_order_memo *memo = db->order;
    order_list *m = &memo->slot[0];
    for (int i = 0; i < ORDER_SLOTS; i++) {
        order_list *x = &memo->slot[i];
        if (x->collection && !strcmp(x->collection, collection)) {
            m = x;
            break;
        }
        if (x->used < m->used) m = x;
    }
    m->used = ++memo->tick;
    if (m->collection && m->epoch == epoch && !strcmp(m->collection, collection)) {
        *out = m;
        return DC_OK;
    }
    order_clear(m);
    m->used = memo->tick;
    dc_rc rc = dc_str_set(&m->collection, collection)
                   ? DC_NOMEM
                   : dc_store_list_in(db->st, collection, order_add, m);
    if (!rc && !(m->by_id = malloc((m->n ? m->n : 1) * sizeof *m->by_id))) rc = DC_NOMEM;
    if (!rc) {
        for (size_t k = 0; k < m->n; k++) m->by_id[k] = k;
        sorting = m;
        qsort(m->by_id, m->n, sizeof *m->by_id, by_id_cmp);
        sorting = NULL;
    }
    if (rc) {
        order_clear(m);
        return rc == DC_NOMEM ? dc_db_fail(db, rc, "out of memory")
                              : dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    m->epoch = epoch;
    *out = m;
    return DC_OK;
}

/* The entry of the first document the reader may open from position i
 * on in direction dir, made from the reader's view; nothing if none. */
static dc_rc nearest(dc_db *db, const order_list *m, long i, int dir, dc_volume *v)
{
    dc_access_reader r = dc_db_reader(db);
    for (long k = i + dir; k >= 0 && (size_t)k < m->n; k += dir) {
        const order_entry *e = &m->v[k];
        if (!dc_access_doc_readable(&r, e->status, e->classification)) continue;
        const dc_doc *view = NULL;
        int denied = 0;
        dc_rc rc = dc_db_view_pin(db, e->id, &view, &denied);
        if (rc == DC_NOTFOUND || rc == DC_DENIED) continue;
        if (rc) return rc;
        const char *slash = strchr(view->id, '/');
        vdoc x = {.id = view->id,
                  .local = (char *)(slash ? slash + 1 : view->id),
                  .number = view->number,
                  .title = view->title,
                  .date = view->date};
        rc = put_entry(v, NULL, &x, 0);
        dc_db_view_unpin(db, view);
        return rc == DC_NOMEM ? dc_db_fail(db, rc, "out of memory") : rc;
    }
    return DC_OK;
}

/* A collection without a stored volume: the document and the readable
 * documents just before and after it in listing order. */
static dc_rc neighbours(dc_db *db, const dc_doc *doc, dc_volume *v)
{
    const order_list *m = NULL;
    dc_rc rc = order_of(db, doc->collection, &m);
    if (rc) return rc;
    long i = order_find(m, doc->id);
    if (i < 0) return DC_OK;
    const char *slash = strchr(doc->id, '/');
    vdoc me = {.id = doc->id,
               .local = (char *)(slash ? slash + 1 : doc->id),
               .number = doc->number,
               .title = doc->title,
               .date = doc->date};
    rc = nearest(db, m, i, -1, v);
    if (!rc && put_entry(v, NULL, &me, 0)) rc = dc_db_fail(db, DC_NOMEM, "out of memory");
    if (!rc) rc = nearest(db, m, i, 1, v);
    return rc;
}

static dc_rc volume_of(dc_db *db, const dc_doc *doc, int lent, dc_volume **out)
{
    *out = NULL;
    if (!doc || !doc->id) return dc_db_fail(db, DC_MISUSE, "no document");
    if (!doc->collection || !dc_collection_name_ok(doc->collection)) return DC_OK;
    const dc_volume *st = NULL;
    dc_volume *v = NULL;
    dc_rc rc = dc_db_volume_borrow(db, doc->collection, &st);
    if (!rc && st) {
        rc = reader_volume_kept(db, doc->collection, lent, &v);
    } else if (!rc) {
        if (!(v = dc_volume_new()) || dc_str_set(&v->id, doc->collection))
            rc = dc_db_fail(db, DC_NOMEM, "out of memory");
        if (!rc) rc = neighbours(db, doc, v);
    }
    dc_db_volume_return(db, st);
    if (!rc) rc = dc_db_audit_add(db, "volume", doc->collection, doc->id);
    if (rc) {
        if (lent) dc_db_volume_return(db, v);
        else dc_volume_free(v);
        return rc;
    }
    *out = v;
    return DC_OK;
}

dc_rc dc_db_volume_of(dc_db *db, const dc_doc *doc, dc_volume **out)
{
    return volume_of(db, doc, 0, out);
}

dc_rc dc_db_volume_lent(dc_db *db, const dc_doc *doc, const dc_volume **out)
{
    dc_volume *v = NULL;
    dc_rc rc = volume_of(db, doc, 1, &v);
    *out = v;
    return rc;
}

dc_rc dc_volume_cite(const dc_volume *v, const char *format, char **out)
{
    if (!out) return DC_MISUSE;
    *out = NULL;
    dc_buf b;
    dc_buf_init(&b, 0);
    dc_rc rc = dc_render_volume_cite(v, format, &b);
    if (!rc && !(*out = dc_buf_detach(&b))) rc = DC_NOMEM;
    dc_buf_release(&b);
    return rc;
}
