/*
 * The plain-text ingester: FRUS-style transcriptions and OCR output in
 * UTF-8 become a dc_doc.
 *
 * The input is read in four passes over an array of its non-blank lines:
 *   1. the note list at the end ("  1. Source: ...", "  2. ...") is found
 *      and set aside;
 *   2. the header: "NUMBER. Title", a leading file number ("795.00/10–750")
 *      or letterhead lines, and the title;
 *   3. the body, in document order: each non-blank line is a portion (hard-
 *      wrapped lines are joined first); "[Page N]" markers, page separators,
 *      footnote markers and "[... not declassified]" gaps are recorded;
 *   4. the notes are matched to the markers, and doc_type, classification
 *      and date are derived.
 *
 * Nothing of the input is dropped: every word is kept in the title (and
 * number), a portion (its label and text), a footnote (its label and text)
 * or the source note.  Only bullets ("•", "-") that stand before a printed
 * label, and the markers that are recorded as marks, leave the text.
 */
#include "ingest/ingest.h"
#include "model/model_int.h"
#include "ingest/ingest_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/util_int.h"
#include "util/banned.h"

/* Caps on one document, far above any real record. */
#define TX_MAX_LINES 1000000    /* non-blank lines */
#define TX_MAX_PORTIONS 100000  /* portions */
#define TX_MAX_MARKS 100000     /* page and note marks together */
#define TX_MAX_GAPS 100000      /* "[... not declassified]" gaps */
#define TX_MAX_MARKER 999       /* footnote markers have at most 3 digits */
#define TX_HEAD_LINES 8         /* lines searched for title, banner, dateline */
#define TX_VAL 24               /* a page value or portion id, with its NUL */
#define TX_EXT 80               /* a gap extent, with its NUL */

static const char BOM[] = "\xEF\xBB\xBF";

/* ------------------------------------------------------------------ */
/* Characters                                                          */
/* ------------------------------------------------------------------ */

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
static int is_space(int c) { return is_blank(c) || c == '\n'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int to_lower(int c) { return is_upper(c) ? c + ('a' - 'A') : c; }

/* The code point that ends just before s[i], or -1 at the start or on bad
 * UTF-8; *start (if not NULL) receives the offset of its first byte. */
static long cp_before(const char *s, size_t i, size_t *start)
{
    if (i == 0) return -1;
    size_t k = i - 1;
    while (k > 0 && i - k < 4 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    unsigned cp;
    if (dc_utf8_decode(s + k, i - k, &cp) != i - k) return -1;
    if (start) *start = k;
    return (long)cp;
}

/* The code point at s[i] (n bytes in s), or -1 at the end or on bad UTF-8. */
static long cp_at(const char *s, size_t n, size_t i)
{
    unsigned cp;
    if (i >= n || !dc_utf8_decode(s + i, n - i, &cp)) return -1;
    return (long)cp;
}

static int cp_is_letter(long cp)
{
    if (cp < 0) return 0;
    if (cp < 0x80) return is_alpha((int)cp);
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT ||
           c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_LO;
}

static int cp_is_lower(long cp)
{
    if (cp < 0) return 0;
    if (cp < 0x80) return cp >= 'a' && cp <= 'z';
    return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_LL;
}

static int cp_is_space(long cp) { return cp >= 0 && cp < 0x80 && is_space((int)cp); }
static int cp_is_digit(long cp) { return cp >= 0 && cp < 0x80 && is_digit((int)cp); }

/* Punctuation a footnote marker may be glued to: "Council.6", "speech,2". */
static int cp_marker_punct(long cp)
{
    return cp == '.' || cp == ',' || cp == ';' || cp == ':' || cp == ')' || cp == '"' ||
           cp == 0x201D || cp == 0x2019;
}

/* What may follow a marker: the end, a blank or closing punctuation. */
static int marker_end_ok(const char *s, size_t n, size_t j)
{
    long cp = cp_at(s, n, j);
    return j >= n || cp_is_space(cp) || cp == '.' || cp == ',' || cp == ';' || cp == ':' ||
           cp == ')' || cp == ']' || cp == '"' || cp == '!' || cp == '?' || cp == 0x201D ||
           cp == 0x2019;
}

/* Punctuation that ends a line that is complete (not hard-wrapped). */
static int cp_terminal(long cp)
{
    return cp == '.' || cp == ':' || cp == ';' || cp == '?' || cp == '!' || cp == ')' ||
           cp == '"' || cp == ']' || cp == 0x201D || cp == 0x2019;
}

/* Parses s[0..n) as a small decimal (n <= 7); -1 if not all digits. */
static long parse_num(const char *s, size_t n)
{
    long v = 0;
    if (n == 0 || n > 7) return -1;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

/* Case-insensitive (ASCII) search for word w in s[0..n) at word boundaries;
 * returns its offset or (size_t)-1. */
static size_t find_word_ci(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && to_lower((unsigned char)s[i + j]) == to_lower((unsigned char)w[j])) j++;
        if (j < k) continue;
        if (i > 0 && cp_is_letter(cp_before(s, i, NULL))) continue;
        if (cp_is_letter(cp_at(s, n, i + k))) continue;
        return i;
    }
    return (size_t)-1;
}

/* ------------------------------------------------------------------ */
/* Checking the input                                                  */
/* ------------------------------------------------------------------ */

/*
 * Whether data[i..len) passes the checks below, in one pass: eight bytes at
 * a time while they are printable ASCII (most text), else byte by byte.
 * The loop below then runs only to say what is wrong, in its order.
 */
static int text_ok(const char *data, size_t len, size_t i)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t line = i;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t x;
            memcpy(&x, data + i, 8);
            /* a high bit: a byte >= 0x80, or (the first) below 0x20 */
            if (!(((x - 0x20 * ones) | x) & highs)) {
                i += 8;
                continue;
            }
        }
        unsigned char c = (unsigned char)data[i];
        if (c >= 0x20 && c < 0x80) {
            i++;
        } else if (c == '\n') {
            size_t ll = i - line;
            if (ll && data[i - 1] == '\r') ll--;
            if (ll > DC_INGEST_MAX_LINE) return 0;
            line = ++i;
        } else if (c < 0x20) {
            if (c != '\t' && c != '\r' && c != '\f') return 0;
            i++;
        } else {
            unsigned cp;
            size_t l = dc_utf8_decode(data + i, len - i, &cp);
            if (!l) return 0;
            i += l;
        }
    }
    size_t ll = len - line;
    if (ll && data[len - 1] == '\r') ll--;
    return ll <= DC_INGEST_MAX_LINE;
}

/*
 * Refuses input that is not text: empty or blank, control bytes other than
 * tab, newline, carriage return and form feed, invalid UTF-8 (overlongs and
 * surrogates included), a line longer than DC_INGEST_MAX_LINE.  The column
 * of an invalid byte counts characters, as an editor shows it.
 */
