"""The page of one article: its header, the map layers in the sidebar, the map, the places
(table, exports, corrections) and the text beside them (context, excerpts, the article).

Views only: the result comes in already geoparsed, corrected and looked up (the use cases
in ``frontline.service``, wired by ``app.py``); each function draws one part of the page
in the container it is called in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import streamlit as st

from components import corrections_panel, excerpts, focus, frontline_panel, place_map, place_table
from components.catalog import (
    BROAD_KINDS,
    BROAD_LAYER_NAME,
    BROAD_MANY,
    BROAD_ONE,
    Catalog,
    counted,
)
from components.export_buttons import show_exports
from components.markup import plain_markdown
from components.offline_assets import OfflineAssets
from frontline.article import display_title
from frontline.corrections import CorrectionReport
from frontline.export import to_csv, to_geojson
from frontline.model import Article, GeoparseResult
from frontline.settings import Settings
from frontline.store import ArticleStore, StoredArticle

MAP_KEY = "place_map"
MAP_HEIGHT = 540


@dataclass(frozen=True, slots=True)
class MapLayers:
    """The sidebar's layer choices: wide areas shown or not, and the front line's layers
    (with the result whose places now carry their front-line status)."""

    show_broad: bool
    front: frontline_panel.FrontLine


@dataclass(frozen=True, slots=True)
class Listing:
    """Which places the page shows: ``listed`` (the filter's choice, or every place) and,
    of those, ``shown`` on the map."""

    catalog: Catalog
    selection: Sequence[str]
    listed: Sequence[str]
    shown: list[str]


@dataclass(frozen=True, slots=True)
class Library:
    """The open article as stored, with its corrections' report, the library it is in and
    the gazetteer search the correction tools use."""

    stored: StoredArticle
    report: CorrectionReport
    store: ArticleStore
    find_entries: Any


def show_header(article: Article, catalog: Catalog) -> None:
    """The article's title, and its source, date and count of places."""
    st.title(plain_markdown(display_title(article.title, article.source)))
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


def show_map_layers(settings: Settings, result: GeoparseResult) -> MapLayers:
    """The sidebar's "Map layers" section (call inside the sidebar)."""
    st.header("Map layers")
    show_broad = st.toggle(
        BROAD_LAYER_NAME,
        value=False,
        key="show_broad",
        help="Kept off by default so that they do not crowd the map.",
    )
    # Layers from other modules add their toggles here and their FeatureGroups below.
    front = frontline_panel.show_front_line(settings, result)
    return MapLayers(show_broad, front)


def listing(catalog: Catalog, selection: Sequence[str], show_broad: bool) -> Listing:
    listed = selection or catalog.names
    shown = [
        name
        for name in listed
        if catalog.places[name].has_point
        and (show_broad or catalog.places[name].feature not in BROAD_KINDS)
    ]
    return Listing(catalog, selection, listed, shown)


def show_map(
    settings: Settings,
    article: Article,
    places: Listing,
    layers: MapLayers,
    focused: tuple[str, ...],
) -> Any:
    """The map of the places shown, with the front line, and the captions under it; the
    marker clicked, if any (``place_map.show_map``)."""
    state = st.session_state
    catalog, listed, shown, show_broad = (
        places.catalog,
        places.listed,
        places.shown,
        layers.show_broad,
    )
    front = layers.front
    extra_layers: list[folium.FeatureGroup] = [*front.layers]
    assets = OfflineAssets.for_base_path(st.get_option("server.baseUrlPath") or "")
    first_view = place_map.view_for(catalog, catalog.mapped_names(), theatre_only=True)
    base_map = place_map.build_base_map(
        view=first_view,
        tiles_url=settings.tiles_url,
        tiles_attribution=settings.tiles_attribution,
        assets=assets,
    )
    map_layers = place_map.place_layers(catalog, shown, article, show_broad=show_broad)
    view = focus.map_view(state, catalog, shown, focused, filtered=bool(places.selection))
    click = place_map.show_map(
        base_map, [*map_layers, *extra_layers], view, key=MAP_KEY, height=MAP_HEIGHT
    )
    frontline_panel.show_captions(front)
    if not settings.tiles_url.strip():
        st.caption(
            "No tile server set (FRONTLINE_TILES_URL is empty): the map shows country "
            "outlines from Natural Earth."
        )
    hidden = [name for name in listed if not catalog.places[name].has_point]
    if hidden:
        st.caption("Not on the map (no coordinates): " + plain_markdown(", ".join(hidden)))
    return click


def follow_click(click: Any, places: Listing, focused: tuple[str, ...]) -> tuple[str, ...]:
    """The places in focus once the map's click is known (the map is drawn before it)."""
    state = st.session_state
    new_click = focus.take_new_click(state, click)
    if new_click is not None:
        name = place_map.clicked_name(new_click, places.catalog, places.shown)
        if name is not None:
            focus.focus_from_map(state, name)
            return focus.focus(state, places.listed)
    return focused


def show_places(
    article: Article, places: Listing, focused: tuple[str, ...], library: Library
) -> None:
    """The places table, the export buttons and the article's corrections."""
    state = st.session_state
    catalog, listed = places.catalog, places.listed
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
        places.selection,
        to_geojson=to_geojson,
        to_csv=to_csv,
    )
    corrections_panel.show_corrections(
        library.stored, library.report, library.store, library.find_entries
    )


def show_text(
    result: GeoparseResult, places: Listing, focused: tuple[str, ...], library: Library
) -> None:
    """The context of the places in focus (with their correction tools), the excerpts of
    the places listed, and the whole article."""
    state = st.session_state
    article, catalog, selection = result.article, places.catalog, places.selection
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
                    name,
                    catalog.places[name],
                    library.stored,
                    library.store,
                    library.find_entries,
                    result,
                )
    st.subheader("Excerpts" if selection else "Excerpts: every place")
    with st.container(key="excerpts_panel", height=MAP_HEIGHT - 60):
        excerpts.show_excerpts(article, catalog, places.listed)
    with st.expander("Read the full article, every place highlighted"):
        excerpts.show_article(article, catalog, selection or focused)
    st.caption("Place data: GeoNames (CC BY 4.0). Map: Leaflet; tiles credited on the map.")
