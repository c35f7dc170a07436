/// One versioned step of the schema. Steps only ever get appended; a released step never changes.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// The statements for a dialect, run in order inside one transaction.
    public var statements: @Sendable (DatabaseBackend) -> [String]

    public init(version: Int, name: String, statements: @escaping @Sendable (DatabaseBackend) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
