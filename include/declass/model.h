/*
 * declass — the document model (dc_doc).
 *
 * A dc_doc is a plain value: every string and array in it is owned by the
 * document and freed by dc_doc_free().  Ingesters build one, the store keeps
 * it (as the JSON of dc_doc_to_json), renderers print it.  Field meanings are
 * those of DESIGN.md, "The document model".
 */
#ifndef DECLASS_MODEL_H
#define DECLASS_MODEL_H

#include <stdint.h>

#include "declass/util.h"

/* A position inside a portion's text where something stood in the source. */
typedef enum dc_mark_kind {
    DC_MARK_PAGE = 1, /* a page marker "[Page N]"; value = "N", or "" for an
                         unnumbered page separator (OCR "===") */
    DC_MARK_NOTE = 2, /* a footnote marker; value = marker as found ("1") */
} dc_mark_kind;

typedef struct dc_mark {
    size_t at; /* byte offset into the portion's text */
    dc_mark_kind kind;
    char *value;
} dc_mark;

/*
 * A stretch of a portion's text that the source marked inline: a name
 * (TEI persName), an abbreviation (gloss), a pointer (ref), emphasis (hi)
 * or a quotation (quote).  Spans nest or follow one another; a view keeps
 * a span only where every byte of it is still the reader's text (a span
 * touching withheld text is dropped with it).
 */
typedef struct dc_span {
    size_t start, end; /* byte range [start, end) of the portion's text */
    char *kind;        /* persName|gloss|ref|hi|quote */
    char *value;       /* persName: the xml:id its corresp names in the volume's
                          List of Persons ("p_CG_2"); gloss: the term's
                          ("t_US_1"); ref: its target; hi: its rend
                          ("italic"); else NULL */
} dc_span;

typedef struct dc_portion {
    char *id;             /* "p1", "p2", ... in document order */
    char *kind;           /* paragraph|heading|item|editorial|gap|signature|table|list */
    char *label;          /* "1", "a", "A" as printed, or NULL */
    char *page;           /* page in force at the portion's start, or NULL */
    char *classification; /* portion marking, or NULL (inherits the document's) */
    dc_strv compartments; /* compartments / distribution list */
    char *text;           /* the text with page and note markers removed */
    int withheld;
    char *withheld_reason;
    /* "opener" or "closer": the part of a letter it stood in (TEI);
     * "byline": a byline; or NULL.  In the JSON only when set ("group",
     * after "withheld_reason"). */
    char *group;
    dc_mark *marks;
    size_t n_marks, cap_marks;
    /* inline markup, by start (then longest first); in the JSON only when
     * there is some ("spans", after "marks") */
    dc_span *spans;
    size_t n_spans, cap_spans;
} dc_portion;

typedef struct dc_footnote {
    char *n;      /* the marker that points to it, as in the TEI numbering */
    char *label;  /* the number printed in the source's note list, or NULL */
    char *anchor; /* portion id (or "title") where the marker stands, or NULL */
    char *text;   /* NULL when the source has the marker but not the note */
    /* inline markup of text, as a portion's (in the JSON only when set) */
    dc_span *spans;
    size_t n_spans, cap_spans;
} dc_footnote;

typedef struct dc_gap {
    char *extent; /* "1 line", "less than 1 line", "3 pages" */
    char *page;
    char *anchor; /* portion id */
} dc_gap;

/*
 * A withholding: a reviewer's decision that a span of text (or a whole
 * portion, footnote, source note or title) is not declassified.  The
 * span is a byte range of the target's text as stored; `text` keeps what
 * it covered so the decision can be found again when the target's text
 * changes (a re-ingest, an older version).  A withholding hides its span
 * until it is lifted and the document released again (status "lifted");
 * "lift-pending" still hides.  Views never carry withholdings: a reader
 * sees the FRUS notice of each hidden span (docs/review.md).
 */
typedef struct dc_withholding {
    char *id;          /* "w1", "w2", ... unique within the document */
    char *target;      /* portion id, "fn3" (footnote with marker 3), "source", "title" */
    int whole;         /* 1: the whole target (start/end unused) */
    size_t start, end; /* byte span [start, end) in the target's text */
    char *text;        /* the text the span covered */
    char *kind;        /* name|place|lines|paragraph */
    char *code;        /* exemption code(s): "25X1", "25X1, 25X6", "(b)(3)" */
    char *agency;      /* the agency whose equity it is, or NULL */
    char *until;       /* declassification date (YYYY-MM-DD), or NULL */
    char *event;       /* declassification event, or NULL */
    char *reviewer;    /* who withheld it */
    char *at;          /* when (UTC, ISO 8601) */
    char *status;      /* withheld|lift-pending|lifted|orphaned (docs/review.md) */
    char *lifted_by, *lifted_at, *note; /* the lift, or NULL */
} dc_withholding;

