/*
 * bench-declass: the declass side of bench/compare (not a test; built with
 * the project so that it cannot rot, run by hand).  It uses the index engine directly, as the other
 * two programs use their engines, without the store or TEI ingest.
 *
 *   bench-declass build DOCS.tsv DIR    index the documents of bench/extract-docs
 *   bench-declass optimize DIR          dc_index_optimize: merge into one segment
 *   bench-declass query DIR QUERIES REPS OUT
 *   bench-declass open DIR REPS         time dc_index_open + dc_index_close
 *
 * build: one dc_index_writer batch (default memory budget), then the
 * merges the facade makes after a commit (dc_index_merge; not with
 * BENCH_NO_MERGE set): the index as a fresh ingest leaves it.  One dc_doc per
 * line: id "VOLUME/dN" (collection VOLUME, local id dN), the title, and
 * one paragraph portion per block; released, unclassified, no date, no
 * persons or references, so the index holds the same text as the peers'.
 * Docids are the line numbers (1, 2, ...).
 *
 * query: QUERIES holds one declass query per line (bench/queries.txt).
 * Every query runs once to warm up, then REPS rounds run every query once
 * each.  A sample is dc_query_parse + dc_index_search (limit 10, no
 * filters, reader NULL: the public) + reading the 10 ids + freeing the result and the
 * query.  dc_index_search always counts every match exactly and builds the
 * facets, so its samples include what the peers' separate count costs.
 * OUT gets one line per query: index, total, hits, the samples in
 * microseconds, and an empty count column (the format of bench-fts5).
 * Summary lines "key value" go to stdout.  With BENCH_DUMP=FILE the
 * warm-up round writes each query's total, hits (id:score) and facets to
 * FILE, one line per query, to check that two versions agree.
 */
#include "analysis/analysis.h"
#include "bench_common.h"
#include "util/banned.h"
#include "index/index.h"
#include "declass/model.h"
#include "model/model_int.h"
#include "query/query.h"

#define now bench_now

static void fail(const char *what, dc_rc rc, const char *detail)
{
    fprintf(stderr, "bench-declass: %s: %s%s%s\n", what, dc_strerror(rc), detail ? ": " : "",
            detail ? detail : "");
    exit(1);
}

static char *dup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) fail("build", DC_NOMEM, NULL);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* A dc_doc for one TSV line, or exits. */
static dc_doc *make_doc(char **f, size_t n)
{
    dc_doc *d = dc_doc_new();
    if (!d) fail("build", DC_NOMEM, NULL);
    const char *slash = strchr(f[0], '/');
    size_t cl = slash ? (size_t)(slash - f[0]) : strlen(f[0]);
    d->id = dup(f[0], strlen(f[0]));
    d->collection = dup(f[0], cl);
    d->local_id = dup(slash ? slash + 1 : f[0], strlen(slash ? slash + 1 : f[0]));
    d->title = dup(f[1], strlen(f[1]));
    d->release_status = dup("released", 8);
    d->format = dup("tei", 3);
    for (size_t i = 2; i < n; i++) {
        dc_portion *p = dc_doc_add_portion(d, "paragraph");
        if (!p) fail("build", DC_NOMEM, NULL);
        p->text = dup(f[i], strlen(f[i]));
    }
    return d;
}

static int cmd_build(const char *docs, const char *dir)
{
    FILE *in = fopen(docs, "r");
    if (!in) {
        perror(docs);
        return 1;
    }
    double t0 = now();
    dc_index *ix = NULL;
    dc_error err = {0};
    dc_rc rc = dc_index_open(dir, DC_INDEX_CREATE, &ix, &err);
    if (rc) fail(dir, rc, err.msg);
    if (dc_index_doc_count(ix) != 0) fail(dir, DC_MISUSE, "the index directory is not empty");
    dc_index_writer *w = NULL;
    rc = dc_index_writer_open(ix, 0, &w);
    if (rc) fail("writer", rc, dc_index_errmsg(ix));

    /* every document is released: one view, read by everyone */
    const dc_access_class open_class = {.open = 1};
    const unsigned char need = 1;
    const dc_access_pred open_pred = {&open_class, &need, 1};
    char *line = NULL, *f[4096];
    size_t cap = 0;
    ssize_t len;
    long long n = 0, bytes = 0;
    while ((len = getline(&line, &cap, in)) > 0) {
        bytes += len;
        if (line[len - 1] == '\n') line[--len] = '\0';
        size_t nf = bench_split_tabs(line, f, sizeof f / sizeof f[0]);
        if (nf < 2) continue;
        dc_doc *d = make_doc(f, nf);
        rc = dc_index_writer_add(w, (uint64_t)++n, d, &open_pred);
        dc_doc_free(d);
        if (rc) fail("add", rc, dc_index_errmsg(ix));
    }
    rc = dc_index_writer_commit(w);
    if (rc) fail("commit", rc, dc_index_errmsg(ix));
    unsigned flushed = dc_index_segment_count(ix);
    double t1 = now();
    if (!getenv("BENCH_NO_MERGE") && (rc = dc_index_merge(ix, 0, NULL)) != DC_OK)
        fail("merge", rc, dc_index_errmsg(ix));
    unsigned segs = dc_index_segment_count(ix);
    dc_index_close(ix);
    double t2 = now();
    fclose(in);
    free(line);
    printf("docs %lld\nbytes %lld\nseconds %.3f\nsegments %u\ncommit_seconds %.3f\n"
           "commit_segments %u\n",
           n, bytes, t2 - t0, segs, t1 - t0, flushed);
    return 0;
}

