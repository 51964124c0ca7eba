/*
 * declass — scan: running declass-scan per page and reading its answers
 * (scan.h; the protocol is docs/scans.md, "Protocol").
 *
 * Each page is one helper process: forked, given the limits of
 * scan_limits.h (CPU seconds, address space, no core file), its stdout a
 * pipe and its stderr /dev/null (poppler's complaints about a broken file
 * are not ours to print), and killed once it has run DC_SCAN_WALL_SECONDS.
 * Up to one helper per core runs at once.  Between fork and exec the
 * child calls only async-signal-safe functions: the ingest has threads.
 */
#include "scan/scan.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "util/util_int.h"
#include "util/banned.h"

#if defined(__SANITIZE_ADDRESS__)
#define SCAN_LIMIT_AS 0 /* AddressSanitizer's shadow needs terabytes of address space */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCAN_LIMIT_AS 0
#endif
#endif
#ifndef SCAN_LIMIT_AS
#define SCAN_LIMIT_AS 1
#endif

extern char **environ;

int dc_scan_kind(const void *head, size_t n)
{
    const unsigned char *d = head;
    if (n >= 5 && memcmp(d, "%PDF-", 5) == 0) return DC_SCAN_PDF;
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return DC_SCAN_PNG;
    if (n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0)) return DC_SCAN_TIFF;
    if (n >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0) return DC_SCAN_JPEG;
    return DC_SCAN_NONE;
}

static int ends_with(const char *s, const char *ext)
{
    size_t n = strlen(s), e = strlen(ext);
    return n > e && strcasecmp(s + n - e, ext) == 0;
}

int dc_scan_ext_kind(const char *name)
{
    if (ends_with(name, ".pdf")) return DC_SCAN_PDF;
    if (ends_with(name, ".png")) return DC_SCAN_PNG;
    if (ends_with(name, ".tif") || ends_with(name, ".tiff")) return DC_SCAN_TIFF;
    if (ends_with(name, ".jpg") || ends_with(name, ".jpeg")) return DC_SCAN_JPEG;
    return DC_SCAN_NONE;
}

const char *dc_scan_kind_name(int kind)
{
    static const char *const names[] = {"text", "PDF", "PNG", "TIFF", "JPEG"};
    return kind >= 0 && kind <= DC_SCAN_JPEG ? names[kind] : "text";
}

dc_rc dc_scan_check_name(const char *name, int kind, dc_error *err)
{
    int ext = dc_scan_ext_kind(name);
    if (ext != DC_SCAN_NONE && ext != kind)
        return dc_fail(err, DC_PARSE, 0, "the name says %s but the content is %s",
                       dc_scan_kind_name(ext),
                       kind ? dc_scan_kind_name(kind)
                            : "not an image "
                              "or PDF");
    if (kind != DC_SCAN_NONE && (ends_with(name, ".txt") || ends_with(name, ".text") ||
                                 ends_with(name, ".xml") || ends_with(name, ".tei")))
        return dc_fail(err, DC_PARSE, 0, "the name says text or XML but the content is %s",
                       dc_scan_kind_name(kind));
    return DC_OK;
}

int dc_scan_lang_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '+'))
            return 0;
    return 1;
}

static int executable(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && access(p, X_OK) == 0;
}

dc_rc dc_scan_helper_path(char *out, size_t cap, dc_error *err)
{
    const char *env = getenv("DECLASS_SCAN");
    if (env && *env) {
        if (executable(env) && strlen(env) < cap) {
            snprintf(out, cap, "%s", env);
            return DC_OK;
        }
        return dc_fail(err, DC_IO, 0, "DECLASS_SCAN=%s is not an executable file", env);
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) *slash = '\0';
        const char *const rel[] = {"/declass-scan", "/../libexec/declass/declass-scan"};
        for (size_t i = 0; i < 2; i++) {
            int k = snprintf(out, cap, "%s%s", self, rel[i]);
            if (k > 0 && (size_t)k < cap && executable(out)) return DC_OK;
        }
    }
    return dc_fail(err, DC_IO, 0,
                   "cannot find the scan helper declass-scan next to the "
                   "program or in ../libexec/declass/ (set DECLASS_SCAN)");
}

/* ---- running the helper --------------------------------------------- */

