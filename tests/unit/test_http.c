/*
 * The HTTP server and JSON API: a real server (dc_http_start on an
 * ephemeral port, over a temporary database holding the samples) driven
 * by a real client (libcurl).  Covers the API's answers against the
 * library's, access control through the API, sessions and their cookies,
 * CSRF, uploads, the request limits and hostile requests.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "declass/declass.h"
#include "http.h"
#include "server_int.h"
#include "test.h"

static unsigned port;
static char dbpath[512];

/* ---- a small client ------------------------------------------------------ */

typedef struct client {
    CURL *h;
    char csrf[256]; /* the last dc_csrf cookie the server set */
} client;

typedef struct reply {
    long status;
    char *body;
    size_t len;
    char *head; /* the raw response headers */
    size_t hlen;
} reply;

/* Collects a response's body or headers. */
typedef struct sink {
    char *p;
    size_t len;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    sink *k = ctx;
    size_t add = size * n;
    char *q = realloc(k->p, k->len + add + 1);
    if (!q) return 0;
    memcpy(q + k->len, p, add);
    k->len += add;
    q[k->len] = '\0';
    k->p = q;
    return add;
}

static void client_init(client *c)
{
    memset(c, 0, sizeof *c);
    c->h = curl_easy_init();
    /* the cookie engine, in memory */
    curl_easy_setopt(c->h, CURLOPT_COOKIEFILE, "");
}

static void client_free(client *c) { curl_easy_cleanup(c->h); }

static void reply_free(reply *r)
{
    free(r->body);
    free(r->head);
    memset(r, 0, sizeof *r);
}

/* The value of response header name (first occurrence) copied to out. */
static int header_value(const reply *r, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    for (const char *p = r->head; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol) break;
        if ((size_t)(eol - p) > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ') v++;
            snprintf(out, size, "%.*s", (int)(eol - v), v);
            return 1;
        }
        p = eol + 2;
    }
    return 0;
}

/* The Set-Cookie header that sets cookie name, copied to out. */
static int set_cookie(const reply *r, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    for (const char *p = r->head; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol) break;
        if (!strncasecmp(p, "Set-Cookie: ", 12) && !strncmp(p + 12, name, nl) &&
            p[12 + nl] == '=') {
            snprintf(out, size, "%.*s", (int)(eol - p - 12), p + 12);
            return 1;
        }
        p = eol + 2;
    }
    return 0;
}

/*
 * Sends one request.  path includes the query string; ctype/body may be
 * NULL; extra is a NULL-terminated list of header lines; token: send the
 * client's CSRF token in X-CSRF-Token.
 */
static long call(client *c, const char *method, const char *path, const char *ctype,
                 const char *body, size_t len, const char *const *extra, int token, reply *r)
{
    memset(r, 0, sizeof *r);
    sink b = {0}, h = {0};
    char url[16384];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    CURL *e = c->h;
    /* every option a call sets is set on each call (no curl_easy_reset:
     * it would switch the cookie engine off) */
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    struct curl_slist *hl = NULL;
    char line[20000];
    if (ctype) {
        snprintf(line, sizeof line, "Content-Type: %s", ctype);
        hl = curl_slist_append(hl, line);
    }
    if (token) {
        snprintf(line, sizeof line, "X-CSRF-Token: %s", c->csrf);
        hl = curl_slist_append(hl, line);
    }
    hl = curl_slist_append(hl, "Expect:");
    for (size_t i = 0; extra && extra[i]; i++) hl = curl_slist_append(hl, extra[i]);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
    CURLcode cc = curl_easy_perform(e);
    curl_slist_free_all(hl);
    r->body = b.p ? b.p : calloc(1, 1);
    r->len = b.len;
    r->head = h.p ? h.p : calloc(1, 1);
    r->hlen = h.len;
    if (cc != CURLE_OK) {
        fprintf(stderr, "curl: %s %s: %s\n", method, path, curl_easy_strerror(cc));
        r->status = -1;
        return -1;
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
    char ck[256];
    if (set_cookie(r, "dc_csrf", ck, sizeof ck)) {
        char *semi = strchr(ck, ';');
        if (semi) *semi = '\0';
        snprintf(c->csrf, sizeof c->csrf, "%.200s", ck + strlen("dc_csrf="));
    }
    return r->status;
}

static long get(client *c, const char *path, reply *r)
{
    return call(c, "GET", path, NULL, NULL, 0, NULL, 0, r);
}

static long post_json(client *c, const char *path, const char *json, int token, reply *r)
{
    return call(c, "POST", path, "application/json", json, strlen(json), NULL, token, r);
}

/* The JSON body of r (NULL if it is not JSON). */
static cJSON *json_of(const reply *r) { return cJSON_ParseWithLength(r->body, r->len); }

static long json_num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : -999;
}

static const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "total" of GET /api/search?q=... as client c, -1 on error. */
static long search_total(client *c, const char *query_enc)
{
    char path[512];
    snprintf(path, sizeof path, "/api/search?q=%s", query_enc);
    reply r;
    long total = -1;
    if (get(c, path, &r) == 200) {
        cJSON *j = json_of(&r);
        total = json_num(j, "total");
        cJSON_Delete(j);
    }
    reply_free(&r);
    return total;
}

static long login(client *c, const char *name, const char *password)
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\": \"%s\", \"password\": \"%s\"}", name, password);
    reply r;
    long s = post_json(c, "/api/session", body, 0, &r);
    reply_free(&r);
    return s;
}

/* ---- setup --------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static const char secret_txt[] = "SECRET\n\nMemorandum on the harbor\n\n"
                                 "The harbor at Inchon needs dredging before the monsoon.\n";
static const char released_txt[] = "UNCLASSIFIED\n\nMemorandum on fisheries\n\n"
                                   "The fisheries agreement was signed at noon.\n\n"
                                   "The quixotewidget program remains under study by the staff.\n";

/* A database with the samples (released), a classified text document,
 * and three users. */
