import Foundation

/// Where the store lives: an SQLite file (the embedded default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite database file, opened in WAL mode.
    case sqlite(path: String)
    /// A PostgreSQL server, from a `postgres://user:password@host:port/database` URL.
    case postgres(PostgresLocation)

    /// Parses `--database`: a `postgres://` or `postgresql://` URL, or `sqlite:PATH`.
    public init(parsing text: String) throws(StoreError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else {
                throw .invalidDatabaseURL("sqlite: needs a file path, as in sqlite:data/ferry.sqlite")
            }
            self = .sqlite(path: path)
            return
        }
        self = .postgres(try PostgresLocation(url: text))
    }

    /// The SQLite file inside a data directory: the default when no `--database` is given.
    public static func defaultSQLite(dataDirectory: String) -> DatabaseLocation {
        .sqlite(path: (dataDirectory as NSString).appendingPathComponent("ferry.sqlite"))
    }

    /// For logs: never shows a password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let location): location.description
        }
    }
}
