"""The two colour themes (normal and high contrast) and the contrast maths that keeps them readable.

Plain Python, no Kivy: colours are RGBA tuples in 0..1 as Kivy wants them. Every text colour is
listed with the background it sits on in `TEXT_PAIRS`, and the tests check WCAG ratios on those
pairs: 4.5:1 or more for the normal theme, 7:1 or more for the high-contrast one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

RGBA = tuple[float, float, float, float]


def rgba(hex_colour: str) -> RGBA:
    """`#RRGGBB` to an (r, g, b, 1) tuple."""
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, 1.0)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: RGBA) -> float:
    r, g, b = (_linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: RGBA, background: RGBA) -> float:
    """The WCAG 2 contrast ratio between two opaque colours (1 to 21)."""
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@dataclass(frozen=True)
class Palette:
    name: str
    background: RGBA
    surface: RGBA
    text: RGBA
    muted: RGBA
    primary: RGBA
    primary_pressed: RGBA
    on_primary: RGBA
    secondary: RGBA
    secondary_pressed: RGBA
    on_secondary: RGBA
    outline: RGBA
    disabled: RGBA
    on_disabled: RGBA
    error: RGBA
    error_background: RGBA
    success: RGBA
    keyboard: RGBA
    key: RGBA


NORMAL = Palette(
    name="normal",
    background=rgba("#F2F4F7"),
    surface=rgba("#FFFFFF"),
    text=rgba("#14171C"),
    muted=rgba("#3D4654"),
    primary=rgba("#0A4F99"),
    primary_pressed=rgba("#073A70"),
    on_primary=rgba("#FFFFFF"),
    secondary=rgba("#DDE4ED"),
    secondary_pressed=rgba("#C3CEDB"),
    on_secondary=rgba("#14171C"),
    outline=rgba("#5A6678"),
    disabled=rgba("#C9D0D9"),
    on_disabled=rgba("#3D4654"),
    error=rgba("#A4161A"),
    error_background=rgba("#FDECEC"),
    success=rgba("#17602F"),
    keyboard=rgba("#2B3340"),
    key=rgba("#FFFFFF"),
)

HIGH_CONTRAST = Palette(
    name="high_contrast",
    background=rgba("#000000"),
    surface=rgba("#000000"),
    text=rgba("#FFFFFF"),
    muted=rgba("#E6E6E6"),
    primary=rgba("#FFD60A"),
    primary_pressed=rgba("#FFFFFF"),
    on_primary=rgba("#000000"),
    secondary=rgba("#000000"),
    secondary_pressed=rgba("#333333"),
    on_secondary=rgba("#FFFFFF"),
    outline=rgba("#FFFFFF"),
    disabled=rgba("#000000"),
    on_disabled=rgba("#BFBFBF"),
    error=rgba("#FF9E9E"),
    error_background=rgba("#000000"),
    success=rgba("#8CF5A8"),
    keyboard=rgba("#000000"),
    key=rgba("#FFFFFF"),
)

#: (text colour, the background it is drawn on) for every text the citizen reads
TEXT_PAIRS = (
    ("text", "background"), ("text", "surface"), ("muted", "background"), ("muted", "surface"),
    ("on_primary", "primary"), ("on_primary", "primary_pressed"), ("on_secondary", "secondary"),
    ("on_disabled", "disabled"), ("error", "error_background"), ("error", "surface"),
    ("success", "surface"),
)


def palette(high_contrast: bool) -> Palette:
    return HIGH_CONTRAST if high_contrast else NORMAL


def palette_names() -> list[str]:
    return [f.name for f in fields(Palette) if f.name != "name"]
