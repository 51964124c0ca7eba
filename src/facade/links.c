/*
 * The facade, references and collections: the connected-record engine
 * (links/links.h) given the database as the reader sees it — views, the
 * store's numbers and the index's candidates — a document's references
 * through it, and the collections: all through the reader's eyes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facade/facade_int.h"
#include "query/query.h"
#include "util/util_int.h"
#include "util/banned.h"

/* ---- the connected-record engine's view of the database (links/links.h) ---- */

uint64_t dc_db_hash(const void *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ULL;
    return h;
}

void dc_db_links_forget(dc_db *db)
{
    for (size_t i = 0; db->links && i < LINK_SLOTS; i++) {
        free(db->links[i].key);
        dc_strv_release(&db->links[i].ids);
    }
    free(db->links);
    db->links = NULL;
}

/* The memo's slot for the question in key (its answer valid when found is
 * set), or NULL when there is no memo. */
static link_slot *link_slot_of(dc_db *db, const dc_buf *key, int *found)
{
    *found = 0;
    if (!db->links_epoch || key->rc || !key->len) return NULL;
    if (!db->links && !(db->links = calloc(LINK_SLOTS, sizeof *db->links))) return NULL;
    link_slot *s = &db->links[dc_db_hash(key->p, key->len) % LINK_SLOTS];
    *found = s->epoch == db->links_epoch && s->key && strcmp(s->key, key->p) == 0;
    return s;
}

/* Keeps ids as the answer to key in slot s (nothing when out of memory). */
static void link_keep(dc_db *db, link_slot *s, const dc_buf *key, const dc_strv *ids)
{
    if (!s) return;
    free(s->key);
    dc_strv_release(&s->ids);
    s->epoch = 0;
    if (!(s->key = dc_strdup(key->p))) return;
    for (size_t i = 0; i < ids->n; i++)
        if (dc_strv_push(&s->ids, ids->v[i]) != DC_OK) {
            dc_strv_release(&s->ids);
            return;
        }
    s->epoch = db->links_epoch;
}

/* The reader's view of id, pinned (env_done unpins it), or *out NULL when
 * it does not exist or the reader may not read it. */
static dc_rc env_view(void *ctx, const char *id, const dc_doc **out)
{
    int denied = 0;
    dc_rc rc = dc_db_view_pin(ctx, id, out, &denied);
    return rc == DC_NOTFOUND ? DC_OK : rc;
}

static void env_done(void *ctx, const dc_doc *v)
{
    dc_db_view_unpin(ctx, v);
}

/* The readable document numbered number in collection (pinned, as
 * env_view), or NULL. */
