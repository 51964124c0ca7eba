/*
 * declass-scan's core (scan_helper.h): PDFs through poppler-glib, images
 * through Leptonica, OCR through Tesseract's C API.  Everything here runs
 * inside the helper process, under the limits the library sets on it
 * (src/scan/scan.c): a crash, a hang or a runaway allocation in these
 * libraries ends the helper, never the database's process.
 */
#include "scan_helper.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <leptonica/allheaders.h>
#include <poppler.h>
#include <tesseract/capi.h>

#include "scan/scan_limits.h"
#include "util/banned.h"

struct sh_doc {
    const unsigned char *data;
    size_t len;
    const char *kind;
    GBytes *bytes; /* a PDF's bytes, for poppler */
    PopplerDocument *pdf;
    int pages;
    int tiff; /* a TIFF: its images are the pages */
};

static int fail(char *msg, size_t cap, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return rc;
}

/* The kind of data by its magic bytes, or NULL. */
static const char *magic_kind(const unsigned char *d, size_t n)
{
    if (n >= 5 && memcmp(d, "%PDF-", 5) == 0) return "PDF";
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return "PNG";
    if (n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0)) return "TIFF";
    if (n >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0) return "JPEG";
    return NULL;
}

static int has_bytes(const unsigned char *d, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (d[i] == (unsigned char)s[0] && memcmp(d + i, s, k) == 0) return 1;
    return 0;
}

/* Whether a page of w x h points is within the caps at DC_SCAN_DPI. */
static int page_size_ok(double w, double h)
{
    if (!(w > 0 && h > 0 && isfinite(w) && isfinite(h))) return 0;
    double pw = w * DC_SCAN_DPI / 72.0, ph = h * DC_SCAN_DPI / 72.0;
    return pw <= DC_SCAN_MAX_SIDE && ph <= DC_SCAN_MAX_SIDE &&
           pw * ph <= (double)DC_SCAN_MAX_PIXELS;
}

static int open_pdf(sh_doc *d, char *msg, size_t cap)
{
    size_t tail = d->len < 1024 ? d->len : 1024;
    if (!has_bytes(d->data + d->len - tail, tail, "%%EOF"))
        return fail(msg, cap, SH_PARSE, "truncated PDF: no %%%%EOF at its end");
    if (has_bytes(d->data, d->len, "/Encrypt"))
        return fail(msg, cap, SH_PARSE,
                    "encrypted or password-protected PDF: declass reads only unencrypted PDFs");
    d->bytes = g_bytes_new_static(d->data, d->len);
    GError *ge = NULL;
    d->pdf = poppler_document_new_from_bytes(d->bytes, NULL, &ge);
    if (!d->pdf) {
        int enc = ge && ge->domain == POPPLER_ERROR && ge->code == POPPLER_ERROR_ENCRYPTED;
        int rc = fail(msg, cap, SH_PARSE, "%s PDF: %s", enc ? "password-protected" : "corrupt",
                      ge && ge->message ? ge->message : "poppler cannot open it");
        if (ge) g_error_free(ge);
        return rc;
    }
    d->pages = poppler_document_get_n_pages(d->pdf);
    if (d->pages <= 0) return fail(msg, cap, SH_PARSE, "corrupt PDF: no pages");
    if (d->pages > DC_SCAN_MAX_PAGES)
        return fail(msg, cap, SH_LIMIT, "PDF of %d pages: more than %d", d->pages,
                    DC_SCAN_MAX_PAGES);
    return SH_OK;
}

/* Checks an image's size from its header (page n, 1-based, of a TIFF),
 * before anything is decoded. */
static int image_size_ok(const sh_doc *d, int n, char *msg, size_t cap)
{
    l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0, res = 0;
    int bad = d->tiff ? readHeaderMemTiff(d->data, d->len, n - 1, &w, &h, &bps, &spp, &res, &cmap,
                                          &format) != 0
                      : pixReadHeaderMem(d->data, d->len, &format, &w, &h, &bps, &spp, &cmap) != 0;
    const char *page = n > 1 ? "page " : "", *of = n > 1 ? ": " : "";
    char num[16] = "";
    if (n > 1) snprintf(num, sizeof num, "%d", n);
    if (bad)
        return fail(msg, cap, SH_PARSE, "%s%s%scorrupt %s image: unreadable header", page, num, of,
                    d->kind);
    if (w <= 0 || h <= 0)
        return fail(msg, cap, SH_PARSE, "%s%s%scorrupt %s image: size %d x %d", page, num, of,
                    d->kind, w, h);
    if (w > DC_SCAN_MAX_SIDE || h > DC_SCAN_MAX_SIDE ||
        (unsigned long long)w * (unsigned long long)h > DC_SCAN_MAX_PIXELS)
        return fail(msg, cap, SH_LIMIT,
                    "%s%s%simage of %d x %d pixels: more than %llu pixels or %d "
                    "on a side",
                    page, num, of, w, h, DC_SCAN_MAX_PIXELS, DC_SCAN_MAX_SIDE);
    return SH_OK;
}

