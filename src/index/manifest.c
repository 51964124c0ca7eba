/*
 * The index directory: opening and closing, the MANIFEST (which segments
 * are live, deleted docids, high-water mark, generation), crash-safe
 * replacement of the MANIFEST and removal of orphan segment files.
 * Format: docs/internals/index.md, "MANIFEST".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index_int.h"
#include "declass/banned.h"

#define MANIFEST_MAX ((size_t)1 << 30)

dc_rc dc_ix_fail(dc_index *ix, dc_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ix->errmsg, sizeof ix->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

int dc_u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

dc_rc dc_ix_seg_path(const dc_index *ix, uint64_t id, char *buf, size_t n)
{
    int k = snprintf(buf, n, "%s/seg-%016" PRIx64 ".dcs", ix->dir, id);
    return k < 0 || (size_t)k >= n ? DC_LIMIT : DC_OK;
}

static void unload(dc_index *ix)
{
    for (size_t i = 0; i < ix->nsegs; i++) dc_seg_close(ix->segs[i]);
    free(ix->segs);
    free(ix->deleted);
    ix->segs = NULL;
    ix->deleted = NULL;
    ix->nsegs = ix->ndeleted = 0;
    ix->live = 0;
}

/* Parses one "name value" line starting at *p; advances past it. */
static int read_line(const char **p, const char *end, const char *name, uint64_t *v)
{
    const char *s = *p;
    size_t nl = strlen(name);
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    if (!eol || (size_t)(eol - s) <= nl || memcmp(s, name, nl) != 0 || s[nl] != ' ')
        return -1;
    char *q;
    errno = 0;
    unsigned long long x = strtoull(s + nl + 1, &q, 10);
    if (errno || q != eol || s[nl + 1] < '0' || s[nl + 1] > '9') return -1;
    *v = x;
    *p = eol + 1;
    return 0;
}

/*
 * Reads MANIFEST and maps the segments it names; builds each segment's
 * deletion bitmap from the deleted docids.  On failure ix is left empty
 * and the error is in ix->errmsg.
 */
static dc_rc load(dc_index *ix, dc_error *err)
{
    char path[4096];
    unload(ix);
    if (snprintf(path, sizeof path, "%s/MANIFEST", ix->dir) >= (int)sizeof path)
        return dc_fail(err, DC_LIMIT, 0, "index path too long");
    char *data = NULL;
    size_t len = 0;
    dc_error e2;
    dc_rc rc = dc_read_file(path, MANIFEST_MAX, &data, &len, &e2);
    if (rc) {
        if (err) *err = e2;
        return rc == DC_NOTFOUND ? DC_NOTFOUND : rc;
    }
    const char *p = data, *end = data + len;
    uint64_t version, nsegs, ndel;
    const char *crcline = NULL;
    for (const char *q = end - 1; q > data; q--)
        if (q[-1] == '\n') {
            crcline = q;
            break;
        }
    uint64_t crc = 0;
    const char *cp = crcline;
    if (!crcline || read_line(&cp, end, "checksum", &crc) != 0 ||
        crc != dc_crc32(0, data, (size_t)(crcline - data)))
        goto bad;
    end = crcline;
    if (read_line(&p, end, "declass-index", &version) || version != 1 ||
        read_line(&p, end, "generation", &ix->gen) ||
        read_line(&p, end, "high-water", &ix->high_water) ||
        read_line(&p, end, "next-segment", &ix->next_seg) ||
        read_line(&p, end, "segments", &nsegs) || nsegs > 100000)
        goto bad;
    ix->segs = calloc(nsegs ? nsegs : 1, sizeof *ix->segs);
    if (!ix->segs) goto nomem;
    for (uint64_t i = 0; i < nsegs; i++) {
        uint64_t id;
        if (read_line(&p, end, "seg", &id) || id >= ix->next_seg) goto bad;
        char sp[4096];
        dc_ix_seg_path(ix, id, sp, sizeof sp);
        rc = dc_seg_open(sp, id, &ix->segs[ix->nsegs], err);
        if (rc) {
            free(data);
            unload(ix);
            return rc;
        }
        ix->nsegs++;
    }
    if (read_line(&p, end, "deleted", &ndel) || ndel > (uint64_t)(end - p) / 2) goto bad;
    ix->deleted = malloc((ndel ? ndel : 1) * sizeof *ix->deleted);
    if (!ix->deleted) goto nomem;
    for (uint64_t i = 0; i < ndel; i++) {
        char *q;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol || *p < '0' || *p > '9') goto bad;
        errno = 0;
        ix->deleted[i] = strtoull(p, &q, 10);
        if (errno || q != eol || (i && ix->deleted[i] <= ix->deleted[i - 1])) goto bad;
        p = eol + 1;
    }
    ix->ndeleted = ndel;
    if (p != end) goto bad;
    free(data);
    data = NULL;
    for (size_t i = 0; i < ix->nsegs; i++) {
        dc_seg *s = ix->segs[i];
        ix->live += s->ndocs;
        if (i && s->min_docid <= ix->segs[i - 1]->max_docid) {
            unload(ix);
            return dc_fail(err, DC_CORRUPT, 0, "index MANIFEST: segments out of order");
        }
    }
    for (size_t k = 0; k < ix->ndeleted; k++) {
        uint64_t d = ix->deleted[k];
        for (size_t i = 0; i < ix->nsegs; i++) {
            dc_seg *s = ix->segs[i];
            if (d < s->min_docid || d > s->max_docid) continue;
            int64_t o = dc_seg_find_doc(s, d);
            if (o < 0) break;
            if (!s->del) {
                s->del = calloc((size_t)(s->ndocs / 8 + 1), 1);
                if (!s->del) goto nomem;
            }
            if (!dc_seg_deleted(s, (uint32_t)o)) {
                s->del[o >> 3] |= (uint8_t)(1u << (o & 7));
                s->ndel++;
                ix->live--;
            }
            break;
        }
    }
    return DC_OK;
