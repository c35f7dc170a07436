import Foundation
import SQLKit

/// Brings a database to the newest schema this build knows, one transaction per step, and refuses
/// to touch a database migrated by a newer build.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration] = Schema.migrations) {
        precondition(
            migrations.map(\.version) == Array(1...migrations.count), "migrations are numbered 1, 2, 3, … in order")
        self.migrations = migrations
    }

    /// The newest version this build knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// The version the database is at (0 when it is empty).
    public func currentVersion(of database: Database) async throws -> Int {
        try await database.withConnection { sql in
            try await Self.createVersionTable(sql)
            return try await Self.version(sql)
        }
    }

    /// Applies every pending step; returns the versions applied (empty when already current).
    @discardableResult
    public func migrate(_ database: Database) async throws -> [Int] {
        var applied: [Int] = []
        let backend = database.backend
        let latest = latestVersion
        while true {
            // One step per transaction, each re-reading the version under the lock, so two
            // processes starting at once (the server and a CLI command) never apply a step twice.
            let step: Int? = try await database.transaction { sql in
                // The lock comes first: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against
                // itself running at the same moment.
                if backend == .postgres {
                    try await sql.raw("SELECT pg_advisory_xact_lock(7312604)").run()
                }
                try await Self.createVersionTable(sql)
                let current = try await Self.version(sql)
                guard current <= latest else { throw StoreError.schemaTooNew(found: current, supported: latest) }
                guard current < latest else { return nil }
                let migration = migrations[current]
                for statement in migration.statements(backend) {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try await sql.raw(
                    """
                    INSERT INTO ferry_schema (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: now))
                    """
                ).run()
                return migration.version
            }
            guard let step else { return applied }
            applied.append(step)
        }
    }

    /// Throws ``StoreError/schemaTooNew(found:supported:)`` unless the database is at most at
    /// this build's version.
    public func checkCompatible(_ database: Database) async throws {
        let current = try await currentVersion(of: database)
        if current > latestVersion { throw StoreError.schemaTooNew(found: current, supported: latestVersion) }
    }

    private static func createVersionTable(_ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            CREATE TABLE IF NOT EXISTS ferry_schema (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
            """
        ).run()
    }

    private static func version(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT MAX(version) AS version FROM ferry_schema").first()?
            .decode(column: "version", as: Int?.self) ?? 0
    }
}
