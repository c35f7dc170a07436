import Foundation

/// A team as one user sees it: with their role in it (nil for an admin who is not a member).
public struct TeamMembership: Sendable, Equatable {
    public var teamID: UUID
    public var teamName: String
    public var role: Role?

    public init(teamID: UUID, teamName: String, role: Role?) {
        self.teamID = teamID
        self.teamName = teamName
        self.role = role
    }
}
