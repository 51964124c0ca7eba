/*
 * TEI ingest: streams a TEI P5 file (FRUS volumes, the Office of the
 * Historian's records) with libxml2's SAX2 parser and hands one dc_doc per
 * div type="document" to a sink.  The Office of the Historian's event
 * records (root <event> in no namespace, XHTML descriptions) go through the
 * same parser and give one dc_doc each.  The mapping is described in
 * docs/internals/tei.md.
 *
 * Hostile input: the parser runs without entity substitution, DTD loading,
 * validation or network access; a DOCTYPE that declares any entity and any
 * entity reference that reaches the parser are refused;
 * nesting, text, portions, notes, pages and the file itself are capped.
 * libxml2 messages are captured (never printed) and translated into dc_rc
 * values with the line, in tei_reader.c, the module's edge.
 *
 * The ingester is split by role (docs/internals/tei.md): this file maps
 * TEI elements to the model (the element table, the dispatch of element
 * starts and ends, the header, blocks) and holds the entry points;
 * tei_reader.c is the libxml2 edge; tei_portions.c builds portions, notes
 * and pages; tei_doc.c documents and dates; tei_refs.c references and
 * persons; tei_lists.c event records and a volume's lists.
 */
#include "ingest/ingest.h"
#include "ingest/ingest_int.h"
#include "model/model_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util_int.h"
#include "util/banned.h"

/* --- TEI elements -------------------------------------------------------- */

static const struct el_def {
    const char *name;
    size_t len;
    unsigned char container;
    const char *block;
} el_defs[] = {
#define X(id, name, container, block) {name, sizeof(name) - 1, container, block},
    TEI_ELEMENTS(X)
#undef X
};
#define N_ELS (sizeof el_defs / sizeof el_defs[0])

static void el_index_init(el_index *ix)
{
    memset(ix, 0, sizeof *ix);
    for (size_t i = N_ELS; i-- > 0;) {
        unsigned char c = (unsigned char)el_defs[i].name[0];
        if (!ix->to[c]) ix->to[c] = (unsigned char)(i + 1);
        ix->from[c] = (unsigned char)i;
    }
}

/* The enum el of a TEI element's local name (EL_OTHER if none): only the
 * names with its first byte and its length are compared. */
static int el_lookup(const el_index *ix, const char *l)
{
    unsigned char c = (unsigned char)l[0];
    size_t n = strlen(l);
    for (size_t i = ix->from[c]; i < ix->to[c]; i++)
        if (el_defs[i].len == n && memcmp(el_defs[i].name, l, n) == 0) return (int)i + 1;
    return EL_OTHER;
}

/* Portion kind of a block element, or NULL. */
static const char *block_kind(int el) { return el ? el_defs[el - 1].block : NULL; }

/* Whether an element holds blocks (ends the text before it). */
static int is_container(int el) { return el && el_defs[el - 1].container; }

/* --- elements ------------------------------------------------------------ */

static void push(tei *t, const frame *f)
{
    t->st[t->depth++] = *f;
    if (f->flags & FL_DATELINE) t->dateline_depth++;
}

/* Elements that act wherever text is kept (body, title, notes). */
static void inline_actions(tei *t, int el, frame *f, int pcap)
{
    char v[TEI_ATTR], date[11];
    switch (el) {
    case EL_PB: dc_tei_on_pb(t, pcap); break;
    case EL_LB: dc_tei_add_break(t); break;
    case EL_REF: dc_tei_on_ref(t); break;
    case EL_GAP: dc_tei_on_gap(t); break;
    case EL_PERSNAME:
        if (t->doc) {
            f->flags |= FL_PERSON;
            if (t->person_depth++ == 0) {
                dc_tb_clear(&t->person);
                if (!(t->h && t->h->person && dc_tei_attr(t, "corresp", NULL, t->person_ref)))
                    t->person_ref[0] = '\0';
            }
        }
        break;
    case EL_DATE:
        if (t->dateline_depth > 0 && t->doc && !t->doc->date && dc_tei_attr(t, "when", NULL, v) &&
            dc_tei_iso_date(v, date)) {
            dc_tei_set_str(t, &t->doc->date, date);
            dc_tei_set_str(t, &t->doc->date_source, "tei");
        }
        break;
    case EL_FW: f->cap = CAP_SKIP; break; /* running heads and catchwords */
    case EL_CHOICE: f->flags |= FL_CHOICE; break;
    case EL_SIC:
    case EL_ORIG:
    case EL_EXPAN:
        if (t->depth > 0 && (t->st[t->depth - 1].flags & FL_CHOICE))
            f->cap = CAP_SKIP; /* keep corr, reg, abbr */
        break;
    default: break;
    }
}

