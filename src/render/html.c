/*
 * The HTML edition of a document: one <article class="dc-doc"> fragment
 * whose element ids and classes are those of docs/internals/html.md (the
 * CSS, the page templates and the browser test rely on exactly these).
 *
 * Every string of the document is plain text: it is escaped (& < > " '),
 * control characters other than tab and newline are dropped, invalid UTF-8
 * becomes U+FFFD, so the output parses as XML as well as HTML.  Inside a
 * portion, text is decorated by marks (page and footnote markers, at byte
 * offsets) and by ranges (redaction runs, reference links); a range that
 * contains a mark is closed before the mark and reopened after it, so the
 * elements always nest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "render/render.h"
#include "refs/refs_int.h"
#include "util/util_int.h"
#include "util/banned.h"

static int streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* ---- ids: a hash set of the ids given out, so none is given twice ----- */

typedef struct id_slot {
    char *id;
    unsigned next; /* next suffix to try for this id as a base ("-2", ...) */
} id_slot;

typedef struct id_set {
    id_slot *slot;
    size_t n, cap; /* cap: a power of two, 0 before the first insert */
} id_set;

static size_t id_hash(const char *s)
{
    size_t h = 5381;
    while (*s) h = h * 33 + (unsigned char)*s++;
    return h;
}

static id_slot *id_find(const id_set *set, const char *id)
{
    if (!set->cap) return NULL;
    for (size_t i = id_hash(id) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (!set->slot[i].id) return NULL;
        if (strcmp(set->slot[i].id, id) == 0) return &set->slot[i];
    }
}

/* Inserts id (owned by the set from now on); DC_NOMEM frees it. */
static dc_rc id_insert(id_set *set, char *id)
{
    if ((set->n + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        id_slot *s = calloc(cap, sizeof *s);
        if (!s) {
            free(id);
            return DC_NOMEM;
        }
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->slot[i].id) continue;
            size_t j = id_hash(set->slot[i].id) & (cap - 1);
            while (s[j].id) j = (j + 1) & (cap - 1);
            s[j] = set->slot[i];
        }
        free(set->slot);
        set->slot = s;
        set->cap = cap;
    }
    size_t j = id_hash(id) & (set->cap - 1);
    while (set->slot[j].id) j = (j + 1) & (set->cap - 1);
    set->slot[j].id = id;
    set->slot[j].next = 2;
    set->n++;
    return DC_OK;
}

static void id_set_release(id_set *set)
{
    for (size_t i = 0; i < set->cap; i++) free(set->slot[i].id);
    free(set->slot);
}

/* ---- the rendering state ------------------------------------------------ */

/* One entry of the notes list: the source note or a footnote with text. */
typedef struct note {
    const char *n, *label, *text;
    const char *id;     /* its element id (in the id set), or NULL */
    const char *ref_id; /* id of the first marker linked to it, or NULL */
    const dc_span *spans; /* its inline spans */
    size_t n_spans;
} note;

typedef struct html {
    const dc_doc *doc;
    const dc_render_html_opts *opts;
    dc_buf *out;
    dc_rc rc;
    id_set ids;
    note *notes;
    size_t n_notes;
    signed char *ref_state; /* per doc->refs: 0 not asked, 1 linked, -1 not */
    char **ref_href;        /* per doc->refs: the href when linked */
    struct ref_key *keys;   /* doc->refs by (target, kind), when linking */
    size_t n_keys;
    struct entry *entries; /* list entries asked about (opts->entry) */
    size_t n_entries, cap_entries;
} html;

static void fail(html *h, dc_rc rc)
{
    if (!h->rc) h->rc = rc;
}

/*
 * A unique id from base: base itself, else base-2, base-3, ...  The id
 * is owned by the set; NULL (and h->rc set) on NOMEM.
 */
static const char *unique_id(html *h, const char *base)
{
    if (h->rc) return NULL;
    id_slot *b = id_find(&h->ids, base);
    char *id = NULL;
    if (!b) {
        id = dc_strdup(base);
    } else {
        dc_buf t;
        dc_buf_init(&t, 0);
        for (unsigned k = b->next;; k++) {
            dc_buf_reset(&t);
            dc_buf_printf(&t, "%s-%u", base, k);
            if (t.rc || !id_find(&h->ids, t.p)) {
                b->next = k + 1;
                break;
            }
        }
        id = dc_buf_detach(&t);
        dc_buf_release(&t);
    }
    if (!id || id_insert(&h->ids, id)) {
        fail(h, DC_NOMEM);
        return NULL;
    }
    return id_find(&h->ids, id)->id;
}

/* An id from prefix and a value: bytes outside [A-Za-z0-9_-] become '_'. */
static const char *unique_id_from(html *h, const char *prefix, const char *value)
{
    dc_buf t;
    dc_buf_init(&t, 0);
    dc_buf_puts(&t, prefix);
    if (!value || !*value) dc_buf_putc(&t, '_');
    for (const char *s = value; s && *s && !t.rc; s++)
        dc_buf_putc(&t, is_alnum(*s) || *s == '_' || *s == '-' ? *s : '_');
    const char *id = NULL;
    if (t.rc)
        fail(h, t.rc);
    else
        id = unique_id(h, t.p);
    dc_buf_release(&t);
    return id;
}