/* An image: its pages (a TIFF's images, each a page), the first's size
 * checked. */
static int open_image(sh_doc *d, char *msg, size_t cap)
{
    d->tiff = strcmp(d->kind, "TIFF") == 0;
    d->pages = 1;
    if (d->tiff) {
        FILE *f = fmemopen((void *)d->data, d->len, "rb");
        l_int32 n = 0;
        int bad = !f || tiffGetCount(f, &n) != 0;
        if (f) fclose(f);
        if (bad || n < 1) return fail(msg, cap, SH_PARSE, "corrupt TIFF image: no images in it");
        if (n > DC_SCAN_MAX_PAGES)
            return fail(msg, cap, SH_LIMIT, "TIFF of %d pages: more than %d", n, DC_SCAN_MAX_PAGES);
        d->pages = n;
    }
    return image_size_ok(d, 1, msg, cap);
}

int sh_open(const unsigned char *data, size_t len, sh_doc **out, char *msg, size_t cap)
{
    *out = NULL;
    msg[0] = '\0';
    if (len > DC_SCAN_MAX_FILE)
        return fail(msg, cap, SH_LIMIT, "file larger than %llu MiB", DC_SCAN_MAX_FILE >> 20);
    const char *kind = magic_kind(data, len);
    if (!kind) return fail(msg, cap, SH_PARSE, "not a PDF, PNG, TIFF or JPEG file");
    sh_doc *d = calloc(1, sizeof *d);
    if (!d) return fail(msg, cap, SH_NOMEM, "out of memory");
    *d = (sh_doc){.data = data, .len = len, .kind = kind};
    int rc = strcmp(kind, "PDF") == 0 ? open_pdf(d, msg, cap) : open_image(d, msg, cap);
    if (rc) {
        sh_close(d);
        return rc;
    }
    *out = d;
    return SH_OK;
}

const char *sh_kind(const sh_doc *d) { return d->kind; }
int sh_pages(const sh_doc *d) { return d->pages; }

void sh_close(sh_doc *d)
{
    if (!d) return;
    if (d->pdf) g_object_unref(d->pdf);
    if (d->bytes) g_bytes_unref(d->bytes);
    free(d);
}

void sh_page_release(sh_page *p)
{
    for (size_t i = 0; i < p->n_words; i++) free(p->words[i].text);
    free(p->words);
    free(p->text);
    if (p->png) lept_free(p->png);
    *p = (sh_page){0};
}

static int add_word(sh_page *p, const char *s, size_t n, int x, int y, int w, int h, float conf)
{
    if (p->n_words == p->cap_words) {
        size_t cap = p->cap_words ? p->cap_words * 2 : 256;
        sh_word *v = realloc(p->words, cap * sizeof *v);
        if (!v) return SH_NOMEM;
        p->words = v;
        p->cap_words = cap;
    }
    char *t = malloc(n + 1);
    if (!t) return SH_NOMEM;
    for (size_t i = 0; i < n; i++) t[i] = (unsigned char)s[i] <= ' ' ? '?' : s[i];
    t[n] = '\0';
    p->words[p->n_words++] = (sh_word){x, y, w, h, conf, t};
    return SH_OK;
}

/* A copy of s with control characters but newline as spaces. */
static char *clean_text(const char *s)
{
    size_t n = strlen(s);
    char *t = malloc(n + 1);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        t[i] = (c < ' ' && c != '\n') || c == 0x7f ? ' ' : (char)c;
    }
    t[n] = '\0';
    return t;
}

/*
 * A text layer's text with its paragraphs: poppler gives one line per
 * line of the page and no blank lines, so a blank line is put where the
 * space between two lines is taller than most of a line (from the boxes
 * of their characters, one per UTF-8 character of text).  Without boxes
 * for every character the text is kept as it is.  NULL when out of memory.
 */
