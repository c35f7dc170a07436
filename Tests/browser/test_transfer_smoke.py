"""Browser-to-browser transfers in real Chromium, without the Ferry binary: two peer clients in one
page joined by the in-memory signalling server of the node tests, through a real WebRTC data
channel and through the sealed relay, with the real read and OPFS workers and the download.
Checks that the downloaded file has the sender's SHA-256 and that the path was the one expected."""

from __future__ import annotations

import hashlib
import http.server
import mimetypes
import os
import threading
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser

CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "transfer_smoke"


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the smoke page at / and the repository under /repo/ (modules need http, not file:)."""

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0]
        if path.startswith("/repo/"):
            return str(REPO / path[len("/repo/") :])
        return str(HERE / path.lstrip("/"))

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    mimetypes.add_type("text/javascript", ".js")
    mimetypes.add_type("text/javascript", ".mjs")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize(("direct", "mebibytes", "mode"), [(True, 64, "direct"), (False, 16, "relay")])
def test_transfer_arrives_whole(browser: Browser, origin: str, direct: bool, mebibytes: int, mode: str) -> None:
    page = browser.new_page(accept_downloads=True)
    try:
        with page.expect_download(timeout=120_000) as download_info:
            page.goto(f"{origin}/page.html?direct={int(direct)}&mb={mebibytes}")
        download = download_info.value
        assert download.suggested_filename == "big file.bin"
        digest = hashlib.sha256(Path(download.path()).read_bytes()).hexdigest()
        page.wait_for_function("window.__result || window.__error", timeout=30_000)
        assert page.evaluate("window.__error || null") is None
        result = page.evaluate("window.__result")
        assert result["mode"] == mode
        assert result["expected"] == digest
        assert Path(download.path()).stat().st_size == mebibytes * 1024 * 1024
    finally:
        page.close()
