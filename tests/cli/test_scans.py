"""Scanned records (issue 17, docs/scans.md): PDFs with a text layer,
image-only PDFs and PNG pages made here from the sample texts (cairo,
300 dpi, a little noise and skew), OCR word accuracy measured against the
source words, the fail-safe rule on a TOP SECRET banner, --pages, --ocr,
and every kind of bad input: a clear error naming the file (and page),
exit 3, nothing of it stored, the other files still ingested.

Run with Debian's python3 (python3-cairo): tests/CMakeLists.txt."""
import difflib
import json
import os
import re
import struct
import subprocess
import zlib

import cairo

from dctest import DB, DECLASS, SAMPLES, check, done, eq
from scanlib import image_pdf, page_images, rng, text_pdf

HELPER = os.path.join(os.path.dirname(os.path.abspath(DECLASS)), "declass-scan")
db = DB()
src = os.path.join(db.dir, "scans")
os.mkdir(src)


def seed_text(name, limit=None):
    with open(os.path.join(SAMPLES, "seeds", name), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\[Page \d+\]", " ", text)          # page markers are declass's own
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2022", "-")
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    if limit:
        out, n = [], 0
        for p in paras:
            if n >= limit:
                break
            out.append(" ".join(p.split()[:limit - n]))
            n += len(out[-1].split())
        paras = out
    return paras


def norm_words(text):
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2014", "-").replace("\u2013", "-")
    return text.split()


def accuracy(src_words, got_words):
    """Share of the source words the OCR read exactly, in order."""
    m = difflib.SequenceMatcher(None, src_words, got_words, autojunk=False)
    return sum(b.size for b in m.get_matching_blocks()) / max(1, len(src_words))


def helper_words(path, n_pages):
    words = []
    for n in range(1, n_pages + 1):
        p = subprocess.run([HELPER, "page", path, str(n)], capture_output=True, timeout=300)
        check(p.returncode == 0, "declass-scan page %s %d: %r" % (path, n, p.stdout[-300:]))
        answer = p.stdout[:p.stdout.rindex(b"\nimage ")]   # the PNG follows
        for line in answer.decode("utf-8").splitlines():
            if line.startswith("word "):
                words.append(line.split(" ", 6)[6])
    return words


def put(name, data):
    path = os.path.join(src, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def msg_of(err, name):
    return next((l for l in err.splitlines() if name in l), "")


eq(db.run("init")[0], 0, "init")
ADMIN = db.add_user("admin", "TOP SECRET", "--role", "admin")
TS = db.add_user("ts", "TOP SECRET", admin=ADMIN)


def run(*args, **kw):
    return db.run(*args, user=ADMIN[0], password=ADMIN[1], **kw)


def listing(user=None):
    who = {} if user is None else {"user": user[0], "password": user[1]}
    code, out, err = db.run("list", "--json", **who)
    return {d["id"]: d for d in json.loads(out)["documents"]} if code == 0 else {}


# ---- a text-layer PDF ---------------------------------------------------
seed2 = seed_text("002_cb647602e26f3449.txt")
text_pdf(os.path.join(src, "letter.pdf"), seed2)
code, out, err = run("ingest", "--released", "-q", os.path.join(src, "letter.pdf"))
eq(code, 0, "text-layer PDF ingests: " + err)
doc = db.json("show", "scans/letter", "--json")
check(len(doc["pages"]) >= 2 and doc["pages"][:2] == ["1", "2"], "page markers: %r" % doc["pages"])
body = " ".join(p["text"] for p in doc["portions"])
src_words = norm_words(" ".join(seed2))
acc = accuracy(src_words, norm_words(body))
print("text layer: %.2f%% of %d source words" % (100 * acc, len(src_words)))
check(acc >= 0.97, "text layer word accuracy %.3f" % acc)

# ---- a text layer in a font the PDF does not embed ----------------------
# Helvetica by name only, as declass's own PDFs and many born-digital
# records have it: poppler asks fontconfig for a substitute (a LeakSanitizer
# build failed every such page before the helper suppressed fontconfig's
# process-long configuration).
content = b"BT /F1 11 Tf 72 700 Td (1. Note on the Helvetica harvest) Tj ET\n" \
          b"BT /F1 11 Tf 72 670 Td (The ministry reported the rice harvest.) Tj ET\n"
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R"
        b" >> >> /Contents 5 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream"]
pdf, offs = bytearray(b"%PDF-1.4\n"), []
for i, o in enumerate(objs):
    offs.append(len(pdf))
    pdf += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
pdf += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
code, out, err = run("ingest", "--released", "-q", put("helvetica.pdf", bytes(pdf)))
eq(code, 0, "a PDF of a font it does not embed ingests: " + err)
doc = db.json("show", "scans/helvetica", "--json")
eq([p["text"] for p in doc["portions"]], ["The ministry reported the rice harvest."],
   "its text layer read")
eq(doc["scan"][0]["source"], "text", "from the text layer")

# ---- image-only: PNG pages and an image-only PDF, OCR ------------------
ocr_seeds = [("002_cb647602e26f3449.txt", None), ("003_a557502f17c5b6b3.txt", 450),
             ("000_5785f422be2d1253.txt", 450)]
all_src, all_got = [], []
for k, (name, limit) in enumerate(ocr_seeds):
    paras = seed_text(name, limit)
    imgs = page_images(paras)
    folder = os.path.join(db.dir, "pages%d" % k)
    os.mkdir(folder)
    for i, img in enumerate(imgs):
        img.write_to_png(os.path.join(folder, "p%02d.png" % (i + 1)))
    got = []
    for i in range(len(imgs)):
        got += helper_words(os.path.join(folder, "p%02d.png" % (i + 1)), 1)
    sw = norm_words(" ".join(paras))
    acc = accuracy(sw, got)
    print("OCR of %s: %.2f%% of %d source words (%d pages, 300 dpi, skew 0.35 deg, noise)"
          % (name, 100 * acc, len(sw), len(imgs)))
    all_src += sw
    all_got += got
    check(acc >= 0.97, "OCR word accuracy of %s: %.3f" % (name, acc))
total = accuracy(all_src, all_got)
print("OCR word accuracy over the image-only seeds: %.2f%% of %d words" % (100 * total,
                                                                          len(all_src)))
check(total >= 0.97, "OCR word accuracy %.3f" % total)

# the first seed's pages as one document (--pages), and as an image-only PDF
code, out, err = run("ingest", "--released", "--pages", "--collection", "scans", "-q",
                     os.path.join(db.dir, "pages0"))
eq(code, 0, "--pages folder ingests: " + err)
doc = db.json("show", "scans/pages0", "--json")
eq(doc["pages"][:2], ["1", "2"], "--pages: one document, its images its pages")
check("Dear Bob" in " ".join(p["text"] for p in doc["portions"]), "--pages: OCR text stored")
img2 = page_images(seed2)
image_pdf(os.path.join(src, "scanned.pdf"), img2)
code, out, err = run("ingest", "--released", "--json", os.path.join(src, "scanned.pdf"))
eq(code, 0, "image-only PDF ingests: " + err)
doc = db.json("show", "scans/scanned", "--json")
body = " ".join(p["text"] for p in doc["portions"])
check("Dear Bob" in body, "image-only PDF: OCR text stored")
check(len(doc["pages"]) == len(img2), "image-only PDF pages %r" % doc["pages"])

# --ocr never: the image-only PDF has no text: a clear error, nothing stored
code, out, err = run("ingest", "--ocr", "never", "--collection", "never",
                     os.path.join(src, "scanned.pdf"))
eq(code, 3, "--ocr never on an image-only PDF")
check("no text layer" in err and "--ocr never" in err and "scanned.pdf" in err,
      "--ocr never message: " + err)
check(not any(i.startswith("never/") for i in listing(ADMIN)), "--ocr never: nothing stored")
code, out, err = run("ingest", "--ocr", "never", "--released", "--collection", "never",
                     os.path.join(src, "letter.pdf"))
eq(code, 0, "--ocr never reads a text layer: " + err)
# --ocr force: the text-layer PDF OCR'd, words as before
code, out, err = run("ingest", "--ocr", "force", "--released", "--collection", "forced",
                     os.path.join(src, "letter.pdf"))
eq(code, 0, "--ocr force: " + err)
doc = db.json("show", "forced/letter", "--json")
acc = accuracy(norm_words(" ".join(seed2)),
               norm_words(" ".join(p["text"] for p in doc["portions"])))
print("--ocr force on the text-layer PDF: %.2f%%" % (100 * acc))
check(acc >= 0.95, "--ocr force accuracy %.3f" % acc)

# ---- fail safe: a TOP SECRET banner on a scanned page ------------------
memo = ["Memorandum for the Record", "Washington, June 3, 1961.",
        "SUBJECT: Meeting with the Ambassador on the status of the negotiations.",
        "The Ambassador said that his government would consider the proposal and "
        "reply within the week."]
ts_img = page_images(memo, banner="TOP SECRET", noise=300)
ts_img[0].write_to_png(os.path.join(src, "tsmemo.png"))
# a PDF whose second page only carries the banner
s = cairo.PDFSurface(os.path.join(src, "twopage.pdf"), 612, 792)
c = cairo.Context(s)
c.set_font_size(11)
c.move_to(72, 72)
c.show_text("A routine cover note about the negotiations.")
c.show_page()
c.move_to(260, 40)
c.show_text("TOP SECRET")
c.move_to(72, 90)
c.show_text("The attached minutes record the meeting with the Ambassador.")
c.show_page()
s.finish()
code, out, err = run("ingest", "-q", os.path.join(src, "tsmemo.png"),
                     os.path.join(src, "twopage.pdf"))
eq(code, 0, "banner pages ingest: " + err)
for i in ("scans/tsmemo", "scans/twopage"):
    check(i not in listing(), "%s hidden from the public" % i)
    d = listing(TS).get(i)
    check(d is not None and d["classification"] == "TOP SECRET",
          "%s classified TOP SECRET: %r" % (i, d))
    code, out, err = db.run("show", i)
    eq(code, 1, "the public cannot open %s" % i)

# ---- nothing derived: a scan reads as its transcription, reader by reader -
# The same record as a text-layer PDF and as the text file it transcribes
# ("[Page 1]" first, as the scan's text has it): every reader's outputs of
# the two must be the same but for the id, released and not (classified
# by its banner).
SEC = db.add_user("sec", "SECRET", admin=ADMIN)
CONF = db.add_user("conf", "CONFIDENTIAL", admin=ADMIN)
record = ["12. Memorandum From the Director to the Secretary", "SECRET",
          "Washington, June 3, 1961.",
          "(U) The meeting discussed the zqkalpha agenda at length.",
          "(C) Copies of the minutes went to the zqkdelta offices.",
          "(S) The Ambassador reported zqkbravo movements near the border.",
          "(TS) The source zqkcharlie must be protected at all costs.",
          "Allen W. Dulles"]
for mode in ("released", "classified"):
    cp, ct = "pdf" + mode, "txt" + mode          # one collection each, the same local id
    pdir = os.path.join(db.dir, "pair" + mode)
    os.mkdir(pdir)
    s = cairo.PDFSurface(os.path.join(pdir, "rec.pdf"), 612, 792)
    c = cairo.Context(s)
    c.select_font_face("DejaVu Sans")
    c.set_font_size(10)
    for i, line in enumerate(record):
        c.move_to(54, 60 + 28 * i)                 # a blank line between paragraphs
        c.show_text(line)
    c.show_page()
    s.finish()
    with open(os.path.join(pdir, "rec.txt"), "w", encoding="utf-8") as f:
        f.write("[Page 1]\n\n" + "\n\n".join(record) + "\n")
    rel = ["--released"] if mode == "released" else []
    for coll, ext in ((cp, "pdf"), (ct, "txt")):
        code, out, err = run("ingest", "-q", "--collection", coll, *rel,
                             os.path.join(pdir, "rec." + ext))
        eq(code, 0, "%s %s ingests: %s" % (mode, ext, err))
    for who in (None, CONF, SEC, TS):
        name = who[0] if who else "public"
        kw = {"user": who[0], "password": who[1]} if who else {}

        def out_of(*a):
            code, out, err = db.run(*a, **kw)
            if "json" in a and code == 0:             # the scan's own pages aside
                d = json.loads(out)
                d.pop("scan", None)
                out = json.dumps(d)
            if "html" in a:                           # (a fragment: no page viewer in it)
                out = re.sub(r"<section class=dc-scan.*?</section>\n", "", out, flags=re.S)
            return code, out.replace(cp, "C").replace(ct, "C"), err.replace(cp, "C").replace(ct, "C")

        for fmt in ("json", "text", "html", "tei"):
            a = out_of("show", cp + "/rec", "--format", fmt)
            b = out_of("show", ct + "/rec", "--format", fmt)
            check(a == b, "%s, %s: show --format %s of the scan and the text differ:\n%r\n%r"
                  % (mode, name, fmt, a[1][:3000], b[1][:3000]))
        # the scan's words: those of the text the reader may read
        code, out, err = db.run("show", cp + "/rec", "--json", **kw)
        shown = set(w[5].strip(".,") for w in json.loads(out)["scan"][0]["words"]) \
            if code == 0 else set()
        text = db.run("show", ct + "/rec", "--format", "text", **kw)[1]
        for canary in ("zqkalpha", "zqkbravo", "zqkcharlie", "zqkdelta"):
            eq(canary in shown, canary in text, "%s, %s: %s among the scan's words"
               % (mode, name, canary))
        for q in ("zqkalpha", "zqkbravo", "zqkcharlie", "zqkdelta", "Dulles", "Memorandum"):
            a = out_of("search", q, "--collection", cp, "--json")
            b = out_of("search", q, "--collection", ct, "--json")
            check(a == b, "%s, %s: search %s: %r / %r" % (mode, name, q, a, b))
        want_open = mode == "released" or name in ("sec", "ts")
        code, out, err = db.run("list", "--json", **kw)
        ids = sorted(d["id"] for d in json.loads(out)["documents"] if d["id"] in
                     (cp + "/rec", ct + "/rec"))
        eq(ids, sorted([cp + "/rec", ct + "/rec"]) if want_open else [],
           "%s, %s: list" % (mode, name))

# ---- bad input ----------------------------------------------------------
bad = os.path.join(db.dir, "bad")
os.mkdir(bad)


def putb(name, data):
    with open(os.path.join(bad, name), "wb") as f:
        f.write(data)


good_pdf = open(os.path.join(src, "letter.pdf"), "rb").read()
letters = bytes(rng.choice(b"abcdefghijklmnop 0123456789\n") for _ in range(4000))
putb("corrupt.pdf", b"%PDF-1.5\n" + letters + b"\n%%EOF\n")
putb("truncated.pdf", good_pdf[:len(good_pdf) // 2])
i = good_pdf.rfind(b"trailer")
j = good_pdf.index(b"<<", i) + 2 if i >= 0 else good_pdf.index(b"<<") + 2
putb("encrypted.pdf", good_pdf[:j] + b" /Encrypt << /Filter /Standard /V 1 /R 2 /O <00> "
     b"/U <00> /P -4 >> " + good_pdf[j:])
s = cairo.PDFSurface(os.path.join(bad, "manypages.pdf"), 72, 72)   # a page-count bomb
c = cairo.Context(s)
for _ in range(2001):
    c.show_page()
s.finish()
s = cairo.PDFSurface(os.path.join(bad, "hugepage.pdf"), 12000, 12000)  # a page-size bomb
c = cairo.Context(s)
c.move_to(72, 72)
c.show_text("big")
c.show_page()
s.finish()


def png(w, h, idat):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


putb("bomb.png", png(60000, 60000, zlib.compress(b"\0" * 1000)))      # a pixel bomb
putb("corrupt.png", png(200, 200, b"not zlib at all" * 10))
putb("liar.pdf", open(os.path.join(src, "tsmemo.png"), "rb").read())  # PNG named .pdf
putb("liar.png", b"Memorandum\n\nplain text named like an image\n")
putb("pdf.txt", good_pdf)                                              # a PDF named .txt
putb("zz_good.pdf", good_pdf)
before = set(listing(ADMIN))
code, out, err = run("ingest", "--released", "--collection", "bad", bad)
eq(code, 3, "exit status with bad scans")
expect = {"corrupt.pdf": "corrupt PDF", "truncated.pdf": "truncated PDF",
          "encrypted.pdf": "encrypted", "manypages.pdf": "more than 2000",
          "hugepage.pdf": "page 1: size", "bomb.png": "60000 x 60000 pixels",
          "corrupt.png": "corrupt PNG image", "liar.pdf": "the name says PDF but the content is PNG",
          "liar.png": "the name says PNG", "pdf.txt": "the name says text or XML but the content is PDF"}
for name, words in expect.items():
    m = msg_of(err, os.path.join(bad, name))
    check(words in m, "%s: message %r lacks %r" % (name, m, words))
after = set(listing(ADMIN))
eq(sorted(after - before), ["bad/zz_good"], "only the good file of the bad folder is stored")
check("ingested 11 files (10 failed)" in err, "summary: " + err.splitlines()[-1:].__repr__())

# a --pages folder whose one image is a PDF in disguise, and one without images
liarpages = os.path.join(db.dir, "liarpages")
os.mkdir(liarpages)
with open(os.path.join(liarpages, "p1.png"), "wb") as f:
    f.write(good_pdf)
code, out, err = run("ingest", "--pages", "--collection", "lp", liarpages)
check(code == 3 and "p1.png: the name says PNG but the content is PDF" in err,
      "--pages: a lying image is named: " + err)
os.mkdir(os.path.join(db.dir, "nopages"))
code, out, err = run("ingest", "--pages", "--collection", "lp", os.path.join(db.dir, "nopages"))
check(code == 3 and "no page images" in err, "--pages: an empty folder: " + err)
check(not any(i.startswith("lp/") for i in listing(ADMIN)), "--pages: nothing stored")

# a page image named on its own, and --json errors
code, out, err = run("ingest", "--json", os.path.join(bad, "bomb.png"))
eq(code, 3, "pixel bomb alone")
errs = json.loads(out)["errors"]
check(len(errs) == 1 and "pixels" in errs[0]["message"], "--json errors: %r" % errs)

# ---- isolation: a helper that crashes or hangs takes only its file -----
crash = os.path.join(db.dir, "crash.sh")
with open(crash, "w") as f:
    f.write("#!/bin/sh\nkill -SEGV $$\n")
os.chmod(crash, 0o755)
hang = os.path.join(db.dir, "hang.sh")
with open(hang, "w") as f:
    f.write("#!/bin/sh\nexec sleep 30\n")
os.chmod(hang, 0o755)
for script, words in ((crash, "crashed"), (hang, "longer than 2 seconds")):
    code, out, err = run("ingest", "--collection", "iso", os.path.join(src, "letter.pdf"),
                         os.path.join(SAMPLES, "seeds", "002_cb647602e26f3449.txt"),
                         env={"DECLASS_SCAN": script, "DECLASS_SCAN_SECONDS": "2"})
    eq(code, 3, "helper %s: exit 3" % words)
    check(words in err and "letter.pdf" in err, "helper %s: message %r" % (words, err))
    ids = set(listing(ADMIN))
    check("iso/002_cb647602e26f3449" in ids and "iso/letter" not in ids,
          "helper %s: the text file stored, the PDF not" % words)
code, out, err = run("check")
eq(code, 0, "the database is sound after crashes: " + err + out)
code, out, err = run("ingest", os.path.join(src, "letter.pdf"),
                     env={"DECLASS_SCAN": os.path.join(db.dir, "nothing")})
check(code == 3 and "DECLASS_SCAN" in err, "a missing helper is named: " + err)

# ---- usage -------------------------------------------------------------
code, out, err = run("ingest", "--help")
check(code == 0 and "--ocr" in out and "--pages" in out and "--lang" in out, "--help")
eq(run("ingest", "--ocr", "sometimes", os.path.join(src, "letter.pdf"))[0], 2, "bad --ocr")
eq(run("ingest", "--lang", "../etc", os.path.join(src, "letter.pdf"))[0], 2, "bad --lang")
code, out, err = run("ingest", "--lang", "xyz", "--ocr", "force", "--collection", "lang",
                     os.path.join(src, "tsmemo.png"))
check(code == 3 and "language 'xyz' is not installed" in err, "missing language: " + err)
p = subprocess.run([HELPER, "--help"], capture_output=True, text=True)
check(p.returncode == 0 and "declass-scan info FILE" in p.stdout, "declass-scan --help")

done()
