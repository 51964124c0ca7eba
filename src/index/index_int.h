/*
 * declass index internals shared by the files of src/index/: varints,
 * checksums, the segment reader (mmap, bounds-checked) and the segment
 * builder used by both the writer (flush) and the merger.  The on-disk
 * format is described in docs/internals/index.md; the constants below
 * are the ones that document names.
 */
#ifndef DC_INDEX_INT_H
#define DC_INDEX_INT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "index/index.h"

#define DC_SEG_MAGIC "DCSEG\0\0\1"
#define DC_SEG_FOOT_MAGIC "DCSEGEND"
/* 3: the dense section; 2: views (predicate table, open classes); 1: portion map */
#define DC_SEG_VERSION 3u
#define DC_SEG_VERSION_READ 2u /* the oldest read; older ones are outdated */
#define DC_SEG_HEADER 16u
#define DC_SEG_FOOTER 256u     /* version 2: 240 */
#define DC_SEG_FOOTER_V2 240u
#define DC_SEG_DOCREC 48u
#define DC_SEG_PROFREC 24u     /* a profile in the dense section */
#define DC_SEG_TALLYREC 16u    /* a predicate's tally in the dense section */
#define DC_KT_BLOCK 32u     /* entries per front-coded block of a keyed table */
#define DC_SKIP_EVERY 128u  /* docs per skip block */
#define DC_KEY_MAX (1 + DC_TERM_MAX + 200) /* field byte + term (cites: longer) */
#define DC_CITE_MAX 200u
#define DC_PREFIX_MAX_TERMS 1000u
#define DC_MAX_PAGE 10000u  /* offset + limit */
#define DC_POS_GAP 1u       /* positions skipped between portions, persons */
#define DC_TITLE_BOOST 12u /* title tf weight (BM25F-style): a title holding
                               * the query words outranks body mentions */
#define DC_MERGE_RATIO 2u    /* merge policy: joins the newer ones up to this x their size */
#define DC_MERGE_MIN 1024u   /* merge policy: a smaller segment counts as this many entries */
#define DC_MERGE_FANIN 64u   /* merges: at most this many inputs at once (merge_span) */
#define DC_NONE32 0xFFFFFFFFu
#define DC_EOF 0xFFFFFFFFu

/* Field bytes: the first byte of every dictionary key. */
#define DC_F_BODY 'B'
#define DC_F_CITES 'C'
#define DC_F_COLL 'L'
#define DC_F_PERSON 'P'
#define DC_F_TITLE 'T'

/* Release status codes of a document record. */
#define DC_REL_RELEASED 0
#define DC_REL_REVIEW 1
#define DC_REL_CLASSIFIED 2
#define DC_REL_OTHER 3

/* ---- little-endian and varints ---- */

static inline uint32_t dc_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t dc_rd64(const uint8_t *p)
{
    return (uint64_t)dc_rd32(p) | (uint64_t)dc_rd32(p + 4) << 32;
}
static inline void dc_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}
static inline void dc_wr64(uint8_t *p, uint64_t v)
{
    dc_wr32(p, (uint32_t)v);
    dc_wr32(p + 4, (uint32_t)(v >> 32));
}

/* Writes v as a LEB128 varint at p (room for 10 bytes); returns bytes written. */
static inline size_t dc_putv(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/*
 * Reads a varint from *pp, never past end.  On a truncated or over-long
 * varint sets *bad and returns 0, leaving *pp at end, so a corrupt segment
 * stops the reader instead of running past its mapping.
 */
static inline uint64_t dc_getv(const uint8_t **pp, const uint8_t *end, int *bad)
{
    const uint8_t *p = *pp;
    if (p < end && *p < 0x80) {
        *pp = p + 1;
        return *p;
    }
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (p >= end) break;
        uint8_t c = *p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *pp = p;
            return v;
        }
    }
    *bad = 1;
    *pp = end;
    return 0;
}

uint32_t dc_crc32(uint32_t crc, const void *data, size_t n);

/* ---- buffered file output with a running checksum ---- */

typedef struct dc_wfile {
    int fd;
    uint8_t *buf;
    size_t n, cap;
    size_t summed; /* of the n buffered bytes, those in crc already */
    uint64_t off;  /* bytes written so far (including buffered) */
    uint64_t kicked; /* bytes whose writing to disk was asked for */
    uint32_t crc;
    dc_rc rc;
} dc_wfile;

