import FerryStore
import FerryWeb
import Foundation
import Synchronization

/// One signalling socket (one browser tab): waits for `hello`, then joins the peer's rooms and
/// checks, rate-limits and routes each message (docs/SIGNALLING.md). The sender of anything it
/// forwards is stamped from the socket, never taken from the message.
final class SignallingPeerSession: WebSocketHandler, PeerSink {
    let hub: SignallingHub
    /// The server's id for this socket, `p_` + 22 base64url characters.
    let peerID: String
    let identity: Mutex<PeerIdentity>
    /// The client address, for the same-network rooms.
    let address: String?

    private struct State {
        var socket: WebSocket?
        var peer: PeerDocument?
        var rooms: [String: RoomRef] = [:]
        var messages: TokenBucket
        var signals: [String: TokenBucket] = [:]
        var offences: [ContinuousClock.Instant] = []
    }

    private let state: Mutex<State>

    init(hub: SignallingHub, identity: PeerIdentity, address: String?) {
        self.hub = hub
        self.identity = Mutex(identity)
        self.address = address
        self.peerID = "p_" + SecretToken.generate(byteCount: 16)
        let configuration = hub.configuration
        state = Mutex(
            State(
                messages: TokenBucket(capacity: configuration.messageBurst, perSecond: configuration.messagesPerSecond))
        )
    }

    var peer: PeerDocument? { state.withLock { $0.peer } }

    func updatePeer(_ peer: PeerDocument) {
        state.withLock { $0.peer = peer }
    }
    var rooms: [String: RoomRef] { state.withLock { $0.rooms } }
    var socket: WebSocket? { state.withLock { $0.socket } }

    // MARK: - PeerSink

    func send(text: String) {
        socket?.send(text)
    }

    func send(binary: WebSocketBinary) {
        socket?.send(binary)
    }

    func send(relay: WebSocketBinary, queuedAtMost mark: Int, timeout: Duration) async {
        _ = await socket?.send(relay, queuedAtMost: mark, timeout: timeout)
    }

    // MARK: - WebSocketHandler

