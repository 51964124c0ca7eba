/*
 * bench-fts5: the SQLite FTS5 side of bench/compare (not a test; built
 * with the project so that it cannot rot, run by hand).
 *
 *   bench-fts5 build DOCS.tsv DB        index the documents of bench/extract-docs
 *   bench-fts5 optimize DB              merge into one b-tree, then VACUUM
 *   bench-fts5 query DB QUERIES REPS OUT
 *
 * The index is a contentless FTS5 table (content=''): it stores the
 * inverted index only, not a second copy of the text, like the declass
 * index.  Columns title and body (the blocks joined by newlines), tokenizer
 * 'porter unicode61', detail=full (positions, for phrases), rank
 * bm25(2.0, 1.0) (title boosted as declass boosts it).  The document ids
 * ("frusgen-v0001/d1") live in an ordinary table ids(rowid, id) in the
 * same file, so that a search returns ids as the other engines do.  The
 * whole build is one transaction.
 *
 * query: QUERIES holds one FTS5 MATCH expression per line (bench/compare
 * translates bench/queries.txt).  Every query runs once to warm up, then
 * REPS rounds run every query once each; a sample is the time of
 * "SELECT rowid ... MATCH ? ORDER BY rank LIMIT 10" to completion plus
 * the lookup of the 10 ids.  The exact number of matches comes from a
 * separate count(*) (timed on its own, once per round, reported apart).
 * OUT gets one line per query: index, total, hits, then the top-10
 * samples and the count samples in microseconds.
 * Summary lines "key value" go to stdout.
 */
#include <sqlite3.h>

#include "bench_common.h"
#include "util/banned.h"

#define now bench_now

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench-fts5: %s: %s\n", what, db ? sqlite3_errmsg(db) : "error");
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench-fts5: %s: %s\n", sql, err ? err : "?");
        exit(1);
    }
}

static sqlite3 *open_db(const char *path, int flags)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) die(db, path);
    return db;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(db, sql);
    return st;
}

