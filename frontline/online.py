"""The online step of the pipeline: places the offline data left without a point, looked up
through the geocoder, one at a time, as the answers arrive.

Which names go out matters more than how. Only places the resolver kept without a candidate
are sent, and only those that NER itself called a place (GPE, LOC, FAC): the recogniser's
rejects (people, organisations, weapons, "Truth Social") never become places, so they are
never sent, and an answer can only ever fill in a place that is already in the result. Names
that look like no place name (digits, acronyms such as "AP" or "CNN") are kept back too.

War reports name villages in positions that say they are places ("near A, B and C", "the
village of A") whatever NER calls them; the resolver keeps those as places without a point
("kept as a place" evidence), and they are sent too. Where the text's other places lie
together, each name is first looked for within the box around them (Nominatim's
viewbox/bounded): a village near Kupiansk is looked for near Kupiansk, not at a namesake
500 km away.

An answer never replaces a gazetteer or landmark match: a place that has a candidate is not
sent and not changed. A hit becomes the place's point with the geocoder's lower confidence
and its evidence ("geocoder: Nominatim"); the text's own countries bias the query.

``geocode_unresolved`` is the step itself (a generator); ``OnlineLookup`` runs it on a
background thread so that a dashboard can draw the map at once and poll for answers.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from frontline.errors import FrontlineError
from frontline.evidence import NOT_IN_GAZETTEER, no_match
from frontline.geocode import Area, GeocodeOutcome, OnlineGeocoder
from frontline.model import GeoparseResult, Place
from frontline.theatre import area_of

logger = logging.getLogger(__name__)

# NER labels that call a span a place.
ONLINE_NER_LABELS = frozenset({"GPE", "LOC", "FAC"})
# A news article names a few unknown places, not hundreds: the cap keeps one pasted text
# from queueing minutes of requests at one a second.
DEFAULT_MAX_NAMES = 30
DEFAULT_MAX_BIAS_COUNTRIES = 5
MAX_NAME_WORDS = 6
# The box around the text's places is widened by this much on every side (about 50 km).
AREA_MARGIN_DEGREES = 0.5
_ACRONYM = re.compile(r"^[A-Z][A-Z.&-]{0,9}$")


@dataclass(frozen=True, slots=True)
class OnlineUpdate:
    """One place's answer: ``place`` is the place as it now stands (with a point on a hit)."""

    index: int
    outcome: GeocodeOutcome
    place: Place

    @property
    def name(self) -> str:
        return self.place.name

    @property
    def found(self) -> bool:
        return self.outcome.status == "hit" and self.place.has_point


def ner_labels(place: Place) -> frozenset[str]:
    """The NER labels the recogniser gave the place's mentions."""
    return frozenset(mention.ner_label for mention in place.mentions if mention.ner_label)


def looks_like_a_place_name(name: str) -> bool:
    """False for what a geocoder would answer with noise: digits, acronyms, long phrases."""
    words = name.split()
    return (
        sum(character.isalpha() for character in name) >= 3
        and not any(character.isdigit() for character in name)
        and not _ACRONYM.match(name.strip())
        and 0 < len(words) <= MAX_NAME_WORDS
    )


def unresolved_places(
    result: GeoparseResult, *, max_names: int = DEFAULT_MAX_NAMES
) -> tuple[tuple[int, Place], ...]:
    """(index, place) of the places worth asking the geocoder about, in the text's order."""
    chosen: list[tuple[int, Place]] = []
    for index, place in enumerate(result.places):
        if place.candidate is not None:
            continue
        kept_as_a_place = any(reason.kind == "support" for reason in place.evidence)
        if not ner_labels(place) & ONLINE_NER_LABELS and not kept_as_a_place:
            logger.debug("not sent online: %r (NER did not call it a place)", place.name)
            continue
        if not looks_like_a_place_name(place.name):
            logger.debug("not sent online: %r (does not look like a place name)", place.name)
            continue
        chosen.append((index, place))
    if len(chosen) > max_names:
        logger.info("online look-up: %d names, only the first %d sent", len(chosen), max_names)
    return tuple(chosen[:max_names])


