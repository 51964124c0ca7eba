/*
 * Segment files: the buffered checksummed writer, the builder that lays a
 * segment out (postings, front-coded dictionary and stem table, entry
 * table, stored fields, predicate, class and string tables, footer) and
 * the reader that maps one and checks its framing.  Every read of mapped
 * data is bounds-checked: a corrupt file yields DC_CORRUPT, never a crash.
 * Format: docs/internals/index.md.
 */
#ifdef __linux__
#define _GNU_SOURCE /* sync_file_range */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "index/index_int.h"
#include "util/util_int.h"
#include "util/banned.h"

/* ---- CRC-32 (IEEE, reflected 0xEDB88320) ---- */

/* zlib's crc32() is the same CRC-32 and, braided, about twice as fast as
 * the slicing-by-8 table this replaced; zlib is linked already (page
 * images).  Its length is a uInt, hence the chunks. */
uint32_t dc_crc32(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n) {
        uInt k = n > (1u << 30) ? 1u << 30 : (uInt)n;
        crc = (uint32_t)crc32(crc, p, k);
        p += k, n -= k;
    }
    return crc;
}

/* ---- buffered output ----
 *
 * Written 64 KiB at a time: Linux (ext4 since 6.16) caches a file in
 * folios as large as the writes that made them, and a mapping maps a
 * whole folio at its first touch.  With 1 MiB writes every segment an
 * ingest's handle opened kept 1 MiB resident for reading its header, and
 * each cursor of a merge a megabyte more (docs/internals/index.md,
 * "Segment file"). */

dc_rc dc_wfile_open(dc_wfile *w, const char *path)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->cap = (size_t)1 << 16;
    w->buf = malloc(w->cap);
    if (!w->buf) return w->rc = DC_NOMEM;
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (w->fd < 0) return w->rc = DC_IO;
    return DC_OK;
}

/* The checksum is taken over the buffer as it fills (dc_wfile_crc, the
 * flush), not per put: a segment is written a few bytes per posting, and
 * a checksum call each time cost more than the bytes. */
static void wfile_sum(dc_wfile *w)
{
    w->crc = dc_crc32(w->crc, w->buf + w->summed, w->n - w->summed);
    w->summed = w->n;
}

/* The disk is asked to start writing a file's pages every WFILE_KICK
 * bytes, as they are written: the fsync that ends a segment then waits for
 * its last part only (a fresh ingest of 10,000 small files ends with a
 * 22 MB segment, whose fsync took 11-13 ms while the rest of the ingest
 * waited). */
#define WFILE_KICK ((uint64_t)4 << 20)

static void wfile_flush(dc_wfile *w)
{
    wfile_sum(w);
    size_t done = 0;
    while (!w->rc && done < w->n) {
        ssize_t k = write(w->fd, w->buf + done, w->n - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) w->rc = DC_IO;
        else done += (size_t)k;
    }
    w->n = w->summed = 0;
#ifdef SYNC_FILE_RANGE_WRITE
    if (!w->rc && w->off - w->kicked >= WFILE_KICK) {
        /* a hint: a failure is the fsync's to report */
        (void)sync_file_range(w->fd, (off_t)w->kicked, (off_t)(w->off - w->kicked),
                              SYNC_FILE_RANGE_WRITE);
        w->kicked = w->off;
    }
#endif
}

uint32_t dc_wfile_crc(dc_wfile *w)
{
    if (w->buf) wfile_sum(w);
    return w->crc;
}

void dc_wfile_put(dc_wfile *w, const void *p, size_t n)
{
    if (w->rc || !n) return;
    w->off += n;
    if (n <= w->cap - w->n) { /* the usual case: a few bytes */
        memcpy(w->buf + w->n, p, n);
        w->n += n;
        return;
    }
    const uint8_t *s = p;
    while (n && !w->rc) {
        if (w->n == w->cap) wfile_flush(w);
        size_t k = w->cap - w->n < n ? w->cap - w->n : n;
        memcpy(w->buf + w->n, s, k);
        w->n += k, s += k, n -= k;
    }
}

dc_rc dc_wfile_close(dc_wfile *w, int sync)
{
    if (w->fd >= 0) {
        wfile_flush(w);
        if (sync && !w->rc && fsync(w->fd) != 0) w->rc = DC_IO;
        if (close(w->fd) != 0 && !w->rc) w->rc = DC_IO;
        w->fd = -1;
    }
    free(w->buf);
    w->buf = NULL;
    return w->rc;
}

/* ---- vectors ---- */

void *dc_vec_push(dc_vec *v)
{
    if (v->rc) return NULL;
    if (v->n >= ((size_t)1 << 31)) {
        v->rc = DC_LIMIT;
        return NULL;
    }
    v->p = dc_grow_array(v->p, v->n + 1, &v->cap, v->elem);
    if (v->n + 1 > v->cap) {
        v->rc = DC_NOMEM;
        return NULL;
    }
    return (char *)v->p + v->elem * v->n++;
}

void dc_vec_release(dc_vec *v)
{
    free(v->p);
    v->p = NULL;
    v->n = v->cap = 0;
}

/* ---- per-entry sections under construction ---- */

static void itab_init(dc_itab *t, size_t cap, uint32_t max)
{
    memset(t, 0, sizeof *t);
    t->off.elem = sizeof(uint32_t);
    t->max = max;
    dc_buf_init(&t->data, cap);
}

static void itab_release(dc_itab *t)
{
    dc_buf_release(&t->data);
    dc_vec_release(&t->off);
    free(t->hash);
    t->hash = NULL;
    t->hash_cap = 0;
}

static size_t itab_mem(const dc_itab *t)
{
    return t->data.cap + t->off.cap * 4 + t->hash_cap * 4;
}

void dc_sdocs_init(dc_sdocs *d)
{
    memset(d, 0, sizeof *d);
    d->recs.elem = sizeof(dc_docrec);
    dc_buf_init(&d->stored, (size_t)1 << 31);
    /* ids: classes 16 bits (a predicate entry holds one shifted by one),
     * predicates and strings 24 */
    itab_init(&d->classes, (size_t)1 << 28, 65535);
    itab_init(&d->preds, (size_t)1 << 28, 0xFFFFFF);
    itab_init(&d->strings, (size_t)1 << 28, 0xFFFFFF);
}

void dc_sdocs_release(dc_sdocs *d)
{
    dc_vec_release(&d->recs);
    dc_buf_release(&d->stored);
    itab_release(&d->classes);
    itab_release(&d->preds);
    itab_release(&d->strings);
}

void dc_sdocs_reset(dc_sdocs *d)
{
    dc_sdocs_release(d);
    dc_sdocs_init(d);
}

size_t dc_sdocs_mem(const dc_sdocs *d)
{
    return d->recs.cap * d->recs.elem + d->stored.cap + itab_mem(&d->classes) +
           itab_mem(&d->preds) + itab_mem(&d->strings);
}

