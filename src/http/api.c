/*
 * declass HTTP front end: the JSON API (docs/http-api.md).  Every answer is
 * application/json; errors are {"error": "message", "status": N}.  Reads
 * go through the acting reader's view (req->db), so nothing here filters:
 * it only translates requests to facade calls and results to JSON.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <strings.h>
#include <unistd.h>

#include "server_int.h"

#include "banned.h"

#define JSON "application/json"
#define MAX_COMPARTMENTS DC_HTTP_API_MAX_COMPARTMENTS

void dc_http_json_error(dc_http_resp *resp, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Invalid UTF-8 echoed from a request would make the JSON invalid. */
    dc_http_scrub(msg, 0);
    resp->status = status;
    resp->content_type = JSON;
    resp->static_body = NULL;
    dc_buf_reset(&resp->body);
    dc_json j;
    dc_json_init(&j, &resp->body, 0);
    dc_json_obj(&j);
    dc_json_kstr(&j, "error", msg);
    dc_json_kint(&j, "status", status);
    dc_json_end(&j);
    dc_buf_putc(&resp->body, '\n');
}

/* Starts a JSON answer with status: the writer j writes the body. */
static void json_begin(dc_http_resp *resp, int status, dc_json *j)
{
    resp->status = status;
    resp->content_type = JSON;
    resp->static_body = NULL;
    dc_buf_reset(&resp->body);
    dc_json_init(j, &resp->body, 0);
}

/* Ends the answer json_begin started (a 500 if writing it failed). */
static void json_end(dc_http_resp *resp)
{
    dc_buf_putc(&resp->body, '\n');
    if (resp->body.rc) {
        resp->body.rc = DC_OK;
        dc_http_json_error(resp, 500, "out of memory");
    }
}

/* A library failure as a JSON error: the status of dc_http_status_of and
 * the handle's message (never naming withheld content). */
static void lib_error(dc_http_req *req, dc_http_resp *resp, dc_rc rc)
{
    int status = dc_http_status_of(req, rc);
    const char *msg = dc_db_errmsg(req->db);
    if (status == 500) msg = "internal error";
    if (status == 401) msg = "sign in first";
    dc_http_json_error(resp, status, "%s", msg && *msg ? msg : dc_strerror(rc));
}

static int is_json(const dc_http_req *req)
{
    return req->content_type && !strncasecmp(req->content_type, "application/json", 16);
}

/* Parses the request's JSON object body; NULL (and a 400 set) if bad. */
static cJSON *json_body(dc_http_req *req, dc_http_resp *resp)
{
    cJSON *o = cJSON_ParseWithLength(req->body, req->body_len);
    if (!o || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        dc_http_json_error(resp, 400, "the body is not a JSON object");
        return NULL;
    }
    return o;
}

/* A field of the request: from the JSON body j when the body is JSON,
 * else the form field / query argument. */
static const char *field(const dc_http_req *req, const cJSON *j, const char *name)
{
    if (j) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
        return cJSON_IsString(v) ? v->valuestring : NULL;
    }
    return dc_http_arg(req, name);
}

/* Parses a non-negative count argument; 0 and *ok = 0 if malformed. */
static size_t parse_count(const char *s, int *ok)
{
    if (!s) return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || *s == '+' || *s == ' ' || v > 1000000000ULL) {
        *ok = 0;
        return 0;
    }
    return (size_t)v;
}

/* ---- GET /api/search ---------------------------------------------------- */

void dc_api_search(dc_http_req *req, dc_http_resp *resp)
{
    const char *q = dc_http_arg(req, "q");
    if (!q || !*q) {
        dc_http_json_error(resp, 400, "missing query (q=)");
        return;
    }
    int ok = 1;
    dc_search_request sr = {.query = q};
    sr.limit = parse_count(dc_http_arg(req, "limit"), &ok);
    sr.offset = parse_count(dc_http_arg(req, "offset"), &ok);
    if (!ok) {
        dc_http_json_error(resp, 400, "limit and offset must be non-negative integers");
        return;
    }
    sr.from = dc_http_nonempty(dc_http_arg(req, "from"));
    sr.to = dc_http_nonempty(dc_http_arg(req, "to"));
    if (!dc_http_date_ok(sr.from) || !dc_http_date_ok(sr.to)) {
        dc_http_json_error(resp, 400, "from and to must be dates YYYY[-MM[-DD]]");
        return;
    }
    sr.classification = dc_http_nonempty(dc_http_arg(req, "classification"));
    sr.collection = dc_http_nonempty(dc_http_arg(req, "collection"));
    sr.doc_type = dc_http_nonempty(dc_http_arg(req, "doc_type"));
    dc_search_page *page = NULL;
    dc_rc rc = dc_db_search(req->db, &sr, &page);
    if (rc) {
        if (rc == DC_PARSE || rc == DC_LIMIT || rc == DC_MISUSE)
            dc_http_json_error(resp, 400, "%s", dc_db_errmsg(req->db));
        else lib_error(req, resp, rc);
        return;
    }
    char *json = NULL;
    rc = dc_search_page_json(page, &sr, &json);
    dc_search_page_free(page);
    if (rc) {
        dc_http_json_error(resp, 500, "internal error");
        return;
    }
    resp->content_type = JSON;
    dc_buf_puts(&resp->body, json);
    if (!resp->body.len || resp->body.p[resp->body.len - 1] != '\n') dc_buf_putc(&resp->body, '\n');
    dc_free(json);
}

/* ---- GET /api/collections ----------------------------------------------- */