/* One helper process: page `number` of the document, page `in_file` of
 * file `file`. */
typedef struct run {
    pid_t pid;
    int fd; /* its stdout, -1 once at end of file */
    size_t job;
    double started;
    int killed; /* 1: over its wall-clock time, 2: over its output cap */
    dc_buf out;
} run;

typedef struct job {
    const char *file;
    int in_file; /* 0: "info", else the page of the file */
    int number;
    char *cache; /* the page's answer kept here (opts->cache_dir), or NULL */
} job;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Starts the helper on j.  argv is built before fork: the child only
 * calls async-signal-safe functions. */
static dc_rc spawn(const char *helper, const job *j, const dc_scan_opts *o, run *r, dc_error *err)
{
    char num[16];
    snprintf(num, sizeof num, "%d", j->in_file);
    static const char *const modes[] = {"auto", "force", "never"};
    const char *mode = o->ocr >= 0 && o->ocr <= 2 ? modes[o->ocr] : "auto";
    const char *lang = o->lang ? o->lang : "eng";
    char *argv[10] = {(char *)helper, j->in_file ? "page" : "info", (char *)j->file};
    if (j->in_file) {
        argv[3] = num, argv[4] = "--ocr", argv[5] = (char *)mode;
        argv[6] = "--lang", argv[7] = (char *)lang;
    }
    /* One page per helper and one helper per core: Tesseract's OpenMP
     * threads would only compete with the other helpers.  libgomp reads
     * its environment when it is loaded, before the helper's main. */
    size_t n_env = 0;
    while (environ[n_env]) n_env++;
    char **envp = malloc((n_env + 2) * sizeof *envp);
    if (!envp) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n_env; i++)
        if (strncmp(environ[i], "OMP_THREAD_LIMIT=", 17) != 0) envp[k++] = environ[i];
    envp[k++] = "OMP_THREAD_LIMIT=1";
    envp[k] = NULL;
    int p[2];
    if (pipe(p) != 0) {
        free(envp);
        return dc_fail(err, DC_IO, 0, "cannot make a pipe: %s", strerror(errno));
    }
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    struct rlimit cpu = {DC_SCAN_CPU_SECONDS, DC_SCAN_CPU_SECONDS + 5};
    struct rlimit mem = {DC_SCAN_MAX_MEMORY, DC_SCAN_MAX_MEMORY};
    struct rlimit core = {0, 0};
    pid_t pid = null < 0 ? -1 : fork();
    if (pid == 0) {
        if (dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(null, 2) < 0) _exit(127);
        setrlimit(RLIMIT_CPU, &cpu);
        setrlimit(RLIMIT_CORE, &core);
        if (SCAN_LIMIT_AS) setrlimit(RLIMIT_AS, &mem);
        execve(helper, argv, envp);
        _exit(127);
    }
    int e = errno;
    free(envp);
    close(p[1]);
    if (null >= 0) close(null);
    if (pid < 0) {
        close(p[0]);
        return dc_fail(err, DC_IO, 0, "cannot start the scan helper: %s", strerror(e));
    }
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    *r = (run){.pid = pid, .fd = p[0], .started = now_seconds()};
    dc_buf_init(&r->out, (size_t)DC_SCAN_MAX_OUTPUT);
    return DC_OK;
}

