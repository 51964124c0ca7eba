/*
 * The facade, bulk export: every document the reader may read (or every
 * one matching a query), each as the reader's view, streamed to a write
 * callback as JSON Lines or as one TEI teiCorpus.  Memory stays bounded by
 * the largest document and one page of hits, whatever the corpus size:
 * documents are read one at a time, never gathered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facade/facade_int.h"
#include "model/model_int.h"
#include "query/query.h"
#include "render/render.h"
#include "util/banned.h"

enum { EXPORT_JSONL, EXPORT_TEI };

typedef struct export_run {
    dc_db *db;
    int format;
    dc_write_fn write;
    void *ctx;
    dc_access_reader reader;
    dc_buf chunk;  /* one document's output, reused */
    long count;
    dc_rc cb_rc;   /* what stopped the listing from inside (message set) */
} export_run;

static dc_rc put(export_run *x, const char *s, size_t n)
{
    dc_rc rc = x->write(x->ctx, s, n);
    if (rc) return dc_db_fail(x->db, rc, "export stopped: the output failed (%s)", dc_strerror(rc));
    return DC_OK;
}

/* Writes the reader's view of id; a document that is gone or no longer
 * readable (changed since it was listed) is skipped. */
static dc_rc export_one(export_run *x, const char *id)
{
    dc_doc *v = NULL;
    int denied = 0;
    dc_rc rc = dc_db_view(x->db, id, 0, &v, &denied);
    if (rc == DC_NOTFOUND) return DC_OK;
    if (rc) return rc;
    dc_buf_reset(&x->chunk);
    if (x->format == EXPORT_JSONL) {
        dc_doc_json_write(v, &x->chunk); /* as dc_doc_to_json, into the reused buffer */
        dc_buf_putc(&x->chunk, '\n');
        rc = x->chunk.rc;
    } else {
        char pfx[32];
        snprintf(pfx, sizeof pfx, "e%ld-", x->count + 1);
        rc = dc_render_tei(v, pfx, &x->chunk);
    }
    dc_doc_free(v);
    if (rc) return dc_db_fail(x->db, rc, "cannot export %s: %s", id, dc_strerror(rc));
    rc = put(x, x->chunk.p, x->chunk.len);
    if (!rc) x->count++;
    return rc;
}

static dc_rc list_one(void *ctx, const dc_doc_summary *s)
{
    export_run *x = ctx;
    if (!s->id || !dc_access_doc_readable(&x->reader, s->release_status, s->classification))
        return DC_OK;
    return x->cb_rc = export_one(x, s->id);
}

/* Every hit of query, a page of DC_SEARCH_MAX_LIMIT at a time, in rank
 * order; the search runs as the reader (its filter keeps unreadable
 * documents out). */
static dc_rc export_query(export_run *x, const char *query)
{
    dc_db *db = x->db;
    dc_rc rc;
    if ((rc = dc_db_search_ready(db)) != DC_OK) return rc;
    dc_error err = {0};
    dc_query *q = NULL;
    rc = dc_query_parse(db->an, query, strlen(query), &q, &err);
    if (rc) return dc_db_fail(db, rc, "bad query: %s", err.msg);
    dc_access_reader reader = dc_db_reader(db);
    size_t offset = 0;
    for (;;) {
        dc_search_opts o = {.limit = DC_SEARCH_MAX_LIMIT, .offset = offset,
                            .classification = -1, .reader = &reader};
        dc_search_result *res = NULL;
        rc = dc_index_search(db->ix, db->an, q, &o, &res);
        if (rc) {
            dc_db_fail(db, rc, "search failed: %s", dc_index_errmsg(db->ix));
            break;
        }
        for (size_t i = 0; !rc && i < res->n_hits; i++) rc = export_one(x, res->hits[i].id);
        size_t n = res->n_hits;
        uint64_t total = res->total;
        dc_search_result_free(res);
        offset += n;
        if (rc || n == 0 || offset >= total) break;
    }
    dc_query_free(q);
    return rc;
}

/* Text for the corpus header, escaped for XML (control characters as
 * spaces). */
static void xml_text(dc_buf *b, const char *s) { dc_buf_xml_escape(b, s, strlen(s), 0); }

dc_rc dc_db_export(dc_db *db, const char *query, const char *format, dc_write_fn write,
                   void *ctx, long *count)
{
    if (count) *count = 0;
    if (!db) return DC_MISUSE;
    if (!write) return dc_db_fail(db, DC_MISUSE, "dc_db_export: no write callback");
    const dc_db_format *f = dc_db_format_find(format, DC_FORMAT_EXPORT);
    if (!f)
        return dc_db_fail(db, DC_MISUSE, "unknown export format '%s' (use %s)",
                          format ? format : "", dc_format_names(DC_FORMAT_EXPORT));
    int fmt = strcmp(f->pub.name, "tei") == 0 ? EXPORT_TEI : EXPORT_JSONL;
    if (query && !*query) query = NULL;
    export_run x = {.db = db, .format = fmt, .write = write, .ctx = ctx,
                    .reader = dc_db_reader(db)};
    dc_buf_init(&x.chunk, DC_JSON_LIMIT);
    dc_rc rc = DC_OK;
    if (fmt == EXPORT_TEI) {
        dc_buf h;
        dc_buf_init(&h, 0);
        dc_buf_puts(&h, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<teiCorpus xmlns=\"http://www.tei-c.org/ns/1.0\">\n"
                        "<teiHeader><fileDesc><titleStmt><title>declass export</title>"
                        "</titleStmt><publicationStmt><distributor>declass</distributor>"
                        "</publicationStmt><sourceDesc><p>The documents the reader may read");
        if (query) {
            dc_buf_puts(&h, " matching the query ");
            xml_text(&h, query);
        }
        dc_buf_puts(&h, ", each as the reader's view.</p></sourceDesc></fileDesc>"
                        "</teiHeader>\n");
        rc = h.rc ? dc_db_fail(db, h.rc, "out of memory") : put(&x, h.p, h.len);
        dc_buf_release(&h);
    }
    if (!rc && query) {
        rc = export_query(&x, query);
    } else if (!rc) {
        rc = dc_store_list(db->st, list_one, &x);
        /* A failure of ours (view, output) has already set the message. */
        if (rc && !x.cb_rc) dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    if (!rc && fmt == EXPORT_TEI) rc = put(&x, "</teiCorpus>\n", 13);
    dc_buf_release(&x.chunk);
    char detail[64];
    snprintf(detail, sizeof detail, "%s %ld documents%s", format, x.count,
             rc ? " (incomplete)" : "");
    if (count) *count = x.count;
    dc_rc arc = dc_db_audit_add(db, "export", query, detail);
    return rc ? rc : arc;
}
