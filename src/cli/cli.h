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
/* Prints "declass: MESSAGE" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Opens the database (creating it when create is set) and signs in as
 * ctx->as (password from $DECLASS_PASSWORD or the terminal); prints the
 * error and returns NULL on failure, with *code set to the exit status. */
dc_db *cli_open(const cli_ctx *ctx, int create, int *code);
/* Prints usage to stderr and returns EXIT_USAGE. */
int cli_usage(const char *usage);
/* Prints a cJSON value (indented) to stdout and frees it (NULL: out of
 * memory); EXIT_OK, or EXIT_INTERNAL with the message printed. */
struct cJSON;
int cli_print_json(struct cJSON *root);
/* 1 if arg is "-h" or "--help". */
int cli_is_help(const char *arg);
/* Parses "COMMAND ARG [--json]" (argv[0] is the command): -1 with *arg
 * and *json set, or the exit status to return (help printed: 0; a bad or
 * missing argument, what naming it: usage printed, 2). */
int cli_one_arg(int argc, char **argv, const char *usage, const char *what, const char **arg,
                int *json);

/* Reads a password: $VAR if set (env may be NULL), else from the terminal
 * with echo off (twice, and they must agree, when confirm is set).
 * Returns a malloc'd string, or NULL with a message printed. */
char *cli_password(const char *env, const char *prompt, int confirm);

int cmd_user(const cli_ctx *ctx, int argc, char **argv);
int cmd_withhold(const cli_ctx *ctx, int argc, char **argv);
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
int cmd_paper(const cli_ctx *ctx, int argc, char **argv);
int cmd_person(const cli_ctx *ctx, int argc, char **argv);
int cmd_optimize(const cli_ctx *ctx, int argc, char **argv);
int cmd_check(const cli_ctx *ctx, int argc, char **argv);
int cmd_serve(const cli_ctx *ctx, int argc, char **argv);
int cmd_export(const cli_ctx *ctx, int argc, char **argv);

#endif
