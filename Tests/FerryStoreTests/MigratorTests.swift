import Foundation
import SQLKit
import Testing

@testable import FerryStore

@Suite struct MigratorTests {
    @Test(arguments: TestBackend.available)
    func migratesFromEmptyAndRerunsAsNoOp(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend, migrated: false) { database in
            let migrator = Migrator()
            #expect(try await migrator.currentVersion(of: database) == 0)
            let applied = try await migrator.migrate(database)
            #expect(applied == Array(1...migrator.latestVersion))
            #expect(try await migrator.currentVersion(of: database) == migrator.latestVersion)
            #expect(try await migrator.migrate(database).isEmpty)
            // The tables exist and are empty.
            #expect(try await IdentityStore(database: database).countUsers() == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func refusesASchemaNewerThanItKnows(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await database.withConnection { sql in
                try await sql.raw(
                    "INSERT INTO ferry_schema (version, name, applied_at) VALUES (999, 'from the future', 0)"
                ).run()
            }
            let migrator = Migrator()
            await #expect(throws: StoreError.schemaTooNew(found: 999, supported: migrator.latestVersion)) {
                try await migrator.migrate(database)
            }
            await #expect(throws: StoreError.schemaTooNew(found: 999, supported: migrator.latestVersion)) {
                try await migrator.checkCompatible(database)
            }
        }
    }

    /// Two processes starting at once (the server and a CLI command) apply each step once.
    @Test(arguments: TestBackend.available)
    func concurrentMigratorsApplyEachStepOnce(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend, migrated: false) { database in
            let other = try await TestDatabase.reopen(database)
            async let first = Migrator().migrate(database)
            async let second = Migrator().migrate(other)
            let applied = try await first + second
            await other.close()
            #expect(applied.sorted() == Array(1...Migrator().latestVersion))
            let rows = try await database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM ferry_schema").first()?.int("n")
            }
            #expect(rows == Migrator().latestVersion)
        }
    }

    /// A failing step leaves nothing of itself behind.
    @Test(arguments: TestBackend.available)
    func aFailingStepIsRolledBack(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend, migrated: false) { database in
            let broken = Migrator(
                migrations: Schema.migrations + [
                    Migration(version: Schema.migrations.count + 1, name: "broken") { _ in
                        ["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"]
                    }
                ])
            await #expect(throws: (any Error).self) { try await broken.migrate(database) }
            let version = try await Migrator().currentVersion(of: database)
            #expect(version == Schema.migrations.count)
            await #expect(throws: (any Error).self) {
                try await database.withConnection { sql in try await sql.raw("SELECT * FROM half_done").run() }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func foreignKeysAreEnforced(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            await #expect(throws: (any Error).self) {
                try await database.withConnection { sql in
                    try await sql.raw(
                        """
                        INSERT INTO memberships (team_id, user_id, role, created_at)
                        VALUES ('no-team', 'no-user', 'member', 0)
                        """
                    ).run()
                }
            }
        }
    }

    @Test func sqliteRunsInWALMode() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let mode = try await database.withConnection { sql in
                try await sql.raw("PRAGMA journal_mode").first()?.string("journal_mode")
            }
            #expect(mode == "wal")
        }
    }

    @Test func databaseLocationsParse() throws {
        #expect(try DatabaseLocation(parsing: "sqlite:/tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
        let postgres = try PostgresLocation(url: "postgres://ann:s%40cret@db.local:6543/ferry?sslmode=require")
        #expect(postgres.host == "db.local")
        #expect(postgres.port == 6543)
        #expect(postgres.username == "ann")
        #expect(postgres.password == "s@cret")
        #expect(postgres.database == "ferry")
        #expect(postgres.requiresTLS)
        #expect(!postgres.description.contains("cret"))
        let socket = try PostgresLocation(url: "postgresql://ann@localhost/ferry?host=/run/postgresql")
        #expect(socket.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(throws: StoreError.self) { try DatabaseLocation(parsing: "mysql://x@y/z") }
        #expect(throws: StoreError.self) { try DatabaseLocation(parsing: "postgres://db.local/ferry") }
        #expect(throws: StoreError.self) { try DatabaseLocation(parsing: "sqlite:") }
        #expect(throws: StoreError.self) { try DatabaseLocation(parsing: "postgres://a@b/c?sslmode=sometimes") }
    }

    @Test func anUnreachableServerFailsFast() async throws {
        // Port 9 (discard) on loopback: nothing listens there.
        let location = try DatabaseLocation(parsing: "postgres://ferry@127.0.0.1:9/ferry")
        await #expect(throws: (any Error).self) {
            let database = try await Database.open(location, logger: TestDatabase.logger, connectTimeout: .seconds(2))
            await database.close()
        }
    }
}
