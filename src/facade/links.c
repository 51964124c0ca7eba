/*
 * The facade, references and collections: a document's outgoing
 * references resolved to stored documents, the documents citing it, and
 * the collections — all through the reader's eyes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facade/facade_int.h"
#include "query/query.h"
#include "util/banned.h"

/* The number N of a volume reference's fragment "dN" or "dNfnM", or 0. */
static int volume_doc_number(const char *frag, char *num, size_t cap)
{
    if (!frag || frag[0] != 'd' || frag[1] < '1' || frag[1] > '9') return 0;
    size_t n = 1;
    while (frag[n] >= '0' && frag[n] <= '9') n++;
    if (n - 1 >= cap || (frag[n] && strncmp(frag + n, "fn", 2) != 0)) return 0;
    memcpy(num, frag + 1, n - 1);
    num[n - 1] = '\0';
    return 1;
}

/* The readable document numbered number in collection (*out owned by the
 * caller), or NULL. */
static dc_rc find_numbered(dc_db *db, const char *collection, const char *number, dc_doc **out)
{
    char *id = NULL;
    dc_rc rc = dc_store_find_number(db->st, collection, number, &id);
    if (rc == DC_NOTFOUND) return DC_OK;
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    int denied = 0;
    rc = dc_db_view(db, id, 0, out, &denied);
    free(id);
    return rc == DC_NOTFOUND ? DC_OK : rc;
}

/* The readable document a reference of doc points to (*out owned by the
 * caller), or NULL: "document" and "footnote" references by their number
 * in doc's collection; "volume" references with a fragment "dN" (a
 * document of another volume) by number N in that volume; "paper"
 * references to the stored document that is the paper (the rule of
 * dc_db_paper), in doc's collection first.  Unreadable targets are not
 * found. */
dc_rc dc_db_resolve_ref(dc_db *db, const dc_doc *doc, const dc_ref *r, dc_doc **out)
{
    *out = NULL;
    if (!r->kind || !r->target) return DC_OK;
    if (strcmp(r->kind, "volume") == 0) {
        char num[32];
        if (!volume_doc_number(r->detail, num, sizeof num)) return DC_OK;
        return find_numbered(db, r->target, num, out);
    }
    if (strcmp(r->kind, "paper") == 0) {
        /* a paper's own name is no reference to itself */
        return dc_db_paper_document(db, r->target, doc->collection, doc->id, out);
    }
    if (!doc->collection) return DC_OK;
    if (strcmp(r->kind, "document") != 0 && strcmp(r->kind, "footnote") != 0) return DC_OK;
    return find_numbered(db, doc->collection, r->target, out);
}

/* Whether text says "supersede[sd]? TARGET" (TARGET a whole word). */
static int says_supersedes(const char *text, const char *target)
{
    size_t n = strlen(target);
    for (const char *k = text ? strstr(text, "supersede") : NULL; k;
         k = strstr(k + 1, "supersede")) {
        const char *s = k + 9;
        if (*s == 's' || *s == 'd') s++;
        if (*s++ != ' ' || strncmp(s, target, n) != 0) continue;
        char c = s[n];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '/'))
            return 1;
    }
    return 0;
}

/*
 * Whether the reader's view v itself states the relation of r.  The
 * access view keeps a reference whose target still occurs in readable
 * text, but "supersedes" may have stood only in a withheld portion (the
 * paper being named elsewhere too), so the statement is looked for again.
 */
static int relation_readable(const dc_doc *v, const dc_ref *r)
{
    if (says_supersedes(v->title, r->target) || says_supersedes(v->source_note, r->target))
        return 1;
    for (size_t i = 0; i < v->n_portions; i++)
        if (says_supersedes(v->portions[i].text, r->target)) return 1;
    for (size_t i = 0; i < v->n_footnotes; i++)
        if (says_supersedes(v->footnotes[i].text, r->target)) return 1;
    return 0;
}

static dc_rc emit_ref(dc_db *db, const dc_doc *doc, const dc_ref *r, int incoming,
                      const dc_doc *other, dc_ref_link_cb cb, void *ctx)
{
    dc_doc *target = NULL;
    dc_rc rc = incoming ? DC_OK : dc_db_resolve_ref(db, doc, r, &target);
    if (rc) return rc;
    const dc_doc *to = incoming ? other : target;
    const char *relation = r->relation;
    if (relation && strcmp(relation, "supersedes") == 0 && r->target &&
        !relation_readable(incoming ? other : doc, r))
        relation = NULL;
    dc_ref_link l = {.incoming = incoming, .kind = r->kind, .target = r->target,
                     .relation = relation, .detail = r->detail,
                     .id = to ? to->id : NULL, .title = to ? to->title : NULL};
    rc = cb(ctx, &l);
    dc_doc_free(target);
    return rc;
}

