/*
 * Connected records, persons: the persons a volume's List of Persons names,
 * found in documents by persName/@corresp (TEI, resolved at ingest) and by
 * name in plain text, and the readable documents that name each of them.
 * The documents come from the caller (dc_links_env) as the reader's views.
 *
 * Rule for plain text (dc_persons_match), deliberately conservative.
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

#include "links/links.h"
#include "util/util_int.h"
#include "util/banned.h"

#define NAME_WORDS 8          /* words of a written form that are matched */
#define MAX_DOC_PERSONS 10000 /* names text matching adds to one document */
#define MAX_PERSON_DOCS 10000 /* documents confirmed for one person */

struct dc_persons {
    dc_persons_entry *v;
    size_t n, cap;
    dc_persons_entry **by_id;      /* by collection, xml_id */
    dc_persons_entry **by_surname; /* by surname */
    int finished;
};

static void entry_release(dc_persons_entry *p)
{
    free(p->collection);
    free(p->xml_id);
    free(p->name);
    free(p->description);
    free(p->full);
    free(p->first);
    free(p->surname);
}

void dc_persons_free(dc_persons *ps)
{
    if (!ps) return;
    for (size_t i = 0; i < ps->n; i++) entry_release(&ps->v[i]);
    free(ps->v);
    free(ps->by_id);
    free(ps->by_surname);
    free(ps);
}

dc_rc dc_persons_new(dc_persons **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? DC_OK : DC_NOMEM;
}

size_t dc_persons_count(const dc_persons *ps) { return ps ? ps->n : 0; }