static uint64_t hash_bytes(const void *p, size_t n)
{
    const uint8_t *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static const uint8_t *itab_item(const dc_itab *t, uint32_t id, size_t *n)
{
    const uint32_t *off = t->off.p;
    size_t end = id + 1 < t->off.n ? off[id + 1] : t->data.len;
    *n = end - off[id];
    return (const uint8_t *)t->data.p + off[id];
}

/*
 * Interns the n bytes at s in t: returns the item's id, DC_NONE32 on
 * failure (d->rc set).  The tables are small (collections, document
 * types, markings, access classes, predicates), so a linear-probing hash
 * grown at half load is enough.
 */
static uint32_t itab_add(dc_sdocs *d, dc_itab *t, const void *s, size_t n)
{
    if (d->rc) return DC_NONE32;
    if (t->off.n * 2 >= t->hash_cap) {
        size_t nc = t->hash_cap ? t->hash_cap * 2 : 256;
        uint32_t *nh = calloc(nc, sizeof *nh);
        if (!nh) {
            d->rc = DC_NOMEM;
            return DC_NONE32;
        }
        for (uint32_t i = 0; i < t->off.n; i++) {
            size_t l;
            const uint8_t *x = itab_item(t, i, &l);
            size_t h = hash_bytes(x, l) & (nc - 1);
            while (nh[h]) h = (h + 1) & (nc - 1);
            nh[h] = i + 1;
        }
        free(t->hash);
        t->hash = nh, t->hash_cap = nc;
    }
    size_t h = hash_bytes(s, n) & (t->hash_cap - 1);
    while (t->hash[h]) {
        size_t l;
        const uint8_t *x = itab_item(t, t->hash[h] - 1, &l);
        if (l == n && memcmp(x, s, n) == 0) return t->hash[h] - 1;
        h = (h + 1) & (t->hash_cap - 1);
    }
    if (t->off.n >= t->max) {
        d->rc = DC_LIMIT;
        return DC_NONE32;
    }
    uint32_t *o = dc_vec_push(&t->off);
    if (!o) {
        d->rc = t->off.rc;
        return DC_NONE32;
    }
    *o = (uint32_t)t->data.len;
    dc_buf_add(&t->data, (const char *)s, n);
    if (t->data.rc) {
        d->rc = t->data.rc;
        return DC_NONE32;
    }
    t->hash[h] = (uint32_t)t->off.n;
    return (uint32_t)t->off.n - 1;
}

uint32_t dc_sdocs_string(dc_sdocs *d, const char *s, size_t n)
{
    return itab_add(d, &d->strings, s, n);
}

uint32_t dc_sdocs_class(dc_sdocs *d, int open, int level, const uint8_t *comps,
                        size_t comps_len, unsigned ncomps)
{
    if (ncomps > 255 || comps_len > 255 * 256 || level < 0 || level > 255) {
        if (!d->rc) d->rc = DC_LIMIT;
        return DC_NONE32;
    }
    /* everyone reads an open class: level and compartments do not matter */
    if (open) level = 0, ncomps = 0, comps_len = 0;
    uint8_t small[256], *buf = comps_len + 3 <= sizeof small ? small : malloc(comps_len + 3);
    if (!buf) {
        if (!d->rc) d->rc = DC_NOMEM;
        return DC_NONE32;
    }
    buf[0] = open ? 1 : 0;
    buf[1] = (uint8_t)level;
    buf[2] = (uint8_t)ncomps;
    if (comps_len) memcpy(buf + 3, comps, comps_len);
    uint32_t id = itab_add(d, &d->classes, buf, 3 + comps_len);
    if (buf != small) free(buf);
    return id;
}

uint32_t dc_sdocs_pred(dc_sdocs *d, const uint8_t *ents, size_t n)
{
    if (n > 0xFFFF) {
        if (!d->rc) d->rc = DC_LIMIT;
        return DC_NONE32;
    }
    return itab_add(d, &d->preds, ents, 4 * n);
}

/* ---- builder ---- */

dc_rc dc_sb_open(dc_sbuild *b, const char *path)
{
    memset(b, 0, sizeof *b);
    dc_buf *bufs[] = {&b->dict, &b->dictidx, &b->stems, &b->stemidx, &b->tmp, &b->stembytes};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        dc_buf_init(bufs[i], (size_t)1 << 31);
    b->skips.elem = 8;
    b->stempairs.elem = 12;
    b->rc = dc_wfile_open(&b->f, path);
    uint8_t h[DC_SEG_HEADER] = {0};
    memcpy(h, DC_SEG_MAGIC, 8);
    dc_wr32(h + 8, DC_SEG_VERSION);
    dc_wfile_put(&b->f, h, sizeof h);
    return b->rc;
}

static void sb_release(dc_sbuild *b)
{
    dc_buf *bufs[] = {&b->dict, &b->dictidx, &b->stems, &b->stemidx, &b->tmp, &b->stembytes};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) dc_buf_release(bufs[i]);
    dc_vec_release(&b->skips);
    dc_vec_release(&b->stempairs);
}

void dc_sb_abort(dc_sbuild *b, const char *path)
{
    if (b->f.buf || b->f.fd > 0) dc_wfile_close(&b->f, 0);
    sb_release(b);
    if (path) unlink(path);
}

void dc_sb_term_begin(dc_sbuild *b, const uint8_t *key, size_t klen, const uint8_t *stem,
                      size_t slen)
{
    if (klen > DC_KEY_MAX || slen > DC_KEY_MAX) {
        b->rc = DC_LIMIT;
        return;
    }
    memcpy(b->key, key, klen);
    b->klen = klen;
    memcpy(b->stem, stem, slen);
    b->slen = slen;
    b->t_start = b->f.off;
    b->t_df = 0;
    b->t_prev = -1;
    b->skips.n = 0;
}

void dc_sb_doc(dc_sbuild *b, uint32_t ord, uint64_t rel)
{
    if (b->rc) return;
    if (b->t_df && b->t_df % DC_SKIP_EVERY == 0) dc_sb_skip(b, (uint32_t)b->t_prev, rel);
    b->t_prev = ord;
    b->t_df++;
}

void dc_sb_skip(dc_sbuild *b, uint32_t prev_ord, uint64_t rel)
{
    if (b->rc) return;
    uint8_t *e = dc_vec_push(&b->skips);
    if (!e || rel > 0xFFFFFFFFu) {
        b->rc = e ? DC_LIMIT : b->skips.rc;
        return;
    }
    dc_wr32(e, prev_ord);
    dc_wr32(e + 4, (uint32_t)rel);
}

void dc_sb_docs(dc_sbuild *b, uint64_t df, uint32_t last_ord)
{
    b->t_df = df;
    b->t_prev = last_ord;
}

