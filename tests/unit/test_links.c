/*
 * Unit tests of the connected-record engine (src/links/) on its own: the
 * written forms of list names and their matching in text, paper names and
 * written dates, the supersedes / approval / annex scans and the chain of
 * a paper, reference resolution — over a small set of documents held in
 * memory and handed over through a dc_links_env as a facade would, some
 * of them unreadable to the reader.
 */
#include <stdlib.h>
#include <strings.h>

#include "links/links.h"
#include "model/model_int.h"
#include "refs/refs.h"
#include "test.h"

/* ---- an in-memory database ------------------------------------------- */

typedef struct mem_doc {
    dc_doc *d;
    int readable;
} mem_doc;

typedef struct mem_db {
    mem_doc v[16];
    size_t n;
    int views; /* calls of view */
    int lent, done; /* views handed out, and handed back */
} mem_db;

/* Adds a document: id "COLL/NUM", title, date (or NULL), portions (kind
 * "paragraph" unless the text starts with "#": "heading"), persons (NULL
 * ended); references derived as ingest does. */
static dc_doc *mem_add(mem_db *m, int readable, const char *coll, const char *num,
                       const char *title, const char *date, const char *const *texts,
                       const char *const *persons)
{
    dc_doc *d = dc_doc_new();
    char id[64];
    snprintf(id, sizeof id, "%s/%s", coll, num);
    dc_str_set(&d->id, id);
    dc_str_set(&d->collection, coll);
    dc_str_set(&d->number, num);
    dc_str_set(&d->title, title);
    dc_str_set(&d->date, date);
    for (size_t i = 0; texts && texts[i]; i++) {
        int head = texts[i][0] == '#';
        dc_portion *p = dc_doc_add_portion(d, head ? "heading" : "paragraph");
        dc_str_set(&p->text, texts[i] + head);
    }
    for (size_t i = 0; persons && persons[i]; i++) dc_strv_push(&d->persons, persons[i]);
    CHECK_INT(dc_refs_enrich(d), DC_OK);
    m->v[m->n++] = (mem_doc){.d = d, .readable = readable};
    return d;
}

static void mem_free(mem_db *m)
{
    CHECK_INT(m->done, m->lent); /* the engine hands back every view it got */
    for (size_t i = 0; i < m->n; i++) dc_doc_free(m->v[i].d);
}

/* A copy of a document, as a view is lent to the engine. */
static dc_doc *copy_doc(const dc_doc *d)
{
    char *json = NULL;
    dc_doc *c = NULL;
    if (dc_doc_to_json(d, 0, &json) == DC_OK) dc_doc_from_json(json, strlen(json), &c);
    dc_free(json);
    return c;
}

static dc_rc mem_view(void *ctx, const char *id, const dc_doc **out)
{
    mem_db *m = ctx;
    m->views++;
    *out = NULL;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].d->id, id) == 0 && m->v[i].readable) {
            *out = copy_doc(m->v[i].d);
            m->lent += *out != NULL;
            return *out ? DC_OK : DC_NOMEM;
        }
    return DC_OK;
}

static dc_rc mem_numbered(void *ctx, const char *coll, const char *num, const dc_doc **out)
{
    mem_db *m = ctx;
    *out = NULL;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].d->collection, coll) == 0 && strcmp(m->v[i].d->number, num) == 0)
            return mem_view(ctx, m->v[i].d->id, out);
    return DC_OK;
}

/* As the index would: every document (readable or not: the engine must
 * confirm on the view) with a reference to value. */
static dc_rc mem_cites(void *ctx, dc_links_purpose why, const char *value, const char *coll,
                       size_t max, dc_strv *ids)
{
    mem_db *m = ctx;
    (void)why;
    for (size_t i = 0; i < m->n && ids->n < max; i++) {
        const dc_doc *d = m->v[i].d;
        if (coll && strcmp(d->collection, coll) != 0) continue;
        for (size_t k = 0; k < d->n_refs; k++)
            if (strcmp(d->refs[k].target, value) == 0) {
                dc_rc rc = dc_strv_push(ids, d->id);
                if (rc) return rc;
                break;
            }
    }
    return DC_OK;
}

