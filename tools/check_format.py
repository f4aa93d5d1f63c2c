#!/usr/bin/env python3
"""Formatting as a test: every C++ source and header of the project (src, include, tests)
must be as clang-format 14 (Debian bookworm's, the one docker/install-deps.sh installs)
formats it with the project's .clang-format. Other clang-format versions format some
constructs differently, so with another version the test is skipped (exit 77), never
passed. Exits 1 and lists the files to reformat (`clang-format -i FILE`)."""
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DIRECTORIES = ("src", "include", "tests")
SUFFIXES = {".cc", ".h"}
VERSION = 14
SKIP = 77


def clang_format():
    """The clang-format 14 binary, or None."""
    for name in (f"clang-format-{VERSION}", "clang-format"):
        path = shutil.which(name)
        if path is None:
            continue
        out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        match = re.search(r"version (\d+)\.", out)
        if match and int(match.group(1)) == VERSION:
            return path
    return None


def sources():
    for directory in DIRECTORIES:
        for path in sorted((ROOT / directory).rglob("*")):
            if path.suffix in SUFFIXES and "node_modules" not in path.parts:
                yield path


def main():
    tool = clang_format()
    if tool is None:
        print(f"check_format: clang-format {VERSION} not found (docker/install-deps.sh "
              "installs it); skipped")
        return SKIP
    files = list(sources())
    unformatted = []
    for start in range(0, len(files), 50):
        batch = files[start:start + 50]
        run = subprocess.run([tool, "--dry-run", "--Werror", *map(str, batch)], cwd=ROOT,
                             capture_output=True, text=True)
        if run.returncode != 0:
            named = set(re.findall(r"^(\S+?):\d+:\d+: (?:error|warning)", run.stderr, re.M))
            unformatted += sorted(named) or [f"(one of {len(batch)} files)"]
    for path in unformatted:
        print(f"check_format: not formatted: {path}")
    print(f"check_format: {len(files)} files, {len(unformatted)} to reformat")
    return 1 if unformatted else 0


if __name__ == "__main__":
    sys.exit(main())