dc_rc dc_wfile_open(dc_wfile *w, const char *path);
void dc_wfile_put(dc_wfile *w, const void *p, size_t n);
/* The CRC-32 of every byte put so far. */
uint32_t dc_wfile_crc(dc_wfile *w);
/* Flushes, fsyncs and closes; returns the sticky code. */
dc_rc dc_wfile_close(dc_wfile *w, int sync);

/* ---- growable vectors of plain values (capped) ---- */

typedef struct dc_vec {
    void *p;
    size_t n, cap, elem;
    dc_rc rc;
} dc_vec;
void *dc_vec_push(dc_vec *v); /* NULL (and rc set) on NOMEM or past 2^31 elements */
void dc_vec_release(dc_vec *v);

/* ---- segment reader ---- */

typedef struct dc_ktab {
    const uint8_t *data; /* section */
    size_t size;
    const uint8_t *idx; /* u32 block offsets */
    uint32_t n;         /* entries */
    uint32_t nblocks;
} dc_ktab;

typedef struct dc_seg {
    uint64_t id;
    char *path;
    const uint8_t *map;
    size_t size;
    /* An older segment format (header version < DC_SEG_VERSION_READ):
     * mapped for nothing, holding no entries; the index must be rebuilt
     * (dc_index_outdated). */
    int outdated;
    uint32_t version; /* DC_SEG_VERSION, or DC_SEG_VERSION_READ */
    uint64_t ndocs, nterms, nstems, total_len, min_docid, max_docid;
    const uint8_t *post;
    size_t post_size;
    dc_ktab dict, stems;
    const uint8_t *docs, *stored, *preds, *classes, *strings;
    size_t stored_size, preds_size, classes_size, strings_size;
    uint32_t nclasses, npreds, nstrings;
    /* Entries are views: one docid may have several, on consecutive
     * ordinals.  ndistinct counts the docids. */
    uint64_t ndistinct;
    uint8_t *del;      /* deletion bitmap over ordinals, or NULL */
    uint64_t ndel;     /* deleted entries */
    uint64_t ndeldocs; /* deleted docids */
    /* The tally (dc_seg_tally, after every change of del): per predicate
     * the live entries having it and the sum of their lengths, so that a
     * reader's N and avgdl cost one pass over the predicates. */
    uint64_t *pred_live, *pred_len; /* npreds each */
    uint64_t *pred_live0, *pred_len0; /* the same before deletions (dense section) */
    /* Dense per-entry data (search.c reads these instead of the 48-byte
     * records): lengths for BM25, and a profile id per entry naming its
     * distinct (predicate, filter level, collection, doc_type,
     * classification, year) tuple.  Version 3 stores them in its dense
     * section, read in place on a little-endian host; version 2 computes
     * them at open.  A profile id is checked where it is used (< nprof). */
    const uint32_t *dlen;    /* ndocs lengths */
    const uint32_t *prof;    /* ndocs profile ids */
    uint32_t *dense_own;     /* dlen and prof when not read in place, or NULL */
    struct dc_sprof *profs;  /* nprof profiles */
    uint32_t nprof;
} dc_seg;

/* An entry profile: the record fields that decide readability (the
 * predicate), filters (but the date range) and facets, shared by many
 * entries. */
typedef struct dc_sprof {
    uint32_t pred, coll, doctype, classstr;
    uint32_t year;          /* date / 10000; 0 = no date */
    uint8_t filter_level;
} dc_sprof;

/* A parsed dictionary entry (pointers into the mapping). */
typedef struct dc_tinfo {
    uint8_t key[DC_KEY_MAX];
    size_t klen;
    uint8_t stem[DC_KEY_MAX];
    size_t slen;
    uint64_t df, off, dlen;
} dc_tinfo;

/* A per-entry record (one view of a document). */
typedef struct dc_docrec {
    uint64_t docid;
    uint32_t len, stored_off, date, coll, doctype, classstr, pred;
    uint8_t filter_level, release;
} dc_docrec;

/*
 * The dense data of a segment computed from its entries, in entry order:
 * what a version 3 segment stores in its dense section, the builder
 * writes (dc_sb_finish), a version 2 segment computes at open and
 * dc_index_check compares with the stored section.  Profile ids are
 * given in order of first appearance, so the same entries always give
 * the same ids.
 */
