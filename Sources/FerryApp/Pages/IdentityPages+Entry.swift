import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

extension IdentityPages {
    func registerEntry(on routes: RouteGroup) {
        let service = self.service
        let pages = self.pages

        page(routes, .get, "/") { call in
            guard let principal = Self.session(call) else { return .redirect(to: "/sign-in") }
            return try pages.render(
                ShellPage(
                    state: PageState(principal: principal, section: .home), userName: principal.user.displayName,
                    userID: principal.user.id.uuidString.lowercased()))
        }

        // MARK: Sign-in

        @Sendable func signInPage(_ state: PageState, next: String, setupNeeded: Bool = false) throws -> Response {
            var response = try pages.render(SignInPage(state: state, next: next, setupNeeded: setupNeeded))
            response.headers[.cacheControl] = "no-store"
            return response
        }
        page(routes, .get, "/sign-in") { call in
            let state = PageState(notice: Self.notice(call))
            return try signInPage(
                state, next: Self.safeNext(call.request.queryFields["next"]),
                setupNeeded: try await service.isSetupNeeded())
        }
        page(routes, .post, "/sign-in") { call in
            let form = try await call.request.decodeForm()
            let next = Self.safeNext(form["next"])
            let state = PageState(form: ["email": form["email"] ?? ""])
            return try await Self.form(state: state) {
                let signedIn = try await service.signIn(
                    email: form["email"], password: form["password"],
                    replacing: gate.authenticator.presentedSessionHash(call.request, scheme: call.scheme),
                    context: call.context)
                return Self.signedInRedirect(signedIn, to: next, scheme: call.scheme)
            } page: { state in
                try signInPage(state, next: next)
            }
        }
        page(routes, .post, "/sign-out") { call in
            if let principal = call.principal { try await service.signOut(principal, context: call.context) }
            var response = Self.done("/sign-in", .signedOut)
            response.headers[.setCookie] = IdentityAPI.clearedCookie(scheme: call.scheme)
            return response
        }

        // MARK: First run

        page(routes, .get, "/setup/:token") { call in
            let token = call.request.parameters["token"] ?? ""
            guard try await service.isSetupTokenValid(token) else { throw Self.setupLinkInvalid }
            return try pages.render(SetupPage(state: PageState(), token: token))
        }
        page(routes, .post, "/setup/:token") { call in
            let token = call.request.parameters["token"] ?? ""
            let form = try await call.request.decodeForm()
            let state = PageState(
                form: [
                    "email": form["email"] ?? "", "displayName": form["displayName"] ?? "",
                    "teamName": form["teamName"] ?? "",
                ])
            return try await Self.form(state: state) {
                let signedIn = try await service.completeSetup(
                    token: token, email: form["email"], displayName: form["displayName"], password: form["password"],
                    teamName: form["teamName"],
                    replacing: gate.authenticator.presentedSessionHash(call.request, scheme: call.scheme),
                    context: call.context)
                return Self.signedInRedirect(signedIn, to: "/", scheme: call.scheme)
            } page: { state in
                try pages.render(SetupPage(state: state, token: token))
            }
        }

        // MARK: Invites

        @Sendable func invitePage(_ call: APICall, state: PageState) async throws -> Response {
            let code = call.request.parameters["code"] ?? ""
            let found = try await service.invite(code: code)
            let valid = found.invite.isValid(at: call.context.now)
            var state = state
            state.principal = Self.session(call)
            // Someone already in the team (who opens the link again) is told so, not that it is spent.
            var member = false
            if let principal = state.principal {
                member = try await service.teams(of: principal).contains {
                    $0.teamID == found.invite.teamID && $0.role != nil
                }
            }
            var response = try pages.render(
                InvitePage(
                    state: state, code: code, teamName: found.teamName, invite: found.invite, valid: valid,
                    alreadyMember: member),
                status: valid || member ? .ok : .gone)
            response.headers[.cacheControl] = "no-store"
            return response
        }
        page(routes, .get, "/invite/:code") { call in
            try await invitePage(call, state: PageState())
        }
        page(routes, .post, "/invite/:code") { call in
            let code = call.request.parameters["code"] ?? ""
            let form = try await call.request.decodeForm()
            let state = PageState(
                form: ["email": form["email"] ?? "", "displayName": form["displayName"] ?? ""])
            return try await Self.form(state: state) {
                if let principal = Self.session(call) {
                    _ = try await service.acceptInvite(code: code, as: principal, context: call.context)
                    return .redirect(to: "/")
                }
                do {
                    let signedIn = try await service.acceptInvite(
                        code: code, email: form["email"], displayName: form["displayName"], password: form["password"],
                        replacing: gate.authenticator.presentedSessionHash(call.request, scheme: call.scheme),
                        context: call.context)
                    return Self.signedInRedirect(signedIn, to: "/", scheme: call.scheme)
                } catch let error as HTTPError where error.type == "email-taken" {
                    // Someone with an account opened the invite signed out: the way on is to sign in.
                    throw HTTPError(
                        .conflict,
                        detail:
                            "An account with this email already exists. Sign in with it (below) and you will come back here to join.",
                        type: "email-taken", errors: [.init(pointer: "/email", detail: "This email has an account.")])
                }
            } page: { state in
                try await invitePage(call, state: state)
            }
        }
    }

    static let setupLinkInvalid = HTTPError(
        .notFound,
        detail:
            "This setup link is unknown or was already used. Ferry prints a new one each time it starts while no account exists.",
        type: "setup-token-invalid")

    /// 303 to `path` with the new session's cookie.
    static func signedInRedirect(_ signedIn: SignedIn, to path: String, scheme: String) -> Response {
        var response = Response.redirect(to: path)
        response.headers[.setCookie] = IdentityAPI.sessionCookie(signedIn, scheme: scheme)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
