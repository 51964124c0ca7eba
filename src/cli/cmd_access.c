/*
 * declass user | withhold | mark | release | versions | audit, and the
 * password prompt.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "banned.h"

#define MAX_PASSWORD 1024
#define MAX_LIST 64 /* --compartment / --role given at most this often */

/* Reads one line from the terminal f with echo off. */
static char *read_hidden(FILE *f, const char *prompt)
{
    int fd = fileno(f);
    struct termios old, quiet;
    int have = tcgetattr(fd, &old) == 0;
    if (have) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    fputs(prompt, stderr);
    fflush(stderr);
    char buf[MAX_PASSWORD + 2];
    char *line = fgets(buf, sizeof buf, f);
    if (have) tcsetattr(fd, TCSAFLUSH, &old);
    fputc('\n', stderr);
    if (!line) return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    char *s = dc_strdup(buf);
    memset(buf, 0, sizeof buf);
    return s;
}

char *cli_password(const char *env, const char *prompt, int confirm)
{
    const char *v = env ? getenv(env) : NULL;
    if (v) {
        if (!*v) cli_error("$%s is empty", env);
        return *v ? dc_strdup(v) : NULL;
    }
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty) {
        cli_error("no password: set $%s or run on a terminal", env ? env : "DECLASS_PASSWORD");
        return NULL;
    }
    char *a = read_hidden(tty, prompt);
    char *b = a && confirm ? read_hidden(tty, "Again: ") : NULL;
    fclose(tty);
    if (!a || !*a || (confirm && (!b || strcmp(a, b) != 0))) {
        cli_error(!a || !*a ? "empty password" : "the passwords do not match");
        if (a) memset(a, 0, strlen(a));
        free(a);
        a = NULL;
    }
    if (b) memset(b, 0, strlen(b));
    free(b);
    return a;
}

static void wipe_free(char *s)
{
    if (s) memset(s, 0, strlen(s));
    free(s);
}

/* ---- user ------------------------------------------------------------ */

static const char user_usage[] =
    "usage: declass [--db PATH] [--as ADMIN] user add NAME --clearance LEVEL\n"
    "                              [--compartment C]... [--role reader|reviewer|admin]...\n"
    "                              [--agency NAME] [--json]\n"
    "       declass [--db PATH] [--as ADMIN] user list [--json]\n"
    "       declass [--db PATH] [--as USER] user passwd NAME [--json]\n"
    "       declass [--db PATH] [--as ADMIN] user del NAME [--json]\n"
    "\n"
    "Manages the accounts.  Only an administrator may, except that while the\n"
    "database has no administrator anyone may add the first user, who is made\n"
    "an administrator.  A user may change their own password.  'del' disables\n"
    "the account (its name stays in the audit log and cannot be reused).\n"
    "The new password is read from $DECLASS_NEW_PASSWORD, else (without --as)\n"
    "from $DECLASS_PASSWORD, else asked twice on the terminal; never empty.\n"
    "  --clearance LEVEL   UNCLASSIFIED, CONFIDENTIAL, SECRET or TOP SECRET\n"
    "  --compartment C     a need-to-know compartment (upper case, e.g. ANNEX-F)\n"
    "  --role R            reader (default), reviewer or admin\n"
    "  --agency NAME       the agency a reviewer decides referrals for (CIA, NSA, DOE)\n"
    "  --json              list: {\"users\": [{\"name\", \"clearance\", \"compartments\",\n"
    "                      \"roles\", \"agency\", \"created_at\", \"disabled\"}]}; add, passwd, del:\n"
    "                      {\"ok\": true, \"action\": \"user add\", \"user\": NAME} (add:\n"
    "                      and \"admin\": true for the first administrator)\n";

static char *new_password(const cli_ctx *ctx)
{
    const char *env = getenv("DECLASS_NEW_PASSWORD") ? "DECLASS_NEW_PASSWORD"
                      : !ctx->as                     ? "DECLASS_PASSWORD"
                                                     : NULL;
    return cli_password(env, "New password: ", 1);
}

