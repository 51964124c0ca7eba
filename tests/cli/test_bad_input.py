"""Bad input to declass ingest: each bad file gets a clear error naming it,
exit 3, nothing of it stored, and the good files of the same command are
still ingested."""
import os
import sqlite3

from dctest import DB, SAMPLES, check, done, eq

db = DB()
d = os.path.join(db.dir, "inbox")
os.mkdir(d)
good = open(os.path.join(SAMPLES, "seeds", "002_cb647602e26f3449.txt"), "rb").read()


def put(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


put("a_good.txt", good)
put("binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00" + bytes(range(256)) * 4)
put("empty.txt", b"")
put("blank.txt", b"  \n\n\t\n")
put("badutf8.txt", b"35. A title\n\nSome text \xc3\x28 here.\n")
put("overlong.txt", b"1. Title\n\nline two\n\xc0\xaf\n")
with open(os.path.join(d, "oneline.txt"), "wb") as f:   # 50 MB on one line
    chunk = b"word " * 20000
    for _ in range(500):
        f.write(chunk)
os.symlink(os.path.join(d, "does-not-exist.txt"), os.path.join(d, "dangling.txt"))
os.mkfifo(os.path.join(d, "pipe.txt"))
put("z_good.txt", good.replace(b"Dear Bob:", b"Dear Robert:"))

code, out, err = db.run("ingest", "--released", d)
eq(code, 3, "exit status with bad files")
lines = err.splitlines()


def msg(name):
    return next((l for l in lines if os.path.join(d, name) in l), "")


check("binary" in msg("binary.txt"), "binary file message: " + msg("binary.txt"))
check("empty" in msg("empty.txt"), "empty file message: " + msg("empty.txt"))
check("empty" in msg("blank.txt"), "blank file message: " + msg("blank.txt"))
check("invalid UTF-8" in msg("badutf8.txt") and "badutf8.txt:3:" in msg("badutf8.txt"),
      "invalid UTF-8 message names line 3: " + msg("badutf8.txt"))
check("invalid UTF-8" in msg("overlong.txt") and "overlong.txt:4:" in msg("overlong.txt"),
      "overlong encoding: " + msg("overlong.txt"))
check("longer than" in msg("oneline.txt") and "oneline.txt:1:" in msg("oneline.txt"),
      "50 MB line: " + msg("oneline.txt"))
check("No such file" in msg("dangling.txt"), "unreadable file: " + msg("dangling.txt"))
check("not a regular file" in msg("pipe.txt"), "fifo: " + msg("pipe.txt"))
check("10 files (8 failed)" in err and "2 new" in err, "summary: " + err)

lst = db.json("list", "--json")
eq(sorted(x["id"] for x in lst["documents"]), ["inbox/a_good", "inbox/z_good"],
   "only the good files are stored")
# ... and only they are in the audit log, in order (appended with their
# batch; read from the table: this database has no admin)
con = sqlite3.connect("file:%s?mode=ro" % db.path, uri=True)
eq([os.path.basename(t) for (t,) in
    con.execute("SELECT target FROM audit WHERE action = 'ingest' ORDER BY id")],
   ["a_good.txt", "z_good.txt"], "an audit row for each file stored, none for the bad ones")
con.close()

# A single bad file: exit 3, database unchanged.
code, out, err = db.run("ingest", os.path.join(d, "empty.txt"))
eq(code, 3, "single bad file")
eq(db.json("list", "--json")["total"], 2, "nothing stored from it")
# A path that does not exist at all.
code, out, err = db.run("ingest", os.path.join(d, "nowhere"))
eq(code, 3, "missing path")
check("nowhere" in err, "missing path named")
# Bad usage is exit 2, not 3.
eq(db.run("ingest")[0], 2, "ingest without paths")
eq(db.run("ingest", "--collection", "has space", d)[0], 2, "bad collection name")
# A large volume broken at its end: the index was given some of its
# documents before the parse failed (an ingest indexes as it stores,
# dc_db_live_index_step), and none of them may stay searchable or stored.
big = DB()
vols = os.path.join(big.dir, "vols")
os.mkdir(vols)


def volume(name, n, tail):
    docs = "".join(
        '<div type="document" xml:id="d%d" n="%d"><head>%d. Telegram %s %d</head>%s</div>\n'
        % (i, i, i, name, i, "<p>%s marker%s%d and filler text.</p>" % ("embassy " * 60, name, i) * 6)
        for i in range(1, n + 1))
    with open(os.path.join(vols, name + ".xml"), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0" '
                'xml:id="%s"><teiHeader><fileDesc><titleStmt><title>%s</title></titleStmt>'
                '</fileDesc></teiHeader><text><body>\n%s%s' % (name, name, docs, tail))


volume("agood", 40, "</body></text></TEI>\n")
volume("broken", 700, "<div type=\"document\" xml:id=\"dx\"><head>cut")  # > 2 MB, no end
volume("zgood", 40, "</body></text></TEI>\n")
code, out, err = big.run("ingest", "--released", vols)
eq(code, 3, "a volume broken at its end: exit 3 (%s)" % err[-300:])
check("broken.xml" in err, "the broken volume is named: " + err[-300:])
eq(big.run("check")[0], 0, "store and index consistent after the broken volume")
ids = sorted(x["id"] for x in big.json("list", "--json")["documents"])
eq(len(ids), 80, "the two good volumes stored, nothing of the broken one")
check(not any(i.startswith("broken/") for i in ids), "no document of the broken volume")
for word, want in (("markeragood7", 1), ("markerzgood40", 1), ("markerbroken3", 0),
                   ("markerbroken650", 0)):
    code, out, err = big.run("search", word, "--json")
    got = big.json("search", word, "--json")["total"] if code == 0 else 0
    eq(got, want, "search %s after the broken volume" % word)

# A document the store refuses (an id too long), then malformed XML later in
# the same volume: the store's refusal is the volume's error, as the first
# failure in the file (its documents are stored on a thread of their own
# while the parse goes on), and nothing of the volume is stored.
# A volume of 150 documents (300 KB: the parse runs to its end while the
# store works) and one of 600 (more than the store's queue holds: the parse
# waits for room when the store fails).
for ndocs in (150, 600):
    cut = DB()
    cvol = os.path.join(cut.dir, "cvol")
    os.mkdir(cvol)
    docs = "".join('<div type="document" xml:id="%s" n="%d"><head>%d. Telegram</head>'
                   '<p>%s</p></div>\n' % ("d%d" % i if i != 30 else "d" + "x" * 140, i, i,
                                           "word " * 400) for i in range(1, ndocs))
    with open(os.path.join(cvol, "refused.xml"), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
                '<title>R</title></titleStmt><publicationStmt><idno type="frus">frusrefused'
                '</idno></publicationStmt></fileDesc></teiHeader><text><body>\n%s'
                '<div type="document" xml:id="d9999"><p>unclosed</div>\n'
                '</body></text></TEI>\n' % docs)
    what = "%d documents, the 30th refused: " % ndocs
    code, out, err = cut.run("ingest", "--released", cvol)
    eq(code, 3, what + "exit 3 (%s)" % err[-300:])
    check("cannot make a document id" in err and "malformed" not in err,
          what + "the store's refusal is the error, not the XML's later: " + err[-300:])
    eq(cut.json("list", "--json")["total"], 0, what + "nothing of the volume stored")
    eq(cut.run("check")[0], 0, what + "store and index consistent after the refusal")

# A file that is not a database.
bogus = os.path.join(db.dir, "bogus.db")
with open(bogus, "wb") as f:
    f.write(b"this is not a database" * 100)
other = DB()
other.path = bogus
code, out, err = other.run("list")
eq(code, 5, "not a database: exit 5")
check("not a" in err and "database" in err, "not a database message: " + err)
done()
