import FerryWeb
import Synchronization

/// Presence for one instance: rooms and peers in memory, delivery straight to the sockets.
public final class InProcessPresence: Presence {
    private struct Member {
        var peer: PeerDocument
        var sink: any PeerSink
        /// Room key → the room as this peer sees it.
        var rooms: [String: RoomRef]
    }

    private struct State {
        var members: [String: Member] = [:]
        /// Room key → peer ids.
        var rooms: [String: Set<String>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func join(_ peer: PeerDocument, rooms: [RoomRef], sink: any PeerSink) async -> [RoomDocument] {
        let (documents, notices) = state.withLock { state in
            state.members[peer.id] = Member(peer: peer, sink: sink, rooms: [:])
            var documents: [RoomDocument] = []
            var notices: [(any PeerSink, String)] = []
            for room in rooms {
                let (document, told) = Self.enter(peer.id, room: room, in: &state)
                documents.append(document)
                notices += told
            }
            return (documents, notices)
        }
        for (sink, text) in notices { sink.send(text: text) }
        return documents
    }

    public func enter(_ peerID: String, room: RoomRef) async -> RoomDocument? {
        let result: (RoomDocument, [(any PeerSink, String)])? = state.withLock { state in
            guard state.members[peerID] != nil else { return nil }
            return Self.enter(peerID, room: room, in: &state)
        }
        guard let (document, notices) = result else { return nil }
        for (sink, text) in notices { sink.send(text: text) }
        return document
    }

    public func exit(_ peerID: String, roomKey: String) async {
        let notices = state.withLock { state in Self.exit(peerID, roomKey: roomKey, in: &state) }
        for (sink, text) in notices { sink.send(text: text) }
    }

    public func leave(_ peerID: String) async {
        let notices = state.withLock { state -> [(any PeerSink, String)] in
            guard let member = state.members[peerID] else { return [] }
            var notices: [(any PeerSink, String)] = []
            for key in member.rooms.keys { notices += Self.exit(peerID, roomKey: key, in: &state) }
            state.members[peerID] = nil
            return notices
        }
        for (sink, text) in notices { sink.send(text: text) }
    }

    public func update(_ peer: PeerDocument) async {
        let text = ServerMessage.encode(ServerMessage.PeerUpdated(peer: peer))
        let sinks = state.withLock { state -> [any PeerSink] in
            guard var member = state.members[peer.id] else { return [] }
            member.peer = peer
            state.members[peer.id] = member
            var told = Set<String>()
            for key in member.rooms.keys {
                for other in state.rooms[key] ?? [] where other != peer.id { told.insert(other) }
            }
            return told.compactMap { state.members[$0]?.sink }
        }
        for sink in sinks { sink.send(text: text) }
    }

    public func shareRoom(_ first: String, _ second: String) async -> Bool {
        state.withLock { state in
            guard let a = state.members[first], let b = state.members[second] else { return false }
            return !Set(a.rooms.keys).isDisjoint(with: b.rooms.keys)
        }
    }

    public func deliver(text: String, to peerID: String) async -> Bool {
        guard let sink = state.withLock({ $0.members[peerID]?.sink }) else { return false }
        sink.send(text: text)
        return true
    }

    public func deliver(binary: WebSocketBinary, to peerID: String) async -> Bool {
        guard let sink = state.withLock({ $0.members[peerID]?.sink }) else { return false }
        sink.send(binary: binary)
        return true
    }

    public func deliver(
        relay: WebSocketBinary, to peerID: String, queuedAtMost mark: Int, timeout: Duration
    ) async -> Bool {
        guard let sink = state.withLock({ $0.members[peerID]?.sink }) else { return false }
        await sink.send(relay: relay, queuedAtMost: mark, timeout: timeout)
        return true
    }

    public func count() async -> Int {
        state.withLock { $0.members.count }
    }

    // MARK: - Under the lock

    private static func enter(
        _ peerID: String, room: RoomRef, in state: inout State
    ) -> (RoomDocument, [(any PeerSink, String)]) {
        guard let peer = state.members[peerID]?.peer else {
            return (RoomDocument(id: room.id, kind: room.kind, name: room.name, label: room.label, peers: []), [])
        }
        let others = (state.rooms[room.key] ?? []).subtracting([peerID]).sorted()
        state.rooms[room.key, default: []].insert(peerID)
        state.members[peerID]?.rooms[room.key] = room
        // Everyone in a room sees it under the same id (``RoomRef``), so the notice is encoded once.
        let notice = ServerMessage.encode(ServerMessage.PeerJoined(room: room.id, peer: peer))
        var notices: [(any PeerSink, String)] = []
        var peers: [PeerDocument] = []
        for otherID in others {
            guard let other = state.members[otherID] else { continue }
            peers.append(other.peer)
            notices.append((other.sink, notice))
        }
        return (
            RoomDocument(id: room.id, kind: room.kind, name: room.name, label: room.label, peers: peers), notices
        )
    }

    private static func exit(_ peerID: String, roomKey: String, in state: inout State) -> [(any PeerSink, String)] {
        guard let room = state.members[peerID]?.rooms.removeValue(forKey: roomKey) else { return [] }
        state.rooms[roomKey]?.remove(peerID)
        let others = state.rooms[roomKey] ?? []
        if others.isEmpty { state.rooms[roomKey] = nil }
        let notice = ServerMessage.encode(ServerMessage.PeerLeft(room: room.id, peer: peerID))
        return others.compactMap { otherID in state.members[otherID].map { ($0.sink, notice) } }
    }
}
