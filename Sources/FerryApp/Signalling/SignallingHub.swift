import FerryStore
import FerryWeb
import Foundation
import Synchronization

/// The discovery server's state on this instance: the signalling sockets it holds, presence
/// (behind ``Presence``), relays, and what ties them to identity — rooms from team memberships
/// and pairings, and the re-check of every socket when identity data changes.
public final class SignallingHub: Sendable {
    public let configuration: SignallingConfiguration
    public let presence: any Presence
    let devices: DeviceStore
    let identity: IdentityService
    let authenticator: Authenticator
    let guests: GuestDirectory
    /// Where passes outlive a restart (written through from here; ``GuestDirectory`` is the
    /// running copy).
    let passes: GuestPassStore
    /// Secret hashes of passes that ended and could not be deleted from the store yet (the store
    /// failed): retried at the next end or sweep and at shutdown. Only a store that keeps failing
    /// until the process stops can bring such a pass back at the next start (it still expires).
    private let endedUnsaved = Mutex<Set<String>>([])
    let relays: RelayRegistry
    let pairingLimiter: SlidingWindowLimiter
    /// Sockets that said hello, by peer id.
    private let sessions = Mutex<[String: SignallingPeerSession]>([:])
    /// The identity version the sockets were last checked against, and the store's commit
    /// marker read just before that version was.
    private let checked = Mutex<(version: Int64?, marker: CommitMarker?)>((nil, nil))

    public init(
        configuration: SignallingConfiguration, presence: any Presence = InProcessPresence(), devices: DeviceStore,
        identity: IdentityService, authenticator: Authenticator, guests: GuestDirectory, passes: GuestPassStore
    ) {
        self.configuration = configuration
        self.presence = presence
        self.devices = devices
        self.identity = identity
        self.authenticator = authenticator
        self.guests = guests
        self.passes = passes
        self.relays = RelayRegistry(configuration: configuration)
        self.pairingLimiter = SlidingWindowLimiter(
            limit: configuration.pairingAttemptsPerAddress, window: configuration.pairingAttemptWindow)
    }

    /// Peers online on this instance.
    public var connectedPeers: Int { sessions.withLock { $0.count } }

    // MARK: - Joining and leaving

    /// The peer a socket becomes with this device, if the device is the caller's.
    func peerDocument(for session: SignallingPeerSession, deviceID: String) async -> PeerDocument? {
        switch session.identity.withLock({ $0 }) {
        case .member(let principal, _):
            guard let device = try? await devices.device(id: deviceID), device.userID == principal.user.id else {
                return nil
            }
            return PeerDocument(
                id: session.peerID,
                device: .init(id: device.id, name: device.name, publicKey: device.publicKey),
                user: .init(id: principal.user.id, name: principal.user.displayName), guest: false)
        case .guest(let pass):
            guard pass.deviceID == deviceID else { return nil }
            return PeerDocument(
                id: session.peerID,
                device: .init(id: pass.deviceID, name: pass.deviceName, publicKey: pass.publicKey), user: nil,
                guest: true)
        }
    }

    /// The rooms a socket belongs in now: each team of a member (and its same-network room), and
    /// the pairing rooms of the member's guests; for a guest, its one pairing room.
    func rooms(for session: SignallingPeerSession) async -> [RoomRef] {
        switch session.identity.withLock({ $0 }) {
        case .member(let principal, _):
            var rooms: [RoomRef] = []
            let teams = (try? await identity.teams(of: principal)) ?? []
            for team in teams where team.role != nil {
                let id = team.teamID.uuidString.lowercased()
                rooms.append(RoomRef(key: "team:\(id)", id: "team:\(id)", kind: .team, name: team.teamName))
                if let address = session.address {
                    rooms.append(
                        RoomRef(
                            key: "network:\(id):\(address)", id: "network:\(id)", kind: .network,
                            name: "\(team.teamName) · same network"))
                }
            }
            for pass in guests.guests(of: principal.user.id) {
                // The label the member gave the code is the member's: it is on the member's room,
                // never on the guest's peer, which the guest's own tabs receive too.
                rooms.append(Self.pairingRoom(pass, name: "Guest · \(pass.deviceName)", label: pass.label))
            }
            return rooms
        case .guest(let pass):
            return [Self.pairingRoom(pass, name: pass.memberName)]
        }
    }

