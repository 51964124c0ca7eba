/* Unit tests: src/query (the query language → canonical trees, errors,
 * caps, tree guarantees, random input). */
#include <stdlib.h>

#include "declass/model.h"
#include "query/query.h"
#include "test.h"

static dc_analyzer *an;

/* The canonical form of q, or "ERR <rc>: <message>" (owned). */
static char *parse(const char *q, size_t len)
{
    dc_query *query = (dc_query *)1;
    dc_error err = {DC_OK, 0, ""};
    dc_rc rc = dc_query_parse(an, q, len, &query, &err);
    dc_buf b;
    dc_buf_init(&b, 0);
    if (rc) {
        CHECK(query == NULL);
        CHECK_INT(err.rc, rc);
        dc_buf_printf(&b, "ERR %s: %s", dc_strerror(rc), err.msg);
    } else {
        CHECK(query != NULL && dc_query_root(query) != NULL);
        CHECK_INT(dc_query_to_string(query, &b), DC_OK);
        dc_query_free(query);
    }
    return dc_buf_detach(&b);
}

#define CHECK_Q(q, expected)                                                              \
    do {                                                                                  \
        char *got_ = parse(q, strlen(q));                                                 \
        CHECK_STR(got_, expected);                                                        \
        free(got_);                                                                       \
    } while (0)

/* Parsing q fails with rc and a message containing msg. */
#define CHECK_ERR(q, rc, msg) check_err(__LINE__, q, strlen(q), rc, msg)

static void check_err(int line, const char *q, size_t len, dc_rc want, const char *msg)
{
    dc_query *query = (dc_query *)1;
    dc_error err = {DC_OK, 0, ""};
    dc_rc rc = dc_query_parse(an, q, len, &query, &err);
    if (rc != want || err.rc != want || query != NULL || !strstr(err.msg, msg)) {
        fprintf(stderr, "line %d: query \"%.80s\": rc %d (%s), expected %d with \"%s\"\n", line,
                q, rc, err.msg, want, msg);
        CHECK(0);
        if (!rc) dc_query_free(query);
    } else {
        CHECK(1);
    }
}

static void test_basics(void)
{
    CHECK_Q("korea", "(term \"korea\" \"korea\")");
    CHECK_Q("Korea \"NSC 5907\" -Soviet",
            "(and (term \"korea\" \"korea\") (phrase \"nsc\" \"5907\") "
            "(not (term \"soviet\" \"soviet\")))");
    CHECK_Q("armistice negotiations",
            "(and (term \"armistice\" \"armistic\") (term \"negotiations\" \"negoti\"))");
    CHECK_Q("armistice AND negotiations",
            "(and (term \"armistice\" \"armistic\") (term \"negotiations\" \"negoti\"))");
    CHECK_Q("NSC 5907", "(and (term \"nsc\" \"nsc\") (term \"5907\" \"5907\"))");
    CHECK_Q("\"NSC Action No. 2102–b\"", "(phrase \"nsc\" \"action\" \"no\" \"2102-b\")");
    CHECK_Q("795.00/10–750", "(term \"795.00/10-750\" \"795.00/10-750\")");
    CHECK_Q("President’s", "(term \"president's\" \"presid\")");
    CHECK_Q("25X1 Año ÉCOLE",
            "(and (term \"25x1\" \"25x1\") (term \"ano\" \"ano\") (term \"ecole\" \"ecol\"))");
    /* A quoted single word is exact; several tokens in one word make a phrase. */
    CHECK_Q("\"negotiations\"", "(term exact \"negotiations\" \"negoti\")");
    CHECK_Q("U.S. policy", "(and (phrase \"u\" \"s\") (term \"policy\" \"polici\"))");
    CHECK_Q("long-range", "(phrase \"long\" \"range\")");
    CHECK_Q("“Neutral Nations Supervisory Commission”",
            "(phrase \"neutral\" \"nations\" \"supervisory\" \"commission\")");
    /* No stop words; lowercase operators are words. */
    CHECK_Q("the and or not", "(and (term \"the\" \"the\") (term \"and\" \"and\") "
                              "(term \"or\" \"or\") (term \"not\" \"not\"))");
}

