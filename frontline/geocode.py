"""Optional online look-up, through geopy, of toponyms the offline data cannot resolve.

Off by default (``Settings.online_geocoding``). When on:

- any geopy geocoder by service name (Nominatim by default), with the settings' user agent,
  domain, scheme and timeout;
- at most one request a second for Nominatim (its usage policy), through geopy's
  ``RateLimiter`` with the clock and the sleep passed in;
- one retry after a timeout, one retry after a 429 whose ``Retry-After`` is short enough;
- a persistent SQLite cache keyed by (service, query): a hit never goes out again, a miss
  not before ``miss_ttl_s`` has passed;
- ``lookup_many`` yields one outcome per name as it arrives and never raises for one name's
  failure; the first connection failure marks the geocoder offline for the rest of the batch
  (one outcome says so, the rest are "skipped"), and cached answers are still served.

Online results are weaker evidence than the gazetteer: every outcome carries
``confidence=ONLINE_CONFIDENCE`` (0.4) and the evidence ``"geocoder: <Service>"``. The
resolver uses them only for names without a gazetteer or landmark match; a geocoder answer
never overrides one.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from geopy import exc as geopy_exc
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service

from frontline import evidence
from frontline.codec import cached_candidate_from_dict, cached_candidate_to_dict
from frontline.errors import (
    GeocodeCacheError,
    GeocoderConfigError,
    GeocoderError,
    GeocoderRateLimitError,
    GeocoderResponseError,
    GeocoderServiceFailure,
    GeocoderTimeoutError,
    GeocoderUnavailableError,
)
from frontline.evidence import Reason
from frontline.geocode_http import PolicedAdapter, geocoder_policy
from frontline.model import Candidate, FeatureKind
from frontline.settings import Settings

logger = logging.getLogger(__name__)

ONLINE_CONFIDENCE = 0.4
NOMINATIM_MIN_DELAY_S = 1.0
DEFAULT_MISS_TTL_S = 7 * 24 * 3600.0
DEFAULT_MAX_RETRY_AFTER_S = 60.0
DEFAULT_RESULT_LIMIT = 3
# A place's name or address from the geocoder is stored at most this long.
MAX_ANSWER_TEXT_CHARS = 300
CACHE_FILENAME = "geocode.sqlite3"

Clock = Callable[[], float]
Sleep = Callable[[float], None]
OutcomeStatus = Literal["hit", "miss", "error", "offline", "skipped"]


@dataclass(frozen=True, slots=True)
class GeocodeOutcome:
    """What became of one name: found, not found, failed, or not tried because offline."""

    name: str
    query: str
    status: OutcomeStatus
    candidates: tuple[Candidate, ...] = ()
    confidence: float = ONLINE_CONFIDENCE
    evidence: tuple[Reason, ...] = ()
    from_cache: bool = False
    error: str | None = None

    @property
    def candidate(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    found: bool
    fetched_at: float
    candidates: tuple[Candidate, ...]
    descriptions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Area:
    """A box in degrees (south, west, north, east): where an article's places lie."""

    south: float
    west: float
    north: float
    east: float

    @property
    def key(self) -> str:
        return f"{self.south:.2f},{self.west:.2f},{self.north:.2f},{self.east:.2f}"


