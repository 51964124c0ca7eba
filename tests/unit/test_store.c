/*
 * Unit tests of the store: open/create/refuse, versioned put, get, list,
 * count, audit (append-only), transactions, migrations, corruption.
 * Each test works in its own database under a mkdtemp directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "store/store.h"
#include "model/model_int.h"
#include "store/store_int.h"
#include "test.h"
#include "util/util_int.h"

#include "util/banned.h"

static char tmpdir[64];

/* A fresh path inside tmpdir (removed with its -wal/-shm at the end). */
static const char *db_path(const char *name)
{
    static char buf[8][128];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

static void remove_db(const char *path)
{
    char p[160];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static dc_doc *make_doc(const char *collection, const char *local, const char *number,
                        const char *title)
{
    dc_doc *d = dc_doc_new();
    if (!d) return NULL;
    char id[128];
    snprintf(id, sizeof id, "%s/%s", collection, local);
    dc_str_set(&d->id, id);
    dc_str_set(&d->collection, collection);
    dc_str_set(&d->local_id, local);
    dc_str_set(&d->number, number);
    dc_str_set(&d->title, title);
    dc_str_set(&d->doc_type, "report");
    dc_str_set(&d->date, "1959-07-01");
    dc_str_set(&d->classification, "TOP SECRET");
    dc_str_set(&d->release_status, "released");
    dc_str_set(&d->format, "text");
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    if (p) {
        dc_str_set(&p->text, "The United States should seek to maintain its position.");
        dc_str_set(&p->page, "572");
    }
    p = dc_doc_add_portion(d, "paragraph");
    if (p) dc_str_set(&p->text, "Annex F is limited to four named officials.");
    return d;
}

/* Runs sql on a raw connection to path; returns the SQLite code and copies
 * the error message (if any) into msg. */
static int raw_exec(const char *path, const char *sql, char *msg, size_t cap)
{
    sqlite3 *db = NULL;
    char *em = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, &em);
    if (msg) snprintf(msg, cap, "%s", em ? em : "");
    sqlite3_free(em);
    sqlite3_close(db);
    return rc;
}

/* One integer from a raw query on path, or -1. */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* One text value from a raw query on path, copied into out ("" if none). */
static void raw_text(const char *path, const char *sql, char *out, size_t cap)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    out[0] = '\0';
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        snprintf(out, cap, "%s", v ? v : "(null)");
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void write_bytes(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(bytes, 1, n, f);
        fclose(f);
    }
}

static void test_open_missing(void)
{
    dc_store *st = (dc_store *)&st;
    dc_error err = {0};
    dc_rc rc = dc_store_open(db_path("missing.db"), 0, &st, &err);
    CHECK_INT(rc, DC_NOTFOUND);
    CHECK(st == NULL);
    CHECK_INT(err.rc, DC_NOTFOUND);
    CHECK(strstr(err.msg, "no database at ") != NULL);
    CHECK(strstr(err.msg, "run 'declass init'") != NULL);
    CHECK(access(db_path("missing.db"), F_OK) != 0); /* nothing was created */

    /* A missing directory with CREATE is an I/O error, not a crash. */
    rc = dc_store_open(db_path("no/such/dir.db"), DC_STORE_CREATE, &st, &err);
    CHECK_INT(rc, DC_IO);
    CHECK(st == NULL);
    CHECK_INT(dc_store_open(NULL, 0, &st, &err), DC_MISUSE);
}

static void test_create_schema(void)
{
    const char *path = db_path("create.db");
    dc_store *st = NULL;
    dc_error err = {0};
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, &err), DC_OK);
    CHECK(st != NULL);
    CHECK_STR(dc_store_errmsg(st), "no error");
    long n = -1;
    CHECK_INT(dc_store_count(st, &n), DC_OK);
    CHECK_INT(n, 0);
    dc_store_close(st);

    CHECK_INT(raw_int(path, "PRAGMA application_id"), 0x44434C53);
    CHECK_INT(raw_int(path, "PRAGMA user_version"), dc_store_n_migrations);
    /* 2: users, 3: persons and terms, 4: audit chain and insert triggers,
     * 5: users' credential generation, 6: versions.marked, 7: reviews,
     * 8: volumes, 9: page images, 10 and 11: the audit journal's state,
     * 12: the insert triggers refuse with FAIL */
    CHECK_INT(dc_store_n_migrations, 12);
    char mode[32];
    raw_text(path, "PRAGMA journal_mode", mode, sizeof mode);
    CHECK_STR(mode, "wal");
    CHECK_INT(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
                            " ('versions_date', 'documents_collection')"),
              2);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"), 9);

    /* Reopening without CREATE finds it and changes nothing. */
    CHECK_INT(dc_store_open(path, 0, &st, &err), DC_OK);
    dc_store_close(st);
    CHECK_INT(raw_int(path, "PRAGMA user_version"), dc_store_n_migrations);
    dc_store_close(NULL);
}

