/*
 * dc_index_check: verifies the MANIFEST checksum and every segment in
 * full — file CRC, strictly increasing dictionary keys, posting lists
 * laid out back to back and decodable within bounds, increasing
 * ordinals and positions, skip entries that agree with the lists, the
 * stem table against the dictionary, the entry table (docids
 * non-decreasing: the views of one docid are consecutive and of one
 * document), stored fields, predicate, class and string tables, deletions
 * of whole docids.  Across segments: docid ranges in order and disjoint
 * (no docid in two segments), and no document id (stored
 * "collection/local") live under two docids (a version indexed twice, or
 * a superseded one not deleted).  Like SQLite's integrity_check it reads
 * everything, so it costs a full scan of the index.
 *
 * dc_index_check_docs then compares the live docids with the store's
 * current versions (dc_db_check passes them): each indexed once, under
 * its own id, and nothing else live.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/postings.h"
#include "util/util_int.h"
#include "util/banned.h"

static int keycmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* The stored id of the entry at ord of s (the first stored string). */
static size_t stored_id(const dc_seg *s, uint32_t ord, const uint8_t **p)
{
    dc_docrec d;
    dc_seg_docrec(s, ord, &d);
    const uint8_t *q = s->stored + d.stored_off, *end = s->stored + s->stored_size;
    int bad = 0;
    uint64_t l = dc_getv(&q, end, &bad);
    *p = q;
    return bad || l > (uint64_t)(end - q) ? 0 : (size_t)l;
}

static dc_rc check_postings(const dc_seg *s, const dc_tinfo *ti, uint64_t *expect_off,
                            dc_posv *pv, const char **why)
{
    int bad = 0;
    dc_pcur c;
    if (ti->off != *expect_off) return *why = "posting lists overlap or leave gaps", DC_CORRUPT;
    if (dc_pc_init(&c, s, ti, &bad) != 0) return *why = "posting list out of bounds", DC_CORRUPT;
    uint32_t n = 0;
    while (c.doc != DC_EOF) {
        n++;
        if (dc_pc_positions(&c, pv) != 0) return *why = "bad positions", DC_CORRUPT;
        for (size_t i = 1; i < pv->n; i++)
            if (pv->v[i] <= pv->v[i - 1]) return *why = "positions not increasing", DC_CORRUPT;
        if (n % DC_SKIP_EVERY == 0 && n < c.df) {
            const uint8_t *e = c.skip + 8 * (size_t)(n / DC_SKIP_EVERY - 1);
            if (dc_rd32(e) != c.doc || dc_rd32(e + 4) != (uint64_t)(c.p - c.base))
                return *why = "skip entry disagrees with its list", DC_CORRUPT;
        }
        dc_pc_next(&c);
    }
    if (bad || n != ti->df || c.p != c.end) return *why = "posting list malformed", DC_CORRUPT;
    *expect_off = ti->off + ti->dlen + 8 * (uint64_t)c.nskip;
    return DC_OK;
}

/* The dense data (version 3: the dense section as read at open) equals
 * what the entry table gives when computed again. */
static dc_rc check_dense(const dc_seg *s, const char **why)
{
    dc_dense d;
    dc_rc rc = dc_seg_dense_compute(s, &d);
    if (rc == DC_NOMEM) {
        dc_dense_release(&d);
        return *why = "out of memory", DC_NOMEM;
    }
    int ok = rc == DC_OK && d.ndistinct == s->ndistinct && d.nprof == s->nprof &&
             memcmp(d.dlen, s->dlen, s->ndocs * sizeof *d.dlen) == 0 &&
             memcmp(d.prof, s->prof, s->ndocs * sizeof *d.prof) == 0 &&
             memcmp(d.live, s->pred_live0, s->npreds * sizeof *d.live) == 0 &&
             memcmp(d.len, s->pred_len0, s->npreds * sizeof *d.len) == 0;
    for (uint32_t p = 0; ok && p < d.nprof; p++) {
        const dc_sprof *a = &d.profs[p], *b = &s->profs[p];
        ok = a->pred == b->pred && a->coll == b->coll && a->doctype == b->doctype &&
             a->classstr == b->classstr && a->year == b->year &&
             a->filter_level == b->filter_level;
    }
    dc_dense_release(&d);
    return ok ? DC_OK : (*why = "dense section disagrees with the entry table", DC_CORRUPT);
}