dc_rc dc_ingest_check_text(const char *data, size_t len, dc_error *err)
{
    if (!data && len) return dc_fail(err, DC_MISUSE, 0, "no input");
    size_t i = 0;
    if (len >= 3 && memcmp(data, BOM, 3) == 0) i = 3;
    size_t k = i;
    while (k < len && is_space((unsigned char)data[k])) k++;
    if (k >= len) return dc_fail(err, DC_PARSE, 0, "empty file");
    if (text_ok(data, len, i)) return DC_OK;
    long line = 1;
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t ll = end - i;
        if (ll && data[end - 1] == '\r') ll--;
        if (ll > DC_INGEST_MAX_LINE)
            return dc_fail(err, DC_LIMIT, line, "line %ld is longer than %zu bytes", line,
                           DC_INGEST_MAX_LINE);
        for (size_t j = i; j < end; j++) {
            unsigned char c = (unsigned char)data[j];
            if (c < 0x20 && c != '\t' && c != '\r' && c != '\f')
                return dc_fail(err, DC_PARSE, line,
                               "binary file (control byte 0x%02X at line %ld)", c, line);
        }
        size_t bad = 0;
        if (!dc_utf8_valid(data + i, end - i, &bad)) {
            size_t col = 1;
            for (size_t j = i; j < i + bad; j++)
                if (((unsigned char)data[j] & 0xC0) != 0x80) col++;
            return dc_fail(err, DC_PARSE, line, "invalid UTF-8 at line %ld, column %zu", line,
                           col);
        }
        i = end + 1;
        line++;
    }
    return DC_OK;
}

int dc_ingest_is_xml(const char *data, size_t len)
{
    size_t i = 0;
    if (!data) return 0;
    if (len >= 3 && memcmp(data, BOM, 3) == 0) i = 3;
    while (i < len && is_space((unsigned char)data[i])) i++;
    return i < len && data[i] == '<';
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */
/* ------------------------------------------------------------------ */

enum { LN_TEXT, LN_PAGE, LN_BREAK, LN_LABEL };

typedef struct tx_line {
    const char *s;        /* first non-blank byte */
    size_t n;             /* length, leading and trailing blanks removed */
    long no;              /* 1-based line number in the input */
    unsigned indent;      /* leading blanks */
    unsigned char first;  /* first line of a block (a blank line precedes) */
    unsigned char kind;   /* LN_* */
    unsigned char title;  /* the line is consumed as "NUMBER. Title" */
    unsigned char fileno; /* a leading file number */
} tx_line;

/* A position recorded while scanning one portion's text. */
enum { EV_PAGE, EV_NOTE, EV_GAP };
typedef struct tx_event {
    int kind;
    size_t at;
    char value[TX_VAL]; /* page value or marker as found */
    char page[TX_VAL];  /* EV_GAP: page in force */
    char extent[TX_EXT];
} tx_event;

typedef struct tx_state {
    dc_doc *doc;
    dc_error *err;
    tx_line *lines;
    size_t n_lines, cap_lines, body_end;
    /* footnote markers */
    int expect;     /* the marker expected next */
    int max_marker; /* the largest a marker can be */
    int min_marker; /* the smallest marker found, or -1 */
    uint64_t anchored[(TX_MAX_MARKER + 64) / 64]; /* bit v: anchor[v] is set */
    int n_order;
    size_t n_marks;
    /* pages */
    char page[TX_VAL];       /* page in force, "" if none yet */
    char start_page[TX_VAL]; /* page in force where the scanned text starts */
    int pending_break;       /* an unnumbered page break precedes the next portion */
    long line;               /* input line being read, for messages */
    const char *banner;      /* level of a banner line near the top, or NULL */
    /* scratch */
    dc_buf join, out;
    tx_event *ev;
    size_t n_ev, cap_ev;
    /* Last, and left uninitialised (12 KB a file): read only where
     * anchored and n_order say they were written. */
    char anchor[TX_MAX_MARKER + 1][8]; /* first portion ("title") of each marker */
    int order[TX_MAX_MARKER + 1];      /* marker values in order of first use */
} tx_state;

static int has_anchor(const tx_state *st, long v) { return st->anchored[v / 64] >> (v % 64) & 1; }

static dc_rc nomem(tx_state *st) { return dc_fail(st->err, DC_NOMEM, 0, "out of memory"); }

/* Recognises "[Page N]" at s[0..n): N is 1..16 letters or digits.  Returns
 * the marker's length and copies N to value, or returns 0. */
static size_t page_marker(const char *s, size_t n, char *value)
{
    if (!starts_with(s, n, "[Page ")) return 0;
    size_t i = 6, v = i;
    while (i < n && i - v <= 16 && (is_digit((unsigned char)s[i]) || is_alpha((unsigned char)s[i])))
        i++;
    if (i == v || i - v > 16 || i >= n || s[i] != ']') return 0;
    memcpy(value, s + v, i - v);
    value[i - v] = '\0';
    return i + 1;
}

static int is_break_line(const char *s, size_t n)
{
    if (n < 3) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '=' && s[i] != '-' && s[i] != '_') return 0;
    return 1;
}

/* A bullet at s: "•", "-", "*" or "–" followed by a blank.  Returns the
 * bullet's length (without the blank) or 0. */
static size_t bullet_at(const char *s, size_t n)
{
    size_t b = 0;
    if (n >= 1 && (s[0] == '-' || s[0] == '*')) b = 1;
    else if (starts_with(s, n, "\xE2\x80\xA2") || starts_with(s, n, "\xE2\x80\x93")) b = 3;
    if (!b || b >= n || !is_blank((unsigned char)s[b])) return 0;
    return b;
}

/* The printed label of a line. */
typedef struct tx_label {
    char label[8];  /* "1", "a", "A", a bullet ("•"), or "" */
    int numbered;   /* the label is a number */
    int lettered;   /* the label is a letter */
    size_t bullet;  /* length of a leading bullet, 0 if none */
    size_t text;    /* offset of the text after bullet and label */
    int only;       /* nothing follows the label */
} tx_label;

/*
 * Reads the label at the start of a line: an optional bullet, then "12. "
 * (1-3 digits) or "b. " (one ASCII letter).  A bullet without a label
 * becomes the label itself, so that the renderer prints it back.
 */
static void parse_label(const char *s, size_t n, tx_label *lb)
{
    memset(lb, 0, sizeof *lb);
    size_t i = bullet_at(s, n);
    if (i) {
        lb->bullet = i;
        while (i < n && is_blank((unsigned char)s[i])) i++;
    }
    size_t d = i;
    while (d < n && d - i < 4 && is_digit((unsigned char)s[d])) d++;
    size_t e = 0;
    if (d > i && d - i <= 3 && d < n && s[d] == '.') {
        e = d;
        lb->numbered = 1;
    } else if (i + 1 < n && is_alpha((unsigned char)s[i]) && s[i + 1] == '.') {
        e = i + 1;
        lb->lettered = 1;
    }
    if (e && (e + 1 == n || is_blank((unsigned char)s[e + 1]))) {
        memcpy(lb->label, s + i, e - i);
        lb->label[e - i] = '\0';
        size_t t = e + 1;
        while (t < n && is_blank((unsigned char)s[t])) t++;
        lb->text = t;
        lb->only = t >= n;
        return;
    }
    lb->numbered = lb->lettered = 0;
    if (lb->bullet) {
        memcpy(lb->label, s, lb->bullet);
        lb->label[lb->bullet] = '\0';
        lb->text = i;
    }
}

