/*
 * The audit journal: where a read's audit row goes.
 *
 * Every read is audited.  Appending its row to the audit table was a write
 * transaction per read: the write lock (so a search waited behind an
 * ingest's batch), two WAL frames per row, and a WAL that every later
 * process had to read back at open.  Rows written outside a transaction
 * are appended here instead, to "<database>-audit" beside the -wal and
 * -shm files (not "-journal": SQLite's rollback journal has that name),
 * one line each; a write transaction folds them into the audit table, in
 * order, each with its link in the hash chain (store.c, journal_fold), so
 * the table stays the one log.
 *
 * The file begins with a header line naming it, {"journal":"<32 hex>"},
 * random, written by the appender that finds it empty.  A row is
 * "\n{json}\n" ending ,"n":"<16 hex>"}: its own random id.  The leading
 * newline ends a line a failed write may have left unfinished, so one
 * torn row cannot swallow the next.  The table audit_journal records, in
 * the same transaction as the rows it folded, the name of the file, the
 * offset folded up to and the id of the row that ends there: a fold
 * rolled back leaves the record as it was (its rows are folded again,
 * with any that came after, in order), a fold committed is not repeated,
 * and a file of another name (a new one) is folded from its start.  A
 * file of the recorded name that does not end at the offset with that
 * row (an OS crash kept the commit but lost the file's end) is folded
 * again from its start: rows may be doubled, and the log says so, but
 * none is lost.  Once the part folded by committed transactions is long,
 * a fold starts the journal afresh with the rest (restart).
 *
 * Appenders hold a shared flock(2) while they write; a fold takes it
 * exclusively only to learn where the complete rows end (and to start
 * the file afresh), then reads without it: appends go after that end.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "util/util_int.h"

#include "util/banned.h"

#define HEADER_MAX 64 /* {"journal":"<32 hex>"}\n is 47 bytes */

int dc_journal_init(dc_journal *j, const char *db_path)
{
    memset(j, 0, sizeof *j);
    struct stat sb;
    if (!db_path || !*db_path || stat(db_path, &sb) != 0) return 0;
    int n = snprintf(j->path, sizeof j->path, "%s-audit", db_path);
    if (n <= 0 || (size_t)n >= sizeof j->path) return 0;
    /* as SQLite makes the -wal and -shm files: the database's mode, and
     * its owner when root makes them */
    j->uid = sb.st_uid;
    j->gid = sb.st_gid;
    j->mode = sb.st_mode & 0777;
    return 1;
}

/* Makes the empty file fd the journal: the database's owner (when root)
 * and mode, and a header with a new name (in h, when given); its length,
 * or -1 with errno (the file emptied again).  The caller holds LOCK_EX. */
static int write_header(const dc_journal *j, int fd, char h[DC_JOURNAL_NAME_SIZE])
{
    if (geteuid() == 0 && fchown(fd, j->uid, j->gid) != 0) return -1;
    if (fchmod(fd, j->mode ? j->mode : 0600) != 0) return -1;
    unsigned char name[16];
    char line[HEADER_MAX], own[DC_JOURNAL_NAME_SIZE];
    if (!h) h = own;
    randombytes_buf(name, sizeof name);
    dc_store_hex(h, name, sizeof name);
    int n = snprintf(line, sizeof line, "{\"journal\":\"%s\"}\n", h);
    ssize_t w = write(fd, line, (size_t)n);
    if (w == n) return n;
    int e = w < 0 ? errno : ENOSPC;
    int t = ftruncate(fd, 0); /* a torn header would leave a nameless file */
    (void)t;
    errno = e;
    return -1;
}

/* Opens the journal's file without following a link or blocking on a
 * FIFO; a regular file or -1 (errno set). */
