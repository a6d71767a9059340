"""Shared fixtures: one gazetteer index and one loaded geoparser for the whole test session.

The index is built once into the repository's ignored ``.cache/`` folder (or
``FRONTLINE_TEST_CACHE_DIR``) and reused by later runs; subprocesses (the CLI, the
Streamlit server) find it through ``FRONTLINE_CACHE_DIR``.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.snapshot_fixtures import SNAPSHOT_SET_NAMES, make_snapshot_set

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
SAMPLE_ARTICLE = REPO_ROOT / "data" / "articles" / "trump-zelensky-tomahawks.txt"
SAMPLE_GOLD = Path(__file__).parent / "trump-zelensky-tomahawks.gold.json"
TEST_CACHE_DIR = Path(os.environ.get("FRONTLINE_TEST_CACHE_DIR", REPO_ROOT / ".cache"))

# Subprocesses started by tests (CLI, Streamlit) share the session's gazetteer index and
# never reach the network for the front line.
os.environ["FRONTLINE_CACHE_DIR"] = str(TEST_CACHE_DIR)
os.environ.setdefault("FRONTLINE_TERRITORY_FETCH", "0")
os.environ.setdefault("FRONTLINE_ONLINE_GEOCODING", "0")
# The app and the CLI keep an article library in the data folder: tests get a fresh one,
# never a reader's own library (whatever the shell's FRONTLINE_DATA_DIR says).
TEST_DATA_DIR = Path(tempfile.mkdtemp(prefix="frontline-test-data-"))
os.environ["FRONTLINE_DATA_DIR"] = str(TEST_DATA_DIR)
atexit.register(shutil.rmtree, TEST_DATA_DIR, ignore_errors=True)


# A test that drives the dashboard (Streamlit's AppTest or a server) or a browser is slow:
# 'pytest -m "not slow"' leaves it out. Tests that start other processes say so themselves.
SLOW_FIXTURES = frozenset({"app", "online_app", "library_app", "start_app", "chromium", "page"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    TEST_CACHE_DIR.mkdir(parents=True, exist_ok=True)
    return TEST_CACHE_DIR


@pytest.fixture(scope="session")
def settings(cache_dir: Path) -> Any:
    from frontline.settings import Settings

    return Settings(cache_dir=cache_dir, data_dir=cache_dir / "data")


@pytest.fixture(scope="session")
def gazetteer(settings: Any) -> Any:
    from frontline.gazetteer import Gazetteer

    return Gazetteer.open(settings.gazetteer_dir)


@pytest.fixture(scope="session")
def geoparser(settings: Any, gazetteer: Any) -> Any:
    from frontline.pipeline import Geoparser

    return Geoparser.load(settings)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"../shared is not beside the checkout ({SHARED_DIR})")
    return SHARED_DIR


@pytest.fixture(scope="session", params=SNAPSHOT_SET_NAMES)
def snapshot_set(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A folder of front-line snapshots and what to expect of it: the written stand-in
    (``tests/snapshot_fixtures.py``), and the real layers of ../shared/frontline as well
    where they are beside the checkout (each test then runs on both)."""
    return make_snapshot_set(request.param, tmp_path_factory.mktemp(f"snapshots-{request.param}"))


@pytest.fixture(scope="session")
def app_snapshot_set(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One set for the slow app and browser tests: the real layers where they are beside
    the checkout, else the written stand-in."""
    name = SNAPSHOT_SET_NAMES[-1]
    return make_snapshot_set(name, tmp_path_factory.mktemp(f"app-snapshots-{name}"))


@pytest.fixture(scope="session")
def sample_gold() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def sample_article() -> Any:
    from frontline.article import article_from_file

    return article_from_file(SAMPLE_ARTICLE)


@pytest.fixture(scope="session")
def sample_result(geoparser: Any, sample_article: Any) -> Any:
    return geoparser.geoparse(sample_article)


# ----------------------------------------------------------------------------------------
# The dashboard served by Streamlit, and a headless Chromium to drive it (app and browser
# tests only).

ARTIFACTS_DIR = Path(__file__).parent / "artifacts"


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def missing_tile_server() -> Any:
    """A tile server on 127.0.0.1 that has no tiles (404): the map must cope and say so."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NoTiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404, "no tiles here")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # the browser drops tile requests it no longer needs (broken pipes)

    server = QuietServer(("127.0.0.1", 0), NoTiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()
    server.server_close()


class StreamlitServer:
    """``streamlit run app.py`` on 127.0.0.1 at a free port, headless."""

    def __init__(self, url: str, process: Any, log_path: Path) -> None:
        self.url = url
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_servers([self])


def stop_servers(servers: list[StreamlitServer]) -> None:
    """Ask every server to stop at once, then wait for each: Streamlit takes a few seconds
    to shut down, and those seconds overlap instead of adding up at the session's end."""
    for server in servers:
        server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=10)
        except Exception:
            server.process.kill()


@pytest.fixture(scope="session")
def start_app(
    cache_dir: Path,
    gazetteer: Any,
    missing_tile_server: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    """Start the dashboard (see ``start``); every server stops with the session. The
    gazetteer fixture builds the index first, so no server waits on that."""
    import subprocess
    import sys
    import time
    import urllib.request

    servers: dict[str, StreamlitServer] = {}

    def start(
        article: Path | None = None,
        env: dict[str, str] | None = None,
        data_dir: Path | None = None,
    ) -> StreamlitServer:
        """``env`` adds or overrides environment variables (e.g. FRONTLINE_TERRITORY_DIR);
        ``data_dir`` is the library's folder (default: the session's test library). Each
        distinct article, env and data folder gets its own server, started again after
        ``stop()``."""
        label = (
            str(article or "")
            + "".join(f"\0{k}={v}" for k, v in sorted((env or {}).items()))
            + f"\0{data_dir or ''}"
        )
        if label in servers and servers[label].process.poll() is None:
            return servers[label]
        port = _free_port()
        log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
        command = [
            sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
            "--server.headless", "true",
            "--server.address", "127.0.0.1",
            "--server.port", str(port),
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        if article is not None:
            command += ["--", "--article", str(article)]
        server_environment = dict(os.environ)
        server_environment.update(
            FRONTLINE_CACHE_DIR=str(cache_dir),
            FRONTLINE_TILES_URL=missing_tile_server,
            FRONTLINE_TERRITORY_FETCH="0",
            FRONTLINE_ONLINE_GEOCODING="0",
            FRONTLINE_DATA_DIR=str(data_dir or TEST_DATA_DIR),
        )
        server_environment.update(env or {})
        log = log_path.open("w")
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=server_environment, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                process.terminate()
                raise RuntimeError(f"streamlit did not start in 60 s:\n{log_path.read_text()}")
            time.sleep(0.3)
        servers[label] = StreamlitServer(url, process, log_path)
        return servers[label]

    yield start
    stop_servers(list(servers.values()))


@pytest.fixture(scope="session")
def chromium() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Any:
    """A fresh browser page (1400x1000) that records every JavaScript dialog it sees."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]

    def record(dialog: Any) -> None:
        page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()

    page.on("dialog", record)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR
