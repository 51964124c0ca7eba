/*
 * declass search | find | optimize | check.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "banned.h"

static const char search_usage[] =
    "usage: declass [--db PATH] search QUERY [--limit N] [--offset N] [--from DATE]\n"
    "                              [--to DATE] [--classification LEVEL]\n"
    "                              [--collection NAME] [--type DOCTYPE] [--json]\n"
    "\n"
    "Searches the documents.  QUERY: words (all must match), \"exact phrase\",\n"
    "OR, -word or NOT word, word* (prefix), ( ... ), and the fields title:,\n"
    "person:, class:, date:1950..1953, cites:, collection: (see\n"
    "docs/query-language.md).  Words match their inflections (negotiate finds\n"
    "negotiations); quoted words and phrases match exactly.\n"
    "\n"
    "  --limit N              hits per page (default 10, at most 1000)\n"
    "  --offset N             hits to skip (pagination)\n"
    "  --from DATE, --to DATE date range, YYYY[-MM[-DD]]\n"
    "  --classification LEVEL UNCLASSIFIED, CONFIDENTIAL, SECRET or TOP SECRET\n"
    "  --collection NAME      only this collection\n"
    "  --type DOCTYPE         only documents of this type (memorandum, report,\n"
    "                         letter, telegram, ...: the doc_type facet's values)\n"
    "  --json                 {\"query\", \"total\", \"hits\": [{\"id\", \"title\", \"date\",\n"
    "                         \"classification\", \"score\", \"snippet\"}], \"facets\"}\n"
    "\n"
    "Matches are in bold on a terminal (not with $NO_COLOR set or TERM=dumb),\n"
    "else between ** (--json: <mark>).  Exit status 1 when nothing matches\n"
    "(--json: the page, and the error on stderr), 2 for a query that cannot\n"
    "be parsed.\n";

/* Parses a non-negative count; -1 if s is not one. */
static long parse_count(const char *s)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    return (end == s || *end || v < 0) ? -1 : v;
}

static void print_text(const dc_search_page *page, const dc_search_request *req)
{
    for (size_t i = 0; i < page->n_hits; i++) {
        const dc_search_hit *h = &page->hits[i];
        printf("%zu. %s  %s  %s  (%.2f)\n   %s\n", req->offset + i + 1, h->id,
               h->date ? h->date : "undated", h->classification ? h->classification : "unmarked",
               h->score, h->title ? h->title : "(untitled)");
        if (h->snippet && *h->snippet) printf("   %s\n", h->snippet);
        putchar('\n');
    }
    unsigned long long total = (unsigned long long)page->total;
    const char *noun = cli_plural((long long)total, "document matches", "documents match");
    if (page->n_hits)
        fprintf(stderr, "%llu %s; showing %zu-%zu\n", total, noun, req->offset + 1,
                req->offset + page->n_hits);
    else if (page->total)
        fprintf(stderr, "%llu %s; none at offset %zu\n", total, noun, req->offset);
    else fprintf(stderr, "no documents match\n");
}

int cmd_search(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"limit", required_argument, NULL, 'l'},
                                         {"offset", required_argument, NULL, 'o'},
                                         {"from", required_argument, NULL, 'F'},
                                         {"to", required_argument, NULL, 'T'},
                                         {"classification", required_argument, NULL, 'c'},
                                         {"collection", required_argument, NULL, 'C'},
                                         {"type", required_argument, NULL, 'y'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    dc_search_request req = {0};
    int json = 0, c;
    long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
        case 'o':
            if ((v = parse_count(optarg)) < 0) {
                cli_error("search: --%s needs a number, not '%s'", c == 'l' ? "limit" : "offset",
                          optarg);
                return cli_usage(search_usage);
            }
            if (c == 'l') {
                if (v == 0 || v > 1000) {
                    cli_error("search: --limit must be between 1 and 1000");
                    return cli_usage(search_usage);
                }
                req.limit = (size_t)v;
            } else {
                req.offset = (size_t)v;
            }
            break;
        case 'F': req.from = optarg; break;
        case 'T': req.to = optarg; break;
        case 'c': req.classification = optarg; break;
        case 'C': req.collection = optarg; break;
        case 'y': req.doc_type = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(search_usage, stdout); return EXIT_OK;
        default:
            cli_error("search: bad option '%s'", argv[optind - 1]);
            return cli_usage(search_usage);
        }
    }
    if (optind != argc - 1) {
        cli_error(optind >= argc ? "search: give a query"
                                 : "search: give the query as one "
                                   "argument (quote it)");
        return cli_usage(search_usage);
    }
    req.query = argv[optind];
    int bold = cli_color(STDOUT_FILENO);
    req.mark_open = json ? "<mark>" : bold ? "\033[1m" : "**";
    req.mark_close = json ? "</mark>" : bold ? "\033[0m" : "**";
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    dc_search_page *page = NULL;
    dc_rc rc = dc_db_search(db, &req, &page);
    if (rc) {
        cli_error("search: %s", dc_db_errmsg(db));
        dc_db_close(db);
        /* A query that cannot be parsed is a usage error of this command. */
        int usage = rc == DC_MISUSE || rc == DC_PARSE || rc == DC_LIMIT;
        return usage ? EXIT_USAGE : cli_exit_code(rc);
    }
    if (json) {
        char *s = NULL;
        rc = dc_search_page_json(page, &req, &s);
        if (rc) {
            cli_error("search: %s", dc_strerror(rc));
        } else {
            puts(s);
            dc_free(s);
        }
    } else {
        print_text(page, &req);
    }
    int nothing = page->total == 0;
    dc_search_page_free(page);
    dc_db_close(db);
    if (rc) return cli_exit_code(rc);
    if (nothing && json) cli_error("search: no documents match");
    return nothing ? EXIT_NOTFOUND : EXIT_OK;
}

