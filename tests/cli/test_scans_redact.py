"""Redaction on scans (issue 17, docs/scans.md "Pages and words" and
"Releases as PDF"): a memorandum scanned as an image-only PDF is read by
OCR; a reviewer withholds a name on the OCR'd page and releases it; each
reader's PDF (show --format pdf, and the same bytes over the API) and
page images are checked with poppler's own tools: pdftotext finds no
word the reader may not read and every word of their text edition it
should, and in the image pdfimages extracts (and in the PNG) every pixel
of a withheld word's box is black, while the administrator's page is the
scan as stored.  A reader's JSON names no image hash of a redacted page
and lists no withheld word.

Run with Debian's python3 (python3-cairo): tests/CMakeLists.txt."""
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request

import cairo

from dctest import DB, check, done, eq, serve
from scanlib import image_pdf, page_images

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from greypng import png_rows  # noqa: E402  (tests/greypng.py)

db = DB()
src = os.path.join(db.dir, "scans")
os.mkdir(src)
eq(db.run("init")[0], 0, "init")
ADMIN = db.add_user("admin", "TOP SECRET", "--role", "admin")
REV = db.add_user("rev", "TOP SECRET", "--role", "reviewer", admin=ADMIN)
SEC = db.add_user("sec", "SECRET", admin=ADMIN)

NAME = "Sukarno"
TRIGGER_SQL = ("CREATE TRIGGER images_no_update BEFORE UPDATE ON images"
               " BEGIN SELECT RAISE(ABORT, 'images are never changed'); END")
paras = ["Memorandum From the Director to the Secretary",
         "Washington, June 3, 1961.",
         "(S) The Ambassador met President %s at the palace in Djakarta on "
         "Thursday and discussed the rice harvest." % NAME,
         "(TS) The source Kestrel reported troop movements near Bandung "
         "and must be protected.",
         "(U) Copies of this memorandum went to the regional offices.",
         "Allen W. Dulles"]
pdf = os.path.join(src, "memo.pdf")
image_pdf(pdf, page_images(paras, banner="SECRET", skew=0.2, noise=400))


def run(*args, who=None, env=None):
    kw = {"user": who[0], "password": who[1]} if who else {}
    return db.run(*args, env=env, **kw)


def as_json(*args, who=None):
    code, out, err = run(*args, who=who)
    eq(code, 0, "declass %s: %s" % (" ".join(args), err))
    return json.loads(out)


