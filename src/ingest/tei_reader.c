/*
 * TEI ingest, the libxml2 edge: libxml2's push parser with SAX2 callbacks
 * over a file descriptor, run without entity substitution, DTD loading,
 * default attributes, validation or network access; libxml2's messages
 * captured (never printed) and translated into dc_rc values with the line;
 * attribute access; the text buffers that collapse XML whitespace.  The
 * only file of the ingester that includes libxml2: the mapping (tei.c and
 * the other tei_*.c files) sees nodes through the dc_tei_* calls of
 * ingest_int.h.
 *
 * SAX, not the xmlTextReader: the reader built a node for every element,
 * attribute and text and freed it again, which was most of the parse's
 * time; the callbacks give the same events (libxml2's reader is itself
 * built on them) without a tree.
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
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

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
    X(xmlCreatePushParserCtxt, xmlParserCtxtPtr,                                             \
      (xmlSAXHandlerPtr, void *, const char *, int, const char *))                           \
    X(xmlCtxtUseOptions, int, (xmlParserCtxtPtr, int))                                       \
    X(xmlParseChunk, int, (xmlParserCtxtPtr, const char *, int, int))                        \
    X(xmlStopParser, void, (xmlParserCtxtPtr))                                               \
    X(xmlFreeParserCtxt, void, (xmlParserCtxtPtr))                                           \
    X(xmlFreeDoc, void, (xmlDocPtr))                                                         \
    X(xmlValidateNCName, int, (const xmlChar *, int))

static struct {
#define XML_FIELD(name, ret, params) ret(*name) params;
    XML_FUNCTIONS(XML_FIELD)
#undef XML_FIELD
    char error[256];      /* why loading failed, or "" */
} xml;
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

#ifdef DC_XML_LINKED
/* A command line linked statically has libxml2 in it (start-up pays for
 * nothing it does not touch): the table is filled from the linked names. */
static void xml_load(void)
{
#define XML_LINK(name, ret, params) xml.name = name;
    XML_FUNCTIONS(XML_LINK)
#undef XML_LINK
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
    }
    if (!h)
        snprintf(xml.error, sizeof xml.error, "cannot load %s: %s", XML_SONAME, dlerror());
    else if (missing)
        snprintf(xml.error, sizeof xml.error, "%s has no %s", XML_SONAME, missing);
}
#endif