typedef struct dc_ref {
    char *kind;     /* document|footnote|paper|action|file|volume|supplement */
    char *target;   /* "237", "NSC 5817", "795.00/10–750" */
    char *relation; /* "supersedes", or NULL */
    char *detail;   /* e.g. the footnote number of "footnote 2, Document 30" */
} dc_ref;

/* A rectangle on a page image: pixels from its top left. */
typedef struct dc_box {
    int x, y, w, h;
} dc_box;

/* One word of a scanned page (docs/scans.md, "Pages and words"). */
typedef struct dc_word {
    dc_box box;
    int conf;   /* the OCR's confidence 0-100 (100 from a text layer) */
    char *text; /* as read */
    /* Where its text stands in the document: a portion id, "fnN" (the
     * footnote with marker N), "number", "title" or "source", and the byte range
     * [start, end) of that text; NULL when the text ingester kept it
     * nowhere (a banner, a marking, a running head, a speck).  The view
     * of a reader who may not read all of the document carries none. */
    char *target;
    size_t start, end;
} dc_word;

/* Where a portion stands on a page: the outline of its words there. */
typedef struct dc_region {
    char *portion; /* its id */
    dc_box box;
} dc_region;

/* One page of a scanned document. */
typedef struct dc_page {
    int number;             /* 1-based */
    int width, height, dpi; /* of its stored image */
    char *source;           /* text|ocr|none: how its words were read */
    int conf;               /* mean word confidence 0-100 */
    int low;                /* conf under the low-confidence bar */
    char *image;            /* SHA-256 (hex) of its PNG in the store, or NULL */
    /* A reader's view: the words are the released ones only, and the
     * image may be shown only with boxes burned in (never the original). */
    int redacted;
    dc_word *words;
    size_t n_words, cap_words;
    dc_box *boxes; /* a view's boxes to burn in */
    size_t n_boxes, cap_boxes;
    /* the portions on the page, in order (a view: those it shows) */
    dc_region *regions;
    size_t n_regions, cap_regions;
} dc_page;

typedef struct dc_doc {
    char *id;          /* "collection/local" */
    char *collection;
    char *local_id;
    char *number;      /* number in its volume, or NULL */
    char *title;
    char *doc_type;
    char *date;        /* ISO 8601 (YYYY-MM-DD) or NULL */
    char *date_source; /* how the date was derived: dateline|tei|file-number|text|NULL */
    char *classification;
    char *source_note;
    char *source_note_n;     /* marker of the source note ("0"), or NULL */
    char *source_note_label; /* its number in the source's note list, or NULL */
    char *title_note;        /* marker glued to the title, or NULL */
    char *release_status;    /* released|under-review|classified */
    char *release_date;
    char *format;            /* text|tei */
    /* The title of the published volume the document belongs to, as its
     * TEI header gives it (FRUS: titleStmt/title type="complete"), or NULL.
     * In the JSON only when set ("volume_title", after "format"). */
    char *volume_title;
    dc_strv file_numbers, pages, persons;
    dc_portion *portions;
    size_t n_portions, cap_portions;
    dc_footnote *footnotes;
    size_t n_footnotes, cap_footnotes;
    dc_gap *gaps;
    size_t n_gaps, cap_gaps;
    dc_ref *refs;
    size_t n_refs, cap_refs;
    /* Review decisions (stored documents only; a view has none).  In the
     * JSON only when there are some ("withholdings", after "format"). */
    dc_withholding *withholdings;
    size_t n_withholdings, cap_withholdings;
    /* inline markup of source_note and of title, as a portion's.  In the
     * JSON only when set ("source_spans" after "source_note_label",
     * "title_spans" after "title_note"). */
    dc_span *source_spans;
    size_t n_source_spans, cap_source_spans;
    dc_span *title_spans;
    size_t n_title_spans, cap_title_spans;
    /* A scanned document's pages ("scan" in the JSON, only when set). */
    dc_page *scan;
    size_t n_scan, cap_scan;
} dc_doc;

/* A new, empty document, or NULL on NOMEM.  Free with dc_doc_free(). */
DC_API dc_doc *dc_doc_new(void);
DC_API void dc_doc_free(dc_doc *doc);

/* The portion with the given id, or NULL. */
DC_API const dc_portion *dc_doc_portion(const dc_doc *doc, const char *id);
/* The gap recorded for portion id (a hidden or published gap), or NULL. */
DC_API const dc_gap *dc_doc_gap(const dc_doc *doc, const char *id);
/* The footnote with marker n, or NULL. */
DC_API dc_footnote *dc_doc_footnote(const dc_doc *doc, const char *n);

/* Serializes doc as the JSON object of DESIGN.md (pretty: indented).
 * *out is owned by the caller (dc_free). */
