/*
 * declass HTTP server: libmicrohttpd with a thread pool, a pool of dc_db
 * handles, request limits, routing, CSRF checks and security headers.
 *
 * A request goes through access_cb several times: the first call checks
 * the request line and headers (URL length, header size, method, declared
 * body size), the next ones accumulate the body up to the route's cap, and
 * the last one (upload size 0) checks out a database handle, establishes
 * who is asking (session cookie or the public), checks CSRF for state
 * changes, runs the route's handler and queues its response.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server_int.h"

#include "banned.h"

#define DEFAULT_CONNECTIONS 1024
#define DEFAULT_TIMEOUT_S 30
#define PER_IP_CONNECTIONS 256
/* The longest a request body may take to arrive, whatever the idle
 * timeout (a client dripping a byte every few seconds): a form, and an
 * upload of up to DC_HTTP_MAX_BODY.  Past it the connection is closed. */
#define FORM_TIME_S 60
#define UPLOAD_TIME_S 900
/* MHD's per-connection memory pool holds the request line, the headers
 * and the read buffer: room for the largest allowed URL and headers, plus
 * slack for the response headers.  Headers past DC_HTTP_MAX_HEADERS are
 * refused by header_bytes() below; past the pool MHD refuses them itself
 * (431). */
#define CONN_MEMORY (DC_HTTP_MAX_URL + DC_HTTP_MAX_HEADERS + ((size_t)16 << 10))

static const char CSP[] = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                          "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                          "form-action 'self'";

/* The longest an audit row of a read waits for its group commit. */
#define AUDIT_DELAY_MS 50

/* How often a handle trims the write-ahead log (pool_put). */
#define TRIM_EVERY_S 0.2

struct dc_http_server {
    struct MHD_Daemon *daemon;
    int listen_fd;
    unsigned port;
    char *db_path;
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    /* The handle pool: free[0..n_free) are available. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    dc_db **all, **free;
    size_t n_all, n_free;
    double trimmed_at; /* when a handle last trimmed the WAL (pool_put) */
    dc_http_sessions *sessions;
    dc_audit_queue *audit; /* every handle's read rows, in group commits */
    dc_audit_stats *audit_stats;
};

dc_http_sessions *dc_http_server_sessions(dc_http_server *srv) { return srv->sessions; }
const char *dc_http_server_db_path(const dc_http_server *srv) { return srv->db_path; }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void srv_log(dc_http_server *srv, const char *fmt, ...) DC_PRINTF(2, 3);
static void srv_log(dc_http_server *srv, const char *fmt, ...)
{
    if (!srv->log) return;
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* No control characters or invalid UTF-8 from a request reach the
     * log. */
    dc_http_scrub(line, 1);
    srv->log(srv->log_ctx, line);
}

/* ---- the handle pool ---------------------------------------------------- */

static dc_db *pool_get(dc_http_server *srv)
{
    pthread_mutex_lock(&srv->mu);
    while (srv->n_free == 0) pthread_cond_wait(&srv->cv, &srv->mu);
    dc_db *db = srv->free[--srv->n_free];
    pthread_mutex_unlock(&srv->mu);
    return db;
}

/* Returns db to the pool.  Every TRIM_EVERY_S at most, the handle first trims
 * the database's write-ahead log (dc_db_trim_journal): requests overlap
 * without pause, so SQLite's own checkpoints could never empty it. */
static void pool_put(dc_http_server *srv, dc_db *db)
{
    dc_db_logout(db);
    double t = now_s();
    int trim = 0;
    pthread_mutex_lock(&srv->mu);
    if (t - srv->trimmed_at >= TRIM_EVERY_S) srv->trimmed_at = t, trim = 1;
    pthread_mutex_unlock(&srv->mu);
    if (trim && dc_db_trim_journal(db) != DC_OK)
        srv_log(srv, "trimming the write-ahead log failed: %s", dc_db_errmsg(db));
    pthread_mutex_lock(&srv->mu);
    srv->free[srv->n_free++] = db;
    pthread_cond_signal(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
}

/* ---- request access ----------------------------------------------------- */

const char *dc_http_arg(const dc_http_req *req, const char *name)
{
    const dc_strv *f = &req->conn->form;
    for (size_t i = 0; i + 1 < f->n; i += 2)
        if (strcmp(f->v[i], name) == 0) return f->v[i + 1];
    return MHD_lookup_connection_value(req->conn->mc, MHD_GET_ARGUMENT_KIND, name);
}

const char *dc_http_header(const dc_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn->mc, MHD_HEADER_KIND, name);
}