typedef struct dc_dense {
    uint32_t *dlen, *prof;      /* per entry */
    struct dc_sprof *profs;     /* nprof, grown */
    uint32_t nprof;
    size_t pcap;
    uint32_t *tab;              /* profile id + 1 by hash, 0 = empty */
    size_t hcap;
    uint64_t *live, *len;       /* per predicate: entries, summed lengths */
    uint32_t npreds;
    uint64_t ndistinct, last;   /* distinct docids; the last docid added */
} dc_dense;

/* Room for n entries and npreds predicates: DC_OK or DC_NOMEM. */
dc_rc dc_dense_init(dc_dense *d, size_t n, uint32_t npreds);
/* Adds entry i (0, 1, ... in order): DC_CORRUPT if r->pred >= npreds,
 * DC_NOMEM.  With room for one entry, each can be added as entry 0 and
 * its profile read back from prof[0] (the builder's streaming form). */
dc_rc dc_dense_add(dc_dense *d, size_t i, const dc_docrec *r);
void dc_dense_release(dc_dense *d);
/* Computes the dense data of s from its entry table (d released by the
 * caller, also on failure). */
dc_rc dc_seg_dense_compute(const dc_seg *s, dc_dense *d);

dc_rc dc_seg_open(const char *path, uint64_t id, dc_seg **out, dc_error *err);
void dc_seg_close(dc_seg *s);
void dc_seg_docrec(const dc_seg *s, uint32_t ord, dc_docrec *r);
/* The first ordinal of docid's entries (the others follow it), or -1. */
int64_t dc_seg_find_doc(const dc_seg *s, uint64_t docid);
/* Recomputes the tally (pred_live, pred_len) from del: after the deletion
 * bitmap was set.  Costs the predicates and the deleted entries, not the
 * segment's size.  Never fails (the arrays exist from open). */
void dc_seg_tally(dc_seg *s);
static inline uint64_t dc_seg_docid(const dc_seg *s, uint32_t ord)
{
    return dc_rd64(s->docs + (size_t)ord * DC_SEG_DOCREC);
}
static inline int dc_seg_deleted(const dc_seg *s, uint32_t ord)
{
    return s->del && (s->del[ord >> 3] >> (ord & 7) & 1);
}

/* Keyed table cursor: holds the current entry. */
typedef struct dc_kcur {
    const dc_ktab *t;
    int is_dict;
    uint32_t i; /* ordinal of the current entry */
    const uint8_t *p, *end;
    dc_tinfo ti;          /* dict: the current entry (key in ti.key) */
    const uint8_t *ords;  /* stems: varint ordinal deltas, up to end */
    uint64_t nords;
} dc_kcur;

/* Makes the first entry with key >= key current (binary search over the
 * block index, then a scan of one block): 1 found, 0 none, -1 corrupt. */
int dc_kcur_seek(dc_kcur *c, const dc_ktab *t, int is_dict, const uint8_t *key, size_t klen);
/* Makes entry ordinal i current: 1, 0 (past the end) or -1. */
int dc_kcur_at(dc_kcur *c, const dc_ktab *t, int is_dict, uint32_t i);
/* Advances to the next entry: 1, 0 (end) or -1 (corrupt). */
int dc_kcur_next(dc_kcur *c);

/* Exact lookup of key in the dictionary: 1 found, 0 not, -1 corrupt. */
/* 0 makes dc_index_snippet analyze every hit's whole text (its tests
 * compare the two ways; src/index/snippet.c). */
extern int dc_snippet_prefilter;
/* Unions of at least this many cursors are read by windows of ordinals
 * (src/index/search.c); fewer are merged cursor by cursor.  Tests set it
 * above any union to compare the two ways. */
extern size_t dc_union_window_min;
/* An AND of dense words is read by intersecting windows (search.c,
 * and_block_kids); tests set the density 0 (never), or high with a high
 * spread (every leaf kid by windows) or a spread 0 (the two cheapest by
 * windows, the others sought) to compare the ways. */
extern uint64_t dc_and_block_density, dc_and_block_spread;
int dc_seg_lookup(const dc_seg *s, const uint8_t *key, size_t klen, dc_tinfo *ti);