void dc_sb_post(dc_sbuild *b, uint32_t ord, uint32_t tf, uint32_t pos1, const uint8_t *pos,
                size_t plen)
{
    uint8_t tmp[32];
    size_t n = 0;
    if (b->rc) return;
    uint64_t gap = (uint64_t)((int64_t)ord - b->t_prev - 1);
    dc_sb_doc(b, ord, b->f.off - b->t_start);
    if (b->rc) return;
    if (tf == 1) {
        n += dc_putv(tmp + n, gap << 1 | 1);
        n += dc_putv(tmp + n, pos1);
        dc_wfile_put(&b->f, tmp, n);
    } else {
        n += dc_putv(tmp + n, gap << 1);
        n += dc_putv(tmp + n, tf);
        n += dc_putv(tmp + n, plen);
        dc_wfile_put(&b->f, tmp, n);
        dc_wfile_put(&b->f, pos, plen);
    }
}

/* Front-codes key against the previous key of table buf (entry count n). */
static void kt_key(dc_buf *buf, dc_buf *idx, uint64_t n, uint8_t *prev, size_t *prevlen,
                   const uint8_t *key, size_t klen)
{
    uint8_t tmp[24];
    size_t shared = 0;
    if (n % DC_KT_BLOCK == 0) {
        uint8_t o[4];
        dc_wr32(o, (uint32_t)buf->len);
        if (buf->len > 0xFFFFFFFFu) buf->rc = buf->rc ? buf->rc : DC_LIMIT;
        dc_buf_add(idx, (const char *)o, 4);
    } else {
        while (shared < klen && shared < *prevlen && prev[shared] == key[shared]) shared++;
    }
    size_t t = dc_putv(tmp, shared);
    t += dc_putv(tmp + t, klen - shared);
    dc_buf_add(buf, (const char *)tmp, t);
    dc_buf_add(buf, (const char *)key + shared, klen - shared);
    memcpy(prev, key, klen);
    *prevlen = klen;
}

void dc_sb_term_end(dc_sbuild *b)
{
    if (b->rc || b->t_df == 0) return;
    uint64_t dlen = b->f.off - b->t_start;
    /* skip table after the doc stream */
    for (size_t i = 0; i < b->skips.n; i++)
        dc_wfile_put(&b->f, (uint8_t *)b->skips.p + i * 8, 8);
    kt_key(&b->dict, &b->dictidx, b->nterms, b->prevkey, &b->prevklen, b->key, b->klen);
    uint8_t tmp[64];
    size_t t = dc_putv(tmp, b->t_df);
    t += dc_putv(tmp + t, b->t_start - DC_SEG_HEADER);
    t += dc_putv(tmp + t, dlen);
    size_t ss = 0;
    while (ss < b->slen && ss < b->klen && b->stem[ss] == b->key[ss]) ss++;
    t += dc_putv(tmp + t, ss);
    t += dc_putv(tmp + t, b->slen - ss);
    dc_buf_add(&b->dict, (const char *)tmp, t);
    dc_buf_add(&b->dict, (const char *)b->stem + ss, b->slen - ss);
    /* remember (stem, ord) for the stem table */
    uint8_t *e = dc_vec_push(&b->stempairs);
    if (!e) {
        b->rc = b->stempairs.rc;
        return;
    }
    dc_wr32(e, (uint32_t)b->stembytes.len);
    dc_wr32(e + 4, (uint32_t)b->slen);
    dc_wr32(e + 8, (uint32_t)b->nterms);
    dc_buf_add(&b->stembytes, (const char *)b->stem, b->slen);
    if (b->dict.rc || b->dictidx.rc || b->stembytes.rc)
        b->rc = b->dict.rc ? b->dict.rc : b->dictidx.rc ? b->dictidx.rc : b->stembytes.rc;
    b->nterms++;
}

/* The stem bytes stempair_cmp compares (qsort has no context argument);
 * per thread, as two threads may build segments of different indexes. */
static _Thread_local const uint8_t *sort_bytes;

static int stempair_cmp(const void *x, const void *y)
{
    const uint8_t *a = x, *b = y;
    uint32_t la = dc_rd32(a + 4), lb = dc_rd32(b + 4);
    int c = memcmp(sort_bytes + dc_rd32(a), sort_bytes + dc_rd32(b), la < lb ? la : lb);
    if (c) return c;
    if (la != lb) return la < lb ? -1 : 1;
    uint32_t oa = dc_rd32(a + 8), ob = dc_rd32(b + 8);
    return oa < ob ? -1 : oa > ob;
}

static void put_section(dc_sbuild *b, const void *p, size_t n, uint8_t *foot, uint64_t *off)
{
    dc_wr64(foot, b->f.off);
    dc_wr64(foot + 8, n);
    dc_wfile_put(&b->f, p, n);
    *off = b->f.off;
}

/* An interned table as a section: (n + 1) u32 offsets relative to the
 * data after them (the last is the data's length), then the data. */
static void put_itab(dc_sbuild *b, const dc_itab *t, uint8_t *foot)
{
    dc_wr64(foot, b->f.off);
    dc_wr64(foot + 8, (t->off.n + 1) * 4 + t->data.len);
    for (size_t i = 0; i <= t->off.n; i++) {
        uint8_t o[4];
        dc_wr32(o, i < t->off.n ? ((const uint32_t *)t->off.p)[i] : (uint32_t)t->data.len);
        dc_wfile_put(&b->f, o, 4);
    }
    dc_wfile_put(&b->f, t->data.p, t->data.len);
}

/* u32 values, little-endian, put through a buffer of its own. */
typedef struct u32_out {
    dc_sbuild *b;
    size_t n;
    uint8_t buf[4096];
} u32_out;

static void u32_put(u32_out *o, uint32_t v)
{
    if (o->n == sizeof o->buf) {
        dc_wfile_put(&o->b->f, o->buf, o->n);
        o->n = 0;
    }
    dc_wr32(o->buf + o->n, v);
    o->n += 4;
}

static void u32_flush(u32_out *o)
{
    dc_wfile_put(&o->b->f, o->buf, o->n);
    o->n = 0;
}

/* d's own entries as a dc_sents. */
typedef struct mem_ents {
    const dc_sdocs *d;
    size_t i;
} mem_ents;

static void mem_rewind(void *ctx) { ((mem_ents *)ctx)->i = 0; }

static int mem_next(void *ctx, dc_docrec *r, const uint8_t **stored, size_t *len)
{
    mem_ents *m = ctx;
    const dc_docrec *v = m->d->recs.p;
    if (m->i >= m->d->recs.n) return 0;
    *r = v[m->i++];
    size_t end = m->i < m->d->recs.n ? v[m->i].stored_off : m->d->stored.len;
    *stored = (const uint8_t *)m->d->stored.p + r->stored_off;
    *len = end - r->stored_off;
    return 1;
}

