/// Limits and liveness of WebSocket sessions, each with a safe default.
public struct WebSocketConfiguration: Sendable {
    /// Largest frame accepted from a client; a larger one closes with 1009.
    public var maxFrameSize: Int
    /// Largest text message (after reassembling fragments); larger closes with 1009.
    public var maxTextMessageSize: Int
    /// Largest binary message (after reassembling fragments); larger closes with 1009.
    public var maxBinaryMessageSize: Int
    /// Most fragments one message may arrive in: a flood of tiny fragments costs per fragment.
    public var maxFragments: Int
    /// Bytes queued for a client that has not read them yet. A client that falls this far behind
    /// is closed (1008, "slow consumer"): the server never buffers without bound for it.
    public var maxQueuedOutboundBytes: Int
    /// Time between server pings.
    public var pingInterval: Duration
    /// Time a ping may go unanswered (no pong) before the socket is dropped.
    public var pongTimeout: Duration
    /// Time the client gets to answer a close frame before the socket is dropped.
    public var closeTimeout: Duration
    /// Pings received per ``pingInterval`` before the socket is closed (1008): each ping costs
    /// a pong.
    public var maxPingsPerInterval: Int

    public init(
        maxFrameSize: Int = 256 * 1024 + 16,
        maxTextMessageSize: Int = 64 * 1024,
        maxBinaryMessageSize: Int = 256 * 1024 + 16,
        maxFragments: Int = 64,
        maxQueuedOutboundBytes: Int = 4 * 1024 * 1024,
        pingInterval: Duration = .seconds(25),
        pongTimeout: Duration = .seconds(20),
        closeTimeout: Duration = .seconds(5),
        maxPingsPerInterval: Int = 50
    ) {
        self.maxFrameSize = maxFrameSize
        self.maxTextMessageSize = maxTextMessageSize
        self.maxBinaryMessageSize = maxBinaryMessageSize
        self.maxFragments = maxFragments
        self.maxQueuedOutboundBytes = maxQueuedOutboundBytes
        self.pingInterval = pingInterval
        self.pongTimeout = pongTimeout
        self.closeTimeout = closeTimeout
        self.maxPingsPerInterval = maxPingsPerInterval
    }
}
