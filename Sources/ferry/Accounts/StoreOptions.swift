import ArgumentParser
import FerryApp
import FerryStore
import Foundation
import Logging

/// Where the account commands find the store: the same `--data` and `--database` as `ferry serve`.
/// They open it directly, so they work whether the server runs or not (SQLite's WAL lets both in).
struct StoreOptions: ParsableArguments {
    @Option(help: "Folder of Ferry's database and files (env FERRY_DATA).")
    var data: String = Environment.string("FERRY_DATA") ?? "./data"

    @Option(
        name: .customLong("database"),
        help: "postgres://user:password@host:port/database or sqlite:PATH (env FERRY_DATABASE).")
    var databaseOption: String?

    var location: DatabaseLocation {
        get throws {
            guard let text = databaseOption ?? Environment.string("FERRY_DATABASE") else {
                return .defaultSQLite(dataDirectory: data)
            }
            do {
                return try DatabaseLocation(parsing: text)
            } catch {
                throw ValidationError("--database: \(error)")
            }
        }
    }

    /// Opens and migrates the store, runs `body` with the identity service, closes the store.
    /// `creating`: a missing SQLite file is made (the first admin, `migrate`); otherwise it is an
    /// error, since a command run from the wrong folder would work on a new, empty database the
    /// server never reads and say it succeeded.
    func withService<Result: Sendable>(
        migrating: Bool = true, creating: Bool = false, _ body: (IdentityService) async throws -> Result
    ) async throws -> Result {
        let location = try location
        if case .sqlite(let path) = location {
            guard creating || FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure(
                    message:
                        "no Ferry database at \(path). Run this where `ferry serve` runs, or give its --data (or --database); `ferry admin create` makes a new one."
                )
            }
            // Private: the database holds password hashes and the audit log (as the blobs are).
            try FileManager.default.createDirectory(
                atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var logger = Logger(label: "ferry.store")
        logger.logLevel = .warning
        let database = try await Database.open(location, logger: logger)
        do {
            if migrating { try await Migrator().migrate(database) }
            var configuration = IdentityConfiguration()
            configuration.passwordParameters = try PasswordCost.parameters(
                PasswordCost.configured, option: "FERRY_PASSWORD_COST")
            let service = IdentityService(store: IdentityStore(database: database), configuration: configuration)
            let result = try await body(service)
            await database.close()
            return result
        } catch {
            await database.close()
            throw CommandFailure(error)
        }
    }
}
