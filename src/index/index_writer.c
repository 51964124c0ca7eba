/*
 * The index writer: in-memory inversion of added entries (views of
 * documents, each with the predicate of its readers), spilled to a
 * segment file once about mem_budget bytes are buffered (before the first
 * view of the next docid, so the views of one docid share a segment), and
 * the commit that publishes the new segments through the MANIFEST.
 *
 * Memory.  Terms live in an open-addressing hash table of entries
 * allocated from an arena of their own (so that they lie close together);
 * each entry owns a chain of chunks from a second arena (16 bytes,
 * doubling to 4 KiB) holding its postings already as the segment stores
 * them (dc_sb_post: a document's ordinal gap, its term frequency, its
 * positions), so that a flush copies a chain a chunk at a time instead
 * of decoding and encoding every position again: the flush is the
 * ingest's single-threaded tail.  A posting's head (its varints up to the
 * positions) never spans chunks; its positions may.  Nothing is malloc'd
 * per token; the arena, the table and the per-document sections are freed
 * or reset at each flush.
 *
 * A document's tokens are first grouped by term in a small table of its
 * own (kept warm in the cache, reused from one document to the next); the
 * large table is then looked up once per distinct term of the document
 * rather than once per token.  The chains receive exactly what they would
 * have received token by token, so the segments are the same.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "index/index_int.h"
#include "util/util_int.h"
#include "util/banned.h"

#define ARENA_BLOCK ((size_t)1 << 20)
#define CHUNK_MIN 16u
#define CHUNK_MAX 4096u
#define MAX_COMPS 64
#define MAX_PRED 256 /* (class, need) pairs in one predicate */

typedef struct chunk {
    struct chunk *next;
    uint32_t cap, used; /* used: of the tail chunk, only once flush sets it */
    uint8_t data[];
} chunk;

/* A skip entry of a term, noted as its postings are appended (every
 * DC_SKIP_EVERY documents), newest first. */
typedef struct skipnote {
    struct skipnote *next;
    uint32_t prev_ord, rel;
} skipnote;

/* The write position in the tail chunk is kept in the entry, so appending
 * touches the chunk only where it writes. */
typedef struct tentry {
    chunk *head, *tail;
    uint8_t *wp, *wend; /* next byte to write in tail, and its end */
    skipnote *skips;
    uint32_t df, len;  /* documents and bytes of its postings */
    uint32_t last_ord; /* DC_NONE32: not yet seen in a document */
    uint32_t hash;
    uint16_t klen, slen;
    uint8_t bytes[]; /* key then stem */
} tentry;

/* A term of the document being added: its key (in dkeys) and the list of
 * its occurrences, linked through occ[].next in the order they came. */
typedef struct dterm {
    uint32_t koff, hash;
    uint16_t klen;
    uint32_t first, last; /* indices in occ[] */
} dterm;

typedef struct docc {
    uint32_t pos, next; /* next: DC_NONE32 ends the list */
} docc;

typedef struct ablock {
    struct ablock *next;
    size_t used, cap;
    _Alignas(max_align_t) uint8_t data[];
} ablock;

struct dc_index_writer {
    dc_index *ix;
    dc_analyzer *a;
    size_t budget;
    ablock *arena;   /* chunks */
    ablock *entries; /* tentries */
    size_t arena_bytes;
    tentry **tab;
    size_t tab_cap, nterms;
    dc_sdocs docs;
    uint64_t first_docid, last_docid;
    dc_vec newsegs; /* uint64_t segment ids written by this writer */
    dc_vec dels;    /* uint64_t */
    uint64_t next_seg;
    uint8_t *pbuf; /* doc_merge: the positions of one term, encoded */
    size_t pcap;
    const skipnote **skip_tmp; /* flush: one term's skip entries in order */
    size_t skip_cap;
    /* per-document state during add: its terms grouped (see the top) */
    uint8_t field;
    uint32_t ntok;
    uint32_t *dtab; /* open addressing: index in dterms + 1, 0 empty */
    size_t dtab_cap;
    dterm *dterms;
    size_t n_dterms, cap_dterms;
    docc *occ;
    size_t n_occ, cap_occ;
    uint8_t *dkeys;
    size_t n_dkeys, cap_dkeys;
    int cleared; /* dc_index_writer_clear: the commit replaces everything */
    int shared;    /* dc_index_writer_open_shared: locks only to publish */
    int overtaken; /* ... and found another writer had committed meanwhile */
    long long looked_ns; /* ... when dc_index_writer_overtaken last looked */
    atomic_int defer; /* shared: buffers past the budget (dc_index_writer_defer) */
    uint64_t base_hw; /* shared: the high-water mark it builds on */
    dc_rc rc;
};

/* n bytes (aligned to align, a power of two) from the arena *a. */
static void *arena_alloc(dc_index_writer *w, ablock **a, size_t n, size_t align)
{
    n = (n + align - 1) & ~(align - 1);
    if (!*a || (*a)->cap - (*a)->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        ablock *b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = *a, b->used = 0, b->cap = cap;
        *a = b;
        w->arena_bytes += sizeof *b + cap;
    }
    void *p = (*a)->data + (*a)->used;
    (*a)->used += n;
    return p;
}

