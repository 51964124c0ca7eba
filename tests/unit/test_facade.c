/* Unit tests of the facade's index upkeep (dc_db_index in src/facade/search.c) with
 * several handles on one database, as the HTTP server's worker threads and
 * a CLI ingest running beside it have: one handle ingests file by file
 * while another searches from a second thread (its searches catch the
 * index up too); afterwards both see the same results, dc_db_check passes
 * on both and no document is indexed twice.  Also the stale index (one
 * left by another database at the same path), replaced under the lock,
 * an index of an older format, rebuilt from the store, and public scores
 * that an unreleased document does not move. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "declass/declass.h"
#include "index/index.h"
#include "test.h"

static char dir[] = "/tmp/dc_test_facade_XXXXXX";
static char dbpath[600], ixpath[700];
static const char *corpus;

/* Sorted paths of the ingestible files in $DC_CORPUS (samples/) tei/ and seeds/. */
static char files[64][1200];
static size_t nfiles;

static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }

static void list_files(const char *sub)
{
    char d[600];
    snprintf(d, sizeof d, "%s/%s", corpus, sub);
    DIR *dd = opendir(d);
    if (!dd) return;
    struct dirent *e;
    size_t first = nfiles;
    while ((e = readdir(dd)) != NULL && nfiles < 64) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 5 ||
            (strcmp(e->d_name + l - 4, ".xml") != 0 && strcmp(e->d_name + l - 4, ".txt") != 0))
            continue;
        snprintf(files[nfiles++], sizeof files[0], "%s/%s", d, e->d_name);
    }
    closedir(dd);
    qsort(files[first], nfiles - first, sizeof files[0], cmp_name);
}

/* Total of q through db, or -1 on failure (message on stderr). */
static long long total_of(dc_db *db, const char *q)
{
    dc_search_request req = {.query = q};
    dc_search_page *p = NULL;
    dc_rc rc = dc_db_search(db, &req, &p);
    if (rc) {
        fprintf(stderr, "search %s: %s\n", q, dc_db_errmsg(db));
        return -1;
    }
    long long t = (long long)p->total;
    dc_search_page_free(p);
    return t;
}

static const char *queries[] = {"soviet", "president", "government OR policy", "title:memorandum",
                                "\"united states\""};
#define NQ (sizeof queries / sizeof *queries)

/* The searching thread: its own handle, searching until told to stop. */
typedef struct searcher {
    dc_db *db;
    int stop; /* under mu */
    pthread_mutex_t mu;
    dc_rc rc; /* first failure */
    char why[1100];
    unsigned searches;
} searcher;

static void *search_run(void *p)
{
    searcher *s = p;
    for (int last = 0;;) {
        for (size_t i = 0; i < NQ && !s->rc; i++) {
            dc_search_request req = {.query = queries[i]};
            dc_search_page *pg = NULL;
            dc_rc rc = dc_db_search(s->db, &req, &pg);
            if (rc) {
                s->rc = rc;
                snprintf(s->why, sizeof s->why, "%s: %s", queries[i], dc_db_errmsg(s->db));
            }
            dc_search_page_free(pg);
            s->searches++;
        }
        if (s->rc || last) break;
        pthread_mutex_lock(&s->mu);
        last = s->stop;
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

static void test_two_handles(void)
{
    dc_db *a = NULL, *b = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbpath, DC_DB_CREATE, &a, &err), DC_OK);
    CHECK_INT(dc_db_open(dbpath, 0, &b, &err), DC_OK);
    if (!a || !b) return;
    searcher s = {.db = b};
    pthread_mutex_init(&s.mu, NULL);
    pthread_t th;
    CHECK_INT(pthread_create(&th, NULL, search_run, &s), 0);
    /* one file per ingest: one index catch-up each, racing B's */
    long docs = 0;
    for (size_t i = 0; i < nfiles; i++) {
        dc_ingest_stats st = {0};
        dc_rc rc = dc_db_ingest(a, files[i], &(dc_ingest_opts){.released = 1}, &st);
        if (rc) fprintf(stderr, "ingest %s: %s\n", files[i], dc_db_errmsg(a));
        CHECK_INT(rc, DC_OK);
        CHECK_INT(st.docs_new, 1);
        docs += st.docs_new;
    }
    /* and again, unreleased: a document whose file does not state its own
     * release status gets a new version, so that catch-up also deletes the
     * superseded one */
    long updated = 0;
    size_t upd_file = 0;
    for (size_t i = 0; i < nfiles; i++) {
        dc_ingest_stats st = {0};
        CHECK_INT(dc_db_ingest(a, files[i], &(dc_ingest_opts){.released = 0}, &st), DC_OK);
        CHECK_INT(st.docs_updated + st.docs_unchanged, 1);
        if (st.docs_updated) upd_file = i;
        updated += st.docs_updated;
    }
    CHECK(updated >= 1);
    pthread_mutex_lock(&s.mu);
    s.stop = 1;
    pthread_mutex_unlock(&s.mu);
    pthread_join(th, NULL);
    pthread_mutex_destroy(&s.mu);
    if (s.rc) fprintf(stderr, "searcher: %s\n", s.why);
    CHECK_INT(s.rc, DC_OK);
    CHECK(s.searches >= NQ);
    fprintf(stderr, "two handles: %u searches through B during %zu ingests through A\n", s.searches,
            2 * nfiles);
    CHECK_INT(docs, (long)nfiles);
    /* B sees what A sees; neither indexes anything now */
    long long before[NQ], any = 0;
    for (size_t i = 0; i < NQ; i++) {
        long long ta = total_of(a, queries[i]), tb = total_of(b, queries[i]);
        CHECK(ta >= 0);
        CHECK_INT(tb, ta);
        before[i] = ta;
    }
    /* released again through B: A's next search sees it (the public reads
     * only released documents) */
    dc_ingest_stats st = {0};
    CHECK_INT(dc_db_ingest(b, files[upd_file], &(dc_ingest_opts){.released = 1}, &st), DC_OK);
    CHECK_INT(st.docs_updated, 1);
    for (size_t i = 0; i < NQ; i++) {
        long long ta = total_of(a, queries[i]), tb = total_of(b, queries[i]);
        CHECK_INT(tb, ta);
        CHECK(ta >= before[i]);
        any += ta - before[i];
    }
    CHECK(any > 0);
    if (dc_db_check(a)) fprintf(stderr, "check a: %s\n", dc_db_errmsg(a));
    CHECK_INT(dc_db_check(a), DC_OK);
    CHECK_INT(dc_db_check(b), DC_OK);
    /* the index itself: every document live once, all versions covered */
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(ixpath, 0, &ix, NULL), DC_OK);
    CHECK_INT(dc_index_doc_count(ix), nfiles);
    CHECK_INT(dc_index_high_water(ix), (long)nfiles + updated + 1); /* one docid a version */
    dc_error e = {0};
    CHECK_INT(dc_index_check(ix, &e), DC_OK);
    dc_index_close(ix);
    dc_db_close(a);
    dc_db_close(b);
}

