import Foundation
import Synchronization

/// At most `limit` attempts per key within `window`, remembered in memory. The number of keys is
/// bounded: past ``maxKeys`` the keys whose last attempt is oldest are dropped, so a flood of
/// made-up keys cannot exhaust memory.
public final class SlidingWindowLimiter: AttemptLimiter {
    public let limit: Int
    public let window: TimeInterval
    public let maxKeys: Int
    private let attempts = Mutex<[String: [Date]]>([:])

    public init(limit: Int, window: TimeInterval, maxKeys: Int = 100_000) {
        self.limit = max(1, limit)
        self.window = window
        self.maxKeys = maxKeys
    }

    public func retryAfter(_ key: String, now: Date) -> TimeInterval? {
        attempts.withLock { table in wait(for: key, now: now, in: &table) }
    }

    public func record(_ key: String, now: Date) {
        attempts.withLock { table in add(key, now: now, to: &table) }
    }

    public func attempt(_ key: String, now: Date) -> TimeInterval? {
        attempts.withLock { table in
            if let wait = wait(for: key, now: now, in: &table) { return wait }
            add(key, now: now, to: &table)
            return nil
        }
    }

    private func wait(for key: String, now: Date, in table: inout [String: [Date]]) -> TimeInterval? {
        guard var times = table[key] else { return nil }
        times.removeAll { now.timeIntervalSince($0) >= window }
        table[key] = times.isEmpty ? nil : times
        guard times.count >= limit else { return nil }
        // Free again when the oldest attempt that still counts leaves the window.
        let oldest = times[times.count - limit]
        return max(1, (window - now.timeIntervalSince(oldest)).rounded(.up))
    }

    private func add(_ key: String, now: Date, to table: inout [String: [Date]]) {
        var times = table[key] ?? []
        times.removeAll { now.timeIntervalSince($0) >= window }
        times.append(now)
        if times.count > limit { times.removeFirst(times.count - limit) }
        table[key] = times
        if table.count > maxKeys { Self.evict(&table, down: maxKeys * 9 / 10) }
    }

    public func reset(_ key: String) {
        _ = attempts.withLock { $0.removeValue(forKey: key) }
    }

    private static func evict(_ table: inout [String: [Date]], down target: Int) {
        let byLastAttempt = table.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }
        for (key, _) in byLastAttempt.prefix(table.count - target) { table[key] = nil }
    }
}