/*
 * Splits data into its non-blank lines (blanks trimmed, CR of CRLF
 * dropped) and classifies each.  A line holding only blanks and a form feed
 * is an unnumbered page break.  Fails with DC_LIMIT past TX_MAX_LINES.
 */
static dc_rc split_lines(tx_state *st, const char *data, size_t len)
{
    size_t i = 0;
    long no = 0;
    int first = 1;
    if (len >= 3 && memcmp(data, BOM, 3) == 0) i = 3;
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t a = i, b = end;
        unsigned indent = 0;
        int ff = 0;
        no++;
        while (a < b && is_blank((unsigned char)data[a])) {
            ff |= data[a] == '\f';
            a++;
            indent++;
        }
        while (b > a && is_blank((unsigned char)data[b - 1])) {
            ff |= data[b - 1] == '\f';
            b--;
        }
        i = end + 1;
        if (a == b && !ff) {
            first = 1;
            continue;
        }
        if (st->n_lines >= TX_MAX_LINES)
            return dc_fail(st->err, DC_LIMIT, no, "more than %d non-blank lines", TX_MAX_LINES);
        if (DC_GROW(st->lines, st->n_lines + 1, st->cap_lines)) return nomem(st);
        tx_line *L = &st->lines[st->n_lines++];
        memset(L, 0, sizeof *L);
        L->s = data + a;
        L->n = b - a;
        L->no = no;
        L->indent = indent;
        L->first = (unsigned char)first;
        char pv[TX_VAL];
        tx_label lb;
        if (a == b) {
            L->kind = LN_BREAK;
            first = 1; /* a form feed also ends the block */
            continue;
        }
        first = 0;
        if (page_marker(L->s, L->n, pv) == L->n) L->kind = LN_PAGE;
        else if (is_break_line(L->s, L->n)) L->kind = LN_BREAK;
        else {
            parse_label(L->s, L->n, &lb);
            L->kind = (lb.numbered || lb.lettered) && lb.only ? LN_LABEL : LN_TEXT;
        }
    }
    return DC_OK;
}

static int is_content(const tx_line *L) { return L->kind == LN_TEXT || L->kind == LN_LABEL; }

/* 1 if lines[k..end) are the only text of their block (page lines aside). */
static int block_single(const tx_state *st, size_t k, size_t end)
{
    for (size_t m = k; !st->lines[m].first && m > 0; m--)
        if (is_content(&st->lines[m - 1])) return 0;
    for (size_t m = end; m < st->body_end && !st->lines[m].first; m++)
        if (is_content(&st->lines[m])) return 0;
    return 1;
}

static size_t gap_marker(const char *s, size_t n, char *extent);

/* 1 if s[0..n) ends in a withheld-text note that does not begin it
 * ("... tungsten [less than 1 line of source text not declassified]"): a
 * note inside a sentence, which a wrap may leave at a line's end. */
static int ends_in_inline_gap(const char *s, size_t n)
{
    char extent[TX_EXT];
    size_t i = n;
    while (i > 0 && n - i < 200 && s[i - 1] != '[') i--;
    return i > 1 && s[i - 1] == '[' && gap_marker(s + i - 1, n - i + 1, extent) == n - i + 1;
}

/* 1 if line k+1 continues hard-wrapped line k: same block, k does not end
 * in terminal punctuation (a withheld-text note inside a sentence is none),
 * k+1 is unlabelled text starting in lowercase. */
static int continues(const tx_state *st, size_t k)
{
    if (k + 1 >= st->body_end) return 0;
    const tx_line *a = &st->lines[k], *b = &st->lines[k + 1];
    if (b->first || b->kind != LN_TEXT || b->title || b->fileno) return 0;
    if (cp_terminal(cp_before(a->s, a->n, NULL)) && !ends_in_inline_gap(a->s, a->n)) return 0;
    tx_label lb;
    parse_label(b->s, b->n, &lb);
    if (lb.label[0]) return 0;
    return cp_is_lower(cp_at(b->s, b->n, 0));
}

/* Joins line k with the lines that continue it into st->join (one blank
 * between); returns the index after the last line joined. */
static size_t join_lines(tx_state *st, size_t k)
{
    dc_buf_reset(&st->join);
    dc_buf_add(&st->join, st->lines[k].s, st->lines[k].n);
    while (continues(st, k)) {
        k++;
        dc_buf_putc(&st->join, ' ');
        dc_buf_add(&st->join, st->lines[k].s, st->lines[k].n);
    }
    return k + 1;
}

/* ------------------------------------------------------------------ */
/* Markers, pages and gaps inside a text                               */
/* ------------------------------------------------------------------ */

/* How a footnote marker was found in a digit run. */
typedef struct tx_marker {
    int v;       /* its value */
    size_t keep; /* digits of the run that stay text ("19592" keeps 4) */
    int between; /* glued between two letters ("Declaration14by") */
} tx_marker;

/*
 * Decides whether the digit run s[i..j) is (or ends in) a footnote marker,
 * in the light of the marker expected next (st->expect):
 *   - glued to a word: after a letter, or after . , ; : ) " ” ’ that
 *     follows a non-blank non-digit ("Report0", "Council.6", "speech,2"),
 *     then the end, a blank or closing punctuation; or between two letters
 *     ("Declaration14by").  1-3 digits, accepted from expect-1 (a repeated
 *     marker) to expect+3 (markers lost to OCR);
 *   - the tail of an all-digit token of 5-7 digits whose first 4 digits are
 *     the number ("19592" = 1959 + 2, "58171" = 5817 + 1);
 *   - after "digit." ("1959.11", "5429/5.13").
 * The last two are ambiguous with plain numbers, so they take only expect
 * to expect+2, never 0 (the source note marker is glued to the title), and
 * need the end, a blank or closing punctuation after ("795.00/..." is no
 * marker).  No marker exceeds st->max_marker.
 */
