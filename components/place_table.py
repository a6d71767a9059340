"""The table of places, in step with the map: a selected row focuses its place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from components.catalog import KIND_LABELS, Catalog, country_name, mention_count
from frontline.model import TerritoryStatus
from frontline.naming import as_written


def territory_distance_km(territory: TerritoryStatus | None) -> float | None:
    """Free: to occupied territory; occupied: to its edge (front line, border or coast)."""
    if territory is None:
        return None
    if territory.status == "occupied":
        edge = territory.distance_to_edge_km
        return round(edge, 1) if edge is not None else 0.0
    return round(territory.distance_km, 1)


# How numbers read in the table; a missing one (a country's distance, a landmark's GeoNames
# id) is an empty cell, never "None".
NUMBER_FORMATS = {
    "Latitude": "{:.4f}",
    "Longitude": "{:.4f}",
    "Score": "{:.2f}",
    "Distance (km)": "{:.1f}",
    "GeoNames ID": "{:.0f}",
}


def _present(frame: pd.DataFrame) -> list[str]:
    return [column for column in NUMBER_FORMATS if column in frame.columns]


def styled_places(frame: pd.DataFrame) -> Any:
    """The frame as the table shows it (a pandas Styler: numbers formatted, gaps empty)."""
    return frame.style.format(NUMBER_FORMATS, na_rep="", subset=_present(frame))


def has_gaps(frame: pd.DataFrame) -> bool:
    return bool(frame[_present(frame)].isna().to_numpy().any())


def places_frame(catalog: Catalog, names: Sequence[str]) -> pd.DataFrame:
    rows = []
    for name in names:
        place = catalog.places[name]
        candidate = place.candidate
        territory = place.territory
        rows.append(
            {
                "Place": name,
                # A town in Ukraine is shown by its official name; the article's spelling here.
                "In the article": as_written(place) or "",
                "Kind": KIND_LABELS.get(place.feature, place.feature),
                "Region": (candidate.admin1 if candidate else None) or "",
                "Country": country_name(candidate.country_code if candidate else None),
                "Mentions": mention_count(place),
                "Latitude": place.lat,
                "Longitude": place.lon,
                "Score": round(place.score, 2),
                "Status": territory.status if territory else "",
                "Distance (km)": territory_distance_km(territory),
                "GeoNames ID": candidate.geonameid if candidate else None,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty or not frame["Status"].astype(bool).any():
        frame = frame.drop(columns=["Status", "Distance (km)"], errors="ignore")
    return frame


def show_table(
    catalog: Catalog, names: Sequence[str], focused: Sequence[str], *, key: str
) -> tuple[str, ...]:
    """Show the table; returns the names of the selected rows."""
    frame = places_frame(catalog, names)
    chosen = set(focused)

    def mark_focused(row: pd.Series) -> list[str]:
        style = "background-color: rgba(255, 171, 145, .45)" if row["Place"] in chosen else ""
        return [style] * len(row)

    # A Styler costs the rerun ~20 ms on a sample-sized table; the column formats below do
    # the same for a table with no gaps and nothing focused.
    styled: Any = frame
    if has_gaps(frame) or (chosen and not frame.empty):
        styled = styled_places(frame)
    if chosen and not frame.empty:
        styled = styled.apply(mark_focused, axis=1)
    event = st.dataframe(
        styled,
        key=key,
        on_select="rerun",
        selection_mode="multi-row",
        hide_index=True,
        width="stretch",
        column_config={
            "Latitude": st.column_config.NumberColumn(format="%.4f"),
            "Longitude": st.column_config.NumberColumn(format="%.4f"),
            "GeoNames ID": st.column_config.NumberColumn(format="%d"),
            "Distance (km)": st.column_config.NumberColumn(
                format="%.1f",
                help=(
                    "Free places: to the nearest occupied territory. Occupied places: to the "
                    "edge of occupied territory, which also follows the state border and the coast."
                ),
            ),
            "Score": st.column_config.NumberColumn(
                format="%.2f", help="How sure the resolver is of this entry (0 to 1)"
            ),
        },
    )
    rows = event.selection.rows if event is not None else []
    return tuple(frame["Place"].iloc[row] for row in rows if row < len(frame))
