"""Every settlement on demand: a GeoNames country export downloaded from a real HTTP server on
127.0.0.1 (the code path of the real download), checked, merged into the index, and used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from frontline.countries import check_country_file, kept_country_files
from frontline.country_data import add_countries
from frontline.errors import FrontlineError, GazetteerError
from frontline.gazetteer import Gazetteer
from tests.conftest import REPO_ROOT
from tests.geonames_dump import ROWS, dump_line, write_dump
from tests.places import places_by_name


class DumpServer(ThreadingHTTPServer):
    files: dict[str, bytes]


class DumpHandler(BaseHTTPRequestHandler):
    server: DumpServer

    def do_GET(self) -> None:
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def dump_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("dumps")
    server = DumpServer(("127.0.0.1", 0), DumpHandler)
    server.files = {
        "/export/dump/UA.zip": write_dump(folder / "UA.zip").read_bytes(),
        "/export/dump/XX.zip": b"<html>not found, but 200</html>",
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/export/dump/{{code}}.zip"
    server.shutdown()


@pytest.fixture(scope="module")
def country_settings(
    settings: Any, tmp_path_factory: pytest.TempPathFactory, dump_server: str
) -> Any:
    return replace(
        settings,
        cache_dir=tmp_path_factory.mktemp("country-cache"),
        country_dump_url_template=dump_server,
        allowed_networks=("127.0.0.1/32",),
    )


@pytest.fixture(scope="module")
def country_geoparser(country_settings: Any) -> Any:
    """The index with the test export of Ukraine downloaded and merged (built once)."""
    from frontline.pipeline import Geoparser

    added = add_countries(country_settings, codes=("UA",))
    assert [(a.code, a.rows) for a in added] == [("UA", 8)]
    return Geoparser.load(country_settings)


def test_the_download_is_checked_kept_and_merged(
    country_geoparser: Any, country_settings: Any
) -> None:
    gazetteer = country_geoparser.gazetteer
    assert gazetteer.merged_countries() == ("UA",)
    assert [p.name for p in kept_country_files(country_settings.gazetteer_dir)] == ["UA.zip"]
    (village,) = [m.candidate for m in gazetteer.candidates("Klishchiivka")]
    assert (village.lat, village.lon, village.feature, village.admin1) == (
        48.5286,
        37.9436,
        "city",
        "Donetsk Oblast",
    )
    # The Russian spelling, romanised from the Cyrillic alternate, and the Cyrillic itself.
    assert [m.candidate.geonameid for m in gazetteer.candidates("Kleshcheyevka")] == [990001]
    assert [m.candidate.geonameid for m in gazetteer.candidates("Кліщіївка")] == [990001]
    # Streams, sections of a city and historical places are not taken.
    assert not gazetteer.candidates("Bakhmutka")
    assert not gazetteer.candidates("Zabakhmutka")
    assert gazetteer.get(990032) is None


def test_villages_of_the_export_are_found_in_war_report_syntax(country_geoparser: Any) -> None:
    places = places_by_name(
        country_geoparser,
        "Russian forces advanced near Klishchiivka and Robotyne, south of Bakhmut.",
    )
    assert places["Klishchiivka"].candidate.geonameid == 990001
    assert places["Robotyne"].candidate.geonameid == 990002


def test_a_namesake_village_is_the_one_near_the_other_places(country_geoparser: Any) -> None:
    places = places_by_name(
        country_geoparser, "Fighting continued near Pokrovsk, Myrnohrad and Zatyshok."
    )
    assert places["Zatyshok"].candidate.geonameid == 990003  # Donetsk, not Kyiv Oblast


def test_a_hromada_named_beside_a_village_decides_its_namesake(country_geoparser: Any) -> None:
    places = places_by_name(
        country_geoparser,
        "Shelling damaged houses in Oleksandrivka, Tsyrkuny hromada, and in Lozova.",
    )
    assert places["Oleksandrivka"].candidate.geonameid == 990011


def test_the_cli_takes_a_file_carried_in(tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "UA.zip")
    environment = {**os.environ, "FRONTLINE_CACHE_DIR": str(tmp_path / "cache")}
    completed = subprocess.run(
        [sys.executable, "-m", "frontline", "index", "--country-file", str(dump)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["countries"] == ["UA"]
    assert report["added"][0]["rows"] == 8
    assert "CC BY 4.0" in report["credit"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 truncated", "not a zip file"),
        (b"", "not a zip file"),
    ],
)
def test_a_file_that_is_no_zip_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "UA.zip"
    path.write_bytes(content)
    with pytest.raises(GazetteerError, match=message):
        check_country_file(path, "UA")


def test_a_zip_without_the_country_table_is_refused(tmp_path: Path) -> None:
    path = write_dump(tmp_path / "UA.zip", member="cities.txt")
    with pytest.raises(GazetteerError, match=r"no member UA\.txt"):
        check_country_file(path, "UA")


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    path = write_dump(tmp_path / "UA.zip")
    data = bytearray(path.read_bytes())
    start = data.index(b"PK\x03\x04") + 30 + len("UA.txt")
    data[start + 10] ^= 0xFF  # a byte of the compressed table: its CRC no longer holds
    path.write_bytes(bytes(data))
    with pytest.raises(GazetteerError, match=r"damaged|not a zip"):
        check_country_file(path, "UA")


def test_rows_not_in_geonames_format_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "UA.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("UA.txt", "Klishchiivka;48.5;37.9\n" + dump_line(ROWS[0]))
    with pytest.raises(GazetteerError, match=r"line 1 of UA\.txt is not a GeoNames row"):
        check_country_file(path, "UA")


def test_a_download_that_is_not_an_export_keeps_nothing(
    country_settings: Any, tmp_path: Path
) -> None:
    settings = replace(country_settings, cache_dir=tmp_path)
    with pytest.raises(FrontlineError, match="not a zip file"):
        add_countries(settings, codes=("XX",))
    assert kept_country_files(settings.gazetteer_dir) == ()


def test_the_download_is_refused_without_permission_for_loopback(
    country_settings: Any, tmp_path: Path
) -> None:
    settings = replace(country_settings, cache_dir=tmp_path, allowed_networks=())
    with pytest.raises(FrontlineError, match="loopback"):
        add_countries(settings, codes=("UA",))
    assert kept_country_files(settings.gazetteer_dir) == ()


def test_cyrillic_names_are_stored_and_found(gazetteer: Gazetteer) -> None:
    assert any(
        m.candidate.name == "Pokrovsk" and m.candidate.admin1 == "Donetsk Oblast"
        for m in gazetteer.candidates("Покровськ")
    )
    assert any(m.candidate.name == "Pokrovsk" for m in gazetteer.candidates("Красноармейск"))
