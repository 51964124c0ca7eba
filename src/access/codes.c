/*
 * Access control: the exemption codes a withholding may cite, and whether
 * a code needs a declassification date or event (docs/review.md,
 * "Codes").  EO 13526 §3.3(b) lets an agency exempt information from
 * automatic declassification at 25 years under nine categories (25X1 ..
 * 25X9) with a date or event; §3.3(h) the same at 50 years (50X1 ..
 * 50X9) and 75 years (75X1 .. 75X9); 50X1-HUM (a confidential human
 * source) and 50X2-WMD (key design concepts of weapons of mass
 * destruction) stand without a date (32 CFR 2001.26(a)).  FOIA's
 * exemptions (5 U.S.C. 552(b)(1)..(9), (b)(7)(A)..(F)) cite the statute,
 * not the order; Restricted Data, Formerly Restricted Data and
 * Transclassified Foreign Nuclear Information (Atomic Energy Act) are
 * outside the order's automatic declassification (§6.2(a)): neither
 * takes a date.
 */
#include "access/access.h"

#include <stdio.h>
#include <string.h>

#include "util/util_int.h"
#include "util/banned.h"

#define CODES_HELP                                                                               \
    "25X1..25X9, 50X1..50X9, 75X1..75X9 (with --until DATE or --event TEXT), 50X1-HUM, "         \
    "50X2-WMD, (b)(1)..(b)(9), (b)(7)(A)..(b)(7)(F), RD, FRD, TFNI, or a list such as "          \
    "\"25X1, 25X6\""

const char *dc_access_codes_help(void) { return CODES_HELP; }

/* One code c[0, n): 0 invalid, 1 valid without a date, 2 valid needing a
 * date or event. */
static int one_code(const char *c, size_t n)
{
    if (n == 4 && (strncmp(c, "25X", 3) == 0 || strncmp(c, "50X", 3) == 0 ||
                   strncmp(c, "75X", 3) == 0) &&
        c[3] >= '1' && c[3] <= '9')
        return 2;
    if ((n == 8 && strncmp(c, "50X1-HUM", 8) == 0) || (n == 8 && strncmp(c, "50X2-WMD", 8) == 0))
        return 1;
    if (n == 6 && strncmp(c, "(b)(", 4) == 0 && c[4] >= '1' && c[4] <= '9' && c[5] == ')')
        return 1;
    if (n == 9 && strncmp(c, "(b)(7)(", 7) == 0 && c[8] == ')' &&
        ((c[7] >= 'A' && c[7] <= 'F') || (c[7] >= 'a' && c[7] <= 'f')))
        return 1;
    if ((n == 2 && strncmp(c, "RD", 2) == 0) || (n == 3 && strncmp(c, "FRD", 3) == 0) ||
        (n == 4 && strncmp(c, "TFNI", 4) == 0))
        return 1;
    return 0;
}

/* Walks the list: 0 invalid (the bad item in bad[0, cap)), else 1 or 2
 * as one_code (2 if any item needs a date). */
static int walk(const char *code, char *bad, size_t cap)
{
    if (!code || !*code || strlen(code) > 200) {
        snprintf(bad, cap, "%s", code ? code : "");
        return 0;
    }
    int need = 1;
    const char *s = code;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int k = one_code(s, n);
        if (!k) {
            snprintf(bad, cap, "%.*s", (int)n, s);
            return 0;
        }
        if (k == 2) need = 2;
        if (!e) return need;
        if (e[1] != ' ' || !e[2]) {
            snprintf(bad, cap, "%s", code);
            return 0;
        }
        s = e + 2;
    }
}

int dc_access_reason_valid(const char *code)
{
    char bad[256];
    return walk(code, bad, sizeof bad) != 0;
}

int dc_access_code_check(const char *code, const char *until, const char *event, char *msg,
                         size_t cap)
{
    char bad[256];
    int k = walk(code, bad, sizeof bad);
    if (!k) {
        snprintf(msg, cap, "unknown exemption code '%s' (valid: " CODES_HELP ")", bad);
        return 1;
    }
    if (until && event) {
        snprintf(msg, cap, "give a declassification date (--until) or an event (--event), "
                           "not both");
        return 1;
    }
    int y, m, d;
    if (until && !(strlen(until) == 10 && dc_date_parse(until, 10, &y, &m, &d) && m && d &&
                   d <= dc_days_in_month(y, m))) {
        snprintf(msg, cap, "bad declassification date '%s' (YYYY-MM-DD)", until);
        return 1;
    }
    if (event && (!*event || strlen(event) > 200)) {
        snprintf(msg, cap, "the declassification event must be 1 to 200 bytes");
        return 1;
    }
    if (k == 2 && !until && !event) {
        snprintf(msg, cap, "exemption '%s' needs a declassification date (--until YYYY-MM-DD) "
                           "or event (--event TEXT) (EO 13526 section 3.3)", code);
        return 1;
    }
    if (k == 1 && (until || event)) {
        snprintf(msg, cap, "exemption '%s' takes no declassification date or event", code);
        return 1;
    }
    return 0;
}
