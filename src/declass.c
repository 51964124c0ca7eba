/*
 * The facade: the only way into a declass database.  It opens the store,
 * runs ingest (file walking, format detection, one transaction per file),
 * and serves reads through the renderers.  Every read and ingest is
 * appended to the audit log.
 */
#include "declass_int.h"

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

#include "declass/access.h"
#include "declass/analysis.h"
#include "declass/index.h"
#include "declass/ingest.h"
#include "declass/query.h"
#include "declass/refs.h"
#include "declass/render.h"
#include "declass/store.h"
#include "model/model_int.h"
#include "declass/banned.h"

dc_rc dc_db_fail(dc_db *db, dc_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

dc_rc dc_db_open(const char *path, int flags, dc_db **out, dc_error *err)
{
    *out = NULL;
    if (!path || !*path) return dc_fail(err, DC_MISUSE, 0, "no database path given");
    dc_db *db = calloc(1, sizeof *db);
    if (!db) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    dc_rc rc = dc_store_open(path, (flags & DC_DB_CREATE) ? DC_STORE_CREATE : 0, &db->st, err);
    if (rc) {
        free(db);
        return rc;
    }
    dc_buf dir;
    dc_buf_init(&dir, 8192);
    dc_buf_printf(&dir, "%s.index", path);
    if (!(db->index_dir = dc_buf_detach(&dir))) {
        dc_buf_release(&dir);
        dc_db_close(db);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    *out = db;
    return DC_OK;
}

void dc_db_close(dc_db *db)
{
    if (!db) return;
    dc_index_close(db->ix);
    dc_analyzer_free(db->an);
    for (size_t i = 0; db->snippets && i < SNIPPET_SLOTS; i++) {
        free(db->snippets[i].key);
        free(db->snippets[i].snippet);
    }
    free(db->snippets);
    dc_store_close(db->st);
    free(db->index_dir);
    free(db->user);
    dc_strv_release(&db->comps);
    dc_db_persons_forget(db);
    free(db);
}

const char *dc_db_errmsg(const dc_db *db) { return db ? db->errmsg : "no database"; }

/* ---- identity ----------------------------------------------------------- */

/* The reader the access module decides for: the signed-in user, or the
 * anonymous public. */
dc_access_reader dc_db_reader(const dc_db *db)
{
    dc_access_reader r = {.is_public = db->user == NULL,
                          .level = db->user ? db->level : DC_UNCLASSIFIED,
                          .compartments = (const char *const *)db->comps.v,
                          .n_compartments = db->comps.n,
                          .roles = db->user ? db->roles : 0};
    return r;
}

/* Appends to the audit log under the acting user's name. */
dc_rc dc_db_audit_add(dc_db *db, const char *action, const char *target, const char *detail)
{
    dc_rc rc = dc_store_audit(db->st, db->user, action, target, detail);
    if (rc) dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return rc;
}

/* Parses a comma-separated list into sv (empty items skipped). */
static dc_rc split_list(const char *s, dc_strv *sv)
{
    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n) {
            dc_rc rc = dc_strv_pushn(sv, s, n);
            if (rc) return rc;
        }
        s = e ? e + 1 : s + n;
    }
    return DC_OK;
}

static int roles_of(const char *list)
{
    dc_strv sv = {0};
    int roles = 0;
    if (split_list(list, &sv) == DC_OK)
        for (size_t i = 0; i < sv.n; i++) roles |= dc_access_role_parse(sv.v[i]);
    dc_strv_release(&sv);
    return roles;
}

/* A copy of the user row a lookup found. */
typedef struct user_copy {
    int found, level, roles, disabled;
    long long generation;
    char *hash;
    dc_strv comps;
} user_copy;

static dc_rc copy_user(void *ctx, const dc_user_info *u)
{
    user_copy *c = ctx;
    c->found = 1;
    c->level = u->level;
    c->roles = roles_of(u->roles);
    c->disabled = u->disabled;
    c->generation = u->generation;
    if (!(c->hash = dc_strdup(u->hash ? u->hash : ""))) return DC_NOMEM;
    return split_list(u->compartments, &c->comps);
}

static void user_copy_release(user_copy *c)
{
    if (c->hash) sodium_memzero(c->hash, strlen(c->hash));
    free(c->hash);
    dc_strv_release(&c->comps);
}

/* Makes db act as user name (taken over) with the rights of row u
 * (released). */
static void act_as(dc_db *db, char *name, user_copy *u)
{
    dc_db_logout(db);
    db->user = name;
    db->level = u->level;
    db->roles = u->roles;
    db->generation = u->generation;
    db->comps = u->comps;
    u->comps = (dc_strv){0};
    user_copy_release(u);
}

const char *dc_db_user(const dc_db *db) { return db && db->user ? db->user : "public"; }

/*
 * Unknown user, disabled account and wrong password all give the same
 * DC_DENIED "access denied" and are audited as a refused login under the
 * name that was tried.
 */
