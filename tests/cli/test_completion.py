"""The shell completions (contrib/completion/) in a real bash and a real zsh.

bash: the script registers _declass for declass ('complete -p'); the
function, called with COMP_WORDS/COMP_CWORD set as readline sets them,
completes the commands 'declass --help' lists, every option each 'declass
CMD --help' names, the subcommands of 'user', the values of --format and
--role from the help, levels, and files for --db and ingest.  zsh: the
same cases through _declass with words/CURRENT set and compadd,
_describe, _files and _message replaced by functions that print what they
are given.  Every value offered for --format, --role and --classification
is accepted by the binary.
"""
import os
import re
import shutil
import subprocess
import tempfile

from dctest import DB, DECLASS, SAMPLES, check, done, eq

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
BASH_SCRIPT = os.path.join(ROOT, "contrib", "completion", "declass.bash")
ZSH_DIR = os.path.join(ROOT, "contrib", "completion")
BIN = os.path.abspath(DECLASS)
LEVELS = ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP-SECRET"]

tmp = tempfile.mkdtemp(prefix="dc_compl_")
os.makedirs(os.path.join(tmp, "corpus", "tei"))
open(os.path.join(tmp, "corpus", "notes.txt"), "w").close()
open(os.path.join(tmp, "old.db"), "w").close()


def helptext(*cmd):
    p = subprocess.run([BIN] + list(cmd) + ["--help"], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    eq(p.returncode, 0, "declass %s --help" % " ".join(cmd))
    return p.stdout


MAIN_HELP = helptext()
COMMANDS = re.findall(r"^  ([a-z]+) ", MAIN_HELP.split("\ncommands:\n", 1)[1], re.M)
check(len(COMMANDS) >= 18 and "search" in COMMANDS, "commands from --help: %s" % COMMANDS)


def options(cmd):
    """What completing '-' after CMD must offer: every --word/-x its help
    names, less --db (a global option), plus --as and --help."""
    got = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])(?![\w-])", helptext(cmd)))
    return (got - {"--db"}) | {"--as", "--help"}


# Each case: the words typed (the last is the one completed) and the
# completions wanted, as a set; "FILES" where file names are wanted.
CASES = [
    (["declass", ""], set(COMMANDS) | {"help"}),
    (["declass", "se"], {c for c in COMMANDS if c.startswith("se")}),
    (["declass", "-"], {"--db", "--as", "--version", "--help"}),
    (["declass", "--db", "x.db", "sh"], {"show"}),
    (["declass", "--as", "alice", "--db", "x.db", "rel"], {"release", "releases"}),
    (["declass", "show", "ID", "--format", ""],
     {"text", "json", "html", "tei", "cite", "bibtex", "ris"}),
    (["declass", "show", "ID", "--format", "b"], {"bibtex"}),
    (["declass", "export", "--format", ""], {"jsonl", "tei"}),
    (["declass", "user", ""], {"add", "list", "passwd", "del"}),
    (["declass", "user", "add", "bob", "--role", ""], {"reader", "reviewer", "admin"}),
    (["declass", "user", "add", "bob", "--clearance", ""], set(LEVELS)),
    (["declass", "search", "q", "--classification", "S"], {"SECRET"}),
    (["declass", "mark", "ID", "p1", "--classification", ""], set(LEVELS)),
    (["declass", "help", ""], set(COMMANDS)),
    (["declass", "search", "--limit", ""], set()),
    (["declass", "search", "--limit", "5", "--of"], {"--offset"}),
    (["declass", "--db", os.path.join(tmp, "ol")], "FILES"),
    (["declass", "ingest", "--collection", "x", os.path.join(tmp, "corpus", "n")], "FILES"),
]
for c in COMMANDS:
    CASES.append((["declass", c, "-"], {o for o in options(c) if o.startswith("-")}))

# ---- bash ----------------------------------------------------------------------------
bash = shutil.which("bash")
check(bash is not None, "bash is installed")


def bash_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


lines = ["source %s || exit 9" % bash_quote(BASH_SCRIPT), "complete -p declass"]
for words, _ in CASES:
    w = [BIN] + words[1:]
    lines.append("COMP_WORDS=(%s); COMP_CWORD=%d; COMPREPLY=(); _declass"
                 % (" ".join(bash_quote(x) for x in w), len(w) - 1))
    lines.append("printf '%s\\n' '@@' \"${COMPREPLY[@]}\"")
