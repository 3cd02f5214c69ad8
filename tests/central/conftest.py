"""Central's own tests share one server per module (starting one costs about a second): `central`
and `central_pg` are redefined here at module scope (a module may set `CENTRAL_ENVIRONMENT` for its
own centrals' settings), and every test enrolls its terminals with an office of its own, so tests stay
independent. `any_central` runs a test on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.fixtures.central import CentralHarness, central_harness
from tests.harness.central import RunningPostgres
from tests.harness.simterminal import SimulatedTerminal


def _environment(request: pytest.FixtureRequest) -> dict[str, str] | None:
    """A test module's own settings for its central (`CENTRAL_ENVIRONMENT`), else the harness's."""
    return getattr(request.module, "CENTRAL_ENVIRONMENT", None)


@pytest.fixture(scope="module")
def central(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralHarness]:
    folder = tmp_path_factory.mktemp("central")
    yield from central_harness(f"sqlite:///{folder / 'central.db'}", folder, _environment(request))


@pytest.fixture(scope="module")
def central_pg(request: pytest.FixtureRequest, postgres_cluster: RunningPostgres,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralHarness]:
    folder = tmp_path_factory.mktemp("central_pg")
    yield from central_harness(postgres_cluster.create_database(folder.name.lower()), folder, _environment(request))


@pytest.fixture(params=["sqlite", "postgres"])
def any_central(request: pytest.FixtureRequest) -> CentralHarness:
    return request.getfixturevalue("central" if request.param == "sqlite" else "central_pg")


def _enroller(server: CentralHarness) -> Iterator[Callable[..., SimulatedTerminal]]:
    made: list[SimulatedTerminal] = []
    own_office = server.create_office()

    def enroll(office: str | None = None) -> SimulatedTerminal:
        sim = SimulatedTerminal(server.url)
        sim.enroll(server.enrollment_code(office or own_office))
        made.append(sim)
        return sim

    yield enroll
    for sim in made:
        sim.close()


@pytest.fixture
def enrolled(central: CentralHarness) -> Iterator[Callable[..., SimulatedTerminal]]:
    """`enrolled(office=None)` → a new terminal enrolled with the SQLite central, in this test's own office."""
    yield from _enroller(central)


@pytest.fixture
def enrolled_any(any_central: CentralHarness) -> Iterator[Callable[..., SimulatedTerminal]]:
    """Like `enrolled`, on whichever database `any_central` runs."""
    yield from _enroller(any_central)
