/*
 * declass person NAME [--json] / declass person --list [--json]: a person
 * of the volumes' lists and the readable documents that name them, or the
 * person index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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
    int json;
    cJSON *persons; /* --json: the array being filled */
    long n;
} out;

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static dc_rc person_json(out *o, const dc_person_info *p)
{
    cJSON *obj = cJSON_CreateObject();
    int ok = obj && cJSON_AddItemToArray(o->persons, obj);
    if (!ok) {
        cJSON_Delete(obj);
        return DC_NOMEM;
    }
    ok = cJSON_AddStringToObject(obj, "name", p->name) &&
         cJSON_AddItemToObject(obj, "collection", str_or_null(p->collection)) &&
         cJSON_AddItemToObject(obj, "xml_id", str_or_null(p->xml_id)) &&
         cJSON_AddItemToObject(obj, "description", str_or_null(p->description)) &&
         cJSON_AddNumberToObject(obj, "count", (double)p->n_documents);
    if (ok && p->documents) {
        cJSON *docs = cJSON_AddArrayToObject(obj, "documents");
        ok = docs != NULL;
        for (long i = 0; ok && i < p->n_documents; i++) {
            cJSON *d = cJSON_CreateObject();
            ok = d && cJSON_AddItemToArray(docs, d);
            if (!ok) {
                cJSON_Delete(d);
                break;
            }
            ok = cJSON_AddStringToObject(d, "id", p->documents[i].id) &&
                 cJSON_AddItemToObject(d, "title", str_or_null(p->documents[i].title)) &&
                 cJSON_AddItemToObject(d, "date", str_or_null(p->documents[i].date));
        }
    } else if (ok && !p->documents && p->n_documents == 0) {
        ok = cJSON_AddArrayToObject(obj, "documents") != NULL;
    }
    return ok ? DC_OK : DC_NOMEM;
}

static dc_rc on_person(void *ctx, const dc_person_info *p)
{
    out *o = ctx;
    o->n++;
    if (o->json) return person_json(o, p);
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
    if (o->json) return person_json(o, p);
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
    out o = {.json = json};
    cJSON *root = NULL;
    if (json) {
        root = cJSON_CreateObject();
        if (!root || (name && !cJSON_AddStringToObject(root, "query", name)) ||
            !(o.persons = cJSON_AddArrayToObject(root, "persons"))) {
            cJSON_Delete(root);
            dc_db_close(db);
            cli_error("out of memory");
            return EXIT_INTERNAL;
        }
    }
    dc_rc rc = list ? dc_db_persons(db, on_index, &o) : dc_db_person(db, name, on_person, &o);
    if (rc) {
        cli_error("person: %s", rc == DC_NOMEM ? "out of memory" : dc_db_errmsg(db));
        cJSON_Delete(root);
        dc_db_close(db);
        return rc == DC_MISUSE ? EXIT_USAGE : cli_exit_code(rc);
    }
    int status = EXIT_OK;
    if (json) {
        if (list && !cJSON_AddNumberToObject(root, "total", (double)o.n)) {
            cJSON_Delete(root);
            root = NULL;
        }
        status = cli_print_json(root);
    } else {
        if (list && o.n == 0) printf("no person is named by a readable document\n");
        cJSON_Delete(root);
    }
    dc_db_close(db);
    return status;
}
