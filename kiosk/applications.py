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
from kiosk.ids import time_ordered_uuid
from kiosk.notify import NO_NUMBER, NOTIFY_SMS_FLAG, phone_field, sms_number
from kiosk.store import Application, Store
from kiosk.validation import check_form


def file_application(
    store: Store,
    catalog: Catalog,
    service_code: str,
    answers: Mapping[str, str],
    *,
    notify_sms: bool = False,
    now: dt.datetime | None = None,
) -> Application:
    """Checks `answers` against the service, seals them to the office and queues the application.
    With `notify_sms` the citizen's mobile number is sealed with it for the text message central sends
    when it is ready or declined, and the application carries the flag that asks for one.

    The sealed content also carries the receipt's status PIN (for central's record page on a phone).

    Raises `UnknownService`, `FormInvalid` (with bilingual messages per field; SMS asked without a
    mobile number is one), `NotProvisioned`, or `StoreFull`; on any of them nothing was queued.
    """
    identity = store.identity()
    if identity is None:
        raise NotProvisioned()
    service = catalog.service(service_code)
    checked = check_form(service, answers, today=(now or dt.datetime.now()).date() if now else None)
    if not checked.ok:
        raise FormInvalid(checked.errors)
    flags = [f"{name}:region_unknown" for name in checked.flags]
    content = {
        "service": service.code,
        "catalog_version": catalog.version,
        "answers": checked.values,
        "flags": {name: [t.en for t in texts] for name, texts in checked.flags.items()},
    }
    if notify_sms:
        number = sms_number(service, checked.values)
        if number is None:
            raise FormInvalid({phone_field(service) or "phone": NO_NUMBER})
        content["notify"] = {"sms": number}
        flags.append(NOTIFY_SMS_FLAG)
    # the receipt's status PIN travels sealed, so central can keep a verifier of it for the record page
    # on a phone (central cannot compute the PIN: it is an HMAC under this terminal's secret)
    from kiosk.status_pin import status_pin  # status_pin -> journey -> this module

    app_id = time_ordered_uuid()
    content["status_pin"] = status_pin(store, app_id)
    sealed = seal_for_office(identity.office_key, content)
    return store.submit(service.code, catalog.version, sealed, flags=flags, now=now, app_id=app_id)
