/*
 * declass — the public API (the facade).  Front ends (the CLI, the HTTP
 * server) use only this header and the types of model.h and util.h: every
 * read and write goes through a dc_db handle.
 */
#ifndef DECLASS_DECLASS_H
#define DECLASS_DECLASS_H

#include "declass/model.h"
#include "declass/util.h"

typedef struct dc_db dc_db;

#define DC_DB_CREATE 1 /* create the database if it does not exist */
/* A handle of a long-running program under load (the HTTP server), which
 * calls dc_db_trim_journal several times a second: SQLite's automatic
 * checkpoints are off, as they keep each other and the trim from ever
 * emptying the write-ahead log while reads overlap.  The handle also keeps
 * the documents it parsed, for the next reads of the same stored version
 * (each reader's view is still made per read). */
#define DC_DB_SERVER 2

/* Opens the database at path.  *out is NULL on failure and err says why. */
DC_API dc_rc dc_db_open(const char *path, int flags, dc_db **out, dc_error *err);
DC_API void dc_db_close(dc_db *db); /* NULL is a no-op */
/* The message of the last failed call on db (borrowed until the next call). */
DC_API const char *dc_db_errmsg(const dc_db *db);

/* Counters of one ingest run. */
typedef struct dc_ingest_stats {
    long files, files_failed;
    long files_skipped; /* files in folders that declass does not read */
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
    /* Files stored per transaction at most (0: the default, 4096). */
    long batch_files;
    /* Scanned records (docs/scans.md).  ocr: DC_OCR_AUTO (a PDF page's
     * text layer, else OCR), DC_OCR_FORCE (OCR every page), DC_OCR_NEVER
     * (text layers only).  lang: Tesseract's languages ("eng",
     * "eng+fra"; NULL: "eng").  pages: a folder named (not one found
     * inside another) is one document of its page images, in name order. */
    int ocr;
    const char *lang;
    int pages;
    /* Called as the pages of a scanned file finish (may be NULL). */
    void (*page_progress)(void *ctx, const char *path, int done, int pages);
    /* Called for a warning about a file that was ingested, such as a page
     * of low OCR confidence (may be NULL). */
    void (*on_warning)(void *ctx, const char *path, const char *msg);
    /* Called for each withholding a re-ingest orphaned (may be NULL): its
     * text is no longer in its target (or the target is gone), so the
     * whole target stays withheld until a reviewer lifts it (docs/review.md,
     * "Orphaned withholdings").  For a large TEI file it is called from the
     * thread that stores its documents, not the caller's (one call at a
     * time, in document order). */
    void (*on_orphan)(void *ctx, const char *id, const char *wid, const char *target);
} dc_ingest_opts;

/* dc_ingest_opts.ocr */
#define DC_OCR_AUTO 0
#define DC_OCR_FORCE 1
#define DC_OCR_NEVER 2

/*
 * Whether name may be a collection (--collection, an upload's collection,
 * a folder's name or a TEI volume id; it becomes the first part of every
 * document id): 1-128 bytes of UTF-8, not starting with '.', with no '/',
 * '\\', space, control, separator or invisible format character.  "",
 * ".", "..", ".hidden", "a/b", "a b" are not.
 */
DC_API int dc_collection_name_ok(const char *name);

/*
 * Ingests path: a file, or a folder walked recursively (hidden entries
 * skipped, files sorted by name, only .xml/.tei/.txt/.text and the scans
 * .pdf/.png/.tif/.tiff/.jpg/.jpeg read; with opts->pages a folder is one
 * document of page images).  A PDF or image is read by the helper
 * declass-scan (docs/scans.md), its pages' text ingested as plain text.
 * Files are stored in batches of up to opts->batch_files files (one
 * transaction each, committed at least every second and every 32 MiB): a file that
 * fails stores nothing and the others go on; a crash loses at most the
 * open batch, which ingesting again stores.
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
 * Renders the reader's view of document id in format "text", "json",
 * "html", "tei" or a citation: "cite" (Chicago), "bibtex", "ris".  *out
 * is owned by the caller.  DC_NOTFOUND with "no document 'ID'" for an
 * unknown id and for one the reader may not read; DC_MISUSE for an
 * unknown format.  Audited.
 */
DC_API dc_rc dc_db_show(dc_db *db, const char *id, const char *format, char **out);