/* Counts of the entries, from the entry table's pass. */
typedef struct ents_tally {
    uint64_t n, total_len, ndistinct, min_docid, max_docid;
} ents_tally;

/* The entry table, each entry's stored_off the sum of the stored fields
 * before it; fills t. */
static void put_entries(dc_sbuild *b, const dc_sents *src, uint8_t *foot, ents_tally *t)
{
    uint64_t stored = 0, start = b->f.off;
    dc_docrec r;
    const uint8_t *sp;
    size_t sl;
    int more = 0;
    memset(t, 0, sizeof *t);
    src->rewind(src->ctx);
    while (!b->rc && (more = src->next(src->ctx, &r, &sp, &sl)) > 0) {
        if (stored > 0xFFFFFFFFu) {
            b->rc = DC_LIMIT; /* stored_off is 32 bits */
            return;
        }
        uint8_t x[DC_SEG_DOCREC] = {0};
        dc_wr64(x, r.docid);
        dc_wr32(x + 8, r.len);
        dc_wr32(x + 12, (uint32_t)stored);
        dc_wr32(x + 16, r.date);
        dc_wr32(x + 20, r.coll);
        dc_wr32(x + 24, r.doctype);
        dc_wr32(x + 28, r.classstr);
        dc_wr32(x + 40, r.pred);
        x[44] = r.filter_level;
        x[45] = r.release;
        dc_wfile_put(&b->f, x, sizeof x);
        if (t->n == 0) t->min_docid = r.docid;
        if (t->n == 0 || r.docid != t->max_docid) t->ndistinct++;
        t->max_docid = r.docid;
        t->n++;
        t->total_len += r.len;
        stored += sl;
    }
    if (!b->rc && more < 0) b->rc = DC_CORRUPT;
    dc_wr64(foot, start);
    dc_wr64(foot + 8, b->f.off - start);
}

/* The stored fields of every entry, in order. */
static void put_stored(dc_sbuild *b, const dc_sents *src, uint8_t *foot)
{
    uint64_t start = b->f.off;
    dc_docrec r;
    const uint8_t *sp;
    size_t sl;
    int more = 0;
    src->rewind(src->ctx);
    while (!b->rc && (more = src->next(src->ctx, &r, &sp, &sl)) > 0) dc_wfile_put(&b->f, sp, sl);
    if (!b->rc && more < 0) b->rc = DC_CORRUPT;
    dc_wr64(foot, start);
    dc_wr64(foot + 8, b->f.off - start);
}

/*
 * The dense section: zero bytes up to a multiple of 8 in the file (so
 * that its arrays can be read in place), then the distinct docids, the
 * lengths and profile ids of every entry (a pass over the entries each),
 * the profiles and the tally of every predicate (docs/internals/index.md),
 * computed by the function a version 2 segment uses at open.
 */
static void put_dense(dc_sbuild *b, const dc_sdocs *d, const dc_sents *src, const ents_tally *t,
                      uint8_t *foot, uint32_t *nprof)
{
    static const uint8_t zero[8];
    dc_dense x;
    dc_docrec r;
    const uint8_t *sp;
    size_t sl;
    int more = 0;
    dc_rc rc = dc_dense_init(&x, 1, (uint32_t)d->preds.off.n);
    dc_wfile_put(&b->f, zero, (8 - b->f.off % 8) % 8);
    uint64_t start = b->f.off;
    uint8_t rec[DC_SEG_PROFREC];
    dc_wr64(rec, t->ndistinct);
    dc_wfile_put(&b->f, rec, 8);
    u32_out o = {.b = b};
    for (int pass = 0; pass < 2 && !rc && !b->rc; pass++) {
        src->rewind(src->ctx);
        while (!rc && !b->rc && (more = src->next(src->ctx, &r, &sp, &sl)) > 0) {
            if (pass == 0) {
                u32_put(&o, r.len);
            } else if ((rc = dc_dense_add(&x, 0, &r)) == DC_OK) {
                u32_put(&o, x.prof[0]);
            }
        }
        if (more < 0) rc = DC_CORRUPT;
        u32_flush(&o);
    }
    if (!rc && x.ndistinct != t->ndistinct) rc = DC_CORRUPT; /* the entries changed */
    if (rc) {
        if (!b->rc) b->rc = rc;
        dc_dense_release(&x);
        return;
    }
    for (uint32_t p = 0; p < x.nprof; p++) {
        const dc_sprof *P = &x.profs[p];
        memset(rec, 0, sizeof rec);
        dc_wr32(rec, P->pred);
        dc_wr32(rec + 4, P->coll);
        dc_wr32(rec + 8, P->doctype);
        dc_wr32(rec + 12, P->classstr);
        dc_wr32(rec + 16, P->year);
        rec[20] = P->filter_level;
        dc_wfile_put(&b->f, rec, DC_SEG_PROFREC);
    }
    for (uint32_t p = 0; p < x.npreds; p++) {
        dc_wr64(rec, x.live[p]);
        dc_wr64(rec + 8, x.len[p]);
        dc_wfile_put(&b->f, rec, DC_SEG_TALLYREC);
    }
    dc_wr64(foot, start);
    dc_wr64(foot + 8, b->f.off - start);
    *nprof = x.nprof;
    dc_dense_release(&x);
}

/*
 * Lays out everything after the postings: dictionary and its block index,
 * the stem table (built here by sorting the (stem, ordinal) pairs), the
 * entry table, stored fields, predicate, class and string tables, the
 * dense section, then the footer whose last field is the CRC-32 of every
 * byte before it.
 */
