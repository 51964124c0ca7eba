/*
 * Placing a scanned document's words in its text (dc_ingest_place_words):
 * which target (title, portion, footnote, source note) and bytes of it
 * each word the helper read became, so that an access rule decided on the
 * text decides the words too (docs/scans.md, "Pages and words").
 *
 * The text ingester read the pages' text in order and kept most of it in
 * the same order, dropping markings, banners and page lines and joining
 * words broken at line ends.  So the words are matched in order against
 * the document's tokens: each word against the next WINDOW tokens, a word
 * broken by a hyphen joined with the next one, a word with a footnote
 * marker glued to it ("petroleum2") without it, and after a miss a resync
 * where three words in a row are found together.  A portion's label
 * ("8.") is a token of its own, of no bytes, before the portion's text:
 * the label is not in the text, and a label word searched for among the
 * text's tokens would land on the next "8" ahead ("Document 8.", "[1 line
 * of source text ...]"), taking it from its own word and pushing the
 * words after it onto later portions' tokens until a resync (a reader who
 * may not read those portions had readable words boxed over).  No token
 * takes two words: neither a search nor a resync lands on a token a word
 * took.  A word matched nowhere keeps no target: any reader's view that
 * hides something boxes it over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "model/model_int.h"
#include "util/util_int.h"
#include "util/banned.h"

#define WINDOW 48
#define RESYNC_BACK 2000
#define RESYNC_AHEAD 8000
#define KEY_MAX 64

typedef struct token {
    const char *target; /* borrowed: a portion id, "title", "source" or "fnN" */
    size_t start, end;
    char key[KEY_MAX];
} token;

typedef struct tokens {
    token *v;
    size_t n, cap;
    char (*fn)[24]; /* targets "fnN", one a footnote */
} tokens;

/* The key of s[0..n): its ASCII letters and digits lower-cased and any
 * other non-ASCII bytes as they are; punctuation dropped. */
static void key_of(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < KEY_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') out[k++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) out[k++] = (char)c;
    }
    out[k] = '\0';
}

/* Appends the token of s[0..n) (its key; none if the key is empty) for
 * target's bytes [start, end). */
static dc_rc push_token(tokens *t, const char *target, const char *s, size_t n, size_t start,
                        size_t end)
{
    char key[KEY_MAX];
    key_of(s, n, key);
    if (!key[0]) return DC_OK;
    if (DC_GROW(t->v, t->n + 1, t->cap)) return DC_NOMEM;
    token *tk = &t->v[t->n++];
    tk->target = target, tk->start = start, tk->end = end;
    memcpy(tk->key, key, sizeof key);
    return DC_OK;
}

/* A label ("8", printed "8."): not in its text, but on the page before
 * it; a token of no bytes, so that a word matching it is placed on its
 * portion or note (hidden with it, with no part of its text) and does not
 * take a token ahead (the "8" of "Document 8.", the "1" of "[1 line of
 * source text not declassified]", the source note's "1." the "1" of a
 * footnote "Printed as Document 1."), which would push every word after
 * it onto the tokens after their own, or leave a word of the text
 * unplaced. */
static dc_rc add_label(tokens *t, const char *target, const char *label)
{
    return push_token(t, target, label, strlen(label), 0, 0);
}

static dc_rc add_target(tokens *t, const char *target, const char *text)
{
    for (size_t i = 0; text && text[i];) {
        while (text[i] == ' ' || text[i] == '\n' || text[i] == '\t') i++;
        size_t s = i;
        while (text[i] && text[i] != ' ' && text[i] != '\n' && text[i] != '\t') i++;
        if (i == s) break;
        dc_rc rc = push_token(t, target, text + s, i - s, s, i);
        if (rc) return rc;
    }
    return DC_OK;
}

/* The document's tokens in reading order: number, title, portions, source
 * note, footnotes, each its label (a portion's, a note's number in the
 * list of notes), then its text. */
static dc_rc doc_tokens(const dc_doc *d, tokens *t)
{
    dc_rc rc = add_target(t, "number", d->number);
    if (!rc) rc = add_target(t, "title", d->title);
    for (size_t i = 0; !rc && i < d->n_portions; i++) {
        const dc_portion *p = &d->portions[i];
        if (p->id && p->label) rc = add_label(t, p->id, p->label);
        if (p->id && !rc) rc = add_target(t, p->id, p->text);
    }
    if (!rc && d->source_note && d->source_note_label)
        rc = add_label(t, "source", d->source_note_label);
    if (!rc) rc = add_target(t, "source", d->source_note);
    if (!rc && d->n_footnotes && !(t->fn = calloc(d->n_footnotes, sizeof *t->fn))) rc = DC_NOMEM;
    for (size_t i = 0; !rc && i < d->n_footnotes; i++) {
        const dc_footnote *f = &d->footnotes[i];
        if (!f->n || strlen(f->n) > 20) continue;
        snprintf(t->fn[i], sizeof t->fn[i], "fn%s", f->n);
        rc = add_label(t, t->fn[i], f->label ? f->label : f->n);
        if (!rc) rc = add_target(t, t->fn[i], f->text);
    }
    return rc;
}

typedef struct word_ref {
    dc_word *w;
    char key[KEY_MAX];
    int hyphen; /* its text ends with '-' */
} word_ref;