/*
 * A scanned document as the reader may see it (docs/scans.md, "Pages
 * and words"): dc_db_page_image the PNG of page (1-based) of version (0:
 * current), dc_db_scan_pdf the whole document as a PDF.  A page of a view
 * that hides nothing is the stored image; otherwise its boxes are burned
 * into the pixels and the PDF's text layer holds only the released words.
 * *out (dc_free) holds *len bytes.  DC_NOTFOUND as dc_db_show (and for a
 * page the document does not have); DC_MISUSE for a document that is not
 * a scan.  Audited ("read", detail "page N" or "pdf").
 */
DC_API dc_rc dc_db_page_image(dc_db *db, const char *id, int version, int page,
                              unsigned char **out, size_t *len);
DC_API dc_rc dc_db_scan_pdf(dc_db *db, const char *id, int version, unsigned char **out,
                            size_t *len);
/* Which words of page pg (of a reader's view) query matches: hit[i] 1
 * for word i (hit holds pg->n_words), by the search's terms, stems and
 * prefixes (excluded terms and filters ignored).  DC_PARSE for a bad
 * query. */
DC_API dc_rc dc_db_page_hits(dc_db *db, const dc_page *pg, const char *query, unsigned char *hit);

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
    const char *doc_type;        /* "memorandum", "report", ...; NULL = any */
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

/*
 * Search within one document: the passages of the reader's view of
 * document id (its portions in order, then its footnotes) holding a word
 * of query (the query language; words, phrases and prefixes count,
 * filters and NOT-ed words do not), each handed to cb with a snippet whose
 * matches are wrapped in open/close (NULL: "<mark>", "</mark>"); *n (may
 * be NULL) gets their number.  DC_NOTFOUND for a document the reader may
 * not read, as for one that does not exist; DC_PARSE for a bad query.
 * Audited ("find").
 */
DC_API dc_rc dc_db_find(dc_db *db, const char *id, const char *query, const char *open,
                        const char *close, dc_find_cb cb, void *ctx, size_t *n);
/* One passage as JSON: {"portion", "matches", "snippet"}, or for a note
 * {"footnote", "label", "matches", "snippet"} (declass find --json, GET
 * /api/documents/ID/find). */
DC_API void dc_find_hit_json(dc_json *j, const dc_find_hit *h);
DC_API void dc_search_page_free(dc_search_page *page);
/* The JSON of DESIGN.md: {"query", "total", "hits": [{"id", "title",
 * "date", "classification", "score", "snippet"}], "facets": {...}}. */
DC_API dc_rc dc_search_page_json(const dc_search_page *page, const dc_search_request *req,
                                 char **out);

/* Merges the index segments into one. */
DC_API dc_rc dc_db_optimize(dc_db *db);
/* Verifies the store (the audit log's hash chain and the triggers that
 * keep the audit log and versions append-only: dc_store_verify) and the
 * index and that they agree; DC_CORRUPT with the first problem in
 * dc_db_errmsg(db). */
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
    const char *agency;              /* the agency the user reviews for, or NULL */
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

/* A withholding asked for (docs/review.md). */
typedef struct dc_withhold_spec {
    const char *id;     /* the document */
    const char *target; /* a portion id, "fnN" (footnote with marker N), "source", "title" */
    const char *text;   /* the exact text to withhold inside target; NULL: all of it */
    int occurrence;     /* which occurrence of text (1 = the first; 0 = 1) */
    const char *kind;   /* name|place|lines|paragraph; NULL: lines */
    const char *code;   /* exemption code(s), see dc_reason_check */
    const char *agency; /* the agency whose equity it is, or NULL */
    const char *until;  /* declassification date YYYY-MM-DD, or NULL */
    const char *event;  /* declassification event, or NULL */
} dc_withhold_spec;

/*
 * Withholds a span (or all) of a portion, footnote, the source note or
 * the title: a new version with a withholding recorded (id, span, kind,
 * code, agency, date or event, reviewer, time); the id ("w3") goes to
 * wid (may be NULL).  Takes effect at once (in a released document the
 * public reads its notice in its place).  DC_MISUSE for a bad code (see
 * dc_reason_check), kind or agency, or a span overlapping a withholding
 * in force; DC_NOTFOUND when the text is not there (that many times).
 * dc_db_withhold(db, id, portion, reason, v) is the whole portion.
 */