static void test_put_get_versions(void)
{
    const char *path = db_path("put.db");
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    if (!st) return;

    dc_doc *d = make_doc("frus1958-60v18", "d279", "279", "National Security Council Report");
    dc_put_result res = 0;
    int ver = -1;
    CHECK_INT(dc_store_put(st, d, "samples/d279.txt", &res, &ver), DC_OK);
    CHECK_INT(res, DC_PUT_NEW);
    CHECK_INT(ver, 1);

    dc_doc *g = NULL;
    CHECK_INT(dc_store_get(st, "frus1958-60v18/d279", 0, &g), DC_OK);
    CHECK(g != NULL);
    if (g) {
        CHECK_STR(g->id, "frus1958-60v18/d279");
        CHECK_STR(g->collection, "frus1958-60v18");
        CHECK_STR(g->number, "279");
        CHECK_STR(g->title, "National Security Council Report");
        CHECK_STR(g->date, "1959-07-01");
        CHECK_STR(g->classification, "TOP SECRET");
        CHECK_STR(g->doc_type, "report");
        CHECK_STR(g->release_status, "released");
        CHECK_INT(g->n_portions, 2);
        if (g->n_portions == 2) {
            CHECK_STR(g->portions[0].id, "p1");
            CHECK_STR(g->portions[0].page, "572");
            CHECK_STR(g->portions[1].text, "Annex F is limited to four named officials.");
        }
    }
    dc_doc_free(g);

    /* The stored row carries the metadata columns and the hash of the body. */
    char text[256];
    raw_text(path, "SELECT source || '|' || format || '|' || title || '|' || number"
                   " FROM versions WHERE version = 1",
             text, sizeof text);
    CHECK_STR(text, "samples/d279.txt|text|National Security Council Report|279");
    /* The body is the stored form: the compact JSON without nulls, empty
     * lists and false flags, which reads back to the same document; the
     * hash is of its bytes. */
    char body[2048], *json = NULL, *back = NULL;
    raw_text(path, "SELECT body FROM versions WHERE version = 1", body, sizeof body);
    CHECK(strncmp(body, "{\"id\":\"frus1958-60v18/d279\",", 28) == 0);
    CHECK(strstr(body, "null") == NULL && strstr(body, "[]") == NULL &&
          strstr(body, "false") == NULL);
    CHECK(strstr(body, "\"page\":\"572\"") != NULL);
    {
        unsigned char h[32];
        char hex[65];
        crypto_generichash(h, sizeof h, (const unsigned char *)body, strlen(body), NULL, 0);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        raw_text(path, "SELECT hash FROM versions WHERE version = 1", text, sizeof text);
        CHECK_STR(text, hex);
    }
    dc_doc *parsed = NULL;
    CHECK_INT(dc_doc_from_json(body, strlen(body), &parsed), DC_OK);
    CHECK_INT(dc_doc_to_json(d, 0, &json), DC_OK);
    if (parsed) CHECK_INT(dc_doc_to_json(parsed, 0, &back), DC_OK);
    if (json && back) {
        CHECK_STR(back, json);
        CHECK(strlen(body) < strlen(json));
        CHECK(strstr(json, "\"title_note\":null") != NULL);
    }
    dc_doc_free(parsed);
    dc_free(back);
    dc_free(json);
    raw_text(path, "SELECT ingested_at FROM versions WHERE version = 1", text, sizeof text);
    CHECK_INT(strlen(text), 20);
    CHECK(text[4] == '-' && text[10] == 'T' && text[19] == 'Z');

    /* Same content again: nothing written, still version 1. */
    res = 0;
    ver = -1;
    CHECK_INT(dc_store_put(st, d, "elsewhere.txt", &res, &ver), DC_OK);
    CHECK_INT(res, DC_PUT_UNCHANGED);
    CHECK_INT(ver, 1);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM versions"), 1);

    /* A version stored by an older release in the full form (every
     * member, nulls and empty lists too) has another hash for the same
     * document: putting that document again still writes nothing. */
    {
        char *full = NULL, sql[4096];
        CHECK_INT(dc_doc_to_json(d, 0, &full), DC_OK);
        unsigned char h[32];
        char hex[65];
        if (full && strlen(full) < 3000) {
            crypto_generichash(h, sizeof h, (const unsigned char *)full, strlen(full), NULL, 0);
            sodium_bin2hex(hex, sizeof hex, h, sizeof h);
            snprintf(sql, sizeof sql,
                     "DROP TRIGGER versions_no_update;"
                     "UPDATE versions SET body = '%s', hash = '%s';"
                     "CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions"
                     " BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END",
                     full, hex);
            CHECK_INT(raw_exec(path, sql, NULL, 0), SQLITE_OK);
            raw_text(path, "SELECT hash FROM versions WHERE version = 1", text, sizeof text);
            CHECK_STR(text, hex);
        }
        dc_free(full);
        CHECK_INT(dc_store_put(st, d, "upgraded.txt", &res, &ver), DC_OK);
        CHECK_INT(res, DC_PUT_UNCHANGED);
        CHECK_INT(ver, 1);
        CHECK_INT(raw_int(path, "SELECT count(*) FROM versions"), 1);
    }

    /* A changed title adds version 2 and keeps version 1. */
    dc_str_set(&d->title, "Statement of U.S. Policy Toward the Near East");
    CHECK_INT(dc_store_put(st, d, "samples/d279.txt", &res, &ver), DC_OK);
    CHECK_INT(res, DC_PUT_UPDATED);
    CHECK_INT(ver, 2);
    CHECK_INT(dc_store_put(st, d, NULL, &res, &ver), DC_OK);
    CHECK_INT(res, DC_PUT_UNCHANGED);
    CHECK_INT(ver, 2);
    CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);

    CHECK_INT(dc_store_get(st, "frus1958-60v18/d279", 1, &g), DC_OK);
    if (g) CHECK_STR(g->title, "National Security Council Report");
    dc_doc_free(g);
    CHECK_INT(dc_store_get(st, "frus1958-60v18/d279", 0, &g), DC_OK);
    if (g) CHECK_STR(g->title, "Statement of U.S. Policy Toward the Near East");
    dc_doc_free(g);
    CHECK_INT(dc_store_get(st, "frus1958-60v18/d279", 2, &g), DC_OK);
    if (g) CHECK_STR(g->title, "Statement of U.S. Policy Toward the Near East");
    dc_doc_free(g);

    g = (dc_doc *)&g;
    CHECK_INT(dc_store_get(st, "frus1958-60v18/d279", 3, &g), DC_NOTFOUND);
    CHECK(g == NULL);
    CHECK(strstr(dc_store_errmsg(st), "has no version 3") != NULL);
    CHECK_INT(dc_store_get(st, "frus1958-60v18/d999", 0, &g), DC_NOTFOUND);
    CHECK(strstr(dc_store_errmsg(st), "no document frus1958-60v18/d999") != NULL);
    CHECK_INT(dc_store_get(st, "frus1958-60v18/d279", -1, &g), DC_MISUSE);

    CHECK_INT(raw_int(path, "SELECT current_version FROM documents"), 2);
    /* Old versions cannot be changed or removed behind the store's back. */
    char msg[128];
    CHECK_INT(raw_exec(path, "DELETE FROM versions WHERE version = 1", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK_STR(msg, "document versions are immutable");
    CHECK_INT(raw_exec(path, "UPDATE versions SET title = 'x'", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK_STR(msg, "document versions are immutable");
    CHECK_INT(raw_int(path, "SELECT count(*) FROM collections WHERE name = 'frus1958-60v18'"), 1);

    /* Missing id or collection is a misuse, and nothing is written. */
    dc_doc *bad = make_doc("c", "x", NULL, "t");
    dc_str_set(&bad->id, NULL);
    CHECK_INT(dc_store_put(st, bad, NULL, &res, &ver), DC_MISUSE);
    CHECK(strstr(dc_store_errmsg(st), "no id") != NULL);
    dc_str_set(&bad->id, "c/x");
    dc_str_set(&bad->collection, "");
    CHECK_INT(dc_store_put(st, bad, NULL, &res, &ver), DC_MISUSE);
    CHECK(strstr(dc_store_errmsg(st), "no collection") != NULL);
    CHECK_INT(dc_store_put(st, NULL, NULL, &res, &ver), DC_MISUSE);
    dc_doc_free(bad);
    long n = 0;
    CHECK_INT(dc_store_count(st, &n), DC_OK);
    CHECK_INT(n, 1);

    dc_doc_free(d);
    dc_store_close(st);

    /* Versions survive reopening. */
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    CHECK_INT(dc_store_get(st, "frus1958-60v18/d279", 1, &g), DC_OK);
    if (g) CHECK_STR(g->title, "National Security Council Report");
    dc_doc_free(g);
    dc_store_close(st);
}

struct listed {
    int n;
    char ids[16][64];
    int versions[16], n_versions[16];
    int stop_after;
};

static dc_rc collect(void *ctx, const dc_doc_summary *s)
{
    struct listed *l = ctx;
    if (l->n < 16) {
        snprintf(l->ids[l->n], sizeof l->ids[0], "%s", s->id);
        l->versions[l->n] = s->version;
        l->n_versions[l->n] = s->n_versions;
    }
    l->n++;
    return l->stop_after && l->n >= l->stop_after ? DC_LIMIT : DC_OK;
}

static void test_list_count(void)
{
    const char *path = db_path("list.db");
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    if (!st) return;
    struct {
        const char *coll, *local, *number;
    } docs[] = {
        {"vol", "d10", "10"}, {"vol", "d9", "9"},   {"vol", "d100", "100"},
        {"vol", "ch1", NULL}, {"vol", "a1", "1a"},  {"aaa", "z", "2"},
        {"vol", "d2", "2"},   {"vol", "d02", "02"},
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        dc_doc *d = make_doc(docs[i].coll, docs[i].local, docs[i].number, "title");
        CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);
        if (i == 1) { /* give vol/d9 three versions */
            dc_str_set(&d->title, "title 2");
            CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);
            dc_str_set(&d->title, "title 3");
            CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);
        }
        dc_doc_free(d);
    }

    struct listed l = {0};
    CHECK_INT(dc_store_list(st, collect, &l), DC_OK);
    CHECK_INT(l.n, 8);
    /* Collection first; numeric numbers in numeric order (ties by id);
     * then the rest by id. */
    const char *want[] = {"aaa/z",  "vol/d02", "vol/d2",  "vol/d9",
                          "vol/d10", "vol/d100", "vol/a1", "vol/ch1"};
    for (int i = 0; i < 8 && i < l.n; i++) CHECK_STR(l.ids[i], want[i]);
    CHECK_INT(l.versions[3], 3);
    CHECK_INT(l.n_versions[3], 3);
    CHECK_INT(l.versions[0], 1);
    CHECK_INT(l.n_versions[0], 1);

    long n = 0;
    CHECK_INT(dc_store_count(st, &n), DC_OK);
    CHECK_INT(n, 8);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM collections"), 2);

    /* A callback's error stops the listing and is returned; the store is
     * usable afterwards (the statement was reset). */
    struct listed stop = {.stop_after = 2};
    CHECK_INT(dc_store_list(st, collect, &stop), DC_LIMIT);
    CHECK_INT(stop.n, 2);
    CHECK(strstr(dc_store_errmsg(st), "stopped by the caller") != NULL);
    CHECK_INT(dc_store_list(st, NULL, NULL), DC_MISUSE);
    dc_doc *d = make_doc("vol", "d11", "11", "t");
    CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);
    dc_doc_free(d);
    CHECK_INT(dc_store_count(st, &n), DC_OK);
    CHECK_INT(n, 9);
    dc_store_close(st);
}

/* Folds the audit journal of the database at path into its table. */
static void fold_journal(const char *path)
{
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    if (!st) return;
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    dc_store_close(st);
}