def country_bias(
    result: GeoparseResult, *, limit: int = DEFAULT_MAX_BIAS_COUNTRIES
) -> tuple[str, ...]:
    """The countries the text's resolved places lie in, most mentioned first."""
    counts: Counter[str] = Counter()
    for place in result.places:
        if place.candidate is not None and place.candidate.country_code:
            counts[place.candidate.country_code.upper()] += len(place.mentions)
    return tuple(code for code, _ in counts.most_common(limit))


def article_area(result: GeoparseResult) -> Area | None:
    """The box around the text's placed towns and regions, widened a little; None when the
    text places fewer than two or they lie too far apart to make one area."""
    box = area_of(
        (
            place.candidate
            for place in result.places
            if place.candidate is not None
            and place.candidate.feature in {"city", "admin", "landmark"}
        ),
        AREA_MARGIN_DEGREES,
    )
    return None if box is None else Area(box.south, box.west, box.north, box.east)


def place_from_outcome(place: Place, outcome: GeocodeOutcome) -> Place:
    """The place with the geocoder's answer; a place that has a candidate stays as it is."""
    if place.candidate is not None:
        return place
    kept = tuple(reason for reason in place.evidence if reason.kind != "not_in_gazetteer")
    if outcome.status == "hit" and outcome.candidate is not None:
        candidate = outcome.candidate
        if candidate.lat is None or candidate.lon is None:
            return place
        return replace(
            place,
            candidate=candidate,
            score=round(outcome.confidence, 3),
            evidence=(*kept, NOT_IN_GAZETTEER, *outcome.evidence),
            alternatives=outcome.candidates[1:],
        )
    if outcome.status == "miss" and outcome.evidence:
        return replace(place, evidence=(*place.evidence, no_match(outcome.evidence[0])))
    return place


def geocode_unresolved(
    result: GeoparseResult,
    geocoder: OnlineGeocoder,
    *,
    country_codes: Sequence[str] | None = None,
    max_names: int = DEFAULT_MAX_NAMES,
) -> Iterator[OnlineUpdate]:
    """Look up the result's unresolved places; yield each updated place as its answer arrives.

    A service out of reach (refused, or silent past the timeout and its retry) is reported
    by one ``"offline"`` outcome; the names after it are answered from the cache or skipped.
    """
    targets = unresolved_places(result, max_names=max_names)
    if not targets:
        return
    codes = country_bias(result) if country_codes is None else tuple(country_codes)
    by_name: dict[str, list[tuple[int, Place]]] = {}
    for index, place in targets:
        by_name.setdefault(place.name, []).append((index, place))
    outcomes = geocoder.lookup_many(
        list(by_name), codes, timeout_is_offline=True, area=article_area(result)
    )
    for outcome in outcomes:
        for index, place in by_name.get(outcome.name, ()):
            yield OnlineUpdate(index, outcome, place_from_outcome(place, outcome))


def apply_updates(result: GeoparseResult, updates: Iterable[OnlineUpdate]) -> GeoparseResult:
    """The result with the updated places in; places found at the same point become one.

    An update whose index holds a different or already resolved place (an update from
    another result) is ignored, so a gazetteer match is never replaced.
    """
    places = list(result.places)
    changed = False
    for update in updates:
        if not 0 <= update.index < len(places):
            continue
        current = places[update.index]
        if current.candidate is not None or current.name != update.place.name:
            continue
        if update.place == current:
            continue
        places[update.index] = update.place
        changed = True
    if not changed:
        return result
    return replace(result, places=_merge_same_point(places))


def _merge_same_point(places: Sequence[Place]) -> tuple[Place, ...]:
    """Two spellings the geocoder sent to one point are one place, as the resolver does."""
    first_at: dict[str, int] = {}
    merged: list[Place] = []
    for place in places:
        candidate = place.candidate
        if (
            candidate is None
            or candidate.geonameid is not None
            or not candidate.source.startswith("geocoder:")
        ):
            merged.append(place)
            continue
        key = candidate.key
        if key not in first_at:
            first_at[key] = len(merged)
            merged.append(place)
            continue
        earlier = merged[first_at[key]]
        mentions = tuple(sorted((*earlier.mentions, *place.mentions), key=lambda m: m.start))
        merged[first_at[key]] = replace(earlier, mentions=mentions)
    return tuple(merged)


