import FerryHTTP
import FerryWeb
import Foundation
import Testing

/// A WebSocket's liveness timer runs on its connection's event loop (``HTTPTunnel/repeatEvery(_:_:)``):
/// the server pings a quiet client and drops one that never answers.
@Suite("WebSocket liveness, live")
struct LiveWebSocketLivenessTests {
    struct Silent: WebSocketHandler {
        func opened(_ socket: WebSocket) async {}
        func received(_ message: WebSocketMessage, on socket: WebSocket) async {}
        func closed(_ socket: WebSocket, code: WebSocketCloseCode?) async {}
    }

    @Test("a client that never answers the server's ping is dropped after the pong timeout")
    func unansweredPingDropsTheClient() async throws {
        var quick = WebSocketConfiguration()
        quick.pingInterval = .milliseconds(100)
        quick.pongTimeout = .milliseconds(200)
        let configuration = quick
        let server = try await TestWebServer.start { router in
            router.routes.get("/ws") { request in
                try WebSocketHandshake(request, subprotocols: []).response(
                    configuration: configuration, handler: Silent())
            }
        }
        defer { Task { await server.stop() } }
        let client = try server.client()
        let started = ContinuousClock.now
        await client.send(
            "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let received = await client.readToEnd()
        let elapsed = ContinuousClock.now - started
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 101"), "\(text.prefix(40))")
        let head = try #require(text.range(of: "\r\n\r\n"))
        let frames = Array(received[text.utf8.distance(from: text.startIndex, to: head.upperBound)...])
        #expect(frames.first == 0x89, "a ping (FIN, opcode 9) first: \(frames.prefix(2))")
        #expect(elapsed < .seconds(5), "dropped, not left to the read timeout: \(elapsed)")
        #expect(elapsed >= .milliseconds(300), "not before the ping interval and the pong timeout: \(elapsed)")
    }
}