/* ---- escaping ----------------------------------------------------------- */

/* Escaping is util/xml.c's, for text and attribute values alike: a newline
 * becomes <br/> with br, otherwise a space. */
static void esc_n(dc_buf *out, const char *s, size_t n, int br)
{
    dc_buf_xml_escape(out, s, n, DC_XML_HTML | (br ? DC_XML_NL_BR : 0));
}

static void esc(dc_buf *out, const char *s)
{
    if (s) esc_n(out, s, strlen(s), 0);
}

/* A class name part: [a-z0-9-] kept (upper case lowered), others '-'. */
static void class_part(dc_buf *out, const char *s)
{
    for (; s && *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        dc_buf_putc(out, is_alnum(c) || c == '-' ? c : '-');
    }
}

/* Whether a label or note number is followed by "." when printed: not when
 * it ends in ASCII punctuation or is a bullet or dash. */
static int wants_period(const char *label)
{
    size_t n = strlen(label);
    if (!n) return 0;
    size_t i = n - 1;
    while (i > 0 && ((unsigned char)label[i] & 0xC0) == 0x80) i--;
    unsigned cp = 0;
    if (!dc_utf8_decode(label + i, n - i, &cp)) return 0;
    if (cp < 0x80) return is_alnum((char)cp);
    static const unsigned marks[] = {0x2022, 0x2023, 0x2043, 0x2013, 0x2014, 0x00B7,
                                     0x25AA, 0x25CF, 0x25E6, 0x00A7, 0x2026};
    for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
        if (cp == marks[k]) return 0;
    return 1;
}

static void label_text(dc_buf *out, const char *label)
{
    esc(out, label);
    if (wants_period(label)) dc_buf_putc(out, '.');
}

/* ---- dates -------------------------------------------------------------- */

/* "<time datetime="1959-10-08">October 8, 1959</time>" for a valid ISO
 * date; YYYY and YYYY-MM as they are; anything else as plain text. */
static void date_html(dc_buf *out, const char *date)
{
    size_t n = strlen(date);
    int y, m, d;
    int ok = dc_date_parse(date, n, &y, &m, &d);
    if (!ok) {
        esc(out, date);
        return;
    }
    dc_buf_puts(out, "<time datetime=\"");
    dc_buf_add(out, date, n);
    dc_buf_puts(out, "\">");
    if (n == 10)
        dc_buf_printf(out, "%s %d, %d", dc_month_name(m), d, y);
    else
        dc_buf_add(out, date, n);
    dc_buf_puts(out, "</time>");
}

/* ---- notes -------------------------------------------------------------- */

/* The notes list, ids reserved first so that markers can link to them:
 * the source note, then every footnote that has text. */
static void collect_notes(html *h)
{
    const dc_doc *d = h->doc;
    h->notes = calloc(d->n_footnotes + 1, sizeof *h->notes);
    if (!h->notes) {
        fail(h, DC_NOMEM);
        return;
    }
    if (d->source_note) {
        note *e = &h->notes[h->n_notes++];
        e->n = d->source_note_n;
        e->label = d->source_note_label ? d->source_note_label : d->source_note_n;
        e->text = d->source_note;
        e->spans = d->source_spans;
        e->n_spans = d->n_source_spans;
        e->id = d->source_note_n ? unique_id_from(h, "fn-", d->source_note_n)
                                 : unique_id(h, "fn-source");
    }
    for (size_t i = 0; i < d->n_footnotes; i++) {
        const dc_footnote *f = &d->footnotes[i];
        if (!f->text) continue;
        note *e = &h->notes[h->n_notes++];
        e->n = f->n;
        e->label = f->label ? f->label : f->n;
        e->text = f->text;
        e->spans = f->spans;
        e->n_spans = f->n_spans;
        e->id = unique_id_from(h, "fn-", f->n);
    }
}

/* The note a marker points to: the source note, else the first footnote
 * with that marker, if it has text; NULL otherwise. */
static note *note_for(html *h, const char *n)
{
    const dc_doc *d = h->doc;
    if (!n) return NULL;
    size_t k = 0;
    if (d->source_note) {
        if (streq(d->source_note_n, n)) return &h->notes[0];
        k = 1;
    }
    const dc_footnote *f = dc_doc_footnote(d, n);
    if (!f || !f->text) return NULL;
    for (; k < h->n_notes; k++)
        if (h->notes[k].text == f->text) return &h->notes[k];
    return NULL;
}