bad:
    free(data);
    unload(ix);
    return dc_fail(err, DC_CORRUPT, 0, "index MANIFEST in %s is damaged", ix->dir);
nomem:
    free(data);
    unload(ix);
    return dc_fail(err, DC_NOMEM, 0, "out of memory");
}

static dc_rc fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return DC_IO;
    int r = fsync(fd);
    close(fd);
    return r == 0 ? DC_OK : DC_IO;
}

/*
 * Writes the new MANIFEST: MANIFEST.tmp, fsync, rename over MANIFEST,
 * fsync of the directory.  A crash before the rename leaves the old
 * MANIFEST; after it, the new one.  Then reloads ix from it.
 */
dc_rc dc_ix_commit_manifest(dc_index *ix, const uint64_t *segs, size_t nsegs,
                            const uint64_t *deleted, size_t ndeleted, uint64_t high_water,
                            uint64_t next_seg)
{
    dc_buf b;
    dc_buf_init(&b, MANIFEST_MAX);
    dc_buf_printf(&b, "declass-index 1\ngeneration %" PRIu64 "\nhigh-water %" PRIu64
                      "\nnext-segment %" PRIu64 "\nsegments %zu\n",
                  ix->gen + 1, high_water, next_seg, nsegs);
    for (size_t i = 0; i < nsegs; i++) dc_buf_printf(&b, "seg %" PRIu64 "\n", segs[i]);
    dc_buf_printf(&b, "deleted %zu\n", ndeleted);
    for (size_t i = 0; i < ndeleted; i++) dc_buf_printf(&b, "%" PRIu64 "\n", deleted[i]);
    if (b.rc) {
        dc_rc rc = b.rc;
        dc_buf_release(&b);
        return dc_ix_fail(ix, rc, "index MANIFEST too large");
    }
    dc_buf_printf(&b, "checksum %" PRIu32 "\n", dc_crc32(0, b.p, b.len));
    char tmp[4096], fin[4096];
    snprintf(tmp, sizeof tmp, "%s/MANIFEST.tmp", ix->dir);
    snprintf(fin, sizeof fin, "%s/MANIFEST", ix->dir);
    dc_wfile f;
    dc_rc rc = b.rc ? b.rc : dc_wfile_open(&f, tmp);
    if (!b.rc) {
        dc_wfile_put(&f, b.p, b.len);
        rc = dc_wfile_close(&f, 1);
    }
    dc_buf_release(&b);
    if (rc || rename(tmp, fin) != 0 || fsync_dir(ix->dir) != DC_OK) {
        unlink(tmp);
        return dc_ix_fail(ix, rc ? rc : DC_IO, "cannot write index MANIFEST in %s", ix->dir);
    }
    dc_error e;
    rc = load(ix, &e);
    if (rc) return dc_ix_fail(ix, rc, "%s", e.msg);
    return DC_OK;
}