def normalize_query(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


class GeocodeCache:
    """Persistent (service, query) -> answer store in SQLite (WAL), shared across runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Streamlit reruns may come from another thread; the lock serialises access.
            self._connection = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS geocode_cache ("
                " service TEXT NOT NULL, query TEXT NOT NULL, found INTEGER NOT NULL,"
                " fetched_at REAL NOT NULL, payload TEXT NOT NULL,"
                " PRIMARY KEY (service, query))"
            )
            self._connection.commit()
        except (OSError, sqlite3.Error) as error:
            raise GeocodeCacheError(f"{path}: cannot open the geocode cache ({error})") from None

    def get(self, service: str, query: str, source: str) -> CachedAnswer | None:
        try:
            with self._lock:
                row = self._connection.execute(
                    "SELECT found, fetched_at, payload FROM geocode_cache"
                    " WHERE service = ? AND query = ?",
                    (service, query),
                ).fetchone()
        except sqlite3.Error as error:
            raise GeocodeCacheError(
                f"{self.path}: cannot read the geocode cache ({error})"
            ) from None
        if row is None:
            return None
        found, fetched_at, payload = row
        try:
            entries = json.loads(payload)
            candidates = tuple(cached_candidate_from_dict(entry, source) for entry in entries)
            descriptions = tuple(str(entry.get("description") or "") for entry in entries)
        except (ValueError, TypeError, KeyError, AttributeError):
            logger.warning("ignoring unreadable geocode cache entry for %r in %s", query, self.path)
            return None
        return CachedAnswer(bool(found), float(fetched_at), candidates, descriptions)

    def put(
        self,
        service: str,
        query: str,
        fetched_at: float,
        candidates: Sequence[Candidate],
        descriptions: Sequence[str],
    ) -> None:
        payload = json.dumps(
            [
                cached_candidate_to_dict(candidate, description)
                for candidate, description in zip(candidates, descriptions, strict=True)
            ]
        )
        try:
            with self._lock, self._connection:
                self._connection.execute(
                    "INSERT OR REPLACE INTO geocode_cache"
                    " (service, query, found, fetched_at, payload) VALUES (?, ?, ?, ?, ?)",
                    (service, query, int(bool(candidates)), fetched_at, payload),
                )
        except sqlite3.Error as error:
            raise GeocodeCacheError(
                f"{self.path}: cannot write the geocode cache ({error})"
            ) from None

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> GeocodeCache:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()


_CITY_TYPES = frozenset(
    {"city", "town", "village", "hamlet", "municipality", "suburb", "borough", "quarter",
     "neighbourhood", "city_district", "locality", "isolated_dwelling"}
)  # fmt: skip
_ADMIN_TYPES = frozenset(
    {"state", "province", "region", "county", "district", "state_district", "administrative",
     "oblast", "raion", "territory"}
)  # fmt: skip
_WATER_TYPES = frozenset({"ocean", "sea", "bay", "strait", "gulf", "water"})
_LANDMARK_CLASSES = frozenset(
    {"amenity", "building", "historic", "tourism", "leisure", "office", "military", "man_made",
     "aeroway", "bridge", "power", "railway", "landuse"}
)  # fmt: skip


def nominatim_feature(raw: Mapping[str, Any]) -> FeatureKind:
    """Map Nominatim's class/type/addresstype onto the project's feature kinds."""
    osm_class = str(raw.get("class") or raw.get("category") or "")
    osm_type = str(raw.get("type") or "")
    address_type = str(raw.get("addresstype") or "")
    if "continent" in (osm_type, address_type):
        return "continent"
    if "country" in (osm_type, address_type):
        return "country"
    if address_type in _CITY_TYPES or (osm_class == "place" and osm_type in _CITY_TYPES):
        return "city"
    if address_type in _ADMIN_TYPES or (osm_class == "boundary" and osm_type == "administrative"):
        return "admin"
    if osm_type in _WATER_TYPES or address_type in _WATER_TYPES:
        return "water"
    if osm_class in _LANDMARK_CLASSES:
        return "landmark"
    return "other"


class _InjectedClockRateLimiter(RateLimiter):
    """geopy's RateLimiter reading the clock and sleeping through the callables passed in.

    RateLimiter takes no clock or sleep arguments; it reads them through its ``_clock`` and
    ``_sleep`` methods (geopy 2.5, the pinned version), which this subclass overrides. Its own
    retries are switched off because the retry policy here depends on the error (timeout vs
    429 vs unreachable); the rate limiting itself is geopy's.
    """

    def __init__(
        self, func: Callable[..., Any], *, min_delay_s: float, clock: Clock, sleep: Sleep
    ) -> None:
        super().__init__(
            func,
            min_delay_seconds=min_delay_s,
            max_retries=0,
            error_wait_seconds=min_delay_s,
            swallow_exceptions=False,
        )
        self._injected_clock = clock
        self._injected_sleep = sleep

    def _clock(self) -> float:
        return self._injected_clock()

    def _sleep(self, seconds: float) -> None:
        logger.debug("rate limit: waiting %.2f s", seconds)
        self._injected_sleep(seconds)


def _bounded(text: object) -> str:
    """A text from the geocoder as stored: one line, at most MAX_ANSWER_TEXT_CHARS."""
    return " ".join(str(text).split())[:MAX_ANSWER_TEXT_CHARS]


def _one_line(text: object) -> str:
    return " ".join(str(text).split())[:200]


class OnlineGeocoder:
    """Rate-limited, cached look-ups through one geopy geocoder."""

    def __init__(
        self,
        *,
        cache: GeocodeCache,
        user_agent: str,
        service: str = "nominatim",
        domain: str | None = None,
        scheme: str | None = None,
        timeout_s: float = 10.0,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        min_delay_s: float | None = None,
        miss_ttl_s: float = DEFAULT_MISS_TTL_S,
        max_retry_after_s: float = DEFAULT_MAX_RETRY_AFTER_S,
        result_limit: int = DEFAULT_RESULT_LIMIT,
        geocoder_options: Mapping[str, Any] | None = None,
        allow_private: bool = False,
        allowed_networks: tuple[str, ...] = (),
    ) -> None:
        """``domain`` is trusted by the network policy (the operator configured it); the
        settings' ``allow_private``/``allowed_networks`` apply to anything else (a redirect)."""
        try:
            geocoder_class = get_geocoder_for_service(service)
        except geopy_exc.GeocoderNotFound:
            raise GeocoderConfigError(f"unknown geocoder service {service!r}") from None
        options: dict[str, Any] = {
            "user_agent": user_agent,
            "timeout": timeout_s,
            "adapter_factory": PolicedAdapter.factory(
                geocoder_policy(
                    domain,
                    allow_private=allow_private,
                    allowed_networks=allowed_networks,
                    user_agent=user_agent,
                )
            ),
        }
        if domain:
            options["domain"] = domain
        if scheme:
            options["scheme"] = scheme
        options.update(geocoder_options or {})
        try:
            self._geocoder = geocoder_class(**options)
        except (TypeError, geopy_exc.ConfigurationError) as error:
            raise GeocoderConfigError(
                f"geocoder {service!r} does not accept these options: {_one_line(error)}"
            ) from None
        self.service_name: str = geocoder_class.__name__
        self._is_nominatim = self.service_name == "Nominatim"
        # The cache key names the server too: answers from a private Nominatim may differ.
        self.cache_service = f"{service.casefold()}@{domain}" if domain else service.casefold()
        self.source = f"geocoder:{self.service_name}"
        self.evidence_label = evidence.geocoder(self.service_name)
        self.cache = cache
        self.timeout_s = timeout_s
        self.miss_ttl_s = miss_ttl_s
        self.max_retry_after_s = max_retry_after_s
        self.result_limit = result_limit
        self._clock = clock
        self._sleep = sleep
        if min_delay_s is None:
            min_delay_s = NOMINATIM_MIN_DELAY_S if self._is_nominatim else 0.0
        self._limited_geocode = _InjectedClockRateLimiter(
            self._geocoder.geocode, min_delay_s=min_delay_s, clock=clock, sleep=sleep
        )
        self.offline_reason: str | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        cache: GeocodeCache | None = None,
    ) -> OnlineGeocoder:
        return cls(
            cache=cache or GeocodeCache(settings.cache_dir / CACHE_FILENAME),
            user_agent=settings.user_agent,
            service=settings.geocoder,
            domain=settings.geocoder_domain,
            scheme=settings.geocoder_scheme,
            timeout_s=settings.http_timeout_s,
            clock=clock,
            sleep=sleep,
            allow_private=settings.allow_private_urls,
            allowed_networks=settings.allowed_networks,
        )

    @property
    def offline(self) -> bool:
        return self.offline_reason is not None

    def lookup(
        self, name: str, country_codes: Sequence[str] = (), area: Area | None = None
    ) -> GeocodeOutcome:
        """One name: from the cache or the service. Raises a GeocoderError subclass on failure.

        With ``area`` the service is asked within that box first (Nominatim's viewbox,
        bounded: a village near Kupiansk is looked for near Kupiansk); then, with
        ``country_codes``, within those countries; without restriction only when that finds
        nothing.
        """
        return self._lookup(name, country_codes, allow_network=True, area=area)

    def _lookup(
        self,
        name: str,
        country_codes: Sequence[str],
        *,
        allow_network: bool,
        area: Area | None = None,
    ) -> GeocodeOutcome:
        codes = tuple(sorted({code.strip().casefold() for code in country_codes if code.strip()}))
        query = normalize_query(name)
        if not query:
            raise GeocoderServiceFailure("empty place name: nothing to look up")
        if area is not None and self._is_nominatim:
            bounded = self._lookup_query(name, query, codes, allow_network, area)
            if bounded.status == "hit":
                return bounded
        if codes:
            restricted = self._lookup_query(name, query, codes, allow_network)
            if restricted.status == "hit":
                return restricted
        return self._lookup_query(name, query, (), allow_network)

    def lookup_many(
        self,
        names: Iterable[str],
        country_codes: Sequence[str] = (),
        *,
        timeout_is_offline: bool = False,
        area: Area | None = None,
    ) -> Iterator[GeocodeOutcome]:
        """Yield one outcome per name, as each arrives; a failing name is reported, not raised.

        The first connection failure yields one ``"offline"`` outcome with the reason; names
        after it are answered from the cache or yielded as ``"skipped"``. With
        ``timeout_is_offline`` a name that timed out twice does the same: a service that
        does not answer would otherwise cost two timeouts for every name left.
        """
        self.offline_reason = None
        for name in names:
            yield self._lookup_reporting(name, country_codes, timeout_is_offline, area)

    def _lookup_reporting(
        self,
        name: str,
        country_codes: Sequence[str],
        timeout_is_offline: bool = False,
        area: Area | None = None,
    ) -> GeocodeOutcome:
        query = normalize_query(name)
        try:
            return self._lookup(name, country_codes, allow_network=not self.offline, area=area)
        except GeocoderUnavailableError as error:
            return self._offline_outcome(name, query, "network unreachable", error)
        except GeocoderTimeoutError as error:
            if timeout_is_offline:
                return self._offline_outcome(name, query, "no answer in time", error)
            return self._error_outcome(name, query, error)
        except GeocoderError as error:
            return self._error_outcome(name, query, error)

    def _offline_outcome(
        self, name: str, query: str, reason: str, error: GeocoderError
    ) -> GeocodeOutcome:
        """The first failure says the service is out of reach; later names are skipped."""
        if self.offline:
            return GeocodeOutcome(name, query, "skipped", evidence=(self.evidence_label,))
        self.offline_reason = f"offline: {reason} ({self.service_name}: {error})"
        logger.warning("%s", self.offline_reason)
        return GeocodeOutcome(
            name, query, "offline", evidence=(self.evidence_label,), error=self.offline_reason
        )

    def _error_outcome(self, name: str, query: str, error: GeocoderError) -> GeocodeOutcome:
        logger.info("geocoding %r failed: %s", name, error)
        return GeocodeOutcome(
            name, query, "error", evidence=(self.evidence_label,), error=str(error)
        )

    def _cache_key(self, query: str, codes: tuple[str, ...], area: Area | None = None) -> str:
        key = f"{query}|countrycodes={','.join(codes)}" if codes else query
        return f"{key}|viewbox={area.key}" if area is not None else key

    def _lookup_query(
        self,
        name: str,
        query: str,
        codes: tuple[str, ...],
        allow_network: bool,
        area: Area | None = None,
    ) -> GeocodeOutcome:
        key = self._cache_key(query, codes, area)
        cached = self.cache.get(self.cache_service, key, self.source)
        if cached is not None and (
            cached.found or self._clock() - cached.fetched_at < self.miss_ttl_s
        ):
            return self._outcome(name, query, cached.candidates, cached.descriptions, True)
        if not allow_network:
            raise GeocoderUnavailableError("not tried: the geocoder is offline for this batch")
        candidates, descriptions = self._fetch(name, codes, area)
        self.cache.put(self.cache_service, key, self._clock(), candidates, descriptions)
        return self._outcome(name, query, candidates, descriptions, False)

    def _outcome(
        self,
        name: str,
        query: str,
        candidates: tuple[Candidate, ...],
        descriptions: tuple[str, ...],
        from_cache: bool,
    ) -> GeocodeOutcome:
        reasons = [self.evidence_label]
        if descriptions and descriptions[0]:
            reasons.append(evidence.geocoder_matched(self.service_name, descriptions[0]))
        return GeocodeOutcome(
            name=name,
            query=query,
            status="hit" if candidates else "miss",
            candidates=candidates,
            confidence=ONLINE_CONFIDENCE,
            evidence=tuple(reasons),
            from_cache=from_cache,
        )

    def _request_options(self, codes: tuple[str, ...], area: Area | None = None) -> dict[str, Any]:
        options: dict[str, Any] = {"exactly_one": False, "timeout": self.timeout_s}
        if self._is_nominatim:
            options.update(addressdetails=True, limit=self.result_limit, language="en")
            if codes:
                options["country_codes"] = list(codes)
            if area is not None:
                options["viewbox"] = [(area.south, area.west), (area.north, area.east)]
                options["bounded"] = True
        elif codes:
            logger.debug("%s: country bias is only passed to Nominatim", self.service_name)
        return options

    def _fetch(
        self, name: str, codes: tuple[str, ...], area: Area | None = None
    ) -> tuple[tuple[Candidate, ...], tuple[str, ...]]:
        options = self._request_options(codes, area)
        timeout_retries = 1
        rate_limit_retries = 1
        while True:
            try:
                locations = self._limited_geocode(name.strip(), **options)
                return self._parse(name, locations)
            except geopy_exc.GeocoderTimedOut:
                if timeout_retries:
                    timeout_retries -= 1
                    logger.info("%s timed out on %r; retrying once", self.service_name, name)
                    continue
                raise GeocoderTimeoutError(
                    f"{self.service_name} did not answer within {self.timeout_s:g} s "
                    f"for {name!r} (tried twice)"
                ) from None
            except geopy_exc.GeocoderRateLimited as error:
                wait = error.retry_after
                if rate_limit_retries and wait is not None and wait <= self.max_retry_after_s:
                    rate_limit_retries -= 1
                    logger.info(
                        "%s: 429, waiting %s s as Retry-After asks", self.service_name, wait
                    )
                    self._sleep(float(wait))
                    continue
                after = f"; retry after {wait} s" if wait is not None else ""
                raise GeocoderRateLimitError(
                    f"{self.service_name} refused {name!r}: too many requests (429){after}",
                    retry_after=None if wait is None else float(wait),
                ) from None
            except geopy_exc.GeocoderUnavailable as error:
                raise GeocoderUnavailableError(_one_line(error)) from None
            except geopy_exc.GeocoderParseError:
                raise GeocoderResponseError(
                    f"{self.service_name} sent a malformed answer for {name!r}"
                ) from None
            except geopy_exc.GeopyError as error:
                raise GeocoderServiceFailure(
                    f"{self.service_name} failed for {name!r}: {_one_line(error)}"
                ) from None
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                raise GeocoderResponseError(
                    f"{self.service_name} sent an unusable answer for {name!r} "
                    f"({type(error).__name__}: {_one_line(error)})"
                ) from None

    def _parse(self, name: str, locations: Any) -> tuple[tuple[Candidate, ...], tuple[str, ...]]:
        if not locations:
            return (), ()
        if not isinstance(locations, list):
            locations = [locations]
        candidates: list[Candidate] = []
        descriptions: list[str] = []
        # Trimmed before anything is cached: the first few results, their texts bounded.
        for location in locations[: self.result_limit]:
            raw = location.raw if isinstance(location.raw, Mapping) else {}
            lat, lon = location.latitude, location.longitude
            if lat is None or lon is None:
                raise GeocoderResponseError(
                    f"{self.service_name} sent a result without coordinates for {name!r}"
                )
            raw_address = raw.get("address")
            address: Mapping[str, Any] = raw_address if isinstance(raw_address, Mapping) else {}
            description = _bounded(location.address or "")
            country_code = address.get("country_code")
            candidates.append(
                Candidate(
                    geonameid=None,
                    name=_bounded(raw.get("name") or description.split(",")[0].strip() or name),
                    lat=float(lat),
                    lon=float(lon),
                    feature=nominatim_feature(raw) if self._is_nominatim else "other",
                    country_code=_bounded(country_code).upper() if country_code else None,
                    admin1=_bounded(address["state"]) if address.get("state") else None,
                    source=self.source,
                )
            )
            descriptions.append(description)
        return tuple(candidates), tuple(descriptions)
