"""The sidebar filter: a multiselect of the article's places and a search in any spelling.

The selection lives in the URL as one repeatable ``place`` parameter holding the display
names (``?place=Pokrovsk&place=Budapest``): a copied link opens the same view.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

import streamlit as st

from components.catalog import Catalog
from components.markup import plain_markdown
from frontline.model import POINT_FEATURES

FILTER_KEY = "place_filter"
SEARCH_KEY = "place_search"
SEARCH_NOTE_KEY = "place_search_note"
# The places the search box put in the filter: the next search (or an emptied box) takes
# them out again, so the filter follows the box instead of piling up.
SEARCH_ADDED_KEY = "place_search_added"
HINT_PLACES = 3
URL_PARAM = "place"

Search = Callable[[str], tuple[str, ...]]


def restore_filter(
    state: MutableMapping[Any, Any], catalog: Catalog, url_places: list[str]
) -> list[str]:
    """The filter for this run: from the URL on a session's first run, else the widget's
    own value; names that are not places of this article are dropped (and returned)."""
    wanted = url_places if FILTER_KEY not in state else list(state[FILTER_KEY])
    kept = list(catalog.known(wanted))
    state[FILTER_KEY] = kept
    return [name for name in wanted if name not in catalog.places]


def apply_search(state: MutableMapping[Any, Any], search: Search) -> None:
    """Put the places the search box names in the filter, in place of those the previous
    search put there (an ``on_change`` callback); an emptied box takes them out."""
    query = str(state.get(SEARCH_KEY, "")).strip()
    previous = set(state.pop(SEARCH_ADDED_KEY, ()))
    kept = [name for name in state.get(FILTER_KEY, []) if name not in previous]
    found = search(query) if query else ()
    state[FILTER_KEY] = list(dict.fromkeys([*kept, *found]))
    state[SEARCH_ADDED_KEY] = tuple(name for name in found if name not in kept)
    if not query:
        state.pop(SEARCH_NOTE_KEY, None)
    elif not found:
        state[SEARCH_NOTE_KEY] = ("warning", f"No place in this article matches “{query}”.")
    else:
        state[SEARCH_NOTE_KEY] = ("info", f"“{query}” → {', '.join(found)}")


def search_hint(catalog: Catalog) -> str:
    """The search box's example: the open article's own most-named towns, so it finds them."""
    names = [
        name for name in catalog.by_frequency() if catalog.places[name].feature in POINT_FEATURES
    ][:HINT_PLACES]
    return "e.g. " + ", ".join(names) if names else "a place name, in any spelling"


def show_place_filter(catalog: Catalog, search: Search) -> tuple[str, ...]:
    """Sidebar widgets; returns the places chosen (empty: all places)."""
    unknown = restore_filter(st.session_state, catalog, st.query_params.get_all(URL_PARAM))
    with st.sidebar:
        st.header("Places")
        st.text_input(
            "Find a place (any spelling)",
            key=SEARCH_KEY,
            placeholder=search_hint(catalog),
            on_change=apply_search,
            args=(st.session_state, search),
            help=(
                "Matches other spellings and old names through the gazetteer, and adds the "
                "place to the filter."
            ),
        )
        note = st.session_state.get(SEARCH_NOTE_KEY)
        if note:
            kind, text = note
            (st.warning if kind == "warning" else st.caption)(plain_markdown(text))
        chosen = st.multiselect(
            "Show only these places",
            options=list(catalog.by_frequency()),
            key=FILTER_KEY,
            format_func=catalog.label,
            placeholder="All places",
        )
        if unknown:
            st.warning("Not in this article: " + plain_markdown(", ".join(unknown)))
    selection = tuple(chosen)
    write_url(selection)
    return selection


def write_url(selection: tuple[str, ...]) -> None:
    current = st.query_params.get_all(URL_PARAM)
    if list(selection) == current:
        return
    if selection:
        st.query_params[URL_PARAM] = list(selection)
    elif URL_PARAM in st.query_params:
        del st.query_params[URL_PARAM]
