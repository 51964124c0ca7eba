/*
 * The facade: Search: keeping the index up to the store (every version indexed as the
 * views readers have of it), queries, snippets, optimize and check.
 */
#include "facade/facade_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
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

/* ---- index ------------------------------------------------------------ */

/* What on_change needs: the index batch, and the database whose views
 * (dc_db_view_doc: with persons, references and dates derived again from
 * what the reader sees) are indexed. */
typedef struct index_job {
    dc_db *db;
    dc_index_writer *w;
    uint64_t docid;    /* the version being indexed (the last one, after) */
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

/* The version docid as this handle stored it, if it kept it (a dc_known_cb). */
static const dc_doc *known(void *ctx, uint64_t docid)
{
    const index_job *j = ctx;
    return dc_db_fresh_find(j->db, docid);
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

/* Opens db->ix (creating the index) or refreshes it. */
static dc_rc index_ready(dc_db *db)
{
    dc_error err = {0};
    dc_rc rc;
    if (!db->ix) {
        if ((rc = dc_index_open(db->index_dir, DC_INDEX_CREATE, &db->ix, &err)) != DC_OK)
            return dc_db_fail(db, rc, "cannot open the index %s: %s", db->index_dir, err.msg);
    } else if ((rc = dc_index_refresh(db->ix)) != DC_OK) {
        return dc_db_fail(db, rc, "cannot read the index: %s", dc_index_errmsg(db->ix));
    }
    return DC_OK;
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
 *
 * The versions this handle kept in memory when it stored them (db->fresh)
 * are indexed from there; whatever happens they are dropped after, as the
 * store holds them all.  *committed is set when an index commit was made.
 */
static dc_rc catch_up(dc_db *db, int *committed)
{
    dc_rc rc = index_ready(db);
    if (rc) return rc;
    /* In a read snapshot (dc_db_read_begin) the store's largest docid is
     * the snapshot's, which the index may have passed since: the index is
     * taken as it is, and the next catch-up outside one (every write is
     * followed by one, and every search) brings it up to the store. */
    if (dc_store_snapshot(db->st)) return DC_OK;
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
    rc = dc_store_changes_since(db->st, hw, known, on_change, &job);
    if (rc) {
        char why[600];
        if (job.failed) /* a view, or the index: say which document */
            snprintf(why, sizeof why, "%s: %s", job.failed_id,
                     job.index_failed ? dc_index_errmsg(db->ix) : dc_strerror(job.failed));
        else snprintf(why, sizeof why, "%s", dc_store_errmsg(db->st));
        dc_index_writer_abort(w);
        return dc_db_fail(db, rc, "indexing failed: %s", why);
    }
    if ((rc = dc_index_writer_commit(w)) != DC_OK)
        return dc_db_fail(db, rc, "indexing failed: %s", dc_index_errmsg(db->ix));
    *committed = 1;
    return DC_OK;
}

/*
 * Indexing while an ingest stores (dc_db_ingest): after each batch the
 * store committed, the versions added since the last step are indexed as
 * catch_up would index them, from memory, into a shared writer
 * (dc_index_writer_open_shared) that publishes a segment whenever its
 * memory budget is reached and at the end, taking the index lock only
 * then, so searches meanwhile are not held up.  The kept versions are
 * dropped once indexed, so they never pass FRESH_MAX_BYTES and none is
 * read back from the store.
 *
 * The indexing itself runs on a thread of its own (the live worker) while
 * the ingest goes on storing.  The worker is given documents every reader
 * sees alike (dc_access_uniform: the view is the document itself, as
 * index_view decides) with the ownership of each, through a queue of at
 * most LIVE_QUEUE_BYTES (the ingest waits when it is full); it touches
 * the writer and the index handle, never the store or anything else of
 * db.  A version whose views must be made (dc_db_view_doc reads db) or
 * that was read back from the store is indexed by the thread that stores
 * (the ingest's, or a volume's store worker: facade/ingest.c), once the
 * worker is idle: the writer is used by one thread at a time,
 * and in docid order.
 *
 * Anything unusual — an index to rebuild, another handle that indexed
 * first, a failure — ends the live indexing quietly: the catch-up that
 * follows every ingest (dc_db_index) then does what is left as before and
 * reports its own failures.
 */
#define LIVE_QUEUE_BYTES ((size_t)16 << 20)
/* The ingest, waiting for room, is woken once this much is free again:
 * not half the queue, which left a core idle while the worker emptied it
 * (the read-ahead thread, READ_AHEAD_FILES ahead, soon waits too).  The
 * ingest of 10,000 small files: 0.887 -> 0.814 s with 8 -> 16 MiB and an
 * eighth rather than a half (medians of 8, docs/PERFORMANCE.md). */
#define LIVE_QUEUE_RESUME (LIVE_QUEUE_BYTES / 8)
/* The live writer's memory budget, below the 64 MiB of the others: the
 * ingest holds besides it the queue, its read-ahead, the kept versions
 * and SQLite's cache, and at 200,000 small files its peak resident size
 * was 127-187 MB with 64 MiB (and a queue of 8 or 16), 116-123 MB with
 * 48 (docs/PERFORMANCE.md); the goal is 128. */
#define LIVE_WRITER_BUDGET ((size_t)48 << 20)

typedef struct live_item {
    uint64_t docid;
    dc_doc *doc;
    uint64_t *older; /* versions it supersedes, to delete */
    size_t n_older, bytes;
} live_item;

/* The queue is q[qhead .. qhead + qn), grown as needed and bounded by the
 * bytes of its documents.  Each side sleeps only when it must and is
 * woken only when the other is asleep: the worker when the queue is
 * empty, the ingest when it is full (until LIVE_QUEUE_RESUME is free) or
 * when it waits for the worker to be idle. */
struct live_worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work;  /* the worker waits for an item or the stop */
    pthread_cond_t moved; /* the ingest waits for room, or for idleness */
    live_item *q;
    size_t qhead, qn, qcap, qbytes;
    int busy, stop;
    int finish;   /* once all is indexed, commit w and end (dc_db_live_index_finish) */
    int asleep;   /* the worker waits on work */
    int waiting;  /* the ingest waits on moved */
    dc_rc failed; /* the worker's first failure: it indexes no more */
    dc_index_writer *w;
};

static void item_free(live_item *it)
{
    dc_doc_free(it->doc);
    free(it->older);
}

/* Indexes one version into w: its older versions deleted, the document
 * itself as every reader's view (index_view). */
static dc_rc index_uniform(dc_index_writer *w, const live_item *it)
{
    index_job job = {.w = w};
    return on_change(&job, it->docid, it->doc, it->older, it->n_older);
}

static void *live_main(void *arg)
{
    live_worker *lw = arg;
    pthread_mutex_lock(&lw->mu);
    for (;;) {
        while (lw->qn == 0 && !lw->stop && !lw->finish) {
            lw->busy = 0;
            if (lw->waiting) pthread_cond_signal(&lw->moved);
            lw->asleep = 1;
            pthread_cond_wait(&lw->work, &lw->mu);
            lw->asleep = 0;
        }
        if (lw->qn == 0) break;
        live_item it = lw->q[lw->qhead++];
        lw->qn--;
        lw->qbytes -= it.bytes;
        lw->busy = 1;
        dc_rc failed = lw->failed;
        if (lw->waiting && lw->qbytes <= LIVE_QUEUE_BYTES - LIVE_QUEUE_RESUME)
            pthread_cond_signal(&lw->moved);
        pthread_mutex_unlock(&lw->mu);
        dc_rc rc = failed;
        if (!rc && dc_index_writer_overtaken(lw->w)) rc = DC_MISUSE;
        if (!rc) rc = index_uniform(lw->w, &it);
        item_free(&it);
        pthread_mutex_lock(&lw->mu);
        if (rc && !lw->failed) lw->failed = rc;
    }
    if (lw->finish && !lw->stop) {
        dc_rc failed = lw->failed;
        pthread_mutex_unlock(&lw->mu);
        /* failing, the writer leaves the rest to dc_db_index */
        if (failed) dc_index_writer_abort(lw->w);
        else (void)dc_index_writer_commit(lw->w);
        pthread_mutex_lock(&lw->mu);
    }
    lw->busy = 0;
    if (lw->waiting) pthread_cond_signal(&lw->moved);
    pthread_mutex_unlock(&lw->mu);
    return NULL;
}

/* Starts the worker for w; NULL if it cannot (the steps then index on the
 * ingest's thread). */
static live_worker *worker_start(dc_index_writer *w)
{
    live_worker *lw = calloc(1, sizeof *lw);
    if (!lw) return NULL;
    lw->w = w;
    if (dc_worker_start(&lw->thread, &lw->mu, &lw->work, &lw->moved, live_main, lw) == 0)
        return lw;
    free(lw);
    return NULL;
}

/* Waits until the worker has indexed everything given; its failure. */
static dc_rc worker_idle(live_worker *lw)
{
    pthread_mutex_lock(&lw->mu);
    lw->waiting = 1;
    while (lw->qn || lw->busy) pthread_cond_wait(&lw->moved, &lw->mu);
    lw->waiting = 0;
    dc_rc rc = lw->failed;
    pthread_mutex_unlock(&lw->mu);
    return rc;
}

/* Gives the worker an item (waiting while the queue is full); on failure
 * (the worker's, or no memory) the item is freed. */
static dc_rc worker_give(live_worker *lw, live_item *it)
{
    pthread_mutex_lock(&lw->mu);
    lw->waiting = 1;
    while (!lw->failed && lw->qn && lw->qbytes > LIVE_QUEUE_BYTES)
        pthread_cond_wait(&lw->moved, &lw->mu);
    lw->waiting = 0;
    dc_rc rc = lw->failed;
    if (!rc && lw->qhead + lw->qn == lw->qcap && lw->qhead) {
        memmove(lw->q, lw->q + lw->qhead, lw->qn * sizeof *lw->q);
        lw->qhead = 0;
    }
    if (!rc && DC_GROW(lw->q, lw->qhead + lw->qn + 1, lw->qcap)) rc = DC_NOMEM;
    if (!rc) {
        lw->q[lw->qhead + lw->qn++] = *it;
        lw->qbytes += it->bytes;
        if (lw->asleep) pthread_cond_signal(&lw->work);
    }
    pthread_mutex_unlock(&lw->mu);
    if (rc) item_free(it);
    return rc;
}

/* Stops and joins the worker, dropping what it was not given time for
 * (a finishing worker ends by itself: joined only). */
static void worker_stop(live_worker *lw)
{
    if (!lw) return;
    pthread_mutex_lock(&lw->mu);
    if (!lw->finish) lw->stop = 1;
    pthread_cond_signal(&lw->work);
    pthread_mutex_unlock(&lw->mu);
    pthread_join(lw->thread, NULL);
    for (; lw->qn; lw->qn--) item_free(&lw->q[lw->qhead++]);
    dc_worker_sync_destroy(&lw->mu, &lw->work, &lw->moved);
    free(lw->q);
    free(lw);
}

/* What a step's changes go through: the index job (for what the ingest's
 * thread indexes) and the live index. */
typedef struct live_step {
    index_job job;
    dc_live_index *li;
} live_step;

/* A dc_change_cb: gives the worker a kept uniform version, or indexes the
 * version here once the worker is idle. */
static dc_rc live_change(void *ctx, uint64_t docid, const dc_doc *doc, const uint64_t *older,
                         size_t n_older)
{
    live_step *ls = ctx;
    live_worker *lw = ls->li->worker;
    dc_rc rc;
    ls->li->upto = docid;
    if (lw && dc_access_uniform(doc)) {
        live_item it = {.docid = docid, .n_older = n_older};
        if (n_older && !(it.older = malloc(n_older * sizeof *older))) return DC_NOMEM;
        if (n_older) memcpy(it.older, older, n_older * sizeof *older);
        it.doc = dc_db_fresh_take(ls->job.db, docid, &it.bytes);
        if (it.doc) return worker_give(lw, &it);
        free(it.older);
    }
    if (lw && (rc = worker_idle(lw)) != DC_OK) return rc;
    return on_change(&ls->job, docid, doc, older, n_older);
}

static void live_off(dc_live_index *li)
{
    worker_stop(li->worker);
    li->worker = NULL;
    dc_index_writer_abort(li->w);
    li->w = NULL;
    li->off = 1;
}

void dc_db_live_index_step(dc_db *db, dc_live_index *li)
{
    if (li->off) return;
    uint64_t max = 0;
    if (!li->w) {
        if (index_ready(db) != DC_OK || dc_store_max_docid(db->st, &max) != DC_OK ||
            dc_index_outdated(db->ix) || dc_index_high_water(db->ix) > max ||
            dc_index_writer_open_shared(db->ix, LIVE_WRITER_BUDGET, &li->w) != DC_OK) {
            live_off(li);
            return;
        }
        li->upto = li->committed = dc_index_high_water(db->ix);
        li->worker = worker_start(li->w);
    } else if (!li->worker && dc_index_writer_overtaken(li->w)) {
        live_off(li); /* a search indexed what was stored meanwhile */
        return;
    }
    live_step ls = {.job = {.db = db, .w = li->w}, .li = li};
    /* before the worker can see a version the store has not committed */
    if (dc_store_in_transaction(db->st)) dc_index_writer_defer(li->w, 1);
    dc_rc rc = dc_store_changes_since(db->st, li->upto, known, live_change, &ls);
    dc_db_fresh_forget(db, li->upto);
    if (rc) live_off(li);
}

void dc_db_live_index_committed(dc_live_index *li)
{
    if (li->off || !li->w) return;
    li->committed = li->upto;
    dc_index_writer_defer(li->w, 0);
}

void dc_db_live_index_undone(dc_live_index *li, uint64_t since)
{
    if (!li->off && li->w && li->upto > since) live_off(li);
}

void dc_db_live_index_finish(dc_live_index *li)
{
    live_worker *lw = li->worker;
    if (!li->w || !lw || li->upto > li->committed) return;
    pthread_mutex_lock(&lw->mu);
    lw->finish = 1;
    if (lw->asleep) pthread_cond_signal(&lw->work);
    pthread_mutex_unlock(&lw->mu);
}

void dc_db_live_index_end(dc_live_index *li)
{
    if (!li->w) return;
    if (li->upto > li->committed) { /* never publish what the store lost */
        live_off(li);
        return;
    }
    live_worker *lw = li->worker;
    if (lw && lw->finish) { /* the worker commits or drops w, and ends */
        worker_stop(lw);
    } else {
        dc_rc rc = lw ? worker_idle(lw) : DC_OK;
        worker_stop(lw);
        if (rc) dc_index_writer_abort(li->w);
        else (void)dc_index_writer_commit(li->w); /* failing, it leaves the rest to dc_db_index */
    }
    li->worker = NULL;
    li->w = NULL;
    li->off = 1;
}

/*
 * Catches up, then merges segments as the index's policy asks: each
 * commit adds at least one segment (a large one several) and searches pay
 * for every extra one, so a fresh index searches as a merged one and the
 * count stays small.  A writer (an ingest, a review) merges whatever the
 * policy asks.  A reader (a search, a check) that committed merges only
 * past READER_MERGE_SEGS segments, only small runs (READER_MERGE_MAX
 * entries) and only if the lock is free: the segments its catch-ups add
 * must not pile up during a long ingest, but it must not wait, nor make
 * other readers wait, for a large merge or a merge at every search.  The
 * kept versions are dropped first: the merge then runs in the memory they
 * held.
 */
#define READER_MERGE_MAX (16 * 1024) /* entries a search's catch-up may merge */
#define READER_MERGE_SEGS 8          /* segments before a search's catch-up merges */

static dc_rc index_up(dc_db *db, int writer)
{
    int committed = 0;
    dc_rc rc = catch_up(db, &committed);
    dc_db_fresh_drop(db, 0);
#ifdef __GLIBC__
    /* the index writer's and the kept versions' memory, freed but held by
     * malloc, back to the system before the merge takes its own */
    if (writer && committed) malloc_trim(0);
#endif
    if (!rc && (writer || (committed && dc_index_segment_count(db->ix) > READER_MERGE_SEGS)) &&
        (rc = dc_index_merge(db->ix, writer ? 0 : READER_MERGE_MAX, NULL)) != DC_OK)
        dc_db_fail(db, rc, "merging index segments failed: %s", dc_index_errmsg(db->ix));
    return rc;
}

dc_rc dc_db_index(dc_db *db) { return index_up(db, 1); }

dc_rc dc_db_search_ready(dc_db *db)
{
    dc_rc rc;
    if (!db->an && (rc = dc_analyzer_new(&db->an)) != DC_OK)
        return dc_db_fail(db, rc, "cannot start the analyzer");
    return index_up(db, 0);
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
    dc_db_reader_key(db, b);
    dc_buf_printf(b, "\x1f%s\x1f%s\x1f%s", req->query, req->mark_open ? req->mark_open : "",
                  req->mark_close ? req->mark_close : "");
    return dc_db_hash(b->p, b->len);
}

/* The snippet of hit h: the reader's view of the stored document (so only
 * text the reader may read, with withheld portions already replaced), the
 * best window.  A document that vanished since the search gets an empty
 * one. */
static dc_rc hit_snippet(dc_db *db, const dc_query *q, const dc_search_request *req,
                         const dc_hit *h, int current, char **out)
{
    *out = NULL;
    dc_buf key;
    dc_buf_init(&key, DC_QUERY_MAX_LEN + 4096);
    /* a command searches once: only a server's snippets are kept */
    uint64_t hash = db->server ? snippet_key(db, req, h->docid, &key) : 0;
    snippet_slot *slot = NULL;
    if (db->server && !key.rc) {
        if (!db->snippets) db->snippets = calloc(SNIPPET_SLOTS, sizeof *db->snippets);
        if (db->snippets) slot = &db->snippets[hash % SNIPPET_SLOTS];
    }
    if (slot && slot->key && slot->hash == hash && strcmp(slot->key, key.p) == 0) {
        dc_buf_release(&key);
        return (*out = dc_strdup(slot->snippet)) ? DC_OK : DC_NOMEM;
    }
    const dc_doc *doc = NULL;
    int denied = 0;
    dc_rc rc = dc_db_view_pin_hit(db, h->id, h->docid, current, &doc, &denied);
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
    dc_db_view_unpin(db, doc);
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
    int y, m, day;
    return !d || !*d || dc_date_parse(d, strlen(d), &y, &m, &day);
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
        return dc_db_fail(db, DC_MISUSE,
                          "unknown classification '%s' (use UNCLASSIFIED, "
                          "CONFIDENTIAL, SECRET or TOP SECRET)",
                          req->classification);
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
    /* The hits' rows in one read of the store (its locks taken once).
     * When the snapshot holds no version newer than the index's high
     * water, every hit is its document's current version (the index
     * deletes a superseded version in the commit that adds its successor)
     * and the documents' rows need not be read to say so. */
    int snap = !rc && n && dc_store_read_begin(db->st) == DC_OK;
    uint64_t max = 0;
    int current =
        snap && dc_store_max_docid(db->st, &max) == DC_OK && max == dc_index_high_water(db->ix);
    for (size_t i = 0; !rc && i < n; i++) {
        const dc_hit *h = &p->res->hits[i];
        rc = hit_snippet(db, q, req, h, current, &p->snippets[i]);
        p->hits[i] = (dc_search_hit){.id = h->id,
                                     .title = h->title,
                                     .date = h->date,
                                     .classification = h->classification,
                                     .score = h->score,
                                     .snippet = p->snippets[i]};
        p->pub.n_hits = i + 1;
    }
    if (snap) dc_store_read_end(db->st);
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

/* Counts the passages found and hands them on. */
typedef struct find_ctx {
    dc_find_cb cb;
    void *ctx;
    size_t n;
} find_ctx;

static dc_rc find_one(void *ctx, const dc_find_hit *h)
{
    find_ctx *f = ctx;
    f->n++;
    return f->cb(f->ctx, h);
}

void dc_find_hit_json(dc_json *j, const dc_find_hit *h)
{
    dc_json_obj(j);
    if (h->portion) {
        dc_json_kstr(j, "portion", h->portion);
    } else {
        dc_json_kstr(j, "footnote", h->footnote);
        dc_json_kstr(j, "label", h->label);
    }
    dc_json_kint(j, "matches", (long long)h->matches);
    dc_json_kstr(j, "snippet", h->snippet);
    dc_json_end(j);
}

dc_rc dc_db_find(dc_db *db, const char *id, const char *query, const char *open, const char *close,
                 dc_find_cb cb, void *ctx, size_t *n)
{
    if (n) *n = 0;
    if (!id || !query || !cb) return dc_db_fail(db, DC_MISUSE, "no document or query");
    dc_rc rc;
    if (!db->an && (rc = dc_analyzer_new(&db->an)) != DC_OK)
        return dc_db_fail(db, rc, "cannot start the analyzer");
    dc_error err = {0};
    dc_query *q = NULL;
    rc = dc_query_parse(db->an, query, strlen(query), &q, &err);
    if (rc) return dc_db_fail(db, rc, "bad query: %s", err.msg);
    const dc_doc *view = NULL;
    int denied = 0;
    rc = dc_db_view_pin(db, id, &view, &denied);
    find_ctx f = {.cb = cb, .ctx = ctx};
    if (!rc)
        rc = dc_index_find(db->an, q, view, DC_SNIPPET_WIDTH, open ? open : "<mark>",
                           close ? close : "</mark>", find_one, &f);
    dc_db_view_unpin(db, view);
    dc_query_free(q);
    if (n) *n = f.n;
    char detail[64];
    snprintf(detail, sizeof detail, "%zu passages", f.n);
    if (rc == DC_NOTFOUND) { /* as dc_db_read: the same answer either way */
        char msg[sizeof db->errmsg];
        snprintf(msg, sizeof msg, "%s", db->errmsg);
        dc_db_audit_add(db, denied ? "read-refused" : "read-missing", id, "find");
        snprintf(db->errmsg, sizeof db->errmsg, "%s", msg);
        return rc;
    }
    if (rc == DC_NOMEM) return dc_db_fail(db, rc, "out of memory");
    if (rc) return rc;
    return dc_db_audit_add(db, "find", id, detail);
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
    dc_json j;
    dc_json_init(&j, &b, 1);
    dc_json_obj(&j);
    dc_json_kstr(&j, "query", req->query);
    dc_json_knum(&j, "total", (double)page->total);
    dc_json_key(&j, "hits");
    dc_json_arr(&j);
    for (size_t i = 0; i < page->n_hits; i++) {
        const dc_search_hit *h = &page->hits[i];
        dc_json_obj(&j);
        dc_json_kstr(&j, "id", h->id);
        dc_json_kstr(&j, "title", h->title);
        dc_json_kstr(&j, "date", h->date);
        dc_json_kstr(&j, "classification", h->classification);
        dc_json_knum(&j, "score", h->score);
        dc_json_kstr(&j, "snippet", h->snippet);
        dc_json_end(&j);
    }
    dc_json_end(&j);
    dc_json_key(&j, "facets");
    dc_json_obj(&j);
    for (size_t i = 0; i < page->n_facets; i++) {
        const dc_facet *f = &page->facets[i];
        dc_json_key(&j, f->name);
        dc_json_arr(&j);
        for (size_t k = 0; k < f->n_values; k++) {
            dc_json_obj(&j);
            dc_json_kstr(&j, "value", f->values[k].value);
            dc_json_knum(&j, "count", (double)f->values[k].count);
            dc_json_end(&j);
        }
        dc_json_end(&j);
    }
    dc_json_end(&j);
    dc_json_end(&j);
    dc_buf_putc(&b, '\n');
    dc_rc rc = b.rc;
    if (!rc && !(*out = dc_buf_detach(&b))) rc = DC_NOMEM;
    dc_buf_release(&b);
    return rc;
}

dc_rc dc_db_optimize(dc_db *db)
{
    dc_rc rc = dc_db_index(db);
    if (!rc && (rc = dc_index_optimize(db->ix)) != DC_OK)
        dc_db_fail(db, rc, "%s", dc_index_errmsg(db->ix));
    return rc;
}

/* The current versions of the store (docid and id), for dc_db_check. */
typedef struct cur_versions {
    uint64_t *docids;
    char **ids;
    size_t n, cap_docids, cap_ids;
} cur_versions;

static dc_rc collect_current(void *ctx, uint64_t docid, const dc_doc *doc, const uint64_t *older,
                             size_t n_older)
{
    cur_versions *v = ctx;
    (void)older, (void)n_older;
    if (DC_GROW(v->docids, v->n + 1, v->cap_docids) || DC_GROW(v->ids, v->n + 1, v->cap_ids))
        return DC_NOMEM;
    if (!(v->ids[v->n] = dc_strdup(doc->id ? doc->id : ""))) return DC_NOMEM;
    v->docids[v->n++] = docid;
    return DC_OK;
}

dc_rc dc_db_check(dc_db *db)
{
    /* The store's tamper evidence first: the audit chain and triggers. */
    dc_rc rc = dc_store_verify(db->st);
    if (rc) return dc_db_fail(db, rc, "store: %s", dc_store_errmsg(db->st));
    if ((rc = index_up(db, 0)) != DC_OK) return rc;
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
    rc = dc_store_changes_since(db->st, 0, NULL, collect_current, &v);
    if (rc) dc_db_fail(db, rc, "store: %s", dc_store_errmsg(db->st));
    else if ((long)v.n != docs)
        rc = dc_db_fail(db, DC_CORRUPT, "the store has %ld documents but %zu current versions",
                        docs, v.n);
    else if ((rc = dc_index_check_docs(db->ix, v.docids, (const char *const *)v.ids, v.n, &err)) !=
             DC_OK)
        dc_db_fail(db, rc, "%s", err.msg);
    for (size_t i = 0; i < v.n; i++) free(v.ids[i]);
    free(v.ids);
    free(v.docids);
    return rc;
}