static dc_rc add_collection(void *ctx, const dc_collection_info *c)
{
    dc_json *j = ctx;
    dc_json_obj(j);
    dc_json_kstr(j, "name", c->name ? c->name : "");
    dc_json_kint(j, "documents", (long long)c->documents);
    dc_json_kstr(j, "title", c->title);
    dc_json_end(j);
    return j->b->rc;
}

void dc_api_collections(dc_http_req *req, dc_http_resp *resp)
{
    dc_json j;
    json_begin(resp, 200, &j);
    dc_json_obj(&j);
    dc_json_key(&j, "collections");
    dc_json_arr(&j);
    dc_rc rc = dc_db_collections(req->db, add_collection, &j);
    if (rc) {
        lib_error(req, resp, rc);
        return;
    }
    dc_json_end(&j);
    dc_json_end(&j);
    json_end(resp);
}

/* ---- /api/documents/{id}[/ACTION] ---------------------------------------- */

/* The same answer for a missing and an unreadable document. */
static void not_found(dc_http_resp *resp, const char *id)
{
    if (strlen(id) <= 300 && dc_utf8_valid(id, strlen(id), NULL))
        dc_http_json_error(resp, 404, "no document '%s'", id);
    else dc_http_json_error(resp, 404, "no such document");
}

static dc_rc add_passage(void *ctx, const dc_find_hit *h)
{
    dc_json *j = ctx;
    dc_find_hit_json(j, h);
    return j->b->rc;
}

/* GET /api/documents/{id}/find?q=QUERY: search within the document, the
 * JSON of declass find --json. */
static void doc_find(dc_http_req *req, dc_http_resp *resp, const char *id)
{
    const char *q = dc_http_arg(req, "q");
    if (!q || !*q) {
        dc_http_json_error(resp, 400, "find needs a query: ?q=QUERY");
        return;
    }
    dc_json j;
    dc_buf rows;
    dc_buf_init(&rows, 0);
    dc_json_init(&j, &rows, 0);
    dc_json_arr(&j);
    size_t n = 0;
    dc_rc r = dc_db_find(req->db, id, q, "<mark>", "</mark>", add_passage, &j, &n);
    dc_json_end(&j);
    if (!r && rows.rc) r = rows.rc;
    if (r) {
        dc_buf_release(&rows);
        if (r == DC_NOTFOUND) not_found(resp, id);
        else if (r == DC_PARSE) dc_http_json_error(resp, 400, "%s", dc_db_errmsg(req->db));
        else lib_error(req, resp, r);
        return;
    }
    json_begin(resp, 200, &j);
    dc_json_obj(&j);
    dc_json_kstr(&j, "id", id);
    dc_json_kstr(&j, "query", q);
    dc_json_kint(&j, "total", (long long)n);
    dc_json_key(&j, "passages");
    dc_json_raw(&j, rows.p);
    dc_buf_release(&rows);
    dc_json_end(&j);
    json_end(resp);
}

/* Outgoing references go straight to the answer, incoming ones to a
 * second writer whose array is appended after (dc_db_refs mixes them). */
typedef struct refs_ctx {
    dc_json *out, *in;
} refs_ctx;

static dc_rc add_ref(void *ctx, const dc_ref_link *r)
{
    refs_ctx *c = ctx;
    dc_json *j = r->incoming ? c->in : c->out;
    dc_ref_link_json(j, r);
    return j->b->rc;
}

static void doc_refs(dc_http_req *req, dc_http_resp *resp, const char *id)
{
    dc_json j, in;
    dc_buf inb;
    dc_buf_init(&inb, 0);
    dc_json_init(&in, &inb, 0);
    json_begin(resp, 200, &j);
    dc_json_obj(&j);
    dc_json_kstr(&j, "id", id);
    dc_json_key(&j, "outgoing");
    dc_json_arr(&j);
    dc_json_arr(&in);
    refs_ctx c = {&j, &in};
    dc_rc r = dc_db_refs(req->db, id, add_ref, &c);
    dc_json_end(&j);
    dc_json_end(&in);
    if (!r && inb.rc) r = inb.rc;
    if (r) {
        dc_buf_release(&inb);
        if (r == DC_NOTFOUND) not_found(resp, id);
        else lib_error(req, resp, r);
        return;
    }
    dc_json_key(&j, "incoming");
    dc_json_raw(&j, inb.p);
    dc_buf_release(&inb);
    dc_json_end(&j);
    json_end(resp);
}