DC_API dc_rc dc_db_withhold_span(dc_db *db, const dc_withhold_spec *spec, char *wid,
                                 size_t wid_cap, int *version);
/*
 * Lifts withholding wid (or a portion withheld before withholdings were
 * recorded, by its portion id) with a note saying why: status
 * "lift-pending" in a new version; the text is published at the next
 * release.  DC_NOTFOUND for no such withholding (or one the reviewer may
 * not read), DC_MISUSE when it is not in force or the note is empty.
 */
DC_API dc_rc dc_db_lift(dc_db *db, const char *id, const char *wid, const char *note,
                        int *version);
/* Receives one withholding (borrowed for the call); text is NULL and the
 * span 0..0 when the reviewer may not read what it hides. */
typedef dc_rc (*dc_withholding_cb)(void *ctx, const dc_withholding *w);
/* The withholdings of a document (reviewers and administrators), in the
 * order they were made; none in a portion the reviewer may not read. */
DC_API dc_rc dc_db_withholdings(dc_db *db, const char *id, dc_withholding_cb cb, void *ctx);

/* ---- the review workflow (docs/review.md, "Workflow") ----------------- */

/* A document's review request (strings borrowed for the callback). */
typedef struct dc_review_info {
    const char *id, *state, *kind, *received, *due;
    const char *record; /* JSON: referrals, decided_by, approved_by, releases, history */
} dc_review_info;
typedef dc_rc (*dc_review_info_cb)(void *ctx, const dc_review_info *r);
/*
 * Queues a review request for document id (reviewers and administrators):
 * kind "mdr" (due 180 days after receipt) or "frus" (120 days), received
 * YYYY-MM-DD or NULL for today.  DC_MISUSE for a bad kind or date, or a
 * document already under review (a released or withheld-in-full one may
 * be requested again).
 */
DC_API dc_rc dc_db_review_request(dc_db *db, const char *id, const char *kind,
                                  const char *received);
/*
 * One transition of id's review: "start" (queued or appealed ->
 * in-review), "refer" (-> referred to agencies), "decide" (in-review ->
 * decided; while referred, a reviewer of a referred agency answers for
 * it, and once none is pending the review is in-review again),
 * "withhold-in-full" (as decide, -> withheld-in-full), "approve"
 * (decided -> approved, by a reviewer other than the decider: else
 * DC_DENIED), "appeal" (released or withheld-in-full -> appealed).  note
 * (may be NULL) is kept in the history.  A transition the state does not
 * allow is DC_MISUSE; each is audited.  dc_db_release then needs the
 * review approved and makes it released.
 */
DC_API dc_rc dc_db_review_act(dc_db *db, const char *id, const char *action,
                              const char *const *agencies, size_t n_agencies, const char *note);
/* The review of id (DC_NOTFOUND if none), or with id NULL the queue: every
 * review of a document the reviewer may open, by due date. */
DC_API dc_rc dc_db_review_list(dc_db *db, const char *id, dc_review_info_cb cb, void *ctx);
/* A release of a document: a released version that changed what the
 * public reads (a release, an ingest, a withholding or marking of a
 * released document; not a lift, which waits for the next release);
 * numbered from 1. */
typedef struct dc_release_info {
    int release, version;
    const char *at, *by; /* by: the reviewer, or NULL */
    const char *source;  /* what made it ("release by rev", a file) */
} dc_release_info;
typedef dc_rc (*dc_release_cb)(void *ctx, const dc_release_info *r);
/* The releases of id the reader may see (those of dc_db_versions). */
DC_API dc_rc dc_db_releases(dc_db *db, const char *id, dc_release_cb cb, void *ctx);
/* One change between two releases (borrowed for the callback). */
typedef struct dc_diff_entry {
    const char *change;      /* published|withheld|changed|added */
    const char *target;      /* portion id, "fnN", "source", "title" */
    const char *withholding; /* its id, or NULL (changed, added) */
    const char *text;        /* published: the text, when the reader may read it today */
    const char *notice;      /* withheld (or published, not readable): the notice */
    const char *code;        /* withheld: the code, for reviewers only */
} dc_diff_entry;
typedef dc_rc (*dc_diff_cb)(void *ctx, const dc_diff_entry *e);
/* What became public or was withheld from release `against` (0: the one
 * before) to release `release` of id, as the reader may know it today;
 * and the portions whose visible text differs. */
