"""A small hostile HTTP server on a loopback address, written at the socket level.

``http.server`` always sends well-formed answers in one go; an attacker does not. Each path
is one behaviour:

    /drip?every=S&length=N     Content-Length N, then one byte every S seconds
    /slow-headers?every=S      a status line, then one header every S seconds, never a blank line
    /redirect?hops=N&to=URL    N redirects on this server, then one to URL
    /huge-declared             Content-Length of 10 GB, a few bytes, then silence
    /endless-chunked           a chunked body that never ends, 64 KiB a chunk
    /gzip-bomb?mb=M            M MB of zeros gzip-compressed to a few kB (Content-Encoding: gzip)
    /bad-chunks                a chunked body whose chunk size is not hexadecimal
    /short-body                Content-Length 5000, 100 bytes, then the connection closes
    /page?title=T&body=B       an HTML article with the given title and paragraph
    /raw?type=T&hex=H          200 with Content-Type T and the bytes H (hex)
    /nominatim-KIND/search     a geocoder gone wrong, KIND one of: 429 (Retry-After an hour),
                               500, malformed (not JSON), pole (latitude 95), flood (60,000
                               results, 9 MB), many (2,000 results, under 1 MB)

Every request is recorded (path, arrival time, and when the client went away), so a test can
tell how long the client held on without timing the client itself.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import json
import select
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

ARTICLE_PARAGRAPH = (
    "Russian forces shelled villages north of Kharkiv on Friday, regional officials said, "
    "as fighting went on along the border for a second week. In Odesa, air defences shot "
    "down drones overnight, according to the air force."
)


@dataclass
class Visit:
    path: str
    arrived: float
    left: float | None = None

    @property
    def held_s(self) -> float | None:
        """Seconds from the request's arrival until the client closed the connection."""
        return None if self.left is None else self.left - self.arrived


