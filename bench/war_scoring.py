"""Scoring war-reporting geoparses against the war-news gold (``../shared/eval/war-news*/``).

The rule is SOURCE.md's "How to score a system", written once so that every corpus in that
format (the English set, and the Ukrainian/Russian set with its ``lang`` field) and every
system (ours, the naive and geotext peers) is scored by the same code:

1. Reported places are taken in order. Each fills at most one gold place and each gold place
   is filled at most once: a non-country gold place matches when the reported point lies
   within its ``radius_km``; a country gold place matches a reported country of the same
   ``country_code``. Among several unfilled matching gold places, the one whose ``surface``
   equals a reported mention wins, otherwise the nearest.
2. A reported place matching only filled gold places, or only an ``optional`` entry, is
   neither right nor wrong.
3. Anything else reported is a false positive.

A *wrong namesake* is a reported place that names a gold place (one of its mentions is a
surface of that gold place) which stays unfilled, with the point elsewhere: the name was
found and put on another place of that name.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def surface_key(surface: str) -> str:
    """Mentions and gold surfaces compare case-blind, without a leading "the"."""
    key = " ".join(surface.replace("’", "'").split()).casefold()
    return key[4:] if key.startswith("the ") else key


@dataclass(frozen=True, slots=True)
class GoldPlace:
    name: str
    surfaces: tuple[str, ...]
    kind: str
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    country_code: str | None = None
    # Settlements only: whether GeoNames' cities500 has the place within 5 km.
    in_gazetteer: bool | None = None

    @property
    def is_country(self) -> bool:
        return self.lat is None and self.country_code is not None

    @property
    def category(self) -> str:
        """The kind, with settlements split by whether the offline data holds them."""
        if self.kind != "settlement":
            return self.kind
        return "settlement (cities500)" if self.in_gazetteer else "settlement (not in cities500)"

    @classmethod
    def from_json(cls, raw: dict[str, Any], kind: str | None = None) -> GoldPlace:
        lat, lon, radius = raw.get("lat"), raw.get("lon"), raw.get("radius_km")
        return cls(
            name=str(raw["name"]),
            surfaces=tuple(str(surface) for surface in _sequence(raw.get("surface", ()))),
            kind=str(raw.get("kind", kind or "optional")),
            lat=None if lat is None else float(lat),
            lon=None if lon is None else float(lon),
            radius_km=None if radius is None else float(radius),
            country_code=None if raw.get("country_code") is None else str(raw["country_code"]),
            in_gazetteer=None if raw.get("in_gazetteer") is None else bool(raw["in_gazetteer"]),
        )


@dataclass(frozen=True, slots=True)
class WarCase:
    id: str
    text: str
    gold: tuple[GoldPlace, ...]
    optional: tuple[GoldPlace, ...]
    lang: str = "en"
    url: str = ""


def load_cases(path: Path) -> tuple[WarCase, ...]:
    """The cases of a ``cases.json`` in the war-news format; ``lang`` defaults to English."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(
        WarCase(
            id=str(raw["id"]),
            text=str(raw["text"]),
            gold=tuple(GoldPlace.from_json(place) for place in raw["gold"]),
            optional=tuple(GoldPlace.from_json(place) for place in raw.get("optional", ())),
            lang=str(raw.get("lang", "en")),
            url=str(raw.get("url", "")),
        )
        for raw in data["cases"]
    )


@dataclass(frozen=True, slots=True)
class Reported:
    """One place a system reports: a point, or (for a country) an ISO code."""

    name: str
    surfaces: tuple[str, ...]
    lat: float | None = None
    lon: float | None = None
    country_code: str | None = None
    is_country: bool = False
    detail: str = ""

    def matches(self, gold: GoldPlace) -> bool:
        if gold.is_country:
            return self.is_country and self.country_code == gold.country_code
        if self.is_country or self.lat is None or self.lon is None or gold.lat is None:
            return False
        return self.km_to(gold) <= (gold.radius_km or 0.0)

    def km_to(self, gold: GoldPlace) -> float:
        if self.lat is None or self.lon is None or gold.lat is None or gold.lon is None:
            return math.inf
        return great_circle_km(self.lat, self.lon, gold.lat, gold.lon)

    def names(self, gold: GoldPlace) -> bool:
        keys = {surface_key(surface) for surface in self.surfaces}
        return any(surface_key(surface) in keys for surface in gold.surfaces)