static long long file_len(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Appends text to the file at path (created). */
static void append_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static dc_rc count_entry(void *ctx, const dc_audit_entry *e)
{
    (void)e;
    ++*(int *)ctx;
    return DC_OK;
}

/* The user of audit row id (a scratch buffer). */
static const char *user_of(const char *path, int id)
{
    static char out[64];
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT user FROM audit WHERE id = %d", id);
    raw_text(path, sql, out, sizeof out);
    return out;
}

/* Audit rows outside a transaction go to the journal beside the database
 * (no write transaction); the next transaction, or reading the log, folds
 * them into the table in order, each with its link in the chain. */
static void test_audit(void)
{
    const char *path = db_path("audit.db");
    char jpath[4200];
    snprintf(jpath, sizeof jpath, "%s-audit", path);
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    if (!st) return;
    CHECK_INT(dc_store_audit(st, NULL, "read", "vol/d1", NULL), DC_OK);
    CHECK_INT(dc_store_audit(st, "alice", "withhold", "vol/d1", "p3 reason 1.4(c)"), DC_OK);
    CHECK_INT(dc_store_audit(st, "alice", NULL, NULL, NULL), DC_MISUSE);
    CHECK_INT(dc_store_audit(st, "alice", "", NULL, NULL), DC_MISUSE);
    dc_store_close(st);

    /* appended, not yet in the table */
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit"), 0);
    char *text = NULL;
    size_t len = 0;
    CHECK_INT(dc_read_file(jpath, 1 << 20, &text, &len, NULL), DC_OK);
    CHECK(text && strncmp(text, "{\"journal\":\"", 12) == 0 && text[46] == '\n');
    CHECK(text && strstr(text, "\n{\"at\":\"") &&
          strstr(text, "\"user\":\"public\",\"action\":"
                       "\"read\",\"target\":\"vol/d1\""));
    CHECK(text && strstr(text, "\"detail\":\"p3 reason 1.4(c)\",\"n\":\""));
    free(text);
    struct stat sb;
    CHECK_INT(stat(jpath, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0600); /* the database's */

    /* reading the log folds them */
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    int n = 0;
    CHECK_INT(dc_store_audit_list(st, count_entry, &n), DC_OK);
    CHECK_INT(n, 2);
    CHECK_INT(dc_store_verify(st), DC_OK);
    dc_store_close(st);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit"), 2);
    CHECK_INT(raw_int(path, "SELECT folded FROM audit_journal"), file_len(jpath));
    CHECK_INT(raw_int(path, "SELECT length(name) FROM audit_journal"), 32);
    char row[256];
    raw_text(path, "SELECT user || '|' || action || '|' || target FROM audit WHERE id = 1", row,
             sizeof row);
    CHECK_STR(row, "public|read|vol/d1");
    raw_text(path, "SELECT detail FROM audit WHERE id = 2", row, sizeof row);
    CHECK_STR(row, "p3 reason 1.4(c)");
    raw_text(path, "SELECT at FROM audit WHERE id = 2", row, sizeof row);
    CHECK_INT(strlen(row), 20);
    CHECK(row[10] == 'T' && row[19] == 'Z');

    /* a fold committed is not repeated; journal rows come before a later
     * transaction's own */
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit"), 2);
    CHECK_INT(dc_store_audit(st, "bob", "search", "q1", NULL), DC_OK);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_audit(st, "carol", "release", "vol/d1", NULL), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_STR(user_of(path, 3), "bob");
    CHECK_STR(user_of(path, 4), "carol");

    /* a fold rolled back is folded again, with what came after, in order,
     * before the next transaction's own rows */
    CHECK_INT(dc_store_audit(st, "dave", "search", "q2", NULL), DC_OK);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_rollback(st), DC_OK);
    CHECK_INT(dc_store_audit(st, "erin", "search", "q3", NULL), DC_OK);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_audit(st, "frank", "release", "vol/d1", NULL), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_STR(user_of(path, 5), "dave");
    CHECK_STR(user_of(path, 6), "erin");
    CHECK_STR(user_of(path, 7), "frank");
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit"), 7);

    /* a torn line (a write that failed) is skipped, the next row kept,
     * and the log says so */
    append_text(jpath, "\n{\"at\":\"2026-01-01T00:00:00Z\",\"user\":\"x\",\"act");
    CHECK_INT(dc_store_audit(st, "gina", "search", "q4", NULL), DC_OK);
    append_text(jpath, "\n[1,2]\n");
    n = 0;
    CHECK_INT(dc_store_audit_list(st, count_entry, &n), DC_OK);
    CHECK_INT(n, 9);
    CHECK_INT(dc_store_verify(st), DC_OK);
    CHECK_STR(user_of(path, 8), "gina");
    raw_text(path, "SELECT user || '|' || action || '|' || detail FROM audit WHERE id = 9", row,
             sizeof row);
    CHECK_STR(row, "declass|audit-journal|2 damaged lines skipped (writes that failed)");

    /* a row too long for a line goes to the table, after the journal */
    CHECK_INT(dc_store_audit(st, "hal", "search", "q5", NULL), DC_OK);
    char *big = malloc(70000);
    if (big) {
        memset(big, 'x', 69999);
        big[69999] = '\0';
        CHECK_INT(dc_store_audit(st, "ivy", "read-missing", big, NULL), DC_OK);
        free(big);
    }
    CHECK_STR(user_of(path, 10), "hal");
    CHECK_STR(user_of(path, 11), "ivy");
    CHECK_INT(raw_int(path, "SELECT length(target) FROM audit WHERE id = 11"), 69999);

    /* a long journal: a read that takes it past 1 MiB folds it, and a
     * second round empties it once that fold has committed */
    char name[64];
    raw_text(path, "SELECT name FROM audit_journal", name, sizeof name);
    for (int i = 0; i < 12000; i++) {
        char q[32];
        snprintf(q, sizeof q, "bulk %d", i);
        if (dc_store_audit(st, "kim", "search", q, NULL) != DC_OK) {
            CHECK(!"bulk audit");
            break;
        }
    }
    CHECK(file_len(jpath) < (1 << 20)); /* 12,000 rows of 100 bytes: emptied once */
    n = 0;
    CHECK_INT(dc_store_audit_list(st, count_entry, &n), DC_OK);
    CHECK_INT(n, 11 + 12000);
    CHECK_INT(raw_int(path, "SELECT count(DISTINCT target) FROM audit WHERE user = 'kim'"), 12000);
    CHECK_INT(raw_int(path, "SELECT min(id) = 12 AND max(id) = 12011 FROM audit"
                            " WHERE user = 'kim'"),
              1);
    raw_text(path, "SELECT name FROM audit_journal", row, sizeof row);
    CHECK(strlen(row) == 32 && strcmp(row, name) != 0); /* a new journal since */
    CHECK_INT(dc_store_verify(st), DC_OK);
    dc_store_close(st);

    /* a journal that does not end where its fold did (a crash lost the
     * end of the file, not the commit, and it grew again): folded again
     * from its start, none lost (some may be doubled), and the log says so */
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    CHECK_INT(dc_store_audit(st, "mia", "search", "q7", NULL), DC_OK);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_INT(truncate(jpath, 47), 0); /* the header alone */
    CHECK_INT(dc_store_audit(st, "ned", "search", "q8", NULL), DC_OK);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    dc_store_close(st);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE user = 'ned'"), 1);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE action = 'audit-journal'"
                            " AND detail LIKE '%folded again from its start%'"),
              1);

    /* a FIFO where the journal goes: a read fails (it does not block), a
     * write goes on (the rows wait), reading the log says why */
    CHECK_INT(unlink(jpath), 0);
    CHECK_INT(mkfifo(jpath, 0600), 0);
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    CHECK_INT(dc_store_audit(st, "lee", "search", "q6", NULL), DC_IO);
    CHECK(strstr(dc_store_errmsg(st), "audit journal") != NULL);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    n = 0;
    CHECK_INT(dc_store_audit_list(st, count_entry, &n), DC_IO);
    dc_store_close(st);
    CHECK_INT(unlink(jpath), 0);

    char msg[256];
    CHECK_INT(raw_exec(path, "UPDATE audit SET user = 'mallory'", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK_STR(msg, "audit log is append-only");
    CHECK_INT(raw_exec(path, "DELETE FROM audit WHERE id = 1", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK_STR(msg, "audit log is append-only");
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE user = 'public'"), 1);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit"), 12014);

    /* the journal takes the database file's mode */
    path = db_path("audit-mode.db");
    snprintf(jpath, sizeof jpath, "%s-audit", path);
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    dc_store_close(st);
    CHECK_INT(chmod(path, 0640), 0);
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    CHECK_INT(dc_store_audit(st, NULL, "list", NULL, NULL), DC_OK);
    dc_store_close(st);
    CHECK_INT(stat(jpath, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0640);
}

static void test_transactions(void)
{
    const char *path = db_path("txn.db");
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    if (!st) return;
    dc_doc *a = make_doc("c1", "a", "1", "A");
    dc_doc *b = make_doc("c2", "b", "2", "B");

    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_begin(st), DC_MISUSE);
    CHECK(strstr(dc_store_errmsg(st), "already open") != NULL);
    CHECK_INT(dc_store_put(st, a, NULL, NULL, NULL), DC_OK);
    CHECK_INT(dc_store_put(st, b, NULL, NULL, NULL), DC_OK);
    CHECK_INT(dc_store_audit(st, "bob", "ingest", "c1/a", NULL), DC_OK);
    long n = 0;
    CHECK_INT(dc_store_count(st, &n), DC_OK);
    CHECK_INT(n, 2); /* visible inside the transaction */
    CHECK_INT(dc_store_rollback(st), DC_OK);

    CHECK_INT(dc_store_count(st, &n), DC_OK);
    CHECK_INT(n, 0);
    dc_doc *g = NULL;
    CHECK_INT(dc_store_get(st, "c1/a", 0, &g), DC_NOTFOUND);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM versions"), 0);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM collections"), 0);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit"), 0);
    CHECK_INT(dc_store_rollback(st), DC_OK); /* nothing open: no-op */

    /* Rows of a batch inside the caller's transaction: a part of it,
     * rolled back and committed with it, chained after the rows before */
    const dc_audit_row rows[2] = {{"2026-12-07T01:02:03Z", "bob", "ingest", "f1", "1 document"},
                                  {"2026-12-07T01:02:04Z", NULL, "ingest", "f2", NULL}};
    CHECK_INT(dc_store_audit(st, "bob", "init", NULL, NULL), DC_OK);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_audit_rows(st, rows, 2), DC_OK);
    CHECK(dc_store_in_transaction(st));
    CHECK_INT(dc_store_rollback(st), DC_OK);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE action = 'ingest'"), 0);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_audit(st, "bob", "other", NULL, NULL), DC_OK);
    CHECK_INT(dc_store_audit_rows(st, rows, 2), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE action = 'ingest' AND id > "
                            "(SELECT id FROM audit WHERE action = 'other')"),
              2);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE target = 'f2' AND user = 'public'"),
              1);
    CHECK_INT(dc_store_verify(st), DC_OK); /* the chain holds */
    /* a bad row undoes the batch's part only, not the caller's writes */
    const dc_audit_row bad[2] = {rows[0], {NULL, "bob", "ingest", "f3", NULL}};
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_audit(st, "bob", "kept", NULL, NULL), DC_OK);
    CHECK_INT(dc_store_audit_rows(st, bad, 2), DC_MISUSE);
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE action = 'kept'"), 1);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE action = 'ingest'"), 2);
    CHECK_INT(dc_store_verify(st), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_MISUSE);

    /* Committed puts are there, including an update within the same
     * transaction (savepoint inside the caller's transaction). */
    dc_put_result res = 0;
    int ver = 0;
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_put(st, a, NULL, &res, &ver), DC_OK);
    CHECK_INT(res, DC_PUT_NEW);
    dc_str_set(&a->title, "A2");
    CHECK_INT(dc_store_put(st, a, NULL, &res, &ver), DC_OK);
    CHECK_INT(res, DC_PUT_UPDATED);
    CHECK_INT(ver, 2);
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM versions WHERE doc_id = 'c1/a'"), 2);
    CHECK_INT(dc_store_get(st, "c1/a", 0, &g), DC_OK);
    if (g) CHECK_STR(g->title, "A2");
    dc_doc_free(g);

    /* A put that fails half-way (its version row is refused, after the
     * collection and document rows were written) undoes only itself:
     * inside a transaction through the savepoint, alone through its own
     * transaction. */
    CHECK_INT(raw_exec(path,
                       "CREATE TRIGGER boom BEFORE INSERT ON versions"
                       " WHEN NEW.doc_id = 'c9/boom' BEGIN SELECT RAISE(ABORT, 'boom'); END",
                       NULL, 0),
              SQLITE_OK);
    dc_doc *boom = make_doc("c9", "boom", "9", "B");
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_put(st, b, NULL, NULL, NULL), DC_OK);
    CHECK_INT(dc_store_put(st, boom, NULL, NULL, NULL), DC_CORRUPT);
    CHECK(strstr(dc_store_errmsg(st), "boom") != NULL);
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_INT(dc_store_count(st, &n), DC_OK);
    CHECK_INT(n, 2);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM collections WHERE name = 'c9'"), 0);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM documents WHERE id = 'c9/boom'"), 0);
    CHECK_INT(dc_store_put(st, boom, NULL, NULL, NULL), DC_CORRUPT);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM collections WHERE name = 'c9'"), 0);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM documents"), 2);
    dc_doc_free(boom);
    dc_str_set(&a->id, NULL);
    CHECK_INT(dc_store_put(st, a, NULL, NULL, NULL), DC_MISUSE);

    dc_doc_free(a);
    dc_doc_free(b);
    dc_store_close(st);
}

/* A second handle holding the write lock makes a put wait busy_timeout,
 * then fail with DC_IO and a "busy" message. */
static void test_busy(void)
{
    const char *path = db_path("busy.db");
    dc_store *st = NULL, *other = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    CHECK_INT(dc_store_open(path, 0, &other, NULL), DC_OK);
    if (!st || !other) {
        dc_store_close(st);
        dc_store_close(other);
        return;
    }
    CHECK_INT(dc_store_begin(other), DC_OK);
    dc_doc *d = make_doc("c", "x", "1", "t");
    CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_IO);
    CHECK(strstr(dc_store_errmsg(st), "database is busy") != NULL);
    CHECK_INT(dc_store_rollback(other), DC_OK);
    CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);
    dc_doc_free(d);
    dc_store_close(other);
    dc_store_close(st);
}