static int find_marker(const tx_state *st, const char *s, size_t n, size_t i, size_t j,
                       tx_marker *m)
{
    size_t len = j - i, ps = 0;
    long prev = cp_before(s, i, &ps);
    int end_ok = marker_end_ok(s, n, j);
    memset(m, 0, sizeof *m);
    if (len >= 5 && len <= 7) {
        if (!end_ok || s[i + 4] == '0') return 0;
        if (!(prev < 0 || cp_is_space(prev) || prev == '(' || prev == 0x201C)) return 0;
        long v = parse_num(s + i + 4, len - 4);
        if (v < 1 || v < st->expect || v > st->expect + 2 || v > st->max_marker) return 0;
        m->v = (int)v;
        m->keep = 4;
        return 1;
    }
    if (len > 3 || (len > 1 && s[i] == '0')) return 0;
    long v = parse_num(s + i, len);
    if (v < 0 || v > st->max_marker) return 0;
    if (prev == '.' && cp_is_digit(cp_before(s, ps, NULL))) {
        if (!end_ok || v < 1 || v < st->expect || v > st->expect + 2) return 0;
        m->v = (int)v;
        return 1;
    }
    int glued = cp_is_letter(prev);
    if (!glued && cp_marker_punct(prev)) {
        long p2 = cp_before(s, ps, NULL);
        glued = p2 >= 0 && !cp_is_space(p2) && !cp_is_digit(p2);
    }
    if (!glued) return 0;
    if (!end_ok) {
        if (!cp_is_letter(prev) || !cp_is_letter(cp_at(s, n, j))) return 0;
        m->between = 1;
    }
    if (v < st->expect - 1 || v > st->expect + 3) return 0;
    m->v = (int)v;
    return 1;
}

static const char *const NUMBER_WORDS[] = {"one",   "two",     "three",    "four",    "five",
                                           "six",   "seven",   "eight",    "nine",    "ten",
                                           "eleven", "twelve", "thirteen", "fourteen", "fifteen"};

/* The "N line(s)" part of a gap: a count (digits, "a", "one".."fifteen")
 * and a unit.  Writes the normalised form ("3 lines") to out (cap bytes);
 * returns the length read or 0. */
static size_t gap_count(const char *s, size_t n, char *out, size_t cap)
{
    static const char *const units[] = {"lines",     "line",      "pages",    "page",
                                        "paragraphs", "paragraph", "sentences", "sentence",
                                        "words",     "word",      "names",    "name",
                                        "places",    "place"};
    size_t i = 0;
    long count = -1;
    while (i < n && i < 4 && is_digit((unsigned char)s[i])) i++;
    if (i > 0 && i < 4) {
        count = parse_num(s, i);
    } else if (i == 0) {
        for (size_t w = 0; w < sizeof NUMBER_WORDS / sizeof NUMBER_WORDS[0]; w++) {
            size_t k = strlen(NUMBER_WORDS[w]);
            if (n > k && s[k] == ' ' && find_word_ci(s, k, NUMBER_WORDS[w]) == 0) {
                count = (long)w + 1;
                i = k;
                break;
            }
        }
        if (count < 0 && n > 2 && to_lower((unsigned char)s[0]) == 'a' && s[1] == ' ') {
            count = 1;
            i = 1;
        }
    }
    if (count < 0 || i >= n || s[i] != ' ') return 0;
    i++;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t k = strlen(units[u]);
        if (starts_with(s + i, n - i, units[u]) &&
            (i + k == n || !is_alpha((unsigned char)s[i + k]))) {
            int w = snprintf(out, cap, "%ld %s", count, units[u]);
            return w > 0 && (size_t)w < cap ? i + k : 0;
        }
    }
    return 0;
}

/*
 * Recognises a withheld-text note at s[0..n): "[1 line of source text not
 * declassified]", "[less than 1 line ...]", "[two paragraphs (9 lines) of
 * source text not declassified]", "[3 pages not declassified]".  Returns its
 * length and the extent ("1 line", "less than 1 line", "2 paragraphs (9
 * lines)") in extent (TX_EXT bytes), or 0.
 */
static size_t gap_marker(const char *s, size_t n, char *extent)
{
    static const char *const suffixes[] = {" of source text not declassified",
                                           " not declassified"};
    if (n < 2 || s[0] != '[') return 0;
    const char *close = memchr(s + 1, ']', n - 1 < 200 ? n - 1 : 200);
    if (!close) return 0;
    size_t m = (size_t)(close - s) - 1; /* length inside the brackets */
    const char *in = s + 1;
    size_t phrase = 0;
    for (size_t k = 0; k < 2 && !phrase; k++) {
        size_t sl = strlen(suffixes[k]);
        if (m > sl && memcmp(in + m - sl, suffixes[k], sl) == 0) phrase = m - sl;
    }
    if (!phrase) return 0;
    /* "[name not declassified]", "[place not declassified]": one, no count */
    if ((phrase == 4 && memcmp(in, "name", 4) == 0) || (phrase == 5 && memcmp(in, "place", 5) == 0)) {
        memcpy(extent, in, phrase);
        extent[phrase] = '\0';
        return m + 2;
    }
    size_t i = 0, w = 0;
    if (starts_with(in, phrase, "less than ")) {
        memcpy(extent, "less than ", 10);
        i = w = 10;
    }
    size_t c = gap_count(in + i, phrase - i, extent + w, TX_EXT - w);
    if (!c) return 0;
    i += c;
    w += strlen(extent + w);
    if (w + (phrase - i) >= TX_EXT) return 0;
    memcpy(extent + w, in + i, phrase - i); /* a rest such as " (9 lines)" */
    extent[w + phrase - i] = '\0';
    return m + 2;
}

static dc_rc add_event(tx_state *st, int kind, size_t at, const char *value, size_t vlen)
{
    if (kind != EV_GAP && st->n_marks + st->n_ev >= TX_MAX_MARKS)
        return dc_fail(st->err, DC_LIMIT, st->line, "more than %d page and note markers",
                       TX_MAX_MARKS);
    if (DC_GROW(st->ev, st->n_ev + 1, st->cap_ev)) return nomem(st);
    tx_event *e = &st->ev[st->n_ev++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->at = at;
    if (vlen >= sizeof e->value) vlen = sizeof e->value - 1;
    if (value) memcpy(e->value, value, vlen);
    memcpy(e->page, st->page, sizeof e->page);
    return DC_OK;
}

/* Sets the page in force and adds it to doc->pages (unless it repeats the
 * last page listed: page markers come in order). */
static dc_rc set_page(tx_state *st, const char *value)
{
    snprintf(st->page, sizeof st->page, "%s", value);
    dc_strv *pg = &st->doc->pages;
    if (pg->n && strcmp(pg->v[pg->n - 1], value) == 0) return DC_OK;
    return dc_strv_push(pg, value) ? nomem(st) : DC_OK;
}

/*
 * Copies s[0..n) to st->out, taking out page and footnote markers and
 * recording them, with gaps, as events (offsets into st->out).
 *   - "[Page N]" sets the page in force; at the very start it is the page
 *     the text starts on (st->start_page), elsewhere a page event at the
 *     start of the word that followed it (of the doubled blank, one goes);
 *   - gaps stay in the text; their event is at the '[';
 *   - an accepted footnote marker leaves the text; a marker glued between
 *     letters ("Declaration14by") is replaced by one blank so that the two
 *     words stay apart ("Declaration by"), the mark standing before it.
 * In title mode only footnote markers are taken out.
 */
/* The first j >= i that is '[' or a digit (a marker may start there), or
 * n: eight bytes at a time while none of them is (each test flags the
 * high bit of a byte that matches, exactly for "any byte"). */
static size_t plain_run(const char *s, size_t i, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, d, b;
        memcpy(&x, s + i, 8);
        d = x ^ (ones * '0'); /* a digit: below 10 */
        b = x ^ (ones * '['); /* '[': zero */
        if ((((d - ones * 10) & ~d) | ((b - ones) & ~b)) & highs) break;
    }
    while (i < n && s[i] != '[' && !is_digit((unsigned char)s[i])) i++;
    return i;
}

