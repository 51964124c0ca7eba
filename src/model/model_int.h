/*
 * declass — model internals shared inside the library (not public API).
 */
#ifndef DECLASS_MODEL_INT_H
#define DECLASS_MODEL_INT_H

#include "declass/model.h"

/* The most bytes the compact JSON of one document may take: SQLite would
 * refuse a larger value (SQLITE_MAX_LENGTH) anyway. */
#define DC_JSON_LIMIT ((size_t)1000000000)

/*
 * Appends the compact JSON of doc to out: the text dc_doc_to_json(doc, 0)
 * returns, byte for byte, without its NUL.  Errors are out's sticky rc
 * (DC_NOMEM, or DC_LIMIT past out's limit); check it once afterwards.
 * Nothing else is allocated, so a buffer reused across documents makes
 * serialising allocation-free once it has grown.
 */
void dc_doc_json_write(const dc_doc *doc, dc_buf *out);
/* The same with the indented form: dc_doc_to_json(doc, 1), appended. */
void dc_doc_json_write_pretty(const dc_doc *doc, dc_buf *out);

/* A deep copy of doc in *out (owned; dc_doc_free), equal member by member
 * to what parsing dc_doc_to_json(doc) gives, without the JSON.  *out is
 * NULL on failure (DC_NOMEM, DC_MISUSE for a NULL doc). */
dc_rc dc_doc_copy(const dc_doc *doc, dc_doc **out);

/* Building a document (ingest, views, parsing). */
/* Appends a portion of the given kind with the next id ("p<N>"); NULL on
 * NOMEM.  The pointer is valid until the next dc_doc_add_portion(). */
dc_portion *dc_doc_add_portion(dc_doc *doc, const char *kind);
dc_rc dc_portion_add_mark(dc_portion *p, dc_mark_kind kind, size_t at, const char *value);
/* Appends an empty footnote / gap (fields NULL); NULL on NOMEM. */
dc_footnote *dc_doc_add_footnote(dc_doc *doc);
dc_gap *dc_doc_add_gap(dc_doc *doc);
/* Adds a reference unless one with the same kind and target exists; a
 * non-NULL relation or detail is recorded on the existing one. */
dc_rc dc_doc_add_ref(dc_doc *doc, const char *kind, const char *target, const char *relation,
                     const char *detail);
/* 1 if some portion of doc is withheld or carries a marking or
 * compartments of its own (what may make readers' views differ). */
int dc_doc_portions_marked(const dc_doc *doc);

#endif
