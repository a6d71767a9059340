"""A real HTTP server on 127.0.0.1 that answers Nominatim's ``/search`` for ANY query.

Every name gets a point, so a test can tell which names were sent (``queries``) and prove
that a name which must not become a place stays off the map even when the geocoder would
happily place it. ``gate`` holds answers back until a test opens it (to see the pending
state); ``delay_s`` makes every answer late (to see a timeout).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import zlib
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from frontline.geocode import GeocodeCache, OnlineGeocoder

# An article whose front-line villages Klishchiivka, Synkivka and Soloviove the offline
# gazetteer lacks, beside gazetteer towns and names that are no places at all.
FRONT_TEXT = (
    "Russian forces shelled Pokrovsk on Monday. Ukrainian troops held Klishchiivka, and "
    "fighting raged in Synkivka near Kupiansk. Drones hit Novobakhmutivka and Soloviove. "
    "Donald Trump said NATO and CNN reported the attack, AP wrote. Vladimir Putin spoke "
    "about Tomahawks in Moscow."
)
FRONT_NOT_PLACES = ("Donald Trump", "Trump", "NATO", "CNN", "AP", "Vladimir Putin", "Tomahawks")


def answer_point(query: str) -> tuple[float, float]:
    """A point in eastern Ukraine that depends only on the query (stable across runs)."""
    digest = zlib.crc32(query.casefold().encode("utf-8"))
    return 47.0 + (digest % 1000) / 500.0, 34.0 + (digest // 1000 % 1000) / 250.0


def nominatim_result(name: str, lat: float, lon: float) -> dict[str, Any]:
    return {
        "place_id": zlib.crc32(name.encode("utf-8")),
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0",
        "osm_type": "node",
        "osm_id": zlib.crc32(name.encode("utf-8")),
        "lat": f"{lat:.5f}",
        "lon": f"{lon:.5f}",
        "class": "place",
        "type": "village",
        "addresstype": "village",
        "name": name,
        "display_name": f"{name}, Test Raion, Donetsk Oblast, Ukraine",
        "address": {"village": name, "state": "Donetsk Oblast", "country_code": "ua"},
    }


class AnswerEverything:
    """Threaded Nominatim look-alike; ``with`` it, or call ``close()``."""

    def __init__(
        self, *, delay_s: float = 0.0, gate: threading.Event | None = None, port: int = 0
    ) -> None:
        self.delay_s = delay_s
        self.gate = gate
        self.queries: list[str] = []
        self.countrycodes: list[str | None] = []
        self.viewboxes: list[str | None] = []
        self.user_agents: list[str | None] = []
        self.request_arrived = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.domain = f"127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def point_for(self, name: str) -> tuple[float, float]:
        return answer_point(name)

    def sent(self) -> list[str]:
        with self._lock:
            return list(self.queries)

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        params: Mapping[str, list[str]] = parse_qs(urlsplit(handler.path).query)
        query = params.get("q", [""])[0]
        with self._lock:
            self.queries.append(query)
            self.countrycodes.append(params.get("countrycodes", [None])[0])
            bounded = params.get("bounded", [None])[0]
            self.viewboxes.append(params.get("viewbox", [None])[0] if bounded == "1" else None)
            self.user_agents.append(handler.headers["User-Agent"])
        self.request_arrived.set()
        if self.gate is not None:
            self.gate.wait(timeout=120)
        if self.delay_s:
            time.sleep(self.delay_s)
        lat, lon = answer_point(query)
        body = json.dumps([nominatim_result(query, lat, lon)]).encode("utf-8")
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout tests)

    def close(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> AnswerEverything:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()


def closed_port_domain() -> str:
    """host:port where nothing listens (connections are refused): the geocoder is offline."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"127.0.0.1:{port}"


class FakeClock:
    """Seconds that only move when the code under test sleeps (the 1 s rate limit)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def local_geocoder(
    domain: str,
    *,
    cache: GeocodeCache,
    clock: FakeClock,
    user_agent: str,
    **overrides: Any,
) -> OnlineGeocoder:
    """Nominatim through geopy, pointed at a server on 127.0.0.1, on the clock given."""
    options: dict[str, Any] = {
        "cache": cache,
        "user_agent": user_agent,
        "domain": domain,
        "scheme": "http",
        "timeout_s": 5.0,
        "clock": clock,
        "sleep": clock.sleep,
    }
    options.update(overrides)
    return OnlineGeocoder(**options)
