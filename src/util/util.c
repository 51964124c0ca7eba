/*
 * Shared utilities: result strings, capped buffers, string vectors, UTF-8.
 */
#include "util/util_int.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/banned.h"

int dc_worker_start(pthread_t *t, pthread_mutex_t *mu, pthread_cond_t *a, pthread_cond_t *b,
                    void *(*fn)(void *), void *arg)
{
    int m = pthread_mutex_init(mu, NULL) == 0;
    int c1 = m && pthread_cond_init(a, NULL) == 0;
    int c2 = c1 && pthread_cond_init(b, NULL) == 0;
    if (c2 && pthread_create(t, NULL, fn, arg) == 0) return 0;
    if (c2) pthread_cond_destroy(b);
    if (c1) pthread_cond_destroy(a);
    if (m) pthread_mutex_destroy(mu);
    return -1;
}

void dc_worker_sync_destroy(pthread_mutex_t *mu, pthread_cond_t *a, pthread_cond_t *b)
{
    pthread_cond_destroy(b);
    pthread_cond_destroy(a);
    pthread_mutex_destroy(mu);
}

const char *dc_strerror(dc_rc rc)
{
    switch (rc) {
    case DC_OK: return "ok";
    case DC_NOMEM: return "out of memory";
    case DC_IO: return "input/output error";
    case DC_CORRUPT: return "database is corrupt or not a declass database";
    case DC_PARSE: return "input could not be parsed";
    case DC_NOTFOUND: return "not found";
    case DC_DENIED: return "access denied";
    case DC_LIMIT: return "size limit exceeded";
    case DC_MISUSE: return "invalid argument";
    case DC_INTERNAL: return "internal error";
    }
    return "unknown error";
}

void dc_free(void *p) { free(p); }

dc_rc dc_fail(dc_error *err, dc_rc rc, long line, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->rc = rc;
        err->line = line;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return rc;
}

void dc_buf_init(dc_buf *b, size_t limit)
{
    memset(b, 0, sizeof *b);
    b->limit = limit ? limit : DC_BUF_DEFAULT_LIMIT;
}

