"""Geoparse time of a Ukrainian and a Russian article against an English one of the same length.

    python -m bench.language_speed [--words 1200] [--rounds 7]

Each article is the development texts of one language (``../shared/eval/war-news`` for English,
``war-news-uk-ru`` for Ukrainian and Russian) joined as paragraphs, in file order (again from
the start if they run out), up to the last paragraph that keeps it within ``--words`` words.
One process geoparses the three in turn, the order turning every round, after a warm-up that
loads the Cyrillic dictionaries and natasha's model once (a process pays that once: it is
reported apart).
Printed: the median per language and its ratio to English (issue 16's target: within 2×).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Sequence

from bench.corpora import SHARED_EVAL_DIR
from bench.war_scoring import WarCase, load_cases
from frontline.article import article_from_text
from frontline.model import Article
from frontline.pipeline import Geoparser

LANGUAGES = ("en", "uk", "ru")


def article_of(cases: Sequence[WarCase], words: int, lang: str) -> Article:
    pool = [p for case in cases for p in case.text.split("\n") if p.split()]
    paragraphs: list[str] = []
    count = 0
    # The Russian texts hold fewer words than an article: their paragraphs come round again.
    for paragraph in itertools.cycle(pool):
        size = len(paragraph.split())
        if count + size > words:
            break
        paragraphs.append(paragraph)
        count += size
    return article_from_text("\n\n".join(paragraphs), source=f"{lang}-{count}-words")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1200)
    parser.add_argument("--rounds", type=int, default=7)
    arguments = parser.parse_args(argv)

    english = load_cases(SHARED_EVAL_DIR / "war-news" / "cases.json")
    cyrillic = load_cases(SHARED_EVAL_DIR / "war-news-uk-ru" / "cases.json")
    articles = {
        "en": article_of(english, arguments.words, "en"),
        "uk": article_of([c for c in cyrillic if c.lang == "uk"], arguments.words, "uk"),
        "ru": article_of([c for c in cyrillic if c.lang == "ru"], arguments.words, "ru"),
    }
    geoparser = Geoparser.load()
    for lang in LANGUAGES:
        started = time.perf_counter()
        geoparser.geoparse(articles[lang])
        print(
            f"first {lang} geoparse (loads what the language needs): "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
    times: dict[str, list[float]] = {lang: [] for lang in LANGUAGES}
    for round_index in range(arguments.rounds):
        order = LANGUAGES if round_index % 2 == 0 else tuple(reversed(LANGUAGES))
        for lang in order:
            started = time.perf_counter()
            geoparser.geoparse(articles[lang])
            times[lang].append(time.perf_counter() - started)
    english_median = statistics.median(times["en"])
    print("\n| language | words | median ms | × English |\n|---|---:|---:|---:|")
    for lang in LANGUAGES:
        median = statistics.median(times[lang])
        words = len(articles[lang].text.split())
        print(f"| {lang} | {words} | {median * 1000:.1f} | {median / english_median:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
