import NIOCore

/// A repeating timer of a tunnel's owner (``HTTPTunnel/repeatEvery(_:_:)``).
public struct TunnelTimer: Sendable {
    private let repeated: RepeatedTask?
    private let task: Task<Void, Never>?

    init(repeated: RepeatedTask) {
        self.repeated = repeated
        self.task = nil
    }

    init(task: Task<Void, Never>) {
        self.repeated = nil
        self.task = task
    }

    /// Stops the timer; a tick already running finishes.
    public func cancel() {
        repeated?.cancel()
        task?.cancel()
    }
}
