import FerryApp
import FerryStore
import Foundation
import Testing

/// The server-rendered pages as a browser without script uses them: plain form posts, 303s with
/// fixed notices, and refused forms rendered again with the error and its status.
@Suite("Live: pages without JavaScript")
struct LivePageTests {
    @Test("pages send visitors to sign in and keep where they were going")
    func signInFirst() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        for path in ["/", "/account", "/admin/users", "/teams/\(fixture.alpha.id.uuidString.lowercased())/admin"] {
            let response = try await client.send("GET", path)
            #expect(response.status == 303, "\(path)")
            #expect(response.header("Location")?.hasPrefix("/sign-in") == true, "\(path)")
        }
        let form = try await client.send("GET", "/sign-in?next=%2Faccount")
        #expect(form.text.contains(#"name="next" value="/account""#))
        // Only local paths are followed after signing in.
        for (next, expected) in [("/account", "/account"), ("//evil.example/x", "/"), ("https://evil.example", "/")] {
            let signIn = try await client.postForm(
                "/sign-in", [("email", "member@example.org"), ("password", IdentityFixture.password), ("next", next)])
            #expect(signIn.status == 303)
            #expect(signIn.header("Location") == expected, "\(next)")
            #expect(APIClient.sessionToken(signIn) != nil)
        }
        let wrong = try await client.postForm(
            "/sign-in", [("email", "member@example.org"), ("password", "not it"), ("next", "/")])
        #expect(wrong.status == 401)
        #expect(wrong.text.contains("The email or the password is wrong."))
        #expect(wrong.text.contains(#"value="member@example.org""#), "the email is kept")
        #expect(!wrong.text.contains("not it"), "the password never is")
        // A cross-site form post is refused.
        let forged = try await client.postForm(
            "/sign-in", [("email", "member@example.org"), ("password", IdentityFixture.password)],
            headers: ["Origin": "http://evil.example"])
        #expect(forged.status == 403)
    }

    @Test("the account page: profile, password, tokens, sign-out everywhere")
    func account() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let me = fixture.session("member")
        let page = try await client.send("GET", "/account", as: me)
        #expect(page.status == 200)
        #expect(page.text.contains("member@example.org"))
        #expect(page.header("Cache-Control") == "no-store")
        let saved = try await client.postForm("/account/profile", [("displayName", "Mia")], as: me)
        #expect(saved.header("Location") == "/account?done=profile-saved")
        #expect(
            try await client.send("GET", "/account?done=profile-saved", as: me).text.contains("Your profile was saved.")
        )
        // Query text is never echoed as a notice.
        #expect(!(try await client.send("GET", "/account?done=<b>hacked</b>", as: me)).text.contains("hacked"))
        let empty = try await client.postForm("/account/profile", [("displayName", "   ")], as: me)
        #expect(empty.status == 400)
        #expect(empty.text.contains(#"aria-invalid="true""#))
        let token = try await client.postForm(
            "/account/tokens", [("name", "backup"), ("scopes", "read"), ("scopes", "write"), ("expiresInDays", "")],
            as: me)
        #expect(token.status == 201)
        #expect(token.header("Cache-Control") == "no-store")
        let secret = try #require(token.text.firstMatch(of: /ferry_[A-Za-z0-9_-]{43}/)).output
        #expect(try await client.send("GET", "/api/v1/me", as: .bearer(String(secret))).status == 200)
        let noScope = try await client.postForm("/account/tokens", [("name", "none")], as: me)
        #expect(noScope.status == 400)
        let badDays = try await client.postForm(
            "/account/tokens", [("name", "x"), ("scopes", "read"), ("expiresInDays", "soon")], as: me)
        #expect(badDays.status == 400)
        let wrongPassword = try await client.postForm(
            "/account/password", [("currentPassword", "nope"), ("newPassword", "a brand new passphrase")], as: me)
        #expect(wrongPassword.status == 401)
        let changed = try await client.postForm(
            "/account/password",
            [("currentPassword", IdentityFixture.password), ("newPassword", "a brand new passphrase")], as: me)
        #expect(changed.header("Location") == "/account?done=password-changed")
        let out = try await client.postForm("/account/sessions/revoke", [], as: me)
        #expect(out.header("Location") == "/sign-in?done=sessions-revoked")
        #expect(out.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(try await client.send("GET", "/account", as: me).status == 303)
    }

    @Test("the team page: invites, roles, the last owner, and who may see it")
    func teamAdmin() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let team = "/teams/\(fixture.alpha.id.uuidString.lowercased())/admin"
        #expect(try await client.send("GET", team, as: fixture.session("member")).status == 403)
        #expect(try await client.send("GET", team, as: fixture.session("other")).status == 404)
        let page = try await client.send("GET", team, as: fixture.session("owner"))
        #expect(page.status == 200)
        #expect(page.text.contains("victim@example.org"))
        let invite = try await client.postForm(
            "\(team)/invites", [("role", "member"), ("maxUses", "3"), ("expiresInHours", "24")],
            as: fixture.session("owner"))
        #expect(invite.status == 201)
        #expect(invite.text.contains("/invite/"))
        let badInvite = try await client.postForm(
            "\(team)/invites", [("role", "member"), ("maxUses", "5000"), ("expiresInHours", "24")],
            as: fixture.session("owner"))
        #expect(badInvite.status == 400)
        let victim = fixture.user("victim").id.uuidString.lowercased()
        let promoted = try await client.postForm(
            "\(team)/members/\(victim)/role", [("role", "owner")], as: fixture.session("owner"))
        #expect(promoted.header("Location") == "\(team)?done=role-changed")
        #expect(try await fixture.service.store.role(of: fixture.user("victim").id, in: fixture.alpha.id) == .owner)
        // Beta's only owner cannot step down: the page says why, with 409.
        let beta = "/teams/\(fixture.beta.id.uuidString.lowercased())/admin"
        let other = fixture.user("other").id.uuidString.lowercased()
        let lastOwner = try await client.postForm(
            "\(beta)/members/\(other)/role", [("role", "member")], as: fixture.session("other"))
        #expect(lastOwner.status == 409)
        #expect(lastOwner.text.contains("at least one owner"))
        // That page was rendered at the form's address: loading it again shows the team's page,
        // not 405, and changes nothing.
        let reloaded = try await client.send("GET", "\(beta)/members/\(other)/role", as: fixture.session("other"))
        #expect(reloaded.status == 303)
        #expect(reloaded.header("Location") == beta)
        // Extra slashes do not make the target another host ("//teams/…" is a network path).
        let doubled = try await client.send("GET", "/\(beta)/members/\(other)/role", as: fixture.session("other"))
        #expect(doubled.header("Location") == beta)
        #expect(try await fixture.service.store.role(of: fixture.user("other").id, in: fixture.beta.id) == .owner)
        for (form, page) in [
            ("/account/tokens", "/account"), ("/account/password", "/account"),
            ("/admin/users/\(other)/disable", "/admin/users"), ("\(team)/invites", team),
        ] {
            let answer = try await client.send("GET", form, as: fixture.session("root"))
            #expect(answer.status == 303, "\(form)")
            #expect(answer.header("Location") == page, "\(form)")
        }
        #expect(try await fixture.service.store.user(id: fixture.user("other").id)?.disabled == false)
        let removed = try await client.postForm("\(team)/members/\(victim)/remove", [], as: fixture.session("owner"))
        #expect(removed.header("Location") == "\(team)?done=member-removed")
        #expect(try await fixture.service.store.role(of: fixture.user("victim").id, in: fixture.alpha.id) == nil)
        // Someone with an account is added back by email (no invite needed), once.
        let added = try await client.postForm(
            "\(team)/members", [("email", "victim@example.org"), ("role", "member")], as: fixture.session("owner"))
        #expect(added.header("Location") == "\(team)?done=member-added")
        #expect(try await fixture.service.store.role(of: fixture.user("victim").id, in: fixture.alpha.id) == .member)
        let again = try await client.postForm(
            "\(team)/members", [("email", "victim@example.org"), ("role", "owner")], as: fixture.session("owner"))
        #expect(again.status == 409)
        #expect(again.text.contains("already a member"))
        #expect(try await fixture.service.store.role(of: fixture.user("victim").id, in: fixture.alpha.id) == .member)
        let unknown = try await client.postForm(
            "\(team)/members", [("email", "nobody@example.org"), ("role", "member")], as: fixture.session("owner"))
        #expect(unknown.status == 404)
        #expect(unknown.text.contains("invite them instead"))
        #expect(unknown.text.components(separatedBy: "No user has this email").count == 2, "said once")
        #expect(unknown.text.contains("nobody@example.org"), "the form keeps what was typed")
        // Only an owner adds: a member of another team cannot add to this one.
        let foreign = try await client.postForm(
            "\(team)/members", [("email", "other@example.org"), ("role", "owner")], as: fixture.session("other"))
        #expect(foreign.status == 404)
        #expect(try await fixture.service.store.role(of: fixture.user("other").id, in: fixture.alpha.id) == nil)
    }

    @Test("the users page is for server admins, who add, disable and enable people")
    func adminUsers() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let refused = try await client.send("GET", "/admin/users", as: fixture.session("owner"))
        #expect(refused.status == 403)
        // Signed in, the error page keeps the navigation: not a dead end.
        #expect(refused.text.contains("Only server admins may see this page."))
        #expect(refused.text.contains("Signed in as <strong>Owner</strong>"))
        #expect(refused.text.contains(#"href="/drops""#))
        #expect(!refused.text.contains(#"href="/admin/users""#), "no Admin entry for a non-admin")
        #expect(refused.header("Cache-Control") == "no-store")
        let foreign = try await client.send(
            "GET", "/teams/\(fixture.alpha.id.uuidString.lowercased())/admin", as: fixture.session("other"))
        #expect(foreign.status == 404)
        #expect(foreign.text.contains("Signed in as <strong>Other</strong>"))
        // An address no page has keeps the navigation too, for a signed-in person only.
        let nowhere = try await client.send("GET", "/no-such-page", as: fixture.session("owner"))
        #expect(nowhere.status == 404)
        #expect(nowhere.text.contains("Nothing is found at this address."))
        #expect(nowhere.text.contains("Signed in as <strong>Owner</strong>"))
        #expect(nowhere.text.contains(#"href="/drops""#))
        #expect(nowhere.header("Cache-Control") == "no-store")
        let wrongMethod = try await client.send("DELETE", "/account", as: fixture.session("member"))
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.text.contains("Signed in as <strong>Member</strong>"))
        let anonymous = try await client.send("GET", "/no-such-page")
        #expect(anonymous.status == 404)
        #expect(anonymous.text.contains("Nothing is found at this address."))
        #expect(!anonymous.text.contains("Signed in as"))
        let ended = try await client.send(
            "GET", "/no-such-page", as: .session(String(repeating: "A", count: 43), origin: nil))
        #expect(ended.status == 404)
        #expect(!ended.text.contains("Signed in as"), "a cookie of no live session shows the plain page")
        let api = try await client.send("GET", "/api/v1/no-such-route", as: fixture.session("owner"))
        #expect(api.status == 404)
        #expect(api.header("Content-Type") == "application/problem+json")
        #expect(!api.text.contains("Signed in as"))
        let page = try await client.send("GET", "/admin/users", as: fixture.session("admin"))
        #expect(page.status == 200)
        #expect(page.text.contains("victim@example.org"))
        let added = try await client.postForm(
            "/admin/users",
            [("email", "new@example.org"), ("displayName", "New"), ("password", "a fine passphrase")],
            as: fixture.session("admin"))
        #expect(added.header("Location") == "/admin/users?done=user-created")
        let duplicate = try await client.postForm(
            "/admin/users",
            [("email", "NEW@example.org"), ("displayName", "Again"), ("password", "a fine passphrase")],
            as: fixture.session("admin"))
        #expect(duplicate.status == 409)
        #expect(duplicate.text.contains("already exists"))
        let victim = fixture.user("victim").id.uuidString.lowercased()
        #expect(
            try await client.postForm("/admin/users/\(victim)/disable", [], as: fixture.session("admin")).status == 303)
        #expect(try await client.send("GET", "/api/v1/me", as: fixture.session("victim")).status == 401)
        // The team sees the disabled member as such, on its page and in the API.
        let alpha = fixture.alpha.id.uuidString.lowercased()
        let teamPage = try await client.send("GET", "/teams/\(alpha)/admin", as: fixture.session("owner"))
        #expect(teamPage.text.contains(#"<tr id="member-\#(victim)" class="is-inactive">"#))
        let members = try await client.send("GET", "/api/v1/teams/\(alpha)/members", as: fixture.session("owner"))
        #expect(members.text.contains(#""disabled":true"#))
        #expect(members.text.contains(#""disabled":false"#))
        // Nor is a disabled account made a team's owner: it could not act as one.
        let disabledOwner = try await client.postForm(
            "/admin/teams", [("name", "Zeta"), ("owner", "victim@example.org")], as: fixture.session("admin"))
        #expect(disabledOwner.status == 409)
        #expect(disabledOwner.text.contains("This account is disabled"))
        #expect(
            try await client.postForm("/admin/users/\(victim)/enable", [], as: fixture.session("admin")).status == 303)
        #expect(try await fixture.service.store.user(id: fixture.user("victim").id)?.disabled == false)
        let me = fixture.user("admin").id.uuidString.lowercased()
        #expect(try await client.postForm("/admin/users/\(me)/disable", [], as: fixture.session("admin")).status == 409)

        // An admin makes another user an admin and takes it back; never from oneself.
        #expect(page.text.contains(#"action="/admin/users/\#(victim)/make-admin""#))
        #expect(!page.text.contains(#"action="/admin/users/\#(me)/remove-admin""#), "no button to demote oneself")
        let granted = try await client.postForm("/admin/users/\(victim)/make-admin", [], as: fixture.session("admin"))
        #expect(granted.header("Location") == "/admin/users?done=admin-granted")
        #expect(try await fixture.service.store.user(id: fixture.user("victim").id)?.isAdmin == true)
        let withAdmin = try await client.send("GET", "/admin/users", as: fixture.session("admin"))
        #expect(withAdmin.text.contains(#"action="/admin/users/\#(victim)/remove-admin""#))
        let removed = try await client.postForm(
            "/admin/users/\(victim)/remove-admin", [], as: fixture.session("admin"))
        #expect(removed.header("Location") == "/admin/users?done=admin-removed")
        #expect(try await fixture.service.store.user(id: fixture.user("victim").id)?.isAdmin == false)
        let selfDemoted = try await client.postForm("/admin/users/\(me)/remove-admin", [], as: fixture.session("admin"))
        #expect(selfDemoted.status == 409)
        #expect(try await fixture.service.store.user(id: fixture.user("admin").id)?.isAdmin == true)
        #expect(
            try await client.postForm("/admin/users/\(victim)/make-admin", [], as: fixture.session("owner")).status
                == 403)

        // A forgotten password is set by an admin: the new one signs in, the user's sessions end.
        let session = try await fixture.service.signIn(
            email: "victim@example.org", password: IdentityFixture.password, replacing: nil,
            context: ActionContext(principal: nil, clientAddress: "test", now: Date()))
        let victimSession = APIClient.Credential.session(session.sessionToken, origin: nil)
        let short = try await client.postForm(
            "/admin/users/\(victim)/password", [("password", "short")], as: fixture.session("admin"))
        #expect(short.status == 400)
        #expect(try await client.send("GET", "/api/v1/me", as: victimSession).status == 200)
        let reset = try await client.postForm(
            "/admin/users/\(victim)/password", [("password", "a brand new passphrase")], as: fixture.session("admin"))
        #expect(reset.header("Location") == "/admin/users?done=password-set")
        #expect(try await client.send("GET", "/api/v1/me", as: victimSession).status == 401)
        let signedIn = try await fixture.service.signIn(
            email: "victim@example.org", password: "a brand new passphrase", replacing: nil,
            context: ActionContext(principal: nil, clientAddress: "test", now: Date()))
        #expect(!signedIn.sessionToken.isEmpty)
        #expect(
            try await client.postForm(
                "/admin/users/\(victim)/password", [("password", "a brand new passphrase")],
                as: fixture.session("owner")
            ).status == 403, "only an admin")

        // Teams: listed, and made with an owner named by email (the admin by default).
        let listed = try await client.send("GET", "/admin/users", as: fixture.session("admin"))
        #expect(listed.text.contains(#"href="/teams/\#(fixture.alpha.id.uuidString.lowercased())/admin""#))
        #expect(listed.text.contains(#"value="admin@example.org""#), "the owner field starts with the admin")
        let made = try await client.postForm(
            "/admin/teams", [("name", "Gamma"), ("owner", "member@example.org")], as: fixture.session("admin"))
        #expect(made.header("Location") == "/admin/users?done=team-created")
        let gamma = try await fixture.service.store.teams(of: fixture.user("member").id).first {
            $0.teamName == "Gamma"
        }
        #expect(gamma?.role == .owner)
        let nobody = try await client.postForm(
            "/admin/teams", [("name", "Delta"), ("owner", "nobody@example.org")], as: fixture.session("admin"))
        #expect(nobody.status == 404)
        #expect(nobody.text.contains("the owner must have an account"))
        #expect(nobody.text.contains(#"value="Delta""#), "the form keeps what was typed")
        let nameless = try await client.postForm(
            "/admin/teams", [("name", ""), ("owner", "admin@example.org")], as: fixture.session("admin"))
        #expect(nameless.status == 400)
        #expect(
            try await client.postForm(
                "/admin/teams", [("name", "Eps"), ("owner", "owner@example.org")], as: fixture.session("owner")
            )
            .status == 403)
        let reloadedForm = try await client.send("GET", "/admin/teams", as: fixture.session("admin"))
        #expect(reloadedForm.status == 303)
        #expect(reloadedForm.header("Location") == "/admin/users")
    }
}
