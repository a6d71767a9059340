"""One exception tree. Third-party errors are translated into these where they enter.

Every message is one line a reader can act on; the CLI and the app print ``str(error)``.
"""

from __future__ import annotations


class FrontlineError(Exception):
    """Root of every error the library raises on purpose."""


class InputError(FrontlineError):
    """An article could not be read: empty, binary, too large, missing, undecodable."""


class UnsupportedLanguageError(InputError):
    """An article in a language frontline does not geoparse (it reads English, Ukrainian
    and Russian)."""


class GeoparseLimitError(InputError):
    """An article is beyond what one geoparse may take: too long, too slow, too many places."""


class FetchError(InputError):
    """A URL could not be fetched (refused, unreachable, timed out, bad status)."""


class URLRefusedError(FetchError):
    """A URL points at an address the settings do not allow (private, loopback, ...)."""


class FetchLimitError(FetchError):
    """A download hit a limit of the network policy: ``limit`` is "time" or "size"."""

    def __init__(self, message: str, *, limit: str) -> None:
        super().__init__(message)
        self.limit = limit


class FetchStatusError(FetchError):
    """The server answered with an HTTP error status, kept in ``status`` (404, 429, ...)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class GazetteerError(FrontlineError):
    """The offline gazetteer could not be built or opened."""


class GeocoderError(FrontlineError):
    """An online geocoder failed (timeout, refused, malformed answer)."""


class GeocoderTimeoutError(GeocoderError):
    """The geocoder did not answer within the timeout, also on the retry."""


class GeocoderRateLimitError(GeocoderError):
    """The geocoder refused with 429 Too Many Requests."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GeocoderUnavailableError(GeocoderError):
    """The geocoder could not be reached (no network, refused, DNS): the app is offline."""


class GeocoderResponseError(GeocoderError):
    """The geocoder answered something that is not a usable result (malformed body)."""


class GeocoderServiceFailure(GeocoderError):
    """The geocoder answered with an error (bad status, refused query, authentication)."""


class GeocoderConfigError(GeocoderError):
    """The geocoder settings are not usable (unknown service, bad option)."""


class GeocodeCacheError(GeocoderError):
    """The SQLite geocode cache could not be opened, read or written."""


class TerritoryError(FrontlineError):
    """An occupied-territory snapshot could not be found, fetched or read."""


class SnapshotFormatError(TerritoryError):
    """A snapshot file is not usable GeoJSON of occupied territory."""


class SnapshotUnavailableError(TerritoryError):
    """No snapshot exists for the date asked, locally or at the origin."""


class SnapshotNotAtOriginError(SnapshotUnavailableError):
    """The origin has no snapshot at that URL (HTTP 404): that day is missing there."""


class StoreError(FrontlineError):
    """The article library could not be opened or written."""


class StoreDamagedError(StoreError):
    """The article library's file is damaged (SQLite found a malformed page, or the file is
    cut short); it is refused for reading and writing, and left as it is."""


class CorrectionNotApplicable(FrontlineError):
    """A reader's correction does not fit this geoparse (its place is gone, its candidate is
    no longer offered, the text changed under its span); it is skipped, not raised out."""


class SnapshotFetchError(TerritoryError):
    """A snapshot URL could not be fetched (unreachable, timed out, bad status), none cached."""


class MapDataError(FrontlineError):
    """Map data a package ships (country outlines) could not be read."""
