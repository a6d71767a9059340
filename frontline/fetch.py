"""Fetch an article from a URL and reduce it to its main text, title and date.

The download is ours (``requests``), never trafilatura's: only then can every hop be limited
in size and time and checked against the address policy. The policy refuses private,
loopback, link-local (cloud metadata at 169.254.169.254 included), multicast, reserved and
unspecified addresses unless the settings allow them.

The address is checked twice on every hop: once before the request (a clear refusal naming
the URL) and again inside the connection, which connects to exactly the addresses it has just
checked. That second check pins the socket to a vetted address, so a name that resolves to a
public address for the first look-up and to 127.0.0.1 for the second (DNS rebinding) is still
refused. Environment proxies are deliberately not used: a proxy resolves the name itself, out
of reach of the check.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import requests
import trafilatura
from requests.adapters import HTTPAdapter
from requests.cookies import extract_cookies_to_jar
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from frontline.errors import FetchError, InputError, URLRefusedError
from frontline.settings import Settings

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the addresses the host resolves to, as strings ("93.184.216.34", "::1").
Resolver = Callable[[str, int], Sequence[str]]
Clock = Callable[[], float]

MAX_REDIRECTS = 5
HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PLAIN_TEXT_TYPE = "text/plain"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024
_BINARY_SNIFF_BYTES = 8 * 1024
_HTML_SNIFF = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A fetched article: ``html`` is the page as downloaded, decoded (for a text/plain page,
    that text); ``text`` is its main text, which article offsets will refer to."""

    url: str
    final_url: str
    html: str
    text: str
    title: str | None
    date: dt.date | None


