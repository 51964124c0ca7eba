/*
 * Search: evaluates a parsed query tree (declass/query.h) over every
 * segment, with the reader's access rules applied inside the evaluator,
 * scores with BM25, keeps the top offset+limit hits in a heap, counts
 * every match exactly and builds facets over all matches.
 *
 * Per segment the tree becomes a tree of iterators over document
 * ordinals; each iterator's advance(target) moves to the first document
 * >= target that truly matches (for the reader: occurrences in portions
 * the reader may not read do not count), so AND leapfrogs its kids and a
 * NOT excludes exactly what the reader could see.
 *
 * Word semantics (docs/internals/index.md): a TERM matches every exact
 * term with the same stem (unless exact), in the body and in the title
 * (title tf weighted DC_TITLE_BOOST); a PHRASE or a quoted word matches
 * exact terms only, at consecutive positions; a PREFIX expands over the
 * sorted dictionary, at most DC_PREFIX_MAX_TERMS terms per field and
 * segment, beyond which the search fails with DC_LIMIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/postings.h"
#include "declass/banned.h"

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

static void stat_key(stat *st, const dc_tinfo *ti)
{
    if (!st) return;
    for (size_t i = 0; i < st->nkeys; i++)
        if (st->keys[i].klen == ti->klen && memcmp(st->keys[i].key, ti->key, ti->klen) == 0) {
            st->keys[i].df += ti->df;
            return;
        }
    if (st->nkeys == st->capkeys) {
        size_t nc = st->capkeys ? st->capkeys * 2 : 4;
        skey *nk = realloc(st->keys, nc * sizeof *nk);
        if (!nk) {
            st->nomem = 1;
            return;
        }
        st->keys = nk, st->capkeys = nc;
    }
    skey *k = &st->keys[st->nkeys++];
    memcpy(k->key, ti->key, ti->klen);
    k->klen = ti->klen;
    k->df = ti->df;
}

typedef struct sctx sctx;

typedef struct node {
    int kind, started;
    uint32_t doc;
    struct node **kids, **nots;
    size_t nkids, nnots;
    /* LEAF: union of cursors; PHRASE: one cursor per term */
    dc_pcur *pcs;
    uint8_t *wt, *body;
    size_t npc;
    double tf;
    stat *st;
    dc_posv *posv;
    uint64_t cost;
    const dc_qnode *q; /* FILTER */
    sctx *cx;
} node;

struct sctx {
    const dc_seg *s;
    uint8_t *cls_ok;
    int restrict_any;
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
    if (cx->nallocs == cx->capallocs) {
        size_t nc = cx->capallocs ? cx->capallocs * 2 : 64;
        void **np = realloc(cx->allocs, nc * sizeof *np);
        if (!np) {
            cx->rc = DC_NOMEM;
            return NULL;
        }
        cx->allocs = np, cx->capallocs = nc;
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
    if (cx->nnodes == cx->capnodes) {
        size_t nc = cx->capnodes ? cx->capnodes * 2 : 32;
        node **np = realloc(cx->nodes, nc * sizeof *np);
        if (!np) {
            cx->rc = DC_NOMEM;
            return NULL;
        }
        cx->nodes = np, cx->capnodes = nc;
    }
    cx->nodes[cx->nnodes++] = n;
    n->kind = kind;
    n->cx = cx;
    return n;
}

static void cx_release(sctx *cx)
{
    for (size_t i = 0; i < cx->nnodes; i++)
        if (cx->nodes[i]->posv)
            for (size_t k = 0; k < cx->nodes[i]->npc; k++) free(cx->nodes[i]->posv[k].v);
    for (size_t i = 0; i < cx->nallocs; i++) free(cx->allocs[i]);
    free(cx->allocs);
    free(cx->nodes);
    free(cx->cls_ok);
    memset(cx, 0, sizeof *cx);
}

/* ---- access ---- */

static int reader_has(const dc_reader *r, const uint8_t *c, size_t n)
{
    for (size_t i = 0; i < r->n_compartments; i++) {
        const char *x = r->compartments[i];
        if (x && strlen(x) == n && memcmp(x, c, n) == 0) return 1;
    }
    return 0;
}

/* Computes which access classes of the segment the reader may read. */
static int classes_readable(sctx *cx, const dc_reader *r)
{
    const dc_seg *s = cx->s;
    cx->cls_ok = malloc(s->nclasses ? s->nclasses : 1);
    if (!cx->cls_ok) return cx->rc = DC_NOMEM;
    for (uint32_t c = 0; c < s->nclasses; c++) {
        int level;
        const uint8_t *comps;
        size_t clen;
        if (dc_seg_class(s, c, &level, &comps, &clen) != 0) {
            cx->bad = 1;
            return DC_CORRUPT;
        }
        int ok = 1;
        if (r) {
            ok = r->level >= level;
            size_t i = 0;
            while (ok && i < clen) {
                size_t l = comps[i];
                if (l > clen - i - 1) {
                    cx->bad = 1;
                    return DC_CORRUPT;
                }
                ok = reader_has(r, comps + i + 1, l);
                i += 1 + l;
            }
        }
        cx->cls_ok[c] = (uint8_t)ok;
        if (!ok) cx->restrict_any = 1;
    }
    return DC_OK;
}

/* The unreadable ranges of doc: pointer to its portion map if any of its
 * ranges is unreadable for this reader, else NULL. */
static const uint8_t *doc_restricted(sctx *cx, uint32_t ord, uint32_t *n)
{
    if (!cx->restrict_any) return NULL;
    const uint8_t *x = cx->s->docs + (size_t)ord * DC_SEG_DOCREC;
    uint32_t off = dc_rd32(x + 32), cnt = dc_rd32(x + 36);
    if (!cnt) return NULL;
    size_t total = cx->s->pmap_size / 12;
    if (off > total || cnt > total - off) {
        cx->bad = 1;
        return NULL;
    }
    const uint8_t *p = cx->s->pmap + (size_t)off * 12;
    for (uint32_t i = 0; i < cnt; i++) {
        uint32_t c = dc_rd32(p + 12 * i + 8);
        if (c >= cx->s->nclasses) {
            cx->bad = 1;
            return NULL;
        }
        if (!cx->cls_ok[c]) {
            *n = cnt;
            return p;
        }
    }
    return NULL;
}

static int pos_ok(sctx *cx, const uint8_t *pm, uint32_t n, uint32_t pos)
{
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *r = pm + 12 * i;
        if (pos >= dc_rd32(r) && pos < dc_rd32(r + 4)) return cx->cls_ok[dc_rd32(r + 8)];
    }
    return 1;
}

