"""Colour contrast: WCAG AA (4.5:1) in the normal theme, AAA (7:1) in the high-contrast theme."""

from __future__ import annotations

import pytest

from screens.theme import HIGH_CONTRAST, NORMAL, TEXT_PAIRS, contrast, rgba


def test_contrast_maths_matches_known_values():
    assert contrast(rgba("#000000"), rgba("#FFFFFF")) == pytest.approx(21.0)
    assert contrast(rgba("#777777"), rgba("#FFFFFF")) == pytest.approx(4.48, abs=0.01)
    assert contrast(rgba("#FFFFFF"), rgba("#FFFFFF")) == pytest.approx(1.0)


@pytest.mark.parametrize(("palette", "minimum"), [(NORMAL, 4.5), (HIGH_CONTRAST, 7.0)], ids=["normal", "high"])
def test_every_text_colour_is_readable_on_its_background(palette, minimum):
    weak = [(fg, bg, round(contrast(getattr(palette, fg), getattr(palette, bg)), 2)) for fg, bg in TEXT_PAIRS
            if contrast(getattr(palette, fg), getattr(palette, bg)) < minimum]
    assert not weak, weak
