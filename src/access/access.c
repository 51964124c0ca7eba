/*
 * Access control: the reading rules and the reader's view of a document
 * (rules in include/declass/access.h and docs/security.md).  Everything a
 * reader is shown passes through dc_access_view(); the functions here
 * never print and never touch the store.
 */
#include "declass/access.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "declass/banned.h"

#define DC_GAP_LINE 80 /* bytes of source text counted as one line */

int dc_access_level(const char *classification)
{
    if (!classification || !*classification) return DC_UNCLASSIFIED;
    int l = dc_level_parse(classification);
    return l < 0 ? DC_TOP_SECRET : l;
}

static int is_public(const dc_access_reader *r) { return !r || r->is_public; }

static int released(const char *status) { return status && strcmp(status, "released") == 0; }

int dc_access_doc_readable(const dc_access_reader *r, const char *release_status,
                           const char *classification)
{
    if (released(release_status)) return 1;
    if (is_public(r)) return 0;
    return r->level >= dc_access_level(classification);
}

static int holds(const dc_access_reader *r, const char *comp)
{
    for (size_t i = 0; i < r->n_compartments; i++)
        if (r->compartments[i] && strcmp(r->compartments[i], comp) == 0) return 1;
    return 0;
}

int dc_access_portion_cleared(const dc_access_reader *r, const dc_doc *doc, const dc_portion *p)
{
    if (is_public(r) || !doc || !p) return 0;
    const char *cls = p->classification ? p->classification : doc->classification;
    if (r->level < dc_access_level(cls)) return 0;
    for (size_t i = 0; i < p->compartments.n; i++)
        if (!holds(r, p->compartments.v[i])) return 0;
    return 1;
}

void dc_access_gap_text(size_t len, char *out, size_t cap)
{
    size_t lines = (len + DC_GAP_LINE - 1) / DC_GAP_LINE;
    if (len < DC_GAP_LINE)
        snprintf(out, cap, "[less than 1 line of source text not declassified]");
    else
        snprintf(out, cap, "[%zu line%s of source text not declassified]", lines,
                 lines == 1 ? "" : "s");
}

/* The extent of a gap, as the model records it ("3 lines"). */
static void gap_extent(size_t len, char *out, size_t cap)
{
    size_t lines = (len + DC_GAP_LINE - 1) / DC_GAP_LINE;
    if (len < DC_GAP_LINE)
        snprintf(out, cap, "less than 1 line");
    else
        snprintf(out, cap, "%zu line%s", lines, lines == 1 ? "" : "s");
}

/* Replaces portion p's content by the line `text`: marking, compartments
 * and note markers go; page markers stay (at the start, or after the
 * line).  Records a gap. */
static dc_rc hide_portion(dc_doc *v, size_t idx, const char *text, const char *extent)
{
    dc_portion *p = &v->portions[idx];
    size_t newlen = strlen(text);
    size_t k = 0;
    for (size_t i = 0; i < p->n_marks; i++) {
        dc_mark m = p->marks[i];
        if (m.kind != DC_MARK_PAGE) {
            free(m.value);
            continue;
        }
        m.at = m.at == 0 ? 0 : newlen;
        p->marks[k++] = m;
    }
    p->n_marks = k;
    dc_strv_release(&p->compartments);
    free(p->classification);
    p->classification = NULL;
    if (dc_str_set(&p->text, text)) return DC_NOMEM;
    dc_gap *g = dc_doc_add_gap(v);
    if (!g) return DC_NOMEM;
    if (dc_str_set(&g->extent, extent) || dc_str_set(&g->page, p->page) ||
        dc_str_set(&g->anchor, p->id))
        return DC_NOMEM;
    return DC_OK;
}

static int anchored_in(const char *anchor, const unsigned char *hidden, const dc_doc *v)
{
    if (!anchor) return 0;
    for (size_t i = 0; i < v->n_portions; i++)
        if (hidden[i] && v->portions[i].id && strcmp(v->portions[i].id, anchor) == 0) return 1;
    return 0;
}

/* Drops the footnotes anchored in hidden portions. */
static void drop_footnotes(dc_doc *v, const unsigned char *hidden)
{
    size_t k = 0;
    for (size_t i = 0; i < v->n_footnotes; i++) {
        dc_footnote *f = &v->footnotes[i];
        if (anchored_in(f->anchor, hidden, v)) {
            free(f->n);
            free(f->label);
            free(f->anchor);
            free(f->text);
            continue;
        }
        v->footnotes[k++] = *f;
    }
    v->n_footnotes = k;
}

/* Keeps only the strings of sv that occur in the visible text. */
static dc_rc filter_strv(dc_strv *sv, const char *visible)
{
    size_t k = 0;
    for (size_t i = 0; i < sv->n; i++) {
        if (sv->v[i] && strstr(visible, sv->v[i])) {
            sv->v[k++] = sv->v[i];
        } else {
            free(sv->v[i]);
        }
    }
    sv->n = k;
    return DC_OK;
}

static void filter_refs(dc_doc *v, const char *visible)
{
    size_t k = 0;
    for (size_t i = 0; i < v->n_refs; i++) {
        dc_ref *r = &v->refs[i];
        if (r->target && strstr(visible, r->target)) {
            v->refs[k++] = *r;
            continue;
        }
        free(r->kind);
        free(r->target);
        free(r->relation);
        free(r->detail);
    }
    v->n_refs = k;
}

/* The visible text of a view (title, visible portions, notes), one
 * string, for the "occurs in what remains" test. */
