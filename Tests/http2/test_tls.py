"""TLS with ALPN: HTTP/2 and HTTP/1.1 over TLS with a `ferry tls self-signed` certificate, the
redirect port, HSTS, certificate reload on SIGHUP, and clear errors for bad certificate files.
Clients: curl, nghttp, Python's ssl and Debian's Chromium (Playwright)."""
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

import pytest
from conftest import FERRY_BIN, ROOT, SMALL, start_server, stop_server

CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")


def self_signed(folder, *hosts):
    result = subprocess.run(
        [FERRY_BIN, "tls", "self-signed", "--host", *hosts, "--out", folder],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem"), result.stdout


def test_a_certificate_in_place_is_replaced_only_when_asked() -> None:
    with tempfile.TemporaryDirectory(prefix="ferry-tls-") as folder:
        _, key, _ = self_signed(folder, "localhost")
        before = open(key).read()
        again = subprocess.run([FERRY_BIN, "tls", "self-signed", "--host", "localhost", "--out", folder],
                               capture_output=True, text=True, timeout=60)
        assert again.returncode != 0 and "--force" in again.stderr, again.stderr
        assert open(key).read() == before, "the key computers trust was kept"
        forced = subprocess.run([FERRY_BIN, "tls", "self-signed", "--host", "localhost", "--out", folder, "--force"],
                                capture_output=True, text=True, timeout=60)
        assert forced.returncode == 0, forced.stderr
        assert open(key).read() != before


@pytest.fixture(scope="module")
def certificate():
    with tempfile.TemporaryDirectory(prefix="ferry-tls-") as folder:
        yield self_signed(folder, "localhost", "127.0.0.1", "::1")


@pytest.fixture(scope="module")
def tls_server(public_dir, certificate):
    cert, key, _ = certificate
    running = start_server(public_dir, ["--tls-cert", cert, "--tls-key", key])
    yield running
    stop_server(running)


def curl(*args):
    result = subprocess.run(["curl", "-s", "--max-time", "20", *args], capture_output=True, timeout=30)
    return result


def test_self_signed_writes_a_private_key_and_says_how_to_trust_it(certificate):
    cert, key, output = certificate
    assert os.stat(key).st_mode & 0o777 == 0o600
    assert "update-ca-certificates" in output and "--tls-cert" in output
    text = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-text"], capture_output=True, text=True).stdout
    assert "DNS:localhost" in text and "IP Address:127.0.0.1" in text and "TLS Web Server Authentication" in text


@pytest.mark.parametrize("flag, version", [("--http2", "2"), ("--http1.1", "1.1")])
def test_alpn_chooses_the_protocol(tls_server, certificate, flag, version):
    cert, _, _ = certificate
    url = f"https://localhost:{tls_server.port}/small.txt"
    result = curl(flag, "--cacert", cert, "-o", "-", "-w", "\n%{http_version}", url)
    assert result.returncode == 0, result.stderr
    body, _, got = result.stdout.rpartition(b"\n")
    assert got.decode() == version
    assert body == SMALL


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_1_is_refused(tls_server):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=5) as raw:
        with pytest.raises(ssl.SSLError):
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.do_handshake()


def test_hsts_on_every_response_over_tls(tls_server, certificate):
    cert, _, _ = certificate
    for flag in ("--http2", "--http1.1"):
        for path in ("/small.txt", "/api/v1/version", "/missing"):
            result = curl(flag, "--cacert", cert, "-D", "-", "-o", "/dev/null",
                          f"https://localhost:{tls_server.port}{path}")
            assert b"strict-transport-security: max-age=31536000" in result.stdout.lower(), (flag, path)


def test_large_file_over_tls_in_both_protocols(tls_server, certificate, public_dir):
    cert, _, _ = certificate
    with open(os.path.join(public_dir, "large.bin"), "rb") as f:
        expected = f.read()
    for flag in ("--http2", "--http1.1"):
        result = curl(flag, "--cacert", cert, "-o", "-", f"https://localhost:{tls_server.port}/large.bin")
        assert result.returncode == 0 and result.stdout == expected, flag
        ranged = curl(flag, "--cacert", cert, "-r", "1000000-1999999", "-o", "-",
                      f"https://localhost:{tls_server.port}/large.bin")
        assert ranged.stdout == expected[1000000:2000000], flag


def test_nghttp_over_tls_and_h2c(tls_server, server):
    secure = subprocess.run(["nghttp", "-nv", f"https://localhost:{tls_server.port}/small.txt"],
                            capture_output=True, text=True, timeout=30)
    assert ":status: 200" in secure.stdout, secure.stdout + secure.stderr
    cleartext = subprocess.run(["nghttp", "-nv", f"http://127.0.0.1:{server.port}/small.txt"],
                               capture_output=True, text=True, timeout=30)
    assert ":status: 200" in cleartext.stdout


