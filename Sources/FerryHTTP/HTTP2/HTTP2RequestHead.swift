import HTTPTypes

/// A request head as received on an HTTP/2 stream, after nghttp2 validated the frame-level rules
/// (pseudo-header presence and order, connection-specific fields, case).
enum HTTP2RequestHead {
    case valid(HTTPRequest)
    /// The header list exceeded the limits this server announced: answered 431 (RFC 9113 §10.5.1).
    case tooLarge
    /// A head nghttp2 let through that the request model cannot hold (an unknown method token
    /// with characters HTTPTypes refuses, CONNECT without `:protocol`…): answered 400.
    case invalid(String)
}
