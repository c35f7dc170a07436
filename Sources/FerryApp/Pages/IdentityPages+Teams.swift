import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

extension IdentityPages {
    func registerTeamAdmin(on routes: RouteGroup) {
        let service = self.service
        let pages = self.pages
        let gate = self.gate

        @Sendable func teamPage(
            _ call: APICall, _ teamID: UUID, state: PageState, newInvite: CreatedInvite? = nil,
            status: HTTPResponse.Status = .ok
        ) async throws -> Response {
            var state = state
            state.principal = Self.session(call)
            if state.form["maxUses"] == nil { state.form["maxUses"] = 1 }
            if state.form["expiresInHours"] == nil {
                state.form["expiresInHours"] = Int(service.configuration.inviteDefaultLifetime / 3600)
            }
            var response = try pages.render(
                TeamAdminPage(
                    state: state, team: try await service.team(teamID),
                    members: try await service.store.members(of: teamID),
                    invites: try await service.store.invites(teamID: teamID), newInvite: newInvite,
                    now: call.context.now),
                status: status)
            response.headers[.cacheControl] = "no-store"
            return response
        }

        /// The team of an owner's page, or the sign-in form, or an error page.
        @Sendable func owned(_ call: APICall) async throws -> UUID? {
            guard Self.session(call) != nil else { return nil }
            return try await gate.requireTeam(call, rule: .teamOwner)
        }

        page(routes, .get, "/teams/:teamID/admin") { call in
            guard let teamID = try await owned(call) else { return Self.signInFirst(call) }
            return try await teamPage(call, teamID, state: PageState(notice: Self.notice(call)))
        }
        page(routes, .post, "/teams/:teamID/admin/invites", formOn: "/teams/:teamID/admin") { call in
            guard let teamID = try await owned(call) else { return Self.signInFirst(call) }
            let form = try await call.request.decodeForm()
            let typed: [String: any Sendable] = [
                "roleOwner": form["role"] == "owner", "maxUses": form["maxUses"] ?? "",
                "expiresInHours": form["expiresInHours"] ?? "",
            ]
            return try await Self.form(state: PageState(form: typed)) {
                var rules = InputRules()
                let role = Role(rawValue: form["role"] ?? "member")
                if role == nil { rules.fail("/role", "The role must be owner or member.") }
                let maxUses = Int(form["maxUses"] ?? "")
                if maxUses == nil { rules.fail("/maxUses", "The number of uses must be a whole number.") }
                let hours = Int(form["expiresInHours"] ?? "")
                if hours == nil { rules.fail("/expiresInHours", "The lifetime must be a whole number of hours.") }
                try rules.check()
                let created = try await service.createInvite(
                    to: teamID, role: role ?? .member, maxUses: maxUses, expiresInHours: hours, context: call.context)
                return try await teamPage(call, teamID, state: PageState(), newInvite: created, status: .created)
            } page: { state in
                try await teamPage(call, teamID, state: state)
            }
        }
        page(routes, .post, "/teams/:teamID/admin/invites/:inviteID/revoke", formOn: "/teams/:teamID/admin") { call in
            guard let teamID = try await owned(call) else { return Self.signInFirst(call) }
            try await service.revokeInvite(try call.id("inviteID"), of: teamID, context: call.context)
            return Self.done("/teams/\(teamID.uuidString.lowercased())/admin", .inviteRevoked)
        }
        // A user who has an account (made by a server admin) but no team is added by email; people
        // without an account get an invite link instead.
        page(routes, .post, "/teams/:teamID/admin/members", formOn: "/teams/:teamID/admin") { call in
            guard let teamID = try await owned(call) else { return Self.signInFirst(call) }
            let form = try await call.request.decodeForm()
            let typed: [String: any Sendable] = [
                "memberEmail": form["email"] ?? "", "memberRoleOwner": form["role"] == "owner",
            ]
            return try await Self.form(state: PageState(form: typed)) {
                guard let role = Role(rawValue: form["role"] ?? "member") else {
                    throw HTTPError(
                        .badRequest, detail: "The role must be owner or member.", type: "invalid-request",
                        errors: [.init(pointer: "/role", detail: "The role must be owner or member.")])
                }
                _ = try await service.addMember(to: teamID, email: form["email"], role: role, context: call.context)
                return Self.done("/teams/\(teamID.uuidString.lowercased())/admin", .memberAdded)
            } page: { state in
                try await teamPage(call, teamID, state: state)
            }
        }
        page(routes, .post, "/teams/:teamID/admin/members/:userID/role", formOn: "/teams/:teamID/admin") { call in
            guard let teamID = try await owned(call) else { return Self.signInFirst(call) }
            let form = try await call.request.decodeForm()
            return try await Self.form(state: PageState()) {
                guard let role = form["role"].flatMap(Role.init(rawValue:)) else {
                    throw HTTPError(.badRequest, detail: "The role must be owner or member.", type: "invalid-request")
                }
                _ = try await service.setRole(of: try call.id("userID"), in: teamID, to: role, context: call.context)
                return Self.done("/teams/\(teamID.uuidString.lowercased())/admin", .roleChanged)
            } page: { state in
                try await teamPage(call, teamID, state: state)
            }
        }
        page(routes, .post, "/teams/:teamID/admin/members/:userID/remove", formOn: "/teams/:teamID/admin") { call in
            guard let teamID = try await owned(call) else { return Self.signInFirst(call) }
            return try await Self.form(state: PageState()) {
                try await service.removeMember(try call.id("userID"), from: teamID, context: call.context)
                return Self.done("/teams/\(teamID.uuidString.lowercased())/admin", .memberRemoved)
            } page: { state in
                try await teamPage(call, teamID, state: state)
            }
        }
    }
}
