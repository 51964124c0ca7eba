/*
 * Helpers shared by the ingesters (tei*.c, text.c), and the parser state of
 * the TEI ingester's files; not part of the public API.
 */
#ifndef DC_INGEST_INT_H
#define DC_INGEST_INT_H

#include "declass/model.h"
#include "ingest/ingest.h"

/*
 * The document type named by a FRUS-style title ("279. National Security
 * Council Report", "Letter From Secretary of State Rusk to ..."): one of
 * report, letter, memorandum-of-conversation, memorandum, telegram,
 * briefing-paper, minutes, editorial-note, or "document" when none fits.
 * A leading "N. " is skipped; only the part before " From ", " to ",
 * " of ", " by ", " for ", " on " or ":" is inspected (so "Memorandum of
 * Discussion" is a memorandum and "Annex to Minutes" is a document).
 * Returns a static string; NULL title gives "document".
 */
const char *dc_ingest_doc_type(const char *title);

/*
 * The classification stated by a source note's standalone marking: the
 * first "Top Secret", "Secret", "Confidential", "Unclassified" or "Limited
 * Official Use" that opens
 * the note or a sentence (after ". ", "; ", "(") and is followed by ".",
 * ";", "," or the end.  Returns the static upper-case level name
 * ("TOP SECRET", ...) or NULL when the note carries no marking.
 */
const char *dc_ingest_classification(const char *note);

/*
 * Portion markings: a portion whose text opens with "(TS)", "(S)", "(C)"
 * or "(U)" (followed by a blank or the end) gets that level as its
 * classification, unless it already has one.  The marking stays in the
 * text, so no word of the source is lost.  Returns DC_NOMEM or DC_OK.
 */
dc_rc dc_ingest_portion_marks(dc_doc *doc);

/*
 * ---- TEI ingest --------------------------------------------------------
 * The parser state and calls shared by the files of the TEI ingester
 * (docs/internals/tei.md): tei.c (elements, entry points), tei_reader.c
 * (the libxml2 edge, errors, attributes, text buffers), tei_portions.c,
 * tei_doc.c, tei_refs.c and tei_lists.c.  Every call records its failure
 * in t->rc / t->err (the first one wins) and is a no-op's worth of harm
 * after one: callers check t->rc where it matters.
 */

#define DC_TEI_NS "http://www.tei-c.org/ns/1.0"
#define DC_FRUS_NS "http://history.state.gov/frus/ns/1.0"
#define DC_XML_NS "http://www.w3.org/XML/1998/namespace"
#define DC_XHTML_NS "http://www.w3.org/1999/xhtml"

/* Caps on one input: far above any FRUS volume, low enough that a hostile
 * file cannot exhaust memory or stack through them. */
#define TEI_MAX_DEPTH 256                         /* element nesting */
#define TEI_MAX_TEXT ((size_t)1 << 20)            /* bytes in one portion or note */
#define TEI_MAX_TITLE ((size_t)64 << 10)          /* bytes in a title or header field */
#define TEI_MAX_PORTIONS 100000                   /* portions in one document */
#define TEI_MAX_NOTES 20000                       /* footnotes in one document */
#define TEI_MAX_MARKS 20000                       /* marks in one portion */
#define TEI_MAX_ITEMS 100000                      /* pages, persons, refs, gaps per document */
#define TEI_ATTR 512                              /* bytes kept of an attribute value */

/* A capped buffer whose XML whitespace runs collapse to one space and that
 * never starts with a space; dc_tb_trim() drops the one trailing space. */
typedef struct tbuf {
    dc_buf b;
} tbuf;

/* XML whitespace. */
static inline int dc_tei_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The TEI elements the mapping acts on, sorted by name (names with the same
 * first byte are contiguous, which el_lookup needs): X(ID, name, container,
 * portion kind).
 * A container ends the text before it; a block (portion kind not NULL)
 * is one portion.  Looking an element up once replaces comparing its name
 * with every name that some rule tests.
 */
