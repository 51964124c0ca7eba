/*
 * declass — renderers: a document as readable text or JSON.
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

#endif
