/* The facade's front-end calls: acting as a user, uploads, references and
 * collections, each through the reader's eyes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "declass/declass.h"
#include "test.h"

static char dir[] = "/tmp/dc_front_XXXXXX";
static char dbpath[128];

typedef struct refs_seen {
    int n_out, n_in;
    char out[64][96], in[64][96]; /* "kind target -> id" */
} refs_seen;

static dc_rc on_ref(void *ctx, const dc_ref_link *r)
{
    refs_seen *s = ctx;
    int *n = r->incoming ? &s->n_in : &s->n_out;
    if (*n < 64)
        snprintf(r->incoming ? s->in[*n] : s->out[*n], 96, "%s %s -> %s", r->kind, r->target,
                 r->id ? r->id : "-");
    (*n)++;
    if (r->id && !r->title) return DC_CORRUPT; /* a resolved link always has a title */
    return DC_OK;
}

static int has(char list[][96], int n, const char *want)
{
    for (int i = 0; i < n && i < 64; i++)
        if (strcmp(list[i], want) == 0) return 1;
    return 0;
}

static int n_with(char list[][96], int n, const char *part)
{
    int k = 0;
    for (int i = 0; i < n && i < 64; i++) k += strstr(list[i], part) != NULL;
    return k;
}

typedef struct colls {
    int n;
    char names[16][64];
    long counts[16];
} colls;

static dc_rc on_coll(void *ctx, const dc_collection_info *c)
{
    colls *s = ctx;
    if (s->n < 16) {
        snprintf(s->names[s->n], 64, "%s", c->name);
        s->counts[s->n] = c->documents;
    }
    s->n++;
    return DC_OK;
}

static long coll_count(const colls *c, const char *name)
{
    for (int i = 0; i < c->n && i < 16; i++)
        if (strcmp(c->names[i], name) == 0) return c->counts[i];
    return -1;
}

static dc_rc count_doc(void *ctx, const dc_doc_summary *s)
{
    (void)s;
    (*(long *)ctx)++;
    return DC_OK;
}

static long n_docs(dc_db *db)
{
    long n = 0;
    dc_db_list(db, count_doc, &n);
    return n;
}

static void add_user(dc_db *db, const char *name, int level, int roles)
{
    dc_user_spec u = {.name = name, .level = level, .roles = roles, .password = "pw-12345"};
    CHECK_INT(dc_db_user_add(db, &u, NULL), DC_OK);
}

/* A classified memorandum in volume frus1958-60v18 citing Document 237. */
static const char memo[] = "SECRET\n\nMemorandum for the Record\n\nWashington, March 3, 1960\n\n"
                           "1. The committee reviewed the plan of Document 237 once more and "
                           "found the zircon estimate sound.\n";

static void test_identity(dc_db *db)
{
    dc_identity who = dc_db_identity(db);
    CHECK_STR(who.name, "public");
    CHECK_INT(who.signed_in, 0);
    CHECK_INT(who.roles, 0);
    CHECK_INT(dc_db_assume(db, "ada"), DC_OK);
    who = dc_db_identity(db);
    CHECK_STR(who.name, "ada");
    CHECK_INT(who.signed_in, 1);
    CHECK_INT(who.level, DC_TOP_SECRET);
    CHECK(who.roles & DC_ROLE_ADMIN);
    /* an unknown name leaves the public, not the previous user */
    CHECK_INT(dc_db_assume(db, "mallory"), DC_DENIED);
    CHECK_STR(dc_db_identity(db).name, "public");
    CHECK_INT(dc_db_assume(db, ""), DC_DENIED);
    CHECK_INT(dc_db_assume(db, NULL), DC_DENIED);
    /* a disabled account can no longer be assumed */
    CHECK_INT(dc_db_assume(db, "ada"), DC_OK);
    CHECK_INT(dc_db_user_del(db, "gone"), DC_OK);
    CHECK_INT(dc_db_assume(db, "gone"), DC_DENIED);
    CHECK_INT(dc_db_identity(db).signed_in, 0);
    CHECK_INT(dc_db_assume(db, "rev"), DC_OK);
    dc_db_logout(db);
    CHECK_STR(dc_db_identity(db).name, "public");
    CHECK_INT(dc_db_identity(db).level, DC_UNCLASSIFIED);
}