    private static func pairingRoom(_ pass: GuestPass, name: String, label: String? = nil) -> RoomRef {
        RoomRef(
            key: "pairing:\(pass.pairingID)", id: "pairing:\(pass.pairingID)", kind: .pairing, name: name,
            label: label)
    }

    /// A socket said hello and is about to join its rooms: a guest's member's sockets enter the
    /// pairing room first.
    func preparing(_ session: SignallingPeerSession) async {
        if case .guest(let pass) = session.identity.withLock({ $0 }) {
            await refreshRooms(ofMember: pass.memberID)
        }
    }

    /// A socket said hello and joined its rooms. A guest's pass is no longer away (should it have
    /// ended during the hello, the socket closes).
    func joined(_ session: SignallingPeerSession) async {
        sessions.withLock { $0[session.peerID] = session }
        if case .guest(let pass) = session.identity.withLock({ $0 }), !guests.attach(pass.secretHash) {
            // Ended during the hello, for whichever reason: not known here any more.
            session.socket?.close(.policyViolation, reason: PairingEnd.gone.rawValue)
        }
    }

    /// A socket ended: it leaves presence, its relays close, and a guest whose last socket this
    /// was has ``SignallingConfiguration/guestReconnectGrace`` to come back before its pass ends.
    func left(_ session: SignallingPeerSession) async {
        let wasJoined = sessions.withLock { $0.removeValue(forKey: session.peerID) != nil }
        guard wasJoined else { return }
        await presence.leave(session.peerID)
        for (relay, other) in relays.closeAll(of: session.peerID) {
            _ = await presence.deliver(
                text: ServerMessage.encode(ServerMessage.RelayClosed(relay: relay, reason: "peer-left")), to: other)
        }
        if case .guest(let pass) = session.identity.withLock({ $0 }),
            guests.detach(pass.secretHash, grace: configuration.guestReconnectGrace)
        {
            // Another tab of the guest may still be open (the pass ran out of lifetime).
            await ended([pass], reason: .expired)
        }
    }

    // MARK: - Guests

    /// Ends the passes whose guest did not come back within the grace time, or whose lifetime is
    /// over: their sockets close and their members leave the pairing rooms.
    func sweepGuests() async {
        await ended(guests.sweep(), reason: .expired)
        await forgetEndedPasses()
    }

    /// Puts the passes kept in the store back (at start): their guests reconnect without a code.
    func restoreGuests() async throws {
        guests.restore(try await passes.live(now: authenticator.clock()), grace: configuration.guestReconnectGrace)
    }

    /// The guest ended the pairing: the pass ends at once, with its sockets.
    func endPairing(_ pass: GuestPass) async {
        guard guests.end(pass.secretHash) != nil else { return }
        await ended([pass], reason: .endedByGuest)
    }

    /// A member ends a guest's pairing (the room `pairing:ID` they share).
    func endPairing(_ pairingID: String, by principal: Principal) async throws {
        guard let pass = guests.end(pairingID: pairingID, of: principal.user.id) else {
            throw HTTPError(.notFound, detail: "No guest is paired with you under this pairing.", type: "not-found")
        }
        await ended([pass], reason: .endedByMember)
    }

    /// Why a guest's sockets close (1008, the close reason): the guest's page says why.
    enum PairingEnd: String {
        case endedByGuest = "pairing ended"
        case endedByMember = "pairing ended by member"
        case expired = "pairing expired"
        case revoked = "pairing revoked"
        /// It ended while the socket was opening (its reason is not kept).
        case gone = "pairing gone"
    }

    /// Passes that ended, whichever way: their guests' sockets close with the reason, and their
    /// members' sockets leave the pairing rooms.
    private func ended(_ passes: [GuestPass], reason: PairingEnd) async {
        guard !passes.isEmpty else { return }
        closeGuestSockets(Set(passes.map(\.secretHash)), reason: reason)
        endedUnsaved.withLock { $0.formUnion(passes.map(\.secretHash)) }
        await forgetEndedPasses()
        for member in Set(passes.map(\.memberID)) { await refreshRooms(ofMember: member) }
    }

