#!/usr/bin/env python3
"""Checks the direction of #include "..." between WaDesk's folders; exits 1 naming each offence.

- core (wadesk_core) never includes the engine (core/engine) or the desktop (ui/);
- core/engine never includes ui/;
- no cycle among the folders of core: when folder A includes folder B, nothing in B (directly
  or through other folders) includes A.

- the libraries below wadesk_core stay below it: core/common includes no other folder, and
  core/http (the HTTP plumbing) includes only core/common;
- every project include names its file from the repository root ("core/sessions/X.h",
  "ui/clients/Y.h"), so folders of the same name under core/ and ui/ cannot shadow each other.
"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CORE = os.path.join(ROOT, "core")
UI = os.path.join(ROOT, "ui")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def sources(top):
    for folder, _, files in os.walk(top):
        for name in files:
            if name.endswith((".h", ".cpp")):
                yield os.path.join(folder, name)


def resolve(target):
    candidate = os.path.normpath(os.path.join(ROOT, target))
    return candidate if os.path.isfile(candidate) else None  # generated (Version.h, moc) or system


def misnamed(including, target):
    """A quoted include that names a project file relative to its own folder, not the root."""
    if resolve(target):
        return False
    return os.path.isfile(os.path.normpath(os.path.join(os.path.dirname(including), target)))


BELOW_CORE = {"common": set(), "http": {"common"}}


def core_folder(path):
    """The first folder under core/ ("engine" for the engine), or None outside core/."""
    rel = os.path.relpath(path, CORE)
    if rel.startswith(".."):
        return None
    parts = rel.split(os.sep)
    return parts[0] if len(parts) > 1 else None


def main():
    offences = []
    edges = {}  # folder -> {folder: first file that includes it}
    for top in ("core", "ui", "app", "tests", "bench"):
        for path in sources(os.path.join(ROOT, top)):
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m and misnamed(path, m.group(1)):
                        offences.append(f"{os.path.relpath(path, ROOT)}:{number}: name the file from the "
                                        f"repository root, not \"{m.group(1)}\"")
    for path in sources(CORE):
        here = core_folder(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = resolve(m.group(1))
                if target is None:
                    continue
                where = f"{os.path.relpath(path, ROOT)}:{number}"
                if not target.startswith(CORE + os.sep):
                    offences.append(f"{where}: core includes the desktop: {os.path.relpath(target, ROOT)}")
                    continue
                there = core_folder(target)
                if there == "engine" and here != "engine":
                    offences.append(f"{where}: wadesk_core includes the engine: {os.path.relpath(target, ROOT)}")
                if here in BELOW_CORE and there != here and there not in BELOW_CORE[here]:
                    offences.append(f"{where}: core/{here} sits below wadesk_core and may not include core/{there}")
                if here and there and here != there:
                    edges.setdefault(here, {}).setdefault(there, where)

    # Cycles: a depth-first search from every folder, reporting each cycle once.
    seen_cycles = set()

    def walk(start, folder, trail):
        for nxt in sorted(edges.get(folder, {})):
            if nxt == start:
                cycle = trail + [start]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    hops = "; ".join(f"{a} -> {b} ({edges[a][b]})" for a, b in zip(cycle, cycle[1:]))
                    offences.append(f"include cycle among core folders: {hops}")
            elif nxt not in trail and len(trail) < 12:
                walk(start, nxt, trail + [nxt])

    for folder in sorted(edges):
        walk(folder, folder, [folder])

    for o in offences:
        print(f"check-includes: {o}")
    if offences:
        return 1
    print(f"check-includes: {len(edges)} core folders, no cycle, core includes neither engine nor ui")
    return 0


if __name__ == "__main__":
    sys.exit(main())
