"""A text message when the letter is ready or declined ("kabari saya lewat SMS"): which number of the
citizen's answers it goes to, and the application flag that asks central for it. The number itself
travels only sealed; the flag says no more than that a message was asked for."""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.catalog.model import Service
from kiosk.errors import Text

#: the application flag (non-personal metadata) that asks central to send the message
NOTIFY_SMS_FLAG = "notify:sms"
#: said at the kiosk when SMS is ticked without a mobile number to send it to
NO_NUMBER = Text("Untuk kabar lewat SMS, isi nomor HP (08… atau +628…).",
                 "For a text message, fill in a mobile number (08… or +628…).")


def phone_field(service: Service) -> str | None:
    """The name of the service's first phone question, or None when it asks for no number."""
    return next((f.name for f in service.fields if f.type == "phone"), None)


def sms_number(service: Service, checked_values: Mapping[str, str]) -> str | None:
    """The mobile number (E.164, as the phone check stores it) a message would go to, or None."""
    name = phone_field(service)
    number = checked_values.get(name, "") if name else ""
    return number if number.startswith("+62") else None
