"""Disk full, read-only and busy databases: a clear message, exit status 5
(an I/O failure is internal to the run, DESIGN.md), nothing corrupted
(`declass check` passes after), nothing half-stored, and the next run
succeeds once the fault is gone.  Also: `declass check` finds an index that
holds other documents than the store's current versions.

Disk full is made without root with RLIMIT_FSIZE (the child ignores
SIGXFSZ, so write() fails with EFBIG); when the test runs as root and may
mount, also on a small tmpfs (ENOSPC), which is then remounted read-only.
Read-only without a mount: the database files made read-only with chmod,
and, as root (who ignores file modes), the run done as user nobody.
"""
import fcntl
import hashlib
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

from dctest import DB, DECLASS, check, done, eq

NFILES, NDOCS = 30, 5
rng = random.Random(5)
WORDS = ("treaty embassy missile council memorandum telegram minister policy "
         "garrison airlift summit tariff delegation conference reactor satellite").split()

top = DB()
corpus = os.path.join(top.dir, "corpus")
os.mkdir(corpus)
expected = {}
for f in range(NFILES):
    vol = "faultv%03d" % f
    docs, body = {}, []
    for d in range(1, NDOCS + 1):
        title = "Memorandum %s mark%03d%d" % (WORDS[(f * 3 + d) % len(WORDS)], f, d)
        docs["%s/d%d" % (vol, d)] = title
        paras = "".join("<p>%s common.</p>" % " ".join(rng.choice(WORDS) for _ in range(60))
                        for _ in range(8))
        body.append('<div type="document" xml:id="d%d" n="%d" subtype="historical-document">'
                    '<head>%d. %s</head>%s</div>\n' % (d, d, d, title, paras))
    with open(os.path.join(corpus, vol + ".xml"), "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="%s"><text><body>\n%s'
                 '</body></text></TEI>\n' % (vol, "".join(body)))
    expected[vol] = docs
TOTAL = NFILES * NDOCS
faults = 0


