"""The review over the HTTP API (docs/http-api.md): withholdings, withhold
with spans, lift, the queue, a document's review and its transitions,
releases and diff; each answer is the JSON of the same CLI command with
--json; reviewers only for the review endpoints; a document the reader may
not read answers like one that does not exist; a released document is
changed only with confirm=1 (409 without)."""
import http.cookiejar
import json
import os
import signal
import urllib.error
import urllib.parse
import urllib.request

from dctest import CORPUS, DB, check, done, eq, serve

VOL = os.path.join(CORPUS, "volumes", "frus1917-72PubDip.xml")
D6 = "frus1917-72PubDip/d6"
D5 = "frus1917-72PubDip/d5"

db = DB()
db.run("init")
ADM = db.add_user("adm", "TS", "--role", "admin")
REV = db.add_user("rev", "TS", "--role", "reviewer", admin=ADM)
QA = db.add_user("qa", "TS", "--role", "reviewer", admin=ADM)
CIA = db.add_user("cia", "TS", "--role", "reviewer", "--agency", "CIA", admin=ADM)
LOW = db.add_user("low", "U", "--role", "reviewer", admin=ADM)
READ = db.add_user("reader", "TS", admin=ADM)
code, out, err = db.run("ingest", "--released", "-q", VOL, user=ADM[0], password=ADM[1])
eq(code, 0, "ingest the volume (%s)" % err)
# a document the UNCLASSIFIED reviewer may not read: under review, SECRET
SECRET_TXT = os.path.join(db.dir, "hidden")
os.mkdir(SECRET_TXT)
with open(os.path.join(SECRET_TXT, "memo.txt"), "w") as f:
    f.write("SECRET\n\nA hidden memorandum\n\nThe glimmerstone plan.\n")
code, out, err = db.run("ingest", SECRET_TXT, user=ADM[0], password=ADM[1])
eq(code, 0, "ingest the secret memo (%s)" % err)
HIDDEN = "hidden/memo"


def cli(*args, user=REV):
    return db.run(*args, user=user[0], password=user[1])


def cli_json(*args, user=REV):
    code, out, err = cli(*args, "--json", user=user)
    eq(code, 0, "declass %s (%s)" % (" ".join(args), err))
    return json.loads(out) if code == 0 else None


class Client:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def call(self, method, path, body=None, form=None, csrf=True):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method != "GET" and csrf:
            headers["X-CSRF-Token"] = self.token
        r = urllib.request.Request(self.base + path.lstrip("/"), data=data, headers=headers,
                                   method=method)
        try:
            with self.opener.open(r, timeout=30) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        for c in self.jar:
            if c.name == "dc_csrf":
                self.token = c.value
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body=None, form=None, csrf=True):
        return self.call("POST", path, body=body, form=form, csrf=csrf)

    def login(self, user):
        self.get("/api/session")
        st, j = self.call("POST", "/api/session", body={"name": user[0], "password": user[1]})
        eq(st, 200, "sign in as %s" % user[0])


proc, base = serve(db, "--quiet")
pub = Client(base)
pub.get("/api/session")
rev, qa, cia, low, reader = (Client(base) for _ in range(5))
rev.login(REV)
qa.login(QA)
cia.login(CIA)
low.login(LOW)
reader.login(READ)

P = "/api/documents/" + D6

# ---- withhold a span: the answer is the CLI's, with the withholding ----------------
st, j = rev.post(P + "/withhold", {"portion": "p3", "text": "Sisson", "kind": "name",
                                   "reason": "(b)(1)", "agency": "CIA"})
eq(st, 409, "a released document: no change without confirm (%r)" % (j,))
check("confirm=1" in (j.get("error", "") if isinstance(j, dict) else ""),
      "the 409 says how to confirm: %r" % (j,))
