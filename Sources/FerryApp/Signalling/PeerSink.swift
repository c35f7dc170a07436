import FerryWeb

/// Where a connected peer's messages go: its socket, on whichever instance holds it. Sending
/// never waits (the socket queues, and drops a client that does not read).
public protocol PeerSink: Sendable {
    func send(text: String)
    func send(binary: WebSocketBinary)
    /// Sends a relay frame once at most `mark` bytes are queued for the peer ahead of it, waiting
    /// up to `timeout` for that (then it is queued anyway, and the slow-consumer rule decides).
    /// The relay's sender awaits this, so a relay moves at its receiver's pace.
    func send(relay: WebSocketBinary, queuedAtMost mark: Int, timeout: Duration) async
}