static void arena_free(dc_index_writer *w)
{
    ablock **arenas[] = {&w->arena, &w->entries};
    for (size_t i = 0; i < 2; i++)
        while (*arenas[i]) {
            ablock *n = (*arenas[i])->next;
            free(*arenas[i]);
            *arenas[i] = n;
        }
    w->arena_bytes = 0;
}

static size_t writer_mem(const dc_index_writer *w)
{
    return w->arena_bytes + w->tab_cap * sizeof(tentry *) + dc_sdocs_mem(&w->docs) +
           w->dtab_cap * sizeof *w->dtab + w->cap_dterms * sizeof *w->dterms +
           w->cap_occ * sizeof *w->occ + w->cap_dkeys;
}

static dc_rc publish(dc_index_writer *w); /* a shared writer's commit, below */

static dc_rc writer_open(dc_index *ix, size_t mem_budget, int shared, dc_index_writer **out)
{
    if (!out) return DC_MISUSE;
    *out = NULL;
    if (!ix) return DC_MISUSE;
    if (ix->writer_open) return dc_ix_fail(ix, DC_MISUSE, "an index writer is already open");
    /* Writers are serialized by the lock; under it the MANIFEST is the
     * latest, so the high-water mark and next segment id are current and
     * unnamed segment files are orphans of a crashed writer.  A shared
     * writer reads the MANIFEST as a reader does and decides again under
     * the lock when it publishes. */
    if (!shared && dc_ix_lock(ix, 1) != 1) return DC_IO;
    dc_rc rc = dc_ix_refresh(ix);
    if (rc) {
        if (!shared) dc_ix_unlock(ix);
        return rc;
    }
    if (!shared) dc_ix_remove_orphans(ix);
    dc_index_writer *w = calloc(1, sizeof *w);
    if (!w || dc_analyzer_new(&w->a) != DC_OK) {
        free(w);
        if (!shared) dc_ix_unlock(ix);
        return dc_ix_fail(ix, DC_NOMEM, "out of memory");
    }
    w->shared = shared;
    w->base_hw = ix->high_water;
    w->ix = ix;
    w->budget = mem_budget ? mem_budget : (size_t)64 << 20;
    if (w->budget < ((size_t)1 << 16)) w->budget = (size_t)1 << 16;
    dc_sdocs_init(&w->docs);
    w->newsegs.elem = w->dels.elem = sizeof(uint64_t);
    w->next_seg = ix->next_seg;
    ix->writer_open = 1;
    *out = w;
    return DC_OK;
}

dc_rc dc_index_writer_open(dc_index *ix, size_t mem_budget, dc_index_writer **out)
{
    return writer_open(ix, mem_budget, 0, out);
}

dc_rc dc_index_writer_open_shared(dc_index *ix, size_t mem_budget, dc_index_writer **out)
{
    return writer_open(ix, mem_budget, 1, out);
}

void dc_index_writer_defer(dc_index_writer *w, int on)
{
    if (w) atomic_store(&w->defer, on != 0);
}

/* The MANIFEST is looked at (a stat of its path) at most this often: an
 * ingest asks before every document it indexes.  A writer that committed
 * first is then noticed up to this much later, the indexing done
 * meanwhile thrown away; publish() checks under the lock in any case. */
#define OVERTAKEN_EVERY_NS 10000000LL /* 10 ms */

int dc_index_writer_overtaken(dc_index_writer *w)
{
    if (!w) return 0;
    if (!w->shared || w->overtaken) return w->overtaken;
    struct timespec ts;
    long long now = clock_gettime(CLOCK_MONOTONIC, &ts) == 0
                        ? (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec
                        : w->looked_ns + OVERTAKEN_EVERY_NS;
    if (w->looked_ns && now - w->looked_ns < OVERTAKEN_EVERY_NS) return 0;
    w->looked_ns = now;
    if (dc_ix_refresh(w->ix) == DC_OK && w->ix->high_water != w->base_hw) w->overtaken = 1;
    return w->overtaken;
}

static int tab_grow(dc_index_writer *w)
{
    size_t nc = w->tab_cap ? w->tab_cap * 2 : 1 << 14;
    tentry **nt = calloc(nc, sizeof *nt);
    if (!nt) return -1;
    for (size_t i = 0; i < w->tab_cap; i++) {
        tentry *e = w->tab[i];
        if (!e) continue;
        size_t h = e->hash & (nc - 1);
        while (nt[h]) h = (h + 1) & (nc - 1);
        nt[h] = e;
    }
    free(w->tab);
    w->tab = nt, w->tab_cap = nc;
    return 0;
}

/* The hash of the key (field, k[0..n)): the field byte is mixed into the
 * seed's low bits, where the multiplications carry it into every bit (in
 * the top byte a short key's field reached only the hash's top bits, and
 * a word's keys in two fields shared their tables' slots), so a key is
 * hashed without being copied behind its field. */
static uint32_t key_hash(uint8_t field, const uint8_t *k, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n ^ (uint64_t)field << 16; /* n < DC_KEY_MAX */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, k + i, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    /* The last 0-7 bytes by fixed-size loads (overlapping when fewer than
     * the load): a copy of a variable length was a call, and its bytes
     * stored and loaded again stalled on the load.  Only the distribution
     * of the hash matters; nothing written depends on its values. */
    size_t r = n - i;
    uint64_t v = 0;
    if (r >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, k + i, 4);
        memcpy(&hi, k + n - 4, 4);
        v = (uint64_t)hi << 32 | lo;
    } else if (r) {
        v = (uint64_t)k[i] | (uint64_t)k[i + r / 2] << 8 | (uint64_t)k[n - 1] << 16;
    }
    h = (h ^ v) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (uint32_t)h;
}

