"""POST /api/v1/heartbeat: a terminal reports its queue and versions; central answers its time, key, public URL."""

import json
import math
from typing import Annotated

from fastapi import APIRouter, Query

from central.api.common import DB, REFUSALS, Signed, decode_body, request_body_doc, terminal_transaction
from central.backup import resend_since
from central.letters.office_settings import letter_settings
from central.models import Office, utcnow
from central.offices import catalog_in_force, current_key
from central.releases import offer_for
from central.sms.messages import gateway_of
from central.values import clean_text
from sync.protocol import HEARTBEAT_CLOCK_OFFSET, PATH_HEARTBEAT, Heartbeat, HeartbeatResponse

router = APIRouter(tags=["heartbeat"])


@router.post(PATH_HEARTBEAT, response_model=HeartbeatResponse, responses=REFUSALS, response_model_exclude_none=True,
             openapi_extra=request_body_doc(Heartbeat))
def heartbeat(signed: Signed, db: DB,
              with_: Annotated[str, Query(alias="with", max_length=100,
                                          description="`printer,sms,resend,public_url,update`: understood")]
              = "",
              clock_offset_s: Annotated[float | None, Query(alias=HEARTBEAT_CLOCK_OFFSET, ge=-1e10, le=1e10,
                                                            description="central's clock minus the terminal's, s")]
              = None) -> HeartbeatResponse:
    """Stores what the terminal reports. `printer` (the printer's state) comes only from a terminal that
    heard, in an earlier answer, that this central stores it; a heartbeat without it clears the state."""
    with terminal_transaction(db, signed) as (session, terminal):
        beat = decode_body(signed, Heartbeat)
        asked = with_.split(",")
        terminal.last_seen_at = utcnow()
        terminal.queue_json = clean_text(json.dumps(beat.queue, sort_keys=True))
        age = beat.oldest_unsynced_age_s
        terminal.oldest_unsynced_age_s = age if age is not None and math.isfinite(age) else None
        terminal.app_version = clean_text(beat.app_version) or terminal.app_version
        terminal.catalog_version = clean_text(beat.catalog_version)
        terminal.last_error = clean_text(beat.last_error)
        terminal.printer_state = clean_text(beat.printer)
        if beat.update is not None:
            terminal.update_state = clean_text(beat.update.state)
            terminal.update_version = clean_text(beat.update.version)
            terminal.update_reason = clean_text(beat.update.reason)
        offer = None
        if "update" in asked:
            offer = offer_for(session, terminal, session.get(Office, terminal.office_id).code)
        terminal.clock_offset_s = clock_offset_s
        public_url = None
        if "public_url" in asked:  # the address the office's letters use, for the receipt's QR
            public_url = letter_settings(session, session.get(Office, terminal.office_id)).public_url
        return HeartbeatResponse(server_time=utcnow(), office_key=current_key(session, terminal.office_id).public_key,
                                 catalog_version=catalog_in_force(session, terminal.office_id).version,
                                 printer=True if "printer" in asked else None,
                                 sms=gateway_of(session, terminal.office_id) is not None if "sms" in asked else None,
                                 resend_since=resend_since(session) if "resend" in asked else None,
                                 public_url=public_url, updates=True if "update" in asked else None,
                                 update_offer=offer)
