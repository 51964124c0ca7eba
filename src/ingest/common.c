/*
 * Helpers shared by the TEI and plain-text ingesters: document type from a
 * title, classification from a source note.
 */
#include "ingest/ingest_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest.h"

#include "util/util_int.h"
#include "util/banned.h"

/* 1 if s[0..n) is the whole word w (case-insensitive) at a word boundary. */
static int word_at(const char *s, size_t n, size_t i, const char *w)
{
    size_t wl = strlen(w);
    if (i + wl > n || strncasecmp(s + i, w, wl) != 0) return 0;
    if (i > 0 && isalnum((unsigned char)s[i - 1])) return 0;
    if (i + wl < n && isalnum((unsigned char)s[i + wl])) return 0;
    return 1;
}

static int contains_word(const char *s, size_t n, const char *w)
{
    for (size_t i = 0; i < n; i++)
        if (word_at(s, n, i, w)) return 1;
    return 0;
}

/*
 * Looks at the title's leading phrase only: FRUS titles read "<Type> From
 * A to B" or "<Issuer> <Type>", and the words after the first connective
 * name subjects, not the record's type.
 */
const char *dc_ingest_doc_type(const char *title)
{
    static const char *const cuts[] = {" From ", " to ", " of ", " by ", " for ", " on ",
                                       " Between ", " Among ", ":"};
    static const struct {
        const char *word, *type;
    } types[] = {
        {"Editorial Note", "editorial-note"}, {"Briefing Paper", "briefing-paper"},
        {"Telegram", "telegram"},             {"Minutes", "minutes"},
        {"Letter", "letter"},                 {"Memorandum", "memorandum"},
        {"Report", "report"},
    };
    if (!title) return "document";
    const char *s = title;
    while (*s == ' ') s++;
    const char *d = s;
    while (isdigit((unsigned char)*d)) d++;
    if (d > s && d[0] == '.' && d[1] == ' ') s = d + 2;
    if (strncasecmp(s, "Memorandum of Conversation", 26) == 0) return "memorandum-of-conversation";
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        const char *c = strstr(s, cuts[i]);
        if (c && (size_t)(c - s) < n) n = (size_t)(c - s);
    }
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (contains_word(s, n, types[i].word)) return types[i].type;
    return "document";
}

const char *dc_ingest_classification(const char *note)
{
    static const struct {
        const char *mark, *level;
    } marks[] = {
        {"Top Secret", "TOP SECRET"},
        {"Secret", "SECRET"},
        {"Confidential", "CONFIDENTIAL"},
        {"Unclassified", "UNCLASSIFIED"},
        {"Limited Official Use", "LIMITED OFFICIAL USE"},
    };
    if (!note) return NULL;
    size_t n = strlen(note);
    for (size_t i = 0; i < n; i++) {
        int opens = i == 0 || note[i - 1] == '(' ||
                    (i >= 2 && note[i - 1] == ' ' && strchr(".;)", note[i - 2]));
        if (!opens) continue;
        for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
            size_t ml = strlen(marks[k].mark);
            if (strncmp(note + i, marks[k].mark, ml) != 0) continue;
            char after = note[i + ml];
            if (after == '\0' || after == '.' || after == ';' || after == ',')
                return marks[k].level;
        }
    }
    return NULL;
}

dc_rc dc_ingest_portion_marks(dc_doc *doc)
{
    static const struct {
        const char *mark, *level;
    } marks[] = {{"(TS)", "TOP SECRET"},
                 {"(S)", "SECRET"},
                 {"(C)", "CONFIDENTIAL"},
                 {"(U)", "UNCLASSIFIED"}};
    for (size_t i = 0; doc && i < doc->n_portions; i++) {
        dc_portion *p = &doc->portions[i];
        if (!p->text || p->classification) continue;
        for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
            size_t ml = strlen(marks[k].mark);
            char after = p->text[0] ? p->text[strnlen(p->text, ml)] : '\0';
            if (strncmp(p->text, marks[k].mark, ml) != 0 || (after && !isspace((unsigned char)after)))
                continue;
            if (dc_str_set(&p->classification, marks[k].level)) return DC_NOMEM;
            break;
        }
    }
    return DC_OK;
}

/* ---- dates written in the text ---------------------------------------- */

#define TEXT_DATE_SCAN ((size_t)64 << 10) /* bytes of one text looked at */
#define TEXT_DATE_PORTIONS 3              /* leading portions looked at */

/* Digits at s[i..n): their value (at most max_digits of them) and count. */
static size_t digits_at(const char *s, size_t n, size_t i, size_t max_digits, long *v)
{
    size_t k = 0;
    *v = 0;
    while (i + k < n && isdigit((unsigned char)s[i + k]) && k <= max_digits)
        *v = *v * 10 + (s[i + k++] - '0');
    return k;
}

/* "Month D, YYYY" or "D Month YYYY" (the day may be an ordinal, "3d",
 * "3rd") starting exactly at s[i]: writes
 * YYYY-MM-DD to iso and the end offset to *end. */
