"""The front line in the dashboard: which snapshot, the sidebar controls, the layers.

``show_front_line(settings, result)`` draws the sidebar part (layer switches, the compare
control, the snapshot uploader, the one 'unavailable' note) and returns a ``FrontLine``:
the result with each place's status filled in, the map layers to add, and the texts to
show under the map. Everything slow (loading and preparing snapshots, simplifying them for
display, differences between two snapshots, annotating places) is cached across reruns
and sessions, keyed on what it depends on (file, modification time and size; the upload's
bytes; the places' points), so a rerun only rebuilds the small folium objects.

The pure helpers (``age_text``, ``compare_date``, ``change_summary``, ``unavailable_text``,
``snapshot_key``) carry the wording and the choices, and are tested without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import folium
import requests
import streamlit as st

from components.frontline_layer import change_layer, legend_layer, occupied_layer
from components.markup import plain_markdown
from frontline.errors import FrontlineError
from frontline.model import GeoparseResult
from frontline.settings import Settings
from frontline.territory import (
    SOURCE_CREDIT,
    UPLOADS_FOLDER,
    LocalFirstSnapshots,
    Snapshot,
    SnapshotChoice,
    TerritoryChange,
    annotate_places,
    change_geojson,
    display_geojson,
    keep_upload,
    local_first_snapshots,
    territory_change,
    uploads_dir,
)

SHOW_OCCUPIED_KEY = "show_occupied"
SHOW_CHANGE_KEY = "show_change"
COMPARE_KEY = "territory_compare"
COMPARE_DATE_KEY = "territory_compare_date"
UPLOAD_KEY = "territory_upload"
KEPT_UPLOADS_KEY = "territory_kept_uploads"
SNAPSHOT_DATE_KEY = "territory_snapshot_date"

CompareChoice = Literal["30 days earlier", "Latest available", "Pick a date"]
COMPARE_CHOICES: tuple[CompareChoice, ...] = ("30 days earlier", "Latest available", "Pick a date")
COMPARE_DAYS = 30
# A failure (no network, nothing cached) is remembered this long, so that reruns do not
# wait on the origin again; a new file in the folder or cache changes the key at once.
CHOICE_TTL_S = 600


@dataclass(frozen=True, slots=True)
class LoadedSnapshot:
    """A snapshot choice and the key that identifies its content in caches."""

    choice: SnapshotChoice
    key: str


@dataclass(frozen=True, slots=True)
class Lookup:
    """A provider's answer, failures included (so that they are cached too)."""

    loaded: LoadedSnapshot | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FrontLine:
    result: GeoparseResult
    layers: tuple[folium.FeatureGroup, ...]
    loaded: LoadedSnapshot | None
    change: TerritoryChange | None
    summary: str | None


# ---------------------------------------------------------------------------- wording


def age_text(choice: SnapshotChoice) -> str:
    """How old the snapshot is relative to the article, in words."""
    age = choice.age_days
    if age is None:
        return "the article has no date"
    if age == 0:
        return "same day as the article"
    days = f"{abs(age)} day{'s' if abs(age) != 1 else ''}"
    return f"{days} before the article" if age > 0 else f"{days} after the article"


def _uploaded(origin: str) -> bool:
    return Path(origin).parent.name == UPLOADS_FOLDER


def origin_text(choice: SnapshotChoice) -> str:
    origin = choice.origin
    if _uploaded(origin):
        # Kept under its date's name, but shown as text all the same: it is a path on disk.
        return plain_markdown(f"uploaded file {Path(origin).name} (kept in the cache)")
    if origin.startswith(("http://", "https://")):
        return "fetched from the origin" + (" (cached)" if choice.from_cache else "")
    return f"file {Path(origin).name} from the snapshot folder (FRONTLINE_TERRITORY_DIR)"


def legend_note(choice: SnapshotChoice) -> str:
    """Short, for the map: the snapshot's age (and an uploaded file's name)."""
    text = age_text(choice)
    text = text[:1].upper() + text[1:]
    if choice.article_date is not None and choice.age_days != 0:
        text += f" ({choice.article_date.isoformat()})"
    if _uploaded(choice.origin):
        text += f"; uploaded file {Path(choice.origin).name}"
    return text


def status_caption(choice: SnapshotChoice) -> str:
    return (
        f"Front line: occupied territory as of {choice.snapshot.date.isoformat()}, "
        f"{age_text(choice)}; {SOURCE_CREDIT}, {origin_text(choice)}. Distances of occupied "
        "places are to the edge of occupied territory, which also follows the state border "
        "and the coast."
    )


