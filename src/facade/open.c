/*
 * The facade: Opening a database and who is acting: the handle, its errors, sign-in,
 * sessions and the roles a call requires.
 */
#include "facade/facade_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "access/access.h"
#include "analysis/analysis.h"
#include "index/index.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "refs/refs.h"
#include "render/render.h"
#include "store/store.h"
#include "model/model_int.h"
#include "util/banned.h"

dc_rc dc_db_fail(dc_db *db, dc_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

dc_rc dc_db_open(const char *path, int flags, dc_db **out, dc_error *err)
{
    *out = NULL;
    if (!path || !*path) return dc_fail(err, DC_MISUSE, 0, "no database path given");
    dc_db *db = calloc(1, sizeof *db);
    if (!db) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    dc_rc rc = dc_store_open(
        path,
        ((flags & DC_DB_CREATE) ? DC_STORE_CREATE : 0) |
            ((flags & DC_DB_SERVER) ? DC_STORE_MANUAL_CHECKPOINT | DC_STORE_VERSION_CACHE : 0),
        &db->st, err);
    if (rc) {
        free(db);
        return rc;
    }
    db->server = (flags & DC_DB_SERVER) != 0;
    dc_buf dir;
    dc_buf_init(&dir, 8192);
    dc_buf_printf(&dir, "%s.index", path);
    if (!(db->index_dir = dc_buf_detach(&dir))) {
        dc_buf_release(&dir);
        dc_db_close(db);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    *out = db;
    return DC_OK;
}

void dc_db_close(dc_db *db)
{
    if (!db) return;
    dc_index_close(db->ix);
    dc_analyzer_free(db->an);
    for (size_t i = 0; db->snippets && i < SNIPPET_SLOTS; i++) {
        free(db->snippets[i].key);
        free(db->snippets[i].snippet);
    }
    free(db->snippets);
    dc_db_links_forget(db);
    dc_db_order_forget(db);
    dc_db_kept_forget(db);
    dc_store_close(db->st);
    free(db->index_dir);
    free(db->user);
    dc_strv_release(&db->comps);
    dc_strv_release(&db->scan_cached);
    dc_db_persons_forget(db);
    dc_db_fresh_drop(db, 0);
    free(db);
}

const char *dc_db_errmsg(const dc_db *db) { return db ? db->errmsg : "no database"; }

dc_rc dc_db_read_begin(dc_db *db)
{
    if (!db) return DC_MISUSE;
    dc_rc rc = dc_store_read_begin(db->st);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    db->reading++;
    return DC_OK;
}

void dc_db_read_end(dc_db *db)
{
    if (!db || !db->reading) return;
    dc_store_read_end(db->st);
    db->reading--;
}

/* ---- identity ----------------------------------------------------------- */

/* The reader the access module decides for: the signed-in user, or the
 * anonymous public. */
void dc_db_reader_key(const dc_db *db, dc_buf *b)
{
    if (db->user) {
        dc_buf_printf(b, "%d", db->level);
        for (size_t i = 0; i < db->comps.n; i++) dc_buf_printf(b, ",%s", db->comps.v[i]);
    } else {
        dc_buf_puts(b, "public");
    }
}

dc_access_reader dc_db_reader(const dc_db *db)
{
    dc_access_reader r = {.is_public = db->user == NULL,
                          .level = db->user ? db->level : DC_UNCLASSIFIED,
                          .compartments = (const char *const *)db->comps.v,
                          .n_compartments = db->comps.n,
                          .roles = db->user ? db->roles : 0};
    return r;
}

/* Appends to the audit log under the acting user's name: through the
 * handle's queue (group commit) unless the row belongs to a write in
 * progress, which it then joins. */
dc_rc dc_db_audit_add(dc_db *db, const char *action, const char *target, const char *detail)
{
    if (db->aq && !dc_store_in_transaction(db->st))
        return dc_audit_queue_add(db->aq, db->user, action, target, detail, db->errmsg,
                                  sizeof db->errmsg);
    dc_rc rc = dc_store_audit(db->st, db->user, action, target, detail);
    if (rc) dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return rc;
}

/* Parses a comma-separated list into sv (empty items skipped). */
static dc_rc split_list(const char *s, dc_strv *sv)
{
    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n) {
            dc_rc rc = dc_strv_pushn(sv, s, n);
            if (rc) return rc;
        }
        s = e ? e + 1 : s + n;
    }
    return DC_OK;
}

static int roles_of(const char *list)
{
    dc_strv sv = {0};
    int roles = 0;
    if (split_list(list, &sv) == DC_OK)
        for (size_t i = 0; i < sv.n; i++) roles |= dc_access_role_parse(sv.v[i]);
    dc_strv_release(&sv);
    return roles;
}

dc_rc dc_db_user_copy(void *ctx, const dc_user_info *u)
{
    dc_db_user_row *c = ctx;
    c->found = 1;
    c->level = u->level;
    c->roles = roles_of(u->roles);
    c->disabled = u->disabled;
    c->generation = u->generation;
    snprintf(c->agency, sizeof c->agency, "%s", u->agency ? u->agency : "");
    if (!(c->hash = dc_strdup(u->hash ? u->hash : ""))) return DC_NOMEM;
    return split_list(u->compartments, &c->comps);
}

