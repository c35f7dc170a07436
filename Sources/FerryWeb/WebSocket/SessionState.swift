/// A WebSocket session's shared state: where the closing handshake stands, queued bytes and
/// liveness. Guarded by the socket's lock; every change is a small step.
struct SessionState {
    enum Phase: Equatable {
        case open
        /// We sent a close frame at that instant and wait for the client's.
        case closeSent(at: ContinuousClock.Instant)
        /// The client sent a close frame and ours answers it.
        case closeReceived
        /// Both close frames went; the session is over.
        case closed
        /// Ended without a handshake (slow consumer, no pong, transport gone).
        case dropped
    }

    var phase = Phase.open
    /// The code of the close frame sent or received.
    var closeCode: WebSocketCloseCode?
    var queuedBytes = 0
    /// When the ping now waiting for its pong went out.
    var pingSentAt: ContinuousClock.Instant?
    /// Pings received since the last tick of the ping timer.
    var pingsReceived = 0
    /// When reading ended and the last frames (a close answer) started draining to the client.
    var drainingSince: ContinuousClock.Instant?
}
