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
}
