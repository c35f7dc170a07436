import FerryStore
import Foundation

/// `User` in the API document.
struct UserDocument: Encodable, Sendable {
    var id: String
    var email: String
    var displayName: String
    var isAdmin: Bool
    var disabled: Bool
    var createdAt: Date

    init(_ user: User) {
        id = user.id.uuidString.lowercased()
        email = user.email
        displayName = user.displayName
        isAdmin = user.isAdmin
        disabled = user.disabled
        createdAt = user.createdAt
    }
}
