/*
 * The reading room: volumes.  A volume's page (/volumes/ID: its title,
 * editors, publication, front matter, table of contents and back matter,
 * as the reader may read them: dc_db_volume), and what a document page
 * shows of its volume: the trail above it, the previous and next
 * documents below it, and the Cite box.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"
#include "banned.h"

#define esc dc_page_esc

static const char *entry_label(const dc_volume_entry *e)
{
    return e->title && *e->title ? e->title : e->id ? e->id : e->xml_id;
}

static const char *volume_name(const dc_volume *v)
{
    return v->title && *v->title ? v->title : v->id;
}

/* A document of the contents as a link: "N. Title". */
static void doc_link(dc_buf *b, const dc_volume_entry *e, const char *rel)
{
    dc_buf_puts(b, "<a href=\"");
    dc_page_doc_href(b, "/documents/", e->id);
    dc_buf_puts(b, "\"");
    if (rel) dc_buf_printf(b, " rel=%s", rel);
    dc_buf_puts(b, ">");
    if (e->number) {
        dc_buf_puts(b, "<span class=dc-toc-n>");
        esc(b, e->number);
        dc_buf_puts(b, ".</span> ");
    }
    esc(b, entry_label(e));
    dc_buf_puts(b, "</a>");
}

void dc_page_doc_trail(dc_buf *b, const dc_doc *doc, const dc_volume *vol)
{
    long i = vol ? dc_volume_find(vol, doc->id) : -1;
    if (i < 0) return;
    long up[16];
    int n = 0;
    for (long k = dc_volume_parent(vol, i); k >= 0 && n < 16; k = dc_volume_parent(vol, k))
        up[n++] = k;
    dc_buf_puts(b, "<nav class=dc-trail aria-label=\"Volume\"><ol>\n<li><a href=\"");
    dc_page_doc_href(b, "/volumes/", vol->id);
    dc_buf_puts(b, "\">");
    esc(b, volume_name(vol));
    dc_buf_puts(b, "</a></li>\n");
    while (n-- > 0) {
        const dc_volume_entry *e = &vol->entries[up[n]];
        dc_buf_puts(b, "<li><a href=\"");
        dc_page_doc_href(b, "/volumes/", vol->id);
        dc_buf_puts(b, "#");
        esc(b, e->xml_id);
        dc_buf_puts(b, "\">");
        esc(b, e->head ? e->head : e->xml_id);
        dc_buf_puts(b, "</a></li>\n");
    }
    const dc_volume_entry *me = &vol->entries[i];
    dc_buf_puts(b, "<li aria-current=page>");
    if (me->number) {
        dc_buf_puts(b, "Document ");
        esc(b, me->number);
    } else {
        esc(b, entry_label(me));
    }
    dc_buf_puts(b, "</li>\n</ol></nav>\n");
}

void dc_page_doc_pager(dc_buf *b, const dc_doc *doc, const dc_volume *vol)
{
    long i = vol ? dc_volume_find(vol, doc->id) : -1;
    if (i < 0) return;
    long prev = dc_volume_step(vol, i, -1), next = dc_volume_step(vol, i, 1);
    if (prev < 0 && next < 0) return;
    dc_buf_puts(b, "<nav class=dc-doc-pager aria-label=\"Previous and next document\">\n");
    if (prev >= 0) {
        dc_buf_puts(b, "<p class=dc-prev>Previous: ");
        doc_link(b, &vol->entries[prev], "prev");
        dc_buf_puts(b, "</p>\n");
    }
    if (next >= 0) {
        dc_buf_puts(b, "<p class=dc-next>Next: ");
        doc_link(b, &vol->entries[next], "next");
        dc_buf_puts(b, "</p>\n");
    }
    dc_buf_puts(b, "</nav>\n");
}

/* One rendering of the view for the Cite box, or nothing. */
static void cite_as(dc_http_req *req, dc_buf *b, const dc_doc *doc, const char *format,
                    const char *open, const char *close)
{
    char *s = NULL;
    if (dc_db_render(req->db, doc, format, &s) != DC_OK || !s) return;
    dc_buf_puts(b, open);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '\n') n--;
    s[n] = '\0';
    esc(b, s);
    dc_buf_puts(b, close);
    dc_free(s);
}