static void doc_show(dc_http_req *req, dc_http_resp *resp, const char *id)
{
    const char *format = dc_http_arg(req, "format");
    if (!format || !*format) format = "json";
    const dc_format *f = dc_format_find(format, DC_FORMAT_SHOW);
    if (!f) {
        dc_http_json_error(resp, 400, "format must be %s", dc_format_names(DC_FORMAT_SHOW));
        return;
    }
    const char *type = f->media_type;
    if (!strcmp(format, "pdf") || !strcmp(format, "png")) {
        /* a scan, as this reader may see it: ?format=pdf, ?format=png&page=N */
        const char *pa = dc_http_arg(req, "page");
        char *end = NULL;
        long page = pa && *pa ? strtol(pa, &end, 10) : 1;
        if ((end && *end) || page < 1 || page > 1000000 || (pa && *pa && format[1] == 'd')) {
            dc_http_json_error(resp, 400, "page must be a page number, with format=png only");
            return;
        }
        unsigned char *bytes = NULL;
        size_t len = 0;
        dc_rc rc = format[1] == 'd' ? dc_db_scan_pdf(req->db, id, 0, &bytes, &len)
                                    : dc_db_page_image(req->db, id, 0, (int)page, &bytes, &len);
        if (rc == DC_NOTFOUND && strstr(dc_db_errmsg(req->db), "has no page"))
            dc_http_json_error(resp, 404, "%s", dc_db_errmsg(req->db));
        else if (rc == DC_NOTFOUND) not_found(resp, id);
        else if (rc == DC_MISUSE) dc_http_json_error(resp, 400, "%s", dc_db_errmsg(req->db));
        else if (rc) lib_error(req, resp, rc);
        if (rc) return;
        resp->content_type = type;
        dc_buf_add(&resp->body, (const char *)bytes, len);
        dc_free(bytes);
        return;
    }
    char *out = NULL;
    dc_rc rc = dc_db_show(req->db, id, format, &out);
    if (rc) {
        if (rc == DC_NOTFOUND) not_found(resp, id);
        else lib_error(req, resp, rc);
        return;
    }
    resp->content_type = type;
    dc_buf_puts(&resp->body, out);
    dc_free(out);
}

/* Answers a successful review action: {"id", "version"}. */
static void review_done(dc_http_resp *resp, const char *id, int version)
{
    dc_json j;
    json_begin(resp, 200, &j);
    dc_json_obj(&j);
    dc_json_kstr(&j, "id", id);
    dc_json_kint(&j, "version", version);
    dc_json_end(&j);
    json_end(resp);
}

int dc_http_compartments_json(const struct cJSON *j, const char **out)
{
    int n = 0;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "compartments");
    if (!a || cJSON_IsNull(a)) return 0;
    if (!cJSON_IsArray(a)) return -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        if (!cJSON_IsString(e) || n >= MAX_COMPARTMENTS) return -1;
        out[n++] = e->valuestring;
    }
    return n;
}

int dc_http_compartments_split(const char *s, char *store, size_t store_size, const char **out)
{
    int n = 0;
    if (!s || !*s) return 0;
    if (strlen(s) >= store_size) return -1;
    memcpy(store, s, strlen(s) + 1);
    char *p = store;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        if (n >= MAX_COMPARTMENTS) return -1;
        char *start = p;
        while (*p && *p != ',') p++;
        char *end = p;
        while (end > start && end[-1] == ' ') end--;
        if (*p) p++;
        *end = '\0';
        out[n++] = start;
    }
    return n;
}

/* Collects the compartments of a mark request: a JSON array of strings,
 * or a comma-separated form field.  Returns the count, -1 if malformed. */
static int compartments_of(const dc_http_req *req, const cJSON *j, char *store, size_t store_size,
                           const char **out)
{
    if (j) return dc_http_compartments_json(j, out);
    return dc_http_compartments_split(dc_http_arg(req, "compartments"), store, store_size, out);
}

/* A library failure of an action on document id: "no document" (a
 * missing document and one the reader may not read) as not_found. */
static void doc_error(dc_http_req *req, dc_http_resp *resp, const char *id, dc_rc rc)
{
    if (rc == DC_NOTFOUND && strncmp(dc_db_errmsg(req->db), "no document", 11) == 0)
        not_found(resp, id);
    else lib_error(req, resp, rc);
}

/* Ends an answer a facade writer (dc_db_*_json) made after json_begin,
 * rc its result: the JSON, or the error in its place (about document id,
 * or NULL). */
static void json_finish(dc_http_req *req, dc_http_resp *resp, const char *id, dc_rc rc)
{
    if (rc && resp->body.rc) rc = DC_NOMEM;
    if (!rc) {
        json_end(resp);
        return;
    }
    resp->body.rc = DC_OK;
    if (id) doc_error(req, resp, id, rc);
    else lib_error(req, resp, rc);
}

/* Answers with the JSON a facade writer (dc_db_*_json) makes for id. */
static void facade_json(dc_http_req *req, dc_http_resp *resp, const char *id,
                        dc_rc (*write)(dc_db *, const char *, dc_json *))
{
    dc_json j;
    json_begin(resp, 200, &j);
    json_finish(req, resp, id, write(req->db, id, &j));
}

int dc_http_confirm_value(const char *v)
{
    return v && (!strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
                 !strcasecmp(v, "on"));
}

int dc_http_needs_confirm(dc_http_req *req, const char *id, int confirmed)
{
    if (confirmed || !req->who.signed_in || !(req->who.roles & (DC_ROLE_REVIEWER | DC_ROLE_ADMIN)))
        return 0; /* confirmed, or the action refuses them anyway */
    dc_doc *d = NULL;
    if (dc_db_get(req->db, id, &d) != DC_OK) return 0; /* the action says why */
    int released = d->release_status && strcmp(d->release_status, "released") == 0;
    dc_doc_free(d);
    return released;
}

/* The confirmation of a request: the field confirm ("1", "yes", "true",
 * "on"), or true in a JSON body. */
static int confirm_of(const dc_http_req *req, const cJSON *j)
{
    if (j) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "confirm");
        return cJSON_IsTrue(c) || (cJSON_IsNumber(c) && c->valuedouble == 1) ||
               (cJSON_IsString(c) && dc_http_confirm_value(c->valuestring));
    }
    return dc_http_confirm_value(dc_http_arg(req, "confirm"));
}

/* The occurrence field of a withhold: 0 when absent, 1..1000000, else -1
 * (the facade refuses it). */
