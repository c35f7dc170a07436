import Foundation

/// `GET /ice`: what an `RTCPeerConnection` is configured with.
struct IceDocument: Encodable, Sendable {
    struct Server: Encodable, Sendable {
        var urls: [String]
        var username: String?
        var credential: String?
    }

    var iceServers: [Server]
    /// When TURN credentials stop working; a client asks again before then.
    var expiresAt: Date
}
