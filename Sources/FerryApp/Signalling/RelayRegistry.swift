import Synchronization

/// The relays between pairs of peers: opened when both ends asked for the same id, with limits on
/// how many exist, a bandwidth budget per relay and for the server, and an idle timeout. The
/// frames themselves are sealed by the browsers; the registry only routes them.
final class RelayRegistry: Sendable {
    enum OpenOutcome: Equatable {
        /// Waiting for the other end to ask too.
        case pending
        /// Both asked: frames may pass.
        case opened(first: String, second: String)
        case refused(String)
    }

    private struct Relay {
        var opener: String
        var target: String
        var isOpen = false
        var bucket: TokenBucket
        var lastFrame: ContinuousClock.Instant
    }

    private struct State {
        var relays: [String: Relay] = [:]
        var serverBucket: TokenBucket
    }

    private let configuration: SignallingConfiguration
    private let state: Mutex<State>

    init(configuration: SignallingConfiguration) {
        self.configuration = configuration
        let serverRate = configuration.serverRelayBytesPerSecond
        state = Mutex(State(serverBucket: TokenBucket(capacity: serverRate, perSecond: serverRate)))
    }

    func open(_ id: String, from peer: String, to other: String) -> OpenOutcome {
        state.withLock { state in
            if var relay = state.relays[id] {
                guard !relay.isOpen, relay.opener == other, relay.target == peer else {
                    return .refused("This relay id is taken.")
                }
                relay.isOpen = true
                relay.lastFrame = .now
                state.relays[id] = relay
                return .opened(first: relay.opener, second: relay.target)
            }
            guard state.relays.count < configuration.maxRelays else {
                return .refused("The server carries as many relays as it may.")
            }
            let mine = state.relays.values.filter { $0.opener == peer || $0.target == peer }.count
            guard mine < configuration.maxRelaysPerPeer else {
                return .refused("A peer may have at most \(configuration.maxRelaysPerPeer) relays.")
            }
            let rate = configuration.relayBytesPerSecond
            state.relays[id] = Relay(
                opener: peer, target: other, bucket: TokenBucket(capacity: rate, perSecond: rate), lastFrame: .now)
            return .pending
        }
    }

    /// Closes a relay one of its ends names; returns the other end.
    func close(_ id: String, by peer: String) -> String? {
        state.withLock { state in
            guard let relay = state.relays[id], relay.opener == peer || relay.target == peer else { return nil }
            state.relays[id] = nil
            return relay.opener == peer ? relay.target : relay.opener
        }
    }

    /// Closes every relay of a peer that left; returns each relay with its other end.
    func closeAll(of peer: String) -> [(relay: String, other: String)] {
        state.withLock { state in
            let ids = state.relays.filter { $0.value.opener == peer || $0.value.target == peer }
            for id in ids.keys { state.relays[id] = nil }
            return ids.map { ($0.key, $0.value.opener == peer ? $0.value.target : $0.value.opener) }
        }
    }

    /// Where a frame of an open relay goes, and how long its sender must wait first so that the
    /// relay and the server stay within their bandwidth. Nil when the sender is not an end of an
    /// open relay with that id.
    func route(_ id: String, from peer: String, bytes: Int) -> (to: String, wait: Duration)? {
        state.withLock { state in
            guard var relay = state.relays[id], relay.isOpen, relay.opener == peer || relay.target == peer else {
                return nil
            }
            let now = ContinuousClock.now
            relay.lastFrame = now
            let wait = max(
                relay.bucket.borrow(Double(bytes), now: now), state.serverBucket.borrow(Double(bytes), now: now))
            state.relays[id] = relay
            return (relay.opener == peer ? relay.target : relay.opener, wait)
        }
    }

    /// Closes relays that carried nothing for the idle timeout; returns them with both ends.
    func sweepIdle(now: ContinuousClock.Instant = .now) -> [(relay: String, ends: [String])] {
        state.withLock { state in
            let idle = state.relays.filter { now - $0.value.lastFrame >= configuration.relayIdleTimeout }
            for id in idle.keys { state.relays[id] = nil }
            return idle.map { ($0.key, [$0.value.opener, $0.value.target]) }
        }
    }

    var count: Int { state.withLock { $0.relays.count } }
}
