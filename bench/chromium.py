"""Debian's Chromium for the browser tests and benchmarks: one path, one set of flags.

The background-networking flags keep Chromium from reaching out on a closed network.
"""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
