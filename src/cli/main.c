/*
 * declass — command-line front end.  A table of subcommands (as in Git's
 * git.c); each parses its own arguments and uses only the public API.
 */
#include <stdarg.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "banned.h"

typedef struct command {
    const char *name;
    int (*fn)(const cli_ctx *ctx, int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"init", cmd_init, "create an empty database"},
    {"ingest", cmd_ingest, "ingest TEI or plain-text files and folders"},
    {"list", cmd_list, "list the stored documents"},
    {"show", cmd_show, "print one document (text or JSON)"},
    {"search", cmd_search, "search the documents"},
    {"refs", cmd_refs, "list a document's references, outgoing and incoming"},
    {"paper", cmd_paper, "a policy paper: its documents, approval and chain"},
    {"person", cmd_person, "a person of the volumes' lists and the documents naming them"},
    {"optimize", cmd_optimize, "merge the index segments"},
    {"check", cmd_check, "verify the store and the index"},
    {"versions", cmd_versions, "list the versions of a document"},
    {"withhold", cmd_withhold, "withhold a portion of a document (reviewer)"},
    {"mark", cmd_mark, "set a portion's classification (reviewer)"},
    {"release", cmd_release, "release a document to the public (reviewer)"},
    {"user", cmd_user, "add, list, change and remove users"},
    {"audit", cmd_audit, "print the audit log (admin)"},
    {"serve", cmd_serve, "serve the reading room and the JSON API over HTTP"},
    {"export", cmd_export, "write every readable document as JSON Lines or TEI"},
};

static const char main_usage[] =
    "usage: declass [--db PATH] COMMAND [ARGS...]\n"
    "\n"
    "A records system for national-security and diplomatic documents.\n"
    "\n"
    "options:\n"
    "  --db PATH     database file (default: $DECLASS_DB, else ./declass.db)\n"
    "  --as USER     act as USER (default: $DECLASS_USER, else the anonymous\n"
    "                public reader); password from $DECLASS_PASSWORD or asked\n"
    "  --version     print the version\n"
    "  -h, --help    this help; 'declass COMMAND --help' for a command\n"
    "\n"
    "commands:\n";

static void print_main_usage(FILE *f)
{
    fputs(main_usage, f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nexit status: 0 ok, 1 not found, 2 usage, 3 bad input, 4 access denied, "
          "5 internal error\n",
          f);
}

int cli_exit_code(dc_rc rc)
{
    switch (rc) {
    case DC_OK: return EXIT_OK;
    case DC_NOTFOUND: return EXIT_NOTFOUND;
    case DC_MISUSE: return EXIT_USAGE;
    case DC_PARSE:
    case DC_LIMIT: return EXIT_BADINPUT;
    case DC_DENIED: return EXIT_DENIED;
    default: return EXIT_INTERNAL;
    }
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("declass: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_usage(const char *usage)
{
    fputs(usage, stderr);
    return EXIT_USAGE;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_print_json(cJSON *root)
{
    char *s = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!s) {
        cli_error("out of memory");
        return EXIT_INTERNAL;
    }
    puts(s);
    free(s);
    return EXIT_OK;
}

int cli_one_arg(int argc, char **argv, const char *usage, const char *what, const char **arg,
                int *json)
{
    *arg = NULL;
    *json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
        } else if (argv[i][0] == '-' || *arg) {
            cli_error("%s: unexpected argument '%s'", argv[0], argv[i]);
            return cli_usage(usage);
        } else {
            *arg = argv[i];
        }
    }
    if (*arg) return -1;
    cli_error("%s: no %s given", argv[0], what);
    return cli_usage(usage);
}

dc_db *cli_open(const cli_ctx *ctx, int create, int *code)
{
    dc_db *db = NULL;
    dc_error err = {0};
    dc_rc rc = dc_db_open(ctx->db_path, create ? DC_DB_CREATE : 0, &db, &err);
    if (rc) {
        cli_error("%s: %s", ctx->db_path, err.msg[0] ? err.msg : dc_strerror(rc));
        *code = cli_exit_code(rc);
        return NULL;
    }
    if (ctx->as) {
        char *pw = cli_password("DECLASS_PASSWORD", "Password: ", 0);
        rc = dc_db_login(db, ctx->as, pw ? pw : "");
        if (pw) {
            memset(pw, 0, strlen(pw));
            free(pw);
        }
        if (rc) {
            cli_error("%s", dc_db_errmsg(db));
            dc_db_close(db);
            *code = cli_exit_code(rc);
            return NULL;
        }
    }
    return db;
}

/* Takes "--as USER" / "--as=USER" out of a command's arguments (before a
 * "--"), so every command accepts it where DESIGN.md shows it. */
static int strip_as(cli_ctx *ctx, int argc, char **argv)
{
    int k = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc) argv[k++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--as") == 0) {
            if (i + 1 >= argc) return -1;
            ctx->as = argv[++i];
        } else if (strncmp(argv[i], "--as=", 5) == 0) {
            ctx->as = argv[i] + 5;
        } else {
            argv[k++] = argv[i];
        }
    }
    argv[k] = NULL;
    return k;
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    const char *env = getenv("DECLASS_DB");
    ctx.db_path = env && *env ? env : "declass.db";
    const char *user = getenv("DECLASS_USER");
    ctx.as = user && *user ? user : NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--db") == 0) {
            if (++i >= argc) {
                cli_error("--db needs a path");
                return EXIT_USAGE;
            }
            ctx.db_path = argv[i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            ctx.db_path = argv[i] + 5;
        } else if (strcmp(argv[i], "--as") == 0) {
            if (++i >= argc) {
                cli_error("--as needs a user name");
                return EXIT_USAGE;
            }
            ctx.as = argv[i];
        } else if (strncmp(argv[i], "--as=", 5) == 0) {
            ctx.as = argv[i] + 5;
        } else if (cli_is_help(argv[i])) {
            print_main_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            puts("declass 0.1.0");
            return EXIT_OK;
        } else {
            cli_error("unknown option '%s'", argv[i]);
            print_main_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        print_main_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 < argc) {
            char *help_argv[] = {argv[i + 1], "--help", NULL};
            for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
                if (strcmp(commands[c].name, argv[i + 1]) == 0)
                    return commands[c].fn(&ctx, 2, help_argv);
        }
        print_main_usage(stdout);
        return EXIT_OK;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (strcmp(commands[c].name, argv[i]) != 0) continue;
        int n = strip_as(&ctx, argc - i, argv + i);
        if (n < 0) {
            cli_error("--as needs a user name");
            return EXIT_USAGE;
        }
        if (ctx.as && !*ctx.as) ctx.as = NULL;
        return commands[c].fn(&ctx, n, argv + i);
    }
    cli_error("unknown command '%s'", argv[i]);
    print_main_usage(stderr);
    return EXIT_USAGE;
}
