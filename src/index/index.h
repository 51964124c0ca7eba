/*
 * declass — the full-text index: immutable segments of delta-coded
 * positional postings, read through mmap, searched with BM25.
 *
 * An index is a directory (the facade uses "<database>.index/") holding
 * segment files and a MANIFEST naming the live segments, the deleted
 * document ids and the high-water mark (the largest docid ever added).
 * A commit writes new segment files, then a new MANIFEST by write-to-temp,
 * fsync and rename: a crash at any point leaves the previous MANIFEST and
 * everything it names intact.  The store is the truth; the facade indexes
 * store versions whose docid is above the high-water mark (catch-up) and
 * deletes superseded ones, so the index is always consistent with it.
 *
 * Docids are the store's version row ids: unique, increasing, never
 * reused.  On-disk formats: docs/internals/index.md.
 *
 * The index holds views, not documents: each entry is one view of a
 * document version (dc_access_view: what some readers may see of it)
 * with the predicate naming those readers (dc_access_each_view).  The
 * index decides no access itself beyond evaluating predicates, and a
 * reader's every output — hits, totals, scores, facets, prefix expansion
 * — is computed from the entries that hold for them alone, so it equals
 * that of an index built from that reader's views only.
 */
#ifndef DECLASS_INDEX_H
#define DECLASS_INDEX_H

#include <stdint.h>

#include "access/access.h"
#include "analysis/analysis.h"
#include "declass/model.h"
#include "query/query.h"

typedef struct dc_index dc_index;
typedef struct dc_index_writer dc_index_writer;

#define DC_INDEX_CREATE 1

/* Opens (with DC_INDEX_CREATE: creates) the index in directory dir.
 * Segment files not named by the MANIFEST (left by a crash) are removed
 * if no writer holds the lock (else the next writer removes them).
 * A damaged MANIFEST or segment is DC_CORRUPT. */
dc_rc dc_index_open(const char *dir, int flags, dc_index **out, dc_error *err);
void dc_index_close(dc_index *ix); /* NULL is a no-op */
const char *dc_index_errmsg(const dc_index *ix);

/*
 * Brings ix up to the latest commit made through any handle (another
 * dc_index on the same directory, in this process or another): if the
 * MANIFEST changed since ix loaded it, maps the segments it added and
 * unmaps those it dropped (a segment file a merge removed stays readable
 * while mapped, so ix searches its old snapshot until it refreshes).  Costs
 * one open, fstat and short read when nothing changed.  On failure ix
 * keeps its previous state and dc_index_errmsg says why.  A no-op while
 * ix has a writer open (that writer holds the lock: nothing can change).
 */
dc_rc dc_index_refresh(dc_index *ix);

/* The largest docid ever committed (0 for an empty index). */
uint64_t dc_index_high_water(const dc_index *ix);
/* Live (added and not deleted) docids, each counted once whatever its
 * number of views, and segments. */
uint64_t dc_index_doc_count(const dc_index *ix);
unsigned dc_index_segment_count(const dc_index *ix);
/*
 * 1 if a segment of the index has an older format (DC_SEG_VERSION): it is
 * read as holding nothing, and searches, checks and optimize fail until
 * the index is rebuilt — a writer that calls dc_index_writer_clear and
 * adds everything again (the facade does so by itself from the store).
 */
int dc_index_outdated(const dc_index *ix);

/*
 * Starts a batch of changes.  Added documents are inverted in memory and
 * spilled to new segment files whenever about mem_budget bytes are
 * buffered (0: 64 MiB), so memory stays bounded whatever the batch size.
 * Nothing is visible to searches until dc_index_writer_commit().  One
 * writer at a time per index: this takes the exclusive lock on
 * <dir>/LOCK (waiting for it while another handle or process writes or
 * optimizes), held until commit or abort, then refreshes ix, so
 * dc_index_high_water(ix) is current while the writer is open.  A second
 * writer on the same handle is DC_MISUSE; a lock that cannot be taken is
 * DC_IO.
 */
dc_rc dc_index_writer_open(dc_index *ix, size_t mem_budget, dc_index_writer **out);
/*
 * A writer that takes the lock only to publish, so that searches and
 * other writers go on while it buffers (an ingest indexing as it stores).
 * The index is read as a reader reads it, and every publish — at
 * dc_index_writer_publish(), when the memory budget is reached, and at
 * commit — takes the lock and makes what is buffered visible, as a commit
 * would, if no other writer has committed since the writer opened or last
 * published; otherwise nothing is published, dc_index_writer_overtaken(w)
 * becomes 1 and w can only be aborted (its versions may have been indexed
 * by the other).  dc_index_writer_clear is DC_MISUSE.
 */
dc_rc dc_index_writer_open_shared(dc_index *ix, size_t mem_budget, dc_index_writer **out);
dc_rc dc_index_writer_publish(dc_index_writer *w);
/* 1 if another writer has committed since w opened or last published
 * (the MANIFEST is looked at again, at most every 10 ms: a commit since
 * the last look may be seen only at the next), or a publish found so. */
int dc_index_writer_overtaken(dc_index_writer *w);
/* Whether a shared writer may publish when its budget is reached (off,
 * the default) or goes on buffering past it (on): what it holds may
 * include versions the store has not committed yet, which must not become
 * visible.  An explicit publish or commit is the caller's to withhold.
 * May be called from another thread than the one adding. */
