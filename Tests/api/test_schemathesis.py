"""A property-based run of schemathesis over every operation of the OpenAPI document, against the
real binary: no request may get a server error, and no request the document calls valid may be
refused.

Run from the repository root, after a build:
    FERRY_BIN=$PWD/.build/debug/ferry python3 -m pytest -q -p no:warnings Tests/api/test_schemathesis.py

What runs. `ferry serve` (SQLite in a temporary folder) with an admin, a team and an admin-scoped
API token made by the CLI. schemathesis loads the document the server serves (checked equal to the
hand-written file first) and runs its phases (examples, coverage, fuzzing, stateful) on one worker
with a fixed seed, at most `MAX_EXAMPLES` cases per operation, so a run draws the same requests
every time and takes about two minutes here. Generation is both positive (schema-valid) and
negative (schema-invalid), and the checks are:

- `not_a_server_error`: no 5xx, for any request, valid or not;
- `positive_data_acceptance`: a schema-valid request gets 2xx, or one of these, each an answer
  about the server's state or the caller rather than about the request's shape, and each declared
  by the operations that can give it:
    401 the credentials in the request are wrong (a sign-in, or `currentPassword`): a schema cannot
        know a password;
    403 the caller may not do this (an API token on a session-only route, a setup token that is
        not the printed one);
    404 the id or code in the path or body names nothing (ids are drawn at random);
    409 the request conflicts with what exists (a taken email or team name, the last owner or
        admin, a device key that changed, set-up already done);
    410 what the request names was there and is gone: a drop expired, revoked or used up, an upload
        expired (the stateful phase revokes a drop it created and then asks for it);
    429 a documented rate limit (sign-in, set-up, invite acceptance and pairing claims are
        throttled per client address, sign-in and password changes per account too, wrong drop
        proofs per drop and address, and the run makes more attempts than a person would).
  Anything else (400 above all, but also 413, 415, 422, 460, 507) for a schema-valid request means
  the document does not state a rule the server enforces: the fix is in the document (or in the
  server, when the server is wrong), never in this list.
- `status_code_conformance`: every status the server answers is declared by the operation, so
  the 429s and 409s above are documented answers, not tolerated accidents.

Runs: one authenticated by the token, over every operation but `COOKIE_OPERATIONS`; then each of
those alone with the cookie of a member signed in for it (and its Origin, which
cookie-authenticated changes must carry): the session-only ones (a token gets 403 there), and the
revocation of tokens, which would otherwise revoke the run's own token. Each run checks that its
credentials still worked at its end, so no run passes by being answered 401 throughout. A custom string
format, `p256-spki`, gets a strategy in schemathesis_hooks.py: a key's point on the curve is the one
rule no pattern can state.

Excluded: `GET /signal`, the WebSocket upgrade. Its answer is the switch of protocols (101), given
only to the upgrade headers a generator does not make; without them it is a 426 by design, and
what travels after the switch is frames, not requests (Tests/signalling covers it). schemathesis
itself leaves out `GET /openapi.json`, the document it loads; the first test fetches and compares
it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from ferry_server import ROOT, Server  # noqa: E402

HERE = Path(__file__).resolve().parent
DOCUMENT = ROOT / "Sources" / "FerryApp" / "Resources" / "openapi.json"
PASSWORD = "correct horse battery staple"
SEED = 20261206
MAX_EXAMPLES = 25
CHECKS = "not_a_server_error,positive_data_acceptance,status_code_conformance"
# Operations the token run leaves to the cookie runs: those a token may not use, and the revocation
# of tokens (the stateful phase finds the run's own token in `GET /me/tokens` and would revoke it,
# leaving the rest of the run answered 401).
COOKIE_OPERATIONS = ["deleteSession", "changeMyPassword", "deleteMyToken"]
# The whole run stays well inside the test command's budget even on a loaded machine.
TIMEOUT_S = 900


@pytest.fixture(scope="module")
def ferry():
    # Loopback is a trusted proxy, so the test's own sign-ins can come from an address of their own
    # (X-Forwarded-For) and not count against the allowance the fuzzer's sign-ins use up.
    # Quotas out of reach: the fuzzer creates uploads of up to `maxDropSize` (16 GiB) each, which
    # cost a row and an empty file, and a 507 is about the server's state, not the request.
    server = Server(extra=["--trusted-proxy", "127.0.0.1", "--user-quota", str(2**62), "--team-quota", str(2**62)])
    try:
        server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                   password=PASSWORD)
        yield server
        server.stop(check=True)
    finally:
        server.stop()


def token(server: Server, name: str) -> str:
    return server.cli("token", "create", "--user", "ann@example.org", "--name", name, "--scopes", "admin").split()[-1]


def session_cookie(server: Server, email: str, address: str) -> str:
    """Signs `email` in from `address` (a forwarded address: a header, nothing is sent there)."""
    request = urllib.request.Request(
        server.url + "/api/v1/session", method="POST",
        headers={"Content-Type": "application/json", "X-Forwarded-For": address},
        data=json.dumps({"email": email, "password": PASSWORD}).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        cookie = response.headers["Set-Cookie"]
    return cookie.split(";", 1)[0]


def signed_in(server: Server, cookie: str) -> bool:
    request = urllib.request.Request(server.url + "/api/v1/me", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200
    except urllib.error.HTTPError as error:
        assert error.code == 401, error
        return False


def schemathesis(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
        "run", server.url + "/api/v1/openapi.json",
        "--checks", CHECKS, "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
        "--generation-database", "none", "--request-timeout", "30", "--continue-on-failure",
        "--exclude-path", "/signal", "--warnings", "off", *args,
    ]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks",
               PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, "schemathesis found problems:\n" + output[-20000:]
    assert "No issues found" in output or " passed" in output, output[-5000:]


def test_the_served_document_is_the_hand_written_one(ferry):
    with urllib.request.urlopen(ferry.url + "/api/v1/openapi.json", timeout=30) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        assert json.loads(response.read()) == json.loads(DOCUMENT.read_text(encoding="utf-8"))


def test_no_server_error_and_no_valid_request_refused_with_a_token(ferry):
    bearer = token(ferry, "schemathesis")
    excluded = [arg for operation in COOKIE_OPERATIONS for arg in ("--exclude-operation-id", operation)]
    result = schemathesis(ferry, "--header", f"Authorization: Bearer {bearer}", *excluded)
    assert_clean(result)
    # Every operation schemathesis loaded, but `GET /signal` and the cookie runs' ones.
    selected, total = map(int, re.search(r"(\d+) selected / (\d+) total", result.stdout).groups())
    assert selected == total - 1 - len(COOKIE_OPERATIONS), result.stdout[-3000:]
    # Still valid: the run's requests were answered as the admin, not as nobody.
    request = urllib.request.Request(ferry.url + "/api/v1/me", headers={"Authorization": f"Bearer {bearer}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


@pytest.mark.parametrize("index,operation", list(enumerate(COOKIE_OPERATIONS)))
def test_no_server_error_and_no_valid_request_refused_with_a_session(ferry, index, operation):
    # A member made after the token run (which, as an admin, may disable users or reset their
    # passwords, ending their sessions), signed in for this operation alone: signing out stays in
    # its own run. 192.0.2.0/24 is a documentation range: only ever a header value here.
    email = f"member{index}@example.org"
    ferry.cli("user", "add", "--email", email, "--name", f"Member {index}", password=PASSWORD)
    cookie = session_cookie(ferry, email, f"192.0.2.{index + 1}")
    result = schemathesis(ferry, "--header", f"Cookie: {cookie}", "--header", f"Origin: {ferry.url}",
                          "--include-operation-id", operation)
    assert_clean(result)
    assert "1 selected" in result.stdout, result.stdout[-3000:]
    if operation != "deleteSession":
        # The session outlived the run, so its requests were answered as the member.
        assert signed_in(ferry, cookie)