DC_API dc_rc dc_db_diff(dc_db *db, const char *id, int release, int against, dc_diff_cb cb,
                        void *ctx);
/*
 * The JSON of the review, one writer per answer, shared by the CLI's
 * --json and the HTTP API (docs/review.md, docs/http-api.md).  Each
 * writes one object into j (on failure what was written is to be
 * discarded: the rc and dc_db_errmsg say why, as the listing's call).
 *  - withholdings: {"id", "withholdings": [WITHHOLDING...]} (dc_db_withholdings)
 *  - withhold_done: {"ok": true, "action", "id": WID, "document", "version",
 *    "withholding": WITHHOLDING}, after dc_db_withhold_span or dc_db_lift
 *  - review: {"reviews": [{"id", "state", "kind", "received", "due",
 *    "record"}]} (dc_db_review_list: id NULL for the queue)
 *  - review_done: {"ok": true, "action", "id", "state"}
 *  - releases: {"id", "releases": [{"release", "version", "at", "by", "source"}]}
 *  - diff: {"id", "release", "against", "changes": [{"change", "portion",
 *    "withholding", "text", "notice", "code"}]}
 * A WITHHOLDING is {"id", "portion", "whole", "start", "end" (spans the
 * reader may read), "text", "kind", "code", "agency", "until", "event",
 * "reviewer", "at", "status", "lifted_by", "lifted_at", "note"}.
 */
DC_API void dc_withholding_json(dc_json *j, const dc_withholding *w);
DC_API dc_rc dc_db_withholdings_json(dc_db *db, const char *id, dc_json *j);
DC_API dc_rc dc_db_withhold_done_json(dc_db *db, dc_json *j, const char *action, const char *id,
                                      const char *wid, int version);
DC_API dc_rc dc_db_review_json(dc_db *db, const char *id, dc_json *j);
DC_API void dc_review_done_json(dc_json *j, const char *action, const char *id,
                                const char *state);
/* The state of id's review request now (into state[32]; "" if none). */
DC_API dc_rc dc_db_review_state(dc_db *db, const char *id, char state[32]);
DC_API dc_rc dc_db_releases_json(dc_db *db, const char *id, dc_json *j);
DC_API dc_rc dc_db_diff_json(dc_db *db, const char *id, int release, int against, dc_json *j);
DC_API dc_rc dc_db_mark(dc_db *db, const char *id, const char *portion, const char *level,
                        const char *const *compartments, size_t n_compartments, int *version);
DC_API dc_rc dc_db_release(dc_db *db, const char *id, int *version);

/* Every version of a document the reader may read now, oldest first. */
DC_API dc_rc dc_db_versions(dc_db *db, const char *id, dc_version_cb cb, void *ctx);
/* As dc_db_show, for version (0 = current); the reader's view of that
 * version (an old version that was not released is not public). */
DC_API dc_rc dc_db_show_version(dc_db *db, const char *id, int version, const char *format,
                                char **out);
/* As dc_db_show_version; *view (may be NULL) also receives the reader's
 * view the answer was made from (owned: dc_doc_free), so a page that
 * shows the document and its title reads it once. */
DC_API dc_rc dc_db_show_view(dc_db *db, const char *id, int version, const char *format,
                             char **out, dc_doc **view);
/* As dc_db_show_view for the current version, *view lent by the handle
 * rather than copied: the reader's view it keeps (the memo of views, for
 * this reader and this version), valid until dc_db_view_return(db,
 * *view), which the caller makes once, on the same thread, before
 * dc_db_close.  For a page that shows one document many ways. */
DC_API dc_rc dc_db_show_lent(dc_db *db, const char *id, const char *format, char **out,
                             const dc_doc **view);
DC_API void dc_db_view_return(dc_db *db, const dc_doc *view); /* NULL: no-op */
/* Renders view — a reader's view that dc_db_show_view handed over — in
 * format (a DC_FORMAT_SHOW or DC_FORMAT_PAGE format), as dc_db_show
 * would, citations with the stored header of the document's volume.  For
 * a page that shows one read several ways (the document and its
 * citations): not audited again, and no other document is read.  *out
 * owned by the caller; DC_MISUSE for an unknown format. */
