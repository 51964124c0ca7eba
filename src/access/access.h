/*
 * declass — access control: who may read which document and portion, and
 * the view of a document a reader is given.  One rule, one function:
 * dc_access_allows(reader, class).  Everything a reader is shown, listed,
 * counted or scored is made from that reader's view (dc_access_view, and
 * the facade's dc_db_view_doc that derives dates, references and names
 * again from it), never from the stored whole (docs/security.md).
 *
 * The classes the rule decides on:
 *  - a document: open (everyone, the anonymous public included) when its
 *    release status is "released"; otherwise ("classified",
 *    "under-review", none) its level: NULL is UNCLASSIFIED, an unknown
 *    marking such as "LIMITED OFFICIAL USE" TOP SECRET (fail safe);
 *  - a portion of a released document: open unless withheld;
 *  - a withheld portion, or any portion of an unreleased document: its
 *    level (its own marking, else the document's) and compartments.
 * A reader may read what an open class protects; any other class only
 * when signed in with a clearance at least its level and holding every
 * one of its compartments.  A portion is read when both its document's
 * class and its own allow the reader.  A NULL reader is the public.
 */
#ifndef DECLASS_ACCESS_H
#define DECLASS_ACCESS_H

#include "declass/model.h"

/* Who is reading.  A NULL reader, or one with is_public set, is the
 * anonymous public reader (level and compartments are then ignored).
 * This is the one reader type of the library: the facade, the index and
 * the snippets all decide for a dc_access_reader. */
typedef struct dc_access_reader {
    int is_public;
    int level; /* dc_level */
    const char *const *compartments;
    size_t n_compartments;
    int roles; /* DC_ROLE_* bits */
} dc_access_reader;

/* An access class: who may read a part of a document.  An open class is
 * read by everyone, the public included; any other by a signed-in reader
 * whose clearance is at least level and who holds every compartment. */
typedef struct dc_access_class {
    int open;
    int level; /* dc_level */
    const char *const *compartments;
    size_t n_compartments;
} dc_access_class;

/* The access level of a marking: NULL or empty is UNCLASSIFIED, an
 * unknown marking TOP SECRET (fail safe). */
int dc_access_level(const char *classification);

/*
 * THE rule: 1 if reader r may read what class c protects.  Every decision
 * of the library (the reader's view, the index's entries and statistics,
 * listings) comes down to this function; a NULL reader is the public.
 */
int dc_access_allows(const dc_access_reader *r, const dc_access_class *c);

/* The class of a document as a whole (who may open it): open when it is
 * released, else its level.  Borrows nothing. */
void dc_access_doc_class(const dc_doc *doc, dc_access_class *out);
/* The class of portion p of doc: open when doc is released and p is not
 * withheld; else p's level (its own marking, else the document's) and
 * compartments.  out->compartments borrows p's until p changes. */
void dc_access_portion_class(const dc_doc *doc, const dc_portion *p,
                                    dc_access_class *out);

/* The class of withholding w of doc: who may read the text it hides.
 * Open when it no longer hides (lifted); else the class of its portion
 * (a footnote's: the portion it is anchored in; the title and source
 * note: the document's) made not open.  Borrows as portion_class. */
void dc_access_withholding_class(const dc_doc *doc, const dc_withholding *w,
                                 dc_access_class *out);
/* 1 if r may read doc and the text withholding w hides. */
int dc_access_withholding_readable(const dc_access_reader *r, const dc_doc *doc,
                                   const dc_withholding *w);

/* A compartment name: 1-64 bytes of upper-case letters, digits, '-', '_'. */
int dc_access_compartment_ok(const char *s);

/* 1 if r may read doc at all (p NULL), or portion p of doc: the document
 * class and the portion class both allow r. */
int dc_access_may_read(const dc_access_reader *r, const dc_doc *doc, const dc_portion *p);

