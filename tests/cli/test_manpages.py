"""The man pages (docs/man/*.1) render and cannot fall behind the binary.

- groff renders each page with every warning on (-ww) and prints nothing;
  man -l renders it too, and lexgrog finds its NAME line (for whatis);
- every command 'declass --help' lists has a subsection under COMMANDS in
  declass(1) and a line in its SYNOPSIS, and every option its 'declass
  CMD --help' names is in that subsection ('user': every subcommand too);
- every option of 'declass serve --help' is in declass-serve(1)'s OPTIONS;
- every variable the sources read (getenv) is under ENVIRONMENT;
- the version in each page's footer is the one 'declass --version' prints.
"""
import glob
import os
import re
import shutil
import subprocess

from dctest import DECLASS, check, done, eq

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MAN = os.path.join(ROOT, "docs", "man")
PAGES = sorted(glob.glob(os.path.join(MAN, "*.[1-8]")))
GLOBAL_OPTIONS = {"--db", "--as", "--help", "-h"}


def run(*cmd, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(list(cmd), capture_output=True, text=True, env=e,
                       stdin=subprocess.DEVNULL, timeout=120)
    return p.returncode, p.stdout, p.stderr


def deroff(s):
    """The text of a roff source line, without font changes and escapes."""
    s = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", s)
    for a, b in (("\\-", "-"), ("\\(em", "\u2014"), ("\\(en", "\u2013"), ("\\(lq", '"'),
                 ("\\(rq", '"'), ("\\(dq", '"'), ("\\(aq", "'"), ("\\(bu", "*"),
                 ("\\&", ""), ("\\ ", " "), ("\\e", "\\")):
        s = s.replace(a, b)
    return s


def sections(path):
    """{".SH title": [source lines]} of a page (.SS lines kept in their .SH)."""
    out, cur = {}, None
    with open(path, encoding="ascii") as f:  # the pages are plain ASCII roff
        for line in f.read().splitlines():
            m = re.match(r'\.SH\s+"?([^"]*)"?\s*$', line)
            if m:
                cur = m.group(1)
                out[cur] = []
            elif cur is not None:
                out[cur].append(line)
    return out


def options_in(text):
    """The options named in a help text: --word and -x."""
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])(?![\w-])", text))


check(len(PAGES) >= 2, "docs/man has declass.1 and declass-serve.1 (%s)" % PAGES)
code, version, _ = run(DECLASS, "--version")
version = version.strip()
eq(code, 0, "declass --version")

# ---- rendering --------------------------------------------------------------------
for page in PAGES:
    name = os.path.basename(page)
    code, out, err = run("groff", "-man", "-ww", "-z", "-Tutf8", page)
    eq((code, err), (0, ""), "groff -man -ww renders %s without a warning" % name)
    code, out, err = run("man", "--warnings", "-l", page, env={"MANWIDTH": "80", "MANPAGER": "cat",
                                                               "PAGER": "cat"})
    eq((code, err), (0, ""), "man -l renders %s without a warning" % name)
    check("SYNOPSIS" in out and "DESCRIPTION" in out, "%s renders its sections" % name)
    if shutil.which("lexgrog"):
        code, out, err = run("lexgrog", page)
        stem = name.rsplit(".", 1)[0]
        check(code == 0 and ('"%s - ' % stem) in out, "lexgrog reads the NAME of %s: %r"
              % (name, out))
    with open(page, encoding="ascii") as f:
        th = [l for l in f if l.startswith(".TH ")]
    check(len(th) == 1 and ('"%s"' % version) in th[0],
          "%s: .TH carries the version %r (%r)" % (name, version, th))
    for sec in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES",
                "SEE ALSO"):
        check(sec in sections(page), "%s has a %s section" % (name, sec))

# ---- declass(1) against 'declass --help' -------------------------------------------
main = sections(os.path.join(MAN, "declass.1"))
for sec in ("COMMANDS", "FILES", "OPTIONS"):
    check(sec in main, "declass.1 has a %s section" % sec)
code, helptext, _ = run(DECLASS, "--help")
eq(code, 0, "declass --help")
commands = re.findall(r"^  ([a-z]+) ", helptext.split("\ncommands:\n", 1)[-1], re.M)
check(len(commands) >= 18, "declass --help lists the commands (%s)" % commands)

blocks = {}  # command -> the text of its subsections under COMMANDS
cur = None
for line in main.get("COMMANDS", []):
    if line.startswith(".SS"):
        cur = deroff(line[3:]).strip().strip('"').split()[0]
    if cur:
        blocks[cur] = blocks.get(cur, "") + deroff(line) + "\n"
synopsis = "\n".join(deroff(l) for l in main.get("SYNOPSIS", []))

for c in commands:
    check(c in blocks, "declass.1 COMMANDS has a subsection for '%s'" % c)
    check(re.search(r"\b%s\b" % re.escape(c), synopsis) is not None,
          "declass.1 SYNOPSIS shows '%s'" % c)
    code, chelp, cerr = run(DECLASS, c, "--help")
    eq(code, 0, "declass %s --help" % c)
    for opt in sorted(options_in(chelp) - GLOBAL_OPTIONS):
        check(re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), blocks.get(c, "")) is not None,
              "declass.1 documents option %s of '%s' under COMMANDS" % (opt, c))
    if c == "user":
        for sub in sorted(set(re.findall(r"\buser ([a-z]+)", chelp))):
            check(("user " + sub) in blocks.get(c, ""),
                  "declass.1 documents 'user %s'" % sub)
for c in blocks:
    check(c in commands or c == "help", "declass.1 documents '%s', which --help lists" % c)

main_opts = options_in(helptext.split("\ncommands:\n", 1)[0])
opts_text = "\n".join(deroff(l) for l in main.get("OPTIONS", []))
for opt in sorted(main_opts):
    check(re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), opts_text) is not None,
          "declass.1 OPTIONS documents %s" % opt)

# ---- declass-serve(1) against 'declass serve --help' ---------------------------------
serve = sections(os.path.join(MAN, "declass-serve.1"))
code, shelp, _ = run(DECLASS, "serve", "--help")
serve_opts = "\n".join(deroff(l) for l in serve.get("OPTIONS", []))
for opt in sorted(options_in(shelp) - GLOBAL_OPTIONS):
    check(re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), serve_opts) is not None,
          "declass-serve.1 OPTIONS documents %s" % opt)

# ---- ENVIRONMENT against the variables the sources read -------------------------------------
env_vars = set()
for src in glob.glob(os.path.join(ROOT, "src", "**", "*.c"), recursive=True):
    with open(src, encoding="utf-8") as f:
        text = f.read()
    # getenv("X"), and the DECLASS_ names passed to getenv through a variable
    env_vars |= set(re.findall(r'getenv\("([A-Z_][A-Z0-9_]*)"\)', text))
    env_vars |= set(re.findall(r'"(DECLASS_[A-Z0-9_]+)"', text))
environment = "\n".join(deroff(l) for l in main.get("ENVIRONMENT", []))
check("DECLASS_DB" in env_vars, "the sources read DECLASS_DB (%s)" % sorted(env_vars))
for v in sorted(env_vars):
    check(re.search(r"^\.B %s$" % v, "\n".join(main.get("ENVIRONMENT", [])), re.M) is not None,
          "declass.1 ENVIRONMENT has an entry for $%s" % v)
check(environment.strip() != "", "declass.1 ENVIRONMENT is not empty")

done()
