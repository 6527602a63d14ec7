"""After `manage.py makemessages`: English is the source language, so every English msgstr is its
msgid (the catalogue is then complete, and a test can check that nothing is left untranslated)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    for po_path in sorted((ROOT / "locale" / "en" / "LC_MESSAGES").glob("*.po")):
        catalogue = polib.pofile(str(po_path))
        catalogue.metadata_is_fuzzy = False
        for entry in catalogue:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save()
        print(f"{po_path.relative_to(ROOT)}: {len(catalogue)} entries")


if __name__ == "__main__":
    main()
