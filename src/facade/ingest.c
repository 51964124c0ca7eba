/*
 * The facade: Ingest: walking folders, detecting formats, files stored in
 * batches (one transaction each, a part per file), and uploads from the
 * front ends.
 */
#include "facade/facade_int.h"
#include "util/util_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
#include "scan/scan.h"
#include "store/store.h"
#include "model/model_int.h"
#include "util/banned.h"

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
    int fatal;               /* the store failed: stop the run (not a bad input) */
    dc_error *err;
    dc_live_index *live; /* indexing as it stores, or NULL */
} file_job;

/* The audit rows of a batch's files, appended when the batch commits
 * (dc_store_audit_rows: one read of the log's end for them all, not an
 * INSERT .. SELECT of it per file) and dropped with it when it is rolled
 * back, so the log holds a file's row exactly when the store holds its
 * documents. */
typedef struct audit_rows {
    dc_audit_copy *v;
    size_t n, cap;
} audit_rows;

static dc_rc audit_rows_add(audit_rows *a, const char *user, const char *action,
                            const char *target, const char *detail)
{
    char at[32];
    if (!dc_utc_now(at, sizeof at, 1)) return DC_INTERNAL;
    if (DC_GROW(a->v, a->n + 1, a->cap)) return DC_NOMEM;
    dc_rc rc = dc_audit_copy_make(&a->v[a->n], at, user, action, target, detail);
    if (!rc) a->n++;
    return rc;
}

static void audit_rows_clear(audit_rows *a)
{
    for (size_t i = 0; i < a->n; i++) dc_audit_copy_free(&a->v[i]);
    free(a->v);
    *a = (audit_rows){0};
}

/* Appends the rows inside the open transaction; DC_OK or the store's
 * error (the rows are kept for the caller to clear). */
static dc_rc audit_rows_write(dc_store *st, audit_rows *a)
{
    if (!a->n) return DC_OK;
    dc_audit_row *rows = malloc(a->n * sizeof *rows);
    if (!rows) return DC_NOMEM;
    for (size_t i = 0; i < a->n; i++) rows[i] = a->v[i].r;
    dc_rc rc = dc_store_audit_rows(st, rows, a->n);
    free(rows);
    return rc;
}

/* A live index step once LIVE_STEP_BYTES of versions wait, and after
 * every eighth of a batch's files: the index's thread then works while
 * this one goes on parsing and storing, even within one large file (a FRUS
 * volume of thousands of documents), instead of waiting for the batch's
 * commit (dc_db_live_index_step keeps what it is given from being
 * published before the commit). */
#define LIVE_STEP_BYTES ((size_t)1 << 20)

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
#define COLLECTION_RULE                                                                \
    "a collection name is 1-128 bytes, does not start with '.' and has no '/', '\\', " \
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
static dc_rc carry_review(dc_db *db, dc_doc *doc, const dc_ingest_opts *opts)
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
    /* the recorded withholdings: placed again by their text when the
     * source changed around them (model_int.h) */
    size_t wlost = 0;
    if (!rc) rc = dc_doc_carry_withholdings(doc, cur, 0, &wlost);
    lost |= wlost != 0;
    /* the withholdings this re-ingest orphaned, said to whoever ingests */
    for (size_t i = 0; !rc && wlost && opts->on_orphan && i < doc->n_withholdings; i++) {
        const dc_withholding *w = &doc->withholdings[i];
        if (!w->status || strcmp(w->status, "orphaned") != 0 || !w->id) continue;
        int was = 0;
        for (size_t k = 0; k < cur->n_withholdings && !was; k++)
            was = same_str(cur->withholdings[k].id, w->id) &&
                  same_str(cur->withholdings[k].status, "orphaned");
        if (!was) opts->on_orphan(opts->ctx, doc->id, w->id, w->target ? w->target : "");
    }
    if (!rc && lost) rc = dc_str_set(&doc->release_status, "under-review");
    if (!rc && !lost && same_str(doc->release_status, cur->release_status))
        rc = dc_str_set(&doc->release_date, cur->release_date);
    dc_doc_free(cur);
    return rc;
}

/* ---- versions stored and not yet indexed (see fresh_list) ------------- */

size_t dc_db_doc_bytes(const dc_doc *d)
{
    size_t n = sizeof *d + (d->title ? strlen(d->title) : 0) + 256;
    for (size_t i = 0; i < d->n_portions; i++)
        n += sizeof d->portions[i] + 64 + (d->portions[i].text ? strlen(d->portions[i].text) : 0);
    for (size_t i = 0; i < d->n_footnotes; i++)
        n +=
            sizeof d->footnotes[i] + 64 + (d->footnotes[i].text ? strlen(d->footnotes[i].text) : 0);
    return n + d->n_refs * 128;
}

void dc_db_fresh_keep(dc_db *db, uint64_t docid, dc_doc *doc)
{
    fresh_list *f = &db->fresh;
    size_t bytes = dc_db_doc_bytes(doc);
    if (docid == 0 || (f->n && f->v[f->n - 1].docid >= docid) ||
        f->bytes + bytes > FRESH_MAX_BYTES || DC_GROW(f->v, f->n + 1, f->cap)) {
        dc_doc_free(doc);
        return;
    }
    f->v[f->n++] = (fresh_doc){docid, doc, bytes};
    f->bytes += bytes;
}

void dc_db_fresh_drop(dc_db *db, size_t n)
{
    fresh_list *f = &db->fresh;
    while (f->n > n) {
        f->n--;
        f->bytes -= f->v[f->n].bytes;
        dc_doc_free(f->v[f->n].doc);
    }
    if (n == 0) {
        free(f->v);
        *f = (fresh_list){0};
    }
}

uint64_t dc_db_fresh_mark(const dc_db *db)
{
    return db->fresh.n ? db->fresh.v[db->fresh.n - 1].docid : 0;
}

void dc_db_fresh_drop_after(dc_db *db, uint64_t mark)
{
    fresh_list *f = &db->fresh;
    size_t n = f->n;
    while (n && f->v[n - 1].docid > mark) n--;
    dc_db_fresh_drop(db, n);
}

void dc_db_fresh_forget(dc_db *db, uint64_t docid)
{
    fresh_list *f = &db->fresh;
    size_t k = 0;
    while (k < f->n && f->v[k].docid <= docid) {
        f->bytes -= f->v[k].bytes;
        dc_doc_free(f->v[k++].doc);
    }
    if (k) memmove(f->v, f->v + k, (f->n - k) * sizeof *f->v);
    f->n -= k;
}

/* The entry of version docid, or NULL. */
static fresh_doc *fresh_entry(const dc_db *db, uint64_t docid)
{
    const fresh_list *f = &db->fresh;
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->v[mid].docid < docid) lo = mid + 1;
        else hi = mid;
    }
    return lo < f->n && f->v[lo].docid == docid ? &f->v[lo] : NULL;
}

const dc_doc *dc_db_fresh_find(const dc_db *db, uint64_t docid)
{
    const fresh_doc *e = fresh_entry(db, docid);
    return e ? e->doc : NULL;
}

