/*
 * Cross-references and archival citations found in a document's text.
 *
 * Each pattern of the table below is matched by a hand-written scanner over
 * UTF-8 bytes (the en dash of "10–750" is its three bytes E2 80 93).  A
 * scanner finds, from a position, the leftmost match and of the matches
 * starting there the longest, with the same groups as a POSIX ERE matcher
 * would give for the expression in the table; every expression is written
 * so that at most one parse of a match exists, which the scanners follow.
 * One pass over a text first notes which literal anchors ("Lot ",
 * "Document", '/', ...) occur in it; only the scanners of those run, and
 * each looks for its anchor with strstr or strchr.  Most text has none, so
 * it costs that one pass.  No scanner allocates; only a recorded match does.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "refs/refs.h"
#include "model/model_int.h"
#include "refs/refs_int.h"
#include "util/util_int.h"
#include "util/banned.h"

#define EN_DASH "\xE2\x80\x93"

/* What a pattern's match becomes. */
typedef enum pat_kind {
    P_DECIMAL, /* Central Files decimal number: a file number with a date */
    P_FILE,    /* other archival citation: a file number */
    P_FOOTNOTE,
    P_DOCUMENT,
    P_ACTION,
    P_SUPERSEDES,
    P_PAPER,
    P_SUPPLEMENT,
    P_VOLUME,
    P_FRUS, /* a volume cited by its printed title: "Foreign Relations, ..." */
} pat_kind;

/* The patterns, in the order their matches are recorded (patterns[]). */
enum pat_id {
    PAT_DECIMAL,
    PAT_LOT,
    PAT_RG,
    PAT_FRC,
    PAT_FOOTNOTE,
    PAT_DOCUMENT,
    PAT_ACTION,
    PAT_SUPERSEDES,
    PAT_PAPER,
    PAT_SUPPLEMENT,
    PAT_VOLUME,
    PAT_FRUS,
    N_PATTERNS
};

/* One match: [start, end) and the group its kind records ([g, g_end));
 * a footnote reference also records the document number ([g2, g2_end)). */
typedef struct match {
    const char *start, *end;
    const char *g, *g_end;
    const char *g2, *g2_end;
} match;

/* Finds the leftmost-longest match starting at or after p; 1 if found. */
typedef int (*find_fn)(const char *p, match *m);

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(char c) { return c >= 'a' && c <= 'z'; }

static int is_alnum(char c) { return is_digit(c) || is_upper(c) || is_lower(c); }

/* The end of the run of digits at s (s itself when there is none). */
static const char *skip_digits(const char *s)
{
    while (is_digit(*s)) s++;
    return s;
}

/* Length of the dash at s: '-' or an en dash; 0 if none. */
static size_t dash_len(const char *s)
{
    if (*s == '-') return 1;
    return strncmp(s, EN_DASH, 3) == 0 ? 3 : 0;
}

/*
 * "[0-9]{3}[A-Z]?(\.[0-9A-Z]+)?/[0-9]{1,2}(-|–)[0-9]{3,4}" anchored at s:
 * the end of the longest match, or NULL.  Each optional part is forced by
 * the byte that follows it, and the last digits take up to four.
 */
static const char *decimal_at(const char *s)
{
    if (!is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2])) return NULL;
    s += 3;
    if (is_upper(*s)) s++;
    if (*s == '.') {
        const char *q = s + 1;
        while (is_digit(*q) || is_upper(*q)) q++;
        if (q == s + 1) return NULL;
        s = q;
    }
    if (*s++ != '/' || !is_digit(*s)) return NULL;
    s += is_digit(s[1]) ? 2 : 1;
    size_t dl = dash_len(s);
    if (!dl) return NULL;
    s += dl;
    const char *e = skip_digits(s);
    if (e - s < 3) return NULL;
    return e - s > 4 ? s + 4 : e;
}

/*
 * A decimal file number.  Every match holds exactly one '/', and the bytes
 * before it are "DDD", "DDDU", "DDD.X+" or "DDDU.X+" (X = [0-9A-Z]), so a
 * slash at k can only be matched from k-4, k-3, or 4 or 3 bytes before the
 * '.' that ends the run of X back from k: four candidates per slash, tried
 * leftmost first, and slashes in order.
 */
