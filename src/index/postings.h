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
void dc_pc_next(dc_pcur *c);
void dc_pc_seek(dc_pcur *c, uint32_t target);
/* 0, -1 corrupt (*bad set), -2 out of memory. */
int dc_pc_positions(dc_pcur *c, dc_posv *out);

#endif