static dc_rc scan_text(tx_state *st, const char *s, size_t n, int title_mode)
{
    dc_buf *o = &st->out;
    dc_rc rc = DC_OK;
    dc_buf_reset(o);
    st->n_ev = 0;
    memcpy(st->start_page, st->page, sizeof st->page);
    size_t i = 0;
    while (i < n && !rc && !o->rc) {
        unsigned char c = (unsigned char)s[i];
        if (c == '[' && !title_mode) {
            char value[TX_VAL], extent[TX_EXT];
            size_t k = page_marker(s + i, n - i, value);
            if (k) {
                rc = set_page(st, value);
                i += k;
                if (o->len == 0) {
                    memcpy(st->start_page, st->page, sizeof st->page);
                    while (i < n && is_blank((unsigned char)s[i])) i++;
                    continue;
                }
                if (o->p[o->len - 1] == ' ' && i < n && s[i] == ' ') i++;
                if (!rc) rc = add_event(st, EV_PAGE, o->len, value, strlen(value));
                continue;
            }
            k = gap_marker(s + i, n - i, extent);
            if (k) {
                rc = add_event(st, EV_GAP, o->len, NULL, 0);
                if (!rc) memcpy(st->ev[st->n_ev - 1].extent, extent, sizeof extent);
                dc_buf_add(o, s + i, k);
                i += k;
                continue;
            }
        }
        if (is_digit(c) && (i == 0 || !is_digit((unsigned char)s[i - 1]))) {
            size_t j = i;
            while (j < n && is_digit((unsigned char)s[j])) j++;
            tx_marker m;
            if (find_marker(st, s, n, i, j, &m)) {
                dc_buf_add(o, s + i, m.keep);
                rc = add_event(st, EV_NOTE, o->len, s + i + m.keep, j - i - m.keep);
                if (m.between) dc_buf_putc(o, ' ');
                if (m.v >= st->expect) st->expect = m.v + 1;
            } else {
                dc_buf_add(o, s + i, j - i);
            }
            i = j;
            continue;
        }
        /* ordinary text up to the next marker candidate, in one copy */
        size_t j = plain_run(s, i + 1, n);
        dc_buf_add(o, s + i, j - i);
        i = j;
    }
    if (!rc && o->rc == DC_NOMEM) rc = nomem(st);
    if (!rc && o->rc) rc = dc_fail(st->err, o->rc, st->line, "text too long");
    if (rc) return rc;
    while (o->len && is_blank((unsigned char)o->p[o->len - 1])) o->p[--o->len] = '\0';
    for (size_t e = 0; e < st->n_ev; e++)
        if (st->ev[e].at > o->len) st->ev[e].at = o->len;
    return DC_OK;
}

/* Notes marker value v first standing in anchor (a portion id or "title"). */
static void note_use(tx_state *st, const char *value, const char *anchor)
{
    long v = parse_num(value, strlen(value));
    if (v < 0 || v > TX_MAX_MARKER) return;
    if (st->min_marker < 0 || v < st->min_marker) st->min_marker = (int)v;
    if (has_anchor(st, v)) return;
    st->anchored[v / 64] |= (uint64_t)1 << (v % 64);
    snprintf(st->anchor[v], sizeof st->anchor[v], "%s", anchor);
    st->order[st->n_order++] = (int)v;
}

/*
 * Makes a portion of the given kind from the text in st->out and the events
 * of its scan: marks, gaps and the first use of each marker.
 */
static dc_rc emit_portion(tx_state *st, const char *kind, const char *label, long line)
{
    dc_doc *d = st->doc;
    if (d->n_portions >= TX_MAX_PORTIONS)
        return dc_fail(st->err, DC_LIMIT, line, "more than %d portions", TX_MAX_PORTIONS);
    dc_portion *p = dc_doc_add_portion(d, kind);
    if (!p) return nomem(st);
    if (dc_str_set(&p->text, st->out.p ? st->out.p : "") ||
        (label && label[0] && dc_str_set(&p->label, label)) ||
        (st->start_page[0] && dc_str_set(&p->page, st->start_page)))
        return nomem(st);
    dc_rc rc = DC_OK;
    if (st->pending_break) {
        rc = dc_portion_add_mark(p, DC_MARK_PAGE, 0, "");
        st->pending_break = 0;
        if (!rc) st->n_marks++;
    }
    for (size_t e = 0; e < st->n_ev && !rc; e++) {
        tx_event *ev = &st->ev[e];
        if (ev->kind == EV_GAP) {
            if (d->n_gaps >= TX_MAX_GAPS)
                return dc_fail(st->err, DC_LIMIT, line, "more than %d gaps", TX_MAX_GAPS);
            dc_gap *g = dc_doc_add_gap(d);
            if (!g || dc_str_set(&g->extent, ev->extent) || dc_str_set(&g->anchor, p->id) ||
                (ev->page[0] && dc_str_set(&g->page, ev->page)))
                return nomem(st);
            continue;
        }
        rc = dc_portion_add_mark(p, ev->kind == EV_PAGE ? DC_MARK_PAGE : DC_MARK_NOTE, ev->at,
                                 ev->value);
        if (rc) break;
        st->n_marks++;
        if (ev->kind == EV_NOTE) note_use(st, ev->value, p->id);
    }
    if (rc == DC_NOMEM) return nomem(st);
    if (rc) return dc_fail(st->err, rc, line, "too many marks in one portion");
    return DC_OK;
}

/* ------------------------------------------------------------------ */
/* Header: title, number, file number, letterhead                      */
/* ------------------------------------------------------------------ */

/* "279. Title": returns the length of the number (1-4 digits), or 0. */
static size_t number_title(const char *s, size_t n)
{
    size_t d = 0;
    while (d < n && d < 5 && is_digit((unsigned char)s[d])) d++;
    if (d == 0 || d > 4 || d + 2 >= n || s[d] != '.' || !is_blank((unsigned char)s[d + 1]))
        return 0;
    size_t t = d + 1;
    while (t < n && is_blank((unsigned char)s[t])) t++;
    if (t >= n || n - t > 300 || cp_is_lower(cp_at(s, n, t))) return 0;
    return d;
}

/* A decimal file number alone on a line: "795.00/10–750", "711.5/7-961",
 * "611.95A/1-2759". */