/* The version field of every segment file of the index set to v; the
 * number of files. */
static int set_seg_versions(unsigned v)
{
    DIR *d = opendir(ixpath);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "seg-", 4) != 0) continue;
        char p[1000];
        snprintf(p, sizeof p, "%s/%s", ixpath, e->d_name);
        int fd = open(p, O_WRONLY);
        unsigned char b[4] = {(unsigned char)v, 0, 0, 0};
        if (fd >= 0 && pwrite(fd, b, 4, 8) == 4) n++;
        if (fd >= 0) close(fd);
    }
    if (d) closedir(d);
    return n;
}

/* The version field of the segment files (all alike), or -1. */
static int seg_version(void)
{
    DIR *d = opendir(ixpath);
    struct dirent *e;
    int v = -1;
    while (d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "seg-", 4) != 0) continue;
        char p[1000];
        snprintf(p, sizeof p, "%s/%s", ixpath, e->d_name);
        int fd = open(p, O_RDONLY);
        unsigned char b[4] = {0};
        int got = fd >= 0 && pread(fd, b, 4, 8) == 4 ? b[0] | b[1] << 8 : -1;
        if (fd >= 0) close(fd);
        v = v == -1 || v == got ? got : -2;
    }
    if (d) closedir(d);
    return v;
}

/* An index written by an older declass (segment format 1): the first
 * search through the facade rebuilds it from the store, with the same
 * results, while a handle that had it open keeps working after a refresh. */
static void test_old_format(void)
{
    dc_db *a = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbpath, 0, &a, &err), DC_OK);
    if (!a) return;
    long long before[NQ];
    for (size_t i = 0; i < NQ; i++) before[i] = total_of(a, queries[i]);
    dc_db_close(a);
    int cur = seg_version();
    CHECK(cur >= 2);
    CHECK(set_seg_versions(1) >= 1);
    dc_index *ix = NULL;
    CHECK_INT(dc_index_open(ixpath, 0, &ix, NULL), DC_OK);
    CHECK_INT(dc_index_outdated(ix), 1);
    CHECK_INT(dc_db_open(dbpath, 0, &a, &err), DC_OK);
    if (!a) return;
    for (size_t i = 0; i < NQ; i++) {
        CHECK_INT(total_of(a, queries[i]), before[i]);
        CHECK(before[i] > 0);
    }
    CHECK_INT(seg_version(), cur);
    CHECK_INT(dc_db_check(a), DC_OK);
    CHECK_INT(dc_index_refresh(ix), DC_OK);
    CHECK_INT(dc_index_outdated(ix), 0);
    CHECK_INT(dc_index_doc_count(ix), nfiles);
    dc_error e = {0};
    CHECK_INT(dc_index_check(ix, &e), DC_OK);
    dc_index_close(ix);
    dc_db_close(a);
}

/* A search page as text: total, then id:score (%.17g) per hit. */
static char *page_text(dc_db *db, const char *q)
{
    dc_search_request req = {.query = q, .limit = 100};
    dc_search_page *p = NULL;
    char *out = calloc(1, 8192);
    if (!out || dc_db_search(db, &req, &p) != DC_OK) {
        if (out) snprintf(out, 8192, "ERR %s", dc_db_errmsg(db));
        return out;
    }
    size_t n = (size_t)snprintf(out, 8192, "total=%llu", (unsigned long long)p->total);
    for (size_t i = 0; i < p->n_hits && n < 8000; i++)
        n += (size_t)snprintf(out + n, 8192 - n, " %s:%.17g", p->hits[i].id, p->hits[i].score);
    dc_search_page_free(p);
    return out;
}