void dc_index_writer_defer(dc_index_writer *w, int on);
/*
 * Adds an entry under docid: view, indexed exactly as given, readable by
 * the readers who satisfy pred (dc_access_pred_holds; copied, nothing
 * borrowed).  docid is above the high-water mark and not below the last
 * one added; the views of one docid are added one after the other (one
 * call per view; for any reader at most one of their predicates holds).
 * Indexed: title (field title, boosted), every portion (gap notices
 * too), footnotes and source note (body), persons (field person),
 * references (cites:), collection, the stored id, title, date and
 * classification, and the fields of filters and facets (date,
 * collection, classification, doc_type).  A NULL pred is DC_MISUSE; a
 * predicate with no pairs holds for every reader.
 */
dc_rc dc_index_writer_add(dc_index_writer *w, uint64_t docid, const dc_doc *view,
                                 const dc_access_pred *pred);
/* Marks docid deleted (a superseded version): all of its entries. */
dc_rc dc_index_writer_delete(dc_index_writer *w, uint64_t docid);
/* Before any add or delete: makes the commit replace everything committed
 * so far with the batch alone (the high-water mark restarts from the
 * batch's documents; the old segment files are removed after the commit).
 * Readers see either the old index or the new one, never an empty one. */
dc_rc dc_index_writer_clear(dc_index_writer *w);
/* Makes the batch visible atomically and frees w (also on failure). */
dc_rc dc_index_writer_commit(dc_index_writer *w);
/* Drops the batch: removes its segment files, frees w. */
void dc_index_writer_abort(dc_index_writer *w);

/*
 * Merges segments as the merge policy asks (docs/internals/index.md,
 * "Merges"): adjacent runs, so that each segment is more than twice as
 * large as all newer ones together and half-deleted segments are
 * rewritten.  Call it after each commit: the segments of one large batch
 * become one, and over many commits the count stays logarithmic in the
 * index size while each entry is rewritten a logarithmic number of times.
 * Takes the writer lock (waiting for it) and refreshes ix first; readers
 * keep searching their snapshot meanwhile.  max > 0 bounds the merge: a
 * run of more than max entries is left alone, and if another handle
 * holds the lock nothing is done (for a search that just committed: it
 * must not wait, the next writer merges).  *merges (may be NULL) gets
 * the number of merges done.  Crash-safe as a commit.
 */
dc_rc dc_index_merge(dc_index *ix, uint64_t max, unsigned *merges);
/* Merges all segments into one, dropping deleted entries and rewriting
 * older formats still read (DC_SEG_VERSION_READ).  Takes the writer lock
 * (waiting for it) and refreshes ix first. */
dc_rc dc_index_optimize(dc_index *ix);
/* Verifies every segment (checksums, sorted terms, non-decreasing docids,
 * increasing positions, postings within bounds, class and predicate
 * ids) and the MANIFEST; err says what is wrong.  Tests call it after
 * every index change. */
dc_rc dc_index_check(dc_index *ix, dc_error *err);
/* Verifies that the live docids of the index are exactly the given
 * current versions of the store: docids (n, strictly increasing) with the
 * document id of each; err names the first version missing from the index,
 * live in it but not current in the store, or indexed under another id. */
dc_rc dc_index_check_docs(dc_index *ix, const uint64_t *docids, const char *const *ids,
                                 size_t n, dc_error *err);

typedef struct dc_search_opts {
    size_t limit, offset;       /* page of hits (limit 0: 10) */
    const char *from, *to;      /* date range, "YYYY[-MM[-DD]]", NULL = open */
    int classification;         /* exact dc_level filter, -1 = any */
    const char *collection;     /* NULL = any */
    const dc_access_reader *reader; /* who searches; NULL = the anonymous public */
    const char *doc_type;       /* NULL = any; else only this document type */
} dc_search_opts;

typedef struct dc_hit {
    uint64_t docid;
    double score;
    const char *id;             /* "collection/local" */
    const char *title, *date, *classification;
} dc_hit;

typedef struct dc_search_result {
    uint64_t total;             /* exact number of matching documents (the reader's views) */
    const dc_hit *hits;
    size_t n_hits;
    const dc_facet *facets;
    size_t n_facets;
} dc_search_result;

/* Evaluates q; *out owned by the caller (dc_search_result_free). */
dc_rc dc_index_search(dc_index *ix, dc_analyzer *a, const dc_query *q,
                             const dc_search_opts *opts, dc_search_result **out);
void dc_search_result_free(dc_search_result *r);

/*
 * A snippet of doc for q: the best window (about `width` bytes) of the
 * text of its portions, with matching words wrapped in open/close (e.g.
 * "<b>", "</b>"), appended to out.  doc is snippeted as given: pass the
 * reader's view (dc_access_view), never a stored document.
 */
dc_rc dc_index_snippet(dc_analyzer *a, const dc_query *q, const dc_doc *doc,
                              size_t width, const char *open, const char *close, dc_buf *out);
/*
 * The passages of doc (portions in order, then footnotes) holding a word
 * of q as snippets do, each with its own window of about `width` bytes,
 * handed to cb in order; a non-OK return from cb stops and is returned.
 * As dc_index_snippet, pass the reader's view.
 */
dc_rc dc_index_find(dc_analyzer *a, const dc_query *q, const dc_doc *doc, size_t width,
                    const char *open, const char *close, dc_find_cb cb, void *ctx);

#endif
