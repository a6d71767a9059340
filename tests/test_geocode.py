"""Online geocoding against a real HTTP server on 127.0.0.1 that answers like Nominatim."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from frontline.errors import (
    GeocodeCacheError,
    GeocoderConfigError,
    GeocoderRateLimitError,
    GeocoderResponseError,
    GeocoderTimeoutError,
)
from frontline.geocode import (
    DEFAULT_MISS_TTL_S,
    ONLINE_CONFIDENCE,
    GeocodeCache,
    OnlineGeocoder,
    nominatim_feature,
)
from frontline.settings import Settings
from tests.nominatim_server import FakeClock, closed_port_domain, local_geocoder

USER_AGENT = "frontline-tests/1.0 (+test)"

MAR_A_LAGO = {
    "place_id": 101,
    "licence": "Data © OpenStreetMap contributors, ODbL 1.0",
    "osm_type": "way",
    "osm_id": 101,
    "lat": "26.6770",
    "lon": "-80.0369",
    "class": "historic",
    "type": "building",
    "addresstype": "historic",
    "name": "Mar-a-Lago",
    "display_name": "Mar-a-Lago, South Ocean Boulevard, Palm Beach, Florida, United States",
    "address": {
        "historic": "Mar-a-Lago",
        "town": "Palm Beach",
        "state": "Florida",
        "country": "United States",
        "country_code": "us",
    },
}
POKROVSK_UA = {
    "place_id": 202,
    "lat": "48.2820",
    "lon": "37.1760",
    "class": "place",
    "type": "town",
    "addresstype": "town",
    "name": "Pokrovsk",
    "display_name": "Pokrovsk, Pokrovsk Raion, Donetsk Oblast, Ukraine",
    "address": {"town": "Pokrovsk", "state": "Donetsk Oblast", "country_code": "ua"},
}
POKROVSK_RU = {
    "place_id": 203,
    "lat": "61.4843",
    "lon": "129.1482",
    "class": "place",
    "type": "town",
    "addresstype": "town",
    "name": "Pokrovsk",
    "display_name": "Pokrovsk, Khangalassky Ulus, Sakha Republic, Russia",
    "address": {"town": "Pokrovsk", "state": "Sakha Republic", "country_code": "ru"},
}


@dataclass
class Seen:
    query: str
    countrycodes: str | None
    user_agent: str | None
    at: float


class NominatimStub:
    """A threaded HTTP server speaking Nominatim's /search JSON, counting what it receives."""

    SLOW_SECONDS = 1.5

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._busy_answered: set[str] = set()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.domain = f"127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def count(self, query: str | None = None) -> int:
        with self._lock:
            return sum(1 for seen in self.seen if query is None or seen.query == query)

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        params = parse_qs(urlsplit(handler.path).query)
        query = params.get("q", [""])[0].casefold()
        countrycodes = params.get("countrycodes", [None])[0]
        with self._lock:
            self.seen.append(Seen(query, countrycodes, handler.headers["User-Agent"], self.clock()))
        if query == "slow":
            time.sleep(self.SLOW_SECONDS)
            self.send(handler, 200, "[]")
        elif query == "busy" and query not in self._busy_answered:
            self._busy_answered.add(query)
            self.send(handler, 429, "Too Many Requests", {"Retry-After": "7"})
        elif query == "busy":
            self.send(handler, 200, json.dumps([MAR_A_LAGO]))
        elif query == "very busy":
            self.send(handler, 429, "Too Many Requests", {"Retry-After": "3600"})
        elif query == "garbled":
            self.send(handler, 200, "<html>Service temporarily broken</html>")
        elif query == "bad number":
            self.send(handler, 200, json.dumps([{"lat": "north", "lon": "east"}]))
        elif query == "mar-a-lago":
            self.send(handler, 200, json.dumps([MAR_A_LAGO]))
        elif query == "pokrovsk":
            places = [POKROVSK_UA] if countrycodes == "ua" else [POKROVSK_RU, POKROVSK_UA]
            self.send(handler, 200, json.dumps(places))
        else:
            self.send(handler, 200, "[]")

    @staticmethod
    def send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = body.encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test): nothing left to answer

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def stub(clock: FakeClock) -> Iterator[NominatimStub]:
    server = NominatimStub(clock)
    yield server
    server.close()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[GeocodeCache]:
    with GeocodeCache(tmp_path / "geocode.sqlite3") as opened:
        yield opened


GeocoderFactory = Callable[..., OnlineGeocoder]


@pytest.fixture
def make_geocoder(clock: FakeClock, cache: GeocodeCache) -> GeocoderFactory:
    def make(domain: str, **overrides: Any) -> OnlineGeocoder:
        return local_geocoder(
            domain, **{"cache": cache, "clock": clock, "user_agent": USER_AGENT, **overrides}
        )

    return make