static int occurrence_of(const dc_http_req *req, const cJSON *j)
{
    const cJSON *oj = j ? cJSON_GetObjectItemCaseSensitive(j, "occurrence") : NULL;
    if (cJSON_IsNumber(oj)) {
        double v = oj->valuedouble;
        return v >= 1 && v <= 1000000 && v == (double)(int)v ? (int)v : -1;
    }
    const char *s = field(req, j, "occurrence");
    if (!s || !*s) return 0;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    return !errno && !*end && v >= 1 && v <= 1000000 ? (int)v : -1;
}

static void doc_action(dc_http_req *req, dc_http_resp *resp, const char *id, const char *action)
{
    cJSON *j = NULL;
    if (is_json(req) && req->body_len) {
        j = json_body(req, resp);
        if (!j) return;
    }
    int version = 0;
    dc_rc rc;
    int reviewer = req->who.signed_in && (req->who.roles & (DC_ROLE_REVIEWER | DC_ROLE_ADMIN));
    char wid[72] = "";
    /* fields first (400), then the confirmation (409), then the action */
    if (!strcmp(action, "withhold")) {
        const char *portion = field(req, j, "portion"), *reason = field(req, j, "reason");
        if (!dc_http_nonempty(portion) || !dc_http_nonempty(reason)) {
            cJSON_Delete(j);
            dc_http_json_error(resp, 400, "withhold needs portion and reason");
            return;
        }
        dc_withhold_spec sp = {.id = id,
                               .target = portion,
                               .code = reason,
                               .text = dc_http_nonempty(field(req, j, "text")),
                               .kind = dc_http_nonempty(field(req, j, "kind")),
                               .agency = dc_http_nonempty(field(req, j, "agency")),
                               .until = dc_http_nonempty(field(req, j, "until")),
                               .event = dc_http_nonempty(field(req, j, "event"))};
        sp.occurrence = occurrence_of(req, j);
        char why[1024];
        if (reviewer && dc_reason_check(sp.code, sp.until, sp.event, why, sizeof why)) {
            cJSON_Delete(j);
            dc_http_json_error(resp, 400, "%s", why);
            return;
        }
        if (dc_http_needs_confirm(req, id, confirm_of(req, j))) goto unconfirmed;
        rc = dc_db_withhold_span(req->db, &sp, wid, sizeof wid, &version);
    } else if (!strcmp(action, "lift")) {
        const char *w = field(req, j, "withholding"), *note = field(req, j, "note");
        if (!dc_http_nonempty(w) || !dc_http_nonempty(note)) {
            cJSON_Delete(j);
            dc_http_json_error(resp, 400, "lift needs withholding and note");
            return;
        }
        snprintf(wid, sizeof wid, "%s", w);
        if (dc_http_needs_confirm(req, id, confirm_of(req, j))) goto unconfirmed;
        rc = dc_db_lift(req->db, id, wid, note, &version);
    } else if (!strcmp(action, "mark")) {
        const char *portion = field(req, j, "portion");
        const char *level = field(req, j, "classification");
        const char *comps[MAX_COMPARTMENTS];
        char store[4096];
        int n = compartments_of(req, j, store, sizeof store, comps);
        if (!dc_http_nonempty(portion) || !dc_http_nonempty(level) || n < 0) {
            cJSON_Delete(j);
            dc_http_json_error(resp, 400,
                               "mark needs portion, classification and a list of compartments");
            return;
        }
        if (dc_http_needs_confirm(req, id, confirm_of(req, j))) goto unconfirmed;
        rc = dc_db_mark(req->db, id, portion, level, comps, (size_t)n, &version);
    } else {
        if (dc_http_needs_confirm(req, id, confirm_of(req, j))) goto unconfirmed;
        rc = dc_db_release(req->db, id, &version);
    }
    cJSON_Delete(j);
    if (rc) {
        doc_error(req, resp, id, rc);
        return;
    }
    if (wid[0]) {
        dc_json out;
        json_begin(resp, 200, &out);
        json_finish(req, resp, id,
                    dc_db_withhold_done_json(req->db, &out, action, id, wid, version));
        return;
    }
    review_done(resp, id, version);
    return;
unconfirmed:
    cJSON_Delete(j);
    dc_http_json_error(resp, 409,
                       "%s is released: this %s changes the public record; send confirm=1 "
                       "to go ahead",
                       id, action);
}

/* The names of a referral: a JSON array "agencies" (or a string), or the
 * comma-separated field agency / agencies.  The count, -1 if malformed. */
static int agencies_of(const dc_http_req *req, const cJSON *j, char *store, size_t store_size,
                       const char **out)
{
    if (j) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "agencies");
        if (cJSON_IsArray(a)) {
            int n = 0;
            const cJSON *e;
            cJSON_ArrayForEach(e, a)
            {
                if (!cJSON_IsString(e) || n >= MAX_COMPARTMENTS) return -1;
                out[n++] = e->valuestring;
            }
            return n;
        }
        if (a && !cJSON_IsString(a)) return -1;
    }
    const char *s = field(req, j, "agencies");
    if (!s) s = field(req, j, "agency");
    return dc_http_compartments_split(s, store, store_size, out);
}

/* GET /api/documents/{id}/review: the request; POST: one transition
 * (action=queue|start|refer|decide|approve|appeal), as `declass review`. */