/* The volume (or book) as a whole cited, for its page: Chicago, BibTeX
 * (@book) and RIS, from its header only. */
static void volume_cite_box(dc_buf *b, const dc_volume *v)
{
    static const char *const fmts[][4] = {
        {"cite", "Chicago", "<p class=dc-cite-chicago>", "</p>\n"},
        {"bibtex", "BibTeX", "<pre class=dc-cite-bibtex>", "</pre>\n"},
        {"ris", "RIS", "<pre class=dc-cite-ris>", "</pre>\n"}};
    dc_buf_puts(b, "<details class=dc-cite id=cite>\n<summary>Cite this volume</summary>\n");
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        char *s = NULL;
        if (dc_volume_cite(v, fmts[i][0], &s) != DC_OK || !s) continue;
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == '\n') n--;
        s[n] = '\0';
        dc_buf_printf(b, "<h2 class=dc-cite-h>%s</h2>\n%s", fmts[i][1], fmts[i][2]);
        esc(b, s);
        dc_buf_puts(b, fmts[i][3]);
        dc_free(s);
    }
    dc_buf_puts(b, "</details>\n");
}

void dc_page_cite_box(dc_http_req *req, dc_buf *b, const dc_doc *doc)
{
    dc_buf_puts(b, "<details class=dc-cite id=cite>\n<summary>Cite this document</summary>\n"
                   "<h2 class=dc-cite-h>Chicago</h2>\n");
    cite_as(req, b, doc, "cite", "<p class=dc-cite-chicago>", "</p>\n");
    dc_buf_puts(b, "<h2 class=dc-cite-h>BibTeX</h2>\n");
    cite_as(req, b, doc, "bibtex", "<pre class=dc-cite-bibtex>", "</pre>\n");
    dc_buf_puts(b, "<h2 class=dc-cite-h>RIS</h2>\n");
    cite_as(req, b, doc, "ris", "<pre class=dc-cite-ris>", "</pre>\n");
    dc_buf_puts(b, "<p class=dc-cite-get>Download: ");
    static const char *const fmts[][2] = {
        {"bibtex", "BibTeX"}, {"ris", "RIS"}, {"cite", "Chicago (text)"}};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        dc_buf_puts(b, i ? " · <a href=\"" : "<a href=\"");
        dc_page_doc_href(b, "/api/documents/", doc->id);
        dc_buf_printf(b, "?format=%s\" download>%s</a>", fmts[i][0], fmts[i][1]);
    }
    dc_buf_puts(b, "</p>\n");
    dc_buf url;
    dc_buf_init(&url, 4096);
    if (dc_doc_source_url(doc, &url) && !url.rc) {
        dc_buf_puts(b, "<p class=dc-source-link><a href=\"");
        esc(b, url.p);
        dc_buf_puts(b, "\">This document on the Office of the Historian's site</a></p>\n");
    }
    dc_buf_release(&url);
    dc_buf_puts(b, "</details>\n");
}

/* The documents of one part of the volume as a list. */
static void part_list(dc_buf *b, const dc_volume *v, const char *part, const char *title,
                      const char *cls)
{
    int any = 0;
    for (size_t i = 0; i < v->n_entries; i++) {
        const dc_volume_entry *e = &v->entries[i];
        if (strcmp(e->part, part) != 0 || strcmp(e->kind, "document") != 0) continue;
        if (!any++) dc_buf_printf(b, "<section class=%s>\n<h2>%s</h2>\n<ul>\n", cls, title);
        dc_buf_puts(b, "<li>");
        doc_link(b, e, NULL);
        dc_buf_puts(b, "</li>\n");
    }
    if (any) dc_buf_puts(b, "</ul>\n</section>\n");
}

/* The body's contents: each division a heading (h3 and down, its id its
 * xml:id, for the trail's links), its documents an ordered list. */
