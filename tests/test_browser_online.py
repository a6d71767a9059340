"""The online look-up in a real browser: Debian's Chromium, headless, driven by Playwright
against ``streamlit run app.py`` on 127.0.0.1, its geocoder pointed (FRONTLINE_GEOCODER_DOMAIN
and _SCHEME) at a Nominatim look-alike on 127.0.0.1, or at a port where nothing listens.

Every wait is for a state of the page (a marker, a message, a switch), never a fixed time."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from frontline.gazetteer import normalize_name
from tests.browser import (
    BROWSER_MARKS,
    LOAD_TIMEOUT_MS,
    UPDATE_TIMEOUT_MS,
    expect,
    marker,
)
from tests.nominatim_server import (
    FRONT_NOT_PLACES,
    FRONT_TEXT,
    AnswerEverything,
    closed_port_domain,
)

pytestmark = BROWSER_MARKS

SWITCH_LABEL = "Look up unknown names online"
UNKNOWN_NAMES = ("Klishchiivka", "Synkivka", "Soloviove")
GAZETTEER_TOWNS = ("Pokrovsk", "Kupiansk")


def front_article(directory: Path, name: str) -> Path:
    """The test article, under a name of its own: the app fixture keeps one server per path."""
    path = directory / f"{name}.txt"
    path.write_text(FRONT_TEXT, encoding="utf-8")
    return path


def start_with_geocoder(
    start_app: Any, monkeypatch: pytest.MonkeyPatch, article: Path, domain: str
) -> Any:
    # The app fixture copies this process's environment into the server's.
    monkeypatch.setenv("FRONTLINE_GEOCODER", "nominatim")
    monkeypatch.setenv("FRONTLINE_GEOCODER_DOMAIN", domain)
    monkeypatch.setenv("FRONTLINE_GEOCODER_SCHEME", "http")
    return start_app(article)


def switch_on(page: Any) -> None:
    switch = page.get_by_role("switch", name=SWITCH_LABEL)
    expect()(switch).not_to_be_checked()
    switch.focus()
    page.keyboard.press("Space")
    expect()(switch).to_be_checked()


@pytest.fixture
def held_geocoder() -> Iterator[tuple[AnswerEverything, threading.Event]]:
    """A geocoder that answers every name, but only once the test opens the gate."""
    gate = threading.Event()
    with AnswerEverything(gate=gate) as server:
        yield server, gate


def test_a_name_the_gazetteer_lacks_gets_a_marker_once_the_switch_is_on(
    start_app: Any,
    page: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    artifacts_dir: Path,
    held_geocoder: tuple[AnswerEverything, threading.Event],
) -> None:
    geocoder, gate = held_geocoder
    app = start_with_geocoder(
        start_app, monkeypatch, front_article(tmp_path, "online-found"), geocoder.domain
    )
    page.goto(app.url)
    marker(page, "Pokrovsk").wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
    for name in UNKNOWN_NAMES:
        expect()(marker(page, name)).to_have_count(0)
    assert geocoder.sent() == []  # off by default: nothing goes out

    switch_on(page)
    # The answers are held back: the sidebar lists the names pending, with a progress bar,
    # and the map is there all along with the gazetteer's towns.
    pending = page.locator(".st-key-online_pending")
    expect()(pending).to_contain_text("Looking up 3 names", timeout=UPDATE_TIMEOUT_MS)
    for name in UNKNOWN_NAMES:
        expect()(pending).to_contain_text(name)
    expect()(pending.get_by_role("progressbar")).to_be_visible()
    expect()(pending).to_contain_text("0 of 3 names answered")
    for name in GAZETTEER_TOWNS:
        expect()(marker(page, name)).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "online-pending.png"), full_page=True)

    gate.set()
    for name in UNKNOWN_NAMES:
        expect()(marker(page, name)).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    summary = page.locator(".st-key-online_summary")
    expect()(summary).to_contain_text("Placed by the geocoder", timeout=UPDATE_TIMEOUT_MS)
    expect()(pending).to_have_count(0)
    for name in GAZETTEER_TOWNS:
        expect()(marker(page, name)).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "online-found.png"), full_page=True)

    sent = {normalize_name(query) for query in geocoder.sent()}
    assert sent == {normalize_name(name) for name in UNKNOWN_NAMES}
    assert not sent & {normalize_name(name) for name in FRONT_NOT_PLACES}
    assert page.dialogs == []


def test_an_unreachable_geocoder_is_reported_once_and_the_map_goes_on_offline(
    start_app: Any,
    page: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    artifacts_dir: Path,
) -> None:
    app = start_with_geocoder(
        start_app, monkeypatch, front_article(tmp_path, "online-offline"), closed_port_domain()
    )
    page.goto(app.url)
    marker(page, "Pokrovsk").wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)

    switch_on(page)
    offline_note = page.get_by_text("Online look-up unavailable")
    expect()(offline_note).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    expect()(offline_note).to_contain_text("network unreachable")
    for name in GAZETTEER_TOWNS:
        expect()(marker(page, name)).to_be_visible()
    for name in UNKNOWN_NAMES:
        expect()(marker(page, name)).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "online-offline.png"), full_page=True)

    # Another rerun (the filter narrowed to Moscow) neither repeats the message nor tries
    # the geocoder again.
    page.locator(".st-key-place_filter input").click()
    page.keyboard.type("Moscow")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect()(page).to_have_url(re.compile(r"[?&]place=Moscow\b"), timeout=UPDATE_TIMEOUT_MS)
    expect()(marker(page, "Pokrovsk")).to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
    expect()(marker(page, "Moscow")).to_have_count(1)
    expect()(offline_note).to_have_count(1)
    assert page.dialogs == []
