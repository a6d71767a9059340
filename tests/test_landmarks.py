"""The curated landmarks table: it loads, its points are plausible and the gold ones are right."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from frontline.errors import GazetteerError
from frontline.landmarks import (
    DEFAULT_LANDMARKS_PATH,
    LANDMARK_COLUMNS,
    LANDMARK_SOURCE,
    LandmarkIndex,
    load_landmarks,
    normalize_name,
)

GOLD_PATH = Path(__file__).resolve().parent / "trump-zelensky-tomahawks.gold.json"
HEADER = ",".join(LANDMARK_COLUMNS)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(half_chord))


@pytest.fixture(scope="module")
def index() -> LandmarkIndex:
    return LandmarkIndex.load()


def test_table_has_at_least_sixty_landmarks_with_points_and_sources(index: LandmarkIndex) -> None:
    assert len(index) >= 60
    for landmark in index.landmarks:
        assert -90 <= landmark.lat <= 90 and -180 <= landmark.lon <= 180, landmark
        # (0, 0) is the classic placeholder of a row whose coordinates were never filled in.
        assert (landmark.lat, landmark.lon) != (0.0, 0.0), landmark
        assert landmark.source.strip(), landmark
        assert landmark.variants, landmark


def test_gold_landmarks_lie_within_one_kilometre_of_the_gold_points(index: LandmarkIndex) -> None:
    gold = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
    gold_landmarks = [place for place in gold["places"] if place["kind"] == "landmark"]
    assert {place["name"] for place in gold_landmarks} >= {
        "White House",
        "Lafayette Park",
        "Mar-a-Lago",
        "Moscow Kremlin",
    }
    for place in gold_landmarks:
        for surface in place["surface"]:
            candidates = index.candidates(surface)
            assert len(candidates) == 1, (surface, candidates)
            candidate = candidates[0]
            assert candidate.lat is not None and candidate.lon is not None
            assert distance_km(candidate.lat, candidate.lon, place["lat"], place["lon"]) <= 1.0
            assert candidate.country_code == place["country_code"]


def test_candidates_are_landmark_features_without_geonames_ids(index: LandmarkIndex) -> None:
    (kremlin,) = index.candidates("the Kremlin")
    assert kremlin.feature == "landmark"
    assert kremlin.source == LANDMARK_SOURCE
    assert kremlin.geonameid is None and kremlin.admin1 is None
    assert index.candidates("Elysee Palace") == index.candidates("Élysée Palace")
    assert index.candidates("Mar\u2013a\u2013Lago") == index.candidates("Mar-a-Lago")
    assert index.candidates("Lafayette") == ()


def test_no_variant_names_two_landmarks_far_apart(index: LandmarkIndex) -> None:
    for variant in index.by_key():
        points = {(lm.lat, lm.lon) for lm in index.landmarks_for(variant)}
        for lat1, lon1 in points:
            for lat2, lon2 in points:
                assert distance_km(lat1, lon1, lat2, lon2) <= 1.0, variant


def test_the_lookup_covers_every_name_and_variant(index: LandmarkIndex) -> None:
    keys = set(index.by_key())
    for landmark in index.landmarks:
        for surface in landmark.surface_forms:
            assert normalize_name(surface) in keys


def test_sample_not_places_are_not_landmarks(index: LandmarkIndex) -> None:
    gold = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
    for word in gold["not_places"]:
        assert index.candidates(word) == (), word


def test_normalize_name_folds_case_accents_and_typographic_marks() -> None:
    assert normalize_name("  Élysée\u00a0 Palace ") == "elysee palace"
    assert normalize_name("Kiev\u2019s") == normalize_name("Kiev's")


def write_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "landmarks.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


GOOD_ROW = "Red Square,55.7539,37.6208,RU,Red Square,venue,Wikipedia: Red Square"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("Red Square,95.0,37.6208,RU,Red Square,venue,Wikipedia", "lat"),
        ("Red Square,55.7,east,RU,Red Square,venue,Wikipedia", "lon"),
        ("Red Square,55.7,37.6,Russia,Red Square,venue,Wikipedia", "country_code"),
        ("Red Square,55.7,37.6,RU,Red Square||Krasnaya,venue,Wikipedia", "empty variant"),
        ("Red Square,55.7,37.6,RU,Red Square,palace,Wikipedia", "kind"),
        ("Red Square,55.7,37.6,RU,Red Square,venue,", "empty source"),
        ("Red Square,55.7,37.6,RU,Red Square,venue", "missing column"),
        ("Red Square,55.7,37.6,RU,Red Square,venue,Wikipedia,extra", "more than"),
    ],
)
def test_a_bad_row_names_the_file_and_line(tmp_path: Path, bad_row: str, message: str) -> None:
    path = write_csv(tmp_path, GOOD_ROW.replace("Red Square", "Lubyanka"), bad_row)
    with pytest.raises(GazetteerError, match=message) as caught:
        load_landmarks(path)
    assert f"{path}:3:" in str(caught.value)


def test_duplicate_landmarks_and_wrong_header_are_refused(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="duplicate"):
        load_landmarks(write_csv(tmp_path, GOOD_ROW, GOOD_ROW))
    wrong_header = tmp_path / "header.csv"
    wrong_header.write_text("name,latitude,longitude\nX,1,2\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="header"):
        load_landmarks(wrong_header)


def test_missing_and_undecodable_files_raise_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="not found"):
        load_landmarks(tmp_path / "absent.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(GazetteerError, match="UTF-8"):
        load_landmarks(binary)


def test_default_path_is_the_shipped_table() -> None:
    assert DEFAULT_LANDMARKS_PATH.name == "landmarks.csv"
    assert DEFAULT_LANDMARKS_PATH.is_file()