static char *visible_text(const dc_doc *v, const unsigned char *hidden)
{
    dc_buf b;
    dc_buf_init(&b, 0);
    dc_buf_puts(&b, v->title ? v->title : "");
    dc_buf_putc(&b, '\n');
    for (size_t i = 0; i < v->n_portions; i++)
        if (!hidden[i] && v->portions[i].text) {
            dc_buf_puts(&b, v->portions[i].text);
            dc_buf_putc(&b, '\n');
        }
    for (size_t i = 0; i < v->n_footnotes; i++)
        if (v->footnotes[i].text) {
            dc_buf_puts(&b, v->footnotes[i].text);
            dc_buf_putc(&b, '\n');
        }
    if (v->source_note) dc_buf_puts(&b, v->source_note);
    char *s = dc_buf_detach(&b);
    dc_buf_release(&b);
    return s;
}

/* A deep copy of doc, through its JSON (the one serialisation the model
 * guarantees to round-trip). */
static dc_rc copy_doc(const dc_doc *doc, dc_doc **out)
{
    char *json = NULL;
    dc_rc rc = dc_doc_to_json(doc, 0, &json);
    if (rc) return rc;
    rc = dc_doc_from_json(json, strlen(json), out);
    dc_free(json);
    return rc;
}

/*
 * Builds the view: decides per portion (on the original document, so the
 * replaced text never feeds a later decision), then replaces, then drops
 * notes and extracted names that only hidden portions carried.
 */
dc_rc dc_access_view(const dc_access_reader *r, const dc_doc *doc, dc_doc **out)
{
    if (!out) return DC_MISUSE;
    *out = NULL;
    if (!doc) return DC_MISUSE;
    if (!dc_access_doc_readable(r, doc->release_status, doc->classification))
        return DC_NOTFOUND;
    int rel = released(doc->release_status);
    dc_doc *v = NULL;
    dc_rc rc = copy_doc(doc, &v);
    if (rc) return rc;
    unsigned char *hidden = calloc(v->n_portions ? v->n_portions : 1, 1);
    if (!hidden) {
        dc_doc_free(v);
        return DC_NOMEM;
    }
    size_t n_hidden = 0;
    for (size_t i = 0; i < v->n_portions && !rc; i++) {
        const dc_portion *p = &doc->portions[i];
        int cleared = dc_access_portion_cleared(r, doc, p);
        int show = rel ? (!p->withheld || cleared) : cleared;
        if (show) continue;
        size_t len = p->text ? strlen(p->text) : 0;
        char line[96], extent[48];
        if (rel || p->withheld) {
            dc_access_gap_text(len, line, sizeof line);
            gap_extent(len, extent, sizeof extent);
        } else {
            snprintf(line, sizeof line, "[portion not shown: not cleared]");
            snprintf(extent, sizeof extent, "portion");
        }
        hidden[i] = 1;
        n_hidden++;
        rc = hide_portion(v, i, line, extent);
    }
    if (!rc && n_hidden) {
        drop_footnotes(v, hidden);
        char *vis = visible_text(v, hidden);
        if (!vis) {
            rc = DC_NOMEM;
        } else {
            filter_strv(&v->persons, vis);
            filter_strv(&v->file_numbers, vis);
            filter_refs(v, vis);
            dc_free(vis);
        }
    }
    free(hidden);
    if (rc) {
        dc_doc_free(v);
        return rc;
    }
    *out = v;
    return DC_OK;
}

/* 25X1..9 / 50X1..9 with an optional "-TAG"; (b)(1..9) with an optional
 * "(a..z)". */
int dc_access_reason_valid(const char *c)
{
    if (!c) return 0;
    size_t n = strlen(c);
    if (n >= 4 && (strncmp(c, "25X", 3) == 0 || strncmp(c, "50X", 3) == 0) && c[3] >= '1' &&
        c[3] <= '9') {
        if (n == 4) return 1;
        if (c[4] != '-' || n == 5 || n > 16) return 0;
        for (size_t i = 5; i < n; i++)
            if (!isupper((unsigned char)c[i])) return 0;
        return 1;
    }
    if (n >= 6 && strncmp(c, "(b)(", 4) == 0 && c[4] >= '1' && c[4] <= '9' && c[5] == ')') {
        if (n == 6) return 1;
        return n == 9 && c[6] == '(' && islower((unsigned char)c[7]) && c[8] == ')';
    }
    return 0;
}

int dc_access_role_parse(const char *name)
{
    if (!name) return 0;
    if (strcmp(name, "reader") == 0) return DC_ROLE_READER;
    if (strcmp(name, "reviewer") == 0) return DC_ROLE_REVIEWER;
    if (strcmp(name, "admin") == 0) return DC_ROLE_ADMIN;
    return 0;
}

dc_rc dc_access_hash_password(const char *password, char **out)
{
    if (!out) return DC_MISUSE;
    *out = NULL;
    if (!password || !*password) return DC_MISUSE;
    if (sodium_init() < 0) return DC_INTERNAL;
    char *h = malloc(crypto_pwhash_STRBYTES);
    if (!h) return DC_NOMEM;
    if (crypto_pwhash_str(h, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        free(h);
        return DC_NOMEM; /* libsodium fails only when it cannot get its memory */
    }
    *out = h;
    return DC_OK;
}

int dc_access_verify_password(const char *hash, const char *password)
{
    if (!hash || !password || !*password || sodium_init() < 0) return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
