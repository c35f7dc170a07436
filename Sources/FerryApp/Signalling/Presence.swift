import FerryWeb

/// Who is online and in which rooms, and delivery to them: the seam between the signalling
/// sessions and where presence lives. ``InProcessPresence`` keeps it in this process; a bus that
/// joins several instances (PostgreSQL LISTEN/NOTIFY) implements the same calls, announcing joins,
/// leaves and deliveries to the other instances and answering from its replicated view.
///
/// Joins and leaves are pushed to the other peers of each room by the implementation
/// (`peer-joined`, `peer-left`, `peer-updated`), so every instance tells its own sockets.
public protocol Presence: Sendable {
    /// Puts a peer in rooms and tells the peers already there; returns each room as the new peer
    /// sees it (the others in it).
    func join(_ peer: PeerDocument, rooms: [RoomRef], sink: any PeerSink) async -> [RoomDocument]
    /// Adds a connected peer to one more room; tells the others; returns the room.
    func enter(_ peerID: String, room: RoomRef) async -> RoomDocument?
    /// Takes a connected peer out of one room; tells the others.
    func exit(_ peerID: String, roomKey: String) async
    /// Takes a peer out of every room; tells the others.
    func leave(_ peerID: String) async
    /// A peer's device name changed; tells everyone sharing a room with it.
    func update(_ peer: PeerDocument) async
    /// Whether two peers share at least one room.
    func shareRoom(_ first: String, _ second: String) async -> Bool
    /// Sends to a peer if it is online; false when it is not.
    func deliver(text: String, to peerID: String) async -> Bool
    func deliver(binary: WebSocketBinary, to peerID: String) async -> Bool
    /// Sends a relay frame to a peer if it is online, returning once the frame is queued: after
    /// the peer's queue fell to `mark` bytes, or after `timeout` (see ``PeerSink``).
    func deliver(relay: WebSocketBinary, to peerID: String, queuedAtMost mark: Int, timeout: Duration) async -> Bool
    /// Peers online, for metrics and tests.
    func count() async -> Int
}