def run(db_path, *args, preexec=None, timeout=120):
    p = subprocess.run([DECLASS, "--db", db_path] + list(args), capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, preexec_fn=preexec, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def fsize_limit(limit):
    def f():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return f


def files_of(db_path):
    """Every file of the database (store, WAL, index) with its hash."""
    out = {}
    d = os.path.dirname(db_path)
    for root, _, names in os.walk(d):
        for n in names:
            p = os.path.join(root, n)
            if p.startswith(db_path):
                with open(p, "rb") as fh:
                    out[os.path.relpath(p, d)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def size_of(db_path):
    return max(os.path.getsize(os.path.join(r, n)) for r, _, ns in os.walk(os.path.dirname(db_path))
               for n in ns if os.path.join(r, n).startswith(db_path))


def verify(db_path, what, want_all=False):
    """check passes; every file all or nothing, with its titles."""
    code, out, err = run(db_path, "check")
    eq(code, 0, "%s: check (%s)" % (what, err.strip()))
    code, out, err = run(db_path, "list", "--json")
    eq(code, 0, what + ": list " + err)
    import json
    got = {}
    for d in json.loads(out)["documents"] if code == 0 else []:
        got.setdefault(d["collection"], {})[d["id"]] = d["title"]
    for coll, docs in got.items():
        eq(docs, expected.get(coll), "%s: %s all there with its titles" % (what, coll))
    if want_all:
        eq(len(got), NFILES, what + ": every file stored")
        code, out, err = run(db_path, "search", "common", "--json", "--limit", "1")
        eq(code, 0, what + ": search " + err)
        if code == 0:
            eq(json.loads(out)["total"], TOTAL, what + ": search total")
    return len(got)


# Sizes of a complete database, to place the limits.
full = DB()
eq(run(full.path, "ingest", "--released", "--quiet", corpus)[0], 0, "scratch ingest")
biggest = size_of(full.path)

# ---- disk full: RLIMIT_FSIZE at several sizes ----------------------------
fsize_runs = []
for frac in (0.05, 0.2, 0.45, 0.7, 0.9):
    db = DB()
    limit = max(8192, int(biggest * frac))
    code, out, err = run(db.path, "ingest", "--released", "--quiet", corpus,
                         preexec=fsize_limit(limit))
    c2, o2, e2 = run(db.path, "check")
    if c2 == 1 and "empty database" in e2:
        # The limit hit while the database was being created: the schema
        # rolled back, an empty file is left, and the next ingest starts
        # it again.
        stored = 0
    else:
        stored = verify(db.path, "after EFBIG at %d bytes" % limit)
    if code != 0:
        faults += 1
        eq(code, 5, "EFBIG at %d: exit status (%s)" % (limit, err.strip()))
        check("declass: " in err and "disk full (File too large)" in err,
              "EFBIG at %d: a clear message: %r" % (limit, err.strip()))
        check("AddressSanitizer" not in err and "runtime error" not in err,
              "EFBIG at %d: no sanitizer report" % limit)
    fsize_runs.append((limit, code, stored, err.strip().splitlines()[-1:] if err else []))
    code, out, err = run(db.path, "ingest", "--released", "--quiet", corpus)
    eq(code, 0, "ingest once space is back: " + err)
    verify(db.path, "after the ingest once space is back", want_all=True)
check(sum(1 for r in fsize_runs if r[1] == 5) >= 3, "most limits hit: %r" % fsize_runs)

# ---- disk full while writing the index: optimize merging 3 segments ------
# An ingest merges the index's segments when it is done, a search does not:
# so each part is stored by an ingest that cannot index (the test holds the
# index lock; the ingest is killed once its files are stored, which loses
# nothing) and then indexed by a search, one segment each.
ix = DB()
eq(run(ix.path, "init")[0], 0, "init")
for part in range(3):
    d = os.path.join(ix.dir, "part%d" % part)
    os.mkdir(d)
    for f in range(part * NFILES // 3, (part + 1) * NFILES // 3):
        shutil.copy(os.path.join(corpus, "faultv%03d.xml" % f), d)
    os.makedirs(ix.path + ".index", exist_ok=True)
    lock = os.open(os.path.join(ix.path + ".index", "LOCK"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    ing = subprocess.Popen([DECLASS, "--db", ix.path, "ingest", "--released", "--quiet", d],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    want = (part + 1) * (NFILES // 3) * NDOCS
    deadline = time.time() + 120
    while time.time() < deadline:
        code, out, err = run(ix.path, "list", "--json")
        if code == 0 and out.count('"id"') >= want:
            break
        time.sleep(0.2)
    ing.kill()
    ing.wait()
    os.close(lock)
    code, out, err = run(ix.path, "search", "common", "--json", "--limit", "1")
    eq(code, 0, "search indexing part %d: %s" % (part, err))
segs = [os.path.getsize(os.path.join(ix.path + ".index", n))
        for n in os.listdir(ix.path + ".index") if n.endswith(".dcs")]
eq(len(segs), 3, "three segments")
seg_limit = max(segs) * 3 // 2
code, out, err = run(ix.path, "optimize", preexec=fsize_limit(seg_limit))
eq(code, 5, "optimize with the merged segment over the limit: exit status (%s)" % err.strip())
check("disk full (File too large)" in err, "optimize: a clear message %r" % err)
faults += 1
optimize_msg = err.strip()
verify(ix.path, "after the failed optimize", want_all=True)
eq(run(ix.path, "optimize")[0], 0, "optimize once space is back")
verify(ix.path, "after optimize", want_all=True)

# ---- disk full and read-only: a small tmpfs (root and mount only) --------
tmpfs_note = "skipped (not root or mount not permitted)"
mnt = tempfile.mkdtemp(prefix="dc_tmpfs_")
mounted = os.geteuid() == 0 and shutil.which("mount") is not None and subprocess.run(
    ["mount", "-t", "tmpfs", "-o", "size=%d" % max(65536, biggest // 3), "tmpfs", mnt],
    capture_output=True).returncode == 0
if mounted:
    try:
        path = os.path.join(mnt, "t.db")
        code, out, err = run(path, "ingest", "--released", "--quiet", corpus)
        eq(code, 5, "tmpfs full: exit status (%s)" % err.strip())
        check("disk full (No space left on device)" in err, "tmpfs full: clear message %r" % err)
        faults += 1
        enospc_msg = err.strip().splitlines()[-1]
        code, out, err = run(path, "check")
        check(code in (0, 5), "check on a full disk: 0, or 5 if the index cannot be written")
        eq(subprocess.run(["mount", "-o", "remount,size=%d" % (biggest * 8), mnt]).returncode,
           0, "tmpfs grown")
        stored = verify(path, "after ENOSPC, the space back")
        eq(run(path, "ingest", "--released", "--quiet", corpus)[0], 0, "ingest after ENOSPC")
        verify(path, "tmpfs after the space came back", want_all=True)
        before = files_of(path)
        eq(subprocess.run(["mount", "-o", "remount,ro", mnt]).returncode, 0, "tmpfs read-only")
        extra = os.path.join(top.dir, "extra")
        os.mkdir(extra)
        shutil.copy(os.path.join(corpus, "faultv000.xml"), os.path.join(extra, "extra.xml"))
        code, out, err = run(path, "ingest", "--released", "--quiet", extra)
        eq(code, 5, "read-only mount: ingest exit status (%s)" % err.strip())
        check("read-only" in err or "readonly" in err, "read-only mount: clear message %r" % err)
        faults += 1
        eq(files_of(path), before, "read-only mount: nothing changed")
        tmpfs_note = ("ENOSPC at %d bytes: exit 5 (%s), %d files stored, then all; read-only "
                      "remount: exit 5 (%s)" % (max(65536, biggest // 3), enospc_msg, stored,
                                                err.strip().splitlines()[-1]))
    finally:
        subprocess.run(["umount", mnt])
os.rmdir(mnt)

# ---- read-only files (chmod; as root, the run is done as nobody) ----------
ro = DB()
eq(run(ro.path, "ingest", "--released", "--quiet", corpus)[0], 0, "ingest before read-only")
verify(ro.path, "before read-only", want_all=True)
before = files_of(ro.path)
for root, dirs, names in os.walk(ro.dir):
    for n in names:
        os.chmod(os.path.join(root, n), 0o444)
    for n in dirs:
        os.chmod(os.path.join(root, n), 0o555)
os.chmod(ro.dir, 0o555)
as_nobody = None
ro_mode = "chmod"
if os.geteuid() == 0:
    def as_nobody():
        os.setgid(65534)
        os.setgroups([])
        os.setuid(65534)
    ro_mode = "chmod, run as nobody"
    try:
        ok = run(ro.path, "--help", preexec=as_nobody)[0] == 0
    except OSError:
        ok = False  # nobody may not reach the binary (a build under /root)
    if not ok:
        as_nobody, ro_mode = None, None
extra = os.path.join(tempfile.mkdtemp(prefix="dc_extra_"), "more")
os.makedirs(extra)
os.chmod(os.path.dirname(extra), 0o755)
shutil.copy(os.path.join(corpus, "faultv001.xml"), os.path.join(extra, "more.xml"))
ro_msg = "skipped: root, and user nobody cannot run " + DECLASS
if ro_mode:
    code, out, err = run(ro.path, "ingest", "--released", "--quiet", extra, preexec=as_nobody)
    eq(code, 5, "read-only files: ingest exit status (%s)" % err.strip())
    check("database is read-only" in err, "read-only files: clear message %r" % err)
    check("AddressSanitizer" not in err, "read-only files: no sanitizer report")
    faults += 1
    ro_msg = "%s: %s" % (ro_mode, err.strip())
    # The store is opened read-write for every command: reading is refused
    # with the same message rather than failing on the first audit row.
    code, out, err = run(ro.path, "list", "--json", preexec=as_nobody)
    eq(code, 5, "read-only files: list exit status (%s)" % err.strip())
    check("database is read-only" in err, "read-only files: list message %r" % err)
    eq(out, "", "read-only files: list prints nothing on stdout")
    eq(files_of(ro.path), before, "read-only files: nothing changed")
for root, dirs, names in os.walk(ro.dir):
    os.chmod(root, 0o755)
    for n in names:
        os.chmod(os.path.join(root, n), 0o644)
shutil.rmtree(os.path.dirname(extra), True)
verify(ro.path, "after read-only", want_all=True)

# ---- busy: another connection holds the write lock -----------------------
busy = DB()
eq(run(busy.path, "ingest", "--released", "--quiet", corpus)[0], 0, "ingest before busy")
before_busy = json_total = verify(busy.path, "before busy", want_all=True)
lock = sqlite3.connect(busy.path, timeout=0, isolation_level=None)
lock.execute("BEGIN EXCLUSIVE")
extra2 = os.path.join(busy.dir, "more")
os.mkdir(extra2)
with open(os.path.join(extra2, "late.xml"), "w", encoding="utf-8") as fh:
    fh.write('<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="latev"><text><body>'
             '<div type="document" xml:id="d1"><head>1. Late</head><p>late text</p></div>'
             '</body></text></TEI>')
t0 = time.monotonic()
code, out, err = run(busy.path, "ingest", "--released", "--quiet", extra2)
waited = time.monotonic() - t0
eq(code, 5, "busy: exit status (%s)" % err.strip())
check("busy" in err or "locked" in err, "busy: clear message %r" % err)
faults += 1
lock.execute("ROLLBACK")
lock.close()
verify(busy.path, "after busy", want_all=True)
code, out, err = run(busy.path, "ingest", "--released", "--quiet", extra2)
eq(code, 0, "ingest once the lock is gone: " + err)
code, out, err = run(busy.path, "show", "latev/d1")
eq(code, 0, "the late document is there")

# ---- check finds an index of other documents -----------------------------
a, b = DB(), DB()
ca, cb = os.path.join(a.dir, "va"), os.path.join(b.dir, "vb")
os.mkdir(ca)
os.mkdir(cb)
shutil.copy(os.path.join(corpus, "faultv002.xml"), ca)
shutil.copy(os.path.join(corpus, "faultv003.xml"), cb)
eq(run(a.path, "ingest", "--released", "--quiet", ca)[0], 0, "ingest a")
eq(run(b.path, "ingest", "--released", "--quiet", cb)[0], 0, "ingest b")
eq(run(a.path, "check")[0], 0, "check a")
shutil.rmtree(a.path + ".index")
shutil.copytree(b.path + ".index", a.path + ".index")
code, out, err = run(a.path, "check")
eq(code, 5, "check: index of another database with the same docids (%s)" % err.strip())
check("faultv002/d1" in err and "faultv003/d1" in err,
      "check names the document and what the index holds: %r" % err)

print("faults: %d faults injected; RLIMIT_FSIZE runs (limit, exit, files stored, message): %r; "
      "optimize at %d bytes: %s; tmpfs: %s; read-only files: %s; busy: exit 5 after %.1f s"
      % (faults, fsize_runs, seg_limit, optimize_msg, tmpfs_note, ro_msg, waited))
done()
