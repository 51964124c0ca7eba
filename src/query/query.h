/*
 * declass — the search query language (docs/query-language.md), parsed
 * into a read-only tree for the index to evaluate.
 *
 *     korea "nsc 5907" -soviet          words AND by default
 *     armistice OR truce                OR binds loosest
 *     NOT soviet, -soviet               NOT binds tightest
 *     negotiat*                         prefix
 *     (korea OR japan) treaty           grouping
 *     title:korea person:"dean rusk"    text fields, also on a group
 *     class:secret date:1950..1953 cites:"NSC 5817" collection:frus1958-60v18
 *
 * Words are analyzed with the analyzer the index uses (declass/analysis.h),
 * so the tree holds folded terms.  A word that analyzes to several tokens
 * ("U.S.", "long-range", "NSC-5907") becomes a phrase; one that analyzes to
 * nothing (a lone "—") is dropped, with any operator applied to it.
 */
#ifndef DECLASS_QUERY_H
#define DECLASS_QUERY_H

#include "analysis/analysis.h"

/* Caps: longer, deeper or bigger queries fail with DC_LIMIT. */
#define DC_QUERY_MAX_LEN 4096  /* bytes */
#define DC_QUERY_MAX_DEPTH 32  /* nested groups and NOTs */
#define DC_QUERY_MAX_TERMS 256 /* tokens of words, phrases and prefixes, plus filters */

typedef enum dc_qkind {
    DC_Q_TERM,      /* a word: terms[0] */
    DC_Q_PHRASE,    /* terms[0..n_terms) at consecutive positions, n_terms >= 2 */
    DC_Q_PREFIX,    /* any term starting with terms[0].term */
    DC_Q_AND,       /* every kid; n_kids >= 2 */
    DC_Q_OR,        /* any kid; n_kids >= 2 */
    DC_Q_NOT,       /* kids[0] absent; n_kids == 1 */
    DC_Q_DATE,      /* date within [from, to] */
    DC_Q_CLASS,     /* classification == level */
    DC_Q_CITES,     /* the document cites value (a reference target) */
    DC_Q_COLLECTION /* the document belongs to collection value */
} dc_qkind;

/* The field a TERM, PHRASE or PREFIX is searched in. */
typedef enum dc_qfield {
    DC_FIELD_ANY = 0, /* anywhere in the searchable text */
    DC_FIELD_TITLE,
    DC_FIELD_PERSON
} dc_qfield;

/* One analyzed token of a query.  Both strings are NUL-terminated. */
typedef struct dc_qterm {
    const char *term; /* folded exact term (PREFIX: the folded prefix) */
    size_t len;
    const char *stem; /* its stem (PREFIX: equal to term: never stemmed) */
    size_t stem_len;
} dc_qterm;

/*
 * A node of the tree.  Every pointer is owned by the dc_query and valid
 * until dc_query_free.  Guarantees the evaluator can rely on:
 *   - AND and OR have at least two kids and never a kid of their own kind;
 *   - NOT appears only as a kid of an AND that has a kid that is not NOT,
 *     and a NOT's kid is never NOT ("--a" is "a");
 *   - so every node but NOT can be evaluated on its own, without a
 *     universe of all documents ("-a" alone or "a OR -b" are rejected).
 * A tree may hold only filters ("date:1950..1953", "class:secret"): the
 * evaluator then lists the documents the filters select.
 */
typedef struct dc_qnode {
    dc_qkind kind;
    unsigned column; /* 1-based column (in characters) where it starts in the query */
    /* TERM, PHRASE, PREFIX */
    dc_qfield field;
    int exact; /* TERM from a quoted single word: match terms[0].term, not the stem */
    const dc_qterm *terms;
    size_t n_terms;
    /* AND, OR, NOT */
    const struct dc_qnode *const *kids;
    size_t n_kids;
    /* DATE: inclusive "YYYY-MM-DD" bounds; "" when open on that side (never both) */
    char from[11], to[11];
    /* CLASS: a dc_level (declass/model.h) */
    int level;
    /* CITES, COLLECTION: the value as written (whitespace runs collapsed) */
    const char *value;
    size_t value_len;
} dc_qnode;

typedef struct dc_query dc_query;

/*
 * Parses q[0..len) (UTF-8) with analyzer a.  On success returns DC_OK and
 * sets *out (free with dc_query_free).  Otherwise *out is NULL and the
 * code is DC_PARSE (bad syntax, empty query, only excluded terms, bad date
 * or classification level), DC_LIMIT (a cap above), DC_NOMEM or DC_MISUSE;
 * err (if not NULL) then holds the code and a message naming the column.
 */
dc_rc dc_query_parse(dc_analyzer *a, const char *q, size_t len, dc_query **out,
                            dc_error *err);

/* Frees a query and its tree.  NULL is a no-op. */
void dc_query_free(dc_query *q);

/* The root of the tree (never NULL for a parsed query).  Owned by q. */
const dc_qnode *dc_query_root(const dc_query *q);

/*
 * Appends the canonical S-expression of q to out, e.g.
 *   (and (term "korea" "korea") (phrase "nsc" "5907") (not (term "soviet" "soviet")))
 * Forms: (term [FIELD] [exact] "TERM" "STEM"), (phrase [FIELD] "T1" "T2" ...),
 * (prefix [FIELD] "P"), (and ...), (or ...), (not X), (date FROM TO) with
 * * for an open bound, (class "SECRET"), (cites "V"), (collection "V");
 * FIELD is title or person.  Returns out->rc (sticky: DC_NOMEM, DC_LIMIT).
 */
dc_rc dc_query_to_string(const dc_query *q, dc_buf *out);

#endif
