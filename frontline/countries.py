"""Every settlement of a country, on demand: GeoNames' per-country export merged into the index.

The offline index holds GeoNames' towns of 500+ people; front-line reports name villages
smaller than that (Klishchiivka, Robotyne, Zatyshok). GeoNames publishes every country's
full table (``https://download.geonames.org/export/dump/UA.zip``, CC BY 4.0): ``python -m
frontline index --country UA`` downloads it through the project's one network policy
(frontline/fetch.py), ``--country-file UA.zip`` takes a copy carried in. Either way the file
is checked (a zip whose CRCs hold, with the member ``UA.txt`` in GeoNames' 19-column
format) and kept in the index's ``countries/`` folder; the index is then rebuilt with every
kept country's populated places (feature class P) and its second- and third-level
divisions (ADM2, ADM3: raions, hromadas, Russian districts), alternate names included.
Later rebuilds (a new schema) merge the kept files again, offline.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from frontline.errors import GazetteerError

if TYPE_CHECKING:
    import requests

    from frontline.settings import Settings

logger = logging.getLogger(__name__)

COUNTRIES_FOLDER = "countries"
DEFAULT_DUMP_URL_TEMPLATE = "https://download.geonames.org/export/dump/{code}.zip"
# RU.zip is the largest country file GeoNames publishes for the theatre (~45 MB).
MAX_DUMP_BYTES = 200_000_000
DUMP_COLUMNS = 19
# Populated places, except a city's own sections (PPLX) and places that are history only
# (PPLH, PPLQ: historical, abandoned); destroyed villages (PPLW) are still named in reports.
_SKIPPED_PLACE_CODES = frozenset({"PPLX", "PPLH", "PPLQ"})
_DIVISION_CODES = frozenset({"ADM2", "ADM3"})
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
# How many malformed rows a file may have before it is refused as not GeoNames' format.
_MAX_BAD_ROWS = 10
_DUMP_CREDIT = "GeoNames (geonames.org), CC BY 4.0"


@dataclass(frozen=True, slots=True)
class DumpRow:
    """One row of a GeoNames country table that the index takes."""

    geonameid: int
    name: str
    ascii_name: str
    alternate_names: tuple[str, ...]
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country_code: str
    admin_codes: tuple[str, ...]  # admin1..admin4, empty strings where absent
    population: int

    @property
    def is_division(self) -> bool:
        return self.feature_class == "A"

    @property
    def admin_path(self) -> str:
        """ "UA.05.1234.5678": country, then each admin code down to the row's own level."""
        codes = [code for code in self.admin_codes if code]
        return ".".join([self.country_code, *codes])


@dataclass(frozen=True, slots=True)
class CountryFile:
    code: str
    path: Path
    rows: int
    size_bytes: int


def countries_dir(gazetteer_dir: Path) -> Path:
    return Path(gazetteer_dir) / COUNTRIES_FOLDER


def kept_country_files(gazetteer_dir: Path) -> tuple[Path, ...]:
    folder = countries_dir(gazetteer_dir)
    if not folder.is_dir():
        return ()
    return tuple(sorted(p for p in folder.glob("*.zip") if _COUNTRY_CODE.match(p.stem)))


def fingerprint(gazetteer_dir: Path) -> str:
    """What the index must have merged: each kept file's name, size and modification time."""
    parts = []
    for path in kept_country_files(gazetteer_dir):
        stat = path.stat()
        parts.append(f"{path.stem}:{stat.st_size}:{stat.st_mtime_ns}")
    return ",".join(parts)


def _member_code(archive: zipfile.ZipFile, source: str, expected: str | None) -> str:
    members = [info.filename for info in archive.infolist()]
    tables = [name for name in members if re.fullmatch(r"[A-Z]{2}\.txt", name)]
    if expected is not None:
        if f"{expected}.txt" not in members:
            raise GazetteerError(
                f"{source}: not GeoNames' export for {expected} (no member {expected}.txt; "
                f"it holds {', '.join(members[:5]) or 'nothing'})"
            )
        return expected
    if len(tables) != 1:
        raise GazetteerError(
            f"{source}: expected one country table such as UA.txt inside, found "
            f"{', '.join(members[:5]) or 'nothing'}"
        )
    return tables[0][:2]


