/*
 * Merges: dc_index_merge after every commit (the policy: adjacent runs of
 * segments, sizes kept geometric) and dc_index_optimize (everything into
 * one).  A merge is a streaming k-way merge of adjacent segments into one,
 * dropping deleted entries (every view of a deleted docid), carrying the
 * class and predicate tables over (ids remapped), then a MANIFEST swap and
 * removal of the old files.  Postings are copied term by term (positions
 * byte for byte) and the entries read from the inputs once for each
 * section that holds them (dc_sents), so memory holds only the new
 * dictionary, stem pairs and the class, predicate and string tables,
 * never the postings or the entries; mapped input pages already read are
 * released with madvise every 4 MiB so the resident set stays bounded.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "index/postings.h"
#include "util/util_int.h"
#include "util/banned.h"

#define RELEASE_EVERY ((uint64_t)4 << 20)

/* An input of a merge: its class, predicate and string ids in the new
 * segment, and where its live entries go (remap, old ordinal -> new, only
 * when some are deleted; else base + ordinal). */
typedef struct merge_in {
    const dc_seg *s;
    uint32_t *cmap, *predmap, *smap, *remap;
    uint32_t base;
} merge_in;

static uint32_t new_ord(const merge_in *m, uint32_t o)
{
    return m->remap ? m->remap[o] : m->base + o;
}

static void release_inputs(const merge_in *in, size_t k)
{
    for (size_t i = 0; i < k; i++) madvise((void *)in[i].s->map, in[i].s->size, MADV_DONTNEED);
}

/* Re-interns the classes, predicates (over the new class ids) and
 * strings of m->s into d; numbers its live entries from *next on. */
static dc_rc map_input(merge_in *m, dc_sdocs *d, uint32_t *next)
{
    const dc_seg *s = m->s;
    m->cmap = malloc((s->nclasses + 1) * sizeof *m->cmap);
    m->predmap = malloc((s->npreds + 1) * sizeof *m->predmap);
    m->smap = malloc((s->nstrings + 1) * sizeof *m->smap);
    if (s->del) m->remap = malloc((s->ndocs + 1) * sizeof *m->remap);
    uint8_t *ents = NULL;
    size_t ents_cap = 0;
    dc_rc rc = m->cmap && m->predmap && m->smap && (m->remap || !s->del) ? DC_OK : DC_NOMEM;
    for (uint32_t c = 0; c < s->nclasses && !rc; c++) {
        int open, level;
        const uint8_t *comps;
        size_t len;
        if (dc_seg_class(s, c, &open, &level, &comps, &len) != 0) {
            rc = DC_CORRUPT;
            break;
        }
        unsigned n = 0;
        for (size_t i = 0; i < len; i += 1 + comps[i]) n++;
        m->cmap[c] = dc_sdocs_class(d, open, level, comps, len, n);
    }
    for (uint32_t p = 0; p < s->npreds && !rc && !d->rc; p++) {
        const uint8_t *e;
        size_t n;
        if (dc_seg_pred(s, p, &e, &n) != 0) {
            rc = DC_CORRUPT;
            break;
        }
        if (DC_GROW(ents, n * 4, ents_cap)) {
            rc = DC_NOMEM;
            break;
        }
        /* new class ids keep the order of the old ones only by chance:
         * sort the entries again (insertion sort: predicates are short) */
        for (size_t k = 0; k < n; k++) {
            uint32_t v = dc_rd32(e + 4 * k);
            uint32_t nv = m->cmap[v >> 1] << 1 | (v & 1);
            size_t j = k;
            while (j > 0 && dc_rd32(ents + 4 * (j - 1)) > nv) {
                memcpy(ents + 4 * j, ents + 4 * (j - 1), 4);
                j--;
            }
            dc_wr32(ents + 4 * j, nv);
        }
        m->predmap[p] = dc_sdocs_pred(d, ents, n);
    }
    for (uint32_t c = 0; c < s->nstrings && !rc; c++) {
        size_t l;
        const char *v = dc_seg_string(s, c, &l);
        if (!v) rc = DC_CORRUPT;
        else m->smap[c] = dc_sdocs_string(d, v, l);
    }
    if (!rc) rc = d->rc;
    free(ents);
    if (rc) return rc;
    m->base = *next;
    if (s->ndocs - s->ndel > 0xFFFFFFF0u - *next) return DC_LIMIT; /* ordinals are 32 bits */
    if (!m->remap) {
        *next += (uint32_t)s->ndocs;
        return DC_OK;
    }
    for (uint32_t o = 0; o < s->ndocs; o++)
        m->remap[o] = dc_seg_deleted(s, o) ? DC_NONE32 : (*next)++;
    return DC_OK;
}

