/*
 * Fuzz target: the page-image codec (src/util/png.c) on any bytes — the
 * library reads only the PNGs it stores, but a damaged or hostile
 * database must not crash it.  A PNG that decodes is boxed, written
 * again and read back: the same pixels; its own stream is walked too.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int w = 0, h = 0;
    dc_buf z;
    dc_buf_init(&z, 0);
    dc_grey_png_idat(data, size, &w, &h, &z);
    dc_buf_release(&z);
    dc_grey g;
    if (dc_grey_read(data, size, &g) != DC_OK) {
        if (g.px) abort(); /* nothing left behind on failure */
        return 0;
    }
    if (g.w < 1 || g.h < 1 || !g.px) abort();
    dc_grey_fill(&g, g.w / 4, g.h / 4, g.w / 2 + 1, g.h / 2 + 1, 0);
    dc_grey_fill(&g, -5, -5, 3, 3, 0); /* off the page: clipped */
    dc_buf b;
    dc_buf_init(&b, 0);
    if (dc_grey_write_png(&g, 150, &b) == DC_OK) {
        dc_grey back;
        if (dc_grey_read((const unsigned char *)b.p, b.len, &back) != DC_OK) abort();
        if (back.w != g.w || back.h != g.h ||
            memcmp(back.px, g.px, (size_t)g.w * (size_t)g.h) != 0)
            abort();
        dc_grey_release(&back);
    }
    dc_buf_release(&b);
    dc_grey_release(&g);
    return 0;
}
