"""The offline index's file: its SQLite tables, written atomically so that a reader never
meets a half-built index (see ``gazetteer`` for reading it, ``gazetteer_build`` for what
goes in)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

_TABLES = """
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


def write_index_file(
    path: Path,
    entries: Iterable[Sequence[Any]],
    names: Iterable[Sequence[Any]],
    meta: Callable[[], Iterable[tuple[str, str]]],
) -> None:
    """Write the index to a temporary file beside ``path`` and move it into place. ``meta``
    is called after the rows are written, so that a build time it records includes them."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    connection = sqlite3.connect(temporary)
    try:
        connection.executescript(_TABLES)
        connection.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?)", entries
        )
        connection.executemany("INSERT INTO names VALUES (?,?,?,?)", names)
        connection.execute("CREATE INDEX names_fold ON names (fold)")
        connection.execute("CREATE INDEX entries_admin1 ON entries (admin1_code)")
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta())
        connection.commit()
    finally:
        connection.close()
    os.replace(temporary, path)
