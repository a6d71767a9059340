"""Geoparsing quality on public gold corpora, our row among nine published geoparsers.

    python -m bench.quality [--corpus NAME ...] [--json] [--errors] [--limit N]

For each corpus (GeoWebNews, TR-News, GeoVirus; see ../shared/eval/*/SOURCE.md) it runs our
geoparser on every article, scores it with EUPEG's rule against EUPEG's gold file, scores every
stored peer output with the same code, and prints one markdown table per corpus. Our scores are
also given without demonyms and with exact spans, with the time per article and words per second.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bench.corpora import (
    CORPORA,
    SHARED_EVAL_DIR,
    CorpusArticle,
    CorpusError,
    CorpusSpec,
    EupegRecord,
    GoldToponym,
    format_eupeg_line,
    looks_like_demonym,
    read_eupeg_file,
)
from bench.eupeg import (
    ArticleMatch,
    Located,
    MatchedPair,
    Scores,
    match_corpus,
    scores_from_matches,
    strict_span_rule,
)
from frontline.article import article_from_text
from frontline.errors import FrontlineError
from frontline.model import Article, GeoparseResult

logger = logging.getLogger(__name__)

OURS = "frontline"
OURS_WITHOUT_DEMONYMS = "frontline (no demonyms)"
OURS_STRICT = "frontline (strict spans)"

# Published rows (Wang & Hu, GeoAI 2019, Tables 1, 7, 8 as given in each SOURCE.md), keyed by
# the stored file's system name: P, R, F1, mean km, median km, Acc@161, AUC.
PUBLISHED: dict[str, dict[str, tuple[float, float, float, float, float, float, float]]] = {
    "geowebnews": {
        "StanfordNER": (0.885, 0.635, 0.739, 818.282, 0.0, 0.698, 0.257),
        "CamCoder": (0.895, 0.562, 0.691, 723.122, 0.0, 0.839, 0.150),
        "TopoCluster": (0.838, 0.559, 0.670, 597.082, 42.46, 0.680, 0.357),
        "Edinburgh": (0.819, 0.538, 0.650, 346.873, 0.0, 0.921, 0.071),
        "DBpedia": (0.847, 0.510, 0.637, 736.677, 94.298, 0.564, 0.396),
        "GeoTxt": (0.771, 0.479, 0.591, 421.073, 0.0, 0.903, 0.086),
        "CLAVIN": (0.909, 0.394, 0.549, 210.905, 0.0, 0.937, 0.060),
        "SpaCyNER": (0.784, 0.415, 0.543, 1053.063, 55.555, 0.661, 0.396),
    },
    "tr-news": {
        "TopoCluster": (0.883, 0.714, 0.790, 1140.551, 29.336, 0.623, 0.387),
        "CamCoder": (0.897, 0.638, 0.746, 863.856, 0.0, 0.824, 0.161),
        "StanfordNER": (0.890, 0.731, 0.803, 1170.530, 0.0, 0.711, 0.261),
        "DBpedia": (0.861, 0.631, 0.728, 1702.697, 115.055, 0.530, 0.434),
        "GeoTxt": (0.824, 0.596, 0.692, 1017.300, 0.0, 0.801, 0.168),
        "CLAVIN": (0.908, 0.505, 0.649, 955.490, 0.0, 0.829, 0.149),
        "Edinburgh": (0.709, 0.538, 0.612, 770.227, 0.0, 0.850, 0.127),
        "SpaCyNER": (0.659, 0.402, 0.500, 1249.594, 0.0, 0.739, 0.239),
    },
    "geovirus": {
        "StanfordNER": (0.927, 0.903, 0.915, 791.296, 48.676, 0.655, 0.378),
        "CamCoder": (0.940, 0.802, 0.866, 619.397, 33.945, 0.770, 0.336),
        "TopoCluster": (0.877, 0.813, 0.844, 599.632, 63.858, 0.673, 0.407),
        "GeoTxt": (0.857, 0.726, 0.786, 487.874, 36.255, 0.787, 0.337),
        "CLAVIN": (0.913, 0.637, 0.750, 522.176, 35.503, 0.786, 0.320),
        "DBpedia": (0.792, 0.616, 0.693, 1272.937, 122.314, 0.533, 0.406),
        "Edinburgh": (0.860, 0.559, 0.678, 435.799, 33.187, 0.807, 0.319),
        "SpaCyNER": (0.721, 0.382, 0.499, 788.231, 40.653, 0.698, 0.367),
    },
}


class GeoparserLike(Protocol):
    def geoparse(self, article: Article) -> GeoparseResult: ...


@dataclass(frozen=True, slots=True)
class Prediction:
    """One of our mentions in EUPEG's terms, with what explains it (for the error report)."""

    surface: str
    start: int
    end: int
    lat: float | None
    lon: float | None
    place_name: str
    geonameid: int | None
    evidence: tuple[str, ...]
    feature: str = "other"

    @property
    def demonym(self) -> bool:
        return looks_like_demonym(self.surface, self.place_name)

    def as_record(self) -> EupegRecord:
        return EupegRecord(self.place_name, self.surface, self.lat, self.lon, self.start, self.end)


