/// The rest of the chain, as seen by a middleware.
public typealias NextHandler = @Sendable (Request) async throws -> Response

/// Code that wraps the handlers of a route group (authentication, rate limits, …).
///
/// Middleware is async; a route behind any middleware therefore runs off the event loop.
/// Concerns every response shares (security headers, compression, logging, metrics) are applied by
/// ``WebResponder`` itself, synchronously, so inline routes stay on the event loop.
public protocol Middleware: Sendable {
    func handle(_ request: Request, next: NextHandler) async throws -> Response
}