static int is_file_number(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && i < 3 && is_digit((unsigned char)s[i])) i++;
    if (i != 3) return 0;
    if (i < n && is_upper((unsigned char)s[i])) i++;
    if (i < n && s[i] == '.') {
        size_t k = ++i;
        while (i < n && i - k < 6 &&
               (is_digit((unsigned char)s[i]) || is_upper((unsigned char)s[i])))
            i++;
        if (i == k) return 0;
    }
    if (i >= n || s[i++] != '/') return 0;
    size_t k = i;
    while (i < n && is_digit((unsigned char)s[i])) i++;
    if (i == k || i - k > 2) return 0;
    if (starts_with(s + i, n - i, "-")) i += 1;
    else if (starts_with(s + i, n - i, "\xE2\x80\x93")) i += 3;
    else return 0;
    k = i;
    while (i < n && is_digit((unsigned char)s[i])) i++;
    return i > k && i - k <= 6 && i == n;
}

/* A classification banner: the marking alone, or followed by a caveat after
 * a dash or slash ("SECRET - NODIS", "TOP SECRET/SENSITIVE").  Returns the
 * level's name or NULL. */
static const char *banner(const char *s, size_t n)
{
    static const char *const levels[] = {"TOP SECRET", "SECRET", "CONFIDENTIAL",
                                         "UNCLASSIFIED", "LIMITED OFFICIAL USE"};
    if (n > 60) return NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'a' && s[i] <= 'z') return NULL;
    for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
        size_t l = strlen(levels[k]);
        if (!starts_with(s, n, levels[k])) continue;
        size_t i = l;
        while (i < n && s[i] == ' ') i++;
        if (i == n) return levels[k];
        if (s[i] == '-' || s[i] == '/' || starts_with(s + i, n - i, "\xE2\x80\x93") ||
            starts_with(s + i, n - i, "\xE2\x80\x94"))
            return levels[k];
    }
    return NULL;
}

/* All-caps letterhead: "DEPARTMENT OF STATE BRIEFING PAPER", "THE WHITE
 * HOUSE", "AMERICAN EMBASSY". */
static int is_letterhead(const char *s, size_t n)
{
    static const char *const words[] = {"DEPARTMENT", "WHITE HOUSE", "EMBASSY", "MINISTRY",
                                        "OFFICE OF", "AGENCY", "COUNCIL", "MISSION",
                                        "BRIEFING PAPER", "SECRETARIAT", "BUREAU"};
    int letters = 0;
    if (n > 120) return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 'a' && s[i] <= 'z') return 0;
        letters += is_upper((unsigned char)s[i]);
    }
    if (letters < 2) return 0;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (find_word_ci(s, n, words[k]) != (size_t)-1) return 1;
    return 0;
}

/*
 * A dateline: "Washington, July 1, 1959.", "October 7, 1950", "Seoul, 1
 * July 1961, 3 p.m.", "Washington, 3rd April 1865", "April 3d, 1865",
 * "Tokyo, May 5, 1959—7 p.m.".  An optional place (no digits) and a comma,
 * then "Month D, YYYY" or "D Month YYYY" (D may be an ordinal: "3d",
 * "3rd"), then the end, a period, or a short rest after a comma or dash.
 * Writes "YYYY-MM-DD" to iso.
 */
static int dateline(const char *s, size_t n, char iso[11])
{
    if (n > 100) return 0;
    size_t i = 0;
    for (size_t k = 0; k < n && k < 50; k++) {
        if (is_digit((unsigned char)s[k])) break;
        size_t ml;
        if (s[k] == ',' && k + 2 < n && s[k + 1] == ' ' && dc_month_at(s + k + 2, n - k - 2, &ml)) {
            i = k + 2;
            break;
        }
        if (s[k] == ',' && k + 2 < n && s[k + 1] == ' ' && is_digit((unsigned char)s[k + 2])) {
            i = k + 2;
            break;
        }
    }
    size_t ml = 0;
    long day = -1, year = -1;
    int mon = dc_month_at(s + i, n - i, &ml);
    size_t j;
    if (mon) {
        j = i + ml;
        if (j >= n || s[j] != ' ') return 0;
        j++;
        size_t k = dc_day_at(s + j, n - j, &day);
        j += k;
        if (k == 0 || j + 1 >= n || s[j] != ',' || s[j + 1] != ' ') return 0;
        j += 2;
    } else {
        size_t k = dc_day_at(s + i, n - i, &day);
        j = i + k;
        if (k == 0 || j >= n || s[j] != ' ') return 0;
        j++;
        mon = dc_month_at(s + j, n - j, &ml);
        if (!mon) return 0;
        j += ml;
        if (j >= n || s[j] != ' ') return 0;
        j++;
    }
    size_t k = j;
    while (j < n && is_digit((unsigned char)s[j])) j++;
    if (j - k != 4) return 0;
    year = parse_num(s + k, 4);
    if (year < 1700 || year > 2100 || day < 1 || day > dc_days_in_month((int)year, mon)) return 0;
    if (!(j == n || (j + 1 == n && s[j] == '.') ||
          ((s[j] == ',' || s[j] == '-' || starts_with(s + j, n - j, "\xE2\x80\x94") ||
            starts_with(s + j, n - j, "\xE2\x80\x93")) &&
           n - j <= 40)))
        return 0;
    dc_date_iso(iso, (int)year, mon, (int)day);
    return 1;
}

/* ------------------------------------------------------------------ */
/* The note list                                                       */
/* ------------------------------------------------------------------ */

/* "12. text" at the start of a note line: returns the label (or -1) and the
 * offset of the text in *text. */
static long note_label(const tx_line *L, size_t *text)
{
    size_t d = 0;
    while (d < L->n && d < 4 && is_digit((unsigned char)L->s[d])) d++;
    if (d == 0 || d > 3 || d + 2 > L->n || L->s[d] != '.' || !is_blank((unsigned char)L->s[d + 1]))
        return -1;
    if (d > 1 && L->s[0] == '0') return -1;
    size_t t = d + 1;
    while (t < L->n && is_blank((unsigned char)L->s[t])) t++;
    if (t >= L->n) return -1;
    *text = t;
    return parse_num(L->s, d);
}

/*
 * Finds the note list: the longest run of "N. text" lines at the end whose
 * labels rise by one and start at 0 or 1, and whose lines are all indented
 * or whose first entry is the source note.  Sets st->body_end to its first
 * line (n_lines if there is none) and the largest possible marker.
 */
static void find_note_list(tx_state *st)
{
    size_t start = st->n_lines, t;
    long prev = -1;
    for (size_t k = st->n_lines; k-- > 0;) {
        long lab = note_label(&st->lines[k], &t);
        if (lab < 0 || st->lines[k].kind != LN_TEXT) break;
        if (start < st->n_lines && lab != prev - 1) break;
        start = k;
        prev = lab;
    }
    st->body_end = st->n_lines;
    st->max_marker = TX_MAX_MARKER;
    if (start == st->n_lines || prev > 1) return;
    int indented = 1;
    for (size_t k = start; k < st->n_lines; k++) indented &= st->lines[k].indent > 0;
    note_label(&st->lines[start], &t);
    if (!indented && !starts_with(st->lines[start].s + t, st->lines[start].n - t, "Source:"))
        return;
    st->body_end = start;
    st->max_marker = (int)note_label(&st->lines[st->n_lines - 1], &t);
}

