"""Issue 15's findings, each reproduced the way it was found: through the command line (a
real process), the app (AppTest) or the library, with the hostile files written here.

Findings 1 (the drip) and 2 (Markdown) have their own files: ``test_network.py`` and
``test_browser_markup.py``. Every test here failed before the fix it names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest

from tests.hostile.conftest import REPO_ROOT, one_error_line, run_cli
from tests.hostile.server import HostileServer

KHARKIV = "Shelling hit Kharkiv and Odesa overnight, officials said.\n"


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("frontline: error: ")]


# --- 3. spreadsheet formulas ---------------------------------------------------------------


@pytest.mark.slow  # another process, or the dashboard
def test_3_csv_cells_that_start_like_formulas_are_quoted(tmp_path: Path) -> None:
    article = write(
        tmp_path / "formulas.txt",
        '=HYPERLINK("http://127.0.0.1/x","details") Russian troops shelled Kharkiv.\n'
        "-1+1+cmd|' /C calc'!A0 Odesa lost power overnight.\n"
        "@SUM(1+1) Drones flew over Lviv at dawn.\n"
        "+7 Mykolaiv reported explosions.\n",
    )
    completed = run_cli("geoparse", str(article), "--format", "csv")
    assert completed.returncode == 0, completed.stderr
    rows = list(csv.DictReader(io.StringIO(completed.stdout)))
    firsts = {row["name"]: row["first_sentence"] for row in rows}
    assert {"Kharkiv", "Odesa", "Lviv", "Mykolaiv"} <= set(firsts)
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
    assert firsts["Kharkiv"].startswith("'=HYPERLINK(")
    assert firsts["Lviv"] == "'@SUM(1+1) Drones flew over Lviv at dawn."


# --- 4. tracebacks -------------------------------------------------------------------------


@pytest.mark.slow  # another process, or the dashboard
def test_4_a_text_of_one_huge_sentence_is_one_line_not_spacy_e088(tmp_path: Path) -> None:
    words = "the convoy moved along the road past fields and farms without stopping "
    article = write(tmp_path / "one-sentence.txt", (words * 17_000)[:1_150_000])
    completed = run_cli("geoparse", str(article))
    assert completed.returncode == 2
    line = one_error_line(completed)
    assert "internal error" not in line and "E088" not in line
    assert "1,150,000 characters" in line


def test_4_long_runs_are_cut_into_sentences_spacy_can_read(
    geoparser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same text under the character limit: spaCy never sees one run longer than
    MAX_SENTENCE_CHARS, so its own length limit holds. Both limits are lowered here (spaCy's
    to 25,000 characters, the chunks to 10,000) to make the check cheap."""
    from frontline.article import article_from_text

    text = "Kharkiv " + "and the road went on " * 1_500 + "to Odesa."
    monkeypatch.setattr(geoparser.nlp, "max_length", 25_000)
    monkeypatch.setattr(geoparser.recognizer, "chunk_chars", 10_000)
    result = geoparser.geoparse(article_from_text(text, "long-run.txt"))
    assert {"Kharkiv", "Odesa"} <= {place.name for place in result.places}
    assert max(s.end - s.start for s in result.article.sentences) <= 2_000


def _nested_collections(depth: int) -> bytes:
    square = '{"type":"Polygon","coordinates":[[[35,48],[36,48],[36,49],[35,49],[35,48]]]}'
    nested = '{"type":"GeometryCollection","geometries":[' * depth + square + "]}" * depth
    return (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        f'"geometry":{nested}}}]}}'
    ).encode()


