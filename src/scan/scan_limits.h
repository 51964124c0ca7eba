/*
 * declass — scan: the caps on scanned input, in one place.  Shared by the
 * library (src/scan/scan.c, which runs the helper) and the helper program
 * declass-scan (src/scan/helper/), which parses PDFs and images.  A file
 * or page over a cap is bad input (DC_LIMIT, exit 3), never a truncation.
 * docs/scans.md lists them for users.
 */
#ifndef DECLASS_SCAN_LIMITS_H
#define DECLASS_SCAN_LIMITS_H

/* Bytes in one PDF or image file. */
#define DC_SCAN_MAX_FILE ((unsigned long long)256 << 20)
/* Pages in one PDF, and page images in one --pages folder. */
#define DC_SCAN_MAX_PAGES 2000
/* Pixels of one page as OCR sees it: an image's own size, a PDF page's
 * size at DC_SCAN_DPI.  60 Mpixel is an A2 sheet at 300 dpi. */
#define DC_SCAN_MAX_PIXELS ((unsigned long long)60000000)
/* Pixels along one side of a page. */
#define DC_SCAN_MAX_SIDE 30000
/* Resolution PDF pages are rendered at for OCR, and assumed for an image
 * that states none. */
#define DC_SCAN_DPI 300
/* Resolution of the page images stored and shown (scaled down from the
 * scan's own when it is higher; a text-layer PDF's page rendered at it). */
#define DC_SCAN_VIEW_DPI 150
/* What one helper run may take: CPU seconds, wall-clock seconds (then it
 * is killed), address space (bytes; not applied under AddressSanitizer,
 * whose shadow memory needs terabytes of it) and bytes of output. */
#define DC_SCAN_CPU_SECONDS 120
#define DC_SCAN_WALL_SECONDS 180
#define DC_SCAN_MAX_MEMORY ((unsigned long long)2 << 30)
#define DC_SCAN_MAX_OUTPUT ((unsigned long long)16 << 20)
/* Bytes of text of one scanned document (the text ingester's own cap). */
#define DC_SCAN_MAX_TEXT ((unsigned long long)64 << 20)
/* Helpers run at once: one per core, at most this many. */
#define DC_SCAN_MAX_WORKERS 16
/* A page whose mean word confidence (0-100) is below this is flagged
 * low-confidence. */
#define DC_SCAN_LOW_CONFIDENCE 70
/* Version of the helper's protocol (docs/scans.md, "Protocol"). */
#define DC_SCAN_PROTOCOL 2

#endif
