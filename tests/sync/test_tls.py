"""TLS: the client verifies central's certificate, against the configured CA bundle when one is set."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from central.devserver import REPO, free_port
from kiosk.terminal import Terminal
from sync.client import CentralClient
from sync.errors import ServerUnreachable
from sync.protocol import Heartbeat
from sync.worker import SyncWorker
from tests.sync.conftest import FAST_BACKOFF, FAST_TIMEOUTS, file_many


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself (so it is its own CA), and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "loket test central")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "central.pem", directory / "central.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_central(central, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The same central database served over HTTPS by uvicorn with a self-signed certificate."""
    cert, key = self_signed(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "central.app:from_environment", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--ssl-certfile", str(cert), "--ssl-keyfile", str(key), "--log-level", "warning"],
        cwd=REPO, env={**os.environ, "LOKET_CENTRAL_DB": central.db_url},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/api/v1/health", verify=str(cert), timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url, cert
    finally:
        process.terminate()
        process.wait(10)


def test_a_certificate_no_trusted_ca_signed_is_refused_with_a_hint(enrolled: Terminal, tls_central) -> None:
    url, _cert = tls_central
    identity = enrolled.identity
    with CentralClient(url, terminal_id=identity.terminal_id, signing_key=identity.signing_key) as client, \
            pytest.raises(ServerUnreachable, match="TLS verification .* failed.*ca_bundle"):
        client.heartbeat(Heartbeat())


def test_with_the_ca_bundle_set_the_terminal_syncs_over_https(enrolled: Terminal, tls_central) -> None:
    url, cert = tls_central
    enrolled.update_settings(server_url=url, ca_bundle=str(cert))
    filed = file_many(enrolled, 5)
    report = SyncWorker(enrolled.paths.home, backoff=FAST_BACKOFF, timeouts=FAST_TIMEOUTS).run_once()
    assert report.ok, report.errors
    assert report.accepted == len(filed)
    assert enrolled.store.counts()["synced"] == len(filed)