@pytest.mark.slow  # another process, or the dashboard
def test_4_deeply_nested_snapshots_are_one_line_not_a_recursion_error(tmp_path: Path) -> None:
    article = write(tmp_path / "a.txt", KHARKIV)
    snapshots = {
        "collections": _nested_collections(500),
        "arrays": b'{"type":"Polygon","coordinates":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "shallower": _nested_collections(40),
    }
    for name, data in snapshots.items():
        snapshot = write(tmp_path / f"deepstatemap_data_20251017_{name}.geojson", data)
        completed = run_cli("geoparse", str(article), "--territory", str(snapshot))
        line = one_error_line(completed)
        assert "internal error" not in line and "Recursion" not in line, line
        assert str(snapshot) in line


class _Upload:
    """What the app's uploader hands over: a name and the bytes."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


def test_4_a_deeply_nested_upload_is_a_message_in_the_app_and_kept_nowhere(
    tmp_path: Path,
) -> None:
    from components.frontline_panel import keep_uploads
    from frontline.settings import Settings

    settings = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data")
    uploads = [
        _Upload("deepstatemap_data_20251017.geojson", _nested_collections(500)),
        _Upload("deepstatemap_data_20251018.geojson", b'{"type":"Polygon","coordinates":'
                + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ]  # fmt: skip
    problems = keep_uploads(settings, uploads, {})
    assert len(problems) == 2
    for problem, upload in zip(problems, uploads, strict=True):
        assert problem.startswith("Cannot use the uploaded snapshot: ") and "\n" not in problem
        assert upload.name in problem and "Recursion" not in problem
    assert not list((tmp_path / "cache").rglob("*.geojson"))


@pytest.mark.slow  # another process, or the dashboard
def test_4_the_app_started_on_a_huge_sentence_shows_a_message(
    tmp_path: Path, cache_dir: Path, gazetteer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    words = "the convoy moved along the road past fields and farms without stopping "
    article = write(tmp_path / "one-sentence.txt", (words * 17_000)[:1_150_000])
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("FRONTLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FRONTLINE_TILES_URL", "")
    monkeypatch.setattr(sys, "argv", ["app.py", "--article", str(article)])
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception
    assert any("1,150,000 characters" in error.value for error in at.error)


# --- 5. work without bounds inside the limits -----------------------------------------------


@pytest.mark.slow  # another process, or the dashboard
def test_5_megabyte_texts_are_refused_at_once_with_the_limit_named(tmp_path: Path) -> None:
    sentences = (
        "Russian forces shelled Kharkiv and Kupiansk overnight, officials in Kyiv said. "
        "Air defences shot down drones over Odesa and Mykolaiv, the governor wrote. "
    )
    one_line = write(tmp_path / "one-line.txt", (sentences * 13_000)[:1_900_000])
    kyiv = write(tmp_path / "kyiv.txt", ("Kyiv. " * 300_000)[:1_800_000])
    # Generous: before the limits the first file alone ran past 300 s.
    completed = run_cli("geoparse", str(one_line), str(kyiv), timeout_s=90)
    assert completed.returncode == 2 and completed.stdout == ""
    lines = error_lines(completed.stderr)
    assert len(lines) == 2, completed.stderr
    assert all("FRONTLINE_MAX_ARTICLE_CHARS" in line for line in lines)


def test_5_an_article_naming_too_many_places_is_refused_and_not_stored(
    geoparser: Any, tmp_path: Path
) -> None:
    """The caps, lowered here to keep the test small (the defaults are 10,000 mentions and
    2,000 places)."""
    from frontline import service
    from frontline.article import article_from_text
    from frontline.errors import GeoparseLimitError
    from frontline.limits import GeoparseLimits
    from frontline.pipeline import Geoparser
    from frontline.store import ArticleStore

    capped = Geoparser(
        geoparser.nlp, geoparser.gazetteer, limits=GeoparseLimits(max_mentions=50, max_places=5)
    )
    with ArticleStore(tmp_path / "lib.sqlite3") as store:
        with pytest.raises(GeoparseLimitError, match="more than 50 place mentions"):
            service.add_to_library(store, capped.geoparse, article_from_text("Kyiv. " * 60, "k"))
        towns = "Kharkiv, Odesa, Lviv, Dnipro, Poltava, Sumy and Kherson were hit."
        with pytest.raises(GeoparseLimitError, match="more than the 5 one article may have"):
            service.add_to_library(store, capped.geoparse, article_from_text(towns, "t"))
        assert store.list() == ()


@pytest.mark.slow  # another process, or the dashboard
def test_5_a_snapshot_file_over_the_cap_is_refused_unread(tmp_path: Path) -> None:
    article = write(tmp_path / "a.txt", KHARKIV)
    snapshot = tmp_path / "deepstatemap_data_20251017.geojson"
    with snapshot.open("wb") as stream:  # 100 MB without writing them: a sparse file
        stream.truncate(100_000_000)
    completed = run_cli("geoparse", str(article), "--territory", str(snapshot))
    assert "100,000,000 bytes, more than the 8,000,000" in one_error_line(completed)


@pytest.mark.slow  # another process, or the dashboard
def test_5_a_polygon_crossing_itself_everywhere_is_refused_within_the_repair_budget(
    tmp_path: Path,
) -> None:
    from frontline.errors import SnapshotFormatError
    from frontline.territory import parse_snapshot
    from frontline.territory.snapshots import REPAIR_TIME_LIMIT_S

    random = np.random.default_rng(15)
    ring = np.column_stack([random.uniform(30, 40, 3000), random.uniform(45, 52, 3000)])
    coordinates = [[*map(float, point)] for point in ring.round(5)]
    polygon = {"type": "Polygon", "coordinates": [[*coordinates, coordinates[0]]]}
    data = json.dumps(polygon).encode()  # about 65 kB
    # Whichever bound comes first on this machine: the time or the memory.
    limits = f"time limit of {REPAIR_TIME_LIMIT_S:g} s|memory limit of 1 GB"
    with pytest.raises(SnapshotFormatError, match=limits):
        parse_snapshot(data, source="crossing.geojson", snapshot_date=dt.date(2025, 10, 17))


def _geocoder_env(hostile: HostileServer, kind: str, cache: Path, settings: Any) -> dict[str, str]:
    cache.mkdir(exist_ok=True)
    link = cache / settings.gazetteer_dir.name
    if not link.exists():
        link.symlink_to(settings.gazetteer_dir, target_is_directory=True)
    return {
        "FRONTLINE_CACHE_DIR": str(cache),
        "FRONTLINE_GEOCODER_DOMAIN": f"127.0.0.1:{hostile.port}/nominatim-{kind}",
        "FRONTLINE_GEOCODER_SCHEME": "http",
        "FRONTLINE_HTTP_TIMEOUT_S": "5",
    }


SYNKIVKA = "Fighting raged in Synkivka near Kupiansk on Monday.\n"


def _geocoder(hostile: HostileServer, kind: str, cache: Path) -> Any:
    from frontline.geocode import GeocodeCache, OnlineGeocoder

    return OnlineGeocoder(
        cache=GeocodeCache(cache),
        user_agent="frontline-tests",
        domain=f"127.0.0.1:{hostile.port}/nominatim-{kind}",
        scheme="http",
        timeout_s=5,
        min_delay_s=0,
        sleep=lambda _seconds: None,
    )


def test_5_a_geocoder_flood_is_refused_and_a_long_answer_trimmed_before_caching(
    hostile: HostileServer, tmp_path: Path
) -> None:
    flood = _geocoder(hostile, "flood", tmp_path / "flood.sqlite3")
    (outcome,) = flood.lookup_many(["Synkivka"])
    assert outcome.status == "error"
    assert "size limit of 1,000,000 bytes" in (outcome.error or "")
    many = _geocoder(hostile, "many", tmp_path / "many.sqlite3")
    (outcome,) = many.lookup_many(["Synkivka"])
    assert outcome.status == "hit" and len(outcome.candidates) == 3
    with sqlite3.connect(tmp_path / "many.sqlite3") as connection:
        payloads = [row[0] for row in connection.execute("SELECT payload FROM geocode_cache")]
    assert len(payloads) == 1 and len(json.loads(payloads[0])) == 3
    assert len(payloads[0]) < 2_000  # of an answer of 2,000 results, 330 kB


# --- 6. --territory URL under the address policy --------------------------------------------


@pytest.mark.slow  # another process, or the dashboard
def test_6_a_snapshot_url_is_refused_on_private_addresses_and_their_redirects(
    hostile: HostileServer, forbidden: HostileServer, tmp_path: Path
) -> None:
    article = write(tmp_path / "a.txt", KHARKIV)
    private = f"http://127.0.0.2:{forbidden.port}/deepstatemap_data_20251017.geojson"
    metadata = "http://169.254.169.254/latest/deepstatemap_data_20251017.geojson"
    redirect = f"/redirect?hops=2&to={quote(private, safe='')}&territory"
    # The redirect's first hops are on the allowed server (FRONTLINE_ALLOWED_NETWORKS): the
    # refusal must name the hop that leaves it, so the setting reaches --territory too.
    for url, refused in (
        (hostile.url(redirect), "127.0.0.2"),
        (metadata, "169.254.169.254"),
        (private, "127.0.0.2"),
    ):
        completed = run_cli("geoparse", str(article), "--territory", url)
        line = one_error_line(completed)
        assert "refused http" in line and f"it resolves to {refused}," in line, line
    assert hostile.wait_until_left(redirect).held_s is not None
    assert forbidden.visits == []


# --- 7. terminal escapes ---------------------------------------------------------------------


@pytest.mark.slow  # another process, or the dashboard
def test_7_titles_reach_the_terminal_with_their_escapes_shown(tmp_path: Path) -> None:
    article = write(tmp_path / "escapes.txt", KHARKIV)
    title = "\x1b[2K\r\x1b[31mPatched\x1b]0;owned\x07 \u202eevil"
    write(tmp_path / "escapes.meta.json", json.dumps({"title": title, "date": "2025-10-17"}))
    store = str(tmp_path / "lib.sqlite3")
    added = run_cli("library", "add", str(article), "--store", store)
    listed = run_cli("library", "list", "--store", store)
    as_json = run_cli("library", "list", "--store", store, "--format", "json")
    for completed in (added, listed, as_json):
        assert completed.returncode == 0, completed.stderr
        for raw in ("\x1b", "\x07", "\r", "\u202e"):
            assert raw not in completed.stdout
    assert "\\x1b[31mPatched" in listed.stdout
    assert json.loads(as_json.stdout)[0]["title"] == title  # the data itself is kept


# --- 8. KML ----------------------------------------------------------------------------------


@pytest.mark.slow  # another process, or the dashboard
def test_8_kml_stays_well_formed_around_control_characters(tmp_path: Path) -> None:
    article = write(tmp_path / "controls.txt", "Drones hit \x1bKharkiv\x0b and \x01Odesa.\n")
    title = {"title": "Night \x1b[31mstrikes\x0b\x01", "date": "2025-10-17"}
    write(tmp_path / "controls.meta.json", json.dumps(title))
    completed = run_cli("geoparse", str(article), "--format", "kml")
    assert completed.returncode == 0, completed.stderr
    document = ElementTree.fromstring(completed.stdout.encode("utf-8"))
    namespace = {"kml": "http://www.opengis.net/kml/2.2"}
    names = [element.text for element in document.iterfind(".//kml:Placemark/kml:name", namespace)]
    assert {"Kharkiv", "Odesa"} <= set(names)
    assert document.findtext("kml:Document/kml:name", namespaces=namespace) == "Night [31mstrikes"


def test_8_kml_strips_what_xml_forbids_wherever_the_text_comes_from() -> None:
    """The writer itself, for articles that reach it without the reader's clean-up (a file
    name, a library stored before it, a caller of the library)."""
    from frontline.export import to_kml
    from frontline.model import Article, Candidate, Mention, Place, Sentence

    text = "Night \x1bstrikes\x0b on \x01Kharkiv\ufffe."
    article = Article(text, "raid\x1b[31m\x0bnight.txt", None, None, (Sentence(0, 0, len(text)),))
    kharkiv = Candidate(706483, "Khar\x1bkiv", 50.0, 36.25, "city", "UA", "Kharkiv")
    mention = Mention("Kharkiv", text.index("Kharkiv"), text.index("Kharkiv") + 7, 0)
    place = Place("Khar\x1bkiv", kharkiv, 1.0, (), (), (mention,))
    document = ElementTree.fromstring(to_kml([place], article).encode("utf-8"))
    kml = {"kml": "http://www.opengis.net/kml/2.2"}
    assert document.findtext("kml:Document/kml:name", namespaces=kml) == "Raid[31mnight"
    assert document.findtext(".//kml:Placemark/kml:name", namespaces=kml) == "Kharkiv"
    assert document.findtext(".//kml:description", namespaces=kml) == "Night strikes on Kharkiv."


# --- 9. the smaller ones ---------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Latitude normalization:UserWarning")
@pytest.mark.parametrize(
    ("kind", "said"),
    [("429", "429"), ("500", "500"), ("malformed", "malformed"), ("pole", "unusable")],
)
def test_9_each_geocoder_failure_is_an_error_outcome(
    hostile: HostileServer, kind: str, said: str, tmp_path: Path
) -> None:
    (outcome,) = _geocoder(hostile, kind, tmp_path / "cache.sqlite3").lookup_many(["Synkivka"])
    assert outcome.status == "error" and said in (outcome.error or "")


@pytest.mark.slow  # another process, or the dashboard
def test_9_the_cli_reports_a_geocoder_failure_in_one_line(
    hostile: HostileServer, tmp_path: Path, settings: Any, gazetteer: Any
) -> None:
    # Two articles, so each line names its source: one from a file whose name is hostile.
    article = write(tmp_path / "raid\x1b[31m.txt", SYNKIVKA)
    # latitude 95: geopy also warns (a UserWarning of two lines) before refusing it
    completed = run_cli(
        "geoparse", "-", str(article), "--online",
        stdin=SYNKIVKA.encode(), env=_geocoder_env(hostile, "pole", tmp_path / "cache", settings),
    )  # fmt: skip
    assert completed.returncode == 0
    lines = completed.stderr.splitlines()
    # One line per article for the name: what failed and what to do, in the same line.
    assert [line for line in lines if "Synkivka" in line] == [
        f"frontline: {source}: Synkivka: not found offline, and the online look-up failed "
        "(Nominatim sent an unusable answer for 'Synkivka' (ValueError: Latitude must be in "
        "the [-90; 90] range.)); GeoNames' full data for UA would add every village "
        "(python -m frontline index --country UA), or try again later"
        for source in ("<stdin>", str(tmp_path / "raid\\x1b[31m.txt"))
    ], lines
    # Any other line is one of the project's own, never a piece of a library's warning, and
    # the hostile file name reaches the terminal with its escape shown.
    assert all(line.startswith("frontline: ") for line in lines), lines
    assert "Warning" not in completed.stderr and "\x1b" not in completed.stderr


def test_9_a_failed_name_with_no_country_data_to_offer_is_one_safe_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``library export --online`` (no country-data hint there): the geocoder's failure and
    the one thing to do, on one line whatever the name and the server's words hold."""
    from frontline.cli_common import lookup_failure_note, report_note
    from frontline.service import LookupFailure

    report_note(lookup_failure_note(LookupFailure("Syn\x1b[2Kkivka", "HTTP status 500\r\nX")))
    assert capsys.readouterr().err == (
        "frontline: Syn\\x1b[2Kkivka: not found offline, and the online look-up failed "
        "(HTTP status 500\\r\\nX); try again later\n"
    )