dc_doc *dc_db_fresh_take(dc_db *db, uint64_t docid, size_t *bytes)
{
    fresh_doc *e = fresh_entry(db, docid);
    dc_doc *doc = e ? e->doc : NULL;
    if (e) e->doc = NULL;
    *bytes = doc ? e->bytes : 0;
    return doc;
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
        rc = dc_fail(job->err, DC_PARSE, 0,
                     "cannot make a document id from collection '%s' "
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
        int marked = doc->classification && dc_level_parse(doc->classification) != DC_UNCLASSIFIED;
        const char *status = job->opts->released ? "released" : marked ? "classified" : "released";
        rc = dc_str_set(&doc->release_status, status);
    }
    if (!rc && (rc = carry_review(job->db, doc, job->opts)) != DC_OK && rc != DC_NOMEM)
        dc_fail(job->err, rc, 0, "cannot read the stored %s: %s", doc->id,
                dc_store_errmsg(job->db->st));
    if (rc == DC_NOMEM) dc_fail(job->err, rc, 0, "out of memory");
    if (rc && rc != DC_NOMEM && rc != DC_PARSE) job->fatal = 1;
    dc_put_result res = 0;
    if (!rc) {
        rc = dc_store_put(job->db->st, doc, job->path, &res, NULL);
        job->fatal = rc != DC_OK && rc != DC_MISUSE;
        if (rc)
            dc_fail(job->err, rc, 0, "cannot store %s: %s", doc->id, dc_store_errmsg(job->db->st));
    }
    if (!rc) {
        job->n_docs++;
        if (res == DC_PUT_NEW) job->n_new++;
        if (res == DC_PUT_UPDATED) job->n_updated++;
        if (res == DC_PUT_UNCHANGED) job->n_unchanged++;
    }
    if (!rc && res != DC_PUT_UNCHANGED)
        dc_db_fresh_keep(job->db, dc_store_put_docid(job->db->st), doc);
    else dc_doc_free(doc);
    if (!rc && job->live && job->db->fresh.bytes >= LIVE_STEP_BYTES)
        dc_db_live_index_step(job->db, job->live);
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
    dc_list_row row = {.collection = job_collection(job, it->collection, it->collection_from_name),
                       .xml_id = it->xml_id,
                       .name = it->name,
                       .description = it->description};
    if (!dc_collection_name_ok(row.collection)) {
        char shown[80];
        printable_name(row.collection, shown, sizeof shown);
        return dc_fail(job->err, DC_PARSE, 0, "bad collection name '%s': " COLLECTION_RULE, shown);
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

/* Stores the structure of a FRUS volume the file holds. */
static dc_rc job_volume(void *ctx, const dc_volume *v)
{
    file_job *job = ctx;
    if (!dc_collection_name_ok(v->id)) {
        char shown[80];
        printable_name(v->id, shown, sizeof shown);
        return dc_fail(job->err, DC_PARSE, 0, "bad collection name '%s': " COLLECTION_RULE, shown);
    }
    dc_rc rc = dc_store_volume_put(job->db->st, v);
    if (rc) {
        job->fatal = rc != DC_MISUSE;
        return dc_fail(job->err, rc, 0, "cannot store volume %s: %s", v->id,
                       dc_store_errmsg(job->db->st));
    }
    return DC_OK;
}

/*
 * A large TEI file's documents (STORE_WORKER_MIN bytes of file or more: a
 * FRUS volume) stored on a thread of their own (the store worker) while
 * the ingest's thread goes on parsing: parsing a volume and storing its
 * documents take about as long, and the index's thread is busy besides
 * (a small file is parsed and stored on the ingest's thread: a thread and
 * its hand-offs would cost it more than they save).  The worker runs
 * job_store on each document, in order, through a queue of at most
 * STORE_QUEUE_DOCS documents and STORE_QUEUE_BYTES (the parse waits when
 * it is full), with a file_job of its own (its counts are added to the
 * file's at the end; its error is its own until the parse takes it).
 *
 * The connection and db are the worker's while it has documents; the
 * parse's thread touches nothing of db but the persons' cache, which it
 * only reads (job_person).  Whatever else uses them — a list entry, the
 * volume's structure — waits until the worker is idle (store_drain), so
 * that one thread at a time uses them, in the order the serial ingest
 * would.  The cache is never empty while the worker has documents (it may
 * read it: dc_db_restrict): it is loaded, if it is not, before a document
 * is given, and dropped only by a list entry, once the worker is idle; so
 * an empty cache means an idle worker, and job_person may load it then.
 * If it cannot be loaded, the file's documents are stored on the parse's
 * thread from there on, as when no worker can be started.
 *
 * A failure of the worker is the file's: it stores nothing more, the next
 * document given is refused with its error (the parse stops there), and
 * once the parse ends its error comes before any the parse found later in
 * the file, as it would have without the worker.
 */
#define STORE_WORKER_MIN ((unsigned long long)256 << 10)
#define STORE_QUEUE_DOCS 256
#define STORE_QUEUE_BYTES ((size_t)8 << 20)

typedef struct store_worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work;  /* the worker waits for a document or the stop */
    pthread_cond_t moved; /* the parse waits for room, or for idleness */
    dc_doc *q[STORE_QUEUE_DOCS]; /* a ring: q[head .. head + n) */
    size_t size[STORE_QUEUE_DOCS];
    size_t head, n, bytes;
    int busy, stop, asleep, waiting;
    dc_rc failed;      /* the worker's first failure: it stores no more */
    dc_error err;      /* its message */
    file_job job;      /* the worker's: its err is &err */
    file_job *parent;  /* the file's */
    int serial;        /* documents are stored on the parse's thread */
} store_worker;

static void *store_main(void *arg)
{
    store_worker *sw = arg;
    pthread_mutex_lock(&sw->mu);
    for (;;) {
        while (sw->n == 0 && !sw->stop) {
            sw->busy = 0;
            if (sw->waiting) pthread_cond_signal(&sw->moved);
            sw->asleep = 1;
            pthread_cond_wait(&sw->work, &sw->mu);
            sw->asleep = 0;
        }
        if (sw->n == 0) break;
        dc_doc *doc = sw->q[sw->head];
        sw->bytes -= sw->size[sw->head];
        sw->head = (sw->head + 1) % STORE_QUEUE_DOCS;
        sw->n--;
        sw->busy = 1;
        dc_rc rc = sw->failed;
        if (sw->waiting) pthread_cond_signal(&sw->moved);
        pthread_mutex_unlock(&sw->mu);
        if (rc) dc_doc_free(doc);
        else rc = job_store(&sw->job, doc);
        pthread_mutex_lock(&sw->mu);
        if (rc && !sw->failed) sw->failed = rc;
    }
    sw->busy = 0;
    if (sw->waiting) pthread_cond_signal(&sw->moved);
    pthread_mutex_unlock(&sw->mu);
    return NULL;
}

/* The worker's failure as the file's: its message into the file's error
 * unless that has one.  With mu held, or the worker idle. */
static dc_rc store_failure(store_worker *sw)
{
    if (sw->failed && sw->parent->err->rc == DC_OK) *sw->parent->err = sw->err;
    return sw->failed;
}

/* Waits until the worker has stored everything given; its failure. */
static dc_rc store_drain(store_worker *sw)
{
    pthread_mutex_lock(&sw->mu);
    sw->waiting = 1;
    while (sw->n || sw->busy) pthread_cond_wait(&sw->moved, &sw->mu);
    sw->waiting = 0;
    dc_rc rc = store_failure(sw);
    pthread_mutex_unlock(&sw->mu);
    return rc;
}

/* The TEI ingester's sink: the document to the worker, or stored here
 * once the worker is not used.  The document is the callee's. */
static dc_rc store_give(void *ctx, dc_doc *doc)
{
    store_worker *sw = ctx;
    /* the persons' cache, if a list entry dropped it (or it was never
     * loaded): the worker is idle then */
    if (!sw->serial && !sw->parent->db->persons && dc_db_persons_load(sw->parent->db) != DC_OK)
        sw->serial = 1;
    if (sw->serial) return job_store(sw->parent, doc);
    size_t size = dc_db_doc_bytes(doc);
    pthread_mutex_lock(&sw->mu);
    sw->waiting = 1;
    while (!sw->failed && (sw->n == STORE_QUEUE_DOCS ||
                           (sw->n && sw->bytes + size > STORE_QUEUE_BYTES)))
        pthread_cond_wait(&sw->moved, &sw->mu);
    sw->waiting = 0;
    dc_rc rc = store_failure(sw);
    if (!rc) {
        size_t at = (sw->head + sw->n) % STORE_QUEUE_DOCS;
        sw->q[at] = doc;
        sw->size[at] = size;
        sw->n++;
        sw->bytes += size;
        if (sw->asleep) pthread_cond_signal(&sw->work);
    }
    pthread_mutex_unlock(&sw->mu);
    if (rc) dc_doc_free(doc);
    return rc;
}

/* A list entry, once the worker is idle (a person's entry drops the
 * persons' cache). */
static dc_rc store_list_item(void *ctx, const dc_tei_list_item *it)
{
    store_worker *sw = ctx;
    dc_rc rc = store_drain(sw);
    if (rc) return rc;
    return job_list_item(sw->parent, it);
}

/* (job_person may load the cache: an empty one means an idle worker) */
static const char *store_person(void *ctx, const char *collection, const char *xml_id)
{
    store_worker *sw = ctx;
    return job_person(sw->parent, collection, xml_id);
}

static dc_rc store_volume(void *ctx, const dc_volume *v)
{
    store_worker *sw = ctx;
    dc_rc rc = store_drain(sw);
    return rc ? rc : job_volume(sw->parent, v);
}

/* Starts a worker for job's documents; NULL if it cannot (they are then
 * stored on the caller's thread). */
static store_worker *store_start(file_job *job)
{
    store_worker *sw = calloc(1, sizeof *sw);
    if (!sw) return NULL;
    sw->parent = job;
    sw->job = *job;
    sw->job.err = &sw->err;
    sw->job.n_new = sw->job.n_updated = sw->job.n_unchanged = sw->job.n_docs = 0;
    if (dc_worker_start(&sw->thread, &sw->mu, &sw->work, &sw->moved, store_main, sw) == 0)
        return sw;
    free(sw);
    return NULL;
}

/* Stops the worker once it has stored everything given, adds its counts
 * to the file's, and returns rc — or the worker's failure, which came
 * first in the file. */
static dc_rc store_stop(store_worker *sw, dc_rc rc)
{
    dc_rc failed = store_drain(sw);
    pthread_mutex_lock(&sw->mu);
    sw->stop = 1;
    pthread_cond_signal(&sw->work);
    pthread_mutex_unlock(&sw->mu);
    pthread_join(sw->thread, NULL);
    file_job *job = sw->parent;
    job->n_docs += sw->job.n_docs;
    job->n_new += sw->job.n_new;
    job->n_updated += sw->job.n_updated;
    job->n_unchanged += sw->job.n_unchanged;
    if (sw->job.fatal) job->fatal = 1;
    if (failed) {
        *job->err = sw->err;
        rc = failed;
    }
    dc_worker_sync_destroy(&sw->mu, &sw->work, &sw->moved);
    free(sw);
    return rc;
}

/* A TEI file of size bytes through a store worker, or all on this
 * thread. */
static dc_rc ingest_tei(file_job *job, dc_tei_handlers *h, unsigned long long size)
{
    store_worker *sw = size >= STORE_WORKER_MIN ? store_start(job) : NULL;
    if (!sw) return dc_ingest_tei_file_with(job->path, h, job->err);
    dc_tei_handlers hw = {.doc = store_give,
                          .list_item = store_list_item,
                          .person = store_person,
                          .volume = store_volume,
                          .ctx = sw};
    dc_rc rc = dc_ingest_tei_file_with(job->path, &hw, job->err);
    return store_stop(sw, rc);
}

#define PEEK_BYTES 512
/* A file this small is read whole when it is peeked at (read ahead). */
#define PEEK_WHOLE ((size_t)256 << 10)

/* Opens path for peeking: a regular file, else why not. */
static dc_rc peek_open(const char *path, int *fd, unsigned long long *size, dc_error *err)
{
    *fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (*fd < 0) return dc_fail(err, DC_IO, 0, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(*fd);
        return dc_fail(err, DC_IO, 0, "not a regular file");
    }
    *size = (unsigned long long)sb.st_size;
    return DC_OK;
}

/* Tells from a file's first n bytes what it is (see peek_is_xml). */
static dc_rc peek_head(const char *path, const char *head, size_t n, int *is_xml, int *scan,
                       dc_error *err)
{
    *is_xml = dc_ingest_is_xml(head, n);
    *scan = dc_scan_kind(head, n);
    return dc_scan_check_name(path, *scan, err);
}

/* Reads the first bytes of path to tell TEI, text and scans (PDF, PNG,
 * TIFF, JPEG: *scan, by magic bytes) apart without reading the whole
 * (possibly large) file; *size (if not NULL) is its size.  A name whose
 * extension lies about the content is bad input. */
static dc_rc peek_is_xml(const char *path, int *is_xml, int *scan, unsigned long long *size,
                         dc_error *err)
{
    char head[PEEK_BYTES];
    int fd;
    unsigned long long sz;
    dc_rc rc = peek_open(path, &fd, &sz, err);
    if (rc) return rc;
    if (size) *size = sz;
    ssize_t n = read(fd, head, sizeof head);
    int e = errno;
    close(fd);
    if (n < 0) return dc_fail(err, DC_IO, 0, "cannot read: %s", strerror(e));
    return peek_head(path, head, (size_t)n, is_xml, scan, err);
}

/* ---- walking folders ---------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The same order for names that carry their type in a first byte. */
static int cmp_typed(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/* Whether a file found in a folder is a source declass reads: .xml and .tei
 * (TEI), .txt and .text (plain text), .pdf, .png, .tif, .tiff, .jpg and
 * .jpeg (scans).  A file named on the command line is always read,
 * whatever its name. */
static int ingestible_name(const char *name)
{
    static const char *const exts[] = {".xml", ".tei", ".txt",  ".text", ".pdf",
                                       ".png", ".tif", ".tiff", ".jpg",  ".jpeg"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcasecmp(name + n - e, exts[i]) == 0) return 1;
    }
    return 0;
}

/* The names in a folder, hidden entries skipped, in byte order: one
 * block of bytes and pointers into it, not a string each (a folder of
 * 200,000 files holds about 4 MB).  Typed, each begins with a byte more:
 * 'f' a regular file (as the folder's entry says), '?' anything else or
 * not known. */
typedef struct name_list {
    dc_buf bytes; /* the names, each ending in NUL */
    char **v;     /* n, sorted */
    size_t n, cap;
} name_list;

static void names_release(name_list *l)
{
    dc_buf_release(&l->bytes);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* The names in folder dir (l released by the caller, also on failure);
 * the message does not name dir. */
static dc_rc sorted_names(const char *dir, name_list *l, int typed, dc_error *err)
{
    memset(l, 0, sizeof *l);
    dc_buf_init(&l->bytes, 0);
    DIR *d = opendir(dir);
    if (!d) return dc_fail(err, DC_IO, 0, "cannot open folder: %s", strerror(errno));
    dc_rc rc = DC_OK;
    struct dirent *e;
    /* v holds each name's offset until the bytes stop moving */
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (DC_GROW(l->v, l->n + 1, l->cap)) {
            rc = DC_NOMEM;
            break;
        }
        l->v[l->n++] = (char *)(uintptr_t)l->bytes.len;
        if (typed) dc_buf_putc(&l->bytes, e->d_type == DT_REG ? 'f' : '?');
        dc_buf_add(&l->bytes, e->d_name, strlen(e->d_name) + 1);
    }
    closedir(d);
    if (!rc) rc = l->bytes.rc;
    if (rc) return dc_fail(err, rc, 0, rc == DC_NOMEM ? "out of memory" : "too many names");
    for (size_t i = 0; i < l->n; i++) l->v[i] = l->bytes.p + (uintptr_t)l->v[i];
    if (l->n) qsort(l->v, l->n, sizeof *l->v, typed ? cmp_typed : cmp_str);
    return DC_OK;
}

/*
 * The source files under a folder, one at a time, in the order of a
 * depth-first walk with each folder's entries in byte order (hidden
 * entries skipped, other files counted as skipped): only the names of
 * the folders on the current path are held, so a walk of a million
 * files holds the largest folder's names, not a million paths.  Made
 * for a path that is no folder, it gives that path once.
 */
typedef struct walk_frame {
    char *dir;
    name_list names;
    size_t next;
} walk_frame;

typedef struct walker {
    walk_frame stack[DC_MAX_WALK_DEPTH + 1]; /* [0, depth): the root first */
    int depth;
    const char *single; /* the path that is no folder, until given */
    dc_buf path;        /* the last path given */
    long skipped;       /* files skipped since the last taken (walk_take) */
} walker;

static void walker_close(walker *w)
{
    for (int i = 0; i < w->depth; i++) {
        free(w->stack[i].dir);
        names_release(&w->stack[i].names);
    }
    w->depth = 0;
    dc_buf_release(&w->path);
}

/* Opens folder dir (path, of length n) as the walk's next level. */
static dc_rc walker_push(walker *w, const char *dir, size_t n, dc_error *err)
{
    walk_frame *f = &w->stack[w->depth];
    memset(f, 0, sizeof *f);
    while (n > 1 && dir[n - 1] == '/') n--;
    if (!(f->dir = dc_strndup(dir, n))) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    dc_rc rc = sorted_names(f->dir, &f->names, 1, err);
    if (rc) {
        free(f->dir);
        names_release(&f->names);
        return rc;
    }
    w->depth++;
    return DC_OK;
}

/* A walk of root: a folder (its names read, DC_IO if it cannot be) or a
 * file. */
static dc_rc walker_open(walker *w, const char *root, int is_dir, dc_error *err)
{
    memset(w, 0, sizeof *w);
    dc_buf_init(&w->path, 8192);
    if (!is_dir) {
        w->single = root;
        return DC_OK;
    }
    return walker_push(w, root, strlen(root), err);
}

/*
 * The next file: 1 and *path (valid until the next call); 0 at the end;
 * -1 when a folder under the root cannot be walked (unreadable, nested
 * deeper than DC_MAX_WALK_DEPTH, a path too long): *path is that folder
 * and err says why; the walk goes on past it (err->rc DC_NOMEM: it
 * cannot).
 */
static int walker_next(walker *w, const char **path, dc_error *err)
{
    if (w->single) {
        *path = w->single;
        w->single = NULL;
        return 1;
    }
    while (w->depth > 0) {
        walk_frame *f = &w->stack[w->depth - 1];
        if (f->next >= f->names.n) {
            free(f->dir);
            names_release(&f->names);
            w->depth--;
            continue;
        }
        const char *typed = f->names.v[f->next++], *name = typed + 1;
        dc_buf_reset(&w->path);
        dc_buf_puts(&w->path, f->dir);
        if (w->path.len && w->path.p[w->path.len - 1] != '/') dc_buf_putc(&w->path, '/');
        dc_buf_puts(&w->path, name);
        if (w->path.rc) {
            *path = f->dir;
            dc_fail(err, w->path.rc, 0, "a path in this folder is too long");
            w->path.rc = DC_OK;
            return -1;
        }
        *path = w->path.p;
        /* A regular file (the folder says so, as most do) is no folder:
         * only the others (links, unknown types) are looked at. */
        struct stat sb;
        if (typed[0] != 'f' && stat(w->path.p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            if (w->depth > DC_MAX_WALK_DEPTH) {
                dc_fail(err, DC_LIMIT, 0, "folders nested deeper than %d", DC_MAX_WALK_DEPTH);
                return -1;
            }
            if (walker_push(w, w->path.p, w->path.len, err) != DC_OK) return -1;
            continue;
        }
        if (!ingestible_name(name)) {
            w->skipped++;
            continue;
        }
        return 1; /* unreadable entries fail at ingest */
    }
    return 0;
}

/* ---- reading ahead ------------------------------------------------------
 * A folder's files are read on a thread of their own, ahead of the
 * ingest: each file peeked (TEI or text) and a text file read, checked
 * and parsed into its document (dc_ingest_text; nothing of db is
 * touched), at most READ_AHEAD_FILES files or READ_AHEAD_BYTES of text
 * ahead.  The ingest takes the files in order and does the rest as
 * before — a TEI file is parsed there (its handlers store as they go),
 * a text document completed and stored — with the same messages, each
 * file a part of its batch. */
#define READ_AHEAD_FILES 64
#define READ_AHEAD_BYTES ((size_t)4 << 20)

typedef struct pre_file {
    int ready;
    int end;                 /* the walk is over: no file */
    int bad_folder;          /* path is a folder the walk could not enter: rc, err */
    char *path;              /* the file's (the taker's to free) */
    long skipped;            /* files the walk skipped before this one */
    int peeked;              /* peek_is_xml succeeded (else rc and err are its failure) */
    int is_xml;              /* TEI: left to the ingest */
    int scan;                /* a PDF or image (DC_SCAN_*): left to the ingest */
    unsigned long long size; /* of the file, when peeked */
    dc_rc rc;                /* of peeking, else of reading and parsing the text */
    dc_doc *doc;             /* the text's document */
    size_t bytes;            /* of text read */
    dc_error err;
} pre_file;

/* The thread sleeps when READ_AHEAD_FILES files or READ_AHEAD_BYTES wait,
 * and is woken once half of that is taken, or at once when the ingest
 * needs a file it has not read; the ingest sleeps only then. */
typedef struct read_ahead {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t room;  /* the thread waits for room, or the stop */
    pthread_cond_t ready; /* the ingest waits for the file it needs */
    int asleep;           /* the thread waits on room */
    int waiting;          /* the ingest waits on ready */
    walker *walk;         /* the thread's */
    pre_file ring[READ_AHEAD_FILES]; /* file i in ring[i % READ_AHEAD_FILES] */
    size_t taken;                    /* files taken by the ingest */
    size_t done;                     /* files read by the thread */
    size_t bytes;                    /* of the files read and not taken */
    int stop;
    char *buf; /* the thread's: the small file it reads (peek_read) */
    size_t alloc;
} read_ahead;

/* Peeks at a small file and reads it whole on the same open, into buf
 * (*alloc bytes, kept from file to file): *len its bytes.  0 if that
 * failed in any way; the caller then does it the usual way (peek_is_xml,
 * dc_read_file), which also says why. */
static int peek_read(const char *path, pre_file *f, char **buf, size_t *alloc, size_t *len)
{
    int fd;
    unsigned long long size;
    dc_error err;
    memset(&err, 0, sizeof err);
    if (peek_open(path, &fd, &size, &err)) return 0;
    int ok = size <= PEEK_WHOLE &&
             dc_read_fd(fd, (size_t)size, DC_INGEST_MAX_FILE, buf, alloc, len, &err) == DC_OK;
    close(fd);
    if (!ok) return 0;
    f->size = size;
    f->rc =
        peek_head(path, *buf, *len < PEEK_BYTES ? *len : PEEK_BYTES, &f->is_xml, &f->scan, &f->err);
    f->peeked = f->rc == DC_OK;
    return 1;
}

/* Peeks at path and, for a text file, reads and parses it into f.  A
 * small file is opened and read once (peek_read). */
static void read_one(read_ahead *ra, const char *path, pre_file *f)
{
    size_t len = 0;
    if (peek_read(path, f, &ra->buf, &ra->alloc, &len)) {
        if (f->rc || f->is_xml || f->scan) return;
        /* dc_ingest_text checks the text first (dc_ingest_check_text) */
        f->rc = dc_ingest_text(ra->buf, len, &f->doc, &f->err);
        f->bytes = len;
        return;
    }
    f->rc = peek_is_xml(path, &f->is_xml, &f->scan, &f->size, &f->err);
    f->peeked = f->rc == DC_OK;
    if (f->rc || f->is_xml || f->scan) return;
    char *data = NULL;
    f->rc = dc_read_file(path, DC_INGEST_MAX_FILE, &data, &len, &f->err);
    /* dc_ingest_text checks the text first (dc_ingest_check_text) */
    if (!f->rc) f->rc = dc_ingest_text(data, len, &f->doc, &f->err);
    free(data);
    f->bytes = len;
}

/* The walk's next file into f: its path, or the end, or a folder it
 * could not enter (and whether it can go on: rc DC_NOMEM). */
static void walk_take(walker *w, pre_file *f)
{
    const char *path;
    int r = walker_next(w, &path, &f->err);
    f->skipped = w->skipped;
    w->skipped = 0;
    if (r == 0) {
        f->end = 1;
        return;
    }
    f->bad_folder = r < 0;
    f->rc = r < 0 ? f->err.rc : DC_OK;
    if (!(f->path = dc_strdup(path))) {
        f->bad_folder = 1;
        f->rc = dc_fail(&f->err, DC_NOMEM, 0, "out of memory");
    }
}

static void *read_main(void *arg)
{
    read_ahead *ra = arg;
    pthread_mutex_lock(&ra->mu);
    for (size_t i = 0;; i++) {
        while (!ra->stop && (i - ra->taken >= READ_AHEAD_FILES || ra->bytes > READ_AHEAD_BYTES)) {
            ra->asleep = 1;
            pthread_cond_wait(&ra->room, &ra->mu);
            ra->asleep = 0;
        }
        if (ra->stop) break;
        pthread_mutex_unlock(&ra->mu);
        pre_file f = {.ready = 1};
        walk_take(ra->walk, &f);
        if (!f.end && !f.bad_folder) read_one(ra, f.path, &f);
        pthread_mutex_lock(&ra->mu);
        ra->ring[i % READ_AHEAD_FILES] = f;
        ra->done = i + 1;
        ra->bytes += f.bytes;
        if (ra->waiting) pthread_cond_signal(&ra->ready);
        if (f.end || (f.bad_folder && f.rc == DC_NOMEM)) break; /* the ingest stops there */
    }
    pthread_mutex_unlock(&ra->mu);
    return NULL;
}

/* Starts walking and reading files ahead; NULL if it cannot (the ingest
 * then walks and reads each file itself). */
static read_ahead *read_ahead_start(walker *walk)
{
    read_ahead *ra = calloc(1, sizeof *ra);
    if (!ra) return NULL;
    ra->walk = walk;
    if (dc_worker_start(&ra->thread, &ra->mu, &ra->room, &ra->ready, read_main, ra) == 0)
        return ra;
    free(ra);
    return NULL;
}

/* File i (the next in order), once read; the caller owns its document. */
static pre_file read_ahead_take(read_ahead *ra, size_t i)
{
    pre_file *slot = &ra->ring[i % READ_AHEAD_FILES];
    pthread_mutex_lock(&ra->mu);
    ra->waiting = 1;
    while (!slot->ready) {
        if (ra->asleep) pthread_cond_signal(&ra->room); /* all it read is taken */
        pthread_cond_wait(&ra->ready, &ra->mu);
    }
    ra->waiting = 0;
    pre_file f = *slot;
    slot->ready = 0;
    ra->taken = i + 1;
    ra->bytes -= f.bytes;
    /* Once half is taken, not at every file: the thread would read one
     * file a wake-up, and each costs both threads a futex call or more. */
    if (ra->asleep && ra->done - ra->taken <= READ_AHEAD_FILES / 2 &&
        ra->bytes <= READ_AHEAD_BYTES / 2)
        pthread_cond_signal(&ra->room);
    pthread_mutex_unlock(&ra->mu);
    return f;
}

/* Stops the thread and frees what it read and nobody took. */
static void read_ahead_stop(read_ahead *ra)
{
    if (!ra) return;
    pthread_mutex_lock(&ra->mu);
    ra->stop = 1;
    pthread_cond_signal(&ra->room);
    pthread_mutex_unlock(&ra->mu);
    pthread_join(ra->thread, NULL);
    for (size_t i = 0; i < READ_AHEAD_FILES; i++)
        if (ra->ring[i].ready) {
            dc_doc_free(ra->ring[i].doc);
            free(ra->ring[i].path);
        }
    dc_worker_sync_destroy(&ra->mu, &ra->room, &ra->ready);
    free(ra->buf);
    free(ra);
}

static dc_rc ingest_text_file(file_job *job)
{
    char *data = NULL;
    size_t len = 0;
    dc_rc rc = dc_read_file(job->path, DC_INGEST_MAX_FILE, &data, &len, job->err);
    dc_doc *doc = NULL;
    if (!rc) rc = dc_ingest_text(data, len, &doc, job->err); /* checks it first */
    free(data);
    if (!rc) rc = job_store(job, doc);
    return rc;
}

/* Reports page progress of a scan to the caller. */
static void scan_page_done(void *ctx, const char *path, int done, int pages)
{
    const file_job *job = ctx;
    if (job->opts->page_progress) job->opts->page_progress(job->opts->ctx, path, done, pages);
}

/* Scales a length in the helper's page pixels (at dpi) to the stored
 * image's (at idpi): a box's origin down, its size up. */
static int scale_to(int v, int dpi, int idpi, int up)
{
    long long n = (long long)v * idpi;
    return (int)(up ? (n + dpi - 1) / dpi : n / dpi);
}

/* doc's pages from the scan: each page's image stored (content-
 * addressed: a page read again is not stored twice), its words with
 * their boxes in the image's pixels. */
static dc_rc scan_pages(file_job *job, const dc_scan_doc *sd, dc_doc *doc)
{
    for (size_t i = 0; i < sd->n_pages; i++) {
        const dc_scan_page *sp = &sd->pages[i];
        dc_page *p = dc_doc_add_page(doc);
        char hash[DC_IMAGE_HASH_SIZE];
        if (!p || dc_str_set(&p->source, sp->source))
            return dc_fail(job->err, DC_NOMEM, 0, "out of memory");
        p->number = sp->number, p->width = sp->img_width, p->height = sp->img_height;
        p->dpi = sp->img_dpi, p->conf = (int)(sp->conf + 0.5f), p->low = sp->low;
        dc_rc rc = dc_store_image_put(job->db->st, sp->png, sp->png_len, hash);
        if (rc) {
            job->fatal = rc != DC_MISUSE;
            return dc_fail(job->err, rc, 0, "cannot store page %d: %s", sp->number,
                           dc_store_errmsg(job->db->st));
        }
        if (dc_str_set(&p->image, hash)) return dc_fail(job->err, DC_NOMEM, 0, "out of memory");
        int dpi = sp->dpi > 0 ? sp->dpi : sp->img_dpi;
        for (size_t k = 0; k < sp->n_words; k++) {
            const dc_scan_word *sw = &sp->words[k];
            dc_word *w = dc_page_add_word(p);
            if (!w || !(w->text = dc_strdup(sw->text)))
                return dc_fail(job->err, DC_NOMEM, 0, "out of memory");
            w->box = (dc_box){scale_to(sw->x, dpi, p->dpi, 0), scale_to(sw->y, dpi, p->dpi, 0),
                              scale_to(sw->w, dpi, p->dpi, 1), scale_to(sw->h, dpi, p->dpi, 1)};
            w->conf = sw->conf < 0 ? 0 : sw->conf > 100 ? 100 : (int)(sw->conf + 0.5f);
        }
    }
    return DC_OK;
}

/*
 * A scanned document (a PDF or image file, or the page images files[0..n)
 * of a --pages folder): its pages read by declass-scan (src/scan), their
 * text with "[Page N]" markers ingested as plain text, so that markings,
 * dates, file numbers and references are found as in any transcription.
 * Fail safe: the document's classification is raised to the highest
 * banner on any page (the text ingester reads only the one at the top),
 * so that without --released a page marked above UNCLASSIFIED makes it
 * classified.  Portion markings ("(S)") work as in any text document.
 */
static dc_rc ingest_scan(file_job *job, const char *const *files, size_t n)
{
    dc_buf cache;
    dc_buf_init(&cache, 0);
    const char *ix = job->db->index_dir; /* "<database>.index" */
    dc_buf_add(&cache, ix, strlen(ix) - strlen(".index"));
    dc_buf_puts(&cache, ".scan-cache");
    dc_scan_opts so = {.ocr = job->opts->ocr,
                       .lang = job->opts->lang,
                       .page_done = scan_page_done,
                       .ctx = job,
                       .cache_dir = cache.p};
    dc_scan_doc *sd = NULL;
    dc_rc rc = dc_scan_read(job->path, files, n, &so, &sd, job->err);
    dc_buf_release(&cache);
    if (rc) return rc;
    for (size_t i = 0; i < sd->cache.n; i++) /* removed when the batch commits */
        if (dc_strv_push(&job->db->scan_cached, sd->cache.v[i])) break;
    size_t with_text = 0, none = 0;
    for (size_t i = 0; i < sd->n_pages; i++) {
        const char *t = sd->pages[i].text ? sd->pages[i].text : "";
        t += strspn(t, " \t\r\n");
        with_text += *t != '\0';
        none += strcmp(sd->pages[i].source, "none") == 0;
    }
    if (with_text == 0) {
        rc = none ? dc_fail(job->err, DC_PARSE, 0,
                            "no text: %zu %s no text layer and "
                            "--ocr never was given",
                            none, none == 1 ? "page has" : "pages have")
                  : dc_fail(job->err, DC_PARSE, 0, "no text found on %zu %s", sd->n_pages,
                            sd->n_pages == 1 ? "page" : "pages");
        dc_scan_doc_free(sd);
        return rc;
    }
    dc_buf text;
    dc_buf_init(&text, (size_t)DC_SCAN_MAX_TEXT + 1);
    rc = dc_scan_text(sd, &text);
    if (rc)
        rc = dc_fail(job->err, rc, 0,
                     rc == DC_LIMIT ? "more than %llu MiB of text" : "out of memory",
                     DC_SCAN_MAX_TEXT >> 20);
    dc_doc *doc = NULL;
    if (!rc) rc = dc_ingest_text(text.p, text.len, &doc, job->err); /* checks it first */
    dc_buf_release(&text);
    const char *name = NULL;
    int level = rc ? -1 : dc_scan_banner(sd, &name);
    if (!rc && level > 0 && (!doc->classification || dc_level_parse(doc->classification) < level))
        rc = dc_str_set(&doc->classification, name)
                 ? dc_fail(job->err, DC_NOMEM, 0, "out of memory")
                 : DC_OK;
    if (!rc) rc = scan_pages(job, sd, doc);
    if (!rc && (rc = dc_ingest_place_words(doc)) != DC_OK)
        dc_fail(job->err, rc, 0, "out of memory");
    for (size_t i = 0; !rc && i < sd->n_pages && job->opts->on_warning; i++) {
        if (!sd->pages[i].low) continue;
        char msg[96];
        snprintf(msg, sizeof msg, "page %d: low OCR confidence (%.0f%%)", sd->pages[i].number,
                 (double)sd->pages[i].conf);
        job->opts->on_warning(job->opts->ctx, job->path, msg);
    }
    dc_scan_doc_free(sd);
    if (rc) {
        dc_doc_free(doc);
        return rc;
    }
    return job_store(job, doc);
}

/*
 * Ingests one file as a part of the open transaction: all of its documents
 * or none.  A file that fails is undone alone and the transaction stays
 * usable; *fatal says the store itself failed (the transaction must be
 * rolled back and the run stopped).  Counts go to st only on success.
 */
static dc_rc ingest_file(dc_db *db, const char *path, const dc_ingest_opts *opts,
                         dc_ingest_stats *st, dc_error *err, int *fatal, pre_file *pre,
                         const dc_strv *pages, dc_live_index *live, audit_rows *audit)
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
    file_job job = {.db = db,
                    .opts = opts,
                    .path = path,
                    .folder = folder,
                    .basename = base,
                    .err = err,
                    .live = live};
    int is_xml = 0, scan = 0;
    unsigned long long size = 0;
    dc_rc rc = DC_OK;
    if (pages) { /* a --pages folder: its images are checked by dc_scan_read */
    } else if (pre) {
        is_xml = pre->is_xml;
        scan = pre->scan;
        size = pre->size;
        if ((rc = pre->peeked ? DC_OK : pre->rc) != DC_OK) *err = pre->err;
    } else {
        rc = peek_is_xml(path, &is_xml, &scan, &size, err);
    }
    if (rc) return rc;
    if ((rc = dc_store_part_begin(db->st)) != DC_OK) {
        *fatal = 1;
        if (pre) dc_doc_free(pre->doc);
        return dc_fail(err, rc, 0, "%s", dc_store_errmsg(db->st));
    }
    uint64_t fresh_mark = dc_db_fresh_mark(db), live_mark = live ? live->upto : 0;
    size_t audit_mark = audit->n;
    dc_tei_handlers h = {.doc = job_store,
                         .list_item = job_list_item,
                         .person = job_person,
                         .volume = job_volume,
                         .ctx = &job};
    if (pages) {
        rc = ingest_scan(&job, (const char *const *)pages->v, pages->n);
    } else if (scan) {
        rc = ingest_scan(&job, &path, 1);
    } else if (is_xml) {
        rc = ingest_tei(&job, &h, size);
    } else if (pre) { /* read ahead: store its document, or report why not */
        if ((rc = pre->rc) != DC_OK) *err = pre->err;
        else rc = job_store(&job, pre->doc);
    } else {
        rc = ingest_text_file(&job);
    }
    if (!rc && job.n_docs == 0 && job.n_persons + job.n_terms == 0)
        rc = dc_fail(err, DC_PARSE, 0, "no document found");
    if (!rc) {
        char detail[160];
        const char *docs = job.n_docs == 1 ? "document" : "documents";
        if (job.n_persons + job.n_terms == 0)
            snprintf(detail, sizeof detail, "%ld %s (%ld new, %ld updated)", job.n_docs, docs,
                     job.n_new, job.n_updated);
        else
            snprintf(detail, sizeof detail, "%ld %s (%ld new, %ld updated), %ld %s, %ld %s",
                     job.n_docs, docs, job.n_new, job.n_updated, job.n_persons,
                     job.n_persons == 1 ? "person" : "persons", job.n_terms,
                     job.n_terms == 1 ? "term" : "terms");
        rc = audit_rows_add(audit, db->user, "ingest", path, detail);
        if (rc) {
            job.fatal = 1;
            dc_fail(err, rc, 0, "%s", rc == DC_NOMEM ? "out of memory" : "no clock");
        }
    }
    dc_rc end = dc_store_part_end(db->st, rc == DC_OK);
    if (rc || end) {
        *fatal = job.fatal || end != DC_OK;
        if (!rc) rc = end;
        if (err->rc == DC_OK) dc_fail(err, rc, 0, "%s", dc_store_errmsg(db->st));
        dc_db_persons_forget(db); /* it may hold entries just undone */
        dc_db_fresh_drop_after(db, fresh_mark);
        if (live) dc_db_live_index_undone(live, live_mark);
        while (audit->n > audit_mark) dc_audit_copy_free(&audit->v[--audit->n]);
        return rc;
    }
    st->docs_new += job.n_new;
    st->docs_updated += job.n_updated;
    st->docs_unchanged += job.n_unchanged;
    return DC_OK;
}

/*
 * Files are stored in batches, one transaction each, committed once a
 * batch holds BATCH_FILES files (opts->batch_files) or BATCH_BYTES of
 * input or has been open BATCH_SECONDS: a commit per file would write
 * every touched page to the WAL again for each one.  A batch also ends
 * once the documents it keeps for the index reach BATCH_FRESH_BYTES, so
 * that they are handed to the index (dc_db_live_index_step) while they
 * are few, rather than held in memory a whole batch long.  A crash loses at most the open batch (nothing
 * half-stored: each file is a part of its batch), and running the ingest
 * again stores what was lost and finds the rest unchanged.
 */
#define BATCH_FILES 4096
#define BATCH_BYTES ((unsigned long long)32 << 20)
#define BATCH_SECONDS 1.0
#define BATCH_FRESH_BYTES ((size_t)4 << 20)
/* While files are stored, a thread of the store's copies the WAL into the
 * database after each batch (dc_store_background_checkpoints), rather than
 * the ingest at every thousandth page (about 16 MiB) of it; the WAL, which
 * then cannot start again from its beginning (a batch is always being
 * written when the copy ends), is started again at a batch's end once it
 * passes INGEST_WAL_BYTES (dc_store_wal_rewind: mostly copied already,
 * little is left to do). */
#define INGEST_WAL_BYTES ((long long)64 << 20)

typedef struct batch {
    int open;
    long files;
    unsigned long long bytes;
    double started;
    dc_ingest_stats counted; /* st when the batch was opened */
    uint64_t fresh_mark;     /* dc_db_fresh_mark when it was opened */
    dc_live_index *live;     /* told of each commit and rollback, or NULL */
    audit_rows audit;        /* its files' rows, appended at its commit */
} batch;

static double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static dc_rc batch_open(dc_db *db, batch *b, const dc_ingest_stats *st)
{
    if (b->open) return DC_OK;
    dc_rc rc = dc_store_begin(db->st);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    *b = (batch){.open = 1,
                 .started = mono_seconds(),
                 .counted = *st,
                 .fresh_mark = dc_db_fresh_mark(db),
                 .live = b->live};
    return DC_OK;
}

/* Commits the open batch (commit 1; the ingest's last batch: 2, whose
 * WAL the ingest's end copies); on failure, or with commit 0, rolls it
 * back and takes its documents out of st again (they were not stored). */
static dc_rc batch_close(dc_db *db, batch *b, dc_ingest_stats *st, int commit)
{
    if (!b->open) return DC_OK;
    b->open = 0;
    dc_rc rc = commit ? audit_rows_write(db->st, &b->audit) : DC_OK;
    if (!rc && commit) rc = dc_store_commit(db->st);
    audit_rows_clear(&b->audit);
    if (rc)
        dc_db_fail(db, rc, "storing the last %ld files failed: %s", b->files,
                   dc_store_errmsg(db->st));
    /* scanned pages stored for good are not kept for a resume */
    for (size_t i = 0; commit && !rc && i < db->scan_cached.n; i++) unlink(db->scan_cached.v[i]);
    dc_strv_release(&db->scan_cached);
    if (commit == 1 && !rc) { /* the WAL copied meanwhile, and bounded */
        dc_store_wal_rewind(db->st, INGEST_WAL_BYTES);
        dc_store_checkpoint_soon(db->st);
    }
    if (commit && !rc && b->live) { /* the rest to the index, all now committed */
        dc_db_live_index_step(db, b->live);
        dc_db_live_index_committed(b->live);
    }
    if (!commit || rc) {
        dc_store_rollback(db->st);
        if (b->live) dc_db_live_index_undone(b->live, b->live->committed);
        dc_db_persons_forget(db);
        dc_db_fresh_drop_after(db, b->fresh_mark);
        st->docs_new = b->counted.docs_new;
        st->docs_updated = b->counted.docs_updated;
        st->docs_unchanged = b->counted.docs_unchanged;
    }
    return rc;
}

static int batch_full(const dc_db *db, const batch *b, const dc_ingest_opts *opts)
{
    long files = opts->batch_files > 0 ? opts->batch_files : BATCH_FILES;
    return b->files >= files || b->bytes >= BATCH_BYTES || db->fresh.bytes >= BATCH_FRESH_BYTES ||
           mono_seconds() - b->started >= BATCH_SECONDS;
}

/* The page images of a --pages folder: its files with an image
 * extension, hidden ones and others skipped (counted in *skipped), in
 * name order. */
static dc_rc page_images(const char *dir, dc_strv *files, long *skipped, dc_error *err)
{
    name_list names;
    dc_rc rc = sorted_names(dir, &names, 0, err);
    if (rc) {
        names_release(&names);
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return dc_fail(err, rc, 0, "%s: %s", dir, why);
    }
    dc_buf path;
    dc_buf_init(&path, 8192);
    for (size_t i = 0, pages = 0; !rc && i < names.n; i++) {
        int kind = dc_scan_ext_kind(names.v[i]);
        if (kind == DC_SCAN_NONE || kind == DC_SCAN_PDF) {
            (*skipped)++;
            continue;
        }
        if (pages++ >= DC_SCAN_MAX_PAGES) {
            rc = dc_fail(err, DC_LIMIT, 0, "%s: more than %d page images", dir, DC_SCAN_MAX_PAGES);
            break;
        }
        dc_buf_reset(&path);
        dc_buf_printf(&path, "%s/%s", dir, names.v[i]);
        rc = path.rc ? dc_fail(err, path.rc, 0, "%s: path too long", dir)
                     : dc_strv_push(files, path.p);
    }
    dc_buf_release(&path);
    names_release(&names);
    if (!rc && files->n == 0)
        rc = dc_fail(err, DC_PARSE, 0, "%s: no page images (.png, .tif, .tiff, .jpg, .jpeg)", dir);
    return rc;
}

/* A --pages folder: one document of its page images, a file of its own. */
static dc_rc ingest_pages(dc_db *db, const char *path, const dc_ingest_opts *opts,
                          dc_ingest_stats *st)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    size_t k = strlen(dir);
    while (k > 1 && dir[k - 1] == '/') dir[--k] = '\0';
    dc_error err = {0};
    dc_strv files = {0};
    dc_rc rc = page_images(dir, &files, &st->files_skipped, &err);
    batch b = {0};
    int fatal = 0;
    st->files++;
    if (!rc && (rc = batch_open(db, &b, st)) != DC_OK) {
        dc_strv_release(&files);
        return rc;
    }
    if (!rc) rc = ingest_file(db, dir, opts, st, &err, &fatal, NULL, &files, NULL, &b.audit);
    for (size_t i = 0; i < files.n; i++) {
        struct stat fs;
        if (stat(files.v[i], &fs) == 0) st->bytes += (unsigned long long)fs.st_size;
    }
    dc_strv_release(&files);
    if (rc) {
        st->files_failed++;
        batch_close(db, &b, st, 0);
        if (opts->on_error) opts->on_error(opts->ctx, dir, &err);
        if (fatal || rc == DC_NOMEM) return dc_db_fail(db, rc, "%s: %s", dir, err.msg);
        return dc_db_fail(db, DC_PARSE, "%s could not be ingested", dir);
    }
    if ((rc = batch_close(db, &b, st, 1)) != DC_OK) return rc;
    if (opts->progress) opts->progress(opts->ctx, st, dir);
    if (st->docs_new + st->docs_updated > 0) rc = dc_db_index(db);
    return rc;
}

