/*
 * declass init | list | show.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "banned.h"

static const char init_usage[] =
    "usage: declass [--db PATH] init\n"
    "\n"
    "Creates an empty declass database at PATH (default ./declass.db or\n"
    "$DECLASS_DB).  An existing database is left as it is and brought up to\n"
    "the current schema version.\n";

int cmd_init(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc > 1) {
        if (cli_is_help(argv[1])) {
            fputs(init_usage, stdout);
            return EXIT_OK;
        }
        cli_error("init takes no arguments");
        return cli_usage(init_usage);
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 1, &code);
    if (!db) return code;
    dc_db_close(db);
    fprintf(stderr, "declass: database ready at %s\n", ctx->db_path);
    return EXIT_OK;
}

static const char list_usage[] =
    "usage: declass [--db PATH] list [--json]\n"
    "\n"
    "Lists the stored documents (current versions), by collection and number.\n"
    "  --json    print {\"total\": N, \"documents\": [{\"id\", \"collection\", \"title\",\n"
    "            \"date\", \"classification\", \"doc_type\"}, ...]}\n";

typedef struct list_ctx {
    cJSON *docs; /* --json: the array being built, else NULL */
    long total;
} list_ctx;

static dc_rc list_row(void *vctx, const dc_doc_summary *s)
{
    list_ctx *lc = vctx;
    lc->total++;
    if (!lc->docs) {
        printf("%-34s %-10s %-14s %s\n", s->id, s->date ? s->date : "-",
               s->classification ? s->classification : "-", s->title ? s->title : "");
        return DC_OK;
    }
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(lc->docs, o)) {
        cJSON_Delete(o);
        return DC_NOMEM;
    }
    const char *keys[] = {"id", "collection", "title", "date", "classification", "doc_type"};
    const char *vals[] = {s->id, s->collection, s->title, s->date, s->classification,
                          s->doc_type};
    for (size_t i = 0; i < 6; i++) {
        cJSON *v = vals[i] ? cJSON_CreateString(vals[i]) : cJSON_CreateNull();
        if (!v || !cJSON_AddItemToObject(o, keys[i], v)) {
            cJSON_Delete(v);
            return DC_NOMEM;
        }
    }
    return DC_OK;
}

