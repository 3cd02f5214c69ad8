"""Loket's kiosk core: settings, the local queue, the catalog, validation and the `loket` CLI.

Nothing in this package imports Kivy; the screens in `screens/` sit on top of it.
"""

__version__ = "0.1.0"
