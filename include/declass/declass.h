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

/* Loads the acting reader's view (dc_access_view) of the current version
 * of document id (*out owned by the caller).  A document the reader may
 * not read is DC_NOTFOUND, like a missing one. */
DC_API dc_rc dc_db_get(dc_db *db, const char *id, dc_doc **out);

/*
 * Renders the reader's view of document id in format "text", "json" (and
 * later "html", "tei").  *out is owned by the caller.  DC_NOTFOUND with
 * "no document 'ID'" for an unknown id and for one the reader may not
 * read; DC_MISUSE for an unknown format.  Audited.
 */
DC_API dc_rc dc_db_show(dc_db *db, const char *id, const char *format, char **out);

/* Lists the current version of every document the reader may read (see
 * dc_summary_cb).  Audited. */
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

/* ---- identity, users, review, audit (docs/security.md) --------------- */

/*
 * Signs in as user name with password: every later call on db acts as
 * that user (clearance, compartments, roles).  Without a login, db acts
 * as the anonymous public reader.  An unknown user, a disabled account
 * and a wrong password all give DC_DENIED "access denied" and are audited
 * as a refused login.
 */
DC_API dc_rc dc_db_login(dc_db *db, const char *name, const char *password);
/* The acting user's name, "public" when nobody is signed in. */
DC_API const char *dc_db_user(const dc_db *db);

typedef struct dc_user_spec {
    const char *name;
    int level;                       /* dc_level: the clearance */
    const char *const *compartments; /* need-to-know compartments */
    size_t n_compartments;
    int roles;                       /* DC_ROLE_* bits of access.h; 0 = reader */
    const char *password;            /* not empty */
} dc_user_spec;

/*
 * Adds a user.  Needs an administrator, except while the database has no
 * enabled administrator: then anyone may add the first user, who is made
 * an administrator (*made_admin set, may be NULL).  DC_MISUSE for a bad
 * name, compartment or an empty password, or a name already taken.
 */
DC_API dc_rc dc_db_user_add(dc_db *db, const dc_user_spec *u, int *made_admin);
/* Lists users (administrators only); the hash is never passed (NULL). */
DC_API dc_rc dc_db_user_list(dc_db *db, dc_user_cb cb, void *ctx);
/* Sets a password: an administrator for anyone, a user for themself. */
DC_API dc_rc dc_db_user_passwd(dc_db *db, const char *name, const char *password);
/* Disables an account (administrators; never the last administrator). */
DC_API dc_rc dc_db_user_del(dc_db *db, const char *name);

/*
 * Review (reviewers and administrators).  Each makes a new version of the
 * document; *version (may be NULL) is the current version after it.  A
 * document the reviewer may not read is DC_NOTFOUND "no document 'ID'",
 * exactly like a missing one; a portion they may not read is "no portion".
 *  - withhold: marks portion withheld with an exemption code (see
 *    dc_access_reason_valid); in a released document this is at once a
 *    new release (release.date today);
 *  - mark: sets a portion's level and compartments (replacing them);
 *  - release: release.status "released", release.date today (UTC); the
 *    reviewer must be cleared for every portion not withheld.
 */
DC_API dc_rc dc_db_withhold(dc_db *db, const char *id, const char *portion, const char *reason,
                            int *version);
DC_API dc_rc dc_db_mark(dc_db *db, const char *id, const char *portion, const char *level,
                        const char *const *compartments, size_t n_compartments, int *version);
DC_API dc_rc dc_db_release(dc_db *db, const char *id, int *version);

/* Every version of a document the reader may read now, oldest first. */
DC_API dc_rc dc_db_versions(dc_db *db, const char *id, dc_version_cb cb, void *ctx);
/* As dc_db_show, for version (0 = current); the reader's view of that
 * version (an old version that was not released is not public). */
DC_API dc_rc dc_db_show_version(dc_db *db, const char *id, int version, const char *format,
                                char **out);
/* The audit log, oldest first (administrators only; the reading itself is
 * logged first). */
DC_API dc_rc dc_db_audit(dc_db *db, dc_audit_cb cb, void *ctx);

#endif