static int cmd_build(const char *docs, const char *path)
{
    FILE *in = fopen(docs, "r");
    if (!in) {
        perror(docs);
        return 1;
    }
    remove(path);
    double t0 = now();
    sqlite3 *db = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    exec(db, "BEGIN");
    exec(db, "CREATE VIRTUAL TABLE fts USING fts5(title, body, content='', "
             "tokenize='porter unicode61')");
    exec(db, "INSERT INTO fts(fts, rank) VALUES('rank', 'bm25(2.0, 1.0)')");
    exec(db, "CREATE TABLE ids(id TEXT NOT NULL)");
    sqlite3_stmt *ins = prepare(db, "INSERT INTO fts(rowid, title, body) VALUES(?1, ?2, ?3)");
    sqlite3_stmt *ins_id = prepare(db, "INSERT INTO ids(rowid, id) VALUES(?1, ?2)");

    char *line = NULL, *body = NULL, *f[4096];
    size_t cap = 0, body_cap = 0;
    ssize_t len;
    long long docs_n = 0, bytes = 0;
    while ((len = getline(&line, &cap, in)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        size_t n = bench_split_tabs(line, f, sizeof f / sizeof f[0]);
        if (n < 2) continue;
        /* body: the blocks joined by newlines (a bigger buffer never needed
         * than the line itself) */
        if (body_cap < (size_t)len + 1) {
            body_cap = (size_t)len + 1;
            body = realloc(body, body_cap);
            if (!body) die(NULL, "out of memory");
        }
        size_t bl = 0;
        for (size_t i = 2; i < n; i++) {
            size_t k = strlen(f[i]);
            if (bl) body[bl++] = '\n';
            memcpy(body + bl, f[i], k);
            bl += k;
        }
        body[bl] = '\0';
        sqlite3_int64 rowid = ++docs_n;
        sqlite3_bind_int64(ins, 1, rowid);
        sqlite3_bind_text(ins, 2, f[1], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, body, (int)bl, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) die(db, "insert");
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins_id, 1, rowid);
        sqlite3_bind_text(ins_id, 2, f[0], -1, SQLITE_STATIC);
        if (sqlite3_step(ins_id) != SQLITE_DONE) die(db, "insert id");
        sqlite3_reset(ins_id);
        bytes += len;
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(ins_id);
    exec(db, "COMMIT");
    if (sqlite3_close(db) != SQLITE_OK) die(db, "close");
    double t1 = now();
    fclose(in);
    free(line);
    free(body);
    printf("docs %lld\nbytes %lld\nseconds %.3f\n", docs_n, bytes, t1 - t0);
    return 0;
}

static int cmd_optimize(const char *path)
{
    double t0 = now();
    sqlite3 *db = open_db(path, SQLITE_OPEN_READWRITE);
    exec(db, "INSERT INTO fts(fts) VALUES('optimize')");
    exec(db, "VACUUM");
    if (sqlite3_close(db) != SQLITE_OK) die(db, "close");
    printf("seconds %.3f\n", now() - t0);
    return 0;
}

/* The timed operation: top 10 by rank and their ids. */
static int top10(sqlite3 *db, sqlite3_stmt *top, sqlite3_stmt *id, const char *match,
                 unsigned long *sink)
{
    int hits = 0;
    sqlite3_bind_text(top, 1, match, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(top)) == SQLITE_ROW) {
        sqlite3_bind_int64(id, 1, sqlite3_column_int64(top, 0));
        if (sqlite3_step(id) != SQLITE_ROW) die(db, "id lookup");
        *sink += (unsigned long)sqlite3_column_bytes(id, 0);
        sqlite3_reset(id);
        hits++;
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "bench-fts5: query '%s': %s\n", match, sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_reset(top);
    return hits;
}

static long long count_all(sqlite3 *db, sqlite3_stmt *cnt, const char *match)
{
    sqlite3_bind_text(cnt, 1, match, -1, SQLITE_STATIC);
    if (sqlite3_step(cnt) != SQLITE_ROW) die(db, "count");
    long long total = sqlite3_column_int64(cnt, 0);
    sqlite3_reset(cnt);
    return total;
}

static int cmd_query(const char *path, const char *qpath, int reps, const char *out)
{
    size_t n;
    bench_query *q = bench_read_queries("bench-fts5", qpath, reps, 1, &n);
    sqlite3 *db = open_db(path, SQLITE_OPEN_READONLY);
    sqlite3_stmt *top =
        prepare(db, "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT 10");
    sqlite3_stmt *id = prepare(db, "SELECT id FROM ids WHERE rowid = ?1");
    sqlite3_stmt *cnt = prepare(db, "SELECT count(*) FROM fts WHERE fts MATCH ?1");
    unsigned long sink = 0;
    double t0 = now();
    for (size_t i = 0; i < n; i++) { /* warm-up round, and the totals */
        q[i].hits = top10(db, top, id, q[i].text, &sink);
        q[i].total = count_all(db, cnt, q[i].text);
    }
    double t1 = now();
    for (int r = 0; r < reps; r++) {
        for (size_t i = 0; i < n; i++) {
            double a = now();
            top10(db, top, id, q[i].text, &sink);
            double b = now();
            count_all(db, cnt, q[i].text);
            double c = now();
            q[i].top[r] = b - a;
            q[i].count[r] = c - b;
        }
    }
    double t2 = now();
    sqlite3_finalize(top);
    sqlite3_finalize(id);
    sqlite3_finalize(cnt);
    sqlite3_close(db);

    return bench_write_samples(out, q, n, reps, t1 - t0, t2 - t1, sink);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "build") == 0) return cmd_build(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "optimize") == 0) return cmd_optimize(argv[2]);
    if (argc == 6 && strcmp(argv[1], "query") == 0) {
        int reps = bench_reps("bench-fts5", argv[4]);
        return reps < 0 ? 2 : cmd_query(argv[2], argv[3], reps, argv[5]);
    }
    fputs("usage: bench-fts5 build DOCS.tsv DB | optimize DB | query DB QUERIES REPS OUT\n",
          stderr);
    return 2;
}