static int full_date_at(const char *s, size_t n, size_t i, char iso[11], size_t *end)
{
    size_t ml, j, k;
    long day = 0, year = 0;
    int mon = dc_month_at(s + i, n - i, &ml);
    if (mon) {
        j = i + ml;
        if (j >= n || s[j] != ' ') return 0;
        j++;
        k = dc_day_at(s + j, n - j, &day);
        if (k == 0) return 0;
        j += k;
        if (j + 1 >= n || s[j] != ',' || s[j + 1] != ' ') return 0;
        j += 2;
    } else {
        k = dc_day_at(s + i, n - i, &day);
        if (k == 0 || i + k >= n || s[i + k] != ' ') return 0;
        j = i + k + 1;
        if (!(mon = dc_month_at(s + j, n - j, &ml))) return 0;
        j += ml;
        if (j >= n || s[j] != ' ') return 0;
        j++;
    }
    k = digits_at(s, n, j, 4, &year);
    if (k != 4 || (j + 4 < n && isalnum((unsigned char)s[j + 4]))) return 0;
    if (year < 1700 || year > 2100 || day < 1 || day > dc_days_in_month((int)year, mon)) return 0;
    dc_date_iso(iso, (int)year, mon, (int)day);
    *end = j + 4;
    return 1;
}

/* A portion that is a dateline alone: an optional place (no digits, at
 * most 50 bytes, capitalised) and ", ", a full date, an optional ".". */
static int dateline_alone(const char *s, char iso[11])
{
    size_t n = strlen(s), i = 0, end;
    if (n > 100) return 0;
    if (!full_date_at(s, n, 0, iso, &end)) {
        const char *c = strstr(s, ", ");
        if (!c || c == s || (size_t)(c - s) > 50 || !isupper((unsigned char)s[0])) return 0;
        for (const char *p = s; p < c; p++)
            if (isdigit((unsigned char)*p) || *p == '.' || *p == ';') return 0;
        i = (size_t)(c - s) + 2;
        if (!full_date_at(s, n, i, iso, &end)) return 0;
    }
    return end == n || (end + 1 == n && s[end] == '.');
}

/* Where the sentence holding s[i] starts: after the last ". " whose word
 * has three bytes or more ("Secret. ", "S/S. ", not "Jr. " or "S. "). */
static size_t sentence_start(const char *s, size_t i)
{
    for (size_t k = i; k >= 2; k--) {
        if (s[k - 1] != ' ' || s[k - 2] != '.') continue;
        size_t w = 0;
        while (w + 2 < k && !isspace((unsigned char)s[k - 3 - w])) w++;
        if (w >= 3) return k;
    }
    return 0;
}

/* Whether the "on " at s[i] (s of length n) is the word "on" before a
 * full date (into iso), in a sentence that says before it that the
 * document was made. */
static int made_at(const char *s, size_t n, size_t i, char iso[11])
{
    static const char *const verbs[] = {"approved",    "drafted",   "signed",    "sent",
                                        "transmitted", "initialed", "initialled"};
    size_t end;
    if (!word_at(s, n, i, "on") || !full_date_at(s, n, i + 3, iso, &end)) return 0;
    size_t from = sentence_start(s, i);
    for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
        if (contains_word(s + from, i - from, verbs[v])) return 1;
    return 0;
}

/* "... approved by Y on October 15, 1959": the first full date after the
 * word "on" whose sentence says before it that the document was made. */
static int made_on_date(const char *s, char iso[11])
{
    size_t n = strnlen(s, TEXT_DATE_SCAN), i = 0;
#ifdef __SSE2__
    /* "on " in either case, 16 positions at a time: this runs on every
     * byte of the leading portions */
    const __m128i lower = _mm_set1_epi8(0x20);
    for (; i + 19 <= n; i += 16) {
        __m128i o = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + i)), lower);
        __m128i nn =
            _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + i + 1)), lower);
        __m128i sp = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 2));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(o, _mm_set1_epi8('o')),
                                        _mm_cmpeq_epi8(nn, _mm_set1_epi8('n'))),
                          _mm_cmpeq_epi8(sp, _mm_set1_epi8(' '))));
        for (; m; m &= m - 1)
            if (made_at(s, n, i + (unsigned)__builtin_ctz(m), iso)) return 1;
    }
#endif
    for (; i + 3 < n; i++)
        if ((s[i] | 0x20) == 'o' && (s[i + 1] | 0x20) == 'n' && s[i + 2] == ' ' &&
            made_at(s, n, i, iso))
            return 1;
    return 0;
}

dc_rc dc_ingest_date_from_text(dc_doc *doc)
{
    if (!doc || doc->date) return DC_OK;
    char iso[11];
    int found = 0;
    size_t np = doc->n_portions < TEXT_DATE_PORTIONS ? doc->n_portions : TEXT_DATE_PORTIONS;
    for (size_t i = 0; !found && i < np; i++)
        found = doc->portions[i].text && dateline_alone(doc->portions[i].text, iso);
    if (!found && doc->source_note) found = made_on_date(doc->source_note, iso);
    for (size_t i = 0; !found && i < np; i++)
        found = doc->portions[i].text && made_on_date(doc->portions[i].text, iso);
    if (!found) return DC_OK;
    if (dc_str_set(&doc->date, iso) || dc_str_set(&doc->date_source, "text")) return DC_NOMEM;
    return DC_OK;
}

dc_rc dc_ingest_view_date(dc_doc *view)
{
    if (!view || !view->date || (view->date_source && strcmp(view->date_source, "tei") == 0))
        return DC_OK;
    char iso[11];
    if (view->date_source && strcmp(view->date_source, "dateline") == 0)
        for (size_t i = 0; i < view->n_portions; i++) {
            const dc_portion *p = &view->portions[i];
            if (p->text && !(p->kind && strcmp(p->kind, "gap") == 0) &&
                dateline_alone(p->text, iso) && strcmp(iso, view->date) == 0)
                return DC_OK;
        }
    free(view->date);
    free(view->date_source);
    view->date = view->date_source = NULL;
    return DC_OK;
}