dc_rc dc_db_login(dc_db *db, const char *name, const char *password)
{
    if (!name || !*name || strlen(name) > DC_MAX_ID)
        return dc_db_fail(db, DC_DENIED, "access denied");
    user_copy u = {0};
    dc_rc rc = dc_store_user_get(db->st, name, copy_user, &u);
    if (rc && rc != DC_NOTFOUND) {
        user_copy_release(&u);
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    /* An unknown or disabled name costs one password verification too,
     * against a hash of nothing anyone knows, so the answer's timing does
     * not tell which names exist. */
    static const char no_user_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$qUS36fqXdDmw3upj0IRg4Q$"
                                       "ZaabfygPtq6MBxkZnh4aVGcq5Mryn/pOBAsAhDcNLtw";
    int usable = !rc && u.found && !u.disabled && u.hash && *u.hash;
    int verified = dc_access_verify_password(usable ? u.hash : no_user_hash,
                                             password ? password : "");
    int ok = usable && verified;
    if (!ok) {
        user_copy_release(&u);
        dc_store_audit(db->st, name, "login-refused", NULL, NULL);
        return dc_db_fail(db, DC_DENIED, "access denied");
    }
    char *n = dc_strdup(name);
    if (!n) {
        user_copy_release(&u);
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    act_as(db, n, &u);
    return dc_db_audit_add(db, "login", NULL, NULL);
}

/* Whether the database has an enabled administrator; while it has none,
 * the first `user add` is a bootstrap and needs no identity. */
static dc_rc has_admin(dc_db *db, int *yes)
{
    long n = 0;
    dc_rc rc = dc_store_admin_count(db->st, &n);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    *yes = n > 0;
    return DC_OK;
}

/* Refuses (audited) unless the acting user holds one of the roles. */
dc_rc dc_db_require_role(dc_db *db, int roles, const char *action, const char *target)
{
    if (db->user && (db->roles & roles)) return DC_OK;
    dc_store_audit(db->st, db->user, "refused", target, action);
    return dc_db_fail(db, DC_DENIED, "access denied: %s needs the %s role", action,
                   (roles & DC_ROLE_REVIEWER) ? "reviewer" : "admin");
}

/* ---- index ------------------------------------------------------------ */

/* What on_change needs: the index batch, and the database whose views
 * (dc_db_view_doc: with persons, references and dates derived again from
 * what the reader sees) are indexed. */
typedef struct index_job {
    dc_db *db;
    dc_index_writer *w;
    uint64_t docid;    /* the version being indexed */
    const dc_doc *doc; /* its stored document */
    dc_rc failed;      /* why indexing it failed (the store's message does not say) */
    int index_failed;  /* ... in the index writer (its message says more) */
    char failed_id[DC_MAX_ID + 1];
} index_job;

/* Indexes one view of the version: the stored document itself when it is
 * every reader's view (the common case, and the hot ingest path: no
 * copy), else the view of the reader who represents it. */
static dc_rc index_view(void *ctx, const dc_access_reader *reader, const dc_access_pred *pred)
{
    index_job *j = ctx;
    dc_rc rc;
    if (dc_access_uniform(j->doc)) {
        rc = dc_index_writer_add(j->w, j->docid, j->doc, pred);
        j->index_failed = rc != DC_OK;
        return rc;
    }
    dc_doc *view = NULL;
    rc = dc_db_view_doc(j->db, reader, j->doc, &view);
    /* a reader the enumeration found may read the document */
    if (rc == DC_NOTFOUND) rc = DC_INTERNAL;
    if (!rc) {
        rc = dc_index_writer_add(j->w, j->docid, view, pred);
        j->index_failed = rc != DC_OK;
    }
    dc_doc_free(view);
    return rc;
}

static dc_rc on_change(void *ctx, uint64_t docid, const dc_doc *doc, const uint64_t *older,
                       size_t n_older)
{
    index_job *j = ctx;
    for (size_t i = 0; i < n_older; i++) {
        dc_rc rc = dc_index_writer_delete(j->w, older[i]);
        if (rc) return rc;
    }
    j->docid = docid;
    j->doc = doc;
    dc_rc rc = dc_access_each_view(doc, index_view, j);
    if (rc) {
        j->failed = rc;
        snprintf(j->failed_id, sizeof j->failed_id, "%s", doc->id ? doc->id : "?");
    }
    return rc;
}

/*
 * Opens the index (creating it) and brings it up to the store: every
 * current version added since the index's high-water mark is indexed and
 * the versions it supersedes deleted, in one index commit.  The store is
 * the truth, so an index left behind by a crash catches up here.
 *
 * Several handles (threads of a server, other processes) may share the
 * database.  This handle first refreshes its view of the index (another
 * may have committed); only if the store is still ahead does it open a
 * writer, which waits for the index lock and refreshes under it, and it
 * decides again there: if another handle caught up meanwhile there is
 * nothing to do.  So a version is indexed by exactly one handle.
 *
 * An index written in an older format (dc_index_outdated, after an
 * upgrade) is rebuilt from the store in the same way as a stale one: one
 * commit that replaces it, so readers see the old index until the new one
 * is complete.
 */
static dc_rc db_index(dc_db *db)
{
    dc_error err = {0};
    dc_rc rc;
    if (!db->ix) {
        if ((rc = dc_index_open(db->index_dir, DC_INDEX_CREATE, &db->ix, &err)) != DC_OK)
            return dc_db_fail(db, rc, "cannot open the index %s: %s", db->index_dir, err.msg);
    } else if ((rc = dc_index_refresh(db->ix)) != DC_OK) {
        return dc_db_fail(db, rc, "cannot read the index: %s", dc_index_errmsg(db->ix));
    }
    uint64_t max = 0;
    if ((rc = dc_store_max_docid(db->st, &max)) != DC_OK)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    if (max == dc_index_high_water(db->ix) && !dc_index_outdated(db->ix)) return DC_OK;
    dc_index_writer *w = NULL;
    if ((rc = dc_index_writer_open(db->ix, 0, &w)) != DC_OK)
        return dc_db_fail(db, rc, "cannot write the index: %s", dc_index_errmsg(db->ix));
    /* Under the lock: the index is current, and every version it holds
     * came from a committed store transaction, so read the store again. */
    if ((rc = dc_store_max_docid(db->st, &max)) != DC_OK) {
        dc_index_writer_abort(w);
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    uint64_t hw = dc_index_high_water(db->ix);
    int outdated = dc_index_outdated(db->ix);
    if (max == hw && !outdated) {
        dc_index_writer_abort(w); /* another handle caught up */
        return DC_OK;
    }
    if (hw > max || outdated) {
        /* An index ahead of its store belongs to another database that
         * stood at this path, and one of an older format cannot be read:
         * replace it in this commit with this one, indexed from scratch. */
        if ((rc = dc_index_writer_clear(w)) != DC_OK) {
            dc_index_writer_abort(w);
            return dc_db_fail(db, rc, "cannot replace the stale index %s: %s", db->index_dir,
                           dc_index_errmsg(db->ix));
        }
        hw = 0;
    }
    index_job job = {.db = db, .w = w};
    rc = dc_store_changes_since(db->st, hw, on_change, &job);
    if (rc) {
        char why[600];
        if (job.failed) /* a view, or the index: say which document */
            snprintf(why, sizeof why, "%s: %s", job.failed_id,
                     job.index_failed ? dc_index_errmsg(db->ix) : dc_strerror(job.failed));
        else
            snprintf(why, sizeof why, "%s", dc_store_errmsg(db->st));
        dc_index_writer_abort(w);
        return dc_db_fail(db, rc, "indexing failed: %s", why);
    }
    if ((rc = dc_index_writer_commit(w)) != DC_OK)
        return dc_db_fail(db, rc, "indexing failed: %s", dc_index_errmsg(db->ix));
    /* Each ingest adds at least one segment; past a few, searches pay for
     * every extra dictionary lookup, so merge them all. */
    if (dc_index_segment_count(db->ix) > DC_MAX_SEGMENTS &&
        (rc = dc_index_optimize(db->ix)) != DC_OK)
        return dc_db_fail(db, rc, "merging index segments failed: %s", dc_index_errmsg(db->ix));
    return DC_OK;
}

dc_rc dc_db_search_ready(dc_db *db)
{
    dc_rc rc;
    if (!db->an && (rc = dc_analyzer_new(&db->an)) != DC_OK)
        return dc_db_fail(db, rc, "cannot start the analyzer");
    return db_index(db);
}

/* ---- ingest ---------------------------------------------------------- */

/* State of the ingest of one file. */
typedef struct file_job {
    dc_db *db;
    const dc_ingest_opts *opts;
    const char *path;
    const char *folder;   /* name of the folder the file was found in */
    const char *basename; /* file name without extension */
    long n_new, n_updated, n_unchanged, n_docs;
    long n_persons, n_terms; /* list entries stored */
    int fatal; /* the store failed: stop the run (not a bad input) */
    dc_error *err;
} file_job;

/* Whether an id part is acceptable: printable, no spaces or slashes, not
 * "." or "..". */
static int id_part_ok(const char *s)
{
    if (!s || !*s || strlen(s) > DC_MAX_ID / 2 || !strcmp(s, ".") || !strcmp(s, "..")) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == '/' || *p == 0x7f) return 0;
    return 1;
}

/* Whether code point cp is a space, a separator or an invisible control
 * or format character (Unicode categories Zs, Zl, Zp, Cc, Cf). */
static int cp_blank(unsigned cp)
{
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0xa0) || cp == 0xad) return 1;
    return cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
           (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff ||
           (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0x180e;
}

int dc_collection_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > DC_MAX_ID / 2 || s[0] == '.' || !dc_utf8_valid(s, n, NULL)) return 0;
    for (size_t i = 0; i < n;) {
        unsigned cp = 0;
        size_t k = dc_utf8_decode(s + i, n - i, &cp);
        if (!k || cp == ' ' || cp == '/' || cp == '\\' || cp_blank(cp)) return 0;
        i += k;
    }
    return 1;
}

/* The rule dc_collection_name_ok keeps, for messages. */
#define COLLECTION_RULE                                                                      \
    "a collection name is 1-128 bytes, does not start with '.' and has no '/', '\\', "       \
    "spaces or control characters"

/* name made safe to print in a message: at most 64 bytes, control bytes
 * as '?'. */
static void printable_name(const char *name, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)(name ? name : "");
    size_t k = 0;
    for (; *p && k + 1 < cap && k < 64; p++) out[k++] = *p < 0x20 || *p == 0x7f ? '?' : (char)*p;
    out[k] = '\0';
}

/* DC_MISUSE with the rule when a given --collection is not acceptable. */
static dc_rc check_collection_opt(dc_db *db, const char *collection)
{
    if (!collection || dc_collection_name_ok(collection)) return DC_OK;
    char shown[80];
    printable_name(collection, shown, sizeof shown);
    return dc_db_fail(db, DC_MISUSE, "bad collection name '%s': " COLLECTION_RULE, shown);
}

/* 1 if two possibly NULL strings are equal. */
static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Re-ingesting a reviewed document must not undo its review.  Each portion
 * of the stored current version that was withheld or re-marked is matched
 * to the new portion with the same id and the same text, which inherits
 * its withholding and marking.  A withheld portion with no such match
 * (the source changed there) cannot be carried over safely, so the new
 * version is stored "under-review" (not public) until a reviewer releases
 * it again.
 */
static dc_rc carry_review(dc_db *db, dc_doc *doc)
{
    dc_doc *cur = NULL;
    dc_rc rc = dc_store_get(db->st, doc->id, 0, &cur);
    if (rc == DC_NOTFOUND) return DC_OK;
    if (rc) return rc;
    int lost = 0;
    for (size_t i = 0; !rc && i < cur->n_portions; i++) {
        const dc_portion *o = &cur->portions[i];
        dc_portion *p = NULL;
        for (size_t k = 0; k < doc->n_portions && !p; k++)
            if (same_str(doc->portions[k].id, o->id) && same_str(doc->portions[k].text, o->text))
                p = &doc->portions[k];
        if (!p) {
            lost |= o->withheld;
            continue;
        }
        if (o->withheld && !p->withheld) {
            p->withheld = 1;
            rc = dc_str_set(&p->withheld_reason, o->withheld_reason);
        }
        if (!rc && o->classification && !same_str(o->classification, p->classification))
            rc = dc_str_set(&p->classification, o->classification);
        for (size_t k = 0; !rc && k < o->compartments.n; k++)
            rc = dc_strv_add_unique(&p->compartments, o->compartments.v[k]);
    }
    if (!rc && lost) rc = dc_str_set(&doc->release_status, "under-review");
    if (!rc && !lost && same_str(doc->release_status, cur->release_status))
        rc = dc_str_set(&doc->release_date, cur->release_date);
    dc_doc_free(cur);
    return rc;
}

/* Completes a parsed document (id, collection, release status, references)
 * and stores it.  Takes ownership of doc. */
