/*
 * The facade, persons: the persons a volume's List of Persons names, found
 * in documents by persName/@corresp (TEI, resolved at ingest) and by name
 * in plain text, and the readable documents that name each of them.
 *
 * Rule for plain text (dc_db_persons_match), deliberately conservative.
 * A list name "Surname, Forenames[, Jr.]" gives the written forms
 *   - full:  the forenames without ranks ("Brigadier General", "Sir",
 *            "Admiral") and suffixes ("Jr.", "II"), then the surname:
 *            "Dwight D. Eisenhower", "John Foster Dulles";
 *   - first: the first forename that is not an initial, then the surname:
 *            "Dwight Eisenhower", "Andrew Goodpaster";
 *   - title: a title word then the surname ("Secretary Dulles",
 *            "President Eisenhower"), only when no other known person has
 *            that surname;
 * a list name without a comma ("Song Yo-chan", "Kim Il-sung") gives only
 * itself.  The words must stand as whole words, separated by blanks; the
 * surname may be followed by punctuation or "'s".  A bare surname is never
 * enough: "Eisenhower Library", "Gray", "Green", "White" or "Dulles" (two
 * of them) would say too much.  Persons of every stored list are matched.
 * A match adds the words as written and the list name to doc->persons.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "facade/facade_int.h"
#include "query/query.h"
#include "util/banned.h"

#define NAME_WORDS 8        /* words of a written form that are matched */
#define MAX_DOC_PERSONS 10000 /* names text matching adds to one document */
#define MAX_PERSON_DOCS 10000 /* documents confirmed for one person */

typedef struct kperson {
    char *collection, *xml_id, *name, *description;
    char *full;    /* written form: "Dwight D. Eisenhower" */
    char *first;   /* "Dwight Eisenhower", or NULL */
    char *surname; /* last word of full: the key text is matched by */
    int comma;     /* the list name is "Surname, Forenames" */
    int unique;    /* no other known person has this surname */
} kperson;

struct dc_person_cache {
    kperson *v;
    size_t n, cap;
    kperson **by_id;      /* by collection, xml_id */
    kperson **by_surname; /* by surname */
    dc_rc rc;
};

static void kperson_release(kperson *p)
{
    free(p->collection);
    free(p->xml_id);
    free(p->name);
    free(p->description);
    free(p->full);
    free(p->first);
    free(p->surname);
}

void dc_db_persons_forget(dc_db *db)
{
    if (!db || !db->persons) return;
    for (size_t i = 0; i < db->persons->n; i++) kperson_release(&db->persons->v[i]);
    free(db->persons->v);
    free(db->persons->by_id);
    free(db->persons->by_surname);
    free(db->persons);
    db->persons = NULL;
}

static int is_rank(const char *w, size_t n)
{
    static const char *const ranks[] = {"Sir", "General", "Admiral", "Lieutenant", "Brigadier",
                                        "Major", "Colonel", "Captain", "Vice", "Rear", "Dr.",
                                        "Mr.", "Mrs."};
    for (size_t i = 0; i < sizeof ranks / sizeof ranks[0]; i++)
        if (strlen(ranks[i]) == n && memcmp(ranks[i], w, n) == 0) return 1;
    return 0;
}

static int is_suffix(const char *w, size_t n)
{
    static const char *const sfx[] = {"Jr.", "Sr.", "Jr", "II", "III", "IV"};
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++)
        if (strlen(sfx[i]) == n && memcmp(sfx[i], w, n) == 0) return 1;
    return 0;
}

/* An initial: "D.", "S.D.", "C". */
static int is_initial(const char *w, size_t n)
{
    return n <= 1 || w[n - 1] == '.' || (n == 2 && isupper((unsigned char)w[0]) &&
                                         isupper((unsigned char)w[1]));
}

