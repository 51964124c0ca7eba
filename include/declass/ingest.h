/*
 * declass — ingest: turns source files into dc_doc values.  Ingesters never
 * write the store; the facade (src/declass.c) does.
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

/* 1 if data looks like XML (optional BOM and blanks, then '<'). */
int dc_ingest_is_xml(const char *data, size_t len);

/* Receives each document of a TEI file; takes ownership of doc (it must
 * free it).  A non-DC_OK return stops the parse and is returned. */
typedef dc_rc (*dc_doc_sink)(void *ctx, dc_doc *doc);

/*
 * Streams a TEI file (xmlTextReader, no DTD, no external entities, no
 * network) and hands each document to sink in order: every div
 * type="document", or the whole file when it has none.  Sets number, title,
 * date, classification, source note, footnotes, pages, portions, gaps,
 * persons, refs, and local_id (xml:id) and collection (the volume id, if the
 * teiHeader has one).  On malformed or hostile XML returns DC_PARSE or
 * DC_LIMIT with err naming the line; documents already handed to sink must
 * then be discarded by the caller.
 */
dc_rc dc_ingest_tei_file(const char *path, dc_doc_sink sink, void *ctx, dc_error *err);

#endif