static dc_rc job_store(void *ctx, dc_doc *doc)
{
    file_job *job = ctx;
    dc_rc rc = DC_OK;
    const char *coll = job->opts->collection;
    if (!coll || doc->collection) coll = doc->collection ? doc->collection : job->folder;
    if (!rc) rc = dc_str_set(&doc->collection, coll);
    if (!rc && !doc->local_id) rc = dc_str_set(&doc->local_id, job->basename);
    if (!rc && !dc_collection_name_ok(doc->collection)) {
        char shown[80];
        printable_name(doc->collection, shown, sizeof shown);
        rc = dc_fail(job->err, DC_PARSE, 0, "bad collection name '%s': " COLLECTION_RULE, shown);
    }
    if (!rc && !id_part_ok(doc->local_id)) {
        rc = dc_fail(job->err, DC_PARSE, 0, "cannot make a document id from collection '%s' "
                     "and name '%s' (spaces, slashes or too long)",
                     doc->collection, doc->local_id);
    }
    if (!rc) {
        char id[DC_MAX_ID + 2];
        snprintf(id, sizeof id, "%s/%s", doc->collection, doc->local_id);
        rc = dc_str_set(&doc->id, id);
    }
    if (!rc) rc = dc_refs_enrich(doc);
    if (!rc) rc = dc_ingest_date_from_text(doc);
    if (!rc && same_str(doc->format, "text")) rc = dc_db_persons_match(job->db, doc);
    /* Fail safe (DESIGN.md, Security rules): a document marked above
     * UNCLASSIFIED that is not a published edition is stored classified;
     * so is one whose marking is not a known level ("LIMITED OFFICIAL USE"). */
    if (!rc) {
        int marked = doc->classification &&
                     dc_level_parse(doc->classification) != DC_UNCLASSIFIED;
        const char *status = job->opts->released ? "released" : marked ? "classified"
                                                                       : "released";
        rc = dc_str_set(&doc->release_status, status);
    }
    if (!rc && (rc = carry_review(job->db, doc)) != DC_OK && rc != DC_NOMEM)
        dc_fail(job->err, rc, 0, "cannot read the stored %s: %s", doc->id,
                dc_store_errmsg(job->db->st));
    if (rc == DC_NOMEM) dc_fail(job->err, rc, 0, "out of memory");
    if (rc && rc != DC_NOMEM && rc != DC_PARSE) job->fatal = 1;
    dc_put_result res = 0;
    if (!rc) {
        rc = dc_store_put(job->db->st, doc, job->path, &res, NULL);
        job->fatal = rc != DC_OK && rc != DC_MISUSE;
        if (rc) dc_fail(job->err, rc, 0, "cannot store %s: %s", doc->id,
                        dc_store_errmsg(job->db->st));
    }
    if (!rc) {
        job->n_docs++;
        if (res == DC_PUT_NEW) job->n_new++;
        if (res == DC_PUT_UPDATED) job->n_updated++;
        if (res == DC_PUT_UNCHANGED) job->n_unchanged++;
    }
    dc_doc_free(doc);
    return rc;
}

/* The collection of a list entry or of a persName's document: the file's
 * volume, else --collection, else the file's name or folder (as job_store
 * decides for documents). */
static const char *job_collection(const file_job *job, const char *found, int from_name)
{
    if (job->opts->collection && (!found || from_name)) return job->opts->collection;
    return found ? found : job->folder;
}

/* Stores one entry of a volume's list of persons or terms. */
static dc_rc job_list_item(void *ctx, const dc_tei_list_item *it)
{
    file_job *job = ctx;
    int persons = strcmp(it->list, "persons") == 0;
    dc_list_row row = {.collection = job_collection(job, it->collection,
                                                    it->collection_from_name),
                       .xml_id = it->xml_id, .name = it->name, .description = it->description};
    if (!dc_collection_name_ok(row.collection)) {
        char shown[80];
        printable_name(row.collection, shown, sizeof shown);
        return dc_fail(job->err, DC_PARSE, 0, "bad collection name '%s': " COLLECTION_RULE,
                       shown);
    }
    dc_rc rc = dc_store_list_put(job->db->st, persons ? DC_LIST_PERSONS : DC_LIST_TERMS, &row);
    if (rc) {
        job->fatal = rc != DC_MISUSE;
        return dc_fail(job->err, rc, 0, "cannot store %s: %s", it->xml_id,
                       dc_store_errmsg(job->db->st));
    }
    if (persons) job->n_persons++, dc_db_persons_forget(job->db);
    else job->n_terms++;
    return DC_OK;
}

/* The canonical name a persName/@corresp points to, from the stored list. */
static const char *job_person(void *ctx, const char *collection, const char *xml_id)
{
    file_job *job = ctx;
    return dc_db_person_name(job->db, job_collection(job, collection, 0), xml_id);
}

/* Reads the first bytes of path to tell TEI from text without reading the
 * whole (possibly large) file. */
static dc_rc peek_is_xml(const char *path, int *is_xml, dc_error *err)
{
    char head[512];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return dc_fail(err, DC_IO, 0, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return dc_fail(err, DC_IO, 0, "not a regular file");
    }
    ssize_t n = read(fd, head, sizeof head);
    int e = errno;
    close(fd);
    if (n < 0) return dc_fail(err, DC_IO, 0, "cannot read: %s", strerror(e));
    *is_xml = dc_ingest_is_xml(head, (size_t)n);
    return DC_OK;
}

static dc_rc ingest_text_file(file_job *job)
{
    char *data = NULL;
    size_t len = 0;
    dc_rc rc = dc_read_file(job->path, DC_INGEST_MAX_FILE, &data, &len, job->err);
    dc_doc *doc = NULL;
    if (!rc) rc = dc_ingest_check_text(data, len, job->err);
    if (!rc) rc = dc_ingest_text(data, len, &doc, job->err);
    free(data);
    if (!rc) rc = job_store(job, doc);
    return rc;
}

/* Ingests one file in its own transaction: all of its documents or none. */
static dc_rc ingest_file(dc_db *db, const char *path, const dc_ingest_opts *opts,
                         dc_ingest_stats *st, dc_error *err, int *fatal)
{
    char folder[256] = "", base[256] = "";
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    snprintf(base, sizeof base, "%s", name);
    char *dot = strrchr(base, '.');
    if (dot && dot != base) *dot = '\0';
    if (slash) {
        const char *end = slash, *start = slash;
        while (start > path && start[-1] != '/') start--;
        snprintf(folder, sizeof folder, "%.*s", (int)(end - start), start);
    }
    if (!folder[0] || strcmp(folder, ".") == 0 || strcmp(folder, "..") == 0) {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd)) {
            const char *c = strrchr(cwd, '/');
            snprintf(folder, sizeof folder, "%s", c && c[1] ? c + 1 : "default");
        } else {
            snprintf(folder, sizeof folder, "default");
        }
    }
    file_job job = {.db = db, .opts = opts, .path = path, .folder = folder,
                    .basename = base, .err = err};
    int is_xml = 0;
    dc_rc rc = peek_is_xml(path, &is_xml, err);
    if (!rc && (rc = dc_store_begin(db->st)) != DC_OK) {
        *fatal = 1;
        return dc_fail(err, rc, 0, "%s", dc_store_errmsg(db->st));
    }
    if (rc == DC_OK) {
        dc_tei_handlers h = {.doc = job_store, .list_item = job_list_item,
                             .person = job_person, .ctx = &job};
        rc = is_xml ? dc_ingest_tei_file_with(path, &h, err) : ingest_text_file(&job);
        if (!rc && job.n_docs == 0 && job.n_persons + job.n_terms == 0)
            rc = dc_fail(err, DC_PARSE, 0, "no document found");
        if (!rc) {
            char detail[160];
            if (job.n_persons + job.n_terms == 0)
                snprintf(detail, sizeof detail, "%ld documents (%ld new, %ld updated)",
                         job.n_docs, job.n_new, job.n_updated);
            else
                snprintf(detail, sizeof detail,
                         "%ld documents (%ld new, %ld updated), %ld persons, %ld terms",
                         job.n_docs, job.n_new, job.n_updated, job.n_persons, job.n_terms);
            rc = dc_store_audit(db->st, db->user, "ingest", path, detail);
            if (!rc) rc = dc_store_commit(db->st);
            if (rc) job.fatal = 1;
        }
        if (rc) {
            *fatal = job.fatal;
            if (err->rc == DC_OK) dc_fail(err, rc, 0, "%s", dc_store_errmsg(db->st));
            dc_store_rollback(db->st);
            dc_db_persons_forget(db); /* it may hold entries rolled back */
        }
    }
    if (rc) return rc;
    st->docs_new += job.n_new;
    st->docs_updated += job.n_updated;
    st->docs_unchanged += job.n_unchanged;
    return DC_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a file found in a folder is a source declass reads: .xml and .tei
 * (TEI), .txt and .text (plain text).  A file named on the command line is
 * always read, whatever its name. */
