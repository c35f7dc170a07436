import Synchronization

/// The frames a socket queued, handed to the tunnel in batches with at most one write in flight:
/// whoever queues a frame while nothing is being written writes it, and each finished write hands
/// back everything queued meanwhile (up to a byte budget) as the next batch. So a burst of
/// messages — an echo under load, a room's presence notices — costs one write and one system call,
/// not one per frame; and a frame that finds the socket idle goes out without a task waking up for
/// it: the sender hands it to the event loop, which writes the next batch from the completion of
/// the last (a relay frame costs one trip to the receiver's event loop, not three task switches).
///
/// Many producers (any task sending on the socket); the writer role passes between them and the
/// event loop under the lock. After ``finish()`` what is queued is still written, then
/// ``drained()`` returns.
final class WebSocketOutbox: Sendable {
    private struct State {
        var frames: [WebSocket.Outbound] = []
        /// The index of the first frame not handed out yet (the array is compacted when emptied).
        var head = 0
        /// Writes may start (the tunnel is attached).
        var started = false
        /// A batch is with the tunnel.
        var writing = false
        var finished = false
        var drainWaiters: [CheckedContinuation<Void, Never>] = []

        var isDrained: Bool { finished && !writing && head == frames.count }
    }

    /// Most payload bytes in one batch beyond its first frame (one frame may be larger).
    let maxBatchBytes: Int
    private let state = Mutex(State())

    init(maxBatchBytes: Int) {
        self.maxBatchBytes = maxBatchBytes
    }

    /// Queues a frame; ignored once finished. Returns the batch the caller must write now when
    /// no write was in flight (the caller has the writer role until ``written()`` returns nil).
    func push(_ item: WebSocket.Outbound) -> [WebSocket.Outbound]? {
        state.withLock { state in
            guard !state.finished else { return nil }
            state.frames.append(item)
            guard state.started, !state.writing else { return nil }
            state.writing = true
            return Self.take(maxBytes: maxBatchBytes, from: &state)
        }
    }

    /// Lets writes begin; returns the batch to write first, if frames were queued before.
    func start() -> [WebSocket.Outbound]? {
        state.withLock { state in
            state.started = true
            guard !state.writing, state.head < state.frames.count else { return nil }
            state.writing = true
            return Self.take(maxBytes: maxBatchBytes, from: &state)
        }
    }

    /// The batch in flight was written: the next one, which the caller writes, or nil when
    /// nothing is queued (the writer role is given up).
    func written() -> [WebSocket.Outbound]? {
        let (batch, waiters) = state.withLock { state -> ([WebSocket.Outbound]?, [CheckedContinuation<Void, Never>]) in
            if state.head < state.frames.count { return (Self.take(maxBytes: maxBatchBytes, from: &state), []) }
            state.writing = false
            return (nil, Self.takeDrainWaiters(&state))
        }
        for waiter in waiters { waiter.resume() }
        return batch
    }

    /// A write failed: what is queued is dropped, nothing more is written.
    func failed() {
        let waiters = state.withLock { state in
            state.finished = true
            state.writing = false
            state.frames.removeAll()
            state.head = 0
            return Self.takeDrainWaiters(&state)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// No more frames: what is queued is still written.
    func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            // Never attached: nothing will write what is queued.
            if !state.started {
                state.frames.removeAll()
                state.head = 0
            }
            return Self.takeDrainWaiters(&state)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once finished and everything queued was written (or a write failed).
    func drained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.isDrained { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private static func takeDrainWaiters(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        guard state.isDrained else { return [] }
        defer { state.drainWaiters = [] }
        return state.drainWaiters
    }

    /// The frames queued, in order, at least one and no more than `maxBytes` of payload beyond
    /// the first.
    private static func take(maxBytes: Int, from state: inout State) -> [WebSocket.Outbound] {
        var end = state.head + 1
        var bytes = state.frames[state.head].count
        while end < state.frames.count, bytes + state.frames[end].count <= maxBytes {
            bytes += state.frames[end].count
            end += 1
        }
        let batch = Array(state.frames[state.head..<end])
        if end == state.frames.count {
            state.frames.removeAll(keepingCapacity: state.frames.count <= 64)
            state.head = 0
        } else {
            state.head = end
        }
        return batch
    }
}
