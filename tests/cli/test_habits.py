"""The habits of the command line (docs/declass.1.md, JSON OUTPUT):

- every command and 'user' subcommand takes --help: usage on stdout naming
  the command, exit 0, nothing on stderr;
- --json of every command that prints something parses, is laid out as
  cJSON_Print lays it out (the CLI writes it with dc_json), and leaves
  stderr empty; commands that only act print {"ok": true, "action", ...};
- an error under --json is one line {"error": {"code", "kind", "message"}}
  on stderr, with the exit status of DESIGN.md as code;
- an unknown command or user subcommand names the most similar ones;
- search's bold follows NO_COLOR and TERM=dumb on a terminal;
- counts are singular for 1 ("1 document");
- serve listens on 127.0.0.1 unless --bind says otherwise;
- src/cli prints no JSON with cJSON.
"""
import glob
import json
import os
import pty
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from dctest import DB, DECLASS, SAMPLES, check, done, eq  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
KINDS = {1: "notfound", 2: "usage", 3: "badinput", 4: "denied", 5: "internal"}


def cjson_layout(v, depth=0):
    """v as cJSON_Print prints it: objects one member a line, tab-indented,
    "key":<tab>value; arrays on one line with ", " between items."""
    if isinstance(v, dict):
        if not v:
            return "{\n" + "\t" * depth + "}"
        return ("{\n" + ",\n".join("\t" * (depth + 1) + cjson_str(k) + ":\t" +
                                   cjson_layout(x, depth + 1) for k, x in v.items()) +
                "\n" + "\t" * depth + "}")
    if isinstance(v, list):
        return "[" + ", ".join(cjson_layout(x, depth + 1) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return cjson_str(v)
    raise AssertionError("no float expected here: %r" % v)


def cjson_str(s):
    esc = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
           "\t": "\\t"}
    return '"' + "".join(esc.get(c, "\\u%04x" % ord(c) if ord(c) < 0x20 else c)
                         for c in s) + '"'


def json_out(what, code, out, err, want_code=0, layout=True):
    """Checks a --json result: exit status, stdout one JSON document (in
    cJSON's layout when layout is set), stderr empty; returns it."""
    eq(code, want_code, "%s: exit status (%s)" % (what, err.strip()))
    if want_code == 0:
        eq(err, "", "%s: nothing on stderr under --json" % what)
    try:
        v = json.loads(out)
    except ValueError as e:
        check(False, "%s: stdout is JSON (%s): %r" % (what, e, out[:300]))
        return None
    if layout:
        eq(out, cjson_layout(v) + "\n", "%s: laid out as cJSON_Print" % what)
    return v


def json_error(what, code, err, want_code):
    """Checks that err is exactly one JSON error object with want_code."""
    eq(code, want_code, "%s: exit status" % what)
    lines = err.splitlines()
    eq(len(lines), 1, "%s: one line on stderr (%r)" % (what, err))
    try:
        e = json.loads(lines[-1] if lines else "")
    except ValueError:
        check(False, "%s: stderr is a JSON object: %r" % (what, err))
        return ""
    check(set(e) == {"error"} and set(e["error"]) == {"code", "kind", "message"},
          "%s: {\"error\": {code, kind, message}}: %r" % (what, e))
    eq(e["error"].get("code"), want_code, "%s: error code" % what)
    eq(e["error"].get("kind"), KINDS.get(want_code), "%s: error kind" % what)
    msg = e["error"].get("message", "")
    check(isinstance(msg, str) and msg != "", "%s: a message" % what)
    return msg


db = DB()
SEEDS = os.path.join(SAMPLES, "seeds")
TEI = os.path.join(SAMPLES, "tei")

# ---- --help everywhere -------------------------------------------------------------
code, main_help, err = db.run("--help")
eq(code, 0, "declass --help")
COMMANDS = re.findall(r"^  ([a-z]+) ", main_help.split("\ncommands:\n", 1)[1], re.M)
check(len(COMMANDS) >= 18, "commands listed: %s" % COMMANDS)
for cmd in COMMANDS:
    for args in ([cmd, "--help"], [cmd, "-h"], ["help", cmd]):
        code, out, err = db.run(*args)
        eq((code, err), (0, ""), "declass %s: exit 0, stderr empty" % " ".join(args))
        check(re.search(r"^usage: declass .*\b%s\b" % cmd, out, re.M) is not None,
              "declass %s names the command: %r" % (" ".join(args), out[:120]))
        check("--json" in out, "declass %s documents --json" % " ".join(args))
