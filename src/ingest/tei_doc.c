/*
 * TEI ingest: documents.  A div type="document" (or the whole file) opens
 * one, its end completes it, and it is handed to the sink one document
 * late, once its local id is known; dates come from the FRUS attributes,
 * the header and the dateline.
 */
#include "ingest/ingest_int.h"
#include "model/model_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_int.h"
#include "util/banned.h"

/* 1 if s starts with a valid YYYY-MM-DD; copies it to out. */
int dc_tei_iso_date(const char *s, char out[11])
{
    int y, m, d;
    if (strnlen(s, 10) < 10 || !dc_date_parse(s, 10, &y, &m, &d)) return 0;
    memcpy(out, s, 10);
    out[10] = '\0';
    return 1;
}

/*
 * A date written out in a dateline: "July 1, 1959", "3 February 1957",
 * "November 7-8, 1958" (first day), "June 20-August 31, 1961", "3rd April
 * 1865", "April 3d, 1865" (ordinal days).  Writes
 * YYYY-MM-DD to out and returns 1, or returns 0 when there is none.
 */
int dc_tei_text_date(const char *s, char out[11])
{
    struct {
        const char *p;
        size_t n;
    } w[64];
    int nw = 0;
    for (const char *p = s; *p && nw < 64;) {
        if (!isalnum((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *q = p;
        while (isalnum((unsigned char)*q)) q++;
        w[nw].p = p;
        w[nw].n = (size_t)(q - p);
        nw++;
        p = q;
    }
    for (int i = 0; i < nw; i++) {
        int mo = dc_month_word(w[i].p, w[i].n);
        if (!mo) continue;
        long day = 0, year = 0;
        char *end;
        if (i > 0 && dc_day_at(w[i - 1].p, w[i - 1].n, &day) != w[i - 1].n) day = 0;
        if (!day && i + 1 < nw && dc_day_at(w[i + 1].p, w[i + 1].n, &day) != w[i + 1].n)
            day = 0;
        for (int k = i + 1; k < nw && k <= i + 4; k++)
            if (w[k].n == 4 && isdigit((unsigned char)w[k].p[0])) {
                year = strtol(w[k].p, &end, 10);
                break;
            }
        if (day >= 1 && day <= 31 && year >= 1000 && year <= 2999) {
            dc_date_iso(out, (int)year, mo, (int)day);
            return 1;
        }
    }
    return 0;
}

/* Forgets the per-document state (pending portion, label, source note,
 * footnote ids) between documents. */
static void doc_reset_state(tei *t)
{
    dc_tei_cur_reset(t);
    free(t->label);
    t->label = NULL;
    free(t->doc_xmlid);
    t->doc_xmlid = NULL;
    free(t->source_n);
    t->source_n = NULL;
    dc_strv_release(&t->note_ids);
    t->title_taken = 0;
    t->last_close = 0;
    t->n_dup = 0;
}

/*
 * Hands doc (the k-th of the file) to the sink after giving it its final
 * local id: in a FRUS volume (a collection is known) the div's xml:id, else
 * "d" + its number; in a file without a volume id the file's name, suffixed
 * by the div's xml:id (or ordinal) when the file holds several documents, so
 * that ids stay unique in a folder; the whole-file document takes the root's
 * xml:id or the file's name.  The sink owns doc from here on, whatever it
 * returns.
 */
void dc_tei_deliver(tei *t, dc_doc *doc, size_t k, int multi, int whole_file)
{
    if (t->rc) {
        dc_doc_free(doc);
        return;
    }
    char id[600];
    const char *xid = doc->local_id;
    if (whole_file)
        snprintf(id, sizeof id, "%s", t->root_id ? t->root_id : t->stem);
    else if (doc->collection && xid)
        snprintf(id, sizeof id, "%s", xid);
    else if (doc->collection && doc->number)
        snprintf(id, sizeof id, "d%s", doc->number);
    else if (!multi)
        snprintf(id, sizeof id, "%s", t->stem);
    else if (xid)
        snprintf(id, sizeof id, "%s-%s", t->stem, xid);
    else
        snprintf(id, sizeof id, "%s-%zu", t->stem, k);
    int bad = dc_str_set(&doc->local_id, id) != DC_OK;
    if (!bad && !doc->date && !multi && t->hdr_created)
        bad = dc_str_set(&doc->date, t->hdr_created) || dc_str_set(&doc->date_source, "tei");
    if (!bad) bad = dc_ingest_portion_marks(doc) != DC_OK;
    if (bad) {
        dc_doc_free(doc);
        { dc_tei_nomem(t); return; }
    }
    dc_rc rc = t->sink(t->ctx, doc);
    t->n_delivered++;
    if (rc && !t->rc) {
        t->rc = rc;
        if (t->err && t->err->rc == DC_OK)
            dc_fail(t->err, rc, 0, "document %s not accepted: %s", id, dc_strerror(rc));
    }
}

/* Completes the current document: title, type, classification, format,
 * volume title. */
void dc_tei_doc_finish(tei *t)
{
    dc_doc *d = t->doc;
    dc_tei_flush(t, dc_tei_open_kind(t), 0);
    if (t->rc) return;
    if (t->fallback && !d->title) {
        const char *title = t->hdr_title;
        for (size_t i = 0; !title && i < d->n_portions; i++)
            if (strcmp(d->portions[i].kind, "heading") == 0) title = d->portions[i].text;
        dc_tei_set_str(t, &d->title, title);
    }
    if (!d->source_note && t->file_source) dc_tei_set_str(t, &d->source_note, t->file_source);
    if (!d->classification)
        dc_tei_set_str(t, &d->classification, dc_ingest_classification(d->source_note));
    dc_tei_set_str(t, &d->doc_type, t->event           ? "event"
                                    : t->doc_section ? t->doc_section
                                                     : dc_ingest_doc_type(d->title));
    dc_tei_set_str(t, &d->format, "tei");
    /* A FRUS volume (its header names it with an idno type="frus") gives
     * its title for citations. */
    if ((t->volume_id || t->book) && t->hdr_title_complete)
        dc_tei_set_str(t, &d->volume_title, t->hdr_title);
}

/* A div type="document" opens: the text before it ends, a whole-file
 * document begun so far is dropped (the file has real documents), and a new
 * document takes the div's xml:id, @n, the volume and the FRUS date; the
 * page in force when it opens is its first page. */
void dc_tei_doc_start(tei *t)
{
    char v[TEI_ATTR], date[11];
    dc_tei_flush(t, dc_tei_open_kind(t), 0);
    if (t->fallback) {
        dc_doc_free(t->doc);
        t->doc = NULL;
        t->fallback = 0;
    }
    doc_reset_state(t);
    t->n_docdivs++;
    dc_doc *d = t->doc = dc_doc_new();
    if (!d) { dc_tei_nomem(t); return; }
    if (dc_tei_attr(t, "id", DC_XML_NS, v)) {
        dc_tei_set_str(t, &d->local_id, v);
        dc_tei_set_str(t, &t->doc_xmlid, v);
    }
    if (dc_tei_attr(t, "n", NULL, v)) dc_tei_set_str(t, &d->number, v);
    dc_tei_set_str(t, &d->collection, t->volume_id ? t->volume_id : t->root_id);
    if (dc_tei_attr(t, "doc-dateTime-min", DC_FRUS_NS, v) && dc_tei_iso_date(v, date)) {
        dc_tei_set_str(t, &d->date, date);
        dc_tei_set_str(t, &d->date_source, "tei");
    }
    if (t->page && dc_strv_push(&d->pages, t->page)) dc_tei_nomem(t);
}

/* A document div closes: the document is completed and held back; the one
 * held before it is delivered (it is now known not to be the only one). */
void dc_tei_doc_end(tei *t)
{
    dc_tei_doc_finish(t);
    dc_doc *d = t->doc;
    t->doc = NULL;
    doc_reset_state(t);
    if (t->rc) {
        dc_doc_free(d);
        return;
    }
    if (t->held) {
        dc_doc *h = t->held;
        t->held = NULL;
        dc_tei_deliver(t, h, t->n_delivered + 1, 1, 0);
    }
    if (t->rc) {
        dc_doc_free(d);
        return;
    }
    t->held = d;
}
