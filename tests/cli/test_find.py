"""Search within one document: `declass find ID QUERY [--json]` and the
document page's "Find in this document" form (GET /documents/ID?find=Q).
Over the real volume (document 14: a telegram whose paragraph and note
name Creel): passages in order, portions then notes, each with its count
and a snippet whose matches are marked; words match their inflections,
phrases exactly, NOT-ed words do not count; no match is exit 1 with an
empty list; a bad query exit 2.  Through the reader's eyes: a word of a
paragraph a CONFIDENTIAL reader may not read is found by a SECRET reader
only, and a document the reader may not open gives the answer of one that
does not exist."""
import json
import os
import tempfile
import urllib.parse
import urllib.error
import urllib.request

from dctest import CORPUS, DB, check, done, eq, serve

VOL = "frus1917-72PubDip"
D14 = VOL + "/d14"
db = DB()
code, out, err = db.run("ingest", "--released", "-q", os.path.join(CORPUS, "volumes", VOL + ".xml"))
eq(code, 0, "ingest the volume (%s)" % err)

r = db.json("find", D14, "salary creel", "--json")
eq((r["id"], r["query"], r["total"]), (D14, "salary creel", 2), "two passages")
p = r["passages"]
eq([x.get("portion") for x in p], ["p2", None], "the paragraph, then a note")
eq(p[0]["matches"], 2, "both words in the paragraph")
check("<mark>salary</mark>" in p[0]["snippet"] and "<mark>Creel</mark>" in p[0]["snippet"],
      "matches marked: %r" % p[0]["snippet"])
eq((p[1]["footnote"], p[1]["matches"]), ("2", 1), "the note by its marker")
check(p[1]["snippet"].startswith("In telegram 771 to Mexico City"), "the note's own text")

r = db.json("find", D14, "salaries", "--json")
eq([x.get("portion") for x in r["passages"]], ["p2"], "an inflection matches")
r = db.json("find", D14, '"drawing account"', "--json")
eq([x.get("portion") for x in r["passages"]], ["p2"], "a phrase")
r = db.json("find", D14, "creel -salary", "--json")
eq(r["total"], 2, "a NOT-ed word does not count")

code, out, err = db.run("find", D14, "zyzzyva", "--json")
eq(code, 1, "no passage: exit 1")
eq(json.loads(out)["passages"], [], "an empty list")
code, out, err = db.run("find", D14, '"unbalanced')
eq(code, 2, "a bad query is a usage error")
check("unbalanced quote" in err, "named: %r" % err)
code, out, err = db.run("find", D14)
eq(code, 2, "a query is needed")
code, out, err = db.run("find", "--help")
eq(code, 0, "--help")
check(out.startswith("usage: declass [--db PATH] find ID QUERY"), "usage")
code, out, err = db.run("find", D14, "creel")
eq(code, 0, "text output")
eq(out.splitlines()[0].split(" ")[0:2], ["p2", "(1):"], "text: portion and count")
check("**Creel**" in out, "text: matches in bold marks")

# Snippets (search and find) over the whole volume: never a footnote's
# number glued to a word ("armistice2"), never markup residue.  The
# volume's notes stand on dozens of words in running text.
import re  # noqa: E402
GLUED = re.compile(r"[A-Za-z]{3,}\d|<(?!/?mark>)[^>]*>|&[a-z]+;|\[\d{1,2}\]")
n_snippets = 0
for word in ("creel", "committee", "telegram", "propaganda", "war", "president", "press"):
    s = db.json("search", word, "--limit", "100", "--json")
    for h in s["hits"]:
        n_snippets += 1
        m = GLUED.search(h["snippet"] or "")
        check(not m, "search %s: clean snippet of %s: %r" % (word, h["id"], m and m.group(0)))
        code, out, err = db.run("find", h["id"], word, "--json")
        for x in json.loads(out)["passages"] if code == 0 else []:
            n_snippets += 1
            m = GLUED.search(x["snippet"])
            check(not m, "find %s in %s: clean snippet: %r" % (word, h["id"], m and m.group(0)))
check(n_snippets > 150, "snippets looked at: %d" % n_snippets)

