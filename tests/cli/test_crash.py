"""Crash safety: `declass ingest` killed with SIGKILL at many points loses
nothing and stores nothing by halves.

A corpus of small TEI volumes (each file several documents) is ingested
again and again into one database in batches of BATCH files (--batch: one
transaction a batch, a part of it per file), and each run is killed with
SIGKILL after a delay drawn from the time a whole ingest takes: during
parsing, inside store transactions and during the index commit at the end.  Index catch-ups (`declass search` on a database whose index is
behind its store) are killed too.  After every kill:
  - `declass check` passes (store and index consistent, checksums good);
  - `declass list --json` holds, for every file, either all of its
    documents with the right titles or none of them, and the files present
    are a prefix of the sorted file list (ingest goes in name order) that
    never shrinks and ends at a batch's end (a whole number of batches, or
    every file): a kill loses the open batch and nothing else.
Finally a complete ingest stores everything and search totals agree.

DC_CRASH_KILLS (default 18) sets the number of ingest kills, DC_CRASH_LATE
(default 5) the number of kills during the index commit on fresh databases; DC_CRASH_FILES
(default 60) the number of files of DC_CRASH_DOCS (default 5) documents.
"""
import os
import random
import signal
import sqlite3
import subprocess
import time

from dctest import DB, DECLASS, check, done, eq

KILLS = int(os.environ.get("DC_CRASH_KILLS", "18"))
LATE = int(os.environ.get("DC_CRASH_LATE", "5"))
NFILES = int(os.environ.get("DC_CRASH_FILES", "100"))
NDOCS = int(os.environ.get("DC_CRASH_DOCS", "5"))
BATCH = 7  # files per transaction (--batch)
rng = random.Random(8)

WORDS = ("treaty embassy missile council memorandum telegram minister policy "
         "garrison airlift summit tariff delegation conference reactor satellite").split()

