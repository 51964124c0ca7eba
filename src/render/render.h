/*
 * declass — renderers: a document as readable text, JSON, HTML or TEI,
 * and citations of it.
 */
#ifndef DECLASS_RENDER_H
#define DECLASS_RENDER_H

#include "declass/model.h"

/*
 * A readable edition: title (with number), date, classification, file
 * numbers, then the body with page markers "[Page N]" where pages begin
 * (inline when a page begins mid-paragraph) and footnote markers "[n]",
 * then the notes (source note first) with the source's own list numbers.
 * Every word of the source appears, in order.  Appends to out (check
 * out->rc).
 */
dc_rc dc_render_text(const dc_doc *doc, dc_buf *out);

/* The JSON of DESIGN.md, indented, followed by a newline. */
dc_rc dc_render_json(const dc_doc *doc, dc_buf *out);

/* How the HTML edition links out (all may be NULL: no links), and the
 * volume citations name (may be NULL). */
typedef struct dc_render_html_opts {
    /* Appends to href the URL of the stored document a reference points to
     * and returns 1, or returns 0 when the reference has no stored target
     * (then it is not linked). */
    int (*ref_href)(void *ctx, const dc_ref *ref, dc_buf *href);
    void *ctx;
    const dc_volume *volume;
    /* Appends to name (when not NULL) the name and to desc the
     * description of the entry xml_id of the document's volume's List of
     * Persons (term 0) or of Abbreviations and Terms (term 1) and returns
     * 1, or returns 0 when the list has no such entry (the name is then
     * not linked).  May be NULL: no name linked, no list exported. */
    int (*entry)(void *ctx, int term, const char *xml_id, dc_buf *name, dc_buf *desc);
} dc_render_html_opts;

/*
 * The document as an HTML fragment laid out like a documentary edition
 * (one <article class="dc-doc">, no <html>/<head>; every string escaped):
 * number and title, date, a classification banner, the file numbers, the
 * portions in order with their labels and portion marks, page numbers in
 * the margin where pages begin, footnote markers linked to the notes and
 * back, withheld and redacted text shown as gaps, references ("Document
 * 237", "NSC 5817") linked where opts->ref_href gives a target, names
 * and abbreviations (persName and gloss spans) linked to their entries
 * of the volume's lists (/persons/VOLUME/ID, /terms/VOLUME/ID) where
 * opts->entry knows them, described (aria-describedby and data-desc,
 * shown on hover and focus by the style sheet), emphasis (hi) as i, b or
 * a span, then the notes (the source note first).  Element ids and classes are listed in
 * docs/internals/html.md.  Appends to out (check out->rc).
 */
dc_rc dc_render_html(const dc_doc *doc, const dc_render_html_opts *opts, dc_buf *out);

/*
 * Citations, one per call, appended to out (check out->rc); DC_MISUSE for
 * a NULL doc or out.  doc is the reader's view; vol (may be NULL) the
 * volume it belongs to as stored (its header: title, editors, publisher,
 * place, year).  Only what they know is cited:
 *  - a document of a published volume (vol with a title, else
 *    doc->volume_title from its TEI header) as a part of that book:
 *    "Title," Month D, YYYY, in VOLUME, ed(s). EDITORS (PLACE: PUBLISHER,
 *    YEAR), Document N, pp. FIRST–LAST, URL. — every part present only
 *    when known; the history.state.gov address when the collection is a
 *    FRUS volume id and the local id "dN";
 *  - any other document: "Title," Month D, YYYY, Document N, collection
 *    C, declass record ID." (n.d. when undated).
 * A chapter of a book (doc_type "chapter") is cited with its authors, the
 * names of its byline (the view's portion of group "byline"; none when a
 * name there is withheld): Chicago before the title, BibTeX author, RIS
 * AU, citation_author.
 * dc_render_cite prints that one line (Chicago); dc_render_bibtex an
 * @incollection (in a volume: title and booktitle in double braces, so
 * their capitals are kept, editor, publisher, address, year of the
 * volume, chapter "Document N", pages, the document's date as a note,
 * url) or @misc (date, year, month, number, howpublished) entry keyed by
 * the id ("/" as ":"), LaTeX specials escaped; dc_render_ris a CHAP (TI,
 * BT, ED per editor, PB, CY, PY, SE, SP, EP, DA, UR) or GEN record ending
 * "ER  - "; dc_render_highwire the Highwire Press <meta name="citation_*">
 * tags of an HTML head (citation_title, citation_inbook_title,
 * citation_editor, citation_publisher, citation_publication_date,
 * citation_date, citation_firstpage, citation_lastpage,
 * citation_public_url), values escaped.  Each ends with a newline.
 */