static dc_rc mem_named(void *ctx, const char *word, size_t max, dc_links_id_fn each,
                       void *each_ctx)
{
    mem_db *m = ctx;
    size_t n = 0;
    for (size_t i = 0; i < m->n && n < max; i++) {
        const dc_doc *d = m->v[i].d;
        for (size_t k = 0; k < d->persons.n; k++) {
            const char *s = d->persons.v[k];
            int hit = 0;
            for (const char *h = s; *h && !hit; h++) hit = strncasecmp(h, word, strlen(word)) == 0;
            if (!hit) continue;
            dc_rc rc = each(each_ctx, d->id);
            if (rc) return rc;
            n++;
            break;
        }
    }
    return DC_OK;
}

/* Views are copies here: handing one back frees it. */
static void mem_done(void *ctx, const dc_doc *v)
{
    mem_db *m = ctx;
    if (v) m->done++;
    dc_doc_free((dc_doc *)v);
}

static dc_links_env mem_env(mem_db *m)
{
    return (dc_links_env){.ctx = m, .view = mem_view, .numbered = mem_numbered,
                          .cites = mem_cites, .named = mem_named, .done = mem_done};
}

/* ---- persons ----------------------------------------------------------- */

static const dc_persons_entry *entry(const dc_persons *ps, const char *xml_id)
{
    for (size_t i = 0; i < dc_persons_count(ps); i++)
        if (strcmp(dc_persons_at(ps, i)->xml_id, xml_id) == 0) return dc_persons_at(ps, i);
    return NULL;
}

static dc_persons *known_persons(void)
{
    static const char *const list[][3] = {
        {"v1", "p_EDD1", "Eisenhower, Dwight D."},
        {"v1", "p_GAJ1", "Goodpaster, Brigadier General Andrew J."},
        {"v1", "p_SFC1", "Scribner, Fred C., Jr."},
        {"v1", "p_DJF1", "Dulles, John Foster"},
        {"v1", "p_DAW1", "Dulles, Allen W."},
        {"v1", "p_HCA1", "Herter, Christian A. (Under Secretary of State)"},
        {"v1", "p_DCD1", "Dillon, C. Douglas"},
        {"v1", "p_JJD1", "Jones, J. D."},
        {"v1", "p_MLT1", "Merchant, Sir Livingston T. III"},
        {"v2", "p_SYC1", "Song Yo-chan"},
        {"v2", "p_SMI1", "Smith, Admiral"},
    };
    dc_persons *ps = NULL;
    CHECK_INT(dc_persons_new(&ps), DC_OK);
    for (size_t i = 0; i < sizeof list / sizeof *list; i++)
        CHECK_INT(dc_persons_add(ps, list[i][0], list[i][1], list[i][2], i ? "" : "President"),
                  DC_OK);
    CHECK_INT(dc_persons_finish(ps), DC_OK);
    CHECK_INT(dc_persons_add(ps, "v1", "late", "Late, Comer", NULL), DC_MISUSE);
    return ps;
}

/* The forms: ranks and suffixes dropped, the first forename that is no
 * initial, parenthesized roles ignored; no comma, or only ranks, gives
 * the name itself; surnames shared by two persons are not unique. */
