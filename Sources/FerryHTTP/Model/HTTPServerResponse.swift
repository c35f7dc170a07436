public import HTTPTypes

/// A response in the protocol-neutral model. The engine adds framing (`Content-Length` or chunked),
/// `Date` and `Connection`; handlers never write connection-specific fields.
public struct HTTPServerResponse: Sendable {
    public var head: HTTPResponse
    public var body: HTTPResponseBody
    /// The route pattern that produced the response, passed through to ``HTTPExchangeRecord`` so
    /// logs and metrics can label by route without re-routing.
    public var route: String?
    /// The id the responder gave the request, passed through to ``HTTPExchangeRecord`` for logs.
    public var requestID: String?
    /// The head in encoded form, when it was fixed in advance. Set only through
    /// ``init(prepared:body:)``; whoever changes `head` afterwards must set this to nil.
    public var prepared: PreparedHead?
    /// Ends the sending of file segments part-way when the application ends it (``ResponseLease``).
    public var lease: ResponseLease?

    public init(head: HTTPResponse, body: HTTPResponseBody = .empty, route: String? = nil) {
        self.head = head
        self.body = body
        self.route = route
    }

    public init(prepared: PreparedHead, body: HTTPResponseBody = .empty) {
        self.head = prepared.head
        self.body = body
        self.prepared = prepared
    }

    public init(status: HTTPResponse.Status, headerFields: HTTPFields = [:], body: HTTPResponseBody = .empty) {
        self.head = HTTPResponse(status: status, headerFields: headerFields)
        self.body = body
    }
}