const dc_persons_entry *dc_persons_at(const dc_persons *ps, size_t i)
{
    return ps && i < ps->n ? &ps->v[i] : NULL;
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
static dc_rc person_forms(dc_persons_entry *p)
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

dc_rc dc_persons_add(dc_persons *ps, const char *collection, const char *xml_id,
                     const char *name, const char *description)
{
    if (ps->finished || !collection || !xml_id || !name) return DC_MISUSE;
    if (DC_GROW(ps->v, ps->n + 1, ps->cap)) return DC_NOMEM;
    dc_persons_entry *p = &ps->v[ps->n];
    memset(p, 0, sizeof *p);
    ps->n++; /* kept even when incomplete, so it is released */
    if (!description) description = "";
    if (!(p->collection = dc_strdup(collection)) || !(p->xml_id = dc_strdup(xml_id)) ||
        !(p->name = dc_strdup(name)) || !(p->description = dc_strdup(description)))
        return DC_NOMEM;
    return person_forms(p);
}

static int cmp_id(const void *a, const void *b)
{
    const dc_persons_entry *x = *(dc_persons_entry *const *)a, *y = *(dc_persons_entry *const *)b;
    int c = strcmp(x->collection, y->collection);
    return c ? c : strcmp(x->xml_id, y->xml_id);
}

static int cmp_surname(const void *a, const void *b)
{
    const dc_persons_entry *x = *(dc_persons_entry *const *)a, *y = *(dc_persons_entry *const *)b;
    return strcmp(x->surname ? x->surname : "", y->surname ? y->surname : "");
}

dc_rc dc_persons_finish(dc_persons *ps)
{
    size_t n = ps->n ? ps->n : 1;
    free(ps->by_id);
    free(ps->by_surname);
    ps->by_id = malloc(n * sizeof *ps->by_id);
    ps->by_surname = malloc(n * sizeof *ps->by_surname);
    if (!ps->by_id || !ps->by_surname) return DC_NOMEM;
    for (size_t i = 0; i < ps->n; i++) ps->by_id[i] = ps->by_surname[i] = &ps->v[i];
    qsort(ps->by_id, ps->n, sizeof *ps->by_id, cmp_id);
    qsort(ps->by_surname, ps->n, sizeof *ps->by_surname, cmp_surname);
    for (size_t i = 0; i < ps->n; i++) {
        dc_persons_entry *p = ps->by_surname[i];
        int same = (i > 0 && cmp_surname(&ps->by_surname[i - 1], &ps->by_surname[i]) == 0) ||
                   (i + 1 < ps->n && cmp_surname(&ps->by_surname[i + 1], &ps->by_surname[i]) == 0);
        p->unique = p->surname && !same;
    }
    ps->finished = 1;
    return DC_OK;
}

const char *dc_persons_name(const dc_persons *ps, const char *collection, const char *xml_id)
{
    if (!ps || !ps->finished || !collection || !xml_id) return NULL;
    dc_persons_entry key = {.collection = (char *)collection, .xml_id = (char *)xml_id}, *kp = &key;
    dc_persons_entry **hit = bsearch(&kp, ps->by_id, ps->n, sizeof *ps->by_id, cmp_id);
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

static dc_rc add_match(dc_doc *doc, const char *written, size_t wn, const dc_persons_entry *p)
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
static dc_rc match_at(const dc_persons *c, dc_doc *doc, const tok *ring, size_t k,
                      size_t cn)
{
    char key[256];
    if (cn == 0 || cn >= sizeof key) return DC_OK;
    memcpy(key, ring[k - 1].p, cn);
    key[cn] = '\0';
    dc_persons_entry probe = {.surname = key}, *pp = &probe;
    dc_persons_entry **hit = bsearch(&pp, c->by_surname, c->n, sizeof *c->by_surname, cmp_surname);
    if (!hit) return DC_OK;
    while (hit > c->by_surname && cmp_surname(hit - 1, &pp) == 0) hit--;
    dc_rc rc = DC_OK;
    for (; !rc && hit < c->by_surname + c->n && cmp_surname(hit, &pp) == 0; hit++) {
        const dc_persons_entry *p = *hit;
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
static dc_rc match_text(const dc_persons *c, dc_doc *doc, const char *s)
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

dc_rc dc_persons_match(const dc_persons *c, dc_doc *doc)
{
    if (!c || !c->finished || c->n == 0) return DC_OK;
    dc_rc rc = match_text(c, doc, doc->title);
    for (size_t i = 0; !rc && i < doc->n_portions; i++)
        rc = match_text(c, doc, doc->portions[i].text);
    for (size_t i = 0; !rc && i < doc->n_footnotes; i++)
        rc = match_text(c, doc, doc->footnotes[i].text);
    if (!rc) rc = match_text(c, doc, doc->source_note);
    return rc;
}

/* ---- lookups ---------------------------------------------------------- */

/* What the reader's view of one document says, kept for the call so a
 * document is viewed once however many persons it names. */
typedef struct vdoc {
    char *id, *title, *date, *collection;
    dc_strv persons;
    int readable;
} vdoc;

typedef struct lookup {
    const dc_links_env *env;
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
    if (DC_GROW(l->v, l->n + 1, l->cap)) return DC_NOMEM;
    vdoc *d = &l->v[l->n];
    memset(d, 0, sizeof *d);
    const dc_doc *view = NULL;
    dc_rc rc = l->env->view(l->env->ctx, id, &view);
    if (rc) {
        l->env->done(l->env->ctx, view);
        return rc;
    }
    if (!(d->id = dc_strdup(id))) rc = DC_NOMEM;
    if (view && !rc) {
        d->readable = 1;
        if (dc_str_set(&d->title, view->title) || dc_str_set(&d->date, view->date) ||
            dc_str_set(&d->collection, view->collection))
            rc = DC_NOMEM;
        for (size_t k = 0; !rc && k < view->persons.n; k++)
            rc = dc_strv_push(&d->persons, view->persons.v[k]);
    }
    l->env->done(l->env->ctx, view);
    l->n++; /* kept even when incomplete, so it is released */
    if (!rc) *out = d;
    return rc;
}

/* Whether a name in a view's persons stands for p: the list name; a
 * written form; or, in a document of p's own volume, the bare surname
 * when the volume's editors tagged it and no other known person has it. */
static int names_person(const vdoc *d, const dc_persons_entry *p)
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
    const dc_persons_doc *x = a, *y = b;
    if (!x->date != !y->date) return x->date ? -1 : 1;
    int c = x->date ? strcmp(x->date, y->date) : 0;
    return c ? c : strcmp(x->id, y->id);
}

/* The documents of one person being gathered. */
typedef struct pdocs {
    lookup *l;
    const dc_persons_entry *p; /* or NULL: written */
    const char *written;
    dc_persons_doc *v; /* strings borrowed from the memo */
    size_t n, cap;
} pdocs;

/* One candidate of env->named: kept when its view names the person. */
static dc_rc confirm(void *ctx, const char *id)
{
    pdocs *pd = ctx;
    const vdoc *d = NULL;
    dc_rc rc = view_of(pd->l, id, &d);
    if (rc || !d || !d->readable) return rc;
    if (pd->p ? !names_person(d, pd->p) : !names_written(d, pd->written)) return DC_OK;
    if (DC_GROW(pd->v, pd->n + 1, pd->cap)) return DC_NOMEM;
    pd->v[pd->n++] = (dc_persons_doc){.id = d->id, .title = d->title, .date = d->date};
    return DC_OK;
}

/*
 * The readable documents naming p (or, p NULL, the written name): every
 * candidate env->named finds for the word, confirmed on the reader's view.
 * pd->v owned by the caller.
 */
static dc_rc person_docs(lookup *l, const dc_persons_entry *p, const char *written, pdocs *pd)
{
    *pd = (pdocs){.l = l, .p = p, .written = written};
    const char *word = p ? p->surname : written;
    if (!word) return DC_OK;
    dc_rc rc = l->env->named(l->env->ctx, word, MAX_PERSON_DOCS, confirm, pd);
    if (!rc && pd->n > 1) qsort(pd->v, pd->n, sizeof *pd->v, cmp_pdoc);
    return rc;
}

/* Hands one person to cb. */
static dc_rc emit(const dc_persons_entry *p, const char *written, const pdocs *pd, int list,
                  dc_persons_cb cb, void *ctx)
{
    dc_persons_hit h = {.name = p ? p->name : written,
                        .collection = p ? p->collection : NULL,
                        .xml_id = p ? p->xml_id : NULL,
                        .description = p && p->description[0] ? p->description : NULL,
                        .n_documents = (long)pd->n,
                        .documents = !list && pd->n ? pd->v : NULL};
    return cb(ctx, &h);
}

/* Case-insensitive substring (ASCII folding). */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = hay; *h; h++)
        if (strncasecmp(h, needle, n) == 0) return 1;
    return n == 0;
}

dc_rc dc_persons_lookup(const dc_persons *c, const char *want, long max,
                        const dc_links_env *env, dc_persons_cb cb, void *ctx, long *found)
{
    long nfound = 0;
    if (found) *found = 0;
    if (!c || !c->finished || !want) return DC_MISUSE;
    lookup l = {.env = env};
    dc_rc rc = DC_OK;
    /* the order added: the store's, by collection, then name */
    for (size_t i = 0; !rc && i < c->n && nfound < max; i++) {
        const dc_persons_entry *p = &c->v[i];
        if (!contains_ci(p->name, want) && strcasecmp(p->full, want) != 0 &&
            !(p->first && strcasecmp(p->first, want) == 0))
            continue;
        pdocs pd;
        rc = person_docs(&l, p, NULL, &pd);
        if (!rc) rc = emit(p, NULL, &pd, 0, cb, ctx);
        free(pd.v);
        nfound++;
    }
    if (!rc && nfound == 0) {
        pdocs pd;
        rc = person_docs(&l, NULL, want, &pd);
        if (!rc && pd.n > 0) {
            rc = emit(NULL, want, &pd, 0, cb, ctx);
            nfound++;
        }
        free(pd.v);
    }
    lookup_release(&l);
    if (found) *found = nfound;
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    const dc_persons_entry *x = *(dc_persons_entry *const *)a, *y = *(dc_persons_entry *const *)b;
    int c = strcasecmp(x->name, y->name);
    if (!c) c = strcmp(x->collection, y->collection);
    return c ? c : strcmp(x->xml_id, y->xml_id);
}

dc_rc dc_persons_index(const dc_persons *c, const dc_links_env *env, dc_persons_cb cb,
                       void *ctx, long *shown)
{
    long nshown = 0;
    if (shown) *shown = 0;
    if (!c || !c->finished) return DC_MISUSE;
    const dc_persons_entry **order = malloc((c->n ? c->n : 1) * sizeof *order);
    if (!order) return DC_NOMEM;
    for (size_t i = 0; i < c->n; i++) order[i] = &c->v[i];
    qsort(order, c->n, sizeof *order, cmp_name);
    lookup l = {.env = env};
    dc_rc rc = DC_OK;
    for (size_t i = 0; !rc && i < c->n; i++) {
        pdocs pd;
        rc = person_docs(&l, order[i], NULL, &pd);
        if (!rc && pd.n > 0) {
            rc = emit(order[i], NULL, &pd, 1, cb, ctx);
            nshown++;
        }
        free(pd.v);
    }
    lookup_release(&l);
    free(order);
    if (shown) *shown = nshown;
    return rc;
}