static int setup(const char *dir)
{
    snprintf(dbpath, sizeof dbpath, "%s/test.db", dir);
    dc_db *db = NULL;
    dc_error err = {0};
    if (dc_db_open(dbpath, DC_DB_CREATE, &db, &err)) {
        fprintf(stderr, "open: %s\n", err.msg);
        return -1;
    }
    const char *corpus = getenv("DC_CORPUS");
    dc_ingest_opts rel = {.released = 1};
    dc_ingest_stats st = {0};
    dc_rc rc = dc_db_ingest(db, corpus ? corpus : "samples", &rel, &st);
    CHECK_INT(rc, DC_OK);
    CHECK(st.docs_new >= 5);
    char path[600];
    snprintf(path, sizeof path, "%s/httptest", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/httptest/harbor.txt", dir);
    write_file(path, secret_txt);
    dc_ingest_opts cls = {.collection = "httptest"};
    CHECK_INT(dc_db_ingest(db, path, &cls, &st), DC_OK);
    snprintf(path, sizeof path, "%s/httptest/fish.txt", dir);
    write_file(path, released_txt);
    dc_ingest_opts pub = {.collection = "httptest", .released = 1};
    CHECK_INT(dc_db_ingest(db, path, &pub, &st), DC_OK);

    dc_user_spec admin = {
        .name = "admin", .level = DC_TOP_SECRET, .roles = 4 | 2, .password = "admin-pw"};
    int made = 0;
    CHECK_INT(dc_db_user_add(db, &admin, &made), DC_OK);
    CHECK(made);
    CHECK_INT(dc_db_login(db, "admin", "admin-pw"), DC_OK);
    dc_user_spec rev = {.name = "rev", .level = DC_SECRET, .roles = 2, .password = "rev-pw"};
    dc_user_spec rd = {.name = "reader", .level = DC_SECRET, .roles = 1, .password = "reader-pw"};
    dc_user_spec low = {.name = "low", .level = DC_UNCLASSIFIED, .roles = 1, .password = "low-pw"};
    CHECK_INT(dc_db_user_add(db, &rev, NULL), DC_OK);
    CHECK_INT(dc_db_user_add(db, &rd, NULL), DC_OK);
    CHECK_INT(dc_db_user_add(db, &low, NULL), DC_OK);
    dc_db_close(db);
    return 0;
}

/* The library's own total for a query, as the public. */
static long lib_total(const char *q)
{
    dc_db *db = NULL;
    dc_error err = {0};
    if (dc_db_open(dbpath, 0, &db, &err)) return -2;
    dc_search_request sr = {.query = q};
    dc_search_page *page = NULL;
    long total = dc_db_search(db, &sr, &page) ? -1 : (long)page->total;
    dc_search_page_free(page);
    dc_db_close(db);
    return total;
}

/* ---- the tests ----------------------------------------------------------- */

static void test_security_headers(client *pub)
{
    reply r;
    CHECK_INT(get(pub, "/api/collections", &r), 200);
    char v[512];
    CHECK(header_value(&r, "Content-Security-Policy", v, sizeof v));
    CHECK(strstr(v, "default-src 'self'") != NULL);
    CHECK(strstr(v, "frame-ancestors 'none'") != NULL);
    CHECK(header_value(&r, "X-Content-Type-Options", v, sizeof v));
    CHECK_STR(v, "nosniff");
    CHECK(header_value(&r, "X-Frame-Options", v, sizeof v));
    CHECK_STR(v, "DENY");
    CHECK(header_value(&r, "Referrer-Policy", v, sizeof v));
    CHECK_STR(v, "same-origin");
    CHECK(header_value(&r, "Cache-Control", v, sizeof v));
    CHECK_STR(v, "no-store");
    CHECK(header_value(&r, "Content-Type", v, sizeof v));
    CHECK_STR(v, "application/json");
    /* a fresh client gets a CSRF cookie readable by scripts */
    CHECK(set_cookie(&r, "dc_csrf", v, sizeof v));
    CHECK(strstr(v, "SameSite=Strict") != NULL);
    CHECK(strstr(v, "HttpOnly") == NULL);
    CHECK_INT(strlen(pub->csrf), 64);
    cJSON *j = json_of(&r);
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(j, "collections");
    CHECK(cJSON_IsArray(cols));
    int seen_seeds = 0, seen_test = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cols)
    {
        const char *name = json_str(e, "name");
        if (name && !strcmp(name, "seeds")) seen_seeds = (int)json_num(e, "documents");
        if (name && !strcmp(name, "httptest")) seen_test = (int)json_num(e, "documents");
    }
    CHECK_INT(seen_seeds, 4);
    CHECK_INT(seen_test, 1); /* the classified one is not counted for the public */
    cJSON_Delete(j);
    reply_free(&r);
    /* the client now has a cookie: no new one */
    CHECK_INT(get(pub, "/api/collections", &r), 200);
    CHECK(!set_cookie(&r, "dc_csrf", v, sizeof v));
    reply_free(&r);

    /* HEAD: the headers of GET, no body */
    CHECK_INT(call(pub, "HEAD", "/api/collections", NULL, NULL, 0, NULL, 0, &r), 200);
    CHECK_INT(r.len, 0);
    CHECK(header_value(&r, "Content-Length", v, sizeof v));
    CHECK(atol(v) > 20);
    reply_free(&r);
    /* unknown method and a method the route does not take: 405 + Allow */
    CHECK_INT(call(pub, "PUT", "/api/collections", NULL, NULL, 0, NULL, 1, &r), 405);
    CHECK(header_value(&r, "Allow", v, sizeof v));
    CHECK_STR(v, "GET, HEAD");
    reply_free(&r);
    CHECK_INT(call(pub, "BREW", "/api/search?q=x", NULL, NULL, 0, NULL, 1, &r), 405);
    CHECK(header_value(&r, "Allow", v, sizeof v));
    reply_free(&r);
    CHECK_INT(call(pub, "DELETE", "/api/documents/seeds/x", NULL, NULL, 0, NULL, 1, &r), 405);
    reply_free(&r);
    /* unknown API path: JSON 404 */
    CHECK_INT(get(pub, "/api/nothing", &r), 404);
    cJSON *k = json_of(&r);
    CHECK_INT(json_num(k, "status"), 404);
    cJSON_Delete(k);
    reply_free(&r);
    /* static files are cacheable; a missing one is 404 */
    CHECK_INT(get(pub, "/static/style.css", &r), 200);
    CHECK(header_value(&r, "Cache-Control", v, sizeof v));
    CHECK_STR(v, "public, max-age=3600");
    reply_free(&r);
    CHECK_INT(get(pub, "/static/nope.css", &r), 404);
    reply_free(&r);
    CHECK_INT(get(pub, "/static/../CMakeLists.txt", &r), 404);
    reply_free(&r);
}

static void test_search(client *pub)
{
    reply r;
    CHECK_INT(get(pub, "/api/search?q=armistice", &r), 200);
    cJSON *j = json_of(&r);
    CHECK(j != NULL);
    long total = json_num(j, "total");
    CHECK(total > 0);
    CHECK_INT(total, lib_total("armistice"));
    CHECK_STR(json_str(j, "query"), "armistice");
    const cJSON *hits = cJSON_GetObjectItemCaseSensitive(j, "hits");
    CHECK_INT(cJSON_GetArraySize(hits), total < 10 ? total : 10);
    const cJSON *h0 = cJSON_GetArrayItem(hits, 0);
    CHECK(json_str(h0, "id") != NULL);
    CHECK(json_str(h0, "snippet") != NULL);
    cJSON_Delete(j);
    reply_free(&r);

    /* a multi-word query, percent-encoded, with paging */
    CHECK_INT(get(pub, "/api/search?q=korean%20armistice&limit=1&offset=1", &r), 200);
    j = json_of(&r);
    CHECK_INT(json_num(j, "total"), lib_total("korean armistice"));
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "hits")) <= 1);
    cJSON_Delete(j);
    reply_free(&r);
    CHECK_INT(get(pub, "/api/search?q=korean+armistice", &r), 200);
    j = json_of(&r);
    CHECK_INT(json_num(j, "total"), lib_total("korean armistice"));
    cJSON_Delete(j);
    reply_free(&r);
    /* the document type filter: one memorandum among the armistice hits */
    CHECK_INT(search_total(pub, "armistice&doc_type=memorandum"), 1);
    CHECK_INT(search_total(pub, "armistice&doc_type=sonnet"), 0);
    /* filters */
    CHECK_INT(get(pub, "/api/search?q=armistice&collection=seeds", &r), 200);
    j = json_of(&r);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "hits"))
        CHECK(!strncmp(json_str(e, "id"), "seeds/", 6));
    cJSON_Delete(j);
    reply_free(&r);
    /* no hits: 200, total 0 */
    CHECK_INT(get(pub, "/api/search?q=zzyzxnotaword", &r), 200);
    j = json_of(&r);
    CHECK_INT(json_num(j, "total"), 0);
    cJSON_Delete(j);
    reply_free(&r);
    /* bad requests: 400 with a JSON error */
    static const char *const bad[] = {"/api/search",
                                      "/api/search?q=",
                                      "/api/search?q=a&limit=x",
                                      "/api/search?q=a&limit=-1",
                                      "/api/search?q=a&offset=1e3",
                                      "/api/search?q=%22unclosed",
                                      "/api/search?q=a&from=notadate",
                                      "/api/search?q=a&limit=99999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (get(pub, bad[i], &r) != 400) fprintf(stderr, "%s: %ld\n", bad[i], r.status);
        CHECK_INT(r.status, 400);
        j = json_of(&r);
        CHECK(j && json_str(j, "error"));
        CHECK_INT(json_num(j, "status"), 400);
        cJSON_Delete(j);
        reply_free(&r);
    }
    CHECK_INT(get(pub, "/api/search?q=%22unclosed", &r), 400);
    CHECK(strstr(r.body, "quote") != NULL); /* the parser's message */
    reply_free(&r);
}

