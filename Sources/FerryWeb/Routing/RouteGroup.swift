public import HTTPTypes

/// Routes sharing a path prefix. Concerns a feature's routes share (authentication, access rules,
/// body limits) are applied where the feature registers them (FerryApp's gated routes), not by a
/// middleware chain here: a route's rule is data the API documents and tests check.
public struct RouteGroup {
    let builder: RouterBuilder
    /// The group's path prefix, e.g. `/api/v1`.
    public let prefix: String

    /// A nested group.
    public func group(_ path: String) -> RouteGroup {
        RouteGroup(builder: builder, prefix: join(path))
    }

    /// Registers an async handler.
    public func on(
        _ method: HTTPRequest.Method, _ path: String, maxBodySize: Int? = nil,
        _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        builder.add(method, join(path), maxBodySize: maxBodySize, handler: .async(handler))
    }

    /// Registers a handler that runs on the event loop; it must not block or await.
    public func onInline(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request) throws -> Response
    ) {
        builder.add(method, join(path), handler: .inline(handler))
    }

    public func get(_ path: String, _ handler: @escaping @Sendable (Request) async throws -> Response) {
        on(.get, path, handler)
    }

    public func post(
        _ path: String, maxBodySize: Int? = nil, _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        on(.post, path, maxBodySize: maxBodySize, handler)
    }

    public func put(
        _ path: String, maxBodySize: Int? = nil, _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        on(.put, path, maxBodySize: maxBodySize, handler)
    }

    public func delete(_ path: String, _ handler: @escaping @Sendable (Request) async throws -> Response) {
        on(.delete, path, handler)
    }

    private func join(_ path: String) -> String {
        let left = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        let right = path.hasPrefix("/") ? path : "/" + path
        return path.isEmpty ? (left.isEmpty ? "/" : left) : left + right
    }
}
