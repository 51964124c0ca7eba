/*
 * TEI ingest: the two shapes besides a volume's documents.  An Office of
 * the Historian event record (root <event>, XHTML description) maps XHTML
 * blocks to portions; a volume's list of persons or terms (div xml:id
 * "persons" / "terms") is read entry by entry into the list callback.
 */
#include "ingest/ingest_int.h"
#include "model/model_int.h"

#include <stdio.h>
#include <string.h>

#include "util/util_int.h"
#include "util/banned.h"

/* Portion kind of an XHTML block-level element, or NULL. */
static const char *xhtml_block_kind(const char *l)
{
    static const char *const paragraphs[] = {"p", "pre", "address", "caption", "figcaption"};
    if (strcmp(l, "li") == 0 || strcmp(l, "dt") == 0 || strcmp(l, "dd") == 0) return "item";
    if (strcmp(l, "tr") == 0) return "table";
    if (l[0] == 'h' && l[1] >= '1' && l[1] <= '6' && l[2] == '\0') return "heading";
    for (size_t i = 0; i < sizeof paragraphs / sizeof paragraphs[0]; i++)
        if (strcmp(l, paragraphs[i]) == 0) return "paragraph";
    return NULL;
}

/* XHTML elements that hold blocks: they end the text before them. */
static int xhtml_container(const char *l)
{
    static const char *const names[] = {"div",     "ul",      "ol",     "dl",      "table",
                                        "thead",   "tbody",   "tfoot",  "blockquote",
                                        "section", "article", "aside",  "header",  "footer",
                                        "nav",     "figure",  "center", "hr"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(l, names[i]) == 0) return 1;
    return 0;
}

/*
 * An element of an event record (frame f, in parent).  Children of the
 * root: the first title and event-date are captured like teiHeader fields;
 * teaser and full-description hold the body; id, created, icon, link and
 * the rest are dropped.  In the body, XHTML (or unnamespaced) elements map
 * by name: blocks are portions, lists, divs and tables containers, br a
 * space, script and style dropped; any other element (a, em, span, img,
 * other namespaces) keeps its text inline.  No TEI rule applies here.
 */
void dc_tei_event_start(tei *t, const char *l, const char *ns, frame *f, frame *parent)
{
    const char *bk;
    if (parent->kind == F_ROOT) {
        if (ns) return;
        if (strcmp(l, "title") == 0 && !t->hdr_title) {
            f->kind = F_HDR_FIELD;
            f->cap = CAP_HDR_TITLE;
            dc_tb_clear(&t->hdr);
        } else if (strcmp(l, "event-date") == 0 && t->doc && !t->doc->date) {
            f->kind = F_HDR_FIELD;
            f->cap = CAP_HDR_DATE;
            dc_tb_clear(&t->hdr);
        } else if (strcmp(l, "teaser") == 0 || strcmp(l, "full-description") == 0) {
            f->kind = F_CONTAINER;
            f->cap = CAP_BODY;
        }
        return;
    }
    if (f->cap != CAP_BODY || (ns && strcmp(ns, DC_XHTML_NS) != 0)) return;
    if ((bk = xhtml_block_kind(l))) {
        dc_tei_open_block(t, f, parent, bk);
    } else if (xhtml_container(l)) {
        dc_tei_flush(t, dc_tei_open_kind(t), 0);
        f->kind = F_CONTAINER;
    } else if (strcmp(l, "br") == 0) {
        dc_tei_add_space(t);
    } else if ((strcmp(l, "td") == 0 || strcmp(l, "th") == 0) && parent->kind == F_BLOCK) {
        dc_tei_open_cell(t, parent);
    } else if (strcmp(l, "script") == 0 || strcmp(l, "style") == 0) {
        f->cap = CAP_SKIP;
    }
}

/* The list a div is, when lists are asked for: xml:id "persons" or
 * "terms" (FRUS front matter), or NULL. */
const char *dc_tei_list_kind_of(tei *t)
{
    char v[TEI_ATTR];
    if (!t->h || !t->h->list_item || !dc_tei_attr(t, "id", DC_XML_NS, v)) return NULL;
    if (strcmp(v, "persons") == 0) return "persons";
    if (strcmp(v, "terms") == 0) return "terms";
    return NULL;
}

