import Logging
import NIOCore
import NIOPosix
import SQLiteKit

/// A few SQLite connections to one file. WAL mode lets readers run beside the one writer, so a
/// pool serves concurrent requests; writers queue on SQLite's own lock (`busy_timeout`).
actor SQLiteConnectionPool {
    private var idle: [SQLiteConnection]
    private var waiters: [CheckedContinuation<SQLiteConnection, Never>] = []
    private let all: [SQLiteConnection]
    private let threadPool: NIOThreadPool

    /// Opens `size` connections and sets each one up: WAL, foreign keys, a busy timeout.
    static func open(path: String, size: Int, busyTimeoutMilliseconds: Int, logger: Logger) async throws
        -> SQLiteConnectionPool
    {
        // A private thread pool: SQLite calls block, and a writer waiting on the lock must not
        // starve readers of threads shared with the rest of the process.
        let threadPool = NIOThreadPool(numberOfThreads: max(2, size))
        threadPool.start()
        var connections: [SQLiteConnection] = []
        do {
            for _ in 0..<max(1, size) {
                let connection = try await SQLiteConnection.open(
                    storage: .file(path: path), threadPool: threadPool, logger: logger,
                    on: MultiThreadedEventLoopGroup.singleton.any())
                connections.append(connection)
                for pragma in [
                    "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)",
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA foreign_keys = ON",
                    // With WAL, NORMAL keeps the file consistent after a crash; the last
                    // transactions may roll back on power loss, never corrupt.
                    "PRAGMA synchronous = NORMAL",
                ] {
                    _ = try await connection.query(pragma)
                }
            }
        } catch {
            for connection in connections { try? await connection.close() }
            try? await threadPool.shutdownGracefully()
            throw error
        }
        return SQLiteConnectionPool(connections: connections, threadPool: threadPool)
    }

    private init(connections: [SQLiteConnection], threadPool: NIOThreadPool) {
        self.idle = connections
        self.all = connections
        self.threadPool = threadPool
    }

    func acquire() async -> SQLiteConnection {
        if let connection = idle.popLast() { return connection }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func release(_ connection: SQLiteConnection) {
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }

    func close() async {
        for connection in all { try? await connection.close() }
        try? await threadPool.shutdownGracefully()
    }
}
