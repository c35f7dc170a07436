import Synchronization

/// A string shared between a test and its server's handlers (what a handler saw).
final class SharedText: Sendable {
    private let storage = Mutex("")

    var value: String { storage.withLock { $0 } }

    func set(_ value: String) { storage.withLock { $0 = value } }
}
