"""A FRUS volume as a historian reads it, through the CLI: `declass volume
ID [--json]` over the real volume tests/data/corpus/volumes/
frus1917-72PubDip.xml (the Office of the Historian's TEI, unchanged):
its header (title, editors, publisher, place, year), its front matter
stored as documents (about, preface, acknowledge, sources), its 44
documents in document order under the compilation "World War I", the
appendix as back matter.  Through the reader's eyes: a copy of the volume
whose document 7 carries a "Secret." marking, ingested unreleased, lists
43 documents to the public (document 7 and its title nowhere) and 44 to a
SECRET reader; an unknown volume and one with nothing readable give the
same exit 1 and message."""
import json
import os

from dctest import CORPUS, DB, SAMPLES, check, done, eq

VOL = "frus1917-72PubDip"
SRC = os.path.join(CORPUS, "volumes", VOL + ".xml")

db = DB()
code, out, err = db.run("ingest", "--released", "-q", SRC)
eq(code, 0, "ingest the volume (%s)" % err)

v = db.json("volume", VOL, "--json")
eq(v["id"], VOL, "id")
eq(v["title"], "Foreign Relations of the United States, 1917\u20131972, Public Diplomacy, "
   "World War I", "complete title from the header")
eq((v["series"], v["subseries"], v["volume_title"]),
   ("Foreign Relations of the United States", "1917\u20131972",
    "Public Diplomacy, World War I"), "series, sub-series, volume title")
eq(v["editors"], [{"name": "Aaron W. Marrs", "role": "primary"},
                  {"name": "Adam M. Howard", "role": "general"}], "editors with roles")
eq((v["publisher"], v["pub_place"], v["pub_date"]),
   ("United States Government Printing Office", "Washington", "2014"), "publication")
eq(v["documents"], 44, "44 documents in the body")

entries = v["contents"]
front = [e["xml_id"] for e in entries if e["part"] == "front"]
eq(front, ["about", "preface", "acknowledge", "sources"],
   "front matter sections in order (toc, terms and persons are not documents)")
back = [e["xml_id"] for e in entries if e["part"] == "back"]
eq(back, ["appendix"], "back matter")
body = [e for e in entries if e["part"] == "body"]
eq(body[0], {"kind": "division", "part": "body", "level": 0, "xml_id": "comp1",
             "type": "compilation", "head": "World War I", "id": None, "number": None,
             "title": None, "date": None}, "the compilation heads the body")
docs = [e for e in body if e["kind"] == "document"]
eq([e["id"] for e in docs], ["%s/d%d" % (VOL, n) for n in range(1, 45)],
   "44 documents in document order")
eq([e["number"] for e in docs], [str(n) for n in range(1, 45)], "their numbers")
check(all(e["level"] == 1 for e in docs), "documents stand inside the compilation")
eq(docs[1]["title"], "Letter From Walter S. Rogers to the Chairman of the Committee on Public "
   "Information (Creel)", "title of document 2 (no number in it)")
eq(docs[1]["date"], "1917-08-13", "date of document 2")
eq(docs[0]["date"], None, "an editorial note is undated")
# every listed title and date is the stored document's
lst = {d["id"]: d for d in db.json("list", "--json")["documents"]}
eq(sorted(lst), sorted(e["id"] for e in entries if e["kind"] == "document"),
   "the contents list exactly the stored documents of the volume")
for e in entries:
    if e["kind"] == "document":
        eq((e["title"], e["date"]), (lst[e["id"]]["title"], lst[e["id"]]["date"]),
           "title and date of " + e["id"])
pre = db.json("show", VOL + "/preface", "--json")
eq((pre["title"], pre["doc_type"]), ("Preface", "front-matter"), "the preface is a document")
check(any("retrospective" in p["text"] for p in pre["portions"]), "with its text")

# The text form: header lines, then the parts with indented contents.
code, out, err = db.run("volume", VOL)
eq(code, 0, "volume (text)")
lines = out.splitlines()
eq(lines[0], v["title"], "text: title first")
check("editors    Aaron W. Marrs (primary), Adam M. Howard (general)" in lines,
      "text: editors line")
check("published  Washington: United States Government Printing Office, 2014" in lines,
      "text: publication line")
check("documents  44" in lines, "text: count")
i = lines.index("Contents")
eq(lines[i + 1], "  World War I", "text: the compilation")
check(lines[i + 2].startswith("    %s/d1 " % VOL) and lines[i + 2].endswith(
    "1. Editorial Note"), "text: first document, indented: %r" % lines[i + 2])
check(lines.index("Front matter") < i < lines.index("Back matter"), "text: parts in order")

