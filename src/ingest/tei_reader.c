/*
 * TEI ingest, the libxml2 edge: the xmlTextReader over a file descriptor,
 * run without entity substitution, DTD loading, default attributes,
 * validation or network access; libxml2's messages captured (never
 * printed) and translated into dc_rc values with the line; attribute
 * access; the text buffers that collapse XML whitespace.  The only file of
 * the ingester that includes libxml2: the mapping (tei.c and the other
 * tei_*.c files) sees nodes through the dc_tei_* calls of ingest_int.h.
 *
 * libxml2 is loaded when the first TEI file is read (dlopen), not linked:
 * with the ICU and C++ libraries it brings, linking it cost every command
 * about 2 ms of start-up (more than sqlite3 --version takes in all), and
 * only TEI ingest uses it.  Its types come from its headers as before; its
 * functions and variables come through the table `xml`, under their own
 * names (the #defines after the headers), so the code below reads as plain
 * libxml2.
 */
#include "ingest/ingest_int.h"

#ifndef DC_XML_LINKED
#include <dlfcn.h>
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "util/util_int.h"
#include "util/banned.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *tei_xml_error;
#else
typedef xmlError *tei_xml_error;
#endif

/* --- libxml2, loaded on first use ----------------------------------------- */

#define XML_SONAME "libxml2.so.2"

/* X(name, return type, parameters): every libxml2 function used here. */
#define XML_FUNCTIONS(X)                                                                     \
    X(xmlInitParser, void, (void))                                                           \
    X(xmlSetGenericErrorFunc, void, (void *, xmlGenericErrorFunc))                           \
    X(xmlSetStructuredErrorFunc, void, (void *, xmlStructuredErrorFunc))                     \
    X(__xmlGenericError, xmlGenericErrorFunc *, (void))                                      \
    X(__xmlGenericErrorContext, void **, (void))                                             \
    X(__xmlStructuredError, xmlStructuredErrorFunc *, (void))                                \
    X(__xmlStructuredErrorContext, void **, (void))                                          \
    X(xmlReaderForFd, xmlTextReaderPtr, (int, const char *, const char *, int))              \
    X(xmlFreeTextReader, void, (xmlTextReaderPtr))                                           \
    X(xmlTextReaderRead, int, (xmlTextReaderPtr))                                            \
    X(xmlTextReaderNodeType, int, (xmlTextReaderPtr))                                        \
    X(xmlTextReaderIsEmptyElement, int, (xmlTextReaderPtr))                                  \
    X(xmlTextReaderConstValue, const xmlChar *, (xmlTextReaderPtr))                          \
    X(xmlTextReaderConstName, const xmlChar *, (xmlTextReaderPtr))                           \
    X(xmlTextReaderConstLocalName, const xmlChar *, (xmlTextReaderPtr))                      \
    X(xmlTextReaderConstNamespaceUri, const xmlChar *, (xmlTextReaderPtr))                   \
    X(xmlTextReaderCurrentNode, xmlNodePtr, (xmlTextReaderPtr))                              \
    X(xmlTextReaderGetAttribute, xmlChar *, (xmlTextReaderPtr, const xmlChar *))             \
    X(xmlTextReaderGetAttributeNs, xmlChar *,                                                \
      (xmlTextReaderPtr, const xmlChar *, const xmlChar *))                                  \
    X(xmlTextReaderGetParserLineNumber, int, (xmlTextReaderPtr))                             \
    X(xmlTextReaderSetParserProp, int, (xmlTextReaderPtr, int, int))                         \
    X(xmlTextReaderSetStructuredErrorHandler, void,                                          \
      (xmlTextReaderPtr, xmlStructuredErrorFunc, void *))                                    \
    X(xmlGetLineNo, long, (const xmlNode *))                                                 \
    X(xmlHashSize, int, (xmlHashTablePtr))

static struct {
#define XML_FIELD(name, ret, params) ret(*name) params;
    XML_FUNCTIONS(XML_FIELD)
#undef XML_FIELD
    xmlFreeFunc *free_fn; /* the variable xmlFree */
    char error[256];      /* why loading failed, or "" */
} xml;
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

