"""Loket's kiosk core, pure: settings, the local store, the catalog and validation, reference numbers,
crypto, the citizen's journey and idle reset, maintenance rules and the clock.

It imports no other package of ours but `assets`, and no Kivy: the terminal program (`loket/`), sync,
printing and the screens all sit on top of it.
"""

__version__ = "0.1.0"