static int ingestible_name(const char *name)
{
    static const char *const exts[] = {".xml", ".tei", ".txt", ".text"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcasecmp(name + n - e, exts[i]) == 0) return 1;
    }
    return 0;
}

/* Collects the source files under dir (recursively, hidden entries
 * skipped) into files, counting the other files in *skipped. */
static dc_rc walk(const char *dir, int depth, dc_strv *files, long *skipped, dc_error *err)
{
    if (depth > DC_MAX_WALK_DEPTH)
        return dc_fail(err, DC_LIMIT, 0, "%s: folders nested deeper than %d", dir,
                       DC_MAX_WALK_DEPTH);
    DIR *d = opendir(dir);
    if (!d) return dc_fail(err, DC_IO, 0, "%s: cannot open folder: %s", dir, strerror(errno));
    dc_strv names = {0};
    dc_rc rc = DC_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        rc = dc_strv_push(&names, e->d_name);
    }
    closedir(d);
    if (names.n) qsort(names.v, names.n, sizeof *names.v, cmp_str);
    dc_buf path;
    dc_buf_init(&path, 8192);
    for (size_t i = 0; !rc && i < names.n; i++) {
        dc_buf_reset(&path);
        dc_buf_printf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                      names.v[i]);
        if (path.rc) {
            rc = dc_fail(err, path.rc, 0, "%s: path too long", dir);
            break;
        }
        struct stat sb;
        if (stat(path.p, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = walk(path.p, depth + 1, files, skipped, err);
        else if (!ingestible_name(names.v[i]))
            (*skipped)++;
        else if (files->n >= DC_MAX_WALK_FILES)
            rc = dc_fail(err, DC_LIMIT, 0, "more than %d files", DC_MAX_WALK_FILES);
        else
            rc = dc_strv_push(files, path.p); /* unreadable entries fail at ingest */
    }
    dc_buf_release(&path);
    dc_strv_release(&names);
    return rc;
}

dc_rc dc_db_ingest(dc_db *db, const char *path, const dc_ingest_opts *opts,
                   dc_ingest_stats *st)
{
    dc_error err = {0};
    struct stat sb;
    dc_strv files = {0};
    dc_rc rc;
    if ((rc = check_collection_opt(db, opts->collection)) != DC_OK) return rc;
    /* Once the database has an administrator, only administrators ingest. */
    int admin = 0;
    if ((rc = has_admin(db, &admin)) != DC_OK) return rc;
    if (admin && (rc = dc_db_require_role(db, DC_ROLE_ADMIN, "ingest", path)) != DC_OK) return rc;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        rc = walk(path, 0, &files, &st->files_skipped, &err);
        if (rc) {
            dc_strv_release(&files);
            return dc_db_fail(db, rc, "%s", err.msg);
        }
    } else if ((rc = dc_strv_push(&files, path)) != DC_OK) {
        return dc_db_fail(db, rc, "out of memory");
    }
    dc_rc worst = DC_OK;
    dc_db_persons_forget(db); /* lists another process stored since */
    for (size_t i = 0; i < files.n; i++) {
        struct stat fs;
        memset(&err, 0, sizeof err);
        st->files++;
        int fatal = 0;
        rc = ingest_file(db, files.v[i], opts, st, &err, &fatal);
        if (stat(files.v[i], &fs) == 0) st->bytes += (unsigned long long)fs.st_size;
        if (rc) {
            st->files_failed++;
            if (opts->on_error) opts->on_error(opts->ctx, files.v[i], &err);
            /* Bad input is reported and skipped; anything else stops the run. */
            if (!fatal && rc != DC_NOMEM) {
                if (!worst) worst = DC_PARSE;
                rc = DC_OK;
            } else {
                dc_db_fail(db, rc, "%s: %s", files.v[i], err.msg);
                break;
            }
        }
        if (opts->progress) opts->progress(opts->ctx, st, files.v[i]);
    }
    dc_strv_release(&files);
    if (rc) return rc;
    if (st->docs_new + st->docs_updated > 0 && (rc = db_index(db)) != DC_OK) return rc;
    if (worst) dc_db_fail(db, worst, "%ld of %ld files could not be ingested", st->files_failed,
                       st->files);
    return worst;
}

/* ---- reading --------------------------------------------------------- */

/* The message of a document that does not exist, and of one the reader may
 * not read: the same, so a refusal tells nothing. */
static dc_rc no_document(dc_db *db, const char *id)
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
    char *json = NULL;
    dc_rc rc = dc_doc_to_json(doc, 0, &json);
    if (!rc) rc = dc_doc_from_json(json, strlen(json), out);
    dc_free(json);
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
    return rc;
}

/*
 * Loads a version (0: current) of id and returns the reader's view of it.
 * Whether the reader may open the document is decided first, from the
 * current version's columns (and the old version's, asked for one): a
 * refusal loads no body, so it costs what a missing id costs.  A
 * document the reader may not read now is DC_NOTFOUND with the message
 * of a missing one, whatever version is asked for, and *denied is set
 * (for the audit log).
 */
