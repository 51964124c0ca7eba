"""The reading room's volume pages over the real FRUS volume
(tests/data/corpus/volumes/frus1917-72PubDip.xml), through `declass serve`:
/volumes/ID lists the header, front matter, the 44 documents in order
under their compilation and the back matter; a document page has the
trail (volume, compilation, document), previous / next links across the
volume, the Cite box with exactly the citations `declass show --format
cite|bibtex|ris` prints, download links, the Office of the Historian's
address, and the Highwire citation_* tags in its head.  Through the
public's eyes on a copy whose document 7 is marked Secret and unreleased:
the contents skip it, document 6's next is document 8, and nothing of its
title shows."""
import html
import os
import re
import urllib.error
import urllib.request

from dctest import CORPUS, DB, check, done, eq, serve

VOL = "frus1917-72PubDip"
SRC = os.path.join(CORPUS, "volumes", VOL + ".xml")
BOOK = "Foreign Relations of the United States, 1917\u20131972, Public Diplomacy, World War I"


def get(base, path):
    try:
        with urllib.request.urlopen(base + path.lstrip("/"), timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8")


def text(s):
    return html.unescape(re.sub(r"<[^>]+>", "", s))


db = DB()
eq(db.run("ingest", "--released", "-q", SRC)[0], 0, "ingest the volume")
proc, base = serve(db)
try:
    code, ctype, page = get(base, "/volumes/" + VOL)
    eq(code, 200, "volume page")
    check(ctype.startswith("text/html"), "volume page is HTML")
    eq(text(re.search(r"<h1>(.*?)</h1>", page).group(1)), BOOK, "h1: the volume's title")
    check("Editor: Aaron W. Marrs; General editor: Adam M. Howard" in page, "editors")
    check("Washington: United States Government Printing Office, 2014" in page, "publication")
    toc = re.findall(r'<li class=dc-toc-doc><a href="/documents/([^"]+)">', page)
    eq(toc, ["%s/d%d" % (VOL, n) for n in range(1, 45)], "44 documents in document order")
    front = page.split("<h2>Front matter</h2>")[1].split("</section>")[0]
    eq(re.findall(r'href="/documents/[^/]+/([^"]+)"', front),
       ["about", "preface", "acknowledge", "sources"], "front matter links")
    check('<h3 class="dc-toc-div dc-toc-l0" id="comp1">World War I</h3>' in page,
          "the compilation's heading, addressable")
    check(page.index("Front matter") < page.index("World War I</h3>") <
          page.index("Back matter"), "parts in order")
    page = get(base, "/")[2]
    check('<li><a href="/volumes/%s">%s</a> <span class=dc-coll-id>%s</span>' %
          (VOL, BOOK, VOL) in page, "the welcome page names the volume by its title")
    import json
    colls = json.loads(get(base, "/api/collections")[2])["collections"]
    eq(colls, [{"name": VOL, "documents": 49, "title": BOOK}], "/api/collections: the title")
    eq(get(base, "/volumes/nope")[0], 404, "unknown volume: 404")
    eq(get(base, "/volumes/")[0], 404, "no volume id: 404")

    code, ctype, page = get(base, "/documents/%s/d5" % VOL)
    eq(code, 200, "document 5")
    check("dc-banner" not in page, "document 5 carries no marking: no banner is invented")
    head = page.split("</head>")[0]
    metas = re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', head)
    eq(metas, [("citation_title", "Report From the Embassy in Spain"),
               ("citation_inbook_title", BOOK), ("citation_book_title", BOOK),
               ("citation_editor", "Aaron W. Marrs"), ("citation_editor", "Adam M. Howard"),
               ("citation_publisher", "United States Government Printing Office"),
               ("citation_publication_date", "2014"), ("citation_firstpage", "10"),
               ("citation_lastpage", "14"), ("citation_date", "1917/12/22"),
               ("citation_public_url",
                "https://history.state.gov/historicaldocuments/frus1917-72PubDip/d5"),
               ("citation_language", "en")], "Highwire tags")
    trail = re.search(r'<nav class=dc-trail aria-label="Volume"><ol>(.*?)</ol></nav>', page, re.S)
    check(trail is not None, "a trail")
    if trail:
        eq([text(x) for x in re.findall(r"<li[^>]*>(.*?)</li>", trail.group(1))],
           [BOOK, "World War I", "Document 5"], "trail: volume, compilation, document")
        check('href="/volumes/%s#comp1"' % VOL in trail.group(1), "trail links the division")
    check('<a href="/documents/%s/d4" rel=prev>' % VOL in page and
          '<a href="/documents/%s/d6" rel=next>' % VOL in page, "previous 4, next 6")
    for fmt, cls in (("cite", "dc-cite-chicago"), ("bibtex", "dc-cite-bibtex"),
                     ("ris", "dc-cite-ris")):
        m = re.search(r"class=%s>(.*?)</(?:p|pre)>" % cls, page, re.S)
        want = db.run("show", VOL + "/d5", "--format", fmt)[1].rstrip("\n")
        eq(html.unescape(m.group(1)) if m else None, want, "Cite box: %s as the CLI" % fmt)
        check('href="/api/documents/%s/d5?format=%s" download' % (VOL, fmt) in page,
              "download link " + fmt)
    code, ctype, bib = get(base, "/api/documents/%s/d5?format=bibtex" % VOL)
    check(code == 200 and ctype.startswith("application/x-bibtex") and
          bib.startswith("@incollection{frus1917-72PubDip:d5,"), "the BibTeX download")
    check('<a href="https://history.state.gov/historicaldocuments/frus1917-72PubDip/d5">'
          in page, "the Office of the Historian's page")

    # the edges: the preface has no previous document; d44 leads to the appendix
    page = get(base, "/documents/%s/about" % VOL)[2]
    check("rel=prev" not in page and
          '<a href="/documents/%s/preface" rel=next>' % VOL in page, "about: first of the book")
    page = get(base, "/documents/%s/d1" % VOL)[2]
    check('<a href="/documents/%s/sources" rel=prev>' % VOL in page,
          "d1 follows the front matter")
    page = get(base, "/documents/%s/d44" % VOL)[2]
    check('<a href="/documents/%s/appendix" rel=next>' % VOL in page, "d44: next the appendix")
    check("history.state.gov/historicaldocuments/%s/appendix" % VOL not in page,
          "no Office of the Historian address is made up for the appendix")
    # persons and terms: the volume's person index, a person reached from a
    # document, a term
    page = get(base, "/volumes/" + VOL)[2]
    check('<li><a href="/persons/%s/p_RWS_1">Rogers, Walter S.</a>' % VOL in page,
          "the volume's person index links Rogers")
    page = get(base, "/documents/%s/d2" % VOL)[2]
    m = re.search(r'<a href="(/persons/%s/p_CG_2)" title="([^"]*)">Creel, George</a>' % VOL,
                  page)
    check(m is not None, "document 2 links the person Creel, with his role as the title")
    if m:
        eq(html.unescape(m.group(2)), "Chairman of the Committee on Public Information from "
           "April 1917", "the role on hover")
        code, ctype, pp = get(base, m.group(1))
        eq(code, 200, "Creel's page")
        check("<h1>Creel, George</h1>" in pp and
              '<a href="/documents/%s/d2">' % VOL in pp, "Creel's page lists document 2")
        docs = re.findall(r'<li><a href="/documents/([^"]+)">', pp.split("dc-person-docs")[1])
        check(len(docs) >= 10 and all(d.startswith(VOL + "/") for d in docs),
              "Creel is named in many documents: %d" % len(docs))
    code, ctype, tp = get(base, "/terms/%s/t_CPI_1" % VOL)
    check(code == 200 and "<h1>CPI</h1>" in tp and "Committee on Public Information" in tp,
          "the term CPI")
    for bad in ("/persons/%s/p_NOPE" % VOL, "/persons/nope/p_RWS_1", "/persons/" + VOL,
                "/terms/%s/t_NOPE" % VOL, "/terms/"):
        eq(get(base, bad)[0], 404, "404: " + bad)
finally:
    proc.terminate()
    proc.wait(timeout=30)

# ---- the public's view of a volume with a document it may not open -------------
rdb = DB()
with open(SRC, encoding="utf-8") as f:
    tei = f.read()
os.makedirs(os.path.join(rdb.dir, "in"))
with open(os.path.join(rdb.dir, "in", VOL + ".xml"), "w", encoding="utf-8") as f:
    f.write(tei.replace('xml:id="d7fn1" type="source">Source:',
                        'xml:id="d7fn1" type="source">Secret. Source:'))
eq(rdb.run("ingest", "-q", os.path.join(rdb.dir, "in"))[0], 0, "ingest the marked copy")
proc, base = serve(rdb)
try:
    page = get(base, "/volumes/" + VOL)[2]
    toc = re.findall(r'<li class=dc-toc-doc><a href="/documents/([^"]+)">', page)
    eq(len(toc), 43, "the public: 43 documents")
    check(VOL + "/d7" not in page and "43 documents." in page, "no trace of document 7")
    page = get(base, "/documents/%s/d6" % VOL)[2]
    check('<a href="/documents/%s/d8" rel=next>' % VOL in page and "/d7" not in page,
          "d6: next is d8 for the public")
    eq(get(base, "/documents/%s/d7" % VOL)[0], 404, "d7 itself: 404")
finally:
    proc.terminate()
    proc.wait(timeout=30)
done()
