"""Declassification review on the real FRUS volume frus1917-72PubDip
(tests/data/corpus/volumes/): withholdings inside a paragraph, a table
cell, a footnote, the source note and the title, rendered as FRUS notices
(adjacent names merged); validated exemption codes with the dates and
events EO 13526 section 3.3 calls for (usage errors, exit 2, nothing
stored); `withholdings` (reviewers only, the text only to whom may read
it); `lift` taking effect at the next release; and no withheld word in
any public output: show in every format, an old version, search, export,
refs (docs/review.md)."""
import json
import os

from dctest import CORPUS, DB, check, done, eq

VOL = os.path.join(CORPUS, "volumes", "frus1917-72PubDip.xml")
D5, D11 = "frus1917-72PubDip/d5", "frus1917-72PubDip/d11"

db = DB()
db.run("init")
ADM = db.add_user("adm", "TS", "--role", "admin")
REV = db.add_user("rev", "TS", "--role", "reviewer", admin=ADM)
LOW = db.add_user("low", "C", "--role", "reviewer", admin=ADM)   # below SECRET
READ = db.add_user("reader", "TS", admin=ADM)
REV2 = db.add_user("rev2", "TS", "--role", "reviewer", admin=ADM)
CIA = db.add_user("cia", "TS", "--role", "reviewer", "--agency", "CIA", admin=ADM)
code, out, err = db.run("ingest", "--released", "-q", VOL, user=ADM[0], password=ADM[1])
eq(code, 0, "ingest the volume (%s)" % err)
# d5 carries no marking: make it SECRET so a CONFIDENTIAL reviewer is not
# cleared for what is withheld in it
for p in ("p1", "p2", "p3"):
    code, _, err = db.run("mark", D5, p, "--classification", "SECRET", user=REV[0],
                          password=REV[1])
    eq(code, 0, "mark %s (%s)" % (p, err))


def rev(*args, user=REV):
    return db.run(*args, user=user[0], password=user[1])


def versions(did):
    return len(db.json("versions", did, "--json")["versions"])


before = db.json("show", D5, "--json")
eq(before["portions"][1]["text"][:60],
   "1. Three methods of propaganda are being employed in this co", "p2 of d5 as ingested")

# ---- codes: usage errors naming the valid ones, nothing stored --------------------
n0 = versions(D5)
for args, why in ((["--reason", "25X0"], "unknown code"),
                  (["--reason", "25X1"], "25X1 without a date or event"),
                  (["--reason", "50X1-HUM", "--until", "2040-01-01"], "50X1-HUM takes no date"),
                  (["--reason", "25X1", "--until", "2040-02-30"], "no such day"),
                  (["--reason", "25X1", "--until", "2040-01-01", "--event", "x"], "both"),
                  (["--reason", "(b)(7)(G)"], "no (b)(7)(G)"),
                  (["--reason", "(b)(1)", "--kind", "person"], "unknown kind"),
                  ([], "no code: none is assumed")):
    code, out, err = rev("withhold", D5, "p2", "--text", "cinema", *args, "--json")
    eq(code, 2, "withhold %s: exit" % why)
    e = json.loads(err) if err.strip().startswith("{") else {}
    eq(e.get("error", {}).get("kind"), "usage", "withhold %s: JSON error kind" % why)
code, out, err = rev("withhold", D5, "p2", "--text", "cinema", "--reason", "25X0")
check("25X1..25X9" in err and "50X1-HUM" in err and "(b)(7)(A)..(b)(7)(F)" in err and
      "TFNI" in err, "a wrong code names the valid ones: %s" % err[:300])
eq(versions(D5), n0, "nothing stored by a refused withholding")

# ---- withholdings inside the parts of a document ----------------------------------
W = {}


def withhold(did, target, *args, what):
    code, out, err = rev("withhold", did, target, *args, "--json")
    eq(code, 0, "withhold %s (%s)" % (what, err))
    r = json.loads(out) if code == 0 else {}
    eq(r.get("document"), did, "withhold %s: document" % what)
    W[what] = r.get("id")
    return r


withhold(D5, "p2", "--text", "publications", "--kind", "name", "--reason", "25X1",
         "--until", "2040-12-31", "--agency", "CIA", what="name 1")
withhold(D5, "p2", "--text", "cinema", "--kind", "name", "--reason", "25X1, 25X6",
         "--event", "end of the war", what="name 2")
withhold(D5, "p3", "--text", "periodicals", "--kind", "place", "--reason", "(b)(3)",
         what="place")
