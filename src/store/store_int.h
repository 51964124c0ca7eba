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

#endif
