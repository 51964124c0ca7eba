/*
 * declass fuzz targets: what every fuzz/fuzz_<parser>.c shares.
 *
 * Each target defines LLVMFuzzerTestOneInput.  Built with -DDC_LIBFUZZER
 * and -fsanitize=fuzzer (fuzz/run, cmake -DDC_FUZZ=ON) libFuzzer drives
 * it; otherwise fuzz/replay.c supplies a main that feeds it saved inputs,
 * so the seed corpora and fuzz/regress/<target>/ run as ctest tests.
 */
#ifndef DC_FUZZ_H
#define DC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "declass/declass.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "refs/refs.h"
#include "render/render.h"
#include "util/util_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fills the fields the facade sets before storing (job_store in
 * src/facade/ingest.c) when the ingester left them unset; 0 on NOMEM. */
int dc_fuzz_finish_doc(dc_doc *doc);
/* Renders doc in every output format and checks each result is
 * NUL-terminated text of the length reported; aborts if not. */
void dc_fuzz_render_all(const dc_doc *doc);

#endif
