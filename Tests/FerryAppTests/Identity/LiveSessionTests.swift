import FerryApp
import FerryServer
import FerryStore
import FerryWeb
import Foundation
import Testing

/// Sign-in, sessions, CSRF, rate limits and tokens, through the real server and store.
@Suite("Live: sessions, CSRF, rate limits, tokens")
struct LiveSessionTests {
    @Test("a cross-site change with the session cookie is refused; same-origin and tokens pass")
    func csrf() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let token = fixture.sessions["member"]!
        let body = #"{"displayName":"Mallory was here"}"#
        let crossOrigin = try await client.send(
            "PATCH", "/api/v1/me", json: body, as: .session(token, origin: "http://evil.example"))
        #expect(crossOrigin.status == 403)
        #expect(crossOrigin.problem == "csrf")
        let crossSite = try await client.send(
            "PATCH", "/api/v1/me", json: body, as: .session(token, origin: nil),
            headers: ["Sec-Fetch-Site": "cross-site"])
        #expect(crossSite.problem == "csrf")
        let sameSiteSubdomain = try await client.send(
            "PATCH", "/api/v1/me", json: body, as: .session(token, origin: nil),
            headers: ["Sec-Fetch-Site": "same-site"])
        #expect(sameSiteSubdomain.problem == "csrf")
        let noOrigin = try await client.send("PATCH", "/api/v1/me", json: body, as: .session(token, origin: nil))
        #expect(noOrigin.problem == "csrf")
        // Nothing was changed by the refused requests.
        #expect(try await fixture.service.store.user(id: fixture.user("member").id)?.displayName == "Member")
        let fetchMetadata = try await client.send(
            "PATCH", "/api/v1/me", json: #"{"displayName":"Mia"}"#, as: .session(token, origin: nil),
            headers: ["Sec-Fetch-Site": "same-origin"])
        #expect(fetchMetadata.status == 200)
        let sameOrigin = try await client.send(
            "PATCH", "/api/v1/me", json: #"{"displayName":"Mia"}"#, as: fixture.session("member"))
        #expect(sameOrigin.status == 200)
        // Reads need no origin; tokens carry no ambient authority and need none either.
        #expect(try await client.send("GET", "/api/v1/me", as: .session(token, origin: nil)).status == 200)
        let viaToken = try await client.send(
            "PATCH", "/api/v1/me", json: #"{"displayName":"Root"}"#, as: .bearer(fixture.tokens["write"]!))
        #expect(viaToken.status == 200)
        // Login CSRF: a cross-site sign-in form is refused before the password is looked at.
        let loginCSRF = try await client.send(
            "POST", "/api/v1/session", json: #"{"email":"member@example.org","password":"correct horse battery"}"#,
            headers: ["Origin": "http://evil.example"])
        #expect(loginCSRF.problem == "csrf")
    }

    @Test("sessions end after the idle timeout and after their lifetime, however used")
    func sessionExpiry() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let idle = fixture.live.server.configuration.identity.sessionIdleTimeout
        let lifetime = fixture.live.server.configuration.identity.sessionLifetime
        // Idle: unused for the whole timeout.
        fixture.clock.advance(by: idle - 60)
        #expect(try await client.send("GET", "/api/v1/me", as: fixture.session("member")).status == 200)
        fixture.clock.advance(by: idle - 60)
        #expect(try await client.send("GET", "/api/v1/me", as: fixture.session("owner")).status == 401)
        // The member used theirs a moment ago, so it lives on … until its absolute end.
        #expect(try await client.send("GET", "/api/v1/me", as: fixture.session("member")).status == 200)
        var elapsed = 2 * idle - 120
        while elapsed + idle / 2 < lifetime {
            fixture.clock.advance(by: idle / 2)
            elapsed += idle / 2
            #expect(try await client.send("GET", "/api/v1/me", as: fixture.session("member")).status == 200)
        }
        fixture.clock.advance(by: lifetime - elapsed + 1)
        let ended = try await client.send("GET", "/api/v1/me", as: fixture.session("member"))
        #expect(ended.status == 401)
        #expect(ended.problem == "unauthenticated")
    }

