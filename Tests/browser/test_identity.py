"""Teams and accounts in Debian's Chromium against the real binary: the one-time setup link,
sign-out and sign-in, an invite created on the team page, a second browser accepting it, and
both people seeing each other in the app shell; API tokens on the account page. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from contextlib import closing
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import CHROMIUM
from ferry_server import Server, backends, database_url

STEP_TIMEOUT_MS = 30_000
PASSWORD = "correct horse battery staple"
STANDARD_PASSWORD_COST = 15


@pytest.fixture(params=backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # The standard password cost, not the test command's cheap one: these are the tests of
    # setting up and signing in, as a deployment does them.
    running = Server(tmp_path_factory.mktemp("data"), database_url(request.param),
                     env={"FERRY_PASSWORD_COST": str(STANDARD_PASSWORD_COST)})
    yield running
    running.stop()


def stored_password_hashes(server: Server) -> list[str]:
    """Every user's stored password hash, read from the server's database itself."""
    query = "SELECT password_hash FROM users ORDER BY created_at"
    if server.database is None:
        with closing(sqlite3.connect(server.data / "ferry.sqlite")) as database:
            return [row[0] for row in database.execute(query)]
    result = subprocess.run(["psql", server.database, "-tA", "-c", query], check=True, capture_output=True, text=True)
    return result.stdout.split()


def watch(page: Page, errors: list[str]) -> Page:
    page.set_default_timeout(STEP_TIMEOUT_MS)
    # Script errors fail the test; Chromium's "Failed to load resource" lines for the statuses the
    # test provokes on purpose (401 for a wrong password, 410 for a used invite) do not.
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def member_names(page: Page) -> list[str]:
    expect(page.locator("#shell")).to_have_attribute("data-state", "ready")
    return sorted(page.locator("#members .member-name").all_inner_texts())


def test_setup_sign_in_invite_and_join(browser: Browser, server: Server) -> None:
    assert server.setup_link, "a fresh server prints a one-time setup link:\n" + "".join(server.output)
    errors: list[str] = []
    ann = watch(browser.new_context().new_page(), errors)

    # Before anyone exists, the page says how to begin instead of showing a form nobody can use.
    ann.goto(server.url + "/")
    expect(ann).to_have_url(server.url + "/sign-in")
    expect(ann.locator("#page-title")).to_have_text("Ferry is not set up yet")
    expect(ann.get_by_test_id("setup-needed")).to_contain_text("ferry admin create")
    expect(ann.locator("#sign-in-form")).to_have_count(0)

    # The first admin and team, from the link ferry serve printed.
    ann.goto(server.setup_link)
    ann.fill("#email", "ann@example.org")
    ann.fill("#display-name", "Ann")
    ann.fill("#password", PASSWORD)
    ann.fill("#team-name", "Design")
    ann.click("#create-admin")
    expect(ann).to_have_url(server.url + "/")
    expect(ann.locator("#user-name")).to_have_text("Ann")
    assert member_names(ann) == ["Ann"]
    # Hashed at the cost the server was given.
    assert [stored.split("$")[2] for stored in stored_password_hashes(server)] == [
        f"ln={STANDARD_PASSWORD_COST},r=8,p=1"]
    # The link works once.
    used = ann.context.new_page()
    assert used.goto(server.setup_link).status == 404
    used.close()

    # Out and in again.
    ann.click("#sign-out")
    expect(ann).to_have_url(server.url + "/sign-in?done=signed-out")
    expect(ann.locator("#notice")).to_contain_text("You are signed out")
    ann.goto(server.url + "/")
    expect(ann).to_have_url(server.url + "/sign-in")
    ann.fill("#email", "ann@example.org")
    ann.fill("#password", "not the password")
    ann.click("#sign-in")
    expect(ann.locator("#form-error")).to_contain_text("wrong")
    expect(ann.locator("#email")).to_have_value("ann@example.org")
    expect(ann.locator("#password")).to_be_focused()  # ready for the second try
    ann.fill("#password", PASSWORD)
    ann.click("#sign-in")
    expect(ann).to_have_url(server.url + "/")
    assert member_names(ann) == ["Ann"]
    # "Skip to content" passes the navigation, which says where we are.
    expect(ann.locator("nav.site-nav a[aria-current=page]")).to_have_text("Home")
    ann.locator(".skip-link").focus()
    ann.keyboard.press("Enter")
    ann.keyboard.press("Tab")
    assert ann.evaluate("document.activeElement.closest('main') !== null && document.activeElement.closest('nav') === null")

    # An invite from the team page (server-rendered, no script).
    ann.click("#team-admin-link")
    expect(ann.locator("#page-title")).to_contain_text("Design")
    # The one owner is not offered a "Leave" that the server would refuse.
    expect(ann.get_by_test_id("only-owner")).to_have_text("The only owner: make someone else owner to leave")
    expect(ann.locator("form[action$='/remove']")).to_have_count(0)
    # Nor a role menu that could only fail: the one owner's role is shown, not offered for change.
    expect(ann.get_by_test_id("last-owner-role")).to_have_text("owner")
    expect(ann.locator("form[action$='/role']")).to_have_count(0)
    ann.fill("#invite-max-uses", "1")
    ann.click("#create-invite")
    invite_url = ann.locator("#invite-url").input_value()
    assert invite_url.startswith(server.url + "/invite/")
    ann.get_by_test_id("invite-copy").click()
    expect(ann.locator("#invite-url-copied")).to_have_text(re.compile(r"^(Copied\.|Copying was refused by the browser.*)$"))
    # The page answered a POST; its history entry is the team page's address, so a reload shows
    # the team page (without the link) instead of posting again and making a second invite.
    team_page = ann.url
    assert re.fullmatch(re.escape(server.url) + r"/teams/[0-9a-f-]{36}/admin", team_page), team_page
    ann.reload()
    expect(ann.locator("#page-title")).to_contain_text("Design")
    expect(ann.locator("#invite-url")).to_have_count(0)
    expect(ann.locator("tr[id^=invite-]")).to_have_count(1)
    # Times are shown in the reader's zone and locale, as on the app's pages; the server's UTC
    # text stays as the title.
    created = ann.locator("tr[id^=invite-] time").first
    expect(created).to_have_attribute("title", re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC$"))
    assert "UTC" not in created.inner_text() and re.search(r"\d{4}", created.inner_text()), created.inner_text()

    # Ann herself, signed out in another browser, tries to create an account with it: she is told
    # to sign in instead, and the invite is not used up.
    again = watch(browser.new_context().new_page(), errors)
    again.goto(invite_url)
    again.fill("#email", "ann@example.org")
    again.fill("#display-name", "Ann again")
    again.fill("#password", PASSWORD)
    again.click("#accept-invite")
    expect(again.locator("#form-error")).to_contain_text("An account with this email already exists. Sign in with it")
    expect(again.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(again.locator("#form-error")).to_be_focused()  # where a keyboard or screen reader user starts
    expect(again.locator("#invite-sign-in")).to_be_visible()
    errors[:] = [e for e in errors if "409" not in e]
    again.context.close()

    # Someone else, in another browser, accepts it.
    bob = watch(browser.new_context().new_page(), errors)
    bob.goto(invite_url)
    expect(bob.locator("#invite-team")).to_contain_text("Design")
    bob.fill("#email", "bob@example.org")
    bob.fill("#display-name", "Bob")
    bob.fill("#password", PASSWORD)
    bob.click("#accept-invite")
    expect(bob).to_have_url(server.url + "/")
    expect(bob.locator("#user-name")).to_have_text("Bob")
    assert member_names(bob) == ["Ann", "Bob"]

    # And Ann sees Bob.
    ann.goto(server.url + "/")
    assert member_names(ann) == ["Ann", "Bob"]

    # The invite was for one person only.
    eve = watch(browser.new_context().new_page(), errors)
    response = eve.goto(invite_url)
    assert response is not None and response.status == 410
    expect(eve.locator("#invite-invalid")).to_be_visible()
    # Bob, who joined with it, opening it again is told he is in, not that it is spent.
    response = bob.goto(invite_url)
    assert response is not None and response.status == 200
    expect(bob.locator("#invite-already-member")).to_contain_text("You are already a member of Design")
    expect(bob.locator("#invite-invalid")).to_have_count(0)

    assert errors == [], errors


def test_tokens_on_the_account_page(browser: Browser, server: Server) -> None:
    """Tokens moved from the home page to /account (linked from the home page's account strip)."""
    errors: list[str] = []
    page = watch(browser.new_context().new_page(), errors)
    page.goto(server.setup_link)
    page.fill("#email", "root@example.org")
    page.fill("#display-name", "Root")
    page.fill("#password", PASSWORD)
    page.fill("#team-name", "Ops")
    page.click("#create-admin")
    expect(page.locator("#shell")).to_have_attribute("data-state", "ready")
    expect(page.locator("#token-form")).to_have_count(0)

    # The account page (no script) creates a token and shows the secret once.
    page.click("#account-link")
    expect(page).to_have_url(server.url + "/account")
    page.fill("#token-name", "laptop")
    page.click("#create-token")
    expect(page.locator("#token-secret")).to_have_value(re.compile(r"^ferry_[A-Za-z0-9_-]{43}$"))
    secret = page.locator("#token-secret").input_value()
    page.get_by_test_id("token-copy").click()
    expect(page.locator("#token-secret-copied")).to_have_text(re.compile(r"^(Copied\.|Copying was refused by the browser.*)$"))
    # A reload shows the account page again, without the secret, and makes no second token.
    expect(page).to_have_url(server.url + "/account")
    page.reload()
    expect(page.locator("#token-secret")).to_have_count(0)
    expect(page.locator("#tokens tbody tr")).to_have_count(1)

    # A refused password change is said once, and leaves the token form as it was (read ticked).
    page.fill("#current-password", "not the password")
    page.fill("#new-password", "another long password")
    page.click("#change-password")
    expect(page.locator("#form-error")).to_be_visible()
    texts = [page.locator("#form-error .form-error-detail").inner_text(),
             *page.locator("#form-error .field-errors li").all_inner_texts()]
    assert len(texts) == len(set(texts)), texts
    expect(page.locator("#scope-read")).to_be_checked()
    errors[:] = [e for e in errors if "403" not in e and "400" not in e and "401" not in e]

    # The token works from a script…
    api = page.context.request
    me = api.get(server.url + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.ok and me.json()["via"] == "token"

    # …and the account page lists it and revokes it.
    page.goto(server.url + "/account")
    assert secret not in page.content()
    rows = page.locator("#tokens tbody tr")
    expect(rows).to_have_count(1)
    # Revoking asks first: "Cancel" keeps the token.
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    rows.first.locator("button").click()
    expect(rows).to_have_count(1)
    assert questions == ["Revoke this token? Whatever uses it stops working at once."]
    assert api.get(server.url + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).ok
    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.locator("button").click()
    expect(page.locator("#notice")).to_contain_text("revoked")
    gone = api.get(server.url + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert gone.status == 401

    # "Sign out everywhere" on the home page asks first; "Cancel" keeps the session, "OK" ends
    # it and the sign-in page says what happened.
    page.goto(server.url + "/")
    expect(page.locator("#shell")).to_have_attribute("data-state", "ready")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#sign-out-everywhere")
    assert asked and asked[0].startswith("Sign out on every device"), asked
    expect(page).to_have_url(server.url + "/")
    assert page.context.request.get(server.url + "/api/v1/me").ok
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#sign-out-everywhere")
    expect(page).to_have_url(server.url + "/sign-in?done=sessions-revoked")
    expect(page.locator("#notice")).to_contain_text("Every session was signed out")
    assert page.context.request.get(server.url + "/api/v1/me").status == 401
    assert errors == [], errors


def test_pages_fit_a_phone(browser: Browser, server: Server) -> None:
    """At 390 px wide no page is wider than the screen: wide tables scroll in their own box."""
    errors: list[str] = []
    server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design", password=PASSWORD)
    for index in range(3):
        server.cli("user", "add", "--email", f"someone-with-a-long-address-{index}@example.org",
                   "--name", f"Someone With A Long Name {index}", password=PASSWORD)
    page = watch(browser.new_context(viewport={"width": 390, "height": 844}).new_page(), errors)
    page.goto(server.url + "/sign-in")
    page.fill("#email", "ann@example.org")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    expect(page).to_have_url(server.url + "/")
    team = page.evaluate("fetch('/api/v1/me').then((r) => r.json()).then((me) => me.teams[0].id)")
    server.cli("team", "add-member", "Design", "someone-with-a-long-address-0@example.org")
    for path in ["/", "/account", "/admin/users", "/drops", f"/teams/{team}/admin"]:
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide"
        # Tables are cards on a phone: nothing of them (a Remove, a Revoke) is off to the side.
        hidden = page.evaluate("""() => [...document.querySelectorAll('.table-wrap')]
            .filter((wrap) => wrap.scrollWidth > wrap.clientWidth + 1).map((wrap) => wrap.querySelector('table').id)""")
        assert hidden == [], f"{path}: {hidden} scroll sideways"
    assert errors == []


def test_plain_http_under_a_network_name(browser: Browser, server: Server) -> None:
    """Served over plain http under a name that is not localhost (a LAN address): the forms still
    work — the pages' referrer policy lets the browser say where a POST comes from, where
    `no-referrer` made it send `Origin: null`, which the origin check refused — and the pages that
    need the browser's encryption say plainly that this connection cannot give it."""
    errors: list[str] = []
    server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design", password=PASSWORD)
    other = browser.browser_type.launch(executable_path=CHROMIUM,
                                        args=["--no-sandbox", "--host-resolver-rules=MAP ferry.test 127.0.0.1"])
    try:
        page = watch(other.new_page(), errors)
        url = server.url.replace("127.0.0.1", "ferry.test")
        page.goto(url + "/sign-in")
        assert page.evaluate("window.isSecureContext") is False
        page.fill("#email", "ann@example.org")
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        expect(page).to_have_url(url + "/")
        expect(page.get_by_test_id("insecure-context")).to_be_visible()
        expect(page.get_by_test_id("insecure-context")).to_contain_text("not on a secure connection")
        # On a secure origin the note stays hidden.
        secure = watch(browser.new_context().new_page(), [])
        secure.goto(server.url + "/sign-in")
        expect(secure.get_by_test_id("insecure-context")).to_be_hidden()
    finally:
        other.close()
