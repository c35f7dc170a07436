import FerryWeb
import HTTPTypes

/// The one way API routes are registered: each with its access rule (``AccessGate``) and its
/// body limit, and each recorded as an ``APIRoute`` so tests hold the list against the OpenAPI
/// document and the authorization matrix. Used only while the server starts.
public final class GatedRoutes {
    /// The API's group (`/api/v1`).
    public let group: RouteGroup
    public let gate: AccessGate
    /// Every route registered so far, as documented.
    public private(set) var entries: [APIRoute] = []
    /// The body limit of a route that does not name its own: JSON documents are small.
    public static let defaultMaxBodySize = 16 * 1024

    public init(group: RouteGroup, gate: AccessGate) {
        self.group = group
        self.gate = gate
    }

    /// Registers a route behind the gate: the handler runs only for callers the rule admits.
    /// `everyAnswer` fields go on every answer of the route, the gate's refusals included (tus
    /// puts `Tus-Resumable` on all of its answers).
    func add(
        _ method: HTTPRequest.Method, _ path: String, _ rule: AccessRule, maxBodySize: Int = defaultMaxBodySize,
        allowsSelf: Bool = false, everyAnswer: HTTPFields = [:],
        _ handler: @escaping @Sendable (APICall) async throws -> Response
    ) {
        let route = APIRoute(method: method, path: path, rule: rule, allowsSelf: allowsSelf)
        entries.append(route)
        let gate = self.gate
        guard !everyAnswer.isEmpty else {
            group.on(method, route.routerPattern, maxBodySize: maxBodySize) { request in
                try await handler(try await gate.admit(request, route: route))
            }
            return
        }
        group.on(method, route.routerPattern, maxBodySize: maxBodySize) { request in
            do {
                var response = try await handler(try await gate.admit(request, route: route))
                for field in everyAnswer { response.headers[field.name] = field.value }
                return response
            } catch var error as HTTPError {
                for field in everyAnswer { error.headers[field.name] = field.value }
                throw error
            }
        }
    }

    /// Registers a WebSocket route behind the gate, documented as the GET of its HTTP/1.1
    /// handshake; the router also takes the HTTP/2 form (an extended CONNECT, RFC 8441) at the
    /// same path, admitted by the same rule.
    func addWebSocket(
        _ path: String, _ rule: AccessRule, _ handler: @escaping @Sendable (APICall) async throws -> Response
    ) {
        let route = APIRoute(method: .get, path: path, rule: rule, allowsSelf: false)
        entries.append(route)
        let gate = self.gate
        for method in [HTTPRequest.Method.get, .connect] {
            group.on(method, route.routerPattern, maxBodySize: 0) { request in
                try await handler(try await gate.admit(request, route: route))
            }
        }
    }

    /// Registers a public route answered on the event loop (fixed documents, health checks).
    public func addPublic(
        _ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (Request) throws -> Response
    ) {
        entries.append(APIRoute(method: method, path: path, rule: .public, allowsSelf: false))
        group.onInline(method, path, handler)
    }
}
