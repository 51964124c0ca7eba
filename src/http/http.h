/*
 * declass — the reading room: an HTTP server (libmicrohttpd) with the JSON
 * API and the server-rendered web UI.  A front end: it uses only the
 * facade (declass.h); every read goes through the reader's view.
 */
#ifndef DECLASS_HTTP_H
#define DECLASS_HTTP_H

#include "declass/declass.h"

typedef struct dc_http_server dc_http_server;

typedef struct dc_http_opts {
    const char *db_path;      /* the database to serve (must exist) */
    const char *bind;         /* address to listen on; NULL: "127.0.0.1" */
    unsigned port;            /* 0: any free port (see dc_http_port) */
    unsigned threads;         /* worker threads; 0: the number of CPUs */
    unsigned max_connections; /* 0: 1024 */
    unsigned timeout_s;       /* idle connection timeout; 0: 30 s */
    /* One line per request ("GET /api/search 200 1.2ms") and per server
     * event; may be NULL. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    /* The audit rows of reads are written in group commits at most this
     * long after the request (dc_audit_queue); 0: 50 ms. */
    unsigned audit_delay_ms;
    /* If set, receives the audit log's counts when dc_http_stop has
     * written the last rows. */
    dc_audit_stats *audit_stats;
} dc_http_opts;

/*
 * Opens the database (one handle per worker thread) and starts serving in
 * background threads.  *out is NULL on failure and err says why (DC_IO for
 * an address in use or that cannot be bound, DC_MISUSE for bad options).
 */
dc_rc dc_http_start(const dc_http_opts *opts, dc_http_server **out, dc_error *err);
/* The TCP port the server listens on. */
unsigned dc_http_port(const dc_http_server *srv);
/* Stops serving (finishing requests in flight), writes the audit rows
 * still queued and frees srv; NULL is a no-op. */
void dc_http_stop(dc_http_server *srv);

#endif
