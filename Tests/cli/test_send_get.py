"""`ferry send` and `ferry get` against a real server: round trips of files, folders, empty
files, texts and standard input; password drops; download limits; resumed sends and gets after a
kill; a chunk damaged on its way to the server (Upload-Checksum); a flipped byte in a stored blob;
hostile paths; the password prompt on a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import PASSWORD, Cli, Server, binary, make_file, sha256

BIG = 200 * 1024 * 1024


def tree(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under `folder`."""
    return {str(path.relative_to(folder)): sha256(path) for path in sorted(folder.rglob("*")) if path.is_file()}


def test_files_round_trip(cli: Cli, tmp_path: Path) -> None:
    sizes = {"empty.txt": 0, "one.bin": 1, "record.bin": 65536, "record-and-one.bin": 65537,
             "several.bin": 3 * 65536 + 5, "mib.bin": 1024 * 1024 + 3}
    files = [make_file(tmp_path / "in" / name, size, seed=size) for name, size in sizes.items()]
    link = cli.send(*map(str, files), "--expires", "1h")
    out = tmp_path / "out"
    out.mkdir()
    result = cli.get(link, "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert tree(out) == tree(tmp_path / "in")
    assert cli.unfinished_states() == []


def test_folder_tree(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "in" / "photos"
    make_file(root / "beach.jpg", 200_000, 1)
    make_file(root / "2024" / "summer" / "a.png", 70_000, 2)
    make_file(root / "2024" / "empty", 0, 3)
    make_file(root / "notes" / "ünïcödé name.txt", 12, 4)
    link = cli.send(str(root))
    out = tmp_path / "out"
    out.mkdir()
    result = cli.get(link, "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert tree(out) == tree(tmp_path / "in")
    assert (out / "photos" / "2024" / "summer" / "a.png").exists()
    assert list(out.rglob("*.ferry-part")) == []


def test_links_and_pipes_inside_a_folder_are_left_out(cli: Cli, tmp_path: Path) -> None:
    outside = make_file(tmp_path / "outside-secret.txt", 100, 9)
    root = tmp_path / "in" / "share"
    make_file(root / "real.txt", 1000, 1)
    (root / "looks-harmless.txt").symlink_to(outside)
    os.mkfifo(root / "pipe")
    (root / "nothing" / "here").mkdir(parents=True)  # empty folders: a drop holds files only
    result = cli.run("send", str(root))
    assert result.returncode == 0, result.stderr.decode()
    notes = result.stderr.decode()
    assert "left out" in notes and "looks-harmless.txt" in notes and "pipe" in notes, notes
    assert "share/nothing/here: an empty folder (a drop holds files only)" in notes, notes
    assert "share/nothing: an empty folder" not in notes, "a folder holding a folder is not empty"
    out = tmp_path / "out"
    out.mkdir()
    assert cli.get(result.stdout.decode().strip(), "-o", str(out)).returncode == 0
    assert sorted(str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()) == ["share/real.txt"]


def test_text_and_standard_input(cli: Cli, tmp_path: Path) -> None:
    text = "Hello from the terminal 👋\nline two\n"
    link = cli.send("--text", text)
    result = cli.get(link, "-o", "-")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == text

    link = cli.send("--text", "-", input=b"piped text")
    assert cli.get(link, "-o", "-").stdout == b"piped text"

    data = bytes(range(256)) * 1000
    result = cli.run("send", "-", "--name", "report.bin", input=data)
    assert result.returncode == 0, result.stderr.decode()
    assert b"cannot be resumed" in result.stderr
    link = result.stdout.decode().strip()
    got = cli.get(link, "-o", "-")
    assert got.returncode == 0, got.stderr.decode()
    assert got.stdout == data
    out = tmp_path / "out"
    out.mkdir()
    # The ticket of that get was used up and forgotten; an unlimited drop opens again.
    assert cli.get(link, "-o", str(out)).returncode == 0
    assert (out / "report.bin").read_bytes() == data


def test_password_drop(cli: Cli, tmp_path: Path) -> None:
    source = make_file(tmp_path / "secret.bin", 100_000, 7)
    link = cli.send(str(source), "--password", env=cli.env(FERRY_DROP_PASSWORD="s3cret pass"))
    out = tmp_path / "out"
    out.mkdir()
    wrong = cli.get(link, "-o", str(out), env=cli.env(FERRY_DROP_PASSWORD="guess"))
    assert wrong.returncode != 0
    assert b"wrong password" in wrong.stderr
    assert list(out.iterdir()) == []
    right = cli.get(link, "-o", str(out), env=cli.env(FERRY_DROP_PASSWORD="s3cret pass"))
    assert right.returncode == 0, right.stderr.decode()
    assert sha256(out / "secret.bin") == sha256(source)
    # A variable set but empty protects nothing: refused before anything is uploaded.
    empty = cli.run("send", str(source), "--password", env=cli.env(FERRY_DROP_PASSWORD=""))
    assert empty.returncode != 0 and b"FERRY_DROP_PASSWORD is set but empty" in empty.stderr, empty.stderr
    assert cli.unfinished_states() == []


def test_download_limit(cli: Cli, tmp_path: Path) -> None:
    source = make_file(tmp_path / "once.txt", 1000, 8)
    link = cli.send(str(source), "--downloads", "1")
    first = tmp_path / "first"
    first.mkdir()
    assert cli.get(link, "-o", str(first)).returncode == 0
    second = tmp_path / "second"
    second.mkdir()
    result = cli.get(link, "-o", str(second))
    assert result.returncode != 0
    assert b"downloaded as often as its owner allowed" in result.stderr, result.stderr
    assert list(second.iterdir()) == []


def test_a_wrong_output_uses_up_no_download(cli: Cli, tmp_path: Path) -> None:
    """`-o -` for a drop of several files is refused before the drop is opened; a folder with a
    file in the way is refused after (the names come with the opening), and a run into another
    folder then continues on the same ticket: the drop's one download is not used up by a typo."""
    root = tmp_path / "in" / "pair"
    make_file(root / "a.txt", 300, 1)
    make_file(root / "b.txt", 300, 2)
    link = cli.send(str(root), "--downloads", "1")
    piped = cli.get(link, "-o", "-")
    assert piped.returncode != 0
    assert b"this drop has 2 (nothing was downloaded): give a folder with -o DIR" in piped.stderr, piped.stderr
    busy = tmp_path / "busy"
    (busy / "pair").mkdir(parents=True)
    (busy / "pair" / "a.txt").write_text("mine")
    refused = cli.get(link, "-o", str(busy))
    assert refused.returncode != 0 and b"already counted" in refused.stderr, refused.stderr
    elsewhere = tmp_path / "elsewhere"
    result = cli.get(link, "-o", str(elsewhere))
    assert result.returncode == 0, result.stderr.decode()
    assert tree(elsewhere / "pair") == tree(root)
    # Finished: the one download is used, so another folder is refused.
    late = cli.get(link, "-o", str(tmp_path / "late"))
    assert b"downloaded as often as its owner allowed" in late.stderr, late.stderr


def test_bad_link_is_refused(cli: Cli, tmp_path: Path) -> None:
    result = cli.get(cli.server.url + "/d/abc")
    assert result.returncode != 0
    assert b"not a drop link" in result.stderr
    # A real drop's link with its secret changed: the proof is refused, said in the user's terms.
    link = cli.send(str(make_file(tmp_path / "x.txt", 10, 3)))
    secret = link.rsplit("#", 1)[1]
    changed = link[: -len(secret)] + ("B" if secret[0] != "B" else "C") + secret[1:]
    refused = cli.get(changed, "-o", str(tmp_path / "out"))
    assert refused.returncode != 0
    assert b"this link does not open this drop: its part after \"#\" was changed or cut" in refused.stderr, refused.stderr
    # --server naming a page of the server rather than the server: said what --server is.
    wrong = cli.run("send", str(tmp_path / "x.txt"), "--server", cli.server.url + "/drops")
    assert wrong.returncode != 0
    assert b"the server's address is the one Ferry is served at" in wrong.stderr, wrong.stderr
    # https to a server that speaks http there: said so, not as a TLS library's error.
    plain = cli.get(link.replace("http://", "https://", 1), "-o", str(tmp_path / "out"))
    assert plain.returncode != 0
    assert b"the server does not speak https on that port" in plain.stderr, plain.stderr


def test_a_server_that_cannot_be_reached_is_said_in_words(cli: Cli, tmp_path: Path) -> None:
    fragment = "#" + "A" * 22
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    refused = cli.get(f"http://127.0.0.1:{port}/d/{'A' * 22}{fragment}")
    assert refused.returncode != 0
    assert b"connection refused (is Ferry running there, on that port?)" in refused.stderr, refused.stderr

    # A TLS server with a certificate this computer does not trust (a self-signed one).
    made = subprocess.run([str(binary()), "tls", "self-signed", "--host", "127.0.0.1", "--out", str(tmp_path / "tls")],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "tls" / "cert.pem", tmp_path / "tls" / "key.pem")
    listener = socket.create_server(("127.0.0.1", 0))
    tls_port = listener.getsockname()[1]

    def serve_once() -> None:
        try:
            raw, _ = listener.accept()
            with context.wrap_socket(raw, server_side=True) as connection:
                connection.recv(1)
        except (OSError, ssl.SSLError):
            pass  # the client gives up during the handshake: that is the point

    threading.Thread(target=serve_once, daemon=True).start()
    try:
        untrusted = cli.get(f"https://127.0.0.1:{tls_port}/d/{'A' * 22}{fragment}")
    finally:
        listener.close()
    assert untrusted.returncode != 0
    assert b"its certificate is not trusted on this computer" in untrusted.stderr, untrusted.stderr


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_file(tmp_path_factory.mktemp("big") / "big.bin", BIG, 9)


def upload_offset(cli: Cli, url: str) -> int:
    request = urllib.request.Request(url, method="HEAD", headers={"Tus-Resumable": "1.0.0",
                                                                   "Authorization": f"Bearer {cli.token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.headers["Upload-Offset"])


def test_interrupted_send_resumes(cli: Cli, big_file: Path, tmp_path: Path) -> None:
    before = cli.server.metrics()["ferry_network_received_bytes_total"]
    process = cli.popen("send", str(big_file))
    try:
        deadline = time.monotonic() + 60
        url = None
        while time.monotonic() < deadline:
            states = cli.state_files()
            if states and url is None:
                url = json.loads(states[0].read_text())["uploads"][0]["url"]
            if url and upload_offset(cli, url) > 0:
                break
            assert process.poll() is None, "the send finished before it could be interrupted"
            time.sleep(0.02)
        else:
            pytest.fail("the upload never progressed")
        process.send_signal(signal.SIGINT)  # Ctrl-C (interrupted_get kills its process instead)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGINT, process.returncode  # stopped by Ctrl-C, as a shell sees it
    assert process.stderr is not None
    assert b"stopped; run the same command again to continue" in process.stderr.read()
    assert url is not None
    interrupted_at = upload_offset(cli, url)
    assert 0 < interrupted_at < BIG

    result = cli.run("send", str(big_file))
    assert result.returncode == 0, result.stderr.decode()
    assert b"continuing an earlier send of these files" in result.stderr
    received = cli.server.metrics()["ferry_network_received_bytes_total"] - before
    assert received < 2 * BIG, f"the server received {received} bytes for a {BIG}-byte file"
    assert cli.unfinished_states() == []

    out = tmp_path / "out"
    out.mkdir()
    got = cli.get(result.stdout.decode().strip(), "-o", str(out))
    assert got.returncode == 0, got.stderr.decode()
    assert sha256(out / "big.bin") == sha256(big_file)


def interrupted_get(cli: Cli, link: str, out: Path) -> None:
    """A `ferry get` of big.bin into `out`, killed once more than 20 MiB of it are written."""
    process = cli.popen("get", link, "-o", str(out))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            partial = list(out.glob(".big.bin.*.ferry-part"))
            if partial and partial[0].stat().st_size > 20 * 1024 * 1024:
                break
            assert process.poll() is None, "the get finished before it could be interrupted"
            time.sleep(0.02)
        else:
            pytest.fail("the download never progressed")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert not (out / "big.bin").exists()
    # This output's state, and the drop's ticket (which a run into another folder would take up).
    assert sorted(path.name.split("-")[0] for path in cli.state_files()) == ["get", "ticket"]


def test_interrupted_get_resumes_without_counting(cli: Cli, big_file: Path, tmp_path: Path) -> None:
    link = cli.send(str(big_file), "--downloads", "1")
    out = tmp_path / "out"
    out.mkdir()
    interrupted_get(cli, link, out)

    # The one download allowed was counted by the first run; the ticket lets the rerun finish.
    result = cli.get(link, "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert b"not counted again" in result.stderr
    assert b"continuing big.bin" in result.stderr
    assert sha256(out / "big.bin") == sha256(big_file)
    assert list(out.glob("*.ferry-part")) == [] and list(out.glob(".*.ferry-part")) == []
    assert cli.unfinished_states() == []


def test_a_drop_revoked_during_a_download_says_so_and_leaves_nothing(cli: Cli, big_file: Path, tmp_path: Path) -> None:
    link = cli.send(str(big_file))
    out = tmp_path / "out"
    out.mkdir()
    interrupted_get(cli, link, out)
    assert list(out.glob(".big.bin.*.ferry-part")), "the first run left its partial file"
    drop_id = link.split("/d/", 1)[1].split("#", 1)[0]
    request = urllib.request.Request(f"{cli.server.url}/api/v1/drops/{drop_id}/revoke", method="POST",
                                     headers={"Authorization": f"Bearer {cli.token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200

    # Running it again cannot continue: it says why in the server's words, not as a status
    # code, and removes what the first run left (the partial file and the saved ticket).
    result = cli.get(link, "-o", str(out))
    assert result.returncode != 0
    error = result.stderr.decode()
    assert "This drop was revoked by its owner. The unfinished part of the download was removed." in error, error
    assert "refused (410)" not in error
    assert list(out.iterdir()) == []
    assert cli.state_files() == []
    # A later try has nothing to remove, and says only why.
    again = cli.get(link, "-o", str(out)).stderr.decode()
    assert "This drop was revoked by its owner." in again and "removed" not in again, again


def test_a_drop_revoked_while_it_downloads_is_said_at_once(cli: Cli, big_file: Path, tmp_path: Path) -> None:
    """The server cuts a revoked drop's downloads under way: the running `ferry get` says why
    (not "interrupted, run it again") and removes its partial file."""
    link = cli.send(str(big_file))
    out = tmp_path / "out"
    out.mkdir()
    drop_id = link.split("/d/", 1)[1].split("#", 1)[0]
    process = cli.popen("get", link, "-o", str(out))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            partial = list(out.glob(".big.bin.*.ferry-part"))
            if partial and partial[0].stat().st_size > 1024 * 1024:
                break
            assert process.poll() is None, "the get finished before the drop could be revoked"
            time.sleep(0.005)
        else:
            pytest.fail("the download never progressed")
        request = urllib.request.Request(f"{cli.server.url}/api/v1/drops/{drop_id}/revoke", method="POST",
                                         headers={"Authorization": f"Bearer {cli.token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    error = stderr.decode()
    assert "This drop was revoked by its owner. The unfinished part of the download was removed." in error, error
    assert "run the command again" not in error
    assert list(out.iterdir()) == []


class DamagingProxy:
    """A TCP proxy to the server that flips one bit in the body of the first `PATCH` it forwards
    (1000 bytes in), and counts the server's 460 answers: a chunk damaged on the network."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.damaged = threading.Event()
        self.refused = 0
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self.up, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self.down, args=(upstream, client), daemon=True).start()

    def up(self, source: socket.socket, target: socket.socket) -> None:
        held = b""  # a PATCH's start, until 1001 bytes of its body are there
        while data := source.recv(1 << 16):
            if self.damaged.is_set():
                target.sendall(held + data)
                held = b""
                continue
            if not held:
                start = data.find(b"PATCH ")  # the client writes a request's head in one piece
                if start < 0:
                    target.sendall(data)
                    continue
                target.sendall(data[:start])
                data = data[start:]
            held += data
            head_end = held.find(b"\r\n\r\n")
            if head_end >= 0 and len(held) > head_end + 4 + 1000:
                at = head_end + 4 + 1000
                held = held[:at] + bytes([held[at] ^ 0x10]) + held[at + 1 :]
                self.damaged.set()
                target.sendall(held)
                held = b""
        target.close()

    def down(self, source: socket.socket, target: socket.socket) -> None:
        while data := source.recv(1 << 16):
            self.refused += data.count(b"HTTP/1.1 460 ")
            target.sendall(data)
        target.close()

    def close(self) -> None:
        self.listener.close()


def test_a_chunk_damaged_on_the_way_is_refused_and_sent_again(cli: Cli, tmp_path: Path) -> None:
    """`ferry send` sends each chunk with its SHA-256 (tus Upload-Checksum): the server keeps
    nothing of a damaged one (460), the chunk goes again, and the drop opens intact."""
    source = make_file(tmp_path / "report.bin", 3 * 1024 * 1024 + 17, seed=7)
    proxy = DamagingProxy(cli.server.port)
    try:
        link = cli.send(str(source), env=cli.env(FERRY_SERVER=proxy.url))
    finally:
        proxy.close()
    assert proxy.damaged.is_set() and proxy.refused == 1
    out = tmp_path / "out"
    out.mkdir()
    got = cli.get(link.replace(proxy.url, cli.server.url or ""), "-o", str(out))
    assert got.returncode == 0, got.stderr.decode()
    assert sha256(out / "report.bin") == sha256(source)


def test_tampered_blob_is_damaged(cli: Cli, tmp_path: Path) -> None:
    blobs = cli.server.data / "blobs"
    before = set(blobs.iterdir()) if blobs.exists() else set()
    size = 1024 * 1024
    source = make_file(tmp_path / "precious.bin", size, 10)
    link = cli.send(str(source))
    ciphertext_length = 21 + size + 16 * 17
    content = [path for path in set(blobs.iterdir()) - before if path.stat().st_size == ciphertext_length]
    assert len(content) == 1, sorted(set(blobs.iterdir()) - before)
    with open(content[0], "r+b") as blob:
        blob.seek(500_000)
        byte = blob.read(1)
        blob.seek(500_000)
        blob.write(bytes([byte[0] ^ 0x01]))
    out = tmp_path / "out"
    out.mkdir()
    result = cli.get(link, "-o", str(out))
    assert result.returncode != 0
    assert b"damaged" in result.stderr, result.stderr
    assert list(out.iterdir()) == []
    piped = cli.get(link, "-o", "-")
    assert piped.returncode != 0 and b"damaged" in piped.stderr


def test_hostile_paths_stay_inside_the_folder(cli: Cli, tmp_path: Path) -> None:
    """A drop made outside the CLI (Python `cryptography`, the vectors' implementation) whose
    metadata names paths that climb out, are absolute or hold NUL: `ferry get` writes every file
    under the output folder, by its sanitised path."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "vectors"))
    import make_drop_vectors as drop  # noqa: E402

    secret = os.urandom(16)
    keys = drop.drop_keys(secret, None, None, 0)
    ikm = bytes.fromhex(keys["contentIKM"])
    paths = {"../escape.txt": "escape.txt", "/etc/absolute.txt": "etc/absolute.txt",
             "dir/../../up.txt": "dir/up.txt", "nul\u0000name.txt": "nul_name.txt", "ok/inner.txt": "ok/inner.txt"}
    files, uploads = [], []
    for index, path in enumerate(paths):
        plaintext = f"file {index}\n".encode()
        salt = os.urandom(16)
        stream = drop.ece_encrypt(ikm, salt, plaintext)
        request = urllib.request.Request(
            cli.server.url + "/api/v1/uploads", data=stream, method="POST",
            headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(len(stream)),
                     "Content-Type": "application/offset+octet-stream", "Authorization": f"Bearer {cli.token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201 and answer.headers["Upload-Offset"] == str(len(stream))
            uploads.append(answer.headers["Location"].rsplit("/", 1)[1])
        files.append({"path": path, "type": "", "size": len(plaintext), "salt": drop.b64u(salt)})
    _, sealed = drop.seal_metadata(bytes.fromhex(keys["metadataKey"]), os.urandom(12),
                                   {"v": 1, "kind": "files", "files": files})
    body = json.dumps({"verifier": drop.b64u(bytes.fromhex(keys["proofVerifier"])), "metadata": drop.b64u(sealed),
                       "files": uploads}).encode()
    request = urllib.request.Request(cli.server.url + "/api/v1/drops", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {cli.token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        drop_id = json.loads(answer.read())["id"]

    out = tmp_path / "nested" / "out"
    out.mkdir(parents=True)
    result = cli.get(f"{cli.server.url}/d/{drop_id}#{drop.b64u(secret)}", "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    written = {str(path.relative_to(out)): path.read_text() for path in out.rglob("*") if path.is_file()}
    assert written == {safe: f"file {index}\n" for index, safe in enumerate(paths.values())}
    assert sorted(path.name for path in (tmp_path / "nested").iterdir()) == ["out"]
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "up.txt").exists()


def run_in_terminal(cli: Cli, args: list[str], answers: list[str], cwd: Path) -> tuple[int, str]:
    """Runs `ferry ARGS` on a pseudo-terminal (its controlling terminal, so the password prompt
    reads it), typing each answer after a prompt ending in ": "; returns the exit status and
    everything the terminal showed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec the binary with the test's environment
        os.chdir(cwd)
        os.execve(str(binary()), [str(binary()), *args], cli.env())
    shown = b""
    pending = list(answers)
    # Each prompt is answered once: what came after the last answer must end in a prompt. (The
    # newline that follows an answer still leaves the old prompt at the end of `shown`; answering
    # it again would type the next answer before the next prompt, whose TCSAFLUSH throws it away.)
    answered_up_to = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            shown += data
            if pending and shown[answered_up_to:].rstrip().endswith(b":"):
                os.write(fd, (pending.pop(0) + "\n").encode())
                answered_up_to = len(shown)
    else:
        os.kill(pid, signal.SIGKILL)  # never wait for a child that waits for input
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_password_prompt_on_a_terminal(cli: Cli, tmp_path: Path) -> None:
    source = make_file(tmp_path / "typed.bin", 300_000, 11)
    status, shown = run_in_terminal(cli, ["send", str(source), "--password"], ["typed pass", "typed pass"], tmp_path)
    assert status == 0, shown
    assert "Drop password:" in shown and "typed pass" not in shown  # no echo
    assert "send [" in shown  # the progress bar, on a terminal
    link = next(word for word in shown.split() if "/d/" in word)
    out = tmp_path / "out"
    out.mkdir()
    status, shown = run_in_terminal(cli, ["get", link, "-o", str(out)], ["typed pass"], tmp_path)
    assert status == 0, shown
    assert "typed pass" not in shown
    assert sha256(out / "typed.bin") == sha256(source)


def test_refusals_say_what_to_change(cli: Cli, tmp_path: Path) -> None:
    """The server's reasons reach the terminal, and a missing option is shown with the command's
    own usage, not the top-level one."""
    source = make_file(tmp_path / "notes.txt", 100, 11)
    result = cli.run("send", str(source), "--expires", "60d")
    assert result.returncode != 0
    assert b"--expires: this server keeps drops from 1 minute to 30 days" in result.stderr, result.stderr
    # A text is made in one request: the server's own words.
    result = cli.run("send", "--text", "hello", "--expires", "60d")
    assert result.returncode != 0
    assert b"The expiry must be 1 minute to 30 days" in result.stderr, result.stderr

    env = cli.env()
    env.pop("FERRY_SERVER")
    result = cli.run("send", str(source), env=env)
    assert result.returncode != 0
    assert b"--server or FERRY_SERVER is required" in result.stderr, result.stderr
    assert b"Usage: ferry send" in result.stderr, result.stderr

    # A file where a folder belongs is said before anything is opened.
    link = cli.send(str(source))
    result = cli.get(link, "-o", str(source))
    assert result.returncode != 0
    assert f"-o {source} is a file".encode() in result.stderr and b"NSCocoaErrorDomain" not in result.stderr


def test_what_the_server_would_refuse_is_said_before_anything_is_uploaded(tmp_path: Path) -> None:
    """The server checks a drop's total size, file count and expiry only when the drop is made,
    after its uploads; `ferry send` reads the limits first (`GET /drops/limits`), so a send that
    cannot become a drop stops before a byte is sent, with every reason at once."""
    server = Server(tmp_path / "data", extra=["--max-drop-size", "100000", "--max-drop-files", "3",
                                              "--max-drop-lifetime", "3600", "--max-metadata-size", "1052"])
    try:
        server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                   password=PASSWORD)
        token = server.cli("token", "create", "--user", "ann@example.org", "--name", "limits",
                           "--scopes", "read", "write").strip()
        cli = Cli(server, token, tmp_path / "cache")
        # Each file fits on its own (so the uploads would be made), but not all four together.
        files = [str(make_file(tmp_path / f"part{index}.bin", 40_000, index)) for index in range(4)]
        result = cli.run("send", *files, "--expires", "61m")
        assert result.returncode == 1, result.stderr
        for reason in [b"4 files: this server takes at most 3 in one drop",
                       b"encrypted: this server takes drops of at most 97.7 KiB",
                       b"--expires: this server keeps drops from 1 minute to 1 hour"]:
            assert reason in result.stderr, result.stderr
        # A folder whose paths do not fit in 1 KiB of sealed metadata, though its size and count would.
        folder = tmp_path / ("f" * 240)
        folder.mkdir()
        for index in range(2):
            (folder / (f"{index}-" + "n" * 240 + ".txt")).write_bytes(b"x")
        result = cli.run("send", str(folder))
        assert result.returncode == 1, result.stderr
        assert b"the names and types of the files take 2.0 KiB sealed: this server takes at most 1.0 KiB" \
            in result.stderr, result.stderr
        blobs = server.data / "blobs"
        assert not blobs.exists() or not any(blobs.iterdir()), sorted(blobs.iterdir())
        assert cli.state_files() == []
        # At the limits it is a drop.
        link = cli.send(*files[:2], "--expires", "1h")
        out = tmp_path / "out"
        result = cli.get(link, "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert sorted(path.name for path in out.iterdir()) == ["part0.bin", "part1.bin"]
    finally:
        server.stop(check=True)


def test_every_file_in_the_way_is_named_at_once_and_a_finished_get_is_not_repeated(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "in" / "set"
    for name in ("a.txt", "b.txt", "c.txt"):
        make_file(root / name, 300, ord(name[0]))
    link = cli.send(str(root), "--downloads", "1")
    out = tmp_path / "out"
    (out / "set").mkdir(parents=True)
    (out / "set" / "a.txt").write_text("mine")
    (out / "set" / "c.txt").write_text("mine too")
    result = cli.get(link, "-o", str(out))
    assert result.returncode != 0
    message = result.stderr.decode()
    assert "a.txt" in message and "c.txt" in message and "exist; not overwriting" in message, message
    for name in ("a.txt", "c.txt"):
        (out / "set" / name).unlink()
    assert cli.get(link, "-o", str(out)).returncode == 0  # the one download, continued with its ticket
    assert tree(out / "set") == tree(root)
    # Once finished, the same command says so; a file removed since is written again, not counted.
    again = cli.get(link, "-o", str(out))
    assert again.returncode == 0 and b"already downloaded" in again.stderr, again.stderr
    (out / "set" / "b.txt").unlink()
    refetched = cli.get(link, "-o", str(out))
    assert refetched.returncode == 0, refetched.stderr.decode()
    assert tree(out / "set") == tree(root)


def test_a_file_in_the_way_is_not_overwritten_and_the_next_run_does_not_count_again(cli: Cli, tmp_path: Path) -> None:
    source = make_file(tmp_path / "in" / "data.bin", 5000, 12)
    link = cli.send(str(source), "--downloads", "2")
    out = tmp_path / "out"
    out.mkdir()
    (out / "data.bin").write_bytes(b"mine")
    result = cli.get(link, "-o", str(out))
    assert result.returncode != 0
    assert b"exists; not overwriting" in result.stderr and b"already counted" in result.stderr, result.stderr
    assert (out / "data.bin").read_bytes() == b"mine"
    (out / "data.bin").unlink()
    result = cli.get(link, "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert sha256(out / "data.bin") == sha256(source)
    # The same command once more: done already, nothing opened (nothing counted).
    again = cli.get(link, "-o", str(out))
    assert again.returncode == 0 and b"already downloaded" in again.stderr, again.stderr
    # Two runs, one download counted: one is left.
    other = tmp_path / "other"
    other.mkdir()
    assert cli.get(link, "-o", str(other)).returncode == 0
    third = tmp_path / "third"
    third.mkdir()
    assert b"downloaded as often as its owner allowed" in cli.get(link, "-o", str(third)).stderr
