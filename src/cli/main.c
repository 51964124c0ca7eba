/*
 * declass — command-line front end.  A table of subcommands (as in Git's
 * git.c); each parses its own arguments and uses only the public API.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    {"find", cmd_find, "search within one document: its passages holding the words"},
    {"refs", cmd_refs, "list a document's references, outgoing and incoming"},
    {"paper", cmd_paper, "a policy paper: its documents, approval and chain"},
    {"person", cmd_person, "a person of the volumes' lists and the documents naming them"},
    {"volume", cmd_volume, "a volume: its editors and table of contents"},
    {"optimize", cmd_optimize, "merge the index segments"},
    {"check", cmd_check, "verify the store and the index"},
    {"versions", cmd_versions, "list the versions of a document"},
    {"withhold", cmd_withhold, "withhold a portion or a span of a document (reviewer)"},
    {"withholdings", cmd_withholdings, "list a document's withholdings (reviewer)"},
    {"lift", cmd_lift, "lift a withholding at the next release (reviewer)"},
    {"review", cmd_review, "the review workflow: queue, refer, decide, approve (reviewer)"},
    {"releases", cmd_releases, "list the releases of a document"},
    {"diff", cmd_diff, "what became public or was withheld between two releases"},
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
    "Every command takes --help, and --json for its result as one JSON\n"
    "document on stdout (an error: {\"error\": {\"code\", \"kind\", \"message\"}}\n"
    "on stderr).\n"
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

const char *cli_exit_kind(int code)
{
    switch (code) {
    case EXIT_OK: return "ok";
    case EXIT_NOTFOUND: return "notfound";
    case EXIT_USAGE: return "usage";
    case EXIT_BADINPUT: return "badinput";
    case EXIT_DENIED: return "denied";
    default: return "internal";
    }
}

/* --json given, and the messages of cli_error() kept for the error
 * object (joined by "; ", at most 64 KiB). */
static int json_mode;
static dc_buf json_errors;

