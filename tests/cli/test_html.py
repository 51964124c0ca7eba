"""declass show --format html: the HTML edition of the seeds and of FRUS TEI
documents parses as XML, its ids are unique, footnotes are linked both ways,
references link to the documents the reader may read, and withheld text
never shows."""
import glob
import os
import xml.etree.ElementTree as ET

from dctest import DB, SAMPLES, check, done, eq

SEEDS = os.path.join(SAMPLES, "seeds")
TEI = os.path.join(SAMPLES, "tei")
D279 = os.path.join(TEI, "frus1958-60v18-d279.xml")
D237 = os.path.join(TEI, "frus1958-60v18-d237.xml")


def parse(html, what):
    """Parses the fragment as XML; returns the root element or None."""
    try:
        root = ET.fromstring(html)
    except ET.ParseError as e:
        check(False, "%s: not well-formed: %s" % (what, e))
        return None
    eq(root.tag, "article", what + " root")
    eq(root.get("class"), "dc-doc", what + " root class")
    return root


def check_links(root, what):
    """Unique ids; every #fragment link has its target; every listed note
    that has a back link is pointed to by the marker it links back to."""
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    eq(len(ids), len(set(ids)), what + " ids unique")
    ids = set(ids)
    for a in root.iter("a"):
        href = a.get("href", "")
        if href.startswith("#"):
            check(href[1:] in ids, "%s: link %s has no target" % (what, href))
    by_id = {e.get("id"): e for e in root.iter() if e.get("id") is not None}
    for fn in root.iter("li"):
        back = [a for a in fn.iter("a") if a.get("class") == "dc-fnback"]
        for a in back:
            ref = by_id.get(a.get("href", "#")[1:])
            check(ref is not None and ref.get("class") == "dc-fnref",
                  "%s: back link of %s goes to a marker" % (what, fn.get("id")))
            if ref is not None:
                inner = [x.get("href") for x in ref.iter("a")]
                eq(inner, ["#" + fn.get("id")],
                   "%s: marker of %s links to it" % (what, fn.get("id")))
    for e in root.iter():
        check(e.tag not in ("script", "style", "iframe"), what + " no script/style")
        check(not any(k.startswith("on") for k in e.attrib), what + " no event handlers")
    return ids


def show_html(db, doc_id, **kw):
    code, out, err = db.run("show", doc_id, "--format", "html", **kw)
    eq(code, 0, "show --format html %s (%s)" % (doc_id, err))
    return out


# ---- the seeds -------------------------------------------------------------
db = DB()
eq(db.run("ingest", "--released", "-q", SEEDS)[0], 0, "ingest seeds")
for path in sorted(glob.glob(os.path.join(SEEDS, "*.txt"))):
    sid = "seeds/" + os.path.basename(path)[:-4]
    html = show_html(db, sid)
    root = parse(html, sid)
    if root is None:
        continue
    eq(root.get("data-id"), sid, sid + " data-id")
    ids = check_links(root, sid)
    d = db.json("show", sid, "--json")
    body = [e for e in root.iter("div") if e.get("class") == "dc-body"]
    eq(len(body), 1, sid + " one body")
    portions = [e for e in body[0] if "dc-portion" in (e.get("class") or "").split()]
    eq([e.get("data-portion") for e in portions], [p["id"] for p in d["portions"]],
       sid + " portions in order")
    for p in d["portions"]:
        check(p["id"] in ids, sid + " portion id " + p["id"])
    pages = {e.get("data-page") for e in root.iter("span") if e.get("class") == "dc-page"}
    for pg in d["pages"]:
        check(pg in pages, "%s page %s shown" % (sid, pg))
    notes = [e for e in root.iter("li") if e.get("class") == "dc-fn"]
    want = (1 if d.get("source_note") else 0) + sum(1 for f in d["footnotes"] if f["text"])
    eq(len(notes), want, sid + " notes listed")
    for f in d["footnotes"]:
        if f["text"] and any(m["kind"] == "note" and m["value"] == f["n"]
                             for p in d["portions"] for m in p.get("marks", [])):
            fid = "fn-" + "".join(c if c.isalnum() or c in "_-" else "_" for c in f["n"])
            check("fnref-" + fid[3:] in ids, "%s note %s linked from the text" % (sid, f["n"]))

