import FerryStore
import HTTPTypes

/// The authorization rules as one pure function, so the whole matrix (every rule × every kind of
/// caller) is tested without a server.
public enum AccessPolicy {
    /// The scope a method needs: reads need `read`, changes need `write`.
    public static func scope(for method: HTTPRequest.Method, rule: AccessRule) -> Scope {
        if rule == .admin || rule == .sessionOrAdminToken { return .admin }
        switch method {
        case .get, .head, .options: return .read
        default: return .write
        }
    }

    /// Decides a request.
    /// - Parameters:
    ///   - teamRole: the caller's role in the team named in the path (team rules only).
    ///   - isSelf: the route acts on the caller's own membership (leaving a team).
    public static func decide(
        rule: AccessRule, method: HTTPRequest.Method, principal: Principal?, teamRole: Role? = nil,
        isSelf: Bool = false, isGuest: Bool = false
    ) -> AccessDecision {
        if rule == .public { return .allow }
        if rule == .peer, principal == nil, isGuest { return .allow }
        guard let principal else { return .unauthenticated }
        let needed = scope(for: method, rule: rule)
        switch rule {
        case .public:
            return .allow
        case .session:
            return principal.isSession ? .allow : .forbidden("This needs a signed-in browser session, not a token.")
        case .sessionOrAdminToken:
            return principal.isSession || principal.has(.admin)
                ? .allow : .forbidden("Managing API tokens needs a session or a token with the admin scope.")
        case .signedIn, .peer:
            return principal.has(needed) ? .allow : missingScope(needed)
        case .admin:
            guard principal.user.isAdmin else { return .forbidden("Only server admins may do this.") }
            return principal.has(.admin) ? .allow : missingScope(.admin)
        case .teamMember, .teamOwner:
            guard principal.user.isAdmin || teamRole != nil else { return .hidden }
            guard principal.has(needed) else { return missingScope(needed) }
            if rule == .teamOwner, teamRole != .owner, !principal.user.isAdmin, !isSelf {
                return .forbidden("Only the team's owners may do this.")
            }
            return .allow
        }
    }

    private static func missingScope(_ scope: Scope) -> AccessDecision {
        .forbidden("The token lacks the \(scope.rawValue) scope.")
    }
}