/* Each hit's snippet of q (marks open/close) as text, one per line. */
static char *snippets_of(dc_db *db, const char *q, const char *open, const char *close)
{
    dc_search_request req = {.query = q, .limit = 20, .mark_open = open, .mark_close = close};
    dc_search_page *p = NULL;
    dc_buf b;
    dc_buf_init(&b, 0);
    if (dc_db_search(db, &req, &p) != DC_OK) {
        dc_buf_printf(&b, "ERR %s", dc_db_errmsg(db));
        return dc_buf_detach(&b);
    }
    for (size_t i = 0; i < p->n_hits; i++)
        dc_buf_printf(&b, "%s: %s\n", p->hits[i].id, p->hits[i].snippet);
    dc_search_page_free(p);
    return dc_buf_detach(&b);
}

/* A server's handle keeps the snippets it made (SNIPPET_SLOTS), a
 * command's does not: the same snippets either way, asked once or twice,
 * and a cached one is not served for other marks. */
static void test_snippet_cache(void)
{
    dc_db *srv = NULL, *cmd = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbpath, DC_DB_SERVER, &srv, &err), DC_OK);
    CHECK_INT(dc_db_open(dbpath, 0, &cmd, &err), DC_OK);
    if (!srv || !cmd) return;
    static const char *qs[] = {"soviet", "government OR policy", "\"united states\""};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        char *a = snippets_of(cmd, qs[i], NULL, NULL);
        char *b1 = snippets_of(srv, qs[i], NULL, NULL);
        char *b2 = snippets_of(srv, qs[i], NULL, NULL); /* from the cache */
        char *c = snippets_of(srv, qs[i], "[[", "]]");
        CHECK(strstr(a, "<mark>") != NULL);
        CHECK_STR(b1, a);
        CHECK_STR(b2, a);
        CHECK(strstr(c, "[[") != NULL && strstr(c, "<mark>") == NULL);
        free(a), free(b1), free(b2), free(c);
    }
    dc_db_close(srv);
    dc_db_close(cmd);
}

/* Through the facade: the public's hits and scores do not move when an
 * unreleased document holding the same words is ingested. */
static void test_hidden_scores(void)
{
    dc_db *a = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbpath, 0, &a, &err), DC_OK);
    if (!a) return;
    char *before[NQ];
    for (size_t i = 0; i < NQ; i++) before[i] = page_text(a, queries[i]);
    char dirp[700], path[800];
    snprintf(dirp, sizeof dirp, "%s/hidden", dir);
    mkdir(dirp, 0755);
    snprintf(path, sizeof path, "%s/memo.txt", dirp);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("Memorandum for the President on Soviet government policy\n\nSECRET\n\n"
              "(S) The Soviet government and the United States government discussed "
              "policy; Soviet policy toward the united states is the government's "
              "concern.\n\n(S) A second president paragraph.\n",
              f);
        fclose(f);
    }
    dc_ingest_stats st = {0};
    CHECK_INT(dc_db_ingest(a, dirp, &(dc_ingest_opts){.released = 0}, &st), DC_OK);
    CHECK_INT(st.docs_new, 1);
    for (size_t i = 0; i < NQ; i++) {
        char *now = page_text(a, queries[i]);
        CHECK(before[i] && strncmp(before[i], "total=", 6) == 0);
        CHECK_STR(now, before[i]);
        free(now);
        free(before[i]);
    }
    CHECK_INT(dc_db_check(a), DC_OK);
    dc_db_close(a);
}

/* Another database at the same path, with fewer versions than the index
 * remembers: the index is replaced (in one commit, under the lock), and a
 * second handle that still maps the old one sees the new one. */
static void test_stale_index(void)
{
    char p[800];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", dbpath, sfx[i]);
        unlink(p);
    }
    dc_index *old = NULL;
    CHECK_INT(dc_index_open(ixpath, 0, &old, NULL), DC_OK);
    CHECK(dc_index_high_water(old) > nfiles);
    dc_db *a = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbpath, DC_DB_CREATE, &a, &err), DC_OK);
    if (!a) return;
    dc_ingest_stats st = {0};
    CHECK_INT(dc_db_ingest(a, files[nfiles - 1], &(dc_ingest_opts){.released = 1}, &st), DC_OK);
    CHECK_INT(st.docs_new, 1);
    CHECK_INT(dc_db_check(a), DC_OK);
    CHECK_INT(dc_index_refresh(old), DC_OK);
    CHECK_INT(dc_index_high_water(old), 1);
    CHECK_INT(dc_index_doc_count(old), 1);
    dc_error e = {0};
    CHECK_INT(dc_index_check(old, &e), DC_OK);
    dc_index_close(old);
    dc_db_close(a);
}

