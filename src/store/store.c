/*
 * The store: documents as immutable versions in one SQLite database file.
 *
 * The file is a WAL-mode SQLite database marked with PRAGMA application_id
 * 'DCLS' and versioned with PRAGMA user_version (migrations in schema.c;
 * layout in docs/internals/store.md).  Every SQLite result code is
 * translated here into a dc_rc and a message kept in the handle; nothing
 * of SQLite leaks out of this file.  The library never prints or exits.
 *
 * Prepared statements are created on first use and cached in the handle
 * for its lifetime; each use ends with stmt_done() (reset + clear
 * bindings), so no statement keeps a read transaction open between calls.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "model/model_int.h"
#include "util/util_int.h"

#include "util/banned.h"

#define BUSY_TIMEOUT_MS 5000
/* Page size of a new database file: SQLite's own default, 4 KiB.  A stored
 * body is the document's JSON, 60 KB on average for a FRUS document, and
 * 7.5 KB for a 5 KB text file: with 16 KiB pages two such bodies rarely
 * fit in one page (81% of the bytes used), so a database of small files
 * was 10% larger and every byte of it written twice (WAL, checkpoint);
 * 4 KiB pages spill the rest of a body into full overflow pages.  16 KiB
 * pages had saved 0.1 s of system time in 64 MB of TEI (a 60 KB body in 4
 * pages rather than 15).  See docs/PERFORMANCE.md. */
#define NEW_DB_PAGE_SIZE 4096
/* The JSON buffer kept between dc_store_put() calls is dropped when a
 * document made it larger than this, so a rare huge document does not
 * pin its memory for the rest of the run. */
#define JSON_KEEP_BYTES ((size_t)4 << 20)
#define HASH_BYTES crypto_generichash_BYTES /* 32: BLAKE2b-256 */
#define HASH_HEX_SIZE (2 * HASH_BYTES + 1)
_Static_assert(HASH_HEX_SIZE == DC_STORE_HASH_SIZE, "the hash size store.h names");
#define TIME_SIZE 32
/* A WAL a handle whose only commits were audit rows (a read's fold of a
 * long journal, a server's audit batches) may leave behind (dc_store_close):
 * 256 frames of 4 KiB pages. */
#define WAL_KEEP_BYTES ((off_t)1 << 20)
/* A read that leaves the audit journal longer than this folds it (if no
 * writer holds the lock): about 5,000 rows. */
#define JOURNAL_FOLD_BYTES ((long long)1 << 20)

enum stmt_id {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_SAVEPOINT,
    S_RELEASE,
    S_ROLLBACK_TO,
    S_PART,
    S_PART_RELEASE,
    S_PART_UNDO,
    S_HEAD,
    S_COLL_UPSERT,
    S_DOC_INSERT,
    S_DOC_UPDATE,
    S_VER_INSERT,
    S_GET_CURRENT,
    S_GET_VERSION,
    S_LIST,
    S_LIST_IN,
    S_COUNT,
    S_AUDIT,
    S_CHANGES,
    S_CHANGED_BODY,
    S_MAX_DOCID,
    S_STATUS_CURRENT,
    S_STATUS_VERSION,
    S_STATUS_DOCID,
    S_STATUS_DOCID_ROW,
    S_GET_DOCID,
    S_FIND_NUMBER,
    S_AUDIT_HEAD,
    S_AUDIT_PUT,
    S_JOURNAL_GET,
    S_JOURNAL_SET,
    S_GROUPS,
    S_VOLUME_GET,
    S_LIST_PERSONS,
    S_LIST_TERMS,
    S_READ_BEGIN,
    S_DATA_VERSION,
    S_COUNT_OF_STMTS
};

/* The next row id of an AUTOINCREMENT table: above every row and every id
 * ever handed out (sqlite_sequence), as SQLite itself would choose. */
#define NEXT_ID(table, col)                                                                \
    "(SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '" table "'), 0)," \
    " coalesce((SELECT max(" col ") FROM " table "), 0)) + 1)"

/* A document's number sorts numerically when it is all digits. */
#define NUMERIC_NUMBER "(v.number GLOB '[0-9]*' AND v.number NOT GLOB '*[^0-9]*')"

static const char *const stmt_sql[S_COUNT_OF_STMTS] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT dc_put",
    [S_RELEASE] = "RELEASE dc_put",
    [S_ROLLBACK_TO] = "ROLLBACK TO dc_put",
    [S_PART] = "SAVEPOINT dc_part",
    [S_PART_RELEASE] = "RELEASE dc_part",
    [S_PART_UNDO] = "ROLLBACK TO dc_part",
    [S_HEAD] = "SELECT d.current_version, v.hash FROM documents d"
               " LEFT JOIN versions v ON v.doc_id = d.id AND v.version = d.current_version"
               " WHERE d.id = ?1",
    [S_COLL_UPSERT] = "INSERT INTO collections(name, created_at, updated_at) VALUES (?1, ?2, ?2)"
                      " ON CONFLICT(name) DO UPDATE SET updated_at = excluded.updated_at",
    [S_DOC_INSERT] = "INSERT OR FAIL INTO documents(id, collection, current_version, created_at,"
                     " updated_at) VALUES (?1, ?2, 1, ?3, ?3)",
    [S_DOC_UPDATE] = "UPDATE documents SET collection = ?2, current_version = ?3,"
                     " updated_at = ?4 WHERE id = ?1",
    /* Row ids are given, never left to SQLite: the schema's insert
     * triggers refuse a row whose id is not above every stored one.
     * OR FAIL, here, in S_DOC_INSERT and in the audit's inserts, as in
     * the triggers (schema step 12): each inserts one row, its
     * constraints checked before any of it is written, so a
     * refused one has written nothing and needs no statement journal;
     * SQLite keeps one for a statement that may ABORT (NOT NULL, CHECK
     * and UNIQUE by default), copying every page it touches.  A put's
     * savepoint still undoes the rows written before (dc_store_put). */
    [S_VER_INSERT] =
        "INSERT OR FAIL INTO versions(docid, doc_id, version, hash, source, format,"
        " ingested_at, number, title, date, doc_type, classification,"
        " release_status, body, marked) VALUES (" NEXT_ID(
            "versions", "docid") ","
                                 " ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [S_GET_CURRENT] = "SELECT d.current_version, v.hash, v.body FROM documents d"
                      " LEFT JOIN versions v ON v.doc_id = d.id AND v.version = d.current_version"
                      " WHERE d.id = ?1",
    [S_GET_VERSION] = "SELECT version, hash, body FROM versions WHERE doc_id = ?1 AND version = ?2",
    [S_LIST] = "SELECT d.id, d.collection, v.number, v.title, v.date, v.classification,"
               " v.doc_type, v.release_status, d.current_version,"
               " (SELECT count(*) FROM versions c WHERE c.doc_id = d.id), coalesce(v.marked, 1)"
               " FROM documents d"
               " JOIN versions v ON v.doc_id = d.id AND v.version = d.current_version"
               " ORDER BY d.collection,"
               " CASE WHEN " NUMERIC_NUMBER " THEN 0 ELSE 1 END,"
               " CASE WHEN " NUMERIC_NUMBER " THEN CAST(v.number AS INTEGER) END,"
               " d.id",
    [S_LIST_IN] = "SELECT d.id, d.collection, v.number, v.title, v.date, v.classification,"
                  " v.doc_type, v.release_status, d.current_version,"
                  " (SELECT count(*) FROM versions c WHERE c.doc_id = d.id),"
                  " coalesce(v.marked, 1)"
                  " FROM documents d"
                  " JOIN versions v ON v.doc_id = d.id AND v.version = d.current_version"
                  " WHERE d.collection = ?1"
                  " ORDER BY CASE WHEN " NUMERIC_NUMBER " THEN 0 ELSE 1 END,"
                  " CASE WHEN " NUMERIC_NUMBER " THEN CAST(v.number AS INTEGER) END,"
                  " d.id",
    [S_COUNT] = "SELECT count(*) FROM documents",
    /* One statement, so the previous row read and the row written are in
     * the same write transaction whoever else appends. */
    [S_AUDIT] = "INSERT OR FAIL INTO audit(id, at, user, action, target, detail, chain)"
                " SELECT n.id, ?1, ?2, ?3, ?4, ?5,"
                " dc_audit_chain(n.prev, n.id, ?1, ?2, ?3, ?4, ?5)"
                " FROM (SELECT " NEXT_ID(
                    "audit", "id") " AS id,"
                                   " (SELECT chain FROM audit ORDER BY id DESC LIMIT 1) AS prev) n",
    /* Without the body: SQLite reads every result column as it steps, and
     * a caller often holds the version already (dc_known_cb). */
    [S_CHANGES] = "SELECT v.docid,"
                  " (SELECT group_concat(o.docid) FROM versions o"
                  "   WHERE o.doc_id = v.doc_id AND o.docid < v.docid AND o.docid <= ?1)"
                  " FROM versions v JOIN documents d"
                  "   ON d.id = v.doc_id AND d.current_version = v.version"
                  " WHERE v.docid > ?1 ORDER BY v.docid",
    [S_CHANGED_BODY] = "SELECT hash, body FROM versions WHERE docid = ?1",
    [S_MAX_DOCID] = "SELECT coalesce(max(docid), 0) FROM versions",
    [S_STATUS_CURRENT] = "SELECT v.release_status, v.classification, v.hash FROM documents d"
                         " JOIN versions v ON v.doc_id = d.id"
                         " AND v.version = d.current_version WHERE d.id = ?1",
    [S_STATUS_VERSION] = "SELECT release_status, classification, hash FROM versions"
                         " WHERE doc_id = ?1 AND version = ?2",
    /* A search hit's version, by the docid the index holds: the row by
     * its rowid, and only while it is its document's current version. */
    [S_STATUS_DOCID] = "SELECT v.release_status, v.classification, v.hash FROM versions v"
                       " JOIN documents d ON d.id = v.doc_id AND d.current_version = v.version"
                       " WHERE v.docid = ?1 AND v.doc_id = ?2",
    /* ... when the caller knows it is current: the row alone */
    [S_STATUS_DOCID_ROW] = "SELECT release_status, classification, hash FROM versions"
                           " WHERE docid = ?1 AND doc_id = ?2",
    [S_GET_DOCID] = "SELECT version, hash, body FROM versions WHERE docid = ?1 AND doc_id = ?2",
    [S_FIND_NUMBER] = "SELECT d.id FROM documents d JOIN versions v"
                      " ON v.doc_id = d.id AND v.version = d.current_version"
                      " WHERE d.collection = ?1 AND v.number = ?2"
                      " ORDER BY d.id LIMIT 1",
    /* A batch of audit rows (dc_store_audit_rows): where the log ends,
     * read once under the write lock, then plain inserts of rows whose
     * ids and chain values are computed here as S_AUDIT would. */
    [S_AUDIT_HEAD] =
        "SELECT " NEXT_ID("audit", "id") ","
                                         " (SELECT chain FROM audit ORDER BY id DESC LIMIT 1)",
    [S_AUDIT_PUT] = "INSERT OR FAIL INTO audit(id, at, user, action, target, detail, chain)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_GROUPS] = "SELECT d.collection, v.release_status, v.classification, count(*)"
                 " FROM documents d"
                 " JOIN versions v ON v.doc_id = d.id AND v.version = d.current_version"
                 " GROUP BY d.collection, v.release_status, v.classification"
                 " ORDER BY d.collection, v.release_status, v.classification",
    /* read for every document page (its volume, its names and terms) */
    [S_VOLUME_GET] = "SELECT body FROM volumes WHERE collection = ?1",
    [S_LIST_PERSONS] = "SELECT collection, xml_id, name, description FROM persons"
                       " WHERE ?1 IS NULL OR collection = ?1"
                       " ORDER BY collection, name, xml_id",
    [S_LIST_TERMS] = "SELECT collection, xml_id, term, gloss FROM terms"
                     " WHERE ?1 IS NULL OR collection = ?1"
                     " ORDER BY collection, term, xml_id",
    /* the audit journal last folded (journal.c) */
    [S_JOURNAL_GET] = "SELECT name, folded, last FROM audit_journal WHERE id = 1",
    [S_JOURNAL_SET] = "INSERT INTO audit_journal(id, name, folded, last) VALUES (1, ?1, ?2, ?3)"
                      " ON CONFLICT(id) DO UPDATE SET name = ?1, folded = ?2, last = ?3",
    [S_READ_BEGIN] = "BEGIN", /* deferred: a read snapshot (dc_store_read_begin) */
    [S_DATA_VERSION] = "PRAGMA data_version",
};

/* dc_store_collection_groups's rows as of the version id `docid`. */
typedef struct groups {
    int valid;
    uint64_t docid;
    dc_collection_group *v;
    size_t n, cap;
} groups;

/*
 * The documents dc_store_get parsed, kept by a handle opened with
 * DC_STORE_VERSION_CACHE.  A stored version never changes (the schema's
 * triggers refuse updates), so a body whose hash was checked parses to
 * the same document for good.  An entry is keyed by that hash, which
 * covers the whole body (id, markings, withholdings, release status):
 * a read finds an entry only through the hash of the row it reads now,
 * so a new version (a release, a withholding, a marking) is a new key and
 * never meets an old entry.  What is cached is the stored document, never
 * a reader's view, and each read gets its own copy.  At most VC_SLOTS
 * entries and VC_BYTES bytes of bodies per handle (a server has one handle
 * per thread; a parsed document takes two to three times its body); the
 * least recently used goes.  A body over VC_BYTES / 2 is not kept, and a
 * version is kept only when it is read a second time while the last
 * VC_SEEN versions read are remembered: a listing or a page of search
 * hits that reads many documents once does not churn the cache.
 */
#define VC_SLOTS 32
#define VC_BYTES ((size_t)2 << 20)
#define VC_SEEN 64

typedef struct vc_entry {
    char hash[HASH_HEX_SIZE];
    dc_doc *doc;
    size_t bytes; /* the body's length */
    uint64_t used;
} vc_entry;

typedef struct vcache {
    vc_entry e[VC_SLOTS];
    char seen[VC_SEEN][HASH_HEX_SIZE]; /* hashes of versions read once, a ring */
    size_t seen_next;
    size_t bytes;
    uint64_t tick;
} vcache;

