import Foundation

/// A PostgreSQL server as given by a URL. `host` may be a Unix socket directory (`?host=/run/postgresql`).
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// `sslmode=require` asks for TLS; the default on a team network is none (`disable`/`prefer`).
    public var requiresTLS: Bool

    /// The Unix socket path when `host` names a directory, as libpq does.
    public var unixSocketPath: String? {
        host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : nil
    }

    public init(url text: String) throws(StoreError) {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else {
            throw .invalidDatabaseURL("expected postgres://user:password@host:port/database or sqlite:PATH")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let host = query["host"] ?? components.host ?? ""
        guard !host.isEmpty else { throw .invalidDatabaseURL("the PostgreSQL URL names no host") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard let user = components.user, !user.isEmpty else {
            throw .invalidDatabaseURL("the PostgreSQL URL names no user")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.isEmpty ? self.username : database
        switch query["sslmode"] ?? "prefer" {
        case "disable", "allow", "prefer": self.requiresTLS = false
        case "require", "verify-ca", "verify-full": self.requiresTLS = true
        case let other: throw .invalidDatabaseURL("unknown sslmode \(other)")
        }
    }

    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)"
    }
}