    /// Deletes ended passes from the store; what fails is tried again at the next end or sweep.
    func forgetEndedPasses() async {
        let hashes = endedUnsaved.withLock { Array($0) }
        guard !hashes.isEmpty, (try? await self.passes.delete(secretHashes: hashes)) != nil else { return }
        endedUnsaved.withLock { $0.subtract(hashes) }
    }

    /// Whether the sweep has work: passes to look at, or ended ones still to delete from the store.
    var guestsNeedSweep: Bool {
        guests.hasPasses || endedUnsaved.withLock { !$0.isEmpty }
    }

    private func closeGuestSockets(_ secretHashes: Set<String>, reason: PairingEnd) {
        let closing = sessions.withLock { sessions in
            sessions.values.filter { session in
                if case .guest(let pass) = session.identity.withLock({ $0 }) {
                    return secretHashes.contains(pass.secretHash)
                }
                return false
            }
        }
        for session in closing { session.socket?.close(.policyViolation, reason: reason.rawValue) }
    }

    func rename(_ session: SignallingPeerSession, to name: String) async -> Bool {
        guard let peer = session.peer else { return false }
        switch session.identity.withLock({ $0 }) {
        case .member(let principal, _):
            return
                (try? await devices.register(
                    id: peer.device.id, userID: principal.user.id, name: name, publicKey: peer.device.publicKey,
                    now: authenticator.clock())) != nil
        case .guest:
            return true
        }
    }

    // MARK: - Relays

    /// Asks for a relay; nil when accepted (pending or opened), else why it was refused.
    /// Refused: why, and whether the other end should be told.
    func openRelay(
        _ relay: String, from peer: String, owner: String, to other: String
    ) async -> (reason: String, tellOther: Bool)? {
        switch relays.open(relay, from: peer, owner: owner, to: other) {
        case .pending:
            return nil
        case .opened(let first, let second):
            for (end, partner) in [(first, second), (second, first)] {
                _ = await presence.deliver(
                    text: ServerMessage.encode(ServerMessage.RelayOpened(relay: relay, peer: partner)), to: end)
            }
            return nil
        case .refused(let reason, let tellOther):
            return (reason, tellOther)
        }
    }

    /// After `peer`'s rooms changed: its relays with peers it no longer shares a room with close
    /// (a relay needs a shared room as much as a signal does), and both ends are told.
    func closeRelaysOutsideRooms(of peer: String) async {
        for (relay, other) in relays.relays(of: peer) {
            guard await !presence.shareRoom(peer, other), relays.close(relay, by: peer) != nil else { continue }
            for end in [peer, other] {
                _ = await presence.deliver(
                    text: ServerMessage.encode(ServerMessage.RelayClosed(relay: relay, reason: "peer-left")), to: end)
            }
        }
    }

    func closeRelay(_ relay: String, by peer: String) async {
        guard let other = relays.close(relay, by: peer) else { return }
        _ = await presence.deliver(
            text: ServerMessage.encode(ServerMessage.RelayClosed(relay: relay, reason: "closed")), to: other)
    }

    /// Closes relays that carried nothing for the idle timeout.
    func sweepRelays() async {
        for (relay, ends) in relays.sweepIdle() {
            for end in ends {
                _ = await presence.deliver(
                    text: ServerMessage.encode(ServerMessage.RelayClosed(relay: relay, reason: "idle")), to: end)
            }
        }
    }

    // MARK: - Following identity

    /// Whether something was committed since the last re-check (always true where the store has
    /// no commit marker): cheap enough for the job's timer thread.
    func identityMayHaveChanged() -> Bool {
        guard let marker = authenticator.store.database.commitMarker() else { return true }
        return checked.withLock { $0.marker != marker }
    }

