/*
 * Fuzz target: the TEI ingester.  It reads files only, so each input is
 * written to one temporary file per process and parsed from there with
 * the list and person handlers set, as the facade sets them; every
 * document is enriched and rendered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char tmp_path[64];

static void remove_tmp(void) { unlink(tmp_path); }

/* The temporary file's path, created on first use; NULL on failure. */
static const char *tmp_file(void)
{
    if (!tmp_path[0]) {
        snprintf(tmp_path, sizeof tmp_path, "/tmp/dc-fuzz-tei-XXXXXX");
        int fd = mkstemp(tmp_path);
        if (fd < 0) {
            tmp_path[0] = '\0';
            return NULL;
        }
        close(fd);
        atexit(remove_tmp);
    }
    return tmp_path;
}

static dc_rc take_doc(void *ctx, dc_doc *doc)
{
    (void)ctx;
    if (dc_fuzz_finish_doc(doc) && dc_refs_enrich(doc) == DC_OK &&
        dc_ingest_date_from_text(doc) == DC_OK)
        dc_fuzz_render_all(doc);
    dc_doc_free(doc);
    return DC_OK;
}

/* Touches every byte of a list entry so ASan sees a bad string. */
static dc_rc take_item(void *ctx, const dc_tei_list_item *it)
{
    size_t *sum = ctx;
    *sum += strlen(it->list) + strlen(it->collection) + strlen(it->xml_id) + strlen(it->name) +
            strlen(it->description);
    return DC_OK;
}

static const char *person(void *ctx, const char *collection, const char *xml_id)
{
    (void)ctx;
    (void)collection;
    return xml_id[0] == 'p' ? "Canonical, Name" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = tmp_file();
    if (!path || size > ((size_t)1 << 20)) return 0;
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    size_t w = fwrite(data, 1, size, f);
    if (fclose(f) != 0 || w != size) return 0;
    size_t sum = 0;
    dc_tei_handlers h = {.doc = take_doc, .list_item = take_item, .person = person, .ctx = &sum};
    dc_error err = {0};
    dc_ingest_tei_file_with(path, &h, &err);
    return 0;
}
