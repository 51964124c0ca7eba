/*
 * declass — the store: one SQLite database file (WAL) with a versioned
 * schema.  Documents are kept as versions; nothing is ever overwritten.
 */
#ifndef DECLASS_STORE_H
#define DECLASS_STORE_H

#include <stdint.h>

#include "declass/model.h"

typedef struct dc_store dc_store;

#define DC_STORE_CREATE 1 /* create the file and schema if missing */
/* No automatic checkpoints: the program calls dc_store_wal_trim. */
#define DC_STORE_MANUAL_CHECKPOINT 2
/* Keep documents parsed by dc_store_get for the next reads of the same
 * stored version (a long-lived handle: the server's). */
#define DC_STORE_VERSION_CACHE 4

/*
 * Opens (and with DC_STORE_CREATE creates) the database at path and brings
 * its schema up to date (migrations run in one transaction).  A file that
 * is not a declass database, or whose schema is newer than this build,
 * gives DC_CORRUPT with err set.  Without DC_STORE_CREATE a missing file is
 * DC_NOTFOUND.  *out is NULL on failure.
 */
dc_rc dc_store_open(const char *path, int flags, dc_store **out, dc_error *err);
void dc_store_close(dc_store *st); /* NULL is a no-op */
/* The last error message of st (borrowed, valid until the next call). */
const char *dc_store_errmsg(const dc_store *st);

/* If the WAL beside the database is larger than `over` bytes, copies it
 * into the database file and truncates it, waiting for the readers of the
 * moment (busy_timeout); a database still busy after that is left as it
 * is (DC_OK: the next call tries again).  Errors only if the store failed. */
dc_rc dc_store_wal_trim(dc_store *st, long long over);
/* The same without truncating it: the next write starts the WAL again from
 * its beginning, over what it held (no file to shorten and grow again,
 * which costs the file system more than the copy: a writer's bound). */
dc_rc dc_store_wal_rewind(dc_store *st, long long over);
/* With on, the WAL is copied into the database by a thread of st's own
 * (a connection of its own, PASSIVE checkpoints: the writer is never held
 * up) each time dc_store_checkpoint_soon asks, and st's automatic
 * checkpoints at commits are off; with on 0 (or at close) the thread
 * stops and they are back.  For a long run of writes (an ingest).  DC_OK
 * also when no thread could be started (the checkpoints stay st's). */
dc_rc dc_store_background_checkpoints(dc_store *st, int on);
void dc_store_checkpoint_soon(dc_store *st);
/* Reads pages through a mapping of the file (on, the default) or into
 * buffers of SQLite's own (off: for a writer that would otherwise map,
 * and count in its resident size, every page it passes). */
void dc_store_mmap(dc_store *st, int on);
/* Sets SQLite's page cache of this connection (PRAGMA cache_size: n
 * pages, or -n KiB) and returns the setting it had. */
long long dc_store_cache(dc_store *st, long long n);

/* Transactions (BEGIN IMMEDIATE / COMMIT / ROLLBACK). */
dc_rc dc_store_begin(dc_store *st);
dc_rc dc_store_commit(dc_store *st);
dc_rc dc_store_rollback(dc_store *st);
/* A part of the open transaction (a savepoint) that can be undone alone:
 * dc_store_part_end keeps it (keep != 0) or undoes every write since
 * dc_store_part_begin (keep 0); either way the part is closed and the
 * transaction stays open.  Parts do not nest.  DC_MISUSE without an open
 * transaction.  A failed end leaves the transaction to dc_store_rollback. */
dc_rc dc_store_part_begin(dc_store *st);
dc_rc dc_store_part_end(dc_store *st, int keep);

typedef enum dc_put_result {
    DC_PUT_NEW = 1,       /* first version of a new document */
    DC_PUT_UPDATED = 2,   /* content changed: a new version was added */
    DC_PUT_UNCHANGED = 3, /* identical to the current version: nothing written */
} dc_put_result;