# Through the reader's eyes
tmp = tempfile.mkdtemp()
os.makedirs(os.path.join(tmp, "memo"))
with open(os.path.join(tmp, "memo", "zebra.txt"), "w") as f:
    f.write("Note on the zebra crossing\n\nCONFIDENTIAL\n\n(U) An open okapi paragraph.\n\n"
            "(S) The hidden zebra paragraph.\n\n(U) A later gnu paragraph.\n")
admin = db.add_user("boss", "TS", "--role", "admin")
sec = db.add_user("sec", "SECRET", admin=admin)
conf = db.add_user("conf", "CONFIDENTIAL", admin=admin)
code, out, err = db.run("ingest", "-q", os.path.join(tmp, "memo"), user=admin[0], password=admin[1])
eq(code, 0, "ingest the memo (%s)" % err)
ID = "memo/zebra"
r = db.json("find", ID, "hidden paragraph", "--json", user=sec[0], password=sec[1])
eq([(x["portion"], x["matches"]) for x in r["passages"]], [("p3", 1), ("p4", 2), ("p5", 1)],
   "SECRET reader: the hidden paragraph too")
r = db.json("find", ID, "hidden paragraph", "--json", user=conf[0], password=conf[1])
eq([(x["portion"], x["matches"]) for x in r["passages"]], [("p3", 1), ("p5", 1)],
   "CONFIDENTIAL reader: not the paragraph it may not read")
check(all("hidden" not in x["snippet"] for x in r["passages"]), "nothing of it: %r" % r)
code, out, err = db.run("find", ID, "hidden", "--json", user=conf[0], password=conf[1])
eq((code, json.loads(out)["total"]), (1, 0), "its word is found nowhere")
c1, o1, e1 = db.run("find", ID, "okapi")
c2, o2, e2 = db.run("find", "memo/nothere", "okapi")
eq((c1, c2), (1, 1), "the public: an unreleased document as a missing one")
eq(e1.replace(ID, "X"), e2.replace("memo/nothere", "X"), "the same message")

# The reading room
proc, base = serve(db)
try:
    def page(path):
        with urllib.request.urlopen(base + path.lstrip("/")) as resp:
            return resp.read().decode()
    html = page("/documents/%s?find=%s" % (D14, urllib.parse.quote("salary creel")))
    check("<label for=find-q>Find in this document</label>" in html, "the form, labelled")
    check('value="salary creel"' in html, "the query kept in the box")
    check("2 passages match \u201csalary creel\u201d" in html, "the count")
    check('<a href="#p2">Passage p2</a> <span class=dc-find-n>(2 matches)</span>' in html,
          "a link to the paragraph")
    check('<a href="#fn-2">Note 2</a>' in html, "a link to the note")
    check('id="fn-2"' in html and 'id="p2"' in html, "the targets exist on the page")
    check("<mark>salary</mark>" in html, "matches marked")
    check(html.count("role=search") == 1, "one search landmark (the header's)")
    html = page("/documents/%s?find=zyzzyva" % D14)
    check("No passage of this document matches \u201czyzzyva\u201d." in html, "no match")
    html = page("/documents/%s?find=%s" % (D14, urllib.parse.quote('"open')))
    check("bad query: unbalanced quote" in html, "a bad query explained")
    api = json.loads(page("/api/documents/%s/find?q=%s" % (D14, urllib.parse.quote("salary creel"))))
    eq(api, db.json("find", D14, "salary creel", "--json"), "the API answers as find --json")
    for path, status in (("/api/documents/%s/find" % D14, 400),
                         ("/api/documents/%s/find?q=%%22open" % D14, 400),
                         ("/api/documents/memo/zebra/find?q=okapi", 404),
                         ("/api/documents/memo/nothere/find?q=okapi", 404)):
        try:
            page(path)
            got = 200
        except urllib.error.HTTPError as e:
            got = e.code
            body = json.loads(e.read().decode())
            check("error" in body, "%s: a JSON error" % path)
        eq(got, status, "GET " + path)
    html = page("/documents/%s" % D14)
    check("dc-find-results" not in html and "Find in this document" in html,
          "without a query: the form only")
finally:
    proc.terminate()
    proc.wait(timeout=30)
done()