def geocode_result(
    result: GeoparseResult,
    geocoder: OnlineGeocoder,
    *,
    country_codes: Sequence[str] | None = None,
    max_names: int = DEFAULT_MAX_NAMES,
) -> tuple[GeoparseResult, tuple[OnlineUpdate, ...]]:
    """The whole step at once (for the CLI and benchmarks): the result and every update."""
    updates = tuple(
        geocode_unresolved(result, geocoder, country_codes=country_codes, max_names=max_names)
    )
    return apply_updates(result, updates), updates


@dataclass(frozen=True, slots=True)
class LookupProgress:
    """What a background look-up has done so far."""

    names: tuple[str, ...]
    updates: tuple[OnlineUpdate, ...] = ()
    finished: bool = False
    offline_message: str | None = None
    failure: str | None = None

    @property
    def done_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(update.name for update in self.updates))

    @property
    def pending(self) -> tuple[str, ...]:
        if self.finished:
            return ()
        done = set(self.done_names)
        return tuple(name for name in self.names if name not in done)

    @property
    def found(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(update.name for update in self.updates if update.found))

    @property
    def not_found(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(update.name for update in self.updates if update.outcome.status == "miss")
        )

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(
            f"{update.name}: {update.outcome.error}"
            for update in self.updates
            if update.outcome.status == "error"
        )

    @property
    def skipped(self) -> tuple[str, ...]:
        return tuple(
            update.name
            for update in self.updates
            if update.outcome.status in {"offline", "skipped"}
        )


@dataclass(slots=True)
class OnlineLookup:
    """``geocode_unresolved`` on a daemon thread; ``progress()`` and ``result()`` poll it.

    ``network_lock`` is held for the whole batch: pass one lock per geocoder, so that two
    look-ups sharing a geocoder (two browser sessions) keep its rate limit and its offline
    state apart.
    """

    base: GeoparseResult
    geocoder: OnlineGeocoder
    network_lock: threading.Lock = field(default_factory=threading.Lock)
    country_codes: Sequence[str] | None = None
    max_names: int = DEFAULT_MAX_NAMES
    _progress: LookupProgress = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _cancelled: threading.Event = field(init=False, default_factory=threading.Event)
    _thread: threading.Thread | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        names = tuple(
            dict.fromkeys(
                place.name for _, place in unresolved_places(self.base, max_names=self.max_names)
            )
        )
        self._progress = LookupProgress(names=names, finished=not names)

    def start(self) -> OnlineLookup:
        if self._thread is None and not self._progress.finished:
            self._thread = threading.Thread(
                target=self._run, name="frontline-online-lookup", daemon=True
            )
            self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop after the name being looked up (its answer is cached all the same)."""
        self._cancelled.set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """True once the look-up has finished (for scripts and tests)."""
        if self._thread is not None:
            self._thread.join(timeout_s)
        return self.progress().finished

    def progress(self) -> LookupProgress:
        with self._lock:
            return self._progress

    def result(self, progress: LookupProgress | None = None) -> GeoparseResult:
        """The base result with the answers of ``progress`` (default: all so far)."""
        return apply_updates(self.base, (progress or self.progress()).updates)

    def _finish(self, failure: str | None = None) -> None:
        with self._lock:
            self._progress = replace(
                self._progress, finished=True, failure=failure or self._progress.failure
            )

    def _run(self) -> None:
        try:
            with self.network_lock:
                for update in geocode_unresolved(
                    self.base,
                    self.geocoder,
                    country_codes=self.country_codes,
                    max_names=self.max_names,
                ):
                    with self._lock:
                        progress = self._progress
                        self._progress = replace(
                            progress,
                            updates=(*progress.updates, update),
                            offline_message=progress.offline_message
                            or (
                                update.outcome.error if update.outcome.status == "offline" else None
                            ),
                        )
                    if self._cancelled.is_set():
                        break
        except FrontlineError as error:
            self._finish(str(error))
        except Exception as error:  # a thread's exception would vanish: report it instead
            logger.exception("online look-up failed")
            self._finish(f"online look-up failed: {type(error).__name__}: {error}")
        else:
            self._finish()
