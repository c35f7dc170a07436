import FerryStore
import Foundation

/// `Member`.
struct MemberDocument: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        var id: String
        var email: String
        var displayName: String
    }

    var user: Person
    var role: Role
    var joinedAt: Date
    /// A disabled account: still a member, but it cannot sign in or receive anything.
    var disabled: Bool

    init(_ member: Member) {
        user = Person(id: member.userID.uuidString.lowercased(), email: member.email, displayName: member.displayName)
        role = member.role
        joinedAt = member.joinedAt
        disabled = member.disabled
    }
}
