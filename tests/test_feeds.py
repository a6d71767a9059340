"""Feeds against a real HTTP server on 127.0.0.1: an RSS file, an Atom file and their
article pages (one of them broken), polled twice into a real SQLite library with the real
geoparser; and ``python -m frontline feed ...`` in a real process."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from frontline.errors import InputError
from frontline.feeds import FeedStore, add_feed, parse_feed, poll_feeds
from frontline.settings import Settings
from frontline.store import ArticleStore

from . import test_fetch
from .test_cli_library import run_cli
from .test_fetch import Server, html, redirect

serve = test_fetch.serve  # real HTTP servers on loopback addresses

ONLY_TEST_SERVER = ("127.0.0.1/32",)


def page(title: str, *paragraphs: str) -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f"<nav>Home | World</nav><article><h1>{title}</h1>{body}</article></body></html>"
    )


KHARKIV_PAGE = page(
    "Night of drones over Kharkiv",
    "Drones struck an energy plant in Kharkiv overnight, the city's mayor said on Monday.",
    "Repair crews in Kharkiv restored power to most districts by the afternoon.",
)
ODESA_PAGE = page(
    "Port of Odesa reopens",
    "Grain ships left the port of Odesa on Tuesday after two days of air raid alerts.",
    "Officials in Odesa said the terminals had not been damaged.",
)
LVIV_PAGE = page(
    "Volunteers in Lviv",
    "Volunteers in Lviv packed medical kits for units near Pokrovsk on Wednesday.",
    "The convoy left Lviv at dawn, organisers said.",
)


def rss(base: str, title: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{item_title}</title><link>{base}{path}</link>"
        f"<pubDate>{date}</pubDate></item>"
        for path, item_title, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>{base}/</link><description>test</description>"
        f"{entries}</channel></rss>"
    )


def atom(base: str, title: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f'<entry><title>{item_title}</title><link href="{base}{path}"/>'
        f"<id>{base}{path}</id><updated>{date}</updated></entry>"
        for path, item_title, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>{base}/</id><updated>2025-05-07T00:00:00Z</updated>"
        f"{entries}</feed>"
    )


@pytest.fixture
def news_server(serve: Callable[..., Server]) -> Server:
    """An RSS feed (Kharkiv, Odesa and a broken page) and an Atom feed (Lviv, Kharkiv again
    under the same link, and Odesa's text again under another link)."""
    server = serve()
    base = server.url("")
    server.routes.update(
        {
            "/rss.xml": html(
                rss(
                    base,
                    "Front <b>News</b>",
                    [
                        ("/kharkiv", "Drones over Kharkiv", "Mon, 05 May 2025 08:00:00 GMT"),
                        ("/odesa", "Odesa port", "Tue, 06 May 2025 08:00:00 GMT"),
                        ("/broken", "A page that is gone", "Tue, 06 May 2025 09:00:00 GMT"),
                    ],
                ),
                "application/rss+xml",
            ),
            "/atom.xml": html(
                atom(
                    base,
                    "Wire",
                    [
                        ("/lviv", "Lviv volunteers", "2025-05-07T08:00:00Z"),
                        ("/kharkiv", "Kharkiv (wire copy)", "2025-05-05T08:00:00Z"),
                        ("/odesa-copy", "Odesa (syndicated)", "2025-05-06T10:00:00Z"),
                    ],
                ),
                "application/atom+xml",
            ),
            "/kharkiv": html(KHARKIV_PAGE),
            "/odesa": html(ODESA_PAGE),
            "/odesa-copy": html(ODESA_PAGE),
            "/lviv": html(LVIV_PAGE),
            # "/broken" has no route: 404.
        }
    )
    return server


@pytest.fixture
def loopback_settings(settings: Settings, tmp_path: Path) -> Settings:
    return Settings(
        cache_dir=settings.cache_dir,
        data_dir=tmp_path / "data",
        allowed_networks=ONLY_TEST_SERVER,
        http_timeout_s=5.0,
    )


def table_count(store_path: Path, table: str) -> int:
    with sqlite3.connect(store_path) as connection:
        (count,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(count)


def test_two_polls_store_each_good_item_once_and_report_the_broken_one(
    news_server: Server, loopback_settings: Settings, geoparser: Any
) -> None:
    store = ArticleStore(loopback_settings.store_path)
    feeds = FeedStore(store)
    rss_feed, created = add_feed(feeds, news_server.url("/rss.xml"), loopback_settings)
    atom_feed, _ = add_feed(feeds, news_server.url("/atom.xml"), loopback_settings)
    assert created and rss_feed.title == "Front <b>News</b>" and atom_feed.title == "Wire"
    assert add_feed(feeds, news_server.url("/rss.xml"), loopback_settings)[1] is False

    progress: list[tuple[int, int, str]] = []
    first = poll_feeds(
        feeds,
        geoparser.geoparse,
        loopback_settings,
        on_progress=lambda done, total, outcome: progress.append((done, total, outcome.status)),
    )
    by_link = {outcome.item.link.rsplit("/", 1)[1]: outcome for outcome in first.outcomes}
    assert {link: o.status for link, o in by_link.items()} == {
        "kharkiv": "added",
        "odesa": "added",
        "broken": "failed",
        "lviv": "added",
        "odesa-copy": "known",  # the same text under another link
    }
    assert "404" in (by_link["broken"].error or "")
    assert by_link["odesa-copy"].article_id == by_link["odesa"].article_id
    assert [(done, total) for done, total, _ in progress] == [(i, 5) for i in range(1, 6)]

    articles = {summary.source: summary for summary in store.list()}
    assert set(articles) == {news_server.url(p) for p in ("/kharkiv", "/odesa", "/lviv")}
    kharkiv = store.get(articles[news_server.url("/kharkiv")].id)
    assert kharkiv.article.title == "Night of drones over Kharkiv"
    assert kharkiv.article.date == dt.date(2025, 5, 5)  # the feed's date
    assert "Kharkiv" in {place.name for place in kharkiv.result.places}

    second = poll_feeds(feeds, geoparser.geoparse, loopback_settings)
    # Only the broken item is tried again; the others are not even fetched again.
    assert [(o.item.link, o.status) for o in second.outcomes] == [
        (news_server.url("/broken"), "failed")
    ]
    fetched = [path for path in news_server.requested if not path.endswith(".xml")]
    assert sorted(fetched) == sorted(
        ["/kharkiv", "/odesa", "/odesa-copy", "/lviv", "/broken", "/broken"]
    )
    assert len(store.list()) == 3
    listed = {feed.url: feed for feed in feeds.list()}
    assert listed[rss_feed.url].items == 2 and listed[atom_feed.url].items == 2
    # Nothing half-saved: every feed item points at a stored article, every article has its
    # place counts, and the broken item left nothing behind.
    with sqlite3.connect(store.path) as connection:
        orphans = connection.execute(
            "SELECT count(*) FROM feed_items WHERE article_id NOT IN (SELECT id FROM articles)"
        ).fetchone()[0]
        uncounted = connection.execute(
            "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM place_mentions)"
        ).fetchone()[0]
        broken = connection.execute(
            "SELECT count(*) FROM feed_items WHERE link LIKE '%/broken'"
        ).fetchone()[0]
    assert (orphans, uncounted, broken) == (0, 0, 0)
    store.close()


def test_an_item_that_fails_while_being_saved_leaves_nothing(
    news_server: Server, loopback_settings: Settings, geoparser: Any, monkeypatch: Any
) -> None:
    """An item's article, its place counts and its feed item are one transaction: a failure
    after the article is written undoes all of it, is reported, and the poll goes on."""
    store = ArticleStore(loopback_settings.store_path)
    feeds = FeedStore(store)
    feed, _ = add_feed(feeds, news_server.url("/atom.xml"), loopback_settings)
    original = store.insert_article

    def insert_then_fail(connection: Any, article: Any, result: Any) -> Any:
        inserted = original(connection, article, result)
        if "Lviv" in article.text:
            raise sqlite3.OperationalError("disk I/O error")
        return inserted

    monkeypatch.setattr(store, "insert_article", insert_then_fail)
    report = poll_feeds(feeds, geoparser.geoparse, loopback_settings, only=[feed])
    statuses = {o.item.link.rsplit("/", 1)[1]: o.status for o in report.outcomes}
    assert statuses == {"lviv": "failed", "kharkiv": "added", "odesa-copy": "added"}
    failed = next(o for o in report.outcomes if o.status == "failed")
    assert "disk I/O error" in (failed.error or "")
    assert {s.source for s in store.list()} == {
        news_server.url("/kharkiv"),
        news_server.url("/odesa-copy"),
    }
    assert table_count(store.path, "feed_items") == 2
    with sqlite3.connect(store.path) as connection:
        lviv_counts = connection.execute(
            "SELECT count(*) FROM place_mentions WHERE place_name = 'Lviv'"
        ).fetchone()[0]
    assert lviv_counts == 0
    store.close()


def test_a_page_that_is_no_feed_is_refused_and_nothing_is_kept(
    news_server: Server, loopback_settings: Settings
) -> None:
    store = ArticleStore(loopback_settings.store_path)
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        add_feed(FeedStore(store), news_server.url("/kharkiv"), loopback_settings)
    with pytest.raises(InputError, match="404"):
        add_feed(FeedStore(store), news_server.url("/missing.xml"), loopback_settings)
    assert FeedStore(store).list() == ()
    store.close()


def test_feeds_on_loopback_are_refused_unless_allowed(
    news_server: Server, settings: Settings, tmp_path: Path
) -> None:
    public_only = Settings(cache_dir=settings.cache_dir, data_dir=tmp_path)
    with ArticleStore(public_only.store_path) as store, pytest.raises(InputError, match="refused"):
        add_feed(FeedStore(store), news_server.url("/rss.xml"), public_only)
    assert news_server.requested == []


def test_feeds_and_their_pages_are_under_the_policy_on_every_hop(
    news_server: Server, serve: Callable[..., Server], loopback_settings: Settings, geoparser: Any
) -> None:
    """Only 127.0.0.1 is allowed: a feed, or an item's page, redirected to 127.0.0.2 is
    refused before anything is asked of 127.0.0.2; a feed over the size cap is refused."""
    elsewhere = serve("127.0.0.2")
    elsewhere.routes["/rss.xml"] = news_server.routes["/rss.xml"]
    elsewhere.routes["/kharkiv"] = html(KHARKIV_PAGE)
    base = news_server.url("")
    news_server.routes.update(
        {
            "/moved.xml": redirect(elsewhere.url("/rss.xml"), 301),
            "/one.xml": html(
                rss(base, "One", [("/gone", "Moved", "Mon, 05 May 2025 08:00:00 GMT")]),
                "application/rss+xml",
            ),
            "/gone": redirect(elsewhere.url("/kharkiv")),
        }
    )
    store = ArticleStore(loopback_settings.store_path)
    feeds = FeedStore(store)
    with pytest.raises(InputError, match=r"refused .*127\.0\.0\.2"):
        add_feed(feeds, news_server.url("/moved.xml"), loopback_settings)
    feed, _ = add_feed(feeds, news_server.url("/one.xml"), loopback_settings)
    report = poll_feeds(feeds, geoparser.geoparse, loopback_settings)
    assert [o.status for o in report.outcomes] == ["failed"]
    assert "127.0.0.2" in (report.outcomes[0].error or "")
    assert elsewhere.requested == []
    assert store.list() == () and table_count(store.path, "feed_items") == 0

    small = replace(loopback_settings, max_article_bytes=200)
    with pytest.raises(InputError, match="limit of 200 bytes"):
        add_feed(feeds, news_server.url("/rss.xml"), small)
    assert [f.url for f in feeds.list()] == [feed.url]
    store.close()


def test_parse_feed_reads_rss_and_atom_and_never_fetches() -> None:
    parsed = parse_feed(
        rss("https://example.org", "T", [("/a", "A", "Mon, 05 May 2025 08:00:00 GMT")]).encode(),
        "https://example.org/rss",
    )
    assert [(i.link, i.title, i.published) for i in parsed.items] == [
        ("https://example.org/a", "A", dt.date(2025, 5, 5))
    ]
    relative = parse_feed(
        atom("", "Relative", [("/b", "B", "2025-05-06T00:00:00Z")]).encode(),
        "https://example.org/feed.atom",
    )
    assert [item.link for item in relative.items] == ["https://example.org/b"]
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        parse_feed(b"https://example.org/rss", "https://example.org/x")
    # A title's control characters and bidirectional overrides (U+202E would show "evil"
    # as "live") are not kept; the markup stays text, for the views to show as text.
    disguised = parse_feed(
        rss(
            "https://example.org",
            "World <b>news</b> &#x202e;evil&#x1b;[2J",
            [("/c", "Kyiv&#x2066; update", "Mon, 05 May 2025 08:00:00 GMT")],
        ).encode(),
        "https://example.org/rss",
    )
    assert disguised.title == "World <b>news</b> evil [2J"
    assert [item.title for item in disguised.items] == ["Kyiv update"]


@pytest.mark.slow
def test_feed_commands(news_server: Server, tmp_path: Path) -> None:
    env = {"FRONTLINE_ALLOWED_NETWORKS": "127.0.0.1/32"}
    store = tmp_path / "library.sqlite3"
    added = run_cli("feed", "add", news_server.url("/rss.xml"), "--store", str(store), env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout == "feed 1 added: Front <b>News</b>\n"
    listed = run_cli("feed", "list", "--format", "json", "--store", str(store), env=env)
    assert [(f["id"], f["url"], f["items"]) for f in json.loads(listed.stdout)] == [
        (1, news_server.url("/rss.xml"), 0)
    ]
    polled = run_cli("feed", "poll", "--store", str(store), env=env)
    assert polled.returncode == 2
    assert polled.stdout == "2 added, 0 already in the library, 1 failed, from 1 feeds\n"
    assert polled.stderr.count("frontline: error:") == 1
    assert news_server.url("/broken") in polled.stderr and "404" in polled.stderr
    removed = run_cli("feed", "remove", "1", "--store", str(store), env=env)
    assert removed.returncode == 0 and "its articles stay" in removed.stdout
    listed = run_cli("library", "list", "--format", "json", "--store", str(store))
    assert len(json.loads(listed.stdout)) == 2
    missing = run_cli("feed", "remove", "7", "--store", str(store))
    assert missing.returncode == 2 and "there is no feed 7" in missing.stderr


@pytest.mark.slow
def test_the_sidebar_adds_a_feed_and_polls_it(
    news_server: Server, cache_dir: Path, gazetteer: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The app's "Feeds" section: a feed added by its address, then "Poll feeds now"."""
    import sys

    from streamlit.testing.v1 import AppTest

    from .test_library_ui import APP, TIMEOUT_S

    data_dir = tmp_path / "data"
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("FRONTLINE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("FRONTLINE_TILES_URL", "")
    monkeypatch.setenv("FRONTLINE_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setattr(sys, "argv", ["app.py"])
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.text_input(key="feeds_url").set_value(news_server.url("/rss.xml"))
    at.button(key="FormSubmitter:feeds_add-Add feed").click().run()
    assert not at.exception
    assert any("Feed added: Front <b>News</b>" in text.value for text in at.text)
    at.button(key="feeds_poll").click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["Some items could not be read."]
    texts = [text.value for text in at.text]
    assert "2 new articles, 0 already in the library, 1 failed." in texts
    assert any(news_server.url("/broken") in text and "404" in text for text in texts)
    with ArticleStore(data_dir / "library.sqlite3") as store:
        sources = {summary.source for summary in store.list()}
    assert {news_server.url("/kharkiv"), news_server.url("/odesa")} <= sources


def test_feed_poll_weighs_the_front_line_of_the_items_date(
    news_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the dashboard adds an article: an item dated where a snapshot is at hand has its
    namesakes weighed against that front line (Zolochiv of Kharkiv Oblast, near it)."""
    from frontline.cli import main as cli_main

    from .snapshot_fixtures import write_test_snapshots
    from .test_front_prior import FIGHTING_ZOLOCHIV

    monkeypatch.setenv("FRONTLINE_TERRITORY_DIR", str(write_test_snapshots(tmp_path / "snap")))
    monkeypatch.setenv("FRONTLINE_ALLOWED_NETWORKS", "127.0.0.1/32")
    base = news_server.url("")
    news_server.routes["/war.xml"] = html(
        rss(base, "War", [("/zolochiv", "Shelling", "Fri, 17 Oct 2025 08:00:00 GMT")]),
        "application/rss+xml",
    )
    news_server.routes["/zolochiv"] = html(
        page(
            "Shelling", FIGHTING_ZOLOCHIV, "Residents spent the night in shelters, officials said."
        )
    )
    store_path = tmp_path / "library.sqlite3"
    assert cli_main(["feed", "add", news_server.url("/war.xml"), "--store", str(store_path)]) == 0
    assert cli_main(["feed", "poll", "--store", str(store_path)]) == 0
    with ArticleStore(store_path) as store:
        [summary] = store.list()
        places = {place.name: place for place in store.get(summary.id).result.places}
    zolochiv = places["Zolochiv"].candidate
    assert zolochiv is not None and zolochiv.admin1 == "Kharkiv Oblast"


def test_a_dripping_feed_or_page_ends_at_the_time_limit(
    news_server: Server, loopback_settings: Settings, geoparser: Any
) -> None:
    """A byte every half second keeps any per-read timeout happy: the policy's wall-clock
    budget (1 s here) ends the feed's download and an item's page alike, each one error,
    nothing kept. Held times are the server's (the bound is twice the budget)."""
    from frontline.errors import FetchLimitError
    from tests.hostile.server import hostile_server

    quick = replace(loopback_settings, http_timeout_s=1.0)
    with hostile_server("127.0.0.1") as hostile, ArticleStore(quick.store_path) as store:
        feeds = FeedStore(store)
        with pytest.raises(FetchLimitError, match="time limit of 1 s"):
            add_feed(feeds, hostile.url("/drip?every=0.5&length=100000&feed"), quick)
        held = hostile.wait_until_left("/drip?every=0.5&length=100000&feed").held_s
        assert held is not None and held < 2.0
        page = hostile.url("/drip?every=0.5&length=100000&item")
        news_server.routes["/dripping.xml"] = html(
            rss("", "Slow", [(page, "Slow page", "Mon, 05 May 2025 08:00:00 GMT")]),
            "application/rss+xml",
        )
        add_feed(feeds, news_server.url("/dripping.xml"), quick)
        [outcome] = poll_feeds(feeds, geoparser.geoparse, quick).outcomes
        assert outcome.status == "failed" and "time limit of 1 s" in (outcome.error or "")
        held = hostile.wait_until_left("/drip?every=0.5&length=100000&item").held_s
        assert held is not None and held < 2.0
        assert store.list() == () and table_count(store.path, "feed_items") == 0


def test_feed_poll_stops_at_a_damaged_library_and_keeps_what_it_stored(
    news_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Damage met while storing the second item: no later item is fetched (none could be
    stored), one error line, exit status 2; the first item stays in the file."""
    from frontline.cli import main as cli_main

    monkeypatch.setenv("FRONTLINE_ALLOWED_NETWORKS", "127.0.0.1/32")
    store_path = tmp_path / "library.sqlite3"
    assert cli_main(["feed", "add", news_server.url("/atom.xml"), "--store", str(store_path)]) == 0
    original = ArticleStore.insert_article

    def insert_into_a_damaged_file(self: Any, connection: Any, article: Any, result: Any) -> Any:
        if "Kharkiv" in article.text:  # the feed's second item, after Lviv
            damage = sqlite3.DatabaseError("database disk image is malformed")
            damage.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # type: ignore[attr-defined]
            raise damage
        return original(self, connection, article, result)

    monkeypatch.setattr(ArticleStore, "insert_article", insert_into_a_damaged_file)
    capsys.readouterr()
    assert cli_main(["feed", "poll", "--store", str(store_path)]) == 2
    printed = capsys.readouterr()
    [line] = printed.err.splitlines()
    assert line.startswith("frontline: error: the article library") and "is damaged" in line
    assert printed.out == ""
    fetched = [path for path in news_server.requested if not path.endswith(".xml")]
    assert fetched == ["/lviv", "/kharkiv"]  # "/odesa-copy" is never fetched
    with sqlite3.connect(store_path) as connection:
        sources = [row[0] for row in connection.execute("SELECT source FROM articles")]
    assert sources == [news_server.url("/lviv")]