void dc_http_resp_header(dc_http_resp *resp, const char *name, const char *value)
{
    if (resp->n_headers >= DC_HTTP_MAX_RESP_HEADERS) return;
    char *n = dc_strdup(name), *v = dc_strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return;
    }
    resp->headers[resp->n_headers][0] = n;
    resp->headers[resp->n_headers][1] = v;
    resp->n_headers++;
}

void dc_http_redirect(dc_http_resp *resp, const char *location)
{
    resp->status = 303;
    dc_http_resp_header(resp, "Location", location);
}

int dc_http_status_of(const dc_http_req *req, dc_rc rc)
{
    switch (rc) {
    case DC_OK: return 200;
    case DC_NOTFOUND: return 404;
    case DC_DENIED: return req && req->who.signed_in ? 403 : 401;
    case DC_PARSE:
    case DC_MISUSE: return 400;
    case DC_LIMIT: return 413;
    default: return 500;
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes one form component s[0..n) (%XX, '+') into a new string. */
static char *form_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
                   (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

dc_rc dc_http_form_parse(const char *body, size_t len, dc_strv *form)
{
    const char *p = body ? body : "";
    const char *end = p + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (stop > p) {
            const char *ne = eq ? eq : stop;
            char *name = form_decode(p, (size_t)(ne - p));
            char *val = eq ? form_decode(eq + 1, (size_t)(stop - eq - 1)) : dc_strdup("");
            dc_rc rc = (!name || !val) ? DC_NOMEM : dc_strv_push(form, name);
            if (!rc) rc = dc_strv_push(form, val);
            free(name);
            free(val);
            if (rc) return rc;
        }
        p = stop + 1;
    }
    return DC_OK;
}

/* Splits an urlencoded body into conn->form (name, value pairs). */
static dc_rc parse_form(dc_http_conn *c)
{
    return dc_http_form_parse(c->body.p, c->body.len, &c->form);
}

/* ---- responses ---------------------------------------------------------- */

static int is_api(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || !strcmp(path, "/api");
}

static void resp_release(dc_http_resp *r)
{
    if (r->has_pipe) close(r->pipe_fd);
    r->has_pipe = 0;
    dc_buf_release(&r->body);
    for (int i = 0; i < r->n_headers; i++) {
        free(r->headers[i][0]);
        free(r->headers[i][1]);
    }
    r->n_headers = 0;
}

/* Queues r on the connection with the security headers and logs the
 * request.  close_conn: ask MHD to close the connection afterwards. */
static enum MHD_Result send_resp(dc_http_conn *c, const char *method, const char *path,
                                 dc_http_resp *r, int is_static, int close_conn)
{
    struct MHD_Response *mr;
    if (r->status == 204 || r->status == 304) {
        mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else if (r->has_pipe) {
        mr = MHD_create_response_from_pipe(r->pipe_fd); /* closes the fd when done */
        if (!mr) close(r->pipe_fd);
        r->has_pipe = 0;
    } else if (r->static_body) {
        mr = MHD_create_response_from_buffer(r->static_len, (void *)r->static_body,
                                             MHD_RESPMEM_PERSISTENT);
    } else if (r->body.rc) {
        r->status = 500;
        r->content_type = "application/json";
        static const char oops[] = "{\"error\": \"internal error\", \"status\": 500}\n";
        mr = MHD_create_response_from_buffer(sizeof oops - 1, (void *)oops, MHD_RESPMEM_PERSISTENT);
    } else {
        size_t len = r->body.len;
        char *p = dc_buf_detach(&r->body); /* NULL for an empty body */
        mr = p ? MHD_create_response_from_buffer_with_free_callback(len, p, dc_free)
               : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!mr) {
        resp_release(r);
        return MHD_NO;
    }
    if (r->status != 204 && r->status != 304)
        MHD_add_response_header(mr, "Content-Type",
                                r->content_type ? r->content_type : "text/plain; charset=utf-8");
    MHD_add_response_header(mr, "Content-Security-Policy", CSP);
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "Referrer-Policy", "same-origin");
    MHD_add_response_header(mr, "X-Frame-Options", "DENY");
    int has_cc = 0;
    for (int i = 0; i < r->n_headers; i++) {
        if (!strcasecmp(r->headers[i][0], "Cache-Control")) has_cc = 1;
        MHD_add_response_header(mr, r->headers[i][0], r->headers[i][1]);
    }
    if (!has_cc)
        MHD_add_response_header(mr, "Cache-Control",
                                is_static ? "public, max-age=3600" : "no-store");
    if (c && c->csrf_cookie && !c->cookies_done && c->csrf[0]) {
        char cookie[160];
        snprintf(cookie, sizeof cookie, "%s=%s; Path=/; SameSite=Strict", DC_HTTP_CSRF_COOKIE,
                 c->csrf);
        MHD_add_response_header(mr, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    }
    if (close_conn) MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c->mc, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    srv_log(c->srv, "%s %.300s %d %.1fms", method, path, r->status, (now_s() - c->t0) * 1000.0);
    resp_release(r);
    return ret;
}

/* A JSON (or for pages, plain) error answered before any handler ran. */
static enum MHD_Result early_error(dc_http_conn *c, const char *method, const char *path,
                                   int status, const char *msg, int close_conn)
{
    dc_http_resp r = {.status = 200};
    dc_buf_init(&r.body, 4096);
    dc_http_json_error(&r, status, "%s", msg);
    return send_resp(c, method, path, &r, 0, close_conn);
}

/* ---- routing ------------------------------------------------------------ */

enum { M_GET = 1, M_POST = 2, M_DELETE = 4 };

typedef struct route {
    const char *path; /* exact, or a prefix when it ends in '/' */
    int methods;
    dc_http_handler fn;
} route;

static void static_asset(dc_http_req *req, dc_http_resp *resp);

static const route routes[] = {
    {"/", M_GET, dc_page_search},
    {"/search", M_GET, dc_page_search},
    {"/documents/", M_GET, dc_page_document},
    {"/volumes/", M_GET, dc_page_volume},
    {"/persons/", M_GET, dc_page_person},
    {"/terms/", M_GET, dc_page_term},
    {"/login", M_GET | M_POST, dc_page_login},
    {"/logout", M_POST, dc_page_logout},
    {"/review", M_GET, dc_page_review_queue},
    {"/review/", M_GET | M_POST, dc_page_review},
    {"/static/", M_GET, static_asset},
    {"/api/search", M_GET, dc_api_search},
    {"/api/collections", M_GET, dc_api_collections},
    {"/api/export", M_GET, dc_api_export},
    {"/api/session", M_GET | M_POST | M_DELETE, dc_api_session},
    {"/api/documents", M_POST, dc_api_upload},
    {"/api/documents/", M_GET | M_POST, dc_api_document},
    {"/api/review", M_GET, dc_api_review_queue},
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* The route of path (NULL: none) and the methods it allows there. */
static const route *find_route(const char *path, int *methods)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route *r = &routes[i];
        size_t n = strlen(r->path);
        int prefix = n > 1 && r->path[n - 1] == '/';
        if (prefix ? (strncmp(path, r->path, n) == 0 && path[n] != '\0')
                   : strcmp(path, r->path) == 0) {
            *methods = r->methods;
            if (!strcmp(r->path, "/api/documents/")) {
                int get = 1, post = 0;
                dc_api_document_methods(path + n, &get, &post);
                *methods = (get ? M_GET : 0) | (post ? M_POST : 0);
            } else if (!strcmp(r->path, "/review/")) {
                *methods = (ends_with(path, "/withhold") || ends_with(path, "/mark") ||
                            ends_with(path, "/release") || ends_with(path, "/lift"))
                               ? M_POST
                               : M_GET;
            }
            return r;
        }
    }
    return NULL;
}

static int method_bit(const char *m)
{
    if (!strcmp(m, "GET") || !strcmp(m, "HEAD")) return M_GET;
    if (!strcmp(m, "POST")) return M_POST;
    if (!strcmp(m, "DELETE")) return M_DELETE;
    return 0;
}

static void allow_header(char *out, size_t size, int methods)
{
    snprintf(out, size, "%s%s%s", (methods & M_GET) ? "GET, HEAD" : "",
             (methods & M_POST) ? ((methods & M_GET) ? ", POST" : "POST") : "",
             (methods & M_DELETE) ? ((methods & (M_GET | M_POST)) ? ", DELETE" : "DELETE") : "");
}

static void static_asset(dc_http_req *req, dc_http_resp *resp)
{
    const char *name = req->path + strlen("/static/");
    const unsigned char *data;
    size_t len;
    const char *type;
    if (strchr(name, '/') || !dc_http_asset(name, &data, &len, &type)) {
        dc_page_error(req, resp, 404, "no such file");
        return;
    }
    resp->static_body = data;
    resp->static_len = len;
    resp->content_type = type;
}

/* ---- identity and CSRF -------------------------------------------------- */

static void clear_session_cookie(dc_http_resp *resp)
{
    dc_http_resp_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
                        DC_HTTP_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

/* Makes req->db act as the session's user, or the public; sets req->csrf. */
static void establish(dc_http_conn *c, dc_http_req *req, dc_http_resp *resp)
{
    const char *tok = MHD_lookup_connection_value(c->mc, MHD_COOKIE_KIND, DC_HTTP_SESSION_COOKIE);
    const char *cc = MHD_lookup_connection_value(c->mc, MHD_COOKIE_KIND, DC_HTTP_CSRF_COOKIE);
    char user[256];
    long long generation = 0;
    int ok = 0;
    if (tok && dc_http_token_ok(tok) &&
        dc_http_session_find(c->srv->sessions, tok, user, sizeof user, c->csrf, &generation)) {
        dc_rc rc = dc_db_assume(req->db, user);
        /* A password, clearance, compartment or role change since the
         * login moved the account's generation on: the session ends. */
        if (rc == DC_OK && dc_db_identity(req->db).generation != generation) rc = DC_DENIED;
        if (rc == DC_OK) {
            ok = 1;
            memcpy(c->session, tok, DC_HTTP_TOKEN_HEX + 1);
            if (!cc || strcmp(cc, c->csrf) != 0) c->csrf_cookie = 1;
        } else if (rc == DC_DENIED) {
            /* the account was disabled, deleted or changed: the session
             * ends, as an expired one does */
            dc_http_session_drop(c->srv->sessions, tok);
        } else {
            /* a transient failure: the public for this request only */
            dc_db_logout(req->db);
            req->who = dc_db_identity(req->db);
            snprintf(c->user, sizeof c->user, "%s", req->who.name ? req->who.name : "public");
            req->who.name = c->user;
            req->csrf = c->csrf;
            return;
        }
    }
    if (!ok) {
        dc_db_logout(req->db);
        if (tok) clear_session_cookie(resp);
        if (cc && dc_http_token_ok(cc)) {
            memcpy(c->csrf, cc, DC_HTTP_TOKEN_HEX + 1);
        } else {
            dc_http_random_token(c->csrf);
            c->csrf_cookie = 1;
        }
    }
    req->who = dc_db_identity(req->db);
    snprintf(c->user, sizeof c->user, "%s", req->who.name ? req->who.name : "public");
    req->who.name = c->user;
    req->csrf = c->csrf;
}

/* Whether a state-changing request may proceed: Origin (when sent) must
 * be this host, and the CSRF token must match (POST /api/session with a
 * JSON body excepted: a cross-site form cannot send one without a CORS
 * preflight, which this server never grants). */
static int csrf_ok(dc_http_conn *c, dc_http_req *req)
{
    const char *origin = dc_http_header(req, "Origin");
    if (origin) {
        const char *host = dc_http_header(req, "Host");
        const char *o = origin;
        if (!strncmp(o, "http://", 7))
            o += 7;
        else if (!strncmp(o, "https://", 8))
            o += 8;
        else
            return 0;
        if (!host || strcmp(o, host) != 0) return 0;
    }
    if (!strcmp(req->path, "/api/session") && !strcmp(req->method, "POST") && req->content_type &&
        !strncasecmp(req->content_type, "application/json", 16))
        return 1;
    const char *t = dc_http_header(req, DC_HTTP_CSRF_HEADER);
    if (!t) t = dc_http_arg(req, "csrf");
    char part[DC_HTTP_TOKEN_HEX + 2];
    if (!t && req->content_type && !strncasecmp(req->content_type, "multipart/form-data", 19) &&
        dc_http_multipart_field(req, "csrf", part, sizeof part))
        t = part;
    if (!t || strlen(t) != DC_HTTP_TOKEN_HEX || strlen(c->csrf) != DC_HTTP_TOKEN_HEX) return 0;
    return sodium_memcmp(t, c->csrf, DC_HTTP_TOKEN_HEX) == 0;
}

/* ---- the MHD callbacks -------------------------------------------------- */

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *mc)
{
    dc_http_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->srv = cls;
    c->mc = mc;
    c->t0 = now_s();
    c->uri_len = uri ? strlen(uri) : 0;
    /* MHD decodes the path to a C string: "/documents/ID%00x" would be
     * served as "/documents/ID".  Such a path is refused (400). */
    for (size_t i = 0; uri && uri[i] && uri[i] != '?'; i++)
        if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0') c->nul_path = 1;
    c->cap = DC_HTTP_MAX_FORM;
    dc_buf_init(&c->body, DC_HTTP_MAX_BODY + 1);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, c->client,
                      sizeof c->client);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      c->client, sizeof c->client);
    }
    if (!c->client[0]) snprintf(c->client, sizeof c->client, "unknown");
    return c;
}