static void doc_review(dc_http_req *req, dc_http_resp *resp, const char *id, int post)
{
    if (!post) {
        facade_json(req, resp, id, dc_db_review_json);
        return;
    }
    cJSON *j = NULL;
    if (is_json(req) && req->body_len) {
        j = json_body(req, resp);
        if (!j) return;
    }
    static const char *const acts[] = {"queue", "start", "refer", "decide", "approve", "appeal"};
    const char *action = field(req, j, "action");
    size_t ai = 0;
    while (action && ai < 6 && strcmp(action, acts[ai]) != 0) ai++;
    const char *agencies[MAX_COMPARTMENTS];
    char store[4096];
    int n_ag = ai == 2 ? agencies_of(req, j, store, sizeof store, agencies) : 0;
    const cJSON *wj = j ? cJSON_GetObjectItemCaseSensitive(j, "withheld_in_full") : NULL;
    int in_full =
        j ? cJSON_IsTrue(wj) || (cJSON_IsString(wj) && dc_http_confirm_value(wj->valuestring))
          : dc_http_confirm_value(dc_http_arg(req, "withheld_in_full"));
    const char *note = dc_http_nonempty(field(req, j, "note"));
    const char *kind = dc_http_nonempty(field(req, j, "kind"));
    const char *received = dc_http_nonempty(field(req, j, "received"));
    const char *bad = !action || ai == 6 ? "action must be queue, start, refer, decide, approve "
                                           "or appeal"
                      : ai == 0 && !kind ? "queue needs kind (mdr or frus)"
                      : n_ag < 0 || (ai == 2 && !n_ag) ? "refer needs agencies"
                      : in_full && ai != 3             ? "withheld_in_full goes with decide"
                      : ai != 0 && (kind || received)  ? "kind and received go with queue"
                                                       : NULL;
    if (bad) {
        cJSON_Delete(j);
        dc_http_json_error(resp, 400, "%s", bad);
        return;
    }
    const char *act = ai == 3 && in_full ? "withhold-in-full" : acts[ai];
    dc_rc rc = ai == 0 ? dc_db_review_request(req->db, id, kind, received)
                       : dc_db_review_act(req->db, id, act, agencies, (size_t)n_ag, note);
    cJSON_Delete(j);
    char state[32] = "";
    if (!rc) rc = dc_db_review_state(req->db, id, state);
    if (rc) {
        doc_error(req, resp, id, rc);
        return;
    }
    dc_json out;
    json_begin(resp, 200, &out);
    dc_review_done_json(&out, act, id, state);
    json_end(resp);
}

/* A release number of a query argument: 1..1000000; 0 if absent, -1 if bad. */
static int release_arg(const dc_http_req *req, const char *name)
{
    const char *s = dc_http_arg(req, name);
    if (!s || !*s) return 0;
    char *end = NULL;
    long n = strtol(s, &end, 10);
    return !*end && n >= 1 && n <= 1000000 ? (int)n : -1;
}

/* GET /api/documents/{id}/diff?release=N[&against=M], as `declass diff`. */
static void doc_diff(dc_http_req *req, dc_http_resp *resp, const char *id)
{
    int rel = release_arg(req, "release"), against = release_arg(req, "against");
    if (rel <= 0 || against < 0) {
        dc_http_json_error(resp, 400,
                           "diff needs release=N (and maybe against=M), numbers "
                           "from 1");
        return;
    }
    dc_json j;
    json_begin(resp, 200, &j);
    json_finish(req, resp, id, dc_db_diff_json(req->db, id, rel, against, &j));
}

/* GET /api/review: the review queue by due date (reviewers). */
void dc_api_review_queue(dc_http_req *req, dc_http_resp *resp)
{
    dc_json j;
    json_begin(resp, 200, &j);
    json_finish(req, resp, NULL, dc_db_review_json(req->db, NULL, &j));
}

/* The actions under /api/documents/{id}/: the methods each takes. */
static const struct {
    const char *suffix;
    int get, post;
} doc_actions[] = {
    {"/refs", 1, 0}, {"/find", 1, 0},    {"/withholdings", 1, 0}, {"/releases", 1, 0},
    {"/diff", 1, 0}, {"/review", 1, 1},  {"/withhold", 0, 1},     {"/lift", 0, 1},
    {"/mark", 0, 1}, {"/release", 0, 1},
};

int dc_api_document_methods(const char *path, int *get, int *post)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof doc_actions / sizeof doc_actions[0]; i++) {
        size_t m = strlen(doc_actions[i].suffix);
        if (n > m && !memcmp(path + n - m, doc_actions[i].suffix, m)) {
            *get = doc_actions[i].get;
            *post = doc_actions[i].post;
            return (int)i;
        }
    }
    *get = 1;
    *post = 0;
    return -1;
}

void dc_api_document(dc_http_req *req, dc_http_resp *resp)
{
    const char *rest = req->path + strlen("/api/documents/");
    size_t n = strlen(rest);
    int get = 1, may_post = 0;
    int ai = dc_api_document_methods(rest, &get, &may_post);
    const char *action = ai >= 0 ? doc_actions[ai].suffix + 1 : NULL;
    if (action) n -= strlen(doc_actions[ai].suffix);
    char id[1024];
    if (n == 0 || n >= sizeof id) {
        dc_http_json_error(resp, 404, "no such document");
        return;
    }
    memcpy(id, rest, n);
    id[n] = '\0';
    int post = !strcmp(req->method, "POST");
    if (post ? !may_post : !get) {
        dc_http_json_error(resp, 405, "method not allowed");
    } else if (!action) {
        doc_show(req, resp, id);
    } else if (!strcmp(action, "refs")) {
        doc_refs(req, resp, id);
    } else if (!strcmp(action, "find")) {
        doc_find(req, resp, id);
    } else if (!strcmp(action, "withholdings")) {
        facade_json(req, resp, id, dc_db_withholdings_json);
    } else if (!strcmp(action, "releases")) {
        facade_json(req, resp, id, dc_db_releases_json);
    } else if (!strcmp(action, "diff")) {
        doc_diff(req, resp, id);
    } else if (!strcmp(action, "review")) {
        doc_review(req, resp, id, post);
    } else {
        doc_action(req, resp, id, action);
    }
}

