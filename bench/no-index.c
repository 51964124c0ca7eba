/*
 * A do-nothing search index for measuring TEI ingest without indexing
 * (bench/ingest-bench with NO_INDEX=1; never part of a build of the
 * repository itself).  The script builds a copy of the tree whose
 * src/index/ holds only this file.  Its high-water mark is the largest
 * docid, so the facade's catch-up at the end of an ingest finds nothing
 * to index; search and snippets fail with DC_INTERNAL.  It implements
 * src/index/index.h and must follow it when that changes.
 */
#include <stdlib.h>

#include "index/index.h"

struct dc_index {
    int unused;
};

struct dc_index_writer {
    int unused;
};

dc_rc dc_index_open(const char *dir, int flags, dc_index **out, dc_error *err)
{
    (void)dir, (void)flags, (void)err;
    *out = calloc(1, sizeof **out);
    return *out ? DC_OK : DC_NOMEM;
}

void dc_index_close(dc_index *ix) { free(ix); }

const char *dc_index_errmsg(const dc_index *ix)
{
    (void)ix;
    return "no index in this build (bench/no-index.c)";
}

uint64_t dc_index_high_water(const dc_index *ix)
{
    (void)ix;
    return UINT64_MAX;
}

uint64_t dc_index_doc_count(const dc_index *ix)
{
    (void)ix;
    return 0;
}

unsigned dc_index_segment_count(const dc_index *ix)
{
    (void)ix;
    return 0;
}

int dc_index_outdated(const dc_index *ix)
{
    (void)ix;
    return 0;
}

dc_rc dc_index_writer_open(dc_index *ix, size_t mem_budget, dc_index_writer **out)
{
    (void)ix, (void)mem_budget;
    *out = calloc(1, sizeof **out);
    return *out ? DC_OK : DC_NOMEM;
}

dc_rc dc_index_writer_add(dc_index_writer *w, uint64_t docid, const dc_doc *view,
                          const dc_access_pred *pred)
{
    (void)w, (void)docid, (void)view, (void)pred;
    return DC_OK;
}

dc_rc dc_index_writer_delete(dc_index_writer *w, uint64_t docid)
{
    (void)w, (void)docid;
    return DC_OK;
}

dc_rc dc_index_writer_commit(dc_index_writer *w)
{
    free(w);
    return DC_OK;
}

void dc_index_writer_abort(dc_index_writer *w) { free(w); }

dc_rc dc_index_merge(dc_index *ix, uint64_t max, unsigned *merges)
{
    (void)ix, (void)max;
    if (merges) *merges = 0;
    return DC_OK;
}

dc_rc dc_index_optimize(dc_index *ix)
{
    (void)ix;
    return DC_OK;
}

dc_rc dc_index_check(dc_index *ix, dc_error *err)
{
    (void)ix, (void)err;
    return DC_OK;
}

dc_rc dc_index_search(dc_index *ix, dc_analyzer *a, const dc_query *q,
                      const dc_search_opts *opts, dc_search_result **out)
{
    (void)ix, (void)a, (void)q, (void)opts;
    *out = NULL;
    return DC_INTERNAL;
}

void dc_search_result_free(dc_search_result *r) { free(r); }

dc_rc dc_index_snippet(dc_analyzer *a, const dc_query *q, const dc_doc *doc, size_t width,
                       const char *open, const char *close, dc_buf *out)
{
    (void)a, (void)q, (void)doc, (void)width, (void)open, (void)close, (void)out;
    return DC_INTERNAL;
}
