/*
 * bench_common.h - what bench-declass and bench-fts5 share: the clock, TSV
 * fields, the query list and the samples file of bench/compare.  Header
 * only (each program is one file); never part of libdeclass.
 */
#ifndef DC_BENCH_COMMON_H
#define DC_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Wall time; with BENCH_CPU_CLOCK set in the environment, the thread's
 * CPU time instead (less disturbed by other work on a shared machine;
 * the search is single-threaded and reads a warm page cache). */
static double bench_now(void)
{
    static int cpu = -1;
    if (cpu < 0) cpu = getenv("BENCH_CPU_CLOCK") != NULL;
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench_oom(const char *prog)
{
    fprintf(stderr, "%s: out of memory\n", prog);
    exit(1);
}

/* Splits line (no newline) at tabs into f[0..max); returns the count. */
static size_t bench_split_tabs(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *t = strchr(p, '\t');
        if (!t) break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}

/* One query of QUERIES and its samples (seconds); count NULL when the
 * engine's count is part of its top-10 sample. */
typedef struct bench_query {
    char *text;
    long long total;
    int hits;
    double *top, *count;
} bench_query;

/* The lines of path, each with room for reps samples; exits on failure. */
static bench_query *bench_read_queries(const char *prog, const char *path, int reps,
                                       int with_count, size_t *n_out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    bench_query *q = NULL;
    size_t n = 0, cap = 0, lcap = 0;
    char *line = NULL;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            q = realloc(q, cap * sizeof *q);
            if (!q) bench_oom(prog);
        }
        q[n].text = strdup(line);
        q[n].top = calloc((size_t)reps, sizeof(double));
        q[n].count = with_count ? calloc((size_t)reps, sizeof(double)) : NULL;
        if (!q[n].text || !q[n].top || (with_count && !q[n].count)) bench_oom(prog);
        q[n].total = -1;
        q[n].hits = 0;
        n++;
    }
    free(line);
    fclose(f);
    *n_out = n;
    return q;
}

/* Writes OUT (index, total, hits, top samples, count samples, in
 * microseconds; the count column empty without counts), frees q and prints
 * the summary lines.  Returns the exit code. */
static int bench_write_samples(const char *out, bench_query *q, size_t n, int reps,
                               double warm, double timed, unsigned long sink)
{
    FILE *o = fopen(out, "w");
    if (!o) {
        perror(out);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(o, "%zu\t%lld\t%d\t", i, q[i].total, q[i].hits);
        for (int r = 0; r < reps; r++)
            fprintf(o, "%s%.2f", r ? "," : "", q[i].top[r] * 1e6);
        fputc('\t', o);
        for (int r = 0; q[i].count && r < reps; r++)
            fprintf(o, "%s%.2f", r ? "," : "", q[i].count[r] * 1e6);
        fputc('\n', o);
        free(q[i].text);
        free(q[i].top);
        free(q[i].count);
    }
    free(q);
    if (fclose(o) != 0) {
        perror(out);
        return 1;
    }
    printf("queries %zu\nreps %d\nwarm_seconds %.3f\ntimed_seconds %.3f\nsink %lu\n", n, reps,
           warm, timed, sink);
    return 0;
}

/* REPS of the command line, 1..100000, or -1. */
static int bench_reps(const char *prog, const char *s)
{
    char *end;
    long reps = strtol(s, &end, 10);
    if (*end || reps < 1 || reps > 100000) {
        fprintf(stderr, "%s: REPS must be 1..100000\n", prog);
        return -1;
    }
    return (int)reps;
}

#endif
