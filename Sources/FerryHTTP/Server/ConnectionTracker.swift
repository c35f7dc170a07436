import NIOConcurrencyHelpers
import NIOCore

/// Counts open connections for the connection limit and reaches them all at shutdown.
final class ConnectionTracker: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    private let drained = NIOLockedValueBox<[CheckedContinuation<Void, Never>]>([])

    /// Registers a connection unless the limit is reached.
    func admit(_ channel: any Channel, limit: Int) -> Bool {
        let admitted = channels.withLockedValue { open -> Bool in
            guard open.count < limit else { return false }
            open[ObjectIdentifier(channel)] = channel
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { [self] _ in self.remove(channel) }
        return true
    }

    var count: Int { channels.withLockedValue { $0.count } }

    private func remove(_ channel: any Channel) {
        let waiters = channels.withLockedValue { open -> [CheckedContinuation<Void, Never>] in
            open[ObjectIdentifier(channel)] = nil
            guard open.isEmpty else { return [] }
            return drained.withLockedValue { waiters in
                defer { waiters.removeAll() }
                return waiters
            }
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Asks every connection to finish its current exchange and close.
    func beginShutdown() {
        for channel in channels.withLockedValue({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(HTTPServerShutdownEvent())
        }
    }

    /// Closes whatever is still open.
    func closeAll() {
        for channel in channels.withLockedValue({ Array($0.values) }) {
            channel.close(promise: nil)
        }
    }

    /// Returns once no connection is open.
    func waitUntilDrained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = channels.withLockedValue { open -> Bool in
                guard !open.isEmpty else { return true }
                drained.withLockedValue { $0.append(continuation) }
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
