import FerryApp
import FerryStore
import Foundation
import Testing

/// A raised password cost (`ferry serve --password-cost`) on a store whose hashes were made at a
/// lower one: a real SQLite file, two services as two runs of the server would have.
@Suite("Identity: raising the password cost")
struct PasswordCostUpgradeTests {
    @Test("the first sign-in after the cost was raised succeeds and stores a hash at the new cost")
    func firstSignInAfterARaise() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-cost-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await Database.open(.sqlite(path: folder.appendingPathComponent("ferry.sqlite").path))
        defer { Task { await database.close() } }
        try await Migrator().migrate(database)
        let store = IdentityStore(database: database)
        let password = "correct horse battery"

        var before = IdentityConfiguration()
        before.passwordParameters = .testing
        _ = try await IdentityService(store: store, configuration: before).createUser(
            email: "ann@example.org", displayName: "Ann", password: password, isAdmin: false,
            context: .commandLine())
        let made = try #require(try await store.credentials(email: "ann@example.org")?.passwordHash)
        #expect(made.hasPrefix("$scrypt$ln=10,"))

        var after = IdentityConfiguration()
        after.passwordParameters = ScryptParameters(logN: 11)
        let raised = IdentityService(store: store, configuration: after)
        for attempt in 1...2 {
            let signedIn = try await raised.signIn(
                email: "ann@example.org", password: password, replacing: nil,
                context: ActionContext(principal: nil, clientAddress: "attempt-\(attempt)"))
            #expect(!signedIn.sessionToken.isEmpty)
            let stored = try #require(try await store.credentials(email: "ann@example.org")?.passwordHash)
            #expect(stored.hasPrefix("$scrypt$ln=11,"), "attempt \(attempt): \(stored)")
        }
        // Two sign-ins at once after a raise: the one that loses the upgrade still signs in.
        var again = IdentityConfiguration()
        again.passwordParameters = ScryptParameters(logN: 12)
        let raisedAgain = IdentityService(store: store, configuration: again)
        async let first = raisedAgain.signIn(
            email: "ann@example.org", password: password, replacing: nil,
            context: ActionContext(principal: nil, clientAddress: "together-1"))
        async let second = raisedAgain.signIn(
            email: "ann@example.org", password: password, replacing: nil,
            context: ActionContext(principal: nil, clientAddress: "together-2"))
        let both = try await [first, second]
        #expect(both.allSatisfy { !$0.sessionToken.isEmpty })
        let upgraded = try #require(try await store.credentials(email: "ann@example.org")?.passwordHash)
        #expect(upgraded.hasPrefix("$scrypt$ln=12,"))
        await #expect(throws: (any Error).self) {
            _ = try await raised.signIn(
                email: "ann@example.org", password: "not the password", replacing: nil,
                context: ActionContext(principal: nil, clientAddress: "attempt-3"))
        }
    }
}
