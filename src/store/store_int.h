/*
 * declass — store internals, shared by src/store/ and the unit tests.
 * Not part of the public API.
 */
#ifndef DECLASS_STORE_INT_H
#define DECLASS_STORE_INT_H

#include "store/store.h"

/* PRAGMA application_id of every declass database: 'DCLS'. */
#define DC_STORE_APPLICATION_ID 0x44434C53

/*
 * The schema migrations, in order (schema.c).  Step i brings a database
 * from user_version i to i + 1; dc_store_n_migrations is therefore the
 * schema version this build writes.  Steps are only ever appended.
 */
extern const char *const dc_store_migrations[];
extern const int dc_store_n_migrations;

/* Tables every declass database has after migration (NULL-terminated). */
extern const char *const dc_store_tables[];

/* The triggers of the current schema with their SQL exactly as
 * sqlite_master holds it (name NULL ends the list), which
 * dc_store_verify() expects to find and nothing else. */
typedef struct dc_store_trigger {
    const char *name, *sql;
} dc_store_trigger;
extern const dc_store_trigger dc_store_triggers[];

/*
 * dc_store_open() with an explicit list of migration steps, so tests can
 * exercise upgrades and failing steps.  dc_store_open() is this with
 * dc_store_migrations.  steps are only read during the call.
 */
dc_rc dc_store_open_steps(const char *path, int flags, const char *const *steps, int n_steps,
                          dc_store **out, dc_error *err);

/*
 * The audit journal (journal.c): the rows of audit events outside a write
 * transaction, appended to a file beside the database and folded into the
 * audit table by the next write transaction (store.c).
 */
#define DC_JOURNAL_LINE_MAX ((size_t)64 << 10) /* one row's line */
#define DC_JOURNAL_MAX ((size_t)256 << 20)     /* a journal read back whole */
#define DC_JOURNAL_HASH_SIZE 65                /* BLAKE2b-256 in hex, NUL */
typedef struct dc_journal_names {
    char live[4096]; /* "<database>-audit": appended to */
    char fold[4096]; /* "<database>-audit-fold": being folded */
} dc_journal_names;
/* The names beside the database at db_path; 0 if there are none (an
 * in-memory database) or they are too long. */
int dc_journal_paths(const char *db_path, dc_journal_names *out);
/* Appends r (user NULL = "public") to the journal at live, created if
 * need be (mode 0600); *size is the file's size after it. */
dc_rc dc_journal_append(const char *live, const dc_audit_row *r, long long *size, dc_error *err);
/* Renames the live journal to the fold name once no appender is writing
 * it; DC_NOTFOUND if there is none. */
dc_rc dc_journal_rotate(const dc_journal_names *n, dc_error *err);
typedef dc_rc (*dc_journal_cb)(void *ctx, const dc_audit_row *r);
/* Reads the journal at fold: hash is the BLAKE2b-256 of its bytes; if
 * that is `folded` (may be NULL), *already is set and nothing else done,
 * else cb gets each row in order (its strings live for the call) and
 * *damaged counts the lines that are not rows (writes that failed).
 * DC_NOTFOUND if there is no such file; a non-OK return of cb stops the
 * read and is returned. */
dc_rc dc_journal_read(const char *fold, const char *folded, dc_journal_cb cb, void *ctx,
                      char hash[DC_JOURNAL_HASH_SIZE], size_t *damaged, int *already,
                      dc_error *err);

#endif