static void test_not_declass(void)
{
    dc_store *st = (dc_store *)&st;
    dc_error err = {0};

    /* Garbage bytes: not an SQLite file. */
    const char *garbage = db_path("garbage.db");
    char bytes[4096];
    for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (char)(i * 37 + 11);
    write_bytes(garbage, bytes, sizeof bytes);
    CHECK_INT(dc_store_open(garbage, 0, &st, &err), DC_CORRUPT);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, "is not a declass database") != NULL);
    CHECK_INT(dc_store_open(garbage, DC_STORE_CREATE, &st, &err), DC_CORRUPT);
    /* ... and left untouched. */
    FILE *f = fopen(garbage, "rb");
    char back[4096] = {0};
    size_t got = f ? fread(back, 1, sizeof back, f) : 0;
    if (f) fclose(f);
    CHECK_INT(got, sizeof bytes);
    CHECK(memcmp(back, bytes, sizeof bytes) == 0);

    /* A short text file. */
    const char *text = db_path("text.db");
    write_bytes(text, "hello, world\n", 13);
    CHECK_INT(dc_store_open(text, 0, &st, &err), DC_CORRUPT);

    /* Someone else's SQLite database. */
    const char *foreign = db_path("foreign.db");
    CHECK_INT(raw_exec(foreign, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", NULL, 0),
              SQLITE_OK);
    CHECK_INT(dc_store_open(foreign, DC_STORE_CREATE, &st, &err), DC_CORRUPT);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, "not a declass one") != NULL);
    CHECK_INT(raw_int(foreign, "PRAGMA user_version"), 0);
    CHECK_INT(raw_int(foreign, "SELECT count(*) FROM sqlite_master"), 1);

    /* An empty file is not a database yet: init (CREATE) makes it one. */
    const char *empty = db_path("empty.db");
    write_bytes(empty, "", 0);
    CHECK_INT(dc_store_open(empty, 0, &st, &err), DC_NOTFOUND);
    CHECK(strstr(err.msg, "run 'declass init'") != NULL);
    CHECK_INT(dc_store_open(empty, DC_STORE_CREATE, &st, &err), DC_OK);
    dc_store_close(st);

    /* A declass database from a newer declass. */
    const char *newer = db_path("newer.db");
    CHECK_INT(dc_store_open(newer, DC_STORE_CREATE, &st, &err), DC_OK);
    dc_store_close(st);
    CHECK_INT(raw_exec(newer, "PRAGMA user_version = 999", NULL, 0), SQLITE_OK);
    st = (dc_store *)&st;
    CHECK_INT(dc_store_open(newer, 0, &st, &err), DC_CORRUPT);
    CHECK(st == NULL);
    char want[96];
    snprintf(want, sizeof want, "schema version 999 is newer than this declass (%d)",
             dc_store_n_migrations);
    CHECK(strstr(err.msg, want) != NULL);
    CHECK_INT(raw_int(newer, "PRAGMA user_version"), 999);

    /* The declass marker on a file that lacks the tables. */
    const char *damaged = db_path("damaged.db");
    CHECK_INT(dc_store_open(damaged, DC_STORE_CREATE, &st, &err), DC_OK);
    dc_store_close(st);
    CHECK_INT(raw_exec(damaged, "DROP TABLE audit", NULL, 0), SQLITE_OK);
    CHECK_INT(dc_store_open(damaged, 0, &st, &err), DC_CORRUPT);
    CHECK(strstr(err.msg, "table audit is missing") != NULL);
}

/* Stored bodies are verified: a body edited behind the store's back fails
 * its hash; a body with a matching hash that is not a document fails to
 * parse.  Both are DC_CORRUPT. */
static void test_corrupt_body(void)
{
    const char *path = db_path("body.db");
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    if (!st) return;
    dc_doc *d = make_doc("c", "x", "1", "t");
    CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);
    dc_doc_free(d);
    dc_store_close(st);

    CHECK_INT(raw_exec(path,
                       "DROP TRIGGER versions_no_update;"
                       "UPDATE versions SET body = replace(body, '\"t\"', '\"u\"')",
                       NULL, 0),
              SQLITE_OK);
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    dc_doc *g = (dc_doc *)&g;
    CHECK_INT(dc_store_get(st, "c/x", 0, &g), DC_CORRUPT);
    CHECK(g == NULL);
    CHECK(strstr(dc_store_errmsg(st), "does not match its hash") != NULL);
    dc_store_close(st);

    const char *bad = "{not json";
    unsigned char h[32];
    char hex[65], sql[256];
    crypto_generichash(h, sizeof h, (const unsigned char *)bad, strlen(bad), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(sql, sizeof sql, "UPDATE versions SET body = '%s', hash = '%s'", bad, hex);
    CHECK_INT(raw_exec(path, sql, NULL, 0), SQLITE_OK);
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    CHECK_INT(dc_store_get(st, "c/x", 1, &g), DC_CORRUPT);
    CHECK(g == NULL);
    CHECK(strstr(dc_store_errmsg(st), "is not a valid document") != NULL);
    dc_store_close(st);
}

/* The migration machinery, with extra steps appended to the real ones. */
static void test_migrations(void)
{
    const char *path = db_path("migrate.db");
    dc_store *st = NULL;
    dc_error err = {0};
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, &err), DC_OK);
    dc_doc *d = make_doc("c", "x", "1", "t");
    CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);
    dc_doc_free(d);
    dc_store_close(st);

    int n = dc_store_n_migrations;
    const char *steps[16];
    for (int i = 0; i < n && i < 14; i++) steps[i] = dc_store_migrations[i];

    /* A failing step rolls the whole migration back. */
    steps[n] = "CREATE TABLE extra(x INTEGER); INSERT INTO extra VALUES (1);";
    steps[n + 1] = "CREATE TABLE half(x); THIS IS NOT SQL;";
    CHECK_INT(dc_store_open_steps(path, 0, steps, n + 2, &st, &err), DC_INTERNAL);
    CHECK(st == NULL);
    char want[64];
    snprintf(want, sizeof want, "migrating the schema to version %d", n + 2);
    CHECK(strstr(err.msg, want) != NULL);
    CHECK_INT(raw_int(path, "PRAGMA user_version"), n);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN ('extra', 'half')"),
              0);

    /* A good extra step runs once, keeps the data and bumps the version. */
    CHECK_INT(dc_store_open_steps(path, 0, steps, n + 1, &st, &err), DC_OK);
    dc_store_close(st);
    CHECK_INT(raw_int(path, "PRAGMA user_version"), n + 1);
    CHECK_INT(dc_store_open_steps(path, 0, steps, n + 1, &st, &err), DC_OK);
    if (st) {
        dc_doc *g = NULL;
        CHECK_INT(dc_store_get(st, "c/x", 0, &g), DC_OK);
        dc_doc_free(g);
    }
    dc_store_close(st);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM extra"), 1);

    /* This build (n steps) now refuses the upgraded file. */
    CHECK_INT(dc_store_open(path, 0, &st, &err), DC_CORRUPT);
    CHECK(strstr(err.msg, "is newer than this declass") != NULL);

    /* A fresh database runs all steps in order. */
    const char *fresh = db_path("fresh.db");
    CHECK_INT(dc_store_open_steps(fresh, DC_STORE_CREATE, steps, n + 1, &st, &err), DC_OK);
    dc_store_close(st);
    CHECK_INT(raw_int(fresh, "PRAGMA user_version"), n + 1);
    CHECK_INT(raw_int(fresh, "SELECT x FROM extra"), 1);
}

/* The SQL of the expected trigger name (dc_store_triggers). */
static const char *trigger_sql(const char *name)
{
    for (int i = 0; dc_store_triggers[i].name; i++)
        if (!strcmp(dc_store_triggers[i].name, name)) return dc_store_triggers[i].sql;
    return "";
}

/* dc_store_verify's message on path (a fresh handle), or "ok". */
static dc_rc verify_msg(const char *path, char *msg, size_t cap)
{
    dc_store *st = NULL;
    dc_rc rc = dc_store_open(path, 0, &st, NULL);
    if (!rc) rc = dc_store_verify(st);
    snprintf(msg, cap, "%s", rc ? dc_store_errmsg(st) : "ok");
    dc_store_close(st);
    return rc;
}

/* Step 12: a database made before it (insert triggers refusing with
 * ABORT) gets the FAIL ones, verifies, keeps its documents, and its
 * triggers still refuse an out-of-order row, writing nothing. */