static int find_decimal(const char *p, match *m)
{
    for (const char *k = strchr(p, '/'); k; k = strchr(k + 1, '/')) {
        const char *lo = k;
        while (lo > p && (is_digit(lo[-1]) || is_upper(lo[-1]))) lo--;
        size_t cand[4], n = 0, off = (size_t)(k - p); /* candidates: bytes back from k */
        if (lo < k && lo > p && lo[-1] == '.') {
            size_t dot = (size_t)(k - lo) + 1;
            if (off >= dot + 4) cand[n++] = dot + 4;
            if (off >= dot + 3) cand[n++] = dot + 3;
        }
        if (off >= 4) cand[n++] = 4;
        if (off >= 3) cand[n++] = 3;
        for (size_t i = 0; i < n; i++) {
            const char *e = decimal_at(k - cand[i]);
            if (e) {
                m->start = m->g = k - cand[i];
                m->end = m->g_end = e;
                return 1;
            }
        }
    }
    return 0;
}

/* "<anchor>[0-9]{2} ?[A-Z] ?[0-9]+" (a lot or records center citation)
 * anchored at s; the end of the match or NULL. */
static const char *lot_at(const char *s, size_t anchor)
{
    s += anchor;
    if (!is_digit(s[0]) || !is_digit(s[1])) return NULL;
    s += 2;
    if (*s == ' ') s++;
    if (!is_upper(*s)) return NULL;
    s++;
    if (*s == ' ') s++;
    const char *e = skip_digits(s);
    return e > s ? e : NULL;
}

static int find_lot_like(const char *p, const char *anchor, match *m)
{
    size_t n = strlen(anchor);
    for (const char *q = strstr(p, anchor); q; q = strstr(q + 1, anchor)) {
        const char *e = lot_at(q, n);
        if (e) {
            m->start = m->g = q;
            m->end = m->g_end = e;
            return 1;
        }
    }
    return 0;
}

/* "Lot [0-9]{2} ?[A-Z] ?[0-9]+" */
static int find_lot(const char *p, match *m) { return find_lot_like(p, "Lot ", m); }

/* "FRC [0-9]{2} ?[A-Z] ?[0-9]+" */
static int find_frc(const char *p, match *m) { return find_lot_like(p, "FRC ", m); }

/* "RG [0-9]+" */
static int find_rg(const char *p, match *m)
{
    for (const char *q = strstr(p, "RG "); q; q = strstr(q + 1, "RG ")) {
        const char *e = skip_digits(q + 3);
        if (e > q + 3) {
            m->start = m->g = q;
            m->end = m->g_end = e;
            return 1;
        }
    }
    return 0;
}

/* The end of one list separator of a footnote reference (", ", " and ",
 * ", and ") at s that is followed by a digit, or NULL.  At most one of the
 * three can be followed by a digit. */
const char *dc_refs_list_sep(const char *s)
{
    size_t n = 0;
    if (strncmp(s, ", and ", 6) == 0)
        n = 6;
    else if (strncmp(s, ", ", 2) == 0)
        n = 2;
    else if (strncmp(s, " and ", 5) == 0)
        n = 5;
    return n && is_digit(s[n]) ? s + n : NULL;
}

/*
 * "footnotes? ([0-9]+((, | and |, and )[0-9]+)*),? Document ([0-9]+)".
 * Group 1 (g) is the list of footnote numbers, group 4 (g2) the document.
 * The list takes every separator followed by a number: stopping earlier
 * leaves ", N" or " and N", which ",? Document" cannot match.
 */
static int find_footnote(const char *p, match *m)
{
    for (const char *q = strstr(p, "footnote"); q; q = strstr(q + 1, "footnote")) {
        const char *s = q + 8;
        if (*s == 's') s++;
        if (*s++ != ' ' || !is_digit(*s)) continue;
        const char *list = s, *sep;
        s = skip_digits(s);
        while ((sep = dc_refs_list_sep(s)) != NULL) s = skip_digits(sep);
        const char *list_end = s;
        if (*s == ',') s++;
        if (strncmp(s, " Document ", 10) != 0 || !is_digit(s[10])) continue;
        s += 10;
        m->start = q;
        m->g = list;
        m->g_end = list_end;
        m->g2 = s;
        m->end = m->g2_end = skip_digits(s);
        return 1;
    }
    return 0;
}

