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

    public init(authenticator: Authenticator, addresses: ClientAddressResolver, service: IdentityService) {
        self.authenticator = authenticator
        self.addresses = addresses
        self.service = service
    }

    func admit(_ request: Request, route: APIRoute) async throws -> APICall {
        try await authenticator.refresh()
        let scheme = addresses.scheme(of: request)
        let principal = try await authenticator.principal(for: request, scheme: scheme)
        try OriginCheck.check(request, scheme: scheme, cookieAuthenticated: principal?.isSession == true)
        var teamID: UUID?
        var teamRole: Role?
        if route.rule.isTeamRule {
            guard let text = request.parameters["teamID"], let id = UUID(uuidString: text) else {
                throw Self.noSuchTeam
            }
            teamID = id
            if let principal {
                teamRole = try await service.role(of: principal.user.id, in: id)
                if teamRole == nil, principal.user.isAdmin, try await !service.teamExists(id) {
                    throw Self.noSuchTeam
                }
            }
        }
        let isSelf =
            route.allowsSelf && principal != nil
            && request.parameters["userID"].flatMap(UUID.init(uuidString:)) == principal?.user.id
        switch AccessPolicy.decide(
            rule: route.rule, method: request.method, principal: principal, teamRole: teamRole, isSelf: isSelf)
        {
        case .allow:
            break
        case .unauthenticated:
            throw HTTPError(
                .unauthorized, detail: "Sign in first, or send an API token.", type: "unauthenticated",
                headers: [.wwwAuthenticate: "Bearer"])
        case .forbidden(let reason):
            throw HTTPError(.forbidden, detail: reason, type: "forbidden")
        case .hidden:
            throw Self.noSuchTeam
        }
        let context = ActionContext(
            principal: principal, clientAddress: addresses.address(of: request), userAgent: request.headers[.userAgent],
            origin: "\(scheme)://\(request.head.authority ?? "localhost")", now: authenticator.clock())
        return APICall(
            request: request, principal: principal, context: context, teamID: teamID, teamRole: teamRole, scheme: scheme
        )
    }

    /// Authenticates a page request and applies the origin check, with no rule: pages decide
    /// themselves whether to send the visitor to the sign-in form.
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

    /// Applies a team rule for a page: the team's id from the path, or an error page.
    func requireTeam(_ call: APICall, rule: AccessRule) async throws -> UUID {
        guard let text = call.request.parameters["teamID"], let id = UUID(uuidString: text) else {
            throw Self.noSuchTeam
        }
        let principal = try call.caller
        let role = try await service.role(of: principal.user.id, in: id)
        if role == nil, principal.user.isAdmin, try await !service.teamExists(id) { throw Self.noSuchTeam }
        switch AccessPolicy.decide(rule: rule, method: .get, principal: principal, teamRole: role) {
        case .allow: return id
        case .hidden: throw Self.noSuchTeam
        case .unauthenticated: throw HTTPError(.unauthorized, detail: "Sign in first.", type: "unauthenticated")
        case .forbidden(let reason): throw HTTPError(.forbidden, detail: reason, type: "forbidden")
        }
    }

    static let noSuchTeam = HTTPError(.notFound, detail: "There is no such team.", type: "not-found")
}
