/*
 * Helpers shared by the fuzz targets (see fuzz.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int set_if_unset(char **field, const char *value)
{
    if (*field) return 1;
    *field = dc_strdup(value);
    return *field != NULL;
}

int dc_fuzz_finish_doc(dc_doc *doc)
{
    return set_if_unset(&doc->collection, "fuzz") && set_if_unset(&doc->local_id, "d1") &&
           set_if_unset(&doc->id, "fuzz/d1") && set_if_unset(&doc->release_status, "released");
}

/* An output must be the bytes reported, NUL-terminated, and never
 * contain a NUL itself (every format is text). */
static void check_out(dc_rc rc, const dc_buf *b)
{
    if (rc != DC_OK) return;
    if (!b->p) {
        if (b->len) abort();
        return;
    }
    if (b->p[b->len] != '\0' || memchr(b->p, '\0', b->len)) abort();
}

void dc_fuzz_render_all(const dc_doc *doc)
{
    dc_rc (*plain[])(const dc_doc *, dc_buf *) = {dc_render_text, dc_render_json};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        dc_buf b;
        dc_buf_init(&b, 0);
        check_out(plain[i](doc, &b), &b);
        dc_buf_release(&b);
    }
    dc_rc (*cites[])(const dc_doc *, const dc_volume *, dc_buf *) = {
        dc_render_cite, dc_render_bibtex, dc_render_ris, dc_render_highwire};
    for (size_t i = 0; i < sizeof cites / sizeof cites[0]; i++) {
        dc_buf b;
        dc_buf_init(&b, 0);
        check_out(cites[i](doc, NULL, &b), &b);
        dc_buf_release(&b);
    }
    dc_buf b;
    dc_buf_init(&b, 0);
    check_out(dc_render_html(doc, NULL, &b), &b);
    dc_buf_release(&b);
    dc_buf_init(&b, 0);
    check_out(dc_render_tei(doc, "x", &b), &b);
    dc_buf_release(&b);
}