/* A teiHeader field of the volume (hf) is captured. */
static void hdr_vol_field(tei *t, frame *f, int hf)
{
    f->kind = F_HDR_FIELD;
    f->cap = CAP_HDR_VOL;
    f->hf = (unsigned char)hf;
    dc_tb_clear(&t->hdr);
}

/* Inside the teiHeader only the volume id, the title and the creation date
 * are kept, and the volume's fields (dc_tei_vol_field). */
static void header_start(tei *t, int el, frame *f, const frame *parent)
{
    char v[TEI_ATTR], date[11];
    if (el == EL_TITLESTMT) {
        f->flags |= FL_TITLESTMT;
    } else if (el == EL_PUBLICATIONSTMT) {
        f->flags |= FL_PUBSTMT;
    } else if (el == EL_TITLE && (parent->flags & FL_TITLESTMT)) {
        int complete = dc_tei_attr_is(t, "type", "complete");
        if (!t->hdr_title || (complete && !t->hdr_title_complete)) {
            f->kind = F_HDR_FIELD;
            f->cap = CAP_HDR_TITLE;
            if (complete) f->flags |= FL_COMPLETE;
            dc_tb_clear(&t->hdr);
        } else {
            static const struct {
                const char *type;
                int hf;
            } types[] = {{"series", HF_SERIES},
                         {"sub-series", HF_SUBSERIES},
                         {"volume", HF_VOLUME_TITLE},
                         {"volume-number", HF_VOLUME_NUMBER}};
            for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
                if (dc_tei_attr_is(t, "type", types[i].type)) hdr_vol_field(t, f, types[i].hf);
        }
    } else if (el == EL_EDITOR && (parent->flags & FL_TITLESTMT)) {
        if (!dc_tei_attr(t, "role", NULL, t->vrole)) t->vrole[0] = '\0';
        hdr_vol_field(t, f, HF_EDITOR);
    } else if (el == EL_PUBLISHER && (parent->flags & FL_PUBSTMT)) {
        hdr_vol_field(t, f, HF_PUBLISHER);
    } else if (el == EL_PUBPLACE && (parent->flags & FL_PUBSTMT)) {
        hdr_vol_field(t, f, HF_PUB_PLACE);
    } else if (el == EL_DATE && (parent->flags & FL_PUBSTMT) && !dc_tei_attr(t, "type", NULL, v)) {
        hdr_vol_field(t, f, HF_PUB_DATE);
    } else if (el == EL_IDNO && (parent->flags & FL_PUBSTMT) &&
               dc_tei_attr_is(t, "type", "frus") && !t->volume_id) {
        f->kind = F_HDR_FIELD;
        f->cap = CAP_HDR_IDNO;
        dc_tb_clear(&t->hdr);
    } else if (el == EL_DATE && (parent->flags & FL_PUBSTMT) &&
               dc_tei_attr_is(t, "type", "created") && dc_tei_attr(t, "when", NULL, v) &&
               dc_tei_iso_date(v, date)) {
        dc_tei_set_str(t, &t->hdr_created, date);
    }
}

/* The root element must be TEI in the TEI namespace (its xml:id is the
 * fallback volume id) or an event record, <event> in no namespace, which
 * is one whole-file document from the start. */