for sub in ("add", "list", "passwd", "del"):
    code, out, err = db.run("user", sub, "--help")
    eq((code, err), (0, ""), "declass user %s --help" % sub)
    check(("user %s" % sub) in out, "user %s --help names it" % sub)

# ---- acting commands under --json ----------------------------------------------------
v = json_out("init --json", *db.run("init", "--json"))
eq(v, {"ok": True, "action": "init", "db": db.path}, "init --json")
v = json_out("ingest --json", *db.run("ingest", "--released", "--json", SEEDS, TEI))
eq((v["ok"], v["action"], v["files"], v["failed"], v["new"], v["errors"]),
   (True, "ingest", 8, 0, 8, []), "ingest --json summary")
check(v["bytes"] > 0 and v["updated"] == 0 and v["unchanged"] == 0, "ingest --json counts")
v = json_out("ingest --json again", *db.run("ingest", "--released", "--json", SEEDS))
eq((v["new"], v["unchanged"]), (0, 4), "ingest --json again: unchanged")

bad = os.path.join(db.dir, "bad")
os.makedirs(bad)
with open(os.path.join(bad, "nul.txt"), "wb") as f:
    f.write(b"Title\x00\x01\n")
code, out, err = db.run("ingest", "--json", bad)
v = json_out("ingest --json of a bad file", code, out, "", want_code=3)
eq((v["ok"], v["failed"], len(v["errors"])), (False, 1, 1), "ingest --json: the failure")
check(v["errors"][0]["path"].endswith("nul.txt") and v["errors"][0]["message"],
      "ingest --json names the file: %r" % v["errors"])
json_error("ingest --json of a bad file", code, err, 3)

ADMIN = db.add_user("admin", "TOP SECRET", "--role", "admin")
code, out, err = db.run("user", "add", "rev", "--clearance", "TOP SECRET", "--role", "reviewer",
                        "--json", user=ADMIN[0], password=ADMIN[1],
                        env={"DECLASS_NEW_PASSWORD": "rev-pw"})
v = json_out("user add --json", code, out, err)
eq(v, {"ok": True, "action": "user add", "user": "rev"}, "user add --json")
REV = ("rev", "rev-pw")
db.add_user("gone", "SECRET", admin=ADMIN)
v = json_out("user passwd --json", *db.run("user", "passwd", "gone", "--json", user=ADMIN[0],
                                          password=ADMIN[1],
                                          env={"DECLASS_NEW_PASSWORD": "new-pw"}))
eq(v, {"ok": True, "action": "user passwd", "user": "gone"}, "user passwd --json")
v = json_out("user del --json", *db.run("user", "del", "gone", "--json", user=ADMIN[0],
                                       password=ADMIN[1]))
eq(v, {"ok": True, "action": "user del", "user": "gone"}, "user del --json")

ids = [d["id"] for d in db.json("list", "--json")["documents"]]
DOC = "frus1958-60v18/d279"
check(DOC in ids, "the sample volume's d279 is stored")
for verb, extra in (("withhold", ["p2", "--reason", "25X1", "--until", "2040-12-31"]),
                    ("mark", ["p3", "--classification", "SECRET"]),
                    ("release", [])):
    code, out, err = db.run(verb, DOC, *extra, "--json", user=REV[0], password=REV[1])
    v = json_out("%s --json" % verb, code, out, err)
    # withhold names the withholding it made ("id") and its document
    want_id = "w1" if verb == "withhold" else DOC
    check(v and v.get("ok") is True and v.get("action") == verb and v.get("id") == want_id and
          v.get("document", DOC) == DOC and isinstance(v.get("version"), int) and
          v["version"] > 1, "%s --json: %r" % (verb, v))
for verb in ("optimize", "check"):
    v = json_out("%s --json" % verb, *db.run(verb, "--json"))
    eq(v, {"ok": True, "action": verb}, "%s --json" % verb)

