"""Drops between the browser and the CLI, both ways, against the real binary: a drop made on
/drops in Chromium (two files and a folder, with a password) is fetched with `ferry get LINK -o
DIR`; files and a folder sent with `ferry send` are opened through the printed link in Chromium
and saved into a picked folder (the drop's folders kept). SHA-256 equal every time, and the
paths the same. Every wait is bounded."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from playwright.sync_api import expect

from ferry_server import ROOT, binary
from large_files import sha256_file
from picked_folder import HASH_PICKED, PICKER_STUB
from test_drops import World, make_link, world  # noqa: F401 (the fixture)

CLI_TIMEOUT_S = 120


def token(world: World) -> str:
    return world.server.cli("token", "create", "--user", "ann@example.org", "--name", "interop",
                            "--scopes", "read", "write").strip()


def ferry(world: World, cache: Path, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """`ferry send` / `ferry get` with the server, a token and a cache folder of their own."""
    environment = dict(os.environ, FERRY_SERVER=world.url, FERRY_TOKEN=token(world), XDG_CACHE_HOME=str(cache), **env)
    return subprocess.run([str(binary()), *args], capture_output=True, timeout=CLI_TIMEOUT_S, env=environment, cwd=ROOT)


def hashes(folder: Path) -> dict[str, str]:
    """{path under `folder`: SHA-256} of every file."""
    return {path.relative_to(folder).as_posix(): sha256_file(path) for path in folder.rglob("*") if path.is_file()}


def sample_tree(root: Path) -> tuple[list[Path], Path]:
    """Two files and a folder (nested, an empty file, a file over one 8 MiB upload chunk)."""
    root.mkdir(parents=True)
    one = root / "one.bin"
    one.write_bytes(os.urandom(9 * 1024 * 1024 + 5))
    two = root / "zwei ünïcode.txt"
    two.write_bytes(b"two " * 1000)
    folder = root / "album"
    (folder / "inner").mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"alpha")
    (folder / "inner" / "b.dat").write_bytes(os.urandom(70_000))
    (folder / "inner" / "empty.dat").write_bytes(b"")
    return [one, two], folder


def test_a_browser_drop_with_a_password_opens_with_ferry_get(world: World, tmp_path: Path) -> None:
    files, folder = sample_tree(tmp_path / "in")
    owner = world.member()
    with owner.expect_file_chooser() as chooser:
        owner.locator("#drop-pick-files").click()
    chooser.value.set_files([str(path) for path in files])
    owner.get_by_test_id("drop-folder-input").set_input_files(str(folder))
    expect(owner.get_by_test_id("drop-picked").locator("li")).to_have_count(5)
    owner.get_by_test_id("drop-password").fill("sésame ouvre-toi")
    owner.get_by_test_id("drop-create").click()
    link = make_link(owner)

    out = tmp_path / "out"
    out.mkdir()
    wrong = ferry(world, tmp_path / "cache", "get", link, "-o", str(out), FERRY_DROP_PASSWORD="wrong")
    assert wrong.returncode != 0
    assert list(out.iterdir()) == []
    # The password as the browser page took it, typed decomposed: both sides normalise to NFC.
    right = ferry(world, tmp_path / "cache", "get", link, "-o", str(out), FERRY_DROP_PASSWORD="se\u0301same ouvre-toi")
    assert right.returncode == 0, right.stderr.decode()
    assert hashes(out) == hashes(tmp_path / "in")
    assert list(out.rglob("*.ferry-part")) == []


def test_files_and_a_folder_sent_with_ferry_send_open_in_the_browser(world: World, tmp_path: Path) -> None:
    files, folder = sample_tree(tmp_path / "in")
    sent = ferry(world, tmp_path / "cache", "send", *(str(path) for path in files), str(folder))
    assert sent.returncode == 0, sent.stderr.decode()
    link = sent.stdout.decode().strip()
    assert link.startswith(world.url + "/d/") and "#" in link, link

    reader = world.stranger(PICKER_STUB)
    reader.goto(link)
    expect(reader.get_by_test_id("drop-open")).to_have_attribute("data-state", "files")
    names = reader.get_by_test_id("drop-file-name").all_inner_texts()
    assert sorted(names) == sorted(hashes(tmp_path / "in"))
    reader.get_by_test_id("drop-save-folder").click()
    expect(reader.get_by_test_id("drop-download-progress")).to_have_text("Saved into the folder.", timeout=120_000)
    assert reader.evaluate(HASH_PICKED) == hashes(tmp_path / "in")
