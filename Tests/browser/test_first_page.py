"""Live test of the first page: the real `ferry serve` binary and Debian's Chromium.

Run from the repository root after building:

    pip install pytest playwright      # never `playwright install`: Chromium comes from Debian
    FERRY_BIN=.build/debug/ferry python3 -m pytest -q Tests/browser

Set FERRY_SCREENSHOT_DIR to keep screenshots of the page after a receipt.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import queue
import random
import re
import signal
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, Request, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")
START_TIMEOUT_S = 30
STEP_TIMEOUT_MS = 30_000
URL_PATTERN = re.compile(r"http://127\.0\.0\.1:\d+")
MODULES = ["app", "format", "receipt-api", "hash-worker", "sha256"]


class Server:
    def __init__(self, process: subprocess.Popen[str], url: str, output: list[str]) -> None:
        self.process = process
        self.url = url
        self.output = output


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = Path(os.environ.get("FERRY_BIN", ".build/debug/ferry"))
    if not binary.is_absolute():
        binary = ROOT / binary
    if not binary.exists():
        pytest.fail(f"server binary {binary} not found: build it first or set FERRY_BIN")
    data = tmp_path_factory.mktemp("data")
    process = subprocess.Popen(
        [str(binary), "serve", "--host", "127.0.0.1", "--port", "0",
         "--public", "Public", "--templates", "Templates", "--data", str(data)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    output: list[str] = []
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:  # keeps draining so the server never blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    url = None
    try:
        while url is None:
            line = lines.get(timeout=START_TIMEOUT_S)
            if line is None:
                pytest.fail("server exited before listening:\n" + "".join(output))
            match = URL_PATTERN.search(line)
            url = match.group(0) if match else None
    except queue.Empty:
        stop(process)
        pytest.fail(f"server printed no URL within {START_TIMEOUT_S} s:\n" + "".join(output))
    yield Server(process, url, output)
    stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        yield browser
        browser.close()


class Watch:
    """What a page did: console errors, uncaught exceptions, CSP violations, requests."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        self.requests: list[Request] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("request", lambda r: self.requests.append(r))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("worker", lambda w: w.on("console", lambda m: m.type == "error" and self.problems.append(f"worker console: {m.text}")))

    def paths(self) -> list[str]:
        return [re.sub(r"^https?://[^/]+", "", r.url) for r in self.requests]

    def posts(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST" and r.url.endswith("/api/v1/digests")]


# Runs before any page script; CSP does not apply to it. Collects violations the console might not show.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
"""


@pytest.fixture()
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, viewport={"width": 1000, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.watch = Watch(page)  # type: ignore[attr-defined]
    yield page
    context.close()


def watch(page: Page) -> Watch:
    return page.watch  # type: ignore[attr-defined]


def assert_clean(page: Page) -> None:
    violations = page.evaluate("window.__csp")
    assert violations == [], f"CSP violations: {violations}"
    assert watch(page).problems == [], "\n".join(watch(page).problems)


def open_home(page: Page) -> dict[str, str]:
    """Loads `/` and returns the import map's `imports`."""
    response = page.goto("/")
    assert response is not None and response.status == 200
    expect(page.locator("#file-input")).to_be_attached()
    page.wait_for_load_state("load")
    return json.loads(page.locator('script[type="importmap"]').text_content() or "{}")["imports"]


def ignore_failed_status(page: Page, status: int) -> None:
    """Chromium logs every 4xx answer as a console error; drop those for the status a test expects."""
    mark = f"the server responded with a status of {status}"
    watch(page).problems[:] = [p for p in watch(page).problems if mark not in p]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def wait_for_receipt(page: Page) -> None:
    receipt = page.locator("#receipt")
    error = page.locator("#error")
    expect(receipt.or_(error.locator(".alert-box"))).to_be_visible(timeout=STEP_TIMEOUT_MS)
    assert error.text_content() == "", f"the page shows an error: {error.text_content()}"
    expect(receipt).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    """Keeps a full-page screenshot when FERRY_SCREENSHOT_DIR is set."""
    if directory := os.environ.get("FERRY_SCREENSHOT_DIR"):
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=True)


def rows(page: Page) -> list[dict[str, str | None]]:
    return page.locator("#file-list > li").evaluate_all(
        """(items) => items.map((li) => ({
            name: li.querySelector(".file-name").textContent,
            digest: li.querySelector(".digest").textContent,
            state: li.dataset.state,
        }))"""
    )


