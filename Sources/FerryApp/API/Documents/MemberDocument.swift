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

    init(_ member: Member) {
        user = Person(id: member.userID.uuidString.lowercased(), email: member.email, displayName: member.displayName)
        role = member.role
        joinedAt = member.joinedAt
    }
}
