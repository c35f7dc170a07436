import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

extension IdentityAPI {
    func registerTeams(on routes: GatedRoutes) {
        let service = self.service

        routes.add(.get, "/teams", .signedIn) { call in
            try .json(["teams": try await service.teams(of: try call.caller).map(TeamSummaryDocument.init)])
        }
        routes.add(.post, "/teams", .admin) { call in
            let body = try await call.request.decodeJSON(TeamBody.self)
            let team = try await service.createTeam(name: body.name, ownerID: body.ownerID, context: call.context)
            let role = try await service.store.role(of: try call.caller.user.id, in: team.id)
            return try .json(TeamDocument(team, role: role), status: .created)
        }
        routes.add(.get, "/teams/{teamID}", .teamMember) { call in
            try .json(TeamDocument(try await service.team(try call.team), role: call.teamRole))
        }
        routes.add(.patch, "/teams/{teamID}", .teamOwner) { call in
            let body = try await call.request.decodeJSON(TeamBody.self)
            let team = try await service.renameTeam(try call.team, name: body.name, context: call.context)
            return try .json(TeamDocument(team, role: call.teamRole))
        }
        routes.add(.get, "/teams/{teamID}/members", .teamMember) { call in
            try .json(["members": try await service.members(of: try call.team).map(MemberDocument.init)])
        }
        routes.add(.post, "/teams/{teamID}/members", .teamOwner) { call in
            let body = try await call.request.decodeJSON(MemberBody.self)
            let member = try await service.addMember(
                to: try call.team, email: body.email, role: body.role ?? .member, context: call.context)
            return try .json(MemberDocument(member), status: .created)
        }
        routes.add(.patch, "/teams/{teamID}/members/{userID}", .teamOwner) { call in
            let body = try await call.request.decodeJSON(MemberBody.self)
            guard let role = body.role else {
                throw HTTPError(
                    .badRequest, detail: "Give the new role.", type: "invalid-request",
                    errors: [.init(pointer: "/role", detail: "The role is required: owner or member.")])
            }
            let member = try await service.setRole(
                of: try call.id("userID"), in: try call.team, to: role, context: call.context)
            return try .json(MemberDocument(member))
        }
        routes.add(.delete, "/teams/{teamID}/members/{userID}", .teamOwner, allowsSelf: true) { call in
            try await service.removeMember(try call.id("userID"), from: try call.team, context: call.context)
            return Self.noContent
        }
        routes.add(.get, "/teams/{teamID}/invites", .teamOwner) { call in
            let invites = try await service.store.invites(teamID: try call.team)
            return try .json(["invites": invites.map { InviteDocument(invite: $0) }])
        }
        routes.add(.post, "/teams/{teamID}/invites", .teamOwner) { call in
            let body = try await call.request.decodeJSON(InviteBody.self)
            let created = try await service.createInvite(
                to: try call.team, role: body.role ?? .member, maxUses: body.maxUses,
                expiresInHours: body.expiresInHours, context: call.context)
            return try .json(
                InviteDocument(invite: created.invite, code: created.code, url: created.url), status: .created)
        }
        routes.add(.delete, "/teams/{teamID}/invites/{inviteID}", .teamOwner) { call in
            try await service.revokeInvite(try call.id("inviteID"), of: try call.team, context: call.context)
            return Self.noContent
        }
        routes.add(.get, "/teams/{teamID}/audit", .teamOwner) { call in
            let page = try Self.auditPage(call.request)
            let events = try await service.auditEvents(teamID: try call.team, before: page.before, limit: page.limit)
            return try .json(["events": events.map(AuditEventDocument.init)])
        }
    }

    /// `?before=ID&limit=N`, checked.
    static func auditPage(_ request: Request) throws -> (before: Int64?, limit: Int?) {
        let fields = request.queryFields
        var rules = InputRules()
        var before: Int64?
        var limit: Int?
        if let text = fields["before"] {
            before = Int64(text)
            if before == nil { rules.fail("/before", "before must be an event id (an integer).") }
        }
        if let text = fields["limit"] {
            limit = Int(text)
            if limit == nil || limit! < 1 { rules.fail("/limit", "limit must be a positive integer.") }
        }
        try rules.check()
        return (before, limit)
    }
}