withhold(D5, "title", "--text", "Spain", "--kind", "place", "--reason", "(b)(1)", what="title")
withhold(D5, "source", "--text", "Joseph Willard", "--kind", "name", "--reason", "50X1-HUM",
         what="source")
withhold(D5, "fn3", "--reason", "(b)(1)", what="footnote")
withhold(D5, "p4", "--kind", "paragraph", "--reason", "RD", what="paragraph")
withhold(D11, "p11", "--text", "Rotterdam", "--kind", "place", "--reason", "(b)(1)",
         what="cell")
eq([W["name 1"], W["name 2"], W["place"]], ["w1", "w2", "w3"], "ids in order")
code, _, err = rev("withhold", D5, "p2", "--text", "cinema", "--reason", "(b)(1)")
eq(code, 2, "the same span twice: usage error")
code, _, err = rev("withhold", D5, "p2", "--text", "no such words", "--reason", "(b)(1)")
eq(code, 1, "text not in the portion: not found")
code, _, err = rev("withhold", D5, "p2", "--text", "the", "--occurrence", "99",
                   "--reason", "(b)(1)")
eq(code, 1, "no 99th occurrence")
code, _, err = rev("withhold", D5, "p2", "--text", "cinema", "--reason", "(b)(1)", user=READ)
eq(code, 4, "a reader cannot withhold")

HIDDEN = ["time: publications, cinema and", "periodicals and pamphlets", "Joseph Willard",
          "Pope Benedict", "secular and Catholic press", "Rotterdam"]

pub = db.json("show", D5, "--json")
p2 = pub["portions"][1]["text"]
check("present time: [2 names not declassified] and personal advocacy." in p2,
      "adjacent names merge: %s" % p2)
eq(pub["portions"][2]["text"],
   "2. Propaganda by publication takes two forms\u2014[place not declassified] and pamphlets.",
   "a place")
eq(pub["portions"][3]["text"], "[1 paragraph (1 line of source text) not declassified]",
   "a whole paragraph")
eq(pub["title"], "Report From the Embassy in [place not declassified]", "a span in the title")
check(pub["source_note"].endswith("The Ambassador to Spain was [name not declassified]."),
      "a span in the source note: %s" % pub["source_note"][-80:])
eq([f["n"] for f in pub["footnotes"]], ["2", "4"], "the withheld footnote is gone")
check(all(m.get("value") != "3" for p in pub["portions"] for m in p.get("marks", [])),
      "and its marker with it")
check("withholdings" not in pub, "a view carries no withholdings")
gaps = [(g["anchor"], g["extent"]) for g in pub["gaps"]]
for g in (("p2", "2 names"), ("p3", "place"), ("p4", "1 paragraph (1 line of source text)"),
          ("title", "place"), ("source", "name")):
    check(g in gaps, "gap %r in %r" % (g, gaps))
cell = db.json("show", D11, "--json")["portions"][10]["text"]
eq(cell, "Rent of offices in Paris, London, Rome, Madrid, [place not declassified], Berne, "
   "Christian[i]a, Stockholm, Copenhagen and Petrograd | $24,000.", "a span in a table cell")

# no withheld word in any public output (and a reader without clearance
# reads what the public reads)
outs = []
for fmt in ("text", "json", "html", "tei", "cite", "bibtex", "ris"):
    for did in (D5, D11):
        code, out, err = db.run("show", did, "--format", fmt)
        eq(code, 0, "show %s %s" % (did, fmt))
        outs.append(out + err)
for v in range(1, versions(D5) + 1):
    outs.append(db.run("show", D5, "--version", str(v), "--json")[1])
outs.append(db.run("export", "--format", "jsonl")[1])
outs.append(db.run("export", "--format", "tei")[1])
outs.append(db.run("refs", D5, "--json")[1])
outs.append(db.run("list", "--json")[1])
for text in HIDDEN:
    leaked = [i for i, o in enumerate(outs) if text in o]
    eq(leaked, [], "%r in no public output" % text)
for q in ("Willard", "Rotterdam", "\"Pope Benedict\"", "title:Spain"):
    code, out, err = db.run("search", q, "--json")
    hits = json.loads(out)["hits"] if code == 0 else []
    check(not any(h["id"] in (D5, D11) for h in hits), "search %s finds neither (%s)" % (q, out[:200]))
# the reviewer cleared for d5 reads it all
full = db.json("show", D5, "--json", user=REV[0], password=REV[1])
check("publications, cinema and personal advocacy" in full["portions"][1]["text"],
      "a cleared reviewer reads the withheld text")

