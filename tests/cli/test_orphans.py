"""Orphaned withholdings (docs/review.md): a re-ingest after which a
withheld span's text is no longer in its portion (changed, or the portion
gone, or paragraph ids shifted by an insertion) fails safe — the whole
portion stays withheld, the text is hidden wherever it stands now, the
document goes under review — and is reported: status "orphaned" in
`withholdings` (text and JSON, the HTTP API too) and a line at ingest.  A
reviewer lifts the orphan to publish the portion again."""
import http.cookiejar
import json
import os
import shutil
import signal
import urllib.request

from dctest import DB, check, done, eq, serve

MEMO = ("UNCLASSIFIED\n\nMemorandum on fisheries\n\n"
        "The first paragraph speaks of nets.\n\n"
        "The second paragraph names Zarkov the agent in Oslo.\n\n"
        "The third paragraph is about the Quimbyfold scheme.\n\n"
        "The fourth paragraph ends it.\n")
ID = "col/memo"


def setup():
    db = DB()
    db.run("init")
    adm = db.add_user("adm", "TS", "--role", "admin")
    rev = db.add_user("rev", "TS", "--role", "reviewer", admin=adm)
    folder = os.path.join(db.dir, "col")
    os.mkdir(folder)
    write(db, MEMO)
    code, _, err = db.run("ingest", "--released", "-q", folder, user=adm[0], password=adm[1])
    eq(code, 0, "ingest (%s)" % err)
    r = db.json("show", ID, "--json")
    eq([p["text"][:10] for p in r["portions"]][3:5], ["The second", "The third "], "p4, p5")
    for args in (("p4", "--text", "Zarkov", "--kind", "name"), ("p5",)):
        code, _, err = db.run("withhold", ID, *args, "--reason", "(b)(1)", user=rev[0],
                              password=rev[1])
        eq(code, 0, "withhold %s (%s)" % (args[0], err))
    return db, adm, rev


def write(db, text):
    with open(os.path.join(db.dir, "col", "memo.txt"), "w") as f:
        f.write(text)


def reingest(db, adm, text):
    write(db, text)
    code, out, err = db.run("ingest", "-q", os.path.join(db.dir, "col"), user=adm[0],
                            password=adm[1])
    eq(code, 0, "re-ingest (%s)" % err)
    return err


def listing(db, rev):
    return {w["id"]: w for w in db.json("withholdings", ID, "--json", user=rev[0],
                                        password=rev[1])["withholdings"]}


def public_text(db):
    code, out, err = db.run("show", ID)
    return out if code == 0 else ""


def release(db, rev):
    code, _, err = db.run("release", ID, user=rev[0], password=rev[1])
    eq(code, 0, "release (%s)" % err)


SECRET_WORDS = ("Zarkov", "Quimbyfold")


def no_secret(db, what):
    for fmt in ("text", "json", "html", "tei"):
        code, out, _ = db.run("show", ID, "--format", fmt)
        for w in SECRET_WORDS:
            check(w not in out, "%s: %s not in show --format %s" % (what, w, fmt))
    for w in SECRET_WORDS:
        code, out, _ = db.run("search", w, "--json")
        eq(json.loads(out)["total"] if code == 0 else 0, 0, "%s: search %s" % (what, w))


# ---- A: the span's text changed in its portion ------------------------------------
db, adm, rev = setup()
err = reingest(db, adm, MEMO.replace("Zarkov", "Zorkin"))
check("withholding w1 orphaned" in err and "p4" in err, "reported at ingest: %r" % err)
w = listing(db, rev)
eq((w["w1"]["status"], w["w1"]["whole"], w["w1"]["portion"]), ("orphaned", True, "p4"),
   "w1 orphaned, hiding the whole of p4")
eq(w["w2"]["status"], "withheld", "w2 (p5 unchanged) stays as it was")
code, out, _ = db.run("withholdings", ID, user=rev[0], password=rev[1])
check("orphaned" in out, "the text listing says orphaned")
eq(db.json("show", ID, "--json", user=rev[0], password=rev[1])["release"]["status"],
   "under-review", "the document goes under review")
eq(db.run("show", ID)[0], 1, "not public meanwhile")
release(db, rev)
text = public_text(db)
check("Zorkin" not in text and "second paragraph" not in text,
      "released again: the whole portion stays withheld: %r" % text)
check("[less than 1 line of source text not declassified]" in text,
      "an orphan's notice is by size, not by the span's kind")
no_secret(db, "A")
# lifting the orphan publishes the portion at the next release
code, _, err = db.run("lift", ID, "w1", "--note", "Zorkin may be published", user=rev[0],
                      password=rev[1])
eq(code, 0, "lift the orphan (%s)" % err)
release(db, rev)
check("names Zorkin the agent" in public_text(db), "the reviewed portion is public again")

