/*
 * Persons and dates: store migration v2 -> v3, the real FRUS lists parsed
 * (119 persons, 197 terms in frus1958-60v18, counted with grep), persName
 * corresp resolved to the list's name, dates written in text, and the
 * person lookup through the facade, including a name standing only in a
 * withheld portion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "model/model_int.h"
#include "declass/declass.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "store/store_int.h"
#include "test.h"

#include <sqlite3.h>

static char dir[] = "/tmp/dc_test_persons_XXXXXX";
static const char *test_corpus, *corpus;

static const char *path_in(const char *a, const char *b)
{
    static char buf[4][1024];
    static int k;
    char tmp[sizeof buf[0]]; /* a or b may be an earlier result */
    snprintf(tmp, sizeof tmp, "%s/%s", a, b);
    k = (k + 1) % 4;
    memcpy(buf[k], tmp, sizeof tmp);
    return buf[k];
}

/* ---- store ---------------------------------------------------------- */

static dc_rc count_row(void *ctx, const dc_list_row *r)
{
    (void)r;
    (*(long *)ctx)++;
    return DC_OK;
}

static dc_rc keep_title(void *ctx, const dc_doc_summary *s)
{
    snprintf(ctx, 64, "%s", s->title ? s->title : "");
    return DC_OK;
}

