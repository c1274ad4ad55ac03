"""The catalogues: the template is up to date and every shipped locale is complete."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from app.config import ROOT
from app.i18n import LOCALES_DIR


def msgids(path: Path) -> set[str]:
    with path.open("rb") as file:
        return {m.id for m in read_po(file) if m.id}  # type: ignore[misc]


def test_the_pot_is_not_stale(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "gettext_lazy",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    stale = msgids(LOCALES_DIR / "messages.pot") ^ msgids(fresh)
    assert stale == set(), "run `make i18n` to update the catalogues"


def test_every_locale_translates_every_message() -> None:
    expected = msgids(LOCALES_DIR / "messages.pot")
    for po_path in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as file:
            catalog = read_po(file)
        missing = sorted(
            str(m.id)
            for m in catalog
            if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
        )
        assert missing == [], f"{po_path.parent.parent.name}: {missing[:5]}"
        assert msgids(po_path) == expected, po_path


def test_written_translations_say_they_need_a_native_speakers_review() -> None:
    for po_path in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"):
        if po_path.parent.parent.name != "nl":
            assert "native speaker" in po_path.read_text(encoding="utf-8").split("msgid")[0]


def test_every_language_has_a_catalogue() -> None:
    from app.i18n import LANGUAGES

    shipped = {p.parent.parent.name for p in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po")}
    assert shipped == set(LANGUAGES)
