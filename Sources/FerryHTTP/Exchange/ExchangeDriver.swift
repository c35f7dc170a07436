import HTTPTypes
import NIOCore

/// What a protocol handler (HTTP/1.1 connection, HTTP/2 connection) offers to the tasks that run
/// async handlers and streaming bodies. Every method runs on the handler's event loop; `exchangeID`
/// names the exchange (HTTP/1.1: a counter; HTTP/2: the stream id) so that a late call for an
/// exchange that is gone does nothing.
protocol ExchangeDriver: AnyObject, SendableMetatype {
    /// Sends a complete response produced by an async handler.
    func sendIfCurrent(_ response: HTTPServerResponse, exchangeID: UInt64)
    /// Records the route and request id of a streamed response for logs and metrics.
    func noteRoute(_ route: String?, requestID: String?, exchangeID: UInt64)
    /// Sends the head of a streaming response; false when the body must not be produced (the
    /// exchange is gone, or no body may follow the head).
    func startStream(_ head: HTTPResponse, exchangeID: UInt64) -> Bool
    /// Queues one chunk of a streaming body; the future completes when the bytes reached the
    /// socket (or fails when the exchange is gone).
    func writeStreamChunk(_ data: ByteBuffer, exchangeID: UInt64) -> EventLoopFuture<Void>
    /// Queues chunks in order, flushed together; the future completes when all reached the
    /// socket (or fails when one could not be written).
    func writeStreamChunks(_ data: [ByteBuffer], exchangeID: UInt64) -> EventLoopFuture<Void>
    /// The producer returned: the body is complete.
    func finishStream(exchangeID: UInt64)
    /// The producer threw after the head went out: the response cannot be completed honestly.
    /// For a tunnel: it ends at once (HTTP/1.1: the connection closes; HTTP/2: RST_STREAM).
    func abortStream(exchangeID: UInt64)
    /// Sends the head that opens a tunnel (`101` to an HTTP/1.1 `Upgrade`, a 2xx to an HTTP/2
    /// extended CONNECT) and returns the client's byte stream. Nil when the exchange is gone or
    /// cannot become a tunnel; the engine has then answered or closed by itself. Stream chunks
    /// written afterwards are raw tunnel bytes, `finishStream` ends the tunnel cleanly and
    /// `abortStream` at once.
    func startTunnel(_ head: HTTPResponse, exchangeID: UInt64) -> HTTPRequestBody?
}
