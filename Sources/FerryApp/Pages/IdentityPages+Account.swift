import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

extension IdentityPages {
    func registerAccount(on routes: RouteGroup) {
        let service = self.service
        let pages = self.pages

        @Sendable func accountPage(
            _ principal: Principal, state: PageState, newToken: CreatedToken? = nil, status: HTTPResponse.Status = .ok
        ) async throws -> Response {
            var state = state
            state.principal = principal
            state.section = .account
            if state.form["displayName"] == nil { state.form["displayName"] = principal.user.displayName }
            // The token form starts with "read" ticked, also after another form on the page was
            // refused and after a token was made (the form is fresh for the next one); after its
            // own refusal it keeps what was chosen (then the key is there).
            if state.form["scopeRead"] == nil { state.form["scopeRead"] = true }
            var response = try pages.render(
                AccountPage(
                    state: state, user: principal.user, teams: try await service.teams(of: principal),
                    tokens: try await service.store.tokens(userID: principal.user.id), newToken: newToken),
                status: status)
            response.headers[.cacheControl] = "no-store"
            return response
        }

        page(routes, .get, "/account") { call in
            guard let principal = Self.session(call) else { return Self.signInFirst(call) }
            return try await accountPage(principal, state: PageState(notice: Self.notice(call)))
        }
        page(routes, .post, "/account/profile", formOn: "/account") { call in
            guard let principal = Self.session(call) else { return Self.signInFirst(call) }
            let form = try await call.request.decodeForm()
            return try await Self.form(state: PageState(form: ["displayName": form["displayName"] ?? ""])) {
                _ = try await service.updateProfile(principal, displayName: form["displayName"], context: call.context)
                return Self.done("/account", .profileSaved)
            } page: { state in
                try await accountPage(principal, state: state)
            }
        }
        page(routes, .post, "/account/password", formOn: "/account") { call in
            guard let principal = Self.session(call) else { return Self.signInFirst(call) }
            let form = try await call.request.decodeForm()
            return try await Self.form(state: PageState()) {
                try await service.changePassword(
                    principal, current: form["currentPassword"], new: form["newPassword"], context: call.context)
                return Self.done("/account", .passwordChanged)
            } page: { state in
                try await accountPage(principal, state: state)
            }
        }
        page(routes, .post, "/account/tokens", formOn: "/account") { call in
            guard let principal = Self.session(call) else { return Self.signInFirst(call) }
            let form = try await call.request.decodeForm()
            let scopes = form.all("scopes")
            let days = form["expiresInDays"].flatMap { $0.isEmpty ? nil : $0 }
            let typed: [String: any Sendable] = [
                "name": form["name"] ?? "", "expiresInDays": days ?? "", "scopeRead": scopes.contains("read"),
                "scopeWrite": scopes.contains("write"), "scopeAdmin": scopes.contains("admin"),
            ]
            return try await Self.form(state: PageState(form: typed)) {
                guard days.map({ Int($0) != nil }) ?? true else {
                    throw HTTPError(
                        .badRequest, detail: "The expiry must be a whole number of days.", type: "invalid-request",
                        errors: [.init(pointer: "/expiresInDays", detail: "The expiry must be a whole number of days.")]
                    )
                }
                let created = try await service.createToken(
                    for: principal.user.id, name: form["name"], scopes: scopes, expiresInDays: days.flatMap { Int($0) },
                    context: call.context)
                // Shown here, once: a redirect would have to carry the secret in a URL.
                return try await accountPage(principal, state: PageState(), newToken: created, status: .created)
            } page: { state in
                try await accountPage(principal, state: state)
            }
        }
        page(routes, .post, "/account/tokens/:tokenID/revoke", formOn: "/account") { call in
            guard let principal = Self.session(call) else { return Self.signInFirst(call) }
            try await service.revokeToken(try call.id("tokenID"), of: principal.user.id, context: call.context)
            return Self.done("/account", .tokenRevoked)
        }
        page(routes, .post, "/account/sessions/revoke", formOn: "/account") { call in
            guard let principal = Self.session(call) else { return Self.signInFirst(call) }
            try await service.signOutEverywhere(principal, context: call.context)
            var response = Self.done("/sign-in", .sessionsRevoked)
            response.headers[.setCookie] = IdentityAPI.clearedCookie(scheme: call.scheme)
            return response
        }
    }
}
