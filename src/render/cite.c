/*
 * Renderers: citations of a document — Chicago (a note), BibTeX, RIS and
 * the Highwire Press <meta> tags that Zotero's connector reads.  Only what
 * the document and its volume know is cited: a document of a published
 * volume (its stored header, or the volume title of its TEI header) as a
 * part of that edited book — title, volume title, editors, publisher,
 * place and year, document number, pages, and the history.state.gov
 * address of a FRUS document; any other by title, date, number and its
 * place in declass.  Nothing is invented: a field the volume does not
 * give is left out.  The document is the reader's view, so its title,
 * date and pages are the reader's.
 */
#include <stdio.h>
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
 * a FRUS volume id as collection ("frus" and letters, digits, "-", "_",
 * ".") and a "dN" local id. */
static int frus_url_ok(const dc_doc *doc)
{
    if (!doc->collection || !doc->local_id || strncmp(doc->collection, "frus", 4) != 0 ||
        !safe_chars(doc->collection))
        return 0;
    /* the history of the series, a book: its chapters and sections by id */
    if (strcmp(doc->collection, "frus-history") == 0)
        return doc->local_id[0] && safe_chars(doc->local_id);
    return doc->local_id[0] == 'd' && doc->local_id[1] &&
           is_digits(doc->local_id + 1, strlen(doc->local_id + 1));
}

static void put_frus_url(dc_buf *out, const dc_doc *doc)
{
    dc_buf_printf(out, "https://history.state.gov/historicaldocuments/%s/%s", doc->collection,
                  doc->local_id);
}

int dc_render_frus_url(const dc_doc *doc, dc_buf *out)
{
    if (!doc || !out || !frus_url_ok(doc)) return 0;
    put_frus_url(out, doc);
    return 1;
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

/* What a citation says of the volume a document belongs to. */
typedef struct cite_vol {
    const char *title; /* NULL: the document is not in a published volume */
    const dc_strv *editors;
    const char *publisher, *place, *year;
} cite_vol;

static cite_vol vol_of(const dc_doc *doc, const dc_volume *vol)
{
    cite_vol c = {0};
    if (vol && vol->title && *vol->title) {
        c.title = vol->title;
        c.editors = vol->editors.n ? &vol->editors : NULL;
        c.publisher = vol->publisher;
        c.place = vol->pub_place;
        c.year = vol->pub_date;
    } else if (doc->volume_title && *doc->volume_title) {
        c.title = doc->volume_title;
    }
    return c;
}

/* The first and last printed pages of the document (the reader's view's
 * page markers), or NULL. */
static const char *first_page(const dc_doc *doc)
{
    return doc->pages.n ? doc->pages.v[0] : NULL;
}
static const char *last_page(const dc_doc *doc)
{
    return doc->pages.n > 1 ? doc->pages.v[doc->pages.n - 1] : NULL;
}

static const char *title_of(const dc_doc *doc)
{
    return doc->title && *doc->title ? doc->title : "Untitled document";
}

/* "Title," with the comma inside the quotes unless the title ends in ?
 * or !, then a space. */
static void put_quoted_title(dc_buf *out, const dc_doc *doc)
{
    dc_buf_putc(out, '"');
    size_t t0 = out->len;
    put_line(out, title_of(doc));
    char last = out->len > t0 ? out->p[out->len - 1] : ' ';
    if (last != '?' && last != '!') dc_buf_putc(out, ',');
    dc_buf_puts(out, "\" ");
}

/* "A", "A and B", "A, B, and C". */
static void put_names(dc_buf *out, const dc_strv *names)
{
    for (size_t i = 0; i < names->n; i++) {
        if (i) dc_buf_puts(out, names->n > 2 ? (i + 1 == names->n ? ", and " : ", ") : " and ");
        put_line(out, names->v[i]);
    }
}

/*
 * The authors of a chapter of a book (doc_type "chapter"): its byline
 * (the first of its first four portions whose group is "byline") split at
 * " and ", as the reader's view has it — a byline with a withheld name
 * (a notice in brackets) names none.  Into *out (the caller releases it).
 */
static void authors_of(const dc_doc *doc, dc_strv *out)
{
    if (!doc->doc_type || strcmp(doc->doc_type, "chapter") != 0) return;
    const dc_portion *b = NULL;
    for (size_t i = 0; i < doc->n_portions && i < 4 && !b; i++)
        if (doc->portions[i].group && strcmp(doc->portions[i].group, "byline") == 0 &&
            !doc->portions[i].withheld && doc->portions[i].text)
            b = &doc->portions[i];
    if (!b || strchr(b->text, '[') || strlen(b->text) > 1000) return;
    const char *s = b->text;
    for (;;) {
        const char *e = strstr(s, " and ");
        size_t n = e ? (size_t)(e - s) : strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == ',')) n--;
        if (n && dc_strv_pushn(out, s, n)) return;
        if (!e) break;
        s = e + 5;
    }
}

