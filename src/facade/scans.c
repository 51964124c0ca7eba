/*
 * The facade, scanned pages as a reader may see them (docs/scans.md):
 * a page's image and the whole document as a PDF, both made from the
 * reader's view only.  A page of a view that hides nothing is served as
 * stored; a redacted page (model.h: dc_page.redacted) is decoded and its
 * boxes burned into the pixels before anything leaves, so no reader who
 * may not read all of a document is ever sent its original scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facade/facade_int.h"
#include "analysis/analysis.h"
#include "query/query.h"
#include "render/render.h"
#include "store/store.h"
#include "util/util_int.h"
#include "util/banned.h"

/* The grey of a box burned in: black. */
#define BURN 0

static dc_rc stored_image(dc_db *db, const dc_doc *v, const dc_page *pg, unsigned char **png,
                          size_t *len)
{
    if (!pg->image) return dc_db_fail(db, DC_CORRUPT, "%s page %d: no image", v->id, pg->number);
    dc_rc rc = dc_store_image_get(db->st, pg->image, png, len);
    if (rc) return dc_db_fail(db, rc, "%s page %d: %s", v->id, pg->number, dc_store_errmsg(db->st));
    return DC_OK;
}

/* The page's pixels with its boxes burned in. */
static dc_rc burned(dc_db *db, const dc_doc *v, const dc_page *pg, dc_grey *g)
{
    unsigned char *png = NULL;
    size_t len = 0;
    memset(g, 0, sizeof *g);
    dc_rc rc = stored_image(db, v, pg, &png, &len);
    if (rc) return rc;
    rc = dc_grey_read(png, len, g);
    free(png);
    if (rc)
        return dc_db_fail(db, rc == DC_NOMEM ? rc : DC_CORRUPT, "%s page %d: unreadable image",
                          v->id, pg->number);
    for (size_t i = 0; i < pg->n_boxes; i++) {
        const dc_box *b = &pg->boxes[i];
        dc_grey_fill(g, b->x, b->y, b->w, b->h, BURN);
    }
    return DC_OK;
}

/* The scanned page n of the reader's view v into *pg (n 0: none, only
 * the check that v is a scan). */
static dc_rc view_page(dc_db *db, const dc_doc *v, int n, const dc_page **pg)
{
    if (!v->n_scan)
        return dc_db_fail(db, DC_MISUSE, "%s is not a scanned document: it has no pages", v->id);
    for (size_t i = 0; n && i < v->n_scan; i++)
        if (v->scan[i].number == n) return *pg = &v->scan[i], DC_OK;
    if (!n) return DC_OK;
    return dc_db_fail(db, DC_NOTFOUND, "%s has no page %d (it has %zu)", v->id, n, v->n_scan);
}

dc_rc dc_db_page_image(dc_db *db, const char *id, int version, int page, unsigned char **out,
                       size_t *len)
{
    *out = NULL;
    *len = 0;
    dc_doc *v = NULL;
    dc_rc rc = dc_db_read(db, id, version, NULL, &v);
    if (rc) return rc;
    const dc_page *pg = NULL;
    rc = view_page(db, v, page, &pg);
    if (!rc && !pg->redacted) {
        rc = stored_image(db, v, pg, out, len);
    } else if (!rc) {
        dc_grey g;
        dc_buf b;
        dc_buf_init(&b, 0);
        rc = burned(db, v, pg, &g);
        if (!rc && (rc = dc_grey_write_png(&g, pg->dpi, &b)) != DC_OK)
            rc = dc_db_fail(db, rc, "%s page %d: %s", id, page, dc_strerror(rc));
        dc_grey_release(&g);
        if (!rc) *len = b.len, *out = (unsigned char *)dc_buf_detach(&b);
        dc_buf_release(&b);
    }
    char detail[32];
    snprintf(detail, sizeof detail, "page %d", page);
    if (!rc) rc = dc_db_audit_add(db, "read", id, detail);
    if (rc) {
        free(*out);
        *out = NULL, *len = 0;
    }
    dc_doc_free(v);
    return rc;
}

