public import HTTPTypes
public import NIOCore

/// What the engine knows about a finished request/response exchange, for logs and metrics.
public struct HTTPExchangeRecord: Sendable {
    public var request: HTTPRequest?
    /// The response head as sent (after the engine's framing fields were added).
    public var response: HTTPResponse
    /// Response body bytes handed to the socket.
    public var bodyBytes: Int64
    /// Time from the request head's arrival to the last response byte being written.
    public var duration: TimeAmount
    public var connection: HTTPConnectionInfo
    /// The route pattern the responder reported, if any.
    public var route: String?
    /// The request id the responder reported, if any.
    public var requestID: String?

    public init(
        request: HTTPRequest?, response: HTTPResponse, bodyBytes: Int64, duration: TimeAmount,
        connection: HTTPConnectionInfo, route: String? = nil, requestID: String? = nil
    ) {
        self.requestID = requestID
        self.route = route
        self.request = request
        self.response = response
        self.bodyBytes = bodyBytes
        self.duration = duration
        self.connection = connection
    }
}
