"""Clearances, compartments, review and release through the CLI: a matrix of
users x documents x commands proving nothing leaks (show, list, search
totals, facets, snippets, error messages), the withhold + release flow with
the exact gap text, the audit log and its append-only triggers, and a
property test over generated documents: no word found only in withheld
portions reaches any public output."""
import json
import math
import os
import random
import sqlite3

from dctest import DB, SAMPLES, check, done, eq

db = DB()
code, out, err = db.run("ingest", "--released", "-q", os.path.join(SAMPLES, "seeds"))
eq(code, 0, "ingest released seeds (%s)" % err)
S3 = "seeds/003_a557502f17c5b6b3"

# ---- users (the first one is the bootstrap administrator) ---------------
code, out, err = db.run("user", "add", "admin", "--clearance", "TOP SECRET", "--role", "admin",
                        password="")
eq(code, 2, "empty password refused")
ADMIN = db.add_user("admin", "TOP SECRET", "--role", "admin")
code, out, err = db.run("user", "add", "intruder", "--clearance", "TS", password="x")
eq(code, 4, "once an admin exists, user add needs one")
check("access denied" in err, "user add refusal message: " + err)
CONF = db.add_user("conf", "CONFIDENTIAL", admin=ADMIN)
SEC = db.add_user("sec", "SECRET", admin=ADMIN)
TS = db.add_user("ts", "TOP SECRET", admin=ADMIN)
TSF = db.add_user("tsf", "TOP SECRET", "--compartment", "ANNEX-F", admin=ADMIN)
REV = db.add_user("rev", "TOP SECRET", "--compartment", "ANNEX-F", "--role", "reviewer",
                  admin=ADMIN)
REVS = db.add_user("revs", "SECRET", "--role", "reviewer", admin=ADMIN)
PUBLIC = (None, None)
USERS = {"public": PUBLIC, "conf": CONF, "sec": SEC, "ts": TS, "tsf": TSF, "rev": REV,
         "admin": ADMIN}


def run(who, *args):
    return db.run(*args, user=who[0], password=who[1])


def js(who, *args):
    code, out, err = run(who, *args)
    if code != 0:
        raise AssertionError("%s: declass %s: exit %d: %s" % (who[0], " ".join(args), code, err))
    return json.loads(out)


# ---- documents ------------------------------------------------------------
src = os.path.join(db.dir, "memos")
os.mkdir(src)
LONG = " ".join(["The withheld passage names the asset xylocarp and the station"] * 4)
files = {
    # a classified SECRET memo (ingested without --released)
    "secmemo.txt": "Memorandum on Ruritania\n\nSECRET\n\n"
                   "(S) The negotiations on the quokkatreaty sharedword continue.\n\n"
                   "(U) Logistics are routine.\n",
    # a TOP SECRET paper; p4 will be put in compartment ANNEX-F
    "tspaper.txt": "Paper on Zembla\n\nTOP SECRET\n\n"
                   "(TS) The tsbaseword sharedword program is approved.\n\n"
                   "(TS) The annex on zemblanova deposits goes to four officials.\n\n"
                   "(S) Distribution is limited.\n",
    # released later with withheld portions
    "relmemo.txt": "Memorandum on Freedonia\n\nSECRET\n\n"
                   "(S) The glockenword sharedword talks went well.\n\n"
                   "(S) " + LONG + ".\n\n"
                   "(S) Also marmoset.\n\n"
                   "(U) The meeting ended at noon.\n",
}
for name, text in files.items():
    with open(os.path.join(src, name), "w", encoding="utf-8") as f:
        f.write(text)
code, out, err = db.run("ingest", "-q", src)
eq(code, 4, "ingest needs the admin once one exists")
code, out, err = run(ADMIN, "ingest", "-q", src)
eq(code, 0, "admin ingests (%s)" % err)
SECM, TSP, RELM = "memos/secmemo", "memos/tspaper", "memos/relmemo"

