#!/usr/bin/python3
"""Accessibility of the reading room, measured in headless Chromium with
axe-core (vendored in tests/browser/vendor/axe-core): on the home, search,
document, volume, person, term, sign-in, review queue and review pages,
axe reports no violation of impact "serious" or "critical" (every
violation is printed).  Besides axe: each page has one search landmark,
its heading levels never skip one going down (h1 then h2, not h1 then
h3), and a footnote reference is underlined with a target at least 24 px
square to tap.  The pages come from the real FRUS volume, the samples and
a classified memo under review."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rr  # noqa: E402
from dctest import CORPUS, DB, SAMPLES, check, eq  # noqa: E402

VOL = "frus1917-72PubDip"
LIMIT_S = 200
AXE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor", "axe-core",
                   "axe.min.js")

RUN_AXE = """
var done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(function (r) {
  done(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }),
            count: v.nodes.length};
  }));
}).catch(function (e) { done({error: String(e)}); });
"""

# Heading levels in document order, search landmarks, footnote targets.
STRUCTURE = """
var hs = Array.prototype.map.call(document.querySelectorAll('h1,h2,h3,h4,h5,h6'),
                                  function (h) { return +h.tagName[1]; });
var search = document.querySelectorAll('[role=search], search').length;
var fn = Array.prototype.map.call(document.querySelectorAll('sup.dc-fnref a'), function (a) {
  var r = a.getBoundingClientRect(), s = getComputedStyle(a);
  return {w: r.width, h: r.height, underline: s.textDecorationLine.indexOf('underline') >= 0};
});
return {headings: hs, search: search, fn: fn};
"""


def audit(driver, path, dl, axe_src, label):
    dl.step("axe: " + label)
    driver.get(path)
    driver.execute_script(axe_src)
    v = driver.execute_async_script(RUN_AXE)
    check(isinstance(v, list), "%s: axe ran (%r)" % (label, v))
    if not isinstance(v, list):
        return
    for x in v:
        print("   %-8s %-28s %2d× %s — %s" % (x["impact"], x["id"], x["count"],
                                               ", ".join(x["nodes"]), x["help"]))
    bad = sorted("%s (%s)" % (x["id"], x["impact"]) for x in v
                 if x["impact"] in ("serious", "critical"))
    eq(bad, [], "%s: no serious or critical violation" % label)
    s = driver.execute_script(STRUCTURE)
    eq(s["search"], 1, "%s: one search landmark" % label)
    hs = s["headings"]
    skips = [(a, b) for a, b in zip(hs, hs[1:]) if b > a + 1]
    eq(skips, [], "%s: heading levels in order (%s)" % (label, hs))
    check(not hs or hs[0] == 1, "%s: the first heading is h1 (%s)" % (label, hs))
    for f in s["fn"]:
        check(f["underline"], "%s: footnote link underlined" % label)
        check(f["w"] >= 24 and f["h"] >= 24, "%s: footnote target %.0f×%.0f px, at least 24"
              % (label, f["w"], f["h"]))


def run():
    dl = rr.Deadline(LIMIT_S)
    tmp = tempfile.mkdtemp(prefix="dc_browser_axe_")
    srv = driver = profile = None
    try:
        dl.step("database")
        db = DB()
        for src in (os.path.join(CORPUS, "volumes", VOL + ".xml"), SAMPLES):
            code, out, err = db.run("ingest", "--released", "-q", src)
            eq(code, 0, "ingest %s (%s)" % (src, err))
        os.makedirs(os.path.join(tmp, "memo"))
        with open(os.path.join(tmp, "memo", "zebra.txt"), "w") as f:
            f.write("Note on the zebra crossing\n\nSECRET\n\n(U) An open okapi paragraph.\n\n"
                    "(S) The hidden zebra paragraph.\n")
        admin = db.add_user("boss", "TS", "--role", "admin", "--role", "reviewer")
        code, out, err = db.run("ingest", "-q", os.path.join(tmp, "memo"), user=admin[0],
                                password=admin[1])
        eq(code, 0, "ingest the memo (%s)" % err)
        code, out, err = db.run("review", "queue", "memo/zebra", "--kind", "frus", user=admin[0],
                                password=admin[1])
        eq(code, 0, "queue the memo for review (%s)" % err)
        with open(AXE) as f:
            axe_src = f.read()
        dl.step("server")
        srv = rr.Server(db)
        dl.step("browser")
        driver, profile = rr.browser()
        from selenium.webdriver.common.by import By
        doc = srv.url("/documents/%s/d14" % VOL)
        driver.get(doc)
        person = driver.find_element(By.CSS_SELECTOR, ".dc-doc-persons a, a[href*='/persons/']")
        person_url = person.get_attribute("href")
        pages = [("home", srv.url("/")),
                 ("search", srv.url("/search?q=creel")),
                 ("document", doc),
                 ("document with find", doc + "?find=creel"),
                 ("sample document", srv.url("/documents/frus1958-60v18/d279")),
                 ("volume", srv.url("/volumes/" + VOL)),
                 ("person", person_url),
                 ("sign-in", srv.url("/login"))]
        for label, url in pages:
            audit(driver, url, dl, axe_src, label)
        dl.step("sign in")
        driver.get(srv.url("/login"))
        driver.find_element(By.NAME, "name").send_keys(admin[0])
        driver.find_element(By.NAME, "password").send_keys(admin[1])
        driver.find_element(By.CSS_SELECTOR, ".dc-login-form button").click()
        for label, url in (("review queue", srv.url("/review")),
                           ("review", srv.url("/review/memo/zebra"))):
            audit(driver, url, dl, axe_src, label)
    finally:
        rr.cleanup(driver, profile, srv, tmp)
    print("time left: %.1f s" % dl.left())


if __name__ == "__main__":
    rr.main(run)
