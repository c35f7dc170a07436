import FerryStore
import Foundation

/// `InvitePreview`: what an invite link shows before it is accepted.
struct InvitePreviewDocument: Encodable, Sendable {
    var teamName: String
    var role: Role
    var expiresAt: Date
    var valid: Bool
}
