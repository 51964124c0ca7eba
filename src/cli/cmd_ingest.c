/*
 * declass ingest: files and folders, TEI, plain text or scans (PDFs and
 * page images), with progress on a terminal and a one-line summary.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "banned.h"

static const char ingest_usage[] =
    "usage: declass [--db PATH] ingest [--collection NAME] [--released] [--batch N]\n"
    "                              [--ocr auto|force|never] [--lang LANG] [--pages]\n"
    "                              [--quiet] [--json] PATH...\n"
    "\n"
    "Ingests files and folders.  Folders are walked recursively; hidden entries\n"
    "are skipped, and only .xml, .tei, .txt, .text, .pdf, .png, .tif, .tiff,\n"
    ".jpg and .jpeg files are read from them.  Each file is TEI XML (FRUS as\n"
    "history.state.gov publishes it), plain text / OCR output, or a scan: a PDF\n"
    "or a PNG, TIFF or JPEG page image, told apart by its content (a name whose\n"
    "extension says otherwise is bad input).  A PDF page's text layer is read\n"
    "as it is; a page without one, and an image, is read by OCR (Tesseract),\n"
    "one page per core at a time, in the helper program declass-scan\n"
    "(docs/scans.md).  Files are stored in batches\n"
    "(one transaction each, committed every N files, 32 MiB or 1 second): a\n"
    "file that fails stores nothing, and the others go on; if the command is\n"
    "killed, at most the open batch is lost, and running it again stores it.\n"
    "Re-ingesting an unchanged file changes nothing; a changed file adds a new\n"
    "version of its documents and keeps the old ones.  The database is created\n"
    "if it does not exist.\n"
    "\n"
    "  --collection NAME  collection of the documents (default: the TEI volume\n"
    "                     id, else the name of the folder the file is in); at\n"
    "                     most 128 bytes, not starting with '.', without '/',\n"
    "                     '\\', spaces or control characters\n"
    "  --released         a published edition: public, markings kept\n"
    "  --batch N          files per transaction at most (default 4096)\n"
    "  --ocr MODE         auto: OCR the pages without a text layer (default);\n"
    "                     force: OCR every page; never: text layers only (a\n"
    "                     scan with no text at all is then bad input)\n"
    "  --lang LANG        OCR languages, Tesseract's names (default eng; eng+fra)\n"
    "  --pages            each folder named is one document of its page images\n"
    "                     (.png, .tif, .tiff, .jpg, .jpeg), in name order\n"
    "  -q, --quiet        no progress and no summary (errors are still printed)\n"
    "  --json             print the summary as {\"ok\", \"files\", \"failed\", \"skipped\",\n"
    "                     \"new\", \"updated\", \"unchanged\", \"bytes\", \"errors\":\n"
    "                     [{\"path\", \"line\", \"message\"}]}\n"
    "\n"
    "Progress is drawn only when stderr is a terminal (and TERM is not dumb).\n"
    "Exit status 3 if any file could not be ingested (each is named with the\n"
    "reason), 5 if the database failed.\n";

typedef struct progress {
    int tty, quiet;
    struct timespec start, last;
    dc_json *errors; /* --json: the writer, inside the "errors" array */
} progress;

static double secs_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void on_progress(void *vctx, const dc_ingest_stats *st, const char *path)
{
    progress *pg = vctx;
    (void)path;
    if (pg->quiet || !pg->tty || secs_since(&pg->last) < 0.1) return;
    clock_gettime(CLOCK_MONOTONIC, &pg->last);
    double mb = (double)st->bytes / 1e6, t = secs_since(&pg->start);
    long docs = st->docs_new + st->docs_updated + st->docs_unchanged;
    fprintf(stderr, "\r\033[K  %ld %s, %ld %s, %.1f MB, %.1f MB/s   ", st->files,
            cli_plural(st->files, "file", "files"), docs, cli_plural(docs, "document", "documents"),
            mb, t > 0 ? mb / t : 0.0);
}