static long find(const tokens *t, const unsigned char *taken, size_t from, size_t to,
                 const char *key)
{
    if (to > t->n) to = t->n;
    for (size_t j = from; j < to; j++)
        if (!taken[j] && strcmp(t->v[j].key, key) == 0) return (long)j;
    return -1;
}

/* Where three words wr[0..3) stand together in t[from, to), on tokens no
 * word took yet, if at exactly one place; -1 otherwise. */
static long resync(const tokens *t, const unsigned char *taken, size_t from, size_t to,
                   const word_ref *wr, size_t left)
{
    if (left < 3 || !wr[1].key[0] || !wr[2].key[0]) return -1;
    if (to > t->n) to = t->n;
    long at = -1;
    for (size_t j = from; j + 2 < to; j++) {
        if (taken[j] || taken[j + 1] || taken[j + 2]) continue;
        if (strcmp(t->v[j].key, wr[0].key) || strcmp(t->v[j + 1].key, wr[1].key) ||
            strcmp(t->v[j + 2].key, wr[2].key))
            continue;
        if (at >= 0) return -1;
        at = (long)j;
    }
    return at;
}

static dc_rc place(dc_word *w, const token *tk)
{
    free(w->target);
    if (!(w->target = dc_strdup(tk->target))) return DC_NOMEM;
    w->start = tk->start, w->end = tk->end;
    return DC_OK;
}

/* Each page's regions: for each portion in order, the outline of its
 * placed words on the page. */
static dc_rc regions(dc_doc *doc)
{
    for (size_t p = 0; p < doc->n_scan; p++) {
        dc_page *pg = &doc->scan[p];
        for (size_t i = 0; i < pg->n_regions; i++) free(pg->regions[i].portion);
        pg->n_regions = 0;
        for (size_t k = 0; k < doc->n_portions; k++) {
            const char *id = doc->portions[k].id;
            int have = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
            for (size_t i = 0; id && i < pg->n_words; i++) {
                const dc_word *w = &pg->words[i];
                if (!w->target || strcmp(w->target, id) != 0) continue;
                if (!have || w->box.x < x0) x0 = w->box.x;
                if (!have || w->box.y < y0) y0 = w->box.y;
                if (!have || w->box.x + w->box.w > x1) x1 = w->box.x + w->box.w;
                if (!have || w->box.y + w->box.h > y1) y1 = w->box.y + w->box.h;
                have = 1;
            }
            if (have && dc_page_add_region(pg, id, (dc_box){x0, y0, x1 - x0, y1 - y0}))
                return DC_NOMEM;
        }
    }
    return DC_OK;
}

dc_rc dc_ingest_place_words(dc_doc *doc)
{
    tokens t = {0};
    size_t nw = 0;
    for (size_t p = 0; p < doc->n_scan; p++) nw += doc->scan[p].n_words;
    word_ref *wr = nw ? calloc(nw, sizeof *wr) : NULL;
    dc_rc rc = nw && !wr ? DC_NOMEM : doc_tokens(doc, &t);
    size_t k = 0;
    for (size_t p = 0; !rc && p < doc->n_scan; p++)
        for (size_t i = 0; i < doc->scan[p].n_words; i++, k++) {
            dc_word *w = &doc->scan[p].words[i];
            free(w->target);
            w->target = NULL;
            wr[k].w = w;
            size_t n = w->text ? strlen(w->text) : 0;
            key_of(w->text ? w->text : "", n, wr[k].key);
            wr[k].hyphen = n > 1 && w->text[n - 1] == '-';
        }
    unsigned char *taken = rc ? NULL : calloc(t.n ? t.n : 1, 1);
    if (!rc && !taken) rc = DC_NOMEM;
    size_t cur = 0;
    for (size_t i = 0; !rc && i < nw; i++) {
        if (!wr[i].key[0]) continue;
        long j = find(&t, taken, cur, cur + WINDOW, wr[i].key);
        if (j < 0 && wr[i].hyphen && i + 1 < nw) { /* "Secre-" "tary" */
            char joined[KEY_MAX];
            size_t a = strlen(wr[i].key), b = strlen(wr[i + 1].key);
            if (a + b >= KEY_MAX) b = KEY_MAX - 1 - a;
            memcpy(joined, wr[i].key, a);
            memcpy(joined + a, wr[i + 1].key, b);
            joined[a + b] = '\0';
            j = find(&t, taken, cur, cur + WINDOW, joined);
            if (j >= 0) {
                rc = place(wr[i].w, &t.v[j]);
                taken[j] = 1;
                i++;
            }
        }
        if (j < 0) { /* "petroleum2": a footnote marker glued to its word */
            char bare[KEY_MAX];
            size_t n = strlen(wr[i].key);
            memcpy(bare, wr[i].key, n + 1);
            while (n > 0 && bare[n - 1] >= '0' && bare[n - 1] <= '9') bare[--n] = '\0';
            if (n > 0 && n < strlen(wr[i].key)) j = find(&t, taken, cur, cur + WINDOW, bare);
        }
        if (j < 0) {
            size_t from = cur > RESYNC_BACK ? cur - RESYNC_BACK : 0;
            j = resync(&t, taken, from, cur + RESYNC_AHEAD, &wr[i], nw - i);
        }
        if (j < 0 || rc) continue;
        rc = place(wr[i].w, &t.v[j]);
        taken[j] = 1;
        cur = (size_t)j + 1;
    }
    free(taken);
    free(t.v);
    free(t.fn);
    free(wr);
    return rc ? rc : regions(doc);
}
