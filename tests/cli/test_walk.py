"""How `declass ingest FOLDER` walks a folder: depth first, each folder's
entries in byte order, hidden entries skipped, other files counted as
skipped, linked folders followed; a folder it cannot walk (here one
nested deeper than 64) is reported as a bad file is, with exit 3, and
the walk goes on past it.  The walk holds only the folders on its
current path (src/facade/ingest.c, walker), so the order is checked on a
tree with files before, between and after its subfolders."""
import json
import os

from dctest import DB, SAMPLES, check, done, eq

db = DB()
root = os.path.join(db.dir, "tree")
good = open(os.path.join(SAMPLES, "seeds", "002_cb647602e26f3449.txt"), "rb").read()


def put(rel, data):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)


# Empty files fail with a message each: the --json errors list them in
# the order the walk met them.
for rel in ("a.txt", "b/a.txt", "b/c/a.txt", "b/c/z.txt", "b/d.txt", "bb.txt", "c/x.txt",
            "z.txt", ".hidden.txt", ".hid/a.txt", "b/.x.txt"):
    put(rel, b"")
put("m_good.txt", good)
put("b/c/good.txt", good.replace(b"Dear Bob:", b"Dear Robert:"))
put("notes.md", b"not a source")
put("b/image.gif", b"GIF89a")
os.symlink(os.path.join(root, "c"), os.path.join(root, "l"))   # a linked folder
deep = os.path.join(root, "deep", *["d"] * 70)   # folders nested 71 deep
os.makedirs(deep)
put("deep/d/x.txt", b"")
put(os.path.join("deep", *["d"] * 70, "bottom.txt"), good)

code, out, err = db.run("ingest", "--released", "--json", root)
eq(code, 3, "exit status with empty files and a folder too deep: " + err)
r = json.loads(out)
rel = [os.path.relpath(e["path"], root) for e in r["errors"]]
too_deep = "deep/" + "/".join(["d"] * 64)   # the root at depth 0
eq(rel, ["a.txt", "b/a.txt", "b/c/a.txt", "b/c/z.txt", "b/d.txt", "bb.txt", "c/x.txt",
         too_deep, "deep/d/x.txt", "l/x.txt", "z.txt"],
   "errors in walk order (depth first, byte order, hidden skipped, link followed)")
msgs = {os.path.relpath(e["path"], root): e["message"] for e in r["errors"]}
check("nested deeper than 64" in msgs.get(too_deep, ""), "the deep folder's message: %s" % msgs.get(too_deep))
check(all("empty" in m for k, m in msgs.items() if k != too_deep), "empty files' messages: %s" % msgs)
eq(r["files"], 13, "files: eleven failures and two good ones")
eq(r["failed"], 11, "failed")
eq(r["skipped"], 2, "skipped: notes.md and b/image.gif")
eq(r["new"], 2, "the two good files stored")
ids = sorted(x["id"] for x in db.json("list", "--json")["documents"])
eq(ids, ["c/good", "tree/m_good"], "stored under their folders' names")

# The root itself unreadable as a folder is no walk at all: exit 3 for a
# missing path (as before), nothing stored.
code, out, err = db.run("ingest", os.path.join(root, "nowhere"))
eq(code, 3, "a missing path")
eq(db.json("list", "--json")["total"], 2, "nothing more stored")
done()
