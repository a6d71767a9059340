"""The sidebar's feeds: add an RSS or Atom feed, see the feeds kept, poll them now.

The rules (the network policy, an item stored once, one item's failure reported and the
rest kept, nothing half-saved) are ``frontline.feeds``'; this draws the controls and a
progress bar while a poll runs. Feed titles, links and errors are untrusted: they are
shown with ``st.text`` (plain text, never Markdown or HTML).
"""

from __future__ import annotations

import streamlit as st

from frontline import feeds as feed_rules
from frontline.errors import FrontlineError
from frontline.feeds import FeedStore, ItemOutcome
from frontline.service import Geoparse
from frontline.settings import Settings
from frontline.store import ArticleStore

NOTE_KEY = "feeds_note"
URL_KEY = "feeds_url"


def _add(store: ArticleStore, settings: Settings) -> None:
    """The form's submit: read the feed once, keep it (or say why not)."""
    url = str(st.session_state.get(URL_KEY, ""))
    try:
        feed, created = feed_rules.add_feed(FeedStore(store), url, settings)
    except FrontlineError as error:
        st.session_state[NOTE_KEY] = ("error", str(error))
        return
    st.session_state[URL_KEY] = ""
    verb = "Feed added" if created else "Already kept"
    st.session_state[NOTE_KEY] = ("info", f"{verb}: {feed.label}")


def _remove(store: ArticleStore, feed_id: int) -> None:
    feeds = FeedStore(store)
    try:
        feeds.remove(feeds.find(feed_id))
    except FrontlineError as error:
        st.session_state[NOTE_KEY] = ("error", str(error))


def poll_summary(outcomes: list[ItemOutcome], feed_errors: int) -> str:
    added = sum(1 for o in outcomes if o.status == "added")
    known = sum(1 for o in outcomes if o.status == "known")
    failed = sum(1 for o in outcomes if o.status == "failed")
    summary = f"{added} new articles, {known} already in the library, {failed} failed"
    if feed_errors:
        summary += f"; {feed_errors} feeds could not be read"
    return summary + "."


def _poll(store: ArticleStore, geoparse: Geoparse, settings: Settings) -> None:
    bar = st.progress(0.0, text="Reading the feeds…")

    def progress(done: int, total: int, outcome: ItemOutcome) -> None:
        bar.progress(done / max(total, 1), text=f"{done} of {total} new items")

    report = feed_rules.poll_feeds(FeedStore(store), geoparse, settings, on_progress=progress)
    bar.empty()
    st.session_state[NOTE_KEY] = (
        "warning" if report.failed else "info",
        poll_summary(list(report.outcomes), len(report.feed_errors)),
    )
    problems = [f"{o.item.link}: {o.error}" for o in report.outcomes if o.status == "failed"]
    problems += [f"{feed.url}: {error}" for feed, error in report.feed_errors]
    st.session_state[NOTE_KEY + "_details"] = problems


def show_feeds(store: ArticleStore, geoparse: Geoparse, settings: Settings) -> None:
    """The sidebar's "Feeds" section (call inside the sidebar)."""
    feeds = FeedStore(store).list()
    with st.expander(f"Feeds ({len(feeds)})", icon=":material/rss_feed:"):
        with st.form("feeds_add", border=False):
            st.text_input("Feed address (RSS or Atom)", key=URL_KEY, placeholder="https://…")
            st.form_submit_button("Add feed", on_click=_add, args=(store, settings))
        for feed in feeds:
            label_column, button_column = st.columns([5, 1], vertical_alignment="center")
            with label_column:
                st.text(
                    f"{feed.label}\n{feed.items} items" + (" · failed" if feed.last_error else "")
                )
            # An icon alone: a "Remove" label does not fit beside the feed in the sidebar.
            button_column.button(
                "",
                icon=":material/delete:",
                key=f"feeds_remove_{feed.id}",
                help="Remove this feed (its articles stay in the library)",
                on_click=_remove,
                args=(store, feed.id),
            )
        if feeds and st.button(
            "Poll feeds now",
            icon=":material/sync:",
            key="feeds_poll",
            width="stretch",
            help="Fetch the new items of every feed, find their places and store them.",
        ):
            _poll(store, geoparse, settings)
        _show_note()


HEADLINES = {"error": "The feed was not added.", "warning": "Some items could not be read."}


def _show_note() -> None:
    """What the last action did, once: a fixed headline, the untrusted details as text."""
    note = st.session_state.pop(NOTE_KEY, None)
    details = st.session_state.pop(NOTE_KEY + "_details", [])
    if not note:
        return
    kind, text = note
    if kind in HEADLINES:
        (st.error if kind == "error" else st.warning)(HEADLINES[kind])
    st.text(text)
    for line in details:
        st.text(line)
