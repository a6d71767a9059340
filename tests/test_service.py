"""The use cases: the steps run in one fixed order, and the library commands use them too
(``library export --online``), with real parts: the spaCy model, the gazetteer, a snapshot
written for the test and a Nominatim look-alike on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from frontline import service
from frontline.article import article_from_text
from frontline.corrections import MovePin, RemovePlace
from frontline.store import ArticleStore

from . import snapshot_fixtures
from .conftest import REPO_ROOT
from .nominatim_server import AnswerEverything

HORLIVKA = 707753
TEXT = (
    "Shelling hit Pokrovsk on Monday. Ships crossed the Mediterranean and the Black Sea, "
    "and drones flew over Kharkiv."
)


def local_settings(settings: Any, server: AnswerEverything, tmp_path: Path) -> Any:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / settings.gazetteer_dir.name).symlink_to(settings.gazetteer_dir)
    return replace(settings, cache_dir=cache, geocoder_domain=server.domain, geocoder_scheme="http")


def test_corrections_then_the_online_look_up_then_the_front_line(
    geoparser: Any, gazetteer: Any, settings: Any, tmp_path: Path
) -> None:
    snapshot = snapshot_fixtures.write_snapshot(
        tmp_path / "snapshots", snapshot_fixtures.LATER_DATE
    )
    horlivka = gazetteer.get(HORLIVKA)
    article = article_from_text(TEXT, "test")
    with AnswerEverything() as server:
        offline: list[str] = []
        steps = service.Steps(
            corrections=[RemovePlace("Mediterranean"), MovePin("Pokrovsk", horlivka)],
            online=service.online_step(
                local_settings(settings, server, tmp_path), on_offline=offline.append
            ),
            front_line=service.front_line_step(str(snapshot), settings),
        )
        result = service.geoparse(geoparser.geoparse, article, steps)
        sent = server.sent()
    places = {place.name: place for place in result.places}
    # The reader removed the Mediterranean before the look-up: it was never sent.
    assert "Mediterranean" not in places and not any("Mediterranean" in q for q in sent)
    assert offline == []
    # The pin moved before the front line was drawn: Pokrovsk has Horlivka's status.
    pokrovsk = places["Pokrovsk"]
    assert pokrovsk.candidate is not None and pokrovsk.candidate.geonameid == HORLIVKA
    assert pokrovsk.territory is not None and pokrovsk.territory.status == "occupied"
    assert places["Kharkiv"].territory is not None
    assert places["Kharkiv"].territory.status == "free"


def test_library_export_runs_the_online_look_up(
    geoparser: Any, settings: Any, tmp_path: Path
) -> None:
    article = article_from_text(TEXT, "test")
    store_path = tmp_path / "library.sqlite3"
    with ArticleStore(store_path) as store:
        article_id = store.add(article, geoparser.geoparse(article))
    with AnswerEverything() as server:
        local = local_settings(settings, server, tmp_path)
        environment = {
            **os.environ,
            "FRONTLINE_CACHE_DIR": str(local.cache_dir),
            "FRONTLINE_GEOCODER_DOMAIN": server.domain,
            "FRONTLINE_GEOCODER_SCHEME": "http",
        }
        exported = {}
        for switch in ("--no-online", "--online"):
            export = ["library", "export", str(article_id), "--format", "json", switch]
            completed = subprocess.run(
                [sys.executable, "-m", "frontline", *export, "--store", str(store_path)],
                capture_output=True,
                text=True,
                cwd=REPO_ROOT,
                env=environment,
                timeout=300,
                check=False,
            )
            assert completed.returncode == 0, completed.stderr
            exported[switch] = {p["name"]: p for p in json.loads(completed.stdout)["places"]}
    assert exported["--no-online"]["Mediterranean"]["lat"] is None
    online = exported["--online"]["Mediterranean"]
    assert (online["lat"], online["lon"]) == server.point_for("Mediterranean")
    assert "geocoder: Nominatim" in online["evidence"]