/* A footnote marker: linked to its note when the note is listed. */
static void note_ref(html *h, const char *n)
{
    dc_buf *out = h->out;
    note *e = note_for(h, n);
    if (!e || !e->id) {
        dc_buf_puts(out, "<sup class=\"dc-fnref\">");
        esc(out, n);
        dc_buf_puts(out, "</sup>");
        return;
    }
    const char *id = unique_id_from(h, "fnref-", n);
    if (!id) return;
    if (!e->ref_id) e->ref_id = id;
    dc_buf_puts(out, "<sup class=\"dc-fnref\" id=\"");
    esc(out, id);
    dc_buf_puts(out, "\"><a href=\"#");
    esc(out, e->id);
    dc_buf_puts(out, "\">");
    esc(out, e->label ? e->label : n);
    dc_buf_puts(out, "</a></sup>");
}

static void page_ref(html *h, const char *value)
{
    dc_buf *out = h->out;
    if (!value || !*value) {
        dc_buf_puts(out, "<span class=\"dc-page\">[Page]</span>");
        return;
    }
    const char *id = unique_id_from(h, "page-", value);
    if (!id) return;
    dc_buf_puts(out, "<span class=\"dc-page\" id=\"");
    esc(out, id);
    dc_buf_puts(out, "\" data-page=\"");
    esc(out, value);
    dc_buf_puts(out, "\">[Page ");
    esc(out, value);
    dc_buf_puts(out, "]</span>");
}

static void mark(html *h, const dc_mark *m)
{
    if (m->kind == DC_MARK_PAGE)
        page_ref(h, m->value);
    else if (m->kind == DC_MARK_NOTE)
        note_ref(h, m->value);
}

/* ---- ranges: redaction runs and reference links ------------------------- */

typedef struct range {
    size_t start, end;
    int ref; /* index into doc->refs, or -1 for a redaction run */
} range;

typedef struct ranges {
    range *v;
    size_t n, cap;
} ranges;

static void range_add(html *h, ranges *r, size_t start, size_t end, int ref)
{
    if (h->rc) return;
    if (DC_GROW(r->v, r->n + 1, r->cap)) {
        fail(h, DC_NOMEM);
        return;
    }
    r->v[r->n++] = (range){start, end, ref};
}

/*
 * The bracketed "[... not declassified]" run that ends at the "not
 * declassified" at hit (optionally "not declassified.]"), as the TEI
 * ingest's scan_gaps() reads them: the nearest '[' within 300 bytes before,
 * with no ']' between.  Sets [*a, *b) and returns 1, or returns 0.
 */
static int redaction_at(const char *t, const char *hit, size_t *a, size_t *b)
{
    const char *close = hit + 16;
    if (*close == '.') close++;
    if (*close != ']') return 0;
    for (const char *q = hit; q > t && hit - q < 300; q--) {
        if (q[-1] == ']') return 0;
        if (q[-1] == '[') {
            *a = (size_t)(q - 1 - t);
            *b = (size_t)(close + 1 - t);
            return 1;
        }
    }
    return 0;
}

static void find_redactions(html *h, const char *t, ranges *r)
{
    for (const char *hit = strstr(t, "not declassified"); hit;
         hit = strstr(hit + 16, "not declassified")) {
        size_t a, b;
        if (redaction_at(t, hit, &a, &b) && (!r->n || r->v[r->n - 1].end <= a))
            range_add(h, r, a, b, -1);
    }
}

/* A reference's sort key: doc->refs sorted by (target, kind), so that a
 * text full of references costs a binary search for each. */
typedef struct ref_key {
    const char *target, *kind;
    size_t idx;
} ref_key;

static int key_cmp(const ref_key *k, const char *target, size_t tlen, const char *kind)
{
    size_t n = strlen(k->target);
    int c = memcmp(k->target, target, n < tlen ? n : tlen);
    if (c) return c;
    if (n != tlen) return n < tlen ? -1 : 1;
    return strcmp(k->kind, kind);
}

static int key_order(const void *a, const void *b)
{
    const ref_key *y = b;
    return key_cmp(a, y->target, strlen(y->target), y->kind);
}

static void sort_refs(html *h)
{
    const dc_doc *d = h->doc;
    if (!h->opts || !h->opts->ref_href) return;
    h->keys = malloc((d->n_refs ? d->n_refs : 1) * sizeof *h->keys);
    if (!h->keys) {
        fail(h, DC_NOMEM);
        return;
    }
    for (size_t i = 0; i < d->n_refs; i++) {
        if (!d->refs[i].target || !d->refs[i].kind) continue;
        h->keys[h->n_keys++] = (ref_key){d->refs[i].target, d->refs[i].kind, i};
    }
    qsort(h->keys, h->n_keys, sizeof *h->keys, key_order);
}

/* The index of doc->refs of this kind and target, if ref_href links it
 * (asked once per reference); -1 otherwise. */
