"""Hostile clients against `declass serve` (python3 stdlib sockets only):
slow clients, oversized headers and bodies, malformed percent-encoding,
malformed JSON, HTTP/0.9 and garbage request lines, pipelining, half-closed
connections, and a seeded run of random requests (no 5xx but 503, the
server alive, its memory bounded, a normal search still right at the end).

DECLASS_HOSTILE_REQUESTS sets the size of the random run (default 10000).
"""
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from dctest import DECLASS, SAMPLES, DB, check, eq, done  # noqa: E402

N_RANDOM = int(os.environ.get("DECLASS_HOSTILE_REQUESTS", "10000"))
TIMEOUT_S = 3  # the server's idle connection timeout (serve --timeout)
BOUND_S = 2.0  # a normal client is served within this under attack

db = DB()
eq(db.run("init")[0], 0, "init")
code, _, err = db.run("ingest", "--released", "--quiet", SAMPLES)
eq(code, 0, "ingest: " + err)
ADMIN = db.add_user("admin", "TOP SECRET", "--role", "admin")
REV = db.add_user("rev", "TOP SECRET", "--role", "reviewer", admin=ADMIN)
DOC = db.json("list", "--json")["documents"][0]["id"]

# --timeout: bad values are usage errors
for bad in ("0", "x", "-1", "100000"):
    code, _, err = db.run("serve", "--timeout", bad)
    eq(code, 2, "serve --timeout %s" % bad)
code, out, _ = db.run("serve", "--help")
check("--timeout" in out, "--help names --timeout")

logf = open(os.path.join(db.dir, "serve.log"), "w+")
env = dict(os.environ)
# Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
# default) before it is reused, so RSS climbs until the quarantine is full
# however little the server keeps; how soon depends on how many bytes a
# request frees.  A small quarantine lets the RSS check below see what the
# server itself holds.
env["ASAN_OPTIONS"] = ":".join(x for x in (env.get("ASAN_OPTIONS"), "quarantine_size_mb=16")
                               if x)
srv = subprocess.Popen([DECLASS, "--db", db.path, "serve", "--port", "0", "--threads", "2",
                        "--timeout", str(TIMEOUT_S)],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=logf,
                       env=env)
PORT = None
deadline = time.time() + 30
while time.time() < deadline and PORT is None:
    time.sleep(0.1)
    with open(logf.name) as f:
        m = re.search(r"serving .* at http://127\.0\.0\.1:(\d+)/", f.read())
    if m:
        PORT = int(m.group(1))
if PORT is None:
    srv.kill()
    raise SystemExit("serve did not start")


def alive():
    return srv.poll() is None


