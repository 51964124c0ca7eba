/*
 * Connected records, policy papers: what the readable record says about
 * one NSC paper — the documents that are the paper, its approval, the
 * papers it supersedes and that supersede it, the actions and annexes it
 * names and the documents that discuss it.  The rules are those of
 * dc_db_paper in declass.h.  Every document is the reader's view handed
 * over by the caller (dc_links_env), and its text references are derived
 * again from the view's own text, so a statement standing only in a
 * withheld or restricted portion is never seen here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links/links.h"
#include "model/model_int.h"
#include "refs/refs_int.h"
#include "util/util_int.h"
#include "util/banned.h"

#define PAPER_MAX_CANDIDATES 20000 /* documents citing one paper that are read */
#define PAPER_MAX_CHAIN 16         /* supersession steps followed each way */
#define SUBJECT_REACH 60           /* bytes between a paper and "supersede" */

static int is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }

/* The paper name that stands as a whole word at s (in [lo, ..)), copied to
 * out; its end, or NULL. */
const char *dc_papers_word(const char *lo, const char *s, char out[DC_REFS_PAPER_MAX])
{
    if (s > lo && is_alnum(s[-1])) return NULL;
    const char *e = dc_refs_paper_at(s);
    if (!e || is_alnum(*e) || (size_t)(e - s) >= DC_REFS_PAPER_MAX) return NULL;
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = '\0';
    return e;
}

/* The start of the sentence holding position at in text: just after the
 * last ". X" (X upper case), "; " or ": " before it, or text. */
static const char *sentence_start(const char *text, const char *at)
{
    for (const char *q = at; q > text; q--) {
        if (q - text >= 2 && (q[-2] == ';' || q[-2] == ':') && q[-1] == ' ') return q;
        if (q - text >= 2 && q[-2] == '.' && q[-1] == ' ' && is_upper(*q)) return q;
    }
    return text;
}

/* The last whole-word paper named in [from, to) ending no further than
 * reach bytes before to (reach 0: anywhere); 1 and its name if there is
 * one. */
static int paper_before(const char *text, const char *from, const char *to, size_t reach,
                        char out[DC_REFS_PAPER_MAX])
{
    char name[DC_REFS_PAPER_MAX];
    int found = 0;
    const char *end = NULL;
    for (const char *q = strstr(from, "NSC "); q && q < to; q = strstr(q + 1, "NSC ")) {
        const char *e = dc_papers_word(text, q, name);
        if (e && e <= to) {
            memcpy(out, name, sizeof name);
            end = e;
            found = 1;
        }
    }
    return found && (!reach || (size_t)(to - end) <= reach);
}

/*
 * The paper document v is, or "": the paper its title is or begins with
 * (followed by ":", ",", " (" or a dash: "NSC 68: United States Objectives
 * ..."), else the first portion of its first four, other than a list item,
 * whose whole text is a paper name (the heading "NSC 5907" under the title
 * "National Security Council Report").  A title or list item that only
 * mentions a paper ("Comments on NSC 5907", reference "A. NSC 5817") does
 * not make the document that paper.
 */
void dc_papers_of_doc(const dc_doc *v, char out[DC_REFS_PAPER_MAX])
{
    out[0] = '\0';
    char name[DC_REFS_PAPER_MAX];
    const char *t = v->title;
    while (t && *t == ' ') t++;
    const char *e = t ? dc_papers_word(t, t, name) : NULL;
    if (e && (!*e || *e == ':' || *e == ',' || strncmp(e, " (", 2) == 0 ||
              strncmp(e, " \xE2\x80\x94", 4) == 0 || strncmp(e, " \xE2\x80\x93", 4) == 0 ||
              strncmp(e, " -", 2) == 0)) {
        memcpy(out, name, sizeof name);
        return;
    }
    for (size_t i = 0; i < v->n_portions && i < 4; i++) {
        const dc_portion *p = &v->portions[i];
        if (!p->text || (p->kind && strcmp(p->kind, "item") == 0)) continue;
        t = p->text;
        while (*t == ' ') t++;
        e = dc_papers_word(t, t, name);
        if (!e) continue;
        while (*e == ' ' || *e == '.') e++;
        if (*e) continue;
        memcpy(out, name, sizeof name);
        return;
    }
}

