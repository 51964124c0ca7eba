/*
 * The facade, policy papers: dc_db_paper through the connected-record
 * engine (links/papers.c, where the rules are), which reads only the
 * reader's views (dc_db_links_env) and fills the public dc_paper; audited
 * here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facade/facade_int.h"
#include "refs/refs.h"
#include "util/banned.h"

void dc_paper_free(dc_paper *p)
{
    dc_papers_clear(p);
    free(p);
}

dc_rc dc_db_paper(dc_db *db, const char *name, dc_paper **out)
{
    if (!out) return dc_db_fail(db, DC_MISUSE, "dc_db_paper: no output");
    *out = NULL;
    char norm[DC_REFS_PAPER_MAX];
    if (!dc_refs_paper_name(name, norm, sizeof norm))
        return dc_db_fail(db, DC_MISUSE, "'%.64s' is not an NSC paper name (like \"NSC 5907\")",
                          name ? name : "");
    dc_paper *p = calloc(1, sizeof *p);
    if (!p || !(p->name = dc_strdup(norm))) {
        free(p);
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    dc_links_env env;
    dc_db_links_env(db, &env);
    dc_rc rc = dc_papers_record_get(&env, norm, p);
    if (rc == DC_NOTFOUND) dc_db_fail(db, DC_NOTFOUND, "nothing known about paper '%s'", norm);
    char msg[sizeof db->errmsg];
    snprintf(msg, sizeof msg, "%s", db->errmsg);
    dc_rc arc = dc_db_audit_add(db, "paper", norm, rc == DC_NOTFOUND ? "not found" : NULL);
    if (rc)
        snprintf(db->errmsg, sizeof db->errmsg, "%s", msg);
    else
        rc = arc;
    if (rc) {
        if (rc == DC_NOMEM) dc_db_fail(db, rc, "out of memory");
        dc_paper_free(p);
        return rc;
    }
    *out = p;
    return DC_OK;
}
