"""The dates of the war-news cases, and the front line of each date for ``bench.war_news``.

``../shared/eval/war-news/SOURCE.md`` gives each case's month and year ("Oct 2024"), or only
its year ("2025") or a range ("2023–24"). Encoded here as the first day of that month; a
year alone as the first day of that year (approximate: the line moves, though less than
the tens of kilometres the prior speaks of, over most of the front in a year); a range as
the first day of its first year. The snapshot is the latest in the folder on or before that
day (the snapshots in ``../shared/frontline`` are the first of each month from 2024-08); a
date before the first snapshot has none, and the case is geoparsed without a front line.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from frontline.errors import TerritoryError
from frontline.front_prior import FrontLinePrior

# id -> (first day of the month or year SOURCE.md gives, how precise that is)
CASE_DATES: dict[str, tuple[dt.date, str]] = {
    "deepstate-toretsk-oct2024": (dt.date(2024, 10, 1), "month"),
    "genstaff-pokrovsk-nov2025": (dt.date(2025, 11, 1), "month"),
    "filashkin-donetsk-daily": (dt.date(2024, 1, 1), "year"),
    "syniehubov-kharkiv-aug21": (dt.date(2024, 8, 1), "month"),
    "genstaff-kurakhove-sectors-may2024": (dt.date(2024, 5, 1), "month"),
    "genstaff-luhansk-june2022": (dt.date(2022, 6, 1), "month"),
    "genstaff-evening-may2022": (dt.date(2022, 5, 1), "month"),
    "lyman-encircled-oct2022": (dt.date(2022, 10, 1), "month"),
    "velyka-novosilka-jan2025": (dt.date(2025, 1, 1), "month"),
    "prokudin-kherson-36": (dt.date(2023, 1, 1), "range 2023-24"),
    "lysak-dnipropetrovsk-synelnykove": (dt.date(2025, 1, 1), "year"),
    "sumy-hromadas-170-explosions": (dt.date(2023, 1, 1), "range 2023-24"),
    "voloshyn-stepnohirsk-approach": (dt.date(2025, 1, 1), "year"),
    "sumy-ten-communities-may2024": (dt.date(2024, 5, 1), "month"),
    "tass-artyomovsk-pushilin-kazan": (dt.date(2023, 5, 1), "month"),
    "tass-kupyansk-ganchev": (dt.date(2023, 6, 1), "month"),
    "tass-zaporozhye-energodar": (dt.date(2024, 8, 1), "month"),
    "sputnik-krasnoarmeysk-pushilin": (dt.date(2025, 11, 1), "month"),
    "tass-drones-over-regions-dec2025": (dt.date(2025, 12, 1), "month"),
    "novorossiysk-sea-drone-aug2023": (dt.date(2023, 8, 1), "month"),
    "missiles-zaporizhzhia-dnipro-kharkiv-oct2023": (dt.date(2023, 10, 1), "month"),
    "istanbul-talks-march2022": (dt.date(2022, 3, 1), "month"),
    "belgorod-gladkov-aug2024": (dt.date(2024, 8, 1), "month"),
    "kursk-starovoit-lokot": (dt.date(2023, 1, 1), "year"),
    "chonhar-tonky-bridges-aug2023": (dt.date(2023, 8, 1), "month"),
    "ukrainsk-captured-sep2024": (dt.date(2024, 9, 1), "month"),
    "jeddah-talks-march2025": (dt.date(2025, 3, 1), "month"),
    "lviv-strike-poland-jets-oct2025": (dt.date(2025, 10, 1), "month"),
    "alaska-summit-anchorage-aug2025": (dt.date(2025, 8, 1), "month"),
    "missile-barrage-energy-march2023": (dt.date(2023, 3, 1), "month"),
}


@dataclass(frozen=True, slots=True)
class CaseFrontLine:
    """The front line a case is geoparsed with (None, and why, where there is none)."""

    case_id: str
    date: dt.date | None
    precision: str
    prior: FrontLinePrior | None
    note: str


class FrontLines:
    """The front line of each case's date from a folder of snapshots, each built once."""

    def __init__(self, folder: Path) -> None:
        from frontline.territory import FolderSnapshots

        self.snapshots = FolderSnapshots(folder)
        self.first = self.snapshots.available_dates()[0]
        self._by_date: dict[dt.date, FrontLinePrior] = {}

    def prepare(self, case_ids: list[str]) -> float:
        """Build the front line of every case's date now; the seconds it took (reading the
        snapshots included), so that timings of geoparses leave it out."""
        started = time.perf_counter()
        for case_id in case_ids:
            self.for_case(case_id)
        return time.perf_counter() - started

    @property
    def built(self) -> int:
        return len(self._by_date)

    def for_case(self, case_id: str) -> CaseFrontLine:
        from frontline.territory.front_line import front_line_of

        if case_id not in CASE_DATES:
            return CaseFrontLine(case_id, None, "-", None, "no date known")
        date, precision = CASE_DATES[case_id]
        if date < self.first:
            note = f"{date.isoformat()} is before the first snapshot ({self.first.isoformat()})"
            return CaseFrontLine(case_id, date, precision, None, note)
        try:
            choice = self.snapshots.snapshot_for(date)
        except TerritoryError as error:
            return CaseFrontLine(case_id, date, precision, None, str(error))
        prior = self._by_date.get(choice.snapshot.date)
        if prior is None:
            prior = self._by_date[choice.snapshot.date] = front_line_of(choice.snapshot)
        note = f"front line of {choice.snapshot.date.isoformat()}"
        return CaseFrontLine(case_id, date, precision, prior, note)