/* Class table: open flag, level and compartments (u8 length + bytes each,
 * sorted) of class c.  Returns 0, -1 if corrupt. */
int dc_seg_class(const dc_seg *s, uint32_t c, int *open, int *level, const uint8_t **comps,
                 size_t *comps_len);
/* Predicate table: the n entries of predicate p, u32 each (class id << 1
 * | need), at *ents.  Returns 0, -1 if corrupt. */
int dc_seg_pred(const dc_seg *s, uint32_t p, const uint8_t **ents, size_t *n);
/* String c of the string table, or NULL. */
const char *dc_seg_string(const dc_seg *s, uint32_t c, size_t *len);

/* ---- segment builder ---- */

/* An interned table under construction: distinct byte strings, each
 * with an id (its rank of first appearance), found again by hash.  The
 * string, class and predicate tables of a segment are three of them. */
typedef struct dc_itab {
    dc_buf data;
    dc_vec off;     /* uint32_t start of each item in data */
    uint32_t *hash; /* open addressing over item ids + 1 */
    size_t hash_cap;
    uint32_t max;   /* items allowed */
} dc_itab;

typedef struct dc_sdocs {
    dc_vec recs;   /* dc_docrec */
    dc_buf stored; /* varint-length strings: id, title, date, classification */
    dc_itab classes; /* u8 open, u8 level, u8 n, then n x (u8 len, bytes), sorted */
    dc_itab preds;   /* u32 (class id << 1 | need) per pair, sorted */
    dc_itab strings;
    dc_rc rc;
} dc_sdocs;

void dc_sdocs_init(dc_sdocs *d);
void dc_sdocs_release(dc_sdocs *d);
void dc_sdocs_reset(dc_sdocs *d);
size_t dc_sdocs_mem(const dc_sdocs *d);
uint32_t dc_sdocs_string(dc_sdocs *d, const char *s, size_t n);
/* An access class: comps holds ncomps strings, each (u8 len, bytes)
 * concatenated, sorted; an open class has level 0 and none. */
uint32_t dc_sdocs_class(dc_sdocs *d, int open, int level, const uint8_t *comps,
                        size_t comps_len, unsigned ncomps);
/* A predicate: n u32 entries (class id << 1 | need), sorted, distinct. */
uint32_t dc_sdocs_pred(dc_sdocs *d, const uint8_t *ents, size_t n);

typedef struct dc_sbuild {
    dc_wfile f;
    dc_buf dict, dictidx, stems, stemidx, tmp;
    uint8_t prevkey[DC_KEY_MAX];
    size_t prevklen;
    uint64_t nterms;
    /* current term */
    uint8_t key[DC_KEY_MAX];
    size_t klen;
    uint8_t stem[DC_KEY_MAX];
    size_t slen;
    uint64_t t_start, t_df;
    int64_t t_prev;
    dc_vec skips; /* uint32 pairs */
    /* stem pairs for the stem table */
    dc_buf stembytes;
    dc_vec stempairs; /* struct {uint32 off; uint16 len; uint32 ord} */
    dc_rc rc;
} dc_sbuild;

dc_rc dc_sb_open(dc_sbuild *b, const char *path);
void dc_sb_term_begin(dc_sbuild *b, const uint8_t *key, size_t klen, const uint8_t *stem,
                      size_t slen);
/* Notes that the posting of ord (ordinals ascending) starts rel bytes
 * into the term's stream: the skip table.  dc_sb_post does it itself. */
void dc_sb_doc(dc_sbuild *b, uint32_t ord, uint64_t rel);
/* A caller that holds a term's postings encoded already (the index
 * writer's chains) puts them with dc_wfile_put instead, and says what
 * dc_sb_doc would have noted: each skip entry in order (the ordinal before
 * every DC_SKIP_EVERY-th posting and that posting's offset in the stream)
 * and, before dc_sb_term_end, the term's document count and last ordinal. */
void dc_sb_skip(dc_sbuild *b, uint32_t prev_ord, uint64_t rel);
void dc_sb_docs(dc_sbuild *b, uint64_t df, uint32_t last_ord);
/* Appends one doc to the current term: tf == 1 uses pos1, else pos[0..plen)
 * holds the delta-coded positions. */
void dc_sb_post(dc_sbuild *b, uint32_t ord, uint32_t tf, uint32_t pos1, const uint8_t *pos,
                size_t plen);