/* The live entries of a merge's inputs in order, as dc_sb_finish reads
 * them (a dc_sents): read from the inputs' mappings, whose pages are
 * released every RELEASE_EVERY bytes read. */
typedef struct merge_ents {
    const merge_in *in;
    size_t k, i;
    uint32_t o;
    uint64_t read;
} merge_ents;

static void ents_rewind(void *ctx)
{
    merge_ents *e = ctx;
    e->i = 0, e->o = 0;
}

static int ents_next(void *ctx, dc_docrec *r, const uint8_t **stored, size_t *len)
{
    merge_ents *e = ctx;
    for (; e->i < e->k; e->i++, e->o = 0) {
        const merge_in *m = &e->in[e->i];
        const dc_seg *s = m->s;
        while (e->o < s->ndocs && dc_seg_deleted(s, e->o)) e->o++;
        if (e->o >= s->ndocs) continue;
        dc_seg_docrec(s, e->o++, r);
        if (r->pred >= s->npreds || r->stored_off > s->stored_size) return -1;
        /* stored: four varint-prefixed strings */
        const uint8_t *p = s->stored + r->stored_off, *end = s->stored + s->stored_size;
        int bad = 0;
        for (int f = 0; f < 4 && !bad; f++) {
            uint64_t l = dc_getv(&p, end, &bad);
            if (l > (uint64_t)(end - p)) bad = 1;
            else p += l;
        }
        if (bad) return -1;
        *stored = s->stored + r->stored_off;
        *len = (size_t)(p - *stored);
        r->pred = m->predmap[r->pred];
        r->coll = r->coll < s->nstrings ? m->smap[r->coll] : DC_NONE32;
        r->doctype = r->doctype < s->nstrings ? m->smap[r->doctype] : DC_NONE32;
        r->classstr = r->classstr < s->nstrings ? m->smap[r->classstr] : DC_NONE32;
        if ((e->read += DC_SEG_DOCREC + *len) > RELEASE_EVERY) {
            release_inputs(e->in, e->k);
            e->read = 0;
        }
        return 1;
    }
    return 0;
}

static int kcmp(const dc_tinfo *a, const dc_tinfo *b)
{
    int c = memcmp(a->key, b->key, a->klen < b->klen ? a->klen : b->klen);
    return c ? c : (a->klen > b->klen) - (a->klen < b->klen);
}

/*
 * Merges the count segments of ix from first on (adjacent, so their
 * docid ranges make one range of the index) into one new segment, with
 * the lock held.  The deleted docids of that range are dropped from the
 * MANIFEST with their entries; the others stay.  The old segments stay
 * valid until the MANIFEST naming the new one in their place is in
 * place; a crash before that leaves an orphan (removed at the next open
 * or writer).  Other handles that still map the old files keep reading
 * them after they are unlinked, until they refresh.
 */