int cli_json(void) { return json_mode; }

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (json_mode) {
        char msg[2048];
        vsnprintf(msg, sizeof msg, fmt, ap);
        if (json_errors.len) dc_buf_puts(&json_errors, "; ");
        dc_buf_puts(&json_errors, msg);
    } else {
        fputs("declass: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    va_end(ap);
}

void cli_note(const char *fmt, ...)
{
    if (json_mode) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* Under --json, a failed command's error as one line on stderr:
 * {"error":{"code":N,"kind":"...","message":"..."}}. */
static void print_json_error(int code)
{
    dc_buf b;
    dc_json j;
    dc_buf_init(&b, (size_t)128 << 10);
    dc_json_init(&j, &b, 0);
    dc_json_obj(&j);
    dc_json_key(&j, "error");
    dc_json_obj(&j);
    dc_json_kint(&j, "code", code);
    dc_json_kstr(&j, "kind", cli_exit_kind(code));
    dc_json_kstr(&j, "message", json_errors.rc || !json_errors.len ? cli_exit_kind(code)
                                                                   : json_errors.p);
    dc_json_end(&j);
    dc_json_end(&j);
    if (!b.rc)
        fprintf(stderr, "%s\n", b.p);
    else /* out of memory: the same object without the message */
        fprintf(stderr, "{\"error\":{\"code\":%d,\"kind\":\"%s\",\"message\":\"%s\"}}\n",
                code, cli_exit_kind(code), cli_exit_kind(code));
    dc_buf_release(&b);
}

int cli_usage(const char *usage)
{
    if (!json_mode) fputs(usage, stderr);
    return EXIT_USAGE;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

void cli_json_start(dc_json *j, dc_buf *b)
{
    dc_buf_init(b, CLI_JSON_LIMIT);
    dc_json_init(j, b, 1);
}

int cli_json_print(dc_buf *b)
{
    dc_rc rc = b->rc ? b->rc : b->p ? DC_OK : DC_NOMEM;
    if (rc) {
        dc_buf_release(b);
        cli_error(rc == DC_LIMIT ? "the JSON output would pass %zu MiB"
                                 : "out of memory (%zu MiB JSON output cap)",
                  CLI_JSON_LIMIT >> 20);
        return EXIT_INTERNAL;
    }
    fwrite(b->p, 1, b->len, stdout);
    putchar('\n');
    dc_buf_release(b);
    return EXIT_OK;
}

void cli_json_rows(dc_json *j, dc_buf *b, const char *key)
{
    cli_json_start(j, b);
    dc_json_obj(j);
    dc_json_key(j, key);
    dc_json_arr(j);
    dc_buf_reset(b); /* the writer stays inside the array */
}

void cli_json_splice(dc_json *dst, const char *key, dc_buf *b)
{
    dc_json_key(dst, key);
    dc_json_arr(dst);
    if (b->len) dc_buf_add(dst->b, b->p, b->len);
    if (b->rc && !dst->b->rc) dst->b->rc = b->rc;
    dc_json_end(dst);
    dc_buf_release(b);
}

int cli_json_done(const char *action, const char *id, long version)
{
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_json_obj(&j);
    dc_json_kbool(&j, "ok", 1);
    dc_json_kstr(&j, "action", action);
    if (id) dc_json_kstr(&j, "id", id);
    if (version > 0) dc_json_kint(&j, "version", version);
    dc_json_end(&j);
    return cli_json_print(&b);
}

int cli_color(int fd)
{
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(fd) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
}

int cli_progress(void)
{
    const char *term = getenv("TERM");
    return isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
}

const char *cli_plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The cost of turning a into b, Git's weights (help.c): a swap of two
 * adjacent characters 0, a substitution 2, an insertion 1, a deletion 3
 * (optimal string alignment).  Words longer than 63 bytes cost INT_MAX/2. */
static int edit_cost(const char *a, const char *b)
{
    enum { SWAP = 0, SUBST = 2, INSERT = 1, DELETE = 3, MAX = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= MAX || lb >= MAX) return 1 << 29;
    int d[MAX][MAX];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i * DELETE;
    for (size_t k = 0; k <= lb; k++) d[0][k] = (int)k * INSERT;
    for (size_t i = 1; i <= la; i++) {
        for (size_t k = 1; k <= lb; k++) {
            int best = d[i - 1][k - 1] + (a[i - 1] == b[k - 1] ? 0 : SUBST);
            if (d[i - 1][k] + DELETE < best) best = d[i - 1][k] + DELETE;
            if (d[i][k - 1] + INSERT < best) best = d[i][k - 1] + INSERT;
            if (i > 1 && k > 1 && a[i - 1] == b[k - 2] && a[i - 2] == b[k - 1] &&
                d[i - 2][k - 2] + SWAP < best)
                best = d[i - 2][k - 2] + SWAP;
            d[i][k] = best;
        }
    }
    return d[la][lb];
}

int cli_suggest(const char *word, const char *const *cands, size_t n, dc_buf *out)
{
    /* Git's similarity: 0 for a candidate the word begins, else the cost
     * plus 1; alike enough below 7. */
    enum { ALIKE = 7, MAX_CANDS = 64 };
    int sim[MAX_CANDS], best = ALIKE;
    if (n > MAX_CANDS) n = MAX_CANDS;
    for (size_t i = 0; i < n; i++) {
        size_t lw = strlen(word);
        sim[i] = lw && strncmp(cands[i], word, lw) == 0 ? 0 : edit_cost(word, cands[i]) + 1;
        if (sim[i] < best) best = sim[i];
    }
    if (best >= ALIKE) return 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += sim[i] == best;
    if (count > 1) dc_buf_puts(out, "one of these: ");
    for (size_t i = 0, k = 0; i < n; i++) {
        if (sim[i] != best) continue;
        dc_buf_printf(out, "%s'%s'", k++ ? ", " : "", cands[i]);
    }
    return 1;
}

int cli_one_arg(int argc, char **argv, const char *usage, const char *what, const char **arg,
                int *json)
{
    if (arg) *arg = NULL;
    *json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
        } else if (argv[i][0] == '-' || !arg || *arg) {
            cli_error("%s: unexpected argument '%s'", argv[0], argv[i]);
            return cli_usage(usage);
        } else {
            *arg = argv[i];
        }
    }
    if (!arg || *arg) return -1;
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

/* Prints "'word' is not a declass command" with Git's suggestion. */
static int unknown_command(const char *word)
{
    const char *names[sizeof commands / sizeof commands[0] + 1];
    size_t n = 0;
    for (; n < sizeof commands / sizeof commands[0]; n++) names[n] = commands[n].name;
    names[n++] = "help";
    dc_buf hint;
    dc_buf_init(&hint, 4096);
    int alike = cli_suggest(word, names, n, &hint);
    if (alike && !hint.rc)
        cli_error("'%s' is not a declass command. Did you mean %s?", word, hint.p);
    else
        cli_error("'%s' is not a declass command. See 'declass --help'.", word);
    dc_buf_release(&hint);
    return EXIT_USAGE;
}

/* Runs the command, then (under --json) prints the error of a failure. */
static int run(int argc, char **argv)
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
            puts("declass 0.3.0");
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            cli_error("--json goes after the command ('declass COMMAND --json')");
            return EXIT_USAGE;
        } else {
            cli_error("unknown option '%s'", argv[i]);
            if (!json_mode) print_main_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        if (json_mode)
            cli_error("no command given; 'declass --help' lists them");
        else
            print_main_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 < argc && !cli_is_help(argv[i + 1])) {
            char *help_argv[] = {argv[i + 1], "--help", NULL};
            for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
                if (strcmp(commands[c].name, argv[i + 1]) == 0)
                    return commands[c].fn(&ctx, 2, help_argv);
            return unknown_command(argv[i + 1]);
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
    return unknown_command(argv[i]);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0) json_mode = 1;
    dc_buf_init(&json_errors, (size_t)64 << 10);
    int code = run(argc, argv);
    if (json_mode && code != EXIT_OK) print_json_error(code);
    dc_buf_release(&json_errors);
    return code;
}