static void test_migrate_fail_triggers(void)
{
    const char *path = db_path("step12.db");
    dc_store *st = NULL;
    dc_error err = {0};
    char msg[256], text[512];
    CHECK_INT(dc_store_open_steps(path, DC_STORE_CREATE, dc_store_migrations, 11, &st, &err),
              DC_OK);
    dc_doc *d = make_doc("c", "x", "1", "t");
    CHECK_INT(dc_store_put(st, d, "a.txt", NULL, NULL), DC_OK);
    dc_store_close(st);
    raw_text(path, "SELECT sql FROM sqlite_master WHERE name = 'versions_in_order'", text,
             sizeof text);
    CHECK(strstr(text, "RAISE(ABORT,") != NULL);

    CHECK_INT(dc_store_open(path, 0, &st, &err), DC_OK);
    dc_store_close(st);
    CHECK_INT(raw_int(path, "PRAGMA user_version"), 12);
    raw_text(path, "SELECT sql FROM sqlite_master WHERE name = 'versions_in_order'", text,
             sizeof text);
    CHECK_STR(text, trigger_sql("versions_in_order"));
    CHECK(strstr(text, "RAISE(FAIL,") != NULL);
    raw_text(path, "SELECT sql FROM sqlite_master WHERE name = 'audit_in_order'", text,
             sizeof text);
    CHECK_STR(text, trigger_sql("audit_in_order"));
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_OK);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"), 9);

    /* refused as before: an id not above the others, a second row of a
     * version, an audit row out of order */
    CHECK_INT(raw_exec(path,
                       "INSERT INTO versions(docid, doc_id, version, hash, ingested_at, body)"
                       " SELECT 1, doc_id, 2, hash, ingested_at, body FROM versions",
                       msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK_STR(msg, "document versions are immutable");
    CHECK_INT(raw_exec(path,
                       "INSERT INTO versions(docid, doc_id, version, hash, ingested_at, body)"
                       " SELECT 99, doc_id, 1, hash, ingested_at, body FROM versions",
                       msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK_STR(msg, "document versions are immutable");
    CHECK_INT(raw_exec(path, "INSERT INTO audit(id, at, user, action) VALUES (NULL, 'a', 'u', 'x')",
                       msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK_STR(msg, "audit log is append-only");
    CHECK_INT(raw_int(path, "SELECT count(*) FROM versions"), 1);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit"), 0);

    CHECK_INT(dc_store_open(path, 0, &st, &err), DC_OK);
    dc_doc *g = NULL;
    CHECK_INT(dc_store_get(st, "c/x", 0, &g), DC_OK);
    CHECK(g && g->title && !strcmp(g->title, "t"));
    dc_doc_free(g);
    dc_str_set(&d->title, "t2");
    int ver = 0;
    CHECK_INT(dc_store_put(st, d, "a.txt", NULL, &ver), DC_OK);
    CHECK_INT(ver, 2);
    dc_store_close(st);
    dc_doc_free(d);
}

/* A store with n audit rows (and two versions of one document). */
static void make_audited(const char *path, int n)
{
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    if (!st) return;
    dc_doc *d = make_doc("c", "x", "1", "t");
    CHECK_INT(dc_store_put(st, d, "a.txt", NULL, NULL), DC_OK);
    dc_str_set(&d->title, "t2");
    CHECK_INT(dc_store_put(st, d, "a.txt", NULL, NULL), DC_OK);
    dc_doc_free(d);
    for (int i = 1; i <= n; i++) {
        char detail[32];
        snprintf(detail, sizeof detail, "row %d", i);
        CHECK_INT(dc_store_audit(st, i % 2 ? "alice" : NULL, "read", i % 3 ? "c/x" : NULL,
                                 i % 4 ? detail : NULL),
                  DC_OK);
    }
    CHECK_INT(dc_store_begin(st), DC_OK); /* folds the journal into the table */
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_INT(dc_store_verify(st), DC_OK);
    dc_store_close(st);
}

/* Appenders in other processes while this one folds, the journal started
 * afresh under them (past 1 MiB folded) more than once: every row is
 * folded exactly once, each appender's rows in the order it wrote them. */
static void test_journal_processes(void)
{
    const char *path = db_path("journal-procs.db");
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    dc_store_close(st);
    enum { KIDS = 3, ROWS = 8000 };
    pid_t kid[KIDS];
    for (int k = 0; k < KIDS; k++) {
        fflush(NULL);
        if ((kid[k] = fork()) == 0) {
            dc_store *c = NULL;
            int bad = dc_store_open(path, 0, &c, NULL) != DC_OK;
            char user[16], target[16];
            snprintf(user, sizeof user, "kid%d", k);
            for (int i = 0; !bad && i < ROWS; i++) {
                snprintf(target, sizeof target, "%d", i);
                bad = dc_store_audit(c, user, "search", target, NULL) != DC_OK;
            }
            dc_store_close(c);
            _exit(bad);
        }
        CHECK(kid[k] > 0);
    }
    CHECK_INT(dc_store_open(path, 0, &st, NULL), DC_OK);
    int alive = KIDS, folds = 0;
    while (alive && st) {
        CHECK_INT(dc_store_begin(st), DC_OK);
        CHECK_INT(dc_store_commit(st), DC_OK);
        folds++;
        for (int k = 0; k < KIDS; k++) {
            int status;
            if (kid[k] > 0 && waitpid(kid[k], &status, WNOHANG) == kid[k]) {
                CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
                kid[k] = 0;
                alive--;
            }
        }
    }
    int n = 0;
    CHECK_INT(dc_store_audit_list(st, count_entry, &n), DC_OK);
    CHECK_INT(n, KIDS * ROWS);
    CHECK_INT(dc_store_verify(st), DC_OK);
    dc_store_close(st);
    CHECK(folds >= 1);
    char jpath[4200];
    snprintf(jpath, sizeof jpath, "%s-audit", path);
    /* 2.4 MB appended: the journal was started afresh at least once */
    CHECK(file_len(jpath) >= 0 && file_len(jpath) < (2 << 20));
    CHECK_INT(raw_int(path, "SELECT count(DISTINCT user || '/' || target) FROM audit"),
              KIDS * ROWS);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM (SELECT CAST(target AS INT) AS t,"
                            " lag(CAST(target AS INT)) OVER (PARTITION BY user ORDER BY id) AS p"
                            " FROM audit) WHERE p IS NOT NULL AND t != p + 1"),
              0);
}

/* The audit log's hash chain and the triggers behind it: what a raw
 * SQLite connection can no longer do (INSERT OR REPLACE, out-of-order or
 * auto-numbered rows), and what dc_store_verify finds when the triggers
 * were dropped first. */
static void test_tamper(void)
{
    const char *path = db_path("tamper.db");
    make_audited(path, 6);
    char msg[512];
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_OK);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE length(chain) = 64"), 6);
    CHECK_INT(raw_int(path, "SELECT count(DISTINCT chain) FROM audit"), 6);
    CHECK_INT(raw_int(path, "SELECT group_concat(id) = '1,2,3,4,5,6' FROM audit"), 1);

    /* With the triggers in place. */
    static const char *const refused_audit[] = {
        "INSERT OR REPLACE INTO audit(id, at, user, action, target, detail, chain)"
        " SELECT id, at, 'mallory', action, target, detail, chain FROM audit WHERE id = 6",
        "INSERT OR REPLACE INTO audit(id, at, user, action, target, detail, chain)"
        " SELECT id, at, 'mallory', action, target, detail, chain FROM audit WHERE id = 2",
        "REPLACE INTO audit(id, at, user, action) VALUES (3, 't', 'mallory', 'read')",
        "INSERT INTO audit(id, at, user, action) VALUES (0, 't', 'mallory', 'read')",
        "INSERT INTO audit(id, at, user, action) VALUES (-7, 't', 'mallory', 'read')",
        "INSERT INTO audit(at, user, action) VALUES ('t', 'mallory', 'read')",
        "UPDATE audit SET detail = 'x' WHERE id = 2",
        "DELETE FROM audit WHERE id = 6",
    };
    for (size_t i = 0; i < sizeof refused_audit / sizeof *refused_audit; i++) {
        CHECK_INT(raw_exec(path, refused_audit[i], msg, sizeof msg), SQLITE_CONSTRAINT);
        CHECK_STR(msg, "audit log is append-only");
    }
    static const char *const refused_versions[] = {
        /* a new docid over an existing (doc_id, version): REPLACE would
         * delete the old row without firing the delete trigger */
        "INSERT OR REPLACE INTO versions(docid, doc_id, version, hash, ingested_at, body)"
        " SELECT docid + 10, doc_id, version, hash, ingested_at, '{}' FROM versions"
        " WHERE docid = 1",
        "INSERT OR REPLACE INTO versions(docid, doc_id, version, hash, ingested_at, body)"
        " SELECT docid, doc_id, version, hash, ingested_at, '{}' FROM versions WHERE docid = 2",
        "INSERT INTO versions(doc_id, version, hash, ingested_at, body)"
        " SELECT doc_id, 3, hash, ingested_at, body FROM versions WHERE docid = 2",
        "INSERT INTO versions(docid, doc_id, version, hash, ingested_at, body)"
        " SELECT 0, doc_id, 7, hash, ingested_at, body FROM versions WHERE docid = 2",
    };
    for (size_t i = 0; i < sizeof refused_versions / sizeof *refused_versions; i++) {
        CHECK_INT(raw_exec(path, refused_versions[i], msg, sizeof msg), SQLITE_CONSTRAINT);
        CHECK_STR(msg, "document versions are immutable");
    }
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit"), 6);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE user = 'mallory'"), 0);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM versions"), 2);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM versions WHERE body = '{}'"), 0);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_OK);
    /* the next id in order is accepted, and verify then names that row */
    CHECK_INT(raw_exec(path, "INSERT INTO audit(id, at, user, action) VALUES (7, 't', 'x', 'y')",
                       msg, sizeof msg),
              SQLITE_OK);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_CORRUPT);
    CHECK(strstr(msg, "audit log: the hash chain breaks at row 7") != NULL);

    /* A row edited with its trigger dropped (and put back as it was). */
    path = db_path("tamper2.db");
    make_audited(path, 6);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "DROP TRIGGER audit_no_update; UPDATE audit SET user = 'bob' WHERE id = 3; %s;",
             trigger_sql("audit_no_update"));
    CHECK_INT(raw_exec(path, sql, msg, sizeof msg), SQLITE_OK);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_CORRUPT);
    CHECK_STR(msg, "audit log: the hash chain breaks at row 3 (the row was changed, or a row was "
                   "inserted or removed before it)");
    /* ... and left dropped: the trigger is missed first */
    CHECK_INT(raw_exec(path, "DROP TRIGGER audit_no_update", msg, sizeof msg), SQLITE_OK);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_CORRUPT);
    CHECK_STR(msg, "schema: trigger audit_no_update is missing (rows it guards can be changed)");

    /* A row inserted out of order, with the insert trigger dropped. */
    path = db_path("tamper3.db");
    make_audited(path, 6);
    snprintf(sql, sizeof sql,
             "DROP TRIGGER audit_in_order;"
             " INSERT INTO audit(id, at, user, action, target, detail, chain)"
             " SELECT 0, at, user, action, target, detail, chain FROM audit WHERE id = 1; %s;",
             trigger_sql("audit_in_order"));
    CHECK_INT(raw_exec(path, sql, msg, sizeof msg), SQLITE_OK);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_CORRUPT);
    CHECK(strstr(msg, "the hash chain breaks at row 0 ") != NULL);
    /* INSERT OR REPLACE with every trigger dropped: row 4 rewritten */
    path = db_path("tamper4.db");
    make_audited(path, 6);
    CHECK_INT(raw_exec(path,
                       "DROP TRIGGER audit_in_order; DROP TRIGGER audit_no_delete;"
                       " INSERT OR REPLACE INTO audit(id, at, user, action, target, detail, chain)"
                       " SELECT id, at, user, 'login', target, detail, chain FROM audit"
                       " WHERE id = 4",
                       msg, sizeof msg),
              SQLITE_OK);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE action = 'login'"), 1);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_CORRUPT);
    CHECK_STR(msg, "schema: trigger audit_in_order is missing (rows it guards can be changed)");
    snprintf(sql, sizeof sql, "%s; %s;", trigger_sql("audit_in_order"),
             trigger_sql("audit_no_delete"));
    CHECK_INT(raw_exec(path, sql, msg, sizeof msg), SQLITE_OK);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_CORRUPT);
    CHECK(strstr(msg, "the hash chain breaks at row 4 ") != NULL);
    /* a row removed from the middle */
    path = db_path("tamper5.db");
    make_audited(path, 6);
    snprintf(sql, sizeof sql, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 2; %s;",
             trigger_sql("audit_no_delete"));
    CHECK_INT(raw_exec(path, sql, msg, sizeof msg), SQLITE_OK);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_CORRUPT);
    CHECK(strstr(msg, "the hash chain breaks at row 3 ") != NULL);

    /* Triggers altered, or added. */
    path = db_path("tamper6.db");
    make_audited(path, 2);
    CHECK_INT(raw_exec(path,
                       "DROP TRIGGER versions_no_delete;"
                       " CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions"
                       " WHEN 0 BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END",
                       msg, sizeof msg),
              SQLITE_OK);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_CORRUPT);
    CHECK_STR(msg, "schema: trigger versions_no_delete has been altered");
    snprintf(sql, sizeof sql,
             "DROP TRIGGER versions_no_delete; %s;"
             " CREATE TRIGGER zz AFTER INSERT ON audit BEGIN SELECT 1; END",
             trigger_sql("versions_no_delete"));
    CHECK_INT(raw_exec(path, sql, msg, sizeof msg), SQLITE_OK);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_CORRUPT);
    CHECK_STR(msg, "schema: unexpected trigger zz on table audit");
    CHECK_INT(raw_exec(path, "DROP TRIGGER zz", msg, sizeof msg), SQLITE_OK);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_OK);

    /* Two handles appending in turn keep one chain. */
    dc_store *a = NULL, *b = NULL;
    CHECK_INT(dc_store_open(path, 0, &a, NULL), DC_OK);
    CHECK_INT(dc_store_open(path, 0, &b, NULL), DC_OK);
    for (int i = 0; a && b && i < 20; i++)
        CHECK_INT(dc_store_audit(i % 2 ? a : b, "u", "search", NULL, "q"), DC_OK);
    dc_store_close(a);
    dc_store_close(b);
    fold_journal(path);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit"), 22);
    CHECK_INT(raw_int(path, "SELECT max(id) FROM audit"), 22);
    CHECK_INT(verify_msg(path, msg, sizeof msg), DC_OK);
}

