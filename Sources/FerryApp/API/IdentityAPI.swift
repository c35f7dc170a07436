import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

/// The JSON API of teams and accounts under `/api/v1` (docs/IDENTITY.md). Every route is
/// registered with its rule, and the list of routes is kept so tests can hold it against the
/// OpenAPI document and the authorization matrix.
public struct IdentityAPI: Sendable {
    public let service: IdentityService
    public let gate: AccessGate
    /// Largest JSON body of these routes.
    public static let maxBodySize = 16 * 1024

    public init(service: IdentityService, gate: AccessGate) {
        self.service = service
        self.gate = gate
    }

    /// Registers every route on `api` (the `/api/v1` group) and returns them as documented.
    @discardableResult
    public func register(on api: RouteGroup) -> [APIRoute] {
        var routes = RouteList(api: api, gate: gate)
        registerSession(on: &routes)
        registerTeams(on: &routes)
        registerAdmin(on: &routes)
        let document = Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
            body: .buffer(.init(bytes: PackageResources.openapi_json))
        ).prepared()
        api.onInline(.get, "/openapi.json") { _ in document }
        routes.entries.append(APIRoute(method: .get, path: "/openapi.json", rule: .public, allowsSelf: false))
        return routes.entries
    }

    /// Collects routes while registering them behind the gate.
    struct RouteList {
        let api: RouteGroup
        let gate: AccessGate
        var entries: [APIRoute] = []

        mutating func add(
            _ method: HTTPRequest.Method, _ path: String, _ rule: AccessRule, allowsSelf: Bool = false,
            _ handler: @escaping @Sendable (APICall) async throws -> Response
        ) {
            let route = APIRoute(method: method, path: path, rule: rule, allowsSelf: allowsSelf)
            entries.append(route)
            let gate = self.gate
            api.on(method, route.routerPattern, maxBodySize: IdentityAPI.maxBodySize) { request in
                try await handler(try await gate.admit(request, route: route))
            }
        }
    }

    /// The `Set-Cookie` value that carries a new session.
    static func sessionCookie(_ signedIn: SignedIn, scheme: String) -> String {
        SetCookie(
            name: IdentityConfiguration.sessionCookieName(scheme: scheme), value: signedIn.sessionToken,
            maxAge: signedIn.maxAge,
            secure: scheme == "https"
        ).fieldValue
    }

    static func clearedCookie(scheme: String) -> String {
        SetCookie.expired(IdentityConfiguration.sessionCookieName(scheme: scheme), secure: scheme == "https").fieldValue
    }

    static let noContent = Response(status: .noContent)
}
