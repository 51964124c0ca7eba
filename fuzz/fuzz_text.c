/*
 * Fuzz target: the plain-text ingester, as the facade drives it
 * (dc_ingest_check_text, dc_ingest_text, dc_refs_enrich,
 * dc_ingest_date_from_text), then every renderer on the result.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    dc_error err = {0};
    if (size > DC_INGEST_MAX_FILE) return 0;
    if (dc_ingest_check_text(s, size, &err) != DC_OK) return 0;
    dc_doc *doc = NULL;
    if (dc_ingest_text(s, size, &doc, &err) != DC_OK) return 0;
    if (dc_fuzz_finish_doc(doc) && dc_refs_enrich(doc) == DC_OK &&
        dc_ingest_date_from_text(doc) == DC_OK)
        dc_fuzz_render_all(doc);
    dc_doc_free(doc);
    return 0;
}
