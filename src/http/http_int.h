/*
 * declass HTTP front end: what server.c, session.c, api.c, pages.c and the
 * generated assets.c share.  Nothing here is exported from the library.
 *
 * A request is handled in one worker thread: the server checks out a
 * dc_db handle from its pool, makes it act as the session's user (or the
 * public), checks CSRF for state-changing methods, and calls the route's
 * handler with a dc_http_req and an empty dc_http_resp (status 200).  The
 * handler fills the response; the server sends it with the security
 * headers, returns the handle to the pool and logs the request.
 */
#ifndef DC_HTTP_INT_H
#define DC_HTTP_INT_H

#include <stddef.h>

#include "declass/declass.h"
#include "http.h"

/* Limits (docs/declass.1.md, "serve"). */
#define DC_HTTP_MAX_BODY ((size_t)64 << 20)    /* an uploaded document */
#define DC_HTTP_MAX_FORM ((size_t)64 << 10)    /* any other request body */
#define DC_HTTP_MAX_URL 8192                   /* path + query string */
#define DC_HTTP_MAX_HEADERS ((size_t)16 << 10) /* all request headers */
#define DC_HTTP_MAX_SESSIONS 10000
#define DC_HTTP_SESSION_IDLE_S (8 * 3600) /* a session expires after 8 h idle */
#define DC_HTTP_TOKEN_HEX 64              /* 32 random bytes, hex */
#define DC_HTTP_MAX_RESP_HEADERS 8

/* The cookies. */
#define DC_HTTP_SESSION_COOKIE "dc_session" /* HttpOnly, SameSite=Strict */
#define DC_HTTP_CSRF_COOKIE "dc_csrf"       /* readable by scripts, SameSite=Strict */
/* Where a state-changing request carries its CSRF token: this header
 * (scripts) or the form field "csrf" (HTML forms). */
#define DC_HTTP_CSRF_HEADER "X-CSRF-Token"

typedef struct dc_http_conn dc_http_conn; /* server.c: per-connection state */

typedef struct dc_http_req {
    dc_http_server *srv;
    dc_http_conn *conn;
    const char *method;       /* "GET", "HEAD", "POST", "DELETE", ... */
    const char *path;         /* percent-decoded path, no query string */
    const char *content_type; /* NULL if none (parameters included) */
    const char *body;         /* NUL-terminated request body ("" if none) */
    size_t body_len;
    const char *client;       /* the peer's address, for rate limits */
    dc_db *db;                /* acting as who (below) */
    dc_identity who;          /* dc_db_identity(db) at the start */
    const char *csrf;         /* the token this client must send back */
} dc_http_req;

typedef struct dc_http_resp {
    int status;               /* 200 unless set */
    const char *content_type; /* a static string; NULL: "text/plain; charset=utf-8" */
    dc_buf body;              /* the body, built by the handler */
    const void *static_body;  /* or a body owned elsewhere (assets): used if set */
    size_t static_len;
    int n_headers;
    char *headers[DC_HTTP_MAX_RESP_HEADERS][2]; /* extra headers, owned */
    int has_pipe; /* or a body streamed from pipe_fd (the server closes it) */
    int pipe_fd;
} dc_http_resp;

typedef void (*dc_http_handler)(dc_http_req *req, dc_http_resp *resp);

/* ---- server.c: request access and responses ---------------------------- */

/* The value of query-string argument name, or for a POST with an
 * application/x-www-form-urlencoded body, of that form field (the body
 * first); NULL if absent.  Borrowed until the handler returns. */
const char *dc_http_arg(const dc_http_req *req, const char *name);
/* A request header (case-insensitive name), or NULL. */
const char *dc_http_header(const dc_http_req *req, const char *name);
/* Adds a response header (name and value copied); ignored past the cap. */
void dc_http_resp_header(dc_http_resp *resp, const char *name, const char *value);
/* Sets a 303 redirect to location (a local path). */
void dc_http_redirect(dc_http_resp *resp, const char *location);
/* The HTTP status for a library result: DC_NOTFOUND 404, DC_DENIED 403
 * (401 when nobody is signed in), DC_PARSE and DC_MISUSE 400, DC_LIMIT 413,
 * anything else 500. */
int dc_http_status_of(const dc_http_req *req, dc_rc rc);

/* ---- session.c: sessions and login rate limits ------------------------- */

/*
 * Signs in: checks name/password with dc_db_login on req->db (audited),
 * at most DC_HTTP_LOGIN_TRIES failures per client address and per user
 * name in DC_HTTP_LOGIN_WINDOW_S seconds.  On success creates a session
 * (random token from libsodium), sets the session cookie and a fresh CSRF
 * cookie on resp, makes req->db act as the user and updates req->who and
 * req->csrf.  Returns DC_OK, DC_DENIED (bad credentials, nothing set) or
 * DC_LIMIT (too many failures; *retry_after seconds).
 */
#define DC_HTTP_LOGIN_TRIES 5
#define DC_HTTP_LOGIN_WINDOW_S 60
dc_rc dc_http_login(dc_http_req *req, dc_http_resp *resp, const char *name,
                    const char *password, unsigned *retry_after);
/* Ends the request's session (if any), clears the cookie, acts as the
 * public. */
void dc_http_logout(dc_http_req *req, dc_http_resp *resp);

/* ---- api.c: the JSON API (all answers application/json) ----------------- */

