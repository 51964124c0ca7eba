"""Collection names (docs/security.md, "Collections"): `declass ingest
--collection NAME` refuses a name that is empty, ".", "..", starts with
".", or holds "/", "\\", whitespace or control characters (exit 2, before
the database is even opened), and a folder whose name is such a name is
refused as a collection for the files in it (exit 3, the file named), so
no document id like "../x" is ever made.  Good names still work.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from dctest import DB, check, eq, done  # noqa: E402

TEXT = "UNCLASSIFIED\n\nMemorandum on %s\n\nThe %s report is due.\n"


def write(path, word):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(TEXT % (word, word))


db = DB()
src = os.path.join(db.dir, "src")
write(os.path.join(src, "memo.txt"), "quokkaharbor")

BAD = ["", ".", "..", ".hidden", "a/b", "../x", "a\\b", "a b", "a\tb", "a\nb", "a\x7fb",
       "a\x01b", "a\u200bb", "\u00a0", "a\u2028b", "x" * 129]
for name in BAD:
    code, out, err = db.run("ingest", "--collection", name, src)
    eq(code, 2, "ingest --collection %r: usage error" % name)
    check("bad --collection name" in err and "must be 1-128 bytes" in err,
          "the message says why (%r): %r" % (name, err))
check(not os.path.exists(db.path), "refused before the database was created")

# folders whose names cannot be collections: the file is bad input (exit 3)
for folder in (".hidden", "my docs", "tab\there"):
    path = os.path.join(db.dir, folder, "memo.txt")
    write(path, "wombatledger")
    code, out, err = db.run("ingest", "--released", path)
    eq(code, 3, "a file in folder %r" % folder)
    check("bad collection name" in err, "named as a bad collection (%r): %r" % (folder, err))

# nothing of those is stored, and no id starts with "." or holds ".."
code, out, err = db.run("search", "wombatledger", "--json")
eq(code, 1, "search finds nothing (exit 1)")
check(re.search(r'"total":\s*0\b', out) is not None, "no refused document stored: " + out[:200])
code, out, err = db.run("list", "--json")
ids = [d["id"] for d in json.loads(out)["documents"]] if code == 0 else []
check(all(not i.startswith(".") and "/." not in i for i in ids), "ids: %r" % ids)

# good names: a dot inside, non-ASCII letters, digits and dashes
for name, word in (("frus1958-60v18", "kestrelmap"), ("vol.2", "ibexpond"),
                   ("séance_été", "lynxquarry")):
    p = os.path.join(db.dir, "good-" + word, "m.txt")
    write(p, word)
    code, out, err = db.run("ingest", "--released", "--collection", name, p)
    eq(code, 0, "ingest --collection %r: %s" % (name, err))
    eq(db.run("show", name + "/m")[0], 0, "show %s/m" % name)
# a folder with a good name is its collection
p = os.path.join(db.dir, "vol.3", "n.txt")
write(p, "marmotgate")
eq(db.run("ingest", "--released", p)[0], 0, "ingest from folder vol.3")
eq(db.run("show", "vol.3/n")[0], 0, "show vol.3/n")

done()