static void test_documents(client *pub, client *reader, client *low)
{
    reply r;
    CHECK_INT(get(pub, "/api/documents/frus1958-60v18/d279", &r), 200);
    cJSON *j = json_of(&r);
    CHECK_STR(json_str(j, "id"), "frus1958-60v18/d279");
    cJSON_Delete(j);
    reply_free(&r);
    CHECK_INT(get(pub, "/api/documents/frus1958-60v18/d279?format=text", &r), 200);
    CHECK(strstr(r.body, "Document: frus1958-60v18/d279") != NULL);
    char v[256];
    CHECK(header_value(&r, "Content-Type", v, sizeof v));
    CHECK_STR(v, "text/plain; charset=utf-8");
    reply_free(&r);
    CHECK_INT(get(pub, "/api/documents/frus1958-60v18/d279?format=tei", &r), 200);
    CHECK(strstr(r.body, "<TEI") != NULL);
    reply_free(&r);
    CHECK_INT(get(pub, "/api/documents/frus1958-60v18/d279?format=cite", &r), 200);
    CHECK(strstr(r.body, "Document 279") != NULL);
    reply_free(&r);
    CHECK_INT(get(pub, "/api/documents/frus1958-60v18/d279?format=pdf", &r), 400);
    reply_free(&r);

    /* unknown and unreadable: the same 404 body */
    CHECK_INT(get(pub, "/api/documents/httptest/nothing", &r), 404);
    char *unknown = strdup(r.body);
    reply_free(&r);
    CHECK_INT(get(pub, "/api/documents/httptest/harbor", &r), 404);
    char *hidden = strdup(r.body);
    reply_free(&r);
    CHECK(strstr(unknown, "httptest/nothing") != NULL);
    /* same shape: only the id differs */
    CHECK(strstr(hidden, "httptest/harbor") != NULL);
    CHECK_INT(strlen(unknown) - strlen("nothing"), strlen(hidden) - strlen("harbor"));
    free(unknown);
    free(hidden);
    CHECK_INT(get(pub, "/api/documents/httptest/harbor/refs", &r), 404);
    reply_free(&r);
    CHECK_INT(search_total(pub, "inchon"), 0);
    /* a cleared reader sees it; an uncleared one does not */
    CHECK_INT(get(reader, "/api/documents/httptest/harbor", &r), 200);
    CHECK(strstr(r.body, "Inchon") != NULL);
    reply_free(&r);
    CHECK_INT(search_total(reader, "inchon"), 1);
    CHECK_INT(get(low, "/api/documents/httptest/harbor", &r), 404);
    reply_free(&r);

    /* references */
    CHECK_INT(get(pub, "/api/documents/frus1958-60v18/d279/refs", &r), 200);
    j = json_of(&r);
    CHECK_STR(json_str(j, "id"), "frus1958-60v18/d279");
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(j, "outgoing");
    CHECK(cJSON_IsArray(out) && cJSON_GetArraySize(out) > 0);
    CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "incoming")));
    const cJSON *first = cJSON_GetArrayItem(out, 0);
    CHECK(json_str(first, "kind") != NULL);
    CHECK(cJSON_GetObjectItemCaseSensitive(first, "relation") != NULL);
    cJSON_Delete(j);
    reply_free(&r);

    /* percent-encoded junk in paths and queries: answered, never a crash */
    static const char *const junk[] = {"/api/documents/%ff%fe%00x",
                                       "/api/documents/%",
                                       "/api/documents/..%2f..%2fetc%2fpasswd",
                                       "/api/search?q=%ff%fe",
                                       "/api/search?q=%zz&limit=%",
                                       "/api/documents/%E2%80%AE",
                                       "/%00",
                                       "/api/%0d%0aX:1"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        long s = get(pub, junk[i], &r);
        CHECK(s >= 200 && s < 500);
        if (!strncmp(junk[i], "/api/", 5)) {
            cJSON *k = json_of(&r);
            CHECK(k != NULL); /* valid JSON even when echoing bad bytes */
            cJSON_Delete(k);
        }
        reply_free(&r);
    }
}

static void test_sessions(client *reader)
{
    reply r;
    CHECK_INT(post_json(reader, "/api/session",
                        "{\"name\": \"reader\", \"password\": \"reader-pw\"}", 0, &r),
              200);
    char v[512];
    CHECK(set_cookie(&r, "dc_session", v, sizeof v));
    CHECK(strstr(v, "HttpOnly") != NULL);
    CHECK(strstr(v, "SameSite=Strict") != NULL);
    CHECK(strstr(v, "Path=/") != NULL);
    CHECK(strstr(v, "Secure") == NULL); /* plain HTTP */
    CHECK(set_cookie(&r, "dc_csrf", v, sizeof v));
    CHECK(strstr(v, "HttpOnly") == NULL);
    cJSON *j = json_of(&r);
    CHECK_STR(json_str(j, "user"), "reader");
    CHECK_STR(json_str(j, "clearance"), "SECRET");
    CHECK_STR(json_str(j, "csrf"), reader->csrf);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "roles")), 1);
    cJSON_Delete(j);
    reply_free(&r);
    CHECK_INT(get(reader, "/api/session", &r), 200);
    j = json_of(&r);
    CHECK_STR(json_str(j, "user"), "reader");
    cJSON_Delete(j);
    reply_free(&r);

    /* a forged session cookie is the public, and is cleared */
    client forged;
    client_init(&forged);
    const char *const fake[] = {
        "Cookie: dc_session=0000000000000000000000000000000000000000000000000000000000000000",
        NULL};
    CHECK_INT(call(&forged, "GET", "/api/session", NULL, NULL, 0, fake, 0, &r), 200);
    j = json_of(&r);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "user")));
    CHECK_STR(json_str(j, "clearance"), "UNCLASSIFIED");
    cJSON_Delete(j);
    CHECK(set_cookie(&r, "dc_session", v, sizeof v));
    CHECK(strstr(v, "Max-Age=0") != NULL);
    reply_free(&r);
    client_free(&forged);

    /* form login works too (with the CSRF token of the double-submit
     * cookie), and without the token it is refused */
    client f;
    client_init(&f);
    CHECK_INT(get(&f, "/api/session", &r), 200);
    reply_free(&r);
    const char form[] = "name=low&password=low-pw";
    CHECK_INT(call(&f, "POST", "/api/session", "application/x-www-form-urlencoded", form,
                   strlen(form), NULL, 0, &r),
              403);
    reply_free(&r);
    char form2[512];
    snprintf(form2, sizeof form2, "name=low&password=low-pw&csrf=%s", f.csrf);
    CHECK_INT(call(&f, "POST", "/api/session", "application/x-www-form-urlencoded", form2,
                   strlen(form2), NULL, 0, &r),
              200);
    reply_free(&r);
    /* logout: 204, cookie cleared, the old session is dead */
    CHECK_INT(call(&f, "DELETE", "/api/session", NULL, NULL, 0, NULL, 0, &r), 403);
    reply_free(&r);
    CHECK_INT(call(&f, "DELETE", "/api/session", NULL, NULL, 0, NULL, 1, &r), 204);
    CHECK(set_cookie(&r, "dc_session", v, sizeof v));
    CHECK(strstr(v, "Max-Age=0") != NULL);
    reply_free(&r);
    CHECK_INT(get(&f, "/api/session", &r), 200);
    j = json_of(&r);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "user")));
    cJSON_Delete(j);
    reply_free(&r);
    client_free(&f);

    /* a cross-origin state change is refused even with the token */
    const char *const evil[] = {"Origin: http://evil.example", NULL};
    CHECK_INT(
        call(reader, "POST", "/api/documents/httptest/fish/release", NULL, "", 0, evil, 1, &r),
        403);
    reply_free(&r);
}

