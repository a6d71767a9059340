"""``python -m frontline geoparse``: the JSON contract and one-line errors, in real processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO_ROOT, SAMPLE_ARTICLE

# Each test starts a CLI process (which loads spaCy).
pytestmark = pytest.mark.slow

FEATURES = {"city", "admin", "country", "continent", "landmark", "other"}


def run_cli(*arguments: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "frontline", *arguments],
        input=stdin,
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def sample_json(gazetteer: Any) -> dict[str, Any]:
    completed = run_cli("geoparse", str(SAMPLE_ARTICLE), "--format", "json")
    assert completed.returncode == 0, completed.stderr.decode()
    payload: dict[str, Any] = json.loads(completed.stdout)
    return payload


def test_json_object_follows_the_contract(sample_json: dict[str, Any]) -> None:
    assert set(sample_json) == {"source", "title", "date", "places"}
    assert sample_json["date"] == "2025-10-17"
    text = SAMPLE_ARTICLE.read_text(encoding="utf-8")
    for place in sample_json["places"]:
        assert set(place) == {
            "name",
            "geonameid",
            "lat",
            "lon",
            "country_code",
            "admin1",
            "feature",
            "score",
            "evidence",
            "mentions",
            "territory",
        }
        assert isinstance(place["name"], str)
        assert place["geonameid"] is None or isinstance(place["geonameid"], int)
        assert place["feature"] in FEATURES
        assert isinstance(place["score"], float)
        assert all(isinstance(line, str) for line in place["evidence"])
        assert place["territory"] is None
        for mention in place["mentions"]:
            assert set(mention) == {"text", "start", "end", "sentence"}
            assert text[mention["start"] : mention["end"]] == mention["text"]
            assert mention["text"] in mention["sentence"]


def test_json_has_one_entry_per_place(sample_json: dict[str, Any]) -> None:
    ids = [p["geonameid"] for p in sample_json["places"] if p["geonameid"] is not None]
    assert len(ids) == len(set(ids))
    by_id = {p["geonameid"]: p for p in sample_json["places"]}
    assert by_id[704422]["name"] == "Pokrovsk"
    assert by_id[705104]["admin1"] == "Donetsk Oblast"


def test_stdin_and_csv_and_geojson() -> None:
    text = b"Shelling hit Kupyansk and Kharkiv overnight."
    completed = run_cli("geoparse", "-", "--format", "csv", stdin=text)
    assert completed.returncode == 0, completed.stderr.decode()
    lines = completed.stdout.decode().splitlines()
    assert lines[0].startswith("source,article_date,name,geonameid,lat,lon")
    assert any(",Kupyansk,703656," in line for line in lines[1:])

    completed = run_cli("geoparse", "-", "--format", "geojson", stdin=text)
    collection = json.loads(completed.stdout)
    assert collection["type"] == "FeatureCollection"
    points = {
        f["properties"]["geonameid"]: f["geometry"]["coordinates"] for f in collection["features"]
    }
    assert points[703656] == pytest.approx([37.61581, 49.71003])


def test_several_inputs_give_a_list(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Explosions in Odesa.")
    second.write_text("Drones over Kherson.")
    completed = run_cli("geoparse", str(first), str(second))
    payload = json.loads(completed.stdout)
    assert [item["source"] for item in payload] == [str(first), str(second)]


def _assert_one_line_error(completed: subprocess.CompletedProcess[bytes], fragment: str) -> None:
    stderr = completed.stderr.decode()
    assert completed.returncode != 0
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert fragment in stderr
    assert completed.stdout == b""


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    _assert_one_line_error(run_cli("geoparse", str(empty)), "empty")

    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 64)
    _assert_one_line_error(run_cli("geoparse", str(binary)), "binary")

    huge = tmp_path / "huge.txt"
    huge.write_text("Troops advanced near Pokrovsk. " * 170_000)
    _assert_one_line_error(run_cli("geoparse", str(huge)), "MB limit")

    _assert_one_line_error(run_cli("geoparse", str(tmp_path / "missing.txt")), "no such file")


def test_latin1_file_geoparses(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Shelling hit a café in Kharkiv on Friday, officials said.".encode("latin-1"))
    completed = run_cli("geoparse", str(path))
    assert completed.returncode == 0, completed.stderr.decode()
    places = json.loads(completed.stdout)["places"]
    assert [p["geonameid"] for p in places] == [706483]


def test_territory_auto_uses_a_snapshot_the_reader_uploaded(gazetteer: Any, tmp_path: Path) -> None:
    from frontline.territory import keep_upload, uploads_dir
    from tests.snapshot_fixtures import LATER_DATE, LATER_RING, snapshot_document

    # A cache of its own (the index linked in), so the upload stays out of other tests' way.
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "gazetteer").symlink_to(gazetteer.path.parent, target_is_directory=True)
    data = json.dumps(snapshot_document([LATER_RING])).encode()
    keep_upload(
        uploads_dir(cache / "territory"), f"deepstatemap_data_{LATER_DATE:%Y%m%d}.geojson", data
    )
    article = tmp_path / "report.txt"
    article.write_text("Shelling hit Pokrovsk and Kramatorsk overnight.", encoding="utf-8")
    (tmp_path / "report.meta.json").write_text(
        json.dumps({"date": (LATER_DATE + dt.timedelta(days=3)).isoformat()}), encoding="utf-8"
    )
    completed = subprocess.run(
        [sys.executable, "-m", "frontline", "geoparse", str(article), "--territory", "auto"],
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
        env={**os.environ, "FRONTLINE_CACHE_DIR": str(cache), "FRONTLINE_TERRITORY_FETCH": "0"},
    )
    assert completed.returncode == 0, completed.stderr.decode()
    places = {place["name"]: place for place in json.loads(completed.stdout)["places"]}
    territory = places["Pokrovsk"]["territory"]
    assert territory["status"] == "free" and territory["snapshot"] == LATER_DATE.isoformat()


def test_the_offline_line_is_the_clis_own_and_shows_controls_escaped(capsys: Any) -> None:
    from frontline.cli_common import report_offline

    report_offline("proxy said \x1b[2J\x1b]0;owned\x07\nno")
    printed = capsys.readouterr().err
    assert printed == (
        "frontline: online look-up unavailable (proxy said \\x1b[2J\\x1b]0;owned\\x07\\nno); "
        "going on with the offline gazetteer\n"
    )
