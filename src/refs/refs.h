/*
 * declass — cross-references and archival citations found in a document.
 */
#ifndef DECLASS_REFS_H
#define DECLASS_REFS_H

#include "declass/model.h"

/*
 * Scans the title, portions, source note and footnotes of doc and adds:
 * file_numbers (Central Files decimal numbers such as "795.00/10–750",
 * "711.5/7-961", lot files "Lot 63 D 351", "RG 330", "FRC 65 A 3464"),
 * references (Document N, footnote N of Document M, NSC papers, NSC
 * actions, "supersedes", "See Supplement", other FRUS volumes), and, when
 * doc->date is NULL, the date encoded by a decimal file number (first the
 * one standing at the head of the document, then the source note's), with
 * date_source "file-number".  Idempotent.  DC_NOMEM on allocation failure.
 */
dc_rc dc_refs_enrich(dc_doc *doc);

/*
 * Decodes the date a Central Files decimal number encodes: the part after
 * the slash is month, dash, day and two-digit year ("10–750" = 1950-10-07,
 * "7-961" = 1961-07-09, "6-2761" = 1961-06-27).  Writes "YYYY-MM-DD" to
 * out and returns 1, or returns 0 if fileno encodes no valid date.
 */
int dc_refs_file_number_date(const char *fileno, char out[11]);

/*
 * Normalizes an NSC paper name as a reader may type it ("nsc 5907",
 * "NSC-5907", "NSC5907", " NSC  5429/5 ") to the form the text writes and
 * dc_refs_enrich records: "NSC", one space, 1 to 4 digits, optionally "/"
 * and digits ("NSC 5907", "NSC 5429/5").  Writes it to out (cap bytes) and
 * returns 1; returns 0 (out "") when in is not a paper name or too long.
 */
#define DC_REFS_PAPER_MAX 32
int dc_refs_paper_name(const char *in, char *out, size_t cap);

#endif