# Errors: unknown, no argument, --help.
code, out, err = db.run("volume", "nope")
eq((code, out), (1, ""), "unknown volume: exit 1")
check("no volume 'nope'" in err, "message: " + err)
code, out, err = db.run("volume", "nope", "--json")
eq(code, 1, "unknown volume --json")
check(json.loads(err)["error"]["kind"] == "notfound", "JSON error: " + err)
code, out, err = db.run("volume")
eq(code, 2, "no id: usage")
code, out, err = db.run("volume", "--help")
check(code == 0 and "usage: declass [--db PATH] volume ID" in out, "--help")

# Documents cut from a volume (the samples: one document a file) make no
# volume record: the collection lists its readable documents in order, and
# one file never replaces the contents another gave.
sdb = DB()
eq(sdb.run("ingest", "--released", "-q", os.path.join(SAMPLES, "tei"))[0], 0, "ingest samples")
sv = sdb.json("volume", "frus1958-60v18", "--json")
eq((sv["title"], sv["editors"], sv["documents"]), (None, [], 3), "samples: no header, 3 documents")
eq([(e["kind"], e["id"]) for e in sv["contents"]],
   [("document", "frus1958-60v18/d%d" % n) for n in (237, 277, 279)],
   "samples: the documents by number")

# ---- search: a title holding every query word ranks above mere mentions ------
def title_has_all(title, q):
    t = title.lower()
    return all(w in t for w in q.split())


for q, first in (("embassy spain", "d5"), ("telegram russia", "d10"),
                 ("committee public information switzerland", "d17"),
                 ("military intelligence", None), ("foreign press", None)):
    hits = db.json("search", q, "--json", "--limit", "50")["hits"]
    check(hits, "search %r finds documents" % q)
    flags = [title_has_all(h["title"], q) for h in hits]
    check(any(flags) and flags == sorted(flags, reverse=True),
          "search %r: every title holding all its words first: %r" %
          (q, [(h["id"].split("/")[1], f) for h, f in zip(hits, flags)][:12]))
    if first:
        eq(hits[0]["id"], VOL + "/" + first, "search %r: first hit" % q)

# ---- through the reader's eyes ---------------------------------------------
# The same volume with document 7 marked Secret, ingested unreleased.
rdb = DB()
with open(SRC, encoding="utf-8") as f:
    tei = f.read()
MARK = 'xml:id="d7fn1" type="source">Source:'
check(tei.count(MARK) == 1, "the source note of document 7 is where expected")
os.makedirs(os.path.join(rdb.dir, "in"))
with open(os.path.join(rdb.dir, "in", VOL + ".xml"), "w", encoding="utf-8") as f:
    f.write(tei.replace(MARK, 'xml:id="d7fn1" type="source">Secret. Source:'))
code, out, err = rdb.run("ingest", "-q", os.path.join(rdb.dir, "in"))
eq(code, 0, "ingest the marked copy (%s)" % err)
admin = rdb.add_user("admin", "TOP SECRET", "--role", "admin")
sec = rdb.add_user("sec", "SECRET", admin=admin)

pub = rdb.json("volume", VOL, "--json")
ids = [e["id"] for e in pub["contents"] if e["kind"] == "document" and e["part"] == "body"]
eq(pub["documents"], 43, "the public: 43 documents")
check(VOL + "/d7" not in ids, "the public: document 7 not listed")
eq(ids[4:7], [VOL + "/d5", VOL + "/d6", VOL + "/d8"], "the public: 6 is followed by 8")
code, out, err = rdb.run("volume", VOL)
check(code == 0 and VOL + "/d7 " not in out and "7. Cablegram" not in out,
      "the public's text listing shows nothing of document 7")
cleared = rdb.json("volume", VOL, "--json", user=sec[0], password=sec[1])
eq(cleared["documents"], 44, "a SECRET reader: 44 documents")
check(VOL + "/d7" in [e["id"] for e in cleared["contents"]], "a SECRET reader sees document 7")

# A volume of which the reader may open nothing is not there for them.
solo = DB()
with open(SRC, encoding="utf-8") as f:
    tei = f.read()
os.makedirs(os.path.join(solo.dir, "in"))
with open(os.path.join(solo.dir, "in", VOL + ".xml"), "w", encoding="utf-8") as f:
    f.write(tei.replace('type="source">Source:', 'type="source">Top Secret. Source:')
            .replace("Editorial Note</head>",
                     'Editorial Note<note n="0" type="source">Top Secret.</note></head>'))
eq(solo.run("ingest", "-q", os.path.join(solo.dir, "in"))[0], 0, "ingest all-secret copy")
code, out, err = solo.run("volume", VOL)
pub_docs = [d["id"] for d in solo.json("list", "--json")["documents"]]
# the front and back matter has no source note: still public
eq(sorted(pub_docs), sorted(VOL + "/" + x for x in ("about", "preface", "acknowledge",
                                                    "sources", "appendix")),
   "only the unmarked front and back matter is public")
check(code == 0 and "/d1 " not in out and "\n  World War I\n" not in out and "Contents" not in out,
      "no division is shown without a readable document in it: " + out)
check("documents  0" in out, "no body document counted")
done()
