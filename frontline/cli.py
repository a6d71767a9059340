"""``python -m frontline``: geoparse articles from the command line.

Errors go to standard error as one line with a non-zero exit status, never a traceback
(``--verbose`` adds the traceback for bug reports).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from frontline import export, service
from frontline.cli_batch import add_batch_command
from frontline.cli_common import (
    DEMONYMS_HELP,
    EXIT_ERROR,
    EXIT_INTERNAL,
    ONLINE_HELP,
    TERRITORY_HELP,
    lookup_failure_note,
    report_error,
    report_note,
    report_offline,
)
from frontline.cli_feeds import add_feed_commands
from frontline.cli_library import add_library_commands
from frontline.errors import FrontlineError
from frontline.model import GeoparseResult
from frontline.settings import Settings
from frontline.terminal import printable

if TYPE_CHECKING:
    from frontline.gazetteer import Gazetteer

logger = logging.getLogger("frontline.cli")

FORMATS = export.FORMATS


def _say_what_is_not_placed(
    results: Sequence[GeoparseResult],
    failures: Sequence[Sequence[service.LookupFailure]],
    gazetteer: Gazetteer,
) -> None:
    """On standard error, per article (``failures[i]`` are ``results[i]``'s): one line for
    each name the online geocoder failed on, saying what the reader can do, then one line
    for the other names that only a country's full data would place. The output itself
    stays as the contract has it."""
    from frontline.country_data import country_data_hint

    merged = gazetteer.merged_countries()
    for result, failed in zip(results, failures, strict=True):
        prefix = f"{result.article.source}: " if len(results) > 1 else ""
        hint = country_data_hint(result, merged)
        for failure in failed:
            report_note(prefix + lookup_failure_note(failure, hint))
        rest = hint.without(failure.name for failure in failed) if hint is not None else None
        if rest is not None:
            report_note(prefix + rest.message())


def command_geoparse(arguments: argparse.Namespace, settings: Settings) -> int:
    """Geoparse every input that can be read; each failure is one line on stderr.

    The output holds the inputs that worked, and the exit status is non-zero if any failed.
    """
    from frontline.pipeline import Geoparser

    articles, failures = service.read_inputs(arguments.inputs, settings, on_error=report_error)
    if not articles:
        return EXIT_ERROR
    # The snapshot source serves the geoparse (the front line it weighs namesakes with) and
    # the front-line step (each place's status) alike.
    territory = service.front_line(arguments.territory, settings) if arguments.territory else None
    geoparser = Geoparser.load(settings, include_demonyms=arguments.demonyms)
    online = settings.online_geocoding if arguments.online is None else arguments.online
    # The names the geocoder failed on, said after the output with what to do about them.
    lookup_failures: list[service.LookupFailure] = []
    steps = service.Steps(
        online=(
            service.online_step(
                settings, on_offline=report_offline, on_failure=lookup_failures.append
            )
            if online
            else None
        ),
        front_line=territory.step if territory is not None else None,
    )
    geoparse_article: service.Geoparse = geoparser.geoparse
    if territory is not None:
        geoparse_article = service.weighing_front_line(geoparser.geoparse, territory.prior_for)
    results: list[GeoparseResult] = []
    failed_names: list[tuple[service.LookupFailure, ...]] = []
    for article in articles:
        try:
            results.append(service.geoparse(geoparse_article, article, steps))
            failed_names.append(tuple(lookup_failures))
        except FrontlineError as error:
            report_error(error)
            failures += 1
        lookup_failures.clear()
    if results:
        export.write(results, arguments.format, sys.stdout, as_list=len(arguments.inputs) > 1)
        _say_what_is_not_placed(results, failed_names, geoparser.gazetteer)
    return EXIT_ERROR if failures else 0


def command_index(arguments: argparse.Namespace, settings: Settings) -> int:
    """Build (once) and describe the gazetteer; with --country/--country-file, merge
    GeoNames' full export of those countries first."""
    from pathlib import Path

    from frontline.countries import CountryFile, credit
    from frontline.country_data import add_countries
    from frontline.gazetteer import Gazetteer

    codes = tuple(code.upper() for code in arguments.country or ())
    files = tuple(Path(file) for file in arguments.country_file or ())
    added: tuple[CountryFile, ...] = ()
    if codes or files:
        added = add_countries(settings, codes=codes, files=files)
    gazetteer = Gazetteer.open(settings.gazetteer_dir)
    info = gazetteer.info()
    report: dict[str, object] = {
        "path": str(info.path),
        "size_bytes": info.size_bytes,
        "entries": info.entries,
        "names": info.names,
        "built_seconds": info.built_seconds,
        "countries": list(gazetteer.merged_countries()),
    }
    if added:
        report["added"] = [{"country": a.code, "rows": a.rows, "file": str(a.path)} for a in added]
        report["credit"] = credit()
    print(json.dumps(report, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m frontline",
        description="Find the places an article names and relate them to the front line.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)

    geoparse = commands.add_parser("geoparse", help="geoparse article files, URLs or - (stdin)")
    geoparse.add_argument("inputs", nargs="+", metavar="PATH", help="file, URL, or - for stdin")
    geoparse.add_argument("--format", choices=FORMATS, default="json")
    geoparse.add_argument(
        "--territory",
        metavar="SOURCE",
        help=TERRITORY_HELP,
    )
    geoparse.add_argument(
        "--demonyms", action=argparse.BooleanOptionalAction, default=True, help=DEMONYMS_HELP
    )
    geoparse.add_argument(
        "--online", action=argparse.BooleanOptionalAction, default=None, help=ONLINE_HELP
    )
    geoparse.set_defaults(handler=command_geoparse)

    index = commands.add_parser("index", help="build (once) and describe the offline gazetteer")
    index.add_argument(
        "--country",
        action="append",
        metavar="CODE",
        help="download GeoNames' full export of a country (UA, RU) and merge every "
        "settlement and district into the index (repeatable)",
    )
    index.add_argument(
        "--country-file",
        action="append",
        metavar="ZIP",
        help="merge a GeoNames country export carried in (UA.zip), as --country does",
    )
    index.set_defaults(handler=command_index)

    add_library_commands(commands)
    add_feed_commands(commands)
    add_batch_command(commands)
    return parser


class _OneLine(logging.Formatter):
    """Each record on one line, control characters escaped (tracebacks only with -v)."""

    def __init__(self, *, verbose: bool) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        if self.verbose:
            return super().format(record)
        message = " ".join(record.getMessage().split())
        return printable(f"{record.levelname} {record.name}: {message}")


def _ours(record: logging.LogRecord) -> bool:
    return record.name == "frontline" or record.name.startswith("frontline.")


def configure_logging(*, verbose: bool) -> None:
    """Standard error gets one line per event. Without ``verbose`` only this project's
    warnings are shown: other libraries' logs and Python warnings (trafilatura's "empty HTML
    tree", geopy's and shapely's warnings) are either noise or failures the CLI reports
    itself in its own line; with ``verbose`` everything is shown, tracebacks included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine(verbose=verbose))
    if not verbose:
        handler.addFilter(_ours)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.captureWarnings(True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    configure_logging(verbose=arguments.verbose)
    try:
        settings = Settings.from_env()
        handler: Callable[[argparse.Namespace, Settings], int] = arguments.handler
        return handler(arguments, settings)
    except FrontlineError as error:
        report_error(error)
        if arguments.verbose:
            logger.exception("details")
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("frontline: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # a bug: still one line, the traceback only on request
        print(
            f"frontline: internal error: {type(error).__name__}: {printable(error)}",
            file=sys.stderr,
        )
        if arguments.verbose:
            logger.exception("details")
        return EXIT_INTERNAL