static dc_rc ingest_path(dc_db *db, const char *path, const dc_ingest_opts *opts,
                         dc_ingest_stats *st)
{
    dc_error err = {0};
    struct stat sb;
    dc_rc rc;
    if ((rc = check_collection_opt(db, opts->collection)) != DC_OK) return rc;
    /* Once the database has an administrator, only administrators ingest. */
    int admin = 0;
    if ((rc = dc_db_has_admin(db, &admin)) != DC_OK) return rc;
    if (admin && (rc = dc_db_require_role(db, DC_ROLE_ADMIN, "ingest", path)) != DC_OK) return rc;
    if (opts->lang && !dc_scan_lang_ok(opts->lang))
        return dc_db_fail(db, DC_MISUSE, "bad OCR language list: letters, digits, '_' and '+'");
    int is_dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (opts->pages && is_dir) return ingest_pages(db, path, opts, st);
    walker walk;
    if ((rc = walker_open(&walk, path, is_dir, &err)) != DC_OK) {
        walker_close(&walk);
        return dc_db_fail(db, rc, "%s: %s", path, err.msg);
    }
    dc_rc worst = DC_OK;
    dc_db_persons_forget(db); /* lists another process stored since */
    dc_live_index live = {0};
    batch b = {.live = &live};
    long step_files = (opts->batch_files > 0 ? opts->batch_files : BATCH_FILES) / 8;
    if (step_files < 1) step_files = 1;
    read_ahead *ra = is_dir ? read_ahead_start(&walk) : NULL;
    if (is_dir) dc_store_background_checkpoints(db->st, 1);
    for (size_t i = 0;; i++) {
        struct stat fs;
        pre_file pre = {0};
        if (ra) pre = read_ahead_take(ra, i);
        else walk_take(&walk, &pre);
        st->files_skipped += pre.skipped;
        if (pre.end) break;
        memset(&err, 0, sizeof err);
        if ((rc = batch_open(db, &b, st)) != DC_OK) {
            dc_doc_free(pre.doc);
            free(pre.path);
            break;
        }
        st->files++;
        int fatal = 0;
        if (pre.bad_folder) { /* reported as a file is, the walk goes on */
            rc = pre.rc;
            err = pre.err;
        } else {
            rc = ingest_file(db, pre.path, opts, st, &err, &fatal, ra ? &pre : NULL, NULL, &live,
                             &b.audit);
            if (ra && pre.peeked) { /* its size as the thread found it */
                st->bytes += pre.size;
                b.bytes += pre.size;
            } else if (stat(pre.path, &fs) == 0) {
                st->bytes += (unsigned long long)fs.st_size;
                b.bytes += (unsigned long long)fs.st_size;
            }
        }
        b.files++;
        if (rc) {
            st->files_failed++;
            if (opts->on_error) opts->on_error(opts->ctx, pre.path, &err);
            /* Bad input is reported and skipped; anything else stops the run. */
            if (!fatal && rc != DC_NOMEM) {
                if (!worst) worst = DC_PARSE;
                rc = DC_OK;
            } else {
                batch_close(db, &b, st, 0);
                dc_db_fail(db, rc, "%s: %s", pre.path, err.msg);
                free(pre.path);
                break;
            }
        }
        if (batch_full(db, &b, opts)) {
            if ((rc = batch_close(db, &b, st, 1)) != DC_OK) {
                free(pre.path);
                break;
            }
        } else if (b.files % step_files == 0) {
            dc_db_live_index_step(db, &live);
        }
        if (opts->progress) opts->progress(opts->ctx, st, pre.path);
        free(pre.path);
    }
    read_ahead_stop(ra);
    walker_close(&walk);
    if (!rc && b.open) rc = batch_close(db, &b, st, 2);
    /* The index's last segment is written on its thread while this one
     * copies the WAL into the database and empties it (else the close
     * would, after the segment; failing, the close still does). */
    dc_db_live_index_finish(&live);
    dc_store_background_checkpoints(db->st, 0);
    if (!rc) (void)dc_store_wal_trim(db->st, 0);
    dc_db_live_index_end(&live);
    if (rc) return rc;
    if (st->docs_new + st->docs_updated > 0 && (rc = dc_db_index(db)) != DC_OK) return rc;
    if (worst)
        dc_db_fail(db, worst, "%ld of %ld files could not be ingested", st->files_failed,
                   st->files);
    return worst;
}

