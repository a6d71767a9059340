"""The one network policy every outbound request goes through: ``fetch_bytes(url, policy)``.

Every download (an article link, a snapshot, a country file, a geocoder answer) holds to a
``NetworkPolicy``'s three limits, and each one hit is one error line that names it:

- **addresses**: private, loopback, link-local (cloud metadata at 169.254.169.254 included),
  multicast, reserved and unspecified addresses are refused, on the first request and on
  every redirect, unless the settings allow them (``URLRefusedError``);
- **time**: one wall-clock budget for the whole download (look-ups, connecting, TLS, headers,
  every redirect, the body). A timer shuts the socket down when it runs out, so a server
  dripping a byte every two seconds or a header a second is cut off on time, where a
  per-read timeout never fires: each read gets its byte (``FetchLimitError``);
- **size**: at most ``max_bytes`` of body, decompressed; a larger Content-Length is refused
  before reading (``FetchLimitError``).

The address is checked twice on every hop: before the request (a refusal naming the URL) and
inside the connection, which connects to exactly the addresses it has just checked, so a name
that resolves to a public address first and to 127.0.0.1 next (DNS rebinding) is refused.
Environment proxies are not used: a proxy resolves the name itself, out of reach of the check.
Article pages (``frontline.webpage``) are ``fetch_bytes`` plus decoding and extraction.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from frontline.errors import (
    FetchError,
    FetchLimitError,
    FetchStatusError,
    InputError,
    URLRefusedError,
)
from frontline.settings import DEFAULT_USER_AGENT, Settings

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the addresses the host resolves to, as strings ("93.184.216.34", "::1").
Resolver = Callable[[str, int], Sequence[str]]
Clock = Callable[[], float]

MAX_REDIRECTS = 5
DEFAULT_TOTAL_TIMEOUT_S = 10.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_MAX_BYTES = 2_000_000
TIMEOUT_SETTING = "FRONTLINE_HTTP_TIMEOUT_S"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024


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


def _resolve_within(resolver: Resolver, host: str, port: int, seconds: float) -> Sequence[str]:
    """``resolver(host, port)``, given up after ``seconds``: a name server that never answers
    must not outlast the download's budget. The look-up thread is left to finish alone."""
    answers: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def look_up() -> None:
        try:
            answers.put((True, resolver(host, port)))
        except BaseException as error:  # handed over to the waiting thread, raised there
            answers.put((False, error))

    threading.Thread(target=look_up, name=f"resolve {host}", daemon=True).start()
    try:
        succeeded, value = answers.get(timeout=max(seconds, 0.0))
    except queue.Empty:
        raise TimeoutError(f"no address for {host!r} within {seconds:.1f} s") from None
    if not succeeded:
        raise value
    return list(value)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses a fetch may connect to.

    ``allowed_networks`` are always allowed (an operator's intranet news server, or a test
    server on one loopback address while the rest of loopback stays refused).
    ``trusted_hosts`` are host names whose addresses are not checked at all: a server the
    operator configured (a geocoder on the intranet), never one taken from an article.
    """

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()
    resolver: Resolver = system_resolver
    trusted_hosts: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        *,
        allow_private: bool = False,
        allowed_networks: Iterable[str] = (),
        resolver: Resolver | None = None,
        trusted_hosts: Iterable[str] = (),
    ) -> AddressPolicy:
        try:
            networks = tuple(ipaddress.ip_network(n, strict=False) for n in allowed_networks)
        except ValueError as error:
            raise InputError(f"invalid allowed network: {error}") from error
        trusted = frozenset(host.strip("[]").lower() for host in trusted_hosts if host)
        return cls(allow_private, networks, resolver or system_resolver, trusted)

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

    def allowed_addresses(
        self, host: str, port: int, url: str, *, within_s: float | None = None
    ) -> tuple[str, ...]:
        """Resolve ``host`` once and return its addresses, refusing if any is not allowed.

        Refusing on any (not all) disallowed address keeps a name with one public and one
        private record from reaching the private one through the socket's fallback order.
        ``within_s`` bounds the look-up (``TimeoutError`` after it).
        """
        bare_host = host.strip("[]")
        if within_s is None:
            addresses = self.resolver(bare_host, port)
        else:
            addresses = _resolve_within(self.resolver, bare_host, port, within_s)
        if not addresses:
            raise FetchError(f"cannot fetch {url}: host {host!r} has no address")
        if bare_host.lower() in self.trusted_hosts:
            return tuple(addresses)
        return tuple(str(self.check_address(address, url)) for address in addresses)


def check_url(
    url: str, policy: AddressPolicy, *, shown_as: str | None = None, within_s: float | None = None
) -> tuple[str, ...]:
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
    return policy.allowed_addresses(parts.hostname, port, shown, within_s=within_s)


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """The limits of one download: where it may connect, how long it may take in all (wall
    clock, every redirect included), how many bytes it may read, how many redirects.

    ``time_setting``/``size_setting`` name the settings that raise the limits, for messages.
    ``user_agent`` is sent when the caller passes no session of its own.
    """

    addresses: AddressPolicy = field(default_factory=AddressPolicy)
    total_timeout_s: float = DEFAULT_TOTAL_TIMEOUT_S
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    user_agent: str = DEFAULT_USER_AGENT
    time_setting: str | None = None
    size_setting: str | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        max_bytes: int | None = None,
        total_timeout_s: float | None = None,
        trusted_hosts: Iterable[str] = (),
        resolver: Resolver | None = None,
    ) -> NetworkPolicy:
        """The settings' address rules and time budget (``FRONTLINE_HTTP_TIMEOUT_S``), with
        ``max_bytes`` for what is downloaded (default: the article limit) and an optional
        budget of its own for a download known to be larger (a country file)."""
        total = settings.http_timeout_s if total_timeout_s is None else total_timeout_s
        return cls(
            addresses=AddressPolicy.build(
                allow_private=settings.allow_private_urls,
                allowed_networks=settings.allowed_networks,
                resolver=resolver,
                trusted_hosts=trusted_hosts,
            ),
            total_timeout_s=total,
            connect_timeout_s=min(DEFAULT_CONNECT_TIMEOUT_S, total),
            max_bytes=settings.max_article_bytes if max_bytes is None else max_bytes,
            user_agent=settings.user_agent,
            time_setting=TIMEOUT_SETTING if total_timeout_s is None else None,
            size_setting="FRONTLINE_MAX_ARTICLE_BYTES" if max_bytes is None else None,
        )

    def time_limit_error(self, url: str) -> FetchLimitError:
        hint = f" ({self.time_setting})" if self.time_setting else ""
        return FetchLimitError(
            f"cannot fetch {url}: no complete answer within the time limit of "
            f"{self.total_timeout_s:g} s{hint}",
            limit="time",
        )

    def size_limit_error(self, url: str, size: int | None = None) -> FetchLimitError:
        hint = f" ({self.size_setting})" if self.size_setting else ""
        what = f"{size:,} bytes, more" if size is not None else "more"
        return FetchLimitError(
            f"cannot fetch {url}: {what} than the size limit of {self.max_bytes:,} bytes{hint}",
            limit="size",
        )


@dataclass(frozen=True, slots=True)
class Download:
    """What ``fetch_bytes`` got: the body of the last hop, its status and headers."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")


