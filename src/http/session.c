/*
 * declass HTTP sessions: an in-memory table of signed-in clients and the
 * login rate limits.
 *
 * A session is found by its cookie token (32 random bytes, hex).  The
 * table stores only a keyed BLAKE2b hash of each token, so a memory dump
 * does not reveal live cookies; lookups hash the presented token and
 * compare hashes in constant time.  Sessions expire after
 * DC_HTTP_SESSION_IDLE_S idle seconds; when the table is full the least
 * recently used one is evicted.  Everything is behind one mutex.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server_int.h"

#include "banned.h"

#define N_BUCKETS 16384 /* a power of two */
#define HASH_LEN 32
#define MAX_LIMITS 20000 /* rate-limit entries kept (client addresses, names) */
#define LIMIT_KEY 300

typedef struct session {
    struct session *next; /* bucket chain */
    unsigned char hash[HASH_LEN];
    char user[256];
    char csrf[DC_HTTP_TOKEN_HEX + 1];
    long long generation; /* the account's credential generation at login */
    time_t used;
} session;

/* Failed logins of one client address ("a:ADDR") or user name ("u:NAME")
 * in the window that began at start. */
typedef struct limit {
    char key[LIMIT_KEY];
    unsigned failures;
    time_t start;
} limit;

struct dc_http_sessions {
    pthread_mutex_t mu;
    unsigned char key[crypto_generichash_KEYBYTES];
    session *buckets[N_BUCKETS];
    size_t n;
    limit *limits;
    size_t n_limits;
};

static time_t now(void) { return time(NULL); }

dc_http_sessions *dc_http_sessions_new(void)
{
    if (sodium_init() < 0) return NULL;
    dc_http_sessions *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->limits = calloc(MAX_LIMITS, sizeof *t->limits);
    if (!t->limits) {
        free(t);
        return NULL;
    }
    pthread_mutex_init(&t->mu, NULL);
    randombytes_buf(t->key, sizeof t->key);
    return t;
}

void dc_http_sessions_free(dc_http_sessions *t)
{
    if (!t) return;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        session *s = t->buckets[b];
        while (s) {
            session *next = s->next;
            sodium_memzero(s, sizeof *s);
            free(s);
            s = next;
        }
    }
    sodium_memzero(t->key, sizeof t->key);
    free(t->limits);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