static int cmd_optimize(const char *dir)
{
    double t0 = now();
    dc_index *ix = NULL;
    dc_error err = {0};
    dc_rc rc = dc_index_open(dir, 0, &ix, &err);
    if (rc) fail(dir, rc, err.msg);
    rc = dc_index_optimize(ix);
    if (rc) fail("optimize", rc, dc_index_errmsg(ix));
    unsigned segs = dc_index_segment_count(ix);
    dc_index_close(ix);
    printf("seconds %.3f\nsegments %u\n", now() - t0, segs);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Opens and closes the index REPS times (after one untimed open that
 * brings its files into the page cache): what every `declass search`
 * process pays before its first query. */
static int cmd_open(const char *dir, int reps)
{
    double *t = malloc((size_t)reps * sizeof *t);
    if (!t) fail("open", DC_NOMEM, NULL);
    unsigned segs = 0;
    unsigned long long docs = 0;
    for (int r = -1; r < reps; r++) {
        dc_index *ix = NULL;
        dc_error err = {0};
        double x = now();
        dc_rc rc = dc_index_open(dir, 0, &ix, &err);
        if (rc) fail(dir, rc, err.msg);
        segs = dc_index_segment_count(ix);
        docs = (unsigned long long)dc_index_doc_count(ix);
        dc_index_close(ix);
        if (r >= 0) t[r] = now() - x;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    printf("docs %llu\nsegments %u\nopen_p50_us %.1f\nopen_p90_us %.1f\nopen_min_us %.1f\n",
           docs, segs, t[reps / 2] * 1e6, t[reps * 9 / 10] * 1e6, t[0] * 1e6);
    free(t);
    return 0;
}

/* The timed operation.  Returns the number of hits; *total the total. */
static FILE *dump; /* BENCH_DUMP=FILE: the warm-up round's results, to compare versions */

static int top10(dc_index *ix, dc_analyzer *a, const char *text, long long *total,
                 unsigned long *sink)
{
    dc_query *q = NULL;
    dc_error err = {0};
    dc_rc rc = dc_query_parse(a, text, strlen(text), &q, &err);
    if (rc) fail(text, rc, err.msg);
    dc_search_opts o = {.limit = 10, .classification = -1};
    dc_search_result *r = NULL;
    rc = dc_index_search(ix, a, q, &o, &r);
    if (rc) fail(text, rc, dc_index_errmsg(ix));
    for (size_t i = 0; i < r->n_hits; i++)
        *sink += strlen(r->hits[i].id);
    if (dump) {
        fprintf(dump, "%s\ttotal %llu", text, (unsigned long long)r->total);
        for (size_t i = 0; i < r->n_hits; i++)
            fprintf(dump, " %s:%.9g", r->hits[i].id, r->hits[i].score);
        for (size_t f = 0; f < r->n_facets; f++)
            for (size_t i = 0; i < r->facets[f].n_values; i++)
                fprintf(dump, " %s=%s:%llu", r->facets[f].name, r->facets[f].values[i].value,
                        (unsigned long long)r->facets[f].values[i].count);
        fputc('\n', dump);
    }
    int hits = (int)r->n_hits;
    *total = (long long)r->total;
    dc_search_result_free(r);
    dc_query_free(q);
    return hits;
}

static int cmd_query(const char *dir, const char *qpath, int reps, const char *out)
{
    size_t n;
    bench_query *q = bench_read_queries("bench-declass", qpath, reps, 0, &n);

    dc_index *ix = NULL;
    dc_error err = {0};
    dc_rc rc = dc_index_open(dir, 0, &ix, &err);
    if (rc) fail(dir, rc, err.msg);
    dc_analyzer *a = NULL;
    rc = dc_analyzer_new(&a);
    if (rc) fail("analyzer", rc, NULL);
    unsigned long sink = 0;
    long long total;
    double t0 = now();
    const char *dpath = getenv("BENCH_DUMP");
    if (dpath && !(dump = fopen(dpath, "w"))) {
        perror(dpath);
        return 1;
    }
    for (size_t i = 0; i < n; i++) /* warm-up round, and the totals */
        q[i].hits = top10(ix, a, q[i].text, &q[i].total, &sink);
    if (dump && fclose(dump) != 0) {
        perror(dpath);
        return 1;
    }
    dump = NULL;
    double t1 = now();
    for (int r = 0; r < reps; r++) {
        for (size_t i = 0; i < n; i++) {
            double x = now();
            top10(ix, a, q[i].text, &total, &sink);
            q[i].top[r] = now() - x;
        }
    }
    double t2 = now();
    dc_analyzer_free(a);
    dc_index_close(ix);

    return bench_write_samples(out, q, n, reps, t1 - t0, t2 - t1, sink);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "build") == 0) return cmd_build(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "optimize") == 0) return cmd_optimize(argv[2]);
    if (argc == 4 && strcmp(argv[1], "open") == 0) {
        int reps = bench_reps("bench-declass", argv[3]);
        return reps < 0 ? 2 : cmd_open(argv[2], reps);
    }
    if (argc == 6 && strcmp(argv[1], "query") == 0) {
        int reps = bench_reps("bench-declass", argv[4]);
        return reps < 0 ? 2 : cmd_query(argv[2], argv[3], reps, argv[5]);
    }
    fputs("usage: bench-declass build DOCS.tsv DIR | optimize DIR | query DIR QUERIES REPS OUT\n"
          "       bench-declass open DIR REPS\n",
          stderr);
    return 2;
}
