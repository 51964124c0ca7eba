/*
 * Fault injection (STYLE.md): the Nth allocation of the library fails, for
 * every N until a whole run succeeds, over the core paths — plain-text
 * ingest of a real seed, file-number and reference extraction, the JSON
 * round trip, the deep copy and both renderers.  Each run must end in DC_OK or DC_NOMEM,
 * never crash, and (under LeakSanitizer) leak nothing.
 *
 * This program is linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc, which reroutes the library's allocations (it is linked
 * statically into this test) through the wrappers below.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ingest/ingest.h"
#include "model/model_int.h"
#include "refs/refs.h"
#include "render/render.h"
#include "test.h"
#include "util/util_int.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static long fail_at = -1; /* the allocation to fail (0-based); -1: none */
static long n_allocs;

static int should_fail(void) { return n_allocs++ == fail_at; }

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }

/* One run of the core path; returns its result code. */
static dc_rc core_path(const char *data, size_t len)
{
    dc_error err = {0};
    dc_doc *doc = NULL, *back = NULL, *copy = NULL;
    char *json = NULL;
    dc_buf out;
    dc_buf_init(&out, 0);
    dc_rc rc = dc_ingest_check_text(data, len, &err);
    if (!rc) rc = dc_ingest_text(data, len, &doc, &err);
    if (!rc) rc = dc_str_set(&doc->id, "seeds/000");
    if (!rc) rc = dc_str_set(&doc->collection, "seeds");
    if (!rc) rc = dc_refs_enrich(doc);
    if (!rc) rc = dc_doc_to_json(doc, 0, &json);
    if (!rc) rc = dc_doc_from_json(json, strlen(json), &back);
    if (!rc) rc = dc_render_text(back, &out);
    if (!rc) rc = dc_render_json(back, &out);
    if (!rc) rc = dc_doc_copy(back, &copy);
    if (!rc) rc = dc_render_text(copy, &out);
    dc_free(json);
    dc_doc_free(doc);
    dc_doc_free(back);
    dc_doc_free(copy);
    dc_buf_release(&out);
    return rc;
}

int main(void)
{
    const char *dir = getenv("DC_CORPUS");
    char path[1024];
    snprintf(path, sizeof path, "%s/seeds/000_5785f422be2d1253.txt", dir ? dir : "samples");
    char *data = NULL;
    size_t len = 0;
    dc_error err = {0};
    if (dc_read_file(path, DC_INGEST_MAX_FILE, &data, &len, &err)) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return 1;
    }
    n_allocs = 0;
    CHECK_INT(core_path(data, len), DC_OK);
    long total = n_allocs;
    CHECK(total > 100);
    long bad = 0;
    for (fail_at = 0; fail_at < total; fail_at++) {
        n_allocs = 0;
        dc_rc rc = core_path(data, len);
        if (rc != DC_NOMEM && rc != DC_OK) {
            if (bad++ < 5) fprintf(stderr, "allocation %ld failed: rc %d\n", fail_at, rc);
        }
    }
    CHECK_INT(bad, 0);
    fail_at = -1;
    n_allocs = 0;
    CHECK_INT(core_path(data, len), DC_OK); /* and all is well afterwards */
    printf("%ld allocations, each failed in turn\n", total);
    dc_free(data);
    return TEST_DONE();
}
