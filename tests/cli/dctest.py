"""Helpers for declass CLI tests: run the binary against a temporary database."""
import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

DECLASS = os.environ.get("DECLASS", "build/declass")
SAMPLES = os.environ.get("SAMPLES", os.path.join(os.path.dirname(__file__), "..", "..", "samples"))
# The test corpus in the repository (tests/data/corpus/README.md): the FRUS
# lists, the History of the Foreign Relations Series records, a FRUS volume.
CORPUS = os.environ.get("TEST_CORPUS",
                        os.path.join(os.path.dirname(__file__), "..", "data", "corpus"))

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what, file=sys.stderr)


def eq(got, want, what):
    check(got == want, "%s: got %r, want %r" % (what, got, want))


def done():
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


class DB:
    """A temporary database and a way to run declass on it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dc_cli_")
        atexit.register(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, "test.db")

    def run(self, *args, stdin=None, user=None, password=None, env=None):
        """Runs declass; user/password sign in through $DECLASS_USER and
        $DECLASS_PASSWORD (never inherited from the caller's environment)."""
        e = {k: v for k, v in os.environ.items()
             if k not in ("DECLASS_USER", "DECLASS_PASSWORD", "DECLASS_NEW_PASSWORD")}
        if user is not None:
            e["DECLASS_USER"] = user
        if password is not None:
            e["DECLASS_PASSWORD"] = password
        e.update(env or {})
        p = subprocess.run([DECLASS, "--db", self.path] + list(args), capture_output=True,
                           text=True, input=stdin, timeout=600, env=e,
                           stdin=None if stdin is not None else subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr

    def add_user(self, name, clearance, *extra, password=None, admin=None):
        """Adds a user (password = name + "-pw" unless given), acting as
        admin (a (user, password) pair) or as nobody (bootstrap)."""
        pw = password or name + "-pw"
        if admin:
            code, out, err = self.run("user", "add", name, "--clearance", clearance, *extra,
                                      user=admin[0], password=admin[1],
                                      env={"DECLASS_NEW_PASSWORD": pw})
        else:
            code, out, err = self.run("user", "add", name, "--clearance", clearance, *extra,
                                      password=pw)
        if code != 0:
            raise AssertionError("user add %s: exit %d: %s" % (name, code, err))
        return (name, pw)

    def json(self, *args, **kw):
        code, out, err = self.run(*args, **kw)
        if code != 0:
            raise AssertionError("declass %s: exit %d: %s" % (" ".join(args), code, err))
        return json.loads(out)


WORD = re.compile(r"[^\W\d_]+|\d+")


def words(text):
    """Letter runs and digit runs: 'Report0' is 'Report', '0'."""
    return WORD.findall(text)


def missing_in_order(src, out):
    """The words of src that do not appear in out in the same order (a
    subsequence check); returns (index, word) of the first one missing."""
    ow = words(out)
    j = 0
    for i, w in enumerate(words(src)):
        while j < len(ow) and ow[j] != w:
            j += 1
        if j == len(ow):
            return i, w
        j += 1
    return None


def serve(db, *args):
    """Starts `declass --db DB serve --port 0 ARGS` and waits for its "serving"
    line; returns (process, base URL "http://127.0.0.1:PORT/")."""
    p = subprocess.Popen([DECLASS, "--db", db.path, "serve", "--port", "0"] + list(args),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    lines = []
    while time.time() < deadline:
        line = p.stderr.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"serving .* at (http://\S+/) \(Ctrl-C stops\)", line)
        if m:
            return p, m.group(1)
    p.kill()
    raise AssertionError("serve did not start: %r" % lines)
