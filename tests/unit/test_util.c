/* Unit tests: src/util (buffers, string vectors, UTF-8, file reading). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "declass/util.h"
#include "test.h"
#include "util/util_int.h"

static void test_buf(void)
{
    dc_buf b;
    dc_buf_init(&b, 16);
    dc_buf_puts(&b, "abc");
    dc_buf_printf(&b, "-%d-", 42);
    CHECK_STR(b.p, "abc-42-");
    CHECK_INT(b.len, 7);
    dc_buf_puts(&b, "0123456789"); /* 17 bytes: over the cap */
    CHECK_INT(b.rc, DC_LIMIT);
    CHECK_STR(b.p, "abc-42-");      /* nothing of the refused append */
    dc_buf_puts(&b, "x");           /* sticky: a no-op */
    CHECK_INT(b.len, 7);
    CHECK(dc_buf_detach(&b) == NULL);
    dc_buf_release(&b);

    dc_buf_init(&b, 0);
    for (int i = 0; i < 1000; i++) dc_buf_printf(&b, "%04d", i);
    CHECK_INT(b.len, 4000);
    CHECK(b.p[3999] == '9' && b.p[4000] == '\0');
    char *s = dc_buf_detach(&b);
    CHECK(s && strncmp(s, "00000001", 8) == 0);
    CHECK(b.p == NULL && b.len == 0);
    dc_free(s);
    dc_buf_release(&b);
}

static void test_strv(void)
{
    dc_strv v = {0};
    CHECK_INT(dc_strv_push(&v, "a"), DC_OK);
    CHECK_INT(dc_strv_add_unique(&v, "a"), DC_OK);
    CHECK_INT(dc_strv_add_unique(&v, "b"), DC_OK);
    CHECK_INT(v.n, 2);
    CHECK(dc_strv_contains(&v, "b"));
    CHECK(!dc_strv_contains(&v, "c"));
    /* same first byte, then not; the empty string */
    CHECK_INT(dc_strv_add_unique(&v, "bc"), DC_OK);
    CHECK_INT(dc_strv_add_unique(&v, "bd"), DC_OK);
    CHECK_INT(dc_strv_add_unique(&v, "bd"), DC_OK);
    CHECK_INT(v.n, 4);
    CHECK(dc_strv_contains(&v, "bd") && !dc_strv_contains(&v, "be") && !dc_strv_contains(&v, ""));
    CHECK_INT(dc_strv_add_unique(&v, ""), DC_OK);
    CHECK(dc_strv_contains(&v, ""));
    dc_strv_release(&v);
    CHECK(v.n == 0 && v.v == NULL);
}

/* DC_GROW: geometric growth, overflow refused with the array kept. */
static void test_grow(void)
{
    int *v = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        CHECK_INT(DC_GROW(v, n + 1, cap), DC_OK);
        v[n++] = i;
    }
    CHECK(cap >= 1000 && cap < 4000);
    CHECK_INT(v[999], 999);
    CHECK_INT(DC_GROW(v, 10, cap), DC_OK); /* room already: no change */
    size_t old = cap;
    int *keep = v;
    CHECK_INT(DC_GROW(v, (size_t)-1 / 2, cap), DC_NOMEM); /* bytes overflow */
    CHECK(v == keep && cap == old);
    CHECK_INT(v[500], 500);
    free(v);
}

