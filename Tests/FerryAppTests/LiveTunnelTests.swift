import FerryHTTP
import Foundation
import HTTPTypes
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A tunnel (`Upgrade` → 101 → raw bytes) over a real socket on 127.0.0.1, on the engine alone:
/// the responder echoes what the client sends until the client's EOF.
@Suite("Live: HTTP/1.1 tunnel")
struct LiveTunnelTests {
    /// Answers `Upgrade` requests with an echo tunnel and anything else with 404.
    final class EchoTunnelResponder: HTTPResponder {
        func respond(to request: HTTPServerRequest) -> HTTPResponderResult {
            guard request.head.headerFields[.upgrade] != nil else {
                return .ready(HTTPServerResponse(status: .notFound))
            }
            // Authentication would happen here, before the switch: an async answer.
            return .async {
                HTTPServerResponse(
                    status: .switchingProtocols, headerFields: [.upgrade: "echo", .connection: "Upgrade"],
                    body: .tunnel { tunnel in
                        for try await chunk in tunnel.inbound { try await tunnel.outbound.write(chunk) }
                        try await tunnel.outbound.write(ByteBuffer(string: "bye"))
                    })
            }
        }

        func respondToRejectedRequest(_ error: HTTP1ParseError) -> HTTPServerResponse {
            HTTPServerResponse(status: error.status)
        }

        func requestCompleted(_ record: HTTPExchangeRecord) {}
    }

    @Test("101, bytes sent with the head, echo both ways, then the client's EOF ends the tunnel")
    func echo() async throws {
        let http = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), responder: EchoTunnelResponder())
        let port = try await http.start().port ?? 0
        let client = try RawHTTPClient(port: port)
        await client.send("GET /echo HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly")
        let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
        #expect(await client.read(count: head.utf8.count + 5) == head + "early")
        let big = String(repeating: "0123456789abcdef", count: 64 * 1024)  // 1 MiB both ways
        // Sent and read at once: the echo is backpressured by the client's reading.
        async let sent: Void = client.send(big)
        let echoed = await client.read(count: big.utf8.count)
        await sent
        #expect(echoed == big)
        client.shutdownWrite()
        #expect(String(decoding: await client.readToEnd(), as: UTF8.self) == "bye")
        await http.shutdownGracefully()
    }

    @Test("a quiet tunnel outlives every HTTP timeout and a graceful shutdown's notice")
    func quietTunnel() async throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.headerReadTimeout = .milliseconds(100)
        configuration.bodyReadTimeout = .milliseconds(100)
        configuration.keepAliveIdleTimeout = .milliseconds(100)
        configuration.responseWriteTimeout = .milliseconds(100)
        configuration.shutdownDrainTime = .seconds(2)
        let http = HTTPServer(configuration: configuration, responder: EchoTunnelResponder())
        let port = try await http.start().port ?? 0
        let client = try RawHTTPClient(port: port)
        await client.send("GET /echo HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
        let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
        #expect(await client.read(count: head.utf8.count) == head)
        try await Task.sleep(for: .milliseconds(400))
        await client.send("ping")
        #expect(await client.read(count: 4) == "ping")
        // Shutdown asks HTTP exchanges to finish; the tunnel stays until its owner ends it or the
        // drain time passes.
        async let stopped: Void = http.shutdownGracefully()
        try await Task.sleep(for: .milliseconds(200))
        await client.send("pong")
        #expect(await client.read(count: 4) == "pong")
        await stopped
        #expect(await client.isClosedByPeer())
    }

    @Test("no byte either way for tunnelIdleTimeout closes the connection")
    func idleTunnel() async throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.tunnelIdleTimeout = .milliseconds(200)
        let http = HTTPServer(configuration: configuration, responder: EchoTunnelResponder())
        let port = try await http.start().port ?? 0
        let client = try RawHTTPClient(port: port)
        await client.send("GET /echo HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
        let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
        #expect(await client.read(count: head.utf8.count) == head)
        #expect(await client.isClosedByPeer())
        await http.shutdownGracefully()
    }
}
