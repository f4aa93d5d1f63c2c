#!/usr/bin/env python3
"""Clang's thread-safety analysis over the tree: every translation unit of a configured
build (its compile_commands.json) is compiled by clang++ with -fsyntax-only
-Wthread-safety, which proves that members marked GUARDED_BY(mu) are only touched with mu
held and REQUIRES(mu) functions only called so (common/thread_annotations.h). Only
thread-safety diagnostics count: the project's warning set is GCC's and is checked by the
normal build. Exits 1 and prints each finding.
  tools/check_thread_safety.py [BUILD_DIR]   (default: build)"""
import concurrent.futures
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
KEEP_PREFIXES = ("-D", "-I", "-isystem", "-std=")


def clang_command(entry, clang):
    """The entry's preprocessor flags, compiled by clang with only the analysis on."""
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    kept = []
    i = 1
    while i < len(args):
        a = args[i]
        if a == "-isystem" and i + 1 < len(args):
            kept += [a, args[i + 1]]
            i += 2
            continue
        if a.startswith(KEEP_PREFIXES):
            kept.append(a)
        i += 1
    return [clang, *kept, "-fsyntax-only", "-Wno-everything", "-Wthread-safety",
            "-Werror=thread-safety", entry["file"]]


def check(entry, clang):
    run = subprocess.run(clang_command(entry, clang), cwd=entry["directory"],
                         capture_output=True, text=True)
    return entry["file"], run.returncode, run.stderr


def main():
    build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build")
    database = build / "compile_commands.json"
    if not database.exists():
        sys.exit(f"check_thread_safety: {database} not found (configure the build first)")
    clang = shutil.which("clang++")
    if clang is None:
        sys.exit("check_thread_safety: clang++ not found (docker/install-deps.sh installs it)")
    entries = [e for e in json.loads(database.read_text())
               if str(ROOT) in e["file"] and "/_deps/" not in e["file"]]
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for file, code, stderr in pool.map(lambda e: check(e, clang), entries):
            if code != 0:
                failed += 1
                print(stderr, end="")
    print(f"check_thread_safety: {len(entries)} translation units, {failed} with findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
