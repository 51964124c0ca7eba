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
 * "\n{json}\n": the leading newline ends a line a failed write may have
 * left unfinished, so one torn row cannot swallow the next.  The table
 * audit_journal records, in the same transaction as the rows it folded,
 * the name of the file and the offset folded up to: a fold rolled back
 * leaves the offset where it was (its rows are folded again, with any
 * that came after, in order), a fold committed is never repeated, and a
 * file of another name (a new one) is folded from its start.  The file is
 * never renamed or removed; once all of it is folded (the offset recorded
 * is its end) a fold may empty it, under the database's write lock, so
 * nothing unfolded is lost.
 *
 * Appenders hold a shared flock(2) while they write; a fold takes it
 * exclusively only to learn where the complete rows end (and to empty the
 * file), then reads without it: appends go after that end.
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

static void hex(char *out, const unsigned char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Makes the empty file fd the journal: the database's owner (when root)
 * and mode, and a header with a new name.  The caller holds LOCK_EX. */
static int write_header(const dc_journal *j, int fd)
{
    if (geteuid() == 0 && fchown(fd, j->uid, j->gid) != 0) return -1;
    if (fchmod(fd, j->mode ? j->mode : 0600) != 0) return -1;
    unsigned char name[16];
    char line[HEADER_MAX], h[2 * sizeof name + 1];
    randombytes_buf(name, sizeof name);
    hex(h, name, sizeof name);
    int n = snprintf(line, sizeof line, "{\"journal\":\"%s\"}\n", h);
    return write(fd, line, (size_t)n) == n ? 0 : -1;
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
    dc_json_end(&js);
    dc_buf_putc(&b, '\n');
    if (b.rc) {
        dc_rc rc = b.rc == DC_NOMEM ? DC_NOMEM : DC_LIMIT;
        dc_buf_release(&b);
        return dc_fail(err, rc, 0, "%s", rc == DC_NOMEM ? "out of memory" : "row too long");
    }
    int fd = open_file(j->path, O_WRONLY | O_APPEND | O_CREAT);
    struct stat sb;
    dc_rc rc = DC_OK;
    if (fd < 0 || flock(fd, LOCK_SH) != 0 || fstat(fd, &sb) != 0) {
        rc = DC_IO;
    } else if (sb.st_size == 0) { /* a new file, or one a fold emptied: name it */
        if (flock(fd, LOCK_EX) != 0 || fstat(fd, &sb) != 0 ||
            (sb.st_size == 0 && write_header(j, fd) != 0))
            rc = DC_IO;
    }
    if (!rc) {
        ssize_t n = write(fd, b.p, b.len);
        if (n < 0 || (size_t)n != b.len) {
            if (n >= 0) errno = ENOSPC;
            rc = DC_IO;
        } else if (fstat(fd, &sb) == 0) {
            *size = (long long)sb.st_size;
        }
    }
    if (rc)
        dc_fail(err, rc, 0, "cannot append to the audit journal %s: %s", j->path, strerror(errno));
    if (fd >= 0) close(fd); /* and its lock */
    dc_buf_release(&b);
    return rc;
}

/* The row of one line (a NUL-terminated copy); 0 if it is not one. */
static int row_of(const char *line, size_t len, dc_jdoc *doc, dc_audit_row *r)
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

dc_rc dc_journal_fold(const dc_journal *j, dc_journal_pos *pos, long long trim_at, dc_journal_cb cb,
                      void *ctx, size_t *damaged, int *moved, dc_error *err)
{
    *damaged = 0;
    *moved = 0;
    int fd = open_file(j->path, O_RDWR);
    if (fd < 0) {
        if (errno == ENOENT) return DC_OK;
        return dc_fail(err, DC_IO, 0, "cannot open the audit journal %s: %s", j->path,
                       strerror(errno));
    }
    struct stat sb;
    char name[DC_JOURNAL_NAME_SIZE];
    long long start = 0, size = 0;
    dc_rc rc = DC_OK;
    /* under the exclusive lock: every row before size is complete */
    if (flock(fd, LOCK_EX) != 0 || fstat(fd, &sb) != 0) {
        rc = dc_fail(err, DC_IO, 0, "cannot lock the audit journal %s: %s", j->path,
                     strerror(errno));
    } else {
        size = (long long)sb.st_size;
        long long head = read_header(fd, name);
        start =
            strcmp(name, pos->name) == 0 && pos->off >= head && pos->off <= size ? pos->off : head;
        if (start == size && size > trim_at && strcmp(name, pos->name) == 0 &&
            ftruncate(fd, 0) != 0) /* all of it folded before: emptied */
            rc = dc_fail(err, DC_IO, 0, "cannot empty the audit journal %s: %s", j->path,
                         strerror(errno));
    }
    flock(fd, LOCK_UN);
    if (rc || start >= size) {
        close(fd);
        return rc;
    }
    size_t want = (size_t)(size - start) < DC_JOURNAL_MAX ? (size_t)(size - start) : DC_JOURNAL_MAX;
    char *text = malloc(want + 1);
    ssize_t got = text ? pread(fd, text, want, (off_t)start) : -1;
    close(fd);
    if (!text) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    if (got != (ssize_t)want) {
        free(text);
        return dc_fail(err, DC_IO, 0, "cannot read the audit journal %s: %s", j->path,
                       got < 0 ? strerror(errno) : "it was cut short");
    }
    size_t len = want;
    if (start + (long long)want < size) { /* a part: up to its last whole line */
        while (len && text[len - 1] != '\n') len--;
        if (!len) len = want; /* one line longer than a fold takes: skipped */
    }
    for (size_t at = 0; at < len && !rc;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (end > at) {
            dc_jdoc doc = {0};
            dc_audit_row r;
            text[end] = '\0'; /* the line alone (dc_jparse reads len bytes) */
            if (nl && row_of(text + at, end - at, &doc, &r)) rc = cb(ctx, &r);
            else ++*damaged; /* unfinished (a write that failed) or not a row */
            dc_jdoc_free(&doc);
        }
        at = end + 1;
    }
    free(text);
    if (rc) return rc;
    memcpy(pos->name, name, sizeof name);
    pos->off = start + (long long)len;
    *moved = 1;
    return DC_OK;
}
