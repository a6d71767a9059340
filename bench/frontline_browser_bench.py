"""The front line's cost in the browser: the dashboard with and without it, interleaved.

Same steps as ``bench/dashboard_bench.py`` (page load to markers, filter narrow, filter
widen; Chromium headless, warm caches, tiles off), on two servers started side by side:
one with no snapshot anywhere (nothing drawn: the dashboard as before the front line), one
reading ``../shared/frontline`` (occupied layer, legend, statuses in popups and table).
Rounds alternate between the two, so that a busy machine slows both alike; the ratio is
what carries over between machines.

    .venv/bin/python -m bench.frontline_browser_bench [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from bench.dashboard_bench import measure, streamlit_server

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared" / "frontline"
STEPS = ("load", "narrow", "widen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    if not (SHARED / "deepstatemap_data_20251017.geojson").is_file():
        raise SystemExit(f"snapshots not found in {SHARED} (the shared test data)")
    from playwright.sync_api import sync_playwright

    base = dict(os.environ)
    base.setdefault("FRONTLINE_CACHE_DIR", str(REPO_ROOT / ".cache"))
    base.update(FRONTLINE_TILES_URL="", FRONTLINE_TERRITORY_FETCH="0")
    base.pop("FRONTLINE_TERRITORY_DIR", None)
    without = dict(
        base,
        FRONTLINE_TERRITORY_URL_TEMPLATE=f"http://127.0.0.1:9/bench-{os.getpid()}/"
        "deepstatemap_data_{date:%Y%m%d}.geojson",
    )
    with_line = dict(base, FRONTLINE_TERRITORY_DIR=str(SHARED))
    results: dict[str, dict[str, list[float]]] = {
        "no front line": {step: [] for step in STEPS},
        "front line": {step: [] for step in STEPS},
    }
    app = REPO_ROOT / "app.py"
    with (
        sync_playwright() as playwright,
        streamlit_server(app, without) as url_without,
        streamlit_server(app, with_line) as url_with,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(arguments.rounds):
            for label, url in (("no front line", url_without), ("front line", url_with)):
                figures = measure(browser, url, 1)
                for step in STEPS:
                    results[label][step].extend(figures[step])
        browser.close()

    print(f"median of {arguments.rounds} interleaved rounds, seconds (Chromium headless)")
    print("| variant | load → markers | filter narrow | filter widen |")
    print("|---|---:|---:|---:|")
    for label, figures in results.items():
        cells = " | ".join(f"{statistics.median(figures[step]):.2f} s" for step in STEPS)
        print(f"| {label} | {cells} |")
    ratios = " | ".join(
        f"{statistics.median(results['front line'][step]) / statistics.median(results['no front line'][step]):.2f}x"  # noqa: E501
        for step in STEPS
    )
    print(f"| front line / none | {ratios} |")


if __name__ == "__main__":
    main()