/* 1 if r is cleared for portion p of doc (level and compartments)
 * whatever its release: what a reviewer needs to withhold, mark or
 * release it.  dc_access_allows on p's class made not open. */
int dc_access_portion_cleared(const dc_access_reader *r, const dc_doc *doc,
                                     const dc_portion *p);

/* As dc_access_may_read(r, doc, NULL) from a listing's columns. */
int dc_access_doc_readable(const dc_access_reader *r, const char *release_status,
                                  const char *classification);

/* 1 if every reader who may open doc reads every portion of it (nothing
 * withheld, no portion above the document's class): the stored document
 * is then every reader's view. */
int dc_access_uniform(const dc_doc *doc);

/*
 * The view of doc that r may see, as a new document (*out, owned by the
 * caller, dc_doc_free).  DC_NOTFOUND (and *out NULL) when r may not read
 * doc at all.  In the view every portion r may not read becomes a gap
 * exactly as a published edition records one: kind "gap", its text the
 * FRUS notice for its length ("[less than 1 line of source text not
 * declassified]", "[N lines of source text not declassified]", N =
 * ceil(bytes / 80)), no label, marking, compartments, withholding or
 * note markers (its page markers stay), and a gap {extent, page, anchor}.
 * Footnotes anchored in such portions are dropped.  A title taken from a
 * hidden portion (a heading) and written nowhere visible becomes
 * DC_ACCESS_HIDDEN_TITLE, and the document type "document".  *hidden (may be NULL)
 * is set to the number of portions hidden; when it is not 0 the caller
 * re-derives what was extracted from the whole text (dates, references,
 * persons, file numbers, the title) from the view alone.
 * DC_NOMEM on allocation failure.
 */
#define DC_ACCESS_HIDDEN_TITLE "[title not declassified]"
dc_rc dc_access_view(const dc_access_reader *r, const dc_doc *doc, dc_doc **out,
                            size_t *hidden);

/* dc_access_view in place: makes doc (owned by the caller) r's view.
 * DC_NOTFOUND, doc unchanged, when r may not read it; after DC_NOMEM doc
 * is half made and must only be freed. */
dc_rc dc_access_restrict(const dc_access_reader *r, dc_doc *doc, size_t *hidden);

/*
 * The distinct views of doc.  A predicate says which readers get one
 * view: those for whom dc_access_allows(reader, &classes[i]) == need[i]
 * for every i (classes[0] is always the document's class, need[0] 1).
 * The predicates of one document are mutually exclusive, and every reader
 * who may read doc satisfies exactly one of them.
 */
typedef struct dc_access_pred {
    const dc_access_class *classes;
    const unsigned char *need;
    size_t n;
} dc_access_pred;

/* Receives one view: a reader who gets it (borrowed) and its predicate. */
typedef dc_rc (*dc_access_view_cb)(void *ctx, const dc_access_reader *reader,
                                   const dc_access_pred *pred);

/*
 * Calls cb once for each distinct view of doc (one call for a uniform
 * document), in a fixed order.  The readers tried are the public and
 * every signed-in reader of each level holding each subset of the
 * document's compartments; more than DC_ACCESS_MAX_COMPS distinct
 * compartments in one document is DC_LIMIT.  cb's non-OK return stops
 * the enumeration and is returned.
 */
#define DC_ACCESS_MAX_COMPS 10
dc_rc dc_access_each_view(const dc_doc *doc, dc_access_view_cb cb, void *ctx);

/* 1 if reader r satisfies pred. */
int dc_access_pred_holds(const dc_access_reader *r, const dc_access_pred *pred);

/*
 * The FRUS notice for n adjacent withheld spans of one kind and len bytes
 * in all (docs/review.md): kind "name" "[name not declassified]", "[2
 * names not declassified]"; "place" likewise; "paragraph" "[1 paragraph
 * (N lines of source text) not declassified]"; "lines" or NULL by length
 * at DC_ACCESS_LINE bytes a line, "[less than 1 line of source text not
 * declassified]", "[N lines of source text not declassified]".  The
 * gap's extent ("2 names", "1 paragraph", "3 lines") goes to extent.
 * Both always NUL-terminated, truncated to their caps.
 */
