"""The article library: articles, their geoparse results and the reader's corrections in SQLite.

Guarantees, and how they are kept:
- A killed process leaves the old or the new state, never a mix: every change is one
  ``BEGIN IMMEDIATE … COMMIT`` transaction; the WAL journal discards an uncommitted tail.
- Concurrent writers (threads, app sessions, processes) lose nothing: each thread has its own
  connection, writers queue on SQLite's lock for up to ``busy_timeout_s``, and the duplicate
  check runs inside the writing transaction.
- A file that is not ours is never written: its header and identity are checked read-only
  before anything (even the WAL switch, which rewrites the header) touches it.
- A damaged library is refused, for reading and writing alike, at a cost that does not grow
  with it: its structure is checked on open, damage elsewhere where a query meets it, and
  every page on demand (``check_every_page``; see ``store_check``).

The stored result is the geoparse as it ran; corrections are stored beside it and applied on
read (``StoredArticle.corrected``), so a later re-geoparse keeps them. The per-place mention
counts for the across-articles view are kept from the corrected result, in the same
transaction as whatever changed it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from frontline.codec import (
    correction_from_dict,
    correction_to_dict,
    places_from_json,
    places_to_json,
    sentence_spans,
    sentences_from_spans,
)
from frontline.corrections import (
    Correction,
    CorrectionReport,
    TerritoryLookup,
    apply_corrections,
    apply_corrections_with_report,
)
from frontline.errors import StoreDamagedError, StoreError
from frontline.model import (
    Article,
    GeoparseResult,
)
from frontline.settings import Settings
from frontline.store_check import (
    APPLICATION_ID,
    DamageMark,
    damage_error,
    is_damage,
    library_state,
    probe_trees,
    problems_in,
    refuse_foreign_file,
)
from frontline.store_schema import create_schema, upgrade_schema

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True, slots=True)
class StoredArticleSummary:
    id: int
    title: str | None
    date: dt.date | None
    source: str
    places: int  # after corrections
    added_at: dt.datetime


@dataclass(frozen=True, slots=True)
class StoredCorrection:
    id: int
    correction: Correction
    added_at: dt.datetime


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: int
    article: Article
    result: GeoparseResult  # the geoparse as it ran, before corrections
    corrections: tuple[StoredCorrection, ...]
    added_at: dt.datetime

    def corrected(self, *, territory_of: TerritoryLookup | None = None) -> CorrectionReport:
        """The result with this article's corrections applied (and which ones were skipped)."""
        return apply_corrections_with_report(
            self.result, [c.correction for c in self.corrections], territory_of=territory_of
        )


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Connection(sqlite3.Connection):
    """A connection that can be weakly referenced (the store tracks them to close them)."""


