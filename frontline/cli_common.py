"""What every command of ``python -m frontline`` shares: exit statuses, the one-line error
report, and the wording of options both command groups take."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frontline.errors import FrontlineError
from frontline.settings import Settings
from frontline.store import ArticleStore
from frontline.terminal import printable

if TYPE_CHECKING:
    from frontline.country_data import CountryDataHint
    from frontline.service import LookupFailure

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
    report_note(f"online look-up unavailable ({detail}); going on with the offline gazetteer")


def report_note(text: str) -> None:
    """One line of the project's own on standard error; the names, sources and servers'
    words in it are untrusted, so their controls are shown escaped."""
    print(f"frontline: {printable(text)}", file=sys.stderr)


def lookup_failure_note(failure: LookupFailure, hint: CountryDataHint | None = None) -> str:
    """The one line for a name the online geocoder failed on: what failed, and what the
    reader can do (the country's full data, when ``hint`` offers it for the name)."""
    remedy = "try again later"
    if hint is not None and failure.name in hint.names:
        remedy = f"{hint.remedy()}, or try again later"
    return (
        f"{failure.name}: not found offline, and the online look-up failed ({failure.error}); "
        f"{remedy}"
    )


def store_option() -> argparse.ArgumentParser:
    """``--store FILE``, for every command that works on the library."""
    option = argparse.ArgumentParser(add_help=False)
    option.add_argument(
        "--store",
        metavar="FILE",
        help="the library file (default: library.sqlite3 in FRONTLINE_DATA_DIR)",
    )
    return option


def open_store(
    arguments: argparse.Namespace,
    settings: Settings,
    *,
    create: bool = False,
    check_every_page: bool = False,
) -> ArticleStore:
    """The library; only the commands that add to it create one, the others never make
    files. ``check_every_page``: read all of it for damage (``library check``)."""
    path = Path(arguments.store).expanduser() if arguments.store else settings.store_path
    if create:
        return ArticleStore(path)
    return ArticleStore.existing(path, check_every_page=check_every_page)


def progress_bar(unit: str, total: int | None = None) -> Any:
    """A progress bar on standard error while it is a terminal (tqdm), silent otherwise, so
    scripts and cron mail get only the lines that matter."""
    from tqdm import tqdm

    return tqdm(total=total, unit=f" {unit}", file=sys.stderr, disable=None, leave=False)