#define DC_ACCESS_LINE 80
void dc_access_notice(const char *kind, size_t n, size_t len, char *text, size_t text_cap,
                      char *extent, size_t extent_cap);

/*
 * Applies doc's withholdings for reader r to doc in place (a step of
 * dc_access_restrict; hid marks the portions already hidden whole):
 * every active withholding r may not read is replaced by its notice —
 * a span inside a portion, a footnote, the source note or the title;
 * adjacent spans of one kind merged; a whole footnote dropped with its
 * markers, a whole source note dropped, a whole title made
 * DC_ACCESS_HIDDEN_TITLE — and recorded as a gap anchored at its
 * target.  The caller drops the withholdings afterwards (a view carries
 * none).  *n_hidden: how many withholdings were applied.
 */
dc_rc dc_access_redact(const dc_access_reader *r, dc_doc *doc, const unsigned char *hid,
                       size_t *n_hidden);

/*
 * The pages of a scanned document in r's view (a step of
 * dc_access_restrict, decided on the document as stored, before any text
 * is replaced; hid marks the portions hidden whole, untitle a hidden
 * title).  A reader who may read all of the document keeps every word.
 * Otherwise every page is marked redacted: a word stays only when it
 * stands in text r may read (its target visible, no withholding r may
 * not read over it) and outside every box; each other word's box, and
 * the outline of each hidden portion's words on the page, become boxes
 * to burn in; a box inside another is dropped (the words of a hidden
 * paragraph are not outlined one by one), and the words kept lose their
 * targets (their offsets are the stored text's).  A redacted page's image
 * may be shown only with its boxes burned in.
 */
dc_rc dc_access_pages(const dc_access_reader *r, dc_doc *doc, const unsigned char *hid,
                      int untitle);

/* The text that replaces a withheld portion of len bytes, written to out
 * (always NUL-terminated, truncated to cap). */
void dc_access_gap_text(size_t len, char *out, size_t cap);
/* Its extent as a gap records it ("less than 1 line", "3 lines"). */
void dc_access_gap_extent(size_t len, char *out, size_t cap);

/*
 * Exemption codes (docs/review.md, "Codes"; EO 13526 §3.3, 32 CFR
 * 2001.26): 25X1..25X9, 50X1..50X9, 75X1..75X9 (these need a
 * declassification date or event), 50X1-HUM, 50X2-WMD, FOIA (b)(1)..(b)(9)
 * and (b)(7)(A)..(b)(7)(F), RD, FRD, TFNI; or a list of them separated by
 * ", " ("25X1, 25X6").  dc_access_reason_valid: 1 if code is such a code
 * or list.  dc_access_code_check: 0 if code is valid with the date
 * (YYYY-MM-DD, or NULL) and event (or NULL) given — a code that needs one
 * has exactly one of them, one that needs none takes neither — else 1
 * with the reason in msg (NUL-terminated, cap bytes).
 */
int dc_access_reason_valid(const char *code);
int dc_access_code_check(const char *code, const char *until, const char *event, char *msg,
                         size_t cap);
/* The valid codes, for a message: "25X1..25X9, ..." (static). */
const char *dc_access_codes_help(void);

/* Parses a role name ("reader", "reviewer", "admin") into its bit; 0 for
 * an unknown name. */
int dc_access_role_parse(const char *name);

/*
 * Password hashing (libsodium crypto_pwhash_str: Argon2id, interactive
 * limits).  dc_access_hash_password writes the encoded hash to *out
 * (owned by the caller); an empty password is DC_MISUSE.
 * dc_access_verify_password returns 1 if password matches hash.
 */
dc_rc dc_access_hash_password(const char *password, char **out);
int dc_access_verify_password(const char *hash, const char *password);

#endif
