"""Which place(s) the reader is looking at: set by a marker click or a table row.

streamlit-folium returns the last click again on every rerun, whatever caused the rerun.
A click counts only when its counter differs from the last one handled, so clicking the
same marker twice is two clicks and a filter change is none.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping, Sequence
from typing import Any

from components.catalog import Catalog
from components.place_map import MapView, MarkerClick, view_for

FOCUS_KEY = "focus_places"
CLICKS_SEEN_KEY = "map_clicks_seen"
TABLE_GENERATION_KEY = "place_table_generation"
TABLE_SEEN_KEY = "place_table_seen"
FOCUS_SOURCE_KEY = "focus_source"
FITTED_VIEW_KEY = "map_fitted_view"
VIEW_KEY = "map_view"
VIEW_SIGNATURE_KEY = "map_view_signature"
VIEW_FOCUS_KEY = "map_view_focus"


def take_new_click(
    state: MutableMapping[Any, Any], click: MarkerClick | None, seen_key: str = CLICKS_SEEN_KEY
) -> MarkerClick | None:
    """``click`` if it has not been handled yet, else None (each map counts under its key)."""
    if click is None:
        # A new map (first run, or a remount) starts counting from zero again.
        state[seen_key] = 0
        return None
    if click.count == state.get(seen_key):
        return None
    state[seen_key] = click.count
    return click


def focus(state: MutableMapping[Any, Any], shown: Sequence[str]) -> tuple[str, ...]:
    """The focused places that are still shown (a filter may have removed some)."""
    kept = tuple(name for name in state.get(FOCUS_KEY, ()) if name in shown)
    state[FOCUS_KEY] = kept
    return kept


def focus_from_map(state: MutableMapping[Any, Any], name: str) -> None:
    state[FOCUS_KEY] = (name,)
    state[FOCUS_SOURCE_KEY] = "map"
    # The table cannot be told which rows to select; give it a fresh selection instead of
    # leaving an older one that disagrees with the map.
    state[TABLE_GENERATION_KEY] = state.get(TABLE_GENERATION_KEY, 0) + 1


def focus_from_table(state: MutableMapping[Any, Any], names: Sequence[str]) -> None:
    state[FOCUS_KEY] = tuple(names)
    state[FOCUS_SOURCE_KEY] = "table"


def clear_focus(state: MutableMapping[Any, Any]) -> None:
    state[FOCUS_KEY] = ()
    state[TABLE_GENERATION_KEY] = state.get(TABLE_GENERATION_KEY, 0) + 1


def table_key(state: MutableMapping[Any, Any], rows: Sequence[str]) -> str:
    """A key that changes with the rows: a selection never outlives the rows it was made on."""
    digest = hashlib.sha1("\x1f".join(rows).encode()).hexdigest()[:10]
    return f"place_table_{state.get(TABLE_GENERATION_KEY, 0)}_{digest}"


def take_table_change(
    state: MutableMapping[Any, Any], key: str, names: tuple[str, ...]
) -> tuple[str, ...] | None:
    """The table's selected names if they changed since the last run, else None."""
    previous = state.get(TABLE_SEEN_KEY)
    state[TABLE_SEEN_KEY] = (key, names)
    if previous is None or previous[0] != key:
        # A fresh table starts empty: nothing was chosen in it yet.
        return names or None
    return names if names != previous[1] else None


def map_view(
    state: MutableMapping[Any, Any],
    catalog: Catalog,
    shown: Sequence[str],
    focused: Sequence[str],
    *,
    filtered: bool,
) -> MapView:
    """Where the map looks. It fits the shown places when they change: where they cluster
    when the reader has not filtered (``frontline.first_view``; "Show all places" on the map
    reaches the rest), all of them when the reader has chosen them. A row chosen in the table
    brings its place to the centre at the same zoom (a marker clicked is already in sight).
    Nothing else moves it, so the reader's own panning and zooming stay."""
    signature = (tuple(shown), filtered)
    if state.get(VIEW_SIGNATURE_KEY) != signature or VIEW_KEY not in state:
        state[VIEW_SIGNATURE_KEY] = signature
        state[FITTED_VIEW_KEY] = state[VIEW_KEY] = view_for(
            catalog, shown, theatre_only=not filtered
        )
    from_table = state.get(FOCUS_SOURCE_KEY) == "table"
    if focused and from_table and state.get(VIEW_FOCUS_KEY) != tuple(focused):
        # The place itself at the centre (below the legend's band at any zoom).
        centre = view_for(catalog, focused, top_padding_px=0, padding_px=0).center
        state[VIEW_KEY] = MapView(centre, state[FITTED_VIEW_KEY].zoom)
    state[VIEW_FOCUS_KEY] = tuple(focused)
    view: MapView = state[VIEW_KEY]
    return view
