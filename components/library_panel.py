"""The sidebar's library: which stored article is open, its date, and the way to add more.

The open article lives in the URL (``?article=3``), so a reload or a copied link opens the
same article. Switching articles clears what belonged to the previous one (the place
filter, the focused places, the map's fitted view).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import streamlit as st

from components import article_input, focus, sidebar
from components.catalog import counted
from components.markup import plain_markdown
from frontline import overview, service
from frontline.errors import FrontlineError
from frontline.settings import Settings
from frontline.store import ArticleStore, StoredArticle, StoredArticleSummary

ARTICLE_KEY = "library_article"
SHOWN_KEY = "library_article_shown"
VIEW_KEY = "library_view"
DATE_ERROR_KEY = "library_date_error"
URL_PARAM = "article"
View = Literal["One article", "All articles"]
ARTICLE_VIEW: Final[View] = "One article"
ACROSS_VIEW: Final[View] = "All articles"
LABEL_CHARS = 48
# Earliest date the date picker offers: the war's reporting starts in 2014.
EARLIEST_DATE = dt.date(2014, 1, 1)


# The sidebar lists the newest articles (and the one open); older ones open from "All
# articles" (its filters and its sentences), so that a library of 100,000 is no slower.
SIDEBAR_ARTICLES = 500


def _as_id(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def listed_articles(
    store: ArticleStore, wanted: Sequence[int | None]
) -> tuple[list[StoredArticleSummary], int]:
    """The newest articles, with those ``wanted`` (open, just added, in the URL) that are
    stored but older; and how many the library holds."""
    summaries = list(store.list(limit=SIDEBAR_ARTICLES))
    listed = {summary.id for summary in summaries}
    older = tuple({i for i in wanted if i is not None and i not in listed})
    if older:
        summaries += overview.articles_in(store, overview.Scope(article_ids=older), len(older))
    return summaries, overview.date_span(store).articles


@dataclass(frozen=True, slots=True)
class LibraryChoice:
    view: View
    stored: StoredArticle | None


def article_label(summary: StoredArticleSummary) -> str:
    """How the sidebar lists an article: title (shortened), date, place count."""
    title = article_input.display_title(summary.title, summary.source)
    if len(title) > LABEL_CHARS:
        title = title[: LABEL_CHARS - 1].rstrip() + "…"
    date = summary.date.isoformat() if summary.date else "no date"
    return f"{title} · {date} · {counted(summary.places, 'place')}"


def choose_article(
    ids: Sequence[int],
    *,
    current: int | None,
    url_value: str | None,
    pending: int | None,
    startup: int | None,
) -> tuple[int | None, str | None]:
    """Which article to open, and a warning if the URL named one that is not stored.

    Order: an article just added, the one already open, the URL's, the one the app was
    started with, the newest."""
    warning = None
    if pending in ids:
        return pending, None
    if current in ids:
        return current, None
    if url_value is not None:
        try:
            wanted = int(url_value)
        except ValueError:
            wanted = None
        if wanted in ids:
            return wanted, None
        warning = f"There is no article {url_value} in the library; showing another one."
    if startup in ids:
        return startup, warning
    return (ids[0] if ids else None), warning


def forget_previous_article(state: MutableMapping[Any, Any], article_id: int) -> bool:
    """Clear the view state of the article shown before, if ``article_id`` is another one.
    True when the article changed (the first article of a session is not a change)."""
    previous = state.get(SHOWN_KEY)
    state[SHOWN_KEY] = article_id
    if previous is None or previous == article_id:
        return False
    state[sidebar.FILTER_KEY] = []
    state.pop(sidebar.SEARCH_NOTE_KEY, None)
    focus.clear_focus(state)
    for key in (focus.VIEW_KEY, focus.VIEW_SIGNATURE_KEY, focus.FITTED_VIEW_KEY):
        state.pop(key, None)
    return True


def _dialog_closed() -> None:
    st.session_state[article_input.DIALOG_OPEN_KEY] = False


def _open_dialog() -> None:
    st.session_state[article_input.DIALOG_OPEN_KEY] = True


# Open while the flag says so: any rerun (a map's first report, an online answer arriving)
# would otherwise close a dialog opened by a button's one-run True.
@st.dialog("Add an article", width="large", on_dismiss=_dialog_closed)
def _add_article_dialog(
    store: ArticleStore, geoparse: article_input.Geoparse, settings: Settings
) -> None:
    article_input.show_add_article(store, geoparse, settings)


def _save_date(store: ArticleStore, article_id: int, key: str) -> None:
    """The date input's ``on_change``: store the date the reader picked (or cleared)."""
    chosen = st.session_state.get(key)
    try:
        store.set_date(article_id, chosen if isinstance(chosen, dt.date) else None)
    except FrontlineError as error:
        st.session_state[DATE_ERROR_KEY] = str(error)


