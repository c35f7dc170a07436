import FerryApp
import FerryServer
import FerryStore
import Foundation
import Testing

/// First run, invites, members and bad input through the API, on both stores.
@Suite("Live: setup, invites, members, bad input")
struct LiveTeamTests {
    @Test("first run through the API: set up, invite, join, see each other", arguments: StoreBackend.available)
    func setupInviteJoin(_ backend: StoreBackend) async throws {
        let location = try await backend.makeLocation()
        let live = try await LiveServer.start { configuration in
            configuration.database = location
            configuration.identity.passwordParameters = .testing
        }
        defer { Task { await live.stop() } }
        let client = APIClient(live: live)
        #expect(try await client.send("GET", "/api/v1/setup").json["needed"] as? Bool == true)
        let link = try #require(try await live.server.setupLink(base: client.origin))
        let token = String(link.split(separator: "/").last!)
        let setupBody = { (token: String) in
            #"{"token":"\#(token)","email":"ann@example.org","displayName":"Ann","password":"correct horse battery","teamName":"Design"}"#
        }
        // One character changed; never to itself (a token starting with "A" made this the right one).
        let wrong = (token.first == "A" ? "B" : "A") + token.dropFirst()
        let wrongToken = try await client.send("POST", "/api/v1/setup", json: setupBody(wrong))
        #expect(wrongToken.status == 403)
        #expect(wrongToken.problem == "setup-token-invalid")
        let setup = try await client.send("POST", "/api/v1/setup", json: setupBody(token))
        #expect(setup.status == 201)
        let ann = try #require(APIClient.sessionToken(setup))
        let annMe = setup.json
        #expect((annMe["user"] as? [String: Any])?["isAdmin"] as? Bool == true)
        let teams = try #require(annMe["teams"] as? [[String: Any]])
        #expect(teams.first?["name"] as? String == "Design")
        #expect(teams.first?["role"] as? String == "owner")
        let teamID = try #require(teams.first?["id"] as? String)
        #expect(try await client.send("POST", "/api/v1/setup", json: setupBody(token)).problem == "setup-done")
        #expect(try await client.send("GET", "/api/v1/setup").json["needed"] as? Bool == false)
        #expect(try await live.server.setupLink(base: client.origin) == nil)

        let annSession = APIClient.Credential.session(ann, origin: client.origin)
        let invite = try await client.send(
            "POST", "/api/v1/teams/\(teamID)/invites", json: #"{"role":"member","maxUses":1,"expiresInHours":48}"#,
            as: annSession)
        #expect(invite.status == 201)
        let url = try #require(invite.json["url"] as? String)
        #expect(url.hasPrefix(client.origin + "/invite/"))
        let code = try #require(invite.json["code"] as? String)
        let preview = try await client.send("GET", "/api/v1/invites/\(code)")
        #expect(preview.json["teamName"] as? String == "Design")
        #expect(preview.json["valid"] as? Bool == true)
        let join = try await client.send(
            "POST", "/api/v1/invites/\(code)/accept",
            json: #"{"email":"bob@example.org","displayName":"Bob","password":"another fine passphrase"}"#)
        #expect(join.status == 200)
        let bob = try #require(APIClient.sessionToken(join))
        // One use only.
        let late = try await client.send(
            "POST", "/api/v1/invites/\(code)/accept",
            json: #"{"email":"eve@example.org","displayName":"Eve","password":"another fine passphrase"}"#)
        #expect(late.status == 410)
        #expect(late.problem == "invite-invalid")
        #expect(try await client.send("GET", "/api/v1/invites/\(code)").json["valid"] as? Bool == false)
        // Both see each other.
        for session in [ann, bob] {
            let members = try await client.send(
                "GET", "/api/v1/teams/\(teamID)/members", as: .session(session, origin: nil))
            let emails = (members.json["members"] as? [[String: Any]])?.compactMap {
                ($0["user"] as? [String: Any])?["email"] as? String
            }
            #expect(emails == ["ann@example.org", "bob@example.org"])
        }
        // The audit log saw it.
        let audit = try await client.send("GET", "/api/v1/teams/\(teamID)/audit", as: annSession)
        let actions = (audit.json["events"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
        #expect(actions.contains("invite-created"))
        #expect(actions.contains("invite-accepted"))
        #expect(actions.contains("member-added"))
    }

    @Test("invites expire and can be revoked", arguments: StoreBackend.available)
    func inviteExpiryAndRevocation(_ backend: StoreBackend) async throws {
        let fixture = try await IdentityFixture.start(backend)
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let teamPath = "/api/v1/teams/\(fixture.alpha.id.uuidString.lowercased())"
        let short = try await client.send(
            "POST", "\(teamPath)/invites", json: #"{"role":"owner","maxUses":5,"expiresInHours":1}"#,
            as: fixture.session("owner"))
        let shortCode = try #require(short.json["code"] as? String)
        fixture.clock.advance(by: 3601)
        #expect(try await client.send("GET", "/api/v1/invites/\(shortCode)").json["valid"] as? Bool == false)
        let expired = try await client.send(
            "POST", "/api/v1/invites/\(shortCode)/accept", json: "{}", as: fixture.session("other"))
        #expect(expired.status == 410)
        #expect(try await fixture.service.store.role(of: fixture.user("other").id, in: fixture.alpha.id) == nil)

        let revocable = try await client.send(
            "POST", "\(teamPath)/invites", json: #"{"role":"member"}"#, as: fixture.session("owner"))
        let revocableID = try #require(revocable.json["id"] as? String)
        let revocableCode = try #require(revocable.json["code"] as? String)
        let listed = try await client.send("GET", "\(teamPath)/invites", as: fixture.session("owner"))
        #expect(!listed.text.contains(revocableCode), "codes are shown once")
        #expect(
            try await client.send("DELETE", "\(teamPath)/invites/\(revocableID)", as: fixture.session("owner")).status
                == 204)
        let revoked = try await client.send(
            "POST", "/api/v1/invites/\(revocableCode)/accept", json: "{}", as: fixture.session("other"))
        #expect(revoked.problem == "invite-invalid")
        // A signed-in member of another team joins with a live invite.
        let open = try await client.send(
            "POST", "\(teamPath)/invites", json: #"{"role":"member","maxUses":5}"#, as: fixture.session("owner"))
        let openCode = try #require(open.json["code"] as? String)
        let joined = try await client.send(
            "POST", "/api/v1/invites/\(openCode)/accept", json: "{}", as: fixture.session("other"))
        #expect(joined.status == 200)
        #expect(((joined.json["teams"] as? [[String: Any]])?.count) == 2)
        let again = try await client.send(
            "POST", "/api/v1/invites/\(openCode)/accept", json: "{}", as: fixture.session("other"))
        #expect(again.problem == "already-member")
        #expect(try await client.send("GET", "/api/v1/invites/notacode").status == 404)
    }

    @Test("members leave, owners stay: the last owner cannot be demoted or removed")
    func membership() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let beta = "/api/v1/teams/\(fixture.beta.id.uuidString.lowercased())"
        let alpha = "/api/v1/teams/\(fixture.alpha.id.uuidString.lowercased())"
        let otherID = fixture.user("other").id.uuidString.lowercased()
        let lastOwner = try await client.send(
            "PATCH", "\(beta)/members/\(otherID)", json: #"{"role":"member"}"#, as: fixture.session("other"))
        #expect(lastOwner.status == 409)
        #expect(lastOwner.problem == "last-owner")
        #expect(
            try await client.send("DELETE", "\(beta)/members/\(otherID)", as: fixture.session("other")).problem
                == "last-owner")
        // A member may leave; they may not remove someone else.
        let memberID = fixture.user("member").id.uuidString.lowercased()
        let victimID = fixture.user("victim").id.uuidString.lowercased()
        #expect(
            try await client.send("DELETE", "\(alpha)/members/\(victimID)", as: fixture.session("member")).status == 403
        )
        #expect(
            try await client.send(
                "PATCH", "\(alpha)/members/\(memberID)", json: #"{"role":"owner"}"#, as: fixture.session("member")
            ).status == 403)
        #expect(
            try await client.send("DELETE", "\(alpha)/members/\(memberID)", as: fixture.session("member")).status == 204
        )
        #expect(try await client.send("GET", alpha, as: fixture.session("member")).status == 404)
        // Owners add existing users by email.
        let added = try await client.send(
            "POST", "\(alpha)/members", json: #"{"email":"Member@Example.org","role":"member"}"#,
            as: fixture.session("owner"))
        #expect(added.status == 201)
        let unknown = try await client.send(
            "POST", "\(alpha)/members", json: #"{"email":"nobody@example.org"}"#, as: fixture.session("owner"))
        #expect(unknown.status == 404)
        #expect(
            try await client.send(
                "POST", "\(alpha)/members", json: #"{"email":"member@example.org"}"#, as: fixture.session("owner")
            ).problem == "already-member")
    }

    @Test("bad input gets a precise 4xx and changes nothing")
    func badInput() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let admin = fixture.session("admin")
        let usersBefore = try await fixture.service.store.countUsers()
        func create(_ json: String, contentType: String? = nil) async throws -> RawResponse {
            var headers: [String: String] = [:]
            if let contentType { headers["Content-Type"] = contentType }
            return try await client.send("POST", "/api/v1/users", json: json, as: admin, headers: headers)
        }
        let duplicate = try await create(
            #"{"email":"MEMBER@example.org","displayName":"M2","password":"long enough password"}"#)
        #expect(duplicate.status == 409)
        #expect(duplicate.problem == "email-taken")
        let malformed = try await create(#"{"email": "a@b.c", "#)
        #expect(malformed.status == 400)
        #expect(malformed.problem == "invalid-json")
        let wrongType = try await create(#"{"email":5}"#)
        #expect(wrongType.problem == "invalid-json")
        #expect((wrongType.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/email")
        #expect((wrongType.json["errors"] as? [[String: Any]])?.first?["detail"] as? String == "expected a string")
        // An array where an object belongs is named as such (not "expected an array").
        let array = try await create("[]")
        #expect(array.problem == "invalid-json")
        #expect(array.json["detail"] as? String == "The request body is not valid: expected an object.")
        let long = String(repeating: "é", count: 101)
        let overlong = try await create(
            #"{"email":"x@example.org","displayName":"\#(long)","password":"long enough password"}"#)
        #expect(overlong.status == 400)
        #expect(overlong.problem == "invalid-request")
        #expect((overlong.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/displayName")
        let exactly100 = String(repeating: "é", count: 100)
        let boundary = try await create(
            #"{"email":"y@example.org","displayName":"\#(exactly100)","password":"long enough password"}"#)
        #expect(boundary.status == 201)
        let control = try await create(
            #"{"email":"z@example.org","displayName":"a\u0007b","password":"long enough password"}"#)
        #expect(control.problem == "invalid-request")
        let bidi = try await create(
            #"{"email":"z@example.org","displayName":"evil\u202Egnp.exe","password":"long enough password"}"#)
        #expect(bidi.problem == "invalid-request")
        let shortPassword = try await create(#"{"email":"z@example.org","displayName":"Z","password":"123456789"}"#)
        #expect(shortPassword.problem == "invalid-request")
        let longPassword = try await create(
            #"{"email":"z@example.org","displayName":"Z","password":"\#(String(repeating: "p", count: 1025))"}"#)
        #expect(longPassword.problem == "invalid-request")
        let badEmail = try await create(#"{"email":"no at sign","displayName":"Z","password":"long enough password"}"#)
        #expect((badEmail.json["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/email")
        let several = try await create(#"{"email":"","displayName":"","password":""}"#)
        #expect((several.json["errors"] as? [[String: Any]])?.count == 3)
        let notJSON = try await create("email=x", contentType: "application/x-www-form-urlencoded")
        #expect(notJSON.status == 415)
        // Invalid UTF-8 in the body.
        let bytes = "{\"email\":\"x@example.org\",\"displayName\":\"\u{FFFD}\",\"password\":\"long enough password\"}"
        let invalidUTF8 = try await create(bytes)
        #expect(invalidUTF8.status == 400)
        let raw =
            "POST /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1:\(fixture.live.port)\r\nConnection: close\r\n"
            + "Cookie: ferry_session=\(fixture.sessions["admin"]!)\r\nOrigin: \(client.origin)\r\n"
            + "Content-Type: application/json\r\nContent-Length: 20\r\n\r\n"
        let rawClient = try fixture.live.client()
        await rawClient.send(
            Array(raw.utf8) + [0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]
                + Array(repeating: 0x20, count: 10))
        let garbage = try #require(await rawClient.readResponses(1).first)
        #expect(garbage.status == 400)
        // Too large.
        let huge = try await create(
            #"{"email":"big@example.org","displayName":"\#(String(repeating: "x", count: 20_000))"}"#)
        #expect(huge.status == 413)
        // Unknown team and malformed ids are 404, never 500.
        #expect(try await client.send("GET", "/api/v1/teams/\(UUID().uuidString)", as: admin).status == 404)
        #expect(try await client.send("GET", "/api/v1/teams/not-a-uuid", as: admin).status == 404)
        #expect(try await client.send("PATCH", "/api/v1/users/not-a-uuid", json: "{}", as: admin).status == 404)
        // Nothing half-written: only the one valid user was added.
        #expect(try await fixture.service.store.countUsers() == usersBefore + 1)
        // Renaming to a taken team name.
        let taken = try await client.send(
            "PATCH", "/api/v1/teams/\(fixture.alpha.id.uuidString.lowercased())", json: #"{"name":"beta"}"#, as: admin)
        #expect(taken.problem == "team-name-taken")
        // An admin cannot lock themself out.
        let selfDisable = try await client.send(
            "PATCH", "/api/v1/users/\(fixture.user("admin").id.uuidString.lowercased())", json: #"{"disabled":true}"#,
            as: admin)
        #expect(selfDisable.status == 409)
    }
}