# Portion markings from "(S)", "(TS)", "(U)"; the marking stays in the text.
d = js(ADMIN, "show", TSP, "--json")
marks = {p["id"]: (p["classification"], p["text"][:4]) for p in d["portions"]}
eq(marks.get("p3"), ("TOP SECRET", "(TS)"), "portion marking (TS)")
eq(marks.get("p5"), ("SECRET", "(S) "), "portion marking (S)")
eq(d["release"]["status"], "classified", "TS paper classified (fail safe)")
zp = next(p["id"] for p in d["portions"] if "zemblanova" in p["text"])

# Marking a compartment: reviewer only, a new version.
eq(run(TS, "mark", TSP, zp, "--classification", "TS", "--compartment", "ANNEX-F")[0], 4,
   "mark needs the reviewer role")
code, out, err = run(REV, "mark", TSP, zp, "--classification", "TS", "--compartment", "ANNEX-F")
eq(code, 0, "reviewer marks a compartment (%s)" % err)
d = js(REV, "show", TSP, "--json")
p = next(p for p in d["portions"] if p["id"] == zp)
eq((p["classification"], p["compartments"]), ("TOP SECRET", ["ANNEX-F"]), "mark applied")

# Withhold + release of the memo: two withheld portions.
d = js(REV, "show", RELM, "--json")
longp = next(p for p in d["portions"] if "xylocarp" in p["text"])
shortp = next(p for p in d["portions"] if "marmoset" in p["text"])
n_long = math.ceil(len(longp["text"].encode()) / 80)
check(n_long >= 3, "long portion is several lines: %d" % n_long)
GAP_LONG = "[%d lines of source text not declassified]" % n_long
GAP_SHORT = "[less than 1 line of source text not declassified]"
eq(run(REV, "withhold", RELM, longp["id"], "--reason", "bogus")[0], 2, "bad exemption code")
eq(run(SEC, "withhold", RELM, longp["id"], "--reason", "25X1", "--until", "2040-12-31")[0], 4, "reader cannot withhold")
eq(run(REV, "withhold", RELM, "p99", "--reason", "25X1", "--until", "2040-12-31")[0], 1, "no such portion")
eq(run(REV, "withhold", RELM, longp["id"], "--reason", "50X1-HUM")[0], 0, "withhold long")
eq(run(REV, "withhold", RELM, shortp["id"], "--reason", "(b)(1)")[0], 0, "withhold short")
code, out, err = run(PUBLIC, "show", RELM)
eq(code, 1, "not released yet: invisible to the public")
eq(run(SEC, "release", RELM)[0], 4, "reader cannot release")
eq(run(REVS, "release", TSP)[0], 1, "reviewer below the level: 'no document'")
code, out, err = run(REV, "release", RELM)
eq(code, 0, "release (%s)" % err)

# ---- the matrix ---------------------------------------------------------------
# Who may read what (show / list / search), by the rules of docs/security.md.
READ = {
    S3: set(USERS),
    SECM: {"sec", "ts", "tsf", "rev", "admin"},
    TSP: {"ts", "tsf", "rev", "admin"},
    RELM: set(USERS),
}
# Words and who may find them.
WORDS = {
    "quokkatreaty": READ[SECM],
    "tsbaseword": READ[TSP],
    "zemblanova": {"tsf", "rev"},
    "glockenword": set(USERS),
    # withheld at SECRET: in the views of the cleared (their search finds
    # what their show shows), a gap in the others'
    "xylocarp": READ[SECM],
    "marmoset": READ[SECM],
    "Kassaniev": set(USERS),
}
HIDDEN_FROM_PUBLIC = ["quokkatreaty", "tsbaseword", "zemblanova", "xylocarp", "marmoset",
                      "Ruritania", "Zembla"]
