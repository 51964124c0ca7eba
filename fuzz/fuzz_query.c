/*
 * Fuzz target: the query parser with the real analyzer, then the parsed
 * query printed back (dc_query_to_string) and that text parsed again.
 */
#include <stdlib.h>

#include "fuzz.h"

static dc_analyzer *analyzer(void)
{
    static dc_analyzer *a;
    if (!a && dc_analyzer_new(&a) != DC_OK) abort();
    return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dc_analyzer *a = analyzer();
    dc_error err = {0};
    dc_query *q = NULL;
    if (dc_query_parse(a, (const char *)data, size, &q, &err) != DC_OK) {
        if (q) abort(); /* output pointers are NULL on failure */
        return 0;
    }
    if (!dc_query_root(q)) abort();
    dc_buf b;
    dc_buf_init(&b, 0);
    if (dc_query_to_string(q, &b) == DC_OK && b.p) {
        dc_query *q2 = NULL;
        dc_query_parse(a, b.p, b.len, &q2, &err);
        dc_query_free(q2);
    }
    dc_buf_release(&b);
    dc_query_free(q);
    return 0;
}