#define TEI_ELEMENTS(X)                              \
    X(AB, "ab", 0, "paragraph")                      \
    X(ARGUMENT, "argument", 0, "paragraph")          \
    X(BACK, "back", 1, NULL)                         \
    X(BIBL, "bibl", 0, NULL)                         \
    X(BODY, "body", 1, NULL)                         \
    X(BYLINE, "byline", 0, "paragraph")              \
    X(CAPTION, "caption", 0, "paragraph")            \
    X(CELL, "cell", 0, NULL)                         \
    X(CHOICE, "choice", 0, NULL)                     \
    X(CIT, "cit", 1, NULL)                           \
    X(CLOSER, "closer", 0, "signature")              \
    X(DATE, "date", 0, NULL)                         \
    X(DATELINE, "dateline", 0, "dateline")           \
    X(DIV, "div", 1, NULL)                           \
    X(DOCAUTHOR, "docAuthor", 0, "paragraph")        \
    X(DOCDATE, "docDate", 0, "paragraph")            \
    X(DOCIMPRINT, "docImprint", 1, NULL)             \
    X(DOCTITLE, "docTitle", 1, NULL)                 \
    X(EDITOR, "editor", 0, NULL)                     \
    X(EPIGRAPH, "epigraph", 1, NULL)                 \
    X(EXPAN, "expan", 0, NULL)                       \
    X(FIGURE, "figure", 1, NULL)                     \
    X(FLOATINGTEXT, "floatingText", 1, NULL)         \
    X(FRONT, "front", 1, NULL)                       \
    X(FW, "fw", 0, NULL)                             \
    X(GAP, "gap", 0, NULL)                           \
    X(GLOSS, "gloss", 0, NULL)                       \
    X(GROUP, "group", 1, NULL)                       \
    X(HEAD, "head", 0, NULL)                         \
    X(HI, "hi", 0, NULL)                             \
    X(IDNO, "idno", 0, NULL)                         \
    X(ITEM, "item", 0, "item")                       \
    X(L, "l", 0, "paragraph")                        \
    X(LABEL, "label", 0, NULL)                       \
    X(LB, "lb", 0, NULL)                             \
    X(LG, "lg", 1, NULL)                             \
    X(LIST, "list", 1, NULL)                         \
    X(LISTBIBL, "listBibl", 1, NULL)                 \
    X(NOTE, "note", 0, NULL)                         \
    X(OPENER, "opener", 1, NULL)                     \
    X(ORIG, "orig", 0, NULL)                         \
    X(P, "p", 0, "paragraph")                        \
    X(PB, "pb", 0, NULL)                             \
    X(PERSNAME, "persName", 0, NULL)                 \
    X(POSTSCRIPT, "postscript", 1, NULL)             \
    X(PUBLICATIONSTMT, "publicationStmt", 0, NULL)   \
    X(PUBLISHER, "publisher", 0, NULL)               \
    X(PUBPLACE, "pubPlace", 0, NULL)                 \
    X(QUOTE, "quote", 0, NULL)                       \
    X(REF, "ref", 0, NULL)                           \
    X(ROW, "row", 0, "table")                        \
    X(SALUTE, "salute", 0, "paragraph")              \
    X(SIC, "sic", 0, NULL)                           \
    X(SIGNED, "signed", 0, "signature")              \
    X(SP, "sp", 0, "paragraph")                      \
    X(STAGE, "stage", 0, "paragraph")                \
    X(TABLE, "table", 1, NULL)                       \
    X(TEIHEADER, "teiHeader", 0, NULL)               \
    X(TEXT, "text", 0, NULL)                         \
    X(TITLE, "title", 0, NULL)                       \
    X(TITLEPAGE, "titlePage", 1, NULL)               \
    X(TITLEPART, "titlePart", 0, "heading")          \
    X(TITLESTMT, "titleStmt", 0, NULL)               \
    X(TRAILER, "trailer", 0, "paragraph")

enum el {
    EL_OTHER = 0, /* any element not in TEI_ELEMENTS, or not in the TEI namespace */
#define X(id, name, container, block) EL_##id,
    TEI_ELEMENTS(X)
#undef X
};

/* Where the names of el_defs that begin with each byte are: [from, to). */
typedef struct el_index {
    unsigned char from[256], to[256];
} el_index;

/* What text inside an element is for. */
enum cap {
    CAP_SKIP = 0, /* discarded (root, header, fw) */
    CAP_BODY,     /* portion text */
    CAP_TITLE,    /* the document's head */
    CAP_SOURCE,   /* the source note */
    CAP_NOTE,     /* a footnote */
    CAP_LABEL,    /* a list label, kept for the next portion */
    CAP_HDR_TITLE,
    CAP_HDR_IDNO,
    CAP_HDR_DATE, /* an event record's event-date */
    CAP_LIST,     /* a volume's list of persons or terms */
    CAP_HDR_VOL,  /* a field of the volume (frame.hf says which) */
};

