"""Shared fixtures: one gazetteer index and one loaded geoparser for the whole test session.

The index is built once into the repository's ignored ``.cache/`` folder (or
``FRONTLINE_TEST_CACHE_DIR``) and reused by later runs; subprocesses (the CLI, the
Streamlit server) find it through ``FRONTLINE_CACHE_DIR``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
SAMPLE_ARTICLE = REPO_ROOT / "data" / "articles" / "trump-zelensky-tomahawks.txt"
SAMPLE_GOLD = Path(__file__).parent / "trump-zelensky-tomahawks.gold.json"
TEST_CACHE_DIR = Path(os.environ.get("FRONTLINE_TEST_CACHE_DIR", REPO_ROOT / ".cache"))

# Subprocesses started by tests (CLI, Streamlit) share the session's gazetteer index and
# never reach the network for the front line.
os.environ["FRONTLINE_CACHE_DIR"] = str(TEST_CACHE_DIR)
os.environ.setdefault("FRONTLINE_TERRITORY_FETCH", "0")
os.environ.setdefault("FRONTLINE_ONLINE_GEOCODING", "0")


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    TEST_CACHE_DIR.mkdir(parents=True, exist_ok=True)
    return TEST_CACHE_DIR


@pytest.fixture(scope="session")
def settings(cache_dir: Path) -> Any:
    from frontline.settings import Settings

    return Settings(cache_dir=cache_dir, data_dir=cache_dir / "data")


@pytest.fixture(scope="session")
def gazetteer(settings: Any) -> Any:
    from frontline.gazetteer import Gazetteer

    return Gazetteer.open(settings.gazetteer_dir)


@pytest.fixture(scope="session")
def geoparser(settings: Any, gazetteer: Any) -> Any:
    from frontline.pipeline import Geoparser

    return Geoparser.load(settings)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"../shared is not beside the checkout ({SHARED_DIR})")
    return SHARED_DIR


@pytest.fixture(scope="session")
def sample_gold() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def sample_article() -> Any:
    from frontline.article import article_from_file

    return article_from_file(SAMPLE_ARTICLE)


@pytest.fixture(scope="session")
def sample_result(geoparser: Any, sample_article: Any) -> Any:
    return geoparser.geoparse(sample_article)
