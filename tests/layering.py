#!/usr/bin/env python3
"""The layering of declass, checked on every #include "..." in src/ and include/.

A module is a folder under src/ (src/X/ is module X); include/declass/X.h
belongs to the module that defines it (HEADER_MODULE below), and a file at
the root of src/ to the facade (until it moves to src/facade/).  Modules are
ranked, from the top:

    cli, http            front ends: only the public headers (declass.h,
                         model.h, util.h) and their own folder
    facade               src/facade/ (src/declass*.c today)
    ingest, scan, store, links, render, index, access   the engines
    query, model
    analysis, util

and the check fails on
  (a) an include that runs upward (a module including one ranked above
      it), or a front end including anything but the public headers and
      its own folder;
  (b) a circle between modules (A includes B, ..., B includes A), even
      within one rank;
  (c) a public header (installed by cmake --install) including a header
      that is not public;
  (d) an include that resolves to no file.
Each violation is printed as FILE:LINE: FROM -> TO: what.  ALLOWED lists
the violations of today's tree, each to be removed with its fix (issue
13); an entry that no longer occurs fails too, so the list only shrinks.

    tests/layering.py [--strict] [ROOT]   check the tree at ROOT (default: this
                                          repository); --strict: ALLOWED too
    tests/layering.py --self-test         check the checker on synthetic trees
"""
import os
import re
import shutil
import sys
import tempfile

# ---- the rules --------------------------------------------------------------------------
RANKS = [
    ["cli", "http"],
    ["facade"],
    ["ingest", "scan", "store", "links", "render", "index", "access"],
    ["refs", "query", "model"],
    ["analysis", "util"],
]
FRONT_ENDS = {"cli", "http"}
# The HTTP server's own API, which the command line hosts (declass serve):
# the one header of a front end another front end may use.
HOSTED = {("cli", "src/http/http.h")}
# The installed API (CMakeLists.txt DC_PUBLIC_HEADERS): what front ends use.
PUBLIC_HEADERS = {"include/declass/declass.h", "include/declass/model.h",
                  "include/declass/util.h"}
# Included anywhere: banned.h declares nothing, it only poisons unsafe
# libc names (docs/STYLE.md), wherever it ends up living.
FREE_HEADERS = {"banned.h"}
# include/declass/X.h -> its module.
HEADER_MODULE = {"declass": "facade", "model": "model", "util": "util"}
# src/ folders whose module has another name.
FOLDER_MODULE = {}
# The module of files at the root of src/ (there are none).
ROOT_MODULE = "facade"
# Where "#include "X"" is looked for after the including file's folder
# (the -I paths of CMakeLists.txt).
INCLUDE_PATH = ["include", "src", "src/util", "src/http"]

# Today's violations, as (file, include as written); issue 13 removes them.
ALLOWED = set()

RANK = {m: i for i, group in enumerate(RANKS) for m in group}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(rel):
    """The module of a file (path relative to the root, '/'-separated), or None."""
    parts = rel.split("/")
    if parts[0] == "src":
        if len(parts) == 2:
            return ROOT_MODULE
        return FOLDER_MODULE.get(parts[1], parts[1])
    if parts[0] == "include" and len(parts) == 3 and parts[1] == "declass":
        return HEADER_MODULE.get(parts[2].rsplit(".", 1)[0])
    return None


