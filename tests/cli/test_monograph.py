"""A long text: the history of the FRUS series, a book in one TEI file
(tests/data/corpus/frus-history/monograph/frus-history.xml, public domain,
CC0), read as a volume of its chapters (issue 16).  Each chapter and each
section of the front and back matter is a document with its own notes
(numbered from 1 in each chapter); the parts are divisions of the
contents (`declass volume`, /volumes/frus-history); italics, line breaks
and headings are kept; the running heads (head type
"shortened-for-running-head") are not text.  Citations: the book as a
whole a BibTeX @book (a RIS BOOK), a chapter an @incollection in it, both
read back by pandoc (`--from=bibtex --to=csljson`)."""
import json
import os
import re
import shutil
import subprocess
import urllib.request

from dctest import CORPUS, DB, check, done, eq, serve

BOOK = ("Toward \u201cThorough, Accurate, and Reliable\u201d: A History of the Foreign "
        "Relations of the United States Series")
SRC = os.path.join(CORPUS, "frus-history", "monograph")
CH1 = "frus-history/chapter-1"

db = DB()
db.run("init")
code, out, err = db.run("ingest", "--released", "-q", SRC)
eq(code, 0, "ingest the monograph (%s)" % err)
ids = [d["id"] for d in db.json("list", "--json")["documents"]]
eq(len(ids), 27, "14 chapters and 13 sections")

# ---- the contents page -----------------------------------------------------------
vol = db.json("volume", "frus-history", "--json")
eq(vol["title"], BOOK, "the book's title")
eq([e["name"] for e in vol["editors"]], ["William B. McAllister"], "its editor")
eq((vol["publisher"], vol["pub_place"], vol["pub_date"]),
   ("Office of the Historian, U.S. Department of State", "Washington, D.C.", "2015"),
   "its publication")
eq(vol["documents"], 14, "14 chapters in the body")
body = [(e["kind"], e["level"], e.get("head") or e.get("id")) for e in vol["contents"]
        if e["part"] == "body"]
eq(body[:3], [("document", 0, "frus-history/introduction"),
              ("division", 0, "Part I: Immediate Accountability, 1790s\u20131920s"),
              ("document", 1, CH1)], "introduction, then Part I and its first chapter")
chapters = [x[2] for x in body if x[0] == "document"]
eq(chapters, ["frus-history/introduction"] + ["frus-history/chapter-%d" % n for n in range(1, 13)]
   + ["frus-history/conclusion"], "the chapters in order")
eq([x[2] for x in body if x[0] == "division"],
   ["Part I: Immediate Accountability, 1790s\u20131920s",
    "Part II: Negotiating Responsible Historical Transparency, 1920s to Early 2000s"], "parts")
eq([e["id"] for e in vol["contents"] if e["part"] == "front"],
   ["frus-history/epigraph", "frus-history/foreword"], "front matter")
back = [e["id"] for e in vol["contents"] if e["part"] == "back"]
check("frus-history/bibliography" in back, "back matter: the bibliography")
check("frus-history/terms" in back, "back matter: its Terms, a section (not a volume's list)")
terms = db.json("show", "frus-history/terms", "--json")
check(any(p["text"].startswith("Agency or the Agency, unless otherwise indicated, denotes the "
                               "Central Intelligence Agency") for p in terms["portions"]),
      "the Terms' text kept")
code, out, err = db.run("volume", "frus-history")
check("  Part I: Immediate Accountability, 1790s\u20131920s\n    frus-history/chapter-1 " in out,
      "declass volume prints the parts and their chapters")

# ---- a chapter: its notes, italics, headings, no running head -------------------
ch = db.json("show", CH1, "--json")
eq((ch["portions"][0]["text"], ch["portions"][0].get("group")),
   ("William B. McAllister and Aaron W. Marrs", "byline"), "its byline, kept as such")
eq(ch["title"], "Chapter 1: The Parameters of Openness and Executive Discretion, 1790\u20131860",
   "chapter 1's title")
eq(ch["doc_type"], "chapter", "a chapter")
eq(ch["volume_title"], BOOK, "in the book")
with open(os.path.join(SRC, "frus-history.xml"), encoding="utf-8") as f:
    src = f.read()
ch1_src = src.split('xml:id="chapter-1"')[1].split('xml:id="chapter-2"')[0]
eq(len(ch["footnotes"]), len(re.findall(r"<note[\s>]", ch1_src)), "chapter 1's notes, all its own")
eq([f["n"] for f in ch["footnotes"]][:3], ["1", "2", "3"], "numbered from 1")
check(all(f.get("label") is None for f in ch["footnotes"]), "no renumbering: one chapter each")
marks = [m["value"] for p in ch["portions"] for m in p.get("marks", []) if m["kind"] == "note"]
eq(sorted(set(marks), key=int), [f["n"] for f in ch["footnotes"]], "every note has its marker")
texts = [p["text"] for p in ch["portions"]]
check(not any(t.startswith("Parameters of Openness") for t in texts),
      "the running head is not text")
