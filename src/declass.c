/*
 * The facade: the only way into a declass database.  It opens the store,
 * runs ingest (file walking, format detection, one transaction per file),
 * and serves reads through the renderers.  Every read and ingest is
 * appended to the audit log.
 */
#include "declass/declass.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "declass/analysis.h"
#include "declass/index.h"
#include "declass/ingest.h"
#include "declass/query.h"
#include "declass/refs.h"
#include "declass/render.h"
#include "declass/store.h"
#include "declass/banned.h"

#define DC_MAX_ID 256          /* bytes in a document id */
#define DC_MAX_WALK_DEPTH 64   /* folder nesting followed by ingest */
#define DC_MAX_WALK_FILES 10000000
#define DC_MAX_SEGMENTS 8      /* index segments before an automatic merge */

struct dc_db {
    dc_store *st;
    char *index_dir;  /* "<database>.index" */
    dc_index *ix;     /* opened on first use */
    dc_analyzer *an;  /* created on first search */
    char errmsg[1024];
};

static dc_rc db_fail(dc_db *db, dc_rc rc, const char *fmt, ...) DC_PRINTF(3, 4);

static dc_rc db_fail(dc_db *db, dc_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

dc_rc dc_db_open(const char *path, int flags, dc_db **out, dc_error *err)
{
    *out = NULL;
    if (!path || !*path) return dc_fail(err, DC_MISUSE, 0, "no database path given");
    dc_db *db = calloc(1, sizeof *db);
    if (!db) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    dc_rc rc = dc_store_open(path, (flags & DC_DB_CREATE) ? DC_STORE_CREATE : 0, &db->st, err);
    if (rc) {
        free(db);
        return rc;
    }
    dc_buf dir;
    dc_buf_init(&dir, 8192);
    dc_buf_printf(&dir, "%s.index", path);
    if (!(db->index_dir = dc_buf_detach(&dir))) {
        dc_buf_release(&dir);
        dc_db_close(db);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    *out = db;
    return DC_OK;
}

void dc_db_close(dc_db *db)
{
    if (!db) return;
    dc_index_close(db->ix);
    dc_analyzer_free(db->an);
    dc_store_close(db->st);
    free(db->index_dir);
    free(db);
}

const char *dc_db_errmsg(const dc_db *db) { return db ? db->errmsg : "no database"; }

/* ---- index ------------------------------------------------------------ */

static dc_rc on_change(void *ctx, uint64_t docid, const dc_doc *doc, const uint64_t *older,
                       size_t n_older)
{
    dc_index_writer *w = ctx;
    for (size_t i = 0; i < n_older; i++) {
        dc_rc rc = dc_index_writer_delete(w, older[i]);
        if (rc) return rc;
    }
    return dc_index_writer_add(w, docid, doc);
}

/*
 * Opens the index (creating it) and brings it up to the store: every
 * current version added since the index's high-water mark is indexed and
 * the versions it supersedes deleted, in one index commit.  The store is
 * the truth, so an index left behind by a crash catches up here.
 */
static dc_rc db_index(dc_db *db)
{
    dc_error err = {0};
    dc_rc rc;
    if (!db->ix && (rc = dc_index_open(db->index_dir, DC_INDEX_CREATE, &db->ix, &err)) != DC_OK)
        return db_fail(db, rc, "cannot open the index %s: %s", db->index_dir, err.msg);
    uint64_t max = 0;
    if ((rc = dc_store_max_docid(db->st, &max)) != DC_OK)
        return db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    if (max <= dc_index_high_water(db->ix)) return DC_OK;
    dc_index_writer *w = NULL;
    if ((rc = dc_index_writer_open(db->ix, 0, &w)) != DC_OK)
        return db_fail(db, rc, "cannot write the index: %s", dc_index_errmsg(db->ix));
    rc = dc_store_changes_since(db->st, dc_index_high_water(db->ix), on_change, w);
    if (rc) {
        dc_index_writer_abort(w);
        return db_fail(db, rc, "indexing failed: %s", dc_store_errmsg(db->st));
    }
    if ((rc = dc_index_writer_commit(w)) != DC_OK)
        return db_fail(db, rc, "indexing failed: %s", dc_index_errmsg(db->ix));
    /* Each ingest adds at least one segment; past a few, searches pay for
     * every extra dictionary lookup, so merge them all. */
    if (dc_index_segment_count(db->ix) > DC_MAX_SEGMENTS &&
        (rc = dc_index_optimize(db->ix)) != DC_OK)
        return db_fail(db, rc, "merging index segments failed: %s", dc_index_errmsg(db->ix));
    return DC_OK;
}

/* ---- ingest ---------------------------------------------------------- */

/* State of the ingest of one file. */
typedef struct file_job {
    dc_db *db;
    const dc_ingest_opts *opts;
    const char *path;
    const char *folder;   /* name of the folder the file was found in */
    const char *basename; /* file name without extension */
    long n_new, n_updated, n_unchanged, n_docs;
    int fatal; /* the store failed: stop the run (not a bad input) */
    dc_error *err;
} file_job;

/* Whether an id part is acceptable: printable, no spaces or slashes. */
static int id_part_ok(const char *s)
{
    if (!s || !*s || strlen(s) > DC_MAX_ID / 2) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == '/' || *p == 0x7f) return 0;
    return 1;
}

/* Completes a parsed document (id, collection, release status, references)
 * and stores it.  Takes ownership of doc. */
static dc_rc job_store(void *ctx, dc_doc *doc)
{
    file_job *job = ctx;
    dc_rc rc = DC_OK;
    const char *coll = job->opts->collection;
    if (!coll || doc->collection) coll = doc->collection ? doc->collection : job->folder;
    if (!rc) rc = dc_str_set(&doc->collection, coll);
    if (!rc && !doc->local_id) rc = dc_str_set(&doc->local_id, job->basename);
    if (!rc && (!id_part_ok(doc->collection) || !id_part_ok(doc->local_id))) {
        rc = dc_fail(job->err, DC_PARSE, 0, "cannot make a document id from collection '%s' "
                     "and name '%s' (spaces, slashes or too long)",
                     doc->collection, doc->local_id);
    }
    if (!rc) {
        char id[DC_MAX_ID + 2];
        snprintf(id, sizeof id, "%s/%s", doc->collection, doc->local_id);
        rc = dc_str_set(&doc->id, id);
    }
    if (!rc) rc = dc_refs_enrich(doc);
    /* Fail safe (DESIGN.md, Security rules): a document marked above
     * UNCLASSIFIED that is not a published edition is stored classified;
     * so is one whose marking is not a known level ("LIMITED OFFICIAL USE"). */
    if (!rc) {
        int marked = doc->classification &&
                     dc_level_parse(doc->classification) != DC_UNCLASSIFIED;
        const char *status = job->opts->released ? "released" : marked ? "classified"
                                                                       : "released";
        rc = dc_str_set(&doc->release_status, status);
    }
    if (rc == DC_NOMEM) dc_fail(job->err, rc, 0, "out of memory");
    dc_put_result res = 0;
    if (!rc) {
        rc = dc_store_put(job->db->st, doc, job->path, &res, NULL);
        job->fatal = rc != DC_OK && rc != DC_MISUSE;
        if (rc) dc_fail(job->err, rc, 0, "cannot store %s: %s", doc->id,
                        dc_store_errmsg(job->db->st));
    }
    if (!rc) {
        job->n_docs++;
        if (res == DC_PUT_NEW) job->n_new++;
        if (res == DC_PUT_UPDATED) job->n_updated++;
        if (res == DC_PUT_UNCHANGED) job->n_unchanged++;
    }
    dc_doc_free(doc);
    return rc;
}

/* Reads the first bytes of path to tell TEI from text without reading the
 * whole (possibly large) file. */
static dc_rc peek_is_xml(const char *path, int *is_xml, dc_error *err)
{
    char head[512];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return dc_fail(err, DC_IO, 0, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return dc_fail(err, DC_IO, 0, "not a regular file");
    }
    ssize_t n = read(fd, head, sizeof head);
    int e = errno;
    close(fd);
    if (n < 0) return dc_fail(err, DC_IO, 0, "cannot read: %s", strerror(e));
    *is_xml = dc_ingest_is_xml(head, (size_t)n);
    return DC_OK;
}

static dc_rc ingest_text_file(file_job *job)
{
    char *data = NULL;
    size_t len = 0;
    dc_rc rc = dc_read_file(job->path, DC_INGEST_MAX_FILE, &data, &len, job->err);
    dc_doc *doc = NULL;
    if (!rc) rc = dc_ingest_check_text(data, len, job->err);
    if (!rc) rc = dc_ingest_text(data, len, &doc, job->err);
    free(data);
    if (!rc) rc = job_store(job, doc);
    return rc;
}

/* Ingests one file in its own transaction: all of its documents or none. */
static dc_rc ingest_file(dc_db *db, const char *path, const dc_ingest_opts *opts,
                         dc_ingest_stats *st, dc_error *err, int *fatal)
{
    char folder[256] = "", base[256] = "";
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    snprintf(base, sizeof base, "%s", name);
    char *dot = strrchr(base, '.');
    if (dot && dot != base) *dot = '\0';
    if (slash) {
        const char *end = slash, *start = slash;
        while (start > path && start[-1] != '/') start--;
        snprintf(folder, sizeof folder, "%.*s", (int)(end - start), start);
    }
    if (!folder[0] || strcmp(folder, ".") == 0 || strcmp(folder, "..") == 0) {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd)) {
            const char *c = strrchr(cwd, '/');
            snprintf(folder, sizeof folder, "%s", c && c[1] ? c + 1 : "default");
        } else {
            snprintf(folder, sizeof folder, "default");
        }
    }
    file_job job = {.db = db, .opts = opts, .path = path, .folder = folder,
                    .basename = base, .err = err};
    int is_xml = 0;
    dc_rc rc = peek_is_xml(path, &is_xml, err);
    if (!rc && (rc = dc_store_begin(db->st)) != DC_OK) {
        *fatal = 1;
        return dc_fail(err, rc, 0, "%s", dc_store_errmsg(db->st));
    }
    if (rc == DC_OK) {
        rc = is_xml ? dc_ingest_tei_file(path, job_store, &job, err) : ingest_text_file(&job);
        if (!rc && job.n_docs == 0) rc = dc_fail(err, DC_PARSE, 0, "no document found");
        if (!rc) {
            char detail[96];
            snprintf(detail, sizeof detail, "%ld documents (%ld new, %ld updated)", job.n_docs,
                     job.n_new, job.n_updated);
            rc = dc_store_audit(db->st, NULL, "ingest", path, detail);
            if (!rc) rc = dc_store_commit(db->st);
            if (rc) job.fatal = 1;
        }
        if (rc) {
            *fatal = job.fatal;
            if (err->rc == DC_OK) dc_fail(err, rc, 0, "%s", dc_store_errmsg(db->st));
            dc_store_rollback(db->st);
        }
    }
    if (rc) return rc;
    st->docs_new += job.n_new;
    st->docs_updated += job.n_updated;
    st->docs_unchanged += job.n_unchanged;
    return DC_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a file found in a folder is a source declass reads: .xml and .tei
 * (TEI), .txt and .text (plain text).  A file named on the command line is
 * always read, whatever its name. */
