import Foundation

/// A person with an account on this server.
public struct User: Sendable, Equatable, Identifiable {
    public var id: UUID
    /// Lower-cased; unique on the server.
    public var email: String
    public var displayName: String
    /// A server admin: manages users and every team.
    public var isAdmin: Bool
    /// A disabled user cannot sign in, and their sessions and tokens stop working.
    public var disabled: Bool
    public var createdAt: Date

    public init(id: UUID, email: String, displayName: String, isAdmin: Bool, disabled: Bool, createdAt: Date) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.isAdmin = isAdmin
        self.disabled = disabled
        self.createdAt = createdAt
    }
}
