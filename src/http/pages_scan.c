/*
 * The reading room, a scanned document's pages (docs/reading-room.md,
 * "Scanned pages"): thumbnails, and the page chosen (?page=N) beside the
 * text edition, with the words the "Find in this document" query matches
 * outlined from their boxes.  The images are the API's
 * (/api/documents/ID?format=png&page=N): a page of a view that hides
 * anything is served with its boxes burned in, never as scanned.  The
 * outlines are SVG rects (attributes, not styles: the page's CSP allows
 * no inline style), drawn only over words of the reader's view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "http_int.h"

#define THUMB_WIDTH 96 /* CSS pixels */

static void image_src(dc_buf *b, const char *id, int page)
{
    dc_page_doc_href(b, "/api/documents/", id);
    dc_buf_printf(b, "?format=png&amp;page=%d", page);
}

/* /documents/ID?page=N[&find=Q]#pages */
static void page_href(dc_buf *b, const char *id, int page, const char *find)
{
    dc_page_doc_href(b, "/documents/", id);
    dc_buf_printf(b, "?page=%d", page);
    if (find && *find) {
        dc_buf_puts(b, "&amp;find=");
        dc_http_url_encode(b, find, 0);
    }
    dc_buf_puts(b, "#pages");
}

void dc_page_scan(dc_http_req *req, dc_buf *b, const dc_doc *doc)
{
    if (!doc->n_scan) return;
    const char *find = dc_http_arg(req, "find"), *pa = dc_http_arg(req, "page");
    long want = pa ? strtol(pa, NULL, 10) : 1;
    const dc_page *pg = &doc->scan[0];
    for (size_t i = 0; i < doc->n_scan; i++)
        if (doc->scan[i].number == want) pg = &doc->scan[i];
    int redacted = 0;
    for (size_t i = 0; i < doc->n_scan; i++) redacted |= doc->scan[i].redacted;
    dc_buf_puts(b, "<section class=dc-scan id=pages aria-labelledby=pages-h>\n"
                   "<h2 id=pages-h>Scanned pages</h2>\n<p class=dc-scan-note>");
    dc_buf_printf(b, "%zu page%s scanned.", doc->n_scan, doc->n_scan == 1 ? "" : "s");
    if (redacted) dc_buf_puts(b, " Passages not declassified for you are boxed out of the images.");
    dc_buf_puts(b, " <a class=dc-pdf href=\"");
    dc_page_doc_href(b, "/api/documents/", doc->id);
    dc_buf_puts(b, "?format=pdf\">PDF of the scan</a></p>\n");
    if (doc->n_scan > 1) {
        dc_buf_puts(b, "<nav class=dc-thumbs aria-label=\"Pages of the scan\"><ol>\n");
        for (size_t i = 0; i < doc->n_scan; i++) {
            const dc_page *t = &doc->scan[i];
            int h = t->width > 0 ? (int)((long)THUMB_WIDTH * t->height / t->width) : THUMB_WIDTH;
            dc_buf_puts(b, "<li><a href=\"");
            page_href(b, doc->id, t->number, find);
            dc_buf_puts(b, t == pg ? "\" aria-current=page>" : "\">");
            dc_buf_puts(b, "<img src=\"");
            image_src(b, doc->id, t->number);
            dc_buf_printf(b, "\" alt=\"Page %d\" width=%d height=%d loading=lazy></a></li>\n",
                          t->number, THUMB_WIDTH, h);
        }
        dc_buf_puts(b, "</ol></nav>\n");
    }
    unsigned char *hit = pg->n_words ? calloc(pg->n_words, 1) : NULL;
    size_t n_hits = 0;
    if (hit && find && *find && dc_db_page_hits(req->db, pg, find, hit) == DC_OK)
        for (size_t i = 0; i < pg->n_words; i++) n_hits += hit[i];
    dc_buf_printf(b,
                  "<figure class=dc-page-view>\n<svg viewBox=\"0 0 %d %d\" role=img"
                  " aria-labelledby=page-cap>\n<image href=\"",
                  pg->width, pg->height);
    image_src(b, doc->id, pg->number);
    dc_buf_printf(b, "\" x=0 y=0 width=%d height=%d></image>\n", pg->width, pg->height);
    for (size_t i = 0; i < pg->n_regions; i++) { /* each passage links to its text */
        const dc_region *g = &pg->regions[i];
        dc_buf_puts(b, "<a href=\"#");
        dc_page_esc(b, g->portion);
        dc_buf_puts(b, "\" aria-label=\"Passage ");
        dc_page_esc(b, g->portion);
        dc_buf_printf(b,
                      " in the text\"><rect class=dc-region x=%d y=%d width=%d height=%d>"
                      "</rect></a>\n",
                      g->box.x, g->box.y, g->box.w, g->box.h);
    }
    for (size_t i = 0; hit && i < pg->n_words; i++) {
        if (!hit[i]) continue;
        const dc_box *x = &pg->words[i].box;
        dc_buf_printf(b, "<rect class=dc-hit x=%d y=%d width=%d height=%d></rect>\n", x->x, x->y,
                      x->w, x->h);
    }
    dc_buf_printf(b, "</svg>\n<figcaption id=page-cap>Page %d of %zu of the scan", pg->number,
                  doc->n_scan);
    if (pg->low) dc_buf_printf(b, " (low OCR confidence: %d%%)", pg->conf);
    if (find && *find) {
        dc_buf_printf(b, "; %zu word%s matching \xE2\x80\x9C", n_hits, n_hits == 1 ? "" : "s");
        dc_page_esc(b, find);
        dc_buf_puts(b, "\xE2\x80\x9D outlined");
    }
    dc_buf_puts(b, ".</figcaption>\n</figure>\n</section>\n");
    free(hit);
}
