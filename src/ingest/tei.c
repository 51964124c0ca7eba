/*
 * TEI ingest: streams a TEI P5 file (FRUS volumes, the Office of the
 * Historian's records) with libxml2's xmlTextReader and hands one dc_doc per
 * div type="document" to a sink.  The Office of the Historian's event
 * records (root <event> in no namespace, XHTML descriptions) go through the
 * same reader and give one dc_doc each.  The mapping is described in
 * docs/internals/tei.md.
 *
 * Hostile input: the reader runs without entity substitution, DTD loading,
 * default attributes, validation or network access; a DOCTYPE that declares
 * any entity and any entity reference that reaches the reader are refused;
 * nesting, text, portions, notes, pages and the file itself are capped.
 * libxml2 messages are captured (never printed) and translated into dc_rc
 * values with the line, here at the module's edge.
 */
#include "ingest/ingest.h"
#include "model/model_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "ingest/ingest_int.h"

#include "util/util_int.h"
#include "util/banned.h"

#define TEI_NS "http://www.tei-c.org/ns/1.0"
#define FRUS_NS "http://history.state.gov/frus/ns/1.0"
#define XML_NS "http://www.w3.org/XML/1998/namespace"
#define XHTML_NS "http://www.w3.org/1999/xhtml"

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

#if LIBXML_VERSION >= 21200
typedef const xmlError *tei_xml_error;
#else
typedef xmlError *tei_xml_error;
#endif

/* --- text accumulation with whitespace collapsing ----------------------- */

/* A capped buffer whose XML whitespace runs collapse to one space and that
 * never starts with a space; tb_trim() drops the one trailing space. */
typedef struct tbuf {
    dc_buf b;
} tbuf;

static int is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* is_xml_space() as a table, for the branch-free loop of tb_add(). */
static const unsigned char xml_space[256] = {[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1};

static void tb_init(tbuf *t, size_t limit) { dc_buf_init(&t->b, limit); }

static void tb_clear(tbuf *t)
{
    dc_buf_reset(&t->b);
}

static void tb_space(tbuf *t)
{
    if (t->b.len > 0 && t->b.p[t->b.len - 1] != ' ') dc_buf_putc(&t->b, ' ');
}

/* The high bit of each byte of x that is zero, exactly per byte. */
static uint64_t zero_bytes(uint64_t x)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    return ~(((x & low7) + low7) | x | low7);
}

/*
 * Appends s[0..n) with its whitespace collapsed.  When the raw bytes fit
 * under the cap, room for all of them is made at once (the collapsed text
 * is never longer, so the write position never passes the read position)
 * and they are collapsed into it: eight bytes at a time are copied as they
 * are while they hold no byte below 0x20 (tab, newline, return) and no
 * space that follows a space; otherwise one byte is copied, or a run of
 * whitespace becomes one space.
 * Otherwise, so that the cap applies to the collapsed text exactly, word
 * by word.
 */
static void tb_add(tbuf *t, const char *s, size_t n)
{
    dc_buf *b = &t->b;
    if (n == 0 || b->rc) return;
    if (b->len + n <= b->limit) {
        const uint64_t ones = 0x0101010101010101ull;
        size_t start = b->len;
        dc_buf_add(b, s, n);
        if (b->rc) return;
        char *w = b->p + start;
        unsigned space = start == 0 || b->p[start - 1] == ' ';
        for (size_t i = 0; i < n;) {
            if (i + 8 <= n && !(space && s[i] == ' ')) {
                uint64_t x;
                memcpy(&x, s + i, 8);
                uint64_t ctl = zero_bytes(x & (ones * 0xe0)), sp = zero_bytes(x ^ (ones * ' '));
                if (!ctl && !(sp & (sp << 8))) {
                    memcpy(w, &x, 8);
                    w += 8;
                    space = s[i + 7] == ' ';
                    i += 8;
                    continue;
                }
            }
            if (!xml_space[(unsigned char)s[i]]) {
                *w++ = s[i++];
                space = 0;
                continue;
            }
            /* a run of whitespace (indentation is most of it) */
            for (i++; i + 8 <= n && memcmp(s + i, "        ", 8) == 0;) i += 8;
            while (i < n && xml_space[(unsigned char)s[i]]) i++;
            if (!space) *w++ = ' ';
            space = 1;
        }
        *w = '\0';
        b->len = (size_t)(w - b->p);
        return;
    }
    size_t i = 0;
    while (i < n) {
        if (is_xml_space(s[i])) {
            tb_space(t);
            while (i < n && is_xml_space(s[i])) i++;
            continue;
        }
        size_t j = i;
        while (j < n && !is_xml_space(s[j])) j++;
        dc_buf_add(&t->b, s + i, j - i);
        i = j;
    }
}

static size_t tb_trim(tbuf *t)
{
    if (t->b.len > 0 && t->b.p[t->b.len - 1] == ' ') t->b.p[--t->b.len] = '\0';
    return t->b.len;
}

static const char *tb_str(const tbuf *t) { return t->b.p ? t->b.p : ""; }

/* --- TEI elements -------------------------------------------------------- */

/*
 * The TEI elements the reader acts on, sorted by name (names with the same
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
    X(EPIGRAPH, "epigraph", 1, NULL)                 \
    X(EXPAN, "expan", 0, NULL)                       \
    X(FIGURE, "figure", 1, NULL)                     \
    X(FLOATINGTEXT, "floatingText", 1, NULL)         \
    X(FRONT, "front", 1, NULL)                       \
    X(FW, "fw", 0, NULL)                             \
    X(GAP, "gap", 0, NULL)                           \
    X(GROUP, "group", 1, NULL)                       \
    X(HEAD, "head", 0, NULL)                         \
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

/* Where the names of el_defs that begin with each byte are: [from, to). */
typedef struct el_index {
    unsigned char from[256], to[256];
} el_index;

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

/* --- parser state ------------------------------------------------------- */

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

