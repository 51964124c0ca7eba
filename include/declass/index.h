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
 */
#ifndef DECLASS_INDEX_H
#define DECLASS_INDEX_H

#include <stdint.h>

#include "declass/analysis.h"
#include "declass/model.h"
#include "declass/query.h"

typedef struct dc_index dc_index;
typedef struct dc_index_writer dc_index_writer;

#define DC_INDEX_CREATE 1

/* Opens (with DC_INDEX_CREATE: creates) the index in directory dir.
 * Segment files not named by the MANIFEST (left by a crash) are removed
 * if no writer holds the lock (else the next writer removes them).
 * A damaged MANIFEST or segment is DC_CORRUPT. */
DC_API dc_rc dc_index_open(const char *dir, int flags, dc_index **out, dc_error *err);
DC_API void dc_index_close(dc_index *ix); /* NULL is a no-op */
DC_API const char *dc_index_errmsg(const dc_index *ix);

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
DC_API dc_rc dc_index_refresh(dc_index *ix);

/* The largest docid ever committed (0 for an empty index). */
DC_API uint64_t dc_index_high_water(const dc_index *ix);
/* Live (added and not deleted) documents, and segments. */
DC_API uint64_t dc_index_doc_count(const dc_index *ix);
DC_API unsigned dc_index_segment_count(const dc_index *ix);

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
DC_API dc_rc dc_index_writer_open(dc_index *ix, size_t mem_budget, dc_index_writer **out);
/*
 * Adds a document under docid (> the high-water mark, increasing within a
 * batch).  Indexed: title (field title, boosted), portions (each with its
 * classification and compartments, so that a search only matches the
 * portions its reader may read; withheld portions are not indexed),
 * footnotes and source note (with the document's level), persons (field
 * person), and the metadata used by filters and facets: date,
 * collection, classification, doc_type, release status, references
 * (cites:).
 */
DC_API dc_rc dc_index_writer_add(dc_index_writer *w, uint64_t docid, const dc_doc *doc);
/* Marks docid deleted (a superseded version). */
DC_API dc_rc dc_index_writer_delete(dc_index_writer *w, uint64_t docid);
/* Before any add or delete: makes the commit replace everything committed
 * so far with the batch alone (the high-water mark restarts from the
 * batch's documents; the old segment files are removed after the commit).
 * Readers see either the old index or the new one, never an empty one. */
DC_API dc_rc dc_index_writer_clear(dc_index_writer *w);
/* Makes the batch visible atomically and frees w (also on failure). */
DC_API dc_rc dc_index_writer_commit(dc_index_writer *w);
/* Drops the batch: removes its segment files, frees w. */
DC_API void dc_index_writer_abort(dc_index_writer *w);

/* Merges all segments into one, dropping deleted documents.  Takes the
 * writer lock (waiting for it) and refreshes ix first. */
DC_API dc_rc dc_index_optimize(dc_index *ix);
/* Verifies every segment (checksums, sorted terms, increasing docids and
 * positions, postings within bounds) and the MANIFEST; err says what is
 * wrong.  Tests call it after every index change. */
DC_API dc_rc dc_index_check(dc_index *ix, dc_error *err);
/* Verifies that the live documents of the index are exactly the given
 * current versions of the store: docids (n, strictly increasing) with the
 * document id of each; err names the first version missing from the index,
 * live in it but not current in the store, or indexed under another id. */
DC_API dc_rc dc_index_check_docs(dc_index *ix, const uint64_t *docids, const char *const *ids,
                                 size_t n, dc_error *err);

/* Who is searching: a portion matches only if level >= its level and the
 * reader holds all of its compartments; public readers see only documents
 * with release status "released". */
typedef struct dc_reader {
    int level;                  /* dc_level */
    const char *const *compartments;
    size_t n_compartments;
    int public_only;            /* 1: only released documents */
} dc_reader;

typedef struct dc_search_opts {
    size_t limit, offset;       /* page of hits (limit 0: 10) */
    const char *from, *to;      /* date range, "YYYY[-MM[-DD]]", NULL = open */
    int classification;         /* exact dc_level filter, -1 = any */
    const char *collection;     /* NULL = any */
    const dc_reader *reader;    /* NULL = everything readable */
    const char *doc_type;       /* NULL = any; else only this document type */
} dc_search_opts;

typedef struct dc_hit {
    uint64_t docid;
    double score;
    const char *id;             /* "collection/local" */
    const char *title, *date, *classification;
} dc_hit;

typedef struct dc_facet_value {
    const char *value;
    uint64_t count;
} dc_facet_value;

typedef struct dc_facet {
    const char *name;           /* "collection", "decade", "classification", "doc_type",
                                 * "year" */
    const dc_facet_value *values;
    size_t n_values;            /* by count, descending (then value); "year": every
                                 * year of a dated match ("1959"), by year ascending */
} dc_facet;

typedef struct dc_search_result {
    uint64_t total;             /* exact number of matching readable documents */
    const dc_hit *hits;
    size_t n_hits;
    const dc_facet *facets;
    size_t n_facets;
} dc_search_result;

/* Evaluates q; *out owned by the caller (dc_search_result_free). */
DC_API dc_rc dc_index_search(dc_index *ix, dc_analyzer *a, const dc_query *q,
                             const dc_search_opts *opts, dc_search_result **out);
DC_API void dc_search_result_free(dc_search_result *r);

/*
 * A snippet of doc for q: the best window (about `width` bytes) of the
 * readable text, with matching words wrapped in open/close (e.g. "<b>",
 * "</b>"), appended to out.  Only portions the reader may read are used.
 */
DC_API dc_rc dc_index_snippet(dc_analyzer *a, const dc_query *q, const dc_doc *doc,
                              const dc_reader *reader, size_t width, const char *open,
                              const char *close, dc_buf *out);

#endif