static char *layer_text(const char *text, const PopplerRectangle *r, size_t nr)
{
    size_t n = strlen(text), chars = 0;
    for (size_t i = 0; i < n; i++) chars += ((unsigned char)text[i] & 0xc0) != 0x80;
    char *out = malloc(2 * n + 1);
    if (!out) return NULL;
    size_t k = 0, ci = 0;
    double top = 1e18, bottom = -1e18, prev_bottom = -1e18, prev_h = 0;
    size_t line_start = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (i == n || c == '\n') {
            double h = bottom - top;
            if (chars == nr && line_start > 0 && top < 1e17 && prev_bottom > -1e17 &&
                top - prev_bottom > 0.8 * fmax(h, prev_h))
                out[k++] = '\n'; /* the blank line between two paragraphs */
            memcpy(out + k, text + line_start, i - line_start);
            k += i - line_start;
            if (i < n) out[k++] = '\n';
            if (top < 1e17) prev_bottom = bottom, prev_h = h;
            top = 1e18, bottom = -1e18;
            line_start = i + 1;
            ci++;
            continue;
        }
        if ((c & 0xc0) != 0x80) {
            if (ci < nr && c > ' ') {
                top = fmin(top, fmin(r[ci].y1, r[ci].y2));
                bottom = fmax(bottom, fmax(r[ci].y1, r[ci].y2));
            }
            ci++;
        }
    }
    out[k] = '\0';
    char *clean = clean_text(out);
    free(out);
    return clean;
}

static int blank(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s > ' ') return 0;
    return 1;
}

/* The words of a text layer: runs of non-blank characters of text, each
 * with the union of its characters' boxes (one rect per UTF-8 character,
 * in points). */
static int text_layer_words(PopplerPage *page, const char *text, sh_page *p)
{
    PopplerRectangle *rects = NULL;
    guint nr = 0;
    if (!poppler_page_get_text_layout(page, &rects, &nr)) nr = 0;
    size_t ci = 0; /* character index */
    int rc = SH_OK;
    const char *s = text;
    while (!rc && *s) {
        while (*s && (unsigned char)*s <= ' ') s++, ci++;
        if (!*s) break;
        const char *w0 = s;
        double x1 = 1e9, y1 = 1e9, x2 = -1e9, y2 = -1e9;
        while (*s && (unsigned char)*s > ' ') {
            if (ci < nr) {
                PopplerRectangle *r = &rects[ci];
                x1 = fmin(x1, fmin(r->x1, r->x2)), x2 = fmax(x2, fmax(r->x1, r->x2));
                y1 = fmin(y1, fmin(r->y1, r->y2)), y2 = fmax(y2, fmax(r->y1, r->y2));
            }
            s++;
            while ((*s & 0xc0) == 0x80) s++; /* the rest of the character */
            ci++;
        }
        if (x2 < x1) x1 = x2 = y1 = y2 = 0;
        rc = add_word(p, w0, (size_t)(s - w0), (int)floor(x1), (int)floor(y1), (int)ceil(x2 - x1),
                      (int)ceil(y2 - y1), 100.0f);
    }
    g_free(rects);
    return rc;
}

/* OCR of an 8-bit grey image into p (text, words, confidence). */
static int ocr(const unsigned char *grey, int w, int h, int bpl, int dpi, const char *lang,
               sh_page *p, char *msg, size_t cap)
{
    TessBaseAPI *api = TessBaseAPICreate();
    if (!api) return fail(msg, cap, SH_NOMEM, "out of memory");
    if (TessBaseAPIInit3(api, NULL, lang) != 0) {
        TessBaseAPIDelete(api);
        return fail(msg, cap, SH_PARSE, "OCR language '%s' is not installed", lang);
    }
    TessBaseAPISetImage(api, grey, w, h, 1, bpl);
    TessBaseAPISetSourceResolution(api, dpi);
    int rc = SH_OK;
    if (TessBaseAPIRecognize(api, NULL) != 0) {
        rc = fail(msg, cap, SH_PARSE, "OCR failed on the page");
    }
    char *txt = rc ? NULL : TessBaseAPIGetUTF8Text(api);
    if (!rc && !(p->text = clean_text(txt ? txt : ""))) rc = SH_NOMEM;
    TessDeleteText(txt);
    TessResultIterator *ri = rc ? NULL : TessBaseAPIGetIterator(api);
    double sum = 0;
    if (ri) {
        const TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
        do {
            char *word = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
            if (!word) continue;
            int l = 0, t = 0, r = 0, b = 0;
            float c = TessResultIteratorConfidence(ri, RIL_WORD);
            TessPageIteratorBoundingBox(pi, RIL_WORD, &l, &t, &r, &b);
            if (!blank(word)) {
                rc = add_word(p, word, strlen(word), l, t, r - l, b - t, c);
                sum += c;
            }
            TessDeleteText(word);
        } while (!rc && TessResultIteratorNext(ri, RIL_WORD));
        TessResultIteratorDelete(ri);
    }
    TessBaseAPIEnd(api);
    TessBaseAPIDelete(api);
    p->conf = p->n_words ? (float)(sum / (double)p->n_words) : 0.0f;
    p->low = p->n_words > 0 && p->conf < DC_SCAN_LOW_CONFIDENCE;
    p->source = "ocr";
    if (rc == SH_NOMEM) fail(msg, cap, rc, "out of memory");
    return rc;
}

