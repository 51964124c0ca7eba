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
    "            \"version\"}\n";

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
    "            \"version\"}\n";

/* Prints {"ok", "action", "id": wid, "document", "version"}. */
static int done_json(const char *action, const char *wid, const char *doc, int version)
{
    dc_buf b;
    dc_json j;
    cli_json_start(&j, &b);
    dc_json_obj(&j);
    dc_json_kbool(&j, "ok", 1);
    dc_json_kstr(&j, "action", action);
    dc_json_kstr(&j, "id", wid);
    dc_json_kstr(&j, "document", doc);
    dc_json_kint(&j, "version", version);
    dc_json_end(&j);
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
    dc_db_close(db);
    if (json) return done_json("withhold", wid, s.id, version);
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
    dc_db_close(db);
    if (json) return done_json("lift", wid, id, version);
    fprintf(stderr, "declass: lift: %s of %s lifted (published at the next release); %s is "
                    "now at version %d\n", wid, id, id, version);
    return EXIT_OK;
}

typedef struct wrows {
    dc_json *j; /* --json: inside the array */
} wrows;

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

static dc_rc withholding_row(void *ctx, const dc_withholding *w)
{
    wrows *o = ctx;
    if (!o->j) {
        char span[64];
        if (w->whole) snprintf(span, sizeof span, "whole");
        else if (w->text) snprintf(span, sizeof span, "%zu-%zu", w->start, w->end);
        else snprintf(span, sizeof span, "span");
        printf("%-5s %-7s %-10s %-9s %-12s %-10s %-12s %-12s %-20s %s%s%s%s\n", or_dash(w->id),
               or_dash(w->target), span, or_dash(w->kind), or_dash(w->code), or_dash(w->agency),
               w->until ? w->until : or_dash(w->event), or_dash(w->reviewer), or_dash(w->at),
               or_dash(w->status), w->text ? "  \"" : "", w->text ? w->text : "",
               w->text ? "\"" : "");
        return DC_OK;
    }
    dc_json *j = o->j;
    dc_json_obj(j);
    dc_json_kstr(j, "id", w->id);
    dc_json_kstr(j, "portion", w->target);
    dc_json_kbool(j, "whole", w->whole);
    if (!w->whole && w->text) {
        dc_json_kint(j, "start", (long long)w->start);
        dc_json_kint(j, "end", (long long)w->end);
    }
    const char *keys[] = {"text",     "kind", "code",   "agency",    "until",     "event",
                          "reviewer", "at",   "status", "lifted_by", "lifted_at", "note"};
    const char *vals[] = {w->text,     w->kind, w->code,   w->agency,    w->until,     w->event,
                          w->reviewer, w->at,   w->status, w->lifted_by, w->lifted_at, w->note};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) dc_json_kstr(j, keys[i], vals[i]);
    dc_json_end(j);
    return j->b->rc;
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
    wrows o = {0};
    dc_buf b;
    dc_json j;
    if (json) {
        cli_json_start(&j, &b);
        dc_json_obj(&j);
        dc_json_kstr(&j, "id", id);
        dc_json_key(&j, "withholdings");
        dc_json_arr(&j);
        o.j = &j;
    }
    dc_rc rc = dc_db_withholdings(db, id, withholding_row, &o);
    if (rc) {
        cli_error("withholdings: %s",
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
