import Foundation

/// A signed-in browser. The token itself is never stored, only its hash.
public struct Session: Sendable, Equatable {
    public var tokenHash: String
    public var userID: UUID
    public var createdAt: Date
    public var lastSeenAt: Date
    /// The absolute end, fixed at sign-in.
    public var expiresAt: Date
    public var clientAddress: String?
    public var userAgent: String?

    public init(
        tokenHash: String, userID: UUID, createdAt: Date, lastSeenAt: Date, expiresAt: Date, clientAddress: String?,
        userAgent: String?
    ) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.clientAddress = clientAddress
        self.userAgent = userAgent
    }
}