/* "Document ([0-9]+)|Documents ([0-9]+((, | and |, and )[0-9]+)*)"; g is
 * the number or the list of numbers ("Documents 236, 237, and 240"). */
static int find_document(const char *p, match *m)
{
    for (const char *q = strstr(p, "Document"); q; q = strstr(q + 1, "Document")) {
        const char *s = q + 8;
        int plural = *s == 's';
        s += plural;
        if (*s++ != ' ' || !is_digit(*s)) continue;
        m->start = q;
        m->g = s;
        s = skip_digits(s);
        const char *sep;
        while (plural && (sep = dc_refs_list_sep(s)) != NULL) s = skip_digits(sep);
        m->end = m->g_end = s;
        return 1;
    }
    return 0;
}

/* "NSC Action No\.? ?([0-9]+((-|–)[a-z])?)"; g is the number. */
static int find_action(const char *p, match *m)
{
    static const char anchor[] = "NSC Action No";
    for (const char *q = strstr(p, anchor); q; q = strstr(q + 1, anchor)) {
        const char *s = q + sizeof anchor - 1;
        if (*s == '.') s++;
        if (*s == ' ') s++;
        if (!is_digit(*s)) continue;
        m->start = q;
        m->g = s;
        s = skip_digits(s);
        size_t dl = dash_len(s);
        if (dl && is_lower(s[dl])) s += dl + 1;
        m->end = m->g_end = s;
        return 1;
    }
    return 0;
}

/* "NSC [0-9]{1,4}(/[0-9]+)?" anchored at s (the longest: up to four
 * digits, then the slash part when a digit follows the slash). */
static const char *paper_at(const char *s)
{
    if (strncmp(s, "NSC ", 4) != 0 || !is_digit(s[4])) return NULL;
    s += 4;
    const char *e = skip_digits(s);
    if (e - s > 4) e = s + 4;
    if (e[0] == '/' && is_digit(e[1])) e = skip_digits(e + 1);
    return e;
}

/* "supersede[sd]? (NSC [0-9]{1,4}(/[0-9]+)?)"; g is the paper. */
static int find_supersedes(const char *p, match *m)
{
    for (const char *q = strstr(p, "supersede"); q; q = strstr(q + 1, "supersede")) {
        const char *s = q + 9;
        if (*s == 's' || *s == 'd') s++;
        if (*s++ != ' ') continue;
        const char *e = paper_at(s);
        if (!e) continue;
        m->start = q;
        m->g = s;
        m->end = m->g_end = e;
        return 1;
    }
    return 0;
}

/* "NSC [0-9]{1,4}(/[0-9]+)?" */
static int find_paper(const char *p, match *m)
{
    for (const char *q = strstr(p, "NSC "); q; q = strstr(q + 1, "NSC ")) {
        const char *e = paper_at(q);
        if (e) {
            m->start = m->g = q;
            m->end = m->g_end = e;
            return 1;
        }
    }
    return 0;
}

/*
 * "[Ss]ee (the )?Supplement".  A match ends with its one "Supplement" and
 * begins 4 ("See ") or 8 ("See the ") bytes before it, never both, so the
 * occurrences of "Supplement" in order give the matches in order.
 */
static int find_supplement(const char *p, match *m)
{
    for (const char *q = strstr(p, "Supplement"); q; q = strstr(q + 1, "Supplement")) {
        size_t off = (size_t)(q - p);
        const char *s = NULL;
        if (off >= 4 && strncmp(q - 3, "ee ", 3) == 0)
            s = q - 4;
        else if (off >= 8 && strncmp(q - 7, "ee the ", 7) == 0)
            s = q - 8;
        if (!s || (*s != 'S' && *s != 's')) continue;
        m->start = m->g = s;
        m->end = m->g_end = q + 10;
        return 1;
    }
    return 0;
}

/* "frus[0-9]{4}(-[0-9]{2,4})?v[0-9]+[a-z0-9-]*" */
static int find_volume(const char *p, match *m)
{
    for (const char *q = strstr(p, "frus"); q; q = strstr(q + 1, "frus")) {
        const char *s = q + 4;
        if (!is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3])) continue;
        s += 4;
        if (*s == '-') {
            const char *e = skip_digits(s + 1);
            if (e - (s + 1) < 2 || e - (s + 1) > 4) continue;
            s = e;
        }
        if (*s++ != 'v' || !is_digit(*s)) continue;
        while (is_digit(*s) || is_lower(*s) || *s == '-') s++;
        m->start = m->g = q;
        m->end = m->g_end = s;
        return 1;
    }
    return 0;
}

