public import HTTPTypes

/// Routes sharing a path prefix and middleware.
public struct RouteGroup {
    let builder: RouterBuilder
    let prefix: String
    let middleware: [any Middleware]

    /// A nested group; its middleware runs inside this group's.
    public func group(_ path: String, middleware: [any Middleware] = []) -> RouteGroup {
        RouteGroup(builder: builder, prefix: join(path), middleware: self.middleware + middleware)
    }

    /// Registers an async handler.
    public func on(
        _ method: HTTPRequest.Method, _ path: String, maxBodySize: Int? = nil,
        _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        builder.add(method, join(path), maxBodySize: maxBodySize, middleware: middleware, handler: .async(handler))
    }

    /// Registers a handler that runs on the event loop; it must not block or await.
    public func onInline(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request) throws -> Response
    ) {
        builder.add(method, join(path), middleware: middleware, handler: .inline(handler))
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
