"""Text for a terminal: control characters shown escaped, never sent as they are.

A title such as ``"\\x1b[2K\\r\\x1b[31mPatched\\x1b]0;title\\x07"`` would otherwise erase the
line, recolour the terminal and retitle its window when ``library list`` prints it. C0 and
C1 controls, DEL, and the bidirectional overrides that reorder what a line appears to say
are written as escapes (``\\x1b``, ``\\u202e``); line breaks and tabs too, so that one
message stays one line.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What JSON leaves raw inside its strings (it escapes C0 itself; outside strings, these never
# occur): C1 controls, DEL and the bidirectional overrides.
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    character = match.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` with every control and bidirectional-override character escaped."""
    return _CONTROLS.sub(_escaped, str(text))


def json_for_terminal(document: str) -> str:
    """JSON text (``ensure_ascii=False``) with the controls JSON leaves raw, C1 and the
    bidirectional overrides, written as ``\\uXXXX`` escapes: the same JSON value."""
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
