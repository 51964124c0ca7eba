/*
 * The facade: Reading: the reader's view of a document and of its versions, shown in
 * a format, and listings.
 */
#include "facade/facade_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "access/access.h"
#include "analysis/analysis.h"
#include "index/index.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "refs/refs.h"
#include "render/render.h"
#include "store/store.h"
#include "model/model_int.h"
#include "util/util_int.h"
#include "util/banned.h"

/* ---- reading --------------------------------------------------------- */

/* The message of a document that does not exist, and of one the reader may
 * not read: the same, so a refusal tells nothing. */
dc_rc dc_db_no_document(dc_db *db, const char *id)
{
    return dc_db_fail(db, DC_NOTFOUND, "no document '%s'", id ? id : "");
}

void dc_db_drop_refs(dc_doc *v)
{
    for (size_t i = 0; i < v->n_refs; i++) {
        free(v->refs[i].kind);
        free(v->refs[i].target);
        free(v->refs[i].relation);
        free(v->refs[i].detail);
    }
    v->n_refs = 0;
}

/* Frees the references and file numbers of a view, to be derived again. */
static void drop_extracted(dc_doc *v)
{
    dc_db_drop_refs(v);
    dc_strv_release(&v->file_numbers);
}

/* Keeps the persons written (as whole words) in the visible text of a TEI
 * view: a persName in a hidden portion is gone with it.  The list name a
 * hidden persName pointed to cannot be told apart: it goes too, unless the
 * text matching of dc_db_persons_match finds it again. */
static void keep_written_persons(dc_doc *v)
{
    size_t k = 0;
    for (size_t i = 0; i < v->persons.n; i++) {
        const char *name = v->persons.v[i];
        size_t n = strlen(name);
        int found = 0;
        for (size_t p = 0; p < v->n_portions && !found; p++) {
            const char *t = v->portions[p].text;
            for (const char *h = t ? strstr(t, name) : NULL; h && !found; h = strstr(h + 1, name))
                found = (h == t || !isalnum((unsigned char)h[-1])) &&
                        !isalnum((unsigned char)h[n]);
        }
        if (found) v->persons.v[k++] = v->persons.v[i];
        else free(v->persons.v[i]);
    }
    v->persons.n = k;
}

dc_rc dc_db_restrict(dc_db *db, const dc_access_reader *r, dc_doc *doc)
{
    size_t hidden = 0;
    dc_rc rc = dc_access_restrict(r, doc, &hidden);
    if (rc || !hidden) return rc;
    /* Everything extracted from the whole text is extracted again from
     * the view, by the same code ingest ran: nothing found only in a
     * hidden portion survives, and what the reader still sees stays. */
    drop_extracted(doc);
    if (doc->format && strcmp(doc->format, "text") == 0) dc_strv_release(&doc->persons);
    else keep_written_persons(doc);
    rc = dc_ingest_view_date(doc);
    if (!rc) rc = dc_refs_enrich(doc);
    if (!rc) rc = dc_ingest_date_from_text(doc);
    if (!rc) rc = dc_db_persons_match(db, doc);
    return rc;
}