/* The value of the Roman numeral or decimal number at s (1..99) and its
 * end in *end; 0 if none. */
static int volume_number(const char *s, const char **end)
{
    if (is_digit(*s)) {
        const char *e = skip_digits(s);
        if (e - s > 2) return 0;
        *end = e;
        return (int)strtol(s, NULL, 10);
    }
    static const char roman[] = "IVXL";
    static const int val[] = {1, 5, 10, 50};
    int total = 0, prev = 0;
    const char *e = s;
    for (; *e && strchr(roman, *e); e++) {
        int v = val[strchr(roman, *e) - roman];
        total += v > prev && prev ? v - 2 * prev : v;
        prev = v;
    }
    if (e == s || total < 1 || total > 99) return 0;
    /* only the canonical numeral of its value ("XIX", not "XVIIII") */
    static const char *const tens[] = {"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX",
                                       "XC"};
    static const char *const ones[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII",
                                       "IX"};
    char canon[16];
    snprintf(canon, sizeof canon, "%s%s", tens[total / 10], ones[total % 10]);
    if (strlen(canon) != (size_t)(e - s) || strncmp(canon, s, (size_t)(e - s)) != 0) return 0;
    *end = e;
    return total;
}

/*
 * "Foreign Relations, YYYY([-–]YY(YY)?)?, (vol\.|Vol\.|volume|Volume) N(, Part
 * N)?" optionally followed by ", Document N" or ", pp?. N" — directly or
 * after one subtitle (", Kennedy-Khrushchev Exchanges") of up to 100 bytes
 * without ",.;()" — anchored at s.  Writes the volume's id in the Office
 * of the Historian's form ("frus1955-57v23p2", "frus1950v07") to id and
 * the place cited ("d12", "pg_487", "") to frag; the end of the match or
 * NULL.
 */
static const char *frus_at(const char *s, char id[40], char frag[24])
{
    static const char lead[] = "Foreign Relations, ";
    if (strncmp(s, lead, sizeof lead - 1) != 0) return NULL;
    s += sizeof lead - 1;
    const char *y = s, *ye = skip_digits(s);
    if (ye - y != 4) return NULL;
    int y2 = -1;
    s = ye;
    size_t dl = dash_len(s);
    if (dl && is_digit(s[dl])) {
        const char *e = skip_digits(s + dl);
        if (e - (s + dl) != 2 && e - (s + dl) != 4) return NULL;
        y2 = (int)((e[-2] - '0') * 10 + (e[-1] - '0'));
        s = e;
    }
    static const char *const vols[] = {", vol. ", ", Vol. ", ", volume ", ", Volume "};
    size_t vl = 0;
    for (size_t i = 0; i < 4 && !vl; i++)
        if (strncmp(s, vols[i], strlen(vols[i])) == 0) vl = strlen(vols[i]);
    if (!vl) return NULL;
    const char *e = NULL;
    int vol = volume_number(s + vl, &e);
    if (!vol || is_alnum(*e)) return NULL;
    s = e;
    int part = 0;
    if (strncmp(s, ", Part ", 7) == 0 && is_digit(s[7]) && !is_alnum(s[8])) {
        part = s[7] - '0';
        s += 8;
    }
    if (y2 >= 0)
        snprintf(id, 40, "frus%.4s-%02dv%02d", y, y2, vol);
    else
        snprintf(id, 40, "frus%.4sv%02d", y, vol);
    if (part) {
        size_t n = strlen(id);
        snprintf(id + n, 40 - n, "p%d", part);
    }
    frag[0] = '\0';
    /* the place cited: directly after the volume, or after one subtitle */
    for (int pass = 0; pass < 2; pass++) {
        const char *t = s;
        if (pass) {
            if (t[0] != ',' || t[1] != ' ') break;
            t += 2;
            const char *sub = t;
            while (*t && !strchr(",.;()", *t) && t - sub < 100) t++;
            if (t == sub || t - sub >= 100) break;
        }
        const char *num = NULL;
        const char *prefix = NULL;
        if (strncmp(t, ", Document ", 11) == 0) num = t + 11, prefix = "d";
        else if (strncmp(t, ", p. ", 5) == 0) num = t + 5, prefix = "pg_";
        else if (strncmp(t, ", pp. ", 6) == 0) num = t + 6, prefix = "pg_";
        if (!num || !is_digit(*num)) continue;
        const char *ne = skip_digits(num);
        if (ne - num > 6 || is_alnum(*ne)) continue;
        snprintf(frag, 24, "%s%.*s", prefix, (int)(ne - num), num);
        return ne;
    }
    return s;
}

