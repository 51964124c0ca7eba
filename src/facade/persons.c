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