class _Deadline:
    """One download's wall-clock budget. When it runs out, a timer shuts down every socket
    the download opened, which ends whatever read, connect or TLS handshake is waiting.

    Each socket is watched through a duplicate of its descriptor, taken before TLS wraps
    (and detaches) it: shutting the duplicate down ends the connection, and holding it means
    the descriptor cannot be reused by an unrelated socket before the timer fires.
    """

    def __init__(self, seconds: float, clock: Clock) -> None:
        self.seconds = seconds
        self._clock = clock
        self._ends_at = clock() + seconds
        self._expired = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:
            for watched in self._sockets:
                watched.close()
            self._sockets.clear()

    @property
    def expired(self) -> bool:
        return self._expired.is_set() or self._clock() >= self._ends_at

    def remaining(self) -> float:
        return max(0.0, self._ends_at - self._clock())

    def watch(self, sock: socket.socket) -> None:
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            if self._expired.is_set():
                _shut_down(duplicate)

    def _expire(self) -> None:
        self._expired.set()
        with self._lock:
            for watched in self._sockets:
                _shut_down(watched)


def _shut_down(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        sock.shutdown(socket.SHUT_RDWR)


class _PinnedConnectionMixin:
    """Connects only to addresses the policy has just approved for this very connection,
    within what is left of the download's budget, and puts the socket under its deadline."""

    address_policy: ClassVar[AddressPolicy]
    deadline: ClassVar[_Deadline]
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        shown = f"a connection to {self.host}:{self.port}"
        try:
            addresses = self.address_policy.allowed_addresses(
                self.host, self.port, shown, within_s=self.deadline.remaining()
            )
        except TimeoutError as error:
            raise ConnectTimeoutError(self, str(error)) from error
        last_error: OSError | None = None
        for address in addresses:
            budget = self.deadline.remaining()
            timeout = min(self.timeout, budget) if isinstance(self.timeout, int | float) else budget
            if timeout <= 0:
                raise ConnectTimeoutError(self, f"no time left to connect to {self.host}")
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port),
                    timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(
                    self, f"connection to {self.host} timed out (timeout={timeout:g})"
                ) from error
            except OSError as error:
                last_error = error
                continue
            self.deadline.watch(sock)
            return sock
        raise NewConnectionError(
            self,  # type: ignore[arg-type]
            f"failed to establish a new connection: {last_error}",
        )


