"""The gettext catalogs: compiled with Babel, complete for every word the screens use, placeholders intact."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.i18n import LOCALE_DIR, compile_catalogs, compile_po, po_path, translate, translations
from kiosk.journey import STATUS_WORDS

SCREENS = Path(__file__).resolve().parents[2] / "screens"
CITIZEN_SCREENS = {"app", "consent", "dialogs", "documents", "form", "not_provisioned", "receipt", "review",
                   "my_data", "data_request",
                   "services", "status", "survey", "welcome", "widgets", "keyboard", "date_picker"}


def catalog(language: str):
    with open(po_path(language), "rb") as source:
        return read_po(source, locale=language)


def words_the_screens_use() -> set[str]:
    found: set[str] = set(STATUS_WORDS.values())
    for path in SCREENS.iterdir():
        if path.stem not in CITIZEN_SCREENS or path.suffix not in (".kv", ".py"):
            continue
        text = path.read_text(encoding="utf-8")
        found |= {m[1] for m in re.findall(r"""app\.t\(\s*(['"])(.+?)\1""", text)}
        found |= {m[1] for m in re.findall(r"""title_id:\s*(['"])(.+?)\1""", text)}
        found |= {m[1] for m in re.findall(r"""self\.problem = (['"])(.+?)\1""", text)}
    return found | set(_hints().values())


def _hints() -> dict[str, str]:
    """screens.form.HINTS, read from the source: importing it would open a Kivy window."""
    tree = ast.parse((SCREENS / "form.py").read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "HINTS")
    return ast.literal_eval(node.value)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_indonesian_and_english_are_the_catalogs():
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()) == ["en", "id"]


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_word_a_screen_shows_is_translated(language):
    messages = {m.id: m.string for m in catalog(language) if m.id}
    missing = sorted(w for w in words_the_screens_use() if not messages.get(w))
    assert not missing, f"{language}: add to loket.po: {missing}"


@pytest.mark.parametrize("language", ["id", "en"])
def test_each_word_is_in_a_catalog_once(language):
    # msgfmt refuses a catalog with a word twice; Babel would silently keep the last translation
    msgids = re.findall(r'^msgid "(.+)"$', po_path(language).read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert sorted({m for m in msgids if msgids.count(m) > 1}) == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_translations_keep_their_placeholders(language):
    for message in catalog(language):
        if message.id:
            assert placeholders(message.string) == placeholders(message.id), message.id


def test_the_suggested_citizen_words_are_used():
    assert translate("id", "File an application") == "Ajukan Permohonan"
    assert translate("id", "Step {i} of {n}", i=2, n=5) == "Langkah 2 dari 5"
    assert translate("id", "Still there? The screen returns to the start in {s} seconds.", s=10) == \
        "Masih di sana? Layar kembali ke awal dalam 10 detik."
    assert translate("en", "Step {i} of {n}", i=2, n=5) == "Step 2 of 5"


def test_an_unknown_word_comes_back_unchanged_and_an_unknown_language_is_refused():
    assert translate("id", "Not in the catalog") == "Not in the catalog"
    with pytest.raises(ValueError):
        translations("fr")


def test_compiling_writes_mo_files_that_gettext_reads(tmp_path):
    folder = tmp_path / "locale" / "id" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "loket.po").write_bytes(po_path("id").read_bytes())
    written = compile_catalogs(tmp_path / "locale")
    assert written == [folder / "loket.mo"]
    assert compile_catalogs(tmp_path / "locale") == [], "an up-to-date .mo is not rewritten"
    translations.cache_clear()
    try:
        assert translations("id", tmp_path / "locale").gettext("Next") == "Lanjut"
    finally:
        translations.cache_clear()
    assert (folder / "loket.mo").read_bytes() == compile_po(folder / "loket.po")


def test_a_read_only_install_compiles_in_memory(tmp_path):
    folder = tmp_path / "locale" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "loket.po").write_bytes(po_path("en").read_bytes())
    folder.chmod(0o555)
    translations.cache_clear()
    try:
        if (folder / "probe").exists() or _writable(folder):
            pytest.skip("running as a user who can write anywhere (root)")
        assert translations("en", tmp_path / "locale").gettext("Next") == "Next"
    finally:
        folder.chmod(0o755)
        translations.cache_clear()


def _writable(folder: Path) -> bool:
    try:
        (folder / "probe").write_text("x")
    except OSError:
        return False
    (folder / "probe").unlink()
    return True