@pytest.mark.slow  # another process, or the dashboard
def test_9_other_libraries_logs_stay_off_standard_error(tmp_path: Path) -> None:
    page = write(tmp_path / "empty.html", "<!doctype html>")
    completed = run_cli("geoparse", str(page))
    assert "no article text" in one_error_line(completed)  # not trafilatura's three ERRORs


@pytest.mark.slow  # another process, or the dashboard
def test_9_utf16_pages_and_files_are_read(hostile: HostileServer, tmp_path: Path) -> None:
    text = "Shelling hit Kharkiv and Odesa overnight, officials said on Monday."
    page = f"<html><body><article><p>{text}</p><p>{text}</p></article></body></html>"
    url = hostile.url(
        "/raw?type=" + quote("text/html; charset=utf-16") + "&hex=" + page.encode("utf-16").hex()
    )
    bomless = write(tmp_path / "utf16le.txt", text.encode("utf-16-le"))
    completed = run_cli("geoparse", url, str(bomless))
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)
    for result in results:
        assert {"Kharkiv", "Odesa"} <= {place["name"] for place in result["places"]}


@pytest.mark.slow  # another process, or the dashboard
def test_9_a_page_that_is_only_a_menu_is_not_stored(hostile: HostileServer, tmp_path: Path) -> None:
    menu = (
        "<html><head><title>Menu</title></head><body><div>"
        '<a href="/">Home</a> <a href="/about">About</a></div></body></html>'
    )
    url = hostile.url("/raw?type=text/html&hex=" + menu.encode().hex())
    store = tmp_path / "lib.sqlite3"
    completed = run_cli("library", "add", url, "--store", str(store))
    assert "no article text" in one_error_line(completed)
    with sqlite3.connect(store) as connection:
        assert connection.execute("SELECT count(*) FROM articles").fetchone() == (0,)