/* "user" of GET /api/session as c ("" for the public, NULL on error); and
 * whether the response cleared the session cookie. */
static const char *session_user(client *c, char *out, size_t size, int *cleared)
{
    reply r;
    const char *who = NULL;
    *cleared = 0;
    if (get(c, "/api/session", &r) == 200) {
        cJSON *j = json_of(&r);
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "user");
        if (cJSON_IsString(u)) snprintf(out, size, "%s", u->valuestring), who = out;
        else if (cJSON_IsNull(u)) snprintf(out, size, "%s", ""), who = out;
        cJSON_Delete(j);
        char v[512];
        *cleared = set_cookie(&r, "dc_session", v, sizeof v) && strstr(v, "Max-Age=0") != NULL;
    }
    reply_free(&r);
    return who;
}

/* Runs sql on the database behind the library's back (a raw connection),
 * as a change made by another tool would be. */
static int raw_sql(const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(dbpath, &db);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* A signed-in session ends on the next request once the account's
 * password, roles, clearance or compartments change or it is disabled
 * (the user row's generation moved on); other sessions go on, and the
 * user can sign in again (with the new password). */
static void test_session_ends(client *reader)
{
    dc_db *db = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbpath, 0, &db, &err), DC_OK);
    if (!db) return;
    CHECK_INT(dc_db_login(db, "admin", "admin-pw"), DC_OK);
    enum { PASSWD, ROLE, CLEARANCE, COMPARTMENT, DISABLE, N_CHANGES };
    static const char *const names[N_CHANGES] = {"chpw", "chrole", "chlevel", "chcomp", "chdel"};
    const char *const comps[] = {"ANNEX-F"};
    for (int i = 0; i < N_CHANGES; i++) {
        dc_user_spec u = {.name = names[i], .level = DC_SECRET, .roles = 1,
                          .compartments = comps, .n_compartments = 1, .password = "old-pw"};
        CHECK_INT(dc_db_user_add(db, &u, NULL), DC_OK);
    }
    char who[128];
    int cleared = 0;
    CHECK_INT(login(reader, "reader", "reader-pw"), 200);
    for (int i = 0; i < N_CHANGES; i++) {
        client c;
        client_init(&c);
        CHECK_INT(login(&c, names[i], "old-pw"), 200);
        CHECK_STR(session_user(&c, who, sizeof who, &cleared), names[i]);
        CHECK(!cleared);
        reply r;
        CHECK_INT(get(&c, "/api/documents/httptest/harbor", &r), 200); /* SECRET */
        reply_free(&r);
        /* the change, through the library or (roles, clearance,
         * compartments: no command changes them) straight in SQLite */
        char sql[300];
        switch (i) {
        case PASSWD: CHECK_INT(dc_db_user_passwd(db, names[i], "new-pw"), DC_OK); break;
        case ROLE:
            snprintf(sql, sizeof sql,
                     "UPDATE users SET roles = 'reader,reviewer' WHERE name = '%s'", names[i]);
            CHECK_INT(raw_sql(sql), SQLITE_OK);
            break;
        case CLEARANCE:
            snprintf(sql, sizeof sql, "UPDATE users SET level = 3 WHERE name = '%s'", names[i]);
            CHECK_INT(raw_sql(sql), SQLITE_OK);
            break;
        case COMPARTMENT:
            snprintf(sql, sizeof sql, "UPDATE users SET compartments = '' WHERE name = '%s'",
                     names[i]);
            CHECK_INT(raw_sql(sql), SQLITE_OK);
            break;
        default: CHECK_INT(dc_db_user_del(db, names[i]), DC_OK); break;
        }
        /* the old session is the public now, its cookie cleared */
        const char *after = session_user(&c, who, sizeof who, &cleared);
        CHECK_STR(after, "");
        CHECK(cleared);
        if (!after || *after || !cleared) fprintf(stderr, "  (after the change of %s)\n", names[i]);
        CHECK_INT(get(&c, "/api/documents/httptest/harbor", &r), 404);
        reply_free(&r);
        CHECK_INT(call(&c, "POST", "/api/documents/httptest/fish/release", NULL, "", 0, NULL, 1,
                       &r),
                  401);
        reply_free(&r);
        /* and stays so (the session is gone from the table) */
        CHECK_STR(session_user(&c, who, sizeof who, &cleared), "");
        /* signing in again: with the new password after a password
         * change, the old one still after a role or clearance change
         * (refused logins are tried on the library, not to spend the
         * server's per-address login budget test_login_limits counts) */
        dc_db *other = NULL;
        CHECK_INT(dc_db_open(dbpath, 0, &other, &err), DC_OK);
        CHECK_INT(dc_db_login(other, names[i], "old-pw"),
                  i == PASSWD || i == DISABLE ? DC_DENIED : DC_OK);
        dc_db_close(other);
        if (i != DISABLE) {
            CHECK_INT(login(&c, names[i], i == PASSWD ? "new-pw" : "old-pw"), 200);
            CHECK_STR(session_user(&c, who, sizeof who, &cleared), names[i]);
        }
        client_free(&c);
    }
    /* a session of an unchanged account goes on */
    CHECK_STR(session_user(reader, who, sizeof who, &cleared), "reader");
    CHECK(!cleared);
    dc_db_close(db);
}

/* The portion of document id (as client c) whose text contains word. */
static int portion_with(client *c, const char *id, const char *word, char *out, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, "/api/documents/%s", id);
    reply r;
    int found = 0;
    if (get(c, path, &r) == 200) {
        cJSON *j = json_of(&r);
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(j, "portions"))
        {
            const char *t = json_str(p, "text");
            if (t && strstr(t, word)) {
                snprintf(out, size, "%s", json_str(p, "id"));
                found = 1;
                break;
            }
        }
        cJSON_Delete(j);
    }
    reply_free(&r);
    return found;
}

