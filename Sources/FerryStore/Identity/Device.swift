import Foundation

/// A browser (or CLI) a user signs in from, as a peer of the discovery server: its id and
/// signing key are made by the device itself; the key never changes for an id.
public struct Device: Sendable, Equatable {
    public var id: String
    public var userID: UUID
    public var name: String
    /// ECDSA P-256 public key, SubjectPublicKeyInfo in base64url.
    public var publicKey: String
    public var createdAt: Date
    public var lastSeenAt: Date

    public init(id: String, userID: UUID, name: String, publicKey: String, createdAt: Date, lastSeenAt: Date) {
        self.id = id
        self.userID = userID
        self.name = name
        self.publicKey = publicKey
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}