/* Calls fn on each readable text of a view: title, portions, footnotes,
 * source note.  Hidden portions hold only their gap line in a view. */
typedef dc_rc (*text_fn)(void *ctx, const char *text);
static dc_rc each_text(const dc_doc *v, text_fn fn, void *ctx)
{
    dc_rc rc = v->title ? fn(ctx, v->title) : DC_OK;
    for (size_t i = 0; !rc && i < v->n_portions; i++)
        if (v->portions[i].text) rc = fn(ctx, v->portions[i].text);
    for (size_t i = 0; !rc && i < v->n_footnotes; i++)
        if (v->footnotes[i].text) rc = fn(ctx, v->footnotes[i].text);
    if (!rc && v->source_note) rc = fn(ctx, v->source_note);
    return rc;
}

/* What scanning one document for one paper gathers. */
typedef struct scan_ctx {
    dc_paper *p;
    const char *name; /* the paper, normalized */
    const dc_doc *v;
    const char *self; /* the paper v is, or "" */
    int is_paper;     /* v is name */
    int full;         /* gather approval and annexes too, not only relations */
    char approved[11];
    int approved_self; /* approved read from "this date approved" in the paper */
    unsigned annexes; /* bit i: "Annex A"+i */
    int appendix;     /* "Financial Appendix" */
} scan_ctx;

/* Records "s supersedes q" when it concerns the paper. */
static dc_rc relation(scan_ctx *c, const char *s, const char *q)
{
    if (!s[0] || !q[0] || strcmp(s, q) == 0) return DC_OK;
    if (strcmp(s, c->name) == 0) return dc_strv_add_unique(&c->p->supersedes, q);
    if (strcmp(q, c->name) == 0) return dc_strv_add_unique(&c->p->superseded_by, s);
    return DC_OK;
}

/* "supersede[sd]? P" (active) and "superseded by P" (passive) in text. */
static dc_rc scan_supersedes(scan_ctx *c, const char *text)
{
    dc_rc rc = DC_OK;
    for (const char *k = strstr(text, "supersede"); k && !rc; k = strstr(k + 1, "supersede")) {
        if (k > text && is_alnum(k[-1])) continue;
        const char *s = k + 9;
        int passive = strncmp(s, "d by ", 5) == 0;
        if (passive)
            s += 5;
        else if (*s == 's' || *s == 'd')
            s++, s += *s == ' ';
        else if (*s == ' ')
            s++;
        else
            continue;
        char named[DC_REFS_PAPER_MAX], other[DC_REFS_PAPER_MAX];
        if (!dc_papers_word(text, s, named)) continue;
        if (!paper_before(text, sentence_start(text, k), k, SUBJECT_REACH, other)) {
            if (!c->self[0]) continue;
            memcpy(other, c->self, DC_REFS_PAPER_MAX);
        }
        rc = passive ? relation(c, named, other) : relation(c, other, named);
    }
    return rc;
}

/* "Month D[, YYYY]" at s, the year defaulting to the one of date
 * ("YYYY-MM-DD" or NULL); 1 and out "YYYY-MM-DD" if valid. */
int dc_papers_written_date(const char *s, const char *date, char out[11])
{
    int mo = 0;
    for (int i = 1; i <= 12 && !mo; i++) {
        const char *name = dc_month_name(i);
        size_t n = strlen(name);
        if (strncmp(s, name, n) == 0 && s[n] == ' ') mo = i, s += n + 1;
    }
    if (!mo || *s < '0' || *s > '9') return 0;
    int day = 0, nd = 0;
    while (*s >= '0' && *s <= '9' && nd < 3) day = day * 10 + (*s++ - '0'), nd++;
    if (nd > 2 || day < 1 || day > 31 || is_alnum(*s)) return 0;
    int year = 0;
    if (s[0] == ',' && s[1] == ' ' && s[2] >= '1' && s[2] <= '2') {
        const char *y = s + 2;
        for (int i = 0; i < 4; i++) {
            if (y[i] < '0' || y[i] > '9') return 0;
            year = year * 10 + (y[i] - '0');
        }
        if (is_alnum(y[4])) return 0;
    } else if (date && strlen(date) >= 4) {
        for (int i = 0; i < 4; i++) {
            if (date[i] < '0' || date[i] > '9') return 0;
            year = year * 10 + (date[i] - '0');
        }
    } else {
        return 0;
    }
    if (day > dc_days_in_month(year, mo)) return 0;
    dc_date_iso(out, year, mo, day);
    return 1;
}