/*
 * Turns the note list into the source note and footnotes.  Marker numbers
 * and labels are related by one offset for the whole document: the
 * smallest label minus the smallest marker found (taken as at most 1, as
 * markers start at 0 or 1); with no marker at all, 1 if the list opens
 * with a source note labelled 1 (FRUS numbers it 0), else 0.  Markers that
 * resolve to no entry still get a footnote without text.
 */
static dc_rc build_notes(tx_state *st)
{
    dc_doc *d = st->doc;
    long offset = 0;
    int has_list = st->body_end < st->n_lines;
    unsigned char resolved[TX_MAX_MARKER + 1] = {0};
    if (has_list) {
        size_t t;
        const tx_line *L0 = &st->lines[st->body_end];
        long minlabel = note_label(L0, &t);
        if (st->min_marker >= 0)
            offset = minlabel - (st->min_marker > 1 ? 1 : st->min_marker);
        else
            offset = minlabel == 1 && starts_with(L0->s + t, L0->n - t, "Source:") ? 1 : 0;
    }
    for (size_t k = st->body_end; k < st->n_lines; k++) {
        size_t t;
        const tx_line *L = &st->lines[k];
        long lab = note_label(L, &t);
        long n = lab - offset;
        char lbuf[8], nbuf[8];
        snprintf(lbuf, sizeof lbuf, "%ld", lab);
        snprintf(nbuf, sizeof nbuf, "%ld", n);
        if (n >= 0 && n <= TX_MAX_MARKER) resolved[n] = 1;
        if (!d->source_note && starts_with(L->s + t, L->n - t, "Source:")) {
            if (dc_str_setn(&d->source_note, L->s + t, L->n - t) ||
                dc_str_set(&d->source_note_label, lbuf) ||
                (n >= 0 && dc_str_set(&d->source_note_n, nbuf)))
                return nomem(st);
            continue;
        }
        dc_footnote *f = dc_doc_add_footnote(d);
        if (!f || dc_str_setn(&f->text, L->s + t, L->n - t) || dc_str_set(&f->label, lbuf) ||
            (n >= 0 && dc_str_set(&f->n, nbuf)) ||
            (n >= 0 && n <= TX_MAX_MARKER && has_anchor(st, n) && st->anchor[n][0] &&
             dc_str_set(&f->anchor, st->anchor[n])))
            return nomem(st);
    }
    for (int i = 0; i < st->n_order; i++) {
        int v = st->order[i];
        if (resolved[v]) continue;
        char nbuf[8];
        snprintf(nbuf, sizeof nbuf, "%d", v);
        dc_footnote *f = dc_doc_add_footnote(d);
        if (!f || dc_str_set(&f->n, nbuf) || dc_str_set(&f->anchor, st->anchor[v]))
            return nomem(st);
    }
    return DC_OK;
}

/* ------------------------------------------------------------------ */
/* Document-level facts                                                */
/* ------------------------------------------------------------------ */

/* The document type named in s[0..n) (a title or letterhead line), or
 * NULL when it names none (dc_ingest_doc_type's "document"). */
static const char *type_of(const char *s, size_t n)
{
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), s);
    const char *type = dc_ingest_doc_type(line);
    return strcmp(type, "document") == 0 ? NULL : type;
}

/* A line that can be a heading: short, unlabelled, not a sentence or a
 * bracketed note, not starting in lowercase. */
static int heading_like(const char *s, size_t n, size_t limit)
{
    tx_label lb;
    if (n == 0 || n >= limit || s[0] == '[') return 0;
    long last = cp_before(s, n, NULL);
    if (last == '.' || last == ',' || last == ';' || last == ':') return 0;
    if (cp_is_lower(cp_at(s, n, 0))) return 0;
    parse_label(s, n, &lb);
    return !lb.label[0];
}

/*
 * Reads the header.  "NUMBER. Title" on the first line gives number and
 * title and is consumed (its glued marker is the title's note).  Otherwise
 * the title is the first heading-like line near the top that is not
 * letterhead, a banner or a dateline — after a leading file number, the
 * line that follows it — and it stays in the body as a heading too;
 * failing that, the letterhead.  Also sets doc_type and the dateline
 * date, and notes a classification banner in st->banner.
 */
static dc_rc read_header(tx_state *st, size_t *title_line)
{
    dc_doc *d = st->doc;
    size_t first = 0;
    *title_line = (size_t)-1;
    while (first < st->body_end && !is_content(&st->lines[first])) first++;
    if (first >= st->body_end) return dc_str_set(&d->doc_type, "document") ? nomem(st) : DC_OK;
    tx_line *L = &st->lines[first];
    const char *lh = NULL;
    size_t lh_n = 0;
    size_t nd = L->kind == LN_TEXT ? number_title(L->s, L->n) : 0;
    if (nd) {
        size_t end = join_lines(st, first);
        if (st->join.rc) return nomem(st);
        for (size_t k = first; k < end; k++) st->lines[k].title = 1;
        const char *s = st->join.p;
        size_t t = nd + 1;
        while (is_blank((unsigned char)s[t])) t++;
        if (dc_str_setn(&d->number, s, nd)) return nomem(st);
        dc_rc rc = scan_text(st, s + t, st->join.len - t, 1);
        if (rc) return rc;
        if (dc_str_set(&d->title, st->out.p ? st->out.p : "")) return nomem(st);
        for (size_t e = 0; e < st->n_ev; e++) {
            if (!d->title_note && dc_str_set(&d->title_note, st->ev[e].value)) return nomem(st);
            note_use(st, st->ev[e].value, "title");
            st->n_marks++;
        }
    } else if (L->kind == LN_TEXT && is_file_number(L->s, L->n)) {
        L->fileno = 1;
        size_t k = first + 1;
        while (k < st->body_end && !is_content(&st->lines[k])) k++;
        if (k < st->body_end && st->lines[k].kind == LN_TEXT) *title_line = k;
    } else {
        int seen = 0;
        for (size_t k = first; k < st->body_end && seen < TX_HEAD_LINES; k++) {
            const tx_line *H = &st->lines[k];
            char iso[11];
            if (!is_content(H)) continue;
            seen++;
            if (banner(H->s, H->n) || dateline(H->s, H->n, iso)) continue;
            if (is_letterhead(H->s, H->n)) {
                if (!lh) lh = H->s, lh_n = H->n;
                continue;
            }
            if (H->kind == LN_TEXT && heading_like(H->s, H->n, 200) && block_single(st, k, k + 1))
                *title_line = k;
            break;
        }
        if (*title_line == (size_t)-1 && lh && dc_str_setn(&d->title, lh, lh_n)) return nomem(st);
    }
    /* doc_type, banner and dateline from the top lines */
    const char *type = d->title ? type_of(d->title, strlen(d->title)) : NULL;
    if (!type && *title_line != (size_t)-1)
        type = type_of(st->lines[*title_line].s, st->lines[*title_line].n);
    int seen = 0;
    for (size_t k = first; k < st->body_end && seen < TX_HEAD_LINES; k++) {
        const tx_line *H = &st->lines[k];
        char iso[11];
        if (!is_content(H)) continue;
        seen++;
        if (!type && is_letterhead(H->s, H->n)) type = type_of(H->s, H->n);
        if (!st->banner) st->banner = banner(H->s, H->n);
        if (!d->date && dateline(H->s, H->n, iso) &&
            (dc_str_set(&d->date, iso) || dc_str_set(&d->date_source, "dateline")))
            return nomem(st);
    }
    if (dc_str_set(&d->doc_type, type ? type : "document")) return nomem(st);
    return DC_OK;
}