static void test_review(client *pub, client *rev, client *reader)
{
    reply r;
    CHECK_INT(login(rev, "rev", "rev-pw"), 200);
    CHECK_INT(search_total(pub, "quixotewidget"), 1);
    char portion[64] = "";
    CHECK(portion_with(rev, "httptest/fish", "quixotewidget", portion, sizeof portion));
    char body[256];
    snprintf(body, sizeof body, "{\"portion\": \"%s\", \"reason\": \"25X1\", \"until\": \"2040-12-31\"}", portion);

    /* without a token: 403 and nothing changed */
    CHECK_INT(post_json(rev, "/api/documents/httptest/fish/withhold", body, 0, &r), 403);
    reply_free(&r);
    const char *const wrong[] = {
        "X-CSRF-Token: 1111111111111111111111111111111111111111111111111111111111111111", NULL};
    CHECK_INT(call(rev, "POST", "/api/documents/httptest/fish/withhold", "application/json", body,
                   strlen(body), wrong, 0, &r),
              403);
    reply_free(&r);
    CHECK_INT(search_total(pub, "quixotewidget"), 1);
    /* the public's token is not the session's */
    client tmp = *rev;
    snprintf(tmp.csrf, sizeof tmp.csrf, "%s", pub->csrf);
    CHECK_INT(post_json(&tmp, "/api/documents/httptest/fish/withhold", body, 1, &r), 403);
    reply_free(&r);
    CHECK_INT(search_total(pub, "quixotewidget"), 1);
    /* a reader (no reviewer role) with a good token: 403 */
    CHECK_INT(post_json(reader, "/api/documents/httptest/fish/withhold", body, 1, &r), 403);
    reply_free(&r);
    /* the public with its good double-submit token: 401 */
    CHECK_INT(post_json(pub, "/api/documents/httptest/fish/withhold", body, 1, &r), 401);
    reply_free(&r);
    /* bad requests */
    CHECK_INT(
        post_json(rev, "/api/documents/httptest/fish/withhold", "{\"portion\": \"p1\"}", 1, &r),
        400);
    reply_free(&r);
    CHECK_INT(post_json(rev, "/api/documents/httptest/fish/withhold", "{not json", 1, &r), 400);
    reply_free(&r);
    CHECK_INT(post_json(rev, "/api/documents/httptest/nothing/withhold", body, 1, &r), 404);
    reply_free(&r);
    CHECK_INT(post_json(rev, "/api/documents/httptest/harbor/release", "{}", 1, &r), 200);
    reply_free(&r); /* rev is cleared SECRET: may release the SECRET document */
    CHECK_INT(get(pub, "/api/documents/httptest/harbor", &r), 200);
    CHECK(strstr(r.body, "Inchon") != NULL);
    reply_free(&r);

    /* with the token: a released document asks for the confirmation (409) */
    CHECK_INT(post_json(rev, "/api/documents/httptest/fish/withhold", body, 1, &r), 409);
    reply_free(&r);
    CHECK_INT(search_total(pub, "quixotewidget"), 1);
    snprintf(body, sizeof body,
             "{\"portion\": \"%s\", \"reason\": \"25X1\", \"until\": \"2040-12-31\", "
             "\"confirm\": true}",
             portion);
    CHECK_INT(post_json(rev, "/api/documents/httptest/fish/withhold", body, 1, &r), 200);
    cJSON *j = json_of(&r);
    CHECK_STR(json_str(j, "id"), "w1");
    CHECK_STR(json_str(j, "document"), "httptest/fish");
    CHECK_INT(json_num(j, "version"), 2);
    cJSON_Delete(j);
    reply_free(&r);
    /* the public view: a gap, not the words */
    CHECK_INT(get(pub, "/api/documents/httptest/fish?format=text", &r), 200);
    CHECK(strstr(r.body, "quixotewidget") == NULL);
    CHECK(strstr(r.body, "fisheries agreement") != NULL);
    CHECK(strstr(r.body, "25X1") != NULL || strstr(r.body, "withheld") != NULL ||
          strstr(r.body, "WITHHELD") != NULL || strstr(r.body, "[") != NULL);
    reply_free(&r);
    CHECK_INT(get(pub, "/api/documents/httptest/fish", &r), 200);
    CHECK(strstr(r.body, "quixotewidget") == NULL);
    /* the withheld portion is a gap of the public's view */
    CHECK(strstr(r.body, "\"kind\":\t\"gap\"") != NULL || strstr(r.body, "\"kind\":\"gap\""));
    CHECK(strstr(r.body, "source text not declassified]") != NULL);
    reply_free(&r);
    CHECK_INT(search_total(pub, "quixotewidget"), 0);
    CHECK_INT(search_total(pub, "fisheries"), 1);

    /* mark (form fields, token in the form) and release */
    char form[512];
    snprintf(form, sizeof form,
             "portion=%s&classification=SECRET&compartments=&confirm=1&csrf=%s", portion,
             rev->csrf);
    CHECK_INT(call(rev, "POST", "/api/documents/httptest/fish/mark",
                   "application/x-www-form-urlencoded", form, strlen(form), NULL, 0, &r),
              200);
    j = json_of(&r);
    CHECK_INT(json_num(j, "version"), 3);
    cJSON_Delete(j);
    reply_free(&r);
    CHECK_INT(
        post_json(rev, "/api/documents/httptest/fish/mark",
                  "{\"portion\": \"p1\", \"classification\": \"SECRET\", \"compartments\": 5}", 1,
                  &r),
        400);
    reply_free(&r);
    /* GET on an action: 405 */
    CHECK_INT(get(rev, "/api/documents/httptest/fish/withhold", &r), 405);
    reply_free(&r);
}

