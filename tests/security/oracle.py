#!/usr/bin/env python3
"""A differential oracle for declass's security promise (docs/RELIABILITY.md,
"Differential access oracle").

The promise: for every reader, every output of a database equals the output
of a database built only from what that reader may read.  Each round

  1. generates (seeded) a few dozen plain-text documents in the FRUS style
     that src/ingest/text.c reads (title line "N. Title", classification
     banner, dateline, paragraphs with portion marks, references, dates,
     persons of a List of Persons, footnotes, page lines, gap lines), every
     paragraph and footnote carrying a unique canary word ("zqk" + 7
     letters), and checks that declass parses each as intended; a quarter
     of them again (fresh canaries) as text-layer PDFs in collection
     "gamma" (text_pdf: a minimal PDF 1.4 written here, the plain python3
     having no cairo), which the scan helper reads with pages and words;
  2. builds the FULL database: released and unreleased ingests, users (an
     admin, a reviewer, readers of every level with and without
     compartments), random marks, withholdings and releases, re-ingests of
     changed files, more review (withholdings inside portions), then
     re-ingests that change a withheld span's word (its withholding is
     orphaned: docs/review.md);
  3. computes in Python, from its own model of the history (cross-checked
     against the stored truth that an all-cleared admin reads), which
     documents each reader may open and which portions they may read (the
     rule of src/access/access.h), and builds that reader's ORACLE
     database from source: the same history, each file restricted to what
     the reader may read (an unreadable portion's line replaced by the
     edition's gap notice for its length, its footnotes dropped), only the
     documents the reader may open, and the review actions on portions the
     reader may read (a text-layer PDF: the PDF of the restricted text);
  4. runs, as that reader, every output path on both databases and compares
     them (CLI: list, show in every format, export jsonl and tei, versions,
     refs, search with many queries, find, paper, person, volume and its
     citations; HTTP: the JSON API and the reading room's pages, volume
     pages and find included), a document's pages and words (the "scan"
     member of JSON) and the page viewer (<section class=dc-scan>) left
     out: the PDF of a restricted text has other words at other places;
  5. checks that no canary word of a portion the reader may not read
     appears in any byte of any output of the full database for them
     (error messages and old versions included);
  6. the review's outputs, which a database of another history cannot
     reproduce (releases, diff, withholdings, review requests and the
     queue, CLI and HTTP): scanned for canaries, each HTTP answer checked
     to be the CLI's JSON, and the releases to be the same record for every
     reader as for the administrator;
  7. the scans (scan_paths), on the full database: no canary the reader
     may not read among the view's words, in pdftotext of show --format
     pdf and of the API's PDF (the CLI's bytes) or in the PDF's inflated
     streams; every canary they may read in pdftotext's text; every word
     they may not read (its box from the administrator's whole view, whose
     words carry their portion) black over its whole box in each page's
     PNG (show --format png --page N; the API's page 1, the same bytes)
     and in the PDF's image (pdfimages; the PNG's pixels); a redacted
     page names no image; the page viewer outlines no hidden word for
     find; older versions: no such canary in their words, PDF and text
     layer, and their words holding one black in the PDF's images.

Mismatches are grouped into classes (path and field) and printed with one
example each; the exit status is 1 when there is any.

    python3 tests/security/oracle.py build-asan/declass [--rounds N] [--seed S]
        [--docs N] [--full] [--no-http] [--jobs J] [--users a,b] [--keep]

DC_ORACLE_ROUNDS, DC_ORACLE_SEED, DC_ORACLE_DOCS, DC_ORACLE_FULL=1 and
DC_ORACLE_JOBS set the same from the environment (ctest passes none: one
bounded round).  Round i uses seed S+i; --keep leaves the databases (full.db
and oracle-READER/oracle.db under the printed directory) for reproducing a
mismatch by hand: every reader's password is NAME-oracle-pw.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import random
import re
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from greypng import png_rows  # noqa: E402  (tests/greypng.py)

# ---------------------------------------------------------------------------
# The access rule, in Python (src/access/access.h, docs/security.md)
# ---------------------------------------------------------------------------

LEVELS = ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]
MARK_LEVEL = {"(U)": "UNCLASSIFIED", "(C)": "CONFIDENTIAL", "(S)": "SECRET", "(TS)": "TOP SECRET"}
COMPARTMENTS = ["ANNEX-F", "NODIS-K"]


def level_of(cls):
    """The access level of a marking: none is UNCLASSIFIED, an unknown
    marking ("LIMITED OFFICIAL USE") TOP SECRET (fail safe)."""
    if not cls:
        return 0
    return LEVELS.index(cls) if cls in LEVELS else 3


class User:
    def __init__(self, name, level=None, comps=(), roles=()):
        self.name = name
        self.public = level is None
        self.level = level if level is not None else -1
        self.comps = set(comps)
        self.roles = list(roles)
        self.password = None if self.public else name + "-oracle-pw"

    def __repr__(self):
        return self.name


USERS = [
    User("public"),
    User("admin", 3, COMPARTMENTS, ["admin"]),
    User("rev", 3, ["ANNEX-F"], ["reviewer"]),
    User("unc", 0),
    User("conf", 1),
    User("sec", 2),
    User("secf", 2, ["ANNEX-F"]),
    User("ts", 3),
    User("tsk", 3, ["NODIS-K"]),
]
ADMIN = USERS[1]
REV = USERS[2]


def may_open(u, status, doc_cls):
    if status == "released":
        return True
    return not u.public and u.level >= level_of(doc_cls)


def may_read(u, status, doc_cls, p_cls, p_comps, withheld):
    """Portion rule: open when the document is released and the portion not
    withheld; else a signed-in reader cleared for its level (its own
    marking, else the document's) holding all its compartments."""
    if not may_open(u, status, doc_cls):
        return False
    if status == "released" and not withheld:
        return True
    if u.public:
        return False
    return u.level >= level_of(p_cls or doc_cls) and set(p_comps) <= u.comps


def cleared(u, doc_cls, p_cls, p_comps):
    """dc_access_portion_cleared: level and compartments, whatever the release."""
    return not u.public and u.level >= level_of(p_cls or doc_cls) and set(p_comps) <= u.comps


SPAN_NOTICE = {"name": "[name not declassified]", "place": "[place not declassified]",
               "lines": "[less than 1 line of source text not declassified]"}


def notice(nbytes):
    """The edition's gap line for a hidden text of nbytes bytes."""
    if nbytes < 80:
        return "[less than 1 line of source text not declassified]"
    n = (nbytes + 79) // 80
    return "[%d line%s of source text not declassified]" % (n, "" if n == 1 else "s")


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------

CANARY = re.compile(r"zqk[a-z]{7}")
SCAN_COLL = "gamma"  # the text-layer PDFs' collection
VOCAB = ("armistice negotiations treaty assistance military economic embassy delegation "
         "conference proposal agreement forces budget reduction commission election "
         "shipping aviation fisheries reparations garrison alliance tariff refinery "
         "harbor railway currency inflation petroleum shipyard satellite missile "
         "consulate ministry parliament coalition insurgents plebiscite blockade "
         "frontier dockworkers cotton tungsten rubber rice fertilizer irrigation "
         "broadcast propaganda students refugees hospital typhoon famine").split()
PLACES = ["Washington", "Seoul", "Tokyo", "Taipei", "Manila", "Bangkok", "Saigon"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
# A List of Persons (TEI, ingested before the documents): list name, the
# forms the text uses (full, first forename + surname, title + surname).
PERSONS = [
    ("Herter, Christian A.", "Secretary of State",
     ["Christian A. Herter", "Christian Herter", "Secretary Herter"]),
    ("Robertson, Walter S.", "Assistant Secretary of State for Far Eastern Affairs",
     ["Walter S. Robertson", "Walter Robertson", "Mr. Robertson"]),
    ("Parsons, J. Graham", "Ambassador to Laos",
     ["J. Graham Parsons", "Graham Parsons", "Ambassador Parsons"]),
    ("Dowling, Walter C.", "Ambassador to Korea",
     ["Walter C. Dowling", "Ambassador Dowling"]),
    ("Lay, James S., Jr.", "Executive Secretary of the National Security Council",
     ["James S. Lay", "James Lay", "Mr. Lay"]),
    ("Scribner, Fred C., Jr.", "Under Secretary of the Treasury",
     ["Fred C. Scribner", "Fred Scribner", "Mr. Scribner"]),
    ("Gates, Thomas S., Jr.", "Secretary of Defense",
     ["Thomas S. Gates", "Thomas Gates", "Secretary Gates"]),
    ("Kozlowski, Imogen P.", "Director of the Office of Fisheries Research",
     ["Imogen P. Kozlowski", "Imogen Kozlowski", "Director Kozlowski"]),
]
PAPERS = ["NSC 5817", "NSC 5907", "NSC 6018", "NSC 5429/5"]
FILENOS = ["795.00/10–750", "711.5/7–961", "611.95A/1–2759", "794.00/3–1558", "Lot 63 D 351"]
TITLES = [
    "Memorandum From the Secretary of State to the President",
    "Telegram From the Embassy in Korea to the Department of State",
    "Letter From the Ambassador in Japan to the Secretary of State",
    "Memorandum of Conversation",
    "Report by the Operations Coordinating Board",
    "Briefing Paper Prepared in the Department of State",
    "Minutes of a Meeting of the Planning Board",
    "Memorandum for the Record",
    "Telegram From the Department of State to the Embassy in Thailand",
]
BANNERS = ["CONFIDENTIAL", "SECRET", "TOP SECRET"]


class Block:
    """One body line of a generated document.  A portion line (portion=True)
    becomes one portion of the parsed document; other lines ("[Page N]",
    "===") become none."""

    def __init__(self, line, portion=True, kind="paragraph", label=None, stored=None,
                 notes=(), ops=True, mark=None):
        self.line = line          # the line as written in the source
        self.portion = portion
        self.kind = kind          # the kind declass gives it
        self.label = label
        self.stored = stored if stored is not None else line  # the portion's text as stored
        self.notes = list(notes)  # footnote texts anchored here (markers in the line)
        self.ops = ops            # review actions may target it
        self.mark = mark          # the level its "(S)" etc. gives
        self.dateline = False

    def canaries(self):
        return CANARY.findall(self.line) + [c for n in self.notes for c in CANARY.findall(n)]


class GenDoc:
    def __init__(self, coll, num):
        self.coll = coll
        self.num = num
        self.local = "d%d" % num
        self.id = "%s/%s" % (coll, self.local)
        self.path = "%s/%s.txt" % (coll, self.local)
        self.pdf = False  # written as a text-layer PDF (text_pdf) of render()
        self.title = ""
        self.title_marker = False
        self.source_note = None
        self.banner = None
        self.classification = None  # what declass should derive
        self.blocks = []

    def portion_blocks(self):
        return [b for b in self.blocks if b.portion]

    def render(self, hidden=None, spans=None):
        """The source text; hidden maps portion ids to the gap line that
        replaces them (a reader's restricted source): the line goes, the
        notice takes its place, its footnotes leave the note list.  spans
        maps withheld words (canaries) to the notice that replaces them
        wherever they stand (withholdings inside a portion)."""
        hidden = hidden or {}
        spans = spans or {}
        out = ["%d. %s%s" % (self.num, self.title, "1" if self.title_marker else ""), ""]
        notes = []
        if self.source_note is not None:
            notes.append(self.source_note)
        k = 0
        for b in self.blocks:
            if b.portion:
                k += 1
                pid = "p%d" % k
                if pid in hidden:
                    out += [hidden[pid], ""]
                    continue
                notes += b.notes
            line = b.line
            for word, note in spans.items():
                line = line.replace(word, note)
            out += [line, ""]
        for i, n in enumerate(notes):
            out.append("    %d. %s" % (i + 1, n))
        return "\n".join(out).rstrip("\n") + "\n"


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def canary(self):
        while True:
            c = "zqk" + "".join(self.rng.choice(string.ascii_lowercase) for _ in range(7))
            if c not in self.used:
                self.used.add(c)
                return c

    def date(self):
        r = self.rng
        m = r.randrange(12)
        return "%s %d, %d" % (MONTHS[m], r.randint(1, 28), r.randint(1950, 1961))

    def person(self):
        return self.rng.choice(self.rng.choice(PERSONS)[2])

    def sentence(self, n_docs):
        """A sentence of vocabulary words and, at random, a reference, a
        date, a person, a paper or a file number."""
        r = self.rng
        words = [r.choice(VOCAB) for _ in range(r.randint(3, 9))]
        s = "The " + " ".join(words)
        extra = r.random()
        if extra < 0.12:
            s += " as discussed in Document %d" % r.randint(1, n_docs + 2)
        elif extra < 0.2:
            s += " (see footnote %d, Document %d)" % (r.randint(1, 3), r.randint(1, n_docs))
        elif extra < 0.32:
            s += " under %s" % r.choice(PAPERS)
        elif extra < 0.4:
            s += " according to Central Files %s" % r.choice(FILENOS)
        elif extra < 0.52:
            s += " as %s reported" % self.person()
        elif extra < 0.62:
            s += " on %s" % self.date()
        elif extra < 0.66:
            s += " in NSC Action No. %d–%s" % (r.choice([2102, 2083, 1550]), r.choice("abc"))
        elif extra < 0.69:
            s += " (See Supplement)"
        return s + "."

    def paragraph_text(self, n_docs, canary, long=False):
        r = self.rng
        sents = [self.sentence(n_docs) for _ in range(r.randint(3, 6) if long else 1)]
        # the canary goes after a vocabulary word of one sentence (never
        # inside a reference, date or name)
        i = r.randrange(len(sents))
        ws = sents[i].split(" ")
        j = r.choice([k + 1 for k, w in enumerate(ws) if w in VOCAB])
        ws.insert(j, canary)
        sents[i] = " ".join(ws)
        return " ".join(sents)

    def doc(self, coll, num, n_docs, released):
        r = self.rng
        d = GenDoc(coll, num)
        paper = None
        if r.random() < 0.15:
            paper = r.choice(PAPERS)
            d.title = "%s: United States Policy Toward %s" % (
                paper, r.choice(["Korea", "Japan", "Taiwan", "Laos", "Thailand"]))
        else:
            d.title = r.choice(TITLES)
            if r.random() < 0.3:
                d.title += " on " + r.choice(VOCAB).capitalize()
        # classification: a banner line, or a source note that states it
        level = None
        if r.random() < (0.45 if released else 0.8):
            level = r.choice(BANNERS + ["LIMITED OFFICIAL USE"] * (r.random() < 0.1))
        if r.random() < 0.35:
            d.title_marker = True
            parts = ["Source: Department of State, Central Files, %s." % r.choice(FILENOS[:4])]
            if level and r.random() < 0.5:
                parts.append(level.title() + ".")
            if r.random() < 0.5:
                parts.append("Drafted by %s on %s." % (self.person(), self.date()))
            d.source_note = " ".join(parts)
        if level:
            d.banner = level
            d.blocks.append(Block(level, kind="heading", ops=False))
        d.classification = level
        dl_date = None
        if r.random() < 0.5:
            dl_date = self.date()
            d.blocks.append(Block("%s, %s." % (r.choice(PLACES), dl_date), ops=True))
            d.blocks[-1].dateline = True
        # the dateline's date written again in a paragraph: when the dateline
        # is hidden, the document's date must not survive from it
        repeat = r.randrange(8) if dl_date and r.random() < 0.35 else -1
        if paper and r.random() < 0.5:
            later = [p for p in PAPERS if p != paper]
            d.blocks.append(Block("The enclosed statement of policy, as adopted and approved, "
                                  "supersedes %s. %s" % (r.choice(later), self.canary()) + ".",
                                  ops=True))
        n_par = r.randint(3, 8)
        label_style = r.choice([None, None, "num", "let"])
        note_par = r.randrange(n_par) if r.random() < 0.35 else -1
        page = r.randint(100, 800)
        for i in range(n_par):
            if r.random() < 0.15:
                page += 1
                d.blocks.append(Block("[Page %d]" % page, portion=False))
            elif r.random() < 0.03:
                d.blocks.append(Block("===", portion=False))
            if r.random() < 0.06:
                d.blocks.append(Block("[1 line of source text not declassified]", kind="gap",
                                      ops=False))
            mark = r.choice([None, None, "(U)", "(C)", "(S)", "(TS)"])
            can = self.canary()
            text = self.paragraph_text(n_docs, can, long=r.random() < 0.4)
            if paper and i == 0 and r.random() < 0.5:
                text = "%s was approved by the President on %s. %s" % (paper, self.date(), text)
            if i == 0 and r.random() < 0.2:
                text = "This memorandum was drafted on %s. %s" % (self.date(), text)
            if i == repeat or (i == n_par - 1 and repeat >= n_par):
                text = "%s The meeting of %s was noted." % (text, dl_date)
            notes = []
            stored = text
            if i == note_par:
                # footnote markers glued to words (1 or 2), their notes last
                first = 2 if d.title_marker else 1
                ws = text.split(" ")
                cands = [k for k, w in enumerate(ws) if re.fullmatch(r"[a-z]+", w) and
                         not CANARY.fullmatch(w)]
                nn = min(len(cands), r.randint(1, 2))
                where = sorted(r.sample(cands, nn))
                for m, k in enumerate(where):
                    ws[k] = ws[k] + str(first + m)
                    notes.append("%s %s." % (r.choice(["Not printed.", "Printed as Document %d."
                                                        % r.randint(1, n_docs),
                                                        "See %s." % r.choice(PAPERS)]),
                                             self.canary()))
                text = " ".join(ws)
            body = text if mark is None else mark + " " + text
            stored_body = stored if mark is None else mark + " " + stored
            label = None
            kind = "paragraph"
            if label_style == "num":
                label = str(i + 1)
                line = "%s. %s" % (label, body)
            elif label_style == "let" and i > 0:
                label = "abcdefghij"[i - 1]
                kind = "item"
                line = "%s. %s" % (label, body)
            else:
                line = body
            d.blocks.append(Block(line, kind=kind, label=label, stored=stored_body, notes=notes,
                                  mark=MARK_LEVEL.get(mark)))
        return d

    def change(self, d, n_docs, may_change):
        """A new version of d: a paragraph every opener reads is appended (so
        every reader's restricted source changes too), and perhaps another
        paragraph's words change (its canary is replaced).  may_change(k)
        says whether portion k (0-based) may change.  Returns the changed
        portion indexes."""
        r = self.rng
        changed = []
        cands = [k for k, b in enumerate(d.portion_blocks())
                 if b.ops and not b.notes and CANARY.search(b.line) and may_change(k)]
        if cands and r.random() < 0.7:
            k = r.choice(cands)
            b = d.portion_blocks()[k]
            old = CANARY.findall(b.line)[0]
            new = "%s %s" % (self.canary(), r.choice(VOCAB))
            b.line = b.line.replace(old, new)
            b.stored = b.stored.replace(old, new)
            changed.append(k)
        text = self.paragraph_text(n_docs, self.canary(), long=r.random() < 0.3)
        d.blocks.append(Block(text))
        return changed


def persons_tei():
    items = []
    for i, (name, role, _) in enumerate(PERSONS):
        items.append('<item><hi rend="strong"><persName xml:id="p_OR%d">%s</persName>,</hi> '
                     '%s</item>' % (i, name, role))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="frusoracle">\n'
            '<teiHeader><fileDesc><titleStmt><title type="complete">Oracle Volume</title>'
            '</titleStmt><publicationStmt><idno type="frus">frusoracle</idno>'
            '</publicationStmt><sourceDesc><p>Generated.</p></sourceDesc></fileDesc>'
            '</teiHeader>\n<text><body>\n<div type="section" xml:id="persons">'
            '<head>List of Persons</head>\n<list type="names">\n' + "\n".join(items) +
            '\n</list></div>\n</body></text>\n</TEI>\n')


# ---------------------------------------------------------------------------
# Text-layer PDFs, written by hand (the plain python3 has no cairo)
# ---------------------------------------------------------------------------

PDF_FONT, PDF_LEAD, PDF_WRAP = 7, 9, 130


def pdf_str(s):
    """s as a PDF string of WinAnsi bytes (Helvetica's encoding)."""
    b = s.encode("cp1252", "replace")
    return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def wrap(line):
    """A long line broken before words that start with a lower-case letter
    (a line that starts with a label, a marking or a number is never made)."""
    out, cur = [], ""
    for w in line.split(" "):
        if cur and len(cur) + 1 + len(w) > PDF_WRAP and w[:1].islower():
            out.append(cur)
            cur = w
        else:
            cur = (cur + " " + w) if cur else w
    return out + [cur]


def text_pdf(text):
    """A minimal PDF 1.4 whose text layer is text: a "[Page N]" line starts
    a new page, a blank line is a paragraph's gap (the scan helper makes a
    paragraph break of it), long lines are wrapped, the note list's lines
    are not (they run on: the page is wide).  Each page is as tall as it
    must be, at least 11 inches."""
    pages, cur = [], []
    for line in text.split("\n"):
        if re.fullmatch(r"\[Page \d+\]", line):
            pages.append(cur)
            cur = []
            continue
        cur.append(line)
    pages.append(cur)
    pages = [p for p in pages if any(l.strip() for l in p)]
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
            b"/Encoding /WinAnsiEncoding >>"]
    kids = []
    for lines in pages:
        while lines and not lines[0].strip():
            lines = lines[1:]
        rows = []
        for l in lines:
            if not l.strip():
                rows.append(None)
            elif re.match(r"\s+\d+\. ", l):
                rows.append(l.strip())     # a note: one line
            else:
                rows += wrap(l)
        height = max(792, 72 + PDF_LEAD * len(rows))
        ops, y = [], height - 36
        for r in rows:
            if r is not None:
                ops.append(b"BT /F1 %d Tf 36 %d Td %s Tj ET" % (PDF_FONT, y, pdf_str(r)))
            y -= PDF_LEAD
        content = b"\n".join(ops) + b"\n"
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream")
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 792 %d] "
                    b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                    % (height, len(objs)))
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out, offs = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