def sources(root):
    for top in ("src", "include"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/")


def resolve(root, rel, inc):
    """The file '#include "inc"' in rel names, relative to root, or None."""
    for base in [os.path.dirname(rel)] + INCLUDE_PATH:
        cand = os.path.normpath(os.path.join(base, inc)).replace(os.sep, "/")
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def find_cycle(graph, scc):
    """One circle through the modules of scc, as a list A, B, ..., A."""
    start = min(scc)
    path, seen = [start], {start}

    def walk(node):
        for nxt in sorted(graph.get(node, ())):
            if nxt not in scc:
                continue
            if nxt == start and len(path) > 1:
                return True
            if nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                if walk(nxt):
                    return True
                path.pop()
        return False

    walk(start)
    return path + [start]


def sccs(graph):
    """Tarjan's strongly connected components of a {node: set(nodes)} graph."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            out.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check_tree(root, allowed):
    """(violations, stale allowances, module graph) of the tree at root.
    A violation is (file, line, from, to, include, what)."""
    violations, used, edges = [], set(), {}
    for rel in sources(root):
        src_mod = module_of(rel)
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        for lineno, line in enumerate(lines, 1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            inc = m.group(1)
            target = resolve(root, rel, inc)
            problems = []
            dst_mod = module_of(target) if target else None
            if target is None:
                problems.append("the include names no file in the tree")
            elif os.path.basename(target) in FREE_HEADERS:
                continue
            elif src_mod is None or dst_mod is None:
                problems.append("%s belongs to no module: add it to HEADER_MODULE"
                                % (rel if src_mod is None else target))
            elif src_mod not in RANK or dst_mod not in RANK:
                problems.append("module %s has no rank: add it to RANKS"
                                % (src_mod if src_mod not in RANK else dst_mod))
            else:
                if dst_mod != src_mod:
                    edges.setdefault(src_mod, {}).setdefault(dst_mod, (rel, lineno))
                if src_mod in FRONT_ENDS:
                    if dst_mod != src_mod and target not in PUBLIC_HEADERS and \
                            (src_mod, target) not in HOSTED:
                        problems.append("a front end uses %s, which is not a public header "
                                        "(front ends: declass.h, model.h, util.h and their "
                                        "own folder)" % target)
                elif RANK[dst_mod] < RANK[src_mod]:
                    problems.append("an upward include (%s ranks above %s)" % (dst_mod, src_mod))
                if rel in PUBLIC_HEADERS and target not in PUBLIC_HEADERS:
                    problems.append("a public header includes %s, which is not public"
                                    % target)
            for what in problems:
                if (rel, inc) in allowed:
                    used.add((rel, inc))
                    continue
                violations.append((rel, lineno, src_mod or "?", dst_mod or "?", inc, what))
    graph = {a: set(b) for a, b in edges.items()}
    for comp in sccs(graph):
        if len(comp) < 2:
            continue
        cycle = find_cycle(graph, comp)
        for a, b in zip(cycle, cycle[1:]):
            rel, lineno = edges[a][b]
            violations.append((rel, lineno, a, b, "", "a circle between modules: "
                               + " -> ".join(cycle)))
    return violations, sorted(set(allowed) - used), edges


def report(root, allowed, out=sys.stdout):
    """Checks the tree at root and prints what is wrong; 0 when nothing is."""
    unknown = [m for m in set(RANK) | set(HEADER_MODULE.values()) if m not in RANK]
    if unknown:
        print("layering: modules without a rank: %s" % unknown, file=out)
        return 1
    violations, stale, edges = check_tree(root, allowed)
    if os.path.isdir(os.path.join(root, "src")):
        for d in sorted(os.listdir(os.path.join(root, "src"))):
            if os.path.isdir(os.path.join(root, "src", d)) and \
                    FOLDER_MODULE.get(d, d) not in RANK:
                violations.append(("src/" + d, 0, d, "", "", "src/%s/ is a module without a "
                                   "rank: add it to RANKS" % d))
    for rel, lineno, a, b, inc, what in violations:
        print("%s:%d: %s -> %s: %s%s" % (rel, lineno, a, b,
                                         ('#include "%s": ' % inc) if inc else "", what),
              file=out)
    for rel, inc in stale:
        print('%s: #include "%s" is allowed in ALLOWED but no longer breaks a rule: '
              "delete it from ALLOWED in tests/layering.py" % (rel, inc), file=out)
    n_allowed = len(set(allowed)) - len(stale)
    print("layering: %d modules, %d module edges, %d violations, %d allowed (ALLOWED), "
          "%d stale allowances" % (len({m for e in edges for m in [e] + list(edges[e])}),
                                   sum(len(v) for v in edges.values()), len(violations),
                                   n_allowed, len(stale)), file=out)
    return 1 if violations or stale else 0


# ---- self-test: tiny synthetic trees --------------------------------------------------
def self_test():
    import io

    passed = failed = 0

    def tree(files):
        root = tempfile.mkdtemp(prefix="dc_layering_")
        for rel, text in files.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return root

    def case(name, files, want_rc, want_lines=(), allowed=()):
        nonlocal passed, failed
        root = tree(files)
        buf = io.StringIO()
        rc = report(root, set(allowed), buf)
        shutil.rmtree(root, True)
        text = buf.getvalue()
        missing = [w for w in want_lines if w not in text]
        if rc == want_rc and not missing:
            passed += 1
        else:
            failed += 1
            print("FAIL: %s: rc %d (want %d), missing %s in:\n%s"
                  % (name, rc, want_rc, missing, text), file=sys.stderr)

    good = {
        "include/declass/declass.h": '#include "declass/model.h"\n#include "declass/util.h"\n',
        "include/declass/model.h": '#include "declass/util.h"\n',
        "include/declass/util.h": "\n",
        "src/util/util.c": '#include "declass/util.h"\n#include "declass/banned.h"\n',
        "include/declass/banned.h": "\n",
        "src/model/model.c": '#include "declass/model.h"\n',
        "src/store/store_int.h": '#include "declass/model.h"\n',
        "src/store/store.c": '#include "store/store_int.h"\n#include "query/query.h"\n',
        "src/query/query.h": '#include "declass/util.h"\n',
        "src/query/query.c": '#include "query.h"\n#include "analysis/analysis.h"\n',
        "src/analysis/analysis.h": "\n",
        "src/index/index.h": '#include "access/access.h"\n',
        "src/access/access.h": '#include "declass/model.h"\n',
        "src/facade/declass.c": '#include "declass/declass.h"\n#include "store/store_int.h"\n'
                                '#include "index/index.h"\n',
        "src/declass_more.c": '#include "index/index.h"\n',
        "src/cli/main.c": '#include "cli.h"\n#include "declass/banned.h"\n',
        "src/cli/cli.h": '#include "declass/declass.h"\n',
        "src/http/api.c": '#include "declass/declass.h"\n#include "declass/model.h"\n',
    }
    case("a clean tree", good, 0, ["0 violations"])

    bad = dict(good)
    bad["src/util/util.c"] = '#include "declass/util.h"\n#include "store/store_int.h"\n'
    case("an upward include", bad, 1,
         ['src/util/util.c:2: util -> store: #include "store/store_int.h": an upward include'])

    bad = dict(good)
    bad["src/cli/main.c"] = '#include "cli.h"\n\n#include "access/access.h"\n'
    case("a front end including an engine header", bad, 1,
         ["src/cli/main.c:3: cli -> access:", "not a public header"])

    bad = dict(good)
    bad["src/http/api.c"] = '#include "declass/declass.h"\n#include "cli/cli.h"\n'
    case("a front end including another front end", bad, 1, ["src/http/api.c:2: http -> cli:"])

    bad = dict(good)
    bad["src/access/access.h"] = '#include "declass/model.h"\n#include "index/index.h"\n'
    case("a circle between two engines", bad, 1,
         ["a circle between modules: access -> index -> access"])

    bad = dict(good)
    bad["src/query/query.h"] = '#include "declass/util.h"\n#include "model/m.h"\n'
    bad["src/model/m.h"] = '#include "query/query.h"\n'
    case("a circle within one rank", bad, 1, ["query -> model", "model -> query"])

    bad = dict(good)
    bad["src/index/index.h"] = '#include "declass/declass.h"\n'
    case("an engine including the facade's header", bad, 1,
         ['src/index/index.h:1: index -> facade: #include "declass/declass.h"'])

    bad = dict(good)
    bad["src/declass_more.c"] = '#include "cli/cli.h"\n'
    case("a root file is the facade", bad, 1, ["src/declass_more.c:1: facade -> cli:"])

    bad = dict(good)
    bad["include/declass/declass.h"] = '#include "declass/model.h"\n#include "index/index.h"\n'
    case("a public header including an engine header", bad, 1,
         ["include/declass/declass.h:2: facade -> index:", "not public"])

    bad = dict(good)
    bad["src/store/store.c"] = '#include "store/nowhere.h"\n'
    case("an include of no file", bad, 1,
         ["src/store/store.c:1: store -> ?:", "names no file"])

    bad = dict(good)
    bad["src/frobs/frob.c"] = '#include "declass/util.h"\n'
    case("a folder without a rank", bad, 1, ["src/frobs/ is a module without a rank"])

    bad = dict(good)
    bad["src/cli/main.c"] = '#include "cli.h"\n#include "access/access.h"\n'
    case("an allowed violation", bad, 0, ["1 allowed"],
         allowed={("src/cli/main.c", "access/access.h")})
    case("a stale allowance", good, 1, ["no longer breaks a rule"],
         allowed={("src/cli/main.c", "access/access.h")})

    bad = dict(good)
    bad["src/refs/refs.c"] = '#include "store/store_int.h"\n'
    case("refs ranks below store", bad, 1, ["refs -> store", "upward include"])

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main(argv):
    args = argv[1:]
    if args == ["--self-test"]:
        return self_test()
    strict = "--strict" in args
    args = [a for a in args if a != "--strict"]
    if len(args) > 1 or (args and args[0].startswith("-")):
        print(__doc__.strip().split("\n\n")[-1], file=sys.stderr)
        return 2
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    return report(os.path.abspath(root), set() if strict else ALLOWED)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