dc_rc dc_sb_finish(dc_sbuild *b, dc_sdocs *d, const dc_sents *src)
{
    mem_ents own = {.d = d};
    dc_sents mem = {mem_rewind, mem_next, &own};
    if (!src) src = &mem;
    if (!b->rc && d->rc) b->rc = d->rc;
    if (!b->rc && (d->recs.rc || d->stored.rc))
        b->rc = d->recs.rc ? d->recs.rc : d->stored.rc;
    /* stem table */
    uint64_t nstems = 0;
    if (!b->rc && b->stempairs.n) {
        sort_bytes = (const uint8_t *)b->stembytes.p;
        qsort(b->stempairs.p, b->stempairs.n, 12, stempair_cmp);
        uint8_t prev[DC_KEY_MAX];
        size_t prevlen = 0;
        size_t i = 0;
        const uint8_t *pairs = b->stempairs.p;
        while (i < b->stempairs.n) {
            size_t j = i;
            const uint8_t *s = sort_bytes + dc_rd32(pairs + i * 12);
            uint32_t sl = dc_rd32(pairs + i * 12 + 4);
            while (j < b->stempairs.n && dc_rd32(pairs + j * 12 + 4) == sl &&
                   memcmp(sort_bytes + dc_rd32(pairs + j * 12), s, sl) == 0)
                j++;
            kt_key(&b->stems, &b->stemidx, nstems, prev, &prevlen, s, sl);
            uint8_t tmp[16];
            dc_buf_add(&b->stems, (const char *)tmp, dc_putv(tmp, j - i));
            uint32_t last = 0;
            for (size_t k = i; k < j; k++) {
                uint32_t o = dc_rd32(pairs + k * 12 + 8);
                dc_buf_add(&b->stems, (const char *)tmp, dc_putv(tmp, o - last));
                last = o;
            }
            nstems++;
            i = j;
        }
        if (b->stems.rc || b->stemidx.rc) b->rc = b->stems.rc ? b->stems.rc : b->stemidx.rc;
    }
    if (b->rc) {
        dc_wfile_close(&b->f, 0);
        sb_release(b);
        return b->rc;
    }
    uint8_t foot[DC_SEG_FOOTER];
    memset(foot, 0, sizeof foot);
    memcpy(foot, DC_SEG_FOOT_MAGIC, 8);
    uint64_t off = 0;
    dc_wr64(foot + 56, DC_SEG_HEADER);
    dc_wr64(foot + 64, b->f.off - DC_SEG_HEADER);
    put_section(b, b->dict.p, b->dict.len, foot + 72, &off);
    put_section(b, b->dictidx.p, b->dictidx.len, foot + 88, &off);
    put_section(b, b->stems.p, b->stems.len, foot + 104, &off);
    put_section(b, b->stemidx.p, b->stemidx.len, foot + 120, &off);
    ents_tally t;
    put_entries(b, src, foot + 136, &t);
    put_stored(b, src, foot + 152);
    put_itab(b, &d->preds, foot + 168);
    put_itab(b, &d->classes, foot + 184);
    put_itab(b, &d->strings, foot + 200);
    uint32_t nprof = 0;
    put_dense(b, d, src, &t, foot + 216, &nprof);
    dc_wr64(foot + 8, t.n);
    dc_wr64(foot + 16, b->nterms);
    dc_wr64(foot + 24, nstems);
    dc_wr64(foot + 32, t.total_len);
    dc_wr64(foot + 40, t.min_docid);
    dc_wr64(foot + 48, t.max_docid);
    dc_wr32(foot + 232, (uint32_t)d->classes.off.n);
    dc_wr32(foot + 236, (uint32_t)d->strings.off.n);
    dc_wr32(foot + 240, (uint32_t)d->preds.off.n);
    dc_wr32(foot + 244, nprof);
    dc_wr32(foot + 248, DC_SEG_VERSION);
    if (b->rc) {
        dc_wfile_close(&b->f, 0);
        sb_release(b);
        return b->rc;
    }
    dc_wfile_put(&b->f, foot, DC_SEG_FOOTER - 4);
    uint8_t c[4];
    dc_wr32(c, dc_wfile_crc(&b->f));
    dc_wfile_put(&b->f, c, 4);
    dc_rc rc = dc_wfile_close(&b->f, 1);
    sb_release(b);
    return b->rc ? b->rc : rc;
}

/* ---- reader ---- */

void dc_seg_close(dc_seg *s)
{
    if (!s) return;
    if (s->map) munmap((void *)s->map, s->size);
    free(s->path);
    free(s->del);
    free(s->dense_own);
    free(s->profs);
    free(s->pred_live);
    free(s);
}

static uint64_t prof_hash(const dc_sprof *p)
{
    uint64_t h = p->pred * 0x9E3779B97F4A7C15ull;
    h = (h ^ p->coll) * 0xC2B2AE3D27D4EB4Full;
    h = (h ^ p->doctype) * 0x165667B19E3779F9ull;
    h = (h ^ p->classstr) * 0x9E3779B97F4A7C15ull;
    h = (h ^ p->year) * 0xC2B2AE3D27D4EB4Full;
    h = (h ^ p->filter_level) * 0x165667B19E3779F9ull;
    return h ^ (h >> 29);
}

static int prof_eq(const dc_sprof *a, const dc_sprof *b)
{
    return a->pred == b->pred && a->coll == b->coll && a->doctype == b->doctype &&
           a->classstr == b->classstr && a->year == b->year &&
           a->filter_level == b->filter_level;
}

dc_rc dc_dense_init(dc_dense *d, size_t n, uint32_t npreds)
{
    memset(d, 0, sizeof *d);
    d->npreds = npreds;
    d->hcap = 256;
    d->dlen = malloc((n ? n : 1) * sizeof *d->dlen);
    d->prof = malloc((n ? n : 1) * sizeof *d->prof);
    d->live = calloc(npreds ? npreds : 1, sizeof *d->live);
    d->len = calloc(npreds ? npreds : 1, sizeof *d->len);
    d->tab = calloc(d->hcap, sizeof *d->tab);
    return d->dlen && d->prof && d->live && d->len && d->tab ? DC_OK : DC_NOMEM;
}

void dc_dense_release(dc_dense *d)
{
    free(d->dlen);
    free(d->prof);
    free(d->profs);
    free(d->tab);
    free(d->live);
    free(d->len);
    memset(d, 0, sizeof *d);
}

/*
 * One entry: its length, its profile (interned by open addressing, the
 * table grown at half load), the distinct docids and the tally of its
 * predicate.  A predicate id past the table is DC_CORRUPT here (the
 * tally indexes by it); other values are kept as they are, so a bad
 * string id is caught where it is used.
 */
dc_rc dc_dense_add(dc_dense *d, size_t i, const dc_docrec *r)
{
    if (r->pred >= d->npreds) return DC_CORRUPT;
    if (d->ndistinct == 0 || r->docid != d->last) d->ndistinct++;
    d->last = r->docid;
    d->dlen[i] = r->len;
    d->live[r->pred]++;
    d->len[r->pred] += r->len;
    dc_sprof p = {r->pred, r->coll, r->doctype, r->classstr, r->date / 10000, r->filter_level};
    size_t h = (size_t)prof_hash(&p) & (d->hcap - 1);
    while (d->tab[h] && !prof_eq(&d->profs[d->tab[h] - 1], &p)) h = (h + 1) & (d->hcap - 1);
    if (d->tab[h]) {
        d->prof[i] = d->tab[h] - 1;
        return DC_OK;
    }
    if (d->nprof >= 0xFFFFFFF0u || DC_GROW(d->profs, d->nprof + 1, d->pcap)) return DC_NOMEM;
    d->profs[d->nprof] = p;
    d->prof[i] = d->nprof;
    d->tab[h] = ++d->nprof;
    if ((size_t)d->nprof * 2 > d->hcap) {
        size_t nh = d->hcap * 2;
        uint32_t *t2 = calloc(nh, sizeof *t2);
        if (!t2) return DC_NOMEM;
        for (uint32_t k = 0; k < d->nprof; k++) {
            size_t j = (size_t)prof_hash(&d->profs[k]) & (nh - 1);
            while (t2[j]) j = (j + 1) & (nh - 1);
            t2[j] = k + 1;
        }
        free(d->tab);
        d->tab = t2, d->hcap = nh;
    }
    return DC_OK;
}

