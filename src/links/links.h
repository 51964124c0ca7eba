/*
 * declass — connected records: the persons a volume's List of Persons
 * names and where text names them (persons.c), what the record says about
 * an NSC policy paper and its chain of supersession (papers.c), and a
 * document's references resolved to other documents (refs.c).
 *
 * An engine below the facade: it opens no store and searches no index.
 * Every document it reads comes from its caller through dc_links_env, as
 * the reader's view (the facade's dc_db_view_doc), so whatever it says is
 * derived from what the reader may read and from nothing else.  Not
 * exported; the facade's dc_db_person, dc_db_persons, dc_db_paper and
 * dc_db_refs are built on it.
 */
#ifndef DC_LINKS_H
#define DC_LINKS_H

#include "declass/model.h"
#include "refs/refs.h"

/* ---- the caller's side ------------------------------------------------ */

/* Why the engine asks the index for citing documents (the caller's error
 * messages name it). */
typedef enum dc_links_purpose {
    DC_LINKS_FOR_PAPERS, /* a paper's record, or the document that is a paper */
    DC_LINKS_FOR_REFS    /* the documents citing a document (incoming references) */
} dc_links_purpose;

typedef dc_rc (*dc_links_id_fn)(void *ctx, const char *id);

/*
 * What the engine needs of its caller, all as the reader the caller acts
 * for.  Each function gets ctx.  A function returning an error stops the
 * engine, which returns that error; the caller sets its own message.
 */
typedef struct dc_links_env {
    void *ctx;
    /* The reader's view of the current version of document id: *out
     * borrowed (the caller may share it, e.g. from a memo of views), valid
     * until the engine hands it back with done, which it does for every
     * view it got; *out NULL and DC_OK when it does not exist or the
     * reader may not read it. */
    dc_rc (*view)(void *ctx, const char *id, const dc_doc **out);
    /* The reader's view of the document numbered number in collection, or
     * *out NULL (as view). */
    dc_rc (*numbered)(void *ctx, const char *collection, const char *number,
                      const dc_doc **out);
    /* Hands back a view of view or numbered (NULL: no-op). */
    void (*done)(void *ctx, const dc_doc *v);
    /* Appends to ids (in the index's order) the documents the reader may
     * read that the index says cite value (cites:"VALUE"), only those of
     * collection when it is not NULL; about max at most (whole pages). */
    dc_rc (*cites)(void *ctx, dc_links_purpose why, const char *value, const char *collection,
                   size_t max, dc_strv *ids);
    /* Calls each(each_ctx, id), in the index's order, on the documents the
     * reader may read that the index says name person word
     * (person:"WORD"), about max at most; stops at the first error. */
    dc_rc (*named)(void *ctx, const char *word, size_t max, dc_links_id_fn each,
                   void *each_ctx);
} dc_links_env;

/* ---- persons (persons.c) ---------------------------------------------- */

/*
 * One known person, an entry of a volume's List of Persons, with the forms
 * text writes the name in (the rule at the top of persons.c):
 * "Eisenhower, Dwight D." gives full "Dwight D. Eisenhower", first
 * "Dwight Eisenhower" and surname "Eisenhower".
 */
typedef struct dc_persons_entry {
    char *collection, *xml_id, *name, *description;
    char *full;    /* the written form: forenames without ranks and suffixes, surname */
    char *first;   /* the first forename that is no initial, then the surname, or NULL */
    char *surname; /* last word of full: the key text is matched by */
    int comma;     /* the list name is "Surname, Forenames" */
    int unique;    /* no other known person has this surname */
} dc_persons_entry;

/* The known persons: an opaque, read-only set once finished. */
typedef struct dc_persons dc_persons;

/* An empty set (*out owned by the caller, dc_persons_free); DC_NOMEM. */
dc_rc dc_persons_new(dc_persons **out);
/* Adds an entry (the strings are copied; description may be NULL for "")
 * and derives its written forms.  DC_NOMEM; DC_MISUSE after finish. */
dc_rc dc_persons_add(dc_persons *ps, const char *collection, const char *xml_id,
                     const char *name, const char *description);
/* Ends the adding: indexes the entries by id and by surname and marks the
 * unique surnames.  DC_NOMEM (the set must then only be freed). */
dc_rc dc_persons_finish(dc_persons *ps);
void dc_persons_free(dc_persons *ps); /* NULL: no-op */
/* The entries, in the order added; borrowed until dc_persons_free. */
size_t dc_persons_count(const dc_persons *ps);
const dc_persons_entry *dc_persons_at(const dc_persons *ps, size_t i);
/* The list name of entry xml_id of collection's list, or NULL; borrowed
 * until dc_persons_free.  Needs a finished set. */
const char *dc_persons_name(const dc_persons *ps, const char *collection, const char *xml_id);
/* Adds to doc->persons the known persons doc's title, portions, footnotes
 * and source note name (the plain-text rule of persons.c): the words as
 * written and the list name.  Needs a finished set.  DC_NOMEM. */
dc_rc dc_persons_match(const dc_persons *ps, dc_doc *doc);

/* A readable document naming a person (borrowed for the callback). */
typedef struct dc_persons_doc {
    const char *id, *title, *date; /* date "YYYY-MM-DD" or NULL */
} dc_persons_doc;

/* One person found, handed to a dc_persons_cb: an entry's list name, or
 * (collection, xml_id and description NULL) a name as written that no
 * list has.  Strings and documents borrowed for the callback. */
