"""declass search over the sample corpus: results checked by reading the
documents (grep of samples/ for each term), exact totals, facets, fields,
pagination, exit codes, versions and the index kept in step with the store."""
import json
import os

from dctest import DB, SAMPLES, check, done, eq

S0, S1, S2, S3 = ("seeds/000_5785f422be2d1253", "seeds/001_5ebef3754071e70a",
                  "seeds/002_cb647602e26f3449", "seeds/003_a557502f17c5b6b3")
D237, D277, D279, D35 = ("frus1958-60v18/d237", "frus1958-60v18/d277", "frus1958-60v18/d279",
                         "frus1961-63v08/d35")

db = DB()
code, out, err = db.run("ingest", "--released", "-q", SAMPLES)
eq(code, 0, "ingest samples")


def search(q, *args):
    """The JSON of a search; exit status 0 with hits, 1 (and JSON) without."""
    code, out, err = db.run("search", q, "--json", *args)
    res = json.loads(out)
    eq(code, 0 if res["total"] else 1, "exit status of search %r" % q)
    return res


def ids(res):
    return sorted(h["id"] for h in res["hits"])


# Relevance: the NSC 5907 report ranks first for the armistice commission.
r = search('korean armistice "neutral nations supervisory commission"')
eq(r["total"], 3, "armistice commission total")
eq(ids(r), sorted([S0, D279, D237]), "armistice commission hits")
check(r["hits"][0]["id"] in (S0, D279), "NSC 5907 first: %s" % r["hits"][0]["id"])
check(r["hits"][0]["score"] >= r["hits"][1]["score"] >= r["hits"][2]["score"], "score order")
eq(sorted(r.keys()), ["facets", "hits", "query", "total"], "search JSON keys")
eq(sorted(r["hits"][0].keys()), ["classification", "date", "id", "score", "snippet", "title"],
   "hit keys")
check("<mark>" in r["hits"][0]["snippet"], "snippet highlights: " + r["hits"][0]["snippet"])

# Single words, exact totals.
eq(ids(search("Kassaniev")), [S3], "Kassaniev")
eq(ids(search("Vishinsky")), [S3], "Vishinsky")
eq(ids(search("Rangoon")), [S1], "Rangoon (OCR'd paper)")
eq(ids(search("McNamara")), sorted([S2, D35]), "McNamara")
eq(search("armistice")["total"], 4, "armistice: seed 000 and three TEI documents")
# Stemming: "negotiate" finds "negotiations"; quoted, it matches only itself.
eq(ids(search("negotiate")), sorted([S0, S3, D237, D277, D279]), "negotiate (stem)")
eq(search('"negotiate"')["total"], 0, "quoted word is exact: no document says 'negotiate'")
eq(ids(search('"negotiations"')), sorted([S0, S3, D237, D277, D279]), "exact 'negotiations'")
# Identifiers and phrases.
eq(ids(search('"NSC 5907"')), sorted([S0, D277, D279]), "phrase NSC 5907")
eq(ids(search("795.00/10–750")), [S3], "decimal file number")
check(S0 in ids(search('"NSC Action No. 2102–b"')), "NSC Action No. 2102–b")
# Boolean operators and prefixes.
eq(ids(search("Kassaniev OR Rangoon")), sorted([S1, S3]), "OR")
eq(ids(search("McNamara -Bob")), [], "NOT: both McNamara letters say Dear Bob")
eq(ids(search("armistice -Supervisory")), [D277], "AND NOT")
eq(ids(search("Kassan*")), [S3], "prefix")
# Fields and filters.
eq(ids(search("title:McNamara")), sorted([S2, D35]), "title:")
eq(ids(search("title:armistice")), [], "title: matches titles only")
check(D279 in ids(search("person:Scribner")), "person: (TEI persName)")
eq(ids(search("armistice", "--from", "1959", "--to", "1959")), sorted([D277, D279]),
   "date range (seed 000 is undated)")
eq(ids(search("armistice date:1958")), [D237], "date: field")
eq(ids(search("McNamara", "--classification", "SECRET")), sorted([S2, D35]), "class filter")
eq(ids(search("armistice class:secret")), [], "class: field")
eq(ids(search("armistice", "--collection", "seeds")), [S0], "collection filter")
types = {h: t for h, t in ((d["id"], d["doc_type"]) for d in
                           json.loads(db.run("list", "--json")[1])["documents"])}