static void test_operators(void)
{
    CHECK_Q("armistice OR truce",
            "(or (term \"armistice\" \"armistic\") (term \"truce\" \"truce\"))");
    /* NOT > AND > OR. */
    CHECK_Q("a OR b c", "(or (term \"a\" \"a\") (and (term \"b\" \"b\") (term \"c\" \"c\")))");
    CHECK_Q("a b OR c", "(or (and (term \"a\" \"a\") (term \"b\" \"b\")) (term \"c\" \"c\"))");
    CHECK_Q("a AND b OR c AND -d",
            "(or (and (term \"a\" \"a\") (term \"b\" \"b\")) "
            "(and (term \"c\" \"c\") (not (term \"d\" \"d\"))))");
    CHECK_Q("NOT a b", "(and (not (term \"a\" \"a\")) (term \"b\" \"b\"))");
    CHECK_Q("korea NOT (japan OR china)",
            "(and (term \"korea\" \"korea\") "
            "(not (or (term \"japan\" \"japan\") (term \"china\" \"china\"))))");
    CHECK_Q("(a OR b) (c OR d)", "(and (or (term \"a\" \"a\") (term \"b\" \"b\")) "
                                 "(or (term \"c\" \"c\") (term \"d\" \"d\")))");
    /* Flattening and grouping. */
    CHECK_Q("a (b c) ((d))", "(and (term \"a\" \"a\") (term \"b\" \"b\") (term \"c\" \"c\") "
                             "(term \"d\" \"d\"))");
    CHECK_Q("a OR (b OR c)", "(or (term \"a\" \"a\") (term \"b\" \"b\") (term \"c\" \"c\"))");
    CHECK_Q("--a", "(term \"a\" \"a\")");
    CHECK_Q("a -(-b)", "(and (term \"a\" \"a\") (term \"b\" \"b\"))");
    CHECK_Q("a -b -\"c d\"", "(and (term \"a\" \"a\") (not (term \"b\" \"b\")) "
                             "(not (phrase \"c\" \"d\")))");
    CHECK_Q("(-a) b", "(and (not (term \"a\" \"a\")) (term \"b\" \"b\"))");
    /* A lone '-' is not an operator; a mid-word '-' neither. */
    CHECK_Q("a - b", "(and (term \"a\" \"a\") (term \"b\" \"b\"))");
    CHECK_Q("a-b", "(phrase \"a\" \"b\")");
    /* Prefixes. */
    CHECK_Q("negotiat*", "(prefix \"negotiat\")");
    CHECK_Q("Kore** -korean", "(and (prefix \"kore\") (not (term \"korean\" \"korean\")))");
    CHECK_Q("795.00/10*", "(prefix \"795.00/10\")");
    CHECK_Q("title:armist*", "(prefix title \"armist\")");
}

