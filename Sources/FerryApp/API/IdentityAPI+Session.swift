import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

extension IdentityAPI {
    func registerSession(on routes: GatedRoutes) {
        let service = self.service
        let authenticator = gate.authenticator

        routes.add(.get, "/setup", .public) { _ in
            try .json(SetupStatusDocument(needed: try await service.isSetupNeeded()))
        }
        routes.add(.post, "/setup", .public) { call in
            let body = try await call.request.decodeJSON(SetupBody.self)
            let signedIn = try await service.completeSetup(
                token: body.token, email: body.email, displayName: body.displayName, password: body.password,
                teamName: body.teamName,
                replacing: authenticator.presentedSessionHash(call.request, scheme: call.scheme),
                context: call.context)
            return try await me(signedIn, call: call, status: .created)
        }
        routes.add(.post, "/session", .public) { call in
            let body = try await call.request.decodeJSON(SignInBody.self)
            let signedIn = try await service.signIn(
                email: body.email, password: body.password,
                replacing: authenticator.presentedSessionHash(call.request, scheme: call.scheme), context: call.context)
            return try await me(signedIn, call: call, status: .ok)
        }
        routes.add(.delete, "/session", .session) { call in
            try await service.signOut(try call.caller, context: call.context)
            var response = Self.noContent
            response.headers[.setCookie] = Self.clearedCookie(scheme: call.scheme)
            return response
        }
        routes.add(.get, "/me", .signedIn) { call in
            let caller = try call.caller
            return try .json(MeDocument(principal: caller, teams: try await service.teams(of: caller)))
        }
        routes.add(.patch, "/me", .signedIn) { call in
            let body = try await call.request.decodeJSON(ProfileBody.self)
            var caller = try call.caller
            caller.user = try await service.updateProfile(caller, displayName: body.displayName, context: call.context)
            return try .json(MeDocument(principal: caller, teams: try await service.teams(of: caller)))
        }
        routes.add(.put, "/me/password", .session) { call in
            let body = try await call.request.decodeJSON(PasswordChangeBody.self)
            try await service.changePassword(
                try call.caller, current: body.currentPassword, new: body.newPassword, context: call.context)
            return Self.noContent
        }
        routes.add(.delete, "/me/sessions", .signedIn) { call in
            let caller = try call.caller
            try await service.signOutEverywhere(caller, context: call.context)
            var response = Self.noContent
            if caller.isSession { response.headers[.setCookie] = Self.clearedCookie(scheme: call.scheme) }
            return response
        }
        routes.add(.get, "/me/tokens", .sessionOrAdminToken) { call in
            let tokens = try await service.store.tokens(userID: try call.caller.user.id)
            return try .json(["tokens": tokens.map { TokenDocument($0) }])
        }
        routes.add(.post, "/me/tokens", .sessionOrAdminToken) { call in
            let body = try await call.request.decodeJSON(TokenBody.self)
            let created = try await service.createToken(
                for: try call.caller.user.id, name: body.name, scopes: body.scopes, expiresInDays: body.expiresInDays,
                context: call.context)
            return try .json(TokenDocument(created.token, secret: created.secret), status: .created)
        }
        routes.add(.delete, "/me/tokens/{tokenID}", .sessionOrAdminToken) { call in
            try await service.revokeToken(try call.id("tokenID"), of: try call.caller.user.id, context: call.context)
            return Self.noContent
        }
        routes.add(.get, "/invites/{code}", .public) { call in
            let found = try await service.invite(code: call.request.parameters["code"] ?? "")
            return try .json(
                InvitePreviewDocument(
                    teamName: found.teamName, role: found.invite.role, expiresAt: found.invite.expiresAt,
                    valid: found.invite.isValid(at: call.context.now)))
        }
        routes.add(.post, "/invites/{code}/accept", .public) { call in
            let code = call.request.parameters["code"] ?? ""
            let body = try await call.request.decodeJSON(AccountBody.self)
            if let caller = call.principal {
                guard caller.has(.write) else {
                    throw HTTPError(.forbidden, detail: "The token lacks the write scope.", type: "forbidden")
                }
                _ = try await service.acceptInvite(code: code, as: caller, context: call.context)
                // Fresh: the cache still holds the teams from before this join.
                return try .json(MeDocument(principal: caller, teams: try await service.teams(of: caller, fresh: true)))
            }
            let signedIn = try await service.acceptInvite(
                code: code, email: body.email, displayName: body.displayName, password: body.password,
                replacing: authenticator.presentedSessionHash(call.request, scheme: call.scheme), context: call.context)
            return try await me(signedIn, call: call, status: .ok)
        }
    }

    /// The `Me` answer for someone who just signed in, with the session cookie.
    private func me(_ signedIn: SignedIn, call: APICall, status: HTTPResponse.Status) async throws -> Response {
        let principal = Principal(
            user: signedIn.user, credential: .session(tokenHash: SecretToken.hash(signedIn.sessionToken)))
        var response = try Response.json(
            MeDocument(principal: principal, teams: try await service.teams(of: principal)), status: status)
        response.headers[.setCookie] = Self.sessionCookie(signedIn, scheme: call.scheme)
        return response
    }
}