def binary(*args, who=None):
    env = dict(os.environ)
    env.pop("DECLASS_USER", None)
    env.pop("DECLASS_PASSWORD", None)
    if who:
        env["DECLASS_USER"], env["DECLASS_PASSWORD"] = who
    p = subprocess.run([os.environ["DECLASS"], "--db", db.path] + list(args),
                       capture_output=True, env=env, timeout=300, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def png_pixels(data):
    """(width, height, rows) of an 8-bit grey, non-interlaced PNG."""
    got = png_rows(data)
    check(got is not None, "an 8-bit grey, non-interlaced PNG")
    return got if got else (0, 0, [])


def box_black(rows, box):
    x, y, w, h = box
    return all(all(v == 0 for v in rows[r][x:x + w]) for r in range(y, y + h))


# ---- ingest: OCR, pages and words in the model ----------------------------
code, out, err = run("ingest", "-q", "--collection", "memos", pdf, who=ADMIN)
eq(code, 0, "ingest: %s" % err)
doc = as_json("show", "memos/memo", "--json", who=ADMIN)
eq(len(doc["scan"]), 1, "one page")
page = doc["scan"][0]
eq((page["width"], page["height"], page["dpi"], page["source"]), (1275, 1650, 150, "ocr"),
   "the page image: 150 dpi, read by OCR")
check(re.fullmatch(r"[0-9a-f]{64}", page["image"] or ""), "the stored image's hash")
check(not page["redacted"] and not page["boxes"], "the administrator's page is not redacted")
words = page["words"]
name_words = [w for w in words if w[5].strip(".,") == NAME]
eq(len(name_words), 1, "OCR read the name once: %r" % [w[5] for w in words])
nw = name_words[0]
eq(len(nw), 9, "the name is placed in the text: %r" % nw)
portion = nw[6]
ptext = next(p["text"] for p in doc["portions"] if p["id"] == portion)
eq(ptext[nw[7]:nw[8]].strip(".,"), NAME, "the word's range in its portion")
placed = sum(1 for w in words if len(w) == 9)
check(placed >= 0.9 * sum(1 for w in words if re.search(r"[A-Za-z]{2}", w[5])),
      "most words placed: %d of %d" % (placed, len(words)))
kestrel = [w for w in words if w[5].strip(".,") == "Kestrel"]
eq(len(kestrel), 1, "OCR read the TS portion's source name")
regions = {r[0]: r[1:] for r in page["regions"]}
check(portion in regions and len(kestrel[0]) == 9 and kestrel[0][6] in regions,
      "the portions' regions: %r" % page["regions"])
rx, ry, rw, rh = regions[portion]
check(rx <= nw[0] and ry <= nw[1] and nw[0] + nw[2] <= rx + rw and nw[1] + nw[3] <= ry + rh,
      "the name's portion's region holds the name")
eq([r[0] for r in page["regions"]], [p["id"] for p in doc["portions"] if p["id"] in regions],
   "regions in the portions' order")

# ---- each reader's pages, PDF and images ----------------------------------
def check_reader(name, who, sees_name, sees_kestrel, base):
    """name's outputs, where the text edition shows the name and the TS
    source as given."""
    view = as_json("show", "memos/memo", "--json", who=who)
    text_edition = run("show", "memos/memo", "--format", "text", who=who)[1]
    vp = view["scan"][0]
    eq(NAME in text_edition, sees_name, "%s: the name in the text edition" % name)
    eq("Kestrel" in text_edition, sees_kestrel, "%s: the TS source in the text edition" % name)
    vwords = " ".join(w[5] for w in vp["words"])
    eq(NAME in vwords, sees_name, "%s: the name among the view's words" % name)
    eq("Kestrel" in vwords, sees_kestrel, "%s: the TS source among the words" % name)
    shown = [r[0] for r in vp.get("regions", [])]
    eq(kestrel[0][6] in shown, sees_kestrel, "%s: the TS portion's region" % name)
    eq(portion in shown, True, "%s: the name's portion's region (its portion is shown)" % name)
    whole = sees_name and sees_kestrel
    eq(vp["redacted"], not whole, "%s: the page is redacted" % name)
    eq(all(len(w) == 6 for w in vp["words"]), not whole, "%s: targets only in a whole view" % name)
    if vp["redacted"]:
        eq(vp["image"], None, "%s: no hash of the original image" % name)
        check(vp["boxes"], "%s: boxes to burn" % name)
    else:
        eq(vp["image"], page["image"], "%s: the stored image" % name)

    # the PDF, from the CLI and the API: the same bytes
    code, pdf_bytes, err = binary("show", "memos/memo", "--format", "pdf", who=who)
    eq(code, 0, "%s: show --format pdf: %s" % (name, err))
    check(pdf_bytes.startswith(b"%PDF-1.4") and pdf_bytes.rstrip().endswith(b"%%EOF"),
          "%s: a PDF" % name)
    code, png, err = binary("show", "memos/memo", "--format", "png", "--page", "1", who=who)
    eq(code, 0, "%s: show --format png: %s" % (name, err))
    if who is None and base:
        with urllib.request.urlopen(base + "api/documents/memos/memo?format=pdf") as resp:
            eq(resp.headers["Content-Type"], "application/pdf", "API PDF type")
            eq(resp.read(), pdf_bytes, "the API's PDF is the CLI's")
        with urllib.request.urlopen(base + "api/documents/memos/memo?format=png&page=1") as r2:
            eq(r2.headers["Content-Type"], "image/png", "API PNG type")
            eq(r2.read(), png, "the API's page image is the CLI's")
    out_pdf = os.path.join(db.dir, name + ".pdf")
    with open(out_pdf, "wb") as f:
        f.write(pdf_bytes)
    layer = subprocess.run(["pdftotext", out_pdf, "-"], capture_output=True,
                           text=True).stdout
    eq(NAME in layer, sees_name, "%s: pdftotext and the name" % name)
    eq("Kestrel" in layer, sees_kestrel, "%s: pdftotext and the TS source" % name)
    check("Djakarta" in layer, "%s: a released word is in the text layer" % name)
    eq("not declassified" in layer, vp["redacted"], "%s: the notice in the margin" % name)
    lst = subprocess.run(["pdfimages", "-list", out_pdf], capture_output=True,
                         text=True).stdout.splitlines()
    eq(len(lst), 3, "%s: one image in the PDF: %r" % (name, lst))
    check(" 1275  1650  gray" in lst[2], "%s: the page image, 1275 x 1650 grey" % name)
    subprocess.run(["pdfimages", "-png", out_pdf, os.path.join(db.dir, name)], check=True)
    with open(os.path.join(db.dir, name + "-000.png"), "rb") as f:
        _, _, rows = png_pixels(f.read())
    eq(box_black(rows, nw[:4]), not sees_name, "%s: the name's box is burned in" % name)
    eq(box_black(rows, kestrel[0][:4]), not sees_kestrel,
       "%s: the TS source's box is burned in" % name)
    dj = next(w for w in words if w[5].startswith("Djakarta"))
    check(not box_black(rows, dj[:4]), "%s: a released word is not boxed" % name)
    _, _, prow = png_pixels(png)
    eq(prow, rows, "%s: the PDF's image is the page's PNG" % name)


# Before release: a SECRET reader does not read the TS portion.
check_reader("sec", SEC, True, False, None)
check_reader("admin", ADMIN, True, True, None)
eq(binary("show", "memos/memo", "--format", "pdf")[0], 1, "the public: no such document")

# ---- withhold the name, release -------------------------------------------
r = as_json("withhold", "memos/memo", portion, "--text", nw[5].strip(".,"), "--kind", "name",
            "--reason", "25X1", "--until", "2036-06-03", "--json", who=REV)
check(r["ok"], "withhold: %r" % r)
r = as_json("release", "memos/memo", "--json", who=REV)
check(r["ok"], "release: %r" % r)
stored = as_json("show", "memos/memo", "--json", who=ADMIN)["scan"][0]
eq(stored["image"], page["image"], "a new version names the same stored image")

proc, base = serve(db)
try:
    # Released: the public reads all but the name; the SECRET reader, cleared
    # for the name's portion, reads it all.
    check_reader("public", None, False, True, base)
    check_reader("sec", SEC, True, True, base)
    check_reader("admin", ADMIN, True, True, base)

    # the page viewer: the page image from the API, find hits outlined
    with urllib.request.urlopen(base + "documents/memos/memo?find=harvest") as resp:
        html = resp.read().decode("utf-8")
    check("<section class=dc-scan" in html, "the page viewer")
    check('<a href="#%s" aria-label="Passage %s in the text"><rect class=dc-region'
          % (portion, portion) in html, "a passage on the page links to its text")
    check('/api/documents/memos/memo?format=png&amp;page=1' in html, "the page image's URL")
    hits = re.findall(r"<rect class=dc-hit x=(\d+) y=(\d+) width=(\d+) height=(\d+)>", html)
    harvest = [w for w in words if w[5].startswith("harvest")]
    eq([tuple(map(int, h)) for h in hits], [tuple(w[:4]) for w in harvest],
       "the find query's word outlined")
    with urllib.request.urlopen(base + "documents/memos/memo?find=" + NAME) as resp:
        html = resp.read().decode("utf-8")
    eq(re.findall(r"<rect class=dc-hit", html), [], "a withheld word is never outlined")
finally:
    proc.kill()
    proc.wait()

# ---- a paragraph's label takes no word of the portion before it -----------
# "8." ends one portion ("... in Document 8.") and labels the next: placed
# on the same token as the first, the label made the withheld portion's
# outline grow over the next paragraph's line, whose words a reader may
# read (found by the access oracle, seed 5 of --docs 24).
def text_pdf(path, lines):
    """A one-page PDF with a text layer: the lines, 28 points apart."""
    surface = cairo.PDFSurface(path, 612, 792)
    ctx = cairo.Context(surface)
    ctx.select_font_face("DejaVu Sans")
    ctx.set_font_size(10)
    for i, line in enumerate(lines):
        ctx.move_to(54, 60 + 28 * i)
        ctx.show_text(line)
    ctx.show_page()
    surface.finish()


def ingest_text_pdf(name, lines):
    """The document of text_pdf(lines) ingested --released into collection
    name (as name/name), as `show --json` gives it to the admin."""
    path = os.path.join(src, name + ".pdf")
    text_pdf(path, lines)
    code, out, err = run("ingest", "-q", "--released", "--collection", name, path, who=ADMIN)
    eq(code, 0, "%s.pdf ingests: %s" % (name, err))
    return as_json("show", "%s/%s" % (name, name), "--json", who=ADMIN)


def withheld_layer(name, portion):
    """The text layer (pdftotext) of the public's PDF of name/name once the
    reviewer has withheld portion."""
    r = as_json("withhold", "%s/%s" % (name, name), portion, "--reason", "(b)(1)", "--json",
                who=REV)
    check(r["ok"], "withhold %s of %s: %r" % (portion, name, r))
    code, pdf_bytes, err = binary("show", "%s/%s" % (name, name), "--format", "pdf")
    eq(code, 0, "the public's PDF of %s: %s" % (name, err))
    out_pdf = os.path.join(db.dir, name + "-public.pdf")
    with open(out_pdf, "wb") as f:
        f.write(pdf_bytes)
    return subprocess.run(["pdftotext", out_pdf, "-"], capture_output=True, text=True).stdout


ldoc = ingest_text_pdf("labels", ["4. Memorandum for the Record1",
                                  "7. The convoy sailed from Manila as reported in Document 8.",
                                  "8. The rice shipments reached the harbor2 on time.",
                                  "1. Source: Department of State, Central Files.",
                                  "2. Not printed."])
convoy = next(p["id"] for p in ldoc["portions"] if "convoy" in p["text"])
eights = [tuple(w[6:]) for w in ldoc["scan"][0]["words"] if w[5] == "8." and len(w) == 9]
eq(len(eights), len(set(eights)), "no two words on one token: %r" % eights)
# a word with a footnote marker glued to it is placed (unplaced, its box
# would be burned for every reader whose view hides anything, and the
# words it touches left out of the text layer)
marked = [w for w in ldoc["scan"][0]["words"] if w[5] in ("harbor2", "Record1")]
eq([len(w) for w in marked], [9, 9], "marked words placed: %r" % marked)
layer = withheld_layer("labels", convoy)
check("convoy" not in layer, "the withheld portion is not in the text layer")
check("The rice shipments reached the harbor2 on time." in layer,
      "the next paragraph is in the text layer: %r" % layer)
code, png, err = binary("show", "labels/labels", "--format", "png", "--page", "1")
_, _, rows = png_pixels(png)
for w in ldoc["scan"][0]["words"]:
    if w[5] in ("convoy", "Manila"):
        check(box_black(rows, w[:4]), "%s burned in" % w[5])
    if w[5] in ("rice", "shipments", "harbor"):
        check(not box_black(rows, w[:4]), "%s, which the public reads, not burned" % w[5])

# ---- a label is placed on its own portion ----------------------------------
# "1." labels the first paragraph; searched for among the text's tokens it
# took the "1" of the gap line after it, and "The" of the next line took
# the third paragraph's "The", and so on: every word after it landed on a
# later portion's token, and a reader who may not read that portion had
# words of a readable paragraph burned (the access oracle, seed 1315).
gdoc = ingest_text_pdf("gaplabels", [
    "5. Report by the Operations Coordinating Board",
    "1. The garrison shipyard agreement as discussed in Document 10.",
    "[1 line of source text not declassified]",
    "2. (U) The missile petroleum refinery tariff forces armistice.",
    "3. (S) The forces satellite plebiscite consulate under NSC 5429/5."])
owner = {}
for p in gdoc["portions"]:
    for word in ("garrison", "declassified]", "missile", "satellite"):
        if word.strip("]") in p["text"]:
            owner[word] = p["id"]
eq(len(set(owner.values())), 4, "four portions: %r" % gdoc["portions"])
line_of = {"1.": "garrison", "[1": "declassified]", "2.": "missile", "(U)": "missile",
           "refinery": "missile", "3.": "satellite", "(S)": "satellite"}
placed = {}
for w in gdoc["scan"][0]["words"]:
    if w[5] in line_of or w[5] == "The":
        placed.setdefault(w[5], []).append(w[6] if len(w) == 9 else None)
eq(placed["The"], [owner["garrison"], owner["missile"], owner["satellite"]],
   "each line's \"The\" on its own paragraph: %r" % placed)
for word, line in line_of.items():
    eq(placed[word], [owner[line]], "%s placed on its own portion" % word)

# ---- the labels of the notes: placed on their notes -----------------------
# The source note's "1." took the "1" of the footnote after it ("Printed
# as Document 1."): that word was left unplaced, boxed for every reader
# whose view hides anything, and the readable words its padded box
# touched ("Printed", "zqkemvlaop.") left out of the text layer (the
# access oracle, seed 1801).
ndoc = ingest_text_pdf("notelabels", [
    "9. Memorandum From the Secretary",
    "(S) The tariff talks stalled over rubber quotas.",
    "(U) The embassy cabled the armistice2 text and the shipyard3 figures.",
    "1. Source: Department of State, Central Files.",
    "2. Printed as Document 1. zqkemvlaop.",
    "3. Not printed. zqkyhqhwwu."])
eq(ndoc.get("source_note_label"), "1", "the source note's label: %r" % ndoc.get("source_note"))
eq([(f.get("label"), f["text"]) for f in ndoc["footnotes"]],
   [("2", "Printed as Document 1. zqkemvlaop."), ("3", "Not printed. zqkyhqhwwu.")],
   "the footnotes")
where = [(w[5], w[6] if len(w) == 9 else None) for w in ndoc["scan"][0]["words"]]
where = where[[w for w, _ in where].index("Source:") - 1:]
eq(where, [("1.", "source"), ("Source:", "source"), ("Department", "source"), ("of", "source"),
           ("State,", "source"), ("Central", "source"), ("Files.", "source"),
           ("2.", "fn2"), ("Printed", "fn2"), ("as", "fn2"), ("Document", "fn2"), ("1.", "fn2"),
           ("zqkemvlaop.", "fn2"), ("3.", "fn3"), ("Not", "fn3"), ("printed.", "fn3"),
           ("zqkyhqhwwu.", "fn3")], "each note's words, its label too, on the note")
tariff = next(p["id"] for p in ndoc["portions"] if "tariff" in p["text"])
layer = withheld_layer("notelabels", tariff)
check("tariff" not in layer, "the withheld portion is not in the text layer")
for line in ("Printed as Document 1. zqkemvlaop.", "Not printed. zqkyhqhwwu.",
             "Source: Department of State, Central Files."):
    check(line in layer, "%r in the public's text layer: %r" % (line, layer))

# ---- not a scan, bad arguments ----------------------------------------------
txt = os.path.join(src, "note.txt")
with open(txt, "w") as f:
    f.write("A note.\n\nIt has one paragraph.\n")
eq(run("ingest", "-q", "--collection", "memos", "--released", txt, who=ADMIN)[0], 0, "a text")
code, out, err = binary("show", "memos/note", "--format", "pdf")
eq(code, 2, "a PDF of a text document: usage")
check("not a scanned document" in err, "says why: %r" % err)
code, out, err = binary("show", "memos/memo", "--format", "png", "--page", "9", who=ADMIN)
eq(code, 1, "no page 9")
check("has no page 9" in err, "says which: %r" % err)
code, out, err = binary("show", "memos/memo", "--format", "html", "--page", "2")
eq(code, 2, "--page without pdf or png")

# ---- an interrupted ingest resumes without reading its pages again -----------
HELPER = os.path.join(os.path.dirname(os.path.abspath(os.environ["DECLASS"])), "declass-scan")
log = os.path.join(db.dir, "helper.log")
wrapper = os.path.join(db.dir, "helper.sh")
with open(wrapper, "w") as f:
    f.write("#!/bin/sh\necho \"$1 $3\" >> %s\nexec %s \"$@\"\n" % (log, HELPER))
os.chmod(wrapper, 0o755)
long_pdf = os.path.join(src, "long.pdf")
image_pdf(long_pdf, [page_images(["Page %s of the long report on the %s harvest." % (n, c)],
                                 noise=50)[0] for n, c in (("one", "rice"), ("two", "corn"),
                                                           ("three", "wheat"), ("four", "rye"))])
cache_dir = db.path + ".scan-cache"
env = dict(os.environ, DECLASS_SCAN=wrapper, DECLASS_USER=ADMIN[0], DECLASS_PASSWORD=ADMIN[1])
p = subprocess.Popen([os.environ["DECLASS"], "--db", db.path, "ingest", "-q", "--collection",
                      "long", long_pdf], env=env, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.time() + 300
cached = []
while time.time() < deadline and p.poll() is None:
    cached = [n for n in os.listdir(cache_dir) if not n.endswith(".tmp")] \
        if os.path.isdir(cache_dir) else []
    if len(cached) >= 2:
        break
    time.sleep(0.05)
p.kill()
p.wait()
check(len(cached) >= 2 and p.returncode == -9, "killed after %d pages read" % len(cached))
cached = [n for n in os.listdir(cache_dir) if not n.endswith(".tmp")]
eq(stat.S_IMODE(os.stat(cache_dir).st_mode), 0o700, "the cache is the owner's alone")
eq(run("show", "long/long", who=ADMIN)[0], 1, "nothing of the killed ingest is stored")
os.unlink(log)
code, out, err = run("ingest", "-q", "--collection", "long", long_pdf, who=ADMIN,
                     env={"DECLASS_SCAN": wrapper})
eq(code, 0, "the ingest run again: %s" % err)
with open(log) as f:
    pages_read = [l.split()[1] for l in f if l.startswith("page ")]
eq(len(pages_read), 4 - len(cached), "only the pages not read before are read: %r" % pages_read)
eq(os.listdir(cache_dir), [], "the cache is emptied once the document is stored")
long_doc = as_json("show", "long/long", "--json", who=ADMIN)
eq([p["page"] for p in long_doc["scan"]], [1, 2, 3, 4], "all four pages")
check("wheat" in run("show", "long/long", who=ADMIN)[1], "page three's text")

# ---- a multi-page TIFF: each of its images a page ----------------------------
def grey_tiff(pages):
    """A little-endian TIFF of 8-bit grey images (cairo RGB24 surfaces),
    uncompressed, 300 dpi, one IFD a page."""
    data, ifds = bytearray(b"II*\0\0\0\0\0"), []
    for img in pages:
        w, h, stride, px = img.get_width(), img.get_height(), img.get_stride(), img.get_data()
        strip = len(data)
        for y in range(h):
            row = px[y * stride:y * stride + 4 * w]
            data += bytes(row[4 * x + 1] for x in range(w))   # green: the text is grey
        res = len(data)
        data += (300).to_bytes(4, "little") + (1).to_bytes(4, "little")
        ifds.append((w, h, strip, w * h, res))
    prev = 4
    for w, h, strip, n, res in ifds:
        at = len(data) + (len(data) & 1)
        data += b"\0" * (at - len(data))
        data[prev:prev + 4] = at.to_bytes(4, "little")
        tags = [(256, 4, w), (257, 4, h), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, strip),
                (277, 3, 1), (278, 4, h), (279, 4, n), (282, 5, res), (283, 5, res), (296, 3, 2)]
        data += len(tags).to_bytes(2, "little")
        for tag, kind, value in tags:
            data += tag.to_bytes(2, "little") + kind.to_bytes(2, "little") + \
                (1).to_bytes(4, "little") + value.to_bytes(4, "little")
        prev = len(data)
        data += b"\0\0\0\0"
    return bytes(data)


def short_page(text):
    img = cairo.ImageSurface(cairo.FORMAT_RGB24, 1800, 300)
    c = cairo.Context(img)
    c.set_source_rgb(1, 1, 1)
    c.paint()
    c.set_source_rgb(0, 0, 0)
    c.select_font_face("DejaVu Serif")
    c.set_font_size(60)
    c.move_to(100, 180)
    c.show_text(text)
    return img


tiff = os.path.join(src, "two.tif")
with open(tiff, "wb") as f:
    f.write(grey_tiff([short_page("The first page of the telegram."),
                       short_page("The second page of the telegram.")]))
code, out, err = run("ingest", "-q", "--collection", "tiffs", tiff, who=ADMIN)
eq(code, 0, "a two-page TIFF ingests: %s" % err)
tdoc = as_json("show", "tiffs/two", "--json", who=ADMIN)
eq([(p["page"], p["width"], p["height"]) for p in tdoc["scan"]], [(1, 900, 150), (2, 900, 150)],
   "two pages, each at 150 dpi")
ttext = run("show", "tiffs/two", who=ADMIN)[1]
check("first page" in ttext and "second page" in ttext and "[Page 2]" in ttext,
      "both pages' text: %r" % ttext)

# ---- a damaged image: check says so, and it is never served ----------------
eq(run("check", who=ADMIN)[0], 0, "check passes")
con = sqlite3.connect(db.path)
con.execute("DROP TRIGGER images_no_update")
blob = con.execute("SELECT data FROM images WHERE hash = ?", (page["image"],)).fetchone()[0]
con.execute("UPDATE images SET data = ? WHERE hash = ?",
            (blob[:100] + bytes([blob[100] ^ 1]) + blob[101:], page["image"]))
con.execute(TRIGGER_SQL)
con.commit()
con.close()
code, out, err = run("check", who=ADMIN)
check(code != 0 and "do not hash to its name" in err, "check finds the damaged image: %r" % err)
code, out, err = binary("show", "memos/memo", "--format", "png", who=ADMIN)
check(code != 0 and not out, "a damaged image is not served: %d %r" % (code, err))
done()