def _parse_row(line: str) -> DumpRow | None:
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) != DUMP_COLUMNS:
        raise ValueError(f"{len(fields)} columns instead of {DUMP_COLUMNS}")
    feature_class, feature_code = fields[6], fields[7]
    wanted = (feature_class == "P" and feature_code not in _SKIPPED_PLACE_CODES) or (
        feature_class == "A" and feature_code in _DIVISION_CODES
    )
    geonameid, lat, lon = int(fields[0]), float(fields[4]), float(fields[5])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"coordinates out of range ({lat}, {lon})")
    if not wanted or not fields[1]:
        return None
    return DumpRow(
        geonameid=geonameid,
        name=fields[1],
        ascii_name=fields[2],
        alternate_names=tuple(name for name in fields[3].split(",") if name),
        lat=lat,
        lon=lon,
        feature_class=feature_class,
        feature_code=feature_code,
        country_code=fields[8],
        admin_codes=(fields[10], fields[11], fields[12], fields[13]),
        population=int(fields[14] or 0),
    )


def read_country_file(path: Path, expected: str | None = None) -> tuple[str, Iterator[DumpRow]]:
    """Check a GeoNames country zip and return its code and the rows the index takes.

    The zip's CRCs are checked before any row is read; a row that is not in GeoNames'
    format raises GazetteerError naming the file and line (a few stray rows are skipped
    with a warning, as GeoNames' own files occasionally carry one).
    """
    source = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise GazetteerError(f"{source}: not a zip file ({error})") from error
    try:
        broken = archive.testzip()
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as error:
        archive.close()
        raise GazetteerError(f"{source}: the zip is damaged ({error})") from error
    if broken is not None:
        archive.close()
        raise GazetteerError(f"{source}: the zip is damaged (member {broken} fails its CRC)")
    code = _member_code(archive, source, expected)

    def rows() -> Iterator[DumpRow]:
        bad = 0
        with archive, archive.open(f"{code}.txt") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
            try:
                for number, line in enumerate(text, start=1):
                    if not line.strip():
                        continue
                    try:
                        row = _parse_row(line)
                    except ValueError as error:
                        bad += 1
                        if bad > _MAX_BAD_ROWS or number == 1:
                            raise GazetteerError(
                                f"{source}: line {number} of {code}.txt is not a GeoNames "
                                f"row ({error})"
                            ) from error
                        logger.warning("%s: skipping line %d (%s)", source, number, error)
                        continue
                    if row is not None:
                        yield row
            except UnicodeDecodeError as error:
                raise GazetteerError(f"{source}: {code}.txt is not UTF-8 text") from error

    return code, rows()


def check_country_file(path: Path, expected: str | None = None) -> CountryFile:
    """Read a country file through once: its code and how many rows the index will take."""
    code, rows = read_country_file(path, expected)
    count = sum(1 for _ in rows)
    if count == 0:
        raise GazetteerError(f"{path}: {code}.txt has no populated places or divisions")
    return CountryFile(code, Path(path), count, Path(path).stat().st_size)


def keep_country_file(path: Path, gazetteer_dir: Path, expected: str | None = None) -> CountryFile:
    """Check ``path`` and keep a copy as ``countries/<CODE>.zip`` (replacing an older one)."""
    checked = check_country_file(path, expected)
    folder = countries_dir(gazetteer_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{checked.code}.zip"
    if Path(path).resolve() != target.resolve():
        with (
            tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as temporary,
            open(path, "rb") as source,
        ):
            shutil.copyfileobj(source, temporary)
        os.replace(temporary.name, target)
    return CountryFile(checked.code, target, checked.rows, checked.size_bytes)


def download_country_file(
    code: str, settings: Settings, session: requests.Session, folder: Path
) -> Path:
    """Download GeoNames' export for ``code`` into ``folder`` through the network policy:
    the settings' address rules, a budget of its own for the whole download (an export is
    tens of megabytes), at most MAX_DUMP_BYTES."""
    from frontline.fetch import NetworkPolicy, fetch_bytes

    code = code.upper()
    if not _COUNTRY_CODE.match(code):
        raise GazetteerError(f"{code!r} is not a two-letter country code (UA, RU)")
    url = settings.country_dump_url_template.format(code=code)
    policy = NetworkPolicy.from_settings(
        settings,
        max_bytes=MAX_DUMP_BYTES,
        total_timeout_s=max(120.0, 12 * settings.http_timeout_s),
    )
    body = fetch_bytes(url, policy, session=session, read_timeout_s=settings.http_timeout_s).body
    target = Path(folder) / f"{code}.zip"
    target.write_bytes(body)
    return target


def credit() -> str:
    return _DUMP_CREDIT