def show_library(
    store: ArticleStore,
    *,
    startup_id: int | None,
    geoparse: article_input.Geoparse,
    settings: Settings,
) -> LibraryChoice:
    """The sidebar's library section; returns the view and the open article."""
    state = st.session_state
    pending = article_input.take_pending_article(state)
    url_value = st.query_params.get(URL_PARAM)
    summaries, total = listed_articles(
        store, [pending, state.get(ARTICLE_KEY), _as_id(url_value), startup_id]
    )
    ids = [summary.id for summary in summaries]
    by_id = {summary.id: summary for summary in summaries}
    chosen, warning = choose_article(
        ids,
        current=state.get(ARTICLE_KEY),
        url_value=url_value,
        pending=pending,
        startup=startup_id,
    )
    if pending is not None:
        # An article just added opens in the one-article view.
        state[VIEW_KEY] = ARTICLE_VIEW
    state.setdefault(VIEW_KEY, ARTICLE_VIEW)
    with st.sidebar:
        st.header("Library")
        view = st.segmented_control(
            "View",
            [ARTICLE_VIEW, ACROSS_VIEW],
            required=True,
            key=VIEW_KEY,
            label_visibility="collapsed",
        )
        if chosen is not None:
            state[ARTICLE_KEY] = chosen
            st.selectbox(
                f"Article ({total} in the library)"
                + (f"; the {SIDEBAR_ARTICLES} newest listed" if total > len(ids) else ""),
                options=ids,
                format_func=lambda article_id: article_label(by_id[article_id]),
                key=ARTICLE_KEY,
            )
        st.button(
            "Add an article",
            icon=":material/add:",
            key="library_add",
            width="stretch",
            on_click=_open_dialog,
        )
        if state.get(article_input.DIALOG_OPEN_KEY):
            _add_article_dialog(store, geoparse, settings)
        if warning:
            st.warning(plain_markdown(warning))
        article_input.show_add_note()
        if chosen is None:
            return LibraryChoice(_view(view), None)
        article_id = int(state[ARTICLE_KEY])
        forget_previous_article(state, article_id)
        _write_url(article_id)
        stored = store.get(article_id)
        if _view(view) == ACROSS_VIEW:
            return LibraryChoice(ACROSS_VIEW, stored)
        date_key = f"library_date_{article_id}"
        st.date_input(
            "Article date",
            value=stored.article.date,
            min_value=EARLIEST_DATE,
            key=date_key,
            help="Picks the front-line snapshot shown with this article.",
            on_change=_save_date,
            args=(store, article_id, date_key),
        )
        date_error = state.pop(DATE_ERROR_KEY, None)
        if date_error:
            st.error(plain_markdown(date_error))
        with st.popover("More", icon=":material/more_horiz:", width="stretch"):
            _show_article_actions(store, stored, geoparse)
    return LibraryChoice(_view(view), stored)


def _view(value: object) -> View:
    return ACROSS_VIEW if value == ACROSS_VIEW else ARTICLE_VIEW


def _show_article_actions(
    store: ArticleStore, stored: StoredArticle, geoparse: article_input.Geoparse
) -> None:
    st.caption(f"Source: {plain_markdown(stored.article.source)}")
    st.caption(f"Added {stored.added_at:%Y-%m-%d %H:%M} UTC")
    if st.button(
        "Geoparse again",
        key="library_regeoparse",
        help="Run the geoparser on this article again; your corrections apply to the new result.",
    ):
        try:
            with st.spinner("Finding the places again…"):
                service.regeoparse(store, stored.id, geoparse)
        except FrontlineError as error:
            st.error(plain_markdown(error))
        else:
            st.rerun()
    if st.button(
        "Delete from the library",
        key="library_delete",
        help="Removes the article, its places and its corrections.",
    ):
        try:
            store.delete(stored.id)
        except FrontlineError as error:
            st.error(plain_markdown(error))
        else:
            st.session_state.pop(ARTICLE_KEY, None)
            st.session_state.pop(SHOWN_KEY, None)
            if URL_PARAM in st.query_params:
                del st.query_params[URL_PARAM]
            st.rerun()


def _write_url(article_id: int) -> None:
    if st.query_params.get(URL_PARAM) != str(article_id):
        st.query_params[URL_PARAM] = str(article_id)
