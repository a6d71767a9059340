"""What the article library's file is: not SQLite, another program's database, a newer
frontline's, or damaged; told at a cost that does not grow with the library.

Opening a library reads its header and schema and the first and last entries of every table
and index (``probe_trees``): a few pages each, whatever the library's size, where SQLite's
``quick_check`` read every page (1.9 s from a cold disk for 10,000 articles, 16 s for
100,000: BENCHMARKS.md). That catches a file that is not SQLite, one cut short (SQLite
compares the header's page count with the file's size) and a damaged schema, root or
newest page. Damage elsewhere is found where it is read: every query the store runs turns
SQLite's "database disk image is malformed" (``is_damage``) into one ``StoreDamagedError``,
and from then on the store refuses to read or write. The damage is remembered beside the
file (``DamageMark``), so the next process refuses the library at once, as the full check
used to: once any command has met the damage, nothing more is written into it. (Before
that, a write whose pages are sound goes through, as SQLite checks every page it reads.)
``library check`` reads every page (``PRAGMA integrity_check``) on demand and clears the
mark when it finds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from pathlib import Path

from frontline.errors import StoreDamagedError, StoreError
from frontline.files import write_atomically
from frontline.store_schema import SCHEMA_VERSION

logger = logging.getLogger(__name__)

# PRAGMA application_id marks the file as ours ("FRLN"), so another program's database is
# recognised and left alone.
APPLICATION_ID = 0x46524C4E
_SQLITE_HEADER = b"SQLite format 3\x00"

# SQLite's primary result codes for a file whose content is wrong, as against busy, locked,
# full or unreadable (an I/O error is not damage: the next try may work).
_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
# How many problems the full check reports (one line: the first ones say enough).
_PROBLEMS_REPORTED = 3


def refuse_foreign_file(path: Path) -> None:
    """Raise unless ``path`` is missing, empty or an SQLite file (read, never written)."""
    if path.exists() and not path.is_file():
        # A folder, /dev/null, a pipe: SQLite would even write /dev/null-journal beside it.
        kind = "a folder" if path.is_dir() else "a device or a pipe"
        raise StoreError(f"the article library {path} is {kind}, not a file")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"cannot read the article library {path}: {error}") from error
    if header and header != _SQLITE_HEADER:
        raise StoreError(
            f"{path} is not an article library (not an SQLite database); it was left untouched"
        )


def library_state(connection: sqlite3.Connection, path: Path) -> str:
    """The database's state: "empty" (needs the schema), "old" (to upgrade) or "current";
    raise if the database belongs elsewhere or to a newer frontline. sqlite3 errors are left
    to the caller."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    tables = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
    ).fetchone()[0]
    if application_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the article library {path} was written by a newer frontline "
                f"(schema {version}, this one reads {SCHEMA_VERSION})"
            )
        return "old" if version < SCHEMA_VERSION else "current"
    if application_id == 0 and tables == 0:
        return "empty"
    raise StoreError(
        f"{path} is an SQLite database of another program, not an article library; "
        "it was left untouched"
    )


def is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite failed because the file's content is damaged."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _DAMAGE_CODES


def damage_error(path: Path, detail: str) -> StoreDamagedError:
    detail = " ".join(detail.split())[:200]
    return StoreDamagedError(
        f"the article library {path} is damaged ({detail}); left as is "
        "('library check' reads every page of it)"
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def probe_trees(connection: sqlite3.Connection) -> int:
    """Read the first and the last entry of every table and index: each tree's root and the
    pages down its two edges, which every query starts from and where the newest rows are
    written. sqlite3 errors are left to the caller. How many queries ran."""
    trees = connection.execute(
        "SELECT type, name, tbl_name FROM sqlite_master "
        "WHERE type IN ('table', 'index') AND rootpage > 0 ORDER BY rootpage"
    ).fetchall()
    queries: list[str] = []
    for kind, name, table in trees:
        if kind == "table":
            # NOT INDEXED: the table's own tree, not a covering index of it.
            edge = f"SELECT rowid FROM {_quoted(table)} NOT INDEXED ORDER BY rowid"
        else:
            columns = connection.execute(f"PRAGMA index_info({_quoted(name)})").fetchall()
            if not columns or columns[0][2] is None:
                continue  # an index on an expression: not in a library's schema
            first = _quoted(columns[0][2])
            edge = (
                f"SELECT {first} FROM {_quoted(table)} INDEXED BY {_quoted(name)} ORDER BY {first}"
            )
        queries += [f"{edge} LIMIT 1", f"{edge} DESC LIMIT 1"]
    for query in queries:
        connection.execute(query).fetchall()
    return len(queries)


def problems_in(connection: sqlite3.Connection) -> list[str]:
    """What ``PRAGMA integrity_check`` finds, reading every page (nothing: an empty list)."""
    try:
        rows = connection.execute(f"PRAGMA integrity_check({_PROBLEMS_REPORTED})").fetchall()
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        return [str(error)]
    return [str(row[0]) for row in rows if row[0] != "ok"]


class DamageMark:
    """``<library>-damaged`` beside the library: the damage a process met, for the next one.

    It names the file as it was when the damage was met (inode, size, modification time),
    so a library restored or replaced since is not refused for what its predecessor had;
    SQLite only writes the file itself at a commit or a checkpoint, and a damaged library
    gets neither."""

    def __init__(self, library: Path) -> None:
        self.library = library
        self.path = library.with_name(library.name + "-damaged")

    def _identity(self) -> list[int] | None:
        try:
            stat = self.library.stat()
        except OSError:
            return None
        return [stat.st_ino, stat.st_size, stat.st_mtime_ns]

    def read(self) -> str | None:
        """The damage met in this very file, if any: a one-line detail."""
        try:
            mark = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            logger.warning("%s: unreadable, ignored (%s)", self.path, error)
            return None
        if not isinstance(mark, dict) or mark.get("file") != self._identity():
            logger.info("%s: the library changed since it was marked; mark dropped", self.path)
            self.clear()
            return None
        return f"found {mark.get('found_at', '?')}: {mark.get('detail', '?')}"

    def write(self, detail: str, found_at: dt.datetime) -> None:
        identity = self._identity()
        if identity is None:
            return
        when = found_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        mark = {"detail": detail, "found_at": when, "file": identity}
        try:
            write_atomically(self.path, json.dumps(mark) + "\n")
        except OSError as error:  # a read-only folder: this process still refuses it
            logger.warning("cannot mark %s as damaged: %s", self.library, error)

    def clear(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError as error:
            logger.warning("cannot remove %s: %s", self.path, error)
