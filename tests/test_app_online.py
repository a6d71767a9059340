"""The online switch through ``streamlit.testing.v1.AppTest``: its default comes from the
settings (FRONTLINE_ONLINE_GEOCODING), answers reach the table, and neither a rerun nor a new
session sends a name twice. The geocoder is a Nominatim look-alike on 127.0.0.1."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components.online_lookup import TOGGLE_KEY
from frontline.geocode import ONLINE_CONFIDENCE
from tests.nominatim_server import FRONT_TEXT, AnswerEverything

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = str(REPO_ROOT / "app.py")
TIMEOUT_S = 180
ANSWERS_WITHIN_S = 60.0


@pytest.fixture
def geocoder_server() -> Iterator[AnswerEverything]:
    with AnswerEverything() as server:
        yield server


@pytest.fixture
def online_app(
    cache_dir: Path,
    gazetteer: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    geocoder_server: AnswerEverything,
) -> Any:
    article = tmp_path / "front.txt"
    article.write_text(FRONT_TEXT, encoding="utf-8")
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("FRONTLINE_TILES_URL", "")
    monkeypatch.setenv("FRONTLINE_ONLINE_GEOCODING", "1")
    monkeypatch.setenv("FRONTLINE_GEOCODER_DOMAIN", geocoder_server.domain)
    monkeypatch.setenv("FRONTLINE_GEOCODER_SCHEME", "http")
    monkeypatch.setattr(sys, "argv", ["app.py", "--article", str(article)])
    return lambda: AppTest.from_file(APP, default_timeout=TIMEOUT_S)


def captions(at: AppTest) -> list[str]:
    return [element.value for element in at.caption]


def run_until_answered(at: AppTest) -> AppTest:
    """Rerun (as the app's polling fragment would) until the look-up has finished."""
    deadline = time.monotonic() + ANSWERS_WITHIN_S
    while True:
        at.run()
        assert not at.exception, at.exception
        shown = captions(at)
        finished = not any(text.startswith("Pending:") for text in shown)
        if finished and any(text.startswith("Placed by the geocoder") for text in shown):
            return at
        if time.monotonic() > deadline:
            raise AssertionError(f"no answers within {ANSWERS_WITHIN_S} s: {captions(at)}")
        time.sleep(0.2)  # polling for a state, as the app's fragment does


def test_the_switch_defaults_to_the_setting_and_answers_reach_the_table(
    online_app: Any, geocoder_server: AnswerEverything
) -> None:
    at = online_app()
    at.run()
    assert not at.exception, at.exception
    assert at.toggle(key=TOGGLE_KEY).value is True
    at = run_until_answered(at)
    table = at.dataframe[0].value.set_index("Place")
    for name in ("Klishchiivka", "Synkivka", "Soloviove"):
        lat, lon = geocoder_server.point_for(name)
        assert table.loc[name, "Latitude"] == pytest.approx(lat, abs=1e-3)
        assert table.loc[name, "Longitude"] == pytest.approx(lon, abs=1e-3)
    # Weaker than the gazetteer, and no GeoNames id: the table says where the point came from.
    assert table.loc["Klishchiivka", "Score"] == ONLINE_CONFIDENCE
    assert table.loc["Klishchiivka", "Score"] < table.loc["Pokrovsk", "Score"]
    assert table.loc["Klishchiivka", "Country"] == "Ukraine"
    sent = len(geocoder_server.sent())
    assert sent == 3

    at.run()  # a rerun of the same session
    fresh = run_until_answered(online_app())  # a new session (and, through SQLite, a restart)
    assert len(geocoder_server.sent()) == sent
    assert (
        fresh.dataframe[0].value.set_index("Place").loc["Klishchiivka", "Latitude"]
        == (table.loc["Klishchiivka", "Latitude"])
    )


def test_switching_off_leaves_the_offline_result(
    online_app: Any, geocoder_server: AnswerEverything
) -> None:
    at = run_until_answered(online_app())
    at.toggle(key=TOGGLE_KEY).set_value(False).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("Place")
    assert math.isnan(table.loc["Klishchiivka", "Latitude"])
    assert not math.isnan(table.loc["Pokrovsk", "Latitude"])
    assert not any(text.startswith("Placed by the geocoder") for text in captions(at))
