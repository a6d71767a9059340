"""The online step of the pipeline against a real HTTP server on 127.0.0.1 that answers, in
Nominatim's JSON format, with a point for EVERY query: what becomes a place is decided by
what the pipeline sends and keeps, not by the server being choosy."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from frontline.article import article_from_file, article_from_text
from frontline.gazetteer import normalize_name
from frontline.geocode import ONLINE_CONFIDENCE, GeocodeCache, OnlineGeocoder
from frontline.model import GeoparseResult, Place
from frontline.online import (
    NOT_IN_GAZETTEER,
    OnlineLookup,
    OnlineUpdate,
    apply_updates,
    country_bias,
    geocode_result,
    geocode_unresolved,
    looks_like_a_place_name,
    place_from_outcome,
    unresolved_places,
)
from tests.conftest import SAMPLE_ARTICLE, SHARED_DIR
from tests.nominatim_server import (
    FRONT_NOT_PLACES,
    FRONT_TEXT,
    AnswerEverything,
    FakeClock,
    closed_port_domain,
    local_geocoder,
)

USER_AGENT = "frontline-tests/1.0 (+online step)"


GeocoderFactory = Callable[..., OnlineGeocoder]


@pytest.fixture
def server() -> Iterator[AnswerEverything]:
    with AnswerEverything() as running:
        yield running


@pytest.fixture
def make_geocoder(tmp_path: Path) -> Iterator[GeocoderFactory]:
    caches: list[GeocodeCache] = []

    def make(domain: str, **overrides: Any) -> OnlineGeocoder:
        cache = GeocodeCache(tmp_path / "geocode.sqlite3")
        caches.append(cache)
        return local_geocoder(
            domain, **{"cache": cache, "clock": FakeClock(), "user_agent": USER_AGENT, **overrides}
        )

    yield make
    for cache in caches:
        cache.close()


@pytest.fixture(scope="module")
def front_result(geoparser: Any) -> GeoparseResult:
    result: GeoparseResult = geoparser.geoparse(article_from_text(FRONT_TEXT, source="front"))
    return result


def unresolved_names(result: GeoparseResult) -> list[str]:
    return [place.name for place in result.places if place.candidate is None]


def by_name(result: GeoparseResult) -> dict[str, Place]:
    return {place.name: place for place in result.places}


def test_an_unresolved_name_gets_the_geocoders_point_with_its_evidence_and_a_lower_score(
    front_result: GeoparseResult, server: AnswerEverything, make_geocoder: GeocoderFactory
) -> None:
    offline = by_name(front_result)
    assert "Klishchiivka" in unresolved_names(front_result), (
        "precondition: the offline pipeline leaves Klishchiivka without a point"
    )
    online, updates = geocode_result(front_result, make_geocoder(server.domain))
    place = by_name(online)["Klishchiivka"]
    candidate = place.candidate
    assert candidate is not None and place.has_point
    assert (candidate.lat, candidate.lon) == pytest.approx(
        server.point_for("Klishchiivka"), abs=1e-4
    )
    assert candidate.source == "geocoder:Nominatim" and candidate.geonameid is None
    assert "geocoder: Nominatim" in place.evidence
    assert NOT_IN_GAZETTEER in place.evidence
    assert place.score == ONLINE_CONFIDENCE
    assert place.score < offline["Pokrovsk"].score
    assert place.mentions == offline["Klishchiivka"].mentions
    assert {update.name for update in updates if update.found} == set(
        unresolved_names(front_result)
    )
    # The text's own countries bias the query: Ukraine (Pokrovsk, Kupiansk) first.
    assert country_bias(front_result)[0] == "UA"
    assert server.countrycodes[0] is not None and "ua" in server.countrycodes[0].split(",")
    assert server.user_agents[0] == USER_AGENT


def test_gazetteer_matches_are_neither_sent_nor_overridden(
    front_result: GeoparseResult, server: AnswerEverything, make_geocoder: GeocoderFactory
) -> None:
    online, _ = geocode_result(front_result, make_geocoder(server.domain))
    resolved = [place for place in front_result.places if place.candidate is not None]
    assert resolved, "precondition: the gazetteer resolves Pokrovsk, Kupiansk, Moscow"
    sent = {normalize_name(query) for query in server.sent()}
    for place in resolved:
        assert normalize_name(place.name) not in sent
        assert by_name(online)[place.name] == place
    # An answer aimed at a resolved place (say, from another article) is ignored.
    pokrovsk_index = next(
        index for index, place in enumerate(front_result.places) if place.name == "Pokrovsk"
    )
    pokrovsk = front_result.places[pokrovsk_index]
    geocoder = make_geocoder(server.domain)
    outcome = geocoder.lookup("Pokrovsk")
    assert place_from_outcome(pokrovsk, outcome) is pokrovsk
    forged = OnlineUpdate(
        pokrovsk_index,
        outcome,
        Place("Pokrovsk", outcome.candidate, 0.4, (), (), pokrovsk.mentions),
    )
    assert apply_updates(front_result, [forged]) is front_result


def test_names_that_are_no_places_are_never_sent_though_the_server_would_place_them(
    front_result: GeoparseResult, server: AnswerEverything, make_geocoder: GeocoderFactory
) -> None:
    online, _ = geocode_result(front_result, make_geocoder(server.domain))
    sent = {normalize_name(query) for query in server.sent()}
    assert sent == {normalize_name(name) for name in unresolved_names(front_result)}
    forbidden = {normalize_name(name) for name in FRONT_NOT_PLACES}
    assert not forbidden & sent
    mapped = {
        normalize_name(mention.text)
        for place in online.places
        if place.has_point
        for mention in place.mentions
    }
    assert not forbidden & mapped


def sample_and_not_places(sample_gold: dict[str, Any]) -> tuple[Path, list[str]]:
    """The sample and its not_places from ../shared/articles, else the project's own copies
    (the same text and the same list; a worktree has no ../shared beside it)."""
    shared_articles = SHARED_DIR / "articles"
    article_path = shared_articles / "trump-zelensky-tomahawks.txt"
    gold_path = shared_articles / "trump-zelensky-tomahawks.gold.json"
    if article_path.is_file() and gold_path.is_file():
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        return article_path, list(gold["not_places"])
    return SAMPLE_ARTICLE, list(sample_gold["not_places"])


def test_the_samples_not_places_stay_unmapped_with_online_look_up_on(
    geoparser: Any,
    sample_gold: dict[str, Any],
    server: AnswerEverything,
    make_geocoder: GeocoderFactory,
) -> None:
    article_path, not_places = sample_and_not_places(sample_gold)
    offline = geoparser.geoparse(article_from_file(article_path))
    online, _ = geocode_result(offline, make_geocoder(server.domain))
    forbidden = {normalize_name(word) for word in not_places}
    sent = {normalize_name(query) for query in server.sent()}
    assert not forbidden & sent, forbidden & sent
    mapped = {
        normalize_name(mention.text)
        for place in online.places
        if place.has_point
        for mention in place.mentions
    }
    assert not forbidden & mapped, forbidden & mapped
    # Whatever went out was a place the offline pipeline kept without a point.
    assert sent <= {normalize_name(name) for name in unresolved_names(offline)}
    for original, now in zip(offline.places, online.places, strict=True):
        if original.candidate is not None:
            assert now == original


def test_a_second_run_and_a_restart_send_no_request_twice(
    front_result: GeoparseResult, server: AnswerEverything, make_geocoder: GeocoderFactory
) -> None:
    first, _ = geocode_result(front_result, make_geocoder(server.domain))
    sent_once = len(server.sent())
    assert sent_once == len(set(unresolved_names(front_result)))
    # A new geocoder on the same SQLite file is what a restarted app gets.
    second, updates = geocode_result(front_result, make_geocoder(server.domain))
    assert len(server.sent()) == sent_once
    assert all(update.outcome.from_cache for update in updates)
    assert second == first


def test_a_silent_geocoder_is_reported_offline_once_and_the_places_stay_as_they_were(
    front_result: GeoparseResult, make_geocoder: GeocoderFactory
) -> None:
    names = unresolved_names(front_result)
    assert len(names) >= 2, "precondition: two names for the offline geocoder to skip"
    with AnswerEverything(delay_s=1.5) as silent:
        geocoder = make_geocoder(silent.domain, timeout_s=0.3)
        updates = list(geocode_unresolved(front_result, geocoder))
        # One name timed out twice (the request and its retry); the rest were not sent.
        assert len(silent.sent()) == 2
    statuses = [update.outcome.status for update in updates]
    assert statuses == ["offline"] + ["skipped"] * (len(names) - 1)
    messages = [update.outcome.error for update in updates if update.outcome.error]
    assert len(messages) == 1 and messages[0].startswith("offline: no answer in time")
    assert apply_updates(front_result, updates) is front_result


def test_an_unreachable_geocoder_is_reported_offline_once(
    front_result: GeoparseResult, make_geocoder: GeocoderFactory
) -> None:
    updates = list(geocode_unresolved(front_result, make_geocoder(closed_port_domain())))
    messages = [update.outcome.error for update in updates if update.outcome.error]
    assert len(messages) == 1 and messages[0].startswith("offline: network unreachable")
    assert not any(update.found for update in updates)


def test_the_background_look_up_shows_pending_names_until_answers_arrive(
    front_result: GeoparseResult, make_geocoder: GeocoderFactory
) -> None:
    gate = threading.Event()
    with AnswerEverything(gate=gate) as held:
        lookup = OnlineLookup(front_result, make_geocoder(held.domain)).start()
        assert held.request_arrived.wait(30), "the worker sent no request"
        waiting = lookup.progress()
        assert not waiting.finished
        assert waiting.pending == tuple(dict.fromkeys(unresolved_names(front_result)))
        assert lookup.result() == front_result
        gate.set()
        assert lookup.wait(30)
    done = lookup.progress()
    assert done.pending == () and done.offline_message is None and done.failure is None
    assert set(done.found) == set(unresolved_names(front_result))
    assert all(place.has_point for place in lookup.result().places)


def test_the_background_look_up_reports_offline_once(
    front_result: GeoparseResult, make_geocoder: GeocoderFactory
) -> None:
    lookup = OnlineLookup(front_result, make_geocoder(closed_port_domain())).start()
    assert lookup.wait(30)
    progress = lookup.progress()
    assert progress.offline_message is not None
    assert progress.offline_message.startswith("offline: network unreachable")
    assert len(progress.skipped) == len(unresolved_names(front_result))
    assert lookup.result() == front_result


def test_a_result_without_unresolved_places_needs_no_look_up(
    front_result: GeoparseResult, make_geocoder: GeocoderFactory
) -> None:
    resolved_only = GeoparseResult(
        front_result.article,
        tuple(place for place in front_result.places if place.candidate is not None),
    )
    lookup = OnlineLookup(resolved_only, make_geocoder(closed_port_domain())).start()
    assert lookup.progress().finished and lookup.progress().names == ()
    assert unresolved_places(resolved_only) == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Klishchiivka", True),
        ("Rostov on Don", True),
        ("Hryhorivka Druha", True),
        ("AP", False),
        ("CNN", False),
        ("N.A.T.O.", False),
        ("Number 9", False),
        ("42", False),
        ("Al", False),
        ("one two three four five six seven", False),
    ],
)
def test_only_names_that_look_like_place_names_are_sent(name: str, expected: bool) -> None:
    assert looks_like_a_place_name(name) is expected


def test_two_names_the_geocoder_puts_at_one_point_become_one_place(
    front_result: GeoparseResult, server: AnswerEverything, make_geocoder: GeocoderFactory
) -> None:
    targets = unresolved_places(front_result)
    assert len(targets) >= 2, "precondition: two unresolved places"
    (first_index, first), (second_index, second) = targets[:2]
    # One answer (Klishchiivka's) for both names, as for two spellings of one village.
    outcome = make_geocoder(server.domain).lookup(first.name)
    updates = [
        OnlineUpdate(first_index, outcome, place_from_outcome(first, outcome)),
        OnlineUpdate(second_index, outcome, place_from_outcome(second, outcome)),
    ]
    merged = apply_updates(front_result, updates)
    assert len(merged.places) == len(front_result.places) - 1
    (place,) = [p for p in merged.places if p.candidate == outcome.candidate]
    assert place.name == first.name
    assert place.mentions == tuple(
        sorted((*first.mentions, *second.mentions), key=lambda mention: mention.start)
    )


def test_a_war_report_village_is_looked_for_within_the_box_around_the_texts_places(
    geoparser: Any, server: AnswerEverything, make_geocoder: GeocoderFactory
) -> None:
    # Robotyne and Novoprokopivka are not in cities500; spaCy calls the second a person, but
    # "near A, B and C" puts both on the ground, so both are sent, within the area of the
    # text's other places (Verbove and Zaporizhzhia Oblast), Nominatim's viewbox, bounded.
    result = geoparser.geoparse(
        article_from_text(
            "Enemy assaults were repelled near Robotyne, Verbove and Novoprokopivka in "
            "Zaporizhzhia Oblast.",
            source="war",
        )
    )
    assert {"Robotyne", "Novoprokopivka"} <= set(unresolved_names(result))
    geocode_result(result, make_geocoder(server.domain))
    assert {"Robotyne", "Novoprokopivka"} <= set(server.sent())
    box = server.viewboxes[server.sent().index("Novoprokopivka")]
    assert box is not None
    lons, lats = sorted(map(float, box.split(",")[0::2])), sorted(map(float, box.split(",")[1::2]))
    verbove = by_name(result)["Verbove"]
    assert lats[0] < verbove.lat < lats[1] and lons[0] < verbove.lon < lons[1]
    assert lats[1] - lats[0] < 5 and lons[1] - lons[0] < 5
