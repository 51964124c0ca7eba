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

#include "declass/banned.h"

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

    /* 4: whether a version has portions with markings of their own
     * (withheld, a level, compartments): listing such a document needs
     * each reader's view, the others are listed from these columns.  NULL
     * (versions stored before) counts as marked. */
    "ALTER TABLE versions ADD COLUMN marked INTEGER;",
};

const int dc_store_n_migrations =
    (int)(sizeof dc_store_migrations / sizeof dc_store_migrations[0]);

const char *const dc_store_tables[] = {"collections", "documents", "versions", "audit", "users",
                                       "persons",     "terms",     NULL};
