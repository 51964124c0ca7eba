/*
 * Cross-references and archival citations found in a document's text.
 *
 * Patterns are POSIX extended regular expressions over UTF-8 bytes (the en
 * dash of "10–750" is matched as its three bytes).  Each is compiled once
 * per call of dc_refs_enrich; documents are scanned part by part.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "declass/refs.h"
#include "declass/banned.h"

#define DASH "(-|\xE2\x80\x93)"

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
} pat_kind;

static const struct {
    pat_kind kind;
    const char *re;
} patterns[] = {
    {P_DECIMAL, "[0-9]{3}[A-Z]?(\\.[0-9A-Z]+)?/[0-9]{1,2}" DASH "[0-9]{3,4}"},
    {P_FILE, "Lot [0-9]{2} ?[A-Z] ?[0-9]+"},
    {P_FILE, "RG [0-9]+"},
    {P_FILE, "FRC [0-9]{2} ?[A-Z] ?[0-9]+"},
    {P_FOOTNOTE, "footnotes? ([0-9]+((, | and |, and )[0-9]+)*),? Document ([0-9]+)"},
    {P_DOCUMENT, "Documents? ([0-9]+)"},
    {P_ACTION, "NSC Action No\\.? ?([0-9]+(" DASH "[a-z])?)"},
    {P_SUPERSEDES, "supersede[sd]? (NSC [0-9]{1,4}(/[0-9]+)?)"},
    {P_PAPER, "NSC [0-9]{1,4}(/[0-9]+)?"},
    {P_SUPPLEMENT, "[Ss]ee (the )?Supplement"},
    {P_VOLUME, "frus[0-9]{4}(-[0-9]{2,4})?v[0-9]+[a-z0-9-]*"},
};
#define N_PATTERNS (sizeof patterns / sizeof patterns[0])

typedef struct scanner {
    regex_t re[N_PATTERNS];
    size_t n_compiled;
} scanner;

static void scanner_release(scanner *s)
{
    for (size_t i = 0; i < s->n_compiled; i++) regfree(&s->re[i]);
    s->n_compiled = 0;
}

static dc_rc scanner_init(scanner *s)
{
    s->n_compiled = 0;
    for (size_t i = 0; i < N_PATTERNS; i++) {
        int r = regcomp(&s->re[i], patterns[i].re, REG_EXTENDED);
        if (r) {
            scanner_release(s);
            return r == REG_ESPACE ? DC_NOMEM : DC_INTERNAL;
        }
        s->n_compiled++;
    }
    return DC_OK;
}

static int is_alnum(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* A copy of the match group g of m in text, or NULL. */
static char *group(const char *text, const regmatch_t *m, int g)
{
    if (m[g].rm_so < 0) return NULL;
    return dc_strndup(text + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
}

/* Records one match of pattern i. */
static dc_rc record(dc_doc *d, pat_kind kind, const char *text, const regmatch_t *m)
{
    char *whole = group(text, m, 0), *a = NULL, *b = NULL;
    dc_rc rc = whole ? DC_OK : DC_NOMEM;
    switch (kind) {
    case P_DECIMAL:
    case P_FILE:
        if (!rc) rc = dc_strv_add_unique(&d->file_numbers, whole);
        if (!rc) rc = dc_doc_add_ref(d, "file", whole, NULL, NULL);
        break;
    case P_FOOTNOTE:
        a = group(text, m, 1);
        b = group(text, m, 4);
        if (!a || !b) rc = DC_NOMEM;
        if (!rc) rc = dc_doc_add_ref(d, "footnote", b, NULL, a);
        break;
    case P_DOCUMENT:
    case P_ACTION:
        a = group(text, m, 1);
        if (!a) rc = DC_NOMEM;
        if (!rc) rc = dc_doc_add_ref(d, kind == P_DOCUMENT ? "document" : "action", a, NULL, NULL);
        break;
    case P_SUPERSEDES:
        a = group(text, m, 1);
        if (!a) rc = DC_NOMEM;
        if (!rc) rc = dc_doc_add_ref(d, "paper", a, "supersedes", NULL);
        break;
    case P_PAPER:
        if (!rc) rc = dc_doc_add_ref(d, "paper", whole, NULL, NULL);
        break;
    case P_SUPPLEMENT:
        if (!rc) rc = dc_doc_add_ref(d, "supplement", "Supplement", NULL, NULL);
        break;
    case P_VOLUME:
        if (!rc) rc = dc_doc_add_ref(d, "volume", whole, NULL, NULL);
        break;
    }
    free(whole);
    free(a);
    free(b);
    return rc;
}

/* Runs every pattern over text, recording matches that stand as whole
 * words (not glued to a letter or digit on either side). */
static dc_rc scan(scanner *s, dc_doc *d, const char *text)
{
    if (!text) return DC_OK;
    for (size_t i = 0; i < N_PATTERNS; i++) {
        const char *p = text;
        regmatch_t m[8];
        while (*p && regexec(&s->re[i], p, 8, m, p == text ? 0 : REG_NOTBOL) == 0) {
            const char *start = p + m[0].rm_so, *end = p + m[0].rm_eo;
            if (end == start) break;
            int whole = (start == text || !is_alnum(start[-1])) && !is_alnum(*end);
            /* "NSC 5817" inside "supersedes NSC 5817" or "NSC Action" is
             * recorded by the more specific pattern too; dc_doc_add_ref
             * merges the two. */
            if (whole) {
                dc_rc rc = record(d, patterns[i].kind, p, m);
                if (rc) return rc;
            }
            p = end;
        }
    }
    return DC_OK;
}

static int days_in_month(int y, int mo)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return days[mo - 1];
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
    else if (strncmp(p, "\xE2\x80\x93", 3) == 0)
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
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return 0;
    const char *dig = "0123456789";
    char *o = out;
    *o++ = '1', *o++ = '9', *o++ = dig[(year / 10) % 10], *o++ = dig[year % 10], *o++ = '-';
    *o++ = dig[month / 10], *o++ = dig[month % 10], *o++ = '-';
    *o++ = dig[day / 10], *o++ = dig[day % 10], *o = '\0';
    return 1;
}

