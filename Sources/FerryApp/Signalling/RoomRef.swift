/// A room a peer is placed in. `key` tells rooms apart on the server (a network room is one per
/// team and client address); `id` is what peers see (unique from each peer's point of view).
public struct RoomRef: Sendable, Hashable {
    public var key: String
    public var id: String
    public var kind: RoomKind
    public var name: String
    /// A member's pairing room: whom the member made the code for (``GuestPass/label``). Only the
    /// member's sockets get it; the guest's room is its own ``RoomRef`` without one.
    public var label: String?

    public init(key: String, id: String, kind: RoomKind, name: String, label: String? = nil) {
        self.key = key
        self.id = id
        self.kind = kind
        self.name = name
        self.label = label
    }
}
