"""declass init | ingest | list | show over the four plain-text seeds, with the
values checked by reading the documents."""
import json
import os
import re
import shutil

from dctest import DB, SAMPLES, check, done, eq, missing_in_order

SEEDS = os.path.join(SAMPLES, "seeds")
S0, S1, S2, S3 = ("seeds/000_5785f422be2d1253", "seeds/001_5ebef3754071e70a",
                  "seeds/002_cb647602e26f3449", "seeds/003_a557502f17c5b6b3")

db = DB()
code, out, err = db.run("init")
eq(code, 0, "init exit")
code, out, err = db.run("ingest", "--released", SEEDS)
eq(code, 0, "ingest exit (%s)" % err)
check("4 new, 0 updated, 0 unchanged" in err, "summary line: " + err)

# list --json: shape of DESIGN.md
lst = db.json("list", "--json")
eq(lst["total"], 4, "list total")
eq([d["id"] for d in lst["documents"]], [S2, S0, S1, S3], "list ids (numbered by number, then by id)")
eq(sorted(lst["documents"][0].keys()),
   sorted(["id", "collection", "title", "date", "classification", "doc_type"]), "list keys")

# 000: NSC 5907 (FRUS 1958-60 vol. XVIII, document 279)
d = db.json("show", S0, "--json")
eq(d["id"], S0, "000 id")
eq(d["collection"], "seeds", "000 collection")
eq(d["number"], "279", "000 number")
eq(d["title"], "National Security Council Report", "000 title")
eq(d["doc_type"], "report", "000 doc_type")
eq(d["classification"], "TOP SECRET", "000 classification")
eq(d["release"]["status"], "released", "000 release")
eq(d["pages"], ["572", "573", "574", "575", "576", "577", "579"], "000 pages")
check(d["source_note"].startswith("Source: Department of State, S/SNSC Files: Lot 63 D 351, "
                                  "NSC 5907 Series. Top Secret."), "000 source note")
eq(d["source_note_n"], "0", "000 source note marker")
eq(d["source_note_label"], "1", "000 source note label")
eq(d["title_note"], "0", "000 title marker")
fn = {f["n"]: f for f in d["footnotes"]}
eq(len(d["footnotes"]), 15, "000 footnote count")
eq(sorted(fn, key=int), [str(i) for i in range(1, 16)], "000 footnote numbers")
eq(fn["1"]["text"], "Document 237.", "000 footnote 1")
eq(fn["1"]["label"], "2", "000 footnote 1 label")
eq(fn["2"]["text"], "See footnote 1, Document 273.", "000 footnote 2")
eq(fn["9"]["text"], "Printed from a copy that bears this typed signature.", "000 footnote 9")
eq(fn["9"]["anchor"], None, "000 footnote 9 has no marker in the transcription")
check(fn["10"]["text"].startswith("The U.S. and ROK forces envisaged above"), "000 footnote 10")
eq(fn["15"]["text"], "See footnote 6, Document 237.", "000 footnote 15")
check(fn["1"]["anchor"] is not None and fn["1"]["anchor"].startswith("p"), "000 fn 1 anchored")
eq([(g["extent"], g["page"]) for g in d["gaps"]],
   [("1 line", "575"), ("less than 1 line", "577")], "000 gaps")
eq(d["file_numbers"], ["Lot 63 D 351"], "000 file numbers")
refs = {(r["kind"], r["target"]): r for r in d["references"]}
for key in [("document", "237"), ("document", "273"), ("document", "274"), ("document", "277"),
            ("paper", "NSC 5817"), ("paper", "NSC 5907"), ("paper", "NSC 5429/5"),
            ("action", "2083"), ("action", "2102\u2013b"), ("action", "2102\u2013c"),
            ("supplement", "Supplement")]:
    check(key in refs, "000 reference %r" % (key,))
eq(refs.get(("paper", "NSC 5817"), {}).get("relation"), "supersedes", "000 supersedes")
eq(sorted(r.get("detail") for r in d["references"]
          if r["kind"] == "footnote" and r["target"] == "277"), ["11", "12", "4, 5, and 6"],
   "000 footnote refs to Document 277")