static void test_upload(client *pub, client *admin, client *reader)
{
    reply r;
    CHECK_INT(login(admin, "admin", "admin-pw"), 200);
    const char good[] = "UNCLASSIFIED\n\nUploaded memorandum\n\nThe zebrafinch report is due.\n";
    /* the public: 401; a reader: 403 */
    CHECK_INT(call(pub, "POST", "/api/documents?filename=up1.txt&released=1", "text/plain", good,
                   strlen(good), NULL, 1, &r),
              401);
    reply_free(&r);
    CHECK_INT(call(reader, "POST", "/api/documents?filename=up1.txt&released=1", "text/plain", good,
                   strlen(good), NULL, 1, &r),
              403);
    reply_free(&r);
    CHECK_INT(search_total(pub, "zebrafinch"), 0);
    /* no token: 403 */
    CHECK_INT(call(admin, "POST", "/api/documents?filename=up1.txt&released=1", "text/plain", good,
                   strlen(good), NULL, 0, &r),
              403);
    reply_free(&r);
    /* missing filename, wrong type */
    CHECK_INT(call(admin, "POST", "/api/documents", "text/plain", good, strlen(good), NULL, 1, &r),
              400);
    reply_free(&r);
    CHECK_INT(call(admin, "POST", "/api/documents?filename=a.txt", "image/png", good, strlen(good),
                   NULL, 1, &r),
              415);
    reply_free(&r);
    /* the admin: 201 */
    CHECK_INT(call(admin, "POST", "/api/documents?filename=up1.txt&released=1&collection=uptest",
                   "text/plain", good, strlen(good), NULL, 1, &r),
              201);
    cJSON *j = json_of(&r);
    CHECK_INT(json_num(j, "documents_new"), 1);
    CHECK_INT(json_num(j, "documents_updated"), 0);
    CHECK_INT(json_num(j, "documents_unchanged"), 0);
    cJSON_Delete(j);
    reply_free(&r);
    CHECK_INT(search_total(pub, "zebrafinch"), 1);
    /* the same again: unchanged */
    CHECK_INT(call(admin, "POST", "/api/documents?filename=up1.txt&released=1&collection=uptest",
                   "text/plain", good, strlen(good), NULL, 1, &r),
              201);
    j = json_of(&r);
    CHECK_INT(json_num(j, "documents_unchanged"), 1);
    cJSON_Delete(j);
    reply_free(&r);
    /* bad XML: 422 with the reason, nothing stored */
    const char bad[] = "<?xml version=\"1.0\"?>\n<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n"
                       "<text><body><div type=\"document\" xml:id=\"d1\"><p>gnuwildebeest\n";
    CHECK_INT(call(admin, "POST", "/api/documents?filename=bad.xml&released=1", "application/xml",
                   bad, strlen(bad), NULL, 1, &r),
              422);
    j = json_of(&r);
    CHECK(json_str(j, "error") != NULL);
    CHECK_INT(json_num(j, "status"), 422);
    cJSON_Delete(j);
    reply_free(&r);
    CHECK_INT(search_total(admin, "gnuwildebeest"), 0);
    /* multipart */
    char mp[1024];
    int n =
        snprintf(mp, sizeof mp,
                 "--XyZ\r\nContent-Disposition: form-data; name=\"collection\"\r\n\r\nuptest\r\n"
                 "--XyZ\r\nContent-Disposition: form-data; name=\"released\"\r\n\r\n1\r\n"
                 "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                 "filename=\"C:\\\\docs\\\\up2.txt\"\r\nContent-Type: text/plain\r\n\r\n"
                 "UNCLASSIFIED\n\nSecond upload\n\nThe okapiwhistle memo.\n\r\n--XyZ--\r\n");
    CHECK_INT(call(admin, "POST", "/api/documents", "multipart/form-data; boundary=XyZ", mp,
                   (size_t)n, NULL, 1, &r),
              201);
    j = json_of(&r);
    CHECK_INT(json_num(j, "documents_new"), 1);
    cJSON_Delete(j);
    reply_free(&r);
    CHECK_INT(search_total(pub, "okapiwhistle"), 1);
    CHECK_INT(get(pub, "/api/collections", &r), 200);
    CHECK(strstr(r.body, "\"uptest\",\"documents\":2") != NULL);
    reply_free(&r);
    /* over the form cap: the public may not send it, an admin may */
    size_t blen = 3 * DC_HTTP_MAX_FORM;
    char *bigdoc = malloc(blen + 1);
    size_t off = (size_t)snprintf(bigdoc, blen, "UNCLASSIFIED\n\nLarge upload\n\n");
    while (off + 40 < blen)
        off += (size_t)snprintf(bigdoc + off, blen - off, "The capybaraledger line.\n");
    CHECK_INT(call(pub, "POST", "/api/documents?filename=big.txt&released=1", "text/plain", bigdoc,
                   off, NULL, 1, &r),
              413);
    reply_free(&r);
    CHECK_INT(call(admin, "POST", "/api/documents?filename=big.txt&released=1", "text/plain",
                   bigdoc, off, NULL, 1, &r),
              201);
    reply_free(&r);
    free(bigdoc);
    CHECK_INT(search_total(pub, "capybaraledger"), 1);
    /* the CSRF token as a multipart field (an HTML upload form) */
    char mp2[1024];
    n = snprintf(mp2, sizeof mp2,
                 "--B0\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
                 "--B0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"up3.txt\"\r\n"
                 "\r\nUNCLASSIFIED\n\nThird upload\n\nThe narwhalkettle memo.\n\r\n--B0--\r\n",
                 admin->csrf);
    CHECK_INT(call(admin, "POST", "/api/documents", "multipart/form-data; boundary=B0", mp2,
                   (size_t)n, NULL, 0, &r),
              201);
    reply_free(&r);
    CHECK_INT(search_total(admin, "narwhalkettle"), 1);
    n = snprintf(mp2, sizeof mp2,
                 "--B0\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
                 "--B0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"up4.txt\"\r\n"
                 "\r\nUNCLASSIFIED\n\nFourth upload\n\nThe walruskettle memo.\n\r\n--B0--\r\n",
                 "0123456789012345678901234567890123456789012345678901234567890123");
    CHECK_INT(call(admin, "POST", "/api/documents", "multipart/form-data; boundary=B0", mp2,
                   (size_t)n, NULL, 0, &r),
              403);
    reply_free(&r);
    CHECK_INT(search_total(admin, "walruskettle"), 0);
    /* bad collection names: 400 with the rule, nothing stored, no "../x" */
    static const char *const bad_colls[] = {"..", "", ".", ".hidden", "a/b", "a%5Cb", "..%2Fx",
                                            "a%20b", "a%09b", "a%0Ab", "a%7Fb", "a%E2%80%8Bb",
                                            "%C2%A0"};
    const char bad_coll_doc[] = "UNCLASSIFIED\n\nStray upload\n\nThe ocelotmarble memo.\n";
    for (size_t i = 0; i < sizeof bad_colls / sizeof *bad_colls; i++) {
        char path[256];
        snprintf(path, sizeof path, "/api/documents?filename=x.txt&released=1&collection=%s",
                 bad_colls[i]);
        CHECK_INT(call(admin, "POST", path, "text/plain", bad_coll_doc, strlen(bad_coll_doc),
                       NULL, 1, &r),
                  400);
        j = json_of(&r);
        const char *e = json_str(j, "error");
        CHECK(e && strstr(e, "bad collection name") != NULL);
        if (!e || !strstr(e, "bad collection name"))
            fprintf(stderr, "  (collection %s)\n", bad_colls[i]);
        cJSON_Delete(j);
        reply_free(&r);
    }
    n = snprintf(mp2, sizeof mp2,
                 "--B0\r\nContent-Disposition: form-data; name=\"collection\"\r\n\r\n..\r\n"
                 "--B0\r\nContent-Disposition: form-data; name=\"released\"\r\n\r\n1\r\n"
                 "--B0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\n"
                 "\r\n%s\r\n--B0--\r\n",
                 bad_coll_doc);
    CHECK_INT(call(admin, "POST", "/api/documents", "multipart/form-data; boundary=B0", mp2,
                   (size_t)n, NULL, 1, &r),
              400);
    CHECK(strstr(r.body, "bad collection name") != NULL);
    reply_free(&r);
    CHECK_INT(search_total(admin, "ocelotmarble"), 0);
    CHECK_INT(get(admin, "/api/documents/..%2Fx", &r), 404);
    reply_free(&r);
    CHECK_INT(get(admin, "/api/collections", &r), 200);
    CHECK(strstr(r.body, "\"..\"") == NULL);
    reply_free(&r);
    /* a good one with a dot inside and non-ASCII letters is fine */
    CHECK_INT(call(admin, "POST",
                   "/api/documents?filename=x.txt&released=1&collection=frus.v%C3%A9",
                   "text/plain", bad_coll_doc, strlen(bad_coll_doc), NULL, 1, &r),
              201);
    reply_free(&r);
    CHECK_INT(search_total(admin, "ocelotmarble"), 1);
    CHECK_INT(get(admin, "/api/documents/frus.v%C3%A9/x", &r), 200);
    reply_free(&r);
    const char nofile[] =
        "--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--XyZ--\r\n";
    CHECK_INT(call(admin, "POST", "/api/documents", "multipart/form-data; boundary=XyZ", nofile,
                   strlen(nofile), NULL, 1, &r),
              400);
    reply_free(&r);
    CHECK_INT(call(admin, "POST", "/api/documents", "multipart/form-data", nofile, strlen(nofile),
                   NULL, 1, &r),
              400);
    reply_free(&r);
}

