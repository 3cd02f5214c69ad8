"""Application ids: UUIDs whose first 48 bits are the creation time in milliseconds (RFC 9562 version 7).

They are still random enough to be unguessable (74 random bits) and still the idempotency key end to
end, but each new one sorts after the last: inserting it touches the last page of every index
keyed by it, not a random page of an index as deep as the queue (measured: `bench.store`).
"""

from __future__ import annotations

import os
import time


def time_ordered_uuid(now_ms: int | None = None) -> str:
    """A version-7 UUID for the moment `now_ms` (milliseconds since the epoch; now by default)."""
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    random_bits = int.from_bytes(os.urandom(10), "big")  # 80 bits, 74 kept
    value = (ms & (2**48 - 1)) << 80 | 0x7 << 76 | (random_bits >> 68 & 0xFFF) << 64 | 0b10 << 62 \
        | (random_bits & (2**62 - 1))
    digits = f"{value:032x}"  # str(uuid.UUID(int=value)), without building the object (a submit makes one)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