/* Readable occurrences of the current document of cursor c. */
static uint32_t readable_tf(node *n, size_t k)
{
    sctx *cx = n->cx;
    dc_pcur *c = &n->pcs[k];
    uint32_t np;
    const uint8_t *pm = n->body[k] ? doc_restricted(cx, c->doc, &np) : NULL;
    if (!pm) return c->tf;
    int r = dc_pc_positions(c, &n->posv[k]);
    if (r) {
        if (r == -2) cx->rc = DC_NOMEM;
        return 0;
    }
    uint32_t tf = 0;
    for (size_t i = 0; i < n->posv[k].n; i++) tf += (uint32_t)pos_ok(cx, pm, np, n->posv[k].v[i]);
    return tf;
}

/* ---- iterators ---- */

static uint32_t advance(node *n, uint32_t target);

static uint32_t leaf_advance(node *n, uint32_t target)
{
    for (;;) {
        uint32_t m = DC_EOF;
        for (size_t k = 0; k < n->npc; k++) {
            if (n->pcs[k].doc < target) dc_pc_seek(&n->pcs[k], target);
            if (n->pcs[k].doc < m) m = n->pcs[k].doc;
        }
        if (m == DC_EOF || n->cx->rc) return DC_EOF;
        double tf = 0;
        for (size_t k = 0; k < n->npc; k++)
            if (n->pcs[k].doc == m) tf += (double)n->wt[k] * readable_tf(n, k);
        /* weight-0 cursors (cites:, collection:) match without scoring */
        int any = 0;
        for (size_t k = 0; k < n->npc && !any; k++)
            any = n->pcs[k].doc == m && (n->wt[k] ? 0 : readable_tf(n, k) > 0);
        if (tf > 0 || any) {
            n->tf = tf;
            return m;
        }
        target = m + 1;
    }
}