static int ingestible_name(const char *name)
{
    static const char *const exts[] = {".xml", ".tei", ".txt", ".text"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcasecmp(name + n - e, exts[i]) == 0) return 1;
    }
    return 0;
}

/* Collects the source files under dir (recursively, hidden entries
 * skipped) into files, counting the other files in *skipped. */
static dc_rc walk(const char *dir, int depth, dc_strv *files, long *skipped, dc_error *err)
{
    if (depth > DC_MAX_WALK_DEPTH)
        return dc_fail(err, DC_LIMIT, 0, "%s: folders nested deeper than %d", dir,
                       DC_MAX_WALK_DEPTH);
    DIR *d = opendir(dir);
    if (!d) return dc_fail(err, DC_IO, 0, "%s: cannot open folder: %s", dir, strerror(errno));
    dc_strv names = {0};
    dc_rc rc = DC_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        rc = dc_strv_push(&names, e->d_name);
    }
    closedir(d);
    if (names.n) qsort(names.v, names.n, sizeof *names.v, cmp_str);
    dc_buf path;
    dc_buf_init(&path, 8192);
    for (size_t i = 0; !rc && i < names.n; i++) {
        dc_buf_reset(&path);
        dc_buf_printf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                      names.v[i]);
        if (path.rc) {
            rc = dc_fail(err, path.rc, 0, "%s: path too long", dir);
            break;
        }
        struct stat sb;
        if (stat(path.p, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = walk(path.p, depth + 1, files, skipped, err);
        else if (!ingestible_name(names.v[i]))
            (*skipped)++;
        else if (files->n >= DC_MAX_WALK_FILES)
            rc = dc_fail(err, DC_LIMIT, 0, "more than %d files", DC_MAX_WALK_FILES);
        else
            rc = dc_strv_push(files, path.p); /* unreadable entries fail at ingest */
    }
    dc_buf_release(&path);
    dc_strv_release(&names);
    return rc;
}

