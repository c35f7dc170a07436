/// Work a module repeats while the server runs: the server runs it once at start, then every
/// `interval`, logging (not propagating) its failures.
public struct BackgroundJob: Sendable {
    public var name: String
    public var interval: Duration
    public var run: @Sendable () async throws -> Void

    public init(name: String, every interval: Duration, run: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.run = run
    }
}