/* a[0..n) == b[0..n), inline: keys are short, and a call to memcmp cost
 * more than the comparison. */
static inline int key_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return 0;
    }
    if (n >= 4) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4), memcpy(&y0, b, 4);
        memcpy(&x1, a + n - 4, 4), memcpy(&y1, b + n - 4, 4);
        return x0 == y0 && x1 == y1;
    }
    return !n || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* Finds or creates the entry for key (of hash h); a new entry gets its
 * stem. */
static tentry *term_entry(dc_index_writer *w, const uint8_t *key, size_t klen, uint32_t h)
{
    if ((w->nterms + 1) * 2 > w->tab_cap && tab_grow(w) != 0) return NULL;
    size_t i = h & (w->tab_cap - 1);
    tentry *e;
    while ((e = w->tab[i]) != NULL) {
        if (e->hash == h && e->klen == klen && key_eq(e->bytes, key, klen)) return e;
        i = (i + 1) & (w->tab_cap - 1);
    }
    const char *stem = (const char *)key + 1;
    size_t slen = klen - 1;
    if (key[0] == DC_F_BODY || key[0] == DC_F_TITLE || key[0] == DC_F_PERSON) {
        if (dc_analyzer_stem(w->a, (const char *)key + 1, klen - 1, &stem, &slen) != DC_OK)
            return NULL;
        if (slen > DC_TERM_MAX) slen = DC_TERM_MAX;
    }
    e = arena_alloc(w, &w->entries, sizeof *e + klen + 1 + slen, _Alignof(tentry));
    if (!e) return NULL;
    e->head = e->tail = NULL;
    e->wp = e->wend = NULL;
    e->skips = NULL;
    e->df = e->len = 0;
    e->last_ord = DC_NONE32;
    e->hash = h;
    e->klen = (uint16_t)klen;
    e->slen = (uint16_t)(slen + 1);
    memcpy(e->bytes, key, klen);
    e->bytes[klen] = key[0];
    memcpy(e->bytes + klen + 1, stem, slen);
    w->tab[i] = e;
    w->nterms++;
    return e;
}

/* The longest head of a posting: its gap, tf and length of positions (or
 * its one position), 5 bytes each at most. */
#define HEAD_MAX 16u

/* Starts a new tail chunk in e's chain, leaving the old one's unused end. */
static int chain_grow(dc_index_writer *w, tentry *e)
{
    chunk *c = e->tail;
    uint32_t cap = c ? (c->cap * 2 > CHUNK_MAX ? CHUNK_MAX : c->cap * 2) : CHUNK_MIN;
    chunk *n = arena_alloc(w, &w->arena, sizeof *n + cap, 16);
    if (!n) return -1;
    n->next = NULL, n->cap = cap, n->used = 0;
    if (c) {
        c->used = (uint32_t)(e->wp - c->data);
        c->next = n;
    } else {
        e->head = n;
    }
    e->tail = n;
    e->wp = n->data, e->wend = n->data + cap;
    return 0;
}

/* Appends n bytes of positions, across chunks as needed. */
static int chain_bytes(dc_index_writer *w, tentry *e, const uint8_t *p, size_t n)
{
    while (n) {
        if (e->wp == e->wend && chain_grow(w, e) != 0) return -1;
        size_t k = (size_t)(e->wend - e->wp) < n ? (size_t)(e->wend - e->wp) : n;
        memcpy(e->wp, p, k);
        e->wp += k, p += k, n -= k;
    }
    return 0;
}

/* Doubles the document's term table, rehashing its terms. */
static int dtab_grow(dc_index_writer *w)
{
    size_t nc = w->dtab_cap ? w->dtab_cap * 2 : 1 << 10;
    uint32_t *nt = calloc(nc, sizeof *nt);
    if (!nt) return -1;
    for (size_t i = 0; i < w->n_dterms; i++) {
        size_t h = w->dterms[i].hash & (nc - 1);
        while (nt[h]) h = (h + 1) & (nc - 1);
        nt[h] = (uint32_t)i + 1;
    }
    free(w->dtab);
    w->dtab = nt, w->dtab_cap = nc;
    return 0;
}

/* Records one occurrence of the key (field, term[0..n)) at pos in the
 * current document: in the document's own table, merged into the large
 * one by doc_merge. */
