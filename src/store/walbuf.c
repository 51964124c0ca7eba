/*
 * The store's VFS: SQLite's own (unix), except that a connection's appends
 * to its WAL are gathered in a buffer and written WALBUF_CAP bytes at a
 * time, instead of two system calls a frame (its 24-byte header, then its
 * page: 4,120 bytes that straddle two pages of the page cache).  An ingest
 * writes most of its bytes this way.
 *
 * What is buffered is never what another connection may read.  SQLite
 * makes frames visible (the wal-index header) only once their transaction
 * commits, and a commit's frames are written before the write of its
 * commit frame's page returns, with its error, so that the commit fails if
 * they cannot be.  A read, sync, truncation, size or close of the WAL
 * writes the buffer first; so does a write that is not an append (below),
 * and any change of a wal-index lock: the database file is wrapped for
 * that, so the end of a transaction, one rolled back too, writes what it
 * left while it still holds the write lock, never later over another
 * connection's frames.  A killed process loses only the frames of an
 * uncommitted transaction, which no one would have read.  The WAL's format
 * is SQLite's (https://sqlite.org/fileformat2.html#walformat): a 32-byte
 * header, then frames of a 24-byte header, whose bytes 4..7 are the
 * database's size after a commit and 0 otherwise, and the page.
 *
 * Other files (journals, temporary files) are the underlying VFS's,
 * opened in place: no layer between SQLite and them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store_int.h"
#include "util/banned.h"

/* The unix VFS writes at most 128 KiB - 1 bytes at a time (its
 * seekAndWrite keeps 17 bits of the count). */
#define WALBUF_CAP ((size_t)64 << 10)

typedef struct walbuf_db walbuf_db;

typedef struct walbuf_file {
    sqlite3_file base;
    sqlite3_file *real; /* the underlying VFS's file, just after this */
    unsigned char *buf; /* WALBUF_CAP bytes once the WAL is appended to */
    sqlite3_int64 off;  /* the file offset of buf[0] */
    size_t n;           /* bytes in buf */
    sqlite3_int64 next; /* where the last write ended (-1: unknown) */
    int commit;         /* the frame header just buffered is a commit's */
    walbuf_db *db;      /* its database's file, or NULL */
} walbuf_file;

/* A database file: the underlying one's, but the WAL's buffer is written
 * before any lock of the wal-index changes (the end of a transaction, one
 * rolled back too: what it left buffered is written while it still holds
 * the write lock, never later over another connection's frames). */
struct walbuf_db {
    sqlite3_file base;
    sqlite3_file *real; /* the underlying VFS's file, just after this */
    walbuf_file *wal;   /* its WAL while open through this VFS, or NULL */
};

static sqlite3_vfs walbuf_vfs;
static sqlite3_vfs *real_vfs;

/* Writes the buffer out; SQLITE_OK or the write's error.  A failed write
 * fails SQLite's transaction, whose frames then count for nothing: the
 * buffer is dropped. */
static int flush(walbuf_file *f)
{
    if (!f->n) return SQLITE_OK;
    int rc = f->real->pMethods->xWrite(f->real, f->buf, (int)f->n, f->off);
    f->n = 0;
    if (rc != SQLITE_OK) f->next = -1;
    return rc;
}

static int wb_close(sqlite3_file *p)
{
    walbuf_file *f = (walbuf_file *)p;
    if (f->db) f->db->wal = NULL;
    int rc = flush(f);
    int rc2 = f->real->pMethods->xClose(f->real);
    free(f->buf);
    f->buf = NULL;
    return rc ? rc : rc2;
}

