public import HTTPTypes

/// A parsed HTTP/1.x request head, with the framing decisions the engine needs.
public struct HTTP1RequestHead: Sendable, Equatable {
    /// How the request body is delimited (RFC 9112 §6.3).
    public enum BodyFraming: Sendable, Equatable {
        case none
        case contentLength(Int64)
        case chunked
    }

    /// The request in the protocol-neutral model; `Host` is moved into `authority`.
    public var request: HTTPRequest
    /// Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    /// Whether the client allows the connection to stay open after this exchange.
    public var keepAlive: Bool
    public var framing: BodyFraming
    /// The client sent `Expect: 100-continue` and waits for a go-ahead before sending the body.
    public var expectsContinue: Bool

    public init(
        request: HTTPRequest,
        minorVersion: Int,
        keepAlive: Bool,
        framing: BodyFraming,
        expectsContinue: Bool
    ) {
        self.request = request
        self.minorVersion = minorVersion
        self.keepAlive = keepAlive
        self.framing = framing
        self.expectsContinue = expectsContinue
    }
}
