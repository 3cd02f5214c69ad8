"""Helpers for central's tests: enrolled simulated terminals against the running server, and a
`any_central` fixture that runs a test on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from central.simterminal import SimulatedTerminal
from tests.fixtures.central import CentralHarness


@pytest.fixture(params=["sqlite", "postgres"])
def any_central(request: pytest.FixtureRequest) -> CentralHarness:
    return request.getfixturevalue("central" if request.param == "sqlite" else "central_pg")


def _enroller(server: CentralHarness) -> Iterator[Callable[..., SimulatedTerminal]]:
    made: list[SimulatedTerminal] = []

    def enroll(office: str | None = None) -> SimulatedTerminal:
        sim = SimulatedTerminal(server.url)
        sim.enroll(server.enrollment_code(office))
        made.append(sim)
        return sim

    yield enroll
    for sim in made:
        sim.close()


@pytest.fixture
def enrolled(central: CentralHarness) -> Iterator[Callable[..., SimulatedTerminal]]:
    """`enrolled(office=None)` → a new terminal enrolled with the SQLite central."""
    yield from _enroller(central)


@pytest.fixture
def enrolled_any(any_central: CentralHarness) -> Iterator[Callable[..., SimulatedTerminal]]:
    """Like `enrolled`, on whichever database `any_central` runs."""
    yield from _enroller(any_central)