dc_rc dc_db_ingest(dc_db *db, const char *path, const dc_ingest_opts *opts,
                   dc_ingest_stats *st)
{
    dc_error err = {0};
    struct stat sb;
    dc_strv files = {0};
    dc_rc rc;
    if (opts->collection && !id_part_ok(opts->collection))
        return db_fail(db, DC_MISUSE, "bad collection name '%s'", opts->collection);
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        rc = walk(path, 0, &files, &st->files_skipped, &err);
        if (rc) {
            dc_strv_release(&files);
            return db_fail(db, rc, "%s", err.msg);
        }
    } else if ((rc = dc_strv_push(&files, path)) != DC_OK) {
        return db_fail(db, rc, "out of memory");
    }
    dc_rc worst = DC_OK;
    for (size_t i = 0; i < files.n; i++) {
        struct stat fs;
        memset(&err, 0, sizeof err);
        st->files++;
        int fatal = 0;
        rc = ingest_file(db, files.v[i], opts, st, &err, &fatal);
        if (stat(files.v[i], &fs) == 0) st->bytes += (unsigned long long)fs.st_size;
        if (rc) {
            st->files_failed++;
            if (opts->on_error) opts->on_error(opts->ctx, files.v[i], &err);
            /* Bad input is reported and skipped; anything else stops the run. */
            if (!fatal && rc != DC_NOMEM) {
                if (!worst) worst = DC_PARSE;
                rc = DC_OK;
            } else {
                db_fail(db, rc, "%s: %s", files.v[i], err.msg);
                break;
            }
        }
        if (opts->progress) opts->progress(opts->ctx, st, files.v[i]);
    }
    dc_strv_release(&files);
    if (rc) return rc;
    if (st->docs_new + st->docs_updated > 0 && (rc = db_index(db)) != DC_OK) return rc;
    if (worst) db_fail(db, worst, "%ld of %ld files could not be ingested", st->files_failed,
                       st->files);
    return worst;
}

