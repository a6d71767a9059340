"""One face for the same fact: titles, empty cells, one score scale, evidence, the search."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from components import sidebar
from components.catalog import build_catalog, gazetteer_search
from components.place_table import places_frame, styled_places
from frontline.article import Article, display_title
from frontline.cli_library import format_table
from frontline.export import to_kml
from frontline.store import StoredArticleSummary

SAMPLE_SOURCE = "/data/articles/trump-zelensky-tomahawks.txt"


def test_an_untitled_file_has_one_readable_title_everywhere(sample_result: Any) -> None:
    assert display_title(None, SAMPLE_SOURCE) == "Trump zelensky tomahawks"
    assert display_title("  A  title\nwith a break ", SAMPLE_SOURCE) == "A title with a break"
    assert display_title(None, "https://example.org/story") == "https://example.org/story"
    summary = StoredArticleSummary(
        1, None, dt.date(2025, 10, 17), SAMPLE_SOURCE, 17, dt.datetime(2025, 10, 18)
    )
    assert "Trump zelensky tomahawks" in format_table([summary])
    assert "(no title)" not in format_table([summary])
    untitled = Article(text="Kyiv.", source=SAMPLE_SOURCE)
    kml = to_kml([], untitled)
    assert "<name>Trump zelensky tomahawks</name>" in kml


def test_empty_cells_stay_empty(sample_result: Any) -> None:
    catalog = build_catalog(sample_result)
    html = styled_places(places_frame(catalog, catalog.names)).to_html()
    assert "None" not in html and "nan" not in html
    # Numbers read as before: four decimals for points, two for scores.
    assert "50.4547" in html and "30.5238" in html


def test_the_runner_up_is_scored_on_the_places_own_scale(geoparser: Any) -> None:
    from frontline.article import article_from_text

    result = geoparser.geoparse(
        article_from_text(
            "Fighting went on around Pokrovsk, Kramatorsk and Kostiantynivka.", source="test"
        )
    )
    checked = 0
    for place in result.places:
        for line in place.evidence:
            found = re.search(r"score ([\d.]+) against ([\d.]+)", line)
            if found:
                assert float(found.group(2)) == round(place.score, 2)
                assert float(found.group(1)) <= float(found.group(2))
                checked += 1
    assert checked >= 1


def test_evidence_never_measures_a_place_from_itself(geoparser: Any) -> None:
    from frontline.article import article_from_text

    result = geoparser.geoparse(
        article_from_text(
            "Heavy fighting continued around Bakhmut. Russian officials still call the city "
            "Artemivsk, and shelling hit Kostiantynivka.",
            source="test",
        )
    )
    bakhmut = next(place for place in result.places if place.name == "Bakhmut")
    assert not [line for line in bakhmut.evidence if "km from Artemivsk" in line]


def test_the_search_hint_finds_places_of_the_open_article(
    sample_result: Any, geoparser: Any
) -> None:
    catalog = build_catalog(sample_result)
    hint = sidebar.search_hint(catalog)
    names = hint.removeprefix("e.g. ").split(", ")
    assert len(names) == 3
    search = gazetteer_search(catalog, geoparser.gazetteer)
    for name in names:
        assert search(name), name


def test_the_filter_follows_the_search_box(sample_result: Any, geoparser: Any) -> None:
    catalog = build_catalog(sample_result)
    search = gazetteer_search(catalog, geoparser.gazetteer)
    state: dict[str, Any] = {sidebar.FILTER_KEY: ["Budapest"], sidebar.SEARCH_KEY: "Kyiv"}
    sidebar.apply_search(state, search)
    kyiv = search("Kyiv")
    assert len(kyiv) == 1 and state[sidebar.FILTER_KEY] == ["Budapest", *kyiv]
    # A new search replaces what the last one put in; the reader's own choice stays.
    state[sidebar.SEARCH_KEY] = "Kupyansk"
    sidebar.apply_search(state, search)
    assert state[sidebar.FILTER_KEY] == ["Budapest", "Kupiansk"]
    # Emptying the box takes the search's places out again.
    state[sidebar.SEARCH_KEY] = ""
    sidebar.apply_search(state, search)
    assert state[sidebar.FILTER_KEY] == ["Budapest"]
