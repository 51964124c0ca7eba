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
/* The form the store keeps and hashes: the compact JSON without what
 * parsing takes as absent anyway (null strings, empty lists, false flags);
 * dc_doc_from_json reads it to the same document. */
void dc_doc_json_write_stored(const dc_doc *doc, dc_buf *out);
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
/* Appends a span [start, end) of kind with value (may be NULL) to a
 * portion's spans, or to any array of spans (*v, *n, *cap); DC_LIMIT past
 * the cap of parts. */
dc_rc dc_portion_add_span(dc_portion *p, size_t start, size_t end, const char *kind,
                          const char *value);
dc_rc dc_spans_add(dc_span **v, size_t *n, size_t *cap, size_t start, size_t end, const char *kind,
                   const char *value);
/* Frees a span's members; dc_spans_free frees n spans and the array. */
void dc_span_release(dc_span *s);
void dc_spans_free(dc_span *v, size_t n);
/* Frees the members of f (not f itself). */
void dc_footnote_release(dc_footnote *f);
/* Appends an empty footnote / gap (fields NULL); NULL on NOMEM. */
dc_footnote *dc_doc_add_footnote(dc_doc *doc);
dc_gap *dc_doc_add_gap(dc_doc *doc);
/* Adds a reference unless one with the same kind and target exists; a
 * non-NULL relation or detail is recorded on the existing one. */
dc_rc dc_doc_add_ref(dc_doc *doc, const char *kind, const char *target, const char *relation,
                     const char *detail);
/* Appends an empty withholding (fields NULL/0); NULL on NOMEM. */
dc_withholding *dc_doc_add_withholding(dc_doc *doc);
/* Frees the members of w (not w itself) and zeroes them. */
void dc_withholding_release(dc_withholding *w);
/* A scanned document's pages and words (model.h): a new zeroed page,
 * word or box at the end, or NULL / DC_NOMEM. */
dc_page *dc_doc_add_page(dc_doc *doc);
dc_word *dc_page_add_word(dc_page *p);
dc_rc dc_page_add_box(dc_page *p, dc_box b);
dc_rc dc_page_add_region(dc_page *p, const char *portion, dc_box b);
void dc_page_release(dc_page *p);
/* A deep copy of src into dst (which is overwritten); DC_NOMEM leaves dst
 * zeroed. */
dc_rc dc_withholding_copy(dc_withholding *dst, const dc_withholding *src);
/* 1 if w still hides its span (status not "lifted"). */
int dc_withholding_active(const dc_withholding *w);
/* The text w's target has in doc (a portion's text, a footnote's, the
 * source note, the title), or NULL when doc has no such target. */
const char *dc_withholding_target_text(const dc_doc *doc, const dc_withholding *w);
/*
 * Carries the withholdings of from onto to (another version of the same
 * document: a re-ingest, an older version shown through today's
 * decisions), those to does not have already (by id).  Each is placed on
 * to's target of the same name at the same offsets when the target's
 * text is unchanged.  Else it fails safe (docs/review.md, "Orphaned
 * withholdings"): a copy ("w1.1", ...) hides the withheld text at every
 * occurrence in any part of to (text moves between portions), and —
 * in a re-ingest, unless a span's text is still in its own target — the
 * withholding is kept with status "orphaned", hiding its whole target
 * (nothing if the target is gone) until a reviewer lifts it; *lost (may
 * be NULL) counts those (a re-ingest makes the document under-review).
 * only_active (an old version shown): only those that still hide; a
 * part withheld whole is withheld by its name whatever its text, a span
 * wherever its text stands, else its whole target.  Lifted ones are
 * kept as they were.
 */
dc_rc dc_doc_carry_withholdings(dc_doc *to, const dc_doc *from, int only_active, size_t *lost);

/* 1 if some portion of doc is withheld or carries a marking or
 * compartments of its own, or doc has withholdings (what may make
 * readers' views differ). */
int dc_doc_portions_marked(const dc_doc *doc);

#endif
