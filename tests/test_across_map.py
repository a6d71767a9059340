"""The all-articles map's markers: sized by mentions, coloured by how recent the latest
mention is, names kept out of markup."""

from __future__ import annotations

import datetime as dt

import folium

from components import across_map
from frontline.overview import PlaceTotal

END = dt.date(2025, 6, 30)


def total(name: str, mentions: int, latest: dt.date | None, lat: float | None = 50.0) -> PlaceTotal:
    return PlaceTotal(f"key:{name}", name, lat, 30.0, mentions, 1, latest, "city")


def test_recency_bands_count_days_before_the_range_end() -> None:
    colors = [
        across_map.recency_color(END - dt.timedelta(days=days), END)
        for days in (0, 7, 8, 30, 31, 90, 91, 365, 366)
    ]
    assert colors == [
        "#b71c1c", "#b71c1c", "#e64a19", "#e64a19", "#f9a825", "#f9a825",
        "#7cb342", "#7cb342", across_map.OLDER_COLOR,
    ]  # fmt: skip
    assert across_map.recency_color(None, END) == across_map.OLDER_COLOR


def test_markers_grow_with_mentions_and_leave_out_places_without_a_point() -> None:
    rows = across_map.marker_rows(
        [
            total("Kharkiv", 40, END),
            total("Odesa", 1, END - dt.timedelta(days=100)),
            total("Nowhere", 9, END, lat=None),
        ],
        END,
    )
    assert [row.title for row in rows] == ["Odesa", "Kharkiv"]  # the largest drawn last
    odesa, kharkiv = rows
    assert (odesa.size, kharkiv.size) == (across_map.MIN_SIZE_PX, across_map.MAX_SIZE_PX)
    assert (odesa.rank, kharkiv.rank) == (3, 0)
    assert kharkiv.detail == "40 mentions in 1 article, latest 2025-06-30"


def test_a_name_with_markup_stays_data_in_the_page() -> None:
    name = '</script><img src=x onerror="alert(1)">'
    page = folium.Map()
    across_map.MentionsLayer(across_map.marker_rows([total(name, 3, END)], END)).add_to(page)
    html = page.get_root().render()
    assert "</script><img" not in html and "<img src=x" not in html
    assert "\\u003c/script\\u003e\\u003cimg" in html  # inside the JSON data, escaped