/* The permission bits of path, or -1 if it does not exist. */
static int mode_of(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

/* Every entry of folder d is a file of mode 0600; returns how many. */
static int private_entries(const char *d)
{
    DIR *dd = opendir(d);
    if (!dd) return -1;
    int n = 0;
    struct dirent *e;
    char p[1200];
    while ((e = readdir(dd)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", d, e->d_name);
        int m = mode_of(p);
        if (m != 0600) fprintf(stderr, "%s has mode %o\n", p, (unsigned)m);
        CHECK_INT(m, 0600);
        n++;
    }
    closedir(dd);
    return n;
}

/* The database, its -wal and -shm, the index folder and every file in it
 * are private to the owner (0600, folder 0700) whatever the umask: after
 * creation, ingest, a search and an optimize (a merged segment), while
 * the handle is open. */
static void test_private_files(void)
{
    static const mode_t masks[] = {022, 0, 002};
    mode_t saved = umask(022);
    for (size_t k = 0; k < sizeof masks / sizeof masks[0]; k++) {
        umask(masks[k]);
        char sub[700], db_p[800], p[900];
        snprintf(sub, sizeof sub, "%s/umask%03o", dir, (unsigned)masks[k]);
        mkdir(sub, 0700);
        snprintf(db_p, sizeof db_p, "%s/private.db", sub);
        dc_db *db = NULL;
        dc_error err = {0};
        CHECK_INT(dc_db_open(db_p, DC_DB_CREATE, &db, &err), DC_OK);
        if (!db) continue;
        CHECK_INT(mode_of(db_p), 0600);
        dc_ingest_stats st = {0};
        for (size_t i = 0; i < 2 && i < nfiles; i++)
            CHECK_INT(dc_db_ingest(db, files[i], &(dc_ingest_opts){.released = 1}, &st), DC_OK);
        CHECK_INT(dc_db_ingest(db, files[nfiles - 1], &(dc_ingest_opts){.released = 1}, &st),
                  DC_OK);
        CHECK(total_of(db, "president") >= 0);
        CHECK_INT(dc_db_optimize(db), DC_OK);
        CHECK_INT(mode_of(db_p), 0600);
        snprintf(p, sizeof p, "%s-wal", db_p);
        CHECK_INT(mode_of(p), 0600);
        snprintf(p, sizeof p, "%s-shm", db_p);
        CHECK_INT(mode_of(p), 0600);
        snprintf(p, sizeof p, "%s.index", db_p);
        CHECK_INT(mode_of(p), 0700);
        CHECK(private_entries(p) >= 3); /* LOCK, MANIFEST, a segment */
        dc_db_close(db);
    }
    umask(saved);
}

/* The bytes of the segment files of index directory d, in name order. */
static char *segment_bytes(const char *d, size_t *len)
{
    char names[16][300], p[5000];
    size_t n = 0, total = 0;
    DIR *dd = opendir(d);
    struct dirent *e;
    while (dd && (e = readdir(dd)) != NULL && n < 16)
        if (strncmp(e->d_name, "seg-", 4) == 0 && strlen(e->d_name) < sizeof names[0])
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    if (dd) closedir(dd);
    qsort(names, n, sizeof names[0], cmp_name);
    char *out = NULL;
    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/%s", d, names[i]);
        FILE *f = fopen(p, "rb");
        if (!f) continue;
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *grown = sz > 0 ? realloc(out, total + (size_t)sz) : NULL;
        if (grown && fread(grown + total, 1, (size_t)sz, f) == (size_t)sz) total += (size_t)sz;
        if (grown) out = grown;
        fclose(f);
    }
    *len = total;
    return out;
}

/* An ingest indexes as it stores, on its own thread, documents every
 * reader sees alike and (on the ingest's thread) those whose views differ,
 * in batches of three files: the index it leaves is byte for byte the one
 * a rebuild from the store makes. */
static void test_live_same_as_rebuild(void)
{
    char db_p[700], ix_p[800], cmd[1800];
    snprintf(db_p, sizeof db_p, "%s/live.db", dir);
    snprintf(ix_p, sizeof ix_p, "%s.index", db_p);
    dc_db *db = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(db_p, DC_DB_CREATE, &db, &err), DC_OK);
    if (!db) return;
    dc_ingest_stats st = {0};
    dc_ingest_opts opts = {.released = 0, .batch_files = 3};
    CHECK_INT(dc_db_ingest(db, corpus, &opts, &st), DC_OK);
    CHECK(st.docs_new >= (long)nfiles);
    dc_db_close(db);
    size_t live_len = 0, rebuilt_len = 0;
    char *live = segment_bytes(ix_p, &live_len);
    CHECK(live_len > 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", ix_p);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(dc_db_open(db_p, 0, &db, &err), DC_OK);
    if (db) CHECK_INT(dc_db_check(db), DC_OK); /* rebuilds the index from the store */
    dc_db_close(db);
    char *rebuilt = segment_bytes(ix_p, &rebuilt_len);
    CHECK_INT(rebuilt_len, live_len);
    CHECK(live && rebuilt && memcmp(live, rebuilt, live_len) == 0);
    free(live);
    free(rebuilt);
}

/* Bad input: a handle on a missing database, a search before any index. */
static void test_bad(void)
{
    dc_db *db = NULL;
    dc_error err = {0};
    char p[700];
    snprintf(p, sizeof p, "%s/none/x.db", dir);
    CHECK(dc_db_open(p, 0, &db, &err) != DC_OK);
    CHECK(db == NULL);
    snprintf(p, sizeof p, "%s/empty.db", dir);
    CHECK_INT(dc_db_open(p, DC_DB_CREATE, &db, &err), DC_OK);
    if (!db) return;
    CHECK_INT(total_of(db, "soviet"), 0); /* creates the empty index */
    CHECK_INT(dc_db_check(db), DC_OK);
    dc_search_request req = {.query = "\"unclosed"};
    dc_search_page *pg = NULL;
    CHECK_INT(dc_db_search(db, &req, &pg), DC_PARSE);
    CHECK(pg == NULL);
    dc_db_close(db);
}

/* Text of id as db's reader now ("" when refused), owned by the caller. */
static char *shown(dc_db *db, const char *id)
{
    char *t = NULL;
    if (dc_db_show_view(db, id, 0, "text", &t, NULL) != DC_OK) return strdup("");
    char *c = strdup(t);
    dc_free(t);
    return c;
}

/* The memo of readers' views (src/facade/read.c) on one handle acting for
 * readers in turn, as a server's worker thread does: a SECRET reader's
 * view is never handed to a CONFIDENTIAL one, nor theirs to the first,
 * and a new version (a portion marked higher) is seen at once. */
static void test_view_memo(void)
{
    dc_db *db = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbpath, 0, &db, &err), DC_OK);
    if (!db) return;
    char dirp[700], path[800];
    snprintf(dirp, sizeof dirp, "%s/memo", dir);
    mkdir(dirp, 0755);
    snprintf(path, sizeof path, "%s/zebra.txt", dirp);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("Note on the zebra crossing\n\nCONFIDENTIAL\n\n(U) An open okapi paragraph.\n\n"
              "(S) The hidden zebra paragraph.\n\n(U) A later gnu paragraph.\n",
              f);
        fclose(f);
    }
    dc_ingest_stats st = {0};
    CHECK_INT(dc_db_ingest(db, dirp, &(dc_ingest_opts){.released = 0}, &st), DC_OK);
    dc_user_spec hi = {.name = "memo-secret",
                       .level = DC_SECRET,
                       .roles = DC_ROLE_REVIEWER,
                       .password = "correct horse battery"};
    dc_user_spec lo = {
        .name = "memo-conf", .level = DC_CONFIDENTIAL, .password = "correct horse battery"};
    CHECK_INT(dc_db_user_add(db, &hi, NULL), DC_OK); /* the first: an administrator */
    CHECK_INT(dc_db_assume(db, "memo-secret"), DC_OK);
    CHECK_INT(dc_db_user_add(db, &lo, NULL), DC_OK);
    dc_search_request req = {.query = "okapi"};
    dc_search_page *pg = NULL;
    CHECK_INT(dc_db_search(db, &req, &pg), DC_OK);
    CHECK(pg && pg->n_hits == 1);
    char id[300] = "";
    if (pg && pg->n_hits) snprintf(id, sizeof id, "%s", pg->hits[0].id);
    dc_search_page_free(pg);
    for (int round = 0; round < 2; round++) { /* the second round: from the memo */
        CHECK_INT(dc_db_assume(db, "memo-secret"), DC_OK);
        char *t = shown(db, id);
        CHECK(strstr(t, "zebra paragraph") && strstr(t, "okapi"));
        free(t);
        CHECK_INT(dc_db_assume(db, "memo-conf"), DC_OK);
        t = shown(db, id);
        CHECK(!strstr(t, "zebra paragraph") && strstr(t, "okapi") && strstr(t, "gnu paragraph"));
        free(t);
    }
    /* a new version: the memo's views of the old one are not current */
    CHECK_INT(dc_db_assume(db, "memo-secret"), DC_OK);
    dc_doc *d = NULL;
    CHECK_INT(dc_db_get(db, id, &d), DC_OK);
    const char *gnu = NULL;
    for (size_t i = 0; d && i < d->n_portions; i++)
        if (d->portions[i].text && strstr(d->portions[i].text, "gnu")) gnu = d->portions[i].id;
    CHECK(gnu != NULL);
    int version = 0;
    if (gnu) CHECK_INT(dc_db_mark(db, id, gnu, "SECRET", NULL, 0, &version), DC_OK);
    dc_doc_free(d);
    CHECK_INT(dc_db_assume(db, "memo-conf"), DC_OK);
    char *t = shown(db, id);
    CHECK(!strstr(t, "gnu paragraph") && !strstr(t, "zebra paragraph") && strstr(t, "okapi"));
    free(t);
    dc_db_close(db);
}