p = subprocess.run([bash, "--norc", "--noprofile", "-c", "\n".join(lines)], capture_output=True,
                   text=True, stdin=subprocess.DEVNULL, timeout=300)
eq(p.returncode, 0, "bash ran the completion (%s)" % p.stderr)
eq(p.stderr, "", "bash printed no error")
head, *results = p.stdout.split("@@\n")
eq(head.strip(), "complete -F _declass declass", "complete -p declass")
eq(len(results), len(CASES), "bash answered every case")
for (words, want), got in zip(CASES, results):
    got = set(got.split("\n")) - {""}
    if want == "FILES":
        stem = words[-1]
        want = {os.path.join(os.path.dirname(stem), f) for f in os.listdir(os.path.dirname(stem))
                if f.startswith(os.path.basename(stem))}
        check(len(want) == 1, "one file matches %s" % stem)
    eq(got, want, "bash: completing %r" % words[1:])

# The same function with declass found on PATH (COMP_WORDS[0] "declass").
bindir = os.path.join(tmp, "bin")
os.makedirs(bindir)
os.symlink(BIN, os.path.join(bindir, "declass"))
p = subprocess.run([bash, "--norc", "--noprofile", "-c",
                    "source %s; COMP_WORDS=(declass ver); COMP_CWORD=1; _declass; "
                    "echo \"${COMPREPLY[*]}\"" % bash_quote(BASH_SCRIPT)],
                   capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
                   env=dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", "")))
eq(p.stdout.strip(), "versions", "bash: 'declass ver' with declass on PATH")

# ---- zsh -----------------------------------------------------------------------------
zsh = shutil.which("zsh")
check(zsh is not None, "zsh is installed (debian-packages.txt)")
if zsh:
    stubs = r"""
compadd() { while [[ $# -gt 0 && $1 != -- ]]; do shift; done; shift; print -rl -- $@; }
_describe() { local -a a; a=("${(@P)${@[-1]}}"); print -rl -- ${a%%%%:*}; }
_files() { print -r -- FILES; }
_message() { }
fpath=(%s $fpath)
autoload -Uz _declass
""" % ZSH_DIR
    lines = [stubs]
    for words, _ in CASES:
        w = [BIN] + words[1:]
        lines.append("words=(%s); CURRENT=%d; print -r -- @@; _declass"
                     % (" ".join(bash_quote(x) for x in w), len(w)))
    p = subprocess.run([zsh, "-f", "-c", "\n".join(lines)], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=300)
    eq(p.returncode, 0, "zsh ran the completion (%s)" % p.stderr)
    eq(p.stderr, "", "zsh printed no error")
    results = p.stdout.split("@@\n")[1:]
    eq(len(results), len(CASES), "zsh answered every case")
    for (words, want), got in zip(CASES, results):
        got = set(got.split("\n")) - {""}
        if want == "FILES":
            want = {"FILES"}
        else:  # zsh filters by the prefix itself: offered are all candidates
            prefix = words[-1]
            got = {g for g in got if g.startswith(prefix)}
        eq(got, want, "zsh: completing %r" % words[1:])

# ---- the values offered are accepted ---------------------------------------------------
db = DB()
code, out, err = db.run("ingest", "--released", "-q",
                        os.path.join(SAMPLES, "tei", "frus1958-60v18-d279.xml"))
eq(code, 0, "ingest a sample (%s)" % err)
for fmt in ("text", "json", "html", "tei", "cite", "bibtex", "ris"):
    code, out, err = db.run("show", "frus1958-60v18/d279", "--format", fmt)
    eq(code, 0, "show --format %s (%s)" % (fmt, err))
for fmt in ("jsonl", "tei"):
    code, out, err = db.run("export", "--format", fmt)
    eq(code, 0, "export --format %s (%s)" % (fmt, err))
for level in LEVELS:
    code, out, err = db.run("search", "korea", "--classification", level)
    check(code in (0, 1), "search --classification %s: exit %d (%s)" % (level, code, err))
admin = db.add_user("root", "TOP-SECRET")
for role in ("reader", "reviewer", "admin"):
    db.add_user("u" + role, "SECRET", "--role", role, admin=admin)

shutil.rmtree(tmp, True)
done()
