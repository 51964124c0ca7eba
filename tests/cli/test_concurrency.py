"""Concurrency: searches while an ingest runs (readers never block and never
see half a document), two writers at once (different folders, the same
folder), and `declass serve` answering searches while another process
ingests.

DECLASS_CONC_DOCS sets the size of the long ingest (default 1500 documents).
"""
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from dctest import DECLASS, DB, check, eq, done  # noqa: E402

N_LONG = int(os.environ.get("DECLASS_CONC_DOCS", "1500"))
# A search answers within this while an ingest runs: a `declass search`
# process (start-up included, ASan build, a loaded 2-core CI machine; it
# may have to index the documents stored since the last search), and a
# server search (the worker's handle catches up the same way).
CLI_BOUND_S = float(os.environ.get("DECLASS_CONC_CLI_BOUND", "5.0"))
SEARCH_BOUND_S = 2.0
rng = random.Random(8)


def portions_of(i):
    """The number of paragraphs (portions) of generated document i."""
    return 3 + i % 9


def make_folder(root, name, first, count):
    """Writes documents first..first+count-1 into root/name; returns the
    folder.  Every document holds the word 'zebraword' in every portion,
    and its title names its number."""
    d = os.path.join(root, name)
    os.makedirs(d)
    for i in range(first, first + count):
        lines = ["%d. Memorandum number %d on zebraword matters" % (i + 1, i), ""]
        for k in range(portions_of(i)):
            lines.append("Paragraph %s of memorandum %s on zebraword questions, with some "
                         "armistice text and the commission's view of the matter." %
                         (chr(ord("a") + k), "x" * (1 + i % 5)))
            lines.append("")
        with open(os.path.join(d, "m%05d.txt" % i), "w") as f:
            f.write("\n".join(lines))
    return d


def number_of(doc):
    m = re.search(r"Memorandum number (\d+) on", doc["title"])
    return int(m.group(1)) if m else -1


def run(db, *args):
    return db.run(*args)


def search_ids(db):
    """(seconds, total, ids) of a search for every generated document (ids:
    the first 1000 hits)."""
    t0 = time.time()
    code, out, err = db.run("search", "zebraword", "--json", "--limit", "1000")
    dt = time.time() - t0
    if code == 1 and re.search(r'"total":\s*0\b', out):
        return dt, 0, []
    if code != 0:
        return dt, None, err[:200]
    j = json.loads(out)
    return dt, j["total"], [h["id"] for h in j["hits"]]


def list_ids(db):
    j = db.json("list", "--json")
    return [d["id"] for d in j["documents"]]


