"""The first start: the one-time gazetteer build reports each step, so the page can show it."""

from __future__ import annotations

from pathlib import Path

from frontline.gazetteer import INDEX_FILE, Gazetteer, ensure_index, index_is_current
from frontline.gazetteer_build import add_continents, add_countries, build_index


def test_the_build_reports_each_step_then_done(tmp_path: Path) -> None:
    heard: list[tuple[int, int, str]] = []
    build_index(
        tmp_path / INDEX_FILE,
        builders=(add_countries, add_continents),
        progress=lambda done, steps, step: heard.append((done, steps, step)),
    )
    assert heard == [
        (0, 3, "countries"),
        (1, 3, "continents"),
        (2, 3, "writing the index"),
        (3, 3, "done"),
    ]
    assert [match.candidate.name for match in Gazetteer(tmp_path / INDEX_FILE).candidates("Europe")]


def test_a_current_index_is_not_built_again(cache_dir: Path, gazetteer: Gazetteer) -> None:
    heard: list[str] = []
    assert index_is_current(gazetteer.path.parent)
    ensure_index(gazetteer.path.parent, progress=lambda done, steps, step: heard.append(step))
    assert heard == []
    assert not index_is_current(cache_dir / "no-index-here")