eq(cli_json("withholdings", D6)["withholdings"], [], "nothing withheld by the refusal")
st, j = rev.post(P + "/withhold", {"portion": "p3", "text": "Sisson", "kind": "name",
                                   "reason": "(b)(1)", "agency": "CIA", "confirm": True})
eq(st, 200, "withhold a span (%r)" % (j,))
eq((j["ok"], j["action"], j["id"], j["document"]), (True, "withhold", "w1", D6), "the answer")
w = j["withholding"]
eq((w["id"], w["portion"], w["whole"], w["text"], w["kind"], w["code"], w["agency"],
    w["status"], w["reviewer"]),
   ("w1", "p3", False, "Sisson", "name", "(b)(1)", "CIA", "withheld", "rev"),
   "the withholding in the answer")
v_after = j["version"]
listing = cli_json("withholdings", D6)
eq(listing["withholdings"][0], w, "the answer's withholding is the listing's")
eq(cli_json("versions", D6)["versions"][-1]["version"], v_after, "the version in the answer")
# form fields and confirm=1 work too (a script without JSON)
st, j = rev.post(P + "/withhold", form={"portion": "p3", "text": "cables", "kind": "name",
                                        "reason": "25X1", "until": "2040-12-31",
                                        "confirm": "1", "csrf": rev.token})
eq(st, 200, "withhold by form fields (%r)" % (j,))
eq(j["withholding"]["until"], "2040-12-31", "the date")
# errors: fields (400), a bad code (400 naming the valid ones), text not there (404),
# another's document (404, as a missing one), a reader (403), the public (401)
st, j = rev.post(P + "/withhold", {"portion": "p3", "confirm": 1})
eq(st, 400, "no reason")
st, j = rev.post(P + "/withhold", {"portion": "p3", "reason": "25X0", "confirm": 1})
eq(st, 400, "a bad code")
check("25X1..25X9" in j["error"], "the valid codes named: %r" % j)
st, j = rev.post(P + "/withhold", {"portion": "p3", "text": "zzyzx", "reason": "(b)(1)",
                                   "confirm": 1})
eq(st, 404, "text not there")
st, j = reader.post(P + "/withhold", {"portion": "p3", "reason": "(b)(1)", "confirm": 1})
eq(st, 403, "a reader may not withhold")
st, j = pub.post(P + "/withhold", {"portion": "p3", "reason": "(b)(1)", "confirm": 1})
eq(st, 401, "the public may not withhold")
st, j = rev.post(P + "/withhold", {"portion": "p3", "reason": "(b)(1)", "confirm": 1},
                 csrf=False)
eq(st, 403, "no CSRF token")
st_missing, j_missing = low.post("/api/documents/hidden/nothing/withhold",
                                 {"portion": "p1", "reason": "(b)(1)"})
st_hidden, j_hidden = low.post("/api/documents/%s/withhold" % HIDDEN,
                               {"portion": "p1", "reason": "(b)(1)"})
eq(st_hidden, 404, "an unreadable document: 404")
eq(j_hidden["error"].replace(HIDDEN, "X"), j_missing["error"].replace("hidden/nothing", "X"),
   "the same answer as for a missing document")

# ---- GET withholdings: the CLI's JSON; reviewers only; text rule -------------------
st, j = rev.get(P + "/withholdings")
eq(st, 200, "withholdings")
eq(j, cli_json("withholdings", D6), "GET withholdings = declass withholdings --json")
eq(pub.get(P + "/withholdings")[0], 401, "the public: 401")
eq(reader.get(P + "/withholdings")[0], 403, "a reader: 403")
st, j = low.get("/api/documents/%s/withholdings" % HIDDEN)
st2, j2 = low.get("/api/documents/hidden/nothing/withholdings")
eq((st, st2), (404, 404), "unreadable and missing: 404")
eq(j["error"].replace(HIDDEN, "X"), j2["error"].replace("hidden/nothing", "X"), "same body")
st, j = low.get(P + "/withholdings")
eq(st, 200, "a reviewer who may read the document")
eq([x.get("text") for x in j["withholdings"]], ["Sisson", "cables"],
   "they read the text of what they may read (the portion is public)")
