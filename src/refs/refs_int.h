/*
 * Internal interface of the refs module, shared with other library modules.
 */
#ifndef DC_REFS_INT_H
#define DC_REFS_INT_H

/* The end of an NSC paper name ("NSC [0-9]{1,4}(/[0-9]+)?", longest) that
 * begins at s, or NULL if none begins there.  The HTML renderer links the
 * paper references dc_refs_enrich() recorded with it. */
const char *dc_refs_paper_at(const char *s);

#endif
