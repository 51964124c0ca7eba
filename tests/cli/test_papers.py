"""Policy papers and reference coverage on the real sample corpus:
`declass paper` (NSC 5907 and NSC 5817: the paper documents, approval,
supersession both ways, actions, annexes, the documents discussing it),
name normalization and bad input, reference counts checked against counts
made by reading the documents, resolution of paper references, and that a
supersession named only in withheld or classified text reaches no public
output."""
import os

from dctest import DB, SAMPLES, check, done, eq

EN = "\u2013"
D237, D277, D279 = "frus1958-60v18/d237", "frus1958-60v18/d277", "frus1958-60v18/d279"
SEED279 = "seeds/000_5785f422be2d1253"

db = DB()
code, out, err = db.run("ingest", "--released", "-q", os.path.join(SAMPLES, "tei"),
                        os.path.join(SAMPLES, "seeds"))
eq(code, 0, "ingest samples (%s)" % err)

# ---- NSC 5907 ---------------------------------------------------------------
p = db.json("paper", "NSC 5907", "--json")
eq(p["paper"], "NSC 5907", "paper name")
# d279 (TEI) and seed 000 (its text transcription) both carry the heading
# "NSC 5907" under the title "National Security Council Report".
eq(p["documents"], [D279, SEED279], "the paper itself")
# d279: "The President has this date approved ... enclosed herewith as NSC
# 5907", dated "Washington, July 1, 1959."; d277 footnote 11 agrees ("NSC
# Action No. 2102, approved by the President on July 1").
eq(p["approved"], "1959-07-01", "NSC 5907 approved")
eq(p["approved_in"], D279, "approval read from d279")
# "The enclosed statement of policy, as adopted and approved, supersedes NSC 5817."
eq(p["supersedes"], ["NSC 5817"], "NSC 5907 supersedes")
eq(p["superseded_by"], [], "nothing supersedes NSC 5907 here")
# d237 (NSC 5817): "... supersedes NSC 5702/2."
eq(p["chain"], ["NSC 5702/2", "NSC 5817", "NSC 5907"], "chain")
# the actions d279 names: references C (2083) and E (2102), 2102–b, 2102–c
eq(sorted(p["actions"]), ["2083", "2102", "2102" + EN + "b", "2102" + EN + "c"], "actions")
check("2102" + EN + "b" in p["actions"], "action 2102-b with an en dash, as written")
# "Annex F has this date been reaffirmed", "The Financial Appendix, together
# with Annexes A through E and Annex G"
eq(p["annexes"], ["Annex A", "Annex B", "Annex C", "Annex D", "Annex E", "Annex F", "Annex G",
                  "Financial Appendix"], "annexes")
eq([d["id"] for d in p["discussed_in"]], [D277], "discussed in d277")
eq(p["discussed_in"][0]["date"], "1959-06-25", "d277 date")
check(p["discussed_in"][0]["title"].startswith("Memorandum of Discussion at the 411th"),
      "d277 title")

# the same paper however it is typed
for spelling in ("nsc 5907", "NSC-5907", "NSC5907", " NSC  5907 "):
    eq(db.json("paper", spelling, "--json"), p, "spelling %r" % spelling)

# text output
code, out, err = db.run("paper", "NSC 5907")
eq(code, 0, "paper text exit")
check("approved      1959-07-01" in out, "text shows approval: " + out)
check("NSC 5702/2 -> NSC 5817 -> NSC 5907" in out, "text shows chain")
check("NSC Action No. 2102" + EN + "b" in out, "text shows actions")
check(D277 in out and D279 in out, "text lists documents")

# ---- NSC 5817 ---------------------------------------------------------------
q = db.json("paper", "NSC 5817", "--json")
eq(q["documents"], [D237], "NSC 5817 is d237")
eq(q["superseded_by"], ["NSC 5907"], "NSC 5817 superseded by NSC 5907")
eq(q["supersedes"], ["NSC 5702/2"], "NSC 5817 supersedes NSC 5702/2")
# d237 "The President has this date approved ... enclosed herewith as NSC
# 5817", dated August 11, 1958 (not d279's date: d279 is not NSC 5817).
eq(q["approved"], "1958-08-11", "NSC 5817 approved")
eq([d["id"] for d in q["discussed_in"]], [D277, D279, SEED279], "NSC 5817 discussed in")
check("1772" + EN + "c" in q["actions"], "NSC 5817 names action 1772-c")

# a paper only named, never stored: known through those who discuss it
r = db.json("paper", "NSC 5702/2", "--json")
eq(r["documents"], [], "NSC 5702/2 not stored")
eq(r["superseded_by"], ["NSC 5817"], "NSC 5702/2 superseded by NSC 5817")
eq(r["approved"], None, "NSC 5702/2 approval unknown")
eq([d["id"] for d in r["discussed_in"]], [D237], "NSC 5702/2 discussed in d237")