/* Removes segment files the MANIFEST does not name and a stale MANIFEST.tmp. */
static void remove_orphans(dc_index *ix)
{
    DIR *d = opendir(ix->dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        size_t l = strlen(n);
        int orphan = strcmp(n, "MANIFEST.tmp") == 0;
        if (l == 24 && memcmp(n, "seg-", 4) == 0 && strcmp(n + 20, ".dcs") == 0) {
            char *q;
            uint64_t id = strtoull(n + 4, &q, 16);
            orphan = 1;
            for (size_t i = 0; i < ix->nsegs; i++)
                if (ix->segs[i]->id == id) orphan = 0;
        }
        if (orphan) {
            char p[4096];
            if (snprintf(p, sizeof p, "%s/%s", ix->dir, n) < (int)sizeof p) unlink(p);
        }
    }
    closedir(d);
}

dc_rc dc_index_open(const char *dir, int flags, dc_index **out, dc_error *err)
{
    if (!out) return dc_fail(err, DC_MISUSE, 0, "dc_index_open: out is NULL");
    *out = NULL;
    if (!dir || strlen(dir) > 3000) return dc_fail(err, DC_MISUSE, 0, "bad index directory");
    dc_index *ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->dir = dc_strdup(dir))) {
        free(ix);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    if (flags & DC_INDEX_CREATE) mkdir(dir, 0755);
    dc_rc rc = load(ix, err);
    if (rc == DC_NOTFOUND || rc == DC_IO) {
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/MANIFEST", dir);
        if ((flags & DC_INDEX_CREATE) && stat(p, &st) != 0) {
            ix->next_seg = 1;
            rc = dc_ix_commit_manifest(ix, NULL, 0, NULL, 0, 0, 1);
            if (rc) dc_fail(err, rc, 0, "%s", ix->errmsg);
        } else if (stat(p, &st) != 0) {
            rc = dc_fail(err, DC_NOTFOUND, 0, "no index in %s", dir);
        }
    }
    if (rc) {
        dc_index_close(ix);
        return rc;
    }
    remove_orphans(ix);
    *out = ix;
    return DC_OK;
}

void dc_index_close(dc_index *ix)
{
    if (!ix) return;
    unload(ix);
    free(ix->dir);
    free(ix);
}

const char *dc_index_errmsg(const dc_index *ix)
{
    return ix ? ix->errmsg : "no index";
}

uint64_t dc_index_high_water(const dc_index *ix) { return ix ? ix->high_water : 0; }
uint64_t dc_index_doc_count(const dc_index *ix) { return ix ? ix->live : 0; }
unsigned dc_index_segment_count(const dc_index *ix) { return ix ? (unsigned)ix->nsegs : 0; }

/* ---- helpers shared by writer and search ---- */

size_t dc_ix_norm_value(uint8_t field, const char *v, size_t n, uint8_t *key)
{
    size_t k = 1;
    int space = 0;
    key[0] = field;
    for (size_t i = 0; i < n && k < 1 + DC_CITE_MAX; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = k > 1;
            continue;
        }
        if (space && k < DC_CITE_MAX) key[k++] = ' ';
        space = 0;
        key[k++] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
    }
    return k;
}

uint32_t dc_ix_date_key(const char *s, int hi)
{
    if (!s) return 0;
    unsigned part[3] = {0, 0, 0};
    int np = 0;
    const char *p = s;
    while (np < 3) {
        unsigned v = 0;
        int nd = 0;
        while (*p >= '0' && *p <= '9' && nd < 4) v = v * 10 + (unsigned)(*p++ - '0'), nd++;
        if (!nd) break;
        part[np++] = v;
        if (*p != '-') break;
        p++;
    }
    if (np == 0 || part[0] == 0) return 0;
    if (np < 2) part[1] = hi ? 99 : 0;
    if (np < 3) part[2] = hi ? 99 : 0;
    if (part[1] > 99 || part[2] > 99) return 0;
    return part[0] * 10000 + part[1] * 100 + part[2];
}

int dc_ix_access_level(const char *cls)
{
    if (!cls || !*cls) return DC_UNCLASSIFIED;
    int l = dc_level_parse(cls);
    return l < 0 ? DC_TOP_SECRET : l;
}
