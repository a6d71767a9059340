"""Download buttons for the places currently shown, as GeoJSON and CSV."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from frontline.model import Article, Place

GeoJSONWriter = Callable[[Sequence[Place], Article], dict[str, Any]]
CSVWriter = Callable[[Sequence[Place], Article], str]


def export_stem(article: Article, selection: Sequence[str]) -> str:
    stem = Path(article.source).stem if article.source else "article"
    if selection:
        stem += "-" + "-".join(selection[:3]) + ("-etc" if len(selection) > 3 else "")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_") or "places"


def show_exports(
    places: Sequence[Place],
    article: Article,
    selection: Sequence[str],
    *,
    to_geojson: GeoJSONWriter,
    to_csv: CSVWriter,
) -> None:
    stem = export_stem(article, selection)
    left, right = st.columns(2)
    left.download_button(
        "GeoJSON",
        data=json.dumps(to_geojson(list(places), article), ensure_ascii=False, indent=1),
        file_name=f"{stem}.geojson",
        mime="application/geo+json",
        icon=":material/download:",
        width="stretch",
        key="export_geojson",
    )
    right.download_button(
        "CSV",
        data=to_csv(list(places), article),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        width="stretch",
        key="export_csv",
    )
