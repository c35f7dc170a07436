import FerryStore

/// Every user of the server, for server admins.
struct AdminUsersPage: IdentityPage {
    static let template = "admin-users"
    let title = "Users"
    var state: PageState
    var users: [User]
    /// Every team, with the viewing admin's role where they are a member.
    var teams: [TeamMembership]

    var content: [String: any Sendable] {
        let viewer = state.principal?.user.id
        return [
            "hasTeams": !teams.isEmpty,
            "teams": teams.map { team -> [String: any Sendable] in
                var values: [String: any Sendable] = [
                    "id": team.teamID.uuidString.lowercased(), "name": team.teamName,
                ]
                if let role = team.role { values["role"] = role.rawValue }
                return values
            },
            "users": users.map { user -> [String: any Sendable] in
                [
                    "id": user.id.uuidString.lowercased(), "email": user.email, "displayName": user.displayName,
                    "isAdmin": user.isAdmin, "disabled": user.disabled, "createdAt": PageTime.values(user.createdAt),
                    "isSelf": user.id == viewer,
                ]
            },
        ]
    }
}
