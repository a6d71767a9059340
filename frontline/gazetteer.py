"""Offline GeoNames gazetteer: built once into a SQLite file, then opened fast.

What goes into it, and from which sources, is ``gazetteer_build``'s; how names are folded
into look-up keys is ``names``'.

The index is a single SQLite file so that every later process opens it in milliseconds
and looks names up through an index instead of loading millions of names into memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from frontline import countries as country_exports
from frontline import romanise
from frontline.errors import GazetteerError
from frontline.gazetteer_build import SCHEMA_VERSION, BuildProgress, build_index, source_versions
from frontline.model import Candidate
from frontline.names import (
    KIND_CODES,
    KIND_NAMES,
    NameKind,
    fold_name,
    is_abbreviation,
    latin_key,
    normalize_name,
)

logger = logging.getLogger(__name__)

INDEX_FILE = "geonames.sqlite3"

__all__ = [
    "INDEX_FILE",
    "Gazetteer",
    "IndexInfo",
    "NameKind",
    "NameMatch",
    "ensure_index",
    "fold_name",
    "normalize_name",
]


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
        and meta.get("sources") == source_versions()
        and meta.get("countries", "") == country_exports.fingerprint(path.parent)
    )


def index_is_current(cache_dir: Path) -> bool:
    """True when ``cache_dir`` holds an index built from today's sources (no build needed)."""
    return _index_is_current(Path(cache_dir) / INDEX_FILE)


def ensure_index(
    cache_dir: Path, progress: BuildProgress | None = None, *, rebuild: bool = False
) -> Path:
    """Path of a current index in ``cache_dir``, building it first if needed (or if
    ``rebuild``; ``progress`` hears of each step of that build). The index is current when
    its schema, its source packages and the country exports kept beside it
    (frontline/countries.py) are those it was built from.

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
                    build_index(path, progress=progress)
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
        row = (
            self._connection()
            .execute("SELECT value FROM meta WHERE key = 'merged_countries'")
            .fetchone()
        )
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
        if is_abbreviation(surface):
            wanted &= {"abbreviation"}
        else:
            wanted.discard("abbreviation")
        if not wanted:
            return ()
        codes = [KIND_CODES[kind] for kind in wanted]
        marks = ",".join("?" * len(codes))
        connection = self._connection()
        rows = connection.execute(
            f"SELECT {_ENTRY_COLUMNS}, n.kind FROM names n JOIN entries e USING (geonameid) "
            f"WHERE n.key = ? AND n.kind IN ({marks})",
            [key, *codes],
        ).fetchall()
        folded = False
        if not rows and romanise.has_cyrillic(key):
            # A Cyrillic form no Cyrillic name matches: its transliteration, as before the
            # index kept Cyrillic names (texts in Ukrainian and Russian are issue 16's).
            key = latin_key(surface)
            rows = connection.execute(
                f"SELECT {_ENTRY_COLUMNS}, n.kind FROM names n JOIN entries e USING (geonameid) "
                f"WHERE n.key = ? AND n.kind IN ({marks})",
                [key, *codes],
            ).fetchall()
        if not rows and not is_abbreviation(surface) and len(key) >= 5:
            folded = True
            rows = connection.execute(
                f"SELECT {_ENTRY_COLUMNS}, n.kind FROM names n JOIN entries e USING (geonameid) "
                f"WHERE n.fold = ? AND n.kind IN ({marks})",
                [fold_name(key), *codes],
            ).fetchall()
        best: dict[int, NameMatch] = {}
        for row in rows:
            match = NameMatch(_candidate(row), KIND_NAMES[int(row[-1])], folded)
            geonameid = int(row[0])
            current = best.get(geonameid)
            if current is None or KIND_CODES[match.kind] < KIND_CODES[current.kind]:
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

    def settlements_within(
        self, south: float, west: float, north: float, east: float
    ) -> tuple[Candidate, ...]:
        """Every town and village whose point lies in the box (for frontline/near_spellings)."""
        rows = (
            self._connection()
            .execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries e WHERE e.feature = 'city' "
                "AND e.lat BETWEEN ? AND ? AND e.lon BETWEEN ? AND ?",
                [south, north, west, east],
            )
            .fetchall()
        )
        return tuple(_candidate(row) for row in rows)

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
