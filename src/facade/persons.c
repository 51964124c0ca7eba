/*
 * The facade, persons: the known persons of the stored lists, loaded once
 * into the connected-record engine (links/persons.c, where the rules are),
 * and the person lookups through it as the reader — the engine sees only
 * the reader's views (dc_db_links_env).  Audited here.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facade/facade_int.h"
#include "util/banned.h"

void dc_db_persons_forget(dc_db *db)
{
    dc_db_views_forget(db); /* views were matched against the persons */
    if (!db || !db->persons) return;
    dc_persons_free(db->persons);
    db->persons = NULL;
}

static dc_rc cache_row(void *ctx, const dc_list_row *r)
{
    return dc_persons_add(ctx, r->collection, r->xml_id, r->name, r->description);
}

/* The known persons, loaded from the store on first use. */
static dc_rc cache(dc_db *db, dc_persons **out)
{
    *out = db->persons;
    if (db->persons) return DC_OK;
    dc_rc rc = dc_persons_new(&db->persons);
    if (rc) return rc;
    rc = dc_store_list_rows(db->st, DC_LIST_PERSONS, NULL, cache_row, db->persons);
    if (rc) {
        dc_db_persons_forget(db);
        return dc_db_fail(db, rc, "reading the persons lists: %s", dc_store_errmsg(db->st));
    }
    if (dc_persons_finish(db->persons) != DC_OK) {
        dc_db_persons_forget(db);
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    *out = db->persons;
    return DC_OK;
}

dc_rc dc_db_persons_load(dc_db *db)
{
    dc_persons *c;
    return cache(db, &c);
}

const char *dc_db_person_name(dc_db *db, const char *collection, const char *xml_id)
{
    dc_persons *c;
    if (!collection || !xml_id || cache(db, &c) != DC_OK) return NULL;
    return dc_persons_name(c, collection, xml_id);
}

dc_rc dc_db_persons_match(dc_db *db, dc_doc *doc)
{
    dc_persons *c;
    dc_rc rc = cache(db, &c);
    if (rc) return rc;
    return dc_persons_match(c, doc);
}

/* The caller's callback behind the engine's, and whether a failure was
 * its own (the engine's out of memory gets the message, the caller's not). */
typedef struct out_ctx {
    dc_person_cb cb;
    void *ctx;
    int failed;
} out_ctx;

/* Hands one person of the engine to the caller. */
static dc_rc person_out(void *ctx, const dc_persons_hit *h)
{
    out_ctx *o = ctx;
    dc_person_doc *docs = NULL;
    if (h->documents) {
        docs = malloc((size_t)h->n_documents * sizeof *docs);
        if (!docs) {
            o->failed = 1;
            return DC_NOMEM;
        }
        for (long i = 0; i < h->n_documents; i++)
            docs[i] = (dc_person_doc){.id = h->documents[i].id, .title = h->documents[i].title,
                                      .date = h->documents[i].date};
    }
    dc_person_info info = {.name = h->name, .collection = h->collection, .xml_id = h->xml_id,
                           .description = h->description, .n_documents = h->n_documents,
                           .documents = docs};
    dc_rc rc = o->cb(o->ctx, &info);
    free(docs);
    if (rc) o->failed = 1;
    return rc;
}

dc_rc dc_db_person(dc_db *db, const char *name, dc_person_cb cb, void *ctx)
{
    if (!cb) return dc_db_fail(db, DC_MISUSE, "dc_db_person: no callback");
    size_t len = name ? strlen(name) : 0;
    while (len > 0 && isspace((unsigned char)name[len - 1])) len--;
    if (len == 0 || len > 200) return dc_db_fail(db, DC_MISUSE, "bad person name");
    char want[256];
    const char *b = name;
    while (isspace((unsigned char)*b)) b++, len--;
    memcpy(want, b, len);
    want[len] = '\0';
    dc_persons *c;
    dc_rc rc = cache(db, &c);
    if (rc) return rc;
    dc_links_env env;
    dc_db_links_env(db, &env);
    out_ctx o = {.cb = cb, .ctx = ctx};
    long found = 0;
    rc = dc_persons_lookup(c, want, DC_PERSON_MAX_MATCH, &env, person_out, &o, &found);
    if (rc == DC_NOMEM && !o.failed) dc_db_fail(db, rc, "out of memory");
    if (rc) return rc;
    char detail[64];
    snprintf(detail, sizeof detail, "%ld persons", found);
    if ((rc = dc_db_audit_add(db, "person", want, detail)) != DC_OK) return rc;
    if (found == 0) return dc_db_fail(db, DC_NOTFOUND, "no person '%s'", want);
    return DC_OK;
}

dc_rc dc_db_persons(dc_db *db, dc_person_cb cb, void *ctx)
{
    if (!cb) return dc_db_fail(db, DC_MISUSE, "dc_db_persons: no callback");
    dc_persons *c;
    dc_rc rc = cache(db, &c);
    if (rc) return rc;
    dc_links_env env;
    dc_db_links_env(db, &env);
    out_ctx o = {.cb = cb, .ctx = ctx};
    long shown = 0;
    rc = dc_persons_index(c, &env, person_out, &o, &shown);
    if (rc == DC_NOMEM && !o.failed) dc_db_fail(db, rc, "out of memory");
    if (rc) return rc;
    char detail[64];
    snprintf(detail, sizeof detail, "%ld persons", shown);
    return dc_db_audit_add(db, "persons", NULL, detail);
}

/* Passes on only the entry (collection, xml_id) the caller asked for. */
typedef struct entry_ctx {
    const char *collection, *xml_id;
    out_ctx *o;
    int seen;
} entry_ctx;

static dc_rc entry_only(void *ctx, const dc_persons_hit *h)
{
    entry_ctx *e = ctx;
    if (e->seen || !h->collection || !h->xml_id || strcmp(h->collection, e->collection) != 0 ||
        strcmp(h->xml_id, e->xml_id) != 0)
        return DC_OK;
    e->seen = 1;
    return person_out(e->o, h);
}

dc_rc dc_db_person_entry(dc_db *db, const char *collection, const char *xml_id, dc_person_cb cb,
                         void *ctx)
{
    if (!cb || !collection || !xml_id)
        return dc_db_fail(db, DC_MISUSE, "dc_db_person_entry: invalid argument");
    dc_persons *c;
    dc_rc rc = cache(db, &c);
    if (rc) return rc;
    const char *name = dc_persons_name(c, collection, xml_id);
    char target[300];
    snprintf(target, sizeof target, "%s#%s", collection, xml_id);
    if (!name) {
        if ((rc = dc_db_audit_add(db, "person", target, "0 persons")) != DC_OK) return rc;
        return dc_db_fail(db, DC_NOTFOUND, "no person '%s'", target);
    }
    dc_links_env env;
    dc_db_links_env(db, &env);
    out_ctx o = {.cb = cb, .ctx = ctx};
    entry_ctx e = {.collection = collection, .xml_id = xml_id, .o = &o};
    rc = dc_persons_lookup(c, name, DC_PERSON_MAX_MATCH, &env, entry_only, &e, NULL);
    if (rc == DC_NOMEM && !o.failed) dc_db_fail(db, rc, "out of memory");
    if (rc) return rc;
    if ((rc = dc_db_audit_add(db, "person", target, e.seen ? "1 persons" : "0 persons")) != DC_OK)
        return rc;
    if (!e.seen) return dc_db_fail(db, DC_NOTFOUND, "no person '%s'", target);
    return DC_OK;
}

/* The one term (xml_id) of a collection's list, as a person record. */
typedef struct term_ctx {
    const char *xml_id;
    dc_person_cb cb;
    void *ctx;
    int seen;
    dc_rc rc;
} term_ctx;

static dc_rc term_row(void *ctx, const dc_list_row *r)
{
    term_ctx *t = ctx;
    if (t->seen || strcmp(r->xml_id, t->xml_id) != 0) return DC_OK;
    t->seen = 1;
    dc_person_info info = {.name = r->name, .collection = r->collection, .xml_id = r->xml_id,
                           .description = r->description};
    t->rc = t->cb(t->ctx, &info);
    return t->rc;
}

dc_rc dc_db_term(dc_db *db, const char *collection, const char *xml_id, dc_person_cb cb,
                 void *ctx)
{
    if (!cb || !collection || !xml_id)
        return dc_db_fail(db, DC_MISUSE, "dc_db_term: invalid argument");
    term_ctx t = {.xml_id = xml_id, .cb = cb, .ctx = ctx};
    dc_rc rc = dc_store_list_rows(db->st, DC_LIST_TERMS, collection, term_row, &t);
    if (rc && rc == t.rc) return rc;
    if (rc) return dc_db_fail(db, rc, "reading the terms: %s", dc_store_errmsg(db->st));
    char target[300];
    snprintf(target, sizeof target, "%s#%s", collection, xml_id);
    if ((rc = dc_db_audit_add(db, "term", target, t.seen ? "1 terms" : "0 terms")) != DC_OK)
        return rc;
    if (!t.seen) return dc_db_fail(db, DC_NOTFOUND, "no term '%s'", target);
    return DC_OK;
}

/* The entries of the view's collection's List of Persons it names. */
typedef struct doc_persons_ctx {
    const dc_doc *view;
    dc_person_cb cb;
    void *ctx;
    dc_rc rc;
} doc_persons_ctx;

static dc_rc doc_person_row(void *ctx, const dc_list_row *r)
{
    doc_persons_ctx *x = ctx;
    if (!dc_strv_contains(&x->view->persons, r->name)) return DC_OK;
    dc_person_info info = {.name = r->name, .collection = r->collection, .xml_id = r->xml_id,
                           .description = r->description};
    return x->rc = x->cb(x->ctx, &info);
}

static dc_rc keep_row(void *ctx, const dc_list_row *r)
{
    dc_strv *v = ctx;
    const char *f[] = {r->collection, r->xml_id, r->name, r->description ? r->description : ""};
    for (size_t i = 0; i < 4; i++)
        if (dc_strv_push(v, f[i] ? f[i] : "")) return DC_NOMEM;
    return DC_OK;
}

dc_rc dc_db_doc_persons(dc_db *db, const dc_doc *view, dc_person_cb cb, void *ctx)
{
    if (!cb || !view) return dc_db_fail(db, DC_MISUSE, "dc_db_doc_persons: invalid argument");
    if (!view->collection || !view->persons.n) return DC_OK;
    doc_persons_ctx x = {.view = view, .cb = cb, .ctx = ctx};
    uint64_t state[2] = {0, 0};
    kept_slot *k = NULL;
    dc_rc rc = DC_OK;
    /* in a read snapshot the list is kept for this state of the database */
    if (dc_db_snapshot_state(db, state) &&
        !(k = dc_db_kept_find(db, db->kept_lists, view->collection, state)) &&
        (k = dc_db_kept_take(db, db->kept_lists, view->collection, state)) != NULL) {
        rc = dc_store_list_rows(db->st, DC_LIST_PERSONS, view->collection, keep_row, &k->rows);
        if (rc) {
            dc_strv_release(&k->rows);
            free(k->key);
            k->key = NULL; /* not kept */
            k = NULL;
            return rc == DC_NOMEM ? dc_db_fail(db, rc, "out of memory")
                                  : dc_db_fail(db, rc, "reading the persons lists: %s",
                                               dc_store_errmsg(db->st));
        }
    }
    if (k) {
        k->lent++; /* not replaced while cb runs */
        for (size_t i = 0; !rc && i + 3 < k->rows.n; i += 4) {
            dc_list_row r = {.collection = k->rows.v[i],
                             .xml_id = k->rows.v[i + 1],
                             .name = k->rows.v[i + 2],
                             .description = k->rows.v[i + 3]};
            rc = doc_person_row(&x, &r);
        }
        k->lent--;
        return rc;
    }
    rc = dc_store_list_rows(db->st, DC_LIST_PERSONS, view->collection, doc_person_row, &x);
    if (rc && rc == x.rc) return rc;
    if (rc) return dc_db_fail(db, rc, "reading the persons lists: %s", dc_store_errmsg(db->st));
    return DC_OK;
}
