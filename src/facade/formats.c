/*
 * The facade, output formats: one table of every format a document or an
 * export is written in — its name, media type, what it is for and its
 * renderer.  The CLI's --format, the HTTP API's ?format= and Content-Type,
 * dc_db_show and dc_db_export all look formats up here.
 */
#include <string.h>

#include "facade/facade_int.h"
#include "render/render.h"
#include "util/banned.h"

static dc_rc put_text(const dc_doc *d, const dc_render_html_opts *o, dc_buf *b)
{
    (void)o;
    return dc_render_text(d, b);
}
static dc_rc put_json(const dc_doc *d, const dc_render_html_opts *o, dc_buf *b)
{
    (void)o;
    return dc_render_json(d, b);
}
static dc_rc put_tei(const dc_doc *d, const dc_render_html_opts *o, dc_buf *b)
{
    return dc_render_tei_with(d, NULL, o, b);
}
static dc_rc put_cite(const dc_doc *d, const dc_render_html_opts *o, dc_buf *b)
{
    return dc_render_cite(d, o ? o->volume : NULL, b);
}
static dc_rc put_bibtex(const dc_doc *d, const dc_render_html_opts *o, dc_buf *b)
{
    return dc_render_bibtex(d, o ? o->volume : NULL, b);
}
static dc_rc put_ris(const dc_doc *d, const dc_render_html_opts *o, dc_buf *b)
{
    return dc_render_ris(d, o ? o->volume : NULL, b);
}

static dc_rc put_highwire(const dc_doc *d, const dc_render_html_opts *o, dc_buf *b)
{
    return dc_render_highwire(d, o ? o->volume : NULL, b);
}

static const dc_db_format formats[] = {
    {{"jsonl", "application/x-ndjson", DC_FORMAT_EXPORT}, NULL, 0},
    {{"text", "text/plain; charset=utf-8", DC_FORMAT_SHOW}, put_text, 0},
    {{"json", "application/json", DC_FORMAT_SHOW}, put_json, 0},
    {{"html", "text/html; charset=utf-8", DC_FORMAT_SHOW}, dc_render_html, 0},
    {{"tei", "application/tei+xml; charset=utf-8", DC_FORMAT_SHOW | DC_FORMAT_EXPORT},
     put_tei, 0},
    {{"cite", "text/plain; charset=utf-8", DC_FORMAT_SHOW}, put_cite, 1},
    {{"bibtex", "application/x-bibtex; charset=utf-8", DC_FORMAT_SHOW}, put_bibtex, 1},
    {{"ris", "application/x-research-info-systems; charset=utf-8", DC_FORMAT_SHOW}, put_ris, 1},
    {{"highwire", "text/html; charset=utf-8", DC_FORMAT_PAGE}, put_highwire, 1},
    /* binary, scans only: dc_db_scan_pdf and dc_db_page_image */
    {{"pdf", "application/pdf", DC_FORMAT_SHOW}, NULL, 0},
    {{"png", "image/png", DC_FORMAT_SHOW}, NULL, 0},
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

const dc_db_format *dc_db_format_find(const char *name, int use)
{
    for (size_t i = 0; name && i < N_FORMATS; i++)
        if ((formats[i].pub.uses & use) && strcmp(name, formats[i].pub.name) == 0)
            return &formats[i];
    return NULL;
}

const dc_format *dc_format_find(const char *name, int use)
{
    const dc_db_format *f = dc_db_format_find(name, use);
    return f ? &f->pub : NULL;
}

const char *dc_format_names(int use)
{
    /* Built once per thread and use (the HTTP server's threads too). */
    static _Thread_local char names[4][128];
    int k = use & 3;
    if (!names[k][0]) {
        dc_buf b;
        dc_buf_init(&b, sizeof names[k] - 1);
        size_t n = 0, m = 0;
        for (size_t i = 0; i < N_FORMATS; i++) n += (formats[i].pub.uses & use) != 0;
        for (size_t i = 0; i < N_FORMATS; i++) {
            if (!(formats[i].pub.uses & use)) continue;
            if (m) dc_buf_puts(&b, m + 1 == n ? " or " : ", ");
            dc_buf_puts(&b, formats[i].pub.name);
            m++;
        }
        if (!b.rc && b.p) memcpy(names[k], b.p, b.len + 1);
        dc_buf_release(&b);
    }
    return names[k];
}

int dc_doc_source_url(const dc_doc *doc, dc_buf *out) { return dc_render_frus_url(doc, out); }
