"""Many articles at once: ``library add --jobs N`` (worker processes) and ``batch`` on Dask's
local cluster give exactly what one process gives, and ``library import`` loads a batch
folder into the same library as ``library add``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from frontline.article import article_from_file
from frontline.batch import (
    Failure,
    GeoparseOptions,
    outcome_from_line,
    read_batch,
    run_batch,
)
from frontline.cli import main as cli_main
from frontline.errors import InputError
from frontline.settings import Settings
from frontline.store import ArticleStore

from .snapshot_fixtures import write_test_snapshots
from .terminal import terminal_stderr
from .test_cli_library import run_cli
from .test_front_prior import FIGHTING_ZOLOCHIV

# Worker processes, a Dask cluster, the CLI in processes of its own.
pytestmark = pytest.mark.slow

TEXTS = {
    "kharkiv.txt": "Drones hit Kharkiv overnight. A missile struck the port of Odesa on Tuesday.",
    "kyiv.txt": "Shelling hit Kharkiv again. Kharkiv was without power, and Kyiv sent help.",
    "pokrovsk.txt": "Fighting near Pokrovsk continued. Volunteers from Lviv brought supplies.",
    "paris.txt": "The mayor of Paris, Texas, met farmers from Lamar County on Monday.",
    "budapest.txt": "Leaders may meet in Budapest; Moscow and Washington said nothing yet.",
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("inputs")
    paths = []
    for name, text in TEXTS.items():
        path = folder / name
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def library_dump(store: Path) -> dict[str, Any]:
    """What a library holds, without the times it was written at."""
    with sqlite3.connect(store) as connection:
        articles = connection.execute(
            "SELECT id, source, title, date, text, sentences, sha256, result, place_count "
            "FROM articles ORDER BY id"
        ).fetchall()
        mentions = connection.execute(
            "SELECT * FROM place_mentions ORDER BY article_id, place_key"
        ).fetchall()
    return {"articles": articles, "mentions": mentions}


def test_library_add_with_jobs_writes_the_library_one_job_writes(
    inputs: list[Path], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    # A dated report of fighting, with a snapshot of its date at hand: the workers weigh
    # Zolochiv's namesakes against that front line too (Kharkiv Oblast's, near it).
    report = tmp_path / "report.txt"
    report.write_text(FIGHTING_ZOLOCHIV, encoding="utf-8")
    (tmp_path / "report.meta.json").write_text('{"date": "2025-10-17"}', encoding="utf-8")
    env = {"FRONTLINE_TERRITORY_DIR": str(write_test_snapshots(tmp_path / "snapshots"))}
    files = [str(path) for path in [inputs[0], empty, *inputs[1:], report]]
    stores = {jobs: tmp_path / f"jobs-{jobs}.sqlite3" for jobs in ("1", "2")}
    one, two = (
        run_cli("library", "add", *files, "--jobs", jobs, "--store", str(store), env=env)
        for jobs, store in stores.items()
    )
    assert one.returncode == two.returncode == 2  # the empty file, reported by both
    assert one.stderr == two.stderr and "empty.txt" in two.stderr
    assert one.stdout == two.stdout and one.stdout.count("added article") == len(inputs) + 1
    assert library_dump(stores["1"]) == library_dump(stores["2"])
    with ArticleStore(stores["2"]) as store:
        last = store.get(store.list()[0].id)
    [zolochiv] = [place for place in last.result.places if place.name == "Zolochiv"]
    assert zolochiv.candidate is not None and zolochiv.candidate.admin1 == "Kharkiv Oblast"


def test_batch_on_a_local_dask_cluster_equals_one_process_and_imports(
    inputs: list[Path], settings: Settings, geoparser: Any, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.txt"
    sources = [str(path) for path in inputs[:2]] + [str(missing)] + [str(p) for p in inputs[2:]]
    out = tmp_path / "out"
    reports = run_batch(sources, out, GeoparseOptions(settings), partition_size=2, workers=2)
    assert [report.index for report in reports] == [0, 1, 2]
    assert [Path(report.path).name for report in reports] == [
        "part-00000.jsonl",
        "part-00001.jsonl",
        "part-00002.jsonl",
    ]
    assert [failure.source for r in reports for failure in r.failures] == [str(missing)]

    outcomes = [outcome for _path, part in read_batch(out) for outcome in part]
    expected = [geoparser.geoparse(article_from_file(path)) for path in inputs]
    assert [o for o in outcomes if not isinstance(o, Failure)] == expected
    assert isinstance(outcomes[2], Failure) and "missing.txt" in outcomes[2].message

    # Loaded into a library, the batch is what 'library add' of the same files gives.
    imported, added = tmp_path / "imported.sqlite3", tmp_path / "added.sqlite3"
    assert cli_main(["library", "import", str(out), "--store", str(imported)]) == 2
    with terminal_stderr() as written:
        assert cli_main(["library", "add", *map(str, inputs), "--store", str(added)]) == 0
        bar = written()
    # On a terminal, a progress bar of the articles geoparsed (elsewhere it stays silent).
    assert f"0/{len(inputs)} [" in bar and " articles/s]" in bar
    assert library_dump(imported) == library_dump(added)
    # Importing again keeps one copy of each article.
    assert cli_main(["library", "import", str(out), "--store", str(imported)]) == 2
    assert library_dump(imported) == library_dump(added)


def test_a_broken_partition_file_is_refused_and_nothing_of_it_is_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "part-00000.jsonl").write_text('{"format": 1, "article": {}}\n', encoding="utf-8")
    store = tmp_path / "library.sqlite3"
    assert cli_main(["library", "import", str(folder), "--store", str(store)]) == 2
    assert "part-00000.jsonl line 1" in capsys.readouterr().err
    assert library_dump(store)["articles"] == []
    assert cli_main(["library", "import", str(tmp_path / "none"), "--store", str(store)]) == 2
    assert "no part-*.jsonl files" in capsys.readouterr().err


def test_outcome_lines_read_back() -> None:
    failure = outcome_from_line(json.dumps({"source": "a.txt", "error": "empty"}), "x")
    assert failure == Failure("a.txt", "empty")
    with pytest.raises(InputError, match="x: not a JSON line"):
        outcome_from_line("{", "x")