    @Test("an error page shows a live session's navigation without counting as its use")
    func errorPagesDoNotKeepASessionAlive() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let idle = fixture.live.server.configuration.identity.sessionIdleTimeout
        fixture.clock.advance(by: idle - 60)
        let missing = try await client.send("GET", "/no-such-page", as: fixture.session("owner"))
        #expect(missing.status == 404)
        #expect(missing.text.contains("Signed in as <strong>Owner</strong>"))
        // Had that page counted as a use, the session would live on for another idle timeout.
        fixture.clock.advance(by: 120)
        let after = try await client.send("GET", "/no-such-page", as: fixture.session("owner"))
        #expect(after.status == 404)
        #expect(!after.text.contains("Signed in as"), "an ended session gets the plain page")
        #expect(try await client.send("GET", "/api/v1/me", as: fixture.session("owner")).status == 401)
    }

    @Test("a session idle for exactly the timeout has ended; a second less has not")
    func idleBoundary() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let idle = fixture.live.server.configuration.identity.sessionIdleTimeout
        fixture.clock.advance(by: idle - 1)
        #expect(try await fixture.client.send("GET", "/api/v1/me", as: fixture.session("member")).status == 200)
        fixture.clock.advance(by: idle)
        #expect(try await fixture.client.send("GET", "/api/v1/me", as: fixture.session("member")).status == 401)
    }

    @Test("signing in replaces the session the browser presented (no fixation)")
    func noSessionFixation() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        // The attacker plants their own valid session cookie in the victim's browser.
        let planted = fixture.sessions["other"]!
        let signIn = try await client.send(
            "POST", "/api/v1/session", json: #"{"email":"member@example.org","password":"correct horse battery"}"#,
            as: .session(planted, origin: client.origin))
        #expect(signIn.status == 200)
        let fresh = try #require(APIClient.sessionToken(signIn))
        #expect(fresh != planted)
        let cookie = try #require(signIn.header("Set-Cookie"))
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Lax"))
        #expect(cookie.contains("Path=/"))
        #expect(!cookie.contains("Secure"), "no TLS here")
        // The planted session is gone, the fresh one is the member's.
        #expect(try await client.send("GET", "/api/v1/me", as: .session(planted, origin: nil)).status == 401)
        let me = try await client.send("GET", "/api/v1/me", as: .session(fresh, origin: nil))
        #expect((me.json["user"] as? [String: Any])?["email"] as? String == "member@example.org")
        // A made-up cookie value is never adopted either.
        let madeUp = "A" + String(repeating: "b", count: 42)
        let again = try await client.send(
            "POST", "/api/v1/session", json: #"{"email":"member@example.org","password":"correct horse battery"}"#,
            as: .session(madeUp, origin: client.origin))
        #expect(APIClient.sessionToken(again) != madeUp)
    }

    @Test("sign-out, sign-out everywhere and a password change end sessions at once")
    func endingSessions() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        func signIn() async throws -> String {
            let response = try await client.send(
                "POST", "/api/v1/session", json: #"{"email":"member@example.org","password":"correct horse battery"}"#)
            return try #require(APIClient.sessionToken(response))
        }
        let laptop = try await signIn()
        let phone = try await signIn()
        let signOut = try await client.send("DELETE", "/api/v1/session", as: .session(laptop, origin: client.origin))
        #expect(signOut.status == 204)
        #expect(signOut.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(try await client.send("GET", "/api/v1/me", as: .session(laptop, origin: nil)).status == 401)
        #expect(try await client.send("GET", "/api/v1/me", as: .session(phone, origin: nil)).status == 200)
        // Changing the password keeps the session that did it and ends the others.
        let tablet = try await signIn()
        let change = try await client.send(
            "PUT", "/api/v1/me/password",
            json: #"{"currentPassword":"correct horse battery","newPassword":"an even better passphrase"}"#,
            as: .session(phone, origin: client.origin))
        #expect(change.status == 204)
        #expect(try await client.send("GET", "/api/v1/me", as: .session(tablet, origin: nil)).status == 401)
        #expect(try await client.send("GET", "/api/v1/me", as: .session(phone, origin: nil)).status == 200)
        let wrongCurrent = try await client.send(
            "PUT", "/api/v1/me/password", json: #"{"currentPassword":"nope","newPassword":"whatever it is now"}"#,
            as: .session(phone, origin: client.origin))
        #expect(wrongCurrent.status == 401)
        #expect(wrongCurrent.problem == "wrong-password")
        let everywhere = try await client.send(
            "DELETE", "/api/v1/me/sessions", as: .session(phone, origin: client.origin))
        #expect(everywhere.status == 204)
        #expect(try await client.send("GET", "/api/v1/me", as: .session(phone, origin: nil)).status == 401)
        let old = try await client.send(
            "POST", "/api/v1/session", json: #"{"email":"member@example.org","password":"correct horse battery"}"#)
        #expect(old.status == 401)
    }

    @Test("sign-in is limited per account and per address, with 429 and Retry-After")
    func rateLimits() async throws {
        let fixture = try await IdentityFixture.start { configuration in
            configuration.identity.signInFailuresPerAccount = 3
            configuration.identity.signInAttemptsPerAddress = 8
        }
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let wrong = #"{"email":"member@example.org","password":"not the password"}"#
        let right = #"{"email":"member@example.org","password":"correct horse battery"}"#
        for _ in 0..<3 {
            #expect(try await client.send("POST", "/api/v1/session", json: wrong).status == 401)
        }
        let limited = try await client.send("POST", "/api/v1/session", json: right)
        #expect(limited.status == 429)
        #expect(limited.problem == "too-many-attempts")
        let retryAfter = try #require(limited.header("Retry-After").flatMap(Int.init))
        #expect(retryAfter > 0 && retryAfter <= 15 * 60)
        // Another account from the same address still gets in, until the address limit.
        let other = #"{"email":"owner@example.org","password":"correct horse battery"}"#
        #expect(try await client.send("POST", "/api/v1/session", json: other).status == 200)
        // The account's window passes: the right password works again.
        fixture.clock.advance(by: Double(retryAfter) + 1)
        #expect(try await client.send("POST", "/api/v1/session", json: right).status == 200)
        // Per address: 8 attempts in 5 minutes, whatever the account.
        fixture.clock.advance(by: 3600)
        for index in 0..<8 {
            let attempt = #"{"email":"nobody\#(index)@example.org","password":"x"}"#
            #expect(try await client.send("POST", "/api/v1/session", json: attempt).status == 401)
        }
        let blocked = try await client.send("POST", "/api/v1/session", json: other)
        #expect(blocked.status == 429)
        #expect(blocked.header("Retry-After") != nil)
    }

    @Test("a revoked or expired token, or a disabled user, stops working at once")
    func tokenRevocation() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let created = try await client.send(
            "POST", "/api/v1/me/tokens", json: #"{"name":"ci","scopes":["read","write"],"expiresInDays":2}"#,
            as: fixture.session("member"))
        #expect(created.status == 201)
        let secret = try #require(created.json["secret"] as? String)
        let id = try #require(created.json["id"] as? String)
        #expect(secret.hasPrefix("ferry_"))
        #expect(try await client.send("GET", "/api/v1/me", as: .bearer(secret)).status == 200)
        // The list never shows the secret again.
        let list = try await client.send("GET", "/api/v1/me/tokens", as: fixture.session("member"))
        #expect(!list.text.contains(secret))
        #expect(list.text.contains(String(secret.prefix(10))))
        // Expiry.
        fixture.clock.advance(by: 2 * 86400 + 1)
        let expired = try await client.send("GET", "/api/v1/me", as: .bearer(secret))
        #expect(expired.status == 401)
        #expect(expired.header("WWW-Authenticate")?.contains("invalid_token") == true)
        // Revocation.
        let second = try await client.send(
            "POST", "/api/v1/me/tokens", json: #"{"name":"cd","scopes":["read"]}"#, as: fixture.session("member"))
        let live = try #require(second.json["secret"] as? String)
        #expect(try await client.send("GET", "/api/v1/me", as: .bearer(live)).status == 200)
        let secondID = try #require(second.json["id"] as? String)
        #expect(
            try await client.send("DELETE", "/api/v1/me/tokens/\(secondID)", as: fixture.session("member")).status
                == 204)
        #expect(try await client.send("GET", "/api/v1/me", as: .bearer(live)).status == 401)
        #expect(try await client.send("DELETE", "/api/v1/me/tokens/\(id)", as: fixture.session("owner")).status == 404)
        // A disabled user's tokens and sessions stop too.
        let third = try await client.send(
            "POST", "/api/v1/me/tokens", json: #"{"name":"x","scopes":["read"]}"#, as: fixture.session("victim"))
        let victimToken = try #require(third.json["secret"] as? String)
        let disable = try await client.send(
            "PATCH", "/api/v1/users/\(fixture.user("victim").id.uuidString.lowercased())", json: #"{"disabled":true}"#,
            as: fixture.session("admin"))
        #expect(disable.status == 200)
        #expect(try await client.send("GET", "/api/v1/me", as: .bearer(victimToken)).status == 401)
        #expect(try await client.send("GET", "/api/v1/me", as: fixture.session("victim")).status == 401)
        let signIn = try await client.send(
            "POST", "/api/v1/session", json: #"{"email":"victim@example.org","password":"correct horse battery"}"#)
        #expect(signIn.status == 403)
        #expect(signIn.problem == "account-disabled")
        // Garbage in the Authorization field is an error, not anonymity.
        for value in ["Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer ferry_" + String(repeating: "A", count: 43)] {
            let response = try await client.send("GET", "/api/v1/teams", headers: ["Authorization": value])
            #expect(response.status == 401, "\(value)")
        }
    }

    @Test("X-Forwarded-For counts only from a trusted proxy")
    func forwardedFor() async throws {
        for trusted in [false, true] {
            let fixture = try await IdentityFixture.start { configuration in
                if trusted { configuration.trustedProxies = [IPAddressRange("127.0.0.0/8")!] }
            }
            let failed = try await fixture.client.send(
                "POST", "/api/v1/session", json: #"{"email":"member@example.org","password":"not it"}"#,
                headers: ["X-Forwarded-For": "198.51.100.7, 203.0.113.9"])
            #expect(failed.status == 401)
            let audit = try await fixture.client.send("GET", "/api/v1/audit?limit=5", as: fixture.session("admin"))
            let events = try #require(audit.json["events"] as? [[String: Any]])
            let failure = try #require(events.first { $0["action"] as? String == "sign-in-failed" })
            #expect(failure["clientAddress"] as? String == (trusted ? "203.0.113.9" : "127.0.0.1"))
            await fixture.stop()
        }
    }
}
