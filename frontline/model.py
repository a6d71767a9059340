"""Frozen values passed between the library's modules.

Character offsets into ``Article.text`` are the spine: every mention keeps ``start``/``end``
so excerpts, highlights and corrections all point at the same characters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from frontline.evidence import Reason

# "water" is an ocean, sea, gulf, strait or lake; "region" a geographic region that is no
# administrative unit (the Middle East, the Balkans, Donbas).
FeatureKind = Literal[
    "city", "admin", "country", "continent", "landmark", "water", "region", "other"
]
# Kinds that stand at one spot (a front-line status and distance make sense for them) and
# kinds that name a whole wide area (a strong prior for the resolver, an optional map layer).
POINT_FEATURES: frozenset[FeatureKind] = frozenset({"city", "admin", "landmark"})
AREA_FEATURES: frozenset[FeatureKind] = frozenset({"country", "continent", "water", "region"})
TerritoryStatusName = Literal["occupied", "free"]


@dataclass(frozen=True, slots=True)
class FeatureLabel:
    """How a feature kind is named: ``title`` in a table, a legend or a heading ("City or
    town"), ``noun`` inside a sentence ("the name of a town or city")."""

    title: str
    noun: str


FEATURE_LABELS: Mapping[FeatureKind, FeatureLabel] = {
    "city": FeatureLabel("City or town", "town or city"),
    "admin": FeatureLabel("Region", "region"),
    "country": FeatureLabel("Country", "country"),
    "continent": FeatureLabel("Continent", "continent"),
    "landmark": FeatureLabel("Landmark", "landmark"),
    "water": FeatureLabel("Sea or other water", "body of water"),
    "region": FeatureLabel("Geographic region", "geographic region"),
    "other": FeatureLabel("Other place", "place"),
}


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Article:
    text: str
    source: str
    title: str | None = None
    date: dt.date | None = None
    sentences: tuple[Sentence, ...] = ()

    def sentence_text(self, index: int) -> str:
        sentence = self.sentences[index]
        return self.text[sentence.start : sentence.end]

    def sentence_index_at(self, offset: int) -> int:
        """Index of the sentence holding ``offset`` (binary search over the spans)."""
        low, high = 0, len(self.sentences) - 1
        while low <= high:
            middle = (low + high) // 2
            sentence = self.sentences[middle]
            if offset < sentence.start:
                high = middle - 1
            elif offset >= sentence.end:
                low = middle + 1
            else:
                return middle
        return max(0, min(low, len(self.sentences) - 1))


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    start: int
    end: int
    sentence_index: int
    # How the mention was found, in words (``evidence.mention_evidence``).
    evidence: tuple[str, ...] = ()
    # spaCy's label for the span (GPE, LOC, ORG, PERSON, ...); None where NER was silent.
    ner_label: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """One gazetteer (or geocoder) entry a toponym may refer to."""

    geonameid: int | None
    name: str
    lat: float | None
    lon: float | None
    feature: FeatureKind
    country_code: str | None
    admin1: str | None
    population: int = 0
    admin1_code: str | None = None
    source: str = "geonames"
    # "UA.05.1234.5678" (country, then admin codes down to the entry's own level) for the
    # entries a GeoNames country export added: lets "X hromada" or "X raion" qualify a village.
    admin_path: str | None = None

    @property
    def key(self) -> str:
        if self.geonameid is not None:
            return f"{self.source}:{self.geonameid}"
        return f"{self.source}:{self.name}:{self.lat}:{self.lon}"


@dataclass(frozen=True, slots=True)
class TerritoryStatus:
    status: TerritoryStatusName
    distance_km: float
    snapshot: dt.date
    distance_to_edge_km: float | None = None


def unresolved_key(name: str) -> str:
    """The key of a place without a candidate: its name is all there is to tell it by."""
    return f"unresolved:{name}"


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    candidate: Candidate | None
    score: float
    evidence: tuple[Reason, ...]
    alternatives: tuple[Candidate, ...]
    mentions: tuple[Mention, ...]
    territory: TerritoryStatus | None = None
    # The text's own form of the name where ``name`` is another («Покровська» for Pokrovsk).
    name_in_text: str | None = None

    @property
    def key(self) -> str:
        """Which place this is across results: its candidate's key, else its name's."""
        return self.candidate.key if self.candidate is not None else unresolved_key(self.name)

    @property
    def feature(self) -> FeatureKind:
        return self.candidate.feature if self.candidate is not None else "other"

    @property
    def lat(self) -> float | None:
        return self.candidate.lat if self.candidate is not None else None

    @property
    def lon(self) -> float | None:
        return self.candidate.lon if self.candidate is not None else None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class GeoparseResult:
    article: Article
    places: tuple[Place, ...] = field(default_factory=tuple)
    # ISO 639-1 code of the article's language (frontline/language.py).
    language: str = "en"