static void start_root(tei *t, const char *l, const char *ns)
{
    char v[TEI_ATTR];
    frame f = {0};
    int is_tei = ns && strcmp(ns, DC_TEI_NS) == 0 && strcmp(l, "TEI") == 0;
    t->event = !ns && strcmp(l, "event") == 0;
    if (!is_tei && !t->event) {
        dc_tei_fail(t, DC_PARSE, "not a TEI document (root element %.64s in namespace %.128s)", l,
             ns ? ns : "(none)");
        return;
    }
    t->root_seen = 1;
    f.kind = F_ROOT;
    f.cap = CAP_SKIP;
    if (dc_tei_attr(t, "id", DC_XML_NS, v)) dc_tei_set_str(t, &t->root_id, v);
    if (t->event && !t->rc) {
        if (!(t->doc = dc_doc_new())) { dc_tei_nomem(t); return; }
        t->fallback = 1;
    }
    push(t, &f);
}

/* A block opens (frame f, in parent): it will be one portion.  The first
 * block of an item or quote that has no text yet takes the item's kind;
 * otherwise the text before it ends. */
void dc_tei_open_block(tei *t, frame *f, frame *parent, const char *bk)
{
    f->kind = F_BLOCK;
    f->bkind = bk;
    if (parent->kind == F_BLOCK && !parent->emitted && t->cur.b.len == 0) {
        if (strcmp(bk, "paragraph") == 0) f->bkind = parent->bkind;
        parent->emitted = 1;
    } else if (t->cur.b.len > 0) {
        dc_tei_flush(t, dc_tei_open_kind(t), 0);
    }
    t->last_close = 0; /* a note from here on is this block's */
}

/* A table cell opens in its row (parent): cells are joined by " | ". */
void dc_tei_open_cell(tei *t, frame *parent)
{
    if (parent->cells++ > 0) {
        dc_tb_space(&t->cur);
        dc_tei_cur_text(t, "| ", 2);
    }
}

/*
 * An element opens: decides what it is (frame kind) and where its text
 * goes (capture), ends the text before it when it starts a new portion,
 * and pushes its frame.
 */
