"""cmake --install, checked from the outside (CTest label "install").

Installs the build into a temporary prefix and checks the tree:
- bin/declass runs and needs no libmicrohttpd (readelf -d); its server,
  libexec/declass/declass-serve, does, and the installed 'declass serve
  --port 0 --json' starts it and answers HTTP;
- libexec/declass/declass-scan, the scan helper, links poppler and
  Tesseract (declass does not) and the installed declass ingests a PDF
  through it;
- lib/libdeclass.so.VERSION, which does not link libxml2 (loaded for TEI), with SONAME libdeclass.so.2
  (readelf -d) and the two links; every function the installed headers
  declare DC_API is exported;
- include/declass/ holds exactly declass.h, model.h and util.h: no engine
  header (index.h, store.h, ingest.h, query.h, render.h, analysis.h,
  access.h, refs.h, banned.h, http.h);
- the man pages (as docs/man/) render with man -l; the bash completion
  registers _declass for declass; the zsh one is in vendor-completions;
- declass.pc: the version, the prefix given at install time (also under
  DESTDIR), -ldeclass, and the private dependencies for a static link;
then builds tests/install/consumer.c with 'cc $(pkg-config --cflags --libs
declass)' alone (PKG_CONFIG_PATH=PREFIX/LIB/pkgconfig; with the build's
-fsanitize flags when DC_SANITIZE is set, since libdeclass.so then needs the
sanitizer runtime first), runs it (rpath) on a fresh database: it ingests a
sample, searches it with dc_db_search and asserts the hit's id.
"""
import filecmp
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from dctest import check, done, eq  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("SOURCE_DIR", os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("BUILD_DIR", os.path.join(SOURCE, "build"))
CMAKE = os.environ.get("CMAKE", "cmake")
CC = os.environ.get("CC", "cc")
LIBDIR = os.environ.get("INSTALL_LIBDIR", "lib")
SANITIZE = os.environ.get("DC_SANITIZE", "")
VERSION = os.environ.get("DC_VERSION", "0.3.0")
SAMPLES = os.environ.get("SAMPLES", os.path.join(SOURCE, "samples"))

PUBLIC = {"declass.h", "model.h", "util.h"}
ENGINE = {"index.h", "store.h", "ingest.h", "query.h", "render.h", "analysis.h", "access.h",
          "refs.h", "banned.h", "http.h"}
# Includes of the installed headers that the install does not hold, allowed
# (none: every include of an installed header must be installed too).
TRANSITIONAL = set()

tmp = tempfile.mkdtemp(prefix="dc_install_")
prefix = os.path.join(tmp, "prefix")


def run(cmd, env=None, cwd=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, env=e, cwd=cwd,
                       stdin=subprocess.DEVNULL, timeout=300)
    return p.returncode, p.stdout, p.stderr


# ---- the install ----------------------------------------------------------------------
code, out, err = run([CMAKE, "--install", BUILD, "--prefix", prefix])
eq(code, 0, "cmake --install %s --prefix %s (%s)" % (BUILD, prefix, err))
if code:
    done()
libdir = os.path.join(prefix, LIBDIR)
incdir = os.path.join(prefix, "include", "declass")
print(out.strip())

# ---- the command ----------------------------------------------------------------------
code, out, err = run([os.path.join(prefix, "bin", "declass"), "--version"])
eq((code, out.strip()), (0, "declass " + VERSION), "the installed declass runs")

# ---- the server: a program of its own, run by 'declass serve' --------------------------
serve = os.path.join(prefix, "libexec", "declass", "declass-serve")
check(os.access(serve, os.X_OK), "%s is installed" % serve)
code, out, err = run(["readelf", "-d", os.path.join(prefix, "bin", "declass")])
check(code == 0 and "libmicrohttpd" not in out, "declass does not load libmicrohttpd")
code, out, err = run(["readelf", "-d", serve])
check(code == 0 and "libmicrohttpd" in out, "declass-serve links libmicrohttpd")
sdb = os.path.join(prefix, "serve.db")
eq(run([os.path.join(prefix, "bin", "declass"), "--db", sdb, "init"])[0], 0, "init for serve")
p = subprocess.Popen([os.path.join(prefix, "bin", "declass"), "--db", sdb, "serve", "--port",
                      "0", "--json", "--quiet"], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
try:
    line = p.stdout.readline()
    started = json.loads(line) if line.startswith("{") else {}
    eq(started.get("action"), "serve", "the installed 'declass serve' started: %r" % line)
    if started.get("url"):
        with urllib.request.urlopen(started["url"] + "api/search?q=x", timeout=30) as r:
            eq(r.status, 200, "the installed server answers")
finally:
    p.terminate()
    p.wait(timeout=30)
eq(p.returncode, 0, "the installed server stops on SIGTERM")

# ---- the scan helper: a program of its own, run by 'declass ingest' per page -----------
scan = os.path.join(prefix, "libexec", "declass", "declass-scan")
check(os.access(scan, os.X_OK), "%s is installed" % scan)
code, out, err = run(["readelf", "-d", os.path.join(prefix, "bin", "declass")])
check(code == 0 and "poppler" not in out and "tesseract" not in out,
      "declass does not load poppler or tesseract")
code, out, err = run(["readelf", "-d", scan])
check(code == 0 and "libpoppler" in out and "libtesseract" in out,
      "declass-scan links poppler and tesseract")
pdb = os.path.join(prefix, "scan.db")
pdf = os.path.join(SOURCE, "fuzz", "corpus", "scan", "text_layer.pdf")
code, out, err = run([os.path.join(prefix, "bin", "declass"), "--db", pdb, "ingest",
                      "--released", "--collection", "scans", "-q", pdf])
eq(code, 0, "the installed declass ingests a PDF through its installed helper: " + err)
code, out, err = run([os.path.join(prefix, "bin", "declass"), "--db", pdb, "show",
                      "scans/text_layer"])
check(code == 0 and "Memorandum for the Record" in out and "[Page 2]" in out,
      "the PDF's text, by page: " + out + err)

# ---- the library ----------------------------------------------------------------------
# libxml2 (and the ICU it brings) is loaded when TEI is first read, not
# linked: the consumer below ingests a TEI file through the library.
code, out, err = run(["readelf", "-d", os.path.join(libdir, "libdeclass.so." + VERSION)])
check(code == 0 and "libxml2" not in out and "libsqlite3" in out,
      "libdeclass.so needs sqlite3 and not libxml2 (%s)" % err)
real = os.path.join(libdir, "libdeclass.so." + VERSION)
check(os.path.isfile(real) and not os.path.islink(real), "%s is the library" % real)
eq(os.readlink(os.path.join(libdir, "libdeclass.so.2")) if os.path.islink(
    os.path.join(libdir, "libdeclass.so.2")) else None, "libdeclass.so." + VERSION,
   "libdeclass.so.2 links to the library")
eq(os.readlink(os.path.join(libdir, "libdeclass.so")) if os.path.islink(
    os.path.join(libdir, "libdeclass.so")) else None, "libdeclass.so.2",
   "libdeclass.so (the link-time name) links to libdeclass.so.2")
code, out, err = run(["readelf", "-d", real])
eq(code, 0, "readelf -d the library (%s)" % err)
eq(re.findall(r"\(SONAME\)\s+Library soname: \[(.*?)\]", out), ["libdeclass.so.2"],
   "the library's SONAME")
check("(RPATH)" not in out and "(RUNPATH)" not in out,
      "the installed library carries no build-tree rpath")
code, out, err = run(["nm", "-D", "--defined-only", real])
exported = set(re.findall(r"^\S*\s+[TWDBRV]\s+(\S+)$", out, re.M))
check(len(exported) > 20, "the library exports its API (%d symbols)" % len(exported))

# ---- the headers ----------------------------------------------------------------------
installed = set(os.listdir(incdir)) if os.path.isdir(incdir) else set()
eq(installed, PUBLIC, "include/declass/ holds exactly the public headers")
for h in sorted(ENGINE):
    check(not glob.glob(os.path.join(prefix, "include", "**", h), recursive=True),
          "engine header %s is not installed" % h)
check(os.listdir(os.path.join(prefix, "include")) == ["declass"],
      "include/ holds only declass/")
declared, dangling, undeclared_api = set(), set(), []
for h in sorted(installed):
    with open(os.path.join(incdir, h), encoding="utf-8") as f:
        text = f.read()
    for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
        if not (inc.startswith("declass/") and inc[len("declass/"):] in installed):
            dangling.add(inc)
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    declared |= set(re.findall(r"\bDC_API\b[^;{}]*?\b(dc_\w+)\s*\(", text))
    for name in re.findall(r"^(?!typedef\b)[a-z][\w \*]*?\b(dc_\w+)\s*\(", text, re.M):
        if name not in exported:
            undeclared_api.append(name)
check(len(declared) > 20, "the installed headers declare the API (%d DC_API functions)"
      % len(declared))
for name in sorted(declared - exported):
    check(False, "%s is declared DC_API in an installed header but not exported" % name)
for name in sorted(set(undeclared_api)):
    check(False, "%s is declared in an installed header without DC_API: a consumer could "
          "not link it" % name)
for inc in sorted(dangling - TRANSITIONAL):
    check(False, "an installed header includes \"%s\", which is not installed" % inc)
transitional = sorted(dangling & TRANSITIONAL)
if transitional:
    print("note: the installed headers still include %s (not installed; issue 13): the "
          "consumer also gets -I%s/include" % (", ".join(transitional), SOURCE))

# ---- man pages and completions -------------------------------------------------------------
for page in ("declass.1", "declass-serve.1"):
    path = os.path.join(prefix, "share", "man", "man1", page)
    check(os.path.isfile(path) and filecmp.cmp(path, os.path.join(SOURCE, "docs", "man", page),
                                               shallow=False),
          "man page %s installed as docs/man/%s" % (path, page))
    code, out, err = run(["man", "-l", path], env={"MANPAGER": "cat", "PAGER": "cat",
                                                   "MANWIDTH": "80"})
    check(code == 0 and err == "" and "NAME" in out, "man -l %s (%s)" % (page, err))
bash_compl = os.path.join(prefix, "share", "bash-completion", "completions", "declass")
zsh_compl = os.path.join(prefix, "share", "zsh", "vendor-completions", "_declass")
check(os.path.isfile(bash_compl), "bash completion at share/bash-completion/completions/declass")
check(os.path.isfile(zsh_compl), "zsh completion at share/zsh/vendor-completions/_declass")
code, out, err = run(["bash", "--norc", "--noprofile", "-c",
                      "source '%s' && complete -p declass" % bash_compl])
eq((code, out.strip()), (0, "complete -F _declass declass"),
   "the installed bash completion registers _declass (%s)" % err)
if os.path.isfile(zsh_compl):
    with open(zsh_compl, encoding="utf-8") as f:
        eq(f.readline().strip(), "#compdef declass", "the zsh completion's first line")

# ---- pkg-config -------------------------------------------------------------------------
pcdir = os.path.join(libdir, "pkgconfig")
pc_env = {"PKG_CONFIG_PATH": pcdir}
check(os.path.isfile(os.path.join(pcdir, "declass.pc")), "declass.pc in %s" % pcdir)


def pkgconfig(*args):
    code, out, err = run(["pkg-config"] + list(args) + ["declass"], env=pc_env)
    eq(code, 0, "pkg-config %s declass (%s)" % (" ".join(args), err))
    return out.strip()


eq(pkgconfig("--modversion"), VERSION, "pkg-config --modversion")
eq(pkgconfig("--variable=prefix"), prefix, "declass.pc's prefix is the install prefix")
cflags = pkgconfig("--cflags").split()
libs = pkgconfig("--libs").split()
check("-I" + os.path.join(prefix, "include") in cflags, "--cflags: -I PREFIX/include (%s)" % cflags)
check("-L" + libdir in libs and "-ldeclass" in libs, "--libs: -L LIBDIR -ldeclass (%s)" % libs)
check(not any(l in libs for l in ("-lsqlite3", "-lstemmer", "-lxml2", "-lcjson")),
      "--libs of the shared library names no private dependency (%s)" % libs)
static_libs = pkgconfig("--libs", "--static").split()
for lib in ("-lsqlite3", "-lutf8proc", "-lsodium", "-lz", "-lstemmer"):
    check(lib in static_libs, "--libs --static names %s (%s)" % (lib, static_libs))
code, out, err = run(["pkg-config", "--print-requires-private", "declass"], env=pc_env)
eq(sorted(l.split()[0] for l in out.split("\n") if l.strip()),
   sorted(["sqlite3", "libutf8proc", "libsodium", "zlib"]),
   "Requires.private (%s)" % err)

# The prefix is the install prefix, not DESTDIR's staging folder.
stage = os.path.join(tmp, "stage")
code, out, err = run([CMAKE, "--install", BUILD, "--prefix", "/opt/declass"],
                     env={"DESTDIR": stage})
eq(code, 0, "DESTDIR=%s cmake --install --prefix /opt/declass (%s)" % (stage, err))
staged_pc = os.path.join(stage, "opt", "declass", LIBDIR, "pkgconfig", "declass.pc")
if os.path.isfile(staged_pc):
    with open(staged_pc, encoding="utf-8") as f:
        check("prefix=/opt/declass\n" in f.read(), "a staged declass.pc says prefix=/opt/declass")
else:
    check(False, "DESTDIR install wrote %s" % staged_pc)

# ---- a program built against the installed tree alone ---------------------------------------
exe = os.path.join(tmp, "consumer")
cmd = [CC, "-std=c17", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
       os.path.join(HERE, "consumer.c"), "-o", exe] + cflags
if transitional:
    cmd.append("-I" + os.path.join(SOURCE, "include"))
cmd += libs + ["-Wl,-rpath," + libdir]
if SANITIZE:
    cmd[1:1] = ["-fsanitize=" + SANITIZE, "-fno-omit-frame-pointer"]
print("$ " + " ".join(cmd))
code, out, err = run(cmd)
eq(code, 0, "the consumer compiles and links against the installed tree (%s)" % err)
if code == 0:
    code, out, err = run(["readelf", "-d", exe])
    check("Shared library: [libdeclass.so.2]" in out, "the consumer needs libdeclass.so.2")
    db = os.path.join(tmp, "consumer.db")
    code, out, err = run([exe, db, os.path.join(SAMPLES, "tei", "frus1958-60v18-d279.xml"),
                          '"NSC 5907" supersedes', "frus1958-60v18/d279"],
                         env={"LD_LIBRARY_PATH": ""})
    print(out.strip())
    eq((code, err), (0, ""), "the consumer finds frus1958-60v18/d279 through libdeclass.so")
    check(os.path.isfile(db), "the consumer created its database")
    code, out, err = run([os.path.join(prefix, "bin", "declass"), "--db", db, "list"])
    check(code == 0 and "frus1958-60v18/d279" in out,
          "the installed declass reads the consumer's database (%s)" % err)

shutil.rmtree(tmp, True)
done()