# ---------------------------------------------------------------------------
# Running declass
# ---------------------------------------------------------------------------

SANITIZER = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:|AddressSanitizer")


class Runner:
    """Runs the declass binary in the round's directory (source paths are
    relative to it, so both databases record the same source names)."""

    def __init__(self, exe, workdir):
        self.exe = exe
        self.workdir = workdir
        self.calls = 0
        self.lock = threading.Lock()

    def run(self, db, args, user=None, env=None, timeout=900, cwd=None):
        e = {k: v for k, v in os.environ.items()
             if k not in ("DECLASS_USER", "DECLASS_PASSWORD", "DECLASS_NEW_PASSWORD",
                          "DECLASS_DB")}
        if user is not None and not user.public:
            e["DECLASS_USER"] = user.name
            e["DECLASS_PASSWORD"] = user.password
        e.update(env or {})
        p = subprocess.run([self.exe, "--db", db] + list(args), cwd=cwd or self.workdir,
                           capture_output=True, env=e, stdin=subprocess.DEVNULL,
                           timeout=timeout)
        with self.lock:
            self.calls += 1
        return (p.returncode, p.stdout.decode("utf-8", "surrogateescape"),
                p.stderr.decode("utf-8", "surrogateescape"))

    def must(self, db, args, user=None, env=None, cwd=None):
        code, out, err = self.run(db, args, user=user, env=env, cwd=cwd)
        if code != 0:
            raise HarnessError("declass %s (as %s) on %s: exit %d: %s"
                               % (" ".join(args), user, db, code, err.strip()))
        return out


class HarnessError(Exception):
    pass


# ---------------------------------------------------------------------------
# The model of the history: what declass should store, tracked in Python
# ---------------------------------------------------------------------------

class MPortion:
    def __init__(self, block):
        self.block = block
        self.cls = block.mark   # the portion's own marking
        self.comps = []
        self.withheld = False
        self.reason = None
        self.spans = []         # withholdings inside it: (word, kind), in force


