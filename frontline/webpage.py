"""An article from a web page: fetched under the network policy, decoded, reduced to its text.

The download is ``frontline.fetch.fetch_bytes`` (address checks on every hop, one wall-clock
budget, a size cap); this module only decides what the bytes are (HTML, plain text, UTF-16,
or binary to refuse) and asks trafilatura for the main text, title and date.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

import charset_normalizer
import requests
import trafilatura

from frontline.article import MIN_HTML_ARTICLE_WORDS, utf16_encoding
from frontline.errors import FetchError, InputError
from frontline.fetch import (
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_TOTAL_TIMEOUT_S,
    MAX_REDIRECTS,
    AddressPolicy,
    Clock,
    NetworkPolicy,
    Resolver,
    fetch_bytes,
)
from frontline.settings import Settings

logger = logging.getLogger(__name__)

HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PLAIN_TEXT_TYPE = "text/plain"
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


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def extract_article(html: str, url: str) -> tuple[str, str | None, dt.date | None]:
    """The main text, title and date of an HTML page, or InputError if it has no article
    (a page whose only text is its menu, "Home About", has none)."""
    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as error:  # trafilatura/lxml raise assorted types on broken markup
        raise InputError(f"{url}: the page could not be parsed as HTML ({error})") from error
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if len(text.split()) < MIN_HTML_ARTICLE_WORDS:
        raise InputError(f"{url}: no article text found in the page")
    title = (getattr(document, "title", None) or "").strip() or None
    return text, title, _parse_date(getattr(document, "date", None))


def _decode_page(body: bytes, content_type: str | None, url: str) -> str:
    # UTF-16 is full of NUL bytes, so it is recognised before the binary check refuses them.
    declared = (_charset(content_type) or "").lower().replace("_", "-")
    wide = utf16_encoding(body) or ("utf-16" if declared.startswith("utf-16") else None)
    if wide is not None:
        try:
            return body.decode(wide)
        except UnicodeDecodeError as error:
            raise InputError(f"{url}: not valid UTF-16 text ({error.reason})") from error
    if b"\x00" in body[:_BINARY_SNIFF_BYTES]:
        raise InputError(f"{url}: the page is binary data, not text")
    return decode_html(body, content_type, url)


def _page_from_body(url: str, final_url: str, body: bytes, content_type: str | None) -> FetchedPage:
    decoded = _decode_page(body, content_type, url)
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


def fetch_page(
    url: str,
    session: requests.Session,
    *,
    max_bytes: int,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    read_timeout_s: float | None = None,
    total_timeout_s: float = DEFAULT_TOTAL_TIMEOUT_S,
    allow_private: bool = False,
    allowed_networks: Iterable[str] = (),
    max_redirects: int = MAX_REDIRECTS,
    resolver: Resolver | None = None,
    clock: Clock = time.monotonic,
) -> FetchedPage:
    """Download an article page under a policy built from these limits, and extract it.

    Raises URLRefusedError, FetchError (FetchLimitError for a limit), or InputError when the
    page holds no article text.
    """
    policy = NetworkPolicy(
        addresses=AddressPolicy.build(
            allow_private=allow_private, allowed_networks=allowed_networks, resolver=resolver
        ),
        total_timeout_s=total_timeout_s,
        connect_timeout_s=connect_timeout_s,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
    )
    return fetch_policed_page(url, session, policy, read_timeout_s=read_timeout_s, clock=clock)


def fetch_policed_page(
    url: str,
    session: requests.Session | None,
    policy: NetworkPolicy,
    *,
    read_timeout_s: float | None = None,
    clock: Clock = time.monotonic,
) -> FetchedPage:
    """An article page fetched under ``policy``: HTML or plain text, reduced to its text."""
    download = fetch_bytes(
        url,
        policy,
        session=session,
        accept=HTML_CONTENT_TYPES | {PLAIN_TEXT_TYPE},
        read_timeout_s=read_timeout_s,
        clock=clock,
    )
    return _page_from_body(url, download.final_url, download.body, download.content_type)


def fetch_article_page(
    url: str,
    session: requests.Session,
    settings: Settings,
    *,
    resolver: Resolver | None = None,
) -> FetchedPage:
    """An article page under the settings' policy: their address rules, the article size
    limit and ``FRONTLINE_HTTP_TIMEOUT_S`` for the whole download."""
    policy = NetworkPolicy.from_settings(settings, resolver=resolver)
    return fetch_policed_page(url, session, policy)
