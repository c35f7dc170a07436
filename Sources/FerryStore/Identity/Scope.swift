/// What an API token may do. Scopes nest: `admin` includes `write`, which includes `read`.
public enum Scope: String, Sendable, Codable, CaseIterable, Comparable {
    case read
    case write
    case admin

    private var rank: Int {
        switch self {
        case .read: 0
        case .write: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rank < rhs.rank }

    /// The stored form: names joined by spaces, as OAuth writes scopes.
    static func encode(_ scopes: Set<Scope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: " ")
    }

    static func decode(_ text: String) -> Set<Scope> {
        Set(text.split(separator: " ").compactMap { Scope(rawValue: String($0)) })
    }
}