static dc_rc merge_run(dc_index *ix, size_t first, size_t count)
{
    size_t k = count;
    merge_in *in = calloc(k, sizeof *in);
    dc_kcur *cur = calloc(k, sizeof *cur);
    int *live = calloc(k, sizeof *live);
    uint64_t *ids = calloc(ix->nsegs + 1, sizeof *ids);
    uint64_t *dels = calloc(ix->ndeleted + 1, sizeof *dels);
    uint64_t *oldids = calloc(k, sizeof *oldids);
    dc_sdocs d;
    dc_sdocs_init(&d);
    dc_rc rc = in && cur && live && ids && dels && oldids ? DC_OK : DC_NOMEM;
    uint32_t next = 0;
    for (size_t i = 0; i < k && !rc; i++) {
        in[i].s = ix->segs[first + i];
        rc = map_input(&in[i], &d, &next);
    }
    uint64_t newid = ix->next_seg;
    char path[4096];
    dc_sbuild b;
    memset(&b, 0, sizeof b);
    int bad = 0;
    if (!rc && next) {
        rc = dc_ix_seg_path(ix, newid, path, sizeof path);
        if (!rc) rc = dc_sb_open(&b, path);
        for (size_t i = 0; i < k && !rc; i++) {
            int r = dc_kcur_at(&cur[i], &in[i].s->dict, 1, 0);
            if (r < 0) rc = DC_CORRUPT;
            live[i] = r == 1;
        }
        uint64_t released = 0;
        while (!rc && !b.rc) {
            int m = -1;
            for (size_t i = 0; i < k; i++)
                if (live[i] && (m < 0 || kcmp(&cur[i].ti, &cur[m].ti) < 0)) m = (int)i;
            if (m < 0) break;
            dc_tinfo key = cur[m].ti;
            dc_sb_term_begin(&b, key.key, key.klen, key.stem, key.slen);
            for (size_t i = 0; i < k && !rc; i++) {
                if (!live[i] || kcmp(&cur[i].ti, &key) != 0) continue;
                dc_pcur pc;
                if (dc_pc_init(&pc, in[i].s, &cur[i].ti, &bad) == 0)
                    for (; pc.doc != DC_EOF; dc_pc_next(&pc)) {
                        uint32_t o = new_ord(&in[i], pc.doc);
                        if (o != DC_NONE32) dc_sb_post(&b, o, pc.tf, pc.pos1, pc.pos, pc.plen);
                    }
                if (bad) rc = DC_CORRUPT;
                int r = dc_kcur_next(&cur[i]);
                if (r < 0) rc = DC_CORRUPT;
                live[i] = r == 1;
            }
            dc_sb_term_end(&b);
            if (b.f.off - released > RELEASE_EVERY) {
                release_inputs(in, k);
                released = b.f.off;
            }
        }
        merge_ents ents = {.in = in, .k = k};
        dc_sents src = {ents_rewind, ents_next, &ents};
        if (!rc) rc = dc_sb_finish(&b, &d, &src);
        else dc_sb_abort(&b, NULL);
        if (rc) unlink(path);
    }
    if (!rc) {
        /* the MANIFEST: the segments before, the new one, those after;
         * the deleted docids outside the merged range */
        uint64_t lo = in[0].s->min_docid, hi = in[k - 1].s->max_docid;
        size_t nids = 0, ndels = 0, nseg = ix->nsegs;
        for (size_t i = 0; i < nseg; i++) {
            if (i == first && next) ids[nids++] = newid;
            if (i < first || i >= first + k) ids[nids++] = ix->segs[i]->id;
        }
        for (size_t i = 0; i < ix->ndeleted; i++)
            if (ix->deleted[i] < lo || ix->deleted[i] > hi) dels[ndels++] = ix->deleted[i];
        for (size_t i = 0; i < k; i++) oldids[i] = in[i].s->id; /* in[] goes with the reload */
        rc = dc_ix_commit_manifest(ix, ids, nids, dels, ndels, ix->high_water, newid + 1);
        if (!rc)
            for (size_t i = 0; i < k; i++)
                if (dc_ix_seg_path(ix, oldids[i], path, sizeof path) == 0) unlink(path);
        if (rc && next && dc_ix_seg_path(ix, newid, path, sizeof path) == 0) unlink(path);
    } else {
        char why[160];
        dc_ix_fail(ix, rc, "merge failed: %s", dc_ix_why(rc, why, sizeof why));
    }
    for (size_t i = 0; in && i < k; i++) {
        free(in[i].cmap);
        free(in[i].predmap);
        free(in[i].smap);
        free(in[i].remap);
    }
    free(in);
    free(cur);
    free(live);
    free(ids);
    free(dels);
    free(oldids);
    dc_sdocs_release(&d);
    return rc;
}

/*
 * Merges the count segments from first on into one, at most
 * DC_MERGE_FANIN at a time: a longer run is merged in groups of that many
 * (each into one segment in its place), then those, and so on.  A merge
 * keeps a cursor's pages resident in every input between two releases,
 * so its memory grows with its inputs, not with their size: a fresh
 * 1,000,000-document ingest ends with a run of about 60.  Each entry is
 * rewritten once per level, log64 of the run's length.  Adds the merges
 * done to *merges (if not NULL).
 */
static dc_rc merge_span(dc_index *ix, size_t first, size_t count, unsigned *merges)
{
    dc_rc rc = DC_OK;
    while (!rc && count > DC_MERGE_FANIN) {
        size_t at = first, left = count, groups = 0;
        while (!rc && left) {
            size_t n = left < DC_MERGE_FANIN ? left : DC_MERGE_FANIN, before = ix->nsegs;
            if (n > 1 && (rc = merge_run(ix, at, n)) == DC_OK && merges) ++*merges;
            left -= n;
            /* the group is one segment now, or none if all was deleted */
            if (!rc && ix->nsegs + n - 1 == before) at++, groups++;
        }
        count = groups;
    }
    if (rc || count == 0) return rc;
    if ((rc = merge_run(ix, first, count)) == DC_OK && merges) ++*merges;
    return rc;
}

