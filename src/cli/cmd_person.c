/*
 * declass person NAME [--json] / declass person --list [--json]: a person
 * of the volumes' lists and the readable documents that name them, or the
 * person index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "banned.h"

static const char person_usage[] =
    "usage: declass [--db PATH] person NAME [--json] [--as USER]\n"
    "       declass [--db PATH] person --list [--json] [--as USER]\n"
    "\n"
    "The persons of the stored Lists of Persons whose name contains NAME (any\n"
    "case), or whose name as written is NAME (\"Dwight D. Eisenhower\"), with their\n"
    "role and the readable documents naming them; a name no list has is looked up\n"
    "as written in the documents.  --list prints the person index: every listed\n"
    "person named by a readable document, with the number of documents.\n"
    "Exit 1 when no person matches.\n"
    "  --json   {\"query\", \"persons\": [{\"name\", \"collection\", \"xml_id\",\n"
    "           \"description\", \"count\", \"documents\": [{\"id\", \"title\", \"date\"}]}]}\n"
    "           with --list: {\"total\", \"persons\": [{\"name\", \"collection\",\n"
    "           \"xml_id\", \"description\", \"count\"}]}\n";

typedef struct out {
    dc_json *j; /* --json: the writer, inside the "persons" array */
    long n;
} out;

static dc_rc person_json(dc_json *j, const dc_person_info *p)
{
    dc_json_obj(j);
    dc_json_kstr(j, "name", p->name);
    dc_json_kstr(j, "collection", p->collection);
    dc_json_kstr(j, "xml_id", p->xml_id);
    dc_json_kstr(j, "description", p->description);
    dc_json_kint(j, "count", p->n_documents);
    if (p->documents || p->n_documents == 0) {
        dc_json_key(j, "documents");
        dc_json_arr(j);
        for (long i = 0; p->documents && i < p->n_documents; i++) {
            dc_json_obj(j);
            dc_json_kstr(j, "id", p->documents[i].id);
            dc_json_kstr(j, "title", p->documents[i].title);
            dc_json_kstr(j, "date", p->documents[i].date);
            dc_json_end(j);
        }
        dc_json_end(j);
    }
    dc_json_end(j);
    return j->b->rc;
}

static dc_rc on_person(void *ctx, const dc_person_info *p)
{
    out *o = ctx;
    o->n++;
    if (o->j) return person_json(o->j, p);
    printf("%s", p->name);
    if (p->collection) printf("  [%s %s]", p->collection, p->xml_id ? p->xml_id : "");
    printf("\n");
    if (p->description) printf("  %s\n", p->description);
    printf("  %ld document%s\n", p->n_documents, p->n_documents == 1 ? "" : "s");
    for (long i = 0; p->documents && i < p->n_documents; i++)
        printf("    %-34s %-10s %s\n", p->documents[i].id,
               p->documents[i].date ? p->documents[i].date : "undated",
               p->documents[i].title ? p->documents[i].title : "");
    return DC_OK;
}

static dc_rc on_index(void *ctx, const dc_person_info *p)
{
    out *o = ctx;
    o->n++;
    if (o->j) return person_json(o->j, p);
    printf("%6ld  %s  [%s]\n", p->n_documents, p->name, p->collection ? p->collection : "");
    return DC_OK;
}

int cmd_person(const cli_ctx *ctx, int argc, char **argv)
{
    int json = 0, list = 0;
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(person_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--list") == 0) {
            list = 1;
        } else if (argv[i][0] == '-' || name) {
            cli_error("person: unexpected argument '%s'", argv[i]);
            return cli_usage(person_usage);
        } else {
            name = argv[i];
        }
    }
    if (!name == !list) {
        cli_error(list ? "person: --list takes no name" : "person: no name given");
        return cli_usage(person_usage);
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    out o = {0};
    dc_buf b;
    dc_json j;
    if (json) {
        cli_json_start(&j, &b);
        dc_json_obj(&j);
        if (name) dc_json_kstr(&j, "query", name);
        dc_json_key(&j, "persons");
        dc_json_arr(&j);
        o.j = &j;
    }
    dc_rc rc = list ? dc_db_persons(db, on_index, &o) : dc_db_person(db, name, on_person, &o);
    if (rc) {
        cli_error("person: %s",
                  rc == DC_NOMEM || rc == DC_LIMIT ? dc_strerror(rc) : dc_db_errmsg(db));
        if (json) dc_buf_release(&b);
        dc_db_close(db);
        return rc == DC_MISUSE ? EXIT_USAGE : cli_exit_code(rc);
    }
    dc_db_close(db);
    if (!json) {
        if (list && o.n == 0) printf("no person is named by a readable document\n");
        return EXIT_OK;
    }
    dc_json_end(&j);
    if (list) dc_json_kint(&j, "total", o.n);
    dc_json_end(&j);
    return cli_json_print(&b);
}
