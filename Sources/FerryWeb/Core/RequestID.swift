import Synchronization

/// Request ids: a random per-process prefix and a counter, so ids are unique across restarts
/// without a random draw per request.
enum RequestID {
    private static let prefix: String = {
        let value = UInt32.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }()
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let value = counter.add(1, ordering: .relaxed).newValue
        return prefix + "-" + String(value, radix: 36)
    }
}