class _PinnedAdapter(HTTPAdapter):
    """A requests adapter whose sockets go only where ``policy`` allows (see module doc)."""

    def __init__(self, policy: AddressPolicy, deadline: _Deadline) -> None:
        self._policy = policy
        self._deadline = deadline
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        attributes = {"address_policy": self._policy, "deadline": self._deadline}
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


def _translate(
    error: Exception, url: str, deadline: _Deadline, policy: NetworkPolicy
) -> FetchError:
    # A socket shut down by the deadline surfaces as a dropped connection or a short body:
    # the deadline, not the symptom, is what the reader needs to hear about.
    if deadline.expired:
        return policy.time_limit_error(url)
    if isinstance(error, requests.Timeout):
        return FetchError(f"cannot fetch {url}: timed out (no answer in time)")
    if isinstance(error, requests.exceptions.SSLError):
        return FetchError(
            f"cannot fetch {url}: the TLS connection failed (certificate or protocol)"
        )
    if isinstance(error, requests.ConnectionError):
        return FetchError(f"cannot fetch {url}: could not connect ({error.__class__.__name__})")
    return FetchError(f"cannot fetch {url}: {error.__class__.__name__}: {error}")


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _read_body(
    response: requests.Response, url: str, policy: NetworkPolicy, deadline: _Deadline
) -> bytes:
    declared_length = response.headers.get("Content-Length", "").strip()
    if declared_length.isdigit() and int(declared_length) > policy.max_bytes:
        raise policy.size_limit_error(url, int(declared_length))
    body = bytearray()
    for chunk in response.iter_content(_CHUNK_BYTES):
        body.extend(chunk)
        if len(body) > policy.max_bytes:
            raise policy.size_limit_error(url)
        if deadline.expired:
            raise policy.time_limit_error(url)
    # Without a Content-Length, a socket the deadline shut down looks like the body's end.
    if deadline.expired:
        raise policy.time_limit_error(url)
    return bytes(body)