typedef struct users_out {
    dc_json *j; /* --json: the writer, inside the "users" array */
    long n;
} users_out;

/* {"ok": true, "action": "user VERB", "user": NAME[, "admin": true]}. */
static int user_done(const char *action, const char *name, int made_admin)
{
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_json_obj(&j);
    dc_json_kbool(&j, "ok", 1);
    dc_json_kstr(&j, "action", action);
    dc_json_kstr(&j, "user", name);
    if (made_admin) dc_json_kbool(&j, "admin", 1);
    dc_json_end(&j);
    return cli_json_print(&b);
}

static dc_rc user_row(void *vctx, const dc_user_info *u)
{
    users_out *o = vctx;
    o->n++;
    const char *level = dc_level_name(u->level);
    dc_json *j = o->j;
    if (!j) {
        printf("%-20s %-13s %-24s %-22s %-8s%s\n", u->name, level ? level : "?",
               u->compartments && *u->compartments ? u->compartments : "-",
               u->roles ? u->roles : "-", u->agency && *u->agency ? u->agency : "-",
               u->disabled ? " (disabled)" : "");
        return DC_OK;
    }
    dc_json_obj(j);
    dc_json_kstr(j, "name", u->name);
    dc_json_kstr(j, "clearance", level);
    dc_json_kstr(j, "compartments", u->compartments);
    dc_json_kstr(j, "roles", u->roles);
    dc_json_kstr(j, "agency", u->agency && *u->agency ? u->agency : NULL);
    dc_json_kstr(j, "created_at", u->created_at);
    dc_json_kbool(j, "disabled", u->disabled);
    dc_json_end(j);
    return j->b->rc;
}

static int user_add(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"clearance", required_argument, NULL, 'c'},
                                         {"compartment", required_argument, NULL, 'C'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"agency", required_argument, NULL, 'a'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *comps[MAX_LIST];
    dc_user_spec u = {.level = -1, .compartments = comps};
    int c, json = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if ((u.level = dc_level_parse(optarg)) < 0) {
                cli_error("user add: unknown clearance '%s'", optarg);
                return cli_usage(user_usage);
            }
            break;
        case 'C':
            if (u.n_compartments >= MAX_LIST) {
                cli_error("user add: too many compartments");
                return cli_usage(user_usage);
            }
            comps[u.n_compartments++] = optarg;
            break;
        case 'r': {
            int r = dc_role_parse(optarg);
            if (!r) {
                cli_error("user add: unknown role '%s' (reader, reviewer or admin)", optarg);
                return cli_usage(user_usage);
            }
            u.roles |= r;
            break;
        }
        case 'a': u.agency = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(user_usage, stdout); return EXIT_OK;
        default:
            cli_error("user add: bad option '%s'", argv[optind - 1]);
            return cli_usage(user_usage);
        }
    }
    if (optind != argc - 1 || u.level < 0) {
        cli_error(u.level < 0 ? "user add: give --clearance LEVEL" : "user add: give one NAME");
        return cli_usage(user_usage);
    }
    u.name = argv[optind];
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    char *pw = new_password(ctx);
    if (!pw) {
        dc_db_close(db);
        return EXIT_USAGE;
    }
    u.password = pw;
    int made_admin = 0;
    dc_rc rc = dc_db_user_add(db, &u, &made_admin);
    wipe_free(pw);
    if (rc) {
        cli_error("user add: %s", dc_db_errmsg(db));
    } else if (!json) {
        fprintf(stderr, "declass: user %s added%s\n", u.name,
                made_admin ? " as the first administrator" : "");
    }
    dc_db_close(db);
    if (rc) return cli_exit_code(rc);
    return json ? user_done("user add", u.name, made_admin) : EXIT_OK;
}