/* The volume fields a CAP_HDR_VOL capture fills (tei_volume.c). */
enum hfield {
    HF_NONE = 0,
    HF_SERIES,
    HF_SUBSERIES,
    HF_VOLUME_TITLE,
    HF_VOLUME_NUMBER,
    HF_EDITOR,
    HF_PUBLISHER,
    HF_PUB_PLACE,
    HF_PUB_DATE,
    HF_DIVHEAD, /* the heading of a division of the body */
};

/* What closing an element must do. */
enum fkind {
    F_INLINE = 0, /* nothing: text flows on */
    F_SEP,        /* a block inside a note or title: a space either side */
    F_ROOT,
    F_HEADER,
    F_TEXT,       /* TEI text: the body of the fallback document */
    F_DOCDIV,     /* div type="document" */
    F_CONTAINER,  /* div, list, table, opener...: ends the text before it */
    F_BLOCK,      /* p, item, row, head...: one portion */
    F_TITLE,
    F_SOURCE,
    F_NOTE,
    F_LABEL,
    F_HDR_FIELD,
    F_LIST,  /* div xml:id="persons" / "terms" read as a list */
    F_LITEM, /* one entry of it */
    F_LNAME, /* the entry's name: persName / term with an xml:id */
    F_DIVISION, /* a div of a volume holding documents (compilation, chapter) */
};

#define FL_PERSON 0x01u    /* a persName capture started here */
#define FL_DATELINE 0x02u  /* a dateline */
#define FL_SKIPNOTE 0x04u  /* a repeated note whose text is dropped */
#define FL_COMPLETE 0x08u  /* the teiHeader title of type "complete" */
#define FL_TITLESTMT 0x10u /* teiHeader titleStmt */
#define FL_PUBSTMT 0x20u   /* teiHeader publicationStmt */
#define FL_LIST 0x40u      /* a list: its label children label items */
#define FL_CHOICE 0x80u    /* a choice: only one alternative is kept */
#define FL_LISTBIBL 0x100u /* a listBibl: its bibl children are items */
#define FL_FRONTBACK 0x200u /* front or back: its divs are sections */
#define FL_OPENER 0x800u    /* an opener or closer: its blocks' group */
#define FL_CLOSER 0x1000u
#define FL_BYLINE 0x2000u   /* a byline: its portion's group */
#define FL_SPAN 0x400u      /* an inline element kept as a span (dc_tei_span_open) */

typedef struct frame {
    unsigned char kind, cap, emitted, hf;
    unsigned short flags;
    const char *bkind; /* portion kind for blocks */
    unsigned cells;    /* cells seen in a table row */
} frame;

/* A mark waiting for its portion to be created. */
typedef struct pmark {
    size_t at;
    dc_mark_kind kind;
    char *value;
} pmark;

/* A span of the portion under construction: open (end unset) while its
 * element is, then waiting for the portion to be created. */
typedef struct pspan {
    size_t start, end;
    unsigned gen;      /* t->cur_gen when it opened: a portion ended inside
                          it (a nested block) drops it */
    int cap;           /* CAP_BODY, CAP_NOTE, CAP_SOURCE or CAP_TITLE: whose text */
    const char *kind;  /* static: "persName", "gloss", ... */
    char *value;
} pspan;