DC_API dc_rc dc_db_render(dc_db *db, const dc_doc *view, const char *format, char **out);
/*
 * A page's reads as one: from dc_db_read_begin to dc_db_read_end the reads
 * of db run in one read transaction of the database, so everything a page
 * shows comes from one state of it and the page pays for one transaction,
 * not one per read; what a page reads several times (the stored volume
 * its citations, tags and trail are made from) is read once.  Pairs nest
 * (the outermost counts).  A write through db ends the snapshot (the
 * reads after it run each on its own again); the search index is taken
 * as it is inside one (the next search brings it up to the database).
 * Keep it short: it holds back the write-ahead log's checkpoint.
 */
DC_API dc_rc dc_db_read_begin(dc_db *db);
DC_API void dc_db_read_end(dc_db *db);
/* The audit log, oldest first (administrators only; the reading itself is
 * logged first). */
DC_API dc_rc dc_db_audit(dc_db *db, dc_audit_cb cb, void *ctx);

/* ---- front ends: sessions, uploads, references, collections ----------- */

/*
 * Acts as user name without a password: for a front end that has already
 * authenticated the user (the HTTP server's session cookie).  The user row
 * is read again, so a disabled or deleted account gives DC_DENIED "access
 * denied" and leaves db acting as the public.  A front end keeps the
 * identity's generation from the login and ends its session when the one
 * assumed differs (the password, clearance, compartments or roles
 * changed).  Not audited (the login that opened the session was).  Never
 * exposed to end users directly.
 */
DC_API dc_rc dc_db_assume(dc_db *db, const char *name);
/* Acts as the anonymous public reader again. */
DC_API void dc_db_logout(dc_db *db);

/*
 * For programs that keep a database open under load (the HTTP server):
 * when its write-ahead log (PATH-wal) has grown past 16 MiB, moves it into
 * the database file and empties it, waiting briefly for the reads in
 * progress.  Call it now and then (the server: five times a second) from
 * a thread that owns db.  DC_OK also when the database was too busy (the
 * next call tries again); an error only if the store failed.
 */
DC_API dc_rc dc_db_trim_journal(dc_db *db);

/*
 * The audit log in group commits, for a server whose handles all append
 * to it: rows of reads (dc_db_audit_to) are queued and one writer thread
 * appends them in one transaction per batch — when delay_ms have passed
 * since the oldest queued row, or DC_AUDIT_BATCH rows are waiting,
 * whichever comes first.  A row keeps the time of its event.  Rows that
 * belong to a write (a withholding, a release, an ingest) are still
 * appended in the write's own transaction.  A crash loses at most the rows
 * of the last delay_ms; dc_audit_queue_close writes every row queued
 * before it returns (docs/RELIABILITY.md).  A queue that cannot write
 * (the disk is full) keeps its rows and tries again; once
 * DC_AUDIT_QUEUE_MAX rows wait for more than a few seconds, appending
 * fails (DC_IO) and so does the read that asked for it.
 */
#define DC_AUDIT_BATCH 4096
#define DC_AUDIT_QUEUE_MAX 65536
typedef struct dc_audit_queue dc_audit_queue;
typedef struct dc_audit_stats {
    unsigned long long rows;      /* rows committed */
    unsigned long long commits;   /* transactions that committed them */
    unsigned long long max_batch; /* the most rows one transaction wrote */
    unsigned long long failures;  /* batches that failed and were retried */
    unsigned long long lost;      /* rows given up when closing (the store refused) */
} dc_audit_stats;
/* Opens its own connection to the database at path and starts the writer
 * (delay_ms 1..10000).  *out is NULL on failure and err says why. */
DC_API dc_rc dc_audit_queue_open(const char *path, unsigned delay_ms, dc_audit_queue **out,
                                 dc_error *err);
/* Makes db append its read rows through q (NULL: directly again).  q must
 * outlive the use of db; any number of handles may share it. */
DC_API void dc_db_audit_to(dc_db *db, dc_audit_queue *q);
/* The counts so far (thread-safe). */
DC_API void dc_audit_queue_stats(dc_audit_queue *q, dc_audit_stats *out);
/* Writes every queued row, stops the writer and frees q (NULL: a no-op);
 * *final (may be NULL) receives the last counts.  DC_OK, or the error that
 * made rows be lost (err says how many). */
DC_API dc_rc dc_audit_queue_close(dc_audit_queue *q, dc_audit_stats *final, dc_error *err);