/* The approval rules of dc_db_paper on one text. */
static void scan_approval(scan_ctx *c, const char *text)
{
    if (c->approved[0]) return;
    if (c->is_paper && c->v->date && strlen(c->v->date) == 10 &&
        strstr(text, "this date approved")) {
        memcpy(c->approved, c->v->date, 11);
        c->approved_self = 1;
        return;
    }
    static const char phrase[] = "approved by the President on ";
    for (const char *k = strstr(text, phrase); k; k = strstr(k + 1, phrase)) {
        char before[DC_REFS_PAPER_MAX];
        if (!paper_before(text, sentence_start(text, k), k, 0, before) ||
            strcmp(before, c->name) != 0)
            continue;
        if (dc_papers_written_date(k + sizeof phrase - 1, c->v->date, c->approved)) return;
    }
}

/* Annex letters and the Financial Appendix named in text. */
static void scan_annexes(scan_ctx *c, const char *text)
{
    if (strstr(text, "Financial Appendix")) c->appendix = 1;
    for (const char *k = strstr(text, "Annex"); k; k = strstr(k + 1, "Annex")) {
        if (k > text && is_alnum(k[-1])) continue;
        const char *s = k + 5;
        int plural = strncmp(s, "es ", 3) == 0;
        s += plural ? 3 : *s == ' ' ? 1 : 0;
        if (s == k + 5) continue;
        while (is_upper(*s) && !is_alnum(s[1])) {
            char l = *s++;
            c->annexes |= 1u << (l - 'A');
            if (!plural) break;
            size_t dl = strncmp(s, " through ", 9) == 0 ? 9
                        : strncmp(s, "\xE2\x80\x93", 3) == 0 ? 3
                        : *s == '-' ? 1 : 0;
            if (dl && is_upper(s[dl]) && !is_alnum(s[dl + 1]) && s[dl] > l) {
                for (char x = l; x <= s[dl]; x++) c->annexes |= 1u << (x - 'A');
                l = s[dl];
                s += dl + 1;
            }
            if (strncmp(s, ", and ", 6) == 0) s += 6;
            else if (strncmp(s, ", ", 2) == 0) s += 2;
            else if (strncmp(s, " and ", 5) == 0) s += 5;
            else break;
        }
    }
}

static dc_rc scan_text(void *ctx, const char *text)
{
    scan_ctx *c = ctx;
    dc_rc rc = scan_supersedes(c, text);
    if (!rc && c->full) scan_approval(c, text);
    if (!rc && c->full && c->is_paper) scan_annexes(c, text);
    return rc;
}

/* Whether the view's own text names paper (its references derived again
 * from that text). */
static int names_paper(const dc_doc *v, const char *paper)
{
    for (size_t i = 0; i < v->n_refs; i++)
        if (v->refs[i].kind && strcmp(v->refs[i].kind, "paper") == 0 && v->refs[i].target &&
            strcmp(v->refs[i].target, paper) == 0)
            return 1;
    return 0;
}

/* Frees a view's references (n_refs 0), to be derived again from its
 * readable text. */
static dc_rc rederive_refs(dc_doc *v)
{
    for (size_t i = 0; i < v->n_refs; i++) {
        free(v->refs[i].kind);
        free(v->refs[i].target);
        free(v->refs[i].relation);
        free(v->refs[i].detail);
    }
    v->n_refs = 0;
    return dc_refs_enrich(v);
}

/* The reader's view of id — a copy in *own with references derived again
 * from its readable text when derive is set, else env's (*own NULL,
 * handed back with done_view) — or *v NULL when the reader may not read
 * it (not an error here). */
static dc_rc read_view(const dc_links_env *env, const char *id, int derive, const dc_doc **v,
                       dc_doc **own)
{
    *v = NULL;
    *own = NULL;
    dc_rc rc = env->view(env->ctx, id, v);
    if (!rc && *v && derive) {
        rc = dc_doc_copy(*v, own);
        env->done(env->ctx, *v);
        *v = *own;
        if (!rc) rc = rederive_refs(*own);
    }
    if (rc) {
        if (!*own) env->done(env->ctx, *v);
        dc_doc_free(*own);
        *v = *own = NULL;
    }
    return rc;
}

