/*
 * declass export: every readable document (or every match of a query) for
 * bulk download, as JSON Lines or one TEI corpus, streamed to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "banned.h"

static const char export_usage[] =
    "usage: declass [--db PATH] export [QUERY] [--format jsonl|tei] [--json] [--as USER]\n"
    "\n"
    "Writes every document the reader (--as USER, else the public) may read, or\n"
    "every document matching QUERY (the query language of 'declass search'), to\n"
    "standard output, as the reader sees it: withheld text never appears.\n"
    "  --format jsonl  one JSON document (the model of 'show --json') per line\n"
    "                  (the default)\n"
    "  --format tei    one TEI <teiCorpus> holding each document's <TEI>\n"
    "  --json          the same as --format jsonl, without the count on standard\n"
    "                  error, and errors as JSON\n"
    "The number of documents written goes to standard error.  Exit status 1\n"
    "when QUERY matches nothing, 2 for a query that cannot be parsed.\n";

static dc_rc write_out(void *ctx, const char *data, size_t len)
{
    return len && fwrite(data, 1, len, (FILE *)ctx) != len ? DC_IO : DC_OK;
}

int cmd_export(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *format = NULL;
    int c, json = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hf:", opts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(export_usage, stdout); return EXIT_OK;
        default:
            cli_error("export: bad option '%s'", argv[optind - 1]);
            return cli_usage(export_usage);
        }
    }
    if (json && format && strcmp(format, "jsonl") != 0) {
        cli_error("export: --json and --format %s do not go together", format);
        return cli_usage(export_usage);
    }
    if (!format) format = "jsonl";
    if (!dc_format_find(format, DC_FORMAT_EXPORT)) {
        cli_error("export: unknown format '%s' (use %s)", format,
                  dc_format_names(DC_FORMAT_EXPORT));
        return cli_usage(export_usage);
    }
    if (argc - optind > 1) {
        cli_error("export: give at most one QUERY (quote it)");
        return cli_usage(export_usage);
    }
    const char *query = optind < argc ? argv[optind] : NULL;
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    long n = 0;
    dc_rc rc = dc_db_export(db, query, format, write_out, stdout, &n);
    if (!rc && fflush(stdout) != 0) {
        cli_error("export: cannot write the output: %s", strerror(errno));
        dc_db_close(db);
        return cli_exit_code(DC_IO);
    }
    if (rc) {
        cli_error("%s", dc_db_errmsg(db));
        dc_db_close(db);
        /* A query that cannot be parsed is a usage error, as for search. */
        int usage = query && n == 0 && (rc == DC_MISUSE || rc == DC_PARSE || rc == DC_LIMIT);
        return usage ? EXIT_USAGE : cli_exit_code(rc);
    }
    dc_db_close(db);
    cli_note("%ld %s\n", n, cli_plural(n, "document", "documents"));
    if (query && n == 0) {
        if (json) cli_error("export: no documents match");
        return EXIT_NOTFOUND;
    }
    return EXIT_OK;
}
