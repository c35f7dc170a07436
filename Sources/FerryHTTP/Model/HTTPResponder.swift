/// The engine's single upward call. FerryHTTP knows nothing of routes; the web layer implements this.
///
/// `respond` is called on the connection's event loop. Answers that need no suspension (static
/// files, 304s, redirects, errors) return `.ready` and never leave the event loop; handlers that
/// need async work return `.async`, and the engine makes the one hop to Swift concurrency itself.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPServerRequest) -> HTTPResponderResult

    /// The response for a request the engine refused before it reached `respond` (parse errors,
    /// limits, timeouts). Called on the event loop; the connection is closed after it is sent.
    func respondToRejectedRequest(_ error: HTTP1ParseError) -> HTTPServerResponse

    /// Called once per completed exchange, on the event loop, for access logs and metrics.
    func requestCompleted(_ record: HTTPExchangeRecord)
}

/// How a responder answers.
public enum HTTPResponderResult: Sendable {
    case ready(HTTPServerResponse)
    case async(@Sendable () async -> HTTPServerResponse)
}