/* Who is acting (borrowed until the next call on db). */
typedef struct dc_identity {
    const char *name; /* "public" when nobody is signed in */
    int signed_in;
    int level;        /* dc_level: the clearance (UNCLASSIFIED for the public) */
    int roles;        /* DC_ROLE_* bits of access.h */
    long long generation; /* the account's credential generation as read at
                           * login / assume: it changes with the password,
                           * clearance, compartments, roles or disabling */
} dc_identity;
DC_API dc_identity dc_db_identity(const dc_db *db);

/*
 * Ingests one uploaded file held in memory (the HTTP API): filename (its
 * base name, for the text collection/local id and to tell TEI from text
 * by content), data/len (at most DC_INGEST_MAX_FILE).  Needs an
 * administrator (DC_DENIED otherwise, audited).  opts as dc_db_ingest
 * (opts->collection NULL: the TEI volume id, or "uploads" for text).
 * One transaction: a bad file is DC_PARSE with the reason in
 * dc_db_errmsg(db) and stores nothing.
 */
DC_API dc_rc dc_db_ingest_data(dc_db *db, const char *filename, const void *data, size_t len,
                               const dc_ingest_opts *opts, dc_ingest_stats *st);

/* One reference of a document, as dc_db_refs hands it over (strings
 * borrowed for the duration of the callback; any may be NULL). */
typedef struct dc_ref_link {
    int incoming;         /* 0: this document cites it; 1: it cites this one */
    const char *kind;     /* document|footnote|paper|action|file|volume|supplement */
    const char *target;   /* as written: "237", "NSC 5817" */
    const char *relation; /* "supersedes" (only when the reader's text says
                           * so) or NULL */
    const char *detail;
    const char *id;       /* the stored document it resolves to (readable by
                           * the reader), or NULL when unresolved */
    const char *title;    /* that document's title */
} dc_ref_link;
typedef dc_rc (*dc_ref_link_cb)(void *ctx, const dc_ref_link *r);

/*
 * The references of document id through the reader's eyes: outgoing ones
 * (from the reader's view, so none from text they may not read), each
 * resolved to a readable stored document when one exists (a "document"
 * reference to number N in the same collection first), then incoming ones
 * (readable documents whose readable text cites this one).  DC_NOTFOUND as
 * dc_db_show for an unknown or unreadable id.  Audited.
 */
DC_API dc_rc dc_db_refs(dc_db *db, const char *id, dc_ref_link_cb cb, void *ctx);
/* As dc_db_refs, for view — a reader's view that dc_db_show_view handed
 * over — without reading the document again.  Audited ("refs"). */
DC_API dc_rc dc_db_refs_view(dc_db *db, const dc_doc *view, dc_ref_link_cb cb, void *ctx);
/* Writes r as the JSON object of `declass refs --json` and GET
 * /api/documents/ID/refs: {"kind", "target", "relation", "detail", "id",
 * "title"} (null where absent). */
DC_API void dc_ref_link_json(dc_json *j, const dc_ref_link *r);

/* A collection and how many current documents the reader may read in it. */
typedef struct dc_collection_info {
    const char *name;
    long documents;
    const char *title; /* a published volume's title (its TEI header), or NULL */
} dc_collection_info;
typedef dc_rc (*dc_collection_cb)(void *ctx, const dc_collection_info *c);
/* Every collection with at least one document the reader may read, by name. */
DC_API dc_rc dc_db_collections(dc_db *db, dc_collection_cb cb, void *ctx);

/* ---- export ------------------------------------------------------------ */

/* Receives the next len bytes of an export; a non-OK return (DC_IO for a
 * closed connection) stops it and is returned. */
typedef dc_rc (*dc_write_fn)(void *ctx, const char *data, size_t len);

/*
 * Streams, for bulk download, the reader's view of every document the
 * reader may read (query NULL or "": all, in the order of dc_db_list) or
 * of every hit of query (the query language of dc_db_search; its total,
 * in rank order).  format "jsonl": one compact JSON document (the model of
 * dc_doc_to_json) per line; "tei": one <teiCorpus> holding each document's
 * <TEI> (dc_render_tei, xml:ids prefixed "eN-").  Withheld text never
 * appears.  Output goes to write in pieces (at most one document each):
 * memory stays bounded whatever the corpus size.  DC_MISUSE for another
 * format or no write; DC_PARSE for a bad query.  Audited once: "export",
 * target the query, detail "FORMAT N documents".  *count (count may be
 * NULL) is the number of documents written, also after a failure.
 */
