"""How much one geoparse may take, so that no input can hold the machine.

An article is refused (one ``GeoparseLimitError`` line naming the limit, nothing stored)
when it is longer than ``max_chars``, takes longer than ``time_limit_s`` on the wall clock,
or names more than ``max_mentions`` place mentions or ``max_places`` distinct places. Within
those, memory is bounded too: spaCy sees the text in sentence-aligned chunks of about
10,000 characters (``recognize.NER_CHUNK_CHARS``), and no sentence is longer than
``MAX_SENTENCE_CHARS`` (longer runs are split before spaCy, whose models refuse a text over
a million characters).

Figures (BENCHMARKS.md, "Hostile input"): a news article of ``DEFAULT_MAX_ARTICLE_CHARS``
takes about 9 s on the project's 2-core machine when it is quiet (the time limit refuses it
when the machine is very busy), and at most 234 MB was measured at that length; the longest
sentence in the three evaluation corpora is 774 characters.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from frontline.errors import GeoparseLimitError

MAX_SENTENCE_CHARS = 2_000
DEFAULT_MAX_ARTICLE_CHARS = 300_000
DEFAULT_GEOPARSE_TIME_LIMIT_S = 20.0
MAX_MENTIONS = 10_000
MAX_PLACES = 2_000


@dataclass(frozen=True, slots=True)
class GeoparseLimits:
    max_chars: int = DEFAULT_MAX_ARTICLE_CHARS
    time_limit_s: float = DEFAULT_GEOPARSE_TIME_LIMIT_S
    max_mentions: int = MAX_MENTIONS
    max_places: int = MAX_PLACES


# For callers that bound the work themselves (the recogniser used on its own, in tests).
UNBOUNDED = GeoparseLimits(
    max_chars=sys.maxsize, time_limit_s=math.inf, max_mentions=sys.maxsize, max_places=sys.maxsize
)


class GeoparseBudget:
    """One geoparse's share of the limits: its deadline starts when it is made."""

    def __init__(
        self, limits: GeoparseLimits, source: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self.source = source
        self._clock = clock
        self._deadline = clock() + limits.time_limit_s

    def check_length(self, characters: int) -> None:
        if characters > self.limits.max_chars:
            raise GeoparseLimitError(
                f"{self.source}: {characters:,} characters, more than the "
                f"{self.limits.max_chars:,} one geoparse reads (FRONTLINE_MAX_ARTICLE_CHARS); "
                "split the article"
            )

    def check_time(self) -> None:
        if self._clock() > self._deadline:
            raise GeoparseLimitError(
                f"{self.source}: geoparsing took longer than the time limit of "
                f"{self.limits.time_limit_s:g} s (FRONTLINE_GEOPARSE_TIME_LIMIT_S); "
                "split the article"
            )

    def check_mentions(self, mentions: int) -> None:
        if mentions > self.limits.max_mentions:
            raise GeoparseLimitError(
                f"{self.source}: more than {self.limits.max_mentions:,} place mentions, the "
                "most one article may have; split the article"
            )

    def check_places(self, places: int) -> None:
        if places > self.limits.max_places:
            raise GeoparseLimitError(
                f"{self.source}: {places:,} distinct places, more than the "
                f"{self.limits.max_places:,} one article may have; split the article"
            )
