/*
 * Fuzz target: the PDF and page-image path of declass-scan (its core,
 * src/scan/helper/scan_helper.h): opening a PDF (poppler) or a PNG, TIFF
 * or JPEG (Leptonica) from memory and reading up to three pages' text
 * layers and word boxes, without OCR; and the library's side, telling a
 * file's kind by its magic bytes and checking a name against it.
 */
#include "fuzz.h"
#include "scan/scan.h"
#include "scan_helper.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dc_error err = {0};
    int kind = dc_scan_kind(data, size);
    (void)dc_scan_check_name("fuzz.pdf", kind, &err);
    char msg[512];
    sh_doc *d = NULL;
    if (sh_open(data, size, &d, msg, sizeof msg) != SH_OK) {
        if (!memchr(msg, '\0', sizeof msg) || !msg[0]) __builtin_trap(); /* a message, always */
        return 0;
    }
    int pages = sh_pages(d);
    if (pages < 1 || pages > DC_SCAN_MAX_PAGES) __builtin_trap();
    for (int n = 1; n <= pages && n <= 3; n++) {
        sh_page p;
        if (sh_page_read(d, n, SH_OCR_NEVER, "eng", &p, msg, sizeof msg) != SH_OK) continue;
        if (!p.text || p.number != n) __builtin_trap();
        for (size_t i = 0; i < p.n_words; i++)
            if (!p.words[i].text || strpbrk(p.words[i].text, " \n\t")) __builtin_trap();
        sh_page_release(&p);
    }
    sh_close(d);
    return 0;
}
