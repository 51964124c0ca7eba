"""declass person and dates: the List of Persons of FRUS 1958-60 vol. XVIII
ingested as a list (not a document), persName corresp resolved to the list's
names, plain text matched against them, the person: search field, and the
date (with its source) of every sample, checked by reading the files."""
import os

from dctest import DB, CORPUS, SAMPLES, check, done, eq

LISTS = os.path.join(CORPUS, "frus-lists")
SEEDS = os.path.join(SAMPLES, "seeds")
TEI = os.path.join(SAMPLES, "tei")
S0, S1, S2, S3 = ("seeds/000_5785f422be2d1253", "seeds/001_5ebef3754071e70a",
                  "seeds/002_cb647602e26f3449", "seeds/003_a557502f17c5b6b3")

db = DB()
eq(db.run("init")[0], 0, "init")

# lists first: 119 persons and 197 terms (grep -c 'xml:id="p_' / '<term '), no documents
code, out, err = db.run("ingest", "--released", LISTS)
eq(code, 0, "ingest lists (%s)" % err)
eq(db.json("list", "--json")["total"], 0, "a list is not a document")
code, out, err = db.run("person", "--list", "--json")
eq(code, 0, "person index with no documents")

code, out, err = db.run("ingest", "--released", SEEDS, TEI)
eq(code, 0, "ingest samples (%s)" % err)
eq(db.json("list", "--json")["total"], 8, "8 documents")

# dates: doc-dateTime-min of each TEI file; the seeds' Central Files numbers
# 711.5/7-961 (9 July 1961) and 795.00/10-750 (7 October 1950); seeds 000 (its
# dateline is not in the transcription) and 001 carry no date of their own.
want = {
    "frus1958-60v18/d237": ("1958-08-11", "tei"),
    "frus1958-60v18/d277": ("1959-06-25", "tei"),
    "frus1958-60v18/d279": ("1959-07-01", "tei"),
    "frus1961-63v08/d35": ("1961-07-09", "tei"),
    S2: ("1961-07-09", "file-number"),
    S3: ("1950-10-07", "file-number"),
    S0: (None, None),
    S1: (None, None),
}
for doc_id, (date, source) in want.items():
    d = db.json("show", doc_id, "--format", "json")
    eq((d["date"], d["date_source"]), (date, source), "date of " + doc_id)
code, out, err = db.run("show", S1)
check("Date: undated" in out, "show says the date is unknown")

# persName corresp="#p_SFCJ1" in d279 -> the list's name, the written one kept
d = db.json("show", "frus1958-60v18/d279", "--format", "json")
eq(d["persons"], ["Fred C. Scribner, Jr.", "Scribner, Fred C., Jr.", "James S. Lay, Jr.",
                  "Lay, James S., Jr.", "Rhee"], "d279 persons")
# plain text: "Mr. Fred C. Scribner, Jr." and "James S. Lay, Jr." in seed 000
d = db.json("show", S0, "--format", "json")
eq(d["persons"], ["Fred C. Scribner", "Scribner, Fred C., Jr.", "James S. Lay",
                  "Lay, James S., Jr."], "seed 000 persons")
eq(db.json("show", S1, "--format", "json")["persons"], [], "seed 001 names nobody listed")

# declass person Eisenhower --json: two Eisenhowers, neither named in a document
p = db.json("person", "Eisenhower", "--json")
eq(p["query"], "Eisenhower", "query")
eq([(x["name"], x["xml_id"], x["count"]) for x in p["persons"]],
   [("Eisenhower, Dwight D.", "p_EDD1", 0), ("Eisenhower, John S.D.", "p_EJSD1", 0)],
   "Eisenhowers")
eq(p["persons"][0]["description"], "President of the United States", "role")
eq(p["persons"][0]["collection"], "frus1958-60v18", "volume")
eq(p["persons"][0]["documents"], [], "no documents")

p = db.json("person", "scribner", "--json")
eq(len(p["persons"]), 1, "one Scribner")
s = p["persons"][0]
eq(s["name"], "Scribner, Fred C., Jr.", "Scribner name")
eq(s["description"], "Under Secretary of the Treasury", "Scribner role")
eq(s["count"], 3, "Scribner count")
eq([(x["id"], x["date"]) for x in s["documents"]],
   [("frus1958-60v18/d277", "1959-06-25"), ("frus1958-60v18/d279", "1959-07-01"), (S0, None)],
   "Scribner documents by date, undated last")
# written form, exact
p = db.json("person", "Fred C. Scribner", "--json")
eq([x["name"] for x in p["persons"]], ["Scribner, Fred C., Jr."], "by written form")
# a name no list has: as written (d35 "George McGhee", volume 1961-63 has no list here)
p = db.json("person", "George McGhee", "--json")
eq([(x["name"], x["collection"], x["count"]) for x in p["persons"]],
   [("George McGhee", None, 1)], "unlisted name")

