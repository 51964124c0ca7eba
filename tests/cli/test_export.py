"""Citing and exporting through the CLI: `show --format cite|bibtex|ris|tei`
and `export [QUERY] --format jsonl|tei`.  The FRUS citation is checked
against the volume title the sample's TEI header carries; exports hold
exactly the documents the reader may read (the public's list total, a
query's search total), never a withheld word; the TEI of every sample
reads back through the project's own TEI ingester with the same title and
portion texts.  The TEI of every document of the real FRUS volume
(tests/data/corpus/volumes/) reads back into the same document model:
portions with their kinds, opener/closer groups and inline spans (names
with their corresp ids, abbreviations, references, emphasis, quotations),
the persons and references the text names, footnotes and pages."""
import json
import math
import os
import re
import xml.etree.ElementTree as ET

from dctest import CORPUS, DB, SAMPLES, check, done, eq

TEI_NS = "{http://www.tei-c.org/ns/1.0}"
D279 = "frus1958-60v18/d279"

db = DB()
code, out, err = db.run("ingest", "--released", "-q", SAMPLES)
eq(code, 0, "ingest released samples (%s)" % err)


def ws(s):
    return re.sub(r"\s+", " ", s or "").strip()


# ---- citations ----------------------------------------------------------------
# The volume title exactly as the TEI header of the sample gives it.
with open(os.path.join(SAMPLES, "tei", "frus1958-60v18-d279.xml"), encoding="utf-8") as f:
    header = f.read().split("</teiHeader>")[0]
m = re.search(r'<title type="complete">(.*?)</title>', header, re.S)
check(m is not None, "the sample's header has a complete title")
vol = ws(m.group(1)) if m else ""
eq(vol, "Foreign Relations of the United States, 1958\u20131960, Japan; Korea, Volume XVIII",
   "volume title in the header")
check("<editor" not in header and "<publisher" not in header,
      "the header names no editors or publisher (so the citation must not)")
# Chicago: "Title," date, in VOLUME, Document N, pages, URL -- no editors
# nor publisher, which the header does not give.
WANT_CITE = ("\"National Security Council Report,\" July 1, 1959, in Foreign Relations of "
             "the United States, 1958\u20131960, Japan; Korea, Volume XVIII, Document 279, "
             "pp. 572\u2013579, "
             "https://history.state.gov/historicaldocuments/frus1958-60v18/d279.\n")
check(vol in WANT_CITE, "expected form names the volume")
code, out, err = db.run("show", D279, "--format", "cite")
eq((code, out), (0, WANT_CITE), "cite d279")
d = db.json("show", D279, "--json")
eq(d.get("volume_title"), vol, "volume_title stored at ingest")

code, out, err = db.run("show", D279, "--format", "bibtex")
eq(code, 0, "bibtex d279")
check(out.startswith("@incollection{frus1958-60v18:d279,\n"), "bibtex entry: " + out[:60])
check("  booktitle = {{Foreign Relations of the United States, 1958--1960, Japan; Korea, "
      "Volume XVIII}},\n" in out, "bibtex booktitle")
check("  pages = {572--579},\n" in out and "editor" not in out and "year" not in out,
      "bibtex pages, and no editor or year the header does not give: " + out)
check("  chapter = {Document 279},\n" in out, "bibtex chapter")
code, out, err = db.run("show", D279, "--format", "ris")
eq(code, 0, "ris d279")
check(out.startswith("TY  - CHAP\nTI  - National Security Council Report\n"), "ris head")
check(out.endswith("ER  - \n") and "SE  - Document 279\n" in out and
      "DA  - 1959/07/01/\n" in out, "ris fields: " + out)

# A plain-text seed has no volume metadata: no volume, no URL, nothing made up.
SEED = "seeds/000_5785f422be2d1253"
code, out, err = db.run("show", SEED, "--format", "cite")
eq((code, out), (0, '"National Security Council Report," n.d., Document 279, collection '
                    'seeds, declass record seeds/000_5785f422be2d1253.\n'), "cite a seed")