typedef struct tei {
    /* tei_reader.c only: libxml2's push parser (xmlParserCtxtPtr) and the
     * event it is reporting: the element that starts (local name,
     * namespace, attributes as libxml2's SAX2 gives them, five pointers
     * each, empty-element tag or not), the line of the node (an element's
     * start tag, even at its end), and the start lines of open elements */
    struct _xmlParserCtxt *xml;
    const char *el_name, *el_ns;
    const char **el_attrs;
    int el_nattrs, el_empty;
    long node_line;
    int xdepth;
    long el_line[TEI_MAX_DEPTH + 1];
    el_index els;
    dc_error *err;
    dc_rc rc;
    dc_doc_sink sink;
    void *ctx;
    const dc_tei_handlers *h; /* lists and person references, or NULL */
    char stem[256];

    /* the first libxml2 error, captured instead of printed */
    int xerr_set, xerr_code, xerr_line, xerr_open, xerr_epilog;
    char xerr_msg[200], xerr_name[64], xerr_elem[64];

    frame st[TEI_MAX_DEPTH + 1];
    int depth;
    int root_seen, in_header;
    int event; /* the root is an Office of the Historian <event> record */

    /* file-level facts */
    char *volume_id, *root_id, *hdr_title, *hdr_created, *file_source;
    int hdr_title_complete;
    tbuf hdr;

    /* the document under construction: a document div, or the whole file
     * (fallback) while no document div has been seen; NULL = discard */
    dc_doc *doc;
    int fallback;
    char *doc_xmlid; /* raw xml:id of the current document div */
    dc_strv note_ids; /* xml:id of each footnote of doc, "" if none */
    int title_taken, n_docdivs, n_dup;
    size_t n_delivered;
    dc_doc *held; /* the previous document, delivered once the next is done */

    /* the portion under construction */
    tbuf cur;
    pmark *marks;
    size_t n_marks, cap_marks;
    size_t *anchors; /* footnote indices waiting for this portion's id */
    size_t n_anchors, cap_anchors;
    char *cur_page;  /* page in force at its first byte */
    pspan *spans;    /* its finished spans, in the order they closed */
    size_t n_spans, cap_spans;
    pspan *xspans[3]; /* finished spans of the note [0], the source note [1],
                         the title [2] */
    size_t n_xspans[3], cap_xspans[3];
    pspan *open;     /* spans whose element is open, innermost last */
    size_t n_open, cap_open;
    unsigned cur_gen; /* bumped each time the portion under construction ends */
    char *label;     /* pending list label */
    int last_close;  /* the last portion was ended by its block's end */
    int note_glued;  /* a note marker just followed a letter or digit */

    char *page; /* page in force */

    tbuf title, source, note, lab, person;
    int person_depth, dateline_depth;
    char person_ref[TEI_ATTR]; /* corresp of the outermost persName, "" if none */

    /* a volume's list (persons or terms) being read */
    const char *list_kind; /* "persons", "terms", or NULL */
    tbuf lname, ldesc;
    char lxml_id[TEI_ATTR];
    int litem_open, lname_open, lname_done;
    size_t n_list_items;
    char *source_n;
    int source_in_title;
    size_t note_fn; /* index of the footnote being captured */

    /* a FRUS volume's structure (tei_volume.c), for h->volume */
    dc_volume *vol;      /* created on first use, NULL if none */
    int vdiv[64];        /* entry index of each open division */
    int vdiv_depth;      /* open divisions (beyond 64 not tracked) */
    const char *vpart;   /* "front", "body", "back" */
    const char *doc_section; /* the current document is a section: its doc_type */
    int book;                /* a book read as a volume of its chapters (tei.c) */
    char vrole[TEI_ATTR];    /* role of the editor being read */
} tei;

/* Records the first failure at the current line (see dc_tei_fail_at). */
#define dc_tei_fail(t, rc, ...) dc_tei_fail_at((t), (rc), dc_tei_line(t), __VA_ARGS__)

/* tei_reader.c: the libxml2 edge, errors, attributes, text buffers */
/* tbuf: init with its cap, empty it (keeping storage), add one space
 * unless it ends with one, add text with its whitespace collapsed (the cap
 * applies to the collapsed text; errors are the dc_buf's sticky rc), drop
 * the trailing space (returns the length), the text ("" when none). */
void dc_tb_init(tbuf *t, size_t limit);
void dc_tb_clear(tbuf *t);
void dc_tb_space(tbuf *t);
void dc_tb_add(tbuf *t, const char *s, size_t n);
size_t dc_tb_trim(tbuf *t);
const char *dc_tb_str(const tbuf *t);
/* The input line of the current node (at least 1). */
long dc_tei_line(tei *t);
/* Records the first failure (later ones are consequences).  The line goes
 * to err->line only: callers print "path:LINE: message", so the message
 * itself never repeats it. */
void dc_tei_fail_at(tei *t, dc_rc rc, long line, const char *fmt, ...) DC_PRINTF(4, 5);
/* Records DC_NOMEM. */
void dc_tei_nomem(tei *t);
/* Checks a buffer's sticky error; `what` names it in the message. */
int dc_tei_buf_ok(tei *t, const tbuf *b, const char *what);
/* Copies attribute `name` (in namespace ns, or none) of the current element
 * into out (capped, trimmed); returns 1 if present and non-empty. */
