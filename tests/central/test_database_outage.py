"""When its database goes away, central answers 503 with Retry-After (transient, never a refusal),
and serves again as soon as the database is back, without a restart."""

import pytest

from central.devserver import start_central
from tests.harness.central import create_test_office, new_enrollment_code, start_postgres
from tests.harness.simterminal import SimulatedTerminal


@pytest.fixture
def own_cluster(tmp_path):
    cluster = start_postgres(tmp_path)
    yield cluster
    cluster.stop()


def test_postgres_down_is_503_with_retry_after_and_back_is_business_as_usual(own_cluster, tmp_path):
    server = start_central(own_cluster.url, log_path=tmp_path / "central.log")
    try:
        office = create_test_office(own_cluster.url).code
        sim = SimulatedTerminal(server.url)
        sim.enroll(new_enrollment_code(own_cluster.url, office))
        before, during = sim.application(), sim.application()
        assert sim.upload([before]).results[0].outcome == "accepted"

        own_cluster.pause()
        answer = sim.upload_raw(sim.batch_body([during]))
        assert answer.status_code == 503
        assert answer.json()["error"] == "unavailable"
        assert int(answer.headers["Retry-After"]) > 0

        own_cluster.resume()
        assert [r.outcome for r in sim.upload([before, during]).results] == ["duplicate", "accepted"]
    finally:
        server.stop()