class ArticleStore:
    """The article library in one SQLite file (default: ``Settings.store_path``).

    Safe to share between threads (each gets its own connection) and to open from several
    processes at once.
    """

    @classmethod
    def from_settings(cls, settings: Settings) -> ArticleStore:
        """The library at ``settings.store_path`` (in the data folder the settings name)."""
        return cls(settings.store_path)

    @classmethod
    def existing(cls, path: Path | str, *, check_every_page: bool = False) -> ArticleStore:
        """The library at ``path``, never a new, empty one (nor its folders) made for a read."""
        if not Path(path).exists():
            raise StoreError(f"there is no article library at {path} ('library add' makes one)")
        return cls(path, check_every_page=check_every_page)

    def __init__(
        self,
        path: Path | str,
        *,
        busy_timeout_s: float = 30.0,
        clock: Clock = _utc_now,
        check_every_page: bool = False,
    ) -> None:
        """``check_every_page``: read the whole file for damage (``library check``; its time
        grows with the library) where an open checks only its structure, and whatever the
        last process found."""
        self.path = Path(path)
        self._busy_timeout_s = busy_timeout_s
        self._clock = clock
        self._local = threading.local()
        self._connections: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._connections_lock = threading.Lock()
        self._damage: str | None = None  # once met, the store is refused for good
        self._damage_mark = DamageMark(self.path)
        refuse_foreign_file(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create the folder for the library {self.path}: {error}"
            ) from error
        self._initialise(check_every_page=check_every_page)

    # -- connections and transactions -------------------------------------------------------

    def _open_connection(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout_s,
            isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE … COMMIT
            check_same_thread=False,  # only close() crosses threads; use stays per thread
            factory=_Connection,
        )
        connection.execute("PRAGMA foreign_keys = ON")
        # FULL: a commit the app reported survives a power cut too, not just a killed process.
        connection.execute("PRAGMA synchronous = FULL")
        return connection

    def _connection(self) -> sqlite3.Connection:
        if self._damage is not None:
            raise damage_error(self.path, self._damage)
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = self._open_connection()
            except sqlite3.Error as error:
                raise self._error("open", error) from error
            self._local.connection = connection
            with self._connections_lock:
                self._connections.add(connection)  # type: ignore[arg-type]
        return connection

    def _error(self, doing: str, error: sqlite3.Error) -> StoreError:
        message = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        if is_damage(error):
            return self._damaged(message)
        return StoreError(f"cannot {doing} the article library {self.path}: {message}")

    def _damaged(self, detail: str) -> StoreDamagedError:
        """Refuse the library from now on: in this store, and by its mark in the next process
        (a write that misses the damaged page would otherwise go on as reads fail)."""
        self._damage = detail
        self._damage_mark.write(detail, self._clock())
        return damage_error(self.path, detail)

    @contextmanager
    def _reading(self, doing: str) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        try:
            yield connection
        except sqlite3.Error as error:
            raise self._error(doing, error) from error

    @contextmanager
    def _writing(self, doing: str) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise self._error(doing, error) from error
        try:
            yield connection
            connection.execute("COMMIT")
        except BaseException as failure:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            if isinstance(failure, sqlite3.Error):
                raise self._error(doing, failure) from failure
            raise

    def _initialise(self, *, check_every_page: bool) -> None:
        if not check_every_page and (found := self._damage_mark.read()) is not None:
            self._damage = found
            raise damage_error(self.path, found)
        # Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is
        # locked" at once, without its busy handler, when another process creating the same
        # library holds one: so that step waits and retries, up to the busy timeout.
        deadline = time.monotonic() + self._busy_timeout_s
        pause_s = 0.005
        while True:
            try:
                state = self._check_identity_and_use_wal()
                break
            except sqlite3.OperationalError as error:
                busy = error.sqlite_errorcode in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
                if not busy or time.monotonic() + pause_s > deadline:
                    raise self._error("open", error) from error
                time.sleep(pause_s)
                pause_s = min(pause_s * 2, 0.1)
            except sqlite3.Error as error:
                raise self._error("open", error) from error
        if check_every_page and state != "empty":
            self._check_every_page()  # before an upgrade writes
        if state == "current":
            # Opening an existing library takes no write lock, so reading it never waits for
            # (or times out behind) another process's save.
            return
        with self._writing("initialise") as connection:
            # Checked again under the write lock: another process may have done it meanwhile.
            state = library_state(connection, self.path)
            if state == "empty":
                create_schema(connection)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            elif state == "old":
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                logger.info("%s: upgrading the library from schema %s", self.path, version)
                upgrade_schema(connection, version)
                # Version 2 keeps each article's date and each place's kind with the counts.
                for (article_id,) in connection.execute("SELECT id FROM articles").fetchall():
                    row = self._article_row(connection, article_id)
                    self._refresh_counts(connection, article_id, self._decode_article(row)[1])

    def _check_every_page(self) -> None:
        try:
            problems = problems_in(self._connection())
        except sqlite3.Error as error:
            raise self._error("check", error) from error
        if problems:
            raise self._damaged("; ".join(problems))
        self._damage_mark.clear()

    def _check_identity_and_use_wal(self) -> str:
        """The library's state (see ``library_state``); sqlite3 errors are left to the caller."""
        connection = self._connection()
        # Read-only look first: a foreign SQLite database must not even get a WAL header.
        # One read transaction, so the id and the table list come from the same commit (a
        # library another process is creating right now has both, or neither).
        connection.execute("BEGIN")
        try:
            state = library_state(connection, self.path)
            if state == "current":
                probe_trees(connection)  # its structure: a few pages, whatever its size
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                logger.warning("%s: journal mode is %s, not WAL", self.path, mode)
        return state

    def close(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
            self._connections = weakref.WeakSet()
        for connection in connections:
            connection.close()
        self._local = threading.local()

    def __enter__(self) -> ArticleStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------

    def list(self, limit: int = -1) -> tuple[StoredArticleSummary, ...]:
        """Every stored article (or the ``limit`` last added), newest first."""
        with self._reading("read") as connection:
            rows = connection.execute(
                "SELECT id, title, date, source, place_count, added_at FROM articles "
                "ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return tuple(
            StoredArticleSummary(
                id=row[0],
                title=row[1],
                date=dt.date.fromisoformat(row[2]) if row[2] else None,
                source=row[3],
                places=row[4],
                added_at=dt.datetime.fromisoformat(row[5]),
            )
            for row in rows
        )

    def id_for_text(self, text: str) -> int | None:
        """The id of the stored article with exactly this text, if any."""
        with self._reading("read") as connection:
            row = connection.execute(
                "SELECT id FROM articles WHERE sha256 = ?", (text_sha256(text),)
            ).fetchone()
        return None if row is None else int(row[0])

    def get(self, article_id: int) -> StoredArticle:
        with self._reading("read") as connection:
            # One read transaction, so the article and its corrections are from the same commit.
            connection.execute("BEGIN")
            try:
                row = self._article_row(connection, article_id)
                corrections = connection.execute(
                    "SELECT id, body, added_at FROM corrections WHERE article_id = ? ORDER BY id",
                    (article_id,),
                ).fetchall()
            finally:
                connection.execute("COMMIT")
        article, result = self._decode_article(row)
        return StoredArticle(
            id=article_id,
            article=article,
            result=result,
            corrections=tuple(
                StoredCorrection(
                    id=correction_id,
                    correction=correction_from_dict(json.loads(body)),
                    added_at=dt.datetime.fromisoformat(added_at),
                )
                for correction_id, body, added_at in corrections
            ),
            added_at=dt.datetime.fromisoformat(row["added_at"]),
        )

    # -- writing ------------------------------------------------------------------------------

    def add(self, article: Article, result: GeoparseResult) -> int:
        """Store ``article`` with its geoparse; an article with the same text keeps its id."""
        with self._writing("save to") as connection:
            return self.insert_article(connection, article, result)[0]

    def keep_many(self, results: Iterable[GeoparseResult]) -> tuple[tuple[int, bool], ...]:
        """Store many geoparsed articles in one transaction (all or none); a text stored
        already gets the new result, its corrections kept. Each one's id, and whether it
        was new."""
        kept: list[tuple[int, bool]] = []
        with self._writing("save to") as connection:
            for result in results:
                digest = text_sha256(result.article.text)
                row = connection.execute(
                    "SELECT id FROM articles WHERE sha256 = ?", (digest,)
                ).fetchone()
                if row is None:
                    kept.append(self.insert_article(connection, result.article, result))
                    continue
                connection.execute(
                    "UPDATE articles SET result = ? WHERE id = ?",
                    (places_to_json(result), row[0]),
                )
                self._refresh_counts(connection, int(row[0]), result)
                kept.append((int(row[0]), False))
        return tuple(kept)

    def insert_article(
        self, connection: sqlite3.Connection, article: Article, result: GeoparseResult
    ) -> tuple[int, bool]:
        """Inside a write transaction of this store (``transaction()``): store ``article``
        unless its text is stored already. Its id, and whether it was new."""
        self._require_same_text(article, result)
        digest = text_sha256(article.text)
        existing = connection.execute(
            "SELECT id FROM articles WHERE sha256 = ?", (digest,)
        ).fetchone()
        if existing is not None:
            logger.info("%s is already stored as article %s", article.source, existing[0])
            return int(existing[0]), False
        cursor = connection.execute(
            "INSERT INTO articles (source, title, date, text, sentences, sha256, added_at, "
            "result, place_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                article.source,
                article.title,
                article.date.isoformat() if article.date else None,
                article.text,
                json.dumps(sentence_spans(article)),
                digest,
                self._clock().isoformat(),
                places_to_json(result),
            ),
        )
        article_id = int(cursor.lastrowid or 0)
        self._refresh_counts(connection, article_id, result)
        return article_id, True

    @contextmanager
    def transaction(self, doing: str = "save to") -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE … COMMIT``, rolled back on any error), for
        what is kept beside the articles in the same file (feeds) and must be saved with them."""
        with self._writing(doing) as connection:
            yield connection

    @contextmanager
    def snapshot(self, doing: str = "read") -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same commit."""
        with self._reading(doing) as connection:
            connection.execute("BEGIN")
            try:
                yield connection
            finally:
                if connection.in_transaction:
                    connection.execute("COMMIT")

    def set_date(self, article_id: int, date: dt.date | None) -> None:
        """Change the article's date (it picks the front-line snapshot; re-geoparse after)."""
        value = date.isoformat() if date else None
        with self._writing("save to") as connection:
            self._article_row(connection, article_id)
            connection.execute("UPDATE articles SET date = ? WHERE id = ?", (value, article_id))
            connection.execute(
                "UPDATE place_mentions SET article_date = ? WHERE article_id = ?",
                (value, article_id),
            )

    def update_result(self, article_id: int, result: GeoparseResult) -> None:
        """Replace the stored geoparse (corrections stay, and apply to the new one)."""
        places_json = places_to_json(result)
        with self._writing("save to") as connection:
            row = self._article_row(connection, article_id)
            if text_sha256(result.article.text) != row["sha256"]:
                raise StoreError(
                    f"the geoparse result is for a different text than article {article_id}"
                )
            connection.execute(
                "UPDATE articles SET result = ? WHERE id = ?", (places_json, article_id)
            )
            self._refresh_counts(connection, article_id, result)

    def add_correction(self, article_id: int, correction: Correction) -> int:
        """Store a correction; one that does not apply to the stored result is refused."""
        body = json.dumps(correction_to_dict(correction), ensure_ascii=False)
        with self._writing("save to") as connection:
            row = self._article_row(connection, article_id)
            result = self._decode_article(row)[1]
            earlier = self._corrections(connection, article_id)
            report = apply_corrections_with_report(result, [*earlier, correction])
            refused = [s.why for s in report.skipped if s.correction is correction]
            if refused:
                raise StoreError(f"correction not saved for article {article_id}: {refused[0]}")
            cursor = connection.execute(
                "INSERT INTO corrections (article_id, body, added_at) VALUES (?, ?, ?)",
                (article_id, body, self._clock().isoformat()),
            )
            self._refresh_counts(connection, article_id, result)
        return int(cursor.lastrowid or 0)

    def remove_correction(self, article_id: int, correction_id: int) -> None:
        with self._writing("save to") as connection:
            row = self._article_row(connection, article_id)
            deleted = connection.execute(
                "DELETE FROM corrections WHERE id = ? AND article_id = ?",
                (correction_id, article_id),
            ).rowcount
            if deleted == 0:
                raise StoreError(f"article {article_id} has no correction {correction_id}")
            self._refresh_counts(connection, article_id, self._decode_article(row)[1])

    def delete(self, article_id: int) -> None:
        with self._writing("delete from") as connection:
            self._article_row(connection, article_id)
            connection.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _require_same_text(article: Article, result: GeoparseResult) -> None:
        if result.article.text != article.text:
            raise StoreError(f"the geoparse result for {article.source} is for a different text")

    def _article_row(self, connection: sqlite3.Connection, article_id: int) -> sqlite3.Row:
        cursor = connection.execute(
            "SELECT id, source, title, date, text, sentences, sha256, added_at, result "
            "FROM articles WHERE id = ?",
            (article_id,),
        )
        cursor.row_factory = sqlite3.Row
        row = cursor.fetchone()
        if row is None:
            raise StoreError(f"there is no article {article_id} in the library {self.path}")
        return row

    def _decode_article(self, row: sqlite3.Row) -> tuple[Article, GeoparseResult]:
        try:
            article = Article(
                text=row["text"],
                source=row["source"],
                title=row["title"],
                date=dt.date.fromisoformat(row["date"]) if row["date"] else None,
                sentences=sentences_from_spans(json.loads(row["sentences"])),
            )
            places, language = places_from_json(row["result"])
        except (ValueError, KeyError, TypeError) as error:
            raise StoreError(
                f"article {row['id']} in the library {self.path} is unreadable: {error}"
            ) from error
        return article, GeoparseResult(article, places, language=language)

    @staticmethod
    def _corrections(connection: sqlite3.Connection, article_id: int) -> tuple[Correction, ...]:
        bodies = connection.execute(
            "SELECT body FROM corrections WHERE article_id = ? ORDER BY id", (article_id,)
        ).fetchall()
        return tuple(correction_from_dict(json.loads(body)) for (body,) in bodies)

    def _refresh_counts(
        self,
        connection: sqlite3.Connection,
        article_id: int,
        result: GeoparseResult,
    ) -> None:
        """The article's per-place mention counts (after its corrections), with its date."""
        (day,) = connection.execute(
            "SELECT date FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        corrections = self._corrections(connection, article_id)
        corrected = apply_corrections(result, corrections) if corrections else result
        connection.execute("DELETE FROM place_mentions WHERE article_id = ?", (article_id,))
        connection.executemany(
            "INSERT INTO place_mentions (article_id, place_key, place_name, lat, lon, mentions, "
            "article_date, feature) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (article_id, place_key) "
            "DO UPDATE SET mentions = mentions + excluded.mentions",
            [
                (
                    article_id,
                    place.key,
                    place.name,
                    place.lat,
                    place.lon,
                    len(place.mentions),
                    day,
                    place.feature,
                )
                for place in corrected.places
            ],
        )
        connection.execute(
            "UPDATE articles SET place_count = ? WHERE id = ?",
            (len(corrected.places), article_id),
        )
