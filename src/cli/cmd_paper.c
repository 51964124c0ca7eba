/*
 * declass paper NAME [--json]: a policy paper and its chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "banned.h"

static const char paper_usage[] =
    "usage: declass [--db PATH] paper NAME [--json] [--as USER]\n"
    "\n"
    "What the readable record says about NSC paper NAME (\"NSC 5907\"; \"nsc5907\"\n"
    "and \"NSC-5907\" are the same): the stored documents that are the paper, its\n"
    "approval date, the papers it supersedes and that supersede it, the NSC actions\n"
    "and annexes it names, and the documents that discuss it.  Only what the\n"
    "reader may read.  Exit 1 when no readable document names the paper.\n"
    "  --json   {\"paper\", \"documents\": [ID], \"approved\": DATE|null,\n"
    "           \"approved_in\": ID|null, \"supersedes\": [NAME], \"superseded_by\": [NAME],\n"
    "           \"chain\": [NAME], \"actions\": [N], \"annexes\": [NAME],\n"
    "           \"discussed_in\": [{\"id\", \"title\", \"date\"}]}\n";

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static int add_strv(cJSON *root, const char *key, const dc_strv *sv)
{
    cJSON *a = cJSON_AddArrayToObject(root, key);
    if (!a) return 0;
    for (size_t i = 0; i < sv->n; i++) {
        cJSON *s = cJSON_CreateString(sv->v[i]);
        if (!s || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            return 0;
        }
    }
    return 1;
}

/* The paper as one JSON value, or NULL on NOMEM. */
static cJSON *paper_json(const dc_paper *p)
{
    cJSON *root = cJSON_CreateObject();
    int ok = root && cJSON_AddStringToObject(root, "paper", p->name);
    cJSON *docs = ok ? cJSON_AddArrayToObject(root, "documents") : NULL;
    ok = docs != NULL;
    for (size_t i = 0; ok && i < p->n_documents; i++) {
        cJSON *s = cJSON_CreateString(p->documents[i].id);
        ok = s && cJSON_AddItemToArray(docs, s);
        if (!ok) cJSON_Delete(s);
    }
    ok = ok && cJSON_AddItemToObject(root, "approved", str_or_null(p->approved)) &&
         cJSON_AddItemToObject(root, "approved_in", str_or_null(p->approved_in)) &&
         add_strv(root, "supersedes", &p->supersedes) &&
         add_strv(root, "superseded_by", &p->superseded_by) &&
         add_strv(root, "chain", &p->chain) && add_strv(root, "actions", &p->actions) &&
         add_strv(root, "annexes", &p->annexes);
    cJSON *disc = ok ? cJSON_AddArrayToObject(root, "discussed_in") : NULL;
    ok = disc != NULL;
    for (size_t i = 0; ok && i < p->n_discussed_in; i++) {
        const dc_paper_doc *d = &p->discussed_in[i];
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(disc, o);
        if (!ok) {
            cJSON_Delete(o);
            break;
        }
        ok = cJSON_AddStringToObject(o, "id", d->id) &&
             cJSON_AddItemToObject(o, "title", str_or_null(d->title)) &&
             cJSON_AddItemToObject(o, "date", str_or_null(d->date));
    }
    if (ok) return root;
    cJSON_Delete(root);
    return NULL;
}

static void print_list(const char *label, const dc_strv *sv)
{
    printf("%-14s", label);
    for (size_t i = 0; i < sv->n; i++) printf("%s%s", i ? ", " : "", sv->v[i]);
    printf("%s\n", sv->n ? "" : "-");
}

static void print_docs(const dc_paper_doc *d, size_t n)
{
    if (!n) printf("  -\n");
    for (size_t i = 0; i < n; i++)
        printf("  %-34s %-10s %s\n", d[i].id, d[i].date ? d[i].date : "-",
               d[i].title ? d[i].title : "");
}

static void paper_text(const dc_paper *p)
{
    printf("%s\n", p->name);
    if (p->approved)
        printf("%-14s%s (%s)\n", "approved", p->approved, p->approved_in);
    else
        printf("%-14s-\n", "approved");
    print_list("supersedes", &p->supersedes);
    print_list("superseded by", &p->superseded_by);
    printf("%-14s", "chain");
    for (size_t i = 0; i < p->chain.n; i++)
        printf("%s%s", i ? " -> " : "", p->chain.v[i]);
    printf("\n");
    printf("%-14s", "actions");
    for (size_t i = 0; i < p->actions.n; i++)
        printf("%sNSC Action No. %s", i ? ", " : "", p->actions.v[i]);
    printf("%s\n", p->actions.n ? "" : "-");
    print_list("annexes", &p->annexes);
    printf("the paper itself:\n");
    print_docs(p->documents, p->n_documents);
    printf("discussed in:\n");
    print_docs(p->discussed_in, p->n_discussed_in);
}

int cmd_paper(const cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    const char *name = NULL;
    int done = cli_one_arg(argc, argv, paper_usage, "paper name", &name, &json);
    if (done >= 0) return done;
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    dc_paper *p = NULL;
    dc_rc rc = dc_db_paper(db, name, &p);
    if (rc) {
        cli_error("paper: %s", rc == DC_NOMEM ? "out of memory" : dc_db_errmsg(db));
        dc_db_close(db);
        return rc == DC_MISUSE ? EXIT_USAGE : cli_exit_code(rc);
    }
    int status = EXIT_OK;
    if (json) {
        status = cli_print_json(paper_json(p));
    } else {
        paper_text(p);
    }
    dc_paper_free(p);
    dc_db_close(db);
    return status;
}