void dc_tei_start_element(tei *t)
{
    const char *ns;
    const char *l = dc_tei_name(t, &ns);
    if (!l) { dc_tei_nomem(t); return; }
    if (t->depth >= TEI_MAX_DEPTH) {
        dc_tei_fail(t, DC_LIMIT, "nesting deeper than %d elements", TEI_MAX_DEPTH);
        return;
    }
    if (!t->root_seen) { start_root(t, l, ns); return; }
    frame *parent = &t->st[t->depth - 1];
    int pcap = parent->cap;
    frame f = {0};
    f.cap = (unsigned char)pcap;
    if (t->event) {
        dc_tei_event_start(t, l, ns, &f, parent);
        { push(t, &f); return; }
    }
    int is_tei = ns && strcmp(ns, DC_TEI_NS) == 0;
    int el = is_tei ? el_lookup(&t->els, l) : EL_OTHER;
    if (t->in_header) {
        if (is_tei) header_start(t, el, &f, parent);
        { push(t, &f); return; }
    }
    if (parent->kind == F_ROOT && el == EL_TEIHEADER) {
        f.kind = F_HEADER;
        t->in_header = 1;
        { push(t, &f); return; }
    }
    if (parent->kind == F_ROOT && el == EL_TEXT) {
        f.kind = F_TEXT;
        f.cap = CAP_BODY;
        if (!t->doc && !t->n_docdivs && !t->held) {
            if (!(t->doc = dc_doc_new())) { dc_tei_nomem(t); return; }
            t->fallback = 1;
            dc_tei_set_str(t, &t->doc->collection, t->volume_id ? t->volume_id : t->root_id);
        }
        { push(t, &f); return; }
    }
    if (pcap == CAP_SKIP || !ns) { push(t, &f); return; }
    if (pcap == CAP_LIST) {
        if (is_tei) dc_tei_list_start(t, el, l, &f);
        { push(t, &f); return; }
    }
    const char *lk;
    /* (a book's "terms" is a section of its back matter, not a list) */
    if (is_tei && el == EL_DIV && pcap == CAP_BODY && (!t->doc || t->fallback) && !t->book &&
        (lk = dc_tei_list_kind_of(t)) != NULL) {
        dc_tei_list_open(t, &f, lk);
        { push(t, &f); return; }
    }
    if (!is_tei) {
        if (strcmp(ns, DC_FRUS_NS) == 0 && strcmp(l, "attachment") == 0 && pcap == CAP_BODY) {
            dc_tei_flush(t, dc_tei_open_kind(t), 0);
            f.kind = F_CONTAINER;
        }
        { push(t, &f); return; }
    }
    if (pcap == CAP_BODY && parent->kind == F_TEXT &&
        (el == EL_FRONT || el == EL_BODY || el == EL_BACK)) {
        t->vpart = el == EL_FRONT ? "front" : el == EL_BODY ? "body" : "back";
        if (el != EL_BODY) f.flags |= FL_FRONTBACK;
    }
    /* A book (a TEI text of chapters, without a FRUS volume id: the
     * frus-history monograph) is read as a volume of its chapters and
     * sections, once its first section or chapter shows it is one. */
    if (el == EL_DIV && pcap == CAP_BODY && (!t->doc || t->fallback) && !t->volume_id &&
        t->root_id && t->h && t->h->volume && !t->n_docdivs && !t->book &&
        (dc_tei_attr_is(t, "type", "chapter") ||
         ((parent->flags & FL_FRONTBACK) && dc_tei_attr_is(t, "type", "section"))))
        t->book = 1;
    if (el == EL_DIV && pcap == CAP_BODY && (!t->doc || t->fallback) && dc_tei_vol_wanted(t) &&
        !dc_tei_attr_is(t, "type", "document")) {
        char cid[TEI_ATTR];
        if (t->book && !(parent->flags & FL_FRONTBACK) && dc_tei_attr_is(t, "type", "chapter") &&
            dc_tei_attr(t, "id", DC_XML_NS, cid)) {
            /* a chapter of a book: a document, with its own notes */
            dc_tei_doc_start(t);
            t->doc_section = "chapter";
            dc_tei_vol_document(t, cid, NULL);
            f.kind = F_DOCDIV;
            push(t, &f);
            return;
        }
        if (parent->flags & FL_FRONTBACK) {
            char v[TEI_ATTR];
            if (dc_tei_attr(t, "id", DC_XML_NS, v) && strcmp(v, "toc") != 0 &&
                (t->book || (strcmp(v, "persons") != 0 && strcmp(v, "terms") != 0))) {
                /* a section of the front or back matter: a document */
                dc_tei_doc_start(t);
                t->doc_section = t->vpart && strcmp(t->vpart, "back") == 0 ? "back-matter"
                                                                          : "front-matter";
                dc_tei_vol_document(t, v, NULL);
                f.kind = F_DOCDIV;
                push(t, &f);
                return;
            }
        } else if (t->vpart && strcmp(t->vpart, "body") == 0) {
            dc_tei_flush(t, dc_tei_open_kind(t), 0);
            dc_tei_vol_division(t);
            f.kind = F_DIVISION;
            push(t, &f);
            return;
        }
    }
    if (el == EL_HEAD && parent->kind == F_DIVISION) {
        hdr_vol_field(t, &f, HF_DIVHEAD);
        push(t, &f);
        return;
    }
    if (el == EL_HEAD && dc_tei_attr_is(t, "type", "shortened-for-running-head")) {
        f.cap = CAP_SKIP; /* a running head is not text */
        push(t, &f);
        return;
    }
    inline_actions(t, el, &f, pcap);
    if ((pcap == CAP_BODY || pcap == CAP_NOTE || pcap == CAP_SOURCE || pcap == CAP_TITLE) &&
        (el == EL_HI || el == EL_GLOSS || el == EL_PERSNAME || el == EL_REF ||
         (el == EL_QUOTE && !dc_tei_attr_is(t, "rend", "blockquote"))))
        dc_tei_span_open(t, el, &f, pcap);
    if (pcap != CAP_BODY) {
        /* in a title, note or label, structure flattens to spaced text */
        if (el == EL_NOTE && pcap == CAP_HDR_VOL)
            f.cap = CAP_SKIP;
        else if (el == EL_NOTE && pcap == CAP_TITLE)
            dc_tei_on_note(t, &f, pcap);
        else if (block_kind(el) || is_container(el) || el == EL_HEAD)
            f.kind = F_SEP, dc_tei_add_space(t);
        { push(t, &f); return; }
    }
    const char *bk;
    if (el == EL_DIV && dc_tei_attr_is(t, "type", "document") && (t->fallback || !t->doc)) {
        dc_tei_doc_start(t);
        t->doc_section = NULL;
        if (dc_tei_vol_wanted(t)) dc_tei_vol_document(t, t->doc_xmlid, t->doc->number);
        f.kind = F_DOCDIV;
    } else if (el == EL_HEAD && parent->kind == F_DOCDIV && !t->title_taken) {
        f.kind = F_TITLE;
        f.cap = CAP_TITLE;
        t->title_taken = 1;
        dc_tb_clear(&t->title);
        dc_tei_xspans_clear(t, 2);
    } else if (el == EL_NOTE) {
        dc_tei_on_note(t, &f, pcap);
    } else if (el == EL_LABEL && (parent->flags & FL_LIST)) {
        f.kind = F_LABEL;
        f.cap = CAP_LABEL;
        dc_tb_clear(&t->lab);
    } else if ((bk = block_kind(el)) || el == EL_HEAD ||
               (el == EL_QUOTE && dc_tei_attr_is(t, "rend", "blockquote")) ||
               (el == EL_BIBL && (parent->flags & FL_LISTBIBL))) {
        if (!bk) bk = el == EL_HEAD ? "heading" : el == EL_BIBL ? "item" : "paragraph";
        dc_tei_open_block(t, &f, parent, bk);
        if (el == EL_DATELINE) f.flags |= FL_DATELINE;
        if (el == EL_CLOSER) f.flags |= FL_CLOSER;
        if (el == EL_BYLINE) f.flags |= FL_BYLINE;
    } else if (is_container(el)) {
        dc_tei_flush(t, dc_tei_open_kind(t), 0);
        f.kind = F_CONTAINER;
        if (el == EL_OPENER) f.flags |= FL_OPENER;
        if (el == EL_LIST) f.flags |= FL_LIST;
        if (el == EL_LISTBIBL) f.flags |= FL_LISTBIBL;
    } else if (el == EL_CELL && parent->kind == F_BLOCK) {
        dc_tei_open_cell(t, parent);
    }
    push(t, &f);
}