typedef struct dc_persons_hit {
    const char *name, *collection, *xml_id, *description;
    long n_documents;
    const dc_persons_doc *documents; /* by date (undated last), then id; NULL
                                        from dc_persons_index */
} dc_persons_hit;
typedef dc_rc (*dc_persons_cb)(void *ctx, const dc_persons_hit *h);

/*
 * The persons matching want (trimmed, non-empty): each entry, in the order
 * added, whose list name contains want (ASCII case-insensitive) or whose
 * full or first form is want, at most max of them, each with the documents
 * naming it; when no entry matches, want itself as written, if some
 * document names it.  A person's documents are the candidates env->named
 * finds for its surname (for want as written: want), confirmed on the
 * reader's view (env->view): the view's persons hold the list name, a
 * written form, or — in a document of the entry's own collection — the
 * bare surname when it is unique.  Each person goes to cb; *found (may be
 * NULL) counts them, also after a failure.  Needs a finished set.
 */
dc_rc dc_persons_lookup(const dc_persons *ps, const char *want, long max,
                        const dc_links_env *env, dc_persons_cb cb, void *ctx, long *found);
/* The person index: each entry (by list name, case-insensitive, then
 * collection and xml_id) with at least one confirmed document, handed to
 * cb with its count and no documents; *shown (may be NULL) counts them. */
dc_rc dc_persons_index(const dc_persons *ps, const dc_links_env *env, dc_persons_cb cb,
                       void *ctx, long *shown);

/* ---- NSC policy papers (papers.c) ------------------------------------- */

/* The end of the paper name ("NSC 5907", "NSC 5429/5") standing as a
 * whole word at s (s in [lo, ...), the byte before s is looked at when
 * s > lo), copied to out; NULL when none. */
const char *dc_papers_word(const char *lo, const char *s, char out[DC_REFS_PAPER_MAX]);
/* "Month D[, YYYY]" at s, the year from date ("YYYY-MM-DD", or NULL) when
 * not written: 1 and out "YYYY-MM-DD" when it is a valid date, else 0. */
int dc_papers_written_date(const char *s, const char *date, char out[11]);
/* The paper the view v is (the rule of dc_db_paper in declass.h: its
 * title, or a heading among its first portions), or "" in out. */
void dc_papers_of_doc(const dc_doc *v, char out[DC_REFS_PAPER_MAX]);

/*
 * Fills p (name set, the rest zeroed by the caller; dc_papers_clear after,
 * also on failure) with the record of paper name (normalized: "NSC 5907"),
 * read from the reader's views (env->view, references derived again from
 * the view's own text) of the documents env->cites finds citing it, and
 * its chain by the same reading of each neighbour.  DC_NOTFOUND when
 * nothing is known of the paper (no document is it, discusses it, or
 * relates it to another); DC_NOMEM; or env's error.
 */
dc_rc dc_papers_record_get(const dc_links_env *env, const char *name, dc_paper *p);
/* Frees what p holds (its name too) and zeroes it; p itself is the
 * caller's. */
void dc_papers_clear(dc_paper *p);
/* The readable document other than exclude (an id, or NULL) that is paper
 * name, of collection first when it is not NULL: *out (env's view, handed
 * back with env->done) NULL when none. */
dc_rc dc_papers_document(const dc_links_env *env, const char *name, const char *collection,
                         const char *exclude, const dc_doc **out);

/* ---- references (refs.c) ---------------------------------------------- */

/* The number N of a volume reference's fragment "dN" or "dNfnM", copied
 * to num (cap bytes): 1, or 0 when frag is no such fragment. */
int dc_links_volume_number(const char *frag, char *num, size_t cap);
/* Whether the view v's own text says "supersede[sd]? TARGET" (TARGET a
 * whole word), in its title, portions, footnotes or source note. */
int dc_links_says_supersedes(const dc_doc *v, const char *target);
/* The "document" or "footnote" reference of v to number, or NULL. */
const dc_ref *dc_links_cites_number(const dc_doc *v, const char *number);

/*
 * The readable document a reference r of doc points to (*out env's view,
 * handed back with env->done), or NULL: "document" and "footnote" references by their number
 * in doc's collection; "volume" references with a fragment "dN" by number
 * N in that volume; "paper" references to the document that is the paper
 * (dc_papers_document), of doc's collection first, doc itself excluded.
 */
dc_rc dc_links_resolve(const dc_links_env *env, const dc_doc *doc, const dc_ref *r,
                       const dc_doc **out);

/* One reference as dc_links_refs hands it over (strings borrowed for the
 * callback; any may be NULL): the fields of dc_ref_link (declass.h). */
typedef struct dc_links_ref {
    int incoming;
    const char *kind, *target, *relation, *detail;
    const char *id, *title; /* the readable document it resolves to */
} dc_links_ref;
typedef dc_rc (*dc_links_ref_cb)(void *ctx, const dc_links_ref *r);

/*
 * The references of the view doc: its outgoing ones, each resolved
 * (dc_links_resolve), then the incoming ones — the readable documents of
 * its collection env->cites finds citing its number (at most one page),
 * confirmed on their views.  A "supersedes" relation is handed over only
 * when the citing view's own text states it.
 */
dc_rc dc_links_refs(const dc_links_env *env, const dc_doc *doc, dc_links_ref_cb cb, void *ctx);

#endif