def test_page_loads_clean_with_fingerprinted_modules(page: Page, server: Server) -> None:
    # An API request, not a navigation: navigating twice would abort the first page's favicon
    # fetch and record a failed request that has nothing to do with the server.
    response = page.request.get("/")
    assert response.status == 200
    csp = response.headers.get("content-security-policy", "")
    assert "script-src" in csp and "unsafe-inline" not in csp, csp
    imports = open_home(page)

    for name in MODULES:
        key = f"/js/{name}.js"
        assert key in imports, f"import map lacks {key}: {imports}"
        assert re.fullmatch(rf"/js/{re.escape(name)}\.[A-Za-z0-9_-]+\.js", imports[key]), imports[key]
    paths = watch(page).paths()
    for name in ["app", "format", "receipt-api"]:
        assert imports[f"/js/{name}.js"] in paths, f"{name} was not loaded by its fingerprinted URL: {paths}"
        assert f"/js/{name}.js" not in paths, f"{name} was loaded unfingerprinted"
    stylesheet = page.locator('link[rel="stylesheet"]').get_attribute("href") or ""
    assert re.fullmatch(r"/css/app\.[A-Za-z0-9_-]+\.css", stylesheet), stylesheet

    # The drop zone is a label of the file input, which keeps keyboard focus.
    assert page.locator("#file-input").evaluate("(input) => [...input.labels].map((l) => l.id)") == ["dropzone"]
    page.locator("#file-input").focus()
    assert page.evaluate("document.activeElement.id") == "file-input"
    assert page.locator("#status").get_attribute("aria-live") == "polite"
    assert_clean(page)


def test_picked_files_are_hashed_and_receipted(page: Page, tmp_path: Path) -> None:
    small = tmp_path / "notes.txt"
    small.write_bytes(b"hello, ferry\n")
    big = tmp_path / "random.bin"
    big.write_bytes(random.Random(20261125).randbytes(5 * 1024 * 1024 + 123))
    expected = [(p.name, p.stat().st_size, sha256_hex(p.read_bytes())) for p in (small, big)]

    imports = open_home(page)
    page.set_input_files("#file-input", [str(small), str(big)])
    wait_for_receipt(page)

    assert rows(page) == [{"name": n, "digest": d, "state": "recorded"} for n, _, d in expected]
    assert page.locator("#receipt-count").text_content() == "2"
    assert page.locator("#receipt-bytes").get_attribute("value") == str(sum(s for _, s, _ in expected))
    assert re.fullmatch(r"[0-9a-f]{32}", page.locator("#receipt-id").text_content() or "")
    assert page.locator("#overall-progress").evaluate("(p) => p.value") == 100
    expect(page.locator("#cancel")).to_be_hidden()

    [post] = watch(page).posts()
    assert post.headers["content-type"].startswith("application/json")
    assert post.post_data_json == {"files": [{"name": n, "size": s, "sha256": d} for n, s, d in expected]}
    assert imports["/js/hash-worker.js"] in watch(page).paths(), "the worker was not created from its fingerprinted URL"

    screenshot(page, "receipt.png")
    if os.environ.get("FERRY_SCREENSHOT_DIR"):
        page.set_viewport_size({"width": 360, "height": 800})
        screenshot(page, "receipt-narrow.png")
    assert_clean(page)


def test_dropped_files_are_hashed_and_receipted(page: Page) -> None:
    files = [("dropped.txt", b"dropped on the zone"), ("pattern.bin", bytes(i % 251 for i in range(300_000)))]
    open_home(page)
    page.evaluate(
        """(files) => {
            const transfer = new DataTransfer();
            for (const [name, data] of files) {
                const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], name, { type: "application/octet-stream" }));
            }
            const zone = document.getElementById("dropzone");
            for (const type of ["dragenter", "dragover"]) {
                zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
            }
            if (!zone.classList.contains("is-dragover")) throw new Error("the zone did not accept the drag");
            const drop = new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: transfer });
            zone.dispatchEvent(drop);
            if (!drop.defaultPrevented) throw new Error("the drop was left to the browser");
        }""",
        [(name, base64.b64encode(data).decode()) for name, data in files],
    )
    wait_for_receipt(page)
    assert rows(page) == [{"name": n, "digest": sha256_hex(d), "state": "recorded"} for n, d in files]
    assert page.locator("#receipt-count").text_content() == "2"
    assert page.locator("#receipt-bytes").get_attribute("value") == str(sum(len(d) for _, d in files))
    assert "is-dragover" not in (page.locator("#dropzone").get_attribute("class") or "")
    assert_clean(page)


