/*
 * declass — the public API (the facade).  Front ends (the CLI, the HTTP
 * server) use only this header and the types of model.h and util.h: every
 * read and write goes through a dc_db handle.
 */
#ifndef DECLASS_DECLASS_H
#define DECLASS_DECLASS_H

#include "declass/index.h" /* result types of search (dc_facet) */
#include "declass/model.h"
#include "declass/util.h"

typedef struct dc_db dc_db;

#define DC_DB_CREATE 1 /* create the database if it does not exist */

/* Opens the database at path.  *out is NULL on failure and err says why. */
DC_API dc_rc dc_db_open(const char *path, int flags, dc_db **out, dc_error *err);
DC_API void dc_db_close(dc_db *db); /* NULL is a no-op */
/* The message of the last failed call on db (borrowed until the next call). */
DC_API const char *dc_db_errmsg(const dc_db *db);

/* Counters of one ingest run. */
typedef struct dc_ingest_stats {
    long files, files_failed;
    long files_skipped; /* files in folders that are not .xml/.tei/.txt/.text */
    long docs_new, docs_updated, docs_unchanged;
    unsigned long long bytes;
} dc_ingest_stats;

typedef struct dc_ingest_opts {
    const char *collection; /* NULL: the folder name / TEI volume id */
    int released;           /* a published edition: release.status "released" */
    /* Called after each file (may be NULL). */
    void (*progress)(void *ctx, const dc_ingest_stats *st, const char *path);
    /* Called for each file that fails (may be NULL); err says why. */
    void (*on_error)(void *ctx, const char *path, const dc_error *err);
    void *ctx;
} dc_ingest_opts;

/*
 * Ingests path: a file, or a folder walked recursively (hidden entries
 * skipped, files sorted by name, only .xml/.tei/.txt/.text files read).  Each file is stored in its own
 * transaction: a file that fails stores nothing and the others go on.
 * Returns DC_OK if every file ingested, DC_PARSE (or DC_LIMIT / DC_IO) if
 * some failed (st counts them), or the fatal error that stopped the run.
 */
DC_API dc_rc dc_db_ingest(dc_db *db, const char *path, const dc_ingest_opts *opts,
                          dc_ingest_stats *st);

/* Loads the current version of document id (*out owned by the caller). */
DC_API dc_rc dc_db_get(dc_db *db, const char *id, dc_doc **out);

/*
 * Renders document id in format "text", "json" (and later "html", "tei").
 * *out is owned by the caller.  DC_NOTFOUND for an unknown id, DC_MISUSE
 * for an unknown format.
 */
DC_API dc_rc dc_db_show(dc_db *db, const char *id, const char *format, char **out);

/* Lists the current version of every document (see dc_summary_cb). */
DC_API dc_rc dc_db_list(dc_db *db, dc_summary_cb cb, void *ctx);

/* ---- search ---------------------------------------------------------- */

typedef struct dc_search_request {
    const char *query;           /* the query language of docs/query-language.md */
    size_t limit, offset;        /* page (limit 0: 10; at most 1000) */
    const char *from, *to;       /* date range "YYYY[-MM[-DD]]", NULL = open */
    const char *classification;  /* a level name ("SECRET", "TS"), NULL = any */
    const char *collection;      /* NULL = any */
    const char *mark_open, *mark_close; /* around matches in snippets (NULL: <mark>) */
} dc_search_request;

typedef struct dc_search_hit {
    const char *id, *title, *date, *classification;
    double score;
    const char *snippet;         /* readable text only, matches marked */
} dc_search_hit;

typedef struct dc_search_page {
    uint64_t total;              /* exact count of matching readable documents */
    const dc_search_hit *hits;
    size_t n_hits;
    const dc_facet *facets;      /* collection, decade, classification, doc_type */
    size_t n_facets;
} dc_search_page;

/*
 * Searches the documents.  A bad query is DC_PARSE (or DC_LIMIT) with the
 * reason in dc_db_errmsg(db); a bad request field is DC_MISUSE.  *out is
 * owned by the caller (dc_search_page_free).  The search is audited.
 */
DC_API dc_rc dc_db_search(dc_db *db, const dc_search_request *req, dc_search_page **out);
DC_API void dc_search_page_free(dc_search_page *page);
/* The JSON of DESIGN.md: {"query", "total", "hits": [{"id", "title",
 * "date", "classification", "score", "snippet"}], "facets": {...}}. */
DC_API dc_rc dc_search_page_json(const dc_search_page *page, const dc_search_request *req,
                                 char **out);

/* Merges the index segments into one. */
DC_API dc_rc dc_db_optimize(dc_db *db);
/* Verifies the store and the index and that they agree; DC_CORRUPT with
 * the first problem in dc_db_errmsg(db). */
DC_API dc_rc dc_db_check(dc_db *db);

#endif