/* A version 3 database (the schema before the chain) with audit rows and
 * a user: migrating gives every row its chain value, and the users their
 * generation, which every credential change then bumps. */
static void test_migrate_chain(void)
{
    const char *path = db_path("chain.db");
    dc_store *st = NULL;
    dc_error err = {0};
    CHECK_INT(dc_store_open_steps(path, DC_STORE_CREATE, dc_store_migrations, 3, &st, &err),
              DC_OK);
    dc_store_close(st);
    CHECK_INT(raw_exec(path,
                       "INSERT INTO audit(at, user, action, target, detail) VALUES"
                       " ('2024-01-01T00:00:00Z', 'public', 'read', 'c/x', NULL),"
                       " ('2024-01-01T00:00:01Z', 'ann', 'login', NULL, NULL),"
                       " ('2024-01-01T00:00:02Z', 'ann', 'search', NULL, 'q=x');"
                       "INSERT INTO users VALUES ('ann', 'h1', 1, '', 'reader', 't', 0);",
                       NULL, 0),
              SQLITE_OK);
    CHECK_INT(dc_store_open(path, 0, &st, &err), DC_OK);
    if (!st) return;
    CHECK_INT(dc_store_verify(st), DC_OK);
    CHECK_INT(raw_int(path, "SELECT count(*) FROM audit WHERE length(chain) = 64"), 3);
    CHECK_INT(dc_store_audit(st, "ann", "read", "c/x", NULL), DC_OK);
    CHECK_INT(dc_store_begin(st), DC_OK); /* folds the journal */
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_INT(dc_store_verify(st), DC_OK);
    CHECK_INT(raw_int(path, "SELECT max(id) FROM audit"), 4);
    CHECK_INT(raw_int(path, "SELECT generation FROM users WHERE name = 'ann'"), 1);
    CHECK_INT(dc_store_user_set_hash(st, "ann", "h2"), DC_OK);
    CHECK_INT(raw_int(path, "SELECT generation FROM users WHERE name = 'ann'"), 2);
    CHECK_INT(dc_store_user_disable(st, "ann"), DC_OK);
    CHECK_INT(raw_int(path, "SELECT generation FROM users WHERE name = 'ann'"), 3);
    dc_store_close(st);
    /* changed behind the library's back: still bumped */
    CHECK_INT(raw_exec(path, "UPDATE users SET roles = 'reader,admin' WHERE name = 'ann';"
                             "UPDATE users SET level = 3 WHERE name = 'ann';"
                             "UPDATE users SET compartments = 'X' WHERE name = 'ann';",
                       NULL, 0),
              SQLITE_OK);
    CHECK_INT(raw_int(path, "SELECT generation FROM users WHERE name = 'ann'"), 6);
    CHECK_INT(raw_exec(path, "UPDATE users SET created_at = 'u' WHERE name = 'ann'", NULL, 0),
              SQLITE_OK);
    CHECK_INT(raw_int(path, "SELECT generation FROM users WHERE name = 'ann'"), 6);
}

/* ---- allocation failures ---------------------------------------------
 * SQLite's allocator is replaced by one that fails the Nth allocation
 * (once).  For N = 1, 2, ... a whole session (open, put, get, list, count,
 * audit, close) runs; every call must succeed or fail with DC_NOMEM, never
 * crash or leak (ASan), and the file must stay consistent. */

static sqlite3_mem_methods real_mem;
static long fail_countdown = -1; /* < 0: never fail */
static int fail_hit;

static int should_fail(void)
{
    if (fail_countdown < 0) return 0;
    if (fail_countdown-- == 0) {
        fail_hit = 1;
        return 1;
    }
    return 0;
}

static void *fail_malloc(int n) { return should_fail() ? NULL : real_mem.xMalloc(n); }
static void *fail_realloc(void *p, int n) { return should_fail() ? NULL : real_mem.xRealloc(p, n); }

static void install_failing_malloc(void)
{
    sqlite3_mem_methods m;
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) != SQLITE_OK) return;
    m = real_mem;
    m.xMalloc = fail_malloc;
    m.xRealloc = fail_realloc;
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

static int ok_or_nomem(dc_rc rc) { return rc == DC_OK || rc == DC_NOMEM; }

static dc_rc count_one(void *ctx, const dc_doc_summary *s)
{
    (void)s;
    ++*(int *)ctx;
    return DC_OK;
}

static void test_nomem(void)
{
    const char *path = db_path("nomem.db");
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    dc_doc *d = make_doc("c", "x", "1", "t0");
    CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);
    dc_store_close(st);

    int bad = 0, completed = 0;
    long n;
    for (n = 0; n < 20000 && !completed; n++) {
        char title[32];
        snprintf(title, sizeof title, "t%ld", n + 1);
        dc_str_set(&d->title, title);
        fail_hit = 0;
        fail_countdown = n;
        dc_error err = {0};
        dc_rc rc = dc_store_open(path, 0, &st, &err);
        if (!ok_or_nomem(rc)) bad++, fprintf(stderr, "nomem %ld open: %s\n", n, err.msg);
        if (rc == DC_OK) {
            dc_doc *g = NULL;
            int listed = 0;
            long cnt = 0;
            dc_rc r[5] = {
                dc_store_put(st, d, "f", NULL, NULL),
                dc_store_get(st, "c/x", 0, &g),
                dc_store_list(st, count_one, &listed),
                dc_store_count(st, &cnt),
                dc_store_audit(st, "u", "read", "c/x", NULL),
            };
            dc_doc_free(g);
            for (int i = 0; i < 5; i++)
                if (!ok_or_nomem(r[i]))
                    bad++, fprintf(stderr, "nomem %ld call %d: rc %d: %s\n", n, i, (int)r[i],
                                   dc_store_errmsg(st));
            dc_store_close(st);
        }
        completed = !fail_hit;
        fail_countdown = -1;
        /* Whatever failed, the file is consistent: one document whose
         * current version is its last. */
        if (raw_int(path, "SELECT (SELECT count(*) FROM documents) = 1 AND"
                          " (SELECT count(*) FROM documents d WHERE current_version ="
                          " (SELECT max(version) FROM versions WHERE doc_id = d.id)) = 1") != 1)
            bad++, fprintf(stderr, "nomem %ld: inconsistent file\n", n);
    }
    CHECK_INT(bad, 0);
    CHECK(completed);
    CHECK(n > 50); /* the loop did reach into the store's calls */
    char check[64];
    raw_text(path, "PRAGMA integrity_check", check, sizeof check);
    CHECK_STR(check, "ok");
    dc_doc_free(d);
}

typedef struct changes {
    uint64_t docids[8], older[8][4];
    size_t n_older[8], n;
    char titles[8][64];
} changes;

static dc_rc on_change(void *ctx, uint64_t docid, const dc_doc *doc, const uint64_t *older,
                       size_t n_older)
{
    changes *c = ctx;
    if (c->n >= 8) return DC_LIMIT;
    c->docids[c->n] = docid;
    c->n_older[c->n] = n_older;
    for (size_t i = 0; i < n_older && i < 4; i++) c->older[c->n][i] = older[i];
    snprintf(c->titles[c->n], sizeof c->titles[0], "%s", doc->title ? doc->title : "");
    c->n++;
    return DC_OK;
}

static const dc_doc *known_doc;
static uint64_t known_docid;
static const dc_doc *known_one(void *ctx, uint64_t docid)
{
    (void)ctx;
    return docid == known_docid ? known_doc : NULL;
}

/* The index catches up through dc_store_changes_since: current versions
 * after a docid, with the older versions it must drop. */
