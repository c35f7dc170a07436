"""The account commands against the same store as a running server, on SQLite and PostgreSQL:
an admin and a team from the command line, a user added to it, a token that works at once over
HTTP, a disabled user whose token stops working, and clear errors for bad input."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request
from typing import Iterator

import pytest

from ferry_server import ROOT, Server, backends, binary, database_url


@pytest.fixture(params=backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("data"), database_url(request.param))
    yield running
    running.stop()


def ferry(server: Server, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(binary()), *args, *server.store_args()]
    if password is not None:
        command.append("--password-stdin")
    return subprocess.run(command, cwd=ROOT, input=(password + "\n") if password is not None else None,
                          capture_output=True, text=True, timeout=60)


def get_me(server: Server, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(server.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_accounts_from_the_command_line(server: Server) -> None:
    assert server.setup_link, "no user yet: the server offers the setup link"
    created = ferry(server, "admin", "create", "--email", "Root@Example.org", "--name", "Root", "--team", "Ops",
                    password="correct horse battery")
    assert created.returncode == 0, created.stderr
    assert "root@example.org" in created.stdout and "Ops" in created.stdout

    added = ferry(server, "user", "add", "--email", "dev@example.org", "--name", "Dev", password="another passphrase")
    assert added.returncode == 0, added.stderr
    assert ferry(server, "team", "add-member", "Ops", "dev@example.org").returncode == 0
    listed = ferry(server, "user", "list", "--json")
    users = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [user["email"] for user in users] == ["dev@example.org", "root@example.org"]
    teams = ferry(server, "team", "list").stdout
    assert "Ops\t2 member(s)" in teams

    token = ferry(server, "token", "create", "--user", "dev@example.org", "--name", "ci", "--scopes", "read")
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    status, me = get_me(server, secret)
    assert status == 200
    assert me["user"]["email"] == "dev@example.org" and me["scopes"] == ["read"]
    assert [team["name"] for team in me["teams"]] == ["Ops"]

    # Disabling from the command line stops the token in the running server at once.
    assert ferry(server, "user", "disable", "dev@example.org").returncode == 0
    status, problem = get_me(server, secret)
    assert status == 401 and problem["type"] == "/problems/unauthenticated"

    # A reset password signs in; the old one does not.
    assert ferry(server, "user", "enable", "dev@example.org").returncode == 0
    assert ferry(server, "user", "reset-password", "dev@example.org", password="brand new passphrase").returncode == 0
    sign_in = urllib.request.Request(
        server.url + "/api/v1/session", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"email": "dev@example.org", "password": "brand new passphrase"}).encode())
    with urllib.request.urlopen(sign_in, timeout=10) as response:
        assert response.status == 200

    assert re.search(r"is up to date \(schema version \d+\)$", ferry(server, "migrate").stdout.strip())


def test_bad_input_is_a_clear_error(server: Server) -> None:
    assert ferry(server, "admin", "create", "--email", "a@example.org", "--name", "A",
                 password="correct horse battery").returncode == 0
    cases = [
        (("user", "add", "--email", "a@example.org", "--name", "Again"), "another passphrase", "already exists"),
        (("user", "add", "--email", "not-an-email", "--name", "X"), "another passphrase", "email address"),
        (("user", "add", "--email", "b@example.org", "--name", "B"), "short", "at least 10 characters"),
        (("team", "add-member", "Nowhere", "a@example.org"), None, "no team is called Nowhere"),
        (("team", "add", "T", "--owner", "ghost@example.org"), None, "no user has the email"),
        (("token", "create", "--user", "a@example.org", "--name", "t", "--scopes", "root"), None, "Unknown scope"),
        (("user", "disable", "ghost@example.org"), None, "no user has the email"),
    ]
    for args, password, message in cases:
        result = ferry(server, *args, password=password)
        assert result.returncode != 0, args
        assert message in result.stderr, (args, result.stderr)
        assert "Fatal error" not in result.stderr
    listed = ferry(server, "user", "list", "--json")
    assert len(listed.stdout.splitlines()) == 1, "nothing was half-written"
    bad_url = subprocess.run([str(binary()), "user", "list", "--database", "mysql://x@y/z"], cwd=ROOT,
                             capture_output=True, text=True, timeout=30)
    assert bad_url.returncode != 0 and "--database" in bad_url.stderr


def test_account_commands_do_not_make_a_database_in_the_wrong_place(tmp_path) -> None:
    """Run from the wrong folder (or with a mistyped --data), `user add` would add a user to a new,
    empty database the server never reads, and say it did: refused, and nothing is created."""
    wrong = tmp_path / "typo"
    for args in (("user", "list"), ("team", "list"), ("user", "add", "--email", "x@example.org", "--name", "X")):
        command = [str(binary()), *args, "--data", str(wrong), *(["--password-stdin"] if "add" in args else [])]
        result = subprocess.run(command, cwd=ROOT, input="correct horse battery\n", capture_output=True, text=True,
                                timeout=30)
        assert result.returncode != 0, (args, result.stdout)
        assert "no Ferry database at" in result.stderr and "ferry serve" in result.stderr, result.stderr
    assert not wrong.exists()
    # The first admin (and migrate) make one where asked.
    made = subprocess.run([str(binary()), "admin", "create", "--email", "a@example.org", "--name", "A",
                           "--team", "T", "--data", str(wrong), "--password-stdin"], cwd=ROOT,
                          input="correct horse battery\n", capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert (wrong / "ferry.sqlite").exists()
    listed = subprocess.run([str(binary()), "user", "list", "--data", str(wrong)], cwd=ROOT,
                            capture_output=True, text=True, timeout=30)
    assert listed.returncode == 0 and "a@example.org" in listed.stdout


def test_serve_says_when_its_port_is_taken(tmp_path) -> None:
    import socket
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = subprocess.run([str(binary()), "serve", "--port", str(port), "--data", str(tmp_path / "data")],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        taken.close()
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert f"cannot listen on 127.0.0.1, port {port}: another program uses it" in result.stderr, result.stderr
    assert "Usage:" not in result.stderr and "errno" not in result.stderr