# ---- the listing ---------------------------------------------------------------------
lst = db.json("withholdings", D5, "--json", user=REV[0], password=REV[1])["withholdings"]
eq([w["id"] for w in lst], ["w1", "w2", "w3", "w4", "w5", "w6", "w7"], "listed in order")
w1 = lst[0]
eq((w1["portion"], w1["whole"], w1["text"], w1["kind"], w1["code"], w1["agency"], w1["until"],
    w1["reviewer"], w1["status"]),
   ("p2", False, "publications", "name", "25X1", "CIA", "2040-12-31", "rev", "withheld"),
   "a withholding's fields")
eq(lst[1]["event"], "end of the war", "the event")
eq(full["portions"][1]["text"][w1["start"]:w1["end"]], "publications", "the span's offsets")
low = db.json("withholdings", D5, "--json", user=LOW[0], password=LOW[1])["withholdings"]
check(len(low) == 7 and all(w["text"] is None and "start" not in w for w in low[:3]),
      "a reviewer not cleared for SECRET p2, p3 sees no withheld text or span there")
eq(low[3]["text"], "Spain", "but the title's (the document is unmarked)")
eq(rev("withholdings", D5, user=READ)[0], 4, "a reader may not list withholdings")
eq(db.run("withholdings", "frus1917-72PubDip/d999", user=REV[0], password=REV[1])[0], 1,
   "no such document")

# ---- lift: at the next release -------------------------------------------------------
code, _, err = rev("lift", D5, "w2")
eq(code, 2, "lift needs a note")
code, out, err = rev("lift", D5, "w2", "--note", "appeal granted", "--json")
eq(code, 0, "lift (%s)" % err)
eq(json.loads(out)["id"] if code == 0 else None, "w2", "lift --json names the withholding")
eq(rev("lift", D5, "w2", "--note", "again")[0], 2, "lifting twice")
eq(rev("lift", D5, "w99", "--note", "x")[0], 1, "no such withholding")
check("[2 names not declassified]" in db.json("show", D5, "--json")["portions"][1]["text"],
      "still withheld before the release")
code, _, err = rev("release", D5)
eq(code, 0, "release (%s)" % err)
p2 = db.json("show", D5, "--json")["portions"][1]["text"]
check("[name not declassified], cinema and personal advocacy" in p2, "republished: %s" % p2)
lst = db.json("withholdings", D5, "--json", user=REV[0], password=REV[1])["withholdings"]
eq((lst[1]["status"], lst[1]["lifted_by"], lst[1]["note"]), ("lifted", "rev", "appeal granted"),
   "the lift is recorded")

# ---- re-ingest keeps the withholdings --------------------------------------------------
code, _, err = db.run("ingest", "--released", "-q", VOL, user=ADM[0], password=ADM[1])
eq(code, 0, "ingest again (%s)" % err)
again = db.json("show", D5, "--json")
eq(again["title"], "Report From the Embassy in [place not declassified]", "title after re-ingest")
check("Willard" not in json.dumps(again), "source span after re-ingest")

# ---- the workflow ----------------------------------------------------------------------
D6, D7 = "frus1917-72PubDip/d6", "frus1917-72PubDip/d7"
eq(rev("review", "queue", D6, "--kind", "mdr", "--received", "2026-01-10")[0], 0, "queue d6 (MDR)")
eq(rev("review", "queue", D7, "--kind", "frus", "--received", "2026-03-01")[0], 0, "queue d7 (FRUS)")
eq(rev("review", "queue", D7, "--kind", "frus")[0], 2, "queued twice")
eq(rev("review", "queue", D7, "--kind", "foia")[0], 2, "unknown kind")
eq(rev("review", "queue", "frus1917-72PubDip/d8", "--kind", "mdr", "--received", "2026-02-30")[0],
   2, "no such received date")
q = db.json("review", "queue", "--json", user=REV[0], password=REV[1])["reviews"]
eq([(r["id"], r["state"], r["due"]) for r in q],
   [(D7, "queued", "2026-06-29"), (D6, "queued", "2026-07-09")],
   "the queue by due date: FRUS 120 days, MDR 180 days")
eq(rev("review", "queue", user=READ)[0], 4, "a reader has no queue")


def act(who, *args):
    return db.run("review", *args, user=who[0], password=who[1])


eq(act(REV, "approve", D6)[0], 2, "approve a queued document: not in this state")
eq(rev("release", D6)[0], 2, "release before approval")
eq(act(REV, "start", D6)[0], 0, "start")
withhold(D6, "p3", "--text", "Sisson", "--kind", "name", "--reason", "(b)(1)", "--agency", "CIA",
         what="cia name")
