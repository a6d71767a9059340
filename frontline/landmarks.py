"""Curated places GeoNames does not hold as points: landmarks, seas and geographic regions.

News names places that GeoNames does not hold as towns: the White House, the Kremlin,
Bankova, Mar-a-Lago (``data/landmarks.csv``), and waters and regions that the offline
gazetteer has no point for: the Black Sea, the Kerch Strait, the Balkans, Donbas
(``data/seas_and_regions.csv``). Each row of a CSV is one place with its coordinates,
country, name variants, kind and the source of its coordinates. The recogniser adds
landmark variants to its matcher and looks the seas and regions up like gazetteer names;
the resolver treats the candidates like any other, with the feature their kind implies.
"""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from frontline.errors import GazetteerError
from frontline.gazetteer import normalize_name
from frontline.model import Candidate, FeatureKind

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_LANDMARKS_PATH = DATA_DIR / "landmarks.csv"
DEFAULT_AREAS_PATH = DATA_DIR / "seas_and_regions.csv"
LANDMARK_SOURCE = "landmarks"
AREA_SOURCE = "seas and regions"
LANDMARK_COLUMNS = ("name", "lat", "lon", "country_code", "variants", "kind", "source")
LANDMARK_KINDS = frozenset(
    {"government", "international", "military", "residence", "venue", "infrastructure"}
)
WATER_KINDS = frozenset({"ocean", "sea", "gulf", "strait"})
AREA_KINDS = WATER_KINDS | {"region"}
VARIANT_SEPARATOR = "|"


@dataclass(frozen=True, slots=True)
class Landmark:
    name: str
    lat: float
    lon: float
    # None for waters and regions that no single country holds.
    country_code: str | None
    variants: tuple[str, ...]
    kind: str
    source: str
    line: int

    @property
    def feature(self) -> FeatureKind:
        if self.kind in WATER_KINDS:
            return "water"
        if self.kind == "region":
            return "region"
        return "landmark"

    def to_candidate(self) -> Candidate:
        return Candidate(
            geonameid=None,
            name=self.name,
            lat=self.lat,
            lon=self.lon,
            feature=self.feature,
            country_code=self.country_code,
            admin1=None,
            population=0,
            admin1_code=None,
            source=LANDMARK_SOURCE if self.feature == "landmark" else AREA_SOURCE,
        )

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """The name followed by its variants, without repeats."""
        return tuple(dict.fromkeys((self.name, *self.variants)))


def _bad_row(path: Path, line: int, problem: str) -> GazetteerError:
    return GazetteerError(f"{path}:{line}: {problem}")


