import Foundation
import Synchronization

/// A clock the tests move forward, for session expiry without waiting.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    /// Starts at a whole millisecond: the store keeps milliseconds, so a clock with finer steps
    /// would make a boundary check depend on rounding.
    init(_ start: Date = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
