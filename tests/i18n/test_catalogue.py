"""The product speaks French completely: every user-facing string is marked for
translation, the French catalogue translates every message (none fuzzy), the committed
.mo is the compiled .po, and makemessages would find nothing new (nor anything stale).

The .po is read by a small parser of our own and the .mo by Python's ``gettext``, so
only the makemessages check needs GNU gettext's ``xgettext`` (Debian package ``gettext``,
installed by .ci/run).
"""

from __future__ import annotations

import ast
import gettext
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.i18n.untranslated import PACKAGES, ROOT, all_problems

CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES"


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: ``msgctxt``, ``msgid``, ``msgid_plural``, ``msgstr``
    (a dict of plural index to text; index 0 for a singular) and ``flags``. The header
    (empty msgid) is an entry too."""
    entries: list[dict] = []
    entry: dict = {}
    field = None

    def close():
        if "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#,"):
            close()
            entry, field = {"flags": {f.strip() for f in line[2:].split(",")}}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += text
            else:
                entry[field] += text
        else:
            keyword, _, value = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and (
                    "msgid" in entry and (keyword == "msgctxt" or "msgstr" in entry)):
                close()
                entry = {}
            entry.setdefault("flags", set())
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.setdefault("msgstr", {})[index] = text
                field = ("msgstr", index)
            else:
                entry[keyword] = text
                field = keyword
    close()
    return entries


def _key(entry: dict) -> tuple:
    return entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")


def _messages(path: Path) -> list[dict]:
    return [e for e in parse_po(path) if e["msgid"]]


def test_every_user_facing_string_is_marked_for_translation():
    assert all_problems() == []


def test_the_french_catalogue_translates_every_message():
    messages = _messages(CATALOGUE / "django.po")
    assert len(messages) > 900
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in messages
                    if not all(e["msgstr"].values())
                    or len(e["msgstr"]) != (2 if e.get("msgid_plural") else 1)]
    assert fuzzy == [] and untranslated == []


def test_the_french_catalogue_keeps_every_placeholder():
    import re

    placeholder = re.compile(r"%\(\w+\)[sdrf]|%\(\w+\)\.\d+f|%\(\w+\)02d|\{\w+\}")
    wrong = []
    for e in _messages(CATALOGUE / "django.po"):
        wanted = sorted(placeholder.findall(e["msgid"] + (e.get("msgid_plural") or "")))
        for index, text in e["msgstr"].items():
            found = sorted(placeholder.findall(text))
            # French needs no count in a plural's singular ("toutes les minutes").
            if set(found) != set(wanted) and not (e.get("msgid_plural") and index == 0
                                                  and set(found) <= set(wanted)):
                wrong.append((e["msgid"], text))
    assert wrong == []


def test_the_header_says_how_french_plurals_work():
    (header,) = [e for e in parse_po(CATALOGUE / "django.po") if not e["msgid"]]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0] and "fuzzy" not in header["flags"]


def test_the_committed_mo_is_the_compiled_po():
    """A clean machine runs the product without msgfmt: the .mo must hold exactly the
    .po's translations."""
    with (CATALOGUE / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    expected = {}
    for e in _messages(CATALOGUE / "django.po"):
        msgid = e["msgid"] if e.get("msgctxt") is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e.get("msgid_plural"):
            for index, text in e["msgstr"].items():
                expected[(msgid, index)] = text
        else:
            expected[msgid] = e["msgstr"][0]
    compiled = {k: v for k, v in compiled.items() if k != ""}
    assert compiled == expected


def test_the_sheet_words_come_from_the_catalogue():
    translation = gettext.GNUTranslations((CATALOGUE / "django.mo").open("rb"))
    assert translation.gettext("Salesforce ID") == "ID Salesforce"
    assert translation.gettext("Service Cloud ID") == "ID Service Cloud"
    assert translation.gettext("Sync Error") == "Erreur de synchronisation"
    assert translation.pgettext("SLA status", "Breached") == "Dépassé"


@pytest.mark.skipif(shutil.which("xgettext") is None,
                    reason="needs GNU gettext's xgettext (apt-get install gettext)")
def test_makemessages_finds_nothing_new_and_nothing_stale(tmp_path, settings, monkeypatch):
    """makemessages over a copy of the translated packages (so the committed catalogue is
    never touched) gives exactly the committed catalogue's messages."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (tmp_path / "locale").mkdir()
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)

    call_command("makemessages", locale=["fr"], verbosity=0)

    fresh = {_key(e) for e in _messages(tmp_path / "locale/fr/LC_MESSAGES/django.po")}
    committed = {_key(e) for e in _messages(CATALOGUE / "django.po")}
    assert sorted(fresh - committed, key=str) == []  # new: run makemessages, translate
    assert sorted(committed - fresh, key=str) == []  # stale: makemessages --no-obsolete