static void strip_number(const char **s)
{
    const char *d = *s;
    while (isdigit((unsigned char)*d)) d++;
    if (d > *s && d[0] == '.' && d[1] == ' ') *s = d + 2;
}

/* An element closes: completes what its start began, then pops it. */
void dc_tei_end_element(tei *t)
{
    if (t->depth == 0) return;
    frame *f = &t->st[t->depth - 1];
    dc_doc *d = t->doc;
    char date[11];
    switch (f->kind) {
    case F_SEP: dc_tei_add_space(t); break;
    case F_HEADER: t->in_header = 0; break;
    case F_ROOT:
        /* an event record is one whole-file document, held until the end */
        if (t->event && d) {
            dc_tei_doc_finish(t);
            t->held = d;
            t->doc = NULL;
        }
        break;
    case F_TEXT:
        if (t->fallback && d && t->n_list_items > 0 && d->n_portions == 0 &&
            (dc_tei_flush(t, "paragraph", 0), d->n_portions == 0)) {
            dc_doc_free(d); /* a file of lists: no document */
            t->doc = NULL;
            t->fallback = 0;
        } else if (t->fallback && d) {
            dc_tei_doc_finish(t);
            t->held = d;
            t->doc = NULL;
        } else {
            dc_tei_flush(t, "paragraph", 0);
        }
        break;
    case F_DOCDIV: dc_tei_doc_end(t); break;
    case F_CONTAINER: dc_tei_flush(t, dc_tei_open_kind(t), 0); break;
    case F_DIVISION:
        dc_tei_flush(t, dc_tei_open_kind(t), 0);
        dc_tei_vol_division_end(t);
        break;
    case F_BLOCK:
        if ((f->flags & FL_DATELINE) && d && !d->date &&
            dc_tei_text_date(dc_tb_str(&t->cur), date)) {
            dc_tei_set_str(t, &d->date, date);
            dc_tei_set_str(t, &d->date_source, "dateline");
        }
        dc_tei_flush(t, f->bkind, 1);
        break;
    case F_TITLE:
        if (d && dc_tei_buf_ok(t, &t->title, "the title") && dc_tb_trim(&t->title) > 0) {
            const char *s = dc_tb_str(&t->title), *s0 = s;
            strip_number(&s);
            dc_tei_set_str(t, &d->title, s);
            dc_tei_xspans_move(t, 2, (size_t)(s - s0), strlen(s), &d->title_spans,
                               &d->n_title_spans, &d->cap_title_spans);
        }
        dc_tei_xspans_clear(t, 2);
        break;
    case F_SOURCE:
        if (d && dc_tei_buf_ok(t, &t->source, "the source note") && dc_tb_trim(&t->source) > 0 &&
            !d->source_note) {
            dc_tei_set_str(t, &d->source_note, dc_tb_str(&t->source));
            dc_tei_xspans_move(t, 1, 0, t->source.b.len, &d->source_spans, &d->n_source_spans,
                               &d->cap_source_spans);
            dc_tei_set_str(t, &d->source_note_n, t->source_n);
            if (t->source_in_title) dc_tei_set_str(t, &d->title_note, t->source_n);
        }
        break;
    case F_NOTE:
        if (d && dc_tei_buf_ok(t, &t->note, "the text of one note") && dc_tb_trim(&t->note) > 0) {
            dc_footnote *fn = &d->footnotes[t->note_fn];
            dc_tei_set_str(t, &fn->text, dc_tb_str(&t->note));
            dc_tei_xspans_move(t, 0, 0, t->note.b.len, &fn->spans, &fn->n_spans, &fn->cap_spans);
        }
        dc_tei_xspans_clear(t, 0);
        break;
    case F_LABEL:
        if (dc_tei_buf_ok(t, &t->lab, "a label") && dc_tb_trim(&t->lab) > 0) {
            if (t->lab.b.p[t->lab.b.len - 1] == '.') t->lab.b.p[--t->lab.b.len] = '\0';
            dc_tei_set_str(t, &t->label, t->lab.b.len ? dc_tb_str(&t->lab) : NULL);
        }
        break;
    case F_LIST: t->list_kind = NULL; break;
    case F_LITEM: dc_tei_list_item_end(t); break;
    case F_LNAME:
        t->lname_open = 0;
        t->lname_done = 1;
        break;
    case F_HDR_FIELD:
        if (dc_tei_buf_ok(t, &t->hdr, "a teiHeader field") && dc_tb_trim(&t->hdr) > 0) {
            if (f->cap == CAP_HDR_VOL) {
                dc_tei_vol_field(t, f->hf, dc_tb_str(&t->hdr));
            } else if (f->cap == CAP_HDR_IDNO) {
                dc_tei_set_str(t, &t->volume_id, dc_tb_str(&t->hdr));
            } else if (f->cap == CAP_HDR_DATE) {
                if (d && dc_tei_iso_date(dc_tb_str(&t->hdr), date)) {
                    dc_tei_set_str(t, &d->date, date);
                    dc_tei_set_str(t, &d->date_source, "tei");
                }
            } else {
                dc_tei_set_str(t, &t->hdr_title, dc_tb_str(&t->hdr));
                if (f->flags & FL_COMPLETE) t->hdr_title_complete = 1;
            }
        }
        break;
    default: break;
    }
    if (f->flags & FL_SPAN) dc_tei_span_close(t);
    if (f->flags & FL_PERSON) dc_tei_end_person(t);
    if (f->flags & FL_DATELINE) t->dateline_depth--;
    t->depth--;
}

