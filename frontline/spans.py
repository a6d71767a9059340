"""Character spans found by binary search, not by scanning.

The recogniser asks, for every candidate span of a text, whether it overlaps a span already
taken and which of NER's dates lie near it. Scanning all of them each time grew with the
square of the text's length: a 200 kB page took 54 s, 39 of them in these two questions.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence


class DisjointSpans:
    """Spans that do not overlap one another, kept sorted by start (so by end too)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        # Only the last span starting before ``end`` can reach past ``start``.
        index = bisect.bisect_left(self._starts, end) - 1
        return index >= 0 and self._ends[index] > start

    def add(self, start: int, end: int) -> None:
        index = bisect.bisect_left(self._starts, start)
        self._starts.insert(index, start)
        self._ends.insert(index, end)


class SortedSpans:
    """Spans in text order (NER's dates), asked for those near a stretch of text."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self.spans = list(spans)
        self._starts = [start for start, _ in self.spans]

    def near(self, start: int, end: int) -> list[tuple[int, int]]:
        """The spans starting inside ``[start, end)``, and the one before, which may reach
        into it: a superset of those that overlap it."""
        first = max(bisect.bisect_left(self._starts, start) - 1, 0)
        return self.spans[first : bisect.bisect_left(self._starts, end)]