static void test_migration(void)
{
    const char *p = path_in(dir, "v2.db");
    dc_store *st = NULL;
    dc_error err = {0};
    /* a version 2 database (the first two steps; this build's table check
     * then refuses it, as it lacks the v3 tables) with one document and one
     * user written as version 2 wrote them */
    CHECK_INT(dc_store_open_steps(p, DC_STORE_CREATE, dc_store_migrations, 2, &st, &err),
              DC_CORRUPT);
    CHECK(st == NULL);
    sqlite3 *raw = NULL;
    CHECK_INT(sqlite3_open(p, &raw), SQLITE_OK);
    CHECK_INT(sqlite3_exec(raw, "PRAGMA user_version", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_exec(raw,
                           "INSERT INTO collections VALUES ('c', NULL, 't', 't');"
                           "INSERT INTO documents VALUES ('c/one', 'c', 1, 't', 't');"
                           "INSERT INTO versions (doc_id, version, hash, source, format,"
                           " ingested_at, title, doc_type, release_status, body) VALUES"
                           " ('c/one', 1, printf('%064d', 0), 'x.txt', 'text', 't',"
                           " 'Kept across the migration', 'document', 'released',"
                           " '{\"id\":\"c/one\",\"collection\":\"c\","
                           "\"title\":\"Kept across the migration\"}');"
                           "INSERT INTO users VALUES ('ann', 'hash', 1, '', 'reader', 't', 0);",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_stmt *q = NULL;
    CHECK_INT(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(q, 0), 2);
    sqlite3_finalize(q);
    sqlite3_close(raw);

    /* this build migrates it to 3 and keeps the data */
    CHECK_INT(dc_store_open(p, 0, &st, &err), DC_OK);
    if (!st) return;
    long n = 0;
    CHECK_INT(dc_store_count(st, &n), DC_OK);
    CHECK_INT(n, 1);
    char title[64] = "";
    CHECK_INT(dc_store_list(st, keep_title, title), DC_OK);
    CHECK_STR(title, "Kept across the migration");
    long admins = -1;
    CHECK_INT(dc_store_admin_count(st, &admins), DC_OK);
    CHECK_INT(admins, 0);
    /* the new tables work; a second put of the same key replaces */
    dc_list_row r = {.collection = "v", .xml_id = "p_X1", .name = "Doe, John",
                     .description = "Clerk"};
    CHECK_INT(dc_store_list_put(st, DC_LIST_PERSONS, &r), DC_OK);
    r.description = "Chief Clerk";
    CHECK_INT(dc_store_list_put(st, DC_LIST_PERSONS, &r), DC_OK);
    n = 0;
    CHECK_INT(dc_store_list_rows(st, DC_LIST_PERSONS, "v", count_row, &n), DC_OK);
    CHECK_INT(n, 1);
    n = 0;
    CHECK_INT(dc_store_list_rows(st, DC_LIST_TERMS, NULL, count_row, &n), DC_OK);
    CHECK_INT(n, 0);
    /* bad input */
    dc_list_row bad = {.collection = "v", .xml_id = "", .name = "x"};
    CHECK_INT(dc_store_list_put(st, DC_LIST_PERSONS, &bad), DC_MISUSE);
    bad.xml_id = "t1";
    CHECK_INT(dc_store_list_put(st, (dc_list_kind)9, &bad), DC_MISUSE);
    CHECK_INT(dc_store_list_put(st, DC_LIST_TERMS, NULL), DC_MISUSE);
    CHECK_INT(dc_store_list_rows(st, DC_LIST_TERMS, NULL, NULL, NULL), DC_MISUSE);
    dc_store_close(st);
}

/* ---- TEI lists and person references --------------------------------- */

typedef struct lists {
    long persons, terms, docs;
    char eisenhower[128], eisenhower_role[128], roka[128], rhee_f[256], coll[64];
    dc_doc *doc;
} lists;

static dc_rc on_item(void *ctx, const dc_tei_list_item *it)
{
    lists *l = ctx;
    if (strcmp(it->list, "persons") == 0) l->persons++;
    else l->terms++;
    snprintf(l->coll, sizeof l->coll, "%s", it->collection);
    if (strcmp(it->xml_id, "p_EDD1") == 0) {
        snprintf(l->eisenhower, sizeof l->eisenhower, "%s", it->name);
        snprintf(l->eisenhower_role, sizeof l->eisenhower_role, "%s", it->description);
    }
    if (strcmp(it->xml_id, "p_RF2") == 0)
        snprintf(l->rhee_f, sizeof l->rhee_f, "%s", it->description);
    if (strcmp(it->xml_id, "t_ROKA1") == 0) snprintf(l->roka, sizeof l->roka, "%s", it->description);
    return DC_OK;
}

static dc_rc on_doc(void *ctx, dc_doc *d)
{
    lists *l = ctx;
    l->docs++;
    dc_doc_free(l->doc);
    l->doc = d;
    return DC_OK;
}

static const char *resolve(void *ctx, const char *collection, const char *xml_id)
{
    (void)ctx;
    if (!collection || strcmp(collection, "frus1958-60v18") != 0) return NULL;
    if (strcmp(xml_id, "p_SFCJ1") == 0) return "Scribner, Fred C., Jr.";
    if (strcmp(xml_id, "p_LJSJ1") == 0) return "Lay, James S., Jr.";
    return NULL;
}

static int has(const dc_strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0) return 1;
    return 0;
}

static void test_lists(void)
{
    lists l = {0};
    dc_error err = {0};
    dc_tei_handlers h = {.doc = on_doc, .list_item = on_item, .person = resolve, .ctx = &l};
    const char *lists_dir = path_in(test_corpus, "frus-lists");
    /* grep -c 'xml:id="p_' ...-persons.xml: 119; grep -c '<term ' ...-terms.xml: 197 */
    CHECK_INT(dc_ingest_tei_file_with(path_in(lists_dir, "frus1958-60v18-persons.xml"), &h, &err),
              DC_OK);
    CHECK_INT(l.persons, 119);
    CHECK_INT(l.docs, 0);
    CHECK_STR(l.coll, "frus1958-60v18");
    CHECK_STR(l.eisenhower, "Eisenhower, Dwight D.");
    CHECK_STR(l.eisenhower_role, "President of the United States");
    CHECK_STR(l.rhee_f, "wife of Syngman Rhee");
    CHECK_INT(dc_ingest_tei_file_with(path_in(lists_dir, "frus1958-60v18-terms.xml"), &h, &err),
              DC_OK);
    CHECK_INT(l.terms, 197);
    CHECK_STR(l.roka, "Republic of Korea Army");
    CHECK_INT(l.docs, 0);

    /* without a list callback the same file stays one whole-file document */
    lists l2 = {0};
    CHECK_INT(dc_ingest_tei_file(path_in(lists_dir, "frus1958-60v18-persons.xml"), on_doc, &l2,
                                 &err),
              DC_OK);
    CHECK_INT(l2.docs, 1);
    CHECK_INT(l2.persons, 0);
    dc_doc_free(l2.doc);

    /* d279: persName corresp="#p_SFCJ1" / "#p_LJSJ1" resolve to the list */
    lists l3 = {0};
    h.ctx = &l3;
    CHECK_INT(dc_ingest_tei_file_with(path_in(path_in(corpus, "tei"), "frus1958-60v18-d279.xml"),
                                      &h, &err),
              DC_OK);
    CHECK_INT(l3.docs, 1);
    if (l3.doc) {
        CHECK(has(&l3.doc->persons, "Fred C. Scribner, Jr."));
        CHECK(has(&l3.doc->persons, "Scribner, Fred C., Jr."));
        CHECK(has(&l3.doc->persons, "James S. Lay, Jr."));
        CHECK(has(&l3.doc->persons, "Lay, James S., Jr."));
        CHECK(has(&l3.doc->persons, "Rhee")); /* no corresp: as written only */
        CHECK_INT(l3.doc->persons.n, 5);
        CHECK_STR(l3.doc->date, "1959-07-01");
        CHECK_STR(l3.doc->date_source, "tei");
    }
    dc_doc_free(l3.doc);

    /* a list file named after its volume, with no idno: the name's prefix */
    const char *f = path_in(dir, "vol9-persons.xml");
    FILE *fp = fopen(f, "w");
    CHECK(fp != NULL);
    if (!fp) return;
    fputs("<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><text><body>"
          "<div xml:id=\"persons\"><list>"
          "<item><persName xml:id=\"p_A1\">Able, Ann</persName>, Clerk<note>dropped</note></item>"
          "<item><persName>No Id</persName>, skipped</item>"
          "<item><persName xml:id=\"p_B1\"> </persName>, empty name skipped</item>"
          "</list></div></body></text></TEI>",
          fp);
    fclose(fp);
    lists l4 = {0};
    h.ctx = &l4;
    CHECK_INT(dc_ingest_tei_file_with(f, &h, &err), DC_OK);
    CHECK_INT(l4.persons, 1);
    CHECK_STR(l4.coll, "vol9");
    /* malformed list: nothing but an error naming the line */
    fp = fopen(f, "w");
    if (!fp) return;
    fputs("<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><text><body>\n"
          "<div xml:id=\"persons\"><list><item><persName xml:id=\"p_A1\">Able</item>\n",
          fp);
    fclose(fp);
    CHECK_INT(dc_ingest_tei_file_with(f, &h, &err), DC_PARSE);
    CHECK(err.line >= 2);
}

/* ---- dates written in the text --------------------------------------- */

static dc_doc *text_doc(const char *source_note, const char *p1, const char *p2)
{
    dc_doc *d = dc_doc_new();
    if (!d) return NULL;
    dc_str_set(&d->source_note, source_note);
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    if (p) dc_str_set(&p->text, p1);
    p = dc_doc_add_portion(d, "paragraph");
    if (p) dc_str_set(&p->text, p2);
    return d;
}

static void date_case(const char *note, const char *p1, const char *p2, const char *want)
{
    dc_doc *d = text_doc(note, p1, p2);
    CHECK(d != NULL);
    if (!d) return;
    CHECK_INT(dc_ingest_date_from_text(d), DC_OK);
    if (want) {
        CHECK_STR(d->date, want);
        CHECK_STR(d->date_source, "text");
    } else {
        CHECK(d->date == NULL && d->date_source == NULL);
        if (d->date) fprintf(stderr, "  unexpected date %s for %s / %s\n", d->date, p1, p2);
    }
    dc_doc_free(d);
}

static void test_text_dates(void)
{
    date_case(NULL, "Washington, October 8, 1959.", "Text.", "1959-10-08");
    date_case(NULL, "Text first.", "Seoul, 1 July 1961", "1961-07-01");
    date_case("Source: Files. Secret. Drafted by Smith and approved by S/S on October 15, 1959.",
              "Text.", "More.", "1959-10-15");
    date_case(NULL, "This memorandum was signed by Dulles on Sept. 3, 1958 at noon.", "x",
              "1958-09-03");
    /* not the document's date */
    date_case(NULL, "OCB Report on NSC 5817, dated April 29, 1959", "x", NULL);
    date_case(NULL, "The Council, at its meeting on June 25, 1959, adopted the paper.", "x",
              NULL);
    date_case("Source: Files. Approved in S/S. The meeting was on May 4, 1959.", "x", "y", NULL);
    /* impossible or partial dates */
    date_case(NULL, "Washington, February 30, 1959.", "x", NULL);
    date_case(NULL, "Washington, February 29, 1959.", "x", NULL);
    date_case(NULL, "Washington, February 29, 1960.", "x", "1960-02-29");
    date_case(NULL, "Washington, July 1959.", "x", NULL);
    date_case(NULL, "Washington, July 1, 19590.", "x", NULL);
    date_case(NULL, "Washington, July 1, 1599.", "x", NULL);
    date_case(NULL, "", "", NULL);
    /* the first "on" before a full date, in either case, wherever it
     * stands (16 bytes are looked at at once, the last few one by one) */
    date_case(NULL, "Drafted on Monday and approved by S/S ON October 15, 1959.", "x",
              "1959-10-15");
    for (int k = 0; k < 40; k++) {
        char p1[128];
        snprintf(p1, sizeof p1, "%.*sIt was signed on May 4, 1959", k,
                 "x x x x x x x x x x x x x x x x x x x x x x x x");
        date_case(NULL, p1, "x", "1959-05-04");
        snprintf(p1, sizeof p1, "%.*sIt was signed upon May 4, 1959", k,
                 "x x x x x x x x x x x x x x x x x x x x x x x x");
        date_case(NULL, p1, "x", NULL);
    }
    /* a date already set is kept */
    dc_doc *d = text_doc(NULL, "Washington, October 8, 1959.", "x");
    if (d) {
        dc_str_set(&d->date, "1950-01-01");
        CHECK_INT(dc_ingest_date_from_text(d), DC_OK);
        CHECK_STR(d->date, "1950-01-01");
        CHECK(d->date_source == NULL);
        dc_doc_free(d);
    }
    CHECK_INT(dc_ingest_date_from_text(NULL), DC_OK);
}

/* ---- the facade --------------------------------------------------------- */

typedef struct seen {
    long persons, docs_total;
    char first_name[128], first_doc[128], role[128];
} seen;

static dc_rc on_person(void *ctx, const dc_person_info *p)
{
    seen *s = ctx;
    if (s->persons++ == 0) {
        snprintf(s->first_name, sizeof s->first_name, "%s", p->name);
        snprintf(s->role, sizeof s->role, "%s", p->description ? p->description : "");
        snprintf(s->first_doc, sizeof s->first_doc, "%s",
                 p->n_documents && p->documents ? p->documents[0].id : "");
    }
    s->docs_total += p->n_documents;
    return DC_OK;
}

static void test_facade(void)
{
    const char *dbp = path_in(dir, "f.db");
    const char *src = path_in(dir, "notes");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", src);
    CHECK_INT(system(cmd), 0);
    FILE *fp = fopen(path_in(src, "memo.txt"), "w");
    CHECK(fp != NULL);
    if (!fp) return;
    fputs("Memorandum for the Record\n\nThe meeting was held in the Cabinet Room.\n\n"
          "Dwight D. Eisenhower opened it.\n",
          fp);
    fclose(fp);
    dc_db *db = NULL;
    dc_error err = {0};
    CHECK_INT(dc_db_open(dbp, DC_DB_CREATE, &db, &err), DC_OK);
    if (!db) return;
    dc_ingest_opts o = {.released = 1};
    dc_ingest_stats st = {0};
    /* lists first, so the text is matched against them */
    CHECK_INT(dc_db_ingest(db, path_in(test_corpus, "frus-lists"), &o, &st), DC_OK);
    CHECK_INT(st.docs_new, 0);
    memset(&st, 0, sizeof st);
    CHECK_INT(dc_db_ingest(db, src, &o, &st), DC_OK);
    CHECK_INT(st.docs_new, 1);
    memset(&st, 0, sizeof st);
    CHECK_INT(dc_db_ingest(db, path_in(path_in(corpus, "tei"), "frus1958-60v18-d279.xml"), &o,
                           &st),
              DC_OK);

    seen s = {0};
    CHECK_INT(dc_db_person(db, "Dwight D. Eisenhower", on_person, &s), DC_OK);
    CHECK_INT(s.persons, 1);
    CHECK_STR(s.first_name, "Eisenhower, Dwight D.");
    CHECK_STR(s.role, "President of the United States");
    CHECK_INT(s.docs_total, 1);
    CHECK_STR(s.first_doc, "notes/memo");
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_person(db, "eisenhower", on_person, &s), DC_OK);
    CHECK_INT(s.persons, 2); /* Dwight D. and John S.D. */
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_person(db, "Scribner", on_person, &s), DC_OK);
    CHECK_INT(s.persons, 1);
    CHECK_STR(s.first_doc, "frus1958-60v18/d279");
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_person(db, "Rhee", on_person, &s), DC_OK);
    CHECK_INT(s.persons, 2); /* Francesca and Syngman: a bare "Rhee" is neither */
    CHECK_INT(s.docs_total, 0);
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_person(db, "Nobody Atall", on_person, &s), DC_NOTFOUND);
    CHECK_INT(dc_db_person(db, "", on_person, &s), DC_MISUSE);
    CHECK_INT(dc_db_person(db, NULL, on_person, &s), DC_MISUSE);
    CHECK_INT(dc_db_person(db, "x", NULL, NULL), DC_MISUSE);
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_persons(db, on_person, &s), DC_OK);
    CHECK_INT(s.persons, 3); /* Eisenhower (memo), Lay and Scribner (d279) */
    CHECK_STR(s.first_name, "Eisenhower, Dwight D.");

    /* withheld: the only portion naming him is hidden from the public */
    dc_user_spec u = {.name = "rev", .level = DC_TOP_SECRET, .roles = DC_ROLE_REVIEWER,
                      .password = "a long enough password"};
    int made_admin = 0;
    CHECK_INT(dc_db_user_add(db, &u, &made_admin), DC_OK);
    CHECK_INT(dc_db_assume(db, "rev"), DC_OK);
    dc_doc *memo = NULL;
    CHECK_INT(dc_db_get(db, "notes/memo", &memo), DC_OK);
    const char *pid = NULL;
    for (size_t i = 0; memo && i < memo->n_portions; i++)
        if (memo->portions[i].text && strstr(memo->portions[i].text, "Eisenhower"))
            pid = memo->portions[i].id;
    CHECK(pid != NULL);
    int version = 0;
    if (pid) CHECK_INT(dc_db_withhold(db, "notes/memo", pid, "(b)(1)", &version), DC_OK);
    dc_doc_free(memo);
    /* the reviewer, cleared for the withheld portion, reads it in their
     * view and finds the document by the name (the index holds each
     * reader's view); the public's view has a gap there */
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_person(db, "Dwight D. Eisenhower", on_person, &s), DC_OK);
    CHECK_INT(s.docs_total, 1);
    dc_db_logout(db);
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_person(db, "Dwight D. Eisenhower", on_person, &s), DC_OK);
    CHECK_INT(s.persons, 1);
    CHECK_INT(s.docs_total, 0);
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_db_persons(db, on_person, &s), DC_OK);
    CHECK_INT(s.persons, 2); /* Lay and Scribner only */
    CHECK_STR(s.first_name, "Lay, James S., Jr.");
    /* nor can the public find him by search */
    dc_search_request req = {.query = "person:Eisenhower"};
    dc_search_page *pg = NULL;
    CHECK_INT(dc_db_search(db, &req, &pg), DC_OK);
    if (pg) CHECK_INT(pg->total, 0);
    dc_search_page_free(pg);
    dc_db_close(db);
}

int main(void)
{
    test_corpus = getenv("DC_TEST_CORPUS");
    corpus = getenv("DC_CORPUS");
    if (!test_corpus) test_corpus = "tests/data/corpus";
    if (!corpus) corpus = "samples";
    if (!mkdtemp(dir)) return 2;
    test_migration();
    test_lists();
    test_text_dates();
    test_facade();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
    return TEST_DONE();
}