/* Frees the parser state, including documents not handed to the sink. */
static void tei_free(tei *t)
{
    dc_doc_free(t->doc);
    dc_doc_free(t->held);
    dc_tei_cur_reset(t);
    dc_buf_release(&t->cur.b);
    free(t->marks);
    free(t->spans);
    for (int x = 0; x < 3; x++) {
        dc_tei_xspans_clear(t, x);
        free(t->xspans[x]);
    }
    for (size_t i = 0; i < t->n_open; i++) free(t->open[i].value);
    free(t->open);
    free(t->anchors);
    free(t->label);
    free(t->page);
    free(t->doc_xmlid);
    free(t->source_n);
    dc_strv_release(&t->note_ids);
    tbuf *bufs[] = {&t->hdr, &t->title, &t->source, &t->note, &t->lab, &t->person, &t->lname,
                    &t->ldesc};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) dc_buf_release(&bufs[i]->b);
    free(t->volume_id);
    free(t->root_id);
    free(t->hdr_title);
    free(t->hdr_created);
    free(t->file_source);
    dc_volume_free(t->vol);
    free(t);
}

/* The end of a file read without error: it must have had a root and closed
 * it; the document held back is delivered. */
static void file_end(tei *t)
{
    if (!t->root_seen) { dc_tei_fail(t, DC_PARSE, "empty document"); return; }
    if (t->depth > 0) { dc_tei_fail(t, DC_PARSE, "unexpected end of file"); return; }
    if (t->held) {
        dc_doc *h = t->held;
        t->held = NULL;
        dc_tei_deliver(t, h, t->n_delivered + 1, t->n_docdivs > 1, t->n_docdivs == 0);
    }
    dc_tei_vol_deliver(t);
}