/* ---- POST /api/documents ------------------------------------------------ */

/* Finds needle in hay[0..n). */
static const char *find_bytes(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0 || m > n) return NULL;
    for (const char *p = hay; (p = memchr(p, needle[0], n - (size_t)(p - hay) - m + 1)); p++) {
        if (!memcmp(p, needle, m)) return p;
        if ((size_t)(p - hay) + m >= n) break;
    }
    return NULL;
}

/* The value of parameter name (e.g. boundary, filename) in a header value
 * (quoted or not), copied into out; 0 if absent or too long. */
static int header_param(const char *h, size_t hn, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl + 1 < hn; i++) {
        if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ' || h[i - 1] == '\t') &&
            !strncasecmp(h + i, name, nl) && h[i + nl] == '=') {
            const char *v = h + i + nl + 1, *end = h + hn;
            size_t k = 0;
            if (v < end && *v == '"') {
                for (v++; v < end && *v != '"'; v++) {
                    if (*v == '\\' && v + 1 < end) v++;
                    if (k + 1 >= size) return 0;
                    out[k++] = *v;
                }
            } else {
                for (; v < end && *v != ';' && *v != ' ' && *v != '\r' && *v != '\n'; v++) {
                    if (k + 1 >= size) return 0;
                    out[k++] = *v;
                }
            }
            out[k] = '\0';
            return 1;
        }
    }
    return 0;
}

typedef struct upload {
    char filename[256];
    const char *data;
    size_t len;
    char collection[256];
    int released, has_collection, have_file;
    int long_collection; /* the collection given does not fit collection[] */
} upload;

/* Receives one part of a multipart body: its field name, file name ("" if
 * none) and content. */
typedef void (*part_cb)(void *ctx, const char *name, const char *fname, const char *data,
                        size_t len);

/*
 * Walks a multipart/form-data body (RFC 7578), calling cb for each part.
 * Every scan is bounded by the body length; a part without its closing
 * delimiter ends the walk.  Returns 0 with a message in why if the body
 * has no boundary.
 */
static int multipart_each(const dc_http_req *req, part_cb cb, void *ctx, const char **why)
{
    char boundary[200], delim[210], next_delim[214];
    const char *ct = req->content_type;
    if (!ct || !header_param(ct, strlen(ct), "boundary", boundary, sizeof boundary) || !*boundary) {
        *why = "multipart body without a boundary";
        return 0;
    }
    int dl = snprintf(delim, sizeof delim, "--%s", boundary);
    int nl = snprintf(next_delim, sizeof next_delim, "\r\n%s", delim);
    const char *p, *end = req->body + req->body_len;
    const char *b = find_bytes(req->body, req->body_len, delim, (size_t)dl);
    while (b) {
        p = b + dl;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') break; /* "--": the end */
        p += 2;
        const char *hend = find_bytes(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hend) break;
        const char *data = hend + 4;
        const char *next = find_bytes(data, (size_t)(end - data), next_delim, (size_t)nl);
        if (!next) break;
        char name[64] = "", fname[256] = "";
        for (const char *h = p; h < hend;) {
            const char *eol = find_bytes(h, (size_t)(hend + 2 - h), "\r\n", 2);
            if (!eol) eol = hend;
            size_t hl = (size_t)(eol - h);
            if (hl > 20 && !strncasecmp(h, "Content-Disposition:", 20)) {
                header_param(h, hl, "name", name, sizeof name);
                header_param(h, hl, "filename", fname, sizeof fname);
            }
            h = eol + 2;
        }
        cb(ctx, name, fname, data, (size_t)(next - data));
        b = next + 2;
    }
    return 1;
}

static void upload_part(void *ctx, const char *name, const char *fname, const char *data,
                        size_t len)
{
    upload *u = ctx;
    if (!strcmp(name, "file")) {
        const char *base = fname;
        for (const char *s = fname; *s; s++)
            if (*s == '/' || *s == '\\') base = s + 1;
        snprintf(u->filename, sizeof u->filename, "%s", base);
        u->data = data;
        u->len = len;
        u->have_file = 1;
    } else if (!strcmp(name, "collection")) {
        /* given, even empty: then it must be a good name (checked below) */
        u->has_collection = 1;
        u->long_collection = len >= sizeof u->collection;
        if (!u->long_collection) {
            memcpy(u->collection, data, len);
            u->collection[len] = '\0';
        }
    } else if (!strcmp(name, "released")) {
        u->released = len == 1 && data[0] == '1';
    }
}

typedef struct field_find {
    const char *name;
    char *out;
    size_t size;
    int found;
} field_find;

static void field_part(void *ctx, const char *name, const char *fname, const char *data, size_t len)
{
    field_find *f = ctx;
    if (f->found || fname[0] || strcmp(name, f->name) != 0 || len >= f->size) return;
    memcpy(f->out, data, len);
    f->out[len] = '\0';
    f->found = 1;
}

