import Foundation
import Testing

@testable import FerryStore

/// Guest passes on both stores: saved, read back while live, deleted when they end, gone when
/// they expire and when their member is disabled.
@Suite struct GuestPassStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func pass(_ hash: String, of member: UUID, expiresIn seconds: TimeInterval) -> GuestPass {
        GuestPass(
            secretHash: hash, deviceID: "device-\(hash)", deviceName: "Guest \(hash)", publicKey: "key-\(hash)",
            memberID: member, memberName: "Ann", pairingID: "pairing-\(hash)",
            expiresAt: now.addingTimeInterval(seconds))
    }

    @Test(arguments: TestBackend.available)
    func passesLiveUntilTheyEndExpireOrLoseTheirMember(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let identity = IdentityStore(database: database)
            let passes = GuestPassStore(database: database)
            let ann = try await identity.testUser("Ann", now: now)
            let bob = try await identity.testUser("Bob", now: now)

            var kept = pass("A", of: ann.id, expiresIn: 3600)
            kept.label = "for Alice · ünïcode"
            try await passes.save(kept)
            try await passes.save(pass("B", of: ann.id, expiresIn: 60))
            try await passes.save(pass("C", of: bob.id, expiresIn: 3600))
            try await passes.save(pass("D", of: ann.id, expiresIn: 3600))
            #expect(try await passes.live(now: now).map(\.secretHash) == ["B", "A", "C", "D"])
            #expect(try await passes.live(now: now).first(where: { $0.secretHash == "A" }) == kept, "every field back")
            #expect(try await passes.live(now: now).first(where: { $0.secretHash == "B" })?.label == nil)

            // Ended: deleted (a hash that is not there is no error).
            try await passes.delete(secretHashes: ["D", "nothing"])
            // Expired: gone when read after its time, for good.
            let later = now.addingTimeInterval(120)
            #expect(try await passes.live(now: later).map(\.secretHash) == ["A", "C"])
            #expect(try await passes.live(now: now).map(\.secretHash) == ["A", "C"])

            // A disabled member's guests are not read back, and stay ended when the member returns.
            _ = try await identity.updateUser(
                id: bob.id, disabled: true, now: later, audit: [AuditEntry("user-disabled")])
            #expect(try await passes.live(now: later).map(\.secretHash) == ["A"])
            _ = try await identity.updateUser(
                id: bob.id, disabled: false, now: later, audit: [AuditEntry("user-enabled")])
            #expect(try await passes.live(now: later).map(\.secretHash) == ["A"])
        }
    }
}