MISSING = "memos/nosuchdoc"
for uname, who in USERS.items():
    listing = js(who, "list", "--json")
    listed = {x["id"] for x in listing["documents"]}
    eq(listing["total"], len(listed), "%s: list total counts the listed" % uname)
    for doc, readers in READ.items():
        can = uname in readers
        eq(doc in listed, can, "%s lists %s" % (uname, doc))
        for fmt in ("text", "json"):
            code, out, err = run(who, "show", doc, "--format", fmt)
            if can:
                eq(code, 0, "%s reads %s (%s)" % (uname, doc, fmt))
            else:
                eq((code, out, err), (1, "", "declass: no document '%s'\n" % doc),
                   "%s: %s answers like a missing one (%s)" % (uname, doc, fmt))
        code, out, err = run(who, "versions", doc)
        eq(code, 0 if can else 1, "%s: versions %s" % (uname, doc))
        if not can:
            check(out == "" and doc in err and "no document" in err,
                  "%s: versions message %r" % (uname, err))
    # The missing document's message has the same shape.
    code, out, err = run(who, "show", MISSING)
    eq((code, out, err), (1, "", "declass: no document '%s'\n" % MISSING), "%s: missing" % uname)
    # Search: totals, hits, snippets, facets.
    for word, finders in WORDS.items():
        code, out, err = run(who, "search", word, "--json")
        res = json.loads(out)
        want = 1 if uname in finders else 0
        eq(res["total"], want, "%s: search %s total" % (uname, word))
        eq(len(res["hits"]), want, "%s: search %s hits" % (uname, word))
        for fname, vals in res["facets"].items():
            eq(sum(v["count"] for v in vals) <= want, True,
               "%s: facet %s of %s counts no unreadable document" % (uname, fname, word))
    res = json.loads(run(who, "search", "sharedword", "--json", "--limit", "100")[1])
    hits = {h["id"] for h in res["hits"]}
    readable = {doc for doc, r in READ.items() if uname in r and doc != S3}
    eq(hits, readable, "%s: sharedword hits" % uname)
    eq(res["total"], len(readable), "%s: sharedword total" % uname)
    fac = {f: {v["value"]: v["count"] for v in vals} for f, vals in res["facets"].items()}
    eq(sum(fac.get("collection", {}).values()), len(readable), "%s: collection facet" % uname)
    if "TOP SECRET" in fac.get("classification", {}):
        check(uname in READ[TSP], "%s: classification facet shows TOP SECRET" % uname)
    blob = json.dumps(res)
    if uname != "tsf" and uname != "rev":
        check("zemblanova" not in blob, "%s: compartment word not in sharedword results" % uname)
    check("xylocarp" not in blob or uname not in ("public", "conf"),
          "%s: withheld word not in sharedword results" % uname)

# What each reader sees of the compartmented and the withheld portions.
for uname, who in USERS.items():
    if uname in READ[TSP]:
        text = run(who, "show", TSP)[1]
        eq("zemblanova" in text, uname in ("tsf", "rev"), "%s: compartment text" % uname)
        if uname not in ("tsf", "rev"):
            check("of source text not declassified]" in text, "%s: gap line in TS paper" % uname)
            d = js(who, "show", TSP, "--json")
            check(all("ANNEX-F" not in p["compartments"] for p in d["portions"]),
                  "%s: compartment name not shown" % uname)
            check(any(g["anchor"] == zp for g in d["gaps"]), "%s: gap recorded" % uname)
    text = run(who, "show", RELM)[1]
    cleared = uname not in ("public", "conf")
    eq("xylocarp" in text, cleared, "%s: withheld text shown only to the cleared" % uname)
    eq("marmoset" in text, cleared, "%s: short withheld text" % uname)
    if not cleared:
        check(GAP_LONG in text, "%s: exact gap %s in %r" % (uname, GAP_LONG, text))
        check(GAP_SHORT in text, "%s: exact short gap" % uname)
        d = js(who, "show", RELM, "--json")
        eq(d["release"]["status"], "released", "%s: released status" % uname)
        eq(sorted(g["extent"] for g in d["gaps"]), sorted(["%d lines" % n_long, "less than 1 line"]),
           "%s: gaps recorded" % uname)
        blob = json.dumps(d)
        check("xylocarp" not in blob and "marmoset" not in blob, "%s: JSON has no withheld word"
              % uname)