/* An 8-bit grey Pix of a PDF page rendered at dpi, or NULL. */
static PIX *render_grey(PopplerPage *page, double pw, double ph, int dpi)
{
    int w = (int)ceil(pw * dpi / 72.0), h = (int)ceil(ph * dpi / 72.0);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return NULL;
    }
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, dpi / 72.0, dpi / 72.0);
    poppler_page_render_for_printing(page, cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    const unsigned char *px = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    PIX *pix = pixCreate(w, h, 8);
    if (pix) {
        l_uint32 *data = pixGetData(pix);
        int wpl = pixGetWpl(pix);
        for (int y = 0; y < h; y++) {
            const uint32_t *row = (const uint32_t *)(const void *)(px + (size_t)y * stride);
            for (int x = 0; x < w; x++) {
                uint32_t v = row[x];
                unsigned r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
                SET_DATA_BYTE(data + y * wpl, x, (r * 299 + g * 587 + b * 114) / 1000);
            }
        }
        pixSetResolution(pix, dpi, dpi);
    }
    cairo_surface_destroy(s);
    return pix;
}

/* OCR of an 8-bit grey Pix at dpi into p.  Leptonica keeps 8-bit pixels
 * in 32-bit words, most significant byte first: they are unpacked into
 * plain rows for Tesseract. */
static int ocr_pix(PIX *grey, int dpi, const char *lang, sh_page *p, char *msg, size_t cap)
{
    int w = pixGetWidth(grey), h = pixGetHeight(grey);
    unsigned char *rows = malloc((size_t)w * (size_t)h);
    if (!rows) return fail(msg, cap, SH_NOMEM, "out of memory");
    l_uint32 *data = pixGetData(grey);
    int wpl = pixGetWpl(grey);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            rows[(size_t)y * w + x] = (unsigned char)GET_DATA_BYTE(data + y * wpl, x);
    int rc = ocr(rows, w, h, w, dpi, lang, p, msg, cap);
    free(rows);
    return rc;
}

/* The page's stored image (p->png): grey at dpi scaled down to at most
 * DC_SCAN_VIEW_DPI, as an 8-bit grey PNG. */
static int page_image(PIX *grey, int dpi, sh_page *p, char *msg, size_t cap)
{
    int vdpi = dpi > DC_SCAN_VIEW_DPI ? DC_SCAN_VIEW_DPI : dpi;
    float f = (float)vdpi / (float)dpi;
    PIX *s = vdpi < dpi ? pixScaleAreaMap(grey, f, f) : pixClone(grey);
    if (!s) return fail(msg, cap, SH_NOMEM, "out of memory");
    pixSetResolution(s, vdpi, vdpi);
    pixSetZlibCompression(s, 3); /* most of zlib's default 6, at a third of its time */
    l_uint8 *png = NULL;
    size_t len = 0;
    int bad = pixWriteMemPng(&png, &len, s, 0.0f);
    p->img_width = pixGetWidth(s), p->img_height = pixGetHeight(s), p->img_dpi = vdpi;
    pixDestroy(&s);
    if (bad || !png) return fail(msg, cap, SH_NOMEM, "page %d: cannot write its image", p->number);
    p->png = png, p->png_len = len;
    return SH_OK;
}