/* The ids of the entries of dc_db_volume_of(id) as the acting reader,
 * joined by spaces ("" on failure). */
static void near_ids(dc_db *db, const char *id, char *out, size_t cap)
{
    out[0] = '\0';
    dc_doc *d = NULL;
    dc_volume *v = NULL;
    CHECK_INT(dc_db_get(db, id, &d), DC_OK);
    if (d) CHECK_INT(dc_db_volume_of(db, d, &v), DC_OK);
    size_t n = 0;
    for (size_t i = 0; v && i < v->n_entries; i++)
        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", i ? " " : "",
                              v->entries[i].id ? v->entries[i].id : "?");
    dc_volume_free(v);
    dc_doc_free(d);
}

static void put_file(const char *dirp, const char *name, const char *text)
{
    char path[900];
    snprintf(path, sizeof path, "%s/%s", dirp, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* A document page's neighbours in a collection without a stored volume:
 * the readable documents next to it in listing order, as the acting
 * reader may open them, and again after the collection changes. */
static void test_neighbours(void)
{
    dc_db *db = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbpath, 0, &db, &err), DC_OK);
    if (!db) return;
    char dirp[700];
    snprintf(dirp, sizeof dirp, "%s/near", dir);
    mkdir(dirp, 0755);
    put_file(dirp, "n1.txt", "Note one\n\n(U) The first aardvark note.\n");
    put_file(dirp, "n2.txt", "Note two\n\n(U) The second aardvark note.\n");
    put_file(dirp, "n3.txt", "Note three\n\nSECRET\n\n(S) The hidden aardvark note.\n");
    put_file(dirp, "n4.txt", "Note four\n\n(U) The fourth aardvark note.\n");
    dc_ingest_stats st = {0};
    CHECK_INT(dc_db_assume(db, "memo-secret"), DC_OK);
    CHECK_INT(dc_db_ingest(db, dirp, &(dc_ingest_opts){.released = 0}, &st), DC_OK);
    char got[512];
    for (int round = 0; round < 2; round++) { /* the second round: from the memo */
        CHECK_INT(dc_db_assume(db, "memo-conf"), DC_OK);
        near_ids(db, "near/n2", got, sizeof got);
        CHECK_STR(got, "near/n1 near/n2 near/n4");
        near_ids(db, "near/n4", got, sizeof got);
        CHECK_STR(got, "near/n2 near/n4");
        near_ids(db, "near/n1", got, sizeof got);
        CHECK_STR(got, "near/n1 near/n2");
        CHECK_INT(dc_db_assume(db, "memo-secret"), DC_OK);
        near_ids(db, "near/n2", got, sizeof got);
        CHECK_STR(got, "near/n1 near/n2 near/n3");
    }
    /* a new document: the memo of the order is not current */
    put_file(dirp, "n25.txt", "Note two and a half\n\n(U) An inserted aardvark note.\n");
    CHECK_INT(dc_db_ingest(db, dirp, &(dc_ingest_opts){.released = 0}, &st), DC_OK);
    CHECK_INT(dc_db_assume(db, "memo-conf"), DC_OK);
    near_ids(db, "near/n2", got, sizeof got);
    CHECK_STR(got, "near/n1 near/n2 near/n25");
    dc_db_close(db);
}