struct dc_store {
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT_OF_STMTS];
    dc_buf json;              /* dc_store_put's serialisation, reused across documents */
    long long busy_waited_us; /* busy_wait's time spent on the current lock */
    int wrote;                /* checkpoint at close: a row other than the audit log's was
                               * written (on_update), or the journal folded on request */
    uint64_t put_docid;       /* the version the last dc_store_put added, or 0 */
    vcache *vc;               /* DC_STORE_VERSION_CACHE, else NULL */
    groups groups;            /* dc_store_collection_groups */
    int reading;              /* dc_store_read_begin's depth; 0: no read snapshot open */
    uint64_t snapshots;       /* read snapshots opened: the open one's serial */
    int have_journal;         /* jn is the audit journal (not an in-memory database) */
    dc_journal jn;
    int manual_ckpt;          /* DC_STORE_MANUAL_CHECKPOINT */
    struct bg_ckpt *bg;       /* dc_store_background_checkpoints, or NULL */
    char errmsg[512];
};

static void groups_clear(groups *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free((char *)g->v[i].collection);
        free((char *)g->v[i].release_status);
        free((char *)g->v[i].classification);
    }
    g->n = 0;
    g->valid = 0;
}

static void vc_drop(vcache *c, vc_entry *e)
{
    dc_doc_free(e->doc);
    c->bytes -= e->bytes;
    memset(e, 0, sizeof *e);
}

static void vc_free(vcache *c)
{
    for (size_t i = 0; c && i < VC_SLOTS; i++) vc_drop(c, &c->e[i]);
    free(c);
}

/* The entry of hash, or NULL. */
static vc_entry *vc_find(vcache *c, const char *hash)
{
    for (size_t i = 0; c && hash && i < VC_SLOTS; i++)
        if (c->e[i].doc && strcmp(c->e[i].hash, hash) == 0) {
            c->e[i].used = ++c->tick;
            return &c->e[i];
        }
    return NULL;
}

/* Keeps a copy of doc (parsed from a body of `bytes` bytes whose hash is
 * hash); a body too large for the cache, or no memory, keeps nothing. */
static void vc_put(vcache *c, const char *hash, size_t bytes, const dc_doc *doc)
{
    if (!c || bytes > VC_BYTES / 2 || strlen(hash) + 1 != HASH_HEX_SIZE) return;
    size_t k = 0;
    while (k < VC_SEEN && strcmp(c->seen[k], hash) != 0) k++;
    if (k == VC_SEEN) { /* the first read: remembered, not kept */
        memcpy(c->seen[c->seen_next], hash, HASH_HEX_SIZE);
        c->seen_next = (c->seen_next + 1) % VC_SEEN;
        return;
    }
    c->seen[k][0] = '\0';
    vc_entry *slot;
    for (;;) {
        vc_entry *lru = NULL;
        slot = NULL;
        for (size_t i = 0; i < VC_SLOTS; i++) {
            vc_entry *e = &c->e[i];
            if (!e->doc) slot = slot ? slot : e;
            else if (!lru || e->used < lru->used) lru = e;
        }
        if (slot && c->bytes + bytes <= VC_BYTES) break;
        if (!lru) return;
        vc_drop(c, lru);
    }
    if (dc_doc_copy(doc, &slot->doc) != DC_OK) return;
    memcpy(slot->hash, hash, HASH_HEX_SIZE);
    slot->bytes = bytes;
    slot->used = ++c->tick;
    c->bytes += bytes;
}

/* ---- errors ---------------------------------------------------------- */

static dc_rc set_err(dc_store *st, dc_rc rc, const char *fmt, ...) DC_PRINTF(3, 4);
static dc_rc set_err(dc_store *st, dc_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

/*
 * Translates the SQLite result code src (primary or extended) into a dc_rc
 * and stores "WHAT: REASON (SQLITE MESSAGE)" as the handle's message.
 * Must be called before anything else runs on the connection, since it
 * reads sqlite3_errmsg().
 */
static dc_rc sql_err(dc_store *st, int src, const char *fmt, ...) DC_PRINTF(3, 4);
static dc_rc sql_err(dc_store *st, int src, const char *fmt, ...)
{
    int saved_errno = errno; /* before anything here can change it */
    dc_rc rc;
    const char *why;
    switch (src & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: rc = DC_IO, why = "database is busy (locked by another connection)"; break;
    case SQLITE_FULL: rc = DC_IO, why = "disk full"; break;
    case SQLITE_READONLY: rc = DC_IO, why = "database is read-only"; break;
    case SQLITE_IOERR: rc = DC_IO, why = "I/O error"; break;
    case SQLITE_CANTOPEN: rc = DC_IO, why = "cannot open the database file"; break;
    case SQLITE_PERM: rc = DC_IO, why = "permission denied"; break;
    case SQLITE_PROTOCOL: rc = DC_IO, why = "locking protocol error"; break;
    case SQLITE_CORRUPT: rc = DC_CORRUPT, why = "database file is damaged"; break;
    case SQLITE_NOTADB: rc = DC_CORRUPT, why = "not a database file"; break;
    case SQLITE_NOMEM: rc = DC_NOMEM, why = "out of memory"; break;
    case SQLITE_TOOBIG: rc = DC_LIMIT, why = "value too large"; break;
    case SQLITE_CONSTRAINT: rc = DC_CORRUPT, why = "constraint violated"; break;
    default: rc = DC_INTERNAL, why = "unexpected SQLite error"; break;
    }
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *detail = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(src);
    /* A failed write or open: the OS's reason says more than "disk I/O
     * error" (a full disk or a file size limit reads as an I/O error). */
    int sys = st->db ? sqlite3_system_errno(st->db) : 0;
    int prim = src & 0xff;
    /* SQLite keeps no errno for a failed write by the time a commit has
     * rolled back; errno itself still says why when the disk is full. */
    if (!sys && (prim == SQLITE_IOERR || prim == SQLITE_FULL) &&
        (saved_errno == ENOSPC || saved_errno == EFBIG || saved_errno == EDQUOT))
        sys = saved_errno;
    if (sys && (prim == SQLITE_IOERR || prim == SQLITE_FULL || prim == SQLITE_CANTOPEN)) {
        if (sys == ENOSPC || sys == EFBIG || sys == EDQUOT) why = "disk full";
        detail = strerror(sys);
    }
    snprintf(st->errmsg, sizeof st->errmsg, "%s: %s (%s)", what, why, detail);
    return rc;
}

/* ---- statements -------------------------------------------------------- */

/* The cached statement id, prepared on first use; NULL with the message set
 * on failure. */
static sqlite3_stmt *stmt_get(dc_store *st, enum stmt_id id, dc_rc *rc)
{
    if (!st->stmt[id]) {
        int src = sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                     &st->stmt[id], NULL);
        if (src != SQLITE_OK) {
            *rc = sql_err(st, src, "preparing a store statement");
            return NULL;
        }
    }
    *rc = DC_OK;
    return st->stmt[id];
}

static void stmt_done(sqlite3_stmt *s)
{
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
}

/* Runs a cached statement that returns no rows and gives the raw SQLite code,
 * leaving the message alone: for clean-up paths that must not hide the
 * error being reported. */
static int run_quiet(dc_store *st, enum stmt_id id)
{
    if (!st->stmt[id] && sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                            &st->stmt[id], NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    int src = sqlite3_step(st->stmt[id]);
    stmt_done(st->stmt[id]);
    return src == SQLITE_DONE || src == SQLITE_ROW ? SQLITE_OK : src;
}

/* Runs a cached statement that returns no rows; errors are translated with
 * `what` as context. */
static dc_rc run(dc_store *st, enum stmt_id id, const char *what)
{
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, id, &rc);
    if (!s) return rc;
    int src = sqlite3_step(s);
    rc = src == SQLITE_DONE || src == SQLITE_ROW ? DC_OK : sql_err(st, src, "%s", what);
    stmt_done(s);
    return rc;
}

/* Ends the read snapshot of dc_store_read_begin, if one is open, before a
 * write: a write never runs inside it (a deferred read transaction that
 * turns into a write fails busy when another handle wrote meanwhile), and
 * what the write commits is not left uncommitted in a snapshot.  The
 * reads after it run each in its own transaction again. */
static void read_stop(dc_store *st)
{
    if (!st->reading) return;
    st->reading = 0;
    if (!sqlite3_get_autocommit(st->db)) run_quiet(st, S_COMMIT);
}

/* Sticky binders: a no-op once *src is set, so a run of binds is checked once. */
static void bind_text(sqlite3_stmt *s, int i, const char *v, int *src)
{
    if (*src == SQLITE_OK) *src = sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static void bind_int(sqlite3_stmt *s, int i, int v, int *src)
{
    if (*src == SQLITE_OK) *src = sqlite3_bind_int(s, i, v);
}

/* Binds, steps a write statement to completion and resets it.  bind_src is
 * the result of the binds (sticky).  Errors name `what` and `id`. */
static dc_rc step_write(dc_store *st, sqlite3_stmt *s, int bind_src, const char *what,
                        const char *id)
{
    int src = bind_src;
    if (src == SQLITE_OK) {
        src = sqlite3_step(s);
        if (src == SQLITE_DONE) src = SQLITE_OK;
    }
    dc_rc rc = src == SQLITE_OK ? DC_OK : sql_err(st, src, "%s %s", what, id);
    stmt_done(s);
    return rc;
}

/* A text column, or NULL for SQL NULL; *nomem is set when SQLite could not
 * convert a non-NULL value. */
static const char *col_text(sqlite3_stmt *s, int i, int *nomem)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    if (!v && sqlite3_column_type(s, i) != SQLITE_NULL) *nomem = 1;
    return v;
}

/* ---- small helpers ----------------------------------------------------- */

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
static dc_rc now_utc(dc_store *st, char out[TIME_SIZE])
{
    if (!dc_utc_now(out, TIME_SIZE, 1))
        return set_err(st, DC_INTERNAL, "cannot read the system clock");
    return DC_OK;
}

/* sodium_bin2hex writes the same, but is written to be constant-time,
 * which public hashes and random names do not need, and was the slower
 * for it. */
void dc_store_hex(char *out, const unsigned char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Lower-case hex BLAKE2b-256 of s[0..n). */
static void hash_hex(const char *s, size_t n, char out[HASH_HEX_SIZE])
{
    unsigned char h[HASH_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)s, n, NULL, 0);
    dc_store_hex(out, h, sizeof h);
}

/* ---- the audit log's hash chain ---------------------------------------
 * chain(row) = SHA-256 of a domain tag, then chain(previous row) (NULL for
 * the first), the row's id as 8 bytes big-endian, and its at, user,
 * action, target and detail.  Each text goes in as a tag byte (0: NULL,
 * 1: text), its length as 8 bytes big-endian and its bytes, so no two
 * different rows hash the same input.  Stored as lower-case hex. */

#define CHAIN_HEX_SIZE (2 * crypto_hash_sha256_BYTES + 1)
#define CHAIN_TEXTS 6 /* previous chain, at, user, action, target, detail */

static void chain_u64(crypto_hash_sha256_state *h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (56 - 8 * i));
    crypto_hash_sha256_update(h, b, sizeof b);
}

/* texts[i] NULL stands for SQL NULL. */
static void audit_chain(const unsigned char *const texts[CHAIN_TEXTS],
                        const size_t lens[CHAIN_TEXTS], int64_t id, char out[CHAIN_HEX_SIZE])
{
    static const char tag[] = "declass audit chain 1";
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)tag, sizeof tag);
    for (int i = 0; i < CHAIN_TEXTS; i++) {
        unsigned char is_text = texts[i] != NULL;
        crypto_hash_sha256_update(&h, &is_text, 1);
        chain_u64(&h, is_text ? (uint64_t)lens[i] : 0);
        if (is_text && lens[i]) crypto_hash_sha256_update(&h, texts[i], lens[i]);
        if (i == 0) chain_u64(&h, (uint64_t)id);
    }
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    dc_store_hex(out, d, sizeof d);
}

/* The text of v (NULL for SQL NULL) and its length; *nomem when SQLite
 * could not convert it. */
static const unsigned char *value_text(sqlite3_value *v, size_t *len, int *nomem)
{
    *len = 0;
    if (sqlite3_value_type(v) == SQLITE_NULL) return NULL;
    const unsigned char *t = sqlite3_value_text(v);
    if (!t) {
        *nomem = 1;
        return NULL;
    }
    *len = (size_t)sqlite3_value_bytes(v);
    return t;
}

/* The SQL function dc_audit_chain(prev, id, at, user, action, target,
 * detail): the chain value of a row (for appends and the migration). */
static void sql_audit_chain(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const unsigned char *texts[CHAIN_TEXTS];
    size_t lens[CHAIN_TEXTS];
    int nomem = 0;
    if (argc != CHAIN_TEXTS + 1) {
        sqlite3_result_error(cx, "dc_audit_chain takes 7 arguments", -1);
        return;
    }
    texts[0] = value_text(argv[0], &lens[0], &nomem);
    for (int i = 1; i < CHAIN_TEXTS; i++) texts[i] = value_text(argv[i + 1], &lens[i], &nomem);
    if (nomem) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    char out[CHAIN_HEX_SIZE];
    audit_chain(texts, lens, sqlite3_value_int64(argv[1]), out);
    sqlite3_result_text(cx, out, CHAIN_HEX_SIZE - 1, SQLITE_TRANSIENT);
}

/* Runs a one-row, one-column query and returns its integer, for the pragmas
 * read at open.  Returns the SQLite code. */
static int query_int(sqlite3 *db, const char *sql, long long *v)
{
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (src == SQLITE_OK) {
        src = sqlite3_step(s);
        if (src == SQLITE_ROW) {
            *v = sqlite3_column_int64(s, 0);
            src = SQLITE_OK;
        } else if (src == SQLITE_DONE) {
            src = SQLITE_ERROR;
        }
    }
    sqlite3_finalize(s);
    return src;
}

/* As query_int, for a text result copied into out (truncated to cap). */
static int query_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    out[0] = '\0';
    if (src == SQLITE_OK) {
        src = sqlite3_step(s);
        if (src == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(s, 0);
            snprintf(out, cap, "%s", v ? v : "");
            src = SQLITE_OK;
        } else if (src == SQLITE_DONE) {
            src = SQLITE_ERROR;
        }
    }
    sqlite3_finalize(s);
    return src;
}

