"""A throwaway pg_auto_failover formation on loopback for tests and benchmarks: a monitor and two
Postgres nodes (primary + synchronous secondary), each a `pg_autoctl run` in its own process group,
so a test can SIGKILL a whole node (keeper, postmaster and backends) the way a lost machine goes.

    formation = start_formation(Path("/tmp/x"));  central = start_central(formation.url)
    formation.kill(formation.primary());  formation.wait_for_primary(other_than=old)
    ...;  central.stop();  formation.stop()

`pg_autoctl` runs `initdb`, which refuses root, so the monitor and the nodes run as `postgres` with
their own PGDATA, port and XDG folders inside one directory that `stop()` removes. The monitor's
health checks are shortened (seconds instead of tens of seconds) so a failover fits in a test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from central.devserver import free_port, signal_group
from central.errors import CentralError
from tests.harness.central import ensure_postgres_installed

DATABASE = "loket"
#: the monitor's timings (milliseconds): a node silent for ~3 s is unhealthy, a primary that cannot be
#: reached is given 2 s to demote itself before its secondary is promoted (defaults: 20 s and 30 s)
FAST_FAILOVER = {
    "health_check_period": 1000, "health_check_timeout": 1000, "health_check_max_retries": 1,
    "health_check_retry_delay": 500, "node_considered_unhealthy_timeout": 3000,
    "startup_grace_period": 2000, "primary_demote_timeout": 2000,
}


def ensure_pg_autoctl() -> str:
    """The `pg_autoctl` program (Debian's `pg-auto-failover-cli`, pulled in by `postgresql-15-auto-failover`)."""
    found = shutil.which("pg_autoctl")
    if found is None:
        raise CentralError("pg_autoctl is not installed: run scripts/setup (postgresql-15-auto-failover)")
    return found


@dataclass
class Node:
    """One member of the formation: a data node (`node1`, `node2`) or the monitor."""

    name: str
    port: int
    pgdata: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class RunningFormation:
    directory: Path
    monitor: Node
    nodes: list[Node]

    @property
    def url(self) -> str:
        """Central's database URL: every node, and libpq picks the one that takes writes."""
        return multi_host_url(self.nodes)

    @property
    def monitor_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.monitor.port} user=postgres dbname=pg_auto_failover connect_timeout=2"

    def node_dsn(self, node: Node) -> str:
        return f"host=127.0.0.1 port={node.port} user=postgres dbname={DATABASE} connect_timeout=2"

    def states(self) -> dict[str, tuple[str, str]]:
        """Each data node's (reported state, assigned state), as the monitor has them."""
        with psycopg.connect(self.monitor_dsn, autocommit=True) as conn:
            rows = conn.execute("SELECT nodename, reportedstate::text, goalstate::text "
                                "FROM pgautofailover.node").fetchall()
        return {name: (reported, goal) for name, reported, goal in rows}

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def primary(self) -> Node:
        """The node that takes writes now (asked of the nodes themselves, not the monitor)."""
        for node in self.nodes:
            with contextlib.suppress(psycopg.Error), psycopg.connect(self.node_dsn(node), autocommit=True) as conn:
                if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    return node
        raise CentralError("no node of the formation takes writes")

    def wait_for(self, wanted: dict[str, str], timeout: float = 60.0) -> None:
        """Waits until each named node has reported the wanted state (`primary`, `secondary`, ...)."""
        deadline = time.monotonic() + timeout
        seen: dict[str, tuple[str, str]] = {}
        while time.monotonic() < deadline:
            with contextlib.suppress(psycopg.Error):
                seen = self.states()
                if all(seen.get(name, ("", ""))[0] == state == seen[name][1] for name, state in wanted.items()):
                    return
            time.sleep(0.2)
        raise CentralError(f"formation did not reach {wanted} within {timeout:.0f} s: {seen}")

    def wait_healthy(self, timeout: float = 60.0) -> Node:
        """Waits for one primary and one secondary; returns the primary."""
        deadline = time.monotonic() + timeout
        seen: dict[str, tuple[str, str]] = {}
        while time.monotonic() < deadline:
            with contextlib.suppress(psycopg.Error):
                seen = self.states()
                settled = sorted(reported for reported, goal in seen.values() if reported == goal)
                if settled == ["primary", "secondary"]:
                    return self.node(next(name for name, (r, _) in seen.items() if r == "primary"))
            time.sleep(0.2)
        raise CentralError(f"formation not healthy within {timeout:.0f} s: {seen}")

    def wait_for_writes(self, timeout: float = 60.0) -> Node:
        """Waits until some node takes writes; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(CentralError):
                return self.primary()
            if time.monotonic() > deadline:
                raise CentralError(f"no primary within {timeout:.0f} s: {self.states()}")
            time.sleep(0.1)

    def kill(self, node: Node) -> None:
        """SIGKILL to the node's whole process group: keeper, postmaster and every backend at once."""
        _signal_group(node, signal.SIGKILL)

    def stop_node(self, node: Node, timeout: float = 30.0) -> None:
        """Stops a node the polite way (its keeper stops Postgres first)."""
        _signal_group(node, signal.SIGTERM, timeout)

    def start_node(self, node: Node) -> None:
        """(Re)starts a stopped or killed node's keeper, which starts its Postgres and rejoins."""
        node.process = self._run(["run", "--pgdata", str(node.pgdata)], node.name)

    def stop(self) -> None:
        """Stops every node and the monitor, and removes the formation's directory."""
        for node in [*self.nodes, self.monitor]:
            process = node.process
            _signal_group(node, signal.SIGTERM, 15.0)
            if process is not None:  # a keeper's child can outlive the supervisor that SIGTERM stopped
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> RunningFormation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- running pg_autoctl as the postgres user --------------------------------------------------

    def _environment(self) -> list[str]:
        bin_dir = ensure_postgres_installed()
        d = self.directory
        return [f"PATH={bin_dir}:/usr/bin:/bin", f"PG_CONFIG={bin_dir / 'pg_config'}", f"HOME={d}",
                f"XDG_CONFIG_HOME={d / 'config'}", f"XDG_DATA_HOME={d / 'share'}", f"XDG_RUNTIME_DIR={d / 'run'}"]

    def _command(self, arguments: list[str]) -> list[str]:
        command = ["env", *self._environment(), ensure_pg_autoctl(), *arguments]
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def _run(self, arguments: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.directory / f"{log_name}.log", "ab")  # noqa: SIM115 - the child keeps it
        try:
            return subprocess.Popen(self._command(arguments), stdout=log, stderr=subprocess.STDOUT, cwd="/",
                                    start_new_session=True)
        finally:
            log.close()

    def _create(self, arguments: list[str], log_name: str) -> None:
        with open(self.directory / f"{log_name}-create.log", "ab") as log:
            result = subprocess.run(self._command(arguments), stdout=log, stderr=subprocess.STDOUT, cwd="/")
        if result.returncode != 0:
            tail = (self.directory / f"{log_name}-create.log").read_text(errors="replace")[-800:]
            raise CentralError(f"pg_autoctl create {log_name} failed: {tail}")