static int linked_ref(html *h, const char *kind, const char *target, size_t tlen)
{
    if (!h->keys) return -1;
    size_t lo = 0, hi = h->n_keys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(&h->keys[mid], target, tlen, kind) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == h->n_keys || key_cmp(&h->keys[lo], target, tlen, kind) != 0) return -1;
    size_t i = h->keys[lo].idx;
    const dc_ref *f = &h->doc->refs[i];
    if (!h->ref_state[i]) {
        dc_buf t;
        dc_buf_init(&t, 8192);
        int ok = h->opts->ref_href(h->opts->ctx, f, &t) == 1 && !t.rc && t.len;
        h->ref_href[i] = ok ? dc_buf_detach(&t) : NULL;
        dc_buf_release(&t);
        h->ref_state[i] = ok && h->ref_href[i] ? 1 : -1;
    }
    return h->ref_state[i] == 1 ? (int)i : -1;
}

static const char *digits_end(const char *s)
{
    while (is_digit(*s)) s++;
    return s;
}

/*
 * Links "Document 237" (the whole phrase) and "Documents 237 and 238"
 * ("Documents 237" and "238"), each number that doc->refs holds as a
 * document reference and ref_href resolves.
 */
static void find_doc_refs(html *h, const char *t, ranges *r)
{
    for (const char *q = strstr(t, "Document"); q; q = strstr(q + 8, "Document")) {
        if (q > t && is_alnum(q[-1])) continue;
        const char *s = q + 8;
        if (*s == 's') s++;
        if (*s != ' ' || !is_digit(s[1])) continue;
        const char *num = s + 1, *start = q;
        for (;;) {
            const char *e = digits_end(num);
            if (is_alnum(*e)) break;
            int ref = linked_ref(h, "document", num, (size_t)(e - num));
            if (ref >= 0) range_add(h, r, (size_t)(start - t), (size_t)(e - t), ref);
            const char *next = dc_refs_list_sep(e);
            if (!next) break;
            num = start = next;
        }
    }
}

/* Links NSC paper names ("NSC 5817", "NSC 5429/5") that doc->refs holds. */
static void find_paper_refs(html *h, const char *t, ranges *r)
{
    for (const char *q = strstr(t, "NSC "); q; q = strstr(q + 4, "NSC ")) {
        if (q > t && is_alnum(q[-1])) continue;
        const char *e = dc_refs_paper_at(q);
        if (!e || is_alnum(*e)) continue;
        int ref = linked_ref(h, "paper", q, (size_t)(e - q));
        if (ref >= 0) range_add(h, r, (size_t)(q - t), (size_t)(e - t), ref);
    }
}

static int range_cmp(const void *a, const void *b)
{
    const range *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    /* at one start, a redaction run first: it wins over a link */
    return (x->ref >= 0) - (y->ref >= 0);
}

/* Sorts the ranges and drops any that overlaps one kept before it. */
static void settle(ranges *r)
{
    if (!r->n) return;
    qsort(r->v, r->n, sizeof *r->v, range_cmp);
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (k && r->v[i].start < r->v[k - 1].end) {
            /* a link overlapping a redaction run gives way to it */
            if (r->v[k - 1].ref >= 0 && r->v[i].ref < 0) r->v[k - 1] = r->v[i];
            continue;
        }
        r->v[k++] = r->v[i];
    }
    r->n = k;
}

static void open_range(html *h, const range *g)
{
    dc_buf *out = h->out;
    if (g->ref < 0) {
        dc_buf_puts(out, "<span class=\"dc-redaction\">");
        return;
    }
    dc_buf_puts(out, "<a class=\"dc-xref\" href=\"");
    esc(out, h->ref_href[g->ref]);
    dc_buf_puts(out, "\" data-ref=\"");
    esc(out, h->doc->refs[g->ref].target);
    dc_buf_puts(out, "\">");
}

static void close_range(html *h, const range *g)
{
    dc_buf_puts(h->out, g->ref < 0 ? "</span>" : "</a>");
}

/* ---- spans: names, terms and emphasis ----------------------------------- */

/* A list entry a name or term links to, asked once per document. */
typedef struct entry {
    int term;
    const char *xml_id; /* borrowed from the span */
    const char *id;     /* the element id of its description, NULL if unknown */
    char *desc;
} entry;

/* The entry (term or person) xml_id, asking opts->entry the first time;
 * NULL when the list does not know it (or nothing is asked). */
static entry *entry_for(html *h, int term, const char *xml_id)
{
    if (!h->opts || !h->opts->entry || !xml_id || !*xml_id || !h->doc->collection) return NULL;
    for (size_t i = 0; i < h->n_entries; i++)
        if (h->entries[i].term == term && strcmp(h->entries[i].xml_id, xml_id) == 0)
            return h->entries[i].id ? &h->entries[i] : NULL;
    if (h->n_entries >= 4096 || DC_GROW(h->entries, h->n_entries + 1, h->cap_entries)) {
        if (h->n_entries < 4096) fail(h, DC_NOMEM);
        return NULL;
    }
    entry *e = &h->entries[h->n_entries++];
    *e = (entry){.term = term, .xml_id = xml_id};
    dc_buf d;
    dc_buf_init(&d, 65536);
    if (h->opts->entry(h->opts->ctx, term, xml_id, NULL, &d) == 1 && !d.rc) {
        e->desc = dc_buf_detach(&d);
        if (!e->desc && !(e->desc = dc_strdup(""))) fail(h, DC_NOMEM);
        if (e->desc) e->id = unique_id_from(h, term ? "term-" : "person-", xml_id);
    }
    dc_buf_release(&d);
    return e->id ? e : NULL;
}