int dc_tei_attr(tei *t, const char *name, const char *ns, char *out);
/* Whether attribute `name` (no namespace) is present and equal to value. */
int dc_tei_attr_is(tei *t, const char *name, const char *value);
/* dc_str_set, recording DC_NOMEM. */
void dc_tei_set_str(tei *t, char **field, const char *value);
/* Reads the whole file open at fd through libxml2's SAX2 parser, calling
 * dc_tei_start_element, dc_tei_end_element and dc_tei_add_text event by
 * event (text in pieces); a DOCTYPE that declares entities is refused.
 * Stops at the first error, recorded in t->rc and t->err. */
void dc_tei_read(tei *t, int fd);
/* The local name and namespace URI (NULL if none) of the element that
 * starts; the strings belong to the parser, valid during the call. */
const char *dc_tei_name(tei *t, const char **ns);
/* Whether the element that starts is an empty-element tag (<gap/>). */
int dc_tei_is_empty(tei *t);

/* tei.c: elements */
/* A block opens (frame f, in parent): it will be one portion.  The first
 * block of an item or quote that has no text yet takes the item's kind;
 * otherwise the text before it ends. */
void dc_tei_open_block(tei *t, frame *f, frame *parent, const char *bk);
/* A table cell opens in its row (parent): cells are joined by " | ". */
void dc_tei_open_cell(tei *t, frame *parent);
/*
 * An element opens: decides what it is (frame kind) and where its text
 * goes (capture), ends the text before it when it starts a new portion,
 * and pushes its frame.
 */
void dc_tei_start_element(tei *t);
/* An element closes: completes what its start began, then pops it. */
void dc_tei_end_element(tei *t);

/* tei_portions.c: portions, notes, pages, gaps */
/* Forgets the portion under construction (text, marks, anchors, page). */
void dc_tei_cur_reset(tei *t);
/* Appends body text to the portion under construction. */
void dc_tei_cur_text(tei *t, const char *s, size_t n);
/* Routes a text node to the capture in force (portion, title, note, label,
 * header field) and, inside a persName, to the name as well. */
void dc_tei_add_text(tei *t, const char *s, size_t n);
/* A space in the capture in force (an lb, a br, a block inside a note). */
void dc_tei_add_space(tei *t);
/* A line break (lb): in a book's body text a newline, elsewhere a space. */
void dc_tei_add_break(tei *t);
/*
 * Ends the portion under construction: if it has text, appends it to the
 * document with kind, pending label, page, marks and footnote anchors.
 * Text outside any document (after the first document div) is only looked
 * at for a file-level "Source:" note.  `closing` says whether a block's end
 * caused it (a note right after it then belongs to it).
 */
void dc_tei_flush(tei *t, const char *kind, int closing);
/* Kind of the innermost open block, for text that continues around a
 * nested block or container. */
const char *dc_tei_open_kind(tei *t);
/*
 * A note element in body text or the title.  The source note (type
 * "source": in the head, or the first one with @n) is kept apart; any other
 * note with @n is a footnote; a note repeating an earlier one (@target = its
 * xml:id) only adds a marker; a note without @n is an editorial portion.
 * Footnote markers are unique in a document: a repeated @n (a monograph
 * numbering per chapter) becomes the note's xml:id or "n-k", @n the label.
 */
void dc_tei_on_note(tei *t, frame *f, int pcap);
/* A page break: the page joins doc->pages, marks body text that has begun,
 * and becomes the page in force (for this and the following documents). */
void dc_tei_on_pb(tei *t, int cap);
/* An empty gap element prints as FRUS prints withheld text, so that the
 * portion shows it and scan_gaps() records it like the bracketed form. */
void dc_tei_on_gap(tei *t);

/* tei_doc.c: documents and dates */
/* 1 if s starts with a valid YYYY-MM-DD; copies it to out. */
int dc_tei_iso_date(const char *s, char out[11]);
/*
 * A date written out in a dateline: "July 1, 1959", "3 February 1957",
 * "November 7-8, 1958" (first day), "June 20-August 31, 1961", "3rd April
 * 1865", "April 3d, 1865" (ordinal days).  Writes
 * YYYY-MM-DD to out and returns 1, or returns 0 when there is none.
 */
