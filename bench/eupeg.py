"""EUPEG's geoparsing scoring rule (Wang & Hu, GeoAI 2019), and a stricter span rule of ours.

EUPEG (``Utils.java`` in geoai-lab/EUPEG) walks the gold toponyms of an article in order and
takes, for each, the first still-unused prediction whose surface string equals the gold one
ignoring case and whose span midpoint is less than 10 characters from the gold midpoint.
Each prediction is used at most once; unmatched gold toponyms are false negatives and unused
predictions false positives. Distance metrics are computed over matched pairs only.

Rescoring the stored EUPEG peer outputs with this rule reproduces the published tables to three
decimals (see tests/test_eupeg_scorer.py), which is why the matching order and the AUC formula
follow EUPEG's code rather than a textbook definition.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

EARTH_RADIUS_KM = 6371.0
# Half the Earth's circumference: EUPEG's normaliser for AUC (and Gritta et al.'s).
MAX_ERROR_KM = 20039.0
ACCURACY_RADIUS_KM = 161.0
# Midpoints strictly closer than this count as the same mention (EUPEG's "inexact" matching).
MIDPOINT_TOLERANCE_CHARS = 10.0


class Located(Protocol):
    """What the scorer needs from a gold toponym or a prediction."""

    @property
    def surface(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def lat(self) -> float | None: ...

    @property
    def lon(self) -> float | None: ...


SpanRule = Callable[[Located, Located], bool]


def eupeg_span_rule(gold: Located, predicted: Located) -> bool:
    """EUPEG's rule: same surface ignoring case, span midpoints less than 10 characters apart."""
    if gold.surface.lower() != predicted.surface.lower():
        return False
    gold_middle = (gold.start + gold.end) / 2.0
    predicted_middle = (predicted.start + predicted.end) / 2.0
    return abs(gold_middle - predicted_middle) < MIDPOINT_TOLERANCE_CHARS


def strict_span_rule(gold: Located, predicted: Located) -> bool:
    """Our stricter rule: identical character offsets (the surface then agrees by construction)."""
    return gold.start == predicted.start and gold.end == predicted.end


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a sphere of radius 6371 km, as EUPEG computes it."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dlat = math.radians(lat2 - lat1) / 2.0
    half_dlon = math.radians(lon2 - lon1) / 2.0
    a = math.sin(half_dlat) ** 2 + math.sin(half_dlon) ** 2 * math.cos(phi1) * math.cos(phi2)
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def has_point(item: Located) -> bool:
    return item.lat is not None and item.lon is not None


@dataclass(frozen=True, slots=True)
class MatchedPair:
    """A gold toponym and the prediction the rule paired it with, with their distance."""

    article_index: int
    gold: Located
    predicted: Located
    error_km: float


@dataclass(frozen=True, slots=True)
class ArticleMatch:
    """How one article's predictions met its gold toponyms."""

    article_index: int
    pairs: tuple[MatchedPair, ...]
    missed: tuple[Located, ...]
    spurious: tuple[Located, ...]


def match_article(
    article_index: int,
    gold: Iterable[Located],
    predicted: Iterable[Located],
    span_rule: SpanRule = eupeg_span_rule,
) -> ArticleMatch:
    """Pair gold toponyms with predictions greedily, in gold order, first fitting prediction.

    Records without coordinates are ignored on both sides, as EUPEG does.
    """
    unused = [item for item in predicted if has_point(item)]
    pairs: list[MatchedPair] = []
    missed: list[Located] = []
    for gold_item in gold:
        if not has_point(gold_item):
            continue
        for position, candidate in enumerate(unused):
            if span_rule(gold_item, candidate):
                error = great_circle_km(
                    _coordinate(candidate.lat),
                    _coordinate(candidate.lon),
                    _coordinate(gold_item.lat),
                    _coordinate(gold_item.lon),
                )
                pairs.append(MatchedPair(article_index, gold_item, candidate, error))
                del unused[position]
                break
        else:
            missed.append(gold_item)
    return ArticleMatch(article_index, tuple(pairs), tuple(missed), tuple(unused))


def _coordinate(value: float | None) -> float:
    if value is None:  # has_point() filtered these out; this keeps the type checker honest
        raise ValueError("coordinate missing")
    return value


@dataclass(frozen=True, slots=True)
class Scores:
    """EUPEG's metrics. Distances are None when nothing matched."""

    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float
    accuracy_161: float | None
    mean_km: float | None
    median_km: float | None
    auc: float | None

    def as_json(self) -> dict[str, float | None]:
        return {
            "p": self.precision,
            "r": self.recall,
            "f1": self.f1,
            "acc161": self.accuracy_161,
            "mean_km": self.mean_km,
            "median_km": self.median_km,
            "auc": self.auc,
        }


def area_under_error_curve(errors_km: Sequence[float]) -> float | None:
    """Trapezoidal area under the sorted curve of ln(1 + error) / ln(20039), x scaled to [0, 1].

    EUPEG's definition: with n sorted errors and unit steps, (first/2 + middle + last/2) / (n - 1).
    It is undefined for fewer than two errors (EUPEG prints 0 there; we say None for none).
    """
    if not errors_km:
        return None
    if len(errors_km) == 1:
        return 0.0
    scaled = [math.log1p(error) / math.log(MAX_ERROR_KM) for error in sorted(errors_km)]
    area = 0.5 * (scaled[0] + scaled[-1]) + sum(scaled[1:-1])
    return area / (len(scaled) - 1)


def scores_from_matches(matches: Iterable[ArticleMatch]) -> Scores:
    true_positives = false_positives = false_negatives = 0
    errors: list[float] = []
    for match in matches:
        true_positives += len(match.pairs)
        false_positives += len(match.spurious)
        false_negatives += len(match.missed)
        errors.extend(pair.error_km for pair in match.pairs)
    precision = _ratio(true_positives, true_positives + false_positives)
    recall = _ratio(true_positives, true_positives + false_negatives)
    f1 = 2 * precision * recall / (precision + recall) if true_positives else 0.0
    if not errors:
        return Scores(
            true_positives, false_positives, false_negatives, precision, recall, f1,
            None, None, None, None,
        )  # fmt: skip
    within = sum(1 for error in errors if error < ACCURACY_RADIUS_KM)
    return Scores(
        true_positives=true_positives,
        false_positives=false_positives,
        false_negatives=false_negatives,
        precision=precision,
        recall=recall,
        f1=f1,
        accuracy_161=within / len(errors),
        mean_km=statistics.fmean(errors),
        median_km=statistics.median(errors),
        auc=area_under_error_curve(errors),
    )


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def match_corpus(
    gold_articles: Sequence[Sequence[Located]],
    predicted_articles: Sequence[Sequence[Located]],
    span_rule: SpanRule = eupeg_span_rule,
) -> list[ArticleMatch]:
    """Match article by article; both sides must list the same articles in the same order."""
    if len(gold_articles) != len(predicted_articles):
        raise ValueError(
            f"gold has {len(gold_articles)} articles, predictions {len(predicted_articles)}"
        )
    return [
        match_article(index, gold, predicted, span_rule)
        for index, (gold, predicted) in enumerate(
            zip(gold_articles, predicted_articles, strict=True)
        )
    ]


def score_corpus(
    gold_articles: Sequence[Sequence[Located]],
    predicted_articles: Sequence[Sequence[Located]],
    span_rule: SpanRule = eupeg_span_rule,
) -> Scores:
    return scores_from_matches(match_corpus(gold_articles, predicted_articles, span_rule))