static const char find_usage[] =
    "usage: declass [--db PATH] find ID QUERY [--json] [--as USER]\n"
    "\n"
    "Searches within document ID: prints each passage of it (paragraph or\n"
    "other portion, in order, then the notes) holding a word of QUERY, with a\n"
    "snippet.  QUERY is the search query language; its words, phrases and\n"
    "prefixes count, filters and NOT-ed words do not.  Only the text the\n"
    "reader may read.  Exit status 1 when no passage matches or the document\n"
    "is not there for this reader.\n"
    "  --json   {\"id\", \"query\", \"total\", \"passages\": [{\"portion\" or\n"
    "           \"footnote\" and \"label\", \"matches\", \"snippet\"}]} (matches\n"
    "           marked <mark></mark>)\n";

typedef struct find_out {
    dc_json *j; /* the passages array, or NULL for text */
    const char *open, *close;
} find_out;

static dc_rc find_row(void *ctx, const dc_find_hit *h)
{
    find_out *f = ctx;
    if (!f->j) {
        if (h->portion) printf("%s (%zu): %s\n", h->portion, h->matches, h->snippet);
        else
            printf("note %s (%zu): %s\n", h->label ? h->label : h->footnote, h->matches,
                   h->snippet);
        return DC_OK;
    }
    dc_find_hit_json(f->j, h);
    return f->j->b->rc;
}

int cmd_find(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'h': fputs(find_usage, stdout); return EXIT_OK;
        default: cli_error("find: bad option '%s'", argv[optind - 1]); return cli_usage(find_usage);
        }
    }
    if (argc - optind != 2) {
        cli_error(argc - optind < 2 ? "find: give a document ID and a query"
                                    : "find: give the query as one argument (quote it)");
        return cli_usage(find_usage);
    }
    const char *id = argv[optind], *query = argv[optind + 1];
    int bold = cli_color(STDOUT_FILENO);
    find_out f = {.open = json   ? "<mark>"
                          : bold ? "\033[1m"
                                 : "**",
                  .close = json   ? "</mark>"
                           : bold ? "\033[0m"
                                  : "**"};
    dc_buf rows;
    dc_json rj;
    if (json) {
        cli_json_rows(&rj, &rows, "passages");
        f.j = &rj;
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) {
        if (json) dc_buf_release(&rows);
        return code;
    }
    size_t n = 0;
    dc_rc rc = dc_db_find(db, id, query, f.open, f.close, find_row, &f, &n);
    if (rc) {
        if (json) dc_buf_release(&rows);
        cli_error("find: %s", rc == DC_NOMEM ? dc_strerror(rc) : dc_db_errmsg(db));
        dc_db_close(db);
        return rc == DC_PARSE || rc == DC_MISUSE ? EXIT_USAGE : cli_exit_code(rc);
    }
    dc_db_close(db);
    if (!json) {
        fprintf(stderr, "%zu passage%s\n", n, n == 1 ? "" : "s");
        return n ? EXIT_OK : EXIT_NOTFOUND;
    }
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_json_obj(&j);
    dc_json_kstr(&j, "id", id);
    dc_json_kstr(&j, "query", query);
    dc_json_kint(&j, "total", (long long)n);
    cli_json_splice(&j, "passages", &rows);
    dc_json_end(&j);
    int out = cli_json_print(&b);
    if (out == EXIT_OK && !n) {
        cli_error("find: no passage matches");
        return EXIT_NOTFOUND;
    }
    return out;
}

static const char optimize_usage[] =
    "usage: declass [--db PATH] optimize [--json]\n"
    "\n"
    "Merges the index segments into one (searches get faster; documents\n"
    "superseded by newer versions are dropped from the index).\n"
    "  --json    print {\"ok\": true, \"action\": \"optimize\"}\n";

static const char check_usage[] =
    "usage: declass [--db PATH] check [--json]\n"
    "\n"
    "Verifies the store and the index: segment checksums, sorted terms,\n"
    "postings in bounds, and that the index holds exactly the current\n"
    "versions of the stored documents.  Exit status 5 if anything is wrong.\n"
    "  --json    print {\"ok\": true, \"action\": \"check\"} (a problem: the error\n"
    "            object on stderr)\n";

/* The commands that take no arguments and run one facade call. */
static int simple(const cli_ctx *ctx, int argc, char **argv, const char *usage,
                  dc_rc (*fn)(dc_db *), const char *done)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            cli_error("%s takes no arguments but --json", argv[0]);
            return cli_usage(usage);
        }
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    dc_rc rc = fn(db);
    if (rc) cli_error("%s: %s", argv[0], dc_db_errmsg(db));
    else if (!json) fprintf(stderr, "declass: %s\n", done);
    dc_db_close(db);
    if (rc) return cli_exit_code(rc);
    return json ? cli_json_done(argv[0], NULL, 0) : EXIT_OK;
}

int cmd_optimize(const cli_ctx *ctx, int argc, char **argv)
{
    return simple(ctx, argc, argv, optimize_usage, dc_db_optimize, "index optimized");
}

int cmd_check(const cli_ctx *ctx, int argc, char **argv)
{
    return simple(ctx, argc, argv, check_usage, dc_db_check, "store and index are consistent");
}