/* The calendar of util/date.c. */
static void test_date(void)
{
    CHECK_STR(dc_month_name(1), "January");
    CHECK_STR(dc_month_name(12), "December");
    CHECK(dc_month_name(0) == NULL && dc_month_name(13) == NULL);
    CHECK(dc_is_leap_year(2000) && dc_is_leap_year(1960) && !dc_is_leap_year(1900));
    CHECK_INT(dc_days_in_month(1959, 2), 28);
    CHECK_INT(dc_days_in_month(1960, 2), 29);
    CHECK_INT(dc_days_in_month(1960, 9), 30);
    CHECK_INT(dc_days_in_month(1960, 13), 0);
    size_t len = 0;
    CHECK_INT(dc_month_at("July 1, 1959", 12, &len), 7);
    CHECK_INT(len, 4);
    CHECK_INT(dc_month_at("Sept. 3", 7, &len), 9);
    CHECK_INT(len, 5);
    CHECK_INT(dc_month_at("Oct. 3", 6, &len), 10);
    CHECK_INT(len, 4);
    CHECK_INT(dc_month_at("May", 3, &len), 5);
    CHECK_INT(dc_month_at("Mayor", 5, &len), 0);
    CHECK_INT(dc_month_at("july", 4, &len), 0);
    long day = 0;
    CHECK_INT((int)dc_day_at("3rd April", 9, &day), 3);
    CHECK_INT((int)day, 3);
    CHECK_INT((int)dc_day_at("3d, 1865", 8, &day), 2);
    CHECK_INT((int)day, 3);
    CHECK_INT((int)dc_day_at("21st", 4, &day), 4);
    CHECK_INT((int)day, 21);
    CHECK_INT((int)dc_day_at("12th", 4, &day), 4);
    CHECK_INT((int)dc_day_at("2nd,", 4, &day), 3);
    CHECK_INT((int)day, 2);
    CHECK_INT((int)dc_day_at("5, 1959", 7, &day), 1);
    CHECK_INT((int)day, 5);
    day = -1;
    CHECK_INT((int)dc_day_at("123", 3, &day), 0);
    CHECK_INT((int)dc_day_at("3rdly", 5, &day), 0);
    CHECK_INT((int)dc_day_at("3x", 2, &day), 0);
    CHECK_INT((int)dc_day_at("x3", 2, &day), 0);
    CHECK_INT((int)day, -1);
    CHECK_INT(dc_month_word("JULY", 4), 7);
    CHECK_INT(dc_month_word("sept", 4), 9);
    CHECK_INT(dc_month_word("Feb", 3), 2);
    CHECK_INT(dc_month_word("Ju", 2), 0);
    CHECK_INT(dc_month_word("Janu", 4), 0);
    int y, m, d;
    CHECK(dc_date_parse("1959-10-08", 10, &y, &m, &d) && y == 1959 && m == 10 && d == 8);
    CHECK(dc_date_parse("1959-10", 7, &y, &m, &d) && m == 10 && d == 0);
    CHECK(dc_date_parse("1959", 4, &y, &m, &d) && y == 1959 && m == 0);
    CHECK(!dc_date_parse("1959-13", 7, &y, &m, &d));
    CHECK(!dc_date_parse("1959-1-08", 9, &y, &m, &d));
    CHECK(!dc_date_parse("1959-10-32", 10, &y, &m, &d));
    char iso[11];
    dc_date_iso(iso, 1959, 7, 1);
    CHECK_STR(iso, "1959-07-01");
    char now[32];
    CHECK(dc_utc_now(now, sizeof now, 1) && strlen(now) == 20 && now[19] == 'Z');
    CHECK(!dc_utc_now(now, 5, 0));
    /* dc_utc_time against gmtime_r and strftime, a day and a few seconds
     * at a time from 1970 to 2400 (leap years, centuries, 2000), and the
     * ends of the range. */
    int bad = 0;
    for (long long t = 0; t < 13569465600LL; t += 86400 * 7 + 3917) {
        time_t tt = (time_t)t;
        struct tm tm;
        char want[32], got[32];
        if (!gmtime_r(&tt, &tm) || !strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm)) bad++;
        else if (!dc_utc_time(t, got, sizeof got, 1) || strcmp(got, want) != 0) bad++;
    }
    CHECK_INT(bad, 0);
    CHECK(dc_utc_time(951782400, now, sizeof now, 0));
    CHECK_STR(now, "2000-02-29");
    CHECK(dc_utc_time(253402300799LL, now, sizeof now, 1));
    CHECK_STR(now, "9999-12-31T23:59:59Z");
    CHECK(!dc_utc_time(253402300800LL, now, sizeof now, 1));
    CHECK(!dc_utc_time(-1, now, sizeof now, 1));
    CHECK(!dc_utc_time(0, now, 20, 1));
}

/* The escaper of util/xml.c in its forms. */
static void xml(const char *s, unsigned flags, const char *want)
{
    dc_buf b;
    dc_buf_init(&b, 0);
    dc_buf_xml_escape(&b, s, strlen(s), flags);
    CHECK_STR(b.p ? b.p : "", want);
    dc_buf_release(&b);
}

