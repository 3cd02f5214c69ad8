"""`loket run` and `loket demo` are `loket` commands (plugged in by entry point: kiosk/ never imports Kivy)."""

from __future__ import annotations

import pytest

from loket.cli import build_parser


def test_run_and_demo_plug_into_the_loket_command():
    parser = build_parser()
    run = parser.parse_args(["run", "--windowed", "--size", "1080x1920"])
    assert run.windowed and run.size == (1080, 1920) and callable(run.func)
    assert callable(parser.parse_args(["demo"]).func)
    with pytest.raises(Exception, match="WIDTHxHEIGHT"):
        parser.parse_args(["run", "--size", "big"])