int dc_tei_text_date(const char *s, char out[11]);
/*
 * Hands doc (the k-th of the file) to the sink after giving it its final
 * local id: in a FRUS volume (a collection is known) the div's xml:id, else
 * "d" + its number; in a file without a volume id the file's name, suffixed
 * by the div's xml:id (or ordinal) when the file holds several documents, so
 * that ids stay unique in a folder; the whole-file document takes the root's
 * xml:id or the file's name.  The sink owns doc from here on, whatever it
 * returns.
 */
void dc_tei_deliver(tei *t, dc_doc *doc, size_t k, int multi, int whole_file);
/* Completes the current document: title, type, classification, format,
 * volume title. */
void dc_tei_doc_finish(tei *t);
/* A div type="document" opens: the text before it ends, a whole-file
 * document begun so far is dropped (the file has real documents), and a new
 * document takes the div's xml:id, @n, the volume and the FRUS date; the
 * page in force when it opens is its first page. */
void dc_tei_doc_start(tei *t);
/* A document div closes: the document is completed and held back; the one
 * held before it is delivered (it is now known not to be the only one). */
void dc_tei_doc_end(tei *t);

/* tei_refs.c: references and persons */
/* A ref element: each space-separated pointer of its @target. */
void dc_tei_on_ref(tei *t);
/* The outermost persName closes: its flattened text joins doc->persons. */
void dc_tei_end_person(tei *t);
/* An inline element kept as a span of the portion's text (hi, gloss,
 * persName, ref, quote: el is its enum el) opens in body text: sets
 * FL_SPAN on its frame f.  dc_tei_span_close ends the innermost. */
void dc_tei_span_open(tei *t, int el, frame *f, int cap);
void dc_tei_span_close(tei *t);
/* Forgets the finished spans of the note (which 0), source note (1) or
 * title (2); moves them, sorted, less skip bytes (those starting before
 * are dropped) and clamped to len, onto *v (dc_spans_add). */
void dc_tei_xspans_clear(tei *t, int which);
void dc_tei_xspans_move(tei *t, int which, size_t skip, size_t len, dc_span **v, size_t *n,
                        size_t *cap);

/* tei_lists.c: event records and lists */
/*
 * An element of an event record (frame f, in parent).  Children of the
 * root: the first title and event-date are captured like teiHeader fields;
 * teaser and full-description hold the body; id, created, icon, link and
 * the rest are dropped.  In the body, XHTML (or unnamespaced) elements map
 * by name: blocks are portions, lists, divs and tables containers, br a
 * space, script and style dropped; any other element (a, em, span, img,
 * other namespaces) keeps its text inline.  No TEI rule applies here.
 */
void dc_tei_event_start(tei *t, const char *l, const char *ns, frame *f, frame *parent);
/* The list a div is, when lists are asked for: xml:id "persons" or
 * "terms" (FRUS front matter), or NULL. */
const char *dc_tei_list_kind_of(tei *t);
/* A list div opens: the text before it ends; the list's text is not part
 * of a whole-file document (one left with no text is dropped at the end:
 * the file held lists only). */
void dc_tei_list_open(tei *t, frame *f, const char *kind);
/* An element inside a list: an item starts an entry; its first persName
 * (persons) or term (terms) with an xml:id is the entry's name; the text
 * after the name is the description; notes are dropped. */
void dc_tei_list_start(tei *t, int el, const char *l, frame *f);
/* An entry closes: its name and description (without the comma that
 * follows the name) go to the list callback. */
void dc_tei_list_item_end(tei *t);

/* tei_volume.c: a volume's header and contents */
/* Whether volume structure is asked for (h->volume) in a FRUS volume. */
int dc_tei_vol_wanted(tei *t);
/* A volume field (hf) of the teiHeader or a division heading ends with
 * text. */
void dc_tei_vol_field(tei *t, int hf, const char *text);
/* A division of the body opens (the current element, a div outside any
 * document): an entry with its xml:id and type. */
void dc_tei_vol_division(tei *t);
/* The division opened last closes. */
void dc_tei_vol_division_end(tei *t);
/* A document of the volume opens (local id or number as in its div). */
void dc_tei_vol_document(tei *t, const char *xml_id, const char *number);
/* At the end of a file read without error: hands the volume to
 * h->volume. */
void dc_tei_vol_deliver(tei *t);

#endif
