"""Tamper evidence of the audit log and the versions, through `declass check`
(docs/security.md, "Audit"): a raw SQLite connection (python's sqlite3, as
anyone who can write the file has) can no longer rewrite rows with INSERT
OR REPLACE or slip in an out-of-order row, and when the triggers are
dropped first, `declass check` finds the change (exit 5) and names the
first broken row.  The chain value is recomputed here independently of the
C code, from the documented construction.
"""
import hashlib
import os
import shutil
import sqlite3
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
from dctest import SAMPLES, DB, check, eq, done  # noqa: E402


def chain_of(prev, row):
    """SHA-256 chain value of an audit row (id, at, user, action, target,
    detail) after the row whose chain value is prev (None: the first)."""
    def text(v):
        if v is None:
            return b"\x00" + struct.pack(">Q", 0)
        b = v.encode("utf-8")
        return b"\x01" + struct.pack(">Q", len(b)) + b
    h = hashlib.sha256(b"declass audit chain 1\x00")
    h.update(text(prev))
    h.update(struct.pack(">Q", row[0] & 0xFFFFFFFFFFFFFFFF))
    for v in row[1:]:
        h.update(text(v))
    return h.hexdigest()


def triggers(path):
    con = sqlite3.connect(path)
    t = dict(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    con.close()
    return t


def raw(path, *sql):
    """Runs statements on a raw connection (autocommit); returns the error
    message of the first that fails, or None."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        for s in sql:
            con.execute(s)
    except sqlite3.DatabaseError as e:
        return str(e)
    finally:
        con.close()
    return None


def check_ok(db, what):
    code, _, err = db.run("check")
    eq(code, 0, "check passes: %s (%s)" % (what, err.strip()))


def check_broken(db, want, what):
    code, _, err = db.run("check")
    eq(code, 5, "check exit status: " + what)
    check(want in err, "check names it: %s: want %r in %r" % (what, want, err))


base = DB()
eq(base.run("init")[0], 0, "init")
eq(base.run("ingest", "--released", "--quiet", SAMPLES)[0], 0, "ingest")
ADMIN = base.add_user("admin", "TOP SECRET", "--role", "admin")
for _ in range(3):
    base.run("list")
    base.run("search", "armistice")
eq(base.run("list", user="admin", password="wrong")[0], 4, "a refused login (NULL target, detail)")
# reading the log folds the rows of the reads (kept in the audit journal
# beside the database until then) into the table
eq(base.run("audit", user=ADMIN[0], password=ADMIN[1])[0], 0, "the audit log read")
check_ok(base, "a fresh database")
TRIGGERS = triggers(base.path)
eq(sorted(TRIGGERS), ["audit_in_order", "audit_no_delete", "audit_no_update",
                      "images_no_delete", "images_no_update", "users_generation", "versions_in_order", "versions_no_delete",
                      "versions_no_update"], "the schema's triggers")

# The chain: every row's value is what the construction gives.
con = sqlite3.connect(base.path)
rows = con.execute("SELECT id, at, user, action, target, detail, chain FROM audit"
                   " ORDER BY id").fetchall()
con.close()
check(len(rows) >= 8, "audit rows: %d" % len(rows))
eq([r[0] for r in rows], list(range(1, len(rows) + 1)), "audit ids in order")
prev, good = None, 0
for r in rows:
    want = chain_of(prev, r[:6])
    good += r[6] == want
    prev = want
eq(good, len(rows), "chain values match the documented construction")
check(any(r[4] is None for r in rows) and any(r[5] is None for r in rows),
      "NULL target and detail rows are chained too")
N = len(rows)


def fresh(name):
    """A copy of the base database (no WAL left: the CLI has exited)."""
    db = DB()
    shutil.copy(base.path, db.path)
    return db


# ---- with the triggers in place: refused, nothing changes ------------------------
db = fresh("intact")
for sql in (
        "INSERT OR REPLACE INTO audit(id, at, user, action, target, detail, chain)"
        " SELECT id, at, 'mallory', action, target, detail, chain FROM audit WHERE id = 3",
        "INSERT OR REPLACE INTO audit(id, at, user, action, target, detail, chain)"
        " SELECT id, at, 'mallory', action, target, detail, chain FROM audit"
        " WHERE id = (SELECT max(id) FROM audit)",
        "INSERT INTO audit(id, at, user, action) VALUES (0, 'x', 'mallory', 'read')",
        "INSERT INTO audit(at, user, action) VALUES ('x', 'mallory', 'read')",
        "UPDATE audit SET user = 'mallory' WHERE id = 2",
        "DELETE FROM audit WHERE id = 2"):
    err = raw(db.path, sql)
    check(err is not None and "append-only" in err, "refused: %s (%s)" % (sql, err))
for sql in (
        "INSERT OR REPLACE INTO versions SELECT * FROM versions WHERE docid = 1",
        "INSERT OR REPLACE INTO versions(docid, doc_id, version, hash, ingested_at, body)"
        " SELECT (SELECT max(docid) FROM versions) + 1, doc_id, version, hash, ingested_at,"
        " '{}' FROM versions WHERE docid = 1",
        "INSERT INTO versions(docid, doc_id, version, hash, ingested_at, body)"
        " SELECT 0, doc_id, 99, hash, ingested_at, body FROM versions WHERE docid = 1"):
    err = raw(db.path, sql)
    check(err is not None and "immutable" in err, "refused: %s (%s)" % (sql, err))
con = sqlite3.connect(db.path)
eq(con.execute("SELECT count(*) FROM audit WHERE user = 'mallory'").fetchone()[0], 0,
   "no row of mallory's")
eq(con.execute("SELECT count(*) FROM versions WHERE body = '{}'").fetchone()[0], 0,
   "no version replaced")
con.close()
check_ok(db, "refused tampering changed nothing")

# ---- INSERT OR REPLACE with the triggers dropped (and put back) -------------------
db = fresh("replace")
err = raw(db.path, "DROP TRIGGER audit_in_order", "DROP TRIGGER audit_no_delete",
          "INSERT OR REPLACE INTO audit(id, at, user, action, target, detail, chain)"
          " SELECT id, at, 'mallory', action, target, detail, chain FROM audit WHERE id = 4")
eq(err, None, "replace with the triggers dropped")
check_broken(db, "trigger audit_in_order is missing", "replace, triggers left dropped")
eq(raw(db.path, TRIGGERS["audit_in_order"], TRIGGERS["audit_no_delete"]), None,
   "triggers put back")
check_broken(db, "audit log: the hash chain breaks at row 4 ", "replace, triggers put back")

# ---- a row inserted out of order, triggers dropped --------------------------------
db = fresh("order")
err = raw(db.path, "DROP TRIGGER audit_in_order",
          "INSERT INTO audit(id, at, user, action, target, detail, chain)"
          " SELECT 0, at, 'mallory', action, target, detail, chain FROM audit WHERE id = 1",
          TRIGGERS["audit_in_order"])
eq(err, None, "out-of-order insert with the trigger dropped")
check_broken(db, "audit log: the hash chain breaks at row 0 ", "out-of-order row")
# ... even with a chain value computed by the construction for its place
db = fresh("order2")
con = sqlite3.connect(db.path)
r1 = con.execute("SELECT id, at, user, action, target, detail FROM audit WHERE id = 1").fetchone()
con.close()
forged = (0, r1[1], "mallory", "read", None, None)
err = raw(db.path, "DROP TRIGGER audit_in_order",
          "INSERT INTO audit(id, at, user, action, target, detail, chain)"
          " VALUES (0, '%s', 'mallory', 'read', NULL, NULL, '%s')"
          % (r1[1], chain_of(None, forged)),
          TRIGGERS["audit_in_order"])
eq(err, None, "forged first row")
check_broken(db, "audit log: the hash chain breaks at row 1 ", "row 1 no longer first")

# ---- a row edited with its trigger dropped ----------------------------------------
db = fresh("edit")
err = raw(db.path, "DROP TRIGGER audit_no_update",
          "UPDATE audit SET detail = 'nothing to see' WHERE id = %d" % (N - 1),
          TRIGGERS["audit_no_update"])
eq(err, None, "edit with the trigger dropped")
check_broken(db, "audit log: the hash chain breaks at row %d " % (N - 1), "edited row")
code, _, err = db.run("check")
check("(the row was changed, or a row was inserted or removed before it)" in err,
      "the message says what it means: " + err)

# ---- a version edited with its triggers dropped: the version's hash ------------
db = fresh("versions")
err = raw(db.path, "DROP TRIGGER versions_no_update")
check_broken(db, "trigger versions_no_update is missing", "versions trigger dropped")
# an altered trigger (same name, does nothing) is found too
err = raw(db.path, "CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions WHEN 0"
                   " BEGIN SELECT RAISE(ABORT, 'document versions are immutable'); END")
eq(err, None, "a no-op trigger of the same name")
check_broken(db, "trigger versions_no_update has been altered", "altered trigger")

# ---- appending after all of this still chains ------------------------------------
db = fresh("append")
for _ in range(5):
    db.run("search", "korea")
check_ok(db, "appends keep one chain")
con = sqlite3.connect(db.path)
rows = con.execute("SELECT id, at, user, action, target, detail, chain FROM audit"
                   " ORDER BY id").fetchall()
con.close()
eq(rows[-1][6], chain_of(rows[-2][6], rows[-1][:6]), "the last row's chain value")

done()
