/*
 * A scanned document as a PDF (dc_render_pdf): each page the image the
 * caller made of the reader's view (boxes burned into its pixels when the
 * view hides anything), a text layer of the view's words only, invisible
 * (render mode 3) over where they stand so that the PDF can be searched
 * and copied, and on a redacted page a line in the margin saying so.
 * Written by hand (PDF 1.4: one font, Helvetica, WinAnsi; images
 * /FlateDecode with the PNG predictor) so that no PDF library runs in
 * the process that holds the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "util/util_int.h"
#include "util/banned.h"

/* Helvetica's advance widths (1/1000 em) of WinAnsi 32..126, from its
 * AFM; others are taken as 556. */
static const short helv[95] = {
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333,  278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,  611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278,  556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,  500, 334, 260, 334, 584};

/* s in WinAnsi into out (cap bytes, NUL-terminated): ASCII as it is,
 * Latin-1 and the typographic quotes and dashes mapped, anything else
 * '?', control characters as spaces.  Returns its width in em. */
static double winansi(const char *s, unsigned char *out, size_t cap)
{
    size_t k = 0;
    double em = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && k + 1 < cap;) {
        unsigned cp = *p++;
        int extra = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : cp >= 0xc0 ? 1 : 0;
        if (cp >= 0x80) cp &= extra == 3 ? 0x07 : extra == 2 ? 0x0f : 0x1f;
        for (; extra > 0 && (*p & 0xc0) == 0x80; extra--) cp = cp << 6 | (*p++ & 0x3f);
        unsigned char c;
        if (cp < 0x20 || cp == 0x7f) c = ' ';
        else if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) c = (unsigned char)cp;
        else if (cp == 0x2018) c = 0x91;
        else if (cp == 0x2019) c = 0x92;
        else if (cp == 0x201c) c = 0x93;
        else if (cp == 0x201d) c = 0x94;
        else if (cp == 0x2013) c = 0x96;
        else if (cp == 0x2014) c = 0x97;
        else c = '?';
        out[k++] = c;
        em += (c >= 32 && c < 127 ? helv[c - 32] : 556) / 1000.0;
    }
    out[k] = '\0';
    return em;
}

/* Appends s as a PDF literal string (WinAnsi, escaped); returns its
 * width in em. */
static double pdf_str(dc_buf *b, const char *s)
{
    unsigned char w[1024];
    double em = winansi(s, w, sizeof w);
    dc_buf_putc(b, '(');
    for (const unsigned char *p = w; *p; p++) {
        if (*p == '(' || *p == ')' || *p == '\\') dc_buf_putc(b, '\\');
        dc_buf_putc(b, (char)*p);
    }
    dc_buf_putc(b, ')');
    return em;
}

typedef struct pdf {
    dc_buf *b;
    size_t *off; /* byte offset of each object, 1-based */
    size_t n;
} pdf;

static void obj(pdf *p, size_t id)
{
    p->off[id] = p->b->len;
    dc_buf_printf(p->b, "%zu 0 obj\n", id);
}

/* The page's content: the image over the whole page, the words in
 * invisible text fitted to their boxes, the notice on a redacted page. */
static void content(dc_buf *c, const dc_page *pg, double W, double H)
{
    double k = 72.0 / pg->dpi;
    dc_buf_printf(c, "q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q\n", W, H);
    if (pg->n_words) dc_buf_puts(c, "BT 3 Tr\n");
    for (size_t i = 0; i < pg->n_words; i++) {
        const dc_word *w = &pg->words[i];
        unsigned char t[1024];
        double em = winansi(w->text, t, sizeof t);
        if (em <= 0 || w->box.w <= 0 || w->box.h <= 0) continue;
        /* a box is about 1.2 em high; the word stretched (Tz) to 98% of
         * its box, so that text extraction sees the words apart */
        double size = w->box.h * k / 1.2, width = w->box.w * k * 0.98;
        dc_buf_printf(c, "/F1 %.2f Tf %.1f Tz 1 0 0 1 %.2f %.2f Tm ", size,
                      100.0 * width / (size * em), w->box.x * k,
                      H - (w->box.y + w->box.h) * k + w->box.h * k * 0.2);
        pdf_str(c, w->text);
        dc_buf_puts(c, " Tj\n");
    }
    if (pg->n_words) dc_buf_puts(c, "ET\n");
    if (pg->redacted) {
        dc_buf_puts(c, "BT 0 Tr 0 g /F1 8 Tf 1 0 0 1 18 8 Tm ");
        pdf_str(c, "Declassified release: the boxed passages are not declassified.");
        dc_buf_puts(c, " Tj ET\n");
    }
}

