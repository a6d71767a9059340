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

import folium
import streamlit as st

from components import (
    across_articles,
    corrections_panel,
    excerpts,
    focus,
    frontline_panel,
    library_panel,
    online_lookup,
    place_map,
    place_table,
    sidebar,
)
from components.article_input import add_to_library
from components.catalog import (
    BROAD_KINDS,
    BROAD_LAYER_NAME,
    BROAD_MANY,
    BROAD_ONE,
    Catalog,
    build_catalog,
    counted,
    search_places,
)
from components.export_buttons import show_exports
from components.markup import plain_markdown
from components.offline_assets import OfflineAssets, ensure_static_assets
from frontline.article import article_from_file
from frontline.errors import FrontlineError
from frontline.export import to_csv, to_geojson
from frontline.gazetteer import fold_name, normalize_name
from frontline.pipeline import Geoparser
from frontline.settings import Settings
from frontline.store import ArticleStore

APP_DIR = Path(__file__).resolve().parent
SAMPLE_ARTICLE = APP_DIR / "data" / "articles" / "trump-zelensky-tomahawks.txt"
MAP_KEY = "place_map"
MAP_HEIGHT = 540


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


@st.cache_resource(show_spinner="Loading the language model and the gazetteer…")
def load_geoparser(settings: Settings) -> Geoparser:
    return Geoparser.load(settings)


@st.cache_resource(show_spinner=False)
def open_library(store_path: str) -> ArticleStore:
    return ArticleStore(store_path)


# Once per server and file version: the article is read, and geoparsed only if the library
# does not hold its text yet.
@st.cache_resource(show_spinner="Adding the article to the library…", max_entries=16)
def library_id_of_file(
    path: str,
    modified_ns: int,
    size: int,
    max_bytes: int,
    store_path: str,
    _store: ArticleStore,
    _geoparser: Geoparser,
) -> int:
    article = article_from_file(path, max_bytes=max_bytes)
    return add_to_library(_store, _geoparser.geoparse, article).article_id


def startup_article_id(
    settings: Settings, store: ArticleStore, geoparser: Geoparser, path: Path
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
            geoparser,
        )
    except OSError as error:
        st.error(plain_markdown(f"{path}: cannot open the article ({error.strerror})"))
    except FrontlineError as error:
        st.error(plain_markdown(error))
    return None


def search_for(catalog: Catalog, geoparser: Geoparser) -> sidebar.Search:
    def names_for(query: str) -> tuple[str, ...]:
        return search_places(
            query,
            catalog,
            normalize=lambda text: fold_name(normalize_name(text)),
            candidates=lambda text: tuple(
                match.candidate for match in geoparser.gazetteer.candidates(text)
            ),
        )

    return names_for