static void test_person_forms(void)
{
    dc_persons *ps = known_persons();
    CHECK_INT(dc_persons_count(ps), 11);
    static const struct {
        const char *id, *full, *first, *surname;
        int comma, unique;
    } want[] = {
        {"p_EDD1", "Dwight D. Eisenhower", "Dwight Eisenhower", "Eisenhower", 1, 1},
        {"p_GAJ1", "Andrew J. Goodpaster", "Andrew Goodpaster", "Goodpaster", 1, 1},
        {"p_SFC1", "Fred C. Scribner", "Fred Scribner", "Scribner", 1, 1},
        {"p_DJF1", "John Foster Dulles", "John Dulles", "Dulles", 1, 0},
        {"p_DAW1", "Allen W. Dulles", "Allen Dulles", "Dulles", 1, 0},
        {"p_HCA1", "Christian A. Herter", "Christian Herter", "Herter", 1, 1},
        {"p_DCD1", "C. Douglas Dillon", "Douglas Dillon", "Dillon", 1, 1},
        {"p_JJD1", "J. D. Jones", NULL, "Jones", 1, 1},
        {"p_MLT1", "Livingston T. Merchant", "Livingston Merchant", "Merchant", 1, 1},
        {"p_SYC1", "Song Yo-chan", NULL, "Yo-chan", 0, 1},
        {"p_SMI1", "Smith", NULL, "Smith", 0, 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const dc_persons_entry *p = entry(ps, want[i].id);
        CHECK(p != NULL);
        if (!p) continue;
        CHECK_STR(p->full, want[i].full);
        if (want[i].first)
            CHECK_STR(p->first, want[i].first);
        else
            CHECK(p->first == NULL);
        CHECK_STR(p->surname, want[i].surname);
        CHECK_INT(p->comma, want[i].comma);
        CHECK_INT(p->unique, want[i].unique);
    }
    CHECK_STR(entry(ps, "p_EDD1")->description, "President");
    CHECK_STR(dc_persons_name(ps, "v1", "p_SFC1"), "Scribner, Fred C., Jr.");
    CHECK_STR(dc_persons_name(ps, "v2", "p_SYC1"), "Song Yo-chan");
    CHECK(dc_persons_name(ps, "v2", "p_EDD1") == NULL);
    CHECK(dc_persons_name(ps, "v1", "p_NONE") == NULL);
    CHECK(dc_persons_name(ps, NULL, "p_EDD1") == NULL);
    dc_persons_free(ps);
    dc_persons_free(NULL);
}

static dc_doc *text_doc(const char *text)
{
    dc_doc *d = dc_doc_new();
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->text, text);
    return d;
}

static void check_persons(const dc_doc *d, const char *const *want, size_t n)
{
    CHECK_INT(d->persons.n, n);
    for (size_t i = 0; i < n && i < d->persons.n; i++) CHECK_STR(d->persons.v[i], want[i]);
}

/* Matching in text: the whole written forms, a title before a unique
 * surname, punctuation and "'s" after it; never a bare surname, a title
 * before a shared surname, or lower case. */
static void test_person_match(void)
{
    dc_persons *ps = known_persons();
    dc_doc *d = text_doc("President Eisenhower met Secretary Dulles and Dwight D. "
                         "Eisenhower's aide Andrew Goodpaster.");
    CHECK_INT(dc_persons_match(ps, d), DC_OK);
    static const char *const w1[] = {"Eisenhower", "Eisenhower, Dwight D.",
                                     "Dwight D. Eisenhower", "Andrew Goodpaster",
                                     "Goodpaster, Brigadier General Andrew J."};
    check_persons(d, w1, 5);
    dc_doc_free(d);

    d = text_doc("Fred C. Scribner, Jr., wrote to (Douglas Dillon) and Mr. Jones; "
                 "John Foster Dulles agreed.");
    CHECK_INT(dc_persons_match(ps, d), DC_OK);
    static const char *const w2[] = {"Fred C. Scribner", "Scribner, Fred C., Jr.",
                                     "Douglas Dillon", "Dillon, C. Douglas", "Jones",
                                     "Jones, J. D.", "John Foster Dulles",
                                     "Dulles, John Foster"};
    check_persons(d, w2, 8);
    dc_doc_free(d);

    d = text_doc("The Eisenhower Library holds Dulles papers; general eisenhower, "
                 "Secretary Dulles, Dwight  D.  Eisenhower, Allen Dulles.");
    CHECK_INT(dc_persons_match(ps, d), DC_OK);
    /* blanks between words do not matter; Allen Dulles by his first form */
    static const char *const w3[] = {"Dwight D. Eisenhower", "Eisenhower, Dwight D.",
                                     "Allen Dulles", "Dulles, Allen W."};
    check_persons(d, w3, 4);
    dc_doc_free(d);

    /* the title, footnotes and source note are read too */
    d = dc_doc_new();
    dc_str_set(&d->title, "Letter From Christian A. Herter");
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->text, "Song Yo-chan was present.");
    dc_str_set(&d->source_note, "Source: Smith files.");
    CHECK_INT(dc_persons_match(ps, d), DC_OK);
    static const char *const w4[] = {"Christian A. Herter",
                                     "Herter, Christian A. (Under Secretary of State)",
                                     "Song Yo-chan", "Song Yo-chan", "Smith", "Smith, Admiral"};
    /* "Song Yo-chan" is both the form and the list name: added once */
    CHECK_INT(d->persons.n, 5);
    CHECK_STR(d->persons.v[0], w4[0]);
    CHECK_STR(d->persons.v[1], w4[1]);
    CHECK_STR(d->persons.v[2], w4[2]);
    CHECK_STR(d->persons.v[3], w4[4]);
    CHECK_STR(d->persons.v[4], w4[5]);
    dc_doc_free(d);

    /* an empty set matches nothing */
    dc_persons *none = NULL;
    CHECK_INT(dc_persons_new(&none), DC_OK);
    CHECK_INT(dc_persons_finish(none), DC_OK);
    d = text_doc("Dwight D. Eisenhower");
    CHECK_INT(dc_persons_match(none, d), DC_OK);
    CHECK_INT(d->persons.n, 0);
    dc_doc_free(d);
    dc_persons_free(none);
    dc_persons_free(ps);
}