static int user_list(const cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    int code = cli_one_arg(argc, argv, user_usage, NULL, NULL, &json);
    if (code >= 0) return code;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    users_out o = {0};
    dc_buf b;
    dc_json j;
    if (json) {
        cli_json_start(&j, &b);
        dc_json_obj(&j);
        dc_json_key(&j, "users");
        dc_json_arr(&j);
        o.j = &j;
    }
    dc_rc rc = dc_db_user_list(db, user_row, &o);
    if (rc) {
        cli_error("user list: %s",
                  rc == DC_NOMEM || rc == DC_LIMIT ? dc_strerror(rc) : dc_db_errmsg(db));
        if (json) dc_buf_release(&b);
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    if (!json) return EXIT_OK;
    dc_json_end(&j);
    dc_json_end(&j);
    return cli_json_print(&b);
}

static int user_name_cmd(const cli_ctx *ctx, int argc, char **argv, int passwd)
{
    const char *name = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(user_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (argv[i][0] == '-' || name) {
            cli_error("user %s: unexpected argument '%s'", passwd ? "passwd" : "del", argv[i]);
            return cli_usage(user_usage);
        } else {
            name = argv[i];
        }
    }
    if (!name) {
        cli_error("user %s: give one NAME", passwd ? "passwd" : "del");
        return cli_usage(user_usage);
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    dc_rc rc;
    if (passwd) {
        char *pw = new_password(ctx);
        if (!pw) {
            dc_db_close(db);
            return EXIT_USAGE;
        }
        rc = dc_db_user_passwd(db, name, pw);
        wipe_free(pw);
    } else {
        rc = dc_db_user_del(db, name);
    }
    if (rc)
        cli_error("user %s: %s", passwd ? "passwd" : "del", dc_db_errmsg(db));
    else if (!json)
        fprintf(stderr, "declass: %s %s\n", passwd ? "password changed for" : "disabled user",
                name);
    dc_db_close(db);
    if (rc) return cli_exit_code(rc);
    return json ? user_done(passwd ? "user passwd" : "user del", name, 0) : EXIT_OK;
}

int cmd_user(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        if (argc >= 2) {
            fputs(user_usage, stdout);
            return EXIT_OK;
        }
        if (cli_json()) cli_error("user: give a subcommand (add, list, passwd, del)");
        return cli_usage(user_usage);
    }
    if (strcmp(argv[1], "add") == 0) return user_add(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0) return user_list(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "passwd") == 0) return user_name_cmd(ctx, argc - 1, argv + 1, 1);
    if (strcmp(argv[1], "del") == 0) return user_name_cmd(ctx, argc - 1, argv + 1, 0);
    static const char *const subs[] = {"add", "list", "passwd", "del"};
    dc_buf hint;
    dc_buf_init(&hint, 4096);
    if (cli_suggest(argv[1], subs, 4, &hint) && !hint.rc)
        cli_error("user: '%s' is not a 'declass user' subcommand. Did you mean %s?", argv[1],
                  hint.p);
    else
        cli_error("user: unknown subcommand '%s' (add, list, passwd, del)", argv[1]);
    dc_buf_release(&hint);
    return cli_usage(user_usage);
}

/* ---- review ------------------------------------------------------------ */

static const char mark_usage[] =
    "usage: declass [--db PATH] --as REVIEWER mark ID PORTION --classification LEVEL\n"
    "                              [--compartment C]... [--json]\n"
    "\n"
    "Sets the classification and compartments of portion PORTION of document ID\n"
    "in a new version (compartments given replace the portion's).\n"
    "  --json    print {\"ok\": true, \"action\": \"mark\", \"id\", \"version\"}\n";

static const char release_usage[] =
    "usage: declass [--db PATH] --as REVIEWER release ID [--json]\n"
    "\n"
    "Releases document ID: a new version with release status \"released\" and\n"
    "today's date (UTC).  Withheld portions stay withheld; the public reads the\n"
    "rest.  The reviewer must be cleared for every portion not withheld.\n"
    "  --json    print {\"ok\": true, \"action\": \"release\", \"id\", \"version\"}\n";