static dc_rc check_seg(const dc_seg *s, const char **why)
{
    uint32_t crc = dc_crc32(0, s->map, s->size - 4);
    if (crc != dc_rd32(s->map + s->size - 4)) return *why = "checksum mismatch", DC_CORRUPT;
    dc_posv pv = {0};
    dc_kcur c;
    dc_rc rc = DC_OK;
    uint8_t prev[DC_KEY_MAX];
    size_t prevlen = 0;
    uint64_t off = 0, n = 0;
    int r = dc_kcur_at(&c, &s->dict, 1, 0);
    for (; r == 1 && !rc; r = dc_kcur_next(&c), n++) {
        if (n && keycmp(prev, prevlen, c.ti.key, c.ti.klen) >= 0)
            rc = DC_CORRUPT, *why = "dictionary keys out of order";
        else if (c.ti.slen < 1 || c.ti.stem[0] != c.ti.key[0])
            rc = DC_CORRUPT, *why = "dictionary stem in the wrong field";
        else
            rc = check_postings(s, &c.ti, &off, &pv, why);
        memcpy(prev, c.ti.key, c.ti.klen);
        prevlen = c.ti.klen;
    }
    free(pv.v);
    if (!rc && (r < 0 || n != s->nterms || off != s->post_size))
        return *why = "dictionary or postings malformed", DC_CORRUPT;
    if (rc) return rc;
    /* stem table: sorted stems, valid ordinals whose stem agrees */
    uint64_t nords = 0, ns = 0;
    prevlen = 0;
    r = dc_kcur_at(&c, &s->stems, 0, 0);
    for (; r == 1; r = dc_kcur_next(&c), ns++) {
        if (ns && keycmp(prev, prevlen, c.ti.key, c.ti.klen) >= 0)
            return *why = "stem table out of order", DC_CORRUPT;
        memcpy(prev, c.ti.key, c.ti.klen);
        prevlen = c.ti.klen;
        const uint8_t *p = c.ords;
        int bad = 0;
        uint64_t ord = 0;
        for (uint64_t i = 0; i < c.nords; i++) {
            uint64_t dlt = dc_getv(&p, c.end, &bad);
            if (bad || (i && dlt == 0)) return *why = "stem table ordinals", DC_CORRUPT;
            ord += dlt;
            dc_kcur t;
            if (ord >= s->nterms || dc_kcur_at(&t, &s->dict, 1, (uint32_t)ord) != 1 ||
                keycmp(t.ti.stem, t.ti.slen, c.ti.key, c.ti.klen) != 0)
                return *why = "stem table disagrees with the dictionary", DC_CORRUPT;
        }
        nords += c.nords;
    }
    if (r < 0 || ns != s->nstems || nords != s->nterms)
        return *why = "stem table malformed", DC_CORRUPT;
    /* entries: docids non-decreasing (the views of one docid follow each
     * other), predicates and strings within their tables */
    uint64_t total = 0;
    for (uint32_t o = 0; o < s->ndocs; o++) {
        dc_docrec d;
        dc_seg_docrec(s, o, &d);
        if ((o == 0 && d.docid != s->min_docid) || (o + 1 == s->ndocs && d.docid != s->max_docid))
            return *why = "entry table bounds", DC_CORRUPT;
        if (o && d.docid < dc_seg_docid(s, o - 1))
            return *why = "docids decreasing", DC_CORRUPT;
        if (d.pred >= s->npreds || (d.coll != DC_NONE32 && d.coll >= s->nstrings) ||
            (d.doctype != DC_NONE32 && d.doctype >= s->nstrings) ||
            (d.classstr != DC_NONE32 && d.classstr >= s->nstrings) ||
            (d.filter_level > 3 && d.filter_level != 0xFF) || d.release > DC_REL_OTHER ||
            d.stored_off > s->stored_size)
            return *why = "bad entry record", DC_CORRUPT;
        const uint8_t *p = s->stored + d.stored_off, *end = s->stored + s->stored_size;
        int bad = 0;
        for (int i = 0; i < 4 && !bad; i++) {
            uint64_t l = dc_getv(&p, end, &bad);
            if (l > (uint64_t)(end - p)) bad = 1;
            else p += l;
        }
        if (bad) return *why = "bad stored fields", DC_CORRUPT;
        /* the views of one docid are views of one document */
        if (o && d.docid == dc_seg_docid(s, o - 1)) {
            const uint8_t *a, *b;
            size_t la = stored_id(s, o - 1, &a), lb = stored_id(s, o, &b);
            if (la != lb || memcmp(a, b, la) != 0)
                return *why = "one docid holds entries of two documents", DC_CORRUPT;
        }
        total += d.len;
    }
    if (total != s->total_len) return *why = "entry lengths disagree", DC_CORRUPT;
    for (uint32_t i = 0; i < s->nclasses; i++) {
        int open, level;
        const uint8_t *cp;
        size_t cl;
        if (dc_seg_class(s, i, &open, &level, &cp, &cl) != 0 || level > 3 ||
            (open && (level || cl)))
            return *why = "bad class table", DC_CORRUPT;
        for (size_t k = 0, prev = SIZE_MAX; k < cl; prev = k, k += 1 + cp[k])
            if (prev != SIZE_MAX && keycmp(cp + prev + 1, cp[prev], cp + k + 1, cp[k]) >= 0)
                return *why = "class compartments not sorted", DC_CORRUPT;
    }
    for (uint32_t i = 0; i < s->npreds; i++) {
        const uint8_t *e;
        size_t n;
        if (dc_seg_pred(s, i, &e, &n) != 0) return *why = "bad predicate table", DC_CORRUPT;
        for (size_t k = 0; k < n; k++) {
            uint32_t v = dc_rd32(e + 4 * k);
            if ((v >> 1) >= s->nclasses || (k && v <= dc_rd32(e + 4 * (k - 1))))
                return *why = "bad predicate table", DC_CORRUPT;
        }
    }
    for (uint32_t i = 0; i < s->nstrings; i++) {
        size_t l;
        if (!dc_seg_string(s, i, &l)) return *why = "bad string table", DC_CORRUPT;
    }
    return check_dense(s, why);
}

