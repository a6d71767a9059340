"""The front line of the article's date as context for namesakes (issue 11, item 4): in a
sentence about fighting, a village is far likelier near the line than 500 km behind it.

Sentences written for these tests; the front line is the written stand-in's
(``tests/snapshot_fixtures.py``), so no test here needs ../shared. Each rule's test was
checked to fail with the rule taken out."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from frontline import service
from frontline.article import article_from_text
from frontline.errors import SnapshotFetchError
from frontline.evidence import km_from_front_line, reason_from_words
from frontline.model import Place
from frontline.territory import load_snapshot, territory_status
from frontline.territory.front_line import FrontLine, front_line_of
from frontline.war_syntax import about_fighting

from .snapshot_fixtures import SAMPLE_DAY, snapshot_name, write_test_snapshots

FIGHTING_ZOLOCHIV = "Russian artillery shelled Zolochiv overnight."


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_test_snapshots(tmp_path_factory.mktemp("front-prior") / "snapshots")


@pytest.fixture(scope="module")
def front(written: Path) -> FrontLine:
    return front_line_of(load_snapshot(written / snapshot_name(SAMPLE_DAY)))


def places(geoparser: Any, text: str, front_line: FrontLine | None = None) -> dict[str, Place]:
    result = geoparser.geoparse(article_from_text(text, source="test"), front_line=front_line)
    return {place.name: place for place in result.places}


def front_evidence(place: Place) -> list[str]:
    return [reason for reason in place.evidence if reason.kind == "front_line"]


def km_to(front: FrontLine, place: Place) -> float:
    assert place.lat is not None and place.lon is not None
    [km] = front.distances_km([(place.lat, place.lon)])
    assert km is not None
    return km


# ---------------------------------------------------------------------------- the line


def test_the_front_line_faces_free_ukraine_and_not_the_sea(written: Path, front: FrontLine) -> None:
    snapshot = load_snapshot(written / snapshot_name(SAMPLE_DAY))
    # West of the drawn area, in free Ukraine: the line is the edge of occupied territory.
    free = territory_status(snapshot, 48.3, 37.2)
    [west] = front.distances_km([(48.3, 37.2)])
    assert west is not None and west == pytest.approx(free.distance_km, abs=1.0)
    # Inside, near the drawn area's southern edge (the Azov coast) and its eastern edge
    # (the Russian border of occupied ground): a few km from the territory's edge, but far
    # from any front.
    for lat, lon in ((47.03, 38.6), (48.5, 40.12)):
        inside = territory_status(snapshot, lat, lon)
        [km] = front.distances_km([(lat, lon)])
        assert inside.status == "occupied" and inside.distance_to_edge_km is not None
        assert inside.distance_to_edge_km < 10 and km is not None and km > 60


def test_the_russian_border_facing_free_ukraine_is_front_line_too(front: FrontLine) -> None:
    # Zolochiv (Kharkiv Oblast) and a point near Belgorod: 180 and 160 km from the drawn
    # occupied area, a few tens of km from the border; Lviv far behind; Washington outside
    # the area any front line is measured in.
    zolochiv, belgorod, lviv, washington = front.distances_km(
        [(50.28, 35.98), (50.6, 36.6), (49.84, 24.03), (38.9, -77.0)]
    )
    assert zolochiv is not None and zolochiv < 20
    assert belgorod is not None and belgorod < 50
    assert lviv is not None and lviv > 500
    assert washington is None


# ---------------------------------------------------------------------------- the prior


def test_in_a_fighting_sentence_a_village_is_its_namesake_near_the_front_line(
    geoparser: Any, front: FrontLine
) -> None:
    # Two Zolochivs: in Kharkiv Oblast (7,744 people, 13 km from the border) and in Lviv
    # Oblast (22,608 people, about 600 km behind the line).
    without = places(geoparser, FIGHTING_ZOLOCHIV)["Zolochiv"]
    assert without.candidate is not None and without.candidate.admin1 == "Lviv Oblast"
    assert front_evidence(without) == []

    weighed = places(geoparser, FIGHTING_ZOLOCHIV, front)["Zolochiv"]
    assert weighed.candidate is not None and weighed.candidate.admin1 == "Kharkiv Oblast"
    assert km_to(front, weighed) < 20
    assert front_evidence(weighed) == [km_from_front_line(km_to(front, weighed), SAMPLE_DAY)]
    assert weighed.alternatives[0].admin1 == "Lviv Oblast"


def test_outside_sentences_about_fighting_the_usual_rules_decide(
    geoparser: Any, front: FrontLine
) -> None:
    place = places(geoparser, "The mayor of Zolochiv opened a museum of the town.", front)
    assert place["Zolochiv"].candidate.admin1 == "Lviv Oblast"
    assert front_evidence(place["Zolochiv"]) == []


def test_a_village_at_the_drawn_line_beats_its_namesakes_behind_it(
    geoparser: Any, front: FrontLine
) -> None:
    # Six Blahodatnes; the one in Donetsk Oblast lies a km from the drawn occupied area,
    # the largest in Volyn Oblast, 500 km behind the line.
    text = "Russian troops shelled Blahodatne at dawn."
    assert places(geoparser, text)["Blahodatne"].candidate.admin1 == "Volyn Oblast"
    weighed = places(geoparser, text, front)["Blahodatne"]
    assert weighed.candidate.admin1 == "Donetsk Oblast"
    assert km_to(front, weighed) < 5


def test_a_russian_border_village_is_near_the_front_line(geoparser: Any, front: FrontLine) -> None:
    # Oktyabrsky in Belgorod Oblast, 15 km from the border, against the larger one near
    # Moscow.
    text = "Fighting continues near Oktyabrskiy, the governor said."
    assert places(geoparser, text)["Oktyabrskiy"].candidate.admin1 == "Moscow Oblast"
    assert places(geoparser, text, front)["Oktyabrskiy"].candidate.admin1 == "Belgorod Oblast"


def test_a_region_the_text_names_is_not_left_for_the_front_line(
    geoparser: Any, front: FrontLine
) -> None:
    # Hirnyk in Lviv Oblast stays where the sentence puts it (and so does its oblast),
    # though a larger Hirnyk lies 15 km from the line in Donetsk Oblast.
    text = "Russian artillery shelled Hirnyk, the Lviv Oblast governor said."
    weighed = places(geoparser, text, front)
    assert weighed["Hirnyk"].candidate.admin1 == "Lviv Oblast"
    assert "Lviv Oblast" in weighed
    # The front line was weighed and the text's region held: its evidence says how far.
    hirnyk = weighed["Hirnyk"]
    assert km_to(front, hirnyk) > 400
    assert front_evidence(hirnyk) == [km_from_front_line(km_to(front, hirnyk), SAMPLE_DAY)]
    assert places(geoparser, "Russian artillery shelled Hirnyk.", front)[
        "Hirnyk"
    ].candidate.admin1 == ("Donetsk Oblast")


def test_a_name_its_own_qualifier_places_is_not_weighed(geoparser: Any, front: FrontLine) -> None:
    # Six Blahodatnes, one at the drawn line: "(Volyn Oblast)" says which one, and the
    # front line has nothing to add to it.
    text = "Russian troops shelled Blahodatne (Volyn Oblast)."
    blahodatne = places(geoparser, text, front)["Blahodatne"]
    assert blahodatne.candidate.admin1 == "Volyn Oblast"
    assert front_evidence(blahodatne) == []


def test_a_name_with_no_namesake_near_the_front_is_left_to_the_usual_rules(
    geoparser: Any, front: FrontLine
) -> None:
    # Dubno in Rivne Oblast and its namesakes in Russia and Poland all lie 450 km or more
    # from the written line: none is in the theatre of war, so none is weighed.
    text = "Russian troops shelled Dubno overnight."
    without = places(geoparser, text)["Dubno"]
    weighed = places(geoparser, text, front)["Dubno"]
    assert weighed.candidate == without.candidate
    assert weighed.score == without.score
    assert front_evidence(weighed) == []


def test_a_city_of_half_a_million_is_not_weighed_against_the_front_line(
    geoparser: Any, front: FrontLine
) -> None:
    # Zaporizhzhia, 170 km from the written line, is the city whatever its distance; its
    # village namesakes are weighed among themselves only.
    weighed = places(geoparser, "Russian troops shelled Zaporizhzhia overnight.", front)
    assert weighed["Zaporizhzhia"].candidate.population > 500_000
    assert front_evidence(weighed["Zaporizhzhia"]) == []


def test_fighting_on_the_ground_is_told_from_strikes_far_behind_the_line() -> None:
    for sentence in (
        "Enemy assaults were repelled overnight.",
        "Russian troops shelled the village.",
        "Fighting continues on the Pokrovsk front.",
        "Guided aerial bombs hit the town.",
    ):
        assert about_fighting(sentence), sentence
    for sentence in (
        "Russian missiles struck Lviv overnight.",
        "Drones attacked an oil depot.",
        "The mayor opened a museum.",
    ):
        assert not about_fighting(sentence), sentence


def test_the_evidence_names_the_snapshot_and_reads_back() -> None:
    reason = km_from_front_line(12.4, dt.date(2025, 10, 17))
    assert reason == "12 km from the front line of 2025-10-17"
    for words in (
        reason,
        km_from_front_line(1234.0, SAMPLE_DAY),
        km_from_front_line(None, SAMPLE_DAY),
    ):
        assert reason_from_words(str(words)).kind == "front_line"
    assert reason_from_words("12 km from Pokrovsk").kind == "nearby"


# ---------------------------------------------------------------------------- the service


def _dated_article(tmp_path: Path, text: str, date: str | None) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    if date is not None:
        (tmp_path / "report.meta.json").write_text(json.dumps({"date": date}), encoding="utf-8")
    return path


def test_the_cli_weighs_the_front_line_of_the_articles_date(tmp_path: Path, written: Path) -> None:
    from frontline.cli import main

    path = _dated_article(tmp_path, FIGHTING_ZOLOCHIV, "2025-10-20")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["geoparse", str(path), "--territory", str(written)]) == 0
    [zolochiv] = [p for p in json.loads(out.getvalue())["places"] if p["name"] == "Zolochiv"]
    # The folder's latest snapshot on or before the article's date serves both the prior
    # and each place's status.
    assert zolochiv["admin1"] == "Kharkiv Oblast"
    assert any(
        words.endswith(" km from the front line of 2025-10-18") for words in zolochiv["evidence"]
    )
    assert zolochiv["territory"]["snapshot"] == "2025-10-18"


def test_the_library_and_the_dashboard_weigh_the_snapshot_at_hand(
    settings: Any, written: Path, tmp_path: Path
) -> None:
    at_hand = replace(settings, cache_dir=tmp_path, territory_dir=written, territory_fetch=False)
    prior_for = service.front_line_at_hand(at_hand)
    dated = article_from_text(FIGHTING_ZOLOCHIV, "test", date=dt.date(2025, 10, 20))
    front = prior_for(dated)
    assert front is not None and front.snapshot_date == dt.date(2025, 10, 18)
    assert prior_for(dated) is front  # built once per snapshot
    assert prior_for(article_from_text(FIGHTING_ZOLOCHIV, "test")) is None  # undated
    before = article_from_text(FIGHTING_ZOLOCHIV, "test", date=dt.date(2020, 1, 1))
    assert prior_for(before) is None  # before the first snapshot


def test_the_library_adds_an_article_weighing_the_snapshot_at_hand(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontline.cli import main
    from frontline.store import ArticleStore

    monkeypatch.setenv("FRONTLINE_TERRITORY_DIR", str(written))
    path = _dated_article(tmp_path, FIGHTING_ZOLOCHIV, "2025-10-17")
    store = tmp_path / "library.sqlite3"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["library", "add", str(path), "--store", str(store)]) == 0
    with ArticleStore(store) as opened:
        [summary] = opened.list()
        stored = {p.name: p for p in opened.get(summary.id).result.places}
    assert stored["Zolochiv"].candidate.admin1 == "Kharkiv Oblast"


def test_the_dashboard_adds_an_article_weighing_the_snapshot_at_hand(
    cache_dir: Path, gazetteer: Any, written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from streamlit.testing.v1 import AppTest

    from .conftest import REPO_ROOT

    path = _dated_article(tmp_path, FIGHTING_ZOLOCHIV, "2025-10-17")
    for name, value in {
        "FRONTLINE_CACHE_DIR": str(cache_dir),
        "FRONTLINE_DATA_DIR": str(tmp_path / "data"),
        "FRONTLINE_TILES_URL": "",
        "FRONTLINE_TERRITORY_FETCH": "0",
        "FRONTLINE_TERRITORY_DIR": str(written),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["app.py", "--article", str(path)])
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("Place")
    # Zolochiv in Kharkiv Oblast lies 180 km from the written occupied area; Lviv's, 800.
    assert table.loc["Zolochiv", "Distance (km)"] < 300


class _BrokenOrigin(http.server.BaseHTTPRequestHandler):
    """An origin that fails every request, and counts them."""

    def do_GET(self) -> None:
        self.server.requested.append(self.path)  # type: ignore[attr-defined]
        self.send_error(500, "origin failure")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def broken_origin() -> Iterator[tuple[str, Any]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BrokenOrigin)
    server.requested = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        template = (
            f"http://127.0.0.1:{server.server_address[1]}/deepstatemap_data_{{date:%Y%m%d}}.geojson"
        )
        yield template, server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_one_source_serves_the_prior_and_the_step_and_fails_once(
    geoparser: Any, settings: Any, tmp_path: Path, broken_origin: tuple[str, Any]
) -> None:
    template, server = broken_origin
    fetching = replace(
        settings,
        cache_dir=tmp_path,
        territory_url_template=template,
        territory_fetch=True,
        allowed_networks=("127.0.0.1/32",),  # the origin is under the address policy too
    )
    source = service.front_line("auto", fetching)
    article = article_from_text(FIGHTING_ZOLOCHIV, "test", date=SAMPLE_DAY)
    # No snapshot: the geoparse goes on without the front line...
    result = service.weighing_front_line(geoparser.geoparse, source.prior_for)(article)
    assert result.places
    asked = len(server.requested)
    assert asked == 1  # the first day fails; the cache has nothing for the days before
    # ...and the front-line step reports it, without asking the origin again.
    with pytest.raises(SnapshotFetchError):
        source.step(result)
    assert len(server.requested) == asked


def test_a_russian_fighting_sentence_weighs_the_front_line(
    geoparser: Any, front: FrontLine
) -> None:
    # «бои»: fighting, without a war report's «под» or «у» before the name.
    text = "Идут бои за Золочев, сообщили в штабе."
    without = places(geoparser, text)["Zolochiv"]
    assert without.candidate is not None and without.candidate.admin1 == "Lviv Oblast"
    weighed = places(geoparser, text, front)["Zolochiv"]
    assert weighed.candidate is not None and weighed.candidate.admin1 == "Kharkiv Oblast"
    assert front_evidence(weighed) == [km_from_front_line(km_to(front, weighed), SAMPLE_DAY)]


@pytest.mark.parametrize(
    ("sentence", "fighting"),
    [
        ("Запеклі бої тривають за Золочів.", True),
        ("Ворог наступає на Покровськ, тривають штурмові дії.", True),
        ("Окупанти обстріляли позиції ЗСУ з артилерії.", True),
        ("Армия России продвинулась у Золочева.", True),
        ("Ворог атакував Одесу дронами.", False),
        ("Наступного дня у Харкові пролунали вибухи.", False),
        ("Противник нанес удар по Одессе.", False),
    ],
)
def test_fighting_in_ukrainian_and_russian_is_told_from_strikes(
    sentence: str, fighting: bool
) -> None:
    from frontline.cyrillic.syntax import about_fighting

    assert about_fighting(sentence) is fighting
