/*
 * The declass command: shared declarations of the subcommands (one
 * cmd_<name>() per subcommand, dispatched from the table in main.c).
 */
#ifndef DC_CLI_H
#define DC_CLI_H

#include "declass/declass.h"

/* Exit statuses of DESIGN.md. */
enum {
    EXIT_OK = 0,
    EXIT_NOTFOUND = 1,
    EXIT_USAGE = 2,
    EXIT_BADINPUT = 3,
    EXIT_DENIED = 4,
    EXIT_INTERNAL = 5,
};

/* What every subcommand receives besides its arguments. */
typedef struct cli_ctx {
    const char *db_path; /* --db, $DECLASS_DB or ./declass.db */
    const char *as;      /* --as USER or $DECLASS_USER; NULL: the public */
} cli_ctx;

/* The one place that maps library results to exit statuses. */
int cli_exit_code(dc_rc rc);
/* The name of an exit status in a JSON error object ("notfound",
 * "usage", "badinput", "denied", "internal"; "ok" for 0).  It depends on
 * the status alone, so it tells a reader nothing the status does not. */
const char *cli_exit_kind(int code);

/* 1 when --json was given to the command (main.c sets it before the
 * command runs): results are JSON on stdout, an error is one JSON object
 * on stderr, and human messages on stderr are left out. */
int cli_json(void);
/* Prints "declass: MESSAGE" to stderr; under --json, keeps the message
 * for the error object main() prints when the command fails. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a human message (e.g. "3 documents") to stderr, except under
 * --json, where the JSON result says it. */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Opens the database (creating it when create is set) and signs in as
 * ctx->as (password from $DECLASS_PASSWORD or the terminal); prints the
 * error and returns NULL on failure, with *code set to the exit status. */
dc_db *cli_open(const cli_ctx *ctx, int create, int *code);
/* Prints usage to stderr (not under --json) and returns EXIT_USAGE. */
int cli_usage(const char *usage);
/* 1 if arg is "-h" or "--help". */
int cli_is_help(const char *arg);
/* Parses "COMMAND ARG [--json]" (argv[0] is the command): -1 with *arg
 * and *json set, or the exit status to return (help printed: 0; a bad or
 * missing argument, what naming it: usage printed, 2).  arg NULL: the
 * command takes no argument, only --json and --help. */
int cli_one_arg(int argc, char **argv, const char *usage, const char *what, const char **arg,
                int *json);

/* The cap of one JSON document the CLI prints. */
#define CLI_JSON_LIMIT ((size_t)1 << 30)
/* Starts a JSON document in b (capped at CLI_JSON_LIMIT), written by j
 * indented as cJSON_Print lays it out. */
void cli_json_start(dc_json *j, dc_buf *b);
/* Prints b (one JSON document) and a newline on stdout and releases b:
 * EXIT_OK, or EXIT_INTERNAL with the error printed when b's sticky error
 * is set (out of memory, larger than the cap). */
int cli_json_print(dc_buf *b);
/* For an array whose length goes before it (e.g. "total"): j writes the
 * items of array KEY of the top-level object into b, a buffer of their
 * own, laid out as they will stand; cli_json_splice() then writes KEY and
 * the array into the document of dst and releases b. */
void cli_json_rows(dc_json *j, dc_buf *b, const char *key);
void cli_json_splice(dc_json *dst, const char *key, dc_buf *b);
/* Prints {"ok": true, "action": ACTION, "id": ID, "version": N} for the
 * commands that act on a document (id NULL: no "id"; version 0: none). */
int cli_json_done(const char *action, const char *id, long version);

/* 1 when output to fd may be coloured: fd is a terminal, $NO_COLOR is
 * unset or empty, and $TERM is not "dumb". */
int cli_color(int fd);
/* 1 when progress may be drawn on stderr: it is a terminal that is not
 * TERM=dumb. */
int cli_progress(void);
/* "document" for 1, else "documents": the noun given in both forms. */
const char *cli_plural(long long n, const char *one, const char *many);
/* Appends to out "'best'" or "one of these: 'a', 'b'" for the candidates
 * most like word (as Git suggests commands: swaps are free, insertions
 * cheap, deletions dear; a candidate word begins is the most alike);
 * 0 when none is alike enough (out unchanged), else 1. */
int cli_suggest(const char *word, const char *const *cands, size_t n, dc_buf *out);

/* Reads a password: $VAR if set (env may be NULL), else from the terminal
 * with echo off (twice, and they must agree, when confirm is set).
 * Returns a malloc'd string, or NULL with a message printed. */
char *cli_password(const char *env, const char *prompt, int confirm);

int cmd_user(const cli_ctx *ctx, int argc, char **argv);
int cmd_withhold(const cli_ctx *ctx, int argc, char **argv);
int cmd_withholdings(const cli_ctx *ctx, int argc, char **argv);
int cmd_lift(const cli_ctx *ctx, int argc, char **argv);
int cmd_review(const cli_ctx *ctx, int argc, char **argv);
int cmd_releases(const cli_ctx *ctx, int argc, char **argv);
int cmd_diff(const cli_ctx *ctx, int argc, char **argv);
int cmd_release(const cli_ctx *ctx, int argc, char **argv);
int cmd_mark(const cli_ctx *ctx, int argc, char **argv);
int cmd_audit(const cli_ctx *ctx, int argc, char **argv);
int cmd_versions(const cli_ctx *ctx, int argc, char **argv);
int cmd_init(const cli_ctx *ctx, int argc, char **argv);
int cmd_ingest(const cli_ctx *ctx, int argc, char **argv);
int cmd_list(const cli_ctx *ctx, int argc, char **argv);
int cmd_show(const cli_ctx *ctx, int argc, char **argv);
int cmd_search(const cli_ctx *ctx, int argc, char **argv);
int cmd_refs(const cli_ctx *ctx, int argc, char **argv);
int cmd_find(const cli_ctx *ctx, int argc, char **argv);
int cmd_paper(const cli_ctx *ctx, int argc, char **argv);
int cmd_volume(const cli_ctx *ctx, int argc, char **argv);
int cmd_person(const cli_ctx *ctx, int argc, char **argv);
int cmd_optimize(const cli_ctx *ctx, int argc, char **argv);
int cmd_check(const cli_ctx *ctx, int argc, char **argv);
int cmd_serve(const cli_ctx *ctx, int argc, char **argv);
int cmd_export(const cli_ctx *ctx, int argc, char **argv);

#endif
