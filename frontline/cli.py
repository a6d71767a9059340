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
from typing import TYPE_CHECKING, Any, TextIO

from frontline.errors import FrontlineError
from frontline.model import Article, GeoparseResult
from frontline.settings import Settings
from frontline.terminal import json_for_terminal, printable

if TYPE_CHECKING:
    import requests

logger = logging.getLogger("frontline.cli")

EXIT_ERROR = 2
EXIT_INTERNAL = 70
FORMATS = ("json", "csv", "geojson", "kml")
TERRITORY_HELP = (
    "occupied-territory snapshot: a GeoJSON file, a folder of them, a URL, or 'auto' "
    "(by article date: FRONTLINE_TERRITORY_DIR, then the cache, then the origin if "
    "FRONTLINE_TERRITORY_FETCH=1)"
)


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def read_input(source: str, settings: Settings, session: requests.Session | None = None) -> Article:
    """One article from a file, a URL (fetched under the settings' limits) or ``-`` (stdin)."""
    from frontline.article import article_from_bytes, article_from_file

    if source == "-":
        data = sys.stdin.buffer.read(settings.max_article_bytes + 1)
        return article_from_bytes(data, "<stdin>", max_bytes=settings.max_article_bytes)
    if is_url(source):
        from frontline.article import article_from_text
        from frontline.webpage import fetch_article_page

        if session is None:
            with http_session(settings) as own_session:
                page = fetch_article_page(source, own_session, settings)
        else:
            page = fetch_article_page(source, session, settings)
        return article_from_text(page.text, source, title=page.title, date=page.date)
    return article_from_file(source, max_bytes=settings.max_article_bytes)


def http_session(settings: Settings) -> requests.Session:
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = settings.user_agent
    return session


def report_error(error: FrontlineError) -> None:
    """The one line on standard error that every failure gets."""
    print(f"frontline: error: {printable(error)}", file=sys.stderr)


def read_inputs(sources: Sequence[str], settings: Settings) -> tuple[list[Article], int]:
    """The articles that could be read, and how many inputs failed (each reported on stderr).

    One bad file or refused URL does not stop the others.
    """
    articles: list[Article] = []
    failures = 0
    with http_session(settings) as session:
        for source in sources:
            try:
                articles.append(read_input(source, settings, session))
            except FrontlineError as error:
                report_error(error)
                failures += 1
    return articles, failures


def _annotator(
    territory: str | None, settings: Settings
) -> Callable[[GeoparseResult], GeoparseResult]:
    if territory is None:
        return lambda result: result
    from frontline.territory import annotator_for

    return annotator_for(territory, settings)


def _online_step(settings: Settings) -> Callable[[GeoparseResult], GeoparseResult]:
    """Names the gazetteer lacks, looked up with the configured geopy geocoder (cached);
    out of reach, the geocoder is reported once and the result stays offline; names it
    failed on (429, 500, a malformed answer) are one line per article."""
    from frontline.geocode import OnlineGeocoder
    from frontline.online import geocode_result

    geocoder = OnlineGeocoder.from_settings(settings)
    offline_reported = False

    def look_up(result: GeoparseResult) -> GeoparseResult:
        nonlocal offline_reported
        updated, updates = geocode_result(result, geocoder)
        offline = [update for update in updates if update.outcome.status == "offline"]
        if offline and not offline_reported:
            offline_reported = True
            detail = offline[0].outcome.error or "no answer"
            print(
                f"online look-up unavailable ({printable(detail)}); "
                "going on with the offline gazetteer",
                file=sys.stderr,
            )
        # A refusal (429), a server error or a malformed answer: one line per article.
        failed = [update for update in updates if update.outcome.status == "error"]
        if failed:
            names = len({update.name for update in failed})
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            print(
                f"online look-up failed for {names} name{'s' if names != 1 else ''} of "
                f"{printable(result.article.source)}: "
                f"{printable(failed[0].outcome.error or 'no answer')}{more}",
                file=sys.stderr,
            )
        return updated

    return look_up


def _write(
    results: Sequence[GeoparseResult], output_format: str, out: TextIO, *, as_list: bool = True
) -> None:
    """Write ``results``; JSON is one object when ``as_list`` is false (a single input)."""
    from frontline import codec, export

    if output_format == "json":
        payload: Any = [codec.result_to_dict(result) for result in results]
        if not as_list:
            (payload,) = payload
        out.write(json_for_terminal(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n")
    elif output_format == "geojson":
        features = [
            feature
            for result in results
            for feature in export.to_geojson(result.places, result.article)["features"]
        ]
        collection = {"type": "FeatureCollection", "features": features}
        out.write(json_for_terminal(json.dumps(collection, ensure_ascii=False)) + "\n")
    elif output_format == "csv":
        for index, result in enumerate(results):
            out.write(export.to_csv(result.places, result.article, header=index == 0))
    else:
        for result in results:
            out.write(export.to_kml(result.places, result.article))


def command_geoparse(arguments: argparse.Namespace, settings: Settings) -> int:
    """Geoparse every input that can be read; each failure is one line on stderr.

    The output holds the inputs that worked, and the exit status is non-zero if any failed.
    """
    from frontline.pipeline import Geoparser

    articles, failures = read_inputs(arguments.inputs, settings)
    if not articles:
        return EXIT_ERROR
    annotate = _annotator(arguments.territory, settings)
    geoparser = Geoparser.load(settings, include_demonyms=arguments.demonyms)
    online = settings.online_geocoding if arguments.online is None else arguments.online
    look_up = _online_step(settings) if online else None
    results: list[GeoparseResult] = []
    for article in articles:
        try:
            result = geoparser.geoparse(article)
            if look_up is not None:
                result = look_up(result)
            results.append(annotate(result))
        except FrontlineError as error:
            report_error(error)
            failures += 1
    if results:
        _write(results, arguments.format, sys.stdout, as_list=len(arguments.inputs) > 1)
    return EXIT_ERROR if failures else 0


def command_index(arguments: argparse.Namespace, settings: Settings) -> int:
    from frontline.gazetteer import Gazetteer

    info = Gazetteer.open(settings.gazetteer_dir).info()
    print(
        json.dumps(
            {
                "path": str(info.path),
                "size_bytes": info.size_bytes,
                "entries": info.entries,
                "names": info.names,
                "built_seconds": info.built_seconds,
            },
            indent=2,
        )
    )
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
        "--demonyms",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="count 'Ukrainian' as a mention of Ukraine (default: on)",
    )
    geoparse.add_argument(
        "--online",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="look up names the gazetteer lacks with the online geocoder "
        "(default: FRONTLINE_ONLINE_GEOCODING)",
    )
    geoparse.set_defaults(handler=command_geoparse)

    index = commands.add_parser("index", help="build (once) and describe the offline gazetteer")
    index.set_defaults(handler=command_index)

    try:
        from frontline.cli_library import add_library_commands
    except ImportError:
        pass
    else:
        add_library_commands(commands)
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
