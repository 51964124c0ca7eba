/*
 * declass HTTP front end: what server.c and session.c share beyond
 * http_int.h (the per-request state and the session table).  pages.c does
 * not need this header.
 */
#ifndef DC_HTTP_SERVER_INT_H
#define DC_HTTP_SERVER_INT_H

#include <stddef.h>

#include "http_int.h"

typedef struct dc_http_sessions dc_http_sessions;

/* Per-request state (MHD keeps one per request, passed as con_cls). */
struct dc_http_conn {
    struct MHD_Connection *mc;
    dc_http_server *srv;
    int started;    /* the first access callback has run */
    size_t uri_len; /* the raw request target, query included */
    int nul_path;   /* its path has a %00 (decoded, it would be cut short) */
    size_t cap;     /* the body cap of this request */
    int too_large;  /* the body passed cap: discarded, 413 */
    dc_buf body;
    double t0;                           /* monotonic seconds at the first callback */
    char client[64];                     /* the peer's address */
    char user[256];                      /* copy of the acting user's name (req->who.name) */
    char csrf[DC_HTTP_TOKEN_HEX + 1];    /* the token the client must send */
    char session[DC_HTTP_TOKEN_HEX + 1]; /* the session cookie, "" if none */
    int csrf_cookie;                     /* 1: the response sets the dc_csrf cookie */
    int cookies_done;                    /* 1: session.c already set the cookies */
    /* Decoded application/x-www-form-urlencoded body fields (name, value
     * alternating). */
    dc_strv form;
};

/* The server's session table. */
dc_http_sessions *dc_http_server_sessions(dc_http_server *srv);
/* The path of the database the server serves. */
const char *dc_http_server_db_path(const dc_http_server *srv);

/* ---- api.c ----------------------------------------------------------------- */

/* The value of the multipart/form-data field name of the request body
 * (a part without a filename) copied to out; 0 if absent, too long or the
 * body is not multipart. */
int dc_http_multipart_field(const dc_http_req *req, const char *name, char *out, size_t size);

/* The compartments of a mark request (POST .../mark) point into out, which
 * has room for DC_HTTP_API_MAX_COMPARTMENTS: from the JSON body's
 * "compartments" (an array of strings, borrowed from j), or split from the
 * comma-separated form field s (copied into store, blanks trimmed).
 * Return the count, 0 if absent, -1 if malformed or too many. */
#define DC_HTTP_API_MAX_COMPARTMENTS 64
struct cJSON;
int dc_http_compartments_json(const struct cJSON *j, const char **out);
int dc_http_compartments_split(const char *s, char *store, size_t store_size, const char **out);

/* ---- server.c ------------------------------------------------------------ */

/* Appends the fields of an application/x-www-form-urlencoded body[0..len)
 * to form, decoded (name, value alternating; "+" is a space, bad "%XX"
 * escapes are kept as written).  DC_NOMEM on failure. */
dc_rc dc_http_form_parse(const char *body, size_t len, dc_strv *form);

/* ---- session.c ----------------------------------------------------------- */

dc_http_sessions *dc_http_sessions_new(void);
void dc_http_sessions_free(dc_http_sessions *t);
/* Looks a session token up (64 hex chars): 1 and user (NUL-terminated,
 * truncated to user_size), csrf (DC_HTTP_TOKEN_HEX + 1 bytes) and
 * *generation (may be NULL) if it is live (its last-used time is
 * refreshed), else 0. */
int dc_http_session_find(dc_http_sessions *t, const char *token, char *user, size_t user_size,
                         char *csrf, long long *generation);
/* Creates a session for user, signed in under the account's credential
 * generation (dc_identity.generation); token and csrf (DC_HTTP_TOKEN_HEX
 * + 1 bytes each) receive fresh random tokens.  When the table is full the
 * least recently used session is dropped.  DC_NOMEM on failure. */
dc_rc dc_http_session_new(dc_http_sessions *t, const char *user, long long generation,
                          char *token, char *csrf);
/* Forgets a session (no-op if unknown). */
void dc_http_session_drop(dc_http_sessions *t, const char *token);
/* Fills out (DC_HTTP_TOKEN_HEX + 1 bytes) with a fresh random token. */
void dc_http_random_token(char *out);
/* 1 if s is a well-formed token (exactly DC_HTTP_TOKEN_HEX lowercase hex). */
int dc_http_token_ok(const char *s);

#endif
