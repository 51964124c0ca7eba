/*
 * The index directory: opening and closing, the MANIFEST (which segments
 * are live, deleted docids, high-water mark, generation), crash-safe
 * replacement of the MANIFEST, removal of orphan segment files, the
 * writer lock (<dir>/LOCK) and refresh (seeing other handles' commits).
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
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index_int.h"
#include "util/banned.h"

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

/* ---- the writer lock ---- */

int dc_ix_lock(dc_index *ix, int wait)
{
    char p[4096];
    if (ix->lock_fd >= 0) {
        dc_ix_fail(ix, DC_MISUSE, "the index lock is already held by this handle");
        return -1;
    }
    if (snprintf(p, sizeof p, "%s/LOCK", ix->dir) >= (int)sizeof p) {
        dc_ix_fail(ix, DC_LIMIT, "index path too long");
        return -1;
    }
    /* A descriptor of our own: flock belongs to the open file description,
     * so two handles of one process exclude each other like two processes. */
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW); /* read-only media */
    if (fd < 0) {
        dc_ix_fail(ix, DC_IO, "cannot open the index lock file %s", p);
        return -1;
    }
    int r;
    while ((r = flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (r != 0) {
        int busy = errno == EWOULDBLOCK;
        close(fd);
        if (busy && !wait) return 0;
        dc_ix_fail(ix, DC_IO, "cannot lock the index %s", ix->dir);
        return -1;
    }
    ix->lock_fd = fd;
    return 1;
}

void dc_ix_unlock(dc_index *ix)
{
    if (ix->lock_fd < 0) return;
    close(ix->lock_fd); /* releases the flock */
    ix->lock_fd = -1;
}

/* ---- reading the MANIFEST ---- */

/* What identifies one MANIFEST: the file (it is only ever replaced by
 * rename, never rewritten) and its generation (guards against the inode
 * number being reused by a later MANIFEST). */
typedef struct mident {
    uint64_t dev, ino, gen;
} mident;

static int manifest_path(const dc_index *ix, char *p, size_t n)
{
    return snprintf(p, n, "%s/MANIFEST", ix->dir) < (int)n ? 0 : -1;
}

/* The identity of the current MANIFEST: one open, fstat and short read.
 * 0, or -1 if it cannot be read. */
static int manifest_ident(const dc_index *ix, mident *id)
{
    char p[4096], head[96];
    if (manifest_path(ix, p, sizeof p) != 0) return -1;
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    ssize_t n = fstat(fd, &st) == 0 ? pread(fd, head, sizeof head - 1, 0) : -1;
    close(fd);
    if (n <= 0) return -1;
    head[n] = 0;
    const char *q = head, *end = head + n;
    uint64_t version;
    if (read_line(&q, end, "declass-index", &version) || read_line(&q, end, "generation", &id->gen))
        return -1;
    id->dev = (uint64_t)st.st_dev;
    id->ino = (uint64_t)st.st_ino;
    return 0;
}

/* Reads the whole MANIFEST through one descriptor, so the identity
 * returned is that of the bytes returned; the descriptor is left open in
 * *fdp for the caller to keep or close. */
static dc_rc read_manifest(const dc_index *ix, char **out, size_t *len, mident *id, int *fdp,
                           dc_error *err)
{
    char p[4096];
    if (manifest_path(ix, p, sizeof p) != 0)
        return dc_fail(err, DC_LIMIT, 0, "index path too long");
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dc_fail(err, errno == ENOENT ? DC_NOTFOUND : DC_IO, 0, "cannot read %s", p);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MANIFEST_MAX) {
        close(fd);
        return dc_fail(err, DC_IO, 0, "cannot read %s", p);
    }
    size_t size = (size_t)st.st_size, n = 0;
    char *data = malloc(size + 1);
    if (!data) {
        close(fd);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    while (n < size) {
        ssize_t k = read(fd, data + n, size - n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        n += (size_t)k;
    }
    if (n != size) {
        close(fd);
        free(data);
        return dc_fail(err, DC_IO, 0, "cannot read %s", p);
    }
    *fdp = fd;
    data[n] = 0;
    id->dev = (uint64_t)st.st_dev;
    id->ino = (uint64_t)st.st_ino;
    *out = data;
    *len = n;
    return DC_OK;
}

/* A parsed MANIFEST. */
typedef struct mfile {
    uint64_t gen, hw, next;
    uint64_t *ids, *deleted;
    size_t nids, ndel;
} mfile;

static void mfile_release(mfile *m)
{
    free(m->ids);
    free(m->deleted);
}

/* Parses and verifies (checksum, syntax, order) a MANIFEST: 0, -1 damaged,
 * -2 out of memory. */
static int parse_manifest(const char *data, size_t len, mfile *m)
{
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
        return -1;
    end = crcline;
    if (read_line(&p, end, "declass-index", &version) || version != 1 ||
        read_line(&p, end, "generation", &m->gen) || read_line(&p, end, "high-water", &m->hw) ||
        read_line(&p, end, "next-segment", &m->next) ||
        read_line(&p, end, "segments", &nsegs) || nsegs > 100000)
        return -1;
    m->ids = malloc((nsegs ? nsegs : 1) * sizeof *m->ids);
    if (!m->ids) return -2;
    for (uint64_t i = 0; i < nsegs; i++) {
        if (read_line(&p, end, "seg", &m->ids[i]) || m->ids[i] >= m->next) return -1;
        m->nids++;
    }
    if (read_line(&p, end, "deleted", &ndel) || ndel > (uint64_t)(end - p) / 2) return -1;
    m->deleted = malloc((ndel ? ndel : 1) * sizeof *m->deleted);
    if (!m->deleted) return -2;
    for (uint64_t i = 0; i < ndel; i++) {
        char *q;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol || *p < '0' || *p > '9') return -1;
        errno = 0;
        m->deleted[i] = strtoull(p, &q, 10);
        if (errno || q != eol || (i && m->deleted[i] <= m->deleted[i - 1])) return -1;
        p = eol + 1;
    }
    m->ndel = ndel;
    return p == end ? 0 : -1;
}

/*
 * Reads MANIFEST and makes it ix's state: maps the segments it names that
 * ix has not mapped yet (a MANIFEST of a later generation keeps the
 * segment ids of the earlier ones: those mappings are reused), builds
 * each segment's deletion bitmap from the deleted docids, and unmaps the
 * segments it no longer names.  On failure ix keeps its previous state
 * and *seen (if the MANIFEST could be read) identifies what was read.
 */
static dc_rc load(dc_index *ix, dc_error *err, mident *seen)
{
    char *data = NULL;
    size_t len = 0;
    mident id = {0, 0, 0};
    mfile m;
    memset(&m, 0, sizeof m);
    int fd = -1;
    dc_rc rc = read_manifest(ix, &data, &len, &id, &fd, err);
    if (rc) return rc;
    int pr = parse_manifest(data, len, &m);
    free(data);
    id.gen = m.gen;
    if (seen) *seen = id;
    if (pr) {
        close(fd);
        mfile_release(&m);
        if (pr == -2) return dc_fail(err, DC_NOMEM, 0, "out of memory");
        return dc_fail(err, DC_CORRUPT, 0, "index MANIFEST in %s is damaged", ix->dir);
    }
    /* Segment ids are never reused within one index, but an index
     * directory removed and created again starts over: reuse mappings
     * only across a generation increase. */
    int reuse = ix->nsegs > 0 && m.gen > ix->gen;
    size_t n = m.nids;
    dc_seg **segs = calloc(n ? n : 1, sizeof *segs);
    uint8_t *fresh = calloc(n ? n : 1, 1), *kept = calloc(ix->nsegs ? ix->nsegs : 1, 1);
    uint8_t **del = calloc(n ? n : 1, sizeof *del);
    uint64_t *ndel = calloc(n ? n : 1, sizeof *ndel);
    uint64_t *ndeldocs = calloc(n ? n : 1, sizeof *ndeldocs);
    uint64_t live = 0;
    if (!segs || !fresh || !kept || !del || !ndel || !ndeldocs) {
        rc = dc_fail(err, DC_NOMEM, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        for (size_t j = 0; reuse && j < ix->nsegs && !segs[i]; j++)
            if (!kept[j] && ix->segs[j]->id == m.ids[i]) {
                segs[i] = ix->segs[j];
                kept[j] = 1;
            }
        if (!segs[i]) {
            char sp[4096];
            rc = dc_ix_seg_path(ix, m.ids[i], sp, sizeof sp);
            if (rc) rc = dc_fail(err, rc, 0, "index path too long");
            else rc = dc_seg_open(sp, m.ids[i], &segs[i], err);
            fresh[i] = segs[i] != NULL;
        }
    }
    /* Outdated placeholders hold no entries and no docid range: order is
     * checked among the others. */
    for (size_t i = 0, last = SIZE_MAX; i < n && !rc; i++) {
        if (segs[i]->outdated) continue;
        live += segs[i]->ndistinct;
        if (last != SIZE_MAX && segs[i]->min_docid <= segs[last]->max_docid)
            rc = dc_fail(err, DC_CORRUPT, 0, "index MANIFEST: segments out of order");
        last = i;
    }
    for (size_t k = 0; k < m.ndel && !rc; k++) {
        uint64_t d = m.deleted[k];
        for (size_t i = 0; i < n; i++) {
            const dc_seg *s = segs[i];
            if (s->outdated || d < s->min_docid || d > s->max_docid) continue;
            int64_t o = dc_seg_find_doc(s, d);
            if (o < 0) break;
            if (!del[i] && !(del[i] = calloc((size_t)(s->ndocs / 8 + 1), 1))) {
                rc = dc_fail(err, DC_NOMEM, 0, "out of memory");
                break;
            }
            /* every entry (view) of the docid, on consecutive ordinals */
            if (!(del[i][o >> 3] >> (o & 7) & 1)) {
                ndeldocs[i]++;
                live--;
            }
            for (; (uint64_t)o < s->ndocs && dc_seg_docid(s, (uint32_t)o) == d; o++)
                if (!(del[i][o >> 3] >> (o & 7) & 1)) {
                    del[i][o >> 3] |= (uint8_t)(1u << (o & 7));
                    ndel[i]++;
                }
            break;
        }
    }
    if (rc) goto out;
    /* commit: nothing below fails */
    for (size_t j = 0; j < ix->nsegs; j++)
        if (!kept[j]) dc_seg_close(ix->segs[j]);
    free(ix->segs);
    free(ix->deleted);
    for (size_t i = 0; i < n; i++) {
        free(segs[i]->del);
        segs[i]->del = del[i];
        segs[i]->ndel = ndel[i];
        segs[i]->ndeldocs = ndeldocs[i];
        del[i] = NULL;
        dc_seg_tally(segs[i]);
    }
    ix->segs = segs;
    ix->nsegs = n;
    segs = NULL;
    ix->deleted = m.deleted;
    ix->ndeleted = m.ndel;
    m.deleted = NULL;
    ix->live = live;
    ix->gen = m.gen;
    ix->high_water = m.hw;
    ix->next_seg = m.next;
    ix->m_dev = id.dev;
    ix->m_ino = id.ino;
    if (ix->m_fd >= 0) close(ix->m_fd);
    ix->m_fd = fd;
    fd = -1;
out:
    if (fd >= 0) close(fd);
    for (size_t i = 0; segs && i < n; i++)
        if (fresh[i]) dc_seg_close(segs[i]);
    for (size_t i = 0; del && i < n; i++) free(del[i]);
    free(segs);
    free(fresh);
    free(kept);
    free(del);
    free(ndel);
    free(ndeldocs);
    mfile_release(&m);
    return rc;
}

/*
 * load() for a reader that does not hold the lock: a concurrent optimize
 * may remove a segment named by the MANIFEST just read (after publishing
 * a MANIFEST that no longer names it), so if loading fails and the
 * MANIFEST has changed since, read it again.
 */
static dc_rc reload(dc_index *ix, dc_error *err)
{
    for (int attempt = 0;; attempt++) {
        mident seen = {0, 0, 0}, now;
        dc_rc rc = load(ix, err, &seen);
        int have = seen.ino != 0 || seen.dev != 0;
        if (rc == DC_OK || rc == DC_NOTFOUND || rc == DC_NOMEM || !have || attempt >= 100)
            return rc;
        if (manifest_ident(ix, &now) != 0 ||
            (now.dev == seen.dev && now.ino == seen.ino && now.gen == seen.gen))
            return rc;
    }
}

dc_rc dc_ix_refresh(dc_index *ix)
{
    /* One stat: the MANIFEST is only ever replaced by rename, and ix holds
     * the one it loaded open, so the same inode means the same file. */
    char p[4096];
    struct stat st;
    if (ix->m_fd >= 0 && manifest_path(ix, p, sizeof p) == 0 && stat(p, &st) == 0 &&
        (uint64_t)st.st_dev == ix->m_dev && (uint64_t)st.st_ino == ix->m_ino)
        return DC_OK;
    dc_error e;
    dc_rc rc = reload(ix, &e);
    return rc ? dc_ix_fail(ix, rc, "cannot refresh the index: %s", e.msg) : DC_OK;
}

dc_rc dc_index_refresh(dc_index *ix)
{
    if (!ix) return DC_MISUSE;
    /* With a writer open this handle holds the lock: nothing can change. */
    if (ix->writer_open) return DC_OK;
    return dc_ix_refresh(ix);
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
    /* The rename made the commit durable: never report it as failed (the
     * caller would remove the files it names).  If ix cannot take it in
     * now (out of memory), it keeps its previous state and takes it in at
     * its next refresh. */
    dc_error e;
    if (load(ix, &e, NULL) != DC_OK) {
        ix->m_ino = ix->m_dev = 0; /* the next refresh reloads */
        dc_ix_fail(ix, DC_OK, "%s", e.msg);
    }
    return DC_OK;
}

/* Removes segment files the MANIFEST does not name and a stale MANIFEST.tmp.
 * Only with the lock held: otherwise they may be a concurrent writer's
 * segments that its MANIFEST does not name yet.  The MANIFEST is the one on
 * disk now, read again if ix loaded an older one: a handle that loaded it
 * before taking the lock (dc_index_open) would otherwise take a segment
 * another writer published meanwhile for an orphan and delete it. */
void dc_ix_remove_orphans(dc_index *ix)
{
    if (dc_ix_refresh(ix) != DC_OK) return;
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
    ix->lock_fd = ix->m_fd = -1;
    if (flags & DC_INDEX_CREATE) mkdir(dir, 0700);
    dc_rc rc = reload(ix, err);
    int cleaned = 0;
    if (rc == DC_NOTFOUND && (flags & DC_INDEX_CREATE)) {
        /* Create under the lock, so that a concurrent creator that has
         * already committed documents is never overwritten. */
        if (dc_ix_lock(ix, 1) != 1) {
            rc = dc_fail(err, DC_IO, 0, "%s", ix->errmsg);
        } else {
            rc = reload(ix, err);
            if (rc == DC_NOTFOUND) {
                ix->next_seg = 1;
                rc = dc_ix_commit_manifest(ix, NULL, 0, NULL, 0, 0, 1);
                if (rc) dc_fail(err, rc, 0, "%s", ix->errmsg);
            }
            if (!rc) dc_ix_remove_orphans(ix);
            cleaned = 1;
            dc_ix_unlock(ix);
        }
    } else if (rc == DC_NOTFOUND) {
        rc = dc_fail(err, DC_NOTFOUND, 0, "no index in %s", dir);
    }
    if (rc) {
        dc_index_close(ix);
        return rc;
    }
    /* Orphans only while nobody writes: a writer's uncommitted segments
     * look exactly like them.  A busy lock leaves them to a later open or
     * to the next writer. */
    if (!cleaned && dc_ix_lock(ix, 0) == 1) {
        dc_ix_remove_orphans(ix);
        dc_ix_unlock(ix);
    }
    *out = ix;
    return DC_OK;
}

void dc_index_close(dc_index *ix)
{
    if (!ix) return;
    dc_ix_unlock(ix);
    if (ix->m_fd >= 0) close(ix->m_fd);
    unload(ix);
    free(ix->dir);
    free(ix);
}

const char *dc_index_errmsg(const dc_index *ix)
{
    return ix ? ix->errmsg : "no index";
}

uint64_t dc_index_high_water(const dc_index *ix) { return ix ? ix->high_water : 0; }

int dc_index_outdated(const dc_index *ix)
{
    for (size_t i = 0; ix && i < ix->nsegs; i++)
        if (ix->segs[i]->outdated) return 1;
    return 0;
}
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