def multi_host_url(nodes: list[Node]) -> str:
    hosts = ",".join(f"127.0.0.1:{n.port}" for n in nodes)
    return f"postgresql://postgres@{hosts}/{DATABASE}?target_session_attrs=read-write&connect_timeout=2"


def _signal_group(node: Node, sig: signal.Signals, timeout: float = 10.0) -> None:
    if signal_group(node.process, sig, timeout) and sig == signal.SIGKILL:
        # backends outlive their postmaster briefly; wait until the port is free
        _wait_port_closed(node.port)


def _wait_port_closed(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=1").close()
        except psycopg.OperationalError:
            return
        time.sleep(0.1)


def _wait_monitor(formation: RunningFormation, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(formation.monitor_dsn, autocommit=True) as conn:
                conn.execute("SELECT 1 FROM pgautofailover.node LIMIT 1")
                return
        except psycopg.Error:
            if time.monotonic() > deadline:
                raise CentralError("the pg_auto_failover monitor did not answer") from None
            time.sleep(0.1)


def start_formation(workdir: Path | None = None, timings: dict[str, int] | None = None) -> RunningFormation:
    """A monitor, a primary and a synchronous secondary on 127.0.0.1 (about 10 s), with an empty `loket`
    database. The formation lives in a new private directory that the postgres user owns. `timings`
    overrides the monitor's (`FAST_FAILOVER`'s keys, milliseconds)."""
    ensure_postgres_installed()
    ensure_pg_autoctl()
    directory = Path(tempfile.mkdtemp(prefix="loket-pgaf-", dir=workdir))
    if os.geteuid() == 0:
        os.chmod(directory, 0o700)
        shutil.chown(directory, "postgres", "postgres")
        for parent in directory.parents:  # postgres must reach its own directory
            if not os.stat(parent).st_mode & 0o001:
                raise CentralError(f"{parent} is not reachable by the postgres user: pass another workdir")
    monitor = Node("monitor", free_port(), directory / "monitor")
    formation = RunningFormation(directory, monitor, [Node(f"node{i}", free_port(), directory / f"node{i}")
                                                      for i in (1, 2)])
    try:
        formation._create(["create", "monitor", "--pgdata", str(monitor.pgdata), "--pgport", str(monitor.port),
                           "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl"], "monitor")
        monitor.process = formation._run(["run", "--pgdata", str(monitor.pgdata)], "monitor")
        _wait_monitor(formation)
        with psycopg.connect(formation.monitor_dsn, autocommit=True) as conn:
            for setting, value in {**FAST_FAILOVER, **(timings or {})}.items():
                conn.execute(f"ALTER SYSTEM SET pgautofailover.{setting} = {int(value)}")
            conn.execute("SELECT pg_reload_conf()")
        monitor_uri = f"postgres://autoctl_node@127.0.0.1:{monitor.port}/pg_auto_failover?sslmode=disable"
        for node in formation.nodes:
            formation._create(["create", "postgres", "--pgdata", str(node.pgdata), "--pgport", str(node.port),
                               "--listen", "127.0.0.1", "--hostname", "127.0.0.1", "--name", node.name,
                               "--auth", "trust", "--no-ssl", "--dbname", DATABASE, "--replication-quorum", "true",
                               "--monitor", monitor_uri], node.name)
            formation.start_node(node)
            if node is formation.nodes[0]:
                formation.wait_for({node.name: "single"})
        formation.wait_healthy()
        for node in formation.nodes:
            # a node that rejoins clones the primary with pg_basebackup, which first waits for a spread
            # checkpoint: up to 4.5 min with the default checkpoint_timeout, 27 s with this one
            with psycopg.connect(formation.node_dsn(node).replace(f"dbname={DATABASE}", "dbname=postgres"),
                                 autocommit=True) as conn:
                conn.execute("ALTER SYSTEM SET checkpoint_timeout = '30s'")
                conn.execute("SELECT pg_reload_conf()")
    except BaseException:
        formation.stop()
        raise
    return formation