static void test_fields(void)
{
    CHECK_Q("title:korea", "(term title \"korea\" \"korea\")");
    CHECK_Q("TITLE:Korea", "(term title \"korea\" \"korea\")");
    CHECK_Q("title: korea", "(term title \"korea\" \"korea\")");
    CHECK_Q("person:\"Dean Rusk\"", "(phrase person \"dean\" \"rusk\")");
    CHECK_Q("person:Scribner", "(term person \"scribner\" \"scribner\")");
    CHECK_Q("title:(korea OR japan) treaty",
            "(and (or (term title \"korea\" \"korea\") (term title \"japan\" \"japan\")) "
            "(term \"treaty\" \"treati\"))");
    CHECK_Q("title:(korea person:rusk)",
            "(and (term title \"korea\" \"korea\") (term person \"rusk\" \"rusk\"))");
    CHECK_Q("title:korea armistice",
            "(and (term title \"korea\" \"korea\") (term \"armistice\" \"armistic\"))");
    CHECK_Q("korea -title:japan",
            "(and (term \"korea\" \"korea\") (not (term title \"japan\" \"japan\")))");
    CHECK_Q("korea title:-japan",
            "(and (term \"korea\" \"korea\") (not (term title \"japan\" \"japan\")))");
    CHECK_Q("title:OR", "(term title \"or\" \"or\")");
    /* Unknown fields are words. */
    CHECK_Q("Note: the", "(and (term \"note\" \"note\") (term \"the\" \"the\"))");
    CHECK_Q("foo:bar", "(phrase \"foo\" \"bar\")");
    /* Filters. */
    CHECK_Q("class:secret", "(class \"SECRET\")");
    CHECK_Q("class:TS", "(class \"TOP SECRET\")");
    CHECK_Q("class:top-secret", "(class \"TOP SECRET\")");
    CHECK_Q("class:\"Top  Secret\"", "(class \"TOP SECRET\")");
    CHECK_Q("class:unclassified korea",
            "(and (class \"UNCLASSIFIED\") (term \"korea\" \"korea\"))");
    CHECK_Q("date:1950..1953", "(date \"1950-01-01\" \"1953-12-31\")");
    CHECK_Q("date:1950-10..1951", "(date \"1950-10-01\" \"1951-12-31\")");
    CHECK_Q("date:1959-07-01", "(date \"1959-07-01\" \"1959-07-01\")");
    CHECK_Q("date:1959-7-1", "(date \"1959-07-01\" \"1959-07-01\")");
    CHECK_Q("date:..1953", "(date * \"1953-12-31\")");
    CHECK_Q("date:1950..", "(date \"1950-01-01\" *)");
    CHECK_Q("date:1960-02", "(date \"1960-02-01\" \"1960-02-29\")");
    CHECK_Q("date:1959-02", "(date \"1959-02-01\" \"1959-02-28\")");
    CHECK_Q("date:1950-10-07..1950-10-07", "(date \"1950-10-07\" \"1950-10-07\")");
    CHECK_Q("cites:\"NSC 5817\"", "(cites \"NSC 5817\")");
    CHECK_Q("cites:\"  NSC   5817 \"", "(cites \"NSC 5817\")");
    CHECK_Q("cites:237", "(cites \"237\")");
    CHECK_Q("collection:frus1958-60v18", "(collection \"frus1958-60v18\")");
    CHECK_Q("korea class:secret date:1950..1953 -cites:\"NSC 68\"",
            "(and (term \"korea\" \"korea\") (class \"SECRET\") "
            "(date \"1950-01-01\" \"1953-12-31\") (not (cites \"NSC 68\")))");
    CHECK_Q("date:1950 OR date:1953", "(or (date \"1950-01-01\" \"1950-12-31\") "
                                      "(date \"1953-01-01\" \"1953-12-31\"))");
}

static void test_dropped(void)
{
    /* Terms that analyze to nothing are dropped, with their operators. */
    CHECK_Q("korea —", "(term \"korea\" \"korea\")");
    CHECK_Q("— OR korea", "(term \"korea\" \"korea\")");
    CHECK_Q("korea -—", "(term \"korea\" \"korea\")");
    CHECK_Q("korea () \"\" \"—\" *", "(term \"korea\" \"korea\")");
    CHECK_Q("korea title:—", "(term \"korea\" \"korea\")");
    CHECK_Q("(— OR —) korea", "(term \"korea\" \"korea\")");
}

