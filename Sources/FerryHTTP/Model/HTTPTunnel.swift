import NIOCore

/// A request's byte stream taken over by the responder: the answer to an HTTP/1.1 `Upgrade`
/// (after `101 Switching Protocols`) or to an HTTP/2 extended CONNECT (RFC 8441, after a 2xx).
///
/// The engine frames nothing: `inbound` yields the bytes the client sends, in order and with
/// backpressure, and ends when the client closes its side; `outbound` writes bytes to the client
/// and returns once they reached the socket. The tunnel's owner speaks the protocol inside (a
/// WebSocket) and keeps its own liveness (pings); the engine only ends a tunnel in which no byte
/// moved either way for ``HTTPServerConfiguration/tunnelIdleTimeout``. The body-read and
/// response-write timeouts of ordinary exchanges do not apply.
///
/// When the owner's closure returns, the tunnel ends cleanly (HTTP/1.1: the connection closes
/// after the written bytes; HTTP/2: the stream ends with END_STREAM). When it throws, or
/// ``close()`` is called, it ends at once (HTTP/1.1: the connection closes; HTTP/2: RST_STREAM),
/// and pending reads and writes fail.
public struct HTTPTunnel: Sendable {
    /// The client's bytes.
    public let inbound: HTTPRequestBody
    /// Bytes to the client.
    public let outbound: any HTTPBodyWriter
    private let abort: @Sendable () -> Void

    public init(inbound: HTTPRequestBody, outbound: any HTTPBodyWriter, abort: @escaping @Sendable () -> Void) {
        self.inbound = inbound
        self.outbound = outbound
        self.abort = abort
    }

    /// Ends the tunnel at once, failing pending reads and writes: for an owner that gives up on a
    /// peer that stopped reading or answering.
    public func close() {
        abort()
    }
}