void dc_db_user_copy_release(dc_db_user_row *c)
{
    if (c->hash) sodium_memzero(c->hash, strlen(c->hash));
    free(c->hash);
    dc_strv_release(&c->comps);
}

/* Makes db act as user name (taken over) with the rights of row u
 * (released). */
static void act_as(dc_db *db, char *name, dc_db_user_row *u)
{
    dc_db_logout(db);
    db->user = name;
    db->level = u->level;
    db->roles = u->roles;
    db->generation = u->generation;
    memcpy(db->agency, u->agency, sizeof db->agency);
    db->comps = u->comps;
    u->comps = (dc_strv){0};
    dc_db_user_copy_release(u);
}

const char *dc_db_user(const dc_db *db) { return db && db->user ? db->user : "public"; }

/*
 * Unknown user, disabled account and wrong password all give the same
 * DC_DENIED "access denied" and are audited as a refused login under the
 * name that was tried.
 */
dc_rc dc_db_login(dc_db *db, const char *name, const char *password)
{
    if (!name || !*name || strlen(name) > DC_MAX_ID)
        return dc_db_fail(db, DC_DENIED, "access denied");
    dc_db_user_row u = {0};
    dc_rc rc = dc_store_user_get(db->st, name, dc_db_user_copy, &u);
    if (rc && rc != DC_NOTFOUND) {
        dc_db_user_copy_release(&u);
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    /* An unknown or disabled name costs one password verification too,
     * against a hash of nothing anyone knows, so the answer's timing does
     * not tell which names exist. */
    static const char no_user_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$qUS36fqXdDmw3upj0IRg4Q$"
                                       "ZaabfygPtq6MBxkZnh4aVGcq5Mryn/pOBAsAhDcNLtw";
    int usable = !rc && u.found && !u.disabled && u.hash && *u.hash;
    int verified =
        dc_access_verify_password(usable ? u.hash : no_user_hash, password ? password : "");
    int ok = usable && verified;
    if (!ok) {
        dc_db_user_copy_release(&u);
        dc_store_audit(db->st, name, "login-refused", NULL, NULL);
        return dc_db_fail(db, DC_DENIED, "access denied");
    }
    char *n = dc_strdup(name);
    if (!n) {
        dc_db_user_copy_release(&u);
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    act_as(db, n, &u);
    return dc_db_audit_add(db, "login", NULL, NULL);
}

/* Whether the database has an enabled administrator; while it has none,
 * the first `user add` is a bootstrap and needs no identity. */
dc_rc dc_db_has_admin(dc_db *db, int *yes)
{
    long n = 0;
    dc_rc rc = dc_store_admin_count(db->st, &n);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    *yes = n > 0;
    return DC_OK;
}

/* Refuses (audited) unless the acting user holds one of the roles. */
dc_rc dc_db_require_role(dc_db *db, int roles, const char *action, const char *target)
{
    if (db->user && (db->roles & roles)) return DC_OK;
    dc_store_audit(db->st, db->user, "refused", target, action);
    return dc_db_fail(db, DC_DENIED, "access denied: %s needs the %s role", action,
                      (roles & DC_ROLE_REVIEWER) ? "reviewer" : "admin");
}

/* ---- front ends: sessions, uploads, references, collections ------------ */

dc_rc dc_db_assume(dc_db *db, const char *name)
{
    dc_db_logout(db);
    if (!name || !*name || strlen(name) > DC_MAX_ID)
        return dc_db_fail(db, DC_DENIED, "access denied");
    dc_db_user_row u = {0};
    dc_rc rc = dc_store_user_get(db->st, name, dc_db_user_copy, &u);
    if (rc && rc != DC_NOTFOUND) {
        dc_db_user_copy_release(&u);
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    char *n = NULL;
    if (!rc && u.found && !u.disabled && !(n = dc_strdup(name))) rc = DC_NOMEM;
    if (rc || !n) {
        dc_db_user_copy_release(&u);
        return rc == DC_NOMEM ? dc_db_fail(db, rc, "out of memory")
                              : dc_db_fail(db, DC_DENIED, "access denied");
    }
    act_as(db, n, &u);
    return DC_OK;
}

void dc_db_logout(dc_db *db)
{
    if (!db) return;
    free(db->user);
    db->user = NULL;
    db->level = DC_UNCLASSIFIED;
    db->roles = 0;
    db->generation = 0;
    db->agency[0] = 0;
    dc_strv_release(&db->comps);
}

dc_identity dc_db_identity(const dc_db *db)
{
    dc_identity who = {.name = dc_db_user(db), .level = DC_UNCLASSIFIED};
    if (db && db->user) {
        who.signed_in = 1;
        who.level = db->level;
        who.roles = db->roles;
        who.generation = db->generation;
    }
    return who;
}

dc_rc dc_db_trim_journal(dc_db *db)
{
    if (!db) return DC_MISUSE;
    dc_rc rc = dc_store_wal_trim(db->st, (long long)16 << 20);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return DC_OK;
}