/* Parses ID [PORTION] and the options of withhold / mark / release. */
typedef struct review_args {
    const char *id, *portion, *reason, *level;
    const char *comps[MAX_LIST];
    size_t n_comps;
    int json;
} review_args;

static int review_parse(int argc, char **argv, int want_portion, const char *usage,
                        review_args *a)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {"classification", required_argument, NULL, 'c'},
                                         {"compartment", required_argument, NULL, 'C'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': a->json = 1; break;
        case 'r': a->reason = optarg; break;
        case 'c': a->level = optarg; break;
        case 'C':
            if (a->n_comps >= MAX_LIST) {
                cli_error("%s: too many compartments", argv[0]);
                return cli_usage(usage);
            }
            a->comps[a->n_comps++] = optarg;
            break;
        case 'h': fputs(usage, stdout); return -1;
        default:
            cli_error("%s: bad option '%s'", argv[0], argv[optind - 1]);
            return cli_usage(usage);
        }
    }
    if (argc - optind != 1 + want_portion) {
        cli_error("%s: give %s", argv[0], want_portion ? "ID and PORTION" : "one ID");
        return cli_usage(usage);
    }
    a->id = argv[optind];
    a->portion = want_portion ? argv[optind + 1] : NULL;
    return 0;
}

/* Reports the new version a review call made (or its error). */
static int review_report(dc_db *db, dc_rc rc, const char *what, const review_args *a,
                         int version)
{
    if (rc)
        cli_error("%s: %s", what, dc_db_errmsg(db));
    else if (!a->json)
        fprintf(stderr, "declass: %s: %s is now at version %d\n", what, a->id, version);
    dc_db_close(db);
    if (rc) return cli_exit_code(rc);
    return a->json ? cli_json_done(what, a->id, version) : EXIT_OK;
}

int cmd_mark(const cli_ctx *ctx, int argc, char **argv)
{
    review_args a = {0};
    int r = review_parse(argc, argv, 1, mark_usage, &a);
    if (r) return r < 0 ? EXIT_OK : r;
    if (!a.level || a.reason) {
        cli_error("mark: give --classification LEVEL");
        return cli_usage(mark_usage);
    }
    if (dc_level_parse(a.level) < 0) {
        cli_error("mark: unknown classification '%s'", a.level);
        return cli_usage(mark_usage);
    }
    int code = 0, version = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    dc_rc rc = dc_db_mark(db, a.id, a.portion, a.level, a.comps, a.n_comps, &version);
    return review_report(db, rc, "mark", &a, version);
}

int cmd_release(const cli_ctx *ctx, int argc, char **argv)
{
    review_args a = {0};
    int r = review_parse(argc, argv, 0, release_usage, &a);
    if (r) return r < 0 ? EXIT_OK : r;
    if (a.reason || a.level || a.n_comps) {
        cli_error("release: takes only an ID");
        return cli_usage(release_usage);
    }
    int code = 0, version = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    dc_rc rc = dc_db_release(db, a.id, &version);
    return review_report(db, rc, "release", &a, version);
}

/* ---- versions, audit --------------------------------------------------- */

static const char versions_usage[] =
    "usage: declass [--db PATH] versions ID [--json]\n"
    "\n"
    "Lists every version of document ID, oldest first: number, time, release\n"
    "status, classification and what made it (a file, or withhold / mark /\n"
    "release by a user).  'show ID --version N' prints one (the reader's view:\n"
    "a version that was not released is not public).\n"
    "  --json    {\"id\", \"versions\": [{\"version\", \"ingested_at\", \"release_status\",\n"
    "            \"classification\", \"source\"}]}\n";

