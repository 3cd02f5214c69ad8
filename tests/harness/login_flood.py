"""A login flood against a running central, in a process of its own (so its threads do not share the
measuring process's GIL): `threads` clients, spread over `addresses` loopback source addresses
(127.0.1.1, 127.0.1.2, ...), each posting wrong logins as fast as answers come for `seconds`.

    python -m tests.harness.login_flood URL SECONDS THREADS ADDRESSES   -> one JSON line: answers per status
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlencode

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _flood(port: int, source: str, until: float, counts: Counter, lock: threading.Lock, n: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    connection.request("GET", "/staff/login")
    form = connection.getresponse()
    page = form.read().decode()
    cookie = next(v for k, v in form.getheaders() if k.lower() == "set-cookie" and v.startswith("loket_login="))
    found = _CSRF.search(page)
    assert found
    i = 0
    while time.monotonic() < until:
        i += 1
        body = urlencode({"username": f"tebak-{n}-{i % 7}", "password": f"salah-{i}", "csrf": found[1]})
        try:
            connection.request("POST", "/staff/login", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie.split(";")[0]})
            answer = connection.getresponse()
            answer.read()
            status = answer.status
        except (OSError, http.client.HTTPException):
            status = 0
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
        with lock:
            counts[status] += 1
    connection.close()


def flood(url: str, seconds: float, threads: int, addresses: int) -> Counter:
    port = int(url.rsplit(":", 1)[1])
    until = time.monotonic() + seconds
    counts: Counter = Counter()
    lock = threading.Lock()
    workers = [threading.Thread(target=_flood, args=(port, f"127.0.1.{1 + n % addresses}", until, counts, lock, n))
               for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counts


if __name__ == "__main__":
    url, seconds, threads, addresses = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps({str(k): v for k, v in sorted(flood(url, seconds, threads, addresses).items())}))