/* ---- open ------------------------------------------------------------------ */

/*
 * Waits for a lock another connection holds: SQLite's own busy timeout
 * sleeps 1 ms and more from the first retry, which caps a server whose
 * threads each append an audit row at a few hundred writes a second.  A
 * write transaction here lasts tens of microseconds, so retry after 20 us
 * and back off to 5 ms, giving up after BUSY_TIMEOUT_MS in all.
 */
static int busy_wait(void *ctx, int tries)
{
    long long *waited_us = ctx;
    if (tries == 0) *waited_us = 0;
    if (*waited_us >= (long long)BUSY_TIMEOUT_MS * 1000) return 0;
    long us = tries < 8 ? 20L << tries : 5000;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = us * 1000};
    nanosleep(&ts, NULL);
    *waited_us += us;
    return 1;
}

/* SQLite counts the memory it holds (for sqlite3_memory_used and the heap
 * limits, which declass never asks for) under a process-wide mutex taken
 * at every allocation and free: 2% of an ingest's CPU.  Its page cache
 * starts with a block of 20 pages it writes a header into each of (21 new
 * heap pages a process), where a search reads nearly every page through
 * the mapping (mmap_size) and caches few.  The settings must come before
 * SQLite initialises; if a program that links declass has initialised it
 * already, sqlite3_config refuses and nothing changes. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
}

/* Opens the connection read-write (creating the file if asked) and sets the
 * busy timeout.  A file the OS lets us only read is refused here, with a
 * clear message, rather than failing on the first write.  A new file is
 * made here first, mode 0600 whatever the umask: SQLite gives the -wal and
 * -shm files the database file's mode. */
static dc_rc open_db(dc_store *st, const char *path, int flags)
{
    if (flags & DC_STORE_CREATE) {
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
            int bad = fchmod(fd, 0600) != 0;
            int e = errno;
            close(fd);
            if (bad) return set_err(st, DC_IO, "creating %s: %s", path, strerror(e));
        } /* else it exists, or SQLite fails to open it below and says why */
    }
    /* No mutex of the connection's own: a handle is used by one thread at a
     * time (the server lends each request one; during an ingest, the thread
     * storing a volume's documents holds it while it has any, the others
     * never touch it; a dc_db holds much else that is not locked). */
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                 ((flags & DC_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
    pthread_once(&sqlite_once, sqlite_setup);
    int src = sqlite3_open_v2(path, &st->db, oflags, dc_store_vfs());
    if (src != SQLITE_OK) {
        if (!st->db) return set_err(st, DC_NOMEM, "opening %s: out of memory", path);
        return sql_err(st, src, "opening %s", path);
    }
    sqlite3_busy_handler(st->db, busy_wait, &st->busy_waited_us);
    src = sqlite3_create_function(st->db, "dc_audit_chain", CHAIN_TEXTS + 1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                  sql_audit_chain, NULL, NULL);
    if (src != SQLITE_OK) return sql_err(st, src, "opening %s", path);
    if (sqlite3_db_readonly(st->db, "main") == 1)
        return set_err(st, DC_IO, "opening %s: database is read-only", path);
    return DC_OK;
}

/*
 * Decides from the file's header whether it is ours: application_id 'DCLS'
 * is a declass database; application_id 0 with no schema objects is an
 * empty SQLite file (initialised only with DC_STORE_CREATE, otherwise
 * DC_NOTFOUND); anything else, including a file SQLite cannot read as a
 * database, is DC_CORRUPT.  This runs before any pragma that writes, so a
 * foreign file is never modified.
 */
static dc_rc check_marker(dc_store *st, const char *path, int flags)
{
    long long app = 0, objects = 0;
    int src = query_int(st->db, "PRAGMA application_id", &app);
    if (src == SQLITE_OK && app != DC_STORE_APPLICATION_ID)
        src = query_int(st->db, "SELECT count(*) FROM sqlite_master", &objects);
    if ((src & 0xff) == SQLITE_NOTADB || (src & 0xff) == SQLITE_CORRUPT)
        return set_err(st, DC_CORRUPT,
                       "%s is not a declass database (not an SQLite database file, or a "
                       "damaged one)",
                       path);
    if (src != SQLITE_OK) return sql_err(st, src, "reading %s", path);
    if (app == DC_STORE_APPLICATION_ID) return DC_OK;
    if (app == 0 && objects == 0) {
        if (flags & DC_STORE_CREATE) return DC_OK;
        return set_err(st, DC_NOTFOUND, "%s is an empty database; run 'declass init'", path);
    }
    return set_err(st, DC_CORRUPT,
                   "%s is an SQLite database but not a declass one (no declass schema "
                   "marker; application_id is 0x%08llx)",
                   path, (unsigned long long)app & 0xffffffffULL);
}

/* A new database file (no page written yet) gets NEW_DB_PAGE_SIZE pages.
 * The size is fixed once the first page is written, which switching to
 * WAL does, so this runs before set_pragmas(); an existing file keeps its
 * page size. */
static dc_rc set_page_size(dc_store *st, const char *path)
{
    long long pages = 0;
    int src = query_int(st->db, "PRAGMA page_count", &pages);
    if (src == SQLITE_OK && pages == 0) {
        char sql[48];
        snprintf(sql, sizeof sql, "PRAGMA page_size=%d", NEW_DB_PAGE_SIZE);
        src = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    }
    if (src != SQLITE_OK) return sql_err(st, src, "setting the page size of %s", path);
    return DC_OK;
}

/* Notes a write other than the audit log's (sqlite3_update_hook). */
static void on_update(void *ctx, int op, const char *dbname, const char *table, sqlite3_int64 rowid)
{
    (void)op, (void)dbname, (void)rowid;
    if (strcmp(table, "audit") != 0 && strcmp(table, "audit_journal") != 0)
        ((dc_store *)ctx)->wrote = 1;
}

/* Per-connection settings: WAL journal (persistent in the file),
 * synchronous=NORMAL (safe with WAL: a crash loses at most the last commits,
 * never consistency), enforced foreign keys and recursive triggers (so the
 * delete that an INSERT OR REPLACE makes fires the delete triggers), and
 * temporary storage in memory: a savepoint's statement journal would
 * otherwise spill to a new temporary file past 64 KiB, one file per
 * document of an ingest batch. */
static dc_rc set_pragmas(dc_store *st, const char *path)
{
    char mode[16];
    int src = query_text(st->db, "PRAGMA journal_mode=WAL", mode, sizeof mode);
    if (src != SQLITE_OK) return sql_err(st, src, "switching %s to WAL mode", path);
    if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
        return set_err(st, DC_IO, "%s: cannot use WAL mode (journal_mode stays %s)", path, mode);
    /* mmap_size: pages are read from a mapping of the file (SQLite
     * still writes with pwrite) instead of being copied into buffers of
     * its own.  A search process reads a few pages each of many
     * documents once: copying them cost a fresh heap page per 4 KiB it
     * read, about 100 page faults a search (at 30 us each on a VM, 3 ms).
     * SQLite caps the size (2 GiB as Debian builds it). */
    src = sqlite3_exec(st->db,
                       "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                       " PRAGMA recursive_triggers=ON; PRAGMA temp_store=MEMORY;"
                       " PRAGMA mmap_size=1099511627776;",
                       NULL, NULL, NULL);
    if (src != SQLITE_OK) return sql_err(st, src, "configuring %s", path);
    return DC_OK;
}

static dc_rc newer_schema(dc_store *st, const char *path, long long v, int known)
{
    return set_err(st, DC_CORRUPT, "%s: schema version %lld is newer than this declass (%d)", path,
                   v, known);
}

/*
 * Brings the schema from user_version V to n_steps by running steps V..n-1,
 * then setting application_id and user_version, all in one IMMEDIATE
 * transaction: a failing step leaves the file exactly as it was.  The
 * version is read again under the write lock because another process may
 * have migrated while this one waited.  A version above n_steps is refused.
 */
static dc_rc migrate(dc_store *st, const char *path, const char *const *steps, int n_steps)
{
    long long v = 0;
    int src = query_int(st->db, "PRAGMA user_version", &v);
    if (src != SQLITE_OK) return sql_err(st, src, "reading the schema version of %s", path);
    if (v > n_steps) return newer_schema(st, path, v, n_steps);
    if (v == n_steps) return DC_OK;

    src = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (src != SQLITE_OK) return sql_err(st, src, "%s: starting the schema migration", path);
    dc_rc rc = DC_OK;
    src = query_int(st->db, "PRAGMA user_version", &v);
    if (src == SQLITE_OK && v > n_steps) rc = newer_schema(st, path, v, n_steps);
    long long step = v;
    for (; src == SQLITE_OK && !rc && step < n_steps; step++) {
        src = sqlite3_exec(st->db, steps[step], NULL, NULL, NULL);
        if (src != SQLITE_OK) break;
    }
    if (src == SQLITE_OK && !rc && v < n_steps) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
                 DC_STORE_APPLICATION_ID, n_steps);
        src = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    }
    if (src == SQLITE_OK && !rc) src = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    if (src != SQLITE_OK && !rc)
        rc = sql_err(st, src, "%s: migrating the schema to version %lld", path,
                     step < n_steps ? step + 1 : (long long)n_steps);
    if (rc && !sqlite3_get_autocommit(st->db)) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* After migration every table of dc_store_tables must exist; a file that
 * claims to be declass but lacks one has been tampered with.  Asked of the
 * schema SQLite parsed at open (sqlite3_table_column_metadata with no
 * column: a lookup, no statement; a statement per table cost a search a
 * tenth of its open, one over sqlite_master a further 30 us). */
static dc_rc check_tables(dc_store *st, const char *path)
{
    for (int i = 0; dc_store_tables[i]; i++) {
        int src = sqlite3_table_column_metadata(st->db, "main", dc_store_tables[i], NULL, NULL,
                                                NULL, NULL, NULL, NULL);
        if (src == SQLITE_ERROR)
            return set_err(st, DC_CORRUPT, "%s: declass schema is damaged (table %s is missing)",
                           path, dc_store_tables[i]);
        if (src != SQLITE_OK) return sql_err(st, src, "checking the schema of %s", path);
    }
    return DC_OK;
}

dc_rc dc_store_open_steps(const char *path, int flags, const char *const *steps, int n_steps,
                          dc_store **out, dc_error *err)
{
    if (out) *out = NULL;
    if (!path || !*path || !out ||
        (flags & ~(DC_STORE_CREATE | DC_STORE_MANUAL_CHECKPOINT | DC_STORE_VERSION_CACHE)) ||
        n_steps < 0 || (n_steps > 0 && !steps))
        return dc_fail(err, DC_MISUSE, 0, "dc_store_open: invalid argument");
    if (sodium_init() < 0) return dc_fail(err, DC_INTERNAL, 0, "libsodium failed to initialise");
    if (!(flags & DC_STORE_CREATE)) {
        struct stat sb;
        if (stat(path, &sb) != 0) {
            if (errno == ENOENT)
                return dc_fail(err, DC_NOTFOUND, 0, "no database at %s; run 'declass init'", path);
            return dc_fail(err, DC_IO, 0, "cannot open %s: %s", path, strerror(errno));
        }
    }
    dc_store *st = calloc(1, sizeof *st);
    if (!st) return dc_fail(err, DC_NOMEM, 0, "opening %s: out of memory", path);
    dc_buf_init(&st->json, DC_JSON_LIMIT);
    if ((flags & DC_STORE_VERSION_CACHE) && !(st->vc = calloc(1, sizeof *st->vc))) {
        free(st);
        return dc_fail(err, DC_NOMEM, 0, "opening %s: out of memory", path);
    }
    dc_rc rc = open_db(st, path, flags);
    if (!rc) rc = check_marker(st, path, flags);
    if (!rc && (flags & DC_STORE_CREATE)) rc = set_page_size(st, path);
    if (!rc) rc = set_pragmas(st, path);
    if (!rc) sqlite3_update_hook(st->db, on_update, st);
    st->manual_ckpt = (flags & DC_STORE_MANUAL_CHECKPOINT) != 0;
    if (!rc && st->manual_ckpt) sqlite3_wal_autocheckpoint(st->db, 0);
    if (!rc) rc = migrate(st, path, steps, n_steps);
    if (!rc) rc = check_tables(st, path);
    if (!rc) st->have_journal = dc_journal_init(&st->jn, sqlite3_db_filename(st->db, "main"));
    if (rc) {
        dc_fail(err, rc, 0, "%s", st->errmsg);
        dc_store_close(st);
        return rc;
    }
    *out = st;
    return DC_OK;
}

dc_rc dc_store_open(const char *path, int flags, dc_store **out, dc_error *err)
{
    return dc_store_open_steps(path, flags, dc_store_migrations, dc_store_n_migrations, out, err);
}

/* Finalizes the cached statements first so that sqlite3_close() cannot
 * refuse; an open transaction is rolled back by SQLite. */
/* The size of the WAL beside st's database (0 when there is none), or -1
 * if it cannot be told. */
static long long wal_size(dc_store *st)
{
    const char *db = sqlite3_db_filename(st->db, "main");
    char path[4096];
    struct stat sb;
    if (!db || !*db || snprintf(path, sizeof path, "%s-wal", db) >= (int)sizeof path) return -1;
    if (stat(path, &sb) != 0) return errno == ENOENT ? 0 : -1;
    return (long long)sb.st_size;
}

/* Whether the WAL is small enough to leave for the next command (see
 * dc_store_close). */
static int wal_small(dc_store *st)
{
    long long n = wal_size(st);
    return n >= 0 && n <= WAL_KEEP_BYTES;
}

/*
 * A server's readers overlap without pause, so SQLite's own checkpoints
 * (PASSIVE, after a commit) copy the WAL into the database but can never
 * start it again from the beginning: with an audit row committed per
 * request the file grew by hundreds of megabytes a minute.  TRUNCATE waits
 * (busy_timeout) for the readers of the moment to finish, then empties it.
 * It fails at once while another connection checkpoints, which SQLite's
 * automatic checkpoints did after nearly every commit once the WAL was
 * long: handles opened with DC_STORE_MANUAL_CHECKPOINT leave it to this.
 */
