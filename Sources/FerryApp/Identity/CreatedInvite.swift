import FerryStore

/// A new invite with its code and link, which are shown this once.
public struct CreatedInvite: Sendable {
    public var invite: Invite
    public var code: String
    public var url: String
}
