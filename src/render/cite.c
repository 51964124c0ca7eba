/*
 * Renderers: citations of a document — Chicago (the form the Office of the
 * Historian recommends for FRUS), BibTeX and RIS.  Only what the document
 * knows is cited: a FRUS document (one with a volume title) by volume and
 * document number, with its history.state.gov address; any other by
 * title, date, number and its place in declass.  Nothing is invented
 * (editors and the publication year are not in the model).
 */
#include <string.h>

#include "render/render.h"
#include "util/util_int.h"
#include "util/banned.h"

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* "July 1, 1959", "July 1959", "1959"; "n.d." for no date; an unparsable
 * date as it is stored. */
static void put_date(dc_buf *out, const char *date)
{
    int y, m, d;
    if (!date || !*date)
        dc_buf_puts(out, "n.d.");
    else if (!dc_date_parse(date, strlen(date), &y, &m, &d))
        dc_buf_puts(out, date);
    else if (d)
        dc_buf_printf(out, "%s %d, %04d", dc_month_name(m), d, y);
    else if (m)
        dc_buf_printf(out, "%s %04d", dc_month_name(m), y);
    else
        dc_buf_printf(out, "%04d", y);
}

static int safe_chars(const char *s)
{
    if (!s || !*s) return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* Whether doc is a FRUS document with an address on history.state.gov:
 * a volume title from the TEI header, a FRUS volume id as collection and
 * a "dN" local id. */
static int frus_url_ok(const dc_doc *doc)
{
    return doc->volume_title && doc->collection && doc->local_id &&
           strncmp(doc->collection, "frus", 4) == 0 && safe_chars(doc->collection) &&
           doc->local_id[0] == 'd' && doc->local_id[1] &&
           is_digits(doc->local_id + 1, strlen(doc->local_id + 1));
}

static void put_frus_url(dc_buf *out, const dc_doc *doc)
{
    dc_buf_printf(out, "https://history.state.gov/historicaldocuments/%s/%s", doc->collection,
                  doc->local_id);
}

/* Copies s to out with every run of whitespace (newlines included) made
 * one space and control characters dropped (a citation is one line),
 * each kept character through put (NULL: as it is; it returns how many
 * more bytes of s it consumed). */
static void put_clean(dc_buf *out, const char *s, size_t (*put)(dc_buf *, const char *))
{
    int sp = 0, any = 0;
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            sp = 1;
            continue;
        }
        if (c < 0x20 || c == 0x7f) continue;
        if (sp && any) dc_buf_putc(out, ' ');
        sp = 0;
        any = 1;
        if (put)
            s += put(out, s);
        else
            dc_buf_putc(out, (char)c);
    }
}

static void put_line(dc_buf *out, const char *s) { put_clean(out, s, NULL); }

dc_rc dc_render_cite(const dc_doc *doc, dc_buf *out)
{
    if (!doc || !out) return DC_MISUSE;
    if (doc->volume_title) {
        /* The Office of the Historian's form: Volume title, Document N. */
        put_line(out, doc->volume_title);
        if (doc->number) {
            dc_buf_puts(out, ", Document ");
            put_line(out, doc->number);
        } else {
            dc_buf_puts(out, ", \"");
            put_line(out, doc->title ? doc->title : "Untitled document");
            dc_buf_puts(out, "\"");
        }
        if (frus_url_ok(doc)) {
            dc_buf_puts(out, ", ");
            put_frus_url(out, doc);
        }
        dc_buf_puts(out, ".\n");
        return out->rc;
    }
    /* Anything else: "Title," date, Document N, collection C, declass
     * record ID. */
    dc_buf_putc(out, '"');
    size_t t0 = out->len;
    put_line(out, doc->title && *doc->title ? doc->title : "Untitled document");
    char last = out->len > t0 ? out->p[out->len - 1] : ' ';
    if (last != '?' && last != '!') dc_buf_putc(out, ',');
    dc_buf_puts(out, "\" ");
    put_date(out, doc->date);
    if (doc->number) {
        dc_buf_puts(out, ", Document ");
        put_line(out, doc->number);
    }
    if (doc->collection) {
        dc_buf_puts(out, ", collection ");
        put_line(out, doc->collection);
    }
    if (doc->id) {
        dc_buf_puts(out, ", declass record ");
        put_line(out, doc->id);
    }
    dc_buf_puts(out, ".\n");
    return out->rc;
}

/* ---- BibTeX ------------------------------------------------------------ */

/* One character of a BibTeX value at s: LaTeX's special characters
 * escaped, en and em dashes as "--" / "---". */