/* What a person callback was handed. */
typedef struct seen {
    char names[8][64], docs[8][128];
    long counts[8];
    int with_docs[8];
    size_t n;
} seen;

static dc_rc see_person(void *ctx, const dc_persons_hit *h)
{
    seen *s = ctx;
    if (s->n == 8) return DC_LIMIT;
    snprintf(s->names[s->n], sizeof s->names[0], "%s|%s|%s", h->name,
             h->collection ? h->collection : "-", h->description ? h->description : "-");
    s->counts[s->n] = h->n_documents;
    s->with_docs[s->n] = h->documents != NULL;
    s->docs[s->n][0] = '\0';
    for (long i = 0; h->documents && i < h->n_documents; i++) {
        size_t at = strlen(s->docs[s->n]);
        snprintf(s->docs[s->n] + at, sizeof s->docs[0] - at, "%s%s(%s)", i ? " " : "",
                 h->documents[i].id, h->documents[i].date ? h->documents[i].date : "-");
    }
    s->n++;
    return DC_OK;
}

/* Lookups confirm every candidate on the reader's view: an unreadable
 * document counts for no one; a bare surname counts only in the person's
 * own volume; a name no list has is found as written. */
static void test_person_lookup(void)
{
    dc_persons *ps = known_persons();
    mem_db m = {0};
    static const char *const p1[] = {"Dwight D. Eisenhower", NULL};
    static const char *const p2[] = {"Eisenhower", NULL};
    static const char *const p4[] = {"Eisenhower, Dwight D.", "Kim Il-sung", "Allen Dulles",
                                     NULL};
    static const char *const p5[] = {"Kim Il-sung", "Dulles", NULL};
    mem_add(&m, 1, "v1", "1", "One", "1959-01-02", NULL, p1);
    mem_add(&m, 1, "v1", "2", "Two", "1958-05-01", NULL, p2);
    mem_add(&m, 1, "v2", "3", "Three", NULL, NULL, p2); /* another volume: bare surname */
    mem_add(&m, 0, "v1", "4", "Four", "1957-01-01", NULL, p4); /* unreadable */
    mem_add(&m, 1, "v2", "5", "Five", NULL, NULL, p5);
    dc_links_env env = mem_env(&m);

    seen s = {0};
    long found = -1;
    CHECK_INT(dc_persons_lookup(ps, "eisenhower", 200, &env, see_person, &s, &found), DC_OK);
    CHECK_INT(found, 1);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.names[0], "Eisenhower, Dwight D.|v1|President");
    CHECK_INT(s.counts[0], 2);
    CHECK_STR(s.docs[0], "v1/2(1958-05-01) v1/1(1959-01-02)");

    /* by a written form, exactly; two persons share a surname */
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_persons_lookup(ps, "Allen Dulles", 200, &env, see_person, &s, &found), DC_OK);
    CHECK_INT(found, 1);
    CHECK_STR(s.names[0], "Dulles, Allen W.|v1|-");
    CHECK_INT(s.counts[0], 0); /* only in the unreadable document */
    CHECK(!s.with_docs[0]);
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_persons_lookup(ps, "dulles", 200, &env, see_person, &s, &found), DC_OK);
    CHECK_INT(found, 2);
    CHECK_STR(s.names[0], "Dulles, John Foster|v1|-");
    CHECK_STR(s.names[1], "Dulles, Allen W.|v1|-");
    CHECK_INT(s.counts[0] + s.counts[1], 0); /* "Dulles" alone is not unique */
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_persons_lookup(ps, "dulles", 1, &env, see_person, &s, &found), DC_OK);
    CHECK_INT(found, 1);

    /* as written, no list entry */
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_persons_lookup(ps, "Kim Il-sung", 200, &env, see_person, &s, &found), DC_OK);
    CHECK_INT(found, 1);
    CHECK_STR(s.names[0], "Kim Il-sung|-|-");
    CHECK_STR(s.docs[0], "v2/5(-)");
    memset(&s, 0, sizeof s);
    CHECK_INT(dc_persons_lookup(ps, "Nobody", 200, &env, see_person, &s, &found), DC_OK);
    CHECK_INT(found, 0);
    CHECK_INT(s.n, 0);

    /* the index: by name, only persons with documents, no documents handed */
    memset(&s, 0, sizeof s);
    long shown = -1;
    CHECK_INT(dc_persons_index(ps, &env, see_person, &s, &shown), DC_OK);
    CHECK_INT(shown, 1);
    CHECK_STR(s.names[0], "Eisenhower, Dwight D.|v1|President");
    CHECK_INT(s.counts[0], 2);
    CHECK(!s.with_docs[0]);

    /* the callback's error stops the lookup */
    memset(&s, 0, sizeof s);
    s.n = 8;
    CHECK_INT(dc_persons_lookup(ps, "eisenhower", 200, &env, see_person, &s, &found),
              DC_LIMIT);
    mem_free(&m);
    dc_persons_free(ps);
}