/* ---- reading --------------------------------------------------------- */

dc_rc dc_db_get(dc_db *db, const char *id, dc_doc **out)
{
    *out = NULL;
    if (!id || !*id || strlen(id) > DC_MAX_ID) return db_fail(db, DC_NOTFOUND, "no document '%s'", id ? id : "");
    dc_rc rc = dc_store_get(db->st, id, 0, out);
    if (rc == DC_NOTFOUND) return db_fail(db, rc, "no document '%s'", id);
    if (rc) return db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return DC_OK;
}

dc_rc dc_db_show(dc_db *db, const char *id, const char *format, char **out)
{
    *out = NULL;
    int json = format && strcmp(format, "json") == 0;
    if (format && !json && strcmp(format, "text") != 0)
        return db_fail(db, DC_MISUSE, "unknown format '%s' (use text or json)", format);
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_get(db, id, &doc);
    if (rc) {
        if (rc == DC_NOTFOUND) dc_store_audit(db->st, NULL, "read-missing", id, NULL);
        return rc;
    }
    dc_buf b;
    dc_buf_init(&b, 0);
    rc = json ? dc_render_json(doc, &b) : dc_render_text(doc, &b);
    dc_doc_free(doc);
    if (!rc) rc = dc_store_audit(db->st, NULL, "read", id, json ? "json" : "text");
    if (rc) {
        dc_buf_release(&b);
        return db_fail(db, rc, "cannot show %s: %s", id, dc_strerror(rc));
    }
    *out = dc_buf_detach(&b);
    return *out ? DC_OK : db_fail(db, DC_NOMEM, "out of memory");
}