/* Derives the written forms of p->name (see the rule above). */
static dc_rc person_forms(kperson *p)
{
    char clean[512];
    size_t o = 0;
    int paren = 0;
    for (const char *s = p->name; *s && o + 1 < sizeof clean; s++) {
        if (*s == '(') paren++;
        else if (*s == ')' && paren) paren--;
        else if (!paren) clean[o++] = *s;
    }
    clean[o] = '\0';
    const char *comma = strchr(clean, ',');
    dc_buf full, first;
    dc_buf_init(&full, sizeof clean + 2);
    dc_buf_init(&first, sizeof clean + 2);
    char surname[512];
    if (comma) {
        size_t sn = (size_t)(comma - clean);
        while (sn > 0 && clean[sn - 1] == ' ') sn--;
        memcpy(surname, clean, sn);
        surname[sn] = '\0';
        /* forenames: the part up to the next comma */
        const char *f = comma + 1, *fe = strchr(f, ',');
        if (!fe) fe = f + strlen(f);
        int nwords = 0, ranks = 1, have_first = 0;
        for (const char *w = f; w < fe;) {
            while (w < fe && *w == ' ') w++;
            const char *e = w;
            while (e < fe && *e != ' ') e++;
            size_t n = (size_t)(e - w);
            if (n == 0) break;
            if (ranks && is_rank(w, n)) {
                w = e;
                continue;
            }
            ranks = 0;
            if (!is_suffix(w, n)) {
                if (nwords++) dc_buf_putc(&full, ' ');
                dc_buf_add(&full, w, n);
                if (!have_first && !is_initial(w, n)) {
                    dc_buf_add(&first, w, n);
                    have_first = 1;
                }
            }
            w = e;
        }
        p->comma = sn > 0 && nwords > 0;
        if (p->comma) {
            dc_buf_putc(&full, ' ');
            dc_buf_puts(&full, surname);
            if (have_first) {
                dc_buf_putc(&first, ' ');
                dc_buf_puts(&first, surname);
            }
        } else {
            dc_buf_reset(&full);
            dc_buf_puts(&full, surname);
            have_first = 0;
        }
        if (!have_first || (first.p && full.p && strcmp(first.p, full.p) == 0))
            dc_buf_reset(&first);
    } else {
        size_t n = strlen(clean);
        while (n > 0 && clean[n - 1] == ' ') n--;
        size_t b = 0;
        while (b < n && clean[b] == ' ') b++;
        dc_buf_add(&full, clean + b, n - b);
    }
    dc_rc rc = full.rc ? full.rc : first.rc;
    if (!rc && full.len > 0) {
        p->full = dc_buf_detach(&full);
        if (first.len > 0) p->first = dc_buf_detach(&first);
        const char *last = strrchr(p->full, ' ');
        p->surname = dc_strdup(last ? last + 1 : p->full);
        if (!p->full || (first.len > 0 && !p->first) || !p->surname) rc = DC_NOMEM;
    }
    dc_buf_release(&full);
    dc_buf_release(&first);
    return rc;
}

static dc_rc cache_row(void *ctx, const dc_list_row *r)
{
    struct dc_person_cache *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        kperson *v = realloc(c->v, cap * sizeof *v);
        if (!v) return DC_NOMEM;
        c->v = v;
        c->cap = cap;
    }
    kperson *p = &c->v[c->n];
    memset(p, 0, sizeof *p);
    c->n++;
    if (!(p->collection = dc_strdup(r->collection)) || !(p->xml_id = dc_strdup(r->xml_id)) ||
        !(p->name = dc_strdup(r->name)) || !(p->description = dc_strdup(r->description)))
        return DC_NOMEM;
    return person_forms(p);
}

static int cmp_id(const void *a, const void *b)
{
    const kperson *x = *(kperson *const *)a, *y = *(kperson *const *)b;
    int c = strcmp(x->collection, y->collection);
    return c ? c : strcmp(x->xml_id, y->xml_id);
}

static int cmp_surname(const void *a, const void *b)
{
    const kperson *x = *(kperson *const *)a, *y = *(kperson *const *)b;
    return strcmp(x->surname ? x->surname : "", y->surname ? y->surname : "");
}

/* The known persons, loaded from the store on first use. */
static dc_rc cache(dc_db *db, struct dc_person_cache **out)
{
    *out = db->persons;
    if (db->persons) return DC_OK;
    struct dc_person_cache *c = calloc(1, sizeof *c);
    if (!c) return DC_NOMEM;
    db->persons = c;
    dc_rc rc = dc_store_list_rows(db->st, DC_LIST_PERSONS, NULL, cache_row, c);
    if (rc) {
        dc_db_persons_forget(db);
        return dc_db_fail(db, rc, "reading the persons lists: %s", dc_store_errmsg(db->st));
    }
    size_t n = c->n ? c->n : 1;
    c->by_id = malloc(n * sizeof *c->by_id);
    c->by_surname = malloc(n * sizeof *c->by_surname);
    if (!c->by_id || !c->by_surname) {
        dc_db_persons_forget(db);
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < c->n; i++) c->by_id[i] = c->by_surname[i] = &c->v[i];
    qsort(c->by_id, c->n, sizeof *c->by_id, cmp_id);
    qsort(c->by_surname, c->n, sizeof *c->by_surname, cmp_surname);
    for (size_t i = 0; i < c->n; i++) {
        kperson *p = c->by_surname[i];
        int same = (i > 0 && cmp_surname(&c->by_surname[i - 1], &c->by_surname[i]) == 0) ||
                   (i + 1 < c->n && cmp_surname(&c->by_surname[i + 1], &c->by_surname[i]) == 0);
        p->unique = p->surname && !same;
    }
    *out = c;
    return DC_OK;
}

