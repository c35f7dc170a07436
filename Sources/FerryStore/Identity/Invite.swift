import Foundation

/// A link that lets people join a team. The code is shown once; only its hash is stored.
public struct Invite: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var teamID: UUID
    public var role: Role
    public var maxUses: Int
    public var uses: Int
    public var createdBy: UUID?
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(
        id: UUID, teamID: UUID, role: Role, maxUses: Int, uses: Int, createdBy: UUID?, createdAt: Date,
        expiresAt: Date, revokedAt: Date?
    ) {
        self.id = id
        self.teamID = teamID
        self.role = role
        self.maxUses = maxUses
        self.uses = uses
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether the invite can still be accepted at `now`.
    public func isValid(at now: Date) -> Bool {
        revokedAt == nil && uses < maxUses && now < expiresAt
    }
}
