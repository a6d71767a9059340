"""frontline dashboard: an article's places on a map beside the sentences that name them.

    streamlit run app.py                          # the sample article
    streamlit run app.py -- --article PATH        # another article file (.txt, .md, .html)

Articles live in a library (SQLite in the data folder, FRONTLINE_DATA_DIR): the one the app
starts with is added to it, and the sidebar adds and switches between articles.

Wiring only: the library geoparses, ``components/`` draws.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from components import (
    across_articles,
    article_page,
    corrections_panel,
    country_data,
    excerpts,
    feeds_panel,
    focus,
    library_panel,
    online_lookup,
    sidebar,
)
from components.catalog import build_catalog, gazetteer_search
from components.markup import plain_markdown
from components.offline_assets import ensure_static_assets
from frontline import service
from frontline.article import article_from_file
from frontline.errors import FrontlineError
from frontline.gazetteer import ensure_index, index_is_current
from frontline.pipeline import Geoparser
from frontline.settings import Settings
from frontline.store import ArticleStore

APP_DIR = Path(__file__).resolve().parent
SAMPLE_ARTICLE = APP_DIR / "data" / "articles" / "trump-zelensky-tomahawks.txt"


def article_path(argv: Sequence[str]) -> Path:
    """``--article PATH`` from the arguments after ``--`` of ``streamlit run``."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--article", type=Path, default=SAMPLE_ARTICLE)
    known, _ = parser.parse_known_args(list(argv))
    return known.article


@st.cache_resource(show_spinner=False)
def static_assets_ready() -> bool:
    try:
        ensure_static_assets()
    except OSError as error:
        raise FrontlineError(
            f"cannot write the map's script files into {error.filename or 'static/'}: "
            f"{error.strerror}; the map needs a writable static/ folder beside app.py"
        ) from error
    return True


FIRST_BUILD = "Building the offline place-name index, once (about 35 s; later starts take a moment)"


@st.cache_resource(show_spinner=False)
def _current_indexes() -> set[str]:
    """Gazetteer folders found current in this process (checked once, not on every run)."""
    return set()


def build_gazetteer_first(settings: Settings) -> None:
    """On a fresh machine, build the gazetteer with its progress on the page, so that a
    newcomer's first visit never waits on a blank page."""
    current = _current_indexes()
    folder = str(settings.gazetteer_dir)
    if folder in current:
        return
    if index_is_current(settings.gazetteer_dir):
        current.add(folder)
        return
    bar = st.progress(0.0, text=FIRST_BUILD + "…")

    def report(done: int, steps: int, step: str) -> None:
        bar.progress(min(done / steps, 1.0), text=f"{FIRST_BUILD}: {step} ({done}/{steps})")

    ensure_index(settings.gazetteer_dir, progress=report)
    bar.empty()
    current.add(folder)


@st.cache_resource(show_spinner="Loading the language model and the gazetteer…")
def load_geoparser(settings: Settings) -> Geoparser:
    return Geoparser.load(settings)


@st.cache_resource(show_spinner=False)
def front_line_at_hand(settings: Settings) -> service.PriorFor:
    """The front line of an article's date where a snapshot is on this machine: the
    geoparse weighs namesakes in sentences about fighting with it."""
    return service.front_line_at_hand(settings)


@st.cache_resource(show_spinner=False)
def open_library(store_path: str) -> ArticleStore:
    return ArticleStore(store_path)


# Once per server and file version: the article is read, geoparsed and added to the library
# (or its stored result refreshed, the reader's corrections kept).
@st.cache_resource(show_spinner="Adding the article to the library…", max_entries=16)
def library_id_of_file(
    path: str,
    modified_ns: int,
    size: int,
    max_bytes: int,
    store_path: str,
    _store: ArticleStore,
    _geoparse: service.Geoparse,
) -> int:
    article = article_from_file(path, max_bytes=max_bytes)
    return service.add_to_library(_store, _geoparse, article).article_id


def startup_article_id(
    settings: Settings, store: ArticleStore, geoparse: service.Geoparse, path: Path
) -> int | None:
    """The library id of the article the app was started with (the sample, or
    ``--article PATH``); None, after one error line, if it cannot be read."""
    try:
        stat = path.stat()
        return library_id_of_file(
            str(path.resolve()),
            stat.st_mtime_ns,
            stat.st_size,
            settings.max_article_bytes,
            str(store.path),
            store,
            geoparse,
        )
    except OSError as error:
        st.error(plain_markdown(f"{path}: cannot open the article ({error.strerror})"))
    except FrontlineError as error:
        st.error(plain_markdown(error))
    return None


def main() -> None:
    st.set_page_config(page_title="frontline: places in the news", page_icon="🗺️", layout="wide")
    try:
        settings = Settings.from_env()
        static_assets_ready()
        build_gazetteer_first(settings)
        geoparser = load_geoparser(settings)
        geoparse = service.weighing_front_line(geoparser.geoparse, front_line_at_hand(settings))
        store = open_library(str(settings.store_path))
        startup_id = startup_article_id(settings, store, geoparse, article_path(sys.argv[1:]))
        choice = library_panel.show_library(
            store, startup_id=startup_id, geoparse=geoparse, settings=settings
        )
        with st.sidebar:
            feeds_panel.show_feeds(store, geoparse, settings)
    except FrontlineError as error:
        st.error(plain_markdown(error))
        st.stop()
    if choice.view == library_panel.ACROSS_VIEW:
        across_articles.show_across_articles(store, settings)
        return
    if choice.stored is None:
        st.info("The library is empty: add an article from the sidebar.")
        return
    # The steps after the geoparse, in the use cases' order: the reader's corrections, the
    # online look-up (in the background, when the switch is on), the front line.
    report = choice.stored.corrected()
    online = online_lookup.online_result(settings, report.result)
    result = online.result
    find_entries = corrections_panel.gazetteer_search(geoparser.gazetteer)
    library = article_page.Library(choice.stored, report, store, find_entries)
    catalog = build_catalog(result)
    excerpts.show_panel_css()
    article_page.show_header(result.article, catalog)

    selection = sidebar.show_place_filter(catalog, gazetteer_search(catalog, geoparser.gazetteer))
    online_lookup.show_sidebar(online)
    country_data.show_sidebar(settings, result, geoparser.gazetteer, on_added=load_geoparser.clear)
    with st.sidebar:
        layers = article_page.show_map_layers(settings, result)
    # The places now carry their front-line status (popups, table, exports).
    places = article_page.listing(build_catalog(layers.front.result), selection, layers.show_broad)
    focused = focus.focus(st.session_state, places.listed)

    map_column, text_column = st.columns([3, 2], gap="medium")
    with map_column:
        click = article_page.show_map(settings, result.article, places, layers, focused)
        hint = country_data.hint_for(result, geoparser.gazetteer)
        if hint is not None:
            # Names from the article: plain text, never markdown.
            st.text(f"Village data would place: {', '.join(hint.names)} (sidebar: Every village)")
    # The map is drawn before its click is known; everything drawn below follows the click.
    focused = article_page.follow_click(click, places, focused)
    with st.container():
        article_page.show_places(result.article, places, focused, library)
    with text_column:
        article_page.show_text(result, places, focused, library)


main()