class MDoc:
    """A document's current state: its generated content (a snapshot of the
    GenDoc), release status and the review state of each portion."""

    def __init__(self, gd, released_mode):
        self.gd = gd
        self.released_mode = released_mode
        self.status = None
        self.portions = []
        self.versions = 0
        self.lost = set()   # portion indexes whose withholding a re-ingest lost

    @property
    def cls(self):
        return self.gd.classification

    def ingest(self, gd):
        """An ingest of content gd (new or changed), with carry_review of
        src/facade/ingest.c: a reviewed portion with the same id and text keeps
        its withholding and marking; a withheld one that changed makes the
        new version under-review, and its withholding is orphaned: the
        portion of the same id, whatever its text now, stays withheld, and
        the old text is hidden wherever else it stands (docs/review.md,
        "Orphaned withholdings")."""
        old = self.portions
        self.gd = gd
        new = [MPortion(b) for b in gd.portion_blocks()]
        lost = False
        for k, o in enumerate(old):
            p = new[k] if k < len(new) and new[k].block.stored == o.block.stored else None
            if p is None:
                lost = lost or o.withheld
                if o.withheld:
                    self.lost.add(k)
                    if k < len(new):
                        new[k].withheld, new[k].reason = True, o.reason
                    for j, q in enumerate(new):
                        if j != k and o.block.stored and o.block.stored in q.block.stored:
                            q.spans.append((o.block.stored, "lines"))
                # a span: hidden wherever its word stands now; orphaned (its
                # portion withheld whole, the version under review) when the
                # word left its portion
                for word, kind in o.spans:
                    for q in new:
                        if word in q.block.stored:
                            q.spans.append((word, kind))
                    if not (k < len(new) and word in new[k].block.stored):
                        lost = True
                        self.lost.add(k)
                        if k < len(new):
                            new[k].withheld, new[k].reason = True, "orphaned"
                continue
            p.spans = list(o.spans)
            if o.withheld and not p.withheld:
                p.withheld, p.reason = True, o.reason
            if o.cls and o.cls != p.cls:
                p.cls = o.cls
            for c in o.comps:
                if c not in p.comps:
                    p.comps.append(c)
        self.portions = new
        marked = bool(self.cls) and self.cls != "UNCLASSIFIED"
        self.status = "released" if self.released_mode else ("classified" if marked else "released")
        if lost:
            self.status = "under-review"
        self.versions += 1

    def may_open(self, u):
        return may_open(u, self.status, self.cls)

    def readable(self, u, k):
        p = self.portions[k]
        return may_read(u, self.status, self.cls, p.cls, p.comps, p.withheld)

    def span_readable(self, u, k):
        """A withholding inside portion k: read by those who read the
        portion and are cleared for it (dc_access_withholding_class: the
        portion's class, never open)."""
        p = self.portions[k]
        return self.readable(u, k) and cleared(u, self.cls, p.cls, p.comps)

    def hidden_spans(self, u):
        """word -> notice for the withholdings inside portions u reads but
        may not read inside (docs/review.md, "Notices")."""
        return {w: SPAN_NOTICE[kind] if kind != "lines" else notice(len(w.encode("utf-8")))
                for k, p in enumerate(self.portions)
                for w, kind in p.spans if self.readable(u, k) and not self.span_readable(u, k)}


class Event:
    def __init__(self, kind, **kw):
        self.kind = kind
        self.__dict__.update(kw)


def snapshot(gd):
    """A copy of a GenDoc's content at the time of an ingest."""
    c = GenDoc(gd.coll, gd.num)
    c.__dict__.update({k: v for k, v in gd.__dict__.items() if k != "blocks"})
    c.blocks = []
    for b in gd.blocks:
        c.blocks.append(Block(b.line, b.portion, b.kind, b.label, b.stored, b.notes, b.ops,
                              b.mark))
        c.blocks[-1].dateline = b.dateline
    return c