/* Occurrences of the phrase in the current (common) document. */
static uint32_t phrase_count(node *n)
{
    sctx *cx = n->cx;
    for (size_t k = 0; k < n->npc; k++) {
        int r = dc_pc_positions(&n->pcs[k], &n->posv[k]);
        if (r) {
            if (r == -2) cx->rc = DC_NOMEM;
            return 0;
        }
    }
    uint32_t np = 0;
    const uint8_t *pm = n->body[0] ? doc_restricted(cx, n->pcs[0].doc, &np) : NULL;
    size_t idx[DC_QUERY_MAX_TERMS] = {0};
    uint32_t count = 0;
    const dc_posv *p0 = &n->posv[0];
    for (size_t i = 0; i < p0->n; i++) {
        uint32_t start = p0->v[i];
        int ok = 1;
        for (size_t k = 1; k < n->npc && ok; k++) {
            const dc_posv *pk = &n->posv[k];
            uint64_t want = (uint64_t)start + k;
            while (idx[k] < pk->n && pk->v[idx[k]] < want) idx[k]++;
            ok = idx[k] < pk->n && pk->v[idx[k]] == want;
        }
        /* portions are separated by a position gap, so a phrase lies in
         * one portion and its first position decides readability */
        if (ok && (!pm || pos_ok(cx, pm, np, start))) count++;
    }
    return count;
}

static uint32_t phrase_advance(node *n, uint32_t target)
{
    for (;;) {
        uint32_t d = target;
        size_t agree = 0, k = 0;
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
        uint32_t cnt = phrase_count(n);
        if (n->cx->rc || n->cx->bad) return DC_EOF;
        if (cnt) {
            n->tf = (double)cnt * n->wt[0];
            return d;
        }
        target = d + 1;
    }
}

static uint32_t and_advance(node *n, uint32_t target)
{
    uint32_t d = target;
    for (;;) {
        size_t agree = 0, k = 0;
        while (agree < n->nkids) {
            uint32_t x = advance(n->kids[k], d);
            if (x == DC_EOF) return DC_EOF;
            if (x > d) {
                d = x;
                agree = 1;
            } else {
                agree++;
            }
            k = (k + 1) % n->nkids;
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
    case N_AND: n->doc = and_advance(n, target); break;
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

static double score(node *n, uint32_t d, double dl)
{
    double s = 0;
    switch (n->kind) {
    case N_LEAF:
    case N_PHRASE: return bm25(n->tf, n->st ? n->st->idf : 0, dl, n->cx->avgdl);
    case N_AND:
        for (size_t k = 0; k < n->nkids; k++) s += score(n->kids[k], d, dl);
        return s;
    case N_OR:
        for (size_t k = 0; k < n->nkids; k++)
            if (n->kids[k]->doc == d) s += score(n->kids[k], d, dl);
        return s;
    default: return 0;
    }
}

/* ---- building the iterator tree for one segment ---- */

typedef struct fieldspec {
    uint8_t field, weight, body;
} fieldspec;

static size_t fields_of(dc_qfield f, fieldspec *out)
{
    if (f == DC_FIELD_TITLE) {
        out[0] = (fieldspec){DC_F_TITLE, 1, 0};
        return 1;
    }
    if (f == DC_FIELD_PERSON) {
        out[0] = (fieldspec){DC_F_PERSON, 1, 0};
        return 1;
    }
    out[0] = (fieldspec){DC_F_BODY, 1, 1};
    out[1] = (fieldspec){DC_F_TITLE, DC_TITLE_BOOST, 0};
    return 2;
}

static int leaf_add(node *n, size_t *cap, const dc_tinfo *ti, fieldspec fs)
{
    sctx *cx = n->cx;
    if (n->npc == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        dc_pcur *np = cx_alloc(cx, nc * sizeof *np);
        uint8_t *w = cx_alloc(cx, nc), *b = cx_alloc(cx, nc);
        dc_posv *pv = cx_alloc(cx, nc * sizeof *pv);
        if (!np || !w || !b || !pv) return -1;
        if (n->npc) {
            memcpy(np, n->pcs, n->npc * sizeof *np);
            memcpy(w, n->wt, n->npc);
            memcpy(b, n->body, n->npc);
            memcpy(pv, n->posv, n->npc * sizeof *pv);
        }
        n->pcs = np, n->wt = w, n->body = b, n->posv = pv;
        *cap = nc;
    }
    size_t k = n->npc;
    memset(&n->posv[k], 0, sizeof n->posv[k]);
    if (dc_pc_init(&n->pcs[k], cx->s, ti, &cx->bad) != 0) return -1;
    n->wt[k] = fs.weight;
    n->body[k] = fs.body;
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
                if (++cnt > DC_PREFIX_MAX_TERMS) {
                    *limit = 1;
                    return NULL;
                }
                if (leaf_add(n, &cap, &c.ti, fs[f]) != 0) return NULL;
                stat_key(st, &c.ti);
                r = dc_kcur_next(&c);
            }
            if (r < 0) cx->bad = 1;
        } else if (q->exact) {
            size_t tl = t->len > DC_TERM_MAX ? DC_TERM_MAX : t->len;
            memcpy(key + 1, t->term, tl);
            dc_tinfo ti;
            int r = dc_seg_lookup(s, key, tl + 1, &ti);
            if (r < 0) cx->bad = 1;
            if (r == 1) {
                if (leaf_add(n, &cap, &ti, fs[f]) != 0) return NULL;
                stat_key(st, &ti);
            }
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
                    if (leaf_add(n, &cap, &d.ti, fs[f]) != 0) return NULL;
                    stat_key(st, &d.ti);
                }
            }
        }
    }
    if (!n->npc) n->kind = N_EMPTY;
    return n;
}