dc_rc dc_render_cite(const dc_doc *doc, const dc_volume *vol, dc_buf *out);
dc_rc dc_render_bibtex(const dc_doc *doc, const dc_volume *vol, dc_buf *out);
dc_rc dc_render_ris(const dc_doc *doc, const dc_volume *vol, dc_buf *out);
dc_rc dc_render_highwire(const dc_doc *doc, const dc_volume *vol, dc_buf *out);
/* A volume or book as a whole (v: its stored header): format "bibtex" a
 * @book entry (title in double braces, editor, series, publisher,
 * address, year, url), "ris" a BOOK record (TI, ED, T3, PB, CY, PY, UR),
 * "cite" the Chicago line (editors, ed(s)., title (place: publisher,
 * year), url); the url is the history.state.gov address of a FRUS volume
 * or of the history of the series (ids starting "frus").  DC_MISUSE for
 * another format. */
dc_rc dc_render_volume_cite(const dc_volume *v, const char *format, dc_buf *out);
/* Appends the address of doc on the Office of the Historian's site
 * (https://history.state.gov/historicaldocuments/VOLUME/dN) and returns 1
 * for a FRUS document (the collection a FRUS volume id, the local id
 * "dN"); returns 0 and appends nothing otherwise. */
int dc_render_frus_url(const dc_doc *doc, dc_buf *out);

/*
 * The document as TEI P5 (the reader's view: render a dc_access_view
 * document): a teiHeader (volume or document title, the FRUS volume id as
 * idno type="frus" for a FRUS document, the declass id), then
 * <text><body><div type="document" xml:id n> with the title in <head>
 * (the source note as its note type="source"), portions as p, head, list/
 * label/item, dateline, signed, table/row/cell and note (editorial), page
 * marks as <pb n/>, footnotes as <note n xml:id> where their markers
 * stand, and withheld portions as <gap reason extent/> (their text never
 * printed).  Well-formed UTF-8 (invalid bytes become U+FFFD, control
 * characters spaces), every string escaped; what the TEI ingester reads
 * back gives the same title and portion texts.
 * id_prefix NULL: a standalone file (XML declaration, the source's own
 * xml:ids); otherwise a <TEI> element for a teiCorpus: no declaration and
 * every xml:id prefixed with id_prefix (an NCName start, e.g. "e12-"), so
 * ids stay unique in the corpus.  Appends to out (check out->rc).
 */
dc_rc dc_render_tei(const dc_doc *doc, const char *id_prefix, dc_buf *out);
/* The same, with the entries of the volume's lists that the document's
 * names and terms point to (opts->entry, when opts and it are not NULL)
 * written as the lists of its front matter (div xml:id="persons" /
 * "terms"), so that re-ingesting the file resolves them again. */
dc_rc dc_render_tei_with(const dc_doc *doc, const char *id_prefix, const dc_render_html_opts *opts,
                         dc_buf *out);

/*
 * A scanned document as a PDF (doc: the reader's view; docs/scans.md,
 * "Releases as PDF"): page i the image images[i] (the zlib stream of its
 * PNG-filtered 8-bit grey rows, w x h pixels at doc->scan[i].dpi: the
 * caller burns a redacted page's boxes into it first) with the view's
 * words as invisible text over their boxes, and a notice in the margin
 * of a redacted page.  Appends to out.
 */
typedef struct dc_pdf_image {
    const unsigned char *z;
    size_t zlen;
    int w, h;
} dc_pdf_image;
dc_rc dc_render_pdf(const dc_doc *doc, const dc_pdf_image *images, dc_buf *out);

#endif
