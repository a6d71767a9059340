"""The geoparser: an Article in, a GeoparseResult out. Its parts are passed in or loaded once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from frontline.errors import UnsupportedLanguageError
from frontline.front_prior import FrontLinePrior
from frontline.gazetteer import Gazetteer
from frontline.landmarks import AREA_KINDS, DEFAULT_AREAS_PATH, LandmarkIndex
from frontline.language import Language, detect_language
from frontline.limits import GeoparseBudget, GeoparseLimits
from frontline.model import Article, Candidate, GeoparseResult, Place
from frontline.near_spellings import place_near_spellings
from frontline.recognize import Recognizer, Toponym, load_nlp
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
        self.resolver = Resolver(
            weights,
            capitals=gazetteer.capitals,
            complete_countries=gazetteer.merged_countries(),
        )
        self.last_timing: Timing | None = None
        # Ukrainian and Russian recognisers, made on the first text in each language.
        self._cyrillic: dict[str, Any] = {}
        self._cyrillic_lock = threading.Lock()

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

    def cyrillic_recognizer(self, lang: str) -> Any:
        """The recogniser for Ukrainian or Russian texts, loaded once (dictionaries, NER)."""
        with self._cyrillic_lock:
            recognizer = self._cyrillic.get(lang)
            if recognizer is None:
                from frontline.cyrillic.recognize import CyrillicRecognizer

                recognizer = CyrillicRecognizer(
                    lang,
                    self.gazetteer,
                    landmarks=self.recognizer.landmarks,
                    areas=self.recognizer.areas,
                )
                self._cyrillic[lang] = recognizer
            return recognizer

    def recognize(
        self, article: Article, language: Language, budget: GeoparseBudget | None = None
    ) -> tuple[Toponym, ...]:
        if not language.supported:
            raise UnsupportedLanguageError(language.unsupported_message())
        if language.cyrillic:
            return tuple(self.cyrillic_recognizer(language.code).recognize(article, budget))
        return self.recognizer.recognize(article, budget)

    def geoparse(
        self, article: Article, front_line: FrontLinePrior | None = None
    ) -> GeoparseResult:
        """The article's places; GeoparseLimitError when it is beyond ``self.limits``.
        ``front_line`` (the front line of the article's date, where a snapshot is at hand)
        weighs namesakes in sentences about fighting."""
        budget = GeoparseBudget(self.limits, article.source, self._clock)
        budget.check_length(len(article.text))
        started = time.perf_counter()
        language = detect_language(article.text)
        toponyms = self.recognize(article, language, budget)
        recognized = time.perf_counter()
        budget.check_time()
        places = self.resolver.resolve(toponyms, front_line=front_line)
        places = place_near_spellings(places, self.gazetteer)
        budget.check_places(len(places))
        budget.check_time()
        if language.cyrillic:
            places = tuple(_named_in_english(place) for place in places)
        self.last_timing = Timing(recognized - started, time.perf_counter() - recognized)
        logger.debug(
            "%s: %d toponyms, %d places in %.3f s",
            article.source,
            len(toponyms),
            len(places),
            time.perf_counter() - started,
        )
        return GeoparseResult(article=article, places=places, language=language.code)


def _named_in_english(place: Place) -> Place:
    """A place of a Cyrillic text is named by its gazetteer name (in Ukraine the official
    romanisation: «Покровська» -> Pokrovsk), with the text's own form kept beside it."""
    if place.candidate is None or place.name == place.candidate.name:
        return place
    return replace(place, name=place.candidate.name, name_in_text=place.name)
