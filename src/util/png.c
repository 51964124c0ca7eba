/*
 * Grey page images (util_int.h, "dc_grey"): the 8-bit grey PNGs the scan
 * helper writes and the store keeps, read and written with zlib, and
 * boxes burned into them.  Only what declass itself writes is read: an
 * 8-bit grey, non-interlaced PNG; anything else is DC_PARSE.  The pixel
 * count is capped before any allocation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "util/util_int.h"
#include "util/banned.h"

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* Walks the chunks of png: the header's size into *w, *h, and the IDAT
 * data appended to idat (when not NULL). */
static dc_rc chunks(const unsigned char *png, size_t len, int *w, int *h, dc_buf *idat)
{
    if (len < 8 + 25 || memcmp(png, png_sig, 8) != 0) return DC_PARSE;
    size_t at = 8;
    int have_header = 0, ended = 0;
    while (!ended && at + 12 <= len) {
        uint32_t n = be32(png + at);
        const unsigned char *type = png + at + 4, *data = png + at + 8;
        if (n > len - at - 12) return DC_PARSE;
        if (!memcmp(type, "IHDR", 4)) {
            if (n != 13) return DC_PARSE;
            uint32_t ww = be32(data), hh = be32(data + 4);
            /* 8-bit grey, deflate, adaptive filters, not interlaced */
            if (data[8] != 8 || data[9] != 0 || data[10] != 0 || data[11] != 0 || data[12] != 0)
                return DC_PARSE;
            if (!ww || !hh || ww > DC_GREY_MAX_SIDE || hh > DC_GREY_MAX_SIDE ||
                (uint64_t)ww * hh > DC_GREY_MAX_PIXELS)
                return DC_LIMIT;
            *w = (int)ww, *h = (int)hh;
            have_header = 1;
        } else if (!memcmp(type, "IDAT", 4)) {
            if (!have_header) return DC_PARSE;
            if (idat) dc_buf_add(idat, (const char *)data, n);
        } else if (!memcmp(type, "IEND", 4)) {
            ended = 1;
        }
        at += 12 + (size_t)n;
    }
    if (!have_header || !ended) return DC_PARSE;
    return idat && idat->rc ? idat->rc : DC_OK;
}

dc_rc dc_grey_png_info(const unsigned char *png, size_t len, int *w, int *h)
{
    return chunks(png, len, w, h, NULL);
}