static void test_xml(void)
{
    const char *s = "a<b>&\"c\"'d'\te\nf\x01g\x7f\xC3\xA9\xFF\xEF\xBF\xBE";
    xml(s, 0, "a&lt;b&gt;&amp;\"c\"'d' e f g \xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
    xml(s, DC_XML_QUOT, "a&lt;b&gt;&amp;&quot;c&quot;'d' e f g \xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
    xml(s, DC_XML_NL_KEEP, "a&lt;b&gt;&amp;\"c\"'d' e\nf g \xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
    xml(s, DC_XML_HTML,
        "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;\te fg\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
    xml(s, DC_XML_HTML | DC_XML_NL_BR,
        "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;\te<br/>fg\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
    xml("", DC_XML_HTML, "");
}

static void test_utf8(void)
{
    size_t bad = 99;
    CHECK(dc_utf8_valid("plain", 5, &bad));
    CHECK(dc_utf8_valid("10\xE2\x80\x93" "750", 8, &bad)); /* en dash */
    CHECK(!dc_utf8_valid("ab\xC3\x28", 4, &bad));
    CHECK_INT(bad, 2);
    CHECK(!dc_utf8_valid("\xC0\xAF", 2, &bad)); /* overlong '/' */
    CHECK_INT(bad, 0);
    CHECK(!dc_utf8_valid("\xED\xA0\x80", 3, &bad)); /* surrogate */
    CHECK(!dc_utf8_valid("\xF4\x90\x80\x80", 4, &bad)); /* > U+10FFFF */
    CHECK(!dc_utf8_valid("\xE2\x80", 2, &bad));         /* truncated */
    unsigned cp = 0;
    CHECK_INT(dc_utf8_decode("\xE2\x80\x99", 3, &cp), 3);
    CHECK_INT(cp, 0x2019);
}

static void test_read_file(void)
{
    char dir[] = "/tmp/dc_util_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/f.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("hello\n", f);
    fclose(f);
    char *data = NULL;
    size_t len = 0;
    dc_error err = {0};
    CHECK_INT(dc_read_file(path, 100, &data, &len, &err), DC_OK);
    CHECK_STR(data, "hello\n");
    CHECK_INT(len, 6);
    dc_free(data);
    CHECK_INT(dc_read_file(path, 3, &data, &len, &err), DC_LIMIT);
    CHECK(data == NULL);
    CHECK_INT(dc_read_file(dir, 100, &data, &len, &err), DC_IO);
    CHECK_STR(err.msg, "not a regular file");
    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK_INT(dc_read_file(path, 100, &data, &len, &err), DC_IO);
    CHECK(strstr(err.msg, "No such file") != NULL);
    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK(mkfifo(path, 0600) == 0);
    CHECK_INT(dc_read_file(path, 100, &data, &len, &err), DC_IO); /* never blocks */
    unlink(path);
    snprintf(path, sizeof path, "%s/f.txt", dir);
    unlink(path);
    rmdir(dir);
}

/* The JSON writer: shapes, both layouts, escapes, numbers, depth. */
static void test_json(void)
{
    dc_buf b;
    for (int pretty = 0; pretty < 2; pretty++) {
        dc_buf_init(&b, 0);
        dc_json j;
        dc_json_init(&j, &b, pretty);
        dc_json_obj(&j);
        dc_json_kstr(&j, "s", "a\"b\n\x01");
        dc_json_kint(&j, "i", -42);
        dc_json_knum(&j, "x", 0.1);
        dc_json_kbool(&j, "t", 1);
        dc_json_key(&j, "n");
        dc_json_null(&j);
        dc_json_key(&j, "a");
        dc_json_arr(&j);
        dc_json_str(&j, NULL);
        dc_json_int(&j, 1);
        dc_json_obj(&j);
        dc_json_end(&j);
        dc_json_arr(&j);
        dc_json_end(&j);
        dc_json_end(&j);
        dc_json_key(&j, "o");
        dc_json_obj(&j);
        dc_json_kint(&j, "k", 1000000000000000LL);
        dc_json_end(&j);
        dc_json_end(&j);
        CHECK_INT(b.rc, DC_OK);
        CHECK_STR(b.p, pretty ? "{\n\t\"s\":\t\"a\\\"b\\n\\u0001\",\n\t\"i\":\t-42,\n"
                                "\t\"x\":\t0.1,\n\t\"t\":\ttrue,\n\t\"n\":\tnull,\n"
                                "\t\"a\":\t[null, 1, {\n\t\t}, []],\n"
                                "\t\"o\":\t{\n\t\t\"k\":\t1e+15\n\t}\n}"
                              : "{\"s\":\"a\\\"b\\n\\u0001\",\"i\":-42,\"x\":0.1,\"t\":true,"
                                "\"n\":null,\"a\":[null,1,{},[]],\"o\":{\"k\":1e+15}}");
        dc_buf_release(&b);
    }
    /* numbers as cJSON prints them; too deep is DC_LIMIT */
    dc_buf_init(&b, 0);
    dc_buf_json_num(&b, 1.0 / 3);
    dc_buf_putc(&b, ' ');
    dc_buf_json_num(&b, 1e300 * 1e300);
    CHECK_STR(b.p, "0.33333333333333331 null");
    /* integers as "%lld" prints them, at the edges of the fast path */
    const double ints[] = {0, -0.0, 7, -7, 10, 999999999999999, -999999999999999, 1e15, -1e15};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        char want[40];
        if (fabs(ints[i]) < 1e15)
            snprintf(want, sizeof want, "%lld", (long long)ints[i]);
        else
            snprintf(want, sizeof want, "%1.15g", ints[i]);
        dc_buf_reset(&b);
        dc_buf_json_num(&b, ints[i]);
        CHECK_STR(b.p, want);
    }
    dc_buf_reset(&b);
    dc_json jn;
    dc_json_init(&jn, &b, 0);
    dc_json_arr(&jn);
    const long long lls[] = {0, -1, 999999999999999LL, -999999999999999LL, LLONG_MIN, LLONG_MAX};
    for (size_t i = 0; i < sizeof lls / sizeof *lls; i++) dc_json_int(&jn, lls[i]);
    dc_json_end(&jn);
    CHECK_STR(b.p, "[0,-1,999999999999999,-999999999999999,-9.2233720368547758e+18,"
                   "9.2233720368547758e+18]");
    dc_buf_reset(&b);
    dc_json j;
    dc_json_init(&j, &b, 0);
    for (int i = 0; i < DC_JSON_MAX_DEPTH + 1; i++) dc_json_arr(&j);
    CHECK_INT(b.rc, DC_LIMIT);
    dc_buf_release(&b);
}

/* 1 if the reader accepts text, 0 if it refuses it as DC_CORRUPT.  That
 * what it accepts is what cJSON reads, and reads back the same once
 * written, is fuzz_json's to check. */
static int json_ok(const char *text, size_t len)
{
    dc_jdoc d;
    dc_rc rc = dc_jparse(text, len, &d);
    if (rc == DC_OK) dc_jdoc_free(&d);
    return rc == DC_OK ? 1 : rc == DC_CORRUPT ? 0 : -1;
}

/* A byte to escape at every offset of a string (the scans take 16 and 8
 * bytes at a time) among bytes above 0x7f, which need none: written, then
 * read back the same. */
static void test_json_escape_offsets(void)
{
    static const char specials[] = {'"', '\\', '\n', 0x01, 0x1f};
    static const char filler[] = "a\xc3\xa9\xe2\x80\x94z\x7f";
    char s[80];
    for (size_t c = 0; c <= sizeof specials; c++)
        for (size_t k = 0; k < 40; k++) {
            size_t n = 0;
            for (size_t i = 0; i < k; i++) s[n++] = filler[i % (sizeof filler - 1)];
            if (c < sizeof specials) s[n++] = specials[c];
            for (size_t i = 0; i < 20; i++) s[n++] = 'b';
            s[n] = '\0';
            dc_buf b;
            dc_buf_init(&b, 0);
            dc_buf_json_str(&b, s);
            CHECK_INT(b.rc, DC_OK);
            /* nothing escaped but the special byte */
            CHECK_INT(b.len, n + 2 + (c == sizeof specials ? 0 : c < 3 ? 1 : 5));
            dc_jdoc d;
            CHECK_INT(dc_jparse(b.p, b.len, &d), DC_OK);
            CHECK_STR(d.root->str, s);
            dc_jdoc_free(&d);
            dc_buf_release(&b);
        }
}

static void test_json_read(void)
{
    static const char *good[] = {
        "{}", "[]", " [ 1 , -0 , 2.5e3 , 1E-2 , -12345678901234567890 , 0.1 ] ",
        "{\"a\":{\"b\":[true,false,null,\"\"]},\"c\":\"x\"}",
        "\"\\\"\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00 \xc3\xa9\"",
        "123456789012345", "1234567890123456", "-1.5", "{\"k\":1,\"k2\":{}}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_INT(json_ok(good[i], strlen(good[i])), 1);
    static const char *bad[] = {
        "",        "{\"a\":1,}", "[1 2]",   "\"\x01\"",       "{\"a\" 1}", "01",
        "1.",      ".5",         "-",       "\"\\ud800\"", "\"\\udc00\"", "tru",
        "[",       "{} x",       "\"abc",   "\"\\q\"",     "\"\\u12G4\"", "+1",
        "{1:2}",   "[,]",        "nul",     "[1,]",           "\"\\ud800\\u0041\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(json_ok(bad[i], strlen(bad[i])), 0);
    /* depth: DC_JV_DEPTH nested arrays are read, one more is refused */
    char deep[2 * DC_JV_DEPTH + 3];
    for (int extra = 0; extra < 2; extra++) {
        int n = DC_JV_DEPTH + extra;
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        CHECK_INT(json_ok(deep, 2 * (size_t)n), extra ? 0 : 1);
    }
    /* a lookup finds members in any order, and a member's hint wraps */
    dc_jdoc d;
    const char *obj = "{\"a\":1,\"b\":2,\"c\":3}";
    CHECK_INT(dc_jparse(obj, strlen(obj), &d), DC_OK);
    CHECK(dc_jget(d.root, "c")->num == 3 && dc_jget(d.root, "a")->num == 1);
    CHECK(dc_jget(d.root, "b")->num == 2 && dc_jget(d.root, "b")->num == 2);
    CHECK(dc_jget(d.root, "z") == NULL && dc_jat(d.root, 0) == NULL);
    dc_jdoc_free(&d);
    /* names whose first bytes agree (the same bit of the object's keys),
     * one-byte names, and a name no member has */
    const char *names = "{\"withheld\":true,\"w\":1,\"\":2,\"wa\":3}";
    CHECK_INT(dc_jparse(names, strlen(names), &d), DC_OK);
    CHECK(dc_jget(d.root, "withheld_reason") == NULL && dc_jget(d.root, "withheld") != NULL);
    CHECK(dc_jget(d.root, "w")->num == 1 && dc_jget(d.root, "")->num == 2);
    CHECK(dc_jget(d.root, "wa")->num == 3 && dc_jget(d.root, "wb") == NULL);
    CHECK(dc_jget(d.root, "with") == NULL && dc_jget(d.root, "x") == NULL);
    dc_jdoc_free(&d);
    /* what the reader makes of escapes and numbers */
    const char *esc = "[\"a\\\"\\u00e9\\ud83d\\ude00\\n\",-0.5e1,12345678901234567]";
    CHECK_INT(dc_jparse(esc, strlen(esc), &d), DC_OK);
    CHECK_STR(dc_jat(d.root, 0)->str, "a\"\xc3\xa9\xf0\x9f\x98\x80\n");
    CHECK(dc_jat(d.root, 1)->num == -5 && dc_jat(d.root, 2)->num == 12345678901234567.0);
    CHECK(d.root->n == 3 && dc_jat(d.root, 3) == NULL);
    dc_jdoc_free(&d);
    /* editing: a member set moves to the end, as cJSON's delete and add */
    const char *rec = "{\"a\":1,\"b\":[2],\"c\":null}";
    CHECK_INT(dc_jparse(rec, strlen(rec), &d), DC_OK);
    CHECK(dc_jget(d.root, "c") != NULL); /* the lookup's hint now past "c" */
    CHECK_INT(dc_jset(&d, d.root, "a", dc_jnew_str(&d, "x\"y")), DC_OK);
    dc_jdel(d.root, "c");
    dc_jpush((dc_jv *)dc_jget(d.root, "b"), dc_jnew_num(&d, 2.5));
    dc_jv *o = dc_jnew(&d, DC_JV_OBJECT);
    CHECK_INT(dc_jset(&d, o, "t", dc_jnew(&d, DC_JV_TRUE)), DC_OK);
    CHECK(dc_jget(o, "t") != NULL && dc_jget(o, "u") == NULL); /* a member set is found */
    CHECK_INT(dc_jset(&d, d.root, "o", o), DC_OK);
    CHECK(dc_jget(d.root, "c") == NULL && d.root->n == 3);
    dc_buf b;
    dc_json j;
    dc_buf_init(&b, 0);
    dc_json_init(&j, &b, 0);
    dc_json_value(&j, d.root);
    CHECK_STR(b.p, "{\"b\":[2,2.5],\"a\":\"x\\\"y\",\"o\":{\"t\":true}}");
    dc_buf_release(&b);
    dc_jdoc_free(&d);
}

int main(void)
{
    test_json();
    test_json_escape_offsets();
    test_json_read();
    test_buf();
    test_strv();
    test_grow();
    test_date();
    test_xml();
    test_utf8();
    test_read_file();
    CHECK_STR(dc_strerror(DC_NOTFOUND), "not found");
    return TEST_DONE();
}
