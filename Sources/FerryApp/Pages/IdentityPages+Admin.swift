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
            var response = try pages.render(AdminUsersPage(state: state, users: try await service.store.listUsers()))
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
    }
}