# person: search field
r = db.json("search", "person:Scribner", "--json")
eq(sorted(h["id"] for h in r["hits"]),
   ["frus1958-60v18/d277", "frus1958-60v18/d279", S0], "person:Scribner")
r = db.json("search", 'person:"Lay, James S., Jr."', "--json")
eq(sorted(h["id"] for h in r["hits"]),
   ["frus1958-60v18/d237", "frus1958-60v18/d279", S0], "person: canonical name")

# the index
idx = db.json("person", "--list", "--json")
names = {x["name"]: x["count"] for x in idx["persons"]}
eq(idx["total"], len(idx["persons"]), "index total")
eq(names.get("Lay, James S., Jr."), 3, "Lay in the index")
eq(names.get("Gray, Gordon"), 1, "Gray (d277 corresp) in the index")
check("Eisenhower, Dwight D." not in names, "nobody named by no document")
code, out, err = db.run("person", "--list")
eq(code, 0, "index text")
check("Scribner, Fred C., Jr." in out, "index text lists Scribner")

# bad input
eq(db.run("person")[0], 2, "no name")
eq(db.run("person", "--list", "Rhee")[0], 2, "--list with a name")
eq(db.run("person", "--bogus", "x")[0], 2, "unknown option")
eq(db.run("person", "Nobody Whatsoever")[0], 1, "unknown person")
eq(db.run("person", "")[0], 2, "empty name")

# a plain-text record dated by its dateline-like first line, and one by its
# source note ("approved ... on")
notes = os.path.join(db.dir, "notes")
os.mkdir(notes)
with open(os.path.join(notes, "a.txt"), "w") as f:
    f.write("Memorandum for the Record\n\nSecretary Herter spoke first.\n\n"
            "The meeting then heard Mr. Gray.\n")
with open(os.path.join(notes, "b.txt"), "w") as f:
    f.write("Memorandum\n\nWashington, October 8, 1959.\n\nThe text.\n")
code, out, err = db.run("ingest", "--released", notes)
eq(code, 0, "ingest notes (%s)" % err)
a = db.json("show", "notes/a", "--format", "json")
eq(a["persons"], ["Herter", "Herter, Christian A.", "Gray", "Gray, Gordon"],
   "title + unique surname")
eq((a["date"], a["date_source"]), (None, None), "a: undated")
b = db.json("show", "notes/b", "--format", "json")
eq((b["date"], b["date_source"]), ("1959-10-08", "dateline"), "b: dateline")

# A volume (over 256 KB: its documents are stored on a thread of their own
# while it is parsed) with its List of Persons between its documents: a
# persName/@corresp is resolved against the persons stored when it is read,
# as the file goes, so the documents before the list keep only the names as
# written and those after it gain the list's.
mid = DB()
eq(mid.run("init")[0], 0, "init")
vdir = os.path.join(mid.dir, "midvol")
os.mkdir(vdir)


def mdoc(i):
    return ('<div type="document" xml:id="d%d" n="%d"><head>%d. Memorandum</head><p>'
            '<persName corresp="#p_ZZ1">Zed</persName> met the minister. %s</p></div>\n'
            % (i, i, i, "filler " * 300))


with open(os.path.join(vdir, "frusmid.xml"), "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0">'
            '<teiHeader><fileDesc><titleStmt><title>Mid</title></titleStmt><publicationStmt>'
            '<idno type="frus">frusmid</idno></publicationStmt></fileDesc></teiHeader>'
            '<text><body>\n%s<div type="section" xml:id="persons"><head>List of Persons</head>'
            '<list><item><persName xml:id="p_ZZ1">Zedman, Zachary</persName>, the minister'
            '</item></list></div>\n%s</body></text></TEI>\n'
            % ("".join(mdoc(i) for i in range(1, 101)), "".join(mdoc(i) for i in range(101, 201))))
check(os.path.getsize(os.path.join(vdir, "frusmid.xml")) > 256 << 10, "the volume is large")
code, out, err = mid.run("ingest", "--released", vdir)
eq(code, 0, "ingest the volume with its list in the middle: " + err)
eq(mid.json("list", "--json")["total"], 200, "200 documents")
for i, want in ((1, ["Zed"]), (100, ["Zed"]), (101, ["Zed", "Zedman, Zachary"]),
                (200, ["Zed", "Zedman, Zachary"])):
    eq(mid.json("show", "frusmid/d%d" % i, "--format", "json")["persons"], want,
       "persons of d%d (the list after d100)" % i)

done()