static int find_frus(const char *p, match *m)
{
    char id[40], frag[24];
    for (const char *q = strstr(p, "Foreign Relations, "); q;
         q = strstr(q + 1, "Foreign Relations, ")) {
        const char *e = frus_at(q, id, frag);
        if (e) {
            m->start = m->g = q;
            m->end = m->g_end = e;
            return 1;
        }
    }
    return 0;
}

/* Whether a "Document N" match at start is the place of a volume citation
 * ("Foreign Relations, 1961–1963, vol. VI, ..., Document 119"), which
 * names a document of that volume, not of this one. */
static int in_volume_citation(const char *text, const char *start, const char *end)
{
    const char *lo = start - text > 200 ? start - 200 : text;
    char id[40], frag[24];
    for (const char *q = strstr(lo, "Foreign Relations, "); q && q < start;
         q = strstr(q + 1, "Foreign Relations, ")) {
        const char *e = frus_at(q, id, frag);
        if (e && e >= end) return 1;
    }
    return 0;
}

/* The patterns as the POSIX EREs their scanners implement. */
static const struct {
    pat_kind kind;
    find_fn find;
} patterns[N_PATTERNS] = {
    /* [0-9]{3}[A-Z]?(\.[0-9A-Z]+)?/[0-9]{1,2}(-|–)[0-9]{3,4} */
    [PAT_DECIMAL] = {P_DECIMAL, find_decimal},
    [PAT_LOT] = {P_FILE, find_lot},   /* Lot [0-9]{2} ?[A-Z] ?[0-9]+ */
    [PAT_RG] = {P_FILE, find_rg},     /* RG [0-9]+ */
    [PAT_FRC] = {P_FILE, find_frc},   /* FRC [0-9]{2} ?[A-Z] ?[0-9]+ */
    /* footnotes? ([0-9]+((, | and |, and )[0-9]+)*),? Document ([0-9]+) */
    [PAT_FOOTNOTE] = {P_FOOTNOTE, find_footnote},
    /* Document ([0-9]+)|Documents ([0-9]+((, | and |, and )[0-9]+)*) */
    [PAT_DOCUMENT] = {P_DOCUMENT, find_document},
    /* NSC Action No\.? ?([0-9]+((-|–)[a-z])?) */
    [PAT_ACTION] = {P_ACTION, find_action},
    /* supersede[sd]? (NSC [0-9]{1,4}(/[0-9]+)?) */
    [PAT_SUPERSEDES] = {P_SUPERSEDES, find_supersedes},
    [PAT_PAPER] = {P_PAPER, find_paper},                /* NSC [0-9]{1,4}(/[0-9]+)? */
    [PAT_SUPPLEMENT] = {P_SUPPLEMENT, find_supplement}, /* [Ss]ee (the )?Supplement */
    /* frus[0-9]{4}(-[0-9]{2,4})?v[0-9]+[a-z0-9-]* */
    [PAT_VOLUME] = {P_VOLUME, find_volume},
    /* Foreign Relations, [0-9]{4}((-|–)([0-9]{2}|[0-9]{4}))?, (vol\.|Vol\.|volume|Volume)
     * ([IVXL]+|[0-9]{1,2})(, Part [0-9])?((, [^,.;()]{1,99})?, (Document|pp?\.) [0-9]{1,6})? */
    [PAT_FRUS] = {P_FRUS, find_frus},
};

#define BIT(i) (1u << (i))

/*
 * The first two bytes of the anchors: a byte's class (0: begins no anchor),
 * and for each class the second bytes that may follow ('/' any).  Every
 * pair of the text is looked up, without a branch on the first byte, so
 * common letters ('s', capitals) cost no mispredicted jump; common words
 * ("for", "from", "such") still mostly stay out of the slow path, which
 * compares the rest of the anchor.
 */
