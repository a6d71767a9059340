"""The sidebar's "Every village" section: what GeoNames' full data for a country adds, how
large the download is, a button that adds it, and which names of this article need it.

The work is ``frontline.country_data`` (download through the network policy, checks, rebuild);
this view only says what it does and calls it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.markup import plain_markdown
from frontline.country_data import CountryDataHint, add_countries, country_data_hint, offers
from frontline.errors import FrontlineError
from frontline.gazetteer import Gazetteer
from frontline.model import GeoparseResult
from frontline.settings import Settings

HEADER = "Every village"
COUNTRY_NAMES = {"UA": "Ukraine", "RU": "Russia"}


def button_label(code: str, download_mb: float) -> str:
    country = COUNTRY_NAMES.get(code, code)
    return f"Add every village of {country} (about {download_mb:.0f} MB download)"


def hint_for(result: GeoparseResult, gazetteer: Gazetteer) -> CountryDataHint | None:
    return country_data_hint(result, gazetteer.merged_countries())


def show_sidebar(
    settings: Settings,
    result: GeoparseResult,
    gazetteer: Gazetteer,
    *,
    on_added: Callable[[], None],
) -> None:
    with st.sidebar:
        st.header(HEADER)
        st.caption(
            "The offline gazetteer holds towns of 500+ people. GeoNames' full data for a "
            "country adds every village, raion and hromada, with their Ukrainian and Russian "
            "names (GeoNames, CC BY 4.0), downloaded once."
        )
        hint = hint_for(result, gazetteer)
        if hint is not None:
            # Names come from the article: shown as plain text, never as markdown.
            st.text("Not found in this article: " + ", ".join(hint.names))
        for offer in offers(settings.gazetteer_dir):
            if offer.installed:
                st.text(f"{COUNTRY_NAMES.get(offer.code, offer.code)}: every village is in.")
                continue
            if st.button(
                button_label(offer.code, offer.download_mb),
                key=f"country_data_{offer.code}",
                help=f"Adds {offer.places}; rebuilds the index (a minute or two).",
            ):
                try:
                    with st.spinner(f"Downloading and adding GeoNames' {offer.code} data…"):
                        add_countries(settings, codes=(offer.code,))
                except FrontlineError as error:
                    st.error(plain_markdown(error))
                else:
                    on_added()
                    st.rerun()
