import Crypto
import FerryApp
import FerryServer
import Foundation
import Testing

/// Drops through the live server, with a clock the tests move: a drop's life from upload to
/// sweep, downloads over HTTP/1.1 and HTTP/2 (curl) with ranges, expiry by time, revocation
/// between two ranges of one download, and the audit log.
@Suite("Drops, live", .serialized)
struct LiveDropTests {
    /// A member's drop of one file, made through the tus endpoint and the drops API.
    struct MadeDrop {
        var id: String
        var proof: String
        var content: [UInt8]
        var uploadID: String
    }

    static func verifierFor(_ proof: String) -> String {
        Data(SHA256.hash(data: Data(base64URL: proof)!)).base64URLEncoded()
    }

    func makeDrop(_ fixture: IdentityFixture, bytes: Int, maxDownloads: Int? = nil) async throws -> MadeDrop {
        let member = fixture.session("member")
        // ASCII, so the test client can send it as text.
        let content = (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) & 0x7f }
        let created = try await fixture.client.send(
            "POST", "/api/v1/uploads", body: nil, as: member,
            headers: ["Tus-Resumable": "1.0.0", "Upload-Length": String(bytes)])
        #expect(created.status == 201, "\(created.text)")
        let location = try #require(created.header("Location"))
        // Two chunks: the first half, then the rest.
        for (offset, chunk) in [(0, content[..<(bytes / 2)]), (bytes / 2, content[(bytes / 2)...])] {
            let patched = try await fixture.client.send(
                "PATCH", location, body: String(decoding: chunk, as: Unicode.ASCII.self), as: member,
                headers: [
                    "Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": String(offset),
                ])
            #expect(patched.status == 204 && patched.header("Tus-Resumable") == "1.0.0", "\(patched.text)")
            #expect(patched.header("Upload-Offset") == String(offset + chunk.count))
        }
        let proof = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64URLEncoded()
        let metadata = Data(repeating: 1, count: 1052).base64URLEncoded()
        let limit = maxDownloads.map { #","maxDownloads":\#($0)"# } ?? ""
        let uploadID = String(location.split(separator: "/").last!)
        let made = try await fixture.client.send(
            "POST", "/api/v1/drops",
            json:
                #"{"verifier":"\#(Self.verifierFor(proof))","metadata":"\#(metadata)","files":["\#(uploadID)"]\#(limit)}"#,
            as: member)
        #expect(made.status == 201, "\(made.text)")
        return MadeDrop(
            id: try #require(made.json["id"] as? String), proof: proof, content: content, uploadID: uploadID)
    }

    func open(_ fixture: IdentityFixture, _ drop: MadeDrop) async throws -> RawResponse {
        try await fixture.client.send(
            "POST", "/api/v1/drops/\(drop.id)/open", body: nil, headers: ["Ferry-Drop-Proof": drop.proof])
    }

    @Test("a drop's life: served over both protocols, expired by time, swept with its bytes, remembered, forgotten")
    func lifeOfADrop() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let drop = try await makeDrop(fixture, bytes: 300_000)
        let blobs = fixture.live.dataDirectory + "/blobs"
        #expect(FileManager.default.fileExists(atPath: blobs + "/" + drop.uploadID))

        let opened = try await open(fixture, drop)
        #expect(opened.status == 200, "\(opened.text)")
        let ticket = try #require(opened.json["ticket"] as? String)
        let file = "http://127.0.0.1:\(fixture.live.port)/api/v1/drops/\(drop.id)/files/0"
        let headers = ["-H", "Ferry-Drop-Proof: \(drop.proof)", "-H", "Ferry-Drop-Ticket: \(ticket)"]
        for version in ["--http1.1", "--http2-prior-knowledge"] {
            let whole = await CurlClient.run([version] + headers + [file])
            #expect(Array(whole.output) == drop.content, "\(version) \(whole.errors)")
            let range = await CurlClient.run([version, "-r", "1000-1999"] + headers + [file])
            #expect(Array(range.output) == Array(drop.content[1000..<2000]), "\(version)")
        }
        // Without the ticket, or with a wrong proof: nothing.
        let noTicket = try await fixture.client.send(
            "GET", "/api/v1/drops/\(drop.id)/files/0", body: nil, headers: ["Ferry-Drop-Proof": drop.proof])
        #expect(noTicket.status == 403 && noTicket.problem == "drop-ticket-refused")

        fixture.clock.advance(by: 7 * 24 * 3600 + 1)
        let expired = try await fixture.client.send("GET", "/api/v1/drops/\(drop.id)", body: nil)
        #expect(expired.status == 410 && expired.problem == "drop-expired")
        let late = await CurlClient.run(["-w", "%{http_code}", "-o", "/dev/null"] + headers + [file])
        #expect(late.text == "410")

        let report = try await fixture.live.server.drops.sweep(now: fixture.clock.now)
        #expect(report == SweepReport(uploads: 0, drops: 1, orphans: 0))
        #expect(!FileManager.default.fileExists(atPath: blobs + "/" + drop.uploadID), "the bytes are gone")
        #expect(!FileManager.default.fileExists(atPath: blobs + "/" + drop.id + ".meta"))
        // The link still says why it ended, and the owner's list no longer shows it.
        let swept = try await fixture.client.send("GET", "/api/v1/drops/\(drop.id)", body: nil)
        #expect(swept.status == 410 && swept.problem == "drop-expired")
        let member = try await fixture.service.signIn(
            email: "member@example.org", password: IdentityFixture.password, replacing: nil,
            context: ActionContext(principal: nil, clientAddress: "later", now: fixture.clock.now))
        let listed = try await fixture.client.send(
            "GET", "/api/v1/drops", body: nil, as: .session(member.sessionToken, origin: fixture.client.origin))
        #expect(listed.status == 200 && !listed.text.contains(drop.id), "\(listed.text)")
        let reopened = try await open(fixture, drop)
        #expect(reopened.status == 410 && reopened.problem == "drop-expired")

        // Forgotten once it has been swept for the ended-drop memory (30 days by default).
        fixture.clock.advance(by: 30 * 24 * 3600)
        let forgetting = try await fixture.live.server.drops.sweep(now: fixture.clock.now)
        #expect(forgetting == SweepReport(forgotten: 1))
        let gone = try await fixture.client.send("GET", "/api/v1/drops/\(drop.id)", body: nil)
        #expect(gone.status == 404 && gone.problem == "not-found")
    }

