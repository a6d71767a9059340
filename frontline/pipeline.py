"""The geoparser: an Article in, a GeoparseResult out. Its parts are passed in or loaded once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from frontline.front_prior import FrontLinePrior
from frontline.gazetteer import Gazetteer
from frontline.landmarks import AREA_KINDS, DEFAULT_AREAS_PATH, LandmarkIndex
from frontline.limits import GeoparseBudget, GeoparseLimits
from frontline.model import Article, Candidate, GeoparseResult
from frontline.near_spellings import place_near_spellings
from frontline.recognize import Recognizer, load_nlp
from frontline.resolve import Resolver, Weights
from frontline.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Timing:
    recognize_s: float
    resolve_s: float


class Geoparser:
    """Recognition and resolution over one spaCy pipeline and one gazetteer."""

    def __init__(
        self,
        nlp: Any,
        gazetteer: Gazetteer,
        *,
        landmarks: Mapping[str, tuple[Candidate, ...]] | None = None,
        areas: Mapping[str, tuple[Candidate, ...]] | None = None,
        include_demonyms: bool = True,
        weights: Weights | None = None,
        limits: GeoparseLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.nlp = nlp
        self.limits = limits or GeoparseLimits()
        self._clock = clock
        self.gazetteer = gazetteer
        self.recognizer = Recognizer(
            nlp, gazetteer, landmarks=landmarks, areas=areas, include_demonyms=include_demonyms
        )
        self.resolver = Resolver(weights, capitals=gazetteer.capitals)
        self.last_timing: Timing | None = None

    @classmethod
    def load(cls, settings: Settings | None = None, **options: Any) -> Geoparser:
        """Load the spaCy model, open (or build once) the gazetteer and the curated lists."""
        settings = settings or Settings.from_env()
        options.setdefault(
            "limits",
            GeoparseLimits(
                max_chars=settings.max_article_chars,
                time_limit_s=settings.geoparse_time_limit_s,
            ),
        )
        gazetteer = Gazetteer.open(settings.gazetteer_dir)
        nlp = load_nlp()
        if "landmarks" not in options:
            options["landmarks"] = LandmarkIndex.load().by_key()
        if "areas" not in options:
            options["areas"] = LandmarkIndex.load(DEFAULT_AREAS_PATH, kinds=AREA_KINDS).by_key()
        return cls(nlp, gazetteer, **options)

    def geoparse(
        self, article: Article, front_line: FrontLinePrior | None = None
    ) -> GeoparseResult:
        """The article's places; GeoparseLimitError when it is beyond ``self.limits``.
        ``front_line`` (the front line of the article's date, where a snapshot is at hand)
        weighs namesakes in sentences about fighting."""
        budget = GeoparseBudget(self.limits, article.source, self._clock)
        budget.check_length(len(article.text))
        started = time.perf_counter()
        toponyms = self.recognizer.recognize(article, budget)
        recognized = time.perf_counter()
        budget.check_time()
        places = self.resolver.resolve(toponyms, front_line=front_line)
        places = place_near_spellings(places, self.gazetteer)
        budget.check_places(len(places))
        budget.check_time()
        self.last_timing = Timing(recognized - started, time.perf_counter() - recognized)
        logger.debug(
            "%s: %d toponyms, %d places in %.3f s",
            article.source,
            len(toponyms),
            len(places),
            time.perf_counter() - started,
        )
        return GeoparseResult(article=article, places=places)