def system_resolver(host: str, port: int) -> Sequence[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve host {host!r}: {error}") from error
    addresses: list[str] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id ("fe80::1%eth0")
        if address not in addresses:
            addresses.append(address)
    return addresses


_NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


def refusal_reason(address: IPAddress) -> str | None:
    """Why a fetch must not connect to ``address``, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address wrapped in IPv6 reaches that IPv4 host: judge the IPv4 address.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal_reason(embedded)
        if address.teredo is not None:
            return "a Teredo tunnel address"
        if address.is_site_local:
            return "a site-local address"
    checks = (
        ("an unspecified address", address.is_unspecified),
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
        ("not a globally routable address", not address.is_global),
    )
    return next((reason for reason, applies in checks if applies), None)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses a fetch may connect to.

    ``allowed_networks`` are always allowed (an operator's intranet news server, or a test
    server on one loopback address while the rest of loopback stays refused).
    """

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()
    resolver: Resolver = system_resolver

    @classmethod
    def build(
        cls,
        *,
        allow_private: bool = False,
        allowed_networks: Iterable[str] = (),
        resolver: Resolver | None = None,
    ) -> AddressPolicy:
        try:
            networks = tuple(ipaddress.ip_network(n, strict=False) for n in allowed_networks)
        except ValueError as error:
            raise InputError(f"invalid allowed network: {error}") from error
        return cls(allow_private, networks, resolver or system_resolver)

    def check_address(self, address: str, url: str) -> IPAddress:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError as error:
            raise URLRefusedError(f"refused {url}: {address!r} is not an IP address") from error
        if self.allow_private or any(parsed in network for network in self.allowed_networks):
            return parsed
        reason = refusal_reason(parsed)
        if reason is not None:
            raise URLRefusedError(
                f"refused {url}: it resolves to {parsed}, {reason} "
                "(set FRONTLINE_ALLOW_PRIVATE_URLS=1 to allow)"
            )
        return parsed

    def allowed_addresses(self, host: str, port: int, url: str) -> tuple[str, ...]:
        """Resolve ``host`` once and return its addresses, refusing if any is not allowed.

        Refusing on any (not all) disallowed address keeps a name with one public and one
        private record from reaching the private one through the socket's fallback order.
        """
        addresses = self.resolver(host.strip("[]"), port)
        if not addresses:
            raise FetchError(f"cannot fetch {url}: host {host!r} has no address")
        return tuple(str(self.check_address(address, url)) for address in addresses)


def check_url(url: str, policy: AddressPolicy, *, shown_as: str | None = None) -> tuple[str, ...]:
    """Refuse ``url`` unless it is http(s) with a host whose every address the policy allows.

    ``shown_as`` names the URL in messages (the URL the user gave, for a redirect hop).
    """
    shown = shown_as or url
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise URLRefusedError(f"refused {shown}: only http and https URLs can be fetched")
    if not parts.hostname:
        raise URLRefusedError(f"refused {shown}: the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise URLRefusedError(f"refused {shown}: URLs with credentials are not fetched")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as error:
        raise URLRefusedError(f"refused {shown}: {error}") from error
    return policy.allowed_addresses(parts.hostname, port, shown)


class _PinnedConnectionMixin:
    """Connects only to addresses the policy has just approved for this very connection."""

    address_policy: ClassVar[AddressPolicy]
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        shown = f"a connection to {self.host}:{self.port}"
        addresses = self.address_policy.allowed_addresses(self.host, self.port, shown)
        last_error: OSError | None = None
        for address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(
                    self, f"connection to {self.host} timed out (timeout={self.timeout})"
                ) from error
            except OSError as error:
                last_error = error
        raise NewConnectionError(
            self,  # type: ignore[arg-type]
            f"failed to establish a new connection: {last_error}",
        )


class _PinnedAdapter(HTTPAdapter):
    """A requests adapter whose sockets go only where ``policy`` allows (see module doc)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        attributes = {"address_policy": self._policy}
        http_connection = type(
            "PinnedHTTPConnection", (_PinnedConnectionMixin, HTTPConnection), attributes
        )
        https_connection = type(
            "PinnedHTTPSConnection", (_PinnedConnectionMixin, HTTPSConnection), attributes
        )
        self.poolmanager.pool_classes_by_scheme = {
            "http": type(
                "PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_connection}
            ),
            "https": type(
                "PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_connection}
            ),
        }


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _charset(content_type: str | None) -> str | None:
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def decode_html(body: bytes, content_type: str | None, url: str) -> str:
    """Decode with the declared charset (header, then <meta>), else detect it."""
    declared = [_charset(content_type)]
    meta = _META_CHARSET.search(body[:4096])
    if meta is not None:
        declared.append(meta.group(1).decode("ascii", "ignore"))
    for encoding in declared:
        if not encoding:
            continue
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            logger.info("%s: declared charset %r does not decode the page", url, encoding)
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        raise InputError(f"{url}: the page is not text in any encoding that could be detected")
    return str(best)


def read_limited(
    response: requests.Response, url: str, max_bytes: int, deadline: float, clock: Clock
) -> bytes:
    """The body of a streamed response, refused past ``max_bytes`` or past ``deadline`` (on
    ``clock``): every download of the project reads through here (articles, snapshots)."""
    declared_length = response.headers.get("Content-Length", "")
    if declared_length.isdigit() and int(declared_length) > max_bytes:
        raise FetchError(
            f"cannot fetch {url}: the page is {int(declared_length)} bytes, "
            f"larger than the limit of {max_bytes} bytes"
        )
    body = bytearray()
    for chunk in response.iter_content(_CHUNK_BYTES):
        body.extend(chunk)
        if len(body) > max_bytes:
            raise FetchError(
                f"cannot fetch {url}: the page is larger than the limit of {max_bytes} bytes"
            )
        # A server dripping one byte per read timeout would otherwise hold the fetch forever.
        if clock() > deadline:
            raise FetchError(f"cannot fetch {url}: the download took too long")
    return bytes(body)


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def extract_article(html: str, url: str) -> tuple[str, str | None, dt.date | None]:
    """The main text, title and date of an HTML page, or InputError if it has no article."""
    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as error:  # trafilatura/lxml raise assorted types on broken markup
        raise InputError(f"{url}: the page could not be parsed as HTML ({error})") from error
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if not text:
        raise InputError(f"{url}: no article text found in the page")
    title = (getattr(document, "title", None) or "").strip() or None
    return text, title, _parse_date(getattr(document, "date", None))


def _translate(error: requests.RequestException, url: str) -> FetchError:
    if isinstance(error, requests.Timeout):
        return FetchError(f"cannot fetch {url}: timed out")
    if isinstance(error, requests.exceptions.SSLError):
        return FetchError(
            f"cannot fetch {url}: the TLS connection failed (certificate or protocol)"
        )
    if isinstance(error, requests.ConnectionError):
        return FetchError(f"cannot fetch {url}: could not connect ({error.__class__.__name__})")
    return FetchError(f"cannot fetch {url}: {error.__class__.__name__}: {error}")


def _page_from_body(url: str, final_url: str, body: bytes, content_type: str | None) -> FetchedPage:
    if b"\x00" in body[:_BINARY_SNIFF_BYTES]:
        raise InputError(f"{url}: the page is binary data, not text")
    decoded = decode_html(body, content_type, url)
    media_type = _media_type(content_type)
    if media_type == PLAIN_TEXT_TYPE:
        text = decoded.strip()
        if not text:
            raise InputError(f"{url}: no article text found in the page")
        return FetchedPage(url, final_url, decoded, text, None, None)
    if not media_type and not _HTML_SNIFF.search(decoded[:4096]):
        raise FetchError(f"cannot fetch {url}: it declares no content type and is not HTML")
    text, title, date = extract_article(decoded, final_url)
    return FetchedPage(url, final_url, decoded, text, title, date)


@dataclass(frozen=True, slots=True)
class Download:
    """A body fetched under the policy: the URL it came from after redirects, its bytes and
    its declared content type."""

    final_url: str
    body: bytes
    content_type: str | None


def download(
    url: str,
    session: requests.Session,
    *,
    max_bytes: int,
    connect_timeout_s: float = 5.0,
    read_timeout_s: float = 10.0,
    total_timeout_s: float = 30.0,
    allow_private: bool = False,
    allowed_networks: Iterable[str] = (),
    max_redirects: int = MAX_REDIRECTS,
    resolver: Resolver | None = None,
    clock: Clock = time.monotonic,
    check_media_type: Callable[[str], None] | None = None,
) -> Download:
    """GET ``url`` under the network policy: every hop's address checked (and the socket
    pinned to it), at most ``max_redirects`` redirects, ``max_bytes`` and a wall-clock
    deadline of ``total_timeout_s`` for the whole download.

    ``session`` contributes its headers (User-Agent), cookies, TLS verification and client
    certificate; its adapters and proxies are not used (see the module doc).
    ``check_media_type`` may refuse the response's media type before its body is read.
    """
    policy = AddressPolicy.build(
        allow_private=allow_private, allowed_networks=allowed_networks, resolver=resolver
    )
    deadline = clock() + total_timeout_s
    adapter = _PinnedAdapter(policy)
    current_url = url
    try:
        for _hop in range(max_redirects + 1):
            if clock() > deadline:
                raise FetchError(f"cannot fetch {url}: the download took too long")
            shown = url if current_url == url else f"{url} (redirected to {current_url})"
            check_url(current_url, policy, shown_as=shown)
            prepared = session.prepare_request(requests.Request("GET", current_url))
            if urlsplit(current_url).hostname != urlsplit(url).hostname:
                # Credentials meant for the first host do not follow a redirect elsewhere.
                prepared.headers.pop("Authorization", None)
            try:
                response = adapter.send(
                    prepared,
                    stream=True,
                    timeout=(connect_timeout_s, read_timeout_s),
                    verify=session.verify,
                    cert=session.cert,
                    proxies={},
                )
            except requests.RequestException as error:
                raise _translate(error, url) from error
            with response:
                extract_cookies_to_jar(session.cookies, prepared, response.raw)
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(f"cannot fetch {url}: a redirect without a Location")
                    current_url = urljoin(current_url, location)
                    logger.info("%s redirects to %s", prepared.url, current_url)
                    continue
                if response.status_code != 200:
                    raise FetchError(f"cannot fetch {url}: HTTP status {response.status_code}")
                content_type = response.headers.get("Content-Type")
                if check_media_type is not None:
                    check_media_type(_media_type(content_type))
                try:
                    body = read_limited(response, url, max_bytes, deadline, clock)
                except requests.RequestException as error:
                    raise _translate(error, url) from error
            return Download(current_url, body, content_type)
        raise FetchError(f"cannot fetch {url}: more than {max_redirects} redirects")
    finally:
        adapter.close()


def fetch_bytes(url: str, session: requests.Session, **limits: Any) -> bytes:
    """The body at ``url`` (a data file), fetched by ``download`` under the same policy."""
    return download(url, session, **limits).body


def fetch_page(
    url: str,
    session: requests.Session,
    *,
    max_bytes: int,
    **limits: Any,
) -> FetchedPage:
    """Download ``url`` as ``download`` does and extract its article.

    Raises URLRefusedError, FetchError, or InputError when the page holds no article text.
    """

    def only_pages(media_type: str) -> None:
        if media_type and media_type not in {*HTML_CONTENT_TYPES, PLAIN_TEXT_TYPE}:
            raise FetchError(f"cannot fetch {url}: it is {media_type}, not an HTML page")

    fetched = download(url, session, max_bytes=max_bytes, check_media_type=only_pages, **limits)
    return _page_from_body(url, fetched.final_url, fetched.body, fetched.content_type)


def fetch_article_page(
    url: str,
    session: requests.Session,
    settings: Settings,
    *,
    resolver: Resolver | None = None,
) -> FetchedPage:
    """``fetch_page`` with the limits the settings name."""
    return fetch_page(
        url,
        session,
        max_bytes=settings.max_article_bytes,
        connect_timeout_s=min(5.0, settings.http_timeout_s),
        read_timeout_s=settings.http_timeout_s,
        total_timeout_s=3 * settings.http_timeout_s,
        allow_private=settings.allow_private_urls,
        allowed_networks=settings.allowed_networks,
        resolver=resolver,
    )
