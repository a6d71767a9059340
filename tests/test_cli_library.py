"""``python -m frontline library ...`` and multi-input ``geoparse``, in real processes.

URLs are served by real HTTP servers on 127.0.0.1 and 127.0.0.2 (see test_fetch.py). With
private URLs refused, ``FRONTLINE_ALLOWED_NETWORKS`` admits exactly the origin server, so a
redirect to another loopback address or to 169.254.169.254 is judged as it would be in a
public deployment.

Loading spaCy costs a few seconds per process, so only the tests that must geoparse start
one that does; bad inputs fail before the model is loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from frontline.cli_library import format_table
from frontline.corrections import RemovePlace
from frontline.store import ArticleStore, StoredArticleSummary

from . import test_fetch
from .conftest import REPO_ROOT, SAMPLE_ARTICLE
from .test_fetch import ARTICLE_HTML, NO_ARTICLE_HTML, Handler, Response, Server, html, redirect

# Each test starts processes of its own (the CLI loads spaCy in each).
pytestmark = pytest.mark.slow

serve = test_fetch.serve  # the fixture that starts real HTTP servers on loopback addresses

KHARKIV, ODESA, POKROVSK = 706483, 698740, 704422
LISTED_KEYS = {"id", "title", "date", "source", "places"}


def run_cli(
    *arguments: str, env: Mapping[str, str] | None = None, data_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:

    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FRONTLINE_ALLOW_PRIVATE_URLS", "FRONTLINE_ALLOWED_NETWORKS"}
    }
    if data_dir is not None:
        environment["FRONTLINE_DATA_DIR"] = str(data_dir)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "frontline", *arguments],
        capture_output=True,
        cwd=REPO_ROOT,
        env=environment,
        text=True,
        timeout=300,
        check=False,
    )


def assert_one_line_error(completed: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def copy_store(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup API (the WAL's content included)."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()
    return target


def stored_state(store_path: Path) -> list[tuple[Any, ...]]:
    """Everything the library holds, read in this process (cheaper than a CLI run)."""
    with ArticleStore(store_path) as store:
        return [(summary, store.get(summary.id)) for summary in store.list()]


def listing(store: Path) -> list[dict[str, Any]]:
    completed = run_cli("library", "list", "--store", str(store), "--format", "json")
    assert completed.returncode == 0, completed.stderr
    entries: list[dict[str, Any]] = json.loads(completed.stdout)
    return entries


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, gazetteer: Any) -> Path:
    """A library holding the sample article, added by the CLI."""
    store = tmp_path_factory.mktemp("library") / "library.sqlite3"
    completed = run_cli("library", "add", str(SAMPLE_ARTICLE), "--store", str(store))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("added article 1 (")
    return store


def test_add_then_list_shows_the_article(sample_store: Path) -> None:
    entries = listing(sample_store)
    assert len(entries) == 1
    (entry,) = entries
    assert set(entry) == LISTED_KEYS
    assert entry["id"] == 1
    assert entry["date"] == "2025-10-17"  # from the sample's .meta.json
    assert entry["source"] == str(SAMPLE_ARTICLE.resolve())
    with ArticleStore(sample_store) as store:
        stored = store.get(1)
    assert isinstance(entry["places"], int)
    assert entry["places"] == len(stored.corrected().result.places) > 5

    table = run_cli("library", "list", "--store", str(sample_store))
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.splitlines()
    assert header.split() == ["ID", "DATE", "PLACES", "TITLE", "SOURCE"]
    assert row.split()[:3] == ["1", "2025-10-17", str(entry["places"])]


def test_export_gives_the_stored_places_as_geojson_csv_and_json(sample_store: Path) -> None:
    places = listing(sample_store)[0]["places"]

    geojson = run_cli("library", "export", "1", "--store", str(sample_store), "--format", "geojson")
    assert geojson.returncode == 0, geojson.stderr
    collection = json.loads(geojson.stdout)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == places
    by_id = {f["properties"]["geonameid"]: f for f in collection["features"]}
    assert by_id[POKROVSK]["properties"]["name"] == "Pokrovsk"
    assert by_id[POKROVSK]["properties"]["source"] == str(SAMPLE_ARTICLE.resolve())

    table = run_cli("library", "export", "1", "--store", str(sample_store), "--format", "csv")
    assert table.returncode == 0, table.stderr
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert len(rows) == places
    assert {row["article_date"] for row in rows} == {"2025-10-17"}

    contract = run_cli("library", "export", "1", "--store", str(sample_store), "--format", "json")
    payload = json.loads(contract.stdout)
    assert set(payload) == {"source", "title", "date", "places"}
    assert len(payload["places"]) == places

    kml = run_cli("library", "export", "1", "--store", str(sample_store), "--format", "kml")
    with_points = [f for f in collection["features"] if f["geometry"] is not None]
    assert kml.stdout.count("<Placemark>") == len(with_points) > 0


def test_export_of_a_missing_or_malformed_id_is_one_line(sample_store: Path) -> None:
    missing = run_cli("library", "export", "99", "--store", str(sample_store))
    assert_one_line_error(missing, "no article 99", str(sample_store))
    malformed = run_cli("library", "export", "first", "--store", str(sample_store))
    assert_one_line_error(malformed, "whole number", "'first'")
    assert missing.stdout == malformed.stdout == ""


def test_re_adding_an_article_keeps_its_corrections(sample_store: Path, tmp_path: Path) -> None:
    store_path = copy_store(sample_store, tmp_path / "library.sqlite3")
    with ArticleStore(store_path) as store:
        before = store.get(1).corrected().result
        assert POKROVSK in {place.candidate.geonameid for place in before.places if place.candidate}
        store.add_correction(1, RemovePlace("Pokrovsk", "a street name here, not the town"))
    assert listing(store_path)[0]["places"] == len(before.places) - 1

    completed = run_cli("library", "add", str(SAMPLE_ARTICLE), "--store", str(store_path))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("article 1 was already in")
    assert "with its 1 corrections" in completed.stdout

    entries = listing(store_path)
    assert [entry["id"] for entry in entries] == [1]
    assert entries[0]["places"] == len(before.places) - 1
    exported = run_cli("library", "export", "1", "--store", str(store_path))
    ids = {f["properties"]["geonameid"] for f in json.loads(exported.stdout)["features"]}
    assert POKROVSK not in ids


def test_a_url_is_added_end_to_end_beside_a_failing_input(serve, tmp_path: Path) -> None:
    server: Server = serve()
    server.routes["/article"] = html(ARTICLE_HTML)
    missing = tmp_path / "missing.txt"
    data_dir = tmp_path / "data"  # the store comes from the settings' data folder
    completed = run_cli(
        "library",
        "add",
        server.url("/article"),
        str(missing),
        "--format",
        "json",
        env={"FRONTLINE_ALLOW_PRIVATE_URLS": "1"},
        data_dir=data_dir,
    )
    assert completed.returncode != 0
    assert_one_line_error(completed, str(missing), "no such file")
    (added,) = json.loads(completed.stdout)
    assert added == {
        "id": 1,
        "title": "Shelling near Kharkiv",
        "date": "2024-05-17",
        "source": server.url("/article"),
        "places": added["places"],
        "added": True,
    }
    assert server.requested == ["/article"]
    assert (data_dir / "library.sqlite3").is_file()

    listed = run_cli("library", "list", "--format", "json", data_dir=data_dir)
    assert [{k: v for k, v in added.items() if k != "added"}] == json.loads(listed.stdout)
    exported = run_cli("library", "export", "1", data_dir=data_dir)
    features = json.loads(exported.stdout)["features"]
    assert {KHARKIV, ODESA} <= {f["properties"]["geonameid"] for f in features}
    assert added["places"] == len(features)


# --- bad input: one clear line, nothing stored ----------------------------------------------


def _slow(server: Server) -> Callable[[Handler], Response]:
    def respond(_handler: Handler) -> Response:
        server.release.wait(10)  # released when the test's servers shut down
        return 200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode()

    return respond


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\t\n", "empty"),
    "huge.txt": (b"Troops advanced near Pokrovsk. " * 680_000, "MB limit"),  # ~20 MB
    "binary.txt": (bytes(range(256)) * 64, "binary"),
    "menu.html": (NO_ARTICLE_HTML.encode(), "no article text"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_stores_nothing(name: str, sample_store: Path, tmp_path: Path) -> None:
    store_path = copy_store(sample_store, tmp_path / "library.sqlite3")
    before = stored_state(store_path)
    content, fragment = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    completed = run_cli("library", "add", str(path), "--store", str(store_path))
    assert_one_line_error(completed, str(path), fragment)
    assert completed.stdout == ""
    assert stored_state(store_path) == before


BAD_URLS = {
    # case: (route on the origin, extra environment, fragments of the one line)
    "no-article-text": ("/menu", {"FRONTLINE_ALLOW_PRIVATE_URLS": "1"}, ["no article text"]),
    "times-out": (
        "/slow",
        {"FRONTLINE_ALLOW_PRIVATE_URLS": "1", "FRONTLINE_HTTP_TIMEOUT_S": "0.5"},
        ["time limit of 0.5 s"],
    ),
    "too-large": ("/huge", {"FRONTLINE_ALLOW_PRIVATE_URLS": "1"}, ["limit"]),
    "loopback-refused": ("/article", {}, ["refused", "loopback"]),
    "redirect-to-127.0.0.1": (
        "/to-loopback",
        {"FRONTLINE_ALLOWED_NETWORKS": "127.0.0.2/32"},
        ["refused", "redirected to http://127.0.0.1:", "loopback"],
    ),
    "redirect-to-metadata": (
        "/to-metadata",
        {"FRONTLINE_ALLOWED_NETWORKS": "127.0.0.2/32"},
        ["refused", "169.254.169.254", "link-local"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_URLS))
def test_a_bad_url_stores_nothing(case: str, serve, sample_store: Path, tmp_path: Path) -> None:
    # The origin is on 127.0.0.2 so that a redirect to 127.0.0.1 leaves the allowed network.
    origin: Server = serve("127.0.0.2")
    target: Server = serve("127.0.0.1")
    target.routes["/article"] = html(ARTICLE_HTML)
    origin.routes.update(
        {
            "/article": html(ARTICLE_HTML),
            "/menu": html(NO_ARTICLE_HTML),
            "/huge": html(ARTICLE_HTML.replace("<p>", "<p>" + "Shelling near Kharkiv. " * 900_000)),
            "/slow": _slow(origin),
            "/to-loopback": redirect(target.url("/article")),
            "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        }
    )
    route, env, fragments = BAD_URLS[case]
    store_path = copy_store(sample_store, tmp_path / "library.sqlite3")
    before = stored_state(store_path)

    url = origin.url(route)
    completed = run_cli("library", "add", url, "--store", str(store_path), env=env)
    assert_one_line_error(completed, url, *fragments)
    assert completed.stdout == ""
    assert stored_state(store_path) == before
    assert target.requested == []
    if case == "loopback-refused":
        assert origin.requested == []  # refused before any request


@pytest.mark.parametrize(
    "content",
    [b"my notes, not a database\n" * 40, bytes(range(256)) * 16, b"x"],
    ids=["text", "random-bytes", "one-byte"],
)
def test_a_store_that_is_not_sqlite_is_refused_and_untouched(
    content: bytes, tmp_path: Path
) -> None:
    store_path = tmp_path / "notes.db"
    store_path.write_bytes(content)
    article = tmp_path / "article.txt"
    article.write_text("Drones over Kherson.")
    for arguments in (["add", str(article)], ["list", "--format", "json"], ["export", "1"]):
        completed = run_cli("library", *arguments, "--store", str(store_path))
        assert_one_line_error(completed, str(store_path), "not an SQLite database")
        assert completed.stdout == ""
    assert store_path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "notes.db"]


# --- geoparse with several inputs -----------------------------------------------------------


def test_geoparse_takes_files_and_urls_and_reports_a_refused_one(serve, tmp_path: Path) -> None:
    allowed: Server = serve("127.0.0.1")
    allowed.routes["/article"] = html(ARTICLE_HTML)
    private: Server = serve("127.0.0.2")
    private.routes["/article"] = html(ARTICLE_HTML)
    text_file = tmp_path / "kherson.txt"
    text_file.write_text("Drones were shot down over Kherson overnight.")
    refused_url = private.url("/article")

    completed = run_cli(
        "geoparse",
        str(text_file),
        refused_url,
        allowed.url("/article"),
        env={"FRONTLINE_ALLOWED_NETWORKS": "127.0.0.1/32"},
    )
    assert_one_line_error(completed, refused_url, "refused", "loopback")
    payload = json.loads(completed.stdout)
    assert [item["source"] for item in payload] == [str(text_file), allowed.url("/article")]
    assert payload[1]["title"] == "Shelling near Kharkiv"
    assert KHARKIV in {place["geonameid"] for place in payload[1]["places"]}
    assert private.requested == []
    assert allowed.requested == ["/article"]


def test_geoparse_with_every_input_failing_prints_nothing(tmp_path: Path) -> None:
    completed = run_cli("geoparse", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert completed.returncode != 0
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 2 and all("no such file" in line for line in lines)


# --- two CLI processes on one store ---------------------------------------------------------


def test_two_cli_processes_adding_at_once_lose_nothing(tmp_path: Path, gazetteer: Any) -> None:
    store_path = tmp_path / "new" / "library.sqlite3"  # neither process finds it existing
    paths = []
    for name, town in (("one.txt", "Kharkiv"), ("two.txt", "Odesa")):
        path = tmp_path / name
        path.write_text(f"Air defences were active over {town} on Tuesday night.")
        paths.append(path)
    environment = dict(os.environ)
    command = [sys.executable, "-m", "frontline", "library", "add"]
    processes = [
        subprocess.Popen(
            [*command, str(path), "--store", str(store_path), "--format", "json"],
            cwd=REPO_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in paths
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    entries = listing(store_path)
    assert sorted(entry["source"] for entry in entries) == sorted(str(p) for p in paths)
    assert sorted(entry["id"] for entry in entries) == [1, 2]


def test_a_malformed_allowed_network_is_one_line(tmp_path: Path) -> None:
    completed = run_cli(
        "library",
        "add",
        "http://127.0.0.1:9/article",
        "--store",
        str(tmp_path / "library.sqlite3"),
        env={"FRONTLINE_ALLOWED_NETWORKS": "127.0.0.1/32, intranet"},
    )
    assert_one_line_error(completed, "invalid allowed network", "intranet")
    with ArticleStore(tmp_path / "library.sqlite3") as store:
        assert store.list() == ()


def test_the_table_keeps_one_article_a_line() -> None:
    added = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    summaries = (
        StoredArticleSummary(12, "Strikes on\nOdesa", dt.date(2025, 1, 2), "a.txt", 3, added),
        StoredArticleSummary(3, None, None, "https://example.org/b", 0, added),
    )
    header, first, second = format_table(summaries).splitlines()
    assert header.split() == ["ID", "DATE", "PLACES", "TITLE", "SOURCE"]
    assert first.split() == ["12", "2025-01-02", "3", "Strikes", "on", "Odesa", "a.txt"]
    # An untitled article is named as the app names it (here: its address).
    assert second.split() == ["3", "-", "0", "https://example.org/b", "https://example.org/b"]
    # Columns line up: every row's title starts where the header's does.
    column = header.index("TITLE")
    assert first[column:].startswith("Strikes") and second[column:].startswith("https://")
