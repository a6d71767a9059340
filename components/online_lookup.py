"""The sidebar switch for the online look-up, and what it is doing: names pending, progress,
what was found, and (once) that the geocoder is out of reach.

The look-up never holds up the map: ``online_result`` starts a background worker
(``frontline.online.OnlineLookup``) and returns the result with the answers that have
arrived so far; while it works, a fragment polls it and reruns the app when an answer comes,
so markers appear one by one. Answers are cached in SQLite by the geocoder itself, so a
rerun or a restart sends no request twice.
"""

from __future__ import annotations

import threading
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from components.markup import plain_markdown
from frontline.errors import FrontlineError
from frontline.geocode import OnlineGeocoder
from frontline.model import GeoparseResult
from frontline.online import LookupProgress, OnlineLookup
from frontline.settings import Settings

TOGGLE_KEY = "online_geocoding"
LOOKUPS_KEY = "online_lookups"
POLL_SECONDS = 0.75
# From this many names on, a progress bar joins the list of pending names.
LONG_BATCH = 3


@dataclass(frozen=True, slots=True)
class SharedGeocoder:
    """One geocoder per server (its rate limit holds across sessions) and the lock that
    lets one look-up at a time use it."""

    geocoder: OnlineGeocoder
    lock: threading.Lock


@dataclass(frozen=True, slots=True)
class OnlineView:
    """This run's state: the result with the answers so far, and what to show about them."""

    enabled: bool
    result: GeoparseResult
    lookup: OnlineLookup | None = None
    progress: LookupProgress | None = None
    setup_error: str | None = None


@st.cache_resource(show_spinner=False)
def shared_geocoder(settings: Settings) -> SharedGeocoder:
    return SharedGeocoder(OnlineGeocoder.from_settings(settings), threading.Lock())


def _lookups(state: MutableMapping[Any, Any]) -> dict[int, OnlineLookup]:
    lookups: dict[int, OnlineLookup] = state.setdefault(LOOKUPS_KEY, {})
    return lookups


def _cancel_all(state: MutableMapping[Any, Any]) -> None:
    for lookup in _lookups(state).values():
        lookup.cancel()
    _lookups(state).clear()


def online_result(settings: Settings, result: GeoparseResult) -> OnlineView:
    """The switch's value (default: ``settings.online_geocoding``); when on, this article's
    look-up (started on the first run that needs it) and the result with its answers so far."""
    state = st.session_state
    state.setdefault(TOGGLE_KEY, settings.online_geocoding)
    if not state[TOGGLE_KEY]:
        _cancel_all(state)
        return OnlineView(enabled=False, result=result)
    lookups = _lookups(state)
    key = hash(result)
    lookup = lookups.get(key)
    if lookup is None:
        try:
            shared = shared_geocoder(settings)
        except FrontlineError as error:
            return OnlineView(enabled=True, result=result, setup_error=str(error))
        # One article at a time per session: another article's look-up stops (its answers
        # so far are cached).
        _cancel_all(state)
        lookup = OnlineLookup(result, shared.geocoder, network_lock=shared.lock).start()
        lookups[key] = lookup
    progress = lookup.progress()
    return OnlineView(
        enabled=True,
        result=lookup.result(progress),
        lookup=lookup,
        progress=progress,
    )


def show_sidebar(view: OnlineView) -> None:
    """The switch, then the look-up's state: pending names (polled), or what it found."""
    with st.sidebar:
        st.header("Online look-up")
        st.toggle(
            "Look up unknown names online",
            key=TOGGLE_KEY,
            help=(
                "Asks the online geocoder (OpenStreetMap's Nominatim by default) for names the "
                "offline gazetteer lacks. Answers are marked 'geocoder' and weigh less than "
                "the gazetteer; they never replace a gazetteer match."
            ),
        )
        if not view.enabled:
            return
        if view.setup_error:
            st.error(plain_markdown(f"Online look-up is not available: {view.setup_error}"))
            return
        if view.lookup is None or view.progress is None:
            return
        if view.progress.finished:
            show_summary(view.progress)
        else:
            _poll(view.lookup, len(view.progress.updates))


@st.fragment(run_every=POLL_SECONDS)
def _poll(lookup: OnlineLookup, answers_shown: int) -> None:
    """Reruns the app when an answer has arrived since the map was drawn; else shows the
    names still pending. Only this fragment reruns while nothing changes."""
    progress = lookup.progress()
    if progress.finished or len(progress.updates) != answers_shown:
        st.rerun()
    show_pending(progress)


def show_pending(progress: LookupProgress) -> None:
    with st.container(key="online_pending"):
        pending = progress.pending
        st.markdown(f"**Looking up {len(pending)} name{'s' if len(pending) != 1 else ''}…**")
        st.caption("Pending: " + plain_markdown(", ".join(pending)))
        total = len(progress.names)
        if total >= LONG_BATCH:
            done = total - len(pending)
            st.progress(done / total, text=f"{done} of {total} names answered")
        _show_answers(progress)


def show_summary(progress: LookupProgress) -> None:
    with st.container(key="online_summary"):
        if progress.offline_message:
            # "offline: network unreachable (Nominatim: <the HTTP library's long story>)"
            reason, _, detail = progress.offline_message.partition(" (")
            st.warning(
                f"Online look-up unavailable ({reason}): going on with the offline gazetteer.",
                icon=":material/cloud_off:",
            )
            if detail:
                with st.expander("Why"):
                    st.caption(plain_markdown("(" + detail))
        if progress.failure:
            st.error(plain_markdown(progress.failure))
        if not progress.names:
            st.caption("Every place was found offline: nothing to look up.")
        _show_answers(progress)


def _show_answers(progress: LookupProgress) -> None:
    if progress.found:
        st.caption("Placed by the geocoder: " + plain_markdown(", ".join(progress.found)))
    if progress.not_found:
        st.caption("Not found online: " + plain_markdown(", ".join(progress.not_found)))
    for error in progress.errors:
        st.caption("Look-up failed: " + plain_markdown(error))