static dc_rc view_stored(dc_db *db, const char *id, int version, dc_doc **out, int *denied)
{
    *out = NULL;
    *denied = 0;
    if (!id || !*id || strlen(id) > DC_MAX_ID || version < 0) return no_document(db, id);
    dc_access_reader r = dc_db_reader(db);
    const int asked[2] = {0, version}; /* today's version, then the one asked for */
    for (int i = 0; i < (version ? 2 : 1); i++) {
        char *status = NULL, *cls = NULL;
        dc_rc rc = dc_store_status(db->st, id, asked[i], &status, &cls);
        if (rc == DC_NOTFOUND) return no_document(db, id);
        if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
        int ok = dc_access_doc_readable(&r, status, cls);
        free(status);
        free(cls);
        if (!ok) {
            *denied = 1;
            return no_document(db, id);
        }
    }
    dc_doc *doc = NULL, *cur = NULL;
    dc_rc rc = dc_store_get(db->st, id, version, &doc);
    if (!rc && version) rc = dc_store_get(db->st, id, 0, &cur);
    if (!rc && cur) rc = apply_today(doc, cur);
    dc_doc_free(cur);
    if (rc == DC_NOTFOUND) {
        dc_doc_free(doc);
        return no_document(db, id);
    }
    if (!rc) rc = dc_db_restrict(db, &r, doc);
    if (!rc) {
        *out = doc;
        return DC_OK;
    }
    dc_doc_free(doc);
    if (rc == DC_NOTFOUND) {
        *denied = 1;
        return no_document(db, id);
    }
    if (rc == DC_NOMEM) return dc_db_fail(db, rc, "out of memory");
    if (rc) return dc_db_fail(db, rc, "cannot read %s: %s", id, dc_store_errmsg(db->st));
    return DC_OK;
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
    if (r->n == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 16;
        vrow *x = nc <= DC_MAX_VERSIONS ? realloc(r->v, nc * sizeof *x) : NULL;
        if (!x) return r->rc = nc <= DC_MAX_VERSIONS ? DC_NOMEM : DC_LIMIT;
        r->v = x, r->cap = nc;
    }
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
        rc = view_stored(db, id, rows.v[i].version, &v, &denied);
        if (rc == DC_NOTFOUND) {
            rc = DC_OK; /* a version the reader may not open: none for them */
            continue;
        }
        char *json = NULL;
        if (!rc) rc = dc_doc_to_json(v, 0, &json);
        unsigned char h[32];
        if (!rc) crypto_generichash(h, sizeof h, (const unsigned char *)json, strlen(json), NULL, 0);
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
    char *json = NULL;
    dc_rc rc = dc_doc_to_json(view, 0, &json);
    if (!rc) rc = dc_doc_from_json(json, strlen(json), &f->view);
    dc_free(json);
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
    if (version <= 0) return view_stored(db, id, version, out, denied);
    *out = NULL;
    *denied = 0;
    dc_rc rc = view_stored(db, id, 0, out, denied); /* may the reader open it now? */
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
    return no_document(db, id);
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

/* What html_ref_href resolves against: the database and the volume of
 * the document being shown. */
typedef struct html_ref_ctx {
    dc_db *db;
    const dc_doc *doc;
} html_ref_ctx;

/* The HTML edition's link for a reference: "/documents/ID" of the stored
 * document it resolves to (resolve_ref) when the acting reader may read
 * it; 0 otherwise. */
static int html_ref_href(void *ctx, const dc_ref *ref, dc_buf *href)
{
    const html_ref_ctx *c = ctx;
    dc_doc *t = NULL;
    if (dc_db_resolve_ref(c->db, c->doc, ref, &t) != DC_OK || !t) return 0;
    dc_buf_puts(href, "/documents/");
    for (const unsigned char *s = (const unsigned char *)t->id; *s; s++) {
        if ((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z') ||
            strchr("._~/-", *s))
            dc_buf_putc(href, (char)*s);
        else
            dc_buf_printf(href, "%%%02X", *s);
    }
    dc_doc_free(t);
    return 1;
}

dc_rc dc_db_show_version(dc_db *db, const char *id, int version, const char *format, char **out)
{
    *out = NULL;
    int json = format && strcmp(format, "json") == 0;
    int html = format && strcmp(format, "html") == 0;
    static const char *const more[] = {"tei", "cite", "bibtex", "ris"};
    int other = -1;
    for (int i = 0; format && i < 4; i++)
        if (strcmp(format, more[i]) == 0) other = i;
    if (format && !json && !html && other < 0 && strcmp(format, "text") != 0)
        return dc_db_fail(db, DC_MISUSE,
                          "unknown format '%s' (use text, json, html, tei, cite, bibtex or ris)",
                          format);
    if (version < 0) return dc_db_fail(db, DC_MISUSE, "bad version %d", version);
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_read(db, id, version, NULL, &doc);
    if (rc) return rc;
    dc_buf b;
    dc_buf_init(&b, 0);
    if (html) {
        html_ref_ctx hc = {db, doc};
        dc_render_html_opts ho = {html_ref_href, &hc};
        rc = dc_render_html(doc, &ho, &b);
    } else if (other == 0) {
        rc = dc_render_tei(doc, NULL, &b);
    } else if (other == 1) {
        rc = dc_render_cite(doc, &b);
    } else if (other == 2) {
        rc = dc_render_bibtex(doc, &b);
    } else if (other == 3) {
        rc = dc_render_ris(doc, &b);
    } else {
        rc = json ? dc_render_json(doc, &b) : dc_render_text(doc, &b);
    }
    dc_doc_free(doc);
    const char *fmt = html ? "html" : json ? "json" : other >= 0 ? more[other] : "text";
    char detail[48];
    if (version)
        snprintf(detail, sizeof detail, "%s version %d", fmt, version);
    else
        snprintf(detail, sizeof detail, "%s", fmt);
    if (!rc) rc = dc_store_audit(db->st, db->user, "read", id, detail);
    if (rc) {
        dc_buf_release(&b);
        return dc_db_fail(db, rc, "cannot show %s: %s", id, dc_strerror(rc));
    }
    *out = dc_buf_detach(&b);
    return *out ? DC_OK : dc_db_fail(db, DC_NOMEM, "out of memory");
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

dc_rc dc_db_list(dc_db *db, dc_summary_cb cb, void *ctx)
{
    list_filter f = {.db = db, .r = dc_db_reader(db), .cb = cb, .ctx = ctx};
    dc_rc rc = dc_store_list(db->st, list_one, &f);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    char detail[48];
    snprintf(detail, sizeof detail, "%ld documents", f.n);
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

/* ---- search ---------------------------------------------------------- */

#define DC_SNIPPET_WIDTH 240

/* A search page and the storage behind it. */
typedef struct page_impl {
    dc_search_page pub;
    dc_search_result *res;
    dc_search_hit *hits;
    char **snippets;
} page_impl;

void dc_search_page_free(dc_search_page *page)
{
    if (!page) return;
    page_impl *p = (page_impl *)page;
    for (size_t i = 0; p->snippets && i < p->pub.n_hits; i++) free(p->snippets[i]);
    free(p->snippets);
    free(p->hits);
    dc_search_result_free(p->res);
    free(p);
}

/* The cache key of a snippet (see snippet_slot) in b; FNV-1a hash. */
static uint64_t snippet_key(const dc_db *db, const dc_search_request *req, uint64_t docid,
                            dc_buf *b)
{
    dc_buf_printf(b, "%llu\x1f", (unsigned long long)docid);
    if (db->user) {
        dc_buf_printf(b, "%d", db->level);
        for (size_t i = 0; i < db->comps.n; i++) dc_buf_printf(b, ",%s", db->comps.v[i]);
    } else {
        dc_buf_puts(b, "public");
    }
    dc_buf_printf(b, "\x1f%s\x1f%s\x1f%s", req->query, req->mark_open ? req->mark_open : "",
                  req->mark_close ? req->mark_close : "");
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < b->len; i++) h = (h ^ (unsigned char)b->p[i]) * 1099511628211ULL;
    return h;
}

/* The snippet of hit h: the reader's view of the stored document (so only
 * text the reader may read, with withheld portions already replaced), the
 * best window.  A document that vanished since the search gets an empty
 * one. */
static dc_rc hit_snippet(dc_db *db, const dc_query *q, const dc_search_request *req,
                         const dc_hit *h, char **out)
{
    *out = NULL;
    dc_buf key;
    dc_buf_init(&key, DC_QUERY_MAX_LEN + 4096);
    uint64_t hash = snippet_key(db, req, h->docid, &key);
    snippet_slot *slot = NULL;
    if (!key.rc) {
        if (!db->snippets) db->snippets = calloc(SNIPPET_SLOTS, sizeof *db->snippets);
        if (db->snippets) slot = &db->snippets[hash % SNIPPET_SLOTS];
    }
    if (slot && slot->key && slot->hash == hash && strcmp(slot->key, key.p) == 0) {
        dc_buf_release(&key);
        return (*out = dc_strdup(slot->snippet)) ? DC_OK : DC_NOMEM;
    }
    dc_doc *doc = NULL;
    int denied = 0;
    dc_rc rc = dc_db_view(db, h->id, 0, &doc, &denied);
    if (rc == DC_NOTFOUND) {
        dc_buf_release(&key);
        return (*out = dc_strdup("")) ? DC_OK : DC_NOMEM;
    }
    dc_buf b;
    dc_buf_init(&b, 64 * 1024);
    if (!rc)
        rc = dc_index_snippet(db->an, q, doc, DC_SNIPPET_WIDTH,
                              req->mark_open ? req->mark_open : "<mark>",
                              req->mark_close ? req->mark_close : "</mark>", &b);
    dc_doc_free(doc);
    if (!rc && !(*out = dc_buf_detach(&b))) rc = DC_NOMEM;
    dc_buf_release(&b);
    if (!rc && slot) {
        char *k = dc_buf_detach(&key), *v = dc_strdup(*out);
        if (k && v) {
            free(slot->key);
            free(slot->snippet);
            *slot = (snippet_slot){.hash = hash, .key = k, .snippet = v};
        } else {
            free(k);
            free(v);
        }
    }
    dc_buf_release(&key);
    return rc;
}

/* Whether a date filter is NULL, empty, or YYYY[-MM[-DD]] with a month
 * 01-12 and a day 01-31. */
static int date_ok(const char *d)
{
    if (!d || !*d) return 1;
    size_t n = strlen(d);
    if (n != 4 && n != 7 && n != 10) return 0;
    for (size_t i = 0; i < n; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9')) return 0;
    }
    int m = n >= 7 ? (d[5] - '0') * 10 + (d[6] - '0') : 1;
    int day = n == 10 ? (d[8] - '0') * 10 + (d[9] - '0') : 1;
    return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

dc_rc dc_db_search(dc_db *db, const dc_search_request *req, dc_search_page **out)
{
    *out = NULL;
    if (!req || !req->query) return dc_db_fail(db, DC_MISUSE, "no query");
    if (!date_ok(req->from) || !date_ok(req->to))
        return dc_db_fail(db, DC_MISUSE, "bad date '%s' (use YYYY, YYYY-MM or YYYY-MM-DD)",
                          date_ok(req->from) ? req->to : req->from);
    if (req->limit > DC_SEARCH_MAX_LIMIT)
        return dc_db_fail(db, DC_MISUSE, "--limit is at most %d", DC_SEARCH_MAX_LIMIT);
    int level = -1;
    if (req->classification && (level = dc_level_parse(req->classification)) < 0)
        return dc_db_fail(db, DC_MISUSE, "unknown classification '%s' (use UNCLASSIFIED, "
                       "CONFIDENTIAL, SECRET or TOP SECRET)", req->classification);
    dc_rc rc;
    if ((rc = dc_db_search_ready(db)) != DC_OK) return rc;
    dc_error err = {0};
    dc_query *q = NULL;
    dc_access_reader reader = dc_db_reader(db);
    rc = dc_query_parse(db->an, req->query, strlen(req->query), &q, &err);
    if (rc) return dc_db_fail(db, rc, "bad query: %s", err.msg);
    dc_search_opts opts = {.limit = req->limit ? req->limit : 10,
                           .offset = req->offset,
                           .from = req->from,
                           .to = req->to,
                           .classification = level,
                           .collection = req->collection,
                           .doc_type = req->doc_type && *req->doc_type ? req->doc_type : NULL,
                           .reader = &reader};
    page_impl *p = calloc(1, sizeof *p);
    if (!p) rc = DC_NOMEM;
    if (!rc && (rc = dc_index_search(db->ix, db->an, q, &opts, &p->res)) != DC_OK)
        dc_db_fail(db, rc, "search failed: %s", dc_index_errmsg(db->ix));
    size_t n = rc ? 0 : p->res->n_hits;
    if (!rc && n) {
        p->hits = calloc(n, sizeof *p->hits);
        p->snippets = calloc(n, sizeof *p->snippets);
        if (!p->hits || !p->snippets) rc = DC_NOMEM;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        const dc_hit *h = &p->res->hits[i];
        rc = hit_snippet(db, q, req, h, &p->snippets[i]);
        p->hits[i] = (dc_search_hit){.id = h->id, .title = h->title, .date = h->date,
                                     .classification = h->classification, .score = h->score,
                                     .snippet = p->snippets[i]};
        p->pub.n_hits = i + 1;
    }
    dc_query_free(q);
    if (!rc) {
        p->pub.total = p->res->total;
        p->pub.hits = p->hits;
        p->pub.facets = p->res->facets;
        p->pub.n_facets = p->res->n_facets;
        char detail[64];
        snprintf(detail, sizeof detail, "%llu hits", (unsigned long long)p->pub.total);
        rc = dc_db_audit_add(db, "search", req->query, detail);
    }
    if (rc) {
        if (rc == DC_NOMEM) dc_db_fail(db, rc, "out of memory");
        dc_search_page_free(p ? &p->pub : NULL);
        return rc;
    }
    *out = &p->pub;
    return DC_OK;
}

/* A number as cJSON prints one: 15 significant digits when they give the
 * value back, else 17. */
static void json_num(dc_buf *b, double v)
{
    char s[32];
    if (v == (double)(long long)v && v > -1e15 && v < 1e15) {
        snprintf(s, sizeof s, "%lld", (long long)v);
    } else {
        snprintf(s, sizeof s, "%1.15g", v);
        if (strtod(s, NULL) != v) snprintf(s, sizeof s, "%1.17g", v);
    }
    dc_buf_puts(b, s);
}

/*
 * Writes the page directly (a search answer is built on every request of
 * the reading room, and a cJSON tree cost a third of a cached search):
 * one line per hit and per facet.
 */
dc_rc dc_search_page_json(const dc_search_page *page, const dc_search_request *req, char **out)
{
    *out = NULL;
    dc_buf b;
    dc_buf_init(&b, (size_t)256 << 20);
    dc_buf_puts(&b, "{\"query\": ");
    dc_json_put_str(&b, req->query);
    dc_buf_puts(&b, ", \"total\": ");
    json_num(&b, (double)page->total);
    dc_buf_puts(&b, ", \"hits\": [");
    for (size_t i = 0; i < page->n_hits; i++) {
        const dc_search_hit *h = &page->hits[i];
        dc_buf_puts(&b, i ? ",\n  {\"id\": " : "\n  {\"id\": ");
        dc_json_put_str(&b, h->id);
        dc_buf_puts(&b, ", \"title\": ");
        dc_json_put_str(&b, h->title);
        dc_buf_puts(&b, ", \"date\": ");
        dc_json_put_str(&b, h->date);
        dc_buf_puts(&b, ", \"classification\": ");
        dc_json_put_str(&b, h->classification);
        dc_buf_puts(&b, ", \"score\": ");
        json_num(&b, h->score);
        dc_buf_puts(&b, ", \"snippet\": ");
        dc_json_put_str(&b, h->snippet);
        dc_buf_putc(&b, '}');
    }
    dc_buf_puts(&b, page->n_hits ? "\n], \"facets\": {" : "], \"facets\": {");
    for (size_t i = 0; i < page->n_facets; i++) {
        const dc_facet *f = &page->facets[i];
        dc_buf_puts(&b, i ? ",\n  " : "\n  ");
        dc_json_put_str(&b, f->name);
        dc_buf_puts(&b, ": [");
        for (size_t j = 0; j < f->n_values; j++) {
            dc_buf_puts(&b, j ? ", {\"value\": " : "{\"value\": ");
            dc_json_put_str(&b, f->values[j].value);
            dc_buf_puts(&b, ", \"count\": ");
            json_num(&b, (double)f->values[j].count);
            dc_buf_putc(&b, '}');
        }
        dc_buf_putc(&b, ']');
    }
    dc_buf_puts(&b, page->n_facets ? "\n}}\n" : "}}\n");
    dc_rc rc = b.rc;
    if (!rc && !(*out = dc_buf_detach(&b))) rc = DC_NOMEM;
    dc_buf_release(&b);
    return rc;
}

dc_rc dc_db_optimize(dc_db *db)
{
    dc_rc rc = db_index(db);
    if (!rc && (rc = dc_index_optimize(db->ix)) != DC_OK)
        dc_db_fail(db, rc, "%s", dc_index_errmsg(db->ix));
    return rc;
}

/* The current versions of the store (docid and id), for dc_db_check. */
typedef struct cur_versions {
    uint64_t *docids;
    char **ids;
    size_t n, cap;
} cur_versions;

static dc_rc collect_current(void *ctx, uint64_t docid, const dc_doc *doc, const uint64_t *older,
                             size_t n_older)
{
    cur_versions *v = ctx;
    (void)older, (void)n_older;
    if (v->n == v->cap) {
        size_t nc = v->cap ? 2 * v->cap : 256;
        uint64_t *d = realloc(v->docids, nc * sizeof *d);
        if (!d) return DC_NOMEM;
        v->docids = d;
        char **i = realloc(v->ids, nc * sizeof *i);
        if (!i) return DC_NOMEM;
        v->ids = i;
        v->cap = nc;
    }
    if (!(v->ids[v->n] = dc_strdup(doc->id ? doc->id : ""))) return DC_NOMEM;
    v->docids[v->n++] = docid;
    return DC_OK;
}

dc_rc dc_db_check(dc_db *db)
{
    /* The store's tamper evidence first: the audit chain and triggers. */
    dc_rc rc = dc_store_verify(db->st);
    if (rc) return dc_db_fail(db, rc, "store: %s", dc_store_errmsg(db->st));
    if ((rc = db_index(db)) != DC_OK) return rc;
    dc_error err = {0};
    if ((rc = dc_index_check(db->ix, &err)) != DC_OK)
        return dc_db_fail(db, rc, "index: %s", err.msg);
    long docs = 0;
    if ((rc = dc_store_count(db->st, &docs)) != DC_OK)
        return dc_db_fail(db, rc, "store: %s", dc_store_errmsg(db->st));
    if ((uint64_t)docs != dc_index_doc_count(db->ix))
        return dc_db_fail(db, DC_CORRUPT, "the store has %ld documents but the index %llu", docs,
                       (unsigned long long)dc_index_doc_count(db->ix));
    /* Every current version (hash and JSON verified on the way) indexed
     * exactly once under its id, and nothing else live in the index. */
    cur_versions v = {0};
    rc = dc_store_changes_since(db->st, 0, collect_current, &v);
    if (rc)
        dc_db_fail(db, rc, "store: %s", dc_store_errmsg(db->st));
    else if ((long)v.n != docs)
        rc = dc_db_fail(db, DC_CORRUPT, "the store has %ld documents but %zu current versions",
                        docs, v.n);
    else if ((rc = dc_index_check_docs(db->ix, v.docids, (const char *const *)v.ids, v.n,
                                       &err)) != DC_OK)
        dc_db_fail(db, rc, "%s", err.msg);
    for (size_t i = 0; i < v.n; i++) free(v.ids[i]);
    free(v.ids);
    free(v.docids);
    return rc;
}

/* ---- users ---------------------------------------------------------------- */

/* A user name: 1-64 bytes of letters, digits, '.', '_', '-'. */
static int user_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || strcmp(s, "public") == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* A compartment name: 1-64 bytes of upper-case letters, digits, '-', '_'. */
static int compartment_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static void join_list(dc_buf *b, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) dc_buf_putc(b, ',');
        dc_buf_puts(b, v[i]);
    }
}

dc_rc dc_db_user_add(dc_db *db, const dc_user_spec *u, int *made_admin)
{
    if (made_admin) *made_admin = 0;
    if (!u || !user_name_ok(u->name))
        return dc_db_fail(db, DC_MISUSE, "bad user name '%s' (letters, digits, '.', '_', '-'; "
                       "not 'public')", u && u->name ? u->name : "");
    if (u->level < DC_UNCLASSIFIED || u->level > DC_TOP_SECRET)
        return dc_db_fail(db, DC_MISUSE, "bad clearance");
    for (size_t i = 0; i < u->n_compartments; i++)
        if (!compartment_ok(u->compartments[i]))
            return dc_db_fail(db, DC_MISUSE, "bad compartment '%s' (upper-case letters, digits, "
                           "'-', '_')", u->compartments[i]);
    if (!u->password || !*u->password) return dc_db_fail(db, DC_MISUSE, "empty password");
    int admin = 0;
    dc_rc rc = has_admin(db, &admin);
    if (rc) return rc;
    int roles = u->roles ? u->roles : DC_ROLE_READER;
    if (admin) {
        if ((rc = dc_db_require_role(db, DC_ROLE_ADMIN, "user add", u->name)) != DC_OK) return rc;
    } else {
        /* Bootstrap: the first account administers the database. */
        roles |= DC_ROLE_ADMIN;
        if (made_admin) *made_admin = 1;
    }
    char *hash = NULL;
    if ((rc = dc_access_hash_password(u->password, &hash)) != DC_OK)
        return dc_db_fail(db, rc, "cannot hash the password: %s", dc_strerror(rc));
    dc_buf comps, rl;
    dc_buf_init(&comps, 0);
    dc_buf_init(&rl, 0);
    join_list(&comps, u->compartments, u->n_compartments);
    static const char *const names[] = {"reader", "reviewer", "admin"};
    const char *picked[3];
    size_t np = 0;
    for (int i = 0; i < 3; i++)
        if (roles & (1 << i)) picked[np++] = names[i];
    join_list(&rl, picked, np);
    rc = comps.rc ? comps.rc : rl.rc;
    if (!rc) rc = dc_store_user_add(db->st, u->name, hash, u->level, comps.p ? comps.p : "",
                                    rl.p ? rl.p : "reader");
    if (rc) dc_db_fail(db, rc, "%s", rc == DC_NOMEM ? "out of memory" : dc_store_errmsg(db->st));
    char detail[256];
    if (!rc) {
        snprintf(detail, sizeof detail, "clearance %s; compartments %s; roles %s",
                 dc_level_name(u->level), comps.p && *comps.p ? comps.p : "none",
                 rl.p ? rl.p : "reader");
        rc = dc_db_audit_add(db, "user-add", u->name, detail);
    }
    sodium_memzero(hash, strlen(hash));
    free(hash);
    dc_buf_release(&comps);
    dc_buf_release(&rl);
    return rc;
}

/* Hides the password hash from whoever lists users. */
typedef struct user_list_ctx {
    dc_user_cb cb;
    void *ctx;
} user_list_ctx;

static dc_rc user_list_one(void *ctx, const dc_user_info *u)
{
    user_list_ctx *c = ctx;
    dc_user_info pub = *u;
    pub.hash = NULL;
    return c->cb(c->ctx, &pub);
}

dc_rc dc_db_user_list(dc_db *db, dc_user_cb cb, void *ctx)
{
    dc_rc rc = dc_db_require_role(db, DC_ROLE_ADMIN, "user list", NULL);
    if (rc) return rc;
    user_list_ctx c = {cb, ctx};
    if ((rc = dc_store_user_list(db->st, user_list_one, &c)) != DC_OK)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return dc_db_audit_add(db, "user-list", NULL, NULL);
}

/* An admin changes anyone's password; a user may change their own. */
dc_rc dc_db_user_passwd(dc_db *db, const char *name, const char *password)
{
    dc_rc rc;
    if (!(db->user && name && strcmp(db->user, name) == 0) &&
        (rc = dc_db_require_role(db, DC_ROLE_ADMIN, "user passwd", name)) != DC_OK)
        return rc;
    if (!password || !*password) return dc_db_fail(db, DC_MISUSE, "empty password");
    char *hash = NULL;
    if ((rc = dc_access_hash_password(password, &hash)) != DC_OK)
        return dc_db_fail(db, rc, "cannot hash the password: %s", dc_strerror(rc));
    rc = dc_store_user_set_hash(db->st, name, hash);
    sodium_memzero(hash, strlen(hash));
    free(hash);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return dc_db_audit_add(db, "user-passwd", name, NULL);
}

/* Disables an account; the last enabled administrator cannot be removed
 * (that would reopen the bootstrap). */
dc_rc dc_db_user_del(dc_db *db, const char *name)
{
    dc_rc rc = dc_db_require_role(db, DC_ROLE_ADMIN, "user del", name);
    if (rc) return rc;
    user_copy u = {0};
    rc = dc_store_user_get(db->st, name ? name : "", copy_user, &u);
    int target_admin = !rc && !u.disabled && (u.roles & DC_ROLE_ADMIN);
    int disabled = !rc && u.disabled;
    user_copy_release(&u);
    if (rc == DC_NOTFOUND || disabled) return dc_db_fail(db, DC_NOTFOUND, "no user '%s'", name);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    long admins = 0;
    if ((rc = dc_store_admin_count(db->st, &admins)) != DC_OK)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    if (target_admin && admins <= 1)
        return dc_db_fail(db, DC_MISUSE, "'%s' is the last administrator", name);
    if ((rc = dc_store_user_disable(db->st, name)) != DC_OK)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return dc_db_audit_add(db, "user-del", name, NULL);
}

/* ---- audit log --------------------------------------------------------- */

dc_rc dc_db_audit(dc_db *db, dc_audit_cb cb, void *ctx)
{
    dc_rc rc = dc_db_require_role(db, DC_ROLE_ADMIN, "audit", NULL);
    if (rc) return rc;
    /* The reading is logged first, so it appears in what it reads. */
    if ((rc = dc_db_audit_add(db, "audit-read", NULL, NULL)) != DC_OK) return rc;
    if ((rc = dc_store_audit_list(db->st, cb, ctx)) != DC_OK)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return DC_OK;
}

/* ---- review and release --------------------------------------------------- */

/* Today's date (UTC) as YYYY-MM-DD. */
static void today_utc(char out[11])
{
    struct tm tm;
    time_t t = time(NULL);
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) == 0)
        snprintf(out, 11, "1970-01-01");
}

