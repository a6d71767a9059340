"""What users and files see stays byte for byte the same: CLI output and library contents.

The commands run here are the CLI's (``frontline.cli.main``, in this process to spare a
spaCy load per command; one of them also as ``python -m frontline``) over the sample
article and the texts in ``tests/golden/texts/`` (written for this test), with a small
front-line snapshot (``tests/snapshot_fixtures.py``) and a Nominatim look-alike on
127.0.0.1. Each output is compared with its file in ``tests/golden/expected/``, and so is
a dump of the library the commands filled.

Those files were written by the code as it stood before the use-case refactor of issue 13
(commit f6788a9), with ``FRONTLINE_UPDATE_GOLDEN=1 pytest tests/test_golden.py``. A change
meant to change what users see (a new resolution rule) writes them again the same way, and
the diff of ``tests/golden/expected/`` shows in review what changed for them.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from frontline.corrections import AddMention, ChooseCandidate, MovePin, RemovePlace
from frontline.model import Candidate
from frontline.store import ArticleStore

from . import snapshot_fixtures
from .conftest import REPO_ROOT
from .nominatim_server import AnswerEverything

GOLDEN_DIR = Path(__file__).parent / "golden"
EXPECTED_DIR = GOLDEN_DIR / "expected"
UPDATE = os.environ.get("FRONTLINE_UPDATE_GOLDEN") == "1"

SAMPLE = "data/articles/trump-zelensky-tomahawks.txt"
FRONT = "tests/golden/texts/front-line-report.txt"
PARIS = "tests/golden/texts/paris-texas.txt"
SEAS = "tests/golden/texts/seas-and-regions.txt"
TEXTS = (FRONT, PARIS, SEAS)
STDIN_TEXT = (
    "Explosions shook Odesa and Mykolaiv overnight; Ukrainian air defences shot down "
    "Russian drones over Zaporizhzhia, the governor of Kherson said."
)
KHARKIV_OBLAST = 706482


@contextlib.contextmanager
def _stdin(data: bytes) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        yield
    finally:
        sys.stdin = saved


def run_main(arguments: Sequence[str], *, stdin: bytes = b"") -> str:
    """``python -m frontline ARGUMENTS`` in this process: its standard output, which must
    come with exit status 0 and nothing on standard error."""
    from frontline.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _stdin(stdin), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(arguments))
    assert status == 0, f"{arguments}: exit {status}: {err.getvalue()}"
    assert err.getvalue() == "", f"{arguments}: {err.getvalue()}"
    return out.getvalue()


def dump_library(path: Path) -> str:
    """Every row of the library file, as stored (the JSON columns as their raw text); only
    the times rows were added, which depend on the clock, are left out."""
    connection = sqlite3.connect(path)
    try:
        tables: dict[str, Any] = {
            "application_id": connection.execute("PRAGMA application_id").fetchone()[0],
            "user_version": connection.execute("PRAGMA user_version").fetchone()[0],
            "schema": [
                row[0]
                for row in connection.execute(
                    "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
                )
            ],
        }
        for table, order in (
            ("articles", "id"),
            ("corrections", "id"),
            ("place_mentions", "article_id, place_key"),
        ):
            cursor = connection.execute(f"SELECT * FROM {table} ORDER BY {order}")
            columns = [column[0] for column in cursor.description]
            tables[table] = [
                {
                    column: "<added_at>" if column == "added_at" else value
                    for column, value in zip(columns, row, strict=True)
                }
                for row in cursor
            ]
    finally:
        connection.close()
    return json.dumps(tables, ensure_ascii=False, indent=1) + "\n"


def _corrections(gazetteer: Any) -> list[Any]:
    """One correction of each kind, on the front-line report's places."""
    lyman = gazetteer.get(704204)
    assert lyman is not None
    reader_point = Candidate(
        geonameid=None,
        name="Dovha Balka",
        lat=48.95,
        lon=37.95,
        feature="city",
        country_code="UA",
        admin1="Donetsk Oblast",
        source="reader",
    )
    text = (REPO_ROOT / FRONT).read_text(encoding="utf-8")
    start = text.index("Dovha Balka")
    return [
        ChooseCandidate("Kharkiv", KHARKIV_OBLAST, "the oblast, not the city"),
        RemovePlace("Russia", "a demonym here"),
        AddMention(start, start + len("Dovha Balka"), "Dovha Balka", reader_point, "missed"),
        MovePin("Luhansk", lyman, "checked on the map"),
    ]