def main() -> None:
    st.set_page_config(page_title="frontline: places in the news", page_icon="🗺️", layout="wide")
    settings = Settings.from_env()
    try:
        static_assets_ready()
        geoparser = load_geoparser(settings)
        store = open_library(str(settings.store_path))
        startup_id = startup_article_id(settings, store, geoparser, article_path(sys.argv[1:]))
        choice = library_panel.show_library(
            store, startup_id=startup_id, geoparse=geoparser.geoparse, settings=settings
        )
    except FrontlineError as error:
        st.error(plain_markdown(error))
        st.stop()
    if choice.view == library_panel.ACROSS_VIEW:
        across_articles.show_across_articles(store)
        return
    if choice.stored is None:
        st.info("The library is empty: add an article from the sidebar.")
        return
    stored = choice.stored
    report = stored.corrected()
    # Names the gazetteer lacks, looked up online in the background when the switch is on.
    online = online_lookup.online_result(settings, report.result)
    result = online.result
    article = result.article
    find_entries = corrections_panel.gazetteer_search(geoparser.gazetteer)
    catalog = build_catalog(result)
    excerpts.show_panel_css()

    st.title(
        plain_markdown(article.title or Path(article.source).stem.replace("-", " ").capitalize())
    )
    source = Path(article.source).name if Path(article.source).exists() else article.source
    facts = [f"Source: {plain_markdown(source)}"]
    if article.date:
        facts.append(f"Date: {article.date.isoformat()}")
    broad = sum(place.feature in BROAD_KINDS for place in catalog.places.values())
    facts.append(
        counted(len(catalog.places), "place")
        + (f", of which {counted(broad, BROAD_ONE, BROAD_MANY)} (Map layers)" if broad else "")
    )
    st.caption(" · ".join(facts))

    selection = sidebar.show_place_filter(catalog, search_for(catalog, geoparser))
    online_lookup.show_sidebar(online)
    with st.sidebar:
        st.header("Map layers")
        show_broad = st.toggle(
            BROAD_LAYER_NAME,
            value=False,
            key="show_broad",
            help="Kept off by default so that they do not crowd the map.",
        )
        # Layers from other modules add their toggles here and their FeatureGroups below.
        front = frontline_panel.show_front_line(settings, result)
    # The places now carry their front-line status (popups, table, exports).
    catalog = build_catalog(front.result)
    extra_layers: list[folium.FeatureGroup] = [*front.layers]

    listed = selection or catalog.names
    shown = [
        name
        for name in listed
        if catalog.places[name].has_point
        and (show_broad or catalog.places[name].feature not in BROAD_KINDS)
    ]
    state = st.session_state
    focused = focus.focus(state, listed)

    map_column, text_column = st.columns([3, 2], gap="medium")
    with map_column:
        assets = OfflineAssets.for_base_path(st.get_option("server.baseUrlPath") or "")
        all_points = place_map.view_for(catalog, catalog.mapped_names(), show_broad=False)
        base_map = place_map.build_base_map(
            view=all_points,
            tiles_url=settings.tiles_url,
            tiles_attribution=settings.tiles_attribution,
            assets=assets,
        )
        layers = place_map.place_layers(catalog, shown, article, show_broad=show_broad)
        view = focus.map_view(state, catalog, shown, focused, show_broad=show_broad)
        click = place_map.show_map(
            base_map, [*layers, *extra_layers], view, key=MAP_KEY, height=MAP_HEIGHT
        )
        frontline_panel.show_captions(front)
        if not settings.tiles_url.strip():
            st.caption(
                "No tile server set (FRONTLINE_TILES_URL is empty): places are shown on a "
                "plain background."
            )
        hidden = [name for name in listed if not catalog.places[name].has_point]
        if hidden:
            st.caption("Not on the map (no coordinates): " + plain_markdown(", ".join(hidden)))

    # The map is drawn before its click is known; everything drawn below follows the click.
    new_click = focus.take_new_click(state, click)
    if new_click is not None:
        name = place_map.clicked_name(new_click, catalog, shown)
        if name is not None:
            focus.focus_from_map(state, name)
            focused = focus.focus(state, listed)

    with st.container():
        st.subheader("Places")
        key = focus.table_key(state, listed)
        chosen_rows = place_table.show_table(catalog, listed, focused, key=key)
        changed = focus.take_table_change(state, key, chosen_rows)
        if changed is not None:
            focus.focus_from_table(state, changed)
            st.rerun()
        st.caption("Select rows to read their context; export the places listed:")
        show_exports(
            [catalog.places[name] for name in listed],
            article,
            selection,
            to_geojson=to_geojson,
            to_csv=to_csv,
        )
        corrections_panel.show_corrections(stored, report, store, find_entries)

    with text_column:
        if focused:
            header, clear = st.columns([4, 1], vertical_alignment="bottom")
            header.subheader("Context")
            clear.button(
                "Close",
                key="clear_focus",
                help="Close the context panel",
                on_click=focus.clear_focus,
                args=(state,),
            )
            with st.container(key="context_panel", height=460):
                for name in focused:
                    excerpts.show_context(name, catalog.places[name], article)
                    corrections_panel.show_place_tools(
                        name, catalog.places[name], stored, store, find_entries, result
                    )
        st.subheader("Excerpts" if selection else "Excerpts: every place")
        with st.container(key="excerpts_panel", height=MAP_HEIGHT - 60):
            excerpts.show_excerpts(article, catalog, listed)
        with st.expander("Read the full article, every place highlighted"):
            excerpts.show_article(article, catalog, selection or focused)
        st.caption("Place data: GeoNames (CC BY 4.0). Map: Leaflet; tiles credited on the map.")


main()