DC_API dc_rc dc_doc_to_json(const dc_doc *doc, int pretty, char **out);
/* Parses the JSON of dc_doc_to_json back into a new document. */
DC_API dc_rc dc_doc_from_json(const char *json, size_t len, dc_doc **out);

/* One row of a document listing; strings borrowed for the duration of the
 * callback that receives it, any may be NULL. */
typedef struct dc_doc_summary {
    const char *id, *collection, *number, *title, *date, *classification, *doc_type,
        *release_status;
    int version;    /* current version */
    int n_versions; /* how many versions are kept */
    int marked;     /* 1: some portion is marked (see model_int.h), or
                       unknown: a reader's listing must come from the view */
} dc_doc_summary;

/* Receives listed documents; a non-OK return stops the listing. */
typedef dc_rc (*dc_summary_cb)(void *ctx, const dc_doc_summary *s);

/* Classification levels, ordered.  dc_level_parse accepts any case and
 * "TS"/"S"/"C"/"U"; returns -1 for an unknown name. */
typedef enum dc_level {
    DC_UNCLASSIFIED = 0,
    DC_CONFIDENTIAL = 1,
    DC_SECRET = 2,
    DC_TOP_SECRET = 3,
} dc_level;
DC_API int dc_level_parse(const char *s);
DC_API const char *dc_level_name(dc_level level);

/* ---- users, audit and versions (rows handed to callbacks; strings
 * borrowed for the duration of the callback, any may be NULL) ---------- */

typedef struct dc_user_info {
    const char *name;
    const char *hash;         /* Argon2id encoded hash (never shown) */
    int level;                /* dc_level */
    const char *compartments; /* comma-separated, "" for none */
    const char *roles;        /* comma-separated: reader, reviewer, admin */
    const char *created_at;
    int disabled;
    long long generation;     /* bumped by every change of password, clearance,
                                 compartments, roles or disabled */
    const char *agency;       /* the agency the user reviews for, "" for none */
} dc_user_info;
typedef dc_rc (*dc_user_cb)(void *ctx, const dc_user_info *u);

typedef struct dc_audit_entry {
    long long seq;
    const char *at, *user, *action, *target, *detail;
} dc_audit_entry;
typedef dc_rc (*dc_audit_cb)(void *ctx, const dc_audit_entry *e);

typedef struct dc_version_info {
    int version;
    const char *ingested_at, *source, *classification, *release_status, *hash;
} dc_version_info;
typedef dc_rc (*dc_version_cb)(void *ctx, const dc_version_info *v);

/* ---- a search within one document (dc_db_find) ------------------------- */

/* A passage of the reader's view holding a word of the query: a portion
 * (its id) or a footnote (its marker, and printed label or NULL), how many
 * words match in it, and a snippet of it with the matches marked.
 * Strings borrowed for the call. */
typedef struct dc_find_hit {
    const char *portion;  /* portion id, or NULL for a footnote */
    const char *footnote; /* the footnote's marker (dc_footnote.n), or NULL */
    const char *label;    /* the footnote's printed number, or NULL */
    size_t matches;
    const char *snippet;
} dc_find_hit;
typedef dc_rc (*dc_find_cb)(void *ctx, const dc_find_hit *hit);

/* ---- volumes (dc_db_volume) --------------------------------------------- */

/* One line of a volume's table of contents: a division (a compilation,
 * chapter or other div of the TEI body, with its heading) or a document
 * (a div type="document", or a front- or back-matter section, which are
 * stored as documents of the volume). */
typedef struct dc_volume_entry {
    char *kind;   /* "division" or "document" */
    char *part;   /* "front", "body" or "back" */
    int level;    /* divisions enclosing it (0: none) */
    char *xml_id; /* a division's xml:id; a document's local id ("d12") */
    char *type;   /* a division's div type ("compilation", "chapter") */
    char *head;   /* a division's heading, or NULL */
    /* documents of a reader's volume only, from the reader's view: */
    char *id, *number, *title, *date;
} dc_volume_entry;

/*
 * A published volume: what its TEI header says (title, editors,
 * publisher, date) and its table of contents, in document order.  As
 * stored, the document entries carry only their local ids; the volume a
 * reader gets (dc_db_volume) lists only the documents that reader may
 * open, each with its number, title and date from the reader's view, and
 * only the divisions holding at least one of them.  Strings owned by the
 * volume (dc_volume_free); any may be NULL.
 */
typedef struct dc_volume {
    char *id;    /* the collection: "frus1917-72PubDip" */
    char *title; /* the complete title */
    char *series, *subseries, *volume_title, *volume_number;
    dc_strv editors;      /* "Aaron W. Marrs", in the header's order */
    dc_strv editor_roles; /* the same length: "primary", "general" or "" */
    char *publisher, *pub_place, *pub_date;
    dc_volume_entry *entries;
    size_t n_entries, cap_entries;
    long n_documents; /* document entries of the body (front and back
                         matter not counted) */
} dc_volume;

