"""The dashboard's "Every village" section (AppTest): it says what GeoNames' full country data
adds and how large it is, and which names of the article need it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components.country_data import HEADER, button_label

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = str(REPO_ROOT / "app.py")


@pytest.fixture
def war_report_app(
    cache_dir: Path, gazetteer: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AppTest:
    article = tmp_path / "report.txt"
    article.write_text(
        "DeepState said Russian forces progressed near Nevske and Pryiutne, west of Toretsk "
        "in Donetsk Oblast.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("FRONTLINE_TILES_URL", "")
    monkeypatch.setattr(sys, "argv", ["app.py", "--article", str(article)])
    return AppTest.from_file(APP, default_timeout=180)


def test_the_section_offers_each_country_with_its_size_and_names_the_missing_villages(
    war_report_app: AppTest,
) -> None:
    at = war_report_app.run()
    assert not at.exception, at.exception
    assert HEADER in [header.value for header in at.sidebar.header]
    labels = [button.label for button in at.sidebar.button]
    assert button_label("UA", 4.0) in labels and button_label("RU", 45.0) in labels
    assert "(about 4 MB download)" in button_label("UA", 4.0)
    texts = [text.value for text in at.text]
    assert any("Nevske" in text and "Pryiutne" in text for text in texts), texts
    assert not any("Toretsk" in text for text in texts)
