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
    /// Senders waiting for the queue to fall to their mark (``WebSocket/send(_:queuedAtMost:timeout:)``).
    var roomWaiters: [RoomWaiter] = []

    /// One sender waiting for room in the queue.
    struct RoomWaiter {
        var mark: Int
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, Never>
    }

    /// Removes and returns the waiters that may go on: all when the session is no longer open,
    /// else those whose mark the queue is within or whose deadline passed.
    mutating func readyWaiters(now: ContinuousClock.Instant? = nil) -> [CheckedContinuation<Void, Never>] {
        guard !roomWaiters.isEmpty else { return [] }
        var ready: [CheckedContinuation<Void, Never>] = []
        let open = phase == .open
        let queued = queuedBytes
        roomWaiters.removeAll { waiter in
            let go = !open || queued <= waiter.mark || now.map { $0 >= waiter.deadline } == true
            if go { ready.append(waiter.continuation) }
            return go
        }
        return ready
    }
}
