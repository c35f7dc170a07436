/// A member's role in a team.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case member
    case owner

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs == .member && rhs == .owner }
}