/* A list div opens: the text before it ends; the list's text is not part
 * of a whole-file document (one left with no text is dropped at the end:
 * the file held lists only). */
void dc_tei_list_open(tei *t, frame *f, const char *kind)
{
    dc_tei_flush(t, dc_tei_open_kind(t), 0);
    f->kind = F_LIST;
    f->cap = CAP_LIST;
    t->list_kind = kind;
    t->litem_open = t->lname_open = t->lname_done = 0;
}

/* An element inside a list: an item starts an entry; its first persName
 * (persons) or term (terms) with an xml:id is the entry's name; the text
 * after the name is the description; notes are dropped. */
void dc_tei_list_start(tei *t, int el, const char *l, frame *f)
{
    char v[TEI_ATTR];
    if (el == EL_ITEM && !t->litem_open) {
        f->kind = F_LITEM;
        t->litem_open = 1;
        t->lname_done = 0;
        t->lxml_id[0] = '\0';
        dc_tb_clear(&t->lname);
        dc_tb_clear(&t->ldesc);
    } else if (t->litem_open && !t->lname_done && !t->lname_open &&
               (strcmp(t->list_kind, "persons") == 0 ? el == EL_PERSNAME
                                                     : strcmp(l, "term") == 0) &&
               dc_tei_attr(t, "id", DC_XML_NS, v)) {
        f->kind = F_LNAME;
        t->lname_open = 1;
        snprintf(t->lxml_id, sizeof t->lxml_id, "%s", v);
    } else if (el == EL_NOTE || el == EL_FW) {
        f->cap = CAP_SKIP;
    } else if (el == EL_LB) {
        dc_tei_add_space(t);
    }
}

/* An entry closes: its name and description (without the comma that
 * follows the name) go to the list callback. */
void dc_tei_list_item_end(tei *t)
{
    t->litem_open = 0;
    if (!t->lname_done || !dc_tei_buf_ok(t, &t->lname, "a list entry's name") ||
        !dc_tei_buf_ok(t, &t->ldesc, "a list entry's description"))
        return;
    dc_tb_trim(&t->lname);
    dc_tb_trim(&t->ldesc);
    dc_buf *nb = &t->lname.b;
    while (nb->len > 0 && (nb->p[nb->len - 1] == ',' || nb->p[nb->len - 1] == ' '))
        nb->p[--nb->len] = '\0';
    const char *desc = dc_tb_str(&t->ldesc);
    while (*desc == ',' || *desc == ';' || *desc == ':' || *desc == ' ') desc++;
    if (nb->len == 0) return;
    if (t->n_list_items >= TEI_MAX_ITEMS) {
        dc_tei_fail(t, DC_LIMIT, "more than %d entries in the lists of one file", TEI_MAX_ITEMS);
        return;
    }
    char coll[256];
    if (t->volume_id || t->root_id) {
        snprintf(coll, sizeof coll, "%s", t->volume_id ? t->volume_id : t->root_id);
    } else {
        /* frus1958-60v18-persons.xml: the volume is the name's prefix */
        snprintf(coll, sizeof coll, "%s", t->stem);
        size_t n = strlen(coll), k = strlen(t->list_kind);
        if (n > k + 1 && coll[n - k - 1] == '-' && strcmp(coll + n - k, t->list_kind) == 0)
            coll[n - k - 1] = '\0';
    }
    dc_tei_list_item it = {.list = t->list_kind, .collection = coll, .xml_id = t->lxml_id,
                           .name = dc_tb_str(&t->lname), .description = desc,
                           .collection_from_name = !t->volume_id && !t->root_id};
    t->n_list_items++;
    dc_rc rc = t->h->list_item(t->h->ctx, &it);
    if (rc && !t->rc) {
        t->rc = rc;
        if (t->err && t->err->rc == DC_OK)
            dc_fail(t->err, rc, dc_tei_line(t), "list entry %s not accepted: %s", t->lxml_id,
                    dc_strerror(rc));
    }
}
