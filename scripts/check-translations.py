#!/usr/bin/env python3
"""Checks that translations/*.ts are current and complete (the ctest test translations_current).

Runs lupdate, with the options and source list of the wadesk_lupdate target, over copies of the
.ts files, then fails when that changes them (a tr() string was added, changed or removed since
the last refresh) or when a German or Spanish message has no finished translation. English
(wadesk_en.ts) needs only the plural forms of %n messages: the source text is the English.

usage: check-translations.py <lupdate> <sources.lst> <source dir> [lupdate options...]
"""
import filecmp
import pathlib
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HOW = ("Refresh and translate: cmake --build build --target wadesk_lupdate, then give every "
       "message marked type=\"unfinished\" in translations/wadesk_de.ts and wadesk_es.ts its "
       "translation (and %n messages their plural forms in wadesk_en.ts), then rebuild. "
       "See docs/translating.md.")


def unfinished(path, english):
    missing = []
    for context in ET.parse(path).getroot().iter('context'):
        name = context.findtext('name')
        for message in context.iter('message'):
            translation = message.find('translation')
            numerus = message.get('numerus') == 'yes'
            if english and not numerus:
                continue
            forms = [f.text for f in translation.iter('numerusform')] if numerus else [translation.text]
            if translation.get('type') == 'unfinished' or not all(f and f.strip() for f in forms):
                missing.append(f"{name}: {message.findtext('source')!r}")
    return missing


def main():
    lupdate, sources, root = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    options = sys.argv[4:]
    stored = sorted((root / 'translations').glob('wadesk_*.ts'))
    if not stored:
        print('no translations/wadesk_*.ts found')
        return 1
    failed = False
    with tempfile.TemporaryDirectory() as scratch:
        copies = []
        for ts in stored:
            copy = pathlib.Path(scratch) / ts.name
            shutil.copyfile(ts, copy)
            copies.append(copy)
        run = subprocess.run([lupdate, *options, '-I', str(root), '@' + sources, '-ts', *map(str, copies)],
                             cwd=root, capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stdout + run.stderr)
            print('lupdate failed')
            return 1
        for ts, copy in zip(stored, copies):
            if not filecmp.cmp(ts, copy, shallow=False):
                failed = True
                print(f'{ts.relative_to(root)} is out of date: the sources have tr() strings it lacks, '
                      'or it keeps strings the sources no longer have.')
            missing = unfinished(copy, ts.name == 'wadesk_en.ts')
            if missing:
                failed = True
                print(f'{ts.relative_to(root)}: {len(missing)} message(s) without a translation:')
                for line in missing[:40]:
                    print('  ' + line)
                if len(missing) > 40:
                    print(f'  … and {len(missing) - 40} more')
    if failed:
        print(HOW)
        return 1
    print(f'{len(stored)} translation files are current and complete.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
