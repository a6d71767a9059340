"""The front line in the dashboard: wording and choices (pure), and the app through AppTest
with a folder of snapshots (``snapshot_set``: the written stand-in, and ../shared/frontline
where it is) and with none at all."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from streamlit.testing.v1 import AppTest

from components.frontline_panel import (
    age_text,
    change_summary,
    compare_date,
    keep_uploads,
    legend_note,
    snapshot_key,
    status_caption,
    unavailable_text,
)
from components.place_map import territory_line
from components.place_table import places_frame, territory_distance_km
from frontline.model import Candidate, Place, TerritoryStatus
from frontline.territory import (
    FolderSnapshots,
    Snapshot,
    SnapshotChoice,
    load_snapshot,
    territory_change,
)

from .snapshot_fixtures import SnapshotSet

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = str(REPO_ROOT / "app.py")
SAMPLE_DAY = dt.date(2025, 10, 17)
TIMEOUT_S = 180


@pytest.fixture(scope="module")
def sample(snapshot_set: SnapshotSet) -> Snapshot:
    return load_snapshot(snapshot_set.path(SAMPLE_DAY))


def choice_for(snapshot: Snapshot, article_day: dt.date | None, origin: str) -> SnapshotChoice:
    return SnapshotChoice(snapshot, article_day, origin=origin)


def test_age_is_said_relative_to_the_article(sample: Snapshot) -> None:
    folder_file = sample.source
    assert age_text(choice_for(sample, SAMPLE_DAY, folder_file)) == "same day as the article"
    assert age_text(choice_for(sample, dt.date(2025, 10, 18), folder_file)) == (
        "1 day before the article"
    )
    assert age_text(choice_for(sample, dt.date(2025, 10, 10), "uploaded file x.geojson")) == (
        "7 days after the article"
    )
    assert age_text(choice_for(sample, None, folder_file)) == "the article has no date"


def test_legend_note_is_short_and_names_an_upload(sample: Snapshot) -> None:
    folder_file = sample.source
    assert legend_note(choice_for(sample, SAMPLE_DAY, folder_file)) == "Same day as the article"
    assert legend_note(choice_for(sample, dt.date(2025, 10, 20), folder_file)) == (
        "3 days before the article (2025-10-20)"
    )
    kept = "/cache/territory/uploads/deepstatemap_data_20251017.geojson"
    uploaded = legend_note(choice_for(sample, SAMPLE_DAY, kept))
    assert uploaded == "Same day as the article; uploaded file deepstatemap_data_20251017.geojson"


def test_status_caption_names_date_age_source_and_the_edge(sample: Snapshot) -> None:
    caption = status_caption(choice_for(sample, SAMPLE_DAY, sample.source))
    assert "as of 2025-10-17, same day as the article" in caption
    assert "DeepStateMap" in caption and "GPL-3.0" in caption
    assert "deepstatemap_data_20251017.geojson" in caption
    assert "state border and the coast" in caption


def test_change_summary_states_both_directions_in_km2(
    sample: Snapshot, snapshot_set: SnapshotSet
) -> None:
    earlier = load_snapshot(snapshot_set.path(dt.date(2025, 10, 1)))
    change = territory_change(sample, earlier)
    text = change_summary(change)
    assert text.startswith("Changed hands from 2025-10-01 to 2025-10-17:")
    assert f"took {change.gained_km2:,.1f} km²" in text
    assert f"regained {change.regained_km2:,.1f} km²" in text
    side = "Russia" if change.net_gained_km2 > 0 else "Ukraine"
    assert f"(net {abs(change.net_gained_km2):,.1f} km² to {side})" in text


def test_compare_date_for_each_choice() -> None:
    available = [dt.date(2025, 9, 1), SAMPLE_DAY, dt.date(2026, 8, 21)]
    assert compare_date("30 days earlier", SAMPLE_DAY, available, None) == dt.date(2025, 9, 17)
    assert compare_date("Latest available", SAMPLE_DAY, available, None) == dt.date(2026, 8, 21)
    assert compare_date("Latest available", SAMPLE_DAY, [], None) is None
    assert compare_date("Pick a date", SAMPLE_DAY, available, dt.date(2025, 9, 1)) == dt.date(
        2025, 9, 1
    )
    assert compare_date("Pick a date", SAMPLE_DAY, available, None) is None


def test_unavailable_text_says_how_to_supply_a_snapshot() -> None:
    text = unavailable_text("no snapshot cached.")
    assert text.startswith("Front line unavailable: no snapshot cached. Upload")
    assert "FRONTLINE_TERRITORY_FETCH=1" in text
    # With fetching already on, the setting is not advised again.
    fetching = unavailable_text("the origin could not be reached", fetching=True)
    assert "FRONTLINE_TERRITORY_FETCH" not in fetching and "Upload" in fetching


def test_snapshot_key_follows_the_file(sample: Snapshot, tmp_path: Path) -> None:
    copy = tmp_path / "deepstatemap_data_20251017.geojson"
    copy.write_bytes(Path(sample.source).read_bytes())
    first = snapshot_key(load_snapshot(copy))
    assert first == snapshot_key(load_snapshot(copy))
    copy.write_bytes(copy.read_bytes() + b"\n")
    assert snapshot_key(load_snapshot(copy)) != first
    assert snapshot_key(load_snapshot(sample.source)) != first


def place_with(territory: TerritoryStatus | None) -> Place:
    candidate = Candidate(1, "Town", 48.0, 37.0, "city", "UA", "Donetsk Oblast")
    return Place("Town", candidate, 0.9, (), (), (), territory=territory)


def test_occupied_places_are_measured_to_the_edge_of_occupied_territory() -> None:
    occupied = TerritoryStatus("occupied", 0.0, SAMPLE_DAY, distance_to_edge_km=10.315)
    free = TerritoryStatus("free", 3.377, SAMPLE_DAY)
    assert territory_line(place_with(occupied)) == (
        "Occupied, 10.3 km from the edge of occupied territory (front line of 2025-10-17)"
    )
    assert territory_line(place_with(free)) == (
        "Free, 3.4 km from occupied territory (front line of 2025-10-17)"
    )
    assert territory_distance_km(occupied) == 10.3
    assert territory_distance_km(free) == 3.4
    assert territory_distance_km(None) is None


def test_places_table_shows_status_and_distance_only_when_known() -> None:
    from components.catalog import build_catalog
    from frontline.model import Article, GeoparseResult

    article = Article(text="Town.", source="t.txt")
    known = build_catalog(
        GeoparseResult(article, (place_with(TerritoryStatus("free", 3.377, SAMPLE_DAY)),))
    )
    frame = places_frame(known, known.names)
    assert list(frame[["Status", "Distance (km)"]].iloc[0]) == ["free", 3.4]
    unknown = build_catalog(GeoparseResult(article, (place_with(None),)))
    assert "Status" not in places_frame(unknown, unknown.names).columns


# ---------------------------------------------------------------------------- the app


@pytest.fixture
def app(cache_dir: Path, gazetteer: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("FRONTLINE_TILES_URL", "")
    monkeypatch.setenv("FRONTLINE_TERRITORY_FETCH", "0")
    monkeypatch.setattr(sys, "argv", ["app.py"])

    def make(**environment: str) -> AppTest:
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return AppTest.from_file(APP, default_timeout=TIMEOUT_S)

    return make


def unavailable_notes(at: AppTest) -> list[str]:
    return [note.value for note in at.info if "Front line unavailable" in note.value]


def test_app_fills_status_and_distance_from_the_snapshot_folder(
    app: Any, app_snapshot_set: SnapshotSet
) -> None:
    at = app(FRONTLINE_TERRITORY_DIR=str(app_snapshot_set.folder)).run()
    assert not at.exception, at.exception
    assert unavailable_notes(at) == []
    table = at.dataframe[0].value.set_index("Place")
    assert table.loc["Pokrovsk", "Status"] == "free"
    for town in ("Pokrovsk", "Kupiansk"):
        expected_km = app_snapshot_set.expected_km(town)
        assert table.loc[town, "Distance (km)"] == pytest.approx(expected_km, abs=0.3)
    assert any("as of 2025-10-17, same day as the article" in c.value for c in at.caption)

    at.toggle(key="show_change").set_value(True).run()
    assert not at.exception, at.exception
    folder = FolderSnapshots(app_snapshot_set.folder)
    expected = territory_change(
        folder.snapshot_for(SAMPLE_DAY).snapshot,
        folder.snapshot_for(SAMPLE_DAY - dt.timedelta(days=30)).snapshot,
    )
    assert change_summary(expected) in [element.value for element in at.markdown]

    at.radio(key="territory_compare").set_value("Latest available").run()
    latest = folder.snapshot_for(max(folder.available_dates())).snapshot
    later = territory_change(folder.snapshot_for(SAMPLE_DAY).snapshot, latest)
    assert change_summary(later) in [element.value for element in at.markdown]


def test_app_without_any_snapshot_says_so_once_and_works(app: Any, tmp_path: Path) -> None:
    at = app(
        FRONTLINE_TERRITORY_URL_TEMPLATE=f"http://127.0.0.1:9/{tmp_path.name}/"
        "deepstatemap_data_{date:%Y%m%d}.geojson",
    ).run()
    assert not at.exception, at.exception
    assert not at.error
    notes = unavailable_notes(at)
    assert len(notes) == 1
    assert "or earlier here" in notes[0] and "upload" in notes[0].lower()
    assert len(notes[0]) < 200  # one short line
    assert "Status" not in at.dataframe[0].value.columns
    assert "Pokrovsk" in list(at.dataframe[0].value["Place"])
    # A rerun (a filter change) does not add a second note.
    at.multiselect(key="place_filter").set_value(["Pokrovsk"]).run()
    assert len(unavailable_notes(at)) == 1


def test_front_line_layer_scripts_are_the_same_for_the_same_input(
    sample: Snapshot, snapshot_set: SnapshotSet
) -> None:
    """streamlit-folium redraws every layer when any layer's script changes: a rerun with
    the same snapshot must give byte-identical scripts."""
    import folium
    from streamlit_folium import _get_feature_group_string

    from components.frontline_layer import change_layer, legend_layer, occupied_layer
    from frontline.territory import change_geojson, display_geojson

    earlier = load_snapshot(snapshot_set.path(dt.date(2025, 10, 1)))

    def scripts() -> list[str]:
        change = territory_change(earlier, sample)
        groups = [
            occupied_layer(display_geojson(sample), snapshot_date=sample.date),
            change_layer(*change_geojson(change), change=change),
            legend_layer(sample.date, note="Same day as the article", change=change),
        ]
        return [
            _get_feature_group_string(group, folium.Map(tiles=None), index)
            for index, group in enumerate(groups)
        ]

    first, second = scripts(), scripts()
    assert first == second
    assert all(len(script) > 500 for script in first)


class Upload:
    """What the sidebar's uploader hands over: a name and the bytes."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self._data = data

    def getvalue(self) -> bytes:
        return self._data


