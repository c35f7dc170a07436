"""The `ferry` binary as an operator runs it: environment settings, the printed URL, and a clean
exit on SIGTERM/SIGINT that lets an in-flight request finish."""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FERRY_BIN = os.environ.get("FERRY_BIN", os.path.join(ROOT, ".build", "debug", "ferry"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(env_extra, args=()):
    env = dict(os.environ, **env_extra)
    proc = subprocess.Popen(
        [FERRY_BIN, "serve", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.time() + 30
    line = ""
    while time.time() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if match:
            return proc, int(match.group(1))
    proc.kill()
    raise AssertionError(f"no listening line: {line!r} {proc.stderr.read()}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_env_settings_and_clean_exit(sig):
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        proc, printed = start({"FERRY_PORT": str(port), "FERRY_DATA": data, "FERRY_ACCESS_LOG": "off"})
        try:
            assert printed == port
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as response:
                assert response.status == 200
            proc.send_signal(sig)
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()


def test_invalid_option_is_a_clear_error():
    result = subprocess.run([FERRY_BIN, "serve", "--port", "70000"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "--port must be 0" in result.stderr


@pytest.mark.parametrize("cost", ["9", "21", "fifteen"])
def test_a_password_cost_out_of_range_is_a_clear_error(cost):
    result = subprocess.run([FERRY_BIN, "serve", "--port", "0", "--password-cost", cost], cwd=ROOT,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "--password-cost" in result.stderr, result.stderr


@pytest.mark.parametrize("cost,warned", [("10", True), ("14", True), ("15", False), ("20", False)])
def test_a_password_cost_below_the_standard_is_accepted_with_a_warning(cost, warned):
    with tempfile.TemporaryDirectory() as data:
        proc, _ = start({"FERRY_DATA": data, "FERRY_PORT": "0", "FERRY_PASSWORD_COST": cost})
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        log = proc.stderr.read()
    assert ("below the standard ln=15" in log) == warned, log


def test_missing_public_folder_is_a_clear_error():
    with tempfile.TemporaryDirectory() as data:
        result = subprocess.run(
            [FERRY_BIN, "serve", "--port", "0", "--data", data, "--public", "/nonexistent-ferry-public"],
            cwd=ROOT, capture_output=True, text=True, timeout=30,
        )
    assert result.returncode != 0
    assert "nonexistent-ferry-public" in result.stderr


def test_precompress_writes_siblings():
    with tempfile.TemporaryDirectory() as public:
        with open(os.path.join(public, "app.js"), "w") as f:
            f.write("export const value = 'ferry';\n" * 200)
        with open(os.path.join(public, "photo.png"), "wb") as f:
            f.write(os.urandom(4096))
        result = subprocess.run([FERRY_BIN, "precompress", "--public", public], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        names = sorted(os.listdir(public))
        assert names == ["app.js", "app.js.br", "app.js.gz", "photo.png"]
        assert os.path.getsize(os.path.join(public, "app.js.br")) < os.path.getsize(os.path.join(public, "app.js"))