dc_rc dc_db_list(dc_db *db, dc_summary_cb cb, void *ctx)
{
    dc_rc rc = dc_store_list(db->st, cb, ctx);
    if (rc) return db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return dc_store_audit(db->st, NULL, "list", NULL, NULL);
}

/* ---- search ---------------------------------------------------------- */

#define DC_SEARCH_MAX_LIMIT 1000
#define DC_SNIPPET_WIDTH 240

/* A search page and the storage behind it. */
typedef struct page_impl {
    dc_search_page pub;
    dc_search_result *res;
    dc_search_hit *hits;
    char **snippets;
} page_impl;

void dc_search_page_free(dc_search_page *page)
{
    if (!page) return;
    page_impl *p = (page_impl *)page;
    for (size_t i = 0; p->snippets && i < p->pub.n_hits; i++) free(p->snippets[i]);
    free(p->snippets);
    free(p->hits);
    dc_search_result_free(p->res);
    free(p);
}

/* The snippet of hit h: the stored document, its readable text, the best
 * window.  A document that vanished since the search gets an empty one. */
static dc_rc hit_snippet(dc_db *db, const dc_query *q, const dc_search_request *req,
                         const char *id, char **out)
{
    *out = NULL;
    dc_doc *doc = NULL;
    dc_rc rc = dc_store_get(db->st, id, 0, &doc);
    if (rc == DC_NOTFOUND) return (*out = dc_strdup("")) ? DC_OK : DC_NOMEM;
    if (rc) return db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    dc_buf b;
    dc_buf_init(&b, 64 * 1024);
    rc = dc_index_snippet(db->an, q, doc, NULL, DC_SNIPPET_WIDTH,
                          req->mark_open ? req->mark_open : "<mark>",
                          req->mark_close ? req->mark_close : "</mark>", &b);
    dc_doc_free(doc);
    if (!rc && !(*out = dc_buf_detach(&b))) rc = DC_NOMEM;
    dc_buf_release(&b);
    return rc;
}

dc_rc dc_db_search(dc_db *db, const dc_search_request *req, dc_search_page **out)
{
    *out = NULL;
    if (!req || !req->query) return db_fail(db, DC_MISUSE, "no query");
    if (req->limit > DC_SEARCH_MAX_LIMIT)
        return db_fail(db, DC_MISUSE, "--limit is at most %d", DC_SEARCH_MAX_LIMIT);
    int level = -1;
    if (req->classification && (level = dc_level_parse(req->classification)) < 0)
        return db_fail(db, DC_MISUSE, "unknown classification '%s' (use UNCLASSIFIED, "
                       "CONFIDENTIAL, SECRET or TOP SECRET)", req->classification);
    dc_rc rc;
    if (!db->an && (rc = dc_analyzer_new(&db->an)) != DC_OK)
        return db_fail(db, rc, "cannot start the analyzer");
    if ((rc = db_index(db)) != DC_OK) return rc;
    dc_error err = {0};
    dc_query *q = NULL;
    rc = dc_query_parse(db->an, req->query, strlen(req->query), &q, &err);
    if (rc) return db_fail(db, rc, "bad query: %s", err.msg);
    dc_search_opts opts = {.limit = req->limit ? req->limit : 10,
                           .offset = req->offset,
                           .from = req->from,
                           .to = req->to,
                           .classification = level,
                           .collection = req->collection,
                           .reader = NULL};
    page_impl *p = calloc(1, sizeof *p);
    if (!p) rc = DC_NOMEM;
    if (!rc && (rc = dc_index_search(db->ix, db->an, q, &opts, &p->res)) != DC_OK)
        db_fail(db, rc, "search failed: %s", dc_index_errmsg(db->ix));
    size_t n = rc ? 0 : p->res->n_hits;
    if (!rc && n) {
        p->hits = calloc(n, sizeof *p->hits);
        p->snippets = calloc(n, sizeof *p->snippets);
        if (!p->hits || !p->snippets) rc = DC_NOMEM;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        const dc_hit *h = &p->res->hits[i];
        rc = hit_snippet(db, q, req, h->id, &p->snippets[i]);
        p->hits[i] = (dc_search_hit){.id = h->id, .title = h->title, .date = h->date,
                                     .classification = h->classification, .score = h->score,
                                     .snippet = p->snippets[i]};
        p->pub.n_hits = i + 1;
    }
    dc_query_free(q);
    if (!rc) {
        p->pub.total = p->res->total;
        p->pub.hits = p->hits;
        p->pub.facets = p->res->facets;
        p->pub.n_facets = p->res->n_facets;
        char detail[64];
        snprintf(detail, sizeof detail, "%llu hits", (unsigned long long)p->pub.total);
        rc = dc_store_audit(db->st, NULL, "search", req->query, detail);
    }
    if (rc) {
        if (rc == DC_NOMEM) db_fail(db, rc, "out of memory");
        dc_search_page_free(p ? &p->pub : NULL);
        return rc;
    }
    *out = &p->pub;
    return DC_OK;
}