static void contents(dc_buf *b, const dc_volume *v)
{
    dc_buf_puts(b, "<section class=dc-toc aria-labelledby=toc-h>\n<h2 id=toc-h>Contents</h2>\n");
    int open = 0, any = 0;
    for (size_t i = 0; i < v->n_entries; i++) {
        const dc_volume_entry *e = &v->entries[i];
        if (strcmp(e->part, "body") != 0) continue;
        any = 1;
        if (!strcmp(e->kind, "division")) {
            if (open) dc_buf_puts(b, "</ol>\n");
            open = 0;
            int h = 3 + e->level > 6 ? 6 : 3 + e->level;
            dc_buf_printf(b, "<h%d class=\"dc-toc-div dc-toc-l%d\" id=\"", h, e->level);
            esc(b, e->xml_id);
            dc_buf_puts(b, "\">");
            esc(b, e->head ? e->head : e->xml_id);
            dc_buf_printf(b, "</h%d>\n", h);
            continue;
        }
        if (!open) dc_buf_puts(b, "<ol class=dc-toc-docs>\n");
        open = 1;
        dc_buf_puts(b, "<li class=dc-toc-doc>");
        doc_link(b, e, NULL);
        if (e->date) {
            dc_buf_puts(b, " <span class=dc-toc-date>");
            esc(b, e->date);
            dc_buf_puts(b, "</span>");
        }
        dc_buf_puts(b, "</li>\n");
    }
    if (open) dc_buf_puts(b, "</ol>\n");
    if (!any) dc_buf_puts(b, "<p class=dc-none>No document of the body is readable.</p>\n");
    dc_buf_puts(b, "</section>\n");
}

/* The volume's person index: its listed persons named by a readable
 * document, each a link to the person's page with the count. */
typedef struct pindex {
    dc_buf *b;
    const char *vol;
    long n;
} pindex;

static dc_rc pindex_cb(void *ctx, const dc_person_info *p)
{
    pindex *x = ctx;
    if (!p->collection || !p->xml_id || strcmp(p->collection, x->vol) != 0) return DC_OK;
    if (!x->n++)
        dc_buf_puts(x->b, "<section class=dc-vol-persons aria-labelledby=persons-h>\n"
                          "<h2 id=persons-h>Persons</h2>\n<ul>\n");
    dc_buf_puts(x->b, "<li><a href=\"/persons/");
    dc_http_url_encode(x->b, p->collection, 0);
    dc_buf_putc(x->b, '/');
    dc_http_url_encode(x->b, p->xml_id, 0);
    dc_buf_puts(x->b, "\">");
    esc(x->b, p->name);
    dc_buf_printf(x->b, "</a> <span class=dc-count>%ld document%s</span></li>\n", p->n_documents,
                  p->n_documents == 1 ? "" : "s");
    return DC_OK;
}