static int is_released(const dc_doc *d)
{
    return d->release_status && strcmp(d->release_status, "released") == 0;
}

/*
 * Loads the current version of id for a review action by a reviewer:
 * the document must be readable by them (else it is "no document", as
 * for a missing one) and, when portion is given, the portion must be one
 * they can read (else "no portion").  *pi is the portion's index.
 */
static dc_rc review_load(dc_db *db, const char *action, const char *id, const char *portion,
                         dc_doc **out, size_t *pi)
{
    *out = NULL;
    dc_rc rc = dc_db_require_role(db, DC_ROLE_REVIEWER | DC_ROLE_ADMIN, action, id);
    if (rc) return rc;
    if (!id || !*id || strlen(id) > DC_MAX_ID) return no_document(db, id);
    dc_doc *doc = NULL;
    rc = dc_store_get(db->st, id, 0, &doc);
    if (rc == DC_NOTFOUND) {
        dc_db_audit_add(db, "refused", id, action);
        return no_document(db, id);
    }
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    dc_access_reader r = dc_db_reader(db);
    if (!dc_access_doc_readable(&r, doc->release_status, doc->classification)) {
        dc_doc_free(doc);
        dc_db_audit_add(db, "refused", id, action);
        return no_document(db, id);
    }
    if (portion) {
        size_t i = 0;
        while (i < doc->n_portions && strcmp(doc->portions[i].id, portion) != 0) i++;
        const dc_portion *p = i < doc->n_portions ? &doc->portions[i] : NULL;
        int readable = p && (dc_access_portion_cleared(&r, doc, p) ||
                             (is_released(doc) && !p->withheld));
        if (!readable) {
            dc_doc_free(doc);
            dc_db_audit_add(db, "refused", id, action);
            return dc_db_fail(db, DC_NOTFOUND, "no portion '%s' in document '%s'", portion, id);
        }
        *pi = i;
    }
    *out = doc;
    return DC_OK;
}