static void test_errors(void)
{
    CHECK_ERR("", DC_PARSE, "empty query");
    CHECK_ERR("   \t\n", DC_PARSE, "empty query");
    CHECK_ERR("—", DC_PARSE, "empty query");
    CHECK_ERR("() \"\"", DC_PARSE, "empty query");
    CHECK_ERR("-foo", DC_PARSE, "a query cannot consist only of excluded terms");
    CHECK_ERR("NOT foo -bar", DC_PARSE, "a query cannot consist only of excluded terms");
    CHECK_ERR("-title:korea", DC_PARSE, "cannot consist only of excluded terms");
    CHECK_ERR("-(-a -b)", DC_PARSE, "cannot consist only of excluded terms");
    CHECK_ERR("c -(-a -b)", DC_PARSE, "the group at column 4 cannot consist only of excluded");
    CHECK_ERR("a OR -b", DC_PARSE, "the alternative at column 6 of OR");
    CHECK_ERR("(korea", DC_PARSE, "unbalanced parenthesis: '(' at column 1 is not closed");
    CHECK_ERR("a (b (c)", DC_PARSE, "'(' at column 3 is not closed");
    CHECK_ERR("korea)", DC_PARSE, "unbalanced parenthesis: ')' at column 6 has no matching");
    CHECK_ERR("\"nsc 5907", DC_PARSE, "unbalanced quote: the quote at column 1 is not closed");
    /* Columns count characters, not bytes. */
    CHECK_ERR("Año \"x", DC_PARSE, "quote at column 5 is not closed");
    CHECK_ERR("\"a\" (\"b)\"", DC_PARSE, "'(' at column 5 is not closed");
    CHECK_ERR("a OR", DC_PARSE, "OR at column 3 needs a term after it");
    CHECK_ERR("OR a", DC_PARSE, "OR at column 1 needs a term before it");
    CHECK_ERR("(OR a)", DC_PARSE, "OR at column 2 needs a term before it");
    CHECK_ERR("a OR OR b", DC_PARSE, "OR at column 3 needs a term after it");
    CHECK_ERR("AND a", DC_PARSE, "AND at column 1 needs a term before it");
    CHECK_ERR("a AND", DC_PARSE, "AND at column 3 needs a term after it");
    CHECK_ERR("a AND OR b", DC_PARSE, "AND at column 3 needs a term after it");
    CHECK_ERR("a OR AND b", DC_PARSE, "AND at column 6 needs a term before it");
    CHECK_ERR("korea NOT", DC_PARSE, "NOT at column 7 needs a term after it");
    CHECK_ERR("a -OR b", DC_PARSE, "'-' at column 3 needs a term after it");
    CHECK_ERR("title:", DC_PARSE, "title: at column 1 needs a word, phrase or group");
    CHECK_ERR("korea person:)", DC_PARSE, "has no matching");
    CHECK_ERR("korea (person:)", DC_PARSE, "person: at column 8 needs a word");
    CHECK_ERR("date:", DC_PARSE, "date: at column 1 needs a value");
    CHECK_ERR("cites:", DC_PARSE, "cites: at column 1 needs a value");
    CHECK_ERR("cites:\" \"", DC_PARSE, "cites: at column 1 needs a value");
    CHECK_ERR("collection:(x)", DC_PARSE, "collection: at column 1 needs a value");
    CHECK_ERR("class:foo", DC_PARSE, "unknown classification level \"foo\" at column 1");
    CHECK_ERR("a class:top secret", DC_PARSE, "unknown classification level \"top\" at column 3");
    CHECK_ERR("date:1953..1950", DC_PARSE, "bad date range \"1953..1950\" at column 1");
    CHECK_ERR("date:1950-13", DC_PARSE, "bad date \"1950-13\"");
    CHECK_ERR("date:1959-02-29", DC_PARSE, "bad date");
    CHECK_ERR("date:1950-1953", DC_PARSE, "bad date");
    CHECK_ERR("date:..", DC_PARSE, "bad date");
    CHECK_ERR("date:50", DC_PARSE, "bad date");
    CHECK_ERR("date:1950..1951..1952", DC_PARSE, "bad date");
    CHECK_ERR("date:june", DC_PARSE, "bad date");
    CHECK_ERR("u.s*", DC_PARSE, "a prefix must be a single word");
    CHECK_ERR("ab\xFF", DC_PARSE, "not valid UTF-8 (column 3)");
    CHECK_ERR("\xE2\x80", DC_PARSE, "not valid UTF-8");
    dc_query *q = (dc_query *)1;
    CHECK_INT(dc_query_parse(NULL, "a", 1, &q, NULL), DC_MISUSE);
    CHECK(q == NULL);
    CHECK_INT(dc_query_parse(an, NULL, 1, &q, NULL), DC_MISUSE);
    CHECK_INT(dc_query_parse(an, "a", 1, NULL, NULL), DC_MISUSE);
    CHECK_INT(dc_query_parse(an, NULL, 0, &q, NULL), DC_PARSE);
    CHECK_INT(dc_query_parse(an, "-a", 2, &q, NULL), DC_PARSE); /* err may be NULL */
    dc_query_free(NULL);
    CHECK(dc_query_root(NULL) == NULL);
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(dc_query_to_string(NULL, &b), DC_MISUSE);
    dc_buf_release(&b);
}