class Round:
    """One round: the generated corpus, its history and the full database."""

    def __init__(self, opts, seed, workdir, runner):
        self.opts = opts
        self.seed = seed
        self.rng = random.Random(seed)
        self.gen = Gen(self.rng)
        self.dir = workdir
        self.run = runner
        self.docs = {}      # id -> MDoc (current state)
        self.events = []
        self.full = os.path.join(workdir, "full.db")
        self.lock = threading.Lock()

    # -- generation -------------------------------------------------------

    def generate(self):
        r = self.rng
        n = self.opts.docs
        colls = ["alpha", "beta"]
        per = {c: [] for c in colls}
        for i in range(n):
            per[colls[i % 2]].append(len(per[colls[i % 2]]) + 1)
        out = []
        for c in colls:
            for num in per[c]:
                released = r.random() < 0.5
                gd = self.gen.doc(c, num, len(per[c]), released)
                out.append((gd, released))
        # a quarter of them again as text-layer PDFs (the scan helper reads
        # them; a note list is found in a PDF's unindented lines only when
        # it starts with the source note)
        cands = [(gd, rel) for gd, rel in out
                 if gd.source_note is not None or not any(b.notes for b in gd.blocks)]
        pick = r.sample(cands, min(len(cands), max(1, n // 4)))
        out += [(self.pdf_copy(gd, k + 1), rel) for k, (gd, rel) in enumerate(pick)]
        return out

    def pdf_copy(self, gd, num):
        """gd again as a text-layer PDF in collection "gamma" (number num):
        the same lines, each canary replaced by a new one."""
        c = snapshot(gd)
        c.coll, c.num, c.local = SCAN_COLL, num, "d%d" % num
        c.id, c.path, c.pdf = "%s/%s" % (SCAN_COLL, c.local), "%s/%s.pdf" % (SCAN_COLL,
                                                                         c.local), True
        fresh = {}

        def new(m):
            if m.group(0) not in fresh:
                fresh[m.group(0)] = self.gen.canary()
            return fresh[m.group(0)]

        for b in c.blocks:
            b.line, b.stored = CANARY.sub(new, b.line), CANARY.sub(new, b.stored)
            b.notes = [CANARY.sub(new, n) for n in b.notes]
        return c

    def write(self, gd, hidden=None, path_root=None, spans=None):
        path = os.path.join(path_root or self.dir, gd.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if gd.pdf:
            with open(path, "wb") as f:
                f.write(text_pdf(gd.render(hidden, spans)))
            return
        with open(path, "w", encoding="utf-8") as f:
            f.write(gd.render(hidden, spans))

    # -- the full database ---------------------------------------------------

    def add_users(self, db, users, cwd=None):
        """Adds users: the admin first (bootstrap), then the others as admin."""
        for u in users:
            args = ["user", "add", u.name, "--clearance", LEVELS[u.level]]
            for c in sorted(u.comps):
                args += ["--compartment", c]
            for ro in u.roles:
                args += ["--role", ro]
            if u is ADMIN:
                self.run.must(db, args, env={"DECLASS_PASSWORD": u.password}, cwd=cwd)
            else:
                self.run.must(db, args, user=ADMIN, env={"DECLASS_NEW_PASSWORD": u.password},
                              cwd=cwd)

    def ingest(self, db, paths, released, user, cwd=None):
        if not paths:
            return
        args = ["ingest", "-q"] + (["--released"] if released else []) + sorted(paths)
        self.run.must(db, args, user=user, cwd=cwd)

    def build_full(self):
        r = self.rng
        run = self.run
        with open(os.path.join(self.dir, "persons.xml"), "w", encoding="utf-8") as f:
            f.write(persons_tei())
        run.must(self.full, ["init"])
        run.must(self.full, ["ingest", "-q", "--released", "persons.xml"])
        gen = self.generate()
        for released in (True, False):
            batch = [gd for gd, rel in gen if rel == released]
            for gd in batch:
                self.write(gd)
                m = MDoc(snapshot(gd), released)
                m.ingest(snapshot(gd))
                self.docs[gd.id] = m
            self.ingest(self.full, [gd.path for gd in batch], released, None)
            self.events.append(Event("ingest", released=released, user=None,
                                     docs=[(gd.id, snapshot(gd)) for gd in batch]))
        self.live = {gd.id: gd for gd, _ in gen}
        self.add_users(self.full, USERS[1:])
        self.events.append(Event("users"))
        self.verify_parse("after the first ingest")
        self.review(max(3, len(self.docs) * 3 // 4), phase=1)
        # new versions of some files (an appended paragraph, perhaps a changed one)
        chosen = r.sample(sorted(self.docs), max(2, len(self.docs) // 5))
        for released in (True, False):
            batch = []
            for did in chosen:
                m = self.docs[did]
                if m.released_mode != released:
                    continue
                gd = self.live[did]

                def may_change(k, m=m):
                    # a withheld portion whose change makes the document
                    # under-review must be readable by everyone who opens it
                    # afterwards (see the oracle's replay in the report)
                    p = m.portions[k]
                    return not p.withheld or (
                        level_of(p.block.mark or m.cls) <= level_of(m.cls))

                self.gen.change(gd, len(self.docs) // 2, may_change)
                self.write(gd)
                m.ingest(snapshot(gd))
                batch.append((did, snapshot(gd)))
            self.ingest(self.full, [self.live[d].path for d, _ in batch], released, ADMIN)
            if batch:
                self.events.append(Event("ingest", released=released, user=ADMIN, docs=batch))
        self.review(max(2, len(self.docs) // 4), phase=3)
        self.reingest_spans()

    def reingest_spans(self):
        """A new version of each document with a withholding inside a
        portion (phase 3's spans): the word of one span is replaced (the
        withholding is orphaned: its portion stays withheld, the version
        goes under review) and a paragraph is appended; the span's words
        must then appear in no output of a reader not cleared for them
        (docs/review.md, "Orphaned withholdings").  Only spans in portions
        every reader who may open the document under review may read are
        changed, so each reader's replay has the same withholding."""
        r = self.rng
        for released in (True, False):
            batch = []
            for did in sorted(self.docs):
                m = self.docs[did]
                if m.released_mode != released:
                    continue
                cands = [k for k, p in enumerate(m.portions) if p.spans and not p.withheld
                         and not p.comps and level_of(p.cls or m.cls) <= level_of(m.cls)
                         and not p.block.notes]
                if not cands:
                    continue
                gd = self.live[did]
                k = r.choice(cands)
                b = gd.portion_blocks()[k]
                word = m.portions[k].spans[0][0]
                if word not in b.line:
                    continue
                new = "%s %s" % (self.gen.canary(), r.choice(VOCAB))
                b.line = b.line.replace(word, new)
                b.stored = b.stored.replace(word, new)
                gd.blocks.append(Block(self.gen.paragraph_text(len(self.docs) // 2,
                                                               self.gen.canary())))
                self.write(gd)
                m.ingest(snapshot(gd))
                batch.append((did, snapshot(gd)))
            self.ingest(self.full, [self.live[d].path for d, _ in batch], released, ADMIN)
            if batch:
                self.events.append(Event("ingest", released=released, user=ADMIN, docs=batch))
        self.verify_parse("after re-ingesting withholdings inside portions")

    def review(self, n, phase):
        r = self.rng
        ids = sorted(self.docs)
        for _ in range(n):
            did = r.choice(ids)
            m = self.docs[did]
            targets = [k for k, p in enumerate(m.portions) if p.block.ops
                       and not (phase == 3 and k in m.lost)]
            kind = r.choice(["mark", "mark", "withhold", "withhold", "release"])
            if m.status == "released" and kind == "release" and r.random() < 0.7:
                kind = "withhold"
            # withholdings inside a portion (its canary word), after the
            # last ingest: the word is then in every portion it stands in
            spannable = [k for k in targets if not m.portions[k].withheld and
                         not m.portions[k].spans and CANARY.search(m.portions[k].block.stored)]
            if phase == 3 and spannable and kind != "release" and r.random() < 0.5:
                kind, targets = "span", spannable
            if not targets and kind != "release":
                kind = "release"
            # datelines are hidden more often: the date must then be derived
            # again from what stays visible
            dl = [k for k in targets if m.portions[k].block.dateline]
            if dl and kind != "release" and r.random() < 0.3:
                targets = dl
            status_before = m.status
            if kind == "release":
                k = None
                ok = [u for u in (REV, ADMIN) if m.may_open(u) and all(
                    p.withheld or cleared(u, m.cls, p.cls, p.comps) for p in m.portions)]
                args = ["release", did]
            else:
                k = r.choice(targets)
                p = m.portions[k]
                ok = [u for u in (REV, ADMIN) if m.readable(u, k)]
                if kind == "mark":
                    lvl = r.choice(LEVELS)
                    comps = r.choice([[], [], ["ANNEX-F"], ["NODIS-K"], COMPARTMENTS])
                    args = ["mark", did, "p%d" % (k + 1), "--classification", lvl]
                    for c in comps:
                        args += ["--compartment", c]
                else:
                    if p.withheld and kind == "withhold":
                        continue
                    reason = r.choice([["25X1", "--until", "2040-12-31"], ["50X1-HUM"],
                                       ["(b)(1)"], ["25X6", "--event", "end of the war"],
                                       ["(b)(7)(C)"], ["25X1, 25X6", "--until", "2035-06-30"]])
                    args = ["withhold", did, "p%d" % (k + 1), "--reason"] + reason
                    reason = reason[0]
                    if kind == "span":
                        word = CANARY.search(p.block.stored).group(0)
                        skind = r.choice(["name", "place", "lines"])
                        args += ["--text", word] + (["--kind", skind] if skind != "lines" else [])
            actor = ok[0]
            code, out, err = self.run.run(self.full, args, user=actor)
            if code != 0:
                raise HarnessError("declass %s (as %s): exit %d: %s"
                                   % (" ".join(args), actor, code, err.strip()))
            if kind == "release":
                m.status = "released"
            elif kind == "mark":
                p.cls, p.comps = lvl, list(comps)
            elif kind == "span":
                p.spans.append((word, skind))
            else:
                p.withheld, p.reason = True, reason
            # "is now at version N": an action that changes nothing stores no version
            v = re.search(r"now at version (\d+)", err)
            m.versions = int(v.group(1)) if v else m.versions + 1
            self.events.append(Event("op", op=kind, doc=did, k=k, args=args, user=actor,
                                     status_before=status_before))

    # -- the stored truth ----------------------------------------------------------

    def old_truth(self, did, ver):
        """The administrator's whole view of version ver of did (cached)."""
        with self.lock:
            cache = self.__dict__.setdefault("old_views", {})
            if (did, ver) not in cache:
                cache[(did, ver)] = json.loads(self.run.must(
                    self.full, ["show", did, "--version", str(ver), "--json"], user=ADMIN))
            return cache[(did, ver)]

    def truth(self):
        """Every current document as the all-cleared admin reads it."""
        out = self.run.must(self.full, ["export", "--format", "jsonl"], user=ADMIN)
        return {d["id"]: d for d in (json.loads(l) for l in out.splitlines() if l.strip())}

    def verify_parse(self, when):
        """The generated files parse as intended, and the model of the history
        agrees with what declass stored (a disagreement is reported, and the
        model, not the C code, decides the oracle's access decisions)."""
        problems = []
        t = self.truth()
        for did, m in self.docs.items():
            d = t.get(did)
            if d is None:
                problems.append("%s: not stored" % did)
                continue
            pb = m.gd.portion_blocks()
            if len(d["portions"]) != len(pb):
                problems.append("%s: %d portions, generated %d" % (did, len(d["portions"]),
                                                                    len(pb)))
                continue
            if d["number"] != str(m.gd.num) or d["title"] != m.gd.title:
                problems.append("%s: number/title %r %r" % (did, d["number"], d["title"]))
            if d["classification"] != m.cls:
                problems.append("%s: classification %r, expected %r"
                                % (did, d["classification"], m.cls))
            if d["release"]["status"] != m.status:
                problems.append("%s: status %r, model %r" % (did, d["release"]["status"],
                                                               m.status))
            for k, (sp, b) in enumerate(zip(d["portions"], pb)):
                mp = m.portions[k]
                want = {"kind": b.kind, "label": b.label, "text": b.stored,
                        "classification": mp.cls, "compartments": sorted(mp.comps),
                        "withheld": mp.withheld}
                got = {"kind": sp["kind"], "label": sp["label"], "text": sp["text"],
                       "classification": sp["classification"],
                       "compartments": sorted(sp["compartments"]), "withheld": sp["withheld"]}
                if got != want:
                    problems.append("%s p%d: stored %r, model %r" % (did, k + 1, got, want))
            want_notes = [n for b in pb for n in b.notes]
            got_notes = [f["text"] for f in d["footnotes"]]
            if got_notes != want_notes:
                problems.append("%s: footnotes %r, generated %r" % (did, got_notes, want_notes))
            if (d["source_note"] or None) != m.gd.source_note:
                problems.append("%s: source note %r" % (did, d["source_note"]))
        if problems:
            raise HarnessError("generated documents (%s) do not parse as intended:\n  %s"
                               % (when, "\n  ".join(problems[:20])))
        return t

    # -- a reader's oracle database -------------------------------------------

    def hidden(self, u):
        """For each document u may open (today), the indexes of the portions
        u may not read."""
        return {did: {k for k in range(len(m.portions)) if not m.readable(u, k)}
                for did, m in self.docs.items() if m.may_open(u)}

    def build_oracle(self, u):
        """u's oracle database, built from source: the same history, each
        file restricted to what u may read today, only the documents u may
        open, and the review actions on portions u may read.  Returns
        (db, cwd, notes) where notes lists the review actions left out."""
        wd = os.path.join(self.dir, "oracle-" + u.name)
        os.makedirs(wd, exist_ok=True)
        db = os.path.join(wd, "oracle.db")
        shutil.copy(os.path.join(self.dir, "persons.xml"), wd)
        run = self.run
        run.must(db, ["init"], cwd=wd)
        run.must(db, ["ingest", "-q", "--released", "persons.xml"], cwd=wd)
        H = self.hidden(u)
        skipped = []
        for ev in self.events:
            if ev.kind == "users":
                self.add_users(db, [x for x in USERS if x in (ADMIN, REV, u) and not x.public],
                               cwd=wd)
            elif ev.kind == "ingest":
                paths = []
                for did, snap in ev.docs:
                    if did not in H:
                        continue
                    pb = snap.portion_blocks()
                    hid = {"p%d" % (k + 1): notice(len(pb[k].stored.encode("utf-8")))
                           for k in H[did] if k < len(pb)}
                    self.write(snap, hid, wd, self.docs[did].hidden_spans(u))
                    paths.append(snap.path)
                self.ingest(db, paths, ev.released, ev.user, cwd=wd)
            elif ev.kind == "op":
                if ev.doc not in H:
                    continue
                m = self.docs[ev.doc]
                span_hidden = ev.op == "span" and not m.span_readable(u, ev.k)
                if ev.op == "release" or (ev.k not in H[ev.doc] and not span_hidden):
                    run.must(db, ev.args, user=ev.user, cwd=wd)
                elif ev.status_before == "released":
                    # A withholding or marking of a portion u may not read in
                    # a released document is at once a new release (release
                    # date today): u sees the gap and that the document was
                    # released again, not what was hidden.  Its source-only
                    # equivalent is a release: same new version, status and
                    # date.  (Harmless and inherent: the release date.)
                    run.must(db, ["release", ev.doc], user=ev.user, cwd=wd)
                    skipped.append("%s %s p%d (surrogate release)" % (ev.op, ev.doc, ev.k + 1))
                else:
                    # No source-only equivalent: a new version of an
                    # unreleased document that changes only what u may not
                    # read.  Left out; `versions` then differs (a finding).
                    skipped.append("%s %s p%d" % (ev.op, ev.doc, ev.k + 1))
        return db, wd, skipped

    def forbidden(self, u):
        """The canary words u must never see: those of every portion (and its
        footnotes) u may not read today, of every version; a canary of an
        old version only is judged by its portion's place today."""
        allowed, seen = set(), set()
        for did, m in self.docs.items():
            for k, p in enumerate(m.portions):
                cs = set(p.block.canaries())
                seen |= cs
                if m.readable(u, k):
                    allowed |= cs
        hid = set()
        for ev in self.events:
            if ev.kind != "ingest":
                continue
            for did, snap in ev.docs:
                m = self.docs[did]
                for k, b in enumerate(snap.portion_blocks()):
                    for c in b.canaries():
                        if c in seen:
                            continue
                        if not (k < len(m.portions) and m.readable(u, k)):
                            hid.add(c)
                        else:
                            allowed.add(c)
        spans = {w for m in self.docs.values() for w in m.hidden_spans(u)}
        return (seen - allowed) | (hid - allowed) | spans

    def visible_texts(self, u):
        out = []
        for did, m in sorted(self.docs.items()):
            if m.may_open(u):
                out += [p.block.stored for k, p in enumerate(m.portions) if m.readable(u, k)]
        return out

    def queries(self, u, rng, full):
        """Search queries for u: words, canaries (readable and not), phrases,
        prefixes, fields, filters and operators."""
        vis = self.visible_texts(u)
        words = sorted({w for t in vis for w in re.findall(r"[a-z]+", t)
                        if w in VOCAB})
        vis_can = sorted({c for t in vis for c in CANARY.findall(t)})
        hid_can = sorted(self.forbidden(u))
        pairs = sorted({m for t in vis for m in re.findall(r"\b([a-z]{4,} [a-z]{4,})\b", t)})
        pick = lambda xs, n: rng.sample(xs, min(n, len(xs)))
        q = pick(words or VOCAB, 1) + pick(hid_can, 1) + ["zqk*"]
        q += pick(words or VOCAB, 6 if full else 3)
        q += pick(vis_can, 3 if full else 1) + pick(hid_can, 4 if full else 2)
        q += ['"%s"' % p for p in pick(pairs, 3 if full else 1)]
        q += [w[:4] + "*" for w in pick(words or VOCAB, 2 if full else 1)]
        # the words of the gap lines: the reader's view holds them
        q += ['"not declassified"']
        q += ["person:Herter", 'person:"Walter Robertson"', "person:Kozlowski",
              'cites:"NSC 5817"', "date:1950..1960", "class:secret", 'class:"top secret"',
              "title:memorandum"]
        if full:
            q += ['cites:"NSC 5907"', 'cites:"2102–b"', 'cites:"795.00/10–750"', "date:1955",
                  "title:telegram", 'cites:"Lot 63 D 351"', "collection:alpha"]
        ws = pick(words or VOCAB, 6)
        if len(ws) >= 6:
            q += ["%s -%s" % (ws[0], ws[1]), "%s OR %s" % (ws[2], ws[3]),
                  "(%s OR %s) %s" % (ws[4], ws[5], ws[0])]
        # references and names standing in text u may not read: neither may
        # find anything a database without that text would not
        hidden_txt = [p.block.stored for did, m in sorted(self.docs.items()) if m.may_open(u)
                      for k, p in enumerate(m.portions) if not m.readable(u, k)]
        nums = sorted({n for t in hidden_txt for n in re.findall(r"Document (\d+)", t)})
        q += ["cites:%s" % n for n in pick(nums, 3 if full else 1)]
        names = sorted({name for t in hidden_txt for name, _, forms in PERSONS
                        if any(f in t for f in forms)})
        q += ['person:"%s"' % n for n in pick(names, 2 if full else 1)]
        if full and hid_can and words:
            q += ["%s OR %s" % (words[0], hid_can[0]), "%s -%s" % (words[0], hid_can[0])]
        return q


# ---------------------------------------------------------------------------
# Comparing outputs
# ---------------------------------------------------------------------------

class Findings:
    """Mismatches grouped by class (where, what), with the first examples."""

    def __init__(self):
        self.classes = {}
        self.lock = threading.Lock()
        self.compared = 0

    def add(self, cls, example):
        with self.lock:
            c = self.classes.setdefault(cls, [0, []])
            c[0] += 1
            if len(c[1]) < 3:
                c[1].append(example)

    def count(self, n=1):
        with self.lock:
            self.compared += n


def short(v, n=160):
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "..."


def diff(a, b, path=""):
    """The differences between two parsed JSON values: [(path, a, b)];
    numbers within 1e-9 are equal (scores)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(("%s.%s" % (path, k), a.get(k, "<absent>"), b.get(k, "<absent>")))
            else:
                out += diff(a[k], b[k], "%s.%s" % (path, k))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [(path + "[]", "%d items: %s" % (len(a), short(a)),
                     "%d items: %s" % (len(b), short(b)))]
        key = lambda x: json.dumps(x, sort_keys=True)
        if a != b and sorted(map(key, a)) == sorted(map(key, b)):
            return [(path + "[] (same items, other order)", short(a), short(b))]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, "%s[%d]" % (path, i))
        return out
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return [] if abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)) else [(path, a, b)]
    return [] if a == b else [(path, a, b)]


def field_class(path):
    """A diff path without list indexes: the field a class is named by."""
    return re.sub(r"\[\d+\]", "[]", path) or "(whole)"


def parse_out(kind, out):
    if kind == "json":
        return json.loads(out) if out.strip() else None
    if kind == "jsonl":
        return [json.loads(l) for l in out.splitlines() if l.strip()]
    return out


# Normalisations of differences that are inherent and harmless.  Each is
# applied to both outputs alike and named in the report.
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


SCAN_SECTION = re.compile(r"<section class=dc-scan.*?</section>\n?", re.S)


def drop_scan(val):
    """A document's pages and words ("scan") taken out wherever a document
    stands in a JSON output: a text-layer PDF of a reader's restricted text
    has other words at other places (they are checked by scan_paths)."""
    if isinstance(val, dict):
        return {k: drop_scan(v) for k, v in val.items() if k != "scan"}
    if isinstance(val, list):
        return [drop_scan(v) for v in val]
    return val


def normalise(key, kind, val, db):
    # the scanned pages (above), and the reading room's page viewer
    if kind in ("json", "jsonl"):
        val = drop_scan(val)
    elif isinstance(val, str):
        val = SCAN_SECTION.sub("", val)
    if isinstance(val, str) and db:
        # the database's own path appears in some messages; the two
        # databases are different files
        val = val.replace(db, "DB")
    if key.startswith("versions"):
        # a version's time is when it was made: the two databases were built
        # at different moments
        if kind == "json" and isinstance(val, dict):
            for v in val.get("versions", []):
                v.pop("ingested_at", None)
                # A review action on a portion the reader may not read is
                # replayed in the oracle as a release (its source-only
                # equivalent, see build_oracle): the verb of `source`
                # differs ("withhold by rev" / "release by rev"), the act,
                # its reviewer and the view it made do not.  Harmless: the
                # reader sees the gap the withholding made.
                src = v.get("source")
                if isinstance(src, str):
                    v["source"] = re.sub(r"^(withhold|mark|release) by ", "review by ", src)
        elif isinstance(val, str):
            val = TIME.sub("TIME", val)
            val = re.sub(r"\b(withhold|mark|release) by ", "review by ", val)  # as above
    if key.endswith("(page)") and isinstance(val, str):
        # the CSRF token in a page's forms is random per session
        val = re.sub(r'name=csrf value="[^"]*"', 'name=csrf value="CSRF"', val)
    if key.startswith("http GET /api/session") and isinstance(val, dict):
        # the CSRF token is random per session
        val.pop("csrf", None)
    return val


class Plan:
    """The commands run as one reader on both databases: (key, argv, kind)."""

    def __init__(self):
        self.items = []

    def add(self, key, args, kind):
        self.items.append((key, args if isinstance(args, str) else list(args), kind))


def show_formats():
    return ["json", "text", "html", "tei", "cite", "bibtex", "ris"]


# ---------------------------------------------------------------------------
# HTTP: declass serve on 127.0.0.1 and its JSON API
# ---------------------------------------------------------------------------

class Server:
    def __init__(self, exe, db, cwd):
        self.proc = subprocess.Popen([exe, "--db", db, "serve", "--port", "0", "--bind",
                                      "127.0.0.1", "--threads", "2", "--quiet"],
                                     cwd=cwd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        line = self.proc.stderr.readline().decode("utf-8", "replace")
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise HarnessError("declass serve did not start: %r" % line)
        self.port = int(m.group(1))

    def stop(self):
        """SIGTERM to the server this harness started; returns its stderr
        (sanitizer reports)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err.decode("utf-8", "replace")


class Client:
    """One signed-in (or public) client of a server: the session cookie."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name.strip()] = rest.split(";")[0]
        c.close()
        return r.status, r.getheader("Content-Type", ""), data.decode("utf-8", "surrogateescape")

    def login(self, u):
        if u.public:
            return
        st, _, body = self.request("POST", "/api/session",
                                   json.dumps({"name": u.name, "password": u.password}),
                                   {"Content-Type": "application/json"})
        if st != 200:
            raise HarnessError("sign-in of %s: %d %s" % (u.name, st, body))


def q(s):
    return urllib.parse.quote(s, safe="")


# ---------------------------------------------------------------------------
# One reader: the plan, both databases, the comparison and the canary check
# ---------------------------------------------------------------------------

MISSING = "alpha/d999"


def cli_plan(rnd, u, rng, full, queries):
    """The CLI commands.  With full, every path for every document and every
    query; else (the bounded CI run: each signed-in command costs an Argon2id
    verification) a sample, the HTTP API covering every document and query."""
    p = Plan()
    p.add(("list --json", ""), ["list", "--json"], "json")
    ids = sorted(rnd.docs)
    can = [d for d in ids if rnd.docs[d].may_open(u)]
    cannot = [d for d in ids if not rnd.docs[d].may_open(u)]
    if full:
        p.add(("export --format jsonl", ""), ["export", "--format", "jsonl"], "jsonl")
        p.add(("list", ""), ["list"], "text")
        p.add(("export --format tei", ""), ["export", "--format", "tei"], "text")
        for did in ids + [MISSING]:
            for f in show_formats():
                p.add(("show --format " + f, did), ["show", did, "--format", f],
                      "json" if f == "json" else "text")
            p.add(("versions --json", did), ["versions", did, "--json"], "json")
            p.add(("versions", did), ["versions", did], "text")
            p.add(("refs --json", did), ["refs", did, "--json"], "json")
            if did == MISSING or not rnd.docs[did].may_open(u):
                p.add(("show --version 1", did), ["show", did, "--version", "1"], "text")
            for qq in queries[:3]:
                p.add(("find --json", did + " " + qq), ["find", did, qq, "--json"], "json")
        for qq in queries:
            p.add(("search --json", qq), ["search", qq, "--json", "--limit", "1000"], "json")
        for qq in queries[:3]:
            p.add(("search (text, page 2)", qq), ["search", qq, "--limit", "3", "--offset", "3"],
                  "text")
            p.add(("export QUERY", qq), ["export", qq, "--format", "jsonl"], "jsonl")
        p.add(("search --json --classification", "SECRET"),
              ["search", "the", "--json", "--classification", "SECRET"], "json")
        p.add(("search --json --from/--to", "1950..1955"),
              ["search", "the", "--json", "--from", "1950", "--to", "1955-06"], "json")
        p.add(("search --json --type", "memorandum"),
              ["search", "the", "--json", "--type", "memorandum"], "json")
        p.add(("search --json --collection", "beta"),
              ["search", "the", "--json", "--collection", "beta", "--limit", "1000"], "json")
        for name in PAPERS:
            p.add(("paper --json", name), ["paper", name, "--json"], "json")
        for _, _, forms in PERSONS:
            surname = forms[0].split(" ")[-1]
            p.add(("person --json", surname), ["person", surname, "--json"], "json")
        p.add(("person --list --json", ""), ["person", "--list", "--json"], "json")
        for coll in ("alpha", "beta", SCAN_COLL, "delta"):
            p.add(("volume --json", coll), ["volume", coll, "--json"], "json")
            p.add(("volume", coll), ["volume", coll], "text")
            for f in ("cite", "bibtex", "ris"):
                p.add(("volume --format " + f, coll), ["volume", coll, "--format", f], "text")
        return p
    # the sample: what only the CLI has (list, versions, paper, person, old
    # versions), and one show and one search (the HTTP API covers every
    # document and query through the same library)
    hid = rnd.hidden(u)
    pick = sorted(can, key=lambda d: (-len(hid[d]), -rnd.docs[d].versions, d))[:1]
    for did in pick:
        p.add(("versions --json", did), ["versions", did, "--json"], "json")
    for did in rng.sample(cannot, min(1, len(cannot))) or [MISSING]:
        p.add(("show --format json", did), ["show", did, "--format", "json"], "json")
    for qq in queries[1:2]:
        p.add(("search --json", qq), ["search", qq, "--json", "--limit", "1000"], "json")
    for did in pick:
        p.add(("find --json", did + " " + queries[0]), ["find", did, queries[0], "--json"], "json")
    p.add(("paper --json", PAPERS[0]), ["paper", PAPERS[0], "--json"], "json")
    p.add(("person --list --json", ""), ["person", "--list", "--json"], "json")
    p.add(("volume --json", "alpha"), ["volume", "alpha", "--json"], "json")
    p.add(("volume --format bibtex", "alpha"), ["volume", "alpha", "--format", "bibtex"], "text")
    return p


def http_plan(rnd, u, queries):
    p = Plan()
    for did in sorted(rnd.docs) + [MISSING]:
        for f in show_formats():
            p.add(("http GET /api/documents/ID?format=" + f, did),
                  "/api/documents/%s?format=%s" % (did, f), "json" if f == "json" else "text")
        p.add(("http GET /api/documents/ID/refs", did), "/api/documents/%s/refs" % did, "json")
    for qq in queries:
        p.add(("http GET /api/search", qq), "/api/search?q=%s&limit=1000" % q(qq), "json")
    # the reading room's pages (HTML written by the server)
    p.add(("http GET / (page)", ""), "/", "text")
    for did in sorted(rnd.docs) + [MISSING]:
        p.add(("http GET /documents/ID (page)", did), "/documents/" + did, "text")
        for qq in queries[:3]:
            p.add(("http GET /documents/ID?find= (page)", did + " " + qq),
                  "/documents/%s?find=%s" % (did, q(qq)), "text")
            p.add(("http GET /api/documents/ID/find", did + " " + qq),
                  "/api/documents/%s/find?q=%s" % (did, q(qq)), "json")
    for qq in queries[:8]:
        p.add(("http GET /search (page)", qq), "/search?q=" + q(qq), "text")
    for coll in ("alpha", "beta", SCAN_COLL, "delta"):
        p.add(("http GET /volumes/ID (page)", coll), "/volumes/" + coll, "text")
    for par in ("classification=SECRET", "collection=alpha", "doc_type=telegram",
                "from=1955&to=1961-06"):
        p.add(("http GET /api/search?" + par.split("=")[0], ""),
              "/api/search?q=the&limit=1000&" + par, "json")
    p.add(("http GET /api/export?format=jsonl", ""), "/api/export?format=jsonl", "jsonl")
    p.add(("http GET /api/export?q=", queries[0]),
          "/api/export?format=jsonl&q=" + q(queries[0]), "jsonl")
    p.add(("http GET /api/export?format=tei", ""), "/api/export?format=tei", "text")
    p.add(("http GET /api/collections", ""), "/api/collections", "json")
    p.add(("http GET /api/session", ""), "/api/session", "json")
    return p


def run_cli_plan(rnd, plan, db, cwd, u):
    out = {}
    for key, args, kind in plan.items:
        out[key] = rnd.run.run(db, args, user=u, cwd=cwd)
    return out


def run_http_plan(plan, client):
    out = {}
    for key, path, kind in plan.items:
        st, ctype, body = client.request("GET", path)
        out[key] = (st, body, ctype)
    return out


def compare(findings, u, plan, full_out, oracle_out, dbs, seed):
    for key, args, kind in plan.items:
        path, ctx = key
        a, b = full_out[key], oracle_out[key]
        findings.count()
        where = "seed %d, %s" % (seed, u.name) + (" " + ctx if ctx else "")
        cmd = args if isinstance(args, str) else "declass " + " ".join(
            "'%s'" % x if " " in x or not x else x for x in args)
        if a[0] != b[0]:
            findings.add((path, "exit status"), "%s: %s: full %s, oracle %s (full said %s)"
                         % (where, cmd, a[0], b[0], short(a[2] if isinstance(a[0], int) and
                                                          not path.startswith("http") else a[1])))
            continue
        if not path.startswith("http"):
            ea, eb = normalise(path, "text", a[2], dbs[0]), normalise(path, "text", b[2], dbs[1])
            if SANITIZER.search(a[2]) or SANITIZER.search(b[2]):
                findings.add((path, "sanitizer report"), "%s: %s: %s" % (where, cmd,
                                                                         short(a[2] + b[2], 400)))
            if ea != eb:
                findings.add((path, "stderr"), "%s: %s: full %r, oracle %r"
                             % (where, cmd, short(ea), short(eb)))
        elif a[2] != b[2]:
            findings.add((path, "Content-Type"), "%s: %s: %r vs %r" % (where, cmd, a[2], b[2]))
        try:
            va = normalise(path, kind, parse_out(kind, a[1]), dbs[0])
            vb = normalise(path, kind, parse_out(kind, b[1]), dbs[1])
        except ValueError as e:
            findings.add((path, "unparseable output"), "%s: %s: %s" % (where, cmd, e))
            continue
        if isinstance(va, str) or isinstance(vb, str):
            if va != vb:
                findings.add((path, "output text"), "%s: %s: %s" % (where, cmd, text_diff(va, vb)))
            continue
        seen = set()
        is_search = path.startswith("search --json") or path.startswith("http GET /api/search")
        ranked = path in ("export QUERY", "http GET /api/export?q=")
        for p, x, y in (search_diff(va, vb) if is_search and va and vb else
                        ranked_diff(va, vb) if ranked else diff(va, vb)):
            fc = field_class(p)
            if fc in seen:
                continue
            seen.add(fc)
            findings.add((path, fc), "%s: %s: full %s, oracle %s" % (where, cmd, short(x),
                                                                      short(y)))


def search_diff(a, b):
    """Search results compared so that one difference makes one class:
    total, the hit ids found, per hit (by id) its fields and score, the
    order of the common hits, the facets."""
    out = []
    if a.get("total") != b.get("total"):
        out.append((".total", a.get("total"), b.get("total")))
    ha = {h["id"]: h for h in a.get("hits", [])}
    hb = {h["id"]: h for h in b.get("hits", [])}
    if set(ha) - set(hb):
        out.append((".hits (found only in full)", sorted(set(ha) - set(hb)), []))
    if set(hb) - set(ha):
        out.append((".hits (found only in oracle)", [], sorted(set(hb) - set(ha))))
    common = [i for i in ha if i in hb]
    score_differs = False
    for i in common:
        for p, x, y in diff(ha[i], hb[i], ".hits[%s]" % i):
            if p.endswith(".score"):
                score_differs = True
            out.append((re.sub(r"\[[^\]]*\]", "[]", p), "%s: %s" % (i, short(x)),
                        "%s: %s" % (i, short(y))))
    order_a = [i for i in ha if i in hb]
    order_b = [i for i in hb if i in ha]
    if order_a != order_b:
        out.append((".hits order (%s)" % ("scores differ" if score_differs else
                                          "same scores"), order_a, order_b))
    out += diff(a.get("facets"), b.get("facets"), ".facets")
    for k in sorted(set(a) | set(b)):
        if k not in ("total", "hits", "facets"):
            out += diff(a.get(k), b.get(k), "." + k)
    return out


def ranked_diff(a, b):
    """Documents in rank order (export QUERY): by id, then the order."""
    da, db_ = {d["id"]: d for d in a}, {d["id"]: d for d in b}
    out = []
    if set(da) != set(db_):
        out.append(("[].id (set)", sorted(set(da) - set(db_)), sorted(set(db_) - set(da))))
    for i in sorted(set(da) & set(db_)):
        out += [(p_, "%s: %s" % (i, short(x)), "%s: %s" % (i, short(y)))
                for p_, x, y in diff(da[i], db_[i], "[]")]
    oa, ob = [i for i in da if i in db_], [i for i in db_ if i in da]
    if oa != ob:
        out.append(("[] order", oa, ob))
    return out


def text_diff(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return "line %d: full %r, oracle %r" % (i + 1, short(x, 200), short(y, 200))
    return "full has %d lines, oracle %d" % (len(al), len(bl))


def canary_scan(findings, u, plan, outs, forbidden, seed, http=False):
    """No canary of a portion u may not read in any byte of any output of
    the full database (stdout and stderr).  The reader's own query is
    blanked where an output echoes it (search's "query", an error message
    quoting it): that is u's input, not the database's."""
    for key, args, kind in plan.items:
        path, ctx = key
        r = outs[key]
        text = r[1] + ("" if http else r[2])
        if path.startswith("search") or path.startswith("http GET /api/search") or \
                path in ("export QUERY", "http GET /api/export?q="):
            text = re.sub(r'"query":\s*' + re.escape(json.dumps(ctx)), "", text)
            if not http:
                text = text.replace(r[2], r[2].replace(ctx, ""))
        if path == "http GET /search (page)":
            # the page echoes the query: in its title, the search box and links
            esc = ctx.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            text = text.replace("<title>%s · " % esc, "").replace('value="%s"' % esc, "")
            for enc in (urllib.parse.quote_plus(ctx), q(ctx)):
                text = text.replace("q=" + enc, "").replace("q%3D" + q(enc), "")
        if path.startswith("find") or path in ("http GET /documents/ID?find= (page)",
                                               "http GET /api/documents/ID/find"):
            # find echoes the query: "query" in JSON, the page's box and count
            qq = ctx.split(" ", 1)[1] if " " in ctx else ctx
            text = re.sub(r'"query":\s*' + re.escape(json.dumps(qq)), "", text)
            esc = qq.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            text = text.replace('value="%s"' % esc, "").replace("\u201c%s\u201d" % esc, "")
            # the page viewer's links keep the query (thumbnails: ?page=N&find=)
            for enc in {q(qq), urllib.parse.quote_plus(qq), esc}:
                text = text.replace("find=" + enc.replace("&", "&amp;"), "")
        found = sorted(set(CANARY.findall(text)) & forbidden)
        if found:
            cmd = args if isinstance(args, str) else "declass " + " ".join(args)
            findings.add((path, "CANARY LEAK"), "seed %d, %s: %s: %s"
                         % (seed, u.name, cmd, ", ".join(found[:5])))


def old_versions_plan(rnd, u, rng, full, aligned):
    """The older versions of the documents u may open.  Checked for canaries
    always; compared with the oracle's when its history of that document
    has the same versions (every review action was replayed as it was):
    an old version is then the old source restricted by today's rule."""
    p = Plan()
    ids = [d for d in sorted(rnd.docs) if rnd.docs[d].may_open(u) and rnd.docs[d].versions > 1]
    if not full:
        # the aligned ones first: they are compared, not only scanned
        ids.sort(key=lambda d: (d not in aligned, d))
        ids = ids[:1] + rng.sample(ids[1:], min(1, len(ids) - 1))
    for did in ids:
        ns = list(range(1, rnd.docs[did].versions))
        for n in (ns if full else sorted(rng.sample(ns, min(2, len(ns))))):
            p.add(("show --version N --json" + (" (aligned)" if did in aligned else ""),
                   "%s v%d" % (did, n)),
                  ["show", did, "--version", str(n), "--json"], "json")
            if full:
                p.add(("show --version N" + (" (aligned)" if did in aligned else ""),
                       "%s v%d" % (did, n)),
                      ["show", did, "--version", str(n)], "text")
    return p


def review_paths(rnd, u, opts, findings, full_server):
    """The review's outputs (docs/review.md), which the reader's oracle
    database cannot reproduce (its history is another: the releases, the
    withholdings and the review requests are the full database's record),
    so they are scanned for canaries and checked against each other: the
    CLI's releases, diff and withholdings, the same over the HTTP API (and
    the review requests and the queue for reviewers), each answer of the
    API the CLI's JSON, and the releases the same record for this reader
    as for the administrator.  Returns the number of paths."""
    ids = sorted(d for d in rnd.docs if rnd.docs[d].may_open(u))
    others = sorted(d for d in rnd.docs if not rnd.docs[d].may_open(u))
    # the documents with withholdings inside portions (re-ingested too) first
    ids.sort(key=lambda d: (not any(p.spans for p in rnd.docs[d].portions), d))
    pick = ids if opts.full else ids[:4]
    staff = "reviewer" in u.roles or "admin" in u.roles
    cli, http = Plan(), Plan()
    for did in pick + others[:2] + [MISSING]:
        cli.add(("releases --json", did), ["releases", did, "--json"], "json")
        http.add(("http GET /api/documents/ID/releases", did),
                 "/api/documents/%s/releases" % did, "json")
        if staff:
            http.add(("http GET /api/documents/ID/withholdings", did),
                     "/api/documents/%s/withholdings" % did, "json")
            cli.add(("withholdings --json", did), ["withholdings", did, "--json"], "json")
            http.add(("http GET /api/documents/ID/review", did),
                     "/api/documents/%s/review" % did, "json")
    if staff:
        http.add(("http GET /api/review", ""), "/api/review", "json")
    cli_out = run_cli_plan(rnd, cli, rnd.full, rnd.dir, u)
    # the diff of every pair of successive releases the reader sees
    diffs = Plan()
    for did in pick:
        code, out, _ = cli_out[("releases --json", did)]
        n = len(json.loads(out)["releases"]) if code == 0 else 0
        for k in range(2, n + 1):
            diffs.add(("diff --json", "%s %d" % (did, k)),
                      ["diff", did, "--release", str(k), "--json"], "json")
            http.add(("http GET /api/documents/ID/diff", "%s %d" % (did, k)),
                     "/api/documents/%s/diff?release=%d" % (did, k), "json")
    diff_out = run_cli_plan(rnd, diffs, rnd.full, rnd.dir, u)
    forbidden = rnd.forbidden(u)
    canary_scan(findings, u, cli, cli_out, forbidden, rnd.seed)
    canary_scan(findings, u, diffs, diff_out, forbidden, rnd.seed)
    # the releases: the administrator's record, whatever this reader reads
    admin = Plan()
    for did in pick:
        admin.add(("releases --json", did), ["releases", did, "--json"], "json")
    admin_out = run_cli_plan(rnd, admin, rnd.full, rnd.dir, ADMIN)
    for did in pick:
        mine, theirs = cli_out[("releases --json", did)], admin_out[("releases --json", did)]
        findings.count()
        if mine[0] != 0 or theirs[0] != 0:
            findings.add(("releases --json", "exit status"), "seed %d, %s %s: exit %s (admin %s)"
                         % (rnd.seed, u.name, did, mine[0], theirs[0]))
            continue
        a = [(r["release"], r["at"]) for r in json.loads(mine[1])["releases"]]
        b = [(r["release"], r["at"]) for r in json.loads(theirs[1])["releases"]]
        if a != b:
            findings.add(("releases --json", "not the stored record"),
                         "seed %d, %s %s: %r, admin %r" % (rnd.seed, u.name, did, a, b))
    n = len(cli.items) + len(diffs.items)
    if not full_server:
        return n
    c = Client(full_server.port)
    c.login(u)
    http_out = run_http_plan(http, c)
    canary_scan(findings, u, http, http_out, forbidden, rnd.seed, http=True)
    # the API answers the CLI's JSON for the same thing
    same = {"http GET /api/documents/ID/releases": ("releases --json", cli_out),
            "http GET /api/documents/ID/withholdings": ("withholdings --json", cli_out),
            "http GET /api/documents/ID/diff": ("diff --json", diff_out)}
    for key, _, _ in http.items:
        path, ctx = key
        if path not in same:
            continue
        cpath, outs = same[path]
        st, body, _ = http_out[key]
        code, out, _ = outs[(cpath, ctx)]
        findings.count()
        if (st == 200) != (code == 0) or (st == 200 and json.loads(body) != json.loads(out)):
            findings.add((path, "not the CLI's JSON"), "seed %d, %s %s: HTTP %d %s, CLI %d %s"
                         % (rnd.seed, u.name, ctx, st, short(body), code, short(out)))
    return n + len(http.items)


# ---------------------------------------------------------------------------
# Scanned documents: a reader's pages, PDF and page images
# ---------------------------------------------------------------------------

def pnm_rows(data):
    """(width, height, rows) of pdfimages' image of a grey page: a binary
    8-bit PGM, or a PPM whose three channels are equal (else None)."""
    m = re.match(rb"P([56])\s+(\d+)\s+(\d+)\s+255\s", data)
    if not m:
        return None
    c, w, h, at = 1 if m.group(1) == b"5" else 3, int(m.group(2)), int(m.group(3)), m.end()
    rows = []
    for y in range(h):
        r = data[at + y * w * c:at + (y + 1) * w * c]
        if c == 3:
            if not r[0::3] == r[1::3] == r[2::3]:
                return None
            r = r[0::3]
        rows.append(r)
    return w, h, rows


def box_black(img, box):
    """Every pixel of box (x, y, w, h; clipped to the image) is 0."""
    w, h, rows = img
    x0, y0 = max(0, box[0]), max(0, box[1])
    x1, y1 = min(w, box[0] + box[2]), min(h, box[1] + box[3])
    return all(not any(rows[y][x0:x1]) for y in range(y0, y1))


def pdf_texts(data):
    """A PDF's bytes and its /FlateDecode streams inflated, as text."""
    out = [data.decode("latin-1")]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            pass
    return "\n".join(out)


def must_burn(rnd, u, did, truth):
    """The words of the administrator's whole view of did (page index,
    word) that u may not read: placed in a portion u may not read, or in a
    footnote anchored to one, or holding a canary u must not see (a
    withholding inside a portion, an unplaced word)."""
    m = rnd.docs[did]
    forbidden = rnd.forbidden(u)
    anchor = {"fn" + (f.get("label") or f.get("n") or ""): f.get("anchor")
              for f in truth.get("footnotes", [])}
    pid = {"p%d" % (k + 1): k for k in range(len(m.portions))}
    out = []
    for i, pg in enumerate(truth.get("scan") or []):
        for w in pg["words"]:
            t = w[6] if len(w) >= 9 else None
            if t in anchor and t not in pid:
                t = anchor[t]
            hide = t in pid and not m.readable(u, pid[t])
            if hide or set(CANARY.findall(w[5])) & forbidden:
                out.append((i, w))
    return out


def scan_paths(rnd, u, opts, findings, full_server):
    """The scanned documents' outputs of the full database for u (the text-
    layer PDFs of collection gamma): the view's pages and words (show
    --json), the PDF (show --format pdf, and the API's, the same bytes)
    with pdftotext's text of it, each page image (show --format png
    --page N, and the API's) and the PDF's images (pdfimages).  No canary
    u may not read in any of them; every canary u may read in pdftotext's
    text; every word u may not read (its box from the administrator's
    whole view) black in every image; a redacted page names no image.
    Also the page viewer (/documents/ID?page=N&find=Q: no hit outlined
    over a word u may not read) and every older version (its words, PDF
    and text layer; its words holding a hidden canary black in its PDF's
    images).  Returns (paths, words checked burned, canaries checked
    readable)."""
    ids = sorted(d for d in rnd.docs if rnd.docs[d].gd.pdf)
    forbidden = rnd.forbidden(u)
    tmp = os.path.join(rnd.dir, "scan-" + u.name)
    os.makedirs(tmp, exist_ok=True)
    client = None
    if full_server:
        client = Client(full_server.port)
        client.login(u)
    seed, n, n_burn, n_may = rnd.seed, 0, 0, 0

    def leak(path, where, text):
        found = sorted(set(CANARY.findall(text)) & forbidden)
        if found:
            findings.add((path, "CANARY LEAK"), "seed %d, %s: %s: %s"
                         % (seed, u.name, where, ", ".join(found[:5])))

    def cli(args):
        code, out, err = rnd.run.run(rnd.full, args, user=u)
        findings.count()
        if SANITIZER.search(err):
            findings.add((" ".join(args[:1] + args[2:4]), "sanitizer report"),
                         "seed %d, %s: %s" % (seed, u.name, short(err, 400)))
        return code, out.encode("utf-8", "surrogateescape"), err

    def tool(args):
        p = subprocess.run(args, capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
        return p.stdout.decode("utf-8", "replace") if p.returncode == 0 else None

    for did in ids:
        m = rnd.docs[did]
        code, js, err = cli(["show", did, "--json"])
        code_pdf, pdf, err_pdf = cli(["show", did, "--format", "pdf"])
        code_png, png1, err_png = cli(["show", did, "--format", "png", "--page", "1"])
        n += 3
        http = {}
        if client:
            for key, url in (("pdf", "/api/documents/%s?format=pdf" % did),
                             ("png", "/api/documents/%s?format=png&page=1" % did)):
                st, ctype, body = client.request("GET", url)
                http[key] = (st, ctype, body.encode("utf-8", "surrogateescape"))
                findings.count()
                n += 1
        if not m.may_open(u):
            for path, code_, body, e in (("show --format pdf", code_pdf, pdf, err_pdf),
                                         ("show --format png", code_png, png1, err_png)):
                if code_ != 1:
                    findings.add((path, "exit status"), "seed %d, %s: %s (may not open): exit %d"
                                 % (seed, u.name, did, code_))
                leak(path, did, body.decode("latin-1") + e)
            for key, (st, ctype, body) in http.items():
                path = "http GET /api/documents/ID?format=" + key
                if st != 404:
                    findings.add((path, "status"), "seed %d, %s: %s (may not open): HTTP %d"
                                 % (seed, u.name, did, st))
                leak(path, did, body.decode("latin-1"))
            continue
        # the view's pages and words
        view = json.loads(js) if code == 0 else {}
        pages = view.get("scan") or []
        truth = rnd.scan_truth[did]
        burn = must_burn(rnd, u, did, truth)
        if code != 0 or len(pages) != len(truth.get("scan") or []):
            findings.add(("show --json (scan)", "pages"), "seed %d, %s: %s: exit %d, %d pages, "
                         "stored %d" % (seed, u.name, did, code, len(pages),
                                        len(truth.get("scan") or [])))
            continue
        for i, pg in enumerate(pages):
            leak("show --json (scan words)", "%s page %d" % (did, i + 1),
                 " ".join(w[5] for w in pg["words"]))
            if pg["redacted"] and pg["image"] is not None:
                findings.add(("show --json (scan)", "image of a redacted page named"),
                             "seed %d, %s: %s page %d: %s" % (seed, u.name, did, i + 1,
                                                              pg["image"]))
            if any(j == i for j, _ in burn) and not pg["redacted"]:
                findings.add(("show --json (scan)", "page not redacted"),
                             "seed %d, %s: %s page %d: %d words to hide" % (
                                 seed, u.name, did, i + 1, sum(1 for j, _ in burn if j == i)))
        # older versions (the reader's own: versions that change only what
        # u may not read are folded, src/facade/read.c): the view's words,
        # the PDF's bytes and text layer
        code_l, js_l, _ = cli(["versions", did, "--json"])
        n += 1
        mine = [v["version"] for v in json.loads(js_l)["versions"]] if code_l == 0 else []
        for ver in mine[:-1]:
            code_v, js_v, err_v = cli(["show", did, "--version", str(ver), "--json"])
            code_o, pdf_o, err_o = cli(["show", did, "--version", str(ver), "--format", "pdf"])
            n += 2
            where = "%s v%d" % (did, ver)
            leak("show --version N --json (scan words)", where,
                 js_v.decode("utf-8", "replace") + err_v)
            if code_o != 0 or not pdf_o.startswith(b"%PDF-"):
                findings.add(("show --version N --format pdf", "exit status"),
                             "seed %d, %s: %s: exit %d (JSON exit %d): %s"
                             % (seed, u.name, where, code_o, code_v, short(err_o)))
                continue
            leak("show --version N --format pdf", where, pdf_texts(pdf_o) + err_o)
            fo = os.path.join(tmp, "old.pdf")
            with open(fo, "wb") as fh:
                fh.write(pdf_o)
            leak("show --version N --format pdf (pdftotext)", where,
                 tool(["pdftotext", "-q", fo, "-"]) or "")
            # the words of that version holding a canary u may not read
            # (the administrator's whole view of it): black in its images
            old = rnd.old_truth(did, ver)
            for x in os.listdir(tmp):
                if x.startswith("old-"):
                    os.remove(os.path.join(tmp, x))
            tool(["pdfimages", fo, os.path.join(tmp, "old")])
            imgs = sorted(x for x in os.listdir(tmp) if x.startswith("old-"))
            for i, pg in enumerate(old.get("scan") or []):
                img = None
                if i < len(imgs):
                    with open(os.path.join(tmp, imgs[i]), "rb") as fh:
                        img = pnm_rows(fh.read())
                for w in pg["words"]:
                    if not set(CANARY.findall(w[5])) & forbidden:
                        continue
                    n_burn += 1
                    findings.count()
                    if img is None or not box_black(img, w[:4]):
                        findings.add(("show --version N --format pdf (image)", "NOT BURNED"),
                                     "seed %d, %s: %s page %d: %r at %r"
                                     % (seed, u.name, where, i + 1, w[5], w[:4]))
        # the page viewer: find's hits outlined (zqk*: every canary; the
        # canaries of this document u may not read) never over a hidden word
        if client:
            hid_here = sorted({c for _, w in burn for c in CANARY.findall(w[5])} & forbidden)
            for i in range(len(pages)):
                for qq in ["zqk*"] + hid_here[:2]:
                    st, _, html = client.request("GET", "/documents/%s?page=%d&find=%s#pages"
                                                 % (did, i + 1, q(qq)))
                    n += 1
                    findings.count()
                    hits = [tuple(map(int, h)) for h in re.findall(
                        r"<rect class=dc-hit x=(\d+) y=(\d+) width=(\d+) height=(\d+)>", html)]
                    over = [w for j, w in burn if j == i for h in hits
                            if h[0] < w[0] + w[2] and w[0] < h[0] + h[2] and
                            h[1] < w[1] + w[3] and w[1] < h[1] + h[3]]
                    if st != 200 or over or (qq != "zqk*" and hits):
                        findings.add(("http GET /documents/ID?find= (page viewer)",
                                      "hit over a hidden word"),
                                     "seed %d, %s: %s page %d find %s: HTTP %d, %d hits, over %r"
                                     % (seed, u.name, did, i + 1, qq, st, len(hits),
                                        [w[5] for w in over[:3]]))
        # the PDF: the API's bytes are the CLI's; its text layer
        if code_pdf != 0 or not pdf.startswith(b"%PDF-"):
            findings.add(("show --format pdf", "exit status"), "seed %d, %s: %s: exit %d: %s"
                         % (seed, u.name, did, code_pdf, short(err_pdf)))
            continue
        leak("show --format pdf", did, pdf_texts(pdf) + err_pdf)
        if client:
            st, ctype, body = http["pdf"]
            if st != 200 or body != pdf or ctype != "application/pdf":
                findings.add(("http GET /api/documents/ID?format=pdf", "not the CLI's bytes"),
                             "seed %d, %s: %s: HTTP %d %s, %d bytes (CLI %d)"
                             % (seed, u.name, did, st, ctype, len(body), len(pdf)))
            leak("http GET /api/documents/ID?format=pdf", did, pdf_texts(body))
        f = os.path.join(tmp, did.replace("/", "_") + ".pdf")
        with open(f, "wb") as fh:
            fh.write(pdf)
        layer = tool(["pdftotext", "-q", f, "-"])
        if layer is None:
            findings.add(("show --format pdf (pdftotext)", "unreadable"),
                         "seed %d, %s: %s" % (seed, u.name, did))
            continue
        leak("show --format pdf (pdftotext)", did, layer)
        may = {c for k, p in enumerate(m.portions) if m.readable(u, k)
               for c in p.block.canaries()} - forbidden
        missing = sorted(c for c in may if c not in layer)
        n_may += len(may)
        if missing:
            findings.add(("show --format pdf (pdftotext)", "readable canary missing"),
                         "seed %d, %s: %s: %s" % (seed, u.name, did, ", ".join(missing[:5])))
        # the images: the PDF's (pdfimages), each page's PNG (CLI, API)
        prefix = os.path.join(tmp, did.replace("/", "_"))
        for old in os.listdir(tmp):
            if old.startswith(os.path.basename(prefix) + "-"):
                os.remove(os.path.join(tmp, old))
        tool(["pdfimages", f, prefix])
        imgs = sorted(x for x in os.listdir(tmp) if x.startswith(os.path.basename(prefix) + "-"))
        if len(imgs) != len(pages):
            findings.add(("show --format pdf (image)", "images"), "seed %d, %s: %s: %d images, "
                         "%d pages" % (seed, u.name, did, len(imgs), len(pages)))
            continue
        for i in range(len(pages)):
            with open(os.path.join(tmp, imgs[i]), "rb") as fh:
                from_pdf = pnm_rows(fh.read())
            if i == 0:
                png = png1
            else:
                code_png, png, err_png = cli(["show", did, "--format", "png", "--page",
                                              str(i + 1)])
                n += 1
            page_png = png_rows(png) if code_png == 0 else None
            if client and i == 0:
                st, ctype, body = http["png"]
                if st != 200 or body != png or ctype != "image/png":
                    findings.add(("http GET /api/documents/ID?format=png", "not the CLI's bytes"),
                                 "seed %d, %s: %s: HTTP %d %s" % (seed, u.name, did, st, ctype))
            if page_png is None or from_pdf is None:
                findings.add(("show --format png", "unreadable image"), "seed %d, %s: %s page %d:"
                             " exit %d %s" % (seed, u.name, did, i + 1, code_png, short(err_png)))
                continue
            if page_png != from_pdf:
                findings.add(("show --format pdf (image)", "not the page's PNG"),
                             "seed %d, %s: %s page %d" % (seed, u.name, did, i + 1))
            # a word u may read (its canary) is not burned: the images are
            # not black throughout
            for w in truth["scan"][i]["words"]:
                if set(CANARY.findall(w[5])) & may:
                    for path, img in (("show --format png", page_png),
                                      ("show --format pdf (image)", from_pdf)):
                        if box_black(img, w[:4]):
                            findings.add((path, "readable word burned"),
                                         "seed %d, %s: %s page %d: %r at %r"
                                         % (seed, u.name, did, i + 1, w[5], w[:4]))
            for j, w in burn:
                if j != i:
                    continue
                n_burn += 1
                for path, img in (("show --format png", page_png),
                                  ("show --format pdf (image)", from_pdf)):
                    findings.count()
                    if not box_black(img, w[:4]):
                        findings.add((path, "NOT BURNED"),
                                     "seed %d, %s: %s page %d: %r at %r (%s)"
                                     % (seed, u.name, did, i + 1, w[5], w[:4],
                                        w[6] if len(w) >= 9 else "unplaced"))
    return n, n_burn, n_may


def check_reader(rnd, u, opts, findings, full_server):
    t0 = time.time()
    rng = random.Random(rnd.seed * 1009 + USERS.index(u))
    db, wd, skipped = rnd.build_oracle(u)
    t_build = time.time() - t0
    queries = rnd.queries(u, rng, opts.full)
    forbidden = rnd.forbidden(u)
    dbs = (rnd.full, db)
    plan = cli_plan(rnd, u, rng, opts.full, queries)
    full_out = run_cli_plan(rnd, plan, rnd.full, rnd.dir, u)
    oracle_out = run_cli_plan(rnd, plan, db, wd, u)
    compare(findings, u, plan, full_out, oracle_out, dbs, rnd.seed)
    canary_scan(findings, u, plan, full_out, forbidden, rnd.seed)
    aligned = {d for d in rnd.docs if not any(x.split(" ")[1] == d for x in skipped)}
    old = old_versions_plan(rnd, u, rng, opts.full, aligned)
    old_out = run_cli_plan(rnd, old, rnd.full, rnd.dir, u)
    canary_scan(findings, u, old, old_out, forbidden, rnd.seed)
    if "reviewer" in u.roles or "admin" in u.roles:
        # the withholdings listing shows the text only to whom may read it
        wl = Plan()
        ids = [d for d in sorted(rnd.docs) if rnd.docs[d].may_open(u)]
        with_spans = [d for d in ids if any(p.spans for p in rnd.docs[d].portions)]
        for did in (with_spans if opts.full else with_spans[:2]) + [MISSING]:
            wl.add(("withholdings --json", did), ["withholdings", did, "--json"], "json")
        wl_out = run_cli_plan(rnd, wl, rnd.full, rnd.dir, u)
        canary_scan(findings, u, wl, wl_out, forbidden, rnd.seed)
        for did in with_spans[:2]:
            code, out, _ = wl_out[("withholdings --json", did)]
            listed = {w["text"] for w in json.loads(out)["withholdings"]} if code == 0 else set()
            m = rnd.docs[did]
            for k, p in enumerate(m.portions):
                for w, _ in p.spans:
                    if m.span_readable(u, k) and w not in listed:
                        findings.add(("withholdings --json", "span missing"),
                                     "seed %d, %s: %s: %s not listed" % (rnd.seed, u.name, did, w))
        n_extra = len(wl.items)
    else:
        n_extra = 0
    same = Plan()
    same.items = [it for it in old.items if "(aligned)" in it[0][0]]
    compare(findings, u, same, old_out, run_cli_plan(rnd, same, db, wd, u), dbs, rnd.seed)
    n_paths = len(plan.items) + len(old.items) + n_extra
    n_paths += review_paths(rnd, u, opts, findings, full_server)
    n_scan, n_burn, n_may = scan_paths(rnd, u, opts, findings, full_server)
    n_paths += n_scan
    if full_server:
        srv = Server(rnd.run.exe, db, wd)
        try:
            co, cf = Client(srv.port), Client(full_server.port)
            co.login(u)
            cf.login(u)
            hp = http_plan(rnd, u, queries)
            hf, ho = run_http_plan(hp, cf), run_http_plan(hp, co)
            compare(findings, u, hp, hf, ho, dbs, rnd.seed)
            canary_scan(findings, u, hp, hf, forbidden, rnd.seed, http=True)
            n_paths += len(hp.items)
        finally:
            err = srv.stop()
        if SANITIZER.search(err):
            findings.add(("serve", "sanitizer report"), "%s oracle server: %s" % (u.name,
                                                                                  short(err, 600)))
    return {"user": u.name, "paths": n_paths, "queries": len(queries), "skipped": skipped,
            "forbidden": len(forbidden), "burn": n_burn, "may": n_may, "build_s": t_build,
            "total_s": time.time() - t0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("declass", nargs="?", default=os.environ.get("DECLASS", "build/declass"))
    env = os.environ.get
    ap.add_argument("--rounds", type=int, default=int(env("DC_ORACLE_ROUNDS", "1")))
    ap.add_argument("--seed", type=int, default=int(env("DC_ORACLE_SEED", "1")))
    ap.add_argument("--docs", type=int, default=int(env("DC_ORACLE_DOCS", "0")) or None,
                    help="documents per round (default 16, 30 with --full)")
    ap.add_argument("--full", action="store_true", default=env("DC_ORACLE_FULL") == "1",
                    help="every path for every document and more queries (slow)")
    ap.add_argument("--no-http", action="store_true", help="skip the HTTP API")
    ap.add_argument("--jobs", type=int, default=int(env("DC_ORACLE_JOBS", "0")) or
                    max(2, os.cpu_count() or 2))
    ap.add_argument("--users", help="comma-separated reader names (default all)")
    ap.add_argument("--keep", action="store_true", help="keep the databases (printed)")
    ap.add_argument("--examples", type=int, default=3)
    opts = ap.parse_args()
    opts.docs = opts.docs or (30 if opts.full else 16)
    exe = os.path.abspath(opts.declass)
    users = USERS if not opts.users else [u for u in USERS if u.name in opts.users.split(",")]
    findings = Findings()
    stats = []
    t0 = time.time()
    keep = []
    for i in range(opts.rounds):
        seed = opts.seed + i
        wd = tempfile.mkdtemp(prefix="dc_oracle_%d_" % seed)
        rnd = Round(opts, seed, wd, Runner(exe, wd))
        server = None
        try:
            rnd.build_full()
            rnd.verify_parse("after the history")
            # the administrator's whole view of each scan: the words' boxes
            rnd.scan_truth = {did: json.loads(rnd.run.must(rnd.full, ["show", did, "--json"],
                                                           user=ADMIN))
                              for did in sorted(rnd.docs) if rnd.docs[did].gd.pdf}
            code, out, err = rnd.run.run(rnd.full, ["check"])
            if code != 0 or SANITIZER.search(err):
                findings.add(("check", "exit status"), "seed %d: declass check: %d %s"
                             % (seed, code, short(err, 300)))
            if not opts.no_http:
                server = Server(exe, rnd.full, wd)
            with concurrent.futures.ThreadPoolExecutor(opts.jobs) as ex:
                futs = [ex.submit(check_reader, rnd, u, opts, findings, server) for u in users]
                for f in futs:
                    try:
                        stats.append(f.result())
                    except Exception as e:  # a harness failure: reported, not hidden
                        findings.add(("harness", "error"), "seed %d: %s: %s\n%s"
                                     % (seed, type(e).__name__, e, "".join(
                                         traceback.format_exception(e)[-4:])))
        except HarnessError as e:
            findings.add(("harness", "error"), "seed %d: %s" % (seed, e))
        finally:
            if server:
                err = server.stop()
                if SANITIZER.search(err):
                    findings.add(("serve", "sanitizer report"), "full server: " + short(err, 600))
        print("round %d (seed %d): %d documents, %d events, %d declass runs, %.0f s"
              % (i + 1, seed, len(rnd.docs), len(rnd.events), rnd.run.calls, time.time() - t0),
              flush=True)
        if opts.keep:
            keep.append(wd)
        else:
            shutil.rmtree(wd, ignore_errors=True)
    report(findings, stats, opts, users, time.time() - t0, keep)
    sys.exit(1 if findings.classes else 0)


def report(findings, stats, opts, users, elapsed, keep):
    paths = sum(s["paths"] for s in stats)
    print("\n%d round(s) x %d readers: %d outputs compared (%d reader-round checks, "
          "%d paths incl. canary-only), %.0f s"
          % (opts.rounds, len(users), findings.compared, len(stats), paths, elapsed))
    skipped = sorted({x for s in stats for x in s["skipped"]})
    if skipped:
        print("review actions on portions a reader may not read, replayed as a release or "
              "left out of that reader's oracle: %d" % len(skipped))
    for s in stats:
        print("  %-7s %4d paths, %2d queries, %3d hidden canaries, scans: %3d words burned, "
              "%3d canaries released; oracle built in %.0f s, checked in %.0f s"
              % (s["user"], s["paths"], s["queries"], s["forbidden"], s["burn"], s["may"],
                 s["build_s"], s["total_s"]))
    if keep:
        print("databases kept in: " + " ".join(keep))
    if not findings.classes:
        print("no mismatches")
        return
    print("\n%d mismatch class(es); by field (path: count):" % len(findings.classes))
    by_field = {}
    for (path, what), (n, _) in findings.classes.items():
        by_field.setdefault(what, []).append("%s: %d" % (path, n))
    for what in sorted(by_field, key=lambda w: (w != "CANARY LEAK", w)):
        print("  %-40s %s" % (what, "; ".join(sorted(by_field[what]))))
    print("\nexamples:")
    for (path, what), (n, ex) in sorted(findings.classes.items(),
                                        key=lambda kv: (kv[0][1] != "CANARY LEAK", kv[0])):
        print("\n* %s: %s (%d)" % (path, what, n))
        for e in ex[:opts.examples]:
            print("    " + e)


if __name__ == "__main__":
    main()
