/*
 * Search: evaluates a parsed query tree (declass/query.h) over every
 * segment for one reader, scores with BM25, keeps the top offset+limit
 * hits in a heap, counts every match exactly and builds facets over all
 * matches.
 *
 * The index holds views: each entry is one view of a document with the
 * predicate saying who reads it, and for any reader exactly one entry of
 * a document counts (or none).  Everything the reader is given — hits,
 * totals, facets, and the statistics of BM25 (N, avgdl, document
 * frequencies) and the prefix limit — is computed over the entries that
 * count for them, so it equals what an index of their views alone would
 * give (docs/internals/index.md, "Statistics per reader").
 *
 * Per segment the tree becomes a tree of iterators over entry ordinals;
 * each iterator's advance(target) moves to the first entry >= target that
 * matches, so AND leapfrogs its kids and a NOT excludes what matches.
 *
 * Cost per match is kept small: the predicate, the filters but the date
 * range, and the facets come from the entry's profile (dc_seg.prof,
 * built at segment open), so a match costs one array read and one counter
 * increment, and facet values are resolved once per profile at the end.
 * A phrase match is confirmed at its first occurrence; its occurrences are
 * counted only if the document's score bound can still enter the top k.
 *
 * Word semantics (docs/internals/index.md): a TERM matches every exact
 * term with the same stem (unless exact), in the body and in the title
 * (title tf weighted DC_TITLE_BOOST, summed with the body's before BM25's
 * saturation, as BM25F does: a title holding every query word ranks above
 * documents that only mention them, tests/cli/test_volumes.py); a PHRASE or a quoted word matches
 * exact terms only, at consecutive positions; a PREFIX expands over the
 * sorted dictionary, at most DC_PREFIX_MAX_TERMS terms per field and
 * segment, beyond which the search fails with DC_LIMIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/postings.h"
#include "util/util_int.h"
#include "util/banned.h"

#define BM25_K1 1.2
#define BM25_B 0.75

enum { N_EMPTY, N_LEAF, N_PHRASE, N_AND, N_OR, N_FILTER, N_ALL };

/* Statistics of one scored leaf, summed over segments: for a phrase the
 * df of each term; for a word or prefix the df of each exact key it
 * expands to (the leaf's df is then the largest, an estimate of the df of
 * the union that is the same however the index is split into segments). */
typedef struct skey {
    uint8_t key[DC_KEY_MAX];
    size_t klen;
    uint64_t df;
} skey;

typedef struct stat {
    const dc_qnode *q;
    uint64_t *df;
    skey *keys;
    size_t nkeys, capkeys;
    int nomem;
    double idf;
} stat;

/* Adds df, the reader's document frequency of key ti in one segment. */
static void stat_key(stat *st, const dc_tinfo *ti, uint64_t df)
{
    if (!st) return;
    for (size_t i = 0; i < st->nkeys; i++)
        if (st->keys[i].klen == ti->klen && memcmp(st->keys[i].key, ti->key, ti->klen) == 0) {
            st->keys[i].df += df;
            return;
        }
    if (DC_GROW(st->keys, st->nkeys + 1, st->capkeys)) {
        st->nomem = 1;
        return;
    }
    skey *k = &st->keys[st->nkeys++];
    memcpy(k->key, ti->key, ti->klen);
    k->klen = ti->klen;
    k->df = df;
}

typedef struct sctx sctx;

typedef struct node {
    int kind, started;
    uint32_t doc;
    struct node **kids, **nots;
    size_t nkids, nnots;
    /* LEAF: union of cursors; PHRASE: one cursor per term */
    dc_pcur *pcs;
    uint8_t *wt;
    size_t npc;
    double tf;
    stat *st;
    uint64_t cost;
    size_t lead; /* PHRASE: the term with the smallest df, sought first */
    int has_phrase; /* a PHRASE in this subtree (scores may be bounded) */
    struct uwin *win;  /* LEAF of many cursors: their union a window at a time */
    int want_win;      /* LEAF: gets win once the tree is built (windows_alloc) */
    struct bwin *blk;  /* AND of dense leaves: their windows intersected (and_block_advance) */
    const dc_qnode *q; /* FILTER */
    sctx *cx;
} node;

struct sctx {
    const dc_seg *s;
    uint8_t *pred_ok; /* per predicate: 1 if it holds for the reader */
    uint8_t *ppass;   /* per profile: its predicate holds */
    int fast;         /* no deletions and every predicate holds: dictionary statistics */
    int none;         /* no live entry's predicate holds: nothing counts here */
    int bad;
    dc_rc rc;
    double avgdl;
    const dc_search_opts *o;
    uint32_t from, to;
    /* allocations of this search, freed together */
    void **allocs;
    size_t nallocs, capallocs;
    node **nodes;
    size_t nnodes, capnodes;
};

static void *cx_alloc(sctx *cx, size_t n)
{
    if (cx->rc) return NULL;
    if (DC_GROW(cx->allocs, cx->nallocs + 1, cx->capallocs)) {
        cx->rc = DC_NOMEM;
        return NULL;
    }
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        cx->rc = DC_NOMEM;
        return NULL;
    }
    cx->allocs[cx->nallocs++] = p;
    return p;
}

static node *new_node(sctx *cx, int kind)
{
    node *n = cx_alloc(cx, sizeof *n);
    if (!n) return NULL;
    if (DC_GROW(cx->nodes, cx->nnodes + 1, cx->capnodes)) {
        cx->rc = DC_NOMEM;
        return NULL;
    }
    cx->nodes[cx->nnodes++] = n;
    n->kind = kind;
    n->cx = cx;
    return n;
}

static void cx_release(sctx *cx)
{
    for (size_t i = 0; i < cx->nallocs; i++) free(cx->allocs[i]);
    free(cx->allocs);
    free(cx->nodes);
    free(cx->pred_ok);
    free(cx->ppass);
    memset(cx, 0, sizeof *cx);
}

/* ---- access ---- */

/*
 * Decides the segment's predicates for reader r: each access class once
 * by THE rule (dc_access_allows), then each predicate from its (class,
 * need) pairs, then each profile from its predicate.  Sets cx->fast when
 * the segment has no deletions and every predicate holds: then every
 * entry counts, and the dictionary's document frequencies and the
 * segment's totals are the reader's statistics as they are.
 */
static dc_rc preds_holding(sctx *cx, const dc_access_reader *r)
{
    const dc_seg *s = cx->s;
    uint8_t *cok = malloc(s->nclasses ? s->nclasses : 1);
    cx->pred_ok = malloc(s->npreds ? s->npreds : 1);
    cx->ppass = malloc(s->nprof ? s->nprof : 1);
    if (!cok || !cx->pred_ok || !cx->ppass) {
        free(cok);
        return cx->rc = DC_NOMEM;
    }
    for (uint32_t c = 0; c < s->nclasses; c++) {
        int open, level;
        const uint8_t *comps;
        size_t clen;
        if (dc_seg_class(s, c, &open, &level, &comps, &clen) != 0) {
            free(cok);
            cx->bad = 1;
            return DC_CORRUPT;
        }
        /* the compartments as C strings: each length byte's room holds
         * the previous name's NUL, so clen + 1 bytes hold them all */
        const char *names[256];
        char *buf = clen ? malloc(clen + 1) : NULL;
        if (clen && !buf) {
            free(cok);
            return cx->rc = DC_NOMEM;
        }
        size_t n = 0, at = 0;
        for (size_t i = 0; i < clen && n < 255; i += 1 + comps[i]) {
            memcpy(buf + at, comps + i + 1, comps[i]);
            names[n++] = buf + at;
            at += comps[i];
            buf[at++] = 0;
        }
        dc_access_class ac = {.open = open, .level = level, .compartments = names,
                              .n_compartments = n};
        cok[c] = (uint8_t)dc_access_allows(r, &ac);
        free(buf);
    }
    int all = 1, any = 0;
    for (uint32_t p = 0; p < s->npreds; p++) {
        const uint8_t *e;
        size_t n;
        int ok = dc_seg_pred(s, p, &e, &n) == 0;
        for (size_t k = 0; k < n && ok; k++) {
            uint32_t v = dc_rd32(e + 4 * k);
            ok = cok[v >> 1] == (v & 1); /* class ids checked at open */
        }
        cx->pred_ok[p] = (uint8_t)ok;
        all &= ok;
        any |= ok && s->pred_live[p] > 0;
    }
    for (uint32_t p = 0; p < s->nprof; p++) cx->ppass[p] = cx->pred_ok[s->profs[p].pred];
    cx->fast = all && s->ndel == 0;
    cx->none = !any;
    free(cok);
    return DC_OK;
}

