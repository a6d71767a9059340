"""URL fetching against real HTTP servers on loopback addresses (no network, no mocks).

The refusal tests need a server the fetcher may reach while private addresses stay refused:
the fetcher's ``allowed_networks`` admits exactly 127.0.0.1/32, so a redirect to 127.0.0.2
(a second real server, which must never see a request) or 169.254.169.254 is judged by the
same rule a public deployment uses. Host names go through an injected resolver, which is how
DNS rebinding is exercised: the name looks public to the first look-up and loopback to the
second.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import shutil
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from frontline.errors import FetchError, InputError, URLRefusedError
from frontline.fetch import AddressPolicy, check_url, refusal_reason
from frontline.settings import Settings
from frontline.webpage import FetchedPage, fetch_article_page, fetch_page

ARTICLE_HTML = """<!doctype html>
<html><head><title>Shelling near Kharkiv | Example News</title>
<meta property="og:title" content="Shelling near Kharkiv">
<meta property="article:published_time" content="2024-05-17T08:00:00Z"></head>
<body><nav>Home | World | Sport</nav>
<article><h1>Shelling near Kharkiv</h1>
<p>Russian forces shelled villages north of Kharkiv on Friday, regional officials said,
as fighting continued along the border for a second week.</p>
<p>In Odesa, air defences shot down several drones overnight, according to the Ukrainian
air force, which reported no casualties among civilians.</p>
</article><footer>Copyright Example News</footer></body></html>"""

NO_ARTICLE_HTML = "<html><head><title>Menu</title></head><body><div></div></body></html>"

Response = tuple[int, dict[str, str], bytes]
Route = Callable[["Handler"], Response]


@dataclass
class Server:
    host: str
    port: int
    routes: dict[str, Route]
    requested: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"


class Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def do_GET(self) -> None:
        state: Server = self.server.state  # type: ignore[attr-defined]
        state.requested.append(self.path)
        state.headers.append(dict(self.headers))
        route = state.routes.get(self.path)
        status, headers, body = route(self) if route else (404, {}, b"not here")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def html(body: str | bytes, content_type: str = "text/html; charset=utf-8") -> Route:
    payload = body.encode("utf-8") if isinstance(body, str) else body
    return lambda _handler: (
        200,
        {"Content-Type": content_type, "Content-Length": str(len(payload))},
        payload,
    )


def redirect(location: str, status: int = 302) -> Route:
    return lambda _handler: (status, {"Location": location, "Content-Length": "0"}, b"")


@pytest.fixture
def serve() -> Iterator[Callable[[str], Server]]:
    started: list[tuple[ThreadingHTTPServer, Server]] = []

    def start(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> Server:
        httpd = ThreadingHTTPServer((host, 0), Handler)
        if tls is not None:
            httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
        httpd.daemon_threads = True
        state = Server(host, httpd.server_address[1], {})
        httpd.state = state  # type: ignore[attr-defined]
        threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
        started.append((httpd, state))
        return state

    yield start
    for httpd, state in started:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as live_session:
        live_session.headers["User-Agent"] = "frontline-tests"
        yield live_session


ONLY_TEST_SERVER = ("127.0.0.1/32",)


def test_page_is_reduced_to_text_title_and_date_when_private_allowed(serve, session) -> None:
    server = serve()
    server.routes["/article"] = html(ARTICLE_HTML)
    page = fetch_page(server.url("/article"), session, max_bytes=100_000, allow_private=True)
    assert isinstance(page, FetchedPage)
    assert page.url == page.final_url == server.url("/article")
    assert "villages north of Kharkiv" in page.text
    assert "air defences shot down" in page.text
    assert "Home | World" not in page.text and "Copyright" not in page.text
    assert page.title == "Shelling near Kharkiv"
    assert page.date == dt.date(2024, 5, 17)
    assert "<article>" in page.html


def test_settings_drive_the_fetch(serve, session) -> None:
    server = serve()
    server.routes["/article"] = html(ARTICLE_HTML)
    allowed = Settings(allow_private_urls=True, http_timeout_s=2.0)
    assert "Odesa" in fetch_article_page(server.url("/article"), session, allowed).text
    with pytest.raises(URLRefusedError):
        fetch_article_page(server.url("/article"), session, Settings(allow_private_urls=False))
    small = Settings(allow_private_urls=True, max_article_bytes=100)
    with pytest.raises(FetchError, match="100"):
        fetch_article_page(server.url("/article"), session, small)


def test_loopback_is_refused_by_default_before_any_request(serve, session) -> None:
    server = serve()
    server.routes["/article"] = html(ARTICLE_HTML)
    with pytest.raises(URLRefusedError) as refused:
        fetch_page(server.url("/article"), session, max_bytes=100_000)
    message = str(refused.value)
    assert server.url("/article") in message and "loopback" in message
    assert "\n" not in message
    assert server.requested == []


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port2}/article",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.2]:{port2}/article",
        "http://0.0.0.0:{port2}/article",
        "http://metadata.invalid/latest/meta-data/",
        "http://intranet.invalid:{port2}/article",
        "file:///etc/passwd",
    ],
)
def test_redirect_to_a_refused_address_is_refused_on_every_hop(serve, session, target) -> None:
    allowed_server = serve("127.0.0.1")
    private_server = serve("127.0.0.2")
    private_server.routes["/article"] = html(ARTICLE_HTML)
    location = target.format(port2=private_server.port)
    # Two allowed hops first, so the refusal comes from the third hop's check.
    allowed_server.routes["/start"] = redirect("/middle", 301)
    allowed_server.routes["/middle"] = redirect(location, 307)
    names = {"metadata.invalid": ["169.254.169.254"], "intranet.invalid": ["10.0.0.7"]}

    def resolver(host: str, port: int) -> Sequence[str]:
        return names.get(host, [host])

    with pytest.raises(URLRefusedError) as refused:
        fetch_page(
            allowed_server.url("/start"),
            session,
            max_bytes=100_000,
            allowed_networks=ONLY_TEST_SERVER,
            resolver=resolver,
        )
    assert allowed_server.url("/start") in str(refused.value)
    assert location.split("/")[2].split(":")[0].strip("[]") in str(refused.value)
    assert allowed_server.requested == ["/start", "/middle"]
    assert private_server.requested == []


def test_redirect_within_allowed_hosts_is_followed(serve, session) -> None:
    server = serve()
    server.routes["/old"] = redirect("/new", 308)
    server.routes["/new"] = html(ARTICLE_HTML)
    page = fetch_page(
        server.url("/old"), session, max_bytes=100_000, allowed_networks=ONLY_TEST_SERVER
    )
    assert page.url == server.url("/old")
    assert page.final_url == server.url("/new")
    assert "Kharkiv" in page.text


def test_connection_goes_to_the_checked_address_not_a_second_lookup(serve, session) -> None:
    server = serve()
    server.routes["/article"] = html(ARTICLE_HTML)
    # ".invalid" never resolves in real DNS: success proves the socket used our answer.
    page = fetch_page(
        f"http://news.invalid:{server.port}/article",
        session,
        max_bytes=100_000,
        allow_private=True,
        resolver=lambda host, port: ["127.0.0.1"] if host == "news.invalid" else [],
    )
    assert "Odesa" in page.text


def test_dns_rebinding_to_loopback_is_refused_at_connect_time(serve, session) -> None:
    server = serve()
    server.routes["/article"] = html(ARTICLE_HTML)
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    lookups: list[str] = []

    def rebinding_resolver(host: str, port: int) -> Sequence[str]:
        lookups.append(host)
        return next(answers, ["127.0.0.1"])

    with pytest.raises(URLRefusedError, match="loopback"):
        fetch_page(
            f"http://rebind.invalid:{server.port}/article",
            session,
            max_bytes=100_000,
            resolver=rebinding_resolver,
        )
    assert lookups == ["rebind.invalid", "rebind.invalid"]
    assert server.requested == []


def test_a_name_with_one_private_address_among_public_ones_is_refused() -> None:
    policy = AddressPolicy.build(resolver=lambda host, port: ["93.184.216.34", "10.1.1.1"])
    with pytest.raises(URLRefusedError, match=r"10\.1\.1\.1"):
        check_url("https://mixed.invalid/news", policy)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.9.9.9",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.251",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "2002:a00:1::",
        "64:ff9b::a9fe:a9fe",
    ],
)
def test_non_public_addresses_have_a_refusal_reason(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a", "file:///etc/passwd", "http:///nohost", "http://u:p@x.com/"]
)
def test_only_plain_http_and_https_urls_are_fetched(url: str) -> None:
    policy = AddressPolicy.build(resolver=lambda host, port: ["93.184.216.34"])
    with pytest.raises(URLRefusedError):
        check_url(url, policy)


def test_a_server_that_does_not_answer_in_time_is_a_fetch_error(serve, session) -> None:
    server = serve()

    def slow(handler: Handler) -> Response:
        server.release.wait(10)
        return 200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode()

    server.routes["/slow"] = slow
    with pytest.raises(FetchError, match="timed out") as failed:
        fetch_page(
            server.url("/slow"), session, max_bytes=100_000, read_timeout_s=0.3, allow_private=True
        )
    assert not isinstance(failed.value, URLRefusedError)
    assert server.url("/slow") in str(failed.value)


def test_more_than_five_redirects_is_a_fetch_error(serve, session) -> None:
    server = serve()
    for hop in range(10):
        server.routes[f"/loop/{hop}"] = redirect(f"/loop/{hop + 1}")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_page(server.url("/loop/0"), session, max_bytes=100_000, allow_private=True)
    assert server.requested == [f"/loop/{hop}" for hop in range(6)]


def test_exactly_five_redirects_are_followed(serve, session) -> None:
    server = serve()
    for hop in range(5):
        server.routes[f"/loop/{hop}"] = redirect(f"/loop/{hop + 1}")
    server.routes["/loop/5"] = html(ARTICLE_HTML)
    page = fetch_page(server.url("/loop/0"), session, max_bytes=100_000, allow_private=True)
    assert page.final_url == server.url("/loop/5")


def test_a_page_larger_than_the_limit_is_refused(serve, session) -> None:
    server = serve()
    big = ARTICLE_HTML.encode() + b"<!--" + b"x" * 300_000 + b"-->"
    server.routes["/declared"] = html(big)
    # No Content-Length: the body ends when the server closes the connection.
    server.routes["/undeclared"] = lambda _h: (200, {"Content-Type": "text/html"}, big)
    for path in ("/declared", "/undeclared"):
        with pytest.raises(FetchError, match="size limit of 100,000 bytes"):
            fetch_page(server.url(path), session, max_bytes=100_000, allow_private=True)


def test_html_without_article_text_is_an_input_error(serve, session) -> None:
    server = serve()
    server.routes["/empty"] = html(NO_ARTICLE_HTML)
    with pytest.raises(InputError, match="no article text") as failed:
        fetch_page(server.url("/empty"), session, max_bytes=100_000, allow_private=True)
    assert not isinstance(failed.value, FetchError)


def test_binary_content_is_refused(serve, session) -> None:
    server = serve()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    server.routes["/image.png"] = html(png, "image/png")
    server.routes["/lying.html"] = html(png, "text/html")
    with pytest.raises(FetchError, match="image/png"):
        fetch_page(server.url("/image.png"), session, max_bytes=100_000, allow_private=True)
    with pytest.raises(InputError, match="binary"):
        fetch_page(server.url("/lying.html"), session, max_bytes=100_000, allow_private=True)


def test_http_error_status_is_a_fetch_error(serve, session) -> None:
    server = serve()
    with pytest.raises(FetchError, match="404"):
        fetch_page(server.url("/missing"), session, max_bytes=100_000, allow_private=True)


def test_legacy_encoding_is_decoded_from_the_meta_charset(serve, session) -> None:
    server = serve()
    page_html = ARTICLE_HTML.replace("<head>", '<head><meta charset="windows-1251">').replace(
        "Russian forces shelled", "Війська обстріляли Харків; Russian forces shelled"
    )
    server.routes["/cp1251"] = html(page_html.encode("windows-1251"), "text/html")
    page = fetch_page(server.url("/cp1251"), session, max_bytes=100_000, allow_private=True)
    assert "Війська обстріляли Харків" in page.text


def test_plain_text_pages_are_taken_as_they_are(serve, session) -> None:
    server = serve()
    server.routes["/article.txt"] = html("Kharkiv was shelled.\nOdesa was quiet.\n", "text/plain")
    page = fetch_page(server.url("/article.txt"), session, max_bytes=1000, allow_private=True)
    assert page.text == "Kharkiv was shelled.\nOdesa was quiet."
    assert (page.title, page.date) == (None, None)


def test_a_page_without_content_type_must_look_like_html(serve, session) -> None:
    server = serve()
    server.routes["/untyped.html"] = lambda _h: (200, {}, ARTICLE_HTML.encode())
    server.routes["/untyped.bin"] = lambda _h: (200, {}, b"PK\x03\x04 zip archive " * 50)
    page = fetch_page(server.url("/untyped.html"), session, max_bytes=100_000, allow_private=True)
    assert "Kharkiv" in page.text
    with pytest.raises(FetchError, match="no content type"):
        fetch_page(server.url("/untyped.bin"), session, max_bytes=100_000, allow_private=True)


def test_credentials_do_not_follow_a_redirect_to_another_host(serve, session) -> None:
    first = serve("127.0.0.1")
    second = serve("127.0.0.2")
    first.routes["/start"] = redirect(second.url("/article"))
    second.routes["/article"] = html(ARTICLE_HTML)
    session.headers["Authorization"] = "Bearer for-the-first-host-only"
    fetch_page(first.url("/start"), session, max_bytes=100_000, allow_private=True)
    assert first.headers[0].get("Authorization") == "Bearer for-the-first-host-only"
    assert "Authorization" not in second.headers[0]
    assert second.headers[0]["User-Agent"] == "frontline-tests"


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=news.invalid", "-addext", "subjectAltName=DNS:news.invalid",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_https_is_pinned_to_the_checked_address_and_verified_by_name(
    serve, session, tls_files
) -> None:
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = serve("127.0.0.1", context)
    server.routes["/article"] = html(ARTICLE_HTML)
    session.verify = str(cert)
    resolver = {"news.invalid": ["127.0.0.1"], "other.invalid": ["127.0.0.1"]}
    page = fetch_page(
        f"https://news.invalid:{server.port}/article",
        session,
        max_bytes=100_000,
        allow_private=True,
        resolver=lambda host, port: resolver.get(host, []),
    )
    assert page.title == "Shelling near Kharkiv"
    # Same address, a name the certificate does not cover: TLS still checks the name.
    with pytest.raises(FetchError, match="TLS connection failed"):
        fetch_page(
            f"https://other.invalid:{server.port}/article",
            session,
            max_bytes=100_000,
            allow_private=True,
            resolver=lambda host, port: resolver.get(host, []),
        )


@pytest.mark.parametrize(
    "url",
    ["http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://[::1]/", "http://localhost/"],
)
def test_numeric_and_named_spellings_of_loopback_are_refused_by_the_system_resolver(
    url: str,
) -> None:
    with pytest.raises(URLRefusedError, match="loopback"):
        check_url(url, AddressPolicy.build())