static inline __attribute__((always_inline)) dc_rc
add_occ(dc_index_writer *w, uint8_t field, const uint8_t *term, size_t n, uint32_t pos)
{
    if (w->n_occ >= DC_NONE32 - 1 || w->n_dterms >= DC_NONE32 - 1) return DC_LIMIT;
    if ((w->n_dterms + 1) * 2 > w->dtab_cap && dtab_grow(w) != 0) return DC_NOMEM;
    if (DC_GROW(w->occ, w->n_occ + 1, w->cap_occ)) return DC_NOMEM;
    uint32_t h = key_hash(field, term, n);
    size_t i = h & (w->dtab_cap - 1);
    dterm *t = NULL;
    for (uint32_t k; (k = w->dtab[i]) != 0; i = (i + 1) & (w->dtab_cap - 1)) {
        dterm *c = &w->dterms[k - 1];
        const uint8_t *ck = w->dkeys + c->koff;
        if (c->hash == h && c->klen == n + 1 && ck[0] == field && key_eq(ck + 1, term, n)) {
            t = c;
            break;
        }
    }
    uint32_t o = (uint32_t)w->n_occ++;
    w->occ[o] = (docc){pos, DC_NONE32};
    if (t) {
        w->occ[t->last].next = o;
        t->last = o;
        return DC_OK;
    }
    if (DC_GROW(w->dterms, w->n_dterms + 1, w->cap_dterms) ||
        DC_GROW(w->dkeys, w->n_dkeys + n + 1, w->cap_dkeys))
        return DC_NOMEM;
    w->dkeys[w->n_dkeys] = field;
    memcpy(w->dkeys + w->n_dkeys + 1, term, n);
    w->dterms[w->n_dterms] = (dterm){(uint32_t)w->n_dkeys, h, (uint16_t)(n + 1), o, o};
    w->dtab[i] = (uint32_t)++w->n_dterms;
    w->n_dkeys += n + 1;
    return DC_OK;
}

/* Empties the document's table (only the slots it used). */
static void doc_reset(dc_index_writer *w)
{
    for (size_t k = 0; k < w->n_dterms; k++) {
        size_t i = w->dterms[k].hash & (w->dtab_cap - 1);
        while (w->dtab[i] != k + 1) i = (i + 1) & (w->dtab_cap - 1);
        w->dtab[i] = 0;
    }
    w->n_dterms = w->n_occ = w->n_dkeys = 0;
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) v >>= 7, n++;
    return n;
}

/* The position of occurrence o, never below the one before (last). */
static uint32_t occ_pos(const dc_index_writer *w, uint32_t o, uint32_t last)
{
    return w->occ[o].pos < last ? last : w->occ[o].pos;
}

/* Writes the positions of t, delta-coded, at p. */
static void put_positions(const dc_index_writer *w, const dterm *t, uint8_t *p)
{
    uint32_t last = 0;
    for (uint32_t o = t->first; o != DC_NONE32; o = w->occ[o].next) {
        uint32_t pos = occ_pos(w, o, last);
        p += dc_putv(p, pos - last);
        last = pos;
    }
}

/* Notes a skip entry of e before its next posting: the ordinal before it
 * and its offset in e's postings. */
static int note_skip(dc_index_writer *w, tentry *e)
{
    skipnote *s = arena_alloc(w, &w->arena, sizeof *s, _Alignof(skipnote));
    if (!s) return -1;
    s->prev_ord = e->last_ord;
    s->rel = e->len;
    s->next = e->skips;
    e->skips = s;
    return 0;
}

/* Appends the current document's posting to the chain of each of its
 * terms in the large table, as dc_sb_post would write it: the document
 * gap, then tf == 1 its position, else tf, the positions' length and the
 * positions (delta-coded; positions never decrease).  The positions are
 * measured first, so that they are written in place, once, unless they
 * must run on into another chunk. */
static dc_rc doc_merge(dc_index_writer *w)
{
    uint32_t ord = (uint32_t)w->docs.recs.n;
    for (size_t k = 0; k < w->n_dterms; k++) {
        /* the large table's slots and entries are cache misses: their
         * lines are asked for ahead, the slot 16 terms on, the entry 8 */
        if (w->tab_cap) {
            size_t m = w->tab_cap - 1;
            if (k + 16 < w->n_dterms) __builtin_prefetch(&w->tab[w->dterms[k + 16].hash & m]);
            if (k + 8 < w->n_dterms) {
                const tentry *pe = w->tab[w->dterms[k + 8].hash & m];
                if (pe) __builtin_prefetch(pe);
            }
        }
        const dterm *t = &w->dterms[k];
        tentry *e = term_entry(w, w->dkeys + t->koff, t->klen, t->hash);
        if (!e) return DC_NOMEM;
        if (e->df && e->df % DC_SKIP_EVERY == 0 && note_skip(w, e) != 0) return DC_NOMEM;
        uint64_t gap = e->last_ord == DC_NONE32 ? ord : ord - e->last_ord - 1;
        e->last_ord = ord;
        e->df++;
        uint8_t *w0 = e->wp;
        uint32_t tf = 0, last = 0;
        size_t plen = 0;
        for (uint32_t o = t->first; o != DC_NONE32; o = w->occ[o].next) {
            uint32_t pos = occ_pos(w, o, last);
            plen += varint_len(pos - last);
            last = pos;
            tf++;
        }
        if ((size_t)(e->wend - e->wp) < HEAD_MAX) {
            if (chain_grow(w, e) != 0) return DC_NOMEM;
            w0 = e->wp;
        }
        if (tf == 1) {
            e->wp += dc_putv(e->wp, gap << 1 | 1);
            e->wp += dc_putv(e->wp, w->occ[t->first].pos);
            plen = 0;
        } else {
            e->wp += dc_putv(e->wp, gap << 1);
            e->wp += dc_putv(e->wp, tf);
            e->wp += dc_putv(e->wp, plen);
        }
        size_t n = (size_t)(e->wp - w0) + plen;
        if (n > 0xFFFFFFFFu - e->len) return DC_LIMIT;
        e->len += (uint32_t)n;
        if (tf == 1) continue;
        if ((size_t)(e->wend - e->wp) >= plen) {
            put_positions(w, t, e->wp);
            e->wp += plen;
            continue;
        }
        if (plen > w->pcap && DC_GROW(w->pbuf, plen, w->pcap)) return DC_NOMEM;
        put_positions(w, t, w->pbuf);
        if (chain_bytes(w, e, w->pbuf, plen) != 0) return DC_NOMEM;
    }
    return DC_OK;
}

