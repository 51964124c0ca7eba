"""The audit journal: a command that only reads never writes the database.

- search, show and list leave the database and its WAL byte for byte as
  they were; their rows are in the journal (DB-audit) and, after
  `declass audit`, in the log in the order they ran, chained (`check`).
- A read is not held up by a writer: with another connection holding the
  write lock, a search answers (before the journal it waited the busy
  timeout and failed).
- Reads running alongside an ingest that folds the journal at each batch,
  and `declass audit` folding it too, lose no row and duplicate none.
- The journal root makes belongs to the database's owner (as SQLite's -wal
  and -shm do), who can then still read.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from dctest import DECLASS, SAMPLES, DB, check, eq, done  # noqa: E402


def digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except FileNotFoundError:
        return None


def journal_lines(db):
    """The rows in the journal (its header line left out)."""
    try:
        with open(db.path + "-audit") as f:
            return [r for r in (json.loads(line) for line in f if line.strip())
                    if "journal" not in r]
    except FileNotFoundError:
        return []


def log(db, admin):
    return db.json("audit", "--json", user=admin[0], password=admin[1])["entries"]


db = DB()
eq(db.run("init")[0], 0, "init")
code, _, err = db.run("ingest", "--released", "--quiet", SAMPLES)
eq(code, 0, "ingest: " + err)
ADMIN = db.add_user("admin", "TOP SECRET", "--role", "admin")
first = log(db, ADMIN)
ids = [d["id"] for d in db.json("list", "--json")["documents"]]
check(len(ids) >= 3, "samples listed")

# ---- reads write nothing to the database -----------------------------------------
before = {p: digest(db.path + p) for p in ("", "-wal")}
eq(db.run("search", "armistice", "--json")[0], 0, "search")
eq(db.run("show", ids[0], "--json")[0], 0, "show")
eq(db.run("list")[0], 0, "list")
eq({p: digest(db.path + p) for p in ("", "-wal")}, before,
   "the database and its WAL unchanged by three reads")
lines = journal_lines(db)
eq([(r["user"], r["action"], r["target"]) for r in lines[-4:]],
   [("public", "list", None), ("public", "search", "armistice"),
    ("public", "read", ids[0]), ("public", "list", None)],
   "the reads' rows in the journal, in order")
with open(db.path + "-audit") as f:
    head = json.loads(f.readline())
check(len(head.get("journal", "")) == 32, "the journal's header names it: %r" % head)
eq(os.stat(db.path + "-audit").st_mode & 0o777, 0o600, "the journal's mode")
entries = log(db, ADMIN)
eq([(e["action"], e["target"]) for e in entries[len(first):len(first) + 4]],
   [("list", None), ("search", "armistice"), ("read", ids[0]), ("list", None)],
   "folded into the log in order")
eq([e["seq"] for e in entries], list(range(1, len(entries) + 1)), "ids consecutive")
# `declass audit` committed the fold: it empties the WAL at close, which the
# next command would otherwise read back whole at open
eq(os.path.getsize(db.path + "-wal") if os.path.exists(db.path + "-wal") else 0, 0,
   "no WAL left after `declass audit`")
eq(db.run("check")[0], 0, "the chain verifies")

# ---- a read does not wait for a writer --------------------------------------------
con = sqlite3.connect(db.path, isolation_level=None)
con.execute("BEGIN IMMEDIATE")
code, out, err = db.run("search", "armistice", "--json")
con.execute("ROLLBACK")
con.close()
eq(code, 0, "a search while another connection holds the write lock: " + err)
check(json.loads(out)["total"] > 0, "and it answers")

# ---- reads alongside an ingest that folds at each batch -----------------------------
n_before = len(log(db, ADMIN))
queries = ["armistice", "treaty", "secretary", "president", "minister", "government"] * 5
src = os.path.join(db.dir, "texts")
os.mkdir(src)
for i in range(300):
    with open(os.path.join(src, "t%03d.txt" % i), "w") as f:
        f.write("Memorandum %d\n\nThe treaty of the day, number %d.\n" % (i, i))


def search(q):
    return db.run("search", q)[0]


ing = subprocess.Popen([DECLASS, "--db", db.path, "ingest", "--released", "--quiet",
                        "--batch", "5", src],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       env=dict(os.environ, DECLASS_USER=ADMIN[0], DECLASS_PASSWORD=ADMIN[1]))
def fold_often():
    """A second folder beside the ingest: reading the log folds it."""
    n = 0
    while ing.poll() is None:
        n += db.run("audit", user=ADMIN[0], password=ADMIN[1])[0] == 0
    return n


with ThreadPoolExecutor(max_workers=6) as pool:
    folds = pool.submit(fold_often)
    codes = list(pool.map(search, queries))
    folds = folds.result()
check(folds >= 1, "the log read while the ingest ran: %d times" % folds)
_, ierr = ing.communicate(timeout=600)
eq(ing.returncode, 0, "the ingest alongside: " + ierr)
eq(Counter(codes), Counter({0: len(queries)}), "every search answered")
entries = log(db, ADMIN)
ingested = [e["seq"] for e in entries[n_before:] if e["action"] == "ingest"]
searched = [e["seq"] for e in entries[n_before:] if e["action"] == "search"]
check(ingested and searched and min(searched) < max(ingested),
      "searches logged while the ingest ran (between its rows)")
got = Counter(e["target"] for e in entries[n_before:] if e["action"] == "search")
eq(got, Counter(queries), "one row per search, none lost or doubled")
eq([e["seq"] for e in entries], list(range(1, len(entries) + 1)), "ids consecutive")
eq(db.run("check")[0], 0, "the chain verifies after the folds")

# ---- the journal takes the database's owner, as -wal and -shm do -----------------
SETPRIV = shutil.which("setpriv")
if os.geteuid() == 0 and SETPRIV and os.access(DECLASS, os.X_OK, effective_ids=False):
    own = DB()
    eq(own.run("init")[0], 0, "init (owner test)")
    os.chmod(own.dir, 0o755)
    for f in os.listdir(own.dir):
        os.chown(os.path.join(own.dir, f), 65534, 65534)
    os.chown(own.dir, 65534, 65534)
    eq(own.run("list")[0], 0, "a read by root")
    st = os.stat(own.path + "-audit")
    eq((st.st_uid, st.st_mode & 0o777), (65534, 0o600), "root's journal is the owner's")
    p = subprocess.run([SETPRIV, "--reuid", "65534", "--regid", "65534", "--clear-groups",
                        DECLASS, "--db", own.path, "list"], capture_output=True, text=True)
    if "Permission denied" in p.stderr and "declass" not in p.stderr:
        print("skip: nobody cannot run %s" % DECLASS)
    else:
        eq(p.returncode, 0, "the owner reads after root: " + p.stderr)
done()
