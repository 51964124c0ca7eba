"""Helpers for the reading-room browser test: a declass server on a
temporary database, a plain HTTP client (no JavaScript, cookies kept) and
a headless Chromium driven by Selenium."""
import http.cookiejar
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import dctest  # noqa: E402  (the CLI tests' helpers: DB, check, eq, done)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = os.environ.get("ARTIFACTS", os.path.join(tempfile.gettempdir(), "dc-browser"))


def die_with_parent():
    """preexec_fn: the child gets SIGTERM when the test process dies, even
    by SIGKILL (a CTest timeout), so no server or driver is left behind."""
    import ctypes
    import signal
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Deadline:
    """The whole test must finish within seconds; step() fails past it."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()

    def step(self, what):
        if self.left() <= 0:
            raise TimeoutError("time limit reached before: " + what)
        print("-- " + what, flush=True)


class Server:
    """`declass serve --port 0 --quiet` on db; the port is read from its
    "serving ... at http://127.0.0.1:PORT/" line on stderr."""

    def __init__(self, db, timeout=20):
        self.proc = subprocess.Popen([dctest.DECLASS, "--db", db.path, "serve", "--port", "0",
                                      "--quiet"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     preexec_fn=die_with_parent)
        self.lines = []
        self.port = None
        end = time.monotonic() + timeout
        buf = b""
        while self.port is None:
            left = end - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("server did not start: %r" % (self.lines + [buf.decode()]))
            r, _, _ = select.select([self.proc.stderr], [], [], left)
            if not r:
                continue
            chunk = os.read(self.proc.stderr.fileno(), 4096)
            if not chunk:
                continue
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.decode("utf-8", "replace")
                self.lines.append(line)
                m = re.search(r"serving .* at http://127\.0\.0\.1:(\d+)/", line)
                if m:
                    self.port = int(m.group(1))
        self.base = "http://127.0.0.1:%d" % self.port
        # keep draining stderr so the server never blocks on a full pipe
        self.drain = threading.Thread(target=self._drain, daemon=True)
        self.drain.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    def url(self, path):
        return self.base + path

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Client:
    """A browser without JavaScript: urllib with a cookie jar, no
    redirects followed (so statuses and Location headers can be checked)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            return None

    def __init__(self, server):
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  self._NoRedirect())

    def request(self, path, form=None, headers=None):
        """Returns (status, headers, body text)."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.server.url(path), data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=20) as r:
                return r.status, r.headers, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")
            return e.code, e.headers, body

    def csrf(self, html):
        m = re.search(r'name=csrf value="([0-9a-f]+)"', html)
        return m.group(1) if m else ""

    def login(self, name, password):
        status, _, html = self.request("/login")
        return self.request("/login", {"name": name, "password": password, "next": "/",
                                       "csrf": self.csrf(html)})


def main_of(html):
    """The <main> element of a page (what differs between pages)."""
    m = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    return m.group(1) if m else None


def browser():
    """A headless Chromium with a fresh profile; (driver, profile dir)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="dc_chrome_")
    # Chromium is started by chromedriver; a wrapper makes it die with
    # chromedriver too (the death signal survives exec).
    wrapper = os.path.join(profile, "chromium")
    with open(wrapper, "w") as f:
        f.write("#!%s\nimport ctypes, os, signal, sys\n"
                "ctypes.CDLL('libc.so.6').prctl(1, signal.SIGTERM)\n"
                "os.execv(%r, [%r] + sys.argv[1:])\n" % (sys.executable, CHROMIUM, CHROMIUM))
    os.chmod(wrapper, 0o700)
    opts = webdriver.ChromeOptions()
    opts.binary_location = wrapper
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--user-data-dir=" + os.path.join(profile, "profile"), "--window-size=1280,1000",
              "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        service = Service(CHROMEDRIVER, popen_kw={"preexec_fn": die_with_parent})
        driver = webdriver.Chrome(service=service, options=opts)
    except Exception:
        shutil.rmtree(profile, True)
        raise
    driver.set_page_load_timeout(20)
    return driver, profile


class Shots:
    """Numbered screenshots in ARTIFACTS."""

    def __init__(self, driver):
        self.driver = driver
        self.n = 0
        os.makedirs(ARTIFACTS, exist_ok=True)
        for f in os.listdir(ARTIFACTS):
            if f.endswith(".png"):
                os.unlink(os.path.join(ARTIFACTS, f))

    def __call__(self, name):
        self.n += 1
        self.driver.save_screenshot(os.path.join(ARTIFACTS, "%02d-%s.png" % (self.n, name)))


def cleanup(driver, profile, srv, tmp):
    """The end of every browser test: the browser, its profile, the server
    (its stderr checked for sanitizer reports) and the temporary folder."""
    if driver:
        driver.quit()
    if profile:
        shutil.rmtree(profile, True)
    if srv:
        srv.stop()
        errors = [l for l in srv.lines if "ERROR" in l or "runtime error" in l]
        dctest.eq(errors, [], "server errors (sanitizers)")
        if errors:
            print("\n".join(srv.lines[-80:]), file=sys.stderr)
    if tmp:
        shutil.rmtree(tmp, True)


def main(run):
    """Runs a browser test's run(): a SIGTERM (CTest's timeout) still runs
    its clean-up; an exception is a failed check; then the summary."""
    import signal
    import traceback
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    try:
        run()
    except Exception as e:
        traceback.print_exc()
        dctest.check(False, "test aborted: %s" % e)
    dctest.done()