dc_rc dc_seg_dense_compute(const dc_seg *s, dc_dense *d)
{
    dc_rc rc = dc_dense_init(d, (size_t)s->ndocs, s->npreds);
    for (uint32_t o = 0; o < s->ndocs && !rc; o++) {
        dc_docrec r;
        dc_seg_docrec(s, o, &r);
        rc = dc_dense_add(d, o, &r);
    }
    return rc;
}

/* The tally arrays: pred_live, pred_len, then their copies before
 * deletions (pred_live0, pred_len0), in one allocation. */
static int tally_alloc(dc_seg *s)
{
    size_t n = s->npreds ? s->npreds : 1;
    if (!(s->pred_live = calloc(4 * n, sizeof *s->pred_live))) return -1;
    s->pred_len = s->pred_live + n;
    s->pred_live0 = s->pred_len + n;
    s->pred_len0 = s->pred_live0 + n;
    return 0;
}

/* Version 2: the dense data computed from the entry table (one pass over
 * it: the cost version 3 saves at every open). */
static dc_rc dense_compute_v2(dc_seg *s)
{
    dc_dense d;
    dc_rc rc = dc_seg_dense_compute(s, &d);
    size_t n = (size_t)s->ndocs;
    if (!rc && (tally_alloc(s) || !(s->dense_own = malloc(2 * (n ? n : 1) * sizeof(uint32_t)))))
        rc = DC_NOMEM;
    if (!rc) {
        memcpy(s->dense_own, d.dlen, n * sizeof(uint32_t));
        memcpy(s->dense_own + n, d.prof, n * sizeof(uint32_t));
        s->dlen = s->dense_own;
        s->prof = s->dense_own + n;
        memcpy(s->pred_live0, d.live, s->npreds * sizeof *d.live);
        memcpy(s->pred_len0, d.len, s->npreds * sizeof *d.len);
        s->profs = d.profs;
        s->nprof = d.nprof;
        s->ndistinct = d.ndistinct;
        d.profs = NULL;
    }
    dc_dense_release(&d);
    return rc;
}

static int host_le(void)
{
    const uint16_t x = 1;
    uint8_t b;
    memcpy(&b, &x, 1);
    return b == 1;
}

/*
 * Version 3: the dense section as stored, its size checked against the
 * counts.  The arrays are read in place (the section starts on a
 * multiple of 8, the mapping on a page), decoded only on a big-endian
 * host; the profiles and the tally, a few per predicate, are decoded.
 * Nothing here reads per entry: a profile id is checked where it is used.
 */
static dc_rc dense_read(dc_seg *s, const uint8_t *sec, uint64_t len, uint32_t nprof)
{
    uint64_t n = s->ndocs;
    if (len != 8 + 8 * n + (uint64_t)DC_SEG_PROFREC * nprof +
                   (uint64_t)DC_SEG_TALLYREC * s->npreds)
        return DC_CORRUPT;
    s->ndistinct = dc_rd64(sec);
    if (s->ndistinct > n || (n && !s->ndistinct)) return DC_CORRUPT;
    const uint8_t *arr = sec + 8, *pr = arr + 8 * n, *ta = pr + (size_t)DC_SEG_PROFREC * nprof;
    if (tally_alloc(s) || !(s->profs = malloc((nprof ? nprof : 1) * sizeof *s->profs)))
        return DC_NOMEM;
    if (host_le()) {
        s->dlen = (const uint32_t *)(const void *)arr;
        s->prof = (const uint32_t *)(const void *)(arr + 4 * n);
    } else {
        if (!(s->dense_own = malloc(2 * (n ? n : 1) * sizeof(uint32_t)))) return DC_NOMEM;
        for (uint64_t i = 0; i < 2 * n; i++) s->dense_own[i] = dc_rd32(arr + 4 * i);
        s->dlen = s->dense_own;
        s->prof = s->dense_own + n;
    }
    for (uint32_t p = 0; p < nprof; p++) {
        const uint8_t *x = pr + (size_t)DC_SEG_PROFREC * p;
        dc_sprof P = {dc_rd32(x), dc_rd32(x + 4), dc_rd32(x + 8), dc_rd32(x + 12),
                      dc_rd32(x + 16), x[20]};
        if (P.pred >= s->npreds) return DC_CORRUPT;
        s->profs[p] = P;
    }
    s->nprof = nprof;
    for (uint32_t p = 0; p < s->npreds; p++) {
        s->pred_live0[p] = dc_rd64(ta + (size_t)DC_SEG_TALLYREC * p);
        s->pred_len0[p] = dc_rd64(ta + (size_t)DC_SEG_TALLYREC * p + 8);
    }
    return DC_OK;
}

/* The tally before deletions, less every deleted entry: the bitmap is
 * read a word at a time, so a segment without deletions costs its
 * predicates only.  A deleted entry with a bad profile id is left out
 * here (dc_index_check reports it). */
void dc_seg_tally(dc_seg *s)
{
    if (s->outdated) return;
    memcpy(s->pred_live, s->pred_live0, s->npreds * sizeof *s->pred_live);
    memcpy(s->pred_len, s->pred_len0, s->npreds * sizeof *s->pred_len);
    if (!s->del) return;
    for (uint64_t w = 0; w * 64 < s->ndocs; w++) {
        uint8_t b[8] = {0};
        uint64_t rest = (s->ndocs + 7) / 8 - w * 8, any;
        memcpy(b, s->del + w * 8, rest < 8 ? rest : 8);
        memcpy(&any, b, 8);
        if (!any) continue;
        for (int k = 0; k < 64; k++) {
            if (!(b[k >> 3] >> (k & 7) & 1)) continue;
            uint64_t o = w * 64 + (uint64_t)k;
            uint32_t pr = o < s->ndocs ? s->prof[o] : DC_NONE32;
            if (pr >= s->nprof) continue;
            uint32_t p = s->profs[pr].pred;
            s->pred_live[p]--;
            s->pred_len[p] -= s->dlen[o];
        }
    }
}

/* Checks an interned table section: (n + 1) u32 offsets, non-decreasing,
 * the last equal to the data's length. */
static int itab_ok(const uint8_t *sec, uint64_t len, uint32_t n)
{
    if (((uint64_t)n + 1) * 4 > len) return 0;
    uint64_t dlen = len - ((uint64_t)n + 1) * 4, prev = 0;
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t o = dc_rd32(sec + 4 * (size_t)i);
        if (o < prev || o > dlen) return 0;
        prev = o;
    }
    return prev == dlen;
}