void dc_store_mmap(dc_store *st, int on)
{
    if (st)
        sqlite3_exec(st->db, on ? "PRAGMA mmap_size=1099511627776" : "PRAGMA mmap_size=0", NULL,
                     NULL, NULL);
}

long long dc_store_cache(dc_store *st, long long n)
{
    long long was = 0;
    if (!st || query_int(st->db, "PRAGMA cache_size", &was) != SQLITE_OK) return 0;
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld", n);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    return was;
}

static dc_rc wal_checkpoint(dc_store *st, long long over, int mode)
{
    if (!st) return DC_MISUSE;
    read_stop(st);
    long long n = wal_size(st);
    if (n >= 0 && n <= over) return DC_OK;
    int src = sqlite3_wal_checkpoint_v2(st->db, NULL, mode, NULL, NULL);
    if (src == SQLITE_OK || src == SQLITE_BUSY || src == SQLITE_LOCKED) return DC_OK;
    return sql_err(st, src, "checkpointing the write-ahead log");
}

dc_rc dc_store_wal_trim(dc_store *st, long long over)
{
    return wal_checkpoint(st, over, SQLITE_CHECKPOINT_TRUNCATE);
}

dc_rc dc_store_wal_rewind(dc_store *st, long long over)
{
    return wal_checkpoint(st, over, SQLITE_CHECKPOINT_RESTART);
}

/*
 * Background checkpoints: a thread with a connection of its own copies the
 * WAL into the database file (a PASSIVE checkpoint: it waits for nobody,
 * and the writer goes on appending meanwhile) each time it is asked to,
 * while st's own checkpoints at commits are off.  A long ingest then does
 * not stop at every thousandth page of WAL to copy it and wait for the
 * disk (fsync) — the thread does, while the ingest parses and stores.
 * The WAL then seldom starts again from its beginning by itself (a write
 * is under way whenever a copy ends): its writer bounds it
 * (dc_store_wal_rewind).
 */
#define WAL_AUTOCHECKPOINT 1000 /* pages: SQLite's default */

struct bg_ckpt {
    sqlite3 *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int asked, stop;
};

static void *bg_main(void *arg)
{
    struct bg_ckpt *b = arg;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->asked && !b->stop) pthread_cond_wait(&b->cv, &b->mu);
        if (b->stop) break;
        b->asked = 0;
        pthread_mutex_unlock(&b->mu);
        /* busy (another checkpoint) or failed: the next request, or the
         * checkpoint at close, does it */
        sqlite3_wal_checkpoint_v2(b->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static void bg_stop(dc_store *st)
{
    struct bg_ckpt *b = st->bg;
    if (!b) return;
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    sqlite3_close(b->db);
    free(b);
    st->bg = NULL;
    if (!st->manual_ckpt) sqlite3_wal_autocheckpoint(st->db, WAL_AUTOCHECKPOINT);
}

dc_rc dc_store_background_checkpoints(dc_store *st, int on)
{
    if (!st) return DC_MISUSE;
    if (!on || st->bg) {
        if (!on) bg_stop(st);
        return DC_OK;
    }
    struct bg_ckpt *b = calloc(1, sizeof *b);
    if (!b) return set_err(st, DC_NOMEM, "out of memory");
    const char *path = sqlite3_db_filename(st->db, "main");
    int src = sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE, dc_store_vfs());
    if (src == SQLITE_OK)
        src = sqlite3_exec(b->db, "PRAGMA synchronous=NORMAL; PRAGMA mmap_size=0", NULL, NULL, NULL);
    int mu = src == SQLITE_OK && pthread_mutex_init(&b->mu, NULL) == 0;
    int cv = mu && pthread_cond_init(&b->cv, NULL) == 0;
    if (cv && pthread_create(&b->thread, NULL, bg_main, b) == 0) {
        st->bg = b;
        sqlite3_wal_autocheckpoint(st->db, 0);
        return DC_OK;
    }
    if (cv) pthread_cond_destroy(&b->cv);
    if (mu) pthread_mutex_destroy(&b->mu);
    sqlite3_close(b->db);
    free(b);
    /* the checkpoints stay st's own, at its commits */
    return DC_OK;
}

void dc_store_checkpoint_soon(dc_store *st)
{
    struct bg_ckpt *b = st ? st->bg : NULL;
    if (!b) return;
    pthread_mutex_lock(&b->mu);
    b->asked = 1;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/*
 * The last connection to close normally checkpoints the WAL into the
 * database file and deletes it: four fdatasyncs, a few milliseconds.  A
 * read writes nothing (its audit row goes to the audit journal), so it
 * leaves the WAL as it found it, never waiting for the disk.  A handle that
 * stored anything, or folded the journal on request (`declass audit`),
 * checkpoints as before, so after an ingest, a review or `declass audit`
 * the database file is complete on its own and the WAL is gone: the first
 * process to open the database reads the whole WAL back to rebuild its
 * index (the shared-memory file does not survive the last close), about
 * 0.2 ms a MiB that every later command would pay.  A handle whose only
 * commits were audit rows (a read folding a long journal, a server's audit
 * batches) checkpoints only a WAL longer than WAL_KEEP_BYTES.
 */
void dc_store_close(dc_store *st)
{
    if (!st) return;
    bg_stop(st);
    if (st->db) read_stop(st);
    for (int i = 0; i < S_COUNT_OF_STMTS; i++) sqlite3_finalize(st->stmt[i]);
    if (st->db)
        sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, !st->wrote && wal_small(st),
                          NULL);
    sqlite3_close(st->db);
    dc_buf_release(&st->json);
    vc_free(st->vc);
    groups_clear(&st->groups);
    free(st->groups.v);
    free(st);
}

const char *dc_store_errmsg(const dc_store *st)
{
    if (!st) return "no store handle";
    return st->errmsg[0] ? st->errmsg : "no error";
}

/* ---- transactions -------------------------------------------------------- */

dc_rc dc_store_read_begin(dc_store *st)
{
    if (!st) return DC_MISUSE;
    if (st->reading) {
        st->reading++;
        return DC_OK;
    }
    /* inside a write's transaction its reads are one already */
    if (!sqlite3_get_autocommit(st->db)) return DC_OK;
    dc_rc rc = run(st, S_READ_BEGIN, "starting a read");
    if (!rc) st->reading = 1, st->snapshots++;
    return rc;
}

uint64_t dc_store_snapshot(const dc_store *st)
{
    return st && st->reading && !sqlite3_get_autocommit(st->db) ? st->snapshots : 0;
}

dc_rc dc_store_state(dc_store *st, uint64_t state[2])
{
    state[0] = state[1] = 0;
    if (!st) return DC_MISUSE;
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_DATA_VERSION, &rc);
    if (!s) return rc;
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) state[0] = (uint64_t)sqlite3_column_int64(s, 0);
    else rc = sql_err(st, src, "reading the data version");
    stmt_done(s);
    state[1] = (uint64_t)sqlite3_total_changes64(st->db);
    return rc;
}

void dc_store_read_end(dc_store *st)
{
    if (!st || !st->reading || --st->reading) return;
    if (!sqlite3_get_autocommit(st->db)) run_quiet(st, S_COMMIT);
}

static dc_rc journal_fold(dc_store *st);

/* A transaction begins with the audit journal's rows folded into the
 * audit table, so that rows it adds come after those of earlier reads. */
dc_rc dc_store_begin(dc_store *st)
{
    if (!st) return DC_MISUSE;
    read_stop(st);
    if (!sqlite3_get_autocommit(st->db))
        return set_err(st, DC_MISUSE, "dc_store_begin: a transaction is already open");
    dc_rc rc = run(st, S_BEGIN, "starting a transaction");
    if (!rc && journal_fold(st) != DC_OK) {
        /* the journal keeps its rows for a later fold (dc_store_audit_list
         * says why): the write goes on */
        st->errmsg[0] = '\0';
        if (sqlite3_get_autocommit(st->db)) rc = run(st, S_BEGIN, "starting a transaction");
    }
    return rc;
}

/* On failure (e.g. busy) the transaction stays open: the caller decides
 * between retrying the commit and dc_store_rollback(). */
dc_rc dc_store_commit(dc_store *st)
{
    if (!st) return DC_MISUSE;
    if (sqlite3_get_autocommit(st->db))
        return set_err(st, DC_MISUSE, "dc_store_commit: no transaction is open");
    return run(st, S_COMMIT, "committing a transaction");
}

/* Rolling back when no transaction is open is a no-op, so error paths can
 * call it unconditionally (SQLite itself rolls back after some errors). */
dc_rc dc_store_rollback(dc_store *st)
{
    if (!st) return DC_MISUSE;
    if (sqlite3_get_autocommit(st->db)) return DC_OK;
    return run(st, S_ROLLBACK, "rolling back a transaction");
}

dc_rc dc_store_part_begin(dc_store *st)
{
    if (!st) return DC_MISUSE;
    if (sqlite3_get_autocommit(st->db))
        return set_err(st, DC_MISUSE, "dc_store_part_begin: no transaction is open");
    return run(st, S_PART, "starting a part of a transaction");
}

dc_rc dc_store_part_end(dc_store *st, int keep)
{
    if (!st) return DC_MISUSE;
    if (sqlite3_get_autocommit(st->db))
        return set_err(st, DC_MISUSE, "dc_store_part_end: no transaction is open");
    if (!keep) {
        dc_rc rc = run(st, S_PART_UNDO, "undoing a part of a transaction");
        if (rc) return rc;
    }
    return run(st, S_PART_RELEASE, "ending a part of a transaction");
}

/*
 * Opens the unit of work of one write.  Inside the caller's transaction it
 * is a savepoint, so a failed write undoes only itself.  Alone it is a
 * transaction of its own, BEGIN IMMEDIATE, so the write lock is taken up
 * front and a concurrent writer makes us wait busy_timeout instead of
 * failing on a read-to-write upgrade; *own tells unit_end which it was.
 */
static dc_rc unit_begin(dc_store *st, int *own)
{
    read_stop(st);
    *own = sqlite3_get_autocommit(st->db);
    return run(st, *own ? S_BEGIN : S_SAVEPOINT, "starting a write");
}

/* Ends the unit of unit_begin: commits (or releases) when rc is DC_OK and
 * undoes it otherwise.  Returns rc, or the commit's error. */
static dc_rc unit_end(dc_store *st, int own, dc_rc rc)
{
    if (rc == DC_OK) {
        rc = run(st, own ? S_COMMIT : S_RELEASE, "committing a write");
        if (rc == DC_OK) return DC_OK;
    }
    if (own) {
        if (!sqlite3_get_autocommit(st->db)) run_quiet(st, S_ROLLBACK);
    } else {
        /* Fails harmlessly if SQLite already rolled the whole transaction back. */
        if (run_quiet(st, S_ROLLBACK_TO) == SQLITE_OK) run_quiet(st, S_RELEASE);
    }
    return rc;
}

/* ---- documents -------------------------------------------------------------- */

/* The current version of id and its hash; *cur = 0 when id is not stored.
 * A document row without its current version is DC_CORRUPT. */
static dc_rc put_head(dc_store *st, const char *id, int *cur, char hash[HASH_HEX_SIZE])
{
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_HEAD, &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    *cur = 0;
    hash[0] = '\0';
    bind_text(s, 1, id, &src);
    if (src == SQLITE_OK) src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        int nomem = 0;
        const char *h = col_text(s, 1, &nomem);
        *cur = sqlite3_column_int(s, 0);
        if (nomem) rc = set_err(st, DC_NOMEM, "reading %s: out of memory", id);
        else if (!h || strlen(h) != HASH_HEX_SIZE - 1)
            rc = set_err(st, DC_CORRUPT, "document %s has no stored version %d", id, *cur);
        else memcpy(hash, h, HASH_HEX_SIZE);
    } else if (src != SQLITE_DONE) {
        rc = sql_err(st, src, "reading %s", id);
    }
    stmt_done(s);
    return rc;
}

/* Writes version `version` of doc (collection row, document row, version
 * row) inside the caller's unit of work. */
static dc_rc put_version(dc_store *st, const dc_doc *doc, const char *source, const char *json,
                         size_t len, const char *hash, int version)
{
    char now[TIME_SIZE];
    dc_rc rc = now_utc(st, now);
    if (rc) return rc;
    int src = SQLITE_OK;

    sqlite3_stmt *s = stmt_get(st, S_COLL_UPSERT, &rc);
    if (!s) return rc;
    bind_text(s, 1, doc->collection, &src);
    bind_text(s, 2, now, &src);
    rc = step_write(st, s, src, "recording the collection of", doc->id);
    if (rc) return rc;

    s = stmt_get(st, version == 1 ? S_DOC_INSERT : S_DOC_UPDATE, &rc);
    if (!s) return rc;
    src = SQLITE_OK;
    bind_text(s, 1, doc->id, &src);
    bind_text(s, 2, doc->collection, &src);
    if (version == 1) {
        bind_text(s, 3, now, &src);
    } else {
        bind_int(s, 3, version, &src);
        bind_text(s, 4, now, &src);
    }
    rc = step_write(st, s, src, "recording document", doc->id);
    if (rc) return rc;

    s = stmt_get(st, S_VER_INSERT, &rc);
    if (!s) return rc;
    src = SQLITE_OK;
    bind_text(s, 1, doc->id, &src);
    bind_int(s, 2, version, &src);
    bind_text(s, 3, hash, &src);
    bind_text(s, 4, source, &src);
    bind_text(s, 5, doc->format, &src);
    bind_text(s, 6, now, &src);
    bind_text(s, 7, doc->number, &src);
    bind_text(s, 8, doc->title, &src);
    bind_text(s, 9, doc->date, &src);
    bind_text(s, 10, doc->doc_type, &src);
    bind_text(s, 11, doc->classification, &src);
    bind_text(s, 12, doc->release_status, &src);
    bind_int(s, 14, dc_doc_portions_marked(doc), &src);
    if (src == SQLITE_OK)
        src = sqlite3_bind_text64(s, 13, json, (sqlite3_uint64)len, SQLITE_STATIC, SQLITE_UTF8);
    rc = step_write(st, s, src, "storing a version of", doc->id);
    /* the insert's own rowid: its triggers' inserts do not change it */
    if (!rc) st->put_docid = (uint64_t)sqlite3_last_insert_rowid(st->db);
    return rc;
}