dc_rc dc_grey_png_idat(const unsigned char *png, size_t len, int *w, int *h, dc_buf *out)
{
    return chunks(png, len, w, h, out);
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

dc_rc dc_grey_read(const unsigned char *png, size_t len, dc_grey *out)
{
    memset(out, 0, sizeof *out);
    dc_buf z;
    dc_buf_init(&z, len + 1);
    int w = 0, h = 0;
    dc_rc rc = chunks(png, len, &w, &h, &z);
    size_t row = (size_t)w + 1, raw_len = row * (size_t)h;
    unsigned char *raw = rc ? NULL : malloc(raw_len);
    if (!rc && !raw) rc = DC_NOMEM;
    if (!rc) {
        uLongf got = (uLongf)raw_len;
        int zr = uncompress(raw, &got, (const Bytef *)z.p, (uLong)z.len);
        if (zr == Z_MEM_ERROR) rc = DC_NOMEM;
        else if (zr != Z_OK || got != raw_len) rc = DC_PARSE;
    }
    unsigned char *px = rc ? NULL : malloc((size_t)w * (size_t)h);
    if (!rc && !px) rc = DC_NOMEM;
    for (int y = 0; !rc && y < h; y++) {
        const unsigned char *in = raw + (size_t)y * row + 1;
        unsigned char *cur = px + (size_t)y * w, *up = y ? cur - w : NULL;
        int f = raw[(size_t)y * row];
        for (int x = 0; x < w; x++) {
            int a = x ? cur[x - 1] : 0, b = up ? up[x] : 0, c = x && up ? up[x - 1] : 0, v;
            switch (f) {
            case 0: v = in[x]; break;
            case 1: v = in[x] + a; break;
            case 2: v = in[x] + b; break;
            case 3: v = in[x] + (a + b) / 2; break;
            case 4: v = in[x] + paeth(a, b, c); break;
            default: v = -1; break;
            }
            if (v < 0) {
                rc = DC_PARSE;
                break;
            }
            cur[x] = (unsigned char)v;
        }
    }
    free(raw);
    dc_buf_release(&z);
    if (rc) {
        free(px);
        return rc;
    }
    out->w = w, out->h = h, out->px = px;
    return DC_OK;
}

void dc_grey_release(dc_grey *g)
{
    free(g->px);
    memset(g, 0, sizeof *g);
}

void dc_grey_fill(dc_grey *g, int x, int y, int w, int h, unsigned char v)
{
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > g->w ? g->w : x + w, y1 = y + h > g->h ? g->h : y + h;
    for (int r = y0; r < y1 && x0 < x1; r++)
        memset(g->px + (size_t)r * g->w + x0, v, (size_t)(x1 - x0));
}

dc_rc dc_grey_deflate(const dc_grey *g, dc_buf *out)
{
    size_t row = (size_t)g->w + 1, raw_len = row * (size_t)g->h;
    unsigned char *raw = malloc(raw_len);
    if (!raw) return DC_NOMEM;
    for (int y = 0; y < g->h; y++) { /* filter Up: blank paper and boxes pack well */
        unsigned char *o = raw + (size_t)y * row;
        const unsigned char *cur = g->px + (size_t)y * g->w, *up = y ? cur - g->w : NULL;
        o[0] = y ? 2 : 0;
        for (int x = 0; x < g->w; x++) o[1 + x] = (unsigned char)(cur[x] - (up ? up[x] : 0));
    }
    uLongf cap = compressBound((uLong)raw_len);
    dc_rc rc = DC_OK;
    char *dst = malloc(cap);
    if (!dst) rc = DC_NOMEM;
    if (!rc) {
        int zr = compress2((Bytef *)dst, &cap, raw, (uLong)raw_len, 3);
        rc = zr == Z_OK ? DC_OK : zr == Z_MEM_ERROR ? DC_NOMEM : DC_INTERNAL;
    }
    if (!rc) dc_buf_add(out, dst, cap);
    free(dst);
    free(raw);
    return rc ? rc : out->rc;
}

static void chunk(dc_buf *b, const char *type, const unsigned char *data, size_t n)
{
    unsigned char hd[8], crc[4];
    put32(hd, (uint32_t)n);
    memcpy(hd + 4, type, 4);
    dc_buf_add(b, (const char *)hd, 8);
    if (n) dc_buf_add(b, (const char *)data, n);
    uLong c = crc32(0L, (const Bytef *)type, 4);
    if (n) c = crc32(c, data, (uInt)n);
    put32(crc, (uint32_t)c);
    dc_buf_add(b, (const char *)crc, 4);
}

dc_rc dc_grey_write_png(const dc_grey *g, int dpi, dc_buf *out)
{
    dc_buf z;
    dc_buf_init(&z, 0);
    dc_rc rc = dc_grey_deflate(g, &z);
    if (!rc) {
        unsigned char ihdr[13] = {0}, phys[9];
        put32(ihdr, (uint32_t)g->w);
        put32(ihdr + 4, (uint32_t)g->h);
        ihdr[8] = 8; /* bit depth; colour type 0 (grey) and the rest 0 */
        uint32_t ppm = (uint32_t)((double)dpi / 0.0254 + 0.5);
        put32(phys, ppm), put32(phys + 4, ppm), phys[8] = 1;
        dc_buf_add(out, (const char *)png_sig, 8);
        chunk(out, "IHDR", ihdr, sizeof ihdr);
        if (dpi > 0) chunk(out, "pHYs", phys, sizeof phys);
        chunk(out, "IDAT", (const unsigned char *)z.p, z.len);
        chunk(out, "IEND", NULL, 0);
        rc = out->rc;
    }
    dc_buf_release(&z);
    return rc;
}
