"""Fixtures shared by every test package: a throwaway terminal home and a provisioned terminal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from central.settings import ENV_KEY_FILE
from kiosk.crypto import OfficeKeypair, new_office_keypair
from kiosk.terminal import Terminal

pytest_plugins = ["tests.fixtures.central", "tests.fixtures.releases", "tests.fixtures.appliance"]


@pytest.fixture(autouse=True, scope="session")
def central_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Central's key-encryption key for the whole run lives in a temp dir (central servers and the
    CLI started by tests inherit the setting), never in the user's config directory."""
    path = tmp_path_factory.mktemp("central-kek") / "central.key"
    os.environ[ENV_KEY_FILE] = str(path)
    return path


@pytest.fixture
def office() -> OfficeKeypair:
    return new_office_keypair()


@pytest.fixture
def terminal(tmp_path: Path, office: OfficeKeypair) -> Terminal:
    """A provisioned terminal (code K7Q2) with its home in a temporary directory."""
    t = Terminal(tmp_path / "home")
    t.provision_offline(terminal_code="K7Q2", office_code="3273010001", office_name="Kelurahan Braga",
                        office_key=office.public_key)
    yield t
    t.close()


@pytest.fixture
def blank_terminal(tmp_path: Path) -> Terminal:
    t = Terminal(tmp_path / "blank")
    yield t
    t.close()