/* Ends a use of the handle's JSON buffer: it is kept for the next document
 * unless it failed (its error is sticky) or grew past JSON_KEEP_BYTES. */
static void json_done(dc_store *st)
{
    if (st->json.rc || st->json.cap > JSON_KEEP_BYTES) {
        dc_buf_release(&st->json);
        dc_buf_init(&st->json, DC_JSON_LIMIT);
    }
}

/*
 * Whether the current version of id, written in the stored form, is json:
 * a version stored before the form left out nulls and empty lists has
 * another hash for the same document, and re-ingesting its file must not
 * make a new version of it.  Read only when the hashes differ; a version
 * that cannot be read counts as different (a new version replaces it),
 * and only DC_NOMEM is an error.
 */
static dc_rc same_as_current(dc_store *st, const char *id, const char *json, size_t len, int *same)
{
    *same = 0;
    dc_doc *old = NULL;
    dc_rc rc = dc_store_get(st, id, 0, &old);
    if (rc) return rc == DC_NOMEM ? rc : DC_OK;
    dc_buf b;
    dc_buf_init(&b, DC_JSON_LIMIT);
    dc_doc_json_write_stored(old, &b);
    rc = b.rc == DC_NOMEM ? DC_NOMEM : DC_OK; /* past the limit: different */
    *same = !b.rc && b.len == len && memcmp(b.p, json, len) == 0;
    dc_buf_release(&b);
    dc_doc_free(old);
    return rc;
}

/*
 * The document is serialised (into the handle's reused buffer) and hashed
 * before the write lock is taken.
 * Identical content (same hash as the current version) writes nothing;
 * otherwise version N+1 is added and becomes current.  Atomic on its own
 * and inside dc_store_begin/commit (see unit_begin).  *result and *version
 * are set only on success.
 */
dc_rc dc_store_put(dc_store *st, const dc_doc *doc, const char *source, dc_put_result *result,
                   int *version)
{
    if (!st) return DC_MISUSE;
    if (!doc) return set_err(st, DC_MISUSE, "dc_store_put: no document");
    if (!doc->id || !*doc->id) return set_err(st, DC_MISUSE, "dc_store_put: document has no id");
    if (!doc->collection || !*doc->collection)
        return set_err(st, DC_MISUSE, "dc_store_put: document %s has no collection", doc->id);

    dc_buf *jb = &st->json;
    dc_buf_reset(jb);
    dc_doc_json_write_stored(doc, jb);
    dc_rc rc = jb->rc;
    if (rc) {
        json_done(st);
        return set_err(st, rc, "serialising %s: %s", doc->id, dc_strerror(rc));
    }
    const char *json = jb->p;
    size_t len = jb->len;
    char hash[HASH_HEX_SIZE], cur_hash[HASH_HEX_SIZE];
    hash_hex(json, len, hash);

    int own = 0, cur = 0;
    dc_put_result res = DC_PUT_UNCHANGED;
    st->put_docid = 0;
    rc = unit_begin(st, &own);
    if (rc) {
        json_done(st);
        return rc;
    }
    rc = put_head(st, doc->id, &cur, cur_hash);
    int same = cur > 0 && strcmp(cur_hash, hash) == 0;
    if (!rc && cur > 0 && !same) {
        rc = same_as_current(st, doc->id, json, len, &same);
        if (rc) set_err(st, rc, "reading %s: out of memory", doc->id);
    }
    if (!rc && !same) {
        if (cur == INT_MAX) {
            rc = set_err(st, DC_LIMIT, "document %s has too many versions", doc->id);
        } else {
            rc = put_version(st, doc, source, json, len, hash, cur + 1);
            res = cur ? DC_PUT_UPDATED : DC_PUT_NEW;
            cur++;
        }
    }
    rc = unit_end(st, own, rc);
    json_done(st);
    if (rc) {
        st->put_docid = 0;
        return rc;
    }
    if (result) *result = res;
    if (version) *version = cur;
    return DC_OK;
}

/*
 * Loads a version of id.  The stored body is checked against its hash
 * before parsing, so a damaged or hand-edited row is DC_CORRUPT rather
 * than a silently different document.
 */
dc_rc dc_store_get(dc_store *st, const char *id, int version, dc_doc **out)
{
    return dc_store_get_hashed(st, id, version, out, NULL);
}

/* The version of id that the bound statement s (columns: version, hash,
 * body) finds, checked and parsed; src is the binding's result. */
static dc_rc get_row(dc_store *st, sqlite3_stmt *s, int src, const char *id, int version,
                     dc_doc **out, char hash_out[DC_STORE_HASH_SIZE]);

dc_rc dc_store_get_hashed(dc_store *st, const char *id, int version, dc_doc **out,
                          char hash_out[DC_STORE_HASH_SIZE])
{
    if (hash_out) hash_out[0] = '\0';
    if (out) *out = NULL;
    if (!st) return DC_MISUSE;
    if (!id || !out || version < 0) return set_err(st, DC_MISUSE, "dc_store_get: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, version ? S_GET_VERSION : S_GET_CURRENT, &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, id, &src);
    if (version) bind_int(s, 2, version, &src);
    return get_row(st, s, src, id, version, out, hash_out);
}

dc_rc dc_store_get_docid(dc_store *st, uint64_t docid, const char *id, dc_doc **out,
                         char hash_out[DC_STORE_HASH_SIZE])
{
    if (hash_out) hash_out[0] = '\0';
    if (out) *out = NULL;
    if (!st) return DC_MISUSE;
    if (!id || !out || !docid || docid > INT64_MAX)
        return set_err(st, DC_MISUSE, "dc_store_get_docid: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_GET_DOCID, &rc);
    if (!s) return rc;
    int src = sqlite3_bind_int64(s, 1, (sqlite3_int64)docid);
    bind_text(s, 2, id, &src);
    return get_row(st, s, src, id, -1, out, hash_out);
}

/* version -1: the version the row holds (dc_store_get_docid). */
static dc_rc get_row(dc_store *st, sqlite3_stmt *s, int src, const char *id, int version,
                     dc_doc **out, char hash_out[DC_STORE_HASH_SIZE])
{
    dc_rc rc = DC_OK;
    if (src == SQLITE_OK) src = sqlite3_step(s);
    vc_entry *hit = NULL;
    if (src == SQLITE_DONE) {
        rc = version > 0 ? set_err(st, DC_NOTFOUND, "document %s has no version %d", id, version)
                         : set_err(st, DC_NOTFOUND, "no document %s", id);
    } else if (src != SQLITE_ROW) {
        rc = sql_err(st, src, "reading %s", id);
    } else if ((hit = vc_find(st->vc, (const char *)sqlite3_column_text(s, 1))) != NULL) {
        /* The body is not read: its hash is the entry's key. */
        if (strcmp(hit->doc->id, id) != 0)
            rc = set_err(st, DC_CORRUPT, "stored body of %s is not a valid document", id);
        else if (dc_doc_copy(hit->doc, out) != DC_OK)
            rc = set_err(st, DC_NOMEM, "loading %s: out of memory", id);
    } else {
        int nomem = 0, ver = sqlite3_column_int(s, 0);
        const char *hash = col_text(s, 1, &nomem);
        const char *body = col_text(s, 2, &nomem);
        size_t blen = (size_t)sqlite3_column_bytes(s, 2);
        char actual[HASH_HEX_SIZE];
        if (nomem) {
            rc = set_err(st, DC_NOMEM, "reading %s: out of memory", id);
        } else if (!body) {
            rc = set_err(st, DC_CORRUPT, "document %s has no stored version %d", id, ver);
        } else {
            hash_hex(body, blen, actual);
            if (!hash || strcmp(hash, actual) != 0) {
                rc = set_err(st, DC_CORRUPT, "stored body of %s version %d does not match its hash",
                             id, ver);
            } else {
                dc_doc *doc = NULL;
                rc = dc_doc_from_json(body, blen, &doc);
                if (rc == DC_NOMEM) {
                    set_err(st, rc, "loading %s: out of memory", id);
                } else if (rc || !doc->id || strcmp(doc->id, id) != 0) {
                    rc = set_err(st, DC_CORRUPT,
                                 "stored body of %s version %d is not a valid document", id, ver);
                    dc_doc_free(doc);
                } else {
                    vc_put(st->vc, hash, blen, doc);
                    *out = doc;
                }
            }
        }
    }
    if (!rc && hash_out) {
        const char *h = (const char *)sqlite3_column_text(s, 1);
        if (h && strlen(h) < DC_STORE_HASH_SIZE) memcpy(hash_out, h, strlen(h) + 1);
    }
    stmt_done(s);
    return rc;
}

/*
 * Streams the current version of every document to cb.  The strings of
 * each summary point into SQLite's row and die at the next row, as the
 * header promises.  cb may read the store but must not call dc_store_list
 * (the cached statement is in use: DC_MISUSE) and should not write.
 */
dc_rc dc_store_list(dc_store *st, dc_summary_cb cb, void *ctx)
{
    return dc_store_list_in(st, NULL, cb, ctx);
}

dc_rc dc_store_list_in(dc_store *st, const char *collection, dc_summary_cb cb, void *ctx)
{
    if (!st) return DC_MISUSE;
    if (!cb) return set_err(st, DC_MISUSE, "dc_store_list: no callback");
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, collection ? S_LIST_IN : S_LIST, &rc);
    if (!s) return rc;
    if (sqlite3_stmt_busy(s))
        return set_err(st, DC_MISUSE, "dc_store_list called from its own callback");
    int src = SQLITE_OK;
    if (collection) {
        bind_text(s, 1, collection, &src);
        if (src != SQLITE_OK) {
            stmt_done(s);
            return sql_err(st, src, "listing documents");
        }
    }
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        int nomem = 0;
        dc_doc_summary sum = {
            .id = col_text(s, 0, &nomem),
            .collection = col_text(s, 1, &nomem),
            .number = col_text(s, 2, &nomem),
            .title = col_text(s, 3, &nomem),
            .date = col_text(s, 4, &nomem),
            .classification = col_text(s, 5, &nomem),
            .doc_type = col_text(s, 6, &nomem),
            .release_status = col_text(s, 7, &nomem),
            .version = sqlite3_column_int(s, 8),
            .n_versions = sqlite3_column_int(s, 9),
            .marked = sqlite3_column_int(s, 10),
        };
        if (nomem) {
            rc = set_err(st, DC_NOMEM, "listing documents: out of memory");
            break;
        }
        rc = cb(ctx, &sum);
        if (rc) {
            set_err(st, rc, "listing documents: stopped by the caller (%s)", dc_strerror(rc));
            break;
        }
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "listing documents");
    stmt_done(s);
    return rc;
}

dc_rc dc_store_count(dc_store *st, long *n)
{
    if (n) *n = 0;
    if (!st) return DC_MISUSE;
    if (!n) return set_err(st, DC_MISUSE, "dc_store_count: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_COUNT, &rc);
    if (!s) return rc;
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) *n = (long)sqlite3_column_int64(s, 0);
    else rc = sql_err(st, src, "counting documents");
    stmt_done(s);
    return rc;
}

static dc_rc fold_now(dc_store *st, int wait);

/* Binds and runs S_AUDIT for one row at `at`. */
static dc_rc audit_insert(dc_store *st, const char *at, const char *user, const char *action,
                          const char *target, const char *detail)
{
    if (!action || !*action) return set_err(st, DC_MISUSE, "dc_store_audit: no action");
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_AUDIT, &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, at, &src);
    bind_text(s, 2, user ? user : "public", &src);
    bind_text(s, 3, action, &src);
    bind_text(s, 4, target, &src);
    bind_text(s, 5, detail, &src);
    return step_write(st, s, src, "appending to the audit log:", action);
}

/* One INSERT: atomic alone, and part of (rolled back with) an open
 * transaction. */
dc_rc dc_store_audit(dc_store *st, const char *user, const char *action, const char *target,
                     const char *detail)
{
    if (!st) return DC_MISUSE;
    read_stop(st);
    char now[TIME_SIZE];
    dc_rc rc = now_utc(st, now);
    if (rc) return rc;
    if (!st->have_journal || !sqlite3_get_autocommit(st->db))
        return audit_insert(st, now, user, action, target, detail);
    if (!action || !*action) return set_err(st, DC_MISUSE, "dc_store_audit: no action");
    dc_audit_row r = {now, user, action, target, detail};
    long long size = 0;
    dc_error err = {0};
    rc = dc_journal_append(&st->jn, &r, &size, &err);
    if (rc == DC_LIMIT) { /* too long for a line: into the table, after the journal */
        if ((rc = dc_store_begin(st)) != DC_OK) return rc;
        rc = audit_insert(st, now, user, action, target, detail);
        if (!rc) rc = dc_store_commit(st);
        if (rc) run_quiet(st, S_ROLLBACK);
        return rc;
    }
    if (rc) return set_err(st, rc, "%s", err.msg);
    if (size > JOURNAL_FOLD_BYTES) fold_now(st, 0);
    return DC_OK;
}

/* ---- the audit journal (journal.c) ----------------------------------------- */

static dc_rc fold_row(void *ctx, const dc_audit_row *r)
{
    return audit_insert(ctx, r->at, r->user, r->action, r->target, r->detail);
}

static dc_rc fold_rows(dc_store *st, dc_journal_pos *pos);

/*
 * Moves the audit journal's rows not yet folded into the audit table,
 * inside the open write transaction, and records where folding stands in
 * the same transaction (journal.c).  Lines that are not rows are skipped,
 * and one row says how many.
 */
