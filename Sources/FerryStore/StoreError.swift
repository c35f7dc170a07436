/// What the store refuses, in terms the layers above can turn into precise answers.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidDatabaseURL(String)
    /// The database was migrated by a newer Ferry; running older code against it could corrupt it.
    case schemaTooNew(found: Int, supported: Int)
    case emailTaken
    case teamNameTaken
    case alreadyMember
    /// The change would leave a team without an owner.
    case lastOwner
    /// The change would leave the server without an enabled admin.
    case lastAdmin
    case notFound
    /// A device id is registered with another public key (or to another user).
    case deviceKeyMismatch
    /// The invite is expired, used up or revoked.
    case inviteInvalid
    /// The setup token is unknown or already used, or a user already exists.
    case setupTokenInvalid
    /// Storing this many more bytes would pass the member's quota (`team` false) or a team's:
    /// `left` bytes of `quota` were free (the refused bytes are more).
    case quotaExceeded(team: Bool, left: Int64, quota: Int64)
    /// A drop names an upload that is not the caller's, not complete, a part, or already used.
    case uploadNotReady
    /// The drop exists but serves no more.
    case dropUnavailable(DropState)

    public var description: String {
        switch self {
        case .invalidDatabaseURL(let reason): "invalid database URL: \(reason)"
        case .schemaTooNew(let found, let supported):
            "the database schema is version \(found), newer than this Ferry supports (\(supported)); upgrade Ferry"
        case .emailTaken: "a user with this email already exists"
        case .teamNameTaken: "a team with this name already exists"
        case .alreadyMember: "the user is already a member of this team"
        case .lastOwner: "a team must keep at least one owner"
        case .lastAdmin: "the server must keep at least one enabled admin"
        case .notFound: "not found"
        case .deviceKeyMismatch: "the device is registered with another key"
        case .inviteInvalid: "the invite is expired, used up or revoked"
        case .setupTokenInvalid: "the setup link is unknown or was already used"
        case .quotaExceeded(let team, let left, let quota):
            "\(team ? "a team's" : "the") storage quota has \(left) of \(quota) bytes left, too few"
        case .uploadNotReady: "an upload is not complete, not the caller's, a part, or already used"
        case .dropUnavailable(let state): "the drop is \(state.rawValue)"
        }
    }
}
