import FerryStore
import FerryWeb
import Foundation
import Synchronization

/// The guests of this server and the pairing codes that make them. Held in memory while the
/// server runs; the hub writes passes through to the store (``GuestPassStore``) and puts them back
/// here at start (``restore(_:grace:)``), so a restart does not end a pairing. Codes live minutes
/// and stay in memory only: a restart voids them. (Several instances will share both through the
/// store.)
///
/// A pass lives while one of its guest's sockets is open, and for a grace time after the last one
/// closed, so that a reload or a lost connection does not end the pairing; a pass claimed but
/// never connected gets the same grace (a minute at least). Never beyond ``GuestPass/expiresAt``.
public final class GuestDirectory: Sendable {
    /// The cookie that carries a guest's secret (`__Host-` under TLS, as the session cookie).
    public static func cookieName(scheme: String) -> String {
        scheme == "https" ? "__Host-ferry_guest" : "ferry_guest"
    }

    private struct Code {
        var memberID: UUID
        var memberName: String
        var label: String?
        var expiresAt: Date
    }

    private struct Entry {
        var pass: GuestPass
        /// Open sockets of this guest.
        var sockets = 0
        /// When no socket is open: the end of the grace time.
        var awayUntil: Date?

        func isLive(at now: Date) -> Bool {
            now < pass.expiresAt && (awayUntil.map { now < $0 } ?? true)
        }
    }

    private struct State {
        var codes: [String: Code] = [:]
        var passes: [String: Entry] = [:]
    }

