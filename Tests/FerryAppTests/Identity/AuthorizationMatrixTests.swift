import FerryApp
import FerryStore
import Foundation
import HTTPTypes
import Testing

/// Every route of the JSON API × every kind of caller: allowed or denied, written out by hand
/// from docs/IDENTITY.md, docs/SIGNALLING.md and docs/DROPS.md (not computed from the policy under test). A route the server has and
/// the matrix lacks fails the test.
@Suite("Authorization matrix", .serialized)
struct AuthorizationMatrixTests {
    /// The callers, in the order of the matrix's columns.
    enum Caller: String, CaseIterable, Sendable {
        case anonymous, other, member, owner, admin, readToken, writeToken, adminToken
    }

    struct Row: Sendable {
        var method: String
        var path: String
        /// One character per caller, in ``Caller`` order: `Y` allowed, `-` denied.
        var allowed: String
        var json: String?
    }

    /// Requests that change what later requests see come last (accepting an invite, removing a
    /// member, ending sessions).
    static let rows: [Row] = [
        Row(method: "GET", path: "/health", allowed: "YYYYYYYY"),
        Row(method: "GET", path: "/version", allowed: "YYYYYYYY"),
        Row(method: "GET", path: "/ready", allowed: "YYYYYYYY"),
        Row(method: "GET", path: "/openapi.json", allowed: "YYYYYYYY"),
        Row(method: "GET", path: "/setup", allowed: "YYYYYYYY"),
        Row(method: "POST", path: "/setup", allowed: "YYYYYYYY", json: "{}"),
        Row(
            method: "POST", path: "/session", allowed: "YYYYYYYY",
            json: #"{"email":"x@example.org","password":"wrong"}"#),
        Row(method: "GET", path: "/me", allowed: "-YYYYYYY"),
        Row(method: "PATCH", path: "/me", allowed: "-YYYY-YY", json: #"{"displayName":"Renamed"}"#),
        Row(method: "PUT", path: "/me/password", allowed: "-YYYY---", json: "{}"),
        Row(method: "GET", path: "/me/tokens", allowed: "-YYYY--Y"),
        Row(method: "POST", path: "/me/tokens", allowed: "-YYYY--Y", json: #"{"name":"t","scopes":["read"]}"#),
        Row(method: "DELETE", path: "/me/tokens/{tokenID}", allowed: "-YYYY--Y"),
        Row(method: "GET", path: "/teams", allowed: "-YYYYYYY"),
        Row(method: "POST", path: "/teams", allowed: "----Y--Y", json: "{}"),
        Row(method: "GET", path: "/teams/{teamID}", allowed: "--YYYYYY"),
        Row(method: "PATCH", path: "/teams/{teamID}", allowed: "---YY-YY", json: #"{"name":"Alpha"}"#),
        Row(method: "GET", path: "/teams/{teamID}/members", allowed: "--YYYYYY"),
        Row(method: "POST", path: "/teams/{teamID}/members", allowed: "---YY-YY", json: "{}"),
        Row(
            method: "PATCH", path: "/teams/{teamID}/members/{userID}", allowed: "---YY-YY", json: #"{"role":"member"}"#),
        Row(method: "GET", path: "/teams/{teamID}/invites", allowed: "---YYYYY"),
        Row(method: "POST", path: "/teams/{teamID}/invites", allowed: "---YY-YY", json: #"{"role":"member"}"#),
        Row(method: "DELETE", path: "/teams/{teamID}/invites/{inviteID}", allowed: "---YY-YY"),
        Row(method: "GET", path: "/teams/{teamID}/audit", allowed: "---YYYYY"),
        Row(method: "GET", path: "/invites/{code}", allowed: "YYYYYYYY"),
        Row(method: "GET", path: "/users", allowed: "----Y--Y"),
        Row(method: "POST", path: "/users", allowed: "----Y--Y", json: "{}"),
        Row(method: "PATCH", path: "/users/{userID}", allowed: "----Y--Y", json: #"{"displayName":"Victim"}"#),
        Row(method: "PUT", path: "/users/{userID}/password", allowed: "----Y--Y", json: "{}"),
        Row(method: "GET", path: "/audit", allowed: "----Y--Y"),
        Row(method: "GET", path: "/signal", allowed: "-YYYYYYY"),
        Row(method: "GET", path: "/devices", allowed: "-YYYYYYY"),
        Row(method: "PUT", path: "/devices/{deviceID}", allowed: "-YYYY-YY", json: #"{"name":"Laptop"}"#),
        Row(method: "DELETE", path: "/devices/{deviceID}", allowed: "-YYYY-YY"),
        Row(method: "GET", path: "/ice", allowed: "-YYYYYYY"),
        Row(method: "POST", path: "/pairings", allowed: "-YYYY-YY"),
        Row(method: "POST", path: "/pairings/claim", allowed: "YYYYYYYY", json: "{}"),
        // A member is refused with 404 (not a guest; no pairing of that id): past the gate.
        Row(method: "DELETE", path: "/pairings/current", allowed: "-YYYY-YY"),
        Row(method: "DELETE", path: "/pairings/{pairingID}", allowed: "-YYYY-YY"),
        Row(method: "OPTIONS", path: "/uploads", allowed: "YYYYYYYY"),
        Row(method: "POST", path: "/uploads", allowed: "-YYYY-YY"),
        Row(method: "HEAD", path: "/uploads/{uploadID}", allowed: "-YYYYYYY"),
        Row(method: "PATCH", path: "/uploads/{uploadID}", allowed: "-YYYY-YY"),
        Row(method: "DELETE", path: "/uploads/{uploadID}", allowed: "-YYYY-YY"),
        Row(method: "GET", path: "/drops", allowed: "-YYYYYYY"),
        Row(method: "GET", path: "/drops/limits", allowed: "-YYYYYYY"),
        Row(method: "POST", path: "/drops", allowed: "-YYYY-YY", json: "{}"),
        Row(method: "GET", path: "/drops/{dropID}", allowed: "YYYYYYYY"),
        Row(method: "PATCH", path: "/drops/{dropID}", allowed: "-YYYY-YY", json: "{}"),
        Row(method: "POST", path: "/drops/{dropID}/revoke", allowed: "-YYYY-YY"),
        Row(method: "DELETE", path: "/drops/{dropID}", allowed: "-YYYY-YY"),
        Row(method: "POST", path: "/drops/{dropID}/check", allowed: "YYYYYYYY"),
        Row(method: "POST", path: "/drops/{dropID}/open", allowed: "YYYYYYYY"),
        Row(method: "GET", path: "/drops/{dropID}/files/{index}", allowed: "YYYYYYYY"),
        Row(method: "POST", path: "/invites/{code}/accept", allowed: "YYYYY-YY", json: "{}"),
        Row(method: "DELETE", path: "/teams/{teamID}/members/{userID}", allowed: "---YY-YY"),
        Row(method: "DELETE", path: "/session", allowed: "-YYYY---"),
        Row(method: "DELETE", path: "/me/sessions", allowed: "-YYYY-YY"),
    ]

    @Test("the matrix lists every /api/v1 route the server has, and no other")
    func matrixCoversEveryRoute() async throws {
        let fixture = try await IdentityFixture.start()
        let served = Set(
            // A WebSocket route's extended CONNECT (HTTP/2) is the same route as its GET.
            fixture.live.server.routePatterns.filter { $0.pattern.hasPrefix("/api/v1/") && $0.method != .connect }.map {
                "\($0.method.rawValue) \($0.pattern.dropFirst("/api/v1".count))"
            })
        await fixture.stop()
        let listed = Set(
            Self.rows.map { "\($0.method) \($0.path.replacing("{", with: ":").replacing("}", with: ""))" })
        #expect(served.subtracting(listed).isEmpty, "routes missing from the matrix")
        #expect(listed.subtracting(served).isEmpty, "matrix rows for routes that do not exist")
        #expect(Self.rows.allSatisfy { $0.allowed.count == Caller.allCases.count })
    }

    @Test("each caller is allowed exactly what the matrix says", arguments: Caller.allCases)
    func matrix(_ caller: Caller) async throws {
        for backend in StoreBackend.available {
            let fixture = try await IdentityFixture.start(backend)
            defer { Task { await fixture.stop() } }
            let column = Caller.allCases.firstIndex(of: caller)!
            var credential = credential(caller, fixture)
            for row in Self.rows {
                let response = try await fixture.client.send(
                    row.method, "/api/v1" + fill(row.path, fixture), json: row.json, as: credential)
                if row.path == "/session" && row.method == "DELETE", case .session = credential {
                    // Signed out: the next row needs a session again.
                    let signedIn = try await fixture.service.signIn(
                        email: "\(caller.rawValue)@example.org", password: IdentityFixture.password, replacing: nil,
                        context: ActionContext(principal: nil, now: fixture.clock.now))
                    credential = .session(signedIn.sessionToken, origin: fixture.client.origin)
                }
                let expected = Array(row.allowed)[column] == "Y"
                #expect(
                    Self.wasDenied(response) != expected,
                    "\(backend) \(caller) \(row.method) \(row.path): \(response.status) \(response.text)")
            }
        }
    }

    /// Denied means the gate answered: 401, 403 (forbidden), or the 404 that hides another team.
    /// (A drop's wrong proof is a 403 too, but a `drop-proof-refused` one: the route answered.)
    /// Anything else — 2xx, 400 for the empty bodies, 409 — means the request reached the route.
    static func wasDenied(_ response: RawResponse) -> Bool {
        switch (response.status, response.problem) {
        case (401, "unauthenticated"), (403, "forbidden"), (403, "csrf"): true
        // A HEAD answer has no body to name its problem.
        case (401, nil), (403, nil): response.text.isEmpty
        case (404, _): response.json["detail"] as? String == "There is no such team."
        default: false
        }
    }

    func credential(_ caller: Caller, _ fixture: IdentityFixture) -> APIClient.Credential {
        switch caller {
        case .anonymous: .none
        case .other, .member, .owner, .admin: fixture.session(caller.rawValue)
        case .readToken: .bearer(fixture.tokens["read"]!)
        case .writeToken: .bearer(fixture.tokens["write"]!)
        case .adminToken: .bearer(fixture.tokens["admin"]!)
        }
    }

    func fill(_ path: String, _ fixture: IdentityFixture) -> String {
        path.replacing("{teamID}", with: fixture.alpha.id.uuidString.lowercased())
            .replacing("{userID}", with: fixture.user("victim").id.uuidString.lowercased())
            .replacing("{tokenID}", with: UUID().uuidString.lowercased())
            .replacing("{inviteID}", with: UUID().uuidString.lowercased())
            .replacing("{code}", with: fixture.inviteCode)
            .replacing("{deviceID}", with: "AAAAAAAAAAAAAAAAAAAAAA")
            .replacing("{uploadID}", with: "AAAAAAAAAAAAAAAAAAAAAA")
            .replacing("{dropID}", with: "AAAAAAAAAAAAAAAAAAAAAA")
            .replacing("{pairingID}", with: "AAAAAAAAAAAAAAAAAAAAAA")
            .replacing("{index}", with: "0")
    }
}