/* Item i of an interned table section of n items (checked by itab_ok). */
static const uint8_t *itab_get(const uint8_t *sec, uint32_t n, uint32_t i, size_t *len)
{
    uint32_t o = dc_rd32(sec + 4 * (size_t)i), e = dc_rd32(sec + 4 * (size_t)i + 4);
    *len = e - o;
    return sec + ((size_t)n + 1) * 4 + o;
}

/* Every predicate entry names a class of the table and its need is 0 or
 * 1, sorted and distinct: the search indexes by them unchecked. */
static int preds_ok(const dc_seg *s)
{
    for (uint32_t p = 0; p < s->npreds; p++) {
        size_t len;
        const uint8_t *e = itab_get(s->preds, s->npreds, p, &len);
        if (len % 4) return 0;
        for (size_t k = 0; k < len; k += 4) {
            uint32_t v = dc_rd32(e + k);
            if ((v >> 1) >= s->nclasses || (k && v <= dc_rd32(e + k - 4))) return 0;
        }
    }
    return 1;
}

/*
 * Maps a segment and validates its framing: magic, version, footer
 * magic, every section inside the file and in order, table sizes that
 * agree with the counts, the predicate table (the search trusts it).  The
 * CRC is verified by dc_index_check (reading the whole file at every open
 * would cost a full scan), so content errors are caught by the bounds
 * checks of every reader.  Version 3 reads its dense section in place:
 * nothing here costs per entry.  Version 2 (no dense section) is read
 * too, computing the dense data from the entry table as before.
 *
 * A segment of an older format (right magic, version below
 * DC_SEG_VERSION_READ) opens as an outdated placeholder with no entries:
 * its index must be rebuilt from the store, which the facade does at once
 * (dc_index_outdated).
 */