static void test_limits(void)
{
    char q[DC_QUERY_MAX_LEN + 8];
    /* Length. */
    memset(q, 'a', sizeof q);
    check_err(__LINE__, q, DC_QUERY_MAX_LEN + 1, DC_LIMIT, "longer than 4096 bytes");
    char *got = parse(q, DC_QUERY_MAX_LEN); /* one long word: truncated to DC_TERM_MAX */
    CHECK(strncmp(got, "(term \"aaaa", 11) == 0);
    free(got);
    /* Depth: 32 nested groups pass, 33 do not. */
    size_t n = 0;
    for (int i = 0; i < 32; i++) q[n++] = '(';
    q[n++] = 'x';
    for (int i = 0; i < 32; i++) q[n++] = ')';
    got = parse(q, n);
    CHECK_STR(got, "(term \"x\" \"x\")");
    free(got);
    n = 0;
    for (int i = 0; i < 33; i++) q[n++] = '(';
    q[n++] = 'x';
    for (int i = 0; i < 33; i++) q[n++] = ')';
    check_err(__LINE__, q, n, DC_LIMIT, "nests deeper than 32 levels");
    /* NOT chains and fields count as nesting too. */
    n = 0;
    q[n++] = 'y';
    for (int i = 0; i < 33; i++) memcpy(q + n, " NOT", 4), n += 4;
    memcpy(q + n, " x", 2), n += 2;
    check_err(__LINE__, q, n, DC_LIMIT, "nests deeper");
    n = 0;
    for (int i = 0; i < 20; i++) memcpy(q + n, "NOT ", 4), n += 4;
    for (int i = 0; i < 20; i++) q[n++] = '(';
    q[n++] = 'x';
    for (int i = 0; i < 20; i++) q[n++] = ')';
    check_err(__LINE__, q, n, DC_LIMIT, "nests deeper");
    n = 0;
    for (int i = 0; i < 40; i++) memcpy(q + n, "title:", 6), n += 6;
    q[n++] = 'x';
    check_err(__LINE__, q, n, DC_LIMIT, "nests deeper");
    /* Terms: 256 pass, 257 do not; phrase tokens count. */
    n = 0;
    for (int i = 0; i < 256; i++) memcpy(q + n, "ab ", 3), n += 3;
    got = parse(q, n);
    CHECK(strncmp(got, "(and ", 5) == 0);
    free(got);
    memcpy(q + n, "ab", 2);
    check_err(__LINE__, q, n + 2, DC_LIMIT, "more than 256 terms");
    n = 0;
    q[n++] = '"';
    for (int i = 0; i < 300; i++) memcpy(q + n, "a ", 2), n += 2;
    q[n++] = '"';
    check_err(__LINE__, q, n, DC_LIMIT, "more than 256 terms");
    n = 0;
    for (int i = 0; i < 257; i++) memcpy(q + n, "date:1950 ", 10), n += 10;
    check_err(__LINE__, q, n, DC_LIMIT, "more than 256 terms");
}

