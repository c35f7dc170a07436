/// A room as its peers see it (docs/SIGNALLING.md, `Room`).
public struct RoomDocument: Codable, Sendable, Equatable {
    public var id: String
    public var kind: RoomKind
    public var name: String
    public var peers: [PeerDocument]
}