    private let state = Mutex(State())
    let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = Date.init) {
        self.clock = clock
    }

    /// The guest a request's cookie names, if its pass is live.
    public func pass(for request: Request, scheme: String) -> GuestPass? {
        guard let secret = request.cookie(Self.cookieName(scheme: scheme)), SecretToken.isWellFormed(secret) else {
            return nil
        }
        let hash = SecretToken.hash(secret)
        let now = clock()
        // An ended pass stays for ``sweep()``, which tells its member's sockets.
        return state.withLock { state in
            guard let entry = state.passes[hash], entry.isLive(at: now) else { return nil }
            return entry.pass
        }
    }

    /// A new single-use code for a member. Codes are 8 characters of an alphabet without
    /// look-alikes (32^8 ≈ 10^12), so guessing within the code's minutes and the claim rate limit
    /// is hopeless.
    func makeCode(
        memberID: UUID, memberName: String, label: String? = nil, lifetime: TimeInterval
    ) -> (code: String, expiresAt: Date) {
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        var generator = SystemRandomNumberGenerator()
        let code = String((0..<8).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
        let expiresAt = clock().addingTimeInterval(lifetime)
        state.withLock { state in
            let now = clock()
            state.codes = state.codes.filter { $0.value.expiresAt > now }
            state.codes[code] = Code(memberID: memberID, memberName: memberName, label: label, expiresAt: expiresAt)
        }
        return (code, expiresAt)
    }

    enum ClaimOutcome: Equatable {
        case paired(GuestPass, secret: String)
        case unknown
        case expired
    }

    /// How long a new pass waits for its first socket at least, whatever the grace time (with
    /// none, the page must still get from the claim to its socket).
    static let firstSocketWait: TimeInterval = 60

    /// Uses a code (once): the caller becomes a guest paired with the code's member. The pass
    /// waits `grace` (at least ``firstSocketWait``) for its first socket.
    func claim(
        code rawCode: String, deviceID: String, deviceName: String, publicKey: String, lifetime: TimeInterval,
        grace: TimeInterval
    ) -> ClaimOutcome {
        let code = rawCode.uppercased().filter { $0 != "-" && $0 != " " }
        let now = clock()
        return state.withLock { state in
            guard let found = state.codes.removeValue(forKey: code) else { return .unknown }
            guard now < found.expiresAt else { return .expired }
            let secret = SecretToken.generate()
            let pass = GuestPass(
                secretHash: SecretToken.hash(secret), deviceID: deviceID, deviceName: deviceName,
                publicKey: publicKey, memberID: found.memberID, memberName: found.memberName,
                pairingID: SecretToken.generate(byteCount: 16),
                expiresAt: now.addingTimeInterval(lifetime), label: found.label)
            state.passes[pass.secretHash] = Entry(
                pass: pass, awayUntil: now.addingTimeInterval(max(grace, Self.firstSocketWait)))
            return .paired(pass, secret: secret)
        }
    }

    /// Puts back passes read from the store at start: no socket of theirs is open yet, so each
    /// waits `grace` (at least ``firstSocketWait``) for its guest, as after a lost connection.
    func restore(_ passes: [GuestPass], grace: TimeInterval) {
        let awayUntil = clock().addingTimeInterval(max(grace, Self.firstSocketWait))
        state.withLock { state in
            for pass in passes where state.passes[pass.secretHash] == nil {
                state.passes[pass.secretHash] = Entry(pass: pass, awayUntil: awayUntil)
            }
        }
    }

    /// The live guests paired with a member (those away within their grace time included: their
    /// pairing room stays, so they find it again).
    func guests(of memberID: UUID) -> [GuestPass] {
        let now = clock()
        return state.withLock { state in
            state.passes.values.filter { $0.pass.memberID == memberID && $0.isLive(at: now) }.map(\.pass)
        }
    }

    /// A socket of the guest opened: the pass is no longer away. False when it ended meanwhile.
    func attach(_ secretHash: String) -> Bool {
        let now = clock()
        return state.withLock { state in
            guard var entry = state.passes[secretHash], entry.isLive(at: now) else { return false }
            entry.sockets += 1
            entry.awayUntil = nil
            state.passes[secretHash] = entry
            return true
        }
    }

    /// A socket of the guest closed. When it was the last, the pass waits `grace` for the guest to
    /// come back; with no grace it ends at once. True when it ended (now, or before and not yet
    /// swept: an ended pass never comes back).
    func detach(_ secretHash: String, grace: TimeInterval) -> Bool {
        let now = clock()
        return state.withLock { state in
            guard var entry = state.passes[secretHash] else { return false }
            guard entry.isLive(at: now) else {
                state.passes[secretHash] = nil
                return true
            }
            entry.sockets = max(0, entry.sockets - 1)
            if entry.sockets == 0 { entry.awayUntil = now.addingTimeInterval(grace) }
            guard entry.isLive(at: now) else {
                state.passes[secretHash] = nil
                return true
            }
            state.passes[secretHash] = entry
            return false
        }
    }

    /// Whether a pass is here (live, or ended and not yet swept): false once it ended for good.
    func isKnown(_ secretHash: String) -> Bool {
        state.withLock { $0.passes[secretHash] != nil }
    }

    /// Whether there is a pass at all (the sweep has something to look at).
    var hasPasses: Bool {
        state.withLock { !$0.passes.isEmpty }
    }

    /// Removes the passes whose guest did not come back in time, or whose lifetime is over, and
    /// returns them (their members' rooms change).
    func sweep() -> [GuestPass] {
        let now = clock()
        return state.withLock { state in
            let ended = state.passes.values.filter { !$0.isLive(at: now) }.map(\.pass)
            for pass in ended { state.passes[pass.secretHash] = nil }
            return ended
        }
    }

    /// The members who have passes (live, or ended and not yet swept) or unused codes.
    func memberIDs() -> Set<UUID> {
        state.withLock { Set($0.passes.values.map(\.pass.memberID) + $0.codes.values.map(\.memberID)) }
    }

    /// A member lost access (disabled or deleted): its codes are void and its guests' passes end.
    /// Returns the passes (their sockets close).
    func revokeAll(of memberID: UUID) -> [GuestPass] {
        state.withLock { state in
            state.codes = state.codes.filter { $0.value.memberID != memberID }
            let ended = state.passes.values.filter { $0.pass.memberID == memberID }.map(\.pass)
            for pass in ended { state.passes[pass.secretHash] = nil }
            return ended
        }
    }

    /// Ends the pass of a pairing its member ends. Returns it, if there is one of that member's.
    func end(pairingID: String, of memberID: UUID) -> GuestPass? {
        state.withLock { state in
            guard
                let hash = state.passes.first(where: {
                    $0.value.pass.pairingID == pairingID && $0.value.pass.memberID == memberID
                })?.key
            else { return nil }
            return state.passes.removeValue(forKey: hash)?.pass
        }
    }

    /// Ends a guest's pass (the guest ended the pairing). Returns it, if it was there.
    @discardableResult
    func end(_ secretHash: String) -> GuestPass? {
        state.withLock { $0.passes.removeValue(forKey: secretHash)?.pass }
    }
}