dc_rc dc_db_view_doc(dc_db *db, const dc_access_reader *r, const dc_doc *doc, dc_doc **out)
{
    *out = NULL;
    if (!dc_access_may_read(r, doc, NULL)) return DC_NOTFOUND;
    dc_rc rc = dc_doc_copy(doc, out);
    if (!rc) rc = dc_db_restrict(db, r, *out);
    if (rc) {
        dc_doc_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The effective level of portion p of doc (its own marking, else the
 * document's). */
static int portion_level(const dc_doc *doc, const dc_portion *p)
{
    return dc_access_level(p->classification ? p->classification : doc->classification);
}

/* Raises the marking *cls to level when level is higher. */
static dc_rc raise_level(char **cls, int level)
{
    if (dc_access_level(*cls) >= level) return DC_OK;
    return dc_str_set(cls, dc_level_name((dc_level)level)) ? DC_NOMEM : DC_OK;
}

/* Makes p at least as restricted as the current portion q of cur: withheld
 * if either is, the higher level, the union of compartments. */
static dc_rc restrict_like(dc_doc *old, dc_portion *p, const dc_doc *cur, const dc_portion *q)
{
    dc_rc rc = DC_OK;
    int level = portion_level(cur, q), mine = portion_level(old, p);
    if (level < mine) level = mine;
    if (!p->classification && level > dc_access_level(old->classification))
        rc = dc_str_set(&p->classification, dc_level_name((dc_level)level)) ? DC_NOMEM : DC_OK;
    else if (p->classification)
        rc = raise_level(&p->classification, level);
    for (size_t k = 0; !rc && k < q->compartments.n; k++)
        rc = dc_strv_add_unique(&p->compartments, q->compartments.v[k]);
    if (!rc && q->withheld && !p->withheld) {
        p->withheld = 1;
        rc = dc_str_set(&p->withheld_reason, q->withheld_reason) ? DC_NOMEM : DC_OK;
    }
    return rc;
}

/*
 * An old version as today's rules show it (DESIGN.md: any version is
 * shown through today's markings and withholdings; the most restrictive
 * decision wins).  Each portion of old takes the current portion with the
 * same id's withholding, level and compartments on top of its own; a
 * portion the current version no longer has takes the most restrictive
 * of all current portions (nothing says which one it became).  The
 * document is released only if both versions are, at the higher level.
 */
static dc_rc apply_today(dc_doc *old, const dc_doc *cur)
{
    dc_rc rc = raise_level(&old->classification, dc_access_level(cur->classification));
    int both = old->release_status && cur->release_status &&
               strcmp(old->release_status, "released") == 0 &&
               strcmp(cur->release_status, "released") == 0;
    if (!rc && !both && old->release_status && strcmp(old->release_status, "released") == 0)
        rc = dc_str_set(&old->release_status, cur->release_status ? cur->release_status
                                                                  : "classified")
                 ? DC_NOMEM
                 : DC_OK;
    for (size_t i = 0; !rc && i < old->n_portions; i++) {
        dc_portion *p = &old->portions[i];
        const dc_portion *q = p->id ? dc_doc_portion(cur, p->id) : NULL;
        if (q) {
            rc = restrict_like(old, p, cur, q);
            continue;
        }
        for (size_t k = 0; !rc && k < cur->n_portions; k++)
            rc = restrict_like(old, p, cur, &cur->portions[k]);
    }
    /* today's withholdings, placed by their text where it changed */
    if (!rc) rc = dc_doc_carry_withholdings(old, cur, 1, NULL);
    return rc;
}

/* ---- the memo of views (see view_slot) ---- */

static void outs_free(view_slot *v)
{
    for (size_t k = 0; k < SLOT_OUTS; k++) free(v->outs[k].s);
}

void dc_db_views_forget(dc_db *db)
{
    for (size_t i = 0; db && db->views && i < VIEW_SLOTS; i++) {
        free(db->views[i].key);
        dc_doc_free(db->views[i].view);
        outs_free(&db->views[i]);
    }
    if (db) free(db->views), db->views = NULL, db->view_bytes = 0;
}

/* The memo's key of the current version of id whose hash is hash, as
 * db's reader, in b (its rc set on failure). */
static void view_key(const dc_db *db, const char *id, const char *hash, dc_buf *b)
{
    dc_buf_printf(b, "%s\x1f%s\x1f", id, hash);
    dc_db_reader_key(db, b);
}

/* The memo's view of the current version of id for db's reader when it
 * was found current in the store's state db->links_epoch, or NULL; b is
 * scratch. */
static view_slot *view_current(dc_db *db, const char *id, dc_buf *b)
{
    size_t n = strlen(id);
    dc_db_reader_key(db, b);
    for (size_t i = 0; !b->rc && db->views && i < VIEW_SLOTS; i++) {
        view_slot *v = &db->views[i];
        if (!v->key || v->epoch != db->links_epoch || v->idlen != n ||
            memcmp(v->key, id, n) != 0 || v->key[n] != '\x1f')
            continue;
        /* the key is id, hash, reader: the reader's part must be b's */
        const char *who = strchr(v->key + n + 1, '\x1f');
        if (who && strcmp(who + 1, b->p) == 0) {
            v->used = ++db->view_tick;
            return v;
        }
    }
    return NULL;
}

/* The memo's slot of key, or NULL. */
static view_slot *view_find(dc_db *db, const dc_buf *key)
{
    for (size_t i = 0; db->views && i < VIEW_SLOTS; i++) {
        view_slot *v = &db->views[i];
        if (v->key && strcmp(v->key, key->p) == 0) {
            v->used = ++db->view_tick;
            return v;
        }
    }
    return NULL;
}

static void view_drop(dc_db *db, view_slot *v)
{
    db->view_bytes -= v->bytes;
    free(v->key);
    dc_doc_free(v->view);
    outs_free(v);
    memset(v, 0, sizeof *v);
}

/* Keeps view under key — *view itself when take is set (then NULL
 * afterwards), else a copy — evicting the least recently used unpinned
 * views; keeps nothing (and takes nothing) when out of memory or when it
 * is too large.  Returns the slot, or NULL. */
static view_slot *view_keep(dc_db *db, const dc_buf *key, dc_doc **view, int take)
{
    size_t bytes = dc_db_doc_bytes(*view);
    if (bytes > VIEW_BYTES / 4) return NULL;
    if (!db->views && !(db->views = calloc(VIEW_SLOTS, sizeof *db->views))) return NULL;
    view_slot *slot;
    for (;;) {
        view_slot *lru = NULL;
        slot = NULL;
        for (size_t i = 0; i < VIEW_SLOTS; i++) {
            view_slot *v = &db->views[i];
            if (!v->key) slot = slot ? slot : v;
            else if (!v->pins && (!lru || v->used < lru->used)) lru = v;
        }
        if (slot && db->view_bytes + bytes <= VIEW_BYTES) break;
        if (!lru) return NULL;
        view_drop(db, lru);
    }
    if (!(slot->key = dc_strdup(key->p))) return NULL;
    if (take) {
        slot->view = *view;
        *view = NULL;
    } else if (dc_doc_copy(*view, &slot->view) != DC_OK) {
        free(slot->key);
        slot->key = NULL;
        return NULL;
    }
    slot->bytes = bytes;
    slot->used = ++db->view_tick;
    db->view_bytes += bytes;
    return slot;
}

/*
 * Loads a version (0: current) of id and returns the reader's view of it.
 * Whether the reader may open the document is decided first, from the
 * current version's columns (and the old version's, asked for one): a
 * refusal loads no body, so it costs what a missing id costs.  A
 * document the reader may not read now is DC_NOTFOUND with the message
 * of a missing one, whatever version is asked for, and *denied is set
 * (for the audit log).  The current version's view comes from the memo
 * of views when it holds it (the same reader, the same version hash).
 * A docid (with version 0) names the current version as a search hit
 * does: its row is read by rowid, and the body read is that version's,
 * the one whose columns were checked.
 */
static dc_rc view_stored_at(dc_db *db, const char *id, uint64_t docid, int current, int version,
                            dc_doc **out, int *denied, view_slot **pinned)
{
    *out = NULL;
    *denied = 0;
    if (pinned) *pinned = NULL;
    if (!id || !*id || strlen(id) > DC_MAX_ID || version < 0) return dc_db_no_document(db, id);
    dc_access_reader r = dc_db_reader(db);
    dc_buf key;
    dc_buf_init(&key, 0);
    view_slot *memo = pinned && !version && db->links_epoch ? view_current(db, id, &key) : NULL;
    if (memo) {
        dc_buf_release(&key);
        memo->pins++;
        *pinned = memo;
        return DC_OK;
    }
    dc_buf_release(&key); /* view_key below fills it afresh */
    const int asked[2] = {0, version}; /* today's version, then the one asked for */
    char hash[DC_STORE_HASH_SIZE] = "";
    for (int i = 0; i < (version ? 2 : 1); i++) {
        char *status = NULL, *cls = NULL;
        dc_rc rc = docid ? dc_store_status_docid(db->st, docid, id, current, &status, &cls, hash)
                         : dc_store_status(db->st, id, asked[i], &status, &cls, i ? NULL : hash);
        if (rc == DC_NOTFOUND) return dc_db_no_document(db, id);
        if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
        int ok = dc_access_doc_readable(&r, status, cls);
        free(status);
        free(cls);
        if (!ok) {
            *denied = 1;
            return dc_db_no_document(db, id);
        }
    }
    if (!version && hash[0]) view_key(db, id, hash, &key);
    memo = key.len && !key.rc ? view_find(db, &key) : NULL;
    if (memo) {
        dc_buf_release(&key);
        memo->epoch = db->links_epoch;
        if (pinned) {
            memo->pins++;
            *pinned = memo;
            return DC_OK;
        }
        if (dc_doc_copy(memo->view, out) == DC_OK) return DC_OK;
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    dc_doc *doc = NULL, *cur = NULL;
    char got[DC_STORE_HASH_SIZE] = "";
    dc_rc rc = docid ? dc_store_get_docid(db->st, docid, id, &doc, got)
                     : dc_store_get_hashed(db->st, id, version, &doc, got);
    if (!rc && version) rc = dc_store_get(db->st, id, 0, &cur);
    if (!rc && cur) rc = apply_today(doc, cur);
    dc_doc_free(cur);
    if (rc == DC_NOTFOUND) {
        dc_buf_release(&key);
        dc_doc_free(doc);
        return dc_db_no_document(db, id);
    }
    if (!rc) rc = dc_db_restrict(db, &r, doc);
    /* a write between the two reads may have made another version
     * current: the memo takes the view only of the version hashed (a
     * search hit's only on a server: dc_db_view_pin_hit) */
    if (!rc && (!docid || db->server) && key.len && !key.rc && strcmp(got, hash) == 0) {
        view_slot *kept = view_keep(db, &key, &doc, pinned != NULL);
        if (kept) kept->idlen = strlen(id), kept->epoch = db->links_epoch;
        if (kept && pinned) {
            kept->pins++;
            *pinned = kept;
        }
    }
    dc_buf_release(&key);
    if (!rc && !doc) return DC_OK; /* taken by the memo, pinned */
    if (!rc) {
        *out = doc;
        return DC_OK;
    }
    dc_doc_free(doc);
    if (rc == DC_NOTFOUND) {
        *denied = 1;
        return dc_db_no_document(db, id);
    }
    if (rc == DC_NOMEM) return dc_db_fail(db, rc, "out of memory");
    if (rc) return dc_db_fail(db, rc, "cannot read %s: %s", id, dc_store_errmsg(db->st));
    return DC_OK;
}

static dc_rc view_stored(dc_db *db, const char *id, int version, dc_doc **out, int *denied,
                         view_slot **pinned)
{
    return view_stored_at(db, id, 0, 0, version, out, denied, pinned);
}

/* One stored version's row, copied out of the store's callback. */
typedef struct vrow {
    int version;
    char *at, *source;
} vrow;

typedef struct vrows {
    vrow *v;
    size_t n, cap;
    dc_rc rc;
} vrows;

#define DC_MAX_VERSIONS 100000 /* versions of one document walked for a reader */

static dc_rc vrow_add(void *ctx, const dc_version_info *v)
{
    vrows *r = ctx;
    if (r->n >= DC_MAX_VERSIONS) return r->rc = DC_LIMIT;
    if (DC_GROW(r->v, r->n + 1, r->cap)) return r->rc = DC_NOMEM;
    vrow *w = &r->v[r->n];
    w->version = v->version;
    w->at = dc_strdup(v->ingested_at ? v->ingested_at : "");
    w->source = v->source ? dc_strdup(v->source) : NULL;
    if (!w->at || (v->source && !w->source)) {
        free(w->at);
        free(w->source);
        return r->rc = DC_NOMEM;
    }
    r->n++;
    return DC_OK;
}

static void vrows_release(vrows *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->v[i].at), free(r->v[i].source);
    free(r->v);
}

/* Receives the reader's version k: the stored row it begins at, the
 * reader's view of it (owned by the walk) and the view's hash (hex). */
typedef dc_rc (*reader_version_cb)(void *ctx, int k, const vrow *row, dc_doc *view,
                                   const char *hash);

/*
 * The versions of id as the reader sees them: each stored version through
 * today's rules (view_stored), the ones the reader may not open skipped,
 * and a version whose view equals the one before it folded into it — a
 * change made only in what the reader may not read makes no version for
 * them.  Reader versions are numbered from 1; each is handed to cb, whose
 * non-OK return stops the walk and is returned.
 */
static dc_rc walk_reader_versions(dc_db *db, const char *id, reader_version_cb cb, void *ctx)
{
    vrows rows = {0};
    dc_rc rc = dc_store_versions(db->st, id, vrow_add, &rows);
    if (rows.rc) rc = rows.rc;
    if (rc) {
        vrows_release(&rows);
        return rc == DC_NOMEM ? dc_db_fail(db, rc, "out of memory")
                              : dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    unsigned char prev[32] = {0};
    int k = 0;
    for (size_t i = 0; i < rows.n && !rc; i++) {
        dc_doc *v = NULL;
        int denied = 0;
        rc = view_stored(db, id, rows.v[i].version, &v, &denied, NULL);
        if (rc == DC_NOTFOUND) {
            rc = DC_OK; /* a version the reader may not open: none for them */
            continue;
        }
        char *json = NULL;
        if (!rc) rc = dc_doc_to_json(v, 0, &json);
        unsigned char h[32];
        if (!rc)
            crypto_generichash(h, sizeof h, (const unsigned char *)json, strlen(json), NULL, 0);
        dc_free(json);
        if (!rc && (k == 0 || memcmp(h, prev, sizeof h) != 0)) {
            char hex[65];
            sodium_bin2hex(hex, sizeof hex, h, sizeof h);
            memcpy(prev, h, sizeof h);
            rc = cb(ctx, ++k, &rows.v[i], v, hex);
        }
        dc_doc_free(v);
    }
    vrows_release(&rows);
    return rc;
}

/* Finds the reader's version k (walk_reader_versions) and keeps its view. */
typedef struct find_version {
    int want;
    dc_doc *view;
} find_version;

static dc_rc found_version(void *ctx, int k, const vrow *row, dc_doc *view, const char *hash)
{
    (void)row, (void)hash;
    find_version *f = ctx;
    if (k != f->want) return DC_OK;
    dc_rc rc = dc_doc_copy(view, &f->view);
    return rc ? rc : DC_LIMIT; /* found: stop the walk */
}

/*
 * The reader's view of version (0: current) of id.  Version numbers are
 * the reader's own (walk_reader_versions): version N is the N-th distinct
 * view the reader had of the document, so neither the count nor the
 * numbers tell of changes made only in what the reader may not read.
 */
dc_rc dc_db_view(dc_db *db, const char *id, int version, dc_doc **out, int *denied)
{
    if (version <= 0) return view_stored(db, id, version, out, denied, NULL);
    *out = NULL;
    *denied = 0;
    dc_rc rc = view_stored(db, id, 0, out, denied, NULL); /* may the reader open it now? */
    dc_doc_free(*out);
    *out = NULL;
    if (rc) return rc;
    find_version f = {version, NULL};
    rc = walk_reader_versions(db, id, found_version, &f);
    if (rc == DC_LIMIT && f.view) {
        *out = f.view;
        return DC_OK;
    }
    dc_doc_free(f.view);
    if (rc && rc != DC_LIMIT) return rc;
    return dc_db_no_document(db, id);
}

/* Finds the stored version behind the reader's version k. */
typedef struct find_stored {
    int want, stored;
} find_stored;

static dc_rc found_stored(void *ctx, int k, const vrow *row, dc_doc *view, const char *hash)
{
    (void)view, (void)hash;
    find_stored *f = ctx;
    if (k != f->want) return DC_OK;
    f->stored = row->version;
    return DC_LIMIT; /* found: stop the walk */
}

dc_rc dc_db_stored_version(dc_db *db, const char *id, int version, int *stored)
{
    find_stored f = {version, 0};
    dc_rc rc = walk_reader_versions(db, id, found_stored, &f);
    if (rc == DC_LIMIT && f.stored) {
        *stored = f.stored;
        return DC_OK;
    }
    if (rc && rc != DC_LIMIT) return rc;
    return dc_db_no_document(db, id);
}

dc_rc dc_db_view_stored(dc_db *db, const char *id, int stored, dc_doc **out, int *denied)
{
    return view_stored(db, id, stored, out, denied, NULL);
}

/* The stored version each reader version begins at (walk_reader_versions). */
typedef struct reader_starts {
    int *v;
    size_t n, cap;
} reader_starts;

static dc_rc start_add(void *ctx, int k, const vrow *row, dc_doc *view, const char *hash)
{
    (void)k, (void)view, (void)hash;
    reader_starts *s = ctx;
    if (DC_GROW(s->v, s->n + 1, s->cap)) return DC_NOMEM;
    s->v[s->n++] = row->version;
    return DC_OK;
}

typedef struct stored_walk {
    const reader_starts *starts;
    dc_stored_version_cb cb;
    void *ctx;
} stored_walk;

static dc_rc stored_one(void *ctx, const dc_version_info *v)
{
    stored_walk *w = ctx;
    int k = 0;
    while ((size_t)k < w->starts->n && w->starts->v[k] <= v->version) k++;
    return w->cb(w->ctx, v, k);
}

dc_rc dc_db_stored_versions(dc_db *db, const char *id, dc_stored_version_cb cb, void *ctx)
{
    reader_starts starts = {0};
    dc_rc rc = walk_reader_versions(db, id, start_add, &starts);
    if (rc == DC_NOMEM) rc = dc_db_fail(db, rc, "out of memory");
    stored_walk w = {&starts, cb, ctx};
    if (!rc) rc = dc_store_versions(db->st, id, stored_one, &w);
    free(starts.v);
    if (rc && rc != DC_NOMEM && rc != DC_LIMIT && rc != DC_NOTFOUND)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return rc;
}

dc_rc dc_db_view_pin(dc_db *db, const char *id, const dc_doc **out, int *denied)
{
    dc_doc *own = NULL;
    view_slot *slot = NULL;
    dc_rc rc = view_stored(db, id, 0, &own, denied, &slot);
    *out = slot ? slot->view : own;
    return rc;
}

dc_rc dc_db_view_pin_hit(dc_db *db, const char *id, uint64_t docid, int current, const dc_doc **out,
                         int *denied)
{
    dc_doc *own = NULL;
    view_slot *slot = NULL;
    dc_rc rc = view_stored_at(db, id, docid, current, 0, &own, denied, &slot);
    *out = slot ? slot->view : own;
    return rc;
}

void dc_db_view_unpin(dc_db *db, const dc_doc *v)
{
    if (!v) return;
    for (size_t i = 0; db->views && i < VIEW_SLOTS; i++)
        if (db->views[i].view == v && db->views[i].pins) {
            db->views[i].pins--;
            return;
        }
    dc_doc_free((dc_doc *)v); /* not kept: the pinner's own */
}

dc_rc dc_db_read(dc_db *db, const char *id, int version, const char *what, dc_doc **out)
{
    int denied = 0;
    dc_rc rc = dc_db_view(db, id, version, out, &denied);
    if (rc != DC_NOTFOUND) return rc;
    char msg[sizeof db->errmsg];
    snprintf(msg, sizeof msg, "%s", db->errmsg);
    dc_db_audit_add(db, denied ? "read-refused" : "read-missing", id, what);
    snprintf(db->errmsg, sizeof db->errmsg, "%s", msg);
    return rc;
}

dc_rc dc_db_get(dc_db *db, const char *id, dc_doc **out)
{
    dc_rc rc = dc_db_read(db, id, 0, "model", out);
    if (!rc && (rc = dc_db_audit_add(db, "read", id, "model")) != DC_OK) {
        dc_doc_free(*out);
        *out = NULL;
    }
    return rc;
}

/* What html_ref_href resolves against: the database (the engine's
 * access to it, made at the first reference) and the volume of the
 * document being shown. */
typedef struct html_ref_ctx {
    dc_db *db;
    const dc_doc *doc;
    dc_links_env env;
    int have_env;
    /* the entries of the collection's lists (0 persons, 1 terms): xml_id,
     * name and description triples, read at the first name or term */
    dc_strv list[2];
    int have_list[2];
} html_ref_ctx;

static dc_rc list_row(void *ctx, const dc_list_row *r)
{
    dc_strv *v = ctx;
    if (dc_strv_push(v, r->xml_id) || dc_strv_push(v, r->name ? r->name : "") ||
        dc_strv_push(v, r->description ? r->description : ""))
        return DC_NOMEM;
    return DC_OK;
}

/* The HTML edition's description of a name or term: the entry of the
 * document's volume's list (the lists are metadata of the edition, read
 * from the same TEI as the document); 0 when the list has no such entry. */
static int html_entry(void *ctx, int term, const char *xml_id, dc_buf *name, dc_buf *desc)
{
    html_ref_ctx *c = ctx;
    term = term != 0;
    if (!c->doc->collection) return 0;
    if (!c->have_list[term]) {
        c->have_list[term] = 1;
        if (dc_store_list_rows(c->db->st, term ? DC_LIST_TERMS : DC_LIST_PERSONS,
                               c->doc->collection, list_row, &c->list[term]) != DC_OK) {
            dc_strv_release(&c->list[term]);
            return 0;
        }
    }
    const dc_strv *v = &c->list[term];
    for (size_t i = 0; i + 2 < v->n; i += 3)
        if (strcmp(v->v[i], xml_id) == 0) {
            if (name) dc_buf_puts(name, v->v[i + 1]);
            dc_buf_puts(desc, v->v[i + 2]);
            return 1;
        }
    return 0;
}

/* The HTML edition's link for a reference: "/documents/ID" of the stored
 * document it resolves to (dc_links_resolve) when the acting reader may
 * read it; 0 otherwise. */
static int html_ref_href(void *ctx, const dc_ref *ref, dc_buf *href)
{
    html_ref_ctx *c = ctx;
    const dc_doc *t = NULL;
    if (!c->have_env) dc_db_links_env(c->db, &c->env), c->have_env = 1;
    if (dc_links_resolve(&c->env, c->doc, ref, &t) != DC_OK || !t) {
        dc_db_view_unpin(c->db, t);
        return 0;
    }
    dc_buf_puts(href, "/documents/");
    for (const unsigned char *s = (const unsigned char *)t->id; *s; s++) {
        if ((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z') ||
            strchr("._~/-", *s))
            dc_buf_putc(href, (char)*s);
        else
            dc_buf_printf(href, "%%%02X", *s);
    }
    dc_db_view_unpin(c->db, t);
    return 1;
}

/* The format f of show, or NULL with the message set. */
static const dc_db_format *show_format(dc_db *db, const char *format)
{
    const dc_db_format *f = dc_db_format_find(format ? format : "text", DC_FORMAT_SHOW);
    if (!f)
        dc_db_fail(db, DC_MISUSE, "unknown format '%s' (use %s)", format,
                   dc_format_names(DC_FORMAT_SHOW));
    else if (!f->render) /* pdf, png: bytes, not text */
        return dc_db_fail(db, DC_MISUSE, "format %s is an image of a scan: see dc_db_scan_pdf",
                          f->pub.name),
               NULL;
    return f;
}

/* ---- what a page renders of a lent view (view_out) ---- */

int dc_db_snapshot_state(dc_db *db, uint64_t state[2])
{
    uint64_t snap = dc_store_snapshot(db->st);
    if (!snap) return 0;
    if (db->state_snap != snap) {
        if (dc_store_state(db->st, db->state) != DC_OK) return 0;
        db->state_snap = snap;
    }
    state[0] = db->state[0];
    state[1] = db->state[1];
    return 1;
}

/* The memo's slot of view when it lends it (pinned) and it is the acting
 * reader's, or NULL. */
static view_slot *lent_slot(dc_db *db, const dc_doc *view)
{
    for (size_t i = 0; db->views && i < VIEW_SLOTS; i++) {
        view_slot *v = &db->views[i];
        if (v->view != view || !v->pins || !v->key || !v->idlen) continue;
        dc_buf b;
        dc_buf_init(&b, 0);
        dc_db_reader_key(db, &b);
        const char *who = strchr(v->key + v->idlen + 1, '\x1f');
        int mine = !b.rc && who && strcmp(who + 1, b.p) == 0;
        dc_buf_release(&b);
        return mine ? v : NULL;
    }
    return NULL;
}

/* doc written in f into *out (owned): references linked as the reader may
 * follow them, citations with the stored header of its volume.  When the
 * handle lends doc to a read snapshot, the rendering is kept with it for
 * this state of the database and given again, not made again. */
static dc_rc render_doc(dc_db *db, const dc_db_format *f, const dc_doc *doc, char **out)
{
    *out = NULL;
    uint64_t state[2] = {0, 0};
    view_slot *slot = dc_db_snapshot_state(db, state) ? lent_slot(db, doc) : NULL;
    view_out *o = NULL;
    for (size_t k = 0; slot && k < SLOT_OUTS; k++) {
        view_out *x = &slot->outs[k];
        if (x->format == f && x->state[0] == state[0] && x->state[1] == state[1])
            return (*out = dc_strndup(x->s, x->len)) ? DC_OK : DC_NOMEM;
        if (!o && (!x->format || x->format == f)) o = x;
    }
    dc_buf b;
    dc_buf_init(&b, 0);
    html_ref_ctx hc = {.db = db, .doc = doc};
    const dc_volume *vol = NULL;
    dc_rc rc = f->cites ? dc_db_volume_borrow(db, doc->collection, &vol) : DC_OK;
    dc_render_html_opts ho = {html_ref_href, &hc, vol, html_entry};
    if (!rc) rc = f->render(doc, &ho, &b);
    dc_db_volume_return(db, vol);
    dc_strv_release(&hc.list[0]);
    dc_strv_release(&hc.list[1]);
    if (!rc && !b.rc && o && db->view_bytes - (o->s ? o->len : 0) + b.len <= VIEW_BYTES) {
        char *keep = dc_strndup(b.p ? b.p : "", b.len);
        if (keep) {
            if (o->s) slot->bytes -= o->len, db->view_bytes -= o->len;
            free(o->s);
            *o = (view_out){.format = f, .state = {state[0], state[1]}, .s = keep, .len = b.len};
            slot->bytes += b.len;
            db->view_bytes += b.len;
        }
    }
    if (!rc && !(*out = dc_buf_detach(&b))) rc = DC_NOMEM;
    dc_buf_release(&b);
    return rc;
}

/* doc (the reader's view of version of its id) written in f into *out,
 * and the read audited. */
static dc_rc show_render(dc_db *db, const dc_db_format *f, const dc_doc *doc, int version,
                         char **out)
{
    dc_rc rc = render_doc(db, f, doc, out);
    const char *fmt = f->pub.name;
    char detail[48];
    if (version)
        snprintf(detail, sizeof detail, "%s version %d", fmt, version);
    else
        snprintf(detail, sizeof detail, "%s", fmt);
    if (rc == DC_NOMEM) rc = dc_db_fail(db, rc, "out of memory");
    else if (rc) rc = dc_db_fail(db, rc, "cannot show %s: %s", doc->id, dc_strerror(rc));
    if (!rc) rc = dc_db_audit_add(db, "read", doc->id, detail);
    if (rc) {
        dc_free(*out);
        *out = NULL;
    }
    return rc;
}

dc_rc dc_db_show_view(dc_db *db, const char *id, int version, const char *format, char **out,
                      dc_doc **view)
{
    *out = NULL;
    if (view) *view = NULL;
    const dc_db_format *f = show_format(db, format);
    if (!f) return DC_MISUSE;
    if (version < 0) return dc_db_fail(db, DC_MISUSE, "bad version %d", version);
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_read(db, id, version, NULL, &doc);
    if (rc) return rc;
    rc = show_render(db, f, doc, version, out);
    if (!rc && view) *view = doc;
    else dc_doc_free(doc);
    return rc;
}

dc_rc dc_db_show_lent(dc_db *db, const char *id, const char *format, char **out,
                      const dc_doc **view)
{
    *out = NULL;
    *view = NULL;
    const dc_db_format *f = show_format(db, format);
    if (!f) return DC_MISUSE;
    /* the state of the store now, as dc_db_links_env takes it: a view the
     * memo found current in this state is lent without asking again */
    if (dc_store_max_docid(db->st, &db->links_epoch) != DC_OK) db->links_epoch = 0;
    const dc_doc *doc = NULL;
    int denied = 0;
    dc_rc rc = dc_db_view_pin(db, id, &doc, &denied);
    if (rc == DC_NOTFOUND) { /* audited as dc_db_read audits it */
        char msg[sizeof db->errmsg];
        snprintf(msg, sizeof msg, "%s", db->errmsg);
        dc_db_audit_add(db, denied ? "read-refused" : "read-missing", id, NULL);
        snprintf(db->errmsg, sizeof db->errmsg, "%s", msg);
    }
    if (rc) return rc;
    rc = show_render(db, f, doc, 0, out);
    if (rc) dc_db_view_unpin(db, doc);
    else *view = doc;
    return rc;
}

void dc_db_view_return(dc_db *db, const dc_doc *view)
{
    if (db) dc_db_view_unpin(db, view);
}

dc_rc dc_db_render(dc_db *db, const dc_doc *view, const char *format, char **out)
{
    *out = NULL;
    const dc_db_format *f =
        dc_db_format_find(format ? format : "text", DC_FORMAT_SHOW | DC_FORMAT_PAGE);
    if (!f || !f->render || !view)
        return dc_db_fail(db, DC_MISUSE, "unknown format '%s' (use %s)", format ? format : "",
                          dc_format_names(DC_FORMAT_SHOW));
    dc_rc rc = render_doc(db, f, view, out);
    if (rc == DC_NOMEM) return dc_db_fail(db, rc, "out of memory");
    if (rc) return dc_db_fail(db, rc, "cannot render %s: %s", view->id, dc_strerror(rc));
    return DC_OK;
}

dc_rc dc_db_show_version(dc_db *db, const char *id, int version, const char *format, char **out)
{
    return dc_db_show_view(db, id, version, format, out, NULL);
}

dc_rc dc_db_show(dc_db *db, const char *id, const char *format, char **out)
{
    return dc_db_show_version(db, id, 0, format, out);
}

/* A listing through the reader's eyes: unreadable documents are skipped. */
typedef struct list_filter {
    dc_db *db;
    dc_access_reader r;
    dc_summary_cb cb;
    void *ctx;
    long n;
} list_filter;

/* A readable document is listed from its columns, unless it has marked
 * portions: then title, date and type come from the reader's view (a
 * title or date may stand in a portion the reader may not read). */
static dc_rc list_one(void *ctx, const dc_doc_summary *s)
{
    list_filter *f = ctx;
    if (!dc_access_doc_readable(&f->r, s->release_status, s->classification)) return DC_OK;
    f->n++;
    if (!s->marked) return f->cb(f->ctx, s);
    dc_doc *v = NULL;
    dc_rc rc = dc_store_get(f->db->st, s->id, 0, &v);
    if (!rc) rc = dc_db_restrict(f->db, &f->r, v);
    if (rc) {
        dc_doc_free(v);
        return rc;
    }
    dc_doc_summary x = *s;
    x.title = v->title;
    x.date = v->date;
    x.doc_type = v->doc_type;
    rc = f->cb(f->ctx, &x);
    dc_doc_free(v);
    return rc;
}

dc_rc dc_db_list_in(dc_db *db, const char *collection, dc_summary_cb cb, void *ctx, long *n)
{
    list_filter f = {.db = db, .r = dc_db_reader(db), .cb = cb, .ctx = ctx};
    dc_rc rc = dc_store_list_in(db->st, collection, list_one, &f);
    if (n) *n = f.n;
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return DC_OK;
}

dc_rc dc_db_list(dc_db *db, dc_summary_cb cb, void *ctx)
{
    long n = 0;
    dc_rc rc = dc_db_list_in(db, NULL, cb, ctx, &n);
    if (rc) return rc;
    char detail[48];
    snprintf(detail, sizeof detail, "%ld documents", n);
    return dc_db_audit_add(db, "list", NULL, detail);
}

/* The public sees when and how a document changed, not who changed it or
 * from which file. */
typedef struct version_filter {
    dc_version_cb cb;
    void *ctx;
    int is_public;
} version_filter;

static dc_rc version_one(void *ctx, int k, const vrow *row, dc_doc *view, const char *hash)
{
    version_filter *f = ctx;
    dc_version_info x = {.version = k,
                         .ingested_at = row->at,
                         .source = f->is_public ? NULL : row->source,
                         .classification = view->classification,
                         .release_status = view->release_status,
                         .hash = hash};
    return f->cb(f->ctx, &x);
}

/* The reader's versions of a document the reader may read now: their
 * marking, status and hash are those of the reader's view. */
dc_rc dc_db_versions(dc_db *db, const char *id, dc_version_cb cb, void *ctx)
{
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_read(db, id, 0, "versions", &doc);
    dc_doc_free(doc);
    if (rc) return rc;
    version_filter f = {.cb = cb, .ctx = ctx, .is_public = db->user == NULL};
    rc = walk_reader_versions(db, id, version_one, &f);
    if (rc) return rc;
    return dc_db_audit_add(db, "read", id, "versions");
}