    @Test("revocation stops a download between two ranges; deletion removes the bytes at once")
    func revocationAndDeletion() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let drop = try await makeDrop(fixture, bytes: 100_000)
        let ticket = try #require(try await open(fixture, drop).json["ticket"] as? String)
        let range: (String) async throws -> RawResponse = { range in
            try await fixture.client.send(
                "GET", "/api/v1/drops/\(drop.id)/files/0", body: nil,
                headers: ["Ferry-Drop-Proof": drop.proof, "Ferry-Drop-Ticket": ticket, "Range": range])
        }
        #expect(try await range("bytes=0-49999").status == 206)
        let revoked = try await fixture.client.send(
            "POST", "/api/v1/drops/\(drop.id)/revoke", body: nil, as: fixture.session("member"))
        #expect(revoked.status == 200 && revoked.json["state"] as? String == "revoked")
        let next = try await range("bytes=50000-99999")
        #expect(next.status == 410 && next.problem == "drop-revoked")
        // Someone else cannot delete it; its owner can, and the bytes go with the answer.
        let foreign = try await fixture.client.send(
            "DELETE", "/api/v1/drops/\(drop.id)", body: nil, as: fixture.session("owner"))
        #expect(foreign.status == 404)
        let deleted = try await fixture.client.send(
            "DELETE", "/api/v1/drops/\(drop.id)", body: nil, as: fixture.session("member"))
        #expect(deleted.status == 204)
        #expect(!FileManager.default.fileExists(atPath: fixture.live.dataDirectory + "/blobs/" + drop.uploadID))
        let actions = try await fixture.service.store.auditEvents(limit: 20).map(\.action)
        #expect(actions.prefix(3) == ["drop.delete", "drop.revoke", "drop.create"])
    }

    @Test("a download is counted once per ticket; the limit holds")
    func countingWithTickets() async throws {
        let fixture = try await IdentityFixture.start()
        defer { Task { await fixture.stop() } }
        let drop = try await makeDrop(fixture, bytes: 1000, maxDownloads: 2)
        let first = try await open(fixture, drop)
        let ticket = try #require(first.json["ticket"] as? String)
        // Resuming with the ticket: the same ticket, not counted.
        let resumed = try await fixture.client.send(
            "POST", "/api/v1/drops/\(drop.id)/open", body: nil,
            headers: ["Ferry-Drop-Proof": drop.proof, "Ferry-Drop-Ticket": ticket])
        #expect(resumed.json["ticket"] as? String == ticket)
        #expect(try await open(fixture, drop).status == 200)
        let third = try await open(fixture, drop)
        #expect(third.status == 410 && third.problem == "drop-exhausted")
        let listed = try await fixture.client.send("GET", "/api/v1/drops", body: nil, as: fixture.session("member"))
        let drops = try #require(listed.json["drops"] as? [[String: Any]])
        #expect(drops.first?["downloads"] as? Int == 2 && drops.first?["state"] as? String == "exhausted")
        // The first downloader still finishes.
        let file = try await fixture.client.send(
            "GET", "/api/v1/drops/\(drop.id)/files/0", body: nil,
            headers: ["Ferry-Drop-Proof": drop.proof, "Ferry-Drop-Ticket": ticket])
        #expect(file.status == 200 && file.body == drop.content)
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