/* The reader's document frequency of term ti in this segment: live
 * entries whose predicate holds that contain it.  Off the fast path this
 * walks the term's documents (skipping positions unread). */
static uint64_t reader_df(sctx *cx, const dc_tinfo *ti)
{
    if (cx->fast) return ti->df;
    if (cx->none) return 0; /* e.g. the public on a segment of unreleased documents */
    const dc_seg *s = cx->s;
    dc_pcur c;
    if (dc_pc_init(&c, s, ti, &cx->bad) != 0) return 0;
    uint64_t n = 0;
    for (; c.doc != DC_EOF; dc_pc_next(&c)) {
        uint32_t p = s->prof[c.doc];
        if (p >= s->nprof) { /* read from the file: checked here, not at open */
            cx->bad = 1;
            return 0;
        }
        n += cx->ppass[p] && !dc_seg_deleted(s, c.doc);
    }
    return n;
}

/* ---- iterators ---- */

static uint32_t advance(node *n, uint32_t target);

/* Adds the occurrences of cursor k (on the current entry) to *tf,
 * weighted; a weight-0 cursor (cites:, collection:) only sets *any. */
static inline void leaf_take(node *n, size_t k, double *tf, int *any)
{
    uint32_t t = n->pcs[k].tf;
    if (n->wt[k]) *tf += (double)n->wt[k] * t;
    else if (t) *any = 1;
}

/*
 * Unions of many cursors (a word's stem, a prefix: each surface form in
 * the body and in the title) are read a window of UWIN_DOCS entry
 * ordinals at a time: every cursor's postings in the window are summed
 * into an array by ordinal, with a bitmap of the ordinals present, and
 * advance() then scans the bitmap.  Each posting costs an addition where
 * a merge of the cursors by document (a heap) cost a comparison per
 * cursor level, and a word of many forms was most of a common query's
 * time.  The sums are of integers (weight times occurrences), exact in a
 * double, so the score is the one a merge gives.  An advance() past the
 * window seeks every cursor to the target (skip tables) and loads the
 * window holding the first of them.
 */
#define UWIN_DOCS 1024u

size_t dc_union_window_min = 4; /* cursors; fewer are merged directly (leaf_advance) */

typedef struct uwin {
    uint32_t lo, hi; /* the window's ordinals [lo, hi); hi == 0: none loaded */
    uint64_t bits[UWIN_DOCS / 64];
    double tf[UWIN_DOCS];
} uwin;

/* Loads the window holding the first document >= target of any cursor,
 * with every posting from target on: 0, or -1 when none is left. */
static int uwin_load(node *n, uint32_t target)
{
    uwin *w = n->win;
    uint32_t m = DC_EOF;
    for (size_t k = 0; k < n->npc; k++) {
        dc_pc_seek(&n->pcs[k], target);
        if (n->pcs[k].doc < m) m = n->pcs[k].doc;
    }
    if (m == DC_EOF || n->cx->rc) return -1;
    w->lo = m & ~(UWIN_DOCS - 1);
    w->hi = w->lo + UWIN_DOCS;
    memset(w->bits, 0, sizeof w->bits);
    for (size_t k = 0; k < n->npc; k++) {
        dc_pcur *c = &n->pcs[k];
        double wt = n->wt[k];
        for (; c->doc < w->hi; dc_pc_next(c)) {
            uint32_t i = c->doc - w->lo;
            uint64_t bit = (uint64_t)1 << (i & 63);
            if (w->bits[i >> 6] & bit) {
                w->tf[i] += wt * c->tf;
            } else {
                w->bits[i >> 6] |= bit;
                w->tf[i] = wt * c->tf;
            }
        }
    }
    return 0;
}

/*
 * An AND whose cheapest kids are leaves, the cheapest of them dense (at
 * least one document in dc_and_block_density on average), is read a
 * window at a time too: those kids' windows loaded at the same ordinals
 * and their bitmaps intersected, so a candidate costs a bit of the
 * intersection instead of an advance() of each of them; each one's sums
 * give its tf as its own advance() would.  The windows are the two
 * cheapest kids' and the next ones' holding at most dc_and_block_spread
 * times the cheapest's postings (and_block_kids): a window decodes every
 * posting of a kid in it, so a kid holding many more is sought, as any
 * kid that is not a leaf, only at the intersection's candidates.  A
 * sparser cheapest kid leaves the AND to and_advance, which seeks the
 * dearer kids only at its documents.  Density 0 turns this off (test
 * knobs).
 */
uint64_t dc_and_block_density = 32, dc_and_block_spread = 8;

typedef struct bwin {
    uint32_t lo, hi; /* the intersection's ordinals [lo, hi); hi == 0: none */
    size_t nblk;     /* the kids read by windows: the first nblk */
    uint64_t bits[UWIN_DOCS / 64];
} bwin;

static uint32_t leaf_advance_win(node *n, uint32_t target)
{
    uwin *w = n->win;
    for (;;) {
        /* targets only grow, and a window loaded for target t holds every
         * document of [t, hi): none lies between t and lo */
        if (target >= w->hi && uwin_load(n, target) != 0) return DC_EOF;
        uint32_t i = target > w->lo ? target - w->lo : 0;
        uint64_t word = w->bits[i >> 6] & (~(uint64_t)0 << (i & 63));
        for (uint32_t j = i >> 6;;) {
            if (word) {
                i = (j << 6) + (uint32_t)__builtin_ctzll(word);
                /* a weight-0 cursor (cites:, collection:) only says the
                 * document matches: its bit, with tf 0 */
                n->tf = w->tf[i];
                return w->lo + i;
            }
            if (++j == UWIN_DOCS / 64) break;
            word = w->bits[j];
        }
        target = w->hi;
    }
}

static uint32_t leaf_advance(node *n, uint32_t target)
{
    if (n->win) return leaf_advance_win(n, target);
    for (;;) {
        uint32_t m = DC_EOF;
        for (size_t k = 0; k < n->npc; k++) {
            if (n->pcs[k].doc < target) dc_pc_seek(&n->pcs[k], target);
            if (n->pcs[k].doc < m) m = n->pcs[k].doc;
        }
        if (m == DC_EOF || n->cx->rc) return DC_EOF;
        double tf = 0;
        int any = 0;
        for (size_t k = 0; k < n->npc; k++)
            if (n->pcs[k].doc == m) leaf_take(n, k, &tf, &any);
        if (tf > 0 || any) {
            n->tf = tf;
            return m;
        }
        target = m + 1;
    }
}

