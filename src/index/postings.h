/*
 * Posting list cursors (postings.c): the reader side of the posting format
 * of docs/internals/index.md.
 */
#ifndef DC_INDEX_POSTINGS_H
#define DC_INDEX_POSTINGS_H

#include "index/index_int.h"

typedef struct dc_pcur {
    const uint8_t *base, *p, *end, *skip;
    uint32_t nskip, df, nread, ndocs;
    int64_t prev;
    uint32_t doc; /* current ordinal, DC_EOF at the end */
    uint32_t tf, pos1, plen;
    const uint8_t *pos;
    int *bad;
} dc_pcur;

typedef struct dc_posv {
    uint32_t *v;
    size_t n, cap;
} dc_posv;

/* Starts a cursor on the term ti of segment s, positioned on its first
 * document.  A bad entry sets *bad and returns -1 (cursor at DC_EOF). */
int dc_pc_init(dc_pcur *c, const dc_seg *s, const dc_tinfo *ti, int *bad);
/* Moves to the next document (inline: the innermost loop of every search). */
static inline void dc_pc_next(dc_pcur *c)
{
    int bad = 0;
    if (c->nread >= c->df) {
        c->doc = DC_EOF;
        return;
    }
    uint64_t v = dc_getv(&c->p, c->end, &bad);
    int64_t ord = c->prev + (int64_t)(v >> 1) + 1;
    if (v & 1) {
        c->tf = 1;
        c->pos1 = (uint32_t)dc_getv(&c->p, c->end, &bad);
        c->pos = NULL;
        c->plen = 0;
    } else {
        uint64_t tf = dc_getv(&c->p, c->end, &bad), plen = dc_getv(&c->p, c->end, &bad);
        if (tf < 2 || plen < tf || plen > (uint64_t)(c->end - c->p)) bad = 1;
        else {
            c->tf = (uint32_t)tf;
            c->pos = c->p;
            c->plen = (uint32_t)plen;
            c->p += plen;
        }
    }
    if (bad || ord >= c->ndocs) {
        *c->bad = 1;
        c->doc = DC_EOF;
        c->nread = c->df;
        return;
    }
    c->prev = ord;
    c->doc = (uint32_t)ord;
    c->nread++;
}

/* dc_pc_seek past the inline cases: uses the skip table. */
void dc_pc_seek_far(dc_pcur *c, uint32_t target);

/* Moves to the first document >= target. */
static inline void dc_pc_seek(dc_pcur *c, uint32_t target)
{
    if (c->doc >= target) return;
    if (c->doc + 1 == target) dc_pc_next(c); /* the next document: no skip to try */
    else dc_pc_seek_far(c, target);
}

/* 0, -1 corrupt (*bad set), -2 out of memory. */
int dc_pc_positions(dc_pcur *c, dc_posv *out);

#endif