texts = [p["text"] for p in d["portions"]]
check(any(t.endswith("NSC 5817") for t in texts), "000 'NSC 58171' split into NSC 5817 + 1")
check(any("dated April 29, 1959" in t and not "19592" in t for t in texts), "000 19592 split")
check(any("Declaration by calling" in t for t in texts), "000 Declaration14by split")
heads = [p["text"] for p in d["portions"] if p["kind"] == "heading"]
for h in ["Major Policy Guidance", "The Korean Armistice", "Unification of Korea", "North Korea"]:
    check(h in heads, "000 heading %r" % h)
check(any(p["kind"] == "editorial" and p["text"] == "[Here follows a table of contents.]"
          for p in d["portions"]), "000 editorial note")

# 001: OCR'd briefing paper, no notes, a page separator
d = db.json("show", S1, "--json")
eq(d["title"], "CURRENT ISSUES IN US-ROK SECURITY RELATIONS", "001 title")
eq(d["doc_type"], "briefing-paper", "001 doc_type")
eq(d["classification"], None, "001 classification")
eq(d["date"], None, "001 date")
eq(d["footnotes"], [], "001 footnotes")
eq(d["gaps"], [], "001 gaps")
check(any(m["kind"] == "page" and m["value"] == "" for p in d["portions"]
          for m in p.get("marks", [])), "001 page separator kept as an unnumbered page break")
check(any("sultative" in p["text"] for p in d["portions"]), "001 OCR-broken word kept")

# 002: letter, Secret, FRUS 1961-63 vol. VIII document 35
d = db.json("show", S2, "--json")
eq(d["number"], "35", "002 number")
eq(d["title"], "Letter From Secretary of State Rusk to Secretary of Defense McNamara", "002 title")
eq(d["doc_type"], "letter", "002 doc_type")
eq(d["classification"], "SECRET", "002 classification")
eq(d["date"], "1961-07-09", "002 date (from 711.5/7-961)")
eq(d["date_source"], "file-number", "002 date source")
eq(d["pages"], ["114"], "002 pages")
eq([(f["n"], f["text"]) for f in d["footnotes"]], [("1", "See footnote 2, Document 30.")],
   "002 footnotes")
eq(sorted(d["file_numbers"]), sorted(["RG 330", "FRC 65 A 3464", "711.5/7-961", "711.5/6-2761"]),
   "002 file numbers")
refs = {(r["kind"], r["target"]): r for r in d["references"]}
eq(refs.get(("footnote", "30"), {}).get("detail"), "2", "002 footnote 2, Document 30")
check(any(m["kind"] == "page" and m["value"] == "114" and m["at"] > 0
          for p in d["portions"] for m in p.get("marks", [])), "002 [Page 114] mid-sentence")

# 003: memorandum filed under 795.00/10-750
d = db.json("show", S3, "--json")
check(d["title"].startswith("Memorandum by Mr. John C. Ross of the United States Mission"),
      "003 title")
eq(d["doc_type"], "memorandum", "003 doc_type")
eq(d["date"], "1950-10-07", "003 date")
eq(d["file_numbers"], ["795.00/10\u2013750"], "003 file numbers")
eq(d["pages"], ["907", "908", "909", "910", "911"], "003 pages")
eq([(f["n"], f["text"]) for f in d["footnotes"]], [("1", None), ("2", None), ("3", None)],
   "003 markers without notes")
eq(d["classification"], None, "003 classification")

# Nothing of the source is lost: every word, in order, in the text edition.
for sid, name in [(S0, "000_5785f422be2d1253.txt"), (S1, "001_5ebef3754071e70a.txt"),
                  (S2, "002_cb647602e26f3449.txt"), (S3, "003_a557502f17c5b6b3.txt")]:
    code, out, err = db.run("show", sid, "--format", "text")
    eq(code, 0, "show text " + sid)
    with open(os.path.join(SEEDS, name), encoding="utf-8") as f:
        src = f.read()
    # A note marker is printed "[n]"; glued back, "5817[1]" is the source's "58171".
    miss = missing_in_order(src, re.sub(r"\[(\d+)\]", r"\1", out))
    eq(miss, None, "every word of %s in order in the text edition" % name)

code, out, err = db.run("show", S0)
check(out.startswith("279. National Security Council Report[0]\n"), "text title line")
check("[Page 572]" in out and "[Page 579]" in out, "text page markers")
check("Classification: TOP SECRET" in out, "text classification")
code, out, err = db.run("show", S3)
check("all personal [Page 907] questions" in out, "text mid-sentence page marker")

