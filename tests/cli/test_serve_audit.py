"""declass serve: the audit log in group commits, and what the server keeps
between requests.

- N requests served concurrently (the public and a signed-in user) leave
  exactly N read rows, with the right users and targets, once SIGTERM has
  stopped the server; they are written while it runs too (a bounded
  delay), grouped in fewer commits than rows; the hash chain verifies.
- The documents a server keeps parsed and the collection counts it keeps
  never outlive a change: a withholding or an ingest made by another
  process shows in the next answer.
"""
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from dctest import DECLASS, SAMPLES, DB, check, eq, done, serve  # noqa: E402


def start(db, *args):
    """Starts `declass serve --port 0 --quiet ARGS`; returns (process, port)."""
    p, url = serve(db, "--quiet", *args)
    return p, int(url.rstrip("/").rsplit(":", 1)[1])


def stop(p, sig=signal.SIGTERM):
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    return p.returncode, err


def request(port, method, path, body=None, cookie=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if cookie:
        headers["Cookie"] = cookie
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers=headers)
    r = c.getresponse()
    data = r.read().decode()
    cookies = r.headers.get_all("Set-Cookie") or []
    c.close()
    return r.status, data, cookies


def audit_rows(db, after):
    """(user, action, target) of the rows after id `after`."""
    con = sqlite3.connect(db.path)
    try:
        return [tuple(r) for r in con.execute(
            "SELECT user, action, target FROM audit WHERE id > ? ORDER BY id", (after,))]
    finally:
        con.close()


def last_audit_id(db):
    con = sqlite3.connect(db.path)
    try:
        return con.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
    finally:
        con.close()


db = DB()
eq(db.run("init")[0], 0, "init")
code, _, err = db.run("ingest", "--released", "--quiet", SAMPLES)
eq(code, 0, "ingest: " + err)
ADMIN = db.add_user("admin", "TOP SECRET", "--role", "admin")
ANA = db.add_user("ana", "SECRET", "--role", "reviewer", admin=ADMIN)
ids = [d["id"] for d in db.json("list", "--json", user=ADMIN[0], password=ADMIN[1])["documents"]]
check(len(ids) >= 5, "samples listed: %r" % ids)

# ---- N concurrent requests, N rows --------------------------------------------------
# the commands' rows so far, folded into the table by reading the log
eq(db.run("audit", user=ADMIN[0], password=ADMIN[1])[0], 0, "the audit log read")
before = last_audit_id(db)
p, port = start(db, "--threads", "2")
status, _, cookies = request(port, "POST", "/api/session",
                             {"name": ANA[0], "password": ANA[1]})
eq(status, 200, "sign in")
session = "; ".join(c.split(";", 1)[0] for c in cookies)
check("dc_session=" in session, "session cookie: %r" % cookies)

N = 240
plan = [(ids[i % len(ids)], "ana" if i % 3 == 0 else "public") for i in range(N)]


def fetch(item):
    did, who = item
    return request(port, "GET", "/api/documents/" + did,
                   cookie=session if who == "ana" else None)[0]


with ThreadPoolExecutor(max_workers=24) as pool:
    statuses = list(pool.map(fetch, plan))
eq(Counter(statuses), Counter({200: N}), "every request answered")
want = Counter((who, "read", did) for did, who in plan)

# Written while the server runs: the rows arrive within the group delay
# (waited for here, not timed).
deadline = time.time() + 30
while time.time() < deadline:
    got = Counter(r for r in audit_rows(db, before) if r[1] == "read")
    if got == want:
        break
    time.sleep(0.1)
eq(got, want, "the rows of the %d reads, written while serving" % N)

# More reads, then SIGTERM at once: the queued rows are written on the way out.
more = [(ids[i % len(ids)], "public") for i in range(N)]
with ThreadPoolExecutor(max_workers=24) as pool:
    statuses = list(pool.map(fetch, more))
eq(Counter(statuses), Counter({200: N}), "every request of the second round answered")
code, err = stop(p)
eq(code, 0, "exit after SIGTERM: " + err)
rows = audit_rows(db, before)
want += Counter((who, "read", did) for did, who in more)
eq(Counter(r for r in rows if r[1] == "read"), want,
   "exactly one read row per request, with its user and target, after SIGTERM")
eq(Counter(r[1] for r in rows if r[1] != "read"), Counter({"login": 1}),
   "no other rows but the sign-in: %r" % Counter(r[1] for r in rows))
m = re.search(r"audit log: (\d+) rows in (\d+) commits \(at most (\d+) in one\)", err)
check(m is not None, "the server says how rows were grouped: %r" % err)
if m:
    n_rows, commits, most = (int(x) for x in m.groups())
    eq(n_rows, 2 * N + 1, "rows counted by the server")
    check(0 < commits < n_rows and most > 1, "rows grouped: %d in %d" % (n_rows, commits))
code, out, err = db.run("check")
eq(code, 0, "the hash chain verifies: " + out + err)

# SIGINT drains too.
before = last_audit_id(db)
p, port = start(db, "--threads", "1")
eq(fetch((ids[0], "public")), 200, "a read")
code, err = stop(p, signal.SIGINT)
eq(code, 0, "exit after SIGINT")
eq([r for r in audit_rows(db, before) if r[1] == "read"], [("public", "read", ids[0])],
   "its row is written on SIGINT")

# ---- nothing kept outlives a change -------------------------------------------------
seed = next(i for i in ids if i.startswith("seeds/001"))
p, port = start(db, "--threads", "1")  # one handle: every request meets what it kept


def portion(doc, pid):
    return next(x for x in doc["portions"] if x["id"] == pid)


status, body, _ = request(port, "GET", "/api/documents/" + seed)
eq(status, 200, "document")
first = json.loads(body)
check(not portion(first, "p2")["withheld"], "p2 readable at first")
request(port, "GET", "/api/documents/" + seed)  # read again: from what the handle keeps
code, out, err = db.run("withhold", seed, "p2", "--reason", "25X1", "--until", "2040-12-31", user=ANA[0],
                        password=ANA[1])
eq(code, 0, "withhold in another process: " + err)
status, body, _ = request(port, "GET", "/api/documents/" + seed)
after = json.loads(body)
check("not declassified" in portion(after, "p2")["text"],
      "the next answer shows the withholding: %r" % portion(after, "p2"))
check(portion(first, "p2")["text"] not in body, "and not the withheld text")
status, body, _ = request(port, "GET", "/documents/" + seed)
check(portion(first, "p2")["text"] not in body, "nor does the HTML page")

status, body, _ = request(port, "GET", "/api/collections")
counts = {c["name"]: c["documents"] for c in json.loads(body)["collections"]}
extra = os.path.join(db.dir, "more")
os.mkdir(extra)
with open(os.path.join(extra, "note.txt"), "w") as f:
    f.write("A new note\n\nSome released text about the armistice.\n")
code, _, err = db.run("ingest", "--released", "--quiet", extra, user=ADMIN[0],
                      password=ADMIN[1])
eq(code, 0, "ingest in another process: " + err)
status, body, _ = request(port, "GET", "/api/collections")
now = {c["name"]: c["documents"] for c in json.loads(body)["collections"]}
eq(now.get("more"), 1, "the new collection is counted at once: %r" % now)
eq({k: v for k, v in now.items() if k != "more"}, counts, "the others as before")
code, err = stop(p)
eq(code, 0, "exit: " + err)

done()