static dc_rc env_numbered(void *ctx, const char *collection, const char *number,
                          const dc_doc **out)
{
    dc_db *db = ctx;
    *out = NULL;
    dc_buf key;
    dc_buf_init(&key, 0);
    dc_buf_printf(&key, "n\x1f%s\x1f%s", collection, number);
    int found;
    link_slot *s = link_slot_of(db, &key, &found);
    dc_strv ids = {0};
    dc_rc rc = DC_OK;
    if (!found) {
        char *id = NULL;
        rc = dc_store_find_number(db->st, collection, number, &id);
        if (!rc) rc = dc_strv_push(&ids, id);
        free(id);
        if (rc == DC_NOTFOUND) rc = DC_OK;
        if (!rc) link_keep(db, s, &key, &ids);
        else if (rc != DC_NOMEM) dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    const dc_strv *answer = found ? &s->ids : &ids;
    if (!rc && answer->n) rc = env_view(db, answer->v[0], out);
    dc_strv_release(&ids);
    dc_buf_release(&key);
    return rc;
}

/* The ids of readable documents the index says cite value (in collection
 * when not NULL), in the index's order, pages of DC_SEARCH_MAX_LIMIT while
 * fewer than max were asked for. */
static dc_rc env_cites(void *ctx, dc_links_purpose why, const char *value,
                       const char *collection, size_t max, dc_strv *ids)
{
    dc_db *db = ctx;
    const char *what = why == DC_LINKS_FOR_PAPERS ? "paper" : "reference";
    const char *whats = why == DC_LINKS_FOR_PAPERS ? "papers" : "references";
    if (strchr(value, '"') || (collection && strchr(collection, '"'))) return DC_OK;
    dc_buf key;
    dc_buf_init(&key, 0);
    dc_buf_printf(&key, "c\x1f%s\x1f%s\x1f%zu\x1f", value, collection ? collection : "\x1e",
                  max);
    dc_db_reader_key(db, &key);
    int found;
    link_slot *s = link_slot_of(db, &key, &found);
    if (found) {
        dc_rc rc = DC_OK;
        for (size_t i = 0; !rc && i < s->ids.n; i++) rc = dc_strv_push(ids, s->ids.v[i]);
        dc_buf_release(&key);
        return rc;
    }
    size_t first = ids->n;
    dc_rc rc = dc_db_search_ready(db);
    if (rc) {
        dc_buf_release(&key);
        return rc;
    }
    char qs[DC_MAX_ID * 2 + 64];
    if (collection)
        snprintf(qs, sizeof qs, "cites:\"%s\" collection:\"%s\"", value, collection);
    else
        snprintf(qs, sizeof qs, "cites:\"%s\"", value);
    dc_error err = {0};
    dc_query *q = NULL;
    if ((rc = dc_query_parse(db->an, qs, strlen(qs), &q, &err)) != DC_OK) {
        dc_buf_release(&key);
        return dc_db_fail(db, rc, "bad %s query: %s", what, err.msg);
    }
    dc_access_reader reader = dc_db_reader(db);
    for (size_t off = 0; !rc && off < max; off += DC_SEARCH_MAX_LIMIT) {
        dc_search_opts o = {.limit = DC_SEARCH_MAX_LIMIT, .offset = off, .classification = -1,
                            .reader = &reader};
        dc_search_result *res = NULL;
        rc = dc_index_search(db->ix, db->an, q, &o, &res);
        if (rc) {
            rc = dc_db_fail(db, rc, "finding %s failed: %s", whats, dc_index_errmsg(db->ix));
            break;
        }
        for (size_t i = 0; !rc && i < res->n_hits; i++) rc = dc_strv_push(ids, res->hits[i].id);
        int more = res->n_hits == DC_SEARCH_MAX_LIMIT && off + res->n_hits < res->total;
        dc_search_result_free(res);
        if (!more) break;
    }
    dc_query_free(q);
    if (!rc) {
        dc_strv mine = {.v = ids->v + first, .n = ids->n - first};
        link_keep(db, s, &key, &mine);
    }
    dc_buf_release(&key);
    return rc;
}

/* Every hit of person:"word" as the reader, in pages, handed to each. */
static dc_rc env_named(void *ctx, const char *word, size_t max, dc_links_id_fn each,
                       void *each_ctx)
{
    dc_db *db = ctx;
    if (strchr(word, '"') || strchr(word, '\\')) return DC_OK;
    dc_rc rc = dc_db_search_ready(db);
    if (rc) return rc;
    char qs[600];
    if ((size_t)snprintf(qs, sizeof qs, "person:\"%s\"", word) >= sizeof qs) return DC_OK;
    dc_error err = {0};
    dc_query *q = NULL;
    if (dc_query_parse(db->an, qs, strlen(qs), &q, &err) != DC_OK) return DC_OK;
    dc_access_reader reader = dc_db_reader(db);
    for (size_t offset = 0; !rc && offset < max;) {
        dc_search_opts o = {.limit = DC_SEARCH_MAX_LIMIT, .offset = offset,
                            .classification = -1, .reader = &reader};
        dc_search_result *res = NULL;
        rc = dc_index_search(db->ix, db->an, q, &o, &res);
        if (rc) {
            rc = dc_db_fail(db, rc, "finding persons failed: %s", dc_index_errmsg(db->ix));
            break;
        }
        for (size_t i = 0; !rc && i < res->n_hits; i++) rc = each(each_ctx, res->hits[i].id);
        size_t got = res->n_hits;
        dc_search_result_free(res);
        if (got < DC_SEARCH_MAX_LIMIT) break;
        offset += got;
    }
    dc_query_free(q);
    return rc;
}

void dc_db_links_env(dc_db *db, dc_links_env *env)
{
    /* the state of the store the memo's answers hold for (0: none kept) */
    if (dc_store_max_docid(db->st, &db->links_epoch) != DC_OK) db->links_epoch = 0;
    *env = (dc_links_env){.ctx = db, .view = env_view, .numbered = env_numbered,
                          .cites = env_cites, .named = env_named, .done = env_done};
}


/* Hands one reference of the engine to the caller's callback. */
typedef struct refs_ctx {
    dc_ref_link_cb cb;
    void *ctx;
} refs_ctx;

static dc_rc ref_out(void *ctx, const dc_links_ref *r)
{
    refs_ctx *c = ctx;
    dc_ref_link l = {.incoming = r->incoming, .kind = r->kind, .target = r->target,
                     .relation = r->relation, .detail = r->detail, .id = r->id,
                     .title = r->title};
    return c->cb(c->ctx, &l);
}

dc_rc dc_db_refs_view(dc_db *db, const dc_doc *view, dc_ref_link_cb cb, void *ctx)
{
    if (!cb || !view || !view->id)
        return dc_db_fail(db, DC_MISUSE, "dc_db_refs_view: invalid argument");
    dc_links_env env;
    dc_db_links_env(db, &env);
    refs_ctx c = {.cb = cb, .ctx = ctx};
    dc_rc rc = dc_links_refs(&env, view, ref_out, &c);
    if (!rc) rc = dc_db_audit_add(db, "refs", view->id, NULL);
    return rc;
}

dc_rc dc_db_refs(dc_db *db, const char *id, dc_ref_link_cb cb, void *ctx)
{
    if (!cb) return dc_db_fail(db, DC_MISUSE, "dc_db_refs: no callback");
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_read(db, id, 0, "refs", &doc);
    if (rc) return rc;
    rc = dc_db_refs_view(db, doc, cb, ctx);
    dc_doc_free(doc);
    return rc;
}

/* Counts per collection of the documents a reader may read. */
typedef struct coll_count {
    dc_access_reader r;
    dc_strv names;
    long *counts;
    size_t cap;
} coll_count;

static dc_rc count_one(void *ctx, const dc_collection_group *g)
{
    coll_count *c = ctx;
    if (!g->collection || !dc_access_doc_readable(&c->r, g->release_status, g->classification))
        return DC_OK;
    /* The groups come ordered by collection: only the last one can match. */
    if (c->names.n && strcmp(c->names.v[c->names.n - 1], g->collection) == 0) {
        c->counts[c->names.n - 1] += (long)g->documents;
        return DC_OK;
    }
    if (DC_GROW(c->counts, c->names.n + 1, c->cap)) return DC_NOMEM;
    dc_rc rc = dc_strv_push(&c->names, g->collection);
    if (!rc) c->counts[c->names.n - 1] = (long)g->documents;
    return rc;
}

dc_rc dc_db_collections(dc_db *db, dc_collection_cb cb, void *ctx)
{
    if (!cb) return dc_db_fail(db, DC_MISUSE, "dc_db_collections: no callback");
    coll_count c = {.r = dc_db_reader(db)};
    dc_rc rc = dc_store_collection_groups(db->st, count_one, &c);
    if (rc) dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    for (size_t i = 0; !rc && i < c.names.n; i++) {
        dc_volume *v = NULL;
        rc = dc_db_volume_stored(db, c.names.v[i], &v);
        dc_collection_info info = {.name = c.names.v[i], .documents = c.counts[i],
                                   .title = v ? v->title : NULL};
        if (!rc) rc = cb(ctx, &info);
        dc_volume_free(v);
    }
    dc_strv_release(&c.names);
    free(c.counts);
    return rc;
}

void dc_ref_link_json(dc_json *j, const dc_ref_link *r)
{
    dc_json_obj(j);
    dc_json_kstr(j, "kind", r->kind);
    dc_json_kstr(j, "target", r->target);
    dc_json_kstr(j, "relation", r->relation);
    dc_json_kstr(j, "detail", r->detail);
    dc_json_kstr(j, "id", r->id);
    dc_json_kstr(j, "title", r->title);
    dc_json_end(j);
}