/* Merging would drop an outdated segment's documents while the
 * high-water mark says they are indexed: only a rebuild may replace it
 * (dc_index_outdated). */
static int any_outdated(const dc_index *ix)
{
    for (size_t i = 0; i < ix->nsegs; i++)
        if (ix->segs[i]->outdated) return 1;
    return 0;
}

/*
 * The merge policy (docs/internals/index.md, "Merges"): the size of a
 * segment is its live entries, at least DC_MERGE_MIN.  The run to merge
 * is the longest tail s[j..n) whose first segment is at most
 * DC_MERGE_RATIO times the size of the segments after it together; then
 * any segment half deleted, alone.  So after merging, every segment
 * holds more than DC_MERGE_RATIO times all newer ones together: at most
 * about log3(N / DC_MERGE_MIN) + 1 segments, and each entry is rewritten
 * only when the segment it is in grows by half (at most about
 * log1.5(N / DC_MERGE_MIN) times in its life).  A run of more than max
 * entries (max > 0) is left alone.  Returns 1 and the run, or 0 when
 * nothing is to be merged.
 */
static int pick_run(const dc_index *ix, uint64_t max, size_t *first, size_t *count)
{
    size_t n = ix->nsegs;
    if (n == 0 || any_outdated(ix)) return 0;
    uint64_t suffix = 0, entries = 0, best_entries = 0;
    size_t best = SIZE_MAX;
    for (size_t j = n; j-- > 0;) {
        const dc_seg *s = ix->segs[j];
        uint64_t w = s->ndocs - s->ndel < DC_MERGE_MIN ? DC_MERGE_MIN : s->ndocs - s->ndel;
        entries += s->ndocs;
        if (j + 1 < n && w <= DC_MERGE_RATIO * suffix) best = j, best_entries = entries;
        suffix += w;
    }
    if (best != SIZE_MAX && (!max || best_entries <= max)) {
        *first = best, *count = n - best;
        return 1;
    }
    for (size_t j = 0; j < n; j++)
        if (ix->segs[j]->ndel && ix->segs[j]->ndel * 2 >= ix->segs[j]->ndocs &&
            (!max || ix->segs[j]->ndocs <= max)) {
            *first = j, *count = 1;
            return 1;
        }
    return 0;
}

dc_rc dc_index_merge(dc_index *ix, uint64_t max, unsigned *merges)
{
    if (merges) *merges = 0;
    if (!ix) return DC_MISUSE;
    if (ix->writer_open) return dc_ix_fail(ix, DC_MISUSE, "merge: a writer is open");
    size_t first, count;
    /* bounded: only if there is something to do and nobody writes */
    if (max && !pick_run(ix, max, &first, &count)) return DC_OK;
    int held = dc_ix_lock(ix, !max);
    if (held == 0) return DC_OK;
    if (held != 1) return DC_IO;
    dc_rc rc = dc_ix_refresh(ix);
    unsigned n = 0;
    while (!rc && pick_run(ix, max, &first, &count)) rc = merge_span(ix, first, count, &n);
    if (merges) *merges = n;
    dc_ix_unlock(ix);
    return rc;
}

dc_rc dc_index_optimize(dc_index *ix)
{
    if (!ix) return DC_MISUSE;
    if (ix->writer_open) return dc_ix_fail(ix, DC_MISUSE, "optimize: a writer is open");
    if (dc_ix_lock(ix, 1) != 1) return DC_IO;
    dc_rc rc = dc_ix_refresh(ix);
    if (rc || ix->nsegs == 0 ||
        (ix->nsegs == 1 && ix->segs[0]->ndel == 0 && ix->ndeleted == 0 &&
         !ix->segs[0]->outdated && ix->segs[0]->version == DC_SEG_VERSION)) {
        dc_ix_unlock(ix);
        return rc;
    }
    if (any_outdated(ix))
        rc = dc_ix_fail(ix, DC_CORRUPT,
                        "optimize: the index has an older format and must be rebuilt");
    else rc = merge_span(ix, 0, ix->nsegs, NULL);
    dc_ix_unlock(ix);
    return rc;
}