const char *dc_db_person_name(dc_db *db, const char *collection, const char *xml_id)
{
    struct dc_person_cache *c;
    if (!collection || !xml_id || cache(db, &c) != DC_OK) return NULL;
    kperson key = {.collection = (char *)collection, .xml_id = (char *)xml_id}, *kp = &key;
    kperson **hit = bsearch(&kp, c->by_id, c->n, sizeof *c->by_id, cmp_id);
    return hit ? (*hit)->name : NULL;
}

/* ---- plain text ----------------------------------------------------------- */

typedef struct tok {
    const char *p;
    size_t n;
} tok;

static int lead_punct(char c) { return c == '(' || c == '"' || c == '\'' || c == '['; }

/* A token without the punctuation that may follow a name: ",", ".",
 * ";", ":", ")", quotes, "'s" / "’s". */
static size_t core_len(const char *p, size_t n)
{
    if (n > 2 && p[n - 2] == '\'' && p[n - 1] == 's') n -= 2;
    if (n > 4 && memcmp(p + n - 4, "\xE2\x80\x99s", 4) == 0) n -= 4;
    while (n > 0 && strchr(",.;:)]\"'!?", p[n - 1])) n--;
    return n;
}

/* Whether the tokens ending at ring[k-1] (the surname, already matched)
 * are the words of form. */
static int form_ends_here(const tok *ring, size_t k, const char *form)
{
    tok w[NAME_WORDS];
    size_t nw = 0;
    for (const char *s = form; *s && nw < NAME_WORDS + 1;) {
        while (*s == ' ') s++;
        const char *e = s;
        while (*e && *e != ' ') e++;
        if (e == s) break;
        if (nw == NAME_WORDS) return 0;
        w[nw].p = s;
        w[nw].n = (size_t)(e - s);
        nw++;
        s = e;
    }
    if (nw == 0 || nw > k) return 0;
    for (size_t i = 0; i + 1 < nw; i++) {
        const tok *t = &ring[k - nw + i];
        const char *p = t->p;
        size_t n = t->n;
        if (i == 0)
            while (n > 0 && lead_punct(*p)) p++, n--;
        if (n != w[i].n || memcmp(p, w[i].p, n) != 0) return 0;
    }
    return 1;
}

static int is_title(const tok *t)
{
    static const char *const titles[] = {"President", "Secretary", "Ambassador", "General",
                                         "Admiral",   "Governor",  "Senator",    "Minister",
                                         "Chairman",  "Director",  "Mr.",        "Mrs.",
                                         "Dr.",       "Chancellor", "Premier"};
    const char *p = t->p;
    size_t n = t->n;
    while (n > 0 && lead_punct(*p)) p++, n--;
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (strlen(titles[i]) == n && memcmp(titles[i], p, n) == 0) return 1;
    return 0;
}

static dc_rc add_match(dc_doc *doc, const char *written, size_t wn, const kperson *p)
{
    if (doc->persons.n >= MAX_DOC_PERSONS) return DC_OK;
    char buf[512];
    if (wn >= sizeof buf) return DC_OK;
    memcpy(buf, written, wn);
    buf[wn] = '\0';
    dc_rc rc = dc_strv_add_unique(&doc->persons, buf);
    if (!rc) rc = dc_strv_add_unique(&doc->persons, p->name);
    return rc;
}

/* The surname at the end of ring[0..k) (core text cn bytes): adds each
 * known person it completes a written form of. */
