"""The two dialogs that can open over any screen: the idle warning and asking for staff."""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.modalview import ModalView

from screens.widgets import load_kv


class KioskDialog(ModalView):
    """A modal card over the current screen; it never closes by tapping beside it."""


class IdleDialog(KioskDialog):
    """"Masih di sana?" with a countdown; one tap on the big button gives the citizen more time."""

    seconds_left = NumericProperty(0)


class HelpDialog(KioskDialog):
    """First asks whether to call staff (Ya / Batal), then tells the citizen a staff member has been called."""

    called = BooleanProperty(False)


load_kv(__file__)