/* A position list read one position at a time, without a copy. */
typedef struct pstream {
    const uint8_t *p, *end; /* the varints left */
    uint64_t cur;
    int single; /* tf 1: the position is cur, not yet returned */
} pstream;

static void ps_init(pstream *st, const dc_pcur *c)
{
    if (c->tf == 1) {
        st->p = st->end = NULL;
        st->cur = c->pos1;
        st->single = 1;
    } else {
        st->p = c->pos;
        st->end = c->pos + c->plen;
        st->cur = 0;
        st->single = 0;
    }
}

/* The next position, UINT64_MAX at the end (and on a bad varint, *bad set).
 * The list's plen bytes hold its tf varints (checked by the cursor), and
 * most deltas take one byte. */
static inline uint64_t ps_next(pstream *st, int *bad)
{
    if (st->p < st->end && *st->p < 0x80) {
        st->cur += *st->p++;
        return st->cur;
    }
    if (st->single) {
        st->single = 0;
        return st->cur;
    }
    if (st->p >= st->end) return UINT64_MAX;
    st->cur += dc_getv(&st->p, st->end, bad);
    if (*bad || st->cur > 0xFFFFFFFFu) {
        *bad = 1;
        st->p = st->end;
        return UINT64_MAX;
    }
    return st->cur;
}

/* phrase_count for two terms, the common case: both lists in locals. */
static uint32_t phrase_count2(node *n, int first_only)
{
    size_t drv = n->pcs[1].tf < n->pcs[0].tf;
    pstream a, b; /* a: the driver, b: the other term */
    ps_init(&a, &n->pcs[drv]);
    ps_init(&b, &n->pcs[1 - drv]);
    int bad = 0;
    uint64_t cur = ps_next(&b, &bad);
    uint32_t count = 0;
    for (;;) {
        uint64_t x = ps_next(&a, &bad);
        if (x == UINT64_MAX) break;
        if (x < drv) continue;
        uint64_t start = x - drv, want = drv ? start : start + 1;
        while (cur < want) cur = ps_next(&b, &bad);
        if (cur == want) count++;
        if (cur == UINT64_MAX || (count && first_only)) break;
    }
    if (bad) {
        *n->pcs[0].bad = 1;
        return 0;
    }
    return count;
}

static uint32_t phrase_count(node *n, int first_only)
{
    if (n->npc == 2) return phrase_count2(n, first_only);
    size_t drv = 0;
    for (size_t k = 1; k < n->npc; k++)
        if (n->pcs[k].tf < n->pcs[drv].tf) drv = k;
    pstream st[DC_QUERY_MAX_TERMS];
    uint64_t cur[DC_QUERY_MAX_TERMS];
    int bad = 0;
    for (size_t k = 0; k < n->npc; k++) {
        ps_init(&st[k], &n->pcs[k]);
        cur[k] = k == drv ? 0 : ps_next(&st[k], &bad);
    }
    uint32_t count = 0;
    for (;;) {
        uint64_t x = ps_next(&st[drv], &bad);
        if (x == UINT64_MAX) break;
        if (x < drv) continue;
        uint64_t start = x - drv;
        int ok = 1, done = 0;
        for (size_t k = 0; k < n->npc && ok; k++) {
            if (k == drv) continue;
            uint64_t want = start + k;
            while (cur[k] < want) cur[k] = ps_next(&st[k], &bad);
            if (cur[k] == UINT64_MAX) done = 1;
            ok = cur[k] == want;
        }
        if (ok) count++;
        if (done || (count && first_only)) break;
    }
    if (bad) {
        *n->pcs[0].bad = 1;
        return 0;
    }
    return count;
}

static uint32_t phrase_advance(node *n, uint32_t target)
{
    for (;;) {
        uint32_t d = target;
        size_t agree = 0, k = n->lead;
        while (agree < n->npc) {
            dc_pcur *c = &n->pcs[k];
            dc_pc_seek(c, d);
            if (c->doc == DC_EOF) return DC_EOF;
            if (c->doc > d) {
                d = c->doc;
                agree = 1;
            } else {
                agree++;
            }
            k = (k + 1) % n->npc;
        }
        uint32_t cnt = phrase_count(n, 1);
        if (n->cx->rc || n->cx->bad) return DC_EOF;
        if (cnt) {
            n->tf = -1; /* counted by score() if the document may rank */
            return d;
        }
        target = d + 1;
    }
}

/* Loads the intersection of the kids' windows holding the first common
 * document >= target: 0, or -1 when none is left.  A kid whose window
 * starts later moves the target to its start, and the kids are made to
 * agree again. */
static int and_block_load(node *n, uint32_t target)
{
    bwin *b = n->blk;
    for (;;) {
        uint32_t lo = target & ~(UWIN_DOCS - 1);
        int agree = 1;
        for (size_t k = 0; k < b->nblk && agree; k++) {
            uwin *w = n->kids[k]->win;
            if (w->hi <= target && uwin_load(n->kids[k], target) != 0) return -1;
            if (w->lo > lo) {
                target = w->lo;
                agree = 0;
            }
        }
        if (!agree) continue;
        uint32_t from = target - lo;
        for (uint32_t j = 0; j < UWIN_DOCS / 64; j++) {
            uint64_t x = j < from / 64 ? 0 : ~(uint64_t)0;
            if (j == from / 64) x <<= from % 64;
            for (size_t k = 0; k < b->nblk && x; k++) x &= n->kids[k]->win->bits[j];
            b->bits[j] = x;
        }
        b->lo = lo, b->hi = lo + UWIN_DOCS;
        return 0;
    }
}

static uint32_t and_block_advance(node *n, uint32_t target)
{
    bwin *b = n->blk;
    for (;;) {
        if (target >= b->hi && and_block_load(n, target) != 0) return DC_EOF;
        uint32_t i = target > b->lo ? target - b->lo : 0, d = DC_EOF;
        for (uint32_t j = i >> 6; j < UWIN_DOCS / 64 && d == DC_EOF; j++) {
            uint64_t word = b->bits[j] & (j == i >> 6 ? ~(uint64_t)0 << (i & 63) : ~(uint64_t)0);
            if (word) d = b->lo + (j << 6) + (uint32_t)__builtin_ctzll(word);
        }
        if (d == DC_EOF) {
            target = b->hi;
            continue;
        }
        for (size_t k = 0; k < b->nblk; k++) {
            node *kid = n->kids[k];
            kid->started = 1;
            kid->doc = d;
            kid->tf = kid->win->tf[d - kid->win->lo];
        }
        /* the others are sought at the candidate; one that overshoots
         * moves the target to where it is */
        uint32_t x = d;
        for (size_t k = b->nblk; k < n->nkids && x == d; k++)
            if ((x = advance(n->kids[k], d)) == DC_EOF) return DC_EOF;
        if (x != d) {
            target = x;
            continue;
        }
        int excluded = 0;
        for (size_t k = 0; k < n->nnots && !excluded; k++) excluded = advance(n->nots[k], d) == d;
        if (!excluded) return d;
        target = d + 1;
    }
}

/* The kids are sorted by cost: the first, the cheapest, proposes each
 * candidate and the others confirm it in turn; one that overshoots sends
 * the candidate back to the first, whose next document past it is the
 * next candidate (the dearer kids are sought only at the cheapest one's
 * documents, not at each other's). */