typedef struct frame {
    unsigned char kind, cap, emitted;
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

typedef struct tei {
    xmlTextReaderPtr r;
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
} tei;

/* --- errors -------------------------------------------------------------- */

static long cur_line(tei *t)
{
    long line = 0;
    if (t->r) {
        xmlNodePtr n = xmlTextReaderCurrentNode(t->r);
        if (n && n->type != XML_DTD_NODE) line = xmlGetLineNo(n);
        if (line <= 0) line = xmlTextReaderGetParserLineNumber(t->r);
    }
    return line > 0 ? line : 1;
}

/* Records the first failure (later ones are consequences).  The line goes
 * to err->line only: callers print "path:LINE: message", so the message
 * itself never repeats it. */
static void fail_at(tei *t, dc_rc rc, long line, const char *fmt, ...) DC_PRINTF(4, 5);
static void fail_at(tei *t, dc_rc rc, long line, const char *fmt, ...)
{
    if (t->rc) return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    t->rc = rc;
    dc_fail(t->err, rc, rc == DC_NOMEM ? 0 : line, "%s", msg);
}

#define fail(t, rc, ...) fail_at((t), (rc), cur_line(t), __VA_ARGS__)

static void nomem(tei *t) { fail_at(t, DC_NOMEM, 0, "out of memory"); }

/* Checks a buffer's sticky error; `what` names it in the message. */
static int buf_ok(tei *t, const tbuf *b, const char *what)
{
    if (!b->b.rc) return 1;
    if (b->b.rc == DC_LIMIT)
        fail(t, DC_LIMIT, "%s longer than %zu bytes", what, b->b.limit);
    else
        nomem(t);
    return 0;
}

static void xml_error(void *ctx, tei_xml_error e)
{
    tei *t = ctx;
    /* validity errors (a repeated xml:id) do not stop a non-validating read */
    if (!e || e->level < XML_ERR_ERROR || e->domain == XML_FROM_VALID || t->xerr_set) return;
    t->xerr_set = 1;
    t->xerr_code = e->code;
    t->xerr_line = e->line;
    snprintf(t->xerr_msg, sizeof t->xerr_msg, "%s", e->message ? e->message : "");
    size_t n = strlen(t->xerr_msg);
    while (n > 0 && (t->xerr_msg[n - 1] == '\n' || t->xerr_msg[n - 1] == ' '))
        t->xerr_msg[--n] = '\0';
    snprintf(t->xerr_name, sizeof t->xerr_name, "%s", e->str1 ? e->str1 : "");
    /* which element was open tells a truncated file from trailing junk */
    if (e->domain == XML_FROM_PARSER && e->ctxt) {
        xmlParserCtxtPtr c = e->ctxt;
        t->xerr_epilog = c->instate == XML_PARSER_EPILOG;
        if (c->nameNr > 0 && c->name) {
            t->xerr_open = 1;
            snprintf(t->xerr_elem, sizeof t->xerr_elem, "%s", (const char *)c->name);
        }
    }
}

static void xml_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* Translates the captured libxml2 error into a dc_rc and message. */
static void fail_xml(tei *t)
{
    long line = t->xerr_line > 0 ? t->xerr_line : cur_line(t);
    int c = t->xerr_code;
    if (strstr(t->xerr_msg, "Excessive depth")) {
        fail_at(t, DC_LIMIT, line, "nesting deeper than %d elements", TEI_MAX_DEPTH);
    } else if (c == XML_ERR_UNDECLARED_ENTITY || c == XML_WAR_UNDECLARED_ENTITY) {
        fail_at(t, DC_PARSE, line, "undefined entity '%s'", t->xerr_name);
    } else if (c == XML_ERR_ENTITY_LOOP) {
        /* the error's own line is inside the entity's text */
        fail_at(t, DC_PARSE, cur_line(t), "entity expansion refused (%s)", t->xerr_msg);
    } else if (c == XML_ERR_NO_MEMORY) {
        nomem(t);
    } else if (c == XML_ERR_DOCUMENT_END && t->xerr_open) {
        fail_at(t, DC_PARSE, line, "unexpected end of file: element '%s' is not closed",
                t->xerr_elem);
    } else if (c == XML_ERR_DOCUMENT_END && t->xerr_epilog) {
        fail_at(t, DC_PARSE, line, "content after the end of the root element");
    } else if (c == XML_ERR_DOCUMENT_END || c == XML_ERR_DOCUMENT_EMPTY) {
        fail_at(t, DC_PARSE, line, "no root element (not an XML document)");
    } else {
        fail_at(t, DC_PARSE, line, "malformed XML: %s",
                t->xerr_msg[0] ? t->xerr_msg : "parse error");
    }
}

/* --- small helpers ------------------------------------------------------- */

/*
 * The value of attribute `name` (in namespace ns, or in none) of element
 * node n as libxml2 keeps it, without a copy: "" for an empty value.  Sets
 * *slow instead when only xmlTextReaderGetAttribute() and its Ns variant
 * can tell (a value of several nodes, or an attribute absent from an
 * element of a document with a DOCTYPE, whose ATTLIST may give it a
 * default value), so that the answer is always theirs.
 */
static const char *attr_value(xmlNodePtr n, const char *name, const char *ns, int *slow)
{
    *slow = 0;
    if (!n || n->type != XML_ELEMENT_NODE) return NULL;
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        if (strcmp((const char *)a->name, name) != 0) continue;
        if (ns ? !a->ns || !a->ns->href || strcmp((const char *)a->ns->href, ns) != 0
               : a->ns != NULL)
            continue;
        xmlNodePtr c = a->children;
        if (!c) return "";
        if (!c->next && (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            c->content)
            return (const char *)c->content;
        *slow = 1;
        return NULL;
    }
    if (n->doc && (n->doc->intSubset || n->doc->extSubset)) *slow = 1;
    return NULL;
}

/* Copies attribute `name` (in namespace ns, or none) of the current element
 * into out (capped, trimmed); returns 1 if present and non-empty. */
static int attr(tei *t, const char *name, const char *ns, char *out)
{
    int slow;
    xmlChar *v = NULL;
    const char *s = attr_value(xmlTextReaderCurrentNode(t->r), name, ns, &slow);
    if (slow) {
        v = ns ? xmlTextReaderGetAttributeNs(t->r, (const xmlChar *)name, (const xmlChar *)ns)
               : xmlTextReaderGetAttribute(t->r, (const xmlChar *)name);
        s = (const char *)v;
    }
    out[0] = '\0';
    if (!s) return 0;
    while (is_xml_space(*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && is_xml_space(s[n - 1])) n--;
    if (n >= TEI_ATTR) n = TEI_ATTR - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    xmlFree(v);
    return n > 0;
}

static int attr_is(tei *t, const char *name, const char *value)
{
    char v[TEI_ATTR];
    return attr(t, name, NULL, v) && strcmp(v, value) == 0;
}

static void set_str(tei *t, char **field, const char *value)
{
    if (dc_str_set(field, value)) nomem(t);
}

/* 1 if s starts with a valid YYYY-MM-DD; copies it to out. */
static int iso_date(const char *s, char out[11])
{
    int y, m, d;
    if (strnlen(s, 10) < 10 || !dc_date_parse(s, 10, &y, &m, &d)) return 0;
    memcpy(out, s, 10);
    out[10] = '\0';
    return 1;
}

/*
 * A date written out in a dateline: "July 1, 1959", "3 February 1957",
 * "November 7-8, 1958" (first day), "June 20-August 31, 1961".  Writes
 * YYYY-MM-DD to out and returns 1, or returns 0 when there is none.
 */
static int text_date(const char *s, char out[11])
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
        if (i > 0 && w[i - 1].n <= 2 && isdigit((unsigned char)w[i - 1].p[0]))
            day = strtol(w[i - 1].p, &end, 10);
        if (!day && i + 1 < nw && w[i + 1].n <= 2 && isdigit((unsigned char)w[i + 1].p[0]))
            day = strtol(w[i + 1].p, &end, 10);
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

/* --- portions ------------------------------------------------------------ */

static void cur_reset(tei *t)
{
    tb_clear(&t->cur);
    for (size_t i = 0; i < t->n_marks; i++) free(t->marks[i].value);
    t->n_marks = 0;
    t->n_anchors = 0;
    free(t->cur_page);
    t->cur_page = NULL;
}

static void add_cur_mark(tei *t, dc_mark_kind kind, const char *value)
{
    if (t->n_marks >= TEI_MAX_MARKS) {
        fail(t, DC_LIMIT, "more than %d page and note markers in one portion", TEI_MAX_MARKS);
        return;
    }
    if (DC_GROW(t->marks, t->n_marks + 1, t->cap_marks)) { nomem(t); return; }
    char *v = dc_strdup(value);
    if (!v) { nomem(t); return; }
    t->marks[t->n_marks].at = t->cur.b.len;
    t->marks[t->n_marks].kind = kind;
    t->marks[t->n_marks].value = v;
    t->n_marks++;
}

static void add_anchor(tei *t, size_t fn)
{
    if (DC_GROW(t->anchors, t->n_anchors + 1, t->cap_anchors)) { nomem(t); return; }
    t->anchors[t->n_anchors++] = fn;
}

/* Appends body text to the portion under construction. */
static void cur_text(tei *t, const char *s, size_t n)
{
    size_t before = t->cur.b.len;
    tb_add(&t->cur, s, n);
    if (before == 0 && t->cur.b.len > 0) {
        t->last_close = 0;
        if (t->page && !t->cur_page && !(t->cur_page = dc_strdup(t->page))) nomem(t);
    }
    buf_ok(t, &t->cur, "text of one portion");
}

/* The text of the current capture target, or NULL when text is dropped. */
static tbuf *capture_buf(tei *t, int cap)
{
    switch (cap) {
    case CAP_BODY: return &t->cur;
    case CAP_TITLE: return &t->title;
    case CAP_SOURCE: return &t->source;
    case CAP_NOTE: return &t->note;
    case CAP_LABEL: return &t->lab;
    case CAP_HDR_TITLE:
    case CAP_HDR_IDNO:
    case CAP_HDR_DATE: return &t->hdr;
    default: return NULL;
    }
}

/* A byte that can end or begin a word: ASCII letters and digits, and any
 * byte of a multi-byte UTF-8 sequence (letters beyond ASCII). */
static int is_word_byte(char c)
{
    unsigned char u = (unsigned char)c;
    return (u >= '0' && u <= '9') || ((u | 0x20) >= 'a' && (u | 0x20) <= 'z') || u >= 0x80;
}

static int top_cap(tei *t) { return t->depth > 0 ? t->st[t->depth - 1].cap : CAP_SKIP; }

/* Routes a text node to the capture in force (portion, title, note, label,
 * header field) and, inside a persName, to the name as well. */
static void add_text(tei *t, const char *s, size_t n)
{
    int cap = top_cap(t);
    if (cap == CAP_LIST) {
        tbuf *b = t->lname_open ? &t->lname : t->litem_open && t->lname_done ? &t->ldesc : NULL;
        if (b) {
            tb_add(b, s, n);
            buf_ok(t, b, "one entry of a list");
        }
        return;
    }
    if (cap == CAP_BODY) {
        /* "Declaration<note/>by": a note between two words stands where
         * the space was lost; put the space back, as the text ingester does
         * for "Declaration14by". */
        if (t->note_glued && n > 0 && is_word_byte(s[0])) cur_text(t, " ", 1);
        t->note_glued = 0;
        cur_text(t, s, n);
    } else {
        tbuf *b = capture_buf(t, cap);
        if (b && !(t->depth > 0 && (t->st[t->depth - 1].flags & FL_SKIPNOTE))) {
            tb_add(b, s, n);
            buf_ok(t, b, "text of one note or title");
        }
    }
    if (t->person_depth > 0 && cap != CAP_SKIP && cap < CAP_HDR_TITLE) {
        tb_add(&t->person, s, n);
        buf_ok(t, &t->person, "a person's name");
    }
}

static void add_space(tei *t)
{
    t->note_glued = 0;
    if (top_cap(t) == CAP_LIST) {
        if (t->lname_open) tb_space(&t->lname);
        else if (t->litem_open && t->lname_done) tb_space(&t->ldesc);
        return;
    }
    tbuf *b = capture_buf(t, top_cap(t));
    if (b) tb_space(b);
    if (t->person_depth > 0) tb_space(&t->person);
}

/* The page in force at byte `at` of portion p. */
static const char *page_at(const dc_portion *p, size_t at)
{
    const char *page = p->page;
    for (size_t i = 0; i < p->n_marks; i++)
        if (p->marks[i].kind == DC_MARK_PAGE && p->marks[i].at <= at) page = p->marks[i].value;
    return page;
}

/*
 * Records a dc_gap for each "[... not declassified]" statement in portion
 * p, which is how FRUS TEI prints withheld text (plain text in brackets, the
 * extent often in a hi); gap elements were turned into such text already.
 */
static void scan_gaps(tei *t, const dc_portion *p)
{
    static const char key[] = "not declassified";
    static const char *const suffixes[] = {" of source text", " of text", " source text"};
    const char *s = p->text;
    for (const char *hit = strstr(s, key); hit && !t->rc; hit = strstr(hit + 1, key)) {
        const char *close = hit + sizeof key - 1;
        if (*close == '.') close++;
        if (*close != ']') continue;
        const char *open = NULL;
        for (const char *q = hit; q > s && hit - q < 300; q--) {
            if (q[-1] == ']') break;
            if (q[-1] == '[') {
                open = q - 1;
                break;
            }
        }
        if (!open) continue;
        const char *a = open + 1, *b = hit;
        while (a < b && *a == ' ') a++;
        while (b > a && b[-1] == ' ') b--;
        if (b - a == 4 && strncasecmp(a, "text", 4) == 0) b = a; /* "[text not declassified]" */
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            size_t l = strlen(suffixes[i]);
            if ((size_t)(b - a) >= l && strncmp(b - l, suffixes[i], l) == 0) {
                b -= l;
                break;
            }
        }
        if (t->doc->n_gaps >= TEI_MAX_ITEMS) {
            fail(t, DC_LIMIT, "more than %d gaps in one document", TEI_MAX_ITEMS);
            return;
        }
        dc_gap *g = dc_doc_add_gap(t->doc);
        if (!g) { nomem(t); return; }
        int bad = (b > a && dc_str_setn(&g->extent, a, (size_t)(b - a))) ||
                  dc_str_set(&g->page, page_at(p, (size_t)(open - s))) ||
                  dc_str_set(&g->anchor, p->id);
        if (bad) { nomem(t); return; }
    }
}

/* Records that the innermost open block has produced a portion, so a
 * block nested later in it no longer inherits its kind. */
static void note_emitted(tei *t)
{
    for (int i = t->depth - 1; i >= 0; i--)
        if (t->st[i].kind == F_BLOCK) {
            t->st[i].emitted = 1;
            return;
        }
}

/* Kind of a finished portion: FRUS prints editorial insertions as whole
 * bracketed paragraphs ("[Here follows ...]"). */
static const char *refine_kind(const char *kind, const char *text, size_t len)
{
    if (strcmp(kind, "paragraph") != 0 || len < 2) return kind;
    if (text[0] == '[' && text[len - 1] == ']') {
        if (memchr(text + 1, ']', len - 2)) return kind;
        return strstr(text, "not declassified") ? "gap" : "editorial";
    }
    /* FRUS sets sub-headings as short paragraphs ("Objectives", "Military",
     * "NOTE BY THE EXECUTIVE SECRETARY ..."): no closing punctuation, a
     * capital first, at most 16 words.  A short line ending in a comma
     * ("Sincerely,") is the complimentary close of a letter. */
    size_t words = 1;
    for (size_t i = 0; i < len; i++) words += text[i] == ' ';
    char last = text[len - 1];
    if (last == ',' && words <= 3) return "signature";
    if (len < 120 && words <= 16 && text[0] >= 'A' && text[0] <= 'Z' &&
        !strchr(".:;,?!)\"'", last) && (unsigned char)last < 0x80)
        return "heading";
    return kind;
}

/*
 * Ends the portion under construction: if it has text, appends it to the
 * document with kind, pending label, page, marks and footnote anchors.
 * Text outside any document (after the first document div) is only looked
 * at for a file-level "Source:" note.  `closing` says whether a block's end
 * caused it (a note right after it then belongs to it).
 */
static void flush(tei *t, const char *kind, int closing)
{
    if (t->rc) return;
    size_t len = tb_trim(&t->cur);
    if (len > 0 && !t->file_source && strncmp(tb_str(&t->cur), "Source:", 7) == 0 &&
        (!t->doc || t->fallback) && !(t->file_source = dc_strdup(tb_str(&t->cur))))
        { nomem(t); return; }
    dc_doc *d = t->doc;
    if (!d) {
        cur_reset(t);
        return;
    }
    if (len == 0) {
        /* markers with no text of their own stay with the text before */
        const char *id = d->n_portions ? d->portions[d->n_portions - 1].id : NULL;
        for (size_t i = 0; i < t->n_anchors; i++)
            if (id && dc_str_set(&d->footnotes[t->anchors[i]].anchor, id)) { nomem(t); return; }
        cur_reset(t);
        return;
    }
    if (d->n_portions >= TEI_MAX_PORTIONS) {
        fail(t, DC_LIMIT, "more than %d portions in one document", TEI_MAX_PORTIONS);
        return;
    }
    kind = refine_kind(kind, tb_str(&t->cur), len);
    dc_portion *p = dc_doc_add_portion(d, kind);
    if (!p) { nomem(t); return; }
    p->page = t->cur_page;
    t->cur_page = NULL;
    p->label = t->label;
    t->label = NULL;
    /* a copy of the exact length; the buffer keeps its storage for the
     * next portion instead of growing again from nothing */
    p->text = dc_strndup(t->cur.b.p, len);
    if (!p->text) { nomem(t); return; }
    for (size_t i = 0; i < t->n_marks; i++) {
        size_t at = t->marks[i].at > len ? len : t->marks[i].at;
        dc_rc rc = dc_portion_add_mark(p, t->marks[i].kind, at, t->marks[i].value);
        if (rc) {
            if (rc == DC_NOMEM) nomem(t); else fail(t, rc, "too many markers");
            return;
        }
    }
    for (size_t i = 0; i < t->n_anchors; i++)
        if (dc_str_set(&d->footnotes[t->anchors[i]].anchor, p->id)) { nomem(t); return; }
    scan_gaps(t, p);
    cur_reset(t);
    note_emitted(t);
    t->last_close = closing;
}

/* Kind of the innermost open block, for text that continues around a
 * nested block or container. */
static const char *open_kind(tei *t)
{
    for (int i = t->depth - 1; i >= 0; i--) {
        if (t->st[i].kind == F_BLOCK) return t->st[i].bkind;
        if (t->st[i].kind == F_DOCDIV || t->st[i].kind == F_TEXT) break;
    }
    return "paragraph";
}

/* --- documents ----------------------------------------------------------- */

/* Forgets the per-document state (pending portion, label, source note,
 * footnote ids) between documents. */
static void doc_reset_state(tei *t)
{
    cur_reset(t);
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
static void deliver(tei *t, dc_doc *doc, size_t k, int multi, int whole_file)
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
        { nomem(t); return; }
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
static void doc_finish(tei *t)
{
    dc_doc *d = t->doc;
    flush(t, open_kind(t), 0);
    if (t->rc) return;
    if (t->fallback && !d->title) {
        const char *title = t->hdr_title;
        for (size_t i = 0; !title && i < d->n_portions; i++)
            if (strcmp(d->portions[i].kind, "heading") == 0) title = d->portions[i].text;
        set_str(t, &d->title, title);
    }
    if (!d->source_note && t->file_source) set_str(t, &d->source_note, t->file_source);
    if (!d->classification)
        set_str(t, &d->classification, dc_ingest_classification(d->source_note));
    set_str(t, &d->doc_type, t->event ? "event" : dc_ingest_doc_type(d->title));
    set_str(t, &d->format, "tei");
    /* A FRUS volume (its header names it with an idno type="frus") gives
     * its title for citations. */
    if (t->volume_id && t->hdr_title_complete) set_str(t, &d->volume_title, t->hdr_title);
}

/* A div type="document" opens: the text before it ends, a whole-file
 * document begun so far is dropped (the file has real documents), and a new
 * document takes the div's xml:id, @n, the volume and the FRUS date; the
 * page in force when it opens is its first page. */
static void doc_start(tei *t)
{
    char v[TEI_ATTR], date[11];
    flush(t, open_kind(t), 0);
    if (t->fallback) {
        dc_doc_free(t->doc);
        t->doc = NULL;
        t->fallback = 0;
    }
    doc_reset_state(t);
    t->n_docdivs++;
    dc_doc *d = t->doc = dc_doc_new();
    if (!d) { nomem(t); return; }
    if (attr(t, "id", XML_NS, v)) {
        set_str(t, &d->local_id, v);
        set_str(t, &t->doc_xmlid, v);
    }
    if (attr(t, "n", NULL, v)) set_str(t, &d->number, v);
    set_str(t, &d->collection, t->volume_id ? t->volume_id : t->root_id);
    if (attr(t, "doc-dateTime-min", FRUS_NS, v) && iso_date(v, date)) {
        set_str(t, &d->date, date);
        set_str(t, &d->date_source, "tei");
    }
    if (t->page && dc_strv_push(&d->pages, t->page)) nomem(t);
}

/* A document div closes: the document is completed and held back; the one
 * held before it is delivered (it is now known not to be the only one). */
static void doc_end(tei *t)
{
    doc_finish(t);
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
        deliver(t, h, t->n_delivered + 1, 1, 0);
    }
    if (t->rc) {
        dc_doc_free(d);
        return;
    }
    t->held = d;
}

/* --- references ---------------------------------------------------------- */

/* Parses "dN" or "dNfnM" (a FRUS document or footnote id). */
static int frus_id(const char *s, size_t n, char *num, size_t numcap, char *fn, size_t fncap)
{
    if (n < 2 || s[0] != 'd' || !isdigit((unsigned char)s[1])) return 0;
    size_t i = 1;
    while (i < n && isdigit((unsigned char)s[i])) i++;
    if (i - 1 >= numcap) return 0;
    memcpy(num, s + 1, i - 1);
    num[i - 1] = '\0';
    fn[0] = '\0';
    if (i == n) return 1;
    if (n - i < 3 || strncmp(s + i, "fn", 2) != 0 || n - i - 2 >= fncap) return 0;
    memcpy(fn, s + i + 2, n - i - 2);
    fn[n - i - 2] = '\0';
    return 1;
}

static int is_volume_id(const char *s, size_t n)
{
    if (n < 5 || n > 64 || strncmp(s, "frus", 4) != 0 || !isdigit((unsigned char)s[4])) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_') return 0;
    return 1;
}

/*
 * Records what one ref target points to: "#d237" a document of this
 * volume, "#d30fn2" its footnote, "frus1958-60v19" or "frus1958-60v19#d12"
 * another volume.  Pointers into the document itself, glossary terms,
 * pages and web addresses are not references between records.
 */
static void add_ref_target(tei *t, const char *tg, size_t n)
{
    char num[32], fn[32], vol[80], frag[80];
    dc_doc *d = t->doc;
    if (d->n_refs >= TEI_MAX_ITEMS) {
        fail(t, DC_LIMIT, "more than %d references in one document", TEI_MAX_ITEMS);
        return;
    }
    dc_rc rc = DC_OK;
    if (n > 1 && tg[0] == '#') {
        if (!frus_id(tg + 1, n - 1, num, sizeof num, fn, sizeof fn)) return;
        if (t->doc_xmlid && t->doc_xmlid[0] == 'd' && strcmp(t->doc_xmlid + 1, num) == 0) return;
        rc = fn[0] ? dc_doc_add_ref(d, "footnote", num, NULL, fn)
                   : dc_doc_add_ref(d, "document", num, NULL, NULL);
    } else {
        const char *hash = memchr(tg, '#', n);
        size_t vl = hash ? (size_t)(hash - tg) : n;
        if (!is_volume_id(tg, vl)) return;
        memcpy(vol, tg, vl);
        vol[vl] = '\0';
        frag[0] = '\0';
        if (hash && n - vl - 1 > 0 && n - vl - 1 < sizeof frag) {
            memcpy(frag, hash + 1, n - vl - 1);
            frag[n - vl - 1] = '\0';
        }
        rc = dc_doc_add_ref(d, "volume", vol, NULL, frag[0] ? frag : NULL);
    }
    if (rc) nomem(t);
}

/* A ref element: each space-separated pointer of its @target. */
static void on_ref(tei *t)
{
    char v[TEI_ATTR];
    if (!t->doc || !attr(t, "target", NULL, v)) return;
    for (char *p = v; *p && !t->rc;) {
        while (is_xml_space(*p)) p++;
        char *q = p;
        while (*q && !is_xml_space(*q)) q++;
        if (q > p) add_ref_target(t, p, (size_t)(q - p));
        p = q;
    }
}

/* --- elements ------------------------------------------------------------ */

static void push(tei *t, const frame *f)
{
    t->st[t->depth++] = *f;
    if (f->flags & FL_DATELINE) t->dateline_depth++;
}

/* A note's marker: in the title the note is anchored to "title"; in body
 * text a DC_MARK_NOTE where it stands, or at the end of the portion just
 * ended when it follows that block directly (`</signed><note>`).
 * fn is the footnote to anchor, or (size_t)-1 for a repeated marker. */
static void note_marker(tei *t, int cap, const char *value, size_t fn)
{
    dc_doc *d = t->doc;
    if (cap == CAP_TITLE) {
        if (fn != (size_t)-1) set_str(t, &d->footnotes[fn].anchor, "title");
        return;
    }
    if (t->cur.b.len == 0 && t->last_close && d->n_portions > 0) {
        dc_portion *p = &d->portions[d->n_portions - 1];
        dc_rc rc = dc_portion_add_mark(p, DC_MARK_NOTE, strlen(p->text), value);
        if (rc) {
            if (rc == DC_NOMEM) nomem(t); else fail(t, rc, "too many markers in one portion");
            return;
        }
        if (fn != (size_t)-1) set_str(t, &d->footnotes[fn].anchor, p->id);
        return;
    }
    add_cur_mark(t, DC_MARK_NOTE, value);
    if (fn != (size_t)-1) add_anchor(t, fn);
    t->note_glued = t->cur.b.len > 0 && is_word_byte(t->cur.b.p[t->cur.b.len - 1]);
}

/*
 * A note element in body text or the title.  The source note (type
 * "source": in the head, or the first one with @n) is kept apart; any other
 * note with @n is a footnote; a note repeating an earlier one (@target = its
 * xml:id) only adds a marker; a note without @n is an editorial portion.
 * Footnote markers are unique in a document: a repeated @n (a monograph
 * numbering per chapter) becomes the note's xml:id or "n-k", @n the label.
 */
static void on_note(tei *t, frame *f, int pcap)
{
    char n[TEI_ATTR], id[TEI_ATTR], target[TEI_ATTR];
    dc_doc *d = t->doc;
    if (!d) {
        f->cap = CAP_SKIP;
        return;
    }
    int has_n = attr(t, "n", NULL, n);
    if (attr_is(t, "type", "source") &&
        (pcap == CAP_TITLE || (has_n && !d->source_note && !t->source_n))) {
        f->kind = F_SOURCE;
        f->cap = CAP_SOURCE;
        tb_clear(&t->source);
        set_str(t, &t->source_n, has_n ? n : NULL);
        t->source_in_title = pcap == CAP_TITLE;
        return;
    }
    if (!has_n) {
        if (pcap == CAP_BODY) {
            f->kind = F_BLOCK;
            f->bkind = "editorial";
            if (t->cur.b.len > 0) flush(t, open_kind(t), 0);
        } else {
            f->cap = CAP_SKIP;
        }
        return;
    }
    if (attr(t, "target", NULL, target)) {
        const char *tg = target[0] == '#' ? target + 1 : target;
        for (size_t i = 0; i < t->note_ids.n; i++)
            if (strcmp(t->note_ids.v[i], tg) == 0) {
                f->cap = CAP_SKIP;
                f->flags |= FL_SKIPNOTE;
                note_marker(t, pcap, d->footnotes[i].n, (size_t)-1);
                return;
            }
    }
    if (d->n_footnotes >= TEI_MAX_NOTES) {
        fail(t, DC_LIMIT, "more than %d notes in one document", TEI_MAX_NOTES);
        return;
    }
    int has_id = attr(t, "id", XML_NS, id);
    char value[TEI_ATTR + 32];
    const char *label = NULL;
    snprintf(value, sizeof value, "%s", n);
    if (dc_doc_footnote(d, n)) {
        label = n;
        if (has_id && !dc_doc_footnote(d, id))
            snprintf(value, sizeof value, "%s", id);
        else
            snprintf(value, sizeof value, "%s-%d", n, ++t->n_dup);
    }
    dc_footnote *fn = dc_doc_add_footnote(d);
    if (!fn) { nomem(t); return; }
    size_t idx = d->n_footnotes - 1;
    if (dc_str_set(&fn->n, value) || dc_str_set(&fn->label, label) ||
        dc_strv_push(&t->note_ids, has_id ? id : ""))
        { nomem(t); return; }
    f->kind = F_NOTE;
    f->cap = CAP_NOTE;
    tb_clear(&t->note);
    t->note_fn = idx;
    note_marker(t, pcap, value, idx);
}

/* A page break: the page joins doc->pages, marks body text that has begun,
 * and becomes the page in force (for this and the following documents). */
static void on_pb(tei *t, int cap)
{
    char n[TEI_ATTR];
    if (!attr(t, "n", NULL, n)) n[0] = '\0';
    if (t->doc && n[0]) {
        if (t->doc->pages.n >= TEI_MAX_ITEMS) {
            fail(t, DC_LIMIT, "more than %d pages in one document", TEI_MAX_ITEMS);
            return;
        }
        if (dc_strv_push(&t->doc->pages, n)) { nomem(t); return; }
    }
    if (cap == CAP_BODY && t->doc && t->cur.b.len > 0) add_cur_mark(t, DC_MARK_PAGE, n);
    if (n[0]) set_str(t, &t->page, n);
}

/* An empty gap element prints as FRUS prints withheld text, so that the
 * portion shows it and scan_gaps() records it like the bracketed form. */
static void on_gap(tei *t)
{
    char ext[2 * TEI_ATTR + 8], q[TEI_ATTR], u[TEI_ATTR], text[2 * TEI_ATTR + 64];
    if (!xmlTextReaderIsEmptyElement(t->r)) return;
    if (!attr(t, "extent", NULL, ext) && attr(t, "quantity", NULL, q)) {
        if (!attr(t, "unit", NULL, u)) snprintf(u, sizeof u, "%s", "lines");
        snprintf(ext, sizeof ext, "%s %s", q, u);
    }
    if (ext[0])
        snprintf(text, sizeof text, "[%s of source text not declassified]", ext);
    else
        snprintf(text, sizeof text, "%s", "[text not declassified]");
    add_text(t, text, strlen(text));
}

/* The outermost persName closes: its flattened text joins doc->persons. */
static void end_person(tei *t)
{
    if (--t->person_depth > 0) return;
    size_t len = tb_trim(&t->person);
    dc_doc *d = t->doc;
    if (!d || len == 0 || !buf_ok(t, &t->person, "a person's name")) return;
    if (d->persons.n >= TEI_MAX_ITEMS) {
        fail(t, DC_LIMIT, "more than %d persons in one document", TEI_MAX_ITEMS);
        return;
    }
    if (dc_strv_add_unique(&d->persons, tb_str(&t->person))) { nomem(t); return; }
    /* persName corresp="#p_EDD1": the volume's list names the person */
    const char *name = t->person_ref[0] == '#' && t->h && t->h->person
                           ? t->h->person(t->h->ctx, d->collection, t->person_ref + 1)
                           : NULL;
    if (name && name[0] && dc_strv_add_unique(&d->persons, name)) nomem(t);
}

/* Elements that act wherever text is kept (body, title, notes). */
static void inline_actions(tei *t, int el, frame *f, int pcap)
{
    char v[TEI_ATTR], date[11];
    switch (el) {
    case EL_PB: on_pb(t, pcap); break;
    case EL_LB: add_space(t); break;
    case EL_REF: on_ref(t); break;
    case EL_GAP: on_gap(t); break;
    case EL_PERSNAME:
        if (t->doc) {
            f->flags |= FL_PERSON;
            if (t->person_depth++ == 0) {
                tb_clear(&t->person);
                if (!(t->h && t->h->person && attr(t, "corresp", NULL, t->person_ref)))
                    t->person_ref[0] = '\0';
            }
        }
        break;
    case EL_DATE:
        if (t->dateline_depth > 0 && t->doc && !t->doc->date && attr(t, "when", NULL, v) &&
            iso_date(v, date)) {
            set_str(t, &t->doc->date, date);
            set_str(t, &t->doc->date_source, "tei");
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

/* Inside the teiHeader only the volume id, the title and the creation date
 * are kept. */
static void header_start(tei *t, int el, frame *f, const frame *parent)
{
    char v[TEI_ATTR], date[11];
    if (el == EL_TITLESTMT) {
        f->flags |= FL_TITLESTMT;
    } else if (el == EL_PUBLICATIONSTMT) {
        f->flags |= FL_PUBSTMT;
    } else if (el == EL_TITLE && (parent->flags & FL_TITLESTMT)) {
        int complete = attr_is(t, "type", "complete");
        if (!t->hdr_title || (complete && !t->hdr_title_complete)) {
            f->kind = F_HDR_FIELD;
            f->cap = CAP_HDR_TITLE;
            if (complete) f->flags |= FL_COMPLETE;
            tb_clear(&t->hdr);
        }
    } else if (el == EL_IDNO && (parent->flags & FL_PUBSTMT) &&
               attr_is(t, "type", "frus") && !t->volume_id) {
        f->kind = F_HDR_FIELD;
        f->cap = CAP_HDR_IDNO;
        tb_clear(&t->hdr);
    } else if (el == EL_DATE && (parent->flags & FL_PUBSTMT) &&
               attr_is(t, "type", "created") && attr(t, "when", NULL, v) && iso_date(v, date)) {
        set_str(t, &t->hdr_created, date);
    }
}

/* Refuses a DOCTYPE that declares entities (general or parameter): the
 * ingester never expands or loads them, and a TEI record has no need. */
static void check_dtd(tei *t, xmlDtdPtr dtd)
{
    if (!dtd) return;
    int ents = (dtd->entities && xmlHashSize((xmlHashTablePtr)dtd->entities) > 0) ||
               (dtd->pentities && xmlHashSize((xmlHashTablePtr)dtd->pentities) > 0);
    for (xmlNodePtr c = dtd->children; c && !ents; c = c->next)
        if (c->type == XML_ENTITY_DECL) ents = 1;
    if (ents) fail(t, DC_PARSE, "DOCTYPE declares entities, which are refused");
}

/* The root element must be TEI in the TEI namespace (its xml:id is the
 * fallback volume id) or an event record, <event> in no namespace, which
 * is one whole-file document from the start.  The DTD is checked again here
 * in case the reader did not report it as a node. */
static void start_root(tei *t, const char *l, const char *ns)
{
    char v[TEI_ATTR];
    frame f = {0};
    int is_tei = ns && strcmp(ns, TEI_NS) == 0 && strcmp(l, "TEI") == 0;
    t->event = !ns && strcmp(l, "event") == 0;
    if (!is_tei && !t->event) {
        fail(t, DC_PARSE, "not a TEI document (root element %.64s in namespace %.128s)", l,
             ns ? ns : "(none)");
        return;
    }
    /* the node's document, not xmlTextReaderCurrentDoc(), which would make
     * the reader keep the whole tree */
    xmlNodePtr node = xmlTextReaderCurrentNode(t->r);
    if (node && node->doc) check_dtd(t, node->doc->intSubset);
    t->root_seen = 1;
    f.kind = F_ROOT;
    f.cap = CAP_SKIP;
    if (attr(t, "id", XML_NS, v)) set_str(t, &t->root_id, v);
    if (t->event && !t->rc) {
        if (!(t->doc = dc_doc_new())) { nomem(t); return; }
        t->fallback = 1;
    }
    push(t, &f);
}

/* A block opens (frame f, in parent): it will be one portion.  The first
 * block of an item or quote that has no text yet takes the item's kind;
 * otherwise the text before it ends. */
static void open_block(tei *t, frame *f, frame *parent, const char *bk)
{
    f->kind = F_BLOCK;
    f->bkind = bk;
    if (parent->kind == F_BLOCK && !parent->emitted && t->cur.b.len == 0) {
        if (strcmp(bk, "paragraph") == 0) f->bkind = parent->bkind;
        parent->emitted = 1;
    } else if (t->cur.b.len > 0) {
        flush(t, open_kind(t), 0);
    }
    t->last_close = 0; /* a note from here on is this block's */
}

/* A table cell opens in its row (parent): cells are joined by " | ". */
static void open_cell(tei *t, frame *parent)
{
    if (parent->cells++ > 0) {
        tb_space(&t->cur);
        cur_text(t, "| ", 2);
    }
}

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
static void event_start(tei *t, const char *l, const char *ns, frame *f, frame *parent)
{
    const char *bk;
    if (parent->kind == F_ROOT) {
        if (ns) return;
        if (strcmp(l, "title") == 0 && !t->hdr_title) {
            f->kind = F_HDR_FIELD;
            f->cap = CAP_HDR_TITLE;
            tb_clear(&t->hdr);
        } else if (strcmp(l, "event-date") == 0 && t->doc && !t->doc->date) {
            f->kind = F_HDR_FIELD;
            f->cap = CAP_HDR_DATE;
            tb_clear(&t->hdr);
        } else if (strcmp(l, "teaser") == 0 || strcmp(l, "full-description") == 0) {
            f->kind = F_CONTAINER;
            f->cap = CAP_BODY;
        }
        return;
    }
    if (f->cap != CAP_BODY || (ns && strcmp(ns, XHTML_NS) != 0)) return;
    if ((bk = xhtml_block_kind(l))) {
        open_block(t, f, parent, bk);
    } else if (xhtml_container(l)) {
        flush(t, open_kind(t), 0);
        f->kind = F_CONTAINER;
    } else if (strcmp(l, "br") == 0) {
        add_space(t);
    } else if ((strcmp(l, "td") == 0 || strcmp(l, "th") == 0) && parent->kind == F_BLOCK) {
        open_cell(t, parent);
    } else if (strcmp(l, "script") == 0 || strcmp(l, "style") == 0) {
        f->cap = CAP_SKIP;
    }
}


/* --- a volume's lists ----------------------------------------------------- */

/* The list a div is, when lists are asked for: xml:id "persons" or
 * "terms" (FRUS front matter), or NULL. */
static const char *list_kind_of(tei *t)
{
    char v[TEI_ATTR];
    if (!t->h || !t->h->list_item || !attr(t, "id", XML_NS, v)) return NULL;
    if (strcmp(v, "persons") == 0) return "persons";
    if (strcmp(v, "terms") == 0) return "terms";
    return NULL;
}

/* A list div opens: the text before it ends; the list's text is not part
 * of a whole-file document (one left with no text is dropped at the end:
 * the file held lists only). */
static void list_open(tei *t, frame *f, const char *kind)
{
    flush(t, open_kind(t), 0);
    f->kind = F_LIST;
    f->cap = CAP_LIST;
    t->list_kind = kind;
    t->litem_open = t->lname_open = t->lname_done = 0;
}

/* An element inside a list: an item starts an entry; its first persName
 * (persons) or term (terms) with an xml:id is the entry's name; the text
 * after the name is the description; notes are dropped. */
static void list_start(tei *t, int el, const char *l, frame *f)
{
    char v[TEI_ATTR];
    if (el == EL_ITEM && !t->litem_open) {
        f->kind = F_LITEM;
        t->litem_open = 1;
        t->lname_done = 0;
        t->lxml_id[0] = '\0';
        tb_clear(&t->lname);
        tb_clear(&t->ldesc);
    } else if (t->litem_open && !t->lname_done && !t->lname_open &&
               (strcmp(t->list_kind, "persons") == 0 ? el == EL_PERSNAME
                                                     : strcmp(l, "term") == 0) &&
               attr(t, "id", XML_NS, v)) {
        f->kind = F_LNAME;
        t->lname_open = 1;
        snprintf(t->lxml_id, sizeof t->lxml_id, "%s", v);
    } else if (el == EL_NOTE || el == EL_FW) {
        f->cap = CAP_SKIP;
    } else if (el == EL_LB) {
        add_space(t);
    }
}

/* An entry closes: its name and description (without the comma that
 * follows the name) go to the list callback. */
static void list_item_end(tei *t)
{
    t->litem_open = 0;
    if (!t->lname_done || !buf_ok(t, &t->lname, "a list entry's name") ||
        !buf_ok(t, &t->ldesc, "a list entry's description"))
        return;
    tb_trim(&t->lname);
    tb_trim(&t->ldesc);
    dc_buf *nb = &t->lname.b;
    while (nb->len > 0 && (nb->p[nb->len - 1] == ',' || nb->p[nb->len - 1] == ' '))
        nb->p[--nb->len] = '\0';
    const char *desc = tb_str(&t->ldesc);
    while (*desc == ',' || *desc == ';' || *desc == ':' || *desc == ' ') desc++;
    if (nb->len == 0) return;
    if (t->n_list_items >= TEI_MAX_ITEMS) {
        fail(t, DC_LIMIT, "more than %d entries in the lists of one file", TEI_MAX_ITEMS);
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
                           .name = tb_str(&t->lname), .description = desc,
                           .collection_from_name = !t->volume_id && !t->root_id};
    t->n_list_items++;
    dc_rc rc = t->h->list_item(t->h->ctx, &it);
    if (rc && !t->rc) {
        t->rc = rc;
        if (t->err && t->err->rc == DC_OK)
            dc_fail(t->err, rc, cur_line(t), "list entry %s not accepted: %s", t->lxml_id,
                    dc_strerror(rc));
    }
}

/*
 * An element opens: decides what it is (frame kind) and where its text
 * goes (capture), ends the text before it when it starts a new portion,
 * and pushes its frame.
 */
static void start_element(tei *t)
{
    const char *l = (const char *)xmlTextReaderConstLocalName(t->r);
    const char *ns = (const char *)xmlTextReaderConstNamespaceUri(t->r);
    if (!l) { nomem(t); return; }
    if (t->depth >= TEI_MAX_DEPTH) {
        fail(t, DC_LIMIT, "nesting deeper than %d elements", TEI_MAX_DEPTH);
        return;
    }
    if (!t->root_seen) { start_root(t, l, ns); return; }
    frame *parent = &t->st[t->depth - 1];
    int pcap = parent->cap;
    frame f = {0};
    f.cap = (unsigned char)pcap;
    if (t->event) {
        event_start(t, l, ns, &f, parent);
        { push(t, &f); return; }
    }
    int is_tei = ns && strcmp(ns, TEI_NS) == 0;
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
            if (!(t->doc = dc_doc_new())) { nomem(t); return; }
            t->fallback = 1;
            set_str(t, &t->doc->collection, t->volume_id ? t->volume_id : t->root_id);
        }
        { push(t, &f); return; }
    }
    if (pcap == CAP_SKIP || !ns) { push(t, &f); return; }
    if (pcap == CAP_LIST) {
        if (is_tei) list_start(t, el, l, &f);
        { push(t, &f); return; }
    }
    const char *lk;
    if (is_tei && el == EL_DIV && pcap == CAP_BODY && (!t->doc || t->fallback) &&
        (lk = list_kind_of(t)) != NULL) {
        list_open(t, &f, lk);
        { push(t, &f); return; }
    }
    if (!is_tei) {
        if (strcmp(ns, FRUS_NS) == 0 && strcmp(l, "attachment") == 0 && pcap == CAP_BODY) {
            flush(t, open_kind(t), 0);
            f.kind = F_CONTAINER;
        }
        { push(t, &f); return; }
    }
    inline_actions(t, el, &f, pcap);
    if (pcap != CAP_BODY) {
        /* in a title, note or label, structure flattens to spaced text */
        if (el == EL_NOTE && pcap == CAP_TITLE)
            on_note(t, &f, pcap);
        else if (block_kind(el) || is_container(el) || el == EL_HEAD)
            f.kind = F_SEP, add_space(t);
        { push(t, &f); return; }
    }
    const char *bk;
    if (el == EL_DIV && attr_is(t, "type", "document") && (t->fallback || !t->doc)) {
        doc_start(t);
        f.kind = F_DOCDIV;
    } else if (el == EL_HEAD && parent->kind == F_DOCDIV && !t->title_taken) {
        f.kind = F_TITLE;
        f.cap = CAP_TITLE;
        t->title_taken = 1;
        tb_clear(&t->title);
    } else if (el == EL_NOTE) {
        on_note(t, &f, pcap);
    } else if (el == EL_LABEL && (parent->flags & FL_LIST)) {
        f.kind = F_LABEL;
        f.cap = CAP_LABEL;
        tb_clear(&t->lab);
    } else if ((bk = block_kind(el)) || el == EL_HEAD ||
               (el == EL_QUOTE && attr_is(t, "rend", "blockquote")) ||
               (el == EL_BIBL && (parent->flags & FL_LISTBIBL))) {
        if (!bk) bk = el == EL_HEAD ? "heading" : el == EL_BIBL ? "item" : "paragraph";
        open_block(t, &f, parent, bk);
        if (el == EL_DATELINE) f.flags |= FL_DATELINE;
    } else if (is_container(el)) {
        flush(t, open_kind(t), 0);
        f.kind = F_CONTAINER;
        if (el == EL_LIST) f.flags |= FL_LIST;
        if (el == EL_LISTBIBL) f.flags |= FL_LISTBIBL;
    } else if (el == EL_CELL && parent->kind == F_BLOCK) {
        open_cell(t, parent);
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
static void end_element(tei *t)
{
    if (t->depth == 0) return;
    frame *f = &t->st[t->depth - 1];
    dc_doc *d = t->doc;
    char date[11];
    switch (f->kind) {
    case F_SEP: add_space(t); break;
    case F_HEADER: t->in_header = 0; break;
    case F_ROOT:
        /* an event record is one whole-file document, held until the end */
        if (t->event && d) {
            doc_finish(t);
            t->held = d;
            t->doc = NULL;
        }
        break;
    case F_TEXT:
        if (t->fallback && d && t->n_list_items > 0 && d->n_portions == 0 &&
            (flush(t, "paragraph", 0), d->n_portions == 0)) {
            dc_doc_free(d); /* a file of lists: no document */
            t->doc = NULL;
            t->fallback = 0;
        } else if (t->fallback && d) {
            doc_finish(t);
            t->held = d;
            t->doc = NULL;
        } else {
            flush(t, "paragraph", 0);
        }
        break;
    case F_DOCDIV: doc_end(t); break;
    case F_CONTAINER: flush(t, open_kind(t), 0); break;
    case F_BLOCK:
        if ((f->flags & FL_DATELINE) && d && !d->date && text_date(tb_str(&t->cur), date)) {
            set_str(t, &d->date, date);
            set_str(t, &d->date_source, "dateline");
        }
        flush(t, f->bkind, 1);
        break;
    case F_TITLE:
        if (d && buf_ok(t, &t->title, "the title") && tb_trim(&t->title) > 0) {
            const char *s = tb_str(&t->title);
            strip_number(&s);
            set_str(t, &d->title, s);
        }
        break;
    case F_SOURCE:
        if (d && buf_ok(t, &t->source, "the source note") && tb_trim(&t->source) > 0 &&
            !d->source_note) {
            set_str(t, &d->source_note, tb_str(&t->source));
            set_str(t, &d->source_note_n, t->source_n);
            if (t->source_in_title) set_str(t, &d->title_note, t->source_n);
        }
        break;
    case F_NOTE:
        if (d && buf_ok(t, &t->note, "the text of one note") && tb_trim(&t->note) > 0)
            set_str(t, &d->footnotes[t->note_fn].text, tb_str(&t->note));
        break;
    case F_LABEL:
        if (buf_ok(t, &t->lab, "a label") && tb_trim(&t->lab) > 0) {
            if (t->lab.b.p[t->lab.b.len - 1] == '.') t->lab.b.p[--t->lab.b.len] = '\0';
            set_str(t, &t->label, t->lab.b.len ? tb_str(&t->lab) : NULL);
        }
        break;
    case F_LIST: t->list_kind = NULL; break;
    case F_LITEM: list_item_end(t); break;
    case F_LNAME:
        t->lname_open = 0;
        t->lname_done = 1;
        break;
    case F_HDR_FIELD:
        if (buf_ok(t, &t->hdr, "a teiHeader field") && tb_trim(&t->hdr) > 0) {
            if (f->cap == CAP_HDR_IDNO) {
                set_str(t, &t->volume_id, tb_str(&t->hdr));
            } else if (f->cap == CAP_HDR_DATE) {
                if (d && iso_date(tb_str(&t->hdr), date)) {
                    set_str(t, &d->date, date);
                    set_str(t, &d->date_source, "tei");
                }
            } else {
                set_str(t, &t->hdr_title, tb_str(&t->hdr));
                if (f->flags & FL_COMPLETE) t->hdr_title_complete = 1;
            }
        }
        break;
    default: break;
    }
    if (f->flags & FL_PERSON) end_person(t);
    if (f->flags & FL_DATELINE) t->dateline_depth--;
    t->depth--;
}

/* The reader's loop: one node at a time, so memory stays bounded by the
 * deepest element and the largest document, never the whole file. */
static void run(tei *t)
{
    for (;;) {
        int ret = xmlTextReaderRead(t->r);
        if (t->xerr_set) { fail_xml(t); return; }
        if (ret < 0) { fail(t, DC_PARSE, "malformed XML"); return; }
        if (ret == 0) break;
        /* A text or CDATA node is handled the same whether it is blank or
         * not, so its type is read from the node: xmlTextReaderNodeType()
         * would scan it and walk its ancestors for xml:space to tell
         * TEXT from (SIGNIFICANT_)WHITESPACE. */
        xmlNodePtr cn = xmlTextReaderCurrentNode(t->r);
        int type = cn && (cn->type == XML_TEXT_NODE || cn->type == XML_CDATA_SECTION_NODE)
                       ? XML_READER_TYPE_TEXT
                       : xmlTextReaderNodeType(t->r);
        switch (type) {
        case XML_READER_TYPE_ELEMENT:
            start_element(t);
            if (!t->rc && xmlTextReaderIsEmptyElement(t->r)) end_element(t);
            break;
        case XML_READER_TYPE_END_ELEMENT: end_element(t); break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (t->root_seen && t->depth > 0) {
                const char *v = (const char *)xmlTextReaderConstValue(t->r);
                if (v) add_text(t, v, strlen(v));
            }
            break;
        case XML_READER_TYPE_ENTITY_REFERENCE: {
            const char *name = (const char *)xmlTextReaderConstName(t->r);
            fail(t, DC_PARSE, "undefined entity '%.64s'", name ? name : "?");
            break;
        }
        case XML_READER_TYPE_DOCUMENT_TYPE: {
            xmlNodePtr n = xmlTextReaderCurrentNode(t->r);
            check_dtd(t, n && n->type == XML_DTD_NODE ? (xmlDtdPtr)n : NULL);
            break;
        }
        default: break;
        }
        if (t->rc) return;
    }
    if (!t->root_seen) { fail(t, DC_PARSE, "empty document"); return; }
    if (t->depth > 0) { fail(t, DC_PARSE, "unexpected end of file"); return; }
    if (t->held) {
        dc_doc *h = t->held;
        t->held = NULL;
        deliver(t, h, t->n_delivered + 1, t->n_docdivs > 1, t->n_docdivs == 0);
    }
}

/* Frees the parser state, including documents not handed to the sink. */
static void tei_free(tei *t)
{
    dc_doc_free(t->doc);
    dc_doc_free(t->held);
    cur_reset(t);
    dc_buf_release(&t->cur.b);
    free(t->marks);
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
    free(t);
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
    tb_init(&t->cur, TEI_MAX_TEXT);
    tb_init(&t->note, TEI_MAX_TEXT);
    tb_init(&t->source, TEI_MAX_TEXT);
    tb_init(&t->title, TEI_MAX_TITLE);
    tb_init(&t->lab, TEI_MAX_TITLE);
    tb_init(&t->person, TEI_MAX_TITLE);
    tb_init(&t->hdr, TEI_MAX_TITLE);
    tb_init(&t->lname, TEI_MAX_TITLE);
    tb_init(&t->ldesc, TEI_MAX_TITLE);

    /* libxml2 reports through per-thread handlers that print to stderr by
     * default: capture instead, and put back the caller's afterwards. */
    xmlInitParser();
    xmlGenericErrorFunc old_generic = xmlGenericError;
    void *old_generic_ctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc old_structured = xmlStructuredError;
    void *old_structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, xml_generic_error);
    xmlSetStructuredErrorFunc(t, xml_error);

    /* No NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR/DTDVALID (no
     * DTD is read), NONET (no network even if something tried). */
    t->r = xmlReaderForFd(fd, NULL, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (!t->r) {
        fail_at(t, DC_NOMEM, 0, "cannot create an XML reader");
    } else {
        xmlTextReaderSetStructuredErrorHandler(t->r, xml_error, t);
        xmlTextReaderSetParserProp(t->r, XML_PARSER_SUBST_ENTITIES, 0);
        xmlTextReaderSetParserProp(t->r, XML_PARSER_LOADDTD, 0);
        xmlTextReaderSetParserProp(t->r, XML_PARSER_DEFAULTATTRS, 0);
        xmlTextReaderSetParserProp(t->r, XML_PARSER_VALIDATE, 0);
        run(t);
        xmlFreeTextReader(t->r);
        t->r = NULL;
    }
    close(fd);
    xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
    xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
    dc_rc rc = t->rc;
    tei_free(t);
    return rc;
}
