/*
 * declass init | list | show.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "banned.h"

static const char init_usage[] =
    "usage: declass [--db PATH] init [--json]\n"
    "\n"
    "Creates an empty declass database at PATH (default ./declass.db or\n"
    "$DECLASS_DB).  An existing database is left as it is and brought up to\n"
    "the current schema version.\n"
    "  --json    print {\"ok\": true, \"action\": \"init\", \"db\": PATH}\n";

int cmd_init(const cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(init_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            cli_error("init takes no arguments but --json");
            return cli_usage(init_usage);
        }
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 1, &code);
    if (!db) return code;
    dc_db_close(db);
    if (!json) {
        fprintf(stderr, "declass: database ready at %s\n", ctx->db_path);
        return EXIT_OK;
    }
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_json_obj(&j);
    dc_json_kbool(&j, "ok", 1);
    dc_json_kstr(&j, "action", "init");
    dc_json_kstr(&j, "db", ctx->db_path);
    dc_json_end(&j);
    return cli_json_print(&b);
}

static const char list_usage[] =
    "usage: declass [--db PATH] list [--json]\n"
    "\n"
    "Lists the stored documents (current versions), by collection and number.\n"
    "  --json    print {\"total\": N, \"documents\": [{\"id\", \"collection\", \"title\",\n"
    "            \"date\", \"classification\", \"doc_type\"}, ...]}\n";

typedef struct list_ctx {
    dc_json *j; /* --json: the writer, inside the "documents" array */
    long total;
} list_ctx;

static dc_rc list_row(void *vctx, const dc_doc_summary *s)
{
    list_ctx *lc = vctx;
    lc->total++;
    dc_json *j = lc->j;
    if (!j) {
        printf("%-34s %-10s %-14s %s\n", s->id, s->date ? s->date : "-",
               s->classification ? s->classification : "-", s->title ? s->title : "");
        return DC_OK;
    }
    dc_json_obj(j);
    dc_json_kstr(j, "id", s->id);
    dc_json_kstr(j, "collection", s->collection);
    dc_json_kstr(j, "title", s->title);
    dc_json_kstr(j, "date", s->date);
    dc_json_kstr(j, "classification", s->classification);
    dc_json_kstr(j, "doc_type", s->doc_type);
    dc_json_end(j);
    return j->b->rc;
}