/* Whether the reader's view of a document cites number (a "document" or
 * "footnote" reference). */
static const dc_ref *cites_number(const dc_doc *v, const char *number)
{
    for (size_t i = 0; i < v->n_refs; i++) {
        const dc_ref *r = &v->refs[i];
        if (r->kind && r->target && strcmp(r->target, number) == 0 &&
            (strcmp(r->kind, "document") == 0 || strcmp(r->kind, "footnote") == 0))
            return r;
    }
    return NULL;
}

/*
 * Incoming references: the index's cites: key finds candidates (documents
 * of the same collection citing the number) as the reader; each is then
 * confirmed on the reader's view, so a citation standing only in text the
 * reader may not read is not shown.
 */
static dc_rc incoming_refs(dc_db *db, const dc_doc *doc, dc_ref_link_cb cb, void *ctx)
{
    if (!doc->number || !doc->collection || strchr(doc->number, '"') ||
        strchr(doc->collection, '"'))
        return DC_OK;
    dc_rc rc;
    if ((rc = dc_db_search_ready(db)) != DC_OK) return rc;
    char qs[DC_MAX_ID * 2 + 64];
    snprintf(qs, sizeof qs, "cites:\"%s\" collection:\"%s\"", doc->number, doc->collection);
    dc_error err = {0};
    dc_query *q = NULL;
    if ((rc = dc_query_parse(db->an, qs, strlen(qs), &q, &err)) != DC_OK)
        return dc_db_fail(db, rc, "bad reference query: %s", err.msg);
    dc_access_reader reader = dc_db_reader(db);
    dc_search_opts o = {.limit = DC_SEARCH_MAX_LIMIT, .classification = -1, .reader = &reader};
    dc_search_result *res = NULL;
    rc = dc_index_search(db->ix, db->an, q, &o, &res);
    dc_query_free(q);
    if (rc) return dc_db_fail(db, rc, "finding references failed: %s", dc_index_errmsg(db->ix));
    for (size_t i = 0; !rc && i < res->n_hits; i++) {
        if (strcmp(res->hits[i].id, doc->id) == 0) continue;
        dc_doc *v = NULL;
        int denied = 0;
        rc = dc_db_view(db, res->hits[i].id, 0, &v, &denied);
        if (rc == DC_NOTFOUND) {
            rc = DC_OK;
            continue;
        }
        const dc_ref *r = rc ? NULL : cites_number(v, doc->number);
        if (r) rc = emit_ref(db, doc, r, 1, v, cb, ctx);
        dc_doc_free(v);
    }
    dc_search_result_free(res);
    return rc;
}

dc_rc dc_db_refs(dc_db *db, const char *id, dc_ref_link_cb cb, void *ctx)
{
    if (!cb) return dc_db_fail(db, DC_MISUSE, "dc_db_refs: no callback");
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_read(db, id, 0, "refs", &doc);
    if (rc) return rc;
    for (size_t i = 0; !rc && i < doc->n_refs; i++)
        rc = emit_ref(db, doc, &doc->refs[i], 0, NULL, cb, ctx);
    if (!rc) rc = incoming_refs(db, doc, cb, ctx);
    if (!rc) rc = dc_db_audit_add(db, "refs", id, NULL);
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

static dc_rc count_one(void *ctx, const dc_doc_summary *s)
{
    coll_count *c = ctx;
    if (!s->collection || !dc_access_doc_readable(&c->r, s->release_status, s->classification))
        return DC_OK;
    /* The listing is ordered by collection: only the last one can match. */
    if (c->names.n && strcmp(c->names.v[c->names.n - 1], s->collection) == 0) {
        c->counts[c->names.n - 1]++;
        return DC_OK;
    }
    if (c->names.n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        long *n = realloc(c->counts, cap * sizeof *n);
        if (!n) return DC_NOMEM;
        c->counts = n;
        c->cap = cap;
    }
    dc_rc rc = dc_strv_push(&c->names, s->collection);
    if (!rc) c->counts[c->names.n - 1] = 1;
    return rc;
}

dc_rc dc_db_collections(dc_db *db, dc_collection_cb cb, void *ctx)
{
    if (!cb) return dc_db_fail(db, DC_MISUSE, "dc_db_collections: no callback");
    coll_count c = {.r = dc_db_reader(db)};
    dc_rc rc = dc_store_list(db->st, count_one, &c);
    if (rc) dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    for (size_t i = 0; !rc && i < c.names.n; i++) {
        dc_collection_info info = {.name = c.names.v[i], .documents = c.counts[i]};
        rc = cb(ctx, &info);
    }
    dc_strv_release(&c.names);
    free(c.counts);
    return rc;
}