static void test_upload(dc_db *db)
{
    dc_ingest_opts opts = {.collection = "frus1958-60v18"};
    dc_ingest_stats st = {0};
    long before;
    /* only an administrator uploads */
    dc_db_logout(db);
    CHECK_INT(dc_db_ingest_data(db, "memo.txt", memo, strlen(memo), &opts, &st), DC_DENIED);
    CHECK_INT(dc_db_assume(db, "rev"), DC_OK);
    CHECK_INT(dc_db_ingest_data(db, "memo.txt", memo, strlen(memo), &opts, &st), DC_DENIED);
    CHECK_INT(dc_db_assume(db, "ada"), DC_OK);
    before = n_docs(db);
    /* a path in the name is reduced to a safe base name */
    CHECK_INT(dc_db_ingest_data(db, "../../etc/cron.d/x memo.txt", memo, strlen(memo), &opts,
                                &st),
              DC_OK);
    CHECK_INT(st.docs_new, 1);
    CHECK_INT(n_docs(db), before + 1);
    char *json = NULL;
    CHECK_INT(dc_db_show(db, "frus1958-60v18/x_memo", "json", &json), DC_OK);
    CHECK(json && strstr(json, "\"classified\""));
    free(json);
    /* bad input stores nothing and says why */
    const char bad[] = "<?xml version=\"1.0\"?>\n<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n<text>";
    memset(&st, 0, sizeof st);
    CHECK(dc_db_ingest_data(db, "bad.xml", bad, strlen(bad), &(dc_ingest_opts){0}, &st) != DC_OK);
    CHECK(strstr(dc_db_errmsg(db), "bad.xml") != NULL);
    CHECK_INT(st.files_failed, 1);
    CHECK_INT(n_docs(db), before + 1);
    CHECK_INT(dc_db_ingest_data(db, "empty.txt", "", 0, &(dc_ingest_opts){0}, &st), DC_PARSE);
    CHECK_INT(dc_db_ingest_data(db, "c.txt", memo, strlen(memo),
                                &(dc_ingest_opts){.collection = "a/b"}, &st),
              DC_MISUSE);
    CHECK_INT(n_docs(db), before + 1);
    /* an uploaded text file goes to "uploads" by default */
    memset(&st, 0, sizeof st);
    CHECK_INT(dc_db_ingest_data(db, "note.txt", "An unmarked note on zircon.\n", 28,
                                &(dc_ingest_opts){0}, &st),
              DC_OK);
    dc_db_logout(db);
    CHECK_INT(dc_db_show(db, "uploads/note", "text", &json), DC_OK);
    free(json);
}