# the public view
st, text = pub.get(P + "?format=text")
check("[2 names not declassified] that your message" in text,
      "the notice, not the names: %r" % text[text.find("declassified") - 80:][:200])

# ---- lift ---------------------------------------------------------------------------
st, j = rev.post(P + "/lift", {"withholding": "w2", "note": "a mistake"})
eq(st, 409, "lift in a released document needs confirm")
st, j = rev.post(P + "/lift", {"withholding": "w2"})
eq(st, 400, "lift needs a note")
st, j = rev.post(P + "/lift", {"withholding": "w9", "note": "x", "confirm": "yes"})
eq(st, 404, "no such withholding")
st, j = rev.post(P + "/lift", {"withholding": "w2", "note": "a mistake", "confirm": "yes"})
eq(st, 200, "lift (%r)" % (j,))
eq((j["action"], j["id"], j["withholding"]["status"], j["withholding"]["note"]),
   ("lift", "w2", "lift-pending", "a mistake"), "the lift's answer")

# ---- the workflow over POST /review; GET review and the queue -----------------------
R = P + "/review"
eq(rev.get(R)[0], 404, "no request yet")
st, j = rev.post(R, {"action": "queue", "kind": "mdr", "received": "2026-01-10"})
eq((st, j.get("state")), (200, "queued"), "queue (%r)" % (j,))
eq(j, {"ok": True, "action": "queue", "id": D6, "state": "queued"}, "the CLI's answer")
st, j = rev.get(R)
eq(st, 200, "GET review")
eq(j, cli_json("review", "show", D6), "GET review = declass review show --json")
eq(j["reviews"][0]["due"], "2026-07-09", "due in 180 days")
st, j = rev.get("/api/review")
eq(j, cli_json("review", "queue"), "GET /api/review = declass review queue --json")
eq(reader.get("/api/review")[0], 403, "the queue: reviewers only")
eq(pub.get("/api/review")[0], 401, "the queue: not the public")
eq(reader.get(R)[0], 403, "a review: reviewers only")
st, j = low.get("/api/documents/%s/review" % HIDDEN)
eq(st, 404, "the review of an unreadable document: 404")
for body, why in (({}, "no action"), ({"action": "dance"}, "unknown action"),
                  ({"action": "refer"}, "refer without agencies"),
                  ({"action": "queue"}, "queue without a kind"),
                  ({"action": "start", "kind": "mdr"}, "kind with start")):
    eq(rev.post(R, body)[0], 400, why)
eq(rev.post(R, {"action": "approve"})[0], 400, "approve a queued one: 400 naming the state")
eq(rev.post(R, {"action": "start"})[1].get("state"), "in-review", "start")
eq(rev.post(R, {"action": "refer", "agencies": ["CIA"]})[1].get("state"), "referred", "refer")
eq(rev.post(R, {"action": "decide"})[0], 403, "decided only by the referred agency")
eq(cia.post(R, {"action": "decide"})[1].get("state"), "in-review", "CIA answers")
eq(rev.post(R, {"action": "decide", "note": "done"})[1].get("state"), "decided", "decide")
eq(rev.post(R, {"action": "approve"})[0], 403, "QA by the decider refused")
eq(qa.post(R, form={"action": "approve", "csrf": qa.token})[1].get("state"), "approved",
   "QA by another (form fields)")
st, j = rev.post(P + "/release")
eq(st, 409, "release of a released document needs confirm")
st, j = rev.post(P + "/release", {"confirm": True})
eq(st, 200, "release (%r)" % (j,))
eq(rev.get(R)[1]["reviews"][0]["state"], "released", "released")
st, text = pub.get(P + "?format=text")
check("cables" in text, "the lifted word is public after the release")