/* A new, empty volume (NULL on NOMEM); dc_volume_free(NULL) is a no-op. */
DC_API dc_volume *dc_volume_new(void);
DC_API void dc_volume_free(dc_volume *v);
/* Appends an entry (fields NULL, level 0); NULL on NOMEM.  Valid until
 * the next call. */
DC_API dc_volume_entry *dc_volume_add_entry(dc_volume *v);
/* The volume as JSON: {"id", "title", "series", "subseries",
 * "volume_title", "volume_number", "editors": [{"name", "role"}],
 * "publisher", "pub_place", "pub_date", "documents": N, "contents":
 * [{"kind", "part", "level", "xml_id", "type", "head", "id", "number",
 * "title", "date"}]} (null where absent).  *out owned by the caller. */
DC_API dc_rc dc_volume_to_json(const dc_volume *v, int pretty, char **out);
/* Finding one's way in a volume's contents: the index of the document
 * entry with id (the document id, "frus1917-72PubDip/d12"), of the
 * document entry before (dir -1) or after (dir 1) entry i, and of the
 * division enclosing entry i; -1 for none. */
DC_API long dc_volume_find(const dc_volume *v, const char *id);
DC_API long dc_volume_step(const dc_volume *v, long i, int dir);
DC_API long dc_volume_parent(const dc_volume *v, long i);
/* Parses that JSON back into a new volume (DC_CORRUPT when malformed). */
DC_API dc_rc dc_volume_from_json(const char *json, size_t len, dc_volume **out);

/* A user's roles, as bits (a reader holds none or DC_ROLE_READER). */
#define DC_ROLE_READER 1
#define DC_ROLE_REVIEWER 2
#define DC_ROLE_ADMIN 4

/* A facet of a search: counts of the matching documents by a field. */
typedef struct dc_facet_value {
    const char *value;
    uint64_t count;
} dc_facet_value;

typedef struct dc_facet {
    const char *name;           /* "collection", "decade", "classification", "doc_type",
                                 * "year" */
    const dc_facet_value *values;
    size_t n_values;            /* by count, descending (then value); "year": every
                                 * year of a dated match ("1959"), by year ascending */
} dc_facet;

/* ---- policy papers (dc_db_paper) ---------------------------------------- */

/* A stored document in a paper's record (owned by the dc_paper). */
typedef struct dc_paper_doc {
    char *id, *title;
    char *date; /* "YYYY-MM-DD" or NULL */
} dc_paper_doc;

/*
 * What the readable record says about one NSC policy paper.  Everything is
 * read from the reader's view of the documents that cite the paper (the
 * index's cites:"NAME", confirmed on the view's own text), so nothing
 * comes from text the reader may not read.  The rules:
 *  - the paper itself: a document IS paper P when its title is or begins
 *    with P (then ":", ",", " (" or a dash), or when the first portion
 *    among its first four, list items aside, whose whole text is one paper
 *    name is P (the heading "NSC 5907" under the title "National Security
 *    Council Report"); a document is at most one paper;
 *  - supersession: "S supersedes Q" / "S, which supersedes Q" (the nearest
 *    paper named before "supersede" in its sentence, at most 60 bytes
 *    before it), or, with no paper there, the paper the document is ("The
 *    enclosed statement of policy ... supersedes NSC 5817" in NSC 5907);
 *    "Q was superseded by S" the same way round;
 *  - approval: in a document that is P, "this date approved" gives the
 *    document's date; else "P ... approved by the President on Month D[,
 *    YYYY]" in one sentence with no other paper between (year from the
 *    document's date when not written);
 *  - actions ("2102–b", as written) and annexes ("Annex A" .. "Annex G",
 *    from "Annex F", "Annexes A through E", "Annexes A–E and G";
 *    "Financial Appendix") are those named in the paper's own documents;
 *  - discussed_in: the other readable documents whose readable text names P.
 */
typedef struct dc_paper {
    char *name;                 /* normalized: "NSC 5907" */
    dc_paper_doc *documents;    /* the documents that are the paper, by id */
    size_t n_documents;
    char *approved;             /* "YYYY-MM-DD" or NULL */
    char *approved_in;          /* id of the document that says so, or NULL */
    dc_strv supersedes;         /* papers this one supersedes, directly */
    dc_strv superseded_by;      /* papers superseding this one, directly */
    dc_strv chain;              /* oldest to newest through this paper, following
                                 * the first predecessor / successor each step */
    dc_strv actions;            /* NSC action numbers as written: "2102–b" */
    dc_strv annexes;            /* "Annex A", ..., "Financial Appendix" */
    dc_paper_doc *discussed_in; /* by date (undated last), then id */
    size_t n_discussed_in;
} dc_paper;

#endif
