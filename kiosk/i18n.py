"""The citizen-facing words of the screens, in Bahasa Indonesia and English, from gettext catalogs.

The catalogs are `assets/locale/<lang>/LC_MESSAGES/loket.po`; message ids are the English words.
Compiled `.mo` files are not kept in git: `translations()` compiles a `.po` with Babel when its
`.mo` is missing or older, next to it when that folder is writable, else in memory.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.settings import LANGUAGES

DOMAIN = "loket"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "assets" / "locale"


def po_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_po(po: Path) -> bytes:
    """The `.mo` bytes for one `.po` file (fuzzy entries left out, as msgfmt does)."""
    with open(po, "rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Writes each stale or missing `.mo` next to its `.po`; returns the files written."""
    written = []
    for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            mo.write_bytes(compile_po(po))
            written.append(mo)
    return written


@lru_cache(maxsize=8)
def translations(language: str, locale_dir: Path = LOCALE_DIR) -> gettext.NullTranslations:
    """The gettext translations for `language` (`id` or `en`); unknown words come back unchanged."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: use one of {', '.join(LANGUAGES)}")
    po = po_path(language, locale_dir)
    if not po.exists():
        return gettext.NullTranslations()
    try:
        compile_catalogs(locale_dir)
    except OSError:  # a read-only install: compile this one in memory instead
        return gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    with open(po.with_suffix(".mo"), "rb") as mo:
        return gettext.GNUTranslations(mo)


def translate(language: str, message: str, **values: object) -> str:
    """`message` (the English words) in `language`, with `{name}` placeholders filled from `values`."""
    text = translations(language).gettext(message)
    return text.format(**values) if values else text


__all__ = ["DOMAIN", "LOCALE_DIR", "compile_catalogs", "compile_po", "po_path", "translate", "translations"]
