import Foundation

/// A user in a team.
public struct Member: Sendable, Equatable {
    public var userID: UUID
    public var email: String
    public var displayName: String
    public var role: Role
    public var joinedAt: Date
    /// The account is disabled (by a server admin): it cannot sign in or receive anything.
    public var disabled: Bool

    public init(userID: UUID, email: String, displayName: String, role: Role, joinedAt: Date, disabled: Bool = false) {
        self.userID = userID
        self.email = email
        self.displayName = displayName
        self.role = role
        self.joinedAt = joinedAt
        self.disabled = disabled
    }
}