/* Checks the guarantees of declass/query.h; returns 0 on a violation. */
static int valid_tree(const dc_qnode *n, const dc_qnode *parent)
{
    switch (n->kind) {
    case DC_Q_TERM:
    case DC_Q_PREFIX:
        if (n->n_terms != 1 || !n->terms) return 0;
        break;
    case DC_Q_PHRASE:
        if (n->n_terms < 2 || n->exact) return 0;
        break;
    case DC_Q_AND:
    case DC_Q_OR: {
        if (n->n_kids < 2) return 0;
        int pos = 0;
        for (size_t i = 0; i < n->n_kids; i++) {
            if (n->kids[i]->kind == n->kind) return 0;
            pos |= n->kids[i]->kind != DC_Q_NOT;
            if (n->kind == DC_Q_OR && n->kids[i]->kind == DC_Q_NOT) return 0;
        }
        if (!pos) return 0;
        break;
    }
    case DC_Q_NOT:
        if (n->n_kids != 1 || n->kids[0]->kind == DC_Q_NOT) return 0;
        if (!parent || parent->kind != DC_Q_AND) return 0;
        break;
    case DC_Q_DATE:
        if (!n->from[0] && !n->to[0]) return 0;
        break;
    case DC_Q_CLASS:
        if (n->level < DC_UNCLASSIFIED || n->level > DC_TOP_SECRET) return 0;
        break;
    case DC_Q_CITES:
    case DC_Q_COLLECTION:
        if (!n->value || n->value_len == 0 || strlen(n->value) != n->value_len) return 0;
        break;
    }
    for (size_t i = 0; i < n->n_terms; i++) {
        const dc_qterm *t = &n->terms[i];
        if (!t->term || t->len == 0 || t->len > DC_TERM_MAX || strlen(t->term) != t->len ||
            !t->stem || strlen(t->stem) != t->stem_len)
            return 0;
        if (n->kind == DC_Q_PREFIX && strcmp(t->term, t->stem) != 0) return 0;
    }
    for (size_t i = 0; i < n->n_kids; i++)
        if (!valid_tree(n->kids[i], n)) return 0;
    return 1;
}

/* Random byte strings and random soups of query tokens: the parser never
 * crashes or leaks (ASan) and returns only DC_OK, DC_PARSE or DC_LIMIT;
 * every tree it returns keeps the guarantees and prints. */
static void test_random(void)
{
    static const char *const soup[] = {
        "korea", "NSC", "5907", "\"", "(", ")", "-", " ", "  ", "OR", "AND", "NOT", "*",
        "title:", "person:", "class:", "date:", "cites:", "collection:", "secret", "1950",
        "..", "1953-07", "—", "’s", "“", "”", "U.S.", "x:", ":", "é", "\xFF", "\t", "top secret",
        "-(", "2102–b", "negotiat*", "\"nsc 5817\"", "Año", "--"};
    unsigned seed = 2024;
    int bad_rc = 0, bad_tree = 0, bad_msg = 0, ok = 0;
    char q[600];
    dc_buf b;
    dc_buf_init(&b, 0);
    for (int iter = 0; iter < 100000; iter++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        int k = (int)(seed >> 16) % 40;
        for (int j = 0; j < k; j++) {
            seed = seed * 1103515245u + 12345u;
            if (iter % 4 == 0) {
                q[n++] = (char)(seed >> 16);
            } else {
                const char *s = soup[(seed >> 16) % (sizeof soup / sizeof soup[0])];
                size_t sl = strlen(s);
                if (n + sl >= sizeof q) break;
                memcpy(q + n, s, sl);
                n += sl;
            }
        }
        dc_query *query = NULL;
        dc_error err = {DC_OK, 0, ""};
        dc_rc rc = dc_query_parse(an, q, n, &query, &err);
        if (rc == DC_OK) {
            ok++;
            if (!valid_tree(dc_query_root(query), NULL)) bad_tree++;
            dc_buf_reset(&b);
            if (dc_query_to_string(query, &b) != DC_OK || b.len == 0) bad_tree++;
            dc_query_free(query);
        } else if (rc != DC_PARSE && rc != DC_LIMIT) {
            bad_rc++;
            fprintf(stderr, "rc %d for \"%.*s\": %s\n", rc, (int)n, q, err.msg);
        } else if (!err.msg[0] || query != NULL) {
            bad_msg++;
        }
    }
    dc_buf_release(&b);
    CHECK_INT(bad_rc, 0);
    CHECK_INT(bad_tree, 0);
    CHECK_INT(bad_msg, 0);
    CHECK(ok > 1000); /* the soup does produce valid queries */
}

int main(void)
{
    CHECK_INT(dc_analyzer_new(&an), DC_OK);
    if (!an) return TEST_DONE();
    test_basics();
    test_operators();
    test_fields();
    test_dropped();
    test_errors();
    test_limits();
    test_random();
    dc_analyzer_free(an);
    return TEST_DONE();
}