/* ---- papers ------------------------------------------------------------ */

static void test_paper_words(void)
{
    char out[DC_REFS_PAPER_MAX];
    const char *t = "see NSC 5907 now";
    const char *e = dc_papers_word(t, t + 4, out);
    CHECK(e == t + 12);
    CHECK_STR(out, "NSC 5907");
    t = "NSC 5429/5, as amended";
    CHECK(dc_papers_word(t, t, out) == t + 10);
    CHECK_STR(out, "NSC 5429/5");
    t = "XNSC 5907";
    CHECK(dc_papers_word(t, t + 1, out) == NULL); /* glued to a word before */
    CHECK(dc_papers_word(t + 1, t + 1, out) != NULL); /* nothing before lo */
    t = "NSC 5907a";
    CHECK(dc_papers_word(t, t, out) == NULL);
    t = "NSC Action";
    CHECK(dc_papers_word(t, t, out) == NULL);

    char d[11];
    CHECK(dc_papers_written_date("June 3, 1959, at", NULL, d));
    CHECK_STR(d, "1959-06-03");
    CHECK(dc_papers_written_date("June 3.", "1958-01-01", d)); /* year of the document */
    CHECK_STR(d, "1958-06-03");
    CHECK(!dc_papers_written_date("June 3", NULL, d));
    CHECK(dc_papers_written_date("February 29, 1960", NULL, d));
    CHECK_STR(d, "1960-02-29");
    CHECK(!dc_papers_written_date("February 29, 1959", NULL, d));
    CHECK(!dc_papers_written_date("June 31, 1959", NULL, d));
    CHECK(!dc_papers_written_date("June 0, 1959", NULL, d));
    CHECK(!dc_papers_written_date("June 3x, 1959", NULL, d));
    CHECK(!dc_papers_written_date("June 123, 1959", NULL, d));
    CHECK(!dc_papers_written_date("Jun 3, 1959", NULL, d));
    CHECK(!dc_papers_written_date("June 3, 19590", NULL, d));
    CHECK(dc_papers_written_date("December 7, 1941", "1959-01-01", d));
    CHECK_STR(d, "1941-12-07");

    /* the paper a document is: its title, or a heading among its first
     * four portions that is only a paper name; a mention or a list item
     * is not enough */
    mem_db m = {0};
    static const char *const head[] = {"Top Secret", "#NSC 5907.", NULL};
    static const char *const item[] = {"Top Secret", NULL};
    dc_doc *a = mem_add(&m, 1, "c", "1", "NSC 68: United States Objectives", NULL, NULL, NULL);
    dc_doc *b = mem_add(&m, 1, "c", "2", "Comments on NSC 5907", NULL, NULL, NULL);
    dc_doc *c = mem_add(&m, 1, "c", "3", "National Security Council Report", NULL, head, NULL);
    dc_doc *i = mem_add(&m, 1, "c", "4", "Report", NULL, item, NULL);
    dc_portion *li = dc_doc_add_portion(i, "item");
    dc_str_set(&li->text, "NSC 5817");
    dc_doc *s = mem_add(&m, 1, "c", "5", "NSC 5810/1 \xE2\x80\x94 Basic Policy", NULL, NULL, NULL);
    char p[DC_REFS_PAPER_MAX];
    dc_papers_of_doc(a, p);
    CHECK_STR(p, "NSC 68");
    dc_papers_of_doc(b, p);
    CHECK_STR(p, "");
    dc_papers_of_doc(c, p);
    CHECK_STR(p, "NSC 5907");
    dc_papers_of_doc(i, p);
    CHECK_STR(p, "");
    dc_papers_of_doc(s, p);
    CHECK_STR(p, "NSC 5810/1");
    mem_free(&m);
}