# ---- releases and diff --------------------------------------------------------------
for c, user, name in ((pub, None, "the public"), (reader, READ, "a reader"), (rev, REV, "rev")):
    st, j = c.get(P + "/releases")
    eq(st, 200, "releases for %s" % name)
    code, out, err = db.run("releases", D6, "--json",
                            **({"user": user[0], "password": user[1]} if user else {}))
    eq(j, json.loads(out), "GET releases = declass releases --json for %s" % name)
    n = len(j["releases"])
    st, d = c.get(P + "/diff?release=%d" % n)
    code, out, err = db.run("diff", D6, "--release", str(n), "--json",
                            **({"user": user[0], "password": user[1]} if user else {}))
    eq((st, d), (200, json.loads(out)), "GET diff = declass diff --json for %s" % name)
# the releases are the stored record: the same releases (numbers, times) for every
# reader who may read the document, however much of it each reads
seen = {}
for c, name in ((pub, "public"), (reader, "reader"), (rev, "rev"), (low, "low"), (qa, "qa")):
    seen[name] = [(r["release"], r["at"]) for r in c.get(P + "/releases")[1]["releases"]]
for name in seen:
    eq(seen[name], seen["public"], "the releases %s sees are the public's" % name)
j = rev.get(P + "/releases")[1]
check(all(r["by"] == "rev" for r in j["releases"][1:]), "reviewers see who: %r" % j)
check(all(r["by"] is None and r["source"] is None for r in pub.get(P + "/releases")[1]["releases"]),
      "the public is not told who or from which file")
st, j = pub.get(P + "/releases")
rel = [r["release"] for r in j["releases"]]
check(len(rel) >= 3, "three releases at least: %r" % rel)
st, d = pub.get(P + "/diff?release=%d" % rel[-1])
check({"change": "published", "portion": "p3", "withholding": "w2", "text": "cables",
       "notice": None, "code": None} in d["changes"], "the lift published: %r" % d)
check("Sisson" not in json.dumps(d), "no withheld word in the public's diff")
eq(pub.get(P + "/diff")[0], 400, "diff needs release=")
eq(pub.get(P + "/diff?release=x")[0], 400, "diff: a bad number")
eq(pub.get(P + "/diff?release=99")[0], 404, "diff: no such release")
eq(pub.get("/api/documents/%s/releases" % HIDDEN)[0], 404, "releases of a classified one")
eq(pub.get("/api/documents/%s/diff?release=2" % HIDDEN)[0], 404, "diff of a classified one")
# methods
eq(rev.post(P + "/releases")[0], 405, "POST releases: 405")
eq(rev.get(P + "/lift")[0], 405, "GET lift: 405")

# ---- occurrence: a number from 1, else 400 -----------------------------------------
P5 = "/api/documents/" + D5
pid, text, word = [(p["id"], p["text"], w) for p in cli_json("show", D5, user=ADM)["portions"]
                   for w in p["text"].split() if len(w) > 3 and p["text"].count(w) >= 2][0]
for occ in (1e30, -1, 0.5, "x", "99999999999999999999"):
    st, j = rev.post(P5 + "/withhold", {"portion": pid, "text": word, "occurrence": occ,
                                        "reason": "(b)(1)", "confirm": True})
    eq(st, 400, "occurrence %r" % (occ,))
st, j = rev.post(P5 + "/withhold", {"portion": pid, "text": word, "occurrence": 2,
                                    "reason": "(b)(1)", "confirm": True})
eq(st, 200, "occurrence 2 (%r)" % (j,))
eq(j.get("withholding", {}).get("start"), text.find(word, text.find(word) + 1),
   "the second occurrence of %r" % word)

# ---- a document not released: no confirmation asked ---------------------------------
st, j = rev.post("/api/documents/%s/withhold" % HIDDEN, {"portion": "p3", "text": "glimmerstone",
                                                         "kind": "name", "reason": "(b)(1)"})
