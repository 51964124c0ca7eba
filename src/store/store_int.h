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

/* b[0..n) as lower-case hex, NUL-terminated (out: 2n + 1 bytes). */
void dc_store_hex(char *out, const unsigned char *b, size_t n);

/*
 * The audit journal (journal.c): the rows of audit events outside a write
 * transaction, appended to a file beside the database and folded into the
 * audit table by write transactions (store.c).
 */
#define DC_JOURNAL_LINE_MAX ((size_t)64 << 10) /* one row's line */
#define DC_JOURNAL_MAX ((size_t)64 << 20)      /* read by one fold at most */
#define DC_JOURNAL_NAME_SIZE 33                /* a journal's name: 32 hex digits, NUL */
typedef struct dc_journal {
    char path[4096];         /* "<database>-audit" */
    unsigned uid, gid, mode; /* the database file's, which the journal takes */
} dc_journal;
/* Where folding stands: the journal folded last (its name), the offset in
 * it folded up to, and the row that ends there. */
#define DC_JOURNAL_ROW_ID_SIZE 17 /* a row's own random id: 16 hex digits, NUL */
typedef struct dc_journal_pos {
    char name[DC_JOURNAL_NAME_SIZE];
    long long off;
    char last[DC_JOURNAL_ROW_ID_SIZE]; /* the id of the row that ends at off */
} dc_journal_pos;
/* The journal of the database file at db_path; 0 if there is none (an
 * in-memory database, a path too long, a file that cannot be stat'ed). */
int dc_journal_init(dc_journal *j, const char *db_path);
/* Appends r (user NULL = "public"), creating the journal if need be; *size
 * is the file's size after it (at least: other appenders may add to it
 * meanwhile).  DC_LIMIT: the row's line would be longer
 * than DC_JOURNAL_LINE_MAX (nothing written). */
dc_rc dc_journal_append(const dc_journal *j, const dc_audit_row *r, long long *size, dc_error *err);
typedef dc_rc (*dc_journal_cb)(void *ctx, const dc_audit_row *r);
/* Hands cb, in order, the rows appended after *pos (from the start of a
 * journal of another name), at most DC_JOURNAL_MAX bytes of them; *damaged
 * counts the lines among them that are not rows (writes that failed).  A
 * journal of *pos's name that does not end at *pos with its row (a crash
 * cut the file short, and it may have grown since) is folded again from
 * its start, and *again is set: rows may then be folded twice, none is
 * lost.  On success *pos is where they end and *moved is set if it
 * moved.  When the part folded before (at *pos) is longer than trim_at,
 * the journal starts afresh with the rest.  Call it holding the
 * database's write lock, and record *pos in the same transaction as the
 * rows.  A non-OK return of cb stops it and is returned. */
dc_rc dc_journal_fold(const dc_journal *j, dc_journal_pos *pos, long long trim_at, dc_journal_cb cb,
                      void *ctx, size_t *damaged, int *again, int *moved, dc_error *err);

/* The name of the store's VFS (walbuf.c: the underlying VFS, the WAL's
 * writes gathered), registered on the first call; NULL (SQLite's default
 * then) if it cannot be. */
#define DC_STORE_VFS "dc-walbuf"
const char *dc_store_vfs(void);

#endif