check(ch["title"] not in texts, "nor is the title repeated")
ch2 = db.json("show", "frus-history/chapter-2", "--json")
heads = [p["text"] for p in ch2["portions"] if p["kind"] == "heading"]
check(len(heads) >= 3, "chapter 2's section headings kept: %r" % heads[:5])
p0 = ch["portions"][1]
t = p0["text"].encode()
check(("hi", "italic", "Foreign Relations of the United States") in
      [(s["kind"], s.get("value"), t[s["start"]:s["end"]].decode()) for s in p0.get("spans", [])],
      "the italic series title kept: %r" % p0["text"][:80])
# line breaks: an item of appendix C, its title line and its summary
app = db.json("show", "frus-history/appendix-c", "--json")
item = [p["text"] for p in app["portions"] if p["text"].startswith("Danish Convicts.")]
eq(item, ["Danish Convicts. 40th Cong., 2nd Sess., SED 71 (Ser. 1317). 2 documents, 3 pages.\n"
          "Alleged practice of Danish authorities to banish convicts to the United States."],
   "a line break kept as a newline")

proc, base = serve(db)
try:
    def get(path):
        with urllib.request.urlopen(base + path.lstrip("/"), timeout=30) as r:
            return r.read().decode("utf-8")
    page = get("/documents/frus-history/appendix-c")
    check("3 pages.<br/>Alleged practice" in page, "the line break in the reading room")
    page = get("/documents/" + CH1)
    check('<i class="dc-hi">Foreign Relations of the United States</i> series' in page,
          "italics in the reading room")
    check(page.count('class="dc-fn"') == len(ch["footnotes"]), "its notes at its end")
    check('href="/documents/frus-history/chapter-2"' in page, "next: chapter 2")
    page = get("/volumes/frus-history")
    check('<a href="/documents/frus-history/chapter-12">' in page, "the contents page")
    check("<pre class=dc-cite-bibtex>@book{frus-history," in page, "the book's BibTeX on it")
finally:
    proc.terminate()
    proc.wait()

# ---- citations -------------------------------------------------------------------
if not shutil.which("pandoc"):
    check(False, "pandoc is installed (debian-packages.txt)")
    done()


def csl(bib):
    p = subprocess.run(["pandoc", "--from=bibtex", "--to=csljson"], input=bib,
                       capture_output=True, text=True, timeout=120)
    eq(p.returncode, 0, "pandoc reads the entry (%s)" % p.stderr)
    return json.loads(p.stdout)


bib = db.run("volume", "frus-history", "--format", "bibtex")[1]
check(bib.startswith("@book{frus-history,"), "the book: @book")
(b,) = csl(bib)
eq(b["type"], "book", "pandoc: a book")
eq(b["title"], BOOK, "its title, capitals kept")
eq(b["editor"], [{"family": "McAllister", "given": "William B."}], "its editor")
eq(b["issued"], {"date-parts": [[2015]]}, "issued 2015")
eq((b["publisher"], b["publisher-place"]),
   ("Office of the Historian, U.S. Department of State", "Washington, D.C."), "publisher, place")
eq(b["URL"], "https://history.state.gov/historicaldocuments/frus-history", "its address")
ris = db.run("volume", "frus-history", "--format", "ris")[1]
check(ris.startswith("TY  - BOOK\nTI  - " + BOOK + "\nED  - William B. McAllister\n"),
      "RIS: a BOOK record")
eq(db.run("volume", "frus-history", "--format", "cite")[1],
   "William B. McAllister, ed., %s (Washington, D.C.: Office of the Historian, U.S. Department "
   "of State, 2015), https://history.state.gov/historicaldocuments/frus-history.\n" % BOOK,
   "Chicago: the book")
eq(db.run("volume", "frus-history", "--format", "word")[0], 2, "an unknown format: usage")
eq(db.run("show", CH1, "--format", "cite")[1],
   "William B. McAllister and Aaron W. Marrs, \"%s,\" in %s, ed. William B. McAllister "
   "(Washington, D.C.: Office of the Historian, U.S. Department of State, 2015), "
   "https://history.state.gov/historicaldocuments/frus-history/chapter-1.\n" % (ch["title"], BOOK),
   "Chicago: the chapter, by its authors, in the book")
check("AU  - William B. McAllister\nAU  - Aaron W. Marrs\n" in
      db.run("show", CH1, "--format", "ris")[1], "RIS: its authors")

bib = db.run("show", CH1, "--format", "bibtex")[1]
check(bib.startswith("@incollection{frus-history:chapter-1,"), "a chapter: @incollection")
(c,) = csl(bib)
eq(c["type"], "chapter", "pandoc: a chapter")
eq(c["title"], ch["title"], "the chapter's title")
eq(c["container-title"], BOOK, "in the book")
eq(c["editor"], [{"family": "McAllister", "given": "William B."}], "the book's editor")
eq(c["author"], [{"family": "McAllister", "given": "William B."},
                 {"family": "Marrs", "given": "Aaron W."}], "the chapter's authors (its byline)")
eq(c["issued"], {"date-parts": [[2015]]}, "the book's year")
eq(c["URL"], "https://history.state.gov/historicaldocuments/frus-history/chapter-1",
   "the chapter's address")

done()
