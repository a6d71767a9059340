"""What every browser test shares: the marks that skip without Debian's Chromium, the time
limits, and how to find the map's frame and a marker in it."""

from __future__ import annotations

from typing import Any

import pytest

from bench.chromium import CHROMIUM

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOAD_TIMEOUT_MS = 90_000
UPDATE_TIMEOUT_MS = 30_000


def expect() -> Any:
    # Imported late: without Playwright installed the module still imports and the marks skip.
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def map_frame(page: Any) -> Any:
    return page.frame_locator(MAP_IFRAME)


def marker(page: Any, name: str) -> Any:
    return map_frame(page).locator(f'img.leaflet-marker-icon[title="{name}"]')