def test_uploads_are_kept_in_the_cache_for_every_later_use(
    tmp_path: Path, snapshot_set: SnapshotSet
) -> None:
    from frontline.settings import Settings
    from frontline.territory import local_first_snapshots

    settings = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data")
    data = snapshot_set.path(SAMPLE_DAY).read_bytes()
    earlier = snapshot_set.path(dt.date(2025, 10, 1)).read_bytes()
    kept: dict[str, Any] = {}
    uploads = [
        Upload("deepstatemap_data_20251017.geojson", data),
        Upload("deepstatemap_data_20251001.geojson", earlier),
    ]
    assert keep_uploads(settings, uploads, kept) == []
    assert sorted(kept.values()) == [dt.date(2025, 10, 1), SAMPLE_DAY]
    # A restart: a new provider over the same cache finds both, and auto picks by date.
    provider = local_first_snapshots(settings, requests.Session())
    assert provider.available_dates() == [dt.date(2025, 10, 1), SAMPLE_DAY]
    assert provider.snapshot_for(dt.date(2025, 10, 10)).snapshot.date == dt.date(2025, 10, 1)
    assert provider.snapshot_of(SAMPLE_DAY, None).snapshot.date == SAMPLE_DAY
    # The same file again is not written again.
    path = tmp_path / "cache" / "territory" / "uploads" / "deepstatemap_data_20251017.geojson"
    stamp = path.stat().st_mtime_ns
    assert keep_uploads(settings, uploads[:1], {}) == [] and path.stat().st_mtime_ns == stamp
    # Undated, broken or huge files: one message each, nothing kept.
    document = json.loads(data)
    document.pop("name", None)
    problems = keep_uploads(
        settings,
        [
            Upload("mine.geojson", json.dumps(document).encode()),
            Upload("deepstatemap_data_20251002.geojson", b'{"type": "Feature'),
            Upload("huge.geojson", b" " * 8_000_001),
        ],
        {},
    )
    assert len(problems) == 3
    assert "cannot tell the date of mine.geojson" in problems[0]
    assert "deepstatemap_data_20251002.geojson is not valid JSON" in problems[1]
    assert "larger than 8 MB" in problems[2]
    assert provider.available_dates() == [dt.date(2025, 10, 1), SAMPLE_DAY]