static uint32_t and_advance(node *n, uint32_t target)
{
    uint32_t d = target;
    for (;;) {
        size_t k = 0;
        while (k < n->nkids) {
            uint32_t x = advance(n->kids[k], d);
            if (x == DC_EOF) return DC_EOF;
            if (x > d) {
                d = x;
                k = k ? 0 : 1; /* back to the first, or on to the second */
            } else {
                k++;
            }
        }
        int excluded = 0;
        for (size_t i = 0; i < n->nnots && !excluded; i++)
            excluded = advance(n->nots[i], d) == d;
        if (!excluded) return d;
        d++;
    }
}

static uint32_t or_advance(node *n, uint32_t target)
{
    uint32_t m = DC_EOF;
    for (size_t k = 0; k < n->nkids; k++) {
        uint32_t x = advance(n->kids[k], target);
        if (x < m) m = x;
    }
    return m;
}

static int filter_pass(sctx *cx, const dc_qnode *q, uint32_t ord)
{
    const uint8_t *x = cx->s->docs + (size_t)ord * DC_SEG_DOCREC;
    if (q->kind == DC_Q_CLASS) return x[44] == q->level;
    uint32_t date = dc_rd32(x + 16);
    if (!date) return 0;
    if (q->from[0] && date < dc_ix_date_key(q->from, 0)) return 0;
    if (q->to[0] && date > dc_ix_date_key(q->to, 1)) return 0;
    return 1;
}

static uint32_t advance(node *n, uint32_t target)
{
    if (n->started && n->doc >= target) return n->doc;
    n->started = 1;
    uint32_t nd = (uint32_t)n->cx->s->ndocs;
    switch (n->kind) {
    case N_LEAF: n->doc = leaf_advance(n, target); break;
    case N_PHRASE: n->doc = phrase_advance(n, target); break;
    case N_AND: n->doc = n->blk ? and_block_advance(n, target) : and_advance(n, target); break;
    case N_OR: n->doc = or_advance(n, target); break;
    case N_FILTER:
        while (target < nd && !filter_pass(n->cx, n->q, target)) target++;
        n->doc = target < nd ? target : DC_EOF;
        break;
    case N_ALL: n->doc = target < nd ? target : DC_EOF; break;
    default: n->doc = DC_EOF;
    }
    return n->doc;
}

/*
 * BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework",
 * 2009), as in Lucene:
 *     score = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
 *     idf   = ln(1 + (N - df + 0.5) / (df + 0.5))
 * with k1 = 1.2, b = 0.75.  The "1 +" inside the log is the IDF floor:
 * idf is never negative, even for a term in more than half the documents
 * (the classic Robertson idf would go below zero there).
 */
static double bm25(double tf, double idf, double dl, double avgdl)
{
    if (tf <= 0) return 0;
    double norm = BM25_K1 * (1 - BM25_B + BM25_B * (avgdl > 0 ? dl / avgdl : 1));
    return idf * tf * (BM25_K1 + 1) / (tf + norm);
}

/* Natural logarithm for x >= 1 (the library links no libm): x = m * 2^e
 * with m in [1, 2), ln m = 2 atanh((m - 1) / (m + 1)) by its series. */
static double ln_ge1(double x)
{
    int e = 0;
    while (x >= 2) x /= 2, e++;
    double z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= z2;
    }
    return 2 * sum + e * 0.69314718055994530942;
}

static double idf_of(double N, double df)
{
    return ln_ge1(1 + (N - df + 0.5) / (df + 0.5));
}

/*
 * The score of the current document d (every node with doc == d is still
 * on it).  A phrase knows after advance() only that it occurs: with exact
 * its occurrences are counted now; without, the result is an upper bound
 * (a phrase occurs at most as often as its rarest term in the document,
 * and BM25 grows with tf), so the caller can skip the count for a document
 * whose bound cannot enter the top k.  The bound adds the same terms in
 * the same order as the exact score, so bound >= score also in floating
 * point.
 */
static double score(node *n, uint32_t d, double dl, int exact)
{
    double s = 0;
    switch (n->kind) {
    case N_PHRASE:
        if (n->tf < 0) {
            uint32_t tf;
            if (exact) {
                tf = phrase_count(n, 0);
                n->tf = (double)tf * n->wt[0];
            } else {
                tf = n->pcs[0].tf;
                for (size_t k = 1; k < n->npc; k++)
                    if (n->pcs[k].tf < tf) tf = n->pcs[k].tf;
                return bm25((double)tf * n->wt[0], n->st ? n->st->idf : 0, dl, n->cx->avgdl);
            }
        }
        return bm25(n->tf, n->st ? n->st->idf : 0, dl, n->cx->avgdl);
    case N_LEAF: return bm25(n->tf, n->st ? n->st->idf : 0, dl, n->cx->avgdl);
    case N_AND:
        for (size_t k = 0; k < n->nkids; k++) s += score(n->kids[k], d, dl, exact);
        return s;
    case N_OR:
        for (size_t k = 0; k < n->nkids; k++)
            if (n->kids[k]->doc == d) s += score(n->kids[k], d, dl, exact);
        return s;
    default: return 0;
    }
}

/* ---- building the iterator tree for one segment ---- */

typedef struct fieldspec {
    uint8_t field, weight;
} fieldspec;

static size_t fields_of(dc_qfield f, fieldspec *out)
{
    if (f == DC_FIELD_TITLE) {
        out[0] = (fieldspec){DC_F_TITLE, 1};
        return 1;
    }
    if (f == DC_FIELD_PERSON) {
        out[0] = (fieldspec){DC_F_PERSON, 1};
        return 1;
    }
    out[0] = (fieldspec){DC_F_BODY, 1};
    out[1] = (fieldspec){DC_F_TITLE, DC_TITLE_BOOST};
    return 2;
}

static int leaf_add(node *n, size_t *cap, const dc_tinfo *ti, fieldspec fs)
{
    sctx *cx = n->cx;
    if (n->npc == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        dc_pcur *np = cx_alloc(cx, nc * sizeof *np);
        uint8_t *w = cx_alloc(cx, nc);
        if (!np || !w) return -1;
        if (n->npc) {
            memcpy(np, n->pcs, n->npc * sizeof *np);
            memcpy(w, n->wt, n->npc);
        }
        n->pcs = np, n->wt = w;
        *cap = nc;
    }
    size_t k = n->npc;
    if (dc_pc_init(&n->pcs[k], cx->s, ti, &cx->bad) != 0) return -1;
    n->wt[k] = fs.weight;
    n->npc++;
    n->cost += ti->df;
    return 0;
}

static stat *find_stat(stat *sts, size_t nst, const dc_qnode *q)
{
    for (size_t i = 0; i < nst; i++)
        if (sts[i].q == q) return &sts[i];
    return NULL;
}

static node *build(sctx *cx, const dc_qnode *q, stat *sts, size_t nst, int *limit);

/* Adds key ti to leaf n if the reader has it: an entry that counts
 * contains it (else, for this reader, the term is not in the segment). */
static int term_add(node *n, size_t *cap, const dc_tinfo *ti, fieldspec fs, stat *st,
                    int *added)
{
    uint64_t df = reader_df(n->cx, ti);
    *added = df > 0;
    if (!df) return 0;
    if (leaf_add(n, cap, ti, fs) != 0) return -1;
    stat_key(st, ti, df);
    return 0;
}