static dc_rc match_at(struct dc_person_cache *c, dc_doc *doc, const tok *ring, size_t k,
                      size_t cn)
{
    char key[256];
    if (cn == 0 || cn >= sizeof key) return DC_OK;
    memcpy(key, ring[k - 1].p, cn);
    key[cn] = '\0';
    kperson probe = {.surname = key}, *pp = &probe;
    kperson **hit = bsearch(&pp, c->by_surname, c->n, sizeof *c->by_surname, cmp_surname);
    if (!hit) return DC_OK;
    while (hit > c->by_surname && cmp_surname(hit - 1, &pp) == 0) hit--;
    dc_rc rc = DC_OK;
    for (; !rc && hit < c->by_surname + c->n && cmp_surname(hit, &pp) == 0; hit++) {
        const kperson *p = *hit;
        const char *form = NULL;
        if (form_ends_here(ring, k, p->full)) form = p->full;
        else if (p->first && form_ends_here(ring, k, p->first)) form = p->first;
        if (form) {
            rc = add_match(doc, form, strlen(form), p);
        } else if (p->comma && p->unique && k >= 2 && is_title(&ring[k - 2])) {
            rc = add_match(doc, key, cn, p);
        }
    }
    return rc;
}

/* Scans one text: tokens are runs of non-blank bytes; the last NAME_WORDS
 * are kept so a form can be matched backwards from its surname. */
static dc_rc match_text(struct dc_person_cache *c, dc_doc *doc, const char *s)
{
    tok ring[NAME_WORDS];
    size_t k = 0;
    dc_rc rc = DC_OK;
    for (const char *p = s; p && *p && !rc;) {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *e = p;
        while (*e && !isspace((unsigned char)*e)) e++;
        if (k == NAME_WORDS) {
            memmove(ring, ring + 1, (NAME_WORDS - 1) * sizeof *ring);
            k--;
        }
        ring[k].p = p;
        ring[k].n = (size_t)(e - p);
        k++;
        if (isupper((unsigned char)*p) || (unsigned char)*p >= 0x80)
            rc = match_at(c, doc, ring, k, core_len(p, (size_t)(e - p)));
        p = e;
    }
    return rc;
}

dc_rc dc_db_persons_match(dc_db *db, dc_doc *doc)
{
    struct dc_person_cache *c;
    dc_rc rc = cache(db, &c);
    if (rc || c->n == 0) return rc;
    rc = match_text(c, doc, doc->title);
    for (size_t i = 0; !rc && i < doc->n_portions; i++)
        rc = match_text(c, doc, doc->portions[i].text);
    for (size_t i = 0; !rc && i < doc->n_footnotes; i++)
        rc = match_text(c, doc, doc->footnotes[i].text);
    if (!rc) rc = match_text(c, doc, doc->source_note);
    return rc;
}

/* ---- lookups ---------------------------------------------------------- */

/* A document confirmed for a person (owned copies). */
typedef struct pdoc {
    char *id, *title, *date;
} pdoc;

/* What the reader's view of one document says, kept for the call so a
 * document is viewed once however many persons it names. */
typedef struct vdoc {
    char *id, *title, *date, *collection;
    dc_strv persons;
    int readable;
} vdoc;

typedef struct lookup {
    dc_db *db;
    vdoc *v;
    size_t n, cap;
} lookup;

static void lookup_release(lookup *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].id);
        free(l->v[i].title);
        free(l->v[i].date);
        free(l->v[i].collection);
        dc_strv_release(&l->v[i].persons);
    }
    free(l->v);
}

/* The reader's view of document id, through the call's memo. */
static dc_rc view_of(lookup *l, const char *id, const vdoc **out)
{
    *out = NULL;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].id, id) == 0) {
            *out = &l->v[i];
            return DC_OK;
        }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        vdoc *v = realloc(l->v, cap * sizeof *v);
        if (!v) return DC_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    vdoc *d = &l->v[l->n];
    memset(d, 0, sizeof *d);
    dc_doc *view = NULL;
    int denied = 0;
    dc_rc rc = dc_db_view(l->db, id, 0, &view, &denied);
    if (rc && rc != DC_NOTFOUND) return rc;
    if (!(d->id = dc_strdup(id))) rc = DC_NOMEM;
    if (view && !rc) {
        d->readable = 1;
        if (dc_str_set(&d->title, view->title) || dc_str_set(&d->date, view->date) ||
            dc_str_set(&d->collection, view->collection))
            rc = DC_NOMEM;
        d->persons = view->persons;
        memset(&view->persons, 0, sizeof view->persons);
    } else if (rc == DC_NOTFOUND) {
        rc = DC_OK;
    }
    dc_doc_free(view);
    l->n++; /* kept even when incomplete, so it is released */
    if (!rc) *out = d;
    return rc;
}