static int pdf_page(sh_doc *d, int n, int mode, const char *lang, sh_page *p, char *msg, size_t cap)
{
    PopplerPage *page = poppler_document_get_page(d->pdf, n - 1);
    if (!page) return fail(msg, cap, SH_PARSE, "page %d: corrupt page", n);
    double pw = 0, ph = 0;
    poppler_page_get_size(page, &pw, &ph);
    int rc = SH_OK;
    if (!page_size_ok(pw, ph)) {
        rc = fail(msg, cap, SH_LIMIT,
                  "page %d: size %.0f x %.0f points: over %llu pixels or "
                  "%d on a side at %d dpi",
                  n, pw, ph, DC_SCAN_MAX_PIXELS, DC_SCAN_MAX_SIDE, DC_SCAN_DPI);
        g_object_unref(page);
        return rc;
    }
    char *text = poppler_page_get_text(page);
    int layer = !blank(text) && mode != SH_OCR_FORCE;
    int dpi = layer || mode == SH_OCR_NEVER ? DC_SCAN_VIEW_DPI : DC_SCAN_DPI;
    PIX *grey = render_grey(page, pw, ph, dpi);
    if (!grey) {
        rc = fail(msg, cap, SH_NOMEM, "page %d: cannot render it", n);
    } else if (layer) {
        p->source = "text";
        p->width = (int)ceil(pw), p->height = (int)ceil(ph), p->dpi = 72;
        p->conf = 100.0f;
        PopplerRectangle *rects = NULL;
        guint nr = 0;
        if (!poppler_page_get_text_layout(page, &rects, &nr)) nr = 0;
        if (!(p->text = layer_text(text, rects, nr)))
            rc = fail(msg, cap, SH_NOMEM, "out of memory");
        g_free(rects);
        if (!rc && (rc = text_layer_words(page, text, p)) != SH_OK)
            fail(msg, cap, rc, "out of memory");
    } else if (mode == SH_OCR_NEVER) {
        p->source = "none";
        p->width = (int)ceil(pw), p->height = (int)ceil(ph), p->dpi = 72;
        if (!(p->text = calloc(1, 1))) rc = fail(msg, cap, SH_NOMEM, "out of memory");
    } else {
        p->width = pixGetWidth(grey), p->height = pixGetHeight(grey), p->dpi = dpi;
        rc = ocr_pix(grey, dpi, lang, p, msg, cap);
    }
    if (!rc) rc = page_image(grey, dpi, p, msg, cap);
    pixDestroy(&grey);
    g_free(text);
    g_object_unref(page);
    return rc;
}

static int image_page(sh_doc *d, int n, int mode, const char *lang, sh_page *p, char *msg,
                      size_t cap)
{
    int rc = n > 1 ? image_size_ok(d, n, msg, cap) : SH_OK;
    if (rc) return rc;
    PIX *pix = d->tiff ? pixReadMemTiff(d->data, d->len, n - 1) : pixReadMem(d->data, d->len);
    if (!pix) return fail(msg, cap, SH_PARSE, "corrupt %s image: cannot decode it", d->kind);
    PIX *grey = pixConvertTo8(pix, 0);
    int dpi = pixGetXRes(pix);
    if (dpi < 50 || dpi > 2400) dpi = DC_SCAN_DPI;
    pixDestroy(&pix);
    if (!grey) return fail(msg, cap, SH_PARSE, "corrupt %s image: cannot convert it", d->kind);
    p->width = pixGetWidth(grey), p->height = pixGetHeight(grey), p->dpi = dpi;
    if (mode == SH_OCR_NEVER) {
        p->source = "none";
        if (!(p->text = calloc(1, 1))) rc = fail(msg, cap, SH_NOMEM, "out of memory");
    } else {
        rc = ocr_pix(grey, dpi, lang, p, msg, cap);
    }
    if (!rc) rc = page_image(grey, dpi, p, msg, cap);
    pixDestroy(&grey);
    return rc;
}

int sh_page_read(sh_doc *d, int n, int mode, const char *lang, sh_page *p, char *msg, size_t cap)
{
    *p = (sh_page){.number = n, .source = "none"};
    msg[0] = '\0';
    if (n < 1 || n > d->pages) return fail(msg, cap, SH_PARSE, "no page %d (of %d)", n, d->pages);
    int rc = d->pdf ? pdf_page(d, n, mode, lang ? lang : "eng", p, msg, cap)
                    : image_page(d, n, mode, lang ? lang : "eng", p, msg, cap);
    if (rc) sh_page_release(p);
    return rc;
}
