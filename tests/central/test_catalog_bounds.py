"""Central refuses to publish a catalog whose answers could outgrow its per-application limit, or one
nested absurdly deep; what a kiosk accepts under a published catalog, central accepts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from central.devserver import REPO
from kiosk.applications import file_application
from kiosk.catalog import parse_catalog
from kiosk.crypto import b64encode
from kiosk.store.exports import unsynced_applications
from kiosk.terminal import Terminal
from sync.protocol import ApplicationUpload
from tests.kiosk.test_catalog_bounds import LARGEST, _deep, _with_max_length, worst_answers


def _office_catalog(central, path):
    office = central.create_office()
    return subprocess.run([sys.executable, "-m", "central", "--db", central.db_url, "office", "catalog", "--code",
                           office, str(path)], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ))


def test_office_catalog_refuses_a_field_whose_answers_would_not_fit_naming_it(central, tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(_with_max_length("ADUAN", "description", 5000)))
    done = _office_catalog(central, path)
    assert done.returncode == 2
    assert "service 'ADUAN', field 'description'" in done.stderr and "Traceback" not in done.stderr


def test_office_catalog_refuses_a_catalog_nested_200000_levels(central, tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(_deep(200_000))
    done = _office_catalog(central, path)
    assert done.returncode == 2
    assert "nests 200001 levels deep" in done.stderr and "Traceback" not in done.stderr


def test_the_worst_application_the_largest_allowed_catalog_accepts_is_accepted_by_central(enrolled, tmp_path):
    sim = enrolled()
    catalog = parse_catalog(_with_max_length("ADUAN", "description", LARGEST))
    kiosk = Terminal(tmp_path / "kiosk")
    kiosk.provision_offline(terminal_code=sim.identity.terminal_code, office_code=sim.identity.office_code,
                            office_name=sim.identity.office_name, office_key=sim.identity.office_key)
    app = file_application(kiosk.store, catalog, "ADUAN", worst_answers(catalog.service("ADUAN")))
    queued = next(o for o in unsynced_applications(kiosk.store) if o.id == app.id)
    kiosk.close()
    upload = ApplicationUpload(id=queued.id, reference=queued.reference, service_code="ADUAN",
                               catalog_version=queued.catalog_version, created_at=sim.application().created_at,
                               sealed=b64encode(queued.sealed))
    assert [(r.outcome, r.reason) for r in sim.upload([upload]).results] == [("accepted", None)]