# ---- bad input and nothing known -------------------------------------------
code, out, err = db.run("paper", "NSC 9999", "--json")
eq((code, out), (1, ""), "unknown paper exits 1 with no output")
check("nothing known" in err, "unknown paper message: " + err)
for bad in ("foo", "NSC", "NSC 59071", "NSC 5907 Series", "", "NSC 5429/"):
    code, out, err = db.run("paper", bad)
    eq(code, 2, "bad paper name %r" % bad)
    eq(out, "", "no output for %r" % bad)
eq(db.run("paper")[0], 2, "no name")
eq(db.run("paper", "NSC 5907", "NSC 5817")[0], 2, "two names")
eq(db.run("paper", "NSC 5907", "--bogus")[0], 2, "unknown option")
eq(db.run("paper", "--help")[0], 0, "help")

# ---- cites: finds the papers' readers ---------------------------------------
s = db.json("search", 'cites:"NSC 5907"', "--json")
eq(sorted(h["id"] for h in s["hits"]), [D277, D279, SEED279], 'cites:"NSC 5907"')
s = db.json("search", 'cites:"NSC 5702/2"', "--json")
eq([h["id"] for h in s["hits"]], [D237], 'cites:"NSC 5702/2"')

# ---- reference counts, made by reading the documents ------------------------
def kinds(doc_id):
    d = db.json("show", doc_id, "--format", "json")
    c = {}
    for ref in d["references"]:
        c[ref["kind"]] = c.get(ref["kind"], 0) + 1
    return c, d["references"]


# seed 000 (NSC 5907, text), counted by reading it: papers NSC 5907, NSC 5817,
# NSC 5429/5 (3); actions 2083, 2102 (list items C and E, footnote markers
# 3 and 5 glued on), 2102–b, 2102–c (4); Documents 237, 273, 274, 277 (4);
# footnote references "footnote 1, Document 273", "footnote 3, Document 274",
# "footnotes 4, 5, and 6, Document 277", "footnote 11, Document 277",
# "footnote 12, Document 277", "footnote 6, Document 237" (three times: one
# reference) (6); file Lot 63 D 351 (twice: one) (1); "See Supplement" (1).
c, refs = kinds(SEED279)
eq(c, {"paper": 3, "action": 4, "document": 4, "footnote": 6, "file": 1, "supplement": 1},
   "seed 000 reference counts")
eq([r.get("relation") for r in refs if r["target"] == "NSC 5817"], ["supersedes"],
   "seed 000 supersedes NSC 5817")
# d35 (TEI), counted by reading: source note RG 330, FRC 65 A 3464,
# 711.5/7-961, 711.5/6-2761 (4 files); "See footnote 2, Document 30" (one
# footnote and one document reference).
c, refs = kinds("frus1961-63v08/d35")
eq(c, {"file": 4, "footnote": 1, "document": 1}, "d35 reference counts")
# seed 002 is the same letter as text: the same references
c2, _ = kinds("seeds/002_cb647602e26f3449")
eq(c2, c, "seed 002 = d35 reference counts")
# seed 003: only its file number 795.00/10–750
c, refs = kinds("seeds/003_a557502f17c5b6b3")
eq(c, {"file": 1}, "seed 003 reference counts")
eq(refs[0]["target"], "795.00/10" + EN + "750", "seed 003 file number")
# d237 footnote 1: "See footnote 10, Foreign Relations, 1955–1957, vol.
# XXIII, Part 2, p. 487." (text and TEI target agree: one volume reference)
c, refs = kinds(D237)
vols = [r for r in refs if r["kind"] == "volume"]
eq([(r["target"], r.get("detail")) for r in vols], [("frus1955-57v23p2", "pg_487")],
   "d237 volume reference")

# ---- resolution -------------------------------------------------------------
out = db.json("refs", D279, "--json")["outgoing"]
res = {(r["kind"], r["target"]): r for r in out}
eq(res[("paper", "NSC 5817")]["id"], D237, "NSC 5817 resolves to d237")
eq(res[("paper", "NSC 5817")]["relation"], "supersedes", "relation shown when readable")
eq(res[("paper", "NSC 5907")]["id"], SEED279, "own paper resolves to its other copy only")
eq(res[("paper", "NSC 5429/5")]["id"], None, "unstored paper unresolved")
eq(res[("document", "237")]["id"], D237, "Document 237 resolves")
out = db.json("refs", D237, "--json")["outgoing"]
res = {(r["kind"], r["target"]): r for r in out}
eq(res[("volume", "frus1955-57v23p2")]["id"], None, "page of an unstored volume unresolved")

# another volume's document resolves when stored: a text file citing
# "Foreign Relations, 1958–1960, vol. XVIII, Japan; Korea, Document 279"
# from a different collection
src = os.path.join(db.dir, "notes")
os.mkdir(src)
with open(os.path.join(src, "volref.txt"), "w") as f:
    f.write("Note on Korea policy\n\nThe paper is printed in Foreign Relations, 1958" + EN +
            "1960, vol. XVIII, Document 279, and discussed at length.\n")