@pytest.fixture(scope="module")
def outputs(
    gazetteer: Any, settings: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Every output this module compares, by file name, with local paths replaced."""
    tmp = tmp_path_factory.mktemp("golden")
    snapshot_file = snapshot_fixtures.write_snapshot(tmp / "one", snapshot_fixtures.LATER_DATE)
    snapshot_folder = snapshot_fixtures.write_snapshot_folder(tmp / "folder")
    store = tmp / "library.sqlite3"
    produced: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO_ROOT)
        patch.setenv("FRONTLINE_ONLINE_GEOCODING", "0")
        patch.setenv("FRONTLINE_TERRITORY_FETCH", "0")
        patch.delenv("FRONTLINE_TERRITORY_DIR", raising=False)
        territory = ("--territory", str(snapshot_file))
        produced["sample.json"] = run_main(["geoparse", SAMPLE])
        produced["texts-territory.json"] = run_main(["geoparse", *TEXTS, *territory])
        produced["texts-territory-by-date.json"] = run_main(
            ["geoparse", FRONT, SEAS, "--territory", str(snapshot_folder)]
        )
        for output_format in ("csv", "geojson", "kml"):
            produced[f"all.{output_format}"] = run_main(
                ["geoparse", SAMPLE, *TEXTS, "--format", output_format, *territory]
            )
        produced["stdin-no-demonyms.json"] = run_main(
            ["geoparse", "-", "--no-demonyms"], stdin=STDIN_TEXT.encode()
        )

        # The online step, against a Nominatim look-alike, with a cache of its own.
        online_cache = tmp / "online-cache"
        online_cache.mkdir()
        (online_cache / settings.gazetteer_dir.name).symlink_to(
            settings.gazetteer_dir, target_is_directory=True
        )
        with AnswerEverything() as server, pytest.MonkeyPatch.context() as online:
            online.setenv("FRONTLINE_CACHE_DIR", str(online_cache))
            online.setenv("FRONTLINE_GEOCODER_DOMAIN", server.domain)
            online.setenv("FRONTLINE_GEOCODER_SCHEME", "http")
            produced["online.json"] = run_main(["geoparse", SEAS, FRONT, "--online"])

        # The library: add, correct, add again, list, export.
        library = ("--store", str(store))
        produced["library-add.json"] = run_main(
            ["library", "add", SAMPLE, *TEXTS, *library, "--format", "json"]
        )
        with ArticleStore(store) as opened:
            front_id = next(s.id for s in opened.list() if s.source.endswith(FRONT))
            for correction in _corrections(gazetteer):
                opened.add_correction(front_id, correction)
        produced["library-add-again.txt"] = run_main(["library", "add", FRONT, *library])
        produced["library-list.json"] = run_main(["library", "list", *library, "--format", "json"])
        produced["library-list.txt"] = run_main(["library", "list", *library])
        for output_format in ("json", "geojson", "csv", "kml"):
            export = ["library", "export", str(front_id), "--format", output_format]
            produced[f"library-export-corrected.{output_format}"] = run_main(
                [*export, *library, *territory]
            )
        produced["library-export-sample.geojson"] = run_main(["library", "export", "1", *library])
        produced["library.dump.json"] = dump_library(store)
    return {
        name: text.replace(str(tmp), "<tmp>").replace(str(REPO_ROOT), "<repo>")
        for name, text in produced.items()
    }


def _compare(name: str, actual: str) -> None:
    path = EXPECTED_DIR / name
    if UPDATE:
        EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"expected/{name}",
                    "now",
                )
            )[:60]
        )
        pytest.fail(f"{name} differs from tests/golden/expected/{name}:\n{diff}")


NAMES = (
    "sample.json",
    "texts-territory.json",
    "texts-territory-by-date.json",
    "all.csv",
    "all.geojson",
    "all.kml",
    "stdin-no-demonyms.json",
    "online.json",
    "library-add.json",
    "library-add-again.txt",
    "library-list.json",
    "library-list.txt",
    "library-export-corrected.json",
    "library-export-corrected.geojson",
    "library-export-corrected.csv",
    "library-export-corrected.kml",
    "library-export-sample.geojson",
    "library.dump.json",
)


@pytest.mark.parametrize("name", NAMES)
def test_output_is_byte_identical(name: str, outputs: Mapping[str, str]) -> None:
    _compare(name, outputs[name])


def test_every_output_is_compared(outputs: Mapping[str, str]) -> None:
    assert set(outputs) == set(NAMES)
    if not UPDATE:
        assert {path.name for path in EXPECTED_DIR.iterdir()} == set(NAMES)


@pytest.mark.slow
def test_the_module_entry_point_prints_the_same(gazetteer: Any) -> None:
    """``python -m frontline``, in its own process, prints what ``main`` printed here."""
    completed = subprocess.run(
        [sys.executable, "-m", "frontline", "geoparse", SAMPLE],
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    assert completed.stderr == b""
    assert completed.stdout == (EXPECTED_DIR / "sample.json").read_bytes()
