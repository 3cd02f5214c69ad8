"""Application ids are canonical version-7 UUIDs that sort in the order they were made."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from kiosk.ids import time_ordered_uuid

MS = st.integers(min_value=0, max_value=2**48 - 2)


@given(MS)
def test_an_id_is_a_canonical_version_7_uuid_carrying_its_millisecond(ms):
    made = time_ordered_uuid(ms)
    parsed = uuid.UUID(made)
    assert str(parsed) == made  # canonical, lower case: what central accepts as an id
    assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
    assert parsed.int >> 80 == ms


@given(MS, st.integers(min_value=1, max_value=10**6))
def test_a_later_millisecond_always_sorts_after(ms, later_by):
    later = min(ms + later_by, 2**48 - 1)
    assert time_ordered_uuid(ms) < time_ordered_uuid(later)


def test_ids_made_in_the_same_millisecond_differ():
    assert len({time_ordered_uuid(1_700_000_000_000) for _ in range(1000)}) == 1000


def test_the_store_files_applications_under_time_ordered_ids(tmp_path):
    from kiosk.crypto import new_office_keypair, new_terminal_keys
    from kiosk.store import Store, TerminalIdentity

    store = Store.open(tmp_path / "queue.db")
    keys = new_terminal_keys()
    store.save_identity(TerminalIdentity("K7Q2", "3273010001", "Kelurahan Braga", new_office_keypair().public_key,
                                         keys.signing_key, keys.verify_key))
    ids = [store.submit("SKD", "2026.11.1", b"sealed").id for _ in range(20)]
    store.close()
    assert all(uuid.UUID(i).version == 7 for i in ids)
    moments = [uuid.UUID(i).int >> 80 for i in ids]
    assert moments == sorted(moments)  # (two made in the same millisecond may come in either order)
