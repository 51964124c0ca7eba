"""Names and terms in a document's text link to their pages (issue 16), over
the real FRUS volume (tests/data/corpus/volumes/frus1917-72PubDip.xml):
persName/@corresp and gloss/@target of its documents are kept as spans of
the portions' text (the stored JSON's "spans"), and the reading room links
them to /persons/VOLUME/ID and /terms/VOLUME/ID with the entry's
description on hover and focus (data-desc for the style sheet, and
aria-describedby pointing at the description, which a screen reader
reads on focus).  Every linked page exists.  A name withheld by a
reviewer (issue 15) leaves no link, no span and no description behind."""
import html
import os
import re
import urllib.error
import urllib.request

from dctest import CORPUS, DB, check, done, eq, serve

VOL = "frus1917-72PubDip"
SRC = os.path.join(CORPUS, "volumes", VOL + ".xml")
D1 = VOL + "/d1"
LINK = re.compile(r'<a class="(dc-name|dc-term)" href="/(persons|terms)/([^/"]+)/([^"]+)" '
                  r'aria-describedby="([^"]+)" data-desc="([^"]*)">(.*?)</a>')


def get(base, path):
    try:
        with urllib.request.urlopen(base + path.lstrip("/"), timeout=30) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


db = DB()
db.run("init")
ADM = db.add_user("adm", "TS", "--role", "admin")
REV = db.add_user("rev", "TS", "--role", "reviewer", admin=ADM)
code, out, err = db.run("ingest", "--released", "-q", SRC, user=ADM[0], password=ADM[1])
eq(code, 0, "ingest the volume (%s)" % err)

# ---- the model keeps the spans ------------------------------------------------------
doc = db.json("show", D1, "--json")
p1 = doc["portions"][0]
t = p1["text"].encode()
spans = [(s["kind"], s.get("value"), t[s["start"]:s["end"]].decode()) for s in p1["spans"]]
for want in (("persName", "p_WW_1", "Woodrow Wilson"), ("persName", "p_DJ_1", "Josephus Daniels"),
             ("persName", "p_CG_2", "George Creel"), ("gloss", "t_CPI_1", "CPI"),
             ("hi", "italic", "Papers of Woodrow Wilson")):
    check(want in spans, "span %r in d1 p1: %r" % (want, spans))
starts = [(s["start"], -s["end"]) for s in p1["spans"]]
eq(starts, sorted(starts), "spans by start, the longer first")
# the italic title holds a name: both kept, nested
hi = [s for s in p1["spans"] if s["kind"] == "hi"][0]
check(any(s["kind"] == "persName" and hi["start"] <= s["start"] and s["end"] <= hi["end"]
          for s in p1["spans"]), "a name inside the italic title")

# ---- the reading room links them ----------------------------------------------------
proc, base = serve(db)
try:
    code, page = get(base, "/documents/" + D1)
    eq(code, 200, "document 1")
    links = LINK.findall(page)
    check(len(links) >= 5, "names and terms linked in d1: %d" % len(links))
    by_text = {(m[0], html.unescape(re.sub(r"<[^>]+>", "", m[6]))): m for m in links}
    wilson = by_text.get(("dc-name", "Woodrow Wilson"))
    check(wilson is not None, "Woodrow Wilson linked")
    eq(wilson[1:5], ("persons", VOL, "p_WW_1", "person-p_WW_1"), "his link and description id")
    eq(html.unescape(wilson[5]), "President of the United States from 1913 until 1921",
       "his description on hover")
    cpi = by_text.get(("dc-term", "CPI"))
    check(cpi is not None, "CPI linked")
    eq(cpi[1:5], ("terms", VOL, "t_CPI_1", "term-t_CPI_1"), "the term's link")
    eq(html.unescape(cpi[5]), "Committee on Public Information", "the term's definition")
    # the description aria-describedby names, for keyboard and screen readers
    descs = dict(re.findall(r'<span id="((?:person|term)-[^"]+)">([^<]*)</span>',
                            page.split('<div class="dc-descs" hidden>')[1].split("</div>")[0]))
    for m in links:
        eq(html.unescape(descs.get(m[4], "?")), html.unescape(m[5]),
           "description element %s matches data-desc" % m[4])
    check('<i class="dc-hi">Papers of <a class="dc-name"' in page,
          "the italic title with the linked name inside it")
    # the style sheet shows data-desc on hover and on focus
    css = get(base, "/static/style.css")[1]
    check("a.dc-name:focus::after" in css and "a.dc-term:hover::after" in css
          and "content: attr(data-desc)" in css, "hover and focus show the description")
    # every linked page exists, in the first five documents
    seen = set()
    for n in range(1, 6):
        code, page = get(base, "/documents/%s/d%d" % (VOL, n))
        eq(code, 200, "document %d" % n)
        for m in LINK.findall(page):
            seen.add("/%s/%s/%s" % (m[1], m[2], m[3]))
    check(len(seen) >= 10, "distinct persons and terms linked: %d" % len(seen))
    for path in sorted(seen):
        code, page = get(base, path)
        eq(code, 200, "linked page %s" % path)
    code, page = get(base, "/persons/%s/p_WW_1" % VOL)
    check("President of the United States from 1913 until 1921" in page, "Wilson's page")
    check('href="/documents/%s"' % D1 in page, "his page lists document 1")
finally:
    proc.terminate()
    proc.wait()

# ---- a withheld name leaves no link -------------------------------------------------
code, out, err = db.run("withhold", D1, "p1", "--text", "Josephus Daniels", "--kind", "name",
                        "--reason", "25X1", "--until", "2040-01-01", user=REV[0], password=REV[1])
eq(code, 0, "withhold the name (%s)" % err)
pub = db.json("show", D1, "--json")
p1 = pub["portions"][0]
check("Secretary of the Navy [name not declassified] recorded" in p1["text"], "the notice")
t = p1["text"].encode()
names = [t[s["start"]:s["end"]].decode() for s in p1["spans"]]
check("Josephus Daniels" not in names and "[name not declassified]" not in names,
      "no span of the withheld name: %r" % names)
for s in p1["spans"]:
    check(b"not declassified" not in t[s["start"]:s["end"]], "no span over the notice: %r" % s)
check(("persName", "p_WW_1", "Woodrow Wilson") in
      [(s["kind"], s.get("value"), t[s["start"]:s["end"]].decode()) for s in p1["spans"]],
      "the spans after it moved with the text")
code, page, err = db.run("show", D1, "--format", "html")
eq(code, 0, "show the public's HTML")
check("Navy <a" not in page and "[name not declassified]</a>" not in page
      and "Navy <span class=\"dc-redaction\">[name not declassified]</span> recorded" in page,
      "the withheld name is a notice, not a link")
check('<a class="dc-name" href="/persons/%s/p_WW_1"' % VOL in page, "other names still linked")
done()
