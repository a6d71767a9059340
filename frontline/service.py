"""The use cases: what the command line and the dashboard do, each in one place.

- **read** an input: a path, a URL, standard input (``read_input``), pasted text, an
  uploaded file or a link typed into the dashboard (``article_from_paste``, ...);
- **geoparse** it with the configured steps, always in this order: recognise, resolve
  (``Geoparser``), then the reader's corrections, the online look-up and the front line
  (``Steps``); where a snapshot of the article's date is at hand (``--territory``, or on
  this machine for the dashboard and the library), its front line is passed to the
  geoparse too, which weighs namesakes in sentences about fighting with it
  (``weighing_front_line``);
- **keep** it in the library: ``add_to_library`` adds an article or, for a text already
  stored, geoparses it again and keeps the reader's corrections; ``regeoparse`` does that
  for a stored article; ``corrected_result`` is a stored article with the steps after it;
- **export** is ``frontline.export.write``.

``cli.py``, ``cli_library.py``, ``app.py`` and the components call these; none of them
strings the steps together itself. Nothing here knows Streamlit or the command line:
errors are raised (``FrontlineError``) or handed to the callback given.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from frontline.article import article_from_bytes, article_from_file, article_from_text
from frontline.corrections import Correction, apply_corrections
from frontline.errors import FrontlineError, InputError
from frontline.model import Article, GeoparseResult
from frontline.settings import Settings
from frontline.store import ArticleStore, StoredArticle, StoredArticleSummary

if TYPE_CHECKING:
    import requests

    from frontline.front_prior import FrontLinePrior
    from frontline.territory import SnapshotChoice

STDIN = "-"
STDIN_SOURCE = "<stdin>"
# PDF is left out: no PDF text extractor is among the pinned packages, and a news PDF's
# columns and running heads would need layout work to give clean sentences.
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
TITLE_FROM_TEXT_CHARS = 70

Geoparse = Callable[[Article], GeoparseResult]
Step = Callable[[GeoparseResult], GeoparseResult]
# The front line of an article's date, where a snapshot for it is at hand (else None).
PriorFor = Callable[[Article], "FrontLinePrior | None"]


# ---------------------------------------------------------------------------- reading


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def http_session(settings: Settings) -> requests.Session:
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = settings.user_agent
    return session


def read_input(
    source: str,
    settings: Settings,
    session: requests.Session | None = None,
    *,
    stdin: BinaryIO | None = None,
) -> Article:
    """One article from a file, a URL (fetched under the settings' limits) or ``-``
    (standard input, or ``stdin``)."""
    if source == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(settings.max_article_bytes + 1)
        return article_from_bytes(data, STDIN_SOURCE, max_bytes=settings.max_article_bytes)
    if is_url(source):
        from frontline.webpage import fetch_article_page

        if session is None:
            with http_session(settings) as own_session:
                page = fetch_article_page(source, own_session, settings)
        else:
            page = fetch_article_page(source, session, settings)
        return article_from_text(page.text, source, title=page.title, date=page.date)
    return article_from_file(source, max_bytes=settings.max_article_bytes)


def read_inputs(
    sources: Sequence[str],
    settings: Settings,
    *,
    on_error: Callable[[FrontlineError], None],
) -> tuple[list[Article], int]:
    """The articles that could be read, and how many inputs failed (each handed to
    ``on_error``): one bad file or refused URL does not stop the others."""
    articles: list[Article] = []
    failures = 0
    with http_session(settings) as session:
        for source in sources:
            try:
                articles.append(read_input(source, settings, session))
            except FrontlineError as error:
                on_error(error)
                failures += 1
    return articles, failures


def title_from_text(text: str, max_chars: int = TITLE_FROM_TEXT_CHARS) -> str:
    """A title for an untitled text: its first non-empty line, shortened at a word."""
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) <= max_chars:
        return first_line
    sentence_end = re.search(r"[.!?](?=\s)", first_line[: max_chars + 1])
    if sentence_end is not None:
        return first_line[: sentence_end.start()]
    cut = first_line[:max_chars].rsplit(" ", 1)[0] or first_line[:max_chars]
    return cut.rstrip(" ,;:.-") + "…"


def article_from_paste(
    text: str,
    *,
    max_bytes: int,
    title: str = "",
    date: dt.date | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Article:
    """An Article from pasted text; its title is the one given, else its first line."""
    if not text.strip():
        raise InputError("the pasted text is empty: paste the article's text first")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise InputError(
            f"the pasted text is {size / 1e6:.1f} MB, more than the {max_bytes / 1e6:.0f} MB "
            "limit for one article"
        )
    source = f"pasted text ({clock():%Y-%m-%d %H:%M} UTC)"
    article = article_from_text(text, source, date=date)
    return replace(article, title=title.strip() or title_from_text(article.text) or None)


def article_from_upload(filename: str, data: bytes, *, max_bytes: int) -> Article:
    """An Article from an uploaded .txt, .md or .html file (HTML reduced by trafilatura)."""
    name = Path(filename).name or "upload"
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        raise InputError(f"{name}: PDF files are not read; save the article as text or HTML")
    if suffix not in UPLOAD_SUFFIXES:
        accepted = ", ".join(UPLOAD_SUFFIXES)
        raise InputError(f"{name}: not a text, Markdown or HTML file ({accepted})")
    article = article_from_bytes(data, name, filename=name, max_bytes=max_bytes)
    return replace(article, title=article.title or title_from_text(article.text) or None)


def article_from_link(url: str, settings: Settings) -> Article:
    """An Article from a web page: fetched under the settings' address policy, size and
    time limits, and reduced to its main text, title and date (as the CLI reads a URL)."""
    address = url.strip()
    if not address:
        raise InputError("no link given: paste the article's address (https://…)")
    if "://" not in address:
        address = "https://" + address
    if not is_url(address):
        raise InputError(f"{address}: only http:// and https:// links are fetched")
    return read_input(address, settings)


# ---------------------------------------------------------------------------- geoparsing


@dataclass(frozen=True, slots=True)
class Steps:
    """The steps after recognition and resolution, which always run in this order: the
    reader's corrections, the online look-up, the front line. A step left out is skipped."""

    corrections: Sequence[Correction] = ()
    online: Step | None = None
    front_line: Step | None = None

    def run(self, result: GeoparseResult) -> GeoparseResult:
        if self.corrections:
            result = apply_corrections(result, self.corrections)
        if self.online is not None:
            result = self.online(result)
        if self.front_line is not None:
            # After the corrections, so a moved pin gets the status of its new spot.
            result = self.front_line(result)
        return result


def geoparse(
    geoparse_article: Geoparse, article: Article, steps: Steps = Steps()
) -> GeoparseResult:
    """``article`` recognised and resolved (``geoparse_article``, a ``Geoparser.geoparse``),
    then ``steps``."""
    return steps.run(geoparse_article(article))


@dataclass(frozen=True, slots=True)
class LookupFailure:
    """A name the online geocoder failed on, and why (its one-line error)."""

    name: str
    error: str


def online_step(
    settings: Settings,
    *,
    on_offline: Callable[[str], None],
    on_failure: Callable[[LookupFailure], None] | None = None,
) -> Step:
    """Names the gazetteer lacks, looked up with the configured geopy geocoder (cached).
    Out of reach, the geocoder is reported once to ``on_offline`` (with the reason), and
    the results stay offline. Each name it failed on (a 429, a server error, a malformed
    answer) goes once to ``on_failure``, in the article's order."""
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
            on_offline(offline[0].outcome.error or "no answer")
        if on_failure is not None:
            failed = {
                update.name: update.outcome.error or "no answer"
                for update in updates
                if update.outcome.status == "error"
            }
            for name, error in failed.items():
                on_failure(LookupFailure(name, error))
        return updated

    return look_up


def front_line_step(source: str, settings: Settings) -> Step:
    """Each place's front-line status and distance from ``source``: a snapshot file, a
    folder of them, a URL, or ``auto`` (by the article's date, from the settings' sources).
    A file or URL is read here, so a bad source fails before any geoparsing."""
    return front_line(source, settings).step


@dataclass(frozen=True, slots=True)
class FrontLineSource:
    """One snapshot source (``--territory SOURCE``) serving both ends of a geoparse: the
    front line the geoparse weighs namesakes with, and the step that gives places their
    status. The same snapshot serves both, chosen (and read) once per date."""

    prior_for: PriorFor
    step: Step


def front_line(source: str, settings: Settings) -> FrontLineSource:
    """``source`` as ``front_line_step`` reads it, for the prior and the step alike."""
    from frontline.territory import ArticleSnapshots
    from frontline.territory.front_line import FrontLines

    snapshots = ArticleSnapshots(source, settings)
    return FrontLineSource(FrontLines(snapshots.choice_for).for_article, snapshots.annotate)


def front_line_at_hand(settings: Settings, session: requests.Session | None = None) -> PriorFor:
    """The dashboard's and the library's prior: the front line of the article's date where
    a snapshot is on this machine (the settings' folder, the cache; the origin only when
    fetching is on); none for an undated article or where there is no snapshot."""
    from frontline.errors import SnapshotUnavailableError
    from frontline.territory import local_first_snapshots
    from frontline.territory.front_line import FrontLines

    provider = local_first_snapshots(settings, session or http_session(settings))

    def choose(article: Article) -> SnapshotChoice:
        if article.date is None:
            raise SnapshotUnavailableError(f"{article.source} has no date")
        return provider.snapshot_for(article.date)

    return FrontLines(choose).for_article


class WeighsFrontLine(Protocol):
    def __call__(
        self, article: Article, front_line: FrontLinePrior | None = None
    ) -> GeoparseResult: ...


def weighing_front_line(geoparse_article: WeighsFrontLine, prior_for: PriorFor) -> Geoparse:
    """A geoparse (``Geoparser.geoparse``) given, for each article, the front line of its
    date where there is one."""

    def run(article: Article) -> GeoparseResult:
        return geoparse_article(article, front_line=prior_for(article))

    return run


# ---------------------------------------------------------------------------- the library


@dataclass(frozen=True, slots=True)
class AddOutcome:
    """What ``add_to_library`` did with one article."""

    summary: StoredArticleSummary
    created: bool  # False: the text was already stored and its geoparse was refreshed
    corrections: int  # stored corrections of this article
    skipped_corrections: int  # of those, how many no longer apply to the new geoparse

    @property
    def article_id(self) -> int:
        return self.summary.id


def add_to_library(store: ArticleStore, geoparse_article: Geoparse, article: Article) -> AddOutcome:
    """Geoparse ``article`` and keep it in the library (``keep_in_library``).

    Everything that can fail (reading, geoparsing) has happened before the store is
    written, in one transaction."""
    return keep_in_library(store, geoparse_article(article))


def keep_in_library(store: ArticleStore, result: GeoparseResult) -> AddOutcome:
    """Store a geoparsed article as a new article, or, when its text is stored already, as
    that article's new result: no second copy, the stored title and date kept (a reader may
    have edited the date), the reader's corrections applied to the new result (those that
    no longer fit are skipped and counted). An article is identified by its text:
    corrections point at character offsets in it. (The result may come from another
    process: ``library add --jobs``, ``library import``.)"""
    article = result.article
    existing_id = store.id_for_text(article.text)
    if existing_id is None:
        # add() deduplicates inside its transaction, so a concurrent add of the same text
        # still yields one article.
        article_id = store.add(article, result)
    else:
        article_id = existing_id
        store.update_result(article_id, result)
    return outcome_of(store, article_id, created=existing_id is None)


def outcome_of(store: ArticleStore, article_id: int, *, created: bool) -> AddOutcome:
    """What the library now holds for ``article_id``, as an ``AddOutcome``."""
    stored = store.get(article_id)
    report = stored.corrected()
    summary = StoredArticleSummary(
        id=article_id,
        title=stored.article.title,
        date=stored.article.date,
        source=stored.article.source,
        places=len(report.result.places),
        added_at=stored.added_at,
    )
    return AddOutcome(
        summary=summary,
        created=created,
        corrections=len(stored.corrections),
        skipped_corrections=len(report.skipped),
    )


def regeoparse(store: ArticleStore, article_id: int, geoparse_article: Geoparse) -> StoredArticle:
    """Geoparse a stored article again and keep the new result (its corrections stay)."""
    stored = store.get(article_id)
    store.update_result(article_id, geoparse_article(stored.article))
    return store.get(article_id)


def corrected_result(stored: StoredArticle, steps: Steps = Steps()) -> GeoparseResult:
    """A stored article's result (the geoparse as it ran) with its corrections, then
    ``steps``' online look-up and front line, computed now: a moved pin gets its own status,
    and a date edited since the article was added picks its snapshot."""
    corrections = [stored_correction.correction for stored_correction in stored.corrections]
    return replace(steps, corrections=corrections).run(stored.result)