/* Releases what read_view gave. */
static void done_view(const dc_links_env *env, const dc_doc *v, dc_doc *own)
{
    if (own) dc_doc_free(own);
    else env->done(env->ctx, v);
}

static dc_rc add_doc(dc_paper_doc **arr, size_t *n, size_t *cap, const dc_doc *v)
{
    if (DC_GROW(*arr, *n + 1, *cap)) return DC_NOMEM;
    dc_paper_doc *d = &(*arr)[*n];
    d->id = dc_strdup(v->id);
    d->title = dc_strdup(v->title);
    d->date = dc_strdup(v->date);
    ++*n;
    if (!d->id || (v->title && !d->title) || (v->date && !d->date)) return DC_NOMEM;
    return DC_OK;
}

/*
 * Gathers what the documents citing name say about it into p: relations
 * always; with full, also the paper's documents, approval, actions,
 * annexes and the documents discussing it.
 */
static dc_rc gather(const dc_links_env *env, const char *name, dc_paper *p, int full)
{
    size_t cap_documents = p->n_documents, cap_discussed_in = p->n_discussed_in;
    dc_strv ids = {0};
    dc_rc rc = env->cites(env->ctx, DC_LINKS_FOR_PAPERS, name, NULL, PAPER_MAX_CANDIDATES, &ids);
    unsigned annexes = 0;
    int appendix = 0, self_approved = 0;
    for (size_t i = 0; !rc && i < ids.n; i++) {
        const dc_doc *v = NULL;
        dc_doc *own = NULL;
        rc = read_view(env, ids.v[i], full, &v, &own); /* refs are read only when full */
        if (rc || !v) continue;
        char self[DC_REFS_PAPER_MAX];
        dc_papers_of_doc(v, self);
        scan_ctx c = {.p = p, .name = name, .v = v, .self = self, .full = full,
                      .is_paper = strcmp(self, name) == 0};
        rc = each_text(v, scan_text, &c);
        if (!rc && full && c.is_paper) {
            rc = add_doc(&p->documents, &p->n_documents, &cap_documents, v);
            for (size_t k = 0; !rc && k < v->n_refs; k++)
                if (v->refs[k].kind && strcmp(v->refs[k].kind, "action") == 0)
                    rc = dc_strv_add_unique(&p->actions, v->refs[k].target);
            annexes |= c.annexes;
            appendix |= c.appendix;
        } else if (!rc && full && names_paper(v, name)) {
            rc = add_doc(&p->discussed_in, &p->n_discussed_in, &cap_discussed_in, v);
        }
        /* the paper's own "this date approved" wins over a mention elsewhere */
        if (!rc && full && c.approved[0] && (!p->approved || (c.approved_self && !self_approved))) {
            self_approved = c.approved_self;
            rc = dc_str_set(&p->approved, c.approved);
            if (!rc) rc = dc_str_set(&p->approved_in, v->id);
        }
        done_view(env, v, own);
    }
    for (int l = 0; !rc && l < 26; l++)
        if (annexes & (1u << l)) {
            char a[8] = "Annex A";
            a[6] = (char)('A' + l);
            rc = dc_strv_push(&p->annexes, a);
        }
    if (!rc && appendix) rc = dc_strv_push(&p->annexes, "Financial Appendix");
    dc_strv_release(&ids);
    return rc;
}

/* The first predecessor (back) or successor of name, or "". */
static dc_rc step(const dc_links_env *env, const char *name, int back,
                  char out[DC_REFS_PAPER_MAX])
{
    out[0] = '\0';
    dc_paper q = {0};
    char *own = dc_strdup(name); /* name may live in the chain being grown */
    if (!own) return DC_NOMEM;
    dc_rc rc = gather(env, own, &q, 0);
    const dc_strv *next = back ? &q.supersedes : &q.superseded_by;
    if (!rc && next->n) snprintf(out, DC_REFS_PAPER_MAX, "%s", next->v[0]);
    free(own);
    dc_papers_clear(&q);
    return rc;
}