# ---- commands that print something, under --json ---------------------------------
v = json_out("list --json", *db.run("list", "--json"))
eq((v["total"], len(v["documents"])), (8, 8), "list --json")
v = json_out("show --json", *db.run("show", DOC, "--json"), layout=False)
eq(v["id"], DOC, "show --json")
v = json_out("refs --json", *db.run("refs", DOC, "--json"))
eq(list(v), ["outgoing", "incoming", "id"], "refs --json keys in their order")
v = json_out("versions --json", *db.run("versions", DOC, "--json"))
eq((v["id"], len(v["versions"]) >= 1), (DOC, True), "versions --json")
v = json_out("search --json", *db.run("search", "security", "--json"), layout=False)
check(v["total"] >= 1 and v["hits"], "search --json finds something")
v = json_out("paper --json", *db.run("paper", "NSC 5907", "--json"))
eq(v["paper"], "NSC 5907", "paper --json")
v = json_out("person --list --json", *db.run("person", "--list", "--json"))
check("total" in v and "persons" in v, "person --list --json")
v = json_out("user list --json", *db.run("user", "list", "--json", user=ADMIN[0],
                                        password=ADMIN[1]))
eq(sorted(u["name"] for u in v["users"]), ["admin", "gone", "rev"], "user list --json")
v = json_out("audit --json", *db.run("audit", "--json", user=ADMIN[0], password=ADMIN[1]))
check(len(v["entries"]) > 5, "audit --json has entries")
code, out, err = db.run("export", "--json")
eq((code, err), (0, ""), "export --json: exit 0, no count on stderr")
eq(len([json.loads(l) for l in out.splitlines()]), 8, "export --json: JSON Lines")

# ---- JSON errors --------------------------------------------------------------------
code, out, err = db.run("show", "nope/d1", "--json")
eq(out, "", "an error prints nothing on stdout")
check("nope/d1" in json_error("show --json of a missing document", code, err, 1),
      "the message names the document")
code, out, err = db.run("search", "zzyzzx", "--json")
v = json_out("search --json without a hit", code, out, "", want_code=1, layout=False)
eq(v and v["total"], 0, "search --json without a hit: the empty page")
json_error("search --json without a hit", code, err, 1)
json_error("list --bogus --json", *db.run("list", "--bogus", "--json")[::2], 2)
json_error("search --limit x --json", *db.run("search", "x", "--limit", "x", "--json")[::2], 2)
json_error("search of a bad query", *db.run("search", "(unclosed", "--json")[::2], 2)
json_error("show --json --format html", *db.run("show", DOC, "--json", "--format",
                                                 "html")[::2], 2)
json_error("audit --json as the public", *db.run("audit", "--json")[::2], 4)
json_error("wrong password", *db.run("list", "--json", user="admin", password="x")[::2], 4)
json_error("user lsit --json", *db.run("user", "lsit", "--json")[::2], 2)
json_error("serach --json", *db.run("serach", "x", "--json")[::2], 2)
json_error("--json before the command", *db.run("--json", "list")[::2], 2)
notdb = os.path.join(db.dir, "not.db")
with open(notdb, "wb") as f:
    f.write(b"this is not a database" * 100)
p = subprocess.run([DECLASS, "--db", notdb, "list", "--json"], capture_output=True, text=True,
                   stdin=subprocess.DEVNULL)
json_error("list --json of a file that is not a database", p.returncode, p.stderr, 5)
code, out, err = db.run("show", "nope/d1")
check(code == 1 and not err.startswith("{"), "without --json the error is text: %r" % err)

# ---- did you mean ---------------------------------------------------------------------
for typed, want in (("serach", "Did you mean 'search'?"), ("lsit", "Did you mean 'list'?"),
                    ("shwo", "Did you mean 'show'?"), ("ingset", "Did you mean 'ingest'?"),
                    ("refz", "Did you mean 'refs'?"),
                    ("se", "Did you mean one of these: 'search', 'serve'?")):
    code, out, err = db.run(typed, "x")
    eq(code, 2, "'%s': a usage error" % typed)
    eq(err.strip(), "declass: '%s' is not a declass command. %s" % (typed, want),
       "'%s': the suggestion" % typed)
code, out, err = db.run("frobnicate")
eq((code, err.strip()),
   (2, "declass: 'frobnicate' is not a declass command. See 'declass --help'."),
   "nothing like 'frobnicate'")
code, out, err = db.run("help", "serach")
eq((code, err.strip()), (2, "declass: 'serach' is not a declass command. Did you mean "
                            "'search'?"), "help serach")
code, out, err = db.run("user", "lsit")
check(code == 2 and "'lsit' is not a 'declass user' subcommand. Did you mean 'list'?" in err,
      "user lsit: %r" % err)

