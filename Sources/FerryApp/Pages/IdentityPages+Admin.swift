import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

extension IdentityPages {
    func registerAdmin(on routes: RouteGroup) {
        let service = self.service
        let pages = self.pages

        @Sendable func usersPage(_ principal: Principal, state: PageState) async throws -> Response {
            var state = state
            state.principal = principal
            state.section = .admin
            // The new team's owner is the admin unless they name someone else.
            if state.form["teamOwner"] == nil { state.form["teamOwner"] = principal.user.email }
            var response = try pages.render(
                AdminUsersPage(
                    state: state, users: try await service.store.listUsers(),
                    teams: try await service.store.allTeams(viewer: principal.user.id)))
            response.headers[.cacheControl] = "no-store"
            return response
        }

        /// The signed-in server admin, or nil for the sign-in form; others get 403.
        @Sendable func admin(_ call: APICall) throws -> Principal? {
            guard let principal = Self.session(call) else { return nil }
            guard principal.user.isAdmin else {
                throw HTTPError(.forbidden, detail: "Only server admins may see this page.", type: "forbidden")
            }
            return principal
        }

        page(routes, .get, "/admin/users") { call in
            guard let principal = try admin(call) else { return Self.signInFirst(call) }
            return try await usersPage(principal, state: PageState(notice: Self.notice(call)))
        }
        page(routes, .post, "/admin/users") { call in
            guard let principal = try admin(call) else { return Self.signInFirst(call) }
            let form = try await call.request.decodeForm()
            let typed: [String: any Sendable] = [
                "email": form["email"] ?? "", "displayName": form["displayName"] ?? "",
                "isAdmin": form["isAdmin"] == "true",
            ]
            return try await Self.form(state: PageState(form: typed)) {
                _ = try await service.createUser(
                    email: form["email"], displayName: form["displayName"], password: form["password"],
                    isAdmin: form["isAdmin"] == "true", context: call.context)
                return Self.done("/admin/users", .userCreated)
            } page: { state in
                try await usersPage(principal, state: state)
            }
        }
        page(routes, .post, "/admin/users/:userID/password", formOn: "/admin/users") { call in
            guard let principal = try admin(call) else { return Self.signInFirst(call) }
            let form = try await call.request.decodeForm()
            return try await Self.form(state: PageState()) {
                try await service.resetPassword(
                    of: try call.id("userID"), to: form["password"], context: call.context)
                return Self.done("/admin/users", .passwordSet)
            } page: { state in
                try await usersPage(principal, state: state)
            }
        }
        page(routes, .post, "/admin/teams", formOn: "/admin/users") { call in
            guard let principal = try admin(call) else { return Self.signInFirst(call) }
            let form = try await call.request.decodeForm()
            let typed: [String: any Sendable] = ["teamName": form["name"] ?? "", "teamOwner": form["owner"] ?? ""]
            return try await Self.form(state: PageState(form: typed)) {
                _ = try await service.createTeam(name: form["name"], ownerEmail: form["owner"], context: call.context)
                return Self.done("/admin/users", .teamCreated)
            } page: { state in
                try await usersPage(principal, state: state)
            }
        }
        for (action, disabled) in [("disable", true), ("enable", false)] {
            page(routes, .post, "/admin/users/:userID/\(action)", formOn: "/admin/users") { call in
                guard let principal = try admin(call) else { return Self.signInFirst(call) }
                return try await Self.form(state: PageState()) {
                    _ = try await service.updateUser(
                        try call.id("userID"), displayName: nil, isAdmin: nil, disabled: disabled, context: call.context
                    )
                    return Self.done("/admin/users", disabled ? .userDisabled : .userEnabled)
                } page: { state in
                    try await usersPage(principal, state: state)
                }
            }
        }
        // An admin makes another user an admin or takes it back; the service refuses taking it from
        // oneself and from the last active admin (409), so the server always keeps one.
        for (action, isAdmin) in [("make-admin", true), ("remove-admin", false)] {
            page(routes, .post, "/admin/users/:userID/\(action)", formOn: "/admin/users") { call in
                guard let principal = try admin(call) else { return Self.signInFirst(call) }
                return try await Self.form(state: PageState()) {
                    _ = try await service.updateUser(
                        try call.id("userID"), displayName: nil, isAdmin: isAdmin, disabled: nil, context: call.context)
                    return Self.done("/admin/users", isAdmin ? .adminGranted : .adminRemoved)
                } page: { state in
                    try await usersPage(principal, state: state)
                }
            }
        }
    }
}