/* A decoration of a portion's text: a range (redaction run, reference
 * link), a span linked to a list entry, or emphasis. */
typedef struct deco {
    size_t start, end;
    const range *range;  /* a range, or NULL */
    const dc_span *span; /* a span, or NULL */
    long ent;            /* index of the span's entry in h->entries, or -1 */
} deco;

#define MAX_DECOS 2000 /* decorations drawn in one text (the text is all shown) */

static int is_link(const deco *d) { return (d->range && d->range->ref >= 0) || d->ent >= 0; }

/* Outer first: by start, the longer first, then links before emphasis. */
static int deco_cmp(const void *a, const void *b)
{
    const deco *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end > y->end ? -1 : 1;
    if (!!x->range != !!y->range) return x->range ? -1 : 1;
    return (x->span > y->span) - (x->span < y->span);
}

static void url_part(dc_buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (is_alnum((char)*p) || strchr("._~-", *p)) dc_buf_putc(out, (char)*p);
        else dc_buf_printf(out, "%%%02X", *p);
    }
}

static void open_deco(html *h, const deco *d)
{
    dc_buf *out = h->out;
    if (d->range) {
        open_range(h, d->range);
    } else if (d->ent >= 0) {
        const entry *e = &h->entries[d->ent];
        dc_buf_puts(out, e->term ? "<a class=\"dc-term\" href=\"/terms/"
                                 : "<a class=\"dc-name\" href=\"/persons/");
        url_part(out, h->doc->collection);
        dc_buf_putc(out, '/');
        url_part(out, e->xml_id);
        dc_buf_puts(out, "\" aria-describedby=\"");
        esc(out, e->id);
        dc_buf_puts(out, "\" data-desc=\"");
        esc(out, e->desc);
        dc_buf_puts(out, "\">");
    } else if (streq(d->span->value, "italic")) {
        dc_buf_puts(out, "<i class=\"dc-hi\">");
    } else if (streq(d->span->value, "strong") || streq(d->span->value, "bold")) {
        dc_buf_puts(out, "<b class=\"dc-hi\">");
    } else {
        dc_buf_puts(out, streq(d->span->kind, "quote") ? "<span class=\"dc-quote\">"
                                                       : "<span class=\"dc-hi dc-hi-");
        if (!streq(d->span->kind, "quote")) {
            class_part(out, d->span->value ? d->span->value : "plain");
            dc_buf_puts(out, "\">");
        }
    }
}

static void close_deco(html *h, const deco *d)
{
    if (d->range) close_range(h, d->range);
    else if (d->ent >= 0) dc_buf_puts(h->out, "</a>");
    else if (streq(d->span->value, "italic")) dc_buf_puts(h->out, "</i>");
    else if (streq(d->span->value, "strong") || streq(d->span->value, "bold"))
        dc_buf_puts(h->out, "</b>");
    else dc_buf_puts(h->out, "</span>");
}

/*
 * The decorations of a text of length len: its ranges (already settled:
 * none overlaps another) and its spans: a name or term linked when its
 * list knows it and it crosses no other link or redaction run (links do
 * not nest), emphasis and quotations always; others (a ref span: the
 * references are linked by the ranges) are not drawn.
 */
static deco *decorations(html *h, const ranges *r, const dc_span *spans, size_t n_spans, size_t len,
                         size_t *n)
{
    *n = 0;
    size_t cap = r->n + n_spans;
    if (cap > MAX_DECOS) cap = MAX_DECOS;
    if (!cap) return NULL;
    deco *v = calloc(cap, sizeof *v);
    if (!v) {
        fail(h, DC_NOMEM);
        return NULL;
    }
    for (size_t i = 0; i < r->n && *n < cap; i++)
        v[(*n)++] = (deco){r->v[i].start, r->v[i].end, &r->v[i], NULL, -1};
    for (size_t i = 0; i < n_spans && *n < cap && !h->rc; i++) {
        const dc_span *s = &spans[i];
        size_t e = s->end > len ? len : s->end;
        if (s->start >= e) continue;
        deco d = {s->start, e, NULL, s, -1};
        int name = streq(s->kind, "persName"), term = streq(s->kind, "gloss");
        if (name || term) {
            const entry *en = entry_for(h, term, s->value);
            if (!en) continue;
            d.ent = en - h->entries;
            int crosses = 0;
            for (size_t k = 0; k < *n && !crosses; k++)
                crosses = (is_link(&v[k]) || (v[k].range && v[k].range->ref < 0)) &&
                          v[k].start < d.end && d.start < v[k].end;
            if (crosses) continue;
        } else if (!streq(s->kind, "hi") && !streq(s->kind, "quote")) {
            continue;
        } else {
            /* emphasis inside a redaction run (the extent FRUS prints in
             * italics) is not drawn: the run is shown as a whole */
            int inside = 0;
            for (size_t k = 0; k < *n && !inside; k++)
                inside = v[k].range && v[k].range->ref < 0 && v[k].start < d.end &&
                         d.start < v[k].end && !(d.start <= v[k].start && v[k].end <= d.end);
            if (inside) continue;
        }
        v[(*n)++] = d;
    }
    qsort(v, *n, sizeof *v, deco_cmp);
    return v;
}

