import Synchronization

/// The frames a socket queued for its writer task, handed over in batches: the writer takes
/// everything queued at once (up to a byte budget) and writes it to the tunnel in one write, so a
/// burst of messages — an echo under load, a room's presence notices — costs one trip to the
/// event loop and one system call, not one per frame.
///
/// Many producers (any task sending on the socket), one consumer (the writer task). After
/// ``finish()`` what is queued is still handed out, then ``next(maxBytes:)`` returns nil.
final class WebSocketOutbox: Sendable {
    private struct State {
        var frames: [WebSocket.Outbound] = []
        /// The index of the first frame not handed out yet (the array is compacted when emptied).
        var head = 0
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Queues a frame; ignored once finished.
    func push(_ item: WebSocket.Outbound) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            state.frames.append(item)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// No more frames: the writer gets what is queued, then nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The frames queued so far, in order, at least one and no more than `maxBytes` of payload
    /// beyond the first; waits while none is queued; nil once finished and emptied. One caller
    /// at a time (the writer task).
    func next(maxBytes: Int) async -> [WebSocket.Outbound]? {
        while true {
            if let batch = take(maxBytes: maxBytes) { return batch.isEmpty ? nil : batch }
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.head < state.frames.count || state.finished { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// A batch; an empty one when finished and emptied; nil when there is nothing yet.
    private func take(maxBytes: Int) -> [WebSocket.Outbound]? {
        state.withLock { state in
            guard state.head < state.frames.count else { return state.finished ? [] : nil }
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
}