static void test_changes(void)
{
    dc_store *st = NULL;
    dc_error err = {0};
    CHECK_INT(dc_store_open(db_path("changes.db"), DC_STORE_CREATE, &st, &err), DC_OK);
    uint64_t max = 99;
    CHECK_INT(dc_store_max_docid(st, &max), DC_OK);
    CHECK_INT(max, 0);
    dc_doc *a = make_doc("c", "a", "1", "A one");
    dc_doc *b = make_doc("c", "b", "2", "B one");
    CHECK_INT(dc_store_put(st, a, "a.txt", NULL, NULL), DC_OK); /* docid 1 */
    CHECK_INT(dc_store_put(st, b, "b.txt", NULL, NULL), DC_OK); /* docid 2 */
    changes c = {0};
    CHECK_INT(dc_store_changes_since(st, 0, NULL, on_change, &c), DC_OK);
    CHECK_INT(c.n, 2);
    CHECK_INT(c.docids[0], 1);
    CHECK_INT(c.docids[1], 2);
    CHECK_INT(c.n_older[0], 0);
    /* A new version of a (docid 3) after an index built up to 2. */
    dc_str_set(&a->title, "A two");
    CHECK_INT(dc_store_put(st, a, "a.txt", NULL, NULL), DC_OK);
    memset(&c, 0, sizeof c);
    CHECK_INT(dc_store_changes_since(st, 2, NULL, on_change, &c), DC_OK);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.docids[0], 3);
    CHECK_STR(c.titles[0], "A two");
    CHECK_INT(c.n_older[0], 1);
    CHECK_INT(c.older[0][0], 1);
    /* From 0: version 1 of a is not current and is not listed. */
    memset(&c, 0, sizeof c);
    CHECK_INT(dc_store_changes_since(st, 0, NULL, on_change, &c), DC_OK);
    CHECK_INT(c.n, 2);
    CHECK_INT(c.docids[0], 2);
    CHECK_INT(c.docids[1], 3);
    CHECK_INT(c.n_older[1], 0); /* nothing at or below 0 to drop */
    CHECK_INT(dc_store_max_docid(st, &max), DC_OK);
    CHECK_INT(max, 3);
    /* dc_store_put_docid names the version a put added, 0 for none. */
    CHECK_INT(dc_store_put_docid(st), 3);
    CHECK_INT(dc_store_put(st, a, "a.txt", NULL, NULL), DC_OK); /* unchanged */
    CHECK_INT(dc_store_put_docid(st), 0);
    dc_str_set(&b->title, "B two");
    CHECK_INT(dc_store_put(st, b, "b.txt", NULL, NULL), DC_OK);
    CHECK_INT(dc_store_put_docid(st), 4);
    /* A version the caller knows is passed as it is (its title here is one
     * the store never held); the others are read back. */
    dc_doc *mine = make_doc("c", "b", "2", "B as the caller holds it");
    known_doc = mine;
    known_docid = 4;
    memset(&c, 0, sizeof c);
    CHECK_INT(dc_store_changes_since(st, 2, known_one, on_change, &c), DC_OK);
    CHECK_INT(c.n, 2);
    CHECK_INT(c.docids[0], 3);
    CHECK_STR(c.titles[0], "A two");
    CHECK_INT(c.docids[1], 4);
    CHECK_STR(c.titles[1], "B as the caller holds it");
    CHECK_INT(c.n_older[1], 1); /* docid 2, which the index must drop */
    CHECK_INT(c.older[1][0], 2);
    known_doc = NULL;
    dc_doc_free(mine);
    dc_doc_free(a);
    dc_doc_free(b);
    dc_store_close(st);
}

static dc_rc count_audit(void *ctx, const dc_audit_entry *e)
{
    (void)e;
    ++*(long *)ctx;
    return DC_OK;
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* dc_store_wal_trim empties a WAL larger than its bound, not a smaller one;
 * and a reading handle leaves a small WAL on close, a writing one none. */
static void test_wal_trim(void)
{
    const char *path = db_path("trim.db");
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    dc_store *st = NULL;
    dc_error err = {0};
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, &err), DC_OK);
    for (int i = 0; i < 40; i++) {
        CHECK_INT(dc_store_begin(st), DC_OK);
        CHECK_INT(dc_store_audit(st, NULL, "read", "vol/d1", NULL), DC_OK);
        CHECK_INT(dc_store_commit(st), DC_OK);
    }
    long long before = file_size(wal);
    CHECK(before > (64 << 10)); /* 40 commits of at least a 4 KiB page */
    CHECK_INT(dc_store_wal_trim(st, before), DC_OK);
    CHECK_INT(file_size(wal), before); /* not over the bound: untouched */
    /* rewound, not truncated: the next commit writes from the WAL's
     * beginning, over what it held, and the file does not grow */
    CHECK_INT(dc_store_wal_rewind(st, before), DC_OK); /* not over: nothing */
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_audit(st, NULL, "read", "vol/d0", NULL), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    long long grown = file_size(wal);
    CHECK(grown > before);
    CHECK_INT(dc_store_wal_rewind(st, 64 << 10), DC_OK);
    CHECK_INT(file_size(wal), grown);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_audit(st, NULL, "read", "vol/d0", NULL), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    CHECK_INT(file_size(wal), grown);
    CHECK_INT(dc_store_wal_trim(st, 64 << 10), DC_OK);
    CHECK_INT(file_size(wal), 0);
    CHECK_INT(dc_store_begin(st), DC_OK);
    CHECK_INT(dc_store_audit(st, NULL, "read", "vol/d2", NULL), DC_OK);
    CHECK_INT(dc_store_commit(st), DC_OK);
    dc_store_close(st); /* only audit rows, a small WAL: left */
    CHECK(file_size(wal) > 0);
    st = NULL;
    CHECK_INT(dc_store_open(path, 0, &st, &err), DC_OK);
    dc_doc *a = make_doc("c", "a", "1", "A one");
    CHECK_INT(dc_store_put(st, a, "a.txt", NULL, NULL), DC_OK);
    dc_store_close(st); /* stored a document: checkpointed and removed */
    CHECK_INT(file_size(wal), -1);
    st = NULL;
    CHECK_INT(dc_store_open(path, 0, &st, &err), DC_OK);
    long rows = 0;
    CHECK_INT(dc_store_audit_list(st, count_audit, &rows), DC_OK);
    CHECK_INT(rows, 43); /* nothing lost on the way */
    dc_doc_free(a);
    dc_store_close(st);
}

/* Background checkpoints: no copy at commits while they are on (the
 * database file stays as it was however long the WAL grows), the copy
 * once asked for, done by the store's thread; off again, commits copy as
 * before. */
static void test_background_checkpoints(void)
{
    const char *path = db_path("bgckpt.db");
    dc_store *st = NULL;
    dc_error err = {0};
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, &err), DC_OK);
    if (!st) return;
    CHECK_INT(dc_store_background_checkpoints(st, 1), DC_OK);
    CHECK_INT(dc_store_background_checkpoints(st, 1), DC_OK); /* already on */
    long long start = file_size(path);
    char body[2048];
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    for (int i = 0; i < 3000; i++) { /* past SQLite's 1000 pages of WAL */
        char local[32];
        snprintf(local, sizeof local, "d%d", i);
        dc_doc *d = make_doc("bg", local, "1", "Background");
        if (d && i % 100 == 0) CHECK_INT(dc_store_begin(st), DC_OK);
        dc_portion *p = d ? dc_doc_add_portion(d, "paragraph") : NULL;
        if (p) dc_str_set(&p->text, body);
        CHECK_INT(dc_store_put(st, d, NULL, NULL, NULL), DC_OK);
        if (i % 100 == 99) CHECK_INT(dc_store_commit(st), DC_OK);
        dc_doc_free(d);
    }
    CHECK_INT(file_size(path), start); /* nothing copied at the commits */
    dc_store_checkpoint_soon(st);
    for (int k = 0; k < 500 && file_size(path) < (4 << 20); k++) usleep(10000);
    CHECK(file_size(path) >= (4 << 20)); /* copied by the thread */
    CHECK_INT(dc_store_background_checkpoints(st, 0), DC_OK);
    CHECK_INT(dc_store_background_checkpoints(st, 0), DC_OK); /* already off */
    long n = 0;
    CHECK_INT(dc_store_count(st, &n), DC_OK);
    CHECK_INT(n, 3000);
    dc_store_close(st);
}

/* Copies file from to to (absent: to removed); 0 on success. */
static int copy_file(const char *from, const char *to)
{
    unlink(to);
    if (access(from, F_OK) != 0) return 0;
    char *buf = NULL;
    size_t len = 0;
    dc_error err = {0};
    if (dc_read_file(from, (size_t)1 << 30, &buf, &len, &err) != DC_OK) return -1;
    write_bytes(to, buf, len);
    free(buf);
    return 0;
}

/* The rows of t in the database a killed process would leave: its file
 * and WAL copied as they are now (no wal-index: SQLite recovers from the
 * WAL's frames), opened with SQLite's own VFS; -1 if unreadable. */