static void test_refs(dc_db *db)
{
    refs_seen s;
    dc_db_logout(db);
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_refs(db, "frus1958-60v18/d279", on_ref, &s), DC_OK);
    CHECK(has(s.out, s.n_out, "document 237 -> frus1958-60v18/d237"));
    CHECK(has(s.out, s.n_out, "document 277 -> frus1958-60v18/d277"));
    CHECK(has(s.out, s.n_out, "footnote 237 -> frus1958-60v18/d237"));
    CHECK(has(s.out, s.n_out, "document 273 -> -")); /* not stored: unresolved */
    /* a paper resolves to the stored document that is the paper (d237 is
     * NSC 5817); one not stored stays unresolved */
    CHECK(has(s.out, s.n_out, "paper NSC 5817 -> frus1958-60v18/d237"));
    CHECK(has(s.out, s.n_out, "paper NSC 5429/5 -> -"));
    /* incoming: d277 and d279 cite 237 (public); the classified memo does
     * too, but the public may not read it, so it does not show */
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_refs(db, "frus1958-60v18/d237", on_ref, &s), DC_OK);
    CHECK_INT(n_with(s.in, s.n_in, "-> frus1958-60v18/d279"), 1);
    CHECK_INT(n_with(s.in, s.n_in, "-> frus1958-60v18/d277"), 1);
    CHECK_INT(n_with(s.in, s.n_in, "x_memo"), 0);
    CHECK_INT(s.n_in, 2);
    CHECK_INT(dc_db_assume(db, "ada"), DC_OK);
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_refs(db, "frus1958-60v18/d237", on_ref, &s), DC_OK);
    CHECK_INT(n_with(s.in, s.n_in, "-> frus1958-60v18/x_memo"), 1);
    CHECK_INT(s.n_in, 3);
    /* a reader cleared below the memo does not see it either */
    CHECK_INT(dc_db_assume(db, "low"), DC_OK);
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_refs(db, "frus1958-60v18/d237", on_ref, &s), DC_OK);
    CHECK_INT(s.n_in, 2);
    /* an unreadable document is missing, with the same message */
    dc_db_logout(db);
    CHECK_INT(dc_db_refs(db, "frus1958-60v18/x_memo", on_ref, &s), DC_NOTFOUND);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", dc_db_errmsg(db));
    CHECK_INT(dc_db_refs(db, "frus1958-60v18/nothing", on_ref, &s), DC_NOTFOUND);
    CHECK(strstr(msg, "no document") && strstr(dc_db_errmsg(db), "no document"));
}

static void test_collections(dc_db *db)
{
    colls c;
    dc_db_logout(db);
    memset(&c, 0, sizeof c);
    CHECK_INT(dc_db_collections(db, on_coll, &c), DC_OK);
    CHECK_INT(coll_count(&c, "frus1958-60v18"), 3); /* not the classified memo */
    CHECK_INT(coll_count(&c, "frus1961-63v08"), 1);
    CHECK_INT(coll_count(&c, "uploads"), 1);
    CHECK_INT(c.n, 3);
    CHECK(strcmp(c.names[0], c.names[1]) < 0 && strcmp(c.names[1], c.names[2]) < 0);
    CHECK_INT(dc_db_assume(db, "ada"), DC_OK);
    memset(&c, 0, sizeof c);
    CHECK_INT(dc_db_collections(db, on_coll, &c), DC_OK);
    CHECK_INT(coll_count(&c, "frus1958-60v18"), 4);
}

int main(void)
{
    const char *corpus = getenv("DC_CORPUS");
    if (!corpus) corpus = "samples";
    if (!mkdtemp(dir)) return 2;
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    dc_db *db = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbpath, DC_DB_CREATE, &db, &err), DC_OK);
    if (!db) return TEST_DONE();
    char tei[512];
    snprintf(tei, sizeof tei, "%s/tei", corpus);
    dc_ingest_stats st = {0};
    CHECK_INT(dc_db_ingest(db, tei, &(dc_ingest_opts){.released = 1}, &st), DC_OK);
    CHECK_INT(st.docs_new, 4);
    add_user(db, "ada", DC_TOP_SECRET, DC_ROLE_ADMIN);
    CHECK_INT(dc_db_login(db, "ada", "pw-12345"), DC_OK);
    add_user(db, "rev", DC_SECRET, DC_ROLE_REVIEWER);
    add_user(db, "low", DC_CONFIDENTIAL, DC_ROLE_READER);
    add_user(db, "gone", DC_SECRET, DC_ROLE_READER);
    dc_db_logout(db);
    test_identity(db);
    test_upload(db);
    test_refs(db);
    test_collections(db);
    CHECK_INT(dc_db_check(db), DC_OK);
    dc_db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
    return TEST_DONE();
}