DC_API dc_rc dc_db_export(dc_db *db, const char *query, const char *format, dc_write_fn write,
                          void *ctx, long *count);

/* ---- policy papers ---------------------------------------------------- */

/* dc_paper and dc_paper_doc: declass/model.h. */

/*
 * The record of paper name ("NSC 5907"; "nsc 5907", "NSC-5907", "NSC5907"
 * are the same) as the reader may read it; *out owned by the caller
 * (dc_paper_free), NULL on failure.  DC_MISUSE when name is not a paper
 * name; DC_NOTFOUND when no readable document names the paper.  Audited.
 */
DC_API dc_rc dc_db_paper(dc_db *db, const char *name, dc_paper **out);
DC_API void dc_paper_free(dc_paper *p);

/* ---- persons ------------------------------------------------------------ */

/* A readable document naming a person (strings borrowed for the callback). */
typedef struct dc_person_doc {
    const char *id, *title, *date; /* date "YYYY-MM-DD" or NULL */
} dc_person_doc;

/* One person as dc_db_person / dc_db_persons hand it over; strings and
 * documents are borrowed for the duration of the callback. */
typedef struct dc_person_info {
    const char *name;        /* the list's name ("Eisenhower, Dwight D."), or the
                                name as written for a person no list has */
    const char *collection;  /* the volume whose list names the person, or NULL */
    const char *xml_id;      /* "p_EDD1", or NULL */
    const char *description; /* the list's role, or NULL */
    long n_documents;        /* readable documents naming the person */
    const dc_person_doc *documents; /* by date (undated last), then id;
                                       NULL from dc_db_persons */
} dc_person_info;
typedef dc_rc (*dc_person_cb)(void *ctx, const dc_person_info *p);

/*
 * The persons matching name: every entry of the stored lists whose name
 * contains name (case-insensitive), or whose name as written in text
 * ("Dwight D. Eisenhower") is name; else, when no list has one, name as
 * written in readable documents (a persName without a list entry).  Each
 * comes with the readable documents naming it: found by an index search
 * (person:) as the reader, then confirmed on the reader's view, so a name
 * standing only in withheld text counts for no one who may not read it.
 * At most DC_PERSON_MAX_MATCH persons.  DC_NOTFOUND when none; DC_MISUSE
 * for an empty or over-long name.  Audited.
 */
#define DC_PERSON_MAX_MATCH 200
DC_API dc_rc dc_db_person(dc_db *db, const char *name, dc_person_cb cb, void *ctx);

/* The entry xml_id ("p_RWS_1") of the List of Persons of collection, with
 * the readable documents naming it (as dc_db_person finds them, for that
 * entry only).  DC_NOTFOUND "no person 'COLLECTION#ID'" when the list has
 * no such entry.  Audited ("person"). */
DC_API dc_rc dc_db_person_entry(dc_db *db, const char *collection, const char *xml_id,
                                dc_person_cb cb, void *ctx);
/* The entries of the List of Persons of view's collection that view — a
 * reader's view dc_db_show_view handed over — names (its persons hold
 * their list name), by name, without documents (n_documents 0).  For a
 * page showing that read: not audited again. */
DC_API dc_rc dc_db_doc_persons(dc_db *db, const dc_doc *view, dc_person_cb cb, void *ctx);
/* The entry xml_id ("t_CPI_1") of the List of Abbreviations and Terms of
 * collection, handed to cb as a person record: name the term ("CPI"),
 * description its gloss, no documents.  DC_NOTFOUND when there is none.
 * Audited ("term"). */
DC_API dc_rc dc_db_term(dc_db *db, const char *collection, const char *xml_id, dc_person_cb cb,
                        void *ctx);
/* The person index: every list entry named by at least one readable
 * document, with the number of such documents, ordered by name.
 * Audited. */
DC_API dc_rc dc_db_persons(dc_db *db, dc_person_cb cb, void *ctx);

/* ---- volumes ------------------------------------------------------------ */

