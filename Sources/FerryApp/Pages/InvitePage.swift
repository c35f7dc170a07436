import FerryStore
import Foundation

/// An invite link: join as a signed-in user, or create an account and join.
struct InvitePage: IdentityPage {
    static let template = "invite"
    var state: PageState
    var code: String
    var teamName: String
    var invite: Invite
    var valid: Bool

    var title: String { valid ? "Join \(teamName)" : "Invite" }

    var content: [String: any Sendable] {
        [
            "action": "/invite/\(code)", "teamName": teamName, "role": invite.role.rawValue,
            "expiresAt": PageTime.values(invite.expiresAt), "valid": valid, "signedIn": state.principal != nil,
        ]
    }
}