/* An ingest passes over pages it writes once: read into SQLite's own
 * buffers, not through the mapping, they do not stay in its resident
 * size (127 MB instead of 42 at 10,000 small files).  Those buffers are
 * 4 MiB rather than SQLite's 2: a batch's pages then stay in them until
 * it commits, where 2 MiB spilled pages to the WAL mid-batch and read
 * others back (10,000 small files: 73,868 -> 66,788 writes, 36,177 ->
 * 23,065 reads; resident 44 -> 46 MB; 8 and 16 MiB gained nothing more). */
#define INGEST_CACHE_KIB 4096

dc_rc dc_db_ingest(dc_db *db, const char *path, const dc_ingest_opts *opts, dc_ingest_stats *st)
{
    dc_store_mmap(db->st, 0);
    long long cache = dc_store_cache(db->st, -INGEST_CACHE_KIB);
    dc_rc rc = ingest_path(db, path, opts, st);
    if (cache) dc_store_cache(db->st, cache);
    dc_store_mmap(db->st, 1);
    return rc;
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
    if (!mkdtemp(dir))
        return dc_db_fail(db, DC_IO, "cannot create a temporary folder: %s", strerror(errno));
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
        batch b = {0};
        rc = batch_open(db, &b, st);
        if (!rc && (rc = ingest_file(db, path, opts, st, &err, &fatal, NULL, NULL, NULL,
                                      &b.audit)) != DC_OK) {
            st->files_failed++;
            batch_close(db, &b, st, 0);
            dc_db_fail(db, rc, "%s: %s", name, err.msg);
        }
        if (!rc) rc = batch_close(db, &b, st, 1);
        if (!rc && st->docs_new + st->docs_updated > 0) rc = dc_db_index(db);
    }
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    return rc;
}