static dc_rc on_token(void *ctx, const dc_token *t)
{
    dc_index_writer *w = ctx;
    w->ntok++;
    return add_occ(w, w->field, (const uint8_t *)t->term,
                   t->len > DC_TERM_MAX ? DC_TERM_MAX : t->len, t->pos);
}

static dc_rc analyze(dc_index_writer *w, uint8_t field, const char *text, unsigned *pos)
{
    if (!text || !*text) return DC_OK;
    w->field = field;
    unsigned next = *pos;
    dc_rc rc = dc_analyze(w->a, text, strlen(text), *pos, 0, on_token, w, &next);
    if (next > 0xFFFFFFF0u) return DC_LIMIT;
    *pos = next + (next > *pos ? DC_POS_GAP : 0);
    return rc;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Interns access class c: compartments as a sorted set (duplicates
 * dropped), each at most 255 bytes. */
static uint32_t intern_class(dc_sdocs *d, const dc_access_class *c)
{
    const char *sorted[MAX_COMPS];
    size_t n = c->open ? 0 : c->n_compartments;
    if (n > MAX_COMPS || c->level < 0 || c->level > DC_TOP_SECRET) {
        if (!d->rc) d->rc = n > MAX_COMPS ? DC_LIMIT : DC_MISUSE;
        return DC_NONE32;
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!c->compartments || !c->compartments[i] || strlen(c->compartments[i]) > 255) {
            if (!d->rc) d->rc = c->compartments && c->compartments[i] ? DC_LIMIT : DC_MISUSE;
            return DC_NONE32;
        }
        sorted[i] = c->compartments[i];
        total += 1 + strlen(sorted[i]);
    }
    qsort(sorted, n, sizeof *sorted, str_cmp);
    /* (u8 length, bytes) per compartment: on the stack when short */
    uint8_t small[256], *buf = total <= sizeof small ? small : malloc(total);
    if (!buf) {
        if (!d->rc) d->rc = DC_NOMEM;
        return DC_NONE32;
    }
    size_t len = 0;
    unsigned k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(sorted[i], sorted[i - 1]) == 0) continue;
        size_t l = strlen(sorted[i]);
        buf[len++] = (uint8_t)l;
        memcpy(buf + len, sorted[i], l);
        len += l;
        k++;
    }
    uint32_t id = dc_sdocs_class(d, c->open, c->level, buf, len, k);
    if (buf != small) free(buf);
    return id;
}

/* Interns predicate p: its (class, need) pairs as sorted distinct u32
 * (class id << 1 | need).  A pair repeated is the same condition; one
 * class with both needs is a predicate no reader satisfies, kept so. */
static uint32_t intern_pred(dc_sdocs *d, const dc_access_pred *p)
{
    if (p->n > MAX_PRED || (p->n && (!p->classes || !p->need))) {
        if (!d->rc) d->rc = p->n > MAX_PRED ? DC_LIMIT : DC_MISUSE;
        return DC_NONE32;
    }
    uint32_t v[MAX_PRED];
    for (size_t i = 0; i < p->n; i++) {
        uint32_t c = intern_class(d, &p->classes[i]);
        if (c == DC_NONE32) return DC_NONE32;
        v[i] = c << 1 | (p->need[i] ? 1u : 0u);
    }
    qsort(v, p->n, sizeof *v, u32_cmp);
    uint8_t buf[4 * MAX_PRED];
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        if (!i || v[i] != v[i - 1]) dc_wr32(buf + 4 * k++, v[i]);
    return dc_sdocs_pred(d, buf, k);
}

/* DC_OK if pred can be interned: checked before anything is buffered, so
 * that a bad predicate is refused without losing the batch. */
static dc_rc pred_check(const dc_access_pred *p)
{
    if (p->n > MAX_PRED) return DC_LIMIT;
    if (p->n && (!p->classes || !p->need)) return DC_MISUSE;
    for (size_t i = 0; i < p->n; i++) {
        const dc_access_class *c = &p->classes[i];
        if (c->open) continue;
        if (c->level < DC_UNCLASSIFIED || c->level > DC_TOP_SECRET ||
            (c->n_compartments && !c->compartments))
            return DC_MISUSE;
        if (c->n_compartments > MAX_COMPS) return DC_LIMIT;
        for (size_t k = 0; k < c->n_compartments; k++) {
            if (!c->compartments[k]) return DC_MISUSE;
            if (strlen(c->compartments[k]) > 255) return DC_LIMIT;
        }
    }
    return DC_OK;
}

