"""Citations that real citation parsers take: `declass show ID --format
bibtex|ris|cite` of a document of the real FRUS volume (editors, publisher,
year, pages, history.state.gov address) and of a plain-text seed (a dated
@misc), read back by Debian's pandoc (`--from=bibtex --to=csljson`, and
`--citeproc` formatting a reference list) and by bibutils (bib2xml,
ris2xml: MODS), asserting the fields: title with its capitals as written,
the book and its editors, issued date, pages, URL."""
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

from dctest import CORPUS, DB, SAMPLES, check, done, eq

for tool in ("pandoc", "bib2xml", "ris2xml"):
    if not shutil.which(tool):
        # debian-packages.txt installs them; a missing one is a failure, not a skip
        check(False, "%s is installed (debian-packages.txt: pandoc, bibutils)" % tool)
        done()

VOL = "frus1917-72PubDip"
D5 = VOL + "/d5"
BOOK = "Foreign Relations of the United States, 1917\u20131972, Public Diplomacy, World War I"
URL5 = "https://history.state.gov/historicaldocuments/frus1917-72PubDip/d5"
MODS = "{http://www.loc.gov/mods/v3}"

db = DB()
code, out, err = db.run("ingest", "--released", "-q", os.path.join(CORPUS, "volumes", VOL + ".xml"))
eq(code, 0, "ingest the volume (%s)" % err)
code, out, err = db.run("ingest", "--released", "-q", os.path.join(SAMPLES, "seeds"))
eq(code, 0, "ingest the seeds (%s)" % err)
d5 = db.json("show", D5, "--json")
eq((d5["title"], d5["date"], d5["pages"][0], d5["pages"][-1]),
   ("Report From the Embassy in Spain", "1917-12-22", "10", "14"), "document 5 as stored")


def run(cmd, data):
    p = subprocess.run(cmd, input=data, capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, "%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p.stdout


def cite(doc_id, fmt):
    code, out, err = db.run("show", doc_id, "--format", fmt)
    eq(code, 0, "%s %s (%s)" % (fmt, doc_id, err))
    return out


# ---- BibTeX through pandoc -------------------------------------------------
bib = cite(D5, "bibtex")
csl = json.loads(run(["pandoc", "--from=bibtex", "--to=csljson"], bib))
eq(len(csl), 1, "pandoc reads one entry")
e = csl[0] if csl else {}
eq(e.get("type"), "chapter", "@incollection is a chapter")
eq(e.get("id"), "frus1917-72PubDip:d5", "key")
eq(e.get("title"), "Report From the Embassy in Spain", "title, capitals kept")
eq(e.get("container-title"), BOOK, "the book")
eq(e.get("editor"), [{"family": "Marrs", "given": "Aaron W."},
                     {"family": "Howard", "given": "Adam M."}], "editors")
eq(e.get("issued"), {"date-parts": [[2014]]}, "issued: the volume's year")
eq(e.get("page"), "10-14", "pages")
eq(e.get("URL"), URL5, "URL")
eq((e.get("publisher"), e.get("publisher-place")),
   ("United States Government Printing Office", "Washington"), "publisher and place")
eq(e.get("chapter-number"), "Document 5", "document number")
eq(e.get("note"), "Dated December 22, 1917", "the document's own date")

# citeproc formats it (Chicago author-date, pandoc's default style)
BIBFILE = os.path.join(db.dir, "d5.bib")
with open(BIBFILE, "w", encoding="utf-8") as f:
    f.write(bib)
ref = run(["pandoc", "--from=markdown", "--to=plain", "--citeproc", "--wrap=none",
           "--metadata=bibliography:" + BIBFILE], "[@frus1917-72PubDip:d5]\n")
check("Report From the Embassy in Spain" in ref and "Marrs" in ref and "2014" in ref and
      "10\u201314" in ref and BOOK in ref, "citeproc reference: " + ref)

# a dated document outside any volume: @misc with its own date
SEED = "seeds/002_cb647602e26f3449"
seed = db.json("show", SEED, "--json")
check(seed.get("date"), "the seed is dated: %r" % seed.get("date"))
sbib = cite(SEED, "bibtex")
check(sbib.startswith("@misc{") and "history.state.gov" not in sbib, "seed: @misc, no URL")
s = json.loads(run(["pandoc", "--from=bibtex", "--to=csljson"], sbib))[0]
y, m, d = (int(x) for x in seed["date"].split("-"))
eq(s.get("issued"), {"date-parts": [[y, m, d]]}, "seed: issued is the document's date")
eq(s.get("title"), seed["title"], "seed: title as written")
check("editor" not in s and "container-title" not in s, "seed: no book, no editors")

# ---- BibTeX and RIS through bibutils ----------------------------------------


def mods(xml):
    root = ET.fromstring(xml.lstrip("\ufeff"))
    ms = root.findall(MODS + "mods")
    eq(len(ms), 1, "one MODS record")
    return ms[0]


def host_of(m):
    return m.find(MODS + "relatedItem[@type='host']")


def names(h):
    out = []
    for n in h.findall(MODS + "name"):
        fam = n.find(MODS + "namePart[@type='family']").text
        role = n.find(MODS + "role/" + MODS + "roleTerm").text
        out.append((fam, role))
    return out


for name, cmd, data in (("bib2xml", ["bib2xml"], bib),
                        ("ris2xml", ["ris2xml"], cite(D5, "ris"))):
    m = mods(run(cmd, data))
    eq(m.find(MODS + "titleInfo/" + MODS + "title").text, "Report From the Embassy in Spain",
       name + ": title")
    h = host_of(m)
    check(h is not None, name + ": a host item (the book)")
    if h is None:
        continue
    eq(h.find(MODS + "titleInfo/" + MODS + "title").text, BOOK, name + ": book title")
    eq(names(h), [("Marrs", "editor"), ("Howard", "editor")], name + ": editors of the book")
    years = [x.text for x in m.iter(MODS + "dateIssued")]
    check("2014" in years, name + ": issued 2014: %r" % years)
    eq(h.find(MODS + "originInfo/" + MODS + "publisher").text,
       "United States Government Printing Office", name + ": publisher")
    eq((m.find(".//" + MODS + "extent/" + MODS + "start").text,
        m.find(".//" + MODS + "extent/" + MODS + "end").text), ("10", "14"), name + ": pages")
    eq(m.find(MODS + "location/" + MODS + "url").text, URL5, name + ": URL")
    eq(m.find(MODS + "part/" + MODS + "detail/" + MODS + "number").text, "Document 5",
       name + ": document number")
ris = cite(D5, "ris")
check("DA  - 1917/12/22/\n" in ris and ris.startswith("TY  - CHAP\n"), "RIS: type and date")

# ---- Chicago ------------------------------------------------------------------
eq(cite(D5, "cite"),
   "\"Report From the Embassy in Spain,\" December 22, 1917, in " + BOOK +
   ", eds. Aaron W. Marrs and Adam M. Howard (Washington: United States Government "
   "Printing Office, 2014), Document 5, pp. 10\u201314, " + URL5 + ".\n", "Chicago note")
# front matter: no number, roman pages
eq(cite(VOL + "/preface", "cite"),
   "\"Preface,\" in " + BOOK + ", eds. Aaron W. Marrs and Adam M. Howard (Washington: "
   "United States Government Printing Office, 2014), pp. VII\u2013VIII.\n", "Chicago: preface")
done()