for fmt in ("bibtex", "ris"):
    code, out, err = db.run("show", SEED, "--format", fmt)
    eq(code, 0, "%s of a seed" % fmt)
    check("history.state.gov" not in out and "Foreign Relations" not in out,
          "%s of a seed claims no volume" % fmt)

# Bad input.
code, out, err = db.run("show", D279, "--format", "chicago")
eq((code, out), (2, ""), "unknown show format")
check("cite" in err, "the message lists the formats: " + err)
code, out, err = db.run("show", "frus1958-60v18/d999", "--format", "cite")
eq((code, out), (1, ""), "cite of a missing document")

# ---- users and a withheld / a classified document -----------------------------------
ADMIN = db.add_user("admin", "TOP SECRET", "--role", "admin")
SEC = db.add_user("sec", "SECRET", admin=ADMIN)
REV = db.add_user("rev", "TOP SECRET", "--role", "reviewer", admin=ADMIN)
src = os.path.join(db.dir, "memos")
os.mkdir(src)
LONG = " ".join(["The withheld passage names the asset xylocarp and the station"] * 4)
with open(os.path.join(src, "secmemo.txt"), "w", encoding="utf-8") as f:
    f.write("Memorandum on Ruritania\n\nSECRET\n\n"
            "(S) The negotiations on the quokkatreaty continue.\n\n"
            "(U) Logistics are routine.\n")
with open(os.path.join(src, "relmemo.txt"), "w", encoding="utf-8") as f:
    f.write("Memorandum on Freedonia\n\nSECRET\n\n(S) The talks went well.\n\n"
            "(S) " + LONG + ".\n\n(U) The meeting ended at noon.\n")
code, out, err = db.run("ingest", "-q", src, user=ADMIN[0], password=ADMIN[1])
eq(code, 0, "admin ingests the memos (%s)" % err)
rel = db.json("show", "memos/relmemo", "--json", user=REV[0], password=REV[1])
longp = next(p for p in rel["portions"] if "xylocarp" in p["text"])
code, out, err = db.run("withhold", "memos/relmemo", longp["id"], "--reason", "25X1", "--until", "2040-12-31",
                        user=REV[0], password=REV[1])
eq(code, 0, "withhold (%s)" % err)
code, out, err = db.run("release", "memos/relmemo", user=REV[0], password=REV[1])
eq(code, 0, "release (%s)" % err)
GAP = "[%d lines of source text not declassified]" % math.ceil(
    len(longp["text"].encode()) / 80)

# ---- export jsonl --------------------------------------------------------------------


def export(*args, who=None):
    if who:
        return db.run("export", *args, user=who[0], password=who[1])
    return db.run("export", *args)


listing = db.json("list", "--json")
public_ids = [x["id"] for x in listing["documents"]]
code, out, err = export()
eq(code, 0, "public export (%s)" % err)
lines = out.splitlines()
eq(len(lines), listing["total"], "one line per readable document")
eq(err.strip(), "%d documents" % listing["total"], "count on stderr")
docs = []
for ln in lines:
    try:
        docs.append(json.loads(ln))
    except ValueError:
        check(False, "line is not JSON: " + ln[:80])
eq([x["id"] for x in docs], public_ids, "ids and order are those of list")
check(all("portions" in x and "release" in x for x in docs), "each line is a document")
check("memos/secmemo" not in public_ids, "classified memo not public")
check("memos/relmemo" in public_ids, "released memo public")
check("quokkatreaty" not in out, "no classified word in the public export")
check("xylocarp" not in out, "no withheld word in the public export")
check(GAP in out, "the gap line stands in for the withheld portion")
one = json.loads(out.splitlines()[public_ids.index(D279)])
eq(one, db.json("show", D279, "--json"), "an export line is the document of show --json")
code, out2, err = export("--format", "jsonl")
eq(out2, out, "jsonl is the default")

