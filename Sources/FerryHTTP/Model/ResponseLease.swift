import Synchronization

/// Permission to go on sending a response body that may have to stop part-way: a drop revoked,
/// deleted or expired while one of its files is being downloaded. The application ends the lease
/// (or gives it a deadline); the engine checks it before each file slice it sends (1 MiB on
/// HTTP/1.1, 256 KiB on HTTP/2) and, once it has ended, stops: HTTP/1.1 closes the connection,
/// since the length the head promised can no longer be kept, and HTTP/2 resets the stream
/// (`CANCEL`). The client sees a cut transfer, and its next request the reason.
///
/// A lease is checked for file segments; buffers already in memory are sent whole.
public final class ResponseLease: Sendable {
    private let state: Mutex<(ended: Bool, deadline: ContinuousClock.Instant?)>

    /// A lease that holds until ``end()``, or until `deadline` if one is given.
    public init(deadline: ContinuousClock.Instant? = nil) {
        state = Mutex((false, deadline))
    }

    /// Ends the lease: what is still unsent of the response is not sent.
    public func end() {
        state.withLock { $0.ended = true }
    }

    /// Moves the deadline (an expiry extended or shortened); nil holds until ``end()``.
    public func renew(until deadline: ContinuousClock.Instant?) {
        state.withLock { $0.deadline = deadline }
    }

    /// Whether the response must stop.
    public var hasEnded: Bool {
        let (ended, deadline) = state.withLock { ($0.ended, $0.deadline) }
        return ended || deadline.map { ContinuousClock.now >= $0 } ?? false
    }
}
