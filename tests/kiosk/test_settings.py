"""Settings: one home per terminal, and a bad value never stops the kiosk but is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.errors import SettingsError
from kiosk.settings import Settings, default_home, load_settings, save_settings


def test_loket_home_overrides_the_platform_directory() -> None:
    assert default_home({"LOKET_HOME": "/srv/kiosk"}) == Path("/srv/kiosk")
    assert default_home({}).name == "loket"


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "settings.toml")
    assert settings == Settings() and settings.idle_timeout_s == 60 and settings.language == "id"


def test_settings_survive_a_save_and_load(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    save_settings(path, Settings().updated(language="en", printer_backend="cups", idle_timeout_s=90))
    loaded = load_settings(path)
    assert (loaded.language, loaded.printer_backend, loaded.idle_timeout_s) == ("en", "cups", 90)


def test_a_bad_value_falls_back_to_its_default_and_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('idle_timeout_s = "soon"\nlanguage = "jv"\nprinter_paper = "80mm"\ncolour = 3\n')
    settings = load_settings(path)
    assert settings.idle_timeout_s == 60 and settings.language == "id" and settings.printer_paper == "80mm"
    assert len(settings.problems) == 3
    assert any("'idle_timeout_s'" in p for p in settings.problems)
    assert any("'language' must be one of id, en" in p for p in settings.problems)
    assert any("unknown setting 'colour'" in p for p in settings.problems)


def test_a_file_that_is_not_toml_gives_defaults_and_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xff\xfe = = =")
    settings = load_settings(path)
    assert settings.idle_timeout_s == 60 and settings.problems


def test_updating_with_a_bad_value_raises_naming_the_key() -> None:
    with pytest.raises(SettingsError, match="'server_url' must start with http"):
        Settings().updated(server_url="ftp://x")
    with pytest.raises(SettingsError, match="unknown setting 'volume'"):
        Settings().updated(volume=11)
