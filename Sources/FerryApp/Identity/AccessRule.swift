/// Who may call a route; see docs/IDENTITY.md ("Who may do what").
public enum AccessRule: String, Sendable, CaseIterable {
    /// Anyone.
    case `public` = "public"
    /// Any session, or a token with the route's scope.
    case signedIn = "signed-in"
    /// A signed-in browser only (changing one's password, signing out).
    case session = "session"
    /// A session, or a token with the `admin` scope (managing one's own tokens).
    case sessionOrAdminToken = "session-or-admin-token"
    /// A member of the team in the path, or a server admin.
    case teamMember = "team-member"
    /// An owner of the team in the path, or a server admin.
    case teamOwner = "team-owner"
    /// A server admin (a token needs the `admin` scope).
    case admin = "admin"
    /// A peer of the discovery server: a member (session, or a token with the route's scope) or
    /// a guest paired by a code.
    case peer = "peer"

    /// Whether the rule is about the team named in the path.
    public var isTeamRule: Bool { self == .teamMember || self == .teamOwner }
}