def change_summary(change: TerritoryChange) -> str:
    net = change.net_gained_km2
    side = "Russia" if net > 0 else "Ukraine"
    return (
        f"Changed hands from {change.earlier.isoformat()} to {change.later.isoformat()}: "
        f"Russian forces took {change.gained_km2:,.1f} km², Ukraine regained "
        f"{change.regained_km2:,.1f} km² (net {abs(net):,.1f} km² to {side})."
    )


def unavailable_text(detail: str, *, fetching: bool = False) -> str:
    """One short line; the fetch setting is advised only while it is off."""
    fetch = "" if fetching else " or start with FRONTLINE_TERRITORY_FETCH=1"
    reason = detail.rstrip(".")
    return f"Front line unavailable: {reason}. Upload a DeepStateMap snapshot below{fetch}."


def short_reason(error: str | None, article_date: dt.date, *, fetching: bool) -> str:
    """Why no snapshot, in a few words: the library's message says where it looked and which
    settings exist; the note under it says what to do."""
    if not fetching or not error:
        return f"no snapshot of {article_date.isoformat()} or earlier here"
    return error.split(";")[0]


def compare_date(
    choice: CompareChoice,
    article_snapshot: dt.date,
    available: Sequence[dt.date],
    picked: dt.date | None,
) -> dt.date | None:
    """The date whose snapshot the article's is compared with (None: nothing to compare)."""
    if choice == "30 days earlier":
        return article_snapshot - dt.timedelta(days=COMPARE_DAYS)
    if choice == "Latest available":
        return max(available) if available else None
    return picked


# ---------------------------------------------------------------------------- loading


def snapshot_key(snapshot: Snapshot) -> str:
    """What a snapshot's content depends on: its file's path, size and time, else its source."""
    path = Path(snapshot.source)
    try:
        stat = path.stat() if path.is_file() else None
    except OSError:
        stat = None
    if stat is None:
        return f"{snapshot.source}@{snapshot.date.isoformat()}"
    return f"{path.resolve()}:{stat.st_mtime_ns}:{stat.st_size}@{snapshot.date.isoformat()}"


def _folder_stamp(folder: Path | None) -> int:
    try:
        return folder.stat().st_mtime_ns if folder is not None else 0
    except OSError:
        return -1


# One provider per settings, shared by sessions: it remembers the days the origin lacks.
@st.cache_resource(show_spinner=False, max_entries=4)
def _provider(settings: Settings) -> LocalFirstSnapshots:
    session = requests.Session()
    session.headers["User-Agent"] = settings.user_agent
    return local_first_snapshots(settings, session)


def _uploads_folder(settings: Settings) -> Path:
    return uploads_dir(settings.territory_cache_dir)


def _listing_stamp(settings: Settings) -> tuple[int, int, int]:
    # A directory's time changes when a file is added or removed: new snapshots are seen.
    return (
        _folder_stamp(settings.territory_dir),
        _folder_stamp(_uploads_folder(settings)),
        _folder_stamp(_provider(settings).origin.cache_folder),
    )


@st.cache_resource(show_spinner=False, ttl=CHOICE_TTL_S, max_entries=64)
def _lookup(settings: Settings, date: dt.date, stamp: tuple[int, int, int]) -> Lookup:
    try:
        choice = _provider(settings).snapshot_for(date)
    except FrontlineError as error:
        return Lookup(None, str(error))
    return Lookup(LoadedSnapshot(choice, snapshot_key(choice.snapshot)))


@st.cache_resource(show_spinner=False, ttl=CHOICE_TTL_S, max_entries=64)
def _exact(
    settings: Settings, date: dt.date, article_date: dt.date | None, stamp: tuple[int, int, int]
) -> Lookup:
    try:
        choice = _provider(settings).snapshot_of(date, article_date)
    except FrontlineError as error:
        return Lookup(None, str(error))
    return Lookup(LoadedSnapshot(choice, snapshot_key(choice.snapshot)))


@st.cache_resource(show_spinner=False, ttl=CHOICE_TTL_S, max_entries=16)
def _available(settings: Settings, stamp: tuple[int, int, int]) -> tuple[dt.date, ...]:
    try:
        return tuple(_provider(settings).available_dates())
    except FrontlineError:
        return ()


def lookup(settings: Settings, date: dt.date) -> Lookup:
    """The latest snapshot on or before ``date`` from the settings' sources (cached)."""
    return _lookup(settings, date, _listing_stamp(settings))


def exact(settings: Settings, date: dt.date, article_date: dt.date | None) -> Lookup:
    """The snapshot of exactly ``date`` on this machine (one the slider offers)."""
    return _exact(settings, date, article_date, _listing_stamp(settings))


def available_dates(settings: Settings) -> tuple[dt.date, ...]:
    return _available(settings, _listing_stamp(settings))


