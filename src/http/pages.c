/*
 * The reading room: server-rendered HTML pages (search, document, sign-in,
 * review).  Every page is a complete HTML5 document that works without
 * scripts; web/static/app.js only enhances it.  The server sends a strict
 * Content-Security-Policy, so nothing here writes an inline script, an
 * inline style or an event-handler attribute.  Every string that comes
 * from a request or from the database is written through
 * dc_buf_xml_escape (text and attribute values) or dc_http_url_encode
 * (URLs); the only markup taken as is is the document fragment of
 * dc_render_html, which escapes its own text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "http_int.h"

#define HTML_TYPE "text/html; charset=utf-8"
#define SEARCH_LIMIT 20 /* hits per result page */
/* Private marks around matches in snippets: the library inserts them into
 * unescaped document text; they are replaced by <mark></mark> after the
 * text is escaped.  Stored text never holds them: the text ingester
 * refuses control bytes other than tab, CR and FF, and XML 1.0 cannot
 * carry them at all. */
#define SNIP_OPEN "\x01"
#define SNIP_CLOSE "\x02"
#define MAX_COMPARTMENTS 32

static const char *const levels[] = {"UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"};

/* ---- small writers ------------------------------------------------------ */

/* Appends s[0..n) escaped for HTML text and attribute values alike,
 * newlines kept (review text is shown pre-wrapped). */
static void escn(dc_buf *b, const char *s, size_t n)
{
    dc_buf_xml_escape(b, s, n, DC_XML_HTML | DC_XML_NL_KEEP);
}

static void esc(dc_buf *b, const char *s)
{
    if (s) escn(b, s, strlen(s));
}

/* The path of document id: /documents/ID (slashes kept). */
static void doc_href(dc_buf *b, const char *prefix, const char *id)
{
    dc_buf_puts(b, prefix);
    dc_http_url_encode(b, id, 1);
}

/* A hidden CSRF field for a form that posts. */
static void csrf_field(dc_buf *b, const dc_http_req *req)
{
    dc_buf_puts(b, "<input type=hidden name=csrf value=\"");
    esc(b, req->csrf ? req->csrf : "");
    dc_buf_puts(b, "\">");
}

static const char *status_text(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Sign-in required";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 413: return "Too large";
    case 429: return "Too many requests";
    default: return status >= 500 ? "Internal error" : "Error";
    }
}

/* 1 if next is a local path this site may redirect to after a sign-in:
 * it starts with one "/" (not "//", which would be another host, nor
 * "/\" which some browsers read the same way) and holds no control
 * characters. */