def test_a_hit_becomes_a_weak_candidate_with_geocoder_evidence(
    stub: NominatimStub, make_geocoder: GeocoderFactory
) -> None:
    outcome = make_geocoder(stub.domain).lookup("Mar-a-Lago")
    assert outcome.status == "hit" and not outcome.from_cache
    candidate = outcome.candidate
    assert candidate is not None
    assert (candidate.lat, candidate.lon) == (26.6770, -80.0369)
    assert candidate.name == "Mar-a-Lago"
    assert candidate.country_code == "US" and candidate.admin1 == "Florida"
    assert candidate.feature == "landmark"
    assert candidate.source == "geocoder:Nominatim" and candidate.geonameid is None
    assert outcome.confidence == ONLINE_CONFIDENCE < 1.0
    assert outcome.evidence[0] == "geocoder: Nominatim"
    assert stub.seen[0].user_agent == USER_AGENT


def test_a_miss_is_reported_as_a_miss(stub: NominatimStub, make_geocoder: GeocoderFactory) -> None:
    outcome = make_geocoder(stub.domain).lookup("Atlantis")
    assert outcome.status == "miss" and outcome.candidates == () and outcome.error is None


def test_requests_are_spaced_one_second_apart_by_the_clock_passed_in(
    stub: NominatimStub, make_geocoder: GeocoderFactory, clock: FakeClock
) -> None:
    geocoder = make_geocoder(stub.domain)
    names = ["Mar-a-Lago", "Atlantis", "Pokrovsk", "El Dorado"]
    outcomes = list(geocoder.lookup_many(names))
    assert [outcome.name for outcome in outcomes] == names
    assert stub.count() == len(names)
    arrival_times = [seen.at for seen in stub.seen]
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrival_times)]
    assert all(gap >= 1.0 for gap in gaps), gaps
    # The fake clock stands still during a request, so each wait is the whole second.
    assert clock.sleeps == pytest.approx([1.0] * (len(names) - 1))


def test_the_cache_means_a_second_run_sends_no_request(
    stub: NominatimStub, make_geocoder: GeocoderFactory, tmp_path: Path, clock: FakeClock
) -> None:
    names = ["Mar-a-Lago", "Atlantis"]
    first = list(make_geocoder(stub.domain).lookup_many(names))
    assert stub.count() == 2
    with GeocodeCache(tmp_path / "geocode.sqlite3") as reopened:
        second = list(make_geocoder(stub.domain, cache=reopened).lookup_many(names))
    assert stub.count() == 2
    assert [outcome.status for outcome in second] == ["hit", "miss"]
    assert all(outcome.from_cache for outcome in second)
    assert second[0].candidates == first[0].candidates
    assert second[0].evidence == first[0].evidence


def test_a_cached_miss_is_asked_again_only_after_its_time_to_live(
    stub: NominatimStub, make_geocoder: GeocoderFactory, clock: FakeClock
) -> None:
    geocoder = make_geocoder(stub.domain)
    list(geocoder.lookup_many(["Mar-a-Lago", "Atlantis"]))
    clock.now += DEFAULT_MISS_TTL_S - 60
    list(geocoder.lookup_many(["Mar-a-Lago", "Atlantis"]))
    assert stub.count() == 2
    clock.now += 120
    outcomes = list(geocoder.lookup_many(["Mar-a-Lago", "Atlantis"]))
    assert stub.count("atlantis") == 2 and stub.count("mar-a-lago") == 1
    assert [outcome.from_cache for outcome in outcomes] == [True, False]


def test_a_429_waits_for_retry_after_then_asks_again(
    stub: NominatimStub, make_geocoder: GeocoderFactory, clock: FakeClock
) -> None:
    outcome = make_geocoder(stub.domain).lookup("busy")
    assert outcome.status == "hit"
    assert stub.count("busy") == 2
    assert 7.0 in clock.sleeps
    assert stub.seen[1].at - stub.seen[0].at >= 7.0


def test_a_429_asking_for_too_long_a_wait_is_reported_and_not_cached(
    stub: NominatimStub, make_geocoder: GeocoderFactory
) -> None:
    geocoder = make_geocoder(stub.domain)
    with pytest.raises(GeocoderRateLimitError, match="429") as caught:
        geocoder.lookup("very busy")
    assert caught.value.retry_after == 3600.0
    (outcome,) = geocoder.lookup_many(["very busy"])
    assert outcome.status == "error" and "429" in (outcome.error or "")
    assert stub.count("very busy") == 2


def test_a_timeout_is_retried_once_then_reported(
    stub: NominatimStub, make_geocoder: GeocoderFactory
) -> None:
    geocoder = make_geocoder(stub.domain, timeout_s=0.3)
    with pytest.raises(GeocoderTimeoutError, match=r"did not answer within 0\.3 s"):
        geocoder.lookup("slow")
    assert stub.count("slow") == 2