db = DB()
corpus = os.path.join(db.dir, "corpus")
os.mkdir(corpus)
expected = {}  # collection -> {id: title}
files = []
for f in range(NFILES):
    vol = "crashv%03d" % f
    docs = {}
    body = []
    for d in range(1, NDOCS + 1):
        title = "Telegram %s number %s%03d%d" % (WORDS[(f + d) % len(WORDS)], "tag", f, d)
        docs["%s/d%d" % (vol, d)] = title  # the head without its "N. "
        paras = "".join("<p>%s %s uniqueword%03dx%d.</p>" % (
            " ".join(rng.choice(WORDS) for _ in range(40)), "common", f, d) for _ in range(6))
        body.append('<div type="document" xml:id="d%d" n="%d" subtype="historical-document">'
                    '<head>%d. %s</head>%s</div>\n' % (d, d, d, title, paras))
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="%s"><teiHeader><fileDesc>'
            '<titleStmt><title>Crash volume %d</title></titleStmt></fileDesc></teiHeader>'
            '<text><body>\n%s</body></text></TEI>\n' % (vol, f, "".join(body)))
    path = os.path.join(corpus, vol + ".xml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    expected[vol] = docs
    files.append(vol)
TOTAL = NFILES * NDOCS


def run_killed(args, delay, ok=(0,)):
    """Starts declass with args, SIGKILLs it after delay seconds; returns
    True if it was killed (False if it finished first, exit status in ok)."""
    p = subprocess.Popen([DECLASS, "--db", db.path] + args, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        p.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
    err = p.communicate()[1]
    if p.returncode == -signal.SIGKILL:
        return True
    check(p.returncode in ok, "run finished before the kill: exit %d: %s"
          % (p.returncode, err.decode(errors="replace")[-300:]))
    return False


last_prefix = 0


def verify(what):
    """check passes; every file all or nothing; a growing prefix."""
    global last_prefix
    code, out, err = db.run("check")
    eq(code, 0, "%s: declass check exit status (%s)" % (what, err.strip()))
    lst = db.json("list", "--json")
    got = {}
    for d in lst["documents"]:
        got.setdefault(d["collection"], {})[d["id"]] = d["title"]
    eq(lst["total"], sum(len(v) for v in got.values()), what + ": list total")
    for coll, docs in got.items():
        want = expected.get(coll)
        check(want is not None, "%s: unexpected collection %r" % (what, coll))
        if want is not None:
            eq(docs, want, "%s: documents of %s all there with their titles" % (what, coll))
    present = [i for i, v in enumerate(files) if v in got]
    check(present == list(range(len(present))),
          "%s: committed files are a prefix of the sorted list: %r" % (what, present[:20]))
    check(len(present) >= last_prefix,
          "%s: files stored before are still there (%d < %d)" % (what, len(present), last_prefix))
    check(len(present) % BATCH == 0 or len(present) == NFILES,
          "%s: whole batches of %d files stored, not %d files" % (what, BATCH, len(present)))
    # The audit log has an "ingest" row for a file exactly when the store
    # holds its documents: the rows are appended in their batch's
    # transaction (read from the table itself: these databases have no
    # admin to run `declass audit`).
    con = sqlite3.connect("file:%s?mode=ro" % db.path, uri=True)
    try:
        audited = {os.path.basename(t)[:-4] for (t,) in
                   con.execute("SELECT target FROM audit WHERE action = 'ingest'")}
    finally:
        con.close()
    eq(audited, {files[i] for i in present}, what + ": files audited are the files stored")
    last_prefix = len(present)
    return len(present)


# How long a whole ingest takes here (ASan or not), on a scratch database.
full = 1e9
for _ in range(2):
    scratch = DB()
    t0 = time.monotonic()
    code, out, err = scratch.run("ingest", "--released", "--quiet", "--batch", str(BATCH), corpus)
    full = min(full, time.monotonic() - t0)
    eq(code, 0, "scratch ingest: " + err)
    eq(scratch.json("list", "--json")["total"], TOTAL, "scratch ingest stores everything")

eq(db.run("init")[0], 0, "init")
verify("empty database")
ROUNDS = 3
kills = finished = index_kills = index_phase = 0
stages = []
for k in range(KILLS):
    # Rounds of increasing delays with jitter, each on a fresh database,
    # from the first file to past the index commit at the end of the run
    # (restarts skip the files already stored).
    per = (KILLS + ROUNDS - 1) // ROUNDS
    if k and k % per == 0:
        db = DB()
        last_prefix = 0
        eq(db.run("init")[0], 0, "init")
    frac = (k % per + 1) / per
    delay = max(0.01, full * frac * rng.uniform(0.5, 1.1))
    killed = run_killed(["ingest", "--released", "--quiet", "--batch", str(BATCH), corpus],
                        delay)
    if killed:
        kills += 1
    else:
        finished += 1
    stored = verify("after ingest kill %d (%.2f s)" % (k + 1, delay))
    stages.append(stored)
    if killed and stored == NFILES:
        index_phase += 1  # killed after the last store commit: indexing
    # Every third run: the store may be ahead of the index (killed before
    # the index commit) -- kill the catch-up that a search starts.
    if k % 3 == 2:
        # exit 1 (no match) when no batch was stored yet
        if run_killed(["search", "common"], rng.uniform(0.005, max(0.02, full * 0.3)),
                      ok=(0, 1) if stored == 0 else (0,)):
            index_kills += 1
        verify("after search kill %d" % (k + 1))

# Late kills on fresh databases, aimed at the index commit that ends the
# run: the test watches the index folder and kills the ingest when its
# first segment file appears (being written) or 0-40 ms later (fsync,
# MANIFEST.tmp, rename).  (The ingest indexes as it stores and creates the
# empty index, MANIFEST.tmp and all, after its first batch; its segment is
# written at the end, this corpus being far below the writer's memory
# budget.)
def run_killed_at_segment(args, extra):
    """Kills declass `extra` seconds after a segment file appears in the
    index folder; True if killed, False if it finished first."""
    ixdir = db.path + ".index"
    p = subprocess.Popen([DECLASS, "--db", db.path] + args, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    seen = None
    while p.poll() is None and time.monotonic() < deadline:
        if seen is None:
            try:
                if any(n.endswith(".dcs") for n in os.listdir(ixdir)):
                    seen = time.monotonic()
            except OSError:
                pass
        if seen is not None and time.monotonic() >= seen + extra:
            p.send_signal(signal.SIGKILL)
            break
        time.sleep(0.0005)
    err = p.communicate()[1]
    if p.returncode == -signal.SIGKILL:
        return True
    eq(p.returncode, 0, "late run finished before the kill: %s" % err.decode(errors="replace"))
    return False


late = 0
for k in range(LATE):
    ldb, keep = DB(), db
    db, last_prefix = ldb, 0
    eq(db.run("init")[0], 0, "init")
    killed = run_killed_at_segment(["ingest", "--released", "--quiet", corpus],
                                   rng.uniform(0, 0.04))
    stored = verify("after late kill %d" % (k + 1))
    late += killed
    if killed:
        eq(stored, NFILES, "late kill %d came after the last store commit" % (k + 1))
        index_phase += 1
    code, out, err = db.run("ingest", "--released", "--quiet", corpus)
    eq(code, 0, "ingest after a late kill: " + err)
    eq(verify("after the ingest that follows late kill %d" % (k + 1)), NFILES, "all files")
    # The next writer removed what the killed one left: the segment files
    # are those the MANIFEST names, and no MANIFEST.tmp.
    ixdir = db.path + ".index"
    with open(os.path.join(ixdir, "MANIFEST"), encoding="ascii") as fh:
        named = {"seg-%016x.dcs" % int(l.split()[1]) for l in fh if l.startswith("seg ")}
    eq({n for n in os.listdir(ixdir) if n.endswith(".dcs") or n.endswith(".tmp")}, named,
       "late kill %d: no orphan segment files" % (k + 1))
    db = keep

code, out, err = db.run("ingest", "--released", "--quiet", corpus)
eq(code, 0, "final ingest exit status: " + err)
eq(verify("after the final ingest"), NFILES, "every file stored")
lst = db.json("list", "--json")
eq(lst["total"], TOTAL, "every document stored once")
res = db.json("search", "common", "--json", "--limit", "1")
eq(res["total"], TOTAL, "search total over all documents")
res = db.json("search", "uniqueword007x3", "--json")
eq([h["id"] for h in res["hits"]], ["crashv007/d3"], "a document's own word finds it once")
for v in (0, NFILES // 2, NFILES - 1):
    res = db.json("search", "tag%03d%d" % (v, 2), "--json")
    eq([h["id"] for h in res["hits"]], ["crashv%03d/d2" % v], "title word finds its document")
code, out, err = db.run("optimize")
eq(code, 0, "optimize after the crashes: " + err)
verify("after optimize")
check(kills >= KILLS // 3, "most runs were killed (%d of %d)" % (kills, KILLS))
check(late >= 1, "at least one kill during the index commit (%d of %d)" % (late, LATE))
print("crash: %d files x %d docs, full ingest %.2f s, %d ingest runs in %d rounds: %d killed, "
      "%d finished; %d late kills; %d of all kills after the last store commit; %d index "
      "catch-ups killed; files stored after each run: %s"
      % (NFILES, NDOCS, full, KILLS, ROUNDS, kills, finished, late, index_phase, index_kills,
         stages))
done()
