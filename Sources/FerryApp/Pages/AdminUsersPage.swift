import FerryStore

/// Every user of the server, for server admins.
struct AdminUsersPage: IdentityPage {
    static let template = "admin-users"
    let title = "Users"
    var state: PageState
    var users: [User]

    var content: [String: any Sendable] {
        let viewer = state.principal?.user.id
        return [
            "users": users.map { user -> [String: any Sendable] in
                [
                    "id": user.id.uuidString.lowercased(), "email": user.email, "displayName": user.displayName,
                    "isAdmin": user.isAdmin, "disabled": user.disabled, "createdAt": PageTime.values(user.createdAt),
                    "isSelf": user.id == viewer,
                ]
            }
        ]
    }
}
