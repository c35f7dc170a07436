import Foundation

/// Counts attempts per key in a sliding window. Behind a protocol so that several instances can
/// later share one limiter (PostgreSQL); today's implementation is in process.
public protocol AttemptLimiter: Sendable {
    /// How long until `key` may try again, or nil when it may try now.
    func retryAfter(_ key: String, now: Date) -> TimeInterval?
    /// Counts one attempt of `key`.
    func record(_ key: String, now: Date)
    /// Forgets `key` (a successful sign-in clears its failures).
    func reset(_ key: String)
    /// Checks and counts in one step: nil when `key` may try now (the attempt is counted), else
    /// how long until it may. Concurrent attempts cannot all slip past the check.
    func attempt(_ key: String, now: Date) -> TimeInterval?
}