code, out, err = export(who=SEC)
eq(code, 0, "cleared export (%s)" % err)
sec_ids = [json.loads(ln)["id"] for ln in out.splitlines()]
eq(len(sec_ids), db.json("list", "--json", user=SEC[0], password=SEC[1])["total"],
   "cleared user's export = their list total")
check("memos/secmemo" in sec_ids and "quokkatreaty" in out, "classified memo for the cleared")

# ---- export tei ----------------------------------------------------------------------
code, out, err = export("--format", "tei")
eq(code, 0, "public tei export (%s)" % err)
try:
    root = ET.fromstring(out.encode("utf-8"))
except ET.ParseError as e:
    root = None
    check(False, "tei export does not parse: %s" % e)
if root is not None:
    eq(root.tag, TEI_NS + "teiCorpus", "root is teiCorpus")
    tei = root.findall(TEI_NS + "TEI")
    eq(len(tei), listing["total"], "one TEI per readable document")
    ids = [t.find(".//%sidno[@type='declass']" % TEI_NS).text for t in tei]
    eq(ids, public_ids, "TEI ids in list order")
    gaps = root.findall(".//%sgap" % TEI_NS)
    # a hidden portion is a gap of the reader's view: extent, no code
    check(any(g.get("reason") == "not declassified" and g.get("extent") for g in gaps),
          "withheld portion is a <gap>")
    check(not any(g.get("reason") == "25X1" for g in gaps), "no exemption code in the view")
    xmlids = [e.get("{http://www.w3.org/XML/1998/namespace}id") for e in root.iter()]
    xmlids = [x for x in xmlids if x]
    eq(len(xmlids), len(set(xmlids)), "xml:ids unique in the corpus")
check("xylocarp" not in out and "quokkatreaty" not in out, "nothing withheld in tei export")
eq(err.strip(), "%d documents" % listing["total"], "tei count on stderr")

# ---- export QUERY --------------------------------------------------------------------
for q in ("korea", '"national security council"', "armistice -soviet", "memorandum",
          "zzyzzx"):
    code, out, err = db.run("search", q, "--json", "--limit", "1000")
    s = json.loads(out)
    code, out, err = export(q)
    eq(code, 0 if s["total"] else 1, "export %r exit" % q)
    got = [json.loads(ln)["id"] for ln in out.splitlines()]
    eq(len(got), s["total"], "export %r = search total" % q)
    eq(sorted(got), sorted(h["id"] for h in s["hits"]), "export %r = search hits" % q)
code, out, err = export("xylocarp")
eq((code, out), (1, ""), "a withheld word finds nothing for the public")
code, out, err = export("quokkatreaty", who=SEC)
eq(code, 0, "cleared query export")
eq([json.loads(ln)["id"] for ln in out.splitlines()], ["memos/secmemo"], "cleared query hits")
code, out, err = export("quokkatreaty", "--format", "tei")
eq(code, 1, "public query export of a classified word: nothing")
root = ET.fromstring(out.encode("utf-8"))
eq(len(root.findall(TEI_NS + "TEI")), 0, "empty corpus still well-formed")

# Bad input.
eq(export("--format", "xml")[0], 2, "unknown export format")
eq(export("a", "b")[0], 2, "two queries")
code, out, err = export("title:(")
eq((code, out), (2, ""), "bad query")
eq(export("--bogus")[0], 2, "bad option")
code, out, err = export("--help")
check(code == 0 and "jsonl" in out, "export --help")

# A full disk: the export fails with a message, never a silent success.
if os.path.exists("/dev/full"):
    import subprocess
    from dctest import DECLASS
    with open("/dev/full", "w") as full:
        p = subprocess.run([DECLASS, "--db", db.path, "export"], stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=600,
                           env={k: v for k, v in os.environ.items()
                                if not k.startswith("DECLASS_")})
    check(p.returncode not in (0, 1, 2) and "declass:" in p.stderr,
          "export to a full disk fails: %d %s" % (p.returncode, p.stderr))