def _parse_coordinate(path: Path, line: int, column: str, raw: str, limit: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise _bad_row(path, line, f"{column} {raw!r} is not a number") from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise _bad_row(path, line, f"{column} {raw!r} is outside -{limit:g}..{limit:g}")
    return value


def _parse_row(
    path: Path, line: int, row: dict[str | None, str | None], kinds: frozenset[str]
) -> Landmark:
    if None in row:
        raise _bad_row(path, line, f"more than {len(LANDMARK_COLUMNS)} columns")
    values: dict[str, str] = {}
    for column in LANDMARK_COLUMNS:
        raw = row.get(column)
        if raw is None:
            raise _bad_row(path, line, f"missing column {column!r}")
        values[column] = raw.strip()
    for column in ("name", "variants", "kind", "source"):
        if not values[column]:
            raise _bad_row(path, line, f"empty {column}")
    if values["kind"] not in kinds:
        allowed = ", ".join(sorted(kinds))
        raise _bad_row(path, line, f"kind {values['kind']!r} is not one of: {allowed}")
    country_code = values["country_code"]
    if not country_code and values["kind"] not in AREA_KINDS:
        raise _bad_row(path, line, "empty country_code")
    if country_code and (
        len(country_code) != 2 or not country_code.isascii() or not country_code.isupper()
    ):
        raise _bad_row(path, line, f"country_code {country_code!r} is not two capital letters")
    variants = tuple(part.strip() for part in values["variants"].split(VARIANT_SEPARATOR))
    if any(not variant for variant in variants):
        raise _bad_row(path, line, "empty variant between '|' separators")
    return Landmark(
        name=values["name"],
        lat=_parse_coordinate(path, line, "lat", values["lat"], 90.0),
        lon=_parse_coordinate(path, line, "lon", values["lon"], 180.0),
        country_code=country_code or None,
        variants=variants,
        kind=values["kind"],
        source=values["source"],
        line=line,
    )


def load_landmarks(
    path: Path = DEFAULT_LANDMARKS_PATH, kinds: frozenset[str] = LANDMARK_KINDS
) -> tuple[Landmark, ...]:
    """Read and validate a curated places CSV (landmarks, or seas and regions with
    ``kinds=AREA_KINDS``); any bad row raises GazetteerError naming file:line."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            if header != LANDMARK_COLUMNS:
                raise _bad_row(path, 1, f"header {list(header)} is not {list(LANDMARK_COLUMNS)}")
            landmarks = [_parse_row(path, reader.line_num, row, kinds) for row in reader]
    except FileNotFoundError:
        raise GazetteerError(f"{path}: landmarks file not found") from None
    except UnicodeDecodeError as error:
        raise GazetteerError(f"{path}: not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise GazetteerError(f"{path}: malformed CSV ({error})") from None
    except OSError as error:
        raise GazetteerError(f"{path}: cannot read ({error.strerror})") from None
    seen: dict[str, int] = {}
    for landmark in landmarks:
        key = normalize_name(landmark.name)
        if key in seen:
            raise _bad_row(
                path, landmark.line, f"duplicate landmark {landmark.name!r} (line {seen[key]})"
            )
        seen[key] = landmark.line
    if not landmarks:
        raise GazetteerError(f"{path}: no landmarks")
    logger.debug("loaded %d landmarks from %s", len(landmarks), path)
    return tuple(landmarks)


class LandmarkIndex:
    """Landmarks keyed by normalised variant, ready for the recogniser and the resolver."""

    def __init__(
        self,
        landmarks: Iterable[Landmark],
        normalize: Callable[[str], str] = normalize_name,
    ) -> None:
        self.landmarks: tuple[Landmark, ...] = tuple(landmarks)
        self._normalize = normalize
        by_variant: dict[str, list[Landmark]] = {}
        for landmark in self.landmarks:
            for surface in landmark.surface_forms:
                key = normalize(surface)
                if not key:
                    continue
                bucket = by_variant.setdefault(key, [])
                if landmark not in bucket:
                    bucket.append(landmark)
        self._by_variant: dict[str, tuple[Landmark, ...]] = {
            key: tuple(bucket) for key, bucket in by_variant.items()
        }

    @classmethod
    def load(
        cls,
        path: Path = DEFAULT_LANDMARKS_PATH,
        normalize: Callable[[str], str] = normalize_name,
        kinds: frozenset[str] = LANDMARK_KINDS,
    ) -> LandmarkIndex:
        return cls(load_landmarks(path, kinds), normalize)

    def __len__(self) -> int:
        return len(self.landmarks)

    def landmarks_for(self, name: str) -> tuple[Landmark, ...]:
        return self._by_variant.get(self._normalize(name), ())

    def candidates(self, name: str) -> tuple[Candidate, ...]:
        """Landmark candidates for a surface name ("the Kremlin", "Élysée"), or ()."""
        return tuple(landmark.to_candidate() for landmark in self.landmarks_for(name))

    def by_key(self) -> dict[str, tuple[Candidate, ...]]:
        """Normalised variant -> its candidates, as the recogniser looks names up."""
        return {
            key: tuple(landmark.to_candidate() for landmark in landmarks)
            for key, landmarks in self._by_variant.items()
        }