# Nothing of the hidden words anywhere in the public's outputs.
public_out = ""
for args in (["list"], ["list", "--json"], ["show", RELM], ["show", RELM, "--json"],
             ["search", "sharedword", "--json"], ["search", "memorandum", "--json"],
             ["search", "glockenword OR noon", "--json"], ["versions", RELM, "--json"],
             ["show", SECM], ["show", TSP]):
    code, out, err = run(PUBLIC, *args)
    public_out += out + err
for w in HIDDEN_FROM_PUBLIC:
    check(w not in public_out, "public output has no %r" % w)
d = json.loads(run(PUBLIC, "versions", RELM, "--json")[1])
check(all(v["source"] is None for v in d["versions"]), "public versions hide sources")
eq(d["versions"][-1]["release_status"], "released", "last version released")
# the public's versions are its own: the unreleased ones are not among them
check(all(v["release_status"] == "released" for v in d["versions"]),
      "the public lists released versions only")
code, out, err = run(PUBLIC, "show", RELM, "--version", str(len(d["versions"]) + 1))
eq((code, err), (1, "declass: no document '%s'\n" % RELM), "no public version past its own")

# A later withholding is at once a new release; re-ingest keeps the review.
n_before = len(js(REV, "versions", RELM, "--json")["versions"])
fp = next(p["id"] for p in js(REV, "show", RELM, "--json")["portions"]
          if "glockenword" in p["text"])
eq(run(REV, "withhold", RELM, fp, "--reason", "(b)(3)")[0], 0, "withhold after release")
# Old versions are shown through today's withholdings, so the version
# before this one now reads as this one does: the reviewer's list of
# versions (views) does not grow; the store has the new version.
eq(len(js(REV, "versions", RELM, "--json")["versions"]), n_before, "no new view for the reviewer")
eq(json.loads(run(PUBLIC, "search", "glockenword", "--json")[1])["total"], 0,
   "newly withheld word leaves the public index")
eq(run(ADMIN, "ingest", "--released", "-q", os.path.join(src, "relmemo.txt"))[0], 0, "re-ingest")
text = run(PUBLIC, "show", RELM)[1]
check("xylocarp" not in text and "glockenword" not in text, "re-ingest keeps withholdings")

# ---- identity and the audit log ------------------------------------------------
code, out, err = db.run("list", user="sec", password="wrong")
eq((code, err), (4, "declass: access denied\n"), "wrong password")
code, out, err2 = db.run("list", user="nobody", password="wrong")
eq((code, err2), (4, err), "unknown user: the same answer")
code, out, err = db.run("--as", "sec", "list", password=SEC[1])
eq(code, 0, "--as before the command")
code, out, err = db.run("list", "--as", "sec", password=SEC[1])
eq(code, 0, "--as after the command")
eq(run(SEC, "audit")[0], 4, "audit needs the admin")
eq(run(PUBLIC, "user", "list")[0], 4, "user list needs the admin")
eq(run(SEC, "user", "del", "ts")[0], 4, "user del needs the admin")
users = js(ADMIN, "user", "list", "--json")["users"]
eq(sorted(u["name"] for u in users), sorted(["admin", "conf", "sec", "ts", "tsf", "rev", "revs"]),
   "user list")
check("hash" not in json.dumps(users) and "argon" not in json.dumps(users), "no hashes listed")
eq(run(ADMIN, "user", "del", "admin")[0], 2, "the last admin cannot be removed")
eq(run(ADMIN, "user", "del", "conf")[0], 0, "user del")
eq(run(CONF, "list")[0], 4, "a disabled user cannot sign in")
code, out, err = db.run("user", "passwd", "sec", user="sec", password=SEC[1],
                        env={"DECLASS_NEW_PASSWORD": "new-sec-pw"})
eq(code, 0, "a user changes their own password")
eq(db.run("list", user="sec", password=SEC[1])[0], 4, "old password refused")
eq(db.run("list", user="sec", password="new-sec-pw")[0], 0, "new password accepted")

