import Synchronization

/// A number shared between a test, its server's handlers and sampling threads.
final class SharedCount: Sendable {
    private let storage: Mutex<Int>

    init(_ value: Int = 0) { storage = Mutex(value) }

    var value: Int { storage.withLock { $0 } }

    func store(_ value: Int) { storage.withLock { $0 = value } }

    /// Keeps the largest value seen (peaks of memory).
    func raise(to candidate: Int) { storage.withLock { $0 = max($0, candidate) } }
}
