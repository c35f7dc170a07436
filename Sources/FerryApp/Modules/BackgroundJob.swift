/// Work a module repeats while the server runs: the server runs it once at start, then every
/// `interval`, logging (not propagating) its failures.
///
/// A job that usually finds nothing to do gives an `isDue` check: it runs on the timer's event
/// loop thread before each round, and the (async) work starts only when it says so. An idle
/// server then pays a timer wake-up per interval instead of a task, a hop to the concurrency
/// pool and a query: the difference between ~0.03 and ~0.3 ms of CPU per second.
public struct BackgroundJob: Sendable {
    public var name: String
    public var interval: Duration
    /// Cheap and non-blocking (a lock, a comparison, a read of a small cached file), since it
    /// runs on an event loop.
    public var isDue: @Sendable () -> Bool
    public var run: @Sendable () async throws -> Void

    public init(
        name: String, every interval: Duration, when isDue: @escaping @Sendable () -> Bool = { true },
        run: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.isDue = isDue
        self.run = run
    }
}