int cmd_list(const cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    int code = cli_one_arg(argc, argv, list_usage, NULL, NULL, &json);
    if (code >= 0) return code;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    /* The rows go into a buffer of their own: "total" comes first. */
    list_ctx lc = {0};
    dc_buf rows;
    dc_json rj;
    if (json) {
        cli_json_rows(&rj, &rows, "documents");
        lc.j = &rj;
    }
    dc_rc rc = dc_db_list(db, list_row, &lc);
    if (rc) {
        if (json) dc_buf_release(&rows);
        cli_error("list: %s",
                  rc == DC_NOMEM || rc == DC_LIMIT ? dc_strerror(rc) : dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    if (!json) {
        if (lc.total == 0)
            fprintf(stderr, "declass: no documents; ingest some with 'declass ingest PATH'\n");
        else fprintf(stderr, "%ld %s\n", lc.total, cli_plural(lc.total, "document", "documents"));
        return EXIT_OK;
    }
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_json_obj(&j);
    dc_json_kint(&j, "total", lc.total);
    cli_json_splice(&j, "documents", &rows);
    dc_json_end(&j);
    return cli_json_print(&b);
}

static const char show_usage[] =
    "usage: declass [--db PATH] show ID [--format text|json|html|tei|cite|bibtex|ris]\n"
    "                                   [--json] [--version N] [--as USER]\n"
    "       declass [--db PATH] show ID --format pdf|png [--page N] [--output FILE]\n"
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
    "  --format pdf    a scanned document as a PDF: its page images, with the\n"
    "                  passages the reader may not read burned out as black\n"
    "                  boxes, and a text layer of the released words only\n"
    "  --format png    one page's image (--page N, default 1), the same way\n"
    "  --output FILE   write to FILE (pdf and png are not written to a terminal)\n"
    "  --json          the same as --format json (and errors as JSON)\n"
    "  --version N     an older version (see 'declass versions ID')\n"
    "What is printed is what the reader (--as USER, else the public) may read:\n"
    "withheld portions of a released document read \"[N lines of source text\n"
    "not declassified]\".  Exit status 1 if there is no such document, or none\n"
    "the reader may read (the same message for both).\n";

/* show --format pdf|png: bytes, to --output or to stdout when it is not a
 * terminal. */
static int show_scan(const cli_ctx *ctx, const char *id, int version, const char *format, long page,
                     const char *output)
{
    if (!output && isatty(STDOUT_FILENO)) {
        cli_error("show: not writing a %s to a terminal: redirect it or give --output FILE",
                  strcmp(format, "pdf") == 0 ? "PDF" : "PNG image");
        return EXIT_USAGE;
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    unsigned char *out = NULL;
    size_t len = 0;
    dc_rc rc = strcmp(format, "pdf") == 0
                   ? dc_db_scan_pdf(db, id, version, &out, &len)
                   : dc_db_page_image(db, id, version, (int)page, &out, &len);
    if (rc) {
        cli_error("%s", dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    FILE *f = output ? fopen(output, "wb") : stdout;
    int bad = !f || fwrite(out, 1, len, f) != len;
    if (f && f != stdout) bad |= fclose(f) != 0;
    else if (f) bad |= fflush(f) != 0;
    dc_free(out);
    if (bad) {
        cli_error("show: cannot write %s: %s", output ? output : "the output", strerror(errno));
        return cli_exit_code(DC_IO);
    }
    return EXIT_OK;
}

int cmd_show(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"page", required_argument, NULL, 'p'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"version", required_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *format = NULL, *output = NULL;
    long version = 0, page = 0;
    char *end = NULL;
    int c, json = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hf:o:", opts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'j': json = 1; break;
        case 'o': output = optarg; break;
        case 'p':
            page = strtol(optarg, &end, 10);
            if (end == optarg || *end || page < 1 || page > 1000000L) {
                cli_error("show: --page needs a page number, not '%s'", optarg);
                return cli_usage(show_usage);
            }
            break;
        case 'v':
            version = strtol(optarg, &end, 10);
            if (end == optarg || *end || version < 1 || version > 1000000000L) {
                cli_error("show: --version needs a version number, not '%s'", optarg);
                return cli_usage(show_usage);
            }
            break;
        case 'h': fputs(show_usage, stdout); return EXIT_OK;
        default: cli_error("show: bad option '%s'", argv[optind - 1]); return cli_usage(show_usage);
        }
    }
    if (optind != argc - 1) {
        cli_error(optind >= argc ? "show: which document? give an ID"
                                 : "show: give exactly one document ID");
        return cli_usage(show_usage);
    }
    if (json && format && strcmp(format, "json") != 0) {
        cli_error("show: --json and --format %s do not go together", format);
        return cli_usage(show_usage);
    }
    if (!format) format = json ? "json" : "text";
    if (!dc_format_find(format, DC_FORMAT_SHOW)) {
        cli_error("show: unknown format '%s' (use %s)", format, dc_format_names(DC_FORMAT_SHOW));
        return cli_usage(show_usage);
    }
    int scan = strcmp(format, "pdf") == 0 || strcmp(format, "png") == 0;
    if ((page || output) && !scan) {
        cli_error("show: --page and --output go with --format pdf or png");
        return cli_usage(show_usage);
    }
    if (page && strcmp(format, "pdf") == 0) {
        cli_error("show: --page goes with --format png (a PDF has every page)");
        return cli_usage(show_usage);
    }
    if (scan) return show_scan(ctx, argv[optind], (int)version, format, page ? page : 1, output);
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
    dc_json *out, *in; /* writers of the JSON arrays, or NULL for text */
    long n_out, n_in;
} refs_ctx;

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
    dc_json *j = r->incoming ? c->in : c->out;
    dc_ref_link_json(j, r);
    return j->b->rc;
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
    dc_buf out_b, in_b;
    dc_json out_j, in_j;
    if (json) {
        cli_json_rows(&out_j, &out_b, "outgoing");
        cli_json_rows(&in_j, &in_b, "incoming");
        rc_.out = &out_j;
        rc_.in = &in_j;
    }
    dc_rc rc = dc_db_refs(db, id, refs_row, &rc_);
    if (rc) {
        if (json) {
            dc_buf_release(&out_b);
            dc_buf_release(&in_b);
        }
        cli_error("refs: %s",
                  rc == DC_NOMEM || rc == DC_LIMIT ? dc_strerror(rc) : dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    if (!json) {
        fprintf(stderr, "%ld outgoing, %ld incoming\n", rc_.n_out, rc_.n_in);
        return EXIT_OK;
    }
    /* The keys in the order the output always had. */
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_json_obj(&j);
    cli_json_splice(&j, "outgoing", &out_b);
    cli_json_splice(&j, "incoming", &in_b);
    dc_json_kstr(&j, "id", id);
    dc_json_end(&j);
    return cli_json_print(&b);
}