    /// When the store's identity version moved: every member socket's credential is checked
    /// again (a disabled user, a revoked token, an ended session close it) and its rooms follow
    /// its memberships.
    ///
    /// Its job runs every second, but only while ``identityMayHaveChanged()`` says so: the query
    /// (a trip through the database's thread pool, once most of an idle server's CPU) is skipped
    /// while nothing was committed. The marker is read before the version, so a commit between
    /// the two moves it again for the next round.
    func recheckIdentities() async throws {
        let marker = authenticator.store.database.commitMarker()
        let version = try await authenticator.store.version()
        let previous = checked.withLock { checked in
            defer { checked = (version, marker) }
            return checked.version
        }
        guard previous != version else { return }
        authenticator.cache.sync(to: version)
        // Fail closed here: this version is not looked at again, so a socket whose credential
        // could not be read (the store did not answer) must not outlive a revocation unseen.
        for session in sessions.withLock({ Array($0.values) }) { await recheck(session, keepOnStoreError: false) }
        // A member who lost access takes their guests along (whose cookies would otherwise keep
        // them paired, and reaching ICE credentials, for hours).
        for member in guests.memberIDs() {
            let user: User?
            do {
                user = try await authenticator.store.user(id: member)
            } catch {
                continue  // asked again at the next change
            }
            if user?.disabled ?? true { await ended(guests.revokeAll(of: member), reason: .revoked) }
        }
    }

    /// A member's socket against the store: closed when its session or token no longer lets it
    /// in, else its identity and rooms as they are now.
    /// `keepOnStoreError`: when the store does not answer, keep the socket (it is asked again at
    /// the next round) rather than close it.
    private func recheck(_ session: SignallingPeerSession, keepOnStoreError: Bool) async {
        guard case .member(_, let credential) = session.identity.withLock({ $0 }) else { return }
        let principal: Principal?
        do {
            switch credential {
            // A re-check is not a use of the session: an open socket alone does not keep it from
            // its idle limit (others signing in move the identity version and re-check it).
            case .session(let hash): principal = try await authenticator.sessionPrincipal(tokenHash: hash, use: false)
            case .token(let hash): principal = try await authenticator.tokenPrincipal(secretHash: hash)
            }
        } catch {
            guard keepOnStoreError else {
                session.socket?.close(.policyViolation, reason: "identity")
                return
            }
            return  // asked again at the next round: the credential's end is still past
        }
        guard let principal else {
            session.socket?.close(.policyViolation, reason: "identity")
            return
        }
        session.identity.withLock { $0 = .member(principal, credential: credential) }
        await session.setRooms(await rooms(for: session))
    }

    /// The sockets whose session or token has reached its end (nothing in the store changed, so
    /// ``recheckIdentities()`` did not look): each is checked again, and closed unless its
    /// session was used meanwhile.
    func sessionsPastTheirCredential(now: Date? = nil) -> [SignallingPeerSession] {
        let now = now ?? authenticator.clock()
        return sessions.withLock { sessions in
            sessions.values.filter { session in
                guard case .member(let principal, _) = session.identity.withLock({ $0 }) else { return false }
                return principal.validUntil.map { $0 <= now } ?? false
            }
        }
    }

    /// Checks again the sockets whose credential ran out (see ``sessionsPastTheirCredential(now:)``).
    func recheckExpiredCredentials(now: Date? = nil) async {
        for session in sessionsPastTheirCredential(now: now) { await recheck(session, keepOnStoreError: true) }
    }

    /// The rooms of a member's sockets after a guest paired or left.
    func refreshRooms(ofMember memberID: UUID) async {
        let mine = sessions.withLock { sessions in
            sessions.values.filter { session in
                if case .member(let principal, _) = session.identity.withLock({ $0 }) {
                    return principal.user.id == memberID
                }
                return false
            }
        }
        for session in mine { await session.setRooms(await rooms(for: session)) }
    }

    /// A device was deleted: its sockets close.
    func deviceDeleted(_ deviceID: String) {
        for session in sessionsOfDevice(deviceID) {
            session.socket?.close(.policyViolation, reason: "device removed")
        }
    }

    func sessionsOfDevice(_ deviceID: String) -> [SignallingPeerSession] {
        sessions.withLock { $0.values.filter { $0.peer?.device.id == deviceID } }
    }

    /// Shutdown: every socket is told to go (1001) and gets the drain time to answer.
    func closeAll() {
        for session in sessions.withLock({ Array($0.values) }) {
            session.socket?.close(.goingAway, reason: "server shutting down")
        }
    }
}
