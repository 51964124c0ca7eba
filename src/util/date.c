/*
 * The calendar of declass: the proleptic Gregorian calendar with English
 * month names, ISO 8601 dates ("YYYY", "YYYY-MM", "YYYY-MM-DD") and the
 * clock in UTC.  Every module that reads or writes a date uses these, so a
 * date is parsed, checked and spelt one way.
 */
#include "util/util_int.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/banned.h"

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

/* The abbreviations written with a period: three letters, "Sept." four. */
static size_t abbrev_len(int m) { return m == 9 ? 4 : 3; }

const char *dc_month_name(int m) { return m >= 1 && m <= 12 ? month_names[m - 1] : NULL; }

int dc_is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int dc_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    return m == 2 && dc_is_leap_year(y) ? 29 : days[m - 1];
}

static int is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int dc_month_at(const char *s, size_t n, size_t *len)
{
    for (int m = 1; m <= 12; m++) {
        const char *name = month_names[m - 1];
        size_t l = strlen(name), a = abbrev_len(m);
        if (n >= l && memcmp(s, name, l) == 0 && (l == n || !is_letter(s[l]))) {
            *len = l;
            return m;
        }
        if (l > a && n > a && memcmp(s, name, a) == 0 && s[a] == '.') {
            *len = a + 1;
            return m;
        }
    }
    return 0;
}

size_t dc_day_at(const char *s, size_t n, long *day)
{
    size_t k = 0;
    long v = 0;
    while (k < n && k < 3 && s[k] >= '0' && s[k] <= '9') v = v * 10 + (s[k++] - '0');
    if (k == 0 || k > 2) return 0;
    static const char *const suffixes[] = {"st", "nd", "rd", "th", "d"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t l = strlen(suffixes[i]);
        if (n - k >= l && memcmp(s + k, suffixes[i], l) == 0) {
            k += l;
            break;
        }
    }
    if (k < n && ((s[k] >= '0' && s[k] <= '9') || is_letter(s[k]))) return 0;
    *day = v;
    return k;
}

int dc_month_word(const char *w, size_t n)
{
    if (n < 3) return 0;
    for (int m = 1; m <= 12; m++) {
        const char *name = month_names[m - 1];
        if (n == strlen(name) && strncasecmp(w, name, n) == 0) return m;
        if ((n == 3 || n == abbrev_len(m)) && strncasecmp(w, name, n) == 0) return m;
    }
    return 0;
}

static int two_digits(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

int dc_date_parse(const char *s, size_t n, int *y, int *m, int *d)
{
    *y = *m = *d = 0;
    if (n != 4 && n != 7 && n != 10) return 0;
    for (size_t i = 0; i < n; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9') return 0;
    int yy = two_digits(s) * 100 + two_digits(s + 2);
    int mm = n >= 7 ? two_digits(s + 5) : 0, dd = n == 10 ? two_digits(s + 8) : 0;
    if (n >= 7 && (mm < 1 || mm > 12)) return 0;
    if (n == 10 && (dd < 1 || dd > 31)) return 0;
    *y = yy, *m = mm, *d = dd;
    return 1;
}

void dc_date_iso(char out[11], int y, int m, int d)
{
    static const char dig[] = "0123456789";
    y = y < 0 ? 0 : y % 10000;
    m = m < 0 ? 0 : m % 100;
    d = d < 0 ? 0 : d % 100;
    out[0] = dig[y / 1000], out[1] = dig[y / 100 % 10], out[2] = dig[y / 10 % 10];
    out[3] = dig[y % 10], out[4] = '-', out[5] = dig[m / 10], out[6] = dig[m % 10];
    out[7] = '-', out[8] = dig[d / 10], out[9] = dig[d % 10], out[10] = '\0';
}

/* The civil date of day z since 1970-01-01 (Howard Hinnant's algorithm,
 * eras of 400 years): gmtime_r would read the time-zone file first, which
 * every command that audits would pay for a date in UTC. */
static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;                                      /* [0, 146096] */
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    long long mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int dc_utc_time(long long secs, char *out, size_t n, int with_time)
{
    if (secs < 0 || n < (with_time ? 21u : 11u)) return 0;
    int y, m, d;
    civil_from_days(secs / 86400, &y, &m, &d);
    if (y > 9999) return 0;
    dc_date_iso(out, y, m, d);
    if (with_time) { /* "THH:MM:SSZ", without snprintf: every stored row has one */
        int s = (int)(secs % 86400), f[3] = {s / 3600, s / 60 % 60, s % 60};
        char *o = out + 10;
        *o++ = 'T';
        for (int i = 0; i < 3; i++) {
            if (i) *o++ = ':';
            *o++ = (char)('0' + f[i] / 10);
            *o++ = (char)('0' + f[i] % 10);
        }
        *o++ = 'Z';
        *o = '\0';
    }
    return 1;
}

int dc_utc_now(char *out, size_t n, int with_time)
{
    time_t t = time(NULL);
    return t != (time_t)-1 && dc_utc_time((long long)t, out, n, with_time);
}
