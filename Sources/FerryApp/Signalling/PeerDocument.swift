import Foundation

/// A peer as other peers see it (docs/SIGNALLING.md, `Peer`).
public struct PeerDocument: Codable, Sendable, Equatable {
    public struct DeviceInfo: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var publicKey: String
    }

    public struct UserInfo: Codable, Sendable, Equatable {
        public var id: UUID
        public var name: String
    }

    public var id: String
    public var device: DeviceInfo
    public var user: UserInfo?
    public var guest: Bool

    private enum CodingKeys: String, CodingKey { case id, device, user, guest }

    /// `user` is always present: `null` for a guest, as docs/SIGNALLING.md says.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(device, forKey: .device)
        try container.encode(user, forKey: .user)
        try container.encode(guest, forKey: .guest)
    }
}