static void completed_cb(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)mc;
    (void)toe;
    dc_http_conn *c = *con_cls;
    if (!c) return;
    dc_buf_release(&c->body);
    dc_strv_release(&c->form);
    sodium_memzero(c->csrf, sizeof c->csrf);
    sodium_memzero(c->session, sizeof c->session);
    free(c);
    *con_cls = NULL;
}

static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    size_t *n = cls;
    *n += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* Runs the route and queues the answer (the last access_cb call). */
static enum MHD_Result handle(dc_http_conn *c, const char *url, const char *method)
{
    dc_http_resp resp = {.status = 200};
    dc_buf_init(&resp.body, 0);
    dc_http_req req = {.srv = c->srv,
                       .conn = c,
                       .method = method,
                       .path = url,
                       .body = c->body.p ? c->body.p : "",
                       .body_len = c->body.len,
                       .client = c->client};
    req.content_type = dc_http_header(&req, MHD_HTTP_HEADER_CONTENT_TYPE);
    int methods = 0;
    const route *rt = find_route(url, &methods);
    int mbit = method_bit(method);
    req.db = pool_get(c->srv);
    establish(c, &req, &resp);
    if (req.content_type &&
        !strncasecmp(req.content_type, "application/x-www-form-urlencoded", 33) &&
        parse_form(c) != DC_OK) {
        dc_http_json_error(&resp, 500, "out of memory");
    } else if (!rt) {
        if (is_api(url))
            dc_http_json_error(&resp, 404, "no such resource");
        else
            dc_page_error(&req, &resp, 404, "Not found");
    } else if (!mbit || !(methods & mbit)) {
        char allow[64];
        allow_header(allow, sizeof allow, methods);
        dc_http_resp_header(&resp, "Allow", allow);
        if (is_api(url))
            dc_http_json_error(&resp, 405, "method not allowed");
        else
            dc_page_error(&req, &resp, 405, "Method not allowed");
    } else if (mbit != M_GET && !csrf_ok(c, &req)) {
        if (is_api(url))
            dc_http_json_error(&resp, 403, "missing or wrong CSRF token");
        else
            dc_page_error(&req, &resp, 403, "The form has expired; reload the page and try again.");
    } else {
        rt->fn(&req, &resp);
    }
    pool_put(c->srv, req.db);
    return send_resp(c, method, url, &resp, rt && rt->fn == static_asset && resp.status == 200, 0);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *mc, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    dc_http_conn *c = *con_cls;
    if (!c) return MHD_NO;
    if (!c->started) {
        /* the first call: checks on the request line and headers */
        c->started = 1;
        if (c->uri_len > DC_HTTP_MAX_URL)
            return early_error(c, method, url, 414, "URL too long", 1);
        if (c->nul_path) return early_error(c, method, url, 400, "bad URL (%00 in the path)", 1);
        size_t hb = 0;
        MHD_get_connection_values(mc, MHD_HEADER_KIND, sum_header, &hb);
        if (hb > DC_HTTP_MAX_HEADERS)
            return early_error(c, method, url, 431, "request headers too large", 1);
        c->cap = DC_HTTP_MAX_FORM;
        if (!strcmp(method, "POST") && !strcmp(url, "/api/documents")) {
            /* Only a signed-in client may send an upload's 64 MiB (the
             * handler checks the role): the public cannot make the server
             * buffer more than a form. */
            const char *tok =
                MHD_lookup_connection_value(mc, MHD_COOKIE_KIND, DC_HTTP_SESSION_COOKIE);
            char user[256], csrf[DC_HTTP_TOKEN_HEX + 1];
            if (tok &&
                dc_http_session_find(c->srv->sessions, tok, user, sizeof user, csrf, NULL))
                c->cap = DC_HTTP_MAX_BODY;
            sodium_memzero(csrf, sizeof csrf);
        }
        c->body.limit = c->cap + 1;
        const char *cl =
            MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end = NULL;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || end == cl || n > c->cap)
                return early_error(c, method, url, 413, "request body too large", 1);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        double limit = c->cap > DC_HTTP_MAX_FORM ? UPLOAD_TIME_S : FORM_TIME_S;
        if (now_s() - c->t0 > limit) {
            /* MHD cannot answer in the middle of a body: close. */
            srv_log(c->srv, "%s %.300s body too slow, connection closed after %.0fs", method, url,
                    now_s() - c->t0);
            return MHD_NO;
        }
        if (!c->too_large) {
            if (c->body.len + *upload_data_size > c->cap) {
                c->too_large = 1;
                dc_buf_release(&c->body);
            } else {
                dc_buf_add(&c->body, upload_data, *upload_data_size);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (c->too_large) return early_error(c, method, url, 413, "request body too large", 1);
    if (c->body.rc) return early_error(c, method, url, 500, "out of memory", 1);
    return handle(c, url, method);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    dc_http_server *srv = cls;
    if (!srv->log) return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    srv_log(srv, "microhttpd: %s", line);
}

/* ---- start and stop ----------------------------------------------------- */

/* Creates, binds and listens on addr:port; -1 with err set on failure. */
static int open_listener(const char *addr, unsigned port, int *ipv6, dc_error *err)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl;
    struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)&ss;
    const char *a = addr;
    char buf[INET6_ADDRSTRLEN + 2];
    size_t alen = strlen(addr);
    if (alen >= 2 && addr[0] == '[' && addr[alen - 1] == ']' && alen - 2 < sizeof buf) {
        memcpy(buf, addr + 1, alen - 2);
        buf[alen - 2] = '\0';
        a = buf;
    }
    if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        sl = sizeof *s4;
        *ipv6 = 0;
    } else if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        sl = sizeof *s6;
        *ipv6 = 1;
    } else {
        dc_fail(err, DC_MISUSE, 0, "bad bind address '%s' (an IPv4 or IPv6 literal)", addr);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        dc_fail(err, DC_IO, 0, "socket: %s", strerror(errno));
        return -1;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (*ipv6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
        int e = errno;
        close(fd);
        if (e == EADDRINUSE)
            dc_fail(err, DC_IO, 0, "%s port %u is already in use", addr, port);
        else
            dc_fail(err, DC_IO, 0, "cannot listen on %s port %u: %s", addr, port, strerror(e));
        return -1;
    }
    if (listen(fd, 512) != 0) {
        int e = errno;
        close(fd);
        dc_fail(err, DC_IO, 0, "listen: %s", strerror(e));
        return -1;
    }
    return fd;
}