/*
 * Writes text t with its marks (NULL for none) put back at their offsets
 * and its decorations: redaction runs, links, names and terms, emphasis.
 * The decorations open at a point are those covering it, outer first;
 * where that changes, the open ones are closed down to what stays and
 * the new ones opened, so elements always nest (one crossing another is
 * split).  A mark closes every open decoration before it.
 */
static void rich_text(html *h, const char *t, const dc_mark *marks, size_t n_marks,
                      const dc_span *spans, size_t n_spans)
{
    t = t ? t : "";
    size_t len = strlen(t);
    ranges r = {0};
    find_redactions(h, t, &r);
    find_doc_refs(h, t, &r);
    find_paper_refs(h, t, &r);
    settle(&r);
    size_t nd = 0;
    deco *d = decorations(h, &r, spans, n_spans, len, &nd);
    const deco *stack[MAX_DECOS];
    size_t depth = 0, pos = 0, mi = 0;
    for (;;) {
        if (mi < n_marks && (marks[mi].at > len ? len : marks[mi].at) <= pos) {
            while (depth) close_deco(h, stack[--depth]);
            while (mi < n_marks && (marks[mi].at > len ? len : marks[mi].at) <= pos)
                mark(h, &marks[mi++]);
        }
        if (pos >= len || h->out->rc || h->rc) break;
        /* what covers pos, outer first, and where that next changes */
        const deco *want[MAX_DECOS];
        size_t nw = 0, stop = len;
        if (mi < n_marks && marks[mi].at < stop) stop = marks[mi].at;
        for (size_t i = 0; i < nd; i++) {
            if (d[i].start > pos) {
                if (d[i].start < stop) stop = d[i].start;
                continue;
            }
            if (d[i].end <= pos) continue;
            want[nw++] = &d[i];
            if (d[i].end < stop) stop = d[i].end;
        }
        size_t keep = 0;
        while (keep < depth && keep < nw && stack[keep] == want[keep]) keep++;
        while (depth > keep) close_deco(h, stack[--depth]);
        for (; depth < nw; depth++) open_deco(h, stack[depth] = want[depth]);
        esc_n(h->out, t + pos, stop - pos, 1);
        pos = stop;
    }
    while (depth) close_deco(h, stack[--depth]);
    free(d);
    free(r.v);
}

/* ---- portions ----------------------------------------------------------- */

/* Whether a gap of the document is anchored in portion p. */
/* Whether text (spaces around ignored) is one bracketed line "[...]". */
static int is_gap_line(const char *t, size_t *a, size_t *b)
{
    if (!t) return 0;
    size_t n = strlen(t), i = 0;
    while (i < n && t[i] == ' ') i++;
    while (n > i && t[n - 1] == ' ') n--;
    if (n - i < 2 || t[i] != '[' || t[n - 1] != ']') return 0;
    if (memchr(t + i + 1, '[', n - i - 2) || memchr(t + i + 1, ']', n - i - 2)) return 0;
    *a = i;
    *b = n;
    return 1;
}

/*
 * Whether t is exactly a line dc_access_view() puts in place of a hidden
 * portion: "[less than 1 line of source text not declassified]", "[N
 * line(s) of source text not declassified]", "[portion not shown: not
 * cleared]".  Only such a line of a withheld portion may be shown.
 */
static int is_view_line(const char *t)
{
    static const char tail[] = " of source text not declassified]";
    if (strcmp(t, "[portion not shown: not cleared]") == 0 ||
        strcmp(t, "[less than 1 line of source text not declassified]") == 0)
        return 1;
    if (t[0] != '[' || !is_digit(t[1])) return 0;
    const char *s = digits_end(t + 1);
    if (strncmp(s, " line", 5) != 0) return 0;
    s += 5;
    if (*s == 's') s++;
    return strcmp(s, tail) == 0;
}

/*
 * A withheld portion, or one whose whole text is the line of a gap: only
 * the line (never the text of a withheld portion that reaches the
 * renderer unfiltered: that becomes the line dc_access_view would give),
 * with the page marks it carries.
 */
