"""Spoken guidance: the screen's heading and instruction, the focused question and every error, read
aloud with espeak-ng (voices `id` and `en`) on a thread of its own, so the screens never wait for it.

One `Speaker` per app. `say()` only queues; a background thread runs one espeak-ng process per
utterance. `interrupt()` (on every screen change and at the idle reset) drops what is queued and
stops the process speaking. Without espeak-ng installed `available` is False and the kiosk hides
its "Suara" toggle. With `render_dir` set the speaker writes each utterance to a WAV file there and
then waits as long as the sound lasts, as a loudspeaker would (tests, machines without a sound card).
"""

from __future__ import annotations

import collections
import logging
import re
import shutil
import subprocess
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("loket.speech")

EXECUTABLE = "espeak-ng"
VOICES = {"id": "id", "en": "en"}
#: words per minute: a little slower than espeak-ng's 175, for listeners who read poorly
RATE_WPM = 150
MAX_CHARS = 600
_MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")
_SYMBOLS = re.compile(r"[\u2010-\u2bff]")


def plain(text: str) -> str:
    """Kivy markup and icon characters taken out, whitespace made single: what is worth saying."""
    return " ".join(_SYMBOLS.sub(" ", _MARKUP.sub("", text)).split())[:MAX_CHARS]


def espeak_command(text: str, language: str, wav: Path | None = None) -> list[str]:
    """The espeak-ng command that says `text` in `language` (to `wav` when given, else the sound card)."""
    command = [EXECUTABLE, "-v", VOICES.get(language, "id"), "-s", str(RATE_WPM)]
    if wav is not None:
        command += ["-w", str(wav)]
    return [*command, "--", text]


def render_wav(text: str, language: str, wav: Path, *, timeout_s: float = 20.0) -> Path:
    """Writes `text` spoken in `language` to `wav`; raises `OSError` or `subprocess.SubprocessError`."""
    subprocess.run(espeak_command(plain(text), language, wav), check=True, capture_output=True, timeout=timeout_s)
    return wav


def wav_seconds(wav: Path) -> float:
    with wave.open(str(wav), "rb") as sound:
        return sound.getnframes() / float(sound.getframerate() or 1)


@dataclass(frozen=True)
class Utterance:
    text: str
    language: str
    number: int
    #: an error: goes before what is not urgent, and cuts short what is not urgent being said
    urgent: bool = False


class Speaker:
    """A queue of utterances and the thread that speaks them; `events` records what happened to each."""

    def __init__(self, *, render_dir: Path | None = None, executable: str = EXECUTABLE) -> None:
        self.available = shutil.which(executable) is not None
        self.render_dir = render_dir
        self.enabled = False
        #: ("queued" | "speaking" | "spoken" | "interrupted" | "failed", text), newest last
        self.events: collections.deque[tuple[str, str]] = collections.deque(maxlen=500)
        self._queue: collections.deque[Utterance] = collections.deque()
        self._lock = threading.Condition()
        self._current: Utterance | None = None
        self._process: subprocess.Popen | None = None
        self._cancel = threading.Event()
        self._stopping = False
        self._count = 0
        self._thread: threading.Thread | None = None

    # -- what the screens call (never blocks) ---------------------------------------------

    def say(self, text: str, language: str, *, urgent: bool = False) -> None:
        words = plain(text)
        if not (self.enabled and self.available and words):
            return
        with self._lock:
            self._count += 1
            utterance = Utterance(words, language, self._count, urgent)
            if urgent:  # after the urgent ones already queued, before the rest
                at = sum(1 for u in self._queue if u.urgent)
                self._queue.insert(at, utterance)
                current = self._current
                if current is not None and not current.urgent:
                    self._cancel.set()
                    if self._process is not None and self._process.poll() is None:
                        self._process.kill()
            else:
                self._queue.append(utterance)
            self.events.append(("queued", words))
            self._lock.notify()
        self._ensure_thread()

    def interrupt(self) -> None:
        """Drops everything queued and stops the utterance being spoken."""
        with self._lock:
            for dropped in self._queue:
                self.events.append(("interrupted", dropped.text))
            self._queue.clear()
            if self._current is not None:
                self._cancel.set()
                if self._process is not None and self._process.poll() is None:
                    self._process.kill()

    def set_enabled(self, on: bool) -> None:
        self.enabled = on and self.available
        if not self.enabled:
            self.interrupt()

    @property
    def pending(self) -> list[str]:
        with self._lock:
            return [u.text for u in self._queue]

    @property
    def speaking(self) -> str | None:
        current = self._current
        return current.text if current else None

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify()
        self.interrupt()

    # -- the thread ----------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="loket-speech", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._stopping:
                    self._lock.wait()
                if self._stopping:
                    return
                self._current = self._queue.popleft()
                self._cancel.clear()
                self.events.append(("speaking", self._current.text))
            outcome = self._speak(self._current)
            with self._lock:
                self.events.append((outcome, self._current.text))
                self._current = None
                self._process = None

    def _speak(self, utterance: Utterance) -> str:
        wav = None
        if self.render_dir is not None:
            self.render_dir.mkdir(parents=True, exist_ok=True)
            wav = self.render_dir / f"utterance-{utterance.number:04d}-{utterance.language}.wav"
        try:
            with self._lock:
                if self._cancel.is_set():
                    return "interrupted"
                self._process = subprocess.Popen(espeak_command(utterance.text, utterance.language, wav),
                                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            code = self._process.wait()
        except OSError as e:
            log.warning("espeak-ng could not speak: %s", e)
            return "failed"
        if self._cancel.is_set():
            return "interrupted"
        if code != 0:
            return "failed"
        if wav is not None:  # as long as a loudspeaker would take to say it
            try:
                seconds = wav_seconds(wav)
            except (OSError, wave.Error, EOFError):
                return "failed"
            if self._cancel.wait(seconds):
                return "interrupted"
        return "spoken"


__all__ = ["Speaker", "espeak_command", "plain", "render_wav", "wav_seconds"]
