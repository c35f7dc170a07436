import Foundation

/// `POST /pairings/claim`: who the guest is paired with.
struct GuestDocument: Encodable, Sendable {
    struct Member: Encodable, Sendable {
        var id: UUID
        var name: String
    }

    var member: Member
    var expiresAt: Date
}
