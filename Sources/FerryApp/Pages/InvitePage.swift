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
    /// The signed-in user is in the invite's team already: the page says so instead.
    var alreadyMember = false

    var title: String { alreadyMember ? teamName : valid ? "Join \(teamName)" : "Invite" }

    var content: [String: any Sendable] {
        [
            "action": "/invite/\(code)", "teamName": teamName, "role": invite.role.rawValue,
            "expiresAt": PageTime.values(invite.expiresAt), "valid": valid && !alreadyMember,
            // Not "invalid": that key holds the form's field errors (PageState).
            "spent": !valid && !alreadyMember, "alreadyMember": alreadyMember, "signedIn": state.principal != nil,
        ]
    }
}