#ifdef DC_XML_LINKED
/* A command line linked statically has libxml2 in it (start-up pays for
 * nothing it does not touch): the table is filled from the linked names.
 * xmlFree is the global variable itself, as dlsym finds it (the header's
 * macro would give the calling thread's copy). */
#undef xmlFree
extern xmlFreeFunc xmlFree;
static void xml_load(void)
{
#define XML_LINK(name, ret, params) xml.name = name;
    XML_FUNCTIONS(XML_LINK)
#undef XML_LINK
    xml.free_fn = &xmlFree;
}
#else
static void xml_load(void)
{
    void *h = dlopen(XML_SONAME, RTLD_NOW | RTLD_LOCAL);
    const char *missing = NULL;
    if (h) {
        /* ISO C has no cast between object and function pointers; POSIX
         * dlsym needs one, made through memcpy. */
#define XML_LOAD(name, ret, params)                                                          \
    {                                                                                        \
        void *p = dlsym(h, #name);                                                           \
        if (!p && !missing) missing = #name;                                                 \
        memcpy(&xml.name, &p, sizeof p);                                                     \
    }
        XML_FUNCTIONS(XML_LOAD)
#undef XML_LOAD
        xml.free_fn = dlsym(h, "xmlFree");
        if (!xml.free_fn && !missing) missing = "xmlFree";
    }
    if (!h)
        snprintf(xml.error, sizeof xml.error, "cannot load %s: %s", XML_SONAME, dlerror());
    else if (missing)
        snprintf(xml.error, sizeof xml.error, "%s has no %s", XML_SONAME, missing);
}
#endif

/* From here on, libxml2's names are the loaded ones. */
#undef xmlFree
#undef xmlGenericError
#undef xmlGenericErrorContext
#undef xmlStructuredError
#undef xmlStructuredErrorContext
#define xmlFree (*xml.free_fn)
#define xmlGenericError (*xml.__xmlGenericError())
#define xmlGenericErrorContext (*xml.__xmlGenericErrorContext())
#define xmlStructuredError (*xml.__xmlStructuredError())
#define xmlStructuredErrorContext (*xml.__xmlStructuredErrorContext())
#define xmlInitParser xml.xmlInitParser
#define xmlSetGenericErrorFunc xml.xmlSetGenericErrorFunc
#define xmlSetStructuredErrorFunc xml.xmlSetStructuredErrorFunc
#define xmlReaderForFd xml.xmlReaderForFd
#define xmlFreeTextReader xml.xmlFreeTextReader
#define xmlTextReaderRead xml.xmlTextReaderRead
#define xmlTextReaderNodeType xml.xmlTextReaderNodeType
#define xmlTextReaderIsEmptyElement xml.xmlTextReaderIsEmptyElement
#define xmlTextReaderConstValue xml.xmlTextReaderConstValue
#define xmlTextReaderConstName xml.xmlTextReaderConstName
#define xmlTextReaderConstLocalName xml.xmlTextReaderConstLocalName
#define xmlTextReaderConstNamespaceUri xml.xmlTextReaderConstNamespaceUri
#define xmlTextReaderCurrentNode xml.xmlTextReaderCurrentNode
#define xmlTextReaderGetAttribute xml.xmlTextReaderGetAttribute
#define xmlTextReaderGetAttributeNs xml.xmlTextReaderGetAttributeNs
#define xmlTextReaderGetParserLineNumber xml.xmlTextReaderGetParserLineNumber
#define xmlTextReaderSetParserProp xml.xmlTextReaderSetParserProp
#define xmlTextReaderSetStructuredErrorHandler xml.xmlTextReaderSetStructuredErrorHandler
#define xmlGetLineNo xml.xmlGetLineNo
#define xmlHashSize xml.xmlHashSize

/* --- text accumulation with whitespace collapsing ----------------------- */

/* dc_tei_is_space() as a table, for the branch-free loop of dc_tb_add(). */
static const unsigned char xml_space[256] = {[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1};

void dc_tb_init(tbuf *t, size_t limit) { dc_buf_init(&t->b, limit); }

void dc_tb_clear(tbuf *t)
{
    dc_buf_reset(&t->b);
}

void dc_tb_space(tbuf *t)
{
    if (t->b.len > 0 && t->b.p[t->b.len - 1] != ' ' && t->b.p[t->b.len - 1] != '\n')
        dc_buf_putc(&t->b, ' ');
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
void dc_tb_add(tbuf *t, const char *s, size_t n)
{
    dc_buf *b = &t->b;
    if (n == 0 || b->rc) return;
    if (b->len + n <= b->limit) {
        const uint64_t ones = 0x0101010101010101ull;
        size_t start = b->len;
        dc_buf_add(b, s, n);
        if (b->rc) return;
        char *w = b->p + start;
        unsigned space = start == 0 || b->p[start - 1] == ' ' || b->p[start - 1] == '\n';
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
        if (dc_tei_is_space(s[i])) {
            dc_tb_space(t);
            while (i < n && dc_tei_is_space(s[i])) i++;
            continue;
        }
        size_t j = i;
        while (j < n && !dc_tei_is_space(s[j])) j++;
        dc_buf_add(&t->b, s + i, j - i);
        i = j;
    }
}

size_t dc_tb_trim(tbuf *t)
{
    while (t->b.len > 0 && (t->b.p[t->b.len - 1] == ' ' || t->b.p[t->b.len - 1] == '\n'))
        t->b.p[--t->b.len] = '\0';
    return t->b.len;
}

const char *dc_tb_str(const tbuf *t) { return t->b.p ? t->b.p : ""; }

/* --- errors -------------------------------------------------------------- */

long dc_tei_line(tei *t)
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
void dc_tei_fail_at(tei *t, dc_rc rc, long line, const char *fmt, ...)
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

void dc_tei_nomem(tei *t) { dc_tei_fail_at(t, DC_NOMEM, 0, "out of memory"); }

/* Checks a buffer's sticky error; `what` names it in the message. */
int dc_tei_buf_ok(tei *t, const tbuf *b, const char *what)
{
    if (!b->b.rc) return 1;
    if (b->b.rc == DC_LIMIT)
        dc_tei_fail(t, DC_LIMIT, "%s longer than %zu bytes", what, b->b.limit);
    else
        dc_tei_nomem(t);
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
    long line = t->xerr_line > 0 ? t->xerr_line : dc_tei_line(t);
    int c = t->xerr_code;
    if (strstr(t->xerr_msg, "Excessive depth")) {
        dc_tei_fail_at(t, DC_LIMIT, line, "nesting deeper than %d elements", TEI_MAX_DEPTH);
    } else if (c == XML_ERR_UNDECLARED_ENTITY || c == XML_WAR_UNDECLARED_ENTITY) {
        dc_tei_fail_at(t, DC_PARSE, line, "undefined entity '%s'", t->xerr_name);
    } else if (c == XML_ERR_ENTITY_LOOP) {
        /* the error's own line is inside the entity's text */
        dc_tei_fail_at(t, DC_PARSE, dc_tei_line(t), "entity expansion refused (%s)", t->xerr_msg);
    } else if (c == XML_ERR_NO_MEMORY) {
        dc_tei_nomem(t);
    } else if (c == XML_ERR_DOCUMENT_END && t->xerr_open) {
        dc_tei_fail_at(t, DC_PARSE, line, "unexpected end of file: element '%s' is not closed",
                t->xerr_elem);
    } else if (c == XML_ERR_DOCUMENT_END && t->xerr_epilog) {
        dc_tei_fail_at(t, DC_PARSE, line, "content after the end of the root element");
    } else if (c == XML_ERR_DOCUMENT_END || c == XML_ERR_DOCUMENT_EMPTY) {
        dc_tei_fail_at(t, DC_PARSE, line, "no root element (not an XML document)");
    } else {
        dc_tei_fail_at(t, DC_PARSE, line, "malformed XML: %s",
                t->xerr_msg[0] ? t->xerr_msg : "parse error");
    }
}

/* --- attributes ---------------------------------------------------------- */

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
int dc_tei_attr(tei *t, const char *name, const char *ns, char *out)
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
    while (dc_tei_is_space(*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && dc_tei_is_space(s[n - 1])) n--;
    if (n >= TEI_ATTR) n = TEI_ATTR - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    xmlFree(v);
    return n > 0;
}

int dc_tei_attr_is(tei *t, const char *name, const char *value)
{
    char v[TEI_ATTR];
    return dc_tei_attr(t, name, NULL, v) && strcmp(v, value) == 0;
}

void dc_tei_set_str(tei *t, char **field, const char *value)
{
    if (dc_str_set(field, value)) dc_tei_nomem(t);
}

/* --- the reader ---------------------------------------------------------- */

/* Refuses a DOCTYPE that declares entities (general or parameter): the
 * ingester never expands or loads them, and a TEI record has no need. */
static void check_dtd(tei *t, xmlDtdPtr dtd)
{
    if (!dtd) return;
    int ents = (dtd->entities && xmlHashSize((xmlHashTablePtr)dtd->entities) > 0) ||
               (dtd->pentities && xmlHashSize((xmlHashTablePtr)dtd->pentities) > 0);
    for (xmlNodePtr c = dtd->children; c && !ents; c = c->next)
        if (c->type == XML_ENTITY_DECL) ents = 1;
    if (ents) dc_tei_fail(t, DC_PARSE, "DOCTYPE declares entities, which are refused");
}

/* The reader's loop: one node at a time, so memory stays bounded by the
 * deepest element and the largest document, never the whole file.  Stops
 * at the first error (t->rc). */
static void run(tei *t)
{
    for (;;) {
        int ret = xmlTextReaderRead(t->r);
        if (t->xerr_set) { fail_xml(t); return; }
        if (ret < 0) { dc_tei_fail(t, DC_PARSE, "malformed XML"); return; }
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
            dc_tei_start_element(t);
            if (!t->rc && xmlTextReaderIsEmptyElement(t->r)) dc_tei_end_element(t);
            break;
        case XML_READER_TYPE_END_ELEMENT: dc_tei_end_element(t); break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (t->root_seen && t->depth > 0) {
                const char *v = (const char *)xmlTextReaderConstValue(t->r);
                if (v) dc_tei_add_text(t, v, strlen(v));
            }
            break;
        case XML_READER_TYPE_ENTITY_REFERENCE: {
            const char *name = (const char *)xmlTextReaderConstName(t->r);
            dc_tei_fail(t, DC_PARSE, "undefined entity '%.64s'", name ? name : "?");
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
}

/* See ingest_int.h. */
void dc_tei_check_doc_dtd(tei *t)
{
    /* the node's document, not xmlTextReaderCurrentDoc(), which would make
     * the reader keep the whole tree */
    xmlNodePtr node = xmlTextReaderCurrentNode(t->r);
    if (node && node->doc) check_dtd(t, node->doc->intSubset);
}

const char *dc_tei_name(tei *t, const char **ns)
{
    *ns = (const char *)xmlTextReaderConstNamespaceUri(t->r);
    return (const char *)xmlTextReaderConstLocalName(t->r);
}

int dc_tei_is_empty(tei *t) { return xmlTextReaderIsEmptyElement(t->r) != 0; }

/*
 * See ingest_int.h.  libxml2 reports through per-thread handlers that
 * print to stderr by default: they capture instead while the file is read,
 * and the caller's are put back afterwards.
 */
void dc_tei_read(tei *t, int fd)
{
    pthread_once(&xml_once, xml_load);
    if (xml.error[0]) {
        dc_tei_fail_at(t, DC_IO, 0, "TEI needs libxml2: %s", xml.error);
        return;
    }
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
        dc_tei_fail_at(t, DC_NOMEM, 0, "cannot create an XML reader");
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
    xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
    xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
}
