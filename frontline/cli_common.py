"""What every command of ``python -m frontline`` shares: exit statuses, the one-line error
report, and the wording of options both command groups take."""

from __future__ import annotations

import sys

from frontline.errors import FrontlineError
from frontline.terminal import printable

EXIT_ERROR = 2
EXIT_INTERNAL = 70
TERRITORY_HELP = (
    "occupied-territory snapshot: a GeoJSON file, a folder of them, a URL, or 'auto' "
    "(by article date: FRONTLINE_TERRITORY_DIR, then the cache, then the origin if "
    "FRONTLINE_TERRITORY_FETCH=1)"
)
ONLINE_HELP = (
    "look up names the gazetteer lacks with the online geocoder "
    "(default: FRONTLINE_ONLINE_GEOCODING)"
)
DEMONYMS_HELP = "count 'Ukrainian' as a mention of Ukraine (default: on)"


def report_error(error: FrontlineError) -> None:
    """The one line on standard error that every failure gets."""
    print(f"frontline: error: {printable(error)}", file=sys.stderr)


def report_offline(detail: str) -> None:
    """The one line that says the online look-up is out of reach (once per run)."""
    print(
        f"online look-up unavailable ({printable(detail)}); going on with the offline gazetteer",
        file=sys.stderr,
    )


def report_lookup_failure(message: str) -> None:
    """The one line per article saying the geocoder failed on some of its names."""
    print(printable(message), file=sys.stderr)
