import Foundation
import Testing

@testable import FerryStore

/// Drops and uploads on both stores: quotas at their boundaries, uploads consumed exactly once,
/// download counting exact under concurrency, tickets, and what the sweeper may take.
@Suite struct DropStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func people(_ database: Database) async throws -> (ann: User, bob: User, carol: User) {
        let identity = IdentityStore(database: database)
        var made: [User] = []
        for name in ["ann", "bob", "carol"] {
            made.append(
                try await identity.createUser(
                    NewUser(email: "\(name)@example.org", displayName: name, passwordHash: "h"), now: now,
                    audit: AuditEntry("user-created")))
        }
        // Ann and Bob share a team; Carol is alone.
        let team = try await identity.createTeam(name: "Design", ownerID: made[0].id, now: now, audit: AuditEntry("t"))
        _ = try await identity.addMember(made[1].id, to: team.id, role: .member, now: now, audit: AuditEntry("m"))
        return (made[0], made[1], made[2])
    }

    func upload(_ id: String, _ user: User, _ length: Int64, offset: Int64? = nil) -> Upload {
        Upload(
            id: id, userID: user.id, length: length, offset: offset ?? length, createdAt: now,
            expiresAt: now.addingTimeInterval(3600))
    }

    /// Quotas that never bind, for the tests about something else.
    let roomy = StorageLimits(userQuota: 1 << 40, teamQuota: 1 << 40)

    func drop(_ id: String, _ user: User, maxDownloads: Int? = nil, metadata: Int = 1052) -> Drop {
        Drop(
            id: id, userID: user.id, verifier: "v", passwordSalt: nil, passwordIterations: nil, size: 0, fileCount: 0,
            metadataSize: metadata, createdAt: now, expiresAt: now.addingTimeInterval(600), maxDownloads: maxDownloads)
    }

    @Test(arguments: TestBackend.available)
    func quotasHoldAtTheirBoundaries(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = DropStore(database: database)
            let (ann, bob, carol) = try await people(database)
            let limits = StorageLimits(userQuota: 100, teamQuota: 150)
            try await store.createUpload(upload("a1", ann, 60), limits: limits)
            // The refusal says what was left: 40 of 100.
            await #expect(throws: StoreError.quotaExceeded(team: false, left: 40, quota: 100)) {
                try await store.createUpload(upload("a2", ann, 41), limits: limits)
            }
            try await store.createUpload(upload("a2", ann, 40), limits: limits)  // exactly the user quota
            await #expect(throws: StoreError.quotaExceeded(team: false, left: 0, quota: 100)) {
                try await store.createUpload(upload("a3", ann, 1), limits: limits)
            }
            try await store.createUpload(upload("b1", bob, 50), limits: limits)  // the team is at 150
            await #expect(throws: StoreError.quotaExceeded(team: true, left: 0, quota: 150)) {
                try await store.createUpload(upload("b2", bob, 1), limits: limits)
            }
            try await store.createUpload(upload("c1", carol, 100), limits: limits)  // another team's bytes don't count
            #expect(try await store.upload(id: "a3") == nil)
            #expect(try await store.bytesHeld(by: ann.id) == 100)
            // A drop made of uploads holds the same bytes: the quota does not move, but its sealed
            // metadata is new and counts.
            await #expect(throws: StoreError.quotaExceeded(team: false, left: 0, quota: 100)) {
                _ = try await store.createDrop(
                    drop("d0", ann, metadata: 1), uploads: ["a1", "a2"], limits: limits,
                    audit: AuditEntry("drop.create"))
            }
            _ = try await store.createDrop(
                drop("d1", ann, metadata: 0), uploads: ["a1", "a2"], limits: limits, audit: AuditEntry("drop.create"))
            #expect(try await store.bytesHeld(by: ann.id) == 100)
            _ = try await store.deleteDrop(id: "d1", userID: ann.id, now: now, audit: nil)
            // A text drop (no files) is all metadata: up to the quota, and not a byte more after it.
            _ = try await store.createDrop(
                drop("t1", ann, metadata: 100), uploads: [], limits: limits, audit: AuditEntry("drop.create"))
            #expect(try await store.bytesHeld(by: ann.id) == 100)
            await #expect(throws: StoreError.quotaExceeded(team: false, left: 0, quota: 100)) {
                try await store.createUpload(upload("a5", ann, 1), limits: limits)
            }
            await #expect(throws: StoreError.quotaExceeded(team: true, left: 0, quota: 150)) {
                _ = try await store.createDrop(
                    drop("t2", bob, metadata: 1), uploads: [], limits: limits, audit: AuditEntry("drop.create"))
            }
            _ = try await store.deleteDrop(id: "t1", userID: ann.id, now: now, audit: nil)
            try await store.createUpload(upload("a4", ann, 100), limits: limits)
        }
    }

    @Test(arguments: TestBackend.available)
    func aDropConsumesCompleteUploadsOnce(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = DropStore(database: database)
            let (ann, bob, _) = try await people(database)
            let limits = StorageLimits(userQuota: 1 << 40, teamQuota: 1 << 40)
            try await store.createUpload(upload("u1", ann, 10), limits: limits)
            try await store.createUpload(upload("u2", ann, 20, offset: 5), limits: limits)
            try await store.createUpload(upload("b1", bob, 10), limits: limits)
            var part = upload("p1", ann, 3)
            part.concatenation = .partial
            try await store.createUpload(part, limits: limits)
            for uploads in [["u1", "u2"], ["u1", "b1"], ["u1", "p1"]] {
                await #expect(throws: StoreError.uploadNotReady) {
                    _ = try await store.createDrop(
                        drop("x", ann), uploads: uploads, limits: roomy, audit: AuditEntry("drop.create"))
                }
            }
            #expect(try await store.upload(id: "u1") != nil, "a refused drop consumes nothing")
            let made = try await store.createDrop(
                drop("d", ann), uploads: ["u1"], limits: roomy, audit: AuditEntry("drop.create"))
            #expect(made.size == 10 && made.fileCount == 1)
            #expect(try await store.files(of: "d") == [DropFile(position: 0, blobID: "u1", size: 10)])
            await #expect(throws: StoreError.uploadNotReady) {
                _ = try await store.createDrop(
                    drop("d2", ann), uploads: ["u1"], limits: roomy, audit: AuditEntry("drop.create"))
            }
            // Parts join into a final upload in one step.
            var final = upload("f", ann, 3)
            final.concatenation = .final
            try await store.joinUploads(["p1"], into: final)
            #expect(try await store.upload(id: "p1") == nil)
            #expect(try await store.upload(id: "f")?.isComplete == true)
        }
    }

    @Test(arguments: TestBackend.available)
    func aDropLimitedToNOpensExactlyNTimes(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = DropStore(database: database)
            let (ann, _, _) = try await people(database)
            _ = try await store.createDrop(
                drop("d", ann, maxDownloads: 5), uploads: [], limits: roomy, audit: AuditEntry("drop.create"))
            let now = self.now
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for attempt in 0..<24 {
                    group.addTask {
                        do {
                            _ = try await store.open(
                                dropID: "d", ticketHash: "t\(attempt)", ticketExpiresAt: now.addingTimeInterval(60),
                                now: now)
                            return true
                        } catch {
                            #expect(error as? StoreError == .dropUnavailable(.exhausted))
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 5)
            #expect(try await store.drop(id: "d")?.downloads == 5)
            // Tickets of counted downloads stay valid; others do not exist.
            let valid = try await (0..<24).asyncFilter {
                try await store.ticketExpiry(ticketHash: "t\($0)", dropID: "d", now: now) != nil
            }
            #expect(valid.count == 5)
            // Used up with live tickets: not yet for the sweeper; once they expire, it is.
            #expect(try await store.finishedDrops(now: now, limit: 10).isEmpty)
            #expect(try await store.finishedDrops(now: now.addingTimeInterval(61), limit: 10) == ["d"])
        }
    }

    @Test(arguments: TestBackend.available)
    func revokedAndExpiredDropsStopAtOnce(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = DropStore(database: database)
            let (ann, bob, _) = try await people(database)
            _ = try await store.createDrop(drop("r", ann), uploads: [], limits: roomy, audit: AuditEntry("drop.create"))
            _ = try await store.createDrop(drop("e", ann), uploads: [], limits: roomy, audit: AuditEntry("drop.create"))
            _ = try await store.open(
                dropID: "r", ticketHash: "tr", ticketExpiresAt: now.addingTimeInterval(60), now: now)
            await #expect(throws: StoreError.notFound) {
                _ = try await store.revokeDrop(id: "r", userID: bob.id, now: now, audit: AuditEntry("drop.revoke"))
            }
            _ = try await store.revokeDrop(id: "r", userID: ann.id, now: now, audit: AuditEntry("drop.revoke"))
            #expect(try await store.ticketExpiry(ticketHash: "tr", dropID: "r", now: now) == nil)
            await #expect(throws: StoreError.dropUnavailable(.revoked)) {
                _ = try await store.open(dropID: "r", ticketHash: "x", ticketExpiresAt: now, now: now)
            }
            let later = now.addingTimeInterval(600)
            await #expect(throws: StoreError.dropUnavailable(.expired)) {
                _ = try await store.open(dropID: "e", ticketHash: "y", ticketExpiresAt: later, now: later)
            }
            #expect(try await Set(store.finishedDrops(now: later, limit: 10)) == ["r", "e"])
            #expect(try await store.finishedDrops(now: later, limit: 1).count == 1, "bounded per run")
            let audit = try await IdentityStore(database: database).auditEvents(teamID: nil, before: nil, limit: 50)
            #expect(
                audit.filter { $0.action.hasPrefix("drop.") }.map(\.action).sorted() == [
                    "drop.create", "drop.create", "drop.revoke",
                ])
        }
    }

    @Test(arguments: TestBackend.available)
    func aSweptDropIsRememberedWithoutItsFilesThenForgotten(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let store = DropStore(database: database)
            let (ann, bob, _) = try await people(database)
            try await store.createUpload(upload("u1", ann, 40), limits: roomy)
            _ = try await store.createDrop(
                drop("s", ann, maxDownloads: 1, metadata: 10), uploads: ["u1"], limits: roomy,
                audit: AuditEntry("drop.create"))
            _ = try await store.open(
                dropID: "s", ticketHash: "ts", ticketExpiresAt: now.addingTimeInterval(60), now: now)
            #expect(try await store.bytesHeld(by: ann.id) == 50)
            #expect(try await store.knowsBlob("s"))
            #expect(try await store.knowsBlob("u1"))

            // Used up, its ticket expired: the sweeper takes the files and keeps the record.
            let later = now.addingTimeInterval(120)
            #expect(try await store.finishedDrops(now: later, limit: 10) == ["s"])
            #expect(try await store.sweepDrop(id: "s", now: later) == ["u1"])
            await #expect(throws: StoreError.notFound) { _ = try await store.sweepDrop(id: "s", now: later) }
            let swept = try #require(try await store.drop(id: "s"))
            #expect(swept.sweptAt == later)
            #expect(swept.state(at: later) == .exhausted)
            #expect(swept.servable(at: later) == .exhausted, "no files to resume a download from")
            #expect(try await store.files(of: "s").isEmpty)
            #expect(try await store.finishedDrops(now: later, limit: 10).isEmpty)
            #expect(try await store.bytesHeld(by: ann.id) == 0)
            #expect(try await store.drops(of: ann.id).isEmpty)
            #expect(try await !store.knowsBlob("s"), "an orphan of its metadata may be swept")
            #expect(try await !store.knowsBlob("u1"))
            // Its owner can no longer revive it: there is nothing to serve.
            await #expect(throws: StoreError.dropUnavailable(.exhausted)) {
                _ = try await store.updateDrop(
                    id: "s", userID: ann.id, expiresAt: nil, maxDownloads: .some(5), now: later)
            }
            await #expect(throws: StoreError.dropUnavailable(.exhausted)) {
                _ = try await store.open(dropID: "s", ticketHash: "t2", ticketExpiresAt: later, now: later)
            }
            // Past its expiry it still says why it ended (used up, not expired), and it cannot be
            // revoked then: it serves nothing already, and nothing is written.
            let pastExpiry = now.addingTimeInterval(3600)
            #expect(try await store.drop(id: "s")?.state(at: pastExpiry) == .exhausted)
            #expect(try await store.drop(id: "s")?.servable(at: pastExpiry) == .exhausted)
            await #expect(throws: StoreError.dropUnavailable(.exhausted)) {
                _ = try await store.revokeDrop(
                    id: "s", userID: ann.id, now: pastExpiry, audit: AuditEntry("drop.revoke"))
            }
            await #expect(throws: StoreError.notFound, "not another owner's") {
                _ = try await store.revokeDrop(
                    id: "s", userID: bob.id, now: pastExpiry, audit: AuditEntry("drop.revoke"))
            }
            #expect(try await store.drop(id: "s")?.revokedAt == nil)
            let revokes = try await IdentityStore(database: database).auditEvents(teamID: nil, before: nil, limit: 50)
                .filter { $0.action == "drop.revoke" }
            #expect(revokes.isEmpty)

            // A drop chosen for the sweep and extended by its owner before the sweep reached it
            // keeps its files.
            _ = try await store.createDrop(drop("x", ann), uploads: [], limits: roomy, audit: AuditEntry("drop.create"))
            let expired = now.addingTimeInterval(601)
            #expect(try await store.finishedDrops(now: expired, limit: 10) == ["x"])
            _ = try await store.updateDrop(
                id: "x", userID: ann.id, expiresAt: expired.addingTimeInterval(3600), maxDownloads: nil, now: expired)
            await #expect(throws: StoreError.notFound) { _ = try await store.sweepDrop(id: "x", now: expired) }
            #expect(try await store.drop(id: "x")?.sweptAt == nil)
            #expect(try await store.drop(id: "x")?.servable(at: expired) == nil)

            // Forgotten once swept for longer than the memory; not a moment before.
            #expect(try await store.forgetSweptDrops(before: later.addingTimeInterval(-1), limit: 10) == 0)
            #expect(try await store.forgetSweptDrops(before: later, limit: 10) == 1)
            #expect(try await store.drop(id: "s") == nil)
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncFilter(_ keep: (Element) async throws -> Bool) async rethrows -> [Element] {
        var kept: [Element] = []
        for element in self where try await keep(element) { kept.append(element) }
        return kept
    }
}
