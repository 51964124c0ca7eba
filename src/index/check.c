/*
 * dc_index_check: verifies the MANIFEST checksum and every segment in
 * full — file CRC, strictly increasing dictionary keys, posting lists
 * laid out back to back and decodable within bounds, increasing
 * ordinals and positions, skip entries that agree with the lists, the
 * stem table against the dictionary, the document table, stored fields,
 * portion map, class and string tables.  Across segments: docid ranges
 * in order and disjoint (no docid twice), and no document id (stored
 * "collection/local") live under two docids (a version indexed twice, or
 * a superseded one not deleted).  Like SQLite's integrity_check it reads
 * everything, so it costs a full scan of the index.
 *
 * dc_index_check_docs then compares the live documents with the store's
 * current versions (dc_db_check passes them): each indexed once, under
 * its own id, and nothing else live.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/postings.h"
#include "declass/banned.h"

static int keycmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
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
    /* documents */
    uint64_t total = 0;
    for (uint32_t o = 0; o < s->ndocs; o++) {
        dc_docrec d;
        dc_seg_docrec(s, o, &d);
        if ((o == 0 && d.docid != s->min_docid) || (o + 1 == s->ndocs && d.docid != s->max_docid))
            return *why = "document table bounds", DC_CORRUPT;
        if (o && d.docid <= dc_rd64(s->docs + (size_t)(o - 1) * DC_SEG_DOCREC))
            return *why = "docids not increasing", DC_CORRUPT;
        if (d.docclass >= s->nclasses || (d.coll != DC_NONE32 && d.coll >= s->nstrings) ||
            (d.doctype != DC_NONE32 && d.doctype >= s->nstrings) ||
            (d.classstr != DC_NONE32 && d.classstr >= s->nstrings) ||
            (d.filter_level > 3 && d.filter_level != 0xFF) || d.release > DC_REL_OTHER ||
            d.stored_off > s->stored_size || (size_t)d.pmap_off + d.pmap_n > s->pmap_size / 12)
            return *why = "bad document record", DC_CORRUPT;
        const uint8_t *p = s->stored + d.stored_off, *end = s->stored + s->stored_size;
        int bad = 0;
        for (int i = 0; i < 4 && !bad; i++) {
            uint64_t l = dc_getv(&p, end, &bad);
            if (l > (uint64_t)(end - p)) bad = 1;
            else p += l;
        }
        if (bad) return *why = "bad stored fields", DC_CORRUPT;
        uint32_t last = 0;
        for (uint32_t i = 0; i < d.pmap_n; i++) {
            const uint8_t *x = s->pmap + ((size_t)d.pmap_off + i) * 12;
            if (dc_rd32(x) < last || dc_rd32(x + 4) <= dc_rd32(x) || dc_rd32(x + 8) >= s->nclasses)
                return *why = "bad portion map", DC_CORRUPT;
            last = dc_rd32(x + 4);
        }
        total += d.len;
    }
    if (total != s->total_len) return *why = "document lengths disagree", DC_CORRUPT;
    for (uint32_t i = 0; i < s->nclasses; i++) {
        int level;
        const uint8_t *cp;
        size_t cl;
        if (dc_seg_class(s, i, &level, &cp, &cl) != 0 || level > 3)
            return *why = "bad class table", DC_CORRUPT;
    }
    for (uint32_t i = 0; i < s->nstrings; i++) {
        size_t l;
        if (!dc_seg_string(s, i, &l)) return *why = "bad string table", DC_CORRUPT;
    }
    return DC_OK;
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
            if (dc_seg_deleted(s, o)) continue;
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
        if (i && s->min_docid <= ix->segs[i - 1]->max_docid)
            return dc_fail(err, DC_CORRUPT, 0, "index segments overlap");
        if (check_seg(s, &why) != DC_OK)
            return dc_fail(err, DC_CORRUPT, 0, "index segment %s: %s", s->path, why);
        if (s->max_docid > ix->high_water)
            return dc_fail(err, DC_CORRUPT, 0, "index segment %s above the high-water mark",
                           s->path);
        live += s->ndocs - s->ndel;
    }
    if (live != ix->live) return dc_fail(err, DC_CORRUPT, 0, "index document count");
    if ((rc = check_unique_ids(ix, err)) != DC_OK) return rc;
    if (err) {
        err->rc = DC_OK;
        err->msg[0] = 0;
    }
    return DC_OK;
}

/* The stored id of the document at ord of s (the first stored string). */
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
            if (dc_seg_deleted(s, o)) continue;
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