static node *build_term(sctx *cx, const dc_qnode *q, stat *st, int *limit)
{
    node *n = new_node(cx, N_LEAF);
    if (!n) return NULL;
    n->st = st;
    size_t cap = 0;
    fieldspec fs[2];
    size_t nf = fields_of(q->field, fs);
    uint8_t key[DC_KEY_MAX];
    const dc_seg *s = cx->s;
    int added;
    for (size_t f = 0; f < nf; f++) {
        const dc_qterm *t = &q->terms[0];
        key[0] = fs[f].field;
        if (q->kind == DC_Q_PREFIX) {
            size_t pl = t->len > DC_TERM_MAX ? DC_TERM_MAX : t->len;
            memcpy(key + 1, t->term, pl);
            dc_kcur c;
            int r = dc_kcur_seek(&c, &s->dict, 1, key, pl + 1);
            size_t cnt = 0;
            while (r == 1 && c.ti.klen >= pl + 1 && memcmp(c.ti.key, key, pl + 1) == 0) {
                /* only terms the reader has count toward the limit: one
                 * standing in hidden entries alone is not there for them */
                if (term_add(n, &cap, &c.ti, fs[f], st, &added) != 0) return NULL;
                if (added && ++cnt > DC_PREFIX_MAX_TERMS) {
                    *limit = 1;
                    return NULL;
                }
                r = dc_kcur_next(&c);
            }
            if (r < 0) cx->bad = 1;
        } else if (q->exact) {
            size_t tl = t->len > DC_TERM_MAX ? DC_TERM_MAX : t->len;
            memcpy(key + 1, t->term, tl);
            dc_tinfo ti;
            int r = dc_seg_lookup(s, key, tl + 1, &ti);
            if (r < 0) cx->bad = 1;
            if (r == 1 && term_add(n, &cap, &ti, fs[f], st, &added) != 0) return NULL;
        } else {
            size_t sl = t->stem_len > DC_TERM_MAX ? DC_TERM_MAX : t->stem_len;
            memcpy(key + 1, t->stem, sl);
            dc_kcur c;
            int r = dc_kcur_seek(&c, &s->stems, 0, key, sl + 1);
            if (r < 0) cx->bad = 1;
            if (r == 1 && c.ti.klen == sl + 1 && memcmp(c.ti.key, key, sl + 1) == 0) {
                const uint8_t *p = c.ords;
                uint64_t ord = 0;
                int bad = 0;
                for (uint64_t i = 0; i < c.nords && !bad; i++) {
                    ord += dc_getv(&p, c.end, &bad);
                    dc_kcur d;
                    if (bad || ord >= s->nterms || dc_kcur_at(&d, &s->dict, 1, (uint32_t)ord) != 1) {
                        cx->bad = 1;
                        break;
                    }
                    if (term_add(n, &cap, &d.ti, fs[f], st, &added) != 0) return NULL;
                }
            }
        }
    }
    if (!n->npc) n->kind = N_EMPTY;
    n->want_win = n->npc >= dc_union_window_min;
    return n;
}

/* A phrase in one field.  Its idf sums its terms' (the reader's) document
 * frequencies in the body, counted once (count_df: the body's node). */
static node *build_phrase(sctx *cx, const dc_qnode *q, stat *st, fieldspec fs, int count_df)
{
    node *n = new_node(cx, N_PHRASE);
    if (!n) return NULL;
    n->st = st;
    n->has_phrase = 1;
    size_t cap = 0;
    uint8_t key[DC_KEY_MAX];
    key[0] = fs.field;
    uint64_t mindf = UINT64_MAX;
    for (size_t i = 0; i < q->n_terms; i++) {
        const dc_qterm *t = &q->terms[i];
        size_t tl = t->len > DC_TERM_MAX ? DC_TERM_MAX : t->len;
        memcpy(key + 1, t->term, tl);
        dc_tinfo ti;
        int r = dc_seg_lookup(cx->s, key, tl + 1, &ti);
        if (r < 0) cx->bad = 1;
        uint64_t df = r == 1 && count_df ? reader_df(cx, &ti) : 0;
        if (st && count_df) st->df[i] += df;
        /* a term no counting entry holds: the phrase matches none */
        if (r != 1 || (count_df && !df)) {
            n->kind = N_EMPTY;
            mindf = 0;
            continue;
        }
        if (ti.df < mindf) {
            mindf = ti.df;
            n->lead = i;
        }
        if (n->kind == N_PHRASE && leaf_add(n, &cap, &ti, fs) != 0) return NULL;
    }
    n->cost = mindf;
    return n;
}

static int cost_cmp(const void *a, const void *b)
{
    const node *x = *(node *const *)a, *y = *(node *const *)b;
    return x->cost < y->cost ? -1 : x->cost > y->cost;
}

/* How many of AND n's kids (the cheapest first) are read by intersecting
 * windows, 0 for none: the cheapest is a dense leaf, and so many leaves
 * after it as hold at most dc_and_block_spread times its postings, two at
 * least. */
static size_t and_block_kids(const sctx *cx, const node *n)
{
    if (!dc_and_block_density || n->nkids < 2 || n->kids[0]->kind != N_LEAF ||
        n->kids[1]->kind != N_LEAF)
        return 0;
    uint64_t c0 = n->kids[0]->cost;
    if (!c0 || c0 < cx->s->ndocs / dc_and_block_density) return 0;
    size_t k = 2;
    while (k < n->nkids && n->kids[k]->kind == N_LEAF &&
           n->kids[k]->cost / c0 <= dc_and_block_spread)
        k++;
    return k;
}

/* An AND whose cheapest kid is sparse (below dc_and_block_density) seeks
 * its other words directly at that kid's documents: a window of theirs
 * would decode every posting in it for the few candidates there. */
static void and_sparse_seek(const sctx *cx, node *n)
{
    if (!dc_and_block_density || n->nkids < 2 ||
        n->kids[0]->cost >= cx->s->ndocs / dc_and_block_density)
        return;
    for (size_t k = 1; k < n->nkids; k++)
        if (n->kids[k]->kind == N_LEAF) n->kids[k]->want_win = 0;
}

/* Gives n the intersection of its first nblk kids' windows (each gets
 * one, those of few cursors too). */
static int and_block_make(sctx *cx, node *n, size_t nblk)
{
    for (size_t k = 0; k < nblk; k++) n->kids[k]->want_win = 1;
    if (!(n->blk = cx_alloc(cx, sizeof *n->blk))) return -1;
    n->blk->nblk = nblk;
    return 0;
}

/* The windows of the leaves that read by windows, once the ANDs above
 * them have decided (and_block_make, and_sparse_seek): 0, or -1 out of
 * memory. */
static int windows_alloc(sctx *cx)
{
    for (size_t i = 0; i < cx->nnodes; i++) {
        node *n = cx->nodes[i];
        if (n->kind == N_LEAF && n->want_win && !(n->win = cx_alloc(cx, sizeof *n->win)))
            return -1;
    }
    return 0;
}