@dataclass(frozen=True, slots=True)
class CaseScore:
    case_id: str
    lang: str
    filled: tuple[tuple[GoldPlace, Reported], ...]
    missed: tuple[GoldPlace, ...]
    false_positives: tuple[Reported, ...]
    wrong_namesakes: tuple[tuple[GoldPlace, Reported], ...]
    neutral: tuple[Reported, ...]


def score_case(case: WarCase, reported: Sequence[Reported]) -> CaseScore:
    filled: dict[int, Reported] = {}
    false_positives: list[Reported] = []
    neutral: list[Reported] = []
    for place in reported:
        open_matches = [
            index
            for index, gold in enumerate(case.gold)
            if index not in filled and place.matches(gold)
        ]
        if open_matches:
            named = [index for index in open_matches if place.names(case.gold[index])]
            pool = named or open_matches
            best = min(pool, key=lambda index: place.km_to(case.gold[index]))
            filled[best] = place
        elif any(place.matches(gold) for gold in case.gold) or any(
            place.matches(optional) for optional in case.optional
        ):
            neutral.append(place)
        else:
            false_positives.append(place)
    missed = tuple(gold for index, gold in enumerate(case.gold) if index not in filled)
    wrong: list[tuple[GoldPlace, Reported]] = []
    for place in reported:
        if any(filler is place and place.names(case.gold[i]) for i, filler in filled.items()):
            continue
        named_missed = [gold for gold in missed if not gold.is_country and place.names(gold)]
        if named_missed and not place.is_country:
            wrong.append((named_missed[0], place))
    return CaseScore(
        case.id,
        case.lang,
        tuple((case.gold[index], place) for index, place in sorted(filled.items())),
        missed,
        tuple(false_positives),
        tuple(wrong),
        tuple(neutral),
    )


@dataclass(frozen=True, slots=True)
class Totals:
    gold: int
    filled: int
    false_positives: int
    wrong_namesakes: int
    by_category: dict[str, tuple[int, int]] = field(default_factory=dict)
    wrong_by_category: dict[str, int] = field(default_factory=dict)
    # Gold places the offline data contains: all but settlements missing from cities500.
    offline_gold: int = 0
    offline_filled: int = 0

    @property
    def precision(self) -> float:
        reported = self.filled + self.false_positives
        return self.filled / reported if reported else 0.0

    @property
    def recall(self) -> float:
        return self.filled / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def offline_recall(self) -> float:
        return self.offline_filled / self.offline_gold if self.offline_gold else 0.0

    def recall_of(self, category: str) -> float | None:
        filled, total = self.by_category.get(category, (0, 0))
        return filled / total if total else None


def _in_offline_data(gold: GoldPlace) -> bool:
    return not (gold.kind == "settlement" and gold.in_gazetteer is False)


def totals(scores: Iterable[CaseScore]) -> Totals:
    scores = list(scores)
    by_category: Counter[str] = Counter()
    filled_by_category: Counter[str] = Counter()
    wrong_by_category: Counter[str] = Counter()
    offline_gold = offline_filled = 0
    for score in scores:
        for gold, _ in score.filled:
            filled_by_category[gold.category] += 1
            offline_filled += _in_offline_data(gold)
        for gold in (*(g for g, _ in score.filled), *score.missed):
            by_category[gold.category] += 1
            offline_gold += _in_offline_data(gold)
        for gold, _ in score.wrong_namesakes:
            wrong_by_category[gold.category] += 1
    return Totals(
        gold=sum(by_category.values()),
        filled=sum(filled_by_category.values()),
        false_positives=sum(len(score.false_positives) for score in scores),
        wrong_namesakes=sum(len(score.wrong_namesakes) for score in scores),
        by_category={
            category: (filled_by_category[category], total)
            for category, total in sorted(by_category.items())
        },
        wrong_by_category=dict(wrong_by_category),
        offline_gold=offline_gold,
        offline_filled=offline_filled,
    )


def _sequence(value: object) -> Sequence[object]:
    return value if isinstance(value, (list, tuple)) else ()