eq(act(REV, "refer", D6)[0], 2, "refer without an agency")
code, out, err = act(REV, "refer", D6, "--agency", "CIA", "--json")
eq((code, json.loads(out)["state"] if code == 0 else None), (0, "referred"), "refer to CIA")
eq(act(REV, "decide", D6)[0], 4, "a referral is decided by the agency only")
eq(rev("lift", D6, W["cia name"], "--note", "mine")[0], 4, "nor lifted by another agency")
eq(act(CIA, "decide", D6)[0], 0, "the CIA reviewer answers the referral")
eq(db.json("review", "show", D6, "--json", user=REV[0], password=REV[1])["reviews"][0]["state"],
   "in-review", "back in review once every agency answered")
eq(act(REV, "decide", D6)[0], 0, "decide")
eq(act(REV, "approve", D6)[0], 4, "QA by the decider is refused")
eq(rev("release", D6)[0], 2, "release needs QA")
eq(act(REV2, "approve", D6)[0], 0, "QA by another reviewer")
eq(rev("release", D6)[0], 0, "release")
shown = db.json("review", "show", D6, "--json", user=REV[0], password=REV[1])["reviews"][0]
eq(shown["state"], "released", "released")
rec = shown["record"]
eq((rec["decided_by"], rec["approved_by"], rec["referrals"][0]["by"]), ("rev", "rev2", "cia"),
   "the record")
eq([h["to"] for h in rec["history"]],
   ["queued", "in-review", "referred", "in-review", "decided", "approved", "released"],
   "every transition in the history")
check(all(h["by"] and h["at"] for h in rec["history"]), "each with who and when")
check(db.json("show", D6, "--json")["portions"][2]["text"].startswith("[name not declassified] cables"),
      "the public reads the notice")
# appeal -> a new release superseding the old
eq(act(REV, "appeal", D6, "--note", "requester appeals")[0], 0, "appeal")
eq(act(REV, "start", D6)[0], 0, "the appeal is reviewed")
eq(db.run("lift", D6, W["cia name"], "--note", "appeal granted", user=CIA[0],
          password=CIA[1])[0], 0, "the CIA lifts its withholding")
eq(act(CIA, "decide", D6)[0], 0, "decide the appeal")
eq(act(REV2, "approve", D6)[0], 0, "QA")
eq(rev("release", D6)[0], 0, "the new release")
check(db.json("show", D6, "--json")["portions"][2]["text"].startswith("Sisson cables"),
      "the new release publishes what the appeal lifted")
rels = db.json("releases", D6, "--json")["releases"]
check(len(rels) >= 3, "releases: the edition, the first release, the new one (%r)" % rels)
last = rels[-1]["release"]
d = db.json("diff", D6, "--release", str(last), "--against", "1", "--json")
eq([(c["change"], c["portion"], c["text"]) for c in d["changes"]], [],
   "from the edition to the last: the name is public again, nothing changed")
d = db.json("diff", D6, "--release", str(last), "--json")
eq([(c["change"], c["portion"], c["text"], c["code"]) for c in d["changes"]],
   [("published", "p3", "Sisson", None)], "the last release published the lifted name")
d = db.json("diff", D6, "--release", str(last - 1), "--against", "1", "--json",
            user=REV[0], password=REV[1])
eq([(c["change"], c["portion"], c["notice"], c["code"]) for c in d["changes"]],
   [("withheld", "p3", "[name not declassified]", "(b)(1)")],
   "the first release withheld it (the code for a reviewer)")
eq(db.run("diff", D6, "--release", "99")[0], 1, "no such release")
eq(db.run("diff", D6, "--release", "1")[0], 2, "release 1 has nothing before it")
eq(act(REV, "decide", D7, "--withheld-in-full")[0], 2, "not started")
eq(act(REV, "start", D7)[0], 0, "start d7")
eq(act(REV, "decide", D7, "--withheld-in-full")[0], 0, "withheld in full")
eq(db.json("review", "show", D7, "--json", user=REV[0], password=REV[1])["reviews"][0]["state"],
   "withheld-in-full", "withheld-in-full")

# ---- audit ------------------------------------------------------------------------------
log = db.json("audit", "--json", user=ADM[0], password=ADM[1])["entries"]
acts = [(e["user"], e["action"]) for e in log]
check(("rev", "withhold") in acts and ("rev", "lift") in acts, "withhold and lift audited")
for a in ("review-queued", "review-in-review", "review-referred", "review-decided",
          "review-approved", "review-released", "review-appealed", "review-withheld-in-full"):
    check(any(x == a for _, x in acts), "%s audited" % a)
check(("rev", "refused") in acts, "refusals audited")
check(not any(t in (e["detail"] or "") for e in log for t in HIDDEN),
      "no withheld text in the audit log")

done()