/* A small record of papers: NSC 5907 supersedes NSC 5817 (said by the
 * paper itself), which supersedes NSC 5702/2; NSC 6018 supersedes NSC 5907
 * (said both ways round); approval, annexes and an action in the paper;
 * an unreadable document that says more, none of which may show. */
static void build_papers(mem_db *m)
{
    static const char *const memo[] = {
        "NSC 5907 was superseded by NSC 6018. The Council noted that NSC 5907 was approved "
        "by the President on July 2.",
        NULL};
    static const char *const paper[] = {
        "#NSC 5907",
        "The enclosed statement of policy on Korea supersedes NSC 5817.",
        "The President this date approved the statement, with Annexes A through C and the "
        "Financial Appendix, as NSC Action No. 2102-b.",
        NULL};
    static const char *const old[] = {"NSC 5817 supersedes NSC 5702/2.", NULL};
    static const char *const secret[] = {
        "NSC 6100 supersedes NSC 5907. NSC 5907 was approved by the President on May 1, "
        "1959. See Annex F of NSC 5907.",
        NULL};
    static const char *const newer[] = {"NSC 6018 supersedes NSC 5907.", NULL};
    static const char *const cite[] = {"See Document 2 and NSC 5907.", NULL};
    mem_add(m, 1, "c", "1", "Memorandum for the Record", "1959-08-01", memo, NULL);
    mem_add(m, 1, "c", "2", "National Security Council Report", "1959-07-01", paper, NULL);
    mem_add(m, 1, "c", "3", "NSC 5817: Korea", "1958-08-01", old, NULL);
    mem_add(m, 0, "c", "4", "Secret Memorandum", "1959-07-05", secret, NULL);
    mem_add(m, 1, "d", "9", "NSC 6018", "1960-11-01", newer, NULL);
    mem_add(m, 1, "c", "6", "Letter", NULL, cite, NULL);
}

static void check_strv(const dc_strv *v, const char *const *want, size_t n)
{
    CHECK_INT(v->n, n);
    for (size_t i = 0; i < n && i < v->n; i++) CHECK_STR(v->v[i], want[i]);
}

