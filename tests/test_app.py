"""The dashboard through ``streamlit.testing.v1.AppTest``: the script runs on the sample
article and on hostile text, the filter narrows map, excerpts and table together and lives
in the URL, and the search finds places in other spellings."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components.catalog import build_catalog, gazetteer_search
from components.excerpts import article_html, context_html, excerpts_html
from components.markup import Highlight, escape_text, highlight
from components.place_map import MarkerClick, clicked_name, fit_view, popup_html

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = str(REPO_ROOT / "app.py")
TIMEOUT_S = 180
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def app(cache_dir: Path, gazetteer: Any, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    # ``gazetteer`` builds the index once for the session before any app run needs it.
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("FRONTLINE_TILES_URL", "")
    monkeypatch.setattr(sys, "argv", ["app.py"])
    return AppTest.from_file(APP, default_timeout=TIMEOUT_S)


def excerpt_sentences(at: AppTest) -> list[str]:
    """The text of every excerpt in the excerpts panel."""
    for element in at.get("html"):
        body = element.proto.body
        if 'class="frontline-excerpts"' in body and "frontline-context" not in body:
            return [
                re.sub(r"<[^>]+>", "", chunk.split('<div class="frontline-where">')[0])
                for chunk in body.split('<div class="frontline-excerpt" ')[1:]
            ]
    raise AssertionError("no excerpts panel on the page")


def url_places(at: AppTest) -> list[str]:
    value = at.query_params.get("place", [])
    return list(value) if isinstance(value, (list, tuple)) else [value]


def table_places(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Place"])


def test_sample_article_runs_and_lists_the_front_line_towns(app: AppTest) -> None:
    at = app.run()
    assert not at.exception, at.exception
    assert not at.error
    options = at.multiselect(key="place_filter").options
    for name in ("Pokrovsk", "Kupiansk", "Kostiantynivka", "Budapest"):
        assert any(option.startswith(name + " (") for option in options), options
    assert at.multiselect(key="place_filter").value == []
    assert {"Pokrovsk", "Kupiansk", "Budapest"} <= set(table_places(at))
    assert "2025-10-17" in at.caption[0].value


def test_filter_narrows_excerpts_table_and_url(app: AppTest) -> None:
    at = app.run()
    everything = excerpt_sentences(at)
    at.multiselect(key="place_filter").set_value(["Pokrovsk"]).run()
    assert not at.exception
    narrowed = excerpt_sentences(at)
    assert narrowed and len(narrowed) < len(everything)
    assert all("Pokrovsk" in sentence for sentence in narrowed)
    assert table_places(at) == ["Pokrovsk"]
    assert url_places(at) == ["Pokrovsk"]


def test_url_opens_the_same_view(app: AppTest) -> None:
    app.query_params["place"] = ["Pokrovsk", "Budapest", "Atlantis"]
    at = app.run()
    assert not at.exception
    assert at.multiselect(key="place_filter").value == ["Pokrovsk", "Budapest"]
    assert set(table_places(at)) == {"Pokrovsk", "Budapest"}
    assert any("Atlantis" in warning.value for warning in at.warning)


@pytest.mark.parametrize(
    ("typed", "found"),
    [("Kupyansk", "Kupiansk"), ("kostyantynivka", "Kostiantynivka"), ("KIEV", "Kyiv")],
)
def test_search_accepts_other_spellings(app: AppTest, typed: str, found: str) -> None:
    at = app.run()
    at.text_input(key="place_search").input(typed).run()
    assert not at.exception
    assert at.multiselect(key="place_filter").value == [found]
    assert table_places(at) == [found]
    assert url_places(at) == [found]


def test_search_with_no_match_says_so_and_keeps_the_filter(app: AppTest) -> None:
    at = app.run()
    at.multiselect(key="place_filter").set_value(["Budapest"]).run()
    at.text_input(key="place_search").input("Atlantis").run()
    assert at.multiselect(key="place_filter").value == ["Budapest"]
    assert any("Atlantis" in warning.value for warning in at.warning)


def test_another_article_from_the_command_line(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "hostile.txt"
    article.write_text(
        f"Drones struck Pokrovsk overnight {HOSTILE} officials said.\n"
        "Kupiansk held `${alert(3)}` \\u0041 <script>alert(2)</script>.\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys, "argv", ["app.py", "--article", str(article)])
    at = app.run()
    assert not at.exception
    assert {"Pokrovsk", "Kupiansk"} <= set(table_places(at))
    bodies = "".join(element.proto.body for element in at.get("html"))
    assert HOSTILE not in bodies and "<script>alert(2)" not in bodies
    assert escape_text(HOSTILE) in bodies


def test_missing_article_is_one_clear_message(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["app.py", "--article", str(tmp_path / "nowhere.txt")])
    at = app.run()
    assert not at.exception
    assert len(at.error) == 1
    assert "nowhere.txt" in at.error[0].value


# ----------------------------------------------------------------------------------------
# The view pieces on their own, with the real geoparse of the sample.


def test_highlight_escapes_each_segment_and_marks_the_mention() -> None:
    text = "a<b> Pokrovsk & `${x}` \\"
    start = text.index("Pokrovsk")
    html = highlight(text, [Highlight(start, start + len("Pokrovsk"), label='"q"')])
    assert html == (
        'a&lt;b&gt; <mark title="&quot;q&quot;">Pokrovsk</mark> &amp; &#96;&#36;{x}&#96; &#92;'
    )


def test_popup_context_and_article_escape_hostile_text() -> None:
    from frontline.article import article_from_text
    from frontline.model import Candidate, GeoparseResult, Mention, Place

    name = "<b>Pokrovsk</b>`${alert(4)}`"
    text = f"Drones struck {name} overnight {HOSTILE} officials said. Then nothing."
    article = article_from_text(text, "hostile.txt")
    start = text.index(name)
    mention = Mention(name, start, start + len(name), article.sentence_index_at(start))
    candidate = Candidate(1, name, 48.3, 37.2, "city", "UA", "<i>Donetsk</i>")
    runner_up = Candidate(2, HOSTILE, 55.0, 40.0, "city", "RU", HOSTILE)
    place = Place(name, candidate, 0.5, (HOSTILE,), (runner_up,), (mention,))
    catalog = build_catalog(GeoparseResult(article, (place,)))
    outputs = [
        popup_html(name, place, article),
        context_html(name, place, article),
        excerpts_html(article, catalog, [name]),
        article_html(article, catalog, [name]),
    ]
    for output in outputs:
        for raw in ("<img", "<b>", "<i>", "`", "${"):
            assert raw not in output, (raw, output)
        assert "&lt;b&gt;Pokrovsk&lt;/b&gt;&#96;&#36;{alert(4)}&#96;" in output
    for output in outputs[1:]:
        assert "&lt;img src=x onerror=alert(1)&gt;" in output


def test_search_maps_variants_through_the_gazetteer(sample_result: Any, gazetteer: Any) -> None:
    search = gazetteer_search(build_catalog(sample_result), gazetteer)

    assert search("Kup'yans'k") == ("Kupiansk",)
    assert search("Kyiv") == ("Kyiv",)
    assert search("kostya") == ("Kostiantynivka",)
    assert search("Atlantis") == ()


def test_clicked_marker_is_found_by_tooltip_or_position(sample_result: Any) -> None:
    catalog = build_catalog(sample_result)
    kupiansk = catalog.places["Kupiansk"]
    shown = catalog.mapped_names()
    by_tooltip = MarkerClick(count=1, lat=None, lon=None, tooltip="Kupiansk")
    by_position = MarkerClick(count=2, lat=kupiansk.lat, lon=kupiansk.lon, tooltip=None)
    assert clicked_name(by_tooltip, catalog, shown) == "Kupiansk"
    assert clicked_name(by_position, catalog, shown) == "Kupiansk"
    nowhere = MarkerClick(count=3, lat=0.0, lon=0.0, tooltip=None)
    assert clicked_name(nowhere, catalog, shown) is None


def test_view_fits_the_points() -> None:
    donbas = fit_view([(48.28, 37.18), (49.71, 37.62), (48.53, 37.71)])
    world = fit_view([(48.28, 37.18), (38.9, -77.04)])
    assert donbas.zoom > world.zoom
    assert 48.28 < donbas.center[0] < 49.71 and 37.18 < donbas.center[1] < 37.71
    assert fit_view([(47.5, 19.04)], top_padding_px=48).center == (47.5, 19.04)
    # With the legend's band at the top, a lone point sits below the map's centre.
    below_legend = fit_view([(47.5, 19.04)])
    assert below_legend.center[0] > 47.5 and below_legend.center[1] == 19.04


def test_a_click_counts_once_however_often_the_map_reports_it() -> None:
    from components import focus

    state: dict[str, Any] = {}
    assert focus.take_new_click(state, None) is None
    first = MarkerClick(count=1, lat=49.7, lon=37.6, tooltip="Kupiansk")
    assert focus.take_new_click(state, first) == first
    # Every later rerun (a filter change, a table click) reports the same click again.
    assert focus.take_new_click(state, first) is None
    # The same marker clicked again is a new click: the counter moved on.
    again = MarkerClick(count=2, lat=49.7, lon=37.6, tooltip="Kupiansk")
    assert focus.take_new_click(state, again) == again
    # A remounted map counts from zero again.
    assert focus.take_new_click(state, None) is None
    assert focus.take_new_click(state, first) == first


def test_table_selection_counts_only_when_it_changes() -> None:
    from components import focus

    state: dict[str, Any] = {}
    key = focus.table_key(state, ["Pokrovsk", "Budapest"])
    assert focus.take_table_change(state, key, ()) is None
    assert focus.take_table_change(state, key, ("Budapest",)) == ("Budapest",)
    assert focus.take_table_change(state, key, ("Budapest",)) is None
    # A marker click gives the table a new key: its old selection does not come back.
    focus.focus_from_map(state, "Pokrovsk")
    fresh = focus.table_key(state, ["Pokrovsk", "Budapest"])
    assert fresh != key
    assert focus.take_table_change(state, fresh, ()) is None
    assert state[focus.FOCUS_KEY] == ("Pokrovsk",)


def test_static_assets_cover_every_url_the_map_loads(tmp_path: Path) -> None:
    from components.offline_assets import OfflineAssets, ensure_static_assets

    static = ensure_static_assets(tmp_path / "static")
    assets = OfflineAssets.for_base_path("")
    urls = [url for _, url in [*assets.js, *assets.css]] + [
        assets.leaflet_images + "marker-icon.png",
        assets.outlines_url,
    ]
    for url in urls:
        assert url.startswith("/app/static/")
        # The project's own script carries its version in the query.
        path = url.removeprefix("/app/static/").split("?")[0]
        assert (static / path).is_file(), url
    assert OfflineAssets.for_base_path("/news/").base_url == "/news/app/static"
    # A second call finds everything in place and rewrites nothing.
    before = {path: path.stat().st_mtime_ns for path in static.rglob("*") if path.is_file()}
    ensure_static_assets(static)
    assert before == {path: path.stat().st_mtime_ns for path in static.rglob("*") if path.is_file()}


def test_towns_in_ukraine_are_shown_by_their_official_name_beside_the_articles(
    app: AppTest,
) -> None:
    at = app.run()
    frame = at.dataframe[0].value
    assert "Kiev" not in set(frame["Place"]) and "Kostyantynivka" not in set(frame["Place"])
    written = dict(zip(frame["Place"], frame["In the article"], strict=True))
    assert written["Kyiv"] == "Kiev"
    assert written["Kostiantynivka"] == "Kostyantynivka"
    assert written["Pokrovsk"] == "" and written["Budapest"] == ""