int cmd_list(const cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(list_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            cli_error("list: unexpected argument '%s'", argv[i]);
            return cli_usage(list_usage);
        }
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    list_ctx lc = {0};
    cJSON *root = NULL;
    if (json) {
        root = cJSON_CreateObject();
        lc.docs = root ? cJSON_CreateArray() : NULL;
        if (!lc.docs) {
            cJSON_Delete(root);
            dc_db_close(db);
            cli_error("out of memory");
            return EXIT_INTERNAL;
        }
    }
    dc_rc rc = dc_db_list(db, list_row, &lc);
    if (rc) {
        cli_error("list: %s", dc_db_errmsg(db));
        cJSON_Delete(root);
        cJSON_Delete(lc.docs);
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    code = EXIT_OK;
    if (json) {
        if (!cJSON_AddNumberToObject(root, "total", (double)lc.total) ||
            !cJSON_AddItemToObject(root, "documents", lc.docs)) {
            cJSON_Delete(lc.docs);
            cJSON_Delete(root);
            root = NULL;
        }
        code = cli_print_json(root);
    } else if (lc.total == 0) {
        fprintf(stderr, "declass: no documents; ingest some with 'declass ingest PATH'\n");
    } else {
        fprintf(stderr, "%ld documents\n", lc.total);
    }
    dc_db_close(db);
    return code;
}

static const char show_usage[] =
    "usage: declass [--db PATH] show ID [--format text|json|html|tei|cite|bibtex|ris]\n"
    "                                   [--json] [--version N] [--as USER]\n"
    "\n"
    "Prints document ID (e.g. frus1958-60v18/d279 or seeds/000_5785f422be2d1253).\n"
    "  --format text   a readable edition: title, date, classification, body with\n"
    "                  page markers [Page N] and note markers [n], then the notes\n"
    "                  (the default)\n"
    "  --format json   the document model of DESIGN.md\n"
    "  --format html   an HTML fragment (<article class=\"dc-doc\">) laid out like\n"
    "                  a documentary edition, notes and references linked\n"
    "  --format tei    TEI P5 (<TEI>, <div type=\"document\">, <pb/>, <note/>,\n"
    "                  <gap/> for withheld portions), readable by 'declass ingest'\n"
    "  --format cite   a citation: FRUS documents as the Office of the Historian\n"
    "                  recommends (volume, Document N, history.state.gov address)\n"
    "  --format bibtex a BibTeX entry;  --format ris  an RIS record\n"
    "  --json          the same as --format json\n"
    "  --version N     an older version (see 'declass versions ID')\n"
    "What is printed is what the reader (--as USER, else the public) may read:\n"
    "withheld portions of a released document read \"[N lines of source text\n"
    "not declassified]\".  Exit status 1 if there is no such document, or none\n"
    "the reader may read (the same message for both).\n";

int cmd_show(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"version", required_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *format = "text";
    long version = 0;
    char *end = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hf:", opts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'j': format = "json"; break;
        case 'v':
            version = strtol(optarg, &end, 10);
            if (end == optarg || *end || version < 1 || version > 1000000000L) {
                cli_error("show: --version needs a version number, not '%s'", optarg);
                return cli_usage(show_usage);
            }
            break;
        case 'h': fputs(show_usage, stdout); return EXIT_OK;
        default:
            cli_error("show: bad option '%s'", argv[optind - 1]);
            return cli_usage(show_usage);
        }
    }
    if (optind != argc - 1) {
        cli_error(optind >= argc ? "show: which document? give an ID"
                                 : "show: give exactly one document ID");
        return cli_usage(show_usage);
    }
    if (!dc_format_find(format, DC_FORMAT_SHOW)) {
        cli_error("show: unknown format '%s' (use %s)", format, dc_format_names(DC_FORMAT_SHOW));
        return cli_usage(show_usage);
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    char *out = NULL;
    dc_rc rc = dc_db_show_version(db, argv[optind], (int)version, format, &out);
    if (rc) {
        cli_error("%s", dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    fputs(out, stdout);
    dc_free(out);
    dc_db_close(db);
    return EXIT_OK;
}

static const char refs_usage[] =
    "usage: declass [--db PATH] refs ID [--json] [--as USER]\n"
    "\n"
    "Lists the references of document ID: outgoing ones (documents, footnotes of\n"
    "documents, NSC papers and actions, file numbers, volumes it cites), each with\n"
    "the stored document it resolves to, then incoming ones (stored documents that\n"
    "cite it).  Only what the reader may read: a reference standing in withheld\n"
    "text, and a citing document the reader may not read, are not listed.\n"
    "  --json   {\"id\", \"outgoing\": [{\"kind\", \"target\", \"relation\", \"detail\",\n"
    "           \"id\", \"title\"}], \"incoming\": [...]}\n";

/* Collects references for text or JSON output. */
typedef struct refs_ctx {
    cJSON *out, *in; /* JSON arrays, or NULL for text */
    long n_out, n_in;
} refs_ctx;

static int json_add_str(cJSON *o, const char *k, const char *v)
{
    return (v ? cJSON_AddStringToObject(o, k, v) : cJSON_AddNullToObject(o, k)) != NULL;
}

static dc_rc refs_row(void *ctx, const dc_ref_link *r)
{
    refs_ctx *c = ctx;
    if (r->incoming) c->n_in++;
    else c->n_out++;
    if (!c->out) {
        if (r->incoming)
            printf("<- %s  %s (%s %s)\n", r->id, r->title ? r->title : "", r->kind, r->target);
        else
            printf("-> %s %s%s%s%s%s\n", r->kind, r->target, r->relation ? " (" : "",
                   r->relation ? r->relation : "", r->relation ? ")" : "",
                   r->id ? "" : "  [not stored]");
        if (!r->incoming && r->id) printf("     = %s  %s\n", r->id, r->title ? r->title : "");
        return DC_OK;
    }
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(r->incoming ? c->in : c->out, o)) {
        cJSON_Delete(o);
        return DC_NOMEM;
    }
    int ok = json_add_str(o, "kind", r->kind) && json_add_str(o, "target", r->target) &&
             json_add_str(o, "relation", r->relation) && json_add_str(o, "detail", r->detail) &&
             json_add_str(o, "id", r->id) && json_add_str(o, "title", r->title);
    return ok ? DC_OK : DC_NOMEM;
}

int cmd_refs(const cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    const char *id = NULL;
    int done = cli_one_arg(argc, argv, refs_usage, "document id", &id, &json);
    if (done >= 0) return done;
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    refs_ctx rc_ = {0};
    cJSON *root = NULL;
    if (json) {
        root = cJSON_CreateObject();
        rc_.out = cJSON_AddArrayToObject(root, "outgoing");
        rc_.in = cJSON_AddArrayToObject(root, "incoming");
        if (!root || !rc_.out || !rc_.in || !cJSON_AddStringToObject(root, "id", id)) {
            cJSON_Delete(root);
            dc_db_close(db);
            cli_error("out of memory");
            return EXIT_INTERNAL;
        }
    }
    dc_rc rc = dc_db_refs(db, id, refs_row, &rc_);
    if (rc) {
        cli_error("refs: %s", rc == DC_NOMEM ? "out of memory" : dc_db_errmsg(db));
        cJSON_Delete(root);
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    code = json ? cli_print_json(root) : EXIT_OK;
    if (!json) fprintf(stderr, "%ld outgoing, %ld incoming\n", rc_.n_out, rc_.n_in);
    dc_db_close(db);
    return code;
}