void dc_http_random_token(char *out)
{
    unsigned char raw[DC_HTTP_TOKEN_HEX / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, DC_HTTP_TOKEN_HEX + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

int dc_http_token_ok(const char *s)
{
    size_t i = 0;
    for (; s[i] && i <= DC_HTTP_TOKEN_HEX; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return i == DC_HTTP_TOKEN_HEX;
}

static void hash_token(const dc_http_sessions *t, const char *token, unsigned char *out)
{
    crypto_generichash(out, HASH_LEN, (const unsigned char *)token, DC_HTTP_TOKEN_HEX, t->key,
                       sizeof t->key);
}

static size_t bucket_of(const unsigned char *hash)
{
    uint32_t v;
    memcpy(&v, hash, sizeof v);
    return v & (N_BUCKETS - 1);
}

/* Unlinks and frees *link's session. */
static void unlink_session(dc_http_sessions *t, session **link)
{
    session *s = *link;
    *link = s->next;
    sodium_memzero(s, sizeof *s);
    free(s);
    t->n--;
}

/* The link that points at the session with this hash, or NULL.  Expired
 * sessions met on the way are removed. */
static session **find_link(dc_http_sessions *t, const unsigned char *hash, time_t at)
{
    session **link = &t->buckets[bucket_of(hash)];
    while (*link) {
        session *s = *link;
        if (at - s->used > DC_HTTP_SESSION_IDLE_S) {
            unlink_session(t, link);
            continue;
        }
        if (sodium_memcmp(s->hash, hash, HASH_LEN) == 0) return link;
        link = &s->next;
    }
    return NULL;
}

int dc_http_session_find(dc_http_sessions *t, const char *token, char *user, size_t user_size,
                         char *csrf, long long *generation)
{
    if (!t || !token || !dc_http_token_ok(token)) return 0;
    unsigned char hash[HASH_LEN];
    hash_token(t, token, hash);
    int found = 0;
    pthread_mutex_lock(&t->mu);
    time_t at = now();
    session **link = find_link(t, hash, at);
    if (link) {
        session *s = *link;
        s->used = at;
        snprintf(user, user_size, "%s", s->user);
        memcpy(csrf, s->csrf, DC_HTTP_TOKEN_HEX + 1);
        if (generation) *generation = s->generation;
        found = 1;
    }
    pthread_mutex_unlock(&t->mu);
    return found;
}

void dc_http_session_drop(dc_http_sessions *t, const char *token)
{
    if (!t || !token || !dc_http_token_ok(token)) return;
    unsigned char hash[HASH_LEN];
    hash_token(t, token, hash);
    pthread_mutex_lock(&t->mu);
    session **link = find_link(t, hash, now());
    if (link) unlink_session(t, link);
    pthread_mutex_unlock(&t->mu);
}

/* Makes room for one more session: drops the expired ones, then the
 * least recently used.  Called with the lock held and the table full. */
static void evict(dc_http_sessions *t, time_t at)
{
    session **oldest = NULL;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        session **link = &t->buckets[b];
        while (*link) {
            if (at - (*link)->used > DC_HTTP_SESSION_IDLE_S) {
                unlink_session(t, link);
                continue;
            }
            if (!oldest || (*link)->used < (*oldest)->used) oldest = link;
            link = &(*link)->next;
        }
    }
    if (t->n >= DC_HTTP_MAX_SESSIONS && oldest) unlink_session(t, oldest);
}

dc_rc dc_http_session_new(dc_http_sessions *t, const char *user, long long generation,
                          char *token, char *csrf)
{
    session *s = calloc(1, sizeof *s);
    if (!s) return DC_NOMEM;
    dc_http_random_token(token);
    dc_http_random_token(csrf);
    hash_token(t, token, s->hash);
    snprintf(s->user, sizeof s->user, "%s", user);
    memcpy(s->csrf, csrf, DC_HTTP_TOKEN_HEX + 1);
    s->generation = generation;
    pthread_mutex_lock(&t->mu);
    s->used = now();
    if (t->n >= DC_HTTP_MAX_SESSIONS) evict(t, s->used);
    size_t b = bucket_of(s->hash);
    s->next = t->buckets[b];
    t->buckets[b] = s;
    t->n++;
    pthread_mutex_unlock(&t->mu);
    return DC_OK;
}

/* ---- login rate limits -------------------------------------------------- */

/* The entry for key (created if absent, reusing an expired or the oldest
 * slot when the table is full).  Lock held. */
static limit *limit_get(dc_http_sessions *t, const char *key, time_t at, int create)
{
    limit *spare = NULL;
    for (size_t i = 0; i < t->n_limits; i++) {
        limit *l = &t->limits[i];
        if (at - l->start >= DC_HTTP_LOGIN_WINDOW_S) {
            if (!spare) spare = l;
            if (!strcmp(l->key, key)) {
                l->failures = 0;
                l->start = at;
                return l;
            }
            continue;
        }
        if (!strcmp(l->key, key)) return l;
    }
    if (!create) return NULL;
    if (!spare && t->n_limits < MAX_LIMITS) spare = &t->limits[t->n_limits++];
    if (!spare) {
        spare = &t->limits[0];
        for (size_t i = 1; i < t->n_limits; i++)
            if (t->limits[i].start < spare->start) spare = &t->limits[i];
    }
    snprintf(spare->key, sizeof spare->key, "%s", key);
    spare->failures = 0;
    spare->start = at;
    return spare;
}

/* Seconds until a key at its limit may try again (0: it may now). */
static unsigned limit_wait(dc_http_sessions *t, const char *key, time_t at)
{
    limit *l = limit_get(t, key, at, 0);
    if (!l || l->failures < DC_HTTP_LOGIN_TRIES) return 0;
    time_t left = l->start + DC_HTTP_LOGIN_WINDOW_S - at;
    return left > 0 ? (unsigned)left : 1;
}

static void limit_fail(dc_http_sessions *t, const char *key, time_t at)
{
    limit *l = limit_get(t, key, at, 1);
    if (l) l->failures++;
}

static void limit_clear(dc_http_sessions *t, const char *key, time_t at)
{
    limit *l = limit_get(t, key, at, 0);
    if (l) {
        memset(l->key, 0, sizeof l->key);
        l->start = 0;
        l->failures = 0;
    }
}

static void set_cookies(dc_http_resp *resp, const char *token, const char *csrf)
{
    char c[200];
    snprintf(c, sizeof c, "%s=%s; Path=/; HttpOnly; SameSite=Strict", DC_HTTP_SESSION_COOKIE,
             token);
    dc_http_resp_header(resp, MHD_HTTP_HEADER_SET_COOKIE, c);
    snprintf(c, sizeof c, "%s=%s; Path=/; SameSite=Strict", DC_HTTP_CSRF_COOKIE, csrf);
    dc_http_resp_header(resp, MHD_HTTP_HEADER_SET_COOKIE, c);
    sodium_memzero(c, sizeof c);
}

dc_rc dc_http_login(dc_http_req *req, dc_http_resp *resp, const char *name, const char *password,
                    unsigned *retry_after)
{
    dc_http_sessions *t = dc_http_server_sessions(req->srv);
    if (retry_after) *retry_after = 0;
    if (!name || !password) return DC_DENIED;
    char akey[LIMIT_KEY], ukey[LIMIT_KEY];
    snprintf(akey, sizeof akey, "a:%s", req->client ? req->client : "");
    snprintf(ukey, sizeof ukey, "u:%s", name);
    pthread_mutex_lock(&t->mu);
    time_t at = now();
    unsigned wa = limit_wait(t, akey, at), wu = limit_wait(t, ukey, at);
    pthread_mutex_unlock(&t->mu);
    if (wa || wu) {
        if (retry_after) *retry_after = wa > wu ? wa : wu;
        return DC_LIMIT;
    }
    dc_rc rc = dc_db_login(req->db, name, password);
    if (rc) {
        /* the handle acts as the public after a refused login */
        dc_db_logout(req->db);
        pthread_mutex_lock(&t->mu);
        at = now();
        limit_fail(t, akey, at);
        limit_fail(t, ukey, at);
        pthread_mutex_unlock(&t->mu);
        req->who = dc_db_identity(req->db);
        snprintf(req->conn->user, sizeof req->conn->user, "%s",
                 req->who.name ? req->who.name : "public");
        req->who.name = req->conn->user;
        return rc == DC_DENIED ? DC_DENIED : rc;
    }
    pthread_mutex_lock(&t->mu);
    limit_clear(t, ukey, now());
    pthread_mutex_unlock(&t->mu);
    dc_http_conn *c = req->conn;
    /* A new session per login: an old cookie (session fixation) ends. */
    if (c->session[0]) dc_http_session_drop(t, c->session);
    /* The session ends when the account's generation moves on (server.c). */
    rc = dc_http_session_new(t, name, dc_db_identity(req->db).generation, c->session, c->csrf);
    if (rc) {
        dc_db_logout(req->db);
        c->session[0] = '\0';
        return rc;
    }
    set_cookies(resp, c->session, c->csrf);
    c->cookies_done = 1;
    req->who = dc_db_identity(req->db);
    snprintf(c->user, sizeof c->user, "%s", req->who.name ? req->who.name : name);
    req->who.name = c->user;
    req->csrf = c->csrf;
    return DC_OK;
}

void dc_http_logout(dc_http_req *req, dc_http_resp *resp)
{
    dc_http_conn *c = req->conn;
    const char *tok = MHD_lookup_connection_value(c->mc, MHD_COOKIE_KIND, DC_HTTP_SESSION_COOKIE);
    if (tok) dc_http_session_drop(dc_http_server_sessions(req->srv), tok);
    if (c->session[0]) dc_http_session_drop(dc_http_server_sessions(req->srv), c->session);
    c->session[0] = '\0';
    dc_db_logout(req->db);
    dc_http_resp_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
                        DC_HTTP_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    /* The public gets a fresh CSRF token (the session's one is dead). */
    dc_http_random_token(c->csrf);
    char ck[160];
    snprintf(ck, sizeof ck, "%s=%s; Path=/; SameSite=Strict", DC_HTTP_CSRF_COOKIE, c->csrf);
    dc_http_resp_header(resp, MHD_HTTP_HEADER_SET_COOKIE, ck);
    c->cookies_done = 1;
    req->who = dc_db_identity(req->db);
    snprintf(c->user, sizeof c->user, "%s", req->who.name ? req->who.name : "public");
    req->who.name = c->user;
    req->csrf = c->csrf;
}
