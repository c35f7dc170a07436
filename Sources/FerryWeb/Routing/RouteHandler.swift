/// A route's handler: `inline` handlers run on the connection's event loop and must not block
/// (static files, redirects, fixed answers); `async` handlers run in a task, one hop per request.
public enum RouteHandler: Sendable {
    case inline(@Sendable (Request) throws -> Response)
    case async(@Sendable (Request) async throws -> Response)

    /// The handler as an async function, for composing middleware.
    var asAsync: @Sendable (Request) async throws -> Response {
        switch self {
        case .inline(let handler): return { try handler($0) }
        case .async(let handler): return handler
        }
    }
}
