/*
 * declass — text analysis: the tokenizer, case and accent folding and
 * stemming shared by the index (documents) and the query parser (queries),
 * so that a word is folded the same way on both sides.
 *
 * Tokens.  A token is a run of letters and digits (Unicode categories L*
 * and N*; combining marks and default-ignorable characters such as the soft
 * hyphen inside a run are dropped without splitting it).  Each token is
 * folded: Unicode case folding, compatibility decomposition, combining
 * marks stripped, then recomposed (NFKC_Casefold without accents), so
 * "ÉCOLE" → "ecole", "Año" → "ano", "ﬁle" → "file".  Inside a run:
 *   - an apostrophe (' ’ ʼ) between two letters is kept as ASCII "'"
 *     ("President’s" → "president's", whose stem is "presid");
 *   - '.', '/', '-' or a dash (U+2010..U+2013) between two digits is kept,
 *     dashes as '-' ("795.00/10–750" → "795.00/10-750", "5429/5");
 *   - a digit followed by a dash and one letter that ends the run is kept
 *     ("2102–b" → "2102-b");
 *   - letters and digits mix freely ("25X1" → "25x1").
 * Anything else separates tokens: "long-range" → "long" "range", "U.S." →
 * "u" "s", "NSC 5907" → "nsc" "5907" at consecutive positions.  Each Han,
 * Hiragana or Katakana character is a token by itself.  There are no stop
 * words.  A folded term longer than DC_TERM_MAX bytes is truncated to
 * DC_TERM_MAX bytes at a character boundary (the same on both sides, so a
 * long word still matches itself); its start/end still span the whole run.
 * Invalid UTF-8 bytes separate tokens and are otherwise ignored.
 *
 * Stems are Snowball English (libstemmer).  Terms containing an ASCII digit
 * (numbers, identifiers) are not stemmed: their stem is the term itself.
 *
 * An analyzer is not thread-safe: use one per thread.  dc_analyze allocates
 * nothing; an index may call it on every byte it ingests.
 */
#ifndef DECLASS_ANALYSIS_H
#define DECLASS_ANALYSIS_H

#include "declass/util.h"

/* The longest folded term, in bytes. */
#define DC_TERM_MAX 64

typedef struct dc_analyzer dc_analyzer;

/*
 * Creates an analyzer (it owns a Snowball English stemmer and its buffers).
 * Returns DC_OK and sets *out, or DC_NOMEM with *out NULL.
 */
dc_rc dc_analyzer_new(dc_analyzer **out);

/* Frees an analyzer.  NULL is a no-op. */
void dc_analyzer_free(dc_analyzer *a);

/*
 * One token, passed to a dc_token_cb.  term/stem point into the analyzer
 * and are valid only during the callback; they are NUL-terminated.
 */
typedef struct dc_token {
    const char *term; /* folded exact term, 1..DC_TERM_MAX bytes */
    size_t len;
    const char *stem; /* with DC_ANALYZE_STEM: its stem; otherwise NULL */
    size_t stem_len;
    size_t start, end; /* byte span of the token in the text: [start, end) */
    unsigned pos;      /* position: first_pos, first_pos + 1, ... */
} dc_token;

/* Receives tokens in order.  A non-OK return stops dc_analyze, which then
 * returns that code. */
typedef dc_rc (*dc_token_cb)(void *ctx, const dc_token *tok);

/* dc_analyze flags. */
#define DC_ANALYZE_STEM 1u /* fill dc_token.stem */
/* Every token the general way, a character at a time, without the fast
 * path for words of ASCII letters and digits: the same tokens, slower
 * (the tests check the one against the other). */
#define DC_ANALYZE_GENERAL 2u

/*
 * Splits text[0..len) into folded tokens and calls cb for each, numbering
 * positions from first_pos.  The callback may call dc_analyzer_stem on the
 * same analyzer (but not dc_analyze).  On return *next_pos (if not NULL)
 * is the position after the last token (first_pos if there was none), so
 * consecutive fields continue numbering.
 * Returns DC_OK, the callback's code, DC_NOMEM (the stemmer failed),
 * DC_LIMIT (positions would pass UINT_MAX) or DC_MISUSE (a or cb NULL).
 */
dc_rc dc_analyze(dc_analyzer *a, const char *text, size_t len, unsigned first_pos,
                        unsigned flags, dc_token_cb cb, void *ctx, unsigned *next_pos);

/*
 * The Snowball English stem of a folded term (as produced by dc_analyze,
 * at most DC_TERM_MAX bytes).  A term with an ASCII digit is its own stem.
 * *stem is a NUL-terminated copy owned by the analyzer, valid until the
 * next call of dc_analyzer_stem or dc_analyze on a.  Returns DC_OK,
 * DC_NOMEM (the stemmer ran out of memory) or DC_MISUSE (a NULL argument,
 * or len 0 or above DC_TERM_MAX); *stem is NULL on failure.
 */
dc_rc dc_analyzer_stem(dc_analyzer *a, const char *term, size_t len, const char **stem,
                              size_t *stem_len);

/*
 * Whether term may have stem as its stem, without stemming it: 0 when it
 * cannot.  The English stemmer rewrites only a word's end (a y made i, an
 * e added, suffixes removed), so every byte of a stem but its last is the
 * term's own, except the i before the last of die, lie and tie (from dying,
 * lying, tying): a term that does not begin so is not stemmed to it.  For
 * matching many terms against a few stems (snippets) at the cost of a
 * comparison.  tests/unit/test_analysis.c checks it on the stemmer.
 */
int dc_analyzer_may_stem_to(const char *term, size_t len, const char *stem, size_t stem_len);

#endif
