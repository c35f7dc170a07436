import Foundation
import Testing

@testable import FerryStore

/// The commit marker lets the signalling job skip its once-a-second identity query; it must move
/// with every commit, also one made by another process, and only then.
@Suite struct CommitMarkerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func movesWithEveryCommitOfAnyProcessAndOnlyThen() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let store = IdentityStore(database: database)
            let first = try #require(database.commitMarker(), "a WAL database has a marker")
            _ = try await store.version()
            _ = try await store.countUsers()
            #expect(database.commitMarker() == first, "reads commit nothing")

            _ = try await store.createUser(
                NewUser(email: "ann@example.org", displayName: "Ann", passwordHash: "h", isAdmin: false),
                now: now, audit: AuditEntry("user-created"))
            let afterOwnWrite = try #require(database.commitMarker())
            #expect(afterOwnWrite != first)

            // A second handle on the file stands in for the CLI, another process.
            let other = try await TestDatabase.reopen(database)
            _ = try await IdentityStore(database: other).createUser(
                NewUser(email: "bob@example.org", displayName: "Bob", passwordHash: "h", isAdmin: false),
                now: now, audit: AuditEntry("user-created"))
            await other.close()
            let afterOtherWrite = try #require(database.commitMarker())
            #expect(afterOtherWrite != afterOwnWrite, "a commit by another connection moves the marker")
            #expect(database.commitMarker() == afterOtherWrite, "and it stays while nothing commits")
        }
    }

    @Test func isAbsentWithoutAWriteAheadLog() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-none-\(UUID())").path
        #expect(CommitMarker.read(sqliteDatabaseAt: path) == nil)
    }
}