static void test_paper_record(void)
{
    mem_db m = {0};
    build_papers(&m);
    dc_links_env env = mem_env(&m);
    dc_paper r = {0};
    CHECK_INT(dc_papers_record_get(&env, "NSC 5907", &r), DC_OK);
    CHECK_INT(r.n_documents, 1);
    if (r.n_documents) CHECK_STR(r.documents[0].id, "c/2");
    /* the paper's own "this date approved" wins over the memorandum */
    CHECK_STR(r.approved, "1959-07-01");
    CHECK_STR(r.approved_in, "c/2");
    static const char *const sup[] = {"NSC 5817"};
    check_strv(&r.supersedes, sup, 1);
    static const char *const by[] = {"NSC 6018"};
    check_strv(&r.superseded_by, by, 1);
    static const char *const chain[] = {"NSC 5702/2", "NSC 5817", "NSC 5907", "NSC 6018"};
    check_strv(&r.chain, chain, 4);
    static const char *const annexes[] = {"Annex A", "Annex B", "Annex C",
                                          "Financial Appendix"};
    check_strv(&r.annexes, annexes, 4);
    static const char *const actions[] = {"2102-b"};
    check_strv(&r.actions, actions, 1);
    /* by date, undated last */
    CHECK_INT(r.n_discussed_in, 3);
    if (r.n_discussed_in == 3) {
        CHECK_STR(r.discussed_in[0].id, "c/1");
        CHECK_STR(r.discussed_in[1].id, "d/9");
        CHECK_STR(r.discussed_in[2].id, "c/6");
        CHECK(r.discussed_in[2].date == NULL);
        CHECK_STR(r.discussed_in[0].title, "Memorandum for the Record");
    }
    dc_papers_clear(&r);

    /* the approval read elsewhere, when the paper does not say it */
    m.v[1].readable = 0;
    memset(&r, 0, sizeof r);
    CHECK_INT(dc_papers_record_get(&env, "NSC 5907", &r), DC_OK);
    CHECK_INT(r.n_documents, 0);
    CHECK_STR(r.approved, "1959-07-02");
    CHECK_STR(r.approved_in, "c/1");
    CHECK_INT(r.annexes.n, 0);
    CHECK_INT(r.supersedes.n, 0); /* said only in the paper */
    static const char *const chain2[] = {"NSC 5907", "NSC 6018"};
    check_strv(&r.chain, chain2, 2);
    dc_papers_clear(&r);
    m.v[1].readable = 1;

    /* a paper at the end of the chain, and one nothing is known of */
    memset(&r, 0, sizeof r);
    CHECK_INT(dc_papers_record_get(&env, "NSC 5702/2", &r), DC_OK);
    static const char *const by2[] = {"NSC 5817"};
    check_strv(&r.superseded_by, by2, 1);
    check_strv(&r.chain, chain, 4);
    CHECK(r.approved == NULL);
    dc_papers_clear(&r);
    memset(&r, 0, sizeof r);
    CHECK_INT(dc_papers_record_get(&env, "NSC 6100", &r), DC_NOTFOUND);
    dc_papers_clear(&r);

    /* the document that is a paper: of the collection first, one excluded */
    const dc_doc *d = NULL;
    CHECK_INT(dc_papers_document(&env, "NSC 5907", "c", NULL, &d), DC_OK);
    CHECK(d && strcmp(d->id, "c/2") == 0);
    env.done(env.ctx, d);
    CHECK_INT(dc_papers_document(&env, "NSC 5907", "c", "c/2", &d), DC_OK);
    CHECK(d == NULL);
    CHECK_INT(dc_papers_document(&env, "NSC 6018", "c", NULL, &d), DC_OK); /* other volume */
    CHECK(d && strcmp(d->id, "d/9") == 0);
    env.done(env.ctx, d);
    m.v[1].readable = 0;
    CHECK_INT(dc_papers_document(&env, "NSC 5907", NULL, NULL, &d), DC_OK);
    CHECK(d == NULL);
    mem_free(&m);
}

/* ---- references -------------------------------------------------------- */

