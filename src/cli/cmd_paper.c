/*
 * declass paper NAME [--json]: a policy paper and its chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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

/* Writes the paper as one JSON object. */
static void paper_json(dc_json *j, const dc_paper *p)
{
    dc_json_obj(j);
    dc_json_kstr(j, "paper", p->name);
    dc_json_key(j, "documents");
    dc_json_arr(j);
    for (size_t i = 0; i < p->n_documents; i++) dc_json_str(j, p->documents[i].id);
    dc_json_end(j);
    dc_json_kstr(j, "approved", p->approved);
    dc_json_kstr(j, "approved_in", p->approved_in);
    const struct {
        const char *key;
        const dc_strv *sv;
    } lists[] = {{"supersedes", &p->supersedes}, {"superseded_by", &p->superseded_by},
                 {"chain", &p->chain},           {"actions", &p->actions},
                 {"annexes", &p->annexes}};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        dc_json_key(j, lists[i].key);
        dc_json_strv(j, lists[i].sv);
    }
    dc_json_key(j, "discussed_in");
    dc_json_arr(j);
    for (size_t i = 0; i < p->n_discussed_in; i++) {
        const dc_paper_doc *d = &p->discussed_in[i];
        dc_json_obj(j);
        dc_json_kstr(j, "id", d->id);
        dc_json_kstr(j, "title", d->title);
        dc_json_kstr(j, "date", d->date);
        dc_json_end(j);
    }
    dc_json_end(j);
    dc_json_end(j);
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
        dc_buf b;
        dc_json j;
        cli_json_start(&j, &b);
        paper_json(&j, p);
        status = cli_json_print(&b);
    } else {
        paper_text(p);
    }
    dc_paper_free(p);
    dc_db_close(db);
    return status;
}