dc_rc dc_seg_open(const char *path, uint64_t id, dc_seg **out, dc_error *err)
{
    *out = NULL;
    dc_seg *s = calloc(1, sizeof *s);
    if (!s) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    s->id = id;
    s->path = dc_strdup(path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (!s->path || fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        dc_rc rc = s->path ? DC_CORRUPT : DC_NOMEM;
        dc_seg_close(s);
        return dc_fail(err, rc, 0, "cannot open segment %s", path);
    }
    uint8_t head[DC_SEG_HEADER];
    if (st.st_size >= (off_t)DC_SEG_HEADER && pread(fd, head, sizeof head, 0) == DC_SEG_HEADER &&
        memcmp(head, DC_SEG_MAGIC, 8) == 0 && dc_rd32(head + 8) < DC_SEG_VERSION_READ) {
        close(fd);
        s->outdated = 1;
        *out = s;
        return DC_OK;
    }
    s->size = (size_t)st.st_size;
    if (s->size < DC_SEG_HEADER + DC_SEG_FOOTER_V2) {
        close(fd);
        dc_seg_close(s);
        return dc_fail(err, DC_CORRUPT, 0, "segment %s is truncated", path);
    }
    void *m = mmap(NULL, s->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        dc_seg_close(s);
        return dc_fail(err, DC_IO, 0, "cannot map segment %s", path);
    }
    s->map = m;
    /* the layout of each version: footer size, sections, where the
     * counts are (docs/internals/index.md) */
    s->version = dc_rd32(s->map + 8);
    int v3 = s->version == DC_SEG_VERSION;
    size_t fsize = v3 ? DC_SEG_FOOTER : DC_SEG_FOOTER_V2, counts = v3 ? 232 : 216;
    int nsec = v3 ? 11 : 10;
    if (memcmp(s->map, DC_SEG_MAGIC, 8) != 0 || (!v3 && s->version != DC_SEG_VERSION_READ) ||
        s->size < DC_SEG_HEADER + fsize)
        goto bad;
    const uint8_t *f = s->map + s->size - fsize;
    if (memcmp(f, DC_SEG_FOOT_MAGIC, 8) != 0 || dc_rd32(f + fsize - 8) != s->version) goto bad;
    s->ndocs = dc_rd64(f + 8);
    s->nterms = dc_rd64(f + 16);
    s->nstems = dc_rd64(f + 24);
    s->total_len = dc_rd64(f + 32);
    s->min_docid = dc_rd64(f + 40);
    s->max_docid = dc_rd64(f + 48);
    uint64_t limit = s->size - fsize, prev = DC_SEG_HEADER;
    const uint8_t *sec[11];
    uint64_t len[11];
    for (int i = 0; i < nsec; i++) {
        uint64_t o = dc_rd64(f + 56 + 16 * i), l = dc_rd64(f + 64 + 16 * i);
        /* the dense section starts on a multiple of 8: zero bytes before */
        if (i == 10) prev = (prev + 7) / 8 * 8;
        if (o != prev || l > limit || o > limit - l) goto bad;
        sec[i] = s->map + o;
        len[i] = l;
        prev = o + l;
    }
    if (prev != limit || s->ndocs > 0xFFFFFFF0u || s->nterms > 0xFFFFFFF0u ||
        s->nstems > 0xFFFFFFF0u)
        goto bad;
    s->post = sec[0], s->post_size = len[0];
    s->dict.data = sec[1], s->dict.size = len[1], s->dict.idx = sec[2];
    s->dict.n = (uint32_t)s->nterms;
    s->dict.nblocks = (uint32_t)((s->nterms + DC_KT_BLOCK - 1) / DC_KT_BLOCK);
    s->stems.data = sec[3], s->stems.size = len[3], s->stems.idx = sec[4];
    s->stems.n = (uint32_t)s->nstems;
    s->stems.nblocks = (uint32_t)((s->nstems + DC_KT_BLOCK - 1) / DC_KT_BLOCK);
    if (len[2] != (uint64_t)s->dict.nblocks * 4 || len[4] != (uint64_t)s->stems.nblocks * 4 ||
        len[5] != s->ndocs * DC_SEG_DOCREC)
        goto bad;
    s->docs = sec[5];
    s->stored = sec[6], s->stored_size = len[6];
    s->nclasses = dc_rd32(f + counts);
    s->nstrings = dc_rd32(f + counts + 4);
    s->npreds = dc_rd32(f + counts + 8);
    s->preds = sec[7], s->preds_size = len[7];
    s->classes = sec[8], s->classes_size = len[8];
    s->strings = sec[9], s->strings_size = len[9];
    if (!itab_ok(sec[7], len[7], s->npreds) || !itab_ok(sec[8], len[8], s->nclasses) ||
        !itab_ok(sec[9], len[9], s->nstrings) || !preds_ok(s))
        goto bad;
    dc_rc rc = v3 ? dense_read(s, sec[10], len[10], dc_rd32(f + counts + 12))
                  : dense_compute_v2(s);
    if (rc == DC_CORRUPT) goto bad;
    if (rc != DC_OK) {
        dc_seg_close(s);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    dc_seg_tally(s);
    *out = s;
    return DC_OK;
bad:
    dc_seg_close(s);
    return dc_fail(err, DC_CORRUPT, 0, "segment %s is damaged (bad framing)", path);
}

void dc_seg_docrec(const dc_seg *s, uint32_t ord, dc_docrec *r)
{
    const uint8_t *x = s->docs + (size_t)ord * DC_SEG_DOCREC;
    r->docid = dc_rd64(x);
    r->len = dc_rd32(x + 8);
    r->stored_off = dc_rd32(x + 12);
    r->date = dc_rd32(x + 16);
    r->coll = dc_rd32(x + 20);
    r->doctype = dc_rd32(x + 24);
    r->classstr = dc_rd32(x + 28);
    r->pred = dc_rd32(x + 40);
    r->filter_level = x[44];
    r->release = x[45];
}

int64_t dc_seg_find_doc(const dc_seg *s, uint64_t docid)
{
    /* lower bound: the first entry of docid */
    uint64_t lo = 0, hi = s->ndocs;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (dc_rd64(s->docs + mid * DC_SEG_DOCREC) < docid) lo = mid + 1;
        else hi = mid;
    }
    return lo < s->ndocs && dc_rd64(s->docs + lo * DC_SEG_DOCREC) == docid ? (int64_t)lo : -1;
}

int dc_seg_class(const dc_seg *s, uint32_t c, int *open, int *level, const uint8_t **comps,
                 size_t *comps_len)
{
    if (c >= s->nclasses) return -1;
    size_t len;
    const uint8_t *p = itab_get(s->classes, s->nclasses, c, &len);
    if (len < 3 || p[0] > 1) return -1;
    *open = p[0];
    *level = p[1];
    *comps = p + 3;
    *comps_len = len - 3;
    /* the compartment list: exactly p[2] names within the item */
    size_t i = 0;
    unsigned n = 0;
    while (i < *comps_len) {
        if ((size_t)(*comps)[i] > *comps_len - i - 1) return -1;
        i += 1 + (*comps)[i];
        n++;
    }
    return n == p[2] ? 0 : -1;
}

int dc_seg_pred(const dc_seg *s, uint32_t p, const uint8_t **ents, size_t *n)
{
    if (p >= s->npreds) return -1;
    size_t len;
    *ents = itab_get(s->preds, s->npreds, p, &len);
    *n = len / 4;
    return len % 4 ? -1 : 0;
}

const char *dc_seg_string(const dc_seg *s, uint32_t c, size_t *len)
{
    if (c >= s->nstrings) return NULL;
    return (const char *)itab_get(s->strings, s->nstrings, c, len);
}

/* ---- keyed tables ---- */

/* Decodes the entry at c->p (key front-coded on c->ti.key) and its payload. */
static int kcur_read(dc_kcur *c)
{
    int bad = 0;
    const uint8_t *p = c->p, *end = c->end;
    uint64_t shared = dc_getv(&p, end, &bad), suf = dc_getv(&p, end, &bad);
    if (bad || shared > c->ti.klen || suf > DC_KEY_MAX - shared || suf > (size_t)(end - p) ||
        shared + suf == 0)
        return -1;
    memcpy(c->ti.key + shared, p, suf);
    c->ti.klen = shared + suf;
    p += suf;
    if (c->is_dict) {
        c->ti.df = dc_getv(&p, end, &bad);
        c->ti.off = dc_getv(&p, end, &bad);
        c->ti.dlen = dc_getv(&p, end, &bad);
        uint64_t ss = dc_getv(&p, end, &bad), sl = dc_getv(&p, end, &bad);
        if (bad || ss > c->ti.klen || sl > DC_KEY_MAX - ss || sl > (size_t)(end - p)) return -1;
        memcpy(c->ti.stem, c->ti.key, ss);
        memcpy(c->ti.stem + ss, p, sl);
        c->ti.slen = ss + sl;
        p += sl;
    } else {
        c->nords = dc_getv(&p, end, &bad);
        c->ords = p;
        if (bad || c->nords > c->t->n) return -1;
        for (uint64_t k = 0; k < c->nords && !bad; k++) dc_getv(&p, end, &bad);
        if (bad) return -1;
    }
    c->p = p;
    return 1;
}

static int kcur_block(dc_kcur *c, uint32_t b)
{
    uint32_t o = dc_rd32(c->t->idx + 4 * (size_t)b);
    if (o >= c->t->size) return -1;
    c->p = c->t->data + o;
    c->end = c->t->data + c->t->size;
    c->ti.klen = 0;
    c->i = b * DC_KT_BLOCK;
    return kcur_read(c);
}

int dc_kcur_at(dc_kcur *c, const dc_ktab *t, int is_dict, uint32_t i)
{
    c->t = t;
    c->is_dict = is_dict;
    if (i >= t->n) return 0;
    int r = kcur_block(c, i / DC_KT_BLOCK);
    while (r == 1 && c->i < i) r = dc_kcur_next(c);
    return r;
}

int dc_kcur_next(dc_kcur *c)
{
    if (c->i + 1 >= c->t->n) {
        c->i = c->t->n;
        return 0;
    }
    c->i++;
    if (c->i % DC_KT_BLOCK == 0) return kcur_block(c, c->i / DC_KT_BLOCK);
    return kcur_read(c);
}

static int key_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : al < bl ? -1 : al > bl;
}

int dc_kcur_seek(dc_kcur *c, const dc_ktab *t, int is_dict, const uint8_t *key, size_t klen)
{
    c->t = t;
    c->is_dict = is_dict;
    if (t->n == 0) return 0;
    /* last block whose first key <= key */
    uint32_t lo = 0, hi = t->nblocks;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        uint32_t o = dc_rd32(t->idx + 4 * (size_t)mid);
        if (o >= t->size) return -1;
        const uint8_t *p = t->data + o, *end = t->data + t->size;
        int bad = 0;
        uint64_t sh = dc_getv(&p, end, &bad), l = dc_getv(&p, end, &bad);
        if (bad || sh != 0 || l > (size_t)(end - p)) return -1;
        if (key_cmp(p, l, key, klen) <= 0) lo = mid;
        else hi = mid;
    }
    int r = kcur_block(c, lo);
    while (r == 1 && key_cmp(c->ti.key, c->ti.klen, key, klen) < 0) r = dc_kcur_next(c);
    return r;
}

int dc_seg_lookup(const dc_seg *s, const uint8_t *key, size_t klen, dc_tinfo *ti)
{
    dc_kcur c;
    int r = dc_kcur_seek(&c, &s->dict, 1, key, klen);
    if (r != 1) return r;
    if (key_cmp(c.ti.key, c.ti.klen, key, klen) != 0) return 0;
    *ti = c.ti;
    return 1;
}
