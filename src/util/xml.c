/*
 * The one XML/HTML escaper of declass: the HTML renderer, the TEI writer,
 * the export header and the reading room's pages all escape through it, so
 * what is safe to put in a document is decided once.
 */
#include "declass/util.h"

#include <string.h>

#include "util/banned.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/*
 * The replacement of the ASCII byte c under flags: NULL to copy it, or the
 * text to write instead ("" to drop it).  Entities first, then the control
 * characters XML 1.0 forbids (newline and tab as the flags say).
 */
static const char *ascii_rep(unsigned char c, unsigned flags)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return flags & DC_XML_QUOT ? "&quot;" : NULL;
    case '\'': return flags & DC_XML_APOS ? "&#39;" : NULL;
    case '\n':
        if (flags & DC_XML_NL_BR) return "<br/>";
        return flags & DC_XML_NL_KEEP ? NULL : " ";
    case '\t': return flags & DC_XML_TAB_KEEP ? NULL : " ";
    default:
        if (c < 0x20 || c == 0x7f) return flags & DC_XML_CTRL_DROP ? "" : " ";
        return NULL;
    }
}

/* The ASCII bytes copied as they are under any flags: printable, and
 * none of & < > " '.  The text of a document is mostly these. */
#define P1(c)                                                                             \
    ((c) >= 0x20 && (c) < 0x7f && (c) != '&' && (c) != '<' && (c) != '>' && (c) != '"' && \
     (c) != '\'')
#define P4(c) P1(c), P1(c + 1), P1(c + 2), P1(c + 3)
#define P16(c) P4(c), P4(c + 4), P4(c + 8), P4(c + 12)
static const unsigned char plain[128] = {P16(0),  P16(16), P16(32), P16(48),
                                         P16(64), P16(80), P16(96), P16(112)};

void dc_buf_xml_escape(dc_buf *b, const char *s, size_t n, unsigned flags)
{
    size_t i = 0, run = 0; /* s[i - run .. i) is copied as it is */
    while (i < n) {
        size_t from = i;
        while (i < n && (unsigned char)s[i] < 0x80 && plain[(unsigned char)s[i]]) i++;
        run += i - from;
        if (i == n) break;
        unsigned char c = (unsigned char)s[i];
        const char *rep;
        size_t adv = 1;
        if (c >= 0x80) {
            unsigned cp = 0;
            adv = dc_utf8_decode(s + i, n - i, &cp);
            if (adv && cp != 0xFFFE && cp != 0xFFFF) {
                i += adv;
                run += adv;
                continue;
            }
            if (!adv) adv = 1;
            rep = REPLACEMENT;
        } else if (!(rep = ascii_rep(c, flags))) {
            i++;
            run++;
            continue;
        }
        dc_buf_add(b, s + i - run, run);
        run = 0;
        dc_buf_puts(b, rep);
        i += adv;
    }
    dc_buf_add(b, s + i - run, run);
}
