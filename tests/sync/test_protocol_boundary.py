"""The protocol models check every value from outside where it enters (issue 23, finding 3): text free of
NUL, control and bidi-override characters; catalog codes and ids in their format; days in a window."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from kiosk.crypto import b64encode, new_terminal_keys, sign
from sync.bundle import BundleError, read_bundle
from sync.protocol import EnrollRequest, SurveyUpload

UNSAFE = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127, 0x200E, 0x200F, *range(0x202A, 0x202F),
                            *range(0x2066, 0x206A)]]


def _survey(**changes) -> dict:
    return {"id": str(uuid.uuid4()), "day": "2026-11-05", "service_code": "SKD", "overall": 4,
            "elements": [4] * 9, **changes}


def test_a_well_formed_survey_answer_is_taken():
    assert SurveyUpload.model_validate(_survey()).service_code == "SKD"


@pytest.mark.parametrize("code", ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1)", "SK D", "SKD\x00",
                                  "S\u202eKD", "", "A" * 21, "1SKD"])
def test_a_service_code_outside_the_catalogs_form_is_refused(code):
    with pytest.raises(ValidationError):
        SurveyUpload.model_validate(_survey(service_code=code))


@pytest.mark.parametrize("day", ["9999-12-31", "1970-01-01", "2019-12-31", "2100-01-01"])
def test_a_survey_day_outside_the_window_is_refused(day):
    with pytest.raises(ValidationError):
        SurveyUpload.model_validate(_survey(day=day))


@pytest.mark.parametrize("survey_id", ["x" * 36, "not-a-uuid", str(uuid.uuid4())[:-1] + "\x00", ""])
def test_a_survey_id_that_is_not_a_uuid_is_refused(survey_id):
    with pytest.raises(ValidationError):
        SurveyUpload.model_validate(_survey(id=survey_id))


@given(st.text(max_size=20), st.sampled_from(UNSAFE), st.text(max_size=20))
def test_enrollment_text_with_any_control_or_bidi_character_is_refused(before, unsafe, after):
    with pytest.raises(ValidationError):
        EnrollRequest(code=f"ABCD{before}{unsafe}{after}"[:64], verify_key="A" * 43 + "=")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"),
                                      blacklist_characters="".join(UNSAFE)), min_size=4, max_size=60))
def test_enrollment_text_without_them_is_taken(code):
    assert EnrollRequest(code=code, verify_key="A" * 43 + "=").code == code


def test_a_bundle_whose_enrollment_proof_is_not_hex_is_a_bundle_error_not_a_traceback():
    keys = new_terminal_keys()
    header = {"format": "loket-bundle/2", "terminal_id": "", "terminal_code": "K7Q2",
              "created_at": dt.datetime.now(dt.UTC).isoformat(), "applications": 0,
              "payload_sha256": "0" * 64, "verify_key": keys.verify_key, "enrollment_proof": "é" * 64}
    document = {"header": header, "payload": b64encode(b""), "signature": b64encode(sign(keys.signing_key, b"x"))}
    with pytest.raises(BundleError, match="not a Loket bundle"):
        read_bundle(json.dumps(document).encode())