eq(st, 200, "withhold in a document under review: no confirmation (%r)" % (j,))

# ---- the reviewer page: withholdings with a Lift form each, releases, diff -----------
import re  # noqa: E402

st, html = rev.get("/review/" + D6)
eq(st, 200, "the review page")
table = html[html.find("<table class=dc-rv-wtable"):]
table = table[:table.find("</table>")]
for col in ("Id", "Portion", "Text", "Kind", "Code", "Agency", "Until / event", "Reviewer",
            "Time", "Status"):
    check("<th scope=col>%s</th>" % col in table, "withholdings column %s" % col)
row = re.search(r'<tr class="dc-rv-w" id="w-w1">.*?</tr>', table, re.S)
check(row is not None, "a row for w1")
row = row.group(0) if row else ""
for cellv in ("p3", "<q>Sisson</q>", "name", "(b)(1)", "CIA", "rev", "withheld"):
    check(cellv in row, "w1's row shows %s" % cellv)
check('aria-label="Lift withholding w1 in portion p3"' in row,
      "the Lift button names the withholding and the portion")
check('action="/review/%s/lift"' % D6 in row and "name=note required" in row,
      "a no-JS Lift form with a note")
check("name=confirm value=yes required" in row, "the Lift form asks for the confirmation")
row2 = re.search(r'<tr class="dc-rv-w" id="w-w2">.*?</tr>', table, re.S)
check(row2 is not None and "lifted" in row2.group(0) and "Lift withholding" not in row2.group(0),
      "a lifted withholding has no Lift form")
rel_form = re.search(r'<form class="dc-rv-form dc-rv-release".*?</form>', html, re.S)
check(rel_form is not None and "name=confirm" in rel_form.group(0),
      "releasing a released document asks for the confirmation")
n_rel = len(pub.get(P + "/releases")[1]["releases"])
check('href="/review/%s?diff=%d#rv-diff"' % (D6, n_rel) in html,
      "a link to the last diff (%d): %r" % (n_rel, re.findall(r'href="[^"]*diff[^"]*"', html)))
st, html = rev.get("/review/%s?diff=%d" % (D6, n_rel))
diff = html[html.find('id=rv-diff'):]
check("published" in diff[:2000] and "cables" in diff[:2000], "the diff on the page")
# lifting from the page: the confirmation first (409), then done (303 to the page)
st, html = rev.post("/review/%s/lift" % D6, form={"withholding": "w1", "note": "appeal",
                                                 "csrf": rev.token})
eq(st, 409, "lift on the page without the confirmation")
check("Tick the confirmation" in html, "the page asks for it")
st, html = rev.post("/review/%s/lift" % D6, form={"withholding": "w1", "csrf": rev.token,
                                                 "confirm": "yes"})
eq(st, 400, "lift without a note")
st, html = rev.post("/review/%s/lift" % D6, form={"withholding": "w1", "note": "appeal",
                                                 "confirm": "yes", "csrf": rev.token})
eq(st, 403, "referred to CIA: lifted only by a CIA reviewer")
st, html = cia.post("/review/%s/lift" % D6, form={"withholding": "w1", "note": "appeal",
                                                 "confirm": "yes", "csrf": cia.token})
eq(st, 200, "lift on the page (after the redirect)")
check("Withholding <strong>w1</strong> lifted" in html, "the page says so")
eq(cli_json("withholdings", D6)["withholdings"][0]["status"], "lift-pending", "w1 lift-pending")
st, html = rev.post("/review/%s/release" % D6, form={"csrf": rev.token})
eq(st, 409, "releasing a released document from the page needs the confirmation")
check("Tick the confirmation" in html, "the page asks for it")
st, html = reader.get("/review/" + D6)
eq(st, 403, "the review page: reviewers only")

proc.send_signal(signal.SIGTERM)
proc.communicate(timeout=30)
done()