# ---- NO_COLOR and TERM=dumb -------------------------------------------------------------


def on_terminal(*args, env):
    """Runs declass with stdout on a pseudo-terminal; returns its output."""
    master, slave = pty.openpty()
    e = {k: v for k, v in os.environ.items()
         if k not in ("NO_COLOR", "TERM", "DECLASS_USER", "DECLASS_PASSWORD")}
    e.update(env)
    p = subprocess.Popen([DECLASS, "--db", db.path] + list(args), stdout=slave,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=e)
    os.close(slave)
    chunks = []
    while True:
        try:
            b = os.read(master, 65536)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
    p.wait(timeout=120)
    os.close(master)
    return p.returncode, b"".join(chunks), p.stderr.read().decode()


BOLD = b"\x1b[1m"
for env, bold in (({"TERM": "xterm"}, True), ({"TERM": "xterm", "NO_COLOR": "1"}, False),
                  ({"TERM": "xterm", "NO_COLOR": ""}, True), ({"TERM": "dumb"}, False)):
    code, out, err = on_terminal("search", "security", "--limit", "3", env=env)
    eq(code, 0, "search on a terminal %s" % env)
    eq(BOLD in out, bold, "search on a terminal %s: bold" % env)
    eq(b"**" in out, not bold, "search on a terminal %s: ** instead" % env)
code, out, err = db.run("search", "security", "--limit", "3")
check(code == 0 and "\x1b" not in out and "**" in out, "search to a pipe: no escapes")

# ---- singular and plural ---------------------------------------------------------------
one = DB()
code, out, err = one.run("ingest", "--released", os.path.join(SEEDS, "000_5785f422be2d1253.txt"))
check(code == 0 and "ingested 1 file (0 failed): 1 new, 0 updated, 0 unchanged document;" in err,
      "ingest summary in the singular: %r" % err)
eq(one.run("list")[2], "1 document\n", "list: 1 document")
eq(one.run("export")[2], "1 document\n", "export: 1 document")
code, out, err = one.run("search", "memorandum OR the")
check(code == 0 and err.startswith("1 document matches;"), "search: 1 document matches: %r" % err)
eq(db.run("list")[2], "8 documents\n", "list: 8 documents")
code, out, err = db.run("search", "the", "--limit", "1")
check(re.match(r"\d+ documents match; showing 1-1", err) is not None, "search plural: %r" % err)

# ---- serve binds to the loopback by default ----------------------------------------------


def serve(*args):
    """Starts serve --port 0 --json ARGS, stops it; (first stdout line,
    exit status, stderr)."""
    p = subprocess.Popen([DECLASS, "--db", db.path, "serve", "--port", "0", "--quiet", "--json"]
                         + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    p.send_signal(signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    return line, p.returncode, err


line, code, err = serve()
try:
    v = json.loads(line)
except ValueError:
    v = {}
    check(False, "serve --json printed a JSON line: %r %r" % (line, err))
eq((v.get("ok"), v.get("action"), v.get("bind")), (True, "serve", "127.0.0.1"),
   "serve listens on 127.0.0.1 by default")
check(isinstance(v.get("port"), int) and v["port"] > 0 and
      v.get("url") == "http://127.0.0.1:%d/" % v["port"], "serve --json: port and url %r" % v)
check("\n" not in line.rstrip("\n"), "serve --json: one line")
eq(code, 0, "serve stops on SIGTERM")
line, code, err = serve("--bind", "::1")
if line:  # a host without IPv6 cannot bind ::1
    eq(json.loads(line).get("url", "").startswith("http://[::1]:"), True, "--bind ::1: %r" % line)
p = subprocess.run([DECLASS, "--db", os.path.join(db.dir, "none.db"), "serve", "--port", "0",
                    "--json"], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                   timeout=60)
json_error("serve --json of a missing database", p.returncode, p.stderr, 1)

# ---- no JSON printed with cJSON in src/cli ---------------------------------------------
for src in glob.glob(os.path.join(ROOT, "src", "cli", "*.[ch]")):
    with open(src, encoding="utf-8") as f:
        text = f.read()
    check(re.search(r"cJSON_(Print|Create|Add)\w*\s*\(", text) is None,
          "%s writes JSON with dc_json, not cJSON" % os.path.basename(src))

done()