static int local_path(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\') return 0;
    for (const unsigned char *p = (const unsigned char *)next; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return 0;
    return strlen(next) < 2048;
}

/*
 * Starts a page: the head, the site header (name, search box, the signed-in
 * user with a sign-out form or a sign-in link that comes back to next, by
 * default the request's path) and opens <main>.  The user is asked of the
 * handle again: req->who.name is borrowed only until the next call on it.
 */
static void page_begin(dc_http_req *req, dc_http_resp *resp, const char *title,
                       const char *body_class, const char *next)
{
    dc_page_begin(req, resp, title, body_class, next, NULL);
}

void dc_page_begin(dc_http_req *req, dc_http_resp *resp, const char *title, const char *body_class,
                   const char *next, const char *head)
{
    if (!next) next = req->path;
    dc_identity who = dc_db_identity(req->db);
    dc_buf *b = &resp->body;
    resp->content_type = HTML_TYPE;
    dc_buf_puts(b, "<!doctype html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
                   "<meta name=viewport content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
    esc(b, title);
    dc_buf_puts(b, " · declass reading room</title>\n"
                   "<link rel=icon href=/static/favicon.svg type=\"image/svg+xml\">\n"
                   "<link rel=stylesheet href=/static/style.css>\n"
                   "<script src=/static/app.js defer></script>\n");
    if (head) dc_buf_puts(b, head);
    dc_buf_puts(b, "</head>\n<body class=\"");
    esc(b, body_class);
    dc_buf_puts(b, "\">\n<a class=dc-skip href=#main>Skip to content</a>\n"
                   "<header class=dc-site>\n<a class=dc-brand href=/>declass reading room</a>\n");
    /* one search landmark a page: the search page has its own form */
    if (strcmp(body_class, "dc-search-page") != 0)
        dc_buf_puts(b, "<form class=dc-quick role=search method=get action=/search>"
                       "<label for=site-q class=dc-vh>Search the documents</label>"
                       "<input id=site-q type=search name=q placeholder=\"Search the documents\">"
                       "<button type=submit>Search</button></form>\n");
    dc_buf_puts(b, "<div class=dc-user>");
    if (who.signed_in) {
        dc_buf_puts(b, "<span class=dc-whoami>Signed in as <strong>");
        esc(b, who.name);
        dc_buf_puts(b, "</strong></span> <form class=dc-logout method=post action=/logout>");
        csrf_field(b, req);
        dc_buf_puts(b, "<button type=submit>Sign out</button></form>");
    } else {
        dc_buf_puts(b, "<a class=dc-signin href=\"/login");
        if (next && strncmp(next, "/login", 6) != 0 && local_path(next)) {
            dc_buf_puts(b, "?next=");
            dc_http_url_encode(b, next, 0);
        }
        dc_buf_puts(b, "\">Sign in</a>");
    }
    dc_buf_puts(b, "</div>\n</header>\n<main id=main>\n");
}

static void page_end(dc_http_resp *resp)
{
    dc_buf_puts(&resp->body,
                "</main>\n<footer class=dc-footer><p>declass reading room · released "
                "records only for the public; withheld text is never sent. "
                "<a href=/api/collections>JSON API</a></p></footer>\n</body>\n</html>\n");
}

void dc_page_end(dc_http_resp *resp) { page_end(resp); }

void dc_page_esc(dc_buf *b, const char *s) { esc(b, s); }

void dc_page_doc_href(dc_buf *b, const char *prefix, const char *id) { doc_href(b, prefix, id); }

void dc_page_error(dc_http_req *req, dc_http_resp *resp, int status, const char *message)
{
    dc_buf_reset(&resp->body);
    resp->status = status;
    char title[64];
    snprintf(title, sizeof title, "%d %s", status, status_text(status));
    page_begin(req, resp, title, "dc-error-page", NULL);
    dc_buf *b = &resp->body;
    dc_buf_puts(b, "<section class=dc-error>\n<h1>");
    esc(b, title);
    dc_buf_puts(b, "</h1>\n<p class=dc-error-msg>");
    esc(b, message ? message : status_text(status));
    dc_buf_puts(b, "</p>\n<p><a href=/>Back to the reading room</a></p>\n</section>\n");
    page_end(resp);
}

/* ---- search ------------------------------------------------------------- */

typedef struct search_params {
    const char *q, *from, *to, *cls, *coll, *type;
    size_t offset;
} search_params;

/* /search?... with every parameter of p that is set, separated by sep. */
static void search_url(dc_buf *b, const search_params *p, const char *sep)
{
    dc_buf_puts(b, "/search?q=");
    dc_http_url_encode(b, p->q ? p->q : "", 0);
    const char *names[5] = {"from", "to", "classification", "collection", "doc_type"};
    const char *vals[5] = {p->from, p->to, p->cls, p->coll, p->type};
    for (int i = 0; i < 5; i++) {
        if (!vals[i]) continue;
        dc_buf_printf(b, "%s%s=", sep, names[i]);
        dc_http_url_encode(b, vals[i], 0);
    }
    if (p->offset) dc_buf_printf(b, "%soffset=%zu", sep, p->offset);
}

/* The same for an attribute value. */
static void search_href(dc_buf *b, const search_params *p) { search_url(b, p, "&amp;"); }

/* Parses a decimal offset; -1 if s is not one. */
static long parse_offset(const char *s)
{
    if (!s || !*s) return 0;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000000L) return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

/* Writes snippet s (library text with SNIP_OPEN/SNIP_CLOSE around the
 * matches) escaped, with the marks as <mark> elements.  A mark left open
 * is closed at the end. */
static void snippet_html(dc_buf *b, const char *s)
{
    int open = 0;
    while (s && *s) {
        size_t n = strcspn(s, SNIP_OPEN SNIP_CLOSE);
        escn(b, s, n);
        s += n;
        if (!*s) break;
        if (*s == SNIP_OPEN[0] && !open) {
            dc_buf_puts(b, "<mark>");
            open = 1;
        } else if (*s == SNIP_CLOSE[0] && open) {
            dc_buf_puts(b, "</mark>");
            open = 0;
        }
        s++;
    }
    if (open) dc_buf_puts(b, "</mark>");
}

typedef struct coll_ctx {
    dc_buf *b;
    const char *selected; /* select mode: the selected name; list mode: NULL */
    int list;
    long n;
} coll_ctx;

static dc_rc coll_cb(void *ctx, const dc_collection_info *c)
{
    coll_ctx *x = ctx;
    dc_buf *b = x->b;
    x->n++;
    if (!x->list) {
        dc_buf_puts(b, "<option value=\"");
        esc(b, c->name);
        dc_buf_puts(b, x->selected && strcmp(x->selected, c->name) == 0 ? "\" selected>" : "\">");
        esc(b, c->name);
        dc_buf_puts(b, "</option>");
        return DC_OK;
    }
    dc_buf_puts(b, "<li><a href=\"/volumes/");
    dc_http_url_encode(b, c->name, 0);
    dc_buf_puts(b, "\">");
    esc(b, c->title && *c->title ? c->title : c->name);
    dc_buf_puts(b, "</a>");
    if (c->title && *c->title) {
        dc_buf_puts(b, " <span class=dc-coll-id>");
        esc(b, c->name);
        dc_buf_puts(b, "</span>");
    }
    dc_buf_printf(b, " <span class=dc-count>%ld document%s</span>", c->documents,
                  c->documents == 1 ? "" : "s");
    dc_buf_puts(b, " <a class=dc-coll-browse href=\"/search?collection=");
    dc_http_url_encode(b, c->name, 0);
    dc_buf_puts(b, "\">browse</a></li>\n");
    return DC_OK;
}

/* The search form with its filters. */
static void search_form(dc_http_req *req, dc_buf *b, const search_params *p)
{
    dc_buf_puts(b, "<form class=dc-search method=get action=/search role=search>\n"
                   "<div class=dc-search-row><label for=q class=dc-vh>Query</label>"
                   "<input id=q type=search name=q placeholder=\"armistice, title:korea, "
                   "&quot;exact phrase&quot;\" value=\"");
    esc(b, p->q);
    dc_buf_puts(b, "\"><button type=submit>Search</button></div>\n"
                   "<fieldset class=dc-filters><legend>Filters</legend>\n"
                   "<label>From <input type=text name=from size=10 inputmode=numeric "
                   "pattern=\"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\" placeholder=YYYY-MM-DD "
                   "title=\"YYYY, YYYY-MM or YYYY-MM-DD\" value=\"");
    esc(b, p->from);
    dc_buf_puts(b, "\"></label>\n<label>To <input type=text name=to size=10 inputmode=numeric "
                   "pattern=\"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\" placeholder=YYYY-MM-DD "
                   "title=\"YYYY, YYYY-MM or YYYY-MM-DD\" value=\"");
    esc(b, p->to);
    dc_buf_puts(b, "\"></label>\n<label>Classification <select name=classification>"
                   "<option value=\"\">any</option>");
    int sel = p->cls ? dc_level_parse(p->cls) : -1;
    for (int i = 0; i < 4; i++)
        dc_buf_printf(b, "<option value=\"%s\"%s>%s</option>", levels[i],
                      sel == i ? " selected" : "", levels[i]);
    dc_buf_puts(b, "</select></label>\n<label>Collection <select name=collection>"
                   "<option value=\"\">any</option>");
    coll_ctx cc = {.b = b, .selected = p->coll};
    dc_db_collections(req->db, coll_cb, &cc);
    dc_buf_puts(b, "</select></label>\n");
    if (p->type) {
        dc_buf_puts(b, "<input type=hidden name=doc_type value=\"");
        esc(b, p->type);
        dc_buf_puts(b, "\">");
    }
    dc_buf_puts(b, "</fieldset>\n</form>\n");
}

static const dc_facet *find_facet(const dc_search_page *pg, const char *name)
{
    for (size_t i = 0; i < pg->n_facets; i++)
        if (pg->facets[i].name && strcmp(pg->facets[i].name, name) == 0) return &pg->facets[i];
    return NULL;
}

/* A bucket of the timeline: a year or a decade and its hits. */
typedef struct bucket {
    int year; /* first year */
    int span; /* 1 or 10 */
    uint64_t count;
    const char *label;
} bucket;

static int bucket_cmp(const void *a, const void *b)
{
    const bucket *x = a, *y = b;
    return (x->year > y->year) - (x->year < y->year);
}

/* The year a facet value starts with ("1958", "1950s"), or -1. */
static int facet_year(const char *v)
{
    if (!v) return -1;
    int y = 0, n = 0;
    for (; v[n] >= '0' && v[n] <= '9' && n < 5; n++) y = y * 10 + (v[n] - '0');
    if (n != 4) return -1;
    return y;
}

/*
 * The timeline of hits by year (the "year" facet) or, without one, by
 * decade: a server-drawn SVG bar chart in which every bar is a link that
 * narrows the date range to its year or decade.
 */
static void timeline(dc_buf *b, const dc_search_page *pg, const search_params *p)
{
    const dc_facet *f = find_facet(pg, "year");
    int span = 1;
    if (!f || !f->n_values) {
        f = find_facet(pg, "decade");
        span = 10;
    }
    if (!f || !f->n_values) return;
    bucket *v = calloc(f->n_values, sizeof *v);
    if (!v) {
        b->rc = DC_NOMEM;
        return;
    }
    size_t n = 0;
    uint64_t max = 0;
    for (size_t i = 0; i < f->n_values; i++) {
        int y = facet_year(f->values[i].value);
        if (y < 0 || !f->values[i].count) continue;
        v[n++] = (bucket){y, span, f->values[i].count, f->values[i].value};
        if (f->values[i].count > max) max = f->values[i].count;
    }
    if (!n) {
        free(v);
        return;
    }
    qsort(v, n, sizeof *v, bucket_cmp);
    /* a continuous axis: the years (decades) without hits get empty slots */
    size_t slots = (size_t)((v[n - 1].year - v[0].year) / span) + 1;
    if (slots > n && slots <= (span == 1 ? 80u : 30u)) {
        bucket *full = calloc(slots, sizeof *full);
        if (!full) {
            free(v);
            b->rc = DC_NOMEM;
            return;
        }
        for (size_t i = 0; i < slots; i++)
            full[i] = (bucket){v[0].year + (int)i * span, span, 0, NULL};
        for (size_t i = 0; i < n; i++) full[(size_t)((v[i].year - v[0].year) / span)] = v[i];
        free(v);
        v = full;
        n = slots;
    }
    const int bw = span == 1 ? 22 : 44, gap = 4, h = 100, top = 14, foot = 18;
    int w = (int)n * (bw + gap);
    dc_buf_printf(b,
                  "<figure class=dc-timeline>\n<figcaption>Matches by %s</figcaption>\n"
                  "<svg class=dc-timeline-svg viewBox=\"0 0 %d %d\" width=\"%d\" "
                  "height=\"%d\">\n",
                  span == 1 ? "year" : "decade", w, h + top + foot, w, h + top + foot);
    for (size_t i = 0; i < n; i++) {
        int bh = (int)((double)v[i].count * h / (double)max + 0.5);
        if (bh < 2) bh = 2;
        int x = (int)i * (bw + gap);
        char from[16], to[16];
        snprintf(from, sizeof from, "%04d", v[i].year);
        snprintf(to, sizeof to, "%04d", v[i].year + v[i].span - 1);
        if (!v[i].count) {
            dc_buf_printf(b, "<text class=dc-bar-label x=\"%d\" y=\"%d\">", x + bw / 2,
                          h + top + foot - 4);
            if (span == 1) dc_buf_printf(b, "&#8217;%02d", v[i].year % 100);
            else dc_buf_printf(b, "%ds", v[i].year);
            dc_buf_puts(b, "</text>\n");
            continue;
        }
        search_params np = *p;
        np.from = from;
        np.to = to;
        np.offset = 0;
        dc_buf_puts(b, "<a class=dc-bar-link href=\"");
        search_href(b, &np);
        dc_buf_puts(b, "\"><title>");
        esc(b, v[i].label);
        dc_buf_printf(b, ": %llu document%s</title>", (unsigned long long)v[i].count,
                      v[i].count == 1 ? "" : "s");
        dc_buf_printf(b,
                      "<rect class=dc-bar-hit x=\"%d\" y=\"0\" width=\"%d\" height=\"%d\"/>"
                      "<rect class=dc-bar x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
                      "<text class=dc-bar-count x=\"%d\" y=\"%d\">%llu</text>"
                      "<text class=dc-bar-label x=\"%d\" y=\"%d\">",
                      x, bw + gap, h + top + foot, x, top + h - bh, bw, bh, x + bw / 2,
                      top + h - bh - 3, (unsigned long long)v[i].count, x + bw / 2,
                      h + top + foot - 4);
        if (span == 1) dc_buf_printf(b, "&#8217;%02d", v[i].year % 100);
        else esc(b, v[i].label);
        dc_buf_puts(b, "</text></a>\n");
    }
    dc_buf_puts(b, "</svg>\n</figure>\n");
    free(v);
}

/* The facets sidebar: each value a link that adds its filter (collection,
 * classification, a decade or year as a date range, document type). */
static void facets(dc_buf *b, const dc_search_page *pg, const search_params *p)
{
    static const struct {
        const char *name, *heading;
    } order[] = {{"collection", "Collection"},
                 {"classification", "Classification"},
                 {"decade", "Decade"},
                 {"year", "Year"},
                 {"doc_type", "Document type"}};
    dc_buf_puts(b, "<aside class=dc-facets aria-label=\"Refine the results\">\n");
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const dc_facet *f = find_facet(pg, order[k].name);
        if (!f || !f->n_values) continue;
        dc_buf_printf(b, "<section class=\"dc-facet dc-facet-%s\">\n<h2>%s</h2>\n<ul>\n",
                      order[k].name, order[k].heading);
        for (size_t i = 0; i < f->n_values; i++) {
            const char *val = f->values[i].value;
            if (!val) continue;
            search_params np = *p;
            np.offset = 0;
            char from[16], to[16];
            int linked = 1;
            if (strcmp(f->name, "collection") == 0) {
                np.coll = val;
            } else if (strcmp(f->name, "classification") == 0) {
                linked = dc_level_parse(val) >= 0;
                np.cls = val;
            } else if (strcmp(f->name, "decade") == 0 || strcmp(f->name, "year") == 0) {
                int y = facet_year(val);
                int span = strcmp(f->name, "decade") == 0 ? 10 : 1;
                linked = y >= 0;
                snprintf(from, sizeof from, "%04d", y < 0 ? 0 : y);
                snprintf(to, sizeof to, "%04d", y < 0 ? 0 : y + span - 1);
                np.from = from;
                np.to = to;
            } else if (strcmp(f->name, "doc_type") == 0) {
                np.type = val;
            } else {
                linked = 0;
            }
            dc_buf_puts(b, "<li>");
            if (linked) {
                dc_buf_puts(b, "<a href=\"");
                search_href(b, &np);
                dc_buf_puts(b, "\">");
            }
            esc(b, val);
            dc_buf_puts(b, linked ? "</a>" : "");
            dc_buf_printf(b, " <span class=dc-count>%llu</span></li>\n",
                          (unsigned long long)f->values[i].count);
        }
        dc_buf_puts(b, "</ul>\n</section>\n");
    }
    dc_buf_puts(b, "</aside>\n");
}

/* The active filters, each with a link that removes it. */
static void active_filters(dc_buf *b, const search_params *p)
{
    if (!p->from && !p->to && !p->cls && !p->coll && !p->type) return;
    dc_buf_puts(b, "<ul class=dc-active-filters aria-label=\"Active filters\">\n");
    const char *what[5] = {"from", "to", "classification", "collection", "document type"};
    const char *vals[5] = {p->from, p->to, p->cls, p->coll, p->type};
    for (int i = 0; i < 5; i++) {
        if (!vals[i]) continue;
        search_params np = *p;
        np.offset = 0;
        const char **field[5] = {&np.from, &np.to, &np.cls, &np.coll, &np.type};
        *field[i] = NULL;
        dc_buf_printf(b, "<li>%s: <strong>", what[i]);
        esc(b, vals[i]);
        dc_buf_puts(b, "</strong> <a class=dc-remove href=\"");
        search_href(b, &np);
        dc_buf_printf(b, "\" aria-label=\"Remove the %s filter\">remove</a></li>\n", what[i]);
    }
    dc_buf_puts(b, "</ul>\n");
}

static void hit_item(dc_buf *b, const dc_search_hit *h)
{
    dc_buf_puts(b, "<li class=dc-hit>\n<h2 class=dc-hit-title><a href=\"");
    doc_href(b, "/documents/", h->id);
    dc_buf_puts(b, "\">");
    esc(b, h->title && *h->title ? h->title : h->id);
    dc_buf_puts(b, "</a></h2>\n<p class=dc-hit-meta><span class=dc-hit-id>");
    esc(b, h->id);
    dc_buf_puts(b, "</span>");
    if (h->date) {
        dc_buf_puts(b, " · <time>");
        esc(b, h->date);
        dc_buf_puts(b, "</time>");
    }
    if (h->classification) {
        /* the classes of the renderer's banner (docs/internals/html.md) */
        static const char *const cls[] = {"unclassified", "confidential", "secret", "top-secret"};
        int lv = dc_marking_level(h->classification);
        dc_buf_printf(b, " · <span class=\"dc-hit-class dc-level-%s\">",
                      cls[lv >= 0 && lv <= 3 ? lv : 3]);
        esc(b, h->classification);
        dc_buf_puts(b, "</span>");
    }
    dc_buf_puts(b, "</p>\n<p class=dc-snippet>");
    snippet_html(b, h->snippet);
    dc_buf_puts(b, "</p>\n</li>\n");
}

static void pager(dc_buf *b, const dc_search_page *pg, const search_params *p)
{
    if (pg->total <= SEARCH_LIMIT && !p->offset) return;
    dc_buf_puts(b, "<nav class=dc-pager aria-label=\"Result pages\">");
    if (p->offset) {
        search_params np = *p;
        np.offset = p->offset > SEARCH_LIMIT ? p->offset - SEARCH_LIMIT : 0;
        dc_buf_puts(b, "<a rel=prev href=\"");
        search_href(b, &np);
        dc_buf_puts(b, "\">← Previous</a> ");
    }
    unsigned long long last = p->offset + pg->n_hits;
    dc_buf_printf(b, "<span class=dc-pager-pos>%zu–%llu of %llu</span>",
                  pg->n_hits ? p->offset + 1 : p->offset, last, (unsigned long long)pg->total);
    if (last < pg->total) {
        search_params np = *p;
        np.offset = p->offset + SEARCH_LIMIT;
        dc_buf_puts(b, " <a rel=next href=\"");
        search_href(b, &np);
        dc_buf_puts(b, "\">Next →</a>");
    }
    dc_buf_puts(b, "</nav>\n");
}

/* The welcome text shown for an empty query. */
static void welcome(dc_http_req *req, dc_buf *b)
{
    dc_buf_puts(b, "<section class=dc-welcome>\n<h2>Welcome</h2>\n"
                   "<p>The reading room holds declassified diplomatic and national-security "
                   "records: policy papers, memoranda, telegrams and letters, as published "
                   "in documentary editions. Search them by word or phrase "
                   "(<code>armistice</code>, <code>&quot;rules of engagement&quot;</code>), "
                   "by field (<code>title:korea</code>, <code>person:Rusk</code>) or by "
                   "filter (<code>date:1958..1960</code>, <code>class:secret</code>, "
                   "<code>cites:&quot;NSC 5817&quot;</code>). Words match their inflections; "
                   "quoted words match exactly.</p>\n<h2>Collections</h2>\n"
                   "<ul class=dc-collections>\n");
    coll_ctx cc = {.b = b, .list = 1};
    dc_db_collections(req->db, coll_cb, &cc);
    if (!cc.n) dc_buf_puts(b, "<li>No documents are available yet.</li>\n");
    dc_buf_puts(b, "</ul>\n</section>\n");
}

void dc_page_search(dc_http_req *req, dc_http_resp *resp)
{
    search_params p = {.q = dc_http_arg(req, "q"),
                       .from = dc_http_nonempty(dc_http_arg(req, "from")),
                       .to = dc_http_nonempty(dc_http_arg(req, "to")),
                       .cls = dc_http_nonempty(dc_http_arg(req, "classification")),
                       .coll = dc_http_nonempty(dc_http_arg(req, "collection")),
                       .type = dc_http_nonempty(dc_http_arg(req, "doc_type"))};
    long off = parse_offset(dc_http_arg(req, "offset"));
    const char *err = NULL;
    char errbuf[512];
    if (off < 0) {
        err = "bad offset: a number of results to skip";
        off = 0;
    }
    p.offset = (size_t)off;
    if (!err && ((p.from && !dc_http_date_ok(p.from)) || (p.to && !dc_http_date_ok(p.to))))
        err = "bad date: use YYYY, YYYY-MM or YYYY-MM-DD";
    int has_q = p.q && p.q[strspn(p.q, " \t\r\n")];
    /* Filters without words browse: the query is one of the filters (the
     * request applies them all). */
    char browse[DC_HTTP_MAX_URL + 32] = "";
    if (!err && !has_q) {
        if (p.coll && !strchr(p.coll, '"'))
            snprintf(browse, sizeof browse, "collection:\"%s\"", p.coll);
        else if (p.cls && !strchr(p.cls, '"'))
            snprintf(browse, sizeof browse, "class:\"%s\"", p.cls);
        else if (p.from || p.to)
            snprintf(browse, sizeof browse, "date:%s..%s", p.from ? p.from : "", p.to ? p.to : "");
    }
    dc_search_page *pg = NULL;
    int status = 200;
    if (!err && (has_q || *browse)) {
        dc_search_request sr = {.query = has_q ? p.q : browse,
                                .limit = SEARCH_LIMIT,
                                .offset = p.offset,
                                .from = p.from,
                                .to = p.to,
                                .classification = p.cls,
                                .collection = p.coll,
                                .doc_type = p.type,
                                .mark_open = SNIP_OPEN,
                                .mark_close = SNIP_CLOSE};
        dc_rc rc = dc_db_search(req->db, &sr, &pg);
        if (rc) {
            /* copied: the message lives only until the next call on the handle */
            status = dc_http_status_of(req, rc);
            snprintf(errbuf, sizeof errbuf, "%s", dc_db_errmsg(req->db));
            err = errbuf;
        }
    } else if (err) {
        status = 400;
    }
    if (err && status == 200) status = 400;
    resp->status = status;
    dc_buf here; /* where signing in comes back to */
    dc_buf_init(&here, DC_HTTP_MAX_URL);
    if (has_q || *browse) search_url(&here, &p, "&");
    page_begin(req, resp,
               has_q     ? p.q
               : *browse ? "Browse"
                         : "Search",
               "dc-search-page", here.len && !here.rc ? here.p : NULL);
    dc_buf_release(&here);
    dc_buf *b = &resp->body;
    dc_buf_puts(b, "<h1 class=dc-vh>Search</h1>\n");
    search_form(req, b, &p);
    if (err) {
        dc_buf_puts(b, "<p class=dc-error-msg role=alert>");
        esc(b, err);
        dc_buf_puts(b, "</p>\n");
    }
    if (!has_q && !*browse && !err) {
        welcome(req, b);
    } else if (pg) {
        dc_buf_puts(b, "<div class=dc-results-layout>\n<section class=dc-results>\n");
        dc_buf_printf(b, "<p class=dc-total><strong>%llu</strong> document%s</p>\n",
                      (unsigned long long)pg->total, pg->total == 1 ? "" : "s");
        active_filters(b, &p);
        timeline(b, pg, &p);
        if (pg->n_hits) {
            dc_buf_printf(b, "<ol class=dc-hits start=\"%zu\">\n", p.offset + 1);
            for (size_t i = 0; i < pg->n_hits; i++) hit_item(b, &pg->hits[i]);
            dc_buf_puts(b, "</ol>\n");
        } else {
            dc_buf_puts(b, "<p class=dc-none>No documents match.</p>\n");
        }
        pager(b, pg, &p);
        dc_buf_puts(b, "</section>\n");
        facets(b, pg, &p);
        dc_buf_puts(b, "</div>\n");
    }
    page_end(resp);
    dc_search_page_free(pg);
}

/* ---- documents ----------------------------------------------------------- */

/* The id in a path after prefix ("/documents/"), or NULL if none. */
static const char *path_id(const dc_http_req *req, const char *prefix)
{
    size_t n = strlen(prefix);
    if (!req->path || strncmp(req->path, prefix, n) != 0 || !req->path[n]) return NULL;
    return req->path + n;
}

/* A stored document linked from or to the page's document, and how. */
typedef struct ref_group {
    char *id, *title;
    int incoming;
    dc_buf how; /* "Document 237; footnote 6 to Document 237" (escaped) */
} ref_group;

typedef struct refs_ctx {
    ref_group *g;
    size_t n, cap;
    dc_buf unresolved; /* <li> items */
    long n_unresolved;
    dc_rc rc;
} refs_ctx;

/* How a reference reads in words, escaped. */
static void ref_words(dc_buf *b, const dc_ref_link *r)
{
    const char *k = r->kind ? r->kind : "";
    if (strcmp(k, "document") == 0) {
        dc_buf_puts(b, "Document ");
        esc(b, r->target);
    } else if (strcmp(k, "footnote") == 0) {
        if (r->detail) {
            dc_buf_puts(b, strpbrk(r->detail, ", ") ? "footnotes " : "footnote ");
            esc(b, r->detail);
            dc_buf_puts(b, " to ");
        } else {
            dc_buf_puts(b, "a footnote to ");
        }
        dc_buf_puts(b, "Document ");
        esc(b, r->target);
    } else if (strcmp(k, "action") == 0) {
        dc_buf_puts(b, "NSC Action No. ");
        esc(b, r->target);
    } else if (strcmp(k, "file") == 0 || strcmp(k, "volume") == 0) {
        esc(b, k);
        dc_buf_puts(b, " ");
        esc(b, r->target);
    } else {
        if (r->relation) {
            esc(b, r->relation);
            dc_buf_puts(b, " ");
        }
        esc(b, r->target);
    }
}

static dc_rc refs_cb(void *ctx, const dc_ref_link *r)
{
    refs_ctx *x = ctx;
    if (!r->id) {
        if (r->incoming) return DC_OK;
        x->n_unresolved++;
        dc_buf_puts(&x->unresolved, "<li>");
        ref_words(&x->unresolved, r);
        dc_buf_puts(&x->unresolved, "</li>\n");
        return DC_OK;
    }
    size_t i = 0;
    while (i < x->n && !(x->g[i].incoming == !!r->incoming && strcmp(x->g[i].id, r->id) == 0)) i++;
    if (i == x->n) {
        if (x->n == x->cap) {
            size_t cap = x->cap ? 2 * x->cap : 8;
            ref_group *g = realloc(x->g, cap * sizeof *g);
            if (!g) return x->rc = DC_NOMEM;
            x->g = g;
            x->cap = cap;
        }
        ref_group *g = &x->g[x->n];
        g->id = dc_strdup(r->id);
        g->title = dc_strdup(r->title && *r->title ? r->title : r->id);
        g->incoming = !!r->incoming;
        dc_buf_init(&g->how, 64 * 1024);
        x->n++;
        if (!g->id || !g->title) return x->rc = DC_NOMEM;
    }
    if (!r->incoming) {
        ref_group *g = &x->g[i];
        if (g->how.len) dc_buf_puts(&g->how, "; ");
        ref_words(&g->how, r);
    }
    return DC_OK;
}

static void refs_release(refs_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        free(x->g[i].id);
        free(x->g[i].title);
        dc_buf_release(&x->g[i].how);
    }
    free(x->g);
    dc_buf_release(&x->unresolved);
}

