/*
 * A program outside the tree: built by tests/install/test_install.py
 * against the installed headers and libdeclass.so only (pkg-config
 * declass).  Opens a fresh database, ingests one file, searches it and
 * checks the one hit.
 *
 *     consumer DB FILE QUERY ID
 *
 * Exit 0 when QUERY finds exactly document ID, else 1 with the reason.
 */
#include <declass/declass.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, dc_rc rc, const char *msg)
{
    fprintf(stderr, "consumer: %s: %s%s%s\n", what, dc_strerror(rc), msg && *msg ? ": " : "",
            msg ? msg : "");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fputs("usage: consumer DB FILE QUERY ID\n", stderr);
        return 2;
    }
    dc_db *db = NULL;
    dc_error err = {0};
    dc_rc rc = dc_db_open(argv[1], DC_DB_CREATE, &db, &err);
    if (rc) return fail("dc_db_open", rc, err.msg);

    dc_ingest_opts opts = {0};
    opts.released = 1;
    dc_ingest_stats st = {0};
    rc = dc_db_ingest(db, argv[2], &opts, &st);
    if (rc || st.files != 1 || st.docs_new != 1) {
        fprintf(stderr, "consumer: ingested %ld files, %ld new documents\n", st.files,
                st.docs_new);
        int code = fail("dc_db_ingest", rc, dc_db_errmsg(db));
        dc_db_close(db);
        return code;
    }

    dc_search_request req = {0};
    req.query = argv[3];
    dc_search_page *page = NULL;
    rc = dc_db_search(db, &req, &page);
    if (rc) {
        int code = fail("dc_db_search", rc, dc_db_errmsg(db));
        dc_db_close(db);
        return code;
    }
    int ok = page->total == 1 && page->n_hits == 1 && page->hits[0].id &&
             strcmp(page->hits[0].id, argv[4]) == 0 && page->hits[0].score > 0;
    printf("total %llu\n", (unsigned long long)page->total);
    for (size_t i = 0; i < page->n_hits; i++)
        printf("hit %s %.3f %s\n", page->hits[i].id, page->hits[i].score,
               page->hits[i].title ? page->hits[i].title : "");
    dc_search_page_free(page);
    dc_db_close(db);
    if (!ok) fprintf(stderr, "consumer: wanted exactly one hit, %s\n", argv[4]);
    return ok ? 0 : 1;
}
