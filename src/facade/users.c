/*
 * The facade: Users and the audit log.
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

/* ---- users ---------------------------------------------------------------- */

/* A user name: 1-64 bytes of letters, digits, '.', '_', '-'. */
static int user_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || strcmp(s, "public") == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

dc_rc dc_db_user_add(dc_db *db, const dc_user_spec *u, int *made_admin)
{
    if (made_admin) *made_admin = 0;
    if (!u || !user_name_ok(u->name))
        return dc_db_fail(db, DC_MISUSE, "bad user name '%s' (letters, digits, '.', '_', '-'; "
                       "not 'public')", u && u->name ? u->name : "");
    if (u->level < DC_UNCLASSIFIED || u->level > DC_TOP_SECRET)
        return dc_db_fail(db, DC_MISUSE, "bad clearance");
    for (size_t i = 0; i < u->n_compartments; i++)
        if (!dc_access_compartment_ok(u->compartments[i]))
            return dc_db_fail(db, DC_MISUSE, "bad compartment '%s' (upper-case letters, digits, "
                           "'-', '_')", u->compartments[i]);
    if (!u->password || !*u->password) return dc_db_fail(db, DC_MISUSE, "empty password");
    if (u->agency && !dc_access_compartment_ok(u->agency))
        return dc_db_fail(db, DC_MISUSE, "bad agency '%s' (upper-case letters, digits, '-', "
                          "'_': CIA, NSA, DOE)", u->agency);
    int admin = 0;
    dc_rc rc = dc_db_has_admin(db, &admin);
    if (rc) return rc;
    int roles = u->roles ? u->roles : DC_ROLE_READER;
    if (admin) {
        if ((rc = dc_db_require_role(db, DC_ROLE_ADMIN, "user add", u->name)) != DC_OK) return rc;
    } else {
        /* Bootstrap: the first account administers the database. */
        roles |= DC_ROLE_ADMIN;
        if (made_admin) *made_admin = 1;
    }
    char *hash = NULL;
    if ((rc = dc_access_hash_password(u->password, &hash)) != DC_OK)
        return dc_db_fail(db, rc, "cannot hash the password: %s", dc_strerror(rc));
    dc_buf comps, rl;
    dc_buf_init(&comps, 0);
    dc_buf_init(&rl, 0);
    dc_buf_join(&comps, u->compartments, u->n_compartments, ',');
    static const char *const names[] = {"reader", "reviewer", "admin"};
    const char *picked[3];
    size_t np = 0;
    for (int i = 0; i < 3; i++)
        if (roles & (1 << i)) picked[np++] = names[i];
    dc_buf_join(&rl, picked, np, ',');
    rc = comps.rc ? comps.rc : rl.rc;
    if (!rc) rc = dc_store_user_add(db->st, u->name, hash, u->level, comps.p ? comps.p : "",
                                    rl.p ? rl.p : "reader", u->agency);
    if (rc) dc_db_fail(db, rc, "%s", rc == DC_NOMEM ? "out of memory" : dc_store_errmsg(db->st));
    char detail[256];
    if (!rc) {
        snprintf(detail, sizeof detail, "clearance %s; compartments %s; roles %s%s%s",
                 dc_level_name(u->level), comps.p && *comps.p ? comps.p : "none",
                 rl.p ? rl.p : "reader", u->agency ? "; agency " : "", u->agency ? u->agency : "");
        rc = dc_db_audit_add(db, "user-add", u->name, detail);
    }
    sodium_memzero(hash, strlen(hash));
    free(hash);
    dc_buf_release(&comps);
    dc_buf_release(&rl);
    return rc;
}

/* Hides the password hash from whoever lists users. */
typedef struct user_list_ctx {
    dc_user_cb cb;
    void *ctx;
} user_list_ctx;

static dc_rc user_list_one(void *ctx, const dc_user_info *u)
{
    user_list_ctx *c = ctx;
    dc_user_info pub = *u;
    pub.hash = NULL;
    return c->cb(c->ctx, &pub);
}

dc_rc dc_db_user_list(dc_db *db, dc_user_cb cb, void *ctx)
{
    dc_rc rc = dc_db_require_role(db, DC_ROLE_ADMIN, "user list", NULL);
    if (rc) return rc;
    user_list_ctx c = {cb, ctx};
    if ((rc = dc_store_user_list(db->st, user_list_one, &c)) != DC_OK)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return dc_db_audit_add(db, "user-list", NULL, NULL);
}

/* An admin changes anyone's password; a user may change their own. */
dc_rc dc_db_user_passwd(dc_db *db, const char *name, const char *password)
{
    dc_rc rc;
    if (!(db->user && name && strcmp(db->user, name) == 0) &&
        (rc = dc_db_require_role(db, DC_ROLE_ADMIN, "user passwd", name)) != DC_OK)
        return rc;
    if (!password || !*password) return dc_db_fail(db, DC_MISUSE, "empty password");
    char *hash = NULL;
    if ((rc = dc_access_hash_password(password, &hash)) != DC_OK)
        return dc_db_fail(db, rc, "cannot hash the password: %s", dc_strerror(rc));
    rc = dc_store_user_set_hash(db->st, name, hash);
    sodium_memzero(hash, strlen(hash));
    free(hash);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return dc_db_audit_add(db, "user-passwd", name, NULL);
}

/* Disables an account; the last enabled administrator cannot be removed
 * (that would reopen the bootstrap). */
dc_rc dc_db_user_del(dc_db *db, const char *name)
{
    dc_rc rc = dc_db_require_role(db, DC_ROLE_ADMIN, "user del", name);
    if (rc) return rc;
    dc_db_user_row u = {0};
    rc = dc_store_user_get(db->st, name ? name : "", dc_db_user_copy, &u);
    int target_admin = !rc && !u.disabled && (u.roles & DC_ROLE_ADMIN);
    int disabled = !rc && u.disabled;
    dc_db_user_copy_release(&u);
    if (rc == DC_NOTFOUND || disabled) return dc_db_fail(db, DC_NOTFOUND, "no user '%s'", name);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    long admins = 0;
    if ((rc = dc_store_admin_count(db->st, &admins)) != DC_OK)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    if (target_admin && admins <= 1)
        return dc_db_fail(db, DC_MISUSE, "'%s' is the last administrator", name);
    if ((rc = dc_store_user_disable(db->st, name)) != DC_OK)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return dc_db_audit_add(db, "user-del", name, NULL);
}

/* ---- audit log --------------------------------------------------------- */

dc_rc dc_db_audit(dc_db *db, dc_audit_cb cb, void *ctx)
{
    dc_rc rc = dc_db_require_role(db, DC_ROLE_ADMIN, "audit", NULL);
    if (rc) return rc;
    /* The reading is logged first, so it appears in what it reads. */
    if ((rc = dc_db_audit_add(db, "audit-read", NULL, NULL)) != DC_OK) return rc;
    if ((rc = dc_store_audit_list(db->st, cb, ctx)) != DC_OK)
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return DC_OK;
}

int dc_marking_level(const char *classification) { return dc_access_level(classification); }

int dc_role_parse(const char *name) { return dc_access_role_parse(name); }

int dc_reason_valid(const char *code) { return dc_access_reason_valid(code); }

int dc_reason_check(const char *code, const char *until, const char *event, char *msg, size_t cap)
{
    return dc_access_code_check(code, until, event, msg, cap);
}