eq(db.run("ingest", "--released", "-q", src)[0], 0, "ingest volref")
out = db.json("refs", "notes/volref", "--json")["outgoing"]
eq([(r["kind"], r["target"], r.get("detail"), r["id"]) for r in out],
   [("volume", "frus1958-60v18", "d279", D279)], "volume document reference resolves")

# the identity rule: a title that is or begins with the paper makes the
# document the paper; a title only mentioning it does not
for fname, text in (("nsc6100.txt", "NSC 6100: U.S. Policy Toward Ruritania\n\nThis "
                                      "statement of policy supersedes NSC 5907.\n"),
                    ("comments.txt", "Comments on NSC 6100\n\nThe Planning Board reviewed "
                                     "NSC 6100 at length.\n")):
    with open(os.path.join(src, fname), "w") as f:
        f.write(text)
eq(db.run("ingest", "--released", "-q", src)[0], 0, "ingest identity notes")
t = db.json("paper", "NSC 6100", "--json")
eq(t["documents"], ["notes/nsc6100"], "title 'NSC 6100: ...' is the paper")
eq([d["id"] for d in t["discussed_in"]], ["notes/comments"], "'Comments on NSC 6100' discusses it")
eq(t["supersedes"], ["NSC 5907"], "subject of a bare 'supersedes' is the document's paper")
eq(db.json("paper", "NSC 5907", "--json")["superseded_by"], ["NSC 6100"],
   "NSC 5907 superseded by NSC 6100")
eq(db.json("paper", "NSC 5817", "--json")["chain"],
   ["NSC 5702/2", "NSC 5817", "NSC 5907", "NSC 6100"], "chain follows successors")

# ---- withheld and classified text reach no public output ---------------------
w = DB()
eq(w.run("ingest", "--released", "-q", os.path.join(SAMPLES, "tei"))[0], 0, "ingest tei")
ADMIN = w.add_user("admin", "TOP SECRET", "--role", "admin")
REV = w.add_user("rev", "TOP SECRET", "--role", "reviewer", admin=ADMIN)
TS = w.add_user("ts", "TOP SECRET", admin=ADMIN)
doc = w.json("show", D279, "--format", "json")
sup = [x["id"] for x in doc["portions"] if "supersedes NSC 5817" in x["text"]]
eq(len(sup), 1, "one portion of d279 states the supersession")
eq(w.json("paper", "NSC 5907", "--json")["supersedes"], ["NSC 5817"], "before withholding")
code, out, err = w.run("withhold", D279, sup[0], "--reason", "25X1", "--until", "2040-12-31", user=REV[0],
                       password=REV[1])
eq(code, 0, "withhold the supersession (%s)" % err)
pub = w.json("paper", "NSC 5907", "--json")
eq(pub["supersedes"], [], "public: supersession withheld")
eq(pub["chain"], ["NSC 5907"], "public: no chain through the withheld statement")
eq(pub["documents"], [D279], "public: d279 still the paper")
eq(w.json("paper", "NSC 5817", "--json")["superseded_by"], [], "public: not superseded")
pout = w.json("refs", D279, "--json")["outgoing"]
eq([r["relation"] for r in pout if r["target"] == "NSC 5817"], [None],
   "public refs: NSC 5817 still named, relation withheld")
code, out, err = w.run("search", 'cites:"NSC 5817"', "--json")
check("supersede" not in out, "no snippet shows the withheld sentence")
# a cleared reader still sees the withheld statement
eq(w.json("paper", "NSC 5907", "--json", user=TS[0], password=TS[1])["supersedes"],
   ["NSC 5817"], "cleared reader sees the supersession")

# a classified (unreleased) document is the only one naming NSC 6008
cls = os.path.join(w.dir, "cls")
os.mkdir(cls)
with open(os.path.join(cls, "memo6008.txt"), "w") as f:
    f.write("Memorandum on Korea\n\nSECRET\n\nNSC 6008 was approved by the President on "
            "March 3, 1960; NSC 6008, which supersedes NSC 5907, is enclosed.\n")
eq(w.run("ingest", "-q", cls, user=ADMIN[0], password=ADMIN[1])[0], 0, "ingest classified memo")
eq(w.json("paper", "NSC 5907", "--json")["superseded_by"], [], "public: classified successor hidden")
code, out, err = w.run("paper", "NSC 6008")
eq((code, out), (1, ""), "public: nothing known about NSC 6008")
check("6008" not in err or "nothing known" in err, "message names only the query")
s6 = w.json("paper", "NSC 6008", "--json", user=TS[0], password=TS[1])
eq(s6["supersedes"], ["NSC 5907"], "cleared: NSC 6008 supersedes NSC 5907")
eq(s6["approved"], "1960-03-03", "cleared: NSC 6008 approval from 'approved by the President on'")
eq(w.json("paper", "NSC 5907", "--json", user=TS[0], password=TS[1])["superseded_by"],
   ["NSC 6008"], "cleared: NSC 5907 superseded by NSC 6008")

done()