def keep_uploads(settings: Settings, uploads: Sequence[Any], kept: dict[str, Any]) -> list[str]:
    """Keep each uploaded snapshot in the cache (once per file content); return one message
    per file that cannot be used. ``kept`` (the session's) maps a file's digest to the date
    it was kept under, or to its error."""
    problems: list[str] = []
    for upload in uploads:
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        if digest not in kept:
            try:
                kept[digest] = keep_upload(
                    _uploads_folder(settings), upload.name, data
                ).snapshot.date
            except FrontlineError as error:
                kept[digest] = str(error)
        if isinstance(kept[digest], str):
            problems.append(f"Cannot use the uploaded snapshot: {kept[digest]}")
    return problems


@st.cache_resource(show_spinner=False, max_entries=16)
def _display(key: str, _snapshot: Snapshot) -> dict[str, Any]:
    return display_geojson(_snapshot)


@st.cache_resource(show_spinner="Comparing the two snapshots…", max_entries=16)
def _change(
    first_key: str, second_key: str, _first: Snapshot, _second: Snapshot
) -> tuple[TerritoryChange, dict[str, Any], dict[str, Any]]:
    change = territory_change(_first, _second)
    gained, regained = change_geojson(change)
    return change, gained, regained


# The result is frozen and hashable: its hash stands for its places (and their points).
@st.cache_resource(show_spinner=False, max_entries=32)
def _annotated(result_hash: int, key: str, _result: GeoparseResult, _snapshot: Snapshot) -> Any:
    return annotate_places(_result, _snapshot)


def annotated(result: GeoparseResult, loaded: LoadedSnapshot) -> GeoparseResult:
    annotated_result: GeoparseResult = _annotated(
        hash(result), loaded.key, result, loaded.choice.snapshot
    )
    return annotated_result


# ---------------------------------------------------------------------------- widgets


def _show_upload(settings: Settings) -> dt.date | None:
    """The uploader; files are kept in the cache. Returns the date of a snapshot kept in this
    run (the slider moves there), else None."""
    uploads = st.file_uploader(
        "Front-line snapshot files",
        type=["geojson", "json"],
        key=UPLOAD_KEY,
        accept_multiple_files=True,
        help=(
            "DeepStateMap occupied-territory layers, e.g. deepstatemap_data_20251017.geojson "
            "from github.com/cyterat/deepstate-map-data (the date is read from the name). "
            "They are kept in the cache: the app, --territory auto and 'What changed hands' "
            "use them from now on, after a restart too."
        ),
    )
    kept: dict[str, Any] = st.session_state.setdefault(KEPT_UPLOADS_KEY, {})
    before = dict(kept)
    for problem in keep_uploads(settings, uploads or [], kept):
        st.error(plain_markdown(problem))  # it names the uploader's file
    new_dates = [
        date for digest, date in kept.items() if digest not in before and isinstance(date, dt.date)
    ]
    return max(new_dates) if new_dates else None


def _chosen_date(dates: Sequence[dt.date], default: dt.date, newly_kept: dt.date | None) -> dt.date:
    """The slider over the snapshots at hand (shown from two on); its value is the date."""
    state = st.session_state
    if newly_kept is not None and newly_kept in dates:
        state[SNAPSHOT_DATE_KEY] = newly_kept
    if state.get(SNAPSHOT_DATE_KEY) not in dates:
        state[SNAPSHOT_DATE_KEY] = default
    if len(dates) < 2:
        return default
    chosen: dt.date = st.select_slider(
        "Front line as of",
        options=list(dates),
        key=SNAPSHOT_DATE_KEY,
        format_func=lambda date: date.isoformat(),
        help="The snapshots on this machine: your folder, your uploads and the cache.",
    )
    return chosen


def _compare_target(
    settings: Settings, article_snapshot: dt.date, dates: Sequence[dt.date]
) -> dt.date | None:
    choice: CompareChoice = st.radio(
        "Compare the article's front line with",
        COMPARE_CHOICES,
        key=COMPARE_KEY,
        help="Draws the areas that changed hands between the two snapshots.",
    )
    picked: dt.date | None = None
    if choice == "Pick a date":
        others = [date for date in dates if date != article_snapshot]
        if settings.territory_fetch:
            picked = st.date_input(
                "Snapshot date",
                value=article_snapshot - dt.timedelta(days=COMPARE_DAYS),
                max_value=dt.date.today(),
                key=COMPARE_DATE_KEY,
                help="The latest snapshot on or before this date is fetched (and cached).",
            )
        elif others:
            earlier = [index for index, date in enumerate(others) if date < article_snapshot]
            picked = st.selectbox(
                "Snapshot date",
                others,
                index=earlier[-1] if earlier else 0,
                key=COMPARE_DATE_KEY,
                format_func=lambda date: date.isoformat(),
                help="The snapshots on this machine (folder and cache).",
            )
        else:
            st.caption("No other snapshot on this machine to compare with.")
    return compare_date(choice, article_snapshot, dates, picked)