/* From here on, libxml2's names are the loaded ones. */
#undef xmlGenericError
#undef xmlGenericErrorContext
#undef xmlStructuredError
#undef xmlStructuredErrorContext
#define xmlGenericError (*xml.__xmlGenericError())
#define xmlGenericErrorContext (*xml.__xmlGenericErrorContext())
#define xmlStructuredError (*xml.__xmlStructuredError())
#define xmlStructuredErrorContext (*xml.__xmlStructuredErrorContext())
#define xmlInitParser xml.xmlInitParser
#define xmlSetGenericErrorFunc xml.xmlSetGenericErrorFunc
#define xmlSetStructuredErrorFunc xml.xmlSetStructuredErrorFunc
#define xmlCreatePushParserCtxt xml.xmlCreatePushParserCtxt
#define xmlCtxtUseOptions xml.xmlCtxtUseOptions
#define xmlParseChunk xml.xmlParseChunk
#define xmlStopParser xml.xmlStopParser
#define xmlFreeParserCtxt xml.xmlFreeParserCtxt
#define xmlFreeDoc xml.xmlFreeDoc
#define xmlValidateNCName xml.xmlValidateNCName

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
 * is never longer) and they are collapsed into it: sixteen bytes (SSE2)
 * or eight at a time are copied as they are while they hold no byte below
 * 0x20 (tab, newline, return) and no space that follows a space;
 * otherwise one byte is copied, or a run of whitespace becomes one space.
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
        if (!dc_buf_room(b, n)) return;
        char *w = b->p + start;
        unsigned space = start == 0 || b->p[start - 1] == ' ' || b->p[start - 1] == '\n';
        for (size_t i = 0; i < n;) {
#ifdef __SSE2__
            /* sixteen bytes at a time, the same test */
            if (i + 16 <= n && !(space && s[i] == ' ')) {
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
                __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
                __m128i sp = _mm_cmpeq_epi8(x, _mm_set1_epi8(' '));
                __m128i twice = _mm_and_si128(sp, _mm_slli_si128(sp, 1));
                if (!_mm_movemask_epi8(_mm_or_si128(ctl, twice))) {
                    _mm_storeu_si128((__m128i *)(void *)w, x);
                    w += 16;
                    space = s[i + 15] == ' ';
                    i += 16;
                    continue;
                }
            }
#endif
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
    return t->xml && t->node_line > 0 ? t->node_line : 1;
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
 * Copies attribute `name` (in namespace ns, or none) of the element that
 * starts into out (capped, trimmed); returns 1 if present and non-empty.
 * Attributes come as libxml2's SAX2 gives them: local name, prefix,
 * namespace, value and its end, the ones an ATTLIST of the DOCTYPE
 * defaults among them (as xmlGetProp() gave them).  Without entity
 * substitution libxml2 keeps an '&' of a value (written &amp; or &#38;)
 * as "&#38;", to be read back as '&'; no other reference is left in a
 * value (entity declarations are refused).
 */
int dc_tei_attr(tei *t, const char *name, const char *ns, char *out)
{
    out[0] = '\0';
    for (int i = 0; i < t->el_nattrs; i++) {
        const char **a = t->el_attrs + 5 * i;
        if (strcmp(a[0], name) != 0) continue;
        if (ns ? !a[2] || strcmp(a[2], ns) != 0 : a[2] != NULL) continue;
        const char *s = a[3], *end = a[4];
        while (s < end && dc_tei_is_space(*s)) s++;
        while (end > s && dc_tei_is_space(end[-1])) end--;
        size_t n = 0;
        while (s < end && n < TEI_ATTR - 1) {
            if (*s == '&' && end - s >= 5 && memcmp(s, "&#38;", 5) == 0) {
                out[n++] = '&';
                s += 5;
            } else {
                out[n++] = *s++;
            }
        }
        out[n] = '\0';
        return n > 0;
    }
    return 0;
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

/* --- the parser's callbacks ---------------------------------------------- */

static long cur_line(const tei *t)
{
    return t->xml->input ? t->xml->input->line : 0;
}

/* Stops the parse once the mapping has failed: no more callbacks. */
static void stop_on_failure(tei *t)
{
    if (t->rc) xmlStopParser(t->xml);
}

/* Whether an event is to be handled: not after a failure, nor after an
 * error of libxml2's (reported once the chunk is parsed, as the first
 * failure: fail_xml). */
static int live(const tei *t)
{
    return !t->rc && !t->xerr_set;
}

/* An xml:id must be an NCName ("d12", not "d 12" or "a&b"), as libxml2's
 * tree builder checked it: a document's local id comes from it. */
static void check_xml_ids(tei *t, const xmlChar **attrs, int n)
{
    for (int i = 0; i < n && !t->rc; i++) {
        const xmlChar **a = attrs + 5 * i;
        if (!a[2] || strcmp((const char *)a[0], "id") != 0 ||
            strcmp((const char *)a[2], DC_XML_NS) != 0)
            continue;
        char *v = dc_strndup((const char *)a[3], (size_t)(a[4] - a[3]));
        if (!v) {
            dc_tei_nomem(t);
            return;
        }
        if (xmlValidateNCName((const xmlChar *)v, 1) != 0)
            dc_tei_fail(t, DC_PARSE, "malformed XML: xml:id : attribute value %.100s is not an NCName",
                        v);
        free(v);
    }
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                     int n_ns, const xmlChar **nss, int n_attrs, int n_defaulted,
                     const xmlChar **attrs)
{
    (void)prefix;
    (void)n_ns;
    (void)nss;
    (void)n_defaulted;
    tei *t = ctx;
    /* a start tag libxml2 is about to refuse ("Couldn't find end of Start
     * Tag"): it stands on neither its ">" nor its "/>" */
    const xmlChar *cur = t->xml->input ? t->xml->input->cur : NULL;
    if (!live(t) || !cur || !(cur[0] == '>' || (cur[0] == '/' && cur[1] == '>'))) return;
    t->node_line = cur_line(t);
    if (t->xdepth <= TEI_MAX_DEPTH) t->el_line[t->xdepth] = t->node_line;
    t->xdepth++;
    t->el_name = (const char *)local;
    t->el_ns = (const char *)uri;
    t->el_attrs = (const char **)attrs;
    t->el_nattrs = n_attrs;
    /* an empty-element tag: the parser stands on its "/>" (as libxml2's
     * reader tells it) */
    t->el_empty = cur[0] == '/';
    check_xml_ids(t, (const xmlChar **)attrs, n_attrs);
    if (!t->rc) dc_tei_start_element(t);
    t->el_attrs = NULL;
    t->el_nattrs = 0;
    stop_on_failure(t);
}

static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    (void)local;
    (void)prefix;
    (void)uri;
    tei *t = ctx;
    if (!live(t)) return;
    if (t->xdepth > 0 && --t->xdepth <= TEI_MAX_DEPTH) t->node_line = t->el_line[t->xdepth];
    dc_tei_end_element(t);
    stop_on_failure(t);
}

/* Text and CDATA alike, in as many pieces as libxml2 gives ("a &amp; b"
 * is three): the mapping's buffers join them. */
static void on_text(void *ctx, const xmlChar *s, int n)
{
    tei *t = ctx;
    if (!live(t) || !t->root_seen || t->depth == 0 || n <= 0) return;
    t->node_line = cur_line(t);
    dc_tei_add_text(t, (const char *)s, (size_t)n);
    stop_on_failure(t);
}

/* A DOCTYPE that declares entities (general, parameter or unparsed) is
 * refused as it is read: the ingester never expands or loads them, and a
 * TEI record has no need. */
static void refuse_entities(tei *t)
{
    if (!live(t)) return;
    t->node_line = cur_line(t);
    dc_tei_fail(t, DC_PARSE, "DOCTYPE declares entities, which are refused");
    stop_on_failure(t);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    refuse_entities(ctx);
}

static void on_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
                                    const xmlChar *system_id, const xmlChar *notation)
{
    (void)name;
    (void)public_id;
    (void)system_id;
    (void)notation;
    refuse_entities(ctx);
}

/* --- the parse ----------------------------------------------------------- */

#define XML_CHUNK 65536

/* Feeds the file to the parser a chunk at a time, so that memory stays
 * bounded by the deepest element and the largest document, never the
 * whole file.  Stops at the first error (t->rc). */
static void run(tei *t, int fd)
{
    char *buf = malloc(XML_CHUNK);
    if (!buf) { dc_tei_nomem(t); return; }
    for (;;) {
        ssize_t n = read(fd, buf, XML_CHUNK);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            dc_tei_fail_at(t, DC_IO, 0, "cannot read: %s", strerror(errno));
            break;
        }
        xmlParseChunk(t->xml, buf, (int)n, n == 0);
        if (t->rc) break;
        if (t->xerr_set) { fail_xml(t); break; }
        if (n == 0) break;
    }
    free(buf);
}

/* See ingest_int.h. */
const char *dc_tei_name(tei *t, const char **ns)
{
    *ns = t->el_ns;
    return t->el_name;
}

int dc_tei_is_empty(tei *t) { return t->el_empty; }

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

    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = on_text;
    sax.entityDecl = on_entity_decl;
    sax.unparsedEntityDecl = on_unparsed_entity_decl;
    sax.serror = xml_error;
    t->xml = xmlCreatePushParserCtxt(&sax, t, NULL, 0, NULL);
    if (!t->xml) {
        dc_tei_fail_at(t, DC_NOMEM, 0, "cannot create an XML parser");
    } else {
        /* No NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR/DTDVALID
         * (no DTD is read), NONET (no network even if something tried). */
        xmlCtxtUseOptions(t->xml, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
        run(t, fd);
        /* what the parser built by itself for a DOCTYPE (its declarations) */
        if (t->xml->myDoc) xmlFreeDoc(t->xml->myDoc);
        t->xml->myDoc = NULL;
        xmlFreeParserCtxt(t->xml);
        t->xml = NULL;
    }
    xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
    xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
}
