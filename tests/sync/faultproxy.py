"""A fault-injecting HTTP proxy on loopback, for sync tests: the network's worst days, on demand.

It sits between a terminal and central and, request by request, either passes the request through
or injects one fault: drop the connection before central sees the request, drop it after central
answered (so central committed but the terminal never hears), stall past the client's read timeout,
or answer 500 / 503 / 429 itself (503 and 429 with `Retry-After`), or answer 200 with a captive
portal's HTML page. A plan decides which; the proxy counts what it did. Requests are forwarded with
`Connection: close`, so each request is its own connection and gets its own decision.
"""

from __future__ import annotations

import random
import socket
import socketserver
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from enum import Enum

MAX_HEADER_BYTES = 64 * 1024


class Fault(Enum):
    PASS = "pass"
    DROP_BEFORE = "drop_before"  # central never sees the request
    DROP_AFTER = "drop_after"  # central handled (committed) it; the answer is thrown away
    STALL = "stall"  # nothing comes back until the client gives up
    HTTP_500 = "http_500"
    HTTP_503 = "http_503"
    HTTP_429 = "http_429"
    HTTP_422 = "http_422"  # central refusing a whole batch (as a buggy central would)
    CAPTIVE_PORTAL = "captive_portal"  # 200 OK with an HTML login page instead of central's answer


Plan = Callable[[str, str], Fault]  # (method, path) -> what to do with this request


class Scripted:
    """Applies `faults` in order to the requests `applies_to` accepts, then leaves it to `then`."""

    def __init__(self, faults: Iterable[Fault], applies_to: Callable[[str, str], bool] = lambda m, p: True, *,
                 then: Plan = lambda m, p: Fault.PASS) -> None:
        self.faults = list(faults)
        self.applies_to = applies_to
        self.then = then
        self.lock = threading.Lock()

    def __call__(self, method: str, path: str) -> Fault:
        with self.lock:
            if self.faults and self.applies_to(method, path):
                return self.faults.pop(0)
        return self.then(method, path)


class RandomFaults:
    """Each request gets a fault with the given probabilities (the rest pass); seeded, so repeatable."""

    def __init__(self, weights: dict[Fault, float], *, seed: int = 0) -> None:
        self.weights = weights
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.enabled = True

    def __call__(self, method: str, path: str) -> Fault:
        with self.lock:
            if not self.enabled:
                return Fault.PASS
            roll = self.rng.random()
        for fault, weight in self.weights.items():
            if roll < weight:
                return fault
            roll -= weight
        return Fault.PASS


_REASONS = {Fault.HTTP_500: "Internal Server Error", Fault.HTTP_503: "Service Unavailable",
            Fault.HTTP_429: "Too Many Requests", Fault.HTTP_422: "Unprocessable Content"}


def _canned(status: int, reason: str, retry_after: int | None) -> bytes:
    body = f'{{"error":"injected","message":"fault proxy answered {status}"}}'.encode()
    headers = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json",
               f"Content-Length: {len(body)}", "Connection: close"]
    if retry_after is not None:
        headers.append(f"Retry-After: {retry_after}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


def _read_request(conn: socket.socket) -> tuple[bytes, str, str] | None:
    """(the request rewritten to close its connection, method, path), or None when the client left."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > MAX_HEADER_BYTES:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        if name.strip().lower() not in ("connection", "keep-alive"):
            kept.append(line)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    kept.append("Connection: close")
    return ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + body, method, path


class FaultProxy:
    """`FaultProxy(upstream_port, plan).start()`; point the terminal at `.url`."""

    def __init__(self, upstream_port: int, plan: Plan = lambda m, p: Fault.PASS, *, stall_s: float = 3.0,
                 retry_after_s: int = 1, on_request: Callable[[bytes], None] | None = None) -> None:
        self.upstream_port = upstream_port
        self.on_request = on_request
        self.plan = plan
        self.stall_s = stall_s
        self.retry_after_s = retry_after_s
        self.counts: Counter[Fault] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="fault-proxy", daemon=True)

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            request = _read_request(conn)
            if request is None:
                return
            raw, method, path = request
            if self.on_request is not None:
                self.on_request(raw)
            fault = self.plan(method, path)
            with self.lock:
                self.counts[fault] += 1
            if fault is Fault.DROP_BEFORE:
                return
            if fault is Fault.STALL:
                self.stopping.wait(self.stall_s)
                return
            if fault is Fault.CAPTIVE_PORTAL:
                page = b"<html><body>Login to Wi-Fi Kelurahan</body></html>"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                             b"Connection: close\r\n\r\n%s" % (len(page), page))
                return
            if fault in _REASONS:
                status = int(fault.value.split("_")[1])
                conn.sendall(_canned(status, _REASONS[fault], self.retry_after_s if status in (429, 503) else None))
                return
            answer = self._forward(raw)
            if answer and fault is Fault.PASS:
                conn.sendall(answer)
        except OSError:
            pass
        finally:
            conn.close()

    def _forward(self, raw: bytes) -> bytes:
        """Central's whole answer, or b"" when central is not there (the client then sees a drop)."""
        try:
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60) as upstream:
                upstream.sendall(raw)
                chunks = []
                while chunk := upstream.recv(65536):
                    chunks.append(chunk)
                return b"".join(chunks)
        except OSError:
            return b""