/* Reads what r has written; closes its pipe at end of file. */
static void drain(run *r)
{
    char tmp[65536];
    for (;;) {
        ssize_t n = read(r->fd, tmp, sizeof tmp);
        if (n > 0) {
            dc_buf_add(&r->out, tmp, (size_t)n);
            if (r->out.rc) { /* over its output cap */
                r->killed = 2;
                kill(r->pid, SIGKILL);
                close(r->fd);
                r->fd = -1;
                return;
            }
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        close(r->fd);
        r->fd = -1;
        return;
    }
}

/* ---- the protocol ----------------------------------------------------- */

/* A number with at most one decimal ("92.5", "-1"), as tenths, not
 * through strtod: the caller's locale may write decimals otherwise. */
static const char *tenths(const char *s, long *v)
{
    int neg = *s == '-';
    s += neg;
    if (*s < '0' || *s > '9') return NULL;
    long x = 0;
    while (*s >= '0' && *s <= '9' && x < 100000000) x = x * 10 + (*s++ - '0');
    x *= 10;
    if (*s == '.') {
        s++;
        if (*s >= '0' && *s <= '9') x += *s++ - '0';
        while (*s >= '0' && *s <= '9') s++;
    }
    *v = neg ? -x : x;
    return s;
}

static const char *integer(const char *s, int *v)
{
    long t = 0;
    const char *e = tenths(s, &t);
    if (!e || t % 10 || t / 10 > 1000000 || t / 10 < -1000000) return NULL;
    *v = (int)(t / 10);
    return *e == ' ' ? e + 1 : *e == '\n' || *e == '\0' ? e : NULL;
}

/* The line at *s (without its newline); advances *s past it. */
static const char *next_line(const char **s, const char *end, size_t *n)
{
    const char *l = *s;
    if (l >= end) return NULL;
    const char *nl = memchr(l, '\n', (size_t)(end - l));
    if (!nl) return NULL;
    *n = (size_t)(nl - l);
    *s = nl + 1;
    return l;
}

static int starts(const char *l, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(l, p, k) == 0;
}

/* Parses an answer: "info KIND N" into *pages, or a page into pg.  An
 * "error" answer sets err (DC_PARSE or DC_LIMIT as the helper says). */
static dc_rc parse(const char *s, size_t len, int *pages, dc_scan_page *pg, dc_error *err)
{
    const char *end = s + len, *l;
    size_t n = 0;
    char proto[32];
    snprintf(proto, sizeof proto, "declass-scan %d", DC_SCAN_PROTOCOL);
    if (!(l = next_line(&s, end, &n)) || n != strlen(proto) || memcmp(l, proto, n) != 0)
        return dc_fail(err, DC_IO, 0, "the scan helper does not speak protocol %d",
                       DC_SCAN_PROTOCOL);
    if (!(l = next_line(&s, end, &n))) goto bad;
    if (starts(l, n, "error ")) {
        const char *k = l + 6, *m = memchr(k, ' ', n - 6);
        size_t kn = m ? (size_t)(m - k) : n - 6;
        dc_rc rc = kn == 5 && !memcmp(k, "limit", 5)   ? DC_LIMIT
                   : kn == 5 && !memcmp(k, "parse", 5) ? DC_PARSE
                   : kn == 5 && !memcmp(k, "nomem", 5) ? DC_NOMEM
                                                       : DC_IO;
        int mn = m ? (int)(l + n - m - 1) : 0;
        return dc_fail(err, rc == DC_NOMEM ? DC_LIMIT : rc, 0, "%.*s", mn, m ? m + 1 : "");
    }
    if (pages) {
        if (!starts(l, n, "info ")) goto bad;
        const char *sp = memchr(l + 5, ' ', n - 5);
        if (!sp || !integer(sp + 1, pages) || *pages < 1) goto bad;
        return DC_OK;
    }
    if (!starts(l, n, "page ")) goto bad;
    const char *p = l + 5;
    int number = 0;
    if (!(p = integer(p, &number)) || !(p = integer(p, &pg->width)) ||
        !(p = integer(p, &pg->height)) || !(p = integer(p, &pg->dpi)))
        goto bad;
    size_t k = 0;
    while (p < l + n && *p != ' ' && k + 1 < sizeof pg->source) pg->source[k++] = *p++;
    pg->source[k] = '\0';
    long conf = 0;
    if (*p != ' ' || !(p = tenths(p + 1, &conf)) || *p != ' ' || !integer(p + 1, &pg->low))
        goto bad;
    pg->conf = (float)conf / 10.0f;
    while ((l = next_line(&s, end, &n)) != NULL && starts(l, n, "word ")) {
        dc_scan_word w = {0};
        long wc = 0;
        const char *q = l + 5;
        if (!(q = integer(q, &w.x)) || !(q = integer(q, &w.y)) || !(q = integer(q, &w.w)) ||
            !(q = integer(q, &w.h)) || !(q = tenths(q, &wc)) || *q != ' ')
            goto bad;
        w.conf = (float)wc / 10.0f;
        q++;
        if (DC_GROW(pg->words, pg->n_words + 1, pg->cap_words) ||
            !(w.text = dc_strndup(q, (size_t)(l + n - q))))
            return dc_fail(err, DC_NOMEM, 0, "out of memory");
        pg->words[pg->n_words++] = w;
    }
    unsigned long long tl = 0;
    if (!l || !starts(l, n, "text ")) goto bad;
    for (const char *q = l + 5; q < l + n; q++) {
        if (*q < '0' || *q > '9' || tl > DC_SCAN_MAX_OUTPUT) goto bad;
        tl = tl * 10 + (unsigned)(*q - '0');
    }
    if (tl > (unsigned long long)(end - s) || !(pg->text = dc_strndup(s, (size_t)tl))) goto bad;
    s += tl;
    if (end - s < 1 || *s++ != '\n' || !(l = next_line(&s, end, &n)) || !starts(l, n, "image "))
        goto bad;
    unsigned long long il = 0;
    p = l + 6;
    if (!(p = integer(p, &pg->img_width)) || !(p = integer(p, &pg->img_height)) ||
        !(p = integer(p, &pg->img_dpi)) || p >= l + n || pg->img_width < 1 || pg->img_height < 1 ||
        pg->img_dpi < 1)
        goto bad;
    for (; p < l + n; p++) {
        if (*p < '0' || *p > '9' || il > DC_SCAN_MAX_OUTPUT) goto bad;
        il = il * 10 + (unsigned)(*p - '0');
    }
    if (il < 8 || il > (unsigned long long)(end - s)) goto bad;
    if (!(pg->png = malloc((size_t)il))) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    memcpy(pg->png, s, (size_t)il);
    pg->png_len = (size_t)il;
    s += il;
    if (end - s != 5 || memcmp(s, "\nend\n", 5) != 0) goto bad;
    return DC_OK;
bad:
    return dc_fail(err, DC_IO, 0, "the scan helper's answer is malformed");
}

static void page_release(dc_scan_page *p)
{
    for (size_t i = 0; i < p->n_words; i++) free(p->words[i].text);
    free(p->words);
    free(p->text);
    free(p->png);
}

void dc_scan_forget(const dc_scan_doc *d)
{
    for (size_t i = 0; d && i < d->cache.n; i++) unlink(d->cache.v[i]);
}

void dc_scan_doc_free(dc_scan_doc *d)
{
    if (!d) return;
    dc_strv_release(&d->cache);
    for (size_t i = 0; i < d->n_pages; i++) page_release(&d->pages[i]);
    free(d->pages);
    free(d);
}

/* The name of a file for messages: its last component. */
static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s && s[1] ? s + 1 : p;
}