/* Stores doc as a new version made by action, audits it, and brings the
 * index up to date.  *changed tells whether a version was added. */
static dc_rc review_store(dc_db *db, dc_doc *doc, const char *action, const char *target,
                          const char *detail, int *version)
{
    char source[160];
    snprintf(source, sizeof source, "%s by %s", action, dc_db_user(db));
    dc_put_result res = 0;
    dc_rc rc = dc_store_begin(db->st);
    if (!rc) rc = dc_store_put(db->st, doc, source, &res, version);
    if (!rc) rc = dc_store_audit(db->st, db->user, action, target, detail);
    if (!rc) rc = dc_store_commit(db->st);
    if (rc) {
        dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
        dc_store_rollback(db->st);
        return rc;
    }
    return db_index(db);
}

dc_rc dc_db_withhold(dc_db *db, const char *id, const char *portion, const char *reason,
                     int *version)
{
    if (!dc_access_reason_valid(reason))
        return dc_db_fail(db, DC_MISUSE, "bad exemption code '%s' (e.g. 25X1, 50X1-HUM, (b)(1), "
                       "(b)(3))", reason ? reason : "");
    dc_doc *doc = NULL;
    size_t i = 0;
    dc_rc rc = review_load(db, "withhold", id, portion ? portion : "", &doc, &i);
    if (rc) return rc;
    dc_portion *p = &doc->portions[i];
    p->withheld = 1;
    rc = dc_str_set(&p->withheld_reason, reason);
    /* Withholding more of a released document is itself a new release. */
    char today[11];
    today_utc(today);
    if (!rc && is_released(doc)) rc = dc_str_set(&doc->release_date, today);
    char target[DC_MAX_ID + 64];
    snprintf(target, sizeof target, "%s#%s", id, portion);
    if (!rc) rc = review_store(db, doc, "withhold", target, reason, version);
    else dc_db_fail(db, rc, "out of memory");
    dc_doc_free(doc);
    return rc;
}