    func opened(_ socket: WebSocket) async {
        state.withLock { $0.socket = socket }
        let timeout = hub.configuration.helloTimeout
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard let self, self.peer == nil else { return }
            self.socket?.close(.policyViolation, reason: "no hello")
        }
    }

    func received(_ message: WebSocketMessage, on socket: WebSocket) async {
        switch message {
        case .text(let text):
            await receivedText(text)
        case .binary(let binary):
            await relayFrame(binary)
        }
    }

    func closed(_ socket: WebSocket, code: WebSocketCloseCode?) async {
        await hub.left(self)
    }

    // MARK: - Messages

    private func receivedText(_ text: String) async {
        guard state.withLock({ $0.messages.take() }) else {
            return refuse(.init(code: "rate-limited", message: "Too many messages; slow down."))
        }
        switch ClientMessage.parse(text, maxBytes: hub.configuration.maxMessageBytes) {
        case .failure(let refusal):
            refuse(refusal)
        case .success(let (message, ref)):
            if case .hello(let device) = message {
                await hello(device: device, ref: ref)
                return
            }
            guard let me = peer else {
                return refuse(.init(code: "hello-required", message: "Send hello first.", ref: ref))
            }
            switch message {
            case .hello:
                break
            case .rename(let name):
                await rename(me, to: name, ref: ref)
            case .signal(let to, let data):
                await signal(from: me, to: to, data: data, ref: ref)
            case .relayOpen(let to, let relay):
                await openRelay(relay, from: me, to: to, ref: ref)
            case .relayClose(let relay):
                await hub.closeRelay(relay, by: me.id)
            }
        }
    }

    private func hello(device: String, ref: String?) async {
        guard peer == nil else {
            return refuse(.init(code: "hello-repeated", message: "This socket already said hello.", ref: ref))
        }
        guard let peer = await hub.peerDocument(for: self, deviceID: device) else {
            return refuse(
                .init(
                    code: "unknown-device", message: "Register this device first (PUT /api/v1/devices/{id}).", ref: ref)
            )
        }
        // A guest's member is in the pairing room first, so the guest's welcome lists them.
        await hub.preparing(self)
        let rooms = await hub.rooms(for: self)
        state.withLock { state in
            state.peer = peer
            state.rooms = Dictionary(rooms.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let documents = await hub.presence.join(peer, rooms: rooms, sink: self)
        let configuration = hub.configuration
        send(
            text: ServerMessage.encode(
                ServerMessage.Welcome(
                    you: peer, rooms: documents,
                    limits: .init(
                        maxMessageBytes: configuration.maxMessageBytes,
                        maxRelayFrameBytes: configuration.maxRelayFrameBytes))))
        await hub.joined(self)
    }

    private func rename(_ me: PeerDocument, to name: String, ref: String?) async {
        guard await hub.rename(self, to: name) else {
            return refuse(.init(code: "unknown-device", message: "This device is no longer registered.", ref: ref))
        }
        var renamed = me
        renamed.device.name = name
        state.withLock { $0.peer = renamed }
        await hub.presence.update(renamed)
    }

    private func signal(from me: PeerDocument, to target: String, data: String, ref: String?) async {
        let configuration = hub.configuration
        let allowed = state.withLock { state in
            state.signals[
                target,
                default: TokenBucket(
                    capacity: configuration.signalBurst, perSecond: configuration.signalsPerSecond)
            ].take()
        }
        guard allowed else {
            return refuse(.init(code: "rate-limited", message: "Too many signals to this peer; slow down.", ref: ref))
        }
        guard target != me.id, await hub.presence.shareRoom(me.id, target),
            await hub.presence.deliver(text: ServerMessage.signal(from: me.id, data: data), to: target)
        else {
            return refuse(.init(code: "unknown-peer", message: "No such peer shares a room with you.", ref: ref))
        }
    }

    private func openRelay(_ relay: String, from me: PeerDocument, to target: String, ref: String?) async {
        guard target != me.id, await hub.presence.shareRoom(me.id, target) else {
            return refuse(.init(code: "unknown-peer", message: "No such peer shares a room with you.", ref: ref))
        }
        let owner = me.user.map { "user:\($0.id)" } ?? "guest:\(me.device.id)"
        if let refusal = await hub.openRelay(relay, from: me.id, owner: owner, to: target) {
            refuse(.init(code: "relay-refused", message: refusal.reason, ref: ref))
            // The other end may be waiting for this relay: it learns at once instead of timing out
            // (not when the id is another relay's, which goes on).
            if refusal.tellOther {
                _ = await hub.presence.deliver(
                    text: ServerMessage.encode(ServerMessage.RelayClosed(relay: relay, reason: "refused")), to: target)
            }
        }
    }

    /// A relay frame: 8 bytes of relay id, then the sealed payload, forwarded untouched (the
    /// received buffer itself). Reading this socket waits while the relay or the server is over
    /// its bandwidth, and while the other end has more than ``SignallingConfiguration/relayQueuedBytes``
    /// queued and not yet read: the sender's TCP window closes, instead of the server buffering
    /// until the other end is dropped as a slow consumer.
    private func relayFrame(_ frame: WebSocketBinary) async {
        guard let me = peer else {
            return refuse(.init(code: "hello-required", message: "Send hello first."))
        }
        let configuration = hub.configuration
        guard frame.count > 8, frame.count <= 8 + configuration.maxRelayFrameBytes,
            let key = RelayRegistry.key(frame: frame)
        else {
            return refuse(.init(code: "too-large", message: "A relay frame is an 8-byte relay id and 1 to 256 KiB."))
        }
        switch hub.relays.route(key, from: me.id, bytes: frame.count) {
        case nil:
            refuse(.init(code: "unknown-relay", message: "No open relay has this id."))
        case .ended:
            break  // sent before the sender learnt that its relay closed
        case .forward(let to, let wait):
            if wait > .zero { try? await Task.sleep(for: wait) }
            _ = await hub.presence.deliver(
                relay: frame, to: to, queuedAtMost: configuration.relayQueuedBytes,
                timeout: configuration.relayQueueTimeout)
        }
    }

    // MARK: - Refusals

    /// Answers a refused message with an error; too many within the window close the socket.
    func refuse(_ refusal: ClientMessage.Refusal) {
        send(
            text: ServerMessage.encode(
                ServerMessage.Failure(code: refusal.code, message: refusal.message, ref: refusal.ref)))
        let configuration = hub.configuration
        let tooMany = state.withLock { state in
            let now = ContinuousClock.now
            state.offences = state.offences.filter { now - $0 < configuration.offenceWindow } + [now]
            return state.offences.count > configuration.maxOffences
        }
        if tooMany { socket?.close(.policyViolation, reason: "too many refused messages") }
    }

    /// Rooms changed after a re-check or a pairing: the peer enters and leaves them, and is told.
    func setRooms(_ rooms: [RoomRef]) async {
        let wanted = Dictionary(rooms.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let (added, removed) = state.withLock { state -> ([RoomRef], [RoomRef]) in
            guard state.peer != nil else { return ([], []) }
            let added = wanted.values.filter { state.rooms[$0.key] == nil }
            let removed = state.rooms.values.filter { wanted[$0.key] == nil }
            state.rooms = wanted
            return (added, removed)
        }
        for room in removed {
            await hub.presence.exit(peerID, roomKey: room.key)
            send(text: ServerMessage.encode(ServerMessage.RoomLeft(room: room.id)))
        }
        for room in added {
            if let document = await hub.presence.enter(peerID, room: room) {
                send(text: ServerMessage.encode(ServerMessage.RoomJoined(room: document)))
            }
        }
        if !removed.isEmpty { await hub.closeRelaysOutsideRooms(of: peerID) }
    }
}
