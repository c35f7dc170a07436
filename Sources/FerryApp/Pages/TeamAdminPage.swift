import FerryStore
import Foundation

/// A team's members and invites, for its owners and server admins.
struct TeamAdminPage: IdentityPage {
    static let template = "team-admin"
    var state: PageState
    var team: Team
    var members: [Member]
    var invites: [Invite]
    var newInvite: CreatedInvite?
    var now: Date

    var title: String { "\(team.name) · Team" }

    var content: [String: any Sendable] {
        let viewer = state.principal?.user.id
        let owners = members.filter { $0.role == .owner }.count
        var values: [String: any Sendable] = [
            "teamID": team.id.uuidString.lowercased(), "teamName": team.name,
            "members": members.map { member -> [String: any Sendable] in
                [
                    "userID": member.userID.uuidString.lowercased(), "displayName": member.displayName,
                    "email": member.email, "isOwner": member.role == .owner, "isSelf": member.userID == viewer,
                    "disabled": member.disabled,
                    // Neither leaving nor removal can work for the one owner (the server refuses).
                    "isLastOwner": member.role == .owner && owners == 1,
                ]
            },
            "hasInvites": !invites.isEmpty,
            "invites": invites.map { invite -> [String: any Sendable] in
                [
                    "id": invite.id.uuidString.lowercased(), "role": invite.role.rawValue, "uses": invite.uses,
                    "maxUses": invite.maxUses, "createdAt": PageTime.values(invite.createdAt),
                    "expiresAt": PageTime.values(invite.expiresAt), "state": Self.state(of: invite, at: now),
                    "isActive": invite.isValid(at: now),
                ]
            },
        ]
        if let newInvite {
            values["newInvite"] =
                [
                    "url": newInvite.url, "role": newInvite.invite.role.rawValue, "maxUses": newInvite.invite.maxUses,
                    "expiresAt": PageTime.values(newInvite.invite.expiresAt),
                ] as [String: any Sendable]
        }
        return values
    }

    static func state(of invite: Invite, at now: Date) -> String {
        if invite.revokedAt != nil { return "revoked" }
        if invite.uses >= invite.maxUses { return "used up" }
        if now >= invite.expiresAt { return "expired" }
        return "active"
    }
}