/* Whether a name in a view's persons stands for p: the list name; a
 * written form; or, in a document of p's own volume, the bare surname
 * when the volume's editors tagged it and no other known person has it. */
static int names_person(const vdoc *d, const kperson *p)
{
    for (size_t i = 0; i < d->persons.n; i++) {
        const char *s = d->persons.v[i];
        if (strcmp(s, p->name) == 0 || strcmp(s, p->full) == 0 ||
            (p->first && strcmp(s, p->first) == 0))
            return 1;
        if (p->unique && p->comma && strcmp(s, p->surname) == 0 && d->collection &&
            strcmp(d->collection, p->collection) == 0)
            return 1;
    }
    return 0;
}

static int names_written(const vdoc *d, const char *name)
{
    for (size_t i = 0; i < d->persons.n; i++)
        if (strcasecmp(d->persons.v[i], name) == 0) return 1;
    return 0;
}

static int cmp_pdoc(const void *a, const void *b)
{
    const pdoc *x = a, *y = b;
    if (!x->date != !y->date) return x->date ? -1 : 1;
    int c = x->date ? strcmp(x->date, y->date) : 0;
    return c ? c : strcmp(x->id, y->id);
}

/*
 * The readable documents naming p (or, p NULL, the written name): every
 * hit of person:"<word>" as the reader, confirmed on the reader's view.
 * *docs owned by the caller (free_pdocs).
 */
static dc_rc person_docs(lookup *l, const kperson *p, const char *written, pdoc **docs,
                         size_t *n)
{
    dc_db *db = l->db;
    *docs = NULL;
    *n = 0;
    const char *word = p ? p->surname : written;
    if (!word || strchr(word, '"') || strchr(word, '\\')) return DC_OK;
    dc_rc rc = dc_db_search_ready(db);
    if (rc) return rc;
    char qs[600];
    if ((size_t)snprintf(qs, sizeof qs, "person:\"%s\"", word) >= sizeof qs) return DC_OK;
    dc_error err = {0};
    dc_query *q = NULL;
    if (dc_query_parse(db->an, qs, strlen(qs), &q, &err) != DC_OK) return DC_OK;
    dc_access_reader reader = dc_db_reader(db);
    size_t cap = 0;
    for (size_t offset = 0; !rc && offset < MAX_PERSON_DOCS;) {
        dc_search_opts o = {.limit = DC_SEARCH_MAX_LIMIT, .offset = offset,
                            .classification = -1, .reader = &reader};
        dc_search_result *res = NULL;
        rc = dc_index_search(db->ix, db->an, q, &o, &res);
        if (rc) {
            rc = dc_db_fail(db, rc, "finding persons failed: %s", dc_index_errmsg(db->ix));
            break;
        }
        for (size_t i = 0; !rc && i < res->n_hits; i++) {
            const vdoc *d = NULL;
            rc = view_of(l, res->hits[i].id, &d);
            if (rc || !d || !d->readable) continue;
            if (p ? !names_person(d, p) : !names_written(d, written)) continue;
            if (*n == cap) {
                size_t nc = cap ? cap * 2 : 16;
                pdoc *v = realloc(*docs, nc * sizeof *v);
                if (!v) {
                    rc = DC_NOMEM;
                    break;
                }
                *docs = v;
                cap = nc;
            }
            pdoc *pd = &(*docs)[(*n)++];
            pd->id = d->id;
            pd->title = d->title;
            pd->date = d->date;
        }
        size_t got = res->n_hits;
        dc_search_result_free(res);
        if (got < DC_SEARCH_MAX_LIMIT) break;
        offset += got;
    }
    dc_query_free(q);
    if (rc == DC_NOMEM) dc_db_fail(db, rc, "out of memory");
    if (!rc && *n > 1) qsort(*docs, *n, sizeof **docs, cmp_pdoc);
    return rc;
}

