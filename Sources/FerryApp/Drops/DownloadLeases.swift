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

    private struct State: Sendable {
        var byDrop: [String: [Held]] = [:]
        var registrations = 0
    }

    /// Registrations between two sweeps of every drop's slots.
    static let pruneEvery = 1024

    private let state = Mutex(State())

    /// A new lease on a download of `dropID`, ending at `deadline` (the drop's expiry).
    func lease(_ dropID: String, until deadline: ContinuousClock.Instant) -> ResponseLease {
        let lease = ResponseLease(deadline: deadline)
        state.withLock { state in
            state.registrations += 1
            if state.registrations % Self.pruneEvery == 0 {
                state.byDrop = state.byDrop.compactMapValues { held in
                    let alive = held.filter { $0.lease != nil }
                    return alive.isEmpty ? nil : alive
                }
            }
            var held = state.byDrop[dropID, default: []].filter { $0.lease != nil }
            held.append(Held(lease: lease))
            state.byDrop[dropID] = held
        }
        return lease
    }

    /// The drop was revoked or deleted: its downloads stop.
    func end(_ dropID: String) {
        for lease in leases(of: dropID, removing: true) { lease.end() }
    }

    /// The drop's expiry moved: its downloads run until the new one.
    func renew(_ dropID: String, until deadline: ContinuousClock.Instant) {
        for lease in leases(of: dropID, removing: false) { lease.renew(until: deadline) }
    }

    /// Downloads of `dropID` being sent (for tests and metrics).
    func count(of dropID: String) -> Int {
        leases(of: dropID, removing: false).count
    }

    private func leases(of dropID: String, removing: Bool) -> [ResponseLease] {
        state.withLock { state in
            let held = state.byDrop[dropID] ?? []
            state.byDrop[dropID] = removing ? nil : held.filter { $0.lease != nil }
            if state.byDrop[dropID]?.isEmpty == true { state.byDrop[dropID] = nil }
            return held.compactMap(\.lease)
        }
    }
}
