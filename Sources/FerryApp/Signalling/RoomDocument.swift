/// A room as its peers see it (docs/SIGNALLING.md, `Room`).
public struct RoomDocument: Codable, Sendable, Equatable {
    public var id: String
    public var kind: RoomKind
    public var name: String
    /// Set on a member's pairing room whose code had a label (encoded only then).
    public var label: String?
    public var peers: [PeerDocument]

    public init(id: String, kind: RoomKind, name: String, label: String? = nil, peers: [PeerDocument]) {
        self.id = id
        self.kind = kind
        self.name = name
        self.label = label
        self.peers = peers
    }
}