def test_problem_from_server_is_shown_readably(page: Page, tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_bytes(b"abc")
    problem = {
        "type": "https://ferry.example/problems/unsupported-media-type",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": "Send the digests as application/json.",
        "errors": [{"pointer": "/files/0/sha256", "detail": "is not what we expected"}],
    }
    page.route("**/api/v1/digests", lambda route: route.fulfill(
        status=415, content_type="application/problem+json", body=json.dumps(problem)))
    open_home(page)
    page.set_input_files("#file-input", str(small))

    alert = page.locator("#error .alert-box")
    expect(alert).to_be_visible()
    expect(alert.locator(".alert-title")).to_have_text("Unsupported Media Type HTTP 415")
    expect(alert).to_contain_text("Send the digests as application/json.")
    expect(alert.locator("li")).to_have_text("“small.txt” (file 1): SHA-256 is not what we expected")
    expect(page.locator("#receipt")).to_be_hidden()
    assert rows(page) == [{"name": "small.txt", "digest": sha256_hex(b"abc"), "state": "hashed"}]
    screenshot(page, "problem.png")
    ignore_failed_status(page, 415)
    assert_clean(page)


def test_invalid_digest_is_refused_by_the_real_server(page: Page, tmp_path: Path) -> None:
    small = tmp_path / "tiny.txt"
    small.write_bytes(b"tiny")

    def corrupt(route) -> None:  # what the page sends is valid, so break it on the way out
        body = route.request.post_data_json
        body["files"][0]["sha256"] = "not-a-digest"
        route.continue_(post_data=json.dumps(body))

    page.route("**/api/v1/digests", corrupt)
    open_home(page)
    with page.expect_response("**/api/v1/digests") as answer:
        page.set_input_files("#file-input", str(small))
    response = answer.value
    assert response.status == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()

    alert = page.locator("#error .alert-box")
    expect(alert).to_be_visible()
    expect(alert.locator(".alert-title")).to_have_text(f"{problem['title']} HTTP 400")
    if problem.get("detail"):
        expect(alert).to_contain_text(problem["detail"])
    for error in problem.get("errors", []):
        expect(alert).to_contain_text(error["detail"])
        if error.get("pointer") == "/files/0/sha256":
            expect(alert).to_contain_text("“tiny.txt” (file 1): SHA-256")
    expect(page.locator("#receipt")).to_be_hidden()
    ignore_failed_status(page, 400)
    assert_clean(page)


def test_cancel_stops_hashing_and_sends_nothing(page: Page, tmp_path: Path) -> None:
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as f:
        f.truncate(2 * 1024**3)  # sparse: costs no disk, takes seconds to hash
    after = tmp_path / "after.txt"
    after.write_bytes(b"after the cancel")

    open_home(page)
    page.set_input_files("#file-input", str(huge))
    expect(page.locator("#file-list > li")).to_have_attribute("data-state", "hashing")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#file-list > li")).to_have_attribute("data-state", "cancelled")
    expect(page.locator("#status")).to_have_text("Cancelled. Nothing was sent.")
    expect(page.locator("#cancel")).to_be_hidden()

    page.set_input_files("#file-input", str(after))
    wait_for_receipt(page)
    assert [p.post_data_json for p in watch(page).posts()] == [
        {"files": [{"name": "after.txt", "size": 16, "sha256": sha256_hex(b"after the cancel")}]}
    ]
    assert_clean(page)


def test_unknown_page_renders_the_error_template(page: Page) -> None:
    response = page.goto("/no/such/page")
    assert response is not None and response.status == 404
    assert "text/html" in response.headers.get("content-type", "")
    expect(page.locator("h1")).not_to_be_empty()
    expect(page.get_by_role("link", name=re.compile("home", re.I))).to_have_attribute("href", "/")
    assert not any(p.endswith(".js") for p in watch(page).paths()), "the error page should not need JS"
    screenshot(page, "not-found.png")
    ignore_failed_status(page, 404)
    assert_clean(page)