def show_front_line(settings: Settings, result: GeoparseResult) -> FrontLine:
    """Sidebar controls (call inside the sidebar's "Map layers" section) and the layers."""
    article_date = result.article.date
    show_occupied = st.toggle(
        "Occupied territory",
        value=True,
        key=SHOW_OCCUPIED_KEY,
        help="DeepStateMap's occupied-territory layer on the article's date.",
    )
    show_change = st.toggle(
        "What changed hands",
        value=False,
        key=SHOW_CHANGE_KEY,
        help="Compare the article's front line with another date.",
    )
    note_slot = st.empty()
    slider_slot = st.container()
    loaded: LoadedSnapshot | None = None
    compare_slot = st.container()
    newly_kept = _show_upload(settings)
    at_hand = available_dates(settings)
    if article_date is not None:
        answer = lookup(settings, article_date)
        loaded = answer.loaded
    if at_hand:
        default = loaded.choice.snapshot.date if loaded is not None else at_hand[-1]
        with slider_slot:
            chosen = _chosen_date(at_hand, default, newly_kept)
        if loaded is None or chosen != loaded.choice.snapshot.date:
            loaded = exact(settings, chosen, article_date).loaded or loaded
    if loaded is not None:
        pass
    elif article_date is None:
        note_slot.info(
            unavailable_text(
                "the article has no date to choose a snapshot by",
                fetching=settings.territory_fetch,
            )
        )
    else:
        note_slot.info(
            unavailable_text(
                plain_markdown(
                    short_reason(answer.error, article_date, fetching=settings.territory_fetch)
                ),
                fetching=settings.territory_fetch,
            )
        )
    if loaded is None:
        return FrontLine(result, (), None, None, None)

    choice = loaded.choice
    snapshot = choice.snapshot
    change: TerritoryChange | None = None
    change_shapes: list[dict[str, Any]] = []
    summary: str | None = None
    if show_change:
        with compare_slot:
            dates = sorted(set(available_dates(settings)) | {snapshot.date})
            target = _compare_target(settings, snapshot.date, dates)
            other = lookup(settings, target) if target is not None else None
            if other is not None and other.loaded is None:
                st.warning(f"No snapshot to compare with: {plain_markdown(other.error)}")
            elif other is not None and other.loaded is not None:
                if other.loaded.key == loaded.key:
                    st.caption("That date has the same snapshot as the article's.")
                else:
                    change, *change_shapes = _change(
                        loaded.key, other.loaded.key, snapshot, other.loaded.choice.snapshot
                    )
                    summary = change_summary(change)

    layers: list[folium.FeatureGroup] = []
    if show_occupied:
        layers.append(occupied_layer(_display(loaded.key, snapshot), snapshot_date=snapshot.date))
    if change is not None:
        gained, regained = change_shapes
        layers.append(change_layer(gained, regained, change=change))
    if show_occupied or change is not None:
        layers.append(
            legend_layer(
                snapshot.date,
                note=legend_note(choice),
                change=change,
                show_occupied=show_occupied,
            )
        )
    return FrontLine(annotated(result, loaded), tuple(layers), loaded, change, summary)


def show_captions(front: FrontLine) -> None:
    """Under the map: which snapshot, and what changed hands (in km²)."""
    if front.loaded is not None:
        st.caption(status_caption(front.loaded.choice))
    if front.summary is not None:
        with st.container(key="territory_change"):
            st.markdown(front.summary.replace("*", r"\*"))


def occupied_as_of(settings: Settings, date: dt.date) -> tuple[list[folium.FeatureGroup], str]:
    """The occupied area on ``date`` (the latest snapshot on or before it) with its legend,
    and the caption saying which snapshot it is, or why there is none (the all-articles
    map, under the range's end date)."""
    answer = lookup(settings, date)
    loaded = answer.loaded
    if loaded is None:
        return [], unavailable_text(answer.error or "no snapshot found")
    snapshot = loaded.choice.snapshot
    layers = [
        occupied_layer(_display(loaded.key, snapshot), snapshot_date=snapshot.date),
        legend_layer(
            snapshot.date,
            note=f"Front line of {snapshot.date.isoformat()}, for {date.isoformat()}",
            change=None,
            show_occupied=True,
        ),
    ]
    caption = (
        f"Front line: occupied territory as of {snapshot.date.isoformat()}, the latest "
        f"snapshot on or before {date.isoformat()}; {SOURCE_CREDIT}, {origin_text(loaded.choice)}."
    )
    return layers, caption
