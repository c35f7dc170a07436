public import FerryHTTP
public import HTTPTypes

/// A routed request: the engine's request plus what routing learned about it.
public struct Request: Sendable {
    public var head: HTTPRequest
    public var body: HTTPRequestBody
    public var connection: HTTPConnectionInfo
    /// The path without the query, still percent-encoded as sent.
    public var path: Substring
    /// The raw query string (after `?`), if any.
    public var query: Substring?
    /// Values captured by `:name` and `*` segments of the route pattern, percent-decoded.
    public var parameters: Parameters
    /// A unique id for logs, echoed in `X-Request-Id`.
    public var id: String

    public init(
        head: HTTPRequest, body: HTTPRequestBody = .empty, connection: HTTPConnectionInfo,
        parameters: Parameters = Parameters(), id: String = ""
    ) {
        self.head = head
        self.body = body
        self.connection = connection
        let target = head.path ?? "/"
        // The UTF-8 view: `firstIndex(of: Character)` walks grapheme clusters.
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.path = target[..<mark]
            self.query = target[target.index(after: mark)...]
        } else {
            self.path = target[...]
            self.query = nil
        }
        self.parameters = parameters
        self.id = id
    }

    public var method: HTTPRequest.Method { head.method }
    public var headers: HTTPFields { head.headerFields }
}