entries = db.json("audit", "--json", user=ADMIN[0], password=ADMIN[1])["entries"]
exp = [e for e in entries if e["action"] == "export"]
check(any(e["user"] == "public" and e["detail"] == "jsonl %d documents" % listing["total"]
          and not e["target"] for e in exp), "public export audited once with its count")
check(any(e["target"] == "quokkatreaty" and e["user"] == "sec" for e in exp),
      "query export audited with its query")

# ---- TEI round trip: every public document through the TEI ingester ------------
rt = DB()
os.mkdir(os.path.join(rt.dir, "rt"))
for i, doc_id in enumerate(public_ids):
    code, out, err = db.run("show", doc_id, "--format", "tei")
    eq(code, 0, "show --format tei %s" % doc_id)
    try:
        ET.fromstring(out.encode("utf-8"))
    except ET.ParseError as e:
        check(False, "TEI of %s does not parse: %s" % (doc_id, e))
    if doc_id == "memos/relmemo":
        check("xylocarp" not in out and "<gap " in out, "public TEI: a gap, no withheld word")
    sub = os.path.join(rt.dir, "rt", "%02d" % i)
    os.mkdir(sub)
    with open(os.path.join(sub, "doc%02d.xml" % i), "w", encoding="utf-8") as f:
        f.write(out)
    before = {x["id"] for x in rt.json("list", "--json")["documents"]} if i else set()
    code, o2, err = rt.run("ingest", "--released", "-q", sub)
    eq(code, 0, "re-ingest the TEI of %s (%s)" % (doc_id, err))
    after = {x["id"] for x in rt.json("list", "--json")["documents"]}
    new = sorted(after - before)
    eq(len(new), 1, "one document back for %s" % doc_id)
    if len(new) != 1:
        continue
    a = db.json("show", doc_id, "--json")
    b = rt.json("show", new[0], "--json")
    eq(b["title"], a["title"], "round trip title of %s" % doc_id)
    eq([ws(p["text"]) for p in b["portions"]], [ws(p["text"]) for p in a["portions"]],
       "round trip portion texts of %s" % doc_id)
    eq(b.get("number"), a.get("number"), "round trip number of %s" % doc_id)
    if a.get("date") and len(a["date"]) == 10:
        eq(b.get("date"), a["date"], "round trip date of %s" % doc_id)
    if doc_id.startswith("frus"):
        eq(new[0], doc_id, "a FRUS document keeps its id")
        eq(b.get("volume_title"), a.get("volume_title"), "round trip volume title")
        eq(rt.run("show", new[0], "--format", "cite")[1],
           db.run("show", doc_id, "--format", "cite")[1], "same citation after the trip")
        eq([(f["n"], ws(f["text"])) for f in b["footnotes"]],
           [(f["n"], ws(f["text"])) for f in a["footnotes"]], "footnotes of %s" % doc_id)
        eq(b["pages"], a["pages"], "pages of %s" % doc_id)

# ---- TEI round trip of the real volume: the whole document model ---------------
VOLID = "frus1917-72PubDip"
vdb = DB()
vdb.run("init")
code, out, err = vdb.run("ingest", "--released", "-q",
                         os.path.join(CORPUS, "volumes", VOLID + ".xml"))
eq(code, 0, "ingest the volume (%s)" % err)
vids = [x["id"] for x in vdb.json("list", "--json")["documents"]]
eq(len(vids), 49, "the volume's 49 documents")
rtv = DB()
rtv.run("init")
folder = os.path.join(rtv.dir, VOLID)
os.mkdir(folder)
for i, doc_id in enumerate(vids):
    code, out, err = vdb.run("show", doc_id, "--format", "tei")
    eq(code, 0, "show --format tei %s" % doc_id)
    with open(os.path.join(folder, "%02d.xml" % i), "w", encoding="utf-8") as f:
        f.write(out)
    if doc_id == VOLID + "/d2":
        check("<opener>\n<salute>Dear Mr. <persName corresp=\"#p_CG_2\">Creel</persName>:"
              "</salute>\n</opener>" in out, "d2: the opener, its salute and the name in it")
        check('<div xml:id="persons"><list>\n<item><persName xml:id="p_CG_2">Creel, George'
              '</persName>, Chairman of the Committee on Public Information from April 1917'
              '</item>' in out, "d2: the entries its names point to, as a list in front")
