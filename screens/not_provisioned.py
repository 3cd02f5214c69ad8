"""Shown instead of the Welcome screen while the terminal has no office: it cannot take applications."""

from __future__ import annotations

from screens.widgets import KioskScreen, load_kv


class NotProvisionedScreen(KioskScreen):
    pass


load_kv(__file__)