/* p->chain: the first predecessors back, name, the first successors on. */
static dc_rc build_chain(const dc_links_env *env, const char *name, dc_paper *p)
{
    dc_strv back = {0};
    char cur[DC_REFS_PAPER_MAX];
    dc_rc rc = DC_OK;
    snprintf(cur, sizeof cur, "%s", p->supersedes.n ? p->supersedes.v[0] : "");
    for (int i = 0; !rc && cur[0] && i < PAPER_MAX_CHAIN; i++) {
        if (strcmp(cur, name) == 0 || dc_strv_contains(&back, cur)) break;
        rc = dc_strv_push(&back, cur);
        if (!rc) rc = step(env, back.v[back.n - 1], 1, cur);
    }
    for (size_t i = back.n; !rc && i > 0; i--) rc = dc_strv_push(&p->chain, back.v[i - 1]);
    if (!rc) rc = dc_strv_push(&p->chain, name);
    snprintf(cur, sizeof cur, "%s", p->superseded_by.n ? p->superseded_by.v[0] : "");
    for (int i = 0; !rc && cur[0] && i < PAPER_MAX_CHAIN; i++) {
        if (dc_strv_contains(&p->chain, cur)) break;
        rc = dc_strv_push(&p->chain, cur);
        if (!rc) rc = step(env, p->chain.v[p->chain.n - 1], 0, cur);
    }
    dc_strv_release(&back);
    return rc;
}

static int doc_cmp(const void *a, const void *b)
{
    const dc_paper_doc *x = a, *y = b;
    if (x->date && y->date) {
        int c = strcmp(x->date, y->date);
        if (c) return c;
    } else if (x->date || y->date) {
        return x->date ? -1 : 1;
    }
    return strcmp(x->id, y->id);
}

static void free_docs(dc_paper_doc *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].id);
        free(d[i].title);
        free(d[i].date);
    }
    free(d);
}

void dc_papers_clear(dc_paper *p)
{
    if (!p) return;
    free(p->name);
    free_docs(p->documents, p->n_documents);
    free(p->approved);
    free(p->approved_in);
    dc_strv_release(&p->supersedes);
    dc_strv_release(&p->superseded_by);
    dc_strv_release(&p->chain);
    dc_strv_release(&p->actions);
    dc_strv_release(&p->annexes);
    free_docs(p->discussed_in, p->n_discussed_in);
    memset(p, 0, sizeof *p);
}

dc_rc dc_papers_record_get(const dc_links_env *env, const char *name, dc_paper *p)
{
    dc_rc rc = gather(env, name, p, 1);
    if (!rc) rc = build_chain(env, name, p);
    if (!rc && !p->n_documents && !p->n_discussed_in && !p->supersedes.n &&
        !p->superseded_by.n)
        rc = DC_NOTFOUND;
    if (!rc) {
        if (p->n_documents) qsort(p->documents, p->n_documents, sizeof *p->documents, doc_cmp);
        if (p->n_discussed_in)
            qsort(p->discussed_in, p->n_discussed_in, sizeof *p->discussed_in, doc_cmp);
    }
    return rc;
}

dc_rc dc_papers_document(const dc_links_env *env, const char *name, const char *collection,
                         const char *exclude, const dc_doc **out)
{
    *out = NULL;
    for (int pass = collection ? 0 : 1; pass < 2 && !*out; pass++) {
        dc_strv ids = {0};
        dc_rc rc = env->cites(env->ctx, DC_LINKS_FOR_PAPERS, name, pass ? NULL : collection,
                              PAPER_MAX_CANDIDATES, &ids);
        for (size_t i = 0; !rc && !*out && i < ids.n; i++) {
            if (exclude && strcmp(ids.v[i], exclude) == 0) continue;
            const dc_doc *v = NULL;
            rc = env->view(env->ctx, ids.v[i], &v);
            if (rc) {
                env->done(env->ctx, v);
                break;
            }
            if (!v) continue;
            char self[DC_REFS_PAPER_MAX];
            dc_papers_of_doc(v, self);
            if (strcmp(self, name) == 0)
                *out = v;
            else
                env->done(env->ctx, v);
        }
        dc_strv_release(&ids);
        if (rc) return rc;
    }
    return DC_OK;
}
