"""Standard error on a real pseudo-terminal, as a shell gives it to a command."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import struct
import sys
import termios
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def terminal_stderr() -> Iterator[Callable[[], str]]:
    """``sys.stderr`` on a pseudo-terminal for the block; the function yielded returns what
    has been written to it so far (a progress bar draws only on a terminal)."""
    controller, terminal = pty.openpty()
    # 24 rows of 80 columns: a new pseudo-terminal is 0 by 0, where tqdm draws nothing.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    stream = open(terminal, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    saved = sys.stderr
    chunks: list[bytes] = []

    def written() -> str:
        stream.flush()
        os.set_blocking(controller, False)
        with contextlib.suppress(BlockingIOError):
            while data := os.read(controller, 65536):
                chunks.append(data)
        return b"".join(chunks).decode("utf-8", "replace")

    sys.stderr = stream
    try:
        yield written
    finally:
        sys.stderr = saved
        stream.close()
        os.close(controller)
