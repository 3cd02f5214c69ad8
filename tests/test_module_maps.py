"""The docs' module maps and the one-application walk-through name modules that exist, and every
module of `kiosk/` and `central/` has its line in the map."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules(package: str) -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / package).rglob("*.py")
            if "migrations/versions" not in str(p) and p.name != "__main__.py"}


def test_every_kiosk_and_central_module_has_one_line_in_the_map():
    mapped = re.findall(r"^\| `([^`]+\.py)` \| .+ \|$", (ROOT / "docs/modules.md").read_text(), re.M)
    assert sorted(mapped) == sorted(_modules("kiosk") | _modules("central"))


def test_the_walk_through_names_only_modules_that_exist():
    named = set(re.findall(r"`((?:kiosk|central|sync|loket|screens|printing)/[\w/]+\.py)`",
                           (ROOT / "docs/one-application.md").read_text()))
    assert len(named) > 30
    assert {n for n in named if not (ROOT / n).is_file()} == set()
