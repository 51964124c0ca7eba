/*
 * Internal interface of the refs module, shared with other library modules.
 */
#ifndef DC_REFS_INT_H
#define DC_REFS_INT_H

/* The end of an NSC paper name ("NSC [0-9]{1,4}(/[0-9]+)?", longest) that
 * begins at s, or NULL if none begins there.  The HTML renderer links the
 * paper references dc_refs_enrich() recorded with it. */
const char *dc_refs_paper_at(const char *s);

/* The end of a list separator (", ", " and ", ", and ") at s followed by a
 * digit ("Documents 236, 237, and 240"), or NULL. */
const char *dc_refs_list_sep(const char *s);

#endif