typedef struct refs_seen {
    char line[16][160];
    size_t n;
} refs_seen;

static dc_rc see_ref(void *ctx, const dc_links_ref *r)
{
    refs_seen *s = ctx;
    if (s->n == 16) return DC_LIMIT;
    snprintf(s->line[s->n++], sizeof s->line[0], "%s %s %s %s -> %s", r->incoming ? "in" : "out",
             r->kind, r->target, r->relation ? r->relation : "-", r->id ? r->id : "-");
    return DC_OK;
}

static void test_refs(void)
{
    char num[8];
    CHECK(dc_links_volume_number("d12", num, sizeof num));
    CHECK_STR(num, "12");
    CHECK(dc_links_volume_number("d12fn3", num, sizeof num));
    CHECK_STR(num, "12");
    CHECK(!dc_links_volume_number("d0", num, sizeof num));
    CHECK(!dc_links_volume_number("x12", num, sizeof num));
    CHECK(!dc_links_volume_number("d12x", num, sizeof num));
    CHECK(!dc_links_volume_number(NULL, num, sizeof num));
    CHECK(!dc_links_volume_number("d12345678", num, sizeof num));

    mem_db m = {0};
    build_papers(&m);
    static const char *const note[] = {"An editorial note.", NULL};
    dc_doc *e = mem_add(&m, 1, "d", "10", "Editorial Note", NULL, note, NULL);
    dc_links_env env = mem_env(&m);

    CHECK(dc_links_says_supersedes(m.v[2].d, "NSC 5702/2"));
    CHECK(!dc_links_says_supersedes(m.v[2].d, "NSC 5702"));
    CHECK(!dc_links_says_supersedes(m.v[0].d, "NSC 6018")); /* "superseded by" */
    CHECK(dc_links_cites_number(m.v[5].d, "2") != NULL);
    CHECK(dc_links_cites_number(m.v[5].d, "3") == NULL);

    /* a document reference resolves in the citing document's volume */
    dc_ref doc2 = {.kind = "document", .target = "2"};
    const dc_doc *t = NULL;
    CHECK_INT(dc_links_resolve(&env, m.v[5].d, &doc2, &t), DC_OK);
    CHECK(t && strcmp(t->id, "c/2") == 0);
    env.done(env.ctx, t);
    CHECK_INT(dc_links_resolve(&env, e, &doc2, &t), DC_OK); /* volume d has no 2 */
    CHECK(t == NULL);
    dc_ref vref = {.kind = "volume", .target = "c", .detail = "d3"};
    CHECK_INT(dc_links_resolve(&env, e, &vref, &t), DC_OK);
    CHECK(t && strcmp(t->id, "c/3") == 0);
    env.done(env.ctx, t);
    dc_ref unread = {.kind = "document", .target = "4"};
    CHECK_INT(dc_links_resolve(&env, m.v[5].d, &unread, &t), DC_OK);
    CHECK(t == NULL);

    /* the references of the paper: out, resolved; in, confirmed */
    refs_seen s = {0};
    CHECK_INT(dc_links_refs(&env, m.v[1].d, see_ref, &s), DC_OK);
    int out_5817 = 0, in_6 = 0, in_4 = 0;
    for (size_t i = 0; i < s.n; i++) {
        out_5817 |= strcmp(s.line[i], "out paper NSC 5817 supersedes -> c/3") == 0;
        in_6 |= strcmp(s.line[i], "in document 2 - -> c/6") == 0;
        in_4 |= strstr(s.line[i], "c/4") != NULL;
    }
    CHECK(out_5817);
    CHECK(in_6);
    CHECK(!in_4);
    for (size_t i = 0; i < s.n; i++)
        if (!strstr(s.line[i], "NSC 5817") && !strstr(s.line[i], "in document"))
            CHECK(strstr(s.line[i], "supersedes") == NULL);
    mem_free(&m);
}

int main(void)
{
    test_person_forms();
    test_person_match();
    test_person_lookup();
    test_paper_words();
    test_paper_record();
    test_refs();
    return TEST_DONE();
}