@dataclass
class HostileServer:
    host: str
    port: int
    visits: list[Visit] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def visit(self, path_prefix: str) -> Visit:
        matching = [v for v in self.visits if v.path.startswith(path_prefix)]
        assert matching, f"no request for {path_prefix} among {[v.path for v in self.visits]}"
        return matching[-1]

    def wait_until_left(self, path_prefix: str, timeout_s: float = 30.0) -> Visit:
        """The visit, once its client has gone (the server notices within 0.05 s)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            visit = self.visit(path_prefix)
            if visit.left is not None:
                return visit
            time.sleep(0.05)
        raise AssertionError(f"the client of {path_prefix} was still connected after {timeout_s} s")


class _Gone(Exception):
    """The client closed the connection."""


class _Handler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        state = self.server.state
        connection: socket.socket = self.request
        request = self._read_request(connection)
        if request is None:
            return
        visit = Visit(request, time.monotonic())
        state.visits.append(visit)
        parts = urlsplit(request)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        first_segment = parts.path.strip("/").split("/")[0]
        behaviour = getattr(self, "_" + first_segment.replace("-", "_"), None)
        try:
            if behaviour is None:
                self._send(connection, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            else:
                behaviour(connection, query)
            self._wait(connection, 0.5)  # let the client read and close first
        except (_Gone, OSError):
            pass
        finally:
            visit.left = time.monotonic()

    def _read_request(self, connection: socket.socket) -> str | None:
        connection.settimeout(5)
        data = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = connection.recv(4096)
                if not chunk:
                    return None
                data += chunk
        connection.settimeout(None)
        line = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        return line[1] if len(line) >= 2 else None

    def _wait(self, connection: socket.socket, seconds: float) -> None:
        """Sleep ``seconds``, or raise _Gone as soon as the client closes the connection."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.server.state.stopping.is_set():
                raise _Gone
            readable, _, _ = select.select([connection], [], [], min(left, 0.05))
            if readable:
                try:
                    if not connection.recv(4096):
                        raise _Gone
                except OSError as error:
                    raise _Gone from error

    def _send(self, connection: socket.socket, data: bytes) -> None:
        try:
            connection.sendall(data)
        except OSError as error:
            raise _Gone from error

    # -- behaviours ----------------------------------------------------------------------

    def _drip(self, connection: socket.socket, query: dict[str, str]) -> None:
        every, length = float(query.get("every", "2")), int(query.get("length", "100000"))
        self._send(
            connection,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            + f"Content-Length: {length}\r\n\r\n".encode(),
        )
        for _ in range(length):
            self._send(connection, b"<")
            self._wait(connection, every)

    def _slow_headers(self, connection: socket.socket, query: dict[str, str]) -> None:
        every = float(query.get("every", "1"))
        self._send(connection, b"HTTP/1.1 200 OK\r\n")
        for number in range(100_000):
            self._send(connection, f"X-Slow-{number}: {'a' * 10}\r\n".encode())
            self._wait(connection, every)

    def _redirect(self, connection: socket.socket, query: dict[str, str]) -> None:
        hops, target = int(query.get("hops", "0")), query["to"]
        location = f"/redirect?hops={hops - 1}&to={target}" if hops > 0 else target
        self._send(
            connection,
            f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode(),
        )

    def _huge_declared(self, connection: socket.socket, query: dict[str, str]) -> None:
        self._send(
            connection,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            b"Content-Length: 10000000000\r\n\r\n<html>",
        )
        self._wait(connection, 30)

    def _endless_chunked(self, connection: socket.socket, query: dict[str, str]) -> None:
        self._send(
            connection,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        chunk = b"<p>" + b"a" * 65533
        while not self.server.state.stopping.is_set():
            self._send(connection, f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")

    def _gzip_bomb(self, connection: socket.socket, query: dict[str, str]) -> None:
        body = gzip.compress(b"\0" * (int(query.get("mb", "200")) * 1_000_000), 9)
        self._send(
            connection,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body,
        )

    def _bad_chunks(self, connection: socket.socket, query: dict[str, str]) -> None:
        self._send(
            connection,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"zz-not-hex\r\n<html>\r\n",
        )

    def _short_body(self, connection: socket.socket, query: dict[str, str]) -> None:
        self._send(
            connection,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n"
            + b"<html>" * 16,
        )
        connection.shutdown(socket.SHUT_WR)

    def _page(self, connection: socket.socket, query: dict[str, str]) -> None:
        title = html.escape(query.get("title", "A report"))
        paragraph = html.escape(query.get("body", ARTICLE_PARAGRAPH))
        page = (
            f"<!doctype html><html><head><title>{title}</title>"
            f'<meta property="og:title" content="{title}"></head><body><article>'
            f"<h1>{title}</h1><p>{paragraph}</p><p>{paragraph}</p></article></body></html>"
        ).encode()
        self._answer(connection, "text/html; charset=utf-8", page)

    def _raw(self, connection: socket.socket, query: dict[str, str]) -> None:
        self._answer(connection, query.get("type", "text/html"), bytes.fromhex(query["hex"]))

    def _nominatim_429(self, connection: socket.socket, query: dict[str, str]) -> None:
        self._send(
            connection,
            b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n",
        )

    def _nominatim_500(self, connection: socket.socket, query: dict[str, str]) -> None:
        self._send(
            connection,
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n"
            b"Connection: close\r\n\r\noops!",
        )

    def _nominatim_malformed(self, connection: socket.socket, query: dict[str, str]) -> None:
        self._answer(connection, "application/json", b'[{"lat": "48.1", "lon": ')

    def _nominatim_pole(self, connection: socket.socket, query: dict[str, str]) -> None:
        self._answer(connection, "application/json", json.dumps([_result(95.0, 37.0)]).encode())

    def _nominatim_flood(self, connection: socket.socket, query: dict[str, str]) -> None:
        results = [_result(48.0 + i / 1e5, 37.0, short=True) for i in range(60_000)]
        self._answer(connection, "application/json", json.dumps(results).encode())

    def _nominatim_many(self, connection: socket.socket, query: dict[str, str]) -> None:
        results = [_result(48.0 + i / 1e5, 37.0, short=True) for i in range(2_000)]
        self._answer(connection, "application/json", json.dumps(results).encode())

    def _answer(self, connection: socket.socket, content_type: str, body: bytes) -> None:
        self._send(
            connection,
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body,
        )


def _result(lat: float, lon: float, *, short: bool = False) -> dict[str, object]:
    """One Nominatim search result (``short``: the fields a flood needs, about 150 bytes)."""
    result: dict[str, object] = {
        "lat": f"{lat:.5f}",
        "lon": f"{lon:.5f}",
        "class": "place",
        "type": "village",
        "name": "Synkivka",
        "display_name": "Synkivka, Kupiansk Raion, Kharkiv Oblast, Ukraine",
    }
    if not short:
        result["address"] = {"village": "Synkivka", "state": "Kharkiv Oblast", "country_code": "ua"}
    return result


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: HostileServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up mid-answer is what these tests are about


@contextlib.contextmanager
def hostile_server(host: str = "127.0.0.1"):
    """Serve the behaviours above on ``host`` at a free port until the block ends."""
    server = _TCPServer((host, 0), _Handler)
    server.state = HostileServer(host, server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.state
    finally:
        server.state.stopping.set()
        server.shutdown()
        server.server_close()
