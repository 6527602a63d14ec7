"""Simplified Chinese and English stay complete: every string in the code has a translation."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = {"zh_Hans": ROOT / "locale/zh_Hans/LC_MESSAGES/django.po", "en": ROOT / "locale/en/LC_MESSAGES/django.po"}


def untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


@pytest.mark.parametrize("language", CATALOGUES)
def test_catalogue_is_complete(language):
    assert untranslated(polib.pofile(str(CATALOGUES[language]))) == []


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.mark.parametrize("language", CATALOGUES)
def test_translations_keep_every_placeholder(language):
    # A translation that drops or renames %(name)s would break the page that shows it.
    wrong = []
    for entry in polib.pofile(str(CATALOGUES[language])):
        expected = set(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        wrong += [entry.msgid for text in translations if set(PLACEHOLDER.findall(text)) != expected]
    assert wrong == []


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    # Runs xgettext over a copy of the sources (a few seconds): a new string without a translation fails here.
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed to check the catalogues: apt-get install gettext")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "var", "locale", "staticfiles", "test-artifacts", "tests", "*.pyc"
        ),
    )
    (copy / "locale").mkdir()
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-location"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(CATALOGUES["zh_Hans"]))}
    assert sorted(extracted - committed) == [], "run `make messages` and translate the new strings"
