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
        // One button per change of a user's flags. The service refuses disabling oneself or taking
        // admin from oneself or from the last active admin (409), so the server always keeps one.
        let changes: [(action: String, disabled: Bool?, isAdmin: Bool?, notice: PageNotice)] = [
            ("disable", true, nil, .userDisabled), ("enable", false, nil, .userEnabled),
            ("make-admin", nil, true, .adminGranted), ("remove-admin", nil, false, .adminRemoved),
        ]
        for change in changes {
            page(routes, .post, "/admin/users/:userID/\(change.action)", formOn: "/admin/users") { call in
                guard let principal = try admin(call) else { return Self.signInFirst(call) }
                return try await Self.form(state: PageState()) {
                    _ = try await service.updateUser(
                        try call.id("userID"), displayName: nil, isAdmin: change.isAdmin, disabled: change.disabled,
                        context: call.context)
                    return Self.done("/admin/users", change.notice)
                } page: { state in
                    try await usersPage(principal, state: state)
                }
            }
        }
    }
}