/* Hands one person to cb.  pdoc strings are borrowed from the memo. */
static dc_rc emit(const kperson *p, const char *written, const pdoc *docs, size_t n, int list,
                  dc_person_cb cb, void *ctx)
{
    dc_person_doc *out = NULL;
    if (!list && n) {
        out = malloc(n * sizeof *out);
        if (!out) return DC_NOMEM;
        for (size_t i = 0; i < n; i++)
            out[i] = (dc_person_doc){.id = docs[i].id, .title = docs[i].title,
                                     .date = docs[i].date};
    }
    dc_person_info info = {.name = p ? p->name : written,
                           .collection = p ? p->collection : NULL,
                           .xml_id = p ? p->xml_id : NULL,
                           .description = p && p->description[0] ? p->description : NULL,
                           .n_documents = (long)n,
                           .documents = out};
    dc_rc rc = cb(ctx, &info);
    free(out);
    return rc;
}

/* Case-insensitive substring (ASCII folding). */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = hay; *h; h++)
        if (strncasecmp(h, needle, n) == 0) return 1;
    return n == 0;
}

dc_rc dc_db_person(dc_db *db, const char *name, dc_person_cb cb, void *ctx)
{
    if (!cb) return dc_db_fail(db, DC_MISUSE, "dc_db_person: no callback");
    size_t len = name ? strlen(name) : 0;
    while (len > 0 && isspace((unsigned char)name[len - 1])) len--;
    if (len == 0 || len > 200) return dc_db_fail(db, DC_MISUSE, "bad person name");
    char want[256];
    const char *b = name;
    while (isspace((unsigned char)*b)) b++, len--;
    memcpy(want, b, len);
    want[len] = '\0';
    struct dc_person_cache *c;
    dc_rc rc = cache(db, &c);
    if (rc) return rc;
    lookup l = {.db = db};
    long found = 0;
    /* the list's order: by collection, then name (the store's order) */
    for (size_t i = 0; !rc && i < c->n && found < DC_PERSON_MAX_MATCH; i++) {
        const kperson *p = &c->v[i];
        if (!contains_ci(p->name, want) && strcasecmp(p->full, want) != 0 &&
            !(p->first && strcasecmp(p->first, want) == 0))
            continue;
        pdoc *docs = NULL;
        size_t n = 0;
        rc = person_docs(&l, p, NULL, &docs, &n);
        if (!rc) rc = emit(p, NULL, docs, n, 0, cb, ctx);
        free(docs);
        found++;
    }
    if (!rc && found == 0) {
        pdoc *docs = NULL;
        size_t n = 0;
        rc = person_docs(&l, NULL, want, &docs, &n);
        if (!rc && n > 0) {
            rc = emit(NULL, want, docs, n, 0, cb, ctx);
            found++;
        }
        free(docs);
    }
    lookup_release(&l);
    if (rc) return rc;
    char detail[64];
    snprintf(detail, sizeof detail, "%ld persons", found);
    if ((rc = dc_db_audit_add(db, "person", want, detail)) != DC_OK) return rc;
    if (found == 0) return dc_db_fail(db, DC_NOTFOUND, "no person '%s'", want);
    return DC_OK;
}

static int cmp_name(const void *a, const void *b)
{
    const kperson *x = *(kperson *const *)a, *y = *(kperson *const *)b;
    int c = strcasecmp(x->name, y->name);
    if (!c) c = strcmp(x->collection, y->collection);
    return c ? c : strcmp(x->xml_id, y->xml_id);
}

dc_rc dc_db_persons(dc_db *db, dc_person_cb cb, void *ctx)
{
    if (!cb) return dc_db_fail(db, DC_MISUSE, "dc_db_persons: no callback");
    struct dc_person_cache *c;
    dc_rc rc = cache(db, &c);
    if (rc) return rc;
    kperson **order = malloc((c->n ? c->n : 1) * sizeof *order);
    if (!order) return dc_db_fail(db, DC_NOMEM, "out of memory");
    for (size_t i = 0; i < c->n; i++) order[i] = &c->v[i];
    qsort(order, c->n, sizeof *order, cmp_name);
    lookup l = {.db = db};
    long shown = 0;
    for (size_t i = 0; !rc && i < c->n; i++) {
        pdoc *docs = NULL;
        size_t n = 0;
        rc = person_docs(&l, order[i], NULL, &docs, &n);
        if (!rc && n > 0) {
            rc = emit(order[i], NULL, docs, n, 1, cb, ctx);
            shown++;
        }
        free(docs);
    }
    lookup_release(&l);
    free(order);
    if (rc) return rc;
    char detail[64];
    snprintf(detail, sizeof detail, "%ld persons", shown);
    return dc_db_audit_add(db, "persons", NULL, detail);
}