static node *build(sctx *cx, const dc_qnode *q, stat *sts, size_t nst, int *limit)
{
    stat *st = find_stat(sts, nst, q);
    switch (q->kind) {
    case DC_Q_TERM:
    case DC_Q_PREFIX: return build_term(cx, q, st, limit);
    case DC_Q_PHRASE: {
        fieldspec fs[2];
        size_t nf = fields_of(q->field, fs);
        if (nf == 1) return build_phrase(cx, q, st, fs[0], 1);
        node *o = new_node(cx, N_OR);
        node **kids = cx_alloc(cx, 2 * sizeof *kids);
        if (!o || !kids) return NULL;
        kids[0] = build_phrase(cx, q, st, fs[0], 1);
        kids[1] = build_phrase(cx, q, st, fs[1], 0);
        if (!kids[0] || !kids[1]) return NULL;
        o->kids = kids, o->nkids = 2;
        o->has_phrase = 1;
        o->cost = kids[0]->cost + kids[1]->cost;
        return o;
    }
    case DC_Q_CITES:
    case DC_Q_COLLECTION: {
        node *n = new_node(cx, N_LEAF);
        if (!n) return NULL;
        uint8_t key[DC_KEY_MAX];
        size_t k = dc_ix_norm_value(q->kind == DC_Q_CITES ? DC_F_CITES : DC_F_COLL, q->value,
                                    q->value_len, key);
        dc_tinfo ti;
        size_t cap = 0;
        int r = dc_seg_lookup(cx->s, key, k, &ti);
        if (r < 0) cx->bad = 1;
        if (r == 1 && leaf_add(n, &cap, &ti, (fieldspec){key[0], 0}) != 0) return NULL;
        if (!n->npc) n->kind = N_EMPTY;
        return n;
    }
    case DC_Q_DATE:
    case DC_Q_CLASS: {
        node *n = new_node(cx, N_FILTER);
        if (!n) return NULL;
        n->q = q;
        n->cost = cx->s->ndocs + 1;
        return n;
    }
    case DC_Q_NOT: return build(cx, q->kids[0], sts, nst, limit);
    case DC_Q_AND:
    case DC_Q_OR: {
        node *n = new_node(cx, q->kind == DC_Q_AND ? N_AND : N_OR);
        if (!n) return NULL;
        n->kids = cx_alloc(cx, q->n_kids * sizeof *n->kids);
        n->nots = cx_alloc(cx, q->n_kids * sizeof *n->nots);
        if (!n->kids || !n->nots) return NULL;
        n->cost = q->kind == DC_Q_AND ? UINT64_MAX : 0;
        for (size_t i = 0; i < q->n_kids; i++) {
            node *k = build(cx, q->kids[i], sts, nst, limit);
            if (!k) return NULL;
            if (q->kind == DC_Q_AND && q->kids[i]->kind == DC_Q_NOT) {
                n->nots[n->nnots++] = k;
                continue;
            }
            n->kids[n->nkids++] = k;
            n->has_phrase |= k->has_phrase;
            if (q->kind == DC_Q_AND && k->cost < n->cost) n->cost = k->cost;
            if (q->kind == DC_Q_OR) n->cost += k->cost;
        }
        if (q->kind == DC_Q_AND) qsort(n->kids, n->nkids, sizeof *n->kids, cost_cmp);
        if (n->nkids == 0) n->kind = N_EMPTY; /* a NOT-only AND: rejected by the parser */
        size_t nblk = n->kind == N_AND ? and_block_kids(cx, n) : 0;
        if (nblk && and_block_make(cx, n, nblk) != 0) return NULL;
        if (n->kind == N_AND && !nblk) and_sparse_seek(cx, n);
        return n;
    }
    }
    return new_node(cx, N_EMPTY);
}

/* Registers a stat slot for each leaf of the tree (terms scored by BM25). */
static int collect_stats(const dc_qnode *q, stat *sts, size_t *nst, size_t cap, uint64_t *dfs,
                         size_t *ndf)
{
    if (q->kind == DC_Q_TERM || q->kind == DC_Q_PREFIX || q->kind == DC_Q_PHRASE) {
        size_t need = q->kind == DC_Q_PHRASE ? q->n_terms : 1;
        if (*nst >= cap || *ndf + need > 2 * DC_QUERY_MAX_TERMS) return -1;
        sts[*nst].q = q;
        sts[*nst].df = dfs + *ndf;
        *ndf += need;
        (*nst)++;
    }
    if (q->kind == DC_Q_NOT) return 0; /* excluded terms are not scored */
    for (size_t i = 0; i < q->n_kids; i++)
        if (collect_stats(q->kids[i], sts, nst, cap, dfs, ndf) != 0) return -1;
    return 0;
}

/* ---- results ---- */

static int stored_fields(const dc_seg *s, uint32_t ord, const char **f, size_t *len);

typedef struct hitent {
    double score;
    uint64_t docid;
    uint32_t seg, ord;
    const char *id; /* the document id, in the segment's mapping */
    size_t idlen;
} hitent;

/* Ranks by score, equal scores by document id: an order that depends only
 * on what the reader sees (a docid tells when a version was stored, and a
 * hidden review makes a new one). */
static int worse(const hitent *a, const hitent *b)
{
    if (a->score != b->score) return a->score < b->score;
    size_t n = a->idlen < b->idlen ? a->idlen : b->idlen;
    int c = memcmp(a->id, b->id, n);
    return c > 0 || (c == 0 && a->idlen > b->idlen);
}

typedef struct heap {
    hitent *v;
    size_t n, cap;
} heap;

