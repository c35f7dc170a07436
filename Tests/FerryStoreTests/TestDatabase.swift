import Foundation
import Logging
import Testing

@testable import FerryStore

/// The backends the store's tests run against: SQLite always, PostgreSQL when the test command
/// started a throw-away server and exported its URL in `FERRY_TEST_POSTGRES_URL`.
enum TestBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["FERRY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var available: [TestBackend] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    var testDescription: String { rawValue }
}

/// A fresh, empty database for one test: a new SQLite file, or a new PostgreSQL database that is
/// dropped afterwards.
enum TestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "ferry.store.test")
        logger.logLevel = .warning
        return logger
    }()

    @discardableResult
    static func with<Result: Sendable>(
        _ backend: TestBackend, migrated: Bool = true, _ body: (Database) async throws -> Result
    ) async throws -> Result {
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "ferry-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = try await Database.open(
                .sqlite(path: directory.appendingPathComponent("ferry.sqlite").path), logger: logger)
            return try await run(database, migrated: migrated, body)
        case .postgres:
            let url = try #require(TestBackend.postgresURL, "FERRY_TEST_POSTGRES_URL is not set")
            let name = "ferry_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
            let admin = try await Database.open(try DatabaseLocation(parsing: url), logger: logger)
            try await admin.withConnection { sql in try await sql.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            var location = try PostgresLocation(url: url)
            location.database = name
            do {
                let database = try await Database.open(.postgres(location), logger: logger)
                let result = try await run(database, migrated: migrated, body)
                try await admin.withConnection { sql in try await sql.raw("DROP DATABASE \(unsafeRaw: name)").run() }
                await admin.close()
                return result
            } catch {
                try? await admin.withConnection { sql in
                    try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                }
                await admin.close()
                throw error
            }
        }
    }

    /// Opens a second handle on the same database, as a second process would.
    static func reopen(_ database: Database) async throws -> Database {
        try await Database.open(database.location, logger: logger)
    }

    private static func run<Result: Sendable>(
        _ database: Database, migrated: Bool, _ body: (Database) async throws -> Result
    ) async throws -> Result {
        do {
            if migrated { try await Migrator().migrate(database) }
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}

@Suite struct TestBackendConfiguration {
    /// The test command asks for PostgreSQL; without a server the store would silently be tested
    /// on SQLite alone.
    @Test func postgresIsConfiguredWhenRequired() {
        if ProcessInfo.processInfo.environment["FERRY_TEST_REQUIRE_POSTGRES"] == "1" {
            #expect(TestBackend.postgresURL != nil, "FERRY_TEST_POSTGRES_URL must name the test server")
        }
    }
}

extension IdentityStore {
    /// A user made for a test: `NAME@example.org`, display name `Name`, a placeholder hash.
    func testUser(_ name: String, now: Date) async throws -> User {
        try await createUser(
            NewUser(email: "\(name.lowercased())@example.org", displayName: name, passwordHash: "h"), now: now,
            audit: AuditEntry("user-created"))
    }
}