enum { A_NONE, A_L, A_R, A_F, A_LF, A_D, A_N, A_LS, A_S, A_SLASH, A_CLASSES };
static const unsigned char anchor_class[256] = {
    ['L'] = A_L, ['R'] = A_R,  ['F'] = A_F, ['f'] = A_LF,    ['D'] = A_D,
    ['N'] = A_N, ['s'] = A_LS, ['S'] = A_S, ['/'] = A_SLASH,
};
#define ANY16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
#define ANY256(v)                                                                             \
    ANY16(v), ANY16(v), ANY16(v), ANY16(v), ANY16(v), ANY16(v), ANY16(v), ANY16(v), ANY16(v), \
        ANY16(v), ANY16(v), ANY16(v), ANY16(v), ANY16(v), ANY16(v), ANY16(v)
static const unsigned char anchor_pair[A_CLASSES][256] = {
    [A_L] = {['o'] = 1},
    [A_R] = {['G'] = 1},
    [A_F] = {['R'] = 1, ['o'] = 1},
    [A_LF] = {['o'] = 1, ['r'] = 1},
    [A_D] = {['o'] = 1},
    [A_N] = {['S'] = 1},
    [A_LS] = {['u'] = 1},
    [A_S] = {['u'] = 1},
    [A_SLASH] = {ANY256(1)},
};

/* Whether s starts with the literal lit. */
#define STARTS(s, lit) (strncmp((s), "" lit, sizeof(lit) - 1) == 0)

/* The pattern bits of an anchor beginning at s, whose first two bytes
 * are a pair of the table. */
static unsigned anchor_at(const char *s)
{
    switch (anchor_class[(unsigned char)s[0]]) {
    case A_SLASH: return BIT(PAT_DECIMAL);
    case A_L: return STARTS(s, "Lot ") ? BIT(PAT_LOT) : 0;
    case A_R: return STARTS(s, "RG ") ? BIT(PAT_RG) : 0;
    case A_F:
        if (STARTS(s, "FRC ")) return BIT(PAT_FRC);
        return STARTS(s, "Foreign Relations, ") ? BIT(PAT_FRUS) : 0;
    case A_LF:
        if (STARTS(s, "footnote")) return BIT(PAT_FOOTNOTE);
        return STARTS(s, "frus") ? BIT(PAT_VOLUME) : 0;
    case A_D: return STARTS(s, "Document") ? BIT(PAT_DOCUMENT) : 0;
    case A_N: return STARTS(s, "NSC ") ? BIT(PAT_ACTION) | BIT(PAT_PAPER) : 0;
    case A_LS: return STARTS(s, "supersede") ? BIT(PAT_SUPERSEDES) : 0;
    case A_S: return STARTS(s, "Supplement") ? BIT(PAT_SUPPLEMENT) : 0;
    default: return 0;
    }
}

#ifdef __SSE2__
/* Bit k set when s[k], s[k + 1] is a pair of the table (s[0..17) read). */
static unsigned anchor_pairs16(const unsigned char *s)
{
#define EQ(x, c) _mm_cmpeq_epi8((x), _mm_set1_epi8(c))
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s + 1));
    __m128i o =
        _mm_or_si128(_mm_or_si128(EQ(v, 'L'), EQ(v, 'F')), _mm_or_si128(EQ(v, 'f'), EQ(v, 'D')));
    __m128i m = _mm_and_si128(o, EQ(w, 'o'));
    m = _mm_or_si128(m, _mm_and_si128(EQ(_mm_or_si128(v, _mm_set1_epi8(0x20)), 's'), EQ(w, 'u')));
    m = _mm_or_si128(m, _mm_and_si128(EQ(v, 'F'), EQ(w, 'R')));
    m = _mm_or_si128(m, _mm_and_si128(EQ(v, 'f'), EQ(w, 'r')));
    m = _mm_or_si128(m, _mm_and_si128(EQ(v, 'R'), EQ(w, 'G')));
    m = _mm_or_si128(m, _mm_and_si128(EQ(v, 'N'), EQ(w, 'S')));
    m = _mm_or_si128(m, EQ(v, '/'));