void dc_buf_release(dc_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void dc_buf_reset(dc_buf *b)
{
    b->len = 0;
    if (b->p) b->p[0] = '\0';
}

void *dc_grow_array(void *p, size_t need, size_t *cap, size_t size)
{
    if (need <= *cap) return p;
    size_t ncap = *cap < DC_GROW_MIN ? DC_GROW_MIN : *cap > SIZE_MAX / 2 ? SIZE_MAX : *cap * 2;
    if (ncap < need) ncap = need;
    /* no object may be larger than PTRDIFF_MAX bytes */
    if (size == 0 || ncap > (size_t)PTRDIFF_MAX / size) return p;
    void *np = realloc(p, ncap * size);
    if (!np) return p;
    *cap = ncap;
    return np;
}

/* Makes room for n more bytes plus the NUL; sets the sticky rc on failure. */
static int buf_grow(dc_buf *b, size_t n)
{
    if (b->rc) return 0;
    if (n > b->limit || b->len + n > b->limit) {
        b->rc = DC_LIMIT;
        return 0;
    }
    if (DC_GROW(b->p, b->len + n + 1, b->cap)) {
        b->rc = DC_NOMEM;
        return 0;
    }
    return 1;
}

int dc_buf_room(dc_buf *b, size_t n) { return buf_grow(b, n); }

void dc_buf_add(dc_buf *b, const char *s, size_t n)
{
    if (!buf_grow(b, n)) return;
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void dc_buf_puts(dc_buf *b, const char *s) { dc_buf_add(b, s, strlen(s)); }

void dc_buf_putc(dc_buf *b, char c)
{
    if (!b->rc && b->len + 2 <= b->cap && b->len < b->limit) { /* the common case */
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return;
    }
    dc_buf_add(b, &c, 1);
}

void dc_buf_printf(dc_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        if (!b->rc) b->rc = DC_INTERNAL;
        return;
    }
    if ((size_t)n < sizeof small) {
        dc_buf_add(b, small, (size_t)n);
        return;
    }
    if (!buf_grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *dc_buf_detach(dc_buf *b)
{
    if (b->rc) return NULL;
    if (!b->p && !buf_grow(b, 0)) return NULL;
    char *p = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void dc_strv_release(dc_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++) free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

dc_rc dc_strv_pushn(dc_strv *sv, const char *s, size_t n)
{
    if (DC_GROW(sv->v, sv->n + 1, sv->cap)) return DC_NOMEM;
    char *c = dc_strndup(s, n);
    if (!c) return DC_NOMEM;
    sv->v[sv->n++] = c;
    return DC_OK;
}

dc_rc dc_strv_push(dc_strv *sv, const char *s) { return dc_strv_pushn(sv, s, strlen(s)); }

int dc_strv_contains(const dc_strv *sv, const char *s)
{
    /* the first bytes first: most entries differ there, and a call to
     * strcmp costs more than the test (a document's persons, hundreds) */
    for (size_t i = 0; i < sv->n; i++)
        if (sv->v[i][0] == s[0] && strcmp(sv->v[i], s) == 0) return 1;
    return 0;
}

dc_rc dc_strv_add_unique(dc_strv *sv, const char *s)
{
    return dc_strv_contains(sv, s) ? DC_OK : dc_strv_push(sv, s);
}

char *dc_strndup(const char *s, size_t n)
{
    if (!s) return NULL;
    char *c = malloc(n + 1);
    if (!c) return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

char *dc_strdup(const char *s) { return s ? dc_strndup(s, strlen(s)) : NULL; }

dc_rc dc_str_setn(char **field, const char *value, size_t n)
{
    char *c = NULL;
    if (value && !(c = dc_strndup(value, n))) return DC_NOMEM;
    free(*field);
    *field = c;
    return DC_OK;
}

dc_rc dc_str_set(char **field, const char *value)
{
    return dc_str_setn(field, value, value ? strlen(value) : 0);
}

size_t dc_utf8_decode(const char *str, size_t n, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0) return 0;
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

int dc_utf8_valid(const char *s, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        unsigned cp;
        size_t l = dc_utf8_decode(s + i, n - i, &cp);
        if (!l) {
            if (bad) *bad = i;
            return 0;
        }
        i += l;
    }
    return 1;
}

dc_rc dc_read_fd(int fd, size_t size, size_t limit, char **buf, size_t *alloc, size_t *len,
                 dc_error *err)
{
    *len = 0;
    if (DC_GROW(*buf, size + 1, *alloc))
        return dc_fail(err, DC_NOMEM, 0, "out of memory reading the file");
    char *p = *buf;
    size_t cap = size, got = 0;
    for (;;) {
        if (got == cap) {
            /* The file grew since fstat: read on, within the limit. */
            char probe;
            ssize_t r = read(fd, &probe, 1);
            if (r == 0) break;
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) return dc_fail(err, DC_IO, 0, "cannot read: %s", strerror(errno));
            if (got + 1 > limit)
                return dc_fail(err, DC_LIMIT, 0, "file is larger than the limit of %zu", limit);
            /* room for the probe and the NUL; reads stop at the limit */
            if (DC_GROW(*buf, got + 2, *alloc))
                return dc_fail(err, DC_NOMEM, 0, "out of memory reading the file");
            p = *buf;
            cap = *alloc - 1 > limit ? limit : *alloc - 1;
            p[got++] = probe;
            continue;
        }
        ssize_t r = read(fd, p + got, cap - got);
        if (r == 0) break;
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return dc_fail(err, DC_IO, 0, "cannot read: %s", strerror(errno));
        got += (size_t)r;
    }
    p[got] = '\0';
    *len = got;
    return DC_OK;
}

dc_rc dc_read_file(const char *path, size_t limit, char **out, size_t *len, dc_error *err)
{
    *out = NULL;
    *len = 0;
    /* O_NONBLOCK so that a FIFO never blocks the open; it is refused below. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return dc_fail(err, DC_IO, 0, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return dc_fail(err, DC_IO, 0, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return dc_fail(err, DC_IO, 0, "not a regular file");
    }
    if ((unsigned long long)sb.st_size > limit) {
        close(fd);
        return dc_fail(err, DC_LIMIT, 0, "file is %lld bytes, larger than the limit of %zu",
                       (long long)sb.st_size, limit);
    }
    char *p = NULL;
    size_t alloc = 0;
    dc_rc rc = dc_read_fd(fd, (size_t)sb.st_size, limit, &p, &alloc, len, err);
    close(fd);
    if (rc) {
        free(p);
        *len = 0;
        return rc;
    }
    *out = p;
    return DC_OK;
}

void dc_buf_join(dc_buf *b, const char *const *v, size_t n, char sep)
{
    for (size_t i = 0; i < n; i++) {
        if (i) dc_buf_putc(b, sep);
        dc_buf_puts(b, v[i]);
    }
}