static dc_rc journal_fold(dc_store *st)
{
    if (!st->have_journal) return DC_OK;
    struct stat sb;
    if (stat(st->jn.path, &sb) != 0) return DC_OK; /* none yet */
    dc_journal_pos pos = {"", 0, ""};
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_JOURNAL_GET, &rc);
    if (!s) return rc;
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(s, 0);
        if (n && strlen(n) < sizeof pos.name) memcpy(pos.name, n, strlen(n) + 1);
        pos.off = sqlite3_column_int64(s, 1);
        const char *l = (const char *)sqlite3_column_text(s, 2);
        if (l && strlen(l) < sizeof pos.last) memcpy(pos.last, l, strlen(l) + 1);
    } else if (src != SQLITE_DONE) {
        rc = sql_err(st, src, "reading where the audit journal is folded");
    }
    stmt_done(s);
    if (rc) return rc;
    /* all or nothing within the caller's transaction, which goes on if
     * the fold fails */
    if ((rc = run(st, S_PART, "folding the audit journal")) != DC_OK) return rc;
    rc = fold_rows(st, &pos);
    if (rc) run_quiet(st, S_PART_UNDO);
    run_quiet(st, S_PART_RELEASE);
    return rc;
}

/* journal_fold's work after pos is read. */
static dc_rc fold_rows(dc_store *st, dc_journal_pos *pos)
{
    size_t damaged = 0;
    int again = 0, moved = 0;
    dc_error err = {0};
    dc_rc rc = dc_journal_fold(&st->jn, pos, JOURNAL_FOLD_BYTES, fold_row, st, &damaged, &again,
                               &moved, &err);
    if (rc) return err.msg[0] ? set_err(st, rc, "%s", err.msg) : rc;
    if (damaged || again) {
        char now[TIME_SIZE], detail[256];
        snprintf(detail, sizeof detail, "%s%zu damaged lines skipped (writes that failed)",
                 again ? "the journal did not end where its fold had (a crash cut it short):"
                         " folded again from its start, so rows just before this one may be"
                         " doubled; "
                       : "",
                 damaged);
        if ((rc = now_utc(st, now)) == DC_OK)
            rc = audit_insert(st, now, "declass", "audit-journal", st->jn.path, detail);
        if (rc) return rc;
    }
    if (!moved) return DC_OK;
    sqlite3_stmt *s = stmt_get(st, S_JOURNAL_SET, &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, pos->name, &src);
    if (src == SQLITE_OK) src = sqlite3_bind_int64(s, 2, pos->off);
    bind_text(s, 3, pos->last, &src);
    return step_write(st, s, src, "recording where the audit journal is folded", "");
}

/* Folds the journal in a transaction of its own.  wait 0: only if the
 * write lock is free now (a read's fold of a long journal; a writer
 * holding the lock folds it at its next transaction). */
static dc_rc fold_now(dc_store *st, int wait)
{
    char msg[sizeof st->errmsg];
    memcpy(msg, st->errmsg, sizeof msg);
    dc_rc rc = DC_OK;
    struct stat sb;
    /* a second round starts a long journal afresh once the first round's
     * fold has committed (only rows folded in a committed transaction are
     * ever dropped); its failure is not the fold's */
    for (int round = 0; round < 2; round++) {
        if (round && (rc || stat(st->jn.path, &sb) != 0 || sb.st_size <= JOURNAL_FOLD_BYTES)) break;
        if (!wait) sqlite3_busy_handler(st->db, NULL, NULL);
        dc_rc r = run(st, S_BEGIN, "starting a transaction");
        if (!wait) sqlite3_busy_handler(st->db, busy_wait, &st->busy_waited_us);
        if (!r && (r = journal_fold(st)) == DC_OK &&
            (r = run(st, S_COMMIT, "folding the audit journal")) == DC_OK && wait)
            st->wrote = 1; /* `declass audit`: the WAL emptied at close (dc_store_close) */
        if (r && !sqlite3_get_autocommit(st->db)) run_quiet(st, S_ROLLBACK);
        if (!round) rc = r;
    }
    if (!wait) memcpy(st->errmsg, msg, sizeof msg); /* a read's: its error is not the read's */
    return rc;
}

/* Appends one row of a batch after the row whose chain value is prev
 * (NULL: the log is empty) with id; prev receives the new row's. */
static dc_rc audit_put(dc_store *st, int64_t id, const dc_audit_row *r, char *prev, int *first)
{
    if (!r->at || !r->action || !*r->action)
        return set_err(st, DC_MISUSE, "dc_store_audit_rows: a row without a time or action");
    const char *user = r->user ? r->user : "public";
    const char *t[CHAIN_TEXTS] = {
        *first ? NULL : prev, r->at, user, r->action, r->target, r->detail};
    const unsigned char *texts[CHAIN_TEXTS];
    size_t lens[CHAIN_TEXTS];
    for (int i = 0; i < CHAIN_TEXTS; i++) {
        texts[i] = (const unsigned char *)t[i];
        lens[i] = t[i] ? strlen(t[i]) : 0;
    }
    char chain[CHAIN_HEX_SIZE];
    audit_chain(texts, lens, id, chain);
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_AUDIT_PUT, &rc);
    if (!s) return rc;
    int src = sqlite3_bind_int64(s, 1, id);
    bind_text(s, 2, r->at, &src);
    bind_text(s, 3, user, &src);
    bind_text(s, 4, r->action, &src);
    bind_text(s, 5, r->target, &src);
    bind_text(s, 6, r->detail, &src);
    bind_text(s, 7, chain, &src);
    rc = step_write(st, s, src, "appending to the audit log:", r->action);
    if (!rc) memcpy(prev, chain, CHAIN_HEX_SIZE), *first = 0;
    return rc;
}

/* All rows or none: a transaction of their own, or a savepoint of the
 * caller's (as unit_begin), undone on any failure (the caller keeps
 * the rows and may try again).  The log's end is read once; each row's
 * chain value is computed here, the same function dc_audit_chain gives
 * SQL (dc_store_verify checks them). */
dc_rc dc_store_audit_rows(dc_store *st, const dc_audit_row *rows, size_t n)
{
    if (!st) return DC_MISUSE;
    if (!rows && n) return set_err(st, DC_MISUSE, "dc_store_audit_rows: no rows");
    read_stop(st);
    int own = sqlite3_get_autocommit(st->db);
    dc_rc rc = own ? dc_store_begin(st) : run(st, S_SAVEPOINT, "starting a write");
    int64_t id = 0;
    char prev[CHAIN_HEX_SIZE] = "";
    int first = 1;
    if (!rc) {
        sqlite3_stmt *s = stmt_get(st, S_AUDIT_HEAD, &rc);
        int src = s ? sqlite3_step(s) : SQLITE_OK;
        if (s && src == SQLITE_ROW) {
            id = sqlite3_column_int64(s, 0);
            const char *c = (const char *)sqlite3_column_text(s, 1);
            if (c && strlen(c) + 1 == CHAIN_HEX_SIZE) memcpy(prev, c, CHAIN_HEX_SIZE), first = 0;
            else if (c) rc = set_err(st, DC_CORRUPT, "audit log: the last row's chain is damaged");
        } else if (s) {
            rc = sql_err(st, src, "reading the end of the audit log");
        }
        stmt_done(s);
    }
    for (size_t i = 0; i < n && !rc; i++)
        rc = audit_put(st, id + (int64_t)i, &rows[i], prev, &first);
    return unit_end(st, own, rc);
}

int dc_store_in_transaction(const dc_store *st)
{
    return st && st->db && !st->reading && !sqlite3_get_autocommit(st->db);
}

/* Parses "12,15,40" (SQLite's group_concat of row ids) into ids (at most
 * cap of them); returns how many. */
static size_t parse_ids(const char *s, uint64_t *ids, size_t cap)
{
    size_t n = 0;
    while (s && *s && n < cap) {
        char *end = NULL;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s) break;
        ids[n++] = (uint64_t)v;
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

/*
 * Streams, in docid order, the current versions added after docid `after`
 * with the ids of the older versions of the same document that are at or
 * below `after` (those an index built up to `after` holds and must drop).
 * The body is verified against its hash like dc_store_get.
 */
uint64_t dc_store_put_docid(const dc_store *st) { return st ? st->put_docid : 0; }

/* The document of version docid, read from its body after its hash is
 * checked (*out owned by the caller). */
static dc_rc changed_doc(dc_store *st, uint64_t docid, dc_doc **out)
{
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_CHANGED_BODY, &rc);
    if (!s) return rc;
    int src = sqlite3_bind_int64(s, 1, (sqlite3_int64)docid);
    if (src == SQLITE_OK) src = sqlite3_step(s);
    if (src != SQLITE_ROW) {
        rc = src == SQLITE_DONE
                 ? set_err(st, DC_CORRUPT, "stored version %llu is gone", (unsigned long long)docid)
                 : sql_err(st, src, "reading changes");
        stmt_done(s);
        return rc;
    }
    int nomem = 0;
    const char *hash = col_text(s, 0, &nomem);
    const char *body = col_text(s, 1, &nomem);
    size_t blen = (size_t)sqlite3_column_bytes(s, 1);
    char actual[HASH_HEX_SIZE];
    if (nomem) rc = set_err(st, DC_NOMEM, "reading changes: out of memory");
    else if (!body || !hash || (hash_hex(body, blen, actual), strcmp(hash, actual) != 0))
        rc = set_err(st, DC_CORRUPT, "stored version %llu does not match its hash",
                     (unsigned long long)docid);
    else if ((rc = dc_doc_from_json(body, blen, out)) != DC_OK)
        set_err(st, rc, "stored version %llu is not a valid document", (unsigned long long)docid);
    stmt_done(s);
    return rc;
}

dc_rc dc_store_changes_since(dc_store *st, uint64_t after, dc_known_cb known, dc_change_cb cb,
                             void *ctx)
{
    if (!st) return DC_MISUSE;
    if (!cb) return set_err(st, DC_MISUSE, "dc_store_changes_since: no callback");
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_CHANGES, &rc);
    if (!s) return rc;
    if (sqlite3_stmt_busy(s))
        return set_err(st, DC_MISUSE, "dc_store_changes_since called from its own callback");
    int src = sqlite3_bind_int64(s, 1, (sqlite3_int64)after);
    while (!rc && (src == SQLITE_OK || src == SQLITE_ROW)) {
        src = sqlite3_step(s);
        if (src != SQLITE_ROW) break;
        uint64_t docid = (uint64_t)sqlite3_column_int64(s, 0);
        /* the caller's own document needs no reading back */
        const dc_doc *doc = known ? known(ctx, docid) : NULL;
        dc_doc *read = NULL;
        if (!doc && (rc = changed_doc(st, docid, &read)) != DC_OK) break;
        int nomem = 0;
        const char *older = col_text(s, 1, &nomem);
        uint64_t ids[64];
        if (nomem) rc = set_err(st, DC_NOMEM, "reading changes: out of memory");
        else if ((rc = cb(ctx, docid, doc ? doc : read, ids,
                          parse_ids(older, ids, sizeof ids / sizeof ids[0]))) != DC_OK)
            set_err(st, rc, "reading changes: stopped by the caller (%s)", dc_strerror(rc));
        dc_doc_free(read);
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading changes");
    stmt_done(s);
    return rc;
}

dc_rc dc_store_max_docid(dc_store *st, uint64_t *out)
{
    if (out) *out = 0;
    if (!st || !out) return DC_MISUSE;
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_MAX_DOCID, &rc);
    if (!s) return rc;
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) *out = (uint64_t)sqlite3_column_int64(s, 0);
    else rc = sql_err(st, src, "reading the latest version id");
    stmt_done(s);
    return rc;
}

/*
 * Documents and versions change only by adding a version (the schema's
 * triggers refuse updates and deletes of versions; a document's row moves
 * with each new one), so the groups of current versions are those of the
 * last call as long as the highest version id is the same: the listing of
 * every current version (tens of milliseconds at 10,000 documents) runs
 * once per change, not once per page shown.  The id is read first, so a
 * version added meanwhile only makes the next call read again.
 */
dc_rc dc_store_collection_groups(dc_store *st, dc_group_cb cb, void *ctx)
{
    if (!st) return DC_MISUSE;
    if (!cb) return set_err(st, DC_MISUSE, "dc_store_collection_groups: no callback");
    uint64_t docid = 0;
    dc_rc rc = dc_store_max_docid(st, &docid);
    if (rc) return rc;
    groups *g = &st->groups;
    if (!g->valid || g->docid != docid) {
        groups_clear(g);
        sqlite3_stmt *s = stmt_get(st, S_GROUPS, &rc);
        if (!s) return rc;
        int src = SQLITE_DONE;
        while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW) {
            int nomem = 0;
            const char *c = col_text(s, 0, &nomem), *r = col_text(s, 1, &nomem);
            const char *k = col_text(s, 2, &nomem);
            if (nomem || DC_GROW(g->v, g->n + 1, g->cap)) {
                rc = set_err(st, DC_NOMEM, "counting documents: out of memory");
                break;
            }
            dc_collection_group *e = &g->v[g->n++];
            *e = (dc_collection_group){dc_strdup(c), dc_strdup(r), dc_strdup(k),
                                       sqlite3_column_int64(s, 3)};
            if ((c && !e->collection) || (r && !e->release_status) || (k && !e->classification))
                rc = set_err(st, DC_NOMEM, "counting documents: out of memory");
        }
        if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "counting documents");
        stmt_done(s);
        if (rc) {
            groups_clear(g);
            return rc;
        }
        g->valid = 1;
        g->docid = docid;
    }
    for (size_t i = 0; i < g->n && !rc; i++) rc = cb(ctx, &g->v[i]);
    return rc;
}

/* ---- verification ------------------------------------------------------ */

/* The triggers: each of dc_store_triggers present with its exact SQL, and
 * no other. */
static dc_rc verify_triggers(dc_store *st)
{
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(st->db,
                                 "SELECT name, tbl_name, sql FROM sqlite_master"
                                 " WHERE type = 'trigger' ORDER BY name",
                                 -1, &s, NULL);
    if (src != SQLITE_OK) return sql_err(st, src, "reading the schema's triggers");
    size_t n_known = 0;
    while (dc_store_triggers[n_known].name) n_known++;
    unsigned char seen[32] = {0};
    dc_rc rc = DC_OK;
    while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        const char *table = (const char *)sqlite3_column_text(s, 1);
        const char *sql = (const char *)sqlite3_column_text(s, 2);
        size_t k = 0;
        while (k < n_known && strcmp(dc_store_triggers[k].name, name ? name : "") != 0) k++;
        if (k == n_known)
            rc = set_err(st, DC_CORRUPT, "schema: unexpected trigger %s on table %s",
                         name ? name : "?", table ? table : "?");
        else if (!sql || strcmp(sql, dc_store_triggers[k].sql) != 0)
            rc = set_err(st, DC_CORRUPT, "schema: trigger %s has been altered", name);
        else if (k < sizeof seen) seen[k] = 1;
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading the schema's triggers");
    sqlite3_finalize(s);
    for (size_t k = 0; !rc && k < n_known && k < sizeof seen; k++)
        if (!seen[k])
            rc = set_err(st, DC_CORRUPT,
                         "schema: trigger %s is missing (rows it guards can be changed)",
                         dc_store_triggers[k].name);
    return rc;
}