#undef EQ
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/*
 * The patterns (bit i: patterns[i]) whose literal anchor occurs in text:
 * a pattern without its anchor cannot match.  "NSC " serves the action
 * ("NSC Action No") and paper patterns alike.  The pairs are found 16
 * positions at a time where SSE2 is (the same pairs as the table).
 */
static unsigned anchors(const char *text)
{
    size_t n = strlen(text);
    const unsigned char *u = (const unsigned char *)text;
    unsigned mask = n && u[n - 1] == '/' ? BIT(PAT_DECIMAL) : 0; /* the pairs miss it */
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 17 <= n; i += 16)
        for (unsigned m = anchor_pairs16(u + i); m; m &= m - 1)
            mask |= anchor_at(text + i + (unsigned)__builtin_ctz(m));
#endif
    for (; i + 1 < n; i++)
        if (anchor_pair[anchor_class[u[i]]][u[i + 1]]) mask |= anchor_at(text + i);
    return mask;
}

/* Records one match of a pattern of the given kind. */
static dc_rc record(dc_doc *d, pat_kind kind, const match *m)
{
    char *g = dc_strndup(m->g, (size_t)(m->g_end - m->g)), *g2 = NULL;
    dc_rc rc = g ? DC_OK : DC_NOMEM;
    switch (kind) {
    case P_DECIMAL:
    case P_FILE:
        if (!rc) rc = dc_strv_add_unique(&d->file_numbers, g);
        if (!rc) rc = dc_doc_add_ref(d, "file", g, NULL, NULL);
        break;
    case P_FOOTNOTE:
        if (!rc && !(g2 = dc_strndup(m->g2, (size_t)(m->g2_end - m->g2)))) rc = DC_NOMEM;
        if (!rc) rc = dc_doc_add_ref(d, "footnote", g2, NULL, g);
        break;
    case P_DOCUMENT:
        /* one reference per number of a list */
        for (const char *n = m->g; !rc && n < m->g_end;) {
            const char *e = skip_digits(n);
            char num[16];
            if (e - n < (ptrdiff_t)sizeof num) {
                memcpy(num, n, (size_t)(e - n));
                num[e - n] = '\0';
                rc = dc_doc_add_ref(d, "document", num, NULL, NULL);
            }
            n = e;
            while (n < m->g_end && !is_digit(*n)) n++;
        }
        break;
    case P_ACTION:
        if (!rc) rc = dc_doc_add_ref(d, "action", g, NULL, NULL);
        break;
    case P_SUPERSEDES:
        if (!rc) rc = dc_doc_add_ref(d, "paper", g, "supersedes", NULL);
        break;
    case P_PAPER:
        if (!rc) rc = dc_doc_add_ref(d, "paper", g, NULL, NULL);
        break;
    case P_SUPPLEMENT:
        if (!rc) rc = dc_doc_add_ref(d, "supplement", "Supplement", NULL, NULL);
        break;
    case P_VOLUME:
        if (!rc) rc = dc_doc_add_ref(d, "volume", g, NULL, NULL);
        break;
    case P_FRUS: {
        char id[40], frag[24];
        if (!rc && frus_at(m->start, id, frag))
            rc = dc_doc_add_ref(d, "volume", id, NULL, frag[0] ? frag : NULL);
        break;
    }
    }
    free(g);
    free(g2);
    return rc;
}

/* Runs every pattern over text, recording matches that stand as whole
 * words (not glued to a letter or digit on either side).  A match that is
 * not a whole word is still stepped over, as a regex search loop would. */
static dc_rc scan(dc_doc *d, const char *text)
{
    unsigned mask = text ? anchors(text) : 0;
    for (int i = 0; mask && i < N_PATTERNS; i++) {
        if (!(mask & BIT(i))) continue;
        const char *p = text;
        match m;
        while (*p && patterns[i].find(p, &m)) {
            int whole = (m.start == text || !is_alnum(m.start[-1])) && !is_alnum(*m.end);
            if (whole && patterns[i].kind == P_DOCUMENT)
                whole = !in_volume_citation(text, m.start, m.end);
            /* "NSC 5817" inside "supersedes NSC 5817" or "NSC Action" is
             * recorded by the more specific pattern too; dc_doc_add_ref
             * merges the two. */
            if (whole) {
                dc_rc rc = record(d, patterns[i].kind, &m);
                if (rc) return rc;
            }
            p = m.end;
        }
    }
    return DC_OK;
}