/* Counts the lines of a JSON-lines body and whether any holds needle. */
static int jsonl_lines(const reply *r, const char *needle, int *has)
{
    int n = 0;
    *has = 0;
    for (const char *p = r->body; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        cJSON *o = cJSON_ParseWithLength(p, len);
        if (!o) return -1;
        char *line = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (needle && line && strstr(line, needle)) *has = 1;
        free(line);
        n++;
        p = e ? e + 1 : p + len;
    }
    return n;
}

/* The documents c may read: the sum of /api/collections. */
static long readable_docs(client *c)
{
    reply r;
    long n = -1;
    if (get(c, "/api/collections", &r) == 200) {
        cJSON *j = json_of(&r), *e;
        n = 0;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "collections")) n += json_num(e, "documents");
        cJSON_Delete(j);
    }
    reply_free(&r);
    return n;
}

static void test_export(client *pub, client *admin)
{
    reply r;
    int has = 0;
    char v[256];
    /* a classified memorandum only the admin may read */
    static const char quarry[] = "TOP SECRET\n\nMemorandum on the quarry\n\n"
                                 "The quarry near Wonsan holds tungsten.\n";
    CHECK_INT(call(admin, "POST", "/api/documents?filename=quarry.txt", "text/plain", quarry,
                   strlen(quarry), NULL, 1, &r),
              201);
    reply_free(&r);
    long public_docs = readable_docs(pub), admin_docs = readable_docs(admin);
    CHECK(public_docs >= 8 && admin_docs == public_docs + 1);
    CHECK_INT(get(pub, "/api/export", &r), 200);
    CHECK(header_value(&r, "Content-Type", v, sizeof v));
    CHECK_STR(v, "application/x-ndjson");
    CHECK_INT(jsonl_lines(&r, "Wonsan", &has), public_docs);
    CHECK_INT(has, 0); /* the classified memo is not exported to the public */
    reply_free(&r);
    CHECK_INT(get(admin, "/api/export", &r), 200);
    CHECK_INT(jsonl_lines(&r, "Wonsan", &has), admin_docs);
    CHECK_INT(has, 1);
    reply_free(&r);
    CHECK_INT(get(pub, "/api/export?q=armistice", &r), 200);
    CHECK_INT(jsonl_lines(&r, NULL, &has), search_total(pub, "armistice"));
    reply_free(&r);
    CHECK_INT(get(pub, "/api/export?q=Wonsan", &r), 200);
    CHECK_INT(jsonl_lines(&r, NULL, &has), 0);
    reply_free(&r);
    CHECK_INT(get(admin, "/api/export?q=Wonsan", &r), 200);
    CHECK_INT(jsonl_lines(&r, "tungsten", &has), 1);
    CHECK_INT(has, 1);
    reply_free(&r);
    CHECK_INT(get(pub, "/api/export?format=tei", &r), 200);
    CHECK(r.body && strstr(r.body, "<teiCorpus") && strstr(r.body, "</teiCorpus>"));
    reply_free(&r);
    CHECK_INT(get(pub, "/api/export?format=pdf", &r), 400);
    reply_free(&r);
    CHECK_INT(get(pub, "/api/export?q=%28", &r), 400);
    reply_free(&r);
}

static void test_limits(client *pub)
{
    reply r;
    /* a body over the form cap: 413 */
    size_t big = DC_HTTP_MAX_FORM + 10;
    char *body = malloc(big);
    memset(body, 'a', big);
    CHECK_INT(call(pub, "POST", "/api/session", "application/x-www-form-urlencoded", body, big,
                   NULL, 1, &r),
              413);
    cJSON *j = json_of(&r);
    CHECK_INT(json_num(j, "status"), 413);
    cJSON_Delete(j);
    reply_free(&r);
    /* chunked (no Content-Length): still 413 */
    const char *const chunked[] = {"Transfer-Encoding: chunked", NULL};
    CHECK_INT(call(pub, "POST", "/api/session", "application/x-www-form-urlencoded", body, big,
                   chunked, 1, &r),
              413);
    reply_free(&r);
    free(body);
    /* a URL over the cap: 414 */
    char *url = malloc(DC_HTTP_MAX_URL + 100);
    int k = snprintf(url, DC_HTTP_MAX_URL + 100, "/api/search?q=");
    memset(url + k, 'b', DC_HTTP_MAX_URL);
    url[k + DC_HTTP_MAX_URL] = '\0';
    client fresh; /* no cookies: libcurl drops them from a huge request */
    client_init(&fresh);
    CHECK_INT(get(&fresh, url, &r), 414);
    reply_free(&r);
    client_free(&fresh);
    free(url);
    /* headers over the cap: 4xx, and the server still answers */
    char *hdr = malloc(DC_HTTP_MAX_HEADERS + 100);
    k = snprintf(hdr, DC_HTTP_MAX_HEADERS + 100, "X-Big: ");
    memset(hdr + k, 'c', DC_HTTP_MAX_HEADERS);
    hdr[k + DC_HTTP_MAX_HEADERS] = '\0';
    const char *const big_h[] = {hdr, NULL};
    long s = call(pub, "GET", "/api/collections", NULL, NULL, 0, big_h, 0, &r);
    CHECK(s == 431 || s == 413);
    reply_free(&r);
    char *huge = malloc(200000);
    k = snprintf(huge, 200000, "X-Huge: ");
    memset(huge + k, 'd', 150000);
    huge[k + 150000] = '\0';
    const char *const huge_h[] = {huge, NULL};
    s = call(pub, "GET", "/api/collections", NULL, NULL, 0, huge_h, 0, &r);
    CHECK(s == -1 || (s >= 400 && s < 500)); /* refused or connection closed */
    reply_free(&r);
    free(huge);
    free(hdr);
    CHECK_INT(get(pub, "/api/collections", &r), 200);
    reply_free(&r);
}

static void test_login_limits(void)
{
    client c;
    client_init(&c);
    /* an unknown user and a wrong password: the same answer */
    reply r;
    CHECK_INT(post_json(&c, "/api/session", "{\"name\": \"nobody\", \"password\": \"x\"}", 0, &r),
              401);
    char *a = strdup(r.body);
    reply_free(&r);
    CHECK_INT(post_json(&c, "/api/session", "{\"name\": \"low\", \"password\": \"x\"}", 0, &r),
              401);
    CHECK_STR(r.body, a);
    CHECK(strstr(r.body, "access denied") != NULL);
    free(a);
    reply_free(&r);
    CHECK_INT(post_json(&c, "/api/session", "{\"name\": 5}", 0, &r), 401);
    reply_free(&r);
    CHECK_INT(post_json(&c, "/api/session", "[1,2", 0, &r), 400);
    reply_free(&r);
    /* failures 3..5 are refused normally, the 6th is rate-limited */
    for (int i = 3; i <= 5; i++) CHECK_INT(login(&c, "low", "wrong"), 401);
    CHECK_INT(post_json(&c, "/api/session", "{\"name\": \"low\", \"password\": \"wrong\"}", 0, &r),
              429);
    char v[64];
    CHECK(header_value(&r, "Retry-After", v, sizeof v));
    CHECK(atol(v) >= 1 && atol(v) <= 60);
    reply_free(&r);
    /* and so is a good password from this address for now */
    CHECK_INT(login(&c, "low", "low-pw"), 429);
    client_free(&c);
}

/* The server's log, shown when DC_TEST_VERBOSE is set. */
static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "server: %s\n", line);
}

