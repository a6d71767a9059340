"""``geoparse --online``: names the gazetteer lacks are looked up with the geocoder, in a real
process, against a Nominatim look-alike on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO_ROOT
from .nominatim_server import FRONT_NOT_PLACES, FRONT_TEXT, AnswerEverything, closed_port_domain

# Each test starts a CLI process (which loads spaCy).
pytestmark = pytest.mark.slow


def run_online(domain: str, cache_dir: Path, settings: Any) -> subprocess.CompletedProcess[str]:
    # A cache folder of its own (so no earlier answer is reused) that shares the built gazetteer.
    cache_dir.mkdir(exist_ok=True)
    gazetteer_link = cache_dir / settings.gazetteer_dir.name
    if not gazetteer_link.exists():
        gazetteer_link.symlink_to(settings.gazetteer_dir, target_is_directory=True)
    env = {
        **os.environ,
        "FRONTLINE_CACHE_DIR": str(cache_dir),
        "FRONTLINE_GEOCODER_DOMAIN": domain,
        "FRONTLINE_GEOCODER_SCHEME": "http",
        "FRONTLINE_HTTP_TIMEOUT_S": "2",
    }
    return subprocess.run(
        [sys.executable, "-m", "frontline", "geoparse", "-", "--online"],
        input=FRONT_TEXT,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=300,
        check=False,
    )


def test_online_places_the_names_the_gazetteer_lacks(
    tmp_path: Path, settings: Any, gazetteer: Any
) -> None:

    with AnswerEverything() as server:
        completed = run_online(server.domain, tmp_path / "cache", settings)
    assert completed.returncode == 0, completed.stderr
    places = {place["name"]: place for place in json.loads(completed.stdout)["places"]}
    klishchiivka = places["Klishchiivka"]
    assert (klishchiivka["lat"], klishchiivka["lon"]) == server.point_for("Klishchiivka")
    assert any("geocoder: Nominatim" in line for line in klishchiivka["evidence"])
    # The gazetteer's own match stays, and the geocoder was never asked about it.
    assert places["Pokrovsk"]["geonameid"] is not None
    assert not any(query.startswith("Pokrovsk") for query in server.sent())
    for name in FRONT_NOT_PLACES:
        assert name not in places


def test_online_with_the_geocoder_out_of_reach_says_so_once(
    tmp_path: Path, settings: Any, gazetteer: Any
) -> None:
    completed = run_online(closed_port_domain(), tmp_path / "cache", settings)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.count("frontline: online look-up unavailable") == 1, completed.stderr
    places = {place["name"]: place for place in json.loads(completed.stdout)["places"]}
    assert places["Pokrovsk"]["geonameid"] is not None
    assert places.get("Klishchiivka", {}).get("lat") is None