/* Adds key: string-or-null to o; 0 on NOMEM. */
static int json_str(cJSON *o, const char *k, const char *v)
{
    cJSON *item = v ? cJSON_CreateString(v) : cJSON_CreateNull();
    if (item && cJSON_AddItemToObject(o, k, item)) return 1;
    cJSON_Delete(item);
    return 0;
}

static int page_to_json(cJSON *root, const dc_search_page *page, const dc_search_request *req)
{
    if (!json_str(root, "query", req->query) ||
        !cJSON_AddNumberToObject(root, "total", (double)page->total))
        return 0;
    cJSON *hits = cJSON_AddArrayToObject(root, "hits");
    if (!hits) return 0;
    for (size_t i = 0; i < page->n_hits; i++) {
        const dc_search_hit *h = &page->hits[i];
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(hits, o)) {
            cJSON_Delete(o);
            return 0;
        }
        if (!json_str(o, "id", h->id) || !json_str(o, "title", h->title) ||
            !json_str(o, "date", h->date) || !json_str(o, "classification", h->classification) ||
            !cJSON_AddNumberToObject(o, "score", h->score) ||
            !json_str(o, "snippet", h->snippet))
            return 0;
    }
    cJSON *facets = cJSON_AddObjectToObject(root, "facets");
    if (!facets) return 0;
    for (size_t i = 0; i < page->n_facets; i++) {
        const dc_facet *f = &page->facets[i];
        cJSON *arr = cJSON_AddArrayToObject(facets, f->name);
        if (!arr) return 0;
        for (size_t j = 0; j < f->n_values; j++) {
            cJSON *o = cJSON_CreateObject();
            if (!o || !cJSON_AddItemToArray(arr, o)) {
                cJSON_Delete(o);
                return 0;
            }
            if (!json_str(o, "value", f->values[j].value) ||
                !cJSON_AddNumberToObject(o, "count", (double)f->values[j].count))
                return 0;
        }
    }
    return 1;
}

dc_rc dc_search_page_json(const dc_search_page *page, const dc_search_request *req, char **out)
{
    *out = NULL;
    cJSON *root = cJSON_CreateObject();
    if (!root) return DC_NOMEM;
    char *s = page_to_json(root, page, req) ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!s) return DC_NOMEM;
    *out = s;
    return DC_OK;
}

dc_rc dc_db_optimize(dc_db *db)
{
    dc_rc rc = db_index(db);
    if (!rc && (rc = dc_index_optimize(db->ix)) != DC_OK)
        db_fail(db, rc, "optimize failed: %s", dc_index_errmsg(db->ix));
    return rc;
}

dc_rc dc_db_check(dc_db *db)
{
    dc_rc rc = db_index(db);
    if (rc) return rc;
    dc_error err = {0};
    if ((rc = dc_index_check(db->ix, &err)) != DC_OK)
        return db_fail(db, rc, "index: %s", err.msg);
    long docs = 0;
    if ((rc = dc_store_count(db->st, &docs)) != DC_OK)
        return db_fail(db, rc, "store: %s", dc_store_errmsg(db->st));
    if ((uint64_t)docs != dc_index_doc_count(db->ix))
        return db_fail(db, DC_CORRUPT, "the store has %ld documents but the index %llu", docs,
                       (unsigned long long)dc_index_doc_count(db->ix));
    return DC_OK;
}