static const char audit_usage[] =
    "usage: declass [--db PATH] --as ADMIN audit [--json]\n"
    "\n"
    "Prints the append-only audit log (administrators only): every login,\n"
    "read, list, search, ingest, review, user change and refusal, with the\n"
    "user (\"public\" for the anonymous reader).\n"
    "  --json    {\"entries\": [{\"seq\", \"at\", \"user\", \"action\", \"target\",\n"
    "            \"detail\"}]}\n";

/* Rows of versions or audit as text lines or a JSON array. */
typedef struct rows_out {
    dc_json *j; /* --json: the writer, inside the array */
} rows_out;

/* One JSON row: {num_key: num, keys[i]: vals[i]...}. */
static dc_rc add_obj(rows_out *o, const char *const *keys, const char *const *vals, size_t n,
                     const char *num_key, long long num)
{
    dc_json *j = o->j;
    dc_json_obj(j);
    dc_json_kint(j, num_key, num);
    for (size_t i = 0; i < n; i++) dc_json_kstr(j, keys[i], vals[i]);
    dc_json_end(j);
    return j->b->rc;
}

static dc_rc version_row(void *ctx, const dc_version_info *v)
{
    rows_out *o = ctx;
    if (!o->j) {
        printf("%3d  %-20s  %-12s  %-14s  %s\n", v->version, v->ingested_at ? v->ingested_at : "",
               v->release_status ? v->release_status : "-",
               v->classification ? v->classification : "-", v->source ? v->source : "");
        return DC_OK;
    }
    const char *keys[] = {"ingested_at", "release_status", "classification", "source"};
    const char *vals[] = {v->ingested_at, v->release_status, v->classification, v->source};
    return add_obj(o, keys, vals, 4, "version", v->version);
}

static dc_rc audit_row(void *ctx, const dc_audit_entry *e)
{
    rows_out *o = ctx;
    if (!o->j) {
        printf("%lld  %s  %-12s  %-14s  %s%s%s\n", e->seq, e->at ? e->at : "",
               e->user ? e->user : "", e->action ? e->action : "", e->target ? e->target : "",
               e->detail ? "  " : "", e->detail ? e->detail : "");
        return DC_OK;
    }
    const char *keys[] = {"at", "user", "action", "target", "detail"};
    const char *vals[] = {e->at, e->user, e->action, e->target, e->detail};
    return add_obj(o, keys, vals, 5, "seq", e->seq);
}

/* versions ID [--json] and audit [--json]. */
static int listing(const cli_ctx *ctx, int argc, char **argv, int versions)
{
    const char *usage = versions ? versions_usage : audit_usage;
    int json = 0;
    const char *id = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (versions && !id && argv[i][0] != '-') {
            id = argv[i];
        } else {
            cli_error("%s: unexpected argument '%s'", argv[0], argv[i]);
            return cli_usage(usage);
        }
    }
    if (versions && !id) {
        cli_error("versions: which document? give an ID");
        return cli_usage(usage);
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    rows_out o = {0};
    dc_buf b;
    dc_json j;
    if (json) {
        cli_json_start(&j, &b);
        dc_json_obj(&j);
        if (versions) dc_json_kstr(&j, "id", id);
        dc_json_key(&j, versions ? "versions" : "entries");
        dc_json_arr(&j);
        o.j = &j;
    }
    dc_rc rc = versions ? dc_db_versions(db, id, version_row, &o)
                        : dc_db_audit(db, audit_row, &o);
    if (rc) {
        cli_error("%s: %s", argv[0],
                  rc == DC_NOMEM || rc == DC_LIMIT ? dc_strerror(rc) : dc_db_errmsg(db));
        if (json) dc_buf_release(&b);
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    if (!json) return EXIT_OK;
    dc_json_end(&j);
    dc_json_end(&j);
    return cli_json_print(&b);
}

int cmd_versions(const cli_ctx *ctx, int argc, char **argv) { return listing(ctx, argc, argv, 1); }

int cmd_audit(const cli_ctx *ctx, int argc, char **argv) { return listing(ctx, argc, argv, 0); }
