"""EUPEG's scoring rule on hand-made cases, and on stored peer outputs against published rows."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.corpora import CORPORA, EupegRecord, read_eupeg_file
from bench.eupeg import (
    area_under_error_curve,
    eupeg_span_rule,
    great_circle_km,
    match_article,
    score_corpus,
    strict_span_rule,
)
from bench.quality import predictions_from_result, without_demonyms
from frontline.model import Article, Candidate, GeoparseResult, Mention, Place

SHARED_EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
# One degree of longitude on the equator of EUPEG's 6371 km sphere.
KM_PER_DEGREE = 6371.0 * math.pi / 180.0


def record(
    surface: str, start: int, lat: float | None = 0.0, lon: float | None = 0.0
) -> EupegRecord:
    return EupegRecord(surface, surface, lat, lon, start, start + len(surface))


def test_same_surface_and_span_is_a_match_ignoring_case() -> None:
    scores = score_corpus([[record("Kyiv", 10)]], [[record("KYIV", 10)]])
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (1, 0, 0)
    assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)
    assert scores.median_km == 0.0


def test_midpoints_must_be_less_than_ten_characters_apart() -> None:
    gold = record("Kyiv", 100)
    assert eupeg_span_rule(gold, record("Kyiv", 109))
    assert not eupeg_span_rule(gold, record("Kyiv", 110))
    assert not eupeg_span_rule(gold, record("Kyiv", 90))
    scores = score_corpus([[gold]], [[record("Kyiv", 130)]])
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (0, 1, 1)
    assert scores.f1 == 0.0
    assert scores.mean_km is None


def test_a_different_surface_at_the_same_place_is_no_match() -> None:
    gold = EupegRecord("Kyiv", "Kyiv", 50.45, 30.52, 10, 14)
    predicted = EupegRecord("Kyiv", "Kiev", 50.45, 30.52, 10, 14)
    assert not eupeg_span_rule(gold, predicted)


def test_each_prediction_is_used_once() -> None:
    duplicated = score_corpus([[record("Lviv", 0)]], [[record("Lviv", 0), record("Lviv", 0)]])
    assert (duplicated.true_positives, duplicated.false_positives) == (1, 1)
    assert duplicated.precision == 0.5
    two_gold = score_corpus([[record("Lviv", 0), record("Lviv", 4)]], [[record("Lviv", 2)]])
    assert (two_gold.true_positives, two_gold.false_negatives) == (1, 1)
    assert two_gold.recall == 0.5


def test_gold_takes_the_first_fitting_prediction_in_prediction_order() -> None:
    gold = record("Odesa", 20, lat=0.0, lon=0.0)
    first = record("Odesa", 22, lat=0.0, lon=3.0)
    second = record("Odesa", 20, lat=0.0, lon=0.0)
    match = match_article(0, [gold], [first, second])
    assert match.pairs[0].predicted == first
    assert match.spurious == (second,)


def test_records_without_coordinates_are_ignored_on_both_sides() -> None:
    scores = score_corpus(
        [[record("Kharkiv", 0), record("Sumy", 30, lat=None, lon=None)]],
        [[record("Kharkiv", 0, lat=None, lon=None), record("Sumy", 30)]],
    )
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (0, 1, 1)


def test_a_far_miss_counts_for_recognition_but_not_for_accuracy() -> None:
    gold = [record("Paris", 0, lat=48.8566, lon=2.3522)]
    texas = [record("Paris", 0, lat=33.6609, lon=-95.5555)]
    scores = score_corpus([gold], [texas])
    assert scores.f1 == 1.0
    assert scores.accuracy_161 == 0.0
    assert scores.mean_km == pytest.approx(great_circle_km(48.8566, 2.3522, 33.6609, -95.5555))
    assert scores.mean_km is not None and 7000 < scores.mean_km < 8000


def test_distance_metrics_on_known_errors() -> None:
    gold = [record("A", 0), record("B", 20), record("C", 40)]
    predicted = [record("A", 0, lon=0.0), record("B", 20, lon=1.0), record("C", 40, lon=2.0)]
    scores = score_corpus([gold], [predicted])
    errors = [0.0, KM_PER_DEGREE, 2 * KM_PER_DEGREE]
    assert scores.accuracy_161 == pytest.approx(2 / 3)  # 222 km is not within 161 km
    assert scores.mean_km == pytest.approx(KM_PER_DEGREE)
    assert scores.median_km == pytest.approx(KM_PER_DEGREE)
    scaled = [math.log1p(error) / math.log(20039) for error in errors]
    assert scores.auc == pytest.approx((scaled[0] / 2 + scaled[1] + scaled[2] / 2) / 2)


def test_auc_is_the_trapezoid_over_sorted_scaled_errors() -> None:
    assert area_under_error_curve([20038.0, 0.0]) == pytest.approx(0.5)
    assert area_under_error_curve([0.0, 20038.0, 20038.0]) == pytest.approx(0.75)
    assert area_under_error_curve([0.0, 0.0, 0.0]) == 0.0
    assert area_under_error_curve([5.0]) == 0.0  # EUPEG needs two errors for an area
    assert area_under_error_curve([]) is None


def test_strict_rule_needs_identical_offsets() -> None:
    gold = record("Bakhmut", 50)
    shifted = record("Bakhmut", 51)
    assert eupeg_span_rule(gold, shifted)
    assert not strict_span_rule(gold, shifted)
    assert strict_span_rule(gold, record("Bakhmut", 50))
    scores = score_corpus([[gold]], [[shifted]], strict_span_rule)
    assert scores.true_positives == 0


def test_article_counts_must_agree() -> None:
    with pytest.raises(ValueError, match="articles"):
        score_corpus([[record("Kyiv", 0)], []], [[record("Kyiv", 0)]])


# Wang & Hu, GeoAI 2019, Tables 1, 7 and 8 (rows copied from the SOURCE.md of each corpus):
# P, R, F1, mean km, median km, Acc@161, AUC.
PUBLISHED_ROWS = [
    ("geowebnews", "StanfordNER", (0.885, 0.635, 0.739, 818.282, 0.0, 0.698, 0.257)),
    ("geowebnews", "CamCoder", (0.895, 0.562, 0.691, 723.122, 0.0, 0.839, 0.150)),
    ("geowebnews", "Edinburgh", (0.819, 0.538, 0.650, 346.873, 0.0, 0.921, 0.071)),
    ("geowebnews", "CLAVIN", (0.909, 0.394, 0.549, 210.905, 0.0, 0.937, 0.060)),
    ("tr-news", "StanfordNER", (0.890, 0.731, 0.803, 1170.530, 0.0, 0.711, 0.261)),
    ("tr-news", "CamCoder", (0.897, 0.638, 0.746, 863.856, 0.0, 0.824, 0.161)),
    ("tr-news", "Edinburgh", (0.709, 0.538, 0.612, 770.227, 0.0, 0.850, 0.127)),
    ("tr-news", "CLAVIN", (0.908, 0.505, 0.649, 955.490, 0.0, 0.829, 0.149)),
    ("tr-news", "SpaCyNER", (0.659, 0.402, 0.500, 1249.594, 0.0, 0.739, 0.239)),
    ("geovirus", "StanfordNER", (0.927, 0.903, 0.915, 791.296, 48.676, 0.655, 0.378)),
    ("geovirus", "CamCoder", (0.940, 0.802, 0.866, 619.397, 33.945, 0.770, 0.336)),
    ("geovirus", "Edinburgh", (0.860, 0.559, 0.678, 435.799, 33.187, 0.807, 0.319)),
    ("geovirus", "CLAVIN", (0.913, 0.637, 0.750, 522.176, 35.503, 0.786, 0.320)),
]


@pytest.mark.parametrize(("corpus", "system", "published"), PUBLISHED_ROWS)
def test_rescoring_a_stored_peer_output_reproduces_its_published_row(
    corpus: str, system: str, published: tuple[float, ...]
) -> None:
    spec = CORPORA[corpus]
    peer_path = spec.peer_paths(SHARED_EVAL).get(system)
    if peer_path is None or not spec.gold_path(SHARED_EVAL).exists():
        pytest.skip(f"EUPEG files for {corpus}/{system} are not in {SHARED_EVAL}")
    gold = read_eupeg_file(spec.gold_path(SHARED_EVAL))
    scores = score_corpus(gold, read_eupeg_file(peer_path))
    precision, recall, f1, mean_km, median_km, accuracy_161, auc = published
    assert round(scores.precision, 3) == precision
    assert round(scores.recall, 3) == recall
    assert round(scores.f1, 3) == f1
    assert round(scores.mean_km or -1, 3) == mean_km
    assert round(scores.median_km or 0.0, 3) == median_km
    assert round(scores.accuracy_161 or -1, 3) == accuracy_161
    assert round(scores.auc or -1, 3) == auc


def _place(name: str, point: tuple[float, float] | None, *spans: tuple[str, int]) -> Place:
    candidate = (
        None
        if point is None
        else Candidate(1, name, point[0], point[1], "country", "XX", None, population=10)
    )
    mentions = tuple(Mention(text, start, start + len(text), 0) for text, start in spans)
    return Place(name, candidate, 1.0, ("because",), (), mentions)


def test_our_result_becomes_one_prediction_per_mention() -> None:
    article = Article(text="x" * 100, source="test")
    result = GeoparseResult(
        article,
        (
            _place("Ukraine", (49.0, 32.0), ("Ukraine", 40), ("Ukrainian", 3)),
            _place("Atlantis", None, ("Atlantis", 60)),
        ),
    )
    predictions = predictions_from_result(result)
    assert [(p.surface, p.start, p.end) for p in predictions] == [
        ("Ukrainian", 3, 12),
        ("Ukraine", 40, 47),
        ("Atlantis", 60, 68),
    ]
    assert (predictions[0].lat, predictions[0].lon, predictions[0].place_name) == (
        49,
        32,
        "Ukraine",
    )
    assert predictions[0].demonym and not predictions[1].demonym
    assert predictions[2].lat is None  # kept for the error report, ignored by the scorer
    gold = [[record("Ukraine", 40, 49.0, 32.0), record("Atlantis", 60)]]
    scores = score_corpus(gold, [predictions])
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (1, 1, 1)


def test_without_demonyms_sets_them_aside_on_both_sides() -> None:
    gold = [
        EupegRecord("Turkey", "Turkish", 39.0, 35.0, 0, 7),
        EupegRecord("Turkey", "Turkey", 39.0, 35.0, 20, 26),
    ]
    ours = predictions_from_result(
        GeoparseResult(
            Article(text="y" * 60, source="test"),
            (
                _place("Turkey", (39.0, 35.0), ("Turkish", 0), ("Turkey", 20)),
                _place("Syria", (35.0, 38.0), ("Syrian", 40)),
            ),
        )
    )
    kept_gold, kept_ours = without_demonyms([gold], [ours])
    assert [record.surface for record in kept_gold[0]] == ["Turkey"]
    assert [prediction.surface for prediction in kept_ours[0]] == ["Turkey"]
    assert score_corpus(kept_gold, kept_ours).f1 == 1.0
    assert score_corpus([gold], [ours]).precision == pytest.approx(2 / 3)
