/*
 * declass — scan: scanned records (PDFs and page images) read by the helper
 * program declass-scan, one process per page, under limits (scan_limits.h).
 * The library links no PDF or OCR library: poppler, Leptonica and
 * Tesseract run only in the helper, so a crash, hang or runaway allocation
 * in them cannot take the database's process with it.  docs/scans.md
 * describes the pipeline and the helper's protocol.
 */
#ifndef DECLASS_SCAN_H
#define DECLASS_SCAN_H

#include <stddef.h>

#include "declass/util.h"
#include "scan/scan_limits.h"

/* Kinds of scanned input, told by magic bytes. */
enum { DC_SCAN_NONE = 0, DC_SCAN_PDF, DC_SCAN_PNG, DC_SCAN_TIFF, DC_SCAN_JPEG };

/* How a page's text is found (declass ingest --ocr). */
enum { DC_SCAN_OCR_AUTO = 0, DC_SCAN_OCR_FORCE, DC_SCAN_OCR_NEVER };

/* The kind of a file from its first bytes (at least 8 of them to tell
 * all), DC_SCAN_NONE if it is none of them. */
int dc_scan_kind(const void *head, size_t n);
/* The kind a file's name promises by its extension (.pdf, .png, .tif,
 * .tiff, .jpg, .jpeg, any case), DC_SCAN_NONE for any other name. */
int dc_scan_ext_kind(const char *name);
/* "PDF", "PNG", "TIFF", "JPEG" or "text". */
const char *dc_scan_kind_name(int kind);
/*
 * Checks a file's content kind against its name: DC_PARSE with err set
 * ("the name says PDF but the content is PNG") when the extension names
 * one scan kind and the content is another or not a scan at all, or the
 * content is a scan and the name ends in .txt, .text, .xml or .tei.
 */
dc_rc dc_scan_check_name(const char *name, int kind, dc_error *err);
/* Whether lang is a Tesseract language list ("eng", "eng+fra"): 1-64
 * letters, digits, '_' and '+'. */
int dc_scan_lang_ok(const char *lang);

/* One word of a page: its box in the page's pixels (x, y from the top
 * left) and the OCR's confidence 0-100 (100 from a text layer). */
typedef struct dc_scan_word {
    int x, y, w, h;
    float conf;
    char *text;
} dc_scan_word;

/* One page read.  source: "text" (the PDF's text layer), "ocr" or "none"
 * (no text layer, OCR not run: --ocr never). */
typedef struct dc_scan_page {
    int number; /* 1-based, in the document */
    int width, height, dpi;
    char source[8];
    float conf; /* mean word confidence */
    int low;    /* conf below DC_SCAN_LOW_CONFIDENCE */
    char *text;
    dc_scan_word *words;
    size_t n_words, cap_words;
    /* The page's image: an 8-bit grey PNG of img_width x img_height
     * pixels at img_dpi (DC_SCAN_VIEW_DPI or less). */
    unsigned char *png;
    size_t png_len;
    int img_width, img_height, img_dpi;
} dc_scan_page;

/* A scanned document: its pages in order.  Freed by dc_scan_doc_free. */
typedef struct dc_scan_doc {
    dc_scan_page *pages;
    size_t n_pages;
    dc_strv cache; /* the cache files of its pages (dc_scan_opts.cache_dir) */
} dc_scan_doc;

typedef struct dc_scan_opts {
    int ocr;          /* DC_SCAN_OCR_* */
    const char *lang; /* NULL: "eng" */
    /* Called in the caller's thread as pages finish (may be NULL). */
    void (*page_done)(void *ctx, const char *path, int done, int pages);
    void *ctx;
    /* A folder (made 0700 if missing) where each page's answer is kept as
     * it is read, named by the SHA-256 of the file's bytes, the page, --ocr,
     * --lang and the protocol: a page found there is not read again, so an
     * interrupted ingest resumes where it stopped.  The caller removes a
     * document's entries (dc_scan_forget) once it is stored for good.
     * NULL: no cache. */
    const char *cache_dir;
} dc_scan_opts;

/*
 * Reads a scanned document: a PDF or image file (n == 1 and files[0] is
 * path), or the page images files[0..n) of one document in order (a
 * --pages folder named path; each file's content must be an image, its
 * name saying the same, and messages name the file).  Pages are read by declass-scan processes, one per
 * core at a time, each under the limits of scan_limits.h.  On failure
 * (bad input: DC_PARSE or DC_LIMIT; the helper missing: DC_IO) *out is
 * NULL and err names the file and page.  *out is freed with
 * dc_scan_doc_free.
 */
dc_rc dc_scan_read(const char *path, const char *const *files, size_t n, const dc_scan_opts *opts,
                   dc_scan_doc **out, dc_error *err);
void dc_scan_doc_free(dc_scan_doc *d); /* NULL is a no-op */
/* Removes the cache files of d's pages (NULL is a no-op). */
void dc_scan_forget(const dc_scan_doc *d);

/*
 * The document's text for the text ingester: each page as "[Page N]", a
 * blank line, its text; at most DC_SCAN_MAX_TEXT bytes (DC_LIMIT).  The
 * text is NUL-terminated in out (dc_buf_init'ed by the caller).
 */
dc_rc dc_scan_text(const dc_scan_doc *d, dc_buf *out);

/*
 * The highest classification banner on any page — a line that is only a
 * level ("TOP SECRET", "SECRET - NODIS", "CONFIDENTIAL//NOFORN") — as
 * a DC_LEVEL-style rank 0-3 (UNCLASSIFIED..TOP SECRET) and its name in
 * *name (static), or -1 when no page has one.  The fail-safe rule reads
 * every page, not only the first.
 */
int dc_scan_banner(const dc_scan_doc *d, const char **name);

/* The path of the helper: $DECLASS_SCAN, else declass-scan next to the
 * running program, else ../libexec/declass/declass-scan from it.  Writes
 * it to out (cap bytes); DC_IO with err set if none is executable. */
dc_rc dc_scan_helper_path(char *out, size_t cap, dc_error *err);

#endif