def test_a_batch_treats_a_timeout_as_offline_only_when_asked(
    stub: NominatimStub, make_geocoder: GeocoderFactory
) -> None:
    geocoder = make_geocoder(stub.domain, timeout_s=0.3)
    statuses = [outcome.status for outcome in geocoder.lookup_many(["slow", "Mar-a-Lago"])]
    assert statuses == ["error", "hit"]
    outcomes = list(geocoder.lookup_many(["slow", "Atlantis"], timeout_is_offline=True))
    assert [outcome.status for outcome in outcomes] == ["offline", "skipped"]
    assert (outcomes[0].error or "").startswith("offline: no answer in time")
    assert stub.count("slow") == 4 and stub.count("atlantis") == 0


def test_a_malformed_body_is_one_clear_error_and_the_batch_goes_on(
    stub: NominatimStub, make_geocoder: GeocoderFactory
) -> None:
    geocoder = make_geocoder(stub.domain)
    with pytest.raises(GeocoderResponseError, match="malformed"):
        geocoder.lookup("garbled")
    outcomes = list(geocoder.lookup_many(["garbled", "bad number", "Mar-a-Lago"]))
    assert [outcome.status for outcome in outcomes] == ["error", "error", "hit"]
    for outcome in outcomes[:2]:
        assert outcome.error is not None and "\n" not in outcome.error


def test_an_unreachable_server_is_reported_offline_once_and_cached_names_still_resolve(
    clock: FakeClock, make_geocoder: GeocoderFactory
) -> None:
    warm = NominatimStub(clock)
    list(make_geocoder(warm.domain).lookup_many(["Mar-a-Lago"]))
    warm.close()  # its port is closed now: connections are refused
    geocoder = make_geocoder(warm.domain)
    outcomes = list(geocoder.lookup_many(["Kyiv", "Mar-a-Lago", "Atlantis", "Bakhmut"]))
    assert [outcome.status for outcome in outcomes] == ["offline", "hit", "skipped", "skipped"]
    assert outcomes[0].error is not None and outcomes[0].error.startswith(
        "offline: network unreachable"
    )
    assert [outcome.error for outcome in outcomes[2:]] == [None, None]
    assert outcomes[1].from_cache
    assert geocoder.offline


def test_a_closed_port_from_the_start_goes_offline_without_raising(
    make_geocoder: GeocoderFactory,
) -> None:
    geocoder = make_geocoder(closed_port_domain())
    statuses = [outcome.status for outcome in geocoder.lookup_many(["Kyiv", "Odesa"])]
    assert statuses == ["offline", "skipped"]


def test_country_codes_are_tried_first_then_dropped_on_a_miss(
    stub: NominatimStub, make_geocoder: GeocoderFactory
) -> None:
    geocoder = make_geocoder(stub.domain)
    biased = geocoder.lookup("Pokrovsk", country_codes=["UA"])
    assert biased.candidate is not None and biased.candidate.country_code == "UA"
    assert biased.candidate.feature == "city"
    assert [seen.countrycodes for seen in stub.seen] == ["ua"]
    fallback = geocoder.lookup("Atlantis", country_codes=["UA"])
    assert fallback.status == "miss"
    assert [seen.countrycodes for seen in stub.seen[1:]] == ["ua", None]


def test_settings_choose_the_service_server_and_user_agent(
    stub: NominatimStub, tmp_path: Path, clock: FakeClock
) -> None:
    settings = Settings(
        cache_dir=tmp_path / "cache",
        geocoder="nominatim",
        geocoder_domain=stub.domain,
        geocoder_scheme="http",
        user_agent=USER_AGENT,
        http_timeout_s=5.0,
    )
    geocoder = OnlineGeocoder.from_settings(settings, clock=clock, sleep=clock.sleep)
    assert geocoder.lookup("Mar-a-Lago").status == "hit"
    assert (tmp_path / "cache" / "geocode.sqlite3").is_file()
    geocoder.cache.close()


def test_an_unknown_service_is_a_configuration_error(cache: GeocodeCache) -> None:
    with pytest.raises(GeocoderConfigError, match="no-such-geocoder"):
        OnlineGeocoder(cache=cache, user_agent=USER_AGENT, service="no-such-geocoder")


def test_an_unusable_cache_file_is_one_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "geocode.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GeocodeCacheError, match=r"geocode\.sqlite3"):
        GeocodeCache(broken)


@pytest.mark.parametrize(
    ("raw", "feature"),
    [
        ({"class": "place", "type": "city", "addresstype": "city"}, "city"),
        ({"class": "boundary", "type": "administrative", "addresstype": "state"}, "admin"),
        ({"class": "boundary", "type": "administrative", "addresstype": "country"}, "country"),
        ({"class": "place", "type": "continent", "addresstype": "continent"}, "continent"),
        ({"class": "amenity", "type": "townhall", "addresstype": "amenity"}, "landmark"),
        ({"class": "natural", "type": "peak", "addresstype": "peak"}, "other"),
    ],
)
def test_nominatim_classes_map_to_feature_kinds(raw: dict[str, str], feature: str) -> None:
    assert nominatim_feature(raw) == feature
