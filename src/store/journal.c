/*
 * The audit journal: where a read's audit row goes.
 *
 * Every read is audited.  Appending its row to the audit table was a write
 * transaction per read: the write lock (so a search waited behind an
 * ingest's batch), two WAL frames per row, and a WAL that every later
 * process had to read back at open.  Rows written outside a transaction
 * are appended here instead, to "<database>-audit" beside the -wal and
 * -shm files (not "-journal": SQLite's rollback journal has that name),
 * one line each; the next write transaction folds them into the audit
 * table, in order, each with its link in the hash chain (store.c,
 * journal_fold), so the table stays the one log.
 *
 * A line is "\n{json}\n": the leading newline ends a line a failed write
 * may have left unfinished, so one torn row cannot swallow the next.  The
 * JSON holds the row's five fields and 16 random hex digits, which make
 * every line, and so the bytes of every journal, unique.
 *
 * Appenders hold a shared flock(2) while they write; the folder takes it
 * exclusively, renames the journal to "<database>-audit-fold" and lets
 * go, so appenders wait only for the rename and then start a new file.
 * An appender that opened the old file sees (after its lock) that the
 * name no longer leads to it and opens again.  The renamed file is read
 * back whole under the database's write lock; its BLAKE2b-256 is recorded
 * in the same transaction as its rows (table audit_journal), so a fold
 * committed before a crash that left the file behind is not folded twice,
 * and one rolled back is folded again.  The file is removed after the
 * commit.
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

#define OPEN_TRIES 8 /* reopens when a fold renamed the file under us */

int dc_journal_paths(const char *db_path, dc_journal_names *out)
{
    if (!db_path || !*db_path) return 0;
    int a = snprintf(out->live, sizeof out->live, "%s-audit", db_path);
    int b = snprintf(out->fold, sizeof out->fold, "%s-audit-fold", db_path);
    return a > 0 && b > 0 && (size_t)a < sizeof out->live && (size_t)b < sizeof out->fold;
}

/* The line of r ("\n{json}\n") in b. */
static void line_of(dc_buf *b, const dc_audit_row *r)
{
    unsigned char nonce[8];
    char hex[2 * sizeof nonce + 1];
    randombytes_buf(nonce, sizeof nonce);
    for (size_t i = 0; i < sizeof nonce; i++) snprintf(hex + 2 * i, 3, "%02x", nonce[i]);
    dc_json j;
    dc_buf_putc(b, '\n');
    dc_json_init(&j, b, 0);
    dc_json_obj(&j);
    dc_json_kstr(&j, "at", r->at);
    dc_json_kstr(&j, "user", r->user ? r->user : "public");
    dc_json_kstr(&j, "action", r->action);
    dc_json_kstr(&j, "target", r->target);
    dc_json_kstr(&j, "detail", r->detail);
    dc_json_kstr(&j, "n", hex);
    dc_json_end(&j);
    dc_buf_putc(b, '\n');
}

/* Opens the journal named live for appending, holding a shared lock on
 * the file the name leads to now; -1 with errno. */
static int open_locked(const char *live)
{
    for (int i = 0; i < OPEN_TRIES; i++) {
        int fd = open(live, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) return -1;
        struct stat a, b;
        if (flock(fd, LOCK_SH) != 0 || fstat(fd, &a) != 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (stat(live, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) return fd;
        int e = errno;
        close(fd); /* a fold renamed it after our open: the name's file now */
        if (e != ENOENT && e != 0) return errno = e, -1;
    }
    errno = EAGAIN;
    return -1;
}

dc_rc dc_journal_append(const char *live, const dc_audit_row *r, long long *size, dc_error *err)
{
    *size = 0;
    dc_buf b;
    dc_buf_init(&b, DC_JOURNAL_LINE_MAX);
    line_of(&b, r);
    if (b.rc) {
        dc_rc rc = b.rc;
        dc_buf_release(&b);
        return dc_fail(err, rc == DC_NOMEM ? DC_NOMEM : DC_LIMIT, 0,
                       "appending to the audit journal: the row is too long");
    }
    int fd = open_locked(live);
    if (fd < 0) {
        dc_buf_release(&b);
        return dc_fail(err, DC_IO, 0, "cannot open the audit journal %s: %s", live,
                       strerror(errno));
    }
    ssize_t n = write(fd, b.p, b.len);
    dc_rc rc = DC_OK;
    if (n < 0 || (size_t)n != b.len) {
        rc = dc_fail(err, DC_IO, 0, "cannot append to the audit journal %s: %s", live,
                     strerror(n < 0 ? errno : ENOSPC));
    } else {
        struct stat sb;
        if (fstat(fd, &sb) == 0) *size = (long long)sb.st_size;
    }
    close(fd); /* and its lock */
    dc_buf_release(&b);
    return rc;
}

dc_rc dc_journal_rotate(const dc_journal_names *n, dc_error *err)
{
    int fd = open(n->live, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return DC_NOTFOUND;
        return dc_fail(err, DC_IO, 0, "cannot open the audit journal %s: %s", n->live,
                       strerror(errno));
    }
    dc_rc rc = DC_OK;
    if (flock(fd, LOCK_EX) != 0)
        rc = dc_fail(err, DC_IO, 0, "cannot lock the audit journal %s: %s", n->live,
                     strerror(errno));
    else if (rename(n->live, n->fold) != 0)
        rc = errno == ENOENT ? DC_NOTFOUND /* another folder's, before our lock */
                             : dc_fail(err, DC_IO, 0, "cannot rename the audit journal %s: %s",
                                       n->live, strerror(errno));
    close(fd);
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

dc_rc dc_journal_read(const char *fold, const char *folded, dc_journal_cb cb, void *ctx,
                      char hash[DC_JOURNAL_HASH_SIZE], size_t *damaged, int *already, dc_error *err)
{
    *damaged = 0;
    *already = 0;
    hash[0] = '\0';
    int fd = open(fold, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return DC_NOTFOUND;
        return dc_fail(err, DC_IO, 0, "cannot open the audit journal %s: %s", fold,
                       strerror(errno));
    }
    struct stat sb;
    char *text = NULL;
    size_t alloc = 0, len = 0;
    dc_rc rc = DC_OK;
    if (fstat(fd, &sb) != 0)
        rc = dc_fail(err, DC_IO, 0, "cannot read %s: %s", fold, strerror(errno));
    else if ((unsigned long long)sb.st_size > DC_JOURNAL_MAX)
        rc = dc_fail(err, DC_LIMIT, 0, "the audit journal %s is larger than %llu bytes", fold,
                     (unsigned long long)DC_JOURNAL_MAX);
    else rc = dc_read_fd(fd, (size_t)sb.st_size, DC_JOURNAL_MAX, &text, &alloc, &len, err);
    close(fd);
    if (rc) {
        free(text);
        return rc;
    }
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, len, NULL, 0);
    for (size_t i = 0; i < sizeof h; i++) snprintf(hash + 2 * i, 3, "%02x", h[i]);
    if (folded && strcmp(hash, folded) == 0) {
        *already = 1;
        free(text);
        return DC_OK;
    }
    for (size_t at = 0; at < len && !rc;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (end > at) {
            dc_jdoc doc = {0};
            dc_audit_row r;
            text[end] = '\0'; /* the line alone (dc_jparse reads len bytes) */
            if (nl && row_of(text + at, end - at, &doc, &r)) rc = cb(ctx, &r);
            else ++*damaged; /* unfinished (no newline yet) or not a row */
            dc_jdoc_free(&doc);
        }
        at = end + 1;
    }
    free(text);
    return rc;
}