/* The linked documents of one direction as a list; 0 if there are none. */
static int refs_list(dc_buf *b, const refs_ctx *x, int incoming)
{
    int any = 0;
    for (size_t i = 0; i < x->n; i++) {
        const ref_group *g = &x->g[i];
        if (g->incoming != incoming) continue;
        if (!any) dc_buf_puts(b, "<ul class=dc-ref-list>\n");
        any = 1;
        dc_buf_puts(b, "<li><a href=\"");
        doc_href(b, "/documents/", g->id);
        dc_buf_puts(b, "\">");
        esc(b, g->title);
        dc_buf_puts(b, "</a> <span class=dc-ref-id>");
        esc(b, g->id);
        dc_buf_puts(b, "</span>");
        if (g->how.len && !g->how.rc) {
            dc_buf_puts(b, " <span class=dc-ref-as>(");
            dc_buf_add(b, g->how.p, g->how.len);
            dc_buf_puts(b, ")</span>");
        }
        dc_buf_puts(b, "</li>\n");
    }
    if (any) dc_buf_puts(b, "</ul>\n");
    return any;
}

/* "released" and the release date, or the status. */
static void release_line(dc_buf *b, const dc_doc *d)
{
    dc_buf_puts(b, "<span class=dc-status>");
    esc(b, d->release_status ? d->release_status : "no release status");
    if (d->release_date) {
        dc_buf_puts(b, " ");
        esc(b, d->release_date);
    }
    dc_buf_puts(b, "</span>");
}