/* 1 if doc's portions name at most DC_ACCESS_MAX_COMPS distinct
 * compartments: the most dc_access_each_view enumerates views for. */
static int compartments_fit(const dc_doc *doc)
{
    const char *seen[DC_ACCESS_MAX_COMPS];
    size_t n = 0;
    for (size_t i = 0; i < doc->n_portions; i++) {
        const dc_strv *c = &doc->portions[i].compartments;
        for (size_t k = 0; k < c->n; k++) {
            size_t j = 0;
            while (j < n && strcmp(seen[j], c->v[k]) != 0) j++;
            if (j < n) continue;
            if (n == DC_ACCESS_MAX_COMPS) return 0;
            seen[n++] = c->v[k];
        }
    }
    return 1;
}

dc_rc dc_db_mark(dc_db *db, const char *id, const char *portion, const char *level,
                 const char *const *compartments, size_t n_compartments, int *version)
{
    int lv = level ? dc_level_parse(level) : -1;
    if (lv < 0)
        return dc_db_fail(db, DC_MISUSE, "unknown classification '%s' (use UNCLASSIFIED, "
                       "CONFIDENTIAL, SECRET or TOP SECRET)", level ? level : "");
    for (size_t k = 0; k < n_compartments; k++)
        if (!compartment_ok(compartments[k]))
            return dc_db_fail(db, DC_MISUSE, "bad compartment '%s' (upper-case letters, digits, "
                           "'-', '_')", compartments[k]);
    dc_doc *doc = NULL;
    size_t i = 0;
    dc_rc rc = review_load(db, "mark", id, portion ? portion : "", &doc, &i);
    if (rc) return rc;
    dc_portion *p = &doc->portions[i];
    rc = dc_str_set(&p->classification, dc_level_name(lv));
    dc_strv_release(&p->compartments);
    for (size_t k = 0; !rc && k < n_compartments; k++)
        rc = dc_strv_add_unique(&p->compartments, compartments[k]);
    if (!rc && !compartments_fit(doc)) {
        dc_doc_free(doc);
        return dc_db_fail(db, DC_LIMIT, "%s would carry more than %d distinct "
                          "compartments (each distinct view of a document is indexed)",
                          id, DC_ACCESS_MAX_COMPS);
    }
    char today[11];
    today_utc(today);
    if (!rc && is_released(doc)) rc = dc_str_set(&doc->release_date, today);
    char target[DC_MAX_ID + 64], detail[256];
    snprintf(target, sizeof target, "%s#%s", id, portion);
    dc_buf d;
    dc_buf_init(&d, sizeof detail - 1);
    dc_buf_puts(&d, dc_level_name(lv));
    if (n_compartments) dc_buf_puts(&d, " ");
    join_list(&d, compartments, n_compartments);
    snprintf(detail, sizeof detail, "%s", d.p ? d.p : "");
    dc_buf_release(&d);
    if (!rc) rc = review_store(db, doc, "mark", target, detail, version);
    else dc_db_fail(db, rc, "out of memory");
    dc_doc_free(doc);
    return rc;
}

/*
 * Publishes the current version: release status "released", today's
 * date.  The reviewer must be cleared for every portion that will become
 * public (they cannot release what they may not read); withheld portions
 * stay withheld and the public view replaces them.
 */
dc_rc dc_db_release(dc_db *db, const char *id, int *version)
{
    dc_doc *doc = NULL;
    dc_rc rc = review_load(db, "release", id, NULL, &doc, NULL);
    if (rc) return rc;
    dc_access_reader r = dc_db_reader(db);
    for (size_t i = 0; i < doc->n_portions; i++) {
        const dc_portion *p = &doc->portions[i];
        if (!p->withheld && !dc_access_portion_cleared(&r, doc, p) && !is_released(doc)) {
            dc_db_audit_add(db, "refused", id, "release");
            rc = dc_db_fail(db, DC_DENIED, "access denied: cannot release %s: you are not "
                            "cleared for portion %s (withhold it or have it reviewed)", id,
                            p->id);
            dc_doc_free(doc); /* after the message: p points into doc */
            return rc;
        }
    }
    char today[11];
    today_utc(today);
    rc = dc_str_set(&doc->release_status, "released");
    if (!rc) rc = dc_str_set(&doc->release_date, today);
    size_t n_withheld = 0;
    for (size_t i = 0; i < doc->n_portions; i++) n_withheld += doc->portions[i].withheld != 0;
    char detail[64];
    snprintf(detail, sizeof detail, "%zu portions withheld", n_withheld);
    if (!rc) rc = review_store(db, doc, "release", id, detail, version);
    else dc_db_fail(db, rc, "out of memory");
    dc_doc_free(doc);
    return rc;
}

/* ---- front ends: sessions, uploads, references, collections ------------ */

dc_rc dc_db_assume(dc_db *db, const char *name)
{
    dc_db_logout(db);
    if (!name || !*name || strlen(name) > DC_MAX_ID) return dc_db_fail(db, DC_DENIED, "access denied");
    user_copy u = {0};
    dc_rc rc = dc_store_user_get(db->st, name, copy_user, &u);
    if (rc && rc != DC_NOTFOUND) {
        user_copy_release(&u);
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    char *n = NULL;
    if (!rc && u.found && !u.disabled && !(n = dc_strdup(name))) rc = DC_NOMEM;
    if (rc || !n) {
        user_copy_release(&u);
        return rc == DC_NOMEM ? dc_db_fail(db, rc, "out of memory")
                              : dc_db_fail(db, DC_DENIED, "access denied");
    }
    act_as(db, n, &u);
    return DC_OK;
}

void dc_db_logout(dc_db *db)
{
    if (!db) return;
    free(db->user);
    db->user = NULL;
    db->level = DC_UNCLASSIFIED;
    db->roles = 0;
    db->generation = 0;
    dc_strv_release(&db->comps);
}

dc_identity dc_db_identity(const dc_db *db)
{
    dc_identity who = {.name = dc_db_user(db), .level = DC_UNCLASSIFIED};
    if (db && db->user) {
        who.signed_in = 1;
        who.level = db->level;
        who.roles = db->roles;
        who.generation = db->generation;
    }
    return who;
}

/* A file name safe to create: its base name with anything but letters,
 * digits, '.', '-' and '_' replaced, never starting with '.'. */
static void upload_name(const char *filename, char *out, size_t cap)
{
    const char *base = filename ? strrchr(filename, '/') : NULL;
    base = base ? base + 1 : filename ? filename : "";
    size_t k = 0;
    for (const char *p = base; *p && k + 1 < cap && k < 128; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && k > 0);
        out[k++] = ok ? c : '_';
    }
    if (k == 0 && cap > 7) k = (size_t)snprintf(out, cap, "upload");
    out[k < cap ? k : cap - 1] = '\0';
}

/*
 * The upload is written to a private temporary folder named "uploads"
 * (mode 0700, so text documents get that collection by default) and
 * ingested like a named file, then removed.
 */
dc_rc dc_db_ingest_data(dc_db *db, const char *filename, const void *data, size_t len,
                        const dc_ingest_opts *opts, dc_ingest_stats *st)
{
    dc_rc rc = dc_db_require_role(db, DC_ROLE_ADMIN, "ingest", filename);
    if (rc) return rc;
    if (!data || !opts || !st) return dc_db_fail(db, DC_MISUSE, "dc_db_ingest_data: no data");
    if (len > DC_INGEST_MAX_FILE)
        return dc_db_fail(db, DC_LIMIT, "the file is larger than %zu MiB",
                       DC_INGEST_MAX_FILE >> 20);
    if ((rc = check_collection_opt(db, opts->collection)) != DC_OK) return rc;
    const char *tmp = getenv("TMPDIR");
    char dir[512], sub[600], path[800], name[160];
    snprintf(dir, sizeof dir, "%s/declass-upload-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return dc_db_fail(db, DC_IO, "cannot create a temporary folder: %s",
                                      strerror(errno));
    upload_name(filename, name, sizeof name);
    snprintf(sub, sizeof sub, "%s/uploads", dir);
    snprintf(path, sizeof path, "%s/%s", sub, name);
    int fd = -1;
    if (mkdir(sub, 0700) == 0) fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    const char *p = data;
    size_t left = len;
    while (fd >= 0 && left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        p += w;
        left -= (size_t)w;
    }
    if (fd < 0 || left > 0 || close(fd) != 0) {
        rc = dc_db_fail(db, DC_IO, "cannot write the upload: %s", strerror(errno));
    } else {
        dc_error err = {0};
        int fatal = 0;
        st->files++;
        st->bytes += len;
        dc_db_persons_forget(db); /* lists another process stored since */
        rc = ingest_file(db, path, opts, st, &err, &fatal);
        if (rc) {
            st->files_failed++;
            dc_db_fail(db, rc, "%s: %s", name, err.msg);
        } else if (st->docs_new + st->docs_updated > 0) {
            rc = db_index(db);
        }
    }
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    return rc;
}
