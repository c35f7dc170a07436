"""Browser-to-browser sharing in Debian's Chromium against the real binary: members of one team
signed in in separate browser contexts of one headless Chromium (on loopback, a secure context),
files, a folder and text sent direct and through the encrypted relay, declining, guest pairing,
several receivers, cancelling from either side, resuming after a reload, the title badge, and
relay-only ICE through a real TURN server (coturn).

FERRY_TEST_TRANSFER_MIB sets the size of the large random file (default 64; the target is 300).
Every wait is bounded; nothing asserts on timing."""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from ferry_server import Server, backends, database_url

import subprocess

CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
STEP_MS = 30_000
TRANSFER_MIB = int(os.environ.get("FERRY_TEST_TRANSFER_MIB", "64"))
# Room for the large file at a few MiB/s on a loaded machine, plus hashing.
TRANSFER_MS = 60_000 + TRANSFER_MIB * 2_000
RELAY_MIB = int(os.environ.get("FERRY_TEST_RELAY_MIB", "8"))

# A directory picker that hands out a folder of the origin private file system, so "Accept into a
# folder…" runs the real File System Access code path and the test can read what arrived.
PICKER_STUB = """
window.showDirectoryPicker = async () =>
  (await navigator.storage.getDirectory()).getDirectoryHandle("picked", { create: true });
"""
# ICE that can never succeed: relay-only policy without any TURN server gives no candidates, so
# the link's ICE timeout sends the transfer through the server's encrypted relay.
NO_ICE = """
{
  const Real = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Real {
    constructor(config) { super({ ...(config || {}), iceServers: [], iceTransportPolicy: "relay" }); }
  };
}
"""
# Records system notifications instead of showing them.
NOTES = """
{
  window.__notes = [];
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) { super(title, options); window.__notes.push(title); }
  };
}
"""
# Hashes every file under the picked folder: {path: sha256 hex}.
HASH_PICKED = """
async () => {
  const out = {};
  const walk = async (dir, prefix) => {
    for await (const [name, handle] of dir.entries()) {
      if (handle.kind === "directory") { await walk(handle, prefix + name + "/"); continue; }
      const bytes = await (await handle.getFile()).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      out[prefix + name] = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    }
  };
  const root = await navigator.storage.getDirectory();
  await walk(await root.getDirectoryHandle("picked", { create: true }), "");
  return out;
}
"""


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class World:
    server: Server
    browser: Browser
    errors: list[str]

    @property
    def url(self) -> str:
        assert self.server.url
        return self.server.url

    def cli(self, *args: str, password: str | None = None) -> str:
        return self.server.cli(*args, password=password)

    def context(self, *scripts: str, **options) -> BrowserContext:
        context = self.browser.new_context(accept_downloads=True, **options)
        for script in scripts:
            context.add_init_script(script)
        return context

    def watch(self, page: Page) -> Page:
        page.set_default_timeout(STEP_MS)
        page.on("console", lambda message: self.errors.append(message.text)
                if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def member(self, email: str, *scripts: str, **options) -> Page:
        """A member signed in in a new browser context, on the home page, connected."""
        context = self.context(*scripts, **options)
        answer = context.request.post(self.url + "/api/v1/session", data={"email": email, "password": PASSWORD},
                                      headers={"Origin": self.url})
        assert answer.ok, answer.text()
        page = self.watch(context.new_page())
        page.goto(self.url + "/")
        expect(page.locator("#sharing")).to_have_attribute("data-connection", "ready")
        return page


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(params=backends())
def world(request: pytest.FixtureRequest, browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Ann (admin, owner of Design) and Bob in Design; Carol alone in Ops."""
    server = Server(tmp_path_factory.mktemp("data"), database_url(request.param))
    world = World(server, browser, [])
    try:
        world.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design", password=PASSWORD)
        world.cli("user", "add", "--email", "bob@example.org", "--name", "Bob", password=PASSWORD)
        world.cli("team", "add-member", "Design", "bob@example.org")
        world.cli("user", "add", "--email", "carol@example.org", "--name", "Carol", password=PASSWORD)
        world.cli("team", "add", "Ops", "--owner", "carol@example.org")
        yield world
        assert world.errors == [], world.errors
    finally:
        for context in browser.contexts:
            context.close()
        server.stop()


def peer(page: Page, who: str, kind: str = "team"):
    """The row of a person under "Online now", in a room of one kind."""
    return page.locator(f"#rooms section[data-kind={kind}] li.peer").filter(has_text=who)


def select(page: Page, who: str, kind: str = "team") -> None:
    row = peer(page, who, kind)
    expect(row).to_have_count(1)
    row.locator("button.peer-select").click()
    expect(row.locator("button.peer-select")).to_have_attribute("aria-pressed", "true")


def incoming(page: Page):
    dialog = page.locator("#offer-dialog")
    expect(dialog).to_be_visible()
    return dialog


def random_file(path: Path, mib: int) -> Path:
    with open(path, "wb") as handle:
        for _ in range(mib):
            handle.write(os.urandom(1 << 20))
    return path


def done(page: Page, timeout: int = STEP_MS):
    """Waits until every transfer row of the page is done."""
    rows = page.locator("#transfers li.transfer")
    expect(rows.first).to_be_visible(timeout=timeout)
    expect(page.locator("#transfers li.transfer:not([data-state=done])")).to_have_count(0, timeout=timeout)
    return rows


def test_file_folder_and_text_go_direct(world: World, tmp_path: Path) -> None:
    ann = world.member("ann@example.org")
    bob = world.member("bob@example.org", PICKER_STUB, permissions=["clipboard-read", "clipboard-write"])
    expect(peer(ann, "Bob")).to_have_count(1)
    expect(peer(bob, "Ann").locator(".trust-badge")).to_have_text("not verified")

    # 1. A large random file, saved as a download.
    big = random_file(tmp_path / "random.bin", TRANSFER_MIB)
    select(ann, "Bob")
    ann.set_input_files("#pick-files", str(big))
    dialog = incoming(bob)
    expect(dialog.locator("#offer-title")).to_have_text("Ann wants to send you 1 file")
    expect(dialog.locator("#offer-from")).to_contain_text("Ann")
    expect(dialog.locator("#offer-from")).to_contain_text("Design")
    expect(dialog.locator("#offer-summary")).to_have_text(f"1 file, {TRANSFER_MIB} MiB")
    expect(dialog.locator("#offer-items")).to_contain_text("random.bin")
    expect(bob.locator("#offer-accept")).to_be_focused()
    started = time.monotonic()
    with bob.expect_download(timeout=TRANSFER_MS) as download:
        bob.click("#offer-accept")
    elapsed = time.monotonic() - started
    assert download.value.suggested_filename == "random.bin"
    assert sha256_file(download.value.path()) == sha256_file(big)
    print(f"\n{TRANSFER_MIB} MiB direct in {elapsed:.1f} s: {elapsed * 1000 / TRANSFER_MIB:.0f} ms per MiB")
    done(ann)
    expect(ann.locator("#transfers li.transfer .transfer-path").first).to_have_text("direct")
    expect(bob.locator("#transfers li.transfer .transfer-path").first).to_have_text("direct")

    # 2. A folder of 200 small files into a picked folder: structure kept, every hash equal.
    folder = tmp_path / "Photos"
    expected: dict[str, str] = {}
    for index in range(200):
        sub = folder / f"day{index % 4}"
        sub.mkdir(parents=True, exist_ok=True)
        data = os.urandom(1000 + index * 37)
        (sub / f"img{index:03}.jpg").write_bytes(data)
        expected[f"Photos/day{index % 4}/img{index:03}.jpg"] = hashlib.sha256(data).hexdigest()
    ann.set_input_files("#pick-folder", str(folder))
    dialog = incoming(bob)
    expect(dialog.locator("#offer-summary")).to_contain_text("200 files")
    expect(dialog.locator("#offer-items")).to_contain_text("Photos/day0/img000.jpg")
    bob.click("#offer-accept-folder")
    expect(bob.locator("#transfers li.transfer")).to_have_count(2)
    done(bob, TRANSFER_MS)
    received: dict[str, str] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # delivery into the folder follows verification
        received = bob.evaluate(HASH_PICKED)
        if len(received) >= 200:
            break
        bob.wait_for_timeout(250)
    assert {re.sub(r"^From Ann/", "", path): digest for path, digest in received.items()} == expected

    # 3. A text message, shown as text.
    message = "Lunch at 1? <b>not bold</b> — ünïcödé"
    ann.fill("#text-message", message)
    ann.click("#send-text")
    dialog = incoming(bob)
    expect(dialog.locator("#offer-title")).to_have_text("Ann wants to send you a text message")
    bob.click("#offer-accept")
    expect(bob.locator(".received-text")).to_have_text(message)
    expect(bob.locator(".received-text b")).to_have_count(0)
    bob.click(".received-copy")
    expect(bob.locator("#share-status")).to_have_text("Copied.")
    assert bob.evaluate("navigator.clipboard.readText()") == message
    done(ann)
    for page in (ann, bob):
        expect(page.locator("#transfers li.transfer[data-path=direct]")).to_have_count(3)


def test_declined_offer_moves_nothing(world: World, tmp_path: Path) -> None:
    ann = world.member("ann@example.org")
    bob = world.member("bob@example.org")
    downloads: list[object] = []
    bob.on("download", lambda download: downloads.append(download))
    select(ann, "Bob")
    ann.set_input_files("#pick-files", str(random_file(tmp_path / "secret.bin", 1)))
    incoming(bob)
    bob.click("#offer-decline")
    expect(bob.locator("#offer-dialog")).to_be_hidden()
    row = ann.locator("#transfers li.transfer")
    expect(row).to_have_attribute("data-state", "declined")
    expect(row.locator(".transfer-bytes")).to_have_text("0 B of 1.0 MiB")
    ann.click("#transfers-clear")
    expect(ann.locator("#transfers li.transfer")).to_have_count(0)
    expect(ann.locator("#transfers-empty")).to_be_visible()
    expect(bob.locator("#transfers li.transfer")).to_have_count(0)
    bob.wait_for_timeout(1000)
    assert downloads == []
    incoming_parts = bob.evaluate("""async () => {
      const root = await navigator.storage.getDirectory();
      const names = [];
      for await (const [name] of root.entries()) names.push(name);
      return names;
    }""")
    assert "picked" not in incoming_parts
    # Nothing was written for the offer: the receiving area is absent or empty.
    assert bob.evaluate("""async () => {
      const root = await navigator.storage.getDirectory();
      for await (const [name, handle] of root.entries()) {
        if (handle.kind !== "directory") continue;
        for await (const _ of handle.entries()) return name;
      }
      return null;
    }""") is None


def send_and_check(sender: Page, receiver: Page, source: Path) -> None:
    """Sends a file to Bob, who accepts it as a download: the bytes that arrive are the sent ones."""
    select(sender, "Bob")
    sender.set_input_files("#pick-files", str(source))
    incoming(receiver)
    with receiver.expect_download(timeout=TRANSFER_MS) as download:
        receiver.click("#offer-accept")
    assert sha256_file(download.value.path()) == sha256_file(source)
    done(sender)


def test_ice_failure_goes_relayed_and_encrypted(world: World, tmp_path: Path) -> None:
    ann = world.member("ann@example.org", NO_ICE)
    bob = world.member("bob@example.org", NO_ICE)
    send_and_check(ann, bob, random_file(tmp_path / "relayed.bin", RELAY_MIB))
    expect(ann.locator("#transfers li.transfer .transfer-path")).to_have_text("relayed, encrypted")
    expect(bob.locator("#transfers li.transfer .transfer-path")).to_have_text("relayed, encrypted")


def test_guest_pairing_with_a_code(world: World, tmp_path: Path) -> None:
    ann = world.member("ann@example.org")
    carol = world.member("carol@example.org")
    ann.click("#pair-start")
    code = ann.locator("#pair-code")
    expect(code).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    link = ann.locator("#pair-link").inner_text()
    assert link == f"{world.url}/pair#{code.inner_text()}"
    expect(ann.locator("#pair-qr svg.qr")).to_have_count(1)

    guest = world.watch(world.context().new_page())
    response = guest.goto(link)
    assert response is not None and response.status == 200, "GET /pair must serve the guest page"
    expect(guest.locator("#pair-code-input")).to_have_value(code.inner_text())
    guest.fill("#guest-device-name", "Visitor's phone")
    guest.click("#pair-submit")
    expect(guest.locator("#sharing")).to_have_attribute("data-connection", "ready")
    expect(peer(guest, "Ann", "pairing")).to_have_count(1)
    expect(peer(ann, "Visitor's phone", "pairing")).to_have_count(1)
    expect(ann.locator("#pair-box")).to_be_hidden()
    expect(ann.locator("#share-status")).to_contain_text("Paired with Visitor's phone")

    source = random_file(tmp_path / "from-guest.bin", 2)
    select(guest, "Ann", "pairing")
    guest.set_input_files("#pick-files", str(source))
    dialog = incoming(ann)
    expect(dialog.locator("#offer-title")).to_have_text("A guest wants to send you 1 file")
    expect(dialog.locator("#offer-from")).to_contain_text("Visitor's phone")
    with ann.expect_download(timeout=TRANSFER_MS) as download:
        ann.click("#offer-accept")
    assert sha256_file(download.value.path()) == sha256_file(source)
    done(guest)

    # A member of another team sees neither of them.
    expect(carol.locator("#rooms li.peer")).to_have_count(0)
    expect(carol.locator("#rooms-empty")).to_be_visible()
    # The code was for one guest only.
    again = world.watch(world.context().new_page())
    again.goto(link)
    again.click("#pair-submit")
    expect(again.locator("#pair-error")).to_contain_text("wrong, or it was already used")
    world.errors[:] = [e for e in world.errors if "404" not in e]


def test_one_sender_to_three_receivers(world: World, tmp_path: Path) -> None:
    ann = world.member("ann@example.org")
    receivers = [world.member("bob@example.org", PICKER_STUB) for _ in range(3)]
    rows = peer(ann, "Bob")
    expect(rows).to_have_count(3)
    for index in range(3):
        rows.nth(index).locator("button.peer-select").click()
    expect(ann.locator("#send-to")).to_contain_text("3 devices")
    source = random_file(tmp_path / "to-three.bin", 4)
    ann.set_input_files("#pick-files", str(source))
    for page in receivers:
        incoming(page)
        page.click("#offer-accept-folder")
    for page in receivers:
        done(page, TRANSFER_MS)
    done(ann, TRANSFER_MS)
    expect(ann.locator("#transfers li.transfer")).to_have_count(3)
    for page in receivers:
        deadline = time.monotonic() + 30
        hashes: dict[str, str] = {}
        while time.monotonic() < deadline and not hashes:
            hashes = page.evaluate(HASH_PICKED)
            if not hashes:
                page.wait_for_timeout(250)
        assert list(hashes.values()) == [sha256_file(source)]


def wait_progress(page: Page) -> None:
    """Until the page's only transfer has moved some bytes, and is not finished."""
    expect(page.locator("#transfers li.transfer[data-state=running] progress:not([value='0'])")).to_have_count(1, timeout=STEP_MS)


def test_cancel_from_either_side(world: World, tmp_path: Path) -> None:
    ann = world.member("ann@example.org")
    bob = world.member("bob@example.org")
    source = random_file(tmp_path / "long.bin", max(TRANSFER_MIB, 64))
    select(ann, "Bob")
    for canceller in ("sender", "receiver"):
        before = ann.locator("#transfers li.transfer").count()
        ann.set_input_files("#pick-files", str(source))
        incoming(bob)
        bob.click("#offer-accept")
        expect(ann.locator("#transfers li.transfer")).to_have_count(before + 1)
        wait_progress(bob)
        page = ann if canceller == "sender" else bob
        page.locator("#transfers li.transfer").first.locator("button.transfer-cancel").click()
        for side in (ann, bob):
            expect(side.locator("#transfers li.transfer").first).to_have_attribute("data-state", "cancelled")
            expect(side.locator("#transfers li.transfer").first.locator("button.transfer-cancel")).to_be_hidden()


def test_resume_after_the_receiver_reloads(world: World, tmp_path: Path) -> None:
    ann = world.member("ann@example.org")
    bob = world.member("bob@example.org")
    source = random_file(tmp_path / "resumed.bin", max(TRANSFER_MIB, 64))
    select(ann, "Bob")
    ann.set_input_files("#pick-files", str(source))
    incoming(bob)
    bob.click("#offer-accept")
    wait_progress(bob)
    bob.reload()
    expect(bob.locator("#sharing")).to_have_attribute("data-connection", "ready")
    # The sender offers again when the device is back; the accepted download continues by itself.
    with bob.expect_download(timeout=TRANSFER_MS) as download:
        expect(bob.locator("#transfers li.transfer")).to_have_count(1, timeout=STEP_MS)
    assert sha256_file(download.value.path()) == sha256_file(source)
    done(ann, TRANSFER_MS)
    expect(bob.locator("#offer-dialog")).to_be_hidden()


def test_offer_while_hidden_badges_the_title_and_notifies(world: World) -> None:
    ann = world.member("ann@example.org")
    bob = world.member("bob@example.org", NOTES, permissions=["notifications"])
    expect(bob.locator("#notify-enable")).to_be_hidden()  # already granted: nothing to ask
    base = bob.title()
    bob.evaluate("""() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      document.dispatchEvent(new Event("visibilitychange"));
    }""")
    select(ann, "Bob")
    ann.fill("#text-message", "are you there?")
    ann.click("#send-text")
    expect(bob).to_have_title("(1) " + base)
    assert bob.evaluate("window.__notes") == ["Ann wants to send you a text message"]
    bob.evaluate("""() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
      document.dispatchEvent(new Event("visibilitychange"));
    }""")
    expect(bob).to_have_title(base)
    incoming(bob)
    bob.click("#offer-decline")


def test_rename_and_verification(world: World) -> None:
    ann = world.member("ann@example.org")
    bob = world.member("bob@example.org")
    ann.fill("#device-name", "Ann's desk")
    ann.click("#device-save")
    expect(peer(bob, "Ann").locator(".peer-device")).to_have_text("Ann's desk")

    # Both see the same code for their pair of devices; confirming marks the peer verified.
    codes = []
    for page, other in ((ann, "Bob"), (bob, "Ann")):
        peer(page, other).locator("button.peer-verify").click()
        expect(page.locator("#verify-dialog")).to_be_visible()
        expect(page.locator("#verify-confirm")).to_be_focused()
        codes.append(page.locator("#verify-code").inner_text())
        page.click("#verify-confirm")
        expect(peer(page, other).locator(".trust-badge")).to_have_text("verified")
    assert codes[0] == codes[1] and re.search(r"\d", codes[0])

    # Leaving is live too.
    bob.context.close()
    expect(peer(ann, "Bob")).to_have_count(0)
    expect(ann.locator("#rooms-empty")).to_be_visible()


def test_drop_onto_a_peer(world: World) -> None:
    ann = world.member("ann@example.org")
    bob = world.member("bob@example.org")
    expect(ann).to_have_title("Ferry")
    # A drop built in the page (Playwright cannot drag files from the desktop): it goes to the
    # peer it lands on, though nobody is selected.
    peer(ann, "Bob").evaluate("""(row) => {
      const data = new DataTransfer();
      data.items.add(new File(["dropped bytes"], "dropped.txt", { type: "text/plain" }));
      row.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
      row.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    }""")
    dialog = incoming(bob)
    expect(dialog.locator("#offer-items")).to_contain_text("dropped.txt")
    expect(dialog.locator("#offer-summary")).to_have_text("1 file, 13 B")
    with bob.expect_download(timeout=STEP_MS) as download:
        bob.click("#offer-accept")
    assert Path(download.value.path()).read_bytes() == b"dropped bytes"


# Relay candidates only, with the ICE servers the page got from the server (its TURN): WebRTC then
# works only through TURN.
RELAY_ONLY_ICE = """
{
  const Real = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Real {
    constructor(config) { super({ ...(config || {}), iceTransportPolicy: "relay" }); }
  };
}
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_relay_only_ice_goes_through_a_turn_server(browser: Browser, tmp_path: Path) -> None:
    """coturn on 127.0.0.1 with the REST shared secret; Ferry hands out its time-limited
    credentials; with `iceTransportPolicy: "relay"` the data channel can only open through TURN,
    and coturn's log shows the allocations it made for the two browsers."""
    port = free_port()
    secret = "turn-test-secret"
    turn_log = tmp_path / "turn.log"
    with open(turn_log, "w") as log:
        turn = subprocess.Popen(
            ["turnserver", "-n", "--listening-ip=127.0.0.1", f"--listening-port={port}", "--relay-ip=127.0.0.1",
             "--min-port=49160", "--max-port=49200", "--use-auth-secret", f"--static-auth-secret={secret}",
             "--realm=ferry.test", "--allow-loopback-peers", "--no-tls", "--no-dtls", "--no-cli",
             "--log-file=stdout", "--simple-log", "-v"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(tmp_path / "data", None, ["--turn", f"turn:127.0.0.1:{port}", "--turn-secret", secret])
    world = World(server, browser, [])
    try:
        world.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                  password=PASSWORD)
        world.cli("user", "add", "--email", "bob@example.org", "--name", "Bob", password=PASSWORD)
        world.cli("team", "add-member", "Design", "bob@example.org")
        ann = world.member("ann@example.org", RELAY_ONLY_ICE)
        bob = world.member("bob@example.org", RELAY_ONLY_ICE)
        send_and_check(ann, bob, random_file(tmp_path / "turned.bin", RELAY_MIB))
        # Relay candidates are the only ones, so an open data channel went through TURN; it is
        # still WebRTC end to end, and the page says "direct" (not the server's relay).
        expect(ann.locator("#transfers li.transfer .transfer-path")).to_have_text("direct")
        assert world.errors == [], world.errors
        turn.terminate()
        turn.wait(timeout=10)
        log_text = turn_log.read_text(errors="replace")
        assert re.search(r"ALLOCATE.*success", log_text), log_text[-2000:]
    finally:
        for context in browser.contexts:
            context.close()
        server.stop()
        if turn.poll() is None:
            turn.terminate()
            turn.wait(timeout=10)
