"""geopy's HTTP under the project's network policy (``frontline.fetch``).

The geocoder's server is the one the operator configured (``FRONTLINE_GEOCODER_DOMAIN``),
not one taken from an article, so its host is trusted: a Nominatim on the intranet or on
127.0.0.1 is reached even though private addresses are refused. Everything else holds as
for any download: a redirect to another host is checked like an article link, each request
has ``timeout`` seconds in all on the wall clock (not per read), and an answer larger than
``MAX_REPLY_BYTES`` is refused unread (a Nominatim answer for three places is about 3 kB;
one server answered 60,000 results, 67 MB a name).

No retry happens here: geopy's own adapter let urllib3 sleep a 429's ``Retry-After`` for
real, outside the clock passed in; ``OnlineGeocoder`` decides about retries.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import requests
from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter

from frontline.errors import FetchError, FetchLimitError, URLRefusedError
from frontline.fetch import AddressPolicy, Download, NetworkPolicy, fetch_bytes

MAX_REPLY_BYTES = 1_000_000


def geocoder_policy(
    domain: str | None,
    *,
    allow_private: bool = False,
    allowed_networks: tuple[str, ...] = (),
    user_agent: str,
) -> NetworkPolicy:
    """The network policy of geocoder requests: the configured ``domain``'s host trusted."""
    host = urlsplit(f"//{domain}").hostname if domain else None
    return NetworkPolicy(
        addresses=AddressPolicy.build(
            allow_private=allow_private,
            allowed_networks=allowed_networks,
            trusted_hosts=[host] if host else [],
        ),
        max_bytes=MAX_REPLY_BYTES,
        user_agent=user_agent,
        time_setting="FRONTLINE_HTTP_TIMEOUT_S",
    )


class PolicedAdapter(BaseSyncAdapter):
    """A geopy adapter whose every request is ``fetch_bytes`` under ``policy``."""

    is_available = True

    def __init__(self, *, proxies: Any, ssl_context: Any, policy: NetworkPolicy) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.policy = policy
        self.session = requests.Session()
        self.session.headers["User-Agent"] = policy.user_agent

    @classmethod
    def factory(cls, policy: NetworkPolicy) -> Callable[..., PolicedAdapter]:
        """What geopy's ``adapter_factory`` option wants: a callable of proxies and TLS."""

        def make(*, proxies: Any, ssl_context: Any) -> PolicedAdapter:
            return cls(proxies=proxies, ssl_context=ssl_context, policy=policy)

        return make

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        download = self._get(url, timeout, headers)
        return download.body.decode("utf-8", "replace")

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        download = self._get(url, timeout, headers)
        try:
            return json.loads(download.body)
        except ValueError as error:
            raise geopy_exc.GeocoderParseError(f"the answer is not JSON ({error})") from None

    def _get(self, url: str, timeout: float, headers: dict[str, str]) -> Download:
        policy = replace(self.policy, total_timeout_s=timeout, connect_timeout_s=timeout)
        try:
            download = fetch_bytes(
                url, policy, session=self.session, raise_for_status=False, headers=headers
            )
        except FetchLimitError as error:
            if error.limit == "time":
                raise geopy_exc.GeocoderTimedOut(str(error)) from None
            # Named without the URL, which would crowd the limit out of a one-line message.
            raise geopy_exc.GeocoderServiceError(
                f"its answer is larger than the size limit of {policy.max_bytes:,} bytes"
            ) from None
        except URLRefusedError as error:
            raise geopy_exc.GeocoderServiceError(str(error)) from None
        except FetchError as error:
            raise geopy_exc.GeocoderUnavailable(str(error)) from None
        if download.status >= 400:
            text = download.body[:2000].decode("utf-8", "replace")
            raise AdapterHTTPError(
                f"HTTP status {download.status}",
                status_code=download.status,
                headers=download.headers,
                text=text,
            )
        return download

    def __enter__(self) -> PolicedAdapter:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.session.close()
