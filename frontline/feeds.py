"""Feeds that fill the library: RSS and Atom (feedparser), polled on request.

``poll_feeds`` downloads each feed under the network policy, reads the items it has not
seen, fetches each item's page as a link is read (``service.read_input``: the address
policy, size and time limits, trafilatura), geoparses it and keeps it, one item at a time:

- an item seen before (its link already in the library's feed items, from any feed, or its
  text already stored as an article) is not stored twice;
- one item's failure (an unreachable page, a page with no article text) is reported and
  the poll goes on; the item is not recorded, so the next poll tries it again;
- a damaged library (``StoreDamagedError``) ends the poll where it is met: no later item
  could be stored, so none is fetched; the items stored before it stay;
- nothing is half-saved: an item's article, its place counts and its feed item are written
  in one transaction, after everything that can fail.

Feeds live in the library's SQLite file (``feeds``, ``feed_items``; ``FeedStore``).
Polling on a schedule is left to cron or a systemd timer (README).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import feedparser
import requests

from frontline import service
from frontline.errors import FrontlineError, InputError, StoreDamagedError, StoreError
from frontline.fetch import NetworkPolicy, fetch_bytes
from frontline.model import Article, GeoparseResult
from frontline.settings import Settings
from frontline.store import ArticleStore

logger = logging.getLogger(__name__)

# Newest items read from one feed in one poll: a feed with thousands of entries (an
# archive) is read in bounded steps, the newest first.
MAX_ITEMS_PER_FEED = 100

ItemStatus = Literal["added", "known", "failed"]


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    url: str
    title: str | None
    added_at: dt.datetime
    polled_at: dt.datetime | None
    last_error: str | None
    items: int  # feed items kept in the library

    @property
    def label(self) -> str:
        return self.title or self.url


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a parsed feed."""

    link: str
    title: str | None
    published: dt.date | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    url: str
    title: str | None
    items: tuple[FeedItem, ...]


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    feed: Feed
    item: FeedItem
    status: ItemStatus
    article_id: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PollReport:
    outcomes: tuple[ItemOutcome, ...]
    feed_errors: tuple[tuple[Feed, str], ...]

    def count(self, status: ItemStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> bool:
        return bool(self.feed_errors) or self.count("failed") > 0


# Progress: (items done, items to do, the outcome just reached).
Progress = Callable[[int, int, ItemOutcome], None]


# ---------------------------------------------------------------------------- reading


def download_feed(url: str, settings: Settings, session: requests.Session) -> tuple[bytes, str]:
    """The feed's bytes and final URL, under the settings' network policy (the address
    checked on every redirect hop, the size cap, the wall-clock deadline): the one place
    feeds touch the network. Items' pages are read by ``service.read_input``."""
    fetched = fetch_bytes(url, NetworkPolicy.from_settings(settings), session=session)
    return fetched.body, fetched.final_url


def _published(entry: feedparser.FeedParserDict) -> dt.date | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    try:
        return dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
    except (ValueError, AttributeError):
        return None


# Control characters and the bidirectional overrides and isolates: in a title they would
# move a terminal's cursor or show "evil" as "live" on screen.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _text_or_none(value: object) -> str | None:
    """A feed's words on one line, without characters that would disguise them."""
    text = " ".join(_UNPRINTABLE.sub(" ", str(value or "")).split())
    return text or None


def parse_feed(data: bytes, url: str) -> ParsedFeed:
    """An RSS or Atom document's title and items, the newest first as the feed lists them.
    Only bytes are handed to feedparser: given a string it would open it as a URL or file."""
    parsed = feedparser.parse(data, response_headers={"content-location": url})
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        reason = parsed.get("bozo_exception")
        detail = f": {str(reason).splitlines()[0]}" if reason else ""
        raise InputError(f"{url}: not an RSS or Atom feed{detail}")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = str(entry.get("link") or "").strip()
        if not link or link in seen:
            continue
        seen.add(link)
        items.append(FeedItem(link, _text_or_none(entry.get("title")), _published(entry)))
    return ParsedFeed(url, _text_or_none(parsed.feed.get("title")), tuple(items))


def read_feed(url: str, settings: Settings, session: requests.Session) -> ParsedFeed:
    data, final_url = download_feed(url, settings, session)
    return parse_feed(data, final_url)


def item_article(item: FeedItem, settings: Settings, session: requests.Session) -> Article:
    """The item's page, read as any link is; the feed's title and date fill what the page
    lacks (a feed's date is the publisher's own, so it comes first)."""
    if not service.is_url(item.link):
        raise InputError(f"{item.link}: not a web link (http:// or https://)")
    article = service.read_input(item.link, settings, session)
    return replace(
        article,
        title=article.title or item.title,
        date=item.published or article.date,
    )


# ---------------------------------------------------------------------------- storing


class FeedStore:
    """The feeds kept in an article library's file, and the items each brought in."""

    def __init__(self, store: ArticleStore, clock: Callable[[], dt.datetime] | None = None):
        self.store = store
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def add(self, url: str, title: str | None) -> tuple[Feed, bool]:
        """Keep a feed (a URL kept already is not added twice); it, and whether it is new."""
        with self.store.transaction() as connection:
            row = connection.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
            created = row is None
            if created:
                connection.execute(
                    "INSERT INTO feeds (url, title, added_at) VALUES (?, ?, ?)",
                    (url, title, self._clock().isoformat()),
                )
        return self.find(url), created

    def list(self) -> tuple[Feed, ...]:
        with self.store.snapshot() as connection:
            rows = connection.execute(
                "SELECT f.id, f.url, f.title, f.added_at, f.polled_at, f.last_error, "
                "(SELECT count(*) FROM feed_items AS i WHERE i.feed_id = f.id) "
                "FROM feeds AS f ORDER BY f.id"
            ).fetchall()
        return tuple(
            Feed(
                id=row[0],
                url=row[1],
                title=row[2],
                added_at=dt.datetime.fromisoformat(row[3]),
                polled_at=dt.datetime.fromisoformat(row[4]) if row[4] else None,
                last_error=row[5],
                items=row[6],
            )
            for row in rows
        )

    def find(self, id_or_url: str | int) -> Feed:
        """A feed by its id (as ``feed list`` shows it) or its URL."""
        wanted = str(id_or_url).strip()
        for feed in self.list():
            if wanted in (str(feed.id), feed.url):
                return feed
        raise StoreError(f"there is no feed {wanted} in the library {self.store.path}")

    def remove(self, feed: Feed) -> None:
        """Forget a feed; the articles it brought stay in the library."""
        with self.store.transaction("delete from") as connection:
            connection.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))

    def seen_links(self) -> frozenset[str]:
        """Every item link kept, from any feed."""
        with self.store.snapshot() as connection:
            rows = connection.execute("SELECT DISTINCT link FROM feed_items").fetchall()
        return frozenset(link for (link,) in rows)

    def keep_item(self, feed: Feed, item: FeedItem, result: GeoparseResult) -> tuple[int, bool]:
        """Store an item's geoparsed article and the item, in one transaction: the article's
        id, and whether it is new (a link seen before or a text stored already is not)."""
        with self.store.transaction() as connection:
            seen = connection.execute(
                "SELECT article_id FROM feed_items WHERE link = ? AND article_id IS NOT NULL "
                "ORDER BY id LIMIT 1",
                (item.link,),
            ).fetchone()
            if seen is not None:
                article_id, created = int(seen[0]), False
            else:
                article_id, created = self.store.insert_article(connection, result.article, result)
            connection.execute(
                "INSERT OR IGNORE INTO feed_items (feed_id, link, article_id, title, stored_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (feed.id, item.link, article_id, item.title, self._clock().isoformat()),
            )
        return article_id, created

    def record_poll(self, feed: Feed, title: str | None, error: str | None) -> None:
        with self.store.transaction() as connection:
            connection.execute(
                "UPDATE feeds SET polled_at = ?, last_error = ?, title = coalesce(?, title) "
                "WHERE id = ?",
                (self._clock().isoformat(), error, title, feed.id),
            )