# ---- B: a paragraph inserted before: every id after it shifts ----------------------
db, adm, rev = setup()
err = reingest(db, adm, MEMO.replace("nets.\n\n", "nets.\n\nAn inserted paragraph.\n\n"))
check("w1 orphaned" in err and "w2 orphaned" in err, "both reported: %r" % err)
w = listing(db, rev)
eq((w["w1"]["status"], w["w1"]["portion"]), ("orphaned", "p4"), "w1 orphaned in p4")
eq((w["w2"]["status"], w["w2"]["portion"]), ("orphaned", "p5"), "w2 orphaned in p5")
eq((w["w1.1"]["portion"], w["w1.1"]["text"], w["w1.1"]["status"]), ("p5", "Zarkov", "withheld"),
   "Zarkov hidden where it stands now (p5)")
eq((w["w2.1"]["portion"], w["w2.1"]["status"]), ("p6", "withheld"),
   "the withheld paragraph hidden where it stands now (p6)")
release(db, rev)
no_secret(db, "B")
check("The fourth paragraph ends it." in public_text(db), "the rest is public")
# re-ingesting the same file again keeps the orphans and reports nothing new
err = reingest(db, adm, MEMO.replace("nets.\n\n", "nets.\n\nAn inserted paragraph.\n\n"))
check("orphaned" not in err, "nothing new to report: %r" % err)
eq(listing(db, rev)["w1"]["status"], "orphaned", "still orphaned")
no_secret(db, "B again")

# ---- C: the portion is gone and its text moved into another ------------------------
db, adm, rev = setup()
err = reingest(db, adm, MEMO.replace("The second paragraph names Zarkov the agent in Oslo.\n\n",
                                     "").replace("ends it.", "ends it with Zarkov."))
w = listing(db, rev)
eq(w["w1"]["status"], "orphaned", "w1 orphaned")
check(any(x["text"] == "Zarkov" and x["status"] == "withheld" and x["id"].startswith("w1.")
          for x in w.values()), "Zarkov hidden in the paragraph it moved to: %r" % list(w))
release(db, rev)
no_secret(db, "C")
# the portion gone altogether, its text nowhere: nothing of it is published
db, adm, rev = setup()
err = reingest(db, adm, MEMO.replace("The second paragraph names Zarkov the agent in Oslo.\n\n",
                                     "").replace("The third paragraph is about the Quimbyfold "
                                                 "scheme.\n\n", ""))
w = listing(db, rev)
eq(sorted(x["status"] for x in w.values()), ["orphaned", "orphaned"], "both orphaned: %r" % w)
release(db, rev)
no_secret(db, "C gone")
# the ids renumbered: p4 is now the fourth paragraph, withheld by the orphan
# until a reviewer has looked; p5 is gone, its orphan hides nothing
check("The fourth paragraph ends it." not in public_text(db), "p4 withheld meanwhile")
code, _, err = db.run("lift", ID, "w1", "--note", "p4 is now another paragraph", user=rev[0],
                      password=rev[1])
eq(code, 0, "lift (%s)" % err)
release(db, rev)
check("The fourth paragraph ends it." in public_text(db), "then public")
no_secret(db, "C gone, lifted")

# ---- over HTTP: an upload's answer names the orphans; the listing says so ----------
db, adm, rev = setup()
proc, base = serve(db, "--quiet")


def client(user):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    req = urllib.request.Request(base + "api/session", method="POST",
                                 data=json.dumps({"name": user[0], "password": user[1]}).encode(),
                                 headers={"Content-Type": "application/json"})
    opener.open(req, timeout=30).read()
    token = [c.value for c in jar if c.name == "dc_csrf"][0]
    return opener, token


opener, token = client(adm)
req = urllib.request.Request(base + "api/documents?filename=memo.txt&collection=col",
                             method="POST", data=MEMO.replace("Zarkov", "Zorkin").encode(),
                             headers={"Content-Type": "text/plain", "X-CSRF-Token": token})
with opener.open(req, timeout=30) as r:
    j = json.loads(r.read().decode())
eq(j.get("withholdings_orphaned"), [{"id": ID, "withholding": "w1", "portion": "p4"}],
   "the upload's answer names the orphan: %r" % j)
opener, token = client(rev)
with opener.open(base + "api/documents/%s/withholdings" % ID, timeout=30) as r:
    j = json.loads(r.read().decode())
eq([(x["id"], x["status"]) for x in j["withholdings"]], [("w1", "orphaned"), ("w2", "withheld")],
   "GET withholdings: orphaned")
proc.send_signal(signal.SIGTERM)
proc.communicate(timeout=30)
shutil.rmtree(os.path.join(db.dir, "col"), True)
done()
