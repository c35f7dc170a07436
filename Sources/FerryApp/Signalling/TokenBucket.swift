/// A rate limit: `capacity` at once, refilled at `perSecond`. A value; its owner keeps it under
/// its own lock.
struct TokenBucket: Sendable {
    let capacity: Double
    let perSecond: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(capacity: Int, perSecond: Int, now: ContinuousClock.Instant = .now) {
        self.capacity = Double(capacity)
        self.perSecond = Double(perSecond)
        self.tokens = Double(capacity)
        self.updated = now
    }

    /// Takes `cost` tokens if there are that many.
    mutating func take(_ cost: Double = 1, now: ContinuousClock.Instant = .now) -> Bool {
        refill(now)
        guard tokens >= cost else { return false }
        tokens -= cost
        return true
    }

    /// Takes `cost` tokens, going into debt if needed; returns how long until the debt is paid
    /// (zero when there was enough). For bandwidth: the sender waits that long before going on.
    mutating func borrow(_ cost: Double, now: ContinuousClock.Instant = .now) -> Duration {
        refill(now)
        tokens -= cost
        guard tokens < 0 else { return .zero }
        return .milliseconds(Int64((-tokens / perSecond * 1000).rounded(.up)))
    }

    private mutating func refill(_ now: ContinuousClock.Instant) {
        let elapsed = now - updated
        updated = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(capacity, tokens + seconds * perSecond)
    }
}
