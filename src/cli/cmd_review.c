/*
 * declass withhold, withholdings, lift: the reviewer's decisions inside a
 * document (docs/review.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "banned.h"

static const char withhold_usage[] =
    "usage: declass [--db PATH] --as REVIEWER withhold ID PORTION --reason CODE\n"
    "                 [--text \"EXACT TEXT\" [--occurrence N]] [--kind KIND]\n"
    "                 [--agency NAME] [--until YYYY-MM-DD | --event TEXT] [--json]\n"
    "\n"
    "Withholds PORTION of document ID, or the span --text inside it, in a new\n"
    "version.  PORTION is a portion id (p1, p2, ... as in 'show --json'), a\n"
    "footnote (fn3: the note with marker 3), 'source' (the source note) or\n"
    "'title'.  The public reads a FRUS notice in its place at once:\n"
    "  --text TEXT       the exact text to withhold (else the whole PORTION)\n"
    "  --occurrence N    its Nth occurrence in PORTION (default 1)\n"
    "  --kind KIND       name, place, lines (default) or paragraph: the notice\n"
    "                    \"[name not declassified]\", \"[2 names not declassified]\"\n"
    "                    (adjacent names merge), \"[place not declassified]\",\n"
    "                    \"[less than 1 line of source text not declassified]\",\n"
    "                    \"[1 paragraph (3 lines of source text) not declassified]\"\n"
    "  --reason CODE     exemption: 25X1..25X9, 50X1..50X9, 75X1..75X9 (these\n"
    "                    need --until or --event), 50X1-HUM, 50X2-WMD, (b)(1)..(b)(9),\n"
    "                    (b)(7)(A)..(b)(7)(F), RD, FRD, TFNI, or a list \"25X1, 25X6\"\n"
    "  --agency NAME     the agency whose equity it is\n"
    "  --until DATE      declassification date (YYYY-MM-DD)\n"
    "  --event TEXT      declassification event\n"
    "Prints the withholding's id (w1, w2, ...).\n"
    "  --json    print {\"ok\": true, \"action\": \"withhold\", \"id\": WID, \"document\",\n"
    "            \"version\", \"withholding\": {...as withholdings --json}}\n";

static const char withholdings_usage[] =
    "usage: declass [--db PATH] --as REVIEWER withholdings ID [--json]\n"
    "\n"
    "Lists every withholding of document ID: id, portion, span, kind, code,\n"
    "agency, date or event, reviewer, time and status (withheld, lift-pending,\n"
    "lifted).  The withheld text and span only when you may read them.\n"
    "  --json    {\"id\", \"withholdings\": [{\"id\", \"portion\", \"whole\", \"start\",\n"
    "            \"end\", \"text\", \"kind\", \"code\", \"agency\", \"until\", \"event\",\n"
    "            \"reviewer\", \"at\", \"status\", \"lifted_by\", \"lifted_at\", \"note\"}]}\n";

static const char lift_usage[] =
    "usage: declass [--db PATH] --as REVIEWER lift ID WID --note TEXT [--json]\n"
    "\n"
    "Lifts withholding WID of document ID (as 'declass withholdings' lists it;\n"
    "a portion withheld before withholdings were recorded by its portion id),\n"
    "saying why in --note.  It stays withheld until the next release.\n"
    "  --json    print {\"ok\": true, \"action\": \"lift\", \"id\": WID, \"document\",\n"
    "            \"version\", \"withholding\": {...}}\n";

/* Prints the facade's answer to a withhold or lift (dc_db_withhold_done_json)
 * and closes db. */