/* The audit log's hash chain, row by row in id order. */
static dc_rc verify_chain(dc_store *st)
{
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(st->db,
                                 "SELECT id, at, user, action, target, detail, chain FROM audit"
                                 " ORDER BY id",
                                 -1, &s, NULL);
    if (src != SQLITE_OK) return sql_err(st, src, "reading the audit log");
    char prev[CHAIN_HEX_SIZE] = "", want[CHAIN_HEX_SIZE];
    int first = 1;
    dc_rc rc = DC_OK;
    while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *texts[CHAIN_TEXTS];
        size_t lens[CHAIN_TEXTS];
        int nomem = 0;
        long long id = sqlite3_column_int64(s, 0);
        texts[0] = first ? NULL : (const unsigned char *)prev;
        lens[0] = first ? 0 : CHAIN_HEX_SIZE - 1;
        for (int i = 1; i < CHAIN_TEXTS; i++) {
            texts[i] = (const unsigned char *)col_text(s, i, &nomem);
            lens[i] = texts[i] ? (size_t)sqlite3_column_bytes(s, i) : 0;
        }
        const char *have = (const char *)sqlite3_column_text(s, 6);
        if (nomem) {
            rc = set_err(st, DC_NOMEM, "reading the audit log: out of memory");
            break;
        }
        audit_chain(texts, lens, id, want);
        if (!have || strcmp(have, want) != 0) {
            rc = set_err(st, DC_CORRUPT,
                         "audit log: the hash chain breaks at row %lld (the row was changed, or "
                         "a row was inserted or removed before it)",
                         id);
            break;
        }
        memcpy(prev, want, sizeof prev);
        first = 0;
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading the audit log");
    sqlite3_finalize(s);
    return rc;
}

/* Both in one read transaction, so a concurrent append cannot show up as
 * a break. */
static void image_hash(const void *data, size_t len, char hash[DC_IMAGE_HASH_SIZE]);

/* Every stored page image still hashes to its name, and every page of
 * every version names a stored image. */