/*
 * Volume (collection) id as the reader sees it (dc_volume: declass/model.h):
 * the header of a published volume (title, editors, publisher, date, as
 * its TEI header gives them; NULL for a collection of files) and its
 * table of contents in document order — front matter, then the divisions
 * (compilations, chapters) with their headings and their documents, then
 * back matter, then any readable document of the collection the stored
 * contents do not name — listing only the documents the reader may open,
 * with number, title and date from the reader's view, and only the
 * divisions that hold one of them.  *out owned by the caller
 * (dc_volume_free), NULL on failure.  DC_NOTFOUND "no volume 'ID'" for an
 * unknown id and for one of which the reader may open no document.
 * Audited ("volume").
 */
DC_API dc_rc dc_db_volume(dc_db *db, const char *id, dc_volume **out);
/* The citation of a volume or book as a whole (v as dc_db_volume gives
 * it: only its header is cited) in format "cite" (Chicago), "bibtex" (a
 * @book entry) or "ris" (a BOOK record), each ending with a newline.
 * *out owned by the caller (dc_free), NULL on failure; DC_MISUSE for an
 * unknown format. */
DC_API dc_rc dc_volume_cite(const dc_volume *v, const char *format, char **out);
/* What a document's page shows of its volume: for a collection with a
 * stored volume, dc_db_volume of it; for one without, only the document
 * (the reader's view doc) and the readable documents just before and
 * after it in listing order — read without listing the collection, so a
 * page costs the same in a collection of ten documents or a million.
 * *out NULL when doc has no collection.  Audited ("volume", the
 * collection, the document's id).
 */
DC_API dc_rc dc_db_volume_of(dc_db *db, const dc_doc *doc, dc_volume **out);
/* As dc_db_volume_of, *out lent by the handle rather than copied (in a
 * read snapshot, the reader's contents it keeps for that state of the
 * database): valid until dc_db_volume_return(db, *out), which the caller
 * makes once, on the same thread, before dc_db_close. */
DC_API dc_rc dc_db_volume_lent(dc_db *db, const dc_doc *doc, const dc_volume **out);
DC_API void dc_db_volume_return(dc_db *db, const dc_volume *v); /* NULL: no-op */

/* ---- output formats ------------------------------------------------ */

#define DC_FORMAT_SHOW 1   /* a document: dc_db_show, GET /api/documents/ID */
#define DC_FORMAT_EXPORT 2 /* a bulk export: dc_db_export */
#define DC_FORMAT_PAGE 4   /* a part of a reading-room page only (dc_db_render):
                            * "highwire", the citation_* <meta> tags */

/* An output format: "text", "json", "html", "tei", "cite" (Chicago),
 * "bibtex", "ris" for one document; "jsonl" and "tei" for exports. */
typedef struct dc_format {
    const char *name;
    const char *media_type; /* for Content-Type: "application/tei+xml; charset=utf-8" */
    int uses;               /* DC_FORMAT_* bits */
} dc_format;

/* Appends the address of doc on its publisher's site and returns 1 — a
 * FRUS document's page on the Office of the Historian's site,
 * https://history.state.gov/historicaldocuments/VOLUME/dN — or returns 0
 * and appends nothing when it has none. */
DC_API int dc_doc_source_url(const dc_doc *doc, dc_buf *out);
/* The format called name that serves use (a DC_FORMAT_* bit), or NULL. */
DC_API const dc_format *dc_format_find(const char *name, int use);
/* The names of the formats serving use, for messages: "text, json, ... or
 * ris" (static, per thread). */
DC_API const char *dc_format_names(int use);

/* ---- markings, roles and reasons (the rules of the access module) ---- */

/* The level of a classification marking: NULL or empty is UNCLASSIFIED,
 * an unknown marking TOP SECRET (fail safe). */
DC_API int dc_marking_level(const char *classification);
/* A role name ("reader", "reviewer", "admin") as its DC_ROLE_* bit; 0 for
 * an unknown name. */
DC_API int dc_role_parse(const char *name);
/* 1 if code is an exemption code a withholding may cite, or a list of
 * them (docs/review.md, "Codes"), whatever its date. */
DC_API int dc_reason_valid(const char *code);
/* 0 if code (a code or a list "25X1, 25X6") may be cited with the
 * declassification date until and event given (either may be NULL; the
 * 25X, 50X and 75X categories need exactly one, the others none); else 1
 * with a message naming the valid codes in msg (cap bytes). */
DC_API int dc_reason_check(const char *code, const char *until, const char *event, char *msg,
                           size_t cap);

#endif