/* The contents of the index's MANIFEST ("" if unreadable): changes with
 * every index commit. */
static void manifest(char *out, size_t cap)
{
    char p[800];
    snprintf(p, sizeof p, "%s/MANIFEST", ixpath);
    out[0] = '\0';
    FILE *f = fopen(p, "rb");
    if (!f) return;
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
}

/* The page HTML of id through the lent view, in a read snapshot of its own. */
static char *page_html(dc_db *db, const char *id)
{
    char *t = NULL;
    const dc_doc *v = NULL;
    CHECK_INT(dc_db_read_begin(db), DC_OK);
    CHECK_INT(dc_db_show_lent(db, id, "html", &t, &v), DC_OK);
    CHECK(v != NULL && v->id && strcmp(v->id, id) == 0);
    dc_db_view_return(db, v);
    dc_db_read_end(db);
    return t ? t : dc_strdup("");
}

/*
 * A page's read snapshot (dc_db_read_begin): its reads see one state of
 * the database while another handle ingests; a search inside it neither
 * clears nor rewrites an index that is ahead of the snapshot; a write
 * through the handle ends it.  The renderings a handle keeps with a lent
 * view hold for one state only: a document that turns readable or
 * unreadable beside an unchanged one changes that one's links at once.
 */
static void test_snapshot(void)
{
    dc_db *a = NULL, *b = NULL;
    dc_error err = {0};
    dc_audit_queue *q = NULL;
    CHECK_INT(dc_db_open(dbpath, 0, &a, &err), DC_OK);
    CHECK_INT(dc_db_open(dbpath, 0, &b, &err), DC_OK);
    CHECK_INT(dc_audit_queue_open(dbpath, 10, &q, &err), DC_OK);
    if (!a || !b || !q) goto done;
    dc_db_audit_to(a, q); /* read rows queued, as a server's handles do */
    CHECK_INT(dc_db_assume(a, "memo-conf"), DC_OK);
    CHECK_INT(dc_db_assume(b, "memo-secret"), DC_OK);
    char dirp[700];
    snprintf(dirp, sizeof dirp, "%s/snap", dir);
    mkdir(dirp, 0755);
    put_file(dirp, "s1.txt", "1. Cover note\n\n(U) See Document 7 for the wombat reply.\n");
    put_file(dirp, "s2.txt", "2. Second note\n\n(U) A quokka note.\n");
    dc_ingest_stats st = {0};
    st = (dc_ingest_stats){0};
    CHECK_INT(dc_db_ingest(b, dirp, &(dc_ingest_opts){.released = 0}, &st), DC_OK);
    CHECK_INT(total_of(a, "quokka"), 1);

    /* one state, whatever b commits meanwhile */
    char m0[4096], m1[4096];
    CHECK_INT(dc_db_read_begin(a), DC_OK);
    char *t = NULL;
    const dc_doc *v = NULL;
    CHECK_INT(dc_db_show_lent(a, "snap/s1", "html", &t, &v), DC_OK);
    CHECK(t && strstr(t, "wombat") && !strstr(t, "/documents/snap/s7"));
    free(t);
    put_file(dirp, "s0.txt", "Note zero\n\n(U) A late numbat note.\n");
    st = (dc_ingest_stats){0};
    CHECK_INT(dc_db_ingest(b, dirp, &(dc_ingest_opts){.released = 0}, &st), DC_OK);
    CHECK_INT(st.docs_new, 1);
    dc_doc *d = NULL;
    CHECK_INT(dc_db_get(a, "snap/s0", &d), DC_NOTFOUND); /* not in a's snapshot */
    dc_volume *vol = NULL;
    CHECK_INT(dc_db_volume_of(a, v, &vol), DC_OK);
    CHECK(vol && vol->n_entries == 2 && dc_volume_find(vol, "snap/s0") < 0);
    dc_volume_free(vol);
    /* b indexed s0: the index is ahead of a's snapshot, and a search
     * inside it takes the index as it is */
    manifest(m0, sizeof m0);
    CHECK(total_of(a, "numbat") >= 0);
    manifest(m1, sizeof m1);
    CHECK(m0[0] && strcmp(m0, m1) == 0);
    dc_db_view_return(a, v);
    dc_db_read_end(a);
    CHECK_INT(dc_db_get(a, "snap/s0", &d), DC_OK);
    dc_doc_free(d);
    d = NULL;
    CHECK_INT(total_of(a, "numbat"), 1);
    CHECK_INT(total_of(a, "quokka"), 1);
    CHECK_INT(dc_db_check(a), DC_OK);

    /* a write through the handle ends its snapshot: the rows of a handle
     * without a queue are written at once, and the reads after them see
     * what b committed */
    CHECK_INT(dc_db_read_begin(a), DC_OK);
    dc_db_audit_to(a, NULL);
    CHECK_INT(dc_db_get(a, "snap/s2", &d), DC_OK); /* audited: a write */
    dc_doc_free(d);
    d = NULL;
    put_file(dirp, "s3.txt", "3. Third note\n\n(U) A bilby note.\n");
    st = (dc_ingest_stats){0};
    CHECK_INT(dc_db_ingest(b, dirp, &(dc_ingest_opts){.released = 0}, &st), DC_OK);
    CHECK_INT(dc_db_get(a, "snap/s3", &d), DC_OK);
    dc_doc_free(d);
    d = NULL;
    dc_db_read_end(a);
    dc_db_audit_to(a, q);

    /* the kept renderings of s1 (unchanged) follow the documents it links */
    char *t1 = page_html(a, "snap/s1"), *t2 = page_html(a, "snap/s1");
    CHECK_STR(t1, t2); /* the second from what the handle kept */
    CHECK(!strstr(t1, "/documents/snap/s7"));
    free(t1);
    free(t2);
    put_file(dirp, "s7.txt", "7. The wombat reply\n\n(U) A wombat reply.\n");
    st = (dc_ingest_stats){0};
    CHECK_INT(dc_db_ingest(b, dirp, &(dc_ingest_opts){.released = 0}, &st), DC_OK);
    t1 = page_html(a, "snap/s1");
    CHECK(strstr(t1, "/documents/snap/s7") != NULL); /* now readable: linked */
    free(t1);
    put_file(dirp, "s7.txt", "7. The wombat reply\n\nSECRET\n\n(S) A wombat reply.\n");
    st = (dc_ingest_stats){0};
    CHECK_INT(dc_db_ingest(b, dirp, &(dc_ingest_opts){.released = 0}, &st), DC_OK);
    t1 = page_html(a, "snap/s1");
    CHECK(!strstr(t1, "/documents/snap/s7")); /* SECRET: no link for a CONFIDENTIAL reader */
    free(t1);
    CHECK_INT(dc_db_assume(a, "memo-secret"), DC_OK);
    t1 = page_html(a, "snap/s1");
    CHECK(strstr(t1, "/documents/snap/s7") != NULL);
    free(t1);
    /* and a citation made in a snapshot is the one made without */
    char *c1 = NULL, *c2 = NULL;
    CHECK_INT(dc_db_show(a, "snap/s1", "bibtex", &c1), DC_OK);
    CHECK_INT(dc_db_read_begin(a), DC_OK);
    CHECK_INT(dc_db_show_lent(a, "snap/s1", "html", &t, &v), DC_OK);
    free(t);
    for (int i = 0; i < 2; i++) {
        CHECK_INT(dc_db_render(a, v, "bibtex", &c2), DC_OK);
        CHECK_STR(c1 ? c1 : "", c2 ? c2 : "");
        dc_free(c2);
        c2 = NULL;
    }
    dc_db_view_return(a, v);
    dc_db_read_end(a);
    dc_free(c1);
done:
    dc_db_close(a);
    dc_db_close(b);
    if (q) CHECK_INT(dc_audit_queue_close(q, NULL, &err), DC_OK);
}

