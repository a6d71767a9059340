"""Fixtures of the hostile suite: the hostile server, a second loopback server that must
never be reached, and the CLI run as a user runs it.

The policy under test admits exactly 127.0.0.1/32 (``FRONTLINE_ALLOWED_NETWORKS``), so the
hostile server is reachable while 127.0.0.2 and 169.254.169.254 are judged by the same rule
a public deployment uses. Hostile files are written by the tests into ``tmp_path``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.hostile.server import HostileServer, hostile_server

REPO_ROOT = Path(__file__).resolve().parents[2]
ONLY_THE_HOSTILE_SERVER = "127.0.0.1/32"


@pytest.fixture(scope="session")
def hostile() -> Iterator[HostileServer]:
    with hostile_server("127.0.0.1") as server:
        yield server


@pytest.fixture(scope="session")
def forbidden() -> Iterator[HostileServer]:
    """A server on 127.0.0.2: outside the allowed network, so it must never see a request."""
    with hostile_server("127.0.0.2") as server:
        yield server


def run_cli(
    *arguments: str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout_s: float = 120,
) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    environment.update(
        FRONTLINE_ALLOWED_NETWORKS=ONLY_THE_HOSTILE_SERVER, FRONTLINE_ALLOW_PRIVATE_URLS="0"
    )
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "frontline", *arguments],
        cwd=REPO_ROOT,
        env=environment,
        input=stdin.decode("latin-1") if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    """The single line a failing command writes to standard error (asserted single)."""
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("frontline: error: "), lines[0]
    assert "Traceback" not in completed.stderr
    return lines[0]