/*
 * Stores doc (doc->id and doc->collection must be set) as a new version if
 * its content differs from the current version (compared by a BLAKE2b hash
 * of its JSON).  source names the file it came from.  *result and *version
 * (may be NULL) tell what happened and the current version number.
 */
/* The docid of the version the last dc_store_put on st added: 0 when it
 * added none (unchanged, or failed).  Kept until the next dc_store_put. */
uint64_t dc_store_put_docid(const dc_store *st);
dc_rc dc_store_put(dc_store *st, const dc_doc *doc, const char *source, dc_put_result *result,
                   int *version);

/* The release status and classification of a version (0 = current) of
 * id, without loading its body (*release_status and *classification owned
 * by the caller, NULL when the column is), and in hash (may be NULL) the
 * version's content hash, hex: it names the stored body exactly (a new
 * version — release, withholding, marking — has a new one).  DC_NOTFOUND
 * if absent. */
#define DC_STORE_HASH_SIZE 65 /* hex digits of a version's hash and the NUL */
dc_rc dc_store_status(dc_store *st, const char *id, int version, char **release_status,
                      char **classification, char hash[DC_STORE_HASH_SIZE]);

/* dc_store_status of the version docid (the rowid the index knows it by)
 * while it is the current version of document id: DC_NOTFOUND when there
 * is no such version, it is another document's, or a newer version of id
 * has been stored since.  One row by its rowid and the document's, where
 * dc_store_status looks the version up by id.  current: the caller knows
 * docid is current in the read snapshot it holds (an index whose high
 * water is the snapshot's largest docid holds only current versions:
 * dc_db_search), and the document's row is not read. */
dc_rc dc_store_status_docid(dc_store *st, uint64_t docid, const char *id, int current,
                            char **release_status, char **classification,
                            char hash[DC_STORE_HASH_SIZE]);

/* Loads a version (0 = current) of document id.  DC_NOTFOUND if absent. */
dc_rc dc_store_get(dc_store *st, const char *id, int version, dc_doc **out);
/* dc_store_get that also gives in hash_out the hash of the version it
 * loaded (as dc_store_status). */
dc_rc dc_store_get_hashed(dc_store *st, const char *id, int version, dc_doc **out,
                          char hash_out[DC_STORE_HASH_SIZE]);

/* dc_store_get_hashed of the version docid of document id (DC_NOTFOUND if
 * there is none, or it is another document's), whether current or not. */
dc_rc dc_store_get_docid(dc_store *st, uint64_t docid, const char *id, dc_doc **out,
                         char hash_out[DC_STORE_HASH_SIZE]);

/* Calls cb for each document (current version), ordered by collection and
 * then number/id.  A non-OK return from cb stops and is returned. */
dc_rc dc_store_list(dc_store *st, dc_summary_cb cb, void *ctx);
/* The same for the documents of one collection (NULL: all). */
dc_rc dc_store_list_in(dc_store *st, const char *collection, dc_summary_cb cb, void *ctx);
/* The current versions counted by collection, release status and
 * classification (any may be NULL), ordered by those; each handed to cb
 * (strings borrowed for the call), whose non-OK return stops and is
 * returned.  A handle keeps the counts until a version is added. */
typedef struct dc_collection_group {
    const char *collection, *release_status, *classification;
    long long documents;
} dc_collection_group;
typedef dc_rc (*dc_group_cb)(void *ctx, const dc_collection_group *g);
dc_rc dc_store_collection_groups(dc_store *st, dc_group_cb cb, void *ctx);
/* Number of documents (not versions). */
dc_rc dc_store_count(dc_store *st, long *n);

/*
 * Receives a current version added since a given docid (docid: the
 * version's row id, unique and increasing) with the ids of the older
 * versions of the same document that were at or below that docid (at most
 * 64).  doc is borrowed for the callback.
 */
typedef dc_rc (*dc_change_cb)(void *ctx, uint64_t docid, const dc_doc *doc,
                              const uint64_t *older, size_t n_older);