static void put_str(dc_buf *b, const char *s)
{
    uint8_t v[10];
    size_t n = s ? strlen(s) : 0;
    dc_buf_add(b, (const char *)v, dc_putv(v, n));
    if (n) dc_buf_add(b, s, n);
}

static uint8_t release_code(const char *s)
{
    if (!s || strcmp(s, "released") == 0) return s ? DC_REL_RELEASED : DC_REL_OTHER;
    if (strcmp(s, "under-review") == 0) return DC_REL_REVIEW;
    if (strcmp(s, "classified") == 0) return DC_REL_CLASSIFIED;
    return DC_REL_OTHER;
}

/*
 * Writes the buffered terms and documents as one segment file: terms
 * sorted by key, each transcoded from its chunk chain into the on-disk
 * posting format.  On success the segment id is recorded for commit and
 * all buffers are reset; on failure the file is removed.
 */
static int entry_cmp(const void *x, const void *y)
{
    const tentry *a = *(tentry *const *)x, *b = *(tentry *const *)y;
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->bytes, b->bytes, n);
    return c ? c : (a->klen > b->klen) - (a->klen < b->klen);
}

/* Puts e's chain, its postings as the segment stores them, a chunk at a
 * time, and the skip entries noted as they were appended: nothing of the
 * postings is read again. */
static void put_chain(dc_index_writer *w, dc_sbuild *b, const tentry *e)
{
    size_t n = 0;
    for (const skipnote *s = e->skips; s; s = s->next) n++;
    if (n > w->skip_cap) {
        free(w->skip_tmp);
        w->skip_cap = 0;
        if (!(w->skip_tmp = malloc(n * sizeof *w->skip_tmp))) {
            b->rc = DC_NOMEM;
            return;
        }
        w->skip_cap = n;
    }
    size_t k = n;
    for (const skipnote *s = e->skips; s; s = s->next) w->skip_tmp[--k] = s;
    for (size_t i = 0; i < n; i++) dc_sb_skip(b, w->skip_tmp[i]->prev_ord, w->skip_tmp[i]->rel);
    for (const chunk *c = e->head; c && !b->rc; c = c->next) dc_wfile_put(&b->f, c->data, c->used);
    dc_sb_docs(b, e->df, e->last_ord);
}

static dc_rc flush(dc_index_writer *w)
{
    if (w->rc) return w->rc;
    if (w->docs.recs.n == 0) return DC_OK;
    tentry **ents = malloc((w->nterms ? w->nterms : 1) * sizeof *ents);
    uint64_t *segid = dc_vec_push(&w->newsegs);
    if (!ents || !segid) {
        free(ents);
        return w->rc = DC_NOMEM;
    }
    *segid = w->next_seg++;
    size_t n = 0;
    for (size_t i = 0; i < w->tab_cap; i++)
        if (w->tab[i]) ents[n++] = w->tab[i];
    qsort(ents, n, sizeof *ents, entry_cmp);
    char path[4096];
    dc_sbuild b;
    memset(&b, 0, sizeof b);
    dc_rc rc = dc_ix_seg_path(w->ix, *segid, path, sizeof path);
    if (!rc) rc = dc_sb_open(&b, path);
    for (size_t i = 0; i < n && !rc && !b.rc; i++) {
        tentry *e = ents[i];
        if (e->tail) e->tail->used = (uint32_t)(e->wp - e->tail->data);
        dc_sb_term_begin(&b, e->bytes, e->klen, e->bytes + e->klen, e->slen);
        put_chain(w, &b, e);
        dc_sb_term_end(&b);
    }
    free(ents);
    if (!rc) rc = dc_sb_finish(&b, &w->docs, NULL);
    else dc_sb_abort(&b, path);
    if (rc) {
        unlink(path);
        w->newsegs.n--;
        return w->rc = rc;
    }
    free(w->tab);
    w->tab = NULL;
    w->tab_cap = w->nterms = 0;
    arena_free(w);
    dc_sdocs_reset(&w->docs);
    return DC_OK;
}

/*
 * Adds one entry: the view exactly as given, readable by the readers
 * satisfying pred.  The index decides nothing about portions any more:
 * what a reader may not read is simply not in the view made for them (a
 * gap notice stands there, and is indexed like any text).
 *
 * Several entries of one docid (its distinct views) are added one after
 * the other and must land in one segment, on consecutive ordinals (the
 * deletion of a docid, and the check, find them there): so the buffers
 * are flushed only before the first entry of a new docid.
 */
