import Foundation

/// A personal API token. The secret is shown once at creation; only its hash is stored.
public struct APIToken: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var userID: UUID
    public var name: String
    public var scopes: Set<Scope>
    /// The first characters of the secret, to tell tokens apart in a list.
    public var prefix: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: UUID, userID: UUID, name: String, scopes: Set<Scope>, prefix: String, createdAt: Date, expiresAt: Date?,
        lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.scopes = scopes
        self.prefix = prefix
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}
