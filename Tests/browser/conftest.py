"""Browser and CLI tests run the real binary through the shared launcher in Tests/support, and
Debian's Chromium through Playwright (one headless browser per test module)."""
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()