/* The audit rows of the requests answered are written before the handles
 * close; the counts go to opts->audit_stats. */
static void free_server(dc_http_server *srv)
{
    if (!srv) return;
    if (srv->audit) {
        dc_audit_stats st;
        dc_error err = {0};
        if (dc_audit_queue_close(srv->audit, &st, &err) != DC_OK) srv_log(srv, "%s", err.msg);
        if (srv->audit_stats) *srv->audit_stats = st;
    }
    for (size_t i = 0; i < srv->n_all; i++) dc_db_close(srv->all[i]);
    free(srv->all);
    free(srv->free);
    if (srv->listen_fd >= 0) close(srv->listen_fd);
    dc_http_sessions_free(srv->sessions);
    pthread_mutex_destroy(&srv->mu);
    pthread_cond_destroy(&srv->cv);
    free(srv->db_path);
    free(srv);
}

dc_rc dc_http_start(const dc_http_opts *opts, dc_http_server **out, dc_error *err)
{
    if (out) *out = NULL;
    if (!opts || !out || !opts->db_path || opts->port > 65535)
        return dc_fail(err, DC_MISUSE, 0, "dc_http_start: bad options");
    if (sodium_init() < 0) return dc_fail(err, DC_INTERNAL, 0, "libsodium failed to start");
    unsigned threads = opts->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    if (threads > 256) return dc_fail(err, DC_MISUSE, 0, "too many threads (at most 256)");
    dc_http_server *srv = calloc(1, sizeof *srv);
    if (!srv) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    srv->listen_fd = -1;
    pthread_mutex_init(&srv->mu, NULL);
    pthread_cond_init(&srv->cv, NULL);
    srv->log = opts->log;
    srv->log_ctx = opts->log_ctx;
    srv->db_path = dc_strdup(opts->db_path);
    srv->all = calloc(threads, sizeof *srv->all);
    srv->free = calloc(threads, sizeof *srv->free);
    srv->sessions = dc_http_sessions_new();
    if (!srv->db_path || !srv->all || !srv->free || !srv->sessions) {
        free_server(srv);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    srv->audit_stats = opts->audit_stats;
    for (unsigned i = 0; i < threads; i++) {
        dc_db *db = NULL;
        dc_rc rc = dc_db_open(opts->db_path, DC_DB_SERVER, &db, err);
        if (!rc && !srv->audit)
            rc = dc_audit_queue_open(opts->db_path,
                                     opts->audit_delay_ms ? opts->audit_delay_ms
                                                          : AUDIT_DELAY_MS,
                                     &srv->audit, err);
        if (rc) {
            dc_db_close(db);
            free_server(srv);
            return rc;
        }
        dc_db_audit_to(db, srv->audit);
        srv->all[srv->n_all++] = db;
        srv->free[srv->n_free++] = db;
    }
    int ipv6 = 0;
    srv->listen_fd = open_listener(opts->bind ? opts->bind : "127.0.0.1", opts->port, &ipv6, err);
    if (srv->listen_fd < 0) {
        dc_rc rc = err ? err->rc : DC_IO;
        free_server(srv);
        return rc ? rc : DC_IO;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(srv->listen_fd, (struct sockaddr *)&ss, &sl) == 0)
        srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)(void *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)(void *)&ss)->sin_port);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (ipv6) flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, access_cb, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
        MHD_OPTION_LISTEN_SOCKET, srv->listen_fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT,
        opts->max_connections ? opts->max_connections : DEFAULT_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, PER_IP_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
        opts->timeout_s ? opts->timeout_s : DEFAULT_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        CONN_MEMORY, MHD_OPTION_URI_LOG_CALLBACK, uri_cb, srv, MHD_OPTION_NOTIFY_COMPLETED,
        completed_cb, srv, MHD_OPTION_END);
    if (!srv->daemon) {
        /* MHD may already have closed the socket it was given: never
         * close an fd number twice (a leak on this path is harmless). */
        srv->listen_fd = -1;
        free_server(srv);
        return dc_fail(err, DC_IO, 0, "the HTTP server could not start");
    }
    srv->listen_fd = -1; /* MHD owns it now */
    srv_log(srv, "serving %s on port %u with %u threads", opts->db_path, srv->port, threads);
    *out = srv;
    return DC_OK;
}

unsigned dc_http_port(const dc_http_server *srv) { return srv ? srv->port : 0; }

void dc_http_stop(dc_http_server *srv)
{
    if (!srv) return;
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
    free_server(srv);
}