/* The session table alone: tokens, lookups, drops, LRU eviction. */
static void test_session_table(void)
{
    dc_http_sessions *t = dc_http_sessions_new();
    CHECK(t != NULL);
    if (!t) return;
    char tok[DC_HTTP_TOKEN_HEX + 1], csrf[DC_HTTP_TOKEN_HEX + 1], user[64],
        c2[DC_HTTP_TOKEN_HEX + 1];
    CHECK_INT(dc_http_session_new(t, "alice", 41, tok, csrf), DC_OK);
    CHECK(dc_http_token_ok(tok));
    CHECK(dc_http_token_ok(csrf));
    CHECK(strcmp(tok, csrf) != 0);
    long long gen = 0;
    CHECK(dc_http_session_find(t, tok, user, sizeof user, c2, &gen));
    CHECK_STR(user, "alice");
    CHECK_STR(c2, csrf);
    CHECK_INT(gen, 41);
    /* malformed and unknown tokens */
    CHECK(!dc_http_token_ok(""));
    CHECK(!dc_http_token_ok("abc"));
    char upper[DC_HTTP_TOKEN_HEX + 1];
    memcpy(upper, tok, sizeof upper);
    upper[0] = 'G';
    CHECK(!dc_http_token_ok(upper));
    CHECK(!dc_http_session_find(t, upper, user, sizeof user, c2, NULL));
    char longer[DC_HTTP_TOKEN_HEX + 2];
    snprintf(longer, sizeof longer, "%s0", tok);
    CHECK(!dc_http_token_ok(longer));
    CHECK(!dc_http_session_find(t, longer, user, sizeof user, c2, NULL));
    char other[DC_HTTP_TOKEN_HEX + 1];
    dc_http_random_token(other);
    CHECK(!dc_http_session_find(t, other, user, sizeof user, c2, NULL));
    /* a full table drops the least recently used session */
    char first[DC_HTTP_TOKEN_HEX + 1], second[DC_HTTP_TOKEN_HEX + 1];
    dc_http_session_drop(t, tok);
    CHECK(!dc_http_session_find(t, tok, user, sizeof user, c2, NULL));
    /* second is the oldest (a second older than all the others) */
    CHECK_INT(dc_http_session_new(t, "second", 1, second, csrf), DC_OK);
    sleep(1);
    CHECK_INT(dc_http_session_new(t, "first", 1, first, csrf), DC_OK);
    int made = 2;
    for (int i = 2; i < DC_HTTP_MAX_SESSIONS; i++)
        made += dc_http_session_new(t, "filler", 1, tok, csrf) == DC_OK;
    CHECK_INT(made, DC_HTTP_MAX_SESSIONS);
    /* the table is full: a new session evicts the least recently used */
    CHECK_INT(dc_http_session_new(t, "newest", 1, tok, csrf), DC_OK);
    CHECK(dc_http_session_find(t, tok, user, sizeof user, c2, NULL));
    CHECK_STR(user, "newest");
    CHECK(!dc_http_session_find(t, second, user, sizeof user, c2, NULL));
    CHECK(dc_http_session_find(t, first, user, sizeof user, c2, NULL));
    CHECK_STR(user, "first");
    dc_http_sessions_free(t);
}

/* Several clients at once, public and signed in, on a pool of handles:
 * each must see exactly its own view on every request. */
typedef struct hammer {
    int signed_in;
    long expect_total; /* "inchon" hits for this identity */
    int errors;
} hammer;

static void *hammer_run(void *arg)
{
    hammer *h = arg;
    client c;
    client_init(&c);
    if (h->signed_in && login(&c, "reader", "reader-pw") != 200) h->errors++;
    for (int i = 0; i < 30; i++) {
        reply r;
        long s = get(&c, "/api/documents/httptest/harbor", &r);
        if (s != (h->signed_in ? 200 : 404)) h->errors++;
        reply_free(&r);
        if (search_total(&c, "inchon") != h->expect_total) h->errors++;
        if (search_total(&c, "armistice") <= 0) h->errors++;
    }
    client_free(&c);
    return NULL;
}

static void test_concurrent(void)
{
    enum { N = 6 };
    pthread_t t[N];
    hammer h[N];
    for (int i = 0; i < N; i++) {
        h[i] = (hammer){.signed_in = i % 2, .expect_total = i % 2, .errors = 0};
        pthread_create(&t[i], NULL, hammer_run, &h[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(h[i].errors, 0);
    }
}

static dc_http_server *start(void)
{
    dc_http_opts o = {.db_path = dbpath, .port = 0, .threads = 2};
    if (getenv("DC_TEST_VERBOSE")) o.log = log_line;
    dc_http_server *srv = NULL;
    dc_error err = {0};
    dc_rc rc = dc_http_start(&o, &srv, &err);
    CHECK_INT(rc, DC_OK);
    if (rc) fprintf(stderr, "start: %s\n", err.msg);
    return srv;
}

static void test_start_errors(void)
{
    dc_http_server *srv = NULL;
    dc_error err = {0};
    dc_http_opts o = {.db_path = "/nonexistent/dir/x.db"};
    CHECK(dc_http_start(&o, &srv, &err) != DC_OK);
    CHECK(srv == NULL);
    dc_http_opts bad = {.db_path = dbpath, .bind = "not-an-address"};
    CHECK_INT(dc_http_start(&bad, &srv, &err), DC_MISUSE);
    CHECK(srv == NULL);
    /* the port in use */
    dc_http_opts busy = {.db_path = dbpath, .port = port, .threads = 1};
    CHECK_INT(dc_http_start(&busy, &srv, &err), DC_IO);
    CHECK(strstr(err.msg, "in use") != NULL);
    CHECK(srv == NULL);
    CHECK_INT(dc_http_start(NULL, &srv, &err), DC_MISUSE);
    dc_http_stop(NULL);
    /* IPv6 loopback */
    dc_http_opts v6 = {.db_path = dbpath, .bind = "::1", .threads = 1};
    if (dc_http_start(&v6, &srv, &err) == DC_OK) {
        CHECK(dc_http_port(srv) > 0);
        CURL *e = curl_easy_init();
        char url[64];
        snprintf(url, sizeof url, "http://[::1]:%u/api/collections", dc_http_port(srv));
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        long code = 0;
        if (curl_easy_perform(e) == CURLE_OK) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
        CHECK_INT(code, 200);
        curl_easy_cleanup(e);
        dc_http_stop(srv);
    }
}

int main(void)
{
    char dir[] = "/tmp/dc_http_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (setup(dir) == 0) {
        dc_http_server *srv = start();
        if (srv) {
            port = dc_http_port(srv);
            CHECK(port > 0);
            client pub, reader, low, rev, admin;
            client_init(&pub);
            client_init(&reader);
            client_init(&low);
            client_init(&rev);
            client_init(&admin);
            test_security_headers(&pub);
            test_search(&pub);
            test_sessions(&reader);
            test_session_ends(&reader);
            test_concurrent();
            CHECK_INT(login(&low, "low", "low-pw"), 200);
            test_documents(&pub, &reader, &low);
            test_review(&pub, &rev, &reader);
            test_upload(&pub, &admin, &reader);
            test_export(&pub, &admin);
            test_limits(&pub);
            test_start_errors();
            test_session_table();
            test_login_limits();
            client_free(&pub);
            client_free(&reader);
            client_free(&low);
            client_free(&rev);
            client_free(&admin);
            dc_http_stop(srv);
        }
    }
    curl_global_cleanup();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return TEST_DONE();
}