/* The entries of the reader's volume of id's page (dc_db_volume_of, and
 * dc_db_volume_lent alike) in a read snapshot, or -1. */
static long page_volume_entries(dc_db *db, const char *id, const char *want)
{
    long n = -1;
    char *t = NULL;
    const dc_doc *v = NULL;
    dc_volume *vol = NULL;
    CHECK_INT(dc_db_read_begin(db), DC_OK);
    CHECK_INT(dc_db_show_lent(db, id, "html", &t, &v), DC_OK);
    free(t);
    if (v) CHECK_INT(dc_db_volume_of(db, v, &vol), DC_OK);
    if (vol) {
        n = (long)vol->n_entries;
        if (want) CHECK(dc_volume_find(vol, want) >= 0);
    }
    dc_volume_free(vol);
    /* the same volume lent, as the page takes it */
    const dc_volume *lent = NULL;
    if (v) CHECK_INT(dc_db_volume_lent(db, v, &lent), DC_OK);
    CHECK(lent && (long)lent->n_entries == n);
    if (lent && want) CHECK(dc_volume_find(lent, want) >= 0);
    dc_db_volume_return(db, lent);
    dc_db_view_return(db, v);
    dc_db_read_end(db);
    return n;
}

/*
 * What a handle keeps of a published volume for its document pages (the
 * stored volume, each reader's contents) follows the database: a
 * document added to the collection by another handle is listed at once,
 * for the readers who may open it only.
 */
