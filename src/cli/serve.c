/*
 * declass serve: the reading room (HTTP server, JSON API and web UI).
 * Linked into declass-serve only; declass runs that program for `serve`
 * (cmd_serve.c).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http.h"

#include "banned.h"

static const char serve_usage[] =
    "usage: declass [--db PATH] serve [--port N] [--bind ADDR] [--threads N] [--timeout S]\n"
    "       [--quiet] [--json]\n"
    "\n"
    "Serves the database over HTTP: the reading room at / and the JSON API at\n"
    "/api/ (docs/http-api.md).  Requests are logged to stderr.  Ctrl-C (or\n"
    "SIGTERM) stops the server after the requests in flight.\n"
    "\n"
    "  --port N       TCP port (default 8080; 0: any free port, printed)\n"
    "  --bind ADDR    address to listen on, IPv4 or IPv6 literal\n"
    "                 (default 127.0.0.1; 0.0.0.0 or :: for every interface)\n"
    "  --threads N    worker threads (default: the number of CPUs)\n"
    "  --timeout S    close a connection idle for S seconds (default 30)\n"
    "  --quiet        do not log requests\n"
    "  --json         once listening, print {\"ok\": true, \"action\": \"serve\", \"db\",\n"
    "                 \"bind\", \"port\", \"url\"} on one line of stdout (errors as JSON)\n"
    "\n"
    "Exit status 0 after Ctrl-C, 1 if the database does not exist, 2 for bad\n"
    "arguments, 5 if the address cannot be bound (port in use).\n";

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "declass: %s\n", line);
}

/* Parses a number in [lo, hi]; -1 if s is not one. */
static long parse_num(const char *s, long lo, long hi)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    return (end == s || *end || v < lo || v > hi) ? -1 : v;
}

int cmd_serve(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'},    {"bind", required_argument, NULL, 'b'},
        {"threads", required_argument, NULL, 't'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},          {"timeout", required_argument, NULL, 'T'},
        {"json", no_argument, NULL, 'j'},          {NULL, 0, NULL, 0}};
    dc_audit_stats ast = {0};
    dc_http_opts ho = {
        .db_path = ctx->db_path, .bind = "127.0.0.1", .port = 8080, .audit_stats = &ast};
    int quiet = 0, json = 0, c;
    long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if ((v = parse_num(optarg, 0, 65535)) < 0) {
                cli_error("--port: '%s' is not a port number (0-65535)", optarg);
                return EXIT_USAGE;
            }
            ho.port = (unsigned)v;
            break;
        case 'b': ho.bind = optarg; break;
        case 't':
            if ((v = parse_num(optarg, 1, 256)) < 0) {
                cli_error("--threads: '%s' is not a number from 1 to 256", optarg);
                return EXIT_USAGE;
            }
            ho.threads = (unsigned)v;
            break;
        case 'T':
            if ((v = parse_num(optarg, 1, 3600)) < 0) {
                cli_error("--timeout: '%s' is not a number of seconds from 1 to 3600", optarg);
                return EXIT_USAGE;
            }
            ho.timeout_s = (unsigned)v;
            break;
        case 'q': quiet = 1; break;
        case 'j': json = 1; break;
        case 'h': fputs(serve_usage, stdout); return EXIT_OK;
        default:
            if (optopt == 'p' || optopt == 'b' || optopt == 't' || optopt == 'T')
                cli_error("serve: --%s needs a value", optopt == 'p'   ? "port"
                                                       : optopt == 'b' ? "bind"
                                                       : optopt == 't' ? "threads"
                                                                       : "timeout");
            else if (optopt)
                cli_error("serve: unknown option '-%c'", optopt);
            else
                cli_error("serve: unknown option '%s'", argv[optind - 1]);
            return cli_usage(serve_usage);
        }
    }
    if (optind < argc) {
        cli_error("serve: unexpected argument '%s'", argv[optind]);
        return cli_usage(serve_usage);
    }
    if (ctx->as) {
        cli_error("serve: --as does not apply (readers sign in through the browser)");
        return EXIT_USAGE;
    }
    if (!quiet) ho.log = log_line;

    /* The server's threads inherit this mask; only sigwait sees the
     * signals. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    dc_http_server *srv = NULL;
    dc_error err = {0};
    dc_rc rc = dc_http_start(&ho, &srv, &err);
    if (rc) {
        cli_error("%s", err.msg[0] ? err.msg : dc_strerror(rc));
        /* as cli_open: a missing database is 1; a port in use (DC_IO) 5 */
        return cli_exit_code(rc);
    }
    const char *b = ho.bind;
    int v6 = strchr(b, ':') && b[0] != '[';
    char url[320];
    snprintf(url, sizeof url, "http://%s%s%s:%u/", v6 ? "[" : "", b, v6 ? "]" : "",
             dc_http_port(srv));
    if (json) {
        /* One line, so a script can read it while the server runs. */
        dc_buf jb;
        dc_json j;
        dc_buf_init(&jb, 4096);
        dc_json_init(&j, &jb, 0);
        dc_json_obj(&j);
        dc_json_kbool(&j, "ok", 1);
        dc_json_kstr(&j, "action", "serve");
        dc_json_kstr(&j, "db", ctx->db_path);
        dc_json_kstr(&j, "bind", b);
        dc_json_kint(&j, "port", dc_http_port(srv));
        dc_json_kstr(&j, "url", url);
        dc_json_end(&j);
        if (!jb.rc) printf("%s\n", jb.p);
        dc_buf_release(&jb);
        fflush(stdout);
    }
    fprintf(stderr, "declass: serving %s at %s (Ctrl-C stops)\n", ctx->db_path, url);
    fflush(stderr);
    int sig = 0;
    sigwait(&set, &sig);
    if (!quiet)
        fprintf(stderr, "declass: stopping (%s)\n",
                sig == SIGINT    ? "SIGINT"
                : sig == SIGTERM ? "SIGTERM"
                                 : "SIGHUP");
    dc_http_stop(srv);
    /* Every audit row of the requests answered is in the log now; how
     * they were grouped (docs/RELIABILITY.md, "The audit log"). */
    fprintf(stderr, "declass: audit log: %llu rows in %llu commits (at most %llu in one)\n",
            ast.rows, ast.commits, ast.max_batch);
    if (ast.lost) {
        cli_error("%llu audit rows could not be written (see the messages above)", ast.lost);
        return cli_exit_code(DC_IO);
    }
    return EXIT_OK;
}