/* A document the caller already holds for version docid (as it was
 * stored: what dc_store_put was given), or NULL to read it from the store. */
typedef const dc_doc *(*dc_known_cb)(void *ctx, uint64_t docid);
/* Streams the current versions with docid > after, in docid order; a
 * version known (may be NULL) returns is passed as it is, without reading
 * its stored body back (nor checking its hash).  cb must not call
 * dc_store_changes_since (DC_MISUSE). */
dc_rc dc_store_changes_since(dc_store *st, uint64_t after, dc_known_cb known, dc_change_cb cb,
                             void *ctx);
/* The largest version docid (0 when empty). */
dc_rc dc_store_max_docid(dc_store *st, uint64_t *out);

/* Appends to the append-only audit log. user NULL = "public".  The row
 * gets the next id and its link in the log's hash chain. */
dc_rc dc_store_audit(dc_store *st, const char *user, const char *action, const char *target,
                     const char *detail);

/* One audit row handed to dc_store_audit_rows (strings borrowed; at is
 * the event's time, "YYYY-MM-DDTHH:MM:SSZ"; user NULL = "public"). */
typedef struct dc_audit_row {
    const char *at, *user, *action, *target, *detail;
} dc_audit_row;
/* Appends rows[0..n) in order: all of them, each with its link in the
 * hash chain, or none (the error says why).  Alone, in one transaction of
 * their own (BEGIN IMMEDIATE .. COMMIT; nothing is left open); inside the
 * caller's transaction, as a part of it (committed or rolled back with
 * it). */
dc_rc dc_store_audit_rows(dc_store *st, const dc_audit_row *rows, size_t n);
/* 1 if a transaction is open on st (a write in progress; a read snapshot
 * is not one). */
int dc_store_in_transaction(const dc_store *st);
/*
 * A read snapshot: the reads of st until dc_store_read_end run in one
 * read transaction (a deferred BEGIN), so they see one state of the
 * database and pay for one transaction, not one each.  Nests (the
 * outermost pair counts); inside a write's transaction it is that
 * transaction.  A write through st ends the snapshot first (the reads
 * after it run each in its own transaction again), so a snapshot never
 * turns into a write.  The caller keeps it short: it holds the
 * write-ahead log's checkpoint back to where it began.
 */
dc_rc dc_store_read_begin(dc_store *st);
void dc_store_read_end(dc_store *st);
/* The serial number (from 1) of the read snapshot open on st, 0 when none
 * is: what was read under one serial holds while it is open. */
uint64_t dc_store_snapshot(const dc_store *st);
/* The state of the database as st sees it: SQLite's data version (it
 * changes whenever another connection commits) and the rows st itself
 * has changed.  Two equal states read through st mean nothing at all was
 * committed in between, by anyone. */
dc_rc dc_store_state(dc_store *st, uint64_t state[2]);

/*
 * Verifies what makes the audit log and the versions tamper-evident: the
 * schema's triggers are exactly the expected ones (none missing, altered
 * or added), and every audit row's chain value is the SHA-256 of the
 * previous row's and its own fields.  DC_CORRUPT with the first problem
 * (the first broken row) in dc_store_errmsg().
 */
dc_rc dc_store_verify(dc_store *st);

/* ---- users, audit log, versions ------------------------------------- */

/* Adds a user (hash: dc_access_hash_password; compartments and roles
 * comma-separated).  A name already taken (even by a disabled account) is
 * DC_MISUSE. */
dc_rc dc_store_user_add(dc_store *st, const char *name, const char *hash, int level,
                        const char *compartments, const char *roles, const char *agency);