@pytest.mark.slow  # another process, or the dashboard
def test_9_a_store_that_is_not_a_file_or_not_there_is_refused_without_side_effects(
    tmp_path: Path,
) -> None:
    journal = Path("/dev/null-journal")
    if journal.exists():
        pytest.skip("/dev/null-journal exists already on this machine")
    article = write(tmp_path / "a.txt", KHARKIV)
    completed = run_cli("library", "add", str(article), "--store", "/dev/null")
    assert "is a device or a pipe, not a file" in one_error_line(completed)
    assert not journal.exists()
    missing = tmp_path / "no" / "such" / "library.sqlite3"
    completed = run_cli("library", "list", "--store", str(missing))
    assert "no article library" in one_error_line(completed)
    assert not (tmp_path / "no").exists()


@pytest.mark.slow  # another process, or the dashboard
def test_9_a_damaged_library_refuses_add_as_it_refuses_list(tmp_path: Path) -> None:
    store = str(tmp_path / "lib.sqlite3")
    articles = [
        write(tmp_path / f"a{n}.txt", f"Day {n}: drones hit Kharkiv. " * 60) for n in range(6)
    ]
    assert run_cli("library", "add", *map(str, articles), "--store", store).returncode == 0
    size = os.path.getsize(store)
    assert size > 12 * 4096
    with open(store, "r+b") as damaged:  # a page in the middle overwritten
        damaged.seek(4096 * (size // 4096 // 2))
        damaged.write(b"\xde\xad\xbe\xef" * 1024)
    before = Path(store).read_bytes()
    listed = run_cli("library", "list", "--store", store)
    added = run_cli("library", "add", str(write(tmp_path / "b.txt", KHARKIV)), "--store", store)
    for completed in (listed, added):
        assert "damaged" in one_error_line(completed)
    assert Path(store).read_bytes() == before
