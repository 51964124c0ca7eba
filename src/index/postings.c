/*
 * Posting list cursors over a mapped segment: delta-coded document
 * ordinals with term frequencies and positions, skip data every
 * DC_SKIP_EVERY documents so conjunctions can leapfrog.  Every read is
 * bounded by the term's own byte range; a malformed list sets *bad and
 * ends the cursor, and the search reports DC_CORRUPT.
 */
#include <stdlib.h>
#include <string.h>

#include "index/postings.h"
#include "util/util_int.h"
#include "util/banned.h"

int dc_pc_init(dc_pcur *c, const dc_seg *s, const dc_tinfo *ti, int *bad)
{
    memset(c, 0, sizeof *c);
    c->bad = bad;
    c->ndocs = (uint32_t)s->ndocs;
    uint64_t nskip = ti->df ? (ti->df - 1) / DC_SKIP_EVERY : 0;
    if (ti->df == 0 || ti->df > s->ndocs || ti->off > s->post_size ||
        ti->dlen > s->post_size - ti->off || nskip * 8 > s->post_size - ti->off - ti->dlen) {
        *bad = 1;
        c->doc = DC_EOF;
        return -1;
    }
    c->base = c->p = s->post + ti->off;
    c->end = c->base + ti->dlen;
    c->skip = c->end;
    c->nskip = (uint32_t)nskip;
    c->df = (uint32_t)ti->df;
    c->prev = -1;
    dc_pc_next(c);
    return 0;
}

/*
 * Moves to the first document >= target.  Whole blocks whose last ordinal
 * (from the skip table) is below target are jumped over without decoding.
 */
void dc_pc_seek_far(dc_pcur *c, uint32_t target)
{
    if (c->doc >= target) return;
    uint32_t j = c->nread / DC_SKIP_EVERY, j0 = j;
    while (j < c->nskip && dc_rd32(c->skip + 8 * (size_t)j) < target) j++;
    if (j > j0) {
        uint32_t last = dc_rd32(c->skip + 8 * (size_t)(j - 1));
        uint32_t off = dc_rd32(c->skip + 8 * (size_t)(j - 1) + 4);
        if (off > (size_t)(c->end - c->base) || (int64_t)last <= c->prev ||
            last >= c->ndocs || c->base + off < c->p) {
            *c->bad = 1;
            c->doc = DC_EOF;
            c->nread = c->df;
            return;
        }
        c->p = c->base + off;
        c->prev = last;
        c->nread = j * DC_SKIP_EVERY;
    }
    do dc_pc_next(c);
    while (c->doc < target);
}

/* Decodes the current document's positions into out (grown, capped). */
int dc_pc_positions(dc_pcur *c, dc_posv *out)
{
    out->n = 0;
    if (c->doc == DC_EOF) return 0;
    if (c->tf > out->cap) {
        if (c->tf > ((uint32_t)1 << 26)) {
            *c->bad = 1;
            return -1;
        }
        if (DC_GROW(out->v, c->tf, out->cap)) return -2;
    }
    if (c->tf == 1) {
        out->v[0] = c->pos1;
        out->n = 1;
        return 0;
    }
    const uint8_t *p = c->pos, *end = c->pos + c->plen;
    uint64_t cur = 0;
    int bad = 0;
    for (uint32_t i = 0; i < c->tf; i++) {
        cur += dc_getv(&p, end, &bad);
        if (bad || cur > 0xFFFFFFFFu) {
            *c->bad = 1;
            return -1;
        }
        out->v[i] = (uint32_t)cur;
    }
    out->n = c->tf;
    return 0;
}
