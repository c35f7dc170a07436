import FerryStore
import Foundation

/// Profile, password, teams and API tokens of the signed-in user.
struct AccountPage: IdentityPage {
    static let template = "account"
    let title = "Account"
    var state: PageState
    var user: User
    var teams: [TeamMembership]
    var tokens: [APIToken]
    var newToken: CreatedToken?

    var content: [String: any Sendable] {
        var values: [String: any Sendable] = [
            "user": ["email": user.email, "isAdmin": user.isAdmin] as [String: any Sendable],
            "hasTeams": !teams.isEmpty,
            "teams": teams.map { team -> [String: any Sendable] in
                var row: [String: any Sendable] = [
                    "id": team.teamID.uuidString.lowercased(), "name": team.teamName,
                    "canManage": team.role == .owner || user.isAdmin,
                ]
                if let role = team.role { row["role"] = role.rawValue }
                return row
            },
            "hasTokens": !tokens.isEmpty,
            "tokens": tokens.map { token -> [String: any Sendable] in
                var row: [String: any Sendable] = [
                    "id": token.id.uuidString.lowercased(), "name": token.name,
                    "scopes": token.scopes.sorted().map(\.rawValue), "prefix": token.prefix,
                    "createdAt": PageTime.values(token.createdAt),
                ]
                if let expires = token.expiresAt { row["expiresAt"] = PageTime.values(expires) }
                if let used = token.lastUsedAt { row["lastUsedAt"] = PageTime.values(used) }
                return row
            },
        ]
        if let newToken {
            values["newToken"] = ["name": newToken.token.name, "secret": newToken.secret] as [String: any Sendable]
        }
        return values
    }
}