def start_ingest(db, folder):
    return subprocess.Popen([DECLASS, "--db", db.path, "ingest", "--released", "--quiet", folder],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


# ---- 1. searches during a long ingest -----------------------------------
db = DB()
eq(db.run("init")[0], 0, "init")
src = make_folder(db.dir, "long", 0, N_LONG)
ing = start_ingest(db, src)
latencies, totals, shown, bad = [], [], 0, []
while ing.poll() is None:
    dt, total, ids = search_ids(db)
    latencies.append(dt)
    if total is None:
        bad.append("search failed: %s" % ids)
        continue
    totals.append(total)
    check(len(ids) == min(total, 1000), "hits %d, total %d" % (len(ids), total))
    # every hit is a whole document: show a few of them in full
    for doc_id in rng.sample(ids, min(4, len(ids))):
        code, out, err = db.run("show", doc_id, "--json")
        if code != 0:
            bad.append("show %s: exit %d %s" % (doc_id, code, err))
            continue
        d = json.loads(out)
        n = number_of(d)
        if len(d["portions"]) != portions_of(n):
            bad.append("%s: %d portions, want %d" % (doc_id, len(d["portions"]), portions_of(n)))
        shown += 1
out, err = ing.communicate()
eq(ing.returncode, 0, "long ingest exit: " + err)
eq(bad, [], "searches and shows during the ingest")
check(len(latencies) >= 2, "searched %d times during the ingest" % len(latencies))
check(max(latencies) < CLI_BOUND_S,
      "search latency during ingest: max %.2fs" % max(latencies))
check(all(a <= b for a, b in zip(totals, totals[1:])), "totals non-decreasing: %r" % totals)
check(len(totals) >= 2 and totals[0] < N_LONG, "searches ran mid-ingest: %r" % totals[:3])
dt, total, ids = search_ids(db)
eq(total, N_LONG, "final total")
eq(len(ids), len(set(ids)), "no hit twice")
lids = list_ids(db)
eq(len(lids), N_LONG, "long ingest: documents listed")
eq(len(set(lids)), N_LONG, "long ingest: each once")
code, out, err = db.run("check")
eq(code, 0, "check after the long ingest: " + out + err)
print("searches during ingest: %d, max latency %.3fs, median %.3fs, %d documents shown, "
      "totals %d..%d" % (len(latencies), max(latencies), sorted(latencies)[len(latencies) // 2],
                         shown, totals[0] if totals else -1, totals[-1] if totals else -1))

# ---- 2. two writers: different folders, then the same folder ------------
db2 = DB()
eq(db2.run("init")[0], 0, "init 2")
fa = make_folder(db2.dir, "ca", 0, 300)
fb = make_folder(db2.dir, "cb", 300, 300)
p1, p2 = start_ingest(db2, fa), start_ingest(db2, fb)
o1, e1 = p1.communicate()
o2, e2 = p2.communicate()
eq(p1.returncode, 0, "writer A exit: " + e1)
eq(p2.returncode, 0, "writer B exit: " + e2)
ids = list_ids(db2)
eq(len(ids), 600, "two folders: documents")
eq(len(set(ids)), 600, "two folders: each once")
eq(set(i.split("/")[0] for i in ids), {"ca", "cb"}, "two folders: collections")
code, out, err = db2.run("check")
eq(code, 0, "check after two writers: " + out + err)
dt, total, sids = search_ids(db2)
eq(total, 600, "two folders: search total")
eq(len(set(sids)), 600, "two folders: search hits each once")

fc = make_folder(db2.dir, "cc", 600, 300)
p1, p2 = start_ingest(db2, fc), start_ingest(db2, fc)
o1, e1 = p1.communicate()
o2, e2 = p2.communicate()
eq(p1.returncode, 0, "same folder writer 1 exit: " + e1)
eq(p2.returncode, 0, "same folder writer 2 exit: " + e2)
ids = list_ids(db2)
eq(len(ids), 900, "same folder: documents")
eq(len(set(ids)), 900, "same folder: each once")
code, out, err = db2.run("check")
eq(code, 0, "check after two writers on one folder: " + out + err)
dt, total, sids = search_ids(db2)
eq(total, 900, "same folder: search total")
eq(len(set(sids)), 900, "same folder: search hits each once")
d = db2.json("show", "cc/m00700", "--json")
eq(len(d["portions"]), portions_of(700), "same folder: a document whole")
eq(len(d.get("versions", [1])) if isinstance(d.get("versions"), list) else 1, 1, "one version")

# ---- 3. the server answers searches while another process ingests --------
db3 = DB()
eq(db3.run("init")[0], 0, "init 3")
eq(db3.run("ingest", "--released", "--quiet", make_folder(db3.dir, "s0", 0, 50))[0], 0,
   "first ingest")
srv = subprocess.Popen([DECLASS, "--db", db3.path, "serve", "--port", "0", "--quiet",
                        "--threads", "2"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
base = None
deadline = time.time() + 30
while time.time() < deadline:
    line = srv.stderr.readline()
    m = re.search(r"serving .* at (http://\S+/) \(Ctrl-C stops\)", line)
    if m:
        base = m.group(1)
        break
    if not line:
        break
check(base is not None, "serve started")
N_SRV = 50 + 600
statuses, srv_totals, srv_lat = {}, [], []
stop = threading.Event()


def poll():
    while not stop.is_set():
        t0 = time.time()
        try:
            with urllib.request.urlopen(base + "api/search?q=zebraword&limit=1", timeout=30) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        except Exception as e:  # a refused or reset connection counts as an error
            status, body = repr(e), b""
        srv_lat.append(time.time() - t0)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            srv_totals.append(json.loads(body)["total"])


if base:
    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.3)
    ing = start_ingest(db3, make_folder(db3.dir, "s1", 50, 600))
    out, err = ing.communicate()
    eq(ing.returncode, 0, "ingest beside the server: " + err)
    time.sleep(0.5)
    stop.set()
    th.join()
    with urllib.request.urlopen(base + "api/search?q=zebraword&limit=1", timeout=30) as r:
        final = json.loads(r.read())["total"]
    eq(final, N_SRV, "server: final total")
    eq(list(statuses.keys()), [200], "server: every response 200: %r" % statuses)
    check(all(a <= b for a, b in zip(srv_totals, srv_totals[1:])),
          "server: totals non-decreasing")
    check(len(srv_totals) >= 5 and srv_totals[0] == 50, "server: polled from the start: %r" %
          srv_totals[:3])
    check(max(srv_lat) < SEARCH_BOUND_S, "server: search latency max %.2fs" % max(srv_lat))
    print("server: %d searches during the ingest, statuses %r, totals %d..%d, max latency %.3fs" %
          (sum(statuses.values()), statuses, srv_totals[0], srv_totals[-1], max(srv_lat)))
srv.terminate()
srv.communicate(timeout=30)
eq(srv.returncode, 0, "serve exit")

done()
