"""The article library under contention and failure, beyond test_store.py's cases.

test_store.py covers two writers on an existing store, a kill at a stalled COMMIT and kills
at random moments. Here: a store created by several processes at once, the same article
added from many threads and processes, the busy timeout (waiting, then one clear error),
readers that run while a writer is killed, and files of every kind that are not a library.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from frontline.errors import StoreError
from frontline.store import ArticleStore, text_sha256

from .test_store import (
    SPAWN,
    TEXT,
    _kill,
    add_sample,
    assert_store_consistent,
    big_result,
    make_article,
)

# Each test starts library writers in processes of their own.
pytestmark = pytest.mark.slow

WRITERS = 3
THREADS_PER_WRITER = 2
ADDS_PER_THREAD = 6


def _unique_text(writer: int, thread: int, item: int) -> str:
    return f"{TEXT} Writer {writer} thread {thread} item {item}."


def _threaded_writer(path: str, writer: int, ready: threading.Barrier) -> None:
    """One process: opens (maybe creates) the store, then adds from several threads at once."""
    ready.wait()
    store = ArticleStore(path, busy_timeout_s=60)
    failures: list[BaseException] = []

    def add_items(thread: int) -> None:
        try:
            for item in range(ADDS_PER_THREAD):
                add_sample(store, _unique_text(writer, thread, item), source=f"{writer}.{thread}")
                # Every thread of every process also adds the one shared text.
                add_sample(store, TEXT, source=f"shared by {writer}.{thread}")
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=add_items, args=(n,)) for n in range(THREADS_PER_WRITER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    if failures:
        raise failures[0]


def run_at_once(target: Callable[..., None], first_argument: str, count: int) -> list[int | None]:
    """Exit codes of ``count`` spawned ``target(first_argument, number, barrier)`` processes."""
    ready = SPAWN.Barrier(count)
    processes = [
        SPAWN.Process(target=target, args=(first_argument, number, ready))
        for number in range(count)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    return [process.exitcode for process in processes]


def test_processes_creating_and_filling_a_new_store_at_once_lose_nothing(tmp_path: Path) -> None:
    store_path = tmp_path / "new" / "library.sqlite3"
    assert run_at_once(_threaded_writer, str(store_path), WRITERS) == [0] * WRITERS

    with assert_store_consistent(store_path) as store:
        texts = {store.get(summary.id).article.text for summary in store.list()}
        assert len(store.list()) == len(texts)
    expected = {
        _unique_text(writer, thread, item)
        for writer in range(WRITERS)
        for thread in range(THREADS_PER_WRITER)
        for item in range(ADDS_PER_THREAD)
    }
    # Every unique article once, and the text all of them added, once.
    assert texts == expected | {TEXT}
    connection = sqlite3.connect(store_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


CREATORS = 4
CREATION_ROUNDS = 25


def _creator(folder: str, creator: int, ready: threading.Barrier) -> None:
    """Each round, every creator opens the same not-yet-existing library at the same moment."""
    for round_number in range(CREATION_ROUNDS):
        ready.wait(30)  # a creator that failed breaks the barrier, so the others stop too
        with ArticleStore(Path(folder) / f"{round_number}.sqlite3", busy_timeout_s=60) as store:
            add_sample(store, f"{TEXT} Creator {creator}.", source=f"creator {creator}")


def test_processes_creating_the_same_library_at_the_same_moment_all_succeed(
    tmp_path: Path,
) -> None:
    assert run_at_once(_creator, str(tmp_path), CREATORS) == [0] * CREATORS
    for round_number in range(CREATION_ROUNDS):
        with ArticleStore(tmp_path / f"{round_number}.sqlite3") as store:
            assert sorted(s.source for s in store.list()) == [
                f"creator {creator}" for creator in range(CREATORS)
            ]


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_writer_past_its_busy_timeout_gets_one_clear_error(tmp_path: Path) -> None:
    store_path = tmp_path / "library.sqlite3"
    with ArticleStore(store_path) as store:
        add_sample(store, source="old")
        before = [(s, store.get(s.id)) for s in store.list()]
    holder = _hold_write_lock(store_path)  # held for the whole attempt below
    try:
        impatient = ArticleStore(store_path, busy_timeout_s=0.2)
        with pytest.raises(StoreError) as refused:
            add_sample(impatient, TEXT + " New.", source="new")
        message = str(refused.value)
        assert "database is locked" in message and str(store_path) in message
        assert "\n" not in message
        # Reading does not need the write lock (WAL): the library stays readable meanwhile.
        assert [s.source for s in impatient.list()] == ["old"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [(s, impatient.get(s.id)) for s in impatient.list()] == before
    # The same store writes once the lock is free: the failure left nothing behind.
    add_sample(impatient, TEXT + " New.", source="new")
    assert [s.source for s in impatient.list()] == ["new", "old"]
    impatient.close()


class _SignalsBegin(ArticleStore):
    """Tells the test when its write transaction starts asking for the lock."""

    asking: threading.Event

    def _open_connection(self) -> sqlite3.Connection:
        connection = super()._open_connection()

        def trace(statement: str) -> None:
            if statement.strip().upper() == "BEGIN IMMEDIATE":
                self.asking.set()

        connection.set_trace_callback(trace)
        return connection


def test_a_writer_within_its_busy_timeout_waits_and_saves(tmp_path: Path) -> None:
    store_path = tmp_path / "library.sqlite3"
    ArticleStore(store_path).close()
    holder = _hold_write_lock(store_path)
    patient = _SignalsBegin(store_path, busy_timeout_s=60)
    patient.asking = threading.Event()
    outcome: list[object] = []

    def add() -> None:
        try:
            outcome.append(add_sample(patient, source="waited"))
        except BaseException as error:
            outcome.append(error)

    writer = threading.Thread(target=add)
    writer.start()
    try:
        assert patient.asking.wait(30)
        writer.join(0.3)  # not a synchronisation: the writer must still be waiting here
        assert writer.is_alive() and outcome == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    writer.join(60)
    assert len(outcome) == 1 and isinstance(outcome[0], int), outcome
    assert [s.source for s in patient.list()] == ["waited"]
    patient.close()


def round_text(number: int | str) -> str:
    # ~600 KB: large enough that a save spills pages into the WAL before its COMMIT.
    return f"Report {number} on Kharkiv. " + "Artillery fire near Kharkiv. " * 20_000


def _endless_writer(path: str, started: object) -> None:
    store = ArticleStore(path)
    started.set()  # type: ignore[attr-defined]
    for round_number in range(10_000):
        article = make_article(round_text(round_number), source=f"r{round_number}")
        store.add(article, big_result(article, places=30))


def test_readers_see_whole_articles_while_a_writer_runs_and_is_killed(tmp_path: Path) -> None:
    store_path = tmp_path / "library.sqlite3"
    with ArticleStore(store_path) as store:
        add_sample(store, source="old")
    started = SPAWN.Event()
    child = SPAWN.Process(target=_endless_writer, args=(str(store_path), started))
    child.start()
    assert started.wait(60)
    reader = ArticleStore(store_path, busy_timeout_s=60)
    checked: set[int] = set()
    try:
        # Read while the writer commits; every article seen must be complete and match.
        while len(checked) < 3:
            time.sleep(0.02)  # a polling interval, so the reader does not starve the writer
            for summary in reader.list():
                if summary.id in checked or summary.source == "old":
                    continue
                stored = reader.get(summary.id)
                number = summary.source.removeprefix("r")
                assert stored.article.text == round_text(number)
                assert len(stored.result.places) == summary.places == 30
                checked.add(summary.id)
            assert child.is_alive(), "the writer stopped before the readers had seen enough"
    finally:
        _kill(child)  # most likely mid-transaction: it spends its time writing
    reader.close()
    with assert_store_consistent(store_path) as store:
        sources = [summary.source for summary in store.list()]
        assert "old" in sources and len(sources) >= len(checked) + 1
        add_sample(store, TEXT + " After the kill.", source="after")


def _not_a_library(name: str) -> bytes:
    generator = random.Random(name)
    return {
        "random-bytes": generator.randbytes(8192),
        "zeros": bytes(4096),
        "short-text": b"library",
        "utf16-text": "Kharkiv, Odesa".encode("utf-16"),
        "png": b"\x89PNG\r\n\x1a\n" + generator.randbytes(500),
        "sqlite-header-only": b"SQLite format 3",  # one byte short of the real header
        "csv": b"id,title\n1,Shelling near Kharkiv\n",
    }[name]


@pytest.mark.parametrize(
    "name",
    ["random-bytes", "zeros", "short-text", "utf16-text", "png", "sqlite-header-only", "csv"],
)
def test_a_file_that_is_not_sqlite_is_refused_untouched(name: str, tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    content = _not_a_library(name)
    path.write_bytes(content)
    with pytest.raises(StoreError) as refused:
        ArticleStore(path)
    message = str(refused.value)
    assert message == (
        f"{path} is not an article library (not an SQLite database); it was left untouched"
    )
    assert path.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ["library.sqlite3"]


def test_an_empty_file_becomes_a_new_library(tmp_path: Path) -> None:
    # Zero bytes is what SQLite itself calls an empty database (e.g. after `touch`).
    path = tmp_path / "library.sqlite3"
    path.touch()
    with ArticleStore(path) as store:
        article_id = add_sample(store)
        assert text_sha256(store.get(article_id).article.text) == text_sha256(TEXT)


def test_process_pool_adds_of_one_text_give_one_article(tmp_path: Path) -> None:
    """The duplicate check runs inside the write: racing adds of one text yield one id."""
    store_path = tmp_path / "library.sqlite3"
    ArticleStore(store_path).close()
    with SPAWN.Pool(3) as pool:
        ids = pool.starmap(_add_text_once, [(str(store_path), f"copy {n}") for n in range(9)])
    assert len(set(ids)) == 1
    with ArticleStore(store_path) as store:
        assert [s.id for s in store.list()] == ids[:1]


def _add_text_once(path: str, source: str) -> int:
    with ArticleStore(path, busy_timeout_s=60) as store:
        return add_sample(store, TEXT + " The same for everyone.", source=source)