def fetch_bytes(
    url: str,
    policy: NetworkPolicy,
    *,
    session: requests.Session | None = None,
    accept: Collection[str] | None = None,
    raise_for_status: bool = True,
    headers: Mapping[str, str] | None = None,
    read_timeout_s: float | None = None,
    clock: Clock = time.monotonic,
) -> Download:
    """GET ``url`` under ``policy``: the one way this project downloads anything.

    Redirects are followed (at most ``policy.max_redirects``), each hop checked like the
    first. ``accept`` lists the media types wanted: a response declaring another is refused
    before its body is read (one with no Content-Type passes). With ``raise_for_status``
    false, an error status is returned rather than raised (a geocoder's 429 and its
    Retry-After). ``session`` lends its headers (User-Agent), cookies, TLS verification and
    client certificate; its adapters and proxies are never used (see the module doc).
    ``headers`` are added to this request's. ``read_timeout_s`` caps a single read below the
    total budget.

    Raises URLRefusedError (address), FetchLimitError (time or size), FetchStatusError (an
    HTTP error status) or FetchError (unreachable, TLS, too many redirects).
    """
    request = _Request(url, policy, accept, raise_for_status, dict(headers or {}), read_timeout_s)
    own_session = session is None
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = policy.user_agent
    try:
        with _Deadline(policy.total_timeout_s, clock) as deadline:
            adapter = _PinnedAdapter(policy.addresses, deadline)
            try:
                return _follow(request, session, adapter, deadline)
            finally:
                adapter.close()
    finally:
        if own_session:
            session.close()


@dataclass(frozen=True, slots=True)
class _Request:
    url: str
    policy: NetworkPolicy
    accept: Collection[str] | None
    raise_for_status: bool
    headers: dict[str, str]
    read_timeout_s: float | None


def _follow(
    request: _Request, session: requests.Session, adapter: _PinnedAdapter, deadline: _Deadline
) -> Download:
    """Each hop: check the address, send, follow a redirect or read the answer."""
    url, policy = request.url, request.policy
    current_url = url
    for _hop in range(policy.max_redirects + 1):
        if deadline.expired:
            raise policy.time_limit_error(url)
        shown = url if current_url == url else f"{url} (redirected to {current_url})"
        try:
            check_url(current_url, policy.addresses, shown_as=shown, within_s=deadline.remaining())
        except TimeoutError:
            raise policy.time_limit_error(url) from None
        response, prepared = _send(request, session, adapter, current_url, deadline)
        with response:
            extract_cookies_to_jar(session.cookies, prepared, response.raw)
            if response.status_code in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"cannot fetch {url}: a redirect without a Location")
                current_url = urljoin(current_url, location)
                logger.info("%s redirects to %s", prepared.url, current_url)
                continue
            if request.raise_for_status and response.status_code != 200:
                raise FetchStatusError(
                    f"cannot fetch {url}: HTTP status {response.status_code}",
                    status=response.status_code,
                )
            media_type = _media_type(response.headers.get("Content-Type"))
            if request.accept is not None and media_type and media_type not in request.accept:
                wanted = " or ".join(sorted(request.accept))
                raise FetchError(f"cannot fetch {url}: it is {media_type}, not {wanted}")
            try:
                body = _read_body(response, url, policy, deadline)
            except requests.RequestException as error:
                raise _translate(error, url, deadline, policy) from error
            headers = CaseInsensitiveDict(response.headers)
            return Download(url, current_url, response.status_code, headers, body)
    raise FetchError(f"cannot fetch {url}: more than {policy.max_redirects} redirects")


def _send(
    request: _Request,
    session: requests.Session,
    adapter: _PinnedAdapter,
    current_url: str,
    deadline: _Deadline,
) -> tuple[requests.Response, requests.PreparedRequest]:
    prepared = session.prepare_request(
        requests.Request("GET", current_url, headers=request.headers)
    )
    if urlsplit(current_url).hostname != urlsplit(request.url).hostname:
        # Credentials meant for the first host do not follow a redirect elsewhere.
        prepared.headers.pop("Authorization", None)
    remaining = deadline.remaining()
    per_read = remaining if request.read_timeout_s is None else request.read_timeout_s
    try:
        response = adapter.send(
            prepared,
            stream=True,
            timeout=(
                min(request.policy.connect_timeout_s, remaining),
                max(min(per_read, remaining), 0.001),
            ),
            verify=session.verify,
            cert=session.cert,
            proxies={},
        )
    except requests.RequestException as error:
        raise _translate(error, request.url, deadline, request.policy) from error
    return response, prepared