void dc_page_volume(dc_http_req *req, dc_http_resp *resp)
{
    const char *id = req->path + strlen("/volumes/");
    dc_volume *v = NULL;
    dc_rc rc = *id ? dc_db_volume(req->db, id, &v) : DC_NOTFOUND;
    if (rc) {
        if (rc == DC_NOTFOUND || rc == DC_MISUSE)
            dc_page_error(req, resp, 404, "There is no volume with this id.");
        else dc_page_error(req, resp, dc_http_status_of(req, rc), dc_db_errmsg(req->db));
        return;
    }
    dc_page_begin(req, resp, volume_name(v), "dc-volume-page", NULL, NULL);
    dc_buf *b = &resp->body;
    dc_buf_puts(b, "<article class=dc-volume>\n<header class=dc-vol-head>\n<h1>");
    esc(b, volume_name(v));
    dc_buf_puts(b, "</h1>\n");
    if (v->editors.n) {
        dc_buf_puts(b, "<p class=dc-vol-editors>");
        for (size_t i = 0; i < v->editors.n; i++) {
            const char *role = i < v->editor_roles.n ? v->editor_roles.v[i] : "";
            if (i) dc_buf_puts(b, "; ");
            dc_buf_puts(b, !strcmp(role, "general") ? "General editor: " : "Editor: ");
            esc(b, v->editors.v[i]);
        }
        dc_buf_puts(b, "</p>\n");
    }
    if (v->publisher || v->pub_date) {
        dc_buf_puts(b, "<p class=dc-vol-pub>");
        if (v->pub_place) {
            esc(b, v->pub_place);
            dc_buf_puts(b, ": ");
        }
        if (v->publisher) esc(b, v->publisher);
        if (v->publisher && v->pub_date) dc_buf_puts(b, ", ");
        if (v->pub_date) esc(b, v->pub_date);
        dc_buf_puts(b, "</p>\n");
    }
    dc_buf_printf(b, "<p class=dc-vol-count>%ld document%s. <a href=\"/search?collection=",
                  v->n_documents, v->n_documents == 1 ? "" : "s");
    dc_http_url_encode(b, v->id, 0);
    dc_buf_puts(b, "\">Search this volume</a></p>\n</header>\n");
    volume_cite_box(b, v);
    part_list(b, v, "front", "Front matter", "dc-vol-front");
    contents(b, v);
    part_list(b, v, "back", "Back matter", "dc-vol-back");
    pindex px = {.b = b, .vol = v->id};
    dc_db_persons(req->db, pindex_cb, &px);
    if (px.n) dc_buf_puts(b, "</ul>\n</section>\n");
    dc_buf_puts(b, "</article>\n");
    dc_page_end(resp);
    dc_volume_free(v);
}

/* ---- persons and terms of a volume ------------------------------------- */

/* "/persons/VOLUME/ID": splits the rest of the path at its last "/". */
static int split_entry(const char *rest, char *vol, size_t cap, const char **id)
{
    const char *slash = strrchr(rest, '/');
    if (!slash || slash == rest || !slash[1] || (size_t)(slash - rest) >= cap) return 0;
    memcpy(vol, rest, (size_t)(slash - rest));
    vol[slash - rest] = '\0';
    *id = slash + 1;
    return 1;
}

typedef struct entry_page {
    dc_buf *b;
    int person, any;
    char name[256]; /* for the page's title */
} entry_page;

static dc_rc entry_cb(void *ctx, const dc_person_info *p)
{
    entry_page *e = ctx;
    dc_buf *b = e->b;
    e->any = 1;
    snprintf(e->name, sizeof e->name, "%s", p->name ? p->name : "");
    dc_buf_printf(b, "<article class=%s>\n<h1>", e->person ? "dc-person" : "dc-term");
    esc(b, p->name);
    dc_buf_puts(b, "</h1>\n");
    if (p->description && *p->description) {
        dc_buf_printf(b, "<p class=%s>", e->person ? "dc-person-desc" : "dc-term-gloss");
        esc(b, p->description);
        dc_buf_puts(b, "</p>\n");
    }
    dc_buf_printf(b, "<p class=dc-entry-list>From the list of %s of <a href=\"",
                  e->person ? "persons" : "abbreviations and terms");
    dc_page_doc_href(b, "/volumes/", p->collection);
    dc_buf_puts(b, "\">");
    esc(b, p->collection);
    dc_buf_puts(b, "</a>.</p>\n");
    if (e->person) {
        dc_buf_printf(b, "<h2>Documents naming this person</h2>\n");
        if (!p->n_documents)
            dc_buf_puts(b, "<p class=dc-none>No document in the reading room names them.</p>\n");
        else dc_buf_puts(b, "<ul class=dc-person-docs>\n");
        for (long i = 0; p->documents && i < p->n_documents; i++) {
            dc_buf_puts(b, "<li><a href=\"");
            dc_page_doc_href(b, "/documents/", p->documents[i].id);
            dc_buf_puts(b, "\">");
            esc(b, p->documents[i].title ? p->documents[i].title : p->documents[i].id);
            dc_buf_puts(b, "</a>");
            if (p->documents[i].date) {
                dc_buf_puts(b, " <span class=dc-toc-date>");
                esc(b, p->documents[i].date);
                dc_buf_puts(b, "</span>");
            }
            dc_buf_puts(b, "</li>\n");
        }
        if (p->n_documents) dc_buf_puts(b, "</ul>\n");
    }
    dc_buf_puts(b, "</article>\n");
    return DC_OK;
}