memos = sorted(h for h in ids(search("armistice")) if types[h] == "memorandum")
eq(len(memos), 1, "one armistice memorandum")
eq(ids(search("armistice", "--type", "memorandum")), memos, "document type filter")
eq(ids(search("armistice", "--type", "MEMORANDUM")), memos, "type filter ignores case")
eq(db.run("search", "armistice", "--type", "sonnet")[0], 1, "unknown type: no match")
eq(db.run("search", "armistice", "--from", "19x")[0], 2, "bad date: usage error")
# Facets count every match, not just the page.
r = search("armistice", "--limit", "1")
eq(len(r["hits"]), 1, "limit")
eq(r["total"], 4, "total is exact with --limit")
fac = {f: {v["value"]: v["count"] for v in vals} for f, vals in r["facets"].items()}
eq(fac.get("collection"), {"frus1958-60v18": 3, "seeds": 1}, "collection facet")
eq(fac.get("classification"), {"TOP SECRET": 4}, "classification facet")
eq(fac.get("decade"), {"1950s": 3}, "decade facet (undated seed not counted)")
# Pagination walks every hit once.
seen = []
for off in range(0, 4):
    seen += [h["id"] for h in search("armistice", "--limit", "1", "--offset", str(off))["hits"]]
eq(sorted(seen), sorted([S0, D237, D277, D279]), "pagination")

# Exit codes and messages.
code, out, err = db.run("search", "zzyzx")
eq(code, 1, "no match exit 1")
check("no documents match" in err, "no match message")
code, out, err = db.run("search", '"unbalanced')
eq(code, 2, "bad query exit 2")
check("bad query" in err, "bad query message: " + err)
eq(db.run("search", "-foo")[0], 2, "only excluded terms")
eq(db.run("search", "x", "--limit", "abc")[0], 2, "bad --limit")
eq(db.run("search", "x", "--classification", "COSMIC")[0], 2, "bad classification")
code, out, err = db.run("search", "Kassaniev")
check(code == 0 and S3 in out and "**Kassaniev**" in out, "text output: " + out)

# A new version replaces the old one in the index.
tmp = os.path.join(db.dir, "seeds")
os.mkdir(tmp)
src = open(os.path.join(SAMPLES, "seeds", "003_a557502f17c5b6b3.txt"), encoding="utf-8").read()
with open(os.path.join(tmp, "003_a557502f17c5b6b3.txt"), "w", encoding="utf-8") as f:
    f.write(src.replace("Kassaniev", "Malik"))
eq(db.run("ingest", "--released", "-q", tmp)[0], 0, "ingest new version")
eq(ids(search("Kassaniev")), [], "old version's words are gone")
eq(ids(search("Malik")), [S3], "new version's words are found")
eq(search("Vishinsky")["total"], 1, "no duplicate hit for two versions")

# Many small ingests: segments are merged automatically, answers unchanged.
for i in range(12):
    with open(os.path.join(tmp, "extra%02d.txt" % i), "w", encoding="utf-8") as f:
        f.write("Extra memorandum %d\n\nThe Rangoon matter, part %d.\n" % (i, i))
    eq(db.run("ingest", "-q", os.path.join(tmp, "extra%02d.txt" % i))[0], 0, "small ingest")
segments = [n for n in os.listdir(db.path + ".index") if n != "MANIFEST"]
check(len(segments) <= 9, "segments merged automatically: %r" % segments)
eq(search("Rangoon")["total"], 13, "Rangoon after many ingests")
eq(db.run("check")[0], 0, "check after automatic merges")

# optimize and check keep the same answers.
code, out, err = db.run("optimize")
eq(code, 0, "optimize: " + err)
code, out, err = db.run("check")
eq(code, 0, "check: " + err)
eq(ids(search("Malik")), [S3], "after optimize")
eq(search("armistice")["total"], 4, "after optimize, armistice")

# An index deleted or left behind (a crash after the store committed) catches up.
import shutil
shutil.rmtree(db.path + ".index")
eq(ids(search("Malik")), [S3], "index rebuilt from the store")
eq(db.run("check")[0], 0, "check after rebuild")

# A new database at the same path never answers from the old one's index.
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(db.path + suffix):
        os.remove(db.path + suffix)
eq(db.run("ingest", "--released", "-q", os.path.join(SAMPLES, "seeds",
                                                    "001_5ebef3754071e70a.txt"))[0], 0,
   "ingest into a new database at the same path")
eq(ids(search("Rangoon")), [S1], "stale index dropped")
eq(search("armistice")["total"], 0, "nothing from the old database")
eq(db.run("check")[0], 0, "check after the stale index was dropped")
done()