/* The file's name without folders and extension, for local ids. */
static void file_stem(const char *path, char *out, size_t cap)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot > b ? (size_t)(dot - b) : strlen(b);
    if (n >= cap) n = cap - 1;
    memcpy(out, b, n);
    out[n] = '\0';
}

/* See ingest.h: documents only, lists read as text. */
dc_rc dc_ingest_tei_file(const char *path, dc_doc_sink sink, void *ctx, dc_error *err)
{
    dc_tei_handlers h = {.doc = sink, .ctx = ctx};
    return dc_ingest_tei_file_with(path, &h, err);
}

/*
 * See ingest.h.  The file is opened here (a regular file, at most
 * DC_INGEST_MAX_FILE bytes) and read through its descriptor, so libxml2
 * never resolves a name or URI itself.
 */
dc_rc dc_ingest_tei_file_with(const char *path, const dc_tei_handlers *h, dc_error *err)
{
    dc_doc_sink sink = h ? h->doc : NULL;
    void *ctx = h ? h->ctx : NULL;
    if (err) {
        err->rc = DC_OK;
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (!path || !sink) return dc_fail(err, DC_MISUSE, 0, "no file or no sink");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dc_fail(err, DC_IO, 0, "cannot open file: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return dc_fail(err, DC_IO, 0, "not a regular file");
    }
    if ((unsigned long long)sb.st_size > DC_INGEST_MAX_FILE) {
        close(fd);
        return dc_fail(err, DC_LIMIT, 0, "file larger than %zu bytes", DC_INGEST_MAX_FILE);
    }
    if (sb.st_size == 0) {
        close(fd);
        return dc_fail(err, DC_PARSE, 1, "empty file");
    }
    tei *t = calloc(1, sizeof *t);
    if (!t) {
        close(fd);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    t->err = err;
    t->sink = sink;
    t->ctx = ctx;
    t->h = h;
    file_stem(path, t->stem, sizeof t->stem);
    el_index_init(&t->els);
    dc_tb_init(&t->cur, TEI_MAX_TEXT);
    dc_tb_init(&t->note, TEI_MAX_TEXT);
    dc_tb_init(&t->source, TEI_MAX_TEXT);
    dc_tb_init(&t->title, TEI_MAX_TITLE);
    dc_tb_init(&t->lab, TEI_MAX_TITLE);
    dc_tb_init(&t->person, TEI_MAX_TITLE);
    dc_tb_init(&t->hdr, TEI_MAX_TITLE);
    dc_tb_init(&t->lname, TEI_MAX_TITLE);
    dc_tb_init(&t->ldesc, TEI_MAX_TITLE);

    dc_tei_read(t, fd);
    close(fd);
    if (!t->rc) file_end(t);
    dc_rc rc = t->rc;
    tei_free(t);
    return rc;
}