static size_t bib_char(dc_buf *out, const char *s)
{
    unsigned char c = (unsigned char)*s;
    if (c == 0xe2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0x93 || (unsigned char)s[2] == 0x94)) {
        dc_buf_puts(out, (unsigned char)s[2] == 0x93 ? "--" : "---");
        return 2;
    }
    switch (c) {
    case '\\': dc_buf_puts(out, "\\textbackslash{}"); break;
    case '{': dc_buf_puts(out, "\\{"); break;
    case '}': dc_buf_puts(out, "\\}"); break;
    case '~': dc_buf_puts(out, "\\textasciitilde{}"); break;
    case '^': dc_buf_puts(out, "\\textasciicircum{}"); break;
    case '&':
    case '%':
    case '$':
    case '#':
    case '_':
        dc_buf_putc(out, '\\');
        dc_buf_putc(out, (char)c);
        break;
    default: dc_buf_putc(out, (char)c);
    }
    return 0;
}

/* A BibTeX value: whitespace runs as one space, characters escaped. */
static void bib_value(dc_buf *out, const char *s) { put_clean(out, s, bib_char); }

static void bib_field(dc_buf *out, const char *name, const char *value)
{
    dc_buf_printf(out, ",\n  %s = {", name);
    bib_value(out, value);
    dc_buf_putc(out, '}');
}

/* The entry key: the id with "/" as ":" and anything but letters, digits,
 * "-", "_", "." and ":" as "_". */
static void bib_key(dc_buf *out, const char *id)
{
    if (!id || !*id) {
        dc_buf_puts(out, "declass");
        return;
    }
    for (; *id; id++) {
        char c = *id;
        if (c == '/')
            c = ':';
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.'))
            c = '_';
        dc_buf_putc(out, c);
    }
}

dc_rc dc_render_bibtex(const dc_doc *doc, dc_buf *out)
{
    if (!doc || !out) return DC_MISUSE;
    dc_buf date;
    dc_buf_init(&date, 256);
    put_date(&date, doc->date);
    if (date.rc) {
        dc_buf_release(&date);
        return date.rc;
    }
    dc_buf_puts(out, doc->volume_title ? "@incollection{" : "@misc{");
    bib_key(out, doc->id);
    bib_field(out, "title", doc->title && *doc->title ? doc->title : "Untitled document");
    if (doc->volume_title) bib_field(out, "booktitle", doc->volume_title);
    if (doc->number) {
        dc_buf_puts(out, ",\n  ");
        dc_buf_puts(out, doc->volume_title ? "chapter = {Document " : "number = {");
        bib_value(out, doc->number);
        dc_buf_putc(out, '}');
    }
    if (doc->date && *doc->date) {
        dc_buf_puts(out, ",\n  note = {Dated ");
        bib_value(out, date.p);
        dc_buf_putc(out, '}');
    }
    if (!doc->volume_title && (doc->collection || doc->id)) {
        dc_buf_puts(out, ",\n  howpublished = {declass");
        if (doc->collection) {
            dc_buf_puts(out, ", collection ");
            bib_value(out, doc->collection);
        }
        if (doc->id) {
            dc_buf_puts(out, ", record ");
            bib_value(out, doc->id);
        }
        dc_buf_putc(out, '}');
    }
    if (frus_url_ok(doc)) {
        dc_buf_puts(out, ",\n  url = {");
        put_frus_url(out, doc);
        dc_buf_putc(out, '}');
    }
    dc_buf_puts(out, "\n}\n");
    dc_buf_release(&date);
    return out->rc;
}

/* ---- RIS ----------------------------------------------------------------- */

static void ris_line(dc_buf *out, const char *tag, const char *value)
{
    if (!value || !*value) return;
    dc_buf_printf(out, "%s  - ", tag);
    put_line(out, value);
    dc_buf_putc(out, '\n');
}

dc_rc dc_render_ris(const dc_doc *doc, dc_buf *out)
{
    if (!doc || !out) return DC_MISUSE;
    dc_buf_puts(out, doc->volume_title ? "TY  - CHAP\n" : "TY  - GEN\n");
    ris_line(out, "TI", doc->title && *doc->title ? doc->title : "Untitled document");
    ris_line(out, "T2", doc->volume_title);
    if (doc->number) {
        dc_buf_puts(out, "SE  - Document ");
        put_line(out, doc->number);
        dc_buf_putc(out, '\n');
    }
    int y, m, d;
    if (doc->date && dc_date_parse(doc->date, strlen(doc->date), &y, &m, &d)) {
        dc_buf_printf(out, "DA  - %04d/", y);
        if (m) dc_buf_printf(out, "%02d", m);
        dc_buf_putc(out, '/');
        if (d) dc_buf_printf(out, "%02d", d);
        dc_buf_puts(out, "/\n");
    }
    if (frus_url_ok(doc)) {
        dc_buf_puts(out, "UR  - ");
        put_frus_url(out, doc);
        dc_buf_putc(out, '\n');
    }
    if (!doc->volume_title && doc->collection) {
        dc_buf_puts(out, "N1  - declass collection ");
        put_line(out, doc->collection);
        dc_buf_putc(out, '\n');
    }
    dc_buf_puts(out, "DB  - declass\n");
    ris_line(out, "AN", doc->id);
    dc_buf_puts(out, "ER  - \n");
    return out->rc;
}
