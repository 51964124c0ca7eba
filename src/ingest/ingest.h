/*
 * declass — ingest: turns source files into dc_doc values.  Ingesters never
 * write the store; the facade (src/facade/ingest.c) does.
 */
#ifndef DECLASS_INGEST_H
#define DECLASS_INGEST_H

#include "declass/model.h"

/* Limits on one input. */
#define DC_INGEST_MAX_FILE ((size_t)64 << 20) /* bytes in one source file */
#define DC_INGEST_MAX_LINE ((size_t)1 << 20)  /* bytes in one line of a text file */

/*
 * Checks that data[0..len) is acceptable text input: not empty or blank, no
 * NUL or other binary control bytes, valid UTF-8, no line longer than
 * DC_INGEST_MAX_LINE.  On failure returns DC_PARSE or DC_LIMIT with err set
 * (message and 1-based line).
 */
dc_rc dc_ingest_check_text(const char *data, size_t len, dc_error *err);

/*
 * Parses a plain-text or OCR transcription (UTF-8, optional BOM) into a new
 * document (*out, owned by the caller, NULL on failure).  Fills number,
 * title, doc_type, date (dateline), classification (source note or banner),
 * source_note, pages, portions with page/note marks, footnotes and gaps.
 * Does not set id, collection, local_id or release fields; references and
 * file numbers are added by dc_refs_enrich().
 * Fails with DC_PARSE / DC_LIMIT (see dc_ingest_check_text) or DC_NOMEM.
 */
dc_rc dc_ingest_text(const char *data, size_t len, dc_doc **out, dc_error *err);

/*
 * Places the words of doc's scanned pages (doc->scan, read by the helper)
 * in its text: each word's target (a portion id, "title", "source" or
 * "fnN") and byte range, or no target for a word the text does not hold
 * (a banner, a marking, a speck).  Run after the text ingester made doc
 * from the pages' text.  DC_OK or DC_NOMEM.
 */
dc_rc dc_ingest_place_words(dc_doc *doc);

/* 1 if data looks like XML (optional BOM and blanks, then '<'). */
int dc_ingest_is_xml(const char *data, size_t len);

/* Receives each document of a TEI file; takes ownership of doc (it must
 * free it).  A non-DC_OK return stops the parse and is returned. */
typedef dc_rc (*dc_doc_sink)(void *ctx, dc_doc *doc);

/*
 * Streams a TEI file (libxml2's SAX2 parser, no DTD, no external entities, no
 * network) and hands each document to sink in order: every div
 * type="document", or the whole file when it has none.  Sets number, title,
 * date, classification, source note, footnotes, pages, portions, gaps,
 * persons, refs, and local_id (xml:id) and collection (the volume id, if the
 * teiHeader has one).  On malformed or hostile XML returns DC_PARSE or
 * DC_LIMIT with err naming the line; documents already handed to sink must
 * then be discarded by the caller.
 */
dc_rc dc_ingest_tei_file(const char *path, dc_doc_sink sink, void *ctx, dc_error *err);

/* One entry of a volume's list, as found in a TEI file: a List of Persons
 * (div xml:id="persons": item > persName xml:id, then the role) or a List
 * of Abbreviations (div xml:id="terms": item > term xml:id, then the
 * gloss).  Strings are borrowed for the duration of the callback. */
typedef struct dc_tei_list_item {
    const char *list;        /* "persons" or "terms" */
    const char *collection;  /* the volume: teiHeader idno type="frus", else
                                the root's xml:id, else the file's name
                                without "-persons" / "-terms" */
    const char *xml_id;      /* "p_EDD1" */
    const char *name;        /* "Eisenhower, Dwight D." / "ROKA" */
    const char *description; /* "President of the United States", or "" */
    int collection_from_name; /* 1 when the file itself names no volume */
} dc_tei_list_item;

/* What the TEI ingester reports to, beyond documents. */
typedef struct dc_tei_handlers {
    dc_doc_sink doc; /* required: receives each document, as for dc_ingest_tei_file */
    /* Optional: receives each list entry.  When set, a div xml:id="persons"
     * or "terms" outside any document is read as a list, not as text, and a
     * file holding only lists yields no document.  A non-DC_OK return stops
     * the parse.  NULL: such divs are text like any other. */
    dc_rc (*list_item)(void *ctx, const dc_tei_list_item *item);
    /* Optional: the canonical name of the person a persName/@corresp
     * ("#p_EDD1": xml_id "p_EDD1") of a document of collection points to,
     * or NULL when unknown; the name is copied at once.  When it gives one,
     * it joins doc->persons after the name as written. */
    const char *(*person)(void *ctx, const char *collection, const char *xml_id);
    /* Optional: receives, once the whole file is read, the structure of a
     * FRUS volume (a file whose teiHeader has an idno type="frus"): its
     * header (title, editors, publisher, date) and its table of contents,
     * divisions with their headings and documents by local id, in document
     * order (kind "division" / "document"; no titles or dates: those are
     * each reader's); not for a file without front or back matter or
     * divisions (one document cut from a volume), whose contents would
     * replace the whole volume's.  When set, the front and back matter's
     * sections (a div with an xml:id directly in front or back, but for
     * "toc" and the lists) are documents too, doc_type "front-matter" /
     * "back-matter", local id their xml:id.  The volume is borrowed for
     * the call; a non-DC_OK return fails the file. */
    dc_rc (*volume)(void *ctx, const dc_volume *v);
    void *ctx;
} dc_tei_handlers;

/* dc_ingest_tei_file with lists and person references reported to h. */
dc_rc dc_ingest_tei_file_with(const char *path, const dc_tei_handlers *h, dc_error *err);

/*
 * The date written in a document's text, for one that has none
 * (date_source "text"): the first of
 *  - a portion among the first three that is a dateline alone
 *    ("Washington, October 8, 1959.");
 *  - in the source note, then the first three portions, a full date after
 *    "on" in a sentence that says before it that the document was
 *    approved, drafted, signed, sent, transmitted or initialed
 *    ("Drafted by X and approved by Y on October 15, 1959").
 * Dates are "Month D, YYYY" or "D Month YYYY" (years 1700-2100, days
 * valid for the month).  Any other date (of a meeting, of a paper cited)
 * is not the document's: the document stays undated.  Portions withheld
 * by a review count like any other: a reader who may not read one has it
 * as a gap in the view this runs on (dc_db_restrict), and one who may
 * read it gets the date a database of only what they read would give.
 * Does nothing when doc already has a date.  DC_NOMEM or DC_OK.
 */
dc_rc dc_ingest_date_from_text(dc_doc *doc);

/*
 * For a reader's view in which portions were hidden: drops a date that
 * was read from text unless the view still shows it.  Kept: a date from
 * the TEI header or the document's date attributes (metadata, not text),
 * and a dateline's date while a visible portion is that dateline alone.
 * Any other (from a file number or a sentence) is cleared, for the caller
 * to derive again from the view (dc_refs_enrich, then
 * dc_ingest_date_from_text).  DC_OK always (view NULL is a no-op).
 */
dc_rc dc_ingest_view_date(dc_doc *view);

#endif
