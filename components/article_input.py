"""A reader's own article: pasted text, an uploaded file or a link, geoparsed into the library.

The ``article_from_*`` functions and ``add_to_library`` hold the rules (limits, accepted
kinds, one clear error each) and know nothing of Streamlit, so tests call them directly;
``show_add_article`` is the dialog that uses them. Every check runs before anything is
stored: a refused input leaves the library as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Any

import streamlit as st

from components.markup import plain_markdown
from frontline.article import article_from_bytes, article_from_text
from frontline.cli import is_url, read_input
from frontline.errors import FrontlineError, InputError
from frontline.model import Article, GeoparseResult
from frontline.settings import Settings
from frontline.store import ArticleStore

# PDF is left out: no PDF text extractor is among the pinned packages, and a news PDF's
# columns and running heads would need layout work to give clean sentences.
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
TITLE_FROM_TEXT_CHARS = 70
PENDING_ARTICLE_KEY = "library_pending_article"
ADD_NOTE_KEY = "library_add_note"
DIALOG_OPEN_KEY = "library_add_dialog_open"

Geoparse = Callable[[Article], GeoparseResult]


@dataclass(frozen=True, slots=True)
class Added:
    """What ``add_to_library`` did: the article's id, and whether it was there already."""

    article_id: int
    title: str
    already_stored: bool


def title_from_text(text: str, max_chars: int = TITLE_FROM_TEXT_CHARS) -> str:
    """A title for an untitled text: its first non-empty line, shortened at a word."""
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) <= max_chars:
        return first_line
    sentence_end = re.search(r"[.!?](?=\s)", first_line[: max_chars + 1])
    if sentence_end is not None:
        return first_line[: sentence_end.start()]
    cut = first_line[:max_chars].rsplit(" ", 1)[0] or first_line[:max_chars]
    return cut.rstrip(" ,;:.-") + "…"


def display_title(title: str | None, source: str) -> str:
    """An article's title, or for an untitled file its name made readable."""
    if title:
        return title
    name = PurePath(source).name if "://" not in source else source
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem.replace("-", " ").replace("_", " ").capitalize() or source


def article_from_paste(
    text: str,
    *,
    max_bytes: int,
    title: str = "",
    date: dt.date | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Article:
    """An Article from pasted text; its title is the one given, else its first line."""
    if not text.strip():
        raise InputError("the pasted text is empty: paste the article's text first")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise InputError(
            f"the pasted text is {size / 1e6:.1f} MB, more than the {max_bytes / 1e6:.0f} MB "
            "limit for one article"
        )
    source = f"pasted text ({clock():%Y-%m-%d %H:%M} UTC)"
    article = article_from_text(text, source, date=date)
    return replace(article, title=title.strip() or title_from_text(article.text) or None)


def article_from_upload(filename: str, data: bytes, *, max_bytes: int) -> Article:
    """An Article from an uploaded .txt, .md or .html file (HTML reduced by trafilatura)."""
    name = Path(filename).name or "upload"
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        raise InputError(f"{name}: PDF files are not read; save the article as text or HTML")
    if suffix not in UPLOAD_SUFFIXES:
        accepted = ", ".join(UPLOAD_SUFFIXES)
        raise InputError(f"{name}: not a text, Markdown or HTML file ({accepted})")
    article = article_from_bytes(data, name, filename=name, max_bytes=max_bytes)
    return replace(article, title=article.title or title_from_text(article.text) or None)


def article_from_link(url: str, settings: Settings) -> Article:
    """An Article from a web page: fetched under the settings' address policy, size and
    time limits, and reduced to its main text, title and date (as the CLI reads a URL)."""
    address = url.strip()
    if not address:
        raise InputError("no link given: paste the article's address (https://…)")
    if "://" not in address:
        address = "https://" + address
    if not is_url(address):
        raise InputError(f"{address}: only http:// and https:// links are fetched")
    return read_input(address, settings)


def add_to_library(store: ArticleStore, geoparse: Geoparse, article: Article) -> Added:
    """Geoparse ``article`` and store both; an article already stored keeps its id and its
    corrections (it is not geoparsed again)."""
    existing = store.id_for_text(article.text)
    title = article.title or article.source
    if existing is not None:
        return Added(existing, title, already_stored=True)
    result = geoparse(article)
    return Added(store.add(article, result), title, already_stored=False)


def take_pending_article(state: MutableMapping[Any, Any]) -> int | None:
    """The article just added, to open on this run (set before a rerun by the dialog)."""
    pending = state.pop(PENDING_ARTICLE_KEY, None)
    return int(pending) if pending is not None else None


# --- the dialog ------------------------------------------------------------------------------


def _finish(added: Added) -> None:
    st.session_state[DIALOG_OPEN_KEY] = False
    st.session_state[PENDING_ARTICLE_KEY] = added.article_id
    verb = "was already in the library" if added.already_stored else "was added to the library"
    st.session_state[ADD_NOTE_KEY] = f"“{added.title}” {verb}."
    st.rerun()


def _try_add(make_article: Callable[[], Article], store: ArticleStore, geoparse: Geoparse) -> None:
    """Build, geoparse and store an article; a failure is one message in the dialog."""
    try:
        with st.spinner("Reading the article and finding its places…"):
            added = add_to_library(store, geoparse, make_article())
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
                lambda: article_from_paste(
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
            type=[suffix.lstrip(".") for suffix in UPLOAD_SUFFIXES],
            key="add_upload_file",
        )
        st.caption("Web pages are reduced to the article's text, title and date. PDF is not read.")
        if st.form_submit_button("Add to the library", type="primary"):
            if upload is None:
                st.error("Choose a file first.", icon=":material/error:")
            else:
                _try_add(
                    lambda: article_from_upload(
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
            _try_add(lambda: article_from_link(url, settings), store, geoparse)


def show_add_note() -> None:
    """The line saying which article the dialog just added (once)."""
    note = st.session_state.pop(ADD_NOTE_KEY, None)
    if note:
        st.toast(plain_markdown(note), icon=":material/check_circle:")