static int done_json(dc_db *db, const char *action, const char *wid, const char *doc, int version)
{
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_rc rc = dc_db_withhold_done_json(db, &j, action, doc, wid, version);
    if (rc && !b.rc) {
        cli_error("%s: %s", action, dc_db_errmsg(db));
        dc_buf_release(&b);
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    return cli_json_print(&b);
}

int cmd_withhold(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {"text", required_argument, NULL, 't'},
                                         {"occurrence", required_argument, NULL, 'o'},
                                         {"kind", required_argument, NULL, 'k'},
                                         {"agency", required_argument, NULL, 'a'},
                                         {"until", required_argument, NULL, 'u'},
                                         {"event", required_argument, NULL, 'e'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    dc_withhold_spec s = {0};
    int c, json = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': s.code = optarg; break;
        case 't': s.text = optarg; break;
        case 'o': {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (!*optarg || *end || n < 1 || n > 1000000) {
                cli_error("withhold: --occurrence takes a number from 1");
                return cli_usage(withhold_usage);
            }
            s.occurrence = (int)n;
            break;
        }
        case 'k': s.kind = optarg; break;
        case 'a': s.agency = optarg; break;
        case 'u': s.until = optarg; break;
        case 'e': s.event = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(withhold_usage, stdout); return EXIT_OK;
        default:
            cli_error("withhold: bad option '%s'", argv[optind - 1]);
            return cli_usage(withhold_usage);
        }
    }
    if (argc - optind != 2) {
        cli_error("withhold: give ID and PORTION");
        return cli_usage(withhold_usage);
    }
    s.id = argv[optind];
    s.target = argv[optind + 1];
    if (!s.code) {
        cli_error("withhold: give --reason CODE (no code is assumed)");
        return cli_usage(withhold_usage);
    }
    char msg[1024];
    if (dc_reason_check(s.code, s.until, s.event, msg, sizeof msg)) {
        cli_error("withhold: %s", msg);
        return cli_usage(withhold_usage);
    }
    if (s.occurrence && !s.text) {
        cli_error("withhold: --occurrence goes with --text");
        return cli_usage(withhold_usage);
    }
    int code = 0, version = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    char wid[64];
    dc_rc rc = dc_db_withhold_span(db, &s, wid, sizeof wid, &version);
    if (rc) {
        cli_error("withhold: %s", dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    if (json) return done_json(db, "withhold", wid, s.id, version);
    dc_db_close(db);
    printf("%s\n", wid);
    fprintf(stderr, "declass: withhold: %s is now at version %d\n", s.id, version);
    return EXIT_OK;
}

int cmd_lift(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"note", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *note = NULL;
    int c, json = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': note = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(lift_usage, stdout); return EXIT_OK;
        default: cli_error("lift: bad option '%s'", argv[optind - 1]); return cli_usage(lift_usage);
        }
    }
    if (argc - optind != 2) {
        cli_error("lift: give ID and WID");
        return cli_usage(lift_usage);
    }
    if (!note || !*note) {
        cli_error("lift: give --note TEXT saying why");
        return cli_usage(lift_usage);
    }
    const char *id = argv[optind], *wid = argv[optind + 1];
    int code = 0, version = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    dc_rc rc = dc_db_lift(db, id, wid, note, &version);
    if (rc) {
        cli_error("lift: %s", dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    if (json) return done_json(db, "lift", wid, id, version);
    dc_db_close(db);
    fprintf(stderr,
            "declass: lift: %s of %s lifted (published at the next release); %s is "
            "now at version %d\n",
            wid, id, id, version);
    return EXIT_OK;
}

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

static dc_rc withholding_row(void *ctx, const dc_withholding *w)
{
    (void)ctx;
    char span[64];
    if (w->whole) snprintf(span, sizeof span, "whole");
    else if (w->text) snprintf(span, sizeof span, "%zu-%zu", w->start, w->end);
    else snprintf(span, sizeof span, "span");
    printf("%-5s %-7s %-10s %-9s %-12s %-10s %-12s %-12s %-20s %s%s%s%s\n", or_dash(w->id),
           or_dash(w->target), span, or_dash(w->kind), or_dash(w->code), or_dash(w->agency),
           w->until ? w->until : or_dash(w->event), or_dash(w->reviewer), or_dash(w->at),
           or_dash(w->status), w->text ? "  \"" : "", w->text ? w->text : "", w->text ? "\"" : "");
    return DC_OK;
}

/* Prints one of the facade's review JSON answers (write) for id and closes
 * db; the exit code.  what names the command in a message. */
static int print_json(dc_db *db, const char *what, dc_rc (*write)(dc_db *, const char *, dc_json *),
                      const char *id)
{
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_rc rc = write(db, id, &j);
    if (rc && !b.rc) {
        cli_error("%s: %s", what,
                  rc == DC_NOMEM || rc == DC_LIMIT ? dc_strerror(rc) : dc_db_errmsg(db));
        dc_buf_release(&b);
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    return cli_json_print(&b);
}

int cmd_withholdings(const cli_ctx *ctx, int argc, char **argv)
{
    const char *id = NULL;
    int json = 0;
    int r = cli_one_arg(argc, argv, withholdings_usage, "an ID", &id, &json);
    if (r >= 0) return r;
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    if (json) return print_json(db, "withholdings", dc_db_withholdings_json, id);
    dc_rc rc = dc_db_withholdings(db, id, withholding_row, NULL);
    if (rc) {
        cli_error("withholdings: %s",
                  rc == DC_NOMEM || rc == DC_LIMIT ? dc_strerror(rc) : dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    return EXIT_OK;
}

/* ---- review: the workflow ------------------------------------------------ */

static const char review_usage[] =
    "usage: declass [--db PATH] --as REVIEWER review queue [--json]\n"
    "       declass [--db PATH] --as REVIEWER review queue ID --kind mdr|frus\n"
    "                                [--received YYYY-MM-DD] [--json]\n"
    "       declass [--db PATH] --as REVIEWER review show ID [--json]\n"
    "       declass [--db PATH] --as REVIEWER review start|decide|approve|appeal ID\n"
    "                                [--withheld-in-full] [--note TEXT] [--json]\n"
    "       declass [--db PATH] --as REVIEWER review refer ID --agency NAME...\n"
    "                                [--note TEXT] [--json]\n"
    "\n"
    "The declassification review of a document (docs/review.md).  States:\n"
    "queued -> in-review -> referred -> in-review -> decided -> approved ->\n"
    "released, or withheld-in-full; released or withheld-in-full -> appealed\n"
    "-> in-review.  'queue' alone lists the requests by due date; with an ID\n"
    "it queues one: --kind mdr (mandatory declassification review, due 180\n"
    "days after --received, default today) or frus (due in 120 days).\n"
    "'refer' sends it to agencies; while referred, only a reviewer of a\n"
    "referred agency (user add --agency) decides, for that agency.  'decide'\n"
    "(--withheld-in-full: nothing is released) records the decider; 'approve'\n"
    "(quality assurance) must come from another reviewer; 'release' then\n"
    "publishes it.  Every transition is audited.\n"
    "  --json    queue/show: {\"reviews\": [{\"id\", \"state\", \"kind\", \"received\",\n"
    "            \"due\", \"record\": {\"referrals\", \"decided_by\", \"approved_by\",\n"
    "            \"releases\", \"history\"}}]}; the others: {\"ok\": true, \"action\",\n"
    "            \"id\", \"state\"}\n";

static dc_rc review_row(void *ctx, const dc_review_info *r)
{
    (void)ctx;
    printf("%-36s %-16s %-5s received %s  due %s\n", r->id, r->state, r->kind, r->received, r->due);
    return DC_OK;
}

static dc_rc review_json_of(dc_db *db, const char *id, dc_json *j)
{
    return dc_db_review_json(db, id, j);
}

/* Lists the queue (id NULL) or one review; prints as rows or JSON. */
static int review_listing(dc_db *db, const char *id, int json)
{
    if (json) return print_json(db, "review", review_json_of, id);
    dc_rc rc = dc_db_review_list(db, id, review_row, NULL);
    if (rc) {
        cli_error("review: %s", dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    return EXIT_OK;
}

int cmd_review(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"kind", required_argument, NULL, 'k'},
                                         {"received", required_argument, NULL, 'r'},
                                         {"agency", required_argument, NULL, 'a'},
                                         {"note", required_argument, NULL, 'n'},
                                         {"withheld-in-full", no_argument, NULL, 'w'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || cli_is_help(argv[1])) {
        if (argc >= 2) {
            fputs(review_usage, stdout);
            return EXIT_OK;
        }
        cli_error("review: give a subcommand (queue, show, start, refer, decide, approve, "
                  "appeal)");
        return cli_usage(review_usage);
    }
    const char *sub = argv[1];
    static const char *const subs[] = {"queue",  "show",    "start", "refer",
                                       "decide", "approve", "appeal"};
    size_t si = 0;
    while (si < 7 && strcmp(sub, subs[si]) != 0) si++;
    if (si == 7) {
        cli_error("review: unknown subcommand '%s' (queue, show, start, refer, decide, approve, "
                  "appeal)",
                  sub);
        return cli_usage(review_usage);
    }
    const char *kind = NULL, *received = NULL, *note = NULL, *agencies[16];
    size_t n_ag = 0;
    int c, json = 0, in_full = 0;
    optind = 1;
    opterr = 0;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': kind = optarg; break;
        case 'r': received = optarg; break;
        case 'n': note = optarg; break;
        case 'w': in_full = 1; break;
        case 'a':
            if (n_ag == 16) {
                cli_error("review: at most 16 agencies");
                return cli_usage(review_usage);
            }
            agencies[n_ag++] = optarg;
            break;
        case 'j': json = 1; break;
        case 'h': fputs(review_usage, stdout); return EXIT_OK;
        default:
            cli_error("review %s: bad option '%s'", sub, argv[optind - 1]);
            return cli_usage(review_usage);
        }
    }
    const char *id = optind < argc ? argv[optind] : NULL;
    if (argc - optind > 1 || (!id && si != 0)) {
        cli_error("review %s: give one ID", sub);
        return cli_usage(review_usage);
    }
    int bad = (si == 0 && !id && (kind || received)) || (si == 0 && id && !kind) ||
              (si != 0 && (kind || received)) || (si != 3 && n_ag) || (si != 4 && in_full) ||
              (si <= 1 && note);
    if (bad) {
        cli_error("review %s: these options do not go together (see --help)", sub);
        return cli_usage(review_usage);
    }
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    if (si == 1 || (si == 0 && !id)) return review_listing(db, id, json);
    dc_rc rc;
    const char *action = si == 0 ? "queue" : si == 4 && in_full ? "withhold-in-full" : sub;
    if (si == 0) rc = dc_db_review_request(db, id, kind, received);
    else rc = dc_db_review_act(db, id, action, agencies, n_ag, note);
    char state[32] = "";
    if (!rc) rc = dc_db_review_state(db, id, state);
    if (rc) {
        cli_error("review %s: %s", sub, dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    if (!json) {
        fprintf(stderr, "declass: review %s: %s is now %s\n", sub, id, state);
        return EXIT_OK;
    }
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_review_done_json(&j, action, id, state);
    return cli_json_print(&b);
}

/* ---- releases, diff ---------------------------------------------------------- */

static const char releases_usage[] =
    "usage: declass [--db PATH] releases ID [--json]\n"
    "\n"
    "Lists the releases of document ID: number, version, time and what made\n"
    "it: every released version that changed what the public reads (an\n"
    "edition ingested as released, a release, a withholding in a released\n"
    "document; a lift waits for the next release).\n"
    "  --json    {\"id\", \"releases\": [{\"release\", \"version\", \"at\", \"by\",\n"
    "            \"source\"}]}\n";

static const char diff_usage[] =
    "usage: declass [--db PATH] diff ID --release N [--against M] [--json]\n"
    "\n"
    "Shows what became public (+) and what was withheld (-) in release N of\n"
    "document ID since release M (default N-1), and the portions whose text\n"
    "changed (~), as you may read them today: the text of a published span\n"
    "only if you may read it now, a withheld one as its notice.\n"
    "  --json    {\"id\", \"release\", \"against\", \"changes\": [{\"change\", \"portion\",\n"
    "            \"withholding\", \"text\", \"notice\", \"code\"}]}\n";

static dc_rc release_row(void *ctx, const dc_release_info *r)
{
    (void)ctx;
    printf("%3d  version %-4d %-20s %s\n", r->release, r->version, r->at ? r->at : "",
           r->source ? r->source : "");
    return DC_OK;
}

int cmd_releases(const cli_ctx *ctx, int argc, char **argv)
{
    const char *id = NULL;
    int json = 0;
    int r = cli_one_arg(argc, argv, releases_usage, "ID", &id, &json);
    if (r >= 0) return r;
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    if (json) return print_json(db, "releases", dc_db_releases_json, id);
    dc_rc rc = dc_db_releases(db, id, release_row, NULL);
    if (rc) {
        cli_error("releases: %s", dc_db_errmsg(db));
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    return EXIT_OK;
}

static dc_rc diff_row(void *ctx, const dc_diff_entry *e)
{
    (void)ctx;
    char mark = strcmp(e->change, "published") == 0  ? '+'
                : strcmp(e->change, "withheld") == 0 ? '-'
                                                     : '~';
    printf("%c %-7s %-6s %s%s%s%s%s%s\n", mark, e->target, e->withholding ? e->withholding : "",
           e->change, e->text ? ": \"" : "", e->text ? e->text : "", e->text ? "\"" : "",
           e->notice ? ": " : "", e->notice ? e->notice : "");
    return DC_OK;
}

/* A release number: 1..1000000, else 0. */
static int release_number(const char *s)
{
    char *end = NULL;
    long n = strtol(s, &end, 10);
    return *s && !*end && n >= 1 && n <= 1000000 ? (int)n : 0;
}

int cmd_diff(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"release", required_argument, NULL, 'r'},
                                         {"against", required_argument, NULL, 'a'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, json = 0, rel = 0, against = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
        case 'a':
            if (!release_number(optarg)) {
                cli_error("diff: --%s takes a release number from 1",
                          c == 'r' ? "release" : "against");
                return cli_usage(diff_usage);
            }
            *(c == 'r' ? &rel : &against) = release_number(optarg);
            break;
        case 'j': json = 1; break;
        case 'h': fputs(diff_usage, stdout); return EXIT_OK;
        default: cli_error("diff: bad option '%s'", argv[optind - 1]); return cli_usage(diff_usage);
        }
    }
    if (argc - optind != 1 || !rel) {
        cli_error("diff: give ID and --release N");
        return cli_usage(diff_usage);
    }
    const char *id = argv[optind];
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    dc_buf b;
    dc_json j;
    dc_rc rc;
    if (json) {
        cli_json_start(&j, &b);
        rc = dc_db_diff_json(db, id, rel, against, &j);
        if (rc && b.rc) rc = DC_OK; /* cli_json_print says it */
    } else {
        rc = dc_db_diff(db, id, rel, against, diff_row, NULL);
    }
    if (rc) {
        cli_error("diff: %s", dc_db_errmsg(db));
        if (json) dc_buf_release(&b);
        dc_db_close(db);
        return cli_exit_code(rc);
    }
    dc_db_close(db);
    return json ? cli_json_print(&b) : EXIT_OK;
}