/* ------------------------------------------------------------------ */
/* The body                                                            */
/* ------------------------------------------------------------------ */

/* A whole-line bracketed note: "[Here follows a table of contents.]". */
static int is_bracketed(const char *s, size_t n)
{
    if (n < 2 || s[0] != '[' || s[n - 1] != ']') return 0;
    return memchr(s + 1, ']', n - 2) == NULL;
}

/*
 * The title line kept in the body (the portion just made) gives the title
 * unless letterhead did, and a note marker at its end is the title's note;
 * the footnote stays anchored to the portion, where the marker stands.
 */
static dc_rc kept_title(tx_state *st)
{
    dc_doc *d = st->doc;
    const dc_portion *p = &d->portions[d->n_portions - 1];
    if (!d->title && dc_str_set(&d->title, p->text)) return nomem(st);
    size_t len = strlen(p->text);
    for (size_t m = 0; m < p->n_marks; m++)
        if (p->marks[m].kind == DC_MARK_NOTE && p->marks[m].at == len)
            return dc_str_set(&d->title_note, p->marks[m].value) ? nomem(st) : DC_OK;
    return DC_OK;
}

/*
 * Walks the body in order and makes its portions.  A label-only line
 * ("- 1.") lends its label to the next line of its block; without one it
 * stands as an item of its own with empty text.  The title line (when not
 * consumed) is a heading; a file number a "file-number" portion, not
 * scanned for markers.
 */
static dc_rc read_body(tx_state *st, size_t title_line)
{
    char pending[8] = "";
    const char *pending_kind = NULL;
    long pending_no = 0;
    dc_rc rc = DC_OK;
    for (size_t k = 0; k < st->body_end && !rc;) {
        tx_line *L = &st->lines[k];
        st->line = L->no;
        if (L->title) {
            k++;
            continue;
        }
        if (L->kind == LN_PAGE) {
            char value[TX_VAL];
            page_marker(L->s, L->n, value);
            rc = set_page(st, value);
            k++;
            continue;
        }
        if (L->kind == LN_BREAK) {
            st->pending_break = 1;
            k++;
            continue;
        }
        if (L->kind == LN_LABEL) {
            tx_label lb;
            if (pending[0]) {
                rc = scan_text(st, "", 0, 0);
                if (!rc) rc = emit_portion(st, pending_kind, pending, pending_no);
                if (rc) break;
            }
            parse_label(L->s, L->n, &lb);
            memcpy(pending, lb.label, sizeof pending);
            pending_kind = lb.bullet || lb.lettered ? "item" : "paragraph";
            pending_no = L->no;
            k++;
            continue;
        }
        if (L->fileno) {
            dc_buf_reset(&st->out);
            dc_buf_add(&st->out, L->s, L->n);
            if (st->out.rc) return nomem(st);
            st->n_ev = 0;
            memcpy(st->start_page, st->page, sizeof st->page);
            rc = emit_portion(st, "file-number", NULL, L->no);
            k++;
            continue;
        }
        size_t end = join_lines(st, k);
        if (st->join.rc) return nomem(st);
        const char *s = st->join.p;
        size_t n = st->join.len;
        tx_label lb;
        const char *kind = "paragraph";
        char gapext[TX_EXT];
        parse_label(s, n, &lb);
        if (k == title_line) {
            kind = "heading";
            memset(&lb, 0, sizeof lb);
        } else if (is_bracketed(s, n)) {
            kind = gap_marker(s, n, gapext) == n ? "gap" : "editorial";
            memset(&lb, 0, sizeof lb);
        } else if (lb.numbered) {
            kind = lb.bullet ? "item" : "paragraph";
        } else if (lb.lettered || lb.bullet) {
            kind = "item";
        } else if (!pending[0] && heading_like(s, n, 100) && block_single(st, k, end)) {
            kind = "heading";
        }
        if (pending[0] && (lb.numbered || lb.lettered)) {
            rc = scan_text(st, "", 0, 0);
            if (!rc) rc = emit_portion(st, pending_kind, pending, pending_no);
            if (rc) break;
            pending[0] = '\0';
        }
        const char *label = lb.label;
        if (pending[0]) {
            label = pending;
            kind = pending_kind;
        }
        rc = scan_text(st, s + lb.text, n - lb.text, 0);
        if (!rc) rc = emit_portion(st, kind, label, L->no);
        if (!rc && k == title_line) rc = kept_title(st);
        pending[0] = '\0';
        k = end;
    }
    if (!rc && pending[0]) {
        rc = scan_text(st, "", 0, 0);
        if (!rc) rc = emit_portion(st, pending_kind, pending, pending_no);
    }
    return rc;
}

dc_rc dc_ingest_text(const char *data, size_t len, dc_doc **out, dc_error *err)
{
    if (!out) return dc_fail(err, DC_MISUSE, 0, "no output pointer");
    *out = NULL;
    dc_rc rc = dc_ingest_check_text(data, len, err);
    if (rc) return rc;
    tx_state *st = malloc(sizeof *st);
    if (!st) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    memset(st, 0, offsetof(tx_state, anchor));
    st->err = err;
    st->min_marker = -1;
    dc_buf_init(&st->join, 0);
    dc_buf_init(&st->out, 0);
    st->doc = dc_doc_new();
    if (!st->doc) rc = nomem(st);
    size_t title_line = (size_t)-1;
    if (!rc) rc = split_lines(st, data, len);
    if (!rc) {
        find_note_list(st);
        rc = read_header(st, &title_line);
    }
    if (!rc) rc = read_body(st, title_line);
    if (!rc) rc = build_notes(st);
    if (!rc) {
        /* The source note states the marking of the original; a banner
         * counts only when there is none. */
        const char *level =
            st->doc->source_note ? dc_ingest_classification(st->doc->source_note) : NULL;
        if (!level) level = st->banner;
        if (level && dc_str_set(&st->doc->classification, level)) rc = nomem(st);
    }
    if (!rc && dc_ingest_portion_marks(st->doc)) rc = nomem(st);
    if (!rc && dc_str_set(&st->doc->format, "text")) rc = nomem(st);
    dc_buf_release(&st->join);
    dc_buf_release(&st->out);
    free(st->ev);
    free(st->lines);
    if (rc) dc_doc_free(st->doc);
    else *out = st->doc;
    free(st);
    return rc;
}
