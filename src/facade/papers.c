/*
 * The facade, policy papers: dc_db_paper through the connected-record
 * engine (links/papers.c, where the rules are), which reads only the
 * reader's views (dc_db_links_env); the record handed over as the public
 * dc_paper, and audited here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facade/facade_int.h"
#include "refs/refs.h"
#include "util/banned.h"

static void free_docs(dc_paper_doc *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].id);
        free(d[i].title);
        free(d[i].date);
    }
    free(d);
}

void dc_paper_free(dc_paper *p)
{
    if (!p) return;
    free(p->name);
    free_docs(p->documents, p->n_documents);
    free(p->approved);
    free(p->approved_in);
    dc_strv_release(&p->supersedes);
    dc_strv_release(&p->superseded_by);
    dc_strv_release(&p->chain);
    dc_strv_release(&p->actions);
    dc_strv_release(&p->annexes);
    free_docs(p->discussed_in, p->n_discussed_in);
    free(p);
}

/* Moves n documents of the engine's record into a dc_paper's (*to NULL
 * when n is 0); DC_NOMEM with from untouched. */
static dc_rc move_docs(dc_papers_doc *from, size_t n, dc_paper_doc **to)
{
    *to = NULL;
    if (!n) return DC_OK;
    dc_paper_doc *d = malloc(n * sizeof *d);
    if (!d) return DC_NOMEM;
    for (size_t i = 0; i < n; i++) {
        d[i] = (dc_paper_doc){.id = from[i].id, .title = from[i].title, .date = from[i].date};
        from[i] = (dc_papers_doc){0};
    }
    *to = d;
    return DC_OK;
}

/* Moves the engine's record into p; DC_NOMEM leaves rec to be released. */
static dc_rc hand_over(dc_papers_record *rec, dc_paper *p)
{
    if (move_docs(rec->documents, rec->n_documents, &p->documents)) return DC_NOMEM;
    p->n_documents = rec->n_documents;
    if (move_docs(rec->discussed_in, rec->n_discussed_in, &p->discussed_in)) return DC_NOMEM;
    p->n_discussed_in = rec->n_discussed_in;
    p->approved = rec->approved;
    p->approved_in = rec->approved_in;
    rec->approved = rec->approved_in = NULL;
    p->supersedes = rec->supersedes;
    p->superseded_by = rec->superseded_by;
    p->chain = rec->chain;
    p->actions = rec->actions;
    p->annexes = rec->annexes;
    rec->supersedes = rec->superseded_by = rec->chain = rec->actions = rec->annexes =
        (dc_strv){0};
    return DC_OK;
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
    dc_papers_record rec = {0};
    dc_rc rc = dc_papers_record_get(&env, norm, &rec);
    if (rc == DC_NOTFOUND) dc_db_fail(db, DC_NOTFOUND, "nothing known about paper '%s'", norm);
    if (!rc) rc = hand_over(&rec, p);
    dc_papers_record_release(&rec);
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