@dataclass(frozen=True, slots=True)
class OurRun:
    """Our geoparser's predictions over a corpus, with its timing."""

    predictions: tuple[tuple[Prediction, ...], ...]
    seconds: float
    words: int
    failures: int

    @property
    def seconds_per_article(self) -> float:
        return self.seconds / len(self.predictions) if self.predictions else 0.0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class CorpusReport:
    corpus: str
    articles: tuple[CorpusArticle, ...]
    gold_toponyms: int
    peers: dict[str, Scores] = field(default_factory=dict)
    ours: dict[str, Scores] = field(default_factory=dict)
    our_matches: list[ArticleMatch] = field(default_factory=list)
    run: OurRun | None = None


def predictions_from_result(result: GeoparseResult) -> tuple[Prediction, ...]:
    """One prediction per mention, at its place's coordinates (None when the place has none)."""
    predictions = []
    for place in result.places:
        candidate = place.candidate
        for mention in place.mentions:
            predictions.append(
                Prediction(
                    surface=mention.text,
                    start=mention.start,
                    end=mention.end,
                    lat=candidate.lat if candidate is not None else None,
                    lon=candidate.lon if candidate is not None else None,
                    place_name=candidate.name if candidate is not None else place.name,
                    geonameid=candidate.geonameid if candidate is not None else None,
                    evidence=tuple(place.evidence) + tuple(mention.evidence),
                    feature=place.feature,
                )
            )
    predictions.sort(key=lambda prediction: (prediction.start, prediction.end))
    return tuple(predictions)


def run_geoparser(
    geoparser: GeoparserLike, corpus: str, articles: Sequence[CorpusArticle]
) -> OurRun:
    """Geoparse every article; a FrontlineError on one article is logged and leaves it empty."""
    all_predictions: list[tuple[Prediction, ...]] = []
    failures = 0
    words = 0
    started = time.perf_counter()
    for corpus_article in articles:
        words += len(corpus_article.text.split())
        try:
            article = article_from_text(
                corpus_article.text, source=f"{corpus}:{corpus_article.id}", title=None
            )
            if article.text != corpus_article.text:
                logger.warning("%s: text changed on reading; offsets may be off", article.source)
            predictions = predictions_from_result(geoparser.geoparse(article))
        except FrontlineError as error:
            logger.warning("%s:%s: %s", corpus, corpus_article.id, error)
            failures += 1
            predictions = ()
        all_predictions.append(predictions)
    return OurRun(tuple(all_predictions), time.perf_counter() - started, words, failures)