/* Calls cb with user name; DC_NOTFOUND if there is none. */
dc_rc dc_store_user_get(dc_store *st, const char *name, dc_user_cb cb, void *ctx);
/* Calls cb for every user, by name. */
dc_rc dc_store_user_list(dc_store *st, dc_user_cb cb, void *ctx);
/* Replaces the password hash of an enabled user; DC_NOTFOUND if none. */
dc_rc dc_store_user_set_hash(dc_store *st, const char *name, const char *hash);
/* Disables an enabled user; DC_NOTFOUND if none. */
dc_rc dc_store_user_disable(dc_store *st, const char *name);
/* A document's review request (strings borrowed for the callback). */
typedef struct dc_review_row {
    const char *doc_id, *state, *kind, *received, *due;
    const char *record; /* the rest, as JSON (facade/workflow.c) */
} dc_review_row;
typedef dc_rc (*dc_review_cb)(void *ctx, const dc_review_row *r);
/* Stores (adds or replaces) the review request of r->doc_id. */
dc_rc dc_store_review_put(dc_store *st, const dc_review_row *r);
/* Calls cb for the review of doc_id (DC_NOTFOUND if none), or for every
 * review (doc_id NULL) by due date, then id. */
dc_rc dc_store_reviews(dc_store *st, const char *doc_id, dc_review_cb cb, void *ctx);
/* Number of enabled users holding the admin role. */
dc_rc dc_store_admin_count(dc_store *st, long *n);
/* Calls cb for every audit entry, oldest first. */
dc_rc dc_store_audit_list(dc_store *st, dc_audit_cb cb, void *ctx);
/* Calls cb for every version of document id, oldest first; DC_NOTFOUND if
 * the document is not stored. */
dc_rc dc_store_versions(dc_store *st, const char *id, dc_version_cb cb, void *ctx);
/* The id (*id owned by the caller) of the document of collection whose
 * current version has that number ("237"); DC_NOTFOUND if none. */
dc_rc dc_store_find_number(dc_store *st, const char *collection, const char *number, char **id);

/* ---- a volume's lists: persons and terms ----------------------------
 * One entry of a volume's List of Persons (name: "Eisenhower, Dwight D.",
 * description: the role, "President of the United States") or List of
 * Abbreviations (name: the term "ROKA", description: its gloss).  Strings
 * are borrowed for the duration of the callback that receives the row. */
typedef struct dc_list_row {
    const char *collection, *xml_id, *name, *description;
} dc_list_row;
typedef dc_rc (*dc_list_row_cb)(void *ctx, const dc_list_row *row);

typedef enum dc_list_kind {
    DC_LIST_PERSONS = 1,
    DC_LIST_TERMS = 2,
} dc_list_kind;

/* Adds or replaces (same collection and xml_id) one entry of a list;
 * description may be NULL (stored as "").  DC_MISUSE on a missing field. */
dc_rc dc_store_list_put(dc_store *st, dc_list_kind kind, const dc_list_row *row);
/* Calls cb for every entry of a list, of one collection (or of all when
 * collection is NULL), ordered by collection and name. */
dc_rc dc_store_list_rows(dc_store *st, dc_list_kind kind, const char *collection,
                         dc_list_row_cb cb, void *ctx);

/* ---- volumes: the header and contents of a published volume ----------- */
/* Stores (replacing) the structure of volume v->id, as ingest found it. */
dc_rc dc_store_volume_put(dc_store *st, const dc_volume *v);
/* The stored structure of the volume of collection (*out owned by the
 * caller: dc_volume_free); DC_NOTFOUND when none is stored. */
dc_rc dc_store_volume_get(dc_store *st, const char *collection, dc_volume **out);

/* Page images, content-addressed (schema step 9).  put stores data
 * [0, len) under its SHA-256 unless it is there, and writes the hash
 * (64 hex digits and a NUL) to hash.  get reads the image named by hash
 * into *out (dc_free) after checking its bytes still hash to it
 * (DC_CORRUPT if not; DC_NOTFOUND if there is none). */
#define DC_IMAGE_HASH_SIZE 65
dc_rc dc_store_image_put(dc_store *st, const void *data, size_t len,
                         char hash[DC_IMAGE_HASH_SIZE]);
dc_rc dc_store_image_get(dc_store *st, const char *hash, unsigned char **out, size_t *len);

#endif