/* GET /persons/VOLUME/ID and /terms/VOLUME/ID. */
static void entry_page_of(dc_http_req *req, dc_http_resp *resp, int person)
{
    char vol[256];
    const char *id = NULL;
    const char *rest = req->path + strlen(person ? "/persons/" : "/terms/");
    if (!split_entry(rest, vol, sizeof vol, &id)) {
        dc_page_error(req, resp, 404,
                      person ? "There is no person with this id."
                             : "There is no term with this id.");
        return;
    }
    dc_buf body;
    dc_buf_init(&body, 0);
    entry_page e = {.b = &body, .person = person};
    dc_rc rc = person ? dc_db_person_entry(req->db, vol, id, entry_cb, &e)
                      : dc_db_term(req->db, vol, id, entry_cb, &e);
    if (rc || !e.any || body.rc) {
        dc_buf_release(&body);
        if (rc == DC_NOTFOUND || rc == DC_MISUSE || (!rc && !e.any))
            dc_page_error(req, resp, 404,
                          person ? "There is no person with this id."
                                 : "There is no term with this id.");
        else
            dc_page_error(req, resp, dc_http_status_of(req, rc ? rc : DC_NOMEM),
                          dc_db_errmsg(req->db));
        return;
    }
    dc_page_begin(req, resp, *e.name ? e.name : id, person ? "dc-person-page" : "dc-term-page",
                  NULL, NULL);
    dc_buf_add(&resp->body, body.p, body.len);
    dc_page_end(resp);
    dc_buf_release(&body);
}

void dc_page_person(dc_http_req *req, dc_http_resp *resp) { entry_page_of(req, resp, 1); }

void dc_page_term(dc_http_req *req, dc_http_resp *resp) { entry_page_of(req, resp, 0); }

/* The persons of the document's volume list that its view names, each a
 * link to the person's page with the role on hover and focus (title). */
typedef struct named {
    dc_buf *b;
    const dc_doc *doc;
    long n;
} named;

static dc_rc named_cb(void *ctx, const dc_person_info *p)
{
    named *x = ctx;
    const dc_doc *d = x->doc;
    if (!p->collection || !p->xml_id || !d->collection || strcmp(p->collection, d->collection))
        return DC_OK;
    int in = 0;
    for (size_t i = 0; i < d->persons.n && !in; i++) in = !strcmp(d->persons.v[i], p->name);
    if (!in) return DC_OK;
    if (!x->n++)
        dc_buf_puts(x->b, "<section class=dc-doc-persons aria-labelledby=named-h>\n"
                          "<h2 id=named-h>Persons named</h2>\n<ul>\n");
    dc_buf_puts(x->b, "<li><a href=\"/persons/");
    dc_http_url_encode(x->b, p->collection, 0);
    dc_buf_putc(x->b, '/');
    dc_http_url_encode(x->b, p->xml_id, 0);
    dc_buf_puts(x->b, "\"");
    if (p->description && *p->description) {
        dc_buf_puts(x->b, " title=\"");
        esc(x->b, p->description);
        dc_buf_puts(x->b, "\"");
    }
    dc_buf_puts(x->b, ">");
    esc(x->b, p->name);
    dc_buf_puts(x->b, "</a></li>\n");
    return DC_OK;
}

void dc_page_doc_persons(dc_http_req *req, dc_buf *b, const dc_doc *doc)
{
    if (!doc->persons.n || !doc->collection) return;
    named x = {.b = b, .doc = doc};
    dc_db_doc_persons(req->db, doc, named_cb, &x);
    if (x.n) dc_buf_puts(b, "</ul>\n</section>\n");
}