static node *build_phrase(sctx *cx, const dc_qnode *q, stat *st, fieldspec fs, int count_df)
{
    node *n = new_node(cx, N_PHRASE);
    if (!n) return NULL;
    n->st = st;
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
        if (st && count_df && r == 1) st->df[i] += ti.df;
        if (r != 1) {
            n->kind = N_EMPTY;
            mindf = 0;
            continue;
        }
        if (ti.df < mindf) mindf = ti.df;
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
        if (r == 1 && leaf_add(n, &cap, &ti, (fieldspec){key[0], 0, 0}) != 0) return NULL;
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
            if (q->kind == DC_Q_AND && k->cost < n->cost) n->cost = k->cost;
            if (q->kind == DC_Q_OR) n->cost += k->cost;
        }
        if (q->kind == DC_Q_AND) qsort(n->kids, n->nkids, sizeof *n->kids, cost_cmp);
        if (n->nkids == 0) n->kind = N_EMPTY; /* a NOT-only AND: rejected by the parser */
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

typedef struct hitent {
    double score;
    uint64_t docid;
    uint32_t seg, ord;
} hitent;

static int worse(const hitent *a, const hitent *b)
{
    return a->score < b->score || (a->score == b->score && a->docid > b->docid);
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

typedef struct fval {
    char *value;
    uint64_t count;
} fval;

typedef struct facc {
    fval *v;
    size_t n, cap;
} facc;

typedef struct resbox {
    dc_search_result r;
    void **allocs;
    size_t nallocs, cap;
} resbox;

static void *r_alloc(resbox *b, size_t n)
{
    if (b->nallocs == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        void **np = realloc(b->allocs, nc * sizeof *np);
        if (!np) return NULL;
        b->allocs = np, b->cap = nc;
    }
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

static int facc_add(facc *f, const char *v, size_t n, uint64_t cnt)
{
    for (size_t i = 0; i < f->n; i++)
        if (strlen(f->v[i].value) == n && memcmp(f->v[i].value, v, n) == 0) {
            f->v[i].count += cnt;
            return 0;
        }
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 16;
        fval *np = realloc(f->v, nc * sizeof *np);
        if (!np) return -1;
        f->v = np, f->cap = nc;
    }
    char *s = dc_strndup(v, n);
    if (!s) return -1;
    f->v[f->n].value = s;
    f->v[f->n++].count = cnt;
    return 0;
}

static int fval_cmp(const void *a, const void *b)
{
    const fval *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
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
    const dc_reader *rd = o.reader;
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
    facc fac[4] = {{0}};
    dc_rc rc = DC_OK;
    const char *bad_seg = NULL;
    if (!cxs || !roots || !box) rc = DC_NOMEM;
    double N = 0, total_len = 0;
    uint32_t from = o.from ? dc_ix_date_key(o.from, 0) : 0;
    uint32_t to = o.to ? dc_ix_date_key(o.to, 1) : 0;
    for (size_t i = 0; i < ns && !rc; i++) {
        sctx *cx = &cxs[i];
        cx->s = ix->segs[i];
        N += (double)cx->s->ndocs;
        total_len += (double)cx->s->total_len;
        rc = classes_readable(cx, rd);
        int limit = 0;
        if (!rc) {
            roots[i] = build(cx, root, sts, nst, &limit);
            if (!roots[i]) rc = limit ? DC_LIMIT : cx->rc ? cx->rc : DC_CORRUPT;
            if (limit)
                dc_ix_fail(ix, rc, "search: a prefix matches more than %u terms",
                           DC_PREFIX_MAX_TERMS);
        }
        if (cx->bad && rc != DC_LIMIT) rc = DC_CORRUPT;
        if (rc == DC_CORRUPT) bad_seg = cx->s->path;
    }
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
        uint32_t nstr = s->nstrings;
        uint64_t *cnt = calloc((size_t)nstr * 3 + 1000, sizeof *cnt);
        if (!cnt) {
            rc = DC_NOMEM;
            break;
        }
        uint32_t want_coll = DC_NONE32;
        int coll_none = 0;
        if (o.collection) {
            coll_none = 1;
            for (uint32_t c = 0; c < nstr; c++)
                if (coll_match(s, c, o.collection)) want_coll = c, coll_none = 0;
        }
        node *r = roots[i];
        for (uint32_t d = coll_none ? DC_EOF : advance(r, 0); d != DC_EOF;
             d = d + 1 < s->ndocs ? advance(r, d + 1) : DC_EOF) {
            if (cx->rc || cx->bad) break;
            if (dc_seg_deleted(s, d)) continue;
            dc_docrec rec;
            dc_seg_docrec(s, d, &rec);
            if (rec.docclass >= s->nclasses) {
                cx->bad = 1;
                break;
            }
            if (!cx->cls_ok[rec.docclass]) continue;
            if (rd && rd->public_only && rec.release != DC_REL_RELEASED) continue;
            if (o.classification >= 0 && rec.filter_level != o.classification) continue;
            if ((from || to) && (!rec.date || (from && rec.date < from) || (to && rec.date > to)))
                continue;
            if (o.collection && rec.coll != want_coll) continue;
            total++;
            if (rec.coll < nstr) cnt[rec.coll]++;
            if (rec.doctype < nstr) cnt[nstr + rec.doctype]++;
            if (rec.classstr < nstr) cnt[2 * (size_t)nstr + rec.classstr]++;
            if (rec.date) cnt[3 * (size_t)nstr + (rec.date / 100000) % 1000]++;
            hitent e = {score(r, d, rec.len), rec.docid, (uint32_t)i, d};
            heap_push(&h, e);
        }
        if (cx->rc) rc = cx->rc;
        else if (cx->bad) rc = DC_CORRUPT, bad_seg = s->path;
        for (uint32_t c = 0; c < nstr && !rc; c++)
            for (int f = 0; f < 3; f++)
                if (cnt[(size_t)f * nstr + c]) {
                    size_t l;
                    const char *v = dc_seg_string(s, c, &l);
                    if (!v) rc = DC_CORRUPT, bad_seg = s->path;
                    else if (facc_add(&fac[f == 0 ? 0 : f == 1 ? 3 : 2], v, l,
                                      cnt[(size_t)f * nstr + c]) != 0)
                        rc = DC_NOMEM;
                }
        for (unsigned dec = 0; dec < 1000 && !rc; dec++)
            if (cnt[3 * (size_t)nstr + dec]) {
                char v[16];
                int l = snprintf(v, sizeof v, "%u0s", dec);
                if (facc_add(&fac[1], v, (size_t)l, cnt[3 * (size_t)nstr + dec]) != 0)
                    rc = DC_NOMEM;
            }
        free(cnt);
    }
    /* results */
    if (!rc) {
        box->r.total = total;
        qsort(h.v, h.n, sizeof *h.v, hit_cmp);
        size_t first = o.offset < h.n ? o.offset : h.n;
        size_t nh = h.n - first;
        dc_hit *hits = r_alloc(box, nh * sizeof *hits);
        dc_facet *facets = r_alloc(box, 4 * sizeof *facets);
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
        static const char *const names[4] = {"collection", "decade", "classification",
                                             "doc_type"};
        for (int f = 0; f < 4 && !rc; f++) {
            if (fac[f].n) qsort(fac[f].v, fac[f].n, sizeof *fac[f].v, fval_cmp);
            dc_facet_value *vals = r_alloc(box, fac[f].n * sizeof *vals);
            if (!vals) {
                rc = DC_NOMEM;
                break;
            }
            for (size_t k = 0; k < fac[f].n && !rc; k++) {
                vals[k].value = r_strn(box, fac[f].v[k].value, strlen(fac[f].v[k].value));
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
            box->r.n_facets = 4;
        }
    }
    for (int f = 0; f < 4; f++) {
        for (size_t k = 0; k < fac[f].n; k++) free(fac[f].v[k].value);
        free(fac[f].v);
    }
    free(h.v);
    for (size_t i = 0; i < nst; i++) free(sts[i].keys);
    for (size_t i = 0; cxs && i < ns; i++) cx_release(&cxs[i]);
    free(cxs);
    free(roots);
    if (rc) {
        if (box) dc_search_result_free(&box->r);
        if (rc == DC_CORRUPT)
            dc_ix_fail(ix, rc, "index segment %s is damaged", bad_seg ? bad_seg : "?");
        else if (rc == DC_NOMEM)
            dc_ix_fail(ix, rc, "out of memory");
        return rc;
    }
    *out = &box->r;
    return DC_OK;
}