static void on_page(void *vctx, const char *path, int done, int pages)
{
    progress *pg = vctx;
    if (pg->quiet || !pg->tty || (done < pages && secs_since(&pg->last) < 0.1)) return;
    clock_gettime(CLOCK_MONOTONIC, &pg->last);
    const char *name = strrchr(path, '/');
    name = name && name[1] ? name + 1 : path;
    int width = 24, fill = pages > 0 ? done * width / pages : 0;
    fprintf(stderr, "\r\033[K  %.40s [", name);
    for (int i = 0; i < width; i++) fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] page %d of %d", done, pages);
}

static void on_warning(void *vctx, const char *path, const char *msg)
{
    progress *pg = vctx;
    if (pg->quiet) return;
    if (pg->tty) fputs("\r\033[K", stderr);
    fprintf(stderr, "declass: warning: %s: %s\n", path, msg);
}

/* A withholding the re-ingest orphaned: said even with --quiet. */
static void on_orphan(void *vctx, const char *id, const char *wid, const char *target)
{
    progress *pg = vctx;
    if (pg->tty && !pg->quiet) fputs("\r\033[K", stderr);
    cli_error("ingest: %s: withholding %s orphaned: its text is no longer in %s; %s stays "
              "withheld (and the document under review) until a reviewer lifts %s "
              "(declass withholdings %s)",
              id, wid, target, target, wid, id);
}

static void on_error(void *vctx, const char *path, const dc_error *err)
{
    progress *pg = vctx;
    if (pg->tty && !pg->quiet) fputs("\r\033[K", stderr);
    if (pg->errors) {
        dc_json *j = pg->errors;
        dc_json_obj(j);
        dc_json_kstr(j, "path", path);
        dc_json_key(j, "line");
        if (err->line > 0)
            dc_json_int(j, err->line);
        else
            dc_json_null(j);
        dc_json_kstr(j, "message", err->msg[0] ? err->msg : dc_strerror(err->rc));
        dc_json_end(j);
        return;
    }
    if (err->line > 0)
        cli_error("%s:%ld: %s", path, err->line, err->msg);
    else
        cli_error("%s: %s", path, err->msg[0] ? err->msg : dc_strerror(err->rc));
}

