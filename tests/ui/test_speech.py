"""Spoken guidance: each citizen screen's words rendered by espeak-ng in Indonesian and English are real
speech of a plausible length (sox), and the "Suara" toggle queues a screen's words and interrupts them
when the citizen moves on. espeak-ng and sox are installed by scripts/setup."""

from __future__ import annotations

import re
import subprocess

import pytest

from kiosk.samples import sample_answers
from screens.speech import RATE_WPM, plain, render_wav


def sox_stat(wav) -> dict[str, float]:
    out = subprocess.run(["sox", str(wav), "-n", "stat"], capture_output=True, text=True, check=True).stderr
    return {m[0].strip(): float(m[1]) for m in re.findall(r"^([A-Za-z ()]+):\s+(-?[\d.]+)\s*$", out, re.M)}


def citizen_screens(kiosk, ui_terminal):
    """Walks to every citizen screen (as the fit test does), yielding its name on arrival."""
    app = kiosk.app
    yield "welcome"
    kiosk.tap(kiosk.screen.ids.file_button)
    yield "services"
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    for name, value in sample_answers(ui_terminal.catalog.service("SKD")).items():
        if name != "consent":
            app.journey.set_answer(name, value)
    yield "form"
    for name in ("documents", "review", "consent"):
        app.go(name)
        yield name
    kiosk.tap(kiosk.screen.ids.agree_button)
    kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    kiosk.wait_until(lambda: kiosk.screen.printing != "printing")
    yield "receipt"
    kiosk.tap(kiosk.screen.ids.nav.ids.next_button)
    yield "survey"
    app.reset()
    kiosk.tap(kiosk.screen.ids.status_button)
    yield "status"


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_citizen_screen_is_rendered_as_real_speech_of_plausible_length(kiosk, ui_terminal, language,
                                                                             tmp_path):
    kiosk.app.set_language(language)
    rendered = {}
    for name in citizen_screens(kiosk, ui_terminal):
        kiosk.frames(2)
        assert kiosk.screen_name == name
        words = " ".join(plain(w) for w in kiosk.screen.spoken_words())
        assert words, f"{name}: nothing to say"
        wav = render_wav(words, kiosk.app.lang, tmp_path / f"{name}-{language}.wav")
        stat = sox_stat(wav)
        expected_s = len(words.split()) / (RATE_WPM / 60)
        assert 0.4 * expected_s <= stat["Length (seconds)"] <= 2.5 * expected_s + 1, (name, words, stat)
        assert stat["RMS     amplitude"] > 0.02, f"{name}: silence ({stat})"
        rendered[name] = stat["Length (seconds)"]
    assert set(rendered) == {"welcome", "services", "form", "documents", "review", "consent", "receipt", "survey",
                             "status"}


def test_suara_queues_the_screens_words_and_interrupts_them_on_the_next_screen(kiosk, tmp_path):
    app = kiosk.app
    speaker = app.speaker
    assert speaker.available and app.root.ids.speech_button.opacity == 1
    speaker.render_dir = tmp_path  # no loudspeaker here: WAV files, each taking as long as it sounds
    speaker.events.clear()
    try:
        kiosk.tap(app.root.ids.speech_button)
        assert app.speech_on and speaker.enabled
        welcome_title = plain(kiosk.screen.ids.title.text)
        assert ("queued", welcome_title) in speaker.events
        assert kiosk.wait_until(lambda: speaker.speaking == welcome_title, 5)

        kiosk.tap(kiosk.screen.ids.file_button)  # the citizen moves on mid-sentence
        kiosk.frames(2)
        assert ("interrupted", welcome_title) in speaker.events
        assert ("spoken", welcome_title) not in speaker.events
        assert kiosk.wait_until(lambda: speaker.speaking is not None, 5)
        services_words = [plain(w) for w in kiosk.screen.spoken_words()]
        assert speaker.speaking in services_words

        kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
        kiosk.frames(3)
        nik = kiosk.screen.row("nik")
        kiosk.tap(kiosk.screen.ids.nav.ids.next_button)  # the page's errors are spoken too
        kiosk.frames(2)
        said = plain(f"{nik.field.label.in_language(app.lang)}: {nik.error.in_language(app.lang)}")
        assert ("queued", said) in speaker.events
        assert kiosk.wait_until(lambda: any(e == ("spoken", said) for e in speaker.events), 20)
        assert list(tmp_path.glob("utterance-*-id.wav"))

        app.reset()  # the idle reset turns it off for the next citizen
        assert not app.speech_on and not speaker.enabled and speaker.pending == []
    finally:
        speaker.render_dir = None
        app.reset()