static void gap_portion(html *h, const dc_portion *p, const char *id, const char *new_page)
{
    dc_buf *out = h->out;
    char line[96];
    size_t a = 0, b = 0;
    const char *t = p->text ? p->text : "";
    if (!is_gap_line(t, &a, &b) || (p->withheld && !is_view_line(t))) {
        dc_access_gap_text(strlen(t), line, sizeof line);
        t = line;
        a = 0;
        b = strlen(line);
    }
    dc_buf_puts(out, "<div class=\"dc-portion dc-gap\" id=\"");
    esc(out, id);
    dc_buf_puts(out, "\" data-portion=\"");
    esc(out, p->id);
    dc_buf_puts(out, "\">");
    if (new_page) page_ref(h, new_page);
    size_t mi = 0;
    for (; mi < p->n_marks && p->marks[mi].at == 0; mi++)
        if (p->marks[mi].kind == DC_MARK_PAGE) page_ref(h, p->marks[mi].value);
    dc_buf_puts(out, "<span class=\"dc-redaction\"");
    if (p->withheld_reason && *p->withheld_reason) {
        dc_buf_puts(out, " data-reason=\"");
        esc(out, p->withheld_reason);
        dc_buf_putc(out, '"');
    }
    dc_buf_putc(out, '>');
    esc_n(out, t + a, b - a, 0);
    dc_buf_puts(out, "</span>");
    for (; mi < p->n_marks; mi++)
        if (p->marks[mi].kind == DC_MARK_PAGE) page_ref(h, p->marks[mi].value);
    dc_buf_puts(out, "</div>\n");
}

/* "(S)", "(TS/ANNEX-F)": the portion's own marking, abbreviated. */
static void portion_mark(dc_buf *out, const dc_portion *p)
{
    static const char *const abbr[] = {"U", "C", "S", "TS"};
    int level = dc_level_parse(p->classification);
    dc_buf_puts(out, "<span class=\"dc-pmark\">(");
    if (level >= 0 && level <= 3)
        dc_buf_puts(out, abbr[level]);
    else
        esc(out, p->classification);
    for (size_t i = 0; i < p->compartments.n; i++) {
        dc_buf_putc(out, '/');
        esc(out, p->compartments.v[i]);
    }
    dc_buf_puts(out, ")</span> ");
}

static void portion(html *h, const dc_portion *p, size_t idx, const char **page)
{
    dc_buf *out = h->out;
    char fallback[32];
    const char *pid = p->id;
    if (!pid || !*pid) {
        snprintf(fallback, sizeof fallback, "p%zu", idx + 1);
        pid = fallback;
    }
    const char *id = unique_id(h, pid);
    if (!id) return;
    /* a page that begins with the portion without a marker of its own */
    int own0 = p->n_marks && p->marks[0].kind == DC_MARK_PAGE && p->marks[0].at == 0;
    int new_page = !own0 && p->page && !streq(p->page, *page);
    size_t a, b;
    if (p->withheld || (dc_doc_gap(h->doc, p->id) && is_gap_line(p->text, &a, &b))) {
        gap_portion(h, p, id, new_page ? p->page : NULL);
    } else {
        dc_buf_puts(out, "<div class=\"dc-portion dc-");
        class_part(out, p->kind ? p->kind : "paragraph");
        dc_buf_puts(out, "\" id=\"");
        esc(out, id);
        dc_buf_puts(out, "\" data-portion=\"");
        esc(out, pid);
        dc_buf_puts(out, "\">");
        if (new_page) page_ref(h, p->page);
        size_t mi = 0;
        for (; own0 && mi < p->n_marks && p->marks[mi].at == 0; mi++) mark(h, &p->marks[mi]);
        if (p->label && *p->label) {
            dc_buf_puts(out, "<span class=\"dc-label\">");
            label_text(out, p->label);
            dc_buf_puts(out, "</span> ");
        }
        if (p->classification && *p->classification) portion_mark(out, p);
        rich_text(h, p->text, mi < p->n_marks ? p->marks + mi : NULL, p->n_marks - mi, p->spans,
                  p->n_spans);
        dc_buf_puts(out, "</div>\n");
    }
    if (p->page) *page = p->page;
    for (size_t i = 0; i < p->n_marks; i++)
        if (p->marks[i].kind == DC_MARK_PAGE) *page = p->marks[i].value;
}

/* ---- the document ------------------------------------------------------- */