/* ---- the page cache: an interrupted ingest resumes ------------------- */

/* The SHA-256 of a file's bytes into h; 0 on success. */
static int file_hash(const char *file, unsigned char h[crypto_hash_sha256_BYTES])
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char *buf = malloc(1 << 20);
    ssize_t n = buf ? 0 : -1;
    while (buf && (n = read(fd, buf, 1 << 20)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        crypto_hash_sha256_update(&st, buf, (size_t)n);
    }
    free(buf);
    close(fd);
    crypto_hash_sha256_final(&st, h);
    return n < 0 ? -1 : 0;
}

/* The cache file of page `page` of a file whose bytes hash to fh, read
 * with o's --ocr and --lang by this protocol: DIR/<64 hex digits>. */
static char *cache_path(const dc_scan_opts *o, const unsigned char *fh, int page)
{
    char what[160];
    int n = snprintf(what, sizeof what, "page %d ocr %d lang %s protocol %d", page, o->ocr,
                     o->lang ? o->lang : "eng", DC_SCAN_PROTOCOL);
    crypto_hash_sha256_state st;
    unsigned char k[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, fh, crypto_hash_sha256_BYTES);
    crypto_hash_sha256_update(&st, (const unsigned char *)what, (size_t)n);
    crypto_hash_sha256_final(&st, k);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, k, sizeof k);
    dc_buf b;
    dc_buf_init(&b, 0);
    dc_buf_printf(&b, "%s/%s", o->cache_dir, hex);
    return dc_buf_detach(&b);
}

/* A page answered before (the helper's answer as it wrote it), parsed
 * into pg; DC_NOTFOUND when there is none or it does not parse (a torn
 * or stale file is removed). */
