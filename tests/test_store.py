"""The article library on real SQLite files: round trips, restarts, concurrency, killed writers."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from frontline import overview
from frontline.codec import correction_to_dict, places_to_json, result_from_json, result_to_json
from frontline.corrections import AddMention, ChooseCandidate, RemovePlace
from frontline.errors import StoreError
from frontline.feeds import FeedStore
from frontline.model import (
    Article,
    Candidate,
    GeoparseResult,
    Mention,
    Place,
    Sentence,
    TerritoryStatus,
)
from frontline.overview import Scope, mention_counts
from frontline.settings import Settings
from frontline.store import ArticleStore, StoredArticle, text_sha256
from frontline.store_schema import SCHEMA_VERSION

# Spawned, not forked: a child forked from a threaded test process can inherit held locks.
SPAWN = multiprocessing.get_context("spawn")

KHARKIV = Candidate(
    706483, "Kharkiv", 49.98081, 36.25272, "city", "UA", "Kharkiv Oblast", 1_430_885, "UA.07"
)
ODESA = Candidate(698740, "Odesa", 46.47747, 30.73262, "city", "UA", "Odesa Oblast", 1_015_826)
POKROVSK_UA = Candidate(708310, "Pokrovsk", 48.28198, 37.17585, "city", "UA", "Donetsk Oblast")
POKROVSK_RU = Candidate(2017215, "Pokrovsk", 61.48414, 129.14823, "city", "RU", "Sakha")
UNMAPPED = Candidate(None, "Somewhere", None, None, "other", None, None, source="nominatim")

TEXT = (
    "Russian forces shelled Kharkiv on Friday. "
    "In Odesa, drones were shot down near the port. "
    "Pokrovsk remains under pressure, officials said. Kharkiv again."
)


def sentences_of(text: str) -> tuple[Sentence, ...]:
    spans, start = [], 0
    for index, piece in enumerate(text.split(". ")):
        end = min(start + len(piece) + 1, len(text))
        spans.append(Sentence(index, start, end))
        start = end + 1
    return tuple(spans)


def make_article(text: str = TEXT, *, source: str = "test.txt", day: int = 17) -> Article:
    return Article(text, source, f"Report {source}", dt.date(2024, 5, day), sentences_of(text))


def mention(article: Article, word: str, occurrence: int = 0) -> Mention:
    start = -1
    for _ in range(occurrence + 1):
        start = article.text.index(word, start + 1)
    return Mention(word, start, start + len(word), article.sentence_index_at(start), ("ner:GPE",))


def make_result(article: Article) -> GeoparseResult:
    free = TerritoryStatus("free", 31.254, dt.date(2024, 5, 17), distance_to_edge_km=31.254)
    places = (
        Place(
            "Kharkiv",
            KHARKIV,
            0.93,
            ("ner:GPE", "gazetteer: city of 1.4M"),
            (),
            (mention(article, "Kharkiv"), mention(article, "Kharkiv", 1)),
            free,
        ),
        Place(
            "Pokrovsk",
            POKROVSK_RU,
            0.41,
            ("population",),
            (POKROVSK_UA, UNMAPPED),
            (mention(article, "Pokrovsk"),),
        ),
    )
    return GeoparseResult(article, places)


def add_sample(store: ArticleStore, text: str = TEXT, **kwargs: object) -> int:
    article = make_article(text, **kwargs)  # type: ignore[arg-type]
    return store.add(article, make_result(article))


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "library.sqlite3"


def test_result_json_round_trip_is_lossless() -> None:
    result = make_result(make_article())
    assert result_from_json(result_to_json(result)) == result
    with pytest.raises(StoreError):
        result_from_json('{"format": 99}')


def test_article_and_result_round_trip(store_path: Path) -> None:
    clock_time = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
    with ArticleStore(store_path, clock=lambda: clock_time) as store:
        article = make_article()
        result = make_result(article)
        article_id = store.add(article, result)
        stored = store.get(article_id)
        assert isinstance(stored, StoredArticle)
        assert stored.article == article
        assert stored.result == result
        assert stored.corrections == ()
        assert stored.added_at == clock_time
        (summary,) = store.list()
        assert (summary.id, summary.title, summary.date, summary.source, summary.places) == (
            article_id,
            "Report test.txt",
            dt.date(2024, 5, 17),
            "test.txt",
            2,
        )


def test_store_file_is_in_wal_mode_with_foreign_keys(store_path: Path) -> None:
    with ArticleStore(store_path) as store:
        add_sample(store)
    connection = sqlite3.connect(store_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_everything_survives_a_restart(store_path: Path) -> None:
    first = ArticleStore(store_path)
    ids = [
        add_sample(first, TEXT + f" Day {day}.", source=f"a{day}.txt", day=day) for day in (3, 1)
    ]
    first.add_correction(ids[0], RemovePlace("Pokrovsk", "not in this story"))
    before = [first.get(article_id) for article_id in ids]
    listing = first.list()
    counts = mention_counts(first, Scope())
    first.close()

    reopened = ArticleStore(store_path)
    assert [reopened.get(article_id) for article_id in ids] == before
    assert reopened.list() == listing
    assert mention_counts(reopened, Scope()) == counts
    reopened.close()


def test_a_correction_survives_a_restart_and_a_regeoparse(store_path: Path) -> None:
    store = ArticleStore(store_path)
    article_id = add_sample(store)
    correction = ChooseCandidate("Pokrovsk", 708310, "Donetsk front")
    correction_id = store.add_correction(article_id, correction)
    store.close()

    store = ArticleStore(store_path)
    stored = store.get(article_id)
    assert [(c.id, c.correction) for c in stored.corrections] == [(correction_id, correction)]
    assert stored.result.places[1].candidate == POKROVSK_RU  # stored as geoparsed
    report = stored.corrected()
    assert report.result.places[1].candidate == POKROVSK_UA and report.skipped == ()

    # A re-geoparse replaces the result; the correction applies to the new one.
    regeoparsed = make_result(stored.article)
    regeoparsed = replace(
        regeoparsed, places=tuple(replace(p, score=p.score / 2) for p in regeoparsed.places)
    )
    store.update_result(article_id, regeoparsed)
    again = store.get(article_id)
    assert again.result == regeoparsed
    assert again.corrected().result.places[1].candidate == POKROVSK_UA

    store.remove_correction(article_id, correction_id)
    assert store.get(article_id).corrections == ()
    with pytest.raises(StoreError, match=str(correction_id)):
        store.remove_correction(article_id, correction_id)
    store.close()


def test_corrections_change_the_counts_the_library_shows(store_path: Path) -> None:
    with ArticleStore(store_path) as store:
        article_id = add_sample(store)
        article = store.get(article_id).article
        start = TEXT.index("Odesa")
        removal = store.add_correction(article_id, RemovePlace("Pokrovsk"))
        store.add_correction(article_id, AddMention(start, start + 5, "Odesa", ODESA))
        assert store.list()[0].places == 2
        counts = {(c.place_name, c.count) for c in mention_counts(store, Scope())}
        assert counts == {("Kharkiv", 2), ("Odesa", 1)}
        store.remove_correction(article_id, removal)
        assert store.list()[0].places == 3
        assert article.text[start : start + 5] == "Odesa"


def test_set_date_moves_the_article_in_time(store_path: Path) -> None:
    with ArticleStore(store_path) as store:
        article_id = add_sample(store)
        store.set_date(article_id, dt.date(2023, 1, 2))
    with ArticleStore(store_path) as store:
        stored = store.get(article_id)
        assert stored.article.date == stored.result.article.date == dt.date(2023, 1, 2)
        assert {c.article_date for c in mention_counts(store, Scope())} == {dt.date(2023, 1, 2)}
        store.set_date(article_id, None)
        assert store.list()[0].date is None


def test_the_same_text_is_stored_once(store_path: Path) -> None:
    with ArticleStore(store_path) as store:
        first = add_sample(store, source="paste")
        second = add_sample(store, source="upload.txt")
        assert first == second
        assert len(store.list()) == 1
        assert store.id_for_text(TEXT) == first
        assert store.id_for_text(TEXT + " changed") is None


def test_mention_counts_per_place_and_article(store_path: Path) -> None:
    with ArticleStore(store_path) as store:
        later = add_sample(store, TEXT + " Later.", source="later", day=20)
        earlier = add_sample(store, TEXT + " Earlier.", source="earlier", day=10)
        counts = mention_counts(store, Scope())
    assert [(c.article_id, c.place_name, c.count) for c in counts] == [
        (earlier, "Kharkiv", 2),
        (earlier, "Pokrovsk", 1),
        (later, "Kharkiv", 2),
        (later, "Pokrovsk", 1),
    ]
    kharkiv = counts[0]
    assert (kharkiv.place_key, kharkiv.lat, kharkiv.lon) == (KHARKIV.key, KHARKIV.lat, KHARKIV.lon)
    assert kharkiv.article_date == dt.date(2024, 5, 10)


def test_delete_removes_the_article_its_corrections_and_counts(store_path: Path) -> None:
    with ArticleStore(store_path) as store:
        kept = add_sample(store, TEXT + " Kept.")
        gone = add_sample(store, TEXT + " Gone.")
        store.add_correction(gone, RemovePlace("Kharkiv"))
        store.delete(gone)
        assert [summary.id for summary in store.list()] == [kept]
        assert {c.article_id for c in mention_counts(store, Scope())} == {kept}
        with pytest.raises(StoreError, match=f"no article {gone}"):
            store.get(gone)
    connection = sqlite3.connect(store_path)
    assert connection.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0
    connection.close()


def test_refused_writes_change_nothing(store_path: Path) -> None:
    with ArticleStore(store_path) as store:
        article_id = add_sample(store)
        before = store.get(article_id)
        other = make_article("Another text about Kharkiv. And Pokrovsk, Kharkiv.")
        with pytest.raises(StoreError, match="different text"):
            store.update_result(article_id, make_result(other))
        with pytest.raises(StoreError, match="different text"):
            store.add(make_article(), make_result(other))
        with pytest.raises(StoreError, match="no article 999"):
            store.add_correction(999, RemovePlace("Kharkiv"))
        with pytest.raises(StoreError, match="not saved") as refused:
            store.add_correction(article_id, RemovePlace("Lviv"))
        assert "Lviv" in str(refused.value)
        with pytest.raises(StoreError, match="not saved"):
            store.add_correction(article_id, AddMention(0, 7, "Odesa!!", ODESA))
        assert store.get(article_id) == before
        assert len(store.list()) == 1


def _add_many(store: ArticleStore, writer: int, count: int) -> list[int]:
    return [
        add_sample(store, f"{TEXT} Writer {writer} item {item}.", source=f"w{writer}-{item}")
        for item in range(count)
    ]


@pytest.mark.parametrize("shared", [True, False], ids=["one-store", "store-per-thread"])
def test_two_threads_adding_at_once_lose_nothing(store_path: Path, shared: bool) -> None:
    ArticleStore(store_path).close()
    common = ArticleStore(store_path, busy_timeout_s=60)
    ids: dict[int, list[int]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(number: int) -> None:
        store = common if shared else ArticleStore(store_path, busy_timeout_s=60)
        try:
            start.wait()
            ids[number] = _add_many(store, number, 20)
        except BaseException as error:
            errors.append(error)
        finally:
            if not shared:
                store.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    listing = common.list()
    assert len(listing) == 40
    assert sorted(s.id for s in listing) == sorted(ids[1] + ids[2])
    assert {s.source for s in listing} == {f"w{w}-{i}" for w in (1, 2) for i in range(20)}
    common.close()


def _process_writer(path: str, number: int, ready: threading.Barrier) -> None:
    store = ArticleStore(path, busy_timeout_s=60)
    ready.wait()
    _add_many(store, number, 20)
    store.close()


@pytest.mark.slow
def test_two_processes_adding_at_once_lose_nothing(store_path: Path) -> None:
    ArticleStore(store_path).close()
    ready = SPAWN.Barrier(2)
    processes = [
        SPAWN.Process(target=_process_writer, args=(str(store_path), n, ready)) for n in (1, 2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [process.exitcode for process in processes] == [0, 0]
    with ArticleStore(store_path) as store:
        sources = [summary.source for summary in store.list()]
    assert sorted(sources) == sorted(f"w{w}-{i}" for w in (1, 2) for i in range(20))


# --- killed during a save --------------------------------------------------------------------

BIG_WORDS = 600_000  # ~4 MB of text: more than SQLite's page cache, so pages spill to the WAL


def big_text(tag: str) -> str:
    return f"Big report {tag} on Kharkiv. " + "Artillery fire near Kharkiv. " * (BIG_WORDS // 4)


def big_result(article: Article, places: int = 400) -> GeoparseResult:
    mentions = (mention(article, "Kharkiv"),)
    return GeoparseResult(
        article,
        tuple(
            Place(f"Place {n}", replace(KHARKIV, geonameid=n), 0.5, ("bulk",), (), mentions)
            for n in range(places)
        ),
    )


class _StallBeforeCommit(ArticleStore):
    """In the child: holds the writing transaction open just before COMMIT, once armed."""

    armed: threading.Event | None = None
    stalled: object = None

    def _open_connection(self) -> sqlite3.Connection:
        connection = super()._open_connection()

        def trace(statement: str) -> None:
            if statement.strip().upper() == "COMMIT" and self.armed and self.armed.is_set():
                self.stalled.set()  # type: ignore[attr-defined]
                time.sleep(120)  # the parent kills us here

        connection.set_trace_callback(trace)
        return connection


def _stalling_child(path: str, action: str, stalled: object) -> None:
    store = _StallBeforeCommit(path)
    store.armed = threading.Event()
    store.stalled = stalled
    if action == "add":
        article = make_article(big_text("new"), source="new")
        result = big_result(article)
        store.armed.set()
        store.add(article, result)
    else:
        result = big_result(store.get(1).article, places=12_000)
        store.armed.set()
        store.update_result(1, result)


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join(30)
    assert process.exitcode == -signal.SIGKILL


def assert_store_consistent(path: Path) -> ArticleStore:
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    hashes = dict(connection.execute("SELECT id, sha256 FROM articles").fetchall())
    connection.close()
    store = ArticleStore(path)
    counts = mention_counts(store, Scope())
    for summary in store.list():
        stored = store.get(summary.id)
        assert text_sha256(stored.article.text) == hashes[summary.id]
        assert stored.result.article == stored.article
        corrected = stored.corrected().result
        assert summary.places == len(corrected.places)
        assert sum(c.count for c in counts if c.article_id == summary.id) == sum(
            len(p.mentions) for p in corrected.places
        )
    return store


@pytest.mark.slow
@pytest.mark.parametrize("action", ["add", "update_result"])
def test_a_process_killed_during_a_save_leaves_the_old_state(store_path: Path, action: str) -> None:
    with ArticleStore(store_path) as store:
        old_id = add_sample(store, source="old")
        old = store.get(old_id)
    stalled = SPAWN.Event()
    child = SPAWN.Process(target=_stalling_child, args=(str(store_path), action, stalled))
    child.start()
    assert stalled.wait(120), "the child never reached its COMMIT"
    # The uncommitted article is on disk in the WAL: the kill lands mid-write, not before it.
    assert Path(f"{store_path}-wal").stat().st_size > 1_000_000
    _kill(child)

    store = assert_store_consistent(store_path)
    assert [summary.id for summary in store.list()] == [old_id]
    assert store.get(old_id) == old
    # The library is writable again: the dead writer's lock went with it.
    assert add_sample(store, TEXT + " After.", source="after") != old_id
    store.close()


def _busy_writer(path: str, started: object) -> None:
    store = ArticleStore(path)
    started.set()  # type: ignore[attr-defined]
    for round_number in range(1000):
        article = make_article(big_text(f"round {round_number}"), source=f"r{round_number}")
        new_id = store.add(article, big_result(article, places=50))
        store.add_correction(new_id, RemovePlace("Place 1"))
        store.update_result(1, big_result(store.get(1).article, places=round_number % 7 + 1))


@pytest.mark.slow
@pytest.mark.parametrize("delay_s", [0.05, 0.2, 0.45, 0.7, 1.1])
def test_kills_at_arbitrary_moments_leave_whole_articles(store_path: Path, delay_s: float) -> None:
    with ArticleStore(store_path) as store:
        add_sample(store, source="old")
    started = SPAWN.Event()
    child = SPAWN.Process(target=_busy_writer, args=(str(store_path), started))
    child.start()
    assert started.wait(60)
    time.sleep(delay_s)  # where the kill lands varies; the invariants must hold wherever it does
    _kill(child)
    store = assert_store_consistent(store_path)
    expected = {"old"} | {f"r{n}" for n in range(1000)}
    for summary in store.list():
        assert summary.source in expected
        if summary.source != "old":
            text = store.get(summary.id).article.text
            assert text == big_text(summary.source.replace("r", "round ", 1))
    store.close()


# --- files that are not a library ------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    content = b"These are my notes, not a database.\n" * 100
    path.write_bytes(content)
    with pytest.raises(StoreError) as refused:
        ArticleStore(path)
    message = str(refused.value)
    assert str(path) in message and "not an SQLite database" in message and "\n" not in message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite3"]


def test_another_programs_sqlite_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE accounts (name TEXT)")
    connection.execute("INSERT INTO accounts VALUES ('alice')")
    connection.commit()
    connection.close()
    content = path.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        ArticleStore(path)
    assert path.read_bytes() == content


def test_a_damaged_library_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    content = path.read_bytes()
    with pytest.raises(StoreError, match=r"damaged\.sqlite3"):
        ArticleStore(path)
    assert path.read_bytes() == content


def test_a_folder_in_place_of_the_file_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="folder"):
        ArticleStore(tmp_path)


def test_the_library_lives_where_the_settings_say(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "frontline-data")
    with ArticleStore.from_settings(settings) as store:
        add_sample(store)
    assert (tmp_path / "frontline-data" / "library.sqlite3").is_file()
    with ArticleStore(settings.store_path) as store:
        assert len(store.list()) == 1


# Schema 1, as frontline wrote it before the all-articles map (store.py at 6dc3be2).
SCHEMA_1 = """
CREATE TABLE articles (id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, title TEXT,
    date TEXT, text TEXT NOT NULL, sentences TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL, result TEXT NOT NULL, place_count INTEGER NOT NULL);
