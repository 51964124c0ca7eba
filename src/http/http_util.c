/*
 * declass HTTP front end: escaping for HTML and URLs.
 */
#include <string.h>

#include "http_int.h"

#include "banned.h"

const char *dc_http_nonempty(const char *s) { return s && *s ? s : NULL; }

int dc_http_date_ok(const char *s)
{
    if (!s) return 1;
    size_t n = strlen(s);
    if (n != 4 && n != 7 && n != 10) return 0;
    for (size_t i = 0; i < n; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return 0;
    int m = n >= 7 ? (s[5] - '0') * 10 + (s[6] - '0') : 1;
    int d = n == 10 ? (s[8] - '0') * 10 + (s[9] - '0') : 1;
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

void dc_http_scrub(char *s, int controls)
{
    for (size_t i = 0, n = strlen(s); i < n;) {
        unsigned cp;
        size_t k = dc_utf8_decode(s + i, n - i, &cp);
        if (k == 0 || (controls && (cp < 0x20 || cp == 0x7f))) {
            memset(s + i, '?', k ? k : 1);
            i += k ? k : 1;
            continue;
        }
        i += k;
    }
}

void dc_http_url_encode(dc_buf *b, const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s) return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            dc_buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            dc_buf_add(b, e, 3);
        }
    }
}