/* A passage found in the document: a link to it, and its snippet. */
static dc_rc find_hit_cb(void *ctx, const dc_find_hit *h)
{
    dc_buf *b = ctx;
    dc_buf_puts(b, "<li><a href=\"#");
    if (h->portion) {
        esc(b, h->portion);
    } else { /* the note's element id (docs/internals/html.md) */
        dc_buf_puts(b, "fn-");
        for (const char *c = h->footnote ? h->footnote : ""; *c; c++)
            dc_buf_putc(b, (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                                   (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'
                               ? *c
                               : '_');
    }
    dc_buf_puts(b, "\">");
    if (h->portion) {
        dc_buf_puts(b, "Passage ");
        esc(b, h->portion);
    } else {
        dc_buf_puts(b, "Note ");
        esc(b, h->label ? h->label : h->footnote ? h->footnote : "");
    }
    dc_buf_printf(b, "</a> <span class=dc-find-n>(%zu match%s)</span> ", h->matches,
                  h->matches == 1 ? "" : "es");
    snippet_html(b, h->snippet);
    dc_buf_puts(b, "</li>\n");
    return b->rc;
}

/* The form to search within the document, and what it found. */
static void find_section(dc_http_req *req, dc_buf *b, const char *id)
{
    const char *q = dc_http_arg(req, "find");
    dc_buf_puts(b, "<form class=dc-find method=get action=\"");
    doc_href(b, "/documents/", id);
    dc_buf_puts(b, "#find\"><label for=find-q>Find in this document</label> "
                   "<input id=find-q type=search name=find value=\"");
    esc(b, q ? q : "");
    dc_buf_puts(b, "\"> <button type=submit>Find</button></form>\n");
    if (!q || !*q) return;
    dc_buf list;
    dc_buf_init(&list, 0);
    size_t n = 0;
    dc_rc rc = dc_db_find(req->db, id, q, SNIP_OPEN, SNIP_CLOSE, find_hit_cb, &list, &n);
    dc_buf_puts(b, "<section class=dc-find-results id=find aria-label=\"Passages found\">\n"
                   "<p class=dc-find-count role=status>");
    if (rc == DC_PARSE) {
        esc(b, dc_db_errmsg(req->db));
    } else if (rc) {
        dc_buf_puts(b, "The search within this document failed.");
    } else if (!n) {
        dc_buf_puts(b, "No passage of this document matches \xE2\x80\x9C");
        esc(b, q);
        dc_buf_puts(b, "\xE2\x80\x9D.");
    } else {
        dc_buf_printf(b, "%zu passage%s match%s \xE2\x80\x9C", n, n == 1 ? "" : "s",
                      n == 1 ? "es" : "");
        esc(b, q);
        dc_buf_puts(b, "\xE2\x80\x9D:");
    }
    dc_buf_puts(b, "</p>\n");
    if (!rc && n) {
        dc_buf_puts(b, "<ol class=dc-find-hits>\n");
        dc_buf_add(b, list.p ? list.p : "", list.len);
        dc_buf_puts(b, "</ol>\n");
    }
    dc_buf_puts(b, "</section>\n");
    if (list.rc) b->rc = list.rc;
    dc_buf_release(&list);
}

/* The page of a document, made from one read snapshot (dc_db_read_begin):
 * the document, its references, neighbours, citations and persons as one
 * state of the database has them. */
static void document_page(dc_http_req *req, dc_http_resp *resp)
{
    const char *id = path_id(req, "/documents/");
    const dc_doc *doc = NULL;
    char *html = NULL;
    /* one read: the HTML and the view its title and release line come from */
    dc_rc rc = id ? dc_db_show_lent(req->db, id, "html", &html, &doc) : DC_NOTFOUND;
    if (rc) {
        /* the same page for a missing and an unreadable document */
        if (rc == DC_NOTFOUND) dc_page_error(req, resp, 404, "There is no document with this id.");
        else dc_page_error(req, resp, dc_http_status_of(req, rc), dc_db_errmsg(req->db));
        return;
    }
    refs_ctx rx = {0};
    dc_buf_init(&rx.unresolved, 0);
    dc_db_refs_view(req->db, doc, refs_cb, &rx);
    const dc_volume *vol = NULL;
    dc_db_volume_lent(req->db, doc, &vol);
    char *meta = NULL;
    dc_db_render(req->db, doc, "highwire", &meta);
    dc_page_begin(req, resp, doc->title && *doc->title ? doc->title : id, "dc-document-page", NULL,
                  meta);
    dc_free(meta);
    dc_buf *b = &resp->body;
    dc_page_doc_trail(b, doc, vol);
    dc_buf_puts(b, "<nav class=dc-doc-tools aria-label=\"Document\">"
                   "<span class=dc-doc-id>");
    esc(b, id);
    dc_buf_puts(b, "</span> ");
    release_line(b, doc);
    dc_buf_puts(b, " <a class=dc-json href=\"");
    doc_href(b, "/api/documents/", id);
    dc_buf_puts(b, "\">JSON</a>");
    if (req->who.roles & (DC_ROLE_REVIEWER | DC_ROLE_ADMIN)) {
        dc_buf_puts(b, " <a class=dc-review-link href=\"");
        doc_href(b, "/review/", id);
        dc_buf_puts(b, "\">Review</a>");
    }
    dc_buf_puts(b, "</nav>\n");
    find_section(req, b, id);
    dc_page_scan(req, b, doc); /* beside the text on a wide screen */
    dc_buf_puts(b, "<div class=dc-reading>\n");
    dc_buf_puts(b, html);
    dc_buf_puts(b, "\n</div>\n");
    dc_page_doc_pager(b, doc, vol);
    dc_page_doc_persons(req, b, doc);
    dc_page_cite_box(req, b, doc);
    dc_buf_puts(b, "<section class=dc-refs>\n");
    dc_buf_puts(b, "<section class=dc-cited-by>\n<h2>Cited by</h2>\n");
    if (!refs_list(b, &rx, 1))
        dc_buf_puts(b, "<p class=dc-none>No document in the reading room cites this one.</p>\n");
    dc_buf_puts(b, "</section>\n<section class=dc-references>\n<h2>References</h2>\n");
    int any = refs_list(b, &rx, 0);
    if (rx.n_unresolved) {
        dc_buf_printf(b, "<p class=dc-ref-other>%s</p>\n<ul class=dc-ref-unresolved>\n",
                      any ? "Also cited, not in the reading room:" : "Not in the reading room:");
        dc_buf_add(b, rx.unresolved.p ? rx.unresolved.p : "", rx.unresolved.len);
        dc_buf_puts(b, "</ul>\n");
    } else if (!any) {
        dc_buf_puts(b, "<p class=dc-none>This document cites no other record.</p>\n");
    }
    dc_buf_puts(b, "</section>\n</section>\n");
    if (rx.rc || rx.unresolved.rc) b->rc = rx.rc ? rx.rc : rx.unresolved.rc;
    page_end(resp);
    refs_release(&rx);
    dc_db_volume_return(req->db, vol);
    dc_free(html);
    dc_db_view_return(req->db, doc);
}

void dc_page_document(dc_http_req *req, dc_http_resp *resp)
{
    /* without the snapshot the page is the same, each read on its own */
    int snap = dc_db_read_begin(req->db) == DC_OK;
    document_page(req, resp);
    if (snap) dc_db_read_end(req->db);
}

/* ---- signing in and out --------------------------------------------------- */

static void login_form(dc_http_req *req, dc_buf *b, const char *name, const char *next,
                       const char *msg)
{
    dc_buf_puts(b, "<section class=dc-login>\n<h1>Sign in</h1>\n");
    if (msg) {
        dc_buf_puts(b, "<p class=dc-error-msg role=alert>");
        esc(b, msg);
        dc_buf_puts(b, "</p>\n");
    }
    dc_identity who = dc_db_identity(req->db);
    if (who.signed_in) {
        dc_buf_puts(b, "<p>You are signed in as <strong>");
        esc(b, who.name);
        dc_buf_puts(b, "</strong>. Signing in again replaces that session.</p>\n");
    }
    dc_buf_puts(b, "<form class=dc-login-form method=post action=/login>\n");
    csrf_field(b, req);
    dc_buf_puts(b, "<input type=hidden name=next value=\"");
    esc(b, next);
    dc_buf_puts(b, "\">\n<label>Name <input name=name autocomplete=username required "
                   "autocapitalize=none spellcheck=false value=\"");
    esc(b, name);
    dc_buf_puts(b, "\"></label>\n<label>Password <input type=password name=password "
                   "autocomplete=current-password required></label>\n"
                   "<button type=submit>Sign in</button>\n</form>\n"
                   "<p class=dc-note>The public reads released documents without signing in. "
                   "Accounts are given by the administrator.</p>\n</section>\n");
}

void dc_page_login(dc_http_req *req, dc_http_resp *resp)
{
    const char *next = dc_http_arg(req, "next");
    if (!local_path(next)) next = "/";
    if (strcmp(req->method, "POST") != 0) {
        page_begin(req, resp, "Sign in", "dc-login-page", NULL);
        login_form(req, &resp->body, "", next, NULL);
        page_end(resp);
        return;
    }
    const char *name = dc_http_arg(req, "name");
    const char *password = dc_http_arg(req, "password");
    unsigned retry = 0;
    dc_rc rc = name && *name && password && *password
                   ? dc_http_login(req, resp, name, password, &retry)
                   : DC_DENIED;
    if (rc == DC_OK) {
        dc_http_redirect(resp, next);
        return;
    }
    char msg[128];
    if (rc == DC_LIMIT) {
        resp->status = 429;
        unsigned r = retry ? retry : 1;
        char ra[24];
        snprintf(ra, sizeof ra, "%u", r);
        dc_http_resp_header(resp, "Retry-After", ra);
        snprintf(msg, sizeof msg, "Too many failed sign-ins: try again in %u second%s.", r,
                 r == 1 ? "" : "s");
    } else if (rc == DC_DENIED) {
        resp->status = 401;
        snprintf(msg, sizeof msg, "access denied");
    } else {
        resp->status = dc_http_status_of(req, rc);
        snprintf(msg, sizeof msg, "Cannot sign in: %s", dc_strerror(rc));
    }
    page_begin(req, resp, "Sign in", "dc-login-page", NULL);
    login_form(req, &resp->body, name ? name : "", next, msg);
    page_end(resp);
}

void dc_page_logout(dc_http_req *req, dc_http_resp *resp)
{
    if (strcmp(req->method, "POST") != 0) {
        dc_page_error(req, resp, 405, "Sign out with the button in the page header.");
        dc_http_resp_header(resp, "Allow", "POST");
        return;
    }
    dc_http_logout(req, resp);
    dc_http_redirect(resp, "/");
}

/* ---- review --------------------------------------------------------------- */

/* The exemption codes as options, none selected: the reviewer must choose
 * one (docs/review.md, "Codes"; the 25X, 50X and 75X ones need a date or
 * an event, which the form asks for). */
static void reason_options(dc_buf *b)
{
    dc_buf_puts(b, "<option value=\"\" selected disabled>Choose an exemption</option>");
    static const char *const groups[3][2] = {
        {"25X", "Exempt at 25 years (E.O. 13526 3.3(b); date or event required)"},
        {"50X", "Exempt at 50 years (3.3(h); date or event required)"},
        {"75X", "Exempt at 75 years (3.3(h); date or event required)"}};
    for (int g = 0; g < 3; g++) {
        dc_buf_printf(b, "<optgroup label=\"%s\">", groups[g][1]);
        for (int k = 1; k <= 9; k++) dc_buf_printf(b, "<option>%s%d</option>", groups[g][0], k);
        dc_buf_puts(b, "</optgroup>");
    }
    dc_buf_puts(b, "<optgroup label=\"Without a date\"><option>50X1-HUM</option>"
                   "<option>50X2-WMD</option><option>RD</option><option>FRD</option>"
                   "<option>TFNI</option></optgroup><optgroup label=\"FOIA exemptions\">");
    for (int k = 1; k <= 9; k++) {
        dc_buf_printf(b, "<option>(b)(%d)</option>", k);
        for (char c = 'A'; k == 7 && c <= 'F'; c++)
            dc_buf_printf(b, "<option>(b)(7)(%c)</option>", c);
    }
    dc_buf_puts(b, "</optgroup>");
}

/* The confirmation checkbox of a form changing a released document. */
static void confirm_box(dc_buf *b, int released)
{
    if (released)
        dc_buf_puts(b, "<label class=dc-rv-confirm><input type=checkbox name=confirm value=yes "
                       "required> This document is released: the change is public at once"
                       "</label> ");
}

/* aria-label="ACTION portion ID" (every button names its portion, so a
 * screen reader tells a hundred "Withhold" buttons apart). */
static void button_label(dc_buf *b, const char *action, const char *portion)
{
    dc_buf_printf(b, " aria-label=\"%s portion ", action);
    esc(b, portion);
    dc_buf_puts(b, "\"");
}

static void review_portion(dc_http_req *req, dc_buf *b, const dc_doc *d, const dc_portion *p)
{
    dc_buf_puts(b, "<section class=\"dc-rv-portion");
    if (p->withheld) dc_buf_puts(b, " dc-rv-withheld");
    dc_buf_puts(b, "\" id=\"rv-");
    esc(b, p->id);
    dc_buf_puts(b, "\" data-portion=\"");
    esc(b, p->id);
    dc_buf_puts(b, "\">\n<h2 class=dc-rv-head><span class=dc-rv-id>");
    esc(b, p->id);
    dc_buf_puts(b, "</span> <span class=dc-rv-kind>");
    esc(b, p->kind);
    dc_buf_puts(b, "</span>");
    if (p->label) {
        dc_buf_puts(b, " <span class=dc-rv-label>(");
        esc(b, p->label);
        dc_buf_puts(b, ")</span>");
    }
    if (p->page) {
        dc_buf_puts(b, " <span class=dc-rv-page>page ");
        esc(b, p->page);
        dc_buf_puts(b, "</span>");
    }
    dc_buf_puts(b, "</h2>\n<p class=dc-rv-marking>Marking: <strong>");
    esc(b, p->classification ? p->classification
                             : (d->classification ? d->classification : "UNCLASSIFIED"));
    dc_buf_puts(b, "</strong>");
    if (!p->classification) dc_buf_puts(b, " (the document's)");
    if (p->compartments.n) {
        dc_buf_puts(b, " · compartments: <strong>");
        for (size_t k = 0; k < p->compartments.n; k++) {
            if (k) dc_buf_puts(b, ", ");
            esc(b, p->compartments.v[k]);
        }
        dc_buf_puts(b, "</strong>");
    }
    dc_buf_puts(b, "</p>\n<p class=dc-rv-state>");
    if (p->withheld) {
        dc_buf_puts(b, "<strong class=dc-rv-flag>Withheld</strong> (");
        esc(b, p->withheld_reason ? p->withheld_reason : "no reason recorded");
        dc_buf_puts(b, ")");
    } else {
        dc_buf_puts(b, "Not withheld");
    }
    dc_buf_puts(b, "</p>\n<div class=dc-rv-text>");
    esc(b, p->text);
    dc_buf_puts(b, "</div>\n<div class=dc-rv-forms>\n");
    /* withhold */
    dc_buf_puts(b, "<form class=dc-rv-form method=post action=\"");
    doc_href(b, "/review/", d->id);
    dc_buf_puts(b, "/withhold\">");
    csrf_field(b, req);
    dc_buf_puts(b, "<input type=hidden name=portion value=\"");
    esc(b, p->id);
    dc_buf_puts(b, "\"><label>Text to withhold <input name=text class=dc-rv-span size=24 "
                   "placeholder=\"empty: the whole portion\"></label> <label>Occurrence "
                   "<input name=occurrence type=number min=1 size=3 placeholder=1></label> "
                   "<label>Kind <select name=kind><option value=lines>lines</option>"
                   "<option value=name>name</option><option value=place>place</option>"
                   "<option value=paragraph>paragraph</option></select></label> "
                   "<label>Exemption <select name=reason required>");
    reason_options(b);
    dc_buf_puts(b, "</select></label> <label>Until <input name=until type=date></label> "
                   "<label>or event <input name=event size=16></label> <label>Agency "
                   "<input name=agency size=6></label> ");
    int released = d->release_status && strcmp(d->release_status, "released") == 0;
    confirm_box(b, released);
    dc_buf_puts(b, "<button type=submit");
    button_label(b, "Withhold in", p->id);
    dc_buf_puts(b, ">");
    dc_buf_puts(b, p->withheld ? "Withhold again" : "Withhold");
    dc_buf_puts(b, "</button></form>\n");
    /* mark */
    dc_buf_puts(b, "<form class=dc-rv-form method=post action=\"");
    doc_href(b, "/review/", d->id);
    dc_buf_puts(b, "/mark\">");
    csrf_field(b, req);
    dc_buf_puts(b, "<input type=hidden name=portion value=\"");
    esc(b, p->id);
    dc_buf_puts(b, "\"><label>Classification <select name=classification>");
    int cur = dc_marking_level(p->classification ? p->classification : d->classification);
    for (int i = 0; i < 4; i++)
        dc_buf_printf(b, "<option value=\"%s\"%s>%s</option>", levels[i],
                      cur == i ? " selected" : "", levels[i]);
    dc_buf_puts(b, "</select></label> <label>Compartments <input name=compartments size=16 "
                   "placeholder=\"e.g. ANNEX-F\" value=\"");
    for (size_t k = 0; k < p->compartments.n; k++) {
        if (k) dc_buf_puts(b, ", ");
        esc(b, p->compartments.v[k]);
    }
    dc_buf_puts(b, "\"></label> ");
    confirm_box(b, released);
    dc_buf_puts(b, "<button type=submit");
    button_label(b, "Mark", p->id);
    dc_buf_puts(b, ">Mark</button></form>\n</div>\n</section>\n");
}

/* The message for ?done=...&v=N after a review action. */
static void done_message(dc_http_req *req, dc_buf *b)
{
    const char *done = dc_http_arg(req, "done");
    if (!done || !*done) return;
    const char *what = NULL, *portion = NULL;
    if (strncmp(done, "withheld-", 9) == 0) {
        what = "withheld";
        portion = done + 9;
    } else if (strncmp(done, "marked-", 7) == 0) {
        what = "marked";
        portion = done + 7;
    } else if (strcmp(done, "released") == 0) {
        what = "released";
    } else if (strncmp(done, "lifted-", 7) == 0) {
        what = "lifted";
    } else {
        return;
    }
    dc_buf_puts(b, "<p class=dc-status-msg role=status>");
    if (strcmp(what, "lifted") == 0) {
        dc_buf_puts(b, "Withholding <strong>");
        esc(b, done + 7);
        dc_buf_puts(b, "</strong> lifted: it is published at the next release.");
    } else if (portion) {
        dc_buf_puts(b, "Portion <strong>");
        esc(b, portion);
        dc_buf_printf(b, "</strong> %s.", what);
    } else {
        dc_buf_puts(b, "Document released.");
    }
    long v = parse_offset(dc_http_arg(req, "v"));
    if (v > 0) dc_buf_printf(b, " Now version %ld.", v);
    dc_buf_puts(b, "</p>\n");
}

/* ---- the review page's tables: withholdings, releases, a diff ----------- */

typedef struct rv_table {
    dc_http_req *req;
    dc_buf *b;
    const dc_doc *d;
    int released, n;
} rv_table;

static void cell(dc_buf *b, const char *s)
{
    dc_buf_puts(b, "<td>");
    esc(b, s && *s ? s : "–");
    dc_buf_puts(b, "</td>");
}

/* One row of the withholdings table, with a Lift form (no script needed)
 * while the withholding hides. */
static dc_rc withholding_tr(void *ctx, const dc_withholding *w)
{
    rv_table *t = ctx;
    dc_buf *b = t->b;
    t->n++;
    dc_buf_puts(b, "<tr class=\"dc-rv-w");
    if (w->status && strcmp(w->status, "orphaned") == 0) dc_buf_puts(b, " dc-rv-orphaned");
    dc_buf_puts(b, "\" id=\"w-");
    esc(b, w->id);
    dc_buf_puts(b, "\"><th scope=row>");
    esc(b, w->id);
    dc_buf_puts(b, "</th>");
    cell(b, w->target);
    dc_buf_puts(b, "<td class=dc-rv-span>");
    if (w->text) {
        dc_buf_puts(b, "<q>");
        esc(b, w->text);
        dc_buf_puts(b, "</q>");
    } else {
        dc_buf_puts(b, "<span class=dc-note>not yours to read</span>");
    }
    if (w->whole) dc_buf_puts(b, " <span class=dc-note>(whole)</span>");
    dc_buf_puts(b, "</td>");
    cell(b, w->kind);
    cell(b, w->code);
    cell(b, w->agency);
    cell(b, w->until ? w->until : w->event);
    cell(b, w->reviewer);
    dc_buf_puts(b, "<td>");
    if (w->at) {
        dc_buf_puts(b, "<time datetime=\"");
        esc(b, w->at);
        dc_buf_puts(b, "\">");
        esc(b, w->at);
        dc_buf_puts(b, "</time>");
    } else {
        dc_buf_puts(b, "–");
    }
    dc_buf_puts(b, "</td><td class=dc-rv-wstatus>");
    esc(b, w->status ? w->status : "withheld");
    if (w->lifted_by) {
        dc_buf_puts(b, " <span class=dc-note>by ");
        esc(b, w->lifted_by);
        if (w->note) {
            dc_buf_puts(b, ": ");
            esc(b, w->note);
        }
        dc_buf_puts(b, "</span>");
    }
    dc_buf_puts(b, "</td><td>");
    int hides =
        !w->status || strcmp(w->status, "withheld") == 0 || strcmp(w->status, "orphaned") == 0;
    if (hides) {
        dc_buf_puts(b, "<form class=\"dc-rv-form dc-rv-lift\" method=post action=\"");
        doc_href(b, "/review/", t->d->id);
        dc_buf_puts(b, "/lift\">");
        csrf_field(b, t->req);
        dc_buf_puts(b, "<input type=hidden name=withholding value=\"");
        esc(b, w->id);
        dc_buf_puts(b, "\"><label>Why <input name=note required size=14></label> ");
        confirm_box(b, t->released);
        dc_buf_puts(b, "<button type=submit aria-label=\"Lift withholding ");
        esc(b, w->id);
        dc_buf_puts(b, " in portion ");
        esc(b, w->target);
        dc_buf_puts(b, "\">Lift</button></form>");
    }
    dc_buf_puts(b, "</td></tr>\n");
    return b->rc;
}

static void withholdings_table(dc_http_req *req, dc_buf *b, const dc_doc *d, int released)
{
    dc_buf_puts(b, "<section class=dc-rv-withholdings aria-labelledby=rv-wh>\n<h2 id=rv-wh>"
                   "Withholdings</h2>\n<table class=dc-rv-wtable><thead><tr>"
                   "<th scope=col>Id</th><th scope=col>Portion</th><th scope=col>Text</th>"
                   "<th scope=col>Kind</th><th scope=col>Code</th><th scope=col>Agency</th>"
                   "<th scope=col>Until / event</th><th scope=col>Reviewer</th>"
                   "<th scope=col>Time</th><th scope=col>Status</th>"
                   "<th scope=col>Lift</th></tr></thead>\n<tbody>\n");
    rv_table t = {req, b, d, released, 0};
    dc_rc rc = dc_db_withholdings(req->db, d->id, withholding_tr, &t);
    dc_buf_puts(b, "</tbody></table>\n");
    if (rc) {
        dc_buf_puts(b, "<p class=dc-error-msg role=alert>");
        esc(b, dc_db_errmsg(req->db));
        dc_buf_puts(b, "</p>\n");
    } else if (!t.n) {
        dc_buf_puts(b, "<p class=dc-note>Nothing is withheld.</p>\n");
    }
    dc_buf_puts(b, "</section>\n");
}

static dc_rc release_tr(void *ctx, const dc_release_info *r)
{
    rv_table *t = ctx;
    dc_buf *b = t->b;
    t->n++;
    dc_buf_printf(b, "<tr><th scope=row>%d</th><td>%d</td><td>", r->release, r->version);
    esc(b, r->at ? r->at : "–");
    dc_buf_puts(b, "</td>");
    cell(b, r->by);
    cell(b, r->source);
    dc_buf_puts(b, "<td>");
    if (r->release > 1) {
        dc_buf_puts(b, "<a href=\"");
        doc_href(b, "/review/", t->d->id);
        dc_buf_printf(b, "?diff=%d#rv-diff\">Changes since release %d</a>", r->release,
                      r->release - 1);
    }
    dc_buf_puts(b, "</td></tr>\n");
    return b->rc;
}

static dc_rc diff_li(void *ctx, const dc_diff_entry *e)
{
    rv_table *t = ctx;
    dc_buf *b = t->b;
    t->n++;
    dc_buf_puts(b, "<li class=\"dc-rv-change dc-rv-");
    esc(b, e->change);
    dc_buf_puts(b, "\"><strong>");
    esc(b, e->change);
    dc_buf_puts(b, "</strong> ");
    esc(b, e->target);
    if (e->withholding) {
        dc_buf_puts(b, " (");
        esc(b, e->withholding);
        dc_buf_puts(b, ")");
    }
    if (e->text) {
        dc_buf_puts(b, ": <q>");
        esc(b, e->text);
        dc_buf_puts(b, "</q>");
    }
    if (e->notice) {
        dc_buf_puts(b, ": ");
        esc(b, e->notice);
    }
    if (e->code) {
        dc_buf_puts(b, " <span class=dc-note>");
        esc(b, e->code);
        dc_buf_puts(b, "</span>");
    }
    dc_buf_puts(b, "</li>\n");
    return b->rc;
}

/* The release history, each with a link to what changed since the one
 * before; with ?diff=N the changes of release N. */
static void releases_section(dc_http_req *req, dc_buf *b, const dc_doc *d)
{
    dc_buf_puts(b, "<section class=dc-rv-releases aria-labelledby=rv-rel>\n<h2 id=rv-rel>"
                   "Releases</h2>\n<table class=dc-rv-rtable><thead><tr>"
                   "<th scope=col>Release</th><th scope=col>Version</th><th scope=col>Time</th>"
                   "<th scope=col>By</th><th scope=col>Made by</th><th scope=col>Diff</th>"
                   "</tr></thead>\n<tbody>\n");
    rv_table t = {req, b, d, 0, 0};
    dc_rc rc = dc_db_releases(req->db, d->id, release_tr, &t);
    dc_buf_puts(b, "</tbody></table>\n");
    if (!rc && !t.n) dc_buf_puts(b, "<p class=dc-note>Not released yet.</p>\n");
    long n = parse_offset(dc_http_arg(req, "diff"));
    if (!rc && n > 1 && n <= 1000000) {
        dc_buf_printf(b,
                      "<h3 id=rv-diff>Changes in release %ld since release %ld</h3>\n<ul "
                      "class=dc-rv-diff>\n",
                      n, n - 1);
        t.n = 0;
        rc = dc_db_diff(req->db, d->id, (int)n, 0, diff_li, &t);
        dc_buf_puts(b, "</ul>\n");
        if (!rc && !t.n) dc_buf_puts(b, "<p class=dc-note>No change.</p>\n");
    }
    if (rc) {
        dc_buf_puts(b, "<p class=dc-error-msg role=alert>");
        esc(b, dc_db_errmsg(req->db));
        dc_buf_puts(b, "</p>\n");
    }
    dc_buf_puts(b, "</section>\n");
}

/* The review page of id, with an error message (status set) or the done
 * message of the last action. */
static void review_page(dc_http_req *req, dc_http_resp *resp, const char *id, int status,
                        const char *err)
{
    dc_doc *d = NULL;
    dc_rc rc = dc_db_get(req->db, id, &d);
    if (rc) {
        if (rc == DC_NOTFOUND) dc_page_error(req, resp, 404, "There is no document with this id.");
        else dc_page_error(req, resp, dc_http_status_of(req, rc), dc_db_errmsg(req->db));
        return;
    }
    resp->status = status;
    dc_buf title;
    dc_buf_init(&title, 4096);
    dc_buf_puts(&title, "Review: ");
    dc_buf_puts(&title, d->title ? d->title : id);
    page_begin(req, resp, title.rc ? "Review" : title.p, "dc-review-page", NULL);
    dc_buf_release(&title);
    dc_buf *b = &resp->body;
    dc_buf_puts(b, "<h1 class=dc-rv-title>Review: ");
    esc(b, d->title ? d->title : id);
    dc_buf_puts(b, "</h1>\n<p class=dc-rv-meta><span class=dc-doc-id>");
    esc(b, d->id);
    dc_buf_puts(b, "</span> · marked <strong>");
    esc(b, d->classification ? d->classification : "UNCLASSIFIED");
    dc_buf_puts(b, "</strong> · ");
    release_line(b, d);
    dc_buf_puts(b, " · <a href=\"");
    doc_href(b, "/documents/", d->id);
    dc_buf_puts(b, "\">Reading view</a></p>\n<div class=dc-rv-messages aria-live=polite>");
    if (err) {
        dc_buf_puts(b, "<p class=dc-error-msg role=alert>");
        esc(b, err);
        dc_buf_puts(b, "</p>\n");
    } else {
        done_message(req, b);
    }
    int released = d->release_status && strcmp(d->release_status, "released") == 0;
    dc_buf_puts(b, "</div>\n<form class=\"dc-rv-form dc-rv-release\" method=post action=\"");
    doc_href(b, "/review/", d->id);
    dc_buf_puts(b, "/release\">");
    csrf_field(b, req);
    confirm_box(b, released);
    dc_buf_puts(b, "<button type=submit aria-label=\"Release the document\">Release</button> "
                   "<span class=dc-note>Publishes the "
                   "document as it stands: everything not withheld becomes public.</span>"
                   "</form>\n");
    withholdings_table(req, b, d, released);
    releases_section(req, b, d);
    dc_buf_puts(b, "<div class=dc-rv-portions>\n");
    for (size_t i = 0; i < d->n_portions; i++) review_portion(req, b, d, &d->portions[i]);
    dc_buf_puts(b, "</div>\n");
    page_end(resp);
    dc_doc_free(d);
}

/* Splits "A, B C" into at most MAX_COMPARTMENTS words of buf (changed). */
static size_t split_compartments(char *buf, const char **out)
{
    size_t n = 0;
    char *p = buf;
    while (*p && n < MAX_COMPARTMENTS) {
        p += strspn(p, ", \t\r\n");
        if (!*p) break;
        size_t len = strcspn(p, ", \t\r\n");
        out[n++] = p;
        if (!p[len]) break;
        p[len] = '\0';
        p += len + 1;
    }
    return n;
}

/* Runs one review action; DC_OK and *loc (a redirect target) on success. */
static dc_rc review_action(dc_http_req *req, const char *id, const char *action, dc_buf *loc)
{
    const char *portion = dc_http_arg(req, "portion");
    int version = 0;
    dc_rc rc;
    const char *done;
    if (strcmp(action, "withhold") == 0) {
        dc_withhold_spec sp = {.id = id,
                               .target = portion,
                               .code = dc_http_arg(req, "reason"),
                               .text = dc_http_nonempty(dc_http_arg(req, "text")),
                               .kind = dc_http_nonempty(dc_http_arg(req, "kind")),
                               .agency = dc_http_nonempty(dc_http_arg(req, "agency")),
                               .until = dc_http_nonempty(dc_http_arg(req, "until")),
                               .event = dc_http_nonempty(dc_http_arg(req, "event"))};
        const char *occ = dc_http_nonempty(dc_http_arg(req, "occurrence"));
        sp.occurrence = occ ? (int)strtol(occ, NULL, 10) : 0;
        if (sp.occurrence < 0 || sp.occurrence > 1000000) sp.occurrence = -1;
        rc = dc_db_withhold_span(req->db, &sp, NULL, 0, &version);
        done = "withheld-";
    } else if (strcmp(action, "mark") == 0) {
        const char *c = dc_http_arg(req, "compartments");
        char *copy = dc_strdup(c ? c : "");
        if (!copy) return DC_NOMEM;
        const char *comps[MAX_COMPARTMENTS];
        size_t n = split_compartments(copy, comps);
        rc = dc_db_mark(req->db, id, portion, dc_http_arg(req, "classification"), comps, n,
                        &version);
        free(copy);
        done = "marked-";
    } else if (strcmp(action, "lift") == 0) {
        portion = dc_http_arg(req, "withholding");
        const char *note = dc_http_nonempty(dc_http_arg(req, "note"));
        if (!note) return DC_MISUSE; /* the caller says what is missing */
        rc = dc_db_lift(req->db, id, portion, note, &version);
        done = "lifted-";
    } else {
        rc = dc_db_release(req->db, id, &version);
        done = "released";
        portion = NULL;
    }
    if (rc) return rc;
    doc_href(loc, "/review/", id);
    dc_buf_printf(loc, "?done=%s", done);
    if (portion) dc_http_url_encode(loc, portion, 0);
    dc_buf_printf(loc, "&v=%d", version);
    return loc->rc;
}

/* 1 if a change of id may go ahead: the document is not released, or the
 * form confirmed changing a released one (the page's checkbox; a client
 * without the page sends confirm=yes itself).  The API's rule. */
static int confirmed(dc_http_req *req, const char *id)
{
    return !dc_http_needs_confirm(req, id, dc_http_confirm_value(dc_http_arg(req, "confirm")));
}

static dc_rc queue_row(void *ctx, const dc_review_info *r)
{
    dc_buf *b = ctx;
    dc_buf_puts(b, "<tr><td><a href=\"");
    doc_href(b, "/review/", r->id);
    dc_buf_puts(b, "\">");
    esc(b, r->id);
    dc_buf_puts(b, "</a></td><td>");
    esc(b, r->state);
    dc_buf_puts(b, "</td><td>");
    esc(b, r->kind);
    dc_buf_puts(b, "</td><td>");
    esc(b, r->received);
    dc_buf_puts(b, "</td><td><time datetime=\"");
    esc(b, r->due);
    dc_buf_puts(b, "\">");
    esc(b, r->due);
    dc_buf_puts(b, "</time></td></tr>\n");
    return b->rc;
}

void dc_page_review_queue(dc_http_req *req, dc_http_resp *resp)
{
    if (!req->who.signed_in || !(req->who.roles & (DC_ROLE_REVIEWER | DC_ROLE_ADMIN))) {
        dc_page_error(req, resp, req->who.signed_in ? 403 : 401,
                      "Sign in as a reviewer to see the review queue.");
        return;
    }
    page_begin(req, resp, "Review queue", "dc-review-page", NULL);
    dc_buf *b = &resp->body;
    dc_buf_puts(b, "<h1>Review queue</h1>\n<table class=dc-rv-queue><caption>Requests by due "
                   "date (mandatory review: 180 days; FRUS: 120 days)</caption>\n<thead><tr>"
                   "<th scope=col>Document</th><th scope=col>State</th><th scope=col>Kind</th>"
                   "<th scope=col>Received</th><th scope=col>Due</th></tr></thead>\n<tbody>\n");
    dc_rc rc = dc_db_review_list(req->db, NULL, queue_row, b);
    dc_buf_puts(b, "</tbody></table>\n");
    if (rc) {
        dc_buf_puts(b, "<p class=dc-error-msg role=alert>");
        esc(b, dc_db_errmsg(req->db));
        dc_buf_puts(b, "</p>\n");
    }
    page_end(resp);
}

void dc_page_review(dc_http_req *req, dc_http_resp *resp)
{
    const char *rest = path_id(req, "/review/");
    int post = strcmp(req->method, "POST") == 0;
    char *id = NULL;
    const char *action = NULL;
    if (rest && post) {
        const char *slash = strrchr(rest, '/');
        if (slash && slash > rest &&
            (strcmp(slash + 1, "withhold") == 0 || strcmp(slash + 1, "mark") == 0 ||
             strcmp(slash + 1, "release") == 0 || strcmp(slash + 1, "lift") == 0)) {
            action = slash + 1;
            id = dc_strndup(rest, (size_t)(slash - rest));
        }
    } else if (rest) {
        id = dc_strdup(rest);
    }
    if (!id && rest && (action || !post)) {
        dc_page_error(req, resp, 500, "out of memory");
        return;
    }
    if (!id) {
        dc_page_error(req, resp, 404,
                      rest && post ? "No such review action."
                                   : "There is no document with this id.");
        return;
    }
    if (!req->who.signed_in) {
        if (post) {
            dc_page_error(req, resp, 401, "Sign in as a reviewer to review documents.");
        } else {
            dc_buf loc;
            dc_buf_init(&loc, DC_HTTP_MAX_URL);
            dc_buf_puts(&loc, "/login?next=");
            dc_http_url_encode(&loc, req->path, 1);
            if (loc.rc) dc_page_error(req, resp, 401, "Sign in as a reviewer to review documents.");
            else dc_http_redirect(resp, loc.p);
            dc_buf_release(&loc);
        }
        free(id);
        return;
    }
    if (!(req->who.roles & (DC_ROLE_REVIEWER | DC_ROLE_ADMIN))) {
        dc_page_error(req, resp, 403, "Only reviewers may review documents.");
        free(id);
        return;
    }
    if (!post) {
        review_page(req, resp, id, 200, NULL);
        free(id);
        return;
    }
    /* a bad code is said first (400), then the missing confirmation */
    char why[1024];
    int bad_code = strcmp(action, "withhold") == 0 &&
                   dc_reason_check(dc_http_arg(req, "reason"),
                                   dc_http_nonempty(dc_http_arg(req, "until")),
                                   dc_http_nonempty(dc_http_arg(req, "event")), why, sizeof why);
    if (strcmp(action, "lift") == 0 && !dc_http_nonempty(dc_http_arg(req, "note"))) {
        review_page(req, resp, id, 400, "Say why the withholding is lifted (the note).");
        free(id);
        return;
    }
    if (!bad_code && !confirmed(req, id)) {
        review_page(req, resp, id, 409, "This document is released: changing it changes the "
                                        "public record at once. Tick the confirmation and "
                                        "submit again.");
        free(id);
        return;
    }
    dc_buf loc;
    dc_buf_init(&loc, DC_HTTP_MAX_URL);
    dc_rc rc = review_action(req, id, action, &loc);
    if (rc == DC_OK) {
        dc_http_redirect(resp, loc.p);
    } else {
        /* the message is the library's: it names only what the reviewer sent */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", rc == DC_NOMEM ? "out of memory" : dc_db_errmsg(req->db));
        review_page(req, resp, id, dc_http_status_of(req, rc), msg);
    }
    dc_buf_release(&loc);
    free(id);
}
