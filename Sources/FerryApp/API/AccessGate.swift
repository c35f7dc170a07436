import FerryStore
import FerryWeb
import Foundation

/// Admits a request to its route: authenticates it, applies the origin check to changes, looks up
/// the caller's role in the team named in the path, and applies ``AccessPolicy``.
public struct AccessGate: Sendable {
    public let authenticator: Authenticator
    public let addresses: ClientAddressResolver
    /// For roles and teams, through the cache the authenticator shares.
    public let service: IdentityService
    /// Guests paired by a code, admitted to `peer` routes.
    public let guests: GuestDirectory

    public init(
        authenticator: Authenticator, addresses: ClientAddressResolver, service: IdentityService,
        guests: GuestDirectory = GuestDirectory()
    ) {
        self.authenticator = authenticator
        self.addresses = addresses
        self.service = service
        self.guests = guests
    }

    func admit(_ request: Request, route: APIRoute) async throws -> APICall {
        var call = try await identify(request)
        if route.rule.isTeamRule {
            let id = try Self.teamID(in: request)
            call.teamID = id
            if let principal = call.principal { call.teamRole = try await role(of: principal, in: id) }
        }
        let isSelf =
            route.allowsSelf && call.principal != nil
            && request.parameters["userID"].flatMap(UUID.init(uuidString:)) == call.principal?.user.id
        if route.rule == .peer, call.principal == nil {
            call.guest = guests.pass(for: request, scheme: call.scheme)
        }
        try Self.enforce(
            AccessPolicy.decide(
                rule: route.rule, method: request.method, principal: call.principal, teamRole: call.teamRole,
                isSelf: isSelf, isGuest: call.guest != nil))
        return call
    }

    /// Authenticates a request and applies the origin check, with no rule: pages decide
    /// themselves whether to send the visitor to the sign-in form; ``admit(_:route:)`` adds the rule.
    func identify(_ request: Request) async throws -> APICall {
        try await authenticator.refresh()
        let scheme = addresses.scheme(of: request)
        let principal = try await authenticator.principal(for: request, scheme: scheme)
        try OriginCheck.check(request, scheme: scheme, cookieAuthenticated: principal?.isSession == true)
        let context = ActionContext(
            principal: principal, clientAddress: addresses.address(of: request), userAgent: request.headers[.userAgent],
            origin: "\(scheme)://\(request.head.authority ?? "localhost")", now: authenticator.clock())
        return APICall(request: request, principal: principal, context: context, scheme: scheme)
    }

    /// The signed-in person whose session cookie `request` carries, or nil (no cookie, an ended
    /// session, a store that does not answer). For what a page shows beside an error, never for a
    /// decision: no origin check, failures are nil, and the session is not counted as used (an
    /// error page, or a browser asking for an icon that is not there, does not keep it from its
    /// idle limit).
    func signedInPrincipal(_ request: Request) async -> Principal? {
        guard request.headers[.authorization] == nil,
            let hash = authenticator.presentedSessionHash(request, scheme: addresses.scheme(of: request))
        else { return nil }
        try? await authenticator.refresh()
        return try? await authenticator.sessionPrincipal(tokenHash: hash, use: false)
    }

    /// Applies a team rule for a page: the team's id from the path, or an error page.
    func requireTeam(_ call: APICall, rule: AccessRule) async throws -> UUID {
        let id = try Self.teamID(in: call.request)
        let principal = try call.caller
        let role = try await role(of: principal, in: id)
        try Self.enforce(AccessPolicy.decide(rule: rule, method: .get, principal: principal, teamRole: role))
        return id
    }

    /// The caller's role in a team; 404 when an admin (who needs no role) names a team that does
    /// not exist. Others without a role get 404 from the policy.
    private func role(of principal: Principal, in teamID: UUID) async throws -> Role? {
        let role = try await service.role(of: principal.user.id, in: teamID)
        if role == nil, principal.user.isAdmin, try await !service.teamExists(teamID) { throw Self.noSuchTeam }
        return role
    }

    private static func teamID(in request: Request) throws -> UUID {
        guard let text = request.parameters["teamID"], let id = UUID(uuidString: text) else { throw noSuchTeam }
        return id
    }

    /// The answer for a decision that is not `allow`.
    private static func enforce(_ decision: AccessDecision) throws {
        switch decision {
        case .allow:
            return
        case .unauthenticated:
            throw HTTPError(
                .unauthorized, detail: "Sign in first, or send an API token.", type: "unauthenticated",
                headers: [.wwwAuthenticate: "Bearer"])
        case .forbidden(let reason):
            throw HTTPError(.forbidden, detail: reason, type: "forbidden")
        case .hidden:
            throw noSuchTeam
        }
    }

    static let noSuchTeam = HTTPError(.notFound, detail: "There is no such team.", type: "not-found")
}
