import Foundation

/// The messages the server sends (docs/SIGNALLING.md, "Server → client"), encoded once each and
/// then sent to every recipient as the same string.
enum ServerMessage {
    struct Welcome: Encodable {
        struct Limits: Encodable {
            var maxMessageBytes: Int
            var maxRelayFrameBytes: Int
        }
        var type = "welcome"
        var v = 1
        var you: PeerDocument
        var rooms: [RoomDocument]
        var limits: Limits
    }

    struct PeerJoined: Encodable {
        var type = "peer-joined"
        var room: String
        var peer: PeerDocument
    }

    struct PeerLeft: Encodable {
        var type = "peer-left"
        var room: String
        var peer: String
    }

    struct PeerUpdated: Encodable {
        var type = "peer-updated"
        var peer: PeerDocument
    }

    struct RoomJoined: Encodable {
        var type = "room-joined"
        var room: RoomDocument
    }

    struct RoomLeft: Encodable {
        var type = "room-left"
        var room: String
    }

    struct RelayOpened: Encodable {
        var type = "relay-opened"
        var relay: String
        var peer: String
    }

    struct RelayClosed: Encodable {
        var type = "relay-closed"
        var relay: String
        var reason: String
    }

    struct Failure: Encodable {
        var type = "error"
        var code: String
        var message: String
        var ref: String?
    }

    static func encode(_ message: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every message is built from checked values; encoding cannot fail.
        return String(decoding: (try? encoder.encode(message)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// A forwarded `signal`: `from` is stamped here; `data` is the sender's object, re-encoded
    /// after it was parsed and checked.
    static func signal(from peerID: String, data: String) -> String {
        #"{"data":"# + data + #","from":""# + peerID + #"","type":"signal"}"#
    }
}
