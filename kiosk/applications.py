"""Filing an application: check the answers, seal the personal data, queue it durably.

The kiosk screens and `loket submit` (staff-assisted entry) both come through `file_application`,
so an application is checked and sealed the same way whichever way it arrives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from kiosk.catalog.model import Catalog
from kiosk.crypto import seal_for_office
from kiosk.errors import FormInvalid, NotProvisioned
from kiosk.store import Application, Store
from kiosk.validation import check_form


def file_application(
    store: Store,
    catalog: Catalog,
    service_code: str,
    answers: Mapping[str, str],
    *,
    now: dt.datetime | None = None,
) -> Application:
    """Checks `answers` against the service, seals them to the office and queues the application.

    Raises `UnknownService`, `FormInvalid` (with bilingual messages per field), `NotProvisioned`,
    or `StoreFull`; on any of them nothing was queued.
    """
    identity = store.identity()
    if identity is None:
        raise NotProvisioned()
    service = catalog.service(service_code)
    checked = check_form(service, answers, today=(now or dt.datetime.now()).date() if now else None)
    if not checked.ok:
        raise FormInvalid(checked.errors)
    flags = [f"{name}:region_unknown" for name in checked.flags]
    sealed = seal_for_office(
        identity.office_key,
        {
            "service": service.code,
            "catalog_version": catalog.version,
            "answers": checked.values,
            "flags": {name: [t.en for t in texts] for name, texts in checked.flags.items()},
        },
    )
    return store.submit(service.code, catalog.version, sealed, flags=flags, now=now)