static void test_kept_volume(void)
{
    const char *tc = getenv("DC_TEST_CORPUS");
    if (!tc) return;
    char vol[900];
    snprintf(vol, sizeof vol, "%s/volumes/frus1917-72PubDip.xml", tc);
    if (access(vol, R_OK) != 0) return;
    dc_db *a = NULL, *b = NULL;
    dc_error err = {0};
    dc_audit_queue *q = NULL;
    CHECK_INT(dc_db_open(dbpath, 0, &a, &err), DC_OK);
    CHECK_INT(dc_db_open(dbpath, 0, &b, &err), DC_OK);
    CHECK_INT(dc_audit_queue_open(dbpath, 10, &q, &err), DC_OK);
    if (!a || !b || !q) goto done;
    dc_db_audit_to(a, q);
    CHECK_INT(dc_db_assume(b, "memo-secret"), DC_OK);
    dc_ingest_stats st = {0};
    CHECK_INT(dc_db_ingest(b, vol, &(dc_ingest_opts){.released = 1}, &st), DC_OK);
    const char *d20 = "frus1917-72PubDip/d20";
    long n0 = page_volume_entries(a, d20, NULL);
    CHECK(n0 > 40);
    CHECK_INT(page_volume_entries(a, d20, NULL), n0); /* kept */
    char dirp[700];
    snprintf(dirp, sizeof dirp, "%s/added", dir);
    mkdir(dirp, 0755);
    put_file(dirp, "x1.txt", "Added note\n\n(U) An added dugong note.\n");
    st = (dc_ingest_stats){0};
    CHECK_INT(dc_db_ingest(b, dirp,
                           &(dc_ingest_opts){.released = 0, .collection = "frus1917-72PubDip"},
                           &st),
              DC_OK);
    CHECK_INT(st.docs_new, 1);
    CHECK_INT(page_volume_entries(a, d20, "frus1917-72PubDip/x1"), n0 + 1);
    put_file(dirp, "x2.txt", "Hidden note\n\nSECRET\n\n(S) A hidden dugong note.\n");
    st = (dc_ingest_stats){0};
    CHECK_INT(dc_db_ingest(b, dirp,
                           &(dc_ingest_opts){.released = 0, .collection = "frus1917-72PubDip"},
                           &st),
              DC_OK);
    CHECK_INT(dc_db_assume(a, "memo-conf"), DC_OK);
    CHECK_INT(page_volume_entries(a, d20, NULL), n0 + 1); /* not x2: SECRET */
    CHECK_INT(dc_db_assume(a, "memo-secret"), DC_OK);
    CHECK_INT(page_volume_entries(a, d20, "frus1917-72PubDip/x2"), n0 + 2);
    CHECK_INT(dc_db_assume(a, "memo-conf"), DC_OK);
    CHECK_INT(page_volume_entries(a, d20, NULL), n0 + 1);
done:
    dc_db_close(a);
    dc_db_close(b);
    if (q) CHECK_INT(dc_audit_queue_close(q, NULL, &err), DC_OK);
}

int main(void)
{
    corpus = getenv("DC_CORPUS");
    if (!corpus) corpus = "samples";
    if (!mkdtemp(dir)) return 2;
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    snprintf(ixpath, sizeof ixpath, "%s.index", dbpath);
    list_files("tei");
    list_files("seeds");
    CHECK(nfiles >= 4);
    if (nfiles >= 4) {
        test_two_handles();
        test_old_format();
        test_hidden_scores();
        test_snippet_cache();
        test_stale_index();
    }
    test_bad();
    test_view_memo();
    test_neighbours();
    test_snapshot();
    test_kept_volume();
    if (nfiles >= 4) test_private_files();
    if (nfiles >= 4) test_live_same_as_rebuild();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
    return TEST_DONE();
}