code, out, err = rtv.run("ingest", "--released", "-q", folder)
eq(code, 0, "re-ingest the volume's TEI (%s)" % err)
eq(sorted(x["id"] for x in rtv.json("list", "--json")["documents"]), sorted(vids),
   "the same ids back")


def spans(p, key="spans", text="text"):
    t = (p[text] or "").encode()
    return [(s["kind"], s.get("value"), t[s["start"]:s["end"]].decode())
            for s in p.get(key, [])]


totals = {}
for doc_id in vids:
    a = vdb.json("show", doc_id, "--json")
    b = rtv.json("show", doc_id, "--json")
    for k in ("title", "number", "date", "pages"):
        eq(b.get(k), a.get(k), "round trip %s of %s" % (k, doc_id))
    eq([(p["kind"], p.get("label"), p.get("group"), p["text"]) for p in b["portions"]],
       [(p["kind"], p.get("label"), p.get("group"), p["text"]) for p in a["portions"]],
       "round trip portions (kind, label, opener/closer, text) of %s" % doc_id)
    eq([spans(p) for p in b["portions"]], [spans(p) for p in a["portions"]],
       "round trip spans of %s" % doc_id)
    eq([(f["n"], f.get("label"), f.get("anchor"), f["text"], spans(f)) for f in b["footnotes"]],
       [(f["n"], f.get("label"), f.get("anchor"), f["text"], spans(f)) for f in a["footnotes"]],
       "round trip footnotes (number, label, anchor, text, spans) of %s" % doc_id)
    eq((b.get("source_note"), b.get("source_spans")), (a.get("source_note"), a.get("source_spans")),
       "round trip source note and its spans of %s" % doc_id)
    eq(b.get("title_spans"), a.get("title_spans"), "round trip names in the title of %s" % doc_id)
    # persons (every name with the list name its corresp gives) and
    # references: the same, in the same order; a section of the front
    # matter that stood before the List of Persons resolves its names now
    if doc_id.split("/")[1][1:].isdigit():
        eq(b["persons"], a["persons"], "round trip persons of %s" % doc_id)
    else:
        check(all(n in b["persons"] for n in a["persons"]), "%s: its persons" % doc_id)
    eq(b["references"], a["references"], "round trip references of %s" % doc_id)
    for p in a["portions"] + a["footnotes"]:
        for x in spans(p):
            totals[x[0]] = totals.get(x[0], 0) + 1
        if p.get("group"):
            totals[p["group"]] = totals.get(p["group"], 0) + 1
    totals["in notes"] = totals.get("in notes", 0) + sum(len(spans(f)) for f in a["footnotes"])
    totals["in titles"] = totals.get("in titles", 0) + len(a.get("title_spans", []))
for k, n in (("persName", 250), ("gloss", 100), ("hi", 100), ("ref", 9), ("quote", 4),
             ("opener", 10), ("closer", 10), ("in notes", 100), ("in titles", 20)):
    check(totals.get(k, 0) >= n, "the volume's %s: %d (at least %d)" % (k, totals.get(k, 0), n))
# a person the list names: name and description back from the exported list
creel = [(p["xml_id"], p["description"]) for p in rtv.json("person", "Creel, George",
                                                             "--json")["persons"]]
eq(creel, [("p_CG_2", "Chairman of the Committee on Public Information from April 1917")],
   "Creel's entry read back from the exported list")

done()
