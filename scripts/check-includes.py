#!/usr/bin/env python3
"""Checks the direction of #include "..." between WaDesk's folders; exits 1 naming each offence.

- core (wadesk_core) never includes the engine (core/engine) or the desktop (ui/);
- core/engine never includes ui/;
- no cycle among the folders of core: when folder A includes folder B, nothing in B (directly
  or through other folders) includes A.

An include is resolved the way the build resolves it: against the including file's own folder,
then core/ (and core/.. for the engine's "engine/..." paths), then ui/.
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


def resolve(including, target):
    for base in (os.path.dirname(including), CORE, UI):
        candidate = os.path.normpath(os.path.join(base, target))
        if os.path.isfile(candidate):
            return candidate
    return None  # a generated header (Version.h, moc) or a system one


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
    for path in sources(CORE):
        here = core_folder(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = resolve(path, m.group(1))
                if target is None:
                    continue
                where = f"{os.path.relpath(path, ROOT)}:{number}"
                if not target.startswith(CORE + os.sep):
                    offences.append(f"{where}: core includes the desktop: {os.path.relpath(target, ROOT)}")
                    continue
                there = core_folder(target)
                if there == "engine" and here != "engine":
                    offences.append(f"{where}: wadesk_core includes the engine: {os.path.relpath(target, ROOT)}")
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
