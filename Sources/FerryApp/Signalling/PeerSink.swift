import FerryWeb

/// Where a connected peer's messages go: its socket, on whichever instance holds it. Sending
/// never waits (the socket queues, and drops a client that does not read).
public protocol PeerSink: Sendable {
    func send(text: String)
    func send(binary: WebSocketBinary)
}