dc_rc dc_index_writer_add(dc_index_writer *w, uint64_t docid, const dc_doc *doc,
                          const dc_access_pred *pred)
{
    if (!w || !doc || !pred) return DC_MISUSE;
    if (w->rc) return w->rc;
    if ((!w->cleared && docid <= w->ix->high_water) || docid < w->last_docid || docid == 0)
        return dc_ix_fail(w->ix, DC_MISUSE,
                          "index: docid %llu is not above the high-water mark",
                          (unsigned long long)docid);
    dc_rc prc = pred_check(pred);
    if (prc)
        return dc_ix_fail(w->ix, prc, "index: the predicate of %s is %s",
                          doc->id ? doc->id : "?", prc == DC_LIMIT ? "too large" : "malformed");
    dc_sdocs *d = &w->docs;
    int same = docid == w->last_docid;
    int full = writer_mem(w) >= w->budget && !(w->shared && atomic_load(&w->defer));
    if (!same && d->recs.n && (full || d->stored.len > 0xF0000000u)) {
        dc_rc rc = w->shared ? publish(w) : flush(w);
        if (rc) return rc;
    }
    if (d->recs.n >= 0xFFFFFFF0u || d->stored.len > 0xF0000000u) return w->rc = DC_LIMIT;
    dc_docrec rec;
    memset(&rec, 0, sizeof rec);
    rec.docid = docid;
    rec.stored_off = (uint32_t)d->stored.len;
    put_str(&d->stored, doc->id);
    put_str(&d->stored, doc->title);
    put_str(&d->stored, doc->date);
    put_str(&d->stored, doc->classification);
    rec.date = dc_ix_date_key(doc->date, 0);
    rec.coll = doc->collection ? dc_sdocs_string(d, doc->collection, strlen(doc->collection))
                               : DC_NONE32;
    rec.doctype = doc->doc_type ? dc_sdocs_string(d, doc->doc_type, strlen(doc->doc_type))
                                : DC_NONE32;
    int fl = doc->classification ? dc_level_parse(doc->classification) : DC_UNCLASSIFIED;
    rec.filter_level = fl < 0 ? 0xFF : (uint8_t)fl;
    if (doc->classification) {
        const char *cs = fl < 0 ? doc->classification : dc_level_name(fl);
        rec.classstr = dc_sdocs_string(d, cs, strlen(cs));
    } else {
        rec.classstr = DC_NONE32;
    }
    rec.release = release_code(doc->release_status);
    rec.pred = intern_pred(d, pred);
    dc_rc rc = d->rc;
    /* title */
    unsigned pos = 0;
    w->ntok = 0;
    if (!rc) rc = analyze(w, DC_F_TITLE, doc->title, &pos);
    uint32_t len = w->ntok;
    /* body: every portion (gaps too), the footnotes, the source note */
    pos = 0;
    w->ntok = 0;
    for (size_t i = 0; i < doc->n_portions && !rc; i++)
        rc = analyze(w, DC_F_BODY, doc->portions[i].text, &pos);
    for (size_t i = 0; i < doc->n_footnotes && !rc; i++)
        rc = analyze(w, DC_F_BODY, doc->footnotes[i].text, &pos);
    if (!rc) rc = analyze(w, DC_F_BODY, doc->source_note, &pos);
    len += w->ntok;
    pos = 0;
    for (size_t i = 0; i < doc->persons.n && !rc; i++)
        rc = analyze(w, DC_F_PERSON, doc->persons.v[i], &pos);
    uint8_t key[DC_KEY_MAX];
    for (size_t i = 0; i < doc->n_refs && !rc; i++)
        if (doc->refs[i].target) {
            size_t k = dc_ix_norm_value(DC_F_CITES, doc->refs[i].target,
                                        strlen(doc->refs[i].target), key);
            if (k > 1) rc = add_occ(w, key[0], key + 1, k - 1, (uint32_t)i);
        }
    if (!rc && doc->collection) {
        size_t k = dc_ix_norm_value(DC_F_COLL, doc->collection, strlen(doc->collection), key);
        if (k > 1) rc = add_occ(w, key[0], key + 1, k - 1, 0);
    }
    if (!rc) rc = d->rc ? d->rc : d->stored.rc;
    if (!rc) rc = doc_merge(w);
    doc_reset(w);
    rec.len = len;
    dc_docrec *slot = rc ? NULL : dc_vec_push(&d->recs);
    if (!rc && !slot) rc = d->recs.rc;
    if (rc) {
        /* the buffered postings now hold part of an entry: the batch is lost */
        w->rc = rc;
        return dc_ix_fail(w->ix, rc, "index: cannot add document %s: %s",
                          doc->id ? doc->id : "?", dc_strerror(rc));
    }
    *slot = rec;
    if (!w->first_docid) w->first_docid = docid;
    w->last_docid = docid;
    return DC_OK;
}

dc_rc dc_index_writer_delete(dc_index_writer *w, uint64_t docid)
{
    if (!w) return DC_MISUSE;
    if (w->rc) return w->rc;
    uint64_t *p = dc_vec_push(&w->dels);
    if (!p) return w->rc = w->dels.rc;
    *p = docid;
    return DC_OK;
}

dc_rc dc_index_writer_clear(dc_index_writer *w)
{
    if (!w) return DC_MISUSE;
    if (w->rc) return w->rc;
    if (w->shared) return dc_ix_fail(w->ix, DC_MISUSE, "index: clear with a shared writer");
    if (w->first_docid || w->newsegs.n || w->dels.n)
        return dc_ix_fail(w->ix, DC_MISUSE, "index: clear after changes in the batch");
    w->cleared = 1;
    return DC_OK;
}

/* Frees w and releases the lock (after removing its files on failure). */
static void writer_free(dc_index_writer *w, int remove_files)
{
    char path[4096];
    if (remove_files)
        for (size_t i = 0; i < w->newsegs.n; i++)
            if (dc_ix_seg_path(w->ix, ((uint64_t *)w->newsegs.p)[i], path, sizeof path) == 0)
                unlink(path);
    w->ix->writer_open = 0;
    if (!w->shared) dc_ix_unlock(w->ix);
    free(w->tab);
    arena_free(w);
    dc_sdocs_release(&w->docs);
    dc_vec_release(&w->newsegs);
    dc_vec_release(&w->dels);
    free(w->pbuf);
    free(w->skip_tmp);
    free(w->dtab);
    free(w->dterms);
    free(w->occ);
    free(w->dkeys);
    dc_analyzer_free(w->a);
    free(w);
}