static dc_rc verify_images(dc_store *st)
{
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(st->db, "SELECT hash, data FROM images", -1, &s, NULL);
    dc_rc rc = src == SQLITE_OK ? DC_OK : sql_err(st, src, "reading the page images");
    while (!rc && (src = sqlite3_step(s)) == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(s, 0);
        const void *d = sqlite3_column_blob(s, 1);
        size_t n = (size_t)sqlite3_column_bytes(s, 1);
        char got[DC_IMAGE_HASH_SIZE] = "";
        if (d && n) image_hash(d, n, got);
        if (!hash || strcmp(got, hash) != 0)
            rc = set_err(st, DC_CORRUPT, "page image %.16s: its bytes do not hash to its name",
                         hash ? hash : "?");
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading the page images");
    sqlite3_finalize(s);
    if (rc) return rc;
    src = sqlite3_prepare_v2(st->db,
                             "SELECT v.doc_id, v.version, json_extract(p.value, '$.image')"
                             " FROM versions v, json_each(v.body, '$.scan') p"
                             " WHERE instr(v.body, '\"scan\":') > 0"
                             " AND json_extract(p.value, '$.image') IS NOT NULL"
                             " AND NOT EXISTS (SELECT 1 FROM images i"
                             "  WHERE i.hash = json_extract(p.value, '$.image')) LIMIT 1",
                             -1, &s, NULL);
    rc = src == SQLITE_OK ? DC_OK : sql_err(st, src, "reading the scanned pages");
    if (!rc && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = set_err(st, DC_CORRUPT, "%s version %d: a page names image %.16s, which is missing",
                     (const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 1),
                     (const char *)sqlite3_column_text(s, 2));
    else if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading the scanned pages");
    sqlite3_finalize(s);
    return rc;
}

dc_rc dc_store_verify(dc_store *st)
{
    if (!st) return DC_MISUSE;
    read_stop(st);
    if (!sqlite3_get_autocommit(st->db))
        return set_err(st, DC_MISUSE, "dc_store_verify: a transaction is open");
    int src = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
    if (src != SQLITE_OK) return sql_err(st, src, "starting to verify the store");
    dc_rc rc = verify_triggers(st);
    if (!rc) rc = verify_chain(st);
    if (!rc) rc = verify_images(st);
    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

/* ---- users, audit log, versions --------------------------------------------
 * Rare operations: their statements are prepared per call rather than
 * cached with the document statements above. */

/* Prepares sql; on failure the message is set and NULL returned. */
static sqlite3_stmt *prep_once(dc_store *st, const char *sql, dc_rc *rc)
{
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (src != SQLITE_OK) {
        *rc = sql_err(st, src, "preparing a store statement");
        sqlite3_finalize(s);
        return NULL;
    }
    *rc = DC_OK;
    return s;
}

/* Steps a prepared write once; *changed (may be NULL) gets the number of
 * rows changed. */
static dc_rc write_once(dc_store *st, sqlite3_stmt *s, int bind_src, const char *what, int *changed)
{
    int src = bind_src;
    if (src == SQLITE_OK) {
        src = sqlite3_step(s);
        if (src == SQLITE_DONE) src = SQLITE_OK;
    }
    dc_rc rc = src == SQLITE_OK ? DC_OK : sql_err(st, src, "%s", what);
    if (!rc && changed) *changed = sqlite3_changes(st->db);
    sqlite3_finalize(s);
    return rc;
}

dc_rc dc_store_user_add(dc_store *st, const char *name, const char *hash, int level,
                        const char *compartments, const char *roles, const char *agency)
{
    if (!st) return DC_MISUSE;
    read_stop(st);
    if (!name || !*name || !hash || !*hash || level < DC_UNCLASSIFIED || level > DC_TOP_SECRET)
        return set_err(st, DC_MISUSE, "dc_store_user_add: invalid argument");
    char now[TIME_SIZE];
    dc_rc rc = now_utc(st, now);
    if (rc) return rc;
    sqlite3_stmt *s = prep_once(st,
                                "INSERT INTO users(name, hash, level, compartments, roles,"
                                " created_at, agency) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                                " ON CONFLICT(name) DO NOTHING",
                                &rc);
    if (!s) return rc;
    int src = SQLITE_OK, changed = 0;
    bind_text(s, 1, name, &src);
    bind_text(s, 2, hash, &src);
    bind_int(s, 3, level, &src);
    bind_text(s, 4, compartments ? compartments : "", &src);
    bind_text(s, 5, roles ? roles : "reader", &src);
    bind_text(s, 6, now, &src);
    bind_text(s, 7, agency ? agency : "", &src);
    rc = write_once(st, s, src, "adding a user", &changed);
    if (!rc && !changed) rc = set_err(st, DC_MISUSE, "user '%s' already exists", name);
    return rc;
}

/* Streams the rows of a users query to cb. */
static dc_rc user_rows(dc_store *st, sqlite3_stmt *s, dc_user_cb cb, void *ctx, long *n)
{
    dc_rc rc = DC_OK;
    int src;
    *n = 0;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        int nomem = 0;
        dc_user_info u = {.name = col_text(s, 0, &nomem),
                          .hash = col_text(s, 1, &nomem),
                          .level = sqlite3_column_int(s, 2),
                          .compartments = col_text(s, 3, &nomem),
                          .roles = col_text(s, 4, &nomem),
                          .created_at = col_text(s, 5, &nomem),
                          .disabled = sqlite3_column_int(s, 6),
                          .generation = sqlite3_column_int64(s, 7),
                          .agency = col_text(s, 8, &nomem)};
        if (nomem) {
            rc = set_err(st, DC_NOMEM, "reading users: out of memory");
            break;
        }
        (*n)++;
        if ((rc = cb(ctx, &u)) != DC_OK) {
            set_err(st, rc, "reading users: stopped by the caller (%s)", dc_strerror(rc));
            break;
        }
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading users");
    sqlite3_finalize(s);
    return rc;
}

#define USER_COLUMNS                                                                          \
    "SELECT name, hash, level, compartments, roles, created_at, disabled, generation, agency" \
    " FROM users"

dc_rc dc_store_user_get(dc_store *st, const char *name, dc_user_cb cb, void *ctx)
{
    if (!st) return DC_MISUSE;
    if (!name || !cb) return set_err(st, DC_MISUSE, "dc_store_user_get: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = prep_once(st, USER_COLUMNS " WHERE name = ?1", &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, name, &src);
    if (src != SQLITE_OK) {
        sqlite3_finalize(s);
        return sql_err(st, src, "reading user %s", name);
    }
    long n = 0;
    rc = user_rows(st, s, cb, ctx, &n);
    if (!rc && n == 0) rc = set_err(st, DC_NOTFOUND, "no user '%s'", name);
    return rc;
}

dc_rc dc_store_user_list(dc_store *st, dc_user_cb cb, void *ctx)
{
    if (!st) return DC_MISUSE;
    if (!cb) return set_err(st, DC_MISUSE, "dc_store_user_list: no callback");
    dc_rc rc;
    sqlite3_stmt *s = prep_once(st, USER_COLUMNS " ORDER BY name", &rc);
    long n = 0;
    return s ? user_rows(st, s, cb, ctx, &n) : rc;
}

/* Runs an UPDATE of one enabled user binding ?1 = name, ?2 = value. */
static dc_rc user_update(dc_store *st, const char *sql, const char *name, const char *value)
{
    if (!st) return DC_MISUSE;
    read_stop(st);
    if (!name) return set_err(st, DC_MISUSE, "no user name");
    dc_rc rc;
    sqlite3_stmt *s = prep_once(st, sql, &rc);
    if (!s) return rc;
    int src = SQLITE_OK, changed = 0;
    bind_text(s, 1, name, &src);
    if (value) bind_text(s, 2, value, &src);
    rc = write_once(st, s, src, "updating a user", &changed);
    if (!rc && !changed) rc = set_err(st, DC_NOTFOUND, "no user '%s'", name);
    return rc;
}

dc_rc dc_store_user_set_hash(dc_store *st, const char *name, const char *hash)
{
    if (st && (!hash || !*hash)) return set_err(st, DC_MISUSE, "no password hash");
    return user_update(st, "UPDATE users SET hash = ?2 WHERE name = ?1 AND disabled = 0", name,
                       hash);
}

dc_rc dc_store_user_disable(dc_store *st, const char *name)
{
    return user_update(st, "UPDATE users SET disabled = 1 WHERE name = ?1 AND disabled = 0", name,
                       NULL);
}

dc_rc dc_store_admin_count(dc_store *st, long *n)
{
    if (n) *n = 0;
    if (!st || !n) return DC_MISUSE;
    dc_rc rc;
    sqlite3_stmt *s = prep_once(st,
                                "SELECT count(*) FROM users WHERE disabled = 0 AND"
                                " (',' || roles || ',') LIKE '%,admin,%'",
                                &rc);
    if (!s) return rc;
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) *n = (long)sqlite3_column_int64(s, 0);
    else rc = sql_err(st, src, "counting administrators");
    sqlite3_finalize(s);
    return rc;
}

dc_rc dc_store_audit_list(dc_store *st, dc_audit_cb cb, void *ctx)
{
    if (!st) return DC_MISUSE;
    if (!cb) return set_err(st, DC_MISUSE, "dc_store_audit_list: no callback");
    dc_rc rc;
    struct stat sb;
    read_stop(st);
    if (st->have_journal && sqlite3_get_autocommit(st->db) && stat(st->jn.path, &sb) == 0 &&
        (rc = fold_now(st, 1)) != DC_OK)
        return rc;
    sqlite3_stmt *s =
        prep_once(st, "SELECT id, at, user, action, target, detail FROM audit ORDER BY id", &rc);
    if (!s) return rc;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        int nomem = 0;
        dc_audit_entry e = {.seq = sqlite3_column_int64(s, 0),
                            .at = col_text(s, 1, &nomem),
                            .user = col_text(s, 2, &nomem),
                            .action = col_text(s, 3, &nomem),
                            .target = col_text(s, 4, &nomem),
                            .detail = col_text(s, 5, &nomem)};
        if (nomem) {
            rc = set_err(st, DC_NOMEM, "reading the audit log: out of memory");
            break;
        }
        if ((rc = cb(ctx, &e)) != DC_OK) {
            set_err(st, rc, "reading the audit log: stopped by the caller (%s)", dc_strerror(rc));
            break;
        }
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading the audit log");
    sqlite3_finalize(s);
    return rc;
}

dc_rc dc_store_versions(dc_store *st, const char *id, dc_version_cb cb, void *ctx)
{
    if (!st) return DC_MISUSE;
    if (!id || !cb) return set_err(st, DC_MISUSE, "dc_store_versions: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = prep_once(st,
                                "SELECT version, ingested_at, source, classification,"
                                " release_status, hash FROM versions WHERE doc_id = ?1"
                                " ORDER BY version",
                                &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    long n = 0;
    bind_text(s, 1, id, &src);
    while (src == SQLITE_OK || src == SQLITE_ROW) {
        src = sqlite3_step(s);
        if (src != SQLITE_ROW) break;
        int nomem = 0;
        dc_version_info v = {.version = sqlite3_column_int(s, 0),
                             .ingested_at = col_text(s, 1, &nomem),
                             .source = col_text(s, 2, &nomem),
                             .classification = col_text(s, 3, &nomem),
                             .release_status = col_text(s, 4, &nomem),
                             .hash = col_text(s, 5, &nomem)};
        if (nomem) {
            rc = set_err(st, DC_NOMEM, "reading versions: out of memory");
            break;
        }
        n++;
        if ((rc = cb(ctx, &v)) != DC_OK) {
            set_err(st, rc, "reading versions: stopped by the caller (%s)", dc_strerror(rc));
            break;
        }
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading versions of %s", id);
    sqlite3_finalize(s);
    if (!rc && n == 0) rc = set_err(st, DC_NOTFOUND, "no document %s", id);
    return rc;
}

dc_rc dc_store_find_number(dc_store *st, const char *collection, const char *number, char **id)
{
    if (id) *id = NULL;
    if (!st) return DC_MISUSE;
    if (!collection || !number || !id)
        return set_err(st, DC_MISUSE, "dc_store_find_number: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_FIND_NUMBER, &rc); /* every reference shown resolves */
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, collection, &src);
    bind_text(s, 2, number, &src);
    if (src == SQLITE_OK) src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        rc = t && (*id = dc_strdup(t)) ? DC_OK : set_err(st, DC_NOMEM, "out of memory");
    } else if (src == SQLITE_DONE) {
        rc = set_err(st, DC_NOTFOUND, "no document numbered %s in %s", number, collection);
    } else {
        rc = sql_err(st, src, "finding document %s of %s", number, collection);
    }
    stmt_done(s);
    return rc;
}

/* ---- a volume's lists: persons and terms ------------------------------ */

/* The table and its name/description columns of a list kind, or NULL. */
static const char *list_table(dc_list_kind kind)
{
    return kind == DC_LIST_PERSONS ? "persons" : kind == DC_LIST_TERMS ? "terms" : NULL;
}

dc_rc dc_store_list_put(dc_store *st, dc_list_kind kind, const dc_list_row *row)
{
    if (!st) return DC_MISUSE;
    read_stop(st);
    if (!list_table(kind) || !row || !row->collection || !row->xml_id || !row->name ||
        !row->collection[0] || !row->xml_id[0] || !row->name[0])
        return set_err(st, DC_MISUSE, "dc_store_list_put: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = prep_once(st,
                                kind == DC_LIST_PERSONS
                                    ? "INSERT OR REPLACE INTO persons(collection, xml_id, name,"
                                      " description) VALUES (?1, ?2, ?3, ?4)"
                                    : "INSERT OR REPLACE INTO terms(collection, xml_id, term,"
                                      " gloss) VALUES (?1, ?2, ?3, ?4)",
                                &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, row->collection, &src);
    bind_text(s, 2, row->xml_id, &src);
    bind_text(s, 3, row->name, &src);
    bind_text(s, 4, row->description ? row->description : "", &src);
    return write_once(st, s, src, "storing a list entry", NULL);
}

dc_rc dc_store_list_rows(dc_store *st, dc_list_kind kind, const char *collection, dc_list_row_cb cb,
                         void *ctx)
{
    if (!st) return DC_MISUSE;
    if (!list_table(kind) || !cb)
        return set_err(st, DC_MISUSE, "dc_store_list_rows: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, kind == DC_LIST_PERSONS ? S_LIST_PERSONS : S_LIST_TERMS, &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    if (collection) bind_text(s, 1, collection, &src);
    while (src == SQLITE_OK || src == SQLITE_ROW) {
        src = sqlite3_step(s);
        if (src != SQLITE_ROW) break;
        int nomem = 0;
        dc_list_row r = {.collection = col_text(s, 0, &nomem),
                         .xml_id = col_text(s, 1, &nomem),
                         .name = col_text(s, 2, &nomem),
                         .description = col_text(s, 3, &nomem)};
        if (nomem) {
            rc = set_err(st, DC_NOMEM, "reading a list: out of memory");
            break;
        }
        if ((rc = cb(ctx, &r)) != DC_OK) {
            set_err(st, rc, "reading a list: stopped by the caller (%s)", dc_strerror(rc));
            break;
        }
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading the %s list", list_table(kind));
    stmt_done(s);
    return rc;
}

/*
 * The release status and marking of a version (0: current) of id, read
 * from its columns without loading the body: what deciding whether a
 * reader may open it takes, so a refusal costs what a miss costs.
 */
/* The columns release_status, classification, hash of s's row. */
static dc_rc status_row(dc_store *st, sqlite3_stmt *s, const char *id, char **release_status,
                        char **classification, char hash[DC_STORE_HASH_SIZE])
{
    int nomem = 0;
    const char *a = col_text(s, 0, &nomem), *b = col_text(s, 1, &nomem);
    const char *h = col_text(s, 2, &nomem);
    if (!nomem && hash && h && strlen(h) < DC_STORE_HASH_SIZE) memcpy(hash, h, strlen(h) + 1);
    if (!nomem && a && !(*release_status = dc_strdup(a))) nomem = 1;
    if (!nomem && b && !(*classification = dc_strdup(b))) nomem = 1;
    if (!nomem) return DC_OK;
    free(*release_status);
    *release_status = NULL;
    return set_err(st, DC_NOMEM, "reading %s: out of memory", id);
}

dc_rc dc_store_status(dc_store *st, const char *id, int version, char **release_status,
                      char **classification, char hash[DC_STORE_HASH_SIZE])
{
    *release_status = *classification = NULL;
    if (hash) hash[0] = '\0';
    if (!st || !id || version < 0) return DC_MISUSE;
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, version ? S_STATUS_VERSION : S_STATUS_CURRENT, &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, id, &src);
    if (src == SQLITE_OK && version) bind_int(s, 2, version, &src);
    if (version) bind_int(s, 2, version, &src);
    if (src == SQLITE_OK) src = sqlite3_step(s);
    if (src == SQLITE_DONE) rc = set_err(st, DC_NOTFOUND, "no document %s", id);
    else if (src != SQLITE_ROW) rc = sql_err(st, src, "reading %s", id);
    else rc = status_row(st, s, id, release_status, classification, hash);
    stmt_done(s);
    return rc;
}

dc_rc dc_store_status_docid(dc_store *st, uint64_t docid, const char *id, int current,
                            char **release_status, char **classification,
                            char hash[DC_STORE_HASH_SIZE])
{
    *release_status = *classification = NULL;
    if (hash) hash[0] = '\0';
    if (!st || !id || !docid || docid > INT64_MAX) return DC_MISUSE;
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, current ? S_STATUS_DOCID_ROW : S_STATUS_DOCID, &rc);
    if (!s) return rc;
    int src = sqlite3_bind_int64(s, 1, (sqlite3_int64)docid);
    bind_text(s, 2, id, &src);
    if (src == SQLITE_OK) src = sqlite3_step(s);
    if (src == SQLITE_DONE) rc = set_err(st, DC_NOTFOUND, "no document %s", id);
    else if (src != SQLITE_ROW) rc = sql_err(st, src, "reading %s", id);
    else rc = status_row(st, s, id, release_status, classification, hash);
    stmt_done(s);
    return rc;
}

/* ---- review requests (docs/review.md) -------------------------------- */

dc_rc dc_store_review_put(dc_store *st, const dc_review_row *r)
{
    if (!st) return DC_MISUSE;
    read_stop(st);
    if (!r || !r->doc_id || !r->state || !r->kind || !r->received || !r->due || !r->record)
        return set_err(st, DC_MISUSE, "dc_store_review_put: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = prep_once(st,
                                "INSERT INTO reviews(doc_id, state, kind, received, due, record)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(doc_id) DO UPDATE"
                                " SET state = ?2, kind = ?3, received = ?4, due = ?5, record = ?6",
                                &rc);
    if (!s) return rc;
    int src = SQLITE_OK, changed = 0;
    bind_text(s, 1, r->doc_id, &src);
    bind_text(s, 2, r->state, &src);
    bind_text(s, 3, r->kind, &src);
    bind_text(s, 4, r->received, &src);
    bind_text(s, 5, r->due, &src);
    bind_text(s, 6, r->record, &src);
    return write_once(st, s, src, "storing a review", &changed);
}

dc_rc dc_store_reviews(dc_store *st, const char *doc_id, dc_review_cb cb, void *ctx)
{
    if (!st) return DC_MISUSE;
    if (!cb) return set_err(st, DC_MISUSE, "dc_store_reviews: invalid argument");
    dc_rc rc;
    sqlite3_stmt *s = prep_once(st,
                                "SELECT doc_id, state, kind, received, due, record FROM reviews"
                                " WHERE ?1 IS NULL OR doc_id = ?1 ORDER BY due, doc_id",
                                &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    if (doc_id) bind_text(s, 1, doc_id, &src);
    long n = 0;
    while (src == SQLITE_OK || src == SQLITE_ROW) {
        src = sqlite3_step(s);
        if (src != SQLITE_ROW) break;
        int nomem = 0;
        dc_review_row r = {.doc_id = col_text(s, 0, &nomem),
                           .state = col_text(s, 1, &nomem),
                           .kind = col_text(s, 2, &nomem),
                           .received = col_text(s, 3, &nomem),
                           .due = col_text(s, 4, &nomem),
                           .record = col_text(s, 5, &nomem)};
        if (nomem) {
            rc = set_err(st, DC_NOMEM, "reading reviews: out of memory");
            break;
        }
        n++;
        if ((rc = cb(ctx, &r)) != DC_OK) {
            set_err(st, rc, "reading reviews: stopped by the caller (%s)", dc_strerror(rc));
            break;
        }
    }
    if (!rc && src != SQLITE_DONE) rc = sql_err(st, src, "reading reviews");
    sqlite3_finalize(s);
    if (!rc && doc_id && n == 0) rc = set_err(st, DC_NOTFOUND, "no review of '%s'", doc_id);
    return rc;
}

/* ---- volumes ------------------------------------------------------------ */

dc_rc dc_store_volume_put(dc_store *st, const dc_volume *v)
{
    if (!st) return DC_MISUSE;
    read_stop(st);
    if (!v || !v->id || !*v->id) return set_err(st, DC_MISUSE, "dc_store_volume_put: no volume");
    char *json = NULL;
    dc_rc rc = dc_volume_to_json(v, 0, &json);
    if (rc) return set_err(st, rc, "storing volume %s: %s", v->id, dc_strerror(rc));
    char now[TIME_SIZE];
    if ((rc = now_utc(st, now)) != DC_OK) {
        free(json);
        return rc;
    }
    sqlite3_stmt *s = prep_once(st,
                                "INSERT OR REPLACE INTO volumes(collection, body, updated_at)"
                                " VALUES (?1, ?2, ?3)",
                                &rc);
    if (!s) {
        free(json);
        return rc;
    }
    int src = SQLITE_OK;
    bind_text(s, 1, v->id, &src);
    bind_text(s, 2, json, &src);
    bind_text(s, 3, now, &src);
    rc = write_once(st, s, src, "storing a volume", NULL);
    free(json);
    return rc;
}

dc_rc dc_store_volume_get(dc_store *st, const char *collection, dc_volume **out)
{
    *out = NULL;
    if (!st) return DC_MISUSE;
    if (!collection) return set_err(st, DC_MISUSE, "dc_store_volume_get: no collection");
    dc_rc rc;
    sqlite3_stmt *s = stmt_get(st, S_VOLUME_GET, &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, collection, &src);
    if (src == SQLITE_OK) src = sqlite3_step(s);
    if (src == SQLITE_DONE) {
        rc = set_err(st, DC_NOTFOUND, "no volume %s", collection);
    } else if (src != SQLITE_ROW) {
        rc = sql_err(st, src, "reading volume %s", collection);
    } else {
        const char *body = (const char *)sqlite3_column_text(s, 0);
        int n = sqlite3_column_bytes(s, 0);
        rc = body ? dc_volume_from_json(body, (size_t)n, out) : DC_CORRUPT;
        if (rc == DC_CORRUPT)
            rc = set_err(st, rc, "volume %s: the stored record is damaged", collection);
        else if (rc) rc = set_err(st, rc, "reading volume %s: %s", collection, dc_strerror(rc));
    }
    stmt_done(s);
    return rc;
}

/* ---- page images ------------------------------------------------------ */

static void image_hash(const void *data, size_t len, char hash[DC_IMAGE_HASH_SIZE])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, data, len);
    sodium_bin2hex(hash, DC_IMAGE_HASH_SIZE, d, sizeof d);
}

dc_rc dc_store_image_put(dc_store *st, const void *data, size_t len, char hash[DC_IMAGE_HASH_SIZE])
{
    if (!st) return DC_MISUSE;
    if (!data || !len || len > INT_MAX)
        return set_err(st, DC_MISUSE, "dc_store_image_put: invalid argument");
    image_hash(data, len, hash);
    dc_rc rc;
    sqlite3_stmt *s =
        prep_once(st, "INSERT OR IGNORE INTO images(hash, bytes, data) VALUES (?1, ?2, ?3)", &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, hash, &src);
    if (src == SQLITE_OK) src = sqlite3_bind_int64(s, 2, (sqlite3_int64)len);
    if (src == SQLITE_OK) src = sqlite3_bind_blob(s, 3, data, (int)len, SQLITE_STATIC);
    return write_once(st, s, src, "storing a page image", NULL);
}

dc_rc dc_store_image_get(dc_store *st, const char *hash, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!st) return DC_MISUSE;
    if (!hash) return set_err(st, DC_MISUSE, "dc_store_image_get: no hash");
    dc_rc rc;
    sqlite3_stmt *s = prep_once(st, "SELECT data FROM images WHERE hash = ?1", &rc);
    if (!s) return rc;
    int src = SQLITE_OK;
    bind_text(s, 1, hash, &src);
    if (src == SQLITE_OK) src = sqlite3_step(s);
    if (src == SQLITE_DONE) {
        rc = set_err(st, DC_NOTFOUND, "no page image %.16s", hash);
    } else if (src != SQLITE_ROW) {
        rc = sql_err(st, src, "reading a page image");
    } else {
        const void *d = sqlite3_column_blob(s, 0);
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        char got[DC_IMAGE_HASH_SIZE];
        if (d && n) image_hash(d, n, got);
        if (!d || !n || strcmp(got, hash) != 0) {
            rc = set_err(st, DC_CORRUPT, "page image %.16s: the stored bytes are damaged", hash);
        } else if (!(*out = malloc(n))) {
            rc = set_err(st, DC_NOMEM, "out of memory");
        } else {
            memcpy(*out, d, n);
            *len = n;
        }
    }
    sqlite3_finalize(s);
    return rc;
}