static void heap_push(heap *h, hitent e)
{
    if (!h->cap) return;
    size_t i;
    if (h->n < h->cap) {
        i = h->n++;
        while (i && worse(&e, &h->v[(i - 1) / 2])) {
            h->v[i] = h->v[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h->v[i] = e;
        return;
    }
    if (!worse(&h->v[0], &e)) return;
    i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const hitent *best = &e;
        if (l < h->n && worse(&h->v[l], best)) m = l, best = &h->v[l];
        if (r < h->n && worse(&h->v[r], best)) m = r;
        if (m == i) break;
        h->v[i] = h->v[m];
        i = m;
    }
    h->v[i] = e;
}

static int hit_cmp(const void *a, const void *b)
{
    const hitent *x = a, *y = b;
    return worse(x, y) ? 1 : worse(y, x) ? -1 : 0;
}

/* A facet value being counted: a string of a mapped segment (v, len) or,
 * for decade and year, its text in buf (v NULL). */
typedef struct fval {
    const char *v;
    uint32_t len;
    uint32_t num; /* year: the year, for the ascending order */
    uint64_t count;
    char buf[16];
} fval;

typedef struct facc {
    fval *v;
    size_t n, cap;
} facc;

#define N_FACETS 5 /* collection, decade, classification, doc_type, year */

typedef struct resbox {
    dc_search_result r;
    void **allocs;
    size_t nallocs, cap;
} resbox;

static void *r_alloc(resbox *b, size_t n)
{
    if (DC_GROW(b->allocs, b->nallocs + 1, b->cap)) return NULL;
    void *p = calloc(1, n ? n : 1);
    if (p) b->allocs[b->nallocs++] = p;
    return p;
}

static char *r_strn(resbox *b, const char *s, size_t n)
{
    char *p = r_alloc(b, n + 1);
    if (p) memcpy(p, s, n);
    return p;
}

void dc_search_result_free(dc_search_result *r)
{
    if (!r) return;
    resbox *b = (resbox *)r;
    for (size_t i = 0; i < b->nallocs; i++) free(b->allocs[i]);
    free(b->allocs);
    free(b);
}

static fval *facc_push(facc *f, uint64_t cnt)
{
    if (DC_GROW(f->v, f->n + 1, f->cap)) return NULL;
    fval *e = &f->v[f->n++];
    memset(e, 0, sizeof *e);
    e->count = cnt;
    return e;
}

static const char *fval_str(const fval *e)
{
    return e->v ? e->v : e->buf;
}

static int fval_key_cmp(const void *a, const void *b)
{
    const fval *x = a, *y = b;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(fval_str(x), fval_str(y), n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* By count descending, then value (bytewise, as strcmp). */
static int fval_cmp(const void *a, const void *b)
{
    const fval *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(fval_str(x), fval_str(y), n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Sorts f by value and adds up the counts of equal values (values from
 * several segments, or years from several profiles). */
static void facc_merge(facc *f)
{
    if (f->n < 2) return;
    qsort(f->v, f->n, sizeof *f->v, fval_key_cmp);
    size_t w = 0;
    for (size_t i = 1; i < f->n; i++) {
        if (fval_key_cmp(&f->v[w], &f->v[i]) == 0) {
            f->v[w].count += f->v[i].count;
        } else {
            f->v[++w] = f->v[i];
        }
    }
    f->n = w + 1;
}

/* Reads the stored strings of a document: id, title, date, classification. */
static int stored_fields(const dc_seg *s, uint32_t ord, const char **f, size_t *len)
{
    const uint8_t *x = s->docs + (size_t)ord * DC_SEG_DOCREC;
    uint32_t off = dc_rd32(x + 12);
    if (off > s->stored_size) return -1;
    const uint8_t *p = s->stored + off, *end = s->stored + s->stored_size;
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t l = dc_getv(&p, end, &bad);
        if (bad || l > (uint64_t)(end - p)) return -1;
        f[i] = (const char *)p;
        len[i] = (size_t)l;
        p += l;
    }
    return 0;
}

static int coll_match(const dc_seg *s, uint32_t id, const char *want)
{
    size_t l;
    const char *v = dc_seg_string(s, id, &l);
    if (!v) return 0;
    uint8_t a[DC_KEY_MAX], b[DC_KEY_MAX];
    size_t la = dc_ix_norm_value('L', v, l, a), lb = dc_ix_norm_value('L', want, strlen(want), b);
    return la == lb && memcmp(a, b, la) == 0;
}

/*
 * Evaluates the query over all segments.  Phase 1 builds each segment's
 * iterator tree and sums document frequencies over segments (so IDF and
 * avgdl are those of the whole index); phase 2 runs each tree, counting
 * every visible match, feeding facets and the top-k heap.
 */
dc_rc dc_index_search(dc_index *ix, dc_analyzer *a, const dc_query *q,
                      const dc_search_opts *opts, dc_search_result **out)
{
    (void)a;
    if (!out) return DC_MISUSE;
    *out = NULL;
    if (!ix || !q) return DC_MISUSE;
    dc_search_opts o = {0};
    o.classification = -1;
    if (opts) o = *opts;
    if (!o.limit) o.limit = 10;
    if (o.limit > DC_MAX_PAGE || o.offset > DC_MAX_PAGE - o.limit)
        return dc_ix_fail(ix, DC_LIMIT, "search: offset + limit above %u", DC_MAX_PAGE);
    const dc_access_reader *rd = o.reader; /* NULL: the public */
    const dc_qnode *root = dc_query_root(q);
    stat sts[2 * DC_QUERY_MAX_TERMS];
    memset(sts, 0, sizeof sts);
    uint64_t dfs[2 * DC_QUERY_MAX_TERMS];
    memset(dfs, 0, sizeof dfs);
    size_t nst = 0, ndf = 0;
    if (collect_stats(root, sts, &nst, 2 * DC_QUERY_MAX_TERMS, dfs, &ndf) != 0)
        return dc_ix_fail(ix, DC_LIMIT, "search: query too large");
    size_t ns = ix->nsegs;
    sctx *cxs = calloc(ns ? ns : 1, sizeof *cxs);
    node **roots = calloc(ns ? ns : 1, sizeof *roots);
    resbox *box = calloc(1, sizeof *box);
    heap h = {0};
    facc fac[N_FACETS] = {{0}};
    dc_rc rc = DC_OK;
    const char *bad_seg = NULL;
    if (!cxs || !roots || !box) rc = DC_NOMEM;
    /* The reader's collection statistics: the entries that count for them
     * (live, predicate holding) and their summed length, as integers, so
     * that they equal those of an index holding only the reader's views. */
    uint64_t nlive = 0, sumlen = 0;
    int outdated = 0;
    uint32_t from = o.from ? dc_ix_date_key(o.from, 0) : 0;
    uint32_t to = o.to ? dc_ix_date_key(o.to, 1) : 0;
    for (size_t i = 0; i < ns && !rc; i++) {
        sctx *cx = &cxs[i];
        cx->s = ix->segs[i];
        if (cx->s->outdated) {
            rc = dc_ix_fail(ix, DC_CORRUPT,
                            "the index has an older format and must be rebuilt (segment %s)",
                            cx->s->path);
            outdated = 1;
            break;
        }
        rc = preds_holding(cx, rd);
        if (!rc && cx->fast) {
            nlive += cx->s->ndocs;
            sumlen += cx->s->total_len;
        } else if (!rc) {
            for (uint32_t p = 0; p < cx->s->npreds; p++)
                if (cx->pred_ok[p]) {
                    nlive += cx->s->pred_live[p];
                    sumlen += cx->s->pred_len[p];
                }
        }
        int limit = 0;
        if (!rc) {
            roots[i] = build(cx, root, sts, nst, &limit);
            if (roots[i] && windows_alloc(cx) != 0) roots[i] = NULL;
            if (!roots[i]) rc = limit ? DC_LIMIT : cx->rc ? cx->rc : DC_CORRUPT;
            if (limit)
                dc_ix_fail(ix, rc, "search: a prefix matches more than %u terms",
                           DC_PREFIX_MAX_TERMS);
        }
        if (cx->bad && rc != DC_LIMIT) rc = DC_CORRUPT;
        if (rc == DC_CORRUPT) bad_seg = cx->s->path;
    }
    double N = (double)nlive, total_len = (double)sumlen;
    for (size_t i = 0; i < nst; i++) {
        const dc_qnode *qn = sts[i].q;
        sts[i].idf = 0;
        if (sts[i].nomem) rc = DC_NOMEM;
        if (qn->kind == DC_Q_PHRASE) {
            for (size_t k = 0; k < qn->n_terms; k++) sts[i].idf += idf_of(N, (double)sts[i].df[k]);
        } else {
            uint64_t df = 0;
            for (size_t k = 0; k < sts[i].nkeys; k++)
                if (sts[i].keys[k].df > df) df = sts[i].keys[k].df;
            sts[i].idf = idf_of(N, (double)df);
        }
    }
    uint64_t total = 0;
    h.cap = o.offset + o.limit;
    if (!rc && !(h.v = malloc(h.cap * sizeof *h.v))) rc = DC_NOMEM;
    for (size_t i = 0; i < ns && !rc; i++) {
        sctx *cx = &cxs[i];
        const dc_seg *s = cx->s;
        cx->avgdl = N > 0 ? total_len / N : 1;
        uint32_t nstr = s->nstrings, nprof = s->nprof;
        uint64_t *cnt = calloc((size_t)nstr * 3 + 1000, sizeof *cnt);
        uint32_t *pcnt = calloc(nprof ? nprof : 1, sizeof *pcnt);
        uint8_t *pok = malloc(nprof ? nprof : 1);
        if (!cnt || !pcnt || !pok) {
            free(cnt), free(pcnt), free(pok);
            rc = DC_NOMEM;
            break;
        }
        uint32_t want_coll = DC_NONE32, want_type = DC_NONE32;
        int none_match = 0;
        if (o.collection) {
            none_match = 1;
            for (uint32_t c = 0; c < nstr; c++)
                if (coll_match(s, c, o.collection)) want_coll = c, none_match = 0;
        }
        if (o.doc_type && !none_match) {
            none_match = 1;
            for (uint32_t c = 0; c < nstr; c++)
                if (coll_match(s, c, o.doc_type)) want_type = c, none_match = 0;
        }
        /* what every profile allows: 1 counts, 0 not the reader's entry
         * or filtered out (predicates were checked at open) */
        for (uint32_t p = 0; p < nprof; p++) {
            const dc_sprof *P = &s->profs[p];
            pok[p] = cx->ppass[p] &&
                     !(o.classification >= 0 && P->filter_level != o.classification) &&
                     !(o.collection && P->coll != want_coll) &&
                     !(o.doc_type && P->doctype != want_type);
        }
        const uint32_t *prof = s->prof, *dlen = s->dlen;
        node *r = roots[i];
        for (uint32_t d = none_match ? DC_EOF : advance(r, 0); d != DC_EOF;
             d = d + 1 < s->ndocs ? advance(r, d + 1) : DC_EOF) {
            if (cx->rc || cx->bad) break;
            if (dc_seg_deleted(s, d)) continue;
            uint32_t p = prof[d];
            if (p >= nprof) { /* read from the file: checked here, not at open */
                cx->bad = 1;
                break;
            }
            if (!pok[p]) continue;
            if (from || to) {
                uint32_t date = dc_rd32(s->docs + (size_t)d * DC_SEG_DOCREC + 16);
                if (!date || (from && date < from) || (to && date > to)) continue;
            }
            total++;
            pcnt[p]++;
            /* a full heap rejects a document whose score bound is below
             * its worst: phrases then need no occurrence count */
            if (h.n == h.cap && r->has_phrase && score(r, d, dlen[d], 0) < h.v[0].score)
                continue;
            hitent e = {score(r, d, dlen[d], 1), 0, (uint32_t)i, d, NULL, 0};
            if (cx->bad || cx->rc) break;
            if (h.n < h.cap || !(e.score < h.v[0].score)) {
                const char *f[4];
                size_t l[4];
                if (stored_fields(s, d, f, l) != 0) {
                    cx->bad = 1;
                    break;
                }
                e.id = f[0], e.idlen = l[0];
                e.docid = dc_rd64(s->docs + (size_t)d * DC_SEG_DOCREC);
                heap_push(&h, e);
            }
        }
        if (cx->rc) rc = cx->rc;
        else if (cx->bad) rc = DC_CORRUPT, bad_seg = s->path;
        /* facets: profile counts to string ids, decades and years */
        for (uint32_t p = 0; p < nprof && !rc; p++) {
            if (!pcnt[p]) continue;
            const dc_sprof *P = &s->profs[p];
            if (P->coll < nstr) cnt[P->coll] += pcnt[p];
            if (P->doctype < nstr) cnt[nstr + P->doctype] += pcnt[p];
            if (P->classstr < nstr) cnt[2 * (size_t)nstr + P->classstr] += pcnt[p];
            if (P->year) {
                cnt[3 * (size_t)nstr + (P->year / 10) % 1000] += pcnt[p];
                fval *e = facc_push(&fac[4], pcnt[p]);
                if (!e) rc = DC_NOMEM;
                else {
                    e->num = P->year;
                    e->len = (uint32_t)snprintf(e->buf, sizeof e->buf, "%u", P->year);
                }
            }
        }
        for (uint32_t c = 0; c < nstr && !rc; c++)
            for (int f = 0; f < 3; f++)
                if (cnt[(size_t)f * nstr + c]) {
                    size_t l;
                    const char *v = dc_seg_string(s, c, &l);
                    fval *e = v ? facc_push(&fac[f == 0 ? 0 : f == 1 ? 3 : 2],
                                            cnt[(size_t)f * nstr + c])
                                : NULL;
                    if (!v) rc = DC_CORRUPT, bad_seg = s->path;
                    else if (!e) rc = DC_NOMEM;
                    else e->v = v, e->len = (uint32_t)l;
                }
        for (unsigned dec = 0; dec < 1000 && !rc; dec++)
            if (cnt[3 * (size_t)nstr + dec]) {
                fval *e = facc_push(&fac[1], cnt[3 * (size_t)nstr + dec]);
                if (!e) rc = DC_NOMEM;
                else e->len = (uint32_t)snprintf(e->buf, sizeof e->buf, "%u0s", dec);
            }
        free(cnt);
        free(pcnt);
        free(pok);
    }
    /* results */
    if (!rc) {
        box->r.total = total;
        qsort(h.v, h.n, sizeof *h.v, hit_cmp);
        size_t first = o.offset < h.n ? o.offset : h.n;
        size_t nh = h.n - first;
        dc_hit *hits = r_alloc(box, nh * sizeof *hits);
        dc_facet *facets = r_alloc(box, N_FACETS * sizeof *facets);
        if (!hits || !facets) rc = DC_NOMEM;
        for (size_t k = 0; k < nh && !rc; k++) {
            const hitent *e = &h.v[first + k];
            const char *f[4];
            size_t l[4];
            if (stored_fields(ix->segs[e->seg], e->ord, f, l) != 0) {
                rc = DC_CORRUPT;
                bad_seg = ix->segs[e->seg]->path;
                break;
            }
            hits[k].docid = e->docid;
            hits[k].score = e->score;
            const char **dst[4] = {&hits[k].id, &hits[k].title, &hits[k].date,
                                   &hits[k].classification};
            for (int j = 0; j < 4; j++) {
                *dst[j] = l[j] || j == 0 ? r_strn(box, f[j], l[j]) : NULL;
                if ((l[j] || j == 0) && !*dst[j]) rc = DC_NOMEM;
            }
        }
        static const char *const names[N_FACETS] = {"collection", "decade", "classification",
                                                    "doc_type", "year"};
        for (int f = 0; f < N_FACETS && !rc; f++) {
            /* one segment has each string once; years come per profile */
            if (ns > 1 || f == 4) facc_merge(&fac[f]);
            if (f != 4 && fac[f].n) qsort(fac[f].v, fac[f].n, sizeof *fac[f].v, fval_cmp);
            dc_facet_value *vals = r_alloc(box, fac[f].n * sizeof *vals);
            if (!vals) {
                rc = DC_NOMEM;
                break;
            }
            for (size_t k = 0; k < fac[f].n && !rc; k++) {
                vals[k].value = r_strn(box, fval_str(&fac[f].v[k]), fac[f].v[k].len);
                vals[k].count = fac[f].v[k].count;
                if (!vals[k].value) rc = DC_NOMEM;
            }
            facets[f].name = names[f];
            facets[f].values = vals;
            facets[f].n_values = fac[f].n;
        }
        if (!rc) {
            box->r.hits = hits;
            box->r.n_hits = nh;
            box->r.facets = facets;
            box->r.n_facets = N_FACETS;
        }
    }
    for (int f = 0; f < N_FACETS; f++) free(fac[f].v);
    free(h.v);
    for (size_t i = 0; i < nst; i++) free(sts[i].keys);
    for (size_t i = 0; cxs && i < ns; i++) cx_release(&cxs[i]);
    free(cxs);
    free(roots);
    if (rc) {
        if (box) dc_search_result_free(&box->r);
        if (rc == DC_CORRUPT && !outdated)
            dc_ix_fail(ix, rc, "index segment %s is damaged", bad_seg ? bad_seg : "?");
        else if (rc == DC_NOMEM)
            dc_ix_fail(ix, rc, "out of memory");
        return rc;
    }
    *out = &box->r;
    return DC_OK;
}
