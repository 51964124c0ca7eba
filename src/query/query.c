/*
 * The query parser: query language (docs/query-language.md) → query tree.
 *
 * A recursive-descent parser over a small lexer, by precedence:
 *
 *     query   := or EOF
 *     or      := and ("OR" and)*
 *     and     := unary (["AND"] unary)*
 *     unary   := ("-" | "NOT" | FIELD ":") unary | primary
 *     primary := WORD | WORD"*" | "phrase" | "(" or ")"
 *
 * where a filter field (date: class: cites: collection:) takes a WORD or a
 * phrase as its raw value instead of a unary.  Before parsing, one pass of
 * the lexer checks quotes and parentheses, so those errors name the
 * unmatched character.  Words and phrases are analyzed as the index
 * analyzes text.  Nodes live in an arena owned by the dc_query; AND and OR
 * are flattened as they are built, and a last pass checks that no part of
 * the tree consists only of excluded terms (declass/query.h states the
 * guarantees).  Every error goes through perr, which keeps the first.
 */
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "declass/model.h"
#include "query/query.h"
#include "util/util_int.h"
#include "util/banned.h"

/* ---- arena ---- */

typedef struct block {
    struct block *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
} block;

#define BLOCK_SIZE 4096

struct dc_query {
    block *blocks;
    dc_qnode *root;
};

