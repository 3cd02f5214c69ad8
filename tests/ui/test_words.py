"""Words on the form: an optional question says so once, never twice."""

from __future__ import annotations

from kiosk.catalog import load_catalog
from kiosk.catalog.loader import DEFAULT_CATALOG
from kiosk.i18n import translate
from screens.form import label_text


def test_an_optional_question_says_it_may_be_left_empty_exactly_once():
    catalog = load_catalog(DEFAULT_CATALOG)
    for language in ("id", "en"):
        note = translate(language, "(optional)")
        for service in catalog.services:
            for field in service.fields:
                if field.type == "consent":
                    continue
                label = label_text(field, language, note)
                help_text = field.help.in_language(language) if field.help else ""
                said = (label + " " + help_text).lower()
                mentions = sum(said.count(w) for w in ("boleh dikosongkan", "may leave this empty", "optional"))
                assert mentions == (0 if field.required else 1), (service.code, field.name, language, said)
    phone = catalog.service("SKD").field("phone")
    assert label_text(phone, "id", "(boleh dikosongkan)") == "Nomor HP (untuk kabar status)"
