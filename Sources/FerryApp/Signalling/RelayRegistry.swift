import FerryWeb
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
        /// Refused; `tellOther`: the other end may be waiting for this relay and should learn at
        /// once (not when the id is another relay's: that one is not the asker's to end).
        case refused(String, tellOther: Bool)
    }

    private struct Relay {
        /// The id as peers spell it (16 lowercase hex characters), for the messages about it.
        var id: String
        var opener: String
        /// Who opened it (a member's user id, a guest's device): limits count per person too, not
        /// only per socket, since one person may open many sockets.
        var openerOwner: String
        var target: String
        var isOpen = false
        var createdAt: ContinuousClock.Instant
        var bucket: TokenBucket
        var lastFrame: ContinuousClock.Instant
    }

    /// What becomes of a relay frame.
    enum Route: Equatable {
        /// To this peer, after the sender waited this long (bandwidth).
        case forward(to: String, wait: Duration)
        /// The relay closed a moment ago: the frame was in flight then, and is dropped quietly.
        case ended
    }

    /// An id of a relay closed lately, and its ends: frames already on their way when it closed
    /// are dropped without an error (they are no offence of their sender).
    private struct Ended {
        var opener: String
        var target: String
        var at: ContinuousClock.Instant
    }

    /// Relays one socket may have asked of another and not yet had answered (a transfer asks for
    /// one at a time; a retry may overlap the try before).
    static let maxUnansweredPerPair = 2

    /// How long frames of a closed relay are dropped quietly: a sender may have megabytes on the
    /// way when the relay ends.
    static let endedGrace: Duration = .seconds(30)

    private struct State {
        var ended: [UInt64: Ended] = [:]
        /// Keyed by the id's 8 bytes, big-endian, as they lead each frame: routing a frame makes
        /// no string.
        var relays: [UInt64: Relay] = [:]
        var serverBucket: TokenBucket
    }

    private let configuration: SignallingConfiguration
    private let state: Mutex<State>

    init(configuration: SignallingConfiguration) {
        self.configuration = configuration
        let serverRate = configuration.serverRelayBytesPerSecond
        state = Mutex(State(serverBucket: TokenBucket(capacity: serverRate, perSecond: serverRate)))
    }

    /// The key of a relay id (16 lowercase hex characters, as the client messages are checked).
    static func key(_ id: String) -> UInt64? {
        id.utf8.count == 16 ? UInt64(id, radix: 16) : nil
    }

    /// The key of the relay id at the start of a frame (its first 8 bytes, big-endian).
    static func key(frame: WebSocketBinary) -> UInt64? {
        frame.leadingUInt64()
    }

    /// `peer` (of person `owner`) asks for relay `id` with `other`: the second ask of a pair
    /// opens it. A first ask counts against the server's relays, both ends' relays per peer, and
    /// the asker's relays per person.
    func open(
        _ id: String, from peer: String, owner: String, to other: String, now: ContinuousClock.Instant = .now
    ) -> OpenOutcome {
        guard let key = Self.key(id) else {
            return .refused("A relay id is 16 lowercase hex characters.", tellOther: false)
        }
        return state.withLock { state in
            // A peer's places: the relays it asked for, and those open. Asks of it still
            // unanswered are not its own: counting them would let anyone in a room with it fill
            // its places and block its real relays.
            func places(of end: String) -> Int {
                state.relays.values.count { $0.opener == end || ($0.target == end && $0.isOpen) }
            }
            let perPeer = configuration.maxRelaysPerPeer
            if var relay = state.relays[key] {
                guard !relay.isOpen, relay.opener == other, relay.target == peer else {
                    return .refused("This relay id is taken.", tellOther: false)
                }
                guard places(of: peer) < perPeer else {
                    return .refused("A peer may have at most \(perPeer) relays.", tellOther: true)
                }
                relay.isOpen = true
                relay.lastFrame = now
                state.relays[key] = relay
                return .opened(first: relay.opener, second: relay.target)
            }
            guard state.relays.count < configuration.maxRelays else {
                return .refused("The server carries as many relays as it may.", tellOther: true)
            }
            guard places(of: peer) < perPeer, places(of: other) < perPeer else {
                return .refused("A peer may have at most \(perPeer) relays.", tellOther: true)
            }
            let unanswered = state.relays.values.count { $0.opener == peer && $0.target == other && !$0.isOpen }
            guard unanswered < Self.maxUnansweredPerPair else {
                return .refused("Too many relays asked of this peer and not yet answered.", tellOther: false)
            }
            guard state.relays.values.count(where: { $0.openerOwner == owner }) < configuration.maxRelaysPerUser else {
                return .refused(
                    "One person may open at most \(configuration.maxRelaysPerUser) relays.", tellOther: true)
            }
            let rate = configuration.relayBytesPerSecond
            state.ended[key] = nil
            state.relays[key] = Relay(
                id: id, opener: peer, openerOwner: owner, target: other, createdAt: now,
                bucket: TokenBucket(capacity: rate, perSecond: rate), lastFrame: now)
            return .pending
        }
    }

    /// The relays (open or asked for) that `peer` is an end of, each with its other end.
    func relays(of peer: String) -> [(relay: String, other: String)] {
        state.withLock { state in
            state.relays.values.compactMap { relay in
                relay.opener == peer
                    ? (relay.id, relay.target) : relay.target == peer ? (relay.id, relay.opener) : nil
            }
        }
    }

    /// Closes a relay one of its ends names; returns the other end.
    func close(_ id: String, by peer: String) -> String? {
        guard let key = Self.key(id) else { return nil }
        return state.withLock { state in
            guard let relay = state.relays[key], relay.opener == peer || relay.target == peer else { return nil }
            state.relays[key] = nil
            state.ended[key] = Ended(opener: relay.opener, target: relay.target, at: .now)
            return relay.opener == peer ? relay.target : relay.opener
        }
    }

    /// Closes every relay of a peer that left; returns each relay with its other end.
    func closeAll(of peer: String) -> [(relay: String, other: String)] {
        state.withLock { state in
            let ids = state.relays.filter { $0.value.opener == peer || $0.value.target == peer }
            let now = ContinuousClock.now
            for (key, relay) in ids {
                state.relays[key] = nil
                state.ended[key] = Ended(opener: relay.opener, target: relay.target, at: now)
            }
            return ids.map { ($0.value.id, $0.value.opener == peer ? $0.value.target : $0.value.opener) }
        }
    }

    /// Where a frame of an open relay goes, and how long its sender must wait first so that the
    /// relay and the server stay within their bandwidth; ``Route/ended`` for a frame of a relay
    /// of this sender that closed within ``endedGrace``. Nil when the sender is not an end of an
    /// open (or just closed) relay with that id.
    func route(_ key: UInt64, from peer: String, bytes: Int) -> Route? {
        state.withLock { state in
            guard let index = state.relays.index(forKey: key) else {
                guard let ended = state.ended[key], ended.opener == peer || ended.target == peer,
                    ContinuousClock.now - ended.at < Self.endedGrace
                else { return nil }
                return .ended
            }
            let now = ContinuousClock.now
            let relay = state.relays.values[index]
            guard relay.isOpen, relay.opener == peer || relay.target == peer else { return nil }
            // In place: a frame costs no copy of the relay's entry back into the dictionary.
            state.relays.values[index].lastFrame = now
            let wait = state.relays.values[index].bucket.borrow(Double(bytes), now: now)
            let serverWait = state.serverBucket.borrow(Double(bytes), now: now)
            return .forward(to: relay.opener == peer ? relay.target : relay.opener, wait: max(wait, serverWait))
        }
    }

    /// Closes relays that carried nothing for the idle timeout, and those asked for whose other
    /// end did not ask within ``SignallingConfiguration/relayPendingTimeout`` (they hold places
    /// under the limits); returns them with both ends.
    func sweepIdle(now: ContinuousClock.Instant = .now) -> [(relay: String, ends: [String])] {
        state.withLock { state in
            let idle = state.relays.filter {
                now - $0.value.lastFrame >= configuration.relayIdleTimeout
                    || (!$0.value.isOpen && now - $0.value.createdAt >= configuration.relayPendingTimeout)
            }
            for (key, relay) in idle {
                state.relays[key] = nil
                state.ended[key] = Ended(opener: relay.opener, target: relay.target, at: now)
            }
            state.ended = state.ended.filter { now - $0.value.at < Self.endedGrace }
            return idle.map { ($0.value.id, [$0.value.opener, $0.value.target]) }
        }
    }

    var count: Int { state.withLock { $0.relays.count } }

    /// Whether a sweep has anything to look at: open relays, or ended ones still remembered.
    var hasWork: Bool { state.withLock { !$0.relays.isEmpty || !$0.ended.isEmpty } }
}
