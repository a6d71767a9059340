"""A reader's own article: pasted text, an uploaded file or a link, geoparsed into the library.

The rules (limits, accepted kinds, one clear error each) are the use cases'
(``frontline.service``: ``article_from_paste``, ``article_from_upload``,
``article_from_link``, ``add_to_library``); ``show_add_article`` is the dialog that calls
them. Every check runs before anything is stored: a refused input leaves the library as
it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, MutableMapping
from typing import Any

import streamlit as st

from components.markup import plain_markdown
from frontline import service
from frontline.article import display_title  # noqa: F401  (the views name titles through it)
from frontline.errors import FrontlineError
from frontline.model import Article
from frontline.settings import Settings
from frontline.store import ArticleStore

PENDING_ARTICLE_KEY = "library_pending_article"
ADD_NOTE_KEY = "library_add_note"
DIALOG_OPEN_KEY = "library_add_dialog_open"

Geoparse = service.Geoparse


def take_pending_article(state: MutableMapping[Any, Any]) -> int | None:
    """The article just added, to open on this run (set before a rerun by the dialog)."""
    pending = state.pop(PENDING_ARTICLE_KEY, None)
    return int(pending) if pending is not None else None


# --- the dialog ------------------------------------------------------------------------------


def _finish(added: service.AddOutcome) -> None:
    st.session_state[DIALOG_OPEN_KEY] = False
    st.session_state[PENDING_ARTICLE_KEY] = added.article_id
    verb = (
        "was added to the library"
        if added.created
        else "was already in the library; its places were found again, its corrections kept"
    )
    st.session_state[ADD_NOTE_KEY] = f"“{added.summary.title or added.summary.source}” {verb}."
    st.rerun()


def _try_add(make_article: Callable[[], Article], store: ArticleStore, geoparse: Geoparse) -> None:
    """Build, geoparse and store an article; a failure is one message in the dialog."""
    try:
        with st.spinner("Reading the article and finding its places…"):
            added = service.add_to_library(store, geoparse, make_article())
    except FrontlineError as error:
        st.error(plain_markdown(error), icon=":material/error:")
        return
    _finish(added)


def show_add_article(store: ArticleStore, geoparse: Geoparse, settings: Settings) -> None:
    """The body of the "Add an article" dialog: three ways in, one button each."""
    limit = f"{settings.max_article_bytes / 1e6:.0f} MB"
    paste_tab, upload_tab, link_tab = st.tabs(["Paste text", "Upload a file", "From a link"])
    with paste_tab, st.form("add_paste", border=False):
        text = st.text_area(
            "Article text",
            height=220,
            key="add_paste_text",
            placeholder="Paste the article here…",
        )
        title_column, date_column = st.columns([3, 2])
        title = title_column.text_input(
            "Title (optional)", key="add_paste_title", placeholder="First line if left empty"
        )
        date = date_column.date_input(
            "Date (optional)",
            value=None,
            key="add_paste_date",
            help="The article's date picks the front-line snapshot shown with it.",
        )
        if st.form_submit_button("Add to the library", type="primary"):
            _try_add(
                lambda: service.article_from_paste(
                    text,
                    max_bytes=settings.max_article_bytes,
                    title=title,
                    date=date if isinstance(date, dt.date) else None,
                ),
                store,
                geoparse,
            )
    with upload_tab, st.form("add_upload", border=False):
        upload = st.file_uploader(
            f"A .txt, .md or .html file (up to {limit})",
            type=[suffix.lstrip(".") for suffix in service.UPLOAD_SUFFIXES],
            key="add_upload_file",
        )
        st.caption("Web pages are reduced to the article's text, title and date. PDF is not read.")
        if st.form_submit_button("Add to the library", type="primary"):
            if upload is None:
                st.error("Choose a file first.", icon=":material/error:")
            else:
                _try_add(
                    lambda: service.article_from_upload(
                        upload.name, upload.getvalue(), max_bytes=settings.max_article_bytes
                    ),
                    store,
                    geoparse,
                )
    with link_tab, st.form("add_link", border=False):
        url = st.text_input("Address of the article", key="add_link_url", placeholder="https://…")
        private = (
            "Private and local addresses are allowed (FRONTLINE_ALLOW_PRIVATE_URLS)."
            if settings.allow_private_urls
            else "Private, loopback and link-local addresses are refused."
        )
        st.caption(
            f"The page is fetched once (up to {limit}, {settings.http_timeout_s:.0f} s to "
            f"answer) and reduced to its main text. {private}"
        )
        if st.form_submit_button("Fetch and add", type="primary"):
            _try_add(lambda: service.article_from_link(url, settings), store, geoparse)


def show_add_note() -> None:
    """The line saying which article the dialog just added (once)."""
    note = st.session_state.pop(ADD_NOTE_KEY, None)
    if note:
        st.toast(plain_markdown(note), icon=":material/check_circle:")