# ---------------------------------------------------------------------------- use cases


def add_feed(feeds: FeedStore, url: str, settings: Settings) -> tuple[Feed, bool]:
    """Read the feed once (a wrong address or a page that is no feed fails here, and
    nothing is kept), then keep it with its title."""
    address = url.strip()
    if not service.is_url(address):
        raise InputError(f"{address or 'an empty address'}: a feed's address starts with https://")
    with service.http_session(settings) as session:
        parsed = read_feed(address, settings, session)
    return feeds.add(address, parsed.title)


def poll_feeds(
    feeds: FeedStore,
    geoparse_article: service.Geoparse,
    settings: Settings,
    *,
    only: Sequence[Feed] | None = None,
    on_progress: Progress | None = None,
    max_items: int = MAX_ITEMS_PER_FEED,
) -> PollReport:
    """Read every feed (or ``only`` these), then each new item: see the module doc."""
    chosen = list(only) if only is not None else list(feeds.list())
    seen = set(feeds.seen_links())
    feed_errors: list[tuple[Feed, str]] = []
    todo: list[tuple[Feed, FeedItem]] = []
    with service.http_session(settings) as session:
        for feed in chosen:
            try:
                parsed = read_feed(feed.url, settings, session)
            except FrontlineError as error:
                feed_errors.append((feed, str(error)))
                feeds.record_poll(feed, None, str(error))
                continue
            feeds.record_poll(feed, parsed.title, None)
            for item in parsed.items[:max_items]:
                if item.link not in seen:
                    seen.add(item.link)
                    todo.append((feed, item))
        outcomes: list[ItemOutcome] = []
        for feed, item in todo:
            outcome = _poll_item(feeds, geoparse_article, settings, session, feed, item)
            outcomes.append(outcome)
            if on_progress is not None:
                on_progress(len(outcomes), len(todo), outcome)
    return PollReport(tuple(outcomes), tuple(feed_errors))


def _poll_item(
    feeds: FeedStore,
    geoparse_article: service.Geoparse,
    settings: Settings,
    session: requests.Session,
    feed: Feed,
    item: FeedItem,
) -> ItemOutcome:
    try:
        article = item_article(item, settings, session)
        result = service.geoparse(geoparse_article, article)
        article_id, created = feeds.keep_item(feed, item, result)
    except StoreDamagedError:
        raise  # the library refuses every later item too: the poll stops (module doc)
    except FrontlineError as error:
        logger.info("%s: %s", item.link, error)
        return ItemOutcome(feed, item, "failed", error=str(error))
    return ItemOutcome(feed, item, "added" if created else "known", article_id)
