/*
 * The store's schema as an ordered list of migrations.
 *
 * Step i takes a database from PRAGMA user_version i to i + 1.  Opening a
 * database runs every missing step in one transaction (store.c), then sets
 * user_version.  Rules for changing the schema (docs/internals/store.md):
 * never edit or reorder a released step; append a new one.  Tables are
 * STRICT (SQLite >= 3.37) so a wrongly typed value is an error, not a
 * silent conversion.
 */
#include "store/store_int.h"

#include <stddef.h>

#include "util/banned.h"

/* The triggers of the current schema, as sqlite_master keeps their text
 * (dc_store_verify compares them). */
#define TRG_AUDIT_NO_UPDATE                                 \
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit" \
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
#define TRG_AUDIT_NO_DELETE                                 \
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit" \
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
#define AUDIT_IN_ORDER_WHEN                                \
    "CREATE TRIGGER audit_in_order BEFORE INSERT ON audit" \
    " WHEN NEW.id IS NULL OR NEW.id <= coalesce((SELECT max(id) FROM audit), 0)"
#define TRG_AUDIT_IN_ORDER_4 \
    AUDIT_IN_ORDER_WHEN " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
#define TRG_AUDIT_IN_ORDER \
    AUDIT_IN_ORDER_WHEN " BEGIN SELECT RAISE(FAIL, 'audit log is append-only'); END"
#define TRG_VERSIONS_NO_UPDATE                                    \
    "CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions" \
    " BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END"
#define TRG_VERSIONS_NO_DELETE                                    \
    "CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions" \
    " BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END"
#define TRG_IMAGES_NO_UPDATE                                  \
    "CREATE TRIGGER images_no_update BEFORE UPDATE ON images" \
    " BEGIN SELECT RAISE(ABORT, 'images are never changed'); END"
#define TRG_IMAGES_NO_DELETE                                  \
    "CREATE TRIGGER images_no_delete BEFORE DELETE ON images" \
    " BEGIN SELECT RAISE(ABORT, 'images are never deleted'); END"
#define VERSIONS_IN_ORDER_WHEN                                                               \
    "CREATE TRIGGER versions_in_order BEFORE INSERT ON versions"                             \
    " WHEN NEW.docid IS NULL OR NEW.docid <= coalesce((SELECT max(docid) FROM versions), 0)" \
    " OR EXISTS (SELECT 1 FROM versions WHERE doc_id = NEW.doc_id AND version = NEW.version)"
#define TRG_VERSIONS_IN_ORDER_4 \
    VERSIONS_IN_ORDER_WHEN " BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END"
#define TRG_VERSIONS_IN_ORDER \
    VERSIONS_IN_ORDER_WHEN " BEGIN SELECT RAISE(FAIL, 'document versions are immutable'); END"
#define TRG_USERS_GENERATION                                               \
    "CREATE TRIGGER users_generation"                                      \
    " AFTER UPDATE OF hash, level, compartments, roles, disabled ON users" \
    " BEGIN UPDATE users SET generation = OLD.generation + 1 WHERE name = NEW.name; END"