def test_curl_h2c_prior_knowledge_and_upgrade(server):
    prior = curl("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version}",
                 f"http://127.0.0.1:{server.port}/small.txt")
    assert prior.stdout == b"2"
    upgrade = curl("--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                   f"http://127.0.0.1:{server.port}/api/v1/version")
    assert upgrade.stdout == b"2 200"


def test_redirect_port_sends_clients_to_https(public_dir, certificate):
    cert, key, _ = certificate
    running = start_server(public_dir, ["--tls-cert", cert, "--tls-key", key, "--http-redirect-port", "0"])
    try:
        redirect_port = int(running.wait_for(r"Redirecting http://\S+:(\d+) to HTTPS").group(1))
        result = curl("-D", "-", "-o", "/dev/null", f"http://localhost:{redirect_port}/a/b?c=d")
        headers = result.stdout.decode().lower()
        assert headers.startswith("http/1.1 301")
        assert f"location: https://localhost:{running.port}/a/b?c=d" in headers
        post = curl("-X", "POST", "-D", "-", "-o", "/dev/null", f"http://localhost:{redirect_port}/api/v1/pairings/claim")
        assert post.stdout.decode().lower().startswith("http/1.1 308")
    finally:
        stop_server(running)


def peer_certificate(port):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    tls = context.wrap_socket(raw, server_hostname="localhost")
    return tls, tls.getpeercert(binary_form=True)


def test_sighup_reloads_the_certificate_without_dropping_connections(public_dir):
    with tempfile.TemporaryDirectory(prefix="ferry-reload-") as folder:
        cert, key, _ = self_signed(folder, "localhost")
        running = start_server(public_dir, ["--tls-cert", cert, "--tls-key", key])
        try:
            old_connection, before = peer_certificate(running.port)
            self_signed(os.path.join(folder, "next"), "localhost")
            shutil.copy(os.path.join(folder, "next", "cert.pem"), cert)
            shutil.copy(os.path.join(folder, "next", "key.pem"), key)
            running.process.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            after = before
            while after == before and time.time() < deadline:
                time.sleep(0.2)
                connection, after = peer_certificate(running.port)
                connection.close()
            assert after != before
            # The connection made before the reload still works, with its old certificate.
            old_connection.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            received = b""
            while chunk := old_connection.recv(65536):
                received += chunk
            assert received.startswith(b"HTTP/1.1 200") and received.endswith(SMALL)
            # A broken pair on reload is refused, and the server keeps serving.
            with open(key, "w") as f:
                f.write("not a key")
            running.process.send_signal(signal.SIGHUP)
            time.sleep(1)
            connection, still = peer_certificate(running.port)
            connection.close()
            assert still == after
        finally:
            stop_server(running)


@pytest.mark.parametrize("problem", ["unreadable", "garbage-cert", "garbage-key", "mismatch"])
def test_bad_certificate_files_are_clear_errors_at_start(public_dir, certificate, problem):
    cert, key, _ = certificate
    with tempfile.TemporaryDirectory(prefix="ferry-bad-") as folder:
        other_cert, other_key, _ = self_signed(os.path.join(folder, "other"), "localhost")
        bad = os.path.join(folder, "bad.pem")
        with open(bad, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
        cases = {
            "unreadable": (os.path.join(folder, "missing.pem"), key, "missing.pem"),
            "garbage-cert": (bad, key, "bad.pem"),
            "garbage-key": (cert, bad, "bad.pem"),
            "mismatch": (cert, other_key, "does not belong"),
        }
        cert_arg, key_arg, expected = cases[problem]
        result = subprocess.run(
            [FERRY_BIN, "serve", "--port", "0", "--public", public_dir, "--data", folder,
             "--tls-cert", cert_arg, "--tls-key", key_arg],
            cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert expected in result.stderr, result.stderr
        assert "Fatal error" not in result.stderr and "crashed" not in result.stderr


def test_chromium_loads_the_page_over_h2(certificate):
    from playwright.sync_api import sync_playwright

    cert, key, _ = certificate
    if True:
        running = start_server(os.path.join(ROOT, "Public"), ["--tls-cert", cert, "--tls-key", key])
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                try:
                    page = browser.new_context(ignore_https_errors=True).new_page()
                    # `/` sends a visitor who is not signed in to the sign-in page (no script); the
                    # client's modules are then loaded the way the app shell loads them.
                    page.goto(f"https://localhost:{running.port}/", wait_until="networkidle")
                    assert page.url.endswith("/sign-in")
                    page.evaluate("Promise.all(['/js/api.js', '/js/shell-state.js'].map(u => import(u)))")
                    document = page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol")
                    modules = page.evaluate(
                        "performance.getEntriesByType('resource')"
                        ".filter(e => e.name.includes('.js')).map(e => [e.name, e.nextHopProtocol])")
                    assert document == "h2"
                    assert modules, "no module was loaded"
                    assert all(protocol == "h2" for _, protocol in modules), modules
                finally:
                    browser.close()
        finally:
            stop_server(running)


def test_sessions_under_tls_use_a_host_only_secure_cookie(tls_server):
    """Under TLS the session cookie is `__Host-ferry_session` (Secure, Path=/, no Domain), and a
    plain `ferry_session` cookie — which a sibling subdomain could plant — is ignored."""
    created = subprocess.run(
        [FERRY_BIN, "admin", "create", "--email", "tls@example.org", "--name", "T", "--password-stdin",
         "--data", tls_server.data],
        input="correct horse battery\n", capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    base = f"https://localhost:{tls_server.port}/api/v1"
    sign_in = curl("-k", "-D", "-", "-o", "/dev/null", "-H", "Content-Type: application/json",
                   "-d", '{"email":"tls@example.org","password":"correct horse battery"}', f"{base}/session")
    headers = sign_in.stdout.decode()
    cookie = re.search(r"(?im)^set-cookie: (__Host-ferry_session=([^;]+);[^\r\n]*)", headers)
    assert cookie, headers
    attributes = cookie.group(1)
    assert "Secure" in attributes and "Path=/" in attributes and "HttpOnly" in attributes
    assert "Domain" not in attributes
    token = cookie.group(2)
    me = curl("-k", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Cookie: __Host-ferry_session={token}",
              f"{base}/me")
    assert me.stdout.decode() == "200"
    planted = curl("-k", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Cookie: ferry_session={token}",
                   f"{base}/me")
    assert planted.stdout.decode() == "401"


SIGNAL_OVER_THE_PAGE = """
async () => {
  const json = (method, body) => ({ method, headers: { "Content-Type": "application/json" },
                                    body: JSON.stringify(body) });
  const signedIn = await fetch("/api/v1/session", json("POST", { email: "ws@example.org",
                                                              password: "correct horse battery" }));
  if (!signedIn.ok) return { error: "sign-in " + signedIn.status };
  const key = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", key.publicKey));
  const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, "-").replace(/\\//g, "_")
                                                                   .replace(/=+$/, "");
  const device = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const registered = await fetch(`/api/v1/devices/${device}`, json("PUT", { name: "Chromium", publicKey: b64url(spki) }));
  if (registered.status !== 201) return { error: "device " + registered.status };
  const socket = new WebSocket(`wss://${location.host}/api/v1/signal`, ["ferry-signal.1"]);
  const welcome = await new Promise((resolve, reject) => {
    socket.onopen = () => socket.send(JSON.stringify({ type: "hello", v: 1, device }));
    socket.onmessage = (event) => resolve(JSON.parse(event.data));
    socket.onerror = () => reject(new Error("socket error"));
  });
  const closed = new Promise((resolve) => { socket.onclose = (event) => resolve(event.code); });
  socket.close(1000);
  return { type: welcome.type, protocol: socket.protocol, team: welcome.rooms[0].kind, code: await closed,
           page: performance.getEntriesByType("navigation")[0].nextHopProtocol };
}
"""


def test_chromium_opens_the_signalling_websocket_on_the_pages_h2_connection(certificate):
    """The server announces SETTINGS_ENABLE_CONNECT_PROTOCOL, so Chromium opens `wss:` as an
    extended CONNECT stream (RFC 8441) on the page's HTTP/2 connection instead of a new HTTP/1.1
    connection; the server's metrics then count a CONNECT on the signalling route."""
    from playwright.sync_api import sync_playwright

    cert, key, _ = certificate
    running = start_server(os.path.join(ROOT, "Public"), ["--tls-cert", cert, "--tls-key", key])
    try:
        created = subprocess.run(
            [FERRY_BIN, "admin", "create", "--email", "ws@example.org", "--name", "W", "--team", "Web",
             "--password-stdin", "--data", running.data],
            input="correct horse battery\n", capture_output=True, text=True, timeout=60)
        assert created.returncode == 0, created.stderr
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = browser.new_context(ignore_https_errors=True).new_page()
                page.goto(f"https://localhost:{running.port}/sign-in", wait_until="networkidle")
                result = page.evaluate(SIGNAL_OVER_THE_PAGE)
            finally:
                browser.close()
        assert result == {"type": "welcome", "protocol": "ferry-signal.1", "team": "team", "code": 1000,
                          "page": "h2"}, result
        metrics = curl("-k", f"https://localhost:{running.port}/metrics").stdout.decode()
        connects = [line for line in metrics.splitlines()
                    if line.startswith("ferry_http_requests_total") and 'method="CONNECT"' in line]
        gets = [line for line in metrics.splitlines()
                if line.startswith("ferry_http_requests_total") and "/signal" in line and 'method="GET"' in line]
        assert connects and "/api/v1/signal" in connects[0], metrics
        assert not gets, gets
    finally:
        stop_server(running)