int dc_http_multipart_field(const dc_http_req *req, const char *name, char *out, size_t size)
{
    field_find f = {name, out, size, 0};
    const char *why = NULL;
    if (!req->content_type || strncasecmp(req->content_type, "multipart/form-data", 19) != 0)
        return 0;
    return multipart_each(req, field_part, &f, &why) && f.found;
}

/* One withholding an upload's re-ingest orphaned: {"id", "withholding",
 * "portion"} into the array ctx. */
static void upload_orphan(void *ctx, const char *id, const char *wid, const char *target)
{
    dc_json *j = ctx;
    dc_json_obj(j);
    dc_json_kstr(j, "id", id);
    dc_json_kstr(j, "withholding", wid);
    dc_json_kstr(j, "portion", target);
    dc_json_end(j);
}

void dc_api_upload(dc_http_req *req, dc_http_resp *resp)
{
    if (!req->who.signed_in) {
        dc_http_json_error(resp, 401, "sign in first");
        return;
    }
    upload u = {0};
    const char *ct = req->content_type ? req->content_type : "";
    if (!strncasecmp(ct, "multipart/form-data", 19)) {
        const char *why = NULL;
        if (!multipart_each(req, upload_part, &u, &why)) {
            dc_http_json_error(resp, 400, "%s", why);
            return;
        }
        if (!u.have_file) {
            dc_http_json_error(resp, 400, "the form has no \"file\" part");
            return;
        }
    } else if (!strncasecmp(ct, "application/xml", 15) || !strncasecmp(ct, "text/xml", 8) ||
               !strncasecmp(ct, "text/plain", 10)) {
        const char *fn = dc_http_arg(req, "filename");
        if (!fn || !*fn) {
            dc_http_json_error(resp, 400, "missing filename=");
            return;
        }
        const char *base = fn;
        for (const char *s = fn; *s; s++)
            if (*s == '/' || *s == '\\') base = s + 1;
        snprintf(u.filename, sizeof u.filename, "%s", base);
        u.data = req->body;
        u.len = req->body_len;
        const char *col = dc_http_arg(req, "collection");
        if (col) {
            u.has_collection = 1;
            u.long_collection = strlen(col) >= sizeof u.collection;
            snprintf(u.collection, sizeof u.collection, "%s", col);
        }
        const char *rel = dc_http_arg(req, "released");
        u.released = rel && !strcmp(rel, "1");
    } else {
        dc_http_json_error(resp, 415,
                           "send the file as application/xml, text/xml, text/plain or "
                           "multipart/form-data");
        return;
    }
    if (!u.filename[0] || u.filename[0] == '.') {
        dc_http_json_error(resp, 400, "bad file name");
        return;
    }
    if (u.has_collection && (u.long_collection || !dc_collection_name_ok(u.collection))) {
        dc_http_json_error(resp, 400,
                           "bad collection name: it must be 1-128 bytes, not start with '.', "
                           "and have no '/', '\\', spaces or control characters");
        return;
    }
    /* the withholdings a re-ingest orphans, said in the answer */
    dc_buf ob;
    dc_json oj;
    dc_buf_init(&ob, DC_HTTP_MAX_FORM);
    dc_json_init(&oj, &ob, 0);
    dc_json_arr(&oj);
    dc_ingest_opts opts = {.collection = u.has_collection ? u.collection : NULL,
                           .released = u.released,
                           .on_orphan = upload_orphan,
                           .ctx = &oj};
    dc_ingest_stats st = {0};
    dc_rc rc = dc_db_ingest_data(req->db, u.filename, u.data, u.len, &opts, &st);
    dc_json_end(&oj);
    if (rc) dc_buf_release(&ob);
    if (rc == DC_PARSE || rc == DC_LIMIT) {
        dc_http_json_error(resp, rc == DC_LIMIT ? 413 : 422, "%s", dc_db_errmsg(req->db));
        return;
    }
    if (rc) {
        lib_error(req, resp, rc);
        return;
    }
    dc_json j;
    json_begin(resp, 201, &j);
    dc_json_obj(&j);
    dc_json_kint(&j, "documents_new", st.docs_new);
    dc_json_kint(&j, "documents_updated", st.docs_updated);
    dc_json_kint(&j, "documents_unchanged", st.docs_unchanged);
    /* (past the cap, null: the listings still say which) */
    dc_json_key(&j, "withholdings_orphaned");
    if (ob.rc || !ob.p) dc_json_null(&j);
    else dc_json_raw(&j, ob.p);
    dc_buf_release(&ob);
    dc_json_end(&j);
    json_end(resp);
}

/* ---- /api/session ------------------------------------------------------- */

static void session_json(dc_http_req *req, dc_http_resp *resp, int status)
{
    int signed_in = req->who.signed_in;
    dc_json j;
    json_begin(resp, status, &j);
    dc_json_obj(&j);
    dc_json_kstr(&j, "user", signed_in ? req->who.name : NULL);
    dc_json_key(&j, "roles");
    dc_json_arr(&j);
    if (signed_in) {
        dc_json_str(&j, "reader");
        if (req->who.roles & DC_ROLE_REVIEWER) dc_json_str(&j, "reviewer");
        if (req->who.roles & DC_ROLE_ADMIN) dc_json_str(&j, "admin");
    }
    dc_json_end(&j);
    dc_json_kstr(&j, "clearance",
                 dc_level_name(signed_in ? (dc_level)req->who.level : DC_UNCLASSIFIED));
    dc_json_kstr(&j, "csrf", req->csrf ? req->csrf : "");
    dc_json_end(&j);
    json_end(resp);
}