def rss_kb():
    with open("/proc/%d/status" % srv.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def connect(timeout=10):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Reads HTTP/1.1 responses off a socket (Content-Length, chunked, or
    to the close)."""

    def __init__(self, s):
        self.s, self.buf = s, b""

    def _fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def response(self, head=False):
        """(status, headers dict (lower-case), body)."""
        line = self._line()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", line)
        if not m:
            raise ValueError("bad status line %r" % line[:80])
        status = int(m.group(1))
        hdrs = {}
        while True:
            line = self._line()
            if not line:
                break
            k, _, v = line.partition(b":")
            hdrs[k.strip().lower().decode()] = v.strip().decode("latin-1")
        if head or status in (204, 304):
            return status, hdrs, b""
        if "content-length" in hdrs:
            return status, hdrs, self._take(int(hdrs["content-length"]))
        if hdrs.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                n = int(self._line().split(b";")[0], 16)
                if n == 0:
                    while self._line():
                        pass
                    return status, hdrs, body
                body += self._take(n)
                self._take(2)
        body = self.buf
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    break
                body += d
        except OSError:
            pass
        self.buf = b""
        return status, hdrs, body


def raw(data, timeout=10, shut=False):
    """Sends data on a new connection; returns (status or None, body)."""
    s = connect(timeout)
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        try:
            st, h, b = Reader(s).response()
            return st, b
        except (EOFError, ConnectionError, socket.timeout, ValueError):
            return None, b""
    finally:
        s.close()


def req(method, target, body=b"", headers=None, timeout=10):
    h = {"Host": "127.0.0.1:%d" % PORT}
    h.update(headers or {})
    if body or method == "POST":
        h["Content-Length"] = str(len(body))
    head = "%s %s HTTP/1.1\r\n" % (method, target) + "".join(
        "%s: %s\r\n" % kv for kv in h.items()) + "Connection: close\r\n\r\n"
    s = connect(timeout)
    try:
        s.sendall(head.encode("latin-1") + body)
        return Reader(s).response(head=method == "HEAD")
    finally:
        s.close()


def search_ok(what):
    """A normal search answers correctly; returns its latency."""
    t0 = time.time()
    st, _, body = req("GET", "/api/search?q=armistice&limit=5")
    dt = time.time() - t0
    eq(st, 200, what + ": search status")
    j = json.loads(body)
    check(j["total"] >= 1 and any("armistice" in (x["snippet"] or "").lower()
                                  for x in j["hits"]), what + ": search hits")
    return dt


search_ok("start")

# ---- slow clients (slowloris) ---------------------------------------------
SLOW = 50
slow = [connect() for _ in range(SLOW)]
request = b"GET /api/collections HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
stop = threading.Event()


def drip():
    i = 0
    while not stop.is_set() and i < len(request):
        for s in slow:
            try:
                s.send(request[i:i + 1])
            except OSError:
                pass
        i += 1
        stop.wait(1.0)


dripper = threading.Thread(target=drip)
dripper.start()
slow_lat = []
t_end = time.time() + 6
while time.time() < t_end:
    slow_lat.append(search_ok("under slowloris"))
    time.sleep(0.05)
stop.set()
dripper.join()
check(max(slow_lat) < BOUND_S, "slowloris: max latency %.3fs" % max(slow_lat))
# the dripping clients still hold their connections; once they stop, the
# server closes them after its idle timeout
t0 = time.time()
closed = 0
for s in slow:
    s.settimeout(max(0.1, TIMEOUT_S + 5 - (time.time() - t0)))
    try:
        d = s.recv(4096)
        closed += d == b"" or d.startswith(b"HTTP/1.1 408")
    except (socket.timeout, OSError) as e:
        closed += isinstance(e, ConnectionResetError)
    s.close()
closed_after = time.time() - t0
eq(closed, SLOW, "slowloris: idle connections closed by the server")
check(closed_after < TIMEOUT_S + 5, "slowloris: closed within %.1fs" % closed_after)
check(alive(), "alive after slowloris")
print("slowloris: %d connections, %d searches meanwhile, max latency %.3fs, closed %.1fs after "
      "the last byte" % (SLOW, len(slow_lat), max(slow_lat), closed_after))

# ---- oversized headers, URLs, bodies ----------------------------------------
st, _ = raw(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
check(st in (413, 431), "one 20 KB header: %r" % st)
many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(200))
st, _ = raw(b"GET /api/collections HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
check(st in (413, 431), "200 headers of 100 bytes: %r" % st)
st, _ = raw(b"GET /api/search?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
check(st in (414, 413, 431), "9 KB URL: %r" % st)
st, _ = raw(b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
check(st in (414, 413, 431) or st is None, "100 KB URL: %r" % st)
st, _, b = req("POST", "/api/session", b"x" * 70000, {"Content-Type": "application/json"})
eq(st, 413, "70 KB JSON body")
st, _ = raw(b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n"
            b"\r\n")
check(st in (413, 400), "huge Content-Length: %r" % st)
chunk = b"%x\r\n%s\r\n" % (10000, b"y" * 10000)
st, _ = raw(b"POST /api/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/json\r\n\r\n" + chunk * 8 + b"0\r\n\r\n")
eq(st, 413, "80 KB chunked body")
st, _ = raw(b"POST /api/documents HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
eq(st, 413, "public upload of 1 MB")
check(alive(), "alive after oversized requests")
search_ok("after oversized requests")

# ---- malformed percent-encoding ---------------------------------------------
BAD_ESCAPES = ["%zz", "%", "%0", "%00", "%C0%AF", "%C0%AE%C0%AE", "%E0%80%AF", "%ED%A0%80",
               "%F8%88%80%80%80", "%FF%FE", "a%00b", "%25zz", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
               "%u002e", "%%%%", "%C3", "%C3%28"]
statuses = {}
for e in BAD_ESCAPES:
    for target in ("/documents/" + e, "/api/documents/" + e, "/api/documents/x/" + e,
                   "/static/" + e, "/" + e, "/review/" + e):
        st, h, _ = req("GET", target)
        statuses[st] = statuses.get(st, 0) + 1
        if target.startswith("/review/") and st == 303:  # the public: sign in first
            check(h.get("location", "").startswith("/login"), "GET %s: %r" % (target, h))
        else:
            check(st in (400, 404), "GET %s: %r" % (target, st))
    for target in ("/api/search?q=" + e, "/search?q=" + e, "/api/search?q=a&limit=" + e,
                   "/api/search?q=a&from=" + e, "/api/export?q=a&format=" + e,
                   "/api/search?" + e + "=1", "/api/search?q=a&collection=" + e):
        st, _, body = req("GET", target)
        statuses[st] = statuses.get(st, 0) + 1
        check(st in (200, 400, 404), "GET %s: %r" % (target, st))
        if st == 200 and target.startswith("/api/search"):
            check(json.loads(body)["total"] >= 0, "JSON of %s" % target)
# regression: a %00 in the path cut it short ("/documents/ID%00x" showed ID)
for target in ("/%00", "/documents/%s%%00.xml" % DOC, "/api/documents/%s%%00x" % DOC,
               "/static/app.css%00.x"):
    st, _, _ = req("GET", target)
    eq(st, 400, "GET %s" % target)
check(alive(), "alive after bad escapes")
print("malformed escapes: %d requests, statuses %r" % (sum(statuses.values()), statuses))

# ---- malformed JSON bodies ----------------------------------------------------
BAD_JSON = [b"{", b"}", b"[]", b'"x"', b"1", b"null", b'{"name": "rev"', b"\xff\xfe",
            b'{"name": "rev", "password": }', b"{'name': 'rev'}", b'{"a":' * 5000,
            b"\x00", b'{"name": "\\ud800"']
for body in BAD_JSON:
    st, _, b = req("POST", "/api/session", body, {"Content-Type": "application/json"})
    eq(st, 400, "POST /api/session %r" % body[:30])
st, _, b = req("POST", "/api/session", b"[" * 100000, {"Content-Type": "application/json"})
eq(st, 413, "100 KB of [ as JSON")
# signed in as a reviewer: the withhold body must be a JSON object
st, h, b = req("POST", "/api/session", json.dumps({"name": REV[0], "password": REV[1]}).encode(),
               {"Content-Type": "application/json"})
eq(st, 200, "reviewer signs in")
cookies = {}
s = connect()
s.sendall(("POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json"
           "\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" %
           (PORT, len(json.dumps({"name": REV[0], "password": REV[1]})))).encode() +
          json.dumps({"name": REV[0], "password": REV[1]}).encode())
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
s.close()
for m in re.finditer(rb"Set-Cookie: (dc_\w+)=([0-9a-f]+)", data, re.I):
    cookies[m.group(1).decode()] = m.group(2).decode()
check("dc_session" in cookies and "dc_csrf" in cookies, "session cookies: %r" % list(cookies))
auth = {"Cookie": "dc_session=%s; dc_csrf=%s" % (cookies.get("dc_session"),
                                                  cookies.get("dc_csrf")),
        "X-CSRF-Token": cookies.get("dc_csrf", ""), "Content-Type": "application/json"}
for body in BAD_JSON:
    st, _, b = req("POST", "/api/documents/%s/withhold" % DOC, body, auth)
    eq(st, 400, "withhold %r" % body[:30])
st, _, b = req("POST", "/api/documents/%s/withhold" % DOC, b'{"portion": "p1"}', auth)
eq(st, 400, "withhold without reason")
st, _, b = req("GET", "/api/documents/%s" % DOC)
eq(st, 200, "the document is still public")
check(b'"withheld": true' not in b and b'"withheld":true' not in b, "nothing withheld")
check(alive(), "alive after bad JSON")

# ---- HTTP/0.9, garbage request lines ----------------------------------------
GARBAGE = [b"GET /\r\n", b"GET /\r\n\r\n", b"GET\r\n\r\n", b"\r\n\r\n", b"\x00\x01\x02\xff\r\n\r\n",
           b"GET / HTTP/1.1 extra\r\n\r\n", b"GET / FOO/1.1\r\n\r\n", b"FOO BAR BAZ QUX\r\n\r\n",
           b"G" * 5000 + b" / HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
           b"GET / HTTP/1.1\r\n: empty name\r\n\r\n", b"GET / HTTP/1.1\nHost: x\n\n",
           b"GET  /  HTTP/1.1\r\nHost: x\r\n\r\n", b"GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n",
           b"GET /api/search?q=a HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
           b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcde",
           b"POST /api/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n\x00: y\r\n\r\n",
           b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) * 4]
gstat = {}
for g in GARBAGE:
    st, _ = raw(g, timeout=TIMEOUT_S + 5, shut=True)
    gstat[st] = gstat.get(st, 0) + 1
    print("  garbage %r: %r" % (g[:40], st))
    check(st is None or st < 500 or st == 505, "garbage %r: %r" % (g[:30], st))
    check(alive(), "alive after %r" % g[:30])
print("garbage request lines: %d, statuses %r" % (len(GARBAGE), gstat))
search_ok("after garbage")

# ---- pipelining and half-closed connections --------------------------------
s = connect()
s.sendall(b"GET /api/search?q=armistice&limit=1 HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /api/collections HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /api/documents/nothing/here HTTP/1.1\r\nHost: x\r\n\r\n"
          b"HEAD /api/collections HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /api/search?q=armistice&limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
r = Reader(s)
got = []
for head in (False, False, False, True, False):
    st, h, b = r.response(head=head)
    got.append(st)
    if len(got) == 1:
        eq(json.loads(b)["query"], "armistice", "pipelined 1: body")
    if len(got) == 2:
        check(b.startswith(b"{") and b"collections" in b, "pipelined 2: body")
s.close()
eq(got, [200, 200, 404, 200, 200], "pipelined statuses")
# a whole request then a half-close: answered
st, b = raw(b"GET /api/collections HTTP/1.1\r\nHost: x\r\n\r\n", shut=True)
eq(st, 200, "request then half-close")
# half a request then a half-close: closed without an answer or with a 400
st, b = raw(b"GET /api/collections HTTP/1.1\r\nHost:", shut=True, timeout=TIMEOUT_S + 5)
check(st in (None, 400), "half a request then half-close: %r" % st)
# half a body then a half-close
st, b = raw(b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{\"name\":", shut=True, timeout=TIMEOUT_S + 5)
check(st in (None, 400), "half a body then half-close: %r" % st)
# a connection reset in the middle of a request
s = connect()
s.sendall(b"GET /api/search?q=armistice HTTP/1.1\r\nHost: x\r\n")
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
s.close()
check(alive(), "alive after half-closed connections")
search_ok("after half-closed connections")

# ---- random requests ----------------------------------------------------------
ROUTES = ["/", "/search", "/documents/" + DOC, "/documents/", "/documents/x/y", "/login",
          "/logout", "/review/" + DOC, "/review/" + DOC + "/withhold", "/static/app.css",
          "/static/", "/static/../../etc/passwd", "/api/search", "/api/collections",
          "/api/export", "/api/session", "/api/documents", "/api/documents/" + DOC,
          "/api/documents/" + DOC + "/refs", "/api/documents/" + DOC + "/withhold",
          "/api/documents/" + DOC + "/mark", "/api/documents/" + DOC + "/release",
          "/api/documents/nothing", "/api", "/api/", "/nothing", "//", "/api//search"]
METHODS = ["GET"] * 8 + ["POST"] * 3 + ["HEAD", "DELETE", "PUT", "OPTIONS", "PATCH", "TRACE"]
PARAMS = ["q", "limit", "offset", "from", "to", "collection", "classification", "format", "page",
          "csrf", "next", "version", "portion", "reason", "name", "password"]
VALUES = ["armistice", "korea*", '"nsc 5907"', "title:report", "-soviet", "(a OR b)", "date:1959",
          "0", "1", "-1", "1000", "1001", "99999999999999999999", "1959", "1959-13-40",
          "TOP SECRET", "json", "text", "html", "tei", "bibtex", "ris", "cite", "%zz", "%00",
          "%C0%AF", "%FF", "", "a" * 300, "\u00e9t\u00e9", "%E2%80%AE", "*", "\"", "((((", ")",
          "cites:\"x\"", "NOT", "OR OR OR", "a" * 2000]
CTYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; "
          "boundary=XyZ", "text/plain", None]


def rand_value(rng):
    v = rng.choice(VALUES)
    return "".join(c if c.isascii() and c not in " \"#&+" else "%%%02X" % b
                   for c in v for b in c.encode()) if "%" not in v else v


def rand_body(rng):
    k = rng.randrange(6)
    if k == 0:
        return b""
    if k == 1:
        return json.dumps({rng.choice(PARAMS): rng.choice(VALUES) for _ in range(3)}).encode()
    if k == 2:
        return "&".join("%s=%s" % (rng.choice(PARAMS), rand_value(rng))
                        for _ in range(3)).encode()
    if k == 3:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    if k == 4:
        return (b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--XyZ\r\n"
                b"Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n"
                b"1. Title\r\n\r\ntext\r\n--XyZ--\r\n")
    return rng.choice(BAD_JSON)


def rand_request(rng):
    method = rng.choice(METHODS)
    path = rng.choice(ROUTES)
    if rng.random() < 0.1:
        path += rng.choice(["/", "%zz", "%00", "/..", "?", "#x", "/%C0%AE"])
    if rng.random() < 0.7:
        path += "?" + "&".join("%s=%s" % (rng.choice(PARAMS), rand_value(rng))
                               for _ in range(rng.randrange(1, 5)))
    if "/api/export" in path and rng.random() < 0.8:
        path = "/api/collections"  # exports are costly: a few only
    body = rand_body(rng) if method in ("POST", "PUT", "PATCH", "DELETE") else b""
    hdrs = ["Host: 127.0.0.1:%d" % PORT]
    ct = rng.choice(CTYPES)
    if body and ct:
        hdrs.append("Content-Type: " + ct)
    if body or method == "POST":
        hdrs.append("Content-Length: %d" % len(body))
    if rng.random() < 0.1:
        hdrs.append("Cookie: dc_session=%s; dc_csrf=%s" % ("0" * 64, "f" * 64))
    if rng.random() < 0.05:
        hdrs.append("Origin: http://evil.example")
    return method, (("%s %s HTTP/1.1\r\n" % (method, path)) + "\r\n".join(hdrs) +
                    "\r\n\r\n").encode("utf-8") + body


def fuzz(seed, n, out):
    rng = random.Random(seed)
    s = r = None
    for _ in range(n):
        method, data = rand_request(rng)
        for attempt in range(2):
            try:
                if s is None:
                    s = connect(30)
                    r = Reader(s)
                s.sendall(data)
                st, h, b = r.response(head=method == "HEAD")
                out["status"][st] = out["status"].get(st, 0) + 1
                if st >= 500 and st != 503:
                    out["bad"].append((st, data[:120], b[:200]))
                if h.get("connection", "").lower() == "close":
                    s.close()
                    s = None
                break
            except (EOFError, ConnectionError, socket.timeout, ValueError) as e:
                if s:
                    s.close()
                s = None
                if attempt:
                    out["errors"].append((repr(e), data[:120]))
    if s:
        s.close()


def run_random(seed, n, threads=4):
    out = {"status": {}, "bad": [], "errors": []}
    ths = [threading.Thread(target=fuzz, args=(seed * 100 + i, n // threads, out))
           for i in range(threads)]
    t0 = time.time()
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    return out, time.time() - t0


warm, _ = run_random(1, 1000)
rss0 = rss_kb()
res, secs = run_random(2, N_RANDOM)
rss1 = rss_kb()
total = sum(res["status"].values())
eq(res["bad"][:5], [], "random requests: no 5xx but 503")
eq(res["errors"][:5], [], "random requests: no broken connections")
eq(total, N_RANDOM // 4 * 4, "random requests answered")
check(alive(), "alive after random requests")
check(rss1 < 2 * rss0 + 20 * 1024, "RSS %d kB after, %d kB after warm-up" % (rss1, rss0))
search_ok("after random requests")
print("random requests: %d in %.1fs, statuses %s, RSS %d kB after warm-up, %d kB after" %
      (total, secs, dict(sorted(res["status"].items())), rss0, rss1))

srv.terminate()
srv.wait(timeout=60)
eq(srv.returncode, 0, "serve exit")
with open(logf.name) as f:
    log = f.read()
check("AddressSanitizer" not in log and "runtime error" not in log, "no sanitizer report")
check(" 500 " not in log, "no 500 in the log")
done()