# Re-ingesting unchanged files changes nothing.
code, out, err = db.run("ingest", "--released", SEEDS)
eq(code, 0, "re-ingest exit")
check("0 new, 0 updated, 4 unchanged" in err, "re-ingest summary: " + err)
# A changed file makes a new version and keeps the old one.
tmp = os.path.join(db.dir, "seeds")
os.mkdir(tmp)
with open(os.path.join(SEEDS, "002_cb647602e26f3449.txt"), encoding="utf-8") as f:
    text = f.read()
with open(os.path.join(tmp, "002_cb647602e26f3449.txt"), "w", encoding="utf-8") as f:
    f.write(text.replace("Dear Bob:", "Dear Robert:"))
code, out, err = db.run("ingest", "--released", tmp)
check(code == 0 and "0 new, 1 updated" in err, "changed file: " + err)
d = db.json("show", S2, "--json")
check(any(p["text"] == "Dear Robert:" for p in d["portions"]), "new version shown")
eq(db.json("list", "--json")["total"], 4, "still 4 documents")
code, out, err = db.run("list")
check("2 versions" not in out, "list text")

# Without --released a marked document is stored classified (fail safe).
db2 = DB()
code, out, err = db2.run("ingest", "-q", os.path.join(SEEDS, "000_5785f422be2d1253.txt"),
                         os.path.join(SEEDS, "001_5ebef3754071e70a.txt"))
eq((code, err), (0, ""), "quiet ingest")
# A classified document is invisible to the public (the same answer as a
# missing one); a cleared user reads it.
code, out, err = db2.run("show", S0, "--json")
eq((code, out, json.loads(err)), (1, "", {"error": {"code": 1, "kind": "notfound",
                                                    "message": "no document '%s'" % S0}}),
   "fail safe: not public (the JSON error of --json)")
code, out, err = db2.run("show", S0)
eq((code, out, err.strip()), (1, "", "declass: no document '%s'" % S0), "fail safe: not public")
ts = db2.add_user("ts", "TOP SECRET")
eq(db2.json("show", S0, "--json", user=ts[0], password=ts[1])["release"]["status"], "classified",
   "fail safe")
eq(db2.json("show", S1, "--json")["release"]["status"], "released", "unmarked is public")
lou = os.path.join(db2.dir, "lou.txt")
with open(lou, "w", encoding="utf-8") as f:
    f.write("12. Telegram From the Embassy in Seoul0\n\nText of the telegram.\n\n"
            "  1. Source: Central Files, 795B.00/7-1060. Limited Official Use.\n")
eq(db2.run("ingest", "-q", lou, user=ts[0], password=ts[1])[0], 0, "ingest LOU telegram")
d = db2.json("show", db2.dir.rsplit("/", 1)[1] + "/lou", "--json", user=ts[0], password=ts[1])
eq((d["classification"], d["release"]["status"], d["doc_type"], d["date"]),
   ("LIMITED OFFICIAL USE", "classified", "telegram", "1960-07-10"),
   "an unknown marking is stored classified")
code, out, err = db2.run("ingest", "--collection", "korea", "-q",
                         os.path.join(SEEDS, "002_cb647602e26f3449.txt"), user=ts[0],
                         password=ts[1])
eq(db2.json("show", "korea/002_cb647602e26f3449", "--json", user=ts[0],
            password=ts[1])["collection"], "korea", "--collection")

# Errors and usage.
code, out, err = db.run("show", "seeds/nope")
eq(code, 1, "missing document exit")
check("no document 'seeds/nope'" in err, "missing document message: " + err)
eq(db.run("show", S0, "--format", "pdf")[0], 2, "bad format exit")
eq(db.run("show")[0], 2, "show without id")
eq(db.run("frobnicate")[0], 2, "unknown command")
eq(db.run("list", "--bogus")[0], 2, "unknown option")
for cmd in ["init", "ingest", "list", "show"]:
    code, out, err = db.run(cmd, "--help")
    check(code == 0 and out.startswith("usage: declass"), "%s --help" % cmd)
code, out, err = db.run("--help")
check(code == 0 and "commands:" in out, "declass --help")
missing = DB()
code, out, err = missing.run("list")
eq(code, 1, "list on a missing database")
check("declass init" in err, "missing database hint: " + err)
shutil.rmtree(db.dir)
done()
