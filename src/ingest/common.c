/*
 * Helpers shared by the TEI and plain-text ingesters: document type from a
 * title, classification from a source note.
 */
#include "ingest/ingest_int.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "declass/banned.h"

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