int cmd_ingest(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"collection", required_argument, NULL, 'c'},
                                         {"released", no_argument, NULL, 'r'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {"ocr", required_argument, NULL, 'o'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {"pages", no_argument, NULL, 'p'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    dc_ingest_opts io = {0};
    progress pg = {0};
    int c, json = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hqc:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': io.collection = optarg; break;
        case 'r': io.released = 1; break;
        case 'q': pg.quiet = 1; break;
        case 'b': {
            char *end;
            errno = 0;
            long n = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || n < 1 || n > 1000000) {
                cli_error("ingest: --batch must be a number of files from 1 to 1000000");
                return cli_usage(ingest_usage);
            }
            io.batch_files = n;
            break;
        }
        case 'o':
            if (!strcmp(optarg, "auto")) io.ocr = DC_OCR_AUTO;
            else if (!strcmp(optarg, "force")) io.ocr = DC_OCR_FORCE;
            else if (!strcmp(optarg, "never")) io.ocr = DC_OCR_NEVER;
            else {
                cli_error("ingest: --ocr must be auto, force or never");
                return cli_usage(ingest_usage);
            }
            break;
        case 'l': {
            size_t n = strlen(optarg), ok = n > 0 && n <= 64;
            for (const char *q = optarg; ok && *q; q++)
                ok = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                     (*q >= '0' && *q <= '9') || *q == '_' || *q == '+';
            if (!ok) {
                cli_error("ingest: --lang must be Tesseract language names joined by '+' "
                          "(eng, eng+fra)");
                return cli_usage(ingest_usage);
            }
            io.lang = optarg;
            break;
        }
        case 'p': io.pages = 1; break;
        case 'j': json = 1; break;
        case 'h': fputs(ingest_usage, stdout); return EXIT_OK;
        default:
            cli_error("ingest: bad option '%s'", argv[optind - 1]);
            return cli_usage(ingest_usage);
        }
    }
    if (optind >= argc) {
        cli_error("ingest: give at least one file or folder");
        return cli_usage(ingest_usage);
    }
    if (io.collection && !dc_collection_name_ok(io.collection)) {
        cli_error("ingest: bad --collection name: it must be 1-128 bytes, not start with '.', "
                  "and have no '/', '\\', spaces or control characters");
        return cli_usage(ingest_usage);
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 1, &code);
    if (!db) return code;
    pg.tty = cli_progress();
    clock_gettime(CLOCK_MONOTONIC, &pg.start);
    pg.last = pg.start;
    io.progress = on_progress;
    io.on_error = on_error;
    io.page_progress = on_page;
    io.on_warning = on_warning;
    io.on_orphan = on_orphan;
    io.ctx = &pg;
    dc_buf errors_b;
    dc_json errors_j;
    if (json) {
        cli_json_rows(&errors_j, &errors_b, "errors");
        pg.errors = &errors_j;
    }
    dc_ingest_stats st = {0};
    dc_rc worst = DC_OK;
    for (int i = optind; i < argc; i++) {
        dc_rc rc = dc_db_ingest(db, argv[i], &io, &st);
        if (rc == DC_PARSE || rc == DC_LIMIT) {
            worst = DC_PARSE;
        } else if (rc) {
            if (pg.tty && !pg.quiet) fputc('\n', stderr);
            cli_error("ingest stopped: %s", dc_db_errmsg(db));
            dc_db_close(db);
            if (json) dc_buf_release(&errors_b);
            return cli_exit_code(rc);
        }
    }
    dc_db_close(db);
    double t = secs_since(&pg.start), mb = (double)st.bytes / 1e6;
    if (pg.tty && !pg.quiet) fputs("\r\033[K", stderr);
    if (json) {
        dc_buf b;
        dc_json j;
        cli_json_start(&j, &b);
        dc_json_obj(&j);
        dc_json_kbool(&j, "ok", worst == DC_OK);
        dc_json_kstr(&j, "action", "ingest");
        dc_json_kint(&j, "files", st.files);
        dc_json_kint(&j, "failed", st.files_failed);
        dc_json_kint(&j, "skipped", st.files_skipped);
        dc_json_kint(&j, "new", st.docs_new);
        dc_json_kint(&j, "updated", st.docs_updated);
        dc_json_kint(&j, "unchanged", st.docs_unchanged);
        dc_json_kint(&j, "bytes", (long long)st.bytes);
        cli_json_splice(&j, "errors", &errors_b);
        dc_json_end(&j);
        int printed = cli_json_print(&b);
        if (printed) return printed;
        if (worst)
            cli_error("%ld of %ld %s could not be ingested", st.files_failed, st.files,
                      cli_plural(st.files, "file", "files"));
    } else if (!pg.quiet) {
        long docs = st.docs_new + st.docs_updated + st.docs_unchanged;
        fprintf(stderr,
                "ingested %ld %s (%ld failed): %ld new, %ld updated, %ld unchanged "
                "%s; %.2f MB in %.2f s (%.1f MB/s)\n",
                st.files, cli_plural(st.files, "file", "files"), st.files_failed, st.docs_new,
                st.docs_updated, st.docs_unchanged, cli_plural(docs, "document", "documents"),
                mb, t, t > 0 ? mb / t : 0.0);
        if (st.files_skipped)
            fprintf(stderr,
                    "skipped %ld %s in folders that declass does not read (not "
                    ".xml, .tei, .txt, .text or a scan)\n",
                    st.files_skipped, cli_plural(st.files_skipped, "file", "files"));
    }
    return cli_exit_code(worst);
}