int dc_refs_file_number_date(const char *fileno, char out[11])
{
    const char *p = strchr(fileno, '/');
    if (!p) return 0;
    p++;
    int month = 0, nd = 0;
    while (*p >= '0' && *p <= '9' && nd < 3) month = month * 10 + (*p++ - '0'), nd++;
    if (nd == 0 || nd > 2) return 0;
    if (*p == '-')
        p++;
    else if (strncmp(p, EN_DASH, 3) == 0)
        p += 3;
    else
        return 0;
    char digits[5];
    int n = 0;
    while (*p >= '0' && *p <= '9' && n < 5) digits[n++] = *p++;
    if (n < 3 || n > 4 || (*p >= '0' && *p <= '9')) return 0;
    int year = 1900 + (digits[n - 2] - '0') * 10 + (digits[n - 1] - '0');
    int day = 0;
    for (int i = 0; i < n - 2; i++) day = day * 10 + (digits[i] - '0');
    if (month < 1 || month > 12 || day < 1 || day > dc_days_in_month(year, month)) return 0;
    dc_date_iso(out, year, month, day);
    return 1;
}

/* The date of the first decimal file number in text that encodes one
 * (whole word or not).  Only the part from the slash on encodes the date,
 * and it is at most "/DD" + en dash + "DDDD": copied to a small buffer so
 * the number is read as it ends in the match. */
static int first_decimal_date(const char *text, char out[11])
{
    match m;
    for (const char *p = text; p && *p && find_decimal(p, &m); p = m.end) {
        const char *slash = memchr(m.start, '/', (size_t)(m.end - m.start));
        char tail[16];
        size_t n = (size_t)(m.end - slash);
        if (n >= sizeof tail) continue;
        memcpy(tail, slash, n);
        tail[n] = '\0';
        if (dc_refs_file_number_date(tail, out)) return 1;
    }
    return 0;
}

dc_rc dc_refs_enrich(dc_doc *d)
{
    dc_rc rc = scan(d, d->title);
    for (size_t i = 0; !rc && i < d->n_portions; i++) rc = scan(d, d->portions[i].text);
    if (!rc) rc = scan(d, d->source_note);
    for (size_t i = 0; !rc && i < d->n_footnotes; i++) rc = scan(d, d->footnotes[i].text);
    if (!rc && !d->date) {
        /* A file number at the head of the document files the document
         * itself; the source note's files a copy of it. */
        char date[11];
        int found = 0;
        for (size_t i = 0; !found && i < d->n_portions && i < 3; i++)
            if (d->portions[i].kind && strcmp(d->portions[i].kind, "file-number") == 0)
                found = first_decimal_date(d->portions[i].text, date);
        if (!found && d->source_note) found = first_decimal_date(d->source_note, date);
        if (found) {
            rc = dc_str_set(&d->date, date);
            if (!rc) rc = dc_str_set(&d->date_source, "file-number");
        }
    }
    return rc;
}

const char *dc_refs_paper_at(const char *s) { return paper_at(s); }

int dc_refs_paper_name(const char *in, char *out, size_t cap)
{
    if (cap) out[0] = '\0';
    if (!in || cap < 6) return 0;
    while (*in == ' ' || *in == '\t') in++;
    if ((in[0] | 0x20) != 'n' || (in[1] | 0x20) != 's' || (in[2] | 0x20) != 'c') return 0;
    in += 3;
    while (*in == ' ' || *in == '\t' || *in == '-' || *in == '_') in++;
    const char *d = in, *d_end = skip_digits(d);
    if (d_end == d || d_end - d > 4) return 0;
    const char *sub = d_end, *sub_end = d_end;
    if (*d_end == '/') {
        sub = d_end + 1;
        sub_end = skip_digits(sub);
        if (sub_end == sub || sub_end - sub > 4) return 0;
    }
    const char *e = sub_end;
    while (*e == ' ' || *e == '\t') e++;
    if (*e) return 0;
    int n = sub_end > sub ? snprintf(out, cap, "NSC %.*s/%.*s", (int)(d_end - d), d,
                                     (int)(sub_end - sub), sub)
                          : snprintf(out, cap, "NSC %.*s", (int)(d_end - d), d);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return 0;
    }
    return 1;
}