/* The date of the first decimal file number in text, if any. */
static int first_decimal_date(scanner *s, const char *text, char out[11])
{
    regmatch_t m[4];
    const char *p = text;
    while (p && *p && regexec(&s->re[0], p, 4, m, p == text ? 0 : REG_NOTBOL) == 0) {
        char *f = group(p, m, 0);
        int ok = f && dc_refs_file_number_date(f, out);
        free(f);
        if (ok) return 1;
        p += m[0].rm_eo;
    }
    return 0;
}

dc_rc dc_refs_enrich(dc_doc *d)
{
    scanner s;
    dc_rc rc = scanner_init(&s);
    if (rc) return rc;
    rc = scan(&s, d, d->title);
    for (size_t i = 0; !rc && i < d->n_portions; i++) rc = scan(&s, d, d->portions[i].text);
    if (!rc) rc = scan(&s, d, d->source_note);
    for (size_t i = 0; !rc && i < d->n_footnotes; i++) rc = scan(&s, d, d->footnotes[i].text);
    if (!rc && !d->date) {
        /* A file number at the head of the document files the document
         * itself; the source note's files a copy of it. */
        char date[11];
        int found = 0;
        for (size_t i = 0; !found && i < d->n_portions && i < 3; i++)
            if (d->portions[i].kind && strcmp(d->portions[i].kind, "file-number") == 0)
                found = first_decimal_date(&s, d->portions[i].text, date);
        if (!found && d->source_note) found = first_decimal_date(&s, d->source_note, date);
        if (found) {
            rc = dc_str_set(&d->date, date);
            if (!rc) rc = dc_str_set(&d->date_source, "file-number");
        }
    }
    scanner_release(&s);
    return rc;
}