/* The stored id of a live document (the first stored string). */
typedef struct idref {
    const uint8_t *p;
    size_t n;
} idref;

static int idref_cmp(const void *a, const void *b)
{
    const idref *x = a, *y = b;
    return keycmp(x->p, x->n, y->p, y->n);
}

/* Every live document id once.  Segments are already checked. */
static dc_rc check_unique_ids(const dc_index *ix, dc_error *err)
{
    idref *v = malloc((ix->live ? ix->live : 1) * sizeof *v);
    if (!v) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < ix->nsegs; i++) {
        const dc_seg *s = ix->segs[i];
        for (uint32_t o = 0; o < s->ndocs && n < ix->live; o++) {
            /* one per docid: its views share the id (check_seg) */
            if (dc_seg_deleted(s, o) || (o && dc_seg_docid(s, o) == dc_seg_docid(s, o - 1)))
                continue;
            dc_docrec d;
            dc_seg_docrec(s, o, &d);
            const uint8_t *p = s->stored + d.stored_off, *end = s->stored + s->stored_size;
            int bad = 0;
            uint64_t l = dc_getv(&p, end, &bad);
            v[n].p = p;
            v[n++].n = bad || l > (uint64_t)(end - p) ? 0 : (size_t)l;
        }
    }
    qsort(v, n, sizeof *v, idref_cmp);
    dc_rc rc = DC_OK;
    for (size_t i = 1; i < n && !rc; i++)
        if (v[i].n && idref_cmp(&v[i - 1], &v[i]) == 0)
            rc = dc_fail(err, DC_CORRUPT, 0, "index: document %.*s is indexed twice",
                         (int)(v[i].n > 200 ? 200 : v[i].n), (const char *)v[i].p);
    free(v);
    return rc;
}