static dc_rc cache_load(const job *j, dc_scan_page *pg)
{
    int fd = j->cache ? open(j->cache, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0) return DC_NOTFOUND;
    dc_buf b;
    dc_buf_init(&b, (size_t)DC_SCAN_MAX_OUTPUT);
    char tmp[65536];
    ssize_t n;
    while ((n = read(fd, tmp, sizeof tmp)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        dc_buf_add(&b, tmp, (size_t)n);
    }
    close(fd);
    dc_error e = {0};
    dc_rc rc = n < 0 || b.rc ? DC_IO : parse(b.p ? b.p : "", b.len, NULL, pg, &e);
    dc_buf_release(&b);
    if (rc) {
        page_release(pg);
        memset(pg, 0, sizeof *pg);
        unlink(j->cache);
        return DC_NOTFOUND;
    }
    pg->number = j->number;
    return DC_OK;
}

/* Keeps a page's answer (best effort: without it the page is only read
 * again): written beside, then renamed into place. */
static void cache_store(const job *j, const dc_buf *out)
{
    if (!j->cache || !out->p) return;
    dc_buf t;
    dc_buf_init(&t, 0);
    dc_buf_printf(&t, "%s.tmp", j->cache);
    int fd = t.p ? open(t.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    int ok = fd >= 0;
    for (size_t at = 0; ok && at < out->len;) {
        ssize_t n = write(fd, out->p + at, out->len - at);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        at += ok ? (size_t)n : 0;
    }
    if (fd >= 0) ok &= close(fd) == 0;
    if (ok) ok = rename(t.p, j->cache) == 0;
    if (!ok && t.p) unlink(t.p);
    dc_buf_release(&t);
}

/* Collects a finished helper: its answer parsed into the job's page (or
 * *pages for "info"). */
static dc_rc finish(run *r, const job *j, size_t n_files, int wall, int *pages, dc_scan_page *pg,
                    dc_error *err)
{
    int status = 0;
    while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {}
    dc_rc rc = DC_OK;
    dc_error e = {0};
    char where[320] = "";
    if (n_files > 1) snprintf(where, sizeof where, "%s: ", base_name(j->file));
    if (j->in_file) {
        size_t k = strlen(where);
        snprintf(where + k, sizeof where - k, "page %d: ", j->number);
    }
    if (r->killed == 1) {
        rc = dc_fail(err, DC_LIMIT, 0, "%sthe scan took longer than %d seconds", where, wall);
    } else if (r->killed == 2) {
        rc = dc_fail(err, DC_LIMIT, 0, "%smore than %llu MiB of text and words", where,
                     DC_SCAN_MAX_OUTPUT >> 20);
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        rc = sig == SIGXCPU || sig == SIGKILL
                 ? dc_fail(err, DC_LIMIT, 0, "%sthe scan took more than %d seconds of CPU", where,
                           DC_SCAN_CPU_SECONDS)
                 : dc_fail(err, DC_PARSE, 0,
                           "%sthe scan helper crashed on it (signal %d): "
                           "a corrupt or hostile file",
                           where, sig);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        rc = dc_fail(err, DC_IO, 0, "%scannot run the scan helper", where);
    } else {
        rc = parse(r->out.p ? r->out.p : "", r->out.len, j->in_file ? NULL : pages, pg, &e);
        if (!rc && WIFEXITED(status) && WEXITSTATUS(status) != 0)
            rc = dc_fail(&e, DC_IO, 0, "the scan helper failed (status %d)", WEXITSTATUS(status));
        if (rc) rc = dc_fail(err, rc, 0, "%s%s", where, e.msg);
        if (!rc && j->in_file) pg->number = j->number;
        if (!rc && j->in_file && WIFEXITED(status) && r->out.rc)
            rc = dc_fail(err, DC_LIMIT, 0, "%stoo much output", where);
        if (!rc && j->in_file) cache_store(j, &r->out);
    }
    dc_buf_release(&r->out);
    return rc;
}

/* The wall-clock seconds a helper may run: DC_SCAN_WALL_SECONDS, or
 * fewer when $DECLASS_SCAN_SECONDS says so (never more). */
static int wall_seconds(void)
{
    const char *e = getenv("DECLASS_SCAN_SECONDS");
    char *end = NULL;
    long v = e ? strtol(e, &end, 10) : 0;
    return e && end && !*end && v >= 1 && v < DC_SCAN_WALL_SECONDS ? (int)v : DC_SCAN_WALL_SECONDS;
}

/* Runs the jobs, at most `workers` at once, into pages (or *pages for an
 * "info" job); stops at the first failure, killing the others. */
static dc_rc run_jobs(const char *helper, const job *jobs, size_t n_jobs, size_t n_files,
                      const dc_scan_opts *o, const char *path, int *pages, dc_scan_page *out,
                      dc_error *err)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = cores < 1                     ? 1
                     : cores > DC_SCAN_MAX_WORKERS ? DC_SCAN_MAX_WORKERS
                                                   : (size_t)cores;
    run runs[DC_SCAN_MAX_WORKERS];
    size_t n_run = 0, next = 0, done = 0;
    int wall = wall_seconds();
    dc_rc rc = DC_OK;
    while (!rc && (next < n_jobs || n_run > 0)) {
        while (!rc && next < n_jobs && n_run < workers) {
            if (jobs[next].in_file && cache_load(&jobs[next], &out[next]) == DC_OK) {
                next++, done++; /* read before an interruption */
                if (o->page_done) o->page_done(o->ctx, path, (int)done, (int)n_jobs);
                continue;
            }
            rc = spawn(helper, &jobs[next], o, &runs[n_run], err);
            if (!rc) runs[n_run++].job = next++;
        }
        if (!rc && n_run == 0) break;
        if (rc) break;
        struct pollfd fds[DC_SCAN_MAX_WORKERS];
        for (size_t i = 0; i < n_run; i++) fds[i] = (struct pollfd){runs[i].fd, POLLIN, 0};
        if (poll(fds, n_run, 250) < 0 && errno != EINTR) {
            rc = dc_fail(err, DC_IO, 0, "poll: %s", strerror(errno));
            break;
        }
        double t = now_seconds();
        for (size_t i = 0; i < n_run;) {
            run *r = &runs[i];
            if (fds[i].revents) drain(r);
            if (r->fd >= 0 && t - r->started > wall) {
                r->killed = 1;
                kill(r->pid, SIGKILL);
                close(r->fd);
                r->fd = -1;
            }
            if (r->fd >= 0) {
                i++;
                continue;
            }
            const job *j = &jobs[r->job];
            rc = finish(r, j, n_files, wall, pages, j->in_file ? &out[r->job] : NULL, err);
            runs[i] = runs[--n_run];
            fds[i] = fds[n_run];
            if (rc) break;
            done++;
            if (j->in_file && o->page_done) o->page_done(o->ctx, path, (int)done, (int)n_jobs);
        }
    }
    for (size_t i = 0; i < n_run; i++) { /* after a failure: stop the others */
        kill(runs[i].pid, SIGKILL);
        if (runs[i].fd >= 0) close(runs[i].fd);
        while (waitpid(runs[i].pid, NULL, 0) < 0 && errno == EINTR) {}
        dc_buf_release(&runs[i].out);
    }
    return rc;
}

/* Checks a page image of a --pages folder: its kind by content, and its
 * name against it. */
static dc_rc check_image(const char *file, dc_error *err)
{
    unsigned char head[16];
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return dc_fail(err, DC_IO, 0, "%s: cannot open: %s", base_name(file), strerror(errno));
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    int kind = dc_scan_kind(head, n > 0 ? (size_t)n : 0);
    dc_error e = {0};
    if (dc_scan_check_name(file, kind, &e))
        return dc_fail(err, DC_PARSE, 0, "%s: %s", base_name(file), e.msg);
    if (kind == DC_SCAN_NONE || kind == DC_SCAN_PDF)
        return dc_fail(err, DC_PARSE, 0, "%s: not a PNG, TIFF or JPEG image", base_name(file));
    return DC_OK;
}

dc_rc dc_scan_read(const char *path, const char *const *files, size_t n, const dc_scan_opts *opts,
                   dc_scan_doc **out, dc_error *err)
{
    *out = NULL;
    dc_scan_opts none = {0};
    const dc_scan_opts *o = opts ? opts : &none;
    char helper[4096];
    dc_rc rc = dc_scan_helper_path(helper, sizeof helper, err);
    if (rc) return rc;
    if (o->lang && !dc_scan_lang_ok(o->lang))
        return dc_fail(err, DC_MISUSE, 0, "bad OCR language list");
    if (n == 0) return dc_fail(err, DC_PARSE, 0, "no page images");
    if (n > DC_SCAN_MAX_PAGES)
        return dc_fail(err, DC_LIMIT, 0, "%zu page images: more than %d", n, DC_SCAN_MAX_PAGES);
    int pages = 1;
    int folder = n > 1 || strcmp(path, files[0]) != 0; /* the images of a --pages folder */
    if (!folder) {
        job info = {.file = files[0]};
        rc = run_jobs(helper, &info, 1, 1, o, path, &pages, NULL, err);
        if (rc) return rc;
        if (pages > DC_SCAN_MAX_PAGES)
            return dc_fail(err, DC_LIMIT, 0, "%d pages: more than %d", pages, DC_SCAN_MAX_PAGES);
    } else {
        for (size_t i = 0; i < n; i++)
            if ((rc = check_image(files[i], err)) != DC_OK) return rc;
        pages = (int)n;
    }
    job *jobs = calloc((size_t)pages, sizeof *jobs);
    dc_scan_doc *d = calloc(1, sizeof *d);
    if (d) d->pages = calloc((size_t)pages, sizeof *d->pages);
    if (!jobs || !d || !d->pages) {
        free(jobs);
        dc_scan_doc_free(d);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    d->n_pages = (size_t)pages;
    for (int i = 0; i < pages; i++)
        jobs[i] = folder ? (job){files[i], 1, i + 1, NULL} : (job){files[0], i + 1, i + 1, NULL};
    unsigned char fh[crypto_hash_sha256_BYTES];
    int cache = o->cache_dir && (mkdir(o->cache_dir, 0700) == 0 || errno == EEXIST);
    for (int i = 0; cache && i < pages; i++) {
        if ((folder || i == 0) && file_hash(jobs[i].file, fh) != 0) break;
        if (!(jobs[i].cache = cache_path(o, fh, jobs[i].in_file)) ||
            dc_strv_push(&d->cache, jobs[i].cache))
            break;
    }
    rc = run_jobs(helper, jobs, (size_t)pages, folder ? 2 : 1, o, path, NULL, d->pages, err);
    for (int i = 0; i < pages; i++) free(jobs[i].cache);
    free(jobs);
    if (rc) {
        dc_scan_forget(d); /* a file that fails is not resumed */
        dc_scan_doc_free(d);
        return rc;
    }
    *out = d;
    return DC_OK;
}

dc_rc dc_scan_text(const dc_scan_doc *d, dc_buf *out)
{
    for (size_t i = 0; i < d->n_pages; i++) {
        const dc_scan_page *p = &d->pages[i];
        dc_buf_printf(out, "[Page %d]\n\n", p->number);
        dc_buf_puts(out, p->text ? p->text : "");
        dc_buf_puts(out, "\n\n");
    }
    if (!out->rc && out->len > DC_SCAN_MAX_TEXT) out->rc = DC_LIMIT;
    return out->rc;
}

/* The level a banner line names (0-3), or -1. */
static int banner_level(const char *s, size_t n, const char **name)
{
    static const char *const levels[] = {"UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"};
    /* specks of dust read as ". ." or "|" around it on a scan */
    while (n && !isalnum((unsigned char)*s)) s++, n--;
    while (n && !isalnum((unsigned char)s[n - 1])) n--;
    if (n == 0 || n > 60) return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'a' && s[i] <= 'z') return -1;
    for (int k = 3; k >= 0; k--) {
        size_t l = strlen(levels[k]);
        if (n < l || memcmp(s, levels[k], l) != 0) continue;
        size_t i = l;
        while (i < n && s[i] == ' ') i++;
        if (i == n || s[i] == '-' || s[i] == '/' || (unsigned char)s[i] == 0xE2) {
            *name = levels[k];
            return k;
        }
    }
    return -1;
}

int dc_scan_banner(const dc_scan_doc *d, const char **name)
{
    int best = -1;
    *name = NULL;
    for (size_t i = 0; i < d->n_pages; i++) {
        const char *s = d->pages[i].text ? d->pages[i].text : "";
        while (*s) {
            size_t n = strcspn(s, "\n");
            const char *nm = NULL;
            int lv = banner_level(s, n, &nm);
            if (lv > best) best = lv, *name = nm;
            s += n + (s[n] == '\n');
        }
    }
    return best;
}
