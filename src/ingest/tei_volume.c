/*
 * TEI ingest: a FRUS volume's structure.  Its teiHeader gives the title,
 * editors, publisher and date; the divisions of its body (compilations,
 * chapters) with their headings and the documents in them, in document
 * order, make its table of contents.  Only asked for by a caller that
 * stores volumes (dc_tei_handlers.volume), and only for a file that names
 * its volume (teiHeader idno type="frus").
 */
#include "ingest/ingest_int.h"
#include "model/model_int.h"

#include <stdio.h>
#include <string.h>

#include "util/util_int.h"
#include "util/banned.h"

int dc_tei_vol_wanted(tei *t) { return t->h && t->h->volume && (t->volume_id || t->book); }

/* The volume being built, created on first use; NULL after a failure. */
static dc_volume *vol(tei *t)
{
    if (!t->vol && !(t->vol = dc_volume_new())) dc_tei_nomem(t);
    return t->vol;
}

/* A new entry of kind in the current part at the current depth. */
static dc_volume_entry *entry(tei *t, const char *kind, const char *xml_id)
{
    dc_volume *v = vol(t);
    if (!v) return NULL;
    if (v->n_entries >= TEI_MAX_ITEMS) {
        dc_tei_fail(t, DC_LIMIT, "more than %d divisions and documents in one volume",
                    TEI_MAX_ITEMS);
        return NULL;
    }
    dc_volume_entry *e = dc_volume_add_entry(v);
    if (!e) {
        dc_tei_nomem(t);
        return NULL;
    }
    e->level = t->vdiv_depth < 64 ? t->vdiv_depth : 64;
    dc_tei_set_str(t, &e->kind, kind);
    dc_tei_set_str(t, &e->part, t->vpart ? t->vpart : "body");
    dc_tei_set_str(t, &e->xml_id, xml_id);
    return e;
}

void dc_tei_vol_field(tei *t, int hf, const char *text)
{
    dc_volume *v = vol(t);
    if (!v) return;
    char **f = NULL;
    switch (hf) {
    case HF_SERIES: f = &v->series; break;
    case HF_SUBSERIES: f = &v->subseries; break;
    case HF_VOLUME_TITLE: f = &v->volume_title; break;
    case HF_VOLUME_NUMBER: f = &v->volume_number; break;
    case HF_PUBLISHER: f = &v->publisher; break;
    case HF_PUB_PLACE: f = &v->pub_place; break;
    case HF_PUB_DATE: f = &v->pub_date; break;
    case HF_EDITOR:
        if (v->editors.n >= 64) return;
        if (dc_strv_push(&v->editors, text) || dc_strv_push(&v->editor_roles, t->vrole))
            dc_tei_nomem(t);
        return;
    case HF_DIVHEAD:
        /* the first heading of the innermost open division */
        if (t->vdiv_depth > 0 && t->vdiv_depth <= 64) {
            dc_volume_entry *e = &v->entries[t->vdiv[t->vdiv_depth - 1]];
            if (!e->head) dc_tei_set_str(t, &e->head, text);
        }
        return;
    default: return;
    }
    if (!*f) dc_tei_set_str(t, f, text);
}

void dc_tei_vol_division(tei *t)
{
    char id[TEI_ATTR], type[TEI_ATTR];
    if (!dc_tei_attr(t, "id", DC_XML_NS, id)) id[0] = '\0';
    if (!dc_tei_attr(t, "type", NULL, type)) snprintf(type, sizeof type, "division");
    dc_volume_entry *e = entry(t, "division", id);
    if (!e) return;
    dc_tei_set_str(t, &e->type, type);
    if (t->vdiv_depth < 64) t->vdiv[t->vdiv_depth] = (int)(t->vol->n_entries - 1);
    t->vdiv_depth++;
}

void dc_tei_vol_division_end(tei *t)
{
    if (t->vdiv_depth > 0) t->vdiv_depth--;
}

void dc_tei_vol_document(tei *t, const char *xml_id, const char *number)
{
    char id[TEI_ATTR + 2];
    if (xml_id && *xml_id) snprintf(id, sizeof id, "%s", xml_id);
    else if (number && *number) snprintf(id, sizeof id, "d%s", number);
    else return; /* no address: not in the contents */
    dc_volume_entry *e = entry(t, "document", id);
    if (e)
        dc_tei_set_str(t, &e->type,
                       !t->doc_section                          ? "document"
                       : strcmp(t->doc_section, "chapter") == 0 ? "chapter"
                                                                : "section");
}

void dc_tei_vol_deliver(tei *t)
{
    if (t->rc || !dc_tei_vol_wanted(t) || !vol(t)) return;
    dc_volume *v = t->vol;
    dc_tei_set_str(t, &v->id, t->volume_id ? t->volume_id : t->root_id);
    if (t->hdr_title_complete) dc_tei_set_str(t, &v->title, t->hdr_title);
    long n = 0;
    int whole = 0; /* a whole volume: front or back matter, or divisions */
    for (size_t i = 0; i < v->n_entries; i++) {
        const dc_volume_entry *e = &v->entries[i];
        int body = strcmp(e->part, "body") == 0;
        n += strcmp(e->kind, "document") == 0 && body;
        whole |= !body || strcmp(e->kind, "division") == 0;
    }
    /* a document cut from a volume (the samples) is no volume: storing its
     * one-line contents would replace the whole volume's */
    if (!whole) return;
    v->n_documents = n;
    if (t->rc) return;
    dc_rc rc = t->h->volume(t->h->ctx, v);
    if (rc && !t->rc) {
        t->rc = rc;
        if (t->err && t->err->rc == DC_OK)
            dc_fail(t->err, rc, 0, "volume %s not accepted: %s", t->volume_id, dc_strerror(rc));
    }
}
