"""declass serve: start on a free port, answer, log, stop on signals, exit codes."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from dctest import DECLASS, SAMPLES, DB, check, eq, done, serve  # noqa: E402


def start(db, *args):
    """Starts `declass serve --port 0 ARGS`; returns (process, base URL)."""
    return serve(db, *args)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


db = DB()
code, _, err = db.run("init")
eq(code, 0, "init")
code, _, err = db.run("ingest", "--released", "--quiet", SAMPLES)
eq(code, 0, "ingest: " + err)

# serves, logs each request without its query string, stops on SIGTERM
p, base = start(db)
check(re.match(r"http://127\.0\.0\.1:\d+/$", base) is not None, "URL " + base)
status, body = get(base + "api/search?q=armistice&limit=2")
eq(status, 200, "search status")
eq(json.loads(body)["query"], "armistice", "search JSON")
status, body = get(base + "api/documents/nothing/here")
eq(status, 404, "unknown document")
eq(json.loads(body)["status"], 404, "404 JSON")
p.send_signal(signal.SIGTERM)
_, err = p.communicate(timeout=30)
eq(p.returncode, 0, "exit after SIGTERM")
check("GET /api/search 200" in err, "request logged: " + err)
check("armistice" not in err, "query string not logged")
check("GET /api/documents/nothing/here 404" in err, "404 logged")

# --quiet logs no requests; SIGINT stops too; the port is then in use for
# a second server
p, base = start(db, "--quiet", "--threads", "1")
port = base.rsplit(":", 1)[1].strip("/")
eq(get(base + "api/collections")[0], 200, "collections")
code, _, err = db.run("serve", "--port", port)
eq(code, 5, "port in use: exit")
check("already in use" in err, "port in use: message: " + err)
p.send_signal(signal.SIGINT)
_, err = p.communicate(timeout=30)
eq(p.returncode, 0, "exit after SIGINT")
check("GET /api/collections" not in err, "--quiet: " + err)

# bad arguments: 2; a missing database: 1 (as every command), with a message
for args in (["--port", "x"], ["--port", "70000"], ["--threads", "0"], ["--bind", "localhost"],
             ["--bogus"], ["extra"], ["--port"]):
    code, _, err = db.run("serve", *args)
    eq(code, 2, "serve %s" % " ".join(args))
    check(err.startswith("declass: "), "message for %s: %r" % (args, err))
code, out, _ = db.run("serve", "--help")
eq(code, 0, "--help")
check("--port" in out and "--bind" in out, "--help text")
missing = os.path.join(db.dir, "missing.db")
p2 = subprocess.run([DECLASS, "--db", missing, "serve", "--port", "0"], capture_output=True,
                    text=True, timeout=30, stdin=subprocess.DEVNULL)
eq(p2.returncode, 1, "missing database")
check("no database" in p2.stderr, "missing database message: " + p2.stderr)
check(not os.path.exists(missing), "serve creates no database")

done()