def test_without_espeak_ng_the_suara_toggle_is_hidden_not_broken(kiosk):
    from screens.speech import Speaker

    app = kiosk.app
    missing = Speaker(executable="espeak-ng-not-installed")
    assert not missing.available
    missing.set_enabled(True)
    missing.say("Selamat datang", "id")  # quietly nothing
    assert not missing.enabled and missing.pending == [] and list(missing.events) == []
    real, app.speaker = app.speaker, missing
    app.speech_available = False
    try:
        kiosk.frames(2)
        button = app.root.ids.speech_button
        assert button.opacity == 0 and button.disabled and button.width == 0
        app.toggle_speech()
        assert not app.speech_on
    finally:
        app.speaker, app.speech_available = real, real.available
        kiosk.frames(1)


RECORDER = """#!/bin/sh
printf '%s\\n' "$*" >> "{log}"
exec {real} "$@"
"""


@pytest.fixture
def espeak_calls(tmp_path, monkeypatch):
    """Every espeak-ng call the kiosk makes, recorded (by a wrapper first on PATH) and still made."""
    import os
    import shutil

    real = shutil.which("espeak-ng")
    log = tmp_path / "espeak-calls.txt"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "espeak-ng"
    wrapper.write_text(RECORDER.format(log=log, real=real))
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def calls() -> list[str]:
        return log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return calls


def spoken_text(call: str) -> str:
    return call.split(" -- ", 1)[1] if " -- " in call else call


def test_suara_says_every_service_name_the_field_of_an_error_and_the_error_first(kiosk, ui_terminal, tmp_path,
                                                                              espeak_calls):
    app = kiosk.app
    speaker = app.speaker
    speaker.render_dir = tmp_path / "wav"
    try:
        kiosk.tap(kiosk.screen.ids.file_button)
        kiosk.tap(app.root.ids.speech_button)
        assert "[font=Symbols]" in app.root.ids.speech_button.text.split(app.t("Sound"))[-1], \
            "the on-state's tick is drawn in a font without it"
        kiosk.screenshot("suara-on-services")
        names = [s.name.in_language("id") for s in ui_terminal.catalog.services]
        queued = [text for what, text in speaker.events if what == "queued"]
        assert all(name in queued for name in names), set(names) - set(queued)
        assert kiosk.wait_until(lambda: any(names[0] in c for c in espeak_calls()), 20), espeak_calls()

        kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
        assert kiosk.wait_until(lambda: speaker.speaking is not None, 5)  # the step and title are being said
        before = len(espeak_calls())
        kiosk.tap(kiosk.screen.ids.nav.ids.next_button)  # nothing typed: two required questions
        assert kiosk.wait_until(lambda: len(espeak_calls()) > before, 5), "the error was not said at once"
        first = spoken_text(espeak_calls()[before])
        assert first.startswith("NIK (Nomor Induk Kependudukan):"), first
        assert kiosk.wait_until(lambda: any(spoken_text(c).startswith("Nama lengkap: Bagian ini wajib diisi")
                                            for c in espeak_calls()[before:]), 20), espeak_calls()[before:]
        title = "Surat Keterangan Domisili"
        later = [spoken_text(c) for c in espeak_calls()[before:]]
        assert title not in later[:2], f"the title was said before the errors: {later}"
    finally:
        speaker.render_dir = None
        app.reset()
