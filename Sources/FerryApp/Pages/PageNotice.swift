/// The one-line confirmations a form's redirect may ask for (`?done=KEY`). Only these fixed
/// sentences are ever shown: text from the query never reaches the page.
enum PageNotice: String, CaseIterable {
    case profileSaved = "profile-saved"
    case passwordChanged = "password-changed"
    case tokenRevoked = "token-revoked"
    case signedOut = "signed-out"
    case sessionsRevoked = "sessions-revoked"
    case roleChanged = "role-changed"
    case memberRemoved = "member-removed"
    case memberAdded = "member-added"
    case passwordSet = "password-set"
    case teamCreated = "team-created"
    case inviteRevoked = "invite-revoked"
    case userCreated = "user-created"
    case userDisabled = "user-disabled"
    case userEnabled = "user-enabled"
    case adminGranted = "admin-granted"
    case adminRemoved = "admin-removed"

    var sentence: String {
        switch self {
        case .profileSaved: "Your profile was saved."
        case .passwordChanged: "Your password was changed. Your other sessions were signed out."
        case .tokenRevoked: "The token was revoked."
        case .signedOut: "You are signed out."
        case .sessionsRevoked: "Every session was signed out."
        case .roleChanged: "The role was changed."
        case .memberRemoved: "The member was removed."
        case .memberAdded: "The member was added. They see the team the next time they open Ferry."
        case .passwordSet:
            "The password was set, and their sessions were signed out. Give it to them by a safe channel."
        case .teamCreated: "The team was created. Its owner adds members or sends invite links from its page."
        case .inviteRevoked: "The invite was revoked."
        case .userCreated: "The user was added."
        case .userDisabled: "The user was disabled."
        case .userEnabled: "The user was enabled."
        case .adminGranted: "The user is now a server admin."
        case .adminRemoved: "The user is no longer a server admin."
        }
    }
}
