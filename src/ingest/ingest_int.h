/*
 * Helpers shared by the ingesters (tei.c, text.c); not part of the public API.
 */
#ifndef DC_INGEST_INT_H
#define DC_INGEST_INT_H

#include "declass/model.h"

/*
 * The document type named by a FRUS-style title ("279. National Security
 * Council Report", "Letter From Secretary of State Rusk to ..."): one of
 * report, letter, memorandum-of-conversation, memorandum, telegram,
 * briefing-paper, minutes, editorial-note, or "document" when none fits.
 * A leading "N. " is skipped; only the part before " From ", " to ",
 * " of ", " by ", " for ", " on " or ":" is inspected (so "Memorandum of
 * Discussion" is a memorandum and "Annex to Minutes" is a document).
 * Returns a static string; NULL title gives "document".
 */
const char *dc_ingest_doc_type(const char *title);

/*
 * The classification stated by a source note's standalone marking: the
 * first "Top Secret", "Secret", "Confidential", "Unclassified" or "Limited
 * Official Use" that opens
 * the note or a sentence (after ". ", "; ", "(") and is followed by ".",
 * ";", "," or the end.  Returns the static upper-case level name
 * ("TOP SECRET", ...) or NULL when the note carries no marking.
 */
const char *dc_ingest_classification(const char *note);

/*
 * Portion markings: a portion whose text opens with "(TS)", "(S)", "(C)"
 * or "(U)" (followed by a blank or the end) gets that level as its
 * classification, unless it already has one.  The marking stays in the
 * text, so no word of the source is lost.  Returns DC_NOMEM or DC_OK.
 */
dc_rc dc_ingest_portion_marks(dc_doc *doc);

#endif