static long rows_after_kill(const char *path, const char *copy, long *sum)
{
    char from[200], to[200];
    remove_db(copy);
    if (copy_file(path, copy)) return -1;
    snprintf(from, sizeof from, "%s-wal", path);
    snprintf(to, sizeof to, "%s-wal", copy);
    if (copy_file(from, to)) return -1;
    sqlite3 *db = NULL;
    long n = -1;
    sqlite3_stmt *q = NULL;
    if (sqlite3_open_v2(copy, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*), total(length(v) + k) FROM t", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        n = sqlite3_column_int(q, 0);
        *sum = (long)sqlite3_column_double(q, 1);
    }
    sqlite3_finalize(q);
    char ok[16] = "";
    if (n >= 0 && sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        snprintf(ok, sizeof ok, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    CHECK_STR(ok, "ok");
    return n;
}

/* The store's VFS gathers WAL writes (src/store/walbuf.c): every commit is
 * in the WAL file when it returns, also one that spilled pages mid-
 * transaction and wrote some again in place (so SQLite rewrote frame
 * headers after the commit frame), an open transaction's frames count
 * for nothing after a kill, and a commit that cannot be written fails. */
static void test_walbuf(void)
{
    const char *path = db_path("walbuf.db"), *copy = db_path("walbuf-copy.db");
    sqlite3 *db = NULL;
    CHECK(dc_store_vfs() != NULL);
    CHECK_INT(
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, dc_store_vfs()),
        SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
                           "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                           " PRAGMA wal_autocheckpoint=0; PRAGMA cache_size=8;"
                           " CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB);",
                           NULL, NULL, NULL),
              SQLITE_OK);
    long sum = 0, want = 0;
    CHECK_INT(rows_after_kill(path, copy, &sum), 0);
    /* 300 rows of 3,000 bytes through a cache of 8 pages: spilled; then
     * the first rows changed again, their pages written again in place */
    CHECK_INT(sqlite3_exec(db,
                           "BEGIN; WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1"
                           " FROM n WHERE k < 300) INSERT INTO t SELECT k, randomblob(3000)"
                           " FROM n; UPDATE t SET v = randomblob(2000) WHERE k <= 20; COMMIT;",
                           NULL, NULL, NULL),
              SQLITE_OK);
    for (long k = 1; k <= 300; k++) want += k + (k <= 20 ? 2000 : 3000);
    CHECK_INT(rows_after_kill(path, copy, &sum), 300);
    CHECK_INT(sum, want);
    /* small commits, each alone */
    for (int i = 0; i < 5; i++) {
        CHECK_INT(sqlite3_exec(db, "INSERT INTO t(v) VALUES (zeroblob(10))", NULL, NULL, NULL),
                  SQLITE_OK);
        CHECK_INT(rows_after_kill(path, copy, &sum), 301 + i);
    }
    /* an open transaction that spilled: the copy has none of it */
    CHECK_INT(sqlite3_exec(db,
                           "BEGIN; WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1"
                           " FROM n WHERE k < 100) INSERT INTO t(v) SELECT randomblob(3000)"
                           " FROM n;",
                           NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(rows_after_kill(path, copy, &sum), 305);
    CHECK_INT(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    /* and another connection, SQLite's own VFS, reads every commit */
    CHECK_INT(sqlite3_exec(db, "INSERT INTO t(v) VALUES (x'00')", NULL, NULL, NULL), SQLITE_OK);
    sqlite3 *other = NULL;
    sqlite3_stmt *q = NULL;
    CHECK_INT(sqlite3_open_v2(path, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(other, "SELECT count(*) FROM t", -1, &q, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(q, 0), 306);
    sqlite3_finalize(q);
    /* a transaction that spilled, rolled back: the frames it left in the
     * buffer are not written later over another connection's commit */
    CHECK_INT(sqlite3_exec(db,
                           "BEGIN; WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1"
                           " FROM n WHERE k < 50) INSERT INTO t(v) SELECT randomblob(3000)"
                           " FROM n; ROLLBACK;",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3 *second = NULL;
    CHECK_INT(sqlite3_open_v2(path, &second, SQLITE_OPEN_READWRITE, dc_store_vfs()), SQLITE_OK);
    CHECK_INT(sqlite3_exec(second,
                           "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n"
                           " WHERE k < 40) INSERT INTO t(v) SELECT zeroblob(3000) FROM n",
                           NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "SELECT count(*) FROM t", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "INSERT INTO t(v) VALUES (x'01')", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(other, "SELECT count(*), total(length(v)) FROM t", -1, &q, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(q, 0), 347);
    CHECK_INT((long)sqlite3_column_double(q, 1), 20 * 2000 + 280 * 3000 + 5 * 10 + 2 + 40 * 3000);
    sqlite3_finalize(q);
    CHECK_INT(rows_after_kill(path, copy, &sum), 347);
    sqlite3_close(second);
    sqlite3_close(other);
    /* a commit whose frames cannot be written fails, and nothing of it
     * counts: the WAL emptied, the file size limited to its header and one
     * frame, a commit of three pages (the buffer's write fails at the
     * commit frame, not later where nobody could report it) */
    CHECK_INT(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
    struct rlimit was, lim;
    CHECK_INT(getrlimit(RLIMIT_FSIZE, &was), 0);
    void (*xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = was;
    lim.rlim_cur = 32 + 4120 + 100;
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int full = sqlite3_exec(db, "INSERT INTO t(v) VALUES (zeroblob(6000))", NULL, NULL, NULL);
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &was), 0);
    signal(SIGXFSZ, xfsz);
    CHECK(full != SQLITE_OK);
    CHECK_INT(rows_after_kill(path, copy, &sum), 347);
    CHECK_INT(sqlite3_exec(db, "INSERT INTO t(v) VALUES (zeroblob(6000))", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(rows_after_kill(path, copy, &sum), 348);
    sqlite3_close(db);
    remove_db(copy);
}

/* A volume's structure is stored whole and replaced by the next ingest;
 * the collection filter lists one collection only. */
static void test_volumes(void)
{
    const char *path = db_path("volumes.db");
    dc_store *st = NULL;
    dc_error err = {0};
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, &err), DC_OK);
    dc_volume *got = NULL;
    CHECK_INT(dc_store_volume_get(st, "v1", &got), DC_NOTFOUND);
    CHECK(got == NULL);
    dc_volume *v = dc_volume_new();
    dc_str_set(&v->id, "v1");
    dc_str_set(&v->title, "Volume One");
    dc_strv_push(&v->editors, "A. Editor");
    dc_strv_push(&v->editor_roles, "primary");
    dc_str_set(&v->pub_date, "2014");
    dc_volume_entry *e = dc_volume_add_entry(v);
    dc_str_set(&e->kind, "division");
    dc_str_set(&e->part, "body");
    dc_str_set(&e->xml_id, "ch1");
    dc_str_set(&e->head, "Chapter \"One\"");
    e = dc_volume_add_entry(v);
    e->level = 1;
    dc_str_set(&e->kind, "document");
    dc_str_set(&e->part, "body");
    dc_str_set(&e->xml_id, "d1");
    v->n_documents = 1;
    CHECK_INT(dc_store_volume_put(st, v), DC_OK);
    CHECK_INT(dc_store_volume_get(st, "v1", &got), DC_OK);
    char *a = NULL, *b = NULL;
    CHECK_INT(dc_volume_to_json(v, 0, &a), DC_OK);
    CHECK_INT(dc_volume_to_json(got, 0, &b), DC_OK);
    CHECK_STR(b, a);
    CHECK_INT((int)got->n_entries, 2);
    CHECK_INT(got->entries[1].level, 1);
    CHECK_STR(got->editor_roles.v[0], "primary");
    dc_free(a);
    dc_free(b);
    dc_volume_free(got);
    /* replaced */
    dc_str_set(&v->title, "Volume One, revised");
    CHECK_INT(dc_store_volume_put(st, v), DC_OK);
    CHECK_INT(dc_store_volume_get(st, "v1", &got), DC_OK);
    CHECK_STR(got->title, "Volume One, revised");
    dc_volume_free(got);
    dc_str_set(&v->id, NULL);
    CHECK_INT(dc_store_volume_put(st, v), DC_MISUSE);
    dc_volume_free(v);
    dc_store_close(st);
}

/* A search hit's reads: a version by the docid the index holds, its
 * columns only while it is current; and the read transaction around them. */
static void test_docid_reads(void)
{
    const char *path = db_path("docid.db");
    dc_store *st = NULL;
    CHECK_INT(dc_store_open(path, DC_STORE_CREATE, &st, NULL), DC_OK);
    if (!st) return;
    dc_doc *d = make_doc("c", "a", "1", "First");
    dc_doc *e = make_doc("c", "b", "2", "Other");
    int ver = 0;
    CHECK_INT(dc_store_put(st, d, NULL, NULL, &ver), DC_OK);
    CHECK_INT(dc_store_put(st, e, NULL, NULL, &ver), DC_OK);
    uint64_t v1 = (uint64_t)raw_int(path, "SELECT docid FROM versions WHERE doc_id = 'c/a'");
    uint64_t other = (uint64_t)raw_int(path, "SELECT docid FROM versions WHERE doc_id = 'c/b'");
    char *status = NULL, *cls = NULL, hash[DC_STORE_HASH_SIZE], h2[DC_STORE_HASH_SIZE];

    CHECK_INT(dc_store_read_begin(st), DC_OK);
    CHECK_INT(dc_store_read_begin(st), DC_OK); /* nests: the outer pair counts */
    CHECK_INT(dc_store_status_docid(st, v1, "c/a", 0, &status, &cls, hash), DC_OK);
    CHECK_STR(status, "released");
    CHECK_STR(cls, "TOP SECRET");
    CHECK_INT(strlen(hash), 64);
    free(status), free(cls);
    dc_doc *g = NULL;
    CHECK_INT(dc_store_get_docid(st, v1, "c/a", &g, h2), DC_OK);
    CHECK(g && strcmp(g->title, "First") == 0);
    CHECK_STR(h2, hash);
    dc_doc_free(g);
    g = NULL;
    /* another document's docid, or none, is not found */
    CHECK_INT(dc_store_status_docid(st, other, "c/a", 0, &status, &cls, hash), DC_NOTFOUND);
    CHECK(status == NULL && cls == NULL);
    CHECK_INT(dc_store_get_docid(st, other, "c/a", &g, NULL), DC_NOTFOUND);
    CHECK_INT(dc_store_get_docid(st, other + 100, "c/b", &g, NULL), DC_NOTFOUND);
    CHECK(g == NULL);
    CHECK_INT(dc_store_status_docid(st, 0, "c/a", 0, &status, &cls, NULL), DC_MISUSE);
    dc_store_read_end(st);
    CHECK(dc_store_snapshot(st) != 0); /* the outer one still open */
    dc_store_read_end(st);
    CHECK_INT((int)dc_store_snapshot(st), 0);
    dc_store_read_end(st); /* none open: a no-op */

    /* a newer version: the old docid's columns are gone (not current),
     * its body still reads */
    dc_str_set(&d->title, "Second");
    CHECK_INT(dc_store_put(st, d, NULL, NULL, &ver), DC_OK);
    CHECK_INT(ver, 2);
    CHECK_INT(dc_store_status_docid(st, v1, "c/a", 0, &status, &cls, hash), DC_NOTFOUND);
    uint64_t v2 = (uint64_t)raw_int(path, "SELECT docid FROM versions WHERE doc_id = 'c/a'"
                                          " AND version = 2");
    CHECK_INT(dc_store_status_docid(st, v2, "c/a", 0, &status, &cls, hash), DC_OK);
    free(status), free(cls);
    /* current: the caller vouches, only the row is read (the old version's
     * too); another document's docid is still not found */
    CHECK_INT(dc_store_status_docid(st, v1, "c/a", 1, &status, &cls, h2), DC_OK);
    CHECK_STR(status, "released");
    CHECK(strcmp(h2, hash) != 0);
    free(status), free(cls);
    CHECK_INT(dc_store_status_docid(st, v2, "c/a", 1, &status, &cls, h2), DC_OK);
    CHECK_STR(h2, hash);
    free(status), free(cls);
    CHECK_INT(dc_store_status_docid(st, other, "c/a", 1, &status, &cls, h2), DC_NOTFOUND);
    CHECK_INT(dc_store_get_docid(st, v1, "c/a", &g, NULL), DC_OK);
    CHECK(g && strcmp(g->title, "First") == 0);
    dc_doc_free(g);
    /* a write after the reads: the transaction was ended */
    CHECK_INT(dc_store_audit(st, "tester", "search", "q", "1 hits"), DC_OK);
    dc_doc_free(d);
    dc_doc_free(e);
    dc_store_close(st);
}

int main(void)
{
    install_failing_malloc();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dc_test_store_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_open_missing();
    test_create_schema();
    test_put_get_versions();
    test_list_count();
    test_audit();
    test_journal_processes();
    test_transactions();
    test_busy();
    test_not_declass();
    test_corrupt_body();
    test_migrations();
    test_migrate_fail_triggers();
    test_tamper();
    test_migrate_chain();
    test_nomem();
    test_changes();
    test_wal_trim();
    test_background_checkpoints();
    test_walbuf();
    test_volumes();
    test_docid_reads();

    const char *dbs[] = {"create.db",  "put.db",     "list.db",    "audit.db",   "txn.db",
                         "busy.db",    "bgckpt.db",  "garbage.db", "text.db",    "foreign.db",
                         "empty.db",   "newer.db",   "damaged.db", "body.db",    "migrate.db",
                         "fresh.db",   "nomem.db",   "changes.db", "tamper.db",  "tamper2.db",
                         "tamper3.db", "tamper4.db", "tamper5.db", "tamper6.db", "chain.db",
                         "volumes.db", "docid.db",   "walbuf.db"};
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) remove_db(db_path(dbs[i]));
    rmdir(tmpdir);
    return TEST_DONE();
}
