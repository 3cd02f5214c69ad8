"""What every benchmark shares: a measurement taken several times in one invocation, reported as its
median with min and max, and the CPU a process tree used (to see where time goes on a busy machine,
where wall-clock figures drift with the neighbours but CPU per request much less)."""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ROUNDS = 3


def percentile(values: list[float], p: float) -> float:
    """The `p`-th percentile of `values`, nearest rank (no interpolation)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def spread(values: Iterable[float | None], digits: int = 3) -> dict[str, float | None]:
    """{"median", "min", "max"} of the values (None where there are none)."""
    present = [v for v in values if v is not None]
    if not present:
        return {"median": None, "min": None, "max": None}
    return {"median": round(statistics.median(present), digits), "min": round(min(present), digits),
            "max": round(max(present), digits)}


def rounds(measure: Callable[[int], T], count: int = ROUNDS) -> list[T]:
    """`measure(round number)` run `count` times, one after the other."""
    return [measure(n) for n in range(count)]


def figure(runs: list[dict[str, Any]], key: str, digits: int = 3) -> dict[str, float | None]:
    """The spread of `key` over runs (dicts); `key` may be dotted ("drain.apps_per_s")."""
    def pick(run: dict[str, Any]) -> Any:
        for part in key.split("."):
            run = run.get(part) if isinstance(run, dict) else None  # type: ignore[assignment]
        return run

    return spread((pick(r) for r in runs), digits)


def text(s: dict[str, float | None], unit: str = "") -> str:
    """'12.3 (11.0–14.1)' with the unit after each number."""
    if s["median"] is None:
        return "n/a"
    return f"{s['median']:g}{unit} ({s['min']:g}–{s['max']:g}{unit})"


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of `pid` and all its live descendants (Linux /proc)."""
    ticks, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
        pending += _children(current)
    return ticks / os.sysconf("SC_CLK_TCK")