CREATE TABLE corrections (id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    body TEXT NOT NULL, added_at TEXT NOT NULL);
CREATE INDEX corrections_by_article ON corrections(article_id, id);
CREATE TABLE place_mentions (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    place_key TEXT NOT NULL, place_name TEXT NOT NULL, lat REAL, lon REAL,
    mentions INTEGER NOT NULL, PRIMARY KEY (article_id, place_key));
PRAGMA application_id = 1179798606;
PRAGMA user_version = 1;
"""


def test_a_library_of_schema_1_is_upgraded_and_keeps_its_articles(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    article = make_article()
    result = make_result(article)
    with sqlite3.connect(store_path) as connection:
        connection.executescript(SCHEMA_1)
        connection.execute(
            "INSERT INTO articles (source, title, date, text, sentences, sha256, added_at, "
            "result, place_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2)",
            (
                article.source,
                article.title,
                "2024-05-17",
                article.text,
                "[" + ",".join(f"[{s.start},{s.end}]" for s in article.sentences) + "]",
                text_sha256(article.text),
                "2024-06-01T12:00:00+00:00",
                places_to_json(result),
            ),
        )
        connection.execute(
            "INSERT INTO corrections (article_id, body, added_at) VALUES (1, ?, ?)",
            (json.dumps(correction_to_dict(RemovePlace("Pokrovsk"))), "2024-06-01T12:00:00"),
        )
        connection.execute(
            "INSERT INTO place_mentions VALUES (1, ?, 'Kharkiv', 49.98, 36.25, 2)",
            (KHARKIV.key,),
        )
    with ArticleStore(store_path) as store:
        stored = store.get(1)
        assert stored.article == article and stored.result == result
        assert [type(c.correction) for c in stored.corrections] == [RemovePlace]
        (count,) = mention_counts(store, Scope())
        assert (count.place_name, count.count, count.article_date) == (
            "Kharkiv",
            2,
            dt.date(2024, 5, 17),
        )
        (total,) = overview.place_totals(store, Scope(dt.date(2024, 5, 1), dt.date(2024, 5, 31)))
        assert total.feature == "city"
        assert FeedStore(store).list() == ()
        second = add_sample(store, TEXT + " Again.", day=18)
        assert second == 2
    with sqlite3.connect(store_path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        indexes = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"articles_by_date", "place_mentions_by_date", "feeds", "feed_items"} <= indexes