/*
 * Flushes the last buffered documents, then publishes old segments + new
 * ones, the union of deleted docids and the new high-water mark in one
 * MANIFEST replacement (cleared: the new ones, the batch's deletions and
 * its last docid; the old files are removed after).  With the lock held;
 * on failure the caller removes the new segment files.
 */
static dc_rc commit_locked(dc_index_writer *w)
{
    dc_index *ix = w->ix;
    dc_rc rc = w->rc ? w->rc : flush(w);
    uint64_t *segs = NULL, *dels = NULL, *old = NULL;
    size_t nsegs = 0, ndels = 0, nold = w->cleared ? ix->nsegs : 0;
    size_t keep = w->cleared ? 0 : ix->nsegs, keepdel = w->cleared ? 0 : ix->ndeleted;
    if (!rc) {
        segs = malloc((keep + w->newsegs.n + 1) * sizeof *segs);
        dels = malloc((keepdel + w->dels.n + 1) * sizeof *dels);
        old = malloc((nold + 1) * sizeof *old);
        if (!segs || !dels || !old) rc = DC_NOMEM;
    }
    if (!rc) {
        for (size_t i = 0; i < nold; i++) old[i] = ix->segs[i]->id;
        for (size_t i = 0; i < keep; i++) segs[nsegs++] = ix->segs[i]->id;
        for (size_t i = 0; i < w->newsegs.n; i++) segs[nsegs++] = ((uint64_t *)w->newsegs.p)[i];
        if (keepdel) memcpy(dels, ix->deleted, keepdel * sizeof *dels);
        if (w->dels.n) memcpy(dels + keepdel, w->dels.p, w->dels.n * sizeof *dels);
        size_t n = keepdel + w->dels.n;
        qsort(dels, n, sizeof *dels, dc_u64_cmp);
        for (size_t i = 0; i < n; i++)
            if (!ndels || dels[ndels - 1] != dels[i]) dels[ndels++] = dels[i];
        uint64_t base = w->cleared ? 0 : ix->high_water;
        uint64_t hw = w->last_docid > base ? w->last_docid : base;
        rc = dc_ix_commit_manifest(ix, segs, nsegs, dels, ndels, hw, w->next_seg);
        char path[4096];
        for (size_t i = 0; !rc && i < nold; i++)
            if (dc_ix_seg_path(ix, old[i], path, sizeof path) == 0) unlink(path);
    } else {
        char why[160];
        dc_ix_fail(ix, rc, "index commit failed: %s", dc_ix_why(rc, why, sizeof why));
    }
    free(segs);
    free(dels);
    free(old);
    return rc;
}

/*
 * A shared writer publishes what it buffered: under the lock, and only if
 * no other writer has committed since it opened or last published (the
 * high-water mark it builds on is still the index's), its documents
 * become a segment named in a new MANIFEST, as a commit does; it then
 * goes on buffering without the lock.  If another writer came first, the
 * batch may hold versions that one indexed too: nothing is published,
 * dc_index_writer_overtaken says so, and w can only be aborted.
 */
static dc_rc publish(dc_index_writer *w)
{
    dc_index *ix = w->ix;
    if (w->rc) return w->rc;
    if (w->docs.recs.n == 0 && w->dels.n == 0) return DC_OK;
    if (dc_ix_lock(ix, 1) != 1) return w->rc = DC_IO;
    dc_rc rc = dc_ix_refresh(ix);
    if (!rc && (ix->high_water != w->base_hw || dc_index_outdated(ix))) {
        w->overtaken = 1;
        rc = dc_ix_fail(ix, DC_MISUSE, "index: another writer committed first");
    }
    if (!rc) {
        dc_ix_remove_orphans(ix);
        w->next_seg = ix->next_seg;
        rc = commit_locked(w);
    }
    char path[4096];
    for (size_t i = 0; rc && i < w->newsegs.n; i++)
        if (dc_ix_seg_path(ix, ((uint64_t *)w->newsegs.p)[i], path, sizeof path) == 0)
            unlink(path);
    w->newsegs.n = w->dels.n = 0;
    if (!rc) w->base_hw = ix->high_water;
    dc_ix_unlock(ix);
    return w->rc = rc;
}

dc_rc dc_index_writer_publish(dc_index_writer *w)
{
    if (!w || !w->shared) return DC_MISUSE;
    return publish(w);
}

/* The lock is held throughout (a shared writer's: while it publishes) and
 * released last; on any failure the new segment files are removed and the
 * index keeps its previous state. */
dc_rc dc_index_writer_commit(dc_index_writer *w)
{
    if (!w) return DC_MISUSE;
    dc_rc rc = w->shared ? publish(w) : commit_locked(w);
    writer_free(w, rc != DC_OK);
    return rc;
}

void dc_index_writer_abort(dc_index_writer *w)
{
    if (w) writer_free(w, 1);
}