def without_demonyms(
    gold: Sequence[Sequence[EupegRecord]], predicted: Sequence[Sequence[Prediction]]
) -> tuple[list[list[EupegRecord]], list[list[Prediction]]]:
    """Set demonyms aside on both sides: gold demonyms, the predictions EUPEG pairs with them,
    and our predictions that are demonyms themselves."""
    kept_gold: list[list[EupegRecord]] = []
    kept_predicted: list[list[Prediction]] = []
    for gold_records, predictions in zip(gold, predicted, strict=True):
        demonyms = [record for record in gold_records if record.demonym]
        paired = match_corpus([demonyms], [predictions]) if demonyms else []
        used = {id(pair.predicted) for match in paired for pair in match.pairs}
        kept_gold.append([record for record in gold_records if not record.demonym])
        kept_predicted.append([p for p in predictions if id(p) not in used and not p.demonym])
    return kept_gold, kept_predicted


def strict_gold(spec: CorpusSpec, articles: Sequence[CorpusArticle]) -> list[list[Located]]:
    """The XML gold with repaired offsets, restricted like EUPEG's gold file: GeoNames-linked
    toponyms for GeoWebNews and TR-News, every located toponym for GeoVirus."""
    needs_geonameid = spec.name != "geovirus"
    return [
        [
            toponym
            for toponym in article.toponyms
            if toponym.lat is not None and (toponym.geonameid is not None or not needs_geonameid)
        ]
        for article in articles
    ]


def reproduces_published(corpus: str, system: str, scores: Scores) -> bool | None:
    published = PUBLISHED.get(corpus, {}).get(system)
    if published is None:
        return None
    ours = (
        scores.precision,
        scores.recall,
        scores.f1,
        scores.mean_km,
        scores.median_km,
        scores.accuracy_161,
        scores.auc,
    )
    return all(
        value is not None and abs(round(value, 3) - expected) < 1e-9
        for value, expected in zip(ours, published, strict=True)
    )


def evaluate_corpus(
    spec: CorpusSpec,
    geoparser: GeoparserLike | None,
    *,
    eval_dir: Path = SHARED_EVAL_DIR,
    limit: int | None = None,
) -> CorpusReport:
    articles = spec.read_articles(eval_dir)[:limit]
    gold = read_eupeg_file(spec.gold_path(eval_dir))[:limit]
    if len(gold) != len(articles):
        raise CorpusError(
            f"{spec.gold_path(eval_dir)}: {len(gold)} lines for {len(articles)} articles"
        )
    report = CorpusReport(spec.name, articles, sum(len(records) for records in gold))
    for system, path in spec.peer_paths(eval_dir).items():
        outputs = read_eupeg_file(path)[:limit]
        report.peers[system] = scores_from_matches(match_corpus(gold, outputs))
    if geoparser is None:
        return report
    run = run_geoparser(geoparser, spec.name, articles)
    report.run = run
    report.our_matches = match_corpus(gold, run.predictions)
    report.ours[OURS] = scores_from_matches(report.our_matches)
    report.ours[OURS_WITHOUT_DEMONYMS] = scores_from_matches(
        match_corpus(*without_demonyms(gold, run.predictions))
    )
    report.ours[OURS_STRICT] = scores_from_matches(
        match_corpus(strict_gold(spec, articles), run.predictions, strict_span_rule)
    )
    return report


# ----------------------------------------------------------------------------------------
# Output


def _number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _row(name: str, scores: Scores, note: str = "") -> str:
    cells = [
        name,
        _number(scores.precision),
        _number(scores.recall),
        _number(scores.f1),
        _number(scores.accuracy_161),
        _number(scores.mean_km, 1),
        _number(scores.median_km, 1),
        _number(scores.auc),
        note,
    ]
    return "| " + " | ".join(cells) + " |"