dc_rc dc_render_pdf(const dc_doc *doc, const dc_pdf_image *images, dc_buf *out)
{
    if (!doc || !out || (doc->n_scan && !images)) return DC_MISUSE;
    size_t np = doc->n_scan, nobj = 4 + 3 * np;
    pdf p = {out, calloc(nobj + 1, sizeof(size_t)), nobj};
    if (!p.off) return DC_NOMEM;
    dc_buf_add(out, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 15);
    obj(&p, 1);
    dc_buf_puts(out, "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    obj(&p, 2);
    dc_buf_puts(out, "<< /Type /Pages /Kids [");
    for (size_t i = 0; i < np; i++) dc_buf_printf(out, " %zu 0 R", 5 + 3 * i);
    dc_buf_printf(out, " ] /Count %zu >>\nendobj\n", np);
    obj(&p, 3);
    dc_buf_puts(out, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
                     " /Encoding /WinAnsiEncoding >>\nendobj\n");
    obj(&p, 4);
    dc_buf_puts(out, "<< /Producer (declass) /Title ");
    pdf_str(out, doc->title ? doc->title : doc->id);
    dc_buf_puts(out, " >>\nendobj\n");
    dc_buf c;
    dc_buf_init(&c, 0);
    for (size_t i = 0; i < np && !out->rc; i++) {
        const dc_page *pg = &doc->scan[i];
        const dc_pdf_image *im = &images[i];
        size_t id = 5 + 3 * i;
        int dpi = pg->dpi > 0 ? pg->dpi : 150;
        double W = im->w * 72.0 / dpi, H = im->h * 72.0 / dpi;
        obj(&p, id);
        dc_buf_printf(out,
                      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f]"
                      " /Resources << /XObject << /Im0 %zu 0 R >> /Font << /F1 3 0 R >> >>"
                      " /Contents %zu 0 R >>\nendobj\n",
                      W, H, id + 2, id + 1);
        dc_buf_reset(&c);
        content(&c, pg, W, H);
        obj(&p, id + 1);
        dc_buf_printf(out, "<< /Length %zu >>\nstream\n", c.len);
        dc_buf_add(out, c.p, c.len);
        dc_buf_puts(out, "\nendstream\nendobj\n");
        obj(&p, id + 2);
        dc_buf_printf(out,
                      "<< /Type /XObject /Subtype /Image /Width %d /Height %d"
                      " /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode"
                      " /DecodeParms << /Predictor 15 /Colors 1 /BitsPerComponent 8"
                      " /Columns %d >> /Length %zu >>\nstream\n",
                      im->w, im->h, im->w, im->zlen);
        dc_buf_add(out, (const char *)im->z, im->zlen);
        dc_buf_puts(out, "\nendstream\nendobj\n");
    }
    dc_rc rc = c.rc;
    dc_buf_release(&c);
    size_t xref = out->len;
    dc_buf_printf(out, "xref\n0 %zu\n0000000000 65535 f \n", nobj + 1);
    for (size_t i = 1; i <= nobj; i++) dc_buf_printf(out, "%010zu 00000 n \n", p.off[i]);
    dc_buf_printf(out,
                  "trailer\n<< /Size %zu /Root 1 0 R /Info 4 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                  nobj + 1, xref);
    free(p.off);
    return rc ? rc : out->rc;
}
