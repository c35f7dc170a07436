import Logging
import NIOCore
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit

/// One query layer over SQLite and PostgreSQL: a pool of connections, each handed out as an
/// SQLKit database for one unit of work.
public final class Database: Sendable {
    public let backend: DatabaseBackend
    public let location: DatabaseLocation
    private let driver: Driver
    /// SQLite only: reads the commit marker (``commitMarker()``).
    private let walIndex: WALIndexReader?
    let logger: Logger

    private enum Driver: Sendable {
        case sqlite(SQLiteConnectionPool)
        case postgres(PostgresClient, Task<Void, Never>)
    }

    /// Connections per SQLite file: enough for concurrent readers on two cores.
    public static let defaultSQLitePoolSize = 4
    /// How long a writer waits for SQLite's lock before failing.
    public static let sqliteBusyTimeoutMilliseconds = 5000

    private init(location: DatabaseLocation, backend: DatabaseBackend, driver: Driver, logger: Logger) {
        self.location = location
        self.backend = backend
        self.driver = driver
        self.logger = logger
        if case .sqlite(let path) = location {
            walIndex = WALIndexReader(databasePath: path)
        } else {
            walIndex = nil
        }
    }

    /// Opens the database and checks that it answers. Does not migrate; see ``Migrator``.
    public static func open(
        _ location: DatabaseLocation, logger: Logger = Logger(label: "ferry.store"),
        sqlitePoolSize: Int = defaultSQLitePoolSize, connectTimeout: Duration = .seconds(10)
    ) async throws -> Database {
        switch location {
        case .sqlite(let path):
            let pool = try await SQLiteConnectionPool.open(
                path: path, size: sqlitePoolSize, busyTimeoutMilliseconds: sqliteBusyTimeoutMilliseconds,
                logger: logger)
            return Database(location: location, backend: .sqlite, driver: .sqlite(pool), logger: logger)
        case .postgres(let server):
            var configuration: PostgresClient.Configuration
            let tls: PostgresClient.Configuration.TLS =
                server.requiresTLS ? .require(.makeClientConfiguration()) : .disable
            if let socket = server.unixSocketPath {
                configuration = PostgresClient.Configuration(
                    unixSocketPath: socket, username: server.username, password: server.password,
                    database: server.database)
            } else {
                configuration = PostgresClient.Configuration(
                    host: server.host, port: server.port, username: server.username, password: server.password,
                    database: server.database, tls: tls)
            }
            configuration.options.connectTimeout = connectTimeout
            configuration.options.maximumConnections = 16
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let runner = Task { await client.run() }
            let database = Database(
                location: location, backend: .postgres, driver: .postgres(client, runner), logger: logger)
            do {
                try await database.checkReachable(within: connectTimeout)
            } catch {
                await database.close()
                throw error
            }
            return database
        }
    }

    /// Fails fast with a clear error when the server cannot be reached, instead of letting the
    /// first request wait on the pool.
    private func checkReachable(within timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.withConnection { database in try await database.raw("SELECT 1").run() } }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw DatabaseUnreachable(location: self.location.description)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// A fingerprint of what has been committed, cheap to read, for pollers that want to skip a
    /// query when nothing changed: equal markers mean no commit in between, by this process or
    /// another. Nil where the backend has none (PostgreSQL) or it cannot be read: then query.
    public func commitMarker() -> CommitMarker? {
        walIndex?.marker()
    }

    /// Runs `body` on one connection from the pool.
    func withConnection<Result: Sendable>(
        _ body: @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        switch driver {
        case .sqlite(let pool):
            let connection = await pool.acquire()
            do {
                let result = try await body(connection.sql(queryLogLevel: nil))
                await pool.release(connection)
                return result
            } catch {
                await pool.release(connection)
                throw error
            }
        case .postgres(let client, _):
            return try await client.withConnection { connection in
                try await body(connection.sql(queryLogLevel: nil))
            }
        }
    }

    /// Runs `body` as one transaction: committed when it returns, rolled back when it throws.
    /// SQLite takes the write lock at the start (`BEGIN IMMEDIATE`), so two writers never
    /// deadlock upgrading read locks.
    func transaction<Result: Sendable>(
        _ body: @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        let begin = backend == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        return try await withConnection { database in
            try await database.raw(SQLQueryString(begin)).run()
            do {
                let result = try await body(database)
                try await database.raw("COMMIT").run()
                return result
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Runs one statement that returns no rows, for administration (creating a database for a
    /// test, say). Never pass it text from a request.
    public func execute(_ statement: String) async throws {
        try await withConnection { sql in try await sql.raw(SQLQueryString(statement)).run() }
    }

    /// Closes every connection.
    public func close() async {
        switch driver {
        case .sqlite(let pool):
            await pool.close()
            walIndex?.shutDown()  // after the pool: closing it drops this process's locks on the file
        case .postgres(_, let runner):
            runner.cancel()
            await runner.value
        }
    }
}

/// The PostgreSQL server did not answer in time.
public struct DatabaseUnreachable: Error, CustomStringConvertible {
    public var location: String
    public var description: String { "cannot connect to \(location)" }
}
