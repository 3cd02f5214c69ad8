"""The satisfaction survey every public service unit must run (SKM, PermenPANRB 14/2017), without Kivy.

Nine elements (unsur), each answered 1-4; a one-tap overall rating kept apart from them. The index
(IKM) is the mean of the nine elements' average scores (NRR) times 25, so 25.00-100.00, with the
regulation's quality band. Both the kiosk (what to ask) and central (the report) use this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kiosk.errors import Text

SCALE = (1, 2, 3, 4)
#: the four faces, worst to best, with the regulation's words for each score
SCORE_WORDS = {
    1: Text("Tidak baik", "Poor"),
    2: Text("Kurang baik", "Fair"),
    3: Text("Baik", "Good"),
    4: Text("Sangat baik", "Very good"),
}
#: the nine elements, in the regulation's order, as a citizen is asked about them
ELEMENTS: tuple[Text, ...] = (
    Text("Persyaratan: dokumen yang diminta jelas dan sesuai?", "Requirements: were the documents asked for clear?"),
    Text("Prosedur: langkah-langkahnya mudah diikuti?", "Procedure: were the steps easy to follow?"),
    Text("Waktu penyelesaian: sesuai yang dijanjikan?", "Time: is it done within the promised time?"),
    Text("Biaya: tidak ada pungutan di luar ketentuan?", "Cost: were you asked for no unofficial payment?"),
    Text("Hasil layanan: sesuai dengan yang dijanjikan?", "Result: does it match what was promised?"),
    Text("Kompetensi petugas", "Staff competence"),
    Text("Perilaku petugas: sopan dan ramah?", "Staff behaviour: polite and friendly?"),
    Text("Penanganan pengaduan, saran dan masukan", "Handling of complaints and suggestions"),
    Text("Sarana dan prasarana, termasuk kios ini", "Facilities, including this kiosk"),
)
ELEMENT_NAMES = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
                 "pengaduan", "sarana")
ELEMENT_COUNT = len(ELEMENTS)
#: what a citizen can judge when they come back for the result (Cek Status of a ready or done
#: application): the time it took and the result itself; everything else they judge at filing
RESULT_ELEMENTS = (ELEMENT_NAMES.index("waktu"), ELEMENT_NAMES.index("produk"))
FILING_ELEMENTS = tuple(i for i in range(ELEMENT_COUNT) if i not in RESULT_ELEMENTS)

#: (lowest IKM, band, words) from the best band down; the annex's edges
BANDS: tuple[tuple[float, str, Text], ...] = (
    (88.31, "A", Text("Sangat baik", "Very good")),
    (76.61, "B", Text("Baik", "Good")),
    (65.00, "C", Text("Kurang baik", "Fair")),
    (25.00, "D", Text("Tidak baik", "Poor")),
)


@dataclass(frozen=True)
class SurveyResponse:
    """One citizen's answers: the day and service only, never who, never the time of day.

    `elements` has one entry per element, None where the citizen skipped it.
    """

    day: dt.date
    service_code: str
    overall: int | None = None
    elements: tuple[int | None, ...] = (None,) * ELEMENT_COUNT

    def __post_init__(self) -> None:
        if len(self.elements) != ELEMENT_COUNT:
            raise ValueError(f"a survey has {ELEMENT_COUNT} elements, got {len(self.elements)}")
        for score in (self.overall, *self.elements):
            if score is not None and score not in SCALE:
                raise ValueError(f"a score is 1 to 4, got {score!r}")

    @property
    def is_empty(self) -> bool:
        return self.overall is None and all(score is None for score in self.elements)


@dataclass(frozen=True)
class IkmReport:
    """The index for one service (or all) over one period."""

    respondents: int
    answers_per_element: tuple[int, ...]
    nrr: tuple[float | None, ...]
    ikm: float | None
    band: str | None
    overall_mean: float | None


def nrr(scores: Iterable[int]) -> float | None:
    """An element's average score (Nilai Rata-Rata), or None when nobody answered it."""
    values = list(scores)
    return sum(values) / len(values) if values else None


def band_of(ikm: float) -> tuple[str, Text]:
    """The quality band (A-D) and its words for an IKM of 25-100 (rounded to 2 decimals first)."""
    value = round(ikm, 2)
    for lowest, band, words in BANDS:
        if value >= lowest:
            return band, words
    raise ValueError(f"an IKM is 25 to 100, got {ikm}")


def ikm_report(responses: Sequence[SurveyResponse]) -> IkmReport:
    """NRR per element, the IKM (mean of the nine NRRs times 25) and its band.

    The IKM needs an answer to every element from someone; until then it is None (no index from a
    part of the instrument). The overall rating is reported apart and never enters the IKM.
    """
    per_element = [[r.elements[i] for r in responses if r.elements[i] is not None] for i in range(ELEMENT_COUNT)]
    averages = tuple(nrr(scores) for scores in per_element)  # type: ignore[arg-type]
    ikm = None
    band = None
    if all(a is not None for a in averages):
        ikm = round(sum(averages) / ELEMENT_COUNT * 25, 2)  # type: ignore[arg-type]
        band = band_of(ikm)[0]
    overall = nrr(r.overall for r in responses if r.overall is not None)
    return IkmReport(respondents=len(responses), answers_per_element=tuple(len(s) for s in per_element),
                     nrr=averages, ikm=ikm, band=band, overall_mean=overall)


__all__ = ["BANDS", "ELEMENTS", "ELEMENT_COUNT", "ELEMENT_NAMES", "FILING_ELEMENTS",
           "RESULT_ELEMENTS", "SCALE", "SCORE_WORDS", "IkmReport",
           "SurveyResponse", "band_of", "ikm_report", "nrr"]