dc_rc dc_db_scan_pdf(dc_db *db, const char *id, int version, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    dc_doc *v = NULL;
    dc_rc rc = dc_db_read(db, id, version, NULL, &v);
    if (rc) return rc;
    const dc_page *none = NULL;
    rc = view_page(db, v, 0, &none);
    dc_pdf_image *im = rc ? NULL : calloc(v->n_scan, sizeof *im);
    dc_buf *z = rc ? NULL : calloc(v->n_scan, sizeof *z);
    if (!rc && (!im || !z)) rc = dc_db_fail(db, DC_NOMEM, "out of memory");
    for (size_t i = 0; !rc && i < v->n_scan; i++) {
        const dc_page *pg = &v->scan[i];
        dc_buf_init(&z[i], 0);
        if (pg->redacted) {
            dc_grey g;
            rc = burned(db, v, pg, &g);
            if (!rc && (rc = dc_grey_deflate(&g, &z[i])) != DC_OK)
                dc_db_fail(db, rc, "%s page %d: %s", id, pg->number, dc_strerror(rc));
            im[i].w = g.w, im[i].h = g.h;
            dc_grey_release(&g);
        } else {
            unsigned char *png = NULL;
            size_t n = 0;
            rc = stored_image(db, v, pg, &png, &n);
            if (!rc && (rc = dc_grey_png_idat(png, n, &im[i].w, &im[i].h, &z[i])) != DC_OK)
                dc_db_fail(db, rc == DC_NOMEM ? rc : DC_CORRUPT, "%s page %d: unreadable image", id,
                           pg->number);
            free(png);
        }
        im[i].z = (const unsigned char *)z[i].p, im[i].zlen = z[i].len;
    }
    dc_buf b;
    dc_buf_init(&b, (size_t)1 << 30);
    if (!rc && (rc = dc_render_pdf(v, im, &b)) != DC_OK)
        dc_db_fail(db, rc, "cannot render %s as PDF: %s", id, dc_strerror(rc));
    if (!rc) rc = dc_db_audit_add(db, "read", id, "pdf");
    if (!rc) *len = b.len, *out = (unsigned char *)dc_buf_detach(&b);
    dc_buf_release(&b);
    for (size_t i = 0; z && i < v->n_scan; i++) dc_buf_release(&z[i]);
    free(z);
    free(im);
    dc_doc_free(v);
    return rc;
}

/* ---- hits on a page ---------------------------------------------------- */

typedef struct hit_ctx {
    const dc_qnode *const *leaves; /* TERM, PHRASE and PREFIX nodes not under NOT */
    size_t n;
    int hit;
} hit_ctx;

static void collect(const dc_qnode *q, const dc_qnode **out, size_t *n, size_t cap)
{
    if (q->kind == DC_Q_NOT) return;
    if (q->kind == DC_Q_TERM || q->kind == DC_Q_PHRASE || q->kind == DC_Q_PREFIX) {
        if (*n < cap) out[(*n)++] = q;
        return;
    }
    for (size_t i = 0; i < q->n_kids; i++) collect(q->kids[i], out, n, cap);
}

static dc_rc word_token(void *ctx, const dc_token *t)
{
    hit_ctx *h = ctx;
    for (size_t i = 0; i < h->n && !h->hit; i++) {
        const dc_qnode *q = h->leaves[i];
        for (size_t k = 0; k < q->n_terms && !h->hit; k++) {
            const dc_qterm *qt = &q->terms[k];
            if (q->kind == DC_Q_PREFIX)
                h->hit = t->len >= qt->len && memcmp(t->term, qt->term, qt->len) == 0;
            else if (q->exact)
                h->hit = t->len == qt->len && memcmp(t->term, qt->term, qt->len) == 0;
            else
                h->hit = t->stem && t->stem_len == qt->stem_len &&
                         memcmp(t->stem, qt->stem, qt->stem_len) == 0;
        }
    }
    return DC_OK;
}

#define MAX_LEAVES 64

dc_rc dc_db_page_hits(dc_db *db, const dc_page *pg, const char *query, unsigned char *hit)
{
    memset(hit, 0, pg->n_words);
    if (!query || !*query) return DC_OK;
    dc_rc rc = DC_OK;
    if (!db->an && (rc = dc_analyzer_new(&db->an)) != DC_OK)
        return dc_db_fail(db, rc, "cannot start the analyzer");
    dc_query *q = NULL;
    dc_error err = {0};
    if ((rc = dc_query_parse(db->an, query, strlen(query), &q, &err)) != DC_OK)
        return dc_db_fail(db, rc, "%s", err.msg);
    const dc_qnode *leaves[MAX_LEAVES];
    hit_ctx h = {leaves, 0, 0};
    collect(dc_query_root(q), leaves, &h.n, MAX_LEAVES);
    for (size_t i = 0; !rc && i < pg->n_words && h.n; i++) {
        const char *t = pg->words[i].text ? pg->words[i].text : "";
        h.hit = 0;
        rc = dc_analyze(db->an, t, strlen(t), 0, DC_ANALYZE_STEM, word_token, &h, NULL);
        hit[i] = (unsigned char)h.hit;
    }
    dc_query_free(q);
    return rc ? dc_db_fail(db, rc, "out of memory") : DC_OK;
}
