/*
 * declass-scan's core: opening a PDF or a page image from memory, and
 * reading one page's text with word boxes — from the PDF's text layer
 * (poppler) or by OCR (Tesseract's C API).  Used by the helper program
 * (main.c) and the fuzz target (fuzz/fuzz_scan.c); never by libdeclass,
 * which only runs the program (src/scan/scan.c).  Caps: scan_limits.h.
 */
#ifndef DECLASS_SCAN_HELPER_H
#define DECLASS_SCAN_HELPER_H

#include <stddef.h>

/* Results: SH_OK, or the kind of failure (the protocol's error kinds). */
enum { SH_OK = 0, SH_PARSE, SH_LIMIT, SH_NOMEM, SH_INTERNAL };

/* How a page's text is found. */
enum { SH_OCR_AUTO = 0, SH_OCR_FORCE, SH_OCR_NEVER };

/* One word: its box in the page's pixels at the page's dpi (x, y from the
 * top left), its confidence 0-100 (100 for a text layer). */
typedef struct sh_word {
    int x, y, w, h;
    float conf;
    char *text; /* UTF-8, no blanks */
} sh_word;

/* One page read.  source is "text" (the PDF's text layer), "ocr" or
 * "none" (no text layer and OCR not run).  Owned strings and words are
 * freed by sh_page_release. */
typedef struct sh_page {
    int number; /* 1-based */
    int width, height, dpi;
    const char *source;
    float conf; /* mean word confidence, 0-100; 100 for a text layer */
    int low;    /* conf below DC_SCAN_LOW_CONFIDENCE */
    char *text; /* UTF-8 */
    sh_word *words;
    size_t n_words, cap_words;
    /* The page's image to store: an 8-bit grey PNG at img_dpi (at most
     * DC_SCAN_VIEW_DPI), img_width x img_height pixels. */
    unsigned char *png;
    size_t png_len;
    int img_width, img_height, img_dpi;
} sh_page;

typedef struct sh_doc sh_doc;

/*
 * Opens data[0..len) (borrowed: it must outlive the handle): a PDF (by
 * its magic "%PDF-") or a PNG, TIFF or JPEG image.  An encrypted or
 * password-protected PDF, one without "%%EOF" at its end (truncated),
 * one poppler cannot open, one with more than DC_SCAN_MAX_PAGES pages,
 * an image whose header is unreadable or over DC_SCAN_MAX_PIXELS /
 * DC_SCAN_MAX_SIDE fail with SH_PARSE / SH_LIMIT and msg (cap bytes) says
 * why.  *out is NULL on failure.
 */
int sh_open(const unsigned char *data, size_t len, sh_doc **out, char *msg, size_t cap);
/* "PDF", "PNG", "TIFF" or "JPEG". */
const char *sh_kind(const sh_doc *d);
/* Pages: a PDF's page count, 1 for an image. */
int sh_pages(const sh_doc *d);
/*
 * Reads page n (1-based) into *p: the text layer if the page has one and
 * ocr is SH_OCR_AUTO, else (SH_OCR_FORCE, or no text layer) OCR in lang
 * ("eng", "eng+fra") unless ocr is SH_OCR_NEVER.  An image is always
 * decoded (a corrupt one fails even with SH_OCR_NEVER).  On failure *p is
 * released and msg says why.
 */
int sh_page_read(sh_doc *d, int n, int ocr, const char *lang, sh_page *p, char *msg, size_t cap);
void sh_page_release(sh_page *p);
void sh_close(sh_doc *d); /* NULL is a no-op */

#endif