static int open_file(const char *path, int flags)
{
    int fd = open(path, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    struct stat sb;
    int e = fstat(fd, &sb) != 0 ? errno : !S_ISREG(sb.st_mode) ? EINVAL : 0;
    if (!e) return fd;
    close(fd);
    errno = e;
    return -1;
}

#define OPEN_TRIES 8 /* opens again when a fold replaced the file under us */

/* Takes lock (LOCK_SH or LOCK_EX) on fd, the journal at path, and gives
 * its stat in *a: 1 if path still leads to it then, 0 if a fold replaced
 * it meanwhile (or it is gone), -1 with errno. */
static int lock_same(int fd, const char *path, int lock, struct stat *a)
{
    struct stat b;
    if (flock(fd, lock) != 0 || fstat(fd, a) != 0) return -1;
    if (stat(path, &b) != 0) return errno == ENOENT ? 0 : -1;
    return a->st_ino == b.st_ino && a->st_dev == b.st_dev;
}

/* Opens the journal for appending, holding a shared lock on the file its
 * name leads to now (a fold may have replaced it between the open and the
 * lock), and names it if it is new (empty); *size is its size then.  -1
 * with errno. */
static int open_locked(const dc_journal *j, long long *size)
{
    for (int i = 0; i < OPEN_TRIES; i++) {
        int fd = open_file(j->path, O_WRONLY | O_APPEND | O_CREAT);
        if (fd < 0) return -1;
        struct stat sb;
        int same = lock_same(fd, j->path, LOCK_SH, &sb);
        if (same == 1 && sb.st_size == 0) {
            /* the lock is let go while it turns exclusive: look again */
            same = lock_same(fd, j->path, LOCK_EX, &sb);
            int hl = same == 1 && sb.st_size == 0 ? write_header(j, fd, NULL) : 0;
            if (hl < 0) same = -1;
            sb.st_size += hl;
        }
        *size = (long long)sb.st_size;
        if (same == 1) return fd;
        int e = errno;
        close(fd);
        if (same < 0) return errno = e, -1;
    }
    errno = EAGAIN;
    return -1;
}

dc_rc dc_journal_append(const dc_journal *j, const dc_audit_row *r, long long *size, dc_error *err)
{
    *size = 0;
    dc_buf b;
    dc_buf_init(&b, DC_JOURNAL_LINE_MAX);
    dc_json js;
    dc_buf_putc(&b, '\n');
    dc_json_init(&js, &b, 0);
    dc_json_obj(&js);
    dc_json_kstr(&js, "at", r->at);
    dc_json_kstr(&js, "user", r->user ? r->user : "public");
    dc_json_kstr(&js, "action", r->action);
    dc_json_kstr(&js, "target", r->target);
    dc_json_kstr(&js, "detail", r->detail);
    unsigned char id[8];
    char h[DC_JOURNAL_ROW_ID_SIZE];
    randombytes_buf(id, sizeof id);
    dc_store_hex(h, id, sizeof id);
    dc_json_kstr(&js, "n", h); /* last: fold checks where a row ends by it */
    dc_json_end(&js);
    dc_buf_putc(&b, '\n');
    if (b.rc) {
        dc_rc rc = b.rc == DC_NOMEM ? DC_NOMEM : DC_LIMIT;
        dc_buf_release(&b);
        return dc_fail(err, rc, 0, "%s", rc == DC_NOMEM ? "out of memory" : "row too long");
    }
    long long before = 0;
    int fd = open_locked(j, &before);
    dc_rc rc = fd < 0 ? DC_IO : DC_OK;
    if (!rc) {
        ssize_t n = write(fd, b.p, b.len);
        if (n < 0 || (size_t)n != b.len) {
            if (n >= 0) errno = ENOSPC;
            rc = DC_IO;
        } else {
            *size = before + (long long)n; /* at least: others may append too */
        }
    }
    if (rc)
        dc_fail(err, rc, 0, "cannot append to the audit journal %s: %s", j->path, strerror(errno));
    if (fd >= 0) close(fd); /* and its lock */
    dc_buf_release(&b);
    return rc;
}

/* The row of one line (a NUL-terminated copy) and its id (empty if it has
 * none); 0 if it is not one. */
static int row_of(const char *line, size_t len, dc_jdoc *doc, dc_audit_row *r,
                  char id[DC_JOURNAL_ROW_ID_SIZE])
{
    if (dc_jparse(line, len, doc) != DC_OK) return 0;
    const char *f[5] = {"at", "user", "action", "target", "detail"};
    const char *v[5];
    for (int i = 0; i < 5; i++) {
        const dc_jv *x = dc_jget(doc->root, f[i]);
        v[i] = x && x->type == DC_JV_STRING ? x->str : NULL;
        if (x && x->type != DC_JV_STRING && x->type != DC_JV_NULL) return 0;
    }
    if (!v[0] || !v[2] || !*v[2]) return 0;
    *r = (dc_audit_row){v[0], v[1], v[2], v[3], v[4]};
    const dc_jv *n = dc_jget(doc->root, "n");
    snprintf(id, DC_JOURNAL_ROW_ID_SIZE, "%s",
             n && n->type == DC_JV_STRING && strlen(n->str) == DC_JOURNAL_ROW_ID_SIZE - 1 ? n->str
                                                                                          : "");
    return 1;
}

/* The name in the header line of fd (empty for a file without one) and
 * the header's length. */
static long long read_header(int fd, char name[DC_JOURNAL_NAME_SIZE])
{
    char buf[HEADER_MAX + 1];
    name[0] = '\0';
    ssize_t n = pread(fd, buf, HEADER_MAX, 0);
    if (n <= 0) return 0;
    buf[n] = '\0';
    const char *nl = memchr(buf, '\n', (size_t)n);
    if (!nl) return 0;
    size_t len = (size_t)(nl - buf);
    static const char pre[] = "{\"journal\":\"";
    size_t np = sizeof pre - 1, nh = DC_JOURNAL_NAME_SIZE - 1;
    if (len != np + nh + 2 || memcmp(buf, pre, np) != 0 || memcmp(buf + np + nh, "\"}", 2) != 0)
        return 0;
    memcpy(name, buf + np, nh);
    name[nh] = '\0';
    return (long long)len + 1;
}

/*
 * Starts the journal afresh with what follows start (not yet folded) after
 * a new header: written to "<journal>-new" and renamed over the journal,
 * while the caller holds the old file's exclusive lock (appenders waiting
 * for it then find the name leads elsewhere and open again).  *tail gets
 * those bytes, name and *head the new header's.  Best effort: on failure
 * the journal stays as it was (0 returned).
 */
static int restart(const dc_journal *j, int fd, long long start, long long size,
                   char name[DC_JOURNAL_NAME_SIZE], long long *head, char **tail, size_t *tlen)
{
    size_t n = (size_t)(size - start);
    char *t = malloc(n + 1), tmp[sizeof j->path + 8];
    if (!t || pread(fd, t, n, (off_t)start) != (ssize_t)n ||
        snprintf(tmp, sizeof tmp, "%s-new", j->path) >= (int)sizeof tmp) {
        free(t);
        return 0;
    }
    unlink(tmp); /* one a crash left */
    int nfd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    char h[DC_JOURNAL_NAME_SIZE];
    int hl = nfd >= 0 ? write_header(j, nfd, h) : -1;
    int ok = hl > 0 && write(nfd, t, n) == (ssize_t)n;
    if (nfd >= 0) close(nfd);
    if (!ok || rename(tmp, j->path) != 0) {
        unlink(tmp);
        free(t);
        return 0;
    }
    memcpy(name, h, DC_JOURNAL_NAME_SIZE);
    *head = hl;
    *tail = t;
    *tlen = n;
    return 1;
}

/* Whether the row with id `last` ends at off in fd: its line ends
 * ,"n":"<id>"}\n. */
static int ends_at(int fd, long long off, const char *last)
{
    char want[64], got[64];
    int n = snprintf(want, sizeof want, ",\"n\":\"%s\"}\n", last);
    return *last && off >= n && pread(fd, got, (size_t)n, (off_t)(off - n)) == n &&
           memcmp(got, want, (size_t)n) == 0;
}

dc_rc dc_journal_fold(const dc_journal *j, dc_journal_pos *pos, long long trim_at, dc_journal_cb cb,
                      void *ctx, size_t *damaged, int *again, int *moved, dc_error *err)
{
    *damaged = 0;
    *again = 0;
    *moved = 0;
    int fd = open_file(j->path, O_RDWR);
    if (fd < 0) {
        if (errno == ENOENT) return DC_OK;
        return dc_fail(err, DC_IO, 0, "cannot open the audit journal %s: %s", j->path,
                       strerror(errno));
    }
    struct stat sb;
    char name[DC_JOURNAL_NAME_SIZE];
    long long start = 0, size = 0, head = 0;
    char *text = NULL; /* the rows to fold, when restart read them */
    size_t len = 0;
    dc_rc rc = DC_OK;
    /* under the exclusive lock: every row before size is complete */
    if (flock(fd, LOCK_EX) != 0 || fstat(fd, &sb) != 0) {
        rc = dc_fail(err, DC_IO, 0, "cannot lock the audit journal %s: %s", j->path,
                     strerror(errno));
    } else {
        size = (long long)sb.st_size;
        head = read_header(fd, name);
        int same = strcmp(name, pos->name) == 0;
        start = head;
        if (same && pos->off >= head && pos->off <= size &&
            (!*pos->last || ends_at(fd, pos->off, pos->last))) /* "": no row to check by */
            start = pos->off;
        else if (same) *again = 1, same = 0; /* cut short: all of it again, none lost */
        /* what is folded (committed) is long: start afresh with the rest */
        if (same && start - head > trim_at && (size_t)(size - start) <= DC_JOURNAL_MAX &&
            restart(j, fd, start, size, name, &head, &text, &len))
            start = head, size = head + (long long)len;
    }
    flock(fd, LOCK_UN);
    if (!rc && !text && start < size) {
        len = (size_t)(size - start) < DC_JOURNAL_MAX ? (size_t)(size - start) : DC_JOURNAL_MAX;
        ssize_t got = (text = malloc(len + 1)) ? pread(fd, text, len, (off_t)start) : -1;
        if (!text) rc = dc_fail(err, DC_NOMEM, 0, "out of memory");
        else if (got != (ssize_t)len)
            rc = dc_fail(err, DC_IO, 0, "cannot read the audit journal %s: %s", j->path,
                         got < 0 ? strerror(errno) : "it was cut short");
        if (!rc && start + (long long)len < size) { /* a part: up to its last whole line */
            size_t cut = len;
            while (cut && text[cut - 1] != '\n') cut--;
            if (cut) len = cut; /* else one line longer than a fold takes: skipped */
        }
    }
    close(fd);
    char last[DC_JOURNAL_ROW_ID_SIZE] = "";
    for (size_t at = 0; !rc && at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (end > at) {
            dc_jdoc doc = {0};
            dc_audit_row r;
            text[end] = '\0'; /* the line alone (dc_jparse reads len bytes) */
            if (nl && row_of(text + at, end - at, &doc, &r, last)) rc = cb(ctx, &r);
            else ++*damaged, last[0] = '\0'; /* unfinished (a failed write) or not a row */
            dc_jdoc_free(&doc);
        }
        at = end + 1;
    }
    free(text);
    if (rc) return rc;
    if (len || *again || strcmp(name, pos->name) != 0) {
        memcpy(pos->name, name, sizeof name);
        pos->off = start + (long long)len;
        /* a fold that ended on a line that is no row restarts there next
         * time only if the journal ends there too */
        memcpy(pos->last, last, sizeof last);
        *moved = 1;
    }
    return DC_OK;
}
