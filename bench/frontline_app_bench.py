"""What the front line costs the dashboard per rerun (the script's run time, server side).

Every click, filter change or switch reruns ``app.py``; this measures, with Streamlit's
``AppTest`` on the sample article and warm caches, the median time of a rerun that changes
the place filter, for:

- no front line (no snapshot anywhere: the app as it was before the front line, plus one note);
- the front line from ``../shared/frontline`` (occupied layer, statuses, legend), cached;
- the same with the "what changed hands" layer on (30 days earlier), cached;
- peer: the same two with the front line's caches bypassed (every rerun loads, simplifies,
  compares and annotates again), measured in the same run.

    .venv/bin/python -m bench.frontline_app_bench [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared" / "frontline"
APP = str(REPO_ROOT / "app.py")
CACHED_HELPERS = ("_provider", "_lookup", "_available", "_display", "_change", "_annotated")


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def caches_bypassed() -> Iterator[None]:
    from components import frontline_panel

    saved = {name: getattr(frontline_panel, name) for name in CACHED_HELPERS}
    for name, cached in saved.items():
        setattr(frontline_panel, name, cached.__wrapped__)
    try:
        yield
    finally:
        for name, cached in saved.items():
            setattr(frontline_panel, name, cached)


def rerun_times(runs: int, *, show_change: bool) -> list[float]:
    app = AppTest.from_file(APP, default_timeout=300)
    app.run()
    if show_change:
        app.toggle(key="show_change").set_value(True).run()
    assert not app.exception, app.exception
    times = []
    for index in range(runs + 1):
        chosen = ["Pokrovsk"] if index % 2 == 0 else []
        start = time.perf_counter()
        app.multiselect(key="place_filter").set_value(chosen).run()
        elapsed = time.perf_counter() - start
        assert not app.exception, app.exception
        if index:  # the first rerun after a switch is not a steady one
            times.append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()
    if not (SHARED / "deepstatemap_data_20251017.geojson").is_file():
        raise SystemExit(f"snapshots not found in {SHARED} (the shared test data)")
    sys.argv = ["app.py"]
    base = {
        "FRONTLINE_CACHE_DIR": os.environ.get("FRONTLINE_CACHE_DIR", str(REPO_ROOT / ".cache")),
        "FRONTLINE_TILES_URL": "",
        "FRONTLINE_TERRITORY_FETCH": "0",
    }
    results: dict[str, list[float]] = {}
    # A template nothing was ever fetched from: its cache folder (named after it) is empty.
    with environment(
        **base,
        FRONTLINE_TERRITORY_URL_TEMPLATE=f"http://127.0.0.1:9/bench-{os.getpid()}/"
        "deepstatemap_data_{date:%Y%m%d}.geojson",
    ):
        results["no front line (nothing to draw)"] = rerun_times(arguments.runs, show_change=False)
    with environment(**base, FRONTLINE_TERRITORY_DIR=str(SHARED)):
        results["front line, cached"] = rerun_times(arguments.runs, show_change=False)
        results["front line + changed hands, cached"] = rerun_times(
            arguments.runs, show_change=True
        )
        with caches_bypassed():
            results["peer: front line, no caches"] = rerun_times(arguments.runs, show_change=False)
            results["peer: front line + changed hands, no caches"] = rerun_times(
                arguments.runs, show_change=True
            )

    baseline = statistics.median(results["no front line (nothing to draw)"])
    print(f"rerun after a filter change, median of {arguments.runs} (AppTest, warm caches)")
    print("| variant | median | best | vs no front line |")
    print("|---|---:|---:|---:|")
    for label, times in results.items():
        median = statistics.median(times)
        print(
            f"| {label} | {median * 1000:.0f} ms | {min(times) * 1000:.0f} ms "
            f"| {median / baseline:.2f}x |"
        )


if __name__ == "__main__":
    main()
