import FerryHTTP
import Synchronization

/// The leases of the drop downloads being sent right now, by drop: revoking or deleting a drop
/// ends them, and extending it moves their deadline, so a response already under way stops when
/// its drop does (docs/DROPS.md, "Downloads") instead of running to its end.
///
/// Leases are held weakly: the engine holds a lease while it sends the response, so a finished
/// download's lease goes away by itself; its empty slot is pruned when its drop is next
/// downloaded, and all of them every ``pruneEvery`` registrations.
final class DownloadLeases: Sendable {
    private struct Held: Sendable {
        weak var lease: ResponseLease?
    }

    private struct Entry: Sendable {
        var held: [Held] = []
        /// Deadline changes of the drop so far (see ``settle(_:of:stamp:until:)``).
        var renewals = 0
    }

    private struct State: Sendable {
        var byDrop: [String: Entry] = [:]
        var registrations = 0
    }

    /// Registrations between two sweeps of every drop's slots.
    static let pruneEvery = 1024

    private let state = Mutex(State())

    /// A new lease on a download of `dropID`, without a deadline yet. Taken *before* the drop is
    /// read: a revocation or an expiry change committed after that read still reaches it. The
    /// stamp goes to ``settle(_:of:stamp:until:)``.
    func lease(_ dropID: String) -> (lease: ResponseLease, stamp: Int) {
        let lease = ResponseLease()
        let stamp = state.withLock { state in
            state.registrations += 1
            if state.registrations % Self.pruneEvery == 0 {
                state.byDrop = state.byDrop.compactMapValues { entry in
                    var entry = entry
                    entry.held = entry.held.filter { $0.lease != nil }
                    return entry.held.isEmpty ? nil : entry
                }
            }
            var entry = state.byDrop[dropID, default: Entry()]
            entry.held = entry.held.filter { $0.lease != nil } + [Held(lease: lease)]
            state.byDrop[dropID] = entry
            return entry.renewals
        }
        return (lease, stamp)
    }

    /// Gives a lease the deadline read with its drop (the expiry), unless the drop's deadline
    /// changed since the lease was taken: that change, newer than the read, set it already.
    func settle(_ lease: ResponseLease, of dropID: String, stamp: Int, until deadline: ContinuousClock.Instant) {
        state.withLock { state in
            if (state.byDrop[dropID]?.renewals ?? 0) == stamp { lease.renew(until: deadline) }
        }
    }

    /// The drop was revoked or deleted: its downloads stop.
    func end(_ dropID: String) {
        let ended = state.withLock { state in
            let held = state.byDrop[dropID]?.held ?? []
            state.byDrop[dropID] = nil
            return held.compactMap(\.lease)
        }
        for lease in ended { lease.end() }
    }

    /// The drop's expiry moved: its downloads run until the new one.
    func renew(_ dropID: String, until deadline: ContinuousClock.Instant) {
        state.withLock { state in
            guard var entry = state.byDrop[dropID] else { return }
            entry.renewals += 1
            entry.held = entry.held.filter { $0.lease != nil }
            for held in entry.held { held.lease?.renew(until: deadline) }
            state.byDrop[dropID] = entry.held.isEmpty ? nil : entry
        }
    }

    /// Downloads of `dropID` being sent (for tests).
    func count(of dropID: String) -> Int {
        state.withLock { state in state.byDrop[dropID]?.held.filter { $0.lease != nil }.count ?? 0 }
    }
}