TABLE_HEAD = (
    "| system | P | R | F1 | Acc@161 | mean km | median km | AUC | published row |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def markdown_report(report: CorpusReport) -> str:
    lines = [
        f"### {report.corpus}: {len(report.articles)} articles,"
        f" {report.gold_toponyms} gold toponyms (EUPEG's gold and rule)",
        "",
        TABLE_HEAD,
    ]
    rows: list[tuple[float, str]] = []
    for system, scores in report.peers.items():
        verdict = reproduces_published(report.corpus, system, scores)
        note = {None: "not published", True: "reproduced", False: "differs"}[verdict]
        rows.append((scores.f1, _row(system, scores, note)))
    if OURS in report.ours:
        rows.append((report.ours[OURS].f1, _row(f"**{OURS}**", report.ours[OURS], "this run")))
    lines.extend(row for _, row in sorted(rows, key=lambda item: -item[0]))
    if any(reproduces_published(report.corpus, s, v) is False for s, v in report.peers.items()):
        lines += [
            "",
            "A row marked 'differs' comes from a stored output that is not the run the paper"
            " tabulated (see the corpus's SOURCE.md).",
        ]
    if report.run is not None:
        lines += ["", "Our variants:", "", TABLE_HEAD]
        for variant in (OURS_WITHOUT_DEMONYMS, OURS_STRICT):
            lines.append(_row(variant, report.ours[variant]))
        run = report.run
        lines += [
            "",
            f"Speed: {run.seconds:.1f} s for {len(run.predictions)} articles, "
            f"{run.seconds_per_article * 1000:.0f} ms per article, "
            f"{run.words_per_second:,.0f} words per second ({run.words:,} words)"
            + (f"; {run.failures} articles failed" if run.failures else ""),
        ]
    best_peer = max(report.peers.items(), key=lambda item: item[1].f1, default=None)
    best_accuracy = max(
        report.peers.items(), key=lambda item: item[1].accuracy_161 or 0.0, default=None
    )
    if best_peer and best_accuracy:
        lines += [
            "",
            f"Best peer F1: {best_peer[0]} {best_peer[1].f1:.3f}; best peer Acc@161: "
            f"{best_accuracy[0]} {_number(best_accuracy[1].accuracy_161)}.",
        ]
    return "\n".join(lines)


def json_report(reports: Iterable[CorpusReport]) -> dict[str, dict[str, dict[str, object]]]:
    result: dict[str, dict[str, dict[str, object]]] = {}
    for report in reports:
        systems: dict[str, dict[str, object]] = {
            system: dict(scores.as_json()) for system, scores in report.peers.items()
        }
        for system, scores in report.ours.items():
            systems[system] = dict(scores.as_json())
        if report.run is not None and OURS in systems:
            systems[OURS]["seconds_per_article"] = report.run.seconds_per_article
            systems[OURS]["words_per_second"] = report.run.words_per_second
        result[report.corpus] = systems
    return result


# ----------------------------------------------------------------------------------------
# Error report


def _point(lat: float | None, lon: float | None) -> str:
    return "no point" if lat is None or lon is None else f"{lat:.2f},{lon:.2f}"


def _overlapping(gold: Located, predictions: Sequence[Prediction]) -> Prediction | None:
    for prediction in predictions:
        if prediction.start < gold.end and gold.start < prediction.end:
            return prediction
    return None


def miss_cause(gold: EupegRecord, predictions: Sequence[Prediction]) -> str:
    """Why a gold toponym found no partner: what, if anything, we said at that place."""
    overlapping = _overlapping(gold, predictions)
    if overlapping is None:
        return "demonym not recognised" if gold.demonym else "not recognised"
    if overlapping.lat is None:
        return "recognised, no coordinates"
    if overlapping.surface.lower() != gold.surface.lower():
        return "different span"
    return "offset beyond tolerance"


def corpus_toponym(gold: Located, article: CorpusArticle) -> GoldToponym | None:
    """The corpus's own annotation behind an EUPEG gold record (for its type and GeoNames id)."""
    middle = (gold.start + gold.end) / 2
    for toponym in article.toponyms:
        if (
            toponym.surface.lower() == gold.surface.lower()
            and abs((toponym.start + toponym.end) / 2 - middle) < 10
        ):
            return toponym
    return None


def gold_kind(gold: Located, article: CorpusArticle) -> str:
    """The corpus's own type for an EUPEG gold record (GWN type, TR-News feature code)."""
    toponym = corpus_toponym(gold, article)
    return (toponym.kind or "?") if toponym is not None else "?"


def same_place(pair: MatchedPair, article: CorpusArticle) -> bool:
    """True when we chose the gold's own GeoNames entry and only the coordinates differ."""
    toponym = corpus_toponym(pair.gold, article)
    predicted = pair.predicted
    return (
        toponym is not None
        and toponym.geonameid is not None
        and isinstance(predicted, Prediction)
        and predicted.geonameid == toponym.geonameid
    )


def errors_report(report: CorpusReport, worst: int = 25) -> str:
    if report.run is None:
        return f"### {report.corpus}: no run of ours to report on"
    predictions = report.run.predictions
    pairs: list[MatchedPair] = [pair for match in report.our_matches for pair in match.pairs]
    causes: Counter[str] = Counter()
    missed_kinds: Counter[str] = Counter()
    missed_by_cause: dict[str, Counter[str]] = {}
    for match in report.our_matches:
        for gold in match.missed:
            assert isinstance(gold, EupegRecord)
            cause = miss_cause(gold, predictions[match.article_index])
            causes[cause] += 1
            missed_by_cause.setdefault(cause, Counter())[gold.surface] += 1
            missed_kinds[gold_kind(gold, report.articles[match.article_index])] += 1
    wrong = [pair for pair in pairs if pair.error_km >= 161]
    wrong_demonyms = sum(1 for pair in wrong if getattr(pair.gold, "demonym", False))
    point_only = [pair for pair in wrong if same_place(pair, report.articles[pair.article_index])]
    spurious: Counter[str] = Counter(
        prediction.surface for match in report.our_matches for prediction in match.spurious
    )
    lines = [
        f"### {report.corpus}: errors",
        "",
        f"- gold toponyms {report.gold_toponyms}; matched {len(pairs)}, of which resolved"
        f" 161 km or more away: {len(wrong)} ({wrong_demonyms} of them demonyms;"
        f" {len(point_only)} the gold's own GeoNames entry at another representative point:"
        f" {_surface_counts(Counter(pair.gold.surface for pair in point_only), 8)})",
        f"- Acc@161 if choosing the gold's own GeoNames entry counted as exact: "
        f"{_number((len(pairs) - len(wrong) + len(point_only)) / len(pairs) if pairs else None)}"
        f" (against {_number((len(pairs) - len(wrong)) / len(pairs) if pairs else None)})",
        "- resolved 161 km or more away, by the kind of place we chose: "
        + _surface_counts(Counter(_feature(pair) for pair in wrong), 10),
        f"- missed: {sum(causes.values())}, by cause: "
        + ", ".join(f"{cause} {count}" for cause, count in causes.most_common()),
        "- missed, by the corpus's type: "
        + ", ".join(f"{kind} {count}" for kind, count in missed_kinds.most_common()),
        f"- spurious predictions: {sum(spurious.values())}",
        "",
        f"Worst resolutions (distinct gold/ours pairs, top {worst}):",
        "",
        "| gold | gold point | ours | our point | km | times | articles | evidence |",
        "|---|---|---|---|---|---|---|---|",
    ]
    grouped: dict[tuple[str, str, str, str], list[MatchedPair]] = {}
    for pair in sorted(pairs, key=lambda pair: -pair.error_km):
        gold, ours = pair.gold, pair.predicted
        assert isinstance(gold, EupegRecord) and isinstance(ours, Prediction)
        key = (gold.surface, gold.name, _point(gold.lat, gold.lon), ours.place_name)
        grouped.setdefault(key, []).append(pair)
    for (surface, name, _, place_name), group in list(grouped.items())[:worst]:
        first = group[0]
        ours = first.predicted
        assert isinstance(ours, Prediction)
        evidence = "; ".join(ours.evidence)[:200].replace("|", "/")
        article_ids = sorted({pair.article_index for pair in group})
        lines.append(
            f"| {surface} ({name}) | {_point(first.gold.lat, first.gold.lon)} | {place_name}"
            f" | {_point(ours.lat, ours.lon)} | {first.error_km:,.0f} | {len(group)}"
            f" | {', '.join(map(str, article_ids[:5]))} | {evidence} |"
        )
    wrong_surfaces = Counter(pair.gold.surface for pair in wrong)
    lines += ["", f"Wrongly resolved most often (161 km or more, top {worst}):", ""]
    lines.append(_surface_counts(wrong_surfaces, worst))
    lines += ["", f"Gold toponyms missed most often, by cause (top {worst}):", ""]
    for cause, _ in causes.most_common():
        lines.append(f"- {cause}: {_surface_counts(missed_by_cause[cause], worst)}")
    lines += ["", f"Spurious predictions most often (top {worst}):", ""]
    lines.append(_surface_counts(spurious, worst))
    return "\n".join(lines)


def _feature(pair: MatchedPair) -> str:
    return pair.predicted.feature if isinstance(pair.predicted, Prediction) else "?"


def _surface_counts(counts: Counter[str], top: int) -> str:
    return ", ".join(f"{surface} ×{n}" for surface, n in counts.most_common(top)) or "none"


# ----------------------------------------------------------------------------------------
# Command line


def load_geoparser(include_demonyms: bool | None = None) -> GeoparserLike:
    """The real geoparser; ``include_demonyms`` None keeps the pipeline's own default.

    Imported here so that ``--peers-only`` runs without loading spaCy."""
    from frontline.pipeline import Geoparser
    from frontline.settings import Settings

    if include_demonyms is None:
        return Geoparser.load(Settings.from_env())
    return Geoparser.load(Settings.from_env(), include_demonyms=include_demonyms)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.quality",
        description="Score our geoparser and the stored EUPEG peers on public gold corpora.",
    )
    parser.add_argument(
        "--corpus", action="append", choices=sorted(CORPORA), help="repeatable; default: all"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--errors", action="store_true", help="add the error report")
    parser.add_argument("--limit", type=int, default=None, help="first N articles per corpus")
    parser.add_argument("--peers-only", action="store_true", help="skip our geoparser")
    parser.add_argument(
        "--demonyms",
        choices=("default", "on", "off"),
        default="default",
        help="make our recogniser emit demonyms (on), not (off), or as configured (default)",
    )
    parser.add_argument("--eval-dir", type=Path, default=SHARED_EVAL_DIR)
    parser.add_argument(
        "--write-predictions",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write our predictions as EUPEG files (<Corpus>_frontline.txt)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    names = arguments.corpus or list(CORPORA)
    geoparser: GeoparserLike | None = None
    load_seconds = 0.0
    try:
        if not arguments.peers_only:
            started = time.perf_counter()
            geoparser = load_geoparser(
                {"default": None, "on": True, "off": False}[arguments.demonyms]
            )
            load_seconds = time.perf_counter() - started
        reports = [
            evaluate_corpus(
                CORPORA[name], geoparser, eval_dir=arguments.eval_dir, limit=arguments.limit
            )
            for name in names
        ]
    except (FrontlineError, ImportError) as error:
        print(f"bench.quality: {error}", file=sys.stderr)
        return 2
    if arguments.write_predictions is not None:
        _write_predictions(arguments.write_predictions, reports)
    if arguments.json:
        print(json.dumps(json_report(reports), indent=2))
        return 0
    sections = [markdown_report(report) for report in reports]
    if arguments.errors:
        sections += [errors_report(report) for report in reports]
    runs = [report.run for report in reports if report.run is not None]
    if runs:
        seconds = sum(run.seconds for run in runs)
        words = sum(run.words for run in runs)
        articles = sum(len(run.predictions) for run in runs)
        sections.append(
            f"Total: geoparser loaded in {load_seconds:.1f} s; {articles} articles in "
            f"{seconds:.1f} s ({words / seconds if seconds else 0:,.0f} words per second)."
        )
    print("\n\n".join(sections))
    return 0


def _write_predictions(directory: Path, reports: Sequence[CorpusReport]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for report in reports:
        if report.run is None:
            continue
        path = directory / f"{CORPORA[report.corpus].eupeg_prefix}_{OURS}.txt"
        lines = [
            format_eupeg_line(tuple(prediction.as_record() for prediction in predictions))
            for predictions in report.run.predictions
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