dc_rc dc_index_check(dc_index *ix, dc_error *err)
{
    if (!ix) return dc_fail(err, DC_MISUSE, 0, "no index");
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", ix->dir);
    char *data = NULL;
    size_t len = 0;
    dc_rc rc = dc_read_file(path, (size_t)1 << 30, &data, &len, err);
    if (rc) return dc_fail(err, DC_CORRUPT, 0, "index MANIFEST unreadable");
    const char *cl = NULL;
    for (size_t i = len; i > 1; i--)
        if (data[i - 2] == '\n') {
            cl = data + i - 1;
            break;
        }
    int ok = cl && len - (size_t)(cl - data) > 9 && memcmp(cl, "checksum ", 9) == 0 &&
             strtoull(cl + 9, NULL, 10) == dc_crc32(0, data, (size_t)(cl - data));
    free(data);
    if (!ok) return dc_fail(err, DC_CORRUPT, 0, "index MANIFEST checksum mismatch");
    uint64_t live = 0;
    for (size_t i = 0; i < ix->nsegs; i++) {
        const char *why = "?";
        const dc_seg *s = ix->segs[i];
        if (s->outdated)
            return dc_fail(err, DC_CORRUPT, 0,
                           "index segment %s has an older format: the index must be rebuilt",
                           s->path);
        if (i && s->min_docid <= ix->segs[i - 1]->max_docid)
            return dc_fail(err, DC_CORRUPT, 0, "index segments overlap");
        dc_rc src = check_seg(s, &why);
        if (src != DC_OK)
            return dc_fail(err, src, 0, "index segment %s: %s", s->path, why);
        if (s->max_docid > ix->high_water)
            return dc_fail(err, DC_CORRUPT, 0, "index segment %s above the high-water mark",
                           s->path);
        /* deletions remove whole docids: every view or none */
        uint64_t ndel = 0, ndeldocs = 0;
        for (uint32_t o = 0; o < s->ndocs; o++) {
            int first = o == 0 || dc_seg_docid(s, o) != dc_seg_docid(s, o - 1);
            if (!first && dc_seg_deleted(s, o) != dc_seg_deleted(s, o - 1))
                return dc_fail(err, DC_CORRUPT, 0, "index segment %s: a view of a deleted "
                               "document is live", s->path);
            ndel += (uint64_t)dc_seg_deleted(s, o);
            ndeldocs += (uint64_t)(first && dc_seg_deleted(s, o));
        }
        if (ndel != s->ndel || ndeldocs != s->ndeldocs)
            return dc_fail(err, DC_CORRUPT, 0, "index segment %s: deletion counts", s->path);
        live += s->ndistinct - s->ndeldocs;
    }
    if (live != ix->live) return dc_fail(err, DC_CORRUPT, 0, "index document count");
    if ((rc = check_unique_ids(ix, err)) != DC_OK) return rc;
    if (err) {
        err->rc = DC_OK;
        err->msg[0] = 0;
    }
    return DC_OK;
}

dc_rc dc_index_check_docs(dc_index *ix, const uint64_t *docids, const char *const *ids,
                          size_t n, dc_error *err)
{
    if (!ix || (n && (!docids || !ids))) return dc_fail(err, DC_MISUSE, 0, "no index");
    for (size_t i = 1; i < n; i++)
        if (docids[i] <= docids[i - 1])
            return dc_fail(err, DC_MISUSE, 0, "dc_index_check_docs: docids not increasing");
    /* Live docids come out in increasing order: segments are in docid
     * order and disjoint (dc_index_check), ordinals increase. */
    size_t j = 0;
    for (size_t i = 0; i < ix->nsegs; i++) {
        const dc_seg *s = ix->segs[i];
        for (uint32_t o = 0; o < s->ndocs; o++) {
            /* distinct docids: the first view of each stands for it */
            if (dc_seg_deleted(s, o) || (o && dc_seg_docid(s, o) == dc_seg_docid(s, o - 1)))
                continue;
            dc_docrec d;
            dc_seg_docrec(s, o, &d);
            const uint8_t *p;
            size_t l = stored_id(s, o, &p);
            while (j < n && docids[j] < d.docid) {
                if (docids[j] <= ix->high_water)
                    return dc_fail(err, DC_CORRUPT, 0,
                                   "index: version %llu of %s is not indexed",
                                   (unsigned long long)docids[j], ids[j]);
                j++; /* not indexed yet: the next search catches up */
            }
            if (j == n || docids[j] != d.docid)
                return dc_fail(err, DC_CORRUPT, 0,
                               "index: version %llu (%.*s) is live but not a current version "
                               "in the store",
                               (unsigned long long)d.docid, (int)(l > 200 ? 200 : l),
                               (const char *)p);
            if (l != strlen(ids[j]) || memcmp(p, ids[j], l) != 0)
                return dc_fail(err, DC_CORRUPT, 0,
                               "index: version %llu of %s is indexed as %.*s",
                               (unsigned long long)d.docid, ids[j], (int)(l > 200 ? 200 : l),
                               (const char *)p);
            j++;
        }
    }
    for (; j < n; j++)
        if (docids[j] <= ix->high_water)
            return dc_fail(err, DC_CORRUPT, 0, "index: version %llu of %s is not indexed",
                           (unsigned long long)docids[j], ids[j]);
    if (err) {
        err->rc = DC_OK;
        err->msg[0] = 0;
    }
    return DC_OK;
}
