"""``python -m frontline feed ...``: feeds that fill the library (the app's SQLite store).

    feed add URL [--store FILE]
    feed list [--store FILE] [--format table|json]
    feed remove ID|URL [--store FILE]
    feed poll [ID|URL ...] [--store FILE]

``poll`` reads every feed (or those named), fetches and geoparses the items not seen
before and stores them; an item that fails is one line on standard error and the others
go on (exit status 2 if any failed); a damaged library stops the poll at once, with one
error line and exit status 2. On a terminal a progress bar runs on standard error.
A schedule is cron's or a systemd timer's (README).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from frontline import service
from frontline.cli_common import EXIT_ERROR, open_store, progress_bar, store_option
from frontline.feeds import Feed, FeedStore, ItemOutcome, add_feed, poll_feeds
from frontline.settings import Settings
from frontline.terminal import printable


def feed_to_dict(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "items": feed.items,
        "polled_at": feed.polled_at.isoformat() if feed.polled_at else None,
        "last_error": feed.last_error,
    }


def command_add(arguments: argparse.Namespace, settings: Settings) -> int:
    with open_store(arguments, settings, create=True) as store:
        feed, created = add_feed(FeedStore(store), arguments.url, settings)
    verb = "added" if created else "was already in the library as"
    print(f"feed {feed.id} {verb}: {printable(feed.label)}")
    return 0


def command_list(arguments: argparse.Namespace, settings: Settings) -> int:
    with open_store(arguments, settings) as store:
        feeds = FeedStore(store).list()
    if arguments.format == "json":
        json.dump([feed_to_dict(feed) for feed in feeds], sys.stdout, ensure_ascii=True, indent=2)
        sys.stdout.write("\n")
        return 0
    if not feeds:
        print(f"no feeds in {store.path}")
    for feed in feeds:
        polled = f"polled {feed.polled_at:%Y-%m-%d %H:%M}" if feed.polled_at else "never polled"
        error = f" · last poll failed: {printable(feed.last_error)}" if feed.last_error else ""
        print(
            f"{feed.id:>4}  {printable(feed.label)}  ({feed.items} items, {polled}){error}\n"
            f"      {printable(feed.url)}"
        )
    return 0


def command_remove(arguments: argparse.Namespace, settings: Settings) -> int:
    with open_store(arguments, settings) as store:
        feeds = FeedStore(store)
        feed = feeds.find(arguments.feed)
        feeds.remove(feed)
    print(f"feed {feed.id} removed (its articles stay in the library): {printable(feed.label)}")
    return 0


def command_poll(arguments: argparse.Namespace, settings: Settings) -> int:
    from frontline.pipeline import Geoparser

    with open_store(arguments, settings) as store:
        feeds = FeedStore(store)
        only = [feeds.find(name) for name in arguments.feeds] if arguments.feeds else None
        if not (only or feeds.list()):
            print(f"no feeds in {store.path}: add one with 'feed add URL'")
            return 0
        geoparser = Geoparser.load(settings)
        # As the dashboard adds articles: the front line of an item's date, where a
        # snapshot is at hand, weighs namesakes.
        geoparse = service.weighing_front_line(
            geoparser.geoparse, service.front_line_at_hand(settings)
        )
        with progress_bar("items") as bar:

            def progress(done: int, total: int, outcome: ItemOutcome) -> None:
                bar.total = total
                bar.update(1)
                if outcome.status == "failed":
                    bar.write(
                        f"frontline: error: {printable(outcome.item.link)}: "
                        f"{printable(outcome.error)}",
                        file=sys.stderr,
                    )

            report = poll_feeds(feeds, geoparse, settings, only=only, on_progress=progress)
    for feed, error in report.feed_errors:
        print(f"frontline: error: feed {feed.id}: {printable(error)}", file=sys.stderr)
    print(
        f"{report.count('added')} added, {report.count('known')} already in the library, "
        f"{report.count('failed')} failed, from {len(only or feeds.list())} feeds"
        + (f" ({len(report.feed_errors)} could not be read)" if report.feed_errors else "")
    )
    return EXIT_ERROR if report.failed else 0


def add_feed_commands(commands: Any) -> None:
    """Register ``feed add|list|remove|poll`` under the CLI's subcommands (called by cli.py)."""
    feed = commands.add_parser("feed", help="RSS and Atom feeds that fill the library")
    actions = feed.add_subparsers(dest="feed_command", required=True)

    add = actions.add_parser("add", parents=[store_option()], help="read a feed once and keep it")
    add.add_argument("url", metavar="URL", help="the feed's address (RSS or Atom)")
    add.set_defaults(handler=command_add)

    listing = actions.add_parser("list", parents=[store_option()], help="the feeds kept")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=command_list)

    remove = actions.add_parser(
        "remove", parents=[store_option()], help="forget a feed (its articles stay)"
    )
    remove.add_argument("feed", metavar="ID|URL", help="the feed's id (see 'feed list') or URL")
    remove.set_defaults(handler=command_remove)

    poll = actions.add_parser(
        "poll", parents=[store_option()], help="fetch, geoparse and store the new items"
    )
    poll.add_argument("feeds", nargs="*", metavar="ID|URL", help="only these feeds")
    poll.set_defaults(handler=command_poll)