dc_rc dc_render_cite(const dc_doc *doc, const dc_volume *vol, dc_buf *out)
{
    if (!doc || !out) return DC_MISUSE;
    cite_vol v = vol_of(doc, vol);
    if (v.title) {
        /* Chicago, a document in an edited volume: Authors, "Title," Date,
         * in Volume, ed. Editors (Place: Publisher, Year), Document N,
         * pages, URL. */
        dc_strv au = {0};
        authors_of(doc, &au);
        if (au.n) {
            put_names(out, &au);
            dc_buf_puts(out, ", ");
        }
        dc_strv_release(&au);
        put_quoted_title(out, doc);
        if (doc->date && *doc->date) {
            put_date(out, doc->date);
            dc_buf_puts(out, ", ");
        }
        dc_buf_puts(out, "in ");
        put_line(out, v.title);
        if (v.editors) {
            dc_buf_puts(out, v.editors->n > 1 ? ", eds. " : ", ed. ");
            put_names(out, v.editors);
        }
        if (v.publisher || v.year) {
            dc_buf_puts(out, " (");
            if (v.place && v.publisher) {
                put_line(out, v.place);
                dc_buf_puts(out, ": ");
            }
            if (v.publisher) put_line(out, v.publisher);
            if (v.publisher && v.year) dc_buf_puts(out, ", ");
            if (v.year) put_line(out, v.year);
            dc_buf_putc(out, ')');
        }
        if (doc->number) {
            dc_buf_puts(out, ", Document ");
            put_line(out, doc->number);
        }
        if (first_page(doc)) {
            dc_buf_puts(out, last_page(doc) ? ", pp. " : ", p. ");
            put_line(out, first_page(doc));
            if (last_page(doc)) {
                dc_buf_puts(out, "\u2013");
                put_line(out, last_page(doc));
            }
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
    put_quoted_title(out, doc);
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

/* A title field: the whole value in a second pair of braces, so that
 * BibTeX styles and citeproc keep its capitals as they are. */
static void bib_title(dc_buf *out, const char *name, const char *value)
{
    dc_buf_printf(out, ",\n  %s = {{", name);
    bib_value(out, value);
    dc_buf_puts(out, "}}");
}

/* Page ranges as BibTeX writes them: "572--575". */
static void bib_pages(dc_buf *out, const dc_doc *doc)
{
    if (!first_page(doc)) return;
    dc_buf_puts(out, ",\n  pages = {");
    bib_value(out, first_page(doc));
    if (last_page(doc)) {
        dc_buf_puts(out, "--");
        bib_value(out, last_page(doc));
    }
    dc_buf_putc(out, '}');
}

dc_rc dc_render_bibtex(const dc_doc *doc, const dc_volume *vol, dc_buf *out)
{
    if (!doc || !out) return DC_MISUSE;
    cite_vol v = vol_of(doc, vol);
    dc_buf date;
    dc_buf_init(&date, 256);
    put_date(&date, doc->date);
    if (date.rc) {
        dc_buf_release(&date);
        return date.rc;
    }
    int y = 0, m = 0, d = 0;
    int dated = doc->date && dc_date_parse(doc->date, strlen(doc->date), &y, &m, &d);
    dc_buf_puts(out, v.title ? "@incollection{" : "@misc{");
    bib_key(out, doc->id);
    bib_title(out, "title", title_of(doc));
    dc_strv au = {0};
    authors_of(doc, &au);
    if (au.n && v.title) {
        dc_buf_puts(out, ",\n  author = {");
        for (size_t i = 0; i < au.n; i++) {
            if (i) dc_buf_puts(out, " and ");
            bib_value(out, au.v[i]);
        }
        dc_buf_putc(out, '}');
    }
    dc_strv_release(&au);
    if (v.title) {
        bib_title(out, "booktitle", v.title);
        if (v.editors) {
            dc_buf_puts(out, ",\n  editor = {");
            for (size_t i = 0; i < v.editors->n; i++) {
                if (i) dc_buf_puts(out, " and ");
                bib_value(out, v.editors->v[i]);
            }
            dc_buf_putc(out, '}');
        }
        if (v.publisher) bib_field(out, "publisher", v.publisher);
        if (v.place) bib_field(out, "address", v.place);
        /* the book's year; the document's own date goes in the note */
        if (v.year) bib_field(out, "year", v.year);
    } else if (dated) {
        dc_buf_printf(out, ",\n  date = {%04d", y);
        if (m) dc_buf_printf(out, "-%02d", m);
        if (m && d) dc_buf_printf(out, "-%02d", d);
        dc_buf_printf(out, "},\n  year = {%04d}", y);
        if (m) dc_buf_printf(out, ",\n  month = {%d}", m);
    }
    if (doc->number) {
        dc_buf_puts(out, ",\n  ");
        dc_buf_puts(out, v.title ? "chapter = {Document " : "number = {");
        bib_value(out, doc->number);
        dc_buf_putc(out, '}');
    }
    if (v.title) bib_pages(out, doc);
    if (doc->date && *doc->date && (v.title || !dated)) {
        dc_buf_puts(out, ",\n  note = {Dated ");
        bib_value(out, date.p);
        dc_buf_putc(out, '}');
    }
    if (!v.title && (doc->collection || doc->id)) {
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

dc_rc dc_render_ris(const dc_doc *doc, const dc_volume *vol, dc_buf *out)
{
    if (!doc || !out) return DC_MISUSE;
    cite_vol v = vol_of(doc, vol);
    dc_buf_puts(out, v.title ? "TY  - CHAP\n" : "TY  - GEN\n");
    ris_line(out, "TI", title_of(doc));
    dc_strv au = {0};
    if (v.title) authors_of(doc, &au);
    for (size_t i = 0; i < au.n; i++) ris_line(out, "AU", au.v[i]);
    dc_strv_release(&au);
    /* BT and ED: what Zotero and bibutils read as the book and its editors */
    ris_line(out, "BT", v.title);
    for (size_t i = 0; v.editors && i < v.editors->n; i++) ris_line(out, "ED", v.editors->v[i]);
    ris_line(out, "PB", v.publisher);
    ris_line(out, "CY", v.place);
    ris_line(out, "PY", v.year);
    if (doc->number) {
        dc_buf_puts(out, "SE  - Document ");
        put_line(out, doc->number);
        dc_buf_putc(out, '\n');
    }
    if (v.title) {
        ris_line(out, "SP", first_page(doc));
        ris_line(out, "EP", last_page(doc));
    }
    int y, m, d;
    if (doc->date && dc_date_parse(doc->date, strlen(doc->date), &y, &m, &d)) {
        if (!v.title) dc_buf_printf(out, "PY  - %04d\n", y);
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
    if (!v.title && doc->collection) {
        dc_buf_puts(out, "N1  - declass collection ");
        put_line(out, doc->collection);
        dc_buf_putc(out, '\n');
    }
    dc_buf_puts(out, "DB  - declass\n");
    ris_line(out, "AN", doc->id);
    dc_buf_puts(out, "ER  - \n");
    return out->rc;
}

/* ---- Highwire Press tags ---------------------------------------------------- */

static void meta(dc_buf *out, const char *name, const char *value)
{
    if (!value || !*value) return;
    dc_buf_printf(out, "<meta name=\"%s\" content=\"", name);
    dc_buf b;
    dc_buf_init(&b, 0);
    put_line(&b, value);
    dc_buf_xml_escape(out, b.p ? b.p : "", b.len, DC_XML_HTML);
    if (b.rc) out->rc = b.rc;
    dc_buf_release(&b);
    dc_buf_puts(out, "\">\n");
}

dc_rc dc_render_highwire(const dc_doc *doc, const dc_volume *vol, dc_buf *out)
{
    if (!doc || !out) return DC_MISUSE;
    cite_vol v = vol_of(doc, vol);
    meta(out, "citation_title", title_of(doc));
    if (v.title) {
        meta(out, "citation_inbook_title", v.title);
        meta(out, "citation_book_title", v.title);
        dc_strv au = {0};
        authors_of(doc, &au);
        for (size_t i = 0; i < au.n; i++) meta(out, "citation_author", au.v[i]);
        dc_strv_release(&au);
        for (size_t i = 0; v.editors && i < v.editors->n; i++)
            meta(out, "citation_editor", v.editors->v[i]);
        meta(out, "citation_publisher", v.publisher);
        meta(out, "citation_publication_date", v.year);
        meta(out, "citation_firstpage", first_page(doc));
        meta(out, "citation_lastpage", last_page(doc));
    }
    int y, m, d;
    if (doc->date && dc_date_parse(doc->date, strlen(doc->date), &y, &m, &d)) {
        char date[16];
        if (d)
            snprintf(date, sizeof date, "%04d/%02d/%02d", y, m, d);
        else if (m)
            snprintf(date, sizeof date, "%04d/%02d", y, m);
        else
            snprintf(date, sizeof date, "%04d", y);
        meta(out, v.year ? "citation_date" : "citation_publication_date", date);
    }
    meta(out, "citation_technical_report_number", v.title ? NULL : doc->number);
    if (frus_url_ok(doc)) {
        dc_buf u;
        dc_buf_init(&u, 0);
        put_frus_url(&u, doc);
        meta(out, "citation_public_url", u.p);
        if (u.rc) out->rc = u.rc;
        dc_buf_release(&u);
    }
    meta(out, "citation_language", "en");
    return out->rc;
}

/* ---- a volume or book as a whole ------------------------------------------ */

/* The book's address on history.state.gov: a FRUS volume or the history
 * of the series (their ids start with "frus"); 0 for any other. */
static int volume_url(const dc_volume *v, dc_buf *out)
{
    if (!v->id || strncmp(v->id, "frus", 4) != 0 || !safe_chars(v->id)) return 0;
    if (out) dc_buf_printf(out, "https://history.state.gov/historicaldocuments/%s", v->id);
    return 1;
}

/* The year of the volume's publication date ("2014", "2014-05-01"). */
static void volume_year(const dc_volume *v, char year[5])
{
    year[0] = '\0';
    if (v->pub_date && is_digits(v->pub_date, 4) && (!v->pub_date[4] || v->pub_date[4] == '-'))
        snprintf(year, 5, "%.4s", v->pub_date);
}

dc_rc dc_render_volume_cite(const dc_volume *v, const char *format, dc_buf *out)
{
    if (!v || !out || !format) return DC_MISUSE;
    const char *title = v->title ? v->title : v->volume_title ? v->volume_title : v->id;
    char year[5];
    volume_year(v, year);
    if (strcmp(format, "bibtex") == 0) {
        dc_buf_puts(out, "@book{");
        bib_key(out, v->id ? v->id : "volume");
        bib_title(out, "title", title);
        if (v->editors.n) {
            dc_buf_puts(out, ",\n  editor = {");
            for (size_t i = 0; i < v->editors.n; i++) {
                if (i) dc_buf_puts(out, " and ");
                bib_value(out, v->editors.v[i]);
            }
            dc_buf_putc(out, '}');
        }
        if (v->series) bib_title(out, "series", v->series);
        if (v->publisher) bib_field(out, "publisher", v->publisher);
        if (v->pub_place) bib_field(out, "address", v->pub_place);
        if (year[0]) bib_field(out, "year", year);
        if (volume_url(v, NULL)) {
            dc_buf_puts(out, ",\n  url = {");
            volume_url(v, out);
            dc_buf_putc(out, '}');
        }
        dc_buf_puts(out, "\n}\n");
    } else if (strcmp(format, "ris") == 0) {
        dc_buf_puts(out, "TY  - BOOK\n");
        ris_line(out, "TI", title);
        for (size_t i = 0; i < v->editors.n; i++) ris_line(out, "ED", v->editors.v[i]);
        ris_line(out, "T3", v->series);
        ris_line(out, "PB", v->publisher);
        ris_line(out, "CY", v->pub_place);
        ris_line(out, "PY", year[0] ? year : NULL);
        if (volume_url(v, NULL)) {
            dc_buf_puts(out, "UR  - ");
            volume_url(v, out);
            dc_buf_putc(out, '\n');
        }
        dc_buf_puts(out, "DB  - declass\n");
        ris_line(out, "AN", v->id);
        dc_buf_puts(out, "ER  - \n");
    } else if (strcmp(format, "cite") == 0) {
        /* Chicago: Editors, ed(s)., Title (Place: Publisher, Year), URL. */
        if (v->editors.n) {
            put_names(out, &v->editors);
            dc_buf_puts(out, v->editors.n > 1 ? ", eds., " : ", ed., ");
        }
        put_line(out, title);
        if (v->pub_place || v->publisher || year[0]) {
            dc_buf_puts(out, " (");
            if (v->pub_place) put_line(out, v->pub_place);
            if (v->pub_place && (v->publisher || year[0])) dc_buf_puts(out, ": ");
            if (v->publisher) put_line(out, v->publisher);
            if (v->publisher && year[0]) dc_buf_puts(out, ", ");
            if (year[0]) dc_buf_puts(out, year);
            dc_buf_putc(out, ')');
        }
        if (volume_url(v, NULL)) {
            dc_buf_puts(out, ", ");
            volume_url(v, out);
        }
        dc_buf_puts(out, ".\n");
    } else {
        return DC_MISUSE;
    }
    return out->rc;
}