/* size zeroed bytes from q's arena, aligned for any type; NULL on NOMEM. */
static void *arena_alloc(dc_query *q, size_t size)
{
    size_t align = alignof(max_align_t);
    size = (size + align - 1) / align * align;
    block *b = q->blocks;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = q->blocks;
        q->blocks = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

/* A NUL-terminated copy of s[0..n) in q's arena. */
static char *arena_strndup(dc_query *q, const char *s, size_t n)
{
    char *p = arena_alloc(q, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void dc_query_free(dc_query *q)
{
    if (!q) return;
    block *b = q->blocks;
    while (b) {
        block *next = b->next;
        free(b);
        b = next;
    }
    free(q);
}

const dc_qnode *dc_query_root(const dc_query *q) { return q ? q->root : NULL; }

/* ---- lexer ---- */

typedef enum tkind {
    T_EOF,
    T_WORD,   /* a run of anything but space, parentheses and quotes */
    T_QUOTE,  /* "..." (or “...”): content in [cstart, cstart + clen) */
    T_LPAREN,
    T_RPAREN,
    T_MINUS,  /* '-' glued to the term it excludes */
    T_AND,
    T_OR,
    T_NOT,
    T_FIELD,  /* NAME: (the colon included) */
    T_BADQUOTE /* an opening quote that is never closed */
} tkind;

typedef enum fkind { F_TITLE, F_PERSON, F_DATE, F_CLASS, F_CITES, F_COLLECTION } fkind;

static const struct {
    const char *name;
    fkind kind;
} fields[] = {
    {"title", F_TITLE}, {"person", F_PERSON}, {"date", F_DATE},
    {"class", F_CLASS}, {"cites", F_CITES},   {"collection", F_COLLECTION},
};

typedef struct tok {
    tkind kind;
    size_t start, len;   /* the raw span */
    size_t cstart, clen; /* T_QUOTE: the content */
    fkind field;         /* T_FIELD */
} tok;

/* The length of the space character at q[i], or 0.  Control characters
 * count as space; so do the Unicode spaces users paste. */
static size_t space_len(const unsigned char *q, size_t i, size_t len)
{
    if (q[i] <= 0x20) return 1;
    if (q[i] == 0xC2 && i + 1 < len && q[i + 1] == 0xA0) return 2; /* no-break space */
    if (q[i] == 0xE2 && i + 2 < len) {
        if (q[i + 1] == 0x80 && (q[i + 2] <= 0x8A || q[i + 2] == 0xAF)) return 3;
        if (q[i + 1] == 0x81 && q[i + 2] == 0x9F) return 3;
    }
    if (q[i] == 0xE3 && i + 2 < len && q[i + 1] == 0x80 && q[i + 2] == 0x80) return 3;
    return 0;
}

/* The length of the quotation mark at q[i] (" “ ”), or 0. */
static size_t quote_len(const unsigned char *q, size_t i, size_t len)
{
    if (q[i] == '"') return 1;
    if (q[i] == 0xE2 && i + 2 < len && q[i + 1] == 0x80 && (q[i + 2] == 0x9C || q[i + 2] == 0x9D))
        return 3;
    return 0;
}

/* Reads the token at *i and moves *i past it. */
static tok lex(const unsigned char *q, size_t len, size_t *i)
{
    tok t = {T_EOF, 0, 0, 0, 0, F_TITLE};
    size_t n;
    while (*i < len && (n = space_len(q, *i, len)) != 0) *i += n;
    t.start = *i;
    if (*i >= len) return t;
    unsigned char c = q[*i];
    if (c == '(' || c == ')') {
        t.kind = c == '(' ? T_LPAREN : T_RPAREN;
        t.len = 1;
        (*i)++;
        return t;
    }
    if ((n = quote_len(q, *i, len)) != 0) {
        size_t j = *i + n, m = 0;
        while (j < len && (m = quote_len(q, j, len)) == 0) j++;
        if (j >= len) {
            t.kind = T_BADQUOTE;
            t.len = n;
            *i = len;
            return t;
        }
        t.kind = T_QUOTE;
        t.cstart = *i + n;
        t.clen = j - t.cstart;
        t.len = j + m - *i;
        *i = j + m;
        return t;
    }
    if (c == '-' && *i + 1 < len && q[*i + 1] != ')' && space_len(q, *i + 1, len) == 0) {
        t.kind = T_MINUS;
        t.len = 1;
        (*i)++;
        return t;
    }
    size_t j = *i;
    while (j < len && q[j] != '(' && q[j] != ')' && !space_len(q, j, len) && !quote_len(q, j, len))
        j++;
    t.kind = T_WORD;
    t.len = j - *i;
    const char *w = (const char *)q + *i;
    if (t.len == 3 && memcmp(w, "AND", 3) == 0) t.kind = T_AND;
    if (t.len == 2 && memcmp(w, "OR", 2) == 0) t.kind = T_OR;
    if (t.len == 3 && memcmp(w, "NOT", 3) == 0) t.kind = T_NOT;
    const char *colon = memchr(w, ':', t.len);
    if (colon && colon > w) {
        size_t nl = (size_t)(colon - w);
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            if (strlen(fields[f].name) == nl && strncasecmp(fields[f].name, w, nl) == 0) {
                t.kind = T_FIELD;
                t.field = fields[f].kind;
                t.len = nl + 1;
                break;
            }
        }
    }
    *i += t.len;
    return t;
}

/* ---- parser ---- */

typedef struct parser {
    dc_analyzer *a;
    const unsigned char *q;
    size_t len;
    size_t i;  /* the lexer's offset */
    tok cur;   /* the current token */
    dc_query *query;
    dc_error *err;
    dc_rc rc;  /* the first error */
    dc_qfield field;
    size_t n_terms;
    dc_qterm toks[DC_QUERY_MAX_TERMS]; /* tokens of the word being analyzed */
    size_t n_toks;
} parser;

/* The 1-based column of byte offset off: characters, not bytes. */
static unsigned column(const parser *p, size_t off)
{
    unsigned col = 1;
    for (size_t i = 0; i < off && i < p->len; i++) col += (p->q[i] & 0xC0) != 0x80;
    return col;
}

/* Records the first error (the message formatted from fmt) and returns
 * NULL, so parse functions can `return perr(...)`. */
static dc_qnode *perr(parser *p, dc_rc rc, const char *fmt, ...) DC_PRINTF(3, 4);
static dc_qnode *perr(parser *p, dc_rc rc, const char *fmt, ...)
{
    if (p->rc) return NULL;
    p->rc = rc;
    if (p->err) {
        char msg[sizeof p->err->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        dc_fail(p->err, rc, 0, "%s", msg);
    }
    return NULL;
}

static dc_qnode *nomem(parser *p) { return perr(p, DC_NOMEM, "out of memory"); }

static void advance(parser *p) { p->cur = lex(p->q, p->len, &p->i); }

static int starts_unary(tkind k)
{
    return k == T_WORD || k == T_QUOTE || k == T_LPAREN || k == T_MINUS || k == T_NOT ||
           k == T_FIELD;
}

static const char *tkind_name(tkind k)
{
    return k == T_AND ? "AND" : k == T_OR ? "OR" : k == T_NOT ? "NOT" : "'-'";
}

/* How much of a quoted value an error message shows. */
#define SHOW(n) ((int)((n) < 60 ? (n) : 60))

static dc_qnode *new_node(parser *p, dc_qkind kind, size_t off)
{
    dc_qnode *n = arena_alloc(p->query, sizeof *n);
    if (!n) return nomem(p);
    n->kind = kind;
    n->column = column(p, off);
    n->field = DC_FIELD_ANY;
    return n;
}

/* Counts k more terms against DC_QUERY_MAX_TERMS. */
static int count_terms(parser *p, size_t k)
{
    p->n_terms += k;
    if (p->n_terms <= DC_QUERY_MAX_TERMS) return 1;
    perr(p, DC_LIMIT, "the query has more than %d terms", DC_QUERY_MAX_TERMS);
    return 0;
}

/* dc_analyze callback: copies the token and its stem into the arena. */
static dc_rc collect(void *ctx, const dc_token *t)
{
    parser *p = ctx;
    if (p->n_toks >= DC_QUERY_MAX_TERMS) return DC_LIMIT;
    dc_qterm *qt = &p->toks[p->n_toks];
    qt->term = arena_strndup(p->query, t->term, t->len);
    qt->stem = arena_strndup(p->query, t->stem, t->stem_len);
    if (!qt->term || !qt->stem) return DC_NOMEM;
    qt->len = t->len;
    qt->stem_len = t->stem_len;
    p->n_toks++;
    return DC_OK;
}

/* Analyzes q[off..off+n) into p->toks.  0 on error (recorded). */
static int analyze(parser *p, size_t off, size_t n)
{
    p->n_toks = 0;
    dc_rc rc = dc_analyze(p->a, (const char *)p->q + off, n, 0, DC_ANALYZE_STEM, collect, p, NULL);
    if (rc == DC_LIMIT || (rc == DC_OK && !count_terms(p, p->n_toks))) {
        perr(p, DC_LIMIT, "the query has more than %d terms", DC_QUERY_MAX_TERMS);
        return 0;
    }
    if (rc) {
        perr(p, rc, "cannot analyze the query: %s", dc_strerror(rc));
        return 0;
    }
    return 1;
}

/* A TERM, PHRASE or PREFIX node from p->toks, in the current field. */
static dc_qnode *terms_node(parser *p, dc_qkind kind, size_t off)
{
    dc_qnode *n = new_node(p, kind, off);
    dc_qterm *terms = arena_alloc(p->query, p->n_toks * sizeof *terms);
    if (!n || !terms) return nomem(p);
    memcpy(terms, p->toks, p->n_toks * sizeof *terms);
    n->field = p->field;
    n->terms = terms;
    n->n_terms = p->n_toks;
    return n;
}

/* A bare word: a term, a phrase when it analyzes to several tokens, a
 * prefix when it ends in '*'; NULL (dropped) when it analyzes to nothing. */
static dc_qnode *word_node(parser *p, size_t off, size_t n)
{
    size_t base = n;
    while (base > 0 && p->q[off + base - 1] == '*') base--;
    if (!analyze(p, off, base) || p->n_toks == 0) return NULL;
    if (base < n) {
        if (p->n_toks > 1)
            return perr(p, DC_PARSE,
                        "a prefix must be a single word: \"%.*s\" at column %u is several",
                        SHOW(n), (const char *)p->q + off, column(p, off));
        p->toks[0].stem = p->toks[0].term;
        p->toks[0].stem_len = p->toks[0].len;
        return terms_node(p, DC_Q_PREFIX, off);
    }
    return terms_node(p, p->n_toks == 1 ? DC_Q_TERM : DC_Q_PHRASE, off);
}

/* A quoted phrase; one token makes an exact TERM. */
static dc_qnode *phrase_node(parser *p, const tok *t)
{
    if (!analyze(p, t->cstart, t->clen) || p->n_toks == 0) return NULL;
    dc_qnode *n = terms_node(p, p->n_toks == 1 ? DC_Q_TERM : DC_Q_PHRASE, t->start);
    if (n && n->kind == DC_Q_TERM) n->exact = 1;
    return n;
}

/* Reads 1..max digits at s[*i] into *v.  0 if there are none or more. */
static int digits(const unsigned char *s, size_t n, size_t *i, int min, int max, int *v)
{
    int k = 0;
    *v = 0;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
        if (++k > max) return 0;
        *v = *v * 10 + (s[(*i)++] - '0');
    }
    return k >= min;
}

/*
 * Parses a date "YYYY", "YYYY-MM" or "YYYY-MM-DD" (month and day may have
 * one digit) into its first day lo and last day hi, as "YYYY-MM-DD".
 * Returns 0 if s[0..n) is not such a date.
 */
static int parse_date(const unsigned char *s, size_t n, char lo[11], char hi[11])
{
    size_t i = 0;
    int y, m1 = 1, m2 = 12, d1 = 1, d2 = 31;
    if (!digits(s, n, &i, 4, 4, &y) || y < 1) return 0;
    if (i < n) {
        if (s[i++] != '-' || !digits(s, n, &i, 1, 2, &m1) || m1 < 1 || m1 > 12) return 0;
        m2 = m1;
        d2 = dc_days_in_month(y, m1);
        if (i < n) {
            if (s[i++] != '-' || !digits(s, n, &i, 1, 2, &d1) || d1 < 1 || d1 > d2) return 0;
            d2 = d1;
            if (i < n) return 0;
        }
    }
    dc_date_iso(lo, y, m1, d1);
    dc_date_iso(hi, y, m2, d2);
    return 1;
}

/* date:VALUE — a date or a range FROM..TO with either side open. */
static dc_qnode *date_node(parser *p, size_t off, const unsigned char *v, size_t n)
{
    dc_qnode *node = new_node(p, DC_Q_DATE, off);
    if (!node) return NULL;
    char lo[11], hi[11];
    const unsigned char *dots = NULL;
    for (size_t i = 0; i + 1 < n && !dots; i++)
        if (v[i] == '.' && v[i + 1] == '.') dots = v + i;
    int ok;
    if (!dots) {
        ok = parse_date(v, n, node->from, node->to);
    } else {
        size_t ln = (size_t)(dots - v), rn = n - ln - 2;
        ok = ln || rn;
        if (ok && ln) ok = parse_date(v, ln, node->from, hi);
        if (ok && rn) ok = parse_date(dots + 2, rn, lo, node->to);
    }
    if (!ok)
        return perr(p, DC_PARSE,
                    "bad date \"%.*s\" at column %u: use YYYY, YYYY-MM or YYYY-MM-DD, "
                    "or a range such as 1950..1953, 1950-10..1951 or ..1953",
                    SHOW(n), (const char *)v, column(p, off));
    if (node->from[0] && node->to[0] && strcmp(node->from, node->to) > 0)
        return perr(p, DC_PARSE, "bad date range \"%.*s\" at column %u: it ends before it starts",
                    SHOW(n), (const char *)v, column(p, off));
    return node;
}

/* The value of a filter field with whitespace runs collapsed to one space
 * and trimmed, in the arena; sets *out_len. */
static char *collapse(parser *p, const unsigned char *v, size_t n, size_t *out_len)
{
    char *s = arena_alloc(p->query, n + 1);
    if (!s) return nomem(p), NULL;
    size_t k = 0, sp;
    for (size_t i = 0; i < n;) {
        if ((sp = space_len(v, i, n)) != 0) {
            if (k && s[k - 1] != ' ') s[k++] = ' ';
            i += sp;
        } else {
            s[k++] = (char)v[i++];
        }
    }
    if (k && s[k - 1] == ' ') k--;
    s[k] = '\0';
    *out_len = k;
    return s;
}

/* A filter field (date, class, cites, collection) with the current token
 * as its value. */
static dc_qnode *filter_node(parser *p, fkind f, size_t off)
{
    static const char *const names[] = {"title", "person", "date", "class", "cites", "collection"};
    tok t = p->cur;
    if (t.kind != T_WORD && t.kind != T_QUOTE)
        return perr(p, DC_PARSE, "%s: at column %u needs a value", names[f], column(p, off));
    advance(p);
    if (!count_terms(p, 1)) return NULL;
    const unsigned char *v = p->q + (t.kind == T_QUOTE ? t.cstart : t.start);
    size_t n = t.kind == T_QUOTE ? t.clen : t.len, vlen;
    if (f == F_DATE) return date_node(p, off, v, n);
    char *val = collapse(p, v, n, &vlen);
    if (!val) return NULL;
    if (vlen == 0)
        return perr(p, DC_PARSE, "%s: at column %u needs a value", names[f], column(p, off));
    dc_qnode *node = new_node(p, f == F_CLASS ? DC_Q_CLASS
                                 : f == F_CITES ? DC_Q_CITES
                                                : DC_Q_COLLECTION,
                              off);
    if (!node) return NULL;
    if (f == F_CLASS) {
        node->level = dc_level_parse(val);
        if (node->level < 0)
            return perr(p, DC_PARSE,
                        "unknown classification level \"%.*s\" at column %u: use "
                        "unclassified, confidential, secret, top-secret or \"top secret\"",
                        SHOW(vlen), val, column(p, off));
        return node;
    }
    node->value = val;
    node->value_len = vlen;
    return node;
}

/* Kids of an AND or OR being built (malloc'd: freed by make_list). */
typedef struct kidvec {
    dc_qnode **v;
    size_t n, cap;
} kidvec;

/* Adds kid to kv, splicing in the kids of a kid of the same kind. */
static int kidvec_add(parser *p, kidvec *kv, dc_qkind kind, dc_qnode *kid)
{
    size_t add = kid->kind == kind ? kid->n_kids : 1;
    if (DC_GROW(kv->v, kv->n + add, kv->cap)) return nomem(p), 0;
    if (kid->kind == kind)
        for (size_t i = 0; i < kid->n_kids; i++) kv->v[kv->n++] = (dc_qnode *)kid->kids[i];
    else
        kv->v[kv->n++] = kid;
    return 1;
}

/* The AND or OR of kv's kids (the kid itself if one; NULL if none or on
 * error); frees kv. */
static dc_qnode *make_list(parser *p, kidvec *kv, dc_qkind kind, size_t off)
{
    dc_qnode *n = NULL;
    if (!p->rc && kv->n == 1) {
        n = kv->v[0];
    } else if (!p->rc && kv->n > 1) {
        n = new_node(p, kind, off);
        dc_qnode **kids = arena_alloc(p->query, kv->n * sizeof *kids);
        if (n && kids) {
            memcpy(kids, kv->v, kv->n * sizeof *kids);
            n->kids = (const dc_qnode *const *)kids;
            n->n_kids = kv->n;
        } else {
            n = nomem(p);
        }
    }
    free(kv->v);
    return n;
}

static dc_qnode *parse_or(parser *p, unsigned depth);

/*
 * unary: "-" / NOT / a field applied to the following unary, a filter
 * field with its value, or a primary.  Returns the node, or NULL: on error
 * (p->rc set) or when the operand analyzed to nothing (dropped, and with
 * it the operator).  depth counts the groups, NOTs and fields around.
 */
static dc_qnode *parse_unary(parser *p, unsigned depth)
{
    tok t = p->cur;
    if (t.kind == T_MINUS || t.kind == T_NOT || t.kind == T_FIELD) {
        if (depth >= DC_QUERY_MAX_DEPTH)
            return perr(p, DC_LIMIT, "the query nests deeper than %d levels (column %u)",
                        DC_QUERY_MAX_DEPTH, column(p, t.start));
        advance(p);
        if (t.kind == T_FIELD && (p->cur.kind == T_AND || p->cur.kind == T_OR ||
                                  p->cur.kind == T_NOT))
            p->cur.kind = T_WORD; /* title:OR is the word "or" */
        if (t.kind == T_FIELD && t.field != F_TITLE && t.field != F_PERSON)
            return filter_node(p, t.field, t.start);
        if (!starts_unary(p->cur.kind)) {
            if (t.kind == T_FIELD)
                return perr(p, DC_PARSE, "%.*s at column %u needs a word, phrase or group",
                            (int)t.len, (const char *)p->q + t.start, column(p, t.start));
            return perr(p, DC_PARSE, "%s at column %u needs a term after it",
                        tkind_name(t.kind), column(p, t.start));
        }
        if (t.kind == T_FIELD) {
            dc_qfield saved = p->field;
            p->field = t.field == F_TITLE ? DC_FIELD_TITLE : DC_FIELD_PERSON;
            dc_qnode *n = parse_unary(p, depth + 1);
            p->field = saved;
            return n;
        }
        dc_qnode *kid = parse_unary(p, depth + 1);
        if (!kid) return NULL;
        if (kid->kind == DC_Q_NOT) return (dc_qnode *)kid->kids[0];
        dc_qnode *n = new_node(p, DC_Q_NOT, t.start);
        dc_qnode **kids = arena_alloc(p->query, sizeof *kids);
        if (!n || !kids) return nomem(p);
        kids[0] = kid;
        n->kids = (const dc_qnode *const *)kids;
        n->n_kids = 1;
        return n;
    }
    if (t.kind == T_LPAREN && depth >= DC_QUERY_MAX_DEPTH)
        return perr(p, DC_LIMIT, "the query nests deeper than %d levels (column %u)",
                    DC_QUERY_MAX_DEPTH, column(p, t.start));
    advance(p);
    if (t.kind == T_WORD) return word_node(p, t.start, t.len);
    if (t.kind == T_QUOTE) return phrase_node(p, &t);
    /* T_LPAREN: the pre-pass has matched it with a ')'. */
    dc_qnode *n = parse_or(p, depth + 1);
    if (p->rc) return NULL;
    if (p->cur.kind != T_RPAREN)
        return perr(p, DC_INTERNAL, "unmatched '(' at column %u", column(p, t.start));
    advance(p);
    if (n && (n->kind == DC_Q_AND || n->kind == DC_Q_OR)) n->column = column(p, t.start);
    return n;
}

/* and: unary operands, with or without AND between them, up to OR, ')'
 * or the end.  "AND" must have an operand on each side.  NULL when every
 * operand was dropped (or none was there), or on error. */
static dc_qnode *parse_and(parser *p, unsigned depth)
{
    kidvec kv = {NULL, 0, 0};
    size_t off = p->cur.start;
    int operands = 0;
    while (!p->rc) {
        if (p->cur.kind == T_AND) {
            tok t = p->cur;
            if (!operands) {
                perr(p, DC_PARSE, "AND at column %u needs a term before it", column(p, t.start));
                break;
            }
            advance(p);
            if (!starts_unary(p->cur.kind)) {
                perr(p, DC_PARSE, "AND at column %u needs a term after it", column(p, t.start));
                break;
            }
        }
        if (!starts_unary(p->cur.kind)) break;
        dc_qnode *n = parse_unary(p, depth);
        operands++;
        if (n && !kidvec_add(p, &kv, DC_Q_AND, n)) break;
    }
    return make_list(p, &kv, DC_Q_AND, off);
}

/* Parses alternatives up to ')' or the end.  NULL with p->rc clear when
 * all of it was dropped (or there was nothing: an empty group). */
static dc_qnode *parse_or(parser *p, unsigned depth)
{
    kidvec kv = {NULL, 0, 0};
    size_t off = p->cur.start;
    if (p->cur.kind == T_OR) {
        perr(p, DC_PARSE, "OR at column %u needs a term before it", column(p, p->cur.start));
        return make_list(p, &kv, DC_Q_OR, off);
    }
    for (;;) {
        dc_qnode *n = parse_and(p, depth);
        if (p->rc) break;
        if (n && !kidvec_add(p, &kv, DC_Q_OR, n)) break;
        if (p->cur.kind != T_OR) break;
        size_t op = p->cur.start;
        advance(p);
        if (!starts_unary(p->cur.kind) && p->cur.kind != T_AND) {
            perr(p, DC_PARSE, "OR at column %u needs a term after it", column(p, op));
            break;
        }
    }
    return make_list(p, &kv, DC_Q_OR, off);
}

/*
 * The pre-pass: unclosed quotes, unbalanced parentheses and the nesting
 * cap, reported at the offending character.
 */
static int check_brackets(parser *p)
{
    size_t open[DC_QUERY_MAX_DEPTH], depth = 0, i = 0;
    for (;;) {
        tok t = lex(p->q, p->len, &i);
        if (t.kind == T_EOF) break;
        if (t.kind == T_BADQUOTE)
            return perr(p, DC_PARSE, "unbalanced quote: the quote at column %u is not closed",
                        column(p, t.start)),
                   0;
        if (t.kind == T_LPAREN) {
            if (depth == DC_QUERY_MAX_DEPTH)
                return perr(p, DC_LIMIT, "the query nests deeper than %d levels (column %u)",
                            DC_QUERY_MAX_DEPTH, column(p, t.start)),
                       0;
            open[depth++] = t.start;
        } else if (t.kind == T_RPAREN) {
            if (depth == 0)
                return perr(p, DC_PARSE,
                            "unbalanced parenthesis: ')' at column %u has no matching '('",
                            column(p, t.start)),
                       0;
            depth--;
        }
    }
    if (depth)
        return perr(p, DC_PARSE, "unbalanced parenthesis: '(' at column %u is not closed",
                    column(p, open[depth - 1])),
               0;
    return 1;
}

/* 1 if n can be evaluated on its own (is not a NOT, and an AND among its
 * kids has one that is not). */
static int positive(const dc_qnode *n)
{
    if (n->kind == DC_Q_NOT) return 0;
    if (n->kind != DC_Q_AND) return 1;
    for (size_t i = 0; i < n->n_kids; i++)
        if (positive(n->kids[i])) return 1;
    return 0;
}

/* Checks the guarantees of declass/query.h below the root. */
static int check_tree(parser *p, const dc_qnode *n)
{
    if (n->kind == DC_Q_AND && !positive(n))
        return perr(p, DC_PARSE, "the group at column %u cannot consist only of excluded terms",
                    n->column),
               0;
    if (n->kind == DC_Q_OR)
        for (size_t i = 0; i < n->n_kids; i++)
            if (!positive(n->kids[i]))
                return perr(p, DC_PARSE,
                            "the alternative at column %u of OR cannot consist only of "
                            "excluded terms",
                            n->kids[i]->column),
                       0;
    for (size_t i = 0; i < n->n_kids; i++)
        if (!check_tree(p, n->kids[i])) return 0;
    return 1;
}

dc_rc dc_query_parse(dc_analyzer *a, const char *q, size_t len, dc_query **out, dc_error *err)
{
    if (out) *out = NULL;
    if (!a || !out || (!q && len)) return dc_fail(err, DC_MISUSE, 0, "bad arguments");
    if (len > DC_QUERY_MAX_LEN)
        return dc_fail(err, DC_LIMIT, 0, "the query is longer than %d bytes", DC_QUERY_MAX_LEN);
    size_t bad;
    if (len && !dc_utf8_valid(q, len, &bad)) {
        unsigned col = 1;
        for (size_t i = 0; i < bad; i++) col += ((unsigned char)q[i] & 0xC0) != 0x80;
        return dc_fail(err, DC_PARSE, 0, "the query is not valid UTF-8 (column %u)", col);
    }
    parser *p = calloc(1, sizeof *p);
    dc_query *query = calloc(1, sizeof *query);
    if (!p || !query) {
        free(p);
        free(query);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    p->a = a;
    p->q = (const unsigned char *)(q ? q : "");
    p->len = len;
    p->query = query;
    p->err = err;
    dc_qnode *root = NULL;
    if (check_brackets(p)) {
        advance(p);
        if (p->cur.kind == T_EOF) {
            perr(p, DC_PARSE, "empty query");
        } else {
            root = parse_or(p, 0);
            if (!p->rc && p->cur.kind != T_EOF)
                perr(p, DC_INTERNAL, "unexpected token at column %u", column(p, p->cur.start));
            if (!p->rc && !root) perr(p, DC_PARSE, "empty query: it has no word to search for");
            if (!p->rc && !positive(root))
                perr(p, DC_PARSE, "a query cannot consist only of excluded terms");
            if (!p->rc) check_tree(p, root);
        }
    }
    dc_rc rc = p->rc;
    free(p);
    if (rc) {
        dc_query_free(query);
        return rc;
    }
    query->root = root;
    *out = query;
    return DC_OK;
}

/* ---- canonical form ---- */

static void put_str(dc_buf *b, const char *s, size_t n)
{
    dc_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            dc_buf_putc(b, '\\');
            dc_buf_putc(b, (char)c);
        } else if (c < 0x20 || c == 0x7F) {
            dc_buf_printf(b, "\\x%02x", c);
        } else {
            dc_buf_putc(b, (char)c);
        }
    }
    dc_buf_putc(b, '"');
}

static void put_node(dc_buf *b, const dc_qnode *n)
{
    static const char *const kinds[] = {"term",  "phrase", "prefix", "and",   "or",
                                        "not",   "date",   "class",  "cites", "collection"};
    dc_buf_putc(b, '(');
    dc_buf_puts(b, kinds[n->kind]);
    switch (n->kind) {
    case DC_Q_TERM:
    case DC_Q_PHRASE:
    case DC_Q_PREFIX:
        if (n->field == DC_FIELD_TITLE) dc_buf_puts(b, " title");
        if (n->field == DC_FIELD_PERSON) dc_buf_puts(b, " person");
        if (n->exact) dc_buf_puts(b, " exact");
        for (size_t i = 0; i < n->n_terms; i++) {
            dc_buf_putc(b, ' ');
            put_str(b, n->terms[i].term, n->terms[i].len);
        }
        if (n->kind == DC_Q_TERM) {
            dc_buf_putc(b, ' ');
            put_str(b, n->terms[0].stem, n->terms[0].stem_len);
        }
        break;
    case DC_Q_AND:
    case DC_Q_OR:
    case DC_Q_NOT:
        for (size_t i = 0; i < n->n_kids; i++) {
            dc_buf_putc(b, ' ');
            put_node(b, n->kids[i]);
        }
        break;
    case DC_Q_DATE:
        dc_buf_putc(b, ' ');
        if (n->from[0]) put_str(b, n->from, strlen(n->from));
        else dc_buf_putc(b, '*');
        dc_buf_putc(b, ' ');
        if (n->to[0]) put_str(b, n->to, strlen(n->to));
        else dc_buf_putc(b, '*');
        break;
    case DC_Q_CLASS:
        dc_buf_putc(b, ' ');
        dc_buf_puts(b, "\"");
        dc_buf_puts(b, dc_level_name((dc_level)n->level));
        dc_buf_puts(b, "\"");
        break;
    case DC_Q_CITES:
    case DC_Q_COLLECTION:
        dc_buf_putc(b, ' ');
        put_str(b, n->value, n->value_len);
        break;
    }
    dc_buf_putc(b, ')');
}

dc_rc dc_query_to_string(const dc_query *q, dc_buf *out)
{
    if (!q || !out || !q->root) return DC_MISUSE;
    put_node(out, q->root);
    return out->rc;
}