const char *const dc_store_migrations[] = {
    /* 1: documents kept as immutable versions, collections, audit log. */
    "CREATE TABLE collections ("
    "  name       TEXT PRIMARY KEY NOT NULL,"
    "  title      TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ") STRICT;"

    "CREATE TABLE documents ("
    "  id              TEXT PRIMARY KEY NOT NULL,"
    "  collection      TEXT NOT NULL REFERENCES collections(name),"
    "  current_version INTEGER NOT NULL CHECK (current_version >= 1),"
    "  created_at      TEXT NOT NULL,"
    "  updated_at      TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX documents_collection ON documents(collection);"

    "CREATE TABLE versions ("
    "  docid          INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  doc_id         TEXT NOT NULL REFERENCES documents(id),"
    "  version        INTEGER NOT NULL CHECK (version >= 1),"
    "  hash           TEXT NOT NULL CHECK (length(hash) = 64),"
    "  source         TEXT,"
    "  format         TEXT,"
    "  ingested_at    TEXT NOT NULL,"
    "  number         TEXT,"
    "  title          TEXT,"
    "  date           TEXT,"
    "  doc_type       TEXT,"
    "  classification TEXT,"
    "  release_status TEXT,"
    "  body           TEXT NOT NULL,"
    "  UNIQUE (doc_id, version)"
    ") STRICT;"
    "CREATE INDEX versions_date ON versions(date);"
    "CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions"
    "  BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END;"
    "CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions"
    "  BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END;"

    "CREATE TABLE audit ("
    "  id     INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at     TEXT NOT NULL,"
    "  user   TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  target TEXT,"
    "  detail TEXT"
    ") STRICT;"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",

    /* 2: user accounts (Argon2id password hashes, clearance, compartments
     * and roles as comma-separated lists).  Accounts are disabled, never
     * deleted, so the audit log's names keep meaning something. */
    "CREATE TABLE users ("
    "  name         TEXT PRIMARY KEY NOT NULL,"
    "  hash         TEXT NOT NULL,"
    "  level        INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),"
    "  compartments TEXT NOT NULL DEFAULT '',"
    "  roles        TEXT NOT NULL DEFAULT 'reader',"
    "  created_at   TEXT NOT NULL,"
    "  disabled     INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))"
    ") STRICT;",

    /* 3: a volume's List of Persons and List of Abbreviations (TEI
     * div xml:id="persons" / "terms"): what persName/@corresp and
     * gloss/@target point to.  Replaced item by item when a list is
     * ingested again. */
    "CREATE TABLE persons ("
    "  collection  TEXT NOT NULL,"
    "  xml_id      TEXT NOT NULL,"
    "  name        TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (collection, xml_id)"
    ") STRICT;"
    "CREATE TABLE terms ("
    "  collection  TEXT NOT NULL,"
    "  xml_id      TEXT NOT NULL,"
    "  term        TEXT NOT NULL,"
    "  gloss       TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (collection, xml_id)"
    ") STRICT;",

    /* 4: tamper evidence.  Every audit row carries `chain`, the SHA-256 of
     * the previous row's chain and its own fields (dc_audit_chain, a
     * function the store registers on each connection); existing rows get
     * theirs here, in id order.  The triggers are made again in the form
     * dc_store_triggers lists: besides refusing UPDATE and DELETE, they
     * refuse an INSERT whose id is not above every stored one (an
     * out-of-order row, or INSERT OR REPLACE over an existing one, whose
     * delete would not fire the delete trigger without recursive
     * triggers) and, for versions, a second row of a (doc_id, version).
     * (IF EXISTS: a file whose triggers were dropped still upgrades, and
     * gets them back.) */
    "ALTER TABLE audit ADD COLUMN chain TEXT;"
    "DROP TRIGGER IF EXISTS audit_no_update;"
    "DROP TRIGGER IF EXISTS audit_no_delete;"
    "DROP TRIGGER IF EXISTS versions_no_update;"
    "DROP TRIGGER IF EXISTS versions_no_delete;"
    "WITH RECURSIVE c(id, chain) AS ("
    "  SELECT id, dc_audit_chain(NULL, id, at, user, action, target, detail) FROM audit"
    "   WHERE id = (SELECT min(id) FROM audit)"
    "  UNION ALL"
    "  SELECT a.id, dc_audit_chain(c.chain, a.id, a.at, a.user, a.action, a.target, a.detail)"
    "   FROM c JOIN audit a ON a.id = (SELECT min(id) FROM audit WHERE id > c.id))"
    "UPDATE audit SET chain = c.chain FROM c WHERE c.id = audit.id;" TRG_AUDIT_NO_UPDATE
    ";" TRG_AUDIT_NO_DELETE ";" TRG_AUDIT_IN_ORDER_4 ";" TRG_VERSIONS_NO_UPDATE
    ";" TRG_VERSIONS_NO_DELETE ";" TRG_VERSIONS_IN_ORDER_4 ";",

    /* 5: a user's credential generation, bumped by a trigger whenever the
     * password, clearance, compartments, roles or the disabled flag
     * change, whoever changes them.  A front end's session remembers the
     * generation it signed in under and ends when it no longer matches. */
    "ALTER TABLE users ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;" TRG_USERS_GENERATION ";",

    /* 6: whether a version has portions with markings of their own
     * (withheld, a level, compartments): listing such a document needs
     * each reader's view, the others are listed from these columns.  NULL
     * (versions stored before) counts as marked. */
    "ALTER TABLE versions ADD COLUMN marked INTEGER;",

    /* 7: declassification review (docs/review.md).  A user's agency (a
     * referral is decided by a reviewer of the agency it names), and one
     * review request per document: its state, kind (mdr|frus|review),
     * received and due dates (the queue is read by due date) and the
     * rest of the record (referrals, decider, approver, history) as JSON. */
    "ALTER TABLE users ADD COLUMN agency TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE reviews ("
    "  doc_id   TEXT PRIMARY KEY NOT NULL REFERENCES documents(id),"
    "  state    TEXT NOT NULL,"
    "  kind     TEXT NOT NULL,"
    "  received TEXT NOT NULL,"
    "  due      TEXT NOT NULL,"
    "  record   TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX reviews_due ON reviews(due, doc_id);",

    /* 8: a published volume's structure (its TEI header and its table of
     * contents: dc_volume as JSON, the documents by local id only).
     * Replaced when the volume is ingested again. */
    "CREATE TABLE volumes ("
    "  collection TEXT PRIMARY KEY NOT NULL,"
    "  body       TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL"
    ") STRICT;",

    /* 9: scanned pages' images (PNG), content-addressed: hash is the
     * SHA-256 (lower-case hex) of data, which a version's "scan" pages
     * name.  Never updated or deleted: versions are kept. */
    "CREATE TABLE images ("
    "  hash  TEXT PRIMARY KEY NOT NULL,"
    "  bytes INTEGER NOT NULL,"
    "  data  BLOB NOT NULL"
    ") STRICT;" TRG_IMAGES_NO_UPDATE ";" TRG_IMAGES_NO_DELETE ";",

    /* 10: the audit journal (journal.c) as first built: the BLAKE2b-256
     * of the journal file folded last.  Replaced by step 11 (a journal
     * folded by offset); kept, as released steps are, for databases that
     * ran it. */
    "CREATE TABLE audit_journal ("
    "  id     INTEGER PRIMARY KEY CHECK (id = 1),"
    "  folded TEXT NOT NULL"
    ") STRICT;",

    /* 11: where folding the audit journal (journal.c) stands: the name of
     * the journal file folded last, the offset in it folded up to and the
     * id of the row that ends there, written in the transaction that
     * inserts the rows.  Step 10's row (a hash) means nothing to this:
     * dropped. */
    "DROP TABLE audit_journal;"
    "CREATE TABLE audit_journal ("
    "  id     INTEGER PRIMARY KEY CHECK (id = 1),"
    "  name   TEXT NOT NULL,"
    "  folded INTEGER NOT NULL,"
    "  last   TEXT NOT NULL"
    ") STRICT;",

    /* 12: the insert triggers refuse with FAIL, not ABORT.  They run
     * before the row is written, so a refused INSERT has written nothing
     * of itself either way; but a trigger that may ABORT made SQLite keep
     * a statement journal (every page the insert touched copied, then
     * dropped) for each version and audit row (store.c, S_VER_INSERT). */
    "DROP TRIGGER IF EXISTS audit_in_order;"
    "DROP TRIGGER IF EXISTS versions_in_order;" TRG_AUDIT_IN_ORDER ";" TRG_VERSIONS_IN_ORDER ";",
};

const int dc_store_n_migrations = (int)(sizeof dc_store_migrations / sizeof dc_store_migrations[0]);

const char *const dc_store_tables[] = {"collections", "documents", "versions", "audit", "users",
                                       "persons",     "terms",     NULL};

const dc_store_trigger dc_store_triggers[] = {
    {"audit_in_order", TRG_AUDIT_IN_ORDER},         {"audit_no_delete", TRG_AUDIT_NO_DELETE},
    {"audit_no_update", TRG_AUDIT_NO_UPDATE},       {"users_generation", TRG_USERS_GENERATION},
    {"images_no_delete", TRG_IMAGES_NO_DELETE},     {"images_no_update", TRG_IMAGES_NO_UPDATE},
    {"versions_in_order", TRG_VERSIONS_IN_ORDER},   {"versions_no_delete", TRG_VERSIONS_NO_DELETE},
    {"versions_no_update", TRG_VERSIONS_NO_UPDATE}, {NULL, NULL},
};
