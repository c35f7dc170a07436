public import NIOCore

/// Every limit the engine enforces, each a named value with a safe default.
///
/// The defaults follow what nginx and h2o ship with, tightened where Ferry's traffic allows it.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind; `127.0.0.1` keeps a fresh install private until the admin opens it up.
    public var host: String
    /// TCP port; `0` asks the kernel for a free one (tests use this).
    public var port: Int
    /// Longest request line (method, target, version) accepted; longer targets get 414.
    public var maxRequestLineLength: Int
    /// Most bytes of a request head (request line plus all header lines); more gets 431.
    public var maxHeaderBytes: Int
    /// Most header fields in a request head or a trailer section; more gets 431.
    public var maxHeaderCount: Int
    /// Longest chunk-size line (size plus extensions) in a chunked body; longer gets 400.
    public var maxChunkLineLength: Int
    /// Time a client has to send a complete request head once it has started one; then 408 and close.
    public var headerReadTimeout: TimeAmount
    /// Time a handler waits for the next piece of a request body before the read fails with 408.
    public var bodyReadTimeout: TimeAmount
    /// Time an idle keep-alive connection is kept open between requests.
    public var keepAliveIdleTimeout: TimeAmount
    /// Time a large response write (a file slice, a stream chunk) may make no progress before the
    /// connection is closed: a client that stops reading must not hold a connection forever.
    public var responseWriteTimeout: TimeAmount
    /// Most open connections; further ones get a 503 and are closed.
    public var maxConnections: Int
    /// Bytes of an unread request body the engine will read and discard to keep a connection alive;
    /// a larger unread body closes the connection instead.
    public var maxDiscardedBodyBytes: Int64
    /// Request-body bytes buffered ahead of a slow handler before the socket stops being read.
    public var requestBodyHighWatermark: Int
    /// Time in-flight requests get to finish after a shutdown begins.
    public var shutdownDrainTime: TimeAmount
    /// Connections accepted per event-loop tick; NIO's default of 4 drops connections under bursts.
    public var maxAcceptsPerTick: Int

    /// `Strict-Transport-Security` sent on every response over TLS (RFC 6797); nil sends none.
    public var strictTransportSecurity: String?

    // MARK: HTTP/2

    /// Whether cleartext connections may speak HTTP/2 (prior knowledge or `Upgrade: h2c`).
    public var http2Cleartext: Bool
    /// SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open at once; more are refused.
    public var http2MaxConcurrentStreams: Int
    /// SETTINGS_INITIAL_WINDOW_SIZE: request-body bytes a client may send on a stream before the
    /// handler reads them.
    public var http2InitialWindowSize: Int
    /// Request-body bytes a client may send on the whole connection before handlers read them.
    public var http2ConnectionWindowSize: Int
    /// Rapid-reset guard (CVE-2023-44487): RST_STREAM frames allowed in a burst, and refilled per
    /// second; past that the connection gets GOAWAY.
    public var http2ResetBurst: Int
    public var http2ResetRatePerSecond: Int
    /// CONTINUATION frames allowed after one HEADERS frame (CONTINUATION floods).
    public var http2MaxContinuations: Int
    /// Consecutive empty DATA frames (no payload, no END_STREAM) before GOAWAY ENHANCE_YOUR_CALM.
    public var http2MaxEmptyDataFrames: Int
    /// SETTINGS and PING acknowledgements waiting to be sent; more is a flood (GOAWAY).
    public var http2MaxOutboundAcks: Int
    /// Entries allowed in one SETTINGS frame.
    public var http2MaxSettingsEntries: Int
    /// Time between the shutdown notice and the final GOAWAY: streams the client opened in flight
    /// before it saw the notice are still served.
    public var http2GoAwayGrace: TimeAmount
    /// Time a tunnel (a WebSocket, see ``HTTPTunnel``) may pass no byte in either direction
    /// before the engine ends it. Tunnels keep their own liveness (WebSocket pings) and are exempt
    /// from the body-read and response-write timeouts, which would end a quiet socket.
    public var tunnelIdleTimeout: TimeAmount
    /// Whether a tunnel's owner (a WebSocket) runs on its connection's event loop
    /// (``EventLoopTaskExecutor``) rather than on the global executor: each read then resumes it
    /// in the loop's own turn instead of waking another thread. On by default; off for the test
    /// event loops of NIOEmbedded, which run what a loop queues for itself only when driven.
    public var tunnelOwnerOnEventLoop = true

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxRequestLineLength: Int = 8 * 1024,
        maxHeaderBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxChunkLineLength: Int = 1024,
        headerReadTimeout: TimeAmount = .seconds(10),
        bodyReadTimeout: TimeAmount = .seconds(30),
        keepAliveIdleTimeout: TimeAmount = .seconds(75),
        responseWriteTimeout: TimeAmount = .seconds(60),
        maxConnections: Int = 10_000,
        maxDiscardedBodyBytes: Int64 = 1024 * 1024,
        requestBodyHighWatermark: Int = 256 * 1024,
        shutdownDrainTime: TimeAmount = .seconds(10),
        maxAcceptsPerTick: Int = 256,
        strictTransportSecurity: String? = "max-age=31536000",
        http2Cleartext: Bool = true,
        http2MaxConcurrentStreams: Int = 128,
        http2InitialWindowSize: Int = 1024 * 1024,
        http2ConnectionWindowSize: Int = 8 * 1024 * 1024,
        http2ResetBurst: Int = 1000,
        http2ResetRatePerSecond: Int = 33,
        http2MaxContinuations: Int = 8,
        http2MaxEmptyDataFrames: Int = 100,
        http2MaxOutboundAcks: Int = 1000,
        http2MaxSettingsEntries: Int = 32,
        http2GoAwayGrace: TimeAmount = .milliseconds(200),
        tunnelIdleTimeout: TimeAmount = .seconds(120)
    ) {
        self.host = host
        self.port = port
        self.maxRequestLineLength = maxRequestLineLength
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxChunkLineLength = maxChunkLineLength
        self.headerReadTimeout = headerReadTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.keepAliveIdleTimeout = keepAliveIdleTimeout
        self.responseWriteTimeout = responseWriteTimeout
        self.maxConnections = maxConnections
        self.maxDiscardedBodyBytes = maxDiscardedBodyBytes
        self.requestBodyHighWatermark = requestBodyHighWatermark
        self.shutdownDrainTime = shutdownDrainTime
        self.maxAcceptsPerTick = maxAcceptsPerTick
        self.strictTransportSecurity = strictTransportSecurity
        self.http2Cleartext = http2Cleartext
        self.http2MaxConcurrentStreams = http2MaxConcurrentStreams
        self.http2InitialWindowSize = http2InitialWindowSize
        self.http2ConnectionWindowSize = http2ConnectionWindowSize
        self.http2ResetBurst = http2ResetBurst
        self.http2ResetRatePerSecond = http2ResetRatePerSecond
        self.http2MaxContinuations = http2MaxContinuations
        self.http2MaxEmptyDataFrames = http2MaxEmptyDataFrames
        self.http2MaxOutboundAcks = http2MaxOutboundAcks
        self.http2MaxSettingsEntries = http2MaxSettingsEntries
        self.http2GoAwayGrace = http2GoAwayGrace
        self.tunnelIdleTimeout = tunnelIdleTimeout
    }
}