void dc_api_session(dc_http_req *req, dc_http_resp *resp)
{
    if (!strcmp(req->method, "DELETE")) {
        dc_http_logout(req, resp);
        resp->status = 204;
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        session_json(req, resp, 200);
        return;
    }
    cJSON *j = NULL;
    if (is_json(req)) {
        j = json_body(req, resp);
        if (!j) return;
    }
    const char *name = field(req, j, "name"), *password = field(req, j, "password");
    unsigned retry = 0;
    dc_rc rc = (name && password) ? dc_http_login(req, resp, name, password, &retry) : DC_DENIED;
    cJSON_Delete(j);
    if (rc == DC_LIMIT) {
        char s[32];
        snprintf(s, sizeof s, "%u", retry ? retry : 1);
        dc_http_resp_header(resp, "Retry-After", s);
        dc_http_json_error(resp, 429, "too many failed logins; try again in %u s", retry);
    } else if (rc == DC_DENIED) {
        dc_http_json_error(resp, 401, "access denied");
    } else if (rc) {
        dc_http_json_error(resp, 500, "internal error");
    } else {
        session_json(req, resp, 200);
    }
}

/* ---- /api/export ---------------------------------------------------------- */

#define MAX_EXPORTS 4 /* exports streaming at once, server-wide */
static atomic_int exports_running;

/* One export streaming into a pipe from a thread of its own, with a
 * database handle of its own acting as the requesting user. */
typedef struct export_job {
    char *db_path, *user, *query;
    char format[8];
    int fd; /* the pipe's write end */
} export_job;

static dc_rc pipe_write(void *ctx, const char *data, size_t len)
{
    int fd = *(const int *)ctx;
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return DC_IO; /* the client went away (EPIPE) */
        data += w;
        len -= (size_t)w;
    }
    return DC_OK;
}

static void *export_main(void *arg)
{
    export_job *j = arg;
    /* A client that hangs up makes write fail with EPIPE, not kill us. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    dc_db *db = NULL;
    dc_error err = {0};
    if (dc_db_open(j->db_path, 0, &db, &err) == DC_OK &&
        (!j->user || dc_db_assume(db, j->user) == DC_OK))
        dc_db_export(db, j->query, j->format, pipe_write, &j->fd, NULL);
    dc_db_close(db);
    close(j->fd);
    free(j->db_path);
    free(j->user);
    free(j->query);
    free(j);
    atomic_fetch_sub(&exports_running, 1);
    return NULL;
}

/*
 * GET /api/export?q=&format=jsonl|tei: every readable (matching) document,
 * streamed as dc_db_export writes it.  A bad query or format is found
 * before the first byte (400); the body then streams from a pipe fed by
 * an export thread, so memory stays bounded whatever the corpus size.
 */
void dc_api_export(dc_http_req *req, dc_http_resp *resp)
{
    const char *format = dc_http_arg(req, "format");
    const char *q = dc_http_arg(req, "q");
    if (!format || !*format) format = "jsonl";
    const dc_format *f = dc_format_find(format, DC_FORMAT_EXPORT);
    if (!f) {
        dc_http_json_error(resp, 400, "format must be %s", dc_format_names(DC_FORMAT_EXPORT));
        return;
    }
    if (q && *q) {
        dc_search_request sr = {.query = q, .limit = 1};
        dc_search_page *page = NULL;
        dc_rc rc = dc_db_search(req->db, &sr, &page);
        dc_search_page_free(page);
        if (rc) {
            lib_error(req, resp, rc);
            return;
        }
    }
    if (atomic_fetch_add(&exports_running, 1) >= MAX_EXPORTS) {
        atomic_fetch_sub(&exports_running, 1);
        dc_http_resp_header(resp, "Retry-After", "10");
        dc_http_json_error(resp, 503, "too many exports running; try again later");
        return;
    }
    int fds[2] = {-1, -1};
    export_job *j = calloc(1, sizeof *j);
    int ok = j && pipe(fds) == 0 && fcntl(fds[0], F_SETFD, FD_CLOEXEC) == 0 &&
             fcntl(fds[1], F_SETFD, FD_CLOEXEC) == 0;
    if (ok) {
        j->fd = fds[1];
        snprintf(j->format, sizeof j->format, "%s", format);
        j->db_path = dc_strdup(dc_http_server_db_path(req->srv));
        j->user = req->who.signed_in ? dc_strdup(req->who.name) : NULL;
        j->query = q && *q ? dc_strdup(q) : NULL;
        ok = j->db_path && (!req->who.signed_in || j->user) && (!q || !*q || j->query);
    }
    pthread_t t;
    pthread_attr_t attr;
    if (ok && pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        ok = pthread_create(&t, &attr, export_main, j) == 0;
        pthread_attr_destroy(&attr);
    } else {
        ok = 0;
    }
    if (!ok) {
        if (fds[0] >= 0) close(fds[0]);
        if (fds[1] >= 0) close(fds[1]);
        if (j) {
            free(j->db_path);
            free(j->user);
            free(j->query);
            free(j);
        }
        atomic_fetch_sub(&exports_running, 1);
        dc_http_json_error(resp, 500, "cannot start the export");
        return;
    }
    resp->status = 200;
    resp->content_type = f->media_type;
    dc_http_resp_header(resp, "Content-Disposition",
                        !strcmp(f->name, "tei") ? "attachment; filename=\"declass-export.xml\""
                                                : "attachment; filename=\"declass-export.jsonl\"");
    resp->has_pipe = 1;
    resp->pipe_fd = fds[0];
}