void dc_sb_term_end(dc_sbuild *b);
/*
 * The entries of a segment being finished, read once for each section
 * that holds them: rewind, then next for each in order until it returns
 * 0 (-1: corrupt).  next gives the entry in *r (its pred, coll, doctype
 * and classstr as the new segment numbers them; stored_off is the
 * builder's to set) and its stored fields in *stored, *len.  A merge
 * reads its inputs so, never holding all their entries in memory.
 */
typedef struct dc_sents {
    void (*rewind)(void *ctx);
    int (*next)(void *ctx, dc_docrec *r, const uint8_t **stored, size_t *len);
    void *ctx;
} dc_sents;

/* Writes the remaining sections, the footer; fsyncs and closes.  The
 * entries are from src, or d's own (recs, stored) when src is NULL; the
 * predicate, class and string tables are d's. */
dc_rc dc_sb_finish(dc_sbuild *b, dc_sdocs *d, const dc_sents *src);
void dc_sb_abort(dc_sbuild *b, const char *path);

/* ---- the index ---- */

struct dc_index {
    char *dir;
    uint64_t gen, high_water, next_seg;
    dc_seg **segs;
    size_t nsegs;
    uint64_t *deleted;
    size_t ndeleted;
    uint64_t live;
    int writer_open;
    char errmsg[512];
    /* Concurrency (manifest.c): the descriptor holding the flock on
     * <dir>/LOCK (-1: not held), and the MANIFEST loaded: its identity and
     * a descriptor kept open on it, so that its inode number cannot be
     * reused by a later MANIFEST while ix compares against it. */
    int lock_fd, m_fd;
    uint64_t m_dev, m_ino;
};

/* Takes the exclusive writer lock on <dir>/LOCK (created if missing) with
 * flock on a descriptor of its own, so it excludes other processes and
 * other dc_index handles of this process alike.  wait: block until free.
 * Returns 1 held, 0 busy (wait == 0), -1 error (ix->errmsg says why). */
int dc_ix_lock(dc_index *ix, int wait);
void dc_ix_unlock(dc_index *ix); /* no-op when not held */
/* Reloads ix from the MANIFEST if another handle committed since it was
 * loaded (dc_index_refresh without the writer check). */
dc_rc dc_ix_refresh(dc_index *ix);
/* Removes segment files the MANIFEST does not name and a MANIFEST.tmp:
 * only with the lock held; ix is refreshed first (a view loaded before
 * the lock may not name a segment published since). */
void dc_ix_remove_orphans(dc_index *ix);

dc_rc dc_ix_seg_path(const dc_index *ix, uint64_t id, char *buf, size_t n);
/* Writes a new MANIFEST (tmp + fsync + rename + fsync dir) and reloads ix;
 * with the lock held.  Fails only before the rename (nothing changed). */
dc_rc dc_ix_commit_manifest(dc_index *ix, const uint64_t *segs, size_t nsegs,
                            const uint64_t *deleted, size_t ndeleted, uint64_t high_water,
                            uint64_t next_seg);
dc_rc dc_ix_fail(dc_index *ix, dc_rc rc, const char *fmt, ...) DC_PRINTF(3, 4);
/* Why rc happened, for a message: for an I/O failure with a full disk or
 * a file size limit (errno still ENOSPC, EFBIG or EDQUOT), "disk full (the
 * OS's reason)"; else dc_strerror(rc).  buf holds the text. */
static inline const char *dc_ix_why(dc_rc rc, char *buf, size_t n)
{
    int e = errno;
    if (rc == DC_IO && (e == ENOSPC || e == EFBIG || e == EDQUOT)) {
        snprintf(buf, n, "disk full (%s)", strerror(e));
        return buf;
    }
    return dc_strerror(rc);
}
int dc_u64_cmp(const void *a, const void *b);

/* Normalizes a cites:/collection: value into key[1..]: ASCII lower-case,
 * whitespace runs as one space, trimmed, at most DC_CITE_MAX bytes. */
size_t dc_ix_norm_value(uint8_t field, const char *v, size_t n, uint8_t *key);

/* Date "YYYY[-MM[-DD]]" as YYYYMMDD (missing parts 0, or 99 with hi); 0 if none. */
uint32_t dc_ix_date_key(const char *s, int hi);

#endif