entries = js(ADMIN, "audit", "--json")["entries"]
acts = {(e["user"], e["action"]) for e in entries}
for want in [("public", "read"), ("public", "search"), ("public", "list"),
             ("public", "read-refused"), ("nobody", "login-refused"), ("sec", "login-refused"),
             ("sec", "login"), ("rev", "withhold"), ("rev", "release"), ("rev", "mark"),
             ("admin", "ingest"), ("admin", "user-add"), ("admin", "user-del"),
             ("sec", "user-passwd"), ("sec", "refused"), ("admin", "audit-read")]:
    check(want in acts, "audited: %r" % (want,))
seqs = [e["seq"] for e in entries]
eq(seqs, sorted(seqs), "audit in order")
con = sqlite3.connect(db.path)
for sql in ("UPDATE audit SET user = 'x'", "DELETE FROM audit",
            "UPDATE versions SET title = 'x'", "DELETE FROM versions"):
    try:
        con.execute(sql)
        con.commit()
        check(False, "trigger refuses: " + sql)
    except sqlite3.DatabaseError as e:
        check("append-only" in str(e) or "immutable" in str(e), "%s: %s" % (sql, e))
con.close()
users_row = sqlite3.connect(db.path).execute("SELECT hash FROM users WHERE name='admin'").fetchone()
check(users_row[0].startswith("$argon2id$"), "Argon2id hash stored")

# ---- property: no withheld-only word reaches the public ---------------------------
rng = random.Random(5907)
VOCAB = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4))
         for _ in range(20000)]
prop = os.path.join(db.dir, "prop")
os.mkdir(prop)
NDOCS = 60  # tests/unit/test_access.c runs the same property over 200 in-process
withheld_words, public_words = set(), set()
plan = {}
for i in range(NDOCS):
    paras = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(3, 40)))
             for _ in range(rng.randint(2, 6))]
    with open(os.path.join(prop, "g%03d.txt" % i), "w", encoding="utf-8") as f:
        f.write("Generated paper %d\n\nSECRET\n\n" % i + "\n\n".join(paras) + "\n")
    hide = [k for k in range(len(paras)) if rng.random() < 0.3]
    plan["prop/g%03d" % i] = (paras, hide)
eq(run(ADMIN, "ingest", "-q", prop)[0], 0, "ingest generated documents")
for doc_id, (paras, hide) in sorted(plan.items()):
    d = js(REV, "show", doc_id, "--json")
    by_text = {p["text"]: p["id"] for p in d["portions"]}
    for k in hide:
        eq(run(REV, "withhold", doc_id, by_text[paras[k]], "--reason", "25X1", "--until", "2040-12-31")[0], 0,
           "withhold %s" % doc_id)
        withheld_words.update(paras[k].split())
    for k in range(len(paras)):
        if k not in hide:
            public_words.update(paras[k].split())
    eq(run(REV, "release", doc_id)[0], 0, "release %s" % doc_id)
only_withheld = sorted(withheld_words - public_words)
check(len(only_withheld) > 50, "enough withheld-only words: %d" % len(only_withheld))
public_text = run(PUBLIC, "list", "--json")[1]
for doc_id in sorted(plan):
    code, out, err = run(PUBLIC, "show", doc_id, "--json")
    eq(code, 0, "public reads %s" % doc_id)
    public_text += out
leaked = set(public_text.replace('"', " ").replace(".", " ").split()) & set(only_withheld)
eq(sorted(leaked), [], "no withheld-only word in public show/list")
for k in range(0, len(only_withheld), 30):
    q = " OR ".join(only_withheld[k:k + 30])
    code, out, err = run(PUBLIC, "search", q, "--json")
    res = json.loads(out)
    eq(res["total"], 0, "public search of withheld-only words: %s" % q[:40])
# and the public words are found (the index holds the released text)
sample = sorted(public_words - withheld_words)[:30]
res = json.loads(run(PUBLIC, "search", " OR ".join(sample), "--json", "--limit", "200")[1])
check(res["total"] > 0, "public words are searchable")
for h in res["hits"]:
    check(not (set(h["snippet"].replace("<mark>", " ").replace("</mark>", " ").split())
               & set(only_withheld)), "snippet of %s has no withheld-only word" % h["id"])
eq(db.run("check")[0], 0, "store and index agree")
done()
