/*
 * declass — access control: who may read which document and portion, and
 * the view of a document a reader is given.  This module is the one place
 * where the reading rules of DESIGN.md ("Security rules") are decided; the
 * facade passes every document it shows, lists or snippets through it,
 * and the index writer assigns access classes by the same rules
 * (docs/security.md).
 *
 * The rules:
 *  - a document whose release status is "released" is public: every
 *    reader, the anonymous one included, reads its portions that are not
 *    withheld, whatever their historical marking;
 *  - a withheld portion of a released document is read only by a cleared
 *    reader (see portion rule below); everyone else gets the line
 *    "[N lines of source text not declassified]";
 *  - any other document ("classified", "under-review", no status) is
 *    readable only by a signed-in reader whose clearance is at least the
 *    document's level (no marking: UNCLASSIFIED; an unknown marking such
 *    as "LIMITED OFFICIAL USE": TOP SECRET, fail safe);
 *  - a portion is readable by a signed-in reader whose clearance is at
 *    least the portion's level (its own marking, else the document's) and
 *    who holds every compartment of the portion.
 */
#ifndef DECLASS_ACCESS_H
#define DECLASS_ACCESS_H

#include "declass/model.h"

/* Roles, as bits. */
#define DC_ROLE_READER 1
#define DC_ROLE_REVIEWER 2
#define DC_ROLE_ADMIN 4

/* Who is reading.  A NULL reader, or one with is_public set, is the
 * anonymous public reader (level and compartments are then ignored). */
typedef struct dc_access_reader {
    int is_public;
    int level; /* dc_level */
    const char *const *compartments;
    size_t n_compartments;
    int roles; /* DC_ROLE_* bits */
} dc_access_reader;

/* The access level of a marking: NULL or empty is UNCLASSIFIED, an
 * unknown marking TOP SECRET (fail safe). */
DC_API int dc_access_level(const char *classification);

/* 1 if a document with this release status and classification may be
 * read at all by r (listings use this on summaries). */
DC_API int dc_access_doc_readable(const dc_access_reader *r, const char *release_status,
                                  const char *classification);

/* 1 if r is cleared for portion p of doc (level and compartments), which
 * is what reading a withheld portion or any portion of an unreleased
 * document needs.  The public reader is never cleared. */
DC_API int dc_access_portion_cleared(const dc_access_reader *r, const dc_doc *doc,
                                     const dc_portion *p);

/*
 * The view of doc that r may see, as a new document (*out, owned by the
 * caller, dc_doc_free).  DC_NOTFOUND (and *out NULL) when r may not read
 * doc at all.  In the view:
 *  - a withheld portion the reader is not cleared for keeps its id, page
 *    and reason but its text becomes "[N lines of source text not
 *    declassified]" (N = ceil(bytes / 80); under 80 bytes "[less than 1
 *    line of source text not declassified]"), its marking and
 *    compartments are dropped, and a gap is recorded for it;
 *  - in an unreleased document, a portion the reader is not cleared for
 *    becomes the line "[portion not shown: not cleared]" with no marking,
 *    and a gap is recorded;
 *  - footnotes anchored in such portions are dropped, and so are note
 *    markers inside them;
 *  - when anything was replaced, persons, file numbers and references are
 *    kept only if their text occurs in what remains visible (title,
 *    visible portions, kept footnotes, source note), so nothing extracted
 *    from a hidden portion shows through.
 * DC_NOMEM on allocation failure.
 */
DC_API dc_rc dc_access_view(const dc_access_reader *r, const dc_doc *doc, dc_doc **out);

/* The text that replaces a withheld portion of len bytes, written to out
 * (always NUL-terminated, truncated to cap). */
DC_API void dc_access_gap_text(size_t len, char *out, size_t cap);

/* 1 if code is a declassification exemption code this system accepts:
 * 25X1..25X9, 50X1..50X9 optionally followed by "-" and an upper-case tag
 * ("50X1-HUM", "50X6-WMD"), FOIA "(b)(1)".."(b)(9)" optionally with a
 * lower-case sub-paragraph ("(b)(7)(c)"), "E.O. 13526" is not a code. */
DC_API int dc_access_reason_valid(const char *code);

/* Parses a role name ("reader", "reviewer", "admin") into its bit; 0 for
 * an unknown name. */
DC_API int dc_access_role_parse(const char *name);

/*
 * Password hashing (libsodium crypto_pwhash_str: Argon2id, interactive
 * limits).  dc_access_hash_password writes the encoded hash to *out
 * (owned by the caller); an empty password is DC_MISUSE.
 * dc_access_verify_password returns 1 if password matches hash.
 */
DC_API dc_rc dc_access_hash_password(const char *password, char **out);
DC_API int dc_access_verify_password(const char *hash, const char *password);

#endif
