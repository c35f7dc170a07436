import Synchronization

/// Request ids: a random per-process prefix and a counter, so ids are unique across restarts
/// without a random draw per request.
enum RequestID {
    private static let prefix: [UInt8] = {
        let value = UInt32.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return Array((String(repeating: "0", count: 8 - hex.count) + hex + "-").utf8)
    }()
    private static let counter = Atomic<UInt64>(0)
    private static let digits: [UInt8] = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    /// `xxxxxxxx-n` with `n` in base 36, written straight into the string's storage: this runs
    /// for every request, and `String(_:radix:)` plus concatenation cost two allocations.
    static func next() -> String {
        format(counter.add(1, ordering: .relaxed).newValue)
    }

    static func format(_ value: UInt64) -> String {
        var digitCount = 1
        var rest = value / 36
        while rest > 0 {
            digitCount += 1
            rest /= 36
        }
        return String(unsafeUninitializedCapacity: prefix.count + digitCount) { output in
            for index in prefix.indices { output[index] = prefix[index] }
            var value = value
            var position = prefix.count + digitCount - 1
            repeat {
                output[position] = digits[Int(value % 36)]
                value /= 36
                position -= 1
            } while value > 0
            return prefix.count + digitCount
        }
    }
}