static int wb_read(sqlite3_file *p, void *out, int amt, sqlite3_int64 off)
{
    walbuf_file *f = (walbuf_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xRead(f->real, out, amt, off);
}

/*
 * Only appends are buffered: a write where the last one ended.  Any other
 * (the WAL's header when it starts over, a page of the open transaction
 * written again in place, the frame headers SQLite rewrites after the
 * commit frame when it recomputes their checksums) writes the buffer and
 * then itself through: nothing rewritten waits here after the commit.
 */
static int wb_write(sqlite3_file *p, const void *in, int amt, sqlite3_int64 off)
{
    walbuf_file *f = (walbuf_file *)p;
    const unsigned char *h = in;
    size_t a = (size_t)amt;
    /* a frame's header (24 bytes; the WAL's own is 32): bytes 4..7 are
     * nonzero in a commit's; the page written after it ends the commit */
    int was_commit = f->commit;
    f->commit = a == 24 && (h[4] | h[5] | h[6] | h[7]) != 0;
    int rc;
    if (off != f->next || a > WALBUF_CAP || (!f->buf && !(f->buf = malloc(WALBUF_CAP)))) {
        if ((rc = flush(f)) != SQLITE_OK) return rc;
        rc = f->real->pMethods->xWrite(f->real, in, amt, off);
        f->next = rc == SQLITE_OK ? off + amt : -1;
        return rc;
    }
    if (f->n + a > WALBUF_CAP && (rc = flush(f)) != SQLITE_OK) return rc;
    if (!f->n) f->off = off;
    memcpy(f->buf + f->n, in, a);
    f->n += a;
    f->next = off + amt;
    return was_commit ? flush(f) : SQLITE_OK;
}

static int wb_truncate(sqlite3_file *p, sqlite3_int64 size)
{
    walbuf_file *f = (walbuf_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wb_sync(sqlite3_file *p, int flags)
{
    walbuf_file *f = (walbuf_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wb_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
    walbuf_file *f = (walbuf_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wb_lock(sqlite3_file *p, int lock)
{
    walbuf_file *f = (walbuf_file *)p;
    return f->real->pMethods->xLock(f->real, lock);
}

static int wb_unlock(sqlite3_file *p, int lock)
{
    walbuf_file *f = (walbuf_file *)p;
    return f->real->pMethods->xUnlock(f->real, lock);
}

static int wb_check_lock(sqlite3_file *p, int *out)
{
    walbuf_file *f = (walbuf_file *)p;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wb_file_control(sqlite3_file *p, int op, void *arg)
{
    walbuf_file *f = (walbuf_file *)p;
    int rc = flush(f);
    return rc ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wb_sector_size(sqlite3_file *p)
{
    walbuf_file *f = (walbuf_file *)p;
    return f->real->pMethods->xSectorSize(f->real);
}

static int wb_device_characteristics(sqlite3_file *p)
{
    walbuf_file *f = (walbuf_file *)p;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static const sqlite3_io_methods walbuf_methods = {
    .iVersion = 1,
    .xClose = wb_close,
    .xRead = wb_read,
    .xWrite = wb_write,
    .xTruncate = wb_truncate,
    .xSync = wb_sync,
    .xFileSize = wb_file_size,
    .xLock = wb_lock,
    .xUnlock = wb_unlock,
    .xCheckReservedLock = wb_check_lock,
    .xFileControl = wb_file_control,
    .xSectorSize = wb_sector_size,
    .xDeviceCharacteristics = wb_device_characteristics,
};

/* ---- the database file ---------------------------------------------- */

#define REAL(p) (((walbuf_db *)(p))->real)

static int db_close(sqlite3_file *p)
{
    walbuf_db *d = (walbuf_db *)p;
    if (d->wal) d->wal->db = NULL;
    return d->real->pMethods->xClose(d->real);
}
static int db_read(sqlite3_file *p, void *out, int amt, sqlite3_int64 off)
{
    return REAL(p)->pMethods->xRead(REAL(p), out, amt, off);
}
static int db_write(sqlite3_file *p, const void *in, int amt, sqlite3_int64 off)
{
    return REAL(p)->pMethods->xWrite(REAL(p), in, amt, off);
}
static int db_truncate(sqlite3_file *p, sqlite3_int64 size)
{
    return REAL(p)->pMethods->xTruncate(REAL(p), size);
}
static int db_sync(sqlite3_file *p, int flags) { return REAL(p)->pMethods->xSync(REAL(p), flags); }
static int db_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
    return REAL(p)->pMethods->xFileSize(REAL(p), size);
}
static int db_lock(sqlite3_file *p, int lock) { return REAL(p)->pMethods->xLock(REAL(p), lock); }
static int db_unlock(sqlite3_file *p, int lock)
{
    return REAL(p)->pMethods->xUnlock(REAL(p), lock);
}
static int db_check_lock(sqlite3_file *p, int *out)
{
    return REAL(p)->pMethods->xCheckReservedLock(REAL(p), out);
}
static int db_file_control(sqlite3_file *p, int op, void *arg)
{
    return REAL(p)->pMethods->xFileControl(REAL(p), op, arg);
}
static int db_sector_size(sqlite3_file *p) { return REAL(p)->pMethods->xSectorSize(REAL(p)); }
static int db_device_characteristics(sqlite3_file *p)
{
    return REAL(p)->pMethods->xDeviceCharacteristics(REAL(p));
}
static int db_shm_map(sqlite3_file *p, int pg, int pgsz, int extend, void volatile **out)
{
    return REAL(p)->pMethods->xShmMap(REAL(p), pg, pgsz, extend, out);
}
static int db_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
    walbuf_db *d = (walbuf_db *)p;
    int rc = d->wal ? flush(d->wal) : SQLITE_OK;
    int rc2 = d->real->pMethods->xShmLock(d->real, offset, n, flags);
    return rc ? rc : rc2;
}
static void db_shm_barrier(sqlite3_file *p)
{
    walbuf_db *d = (walbuf_db *)p;
    if (d->wal) flush(d->wal); /* empty: a commit's frames are written at once */
    d->real->pMethods->xShmBarrier(d->real);
}
static int db_shm_unmap(sqlite3_file *p, int del)
{
    walbuf_db *d = (walbuf_db *)p;
    if (d->wal) flush(d->wal);
    return d->real->pMethods->xShmUnmap(d->real, del);
}
static int db_fetch(sqlite3_file *p, sqlite3_int64 off, int amt, void **out)
{
    return REAL(p)->pMethods->xFetch(REAL(p), off, amt, out);
}
static int db_unfetch(sqlite3_file *p, sqlite3_int64 off, void *pg)
{
    return REAL(p)->pMethods->xUnfetch(REAL(p), off, pg);
}

/* The methods every database file has; with a wal-index's (version 3),
 * or without (version 1: a file that cannot be in WAL mode). */
#define DB_METHODS_V1                                                                    \
    .xClose = db_close, .xRead = db_read, .xWrite = db_write, .xTruncate = db_truncate,  \
    .xSync = db_sync, .xFileSize = db_file_size, .xLock = db_lock, .xUnlock = db_unlock, \
    .xCheckReservedLock = db_check_lock, .xFileControl = db_file_control,                \
    .xSectorSize = db_sector_size, .xDeviceCharacteristics = db_device_characteristics

static const sqlite3_io_methods db_methods = {
    .iVersion = 3,
    DB_METHODS_V1,
    .xShmMap = db_shm_map,
    .xShmLock = db_shm_lock,
    .xShmBarrier = db_shm_barrier,
    .xShmUnmap = db_shm_unmap,
    .xFetch = db_fetch,
    .xUnfetch = db_unfetch,
};

static const sqlite3_io_methods db_methods_v1 = {.iVersion = 1, DB_METHODS_V1};

/*
 * A main database is wrapped, and its WAL buffered, linked to it (a file
 * without the wal-index methods, version 1, cannot be in WAL mode).  Any
 * other file is the underlying VFS's, opened in place.
 */
static int wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out_flags)
{
    (void)vfs;
    walbuf_db *db = NULL;
    if (flags & SQLITE_OPEN_WAL) {
        sqlite3_file *main = sqlite3_database_file_object(name);
        if (main && main->pMethods == &db_methods) db = (walbuf_db *)main;
    }
    if (flags & SQLITE_OPEN_MAIN_DB) {
        walbuf_db *d = (walbuf_db *)p;
        memset(d, 0, sizeof *d);
        d->real = (sqlite3_file *)(d + 1);
        int rc = real_vfs->xOpen(real_vfs, name, d->real, flags, out_flags);
        /* on failure SQLite calls no method of p: pMethods stays NULL */
        if (rc != SQLITE_OK) return rc;
        d->base.pMethods = d->real->pMethods->iVersion >= 3 ? &db_methods : &db_methods_v1;
        return SQLITE_OK;
    }
    if (!db) return real_vfs->xOpen(real_vfs, name, p, flags, out_flags);
    walbuf_file *f = (walbuf_file *)p;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    f->next = -1;
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) return rc;
    f->base.pMethods = &walbuf_methods;
    f->db = db;
    db->wal = f;
    return SQLITE_OK;
}

/* The rest of the VFS is the underlying one's. */
static int wb_delete(sqlite3_vfs *v, const char *n, int s)
{
    (void)v;
    return real_vfs->xDelete(real_vfs, n, s);
}
static int wb_access(sqlite3_vfs *v, const char *n, int fl, int *out)
{
    (void)v;
    return real_vfs->xAccess(real_vfs, n, fl, out);
}
static int wb_full_pathname(sqlite3_vfs *v, const char *n, int cap, char *out)
{
    (void)v;
    return real_vfs->xFullPathname(real_vfs, n, cap, out);
}
static void *wb_dl_open(sqlite3_vfs *v, const char *n)
{
    (void)v;
    return real_vfs->xDlOpen(real_vfs, n);
}
static void wb_dl_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    real_vfs->xDlError(real_vfs, n, out);
}
static void (*wb_dl_sym(sqlite3_vfs *v, void *h, const char *s))(void)
{
    (void)v;
    return real_vfs->xDlSym(real_vfs, h, s);
}
static void wb_dl_close(sqlite3_vfs *v, void *h)
{
    (void)v;
    real_vfs->xDlClose(real_vfs, h);
}
static int wb_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xRandomness(real_vfs, n, out);
}
static int wb_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return real_vfs->xSleep(real_vfs, us);
}
static int wb_current_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return real_vfs->xCurrentTime(real_vfs, out);
}
static int wb_get_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xGetLastError(real_vfs, n, out);
}
static int wb_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static int registered;

static void walbuf_register(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs || real_vfs->iVersion < 2 || !real_vfs->xCurrentTimeInt64) return;
    walbuf_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(sizeof(walbuf_file) > sizeof(walbuf_db) ? sizeof(walbuf_file)
                                                                  : sizeof(walbuf_db)) +
                    real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname,
        .zName = DC_STORE_VFS,
        .xOpen = wb_open,
        .xDelete = wb_delete,
        .xAccess = wb_access,
        .xFullPathname = wb_full_pathname,
        .xDlOpen = wb_dl_open,
        .xDlError = wb_dl_error,
        .xDlSym = wb_dl_sym,
        .xDlClose = wb_dl_close,
        .xRandomness = wb_randomness,
        .xSleep = wb_sleep,
        .xCurrentTime = wb_current_time,
        .xGetLastError = wb_get_last_error,
        .xCurrentTimeInt64 = wb_current_time_int64,
    };
    registered = sqlite3_vfs_register(&walbuf_vfs, 0) == SQLITE_OK;
}

const char *dc_store_vfs(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, walbuf_register);
    return registered ? DC_STORE_VFS : NULL;
}
