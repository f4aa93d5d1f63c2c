#!/usr/bin/env python3
"""The module map as a test: every #include between modules must be one that
docs/ARCHITECTURE.md's table allows ("may use"), Boost.Beast stays inside http and
sqlite3.h inside storage. The table is read from the document itself, so changing the map
means changing the document first. Exits 1 and names each offending include."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def module_table():
    """{module: set of modules it may use} from the Modules table."""
    rows = {}
    in_table = False
    for line in ARCHITECTURE.read_text().splitlines():
        if line.startswith("| module | owns | may use |"):
            in_table = True
            continue
        if in_table:
            if not line.startswith("|"):
                break
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) != 3 or set(cells[0]) <= {"-", " "}:
                continue
            for name in re.split(r",\s*", cells[0]):
                rows[name] = cells[2]
    names = set(rows)
    allowed = {}
    for name, cell in rows.items():
        if "everything" in cell:
            uses = set(names)
        else:
            uses = {w for w in re.findall(r"[a-z]+", cell) if w in names}
            if "every core module" in cell:
                uses |= {"storage", "dynamodb", "streams", "esm", "lambda", "sqs", "sns", "logs"}
        # common holds the interfaces (Invoker, Destination, Clock, Status) every module uses.
        allowed[name] = uses | {"common", name}
    return allowed


def module_of(path):
    """(module, file) for a source or public header, or None (main.cc, clients, tests)."""
    rel = path.relative_to(ROOT)
    parts = rel.parts
    if parts[0] == "src" and len(parts) > 2:
        return parts[1]
    if parts[:2] == ("include", "streamstack") and len(parts) > 3:
        return parts[2]
    return None


def included_module(target, modules):
    """The module an include names: "streamstack/<m>/x.h" (public) or "<m>/x.h" (private)."""
    parts = target.split("/")
    if parts[0] == "streamstack" and len(parts) > 2 and parts[1] in modules:
        return parts[1]
    if len(parts) > 1 and parts[0] in modules:
        return parts[0]
    return None


def main():
    allowed = module_table()
    if not allowed:
        print(f"no module table found in {ARCHITECTURE}")
        return 1
    problems = []
    files = sorted(p for d in ("src", "include") for p in (ROOT / d).rglob("*")
                   if p.suffix in (".h", ".cc"))
    for path in files:
        module = module_of(path)
        if module is None:
            continue
        if module not in allowed:
            problems.append(f"{path.relative_to(ROOT)}: module '{module}' is not in the map")
            continue
        for target in INCLUDE.findall(path.read_text(errors="replace")):
            used = included_module(target, allowed)
            rel = path.relative_to(ROOT)
            if used is not None and used not in allowed[module]:
                problems.append(f"{rel}: {module} may not use {used} (#include \"{target}\")")
            if target.startswith("boost/beast") and module != "http":
                problems.append(f"{rel}: Boost.Beast outside http (#include <{target}>)")
            if target == "sqlite3.h" and module != "storage":
                problems.append(f"{rel}: sqlite3.h outside storage")
    for p in problems:
        print(p)
    print(f"layering: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
