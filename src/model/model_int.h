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

#endif
