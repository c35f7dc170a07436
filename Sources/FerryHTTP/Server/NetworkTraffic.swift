import Synchronization

/// Bytes read from and written to client sockets, summed over every connection a server accepted
/// (TLS counted as ciphertext, refused connections included).
///
/// One instance may be shared by several ``HTTPServer``s (the HTTPS port and its redirect port).
/// Each read and each write costs one relaxed atomic add: no lock on the data path.
public final class NetworkTraffic: Sendable {
    private let received = Atomic<Int>(0)
    private let sent = Atomic<Int>(0)

    /// A pair of counters at zero.
    public init() {}

    /// Bytes read from client sockets so far.
    public var receivedBytes: Int { received.load(ordering: .relaxed) }

    /// Bytes handed to client sockets so far (counted when written to the channel, so bytes still
    /// queued when a connection dies count as sent).
    public var sentBytes: Int { sent.load(ordering: .relaxed) }

    func addReceived(_ count: Int) { received.wrappingAdd(count, ordering: .relaxed) }

    func addSent(_ count: Int) { sent.wrappingAdd(count, ordering: .relaxed) }
}