# the text is escaped, and the text edition's words are all there
s0 = show_html(db, "seeds/000_5785f422be2d1253")
check("<h1 class=\"dc-title\">" in s0, "seed title")
check("dc-banner dc-level-top-secret" in s0, "seed banner")

# ---- FRUS TEI: d279 with d237 readable --------------------------------------
db2 = DB()
eq(db2.run("ingest", "--released", "-q", D279, D237)[0], 0, "ingest d279 d237")
html = show_html(db2, "frus1958-60v18/d279")
root = parse(html, "d279")
if root is not None:
    ids = check_links(root, "d279")
    xrefs = [a for a in root.iter("a") if a.get("class") == "dc-xref"]
    check(any(a.get("href") == "/documents/frus1958-60v18/d237" and a.get("data-ref") == "237"
              for a in xrefs), "d279 links Document 237")
    check(all(a.get("href") == "/documents/frus1958-60v18/d237" for a in xrefs),
          "d279 links only stored documents: %r" % [a.get("href") for a in xrefs])
    eq(sum(1 for e in root.iter("li") if e.get("class") == "dc-fn"), 15, "d279 notes (source + 14)")
    for n in range(1, 15):
        check("fn-%d" % n in ids and "fnref-%d" % n in ids, "d279 note %d both ways" % n)
    check("fn-0" in ids and "fnref-0" in ids, "d279 source note linked from the title")
    red = [e for e in root.iter("span") if e.get("class") == "dc-redaction"]
    eq(len(red), 2, "d279 redaction runs")
    check(red and red[0].text == "[1 line of source text not declassified]", "d279 gap text")
    h1 = root.find("header/h1")
    check(h1 is not None and h1.find("span").text == "279.", "d279 number")
    eq(root.find("header/p[@class='dc-date']/time").get("datetime"), "1959-07-01", "d279 date")

# d237 not stored, or stored but not readable by the public: no link
db3 = DB()
eq(db3.run("ingest", "--released", "-q", D279)[0], 0, "ingest d279 alone")
check("dc-xref" not in show_html(db3, "frus1958-60v18/d279"), "no link to a missing document")
eq(db3.run("ingest", "-q", D237)[0], 0, "ingest d237 unreleased")
code, out, err = db3.run("show", "frus1958-60v18/d237", "--format", "html")
eq(code, 1, "unreleased d237 hidden from the public")
check("dc-xref" not in show_html(db3, "frus1958-60v18/d279"),
      "no link to a document the reader may not read")
ADMIN = db3.add_user("admin", "TOP SECRET", "--role", "admin", "--role", "reviewer")
check("/documents/frus1958-60v18/d237" in show_html(db3, "frus1958-60v18/d279", user=ADMIN[0],
                                                     password=ADMIN[1]),
      "a cleared reader gets the link")

# a withheld portion: its words are nowhere in the public HTML
d = db2.json("show", "frus1958-60v18/d279", "--json")
p = next(p for p in d["portions"] if "Panmunjom" in p["text"] or len(p["text"]) > 200)
secret = p["text"][:60]
ADMIN2 = db2.add_user("admin", "TOP SECRET", "--role", "admin", "--role", "reviewer")
code, out, err = db2.run("withhold", "frus1958-60v18/d279", p["id"], "--reason", "25X1", "--until", "2040-12-31",
                         user=ADMIN2[0], password=ADMIN2[1])
eq(code, 0, "withhold (%s)" % err)
html = show_html(db2, "frus1958-60v18/d279")
check(secret not in html, "withheld text absent from public HTML")
root = parse(html, "d279 withheld")
if root is not None:
    check_links(root, "d279 withheld")
    div = [e for e in root.iter("div") if e.get("data-portion") == p["id"]]
    eq(len(div), 1, "withheld portion present")
    if div:
        eq(div[0].get("class"), "dc-portion dc-gap", "withheld portion class")
        span = div[0].find("span[@class='dc-redaction']")
        check(span is not None and span.get("data-reason") is None
              and span.text.endswith("not declassified]"), "withheld portion redaction")

# bad format still refused
eq(db2.run("show", "frus1958-60v18/d279", "--format", "htm")[0], 2, "bad format exit")
done()