static void head(html *h)
{
    const dc_doc *d = h->doc;
    dc_buf *out = h->out;
    dc_buf_puts(out, "<header class=\"dc-head\">\n");
    /* the marking the document carries; none is invented for an unmarked one */
    if (d->classification && *d->classification) {
        dc_buf_puts(out, "<div class=\"dc-banner dc-level-");
        class_part(out, dc_level_name((dc_level)dc_access_level(d->classification)));
        dc_buf_puts(out, "\">");
        esc(out, d->classification);
        dc_buf_puts(out, "</div>\n");
    }
    dc_buf_puts(out, "<h1 class=\"dc-title\">");
    if (d->number && *d->number) {
        dc_buf_puts(out, "<span class=\"dc-number\">");
        label_text(out, d->number);
        dc_buf_puts(out, "</span> ");
    }
    if (d->title && d->n_title_spans) /* names in the title link too */
        rich_text(h, d->title, NULL, 0, d->title_spans, d->n_title_spans);
    else esc(out, d->title ? d->title : "(untitled)");
    if (d->title_note) note_ref(h, d->title_note);
    dc_buf_puts(out, "</h1>\n");
    if (d->date && *d->date) {
        dc_buf_puts(out, "<p class=\"dc-date\">");
        date_html(out, d->date);
        dc_buf_puts(out, "</p>\n");
    }
    if (d->file_numbers.n) {
        dc_buf_puts(out, "<p class=\"dc-filenos\">");
        for (size_t i = 0; i < d->file_numbers.n; i++) {
            if (i) dc_buf_puts(out, "; ");
            esc(out, d->file_numbers.v[i]);
        }
        dc_buf_puts(out, "</p>\n");
    }
    dc_buf_puts(out, "<p class=\"dc-release\">");
    if (streq(d->release_status, "released")) {
        dc_buf_puts(out, "Released");
        if (d->release_date && *d->release_date) {
            dc_buf_putc(out, ' ');
            date_html(out, d->release_date);
        }
    } else if (streq(d->release_status, "under-review")) {
        dc_buf_puts(out, "Under review");
    } else {
        dc_buf_puts(out, "Classified");
    }
    dc_buf_puts(out, "</p>\n</header>\n");
}

static void notes_section(html *h)
{
    dc_buf *out = h->out;
    if (!h->n_notes) return;
    dc_buf_puts(out, "<section class=\"dc-notes\">\n<h2>Notes</h2>\n<ol class=\"dc-fns\">\n");
    for (size_t i = 0; i < h->n_notes; i++) {
        const note *e = &h->notes[i];
        dc_buf_puts(out, "<li class=\"dc-fn\" id=\"");
        esc(out, e->id);
        dc_buf_puts(out, "\">");
        if (e->label && *e->label) {
            dc_buf_puts(out, "<span class=\"dc-fnlabel\">");
            label_text(out, e->label);
            dc_buf_puts(out, "</span> ");
        }
        rich_text(h, e->text, NULL, 0, e->spans, e->n_spans);
        if (e->ref_id) {
            dc_buf_puts(out, " <a class=\"dc-fnback\" href=\"#");
            esc(out, e->ref_id);
            dc_buf_puts(out, "\" aria-label=\"back to text\">\xE2\x86\xA9</a>");
        }
        dc_buf_puts(out, "</li>\n");
    }
    dc_buf_puts(out, "</ol>\n</section>\n");
}

/* The descriptions the linked names and terms point to (aria-describedby),
 * hidden: the style sheet shows each link's data-desc on hover and focus. */
static void descriptions(html *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_entries; i++) n += h->entries[i].id != NULL;
    if (!n) return;
    dc_buf *out = h->out;
    dc_buf_puts(out, "<div class=\"dc-descs\" hidden>\n");
    for (size_t i = 0; i < h->n_entries; i++) {
        const entry *e = &h->entries[i];
        if (!e->id) continue;
        dc_buf_puts(out, "<span id=\"");
        esc(out, e->id);
        dc_buf_puts(out, "\">");
        esc(out, e->desc);
        dc_buf_puts(out, "</span>\n");
    }
    dc_buf_puts(out, "</div>\n");
}

dc_rc dc_render_html(const dc_doc *doc, const dc_render_html_opts *opts, dc_buf *out)
{
    if (!doc || !out) return DC_MISUSE;
    if (out->rc) return out->rc;
    html h = {.doc = doc, .opts = opts, .out = out};
    size_t nr = doc->n_refs ? doc->n_refs : 1;
    h.ref_state = calloc(nr, 1);
    h.ref_href = calloc(nr, sizeof *h.ref_href);
    if (!h.ref_state || !h.ref_href) fail(&h, DC_NOMEM);
    if (!h.rc) sort_refs(&h);
    if (!h.rc) collect_notes(&h);
    if (!h.rc) {
        dc_buf_puts(out, "<article class=\"dc-doc\" data-id=\"");
        esc(out, doc->id);
        dc_buf_puts(out, "\">\n");
        head(&h);
        dc_buf_puts(out, "<div class=\"dc-body\">\n");
        const char *page = NULL;
        for (size_t i = 0; i < doc->n_portions && !h.rc && !out->rc; i++)
            portion(&h, &doc->portions[i], i, &page);
        dc_buf_puts(out, "</div>\n");
        notes_section(&h);
        descriptions(&h);
        dc_buf_puts(out, "</article>\n");
    }
    for (size_t i = 0; h.ref_href && i < doc->n_refs; i++) free(h.ref_href[i]);
    free(h.ref_href);
    free(h.ref_state);
    free(h.keys);
    free(h.notes);
    for (size_t i = 0; i < h.n_entries; i++) free(h.entries[i].desc);
    free(h.entries);
    id_set_release(&h.ids);
    if (h.rc && !out->rc) out->rc = h.rc;
    return out->rc;
}