/* {"error": "message", "status": N} with that status. */
void dc_http_json_error(dc_http_resp *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void dc_api_search(dc_http_req *req, dc_http_resp *resp);      /* GET /api/search */
void dc_api_collections(dc_http_req *req, dc_http_resp *resp); /* GET /api/collections */
/* /api/documents/{id}[/refs|/withholdings|/releases|/diff|/review|/withhold|
 * /lift|/mark|/release]; GET, POST */
void dc_api_document(dc_http_req *req, dc_http_resp *resp);
/* The methods path (after /api/documents/) takes: *get, *post. */
int dc_api_document_methods(const char *path, int *get, int *post);
void dc_api_review_queue(dc_http_req *req, dc_http_resp *resp); /* GET /api/review */
/* 1 if v confirms ("1", "yes", "true", "on"). */
int dc_http_confirm_value(const char *v);
/* 1 if a reviewer's change of document id needs a confirmation it lacks
 * (confirmed 0): the document is released, so the change is public at
 * once.  0 for others (the action refuses them) and for a document the
 * reader may not open (the action says "no document"). */
int dc_http_needs_confirm(dc_http_req *req, const char *id, int confirmed);
void dc_api_upload(dc_http_req *req, dc_http_resp *resp);      /* POST /api/documents */
void dc_api_session(dc_http_req *req, dc_http_resp *resp);     /* GET|POST|DELETE /api/session */
void dc_api_export(dc_http_req *req, dc_http_resp *resp);      /* GET /api/export */

/* ---- pages.c: the reading room (text/html; charset=utf-8) --------------- */

/* An HTML error page with that status. */
void dc_page_error(dc_http_req *req, dc_http_resp *resp, int status, const char *message);
/* The page frame of pages.c for the other page files: dc_page_begin
 * starts a page (head: more of <head>, e.g. <meta> tags, or NULL; next: the
 * sign-in link's return path, NULL: the request's), dc_page_end ends it;
 * dc_page_esc appends s escaped for HTML; dc_page_doc_href the path
 * PREFIX + ID (slashes kept, the rest percent-encoded). */
void dc_page_begin(dc_http_req *req, dc_http_resp *resp, const char *title,
                   const char *body_class, const char *next, const char *head);
void dc_page_end(dc_http_resp *resp);
void dc_page_esc(dc_buf *b, const char *s);
void dc_page_doc_href(dc_buf *b, const char *prefix, const char *id);
/* pages_volume.c: a document's place in its volume (vol may be NULL):
 * the trail "Volume › Division › …" above it, the previous / next
 * document links below it, and the Cite box (Chicago, BibTeX, RIS and
 * their downloads, the Office of the Historian's page of a FRUS
 * document). */
void dc_page_doc_trail(dc_buf *b, const dc_doc *doc, const dc_volume *vol);
void dc_page_doc_pager(dc_buf *b, const dc_doc *doc, const dc_volume *vol);
void dc_page_cite_box(dc_http_req *req, dc_buf *b, const dc_doc *doc);
/* The persons of the volume's List of Persons the document's view names,
 * as links to their pages (the role as the link's title). */
void dc_page_doc_persons(dc_http_req *req, dc_buf *b, const dc_doc *doc);
/* A scanned document's pages: thumbnails and the page ?page=N with the
 * ?find= query's words outlined (pages_scan.c); nothing for another. */
void dc_page_scan(dc_http_req *req, dc_buf *b, const dc_doc *doc);
void dc_page_volume(dc_http_req *req, dc_http_resp *resp); /* GET /volumes/{id} */
/* GET /persons/{volume}/{id}: an entry of a volume's List of Persons, its
 * role and the readable documents naming the person; GET
 * /terms/{volume}/{id}: an entry of its List of Abbreviations and Terms. */
void dc_page_person(dc_http_req *req, dc_http_resp *resp);
void dc_page_term(dc_http_req *req, dc_http_resp *resp);

void dc_page_search(dc_http_req *req, dc_http_resp *resp);   /* GET / and /search */
void dc_page_document(dc_http_req *req, dc_http_resp *resp); /* GET /documents/{id} */
void dc_page_login(dc_http_req *req, dc_http_resp *resp);    /* GET|POST /login */
void dc_page_logout(dc_http_req *req, dc_http_resp *resp);   /* POST /logout */
/* GET /review/{id}; POST /review/{id}/withhold|mark|release (reviewers) */
void dc_page_review(dc_http_req *req, dc_http_resp *resp);
/* GET /review: the review queue by due date (reviewers). */
void dc_page_review_queue(dc_http_req *req, dc_http_resp *resp);

/* ---- assets.c (generated from web/static/ at build time) --------------- */

/* The embedded file at name ("app.css"), its bytes and content type;
 * 0 if there is none. */
int dc_http_asset(const char *name, const unsigned char **data, size_t *len,
                  const char **content_type);

/* ---- http_util.c: form values and URLs ---------------------------------- */

/* s, or NULL when s is NULL or empty (an unset form field). */
const char *dc_http_nonempty(const char *s);
/* 1 if s is NULL or a date "YYYY", "YYYY-MM" or "YYYY-MM-DD" (month 01-12,
 * day 01-31). */
int dc_http_date_ok(const char *s);
/* Replaces in place each byte of invalid UTF-8 in s, and with controls
 * set each control character too, by '?'. */
void dc_http_scrub(char *s, int controls);
/* Appends s percent-encoded for a URL query value or path segment ('/'
 * kept when keep_slash is set). */
void dc_http_url_encode(dc_buf *b, const char *s, int keep_slash);

#endif
