"""The shared library offers no way around access: libdeclass.so exports
the facade (dc_db_*), the model and utilities, and none of the engines
that read the stored whole — index search, the store, ingest, queries,
the analyzer, rendering (issue "Nothing derived": engine functions such as
index search are not exported)."""
import os
import subprocess

from dctest import check, done

lib = os.environ.get("DECLASS_LIB", "build/libdeclass.so")
out = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True,
                     check=True).stdout
names = [line.split()[-1] for line in out.splitlines() if line.split()]
dc = [n for n in names if n.startswith("dc_")]
check(len(dc) > 20, "the facade is exported (%d dc_ symbols)" % len(dc))
check("dc_db_open" in dc and "dc_db_search" in dc, "dc_db_open and dc_db_search exported")
for prefix in ("dc_index_", "dc_store_", "dc_ingest_", "dc_query_", "dc_analy", "dc_render_",
               "dc_refs_", "dc_seg_", "dc_ix_"):
    bad = [n for n in dc if n.startswith(prefix)]
    check(not bad, "no %s* exported: %s" % (prefix, " ".join(bad[:5])))
done()
